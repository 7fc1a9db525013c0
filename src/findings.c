/* findings.c — audit findings across years: the register, the 是正確認 list
 * of a campaign, confirmation by a later audit, and 良好事例. */
#include "tenken/findings.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/text.h"

static const char *const STATUS_KEY[TK_FINDING_NSTATUS] = {"open", "planned", "closed", "verified"};
static const char *const STATUS_LABEL[TK_FINDING_NSTATUS] = {"未計画", "計画済み", "終了（リスク受容）", "是正確認済み"};

const char *tk_finding_status_key(enum tk_finding_status s) { return STATUS_KEY[s]; }
const char *tk_finding_status_label(enum tk_finding_status s) { return STATUS_LABEL[s]; }

bool tk_finding_status_parse(const char *s, enum tk_finding_status *out)
{
    for (int i = 0; i < TK_FINDING_NSTATUS; i++)
        if (!strcmp(s, STATUS_KEY[i]) || !strcmp(s, STATUS_LABEL[i])) {
            *out = (enum tk_finding_status)i;
            return true;
        }
    return false;
}

static const char *col(tk_arena *a, sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? tk_arena_strdup(a, (const char *)t) : NULL;
}

static bool filled(const char *s) { return s && *s; }

/* ---- the register ---- */

/* The findings of ?1's audits (?2: of that year, 0 every year; ?3: of years
 * up to it, 0 no bound); of one department (?4) by the active-workbook
 * index, not a filter over every workbook. */
#define FINDINGS_SQL(WHERE)                                                                                            \
    "SELECT c.year, w.department_code, COALESCE(dp.name, ''), a.item_id, COALESCE(ci.ref, ''), COALESCE(ci.text, ''), " \
    " COALESCE(ci.chapter, ''), COALESCE(ci.seq, 0), a.value, ca.seq, a.finding, a.evidence, "                          \
    " p.id, p.content, p.owner, p.due, p.interim, p.status, p.verification, p.verified_at, fu.deadline "               \
    "FROM campaign c "                                                                                                 \
    "JOIN workbook w ON w.campaign_id = c.id AND w.revoked_at IS NULL " WHERE                                          \
    "JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "                                           \
    "JOIN answer a ON a.submission_id = s.id "                                                                         \
    "JOIN campaign_answer ca ON ca.campaign_id = c.id AND ca.value = a.value AND ca.negative = 1 "                     \
    "LEFT JOIN campaign_item ci ON ci.campaign_id = c.id AND ci.item_id = a.item_id "                                  \
    "LEFT JOIN department dp ON dp.campaign_id = c.id AND dp.code = w.department_code "                                \
    "LEFT JOIN plan p ON p.campaign_id = c.id AND p.department_code = w.department_code AND p.item_id = a.item_id "    \
    "LEFT JOIN campaign fu ON fu.org = c.org AND fu.year = c.year AND fu.kind = 'followup' "                           \
    "WHERE c.org = ?1 AND c.kind = 'audit' AND (?2 = 0 OR c.year = ?2) AND (?3 = 0 OR c.year <= ?3) "                  \
    "ORDER BY c.year, w.department_code, ci.seq"
static const char FINDINGS_ALL_SQL[] = FINDINGS_SQL("");
static const char FINDINGS_DEPARTMENT_SQL[] = FINDINGS_SQL("AND w.department_code = ?4 ");
#undef FINDINGS_SQL

static void derive_status(tk_finding *f, tk_date today)
{
    f->status = TK_FINDING_OPEN;
    if (f->verified_at)
        f->status = TK_FINDING_VERIFIED;
    else if (f->plan_id && f->plan_status == TK_PLAN_RISK_ACCEPTED)
        f->status = TK_FINDING_CLOSED;
    else if (f->plan_id && filled(f->owner) && filled(f->due))
        f->status = TK_FINDING_PLANNED;
    tk_date dl;
    f->action_needed = f->status == TK_FINDING_OPEN && f->response_deadline &&
                       tk_date_parse(f->response_deadline, &dl) && tk_date_cmp(today, dl) > 0;
    tk_date due;
    f->days_overdue = 0;
    if (f->status == TK_FINDING_PLANNED && f->due && tk_date_parse(f->due, &due))
        f->days_overdue = tk_plan_days_overdue(f->plan_status, due, today);
}

/* Each finding of qy in order, its strings in a (NULL: an arena of its
 * own, freed after fn): fn returns false to stop. 0 or -1. */
typedef bool (*finding_fn)(tk_finding *f, void *user);

typedef struct finding_walk {
    const tk_finding_query *qy;
    tk_date today;
    tk_arena *keep;
    finding_fn fn;
    void *user;
} finding_walk;

