/* derive_input.c — text to lines: check and decode the bytes, split them
 * into physical lines, drop what is not the policy and join the lines that
 * the export broke into logical lines. */
#include "derive_internal.h"

#include <stdlib.h>
#include <string.h>

/* Bounds on untrusted input. */
#define MAX_POLICY_BYTES (16u * 1024u * 1024u)
#define MAX_LINE_BYTES (64u * 1024u)
#define MAX_LINES 200000u
/* A line at least this wide (terminal columns) that stops mid-sentence was
 * wrapped by the export and continues on the next line. */
#define WRAP_WIDTH 60

/* ------------------------------------------------------------------ */
/* input checks                                                        */

static long line_of_offset(const char *s, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n')
            line++;
    return line;
}

/* Invalid UTF-8: true, with diagnostics, when it is broken UTF-8 rather than
 * another encoding. */
static bool broken_utf8(run *r, const char *bytes, size_t len)
{
    const char *path = r->path;
    /* mostly valid UTF-8 with a few broken bytes: say where, rather
     * than reading it as Shift_JIS mojibake */
    size_t valid_mb = 0, invalid = 0;
    const char *p = bytes, *end = bytes + len;
    while (p < end) {
        const char *q = p;
        int32_t c = tk_utf8_next(&q, end);
        if (c < 0)
            invalid++;
        else if (c >= 0x80)
            valid_mb++;
        p = q;
    }
    if (valid_mb > 0 && invalid <= valid_mb) {
        int shown = 0;
        p = bytes;
        while (p < end && shown < 10) {
            const char *q = p;
            if (tk_utf8_next(&q, end) < 0) {
                long ln = line_of_offset(bytes, (size_t)(p - bytes));
                tk_diag_error(r->diags, path, ln, "UTF-8 として不正なバイト列があります (ファイル先頭から %zu バイト目: 0x%02X)。UTF-8 で保存し直してください",
                              (size_t)(p - bytes) + 1, (unsigned char)*p);
                shown++;
                /* one message per line */
                while (q < end && *q != '\n')
                    q++;
            }
            p = q;
        }
        return true;
    }
    return false;
}

/* Is the decoded text a text at all? When not, adds diagnostics and frees
 * text. */
static bool is_text(run *r, tk_buf *text, const char *enc)
{
    const char *path = r->path;
    /* text, not binary: few control characters, some Japanese */
    size_t total = 0, ctrl = 0, kana = 0;
    const char *p = text->data, *end = text->data + text->len;
    while (p < end) {
        int32_t c = tk_utf8_next(&p, end);
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ' || c == 0x3000 || c == '\f')
            continue;
        total++;
        if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFFFD || (c >= 0xE000 && c <= 0xF8FF && c != 0xF0A7 && c != 0xF06C))
            ctrl++;
        if (tk_cp_is_hiragana(c) || tk_cp_is_katakana(c) || tk_cp_is_han(c))
            kana++;
    }
    if (total == 0) {
        tk_diag_error(r->diags, path, 0, "本文がありません (空白と改行だけです)。ポリシーの本文を含むテキストファイルを指定してください");
        tk_buf_free(text);
        return false;
    }
    if (ctrl * 100 > total) {
        tk_diag_error(r->diags, path, 0, "制御文字が多く、テキストファイルではないようです (%s として読んだ結果)。ポリシーをテキスト形式で保存して指定してください", enc);
        tk_buf_free(text);
        return false;
    }
    if (kana * 10 < total) {
        tk_diag_error(r->diags, path, 0, "日本語の文章が見当たりません (%s として読んだ結果)。日本語のポリシー本文を指定してください", enc);
        tk_buf_free(text);
        return false;
    }
    return true;
}

