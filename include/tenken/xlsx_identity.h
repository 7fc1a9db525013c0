/* xlsx_identity.h — reading the hidden identity sheet (_tenken) that every
 * workbook tenken issues carries: key/value rows from row 1 (A = key, B =
 * value, C = an optional third value), then a heading row whose column A is
 * "seq", then one row per issued row (up to TK_XLSX_IDENTITY_COLS cells).
 * See xlsx_write.h for the inspection workbook's keys and review.h for the
 * review workbook's. This reads; what the values must be is the caller's.
 *
 * Ownership: every string lives in the arena passed in; free the map with
 * tk_xlsx_identity_free (the strings go with the arena).
 */
#ifndef TENKEN_XLSX_IDENTITY_H
#define TENKEN_XLSX_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/util.h"
#include "tenken/xlsx_read.h"

#define TK_XLSX_IDENTITY_COLS 8

typedef struct tk_xlsx_identity_row {
    int sheet_row; /* 1-based row on the identity sheet */
    /* cell texts of columns A.. ("" when absent); a whole number as its
     * digits ("12" however the writer spelled it), other numbers as written */
    const char *cell[TK_XLSX_IDENTITY_COLS];
} tk_xlsx_identity_row;

typedef struct tk_xlsx_identity {
    tk_strmap kv;   /* key -> value (column B) */
    tk_strmap kv3;  /* key -> column C, for keys that have one */
    tk_xlsx_identity_row *rows;
    size_t nrows;
} tk_xlsx_identity;

/* Read sheet TK_XLSX_IDENTITY_SHEET of x. Returns 1 and fills *out, 0 when
 * the workbook has no such sheet (nothing added to diags), -1 when the sheet
 * could not be read (diagnostics say why). *out is zeroed first and must be
 * freed with tk_xlsx_identity_free whatever is returned. */
int tk_xlsx_identity_read(tk_xlsx *x, tk_arena *a, tk_xlsx_identity *out, tk_diags *diags);
/* The value of key, "" when absent. */
const char *tk_xlsx_identity_get(const tk_xlsx_identity *id, const char *key);
void tk_xlsx_identity_free(tk_xlsx_identity *id);

#endif
