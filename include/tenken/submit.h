/* submit.h — the database side of ingest: issued workbooks looked up by
 * token, and a submission stored whole (answers, cover fields, plans) in one
 * transaction; and the remediation plans across campaigns and years, as
 * generate shows them and ingest moves them on. Schema (version 2, see
 * store.c):
 *   submission(id PK, workbook_id, sha256, file, received_at, answered,
 *              flagged, superseded_by → submission.id, UNIQUE(workbook_id, sha256))
 *   submission_field(submission_id, key, value)       — 回答者, 連絡先 ...
 *   answer(submission_id, item_id, value, evidence, note, finding, advice,
 *          plan, owner, due, flag, cell)
 *   plan(id PK, campaign_id, department_code, item_id, origin answer|finding,
 *        source_submission_id, answer, finding, content, owner, due, status,
 *        closed_at, evidence, created_at, updated_at,
 *        UNIQUE(campaign_id, department_code, item_id))
 *   plan_log(id PK, plan_id, at, status, due, note, reason, submission_id, source)
 *
 * plan_log only grows: every change of a plan is a new entry, never an
 * update. source says who made it: "ingest" (the plan registered or changed by
 * its own campaign's workbook), "followup" (a follow-up workbook's row),
 * "inspection" (a later year's answer to the same item, see below),
 * "secretariat" (tenken plans). at is the date of the change when one was
 * reported (完了日), else the time it was received.
 *
 * A plan's life across years. A plan stays open (未着手, 対応中, 延期) until
 * closed. Follow-up workbooks (campaign kind "followup") list a department's
 * open plans of the self and audit campaigns of their year and earlier; each
 * row reports a change, checked by tk_plan_check (tk_followup_decide). The
 * next year's workbook of the same kind shows each item's open plans of
 * earlier years; its answer moves them on: an answer with full points
 * (実施している, 適合) closes them (完了, closed_at the day received), any
 * other answer keeps them open and is logged. Plans of the other kind are not
 * touched: a self-inspection does not close an auditor's finding. Nor does
 * a later audit's grade: an audit finding closes only on the auditor's
 * 是正確認 (findings.h, tk_findings_confirm).
 *
 * A follow-up submission is stored with one answer row per plan row: value =
 * the status as chosen, evidence = 実施内容, note = 理由, due = 新たな完了予定日
 * (the 完了日 is in plan_log.at and plan.closed_at).
 */
#ifndef TENKEN_SUBMIT_H
#define TENKEN_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/jdate.h"
#include "tenken/plan.h"
#include "tenken/store.h"
#include "tenken/util.h"

typedef struct tk_issued_workbook {
    int64_t workbook_id, campaign_id;
    char org[64];
    int year;
    char kind[16];
    char checklist_hash[65];
    char department_code[32];
    char department_name[256];
    char revoked_at[40]; /* "" while valid */
    char deadline[16];   /* "" when none */
    char respondent[64]; /* "" the department; a staff number; a role id */
    char respondent_name[256]; /* the person's name (staff), else "" */
} tk_issued_workbook;

typedef struct tk_issued_item {
    int seq, row;
    /* item_id, sheet and text_hash are the row's own; ref, text and context
     * (NULL when none) are the campaign's wording, kept with the store
     * handle, valid until its next tk_store_issued_items or its close. */
    char *item_id, *sheet, *text_hash;
    const char *ref, *text, *context;
    int64_t plan_id; /* follow-up rows: the plan; 0 otherwise */
} tk_issued_item;

typedef struct tk_scale_answer {
    char *value;
    double points;
    bool excluded, negative;
    char *plan_status; /* follow-up: the plan status key of the value; NULL otherwise */
    char *flag;        /* what the answer raises besides its points (要研修), or NULL */
} tk_scale_answer;

/* 1 and *out when the token was issued (revoked or not), 0 when unknown, -1. */
int tk_store_issued_by_token(tk_store *st, const char *token, tk_issued_workbook *out, tk_diags *d);
/* The workbook's rows in order, with the campaign's wording (of a
 * follow-up workbook: of its own rows only, read for each workbook). Caller
 * frees with tk_store_issued_free. */
int tk_store_issued_items(tk_store *st, const tk_issued_workbook *wb, tk_issued_item **items, size_t *n, tk_diags *d);
int tk_store_campaign_scale(tk_store *st, int64_t campaign_id, tk_scale_answer **scale, size_t *n, tk_diags *d);
void tk_store_issued_free(tk_issued_workbook *wb, tk_issued_item *items, size_t n, tk_scale_answer *scale, size_t nscale);

/* One answered row as ingest read it (strings borrowed). */
typedef struct tk_answer_rec {
    const char *item_id;
    const char *value; /* NULL: unanswered */
    const char *evidence, *note, *finding, *advice, *plan, *owner;
    const char *due;   /* ISO date or NULL */
    const char *flag;  /* 要対応: 計画未記入 / 計画不備 / 理由未記入, or NULL */
    const char *cell;  /* sheet!cell of the answer */
    const char *good;    /* audit: 良好事例, or NULL */
    const char *confirm; /* audit: 是正確認 of earlier findings, or NULL */
    bool confirm_closes; /* the 是正確認 confirms the fix (findings.h) */
    bool scored, negative;
    bool full; /* full points: closes the item's open plans of earlier years */
} tk_answer_rec;

