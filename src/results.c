/* results.c — a campaign's answers, grouped and scored. Three stages:
 * the campaign's checklist, scale and departments are loaded
 * (tk_results_load); its cells are streamed from the database
 * (tk_results_cells) and summed into tallies (tk_results_tally), never
 * kept; the groupings are read off the tallies (tk_results_group). */
#include "tenken/results.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/checklist.h"

static const char *col(tk_arena *a, sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? tk_arena_strdup(a, (const char *)t) : NULL;
}

#define GROW(arr, n, cap) TK_GROW(arr, n, cap, 64)

static int tally_cell(void *user, const tk_res_cell *c)
{
    tk_results_tally(user, c);
    return 0;
}

/* The stages of the load: each reads one table of the campaign (?1) into
 * r, a row at a time. */
typedef struct load_walk {
    tk_results *r;
    size_t cap;
} load_walk;

static int load_rows(tk_store *st, tk_results *r, const char *sql, tk_store_row_fn row, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st, sql, d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    load_walk l = {r, 0};
    return tk_store_each_row(st, q, row, &l, NULL, d);
}

static int item_row(sqlite3_stmt *q, void *user)
{
    load_walk *l = user;
    tk_results *r = l->r;
    GROW(r->items, r->nitems, l->cap);
    tk_res_item *it = &r->items[r->nitems++];
    it->id = col(r->arena, q, 0);
    it->ref = col(r->arena, q, 1);
    it->chapter = col(r->arena, q, 2);
    it->roles = col(r->arena, q, 3);
    it->level = col(r->arena, q, 4);
    it->text = col(r->arena, q, 5);
    it->context = col(r->arena, q, 6);
    it->weight = sqlite3_column_double(q, 7);
    it->seq = sqlite3_column_int(q, 8);
    return 0;
}

static int answer_row(sqlite3_stmt *q, void *user)
{
    load_walk *l = user;
    tk_results *r = l->r;
    GROW(r->answers, r->nanswers, l->cap);
    tk_res_answer *an = &r->answers[r->nanswers++];
    an->value = col(r->arena, q, 0);
    an->points = sqlite3_column_double(q, 1);
    an->excluded = sqlite3_column_int(q, 2) != 0;
    an->negative = sqlite3_column_int(q, 3) != 0;
    return 0;
}

static int department_row(sqlite3_stmt *q, void *user)
{
    load_walk *l = user;
    tk_results *r = l->r;
    GROW(r->depts, r->ndepts, l->cap);
    tk_res_department *dp = &r->depts[r->ndepts++];
    dp->code = col(r->arena, q, 0);
    dp->name = col(r->arena, q, 1);
    dp->issued = sqlite3_column_int(q, 2) != 0;
    dp->returned_at = col(r->arena, q, 3);
    return 0;
}

static int load_tables(tk_store *st, tk_results *r, tk_diags *d)
{
    if (load_rows(st, r,
                  "SELECT item_id, ref, chapter, roles, level, text, context, weight, seq FROM campaign_item "
                  "WHERE campaign_id = ?1 ORDER BY seq",
                  item_row, d) != 0 ||
        load_rows(st, r,
                  "SELECT value, COALESCE(points, 0), excluded, negative FROM campaign_answer "
                  "WHERE campaign_id = ?1 ORDER BY seq",
                  answer_row, d) != 0)
        return -1;
    /* departments, with their active workbooks and current submissions: a
     * department with several workbooks (one per role, or per person of a
     * staff round) has returned when all of them are in */
    return load_rows(st, r,
                     "SELECT dp.code, dp.name, count(w.id) > 0, "
                     " CASE WHEN count(w.id) > 0 AND count(s.id) = count(w.id) THEN max(s.received_at) END "
                     "FROM department dp "
                     "LEFT JOIN workbook w ON w.campaign_id = dp.campaign_id AND w.department_code = dp.code "
                     " AND w.revoked_at IS NULL "
                     "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
                     "WHERE dp.campaign_id = ?1 GROUP BY dp.code ORDER BY dp.code",
                     department_row, d);
}

/* The campaign's one row: the results begun. */
static int campaign_row(sqlite3_stmt *q, void *user)
{
    tk_results *r = tk_xcalloc(1, sizeof *r);
    r->arena = tk_arena_new();
    r->campaign_id = sqlite3_column_int64(q, 0);
    r->org_name = col(r->arena, q, 1);
    r->deadline = col(r->arena, q, 2);
    r->template_ref = col(r->arena, q, 3);
    *(tk_results **)user = r;
    return 1;
}

