/* workpaper.c — the 監査調書 (workpaper.h): read from the database, written
 * as CSV or as a workbook. */
#include "tenken/workpaper.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/audit_plan.h"
#include "tenken/text.h"
#include "tenken/xlsx_list.h"

#define NSHOWN 12
static const char *const HEADS[NSHOWN] = {"部署コード", "被監査部署", "項番", "該当条項", "監査項目", "判定", "監査証跡",
                                          "所見", "良好事例", "是正確認", "監査を行う者", "監査実施日"};

static const char *col(tk_arena *a, sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t && *t ? tk_arena_strdup(a, (const char *)t) : NULL;
}

typedef struct workpaper_walk {
    tk_workpaper *w;
    const tk_audit_plan *plan;
    size_t cap;
} workpaper_walk;

static int stored_row(sqlite3_stmt *q, void *user)
{
    workpaper_walk *l = user;
    tk_workpaper *w = l->w;
    tk_arena *a = w->arena;
    TK_GROW(w->rows, w->n, l->cap, 256);
    tk_workpaper_row *r = &w->rows[w->n++];
    r->department_code = col(a, q, 0);
    r->department_name = col(a, q, 1);
    r->seq = sqlite3_column_int(q, 2);
    r->ref = col(a, q, 3);
    r->text = col(a, q, 4);
    r->grade = col(a, q, 5);
    r->evidence = col(a, q, 6);
    r->finding = col(a, q, 7);
    r->good = col(a, q, 8);
    r->confirm = col(a, q, 9);
    r->auditor = col(a, q, 10);
    if (!r->auditor && l->plan) {
        const char *who = tk_audit_plan_auditors_of(l->plan, r->department_code ? r->department_code : "");
        r->auditor = who ? tk_arena_strdup(a, who) : NULL;
    }
    r->audit_date = col(a, q, 11);
    if (!w->org_name)
        w->org_name = col(a, q, 12);
    return 0;
}

int tk_workpaper_load(tk_store *st, const char *org, int year, tk_workpaper *w, tk_diags *d)
{
    memset(w, 0, sizeof *w);
    w->arena = tk_arena_new();
    w->year = year;
    sqlite3_stmt *q = tk_store_prepare(
        st,
        "SELECT w.department_code, COALESCE(dp.name, ''), wi.seq, COALESCE(ci.ref, ''), COALESCE(ci.text, ''), "
        " a.value, a.evidence, a.finding, a.good, a.confirm, "
        " (SELECT value FROM submission_field f WHERE f.submission_id = s.id AND f.key = 'auditor'), "
        " (SELECT value FROM submission_field f WHERE f.submission_id = s.id AND f.key = 'audit-date'), c.org_name "
        "FROM campaign c JOIN workbook w ON w.campaign_id = c.id AND w.revoked_at IS NULL "
        "JOIN workbook_item wi ON wi.workbook_id = w.id "
        "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
        "LEFT JOIN answer a ON a.submission_id = s.id AND a.item_id = wi.item_id "
        "LEFT JOIN campaign_item ci ON ci.campaign_id = c.id AND ci.item_id = wi.item_id "
        "LEFT JOIN department dp ON dp.campaign_id = c.id AND dp.code = w.department_code "
        "WHERE c.org = ?1 AND c.year = ?2 AND c.kind = 'audit' ORDER BY w.department_code, wi.seq",
        d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, year);
    tk_audit_plan *plan = NULL;
    if (tk_audit_plan_load(st, org, year, &plan, d) < 0) {
        tk_store_done(st, q);
        return -1;
    }
    workpaper_walk l = {w, plan, 0};
    int rc = tk_store_each_row(st, q, stored_row, &l, NULL, d);
    tk_audit_plan_free(plan);
    return rc != 0 ? -1 : w->n ? 1 : 0;
}

void tk_workpaper_free(tk_workpaper *w)
{
    if (!w)
        return;
    free(w->rows);
    tk_arena_free(w->arena);
    memset(w, 0, sizeof *w);
}

static void cells_of(const tk_workpaper_row *r, const char **c, char seq[16])
{
    snprintf(seq, 16, "%d", r->seq);
    const char *v[NSHOWN] = {r->department_code, r->department_name, seq, r->ref, r->text, r->grade, r->evidence,
                             r->finding, r->good, r->confirm, r->auditor, r->audit_date};
    for (int k = 0; k < NSHOWN; k++)
        c[k] = v[k] ? v[k] : "";
}

void tk_workpaper_csv(const tk_workpaper *w, tk_buf *out)
{
    tk_buf_puts(out, "\xEF\xBB\xBF");
    tk_csv_row(out, NSHOWN, HEADS);
    for (size_t i = 0; i < w->n; i++) {
        const char *c[NSHOWN];
        char seq[16];
        cells_of(&w->rows[i], c, seq);
        tk_csv_row(out, NSHOWN, c);
    }
}

static void workpaper_row(void *user, size_t i, const char **cells)
{
    const tk_workpaper *w = user;
    static char seq[16];
    cells_of(&w->rows[i], cells, seq);
}

int tk_workpaper_xlsx(const tk_workpaper *w, const char *path, bool force, tk_diags *d)
{
    static const double widths[NSHOWN] = {7, 14, 6, 14, 50, 12, 24, 30, 20, 10, 20, 11};
    static const bool numeric[NSHOWN] = {[2] = true};
    char title[512];
    snprintf(title, sizeof title, "%s　%d 年度　監査調書", w->org_name ? w->org_name : "", w->year);
    tk_xlsx_list l = {.sheet = "監査調書", .title = title, .ncols = NSHOWN, .heads = HEADS, .widths = widths,
                      .numeric = numeric, .head_color = 0xE2EFDA, .nrows = w->n, .row = workpaper_row,
                      .user = (void *)w};
    return tk_xlsx_list_write(&l, path, force, d);
}