/* One row of FINDINGS_SQL to the walk's callback when its status is asked
 * for. */
static int finding_row(sqlite3_stmt *q, void *user)
{
    const finding_walk *w = user;
    tk_arena *a = w->keep ? w->keep : tk_arena_new();
    tk_finding f;
    memset(&f, 0, sizeof f);
    f.year = sqlite3_column_int(q, 0);
    f.department_code = col(a, q, 1);
    f.department_name = col(a, q, 2);
    f.item_id = col(a, q, 3);
    f.ref = col(a, q, 4);
    f.item_text = col(a, q, 5);
    f.chapter = col(a, q, 6);
    f.seq = sqlite3_column_int(q, 7);
    f.grade = col(a, q, 8);
    f.grade_seq = sqlite3_column_int(q, 9);
    f.finding = col(a, q, 10);
    f.evidence = col(a, q, 11);
    f.plan_id = sqlite3_column_type(q, 12) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 12);
    f.content = col(a, q, 13);
    f.owner = col(a, q, 14);
    f.due = col(a, q, 15);
    f.interim = col(a, q, 16);
    const char *ps = col(a, q, 17);
    if (!ps || !tk_plan_status_parse(ps, &f.plan_status))
        f.plan_status = TK_PLAN_NOT_STARTED;
    f.verification = col(a, q, 18);
    f.verified_at = col(a, q, 19);
    f.response_deadline = col(a, q, 20);
    derive_status(&f, w->today);
    bool go = true;
    if (w->qy->status < 0 || (int)f.status == w->qy->status)
        go = w->fn(&f, w->user);
    if (!w->keep)
        tk_arena_free(a);
    return !go;
}

static int findings_each(tk_store *st, const tk_finding_query *qy, tk_arena *keep, finding_fn fn, void *user,
                         tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st, qy->department ? FINDINGS_DEPARTMENT_SQL : FINDINGS_ALL_SQL, d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, qy->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, qy->year);
    sqlite3_bind_int(q, 3, qy->max_year);
    if (qy->department)
        sqlite3_bind_text(q, 4, qy->department, -1, SQLITE_TRANSIENT);
    finding_walk w = {qy, tk_date_valid(qy->today) ? qy->today : tk_date_today(), keep, fn, user};
    return tk_store_each_row(st, q, finding_row, &w, NULL, d) < 0 ? -1 : 0;
}

typedef struct list_build {
    tk_finding_list *out;
    size_t cap;
} list_build;

static bool add_to_list(tk_finding *f, void *user)
{
    list_build *b = user;
    TK_GROW(b->out->rows, b->out->n, b->cap, 32);
    b->out->rows[b->out->n++] = *f;
    return true;
}

int tk_findings_list(tk_store *st, const tk_finding_query *qy, tk_finding_list *out, tk_diags *d)
{
    memset(out, 0, sizeof *out);
    out->arena = tk_arena_new();
    list_build b = {out, 0};
    return findings_each(st, qy, out->arena, add_to_list, &b, d);
}

void tk_finding_list_free(tk_finding_list *l)
{
    if (!l)
        return;
    free(l->rows);
    tk_arena_free(l->arena);
    memset(l, 0, sizeof *l);
}

int tk_findings_action_needed(tk_store *st, const char *org, int year, tk_date today, tk_strmap *out, tk_arena *a,
                              tk_diags *d)
{
    tk_finding_list l;
    tk_finding_query q = {.org = org, .year = year, .status = -1, .today = today};
    int rc = tk_findings_list(st, &q, &l, d);
    for (size_t i = 0; rc == 0 && i < l.n; i++)
        if (l.rows[i].action_needed) {
            const char *key = tk_arena_printf(a, "%s\x1f%s", l.rows[i].department_code, l.rows[i].item_id);
            tk_strmap_set(out, key, key);
        }
    tk_finding_list_free(&l);
    return rc;
}

/* ---- the 是正確認 list ---- */

int tk_findings_put_confirm(tk_store *st, int64_t campaign_id, const tk_template *t, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st, "DELETE FROM campaign_confirm WHERE campaign_id = ?1", d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    int rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE) {
        tk_store_fail(st, d, "書き込み");
        return -1;
    }
    q = tk_store_prepare(st, "INSERT INTO campaign_confirm (campaign_id, seq, value, closes) VALUES (?1, ?2, ?3, ?4)", d);
    if (!q)
        return -1;
    for (size_t i = 0; i < t->nconfirms; i++) {
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, campaign_id);
        sqlite3_bind_int(q, 2, (int)i + 1);
        sqlite3_bind_text(q, 3, t->confirms[i].value, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 4, t->confirms[i].closes);
        if (sqlite3_step(q) != SQLITE_DONE) {
            tk_store_done(st, q);
            tk_store_fail(st, d, "書き込み");
            return -1;
        }
    }
    tk_store_done(st, q);
    return 0;
}

