/* test_staff.c — the staff self-check: the roster read strictly, one
 * workbook per person holding exactly the staff items (and those of the
 * roles the roster adds), another person's workbook refused, status person
 * by person, and scores by department that are the answers given. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/checklist.h"
#include "tenken/generate.h"
#include "tenken/ingest.h"
#include "tenken/results.h"
#include "tenken/roster.h"
#include "tenken/staff.h"
#include "tenken/template.h"
#include "tenken/store.h"
#include "tenken/util.h"
#include "tenken/xlsx_identity.h"
#include "tenken/xlsx_read.h"
#include "testutil.h"

static char dir[64];
static char db[128];
static tk_org *org;
static tk_checklist *cl;

static const tk_roster_headings HEADINGS = {"職員番号", "氏名", "所属", "役職", "メール", "役割"};

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tenken-staff-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    tk_diags d;
    tk_diags_init(&d);
    org = tk_org_load("checklists/shime/org.xml", "checklists", &d);
    cl = tk_checklist_load("checklists/shime/checklist.xml", "checklists", &d);
    tk_diags_free(&d);
    return org && cl ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tk_org_free(org);
    tk_checklist_free(cl);
    return sh("rm -rf %s", dir) == 0 ? 0 : -1;
}

static char *write_file(const char *name, const char *text)
{
    char *path = tk_xmalloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Does some diagnostic at line carry every one of the words? */
static bool said(const tk_diags *d, long line, const char *w1, const char *w2)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->items[i].line == line && strstr(d->items[i].message, w1) && (!w2 || strstr(d->items[i].message, w2)))
            return true;
    return false;
}

static void test_roster_reports_every_problem_with_its_line(void **state)
{
    (void)state;
    char *p = write_file("bad.csv", "職員番号,氏名,所属,メール,役割\n"
                                    "1001,山田 太郎,01,yamada@example.lg.jp,\n"
                                    "1002,,02,,\n"                          /* 3: empty name */
                                    "1001,佐藤 花子,03,,\n"                 /* 4: duplicate number */
                                    "1004,鈴木 一郎,99,,\n"                 /* 5: unknown department */
                                    "1005,高橋 愛,総務課,not-a-mail,\n"     /* 6: bad mail */
                                    "1006,田中 誠,04,,存在しない役割\n"     /* 7: unknown role */
                                    ",伊藤 学,05,,\n"                       /* 8: empty number */
                                    "\"1009\",\"渡辺, 翔\",06,,\"情報システム担当者、CSIRT\"\n"); /* 9: fine */
    tk_diags d;
    tk_diags_init(&d);
    tk_roster *r = tk_roster_load(p, org, "職員等", &HEADINGS, &d);
    assert_null(r);
    assert_true(said(&d, 3, "氏名", "空"));
    assert_true(said(&d, 4, "1001", "2 行目"));
    assert_true(said(&d, 5, "99", "部署"));
    assert_true(said(&d, 6, "not-a-mail", NULL));
    assert_true(said(&d, 7, "存在しない役割", NULL));
    assert_true(said(&d, 8, "職員番号", "空"));
    for (size_t i = 0; i < d.count; i++)
        assert_int_not_equal(d.items[i].line, 9);
    assert_int_equal(d.errors, 6);
    tk_diags_free(&d);
    free(p);

    /* a header without 所属; an open quote */
    p = write_file("nohead.csv", "職員番号,氏名\n1,a\n");
    tk_diags_init(&d);
    assert_null(tk_roster_load(p, org, "職員等", &HEADINGS, &d));
    assert_true(said(&d, 1, "所属", NULL));
    tk_diags_free(&d);
    free(p);
    p = write_file("quote.csv", "職員番号,氏名,所属\n1,\"山田,01\n");
    tk_diags_init(&d);
    assert_null(tk_roster_load(p, org, "職員等", &HEADINGS, &d));
    assert_true(said(&d, 2, "引用符", NULL));
    tk_diags_free(&d);
    free(p);
}

