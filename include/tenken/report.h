/* report.h — the reports of a campaign, for reading on paper and for the
 * secretariat's own work:
 *
 *  - the committee report (PDF): cover, summary, score by department (bar
 *    chart and table), department × chapter heat map, score by chapter,
 *    cross-cutting issues (横断的課題), the weakest items, remediation plans
 *    by due month and by department, and the previous year beside this one;
 *  - one feedback report per department (PDF): its score against the
 *    organisation's by chapter, its negative answers with their plans, the
 *    items flagged 要対応 and the items left unanswered;
 *  - the summary workbook (xlsx): sheets by department, by chapter,
 *    department × chapter, by item and all remediation plans, with native
 *    Excel charts, autofilters and frozen headers.
 *
 * Every figure comes from the tallies of results.h (tk_results_group,
 * results->dept_chapter) and is printed with tk_fmt1 (score.h), the
 * arithmetic `tenken score` uses. Nothing here holds a row per answer or
 * per plan: what a document lists row by row (one department's answers and
 * plans, the summary's plan sheet) it reads from the database when it is
 * written (tk_report_dept_cells, tk_report_plans), so memory stays flat
 * however many departments there are.
 *
 * Wording a user may want to change comes from the campaign's template
 * (templates/self.xml, audit.xml): the classification mark, the kind's name,
 * the report titles (<report><title for="committee|department|summary">),
 * the cross-cutting threshold and label and the score bands (<score>), and
 * optionally section headings (<report><text key="...">, the keys are
 * listed at the top of report.c).
 *
 * Ownership: tk_report_open borrows the results (they must outlive the
 * report); the writers that list rows take the database again; the report
 * owns everything else it loads (previous year, plans, wording);
 * free it with tk_report_free. A tk_pdf_font passed in the options is
 * borrowed and shared by every document the report writes.
 */
#ifndef TENKEN_REPORT_H
#define TENKEN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/jdate.h"
#include "tenken/pdf.h"
#include "tenken/plan.h"
#include "tenken/report_staff.h"
#include "tenken/results.h"
#include "tenken/store.h"

typedef struct tk_report_opts {
    const char *template_path; /* NULL: in the data dir's templates/, the file
                                  the campaign was issued with, else KIND.xml */
    const tk_pdf_font *font;   /* shared font (borrowed); NULL: each document
                                  (or each run of departments) opens one */
    tk_date today;             /* the report's date; y == 0: tk_date_today() */
    bool no_previous;          /* leave out the previous year's comparison */
} tk_report_opts;

/* A score band of the template: a score of at least 100 × min gets label. */
typedef struct tk_band {
    double min; /* 0..1 */
    const char *label;
} tk_band;

/* This campaign's plans by state on the report's date. */
typedef struct tk_report_plan_count {
    size_t total, closed, open, late; /* closed: 完了 or リスク受容; open: within the due date; late: overdue */
} tk_report_plan_count;

/* The plans due in one month (year × 12 + month − 1). */
typedef struct tk_report_plan_month {
    int month;
    tk_report_plan_count n;
} tk_report_plan_month;

/* A remediation plan of the campaign (plan table), with its state on the
 * report's date and the answer of the cell it belongs to (tk_report_plans). */
typedef struct tk_report_plan {
    size_t dept;        /* index into results->depts */
    long item;          /* index into results->items, -1 when not in the checklist */
    bool has_cell;      /* the department was issued the item */
    int answer;         /* the cell's answer (index into results->answers), -1 when none */
    const char *finding; /* the cell's 指摘事項, NULL when none */
    const char *item_id, *origin, *content, *owner;
    const char *due;    /* ISO date or NULL */
    tk_date due_date;   /* y == 0 when none or unreadable */
    enum tk_plan_status status;
    bool open;          /* not 完了 nor リスク受容 */
    int days_overdue;   /* 0 when not overdue (tk_plan_days_overdue) */
} tk_report_plan;

/* What the reports print, computed once. Indices follow results->depts,
 * results->items and the chapter order of tk_results_group. */
