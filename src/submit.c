/* submit.c — the database side of ingest. */
#include "tenken/submit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void db_error(tk_store *st, tk_diags *d, const char *what)
{
    tk_diag_error(d, tk_store_path(st), 0, "データベースの%sに失敗しました: %s", what, sqlite3_errmsg(tk_store_sqlite(st)));
}

/* Statements are prepared once per handle and given back with tk_store_done. */
static sqlite3_stmt *prep(tk_store *st, const char *sql, tk_diags *d) { return tk_store_prepare(st, sql, d); }

static void copy_col(sqlite3_stmt *q, int i, char *out, size_t n)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    snprintf(out, n, "%s", t ? (const char *)t : "");
}

static char *dup_col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? tk_xstrdup((const char *)t) : NULL;
}

int tk_store_issued_by_token(tk_store *st, const char *token, tk_issued_workbook *out, tk_diags *d)
{
    sqlite3_stmt *q = prep(st,
                           "SELECT w.id, c.id, c.org, c.year, c.kind, c.checklist_hash, w.department_code, "
                           "COALESCE(dp.name, w.department_code), COALESCE(w.revoked_at, ''), COALESCE(c.deadline, '') "
                           "FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                           "LEFT JOIN department dp ON dp.campaign_id = c.id AND dp.code = w.department_code "
                           "WHERE w.token = ?",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, token, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    int result = 0;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->workbook_id = sqlite3_column_int64(q, 0);
        out->campaign_id = sqlite3_column_int64(q, 1);
        copy_col(q, 2, out->org, sizeof out->org);
        out->year = sqlite3_column_int(q, 3);
        copy_col(q, 4, out->kind, sizeof out->kind);
        copy_col(q, 5, out->checklist_hash, sizeof out->checklist_hash);
        copy_col(q, 6, out->department_code, sizeof out->department_code);
        copy_col(q, 7, out->department_name, sizeof out->department_name);
        copy_col(q, 8, out->revoked_at, sizeof out->revoked_at);
        copy_col(q, 9, out->deadline, sizeof out->deadline);
        result = 1;
    } else if (rc != SQLITE_DONE) {
        db_error(st, d, "読み出し");
        result = -1;
    }
    tk_store_done(st, q);
    return result;
}

int tk_store_issued_items(tk_store *st, int64_t workbook_id, tk_issued_item **items, size_t *n, tk_diags *d)
{
    *items = NULL;
    *n = 0;
    sqlite3_stmt *q = prep(st,
                           "SELECT wi.seq, wi.item_id, wi.sheet, wi.row, wi.text_hash, ci.ref, ci.text, ci.context "
                           "FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                           "JOIN campaign_item ci ON ci.campaign_id = w.campaign_id AND ci.item_id = wi.item_id "
                           "WHERE wi.workbook_id = ? ORDER BY wi.seq",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, workbook_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 128;
            *items = tk_xrealloc(*items, cap * sizeof **items);
        }
        tk_issued_item *it = &(*items)[(*n)++];
        it->seq = sqlite3_column_int(q, 0);
        it->item_id = dup_col(q, 1);
        it->sheet = dup_col(q, 2);
        it->row = sqlite3_column_int(q, 3);
        it->text_hash = dup_col(q, 4);
        it->ref = dup_col(q, 5);
        it->text = dup_col(q, 6);
        it->context = dup_col(q, 7);
    }
    tk_store_done(st, q);
    if (rc != SQLITE_DONE) {
        db_error(st, d, "読み出し");
        return -1;
    }
    return 0;
}

