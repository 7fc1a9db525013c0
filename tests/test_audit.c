/* test_audit.c — audits the way auditors work, on toride (18 items):
 *  - the audit plan: an auditor never audits their own department nor a
 *    department whose systems they build or run; refused by line and name,
 *    nothing recorded; UTF-8 with or without BOM and CP932 read alike;
 *  - generate --kind audit issues the planned departments only, with the
 *    auditors on the cover;
 *  - each grade of the scale counts its points; only negative grades are
 *    findings (観察事項 is not); 該当なし is not scored;
 *  - the auditee's response in the follow-up workbook plans a finding; one
 *    without a plan is 要対応 once the response deadline has passed;
 *  - next year's audit shows earlier findings on their item and asks for
 *    是正確認; only 是正済み closes a finding: neither a later 適合 nor the
 *    auditee's 完了 does, and 未是正 reopens a plan reported 完了;
 *  - the 監査報告書's figures equal tenken score and tenken findings.
 * Workbooks are filled by openpyxl (tests/fill_audit.py) as auditors and
 * departments would. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenken/audit_plan.h"
#include "tenken/checklist.h"
#include "tenken/findings.h"
#include "tenken/generate.h"
#include "tenken/ingest.h"
#include "tenken/planlist.h"
#include "tenken/report.h"
#include "tenken/report_audit.h"
#include "tenken/results.h"
#include "tenken/store.h"
#include "tenken/xmlutil.h"
#include "campaign_fixture.h"

static char dir[64];
static char db[128];
static bool ready; /* openpyxl there and the 2026 audit taken in */
static char audit06[256];

/* ---- helpers ---- */

static const char *bin(void)
{
    const char *env = getenv("TENKEN");
    return env && *env ? env : "build/tenken";
}

static char *join(const char *a, const char *b)
{
    tk_buf x;
    tk_buf_init(&x);
    tk_buf_puts(&x, a);
    tk_buf_puts(&x, b);
    return tk_buf_steal(&x);
}

#define count(...) fixture_count(db, __VA_ARGS__)

static bool has_message(const tk_diags *d, long line, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if ((line < 0 || d->items[i].line == line) && strstr(d->items[i].message, needle))
            return true;
    return false;
}

static tk_org *toride(tk_arena *a, tk_diags *d)
{
    return tk_org_load("checklists/toride/org.xml", tk_data_path(a, "checklists"), d);
}

static void write_file(const char *path, const char *s)
{
    assert_int_equal(tk_file_write_atomic(path, s, strlen(s), true), 0);
}

static int record_plan(int year, const char *csv)
{
    char path[256];
    snprintf(path, sizeof path, "%s/auditors-%d.csv", dir, year);
    write_file(path, csv);
    tk_arena *a = tk_arena_new();
    tk_diags d;
    tk_diags_init(&d);
    tk_org *org = toride(a, &d);
    tk_audit_plan *p = tk_audit_plan_read(path, org, year, &d);
    int rc = TK_EXIT_INPUT;
    if (p) {
        tk_store *st = tk_store_open(db, &d);
        rc = tk_audit_plan_record(st, p, true, &d);
        tk_store_close(st);
    }
    if (rc)
        tk_diags_print(&d, stderr);
    tk_audit_plan_free(p);
    tk_org_free(org);
    tk_diags_free(&d);
    tk_arena_free(a);
    return rc;
}

/* Generate a campaign; the file of department `want` into file. */
static int generate(int year, const char *kind, const char *deadline, const char *want, char *file, size_t n,
                    size_t *nworkbooks)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_opts o = {.org = "toride", .year = year, .kind = kind, .deadline = deadline, .out_dir = dir,
                          .db_path = db, .force = true, .jobs = 1};
    int rc = fixture_generate(&o, want, file, n, nworkbooks, &d);
    if (rc)
        tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    return rc;
}

static int ingest(const char *path)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result r;
    int rc = fixture_ingest(db, path, &r, &d);
    if (rc)
        tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    return rc;
}

/* Fill with fill_audit.py grades --spec into dir/filled-TAG/, return the path. */
static char *fill_grades(const char *issued, const char *spec_json, const char *tag)
{
    char spec[256], out[256];
    snprintf(spec, sizeof spec, "%s/spec-%s.json", dir, tag);
    snprintf(out, sizeof out, "%s/filled-%s", dir, tag);
    write_file(spec, spec_json);
    assert_int_equal(sh("/usr/bin/python3 tests/fill_audit.py grades --spec '%s' '%s' '%s'", spec, out, issued), 0);
    const char *base = strrchr(issued, '/');
    return join(out, base);
}