typedef struct tk_report {
    tk_arena *arena;
    const tk_results *r;       /* borrowed */
    tk_results *prev;          /* previous year (same org and kind), or NULL */
    tk_date today;
    const tk_pdf_font *font;   /* borrowed, may be NULL */

    /* wording from the template */
    const char *template_path;
    const char *kind_name, *classification;
    const char *title_committee, *title_department, *title_summary; /* as written, with
                                                                       placeholders */
    double cross_threshold;    /* 0..1 */
    const char *cross_label;
    tk_band *bands;     /* highest min first */
    size_t nbands;
    tk_strmap texts;           /* <report><text key> overrides */
    const char *fy_wareki;     /* 令和8年度 */
    const char *fy_label;      /* 令和8年度（2026年度） */
    const char *date_both;     /* the report's date, 和暦（西暦） */

    /* figures (tk_results_group) */
    tk_tally total;
    tk_group *by_dept;         /* departments that were issued a workbook, by code */
    size_t nby_dept;
    long *dept_group;          /* per department: index into by_dept, -1 when not issued */
    tk_group *by_chapter;
    size_t nchapters;
    tk_group *by_item;
    size_t nby_item;
    long *item_group;          /* per item: index into by_item */
    const tk_tally *dept_chapter; /* ndepts × nchapters (results->dept_chapter) */

    /* 要対応: the cells flagged at ingest, or in an audit the findings
     * still without a plan past the response deadline (audit_flags) */
    size_t *dept_flagged;      /* per department */
    size_t flagged;            /* all departments */
    tk_strmap audit_late;      /* audit: "DEPT\x1fITEM" of those findings */
    const char *audit_flag;    /* the flag they show */

    /* this campaign's plans, counted (the rows: tk_report_plans) */
    tk_report_plan_count plans;       /* all */
    tk_report_plan_count *dept_plans; /* per department */
    size_t plan_status[TK_PLAN_NSTATUS], plan_status_late[TK_PLAN_NSTATUS];
    tk_report_plan_month *plan_months; /* months with plans due, earliest first */
    size_t nplan_months;
    tk_report_plan_count plan_nodue;   /* plans without a readable due date */
    /* Every plan of this organisation and kind the organisation carries on
     * the report's date, this year's and earlier years' (later years left
     * out): the plans `tenken plans --kind KIND` lists, counted the same way
     * (tk_plans_list, tk_plan_days_overdue on the report's date). */
    size_t all_plans, all_open, all_overdue;
    /* the same over every kind of round (self-inspection and audit), as
     * `tenken plans` lists them without --kind */
    size_t org_open, org_overdue;
    /* earlier years' plans, by year */
    struct tk_report_carried {
        int year;
        size_t total, open, overdue;
    } *carried;
    size_t ncarried;
    /* earlier years' plans by department: per results->depts entry, and
     * those of departments this year's campaign does not have */
    struct tk_report_carried_count {
        size_t total, closed, open, overdue;
    } *carried_dept, carried_other;
    /* the open ones among them, by department code, due date and id */
    struct tk_report_carried_plan {
        int year, days_overdue;
        const char *dept_code, *ref, *content, *owner, *due;
        int status; /* enum tk_plan_status */
    } *cplans;
    size_t ncplans;

    /* the previous year, matched by department code and chapter name */
    tk_tally prev_total;
    bool prev_has;
    tk_tally *prev_dept;       /* per department; issued == 0 when absent */
    tk_tally *prev_chapter;    /* per chapter; issued == 0 when absent */
    size_t prev_returned, prev_issued;
    size_t prev_flagged, prev_cross; /* 要対応 cells and 横断的課題 items of the previous year */
    size_t prev_plans;               /* plans written in the previous year's campaign */

    /* the campaign as issued: when its first workbook was made (a stored
     * timestamp, NULL when none) and the roles each department held then
     * (results->depts order, role ids separated by spaces) */
    const char *issued_at;
    const char **dept_roles;
    const char *comment; /* the secretariat's 総評 (tk_report_comment_set), NULL when none */
    /* the staff self-check of the same year, or NULL (report_staff.h) */
    tk_report_staff *staff;
} tk_report;

/* Compute the report's figures for the campaign r (borrowed), reading its
 * plans and the previous year's results from st and the wording from the
 * template. TK_EXIT_OK and *out (free with tk_report_free); else
 * TK_EXIT_INPUT (the template cannot be used) or TK_EXIT_FAILURE (the
 * database cannot be read), with Japanese errors in d. */
int tk_report_open(tk_store *st, const tk_results *r, const tk_report_opts *o, tk_report **out, tk_diags *d);
void tk_report_free(tk_report *rp);

/* A report's title with its placeholders replaced ({org}, {fiscal-year},
 * {department} for department d, ...); dept -1 for none. In the arena. */
char *tk_report_title(const tk_report *rp, tk_arena *a, const char *title, long dept);

/* A heading or caption: the template's <report><text key> when present,
 * else dflt. */
const char *tk_report_text(const tk_report *rp, const char *key, const char *dflt);
/* The band label for a score (0..100), or "" (NaN, no bands). */
const char *tk_report_band(const tk_report *rp, double score);