int tk_results_load(tk_store *st, const char *org, int year, const char *kind, tk_results **out, tk_diags *d)
{
    *out = NULL;
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT id, org_name, COALESCE(deadline, ''), template FROM campaign "
                                       "WHERE org = ? AND year = ? AND kind = ?",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, year);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_TRANSIENT);
    tk_results *r = NULL;
    int found = tk_store_each_row(st, q, campaign_row, &r, NULL, d);
    if (found <= 0)
        return found;
    r->org = tk_arena_strdup(r->arena, org);
    r->kind = tk_arena_strdup(r->arena, kind);
    r->year = year;
    if (load_tables(st, r, d) != 0) {
        tk_results_free(r);
        return -1;
    }
    /* every cell summed as it streams, none kept */
    tk_results_tally_begin(r);
    if (tk_results_cells(st, r, -1, tally_cell, r, d) != 0) {
        tk_results_free(r);
        return -1;
    }
    *out = r;
    return 1;
}

void tk_results_free(tk_results *r)
{
    if (!r)
        return;
    free(r->items);
    free(r->depts);
    free(r->answers);
    tk_arena_free(r->arena);
    free(r);
}

bool tk_group_by_parse(const char *s, enum tk_group_by *out)
{
    static const char *names[] = {"department", "chapter", "role", "item", "level"};
    for (int i = 0; i < 5; i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum tk_group_by)i;
            return true;
        }
    }
    return false;
}


/* ======================================================================
 * Lookups
 * ====================================================================== */

static int by_code(const void *key, const void *elem)
{
    return strcmp(key, ((const tk_res_department *)elem)->code);
}

typedef struct id_at {
    const char *id;
    size_t k;
} id_at;

static int by_id(const void *x, const void *y) { return strcmp(((const id_at *)x)->id, ((const id_at *)y)->id); }

/* Item indices sorted by id, in the arena. */
static size_t *items_by_id(const tk_results *r)
{
    id_at *v = tk_xcalloc(r->nitems ? r->nitems : 1, sizeof *v);
    for (size_t k = 0; k < r->nitems; k++)
        v[k] = (id_at){r->items[k].id, k};
    qsort(v, r->nitems, sizeof *v, by_id);
    size_t *out = tk_arena_alloc(r->arena, (r->nitems ? r->nitems : 1) * sizeof *out);
    for (size_t k = 0; k < r->nitems; k++)
        out[k] = v[k].k;
    free(v);
    return out;
}

