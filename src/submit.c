/* submit.c — the database side of ingest. */
#include "tenken/submit.h"

#include "tenken/findings.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/text.h"

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

/* The one row of a token's workbook into the record. */
static int token_row(sqlite3_stmt *q, void *user)
{
    tk_issued_workbook *out = user;
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
    copy_col(q, 10, out->respondent, sizeof out->respondent);
    copy_col(q, 11, out->respondent_name, sizeof out->respondent_name);
    return 1;
}

int tk_store_issued_by_token(tk_store *st, const char *token, tk_issued_workbook *out, tk_diags *d)
{
    sqlite3_stmt *q = prep(st,
                           "SELECT w.id, c.id, c.org, c.year, c.kind, c.checklist_hash, w.department_code, "
                           "COALESCE(dp.name, w.department_code), COALESCE(w.revoked_at, ''), COALESCE(c.deadline, ''), "
                           "w.respondent, COALESCE(p.name, '') "
                           "FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                           "LEFT JOIN department dp ON dp.campaign_id = c.id AND dp.code = w.department_code "
                           "LEFT JOIN person p ON p.campaign_id = c.id AND p.number = w.respondent "
                           "WHERE w.token = ?",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, token, -1, SQLITE_TRANSIENT);
    return tk_store_each_row(st, q, token_row, out, NULL, d);
}

/* What a row owns (the wording is the store handle's). */
static void issued_row_free(tk_issued_item *it)
{
    free(it->item_id);
    free(it->sheet);
    free(it->text_hash);
}

/* The wording of a campaign's items (ref, text, context), kept with the
 * handle: parallel ingest workers would otherwise read it again for every
 * file, since each commit of another worker empties SQLite's page cache.
 * Every use checks each item's text hash against the workbook's row and
 * reads the campaign again when one differs. A follow-up campaign's items
 * are its plans, each in one department's workbook: there the wording of
 * the workbook's own rows is read for each file (workbook_id), so that
 * memory stays flat however many departments and plans there are. */
typedef struct wording {
    const char *ref, *text, *context, *text_hash;
} wording;

typedef struct wording_cache {
    int64_t campaign_id;
    tk_arena *a;
    tk_strmap by_item; /* item_id -> wording */
} wording_cache;

static void wording_free(void *p)
{
    wording_cache *w = p;
    if (!w)
        return;
    tk_strmap_free(&w->by_item);
    tk_arena_free(w->a);
    free(w);
}

static const char *arena_col(tk_arena *a, sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? tk_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(q, i)) : NULL;
}

static int wording_row(sqlite3_stmt *q, void *user)
{
    wording_cache *w = user;
    const char *id = arena_col(w->a, q, 0);
    if (!id)
        return 0;
    wording *e = tk_arena_alloc(w->a, sizeof *e);
    e->ref = arena_col(w->a, q, 1);
    e->text = arena_col(w->a, q, 2);
    e->context = arena_col(w->a, q, 3);
    e->text_hash = arena_col(w->a, q, 4);
    tk_strmap_set(&w->by_item, id, e);
    return 0;
}

/* The campaign's wording (workbook_id 0), or that of one workbook's rows
 * only (never reused for another workbook: campaign_id 0). */
static wording_cache *wording_load(tk_store *st, int64_t campaign_id, int64_t workbook_id, tk_diags *d)
{
    sqlite3_stmt *q = prep(st,
                           workbook_id ? "SELECT ci.item_id, ci.ref, ci.text, ci.context, ci.text_hash FROM workbook_item wi "
                                         "JOIN campaign_item ci ON ci.campaign_id = ?1 AND ci.item_id = wi.item_id "
                                         "WHERE wi.workbook_id = ?2"
                                       : "SELECT item_id, ref, text, context, text_hash FROM campaign_item WHERE campaign_id = ?1",
                           d);
    if (!q)
        return NULL;
    wording_cache *w = tk_xcalloc(1, sizeof *w);
    w->campaign_id = workbook_id ? 0 : campaign_id;
    w->a = tk_arena_new();
    sqlite3_bind_int64(q, 1, campaign_id);
    if (workbook_id)
        sqlite3_bind_int64(q, 2, workbook_id);
    if (tk_store_each_row(st, q, wording_row, w, NULL, d) != 0) {
        wording_free(w);
        return NULL;
    }
    tk_store_keep(st, w, wording_free);
    return w;
}

