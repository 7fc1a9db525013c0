/* staff.h — a staff self-check (campaign kind "staff") at the level of
 * people: who was issued a workbook, who has answered, and the figures the
 * committee report's staff section prints.
 *
 * The answers themselves are a campaign's like any other (results.h): a
 * person's workbook belongs to their department, so grouping by department,
 * item or role adds up the department's people. What is particular to
 * people is here: the roster as issued (table person), and 実施率 — the
 * share of the staff answering an item positively.
 */
#ifndef TENKEN_STAFF_H
#define TENKEN_STAFF_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/results.h"
#include "tenken/store.h"

/* A person of the roster with an active workbook, and where it stands
 * (strings valid during the callback only). */
typedef struct tk_staff_person {
    const char *number, *name, *department_code, *department_name, *mail, *title;
    const char *file;
    const char *received_at; /* NULL: not answered yet */
    int answered, items;
} tk_staff_person;
typedef bool (*tk_staff_person_fn)(const tk_staff_person *p, void *user);

/* Every person issued a workbook in the staff campaign of (org, year), by
 * department code then staff number. 1, 0 when there is no such campaign,
 * -1 on failure. deadline (16 bytes, may be NULL) gets the campaign's
 * deadline, "" when none. */
int tk_staff_people(tk_store *st, const char *org, int year, char *deadline, tk_staff_person_fn fn, void *user,
                    tk_diags *d);

/* One line of the staff section: a department or an item. */
typedef struct tk_staff_rate {
    const char *label, *code;
    size_t index;     /* department or item index in the results */
    size_t people;    /* issued the item / people of the department */
    size_t answered;  /* of them, answered (the whole workbook, for a department) */
    size_t scored;    /* answers on the scale (not 該当しない) */
    size_t positive;  /* of those, positive (not negative) */
    size_t flagged;   /* answers that raise a flag (わからない: 要研修) */
} tk_staff_rate;

/* 実施率 = positive / scored (NaN when nothing scored); 回答率 =
 * answered / people. */
double tk_staff_rate_followed(const tk_staff_rate *r);
double tk_staff_rate_answered(const tk_staff_rate *r);

/* The staff section's figures from a staff campaign's results: per
 * department (in department order) and per item (in checklist order);
 * *total is the whole. Caller frees both arrays with free(). Returns 0, or
 * -1 on failure (diagnostics). flags are read from the campaign's scale. */
int tk_staff_rates(tk_store *st, const tk_results *r, tk_staff_rate **depts, size_t *ndepts, tk_staff_rate **items,
                   size_t *nitems, tk_staff_rate *total, tk_diags *d);

#endif