int tk_store_campaign_scale(tk_store *st, int64_t campaign_id, tk_scale_answer **scale, size_t *n, tk_diags *d)
{
    *scale = NULL;
    *n = 0;
    sqlite3_stmt *q = prep(st,
                           "SELECT value, COALESCE(points, 0), excluded, negative FROM campaign_answer "
                           "WHERE campaign_id = ? ORDER BY seq",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *scale = tk_xrealloc(*scale, cap * sizeof **scale);
        }
        tk_scale_answer *a = &(*scale)[(*n)++];
        a->value = dup_col(q, 0);
        a->points = sqlite3_column_double(q, 1);
        a->excluded = sqlite3_column_int(q, 2) != 0;
        a->negative = sqlite3_column_int(q, 3) != 0;
    }
    tk_store_done(st, q);
    if (rc != SQLITE_DONE) {
        db_error(st, d, "読み出し");
        return -1;
    }
    return 0;
}

void tk_store_issued_free(tk_issued_workbook *wb, tk_issued_item *items, size_t n, tk_scale_answer *scale, size_t nscale)
{
    (void)wb;
    for (size_t i = 0; i < n; i++) {
        free(items[i].item_id);
        free(items[i].sheet);
        free(items[i].text_hash);
        free(items[i].ref);
        free(items[i].text);
        free(items[i].context);
    }
    free(items);
    for (size_t i = 0; i < nscale; i++)
        free(scale[i].value);
    free(scale);
}

static void bind_opt(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

static bool same_text(const unsigned char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp((const char *)a, b));
}

/* A negative answer with a plan, or an audit finding, is a remediation
 * plan of the department for that item: new, or updated by a resubmission. */
static int put_plan(tk_store *st, const tk_submission_new *s, const tk_answer_rec *a, int64_t sub_id, const char *now,
                    tk_submission_result *r, tk_diags *d)
{
    sqlite3_stmt *q = prep(st,
                           "SELECT id, content, owner, due, status FROM plan "
                           "WHERE campaign_id = ? AND department_code = ? AND item_id = ?",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, s->campaign_id);
    sqlite3_bind_text(q, 2, s->department_code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, a->item_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    const char *content = a->plan ? a->plan : "";
    int result = 0;
    if (rc == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(q, 0);
        bool changed = !same_text(sqlite3_column_text(q, 1), content) || !same_text(sqlite3_column_text(q, 2), a->owner) ||
                       !same_text(sqlite3_column_text(q, 3), a->due);
        tk_store_done(st, q);
        if (!changed)
            return 0;
        q = prep(st,
                 "UPDATE plan SET content = ?, owner = ?, due = ?, answer = ?, finding = ?, source_submission_id = ?, "
                 "updated_at = ? WHERE id = ?",
                 d);
        if (!q)
            return -1;
        sqlite3_bind_text(q, 1, content, -1, SQLITE_TRANSIENT);
        bind_opt(q, 2, a->owner);
        bind_opt(q, 3, a->due);
        bind_opt(q, 4, a->value);
        bind_opt(q, 5, a->finding);
        sqlite3_bind_int64(q, 6, sub_id);
        sqlite3_bind_text(q, 7, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 8, id);
        if (sqlite3_step(q) != SQLITE_DONE)
            result = -1;
        tk_store_done(st, q);
        if (result == 0) {
            q = prep(st,
                     "INSERT INTO plan_log (plan_id, at, status, due, note, submission_id, source) "
                     "SELECT id, ?, status, due, '再提出で改善計画を更新', ?, 'ingest' FROM plan WHERE id = ?",
                     d);
            if (!q)
                return -1;
            sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(q, 2, sub_id);
            sqlite3_bind_int64(q, 3, id);
            if (sqlite3_step(q) != SQLITE_DONE)
                result = -1;
            tk_store_done(st, q);
        }
        if (result == 0)
            r->plans_updated++;
    } else if (rc == SQLITE_DONE) {
        tk_store_done(st, q);
        q = prep(st,
                 "INSERT INTO plan (campaign_id, department_code, item_id, origin, source_submission_id, answer, finding, "
                 "content, owner, due, status, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'not-started', ?, ?)",
                 d);
        if (!q)
            return -1;
        sqlite3_bind_int64(q, 1, s->campaign_id);
        sqlite3_bind_text(q, 2, s->department_code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, a->item_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, a->finding ? "finding" : "answer", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, sub_id);
        bind_opt(q, 6, a->value);
        bind_opt(q, 7, a->finding);
        sqlite3_bind_text(q, 8, content, -1, SQLITE_TRANSIENT);
        bind_opt(q, 9, a->owner);
        bind_opt(q, 10, a->due);
        sqlite3_bind_text(q, 11, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 12, now, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) != SQLITE_DONE)
            result = -1;
        tk_store_done(st, q);
        if (result == 0) {
            int64_t id = sqlite3_last_insert_rowid(tk_store_sqlite(st));
            q = prep(st,
                     "INSERT INTO plan_log (plan_id, at, status, due, note, submission_id, source) "
                     "VALUES (?, ?, 'not-started', ?, '点検票で登録', ?, 'ingest')",
                     d);
            if (!q)
                return -1;
            sqlite3_bind_int64(q, 1, id);
            sqlite3_bind_text(q, 2, now, -1, SQLITE_TRANSIENT);
            bind_opt(q, 3, a->due);
            sqlite3_bind_int64(q, 4, sub_id);
            if (sqlite3_step(q) != SQLITE_DONE)
                result = -1;
            tk_store_done(st, q);
        }
        if (result == 0)
            r->plans_new++;
    } else {
        tk_store_done(st, q);
        result = -1;
    }
    if (result != 0)
        db_error(st, d, "改善計画の書き込み");
    return result;
}

