/* report_internal.h — what the report modules share and nobody else needs:
 * the drawing colours, the figures the tallies do not hold (plans and
 * 要対応 counted over a range, departments by score) and the layout
 * helpers (numbered headings, tables in millimetres, notes, the two-bar
 * chart). Strings returned in an arena belong to that arena.
 *
 *   report.c                figures and wording (tk_report_open)
 *   report_layout.c         the helpers below
 *   report_committee*.c     the committee report, one file per group of
 * sections report_department.c     the department feedback reports
 *   report_xlsx.c           the summary workbook
 */
#ifndef TENKEN_REPORT_INTERNAL_H
#define TENKEN_REPORT_INTERNAL_H

#include <math.h>

#include "tenken/pdf.h"
#include "tenken/report.h"
#include "tenken/template.h"

/* Colours of the report's own drawings (chart.c has its own). */
#define C_INK TK_PDF_HEX(0x1A1A1A)
#define C_GREY TK_PDF_HEX(0x4D4D4D)
#define C_GRID TK_PDF_HEX(0xE1E4E8)
#define C_AXIS TK_PDF_HEX(0x6B7480)
#define C_BLUE TK_PDF_HEX(0x4A7DB5)
#define C_PALE TK_PDF_HEX(0xB8C2CC)
#define C_WARN TK_PDF_HEX(0xB03A12)
#define C_WARN_FILL TK_PDF_HEX(0xFCE4D6)
#define C_DONE TK_PDF_HEX(0x009E73)
#define C_OPEN TK_PDF_HEX(0x56B4E9)
#define C_LATE TK_PDF_HEX(0xD55E00)

/* A heading or caption a template may reword (tk_report_text); needs rp. */
#define TX(key, dflt) tk_report_text(rp, (key), (dflt))

/* ---- text ---- */
const char *tk_rp_f1(tk_arena *a, double v); /* tk_fmt1 */
const char *tk_rp_zu(tk_arena *a, size_t v); /* "%zu" */
/* The change between two printed scores, as printed: "+2.6", "-1.2", "0.0",
 * "—". */
const char *tk_rp_delta(tk_arena *a, double cur, double prev);
/* At most max code points of s, cut at a word boundary with "…" (tk_text_shorten). */
const char *tk_rp_clip(tk_arena *a, const char *s, size_t max);
/* An item as a table shows it: the lead-in (shortened) above its text. */
const char *tk_rp_item_cell(tk_arena *a, const tk_res_item *it);
/* "2027/3/28" from an ISO date; the text as stored when unreadable. */
const char *tk_rp_short_date(tk_arena *a, const char *iso);
/* The date part of a stored timestamp in 和暦（西暦）. */
const char *tk_rp_stamp_date(tk_arena *a, const char *stamp);

/* The template's sentence <report><text key="KEY"> with its placeholders
 * filled from v[0..n) (tk_template_expand), in a; NULL when the template
 * has no such sentence (the caller leaves it out). */
const char *tk_rp_sentence(const tk_report *rp, tk_arena *a, const char *key, const tk_tpl_var *v, size_t n);
/* The role ids of a space-separated list joined with "、". */
const char *tk_rp_roles_text(tk_arena *a, const char *roles);

/* ---- layout ---- */
/* A numbered level-1 heading ("3　部署別の得点"); *sec counts them. */
void tk_rp_heading(tk_pdf *p, tk_arena *a, int *sec, const char *text);
/* Start a new page now when a block of about height pt does not fit on
 * this one but would on the next. */
void tk_rp_keep_block(tk_pdf *p, double height);
/* Start a new page now when a short table of nrows one-line rows (and its
 * header) would not fit below, so that it is not split after a row or two. */
void tk_rp_keep_table(tk_pdf *p, size_t nrows);
/* A small grey paragraph below a table or chart. */
void tk_rp_note(tk_pdf *p, const char *text);
/* A striped table with its widths in millimetres (size 0: the default). */
tk_pdf_table *tk_rp_table_sized(tk_pdf *p, size_t n, const double *mm, const char *const *heads, const tk_pdf_align *al,
                                double size);
tk_pdf_table *tk_rp_table(tk_pdf *p, size_t n, const double *mm, const char *const *heads, const tk_pdf_align *al);

/* Two values per row as horizontal bars (this department and the
 * organisation, this year and the last), labels on the left, values at the
 * bar ends, a legend above. Rows continue on the next page when needed. */
typedef struct tk_rp_pair_chart {
    const char *title, *name_a, *name_b;
    uint32_t color_a, color_b;
} tk_rp_pair_chart;
void tk_rp_pair_bars(tk_pdf *p, const tk_rp_pair_chart *pc, size_t n, const char *const *labels, const double *va,
                     const double *vb);

/* Chapter labels short enough for heat-map columns ("対策基準 6"), or the
 * full ones when two would look the same. nchapters entries in a. */
const char **tk_rp_chapter_columns(const tk_report *rp, tk_arena *a);

/* ---- figures the tallies do not hold ---- */
/* Department d's tally, NULL when it was not issued a workbook. */
const tk_tally *tk_rp_dept_tally(const tk_report *rp, size_t d);
double tk_rp_dept_score(const tk_report *rp, size_t d);
/* A previous year's score, NaN when that year had nothing. */
double tk_rp_prev_score(const tk_tally *t);
/* Issued departments, best score first (by the printed value; no score
 * last; ties in code order). *n gets the count; free() the array. */
size_t *tk_rp_depts_by_score(const tk_report *rp, size_t *n);

/* The score below which a department is flagged: the lower edge of the
 * second-lowest band (70.0 of 良好 / おおむね良好 / 改善が必要), 0 when the
 * template has fewer than two bands. As printed (tk_round1). */
double tk_rp_low_threshold(const tk_report *rp);
/* Chapter indices by score, lowest first (by the printed value; chapters
 * without a score left out). *n gets the count; free() the array. */
size_t *tk_rp_chapters_by_score(const tk_report *rp, size_t *n);

/* ---- the committee report's sections (report_committee*.c); sec counts
 * the numbered headings ---- */
void tk_rp_committee_comment(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
void tk_rp_committee_overview(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
void tk_rp_committee_departments(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
void tk_rp_committee_heatmap(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec); /* and by chapter */
void tk_rp_committee_previous(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
void tk_rp_committee_plans(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
void tk_rp_committee_followup(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
void tk_rp_committee_items(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
void tk_rp_committee_actions(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec);
/* 別表1 (every cross-cutting item) and 別表2 (every weak item), by chapter. */
void tk_rp_committee_annex(tk_pdf *p, const tk_report *rp, tk_arena *a);

/* The folder of path, made when missing. 0, or -1 with an error in d. */
int tk_rp_ensure_parent(const char *path, tk_diags *d);
/* One document per job, written side by side (workers.h): document i made
 * by make(user, st, i, d) on the worker's own connection st to the
 * database at db, saved to paths[i] through a temporary file. what names
 * the documents in messages (部署別の報告書). An exit code; every failure
 * reported; *written gets the files written. */
typedef tk_pdf *(*tk_rp_make_pdf)(void *user, tk_store *st, size_t i, tk_diags *d);
int tk_rp_write_pdfs(const char *db, size_t n, char *const *paths, const size_t *cost, int jobs, bool force,
                     tk_rp_make_pdf make, void *user, const char *what, size_t *written, tk_diags *d);

#endif
