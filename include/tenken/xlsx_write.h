/* xlsx_write.h — the issued inspection workbook (libxlsxwriter).
 *
 * One call writes one department's workbook from a fully resolved
 * description (tk_xlsx_spec): which items sit on which sheet and row was
 * decided by the caller (generate), so the rows recorded in the database and
 * the rows in the file are the same by construction. Wording, scale, columns,
 * colours and print setup come from the template.
 *
 * The workbook:
 *   表紙 (template: cover)  title, organisation, department, deadline in 和暦 and
 *        西暦, input cells (回答者 ...), a live progress table (formulas over the
 *        item sheets, with links to them), notes, the classification mark;
 *   記入要領 (template: instructions)  headings, paragraphs, the scale, the
 *        input columns and the colour legend as tables;
 *   one sheet per chapter: a caption row, the column headings (with a group
 *        row above when columns are grouped), one row per item. Only the
 *        input cells of item rows (and the cover's inputs) are unlocked; every
 *        sheet is protected (the template's password, or none). The answer
 *        column has a list validation, date columns a date validation, text
 *        inputs an input message; conditional formats mark an unanswered item
 *        and a required entry that is missing (a plan for a negative answer,
 *        a reason for an excluded one). Frozen headings, autofilter, widths
 *        from the template, row heights estimated from the wrapped text; A4,
 *        fit to page width, headings repeated, header with the classification
 *        mark and department, footer with page n / total;
 *   _tenken (hidden, protected)  the workbook's identity — the authority for
 *        ingest (custom document properties may be dropped by other tools).
 *
 * The identity sheet, column A = key, column B = value, one pair per row from
 * row 1:
 *   format          "tenken-workbook"      version        "1"
 *   token           32 hex digits          campaign       campaign id
 *   org, year, kind, checklist_hash, template_hash, department_code,
 *   department_name, [respondent, respondent_name: a staff workbook's staff
 *   number and name, a per-role workbook's role; only when set], items
 *   (count), issued_at (ISO 8601)
 *   header_row      1-based row of the column headings on item sheets
 *   column.KEY      column letter of each template column ("column.answer" "E")
 *   cover.KEY       each cover input: sheet name in B, cell in C
 *                   ("cover.respondent" "表紙" "C9")
 * then a row whose column A is "seq" (the item table's heading row:
 * seq, item_id, sheet, row, text_hash, ref), and one row per item in workbook
 * order: seq (number), item id, sheet name, 1-based row (number), text hash
 * (tk_item_text_hash), ref. All other values are text.
 * A follow-up workbook (kind "followup") has the same identity sheet; its
 * rows are remediation plans, not checklist items: a row's item id is
 * "plan-ID" (TK_XLSX_PLAN_ITEM_PREFIX and the plan's id in the database), its
 * text hash and ref those of the item the plan is about. The database also
 * records each row's plan (workbook_item.plan_id); ingest goes by that.
 * The custom document properties tenken_token, tenken_campaign ("org/year/kind"),
 * tenken_checklist_hash and tenken_department repeat the essentials.
 *
 * libxlsxwriter's constant_memory mode is not used: the cover needs merged
 * cells, and a workbook holds at most one checklist's items, so memory per
 * workbook is bounded by the checklist, not by the number of departments.
 */
#ifndef TENKEN_XLSX_WRITE_H
#define TENKEN_XLSX_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/checklist.h"
#include "tenken/diag.h"
#include "tenken/jdate.h"
#include "tenken/template.h"
#include "tenken/util.h"

#define TK_XLSX_IDENTITY_SHEET "_tenken"
#define TK_XLSX_IDENTITY_FORMAT "tenken-workbook"
#define TK_XLSX_IDENTITY_VERSION 1
#define TK_XLSX_PROP_TOKEN "tenken_token"
#define TK_XLSX_PROP_CAMPAIGN "tenken_campaign"
#define TK_XLSX_PROP_CHECKLIST "tenken_checklist_hash"
#define TK_XLSX_PROP_DEPARTMENT "tenken_department"
/* Item id of a follow-up row: "plan-" and the plan's id. */
#define TK_XLSX_PLAN_ITEM_PREFIX "plan-"
/* Excel's limit on the length of a sheet name (UTF-16 code units). */
#define TK_XLSX_SHEET_NAME_MAX 31