/* Checks the raw bytes; on a problem adds diagnostics and returns false. */
bool tk_dv_check_and_decode(run *r, const char *bytes, size_t len, tk_buf *text)
{
    const char *path = r->path;
    if (len == 0) {
        tk_diag_error(r->diags, path, 0, "ファイルが空です。ポリシーの本文を含むテキストファイルを指定してください");
        return false;
    }
    if (len > MAX_POLICY_BYTES) {
        tk_diag_error(r->diags, path, 0, "ファイルが大きすぎます (%zu バイト)。上限は %u バイトです", len, MAX_POLICY_BYTES);
        return false;
    }
    const unsigned char *u = (const unsigned char *)bytes;
    bool bom16 = len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
    if (!bom16 && memchr(bytes, '\0', len)) {
        tk_diag_error(r->diags, path, line_of_offset(bytes, (size_t)((const char *)memchr(bytes, '\0', len) - bytes)),
                      "NUL バイトがあります。テキストファイルではありません (Word・PDF・Excel のファイルはテキストに変換してから指定してください)");
        return false;
    }
    size_t bad = 0;
    if (!bom16 && !tk_utf8_valid(bytes, len, &bad) && broken_utf8(r, bytes, len))
        return false;
    const char *enc = NULL;
    if (tk_text_decode(bytes, len, text, &enc) != 0) {
        tk_diag_error(r->diags, path, 0, "文字コードを判別できません。UTF-8 (BOM の有無は問いません)、BOM 付き UTF-16、Shift_JIS (CP932) のいずれかで保存してください");
        return false;
    }
    r->rep->encoding = enc;
    return is_text(r, text, enc);
}

/* ------------------------------------------------------------------ */
/* physical lines                                                      */

static bool is_space_cp(int32_t c) { return tk_cp_is_space(c); }

static const char *trim_a(tk_arena *a, const char *s, size_t len, size_t *outlen)
{
    const char *p = s, *end = s + len;
    /* leading */
    while (p < end) {
        const char *q = p;
        int32_t c = tk_utf8_next(&q, end);
        if (c < 0 || !is_space_cp(c))
            break;
        p = q;
    }
    /* trailing */
    const char *e = end;
    while (e > p) {
        size_t i = (size_t)(e - p) - 1;
        while (i > 0 && ((unsigned char)p[i] & 0xC0) == 0x80)
            i--;
        const char *q = p + i;
        int32_t c = tk_utf8_next(&q, e);
        if (c < 0 || !is_space_cp(c))
            break;
        e = p + i;
    }
    *outlen = (size_t)(e - p);
    return tk_arena_strndup(a, p, *outlen);
}

static size_t count_tabs(const char *s, size_t n)
{
    size_t t = 0;
    for (size_t i = 0; i < n; i++)
        t += s[i] == '\t';
    return t;
}

static bool is_marker_line(const char *s, size_t len, tk_marker *m)
{
    if (count_tabs(s, len) >= 2)
        return false; /* a flattened table row, not a numbered provision */
    return tk_marker_parse(s, len, m);
}

