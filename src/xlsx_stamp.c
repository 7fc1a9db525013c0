/* xlsx_stamp.c — workbooks stamped from a master of their shape. See xlsx_stamp.h. */
#include "tenken/xlsx_stamp.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>
#include <zip.h>
#include <zlib.h>

#include "tenken/text.h"
#include "tenken/util.h"

/* The stand-in of value i: U+FDD0, 'A' + i / 26, 'A' + i % 26, U+FDD1. */
#define MARK_OPEN "\xEF\xB7\x90"
#define MARK_CLOSE "\xEF\xB7\x91"
#define STANDIN_LEN 8
#define VALUES_MAX (26 * 26)
/* The identity fields that are values, after the placeholders' values. */
#define IDENTITY_VALUES 5
/* A value longer than this is written normally (nothing needs it). */
#define VALUE_MAX_BYTES 4096
#define MASTERS_PER_SHAPE 8
/* Largest part of a master (uncompressed). */
#define PART_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define STORED_MAX 65535

/* Where a slot's value goes. */
enum slot_ctx {
    CTX_TEXT,   /* XML character data */
    CTX_HEADER, /* a header or footer: '&' doubled, then XML character data */
};

/* A piece of a part: fixed bytes, deflated, or a value's slot. */
typedef struct piece {
    int value; /* -1: fixed */
    enum slot_ctx ctx;
    unsigned char *z; /* fixed: raw deflate ended by a sync flush */
    size_t zlen, len; /* deflated and real length */
    uint32_t crc;
} piece;

typedef struct part {
    char *name;
    zip_fileinfo info;
    /* a part without values: its deflated bytes as the master has them */
    unsigned char *raw;
    size_t rawlen;
    uint64_t size;
    uint32_t crc;
    piece *pieces; /* NULL: none */
    size_t npieces;
} part;

/* A decision taken on text that held stand-ins. */
typedef struct decision {
    enum tk_xlsx_dep kind;
    char *text;
    double width, size, result;
} decision;

/* A shared string that holds values: its XML, pieces of fixed text and slots. */
typedef struct sst_piece {
    int value; /* -1: the text */
    const char *text;
    size_t len;
} sst_piece;

typedef struct sst_string {
    sst_piece *pieces;
    size_t npieces;
} sst_string;

typedef struct master {
    char key[65];
    tk_arena *a;
    part *parts;
    size_t nparts;
    decision *decisions;
    size_t ndecisions;
    tk_strmap fixed_strings; /* the shared strings without values (XML) */
    sst_string *strings;
    size_t nstrings;
    char **warnings; /* of its writing, given again */
    size_t nwarnings;
    size_t bytes;
    struct master *next; /* newer first */
} master;

struct tk_xlsx_stamp {
    master *masters;
    size_t bytes, max_bytes, made, dropped;
    tk_arena *a;     /* keys of the shapes seen */
    tk_strmap seen;  /* shape key -> attempts (a size_t in a) */
    const tk_template *tpl_checked;
    bool tpl_ok;     /* the template's file holds no stand-in mark */
};

tk_xlsx_stamp *tk_xlsx_stamp_new(size_t max_bytes)
{
    tk_xlsx_stamp *st = tk_xcalloc(1, sizeof *st);
    st->max_bytes = max_bytes ? max_bytes : TK_XLSX_STAMP_MAX_BYTES;
    st->a = tk_arena_new();
    return st;
}

static void master_free(master *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nparts; i++) {
        free(m->parts[i].raw);
        for (size_t k = 0; k < m->parts[i].npieces; k++)
            free(m->parts[i].pieces[k].z);
        free(m->parts[i].pieces);
    }
    free(m->parts);
    for (size_t i = 0; i < m->ndecisions; i++)
        free(m->decisions[i].text);
    free(m->decisions);
    for (size_t i = 0; i < m->nstrings; i++)
        free(m->strings[i].pieces);
    free(m->strings);
    tk_strmap_free(&m->fixed_strings);
    for (size_t i = 0; i < m->nwarnings; i++)
        free(m->warnings[i]);
    free(m->warnings);
    tk_arena_free(m->a);
    free(m);
}

