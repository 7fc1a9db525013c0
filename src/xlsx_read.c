/* xlsx_read.c — strict reader of returned .xlsx workbooks.
 *
 * Layout: tk_xlsx_open checks the file, then the zip's central directory
 * (limits, names, sizes, ratios) before inflating anything. Each XML part is
 * then read through parse_part: a part of up to whole_part_bytes (8 MiB) is
 * inflated in one step with libdeflate straight from the file in memory
 * (size and CRC checked against the directory), screened for a DOCTYPE,
 * its character references to non-ASCII characters turned into UTF-8, and
 * parsed from memory by libxml2's SAX2 parser; a larger part is streamed:
 * inflated by minizip piece by piece under a byte counter, screened, and
 * pushed into libxml2's SAX2 push parser, never held whole. Small event
 * handlers (element start, element end, text) pick out what each part has
 * to say.
 */
#include "tenken/xlsx_read.h"

#include <errno.h>
#include <libdeflate.h>
#include <libxml/xmlerror.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unzip.h>

#include "tenken/jdate.h"
#include "tenken/util.h"

/* Namespaces, transitional and strict. */
#define NS_MAIN_T "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_MAIN_S "http://purl.oclc.org/ooxml/spreadsheetml/main"
#define NS_REL_T "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_S "http://purl.oclc.org/ooxml/officeDocument/relationships"
#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_CUSTOM_T "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
#define NS_CUSTOM_S "http://purl.oclc.org/ooxml/officeDocument/customProperties"

#define MAX_ROW 1048576
#define MAX_COL 16384
#define MAX_SHARED_STRINGS ((size_t)5000000)
#define MAX_NUMFMTS ((size_t)100000)
#define MAX_XFS ((size_t)1000000)
#define MAX_PROBLEMS 100   /* per sheet read */
#define ENTRY_NAME_MAX 1024
#define MAX_PROP_CHARS ((size_t)32767) /* one custom property value */

#define XERR(d, file, place, ...) tk_diag_add((d), TK_SEV_ERROR, (file), 0, (place), __VA_ARGS__)

typedef struct entry {
    char *name;
    unz64_file_pos pos;
    uint64_t csize, usize;
    unsigned long crc;
    unsigned long method; /* 0 stored, 8 deflate */
} entry;

typedef struct sheet {
    char *name;
    const entry *part; /* the worksheet part */
    bool hidden;
    bool cells; /* a worksheet; chart and dialog sheets have no cells */
} sheet;

typedef struct prop {
    char *name, *value;
} prop;

/* The file in memory, as minizip's I/O. */
typedef struct memzip {
    const char *data;
    size_t len, pos;
} memzip;

struct tk_xlsx {
    char *path;
    const char *data; /* the whole file */
    size_t len;
    char *own;        /* data, when tk_xlsx_open read it */
    memzip mz;
    struct libdeflate_decompressor *inflater;
    unzFile uz;
    tk_xlsx_limits lim;
    tk_arena *arena;
    entry *entries;
    size_t nentries;
    bool *intact; /* per entry: inflated whole and found as the directory says */
    sheet *sheets;
    size_t nsheets;
    prop *props;
    size_t nprops, props_cap;
    bool date1904;
    tk_buf sst; /* shared strings, each followed by a NUL */
    size_t *sst_off;
    size_t nsst, sst_cap;
    bool *xf_date; /* cellXfs index -> date format */
    size_t nxf;
};

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static const char *bstr(const tk_buf *b) { return b->data ? b->data : ""; }