static tk_finding_list findings(int year, tk_date today)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    tk_finding_list l;
    tk_finding_query q = {.org = "toride", .year = year, .status = -1, .today = today};
    assert_int_equal(tk_findings_list(st, &q, &l, &d), 0);
    tk_store_close(st);
    tk_diags_free(&d);
    return l;
}

/* ---- the plan ---- */

static const char PLAN_2026[] = "氏名,所属,担当部署,所属名\n"
                                "小林 一郎,03,06、08\n"
                                "監査法人 みらい,外部,06,監査法人みらい\n";

static void test_independence_refuses_own_department_by_line_and_auditor(void **state)
{
    (void)state;
    tk_arena *a = tk_arena_new();
    tk_diags d;
    tk_diags_init(&d);
    tk_org *org = toride(a, &d);
    assert_non_null(org);
    const char *csv = "氏名,所属,担当部署\r\n"
                      "小林 一郎,03,06\r\n"
                      "課税 花子,08,06 08\r\n"             /* audits her own department */
                      "情報 太郎,06,08\r\n";
    tk_audit_plan *p = tk_audit_plan_parse("plan.csv", csv, strlen(csv), org, 2030, &d);
    assert_null(p);
    assert_int_equal(d.errors, 1);
    assert_true(has_message(&d, 3, "課税 花子"));
    assert_true(has_message(&d, 3, "所属する 08"));
    tk_diags_free(&d);
    /* a department whose systems the auditor builds or runs (関与部署) */
    tk_diags_init(&d);
    const char *csv2 = "氏名,所属,担当部署,関与部署\n情報 太郎,06,08 10,10\n";
    p = tk_audit_plan_parse("plan.csv", csv2, strlen(csv2), org, 2030, &d);
    assert_null(p);
    assert_true(has_message(&d, 2, "情報 太郎"));
    assert_true(has_message(&d, 2, "関与"));
    tk_diags_free(&d);
    /* every problem of the file at once: missing name, unknown department */
    tk_diags_init(&d);
    const char *csv3 = "氏名,所属,担当部署\n,03,06\n田中,03,99\n田中,99,06\n";
    p = tk_audit_plan_parse("plan.csv", csv3, strlen(csv3), org, 2030, &d);
    assert_null(p);
    assert_int_equal(d.errors, 3);
    assert_true(has_message(&d, 2, "氏名が空欄"));
    assert_true(has_message(&d, 3, "「99」"));
    assert_true(has_message(&d, 4, "所属「99」"));
    tk_diags_free(&d);
    /* a header without 担当部署 */
    tk_diags_init(&d);
    const char *csv4 = "氏名,所属\n田中,03\n";
    assert_null(tk_audit_plan_parse("plan.csv", csv4, strlen(csv4), org, 2030, &d));
    assert_true(has_message(&d, 1, "担当部署"));
    tk_diags_free(&d);
    tk_org_free(org);
    tk_arena_free(a);
}

static void test_refused_plan_records_nothing(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/refused.csv", dir);
    write_file(path, "氏名,所属,担当部署\n課税 花子,08,08\n");
    assert_int_equal(sh("TENKEN_DB='%s' %s audit plan --org toride --year 2031 --auditors '%s' >/dev/null 2>&1", db, bin(), path),
                     TK_EXIT_INPUT);
    assert_int_equal(sh("TENKEN_DB='%s' %s audit plan --org toride --year 2031 --auditors '%s' 2>&1 | grep -q '%s:2:.*課税 花子'",
                        db, bin(), path, path),
                     0);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_plan WHERE year = 2031"), 0);
}

