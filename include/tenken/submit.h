/* submit.h — the database side of ingest: issued workbooks looked up by
 * token, and a submission stored whole (answers, cover fields, plans) in one
 * transaction. Schema (version 2, see store.c):
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
 */
#ifndef TENKEN_SUBMIT_H
#define TENKEN_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
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
} tk_issued_workbook;

typedef struct tk_issued_item {
    int seq, row;
    char *item_id, *sheet, *text_hash, *ref, *text, *context; /* context may be NULL */
} tk_issued_item;

typedef struct tk_scale_answer {
    char *value;
    double points;
    bool excluded, negative;
} tk_scale_answer;

/* 1 and *out when the token was issued (revoked or not), 0 when unknown, -1. */
int tk_store_issued_by_token(tk_store *st, const char *token, tk_issued_workbook *out, tk_diags *d);
/* The workbook's rows in order, with the campaign's wording. Caller frees
 * with tk_store_issued_free. */
int tk_store_issued_items(tk_store *st, int64_t workbook_id, tk_issued_item **items, size_t *n, tk_diags *d);
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
    bool scored, negative;
} tk_answer_rec;

typedef struct tk_submission_new {
    int64_t workbook_id, campaign_id;
    const char *department_code;
    const char *sha256, *file;
    const tk_answer_rec *answers;
    size_t nanswers;
    size_t answered, flagged;
    const tk_strmap *fields; /* cover inputs: key -> text */
} tk_submission_new;

typedef struct tk_submission_result {
    int64_t submission_id;
    bool same;       /* these bytes were stored before: nothing changed */
    bool superseded; /* an earlier submission was superseded */
    size_t plans_new, plans_updated;
} tk_submission_result;

/* Store a submission in one transaction. 0 or -1 (nothing stored). */
int tk_store_submit(tk_store *st, const tk_submission_new *s, tk_submission_result *r, tk_diags *d);

#endif

/* ---- status: one row per department of a campaign ---- */
typedef struct tk_status_row {
    const char *code, *name;
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
