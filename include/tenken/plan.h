/* plan.h — the life of a remediation plan (改善計画).
 *
 * 未着手 → 対応中 → 完了, or 延期 (with a new due date and a reason) or
 * リスク受容 (accepted by the committee, with the decision date). Every change
 * is dated and kept; a closed plan (完了, リスク受容) takes no further change.
 * This module is the rule book; the store keeps the log.
 */
#ifndef TENKEN_PLAN_H
#define TENKEN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/jdate.h"

enum tk_plan_status {
    TK_PLAN_NOT_STARTED,   /* 未着手 */
    TK_PLAN_IN_PROGRESS,   /* 対応中 */
    TK_PLAN_DONE,          /* 完了 */
    TK_PLAN_POSTPONED,     /* 延期 */
    TK_PLAN_RISK_ACCEPTED, /* リスク受容 */
};
#define TK_PLAN_NSTATUS 5

/* "not-started", ... (stored in the database) and the Japanese label. */
const char *tk_plan_status_key(enum tk_plan_status s);
const char *tk_plan_status_label(enum tk_plan_status s);
/* Parse a key or a label (match form: full-width, spaces ignored). */
bool tk_plan_status_parse(const char *s, enum tk_plan_status *out);
bool tk_plan_status_closed(enum tk_plan_status s);

/* A change asked for: by a follow-up workbook, a new inspection answer, or
 * the secretariat. Dates with y == 0 are absent. */
typedef struct tk_plan_change {
    enum tk_plan_status to;
    tk_date date;          /* when it happened: 完了日, the decision date, the report date */
    tk_date new_due;       /* 延期: the new 完了予定日 */
    const char *reason;    /* 延期: why; リスク受容: the committee's reasoning (optional) */
    const char *note;      /* 実施内容 / closure evidence */
} tk_plan_change;

/* Is the change allowed from status `from` with current due date `due`?
 * Returns true, or false with a Japanese reason in why (what was found and
 * what is expected). */
bool tk_plan_check(enum tk_plan_status from, tk_date due, const tk_plan_change *ch, char *why, size_t n);

/* Days overdue on `today` (0 when not overdue, closed, or no due date). */
int tk_plan_days_overdue(enum tk_plan_status s, tk_date due, tk_date today);

#endif
