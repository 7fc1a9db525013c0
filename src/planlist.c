/* planlist.c — remediation plans listed and changed by the secretariat. */
#include "tenken/planlist.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool tk_plan_filter_parse(const char *s, enum tk_plan_filter *out)
{
    static const char *names[] = {"open", "overdue", "done", "all"};
    for (int i = 0; i < 4; i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum tk_plan_filter)i;
            return true;
        }
    }
    return false;
}

static const char *text(sqlite3_stmt *q, int i) { return (const char *)sqlite3_column_text(q, i); }

static int by_urgency(const void *pa, const void *pb)
{
    const tk_plan_row *a = pa, *b = pb;
    if (a->days_overdue != b->days_overdue)
        return a->days_overdue > b->days_overdue ? -1 : 1;
    const char *da = a->due ? a->due : "9999", *db = b->due ? b->due : "9999";
    int c = strcmp(da, db);
    if (c)
        return c;
    c = strcmp(a->department_code, b->department_code);
    return c ? c : (a->id < b->id ? -1 : a->id > b->id);
}

typedef struct plan_walk {
    const tk_plan_query *pq;
    tk_plan_fn fn;
    void *user;
} plan_walk;

/* One plan to the walk's callback, when the query's filter keeps it. */
static int plan_row(sqlite3_stmt *q, void *user)
{
    const plan_walk *w = user;
    const tk_plan_query *pq = w->pq;
    tk_plan_row r;
    memset(&r, 0, sizeof r);
    r.id = sqlite3_column_int64(q, 0);
    r.year = sqlite3_column_int(q, 1);
    r.kind = text(q, 2);
    r.department_code = text(q, 3);
    r.department_name = text(q, 4);
    r.item_id = text(q, 5);
    r.ref = text(q, 6);
    r.item_text = text(q, 7);
    r.origin = text(q, 8);
    r.answer = text(q, 9);
    r.finding = text(q, 10);
    r.content = text(q, 11);
    r.owner = text(q, 12);
    r.due = text(q, 13);
    if (!tk_plan_status_parse((const char *)sqlite3_column_text(q, 14), &r.status))
        r.status = TK_PLAN_NOT_STARTED;
    r.closed_at = text(q, 15);
    r.created_at = text(q, 16);
    r.updated_at = text(q, 17);
    r.log_entries = (size_t)sqlite3_column_int64(q, 18);
    tk_date due;
    if (r.due && tk_date_parse(r.due, &due))
        r.days_overdue = tk_plan_days_overdue(r.status, due, pq->today);
    bool closed = tk_plan_status_closed(r.status);
    bool keep = pq->filter == TK_PLANS_ALL || (pq->filter == TK_PLANS_OPEN && !closed) ||
                (pq->filter == TK_PLANS_OVERDUE && r.days_overdue > 0) || (pq->filter == TK_PLANS_DONE && closed);
    return keep ? w->fn(w->user, &r) : 0;
}

int tk_plans_each(tk_store *st, const tk_plan_query *pq, tk_plan_fn fn, void *user, tk_diags *d)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(tk_store_sqlite(st),
                           "SELECT p.id, c.year, c.kind, p.department_code, COALESCE(dp.name, p.department_code), p.item_id, "
                           " COALESCE(ci.ref, ''), COALESCE(ci.text, ''), p.origin, p.answer, p.finding, p.content, p.owner, "
                           " p.due, p.status, p.closed_at, p.created_at, p.updated_at, "
                           " (SELECT COUNT(*) FROM plan_log l WHERE l.plan_id = p.id) "
                           "FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                           "LEFT JOIN department dp ON dp.campaign_id = c.id AND dp.code = p.department_code "
                           "LEFT JOIN campaign_item ci ON ci.campaign_id = c.id AND ci.item_id = p.item_id "
                           "WHERE c.org = ?1 AND (?2 = 0 OR c.year = ?2) AND (?3 IS NULL OR p.department_code = ?3) "
                           " AND (?4 IS NULL OR c.kind = ?4) "
                           "ORDER BY p.id",
                           -1, &q, NULL) != SQLITE_OK)
        return tk_store_fail(st, d, "読み出し");
    sqlite3_bind_text(q, 1, pq->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, pq->year);
    if (pq->department)
        sqlite3_bind_text(q, 3, pq->department, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 3);
    if (pq->kind)
        sqlite3_bind_text(q, 4, pq->kind, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 4);
    plan_walk w = {pq, fn, user};
    return tk_store_each_row(st, q, plan_row, &w, NULL, d);
}

