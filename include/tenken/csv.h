/* csv.h — the CSV files people keep in Excel (a staff roster, an audit
 * plan): read whole (bounded), decoded by tk_text_decode (UTF-8 with or
 * without BOM, or Shift_JIS/CP932), split into records by RFC 4180 (commas,
 * double quotes around a field holding a comma, quote or line break, "" for
 * a quote), each record with the physical line it starts on so that every
 * message can name it.
 *
 * Ownership: fields live in the arena given to the reader.
 */
#ifndef TENKEN_CSV_H
#define TENKEN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/util.h"

/* Read path (at most max bytes) and decode it into *text (caller frees with
 * tk_buf_free); *encoding (may be NULL) gets what it was read as. what names
 * the file in messages ("名簿", "監査計画"). 0, or -1 with an error in d (too
 * large, unreadable, not text in a known encoding, NUL bytes). */
int tk_csv_read_file(const char *path, size_t max, const char *what, tk_buf *text, const char **encoding, tk_diags *d);

typedef struct tk_csv_record {
    char **fields; /* in the reader's arena */
    size_t n;
    long line; /* the physical line the record starts on (1-based) */
} tk_csv_record;

typedef struct tk_csv_reader {
    const char *p, *end;
    long line;
    const char *path;
    tk_diags *d;
    tk_arena *a;
} tk_csv_reader;

void tk_csv_reader_init(tk_csv_reader *R, const tk_buf *text, const char *path, tk_arena *a, tk_diags *d);
/* The next record; false at the end of the text. A quote left open is
 * reported (*bad set) and ends the reading. */
bool tk_csv_next(tk_csv_reader *R, tk_csv_record *out, bool *bad);
/* A record with nothing but spaces and tabs. */
bool tk_csv_blank(const tk_csv_record *r);
/* The field without surrounding white space (ideographic space too), in a. */
const char *tk_csv_trim(tk_arena *a, const char *s);
/* Split a list cell at 、 , ， ; ； ､ and white space (not ・, which names
 * use); the parts (none empty) in a. */
void tk_csv_split_list(tk_arena *a, const char *s, const char ***out, size_t *n);

#endif