/* Department d's cells (tk_results_dept_cells) with the report's 要対応
 * flags, in a. The count, or -1 when the database cannot be read. */
long tk_report_dept_cells(const tk_report *rp, tk_store *st, size_t d, tk_arena *a, tk_res_cell **cells, tk_diags *diags);

/* This campaign's plans of department dept (every department when dept <
 * 0), by department code, due date (none last) and item, to fn (the row's
 * strings are valid for that call only). fn returns 0 to go on; anything
 * else stops the walk and is returned. 0, or -1 when the database cannot
 * be read. */
typedef int (*tk_report_plan_fn)(void *user, const tk_report_plan *p);
int tk_report_plans(const tk_report *rp, tk_store *st, long dept, tk_report_plan_fn fn, void *user, tk_diags *d);

/* Is item k a cross-cutting issue: negative answers by at least two
 * departments and by at least cross_threshold of the departments whose
 * answer was scored? *neg and *answered (may be NULL) get the counts. */
bool tk_report_cross_cutting(const tk_report *rp, size_t k, size_t *neg, size_t *answered);

/* Number of departments issued a workbook, and of those that returned it. */
size_t tk_report_issued(const tk_report *rp);
size_t tk_report_returned(const tk_report *rp);

/* ---- the documents ---- */

/* Lay out the committee report. Returns the document (tk_pdf_free), or
 * NULL with an error in d (no font). d must outlive the document. */
tk_pdf *tk_report_committee_pdf(const tk_report *rp, tk_diags *d);
/* Lay out department d's feedback report (as above). */
tk_pdf *tk_report_department_pdf(const tk_report *rp, tk_store *st, size_t d, tk_diags *diags);

/* The writers return an exit code (util.h): TK_EXIT_OK; TK_EXIT_INPUT when
 * they refuse (an existing file without force, an unknown department),
 * before writing anything; TK_EXIT_FAILURE when a file or folder cannot be
 * written or the document cannot be made. Errors go to d in Japanese.
 *
 * The committee report to path (temporary file + rename). *pages (may be
 * NULL) gets the page count, cover included. */
int tk_report_write_committee(const tk_report *rp, const char *path, bool force, size_t *pages, tk_diags *d);

/* The file name of department d's report in a folder: "01_総務課.pdf"
 * (characters unsafe in file names replaced by "_"). In the arena. */
char *tk_report_department_file(tk_arena *a, const tk_report *rp, size_t d);

/* One report per department that was issued a workbook into dir (created
 * when missing), or only those whose code or name is among only[0..nonly)
 * when nonly > 0, by jobs worker processes side by side (0: one per CPU;
 * workers.h), each reading the database at db on a connection of its own.
 * The caller holds no connection of its own to db open meanwhile: SQLite's
 * connections are not to cross fork(), and the workers need none of the
 * parent's. The files are the same whatever jobs is, each written through
 * a temporary file; every department's error is reported. *written gets
 * the number of files. */
int tk_report_write_departments(const tk_report *rp, const char *db, const char *dir, const char *const *only,
                                size_t nonly, int jobs, bool force, size_t *written, tk_diags *d);

/* ---- the secretariat's 総評 (report_comment.c) ----
 * A text file (UTF-8, UTF-16 with BOM or Shift_JIS; at most 64 KiB and
 * 4,000 characters, no control characters) kept with the campaign: the
 * committee report prints it instead of the drafted 総評, or around it
 * where the text holds the line {原案}. set and clear return an exit code
 * with Japanese errors in d (every problem of the file at once, by line);
 * get gives the stored text in a (NULL when none), 0 or -1. */
int tk_report_comment_set(tk_store *st, int64_t campaign_id, const char *path, tk_diags *d);
int tk_report_comment_clear(tk_store *st, int64_t campaign_id, tk_diags *d);
int tk_report_comment_get(tk_store *st, int64_t campaign_id, tk_arena *a, const char **text, tk_diags *d);

/* The 総評 drafted from the figures with the template's sentences
 * (<report><text key="comment-…">), one paragraph a line; "" when the
 * template has none. In a. */
const char *tk_report_comment_draft(const tk_report *rp, tk_arena *a);
/* The 総評 the committee report prints: the secretariat's text when one is
 * kept (the draft in place of each {原案}), else the draft. In a. */
const char *tk_report_comment_text(const tk_report *rp, tk_arena *a);

/* The summary workbook (report_xlsx.c) to path through a temporary file. */
int tk_report_write_summary(const tk_report *rp, tk_store *st, const char *path, bool force, tk_diags *d);

#endif
