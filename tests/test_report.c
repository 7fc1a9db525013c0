/* test_report.c — tenken report: every figure the PDFs print equals what
 * tk_results_group and tk_fmt1 give (the arithmetic of `tenken score`),
 * read back with pdftotext; the PDFs pass qpdf --check with a subset font
 * embedded; sizes stay small; existing files are kept without --force; a
 * campaign that does not exist is refused in Japanese. The data is the
 * sample organisation (志免町) over two years, issued by tenken generate,
 * filled by openpyxl (tests/fill_workbooks.py) and taken in by tenken ingest,
 * as in `make demo`. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tenken/planlist.h"
#include "tenken/report.h"
#include "tenken/results.h"
#include "tenken/score.h"
#include "tenken/store.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "testutil.h"

static char dir[64];
static char db[128];
static char bin[512];
static bool have_data; /* openpyxl and the PDF tools are there */

/* Output (stdout and stderr) of a command, and its exit code. */
static char *run(int *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *run(int *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = tk_vformat(fmt, ap);
    va_end(ap);
    FILE *f = popen(cmd, "r");
    free(cmd);
    assert_non_null(f);
    tk_buf b;
    tk_buf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        tk_buf_append(&b, chunk, n);
    int st = pclose(f);
    if (code)
        *code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    if (!b.data)
        tk_buf_puts(&b, "");
    return tk_buf_steal(&b);
}

static char *pdf_text(const char *path)
{
    int code;
    char *t = run(&code, "pdftotext -layout -enc UTF-8 '%s' - 2>&1", path);
    assert_int_equal(code, 0);
    return t;
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* ---- reading the text back ---- */

/* The whitespace-separated tokens of a piece of text. */
typedef struct toks {
    char *buf;
    char **v;
    size_t n;
} toks;

static toks tokenize(const char *s, size_t len)
{
    toks t = {tk_xcalloc(len + 1, 1), tk_xcalloc(len / 2 + 2, sizeof(char *)), 0};
    memcpy(t.buf, s, len);
    char *p = t.buf;
    while (*p) {
        while (*p == ' ' || *p == '\n' || *p == '\f' || *p == '\t')
            *p++ = 0;
        if (!*p)
            break;
        t.v[t.n++] = p;
        while (*p && *p != ' ' && *p != '\n' && *p != '\f' && *p != '\t')
            p++;
    }
    return t;
}

static void toks_free(toks *t)
{
    free(t->buf);
    free(t->v);
}

/* Does some line of text hold label (at its start when anchored), followed
 * on the same line by exactly the tokens want (exact) or by want in this
 * order with others between (!exact)? When the label is not on one line
 * (a wrapped table cell), the longest prefix of it of at least six
 * characters is looked for, and the two lines below count as its line. */
static bool row_has(const char *text, const char *label, const char *const *want, size_t n, bool exact, bool anchored)
{
    size_t llen = strlen(label);
    for (int attempt = 0; attempt < 64 && llen > 0; attempt++) {
        char *lab = tk_xcalloc(llen + 1, 1);
        memcpy(lab, label, llen);
        const char *p = text;
        while ((p = strstr(p, lab)) != NULL) {
            const char *ls = p;
            while (ls > text && ls[-1] != '\n')
                ls--;
            bool at_start = true;
            for (const char *q = ls; q < p; q++)
                at_start &= *q == ' ';
            const char *rest = p + llen, *end = strchr(rest, '\n');
            if (!end)
                end = rest + strlen(rest);
            if (attempt > 0) /* a wrapped label: its row may sit on the next lines */
                for (int k = 0; k < 2 && *end; k++) {
                    const char *e2 = strchr(end + 1, '\n');
                    end = e2 ? e2 : end + strlen(end);
                }
            if (!anchored || at_start) {
                toks t = tokenize(rest, (size_t)(end - rest));
                bool ok;
                if (exact) {
                    ok = t.n == n;
                    for (size_t i = 0; ok && i < n; i++)
                        ok = !strcmp(t.v[i], want[i]);
                } else {
                    size_t j = 0;
                    for (size_t i = 0; i < t.n && j < n; i++)
                        if (!strcmp(t.v[i], want[j]))
                            j++;
                    ok = j == n;
                }
                toks_free(&t);
                if (ok) {
                    free(lab);
                    return true;
                }
            }
            p += llen;
        }
        free(lab);
        if (exact)
            return false;
        /* shorten by one character, keeping at least six */
        size_t cut = llen;
        do
            cut--;
        while (cut > 0 && ((unsigned char)label[cut] & 0xC0) == 0x80);
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%.*s", (int)cut, label);
        if (tk_utf8_count(tmp) < 6)
            break;
        llen = cut;
    }
    return false;
}

/* A line holding label and, after it, the text needle. */
static bool line_has(const char *text, const char *label, const char *needle)
{
    for (const char *p = text; (p = strstr(p, label)) != NULL; p++) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *line = tk_xcalloc(n + 1, 1);
        memcpy(line, p, n);
        bool ok = strstr(line + strlen(label), needle) != NULL;
        free(line);
        if (ok)
            return true;
    }
    return false;
}

static const char *fmt(char b[16], double v) { return tk_fmt1(v, b); }

/* printf into a static buffer, for a needle used at once. */
static const char *sfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *sfmt(const char *fmt, ...)
{
    static char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

/* The text with its lines joined (a wrapped sentence in one piece): line
 * breaks, page breaks and the indentation after them dropped. */
static char *flatten(const char *text)
{
    char *flat = tk_xstrdup(text);
    size_t k = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n' || *p == '\f') {
            while (p[1] == ' ')
                p++;
            continue;
        }
        flat[k++] = *p;
    }
    flat[k] = 0;
    return flat;
}


/* ---- fixture: two years of the sample organisation ---- */

static bool have(const char *what) { return sh("%s >/dev/null 2>&1", what) == 0; }