long tk_results_find_item(const tk_results *r, const char *id)
{
    size_t lo = 0, hi = r->nitems;
    while (id && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(id, r->items[r->item_by_id[mid]].id);
        if (!c)
            return (long)r->item_by_id[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

long tk_results_find_dept(const tk_results *r, const char *code)
{
    const tk_res_department *dp = code ? bsearch(code, r->depts, r->ndepts, sizeof *r->depts, by_code) : NULL;
    return dp ? (long)(dp - r->depts) : -1;
}

/* ======================================================================
 * Summing the cells
 * ====================================================================== */

/* The roles of each item resolved at its first cell, so that roles come
 * in the order the cells first name them (tk_results_group by role). */
struct tk_res_acc {
    enum tk_level *item_level; /* per item; one not known counts as must */
    long *item_roles_at; /* per item: offset into pool, -1 until its first cell */
    size_t *item_nroles; /* per item: its role words */
    size_t *pool, npool;
    size_t ordinal;      /* negative (cell, role) pairs so far */
};

static void *zalloc(tk_arena *a, size_t n, size_t size)
{
    size_t bytes = (n ? n : 1) * size;
    void *p = tk_arena_alloc(a, bytes);
    memset(p, 0, bytes);
    return p;
}

static size_t words(const char *s)
{
    const char *p = s ? s : "", *w;
    size_t n = 0, len;
    while (tk_word_next(&p, &w, &len))
        n++;
    return n;
}

void tk_results_tally_begin(tk_results *r)
{
    tk_arena *a = r->arena;
    size_t nd = r->ndepts, nk = r->nitems, na = r->nanswers;
    memset(&r->total, 0, sizeof r->total);
    memset(r->level_tally, 0, sizeof r->level_tally);
    r->flagged = r->evidenced = 0;
    r->dept_tally = zalloc(a, nd, sizeof *r->dept_tally);
    r->item_tally = zalloc(a, nk, sizeof *r->item_tally);
    r->dept_answer = zalloc(a, nd * na, sizeof *r->dept_answer);
    r->item_answer = zalloc(a, nk * na, sizeof *r->item_answer);
    r->dept_flagged = zalloc(a, nd, sizeof *r->dept_flagged);
    /* chapters in checklist order */
    r->chapters = zalloc(a, nk, sizeof *r->chapters);
    r->item_chapter = zalloc(a, nk, sizeof *r->item_chapter);
    r->nchapters = 0;
    for (size_t k = 0; k < nk; k++) {
        const char *ch = r->items[k].chapter ? r->items[k].chapter : "";
        size_t c = 0;
        while (c < r->nchapters && strcmp(r->chapters[c], ch))
            c++;
        if (c == r->nchapters)
            r->chapters[r->nchapters++] = ch;
        r->item_chapter[k] = c;
    }
    r->chapter_tally = zalloc(a, r->nchapters, sizeof *r->chapter_tally);
    r->dept_chapter = zalloc(a, nd * r->nchapters, sizeof *r->dept_chapter);
    /* roles as the cells name them */
    struct tk_res_acc *acc = zalloc(a, 1, sizeof *acc);
    acc->item_roles_at = zalloc(a, nk, sizeof *acc->item_roles_at);
    acc->item_nroles = zalloc(a, nk, sizeof *acc->item_nroles);
    r->nroles_cap = 0; /* all role words of all items: at most so many roles */
    acc->item_level = zalloc(a, nk, sizeof *acc->item_level);
    for (size_t k = 0; k < nk; k++) {
        if (!tk_level_parse(r->items[k].level, &acc->item_level[k]))
            acc->item_level[k] = TK_LEVEL_MUST;
        acc->item_roles_at[k] = -1;
        acc->item_nroles[k] = words(r->items[k].roles);
        r->nroles_cap += acc->item_nroles[k];
    }
    acc->pool = zalloc(a, r->nroles_cap, sizeof *acc->pool);
    r->acc = acc;
    /* items by id, for the rows' lookups */
    r->item_by_id = items_by_id(r);
    r->nroles = 0;
    r->roles = zalloc(a, r->nroles_cap, sizeof *r->roles);
    r->role_tally = zalloc(a, r->nroles_cap, sizeof *r->role_tally);
    size_t ncr = r->nchapters * r->nroles_cap;
    r->chapter_role_negative = zalloc(a, ncr, sizeof *r->chapter_role_negative);
    r->chapter_role_first = zalloc(a, ncr, sizeof *r->chapter_role_first);
    for (size_t i = 0; i < ncr; i++)
        r->chapter_role_first[i] = SIZE_MAX;
}

/* Item k's roles as indices into r->roles, new roles added in the order
 * its text names them. */
static const size_t *item_roles(tk_results *r, size_t k)
{
    struct tk_res_acc *acc = r->acc;
    if (acc->item_roles_at[k] >= 0)
        return acc->pool + acc->item_roles_at[k];
    size_t *out = acc->pool + acc->npool;
    acc->item_roles_at[k] = (long)acc->npool;
    acc->npool += acc->item_nroles[k];
    const char *p = r->items[k].roles ? r->items[k].roles : "", *w;
    size_t len, i = 0;
    while (tk_word_next(&p, &w, &len)) {
        size_t j = 0;
        while (j < r->nroles && !(strlen(r->roles[j]) == len && !memcmp(r->roles[j], w, len)))
            j++;
        if (j == r->nroles)
            r->roles[r->nroles++] = tk_arena_strndup(r->arena, w, len);
        out[i++] = j;
    }
    return out;
}

static void add_to(tk_tally *t, double weight, const tk_res_answer *a)
{
    if (!a)
        tk_tally_add(t, weight, TK_ANSWER_NONE, 0, false);
    else
        tk_tally_add(t, weight, a->excluded ? TK_ANSWER_EXCLUDED : TK_ANSWER_SCORED, a->points, a->negative);
}

void tk_results_tally(tk_results *r, const tk_res_cell *c)
{
    const tk_res_item *it = &r->items[c->item];
    const tk_res_answer *an = c->answer >= 0 ? &r->answers[c->answer] : NULL;
    size_t ch = r->item_chapter[c->item];
    double w = it->weight;
    add_to(&r->total, w, an);
    add_to(&r->dept_tally[c->dept], w, an);
    add_to(&r->item_tally[c->item], w, an);
    add_to(&r->chapter_tally[ch], w, an);
    add_to(&r->dept_chapter[c->dept * r->nchapters + ch], w, an);
    add_to(&r->level_tally[r->acc->item_level[c->item]], w, an);
    const size_t *roles = item_roles(r, c->item);
    bool negative = an && an->negative;
    for (size_t i = 0; i < r->acc->item_nroles[c->item]; i++) {
        add_to(&r->role_tally[roles[i]], w, an);
        if (negative) {
            size_t at = ch * r->nroles_cap + roles[i];
            r->chapter_role_negative[at]++;
            if (r->chapter_role_first[at] == SIZE_MAX)
                r->chapter_role_first[at] = r->acc->ordinal;
            r->acc->ordinal++;
        }
    }
    if (c->answer >= 0) {
        r->dept_answer[c->dept * r->nanswers + (size_t)c->answer]++;
        r->item_answer[c->item * r->nanswers + (size_t)c->answer]++;
        r->evidenced += c->evidence && *c->evidence;
    }
    if (c->flag) {
        r->dept_flagged[c->dept]++;
        r->flagged++;
    }
}

/* ======================================================================
 * Streaming the cells
 * ====================================================================== */

int tk_results_find_answer(const tk_results *r, const char *value)
{
    for (size_t i = 0; value && i < r->nanswers; i++)
        if (!strcmp(r->answers[i].value, value))
            return (int)i;
    return -1;
}

static const char *text_or_null(sqlite3_stmt *q, int i) { return (const char *)sqlite3_column_text(q, i); }

/* The walk of a read by department (tk_results_dept_rows). */
typedef struct dept_walk {
    const tk_results *r;
    tk_res_row_fn fn;
    void *user;
    const char *last_code;
    long last_dept;
} dept_walk;

static int dept_row(sqlite3_stmt *q, void *user)
{
    dept_walk *w = user;
    const char *dc = text_or_null(q, 0);
    if (!dc)
        return 0;
    /* rows come by department: look each one up once */
    if (!w->last_code || strcmp(w->last_code, dc)) {
        w->last_dept = tk_results_find_dept(w->r, dc);
        w->last_code = w->last_dept >= 0 ? w->r->depts[w->last_dept].code : NULL;
    }
    return w->last_dept < 0 ? 0 : w->fn(q, (size_t)w->last_dept, w->user);
}

int tk_results_dept_rows(tk_store *st, const tk_results *r, long dept, const char *sql_all, const char *sql_dept,
                         tk_res_row_fn fn, void *user, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st, dept >= 0 ? sql_dept : sql_all, d); /* kept: read once per department */
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    if (dept >= 0)
        sqlite3_bind_text(q, 2, r->depts[dept].code, -1, SQLITE_STATIC);
    dept_walk w = {r, fn, user, NULL, -1};
    return tk_store_each_row(st, q, dept_row, &w, NULL, d);
}

typedef struct cell_walk {
    const tk_results *r;
    tk_res_cell_fn fn;
    void *user;
    long last_item;
} cell_walk;

static int cell_row(sqlite3_stmt *q, size_t dept, void *user)
{
    cell_walk *w = user;
    const tk_results *r = w->r;
    const char *ic = text_or_null(q, 1);
    if (!ic)
        return 0;
    /* a workbook's rows follow the checklist: try the next item first */
    long k = w->last_item + 1 < (long)r->nitems && !strcmp(r->items[w->last_item + 1].id, ic) ? w->last_item + 1
                                                                                           : tk_results_find_item(r, ic);
    w->last_item = k;
    if (k < 0)
        return 0;
    tk_res_cell c = {.dept = dept,
                     .item = (size_t)k,
                     .answer = tk_results_find_answer(r, text_or_null(q, 2)),
                     .flag = text_or_null(q, 3),
                     .plan = text_or_null(q, 4),
                     .owner = text_or_null(q, 5),
                     .due = text_or_null(q, 6),
                     .evidence = text_or_null(q, 7),
                     .note = text_or_null(q, 8),
                     .finding = text_or_null(q, 9)};
    return w->fn(w->user, &c);
}

int tk_results_cells(tk_store *st, const tk_results *r, long dept, tk_res_cell_fn fn, void *user, tk_diags *d)
{
    /* one department's rows by the active-workbook index, not a filter
     * over the whole campaign */
#define CELLS_SQL(WHERE)                                                                                               \
    "SELECT w.department_code, wi.item_id, a.value, a.flag, a.plan, a.owner, a.due, a.evidence, a.note, a.finding "     \
    "FROM workbook w JOIN workbook_item wi ON wi.workbook_id = w.id "                                                  \
    "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "                                      \
    "LEFT JOIN answer a ON a.submission_id = s.id AND a.item_id = wi.item_id "                                         \
    "WHERE w.campaign_id = ?1 AND w.revoked_at IS NULL " WHERE " ORDER BY w.department_code, w.id, wi.seq"
    cell_walk w = {r, fn, user, -1};
    return tk_results_dept_rows(st, r, dept, CELLS_SQL(""), CELLS_SQL("AND w.department_code = ?2"), cell_row, &w, d);
#undef CELLS_SQL
}

typedef struct cell_list {
    tk_arena *a;
    tk_res_cell *v;
    size_t n, cap;
} cell_list;

static const char *copy(tk_arena *a, const char *s) { return s ? tk_arena_strdup(a, s) : NULL; }

static int keep_cell(void *user, const tk_res_cell *c)
{
    cell_list *l = user;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        tk_res_cell *nv = tk_arena_alloc(l->a, l->cap * sizeof *nv);
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
    }
    tk_res_cell *o = &l->v[l->n++];
    *o = *c;
    o->flag = copy(l->a, c->flag);
    o->plan = copy(l->a, c->plan);
    o->owner = copy(l->a, c->owner);
    o->due = copy(l->a, c->due);
    o->evidence = copy(l->a, c->evidence);
    o->note = copy(l->a, c->note);
    o->finding = copy(l->a, c->finding);
    return 0;
}

long tk_results_dept_cells(tk_store *st, const tk_results *r, size_t dept, tk_arena *a, tk_res_cell **cells, tk_diags *d)
{
    cell_list l = {.a = a};
    *cells = NULL;
    if (tk_results_cells(st, r, (long)dept, keep_cell, &l, d) != 0)
        return -1;
    *cells = l.v;
    return (long)l.n;
}

/* ======================================================================
 * Groupings, read off the tallies
 * ====================================================================== */

static tk_group *push(tk_group **g, size_t *n, size_t *cap, tk_group v)
{
    GROW(*g, *n, *cap);
    (*g)[*n] = v;
    return &(*g)[(*n)++];
}

size_t tk_results_group(const tk_results *r, enum tk_group_by by, tk_group **groups, tk_tally *total)
{
    tk_group *g = NULL;
    size_t n = 0, cap = 0;
    *total = r->total;
    switch (by) {
    case TK_BY_DEPARTMENT:
        for (size_t i = 0; i < r->ndepts; i++)
            if (r->depts[i].issued)
                push(&g, &n, &cap, (tk_group){r->depts[i].name, r->depts[i].code, i, r->dept_tally[i]});
        break;
    case TK_BY_CHAPTER:
        for (size_t c = 0; c < r->nchapters; c++) {
            size_t first = 0;
            while (first < r->nitems && r->item_chapter[first] != c)
                first++;
            push(&g, &n, &cap, (tk_group){r->chapters[c], "", first, r->chapter_tally[c]});
        }
        break;
    case TK_BY_ITEM:
        for (size_t k = 0; k < r->nitems; k++)
            push(&g, &n, &cap, (tk_group){r->items[k].ref, r->items[k].id, k, r->item_tally[k]});
        break;
    case TK_BY_ROLE:
        for (size_t i = 0; i < r->nroles; i++)
            push(&g, &n, &cap, (tk_group){r->roles[i], r->roles[i], 0, r->role_tally[i]});
        break;
    case TK_BY_LEVEL: {
        /* in their order; levels nobody was asked about are no group */
        static const enum tk_level order[] = {TK_LEVEL_MUST, TK_LEVEL_MUST_NOT, TK_LEVEL_SHOULD, TK_LEVEL_DECLARE};
        for (size_t i = 0; i < 4; i++)
            if (r->level_tally[order[i]].issued)
                push(&g, &n, &cap, (tk_group){tk_level_label(order[i]), tk_level_name(order[i]), i, r->level_tally[order[i]]});
        break;
    }
    }
    *groups = g;
    return n;
}

tk_tally tk_results_dept_chapter(const tk_results *r, size_t dept, const char *chapter)
{
    for (size_t c = 0; c < r->nchapters; c++)
        if (!strcmp(r->chapters[c], chapter))
            return r->dept_chapter[dept * r->nchapters + c];
    return (tk_tally){0};
}
