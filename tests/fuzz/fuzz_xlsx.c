/* fuzz_xlsx.c — the xlsx reader on arbitrary bytes: the zip directory, the
 * workbook, every sheet's cells, the custom properties and the identity
 * sheet that ingest trusts. */
#include "fuzz.h"
#include "tenken/diag.h"
#include "tenken/util.h"
#include "tenken/xlsx_identity.h"
#include "tenken/xlsx_read.h"

static bool fuzz_xlsx_cell(const tk_cell *c, void *user)
{
    size_t *n = user;
    /* touch what a caller reads */
    *n += strlen(c->text) + (size_t)c->row + (size_t)c->col + (c->is_date ? 1 : 0);
    return *n < ((size_t)1 << 30);
}

static void tk_fuzz_xlsx(const uint8_t *data, size_t size)
{
    tk_diags diags;
    tk_diags_init(&diags);
    /* limits small enough that a fuzzer's input cannot run long */
    tk_xlsx_limits lim = {.max_file_bytes = 4u << 20, .max_part_bytes = 16u << 20, .max_rows = 20000};
    tk_xlsx *x = tk_xlsx_open_mem("fuzz.xlsx", data, size, &lim, &diags);
    if (x) {
        size_t n = 0;
        size_t sheets = tk_xlsx_sheet_count(x);
        for (size_t i = 0; i < sheets && i < 16; i++) {
            const char *name = tk_xlsx_sheet_name(x, i);
            n += name ? strlen(name) : 0;
            n += tk_xlsx_sheet_hidden(x, i);
            tk_xlsx_read_sheet(x, i, fuzz_xlsx_cell, &n, &diags);
        }
        for (size_t i = 0; i < tk_xlsx_custom_property_count(x); i++) {
            const char *k = tk_xlsx_custom_property_name(x, i), *v = tk_xlsx_custom_property_value(x, i);
            n += (k ? strlen(k) : 0) + (v ? strlen(v) : 0);
        }
        tk_arena *a = tk_arena_new();
        tk_xlsx_identity id;
        if (tk_xlsx_identity_read(x, a, &id, &diags) == 1)
            n += strlen(tk_xlsx_identity_get(&id, "token"));
        tk_xlsx_identity_free(&id);
        tk_arena_free(a);
        tk_xlsx_close(x);
        (void)n;
    }
    tk_diags_free(&diags);
}

TK_FUZZ_ENTRY(tk_fuzz_xlsx)
