/* pdf.h — A4 reports as PDF for reading on paper: flowed Japanese text with
 * strict 禁則 line breaking (ICU "ja@lb=strict"), headings kept with what
 * follows, tables whose header row repeats on every page, a running header,
 * the classification mark (自治体機密性2) on every page, "n / N" footers,
 * and drawing primitives for the charts of chart.h.
 *
 * How it works. Layout calls record drawing operations page by page; nothing
 * touches libharu until tk_pdf_render / tk_pdf_save. Then the TrueType font
 * is cut down to the glyphs the document uses (a real subset: glyf, loca,
 * hmtx and a small cmap), the characters the document prints are numbered
 * (two-byte codes, each its own CID through a CMap encoder of ours,
 * Identity-H), the subset is embedded as a CID font, the pages are replayed
 * with their footers (the page count is known by then) and the ToUnicode
 * map is rewritten so that text extraction (pdftotext, copy and paste)
 * gives back the exact characters. Streams are compressed with libdeflate.
 * Subsetting and numbering ourselves matters: libharu 2.3 embeds the whole
 * cmap, post, hmtx and loca tables of the font (about 250 kB of IPAex per
 * file) and spends ~80 ms scanning the full cmap for every document, and
 * its UTF-8 encoder makes the font's CID space the whole Basic Multilingual
 * Plane (65536 glyph look-ups and a 128 kB CIDToGIDMap per document).
 * Measured texts and their break points are kept per document, so a text
 * broken again (a table row measured, then placed) costs only the fitting.
 *
 * Units: positions and sizes are PDF points (1/72 inch) unless a name ends
 * in _mm; y grows upwards, the origin is the bottom-left corner of the page.
 *
 * Text: UTF-8. Characters the font lacks, characters outside the Basic
 * Multilingual Plane and invalid bytes are printed as 〓 (one warning per
 * document); control characters other than line breaks are dropped.
 *
 * Ownership: tk_pdf_new returns a document the caller frees with
 * tk_pdf_free. Tables belong to their document (tk_pdf_table_end finishes
 * one; tk_pdf_free releases any). A tk_pdf_font may be opened once per
 * process and shared by many documents: it is borrowed and must outlive
 * them. Strings passed in are copied; the caller keeps its own.
 */
#ifndef TENKEN_PDF_H
#define TENKEN_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/util.h"

typedef struct tk_pdf tk_pdf;
typedef struct tk_pdf_font tk_pdf_font;
typedef struct tk_pdf_table tk_pdf_table;

/* Colours are 0xRRGGBB with bit 24 set, so that 0 can mean "the default"
 * (or "none" for fills) in option structs and black is still expressible. */