static int issue_and_fill(int year, const char *deadline, int seed)
{
    if (sh("'%s' generate --org shime --year %d --deadline %s --out %s --db %s -q >/dev/null 2>&1", bin, year, deadline,
           dir, db))
        return -1;
    if (sh("/usr/bin/python3 tests/fill_workbooks.py --date-styles --seed %d %s/filled%d %s/shime/%d-self/*.xlsx "
           ">/dev/null",
           seed, dir, year, dir, year))
        return -1;
    return sh("'%s' ingest -q %s/filled%d --db %s >/dev/null 2>&1", bin, dir, year, db) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    const char *env = getenv("TENKEN");
    snprintf(bin, sizeof bin, "%s", env && *env ? env : "build/tenken");
    setenv("TENKEN_TODAY", "2027-03-01", 1);
    setenv("TENKEN_DB", "/nonexistent/never.db", 1); /* every call names its --db */
    snprintf(dir, sizeof dir, "/tmp/tenken-report-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    have_data = have("/usr/bin/python3 -c 'import openpyxl'") && have("command -v pdftotext") &&
                have("command -v qpdf") && have("command -v pdffonts") && access(bin, X_OK) == 0;
    if (!have_data)
        return 0;
    if (issue_and_fill(2025, "2026-01-30", 7) || issue_and_fill(2026, "2027-01-29", 2026))
        return -1;
    /* plans in every state, so that the report has something to count */
    sqlite3 *h;
    if (sqlite3_open(db, &h) != SQLITE_OK)
        return -1;
    int rc = sqlite3_exec(h,
                          "UPDATE plan SET status = 'done' WHERE id % 5 = 0;"
                          "UPDATE plan SET status = 'in-progress' WHERE id % 7 = 1;"
                          "UPDATE plan SET status = 'postponed' WHERE id % 23 = 2;"
                          "UPDATE plan SET status = 'risk-accepted' WHERE id % 31 = 3;",
                          NULL, NULL, NULL);
    sqlite3_close(h);
    if (rc != SQLITE_OK)
        return -1;
    if (sh("'%s' report committee --org shime --year 2026 --db %s -o %s/out/committee.pdf -q", bin, db, dir) ||
        sh("'%s' report departments --org shime --year 2026 --db %s -o %s/out/depts -q", bin, db, dir) ||
        sh("'%s' report summary --org shime --year 2026 --db %s -o %s/out/summary.xlsx -q", bin, db, dir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf %s", dir) == 0 ? 0 : -1;
}

static tk_results *load(int year)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    assert_non_null(st);
    tk_results *r = NULL;
    assert_int_equal(tk_results_load(st, "shime", year, "self", &r, &d), 1);
    tk_store_close(st);
    tk_diags_free(&d);
    return r;
}

/* Every cell of r read back from the database (tk_results_cells), in a:
 * the tests' own count, beside the tallies. */
typedef struct cell_vec {
    tk_arena *a;
    tk_res_cell *v;
    size_t n, cap;
} cell_vec;

static int keep_cell(void *user, const tk_res_cell *c)
{
    cell_vec *cv = user;
    if (cv->n == cv->cap) {
        cv->cap = cv->cap ? cv->cap * 2 : 256;
        tk_res_cell *nv = tk_arena_alloc(cv->a, cv->cap * sizeof *nv);
        if (cv->n)
            memcpy(nv, cv->v, cv->n * sizeof *nv);
        cv->v = nv;
    }
    tk_res_cell *o = &cv->v[cv->n++];
    *o = *c;
    o->flag = c->flag ? tk_arena_strdup(cv->a, c->flag) : NULL;
    o->plan = o->owner = o->due = o->evidence = o->note = o->finding = NULL;
    return 0;
}

static size_t all_cells(const tk_results *r, tk_arena *a, tk_res_cell **out)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    assert_non_null(st);
    cell_vec cv = {.a = a};
    assert_int_equal(tk_results_cells(st, r, -1, keep_cell, &cv, &d), 0);
    tk_store_close(st);
    tk_diags_free(&d);
    *out = cv.v;
    return cv.n;
}

#define NEED_DATA()                                                                                                    \
    do {                                                                                                               \
        if (!have_data)                                                                                                \
            skip();                                                                                                    \
    } while (0)

/* ---- the committee report ---- */

static void test_committee_figures_equal_tenken_score(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256], b1[16], b2[16], b3[16];
    snprintf(path, sizeof path, "%s/out/committee.pdf", dir);
    char *text = pdf_text(path);
    tk_results *r = load(2026), *pr = load(2025);
    tk_group *g, *pg;
    tk_tally total, ptotal;
    size_t n = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    size_t pn = tk_results_group(pr, TK_BY_DEPARTMENT, &pg, &ptotal);
    assert_int_equal(n, 18);

    /* summary */
    assert_true(line_has(text, "全体の得点", fmt(b1, tk_tally_score(&total))));
    assert_true(line_has(text, "全体の得点", fmt(b1, tk_tally_score(&ptotal))));
    assert_true(line_has(text, "回答率（%）", fmt(b1, tk_tally_answer_rate(&total))));
    char count[64];
    snprintf(count, sizeof count, "回答 %zu / 対象 %zu 項目", total.answered, tk_tally_applicable(&total));
    assert_true(line_has(text, "回答率（%）", count));
    assert_true(line_has(text, "点検票の回収", "18 / 18 部署"));
    snprintf(count, sizeof count, "%zu 件", total.negative);
    assert_true(line_has(text, "否定的な回答", count));
    assert_true(strstr(text, "令和8年度（2026年度）") != NULL);

    /* the department table: score, answer rate, negative answers, and the
     * previous year's score beside */
    for (size_t i = 0; i < n; i++) {
        double ps = NAN;
        for (size_t k = 0; k < pn; k++)
            if (!strcmp(pg[k].code, g[i].code))
                ps = tk_tally_score(&pg[k].tally);
        char neg[32];
        snprintf(neg, sizeof neg, "%zu", g[i].tally.negative);
        const char *want[] = {fmt(b1, tk_tally_score(&g[i].tally)), fmt(b2, tk_tally_answer_rate(&g[i].tally)), neg,
                              fmt(b3, ps)};
        if (!row_has(text, g[i].label, want, 4, false, false))
            fail_msg("部署別の表に %s の %s %s %s %s がありません", g[i].label, want[0], want[1], want[2], want[3]);
    }

    /* the heat map: each department's row holds exactly its chapter scores */
    tk_group *ch;
    tk_tally t2;
    size_t nch = tk_results_group(r, TK_BY_CHAPTER, &ch, &t2);
    assert_true(nch >= 5);
    char(*cells)[16] = tk_xcalloc(nch, sizeof *cells);
    const char **want = tk_xcalloc(nch, sizeof *want);
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < nch; c++) {
            tk_tally t = tk_results_dept_chapter(r, g[i].index, ch[c].label);
            want[c] = tk_fmt1(tk_tally_score(&t), cells[c]);
        }
        if (!row_has(text, g[i].label, want, nch, true, true))
            fail_msg("ヒートマップに %s の行 (%s %s …) がありません", g[i].label, want[0], want[1]);
    }
    /* each heat-map column says how many items its chapter has */
    for (size_t c = 0; c < nch; c++) {
        size_t items = 0;
        for (size_t k = 0; k < r->nitems; k++)
            items += !strcmp(r->items[k].chapter, ch[c].label);
        char note[32];
        snprintf(note, sizeof note, "%zu項目", items);
        if (!strstr(text, note))
            fail_msg("ヒートマップの列に「%s」(%s) がありません", note, ch[c].label);
    }
    assert_non_null(strstr(text, "回答 3 項目未満（参考）"));
    /* the chapter table */
    for (size_t c = 0; c < nch; c++) {
        char a[32], p[32];
        snprintf(a, sizeof a, "%zu", ch[c].tally.answered);
        snprintf(p, sizeof p, "%zu", tk_tally_applicable(&ch[c].tally));
        const char *w[] = {fmt(b1, tk_tally_score(&ch[c].tally)), fmt(b2, tk_tally_answer_rate(&ch[c].tally)), a, "/",
                           p};
        if (!row_has(text, ch[c].label, w, 5, false, true))
            fail_msg("章別の表に %s の %s %s %s / %s がありません", ch[c].label, w[0], w[1], a, p);
    }
    /* the weakest item and its score */
    tk_group *it;
    size_t nit = tk_results_group(r, TK_BY_ITEM, &it, &t2);
    double low = 101;
    for (size_t k = 0; k < nit; k++) {
        double s = tk_round1(tk_tally_score(&it[k].tally));
        if (!isnan(s) && s < low)
            low = s;
    }
    assert_true(strstr(text, "得点の低い項目") != NULL);
    assert_true(strstr(text, fmt(b1, low)) != NULL);

    free(it);
    free(cells);
    free(want);
    free(ch);
    free(g);
    free(pg);
    tk_results_free(r);
    tk_results_free(pr);
    free(text);
}

/* Page 1 counts every open plan of this kind the organisation carries on
 * the report's date, earlier years' too, with the overdue ones: the same
 * figures as the plans section, `tenken plans --kind self --status
 * open|overdue` and tk_plans_list; the 前年度 column holds last year's
 * 要対応, plans and cross-cutting items. */
static size_t plans_upto(int year, enum tk_plan_filter f)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    assert_non_null(st);
    tk_plan_list l;
    tk_plan_query q = {.org = "shime", .kind = "self", .filter = f, .today = {2027, 3, 1}};
    assert_int_equal(tk_plans_list(st, &q, &l, &d), 0);
    size_t n = 0;
    for (size_t i = 0; i < l.n; i++)
        n += l.rows[i].year <= year;
    tk_plan_list_free(&l);
    tk_store_close(st);
    tk_diags_free(&d);
    return n;
}

static size_t cli_plans(const char *status)
{
    int code;
    char *out = run(&code, "'%s' plans --org shime --kind self --status %s --format csv --db %s", bin, status, db);
    assert_int_equal(code, 0);
    size_t lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    free(out);
    return lines - 1; /* the heading row */
}

static size_t cross_cutting_items(const tk_results *r)
{
    tk_group *g;
    tk_tally t;
    size_t n = tk_results_group(r, TK_BY_ITEM, &g, &t), m = 0;
    for (size_t i = 0; i < n; i++)
        m += g[i].tally.negative >= 2 && (double)g[i].tally.negative / (double)g[i].tally.answered >= 0.30;
    free(g);
    return m;
}