void tk_xlsx_stamp_free(tk_xlsx_stamp *st)
{
    if (!st)
        return;
    for (master *m = st->masters, *next; m; m = next) {
        next = m->next;
        master_free(m);
    }
    tk_strmap_free(&st->seen);
    tk_arena_free(st->a);
    free(st);
}

size_t tk_xlsx_stamp_masters(const tk_xlsx_stamp *st) { return st ? st->made : 0; }
size_t tk_xlsx_stamp_dropped(const tk_xlsx_stamp *st) { return st ? st->dropped : 0; }

/* The first n bytes of needle in the len bytes at hay, or NULL (memmem is
 * not everywhere). */
static const char *find_bytes(const void *hay, size_t len, const char *needle, size_t n)
{
    const char *p = hay, *end = p + len;
    while (len >= n && (p = memchr(p, needle[0], (size_t)(end - p) - n + 1))) {
        if (!memcmp(p, needle, n))
            return p;
        p++;
        if ((size_t)(end - p) < n)
            break;
    }
    return NULL;
}

/* ---- values and the shape ---- */

/* The spec's values: the placeholders' then the identity's. */
static size_t spec_values(const tk_xlsx_spec *s, const char **v)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nvars; i++)
        v[n++] = s->vars[i].value;
    v[n++] = s->token;
    v[n++] = s->department_code;
    v[n++] = s->department_name;
    v[n++] = s->respondent;
    v[n++] = s->respondent_name;
    return n;
}

/* Plain text that a slot can take as libxlsxwriter would: valid UTF-8, no
 * control characters (escaped as _xHHHH_ in strings), no space at either
 * end (xml:space="preserve" is decided on a string's ends), no stand-in mark. */
