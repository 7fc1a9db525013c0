/* text.c — Unicode helpers over ICU, legacy encodings through iconv. */
#include "tenken/text.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

int32_t tk_utf8_next(const char **pp, const char *end)
{
    const unsigned char *p = (const unsigned char *)*pp;
    const unsigned char *e = (const unsigned char *)end;
    if (p >= e)
        return -1;
    unsigned c = p[0];
    int32_t cp;
    int n;
    if (c < 0x80) {
        *pp += 1;
        return (int32_t)c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        cp = c & 0x1F;
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        cp = c & 0x0F;
        n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
        cp = c & 0x07;
        n = 3;
    } else {
        *pp += 1;
        return -1;
    }
    if (e - p < n + 1) {
        *pp += 1;
        return -1;
    }
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *pp += 1;
            return -1;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF */
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        *pp += 1;
        return -1;
    }
    *pp += n + 1;
    return cp;
}

bool tk_utf8_valid(const char *s, size_t len, size_t *bad)
{
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *start = p;
        if (tk_utf8_next(&p, end) < 0) {
            if (bad)
                *bad = (size_t)(start - s);
            return false;
        }
    }
    return true;
}

char *tk_text_printable(const char *s, bool lines)
{
    const char *p = s, *end = s + strlen(s);
    tk_buf b = {0};
    bool changed = false;
    while (p < end) {
        const char *start = p;
        int32_t cp = tk_utf8_next(&p, end);
        if (cp < 0 || ((cp < 0x20 || cp == 0x7F) && !(lines && (cp == '\n' || cp == '\t')))) {
            if (!changed) {
                tk_buf_init(&b);
                tk_buf_append(&b, s, (size_t)(start - s));
                changed = true;
            }
            /* one byte at a time: what follows may be good again */
            p = start + 1;
            tk_buf_printf(&b, "\\x%02X", (unsigned char)*start);
        } else if (changed) {
            tk_buf_append(&b, start, (size_t)(p - start));
        }
    }
    if (!changed)
        return NULL;
    return tk_buf_steal(&b);
}

size_t tk_utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int iconv_to_utf8(const char *from, const char *bytes, size_t len, tk_buf *out)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return -1;
    tk_buf_init(out);
    char *in = (char *)bytes;
    size_t inleft = len;
    char chunk[16384];
    int rc = 0;
    while (inleft > 0) {
        char *o = chunk;
        size_t oleft = sizeof chunk;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        tk_buf_append(out, chunk, sizeof chunk - oleft);
        if (r == (size_t)-1 && errno != E2BIG) {
            rc = -1;
            break;
        }
    }
    if (rc == 0) {
        char *o = chunk;
        size_t oleft = sizeof chunk;
        if (iconv(cd, NULL, NULL, &o, &oleft) == (size_t)-1)
            rc = -1;
        tk_buf_append(out, chunk, sizeof chunk - oleft);
    }
    iconv_close(cd);
    if (rc != 0)
        tk_buf_free(out);
    else if (!out->data)
        tk_buf_append(out, "", 0);
    return rc;
}

int tk_text_decode(const char *bytes, size_t len, tk_buf *out, const char **encoding)
{
    const unsigned char *u = (const unsigned char *)bytes;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        *encoding = "UTF-8";
        if (!tk_utf8_valid(bytes + 3, len - 3, NULL))
            return -1;
        tk_buf_init(out);
        tk_buf_append(out, bytes + 3, len - 3);
        return 0;
    }
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        *encoding = u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        if (iconv_to_utf8(*encoding, bytes + 2, len - 2, out) != 0)
            return -1;
        return 0;
    }
    if (tk_utf8_valid(bytes, len, NULL)) {
        *encoding = "UTF-8";
        tk_buf_init(out);
        tk_buf_append(out, bytes, len);
        return 0;
    }
    *encoding = "CP932";
    return iconv_to_utf8("CP932", bytes, len, out);
}

bool tk_cp_is_space(int32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\f' || cp == '\v' ||
           cp == 0x3000 || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0xFEFF ||
           cp == 0x202F || cp == 0x205F;
}

bool tk_cp_is_katakana(int32_t cp) { return (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0x31F0 && cp <= 0x31FF); }

bool tk_cp_is_hiragana(int32_t cp) { return cp >= 0x3041 && cp <= 0x3096; }

bool tk_cp_is_han(int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || cp == 0x3005 ||
           (cp >= 0x20000 && cp <= 0x3134F) || (cp >= 0xF900 && cp <= 0xFAFF);
}

