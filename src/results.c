/* results.c — a campaign's answers in memory, grouped and scored. */
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

static int fail(tk_store *st, tk_diags *d)
{
    tk_diag_error(d, tk_store_path(st), 0, "データベースの読み出しに失敗しました: %s", sqlite3_errmsg(tk_store_sqlite(st)));
    return -1;
}

#define GROW(arr, n, cap)                                                                                              \
    do {                                                                                                               \
        if ((n) == (cap)) {                                                                                            \
            (cap) = (cap) ? (cap) * 2 : 64;                                                                            \
            (arr) = tk_xrealloc((arr), (cap) * sizeof *(arr));                                                        \
        }                                                                                                              \
    } while (0)

int tk_results_load(tk_store *st, const char *org, int year, const char *kind, tk_results **out, tk_diags *d)
{
    *out = NULL;
    sqlite3 *db = tk_store_sqlite(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, org_name, COALESCE(deadline, ''), template FROM campaign "
                           "WHERE org = ? AND year = ? AND kind = ?",
                           -1, &q, NULL) != SQLITE_OK)
        return fail(st, d);
    sqlite3_bind_text(q, 1, org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, year);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        return rc == SQLITE_DONE ? 0 : fail(st, d);
    }
    tk_results *r = tk_xcalloc(1, sizeof *r);
    r->arena = tk_arena_new();
    tk_arena *a = r->arena;
    r->campaign_id = sqlite3_column_int64(q, 0);
    r->org_name = col(a, q, 1);
    r->deadline = col(a, q, 2);
    r->template_ref = col(a, q, 3);
    r->org = tk_arena_strdup(a, org);
    r->kind = tk_arena_strdup(a, kind);
    r->year = year;
    sqlite3_finalize(q);

    size_t cap = 0;
    /* the checklist as issued */
    if (sqlite3_prepare_v2(db,
                           "SELECT item_id, ref, chapter, roles, level, text, context, weight, seq FROM campaign_item "
                           "WHERE campaign_id = ? ORDER BY seq",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        GROW(r->items, r->nitems, cap);
        tk_res_item *it = &r->items[r->nitems++];
        it->id = col(a, q, 0);
        it->ref = col(a, q, 1);
        it->chapter = col(a, q, 2);
        it->roles = col(a, q, 3);
        it->level = col(a, q, 4);
        it->text = col(a, q, 5);
        it->context = col(a, q, 6);
        it->weight = sqlite3_column_double(q, 7);
        it->seq = sqlite3_column_int(q, 8);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        goto fail;
    /* the scale */
    cap = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT value, COALESCE(points, 0), excluded, negative FROM campaign_answer "
                           "WHERE campaign_id = ? ORDER BY seq",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        GROW(r->answers, r->nanswers, cap);
        tk_res_answer *an = &r->answers[r->nanswers++];
        an->value = col(a, q, 0);
        an->points = sqlite3_column_double(q, 1);
        an->excluded = sqlite3_column_int(q, 2) != 0;
        an->negative = sqlite3_column_int(q, 3) != 0;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        goto fail;
    /* departments, with their active workbooks and current submissions: a
     * department with several workbooks (one per role, or per person of a
     * staff round) has returned when all of them are in */
    cap = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT dp.code, dp.name, count(w.id) > 0, "
                           " CASE WHEN count(w.id) > 0 AND count(s.id) = count(w.id) THEN max(s.received_at) END "
                           "FROM department dp "
                           "LEFT JOIN workbook w ON w.campaign_id = dp.campaign_id AND w.department_code = dp.code "
                           " AND w.revoked_at IS NULL "
                           "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
                           "WHERE dp.campaign_id = ? GROUP BY dp.code ORDER BY dp.code",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        GROW(r->depts, r->ndepts, cap);
        tk_res_department *dp = &r->depts[r->ndepts++];
        dp->code = col(a, q, 0);
        dp->name = col(a, q, 1);
        dp->issued = sqlite3_column_int(q, 2) != 0;
        dp->returned_at = col(a, q, 3);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        goto fail;
    /* every (department, item) issued, with its answer */
    tk_strmap dmap = {0}, imap = {0}, amap = {0};
    for (size_t i = 0; i < r->ndepts; i++)
        tk_strmap_set(&dmap, r->depts[i].code, (const void *)(i + 1));
    for (size_t i = 0; i < r->nitems; i++)
        tk_strmap_set(&imap, r->items[i].id, (const void *)(i + 1));
    for (size_t i = 0; i < r->nanswers; i++)
        tk_strmap_set(&amap, r->answers[i].value, (const void *)(i + 1));
    cap = 0;
    rc = sqlite3_prepare_v2(db,
                            "SELECT w.department_code, wi.item_id, a.value, a.flag, a.plan, a.owner, a.due, a.evidence, a.note, "
                            " a.finding "
                            "FROM workbook w JOIN workbook_item wi ON wi.workbook_id = w.id "
                            "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
                            "LEFT JOIN answer a ON a.submission_id = s.id AND a.item_id = wi.item_id "
                            "WHERE w.campaign_id = ? AND w.revoked_at IS NULL ORDER BY w.department_code, w.id, wi.seq",
                            -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, r->campaign_id);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const char *dc = (const char *)sqlite3_column_text(q, 0);
            const char *ic = (const char *)sqlite3_column_text(q, 1);
            const char *av = (const char *)sqlite3_column_text(q, 2);
            uintptr_t di = (uintptr_t)tk_strmap_get(&dmap, dc ? dc : "");
            uintptr_t ii = (uintptr_t)tk_strmap_get(&imap, ic ? ic : "");
            if (!di || !ii)
                continue;
            GROW(r->cells, r->ncells, cap);
            tk_res_cell *c = &r->cells[r->ncells++];
            c->dept = di - 1;
            c->item = ii - 1;
            uintptr_t ai = av ? (uintptr_t)tk_strmap_get(&amap, av) : 0;
            c->answer = ai ? (int)ai - 1 : -1;
            c->flag = col(a, q, 3);
            c->plan = col(a, q, 4);
            c->owner = col(a, q, 5);
            c->due = col(a, q, 6);
            c->evidence = col(a, q, 7);
            c->note = col(a, q, 8);
            c->finding = col(a, q, 9);
        }
        sqlite3_finalize(q);
    }
    tk_strmap_free(&dmap);
    tk_strmap_free(&imap);
    tk_strmap_free(&amap);
    if (rc != SQLITE_DONE)
        goto fail;
    *out = r;
    return 1;