typedef struct confirm_rows {
    tk_confirm_value *v;
    size_t n, cap;
} confirm_rows;

static int confirm_row(sqlite3_stmt *q, void *user)
{
    confirm_rows *l = user;
    TK_GROW(l->v, l->n, l->cap, 4);
    l->v[l->n].value = tk_xstrdup((const char *)sqlite3_column_text(q, 0));
    l->v[l->n].closes = sqlite3_column_int(q, 1) != 0;
    l->n++;
    return 0;
}

int tk_findings_confirm_values(tk_store *st, int64_t campaign_id, tk_confirm_value **v, size_t *n, tk_diags *d)
{
    *v = NULL;
    *n = 0;
    sqlite3_stmt *q = tk_store_prepare(st, "SELECT value, closes FROM campaign_confirm WHERE campaign_id = ?1 ORDER BY seq", d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    confirm_rows l = {0};
    int rc = tk_store_each_row(st, q, confirm_row, &l, NULL, d);
    *v = l.v;
    *n = l.n;
    return rc;
}

void tk_confirm_values_free(tk_confirm_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].value);
    free(v);
}

/* ---- 是正確認 ---- */

/* The log note of a confirmation: "監査の是正確認: 未是正 (完了の報告を取り消し、対応中に戻す)". */
static char *confirm_note(const char *value, bool closes, bool was_done)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_printf(&b, "監査の是正確認: %s", value);
    if (!closes && was_done)
        tk_buf_puts(&b, " (完了の報告があったが是正を確認できないため、対応中に戻す)");
    return tk_buf_steal(&b);
}

typedef struct pending {
    int64_t id;
    char status[16];
    char verification[64];
} pending;

typedef struct pending_rows {
    pending *v;
    size_t n, cap;
} pending_rows;

static int pending_row(sqlite3_stmt *q, void *user)
{
    pending_rows *l = user;
    TK_GROW(l->v, l->n, l->cap, 4);
    pending *p = &l->v[l->n++];
    p->id = sqlite3_column_int64(q, 0);
    snprintf(p->status, sizeof p->status, "%s", (const char *)sqlite3_column_text(q, 1));
    snprintf(p->verification, sizeof p->verification, "%s", (const char *)sqlite3_column_text(q, 2));
    return 0;
}

int tk_findings_confirm(tk_store *st, int64_t campaign_id, const char *code, const char *item_id, const char *value,
                        bool closes, int64_t submission_id, size_t *verified, size_t *kept, tk_diags *d)
{
    /* the plans first, then the changes */
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT p.id, p.status, COALESCE(p.verification, '') FROM plan p "
                                       "JOIN campaign c ON c.id = p.campaign_id JOIN campaign me ON me.id = ?1 "
                                       "WHERE c.org = me.org AND c.kind = 'audit' AND c.year < me.year "
                                       " AND p.department_code = ?2 AND p.item_id = ?3 AND p.verified_at IS NULL "
                                       " AND p.status <> 'risk-accepted' ORDER BY p.id",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    sqlite3_bind_text(q, 2, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, item_id, -1, SQLITE_TRANSIENT);
    pending_rows l = {0};
    if (tk_store_each_row(st, q, pending_row, &l, NULL, d) != 0) {
        free(l.v);
        return -1;
    }
    pending *p = l.v;
    size_t n = l.n;
    char today[TK_DATE_ISO_SIZE], now[32];
    tk_date_iso(tk_date_today(), today);
    tk_store_now(now);
    int result = 0;
    for (size_t i = 0; i < n && result == 0; i++) {
        if (!closes && !strcmp(p[i].verification, value) && strcmp(p[i].status, "done") != 0)
            continue; /* the same confirmation again (a resubmission) */
        const char *sql = closes ? "UPDATE plan SET verification = ?2, verified_at = ?3, status = 'done', "
                                   "closed_at = COALESCE(closed_at, ?3), updated_at = ?4 WHERE id = ?1"
                                 : "UPDATE plan SET verification = ?2, status = CASE status WHEN 'done' THEN 'in-progress' "
                                   "ELSE status END, closed_at = NULL, updated_at = ?4 WHERE id = ?1";
        q = tk_store_prepare(st, sql, d);
        if (!q) {
            result = -1;
            break;
        }
        sqlite3_bind_int64(q, 1, p[i].id);
        sqlite3_bind_text(q, 2, value, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, today, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, now, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) != SQLITE_DONE)
            result = -1;
        tk_store_done(st, q);
        if (result)
            break;
        q = tk_store_prepare(st,
                             "INSERT INTO plan_log (plan_id, at, status, due, note, submission_id, source) "
                             "SELECT id, ?2, status, due, ?3, ?4, 'audit' FROM plan WHERE id = ?1",
                             d);
        if (!q) {
            result = -1;
            break;
        }
        char *note = confirm_note(value, closes, !strcmp(p[i].status, "done"));
        sqlite3_bind_int64(q, 1, p[i].id);
        sqlite3_bind_text(q, 2, closes ? today : now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, note, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 4, submission_id);
        if (sqlite3_step(q) != SQLITE_DONE)
            result = -1;
        tk_store_done(st, q);
        free(note);
        if (closes && verified)
            (*verified)++;
        if (!closes && kept)
            (*kept)++;
    }
    free(p);
    if (result)
        tk_store_fail(st, d, "書き込み");
    return result;
}