int tk_store_submit(tk_store *st, const tk_submission_new *s, tk_submission_result *r, tk_diags *d)
{
    memset(r, 0, sizeof *r);
    if (tk_store_begin(st, d) != 0)
        return -1;
    sqlite3 *db = tk_store_sqlite(st);
    char now[32];
    tk_store_now(now);
    sqlite3_stmt *q = prep(st, "SELECT id FROM submission WHERE workbook_id = ? AND sha256 = ?", d);
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, s->workbook_id);
    sqlite3_bind_text(q, 2, s->sha256, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        r->submission_id = sqlite3_column_int64(q, 0);
        r->same = true;
        tk_store_done(st, q);
        tk_store_rollback(st);
        return 0;
    }
    tk_store_done(st, q);
    if (rc != SQLITE_DONE)
        goto fail_db;

    q = prep(st,
             "INSERT INTO submission (workbook_id, sha256, file, received_at, answered, flagged) VALUES (?, ?, ?, ?, ?, ?)",
             d);
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, s->workbook_id);
    sqlite3_bind_text(q, 2, s->sha256, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, s->file, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)s->answered);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)s->flagged);
    rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE)
        goto fail_db;
    int64_t id = sqlite3_last_insert_rowid(db);
    r->submission_id = id;

    q = prep(st, "UPDATE submission SET superseded_by = ? WHERE workbook_id = ? AND superseded_by IS NULL AND id <> ?", d);
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, s->workbook_id);
    sqlite3_bind_int64(q, 3, id);
    rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE)
        goto fail_db;
    r->superseded = sqlite3_changes(db) > 0;

    q = prep(st,
             "INSERT INTO answer (submission_id, item_id, value, evidence, note, finding, advice, plan, owner, due, flag, cell) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             d);
    if (!q)
        goto fail;
    for (size_t i = 0; i < s->nanswers; i++) {
        const tk_answer_rec *a = &s->answers[i];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_text(q, 2, a->item_id, -1, SQLITE_TRANSIENT);
        bind_opt(q, 3, a->value);
        bind_opt(q, 4, a->evidence);
        bind_opt(q, 5, a->note);
        bind_opt(q, 6, a->finding);
        bind_opt(q, 7, a->advice);
        bind_opt(q, 8, a->plan);
        bind_opt(q, 9, a->owner);
        bind_opt(q, 10, a->due);
        bind_opt(q, 11, a->flag);
        bind_opt(q, 12, a->cell);
        if (sqlite3_step(q) != SQLITE_DONE) {
            tk_store_done(st, q);
            goto fail_db;
        }
    }
    tk_store_done(st, q);

    if (s->fields) {
        q = prep(st, "INSERT INTO submission_field (submission_id, key, value) VALUES (?, ?, ?)", d);
        if (!q)
            goto fail;
        for (size_t i = 0; i < s->fields->cap; i++) {
            if (!s->fields->keys[i])
                continue;
            sqlite3_reset(q);
            sqlite3_bind_int64(q, 1, id);
            sqlite3_bind_text(q, 2, s->fields->keys[i], -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 3, s->fields->vals[i], -1, SQLITE_TRANSIENT);
            if (sqlite3_step(q) != SQLITE_DONE) {
                tk_store_done(st, q);
                goto fail_db;
            }
        }
        tk_store_done(st, q);
    }

    for (size_t i = 0; i < s->nanswers; i++) {
        const tk_answer_rec *a = &s->answers[i];
        if ((a->negative && a->plan) || a->finding) {
            if (put_plan(st, s, a, id, now, r, d) != 0)
                goto fail;
        }
    }
    if (tk_store_commit(st, d) != 0)
        goto fail;
    return 0;
fail_db:
    db_error(st, d, "書き込み");
fail:
    tk_store_rollback(st);
    memset(r, 0, sizeof *r);
    return -1;
}