/* What a follow-up row shows of its remediation plan (read-only). */
typedef struct tk_xlsx_plan {
    int64_t id;
    const char *origin;  /* the answer (and finding) it came from, as shown */
    const char *content; /* 改善内容 */
    const char *owner;   /* or NULL */
    const char *status;  /* the current status as shown */
    tk_date due;         /* y == 0: none */
} tk_xlsx_plan;

typedef struct tk_xlsx_row {
    const tk_item *item; /* follow-up: the item the plan is about, with id "plan-ID" */
    int seq;           /* 項番, 1..n through the workbook */
    int row;           /* 1-based row on its sheet */
    const char *roles; /* 対象者 as shown */
    char text_hash[65];
    const tk_xlsx_plan *plan; /* follow-up rows; NULL otherwise */
    /* next year's self and audit rows: last year's answer and the plans
     * still open for the item, as shown (NULL: none) */
    const char *prev_answer, *prev_plans;
    bool prev_overdue; /* one of those plans is past its due date: highlighted */
} tk_xlsx_row;

typedef struct tk_xlsx_sheet {
    const char *name;    /* a valid, unique Excel sheet name */
    const char *caption; /* the chapter as a heading (not truncated) */
    tk_xlsx_row *rows;   /* rows[i].row increasing from tk_xlsx_first_item_row */
    size_t nrows;
} tk_xlsx_sheet;

/* Remembered line counts of wrapped cell text. The same item text in a
 * column of the same width takes the same lines in every department's
 * workbook; measuring it (ICU's line breaks, 禁則) is most of what a row
 * costs, so a run of many workbooks measures each text once. Bounded: past
 * max_bytes of remembered text it forgets and starts again, so memory stays
 * flat however many departments there are (texts of one department, such as
 * last year's answers, are measured once and soon forgotten). */
typedef struct tk_xlsx_measure tk_xlsx_measure;
#define TK_XLSX_MEASURE_MAX_BYTES ((size_t)8 * 1024 * 1024)
/* A new, empty memory of at most max_bytes of text (0: the default,
 * TK_XLSX_MEASURE_MAX_BYTES); free with tk_xlsx_measure_free. */
tk_xlsx_measure *tk_xlsx_measure_new(size_t max_bytes);
void tk_xlsx_measure_free(tk_xlsx_measure *m);
/* tk_xlsx_cell_lines(s, width, size), remembered in m (m NULL: measured). */
int tk_xlsx_measure_lines(tk_xlsx_measure *m, const char *s, double width, double size);
/* How many texts m remembers, and how many times it measured (tests). */
size_t tk_xlsx_measure_count(const tk_xlsx_measure *m);
size_t tk_xlsx_measure_misses(const tk_xlsx_measure *m);

/* ---- decisions made on the text of a cell (xlsx_stamp.h) ----
 *
 * Where the workbook depends on what a text says rather than only on where
 * it goes — a row's height on the lines the text wraps to, a column's width,
 * a header cut for being too long, a string libxlsxwriter refuses — the
 * writer asks tk_xlsx_decide, and nowhere else. A workbook made with a probe
 * (tk_xlsx_spec.probe: the values are stand-ins, see xlsx_stamp.h) decides on
 * the real text and tells the probe each decision that a stand-in took part
 * in, so that another department's values can be checked against it. */