#define TK_PDF_RGB(r, g, b)                                                                        \
    (0x1000000u | ((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))
#define TK_PDF_HEX(rgb) (0x1000000u | (uint32_t)(rgb))
#define TK_PDF_MM(mm) ((mm) * 72.0 / 25.4)

/* A4 portrait, in points. */
#define TK_PDF_PAGE_WIDTH 595.276
#define TK_PDF_PAGE_HEIGHT 841.890

typedef enum tk_pdf_align {
    TK_PDF_ALIGN_DEFAULT = 0, /* paragraphs: justified; table cells: the column's */
    TK_PDF_ALIGN_LEFT,
    TK_PDF_ALIGN_CENTER,
    TK_PDF_ALIGN_RIGHT,
    TK_PDF_ALIGN_JUSTIFY,
} tk_pdf_align;

/* ---- fonts ---- */

/* Open and parse a TrueType font (glyf outlines; .ttc and CFF-based .otf are
 * refused). path NULL searches, in order: IPAex Gothic
 * (/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf and the truetype
 * path), /usr/share/fonts/truetype/fonts-japanese-gothic.ttf, IPA Gothic.
 * Returns NULL with a Japanese error in d when no usable font is found.
 * Free with tk_pdf_font_free. Parsing IPAex takes ~3 ms, so a process that
 * writes many documents should open the font once and pass it in
 * tk_pdf_opts.font. */
tk_pdf_font *tk_pdf_font_open(const char *path, tk_diags *d);
void tk_pdf_font_free(tk_pdf_font *f);
/* The file the font was read from (owned by the font). */
const char *tk_pdf_font_file(const tk_pdf_font *f);

/* ---- documents ---- */

typedef struct tk_pdf_opts {
    const char *title;        /* document information Title */
    const char *author;       /* document information Author, e.g. the organisation */
    const char *mark;         /* classification mark, top right of every page; NULL none */
    const char *header_left;  /* running header, top left (organisation and report) */
    const char *font_path;    /* NULL = search (see tk_pdf_font_open) */
    const tk_pdf_font *font;  /* an open font to share (borrowed); wins over font_path */
    double margin_mm;         /* 0 = 18 */
    double body_size;         /* body text in pt; 0 = 10 */
} tk_pdf_opts;

/* A new empty A4 portrait document (o may be NULL). Returns NULL with an
 * error in d when no font can be opened. d is kept (borrowed) for the
 * warnings and errors of later calls, and must outlive the document. */
tk_pdf *tk_pdf_new(const tk_pdf_opts *o, tk_diags *d);
void tk_pdf_free(tk_pdf *p);

/* Produce the PDF bytes into out (appended). 0, or -1 with an error in the
 * document's diagnostics. The document can still be added to and rendered
 * again afterwards. */
int tk_pdf_render(tk_pdf *p, tk_buf *out);
/* Render and write to path through a temporary file and rename(2). Refuses
 * to replace an existing file unless force. 0, or -1 with an error in the
 * document's diagnostics. */
int tk_pdf_save(tk_pdf *p, const char *path, bool force);

/* Pages so far (a page is started by the first thing placed on it). */
size_t tk_pdf_page_count(const tk_pdf *p);

/* ---- flowed content ---- */

/* A cover page: the mark, the title large, subtitle lines, a date line and
 * the organisation. The cover has no running header or footer and is not
 * counted in "n / N"; content continues on a new page. Fields may be NULL. */
typedef struct tk_pdf_cover {
    const char *title;
    const char *const *subtitles;
    size_t nsubtitles;
    const char *date_line;
    const char *organisation;
} tk_pdf_cover;
void tk_pdf_cover_page(tk_pdf *p, const tk_pdf_cover *c);

/* A page of front matter (a table of contents): like the cover, no running
 * header or footer and not counted in "n / N"; text flows on it as on any
 * page, and what does not fit continues on a numbered page. */
void tk_pdf_front_page(tk_pdf *p);

/* A heading, level 1 (16 pt, with a rule), 2 (13 pt) or 3 (11 pt). It is
 * kept with the first line, row or block that follows: when that does not fit
 * below it, the heading moves to the next page with it. */
void tk_pdf_heading(tk_pdf *p, int level, const char *text);

/* The headings placed so far, in order: level, text (owned by the
 * document) and the page it ended up on, as the footer numbers it (0 on an
 * unnumbered page). Caller frees *marks with free(). */
typedef struct tk_pdf_mark {
    int level;
    const char *text;
    size_t page;
} tk_pdf_mark;
size_t tk_pdf_headings(const tk_pdf *p, tk_pdf_mark **marks);

typedef struct tk_pdf_style {
    double size;           /* pt; 0 = the body size */
    tk_pdf_align align;    /* DEFAULT = justified (last line and lines before a
                              line break are set flush left) */
    uint32_t color;        /* 0 = near black */
    double indent_mm;      /* left indent of every line */
    bool first_indent;     /* indent the first line by one em (字下げ) */
    double leading;        /* line pitch as a multiple of size; 0 = 1.6 */
    double space_after_mm; /* 0 = 2.5 mm; negative = none */
} tk_pdf_style;

/* A paragraph wrapped to the text width (st may be NULL). "\n" starts a new
 * line. No page is left with a single first line of it at the bottom. */
void tk_pdf_paragraph(tk_pdf *p, const char *text, const tk_pdf_style *st);
/* Vertical space; dropped at the top of a page. */
void tk_pdf_space(tk_pdf *p, double mm);
/* Continue on a new page (nothing happens on a page with nothing on it). */
void tk_pdf_page_break(tk_pdf *p);

/* ---- tables ---- */

typedef struct tk_pdf_table_opts {
    double size;               /* pt; 0 = 9 */
    bool widths_mm;            /* widths are millimetres; default: relative
                                  weights scaled to the text width */
    const tk_pdf_align *align; /* per column (ncols entries); NULL = left */
    bool zebra;                /* shade every other row */
    uint32_t header_fill;      /* 0 = light grey */
} tk_pdf_table_opts;

typedef struct tk_pdf_cell_style {
    uint32_t fill;      /* 0 = none (zebra shade if any) */
    uint32_t color;     /* text; 0 = near black */
    tk_pdf_align align; /* DEFAULT = the column's */
} tk_pdf_cell_style;

/* Start a table of ncols columns at the cursor. widths: ncols entries (see
 * widths_mm) or NULL for equal columns. headers: ncols strings (entries may
 * be NULL) or NULL for no header row. o may be NULL. The header row is
 * repeated on every page the table spans. Cells wrap with the same line
 * breaker as paragraphs; a row is never split across pages unless it is
 * taller than a page by itself (then it is split between lines). */
tk_pdf_table *tk_pdf_table_begin(tk_pdf *p, size_t ncols, const double *widths,
                                 const char *const *headers, const tk_pdf_table_opts *o);
/* Column widths (pt, summing to the text width) that fit the content of a
 * table about to be written: a short line of a cell (an answer, a date, a
 * name: at most 9 em) is never broken, a long one may break where the line
 * breaker allows but its column keeps at least 5 em; the room left over goes
 * step by step to the column that shortens the table most (its height in
 * lines, and half the lines of all its cells, so that no text is squeezed
 * into a narrow column beside a taller one). cells: nrows × ncols,
 * row-major (NULL entries are empty); headers may wrap (NULL for none);
 * size: the table's font size (0 = 9). widths: ncols entries; give them to
 * tk_pdf_table_begin with widths_mm false. */
void tk_pdf_table_fit(tk_pdf *p, size_t ncols, const char *const *headers, const char *const *cells, size_t nrows,
                      double size, double *widths);
/* One row: ncols cells (NULL entries are empty); styles: ncols entries or
 * NULL. The header and the first row are not left at the foot of a page
 * without the second row (when the three fit on a page). */
void tk_pdf_table_row(tk_pdf_table *t, const char *const *cells, const tk_pdf_cell_style *styles);
/* Finish the table (the handle is invalid afterwards). */
void tk_pdf_table_end(tk_pdf_table *t);

/* ---- line breaking and measuring ---- */

typedef struct tk_pdf_line {
    size_t start, end; /* byte range of the line in the text, trailing white
                          space and the line break excluded */
    double width;      /* printed width of that range in pt */
    bool hard;         /* the line ends at a "\n" in the text */
} tk_pdf_line;

/* Split text into lines no wider than width_pt at font_size: break
 * opportunities from ICU's strict Japanese rules (、。」）ー・ and small kana
 * never begin a line, 「（ never end one), minus any that would split a number
 * from what is attached to it ("1,234.5点", "令和8年") or an era name. A
 * piece that cannot fit on a line by itself (a long URL) is broken between
 * characters; a single character wider than the line gets a line of its own.
 * Returns the number of lines and sets *lines to an array the caller frees
 * with free() (NULL for no lines: empty text gives 0). */
size_t tk_pdf_break_lines(tk_pdf *p, const char *text, double font_size, double width_pt,
                          tk_pdf_line **lines);
/* Printed width of text (no wrapping) at size, in pt. */
double tk_pdf_text_width(tk_pdf *p, const char *text, double size);

/* ---- drawing, for charts ---- */

/* The text area of the pages, in points. */
typedef struct tk_pdf_frame {
    double left, right, top, bottom;
} tk_pdf_frame;
tk_pdf_frame tk_pdf_get_frame(const tk_pdf *p);
/* Room from the cursor down to the bottom of the text area of the current
 * page (the full text height when no page is started yet). */
double tk_pdf_space_left(const tk_pdf *p);
/* Claim a block of height pt at the cursor: starts a new page first when
 * the block does not fit (taking a heading just above along), then returns
 * the y of the block's top edge and moves the cursor below it. */
double tk_pdf_reserve(tk_pdf *p, double height);

/* Text with its baseline at y; x is the left edge, centre or right edge as
 * align says (DEFAULT = left). */
void tk_pdf_draw_text(tk_pdf *p, double x, double y, double size, uint32_t color,
                      tk_pdf_align align, const char *text);
/* Text turned 90 degrees counter-clockwise, reading upwards from (x, y). */
void tk_pdf_draw_text_up(tk_pdf *p, double x, double y, double size, uint32_t color,
                         const char *text);
void tk_pdf_draw_line(tk_pdf *p, double x1, double y1, double x2, double y2, double width,
                      uint32_t color, bool dashed);
/* Rectangle with its lower-left corner at (x, y); fill and stroke colours 0
 * mean none. */
void tk_pdf_draw_rect(tk_pdf *p, double x, double y, double w, double h, uint32_t fill,
                      uint32_t stroke, double line_width);

#endif
