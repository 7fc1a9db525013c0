/* open_plans.c — the remediation plans still open, by department. */
#include "tenken/open_plans.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "tenken/plan.h"

/* The open plans of org (?1), campaigns up to year ?2, of kind ?3 (NULL:
 * self and audit). */
#define OPEN_PLANS_FROM "FROM plan p JOIN campaign c ON c.id = p.campaign_id "
#define OPEN_PLANS_WHERE                                                                                                \
    "WHERE c.org = ?1 AND c.year <= ?2 AND (?3 IS NULL AND c.kind IN ('self','audit') OR c.kind = ?3) "                \
    " AND p.status IN ('not-started','in-progress','postponed') "
#define OPEN_PLANS_SELECT                                                                                               \
    "SELECT p.id, c.year, c.kind, p.department_code, p.item_id, ci.ref, ci.level, ci.text, ci.context, "                \
    " p.origin, p.answer, p.finding, p.content, p.owner, p.due, p.status " OPEN_PLANS_FROM                              \
    "LEFT JOIN campaign_item ci ON ci.campaign_id = p.campaign_id AND ci.item_id = p.item_id " OPEN_PLANS_WHERE
#define OPEN_PLANS_ORDER "ORDER BY c.year, c.kind = 'audit', ci.seq, p.id"

/* The callback of a walk and its data. */
typedef struct open_plan_walk {
    tk_open_plan_fn fn;
    tk_open_plan_count_fn count_fn;
    void *user;
} open_plan_walk;

static int open_plan_row(sqlite3_stmt *q, void *user)
{
    const open_plan_walk *w = user;
    tk_open_plan p = {
        .id = sqlite3_column_int64(q, 0),
        .year = sqlite3_column_int(q, 1),
        .kind = (const char *)sqlite3_column_text(q, 2),
        .department_code = (const char *)sqlite3_column_text(q, 3),
        .item_id = (const char *)sqlite3_column_text(q, 4),
        .ref = (const char *)sqlite3_column_text(q, 5),
        .level = (const char *)sqlite3_column_text(q, 6),
        .text = (const char *)sqlite3_column_text(q, 7),
        .context = (const char *)sqlite3_column_text(q, 8),
        .origin = (const char *)sqlite3_column_text(q, 9),
        .answer = (const char *)sqlite3_column_text(q, 10),
        .finding = (const char *)sqlite3_column_text(q, 11),
        .content = (const char *)sqlite3_column_text(q, 12),
        .owner = (const char *)sqlite3_column_text(q, 13),
        .due = (const char *)sqlite3_column_text(q, 14),
    };
    const unsigned char *status = sqlite3_column_text(q, 15);
    if (!status || !tk_plan_status_parse((const char *)status, &p.status))
        p.status = TK_PLAN_NOT_STARTED;
    return w->fn && !w->fn(&p, w->user);
}

long tk_store_open_plans(tk_store *st, const char *org, const char *kind, int max_year, const char *department,
                         tk_open_plan_fn fn, void *user, tk_diags *d)
{
    /* one department by the plan table's department index */
    sqlite3_stmt *q = tk_store_prepare(
        st, department ? OPEN_PLANS_SELECT "AND p.department_code = ?4 " OPEN_PLANS_ORDER : OPEN_PLANS_SELECT OPEN_PLANS_ORDER,
        d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, max_year);
    tk_store_bind_text(q, 3, kind);
    if (department)
        sqlite3_bind_text(q, 4, department, -1, SQLITE_TRANSIENT);
    open_plan_walk w = {.fn = fn, .user = user};
    long n;
    return tk_store_each_row(st, q, open_plan_row, &w, &n, d) < 0 ? -1 : n;
}

static int open_plan_count_row(sqlite3_stmt *q, void *user)
{
    const open_plan_walk *w = user;
    const unsigned char *code = sqlite3_column_text(q, 0);
    return w->count_fn && !w->count_fn(code ? (const char *)code : "", (long)sqlite3_column_int64(q, 1),
                                       sqlite3_column_int(q, 2), w->user);
}