enum tk_xlsx_dep {
    TK_XLSX_DEP_LINES,    /* lines wrapped in width at size (tk_xlsx_cell_lines) */
    TK_XLSX_DEP_WIDTH,    /* display width (tk_text_width) */
    TK_XLSX_DEP_WIDEST,   /* widest word (tk_text_widest_word) */
    TK_XLSX_DEP_HEADER,   /* a header or footer before its '&' are doubled: 0 fits,
                             1 longer than Excel's 255 characters, -1 refused by
                             libxlsxwriter (holds &G or &[Picture]) */
    TK_XLSX_DEP_STRING,   /* a cell's string: 0 empty (a blank cell), 1 written,
                             -1 refused (longer than 32,767 characters) */
    TK_XLSX_DEP_PROPERTY, /* a custom property's value: 1 kept, -1 refused (past 255 characters) */
};
/* The decision on text (measure: remembered line counts, or NULL). A result
 * below 0 means libxlsxwriter refuses the text. */
double tk_xlsx_decide(enum tk_xlsx_dep kind, const char *text, double width, double size, tk_xlsx_measure *measure);

typedef struct tk_xlsx_probe {
    /* s with each stand-in replaced by its real value, in b: false (b
     * untouched) when s holds none */
    bool (*real)(void *user, const char *s, tk_buf *b);
    /* a decision made on the real text of s (which holds stand-ins) */
    void (*record)(void *user, enum tk_xlsx_dep kind, const char *s, double width, double size, double result);
    void *user;
} tk_xlsx_probe;

typedef struct tk_xlsx_spec {
    const tk_template *tpl;
    const tk_tpl_var *vars; /* placeholder values ({org}, {department}, ...) */
    size_t nvars;
    tk_date date_min;       /* earliest date a date input accepts */
    const tk_xlsx_sheet *sheets;
    size_t nsheets;
    /* identity */
    const char *token, *org, *kind, *checklist_hash, *department_code, *department_name, *issued_at;
    /* who in the department answers: a staff number and name (staff), a
     * role id (per-role workbooks); NULL for the department itself */
    const char *respondent, *respondent_name;
    int year;
    int64_t campaign_id;
    /* line counts remembered from earlier workbooks (tk_xlsx_measure_new),
     * or NULL to measure every cell afresh; the workbook is the same */
    tk_xlsx_measure *measure;
    /* the documents' creation time (Unix seconds) in the document
     * properties; 0: the time of writing */
    int64_t created;
    /* NULL; a master of xlsx_stamp.c: the values are stand-ins */
    const tk_xlsx_probe *probe;
} tk_xlsx_spec;

/* 1-based row of the first item on an item sheet made with this template. */
int tk_xlsx_first_item_row(const tk_template *t);

/* Write the workbook to path (created or replaced). 0, or -1 with a Japanese
 * diagnostic naming path. */
int tk_xlsx_write(const tk_xlsx_spec *spec, const char *path, tk_diags *diags);

/* ---- Excel's rules ---- */

/* A valid sheet name: 1..31 UTF-16 units, none of []:*?/\ , not beginning or
 * ending with an apostrophe, not "History" (any case). */
bool tk_xlsx_sheet_name_valid(const char *name);
/* Make a valid sheet name from want: forbidden characters become their
 * full-width forms, control characters and leading/trailing apostrophes and
 * spaces are dropped, a name too long is cut (ending in "…"), and a name equal
 * (ignoring ASCII case) to one of taken[0..n) or to "History" gets " (2)",
 * " (3)"... Result in the arena. */
char *tk_xlsx_make_sheet_name(tk_arena *a, const char *want, const char *const *taken, size_t ntaken);
/* Column letters of a 0-based column: 0 -> "A", 27 -> "AB". */
void tk_xlsx_col_name(int col, char out[4]);
/* Lines s takes when Excel wraps it in a column `width` character units wide
 * at font size `size` pt (a wide character 2 units of half an em, a narrow one
 * 1, lines broken by 禁則 as tk_text_wrap_lines): how tall to make the row. */
int tk_xlsx_cell_lines(const char *s, double width, double size);

#endif
