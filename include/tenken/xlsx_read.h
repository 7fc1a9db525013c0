/* xlsx_read.h — a small, strict reader of the workbooks that departments
 * send back (.xlsx, SpreadsheetML transitional or strict).
 *
 * Every file is hostile until checked. The zip is read with minizip and every
 * XML part with libxml2's SAX2 parser (no DOM): a part of up to
 * whole_part_bytes once inflated is inflated in one step with libdeflate and
 * parsed from memory; a larger one is streamed, inflated piece by piece into
 * libxml2's push parser and never held whole. Nothing is trusted:
 *  - the file must be a regular file (or bytes in memory) of at most
 *    max_file_bytes;
 *  - the zip's central directory is checked before anything is inflated: at
 *    most max_entries entries, none encrypted, none compressed with anything
 *    but stored/deflate, none larger than max_part_bytes once inflated, and
 *    none with a suspicious compression ratio (see tk_xlsx_limits);
 *  - inflating stops at the size the directory declares and at
 *    max_part_bytes, whichever comes first, and the CRC and the size are
 *    checked for every part read;
 *  - XML is parsed with XML_PARSE_NONET and without XML_PARSE_NOENT or DTD
 *    loading; any part with a DOCTYPE is refused before libxml2 sees it; the
 *    element depth is limited (TK_XLSX_MAX_DEPTH) and libxml2's own limits on
 *    text and name sizes stay on (no XML_PARSE_HUGE);
 *  - cell values longer than max_cell_chars, sheets with more than max_rows
 *    rows, cells out of order and unreadable values are reported.
 *
 * Problems go to a tk_diags in Japanese, naming the file and a place: the
 * part ("xl/workbook.xml") or the cell ("回答!B12"). Where it makes sense all
 * problems of a file are reported, not just the first.
 *
 * Ownership: tk_xlsx_open returns a handle owned by the caller and released
 * with tk_xlsx_close. Every string returned by a tk_xlsx_* accessor is owned
 * by the handle and valid until tk_xlsx_close. A tk_cell and its text are
 * valid only during the callback that receives it: copy what you keep.
 *
 * A handle is not thread-safe (it has one zip cursor). libxml2's errors go to
 * the parser context's own handler, never to the global one.
 *
 * Limitations: a DOCTYPE is refused even when harmless; a part declared in
 * another encoding than UTF-8 or UTF-16 is read as libxml2 reads it (Latin-1
 * and what iconv knows); relationship targets are taken literally (no
 * percent-decoding), so a part name with %XX is reported as missing.
 */
#ifndef TENKEN_XLSX_READ_H
#define TENKEN_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/diag.h"

/* Defaults used for the fields of tk_xlsx_limits that are zero. */
#define TK_XLSX_DEFAULT_MAX_FILE_BYTES ((size_t)50 * 1024 * 1024)
#define TK_XLSX_DEFAULT_MAX_PART_BYTES ((size_t)64 * 1024 * 1024)
#define TK_XLSX_DEFAULT_MAX_RATIO 100.0
#define TK_XLSX_DEFAULT_MAX_ENTRIES ((size_t)1000)
#define TK_XLSX_DEFAULT_MAX_CELL_CHARS ((size_t)32767)
#define TK_XLSX_DEFAULT_MAX_ROWS ((size_t)100000)
#define TK_XLSX_DEFAULT_WHOLE_PART_BYTES ((size_t)8 * 1024 * 1024)
/* The ratio check applies only to entries larger than this once inflated:
 * small parts (printer settings, empty sheets) legitimately compress a lot. */
#define TK_XLSX_RATIO_MIN_BYTES ((size_t)1024 * 1024)
/* Deepest element nesting accepted in any part (SpreadsheetML needs ~10). */
#define TK_XLSX_MAX_DEPTH 100

typedef struct tk_xlsx tk_xlsx;

/* Limits; a field left 0 takes its default, so an all-zero struct (or a NULL
 * pointer) means all defaults. */
typedef struct tk_xlsx_limits {
    size_t max_file_bytes; /* the .xlsx file itself; default 50 MiB */
    size_t max_part_bytes; /* one entry once inflated; default 64 MiB */
    /* Inflate ratio: an entry that inflates to more than
     * TK_XLSX_RATIO_MIN_BYTES and to more than max_ratio times its
     * compressed size is refused as a probable zip bomb (like Apache POI's
     * ZipSecureFile, whose minimum inflate ratio 0.01 is our 100). */
    double max_ratio;       /* default 100 */
    size_t max_entries;     /* entries in the zip; default 1000 */
    size_t max_cell_chars;  /* characters (code points) of one cell; default 32767 */
    size_t max_rows;        /* <row> elements of one sheet; default 100000 */
    /* Not a limit but a trade: a part of at most this many bytes once
     * inflated is inflated in one step (libdeflate) and parsed from memory,
     * which is faster; a larger one is streamed through zlib and libxml2's
     * push parser in pieces, never held whole. Default 8 MiB. */
    size_t whole_part_bytes;
} tk_xlsx_limits;

/* Open the workbook at path. Reads the zip directory, xl/workbook.xml and its
 * relationships, the shared strings, the styles and the custom document
 * properties; sheets are read later by tk_xlsx_read_sheet. lim may be NULL.
 * On failure returns NULL and adds Japanese error diagnostics naming the file
 * (empty file, not a zip, broken or truncated zip, CRC error, an old .xls or
 * an encrypted workbook (OLE2/CFB container), an OpenDocument spreadsheet, a
 * zip that is not an Excel workbook, too many entries, a part too large, a
 * suspicious compression ratio, a part with a DOCTYPE, malformed XML, sheet
 * targets outside xl/ ...). */