static void test_committee_page1_counts_open_plans_of_every_year(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256];
    snprintf(path, sizeof path, "%s/out/committee.pdf", dir);
    char *text = pdf_text(path);
    size_t open = plans_upto(2026, TK_PLANS_OPEN), late = plans_upto(2026, TK_PLANS_OVERDUE);
    size_t late_this = 0, open_this = 0;
    {
        tk_diags d;
        tk_diags_init(&d);
        tk_store *st = tk_store_open(db, &d);
        tk_plan_list l;
        tk_plan_query q = {.org = "shime", .year = 2026, .kind = "self", .filter = TK_PLANS_OVERDUE, .today = {2027, 3, 1}};
        assert_int_equal(tk_plans_list(st, &q, &l, &d), 0);
        late_this = l.n;
        tk_plan_list_free(&l);
        q.filter = TK_PLANS_OPEN;
        assert_int_equal(tk_plans_list(st, &q, &l, &d), 0);
        open_this = l.n;
        tk_plan_list_free(&l);
        tk_store_close(st);
        tk_diags_free(&d);
    }
    /* the fixture carries open and overdue plans from 2025, so that a
     * count of this year's plans alone differs */
    assert_true(open > open_this);
    assert_true(late > late_this);
    /* `tenken plans` on the same day (TENKEN_TODAY) agrees */
    assert_int_equal(cli_plans("open"), open);
    assert_int_equal(cli_plans("overdue"), late);
    char n1[32], n2[32];
    snprintf(n1, sizeof n1, "%zu", open);
    snprintf(n2, sizeof n2, "%zu", late);
    const char *w1[] = {n1, "件", "—"}, *w2[] = {n2, "件", "—"};
    if (!row_has(text, "未完了の改善計画（全年度）", w1, 3, true, false))
        fail_msg("1 ページの未完了の改善計画が %s 件ではありません", n1);
    if (!row_has(text, "うち完了予定日を過ぎたもの", w2, 3, true, false))
        fail_msg("1 ページの期限超過が %s 件ではありません", n2);
    /* the plans section says the same */
    char sentence[256];
    snprintf(sentence, sizeof sentence, "完了していない改善計画は %zu 件、うち完了予定日を過ぎたもの %zu 件", open, late);
    char *flat = flatten(text);
    if (!strstr(flat, sentence))
        fail_msg("改善計画の節に「%s」がありません", sentence);
    free(flat);

    /* an audit round's plans are the organisation's too: page 1 then also
     * gives the figures of every kind, those of `tenken plans` without
     * --kind */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h,
                                  "INSERT INTO campaign (org, year, kind, checklist_hash, org_name, template, created_at) "
                                  "VALUES ('shime', 2026, 'audit', 'x', '志免町', 'audit.xml', '2026-11-01T00:00:00Z');"
                                  "INSERT INTO plan (campaign_id, department_code, item_id, origin, content, owner, due, status, "
                                  " created_at, updated_at) SELECT id, '01', 'tk-audit-1', 'finding', '是正する', '課長', "
                                  " '2027-01-31', 'not-started', '2026-11-01', '2026-11-01' FROM campaign WHERE kind = 'audit';"
                                  "INSERT INTO plan (campaign_id, department_code, item_id, origin, content, owner, due, status, "
                                  " created_at, updated_at) SELECT id, '01', 'tk-audit-2', 'finding', '是正する', '課長', "
                                  " '2027-09-30', 'in-progress', '2026-11-01', '2026-11-01' FROM campaign WHERE kind = 'audit';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    char both[256];
    snprintf(both, sizeof both, "%s/out/committee-audit.pdf", dir);
    assert_int_equal(sh("'%s' report committee --org shime --year 2026 --db %s -o %s -q", bin, db, both), 0);
    int code;
    char *out = run(&code, "'%s' plans --org shime --status overdue --db %s | tail -n 1", bin, db);
    char *t2 = pdf_text(both);
    const char *w6[] = {sfmt("%zu", open + 2), "件、うち期限超過"};
    assert_true(row_has(t2, "（参考）自己点検・監査の計", w6, 2, false, false));
    assert_non_null(strstr(t2, sfmt("うち期限超過 %zu 件", late + 1)));
    assert_non_null(strstr(out, sfmt("plans: %zu 件", late + 1))); /* tenken plans, every kind */
    free(out);
    free(t2);
    assert_null(strstr(text, "自己点検・監査の計")); /* one kind only: no such row */
    assert_int_equal(sqlite3_exec(h,
                                  "DELETE FROM plan WHERE item_id LIKE 'tk-audit-%';"
                                  "DELETE FROM campaign WHERE kind = 'audit';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);

    /* the 前年度 column */
    tk_results *r = load(2026), *pr = load(2025);
    size_t fl = 0, pfl = 0;
    tk_arena *ca = tk_arena_new();
    tk_res_cell *cells, *pcells;
    size_t ncells = all_cells(r, ca, &cells), npcells = all_cells(pr, ca, &pcells);
    for (size_t i = 0; i < ncells; i++)
        fl += cells[i].flag != NULL;
    for (size_t i = 0; i < npcells; i++)
        pfl += pcells[i].flag != NULL;
    tk_arena_free(ca);
    char a[32], b[32];
    snprintf(a, sizeof a, "%zu", fl);
    snprintf(b, sizeof b, "%zu", pfl);
    const char *w3[] = {a, "件", b, "件"};
    assert_true(row_has(text, "要対応（改善計画等の未記入）", w3, 4, true, false));
    snprintf(a, sizeof a, "%zu", cross_cutting_items(r));
    snprintf(b, sizeof b, "%zu", cross_cutting_items(pr));
    const char *w4[] = {a, "項目", b, "項目"};
    assert_true(row_has(text, "横断的課題", w4, 4, true, true));
    snprintf(a, sizeof a, "%zu", plans_upto(2026, TK_PLANS_ALL) - plans_upto(2025, TK_PLANS_ALL));
    snprintf(b, sizeof b, "%zu", plans_upto(2025, TK_PLANS_ALL));
    const char *w5[] = {a, "件", b, "件"};
    assert_true(row_has(text, "改善計画（当年度の点検分）", w5, 4, true, false));
    tk_results_free(r);
    tk_results_free(pr);
    free(text);
}

/* 総評 is drafted from the figures with the template's sentences: the
 * level and its change from last year, the weakest chapter, the
 * departments below the threshold, earlier years' plans; 点検の概要 names
 * the policy's own clause that orders the round, the period and the
 * roles. */
static void test_committee_comment_and_overview_are_drafted_from_the_figures(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256], b1[16], b2[16], b3[16];
    snprintf(path, sizeof path, "%s/out/committee.pdf", dir);
    char *text = pdf_text(path), *flat = flatten(text);
    tk_results *r = load(2026), *pr = load(2025);
    tk_group *g;
    tk_tally total, ptotal;
    size_t n = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    free(g);
    tk_results_group(pr, TK_BY_DEPARTMENT, &g, &ptotal);
    free(g);
    double sc = tk_round1(tk_tally_score(&total)), ps = tk_round1(tk_tally_score(&ptotal));
    char want[512];
    snprintf(want, sizeof want, "全体の得点は %s（%s）で、前年度の %s から %s ポイント%s", fmt(b1, sc),
             sc >= 90 ? "良好" : sc >= 70 ? "おおむね良好" : "改善が必要", fmt(b2, ps), fmt(b3, fabs(sc - ps)),
             sc > ps ? "上がりました" : "下がりました");
    if (!strstr(flat, want))
        fail_msg("総評に「%s」がありません", want);
    /* the weakest chapter is named with its score */
    tk_group *ch;
    size_t nch = tk_results_group(r, TK_BY_CHAPTER, &ch, &total), low = 0;
    for (size_t c = 1; c < nch; c++)
        if (tk_round1(tk_tally_score(&ch[c].tally)) < tk_round1(tk_tally_score(&ch[low].tally)))
            low = c;
    snprintf(want, sizeof want, "章別では「%s」（%s）", ch[low].label, fmt(b1, tk_tally_score(&ch[low].tally)));
    if (!strstr(flat, want))
        fail_msg("総評に「%s」がありません", want);
    free(ch);
    /* departments below 70.0 */
    n = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    size_t below = 0;
    for (size_t i = 0; i < n; i++)
        below += tk_round1(tk_tally_score(&g[i].tally)) < 70.0;
    free(g);
    snprintf(want, sizeof want, below ? "得点が 70.0 未満の部署は %zu 部署" : "得点が 70.0 未満の部署はありませんでした", below);
    assert_non_null(strstr(flat, want));
    /* earlier years' plans: those of 2025, on the report's date */
    size_t t25 = plans_upto(2025, TK_PLANS_ALL), o25 = plans_upto(2025, TK_PLANS_OPEN),
           l25 = plans_upto(2025, TK_PLANS_OVERDUE);
    snprintf(want, sizeof want, "改善計画 %zu 件のうち %zu 件が完了しておらず、うち %zu 件は完了予定日を過ぎています", t25,
             o25, l25);
    if (!strstr(flat, want))
        fail_msg("総評に「%s」がありません", want);

    /* 点検の概要: the clause that orders the self-inspection, by its ref */
    const char *ref = NULL;
    for (size_t k = 0; k < r->nitems && !ref; k++)
        if (strstr(r->items[k].text, "自己点検") && strstr(r->items[k].chapter, "評価"))
            ref = r->items[k].ref;
    assert_non_null(ref);
    snprintf(want, sizeof want, "情報セキュリティポリシー %s「", ref);
    if (!strstr(flat, want))
        fail_msg("点検の概要に「%s」がありません", want);
    for (size_t i = 0; i < 6; i++) {
        static const char *const rows[] = {"目的", "根拠", "対象", "実施期間", "実施体制", "方法"};
        if (!row_has(text, rows[i], NULL, 0, false, true))
            fail_msg("点検の概要に「%s」の行がありません", rows[i]);
    }
    assert_true(line_has(text, "配布", "（20"));
    assert_true(line_has(text, "回収", "（18 / 18 部"));
    assert_non_null(strstr(flat, "統括情報セキュリティ責任者（総務課長"));
    assert_non_null(strstr(flat, "事務局：総務課"));
    tk_results_free(r);
    tk_results_free(pr);
    free(flat);
    free(text);
}

