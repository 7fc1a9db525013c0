/* test_ingest.c — returned workbooks: accepted, refused, superseded,
 * recognised again; the database never half-written. Workbooks are issued
 * with tk_generate_run, filled by openpyxl (tests/fill_workbooks.py) and
 * damaged by tests/make_variants.py, as a department might. */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tenken/generate.h"
#include "tenken/ingest.h"
#include "tenken/store.h"
#include "tenken/util.h"
#include "testutil.h"

static char dir[64];
static char db[128];
static char issued02[256], issued03[256];
static char filled02[256], filled03[256];

static int issue(bool force)
{
    const char *deps[] = {"02", "03"};
    tk_generate_opts o = {.org = "shime", .year = 2026, .kind = "self", .deadline = "2027-01-29", .departments = deps,
                          .ndepartments = 2, .out_dir = dir, .db_path = db, .force = force, .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result r;
    int rc = tk_generate_run(&o, &d, &r);
    if (rc != 0)
        tk_diags_print(&d, stderr);
    for (size_t i = 0; i < r.nworkbooks && rc == 0; i++) {
        if (!strcmp(r.workbooks[i].code, "02"))
            snprintf(issued02, sizeof issued02, "%s", r.workbooks[i].file);
        else
            snprintf(issued03, sizeof issued03, "%s", r.workbooks[i].file);
    }
    tk_generate_result_free(&r);
    tk_diags_free(&d);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tenken-ingest-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    if (issue(false) != 0)
        return -1;
    if (!have_openpyxl())
        return 0;
    if (sh("/usr/bin/python3 tests/fill_workbooks.py --date-styles --seed 7 %s/filled '%s' '%s' >/dev/null", dir, issued02, issued03))
        return -1;
    snprintf(filled02, sizeof filled02, "%s/filled/%s", dir, strrchr(issued02, '/') + 1);
    snprintf(filled03, sizeof filled03, "%s/filled/%s", dir, strrchr(issued03, '/') + 1);
    return sh("/usr/bin/python3 tests/make_variants.py '%s' '%s' %s/var", filled02, filled03, dir) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf %s", dir) == 0 ? 0 : -1;
}

static enum tk_ingest_outcome ingest(const char *path, bool dry, tk_ingest_result *r, tk_diags *d)
{
    tk_store *st = tk_store_open(db, d);
    assert_non_null(st);
    tk_ingest_opts o = {.dry_run = dry};
    tk_ingest_file(st, path, &o, r, d);
    tk_store_close(st);
    return r->outcome;
}

static long count(const char *sql) { return db_count(db, sql); }

static bool has_message(const tk_diags *d, const char *place, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if ((!place || (d->items[i].place && strstr(d->items[i].place, place))) && strstr(d->items[i].message, needle))
            return true;
    return false;
}

static void db_digest(char hex[65])
{
    tk_buf b, w;
    assert_int_equal(tk_file_read(db, 1u << 28, &b), 0);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", db);
    if (tk_file_read(wal, 1u << 28, &w) == 0) {
        tk_buf_append(&b, w.data, w.len);
        tk_buf_free(&w);
    }
    tk_sha256_hex(b.data, b.len, hex);
    tk_buf_free(&b);
}

static void test_filled_workbook_is_taken_in(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result r;
    /* --dry-run checks everything and stores nothing */
    assert_int_equal(ingest(filled02, true, &r, &d), TK_INGEST_CHECKED);
    assert_int_equal(count("SELECT COUNT(*) FROM submission"), 0);
    assert_int_equal(ingest(filled02, false, &r, &d), TK_INGEST_ACCEPTED);
    assert_int_equal(d.errors, 0);
    assert_string_equal(r.department_code, "02");
    assert_true(r.items > 100);
    assert_true(r.answered > r.items * 9 / 10);
    /* every row of the workbook is recorded, answered or not */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM answer WHERE submission_id = %lld", (long long)r.submission_id);
    assert_int_equal(count(sql), (long)r.items);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM answer WHERE submission_id = %lld AND value IS NOT NULL",
             (long long)r.submission_id);
    assert_int_equal(count(sql), (long)r.answered);
    /* dates typed every way people type them end up as ISO dates */
    assert_true(count("SELECT COUNT(*) FROM answer WHERE due IS NOT NULL") > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM answer WHERE due IS NOT NULL AND due NOT GLOB '202[0-9]-[01][0-9]-[0-3][0-9]'"), 0);
    /* negative answers with a plan became plans; without one they are 要対応 */
    assert_true(count("SELECT COUNT(*) FROM plan") > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM plan"), count("SELECT COUNT(*) FROM plan_log"));
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM answer WHERE submission_id = %lld AND flag IS NOT NULL", (long long)r.submission_id);
    assert_int_equal(count(sql), (long)r.flagged);
    assert_int_equal(count("SELECT COUNT(*) FROM submission_field WHERE key = 'respondent'"), 1);
    tk_diags_free(&d);
}

static void test_same_bytes_change_nothing_and_a_new_version_supersedes(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result r;
    ingest(filled02, false, &r, &d);
    long subs = count("SELECT COUNT(*) FROM submission");
    char before[65], after[65];
    db_digest(before);
    assert_int_equal(ingest(filled02, false, &r, &d), TK_INGEST_SAME);
    db_digest(after);
    assert_string_equal(before, after);
    assert_int_equal(count("SELECT COUNT(*) FROM submission"), subs);
    /* the department fills it in again, differently */
    assert_int_equal(sh("/usr/bin/python3 tests/fill_workbooks.py --seed 99 %s/again '%s' >/dev/null", dir, issued02), 0);
    char again[256];
    snprintf(again, sizeof again, "%s/again/%s", dir, strrchr(issued02, '/') + 1);
    assert_int_equal(ingest(again, false, &r, &d), TK_INGEST_ACCEPTED);
    assert_true(r.superseded);
    assert_int_equal(count("SELECT COUNT(*) FROM submission"), subs + 1);
    /* the earlier one is kept, but only one is current */
    assert_int_equal(count("SELECT COUNT(*) FROM submission s JOIN workbook w ON w.id = s.workbook_id "
                           "WHERE w.department_code = '02' AND s.superseded_by IS NULL"),
                     1);
    tk_diags_free(&d);
}

/* A department that opens the workbook in LibreOffice Calc and saves it. */
static void test_workbook_resaved_by_libreoffice_is_taken_in(void **state)
{
    (void)state;
    if (!have_openpyxl() || sh("command -v soffice >/dev/null 2>&1") != 0)
        skip();
    assert_int_equal(sh("cd %s && HOME=%s soffice --headless --convert-to xlsx --outdir %s/lo '%s' >/dev/null 2>&1", dir, dir, dir,
                        filled03),
                     0);
    char lo[256];
    snprintf(lo, sizeof lo, "%s/lo/%s", dir, strrchr(filled03, '/') + 1);
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result a, b;
    assert_int_equal(ingest(filled03, true, &a, &d), TK_INGEST_CHECKED);
    assert_int_equal(ingest(lo, true, &b, &d), TK_INGEST_CHECKED);
    /* the same answers, read from another writer's file */
    assert_int_equal(a.items, b.items);
    assert_int_equal(a.answered, b.answered);
    assert_int_equal(a.flagged, b.flagged);
    assert_int_equal(a.plans, b.plans);
    assert_int_equal(d.errors, 0);
    tk_diags_free(&d);
}

static void expect_refused(const char *name, const char *place, const char *needle)
{
    char path[256];
    snprintf(path, sizeof path, "%s/var/%s", dir, name);
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result r;
    char before[65], after[65];
    db_digest(before);
    enum tk_ingest_outcome o = ingest(path, false, &r, &d);
    db_digest(after);
    if (o != TK_INGEST_REFUSED || !has_message(&d, place, needle)) {
        tk_diags_print(&d, stderr);
        fail_msg("%s: expected refusal with「%s」", name, needle);
    }
    /* every message names the file */
    for (size_t i = 0; i < d.count; i++)
        assert_string_equal(d.items[i].file, path);
    /* a refused file leaves the database byte for byte as it was */
    assert_string_equal(before, after);
    tk_diags_free(&d);
}

static void test_tampered_workbooks_are_refused(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    expect_refused("edited_text.xlsx", "!C", "文言が発行時と異なります");
    expect_refused("edited_ref.xlsx", "!B", "該当条項が「99(9)」");
    expect_refused("deleted_row.xlsx", "!B", "行の挿入・削除・並べ替え");
    expect_refused("inserted_row.xlsx", "!B", "行の挿入・削除・並べ替え");
    expect_refused("reordered.xlsx", "!B", "行の挿入・削除・並べ替え");
    expect_refused("no_identity.xlsx", NULL, "tenken が発行した点検票ではありません");
    expect_refused("other_token.xlsx", NULL, "department_code");
    expect_refused("other_year.xlsx", NULL, "year");
    expect_refused("edited_identity_item.xlsx", NULL, "識別シート");
}

static void test_values_are_checked_cell_by_cell(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    expect_refused("off_scale.xlsx", "!E", "選択肢にありません");
    expect_refused("bad_date.xlsx", "!J", "日付として読めません");
    expect_refused("long_cell.xlsx", "!F", "10000 文字");
    expect_refused("formula.xlsx", "!E", "数式");
}

static void test_other_files_are_refused_clearly(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    expect_refused("unrelated.xlsx", NULL, "tenken が発行した点検票ではありません");
    expect_refused("table.csv", NULL, "ZIP 形式ではありません");
    expect_refused("calc.ods", NULL, ".ods");
    expect_refused("truncated.xlsx", NULL, "ZIP");
    expect_refused("old.xls", NULL, ".xls");
    expect_refused("empty.xlsx", NULL, "空");
}

static void test_revoked_workbook_is_refused(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    /* the secretariat issues department 03's workbook again */
    assert_int_equal(issue(true), 0);
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result r;
    assert_int_equal(ingest(filled03, false, &r, &d), TK_INGEST_REFUSED);
    assert_true(has_message(&d, NULL, "無効になっています"));
    tk_diags_free(&d);
}

/* The command with worker processes: the same outcome as one by one, the
 * messages in the files' order. */
static void test_command_with_workers_takes_in_each_file_once(void **state)
{
    (void)state;
    const char *bin = getenv("TENKEN");
    if (!have_openpyxl() || !bin)
        skip();
    /* four versions of two departments' answers: eight files, each new */
    assert_int_equal(sh("for s in 21 22 23 24; do /usr/bin/python3 tests/fill_workbooks.py --seed $s %s/w$s '%s' '%s' >/dev/null || exit 1; "
                        "done; mkdir -p %s/many && for s in 21 22 23 24; do "
                        "for f in %s/w$s/*.xlsx; do cp \"$f\" \"%s/many/$s-$(basename \"$f\")\"; done; done",
                        dir, issued02, issued03, dir, dir, dir),
                     0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s ingest --jobs 2 %s/many --db %s > %s/par.txt 2>&1", bin, dir, db, dir);
    assert_int_equal(system(cmd), 0);
    tk_buf out;
    char path[256];
    snprintf(path, sizeof path, "%s/par.txt", dir);
    assert_int_equal(tk_file_read(path, 1u << 20, &out), 0);
    assert_non_null(strstr(out.data, "ingest: 8 ファイル中、取り込み 8、変更なし 0、拒否 0、失敗 0"));
    /* in the files' order: 21-… before 22-… */
    const char *a = strstr(out.data, "/21-"), *b = strstr(out.data, "/22-");
    assert_true(a && b && a < b);
    tk_buf_free(&out);
    /* the same again changes nothing */
    snprintf(cmd, sizeof cmd, "%s ingest -q --jobs 2 %s/many --db %s > %s/par2.txt 2>&1", bin, dir, db, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/par2.txt", dir);
    assert_int_equal(tk_file_read(path, 1u << 20, &out), 0);
    assert_non_null(strstr(out.data, "取り込み 0、変更なし 8"));
    tk_buf_free(&out);
}

/* kill -9 while files are being taken in: every submission in the database
 * is whole, and the file is sound. */
static void test_kill_during_ingest_leaves_database_consistent(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    /* ten versions of department 02's answers to take in one after another */
    assert_int_equal(sh("for s in 1 2 3 4 5 6 7 8 9 10; do /usr/bin/python3 tests/fill_workbooks.py --seed $s %s/v$s '%s' >/dev/null || exit 1; done",
                        dir, issued02),
                     0);
    for (int round = 0; round < 4; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            setpgid(0, 0); /* one group: the kill takes the sqlite3 helper too */
            tk_diags d;
            tk_diags_init(&d);
            for (int k = 0; k < 50; k++) {
                char path[256];
                snprintf(path, sizeof path, "%s/v%d/%s", dir, k % 10 + 1, strrchr(issued02, '/') + 1);
                tk_store *st = tk_store_open(db, &d);
                tk_ingest_result r;
                tk_ingest_file(st, path, NULL, &r, &d);
                tk_store_close(st);
                /* make the same bytes new again next time round */
                if (k % 10 == 9)
                    sh("sqlite3 %s \"UPDATE submission SET sha256 = sha256 || 'x'\" 2>/dev/null", db);
            }
            _exit(0);
        }
        struct timespec ts = {0, (long)(30 + round * 45) * 1000000L};
        nanosleep(&ts, NULL);
        setpgid(pid, pid);
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        db_integrity_ok(db);
        /* no submission without all its rows, at most one current per workbook */
        assert_int_equal(count("SELECT COUNT(*) FROM submission s JOIN workbook w ON w.id = s.workbook_id "
                               "WHERE (SELECT COUNT(*) FROM answer a WHERE a.submission_id = s.id) <> w.items"),
                         0);
        assert_int_equal(count("SELECT COUNT(*) FROM (SELECT workbook_id FROM submission WHERE superseded_by IS NULL "
                               "GROUP BY workbook_id HAVING COUNT(*) > 1)"),
                         0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filled_workbook_is_taken_in),
        cmocka_unit_test(test_same_bytes_change_nothing_and_a_new_version_supersedes),
        cmocka_unit_test(test_workbook_resaved_by_libreoffice_is_taken_in),
        cmocka_unit_test(test_tampered_workbooks_are_refused),
        cmocka_unit_test(test_values_are_checked_cell_by_cell),
        cmocka_unit_test(test_other_files_are_refused_clearly),
        cmocka_unit_test(test_revoked_workbook_is_refused),
        cmocka_unit_test(test_command_with_workers_takes_in_each_file_once),
        cmocka_unit_test(test_kill_during_ingest_leaves_database_consistent),
    };
    return cmocka_run_group_tests_name("ingest", tests, setup, teardown);
}
