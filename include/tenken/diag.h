/* diag.h — diagnostics as values.
 *
 * Parsers and validators append problems here and keep going; the command
 * prints them all at the end and chooses the exit code. A diagnostic names
 * the file and the place (a line, or sheet!cell), what was found and what
 * was expected, in Japanese.
 */
#ifndef TENKEN_DIAG_H
#define TENKEN_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum tk_severity {
    TK_SEV_NOTE,    /* for review; not a problem */
    TK_SEV_WARNING, /* accepted, but worth a look */
    TK_SEV_ERROR,   /* the input is refused */
};

typedef struct tk_diag {
    enum tk_severity severity;
    char *file;  /* may be NULL */
    long line;   /* 0 when not a line-oriented place */
    char *place; /* "sheet!cell" or other place; may be NULL */
    char *message;
} tk_diag;

typedef struct tk_diags {
    tk_diag *items;
    size_t count, cap;
    size_t errors, warnings;
} tk_diags;

void tk_diags_init(tk_diags *d);
void tk_diags_free(tk_diags *d);
/* Append a diagnostic; the strings are copied. */
void tk_diag_add(tk_diags *d, enum tk_severity sev, const char *file, long line, const char *place,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define tk_diag_error(d, file, line, ...) tk_diag_add((d), TK_SEV_ERROR, (file), (line), NULL, __VA_ARGS__)
#define tk_diag_warn(d, file, line, ...) tk_diag_add((d), TK_SEV_WARNING, (file), (line), NULL, __VA_ARGS__)
/* Print every diagnostic as "FILE:LINE: 種別: message" (or FILE: place:). */
void tk_diags_print(const tk_diags *d, FILE *out);

#endif