/* --comment FILE: the secretariat's text replaces the draft, or takes it
 * where it writes {原案}; it is kept with the campaign for the reports made
 * later, until --clear-comment. A bad file is refused by line, and nothing
 * is kept. */
static void test_comment_file_replaces_the_draft_and_is_kept(void **state)
{
    (void)state;
    NEED_DATA();
    char cfile[256], out[256];
    snprintf(cfile, sizeof cfile, "%s/総評.txt", dir);
    snprintf(out, sizeof out, "%s/out/comment.pdf", dir);
    FILE *f = fopen(cfile, "w");
    assert_non_null(f);
    fputs("\xEF\xBB\xBF委員会として、次のとおり所見を述べます。\r\n{原案}\r\n特に期限を過ぎた改善計画の解消を求めます。\r\n", f);
    fclose(f);
    int code;
    char *o = run(&code, "'%s' report committee --org shime --year 2026 --db %s -o %s --comment '%s' 2>&1", bin, db, out, cfile);
    assert_int_equal(code, 0);
    assert_non_null(strstr(o, "総評を記録しました"));
    free(o);
    char *text = pdf_text(out), *flat = flatten(text);
    assert_non_null(strstr(flat, "委員会として、次のとおり所見を述べます。"));
    assert_non_null(strstr(flat, "全体の得点は")); /* the draft where {原案} was */
    assert_non_null(strstr(flat, "特に期限を過ぎた改善計画の解消を求めます。"));
    assert_null(strstr(flat, "{原案}"));
    assert_null(strstr(flat, "数値から作った原案です"));
    free(flat);
    free(text);

    /* kept: a report made later without --comment prints it; without
     * {原案} the text replaces the draft */
    f = fopen(cfile, "w");
    fputs("所見は口頭で述べます。\n", f);
    fclose(f);
    o = run(&code, "'%s' report committee --org shime --year 2026 --db %s -o %s --force --comment '%s' -q 2>&1", bin, db,
            out, cfile);
    assert_int_equal(code, 0);
    free(o);
    o = run(&code, "'%s' report committee --org shime --year 2026 --db %s -o %s --force -q 2>&1", bin, db, out);
    assert_int_equal(code, 0);
    free(o);
    text = pdf_text(out);
    flat = flatten(text);
    assert_non_null(strstr(flat, "所見は口頭で述べます。"));
    assert_null(strstr(flat, "ポイント上がりました")); /* no draft */
    assert_null(strstr(flat, "ポイント下がりました"));
    free(flat);
    free(text);

    /* a file with control characters or nothing in it is refused by line */
    f = fopen(cfile, "w");
    fputs("一行目\n二行目\x07です\n三行目\x01\n", f);
    fclose(f);
    o = run(&code, "'%s' report committee --org shime --year 2026 --db %s -o %s --force --comment '%s' 2>&1", bin, db, out,
            cfile);
    assert_int_equal(code, 1);
    char where[300];
    snprintf(where, sizeof where, "%s:2:", cfile);
    assert_non_null(strstr(o, where));
    snprintf(where, sizeof where, "%s:3:", cfile);
    assert_non_null(strstr(o, where));
    assert_non_null(strstr(o, "制御文字"));
    free(o);
    f = fopen(cfile, "w");
    fputs("\n\n", f);
    fclose(f);
    o = run(&code, "'%s' report committee --org shime --year 2026 --db %s -o %s --force --comment '%s' 2>&1", bin, db, out,
            cfile);
    assert_int_equal(code, 1);
    assert_non_null(strstr(o, "総評の文章がありません"));
    free(o);
    /* the kept text is still the good one */
    o = run(&code, "'%s' report committee --org shime --year 2026 --db %s -o %s --force -q 2>&1", bin, db, out);
    assert_int_equal(code, 0);
    free(o);
    text = pdf_text(out);
    assert_non_null(strstr(text, "所見は口頭で述べます。"));
    free(text);

    /* --clear-comment brings the draft back */
    o = run(&code, "'%s' report committee --org shime --year 2026 --db %s -o %s --force --clear-comment -q 2>&1", bin, db,
            out);
    assert_int_equal(code, 0);
    free(o);
    text = pdf_text(out);
    flat = flatten(text);
    assert_null(strstr(flat, "所見は口頭で述べます。"));
    assert_non_null(strstr(flat, "数値から作った原案です"));
    free(flat);
    free(text);
    /* only with committee */
    o = run(&code, "'%s' report summary --org shime --year 2026 --db %s -o %s/x.xlsx --comment '%s' 2>&1", bin, db, dir,
            cfile);
    assert_int_equal(code, 2);
    free(o);
}

/* The table of contents gives the page each section starts on; 主な課題と
 * 今後の対応 turns the findings into recommendations with the roles that
 * own them; 用語 explains the terms; 別表1 lists every cross-cutting item
 * and 別表2 every item below 70.0, by chapter. */
