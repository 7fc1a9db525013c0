/* test_followup.c — remediation plans followed to closure, across the year
 * and into the next. Workbooks are issued with tk_generate_run, filled by
 * openpyxl (tests/fill_workbooks.py, tests/fill_followup.py) as departments
 * would, and taken in with tk_ingest_file:
 *  - follow-up workbooks list each department's open plans and record which
 *    plan each row is;
 *  - every change a row reports goes through the plan rules: allowed ones
 *    are applied and logged, refused ones name the cell and store nothing;
 *  - the same bytes change nothing, a new version logs only what is new;
 *  - next year's workbooks show last year's answer and the plans still open,
 *    matched by item id across a renumbered checklist; the new answers close
 *    those plans or keep them open, logged once;
 *  - audit findings are plans of the audited department;
 *  - plan_log only grows: no progress entry is ever lost. */
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenken/checklist.h"
#include "tenken/derive.h"
#include "tenken/generate.h"
#include "tenken/ingest.h"
#include "tenken/store.h"
#include "tenken/template.h"
#include "tenken/util.h"
#include "tenken/xlsx_read.h"
#include "campaign_fixture.h"

#define OPEN "('not-started','in-progress','postponed')"
/* The day the 2027 workbooks are issued: some 2026 plans are past due. */
#define GENERATE_2027_TODAY "2027-05-01"

static char dir[64];
static char db[128];
static char self02[256], audit04[256]; /* 2026, as issued */
static char fu02[256], fu04[256];      /* the 2026 follow-up, as issued */
static char self02_2027[256];          /* 2027, from the renumbered checklist */
static bool ready;                     /* openpyxl there and the 2026 answers taken in */

/* ---- helpers ---- */

#define count(...) fixture_count(db, __VA_ARGS__)