static bool value_plain(const char *v)
{
    size_t n = strlen(v);
    if (n > VALUE_MAX_BYTES || v[0] == ' ' || v[n - 1] == ' ' || !tk_utf8_valid(v, n, NULL) || strstr(v, MARK_OPEN))
        return false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* The first value equal to value i (i itself when none is). */
static size_t first_equal(const char *const *v, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (v[i] && v[j] && !strcmp(v[i], v[j]))
            return j;
    return i;
}

/* The shape's bytes are gathered and hashed once, by the platform's
 * SHA-256 (tk_sha256_hex: nettle here, CNG on Windows). */
typedef struct shape {
    tk_buf h;
    bool ok; /* no text of the shape holds a stand-in mark */
    const char *const *v;
    size_t nv;
    bool *literal; /* value i equals a text of the shape */
} shape;

static void shape_bytes(shape *k, const void *p, size_t n)
{
    uint64_t len = n;
    tk_buf_append(&k->h, (const char *)&len, sizeof len);
    tk_buf_append(&k->h, (const char *)p, n);
}

static void shape_str(shape *k, const char *s)
{
    if (!s) {
        shape_bytes(k, "\xff", 1); /* NULL differs from "" */
        return;
    }
    if (strstr(s, MARK_OPEN))
        k->ok = false;
    for (size_t i = 0; i < k->nv; i++)
        if (k->v[i] && *k->v[i] && !k->literal[i] && !strcmp(s, k->v[i]))
            k->literal[i] = true;
    shape_bytes(k, s, strlen(s));
}

static void shape_num(shape *k, double x) { shape_bytes(k, &x, sizeof x); }

static void shape_row(shape *k, const tk_xlsx_row *r)
{
    const tk_item *it = r->item;
    shape_num(k, r->seq);
    shape_num(k, r->row);
    shape_str(k, it->id);
    shape_str(k, it->ref);
    shape_str(k, it->text);
    shape_str(k, it->context);
    shape_num(k, it->level);
    shape_str(k, r->roles);
    shape_str(k, r->text_hash);
    shape_str(k, r->prev_answer);
    shape_str(k, r->prev_plans);
    shape_num(k, r->prev_overdue);
    shape_num(k, r->plan != NULL);
    if (r->plan) {
        const tk_xlsx_plan *p = r->plan;
        shape_num(k, (double)p->id);
        shape_str(k, p->origin);
        shape_str(k, p->content);
        shape_str(k, p->owner);
        shape_str(k, p->status);
        shape_num(k, p->due.y);
        shape_num(k, p->due.m);
        shape_num(k, p->due.d);
    }
}

/* The key of the spec's shape (64 hex digits); false when it cannot be
 * stamped (a stand-in mark in its text). A value equal to a text of the
 * shape (a per-role workbook's role is also the 対象者 of its rows) is
 * written as it is in the master, and is part of the shape (literal[i]):
 * libxlsxwriter shares equal strings. */
static bool shape_key(const tk_xlsx_spec *s, const char *const *v, size_t nv, bool *literal, char key[65])
{
    memset(literal, 0, nv * sizeof *literal);
    shape k = {.ok = true, .v = v, .nv = nv, .literal = literal};
    tk_buf_init(&k.h);
    shape_str(&k, "tenken-stamp 1");
    char ptr[32];
    snprintf(ptr, sizeof ptr, "%p", (const void *)s->tpl); /* the template loaded in this process */
    shape_str(&k, ptr);
    shape_str(&k, s->tpl->hash);
    shape_num(&k, s->date_min.y);
    shape_num(&k, s->date_min.m);
    shape_num(&k, s->date_min.d);
    shape_str(&k, s->org);
    shape_str(&k, s->kind);
    shape_str(&k, s->checklist_hash);
    shape_str(&k, s->issued_at);
    shape_num(&k, s->year);
    shape_num(&k, (double)s->campaign_id);
    shape_num(&k, (double)s->created);
    shape_num(&k, (double)s->nvars);
    for (size_t i = 0; i < s->nvars; i++)
        shape_str(&k, s->vars[i].name);
    shape_num(&k, (double)s->nsheets);
    for (size_t i = 0; i < s->nsheets; i++) {
        const tk_xlsx_sheet *sh = &s->sheets[i];
        shape_str(&k, sh->name);
        shape_str(&k, sh->caption);
        shape_num(&k, (double)sh->nrows);
        for (size_t r = 0; r < sh->nrows; r++)
            shape_row(&k, &sh->rows[r]);
    }
    /* which values are NULL, empty or set, and which equal an earlier one
     * (they share a stand-in: libxlsxwriter shares their strings) */
    for (size_t i = 0; i < nv; i++) {
        shape_num(&k, !v[i] ? 0 : !*v[i] ? 1 : 2);
        shape_num(&k, (double)first_equal(v, i));
    }
    /* the literal values (known once the texts above are seen) */
    k.nv = 0;
    for (size_t i = 0; i < nv; i++) {
        shape_num(&k, literal[i]);
        if (literal[i])
            shape_str(&k, v[i]);
    }
    tk_sha256_hex(k.h.data ? k.h.data : "", k.h.len, key);
    tk_buf_free(&k.h);
    return k.ok;
}

/* The template's file holds no stand-in mark (checked once per template). */
static bool template_plain(tk_xlsx_stamp *st, const tk_template *t)
{
    if (st->tpl_checked != t) {
        tk_buf b;
        st->tpl_checked = t;
        st->tpl_ok = t->path && tk_file_read(t->path, 64 * 1024 * 1024, &b) == 0;
        if (st->tpl_ok) {
            st->tpl_ok = !find_bytes(b.data, b.len, MARK_OPEN, 3);
            tk_buf_free(&b);
        }
    }
    return st->tpl_ok;
}

/* ---- stand-ins and their values ---- */

/* The value index of the stand-in at p (n bytes left), or -1. */
static int standin_at(const char *p, size_t n, size_t nv)
{
    if (n < STANDIN_LEN || memcmp(p, MARK_OPEN, 3) || memcmp(p + 5, MARK_CLOSE, 3))
        return -1;
    if (p[3] < 'A' || p[3] > 'Z' || p[4] < 'A' || p[4] > 'Z')
        return -1;
    int i = (p[3] - 'A') * 26 + (p[4] - 'A');
    return (size_t)i < nv ? i : -1;
}

/* v escaped for its context as libxlsxwriter escapes character data (&,
 * <, >; not quotes), appended to b; in a header each '&' doubled first. */
static void put_value(tk_buf *b, const char *v, enum slot_ctx ctx)
{
    for (const char *p = v; *p; p++) {
        if (*p == '&')
            tk_buf_puts(b, ctx == CTX_HEADER ? "&amp;&amp;" : "&amp;");
        else if (*p == '<')
            tk_buf_puts(b, "&lt;");
        else if (*p == '>')
            tk_buf_puts(b, "&gt;");
        else
            tk_buf_putc(b, *p);
    }
}

/* s with each stand-in replaced by its value (raw), into b; false when s
 * holds none. *bad is set for a mark that is not a stand-in. */
static bool substitute(const char *s, const char *const *v, size_t nv, tk_buf *b, bool *bad)
{
    const char *p = strstr(s, MARK_OPEN);
    if (!p)
        return false;
    size_t n = strlen(s);
    const char *from = s;
    while (p) {
        int i = standin_at(p, n - (size_t)(p - s), nv);
        if (i < 0 || !v[i]) {
            *bad = true;
            p = strstr(p + 3, MARK_OPEN);
            continue;
        }
        tk_buf_append(b, from, (size_t)(p - from));
        tk_buf_puts(b, v[i]);
        from = p + STANDIN_LEN;
        p = strstr(from, MARK_OPEN);
    }
    tk_buf_puts(b, from);
    return true;
}

/* ---- making a master: the probe ---- */

typedef struct build {
    const char *const *real; /* the job's values */
    size_t nv;
    decision *decisions;
    size_t n, cap;
    tk_strmap seen; /* decisions recorded (kind, sizes, text) */
    tk_arena *a;
    bool unusable; /* a text libxlsxwriter refuses, or a stray mark */
} build;

static bool probe_real(void *user, const char *s, tk_buf *b)
{
    build *bd = user;
    bool bad = false;
    bool any = substitute(s, bd->real, bd->nv, b, &bad);
    bd->unusable |= bad;
    return any;
}

static void probe_record(void *user, enum tk_xlsx_dep kind, const char *s, double width, double size, double result)
{
    build *bd = user;
    if (result < 0)
        bd->unusable = true; /* the real text would make the writing fail */
    char *seen = tk_arena_printf(bd->a, "%d\x1f%.17g\x1f%.17g\x1f%s", (int)kind, width, size, s);
    bool dup = false;
    tk_strmap_put(&bd->seen, seen, seen, &dup);
    if (dup)
        return;
    if (bd->n == bd->cap) {
        bd->cap = bd->cap ? bd->cap * 2 : 64;
        bd->decisions = tk_xrealloc(bd->decisions, bd->cap * sizeof *bd->decisions);
    }
    bd->decisions[bd->n++] = (decision){kind, tk_xstrdup(s), width, size, result};
}

/* ---- making a master: its parts ---- */

/* The deflated bytes of data as a piece that others follow. */
static void deflate_piece(piece *pc, const char *data, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    size_t cap = deflateBound(&z, (uLong)len) + 16;
    pc->z = tk_xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = pc->z;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_SYNC_FLUSH);
    if (rc != Z_OK || z.avail_in)
        abort(); /* deflateBound leaves room: cannot happen */
    pc->zlen = cap - z.avail_out;
    deflateEnd(&z);
    pc->len = len;
    pc->crc = (uint32_t)crc32(0, (const Bytef *)data, (uInt)len);
}