/* Each row's wording from w; false when one is missing or its hash differs. */
static bool wording_fill(const wording_cache *w, tk_issued_item *items, size_t n, bool strict)
{
    for (size_t i = 0; i < n; i++) {
        const wording *e = tk_strmap_get(&w->by_item, items[i].item_id);
        if (e && strict && strcmp(e->text_hash ? e->text_hash : "", items[i].text_hash))
            e = NULL;
        if (!e && strict)
            return false;
        items[i].ref = e ? e->ref : NULL;
        items[i].text = e ? e->text : NULL;
        items[i].context = e ? e->context : NULL;
    }
    return true;
}

typedef struct issued_rows {
    tk_issued_item *v;
    size_t n, cap;
} issued_rows;

static int issued_row(sqlite3_stmt *q, void *user)
{
    issued_rows *l = user;
    TK_GROW(l->v, l->n, l->cap, 128);
    tk_issued_item *it = &l->v[l->n++];
    memset(it, 0, sizeof *it);
    it->seq = sqlite3_column_int(q, 0);
    it->item_id = dup_col(q, 1);
    it->sheet = dup_col(q, 2);
    it->row = sqlite3_column_int(q, 3);
    it->text_hash = dup_col(q, 4);
    it->plan_id = sqlite3_column_int64(q, 5);
    return 0;
}

int tk_store_issued_items(tk_store *st, const tk_issued_workbook *wb, tk_issued_item **items, size_t *n, tk_diags *d)
{
    int64_t campaign_id = wb->campaign_id, workbook_id = wb->workbook_id;
    bool per_workbook = !strcmp(wb->kind, "followup");
    *items = NULL;
    *n = 0;
    sqlite3_stmt *q = prep(st,
                           "SELECT seq, item_id, sheet, row, text_hash, COALESCE(plan_id, 0) FROM workbook_item "
                           "WHERE workbook_id = ? ORDER BY seq",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, workbook_id);
    issued_rows l = {0};
    int rc = tk_store_each_row(st, q, issued_row, &l, NULL, d);
    *items = l.v;
    *n = l.n;
    if (rc != 0)
        goto fail;
    wording_cache *w = tk_store_kept(st);
    if (per_workbook || !w || w->campaign_id != campaign_id || !wording_fill(w, *items, *n, true)) {
        w = wording_load(st, campaign_id, per_workbook ? workbook_id : 0, d);
        if (!w)
            goto fail;
        wording_fill(w, *items, *n, false);
    }
    /* as the join did: a row without the campaign's item is not returned */
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if ((*items)[i].text)
            (*items)[k++] = (*items)[i];
        else
            issued_row_free(&(*items)[i]);
    }
    *n = k;
    return 0;
fail:
    tk_store_issued_free(NULL, *items, *n, NULL, 0);
    *items = NULL;
    *n = 0;
    return -1;
}

typedef struct scale_rows {
    tk_scale_answer *v;
    size_t n, cap;
} scale_rows;

static int scale_row(sqlite3_stmt *q, void *user)
{
    scale_rows *l = user;
    TK_GROW(l->v, l->n, l->cap, 8);
    tk_scale_answer *a = &l->v[l->n++];
    a->value = dup_col(q, 0);
    a->points = sqlite3_column_double(q, 1);
    a->excluded = sqlite3_column_int(q, 2) != 0;
    a->negative = sqlite3_column_int(q, 3) != 0;
    a->plan_status = dup_col(q, 4);
    a->flag = dup_col(q, 5);
    return 0;
}