static void test_plan_reads_utf8_bom_and_cp932_alike(void **state)
{
    (void)state;
    tk_arena *a = tk_arena_new();
    tk_diags d;
    tk_diags_init(&d);
    tk_org *org = toride(a, &d);
    const char *utf8 = "氏名,所属,担当部署,所属名\r\n小林 一郎,03,06、08\r\n\"みらい, 監査法人\",外部,10 11,監査法人みらい\r\n";
    tk_buf bom;
    tk_buf_init(&bom);
    tk_buf_puts(&bom, "\xEF\xBB\xBF");
    tk_buf_puts(&bom, utf8);
    char in[256], out[256];
    snprintf(in, sizeof in, "%s/u.csv", dir);
    snprintf(out, sizeof out, "%s/s.csv", dir);
    write_file(in, utf8);
    assert_int_equal(sh("iconv -f UTF-8 -t CP932 '%s' > '%s'", in, out), 0);
    tk_buf sj;
    assert_int_equal(tk_file_read(out, 1 << 20, &sj), 0);
    const char *inputs[3] = {utf8, bom.data, sj.data};
    size_t lens[3] = {strlen(utf8), bom.len, sj.len};
    for (int k = 0; k < 3; k++) {
        tk_audit_plan *p = tk_audit_plan_parse("plan.csv", inputs[k], lens[k], org, 2030, &d);
        assert_non_null(p);
        assert_int_equal(p->nauditors, 2);
        assert_string_equal(p->auditors[0].name, "小林 一郎");
        assert_int_equal(p->auditors[0].ndepartments, 2);
        assert_string_equal(p->auditors[1].name, "みらい, 監査法人");
        assert_string_equal(p->auditors[1].affiliation, "外部");
        assert_true(tk_audit_plan_covers(p, "11"));
        assert_false(tk_audit_plan_covers(p, "03"));
        assert_string_equal(tk_audit_plan_auditors_of(p, "06"), "小林 一郎（総務部 総務課）");
        tk_audit_plan_free(p);
    }
    assert_int_equal(d.errors, 0);
    tk_buf_free(&bom);
    tk_buf_free(&sj);
    tk_org_free(org);
    tk_diags_free(&d);
    tk_arena_free(a);
}

/* ---- the year's audit ---- */

/* 06's rows: seq 1 適合, 2 観察事項, 3 軽微な不適合, 4 重大な不適合, 5 該当なし,
 * 6 軽微な不適合 with a 良好事例; the rest 適合. 08: seq 1 重大な不適合. */
static const char SPEC_06[] =
    "{\"1\": {\"evidence\": \"台帳\"},"
    " \"2\": {\"grade\": \"観察事項\", \"finding\": \"手順書が古い\", \"evidence\": \"手順書\"},"
    " \"3\": {\"grade\": \"軽微な不適合\", \"finding\": \"記録が一部欠けている\", \"evidence\": \"記録簿\"},"
    " \"4\": {\"grade\": \"重大な不適合\", \"finding\": \"記録がない\", \"evidence\": \"聞き取り\"},"
    " \"5\": {\"grade\": \"該当なし\"},"
    " \"6\": {\"grade\": \"軽微な不適合\", \"finding\": \"周知が不十分\", \"good\": \"月次の自主点検\"}}";
static const char SPEC_08[] = "{\"1\": {\"grade\": \"重大な不適合\", \"finding\": \"権限の棚卸しがない\"}}";

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tenken-audit-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    if (record_plan(2026, PLAN_2026) != 0)
        return -1;
    if (!have_openpyxl())
        return 0;
    size_t n = 0;
    char f08[256];
    if (generate(2026, "audit", "2027-02-26", "06", audit06, sizeof audit06, &n) != 0 || n != 2)
        return -1;
    if (generate(2026, "audit", "2027-02-26", "08", f08, sizeof f08, NULL) != 0)
        return -1;
    char *a = fill_grades(audit06, SPEC_06, "2026");
    char *b = fill_grades(f08, SPEC_08, "2026");
    int rc = ingest(a) || ingest(b);
    free(a);
    free(b);
    ready = rc == 0;
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("rm -rf '%s'", dir);
    return 0;
}

