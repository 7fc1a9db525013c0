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

/* ---- the stages of tk_ingest_file, each to its contract ---- */

enum { ST_OPEN = 1, ST_IDENTITY, ST_TAKEN_IN, ST_ISSUED, ST_SHEETS, ST_VALUES, ST_STORE };

/* A stage test: its diagnostics, and the result and last step of the
 * stages it ran last. */
typedef struct stage_case {
    tk_diags d;
    tk_ingest_result r;
    tk_ingest_step s;
} stage_case;

/* The set-up of every stage test (the filled workbooks need openpyxl);
 * stage_end frees it. */
static void stage_begin(stage_case *c)
{
    if (!have_openpyxl())
        skip();
    memset(c, 0, sizeof *c);
    tk_diags_init(&c->d);
}

static void stage_end(stage_case *c) { tk_diags_free(&c->d); }

/* Its diagnostics emptied, for a second look. */
static void stage_again(stage_case *c)
{
    tk_diags_free(&c->d);
    tk_diags_init(&c->d);
}

/* Run the stages in order as tk_ingest_file does, up to stage `upto`; the
 * number of the stage that said DONE or STOP (0 when all up to `upto` said
 * NEXT), with its step in c->s. The SHA-256 and token the job held are
 * copied to sha and token. */
static int run_stages(stage_case *c, const char *path, bool dry, int upto, char sha[65], char token[64])
{
    tk_diags *d = &c->d;
    tk_store *st = tk_store_open(db, d);
    assert_non_null(st);
    tk_ingest_opts o = {.dry_run = dry};
    tk_ingest_job *j = tk_ingest_job_new(path, &o, &c->r, d);
    assert_string_equal(tk_ingest_job_sha256(j), "");
    assert_string_equal(tk_ingest_job_token(j), "");
    tk_ingest_step s = TK_INGEST_NEXT;
    int at = 0;
    for (int k = ST_OPEN; k <= upto && s == TK_INGEST_NEXT; k++) {
        switch (k) {
        case ST_OPEN: s = tk_ingest_open(j); break;
        case ST_IDENTITY: s = tk_ingest_identity(j); break;
        case ST_TAKEN_IN: s = tk_ingest_taken_in(j, st); break;
        case ST_ISSUED: s = tk_ingest_issued(j, st); break;
        case ST_SHEETS: s = tk_ingest_sheets(j); break;
        case ST_VALUES: s = tk_ingest_values(j, st); break;
        default: s = tk_ingest_store(j, st); break;
        }
        if (s != TK_INGEST_NEXT)
            at = k;
    }
    c->s = s;
    if (sha)
        snprintf(sha, 65, "%s", tk_ingest_job_sha256(j));
    if (token)
        snprintf(token, 64, "%s", tk_ingest_job_token(j));
    tk_ingest_job_free(j);
    tk_store_close(st);
    return at;
}

static void var_path(char *out, size_t n, const char *name) { snprintf(out, n, "%s/var/%s", dir, name); }

/* The stage that refuses the file `name` of tests/make_variants.py. */
static int refused_at(stage_case *c, const char *name)
{
    char path[256];
    var_path(path, sizeof path, name);
    int at = run_stages(c, path, false, ST_STORE, NULL, NULL);
    assert_int_equal(c->s, TK_INGEST_STOP);
    assert_int_equal(c->r.outcome, TK_INGEST_REFUSED);
    return at;
}

/* Open: regular files only, their bytes hashed; what is not a zip stops here. */
static void test_stage_open_hashes_the_bytes_and_stops_at_what_is_not_a_zip(void **state)
{
    (void)state;
    stage_case c;
    stage_begin(&c);
    char sha[65], want[65];
    assert_int_equal(run_stages(&c, filled03, false, ST_OPEN, sha, NULL), 0);
    assert_int_equal(c.s, TK_INGEST_NEXT);
    tk_buf b;
    assert_int_equal(tk_file_read(filled03, 1u << 24, &b), 0);
    tk_sha256_hex(b.data, b.len, want);
    tk_buf_free(&b);
    assert_string_equal(sha, want);
    assert_int_equal(c.d.count, 0);
    assert_int_equal(refused_at(&c, "table.csv"), ST_OPEN);
    assert_true(has_message(&c.d, NULL, "ZIP 形式ではありません"));
    /* a folder is not read at all */
    assert_int_equal(run_stages(&c, dir, false, ST_STORE, NULL, NULL), ST_OPEN);
    assert_true(has_message(&c.d, NULL, "通常のファイルではありません"));
    stage_end(&c);
}