/* ---- what a later audit shows ---- */

typedef struct unconfirmed {
    tk_finding_line_fn fn;
    void *user;
    long visited;
    tk_buf line;
} unconfirmed;

/* A finding not yet closed or verified as its line. */
static bool unconfirmed_line(tk_finding *f, void *user)
{
    unconfirmed *u = user;
    if (f->status == TK_FINDING_CLOSED || f->status == TK_FINDING_VERIFIED)
        return true;
    tk_buf *b = &u->line;
    tk_buf_reset(b);
    char fy[32];
    tk_fiscal_year_wareki(f->year, fy, sizeof fy);
    tk_buf_printf(b, "【%s・%s】%s", fy, f->grade, filled(f->finding) ? f->finding : "");
    if (f->plan_id && filled(f->content)) {
        tk_buf_printf(b, "／改善計画: %s（%s", f->content, tk_plan_status_label(f->plan_status));
        tk_date due;
        if (f->due && tk_date_parse(f->due, &due))
            tk_buf_printf(b, "・%d/%d/%d", due.y, due.m, due.d);
        tk_buf_puts(b, "）");
    } else {
        tk_buf_puts(b, "／改善計画: 未回答");
    }
    if (filled(f->verification))
        tk_buf_printf(b, "／前回の是正確認: %s", f->verification);
    u->visited++;
    return u->fn(f->department_code, f->item_id, b->data, u->user);
}

long tk_findings_unconfirmed(tk_store *st, const char *org, int before_year, const char *department,
                             tk_finding_line_fn fn, void *user, tk_diags *d)
{
    if (before_year <= 1868)
        return 0;
    tk_finding_query q = {
        .org = org, .max_year = before_year - 1, .department = department, .status = -1, .today = tk_date_today()};
    unconfirmed u = {.fn = fn, .user = user};
    tk_buf_init(&u.line);
    int rc = findings_each(st, &q, NULL, unconfirmed_line, &u, d);
    tk_buf_free(&u.line);
    return rc == 0 ? u.visited : -1;
}

/* ---- 良好事例 ---- */

typedef struct good_walk {
    tk_good_fn fn;
    void *user;
} good_walk;

static int good_row(sqlite3_stmt *q, void *user)
{
    const good_walk *w = user;
    tk_good_practice g = {
        .department_code = (const char *)sqlite3_column_text(q, 0),
        .department_name = (const char *)sqlite3_column_text(q, 1),
        .ref = (const char *)sqlite3_column_text(q, 2),
        .item_text = (const char *)sqlite3_column_text(q, 3),
        .grade = (const char *)sqlite3_column_text(q, 4),
        .text = (const char *)sqlite3_column_text(q, 5),
    };
    return !w->fn(&g, w->user);
}

long tk_findings_good_practices(tk_store *st, int64_t campaign_id, tk_good_fn fn, void *user, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT w.department_code, COALESCE(dp.name, ''), COALESCE(ci.ref, ''), "
                                       " COALESCE(ci.text, ''), COALESCE(a.value, ''), a.good "
                                       "FROM workbook w JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
                                       "JOIN answer a ON a.submission_id = s.id "
                                       "LEFT JOIN campaign_item ci ON ci.campaign_id = w.campaign_id AND ci.item_id = a.item_id "
                                       "LEFT JOIN department dp ON dp.campaign_id = w.campaign_id AND dp.code = w.department_code "
                                       "WHERE w.campaign_id = ?1 AND w.revoked_at IS NULL AND a.good IS NOT NULL AND a.good <> '' "
                                       "ORDER BY w.department_code, ci.seq",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    good_walk w = {fn, user};
    long n;
    return tk_store_each_row(st, q, good_row, &w, &n, d) < 0 ? -1 : n;
}