/* The first column of the first row as text ("" when NULL or no row); caller frees. */
static char *text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *text(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = tk_vformat(fmt, ap);
    va_end(ap);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    char *v = NULL;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        v = tk_xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(h);
    free(sql);
    return v ? v : tk_xstrdup("");
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

/* plan_log as it stands: entries, and a digest of every entry up to the last. */
typedef struct logsnap {
    long n, max_id;
    char digest[65];
} logsnap;

static void log_digest(long max_id, char hex[65])
{
    char *all = text("SELECT group_concat(id || '|' || plan_id || '|' || at || '|' || status || '|' || COALESCE(due,'') || '|' || "
                     "COALESCE(note,'') || '|' || COALESCE(reason,'') || '|' || COALESCE(submission_id,'') || '|' || source, '\n') "
                     "FROM (SELECT * FROM plan_log WHERE id <= %ld ORDER BY id)",
                     max_id);
    tk_sha256_hex(all, strlen(all), hex);
    free(all);
}

static void log_snap(logsnap *s)
{
    s->n = count("SELECT COUNT(*) FROM plan_log");
    s->max_id = count("SELECT COALESCE(MAX(id), 0) FROM plan_log");
    log_digest(s->max_id, s->digest);
}

/* No entry lost or changed since the snapshot; returns how many were added. */
static long log_kept(const logsnap *before)
{
    char now[65];
    log_digest(before->max_id, now);
    assert_string_equal(now, before->digest);
    long n = count("SELECT COUNT(*) FROM plan_log");
    assert_true(n >= before->n);
    return n - before->n;
}

static bool has_message(const tk_diags *d, const char *place, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if ((!place || (d->items[i].place && !strcmp(d->items[i].place, place))) && strstr(d->items[i].message, needle))
            return true;
    return false;
}

static int generate(const char *org, int year, const char *kind, const char *dept, bool force, const char *want,
                    char *file, size_t n, tk_diags *d)
{
    const char *deps[1] = {dept};
    tk_generate_opts o = {.org = org, .year = year, .kind = kind, .departments = deps, .ndepartments = dept ? 1 : 0,
                          .out_dir = dir, .db_path = db, .force = force, .jobs = 1};
    return fixture_generate(&o, want, file, n, NULL, d);
}

static enum tk_ingest_outcome ingest(const char *path, tk_ingest_result *r, tk_diags *d)
{
    fixture_ingest(db, path, r, d);
    return r->outcome;
}

static void ingest_ok(const char *path, tk_ingest_result *r)
{
    tk_diags d;
    tk_diags_init(&d);
    if (ingest(path, r, &d) != TK_INGEST_ACCEPTED) {
        tk_diags_print(&d, stderr);
        fail_msg("%s: not accepted", path);
    }
    tk_diags_free(&d);
}

/* ---- reading a workbook (tk_xlsx_read): one sheet as a table of text ---- */

#define TCOLS 16
typedef struct table {
    char *(*cells)[TCOLS]; /* cells[row - 1][col - 1], NULL when empty */
    int nrows;
} table;

static bool table_cell(const tk_cell *c, void *user)
{
    table *t = user;
    if (c->col > TCOLS)
        return true;
    while (t->nrows < c->row) {
        t->cells = tk_xrealloc(t->cells, (size_t)(t->nrows + 1) * sizeof *t->cells);
        memset(t->cells[t->nrows], 0, sizeof t->cells[t->nrows]);
        t->nrows++;
    }
    t->cells[c->row - 1][c->col - 1] = tk_xstrdup(c->text);
    return true;
}

static void table_read(table *t, const char *path, const char *sheet)
{
    memset(t, 0, sizeof *t);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = tk_xlsx_open(path, NULL, &d);
    assert_non_null(x);
    int i = tk_xlsx_sheet_index(x, sheet);
    assert_true(i >= 0);
    assert_true(tk_xlsx_read_sheet(x, (size_t)i, table_cell, t, &d));
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static const char *table_at(const table *t, int row, int col)
{
    if (row < 1 || row > t->nrows || col < 1 || col > TCOLS || !t->cells[row - 1][col - 1])
        return "";
    return t->cells[row - 1][col - 1];
}

static void table_free(table *t)
{
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < TCOLS; c++)
            free(t->cells[r][c]);
    free(t->cells);
}

/* The identity sheet: a key's value ("" when absent), an item's row. */
static const char *id_value(const table *id, const char *key)
{
    for (int r = 1; r <= id->nrows; r++)
        if (!strcmp(table_at(id, r, 1), key))
            return table_at(id, r, 2);
    return "";
}

static int id_column(const table *id, const char *key)
{
    char name[64], ref[16];
    snprintf(name, sizeof name, "column.%s", key);
    const char *letters = id_value(id, name);
    if (!*letters)
        return 0;
    snprintf(ref, sizeof ref, "%s1", letters);
    int row, col;
    assert_true(tk_cell_parse_ref(ref, &row, &col));
    return col;
}

static int num(const char *s)
{
    long v = 0;
    return tk_parse_int(s, -1, 100000000, &v) ? (int)v : -1;
}

/* The item id of the row with this 項番 ("" when none). */
static const char *id_item_of(const table *id, int seq)
{
    bool in_table = false;
    for (int r = 1; r <= id->nrows; r++) {
        if (!in_table)
            in_table = !strcmp(table_at(id, r, 1), "seq");
        else if (num(table_at(id, r, 1)) == seq)
            return table_at(id, r, 2);
    }
    return "";
}

/* Row and sheet of an item (by id, or by 項番 when item is NULL). */
static bool id_item(const table *id, const char *item, int seq, const char **sheet, int *row)
{
    bool in_table = false;
    for (int r = 1; r <= id->nrows; r++) {
        if (!in_table) {
            in_table = !strcmp(table_at(id, r, 1), "seq");
            continue;
        }
        if (item ? !strcmp(table_at(id, r, 2), item) : num(table_at(id, r, 1)) == seq) {
            *sheet = table_at(id, r, 3);
            *row = num(table_at(id, r, 4));
            return true;
        }
    }
    return false;
}

/* ---- the year's starting point: 2026 answers of 02 (self) and 04 (audit) ---- */

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tenken-followup-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    if (!have_openpyxl())
        return 0;
    tk_diags d;
    tk_diags_init(&d);
    int rc = generate("shime", 2026, "self", "02", false, "02", self02, sizeof self02, &d) ||
             generate("shime", 2026, "audit", "04", false, "04", audit04, sizeof audit04, &d);
    if (rc) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        return -1;
    }
    tk_diags_free(&d);
    if (sh("/usr/bin/python3 tests/fill_workbooks.py --missing-plans 0 --seed 11 %s/filled '%s' '%s' >/dev/null", dir, self02,
           audit04))
        return -1;
    const char *files[2] = {self02, audit04};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/filled/%s", dir, strrchr(files[i], '/') + 1);
        tk_diags_init(&d);
        tk_ingest_result r;
        if (ingest(path, &r, &d) != TK_INGEST_ACCEPTED) {
            tk_diags_print(&d, stderr);
            tk_diags_free(&d);
            return -1;
        }
        tk_diags_free(&d);
    }
    ready = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf %s", dir) == 0 ? 0 : -1;
}

/* ---- follow-up workbooks ---- */