static void test_roster_reads_bom_cp932_and_quotes(void **state)
{
    (void)state;
    char *p = write_file("utf8.csv", "\xEF\xBB\xBF" "職員番号,氏名,所属,役職,メール,役割\r\n"
                                     "\r\n"
                                     "2001,\"山田 太郎\",総務課,係長,yamada@example.lg.jp,\"情報システム担当者、CSIRT\"\r\n"
                                     "２００２,佐藤 花子,　02　,,,\r\n");
    assert_int_equal(sh("tail -c +4 %s/utf8.csv | iconv -f UTF-8 -t CP932 > %s/sjis.csv", dir, dir), 0);
    const char *files[] = {"utf8.csv", "sjis.csv"};
    for (int f = 0; f < 2; f++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        tk_diags d;
        tk_diags_init(&d);
        tk_roster *r = tk_roster_load(path, org, "職員等", &HEADINGS, &d);
        tk_diags_print(&d, stderr);
        assert_non_null(r);
        assert_string_equal(r->encoding, f == 0 ? "UTF-8" : "CP932");
        assert_int_equal(r->npeople, 2);
        assert_string_equal(r->people[0].name, "山田 太郎");
        assert_string_equal(r->people[0].dept->code, "01");
        assert_string_equal(r->people[0].title, "係長");
        assert_int_equal(r->people[0].nroles, 3);
        assert_string_equal(r->people[0].roles[0], "職員等");
        assert_string_equal(r->people[0].roles[1], "情報システム担当者");
        assert_string_equal(r->people[0].roles[2], "CSIRT");
        assert_int_equal(r->people[0].line, 3);
        assert_string_equal(r->people[1].dept->code, "02");
        assert_null(r->people[1].mail);
        tk_roster_free(r);
        tk_diags_free(&d);
    }
    free(p);
}

/* A round of four people: two in 総務課 (one also 情報システム担当者), one
 * in 税務課, one in 住民課 who never answers. */
static const char *ROSTER = "職員番号,氏名,所属,メール,役割\n"
                            "3001,山田 太郎,01,yamada@example.lg.jp,\n"
                            "3002,佐藤 花子,01,sato@example.lg.jp,情報システム担当者\n"
                            "3003,鈴木 一郎,04,,\n"
                            "3004,高橋 愛,05,takahashi@example.lg.jp,\n";

static char files[4][512];

static int issue(void)
{
    char *p = write_file("roster.csv", ROSTER);
    tk_generate_opts o = {.org = "shime", .year = 2026, .kind = "staff", .roster = p, .deadline = "2027-01-29",
                          .out_dir = dir, .db_path = db, .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result r;
    int rc = tk_generate_run(&o, &d, &r);
    if (rc != 0)
        tk_diags_print(&d, stderr);
    for (size_t i = 0; rc == 0 && i < r.nworkbooks && i < 4; i++)
        snprintf(files[i], sizeof files[i], "%s", r.workbooks[i].file);
    if (rc == 0)
        tk_generate_result_free(&r);
    tk_diags_free(&d);
    free(p);
    return rc;
}

/* The item ids on a workbook's identity sheet, space separated. */
static char *workbook_items(const char *path)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = tk_xlsx_open(path, NULL, &d);
    assert_non_null(x);
    tk_arena *a = tk_arena_new();
    tk_xlsx_identity id;
    assert_int_equal(tk_xlsx_identity_read(x, a, &id, &d), 1);
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < id.nrows; i++)
        tk_buf_printf(&b, "%s ", id.rows[i].cell[1]);
    tk_xlsx_identity_free(&id);
    tk_arena_free(a);
    tk_xlsx_close(x);
    tk_diags_free(&d);
    return b.data ? tk_buf_steal(&b) : tk_xstrdup("");
}

/* The checklist's items in scope whose roles meet the given ones. */
static char *expected_items(const char *const *roles, size_t n)
{
    tk_buf b;
    tk_buf_init(&b);
    /* in workbook order: chapter sheets keep the checklist's order */
    for (size_t i = 0; i < cl->nitems; i++) {
        const tk_item *it = &cl->items[i];
        bool hit = false;
        for (size_t r = 0; r < it->nroles && !hit; r++)
            for (size_t k = 0; k < n && !hit; k++)
                hit = !strcmp(it->roles[r], roles[k]);
        if (hit && !it->out_of_scope)
            tk_buf_printf(&b, "%s ", it->id);
    }
    return b.data ? tk_buf_steal(&b) : tk_xstrdup("");
}

