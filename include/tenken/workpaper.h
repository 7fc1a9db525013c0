/* workpaper.h — the 監査調書: the auditor's working record of an audit
 * campaign, kept in the database with it and exported (tenken export audit).
 *
 * One row per item examined (issued to an audited department): the
 * department, the item (ref and wording), the grade, the evidence examined
 * (監査証跡), the finding (所見), 良好事例, the 是正確認 of earlier findings,
 * who examined it (the 監査を行う者 written on the workbook's cover, else the
 * audit plan's auditors of the department) and when (監査実施日).
 */
#ifndef TENKEN_WORKPAPER_H
#define TENKEN_WORKPAPER_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/store.h"
#include "tenken/util.h"

typedef struct tk_workpaper_row {
    const char *department_code, *department_name, *ref, *text;
    const char *grade, *evidence, *finding, *good, *confirm; /* NULL when blank */
    const char *auditor, *audit_date;                         /* NULL when unknown */
    int seq;
} tk_workpaper_row;

typedef struct tk_workpaper {
    tk_arena *arena;
    const char *org_name;
    int year;
    tk_workpaper_row *rows;
    size_t n;
} tk_workpaper;

/* 1 and *out (free with tk_workpaper_free), 0 when the audit campaign does
 * not exist, -1 on failure. */
int tk_workpaper_load(tk_store *st, const char *org, int year, tk_workpaper *out, tk_diags *d);
void tk_workpaper_free(tk_workpaper *w);

/* CSV (UTF-8 with BOM, CRLF) appended to out. */
void tk_workpaper_csv(const tk_workpaper *w, tk_buf *out);
/* A workbook (frozen header, autofilter, A4 landscape) to path through a
 * temporary file; refuses an existing file unless force. An exit code. */
int tk_workpaper_xlsx(const tk_workpaper *w, const char *path, bool force, tk_diags *d);

#endif
