/* test_robust.c — tenken as a hostile or unlucky user meets it: files that
 * are not files (a FIFO named x.xlsx), a mistyped --db, a damaged member
 * that ingest does not read, file names that are not UTF-8, folders with
 * odd contents, a database on read-only media; and two ingests at once and
 * kill -9 in the middle of one, each ending with PRAGMA integrity_check and
 * the same scores as a quiet run. Every test runs the command ($TENKEN) as
 * a user would. Workbooks are issued with tk_generate_run and filled by
 * openpyxl (tests/fill_workbooks.py). */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tenken/generate.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "testutil.h"

static const char *bin;
static char dir[64];
static char issued_db[128]; /* the campaign as generated, nothing taken in */
static char filled[4][256]; /* 02 and 03 filled twice (seeds 1 and 2) */
static char ref_scores[4096];

static void copy_file(const char *from, const char *to)
{
    assert_int_equal(sh("cp '%s' '%s'", from, to), 0);
}

static void fresh_db(const char *path)
{
    sh("rm -f '%s' '%s-wal' '%s-shm'", path, path, path);
    copy_file(issued_db, path);
}

/* the text a command printed to file f */
static char *slurp(const char *f)
{
    tk_buf b;
    if (tk_file_read(f, 1u << 24, &b) != 0)
        return tk_xstrdup("");
    char *s = tk_xstrdup(b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

static long count(const char *db, const char *sql) { return db_count(db, sql); }

/* Scores by department as CSV (the same figures as the reports). */
static void scores(const char *db, char *out, size_t n)
{
    char f[160];
    snprintf(f, sizeof f, "%s/scores.csv", dir);
    assert_int_equal(sh("%s score --org shime --year 2026 --format csv --db '%s' > %s 2>&1", bin, db, f), 0);
    char *s = slurp(f);
    snprintf(out, n, "%s", s);
    free(s);
}

/* The database is sound, every submission whole, one current per workbook,
 * and the scores are those of a quiet run. */
static void consistent_with_reference(const char *db)
{
    db_integrity_ok(db);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM submission s JOIN workbook w ON w.id = s.workbook_id "
                               "WHERE (SELECT COUNT(*) FROM answer a WHERE a.submission_id = s.id) <> w.items"),
                     0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM (SELECT workbook_id FROM submission WHERE superseded_by IS NULL "
                               "GROUP BY workbook_id HAVING COUNT(*) > 1)"),
                     0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM (SELECT workbook_id, sha256 FROM submission "
                               "GROUP BY workbook_id, sha256 HAVING COUNT(*) > 1)"),
                     0);
    char got[sizeof ref_scores];
    scores(db, got, sizeof got);
    assert_string_equal(got, ref_scores);
}

/* The same workbook with other bytes: a zip comment (a new submission of
 * the same answers, as a tool that saves again without changes makes). */