tk_xlsx *tk_xlsx_open(const char *path, const tk_xlsx_limits *lim, tk_diags *diags);
/* The same for a file already read into memory (path names it in messages):
 * data must stay as it is until tk_xlsx_close. */
/* A cheap look at what a file says it is: the same checks of the archive,
 * then only its custom properties (tk_xlsx_custom_property); no sheet,
 * shared string or style is read, and the handle reads no sheet. */
tk_xlsx *tk_xlsx_open_properties(const char *path, const tk_xlsx_limits *lim, tk_diags *diags);
tk_xlsx *tk_xlsx_open_mem(const char *path, const void *data, size_t len, const tk_xlsx_limits *lim,
                          tk_diags *diags);
/* Release everything; NULL is allowed. */
/* Check every member of the archive that has not been read whole so far
 * against the zip directory (its size and CRC-32), so that a workbook with
 * a damaged part is refused even when the caller never reads that part (an
 * instructions sheet, a theme, an image). True when all are intact; else
 * an error naming each damaged member. Call it after the reads. */
bool tk_xlsx_check_members(tk_xlsx *x, tk_diags *d);
void tk_xlsx_close(tk_xlsx *x);

/* The path given to tk_xlsx_open. */
const char *tk_xlsx_path(const tk_xlsx *x);
/* workbookPr date1904: serial dates count from 1904-01-01. */
bool tk_xlsx_date1904(const tk_xlsx *x);

/* Sheets in workbook order (the order of the tabs). */
size_t tk_xlsx_sheet_count(const tk_xlsx *x);
/* Name of sheet i, NULL when i is out of range. */
const char *tk_xlsx_sheet_name(const tk_xlsx *x, size_t i);
/* state="hidden" or state="veryHidden". */
bool tk_xlsx_sheet_hidden(const tk_xlsx *x, size_t i);
/* Index of the sheet with exactly this name, -1 if absent. */
int tk_xlsx_sheet_index(const tk_xlsx *x, const char *name);

/* Custom document properties (docProps/custom.xml): the value of the
 * property with exactly this name as text (vt:lpwstr as is; vt:i4, vt:r8,
 * vt:bool, vt:filetime ... as written in the XML), NULL if absent. */
const char *tk_xlsx_custom_property(const tk_xlsx *x, const char *name);
size_t tk_xlsx_custom_property_count(const tk_xlsx *x);
/* Name and value of property i (in document order); NULL when out of range. */
const char *tk_xlsx_custom_property_name(const tk_xlsx *x, size_t i);
const char *tk_xlsx_custom_property_value(const tk_xlsx *x, size_t i);

typedef enum {
    TK_CELL_EMPTY, /* only for a formula with no cached value (has_formula set) */
    TK_CELL_STRING,
    TK_CELL_NUMBER,
    TK_CELL_BOOL,
    TK_CELL_ERROR,
} tk_cell_type;

typedef struct tk_cell {
    int row, col;      /* 1-based; row 1 col 1 is A1 */
    tk_cell_type type;
    /* Never NULL. STRING: the UTF-8 text (shared, inline or a formula's
     * t="str" result; rich-text runs joined, phonetic runs left out, the
     * _xHHHH_ escapes decoded). NUMBER: the number as written in the XML
     * (for t="d" the ISO 8601 text). BOOL: "TRUE" or "FALSE". ERROR: the
     * error as written ("#N/A", "#DIV/0!"). */
    const char *text;
    /* NUMBER: the value (for t="d" the serial date in this workbook's date
     * system, see tk_xlsx_date1904); BOOL: 1 or 0; otherwise 0. */
    double number;
    /* NUMBER whose cell format is a date or time format: built-in formats
     * 14-22, 27-36, 45-47 and 50-58, or a custom format with y m d h s or the
     * 和暦 codes g e outside quotes and brackets; always for t="d". */
    bool is_date;
    bool has_formula; /* the cell has an <f> element */
} tk_cell;

/* Return false to stop reading. */
typedef bool (*tk_cell_cb)(const tk_cell *c, void *user);

/* Stream sheet number `sheet` (0-based) and call cb for every cell that
 * carries a value (a <v> or an inline <is>; an empty string counts), in
 * document order, which must be row by row, left to right. Cells without a
 * value (only a style, or a formula with no cached result) are not passed.
 * Returns true when the whole sheet (or all of it until cb returned false)
 * was read without a problem. Returns false with diagnostics otherwise:
 * malformed XML, a DOCTYPE, a zip/CRC error, too many rows, a cell too long,
 * a cell reference out of range or out of order, an unreadable value. Bad
 * cells are reported (up to a hundred problems) and not passed to cb, and
 * reading goes on where it can; but because the CRC of a part is only known
 * at its end, a caller must discard everything it received when this returns
 * false. */
bool tk_xlsx_read_sheet(tk_xlsx *x, size_t sheet, tk_cell_cb cb, void *user, tk_diags *diags);

/* (1,1) -> "A1", (12,2) -> "B12"; out of Excel's range (rows 1..1048576,
 * columns 1..16384) gives "?". */
void tk_cell_ref(int row, int col, char out[16]);
/* "B12" -> 12, 2. Upper-case letters then digits only ("$" not allowed), in
 * Excel's range. False (outputs untouched) otherwise. */
bool tk_cell_parse_ref(const char *ref, int *row, int *col);

/* Whether an Excel number format shows a date or time: numFmtId is the
 * built-in id, code the format code (NULL for built-in ids). Exposed for
 * tests and for writers that want to agree with the reader. */
bool tk_xlsx_numfmt_is_date(int numFmtId, const char *code);

#endif