int tk_store_campaign_scale(tk_store *st, int64_t campaign_id, tk_scale_answer **scale, size_t *n, tk_diags *d)
{
    *scale = NULL;
    *n = 0;
    sqlite3_stmt *q = prep(st,
                           "SELECT value, COALESCE(points, 0), excluded, negative, plan_status, flag FROM campaign_answer "
                           "WHERE campaign_id = ? ORDER BY seq",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    scale_rows l = {0};
    int rc = tk_store_each_row(st, q, scale_row, &l, NULL, d);
    *scale = l.v;
    *n = l.n;
    return rc;
}

void tk_store_issued_free(tk_issued_workbook *wb, tk_issued_item *items, size_t n, tk_scale_answer *scale, size_t nscale)
{
    (void)wb;
    for (size_t i = 0; i < n; i++)
        issued_row_free(&items[i]);
    free(items);
    for (size_t i = 0; i < nscale; i++) {
        free(scale[i].value);
        free(scale[i].plan_status);
        free(scale[i].flag);
    }
    free(scale);
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
        tk_store_bind_text(q, 2, a->owner);
        tk_store_bind_text(q, 3, a->due);
        tk_store_bind_text(q, 4, a->value);
        tk_store_bind_text(q, 5, a->finding);
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
        tk_store_bind_text(q, 6, a->value);
        tk_store_bind_text(q, 7, a->finding);
        sqlite3_bind_text(q, 8, content, -1, SQLITE_TRANSIENT);
        tk_store_bind_text(q, 9, a->owner);
        tk_store_bind_text(q, 10, a->due);
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
            tk_store_bind_text(q, 3, a->due);
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
        tk_store_fail(st, d, "改善計画の書き込み");
    return result;
}

/* ---- remediation plans: state, follow-up rows, later years' answers ---- */

/* The log note of a later year's answer: "点検で実施していると回答". */
static char *answer_note(const char *value)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_printf(&b, "点検で%sと回答", value);
    return tk_buf_steal(&b);
}

void tk_plan_state_free(tk_plan_state *s)
{
    if (!s)
        return;
    free(s->last_note);
    free(s->last_reason);
    s->last_note = s->last_reason = NULL;
}

#define PLAN_STATE_COLUMNS                                                                                        \
    "SELECT p.id, p.department_code, p.status, p.due, COALESCE(p.closed_at, ''), "                              \
    " (SELECT l.note FROM plan_log l WHERE l.plan_id = p.id ORDER BY l.id DESC LIMIT 1), "                      \
    " (SELECT l.reason FROM plan_log l WHERE l.plan_id = p.id ORDER BY l.id DESC LIMIT 1) "

/* One row of PLAN_STATE_COLUMNS into *out. */
static void plan_state_row(sqlite3_stmt *q, tk_plan_state *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(q, 0);
    copy_col(q, 1, out->department_code, sizeof out->department_code);
    const unsigned char *status = sqlite3_column_text(q, 2);
    if (!status || !tk_plan_status_parse((const char *)status, &out->status))
        out->status = TK_PLAN_NOT_STARTED;
    const unsigned char *due = sqlite3_column_text(q, 3);
    if (due && !tk_date_parse((const char *)due, &out->due))
        out->due = (tk_date){0, 0, 0};
    copy_col(q, 4, out->closed_at, sizeof out->closed_at);
    out->last_note = dup_col(q, 5);
    out->last_reason = dup_col(q, 6);
}

static int plan_state_one(sqlite3_stmt *q, void *out)
{
    plan_state_row(q, out);
    return 1;
}

int tk_store_plan_state(tk_store *st, int64_t plan_id, tk_plan_state *out, tk_diags *d)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q = prep(st, PLAN_STATE_COLUMNS "FROM plan p WHERE p.id = ?", d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, plan_id);
    return tk_store_each_row(st, q, plan_state_one, out, NULL, d);
}

typedef struct plan_states {
    tk_plan_state *v;
    size_t n, cap;
} plan_states;

static int plan_states_row(sqlite3_stmt *q, void *user)
{
    plan_states *l = user;
    TK_GROW(l->v, l->n, l->cap, 32);
    plan_state_row(q, &l->v[l->n++]);
    return 0;
}

int tk_store_workbook_plan_states(tk_store *st, int64_t workbook_id, tk_plan_state **out, size_t *n, tk_diags *d)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q =
        prep(st, PLAN_STATE_COLUMNS "FROM plan p WHERE p.id IN (SELECT plan_id FROM workbook_item WHERE workbook_id = ?) ORDER BY p.id",
             d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, workbook_id);
    plan_states l = {0};
    if (tk_store_each_row(st, q, plan_states_row, &l, NULL, d) != 0) {
        tk_plan_states_free(l.v, l.n);
        return -1;
    }
    *out = l.v;
    *n = l.n;
    return 0;
}