static void resaved_copy(const char *from, const char *to, const char *comment)
{
    tk_buf b;
    assert_int_equal(tk_file_read(from, 1u << 26, &b), 0);
    assert_true(b.len > 22);
    unsigned char *eocd = (unsigned char *)b.data + b.len - 22;
    assert_true(eocd[0] == 'P' && eocd[1] == 'K' && eocd[2] == 5 && eocd[3] == 6 && eocd[20] == 0 && eocd[21] == 0);
    size_t n = strlen(comment);
    eocd[20] = (unsigned char)(n & 0xff);
    eocd[21] = (unsigned char)(n >> 8);
    tk_buf_append(&b, comment, n);
    assert_int_equal(tk_file_write_atomic(to, b.data, b.len, true), 0);
    tk_buf_free(&b);
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("TENKEN");
    if (!bin || !have_openpyxl())
        return 0;
    snprintf(dir, sizeof dir, "/tmp/tenken-robust-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(issued_db, sizeof issued_db, "%s/issued.db", dir);
    const char *deps[] = {"02", "03"};
    tk_generate_opts o = {.org = "shime", .year = 2026, .kind = "self", .deadline = "2027-01-29", .departments = deps,
                          .ndepartments = 2, .out_dir = dir, .db_path = issued_db, .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result r;
    int rc = tk_generate_run(&o, &d, &r);
    if (rc != 0 || r.nworkbooks != 2) {
        tk_diags_print(&d, stderr);
        return -1;
    }
    char issued[2][256];
    for (size_t i = 0; i < 2; i++)
        snprintf(issued[i], sizeof issued[i], "%s", r.workbooks[i].file);
    tk_generate_result_free(&r);
    tk_diags_free(&d);
    for (int s = 0; s < 2; s++) {
        if (sh("/usr/bin/python3 tests/fill_workbooks.py --seed %d %s/fill%d '%s' '%s' >/dev/null", s + 1, dir, s + 1, issued[0],
               issued[1]))
            return -1;
        for (int k = 0; k < 2; k++)
            snprintf(filled[s * 2 + k], sizeof filled[0], "%s/fill%d/%s", dir, s + 1, strrchr(issued[k], '/') + 1);
    }
    /* four versions of each department's answers, taken in in this order
     * (names sort so): the last one is what the database must end with */
    if (sh("mkdir -p %s/versions", dir))
        return -1;
    for (int k = 0; k < 2; k++) {
        const char *base = strrchr(issued[k], '/') + 1;
        char p[320];
        snprintf(p, sizeof p, "%s/versions/1-%s", dir, base);
        copy_file(filled[k], p);
        snprintf(p, sizeof p, "%s/versions/2-%s", dir, base);
        copy_file(filled[2 + k], p);
        snprintf(p, sizeof p, "%s/versions/3-%s", dir, base);
        resaved_copy(filled[k], p, "3");
        snprintf(p, sizeof p, "%s/versions/4-%s", dir, base);
        resaved_copy(filled[2 + k], p, "4");
    }
    /* the reference: the same files taken in quietly, one by one */
    char ref[160];
    snprintf(ref, sizeof ref, "%s/ref.db", dir);
    fresh_db(ref);
    if (sh("%s ingest -q --jobs 1 %s/versions --db %s >/dev/null 2>&1", bin, dir, ref) != 0)
        return -1;
    scores(ref, ref_scores, sizeof ref_scores);
    return strstr(ref_scores, "全体") ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return dir[0] ? (sh("rm -rf %s", dir) == 0 ? 0 : -1) : 0;
}

#define NEED_TENKEN()                                                                                                  \
    do {                                                                                                               \
        if (!bin || !dir[0])                                                                                           \
            skip();                                                                                                    \
    } while (0)

/* ---- 1. files that are not regular files ---- */

static void test_fifo_is_refused_without_blocking(void **state)
{
    (void)state;
    NEED_TENKEN();
    char db[160], fifo[160];
    snprintf(db, sizeof db, "%s/fifo.db", dir);
    fresh_db(db);
    snprintf(fifo, sizeof fifo, "%s/fifo/x.xlsx", dir);
    assert_int_equal(sh("mkdir -p %s/fifo && mkfifo %s && cp '%s' %s/fifo/", dir, fifo, filled[0], dir), 0);
    /* named on the command line: refused at once, with the reason */
    assert_int_equal(sh("timeout 20 %s ingest %s --db %s > %s/fifo1.txt 2>&1", bin, fifo, db, dir), 1);
    char f[160];
    snprintf(f, sizeof f, "%s/fifo1.txt", dir);
    char *out = slurp(f);
    assert_non_null(strstr(out, "x.xlsx: エラー: 通常のファイルではありません"));
    free(out);
    /* found in a folder: the others are still taken in */
    assert_int_equal(sh("timeout 20 %s ingest %s/fifo --db %s > %s/fifo2.txt 2>&1", bin, dir, db, dir), 1);
    snprintf(f, sizeof f, "%s/fifo2.txt", dir);
    out = slurp(f);
    assert_non_null(strstr(out, "通常のファイルではありません"));
    assert_non_null(strstr(out, "ingest: 2 ファイル中、取り込み 1、変更なし 0、拒否 1、失敗 0"));
    free(out);
    /* a character device is no workbook either */
    assert_int_equal(sh("timeout 20 %s ingest --dry-run /dev/zero --db %s > /dev/null 2>&1", bin, db), 1);
}

/* ---- 2. a mistyped --db ---- */

static void expect_no_database(const char *what, const char *args)
{
    char db[160], out[160];
    snprintf(db, sizeof db, "%s/typo/tenken.db", dir);
    snprintf(out, sizeof out, "%s/typo.txt", dir);
    int rc = sh("%s %s --db %s > %s 2>&1", bin, args, db, out);
    char *text = slurp(out);
    if (rc != 1 || !strstr(text, db) || !strstr(text, "データベースがありません")) {
        fprintf(stderr, "%s: 終了コード %d\n%s", what, rc, text);
        fail_msg("%s: expected 「データベースがありません」 and exit 1", what);
    }
    free(text);
    /* nothing made: neither the file nor its folder */
    char typo[160];
    snprintf(typo, sizeof typo, "%s/typo", dir);
    struct stat st;
    if (stat(typo, &st) == 0)
        fail_msg("%s: made %s", what, typo);
}

static void test_mistyped_db_creates_nothing(void **state)
{
    (void)state;
    NEED_TENKEN();
    char args[512];
    snprintf(args, sizeof args, "ingest '%s'", filled[0]);
    expect_no_database("ingest", args);
    expect_no_database("status", "status --org shime --year 2026");
    expect_no_database("score", "score --org shime --year 2026");
    snprintf(args, sizeof args, "report committee --org shime --year 2026 --out %s/rep", dir);
    expect_no_database("report", args);
    expect_no_database("plans", "plans --org shime");
    expect_no_database("plans set", "plans set 1 --status 完了 --date 2027-03-01");
    snprintf(args, sizeof args, "export plans --org shime --format csv -o %s/plans.csv", dir);
    expect_no_database("export plans", args);
    expect_no_database("findings", "findings --org shime");
    snprintf(args, sizeof args, "export audit --org shime --year 2026 --format csv -o %s/workpaper.csv", dir);
    expect_no_database("export audit", args);
    /* an audit plan goes into an existing database: it begins no campaign */
    char csv[160];
    snprintf(csv, sizeof csv, "%s/auditors.csv", dir);
    assert_int_equal(tk_file_write_atomic(csv, "氏名,所属,担当部署\n監査 一郎,外部,02\n", strlen("氏名,所属,担当部署\n監査 一郎,外部,02\n"), true), 0);
    snprintf(args, sizeof args, "audit plan --org shime --year 2026 --auditors %s", csv);
    expect_no_database("audit plan", args);
    /* the same through TENKEN_DB */
    assert_int_equal(sh("TENKEN_DB=%s/typo2/t.db %s ingest '%s' > /dev/null 2>&1", dir, bin, filled[0]), 1);
    assert_int_equal(sh("test -e %s/typo2", dir), 1);
    /* an empty file is not a tenken database, and stays empty */
    assert_int_equal(sh(": > %s/empty.db && %s ingest '%s' --db %s/empty.db > %s/empty.txt 2>&1", dir, bin, filled[0], dir, dir), 1);
    char f[160];
    snprintf(f, sizeof f, "%s/empty.txt", dir);
    char *text = slurp(f);
    assert_non_null(strstr(text, "tenken のデータベースではありません"));
    free(text);
    assert_int_equal(sh("test -s %s/empty.db", dir), 1);
    /* generate, which creates the campaign, makes the database */
    assert_int_equal(sh("%s generate --org shime --year 2026 --department 02 --out %s/gen --db %s/gen/db/t.db -q > /dev/null 2>&1", bin,
                        dir, dir),
                     0);
    assert_int_equal(sh("test -s %s/gen/db/t.db", dir), 0);
}

/* ---- 4. every member of the archive intact ---- */

static void expect_damage_refused(const char *mode, const char *needle)
{
    char db[160], bad[160], out[160];
    snprintf(db, sizeof db, "%s/damage.db", dir);
    fresh_db(db);
    snprintf(bad, sizeof bad, "%s/damaged-%s.xlsx", dir, mode);
    snprintf(out, sizeof out, "%s/damage.txt", dir);
    /* the instructions sheet: a part ingest has no reason to read */
    assert_int_equal(sh("/usr/bin/python3 tests/damage_zip.py '%s' %s %s --sheet 記入要領 > %s", filled[0], bad, mode, out), 0);
    char *member = slurp(out);
    member[strcspn(member, "\n")] = '\0';
    int rc = sh("%s ingest %s --db %s > %s 2>&1", bin, bad, db, out);
    char *text = slurp(out);
    if (rc != 1 || !strstr(text, member) || !strstr(text, needle)) {
        fprintf(stderr, "%s", text);
        fail_msg("damage %s of %s: expected refusal naming the member with「%s」", mode, member, needle);
    }
    assert_int_equal(count(db, "SELECT COUNT(*) FROM submission"), 0);
    free(text);
    free(member);
}

static void test_damaged_member_not_read_is_refused(void **state)
{
    (void)state;
    NEED_TENKEN();
    expect_damage_refused("data", "ZIP");
    expect_damage_refused("crc", "CRC");
    expect_damage_refused("size", "サイズ");
}

/* ---- 5. names, folders, read-only media ---- */

static void test_file_name_not_utf8_is_shown_and_stored_escaped(void **state)
{
    (void)state;
    NEED_TENKEN();
    char db[160];
    snprintf(db, sizeof db, "%s/names.db", dir);
    fresh_db(db);
    assert_int_equal(sh("mkdir -p %s/names && cp '%s' \"%s/names/$(printf 'a\\377\\376b')_02.xlsx\"", dir, filled[0], dir), 0);
    assert_int_equal(sh("%s ingest %s/names --db %s > %s/names.txt 2>&1", bin, dir, db, dir), 0);
    char f[160];
    snprintf(f, sizeof f, "%s/names.txt", dir);
    char *text = slurp(f);
    assert_true(tk_utf8_valid(text, strlen(text), NULL));
    assert_non_null(strstr(text, "a\\xFF\\xFEb_02.xlsx: 取り込みました"));
    free(text);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM submission WHERE file LIKE '%a\\xFF\\xFEb_02.xlsx'"), 1);
    /* a broken one is named the same way */
    assert_int_equal(sh("printf 'PK' > \"%s/names/$(printf '\\351')_bad.xlsx\"", dir), 0);
    assert_int_equal(sh("%s ingest --dry-run %s/names --db %s > %s 2>&1", bin, dir, db, f), 1);
    text = slurp(f);
    assert_true(tk_utf8_valid(text, strlen(text), NULL));
    assert_non_null(strstr(text, "\\xE9_bad.xlsx: エラー"));
    free(text);
}

static void test_odd_folders(void **state)
{
    (void)state;
    NEED_TENKEN();
    char db[160], f[160];
    snprintf(db, sizeof db, "%s/folders.db", dir);
    fresh_db(db);
    snprintf(f, sizeof f, "%s/folders.txt", dir);
    /* a folder named like a workbook is passed over with a warning */
    assert_int_equal(sh("mkdir -p %s/batch/old.xlsx && cp '%s' %s/batch/", dir, filled[1], dir), 0);
    assert_int_equal(sh("%s ingest %s/batch --db %s > %s 2>&1", bin, dir, db, f), 0);
    char *text = slurp(f);
    assert_non_null(strstr(text, "old.xlsx: 警告: フォルダです。読み飛ばします"));
    assert_non_null(strstr(text, "ingest: 1 ファイル中、取り込み 1"));
    free(text);
    /* a folder with no workbook in it says so */
    assert_int_equal(sh("mkdir -p %s/nothing && touch %s/nothing/readme.txt", dir, dir), 0);
    assert_int_equal(sh("%s ingest %s/nothing --db %s > %s 2>&1", bin, dir, db, f), 1);
    text = slurp(f);
    assert_non_null(strstr(text, "nothing: エラー: 点検票 (.xlsx) がありません"));
    free(text);
}

/* Can this process mount a folder read-only in a mount namespace of its
 * own (root, or an unprivileged user namespace)? */
static const char *ro_prefix(void)
{
    if (sh("unshare -m sh -c 'mkdir -p %s/rotest && mount --bind %s/rotest %s/rotest && mount -o remount,ro,bind %s/rotest "
           "&& ! touch %s/rotest/x' >/dev/null 2>&1",
           dir, dir, dir, dir, dir) == 0)
        return "unshare -m";
    if (sh("unshare -rm sh -c 'mkdir -p %s/rotest && mount --bind %s/rotest %s/rotest && mount -o remount,ro,bind %s/rotest "
           "&& ! touch %s/rotest/x' >/dev/null 2>&1",
           dir, dir, dir, dir, dir) == 0)
        return "unshare -rm";
    return NULL;
}

static void test_database_on_read_only_media_is_read(void **state)
{
    (void)state;
    NEED_TENKEN();
    const char *un = ro_prefix();
    if (!un)
        skip();
    char db[160];
    snprintf(db, sizeof db, "%s/media/tenken.db", dir);
    assert_int_equal(sh("mkdir -p %s/media %s/reports", dir, dir), 0);
    fresh_db(db);
    assert_int_equal(sh("%s ingest -q %s/versions --db %s > /dev/null 2>&1", bin, dir, db), 0);
    assert_int_equal(sh("test -e %s-wal", db), 1); /* closed cleanly: no -wal, no -shm */
    char f[160];
    snprintf(f, sizeof f, "%s/media.txt", dir);
    int rc = sh("%s sh -c 'mount --bind %s/media %s/media && mount -o remount,ro,bind %s/media %s/media && "
                "%s status --org shime --year 2026 --db %s && "
                "%s score --org shime --year 2026 --format csv --db %s > %s/media-scores.csv && "
                "%s plans --org shime --status all --db %s && "
                "%s export plans --org shime --format csv -o %s/reports/plans.csv --db %s && "
                "%s report summary --org shime --year 2026 --out %s/reports --db %s && "
                "%s findings --org shime --format csv --db %s > %s/media-findings.csv; "
                "echo rc=$?; %s export audit --org shime --year 2026 --db %s; echo export-audit=$?; "
                "%s ingest %s/versions --db %s; echo ingest=$?' > %s 2>&1",
                un, dir, dir, dir, dir, bin, db, bin, db, dir, bin, db, bin, dir, db, bin, dir, db, bin, db, dir, bin, db, bin,
                dir, db, f);
    assert_int_equal(rc, 0);
    char *text = slurp(f);
    if (!strstr(text, "rc=0")) {
        fprintf(stderr, "%s", text);
        fail_msg("%s", "the reading commands could not read a database on read-only media");
    }
    assert_null(strstr(text, "tenken のデータベースではありません"));
    /* a campaign without an audit has no 監査調書, and says so */
    assert_non_null(strstr(text, "export-audit=1"));
    assert_non_null(strstr(text, "の 2026 年度の監査の記録がありません"));
    /* a command that writes says why it cannot */
    assert_non_null(strstr(text, "ingest=3"));
    assert_non_null(strstr(text, "書き込めません"));
    free(text);
    snprintf(f, sizeof f, "%s/media-scores.csv", dir);
    text = slurp(f);
    assert_string_equal(text, ref_scores);
    free(text);
}

/* Versions of one workbook in one folder, taken in by several workers: the
 * version named last is kept, as with --jobs 1. Two workers taking in two
 * versions at once used to keep whichever committed last; each workbook's
 * versions now go to one worker, in the files' order. */
static void test_versions_taken_in_by_workers_keep_the_last(void **state)
{
    (void)state;
    NEED_TENKEN();
    char db[160];
    snprintf(db, sizeof db, "%s/versions-jobs.db", dir);
    for (int run = 0; run < 20; run++) {
        fresh_db(db);
        assert_int_equal(sh("%s ingest -q --jobs 2 %s/versions --db %s > /dev/null 2>&1", bin, dir, db), 0);
        consistent_with_reference(db);
    }
}

/* ---- a file taken in again ---- */

static void exec_sql(const char *db, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* The same bytes as a submission already taken in are recognised from the
 * workbook's properties and the file's hash, before its sheets are read:
 * a folder taken in again as more files come back costs little for the
 * files it already holds. --dry-run still reads every cell. */
static void test_file_taken_in_again_is_known_without_reading_it(void **state)
{
    (void)state;
    NEED_TENKEN();
    char db[160], f[160];
    snprintf(db, sizeof db, "%s/again.db", dir);
    snprintf(f, sizeof f, "%s/again.txt", dir);
    fresh_db(db);
    assert_int_equal(sh("%s ingest -q '%s' --db %s > /dev/null 2>&1", bin, filled[0], db), 0);
    /* the record of the rows changed behind tenken's back: a file read
     * again would now be refused, one known by its bytes is not read */
    exec_sql(db, "UPDATE workbook_item SET text_hash = 'x' || text_hash");
    assert_int_equal(sh("%s ingest '%s' --db %s > %s 2>&1", bin, filled[0], db, f), 0);
    char *text = slurp(f);
    assert_non_null(strstr(text, "同じファイルを取り込み済みです (変更なし)"));
    assert_non_null(strstr(text, "取り込み 0、変更なし 1"));
    free(text);
    assert_int_equal(sh("%s ingest --dry-run '%s' --db %s > %s 2>&1", bin, filled[0], db, f), 1);
    text = slurp(f);
    assert_non_null(strstr(text, "発行時と異なります"));
    free(text);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM submission"), 1);
}

/* ---- concurrency and crashes ---- */

/* Two tenken ingest at once on one database, each given its own files (or
 * both given all of them), each taking its files in the order given:
 * nothing lost, nothing twice, and the end is that of a quiet run. */
static void two_at_once(const char *a, const char *b)
{
    char db[160];
    snprintf(db, sizeof db, "%s/both.db", dir);
    for (int trial = 0; trial < 3; trial++) {
        fresh_db(db);
        int rc = sh("(%s ingest -q --jobs 1 %s --db %s > /dev/null 2>&1; echo $? > %s/a.rc) & "
                    "(%s ingest -q --jobs 1 %s --db %s > /dev/null 2>&1; echo $? > %s/b.rc) & wait; "
                    "test \"$(cat %s/a.rc)$(cat %s/b.rc)\" = 00",
                    bin, a, db, dir, bin, b, db, dir, dir, dir);
        assert_int_equal(rc, 0);
        consistent_with_reference(db);
        /* each file once, whichever process took it */
        assert_int_equal(count(db, "SELECT COUNT(*) FROM submission"), 8);
    }
}

static void test_two_ingests_at_once(void **state)
{
    (void)state;
    NEED_TENKEN();
    /* disjoint: department 02's versions and 03's */
    char a[256], b[256];
    assert_int_equal(sh("mkdir -p %s/v02 %s/v03 && cp %s/versions/*02_* %s/v02/ && cp %s/versions/*03_* %s/v03/", dir, dir, dir, dir,
                        dir, dir),
                     0);
    snprintf(a, sizeof a, "%s/v02", dir);
    snprintf(b, sizeof b, "%s/v03", dir);
    two_at_once(a, b);
    /* the same files */
    snprintf(a, sizeof a, "%s/versions", dir);
    two_at_once(a, a);
}

/* kill -9 at moments spread over an ingest, again and again; then one run
 * to the end completes it to the scores of a quiet run. */
static void test_kill_loop_then_rerun_gives_the_same_scores(void **state)
{
    (void)state;
    NEED_TENKEN();
    char db[160];
    snprintf(db, sizeof db, "%s/kill.db", dir);
    fresh_db(db);
    /* how long a whole run takes here (the sanitizers slow it down) */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char probe[160];
    snprintf(probe, sizeof probe, "%s/probe.db", dir);
    fresh_db(probe);
    assert_int_equal(sh("%s ingest -q --jobs 1 %s/versions --db %s >/dev/null 2>&1", bin, dir, probe), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long whole_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    unsigned seed = 15;
    int killed = 0;
    for (int round = 0; round < 12; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            setpgid(0, 0);
            char cmd[512];
            snprintf(cmd, sizeof cmd, "exec %s ingest -q --jobs 1 %s/versions --db %s >/dev/null 2>&1", bin, dir, db);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        setpgid(pid, pid);
        seed = seed * 1103515245u + 12345u;
        long us = (long)((seed >> 8) % (unsigned long)(whole_us > 1000 ? whole_us : 1000));
        struct timespec ts = {us / 1000000L, (us % 1000000L) * 1000L};
        nanosleep(&ts, NULL);
        kill(-pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        killed += WIFSIGNALED(status);
        /* sound after every kill: whole submissions, at most one current */
        db_integrity_ok(db);
        assert_int_equal(count(db, "SELECT COUNT(*) FROM submission s JOIN workbook w ON w.id = s.workbook_id "
                                   "WHERE (SELECT COUNT(*) FROM answer a WHERE a.submission_id = s.id) <> w.items"),
                         0);
    }
    assert_true(killed > 0);
    assert_int_equal(sh("%s ingest -q --jobs 1 %s/versions --db %s >/dev/null 2>&1", bin, dir, db), 0);
    consistent_with_reference(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_is_refused_without_blocking),
        cmocka_unit_test(test_mistyped_db_creates_nothing),
        cmocka_unit_test(test_damaged_member_not_read_is_refused),
        cmocka_unit_test(test_file_name_not_utf8_is_shown_and_stored_escaped),
        cmocka_unit_test(test_odd_folders),
        cmocka_unit_test(test_database_on_read_only_media_is_read),
        cmocka_unit_test(test_versions_taken_in_by_workers_keep_the_last),
        cmocka_unit_test(test_file_taken_in_again_is_known_without_reading_it),
        cmocka_unit_test(test_two_ingests_at_once),
        cmocka_unit_test(test_kill_loop_then_rerun_gives_the_same_scores),
    };
    return cmocka_run_group_tests_name("robust", tests, setup, teardown);
}