static void test_committee_toc_actions_glossary_and_annex(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256];
    snprintf(path, sizeof path, "%s/out/committee.pdf", dir);
    char *text = pdf_text(path), *flat = flatten(text);
    /* pages: the cover and the contents are not numbered; page n is the
     * (n + 2)th */
    const char *pages[64];
    size_t np = 0;
    for (char *q = text; q && np < 64; np++) {
        pages[np] = q;
        q = strchr(q, '\f');
        if (q)
            *q++ = 0;
    }
    assert_true(np > 10);
    assert_non_null(strstr(pages[1], "目次"));
    size_t entries = 0;
    for (const char *ln = pages[1]; ln && *ln; ln = strchr(ln, '\n') ? strchr(ln, '\n') + 1 : NULL) {
        const char *end = strchr(ln, '\n');
        size_t len = end ? (size_t)(end - ln) : strlen(ln);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 511 ? len : 511), ln);
        toks t = tokenize(buf, strlen(buf));
        long page;
        if (t.n >= 2 && tk_parse_int(t.v[t.n - 1], 1, 999, &page) && strcmp(t.v[0], "目次")) {
            /* the title: the tokens between the number and the page */
            const char *title = t.v[t.n - 2];
            if ((size_t)page + 1 >= np)
                fail_msg("目次の「%s」のページ %ld がありません", buf, page);
            if (!strstr(pages[page + 1], title))
                fail_msg("目次は「%s」を %ld ページとしていますが、そのページにありません", title, page);
            entries++;
        }
        toks_free(&t);
    }
    assert_true(entries >= 12);

    /* 主な課題と今後の対応: the overdue plans of every year, with who acts */
    const char *act = strstr(flat, "主な課題と今後の対応");
    act = act ? strstr(act + 1, "主な課題と今後の対応") : NULL; /* the section, not the contents */
    assert_non_null(act);
    char want[256];
    snprintf(want, sizeof want, "完了予定日を過ぎた改善計画 %zu 件", plans_upto(2026, TK_PLANS_OVERDUE));
    if (!strstr(act, want))
        fail_msg("主な課題と今後の対応に「%s」がありません", want);
    assert_non_null(strstr(act, "統括情報セキュリティ責任者"));
    /* the cross-cutting item most departments share is a recommendation,
     * with the roles of the item */
    tk_results *r = load(2026);
    tk_group *g;
    tk_tally t;
    size_t n = tk_results_group(r, TK_BY_ITEM, &g, &t), top = SIZE_MAX, ncross = 0, nweak = 0;
    for (size_t i = 0; i < n; i++) {
        const tk_tally *x = &g[i].tally;
        bool cross = x->negative >= 2 && (double)x->negative / (double)x->answered >= 0.30;
        ncross += cross;
        nweak += !isnan(tk_tally_score(x)) && tk_round1(tk_tally_score(x)) < 70.0;
        if (cross && (top == SIZE_MAX || x->negative > g[top].tally.negative))
            top = i;
    }
    assert_true(top != SIZE_MAX);
    const tk_res_item *it = &r->items[g[top].index];
    snprintf(want, sizeof want, "%s %.12s", it->ref, it->text);
    if (!strstr(act, want))
        fail_msg("主な課題と今後の対応に「%s」がありません", want);
    char role[128];
    snprintf(role, sizeof role, "%.*s", (int)strcspn(it->roles, " "), it->roles);
    assert_non_null(strstr(act, role));
    /* 用語 */
    const char *gl = strstr(act, "用語");
    assert_non_null(gl);
    assert_non_null(strstr(gl, "要対応"));
    assert_non_null(strstr(gl, "重み"));
    /* 別表: every cross-cutting item, every item below 70.0 */
    snprintf(want, sizeof want, "別表1 横断的課題（全 %zu 項目、章ごと）", ncross);
    const char *an1 = strstr(gl, "別表1");
    assert_non_null(an1);
    if (strncmp(an1, want, strlen("別表1")) || !strstr(an1, sfmt("全 %zu 項目", ncross)))
        fail_msg("「%s」がありません", want);
    const char *an2 = strstr(an1, "別表2");
    assert_non_null(an2);
    assert_non_null(strstr(an2, sfmt("得点が 70.0 未満の項目（全 %zu 項目", nweak)));
    /* each chapter's heading in 別表1 counts its cross-cutting items */
    tk_group *ch;
    size_t nch = tk_results_group(r, TK_BY_CHAPTER, &ch, &t);
    for (size_t c = 0; c < nch; c++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const tk_tally *x = &g[i].tally;
            m += x->negative >= 2 && (double)x->negative / (double)x->answered >= 0.30 &&
                 !strcmp(r->items[g[i].index].chapter, ch[c].label);
        }
        if (!m)
            continue;
        const char *head = strstr(an1, sfmt("%s（%zu 項目）", ch[c].label, m));
        if (!head || head > an2)
            fail_msg("別表1に「%s（%zu 項目）」がありません", ch[c].label, m);
    }
    free(ch);
    free(g);
    tk_results_free(r);
    free(flat);
    free(text);
}

static void test_committee_pdf_is_valid_with_a_subset_font_and_small(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256];
    snprintf(path, sizeof path, "%s/out/committee.pdf", dir);
    int code;
    char *out = run(&code, "qpdf --check '%s' 2>&1", path);
    assert_int_equal(code, 0);
    assert_non_null(strstr(out, "No syntax or stream encoding errors"));
    free(out);
    out = run(&code, "pdffonts '%s' 2>&1", path);
    assert_int_equal(code, 0);
    /* "ABCDEF+IPAexGothic CID TrueType Identity-H yes yes yes" */
    bool subset = false;
    for (const char *p = out; (p = strchr(p, '+')) != NULL; p++) {
        const char *ls = p;
        while (ls > out && ls[-1] != '\n')
            ls--;
        const char *le = strchr(p, '\n');
        size_t n = le ? (size_t)(le - ls) : strlen(ls);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(n < 511 ? n : 511), ls);
        if (p - ls == 6 && strstr(line, "yes yes yes"))
            subset = true;
    }
    assert_true(subset);
    free(out);
    long sz = file_size(path);
    assert_true(sz > 10000);
    assert_true(sz < 1000L * 1000L); /* under 1 MB */
}

/* ---- department reports ---- */

static void test_department_reports_equal_tenken_score(void **state)
{
    (void)state;
    NEED_DATA();
    tk_results *r = load(2026);
    tk_group *g, *ch;
    tk_tally total, t2;
    size_t n = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    size_t nch = tk_results_group(r, TK_BY_CHAPTER, &ch, &t2);
    tk_arena *ca = tk_arena_new();
    tk_res_cell *cells;
    size_t ncells = all_cells(r, ca, &cells);
    char b1[16], b2[16];
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/out/depts/%s_%s.pdf", dir, g[i].code, g[i].label);
        long sz = file_size(path);
        if (sz < 0)
            fail_msg("%s がありません", path);
        assert_true(sz < 400L * 1000L); /* under 400 kB */
        char *text = pdf_text(path);
        const char *w[] = {fmt(b1, tk_tally_score(&g[i].tally)), fmt(b2, tk_tally_score(&total))};
        if (!row_has(text, "得点", w, 2, true, true))
            fail_msg("%s: 得点 %s %s がありません", path, w[0], w[1]);
        const char *w2[] = {fmt(b1, tk_tally_answer_rate(&g[i].tally)), fmt(b2, tk_tally_answer_rate(&total))};
        assert_true(row_has(text, "回答率（%）", w2, 2, true, true));
        char neg[32], tneg[32];
        snprintf(neg, sizeof neg, "%zu", g[i].tally.negative);
        snprintf(tneg, sizeof tneg, "%zu", total.negative);
        const char *w3[] = {neg, tneg};
        assert_true(row_has(text, "否定的な回答（項目）", w3, 2, true, true));
        for (size_t c = 0; c < nch; c++) {
            tk_tally t = tk_results_dept_chapter(r, g[i].index, ch[c].label);
            if (!t.issued)
                continue;
            const char *w4[] = {fmt(b1, tk_tally_score(&t)), fmt(b2, tk_tally_score(&ch[c].tally))};
            if (!row_has(text, ch[c].label, w4, 2, false, true))
                fail_msg("%s: 章 %s の %s %s がありません", path, ch[c].label, w4[0], w4[1]);
        }
        /* every negative answer is listed, with its plan or （未記入） */
        size_t listed = 0;
        for (size_t k = 0; k < ncells; k++) {
            const tk_res_cell *cl = &cells[k];
            if (cl->dept == g[i].index && cl->answer >= 0 && r->answers[cl->answer].negative)
                listed++;
        }
        char intro[128];
        snprintf(intro, sizeof intro, "否定的な回答をした %zu 項目", listed);
        if (listed && !strstr(text, intro))
            fail_msg("%s: 「%s」がありません", path, intro);
        free(text);
    }
    tk_arena_free(ca);
    free(g);
    free(ch);
    tk_results_free(r);
}

