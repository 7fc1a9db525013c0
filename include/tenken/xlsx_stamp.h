/* xlsx_stamp.h — many departments' workbooks stamped from one written once.
 *
 * Departments that hold the same roles get workbooks that differ only in the
 * values of the spec (tk_xlsx_spec): the placeholders' values ({department},
 * {person}, the title ...) and the identity (token, department code and
 * name, respondent). Writing each with libxlsxwriter costs about 20 ms of
 * CPU; most of it goes to XML formatting and deflate of parts that are the
 * same in every copy. tk_xlsx_stamp_write writes a workbook:
 *
 *   - The shape of a spec is everything but those values (the sheets and
 *     rows with all their text, the template, dates, the campaign), and
 *     which values are empty (an empty value is written as such, so that
 *     what depends on emptiness — a blank cell, a cover line shown only
 *     when set — is part of the shape). Its key is a SHA-256.
 *   - The second job of a shape makes a master: tk_xlsx_write with each
 *     non-empty value replaced by a stand-in (U+FDD0, two letters, U+FDD1:
 *     noncharacters, which no policy or template holds; one that does is
 *     written normally). Every decision the writer takes on the text of a
 *     cell (tk_xlsx_decide: row heights from wrapped lines, widths, a header
 *     too long, a string libxlsxwriter refuses) is taken on the real text
 *     and recorded with the text as it holds stand-ins. The parts of the
 *     master are split into fixed pieces, deflated once (raw deflate ended
 *     by a sync flush), and slots where a value goes, each in its context:
 *     XML text (escaped as libxlsxwriter does: & < >), or a header or
 *     footer (each '&' doubled first, as the writer does). A stand-in in an
 *     attribute or in any other place makes the master unusable.
 *   - A job is stamped from a master of its shape when every recorded
 *     decision comes out the same with its values and no shared string
 *     becomes equal to another (libxlsxwriter would have merged them). The
 *     pieces and the values (stored deflate blocks) are concatenated, ended
 *     with an empty final block, the CRC-32 combined, and written with
 *     minizip in raw mode, member by member in the master's order with its
 *     file info. Unzipped, every member is byte for byte what tk_xlsx_write
 *     writes for the job (tests/test_stamp.c checks whole campaigns).
 *   - Otherwise it is written by tk_xlsx_write: the first job of a shape,
 *     a job whose decisions differ from every master of its shape (up to
 *     eight masters a shape), values that are not plain text (control
 *     characters, leading or trailing spaces, over 4 KB, invalid UTF-8).
 *
 * Warnings of a master's writing (a header cut) are given again for each
 * workbook stamped from it. Masters are kept up to a byte budget (the
 * oldest are dropped), so memory stays bounded however many departments
 * there are. One stamp per process: forked workers each make their own.
 */
#ifndef TENKEN_XLSX_STAMP_H
#define TENKEN_XLSX_STAMP_H

#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/xlsx_write.h"

typedef struct tk_xlsx_stamp tk_xlsx_stamp;

/* Bytes of masters kept (pieces deflated, decisions, shared strings). */
#define TK_XLSX_STAMP_MAX_BYTES ((size_t)96 * 1024 * 1024)

/* A new stamp keeping at most max_bytes of masters (0: the default);
 * free with tk_xlsx_stamp_free. */
tk_xlsx_stamp *tk_xlsx_stamp_new(size_t max_bytes);
void tk_xlsx_stamp_free(tk_xlsx_stamp *st);

/* How a workbook was written. */
enum tk_xlsx_stamp_how {
    TK_XLSX_STAMP_WRITTEN, /* by tk_xlsx_write */
    TK_XLSX_STAMP_MASTER,  /* a master was made for it, then it was stamped */
    TK_XLSX_STAMP_STAMPED, /* stamped from a master made before */
};

/* Write spec's workbook to path as tk_xlsx_write does (st NULL: by
 * tk_xlsx_write). 0, or -1 with a diagnostic naming path; *how (may be
 * NULL) says how. */
int tk_xlsx_stamp_write(tk_xlsx_stamp *st, const tk_xlsx_spec *spec, const char *path, tk_diags *d,
                        enum tk_xlsx_stamp_how *how);

/* Masters made so far, and masters dropped for the budget (tests, figures). */
size_t tk_xlsx_stamp_masters(const tk_xlsx_stamp *st);
size_t tk_xlsx_stamp_dropped(const tk_xlsx_stamp *st);

#endif