static bool is_dash_like(int32_t cp)
{
    return cp == '-' || cp == 0x2212 || (cp >= 0x2010 && cp <= 0x2015) || cp == 0xFF0D ||
           cp == 0xFF70 || cp == 0x2500;
}

/* NFKC of one code point, appended to out. */
static void nfkc_cp(int32_t cp, tk_buf *out)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *n = unorm2_getNFKCInstance(&err);
    UChar src[2], dst[16];
    int32_t slen = 0;
    U16_APPEND_UNSAFE(src, slen, cp);
    int32_t dlen = unorm2_normalize(n, src, slen, dst, 16, &err);
    if (U_FAILURE(err)) {
        tk_buf_put_cp(out, (uint32_t)cp);
        return;
    }
    char u8[64];
    int32_t u8len = 0;
    err = U_ZERO_ERROR;
    u_strToUTF8(u8, sizeof u8, &u8len, dst, dlen, &err);
    if (U_FAILURE(err))
        tk_buf_put_cp(out, (uint32_t)cp);
    else
        tk_buf_append(out, u8, (size_t)u8len);
}

void tk_text_keep(const char *s, size_t len, tk_buf *out)
{
    const char *p = s, *end = s + len;
    int32_t prev = 0;
    while (p < end) {
        int32_t cp = tk_utf8_next(&p, end);
        if (cp < 0) {
            tk_buf_put_cp(out, 0xFFFD);
            prev = 0xFFFD;
            continue;
        }
        if ((cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F) ||
            (cp >= 0x2F00 && cp <= 0x2FDF) || (cp >= 0x2E80 && cp <= 0x2EFF)) {
            nfkc_cp(cp, out);
        } else if (is_dash_like(cp) && tk_cp_is_katakana(prev)) {
            tk_buf_put_cp(out, 0x30FC);
        } else if (cp < 0x20 && cp != '\n' && cp != '\t') {
            /* control characters carry nothing a reader can see */
        } else {
            tk_buf_put_cp(out, (uint32_t)cp);
        }
        prev = cp;
    }
}

void tk_text_norm(const char *s, size_t len, tk_buf *out)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t ulen = 0;
    /* UTF-16 never has more code units than UTF-8 has bytes */
    UChar *src = tk_xmalloc((len + 1) * sizeof(UChar));
    u_strFromUTF8WithSub(src, (int32_t)len + 1, &ulen, s, (int32_t)len, 0xFFFD, NULL, &err);
    if (U_FAILURE(err))
        ulen = 0;
    err = U_ZERO_ERROR;
    const UNormalizer2 *nf = unorm2_getNFKCInstance(&err);
    int32_t cap = ulen * 4 + 16;
    UChar *dst = tk_xmalloc((size_t)cap * sizeof(UChar));
    int32_t dlen = U_SUCCESS(err) ? unorm2_normalize(nf, src, ulen, dst, cap, &err) : 0;
    if (U_FAILURE(err)) {
        /* cannot happen with the capacity above; fall back to the input */
        dlen = 0;
        for (int32_t i = 0; i < ulen; i++)
            dst[dlen++] = src[i];
    }
    free(src);
    int32_t prev = 0;
    /* encoded into a small block, appended a block at a time */
    char block[256];
    size_t nb = 0;
    for (int32_t i = 0; i < dlen;) {
        UChar32 cp;
        U16_NEXT(dst, i, dlen, cp);
        UChar32 next = 0;
        if (i < dlen) {
            int32_t j = i;
            U16_NEXT(dst, j, dlen, next);
        }
        if (tk_cp_is_space(cp) || cp < 0x20)
            continue;
        if (is_dash_like(cp) && tk_cp_is_katakana(prev))
            cp = 0x30FC;
        else if (cp == ',' && (prev >= 0x80 || next >= 0x80))
            cp = 0x3001;
        else if (cp == '.' && prev >= 0x80 && !(next >= '0' && next <= '9'))
            cp = 0x3002;
        if (nb + 4 > sizeof block) {
            tk_buf_append(out, block, nb);
            nb = 0;
        }
        nb += tk_utf8_encode((uint32_t)cp, block + nb);
        prev = cp;
    }
    if (nb)
        tk_buf_append(out, block, nb);
    free(dst);
    if (!out->data)
        tk_buf_append(out, "", 0);
}

char *tk_text_norm_dup(const char *s)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_text_norm(s, strlen(s), &b);
    return tk_buf_steal(&b);
}