static size_t count_cp(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static bool ns_is(const char *ns, const char *a, const char *b)
{
    return ns && (strcmp(ns, a) == 0 || (b && strcmp(ns, b) == 0));
}

/* Parse an unsigned decimal of at most 9 digits, nothing else. */
static bool parse_uint_n(const char *s, size_t n, long *out)
{
    if (!s || n == 0 || n > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool parse_uint(const char *s, long *out) { return s && parse_uint_n(s, strnlen(s, 10), out); }

static tk_xlsx_limits fill_limits(const tk_xlsx_limits *in)
{
    tk_xlsx_limits l;
    memset(&l, 0, sizeof l);
    if (in)
        l = *in;
    if (!l.max_file_bytes)
        l.max_file_bytes = TK_XLSX_DEFAULT_MAX_FILE_BYTES;
    if (!l.max_part_bytes)
        l.max_part_bytes = TK_XLSX_DEFAULT_MAX_PART_BYTES;
    if (!(l.max_ratio > 0) || isnan(l.max_ratio))
        l.max_ratio = TK_XLSX_DEFAULT_MAX_RATIO;
    if (!l.max_entries)
        l.max_entries = TK_XLSX_DEFAULT_MAX_ENTRIES;
    if (!l.max_cell_chars)
        l.max_cell_chars = TK_XLSX_DEFAULT_MAX_CELL_CHARS;
    if (!l.max_rows)
        l.max_rows = TK_XLSX_DEFAULT_MAX_ROWS;
    if (!l.whole_part_bytes)
        l.whole_part_bytes = TK_XLSX_DEFAULT_WHOLE_PART_BYTES;
    return l;
}

/* Text accumulated from several text nodes, with a byte cap beyond which it
 * is only counted. */
typedef struct acc {
    tk_buf b;
    size_t cap;
    bool over;
} acc;

static void acc_reset(acc *a)
{
    tk_buf_reset(&a->b);
    a->over = false;
}

static void acc_add(acc *a, const char *s, size_t n)
{
    if (a->over)
        return;
    if (n > a->cap || a->b.len > a->cap - n) {
        a->over = true;
        return;
    }
    tk_buf_append(&a->b, s, n);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "_xHHHH_" at s (n bytes left) -> the code unit, or -1. */
static long xesc_at(const char *s, size_t n)
{
    if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Decode the OOXML string escapes _xHHHH_ (ST_Xstring) of s into out:
 * _x000D_ is a carriage return, _x005F_ a literal underscore. NUL and lone
 * surrogates become U+FFFD. */
static void unescape_x(const char *s, size_t n, tk_buf *out)
{
    tk_buf_reset(out);
    size_t i = 0;
    while (i < n) {
        /* the run up to the next '_' as it is */
        const char *us = memchr(s + i, '_', n - i);
        size_t run = us ? (size_t)(us - (s + i)) : n - i;
        if (run) {
            tk_buf_append(out, s + i, run);
            i += run;
            continue;
        }
        long u = xesc_at(s + i, n - i);
        if (u < 0) {
            tk_buf_putc(out, s[i]);
            i++;
            continue;
        }
        i += 7;
        uint32_t cp = (uint32_t)u;
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = xesc_at(s + i, n - i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                i += 7;
            } else {
                cp = 0xFFFD;
            }
        } else if ((u >= 0xDC00 && u <= 0xDFFF) || u == 0) {
            cp = 0xFFFD;
        }
        tk_buf_put_cp(out, cp);
    }
    if (!out->data)
        tk_buf_append(out, "", 0);
}

/* ------------------------------------------------------------------ */
/* cell references and number formats                                  */

void tk_cell_ref(int row, int col, char out[16])
{
    if (row < 1 || row > MAX_ROW || col < 1 || col > MAX_COL) {
        out[0] = '?';
        out[1] = '\0';
        return;
    }
    char letters[4];
    int n = 0;
    int c = col;
    while (c > 0 && n < 3) {
        int r = (c - 1) % 26;
        letters[n++] = (char)('A' + r);
        c = (c - 1) / 26;
    }
    int k = 0;
    while (n > 0)
        out[k++] = letters[--n];
    char digits[8];
    int m = 0;
    for (int r = row; r > 0; r /= 10)
        digits[m++] = (char)('0' + r % 10);
    while (m > 0)
        out[k++] = digits[--m];
    out[k] = '\0';
}

bool tk_cell_parse_ref(const char *ref, int *row, int *col)
{
    if (!ref)
        return false;
    const char *p = ref;
    long c = 0;
    int nl = 0;
    while (*p >= 'A' && *p <= 'Z') {
        if (++nl > 3)
            return false;
        c = c * 26 + (*p - 'A' + 1);
        p++;
    }
    if (nl == 0 || *p < '1' || *p > '9')
        return false;
    long r = 0;
    int nd = 0;
    while (*p >= '0' && *p <= '9') {
        if (++nd > 7)
            return false;
        r = r * 10 + (*p - '0');
        p++;
    }
    if (*p || r > MAX_ROW || c > MAX_COL)
        return false;
    *row = (int)r;
    *col = (int)c;
    return true;
}

/* Advance past one UTF-8 code point. */
static const char *skip_cp(const char *p)
{
    if (!*p)
        return p;
    p++;
    while ((*p & 0xC0) == 0x80)
        p++;
    return p;
}

static bool code_is_date(const char *code)
{
    const char *p = code;
    while (*p) {
        char c = *p;
        if (c == '"') {
            const char *q = strchr(p + 1, '"');
            if (!q)
                return false;
            p = q + 1;
        } else if (c == '[') {
            const char *q = strchr(p + 1, ']');
            if (!q)
                return false;
            p = q + 1;
        } else if (c == '\\' || c == '_' || c == '*') {
            p = skip_cp(p + 1);
        } else if (strncasecmp(p, "General", 7) == 0) {
            p += 7;
        } else if (c == ';') {
            /* Only the first section (positive numbers) decides. */
            return false;
        } else if (strchr("yYmMdDhHsSgG", c)) {
            return true;
        } else if (c == 'e' || c == 'E') {
            if (p[1] == '+' || p[1] == '-')
                p += 2; /* scientific notation 0.00E+00 */
            else
                return true; /* 和暦 era year */
        } else {
            p++;
        }
    }
    return false;
}

bool tk_xlsx_numfmt_is_date(int id, const char *code)
{
    if (code)
        return code_is_date(code);
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}

/* ------------------------------------------------------------------ */
/* zip entries                                                          */

static const entry *find_entry(const tk_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->nentries; i++)
        if (strcmp(x->entries[i].name, name) == 0)
            return &x->entries[i];
    /* Part names are case-insensitive in OPC; accept a unique match. */
    const entry *found = NULL;
    for (size_t i = 0; i < x->nentries; i++) {
        if (strcasecmp(x->entries[i].name, name) == 0) {
            if (found)
                return NULL;
            found = &x->entries[i];
        }
    }
    return found;
}

static int cmp_entry_name(const void *a, const void *b)
{
    const entry *const *ea = a;
    const entry *const *eb = b;
    return strcmp((*ea)->name, (*eb)->name);
}

/* Read the central directory into x->entries, checking every limit. */
static bool scan_entries(tk_xlsx *x, tk_diags *d)
{
    const tk_xlsx_limits *L = &x->lim;
    size_t before = d->errors;
    unz_global_info64 gi;
    if (unzGetGlobalInfo64(x->uz, &gi) != UNZ_OK) {
        XERR(d, x->path, NULL, "ZIP 形式として壊れています (中央ディレクトリを読めません)");
        return false;
    }
    if (gi.number_entry > L->max_entries) {
        XERR(d, x->path, NULL,
             "ZIP のエントリが多すぎます (%llu 個、上限 %zu 個)。Excel ブックとしては異常なため読みません",
             (unsigned long long)gi.number_entry, L->max_entries);
        return false;
    }
    if (gi.number_entry == 0) {
        XERR(d, x->path, NULL, "ZIP の中身が空です。Excel ブック (.xlsx) ではありません");
        return false;
    }
    x->entries = tk_xcalloc((size_t)gi.number_entry, sizeof *x->entries);
    x->intact = tk_xcalloc((size_t)gi.number_entry, sizeof *x->intact);
    int rc = unzGoToFirstFile(x->uz);
    while (rc == UNZ_OK && x->nentries < gi.number_entry) {
        unz_file_info64 fi;
        char name[ENTRY_NAME_MAX];
        if (unzGetCurrentFileInfo64(x->uz, &fi, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK) {
            rc = UNZ_BADZIPFILE;
            break;
        }
        size_t idx = x->nentries + 1;
        if (fi.size_filename >= sizeof name || strlen(name) != fi.size_filename) {
            XERR(d, x->path, NULL, "ZIP の %zu 番目のエントリの名前が不正です (長すぎるか NUL 文字を含みます)",
                 idx);
            name[0] = '\0';
        }
        if (fi.flag & 1u)
            XERR(d, x->path, name,
                 "エントリ %s が暗号化されています。パスワードを外し、Excel ブック (.xlsx) 形式で保存し直してください",
                 name);
        if (fi.compression_method != 0 && fi.compression_method != Z_DEFLATED)
            XERR(d, x->path, name, "エントリ %s の圧縮方式 (%lu) には対応していません (無圧縮と deflate のみ)",
                 name, (unsigned long)fi.compression_method);
        if (fi.uncompressed_size > L->max_part_bytes)
            XERR(d, x->path, name,
                 "エントリ %s は展開すると %llu バイトになり、上限 (%zu バイト) を超えます。ZIP 爆弾の疑いがあるため読みません",
                 name, (unsigned long long)fi.uncompressed_size, L->max_part_bytes);
        if (fi.uncompressed_size > TK_XLSX_RATIO_MIN_BYTES &&
            (double)fi.uncompressed_size >
                L->max_ratio * (double)(fi.compressed_size ? fi.compressed_size : 1))
            XERR(d, x->path, name,
                 "エントリ %s の圧縮率が異常です (%llu バイトが %llu バイトに圧縮され、%.0f 倍。上限 %.0f 倍)。ZIP 爆弾の疑いがあるため読みません",
                 name, (unsigned long long)fi.uncompressed_size, (unsigned long long)fi.compressed_size,
                 (double)fi.uncompressed_size / (double)(fi.compressed_size ? fi.compressed_size : 1),
                 L->max_ratio);
        if (fi.compression_method == 0 && fi.compressed_size != fi.uncompressed_size)
            XERR(d, x->path, name, "ZIP 形式として壊れています (無圧縮のエントリ %s のサイズが一致しません)", name);
        entry *e = &x->entries[x->nentries++];
        if (unzGetFilePos64(x->uz, &e->pos) != UNZ_OK) {
            rc = UNZ_BADZIPFILE;
            break;
        }
        e->name = tk_arena_strdup(x->arena, name);
        e->csize = fi.compressed_size;
        e->usize = fi.uncompressed_size;
        e->crc = fi.crc;
        e->method = fi.compression_method;
        rc = unzGoToNextFile(x->uz);
    }
    if (rc != UNZ_OK && rc != UNZ_END_OF_LIST_OF_FILE) {
        XERR(d, x->path, NULL,
             "ZIP 形式として壊れています (中央ディレクトリの %zu 番目のエントリを読めません)", x->nentries + 1);
        return false;
    }
    /* Two entries of one name would let a file say two things. */
    const entry **sorted = tk_xcalloc(x->nentries, sizeof *sorted);
    for (size_t i = 0; i < x->nentries; i++)
        sorted[i] = &x->entries[i];
    qsort(sorted, x->nentries, sizeof *sorted, cmp_entry_name);
    for (size_t i = 1; i < x->nentries; i++)
        if (sorted[i]->name[0] && strcmp(sorted[i - 1]->name, sorted[i]->name) == 0 &&
            (i < 2 || strcmp(sorted[i - 2]->name, sorted[i]->name) != 0))
            XERR(d, x->path, sorted[i]->name, "ZIP に同じ名前のエントリ %s が複数あります", sorted[i]->name);
    free(sorted);
    return d->errors == before;
}

/* Read a small entry (at most max bytes) whole; false if larger or broken. */
static bool read_small(tk_xlsx *x, const entry *e, size_t max, tk_buf *out)
{
    tk_buf_reset(out);
    if (e->usize > max)
        return false;
    if (unzGoToFilePos64(x->uz, &e->pos) != UNZ_OK || unzOpenCurrentFile(x->uz) != UNZ_OK)
        return false;
    char buf[512];
    int n;
    while ((n = unzReadCurrentFile(x->uz, buf, sizeof buf)) > 0) {
        if (out->len + (size_t)n > max)
            break;
        tk_buf_append(out, buf, (size_t)n);
    }
    int rc = unzCloseCurrentFile(x->uz);
    return n == 0 && rc == UNZ_OK;
}

/* ------------------------------------------------------------------ */
/* streaming one XML part                                               */

/* States of the prolog screen (before the root element). */
enum {
    SN_START,
    SN_BOM1,
    SN_BOM2,
    SN_TEXT,
    SN_LT,
    SN_BANG,
    SN_BANG_DASH,
    SN_COMMENT,
    SN_C1,
    SN_C2,
    SN_PI,
    SN_PIQ,
    SN_DONE,
    SN_BAD,
    SN_DOCTYPE,
};

static int sniff_step(int st, unsigned c)
{
    switch (st) {
    case SN_START:
        if (c == 0xEF)
            return SN_BOM1;
        return sniff_step(SN_TEXT, c);
    case SN_BOM1:
        return c == 0xBB ? SN_BOM2 : SN_BAD;
    case SN_BOM2:
        return c == 0xBF ? SN_TEXT : SN_BAD;
    case SN_TEXT:
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            return SN_TEXT;
        return c == '<' ? SN_LT : SN_BAD;
    case SN_LT:
        if (c == '?')
            return SN_PI;
        if (c == '!')
            return SN_BANG;
        if (c >= 0x80 || c == '_' || c == ':' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            return SN_DONE;
        return SN_BAD;
    case SN_BANG:
        return c == '-' ? SN_BANG_DASH : SN_DOCTYPE;
    case SN_BANG_DASH:
        return c == '-' ? SN_COMMENT : SN_DOCTYPE;
    case SN_COMMENT:
        return c == '-' ? SN_C1 : SN_COMMENT;
    case SN_C1:
        return c == '-' ? SN_C2 : SN_COMMENT;
    case SN_C2:
        return c == '>' ? SN_TEXT : (c == '-' ? SN_C2 : SN_COMMENT);
    case SN_PI:
        return c == '?' ? SN_PIQ : SN_PI;
    case SN_PIQ:
        return c == '>' ? SN_TEXT : (c == '?' ? SN_PIQ : SN_PI);
    default:
        return st;
    }
}

enum { ENC_UNKNOWN, ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

typedef struct pstream {
    tk_xlsx *x;
    uint64_t total, cap;
    int zerr;
    bool over_cap;
    /* prolog screen */
    int sniff, enc;
    unsigned char lead[2];
    int nlead;
    bool have_half;
    unsigned char half;
    /* first libxml2 error */
    bool xml_err;
    int xml_line;
    char xml_msg[256];
} pstream;

static void sniff_feed(pstream *ps, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n && ps->sniff < SN_DONE; i++) {
        unsigned char c = b[i];
        if (ps->enc == ENC_UNKNOWN) {
            ps->lead[ps->nlead++] = c;
            if (ps->nlead < 2)
                continue;
            unsigned char a = ps->lead[0], z = ps->lead[1];
            if (a == 0xFF && z == 0xFE) {
                ps->enc = ENC_UTF16LE;
            } else if (a == 0xFE && z == 0xFF) {
                ps->enc = ENC_UTF16BE;
            } else if (a == '<' && z == 0) {
                ps->enc = ENC_UTF16LE;
                ps->sniff = sniff_step(ps->sniff, '<');
            } else if (a == 0 && z == '<') {
                ps->enc = ENC_UTF16BE;
                ps->sniff = sniff_step(ps->sniff, '<');
            } else {
                ps->enc = ENC_UTF8;
                ps->sniff = sniff_step(ps->sniff, a);
                if (ps->sniff < SN_DONE)
                    ps->sniff = sniff_step(ps->sniff, z);
            }
            continue;
        }
        if (ps->enc == ENC_UTF8) {
            ps->sniff = sniff_step(ps->sniff, c);
            continue;
        }
        if (!ps->have_half) {
            ps->half = c;
            ps->have_half = true;
            continue;
        }
        ps->have_half = false;
        unsigned u = ps->enc == ENC_UTF16LE ? (unsigned)ps->half | ((unsigned)c << 8)
                                            : ((unsigned)ps->half << 8) | c;
        ps->sniff = sniff_step(ps->sniff, u < 0x80 ? u : 0x80);
    }
}

static int ps_read(void *ctx, char *buf, int len)
{
    pstream *ps = ctx;
    if (ps->zerr || ps->over_cap || ps->sniff >= SN_BAD || len <= 0)
        return -1;
    int n = unzReadCurrentFile(ps->x->uz, buf, (unsigned)len);
    if (n < 0) {
        ps->zerr = n;
        return -1;
    }
    ps->total += (uint64_t)n;
    if (ps->total > ps->cap) {
        ps->over_cap = true;
        return -1;
    }
    if (ps->sniff < SN_DONE) {
        sniff_feed(ps, (const unsigned char *)buf, (size_t)n);
        if (ps->sniff >= SN_BAD)
            return -1;
    }
    return n;
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    pstream *ps = ctx;
    if (!e || e->level == XML_ERR_WARNING || ps->xml_err)
        return;
    ps->xml_err = true;
    ps->xml_line = e->line;
    snprintf(ps->xml_msg, sizeof ps->xml_msg, "%s", e->message ? e->message : "");
    size_t n = strlen(ps->xml_msg);
    while (n && (ps->xml_msg[n - 1] == '\n' || ps->xml_msg[n - 1] == ' '))
        ps->xml_msg[--n] = '\0';
}

enum { EV_START, EV_END, EV_TEXT };

typedef struct xev {
    int kind;
    const char *local; /* element local name (start, end) */
    const char *ns;    /* namespace URI or NULL */
    int depth;         /* 0 for the root element */
    const char *text;  /* EV_TEXT: the characters (not NUL-terminated) */
    size_t len;        /* and their length in bytes */
    /* EV_START: SAX2 attributes, 5 pointers each: local name, prefix, URI,
     * value, end of value */
    const xmlChar **attrs;
    int nattrs;
    bool main_ns; /* ns is SpreadsheetML's main namespace (either flavour) */
} xev;

/* 0 go on; 1 stop, all is well; -1 stop, a problem was reported. */
typedef int (*ev_fn)(void *h, const xev *e);

/* SAX2 state of one part. */
typedef struct sax_st {
    pstream *ps;
    ev_fn fn;
    void *h;
    xmlParserCtxtPtr ctxt;
    int level; /* open elements */
    int stop;
    /* the parser interns names: once a URI pointer is known to be (or not
     * to be) the main namespace, a pointer compare says it again */
    const xmlChar *ns_yes, *ns_no;
    bool depth_err, dtd_node;
} sax_st;

static void sax_halt(sax_st *st)
{
    if (st->ctxt)
        xmlStopParser(st->ctxt);
}

static bool sax_main_ns(sax_st *st, const xmlChar *uri)
{
    if (!uri)
        return false;
    if (uri == st->ns_yes)
        return true;
    if (uri == st->ns_no)
        return false;
    bool yes = ns_is((const char *)uri, NS_MAIN_T, NS_MAIN_S);
    if (yes)
        st->ns_yes = uri;
    else
        st->ns_no = uri;
    return yes;
}

static void sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
                      const xmlChar **nss, int nattrs, int ndefaulted, const xmlChar **attrs)
{
    (void)prefix;
    (void)nns;
    (void)nss;
    (void)ndefaulted;
    sax_st *st = ctx;
    if (st->stop || st->depth_err || st->dtd_node)
        return;
    if (st->level >= TK_XLSX_MAX_DEPTH) {
        st->depth_err = true;
        sax_halt(st);
        return;
    }
    xev e = {.kind = EV_START, .local = (const char *)local, .ns = (const char *)uri, .depth = st->level,
             .attrs = attrs, .nattrs = nattrs, .main_ns = sax_main_ns(st, uri)};
    st->level++;
    st->stop = st->fn(st->h, &e);
    if (st->stop)
        sax_halt(st);
}

static void sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)prefix;
    sax_st *st = ctx;
    if (st->stop || st->depth_err || st->dtd_node)
        return;
    st->level--;
    xev e = {.kind = EV_END, .local = (const char *)local, .ns = (const char *)uri, .depth = st->level,
             .main_ns = sax_main_ns(st, uri)};
    st->stop = st->fn(st->h, &e);
    if (st->stop)
        sax_halt(st);
}

static void sax_chars(void *ctx, const xmlChar *ch, int len)
{
    sax_st *st = ctx;
    if (st->stop || st->depth_err || st->dtd_node)
        return;
    xev e = {.kind = EV_TEXT, .depth = st->level, .text = (const char *)ch, .len = (size_t)len};
    st->stop = st->fn(st->h, &e);
    if (st->stop)
        sax_halt(st);
}

/* No DTD of any kind, no entity: these only mark the part as refused. */
static void sax_subset(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name;
    (void)ext;
    (void)sys;
    sax_st *st = ctx;
    st->dtd_node = true;
    sax_halt(st);
}

static void sax_reference(void *ctx, const xmlChar *name)
{
    (void)name;
    sax_st *st = ctx;
    st->dtd_node = true;
    sax_halt(st);
}

static xmlEntityPtr sax_get_entity(void *ctx, const xmlChar *name)
{
    (void)ctx;
    /* the five predefined entities only; any other reference is an error */
    return xmlGetPredefinedEntity(name);
}

static void sax_error(void *ctx, xmlErrorPtr e)
{
    sax_st *st = ctx;
    on_xml_error(st->ps, e);
}

static void sax_handler(xmlSAXHandler *sax)
{
    memset(sax, 0, sizeof *sax);
    sax->initialized = XML_SAX2_MAGIC;
    sax->startElementNs = sax_start;
    sax->endElementNs = sax_end;
    sax->characters = sax_chars;
    sax->ignorableWhitespace = sax_chars;
    sax->cdataBlock = sax_chars;
    sax->internalSubset = sax_subset;
    sax->externalSubset = sax_subset;
    sax->reference = sax_reference;
    sax->getEntity = sax_get_entity;
    sax->serror = sax_error;
}

/* What became of one part. */
typedef struct part_end {
    bool over_cap;   /* inflated beyond the limit */
    const char *zip; /* the zip's fault ("CRC が一致しません" ...), or NULL */
    bool read_err;   /* libxml2 gave up (ps->xml_msg says why, if it said) */
    int stop;        /* what fn said last */
    bool depth_err, dtd_node;
} part_end;

/* Report what went wrong with part en, if anything; true when all is well
 * (including a stop asked for by fn with 1). */
static bool part_report(tk_xlsx *x, const entry *en, const pstream *ps, const part_end *pe, tk_diags *d)
{
    if (pe->over_cap) {
        XERR(d, x->path, en->name,
             "%s の展開後のサイズが上限 (%zu バイト) を超えました。ZIP 爆弾の疑いがあるため読みません", en->name,
             x->lim.max_part_bytes);
        return false;
    }
    if (pe->zip) {
        XERR(d, x->path, en->name, "ZIP 形式として壊れています (%s: %s)", en->name, pe->zip);
        return false;
    }
    if (ps->sniff == SN_DOCTYPE || pe->dtd_node) {
        XERR(d, x->path, en->name,
             "%s に DOCTYPE 宣言があります。安全のため DOCTYPE (実体宣言) を含む XML は読みません", en->name);
        return false;
    }
    if (ps->sniff == SN_BAD) {
        XERR(d, x->path, en->name, "%s は XML ではありません (先頭が XML 宣言でも要素でもありません)", en->name);
        return false;
    }
    if (pe->depth_err) {
        XERR(d, x->path, en->name, "%s の要素の入れ子が深すぎます (上限 %d 段)", en->name, TK_XLSX_MAX_DEPTH);
        return false;
    }
    if (pe->read_err) {
        if (ps->xml_err)
            XERR(d, x->path, en->name, "%s の XML の形式が正しくありません (%d 行目: %s)", en->name, ps->xml_line,
                 ps->xml_msg);
        else
            XERR(d, x->path, en->name, "%s を XML として読めません", en->name);
        return false;
    }
    return pe->stop >= 0;
}

static void part_end_of(const sax_st *st, part_end *pe)
{
    pe->stop = st->stop;
    pe->depth_err = st->depth_err;
    pe->dtd_node = st->dtd_node;
}

/* minizip opens an entry only when its local header agrees with the
 * directory; it does not say in what. */
#define LOCAL_HEADER_DIFFERS "ローカルヘッダーと中央ディレクトリの記録 (CRC・サイズ・圧縮方式・名前) が一致しません"

/* Inflate entry en whole into *out (en->usize bytes): the compressed bytes
 * are read in place from the file in memory and inflated with libdeflate in
 * one step, the size and the CRC checked against the directory. NULL when
 * all is well, else what is wrong. */
static const char *inflate_whole(tk_xlsx *x, const entry *en, char **out)
{
    *out = NULL;
    if (unzGoToFilePos64(x->uz, &en->pos) != UNZ_OK || unzOpenCurrentFile2(x->uz, NULL, NULL, 1) != UNZ_OK)
        return LOCAL_HEADER_DIFFERS;
    ZPOS64_T at = unzGetCurrentFileZStreamPos64(x->uz);
    unzCloseCurrentFile(x->uz);
    if (at > x->len || en->csize > x->len - at)
        return "ファイルの終わりを越えています";
    const char *src = x->data + at;
    char *buf = tk_xmalloc(en->usize ? en->usize : 1);
    if (en->method == 0) {
        if (en->csize != en->usize) {
            free(buf);
            return "サイズが一致しません";
        }
        memcpy(buf, src, en->usize);
    } else {
        size_t got = 0;
        enum libdeflate_result r =
            libdeflate_deflate_decompress(x->inflater, src, en->csize, buf, en->usize, &got);
        if (r != LIBDEFLATE_SUCCESS || got != en->usize) {
            free(buf);
            return r == LIBDEFLATE_BAD_DATA ? "展開できません" : "サイズが一致しません";
        }
    }
    if (libdeflate_crc32(0, buf, en->usize) != en->crc) {
        free(buf);
        return "CRC が一致しません";
    }
    x->intact[en - x->entries] = true;
    *out = buf;
    return NULL;
}

/* Inflate entry en only to check it against the directory: its size and
 * its CRC. NULL when intact, else what is wrong. */
static const char *check_entry(tk_xlsx *x, const entry *en)
{
    if (en->usize <= x->lim.whole_part_bytes) {
        char *buf;
        const char *why = inflate_whole(x, en, &buf);
        free(buf);
        return why;
    }
    if (unzGoToFilePos64(x->uz, &en->pos) != UNZ_OK || unzOpenCurrentFile(x->uz) != UNZ_OK)
        return LOCAL_HEADER_DIFFERS;
    char buf[65536];
    uint64_t total = 0;
    int n;
    while ((n = unzReadCurrentFile(x->uz, buf, sizeof buf)) > 0 && (total += (uint64_t)n) <= en->usize)
        ;
    int rc = unzCloseCurrentFile(x->uz); /* checks the CRC when all was read */
    if (n < 0)
        return "展開できません";
    if (total != en->usize)
        return "サイズが一致しません";
    if (rc != UNZ_OK)
        return rc == UNZ_CRCERROR ? "CRC が一致しません" : "展開できません";
    x->intact[en - x->entries] = true;
    return NULL;
}

bool tk_xlsx_check_members(tk_xlsx *x, tk_diags *d)
{
    size_t before = d->errors;
    for (size_t i = 0; i < x->nentries; i++) {
        const entry *en = &x->entries[i];
        if (x->intact[i])
            continue;
        const char *why = check_entry(x, en);
        if (why)
            XERR(d, x->path, en->name, "ZIP 形式として壊れています (%s: %s)。ブックの一部が壊れているため読みません", en->name, why);
    }
    return d->errors == before;
}

/* Character references to characters beyond ASCII (&#23550;), which some
 * writers (openpyxl) use for every Japanese character, are turned into the
 * UTF-8 bytes they stand for before libxml2 reads a part held whole: in
 * content and in attribute values the two are the same XML (XML 1.0, 4.1),
 * and libxml2 reads literal text many times faster than one reference (and
 * one callback) per character. Only where they mean the same: in content
 * and in quoted attribute values, never in names, comments, processing
 * instructions or CDATA sections; only code points from U+0080 that XML
 * allows (never markup, a line end or whitespace that attribute values
 * normalise, never what libxml2 would refuse); only in UTF-8. A declaration
 * (<!X...) or anything unfinished leaves the rest as it is. */
/* The first s (m > 0 bytes) in b[0..n), or NULL (memmem is not C11). */
static const char *mem_find(const char *b, size_t n, const char *s, size_t m)
{
    const char *p = b, *end = b + n;
    while (m <= (size_t)(end - p)) {
        const char *q = memchr(p, s[0], (size_t)(end - p) - m + 1);
        if (!q)
            return NULL;
        if (memcmp(q, s, m) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

static inline int ref_at(const char *p, size_t n, uint32_t *cp)
{
    if (n < 4 || p[1] != '#')
        return 0;
    size_t i;
    uint32_t v = 0;
    if (p[2] != 'x') {
        size_t lim = n < 9 ? n : 9; /* "&#" and at most 7 digits */
        for (i = 2; i < lim && (unsigned)(p[i] - '0') < 10; i++)
            v = v * 10 + (uint32_t)(p[i] - '0');
        if (i == 2)
            return 0;
    } else {
        size_t lim = n < 9 ? n : 9; /* "&#x" and at most 6 digits */
        int h;
        for (i = 3; i < lim && (h = hexval(p[i])) >= 0; i++)
            v = v * 16 + (uint32_t)h;
        if (i == 3)
            return 0;
    }
    if (i >= n || p[i] != ';')
        return 0;
    if (v < 0x80 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF)
        return 0;
    *cp = v;
    return (int)(i + 1);
}

/* At b[*r] == '&': the character it stands for at b[*w], or the '&'. */
static inline void ref_step(char *b, size_t n, size_t *r, size_t *w)
{
    uint32_t cp;
    int len;
    const unsigned char *p = (const unsigned char *)b + *r;
    unsigned d0, d1, d2, d3, d4;
    /* the common case, a kanji or kana: "&#" and five digits, read without
     * a loop; anything else by ref_at */
    if (n - *r >= 8 && p[1] == '#' && p[7] == ';' && (d0 = p[2] - '0') < 10 && (d1 = p[3] - '0') < 10 &&
        (d2 = p[4] - '0') < 10 && (d3 = p[5] - '0') < 10 && (d4 = p[6] - '0') < 10 &&
        (cp = d0 * 10000 + d1 * 1000 + d2 * 100 + d3 * 10 + d4) >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) &&
        cp < 0xFFFE)
        len = 8;
    else
        len = ref_at(b + *r, n - *r, &cp);
    if (!len) {
        b[(*w)++] = b[(*r)++];
        return;
    }
    *w += tk_utf8_encode(cp, b + *w);
    *r += (size_t)len;
}

/* Decode in place (the result is never longer); the new length. */
static size_t decode_refs(char *b, size_t n)
{
    if (!mem_find(b, n, "&#", 2))
        return n;
    size_t r = 0, w = 0;
    while (r < n) {
        char ch = b[r];
        if (ch == '&') {
            ref_step(b, n, &r, &w);
            continue;
        }
        if (ch != '<') {
            b[w++] = b[r++];
            continue;
        }
        if (r + 1 < n && (b[r + 1] == '!' || b[r + 1] == '?')) {
            /* a comment, CDATA section or processing instruction, as it is */
            const char *close = NULL;
            size_t from = 0;
            if (n - r >= 4 && memcmp(b + r, "<!--", 4) == 0) {
                close = "-->";
                from = r + 4;
            } else if (n - r >= 9 && memcmp(b + r, "<![CDATA[", 9) == 0) {
                close = "]]>";
                from = r + 9;
            } else if (b[r + 1] == '?') {
                close = "?>";
                from = r + 2;
            }
            const char *end = close ? mem_find(b + from, n - from, close, strlen(close)) : NULL;
            size_t to = end ? (size_t)(end - b) + strlen(close) : n;
            memmove(b + w, b + r, to - r);
            w += to - r;
            r = to;
            if (!end)
                break;
            continue;
        }
        /* a tag: references only inside its quoted values */
        b[w++] = b[r++];
        while (r < n) {
            ch = b[r];
            b[w++] = b[r++];
            if (ch == '>')
                break;
            if (ch != '"' && ch != '\'')
                continue;
            while (r < n && b[r] != ch) {
                if (b[r] == '&')
                    ref_step(b, n, &r, &w);
                else
                    b[w++] = b[r++];
            }
            if (r < n)
                b[w++] = b[r++];
        }
    }
    return w;
}

/* Whether a part that begins with b[0..n) declares no encoding but UTF-8. */
static bool decl_utf8(const char *b, size_t n)
{
    size_t i = n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (n - i < 6 || memcmp(b + i, "<?xml", 5) != 0 || !strchr(" \t\r\n", b[i + 5]))
        return true;
    const char *end = mem_find(b + i, n - i < 512 ? n - i : 512, "?>", 2);
    if (!end)
        return false;
    const char *enc = mem_find(b + i, (size_t)(end - (b + i)), "encoding", 8);
    if (!enc)
        return true;
    enc += 8;
    while (enc < end && strchr(" \t\r\n=", *enc))
        enc++;
    if (enc >= end || (*enc != '"' && *enc != '\''))
        return false;
    const char *close = memchr(enc + 1, *enc, (size_t)(end - enc - 1));
    if (!close)
        return false;
    size_t len = (size_t)(close - enc - 1);
    return (len == 5 && strncasecmp(enc + 1, "UTF-8", 5) == 0) || (len == 4 && strncasecmp(enc + 1, "UTF8", 4) == 0);
}

/* Entry en, small enough to be held whole: inflated in one step, screened,
 * then parsed from memory by libxml2's SAX2 parser. */
static bool parse_whole(tk_xlsx *x, const entry *en, ev_fn fn, void *h, tk_diags *d)
{
    pstream ps = {.x = x, .sniff = SN_START};
    part_end pe = {0};
    char *data;
    pe.zip = inflate_whole(x, en, &data);
    if (pe.zip)
        return part_report(x, en, &ps, &pe, d);
    sniff_feed(&ps, (const unsigned char *)data, en->usize);
    if (ps.sniff >= SN_BAD) {
        free(data);
        return part_report(x, en, &ps, &pe, d);
    }
    size_t len = en->usize;
    if (ps.enc == ENC_UTF8 && decl_utf8(data, len))
        len = decode_refs(data, len);
    sax_st st = {.ps = &ps, .fn = fn, .h = h};
    st.ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
    if (!st.ctxt) {
        pe.read_err = true;
    } else {
        sax_handler(st.ctxt->sax);
        st.ctxt->userData = &st;
        xmlCtxtUseOptions(st.ctxt, XML_PARSE_NONET);
        xmlParseDocument(st.ctxt);
        part_end_of(&st, &pe);
        if (!st.stop && !st.depth_err && !st.dtd_node && !st.ctxt->wellFormed)
            pe.read_err = true;
        xmlFreeParserCtxt(st.ctxt);
    }
    free(data);
    return part_report(x, en, &ps, &pe, d);
}

/* Entry en, too large to be held whole: inflated in pieces and pushed into
 * libxml2's SAX2 push parser; nothing of it is kept but the piece at hand. */
static bool parse_stream(tk_xlsx *x, const entry *en, ev_fn fn, void *h, tk_diags *d)
{
    if (unzGoToFilePos64(x->uz, &en->pos) != UNZ_OK || unzOpenCurrentFile(x->uz) != UNZ_OK) {
        XERR(d, x->path, en->name, "ZIP 形式として壊れています (%s: %s)", en->name, LOCAL_HEADER_DIFFERS);
        return false;
    }
    pstream ps = {.x = x, .cap = x->lim.max_part_bytes, .sniff = SN_START};
    part_end pe = {0};
    sax_st st = {.ps = &ps, .fn = fn, .h = h};
    xmlSAXHandler sax;
    sax_handler(&sax);

    char buf[65536];
    int n = ps_read(&ps, buf, 4);
    if (n < 0) {
        pe.read_err = true;
    } else {
        st.ctxt = xmlCreatePushParserCtxt(&sax, &st, buf, n, en->name);
        if (!st.ctxt) {
            pe.read_err = true;
        } else {
            xmlCtxtUseOptions(st.ctxt, XML_PARSE_NONET);
            for (;;) {
                if (st.stop || st.depth_err || st.dtd_node || ps.xml_err)
                    break;
                n = ps_read(&ps, buf, (int)sizeof buf);
                if (n < 0) {
                    pe.read_err = true;
                    break;
                }
                if (xmlParseChunk(st.ctxt, buf, n, n == 0) != 0 && !st.stop) {
                    pe.read_err = true;
                    break;
                }
                if (n == 0)
                    break;
            }
            if (!st.stop && !st.depth_err && !st.dtd_node && !st.ctxt->wellFormed)
                pe.read_err = true;
            xmlFreeParserCtxt(st.ctxt);
        }
    }
    part_end_of(&st, &pe);

    /* Inflate what is left (bounded) so the size and the CRC are checked
     * even when the XML stopped early. */
    if (!ps.zerr && !ps.over_cap) {
        for (;;) {
            n = unzReadCurrentFile(x->uz, buf, sizeof buf);
            if (n < 0) {
                ps.zerr = n;
                break;
            }
            if (n == 0)
                break;
            ps.total += (uint64_t)n;
            if (ps.total > ps.cap) {
                ps.over_cap = true;
                break;
            }
        }
    }
    int crc = unzCloseCurrentFile(x->uz);
    pe.over_cap = ps.over_cap;
    if (ps.zerr || crc != UNZ_OK || ps.total != en->usize)
        pe.zip = ps.zerr ? "展開できません" : crc == UNZ_CRCERROR ? "CRC が一致しません" : "サイズが一致しません";
    else if (!ps.over_cap)
        x->intact[en - x->entries] = true;
    return part_report(x, en, &ps, &pe, d);
}

/* Read entry en through fn. True when the part was read without a problem
 * (including a stop asked for by fn with 1). Parts up to whole_part_bytes
 * are held whole for speed; larger ones are streamed. */
static bool parse_part(tk_xlsx *x, const entry *en, ev_fn fn, void *h, tk_diags *d)
{
    if (en->usize <= x->lim.whole_part_bytes)
        return parse_whole(x, en, fn, h, d);
    return parse_stream(x, en, fn, h, d);
}

/* The value of attribute local (in namespace uri, or none when NULL) of a
 * start event; *len gets its length. NULL when absent. */
static const char *attr_find(const xev *e, const char *local, const char *uri, size_t *len)
{
    for (int i = 0; i < e->nattrs; i++) {
        const xmlChar **at = e->attrs + 5 * i;
        if (strcmp((const char *)at[0], local) != 0)
            continue;
        if (uri ? !(at[2] && strcmp((const char *)at[2], uri) == 0) : at[2] != NULL)
            continue;
        *len = (size_t)(at[4] - at[3]);
        return (const char *)at[3];
    }
    return NULL;
}

/* Attribute without a namespace, copied into the arena; NULL if absent. */
static char *attr_dup(tk_arena *a, const xev *e, const char *name)
{
    size_t n;
    const char *v = attr_find(e, name, NULL, &n);
    return v ? tk_arena_strndup(a, v, n) : NULL;
}

static char *attr_dup_ns(tk_arena *a, const xev *e, const char *local, const char *ns1, const char *ns2)
{
    size_t n;
    const char *v = attr_find(e, local, ns1, &n);
    if (!v && ns2)
        v = attr_find(e, local, ns2, &n);
    return v ? tk_arena_strndup(a, v, n) : NULL;
}

/* Attribute into a small buffer; *present tells whether it was there.
 * False when it is longer than the buffer. */
static bool attr_small(const xev *e, const char *name, char *out, size_t n, bool *present)
{
    out[0] = '\0';
    size_t len;
    const char *v = attr_find(e, name, NULL, &len);
    *present = v != NULL;
    if (!v)
        return true;
    bool ok = len < n;
    if (ok) {
        memcpy(out, v, len);
        out[len] = '\0';
    }
    return ok;
}

static bool el_main(const xev *e, const char *local)
{
    return e->main_ns && e->local[0] == local[0] && strcmp(e->local, local) == 0;
}

/* The root element must be this one; report otherwise. */
static int check_root(tk_xlsx *x, tk_diags *d, const char *part, const xev *e, const char *local,
                      const char *ns1, const char *ns2)
{
    if (ns_is(e->ns, ns1, ns2) && strcmp(e->local, local) == 0)
        return 0;
    XERR(d, x->path, part, "%s の最上位の要素が <%s> ではありません (<%s> があります)", part, local, e->local);
    return -1;
}

/* ------------------------------------------------------------------ */
/* relationships                                                        */

typedef struct rel {
    char *id, *type, *target, *mode;
} rel;

typedef struct rels_h {
    tk_xlsx *x;
    tk_diags *d;
    const char *part;
    rel *v;
    size_t n, cap;
} rels_h;

static int rels_ev(void *hp, const xev *e)
{
    rels_h *h = hp;
    if (e->kind != EV_START)
        return 0;
    if (e->depth == 0)
        return check_root(h->x, h->d, h->part, e, "Relationships", NS_PKG_REL, NULL);
    if (e->depth == 1 && ns_is(e->ns, NS_PKG_REL, NULL) && strcmp(e->local, "Relationship") == 0) {
        if (h->n == h->cap) {
            h->cap = h->cap ? h->cap * 2 : 16;
            h->v = tk_xrealloc(h->v, h->cap * sizeof *h->v);
        }
        rel *r = &h->v[h->n++];
        tk_arena *a = h->x->arena;
        r->id = attr_dup(a, e, "Id");
        r->type = attr_dup(a, e, "Type");
        r->target = attr_dup(a, e, "Target");
        r->mode = attr_dup(a, e, "TargetMode");
    }
    return 0;
}

static bool str_ends(const char *s, const char *suffix)
{
    return s && tk_str_ends(s, suffix);
}

static const rel *rel_by_type(const rels_h *h, const char *suffix)
{
    for (size_t i = 0; i < h->n; i++)
        if (str_ends(h->v[i].type, suffix))
            return &h->v[i];
    return NULL;
}

/* Resolve a relationship target against base (the folder of the source
 * part, "xl/" or ""), refusing anything that leaves base, any "..", empty
 * segments, backslashes and URI schemes. NULL with *why set when refused. */
static char *resolve_target(tk_arena *a, const char *base, const char *target, const char **why)
{
    if (!target || !*target) {
        *why = "参照先が空です";
        return NULL;
    }
    if (strpbrk(target, "\\:?#")) {
        *why = "参照先に使えない文字 (\\ : ? #) があります";
        return NULL;
    }
    tk_buf full;
    tk_buf_init(&full);
    if (target[0] == '/')
        tk_buf_puts(&full, target + 1);
    else {
        tk_buf_puts(&full, base);
        tk_buf_puts(&full, target);
    }
    tk_buf out;
    tk_buf_init(&out);
    const char *p = bstr(&full);
    bool bad = false;
    while (*p && !bad) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.')) {
            bad = true;
            break;
        }
        if (!(n == 1 && p[0] == '.')) {
            if (out.len)
                tk_buf_putc(&out, '/');
            tk_buf_append(&out, p, n);
        }
        if (!slash)
            break;
        p = slash + 1;
        if (!*p)
            bad = true; /* trailing slash: a folder */
    }
    char *res = NULL;
    if (bad)
        *why = "参照先に \"..\" か空の区切りがあります";
    else if (*base && strncasecmp(bstr(&out), base, strlen(base)) != 0)
        *why = "参照先がブックのフォルダ (xl/) の外を指しています";
    else if (out.len == 0)
        *why = "参照先が空です";
    else
        res = tk_arena_strdup(a, bstr(&out));
    tk_buf_free(&full);
    tk_buf_free(&out);
    return res;
}

/* ------------------------------------------------------------------ */
/* workbook.xml                                                         */

typedef struct wb_sheet {
    char *name, *rid, *state;
} wb_sheet;

typedef struct wb_h {
    tk_xlsx *x;
    tk_diags *d;
    const char *part;
    bool in_sheets;
    wb_sheet *v;
    size_t n, cap;
} wb_h;

static int wb_ev(void *hp, const xev *e)
{
    wb_h *h = hp;
    if (e->depth == 0) {
        if (e->kind == EV_START)
            return check_root(h->x, h->d, h->part, e, "workbook", NS_MAIN_T, NS_MAIN_S);
        return 0;
    }
    if (e->kind == EV_TEXT)
        return 0;
    if (e->depth == 1 && el_main(e, "sheets")) {
        h->in_sheets = e->kind == EV_START;
        return 0;
    }
    if (e->kind != EV_START)
        return 0;
    tk_arena *a = h->x->arena;
    if (e->depth == 1 && el_main(e, "workbookPr")) {
        char *v = attr_dup(a, e, "date1904");
        h->x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (e->depth == 2 && h->in_sheets && el_main(e, "sheet")) {
        if (h->n == h->cap) {
            h->cap = h->cap ? h->cap * 2 : 8;
            h->v = tk_xrealloc(h->v, h->cap * sizeof *h->v);
        }
        wb_sheet *s = &h->v[h->n++];
        s->name = attr_dup(a, e, "name");
        s->state = attr_dup(a, e, "state");
        s->rid = attr_dup_ns(a, e, "id", NS_REL_T, NS_REL_S);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* sharedStrings.xml                                                    */

typedef struct sst_h {
    tk_xlsx *x;
    tk_diags *d;
    const char *part;
    bool in_si, in_t;
    int rph;
    acc cur;
    tk_buf tmp;
} sst_h;

static int sst_ev(void *hp, const xev *e)
{
    sst_h *h = hp;
    tk_xlsx *x = h->x;
    if (e->depth == 0) {
        if (e->kind == EV_START)
            return check_root(x, h->d, h->part, e, "sst", NS_MAIN_T, NS_MAIN_S);
        return 0;
    }
    if (e->kind == EV_TEXT) {
        if (h->in_t)
            acc_add(&h->cur, e->text, e->len);
        return 0;
    }
    bool start = e->kind == EV_START;
    if (e->depth == 1 && el_main(e, "si")) {
        if (start) {
            h->in_si = true;
            h->rph = 0;
            h->in_t = false;
            acc_reset(&h->cur);
            return 0;
        }
        h->in_si = false;
        if (x->nsst >= MAX_SHARED_STRINGS) {
            XERR(h->d, x->path, h->part, "共有文字列が多すぎます (上限 %zu 個)", MAX_SHARED_STRINGS);
            return -1;
        }
        unescape_x(bstr(&h->cur.b), h->cur.b.len, &h->tmp);
        if (x->nsst == x->sst_cap) {
            x->sst_cap = x->sst_cap ? x->sst_cap * 2 : 256;
            x->sst_off = tk_xrealloc(x->sst_off, x->sst_cap * sizeof *x->sst_off);
        }
        x->sst_off[x->nsst++] = x->sst.len;
        tk_buf_append(&x->sst, h->tmp.data, h->tmp.len + 1);
        return 0;
    }
    if (!h->in_si)
        return 0;
    if (el_main(e, "rPh")) {
        h->rph += start ? 1 : -1;
    } else if (el_main(e, "t") && h->rph == 0) {
        h->in_t = start;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* styles.xml                                                           */

typedef struct numfmt {
    long id;
    const char *code;
} numfmt;

typedef struct st_h {
    tk_xlsx *x;
    tk_diags *d;
    const char *part;
    bool in_nf, in_xfs;
    numfmt *nf;
    size_t nnf, capnf;
    long *xf;
    size_t nxf, capxf;
} st_h;

static int st_ev(void *hp, const xev *e)
{
    st_h *h = hp;
    tk_xlsx *x = h->x;
    if (e->depth == 0) {
        if (e->kind == EV_START)
            return check_root(x, h->d, h->part, e, "styleSheet", NS_MAIN_T, NS_MAIN_S);
        return 0;
    }
    if (e->kind == EV_TEXT)
        return 0;
    bool start = e->kind == EV_START;
    if (e->depth == 1) {
        if (el_main(e, "numFmts"))
            h->in_nf = start;
        else if (el_main(e, "cellXfs"))
            h->in_xfs = start;
        return 0;
    }
    if (!start || e->depth != 2)
        return 0;
    if (h->in_nf && el_main(e, "numFmt")) {
        char *id = attr_dup(x->arena, e, "numFmtId");
        char *code = attr_dup(x->arena, e, "formatCode");
        long v;
        if (!id || !parse_uint(id, &v) || !code) {
            XERR(h->d, x->path, h->part, "%s の表示形式 <numFmt> の numFmtId か formatCode が正しくありません",
                 h->part);
            return -1;
        }
        if (h->nnf >= MAX_NUMFMTS) {
            XERR(h->d, x->path, h->part, "%s の表示形式が多すぎます (上限 %zu 個)", h->part, MAX_NUMFMTS);
            return -1;
        }
        if (h->nnf == h->capnf) {
            h->capnf = h->capnf ? h->capnf * 2 : 16;
            h->nf = tk_xrealloc(h->nf, h->capnf * sizeof *h->nf);
        }
        h->nf[h->nnf].id = v;
        h->nf[h->nnf].code = code;
        h->nnf++;
    } else if (h->in_xfs && el_main(e, "xf")) {
        char buf[16];
        bool present;
        long v = 0;
        if (!attr_small(e, "numFmtId", buf, sizeof buf, &present) || (present && !parse_uint(buf, &v))) {
            XERR(h->d, x->path, h->part, "%s のセル書式 <xf> の numFmtId が正しくありません", h->part);
            return -1;
        }
        if (h->nxf >= MAX_XFS) {
            XERR(h->d, x->path, h->part, "%s のセル書式が多すぎます (上限 %zu 個)", h->part, MAX_XFS);
            return -1;
        }
        if (h->nxf == h->capxf) {
            h->capxf = h->capxf ? h->capxf * 2 : 16;
            h->xf = tk_xrealloc(h->xf, h->capxf * sizeof *h->xf);
        }
        h->xf[h->nxf++] = v;
    }
    return 0;
}

static int cmp_numfmt(const void *a, const void *b)
{
    const numfmt *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void styles_finish(tk_xlsx *x, st_h *h)
{
    if (h->nnf)
        qsort(h->nf, h->nnf, sizeof *h->nf, cmp_numfmt);
    x->nxf = h->nxf;
    x->xf_date = tk_xcalloc(h->nxf ? h->nxf : 1, sizeof *x->xf_date);
    for (size_t i = 0; i < h->nxf; i++) {
        numfmt key = {h->xf[i], NULL};
        const numfmt *f = h->nnf ? bsearch(&key, h->nf, h->nnf, sizeof *h->nf, cmp_numfmt) : NULL;
        x->xf_date[i] = tk_xlsx_numfmt_is_date((int)h->xf[i], f ? f->code : NULL);
    }
}

/* ------------------------------------------------------------------ */
/* docProps/custom.xml                                                  */

typedef struct cp_h {
    tk_xlsx *x;
    tk_diags *d;
    const char *part;
    bool in_prop;
    char *name;
    acc val;
} cp_h;

static int cp_ev(void *hp, const xev *e)
{
    cp_h *h = hp;
    tk_xlsx *x = h->x;
    if (e->depth == 0) {
        if (e->kind == EV_START)
            return check_root(x, h->d, h->part, e, "Properties", NS_CUSTOM_T, NS_CUSTOM_S);
        return 0;
    }
    if (e->kind == EV_TEXT) {
        if (h->in_prop)
            acc_add(&h->val, e->text, e->len);
        return 0;
    }
    if (e->depth != 1 || !ns_is(e->ns, NS_CUSTOM_T, NS_CUSTOM_S) || strcmp(e->local, "property") != 0)
        return 0;
    if (e->kind == EV_START) {
        h->in_prop = true;
        h->name = attr_dup(x->arena, e, "name");
        acc_reset(&h->val);
        return 0;
    }
    h->in_prop = false;
    if (!h->name)
        return 0;
    if (h->val.over || count_cp(bstr(&h->val.b), h->val.b.len) > MAX_PROP_CHARS) {
        XERR(h->d, x->path, h->part, "カスタムプロパティ %s の値が長すぎます (上限 %zu 文字)", h->name,
             MAX_PROP_CHARS);
        return 0;
    }
    if (tk_xlsx_custom_property(x, h->name))
        return 0; /* the first of two of one name wins */
    if (x->nprops == x->props_cap) {
        x->props_cap = x->props_cap ? x->props_cap * 2 : 8;
        x->props = tk_xrealloc(x->props, x->props_cap * sizeof *x->props);
    }
    x->props[x->nprops].name = h->name;
    x->props[x->nprops].value = tk_arena_strdup(x->arena, bstr(&h->val.b));
    x->nprops++;
    return 0;
}

/* ------------------------------------------------------------------ */
/* open                                                                 */

static bool read_rels(tk_xlsx *x, const entry *e, rels_h *h, tk_diags *d)
{
    memset(h, 0, sizeof *h);
    h->x = x;
    h->d = d;
    h->part = e->name;
    return parse_part(x, e, rels_ev, h, d);
}

/* The workbook's sheets, from workbook.xml and its relationships. */
static void resolve_sheets(tk_xlsx *x, const wb_h *wb, const rels_h *rels, const char *rels_name,
                           const char *base, tk_diags *d)
{
    const char *wbp = wb->part;
    if (wb->n == 0) {
        XERR(d, x->path, wbp, "ブックにシートがありません");
        return;
    }
    x->sheets = tk_xcalloc(wb->n, sizeof *x->sheets);
    for (size_t i = 0; i < wb->n; i++) {
        const wb_sheet *w = &wb->v[i];
        sheet *s = &x->sheets[x->nsheets++];
        s->name = w->name ? w->name : tk_arena_strdup(x->arena, "");
        if (!w->name || !*w->name) {
            XERR(d, x->path, wbp, "%zu 番目のシートに名前がありません", i + 1);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (wb->v[j].name && strcasecmp(wb->v[j].name, w->name) == 0)
                XERR(d, x->path, wbp, "シート名 %s が重複しています", w->name);
        if (!w->state || strcmp(w->state, "visible") == 0)
            s->hidden = false;
        else if (strcmp(w->state, "hidden") == 0 || strcmp(w->state, "veryHidden") == 0)
            s->hidden = true;
        else
            XERR(d, x->path, wbp, "シート %s の表示状態 state=\"%s\" が不明です", w->name, w->state);
        if (!w->rid) {
            XERR(d, x->path, wbp, "シート %s に参照 (r:id) がありません", w->name);
            continue;
        }
        const rel *r = NULL;
        for (size_t k = 0; k < rels->n && !r; k++)
            if (rels->v[k].id && strcmp(rels->v[k].id, w->rid) == 0)
                r = &rels->v[k];
        if (!r) {
            XERR(d, x->path, wbp, "シート %s の参照 %s が %s にありません", w->name, w->rid, rels_name);
            continue;
        }
        if (str_ends(r->type, "/worksheet"))
            s->cells = true;
        else if (str_ends(r->type, "/chartsheet") || str_ends(r->type, "/dialogsheet") ||
                 str_ends(r->type, "/macrosheet") || str_ends(r->type, "/xlMacrosheet"))
            s->cells = false;
        else {
            XERR(d, x->path, rels_name, "シート %s の参照先の種類 %s が不明です", w->name,
                 r->type ? r->type : "(なし)");
            continue;
        }
        if (r->mode && strcmp(r->mode, "Internal") != 0) {
            XERR(d, x->path, rels_name, "シート %s がブックの外 (%s) を参照しています", w->name,
                 r->target ? r->target : "");
            continue;
        }
        const char *why = NULL;
        char *target = resolve_target(x->arena, base, r->target, &why);
        if (!target) {
            XERR(d, x->path, rels_name, "シート %s の参照先 \"%s\" を読みません: %s", w->name,
                 r->target ? r->target : "", why);
            continue;
        }
        s->part = find_entry(x, target);
        if (!s->part)
            XERR(d, x->path, rels_name, "シート %s の部品 %s が ZIP の中にありません", w->name, target);
    }
}

/* The part named by the first relationship of this type. NULL when there
 * is none; an error when it is named but unusable. */
static const entry *related_part(tk_xlsx *x, const rels_h *rels, const char *rels_name, const char *base,
                                 const char *type_suffix, tk_diags *d)
{
    const rel *r = rel_by_type(rels, type_suffix);
    if (!r)
        return NULL;
    const char *why = NULL;
    if (r->mode && strcmp(r->mode, "Internal") != 0) {
        XERR(d, x->path, rels_name, "%s が ZIP の外 (%s) を参照しています", rels_name, r->target ? r->target : "");
        return NULL;
    }
    char *target = resolve_target(x->arena, base, r->target, &why);
    if (!target) {
        XERR(d, x->path, rels_name, "参照先 \"%s\" を読みません: %s", r->target ? r->target : "", why);
        return NULL;
    }
    const entry *e = find_entry(x, target);
    if (!e)
        XERR(d, x->path, rels_name, "%s が参照する %s が ZIP の中にありません", rels_name, target);
    return e;
}

/* A part of the workbook by relationship type, or by its usual name when
 * the relationships do not name one. */
static const entry *workbook_part(tk_xlsx *x, const rels_h *rels, const char *rels_name, const char *base,
                                  const char *type_suffix, const char *usual, tk_diags *d)
{
    if (rel_by_type(rels, type_suffix))
        return related_part(x, rels, rels_name, base, type_suffix, d);
    return find_entry(x, usual);
}

/* Say what kind of file it is when it is not an .xlsx. */
static const entry *identify(tk_xlsx *x, tk_diags *d)
{
    const entry *mt = NULL;
    for (size_t i = 0; i < x->nentries; i++)
        if (strcmp(x->entries[i].name, "mimetype") == 0)
            mt = &x->entries[i];
    if (mt) {
        tk_buf b;
        tk_buf_init(&b);
        bool got = read_small(x, mt, 200, &b);
        const char *s = bstr(&b);
        bool odf = got && tk_str_starts(s, "application/vnd.oasis.opendocument.");
        if (got && tk_str_starts(s, "application/vnd.oasis.opendocument.spreadsheet"))
            XERR(d, x->path, NULL,
                 "OpenDocument スプレッドシート (.ods) です。Excel で開き、Excel ブック (.xlsx) 形式で保存し直してください");
        else if (odf)
            XERR(d, x->path, NULL, "OpenDocument 形式のファイル (%.80s) です。Excel ブック (.xlsx) ではありません", s);
        tk_buf_free(&b);
        if (odf)
            return NULL;
    }
    const entry *wb = find_entry(x, "xl/workbook.xml");
    if (wb)
        return wb;
    if (find_entry(x, "xl/workbook.bin"))
        XERR(d, x->path, NULL,
             "Excel バイナリブック (.xlsb) です。Excel で開き、Excel ブック (.xlsx) 形式で保存し直してください");
    else if (find_entry(x, "word/document.xml"))
        XERR(d, x->path, NULL, "Word 文書 (.docx) のようです。Excel ブック (.xlsx) ではありません");
    else if (find_entry(x, "ppt/presentation.xml"))
        XERR(d, x->path, NULL, "PowerPoint プレゼンテーション (.pptx) のようです。Excel ブック (.xlsx) ではありません");
    else
        XERR(d, x->path, NULL, "Excel ブック (.xlsx) ではありません (ZIP の中に xl/workbook.xml がありません)");
    return NULL;
}

/* The bytes: not empty, within bounds, a zip and not something else. */
static bool check_bytes(const char *path, const unsigned char *h, size_t len, const tk_xlsx_limits *L, tk_diags *d)
{
    if (len == 0) {
        XERR(d, path, NULL, "ファイルが空です (0 バイト)。Excel ブック (.xlsx) を指定してください");
        return false;
    }
    if (len > L->max_file_bytes) {
        XERR(d, path, NULL, "ファイルが大きすぎます (%zu バイト、上限 %zu バイト)", len, L->max_file_bytes);
        return false;
    }
    size_t n = len < 8 ? len : 8;
    static const unsigned char cfb[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    if (n == 8 && memcmp(h, cfb, 8) == 0) {
        XERR(d, path, NULL,
             "古い形式の Excel ブック (.xls) か、パスワードで保護 (暗号化) されたブックです。パスワードを外し、Excel ブック (.xlsx) 形式で保存し直してください");
        return false;
    }
    bool zip = n >= 4 && h[0] == 'P' && h[1] == 'K' &&
               ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6) || (h[2] == 7 && h[3] == 8));
    if (zip && h[2] == 5 && len < 100) {
        /* Only an end-of-directory record: a zip with nothing in it. */
        XERR(d, path, NULL, "ZIP の中身が空です。Excel ブック (.xlsx) ではありません");
        return false;
    }
    if (!zip) {
        size_t i = 0;
        if (n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF)
            i = 3;
        while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
            i++;
        if (i < n && h[i] == '<')
            XERR(d, path, NULL,
                 "ZIP 形式ではありません。XML か HTML のファイル (Excel 2003 XML や Web ページ形式など) のようです。Excel で開き、Excel ブック (.xlsx) 形式で保存し直してください");
        else
            XERR(d, path, NULL, "ZIP 形式ではありません。Excel ブック (.xlsx) ではないようです");
        return false;
    }
    return true;
}

/* minizip reads the file from memory. */
static voidpf mz_open(voidpf opaque, const void *name, int mode)
{
    (void)name;
    (void)mode;
    memzip *m = opaque;
    m->pos = 0;
    return m;
}

static uLong mz_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    memzip *m = stream;
    size_t n = m->len - m->pos < size ? m->len - m->pos : (size_t)size;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (uLong)n;
}

static uLong mz_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque;
    (void)stream;
    (void)buf;
    (void)size;
    return 0;
}

static ZPOS64_T mz_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((memzip *)stream)->pos;
}

static long mz_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
    (void)opaque;
    memzip *m = stream;
    size_t base = origin == ZLIB_FILEFUNC_SEEK_SET ? 0 : origin == ZLIB_FILEFUNC_SEEK_CUR ? m->pos : m->len;
    if (off > m->len - base)
        return -1;
    m->pos = base + (size_t)off;
    return 0;
}

static int mz_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

static int mz_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

/* Open the file in data (len bytes); own is freed with the handle. */
static tk_xlsx *open_bytes(const char *path, const char *data, size_t len, char *own, const tk_xlsx_limits *L,
                           bool props_only, tk_diags *d)
{
    if (!check_bytes(path, (const unsigned char *)data, len, L, d)) {
        free(own);
        return NULL;
    }
    tk_xlsx *x = tk_xcalloc(1, sizeof *x);
    x->path = tk_xstrdup(path);
    x->data = data;
    x->len = len;
    x->own = own;
    x->lim = *L;
    x->mz = (memzip){data, len, 0};
    zlib_filefunc64_def io = {mz_open, mz_read, mz_write, mz_tell, mz_seek, mz_close, mz_error, &x->mz};
    x->uz = unzOpen2_64(path, &io);
    if (!x->uz) {
        XERR(d, path, NULL,
             "ZIP 形式として壊れています (中央ディレクトリを読めません。ファイルが途中で切れているか、壊れています)");
        tk_xlsx_close(x);
        return NULL;
    }
    x->inflater = libdeflate_alloc_decompressor();
    if (!x->inflater) {
        fputs("tenken: メモリが不足しました\n", stderr);
        abort();
    }
    x->arena = tk_arena_new();
    tk_buf_init(&x->sst);
    size_t before = d->errors;

    wb_h wb;
    rels_h rels;
    memset(&wb, 0, sizeof wb);
    memset(&rels, 0, sizeof rels);
    if (!scan_entries(x, d))
        goto done;
    if (props_only)
        goto props;
    const entry *wbe = identify(x, d);
    if (!wbe)
        goto done;

    /* The folder of the workbook part ("xl/") and its relationships. */
    const char *slash = strrchr(wbe->name, '/');
    char *base = tk_arena_strndup(x->arena, wbe->name, slash ? (size_t)(slash - wbe->name) + 1 : 0);
    char *rels_name = tk_arena_printf(x->arena, "%s_rels/%s.rels", base, slash ? slash + 1 : wbe->name);

    wb.x = x;
    wb.d = d;
    wb.part = wbe->name;
    bool wb_ok = parse_part(x, wbe, wb_ev, &wb, d);
    const entry *re = find_entry(x, rels_name);
    bool rels_ok = false;
    if (!re)
        XERR(d, x->path, NULL, "%s がありません (シートの場所が分かりません)", rels_name);
    else
        rels_ok = read_rels(x, re, &rels, d);
    if (wb_ok && rels_ok)
        resolve_sheets(x, &wb, &rels, re->name, base, d);

    if (rels_ok || !re) {
        const entry *se = workbook_part(x, &rels, rels_name, base, "/sharedStrings", "xl/sharedStrings.xml", d);
        if (se) {
            sst_h sh;
            memset(&sh, 0, sizeof sh);
            sh.x = x;
            sh.d = d;
            sh.part = se->name;
            sh.cur.cap = SIZE_MAX;
            parse_part(x, se, sst_ev, &sh, d);
            tk_buf_free(&sh.cur.b);
            tk_buf_free(&sh.tmp);
        }
        const entry *ste = workbook_part(x, &rels, rels_name, base, "/styles", "xl/styles.xml", d);
        st_h sth;
        memset(&sth, 0, sizeof sth);
        sth.x = x;
        sth.d = d;
        if (ste) {
            sth.part = ste->name;
            parse_part(x, ste, st_ev, &sth, d);
        }
        styles_finish(x, &sth);
        free(sth.nf);
        free(sth.xf);
    }

    /* Custom properties, named by the package relationships. */
props:;
    const entry *root_rels = find_entry(x, "_rels/.rels");
    const entry *ce = NULL;
    if (root_rels) {
        rels_h pr;
        if (read_rels(x, root_rels, &pr, d))
            ce = related_part(x, &pr, root_rels->name, "", "/custom-properties", d);
        free(pr.v);
    } else {
        ce = find_entry(x, "docProps/custom.xml");
    }
    if (ce) {
        cp_h ch;
        memset(&ch, 0, sizeof ch);
        ch.x = x;
        ch.d = d;
        ch.part = ce->name;
        ch.val.cap = MAX_PROP_CHARS * 4 + 4;
        parse_part(x, ce, cp_ev, &ch, d);
        tk_buf_free(&ch.val.b);
    }

done:
    free(wb.v);
    free(rels.v);
    if (d->errors != before) {
        tk_xlsx_close(x);
        return NULL;
    }
    return x;
}

/* Only a regular file of a size within bounds, opened without waiting:
 * its bytes into *b, or false with a diagnostic. */
static bool read_workbook_file(const char *path, const tk_xlsx_limits *L, tk_buf *b, tk_diags *d)
{
    if (tk_file_read_regular(path, L->max_file_bytes, b) == 0)
        return true;
    if (errno == EFBIG)
        XERR(d, path, NULL, "ファイルが大きすぎます (上限 %zu バイト)", L->max_file_bytes);
    else if (errno == ESPIPE || errno == EISDIR)
        XERR(d, path, NULL, "通常のファイルではありません (%s)。Excel ブック (.xlsx) を指定してください",
             errno == EISDIR ? "フォルダ" : "FIFO・デバイス・ソケットなど");
    else
        XERR(d, path, NULL, "ファイルを開けません: %s", tk_file_strerror(errno));
    return false;
}

tk_xlsx *tk_xlsx_open(const char *path, const tk_xlsx_limits *lim, tk_diags *d)
{
    tk_xlsx_limits L = fill_limits(lim);
    tk_buf b;
    if (!read_workbook_file(path, &L, &b, d))
        return NULL;
    return open_bytes(path, b.data, b.len, b.data, &L, false, d);
}

tk_xlsx *tk_xlsx_open_properties(const char *path, const tk_xlsx_limits *lim, tk_diags *d)
{
    tk_xlsx_limits L = fill_limits(lim);
    tk_buf b;
    if (!read_workbook_file(path, &L, &b, d))
        return NULL;
    return open_bytes(path, b.data, b.len, b.data, &L, true, d);
}

tk_xlsx *tk_xlsx_open_mem(const char *path, const void *data, size_t len, const tk_xlsx_limits *lim, tk_diags *d)
{
    tk_xlsx_limits L = fill_limits(lim);
    return open_bytes(path, data, len, NULL, &L, false, d);
}

void tk_xlsx_close(tk_xlsx *x)
{
    if (!x)
        return;
    if (x->uz)
        unzClose(x->uz);
    if (x->inflater)
        libdeflate_free_decompressor(x->inflater);
    free(x->own);
    free(x->entries);
    free(x->intact);
    free(x->sheets);
    free(x->props);
    tk_buf_free(&x->sst);
    free(x->sst_off);
    free(x->xf_date);
    tk_arena_free(x->arena);
    free(x->path);
    free(x);
}

/* ------------------------------------------------------------------ */
/* accessors                                                            */

const char *tk_xlsx_path(const tk_xlsx *x) { return x->path; }
bool tk_xlsx_date1904(const tk_xlsx *x) { return x->date1904; }
size_t tk_xlsx_sheet_count(const tk_xlsx *x) { return x->nsheets; }

const char *tk_xlsx_sheet_name(const tk_xlsx *x, size_t i) { return i < x->nsheets ? x->sheets[i].name : NULL; }

bool tk_xlsx_sheet_hidden(const tk_xlsx *x, size_t i) { return i < x->nsheets && x->sheets[i].hidden; }

int tk_xlsx_sheet_index(const tk_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->nsheets && i < (size_t)INT32_MAX; i++)
        if (strcmp(x->sheets[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *tk_xlsx_custom_property(const tk_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->nprops; i++)
        if (strcmp(x->props[i].name, name) == 0)
            return x->props[i].value;
    return NULL;
}

size_t tk_xlsx_custom_property_count(const tk_xlsx *x) { return x->nprops; }

const char *tk_xlsx_custom_property_name(const tk_xlsx *x, size_t i)
{
    return i < x->nprops ? x->props[i].name : NULL;
}

const char *tk_xlsx_custom_property_value(const tk_xlsx *x, size_t i)
{
    return i < x->nprops ? x->props[i].value : NULL;
}

/* ------------------------------------------------------------------ */
/* sheets                                                               */

/* Cell types (the t attribute). */
enum { CT_N, CT_S, CT_STR, CT_INLINE, CT_B, CT_E, CT_D };

static int cell_type(const char *v, size_t n)
{
    if (n == 1) {
        switch (v[0]) {
        case 'n':
            return CT_N;
        case 's':
            return CT_S;
        case 'b':
            return CT_B;
        case 'e':
            return CT_E;
        case 'd':
            return CT_D;
        default:
            return -1;
        }
    }
    if (n == 3 && memcmp(v, "str", 3) == 0)
        return CT_STR;
    if (n == 9 && memcmp(v, "inlineStr", 9) == 0)
        return CT_INLINE;
    return -1;
}

typedef struct sh_h {
    tk_xlsx *x;
    tk_diags *d;
    const char *sheet;
    const char *part;
    tk_cell_cb cb;
    void *user;
    bool in_data;
    bool in_row;
    int row; /* current row number, 0 before the first */
    size_t rows;
    int col; /* last column of the current row */
    /* the current cell */
    bool in_c, c_ok;
    int c_row, c_col;
    int t; /* CT_ */
    long s;
    bool has_f, has_v, has_is, in_is;
    int sub; /* collecting text: 0 none, 1 <v>, 2 <is>'s <t> */
    int rph;
    acc v, is;
    tk_buf tmp;
    size_t problems;
} sh_h;

/* Report a problem at a cell (row 0: the sheet). 0 to go on, -1 to stop
 * because there are too many. */
static int sh_problem(sh_h *h, int row, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int sh_problem(sh_h *h, int row, int col, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char ref[16];
    char place[512];
    if (row > 0) {
        tk_cell_ref(row, col, ref);
        snprintf(place, sizeof place, "%s!%s", h->sheet, ref);
    } else {
        snprintf(place, sizeof place, "%s", h->sheet);
    }
    tk_diag_add(h->d, TK_SEV_ERROR, h->x->path, 0, place, "%s", msg);
    if (++h->problems >= MAX_PROBLEMS) {
        tk_diag_add(h->d, TK_SEV_ERROR, h->x->path, 0, h->sheet, "問題が多すぎるため、シート %s の残りは読みません",
                    h->sheet);
        return -1;
    }
    return 0;
}

/* Plain decimal number syntax: [+-]digits[.digits][(e|E)[+-]digits]. */
static bool number_syntax(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/* strtod that reads '.' whatever LC_NUMERIC says. */
static bool parse_number(const char *s, double *out)
{
    if (!number_syntax(s) || strlen(s) > 400)
        return false;
    const char *dp = localeconv()->decimal_point;
    char buf[512];
    const char *src = s;
    if (dp && strcmp(dp, ".") != 0 && strchr(s, '.')) {
        size_t k = 0;
        for (const char *p = s; *p && k + 8 < sizeof buf; p++) {
            if (*p == '.') {
                for (const char *q = dp; *q && k + 8 < sizeof buf; q++)
                    buf[k++] = *q;
            } else {
                buf[k++] = *p;
            }
        }
        buf[k] = '\0';
        src = buf;
    }
    char *end;
    errno = 0;
    double v = strtod(src, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool digits_n(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* t="d": "YYYY-MM-DD" with an optional "THH:MM[:SS[.fff]]" and "Z", to a
 * serial date of the workbook's system. */
static bool parse_iso_date(const char *s, bool d1904, double *serial)
{
    const char *p = s;
    int y, m, d, hh = 0, mi = 0, ss = 0;
    if (!digits_n(&p, 4, &y) || *p++ != '-' || !digits_n(&p, 2, &m) || *p++ != '-' || !digits_n(&p, 2, &d))
        return false;
    double frac = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!digits_n(&p, 2, &hh) || *p++ != ':' || !digits_n(&p, 2, &mi))
            return false;
        double sub = 0;
        if (*p == ':') {
            p++;
            if (!digits_n(&p, 2, &ss))
                return false;
            if (*p == '.') {
                p++;
                double scale = 0.1;
                if (*p < '0' || *p > '9')
                    return false;
                while (*p >= '0' && *p <= '9') {
                    sub += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
        if (hh > 23 || mi > 59 || ss > 59)
            return false;
        frac = ((double)hh * 3600 + mi * 60 + ss + sub) / 86400.0;
        if (*p == 'Z')
            p++;
    }
    if (*p)
        return false;
    tk_date dt = {y, m, d};
    double v = tk_date_to_excel_serial(dt);
    if (v < 0)
        return false;
    if (d1904) {
        v -= 1462;
        if (v < 0)
            return false;
    }
    *serial = v + frac;
    return true;
}

/* The text of a cell after the escapes, checked against the length limit.
 * NULL (reported) when too long. */
static const char *sh_text(sh_h *h, const acc *a, int *rc)
{
    size_t max = h->x->lim.max_cell_chars;
    *rc = 0;
    if (a->over) {
        char ref[16];
        tk_cell_ref(h->c_row, h->c_col, ref);
        *rc = sh_problem(h, h->c_row, h->c_col, "セル %s の文字数が %zu 文字を超えています。%zu 文字以内にしてください",
                         ref, max, max);
        return NULL;
    }
    unescape_x(bstr(&a->b), a->b.len, &h->tmp);
    /* no more code points than bytes: count only when it could matter */
    size_t n = h->tmp.len > max ? count_cp(h->tmp.data, h->tmp.len) : h->tmp.len;
    if (n > max) {
        char ref[16];
        tk_cell_ref(h->c_row, h->c_col, ref);
        *rc = sh_problem(h, h->c_row, h->c_col, "セル %s の文字数が %zu 文字あります。%zu 文字以内にしてください", ref,
                         n, max);
        return NULL;
    }
    return h->tmp.data;
}

static int sh_finish_cell(sh_h *h)
{
    if (!h->c_ok)
        return 0;
    tk_xlsx *x = h->x;
    tk_cell c;
    memset(&c, 0, sizeof c);
    c.row = h->c_row;
    c.col = h->c_col;
    c.has_formula = h->has_f;
    c.text = "";
    char ref[16]; /* written when a message needs it */
    int rc = 0;
    const char *v = bstr(&h->v.b);
    if (h->t == CT_INLINE) {
        if (!h->has_is && !h->has_v)
            return 0;
        const char *s = sh_text(h, h->has_is ? &h->is : &h->v, &rc);
        if (!s)
            return rc;
        c.type = TK_CELL_STRING;
        c.text = s;
    } else if (!h->has_v || (h->v.b.len == 0 && !h->v.over && h->t != CT_STR)) {
        /* no value, or an empty <v/>: nothing to deliver, except a formula
         * not yet calculated, which the caller must hear of (a formula where
         * a value belongs) */
        if (!h->has_f)
            return 0;
        c.type = TK_CELL_EMPTY;
    } else if (h->v.over) {
        tk_cell_ref(h->c_row, h->c_col, ref);
        return sh_problem(h, h->c_row, h->c_col, "セル %s の文字数が %zu 文字を超えています。%zu 文字以内にしてください",
                          ref, x->lim.max_cell_chars, x->lim.max_cell_chars);
    } else if (h->t == CT_S) {
        long idx;
        if (!parse_uint(v, &idx) || (size_t)idx >= x->nsst) {
            tk_cell_ref(h->c_row, h->c_col, ref);
            return sh_problem(h, h->c_row, h->c_col, "セル %s の共有文字列の番号 \"%.40s\" が範囲外です (共有文字列は %zu 個)",
                              ref, v, x->nsst);
        }
        const char *s = x->sst.data + x->sst_off[idx];
        /* no more code points than bytes: count only when it could matter */
        size_t len = strlen(s), n = len > x->lim.max_cell_chars ? count_cp(s, len) : len;
        if (n > x->lim.max_cell_chars) {
            tk_cell_ref(h->c_row, h->c_col, ref);
            return sh_problem(h, h->c_row, h->c_col, "セル %s の文字数が %zu 文字あります。%zu 文字以内にしてください",
                              ref, n, x->lim.max_cell_chars);
        }
        c.type = TK_CELL_STRING;
        c.text = s;
    } else if (h->t == CT_STR) {
        const char *s = sh_text(h, &h->v, &rc);
        if (!s)
            return rc;
        c.type = TK_CELL_STRING;
        c.text = s;
    } else if (h->t == CT_N) {
        if (!parse_number(v, &c.number)) {
            tk_cell_ref(h->c_row, h->c_col, ref);
            return sh_problem(h, h->c_row, h->c_col, "セル %s の数値 \"%.40s\" を読めません", ref, v);
        }
        c.type = TK_CELL_NUMBER;
        c.text = v;
        c.is_date = h->s >= 0 && (size_t)h->s < x->nxf && x->xf_date[h->s];
    } else if (h->t == CT_B) {
        if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) {
            c.number = 1;
            c.text = "TRUE";
        } else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0) {
            c.text = "FALSE";
        } else {
            tk_cell_ref(h->c_row, h->c_col, ref);
            return sh_problem(h, h->c_row, h->c_col, "セル %s の真偽値 \"%.40s\" を読めません", ref, v);
        }
        c.type = TK_CELL_BOOL;
    } else if (h->t == CT_E) {
        const char *s = sh_text(h, &h->v, &rc);
        if (!s)
            return rc;
        c.type = TK_CELL_ERROR;
        c.text = s;
    } else { /* CT_D */
        if (!parse_iso_date(v, x->date1904, &c.number)) {
            tk_cell_ref(h->c_row, h->c_col, ref);
            return sh_problem(h, h->c_row, h->c_col, "セル %s の日付 \"%.40s\" を読めません", ref, v);
        }
        c.type = TK_CELL_NUMBER;
        c.text = v;
        c.is_date = true;
    }
    return h->cb(&c, h->user) ? 0 : 1;
}

/* An attribute value into a small buffer, NUL-terminated; false (and as
 * much as fits) when it is longer. */
static bool small_copy(const xmlChar *v, size_t n, char *out, size_t size)
{
    size_t k = n < size ? n : size - 1;
    memcpy(out, v, k);
    out[k] = '\0';
    return n < size;
}

static int sh_start_cell(sh_h *h, const xev *e)
{
    h->in_c = true;
    h->c_ok = true;
    h->has_f = h->has_v = h->has_is = h->in_is = false;
    h->sub = 0;
    h->rph = 0;
    h->s = 0;
    acc_reset(&h->v);
    acc_reset(&h->is);
    /* r, s and t in one pass (attributes without a namespace) */
    const xmlChar *rv = NULL, *sv = NULL, *tv = NULL;
    size_t rn = 0, sn = 0, tn = 0;
    for (int i = 0; i < e->nattrs; i++) {
        const xmlChar **at = e->attrs + 5 * i;
        if (at[2] || !at[0][0] || at[0][1])
            continue;
        size_t n = (size_t)(at[4] - at[3]);
        if (at[0][0] == 'r') {
            rv = at[3];
            rn = n;
        } else if (at[0][0] == 's') {
            sv = at[3];
            sn = n;
        } else if (at[0][0] == 't') {
            tv = at[3];
            tn = n;
        }
    }
    char buf[16];
    int crow = h->row, ccol = h->col + 1;
    if (rv && (!small_copy(rv, rn, buf, sizeof buf) || !tk_cell_parse_ref(buf, &crow, &ccol))) {
        h->c_ok = false;
        return sh_problem(h, 0, 0, "行 %d のセル参照 r=\"%s\" が正しくありません", h->row, buf);
    }
    h->c_row = crow;
    h->c_col = ccol;
    if (!rv && ccol > MAX_COL) {
        h->c_ok = false;
        return sh_problem(h, h->row, 0, "行 %d のセルが列 XFD を超えています", h->row);
    }
    if (crow != h->row) {
        h->c_ok = false;
        char ref[16];
        tk_cell_ref(crow, ccol, ref);
        return sh_problem(h, crow, ccol, "セル %s が行 %d の中にあります (行の番号と合いません)", ref, h->row);
    }
    if (ccol <= h->col) {
        h->c_ok = false;
        char ref[16], prev[16];
        tk_cell_ref(crow, ccol, ref);
        tk_cell_ref(h->row, h->col, prev);
        return sh_problem(h, crow, ccol, "セル %s が %s の後にあります (セルの順序が正しくありません)", ref, prev);
    }
    h->col = ccol;
    h->t = tv ? cell_type((const char *)tv, tn) : CT_N;
    if (h->t < 0) {
        h->c_ok = false;
        if (!small_copy(tv, tn, buf, sizeof buf))
            return sh_problem(h, crow, ccol, "セルの型 t が正しくありません");
        return sh_problem(h, crow, ccol, "セルの型 t=\"%s\" が不明です", buf);
    }
    if (sv && !parse_uint_n((const char *)sv, sn, &h->s)) {
        h->c_ok = false;
        small_copy(sv, sn, buf, sizeof buf);
        return sh_problem(h, crow, ccol, "セルの書式番号 s=\"%s\" が正しくありません", buf);
    }
    return 0;
}

static int sh_ev(void *hp, const xev *e)
{
    sh_h *h = hp;
    if (e->depth == 0) {
        if (e->kind != EV_START)
            return 0;
        static const char *const roots[] = {"worksheet", "chartsheet", "dialogsheet", "macrosheet"};
        for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
            if (el_main(e, roots[i]))
                return 0;
        return check_root(h->x, h->d, h->part, e, "worksheet", NS_MAIN_T, NS_MAIN_S);
    }
    if (e->kind == EV_TEXT) {
        if (h->sub == 1)
            acc_add(&h->v, e->text, e->len);
        else if (h->sub == 2)
            acc_add(&h->is, e->text, e->len);
        return 0;
    }
    bool start = e->kind == EV_START;
    if (e->depth == 1) {
        if (el_main(e, "sheetData")) {
            if (start) {
                h->in_data = true;
                return 0;
            }
            return 1; /* nothing of interest after the cells */
        }
        return 0;
    }
    if (!h->in_data)
        return 0;
    if (e->depth == 2) {
        if (!el_main(e, "row")) {
            if (start && el_main(e, "c"))
                return sh_problem(h, 0, 0, "行 (<row>) の外にセル <c> があります") < 0 ? -1 : 0;
            return 0;
        }
        if (!start) {
            h->in_row = false;
            return 0;
        }
        if (++h->rows > h->x->lim.max_rows) {
            sh_problem(h, 0, 0, "シート %s の行が多すぎます (上限 %zu 行)", h->sheet, h->x->lim.max_rows);
            return -1;
        }
        h->in_row = true;
        h->col = 0;
        char buf[16];
        bool present;
        long r = h->row + 1;
        if (!attr_small(e, "r", buf, sizeof buf, &present) || (present && !parse_uint(buf, &r)) || r < 1 ||
            r > MAX_ROW) {
            sh_problem(h, 0, 0, "シート %s の行番号 r=\"%s\" が正しくありません", h->sheet, buf);
            return -1;
        }
        if (r <= h->row) {
            sh_problem(h, 0, 0, "シート %s の行 %ld が行 %d の後にあります (行の順序が正しくありません)", h->sheet, r,
                       h->row);
            return -1;
        }
        h->row = (int)r;
        return 0;
    }
    if (!h->in_row)
        return 0;
    if (e->depth == 3) {
        if (!el_main(e, "c"))
            return 0;
        if (start)
            return sh_start_cell(h, e);
        h->in_c = false;
        return sh_finish_cell(h);
    }
    if (!h->in_c)
        return 0;
    if (e->depth == 4) {
        if (el_main(e, "v")) {
            h->sub = start ? 1 : 0;
            h->has_v = true;
        } else if (el_main(e, "f")) {
            h->has_f = true;
        } else if (el_main(e, "is")) {
            h->in_is = start;
            h->has_is = true;
            h->sub = 0;
        }
        return 0;
    }
    if (!h->in_is)
        return 0;
    if (el_main(e, "rPh"))
        h->rph += start ? 1 : -1;
    else if (el_main(e, "t") && h->rph == 0)
        h->sub = start ? 2 : 0;
    return 0;
}

bool tk_xlsx_read_sheet(tk_xlsx *x, size_t i, tk_cell_cb cb, void *user, tk_diags *d)
{
    if (i >= x->nsheets) {
        XERR(d, x->path, NULL, "%zu 番目のシートはありません (シートは %zu 枚)", i + 1, x->nsheets);
        return false;
    }
    const sheet *s = &x->sheets[i];
    if (!s->cells)
        return true;
    sh_h h;
    memset(&h, 0, sizeof h);
    h.x = x;
    h.d = d;
    h.sheet = s->name;
    h.part = s->part->name;
    h.cb = cb;
    h.user = user;
    size_t max = x->lim.max_cell_chars;
    h.v.cap = h.is.cap = max > SIZE_MAX / 8 ? SIZE_MAX / 2 : max * 7 + 16;
    bool ok = parse_part(x, s->part, sh_ev, &h, d);
    tk_buf_free(&h.v.b);
    tk_buf_free(&h.is.b);
    tk_buf_free(&h.tmp);
    return ok && h.problems == 0;
}