static const char *const HEADER_ELEMENTS[] = {"oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader",
                                             "firstFooter"};

/* The context of a stand-in at offset at of data: the character data of
 * an element (a header's or another's); false when it is anywhere else (an
 * attribute, after a closing tag). */
static bool slot_context(const char *data, size_t at, enum slot_ctx *ctx)
{
    size_t j = at;
    while (j > 0 && data[j - 1] != '<' && data[j - 1] != '>')
        j--;
    if (j == 0 || data[j - 1] != '>')
        return false;
    size_t end = j - 1, k = end;
    while (k > 0 && data[k - 1] != '<')
        k--;
    if (k == 0)
        return false;
    const char *tag = data + k; /* after '<' */
    if (*tag == '/' || *tag == '?' || *tag == '!' || data[end - 1] == '/')
        return false;
    size_t n = strcspn(tag, " >");
    *ctx = CTX_TEXT;
    for (size_t i = 0; i < sizeof HEADER_ELEMENTS / sizeof HEADER_ELEMENTS[0]; i++)
        if (strlen(HEADER_ELEMENTS[i]) == n && !memcmp(tag, HEADER_ELEMENTS[i], n))
            *ctx = CTX_HEADER;
    return true;
}

static void add_piece(part *p, size_t *cap, piece pc)
{
    if (p->npieces == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        p->pieces = tk_xrealloc(p->pieces, *cap * sizeof *p->pieces);
    }
    p->pieces[p->npieces++] = pc;
}