bool tk_text_blank(const char *s)
{
    if (!s)
        return true;
    char *n = tk_text_norm_dup(s);
    bool b = !*n;
    free(n);
    return b;
}

bool tk_text_same_norm(const char *a, const char *b)
{
    char *x = tk_text_norm_dup(a), *y = tk_text_norm_dup(b);
    bool same = !strcmp(x, y);
    free(x);
    free(y);
    return same;
}

/* One line-break iterator per thread, opened on first use (opening one
 * costs more than measuring a cell), for Japanese with the strict rules:
 * no line starts with a small kana, a long vowel mark or a closing bracket
 * (禁則). NULL when ICU cannot give one; callers then break anywhere. */
static _Thread_local UBreakIterator *line_brk;
static _Thread_local bool line_brk_failed;

static UBreakIterator *line_breaker(void)
{
    if (!line_brk && !line_brk_failed) {
        UErrorCode st = U_ZERO_ERROR;
        line_brk = ubrk_open(UBRK_LINE, "ja@lb=strict", NULL, 0, &st);
        if (U_FAILURE(st)) {
            line_brk = NULL;
            line_brk_failed = true;
        }
    }
    return line_brk;
}

/* Width of s[0..len) in display units (tk_text_width). */
static double width_n(const char *s, size_t len)
{
    double w = 0;
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *start = p;
        tk_utf8_next(&p, end);
        char one[5] = {0};
        size_t n = (size_t)(p - start);
        memcpy(one, start, n < 4 ? n : 4);
        w += (double)tk_text_width(one);
    }
    return w;
}

/* Lines a piece too wide for any line takes when cut between characters,
 * continuing a line that has *used units on it; *used is updated. */
static int split_piece(const char *s, size_t len, double cap, double *used)
{
    int extra = 0;
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *start = p;
        tk_utf8_next(&p, end);
        double cw = width_n(start, (size_t)(p - start));
        if (*used > 0 && *used + cw > cap) {
            extra++;
            *used = 0;
        }
        *used += cw;
    }
    return extra;
}

static bool is_line_space(char c) { return c == ' ' || c == '\t'; }

int tk_text_wrap_lines(const char *s, double cap)
{
    if (cap < 2)
        cap = 2;
    size_t len = strlen(s);
    int lines = 1;
    double used = 0;
    UBreakIterator *bi = line_breaker();
    UText ut = UTEXT_INITIALIZER;
    UErrorCode st = U_ZERO_ERROR;
    bool icu = false;
    if (bi) {
        utext_openUTF8(&ut, s, (int64_t)len, &st);
        ubrk_setUText(bi, &ut, &st);
        icu = U_SUCCESS(st);
    }
    size_t from = 0;
    while (from < len) {
        size_t to;
        if (icu) {
            int32_t pos = ubrk_following(bi, (int32_t)from);
            to = pos == UBRK_DONE || (size_t)pos > len ? len : (size_t)pos;
        } else {
            const char *q = s + from;
            tk_utf8_next(&q, s + len);
            to = (size_t)(q - s);
        }
        /* a piece that may not be broken: its trailing spaces and line
         * feed hang past the edge */
        size_t e = to;
        bool hard = false;
        while (e > from && (s[e - 1] == '\n' || s[e - 1] == '\r')) {
            hard = true;
            e--;
        }
        size_t ink = e;
        while (ink > from && is_line_space(s[ink - 1]))
            ink--;
        double w = width_n(s + from, ink - from), wall = width_n(s + from, e - from);
        if (used > 0 && used + w > cap) {
            lines++;
            used = 0;
        }
        if (w > cap) {
            lines += split_piece(s + from, ink - from, cap, &used);
            used += wall - w;
        } else {
            used += wall;
        }
        if (hard) {
            /* "\r\n" and "\n" are one line feed each */
            for (size_t k = e; k < to; k++)
                if (s[k] == '\n') {
                    lines++;
                    used = 0;
                }
        }
        from = to;
    }
    if (icu) {
        /* the iterator keeps a pointer to the text: detach it */
        UText empty = UTEXT_INITIALIZER;
        st = U_ZERO_ERROR;
        utext_openUTF8(&empty, "", 0, &st);
        ubrk_setUText(bi, &empty, &st);
        utext_close(&empty);
    }
    utext_close(&ut);
    return lines;
}

/* A separator between the names of a list: white space, 、，, ; it stays
 * with the name before it. */
static bool is_list_separator(int32_t cp)
{
    return cp == 0x3001 || cp == 0xFF0C || cp == ',' || cp == 0x3000 || cp == ' ' || cp == '\t' || cp == '\n';
}