static void test_department_reports_are_valid_pdfs(void **state)
{
    (void)state;
    NEED_DATA();
    int code;
    char *out = run(&code, "for f in %s/out/depts/*.pdf; do qpdf --check \"$f\" >/dev/null 2>&1 || echo \"BAD $f\"; done",
                    dir);
    assert_int_equal(code, 0);
    assert_null(strstr(out, "BAD"));
    free(out);
}

/* The department reports' columns fit their content: the answer column
 * holds 一部実施している on one line (it was broken 「一部実施してい／る」 on
 * almost every row), and every report stays under 400 kB. */
static void test_department_reports_never_break_an_answer(void **state)
{
    (void)state;
    NEED_DATA();
    int code;
    char *out = run(&code,
                    "for f in %s/out/depts/*.pdf; do "
                    "  whole=$(pdftotext -enc UTF-8 \"$f\" - | grep -o '一部実施している' | wc -l); "
                    "  part=$(pdftotext -enc UTF-8 \"$f\" - | grep -o '一部実施してい' | wc -l); "
                    "  [ \"$whole\" = \"$part\" ] || echo \"BROKEN $f $part $whole\"; "
                    "  [ $(stat -c %%s \"$f\") -lt 409600 ] || echo \"LARGE $f\"; "
                    "done",
                    dir);
    assert_int_equal(code, 0);
    if (strstr(out, "BROKEN") || strstr(out, "LARGE"))
        fail_msg("部署別報告:\n%s", out);
    free(out);
}

/* ---- the summary workbook ---- */

static void test_summary_workbook_holds_the_same_figures(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256];
    snprintf(path, sizeof path, "%s/out/summary.xlsx", dir);
    int code;
    char *out = run(&code,
                    "/usr/bin/python3 - '%s' <<'EOF'\n"
                    "import sys, zipfile, openpyxl\n"
                    "z = zipfile.ZipFile(sys.argv[1])\n"
                    "print('charts', len([n for n in z.namelist() if n.startswith('xl/charts/chart')]))\n"
                    "wb = openpyxl.load_workbook(sys.argv[1])\n"
                    "print('sheets', ','.join(wb.sheetnames))\n"
                    "ws = wb['部署別']\n"
                    "print('freeze', ws.freeze_panes, 'filter', ws.auto_filter.ref)\n"
                    "for row in ws.iter_rows(min_row=5, values_only=True):\n"
                    "    if row[0]:\n"
                    "        print('dept', row[0], '%%.1f' %% row[7], '%%.1f' %% row[6], row[9])\n"
                    "EOF",
                    path);
    assert_int_equal(code, 0);
    assert_non_null(strstr(out, "sheets 部署別,部署別グラフ,章別,章別グラフ,部署×章,項目別,改善計画の状況,改善計画"));
    assert_non_null(strstr(out, "freeze C5 filter A4:"));
    assert_null(strstr(out, "charts 0\n"));
    tk_results *r = load(2026);
    tk_group *g;
    tk_tally total;
    size_t n = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    char b1[16], b2[16];
    for (size_t i = 0; i < n; i++) {
        char line[128];
        snprintf(line, sizeof line, "dept %s %s %s %zu\n", g[i].code, fmt(b1, tk_tally_score(&g[i].tally)),
                 fmt(b2, tk_tally_answer_rate(&g[i].tally)), g[i].tally.negative);
        if (!strstr(out, line))
            fail_msg("集計表に「%s」がありません:\n%s", line, out);
    }
    free(g);
    tk_results_free(r);
    free(out);
}

/* As printed: rows of wrapped text as tall as their lines (a line per 2 × width
 * display units at least; LibreOffice overprinted rows left at the default
 * height), a print area and repeated headings on every visible sheet and
 * no print area on the hidden one (LibreOffice prints a hidden sheet's print
 * area when the whole workbook is exported to PDF), one page wide
 * with columns narrow enough to print legibly, no cell beside a filtered
 * table in its rows (a total there vanishes when a filter is applied), the
 * department chart in the report's order (best first) with the low scores
 * in vermilion, every chart on its own sheet showing every label. */
static void test_summary_workbook_prints_legibly(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256];
    snprintf(path, sizeof path, "%s/out/summary.xlsx", dir);
    int code;
    char *out = run(&code,
                    "/usr/bin/python3 - '%s' <<'EOF'\n"
                    "import sys, re, math, zipfile, unicodedata, openpyxl\n"
                    "from openpyxl.utils import range_boundaries, get_column_letter\n"
                    "def units(s):\n"
                    "    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)\n"
                    "wb = openpyxl.load_workbook(sys.argv[1])\n"
                    "for ws in wb.worksheets:\n"
                    "    if ws.sheet_state != 'visible':\n"
                    "        if ws.print_area: print('hidden sheet printed', ws.title)\n"
                    "        continue\n"
                    "    if not ws.print_area: print('no print area', ws.title)\n"
                    "    if ws.auto_filter.ref and not ws.print_title_rows: print('no print titles', ws.title)\n"
                    "    if ws.page_setup.fitToWidth not in (None, 1) or not ws.sheet_properties.pageSetUpPr.fitToPage:\n"
                    "        print('not one page wide', ws.title)\n"
                    "    c1, r1, c2, r2 = range_boundaries(ws.print_area[0].split('!')[-1].replace('$', ''))\n"
                    "    total = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(c1, c2 + 1))\n"
                    "    if total > 175: print('too wide to print legibly', ws.title, total)\n"
                    "    if ws.auto_filter.ref:\n"
                    "        fc1, fr1, fc2, fr2 = range_boundaries(ws.auto_filter.ref)\n"
                    "        for row in ws.iter_rows(min_row=fr1, max_row=fr2):\n"
                    "            for cell in row:\n"
                    "                if cell.value is not None and not (fc1 <= cell.column <= fc2):\n"
                    "                    print('cell beside the filtered rows', ws.title, cell.coordinate)\n"
                    "    for row in ws.iter_rows(min_row=5):\n"
                    "        need = 1\n"
                    "        for cell in row:\n"
                    "            if isinstance(cell.value, str) and cell.alignment.wrap_text:\n"
                    "                w = ws.column_dimensions[cell.column_letter].width or 8.43\n"
                    "                n = sum(max(1, math.ceil(units(part) / (w * 1.0))) for part in cell.value.split('\\n'))\n"
                    "                need = max(need, n)\n"
                    "        h = ws.row_dimensions[row[0].row].height\n"
                    "        if need > 1 and (h is None or h < need * 12):\n"
                    "            print('row too low', ws.title, row[0].row, h, need)\n"
                    "print('sheets', ','.join(wb.sheetnames))\n"
                    "ws = wb['部署別']\n"
                    "scores = [r[7] for r in ws.iter_rows(min_row=5, max_row=ws.max_row, values_only=True) if r[0]]\n"
                    "print('sorted', all((a or -1) >= (b or -1) for a, b in zip(scores, scores[1:])))\n"
                    "z = zipfile.ZipFile(sys.argv[1])\n"
                    "charts = [z.read(n).decode() for n in z.namelist() if n.startswith('xl/charts/chart')]\n"
                    "print('chartsheets', len([n for n in z.namelist() if n.startswith('xl/chartsheets/sheet')]))\n"
                    "print('every label', all('<c:tickLblSkip val=\"1\"/>' in c for c in charts if '<c:barChart>' in c))\n"
                    "print('vermilion points', sum(c.count('D74B2A') for c in charts))\n"
                    "EOF",
                    path);
    assert_int_equal(code, 0);
    if (strstr(out, "no print") || strstr(out, "not one page") || strstr(out, "too wide") || strstr(out, "beside") ||
        strstr(out, "too low") || strstr(out, "hidden sheet printed"))
        fail_msg("集計表の印刷の設定に問題があります:\n%s", out);
    assert_non_null(strstr(out, "sorted True"));
    assert_non_null(strstr(out, "chartsheets 2"));
    assert_non_null(strstr(out, "every label True"));
    assert_null(strstr(out, "vermilion points 0\n"));
    free(out);
}

/* The department chart shows the low score (the second-lowest band's
 * edge) in every row, whatever it is: a pale band from 0 to it over each
 * bar, read from a hidden sheet that holds it once per department (a
 * gridline there alone works only at 50 or more). Read back by openpyxl. */