/* Split a part that holds stand-ins into deflated pieces and slots. */
static bool split_part(part *p, const char *data, size_t len, size_t nv)
{
    size_t cap = 0, from = 0;
    const char *s;
    while ((s = find_bytes(data + from, len - from, MARK_OPEN, 3))) {
        size_t at = (size_t)(s - data);
        int i = standin_at(s, len - at, nv);
        enum slot_ctx ctx;
        if (i < 0 || !slot_context(data, at, &ctx))
            return false;
        if (at > from) {
            piece pc = {.value = -1};
            deflate_piece(&pc, data + from, at - from);
            add_piece(p, &cap, pc);
        }
        add_piece(p, &cap, (piece){.value = i, .ctx = ctx});
        from = at + STANDIN_LEN;
    }
    if (len > from) {
        piece pc = {.value = -1};
        deflate_piece(&pc, data + from, len - from);
        add_piece(p, &cap, pc);
    }
    return true;
}

/* The shared strings: those without values by their XML, those with as
 * pieces, so that a job's values can be checked not to make two equal. */
static void split_strings(master *m, const char *data, size_t len, size_t nv)
{
    size_t cap = 0;
    const char *p = data, *end = data + len;
    while ((p = find_bytes(p, (size_t)(end - p), "<si>", 4))) {
        const char *close = find_bytes(p, (size_t)(end - p), "</si>", 5);
        if (!close)
            break;
        close += 5;
        size_t n = (size_t)(close - p);
        char *xml = tk_arena_strndup(m->a, p, n);
        if (!find_bytes(p, n, MARK_OPEN, 3)) {
            tk_strmap_set(&m->fixed_strings, xml, xml);
        } else {
            if (m->nstrings == cap) {
                cap = cap ? cap * 2 : 16;
                m->strings = tk_xrealloc(m->strings, cap * sizeof *m->strings);
            }
            sst_string *ss = &m->strings[m->nstrings++];
            memset(ss, 0, sizeof *ss);
            size_t pcap = 0;
            const char *q = xml, *qend = xml + n;
            while (q < qend) {
                const char *s = find_bytes(q, (size_t)(qend - q), MARK_OPEN, 3);
                const char *upto = s ? s : qend;
                int i = s ? standin_at(s, (size_t)(qend - s), nv) : -1;
                for (int k = 0; k < 2; k++) {
                    if (ss->npieces == pcap) {
                        pcap = pcap ? pcap * 2 : 8;
                        ss->pieces = tk_xrealloc(ss->pieces, pcap * sizeof *ss->pieces);
                    }
                    if (k == 0)
                        ss->pieces[ss->npieces++] = (sst_piece){-1, q, (size_t)(upto - q)};
                    else if (s)
                        ss->pieces[ss->npieces++] = (sst_piece){i, NULL, 0};
                }
                q = s ? s + STANDIN_LEN : qend;
            }
        }
        m->bytes += n + 64;
        p = close;
    }
}