static void test_a_persons_workbook_holds_exactly_their_items(void **state)
{
    (void)state;
    assert_int_equal(issue(), 0);
    char want[512];
    snprintf(want, sizeof want, "%s/shime/2026-staff/01_総務課/3001_山田_太郎.xlsx", dir);
    assert_string_equal(files[0], want);
    const char *staff[] = {"職員等"}, *more[] = {"職員等", "情報システム担当者"};
    char *got = workbook_items(files[0]), *exp = expected_items(staff, 1);
    assert_true(strlen(exp) > 0);
    assert_string_equal(got, exp);
    free(got);
    free(exp);
    got = workbook_items(files[1]);
    exp = expected_items(more, 2);
    assert_string_equal(got, exp);
    free(got);
    free(exp);
    /* the distribution list a mail merge reads */
    char path[256];
    snprintf(path, sizeof path, "%s/shime/2026-staff/配布一覧.csv", dir);
    tk_buf csv;
    assert_int_equal(tk_file_read(path, 1 << 20, &csv), 0);
    assert_non_null(strstr(csv.data, "部署コード,部署名,職員番号,氏名,メール,ファイル,トークン,項目数,提出期限\r\n"));
    assert_non_null(strstr(csv.data, "01,総務課,3002,佐藤 花子,sato@example.lg.jp,01_総務課/3002_佐藤_花子.xlsx,"));
    tk_buf_free(&csv);
}

static enum tk_ingest_outcome ingest(const char *path, tk_diags *d)
{
    tk_store *st = tk_store_open(db, d);
    assert_non_null(st);
    tk_ingest_result r;
    tk_ingest_file(st, path, NULL, &r, d);
    tk_store_close(st);
    return r.outcome;
}

static bool any_says(const tk_diags *d, const char *w)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].message, w))
            return true;
    return false;
}