static void expect_threshold_band(const char *xlsx, const char *low)
{
    int code;
    char *out = run(&code,
                    "/usr/bin/python3 - '%s' <<'EOF'\n"
                    "import re, sys, zipfile, openpyxl\n"
                    "from openpyxl.chart.chartspace import ChartSpace\n"
                    "from openpyxl.xml.functions import fromstring\n"
                    "z = zipfile.ZipFile(sys.argv[1])\n"
                    "wb = openpyxl.load_workbook(sys.argv[1])\n"
                    "for n in sorted(z.namelist()):\n"
                    "    if not n.startswith('xl/charts/chart'): continue\n"
                    "    xml = z.read(n)\n"
                    "    cs = ChartSpace.from_tree(fromstring(xml))\n"
                    "    title = ''.join(r.t for p in cs.chart.title.tx.rich.p for r in (p.r or []))\n"
                    "    if not title.startswith('部署別の得点'): continue\n"
                    "    print('title', title)\n"
                    "    bar = cs.chart.plotArea._charts[0]\n"
                    "    print('series', len(bar.series), 'overlap', int(bar.overlap or 0))\n"
                    "    score, band = bar.series[0], bar.series[-1]\n"
                    "    sheet, cells = band.val.numRef.f.replace('$', '').split('!')\n"
                    "    ws = wb[sheet.strip(\"'\")]\n"
                    "    print('band sheet', ws.title, ws.sheet_state)\n"
                    "    print('band values', sorted(set('%%.1f' %% c.value for row in ws[cells] for c in row)))\n"
                    "    n1 = score.val.numRef.f.split(':')[-1].lstrip('$H'); n2 = cells.split(':')[-1].lstrip('B')\n"
                    "    print('as many as the departments', n1 == n2)\n"
                    "    fill = band.spPr.solidFill.srgbClr\n"
                    "    last = re.findall(rb'<c:ser>.*?</c:ser>', xml, re.S)[-1]\n"
                    "    print('band', getattr(fill, 'val', fill), 'see-through', b'<a:alpha ' in last)\n"
                    "EOF",
                    xlsx);
    assert_int_equal(code, 0);
    char want[64];
    if (!strstr(out, "series 2 overlap 100") || !strstr(out, "band sheet グラフ用 hidden") ||
        !strstr(out, "as many as the departments True") || !strstr(out, "band D74B2A see-through True"))
        fail_msg("部署別グラフに基準の帯がありません:\n%s", out);
    snprintf(want, sizeof want, "band values ['%s']", low);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, "%s まで", low);
    assert_non_null(strstr(out, want));
    free(out);
}

static void test_summary_chart_shows_the_low_score_whatever_it_is(void **state)
{
    (void)state;
    NEED_DATA();
    char path[256];
    snprintf(path, sizeof path, "%s/out/summary.xlsx", dir);
    expect_threshold_band(path, "70.0");
    /* a template whose second-lowest band begins at 35 %: no gridline could show it */
    assert_int_equal(sh("sed 's/<band min=\"0.7\">/<band min=\"0.35\">/' templates/self.xml > %s/low.xml", dir), 0);
    assert_int_equal(sh("grep -q 'min=\"0.35\"' %s/low.xml", dir), 0);
    snprintf(path, sizeof path, "%s/out/summary-35.xlsx", dir);
    assert_int_equal(sh("'%s' report summary --org shime --year 2026 --db %s --template %s/low.xml -o %s -q", bin, db, dir, path),
                     0);
    expect_threshold_band(path, "35.0");
}

/* ---- department reports in parallel ---- */

static void test_parallel_department_reports_are_the_same_files(void **state)
{
    (void)state;
    NEED_DATA();
    int code;
    char *out = run(&code,
                    "'%s' report departments --org shime --year 2026 --db %s -o %s/par1 --date 2027-03-01 --jobs 1 -q 2>&1 && "
                    "'%s' report departments --org shime --year 2026 --db %s -o %s/par3 --date 2027-03-01 --jobs 3 -q 2>&1 && "
                    "ls %s/par1 | wc -l && diff -r %s/par1 %s/par3 && echo SAME",
                    bin, db, dir, bin, db, dir, dir, dir, dir);
    assert_int_equal(code, 0);
    assert_non_null(strstr(out, "SAME"));
    assert_true(atoi(out) > 1);
    free(out);
    /* nothing half-written */
    out = run(&code, "find %s/par3 -name '*.tmp*'", dir);
    assert_string_equal(out, "");
    free(out);
}

static void test_every_failing_department_is_reported_and_the_rest_written(void **state)
{
    (void)state;
    NEED_DATA();
    /* two departments' files cannot be put in place: a folder holds each name */
    int code;
    char *out = run(&code,
                    "mkdir -p %s/parfail && cd %s/par1 && ls | head -2 | while read f; do mkdir -p \"%s/parfail/$f/x\"; done; "
                    "ls %s/par1 | wc -l",
                    dir, dir, dir, dir);
    assert_int_equal(code, 0);
    int total = atoi(out);
    free(out);
    for (int jobs = 1; jobs <= 2; jobs++) {
        out = run(&code, "'%s' report departments --org shime --year 2026 --db %s -o %s/parfail --date 2027-03-01 --force "
                         "--jobs %d -q 2>&1",
                  bin, db, dir, jobs);
        assert_int_equal(code, 3); /* TK_EXIT_FAILURE */
        size_t errors = 0;
        for (const char *p = out; (p = strstr(p, "書き込めません")); p++)
            errors++;
        if (errors != 2)
            fail_msg("--jobs %d: 二つの部署の失敗が報告されていません:\n%s", jobs, out);
        free(out);
        out = run(&code, "find %s/parfail -maxdepth 1 -type f -name '*.pdf' | wc -l", dir);
        assert_int_equal(atoi(out), total - 2);
        free(out);
        free(run(&code, "find %s/parfail -maxdepth 1 -type f -name '*.pdf' -delete", dir));
    }
}

/* ---- refusals ---- */

static void test_existing_files_are_kept_without_force(void **state)
{
    (void)state;
    NEED_DATA();
    static const char *const what[][2] = {
        {"committee", "committee.pdf"}, {"departments", "depts"}, {"summary", "summary.xlsx"}};
    char probe[256];
    snprintf(probe, sizeof probe, "%s/out/depts/01_総務課.pdf", dir);
    for (size_t i = 0; i < 3; i++) {
        char target[256];
        snprintf(target, sizeof target, "%s/out/%s", dir, what[i][1]);
        const char *watch = i == 1 ? probe : target;
        tk_buf before;
        assert_int_equal(tk_file_read(watch, 1u << 26, &before), 0);
        int code;
        char *out = run(&code, "'%s' report %s --org shime --year 2026 --db %s -o '%s' 2>&1", bin, what[i][0], db,
                        target);
        assert_int_equal(code, 1);
        assert_non_null(strstr(out, "既にあります"));
        assert_non_null(strstr(out, "--force"));
        free(out);
        tk_buf after;
        assert_int_equal(tk_file_read(watch, 1u << 26, &after), 0);
        assert_int_equal(before.len, after.len);
        assert_memory_equal(before.data, after.data, before.len);
        tk_buf_free(&after);
        /* with --force it is written again */
        out = run(&code, "'%s' report %s --org shime --year 2026 --db %s -o '%s' --force -q 2>&1", bin, what[i][0], db,
                  target);
        assert_int_equal(code, 0);
        free(out);
        tk_buf_free(&before);
    }
    /* no temporary files left behind */
    int code;
    char *out = run(&code, "find %s/out -name '*.tmp*'", dir);
    assert_string_equal(out, "");
    free(out);
}