pline *tk_dv_read_lines(run *r, const tk_buf *text, size_t *nlines_out)
{
    tk_diags *diags = r->diags;
    const char *path = r->path;
    size_t nlines = 0, cap = 1024;
    pline *pl = tk_xmalloc(cap * sizeof *pl);
    bool too_long = false;
    {
        const char *p = text->data, *end = text->data + text->len;
        long no = 0;
        while (p < end || (p == end && no == 0)) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            no++;
            size_t l = (size_t)(le - p);
            if (l > 0 && p[l - 1] == '\r')
                l--;
            if (l > MAX_LINE_BYTES) {
                if (diags->errors < 10)
                    tk_diag_error(diags, path, no, "行が長すぎます (%zu バイト、上限 %u バイト)。改行のないデータはポリシーの本文として読めません", l,
                                  MAX_LINE_BYTES);
                too_long = true;
            } else if (nlines < MAX_LINES) {
                if (nlines == cap) {
                    cap *= 2;
                    pl = tk_xrealloc(pl, cap * sizeof *pl);
                }
                size_t tl, ind = 0;
                for (size_t k = 0; k < l;) {
                    if (p[k] == ' ' || p[k] == '\t') {
                        ind += p[k] == '\t' ? 4 : 1;
                        k++;
                    } else if (k + 2 < l && !memcmp(p + k, "\xE3\x80\x80", 3)) {
                        ind += 2; /* U+3000, the ideographic space */
                        k += 3;
                    } else {
                        break;
                    }
                }
                const char *t = trim_a(r->a, p, l, &tl);
                pl[nlines].indent = (int)ind;
                pl[nlines].heading = false;
                pl[nlines].s = t;
                pl[nlines].len = tl;
                pl[nlines].no = no;
                pl[nlines].drop = tl == 0;
                nlines++;
            } else {
                tk_diag_error(diags, path, no, "行数が多すぎます (上限 %u 行)", MAX_LINES);
                too_long = true;
                break;
            }
            if (!nl)
                break;
            p = nl + 1;
        }
    }
    r->rep->lines = nlines;
    if (too_long) {
        free(pl);
        return NULL;
    }
    r->nphys = nlines;
    r->lclass = tk_arena_alloc(r->a, nlines + 1);
    r->lref = tk_arena_alloc(r->a, (nlines + 1) * sizeof *r->lref);
    r->ltext = tk_arena_alloc(r->a, (nlines + 1) * sizeof *r->ltext);
    r->ltext[0] = "";
    for (size_t i = 0; i < nlines; i++)
        r->ltext[i + 1] = pl[i].s;
    for (size_t i = 0; i <= nlines; i++) {
        r->lclass[i] = (unsigned char)(i > 0 && pl[i - 1].drop ? TK_LC_BLANK : TK_LC_UNSET);
        r->lref[i] = NULL;
    }
    *nlines_out = nlines;
    return pl;
}
/* ------------------------------------------------------------------ */
/* what is not the policy                                              */

/* A table-of-contents entry: a heading followed by a tab, dot leaders or
 * spaces and a page number. */
static bool is_toc_line(const char *s, size_t len)
{
    if (len == 0)
        return false;
    if (s[0] == '|') {
        /* markdown table: a separator row, or a row ending in a page number */
        bool sep = true;
        for (size_t i = 0; i < len; i++)
            if (!strchr("|-: ", s[i]))
                sep = false;
        if (sep)
            return true;
    }
    /* strip trailing pipes and spaces */
    size_t e = len;
    while (e > 0 && (s[e - 1] == '|' || s[e - 1] == ' '))
        e--;
    size_t d = e;
    /* page number: ASCII or full-width digits */
    int digits = 0;
    while (d > 0) {
        if (s[d - 1] >= '0' && s[d - 1] <= '9') {
            d--;
            digits++;
        } else if (d >= 3 && (unsigned char)s[d - 3] == 0xEF && (unsigned char)s[d - 2] == 0xBC &&
                   (unsigned char)s[d - 1] >= 0x90 && (unsigned char)s[d - 1] <= 0x99) {
            d -= 3;
            digits++;
        } else {
            break;
        }
    }
    if (digits == 0 || digits > 3 || d == 0)
        return false;
    /* what stands before the number: tab, dot leaders, pipes or 2+ spaces */
    size_t k = d;
    int spaces = 0;
    bool leader = false;
    while (k > 0) {
        unsigned char ch = (unsigned char)s[k - 1];
        if (ch == '\t' || ch == '|') {
            leader = true;
            k--;
        } else if (ch == ' ') {
            spaces++;
            k--;
        } else if (ch == '.') {
            if (k >= 2 && s[k - 2] == '.')
                leader = true;
            k--;
        } else if (k >= 3 && ch == 0xA6 && (unsigned char)s[k - 2] == 0x80 && (unsigned char)s[k - 3] == 0xE2) {
            leader = true; /* … */
            k -= 3;
        } else if (k >= 3 && ch == 0xA5 && (unsigned char)s[k - 2] == 0x80 && (unsigned char)s[k - 3] == 0xE2) {
            leader = true; /* ‥ */
            k -= 3;
        } else if (k >= 3 && ch == 0xBB && (unsigned char)s[k - 2] == 0x83 && (unsigned char)s[k - 3] == 0xE3) {
            leader = true; /* ・ */
            k -= 3;
        } else if (k >= 3 && ch == 0x8E && (unsigned char)s[k - 2] == 0xBC && (unsigned char)s[k - 3] == 0xEF) {
            leader = true; /* ． */
            k -= 3;
        } else {
            break;
        }
    }
    if (k == 0)
        return false;
    if (!leader && spaces < 2)
        return false;
    /* a sentence never ends in a page number */
    return !memchr(s, '\0', k) && !strstr(s, "\xE3\x80\x82"); /* 。 */
}

