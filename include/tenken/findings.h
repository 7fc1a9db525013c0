/* findings.h — audit findings (指摘事項) followed across years.
 *
 * A finding is an audited department's answer of a negative grade (軽微な
 * 不適合, 重大な不適合: the template's negative="true") in the current
 * submission of an audit campaign. Its remediation plan is the plan row of
 * the same campaign, department and item (submit.h), which the auditee
 * completes in the response round (改善内容, 担当者, 完了予定日, 暫定措置).
 *
 * Status of a finding:
 *   open      no plan with both 担当者 and 完了予定日 yet; 要対応 (overdue
 *             response) once the response deadline — the deadline of the
 *             follow-up campaign of the audit's year — has passed
 *   planned   a plan with 担当者 and 完了予定日 (whatever the auditee reports
 *             of it, 完了 included: the auditee's word does not close it)
 *   closed    closed without a fix being confirmed: the committee accepted
 *             the risk (リスク受容)
 *   verified  a later audit's 是正確認 confirmed the fix (the template's
 *             <confirm> value with closes="true", 是正済み): the only way a
 *             finding is fixed
 * A later audit of the department shows every finding of earlier years not
 * yet closed or verified on its item and asks for 是正確認; 一部是正 and
 * 未是正 keep the finding (and reopen a plan reported 完了).
 */
#ifndef TENKEN_FINDINGS_H
#define TENKEN_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/jdate.h"
#include "tenken/plan.h"
#include "tenken/store.h"
#include "tenken/template.h"
#include "tenken/util.h"

enum tk_finding_status { TK_FINDING_OPEN, TK_FINDING_PLANNED, TK_FINDING_CLOSED, TK_FINDING_VERIFIED };
#define TK_FINDING_NSTATUS 4

/* "open", ... and the Japanese label (未計画, 計画済み, 終了 (リスク受容), 是正確認済み). */
const char *tk_finding_status_key(enum tk_finding_status s);
const char *tk_finding_status_label(enum tk_finding_status s);
bool tk_finding_status_parse(const char *s, enum tk_finding_status *out);

typedef struct tk_finding {
    int year;
    const char *department_code, *department_name;
    const char *item_id, *ref, *item_text, *chapter;
    int seq;               /* the item's place in its campaign */
    const char *grade;     /* the answer: 軽微な不適合 ... */
    int grade_seq;         /* its place in the scale */
    const char *finding, *evidence; /* 所見, 監査証跡 (may be NULL) */
    int64_t plan_id;       /* 0 when no plan row */
    const char *content, *owner, *due, *interim; /* the plan (NULL when none) */
    enum tk_plan_status plan_status;
    const char *verification, *verified_at; /* the latest 是正確認, NULL when none */
    const char *response_deadline;          /* ISO date, NULL when none */
    enum tk_finding_status status;
    bool action_needed;    /* 要対応: open past the response deadline */
    int days_overdue;      /* planned, past 完了予定日, not reported 完了 */
} tk_finding;

typedef struct tk_finding_query {
    const char *org;        /* required */
    int year;               /* 0: every year */
    int max_year;           /* 0: no bound; else audits of years <= max_year */
    const char *department; /* code; NULL: every department */
    int status;             /* -1: all; else an enum tk_finding_status */
    tk_date today;
} tk_finding_query;

typedef struct tk_finding_list {
    tk_arena *arena;
    tk_finding *rows;
    size_t n;
} tk_finding_list;

/* The findings, by year, department code and the item's place. 0 or -1. */
int tk_findings_list(tk_store *st, const tk_finding_query *q, tk_finding_list *out, tk_diags *d);
void tk_finding_list_free(tk_finding_list *l);

/* The findings of (org, year) that are 要対応 on `today` (open past the
 * response deadline), as keys "DEPARTMENT\x1fITEM" (in the arena) of out,
 * each mapped to itself. 0 or -1. */
int tk_findings_action_needed(tk_store *st, const char *org, int year, tk_date today, tk_strmap *out, tk_arena *a,
                              tk_diags *d);

/* ---- the 是正確認 list of an audit campaign ---- */

/* Record the template's <confirm> values for the campaign (replacing any). */
int tk_findings_put_confirm(tk_store *st, int64_t campaign_id, const tk_template *t, tk_diags *d);

typedef struct tk_confirm_value {
    char *value;
    bool closes;
} tk_confirm_value;
/* The campaign's 是正確認 list; caller frees with tk_confirm_values_free. 0 or -1. */
int tk_findings_confirm_values(tk_store *st, int64_t campaign_id, tk_confirm_value **v, size_t *n, tk_diags *d);
void tk_confirm_values_free(tk_confirm_value *v, size_t n);

/* ---- 是正確認: a later audit's answer to an item with earlier findings ---- */

/* Apply the 是正確認 `value` (closes: the fix is confirmed) of the audit
 * campaign `campaign_id` for the department's item to its findings of
 * earlier years not yet closed or verified: a confirmed fix verifies them
 * (and closes their plans), anything else records the confirmation and
 * reopens a plan reported 完了. Logged in plan_log with source "audit";
 * repeating the same confirmation changes nothing. *verified and *kept
 * (may be NULL) count the findings. 0 or -1. */
int tk_findings_confirm(tk_store *st, int64_t campaign_id, const char *department_code, const char *item_id,
                        const char *value, bool closes, int64_t submission_id, size_t *verified, size_t *kept,
                        tk_diags *d);

/* Findings of earlier years still to be confirmed, one line each, for the
 * audit workbook's 前回までの指摘事項: "【2026年度・軽微な不適合】所見／改善計画: …（対応中）",
 * of one department (its code, by index; NULL: every department), read as
 * they are visited (nothing kept). fn gets the department code, item id and
 * line (valid during the call); returns false to stop. The number visited,
 * or -1. */
typedef bool (*tk_finding_line_fn)(const char *department_code, const char *item_id, const char *line, void *user);
long tk_findings_unconfirmed(tk_store *st, const char *org, int before_year, const char *department,
                             tk_finding_line_fn fn, void *user, tk_diags *d);

/* ---- 良好事例 ---- */
typedef struct tk_good_practice {
    const char *department_code, *department_name, *ref, *item_text, *grade, *text;
} tk_good_practice;
typedef bool (*tk_good_fn)(const tk_good_practice *g, void *user);
/* The 良好事例 of an audit campaign's current submissions, by department and
 * item. The number visited, or -1. */
long tk_findings_good_practices(tk_store *st, int64_t campaign_id, tk_good_fn fn, void *user, tk_diags *d);

#endif