const tk_plan_state *tk_plan_states_find(const tk_plan_state *v, size_t n, int64_t plan_id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].id == plan_id)
            return &v[mid];
        if (v[mid].id < plan_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void tk_plan_states_free(tk_plan_state *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tk_plan_state_free(&v[i]);
    free(v);
}

/* Two optional texts say the same (white space and widths aside). */
static bool same_opt(const char *a, const char *b)
{
    return a && b ? tk_text_same_norm(a, b) : !a && !b;
}

enum tk_followup_verdict tk_followup_decide(const tk_plan_state *cur, const tk_followup_rec *r, char *why, size_t n,
                                            const char **cell)
{
    const tk_plan_change *ch = &r->change;
    char a[TK_DATE_ISO_SIZE];
    *cell = r->cell_status;
    bool to_closed = tk_plan_status_closed(ch->to);
    if (tk_plan_status_closed(cur->status)) {
        /* the same closing taken in again (a new version of the workbook) */
        if (ch->to == cur->status && ch->date.y && !strcmp(tk_date_iso(ch->date, a), cur->closed_at))
            return TK_FOLLOWUP_SAME;
        snprintf(why, n, "この改善計画は既に「%s」で閉じています (%s)。閉じた計画の進捗は変更できません。この行の進捗状況を空欄にしてください",
                 tk_plan_status_label(cur->status), cur->closed_at[0] ? cur->closed_at : "日付なし");
        return TK_FOLLOWUP_REFUSED;
    }
    if (ch->new_due.y && ch->to != TK_PLAN_POSTPONED) {
        *cell = r->cell_new_due;
        snprintf(why, n, "新たな完了予定日 %s が入力されていますが、進捗状況が「%s」です。完了予定日を変えるときは「延期」を選び、理由を記入してください",
                 tk_date_iso(ch->new_due, a), r->value ? r->value : tk_plan_status_label(ch->to));
        return TK_FOLLOWUP_REFUSED;
    }
    if (ch->date.y && !to_closed) {
        *cell = r->cell_date;
        snprintf(why, n, "完了日 %s が入力されていますが、進捗状況が「%s」です。完了した場合は「完了」を選んでください", tk_date_iso(ch->date, a),
                 r->value ? r->value : tk_plan_status_label(ch->to));
        return TK_FOLLOWUP_REFUSED;
    }
    /* a restatement of where the plan stands: nothing new to log */
    if (ch->to == cur->status && (tk_text_blank(ch->note) || same_opt(ch->note, cur->last_note))) {
        bool same = ch->to == TK_PLAN_POSTPONED
                        ? ch->new_due.y && tk_date_cmp(ch->new_due, cur->due) == 0 && !tk_text_blank(ch->reason)
                        : true;
        if (same)
            return TK_FOLLOWUP_SAME;
    }
    if (!tk_plan_check(cur->status, cur->due, ch, why, n)) {
        if (to_closed && !ch->date.y)
            *cell = r->cell_date;
        else if (ch->to == TK_PLAN_POSTPONED && (!ch->new_due.y || (cur->due.y && tk_date_cmp(ch->new_due, cur->due) <= 0)))
            *cell = r->cell_new_due;
        else if (ch->to == TK_PLAN_POSTPONED && tk_text_blank(ch->reason))
            *cell = r->cell_reason;
        return TK_FOLLOWUP_REFUSED;
    }
    return TK_FOLLOWUP_APPLY;
}

/* Apply one follow-up row: the plan's new state and a log entry. */
static int apply_followup(tk_store *st, const tk_followup_rec *r, int64_t sub_id, const char *now, tk_diags *d)
{
    const tk_plan_change *ch = &r->change;
    char date[TK_DATE_ISO_SIZE] = "", newdue[TK_DATE_ISO_SIZE] = "";
    if (ch->date.y)
        tk_date_iso(ch->date, date);
    if (ch->new_due.y)
        tk_date_iso(ch->new_due, newdue);
    bool closing = tk_plan_status_closed(ch->to);
    sqlite3_stmt *q = prep(st,
                           "UPDATE plan SET status = ?1, due = COALESCE(?2, due), "
                           " closed_at = CASE WHEN ?3 THEN ?4 ELSE closed_at END, "
                           " evidence = CASE WHEN ?3 THEN COALESCE(?5, evidence) ELSE evidence END, updated_at = ?6 "
                           "WHERE id = ?7",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, tk_plan_status_key(ch->to), -1, SQLITE_STATIC);
    tk_store_bind_text(q, 2, *newdue ? newdue : NULL);
    sqlite3_bind_int(q, 3, closing);
    tk_store_bind_text(q, 4, *date ? date : NULL);
    tk_store_bind_text(q, 5, ch->note);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 7, r->plan_id);
    int rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE)
        return -1;
    q = prep(st,
             "INSERT INTO plan_log (plan_id, at, status, due, note, reason, submission_id, source) "
             "VALUES (?1, ?2, ?3, (SELECT due FROM plan WHERE id = ?1), ?4, ?5, ?6, 'followup')",
             d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->plan_id);
    sqlite3_bind_text(q, 2, *date ? date : now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, tk_plan_status_key(ch->to), -1, SQLITE_STATIC);
    tk_store_bind_text(q, 4, tk_text_blank(ch->note) ? NULL : ch->note);
    tk_store_bind_text(q, 5, tk_text_blank(ch->reason) ? NULL : ch->reason);
    sqlite3_bind_int64(q, 6, sub_id);
    rc = sqlite3_step(q);
    tk_store_done(st, q);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The auditee's response on a follow-up row: the plan's 内容, 担当者,
 * 完了予定日 and 暫定措置 as written (blank cells keep what is recorded).
 * 1 when the plan changed (logged), 0 when not, -1 on failure. */