long tk_store_open_plan_counts(tk_store *st, const char *org, const char *kind, int max_year, tk_open_plan_count_fn fn,
                               void *user, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT p.department_code, COUNT(*), MIN(c.year) " OPEN_PLANS_FROM OPEN_PLANS_WHERE
                                       "GROUP BY p.department_code ORDER BY p.department_code",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, max_year);
    tk_store_bind_text(q, 3, kind);
    open_plan_walk w = {.count_fn = fn, .user = user};
    long n;
    return tk_store_each_row(st, q, open_plan_count_row, &w, &n, d) < 0 ? -1 : n;
}

/* ---- a department's follow-up sheet ---- */

typedef struct sheet_build {
    const tk_template *tpl;
    tk_arena *a;
    tk_xlsx_sheet *sh;
    size_t cap;
    int first_row;
} sheet_build;

/* The row of one plan: the item as the plan's campaign issued it (its id
 * when the snapshot lost it), the answer and finding it came from. */
static bool add_plan_row(const tk_open_plan *p, void *user)
{
    sheet_build *b = user;
    tk_arena *a = b->a;
    tk_xlsx_sheet *sh = b->sh;
    if (sh->nrows == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        tk_xlsx_row *rows = tk_arena_alloc(a, cap * sizeof *rows);
        if (sh->nrows)
            memcpy(rows, sh->rows, sh->nrows * sizeof *rows);
        sh->rows = rows;
        b->cap = cap;
    }
    tk_item *it = tk_arena_alloc(a, sizeof *it);
    memset(it, 0, sizeof *it);
    it->id = tk_arena_printf(a, "%s%lld", TK_XLSX_PLAN_ITEM_PREFIX, (long long)p->id);
    it->ref = tk_arena_strdup(a, p->ref ? p->ref : "");
    it->text = tk_arena_strdup(a, p->text ? p->text : p->item_id);
    it->context = p->context && *p->context ? tk_arena_strdup(a, p->context) : NULL;
    if (!p->level || !tk_level_parse(p->level, &it->level))
        it->level = TK_LEVEL_MUST;
    it->weight = 1;

    tk_xlsx_plan *x = tk_arena_alloc(a, sizeof *x);
    memset(x, 0, sizeof *x);
    char fy[TK_FY_LABEL_SIZE];
    tk_fiscal_year_wareki(p->year, fy, sizeof fy);
    tk_buf o;
    tk_buf_init(&o);
    tk_buf_printf(&o, "%s\n%s", fy, p->answer ? p->answer : "");
    if (p->finding && *p->finding)
        tk_buf_printf(&o, "\n%s", p->finding);
    x->id = p->id;
    x->origin = tk_arena_strdup(a, o.data);
    tk_buf_free(&o);
    x->content = tk_arena_strdup(a, p->content ? p->content : "");
    x->owner = p->owner ? tk_arena_strdup(a, p->owner) : NULL;
    const tk_tpl_status *ts = tk_template_status(b->tpl, p->status);
    x->status = ts ? ts->value : tk_plan_status_label(p->status);
    if (!p->due || !tk_date_parse(p->due, &x->due))
        x->due = (tk_date){0, 0, 0};

    tk_xlsx_row *r = &sh->rows[sh->nrows];
    memset(r, 0, sizeof *r);
    r->item = it;
    r->seq = (int)sh->nrows + 1;
    r->row = b->first_row + (int)sh->nrows;
    tk_item_text_hash(it->text, it->context, r->text_hash);
    r->plan = x;
    sh->nrows++;
    return true;
}

int tk_open_plans_sheet(tk_store *st, const char *org, int year, const char *department, const tk_template *tpl,
                        int first_row, tk_arena *a, tk_xlsx_sheet *sheet, tk_diags *d)
{
    memset(sheet, 0, sizeof *sheet);
    sheet->name = sheet->caption = tpl->single_sheet;
    sheet_build b = {tpl, a, sheet, 0, first_row};
    return tk_store_open_plans(st, org, NULL, year, department, add_plan_row, &b, d) < 0 ? -1 : 0;
}
