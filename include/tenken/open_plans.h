/* open_plans.h — the remediation plans still open (未着手, 対応中, 延期) of an
 * organisation's self-check and audit campaigns: what next year's workbooks
 * carry beside each item, and what a follow-up round (generate --kind
 * followup) asks each department about.
 *
 * A follow-up round is planned from counts (how many open plans each
 * department has) and each department's rows are read when its workbook is
 * written or recorded, then dropped: memory does not grow with the number of
 * departments or plans, and reading one department's plans goes by the
 * plan table's department index, so the round takes time linear in them.
 */
#ifndef TENKEN_OPEN_PLANS_H
#define TENKEN_OPEN_PLANS_H

#include <stdbool.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/jdate.h"
#include "tenken/store.h"
#include "tenken/template.h"
#include "tenken/util.h"
#include "tenken/xlsx_write.h"

/* An open plan with its item as its campaign issued it (strings valid
 * during the callback only; ref, level, text, context, answer, finding,
 * owner, due may be NULL). */
typedef struct tk_open_plan {
    int64_t id;
    int year;
    const char *kind, *department_code, *item_id;
    const char *ref, *level, *text, *context; /* the item; NULL when the snapshot lacks it */
    const char *origin, *answer, *finding, *content, *owner, *due;
    enum tk_plan_status status;
} tk_open_plan;
typedef bool (*tk_open_plan_fn)(const tk_open_plan *p, void *user);

/* The open plans of org's campaigns of years up to max_year, of one kind
 * (NULL: self and audit), of one department (NULL: every department),
 * oldest campaign first, then self before audit, then by the item's place
 * in its checklist. fn returns false to stop. The number visited, or -1. */
long tk_store_open_plans(tk_store *st, const char *org, const char *kind, int max_year, const char *department,
                         tk_open_plan_fn fn, void *user, tk_diags *d);

/* The same plans counted by department, in order of department code: how
 * many, and the fiscal year of the oldest campaign among them. fn returns
 * false to stop. The number of departments visited, or -1. */
typedef bool (*tk_open_plan_count_fn)(const char *department_code, long plans, int first_year, void *user);
long tk_store_open_plan_counts(tk_store *st, const char *org, const char *kind, int max_year, tk_open_plan_count_fn fn,
                               void *user, tk_diags *d);

/* A department's follow-up sheet: one row per open plan of org's self and
 * audit campaigns up to year, in tk_store_open_plans order, from row
 * first_row; each row's item is the plan's ("plan-ID", with the ref, text,
 * context and level its campaign issued), its plan what the workbook shows
 * (origin: the year in 和暦, the answer and the finding; status as the
 * template words it). The sheet is named by the template's single sheet.
 * Everything in a. 0, or -1 with a diagnostic. */
int tk_open_plans_sheet(tk_store *st, const char *org, int year, const char *department, const tk_template *tpl,
                        int first_row, tk_arena *a, tk_xlsx_sheet *sheet, tk_diags *d);

#endif