static bool is_page_number(const char *s, size_t len)
{
    /* 12 / - 12 - / −12− / (12) / 12/47 / p.12 / ページ */
    tk_buf f;
    tk_buf_init(&f);
    const char *p = s, *end = s + len;
    while (p < end) {
        int32_t c = tk_utf8_next(&p, end);
        c = fold(c);
        if (c == ' ')
            continue;
        if (c == 0x2212 || c == 0x2010 || c == 0x2013 || c == 0x2014 || c == 0x2015)
            c = '-';
        if (c > 0x7F) {
            tk_buf_free(&f);
            return false;
        }
        tk_buf_putc(&f, (char)c);
    }
    bool page = false;
    if (f.len > 0 && f.len <= 12) {
        const char *q = f.data;
        if (*q == '-' || *q == '(')
            q++;
        if (*q == 'p' || *q == 'P') {
            q++;
            if (*q == '.')
                q++;
        }
        int d = 0;
        while (*q >= '0' && *q <= '9') {
            q++;
            d++;
        }
        if (d >= 1 && d <= 3) {
            if (*q == '/') {
                q++;
                while (*q >= '0' && *q <= '9')
                    q++;
            }
            if (*q == '-' || *q == ')')
                q++;
            page = *q == '\0';
        }
    }
    tk_buf_free(&f);
    return page;
}

/* A line that is only a bracketed caption: <…>, 〈…〉, 【…】, [図…]. */
static bool is_caption(const char *norm)
{
    size_t n = strlen(norm);
    if (n < 3 || strstr(norm, "。"))
        return false;
    static const char *pairs[][2] = {{"<", ">"}, {"〈", "〉"}, {"【", "】"}, {"《", "》"}, {"[図", "]"}, {"[表", "]"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (tk_str_starts(norm, pairs[i][0]) && ends_with(norm, pairs[i][1])) {
            /* one bracket pair only */
            const char *inner = norm + strlen(pairs[i][0]);
            return !strstr(inner, pairs[i][0]) || strstr(inner, pairs[i][0]) >= norm + n - strlen(pairs[i][1]);
        }
    }
    return false;
}

void tk_dv_drop_artefacts(run *r, pline *pl, size_t nlines)
{
    tk_derive_report *rep = r->rep;
    tk_strmap counts = {0};
    for (size_t i = 0; i < nlines; i++) {
        if (pl[i].drop)
            continue;
        const char *n = norm_a(r->a, pl[i].s);
        if (is_toc_line(pl[i].s, pl[i].len) || !strcmp(n, "目次") || !strcmp(n, "(目次)") || !strcmp(n, "【目次】")) {
            pl[i].drop = true;
            rep->dropped_toc++;
            tk_dv_class_set(r, pl[i].no, pl[i].no, TK_LC_TOC, NULL, false);
        } else if (is_page_number(pl[i].s, pl[i].len)) {
            pl[i].drop = true;
            rep->dropped_pages++;
            tk_dv_class_set(r, pl[i].no, pl[i].no, TK_LC_ARTEFACT, NULL, false);
        } else if (is_caption(n)) {
            /* <志免町情報セキュリティ体制>: the caption of a figure that the
             * text export lost; it belongs to no provision */
            pl[i].drop = true;
            rep->dropped_headers++;
            tk_dv_class_set(r, pl[i].no, pl[i].no, TK_LC_ARTEFACT, NULL, false);
        }
    }
    /* running headers and footers: the same short unnumbered line again and again */
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < nlines; i++) {
            if (pl[i].drop)
                continue;
            tk_marker m;
            if (is_marker_line(pl[i].s, pl[i].len, &m) || strstr(pl[i].s, "。"))
                continue;
            size_t cps = tk_utf8_count(pl[i].s);
            if (cps < 4 || cps > 40)
                continue;
            const char *n = norm_a(r->a, pl[i].s);
            intptr_t cnt = (intptr_t)tk_strmap_get(&counts, n);
            if (pass == 0) {
                tk_strmap_set(&counts, n, (const void *)(cnt + 1));
            } else if (cnt >= 3) {
                pl[i].drop = true;
                rep->dropped_headers++;
                tk_dv_class_set(r, pl[i].no, pl[i].no, TK_LC_ARTEFACT, NULL, false);
            }
        }
    }
    tk_strmap_free(&counts);
}
/* ------------------------------------------------------------------ */
/* markup                                                              */