static int apply_response(tk_store *st, const tk_submission_new *s, const tk_followup_rec *f, int64_t sub_id,
                          const char *now, tk_diags *d)
{
    if (!f->resp_content && !f->resp_owner && !f->resp_due && !f->resp_interim)
        return 0;
    sqlite3_stmt *q = prep(st,
                           "UPDATE plan SET content = COALESCE(?2, content), owner = COALESCE(?3, owner), "
                           " due = COALESCE(?4, due), interim = COALESCE(?5, interim), updated_at = ?6 "
                           "WHERE id = ?1 AND department_code = ?7 AND status NOT IN ('done','risk-accepted') AND "
                           " (COALESCE(?2, content) IS NOT content OR COALESCE(?3, owner) IS NOT owner OR "
                           "  COALESCE(?4, due) IS NOT due OR COALESCE(?5, interim) IS NOT interim)",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, f->plan_id);
    tk_store_bind_text(q, 2, f->resp_content);
    tk_store_bind_text(q, 3, f->resp_owner);
    tk_store_bind_text(q, 4, f->resp_due);
    tk_store_bind_text(q, 5, f->resp_interim);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 7, s->department_code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE) {
        tk_store_fail(st, d, "改善計画の書き込み");
        return -1;
    }
    if (sqlite3_changes(tk_store_sqlite(st)) == 0)
        return 0;
    q = prep(st,
             "INSERT INTO plan_log (plan_id, at, status, due, note, submission_id, source) "
             "SELECT id, ?2, status, due, '改善計画の回答', ?3, 'followup' FROM plan WHERE id = ?1",
             d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, f->plan_id);
    sqlite3_bind_text(q, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 3, sub_id);
    rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE) {
        tk_store_fail(st, d, "改善計画の書き込み");
        return -1;
    }
    return 1;
}

/* The follow-up rows of a submission, checked again inside the transaction
 * (the plans may have moved since ingest looked) and applied. */
static int apply_followups(tk_store *st, const tk_submission_new *s, int64_t sub_id, const char *now,
                           tk_submission_result *r, tk_diags *d)
{
    for (size_t i = 0; i < s->nfollowups; i++) {
        const tk_followup_rec *f = &s->followups[i];
        int responded = apply_response(st, s, f, sub_id, now, d);
        if (responded < 0)
            return -1;
        r->plans_responded += (size_t)responded;
        if (!f->has_status)
            continue;
        tk_plan_state cur;
        int found = tk_store_plan_state(st, f->plan_id, &cur, d);
        if (found < 0)
            return -1;
        if (found == 0 || strcmp(cur.department_code, s->department_code) != 0) {
            tk_diag_add(d, TK_SEV_ERROR, s->path, 0, f->cell_status, "改善計画 %lld は%sの計画として記録にありません",
                        (long long)f->plan_id, s->department_code);
            tk_plan_state_free(&cur);
            return -1;
        }
        char why[512];
        const char *cell;
        enum tk_followup_verdict v = tk_followup_decide(&cur, f, why, sizeof why, &cell);
        tk_plan_state_free(&cur);
        switch (v) {
        case TK_FOLLOWUP_SAME:
            break;
        case TK_FOLLOWUP_REFUSED:
            tk_diag_add(d, TK_SEV_ERROR, s->path, 0, cell, "%s", why);
            return -1;
        case TK_FOLLOWUP_APPLY:
            if (apply_followup(st, f, sub_id, now, d) != 0) {
                tk_store_fail(st, d, "改善計画の書き込み");
                return -1;
            }
            r->plans_changed++;
            r->plans_closed += tk_plan_status_closed(f->change.to);
            r->plans_postponed += f->change.to == TK_PLAN_POSTPONED;
            break;
        }
    }
    return 0;
}

