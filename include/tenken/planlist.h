/* planlist.h — remediation plans as the secretariat follows them: listed
 * across campaigns and years, overdue ones first, and changed one at a time
 * (a committee's リスク受容, a report by telephone) with every change logged.
 */
#ifndef TENKEN_PLANLIST_H
#define TENKEN_PLANLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/jdate.h"
#include "tenken/plan.h"
#include "tenken/store.h"
#include "tenken/util.h"

typedef struct tk_plan_row {
    int64_t id;
    int year;
    const char *kind, *department_code, *department_name;
    const char *item_id, *ref, *item_text;
    const char *origin, *answer, *finding;
    const char *content, *owner, *due; /* due: ISO date or NULL */
    enum tk_plan_status status;
    const char *closed_at, *created_at, *updated_at;
    int days_overdue;
    size_t log_entries;
} tk_plan_row;

enum tk_plan_filter { TK_PLANS_OPEN, TK_PLANS_OVERDUE, TK_PLANS_DONE, TK_PLANS_ALL };
bool tk_plan_filter_parse(const char *s, enum tk_plan_filter *out);

typedef struct tk_plan_query {
    const char *org;        /* required */
    int year;               /* 0: every year */
    const char *department; /* code; NULL: every department */
    const char *kind;       /* "self", "audit"; NULL: every kind */
    enum tk_plan_filter filter;
    tk_date today;
} tk_plan_query;

typedef struct tk_plan_list {
    tk_arena *arena;
    tk_plan_row *rows;
    size_t n, cap;
} tk_plan_list;

/* Each plan the query selects, in the order they were made, to fn (the
 * row's strings are valid for that call only): nothing is kept, so a
 * report can count a prefecture's plans in constant memory. fn returns 0
 * to go on; anything else stops and is returned. 0 or -1. */
typedef int (*tk_plan_fn)(void *user, const tk_plan_row *row);
int tk_plans_each(tk_store *st, const tk_plan_query *pq, tk_plan_fn fn, void *user, tk_diags *d);

/* The plans, overdue first (most days first), then by due date. 0 or -1. */
int tk_plans_list(tk_store *st, const tk_plan_query *q, tk_plan_list *out, tk_diags *d);
void tk_plan_list_free(tk_plan_list *l);

/* Apply one change to plan `id`, checked by tk_plan_check and logged with
 * source "secretariat". 0, 1 when refused (the reason in diags), -1 on
 * failure. */
int tk_plan_apply(tk_store *st, int64_t id, const tk_plan_change *ch, tk_diags *d);

#endif