int tk_store_status(tk_store *st, const char *org, int year, const char *kind, const char *today, char deadline[16],
                    tk_status_fn fn, void *user, tk_diags *d)
{
    sqlite3_stmt *q = prep(st, "SELECT id, COALESCE(deadline, '') FROM campaign WHERE org = ? AND year = ? AND kind = ?", d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, year);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        tk_store_done(st, q);
        if (rc == SQLITE_DONE)
            return 0;
        db_error(st, d, "読み出し");
        return -1;
    }
    int64_t cid = sqlite3_column_int64(q, 0);
    copy_col(q, 1, deadline, 16);
    tk_store_done(st, q);
    q = prep(st,
             "SELECT dp.code, dp.name, w.file, w.items, s.received_at, s.answered, s.flagged, "
             " (SELECT COUNT(*) FROM plan p WHERE p.campaign_id = dp.campaign_id AND p.department_code = dp.code), "
             " (SELECT COUNT(*) FROM plan p WHERE p.campaign_id = dp.campaign_id AND p.department_code = dp.code "
             "    AND p.status NOT IN ('done', 'risk-accepted') AND p.due IS NOT NULL AND p.due < ?), "
             " (SELECT COUNT(*) FROM submission s2 WHERE s2.workbook_id = w.id) "
             "FROM department dp "
             "LEFT JOIN workbook w ON w.campaign_id = dp.campaign_id AND w.department_code = dp.code AND w.revoked_at IS NULL "
             "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
             "WHERE dp.campaign_id = ? ORDER BY dp.code",
             d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, cid);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        tk_status_row r = {
            .code = (const char *)sqlite3_column_text(q, 0),
            .name = (const char *)sqlite3_column_text(q, 1),
            .file = (const char *)sqlite3_column_text(q, 2),
            .items = sqlite3_column_int(q, 3),
            .received_at = (const char *)sqlite3_column_text(q, 4),
            .answered = sqlite3_column_int(q, 5),
            .flagged = sqlite3_column_int(q, 6),
            .plans = sqlite3_column_int(q, 7),
            .plans_overdue = sqlite3_column_int(q, 8),
            .submissions = sqlite3_column_int(q, 9),
        };
        if (!fn(&r, user))
            break;
    }
    tk_store_done(st, q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        db_error(st, d, "読み出し");
        return -1;
    }
    return 1;
}