/* A line of one punctuation character repeated (===, ----, ~~~): a title's
 * underline in reStructuredText or Markdown. */
static bool is_underline(const char *s, size_t len)
{
    if (len < 3 || !strchr("=-~^*+#`'\"._:", s[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (s[i] != s[0])
            return false;
    return true;
}

static void drop_as(run *r, pline *p, enum tk_line_class cls)
{
    p->drop = true;
    tk_dv_class_set(r, p->no, p->no, cls, NULL, false);
}

/* Removes every occurrence of mark (** or __) from the arena string. */
static void strip_mark(pline *p, const char *mark)
{
    char *s = (char *)p->s, *w = s;
    size_t ml = strlen(mark);
    for (const char *q = s; *q;) {
        if (strncmp(q, mark, ml) == 0) {
            q += ml;
            continue;
        }
        *w++ = *q++;
    }
    *w = '\0';
    p->len = (size_t)(w - s);
}

void tk_dv_read_markup(run *r, pline *pl, size_t nlines)
{
    int directive_indent = -1;
    enum tk_line_class directive_cls = TK_LC_COMMENTARY;
    for (size_t i = 0; i < nlines; i++) {
        pline *p = &pl[i];
        if (p->len == 0)
            continue;
        /* the block of a directive: the lines indented under it */
        if (directive_indent >= 0) {
            if (p->indent > directive_indent) {
                drop_as(r, p, directive_cls);
                continue;
            }
            directive_indent = -1;
        }
        if (p->drop)
            continue;
        if (tk_str_starts(p->s, ".. ")) {
            bool note = strstr(p->s, "::") && !strstr(p->s, "contents::") && !strstr(p->s, "toctree::") &&
                        !strstr(p->s, "image::") && !strstr(p->s, "figure::");
            directive_cls = note || !strstr(p->s, "::") ? TK_LC_COMMENTARY : TK_LC_ARTEFACT;
            drop_as(r, p, directive_cls);
            directive_indent = p->indent;
            continue;
        }
        if (is_underline(p->s, p->len)) {
            if (i > 0 && !pl[i - 1].drop && pl[i - 1].len > 0 && !is_underline(pl[i - 1].s, pl[i - 1].len))
                pl[i - 1].heading = true;
            drop_as(r, p, TK_LC_ARTEFACT);
            continue;
        }
        if (p->s[0] == ':' && p->len > 2) {
            const char *q = strchr(p->s + 1, ':');
            if (q && (q[1] == ' ' || q[1] == '\0') && q - p->s < 40) {
                drop_as(r, p, TK_LC_DESCRIPTION); /* a field list: :施行日: 令和6年4月1日 */
                continue;
            }
        }
        if (p->s[0] == '|' && p->s[p->len - 1] == '|' && !is_toc_line(p->s, p->len)) {
            drop_as(r, p, TK_LC_DESCRIPTION); /* a row of a Markdown table */
            continue;
        }
        size_t h = 0;
        while (h < p->len && p->s[h] == '#')
            h++;
        if (h >= 1 && h <= 6 && h < p->len && p->s[h] == ' ') {
            while (h < p->len && p->s[h] == ' ')
                h++;
            p->s += h;
            p->len -= h;
            p->heading = true;
        }
        if (strstr(p->s, "**"))
            strip_mark(p, "**");
        if (strstr(p->s, "__"))
            strip_mark(p, "__");
        if (p->len == 0)
            drop_as(r, p, TK_LC_ARTEFACT);
    }
}

/* ------------------------------------------------------------------ */
/* line joining                                                        */

static bool ends_sentence(const char *s, size_t len)
{
    size_t n = len;
    for (int guard = 0; guard < 4 && n > 0; guard++) {
        int32_t c = last_cp(s, n);
        if (c == 0x3002 || c == 0xFF61 || c == ':' || c == 0xFF1A) /* 。｡ : ： */
            return true;
        if (c == 0xFF0E) /* ．as a full stop */
            return true;
        if (c == ')' || c == 0xFF09 || c == 0x300D || c == 0x300F || c == 0x3011) {
            while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
                n--;
            n--;
            continue;
        }
        return false;
    }
    return false;
}

static bool is_nonstarter(int32_t c)
{
    static const int32_t ns[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF09, ')', 0x300D, 0x300F, 0x3011, 0x30FC,
                                 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308E,
                                 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE,
                                 0x30F5, 0x30F6, 0x30FB, 0xFF1A, 0xFF1B, 0x3005, 0x309D, 0x309E, 0x30FD, 0x30FE};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        if (ns[i] == c)
            return true;
    return false;
}

static bool ends_with_particle(const char *s, size_t len)
{
    int32_t c = last_cp(s, len);
    /* を に は が の と で や へ も 、 ， ( （ 「 */
    return c == 0x3092 || c == 0x306B || c == 0x306F || c == 0x304C || c == 0x306E || c == 0x3068 || c == 0x3067 ||
           c == 0x3084 || c == 0x3078 || c == 0x3082 || c == 0x3001 || c == 0xFF0C || c == ',' || c == '(' ||
           c == 0xFF08 || c == 0x300C;
}

/* A line that starts a sentence of its own (また、なお、ただし、…). */
static bool opens_sentence(const char *s)
{
    static const char *open[] = {"また、", "また，", "なお、", "なお，", "ただし、", "ただし，", "さらに、", "この場合", "前項", "次の", "以下の"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (tk_str_starts(s, open[i]))
            return true;
    return false;
}

/* A line that ends the way an entry of a list does (…に関する事項). */
static bool ends_list_entry(const char *s, size_t len)
{
    static const char *end[] = {"事項", "こと", "等", "もの"};
    for (size_t i = 0; i < sizeof end / sizeof end[0]; i++) {
        size_t l = strlen(end[i]);
        if (len >= l && memcmp(s + len - l, end[i], l) == 0)
            return true;
    }
    return false;
}

/* The width at which the export wrapped the text: the width most lines
 * that do not end a sentence come close to, when enough of them do; 0 when
 * the text was not wrapped (a paragraph a line). */
static size_t wrap_width(const pline *pl, size_t nlines)
{
    enum { MAXW = 240 };
    size_t count[MAXW + 1] = {0}, wide = 0;
    for (size_t i = 0; i < nlines; i++) {
        if (pl[i].drop || ends_sentence(pl[i].s, pl[i].len))
            continue;
        size_t w = tk_text_width(pl[i].s);
        if (w < 40 || w > MAXW)
            continue;
        count[w]++;
        wide++;
    }
    size_t best = 0, bestn = 0;
    for (size_t w = 44; w <= MAXW; w++) {
        size_t n = count[w] + count[w - 1] + count[w - 2] + count[w - 3] + count[w - 4];
        if (n >= bestn) {
            bestn = n;
            best = w;
        }
    }
    return bestn >= 12 && bestn * 4 >= wide ? best : 0;
}

/* Does physical line L continue logical line P? wrap: the export's wrap
 * width, or 0. */
static bool continues(const lline *P, const char *L, const tk_marker *lmk, bool lmarked, size_t wrap)
{
    if (lmarked && lmk->style != TK_MK_BULLET)
        return false;
    if (lmarked && lmk->style == TK_MK_BULLET && first_cp(L) != 0x30FB)
        return false;
    if (lmarked && P->has_marker && P->mk.style == TK_MK_BULLET)
        return false; /* ・ after ・: the next entry of a list */
    const char *ps = P->raw.data;
    size_t plen = P->raw.len;
    if (ends_sentence(ps, plen))
        return false;
    int32_t lc = first_cp(L);
    if (is_nonstarter(lc))
        return true;
    if (lmarked)
        return false; /* a ・ that is not a continuation */
    int32_t pc = last_cp(ps, plen);
    if (ends_with_particle(ps, plen))
        return true;
    if (P->last_width >= WRAP_WIDTH) {
        /* a numbered line as wide as the export wraps is a provision that
         * goes on, not a heading (「⑤ 差出人が不明な…電子メールを受」) */
        if (wrap && P->last_width + 6 >= wrap && !opens_sentence(L) && !ends_list_entry(ps, plen))
            return true;
        if (P->first_is_head && P->nphys == 1)
            return tk_cp_is_hiragana(pc) || (tk_cp_is_katakana(pc) && tk_cp_is_katakana(lc));
        return true;
    }
    return false;
}

lline *tk_dv_join_lines(run *r, const pline *pl, size_t nlines, size_t *nll_out)
{
    size_t nll = 0, capll = 256;
    lline *ll = tk_xmalloc(capll * sizeof *ll);
    size_t wrap = wrap_width(pl, nlines);
    for (size_t i = 0; i < nlines; i++) {
        if (pl[i].drop)
            continue;
        tk_marker m;
        bool marked = is_marker_line(pl[i].s, pl[i].len, &m);
        if (nll > 0 && !pl[i].heading && !ll[nll - 1].heading && continues(&ll[nll - 1], pl[i].s, &m, marked, wrap)) {
            lline *P = &ll[nll - 1];
            int32_t a = last_cp(P->raw.data, P->raw.len), b = first_cp(pl[i].s);
            if (a < 0x80 && b < 0x80 && a != ' ' && is_alpha(a) && is_alpha(b))
                tk_buf_putc(&P->raw, ' ');
            tk_buf_append(&P->raw, pl[i].s, pl[i].len);
            P->last_width = tk_text_width(pl[i].s);
            P->nphys++;
            P->last = pl[i].no;
            r->rep->joined++;
            continue;
        }
        if (nll == capll) {
            capll *= 2;
            ll = tk_xrealloc(ll, capll * sizeof *ll);
        }
        lline *L = &ll[nll++];
        tk_buf_init(&L->raw);
        tk_buf_append(&L->raw, pl[i].s, pl[i].len);
        L->line = L->last = pl[i].no;
        L->heading = pl[i].heading;
        L->indent = pl[i].indent;
        L->has_marker = marked;
        if (marked)
            L->mk = m;
        L->last_width = tk_text_width(pl[i].s);
        L->nphys = 1;
        const char *body = pl[i].s + (marked ? m.text_offset : 0);
        size_t blen = pl[i].len - (marked ? m.text_offset : 0);
        L->first_is_head = marked && !has_comma_outside_brackets(body, blen) && !tk_cp_is_hiragana(last_cp(body, blen));
    }
    *nll_out = nll;
    return ll;
}

void tk_dv_free_lines(lline *ll, size_t nll)
{
    for (size_t i = 0; i < nll; i++)
        tk_buf_free(&ll[i].raw);
    free(ll);
}