fail:
    fail(st, d);
    tk_results_free(r);
    return -1;
}

void tk_results_free(tk_results *r)
{
    if (!r)
        return;
    free(r->items);
    free(r->depts);
    free(r->answers);
    free(r->cells);
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

static void add_cell(const tk_results *r, const tk_res_cell *c, tk_tally *t)
{
    const tk_res_item *it = &r->items[c->item];
    if (c->answer < 0) {
        tk_tally_add(t, it->weight, TK_ANSWER_NONE, 0, false);
        return;
    }
    const tk_res_answer *a = &r->answers[c->answer];
    tk_tally_add(t, it->weight, a->excluded ? TK_ANSWER_EXCLUDED : TK_ANSWER_SCORED, a->points, a->negative);
}

typedef struct gset {
    tk_group *g;
    size_t n, cap;
    tk_strmap idx; /* key -> index + 1 */
} gset;

static tk_group *group_for(gset *s, const char *key, const char *label, const char *code, size_t index)
{
    uintptr_t i = (uintptr_t)tk_strmap_get(&s->idx, key);
    if (i)
        return &s->g[i - 1];
    GROW(s->g, s->n, s->cap);
    tk_group *g = &s->g[s->n++];
    memset(g, 0, sizeof *g);
    g->label = label;
    g->code = code;
    g->index = index;
    tk_strmap_set(&s->idx, key, (const void *)(uintptr_t)s->n);
    return g;
}

size_t tk_results_group(const tk_results *r, enum tk_group_by by, tk_group **groups, tk_tally *total)
{
    gset s = {0};
    memset(total, 0, sizeof *total);
    /* groups appear in natural order: departments by code, items and
     * chapters by checklist order, levels by their order */
    if (by == TK_BY_DEPARTMENT)
        for (size_t i = 0; i < r->ndepts; i++)
            if (r->depts[i].issued)
                group_for(&s, r->depts[i].code, r->depts[i].name, r->depts[i].code, i);
    for (size_t k = 0; k < r->nitems; k++) {
        const tk_res_item *it = &r->items[k];
        if (by == TK_BY_CHAPTER)
            group_for(&s, it->chapter, it->chapter, "", k);
        else if (by == TK_BY_ITEM)
            group_for(&s, it->id, it->ref, it->id, k);
    }
    if (by == TK_BY_LEVEL) {
        static const enum tk_level order[] = {TK_LEVEL_MUST, TK_LEVEL_MUST_NOT, TK_LEVEL_SHOULD, TK_LEVEL_DECLARE};
        for (int i = 0; i < 4; i++)
            group_for(&s, tk_level_name(order[i]), tk_level_label(order[i]), tk_level_name(order[i]), (size_t)i);
    }
    for (size_t i = 0; i < r->ncells; i++) {
        const tk_res_cell *c = &r->cells[i];
        const tk_res_item *it = &r->items[c->item];
        add_cell(r, c, total);
        switch (by) {
        case TK_BY_DEPARTMENT:
            add_cell(r, c, &group_for(&s, r->depts[c->dept].code, r->depts[c->dept].name, r->depts[c->dept].code, c->dept)->tally);
            break;
        case TK_BY_CHAPTER:
            add_cell(r, c, &group_for(&s, it->chapter, it->chapter, "", c->item)->tally);
            break;
        case TK_BY_ITEM:
            add_cell(r, c, &group_for(&s, it->id, it->ref, it->id, c->item)->tally);
            break;
        case TK_BY_LEVEL: {
            enum tk_level l;
            if (!tk_level_parse(it->level, &l))
                l = TK_LEVEL_MUST;
            add_cell(r, c, &group_for(&s, tk_level_name(l), tk_level_label(l), tk_level_name(l), 0)->tally);
            break;
        }
        case TK_BY_ROLE: {
            /* an item two roles must act on counts for each of them */
            const char *p = it->roles, *word;
            size_t n;
            while (tk_word_next(&p, &word, &n)) {
                const char *role = tk_arena_strndup(r->arena, word, n);
                add_cell(r, c, &group_for(&s, role, role, role, 0)->tally);
            }
            break;
        }
        }
    }
    /* levels nobody was asked about are no group */
    if (by == TK_BY_LEVEL) {
        size_t k = 0;
        for (size_t i = 0; i < s.n; i++)
            if (s.g[i].tally.issued)
                s.g[k++] = s.g[i];
        s.n = k;
    }
    tk_strmap_free(&s.idx);
    *groups = s.g;
    return s.n;
}

tk_tally tk_results_dept_chapter(const tk_results *r, size_t dept, const char *chapter)
{
    tk_tally t = {0};
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i].dept == dept && !strcmp(r->items[r->cells[i].item].chapter, chapter))
            add_cell(r, &r->cells[i], &t);
    return t;
}
