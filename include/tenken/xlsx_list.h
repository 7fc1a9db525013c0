/* xlsx_list.h — a plain list as a workbook for the secretariat's records
 * (改善計画一覧, 監査調書): a title in A1, a header row on row 3 repeated on
 * every printed page, one row per record below it, frozen panes, an
 * autofilter, A4 landscape one page wide. Written through a temporary file
 * beside path and renamed; an existing file is refused unless force.
 */
#ifndef TENKEN_XLSX_LIST_H
#define TENKEN_XLSX_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"

typedef struct tk_xlsx_list {
    const char *sheet, *title;
    size_t ncols;
    const char *const *heads;  /* ncols */
    const double *widths;      /* ncols, Excel character units */
    const bool *numeric;       /* ncols or NULL: a cell of these columns that
                                  reads as a number is written as one */
    uint32_t head_color;       /* 0xRRGGBB; 0 = light blue */
    size_t nrows;
    /* the cells of row i (ncols strings, "" for blank), valid until the next call */
    void (*row)(void *user, size_t i, const char **cells);
    void *user;
} tk_xlsx_list;

/* TK_EXIT_OK; TK_EXIT_INPUT when path exists and !force; TK_EXIT_FAILURE
 * when it cannot be written. Errors go to d in Japanese, naming path. */
int tk_xlsx_list_write(const tk_xlsx_list *l, const char *path, bool force, tk_diags *d);

#endif