/* One follow-up row as ingest read it (strings borrowed). */
typedef struct tk_followup_rec {
    int64_t plan_id;
    bool has_status;       /* a status was chosen (change holds it) */
    tk_plan_change change; /* to, date (完了日), new_due, reason, note (実施内容) */
    /* the auditee's response (改善計画: 内容, 担当者, 完了予定日, 暫定措置);
     * NULL each when not written, all NULL when the row gives none */
    const char *resp_content, *resp_owner, *resp_due, *resp_interim;
    const char *value;     /* the status as chosen in the list */
    /* sheet!cell of the status, 完了日, 新たな完了予定日 and 理由, for messages */
    const char *cell_status, *cell_date, *cell_new_due, *cell_reason;
} tk_followup_rec;

typedef struct tk_submission_new {
    int64_t workbook_id, campaign_id;
    const char *department_code;
    const char *sha256, *file;
    const tk_answer_rec *answers;
    size_t nanswers;
    size_t answered, flagged;
    const tk_strmap *fields; /* cover inputs: key -> text */
    /* a follow-up workbook: its rows that report a status (NULL, 0 otherwise) */
    const tk_followup_rec *followups;
    size_t nfollowups;
    const char *path; /* the file, for messages naming a cell */
} tk_submission_new;

typedef struct tk_submission_result {
    int64_t submission_id;
    bool same;       /* these bytes were stored before: nothing changed */
    bool superseded; /* an earlier submission was superseded */
    size_t plans_new, plans_updated;
    /* follow-up: plans changed (a log entry each), of which closed and postponed */
    size_t plans_changed, plans_closed, plans_postponed;
    /* a later year's answers: earlier plans closed, and kept open (logged) */
    size_t carried_closed, carried_kept;
    /* follow-up: plans given or revised by the auditee's response */
    size_t plans_responded;
    /* audit: earlier findings confirmed fixed, and confirmed not yet fixed */
    size_t findings_verified, findings_kept;
} tk_submission_result;

/* Store a submission in one transaction. 0 or -1 (nothing stored). A
 * follow-up row whose change is refused when applied (the plan changed since
 * ingest checked it) fails the whole submission with an error naming its
 * cell. */
int tk_store_submit(tk_store *st, const tk_submission_new *s, tk_submission_result *r, tk_diags *d);

/* 1 and *id when these bytes of the workbook were stored before, 0 when not,
 * -1 on failure. */
int tk_store_submission_find(tk_store *st, int64_t workbook_id, const char *sha256, int64_t *id, tk_diags *d);

/* ---- remediation plans ---- */

/* A plan as it stands, and what its latest log entry said. */
typedef struct tk_plan_state {
    int64_t id;
    char department_code[32];
    enum tk_plan_status status;
    tk_date due;         /* y == 0: none */
    char closed_at[16];  /* ISO date; "" while open */
    char *last_note;     /* note and reason of the latest log entry, or NULL */
    char *last_reason;
} tk_plan_state;

/* 1 and *out (free with tk_plan_state_free), 0 when there is no such plan, -1. */
int tk_store_plan_state(tk_store *st, int64_t plan_id, tk_plan_state *out, tk_diags *d);
void tk_plan_state_free(tk_plan_state *s);
/* The state of every plan on the rows of workbook_id (a follow-up
 * workbook's), by one query: that department's plans only, whatever the
 * size of the organisation. *out is ordered by plan id; free with
 * tk_plan_states_free. 0, or -1 on a database failure. */
int tk_store_workbook_plan_states(tk_store *st, int64_t workbook_id, tk_plan_state **out, size_t *n, tk_diags *d);
/* The state of plan_id in v (as tk_store_workbook_plan_states gave it), or NULL. */
const tk_plan_state *tk_plan_states_find(const tk_plan_state *v, size_t n, int64_t plan_id);
void tk_plan_states_free(tk_plan_state *v, size_t n);

enum tk_followup_verdict {
    TK_FOLLOWUP_SAME,    /* the row restates the plan's state (a resubmission): nothing to do */
    TK_FOLLOWUP_APPLY,   /* a change the rules allow: apply and log it */
    TK_FOLLOWUP_REFUSED, /* why (Japanese) says what is wrong; *cell names the cell */
};
/* What a follow-up row does to a plan in state cur. Beyond tk_plan_check: a
 * row for a closed plan is refused unless it restates how the plan was
 * closed (same status and date); 新たな完了予定日 is for 延期 only and 完了日
 * for 完了 and リスク受容 only. */
enum tk_followup_verdict tk_followup_decide(const tk_plan_state *cur, const tk_followup_rec *r, char *why, size_t n,
                                            const char **cell);

/* The answers (value not NULL) of a campaign's current submissions, of one
 * department (its code; NULL: every department), oldest submission first
 * (so a later one overrides); a revoked workbook's count too. One
 * department's are found by index (workbook_department). fn returns false
 * to stop. The number visited, or -1. */
typedef bool (*tk_answer_fn)(const char *department_code, const char *item_id, const char *value, void *user);
long tk_store_current_answers(tk_store *st, int64_t campaign_id, const char *department, tk_answer_fn fn, void *user,
                              tk_diags *d);

/* ---- status: one row per department of a campaign ---- */
typedef struct tk_status_row {
    const char *code, *name;
    const char *respondent;  /* a per-role workbook's role; "" or NULL for the department's own */
    const char *file;        /* NULL when no workbook was issued */
    int items;
    const char *received_at; /* NULL when not returned */
    int answered, flagged, plans, plans_overdue, submissions;
} tk_status_row;
typedef bool (*tk_status_fn)(const tk_status_row *r, void *user);
/* 1 and fn called per department (strings valid during the call), 0 when
 * the campaign does not exist, -1 on failure. *deadline gets the campaign's
 * deadline ("" when none). today is an ISO date for overdue plans. */
int tk_store_status(tk_store *st, const char *org, int year, const char *kind, const char *today, char deadline[16],
                    tk_status_fn fn, void *user, tk_diags *d);

#endif
