/* report_staff.h — the committee report's section on the staff self-check
 * of the same year (kind "staff"): 回答率 per department, 実施率 (the share
 * of the staff answering an item positively) per department and per item,
 * the items most often not followed, and the answers flagged for training
 * (わからない: 要研修). Figures from tk_staff_rates (staff.h) over the staff
 * campaign's results (results.h), printed with tk_fmt1.
 *
 * Ownership: a tk_report_staff owns its results and figures; free it with
 * tk_report_staff_free.
 */
#ifndef TENKEN_REPORT_STAFF_H
#define TENKEN_REPORT_STAFF_H

#include "tenken/diag.h"
#include "tenken/pdf.h"
#include "tenken/results.h"
#include "tenken/store.h"

typedef struct tk_report_staff tk_report_staff;

/* The staff round of (org, year): 0 and *out (NULL when the year has
 * none), or -1 on failure (diagnostics). */
int tk_report_staff_load(tk_store *st, const char *org, int year, tk_report_staff **out, tk_diags *d);
void tk_report_staff_free(tk_report_staff *s);

/* Print the section (a level 1 heading numbered ++*sec, text and tables). */
void tk_report_staff_section(tk_pdf *p, const tk_report_staff *s, int *sec);

#endif