static void test_generate_issues_the_planned_departments_with_their_auditors(void **state)
{
    (void)state;
    if (!ready)
        skip();
    assert_int_equal(count("SELECT COUNT(*) FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                           "WHERE c.kind = 'audit' AND c.year = 2026 AND w.revoked_at IS NULL"),
                     2);
    assert_int_equal(sh("/usr/bin/python3 -c \"import openpyxl,sys; wb=openpyxl.load_workbook(sys.argv[1]); "
                        "v=[c for r in wb['表紙'].iter_rows(values_only=True) for c in r if c]; "
                        "sys.exit(0 if '小林 一郎（総務部 総務課）、監査法人 みらい（監査法人みらい）' in v else 1)\" '%s'",
                        audit06),
                     0);
}

static void test_each_grade_counts_its_points_and_only_nonconformities_are_findings(void **state)
{
    (void)state;
    if (!ready)
        skip();
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    tk_results *r = NULL;
    assert_int_equal(tk_results_load(st, "toride", 2026, "audit", &r, &d), 1);
    tk_group *g;
    tk_tally total;
    size_t n = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    assert_int_equal(n, 2);
    /* 06: 18 items, one 該当なし: 17 scored; points 1 + 0.8 + 0.5 + 0 + 0.5 + 12 × 1 = 14.8 */
    assert_string_equal(g[0].code, "06");
    assert_int_equal(g[0].tally.answered, 17);
    assert_int_equal(g[0].tally.excluded, 1);
    assert_int_equal(g[0].tally.negative, 3);
    assert_float_equal(tk_tally_score(&g[0].tally), 100.0 * 14.8 / 17.0, 1e-9);
    /* 08: its one item 重大な不適合 = 0 points */
    assert_float_equal(tk_tally_score(&g[1].tally), 0.0, 1e-9);
    free(g);
    tk_results_free(r);
    tk_store_close(st);
    tk_diags_free(&d);
    tk_finding_list l = findings(2026, (tk_date){2026, 12, 1});
    assert_int_equal(l.n, 4);
    size_t grades[3] = {0};
    for (size_t i = 0; i < l.n; i++) {
        grades[0] += !strcmp(l.rows[i].grade, "軽微な不適合");
        grades[1] += !strcmp(l.rows[i].grade, "重大な不適合");
        grades[2] += !strcmp(l.rows[i].grade, "観察事項");
        assert_int_equal(l.rows[i].status, TK_FINDING_OPEN);
    }
    assert_int_equal(grades[0], 2);
    assert_int_equal(grades[1], 2);
    assert_int_equal(grades[2], 0); /* an observation is not a finding */
    tk_finding_list_free(&l);
    /* 良好事例 is kept with its row */
    assert_int_equal(count("SELECT COUNT(*) FROM answer WHERE good = '月次の自主点検'"), 1);
    /* the CSV of tenken findings has grade, department code, ref and status */
    assert_int_equal(sh("TENKEN_DB='%s' %s findings --org toride --format csv | head -1 | "
                        "grep -q 'department_code.*ref.*grade.*status'",
                        db, bin()),
                     0);
}

/* ---- the response round and the next year ---- */

static void test_response_round_plans_findings_and_late_ones_are_action_needed(void **state)
{
    (void)state;
    if (!ready)
        skip();
    char fu06[256];
    assert_int_equal(generate(2026, "followup", "2027-01-15", "06", fu06, sizeof fu06, NULL), 0);
    char out[256];
    snprintf(out, sizeof out, "%s/filled-fu", dir);
    /* 06 answers every finding; 08 does not return its workbook */
    assert_int_equal(sh("/usr/bin/python3 tests/fill_audit.py respond --skip 0 '%s' '%s'", out, fu06), 0);
    char *f = join(out, strrchr(fu06, '/'));
    assert_int_equal(ingest(f), 0);
    free(f);
    assert_int_equal(count("SELECT COUNT(*) FROM plan WHERE department_code = '06' AND interim IS NOT NULL AND interim <> ''") > 0,
                     1);
    tk_finding_list before = findings(2026, (tk_date){2027, 1, 10});
    tk_finding_list after = findings(2026, (tk_date){2027, 1, 20});
    for (size_t i = 0; i < before.n; i++) {
        const tk_finding *b = &before.rows[i], *a = &after.rows[i];
        if (!strcmp(b->department_code, "06")) {
            assert_int_equal(b->status, TK_FINDING_PLANNED);
            assert_non_null(b->owner);
            assert_non_null(b->due);
            assert_false(a->action_needed);
        } else {
            assert_int_equal(b->status, TK_FINDING_OPEN);
            assert_false(b->action_needed); /* the deadline has not passed */
            assert_true(a->action_needed);  /* now it has: 要対応 */
        }
    }
    tk_finding_list_free(&before);
    tk_finding_list_free(&after);
}

/* A report test: the 2026 audit's report as of a day, with the
 * diagnostics of its test. */
typedef struct audit_report {
    tk_diags d;
    tk_results *r;
    tk_pdf_font *font;
    tk_report *rp;
} audit_report;

/* The set-up of every report test (skipped when the campaign was not set
 * up); report_free frees it. */
static void report_2026(audit_report *ar, tk_date today)
{
    if (!ready)
        skip();
    memset(ar, 0, sizeof *ar);
    tk_diags_init(&ar->d);
    tk_store *st = tk_store_open(db, &ar->d);
    assert_int_equal(tk_results_load(st, "toride", 2026, "audit", &ar->r, &ar->d), 1);
    ar->font = tk_pdf_font_open(NULL, &ar->d);
    tk_report_opts ro = {.today = today, .no_previous = true, .font = ar->font};
    assert_int_equal(tk_report_open(st, ar->r, &ro, &ar->rp, &ar->d), TK_EXIT_OK);
    tk_store_close(st);
}

static void report_free(audit_report *ar)
{
    tk_report_free(ar->rp);
    tk_pdf_font_free(ar->font);
    tk_results_free(ar->r);
    tk_diags_free(&ar->d);
}

/* The audit's committee report speaks of 指摘事項, and its 要対応 are the
 * findings without a plan past the response deadline (2027-01-20 is past
 * it), as tenken findings. */
static void test_committee_report_speaks_of_findings_and_counts_late_ones(void **state)
{
    (void)state;
    audit_report ar;
    report_2026(&ar, (tk_date){2027, 1, 20});
    tk_report *rp = ar.rp;
    tk_finding_list l = findings(2026, (tk_date){2027, 1, 20});
    size_t late = 0;
    for (size_t i = 0; i < l.n; i++)
        late += l.rows[i].action_needed;
    tk_finding_list_free(&l);
    assert_int_equal(late, 1); /* 08 did not answer */
    assert_int_equal(rp->flagged, late);
    char pdf[256];
    snprintf(pdf, sizeof pdf, "%s/committee.pdf", dir);
    assert_int_equal(tk_report_write_committee(rp, pdf, true, NULL, &ar.d), TK_EXIT_OK);
    if (sh("command -v pdftotext >/dev/null") == 0) {
        assert_int_equal(sh("pdftotext '%s' - | grep -q '否定的'", pdf), 1);
        assert_int_equal(sh("pdftotext '%s' - | grep -q '指摘事項'", pdf), 0);
    }
    report_free(&ar);
}

/* The summary workbook and the department reports of an audit call the
 * negative grades as templates/audit.xml does (指摘事項), never with the
 * self-inspection's 否定的な回答. */
static void test_summary_and_department_reports_speak_of_findings(void **state)
{
    (void)state;
    audit_report ar;
    report_2026(&ar, (tk_date){2027, 1, 20});
    tk_report *rp = ar.rp;
    tk_diags *d = &ar.d;
    char xlsx[256], deps[256];
    snprintf(xlsx, sizeof xlsx, "%s/summary.xlsx", dir);
    snprintf(deps, sizeof deps, "%s/notices", dir);
    tk_store *st = tk_store_open(db, d); /* the rows the documents list */
    assert_int_equal(tk_report_write_summary(rp, st, xlsx, true, d), TK_EXIT_OK);
    size_t written = 0;
    tk_store_close(st);
    assert_int_equal(tk_report_write_departments(rp, db, deps, NULL, 0, 2, true, &written, d), TK_EXIT_OK);
    assert_int_equal(written, 2);
    /* every heading of the workbook's sheets, as the shared strings hold them */
    assert_int_equal(sh("unzip -p '%s' xl/sharedStrings.xml | grep -q '否定的'", xlsx), 1);
    assert_int_equal(sh("unzip -p '%s' xl/sharedStrings.xml | grep -q '<t>指摘事項</t>'", xlsx), 0);
    assert_int_equal(sh("unzip -p '%s' xl/sharedStrings.xml | grep -q '指摘事項の割合'", xlsx), 0);
    if (sh("command -v pdftotext >/dev/null") == 0) {
        for (size_t i = 0; i < rp->nby_dept; i++) {
            tk_arena *a = tk_arena_new();
            const char *pdf = tk_path_join(a, deps, tk_report_department_file(a, rp, rp->by_dept[i].index));
            assert_int_equal(sh("pdftotext '%s' - | grep -q '否定的'", pdf), 1);
            assert_int_equal(sh("pdftotext '%s' - | grep -q '指摘事項と改善計画'", pdf), 0);
            tk_arena_free(a);
        }
    }
    report_free(&ar);
}

static void test_next_audit_confirms_and_only_a_confirmed_fix_closes(void **state)
{
    (void)state;
    if (!ready)
        skip();
    /* the auditee reports the 重大な不適合 of seq 4 done: that closes nothing */
    long plan4 = count("SELECT id FROM plan WHERE department_code = '06' AND answer = '重大な不適合'");
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    tk_plan_change ch = {.to = TK_PLAN_DONE, .date = {2027, 2, 1}, .note = "記録を整備した"};
    assert_int_equal(tk_plan_apply(st, plan4, &ch, &d), 0);
    tk_store_close(st);
    tk_diags_free(&d);
    tk_finding_list l = findings(2026, (tk_date){2027, 3, 1});
    for (size_t i = 0; i < l.n; i++)
        assert_true(l.rows[i].status == TK_FINDING_PLANNED || l.rows[i].status == TK_FINDING_OPEN);
    tk_finding_list_free(&l);

    /* 2027: 06 audited again, by an outside firm */
    assert_int_equal(record_plan(2027, "氏名,所属,担当部署\n監査法人 みらい,外部,06\n"), 0);
    char a27[256];
    size_t n = 0;
    assert_int_equal(generate(2027, "audit", "2028-02-25", "06", a27, sizeof a27, &n), 0);
    assert_int_equal(n, 1);
    /* the earlier findings are on their items, and 是正確認 is asked there */
    assert_int_equal(sh("/usr/bin/python3 -c \"import openpyxl,sys; wb=openpyxl.load_workbook(sys.argv[1]); "
                        "kv={r[0]: r[1] for r in wb['_tenken'].iter_rows(values_only=True) if r and r[0]}; "
                        "c=kv['column.prev-plan']; "
                        "t=[ws[c+str(i)].value for ws in wb.worksheets[2:-1] for i in range(1, ws.max_row+1)]; "
                        "f=[x for x in t if x and '令和8年度・' in x]; sys.exit(0 if len(f) == 3 and 'column.confirm' in kv else 1)\" '%s'",
                        a27),
                     0);
    /* seq 3: 是正済み; seq 4 (reported done): 適合 but 未是正; seq 6: 一部是正 */
    static const char SPEC_27[] = "{\"3\": {\"confirm\": \"是正済み\"}, \"4\": {\"confirm\": \"未是正\"},"
                                  " \"6\": {\"grade\": \"軽微な不適合\", \"finding\": \"周知がまだ一部\", \"confirm\": \"一部是正\"},"
                                  " \"7\": {\"grade\": \"重大な不適合\"}}";
    char *f = fill_grades(a27, SPEC_27, "2027");
    assert_int_equal(ingest(f), 0);
    free(f);
    /* a nonconformity without 所見 is the auditor's to complete (要対応), not a missing plan */
    assert_int_equal(count("SELECT COUNT(*) FROM answer WHERE flag = '所見未記入'"), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM answer a JOIN submission s ON s.id = a.submission_id JOIN workbook w ON "
                           "w.id = s.workbook_id JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'audit' AND a.flag = '計画未記入'"),
                     0);
    l = findings(2026, (tk_date){2028, 3, 1});
    size_t verified = 0, kept = 0;
    for (size_t i = 0; i < l.n; i++) {
        const tk_finding *x = &l.rows[i];
        if (strcmp(x->department_code, "06"))
            continue;
        if (!strcmp(x->verification ? x->verification : "", "是正済み")) {
            assert_int_equal(x->status, TK_FINDING_VERIFIED);
            verified++;
        } else {
            assert_int_equal(x->status, TK_FINDING_PLANNED); /* 適合 this year, yet not closed */
            assert_non_null(x->verification);
            kept++;
        }
    }
    assert_int_equal(verified, 1);
    assert_int_equal(kept, 2);
    tk_finding_list_free(&l);
    /* 未是正 reopened the plan the auditee had reported done, and said so */
    assert_int_equal(count("SELECT COUNT(*) FROM plan WHERE id = %ld AND status = 'in-progress' AND closed_at IS NULL", plan4), 1);
    assert_int_equal(count("SELECT COUNT(*) FROM plan_log WHERE plan_id = %ld AND source = 'audit' AND note LIKE '%%未是正%%'", plan4), 1);
    /* the same workbook again changes nothing */
    long logs = count("SELECT COUNT(*) FROM plan_log");
    f = join(dir, "/filled-2027");
    char *g = join(f, strrchr(a27, '/'));
    assert_int_equal(ingest(g), 0);
    free(f);
    free(g);
    assert_int_equal(count("SELECT COUNT(*) FROM plan_log"), logs);
}