static void test_another_persons_workbook_is_refused(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    /* 3002 answers 3001's workbook in her own name */
    assert_int_equal(sh("/usr/bin/python3 tests/fill_workbooks.py --staff-number 3002 %s/wrong '%s' >/dev/null", dir, files[0]), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/wrong/%s", dir, strrchr(files[0], '/') + 1);
    tk_diags d;
    tk_diags_init(&d);
    assert_int_equal(ingest(path, &d), TK_INGEST_REFUSED);
    assert_true(any_says(&d, "3001"));
    assert_true(any_says(&d, "ほかの職員の点検票"));
    tk_diags_free(&d);
    /* 3001's file carrying 3002's token (copied into it) */
    assert_int_equal(sh("/usr/bin/python3 tests/fill_workbooks.py %s/own '%s' '%s' >/dev/null", dir, files[0], files[1]), 0);
    assert_int_equal(sh("/usr/bin/python3 - '%s/own/%s' '%s/own/%s' '%s/swapped.xlsx' <<'EOF'\n"
                        "import sys, openpyxl\n"
                        "a = openpyxl.load_workbook(sys.argv[1]); b = openpyxl.load_workbook(sys.argv[2])\n"
                        "tok = [r[1].value for r in b['_tenken'].iter_rows() if r[0].value == 'token'][0]\n"
                        "for r in a['_tenken'].iter_rows():\n"
                        "    if r[0].value == 'token': r[1].value = tok\n"
                        "a.save(sys.argv[3])\n"
                        "EOF",
                        dir, strrchr(files[0], '/') + 1, dir, strrchr(files[1], '/') + 1, dir),
                     0);
    snprintf(path, sizeof path, "%s/swapped.xlsx", dir);
    tk_diags_init(&d);
    assert_int_equal(ingest(path, &d), TK_INGEST_REFUSED);
    assert_true(any_says(&d, "respondent"));
    tk_diags_free(&d);
    /* nothing of either was stored */
    tk_store *st = tk_store_open(db, &d);
    long n = -1;
    sqlite3_stmt *q = tk_store_prepare(st, "SELECT count(*) FROM submission", &d);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    tk_store_done(st, q);
    tk_store_close(st);
    assert_int_equal(n, 0);
}

typedef struct people {
    char missing[256];
    int n;
} people;

static bool note_missing(const tk_staff_person *p, void *user)
{
    people *pp = user;
    pp->n++;
    if (!p->received_at)
        snprintf(pp->missing + strlen(pp->missing), sizeof pp->missing - strlen(pp->missing), "%s ", p->number);
    return true;
}

static void test_scores_by_department_are_the_answers_given(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    /* 3001 follows everything, 3002 nothing, 3003 knows nothing; 3004 never answers */
    assert_int_equal(sh("/usr/bin/python3 tests/fill_workbooks.py --every 実施している %s/a '%s' >/dev/null && "
                        "/usr/bin/python3 tests/fill_workbooks.py --every 実施していない %s/a '%s' >/dev/null && "
                        "/usr/bin/python3 tests/fill_workbooks.py --every わからない %s/a '%s' >/dev/null",
                        dir, files[0], dir, files[1], dir, files[2]),
                     0);
    tk_diags d;
    tk_diags_init(&d);
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/a/%s", dir, strrchr(files[i], '/') + 1);
        assert_int_equal(ingest(path, &d), TK_INGEST_ACCEPTED);
    }
    tk_store *st = tk_store_open(db, &d);
    people pp = {"", 0};
    assert_int_equal(tk_staff_people(st, "shime", 2026, NULL, note_missing, &pp, &d), 1);
    assert_int_equal(pp.n, 4);
    assert_string_equal(pp.missing, "3004 ");

    tk_results *r;
    assert_int_equal(tk_results_load(st, "shime", 2026, "staff", &r, &d), 1);
    tk_group *g;
    tk_tally total;
    size_t n = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    /* 総務課: 3001's items at 4 points of 4 and 3002's at 0, equal weights
     * item by item: the share of 3001's weight in the department's */
    double w1 = 0, w2 = 0;
    size_t n1 = 0, n2 = 0;
    char *e1 = workbook_items(files[0]), *e2 = workbook_items(files[1]);
    for (const char *p = e1; (p = strchr(p, ' ')); p++)
        n1++;
    for (const char *p = e2; (p = strchr(p, ' ')); p++)
        n2++;
    free(e1);
    free(e2);
    tk_arena *ca = tk_arena_new();
    tk_res_cell *cells;
    long nc = tk_results_dept_cells(st, r, (size_t)tk_results_find_dept(r, "01"), ca, &cells, &d);
    assert_true(nc > 0);
    for (long i = 0; i < nc; i++) {
        const tk_res_cell *c = &cells[i];
        assert_string_equal(r->depts[c->dept].code, "01");
        if (c->answer >= 0)
            *(r->answers[c->answer].points > 0 ? &w1 : &w2) += r->items[c->item].weight;
    }
    tk_arena_free(ca);
    bool seen01 = false, seen04 = false, seen05 = false;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(g[i].code, "01")) {
            seen01 = true;
            assert_int_equal(g[i].tally.answered, n1 + n2);
            assert_int_equal(g[i].tally.negative, n2);
            assert_true(fabs(tk_tally_score(&g[i].tally) - 100.0 * w1 / (w1 + w2)) < 1e-9);
        } else if (!strcmp(g[i].code, "04")) {
            /* わからない: -1 of 4 points */
            seen04 = true;
            assert_true(fabs(tk_tally_score(&g[i].tally) - -25.0) < 1e-9);
            assert_int_equal(g[i].tally.negative, g[i].tally.answered);
        } else if (!strcmp(g[i].code, "05")) {
            seen05 = true;
            assert_int_equal(g[i].tally.answered, 0);
            assert_true(isnan(tk_tally_score(&g[i].tally)));
        }
    }
    assert_true(seen01 && seen04 && seen05);
    free(g);

    /* 実施率 and 要研修 */
    tk_staff_rate *dr, *ir, tot;
    size_t nd, ni;
    assert_int_equal(tk_staff_rates(st, r, &dr, &nd, &ir, &ni, &tot, &d), 0);
    assert_int_equal(tot.people, 4);
    assert_int_equal(tot.answered, 3);
    for (size_t i = 0; i < nd; i++) {
        if (!strcmp(dr[i].code, "01")) {
            assert_int_equal(dr[i].people, 2);
            assert_int_equal(dr[i].positive, n1);
            assert_int_equal(dr[i].scored, n1 + n2);
            assert_int_equal(dr[i].flagged, 0);
        } else if (!strcmp(dr[i].code, "04")) {
            assert_int_equal(dr[i].positive, 0);
            assert_int_equal(dr[i].flagged, dr[i].scored);
            assert_true(dr[i].flagged > 0);
        }
    }
    /* every item of the staff role was answered by 3001 (positive), 3002 and 3003 */
    for (size_t i = 0; i < ni; i++)
        if (!strcmp(r->items[ir[i].index].roles, "職員等"))
            assert_true(fabs(tk_staff_rate_followed(&ir[i]) - 100.0 / 3.0) < 1e-9);
    free(dr);
    free(ir);
    tk_results_free(r);
    tk_store_close(st);
    tk_diags_free(&d);
}