static int keep_row(void *user, const tk_plan_row *row)
{
    tk_plan_list *out = user;
    tk_arena *a = out->arena;
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 64;
        tk_plan_row *nr = tk_arena_alloc(a, out->cap * sizeof *nr);
        if (out->n)
            memcpy(nr, out->rows, out->n * sizeof *nr);
        out->rows = nr;
    }
    tk_plan_row *r = &out->rows[out->n++];
    *r = *row;
    const char **s[] = {&r->kind, &r->department_code, &r->department_name, &r->item_id, &r->ref, &r->item_text,
                        &r->origin, &r->answer, &r->finding, &r->content, &r->owner, &r->due,
                        &r->closed_at, &r->created_at, &r->updated_at};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        *s[i] = *s[i] ? tk_arena_strdup(a, *s[i]) : NULL;
    return 0;
}

int tk_plans_list(tk_store *st, const tk_plan_query *pq, tk_plan_list *out, tk_diags *d)
{
    memset(out, 0, sizeof *out);
    out->arena = tk_arena_new();
    if (tk_plans_each(st, pq, keep_row, out, d) != 0)
        return -1;
    if (out->n) /* rows is NULL when nothing matched */
        qsort(out->rows, out->n, sizeof *out->rows, by_urgency);
    return 0;
}

void tk_plan_list_free(tk_plan_list *l)
{
    tk_arena_free(l->arena);
    memset(l, 0, sizeof *l);
}

int tk_plan_apply(tk_store *st, int64_t id, const tk_plan_change *ch, tk_diags *d)
{
    sqlite3 *db = tk_store_sqlite(st);
    if (tk_store_begin(st, d) != 0)
        return -1;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT status, due FROM plan WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        tk_store_rollback(st);
        if (rc != SQLITE_DONE)
            return tk_store_fail(st, d, "読み出し");
        tk_diag_error(d, tk_store_path(st), 0, "改善計画 %lld は記録にありません。tenken plans で番号を確かめてください", (long long)id);
        return 1;
    }
    enum tk_plan_status from;
    if (!tk_plan_status_parse((const char *)sqlite3_column_text(q, 0), &from))
        from = TK_PLAN_NOT_STARTED;
    tk_date due = {0, 0, 0};
    const unsigned char *ds = sqlite3_column_text(q, 1);
    if (ds)
        tk_date_parse((const char *)ds, &due);
    sqlite3_finalize(q);
    char why[512];
    if (!tk_plan_check(from, due, ch, why, sizeof why)) {
        tk_store_rollback(st);
        tk_diag_error(d, tk_store_path(st), 0, "改善計画 %lld: %s", (long long)id, why);
        return 1;
    }
    char now[32], date[TK_DATE_ISO_SIZE] = "", newdue[TK_DATE_ISO_SIZE] = "";
    tk_store_now(now);
    if (ch->date.y)
        tk_date_iso(ch->date, date);
    if (ch->new_due.y)
        tk_date_iso(ch->new_due, newdue);
    const char *status = tk_plan_status_key(ch->to);
    if (sqlite3_prepare_v2(db,
                           "UPDATE plan SET status = ?1, due = COALESCE(?2, due), "
                           " closed_at = CASE WHEN ?1 IN ('done','risk-accepted') THEN ?3 ELSE closed_at END, "
                           " evidence = COALESCE(?4, evidence), updated_at = ?5 WHERE id = ?6",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(q, 1, status, -1, SQLITE_STATIC);
    if (*newdue)
        sqlite3_bind_text(q, 2, newdue, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 2);
    if (*date)
        sqlite3_bind_text(q, 3, date, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 3);
    if (ch->note && (ch->to == TK_PLAN_DONE || ch->to == TK_PLAN_RISK_ACCEPTED))
        sqlite3_bind_text(q, 4, ch->note, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 4);
    sqlite3_bind_text(q, 5, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 6, id);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        goto fail;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO plan_log (plan_id, at, status, due, note, reason, source) "
                           "VALUES (?, ?, ?, (SELECT due FROM plan WHERE id = ?), ?, ?, 'secretariat')",
                           -1, &q, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, *date ? date : now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, id);
    if (ch->note)
        sqlite3_bind_text(q, 5, ch->note, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 5);
    if (ch->reason)
        sqlite3_bind_text(q, 6, ch->reason, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 6);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        goto fail;
    return tk_store_commit(st, d) == 0 ? 0 : -1;
fail:
    tk_store_fail(st, d, "書き込み");
    tk_store_rollback(st);
    return -1;
}