static void test_campaign_that_does_not_exist_is_refused_in_japanese(void **state)
{
    (void)state;
    NEED_DATA();
    int code;
    char *out = run(&code, "'%s' report committee --org shime --year 2030 --db %s -o %s/none.pdf 2>&1", bin, db, dir);
    assert_int_equal(code, 1);
    assert_non_null(strstr(out, "記録にありません"));
    free(out);
    char p[256];
    snprintf(p, sizeof p, "%s/none.pdf", dir);
    assert_false(tk_file_exists(p));
    out = run(&code, "'%s' report departments --org nosuch --year 2026 --db %s -o %s/none 2>&1", bin, db, dir);
    assert_int_equal(code, 1);
    assert_non_null(strstr(out, "記録にありません"));
    free(out);
    /* an unknown department */
    out = run(&code, "'%s' report departments --org shime --year 2026 --db %s -o %s/one --department 99 2>&1", bin, db,
              dir);
    assert_int_equal(code, 1);
    assert_non_null(strstr(out, "部署「99」"));
    free(out);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    if (access(bin, X_OK) != 0)
        skip();
    int code;
    char *out = run(&code, "'%s' report minutes --org shime --year 2026 2>&1", bin);
    assert_int_equal(code, 2);
    assert_non_null(strstr(out, "committee、departments、summary"));
    free(out);
    out = run(&code, "'%s' report 2>&1", bin);
    assert_int_equal(code, 2);
    free(out);
    out = run(&code, "'%s' report --help", bin);
    assert_int_equal(code, 0);
    assert_non_null(strstr(out, "終了コード"));
    free(out);
}

/* ---- the cross-cutting rule, on a hand-made campaign ---- */

static void test_cross_cutting_needs_the_share_and_two_departments(void **state)
{
    (void)state;
    /* items: A negative for 2 of 3 (66.7%), B for 1 of 2 (50%, one
     * department), C for 2 of 7 (28.6%), D for 3 of 10 (exactly 30%) */
    tk_res_item items[] = {{.id = "A", .ref = "1", .chapter = "第1章", .roles = "", .level = "must", .text = "a", .weight = 1},
                           {.id = "B", .ref = "2", .chapter = "第1章", .roles = "", .level = "must", .text = "b", .weight = 1},
                           {.id = "C", .ref = "3", .chapter = "第2章", .roles = "", .level = "must", .text = "c", .weight = 1},
                           {.id = "D", .ref = "4", .chapter = "第2章", .roles = "", .level = "must", .text = "d", .weight = 1}};
    tk_res_answer ans[] = {{"実施している", 1, false, false}, {"実施していない", 0, false, true}, {"該当しない", 0, true, false}};
    tk_res_department deps[10];
    char codes[10][16];
    for (int i = 0; i < 10; i++) {
        snprintf(codes[i], sizeof codes[i], "%02d", i + 1);
        deps[i] = (tk_res_department){codes[i], codes[i], true, "2027-01-10T10:00:00+09:00"};
    }
    tk_res_cell cells[64];
    size_t nc = 0;
    /* A: 3 departments, 2 negative */
    for (int d = 0; d < 3; d++)
        cells[nc++] = (tk_res_cell){.dept = (size_t)d, .item = 0, .answer = d < 2 ? 1 : 0};
    /* B: 2 departments, 1 negative, one more answers 該当しない */
    for (int d = 0; d < 3; d++)
        cells[nc++] = (tk_res_cell){.dept = (size_t)d, .item = 1, .answer = d == 0 ? 1 : d == 1 ? 0 : 2};
    /* C: 7 departments, 2 negative */
    for (int d = 0; d < 7; d++)
        cells[nc++] = (tk_res_cell){.dept = (size_t)d, .item = 2, .answer = d < 2 ? 1 : 0};
    /* D: 10 departments, 3 negative */
    for (int d = 0; d < 10; d++)
        cells[nc++] = (tk_res_cell){.dept = (size_t)d, .item = 3, .answer = d < 3 ? 1 : 0};
    tk_results r = {.arena = tk_arena_new(), .campaign_id = 999, .org = "handmade", .org_name = "試験市", .kind = "self",
                    .deadline = "2027-01-29", .template_ref = "", .year = 2026, .items = items, .nitems = 4,
                    .depts = deps, .ndepts = 10, .answers = ans, .nanswers = 3};
    tk_results_tally_begin(&r);
    for (size_t i = 0; i < nc; i++)
        tk_results_tally(&r, &cells[i]);
    char path[256];
    snprintf(path, sizeof path, "%s/empty.db", dir);
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(path, &d);
    assert_non_null(st);
    tk_report *rp;
    tk_report_opts o = {.today = {2027, 3, 1}};
    int rc = tk_report_open(st, &r, &o, &rp, &d);
    tk_diags_print(&d, stderr);
    assert_int_equal(rc, TK_EXIT_OK);
    size_t neg, an;
    assert_true(tk_report_cross_cutting(rp, 0, &neg, &an));
    assert_int_equal(neg, 2);
    assert_int_equal(an, 3);
    assert_false(tk_report_cross_cutting(rp, 1, &neg, &an)); /* one department */
    assert_int_equal(an, 2);                                /* 該当しない is no answer here */
    assert_false(tk_report_cross_cutting(rp, 2, NULL, NULL)); /* 28.6% */
    assert_true(tk_report_cross_cutting(rp, 3, NULL, NULL));  /* 30% exactly */
    /* bands are judged on the printed value */
    assert_string_equal(tk_report_band(rp, 89.96), "良好");
    assert_string_equal(tk_report_band(rp, 89.94), "おおむね良好");
    assert_string_equal(tk_report_band(rp, 12.0), "改善が必要");
    assert_string_equal(tk_report_band(rp, NAN), "");
    /* department × chapter: each department's cells of the chapter,
     * counted here by hand */
    for (size_t dd = 0; dd < 10; dd++) {
        for (size_t c = 0; c < rp->nchapters; c++) {
            tk_tally want = {0};
            for (size_t i = 0; i < nc; i++) {
                const tk_res_cell *cl = &cells[i];
                if (cl->dept != dd || strcmp(items[cl->item].chapter, rp->by_chapter[c].label))
                    continue;
                const tk_res_answer *an = &ans[cl->answer];
                tk_tally_add(&want, 1, an->excluded ? TK_ANSWER_EXCLUDED : TK_ANSWER_SCORED, an->points, an->negative);
            }
            tk_tally a = tk_results_dept_chapter(&r, dd, rp->by_chapter[c].label);
            tk_tally b = rp->dept_chapter[dd * rp->nchapters + c];
            assert_int_equal(a.issued, want.issued);
            assert_int_equal(b.issued, want.issued);
            assert_int_equal(a.answered, want.answered);
            assert_int_equal(a.negative, want.negative);
            assert_true(a.wpoints == want.wpoints && a.wsum == want.wsum);
        }
    }
    /* the documents lay out without a database behind them */
    tk_pdf *p = tk_report_committee_pdf(rp, &d);
    assert_non_null(p);
    assert_true(tk_pdf_page_count(p) >= 3);
    tk_pdf_free(p);
    p = tk_report_department_pdf(rp, st, 0, &d);
    assert_non_null(p);
    tk_pdf_free(p);
    tk_report_free(rp);
    tk_store_close(st);
    tk_diags_free(&d);
    tk_arena_free(r.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committee_figures_equal_tenken_score),
        cmocka_unit_test(test_committee_page1_counts_open_plans_of_every_year),
        cmocka_unit_test(test_committee_comment_and_overview_are_drafted_from_the_figures),
        cmocka_unit_test(test_comment_file_replaces_the_draft_and_is_kept),
        cmocka_unit_test(test_committee_toc_actions_glossary_and_annex),
        cmocka_unit_test(test_committee_pdf_is_valid_with_a_subset_font_and_small),
        cmocka_unit_test(test_department_reports_equal_tenken_score),
        cmocka_unit_test(test_department_reports_are_valid_pdfs),
        cmocka_unit_test(test_department_reports_never_break_an_answer),
        cmocka_unit_test(test_summary_workbook_holds_the_same_figures),
        cmocka_unit_test(test_summary_workbook_prints_legibly),
        cmocka_unit_test(test_summary_chart_shows_the_low_score_whatever_it_is),
        cmocka_unit_test(test_parallel_department_reports_are_the_same_files),
        cmocka_unit_test(test_every_failing_department_is_reported_and_the_rest_written),
        cmocka_unit_test(test_existing_files_are_kept_without_force),
        cmocka_unit_test(test_campaign_that_does_not_exist_is_refused_in_japanese),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_cross_cutting_needs_the_share_and_two_departments),
    };
    return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