/* The status a secretariat reminds people from: exactly the one who has
 * not answered (runs after the answers of the test before). */
static void test_status_lists_exactly_those_not_answered(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    const char *bin = getenv("TENKEN") && *getenv("TENKEN") ? getenv("TENKEN") : "build/tenken";
    assert_int_equal(sh("%s status --org shime --year 2026 --kind staff --missing --db %s > %s/missing.txt", bin, db, dir), 0);
    assert_int_equal(sh("%s status --org shime --year 2026 --kind staff --format csv --db %s > %s/missing.csv", bin, db, dir), 0);
    assert_int_equal(sh("%s status --org shime --year 2026 --kind staff --db %s > %s/all.txt", bin, db, dir), 0);
    char path[256];
    tk_buf t;
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    assert_int_equal(tk_file_read(path, 1 << 20, &t), 0);
    assert_non_null(strstr(t.data, "3004"));
    assert_non_null(strstr(t.data, "高橋 愛"));
    assert_null(strstr(t.data, "3001"));
    assert_null(strstr(t.data, "3003"));
    assert_non_null(strstr(t.data, "職員 4 人中 回答 3、未回答 1"));
    tk_buf_free(&t);
    snprintf(path, sizeof path, "%s/missing.csv", dir);
    assert_int_equal(tk_file_read(path, 1 << 20, &t), 0);
    /* the heading and one person */
    size_t lines = 0;
    for (size_t i = 0; i < t.len; i++)
        lines += t.data[i] == '\n';
    assert_int_equal(lines, 2);
    assert_non_null(strstr(t.data, "\"05\",\"住民課\",\"3004\",\"高橋 愛\",\"takahashi@example.lg.jp\""));
    tk_buf_free(&t);
    snprintf(path, sizeof path, "%s/all.txt", dir);
    assert_int_equal(tk_file_read(path, 1 << 20, &t), 0);
    assert_non_null(strstr(t.data, "総務課"));
    assert_non_null(strstr(t.data, "75.0%")); /* 3 of 4 */
    tk_buf_free(&t);
}

/* The committee report of the year (the department round's, here a round
 * of one department) carries the staff section. */
