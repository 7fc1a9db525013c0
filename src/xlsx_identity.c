/* xlsx_identity.c — the hidden identity sheet, read into keys and rows. */
#include "tenken/xlsx_identity.h"

#include <math.h>
#include <string.h>

#include "tenken/xlsx_write.h"

typedef struct rd {
    tk_arena *a;
    tk_xlsx_identity *id;
    bool in_table;
    int cur_row;
    const char *cur[TK_XLSX_IDENTITY_COLS];
    size_t cap;
} rd;

static void flush(rd *r)
{
    if (!r->cur_row)
        return;
    const char *k = r->cur[0] ? r->cur[0] : "";
    if (!r->in_table) {
        if (!strcmp(k, "seq")) {
            r->in_table = true;
        } else if (*k) {
            tk_strmap_set(&r->id->kv, k, r->cur[1] ? r->cur[1] : "");
            if (r->cur[2])
                tk_strmap_set(&r->id->kv3, k, r->cur[2]);
        }
    } else if (r->cur[0]) {
        tk_xlsx_identity *id = r->id;
        if (id->nrows == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 256;
            tk_xlsx_identity_row *nr = tk_arena_alloc(r->a, r->cap * sizeof *nr);
            if (id->nrows)
                memcpy(nr, id->rows, id->nrows * sizeof *nr);
            id->rows = nr;
        }
        tk_xlsx_identity_row *row = &id->rows[id->nrows++];
        row->sheet_row = r->cur_row;
        for (int c = 0; c < TK_XLSX_IDENTITY_COLS; c++)
            row->cell[c] = r->cur[c] ? r->cur[c] : "";
    }
    memset(r->cur, 0, sizeof r->cur);
}

/* The digits of a whole number below 1e15 in magnitude, as "%.0f" would
 * write it (one for every seq and row of the sheet: no printf). */
static const char *whole_number(tk_arena *a, double v)
{
    if (v == 0 && signbit(v))
        return "-0";
    char buf[24];
    char *p = buf + sizeof buf;
    *--p = '\0';
    long long n = (long long)v;
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0)
        *--p = '-';
    return tk_arena_strdup(a, p);
}

static bool on_cell(const tk_cell *cell, void *user)
{
    rd *r = user;
    if (cell->row != r->cur_row) {
        flush(r);
        r->cur_row = cell->row;
    }
    if (cell->col < 1 || cell->col > TK_XLSX_IDENTITY_COLS)
        return true;
    /* a whole number as digits, however the writer spelled it ("12", "12.0", "1.2E1") */
    if (cell->type == TK_CELL_NUMBER && cell->number == floor(cell->number) && fabs(cell->number) < 1e15)
        r->cur[cell->col - 1] = whole_number(r->a, cell->number);
    else
        r->cur[cell->col - 1] = tk_arena_strdup(r->a, cell->text ? cell->text : "");
    return true;
}

int tk_xlsx_identity_read(tk_xlsx *x, tk_arena *a, tk_xlsx_identity *out, tk_diags *d)
{
    memset(out, 0, sizeof *out);
    int idx = tk_xlsx_sheet_index(x, TK_XLSX_IDENTITY_SHEET);
    if (idx < 0)
        return 0;
    rd r;
    memset(&r, 0, sizeof r);
    r.a = a;
    r.id = out;
    if (!tk_xlsx_read_sheet(x, (size_t)idx, on_cell, &r, d))
        return -1;
    flush(&r);
    return 1;
}

const char *tk_xlsx_identity_get(const tk_xlsx_identity *id, const char *key)
{
    const char *v = tk_strmap_get(&id->kv, key);
    return v ? v : "";
}

void tk_xlsx_identity_free(tk_xlsx_identity *id)
{
    tk_strmap_free(&id->kv);
    tk_strmap_free(&id->kv3);
    memset(id, 0, sizeof *id);
}