static void test_followup_workbooks_list_each_departments_open_plans(void **state)
{
    (void)state;
    if (!ready)
        skip();
    tk_diags d;
    tk_diags_init(&d);
    assert_int_equal(generate("shime", 2026, "followup", NULL, false, "02", fu02, sizeof fu02, &d), TK_EXIT_OK);
    assert_int_equal(generate("shime", 2026, "followup", "04", true, "04", fu04, sizeof fu04, &d), TK_EXIT_OK);
    tk_diags_free(&d);
    /* one workbook per department with open plans (03 has none: never issued) */
    assert_int_equal(count("SELECT COUNT(*) FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                           "WHERE c.kind = 'followup' AND w.revoked_at IS NULL"),
                     2);
    /* a row per open plan, each recorded with its plan, of its own department */
    assert_int_equal(count("SELECT COUNT(*) FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                           "JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'followup' AND w.revoked_at IS NULL"),
                     count("SELECT COUNT(*) FROM plan WHERE status IN " OPEN));
    assert_int_equal(count("SELECT COUNT(*) FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                           "JOIN campaign c ON c.id = w.campaign_id LEFT JOIN plan p ON p.id = wi.plan_id "
                           "WHERE c.kind = 'followup' AND (p.id IS NULL OR wi.item_id <> 'plan-' || p.id "
                           "OR p.department_code <> w.department_code)"),
                     0);
    /* the list is the plan statuses, each standing for its key */
    assert_int_equal(count("SELECT COUNT(*) FROM campaign_answer a JOIN campaign c ON c.id = a.campaign_id "
                           "WHERE c.kind = 'followup' AND a.plan_status IS NOT NULL"),
                     5);

    /* the workbook shows each plan and asks for its progress */
    table id, sh1;
    table_read(&id, fu02, "_tenken");
    assert_string_equal(id_value(&id, "kind"), "followup");
    int header = num(id_value(&id, "header_row"));
    const char *sheet;
    int row;
    assert_true(id_item(&id, NULL, 1, &sheet, &row));
    table_read(&sh1, fu02, sheet);
    assert_string_equal(table_at(&sh1, header, id_column(&id, "status")), "進捗状況");
    assert_string_equal(table_at(&sh1, header, id_column(&id, "plan-content")), "改善内容");
    char *content = text("SELECT p.content FROM plan p WHERE 'plan-' || p.id = (SELECT item_id FROM workbook_item wi "
                         "JOIN workbook w ON w.id = wi.workbook_id JOIN campaign c ON c.id = w.campaign_id "
                         "WHERE c.kind = 'followup' AND w.department_code = '02' AND wi.seq = 1)");
    assert_string_equal(table_at(&sh1, row, id_column(&id, "plan-content")), content);
    free(content);
    table_free(&sh1);
    table_free(&id);

    /* no year before: the 2026 inspection workbook has no 前年度 columns */
    table_read(&id, self02, "_tenken");
    assert_int_equal(id_column(&id, "prev-answer"), 0);
    assert_int_equal(id_column(&id, "prev-plan"), 0);
    assert_true(id_column(&id, "answer") > 0);
    table_free(&id);
}

static void test_audit_findings_are_plans_of_the_audited_department(void **state)
{
    (void)state;
    if (!ready)
        skip();
    const char *audit = "SELECT COUNT(*) FROM plan p JOIN campaign c ON c.id = p.campaign_id WHERE c.kind = 'audit'";
    assert_true(count("%s", audit) > 0);
    assert_true(count("%s AND p.origin = 'finding'", audit) > 0);
    assert_int_equal(count("%s AND p.department_code <> '04'", audit), 0);
    /* the audited department's follow-up workbook lists them, with the finding */
    assert_int_equal(count("SELECT COUNT(*) FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                           "JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'followup' AND w.revoked_at IS NULL "
                           "AND w.department_code = '04'"),
                     count("%s AND p.status IN " OPEN, audit));
    table id, sh1;
    table_read(&id, fu04, "_tenken");
    const char *sheet;
    int row;
    assert_true(id_item(&id, NULL, 1, &sheet, &row));
    table_read(&sh1, fu04, sheet);
    char *finding = text("SELECT finding FROM plan WHERE 'plan-' || id = '%s'", id_item_of(&id, 1));
    assert_true(*finding);
    const char *origin = table_at(&sh1, row, id_column(&id, "origin"));
    assert_non_null(strstr(origin, "令和8年度"));
    assert_non_null(strstr(origin, finding));
    free(finding);
    table_free(&sh1);
    table_free(&id);
}

/* ---- follow-up rows through the rules ---- */

/* The plan of row seq of department 02's active follow-up workbook. */
static long fu_plan(int seq)
{
    return count("SELECT wi.plan_id FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                 "JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'followup' AND c.year = 2026 "
                 "AND w.department_code = '02' AND w.revoked_at IS NULL AND wi.seq = %d",
                 seq);
}

static void plan_due(long plan, tk_date *out)
{
    char *due = text("SELECT due FROM plan WHERE id = %ld", plan);
    assert_true(tk_date_parse(due, out));
    free(due);
}

/* A file made by fill_followup.py --spec. */
static void variant(char *path, size_t n, const char *name)
{
    snprintf(path, n, "%s/fu/%s", dir, name);
}

/* The place of a row's cell as ingest names it: SHEET!K12. */
static void fu_place(const table *id, int seq, const char *key, char *out, size_t n)
{
    const char *sheet;
    int row;
    assert_true(id_item(id, NULL, seq, &sheet, &row));
    char ref[16];
    tk_cell_ref(row, id_column(id, key), ref);
    snprintf(out, n, "%s!%s", sheet, ref);
}

static void expect_refused(const char *name, const table *id, int seq, const char *key, const char *needle)
{
    char path[512], place[64], before[65], after[65];
    variant(path, sizeof path, name);
    fu_place(id, seq, key, place, sizeof place);
    logsnap log;
    log_snap(&log);
    db_digest(before);
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result r;
    enum tk_ingest_outcome o = ingest(path, &r, &d);
    db_digest(after);
    if (o != TK_INGEST_REFUSED || !has_message(&d, place, needle)) {
        tk_diags_print(&d, stderr);
        fail_msg("%s: expected a refusal at %s with「%s」", name, place, needle);
    }
    for (size_t i = 0; i < d.count; i++)
        assert_string_equal(d.items[i].file, path);
    /* nothing stored: the database byte for byte as it was */
    assert_string_equal(before, after);
    assert_int_equal(log_kept(&log), 0);
    tk_diags_free(&d);
}

static void test_followup_changes_follow_the_rules_and_are_logged(void **state)
{
    (void)state;
    if (!ready)
        skip();
    long p[10];
    for (int i = 1; i <= 9; i++) {
        p[i] = fu_plan(i);
        assert_true(p[i] > 0);
    }
    tk_date d3, d7;
    plan_due(p[3], &d3);
    plan_due(p[7], &d7);
    char later3[TK_DATE_ISO_SIZE], earlier7[TK_DATE_ISO_SIZE], later7[TK_DATE_ISO_SIZE];
    tk_date_iso(tk_date_add_days(d3, 365), later3);
    tk_date_iso(tk_date_add_days(d7, -30), earlier7);
    tk_date_iso(tk_date_add_days(d7, 180), later7);

    /* what the department writes, in one version and several mistaken ones */
    const char *v1 = "\"1\": {\"status\": \"対応中\", \"note\": \"手順書の改訂案を作成した\"},"
                     "\"2\": {\"status\": \"完了\", \"date\": \"2026-10-01\", \"note\": \"管理台帳を整備した\"},"
                     "\"3\": {\"status\": \"延期\", \"new_due\": \"%s\", \"reason\": \"システム更新が延びたため\"},"
                     "\"5\": {\"status\": \"リスク受容\", \"date\": \"2026-11-10\", \"reason\": \"委員会で受容を決定\"},"
                     "\"6\": {\"status\": \"未着手\"}";
    tk_buf spec;
    tk_buf_init(&spec);
    tk_buf_puts(&spec, "[");
    tk_buf_printf(&spec, "{\"file\": \"%s\", \"out\": \"v1.xlsx\", \"rows\": {", fu02);
    tk_buf_printf(&spec, v1, later3);
    tk_buf_puts(&spec, "}},");
    tk_buf_printf(&spec, "{\"file\": \"%s\", \"out\": \"v2.xlsx\", \"rows\": {", fu02);
    tk_buf_printf(&spec, v1, later3);
    tk_buf_puts(&spec, ", \"7\": {\"status\": \"対応中\", \"note\": \"委託先と協議を始めた\"}}},");
    struct {
        const char *name, *rows;
    } bad[] = {
        {"no_date.xlsx", "\"7\": {\"status\": \"完了\", \"note\": \"終えた\"}"},
        {"no_reason.xlsx", "\"7\": {\"status\": \"延期\", \"new_due\": \"LATER7\"}"},
        {"not_later.xlsx", "\"7\": {\"status\": \"延期\", \"new_due\": \"EARLIER7\", \"reason\": \"人手が足りないため\"}"},
        {"closed_row.xlsx", "\"2\": {\"status\": \"対応中\", \"note\": \"まだ続けている\"}"},
        {"back.xlsx", "\"1\": {\"status\": \"未着手\"}"},
        {"date_not_done.xlsx", "\"7\": {\"status\": \"対応中\", \"date\": \"2026-10-01\"}"},
        {"due_not_postponed.xlsx", "\"7\": {\"status\": \"対応中\", \"new_due\": \"LATER7\"}"},
        {"no_status.xlsx", "\"7\": {\"note\": \"始めた\"}"},
        {"off_list.xlsx", "\"7\": {\"status\": \"済み\"}"},
        {"two.xlsx", "\"7\": {\"status\": \"完了\"}, \"8\": {\"status\": \"延期\", \"new_due\": \"2030-03-31\"}"},
        {"mixed.xlsx", "\"7\": {\"status\": \"完了\"}, \"8\": {\"status\": \"済み\"}"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tk_buf rows;
        tk_buf_init(&rows);
        for (const char *q = bad[i].rows; *q;) {
            if (!strncmp(q, "LATER7", 6)) {
                tk_buf_puts(&rows, later7);
                q += 6;
            } else if (!strncmp(q, "EARLIER7", 8)) {
                tk_buf_puts(&rows, earlier7);
                q += 8;
            } else {
                tk_buf_putc(&rows, *q++);
            }
        }
        tk_buf_printf(&spec, "{\"file\": \"%s\", \"out\": \"%s\", \"rows\": {%s}}%s", fu02, bad[i].name, rows.data,
                      i + 1 < sizeof bad / sizeof bad[0] ? "," : "");
        tk_buf_free(&rows);
    }
    tk_buf_puts(&spec, "]");
    char spec_path[256];
    snprintf(spec_path, sizeof spec_path, "%s/spec.json", dir);
    assert_int_equal(tk_file_write_atomic(spec_path, spec.data, spec.len, true), 0);
    tk_buf_free(&spec);
    assert_int_equal(sh("/usr/bin/python3 tests/fill_followup.py --spec %s %s/fu >/dev/null", spec_path, dir), 0);

    /* version 1: four changes; a restated status changes nothing */
    logsnap log;
    log_snap(&log);
    char path[512];
    variant(path, sizeof path, "v1.xlsx");
    tk_ingest_result r;
    ingest_ok(path, &r);
    assert_int_equal(r.plans, 4);
    assert_int_equal(r.plans_closed, 2);
    assert_int_equal(r.plans_postponed, 1);
    assert_int_equal(log_kept(&log), 4);
    assert_int_equal(count("SELECT COUNT(*) FROM plan_log WHERE id > %ld AND source = 'followup' AND submission_id = %lld",
                           log.max_id, (long long)r.submission_id),
                     4);
    char *s = text("SELECT status || '|' || COALESCE(closed_at, '') FROM plan WHERE id = %ld", p[1]);
    assert_string_equal(s, "in-progress|");
    free(s);
    s = text("SELECT note FROM plan_log WHERE plan_id = %ld ORDER BY id DESC LIMIT 1", p[1]);
    assert_string_equal(s, "手順書の改訂案を作成した");
    free(s);
    s = text("SELECT status || '|' || closed_at || '|' || evidence FROM plan WHERE id = %ld", p[2]);
    assert_string_equal(s, "done|2026-10-01|管理台帳を整備した");
    free(s);
    s = text("SELECT at FROM plan_log WHERE plan_id = %ld ORDER BY id DESC LIMIT 1", p[2]);
    assert_string_equal(s, "2026-10-01");
    free(s);
    s = text("SELECT status || '|' || due FROM plan WHERE id = %ld", p[3]);
    char want[64];
    snprintf(want, sizeof want, "postponed|%s", later3);
    assert_string_equal(s, want);
    free(s);
    s = text("SELECT due || '|' || reason FROM plan_log WHERE plan_id = %ld ORDER BY id DESC LIMIT 1", p[3]);
    snprintf(want, sizeof want, "%s|システム更新が延びたため", later3);
    assert_string_equal(s, want);
    free(s);
    s = text("SELECT status || '|' || closed_at FROM plan WHERE id = %ld", p[5]);
    assert_string_equal(s, "risk-accepted|2026-11-10");
    free(s);
    /* the blank row and the restated one: nothing logged */
    assert_int_equal(count("SELECT COUNT(*) FROM plan_log WHERE plan_id IN (%ld, %ld)", p[4], p[6]), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM plan WHERE id IN (%ld, %ld) AND status = 'not-started'", p[4], p[6]), 2);

    /* refused changes name the cell and store nothing */
    table id;
    table_read(&id, fu02, "_tenken");
    expect_refused("no_date.xlsx", &id, 7, "done-date", "完了日が必要です");
    expect_refused("no_reason.xlsx", &id, 7, "reason", "理由が必要です");
    expect_refused("not_later.xlsx", &id, 7, "new-due", "より後になっていません");
    expect_refused("closed_row.xlsx", &id, 2, "status", "既に「完了」で閉じています");
    expect_refused("back.xlsx", &id, 1, "status", "「未着手」に戻すことはできません");
    expect_refused("date_not_done.xlsx", &id, 7, "done-date", "「完了」を選んでください");
    expect_refused("due_not_postponed.xlsx", &id, 7, "new-due", "「延期」を選び");
    expect_refused("no_status.xlsx", &id, 7, "status", "進捗状況が選ばれていません");
    expect_refused("off_list.xlsx", &id, 7, "status", "選択肢にありません");
    /* every problem of a file at once */
    expect_refused("two.xlsx", &id, 7, "done-date", "完了日が必要です");
    expect_refused("two.xlsx", &id, 8, "reason", "理由が必要です");
    expect_refused("mixed.xlsx", &id, 7, "done-date", "完了日が必要です");
    expect_refused("mixed.xlsx", &id, 8, "status", "選択肢にありません");

    /* version 2 restates version 1 and adds one change: one entry more */
    log_snap(&log);
    variant(path, sizeof path, "v2.xlsx");
    ingest_ok(path, &r);
    assert_true(r.superseded);
    assert_int_equal(r.plans, 1);
    assert_int_equal(log_kept(&log), 1);
    s = text("SELECT status FROM plan WHERE id = %ld", p[7]);
    assert_string_equal(s, "in-progress");
    free(s);

    /* the same bytes again: nothing at all */
    char before[65], after[65];
    db_digest(before);
    variant(path, sizeof path, "v1.xlsx");
    tk_diags d;
    tk_diags_init(&d);
    assert_int_equal(ingest(path, &r, &d), TK_INGEST_SAME);
    tk_diags_free(&d);
    db_digest(after);
    assert_string_equal(before, after);

    /* the next round lists only what is still open */
    tk_diags_init(&d);
    char again[256];
    assert_int_equal(generate("shime", 2026, "followup", "02", true, "02", again, sizeof again, &d), TK_EXIT_OK);
    tk_diags_free(&d);
    const char *active = "SELECT COUNT(*) FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                         "JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'followup' AND w.revoked_at IS NULL "
                         "AND w.department_code = '02'";
    assert_int_equal(count("%s AND wi.plan_id IN (%ld, %ld)", active, p[2], p[5]), 0);
    assert_int_equal(count("%s AND wi.plan_id IN (%ld, %ld, %ld, %ld)", active, p[1], p[3], p[4], p[7]), 4);
    table_free(&id);
}

/* ---- the next year ---- */

/* The sample policy with a new section 5.1 in 対策基準: 5.1 .. 5.4 become
 * 5.2 .. 5.5, in the table of contents and in the text. */
static char *renumbered_policy(void)
{
    tk_buf src, out;
    assert_int_equal(tk_file_read("checklists/shime/policy.txt", 1u << 24, &src), 0);
    tk_buf_init(&out);
    const char *p = src.data, *end = src.data + src.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        if (len > 4 && p[0] == '5' && p[1] == '.' && p[2] >= '1' && p[2] <= '4' && p[3] == ' ') {
            bool toc = memchr(p, '\t', len) != NULL;
            if (p[2] == '1')
                tk_buf_puts(&out, toc ? "5.1 情報セキュリティに関する誓約\t18\n"
                                      : "5.1 情報セキュリティに関する誓約\n\n"
                                        "職員等は、採用時に情報セキュリティに関する誓約書を提出しなければならない。\n\n");
            tk_buf_printf(&out, "5.%c", p[2] + 1);
            tk_buf_append(&out, p + 3, len - 3);
        } else {
            tk_buf_append(&out, p, len);
        }
        p += len;
    }
    tk_buf_free(&src);
    return tk_buf_steal(&out);
}

/* checklists for 2027 in DIR/shime2027/: derived from the renumbered policy
 * with the 2026 checklist as --previous, so ids are kept. */
static const char *derive_2027(void)
{
    static char org_dir[256];
    snprintf(org_dir, sizeof org_dir, "%s/shime2027", dir);
    assert_int_equal(tk_mkdirs(org_dir), 0);
    char path[512];
    tk_buf b;
    assert_int_equal(tk_file_read("checklists/shime/org.xml", 1u << 24, &b), 0);
    snprintf(path, sizeof path, "%s/org.xml", org_dir);
    assert_int_equal(tk_file_write_atomic(path, b.data, b.len, true), 0);
    tk_buf_free(&b);

    tk_diags d;
    tk_diags_init(&d);
    tk_org *org = tk_org_load("checklists/shime/org.xml", "checklists", &d);
    tk_checklist *prev = tk_checklist_load("checklists/shime/checklist.xml", "checklists", &d);
    assert_non_null(org);
    assert_non_null(prev);
    char *policy = renumbered_policy();
    tk_derive_opts opts = {.org_id = "shime", .source_name = "policy.txt", .org = org, .previous = prev};
    tk_derive_report rep;
    tk_checklist *cl = tk_derive(policy, strlen(policy), "policy.txt", &opts, &rep, &d);
    if (!cl)
        tk_diags_print(&d, stderr);
    assert_non_null(cl);
    assert_true(rep.kept_previous > 100);
    tk_buf xml;
    tk_checklist_to_xml(cl, &xml);
    snprintf(path, sizeof path, "%s/checklist.xml", org_dir);
    assert_int_equal(tk_file_write_atomic(path, xml.data, xml.len, true), 0);
    tk_buf_free(&xml);
    tk_checklist_free(cl);
    tk_derive_report_free(&rep);
    tk_checklist_free(prev);
    tk_org_free(org);
    free(policy);
    tk_diags_free(&d);
    return org_dir;
}

static void test_next_year_shows_last_answers_and_open_plans_across_renumbering(void **state)
{
    (void)state;
    if (!ready)
        skip();
    const char *org_dir = derive_2027();
    tk_diags d;
    tk_diags_init(&d);
    setenv("TENKEN_TODAY", GENERATE_2027_TODAY, 1);
    if (generate(org_dir, 2027, "self", "02", false, "02", self02_2027, sizeof self02_2027, &d) != TK_EXIT_OK)
        tk_diags_print(&d, stderr);
    unsetenv("TENKEN_TODAY");
    tk_diags_free(&d);
    assert_true(self02_2027[0]);
    long c27 = count("SELECT id FROM campaign WHERE org = 'shime' AND year = 2027 AND kind = 'self'");

    /* an open plan of 2026 whose item was renumbered (same id, new ref) */
    char *item = text("SELECT p.item_id FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                      "JOIN campaign_item o ON o.campaign_id = p.campaign_id AND o.item_id = p.item_id "
                      "JOIN campaign_item n ON n.campaign_id = %ld AND n.item_id = p.item_id "
                      "WHERE c.year = 2026 AND c.kind = 'self' AND p.department_code = '02' AND p.status IN " OPEN
                      " AND o.ref <> n.ref ORDER BY p.id LIMIT 1",
                      c27);
    assert_true(*item);
    char *old_ref = text("SELECT ci.ref FROM campaign_item ci JOIN campaign c ON c.id = ci.campaign_id "
                         "WHERE c.year = 2026 AND c.kind = 'self' AND ci.item_id = '%s'",
                         item);
    char *content = text("SELECT p.content FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                         "WHERE c.year = 2026 AND c.kind = 'self' AND p.department_code = '02' AND p.item_id = '%s'",
                         item);
    char *answer = text("SELECT a.value FROM answer a JOIN submission s ON s.id = a.submission_id AND s.superseded_by IS NULL "
                        "JOIN workbook w ON w.id = s.workbook_id JOIN campaign c ON c.id = w.campaign_id "
                        "WHERE c.year = 2026 AND c.kind = 'self' AND a.item_id = '%s'",
                        item);
    table id, sh1;
    table_read(&id, self02_2027, "_tenken");
    int pa = id_column(&id, "prev-answer"), pp = id_column(&id, "prev-plan");
    assert_true(pa > 0 && pp > 0);
    const char *sheet;
    int row;
    assert_true(id_item(&id, item, 0, &sheet, &row));
    table_read(&sh1, self02_2027, sheet);
    int header = num(id_value(&id, "header_row"));
    assert_string_equal(table_at(&sh1, header, pa), "前年度の回答");
    assert_string_equal(table_at(&sh1, header, pp), "継続中の改善計画");
    /* the row shows the new ref, last year's answer and the plan */
    const char *ref = table_at(&sh1, row, id_column(&id, "ref"));
    assert_true(*ref && strcmp(ref, old_ref) != 0);
    assert_string_equal(table_at(&sh1, row, pa), answer);
    assert_non_null(strstr(table_at(&sh1, row, pp), content));
    /* the cover counts the plans carried over and those past their due date
     * on the day of issue, and those are bold red with 期限超過 */
    long carried = count("SELECT COUNT(*) FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                         "JOIN campaign_item n ON n.campaign_id = %ld AND n.item_id = p.item_id "
                         "WHERE c.year = 2026 AND c.kind = 'self' AND p.department_code = '02' AND p.status IN " OPEN,
                         c27);
    long late = count("SELECT COUNT(*) FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                      "JOIN campaign_item n ON n.campaign_id = %ld AND n.item_id = p.item_id "
                      "WHERE c.year = 2026 AND c.kind = 'self' AND p.department_code = '02' AND p.status IN " OPEN
                      " AND p.due < '%s'",
                      c27, GENERATE_2027_TODAY);
    assert_true(carried > 0 && late > 0 && late < carried);
    if (have_openpyxl())
        assert_int_equal(sh("/usr/bin/python3 tests/check_workbook_layout.py --carried %ld --overdue %ld '%s'", carried, late,
                            self02_2027),
                         0);
    free(item);
    free(old_ref);
    free(content);
    free(answer);
    table_free(&sh1);
    table_free(&id);
}

static void test_next_year_answers_close_or_keep_open_plans(void **state)
{
    (void)state;
    if (!ready)
        skip();
    assert_true(self02_2027[0]);
    /* two open plans of 2026 on items of the 2027 workbook */
    const char *open_plan = "SELECT p.%s FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                            "JOIN campaign_item n ON n.item_id = p.item_id "
                            "JOIN campaign c2 ON c2.id = n.campaign_id AND c2.year = 2027 AND c2.kind = 'self' "
                            "WHERE c.year = 2026 AND c.kind = 'self' AND p.department_code = '02' AND p.status IN " OPEN
                            " ORDER BY p.id LIMIT 1 OFFSET %d";
    long a = count(open_plan, "id", 0), b = count(open_plan, "id", 1);
    char *item_a = text(open_plan, "item_id", 0), *item_b = text(open_plan, "item_id", 1);
    assert_true(a > 0 && b > 0);
    setenv("TENKEN_TODAY", "2027-06-15", 1);
    logsnap log;
    log_snap(&log);
    for (int version = 1; version <= 2; version++) {
        assert_int_equal(sh("/usr/bin/python3 tests/fill_workbooks.py --seed %d --answer '%s=実施している' "
                            "--answer '%s=一部実施している' %s/y2027-%d '%s' >/dev/null",
                            20 + version, item_a, item_b, dir, version, self02_2027),
                         0);
        char path[512];
        snprintf(path, sizeof path, "%s/y2027-%d/%s", dir, version, strrchr(self02_2027, '/') + 1);
        tk_ingest_result r;
        ingest_ok(path, &r);
        if (version == 1) {
            assert_true(r.carried_closed >= 1);
            assert_true(r.carried_kept >= 1);
        } else {
            assert_true(r.superseded);
        }
        /* 実施している closed A the day it was received */
        char *s = text("SELECT status || '|' || closed_at FROM plan WHERE id = %ld", a);
        assert_string_equal(s, "done|2027-06-15");
        free(s);
        s = text("SELECT source || '|' || note || '|' || status FROM plan_log WHERE plan_id = %ld ORDER BY id DESC LIMIT 1", a);
        assert_string_equal(s, "inspection|点検で実施していると回答|done");
        free(s);
        assert_int_equal(count("SELECT COUNT(*) FROM plan_log WHERE plan_id = %ld AND source = 'inspection'", a), 1);
        /* anything else keeps B open, logged once however often it is sent */
        assert_int_equal(count("SELECT COUNT(*) FROM plan WHERE id = %ld AND status IN " OPEN, b), 1);
        s = text("SELECT source || '|' || note FROM plan_log WHERE plan_id = %ld ORDER BY id DESC LIMIT 1", b);
        assert_string_equal(s, "inspection|点検で一部実施していると回答");
        free(s);
        assert_int_equal(count("SELECT COUNT(*) FROM plan_log WHERE plan_id = %ld AND source = 'inspection'", b), 1);
        assert_true(log_kept(&log) > 0 || version == 2);
    }
    /* the 2027 follow-up carries B (still open from 2026), not A */
    tk_diags d;
    tk_diags_init(&d);
    char fu[256];
    if (generate("shime", 2027, "followup", "02", false, "02", fu, sizeof fu, &d) != TK_EXIT_OK)
        tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    const char *rows = "SELECT COUNT(*) FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                       "JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'followup' AND c.year = 2027 "
                       "AND w.revoked_at IS NULL AND wi.plan_id = %ld";
    assert_int_equal(count(rows, b), 1);
    assert_int_equal(count(rows, a), 0);
    /* department 02's 2027 report lists B among the plans it carries open */
    const char *bin = getenv("TENKEN");
    if (bin && system("command -v pdftotext >/dev/null 2>&1") == 0) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "%s report departments --org shime --year 2027 --department 02 --db %s -o %s/rep2027 --force -q && "
                 "pdftotext -layout %s/rep2027/*.pdf %s/rep2027.txt",
                 bin, db, dir, dir, dir);
        assert_int_equal(system(cmd), 0);
        char path[256];
        snprintf(path, sizeof path, "%s/rep2027.txt", dir);
        tk_buf txt;
        assert_int_equal(tk_file_read(path, 1u << 22, &txt), 0);
        assert_non_null(strstr(txt.data, "前年度以前からの未完了の改善計画"));
        tk_buf_free(&txt);
    }
    unsetenv("TENKEN_TODAY");
    free(item_a);
    free(item_b);
}

/* ---- the template and what generate refuses ---- */

static void test_followup_template_and_an_empty_record(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_template *t = tk_template_load("templates/followup.xml", "templates", &d);
    if (!t)
        tk_diags_print(&d, stderr);
    assert_non_null(t);
    assert_int_equal(d.warnings, 0);
    assert_string_equal(t->kind, "followup");
    assert_int_equal(t->nstatuses, 5);
    assert_int_equal(t->statuses[2].status, TK_PLAN_DONE);
    assert_string_equal(t->single_sheet, "改善計画");
    size_t i;
    assert_int_equal(tk_template_list_column(t, &i)->key, TK_COL_STATUS);
    tk_template_free(t);

    /* a follow-up template with an answer column is refused */
    tk_buf src;
    assert_int_equal(tk_file_read("templates/followup.xml", 1u << 20, &src), 0);
    char *at = strstr(src.data, "<column key=\"action\"");
    assert_non_null(at);
    tk_buf bad;
    tk_buf_init(&bad);
    tk_buf_append(&bad, src.data, (size_t)(at - src.data));
    tk_buf_puts(&bad, "<column key=\"answer\"");
    tk_buf_puts(&bad, at + strlen("<column key=\"action\""));
    char path[256];
    snprintf(path, sizeof path, "%s/followup-bad.xml", dir);
    assert_int_equal(tk_file_write_atomic(path, bad.data, bad.len, true), 0);
    assert_null(tk_template_load(path, "templates", &d));
    assert_true(has_message(&d, NULL, "followup"));
    tk_buf_free(&bad);
    tk_buf_free(&src);
    tk_diags_free(&d);

    /* nothing to follow: refused with the reason, nothing recorded */
    char empty[256];
    snprintf(empty, sizeof empty, "%s/empty.db", dir);
    tk_diags_init(&d);
    tk_generate_opts o = {.org = "ogasawara", .year = 2026, .kind = "followup", .out_dir = dir, .db_path = empty, .jobs = 1};
    assert_int_equal(tk_generate_run(&o, &d, NULL), TK_EXIT_INPUT);
    bool said = has_message(&d, NULL, "データベース");
    tk_diags_free(&d);
    assert_true(said);
    assert_false(tk_file_exists(empty));
    if (!ready)
        return;
    /* a record without plans of this organisation */
    tk_diags_init(&d);
    o.db_path = db;
    assert_int_equal(tk_generate_run(&o, &d, NULL), TK_EXIT_INPUT);
    said = has_message(&d, NULL, "完了していない改善計画");
    tk_diags_free(&d);
    assert_true(said);
    assert_int_equal(count("SELECT COUNT(*) FROM campaign WHERE kind = 'followup'"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_followup_template_and_an_empty_record),
        cmocka_unit_test(test_followup_workbooks_list_each_departments_open_plans),
        cmocka_unit_test(test_audit_findings_are_plans_of_the_audited_department),
        cmocka_unit_test(test_followup_changes_follow_the_rules_and_are_logged),
        cmocka_unit_test(test_next_year_shows_last_answers_and_open_plans_across_renumbering),
        cmocka_unit_test(test_next_year_answers_close_or_keep_open_plans),
    };
    return cmocka_run_group_tests_name("followup", tests, setup, teardown);
}
