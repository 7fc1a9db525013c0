/* xlsx_list.c — a plain list as a workbook (xlsx_list.h). */
#include "tenken/xlsx_list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "tenken/util.h"

#define HEAD_ROW 2

static void refuse_existing(tk_diags *d, const char *path)
{
    tk_diag_error(d, path, 0, "ファイルが既にあります。上書きするには --force を指定してください");
}

/* A whole decimal number as written (no sign games, no exponent). */
static bool number_of(const char *s, double *v)
{
    if (!*s)
        return false;
    char *end = NULL;
    *v = strtod(s, &end);
    return end && !*end && strspn(s, "0123456789.") == strlen(s);
}

int tk_xlsx_list_write(const tk_xlsx_list *l, const char *path, bool force, tk_diags *d)
{
    if (!force && tk_file_exists(path)) {
        refuse_existing(d, path);
        return TK_EXIT_INPUT;
    }
    tk_arena *a = tk_arena_new();
    char *tmp = tk_file_tmp_beside(a, path);
    lxw_workbook *wb = tmp ? workbook_new(tmp) : NULL;
    if (!wb) {
        tk_diag_error(d, path, 0, "書き出せません: %s", tmp ? "Excel ブックを作れません" : strerror(errno));
        if (tmp)
            unlink(tmp);
        tk_arena_free(a);
        return TK_EXIT_FAILURE;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, l->sheet);
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, l->head_color ? l->head_color : 0xD9E1F2);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_text_wrap(head);
    lxw_format *cell = workbook_add_format(wb);
    format_set_border(cell, LXW_BORDER_THIN);
    format_set_text_wrap(cell);
    format_set_align(cell, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    worksheet_write_string(ws, 0, 0, l->title, title);
    for (size_t k = 0; k < l->ncols; k++) {
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, l->widths[k], NULL);
        worksheet_write_string(ws, HEAD_ROW, (lxw_col_t)k, l->heads[k], head);
    }
    const char **cells = tk_arena_alloc(a, (l->ncols ? l->ncols : 1) * sizeof *cells);
    for (size_t i = 0; i < l->nrows; i++) {
        l->row(l->user, i, cells);
        lxw_row_t r = (lxw_row_t)(HEAD_ROW + 1 + i);
        for (size_t k = 0; k < l->ncols; k++) {
            double v;
            if (l->numeric && l->numeric[k] && number_of(cells[k], &v))
                worksheet_write_number(ws, r, (lxw_col_t)k, v, cell);
            else
                worksheet_write_string(ws, r, (lxw_col_t)k, cells[k], cell);
        }
    }
    worksheet_freeze_panes(ws, HEAD_ROW + 1, 0);
    worksheet_autofilter(ws, HEAD_ROW, 0, (lxw_row_t)(HEAD_ROW + (l->nrows ? l->nrows : 1)), (lxw_col_t)(l->ncols - 1));
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, HEAD_ROW, HEAD_ROW);
    lxw_error e = workbook_close(wb);
    int rc = TK_EXIT_OK;
    if (e != LXW_NO_ERROR) {
        unlink(tmp);
        tk_diag_error(d, path, 0, "書き出せません (%s)", lxw_strerror(e));
        rc = TK_EXIT_FAILURE;
    } else if (tk_file_commit(tmp, path, force) != 0) {
        if (errno == EEXIST) {
            refuse_existing(d, path);
            rc = TK_EXIT_INPUT;
        } else {
            tk_diag_error(d, path, 0, "書き出せません: %s", strerror(errno));
            rc = TK_EXIT_FAILURE;
        }
    }
    tk_arena_free(a);
    return rc;
}