/* Identity: the token of the workbook issued; no identity sheet stops here. */
static void test_stage_identity_reads_the_token_issued(void **state)
{
    (void)state;
    stage_case c;
    stage_begin(&c);
    char token[64];
    assert_int_equal(run_stages(&c, filled03, false, ST_IDENTITY, NULL, token), 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM workbook WHERE token = '%s' AND department_code = '03'", token);
    assert_int_equal(count(sql), 1);
    assert_int_equal(refused_at(&c, "no_identity.xlsx"), ST_IDENTITY);
    assert_int_equal(refused_at(&c, "unrelated.xlsx"), ST_IDENTITY);
    assert_true(has_message(&c.d, NULL, "tenken が発行した点検票ではありません"));
    stage_end(&c);
}

/* Taken in before: the same bytes are DONE (SAME) before the record or any
 * item sheet is looked at; a file not taken in, or a dry run, goes on. */
static void test_stage_taken_in_ends_a_file_stored_before(void **state)
{
    (void)state;
    stage_case c;
    stage_begin(&c);
    char again[256];
    /* the version of 02 taken in last (test_same_bytes_...) */
    snprintf(again, sizeof again, "%s/again/%s", dir, strrchr(issued02, '/') + 1);
    assert_int_equal(run_stages(&c, again, false, ST_STORE, NULL, NULL), ST_TAKEN_IN);
    assert_int_equal(c.s, TK_INGEST_DONE);
    assert_int_equal(c.r.outcome, TK_INGEST_SAME);
    assert_string_equal(c.r.department_code, "02");
    assert_true(c.r.submission_id > 0);
    assert_int_equal(c.r.items, 0); /* the rows were not read */
    assert_int_equal(run_stages(&c, again, true, ST_TAKEN_IN, NULL, NULL), 0);
    assert_int_equal(run_stages(&c, filled03, false, ST_TAKEN_IN, NULL, NULL), 0);
    assert_int_equal(c.d.count, 0);
    stage_end(&c);
}

/* Issued: the record found and agreeing with the identity sheet; a token of
 * another workbook or an edited identity row stops here. */
static void test_stage_issued_matches_the_record(void **state)
{
    (void)state;
    stage_case c;
    stage_begin(&c);
    assert_int_equal(run_stages(&c, filled03, false, ST_ISSUED, NULL, NULL), 0);
    assert_string_equal(c.r.department_code, "03");
    assert_string_equal(c.r.kind, "self");
    assert_int_equal(c.r.year, 2026);
    assert_true(c.r.items > 100);
    assert_int_equal(c.r.answered, 0); /* no value read yet */
    assert_int_equal(c.d.count, 0);
    assert_int_equal(refused_at(&c, "other_token.xlsx"), ST_ISSUED);
    assert_int_equal(refused_at(&c, "edited_identity_item.xlsx"), ST_ISSUED);
    assert_int_equal(refused_at(&c, "other_year.xlsx"), ST_ISSUED);
    stage_end(&c);
}

/* Sheets: a damaged member that is not read is reported here, yet the
 * values are still checked, so that the file's problems come all at once. */
static void test_stage_sheets_reports_a_damaged_member_and_values_still_run(void **state)
{
    (void)state;
    stage_case c;
    stage_begin(&c);
    char bad[256];
    snprintf(bad, sizeof bad, "%s/var/damaged_off_scale.xlsx", dir);
    char off[256];
    var_path(off, sizeof off, "off_scale.xlsx");
    assert_int_equal(sh("/usr/bin/python3 tests/damage_zip.py '%s' '%s' crc --sheet 記入要領 > /dev/null", off, bad), 0);
    assert_int_equal(run_stages(&c, bad, false, ST_SHEETS, NULL, NULL), 0);
    assert_true(c.d.errors > 0); /* the member */
    size_t after_sheets = c.d.errors;
    stage_again(&c);
    assert_int_equal(run_stages(&c, bad, false, ST_STORE, NULL, NULL), ST_VALUES);
    assert_int_equal(c.s, TK_INGEST_STOP);
    assert_int_equal(c.r.outcome, TK_INGEST_REFUSED);
    assert_true(c.d.errors > after_sheets);
    assert_true(has_message(&c.d, "!E", "選択肢にありません"));
    stage_end(&c);
}

/* Values: a wrong value stops here with its cell; a dry run is DONE
 * (CHECKED) here; nothing is written before the store stage. */
static void test_stage_values_checks_every_row_and_writes_nothing(void **state)
{
    (void)state;
    stage_case c;
    stage_begin(&c);
    char before[65], after[65];
    db_digest(before);
    assert_int_equal(refused_at(&c, "bad_date.xlsx"), ST_VALUES);
    assert_true(has_message(&c.d, "!J", "日付として読めません"));
    stage_again(&c);
    assert_int_equal(run_stages(&c, filled03, true, ST_STORE, NULL, NULL), ST_VALUES);
    assert_int_equal(c.s, TK_INGEST_DONE);
    assert_int_equal(c.r.outcome, TK_INGEST_CHECKED);
    assert_true(c.r.answered > c.r.items * 9 / 10);
    assert_int_equal(run_stages(&c, filled03, false, ST_VALUES, NULL, NULL), 0);
    assert_int_equal(c.d.errors, 0);
    db_digest(after);
    assert_string_equal(before, after);
    stage_end(&c);
}

/* Store: the file in one transaction, DONE (ACCEPTED). */
static void test_stage_store_takes_the_file_in(void **state)
{
    (void)state;
    stage_case c;
    stage_begin(&c);
    long subs = count("SELECT COUNT(*) FROM submission");
    assert_int_equal(run_stages(&c, filled03, false, ST_STORE, NULL, NULL), ST_STORE);
    assert_int_equal(c.s, TK_INGEST_DONE);
    assert_int_equal(c.r.outcome, TK_INGEST_ACCEPTED);
    assert_int_equal(count("SELECT COUNT(*) FROM submission"), subs + 1);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM answer WHERE submission_id = %lld", (long long)c.r.submission_id);
    assert_int_equal(count(sql), (long)c.r.items);
    stage_end(&c);
}

/* The peak memory (KiB) of `tenken ingest` of the follow-up workbooks of an
 * organisation of n departments (志免町's checklist, every workbook filled
 * by tests/fill_fast.py), one process. -1 when the setup fails. */
static long followup_peak_kib(const char *bin, int n)
{
    char d[160];
    snprintf(d, sizeof d, "%s/scale%d", dir, n);
    if (sh("set -e; d=%s; B=%s; /usr/bin/python3 tests/make_big_org.py $d/shime %d; "
           "$B generate --org $d/shime --year 2026 --out $d/out --db $d/t.db -q; "
           "/usr/bin/python3 tests/fill_fast.py --jobs 2 --seed 3 $d/filled $d/out/shime/2026-self/*.xlsx >/dev/null; "
           "$B ingest -q $d/filled --db $d/t.db >/dev/null; "
           "$B generate --org $d/shime --year 2026 --kind followup --out $d/out --db $d/t.db -q; "
           "/usr/bin/python3 tests/fill_fast.py --jobs 2 --seed 4 $d/fu $d/out/shime/2026-followup/*.xlsx >/dev/null; "
           "/usr/bin/time -f %%M -o $d/kib $B ingest -q --jobs 1 $d/fu --db $d/t.db >/dev/null",
           d, bin, n) != 0)
        return -1;
    char path[200];
    snprintf(path, sizeof path, "%s/kib", d);
    tk_buf b;
    if (tk_file_read(path, 1024, &b) != 0)
        return -1;
    long kib = strtol(b.data, NULL, 10);
    tk_buf_free(&b);
    sh("rm -rf %s", d);
    return kib;
}

/* A follow-up workbook is checked against its own department's plans only:
 * the memory of the follow-up ingest does not grow with the organisation
 * (it grew by 19 KB a department when every plan's wording was loaded). */
static void test_followup_ingest_memory_is_flat_as_departments_grow(void **state)
{
    (void)state;
    const char *bin = getenv("TENKEN");
#if defined(__SANITIZE_ADDRESS__)
    /* ASan keeps freed memory in quarantine: its peak is not the program's */
    skip();
#endif
    if (!have_openpyxl() || !bin || sh("test -x /usr/bin/time") != 0)
        skip();
    long small = followup_peak_kib(bin, 40), large = followup_peak_kib(bin, 160);
    assert_true(small > 0 && large > 0);
    if (large - small >= 1024)
        fail_msg("follow-up ingest: %ld KiB for 40 departments, %ld KiB for 160", small, large);
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
        cmocka_unit_test(test_stage_open_hashes_the_bytes_and_stops_at_what_is_not_a_zip),
        cmocka_unit_test(test_stage_identity_reads_the_token_issued),
        cmocka_unit_test(test_stage_taken_in_ends_a_file_stored_before),
        cmocka_unit_test(test_stage_issued_matches_the_record),
        cmocka_unit_test(test_stage_sheets_reports_a_damaged_member_and_values_still_run),
        cmocka_unit_test(test_stage_values_checks_every_row_and_writes_nothing),
        cmocka_unit_test(test_stage_store_takes_the_file_in),
        cmocka_unit_test(test_followup_ingest_memory_is_flat_as_departments_grow),
        cmocka_unit_test(test_revoked_workbook_is_refused),
        cmocka_unit_test(test_command_with_workers_takes_in_each_file_once),
        cmocka_unit_test(test_kill_during_ingest_leaves_database_consistent),
    };
    return cmocka_run_group_tests_name("ingest", tests, setup, teardown);
}
