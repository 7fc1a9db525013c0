/* text.h — Unicode helpers over ICU and iconv: decoding input files,
 * normalisation for matching, the "as written" form, display width.
 *
 * Two forms of every policy string exist in tenken:
 *  - the kept form: the text as the policy wrote it, with only compatibility
 *    ideographs and Kangxi radicals mapped to the unified ideograph and a
 *    minus sign between katakana read as the long vowel mark ー;
 *  - the match form: NFKC, no white space at all, Japanese punctuation
 *    unified. Structure, obligations, roles, ids and comparisons use it.
 */
#ifndef TENKEN_TEXT_H
#define TENKEN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/util.h"

/* Decode the next code point of UTF-8 at *p (not beyond end); advance *p.
 * Returns -1 for an invalid or truncated sequence (advancing one byte). */
int32_t tk_utf8_next(const char **p, const char *end);
/* True when s[0..len) is well-formed UTF-8; else *bad (if not NULL) gets the
 * byte offset of the first bad sequence. */
bool tk_utf8_valid(const char *s, size_t len, size_t *bad);
/* Number of code points. */
size_t tk_utf8_count(const char *s);
/* s as it can be shown on a terminal and stored as text: each byte that is
 * not part of well-formed UTF-8, and each control character (but line ends
 * and tabs when lines), written as \xHH (a file name from a disk written on
 * another system, say). NULL when s is already so (nothing to free); else a
 * new string the caller frees. */
char *tk_text_printable(const char *s, bool lines);

/* Decode a text file's bytes to UTF-8: UTF-8 with or without BOM, UTF-16 with
 * BOM, or Shift_JIS/CP932. On success returns 0, fills out (caller frees) and
 * sets *encoding to a static name ("UTF-8", "UTF-16LE", "CP932", ...). On
 * failure returns -1 and *encoding names what was tried. */
int tk_text_decode(const char *bytes, size_t len, tk_buf *out, const char **encoding);

/* Append the kept form of s to out. */
void tk_text_keep(const char *s, size_t len, tk_buf *out);
/* Append the match form of s to out. */
void tk_text_norm(const char *s, size_t len, tk_buf *out);
/* Match form as a new string (caller frees). */
char *tk_text_norm_dup(const char *s);
/* Is s NULL, or empty in its match form (nothing but white space)? */
bool tk_text_blank(const char *s);
/* Do a and b have the same match form? */
bool tk_text_same_norm(const char *a, const char *b);

/* Terminal display width: East Asian Wide/Fullwidth count 2, combining
 * marks and controls 0, the rest 1. */
size_t tk_text_width(const char *s);
/* Lines s takes when wrapped at cap display-width units (tk_text_width; at
 * least 2), a line feed starting a new line: how tall a wrapped cell is.
 * Lines break where ICU's strict Japanese line rules allow (禁則: never
 * before a small kana, ー or a closing bracket, never after an opening one),
 * a word wider than a line between characters. */
int tk_text_wrap_lines(const char *s, double cap);
/* Display width of the widest name in a list (names apart by white space,
 * 、，, or a line feed; the separator counted with the name before it): the
 * narrowest column that never breaks a name (情報セキュリティ管理者). */
double tk_text_widest_word(const char *s);
/* s shortened to at most max code points plus "…" at the last word boundary
 * (ICU's Japanese word break) within them, never mid-word (「…認めた場合は、…」,
 * not 「…認めた場合は、自…」); s itself (copied) when it is short enough. In a. */
char *tk_text_shorten(tk_arena *a, const char *s, size_t max);
/* Print s to a buffer padded with spaces to width w (never truncates). */
void tk_text_pad(tk_buf *out, const char *s, size_t w);

/* A table for the terminal: columns padded to their widest cell by display
 * width, two spaces apart; right[k] right-aligns column k (numbers). The
 * heading row comes first. Cells are borrowed. */
void tk_text_table(tk_buf *out, size_t ncols, const char *const *heads, char *const *const *rows, size_t nrows,
                   const bool *right);
/* One CSV field, quoted ("" for a quote). */
void tk_csv_field(tk_buf *out, const char *s);
/* A CSV row of n fields ending in CRLF. */
void tk_csv_row(tk_buf *out, size_t n, const char *const *fields);

/* Character classes used by the parsers. */
bool tk_cp_is_space(int32_t cp);
bool tk_cp_is_katakana(int32_t cp);
bool tk_cp_is_hiragana(int32_t cp);
bool tk_cp_is_han(int32_t cp);

#endif