/* ---- the report ---- */

static void test_report_figures_equal_score_and_findings(void **state)
{
    (void)state;
    audit_report rep;
    report_2026(&rep, (tk_date){2027, 3, 1});
    tk_results *r = rep.r;
    tk_report *rp = rep.rp;
    tk_diags *d = &rep.d;
    tk_store *st = tk_store_open(db, d);
    tk_audit_record *ar = NULL;
    assert_int_equal(tk_audit_record_load(st, rp, &ar, d), TK_EXIT_OK);
    size_t scored = 0, negative = 0;
    for (size_t g = 0; g < r->nanswers; g++) {
        if (!r->answers[g].excluded)
            scored += ar->grade_count[g];
        if (r->answers[g].negative)
            negative += ar->grade_count[g];
    }
    assert_int_equal(scored, rp->total.answered);     /* tenken score's 回答 */
    assert_int_equal(negative, rp->total.negative);   /* its 否定的回答 */
    assert_int_equal(ar->findings.n, negative);       /* tenken findings --year */
    assert_int_equal(ar->audited, 2);
    assert_non_null(ar->plan);
    assert_int_equal(ar->ngood, 1);
    tk_audit_record_free(ar);
    tk_store_close(st);
    /* the document: headings, counts per grade, no assurance of no problem */
    char pdf[256], notices[256];
    snprintf(pdf, sizeof pdf, "%s/監査報告書.pdf", dir);
    snprintf(notices, sizeof notices, "%s/監査結果通知", dir);
    char comment[256];
    snprintf(comment, sizeof comment, "%s/comment.txt", dir);
    write_file(comment, "委託先管理の全庁的な見直しを要する。\n");
    size_t pages = 0, nn = 0;
    assert_int_equal(tk_audit_report_write(db, rp, pdf, notices, comment, 2, true, &pages, &nn, d), TK_EXIT_OK);
    assert_int_equal(nn, 2);
    assert_true(pages > 2);
    assert_int_equal(tk_audit_report_write(db, rp, pdf, notices, comment, 2, false, NULL, NULL, d), TK_EXIT_INPUT);
    if (sh("command -v pdftotext >/dev/null") == 0) {
        assert_int_equal(sh("pdftotext -layout '%s' - | tr -d ' ' > '%s/r.txt'", pdf, dir), 0);
        const char *must[] = {"監査の概要", "監査の結果", "指摘事項", "特記事項", "委託先管理の全庁的な見直しを要する",
                              "軽微な不適合2", "重大な不適合2", "観察事項1", "該当なし1", "小林一郎", "付属資料"};
        for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
            if (sh("grep -q '%s' '%s/r.txt'", must[i], dir) != 0)
                fail_msg("監査報告書に「%s」がありません", must[i]);
        assert_int_equal(sh("grep -q '重要な問題はない' '%s/r.txt'", dir), 1);
        assert_int_equal(sh("ls '%s' | grep -c pdf | grep -q 2", notices), 0);
    }
    report_free(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_independence_refuses_own_department_by_line_and_auditor),
        cmocka_unit_test(test_refused_plan_records_nothing),
        cmocka_unit_test(test_plan_reads_utf8_bom_and_cp932_alike),
        cmocka_unit_test(test_generate_issues_the_planned_departments_with_their_auditors),
        cmocka_unit_test(test_each_grade_counts_its_points_and_only_nonconformities_are_findings),
        cmocka_unit_test(test_report_figures_equal_score_and_findings),
        cmocka_unit_test(test_response_round_plans_findings_and_late_ones_are_action_needed),
        cmocka_unit_test(test_committee_report_speaks_of_findings_and_counts_late_ones),
        cmocka_unit_test(test_summary_and_department_reports_speak_of_findings),
        cmocka_unit_test(test_next_audit_confirms_and_only_a_confirmed_fix_closes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