/* Read the master's parts back from path. */
static bool read_parts(master *m, const char *path, size_t nv)
{
    unzFile uf = unzOpen64(path);
    if (!uf)
        return false;
    bool ok = unzGoToFirstFile(uf) == UNZ_OK;
    size_t cap = 0;
    while (ok) {
        unz_file_info64 fi;
        char name[512];
        if (unzGetCurrentFileInfo64(uf, &fi, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK ||
            fi.uncompressed_size > PART_MAX_BYTES || fi.compression_method != Z_DEFLATED) {
            ok = false;
            break;
        }
        if (m->nparts == cap) {
            cap = cap ? cap * 2 : 128;
            m->parts = tk_xrealloc(m->parts, cap * sizeof *m->parts);
        }
        part *p = &m->parts[m->nparts++];
        memset(p, 0, sizeof *p);
        p->name = tk_arena_strdup(m->a, name);
        p->info.tmz_date = (tm_zip){fi.tmu_date.tm_sec, fi.tmu_date.tm_min, fi.tmu_date.tm_hour,
                                    fi.tmu_date.tm_mday, fi.tmu_date.tm_mon, fi.tmu_date.tm_year};
        p->info.dosDate = fi.dosDate;
        p->info.internal_fa = fi.internal_fa;
        p->info.external_fa = fi.external_fa;
        p->size = fi.uncompressed_size;
        p->crc = (uint32_t)fi.crc;
        /* the text, to look for stand-ins */
        size_t len = (size_t)fi.uncompressed_size;
        char *data = tk_xmalloc(len + 1);
        ok = unzOpenCurrentFile(uf) == UNZ_OK;
        ok = ok && unzReadCurrentFile(uf, data, (unsigned)len) == (int)len;
        ok = unzCloseCurrentFile(uf) == UNZ_OK && ok;
        data[len] = '\0';
        if (ok && find_bytes(data, len, MARK_OPEN, 3)) {
            ok = split_part(p, data, len, nv);
            if (ok && !strcmp(name, "xl/sharedStrings.xml"))
                split_strings(m, data, len, nv);
        } else if (ok) {
            /* copied as the master has it, deflated */
            int method = 0, level = 0;
            p->rawlen = (size_t)fi.compressed_size;
            p->raw = tk_xmalloc(p->rawlen ? p->rawlen : 1);
            ok = unzOpenCurrentFile2(uf, &method, &level, 1) == UNZ_OK;
            ok = ok && unzReadCurrentFile(uf, p->raw, (unsigned)p->rawlen) == (int)p->rawlen;
            ok = unzCloseCurrentFile(uf) == UNZ_OK && ok;
        }
        free(data);
        m->bytes += p->rawlen + 256;
        for (size_t k = 0; k < p->npieces; k++)
            m->bytes += p->pieces[k].zlen + sizeof(piece);
        if (!ok)
            break;
        int next = unzGoToNextFile(uf);
        if (next == UNZ_END_OF_LIST_OF_FILE)
            break;
        ok = next == UNZ_OK;
    }
    unzClose(uf);
    return ok && m->nparts > 0;
}

/* Write spec's workbook with stand-ins for its values (but the empty and
 * the literal ones) into path and make it a master; NULL when it cannot be
 * one. */
static master *make_master(const tk_xlsx_spec *s, const char *const *v, const bool *literal, size_t nv,
                           const char *key, const char *path)
{
    master *m = tk_xcalloc(1, sizeof *m);
    memcpy(m->key, key, 65);
    m->a = tk_arena_new();
    const char **standin = tk_arena_alloc(m->a, nv * sizeof *standin);
    for (size_t i = 0; i < nv; i++)
        standin[i] = !v[i] || !*v[i] || literal[i] ? v[i]
                     : first_equal(v, i) < i
                         ? standin[first_equal(v, i)]
                         : tk_arena_printf(m->a, MARK_OPEN "%c%c" MARK_CLOSE, 'A' + (int)(i / 26), 'A' + (int)(i % 26));
    tk_tpl_var *vars = tk_arena_alloc(m->a, (s->nvars ? s->nvars : 1) * sizeof *vars);
    for (size_t i = 0; i < s->nvars; i++)
        vars[i] = (tk_tpl_var){s->vars[i].name, standin[i]};
    tk_xlsx_spec ms = *s;
    ms.vars = vars;
    size_t k = s->nvars;
    ms.token = standin[k++];
    ms.department_code = standin[k++];
    ms.department_name = standin[k++];
    ms.respondent = standin[k++];
    ms.respondent_name = standin[k++];

    build bd = {.real = v, .nv = nv, .a = tk_arena_new()};
    tk_xlsx_probe probe = {probe_real, probe_record, &bd};
    ms.probe = &probe;
    tk_diags d;
    tk_diags_init(&d);
    bool ok = tk_xlsx_write(&ms, path, &d) == 0 && !bd.unusable && d.errors == 0;
    m->decisions = bd.decisions;
    m->ndecisions = bd.n;
    tk_strmap_free(&bd.seen);
    tk_arena_free(bd.a);
    for (size_t i = 0; i < m->ndecisions; i++)
        m->bytes += strlen(m->decisions[i].text) + sizeof(decision);
    /* its warnings, given again for each workbook stamped from it */
    if (ok && d.count) {
        m->warnings = tk_xcalloc(d.count, sizeof *m->warnings);
        for (size_t i = 0; i < d.count && ok; i++) {
            ok = !strstr(d.items[i].message, MARK_OPEN);
            m->warnings[m->nwarnings++] = tk_xstrdup(d.items[i].message);
        }
    }
    tk_diags_free(&d);
    if (ok)
        ok = read_parts(m, path, nv);
    if (!ok) {
        master_free(m);
        return NULL;
    }
    return m;
}

/* ---- stamping ---- */

/* Every decision of m comes out the same with values v, and no shared
 * string becomes equal to another. */
static bool fits(const master *m, const char *const *v, size_t nv, tk_xlsx_measure *measure)
{
    tk_buf b;
    tk_buf_init(&b);
    bool ok = true, bad = false;
    for (size_t i = 0; i < m->ndecisions && ok; i++) {
        const decision *dc = &m->decisions[i];
        tk_buf_reset(&b);
        substitute(dc->text, v, nv, &b, &bad);
        ok = !bad && tk_xlsx_decide(dc->kind, b.data ? b.data : "", dc->width, dc->size, measure) == dc->result;
    }
    tk_strmap mine = {0};
    char **made = tk_xcalloc(m->nstrings ? m->nstrings : 1, sizeof *made);
    for (size_t i = 0; i < m->nstrings && ok; i++) {
        tk_buf_reset(&b);
        for (size_t k = 0; k < m->strings[i].npieces; k++) {
            const sst_piece *sp = &m->strings[i].pieces[k];
            if (sp->value < 0)
                tk_buf_append(&b, sp->text, sp->len);
            else
                put_value(&b, v[sp->value], CTX_TEXT);
        }
        made[i] = tk_buf_steal(&b);
        bool dup = false;
        tk_strmap_put(&mine, made[i], made[i], &dup);
        ok = !dup && !tk_strmap_get(&m->fixed_strings, made[i]);
    }
    for (size_t i = 0; i < m->nstrings; i++)
        free(made[i]);
    free(made);
    tk_strmap_free(&mine);
    tk_buf_free(&b);
    return ok;
}

static bool zwrite(zipFile zf, const void *p, size_t n)
{
    while (n) {
        unsigned k = n > (1u << 30) ? 1u << 30 : (unsigned)n;
        if (zipWriteInFileInZip(zf, p, k) != ZIP_OK)
            return false;
        p = (const char *)p + k;
        n -= k;
    }
    return true;
}

/* A slotted part: its pieces, the values in stored blocks, a final block. */
static bool write_pieces(zipFile zf, const part *p, const char *const *v, tk_buf *b)
{
    uLong crc = crc32(0, NULL, 0);
    uint64_t size = 0;
    for (size_t k = 0; k < p->npieces; k++) {
        const piece *pc = &p->pieces[k];
        if (pc->value < 0) {
            if (!zwrite(zf, pc->z, pc->zlen))
                return false;
            crc = crc32_combine(crc, pc->crc, (z_off_t)pc->len);
            size += pc->len;
            continue;
        }
        tk_buf_reset(b);
        put_value(b, v[pc->value], pc->ctx);
        for (size_t at = 0; at < b->len;) {
            size_t n = b->len - at > STORED_MAX ? STORED_MAX : b->len - at;
            unsigned char h[5] = {0, (unsigned char)(n & 0xff), (unsigned char)(n >> 8),
                                  (unsigned char)(~n & 0xff), (unsigned char)((~n >> 8) & 0xff)};
            if (!zwrite(zf, h, sizeof h) || !zwrite(zf, b->data + at, n))
                return false;
            at += n;
        }
        crc = crc32(crc, (const Bytef *)b->data, (uInt)b->len);
        size += b->len;
    }
    static const unsigned char final_block[2] = {0x03, 0x00};
    return zwrite(zf, final_block, sizeof final_block) && zipCloseFileInZipRaw64(zf, size, crc) == ZIP_OK;
}

static bool write_stamped(const master *m, const char *const *v, const char *path)
{
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    if (!zf)
        return false;
    tk_buf b;
    tk_buf_init(&b);
    bool ok = true;
    for (size_t i = 0; i < m->nparts && ok; i++) {
        const part *p = &m->parts[i];
        /* as libxlsxwriter adds a part, in raw mode */
        ok = zipOpenNewFileInZip4_64(zf, p->name, &p->info, NULL, 0, NULL, 0, NULL, Z_DEFLATED, Z_DEFAULT_COMPRESSION, 1,
                                     -MAX_WBITS, DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, NULL, 0, 0, 0, 0) == ZIP_OK;
        if (!ok)
            break;
        if (p->pieces)
            ok = write_pieces(zf, p, v, &b);
        else
            ok = zwrite(zf, p->raw, p->rawlen) && zipCloseFileInZipRaw64(zf, p->size, p->crc) == ZIP_OK;
    }
    tk_buf_free(&b);
    return zipClose(zf, NULL) == ZIP_OK && ok;
}

/* ---- the cache ---- */

static void keep(tk_xlsx_stamp *st, master *m)
{
    m->next = st->masters;
    st->masters = m;
    st->bytes += m->bytes;
    st->made++;
    /* the oldest go first */
    while (st->bytes > st->max_bytes && st->masters->next) {
        master **pp = &st->masters;
        while ((*pp)->next)
            pp = &(*pp)->next;
        st->bytes -= (*pp)->bytes;
        master_free(*pp);
        *pp = NULL;
        st->dropped++;
    }
}

static const master *find_fitting(const tk_xlsx_stamp *st, const char *key, const char *const *v, size_t nv,
                                  tk_xlsx_measure *measure)
{
    for (const master *m = st->masters; m; m = m->next)
        if (!strcmp(m->key, key) && fits(m, v, nv, measure))
            return m;
    return NULL;
}

static int stamp(const master *m, const char *const *v, const char *path, tk_diags *d)
{
    if (!write_stamped(m, v, path)) {
        tk_diag_error(d, path, 0, "点検票を書き出せません: %s", errno ? strerror(errno) : "zip");
        return -1;
    }
    for (size_t i = 0; i < m->nwarnings; i++)
        tk_diag_warn(d, path, 0, "%s", m->warnings[i]);
    return 0;
}

int tk_xlsx_stamp_write(tk_xlsx_stamp *st, const tk_xlsx_spec *spec, const char *path, tk_diags *d,
                        enum tk_xlsx_stamp_how *how)
{
    enum tk_xlsx_stamp_how dummy;
    how = how ? how : &dummy;
    *how = TK_XLSX_STAMP_WRITTEN;
    if (!st || spec->probe || spec->nvars + IDENTITY_VALUES > VALUES_MAX)
        return tk_xlsx_write(spec, path, d);
    const char *v[VALUES_MAX];
    size_t nv = spec_values(spec, v);
    bool plain = template_plain(st, spec->tpl);
    for (size_t i = 0; i < nv && plain; i++)
        plain = !v[i] || !*v[i] || value_plain(v[i]);
    char key[65];
    bool literal[VALUES_MAX];
    if (!plain || !shape_key(spec, v, nv, literal, key))
        return tk_xlsx_write(spec, path, d);

    const master *m = find_fitting(st, key, v, nv, spec->measure);
    if (m) {
        *how = TK_XLSX_STAMP_STAMPED;
        return stamp(m, v, path, d);
    }
    /* the first of a shape is written; the next ones make masters */
    size_t *tries = (size_t *)tk_strmap_get(&st->seen, key);
    if (!tries) {
        tries = tk_arena_alloc(st->a, sizeof *tries);
        *tries = 0;
        tk_strmap_set(&st->seen, tk_arena_strdup(st->a, key), tries);
        return tk_xlsx_write(spec, path, d);
    }
    if (*tries >= MASTERS_PER_SHAPE)
        return tk_xlsx_write(spec, path, d);
    (*tries)++;
    master *made = make_master(spec, v, literal, nv, key, path);
    if (!made || !fits(made, v, nv, spec->measure)) {
        master_free(made);
        return tk_xlsx_write(spec, path, d);
    }
    keep(st, made);
    *how = TK_XLSX_STAMP_MASTER;
    return stamp(made, v, path, d);
}