double tk_text_widest_word(const char *s)
{
    double best = 0, cur = 0;
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        const char *start = p;
        int32_t cp = tk_utf8_next(&p, end);
        bool space = cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x3000;
        if (!space)
            cur += width_n(start, (size_t)(p - start));
        if (is_list_separator(cp)) {
            best = cur > best ? cur : best;
            cur = 0;
        }
    }
    return cur > best ? cur : best;
}

char *tk_text_shorten(tk_arena *a, const char *s, size_t max)
{
    if (!s)
        return tk_arena_strdup(a, "");
    size_t len = strlen(s), n = 0;
    const char *p = s, *end = s + len;
    while (p < end && n < max) {
        tk_utf8_next(&p, end);
        n++;
    }
    if (p >= end)
        return tk_arena_strdup(a, s);
    size_t limit = (size_t)(p - s), cut = 0;
    /* the last word boundary (ICU's dictionary words for Japanese) at or
     * before the limit */
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "ja", NULL, 0, &st);
    UText ut = UTEXT_INITIALIZER;
    if (U_SUCCESS(st)) {
        utext_openUTF8(&ut, s, (int64_t)len, &st);
        ubrk_setUText(bi, &ut, &st);
        if (U_SUCCESS(st)) {
            int32_t pos = ubrk_isBoundary(bi, (int32_t)limit) ? (int32_t)limit : ubrk_preceding(bi, (int32_t)limit);
            if (pos != UBRK_DONE && pos > 0)
                cut = (size_t)pos;
        }
    }
    ubrk_close(bi);
    utext_close(&ut);
    /* no boundary in the second half: cut at the limit rather than leave
     * almost nothing */
    if (cut * 2 < limit)
        cut = limit;
    while (cut > 0 && is_line_space(s[cut - 1]))
        cut--;
    return tk_arena_printf(a, "%.*s…", (int)cut, s);
}

size_t tk_text_width(const char *s)
{
    const char *p = s, *end = s + strlen(s);
    size_t w = 0;
    while (p < end) {
        int32_t cp = tk_utf8_next(&p, end);
        if (cp < 0) {
            w += 1;
            continue;
        }
        int8_t t = u_charType(cp);
        if (t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_CONTROL_CHAR || t == U_FORMAT_CHAR)
            continue;
        int ea = u_getIntPropertyValue(cp, UCHAR_EAST_ASIAN_WIDTH);
        w += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
    }
    return w;
}

void tk_text_pad(tk_buf *out, const char *s, size_t w)
{
    tk_buf_puts(out, s);
    for (size_t n = tk_text_width(s); n < w; n++)
        tk_buf_putc(out, ' ');
}

void tk_text_table(tk_buf *out, size_t ncols, const char *const *heads, char *const *const *rows, size_t nrows,
                   const bool *right)
{
    size_t *w = tk_xcalloc(ncols ? ncols : 1, sizeof *w);
    for (size_t k = 0; k < ncols; k++) {
        w[k] = tk_text_width(heads[k]);
        for (size_t i = 0; i < nrows; i++)
            if (tk_text_width(rows[i][k]) > w[k])
                w[k] = tk_text_width(rows[i][k]);
    }
    for (size_t i = 0; i <= nrows; i++) {
        for (size_t k = 0; k < ncols; k++) {
            const char *v = i == 0 ? heads[k] : rows[i - 1][k];
            size_t pad = w[k] - tk_text_width(v);
            bool r = i > 0 && right && right[k];
            if (r)
                for (size_t q = 0; q < pad; q++)
                    tk_buf_putc(out, ' ');
            tk_buf_puts(out, v);
            if (!r && k + 1 < ncols)
                for (size_t q = 0; q < pad; q++)
                    tk_buf_putc(out, ' ');
            if (k + 1 < ncols)
                tk_buf_puts(out, "  ");
        }
        tk_buf_putc(out, '\n');
    }
    free(w);
}

void tk_csv_field(tk_buf *out, const char *s)
{
    tk_buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            tk_buf_putc(out, '"');
        tk_buf_putc(out, *s);
    }
    tk_buf_putc(out, '"');
}

void tk_csv_row(tk_buf *out, size_t n, const char *const *fields)
{
    for (size_t k = 0; k < n; k++) {
        if (k)
            tk_buf_putc(out, ',');
        tk_csv_field(out, fields[k]);
    }
    tk_buf_puts(out, "\r\n");
}