/* A later year's answer to an item moves the department's open plans of
 * earlier years of the same kind on: full points close them, anything else
 * keeps them open, logged once per campaign and answer. */
typedef struct carried {
    int64_t id;
    enum tk_plan_status status;
    tk_date due;
    bool logged; /* its latest entry is this answer of this campaign already */
} carried;

static int carry_over(tk_store *st, const tk_submission_new *s, int64_t sub_id, const char *now,
                      tk_submission_result *r, tk_diags *d)
{
    char today[TK_DATE_ISO_SIZE];
    tk_date_iso(tk_date_today(), today);
    sqlite3_stmt *find = prep(st,
                              "SELECT p.id, p.status, p.due, l.note, l.source, w.campaign_id "
                              "FROM plan p JOIN campaign c ON c.id = p.campaign_id JOIN campaign me ON me.id = ?1 "
                              "LEFT JOIN plan_log l ON l.id = (SELECT MAX(id) FROM plan_log WHERE plan_id = p.id) "
                              "LEFT JOIN submission s2 ON s2.id = l.submission_id "
                              "LEFT JOIN workbook w ON w.id = s2.workbook_id "
                              "WHERE c.org = me.org AND c.kind = me.kind AND me.kind <> 'audit' AND c.year < me.year "
                              " AND p.department_code = ?2 AND p.item_id = ?3 "
                              " AND p.status IN ('not-started','in-progress','postponed') "
                              "ORDER BY p.id",
                              d);
    sqlite3_stmt *close = prep(st,
                               "UPDATE plan SET status = 'done', closed_at = ?2, evidence = COALESCE(?3, evidence), "
                               "updated_at = ?4 WHERE id = ?1",
                               d);
    sqlite3_stmt *log = prep(st,
                             "INSERT INTO plan_log (plan_id, at, status, due, note, submission_id, source) "
                             "SELECT id, ?2, status, due, ?3, ?4, 'inspection' FROM plan WHERE id = ?1",
                             d);
    /* the items that have any such plan, in one query: most have none */
    sqlite3_stmt *any = prep(st,
                             "SELECT DISTINCT p.item_id FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                             "JOIN campaign me ON me.id = ?1 "
                             "WHERE c.org = me.org AND c.kind = me.kind AND me.kind <> 'audit' AND c.year < me.year "
                             " AND p.department_code = ?2 AND p.status IN ('not-started','in-progress','postponed')",
                             d);
    int result = find && close && log && any ? 0 : -1;
    tk_strmap open = {0};
    tk_arena *ids = tk_arena_new();
    if (any) {
        sqlite3_bind_int64(any, 1, s->campaign_id);
        sqlite3_bind_text(any, 2, s->department_code, -1, SQLITE_TRANSIENT);
        int rc;
        while ((rc = sqlite3_step(any)) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(any, 0);
            if (t) {
                const char *id = tk_arena_strdup(ids, (const char *)t);
                tk_strmap_set(&open, id, id);
            }
        }
        if (rc != SQLITE_DONE)
            result = -1;
    }
    carried *found = NULL;
    size_t cap = 0;
    for (size_t i = 0; result == 0 && open.n && i < s->nanswers; i++) {
        const tk_answer_rec *a = &s->answers[i];
        if (!a->value || !tk_strmap_get(&open, a->item_id))
            continue;
        char *note = answer_note(a->value);
        /* the plans first, then the changes: a running query does not see
         * writes to the tables it reads in a defined way */
        size_t n = 0;
        sqlite3_reset(find);
        sqlite3_bind_int64(find, 1, s->campaign_id);
        sqlite3_bind_text(find, 2, s->department_code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(find, 3, a->item_id, -1, SQLITE_TRANSIENT);
        int rc;
        while ((rc = sqlite3_step(find)) == SQLITE_ROW) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4;
                found = tk_xrealloc(found, cap * sizeof *found);
            }
            carried *c = &found[n++];
            c->id = sqlite3_column_int64(find, 0);
            const unsigned char *fs = sqlite3_column_text(find, 1);
            if (!fs || !tk_plan_status_parse((const char *)fs, &c->status))
                c->status = TK_PLAN_NOT_STARTED;
            c->due = (tk_date){0, 0, 0};
            const unsigned char *ds = sqlite3_column_text(find, 2);
            if (ds && !tk_date_parse((const char *)ds, &c->due))
                c->due = (tk_date){0, 0, 0};
            c->logged = same_text(sqlite3_column_text(find, 3), note) && same_text(sqlite3_column_text(find, 4), "inspection") &&
                        sqlite3_column_type(find, 5) != SQLITE_NULL && sqlite3_column_int64(find, 5) == s->campaign_id;
        }
        sqlite3_reset(find);
        if (rc != SQLITE_DONE)
            result = -1;
        for (size_t k = 0; result == 0 && k < n; k++) {
            const carried *c = &found[k];
            if (a->full) {
                tk_plan_change ch = {.to = TK_PLAN_DONE, .date = tk_date_today(), .note = note};
                char why[256];
                if (!tk_plan_check(c->status, c->due, &ch, why, sizeof why))
                    continue; /* cannot happen to an open plan */
                sqlite3_reset(close);
                sqlite3_bind_int64(close, 1, c->id);
                sqlite3_bind_text(close, 2, today, -1, SQLITE_TRANSIENT);
                tk_store_bind_text(close, 3, a->evidence);
                sqlite3_bind_text(close, 4, now, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(close) != SQLITE_DONE) {
                    result = -1;
                    break;
                }
                r->carried_closed++;
            } else if (c->logged) {
                continue; /* a new version of the workbook with the same answer */
            } else {
                r->carried_kept++;
            }
            sqlite3_reset(log);
            sqlite3_bind_int64(log, 1, c->id);
            sqlite3_bind_text(log, 2, a->full ? today : now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(log, 3, note, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(log, 4, sub_id);
            if (sqlite3_step(log) != SQLITE_DONE)
                result = -1;
        }
        free(note);
    }
    free(found);
    tk_strmap_free(&open);
    tk_arena_free(ids);
    tk_store_done(st, any);
    tk_store_done(st, find);
    tk_store_done(st, close);
    tk_store_done(st, log);
    if (result != 0)
        tk_store_fail(st, d, "改善計画の書き込み");
    return result;
}

int tk_store_submission_find(tk_store *st, int64_t workbook_id, const char *sha256, int64_t *id, tk_diags *d)
{
    sqlite3_stmt *q = prep(st, "SELECT id FROM submission WHERE workbook_id = ? AND sha256 = ?", d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, workbook_id);
    sqlite3_bind_text(q, 2, sha256, -1, SQLITE_TRANSIENT);
    return tk_store_each_row(st, q, tk_store_row_id, id, NULL, d);
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
             "INSERT INTO answer (submission_id, item_id, value, evidence, note, finding, advice, plan, owner, due, flag, cell, "
             "good, confirm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             d);
    if (!q)
        goto fail;
    for (size_t i = 0; i < s->nanswers; i++) {
        const tk_answer_rec *a = &s->answers[i];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        tk_store_bind_borrowed(q, 2, a->item_id);
        tk_store_bind_borrowed(q, 3, a->value);
        tk_store_bind_borrowed(q, 4, a->evidence);
        tk_store_bind_borrowed(q, 5, a->note);
        tk_store_bind_borrowed(q, 6, a->finding);
        tk_store_bind_borrowed(q, 7, a->advice);
        tk_store_bind_borrowed(q, 8, a->plan);
        tk_store_bind_borrowed(q, 9, a->owner);
        tk_store_bind_borrowed(q, 10, a->due);
        tk_store_bind_borrowed(q, 11, a->flag);
        tk_store_bind_borrowed(q, 12, a->cell);
        tk_store_bind_borrowed(q, 13, a->good);
        tk_store_bind_borrowed(q, 14, a->confirm);
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

    if (s->followups || s->nfollowups) {
        if (apply_followups(st, s, id, now, r, d) != 0)
            goto fail;
    } else {
        for (size_t i = 0; i < s->nanswers; i++) {
            const tk_answer_rec *a = &s->answers[i];
            if (a->negative && (a->plan || a->finding)) {
                if (put_plan(st, s, a, id, now, r, d) != 0)
                    goto fail;
            }
        }
        if (carry_over(st, s, id, now, r, d) != 0)
            goto fail;
        for (size_t i = 0; i < s->nanswers; i++) {
            const tk_answer_rec *a = &s->answers[i];
            if (a->confirm && tk_findings_confirm(st, s->campaign_id, s->department_code, a->item_id, a->confirm,
                                                  a->confirm_closes, id, &r->findings_verified, &r->findings_kept, d) != 0)
                goto fail;
        }
    }
    if (tk_store_commit(st, d) != 0)
        goto fail;
    return 0;
fail_db:
    tk_store_fail(st, d, "書き込み");
fail:
    tk_store_rollback(st);
    memset(r, 0, sizeof *r);
    return -1;
}

typedef struct status_walk {
    tk_status_fn fn;
    void *user;
} status_walk;

static int status_row(sqlite3_stmt *q, void *user)
{
    const status_walk *w = user;
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
        .respondent = (const char *)sqlite3_column_text(q, 10),
    };
    return !w->fn(&r, w->user);
}

int tk_store_status(tk_store *st, const char *org, int year, const char *kind, const char *today, char deadline[16],
                    tk_status_fn fn, void *user, tk_diags *d)
{
    tk_campaign_rec c;
    int found = tk_store_campaign_find(st, org, year, kind, &c, d);
    if (found <= 0)
        return found;
    snprintf(deadline, 16, "%s", c.deadline);
    sqlite3_stmt *q = prep(st,
                           "SELECT dp.code, dp.name, w.file, w.items, s.received_at, s.answered, s.flagged, "
                           " (SELECT COUNT(*) FROM plan p WHERE p.campaign_id = dp.campaign_id AND p.department_code = dp.code), "
                           " (SELECT COUNT(*) FROM plan p WHERE p.campaign_id = dp.campaign_id AND p.department_code = dp.code "
                           "    AND p.status NOT IN ('done', 'risk-accepted') AND p.due IS NOT NULL AND p.due < ?), "
                           " (SELECT COUNT(*) FROM submission s2 WHERE s2.workbook_id = w.id), w.respondent "
                           "FROM department dp "
                           "LEFT JOIN workbook w ON w.campaign_id = dp.campaign_id AND w.department_code = dp.code AND w.revoked_at IS NULL "
                           "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
                           "WHERE dp.campaign_id = ? ORDER BY dp.code, w.id",
                           d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, c.id);
    status_walk w = {fn, user};
    return tk_store_each_row(st, q, status_row, &w, NULL, d) < 0 ? -1 : 1;
}

/* ---- last year's answers, for generate ---- */

typedef struct answer_walk {
    tk_answer_fn fn;
    void *user;
} answer_walk;

static int answer_row(sqlite3_stmt *q, void *user)
{
    const answer_walk *w = user;
    return w->fn && !w->fn((const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
                           (const char *)sqlite3_column_text(q, 2), w->user);
}

long tk_store_current_answers(tk_store *st, int64_t campaign_id, const char *department, tk_answer_fn fn, void *user,
                              tk_diags *d)
{
#define CURRENT_ANSWERS_SQL(WHERE)                                                                                     \
    "SELECT w.department_code, a.item_id, a.value FROM workbook w "                                                    \
    "JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "                                           \
    "JOIN answer a ON a.submission_id = s.id "                                                                         \
    "WHERE w.campaign_id = ?1 " WHERE " AND a.value IS NOT NULL ORDER BY s.received_at, s.id"
    sqlite3_stmt *q = prep(st, department ? CURRENT_ANSWERS_SQL("AND w.department_code = ?2") : CURRENT_ANSWERS_SQL(""), d);
#undef CURRENT_ANSWERS_SQL
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    if (department)
        sqlite3_bind_text(q, 2, department, -1, SQLITE_TRANSIENT);
    answer_walk w = {fn, user};
    long n;
    return tk_store_each_row(st, q, answer_row, &w, &n, d) < 0 ? -1 : n;
}