static void test_committee_report_carries_the_staff_section(void **state)
{
    (void)state;
    if (!have_openpyxl() || sh("command -v pdftotext >/dev/null") != 0)
        skip();
    const char *deps[] = {"04"};
    tk_generate_opts o = {.org = "shime", .year = 2026, .kind = "self", .departments = deps, .ndepartments = 1,
                          .out_dir = dir, .db_path = db, .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result g;
    assert_int_equal(tk_generate_run(&o, &d, &g), 0);
    tk_generate_result_free(&g);
    const char *bin = getenv("TENKEN") && *getenv("TENKEN") ? getenv("TENKEN") : "build/tenken";
    assert_int_equal(sh("%s report committee --org shime --year 2026 --db %s -o %s/committee.pdf >/dev/null", bin, db, dir), 0);
    assert_int_equal(sh("pdftotext -layout -enc UTF-8 %s/committee.pdf %s/committee.txt", dir, dir), 0);
    char path[256];
    tk_buf t;
    snprintf(path, sizeof path, "%s/committee.txt", dir);
    assert_int_equal(tk_file_read(path, 1 << 22, &t), 0);
    assert_non_null(strstr(t.data, "職員セルフチェック"));
    assert_non_null(strstr(t.data, "職員 4 人に配布し、3 人が回答"));
    assert_non_null(strstr(t.data, "回答率 75.0%"));
    assert_non_null(strstr(t.data, "守られていないことの多い項目"));
    assert_non_null(strstr(t.data, "項目別の実施率"));
    tk_buf_free(&t);
    tk_diags_free(&d);
}

/* A staff template asks no remediation plan: a plan is a department's. */
static void test_staff_template_refuses_plan_columns(void **state)
{
    (void)state;
    assert_int_equal(sh("sed 's#<column key=\"note\"#<column key=\"plan\" heading=\"改善内容\" width=\"20\"/><column key=\"note\"#' "
                        "templates/staff.xml > %s/planned.xml",
                        dir),
                     0);
    char path[256];
    snprintf(path, sizeof path, "%s/planned.xml", dir);
    tk_diags d;
    tk_diags_init(&d);
    tk_template *t = tk_template_load(path, "templates", &d);
    assert_null(t);
    assert_true(any_says(&d, "職員セルフチェック (staff) のひな形では使えません"));
    tk_diags_free(&d);
}

/* A database of schema 3 (before staff rounds), made from the first three
 * migrations as store.c keeps them, is brought to 4 when opened and takes a
 * staff round in the same connection. */
static void test_schema_3_database_takes_a_staff_round(void **state)
{
    (void)state;
    assert_int_equal(sh("/usr/bin/python3 - src/store.c %s/v3.db <<'EOF'\n"
                        "import re, sqlite3, sys\n"
                        "src = open(sys.argv[1], encoding='utf-8').read()\n"
                        "body = src[src.index('MIGRATIONS[] = {'):src.index('#define NMIGRATIONS')]\n"
                        "parts = re.split(r'\\n    /\\*', body)[1:4]\n"
                        "c = sqlite3.connect(sys.argv[2])\n"
                        "c.execute('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)')\n"
                        "c.execute('PRAGMA application_id = %%d' %% 0x544B4E4B)\n"
                        "for p in parts:\n"
                        "    c.executescript(''.join(x.replace('\\\\n', '\\n') for x in re.findall(r'\"((?:[^\"\\\\]|\\\\.)*)\"', p)))\n"
                        "c.execute(\"INSERT INTO meta VALUES ('schema_version', '3')\")\n"
                        "c.commit()\n"
                        "EOF",
                        dir),
                     0);
    char v3[128], out[128];
    snprintf(v3, sizeof v3, "%s/v3.db", dir);
    snprintf(out, sizeof out, "%s/v3", dir);
    assert_int_equal(sh("test \"$(sqlite3 %s 'SELECT value FROM meta; SELECT count(*) FROM sqlite_schema WHERE name = \"plan_log_plan\"' | tr '\\n' ' ')\" = '3 1 '", v3), 0);
    char *roster = write_file("v3.csv", ROSTER);
    tk_generate_opts o = {.org = "shime", .year = 2026, .kind = "staff", .roster = roster, .out_dir = out, .db_path = v3,
                          .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result r;
    int rc = tk_generate_run(&o, &d, &r);
    tk_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    assert_int_equal(r.nworkbooks, 4);
    tk_generate_result_free(&r);
    tk_store *st = tk_store_open(v3, &d);
    assert_int_equal(tk_store_schema_version(st), TK_STORE_SCHEMA_VERSION);
    tk_store_close(st);
    tk_diags_free(&d);
    free(roster);
}

/* The maturity scale (1..5) from a copy of self.xml: points as data,
 * recorded as shares of the best answer. */
static void test_scale_points_come_from_the_template(void **state)
{
    (void)state;
    assert_int_equal(sh("/usr/bin/python3 - templates/self.xml %s/maturity.xml <<'EOF'\n"
                        "import re, sys\n"
                        "s = open(sys.argv[1], encoding='utf-8').read()\n"
                        "scale = '<scale>' + ''.join('<answer value=\"%%d\" points=\"%%d\"%%s>x</answer>' %% (p, p, '' if p >= 4 else ' negative=\"true\"') for p in (5, 4, 3, 2, 1)) + '<answer value=\"該当しない\" excluded=\"true\"/></scale>'\n"
                        "open(sys.argv[2], 'w', encoding='utf-8').write(re.sub(r'<scale>.*?</scale>', scale, s, flags=re.S))\n"
                        "EOF",
                        dir),
                     0);
    char tpl[128], mdb[128], mout[128];
    snprintf(tpl, sizeof tpl, "%s/maturity.xml", dir);
    snprintf(mdb, sizeof mdb, "%s/m.db", dir);
    snprintf(mout, sizeof mout, "%s/m", dir);
    const char *deps[] = {"04"};
    tk_generate_opts o = {.org = "shime", .year = 2026, .kind = "self", .departments = deps, .ndepartments = 1,
                          .out_dir = mout, .db_path = mdb, .template_path = tpl, .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result r;
    int rc = tk_generate_run(&o, &d, &r);
    tk_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    tk_generate_result_free(&r);
    tk_store *st = tk_store_open(mdb, &d);
    sqlite3_stmt *q = tk_store_prepare(st, "SELECT group_concat(value || '=' || coalesce(points, 'x'), ' ') FROM "
                                           "(SELECT * FROM campaign_answer ORDER BY seq)", &d);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "5=1.0 4=0.8 3=0.6 2=0.4 1=0.2 該当しない=x");
    tk_store_done(st, q);
    tk_store_close(st);
    tk_diags_free(&d);
}

/* --split role: one workbook per role the department holds; together they
 * ask each of the department's items exactly once. */
static void test_split_role_asks_each_item_once(void **state)
{
    (void)state;
    char sdb[128], sdir[128];
    snprintf(sdb, sizeof sdb, "%s/split.db", dir);
    snprintf(sdir, sizeof sdir, "%s/split", dir);
    const char *deps[] = {"01"};
    tk_generate_opts o = {.org = "shime", .year = 2026, .kind = "self", .split_role = true, .departments = deps,
                          .ndepartments = 1, .out_dir = sdir, .db_path = sdb, .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result r;
    int rc = tk_generate_run(&o, &d, &r);
    tk_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    assert_true(r.nworkbooks > 3);
    tk_buf all;
    tk_buf_init(&all);
    tk_strmap seen = {0};
    size_t total = 0;
    for (size_t i = 0; i < r.nworkbooks; i++) {
        assert_non_null(strstr(r.workbooks[i].file, "/01_総務課_"));
        /* the department as shown (cover, page headers) names the role:
         * 総務課（ROLE） where ROLE is the file name's last part */
        const char *role = strstr(r.workbooks[i].file, "/01_総務課_") + strlen("/01_総務課_");
        char shown[256];
        snprintf(shown, sizeof shown, "総務課（%.*s）", (int)(strlen(role) - strlen(".xlsx")), role);
        assert_int_equal(sh("unzip -p '%s' xl/sharedStrings.xml | grep -q '%s'", r.workbooks[i].file, shown), 0);
        char *ids = workbook_items(r.workbooks[i].file);
        for (char *p = ids, *sp; (sp = strchr(p, ' ')); p = sp + 1) {
            *sp = '\0';
            bool dup = false;
            tk_strmap_put(&seen, tk_arena_strdup(cl->arena, p), "", &dup);
            assert_false(dup);
            total++;
        }
        free(ids);
    }
    size_t want = 0;
    for (size_t i = 0; i < cl->nitems; i++)
        want += tk_item_applies(&cl->items[i], &org->departments[0]);
    assert_int_equal(total, want);
    tk_strmap_free(&seen);
    tk_buf_free(&all);
    tk_generate_result_free(&r);
    tk_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roster_reports_every_problem_with_its_line),
        cmocka_unit_test(test_roster_reads_bom_cp932_and_quotes),
        cmocka_unit_test(test_a_persons_workbook_holds_exactly_their_items),
        cmocka_unit_test(test_another_persons_workbook_is_refused),
        cmocka_unit_test(test_scores_by_department_are_the_answers_given),
        cmocka_unit_test(test_status_lists_exactly_those_not_answered),
        cmocka_unit_test(test_committee_report_carries_the_staff_section),
        cmocka_unit_test(test_staff_template_refuses_plan_columns),
        cmocka_unit_test(test_schema_3_database_takes_a_staff_round),
        cmocka_unit_test(test_scale_points_come_from_the_template),
        cmocka_unit_test(test_split_role_asks_each_item_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
