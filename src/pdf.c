/* pdf.c — A4 reports as PDF: font subsetting, ICU line breaking, flow
 * layout recorded as per-page drawing operations, rendering through libharu.
 * See pdf.h for the model. */
#include "tenken/pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
#include <hpdf_encoder.h> /* a CMap encoder of our own (hpdf_codes) */
#include <hpdf_font.h>    /* the font's descriptor and streams (hpdf_font_file, hpdf_deflate) */
#include <hpdf_fontdef.h>
#include <hpdf_objects.h> /* HPDF_Dict and its stream: to rewrite the ToUnicode CMap */
#include <hpdf_pages.h>   /* the page's content stream (r_show) */
#include <hpdf_streams.h>
#include <hpdf_utils.h>   /* HPDF_FToA: numbers as libharu writes them (r_show) */
#include <libdeflate.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include "tenken/text.h"
#include "tenken/xmlutil.h"

/* ======================================================================
 * TrueType fonts
 * ====================================================================== */

#define FONT_MAX_BYTES ((size_t)64 << 20)
#define CMAP_MAX_WORK (4u << 20) /* code points visited while reading a cmap */
#define GETA_MARK 0x3013 /* 〓, the Japanese sign for a character that cannot be printed */

typedef struct font_table {
    uint32_t off, len;
    bool present;
} font_table;

struct tk_pdf_font {
    char *path;
    tk_buf data; /* the file, mapped (font_load) or read */
    bool mapped;
    uint16_t upem, nglyphs, nhmetrics;
    int16_t ascender, descender;
    bool loca_long;
    font_table head, hhea, maxp, hmtx, loca, glyf, cmap, os2, name, post, cvt, fpgm, prep;
    uint16_t *gid;   /* [65536] BMP code point -> glyph id, 0 = none */
    uint16_t *w1000; /* [nglyphs] advance in 1/1000 em, truncated as libharu does for /W */
    uint32_t *goff;  /* [nglyphs + 1] glyph offsets into glyf */
    int32_t repl;    /* drawn for missing characters; -1 = drop them */
};

static const char *const font_search_list[] = {
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
    NULL,
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static void put16(tk_buf *b, uint32_t v)
{
    char c[2] = {(char)((v >> 8) & 0xFF), (char)(v & 0xFF)};
    tk_buf_append(b, c, 2);
}
static void put32(tk_buf *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xFFFF);
}
static void set16(tk_buf *b, size_t at, uint32_t v)
{
    b->data[at] = (char)((v >> 8) & 0xFF);
    b->data[at + 1] = (char)(v & 0xFF);
}
static void set32(tk_buf *b, size_t at, uint32_t v)
{
    set16(b, at, v >> 16);
    set16(b, at + 2, v & 0xFFFF);
}

static const char *font_parse_cmap(tk_pdf_font *f, const uint8_t *data)
{
    const uint8_t *c = data + f->cmap.off;
    uint32_t clen = f->cmap.len;
    if (clen < 4)
        return "cmap テーブルが壊れています";
    uint32_t nsub = rd16(c + 2);
    if (4 + 8 * nsub > clen)
        return "cmap テーブルが壊れています";
    uint32_t best = 0;
    int rank = 0;
    for (uint32_t i = 0; i < nsub; i++) {
        const uint8_t *e = c + 4 + 8 * i;
        uint16_t pid = rd16(e), eid = rd16(e + 2);
        uint32_t off = rd32(e + 4);
        if (off > clen - 4)
            continue;
        uint16_t fmt = rd16(c + off);
        int r = 0;
        if (pid == 3 && eid == 10 && fmt == 12)
            r = 4;
        else if (pid == 0 && fmt == 12)
            r = 3;
        else if (pid == 3 && eid == 1 && fmt == 4)
            r = 2;
        else if (pid == 0 && fmt == 4)
            r = 1;
        if (r > rank) {
            rank = r;
            best = off;
        }
    }
    if (rank == 0)
        return "Unicode の cmap がありません";
    const uint8_t *s = c + best;
    uint32_t avail = clen - best;
    if (rd16(s) == 4) {
        if (avail < 16)
            return "cmap テーブルが壊れています";
        uint32_t len = rd16(s + 2);
        if (len > avail)
            len = avail;
        uint32_t segx2 = rd16(s + 6), seg = segx2 / 2;
        if (16 + 4 * segx2 > len)
            return "cmap テーブルが壊れています";
        uint32_t ends = 14, starts = 16 + segx2, deltas = 16 + 2 * segx2, ros = 16 + 3 * segx2;
        uint32_t work = 0;
        for (uint32_t i = 0; i < seg; i++) {
            uint32_t end = rd16(s + ends + 2 * i), start = rd16(s + starts + 2 * i);
            if (end >= start && (work += end - start + 1) > CMAP_MAX_WORK)
                return "cmap テーブルが大きすぎます";
            uint32_t delta = rd16(s + deltas + 2 * i), ro = rd16(s + ros + 2 * i);
            for (uint32_t cp = start; cp <= end && cp < 0xFFFF; cp++) {
                uint32_t g;
                if (ro == 0) {
                    g = (cp + delta) & 0xFFFF;
                } else {
                    size_t pos = (size_t)ros + 2 * i + ro + 2 * (cp - start);
                    if (pos + 2 > len)
                        break;
                    g = rd16(s + pos);
                    if (g != 0)
                        g = (g + delta) & 0xFFFF;
                }
                if (g < f->nglyphs)
                    f->gid[cp] = (uint16_t)g;
            }
        }
    } else {
        if (avail < 16)
            return "cmap テーブルが壊れています";
        uint32_t len = rd32(s + 4);
        if (len > avail)
            len = avail;
        uint32_t ng = rd32(s + 12);
        if (len < 16 || ng > (len - 16) / 12)
            return "cmap テーブルが壊れています";
        uint32_t work = 0;
        for (uint32_t i = 0; i < ng; i++) {
            const uint8_t *gr = s + 16 + 12 * i;
            uint32_t st = rd32(gr), en = rd32(gr + 4), sg = rd32(gr + 8);
            if (st > 0xFFFE || en < st)
                continue;
            if (en > 0xFFFE)
                en = 0xFFFE;
            if ((work += en - st + 1) > CMAP_MAX_WORK)
                return "cmap テーブルが大きすぎます";
            for (uint32_t cp = st; cp <= en; cp++) {
                uint32_t g = sg + (cp - st);
                if (g < f->nglyphs)
                    f->gid[cp] = (uint16_t)g;
            }
        }
    }
    return NULL;
}

/* Parse the tables tenken needs; NULL on success, else why not (Japanese). */
static const char *font_parse(tk_pdf_font *f)
{
    const uint8_t *b = (const uint8_t *)f->data.data;
    size_t n = f->data.len;
    if (n < 12)
        return "フォントファイルが短すぎます";
    uint32_t ver = rd32(b);
    if (ver == 0x74746366u)
        return "TrueType Collection (.ttc) には対応していません";
    if (ver == 0x4F54544Fu)
        return "CFF アウトラインの OpenType フォントには対応していません（TrueType アウトラインが必要です）";
    if (ver != 0x00010000u && ver != 0x74727565u)
        return "TrueType フォントではありません";
    size_t nt = rd16(b + 4);
    if (12 + nt * 16 > n)
        return "テーブル一覧が壊れています";
    static const char tags[][5] = {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap",
                                   "OS/2", "name", "post", "cvt ", "fpgm", "prep"};
    font_table *slots[] = {&f->head, &f->hhea, &f->maxp, &f->hmtx, &f->loca, &f->glyf, &f->cmap,
                           &f->os2,  &f->name, &f->post, &f->cvt,  &f->fpgm, &f->prep};
    for (size_t i = 0; i < nt; i++) {
        const uint8_t *e = b + 12 + 16 * i;
        uint32_t off = rd32(e + 8), len = rd32(e + 12);
        if ((uint64_t)off + len > n)
            return "テーブルがファイルの外を指しています";
        for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
            if (memcmp(e, tags[k], 4) == 0)
                *slots[k] = (font_table){off, len, true};
    }
    if (!f->head.present || !f->hhea.present || !f->maxp.present || !f->hmtx.present ||
        !f->loca.present || !f->glyf.present || !f->cmap.present || !f->os2.present ||
        !f->name.present)
        return "必須のテーブル（head hhea maxp hmtx loca glyf cmap OS/2 name）が揃っていません";
    if (f->head.len < 54 || f->hhea.len < 36 || f->maxp.len < 6 || f->os2.len < 10 ||
        f->name.len < 6)
        return "テーブルが短すぎます";
    const uint8_t *head = b + f->head.off;
    f->upem = rd16(head + 18);
    if (f->upem < 16 || f->upem > 16384)
        return "head テーブルの unitsPerEm が不正です";
    uint16_t locfmt = rd16(head + 50);
    if (locfmt > 1)
        return "head テーブルの indexToLocFormat が不正です";
    f->loca_long = locfmt == 1;
    f->nglyphs = rd16(b + f->maxp.off + 4);
    if (f->nglyphs == 0)
        return "グリフがありません";
    const uint8_t *hhea = b + f->hhea.off;
    f->ascender = (int16_t)rd16(hhea + 4);
    f->descender = (int16_t)rd16(hhea + 6);
    f->nhmetrics = rd16(hhea + 34);
    if (f->nhmetrics == 0 || f->nhmetrics > f->nglyphs)
        return "hhea テーブルの numberOfHMetrics が不正です";
    if ((size_t)f->hmtx.len < 4u * f->nhmetrics + 2u * (f->nglyphs - f->nhmetrics))
        return "hmtx テーブルが短すぎます";
    if ((size_t)f->loca.len < (f->loca_long ? 4u : 2u) * (f->nglyphs + 1u))
        return "loca テーブルが短すぎます";
    uint16_t fstype = rd16(b + f->os2.off + 8);
    if (fstype & (0x0002 | 0x0100 | 0x0200))
        return "このフォントは埋め込み（サブセット化）が許可されていません";

    f->goff = tk_xmalloc(sizeof *f->goff * (f->nglyphs + 1u));
    const uint8_t *loca = b + f->loca.off;
    for (size_t g = 0; g <= f->nglyphs; g++) {
        uint32_t o = f->loca_long ? rd32(loca + 4 * g) : 2u * rd16(loca + 2 * g);
        if (o > f->glyf.len || (g > 0 && o < f->goff[g - 1]))
            return "loca テーブルが壊れています";
        f->goff[g] = o;
    }
    f->w1000 = tk_xmalloc(sizeof *f->w1000 * f->nglyphs);
    const uint8_t *hmtx = b + f->hmtx.off;
    for (size_t g = 0; g < f->nglyphs; g++) {
        uint32_t adv = rd16(hmtx + 4 * (g < f->nhmetrics ? g : f->nhmetrics - 1u));
        f->w1000[g] = (uint16_t)(adv * 1000u / f->upem);
    }
    f->gid = tk_xcalloc(65536, sizeof *f->gid);
    const char *err = font_parse_cmap(f, b);
    if (err)
        return err;
    f->repl = f->gid[GETA_MARK] ? GETA_MARK : f->gid['?'] ? '?' : -1;
    return NULL;
}

/* The font file into f->data: mapped where the platform can (a document
 * reads only the tables and the glyphs it prints, so only those pages are
 * in memory: a few hundred kB of IPAex Gothic's 6 MB, in every process that
 * makes PDFs), else read whole. 0, or -1 with errno. */
static int font_load(tk_pdf_font *f, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= FONT_MAX_BYTES) {
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
            if (m != MAP_FAILED) {
                close(fd);
                f->data.data = m;
                f->data.len = (size_t)st.st_size;
                f->mapped = true;
                return 0;
            }
        }
        close(fd);
    }
    return tk_file_read(path, FONT_MAX_BYTES, &f->data);
}

static tk_pdf_font *font_try(const char *path, const char **why)
{
    tk_pdf_font *f = tk_xcalloc(1, sizeof *f);
    tk_buf_init(&f->data);
    if (font_load(f, path) != 0) {
        *why = errno == EFBIG ? "ファイルが大きすぎます" : strerror(errno);
        tk_pdf_font_free(f);
        return NULL;
    }
    f->path = tk_xstrdup(path);
    *why = font_parse(f);
    if (*why) {
        tk_pdf_font_free(f);
        return NULL;
    }
    return f;
}

tk_pdf_font *tk_pdf_font_open(const char *path, tk_diags *d)
{
    const char *why = NULL;
    if (path) {
        tk_pdf_font *f = font_try(path, &why);
        if (!f)
            tk_diag_error(d, path, 0, "フォントを使えません: %s", why);
        return f;
    }
    /* the font shipped beside templates/ (the Windows folder) comes first */
    tk_arena *a = tk_arena_new();
    const char *shipped = tk_data_path(a, "fonts/ipaexg.ttf");
    tk_pdf_font *own = tk_file_exists(shipped) ? font_try(shipped, &why) : NULL;
    tk_arena_free(a);
    if (own)
        return own;
    tk_buf tried;
    tk_buf_init(&tried);
    for (size_t i = 0; font_search_list[i]; i++) {
        if (!tk_file_exists(font_search_list[i])) {
            tk_buf_printf(&tried, "%s%s", tried.len ? "、" : "", font_search_list[i]);
            continue;
        }
        tk_pdf_font *f = font_try(font_search_list[i], &why);
        if (f) {
            tk_buf_free(&tried);
            return f;
        }
        tk_buf_printf(&tried, "%s%s（%s）", tried.len ? "、" : "", font_search_list[i], why);
    }
    tk_diag_error(d, NULL, 0,
                  "日本語フォントが見つかりません。fonts-ipaexfont-gothic を導入するか、"
                  "フォントファイルを指定してください（探した場所: %s）",
                  tried.data ? tried.data : "");
    tk_buf_free(&tried);
    return NULL;
}

void tk_pdf_font_free(tk_pdf_font *f)
{
    if (!f)
        return;
    free(f->path);
    if (f->mapped)
        munmap(f->data.data, f->data.len);
    else
        tk_buf_free(&f->data);
    free(f->gid);
    free(f->w1000);
    free(f->goff);
    free(f);
}

const char *tk_pdf_font_file(const tk_pdf_font *f) { return f->path; }

/* What is drawn for code point cp (-1: nothing). *missing is set when the
 * font lacks the character and the replacement is used instead. */
static int32_t font_map(const tk_pdf_font *f, int32_t cp, bool *missing)
{
    *missing = false;
    if (cp == '\t')
        return ' ';
    if (cp >= 0 && (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029))
        return -1;
    if (cp >= 0 && cp <= 0xFFFF && f->gid[cp])
        return cp;
    /* variation selectors, zero-width joiners, BOM: nothing to print */
    if (cp >= 0 && u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
        return -1;
    *missing = true;
    return f->repl;
}

/* Advance of the drawn form of cp in 1/1000 em. */
static uint32_t font_w(const tk_pdf_font *f, int32_t cp)
{
    bool missing;
    int32_t m = font_map(f, cp, &missing);
    return m < 0 ? 0 : f->w1000[f->gid[m]];
}

/* ---- subsetting ---- */

static uint32_t sfnt_checksum(const uint8_t *d, size_t len)
{
    uint32_t s = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++)
            v = (v << 8) | (i + k < len ? d[i + k] : 0u);
        s += v;
    }
    return s;
}

/* The components of a composite glyph: the byte offsets of their glyph
 * indices into at[] (at most max), the offset of the last component's flags
 * and the end of the component records (where instructions would follow).
 * Bounded by the glyph's length. Returns 0 for simple glyphs. */
static size_t glyph_components(const uint8_t *gd, size_t gl, size_t *at, size_t max,
                               size_t *last_flags, size_t *end)
{
    size_t n = 0;
    if (gl < 10 || (int16_t)rd16(gd) >= 0)
        return 0;
    size_t pos = 10;
    uint16_t flags = 0;
    do {
        if (pos + 4 > gl || n == max)
            break;
        flags = rd16(gd + pos);
        *last_flags = pos;
        at[n++] = pos + 2;
        pos += 4 + ((flags & 1) ? 4 : 2);
        pos += (flags & 8) ? 2 : (flags & 0x40) ? 4 : (flags & 0x80) ? 8 : 0;
    } while (flags & 0x20);
    *end = pos < gl ? pos : gl;
    return n;
}

/* Append glyph gd[0..gl) to out without its hinting instructions (about
 * half of IPAex's outline data; hints do nothing for print and most PDF
 * viewers ignore them), with composite component ids mapped through newid. */
static void copy_glyph(const tk_pdf_font *f, const uint8_t *gd, size_t gl, const uint16_t *newid,
                       tk_buf *out)
{
    size_t start = out->len, at[64], last = 0, end = 0;
    if (gl >= 12 && (int16_t)rd16(gd) >= 0) {
        size_t ip = 10 + 2 * (size_t)rd16(gd);
        if (ip + 2 <= gl && ip + 2 + rd16(gd + ip) <= gl) {
            tk_buf_append(out, (const char *)gd, ip);
            put16(out, 0);
            size_t rest = ip + 2 + rd16(gd + ip);
            tk_buf_append(out, (const char *)gd + rest, gl - rest);
            return;
        }
    }
    size_t nc = glyph_components(gd, gl, at, 64, &last, &end);
    if (nc == 0) {
        tk_buf_append(out, (const char *)gd, gl);
        return;
    }
    tk_buf_append(out, (const char *)gd, end);
    for (size_t c = 0; c < nc; c++) {
        uint16_t cg = rd16(gd + at[c]);
        set16(out, start + at[c], cg < f->nglyphs ? newid[cg] : 0);
    }
    set16(out, start + last, rd16(gd + last) & ~0x0100u); /* WE_HAVE_INSTRUCTIONS */
}

/* The cmap of the subset: one format 4 subtable whose segments cover
 * clusters of the keys (the document's codes, see pdf_code) through
 * glyphIdArray. The codes are dense, so this is one segment or a few and
 * libharu's linear segment search (once per character shown) stays cheap. */
static bool subset_cmap(const uint16_t *cps, size_t ncps, const uint16_t *newgid, tk_buf *out)
{
    size_t segs = 0, entries = 0, gap = 32, len = 0;
    for (;;) {
        segs = 0;
        entries = 0;
        for (size_t i = 0; i < ncps;) {
            size_t j = i;
            while (j + 1 < ncps && (size_t)(cps[j + 1] - cps[j]) <= gap)
                j++;
            segs++;
            entries += (size_t)(cps[j] - cps[i]) + 1;
            i = j + 1;
        }
        len = 16 + 8 * (segs + 1) + 2 * entries;
        if (len <= 65535 || gap == 0)
            break;
        gap /= 2;
    }
    if (len > 65535)
        return false;
    size_t segc = segs + 1, pow2 = 1, log2 = 0;
    while (pow2 * 2 <= segc) {
        pow2 *= 2;
        log2++;
    }
    put16(out, 0); /* cmap version */
    put16(out, 1);
    put16(out, 3);
    put16(out, 1);
    put32(out, 12);
    put16(out, 4);
    put16(out, (uint32_t)len);
    put16(out, 0);
    put16(out, (uint32_t)(segc * 2));
    put16(out, (uint32_t)(pow2 * 2));
    put16(out, (uint32_t)log2);
    put16(out, (uint32_t)(segc * 2 - pow2 * 2));
    /* endCode, pad, startCode, idDelta, idRangeOffset, glyphIdArray */
    size_t *st = tk_xmalloc(sizeof *st * segc * 2), *en = st + segc;
    size_t k = 0;
    for (size_t i = 0; i < ncps;) {
        size_t j = i;
        while (j + 1 < ncps && (size_t)(cps[j + 1] - cps[j]) <= gap)
            j++;
        st[k] = i;
        en[k] = j;
        k++;
        i = j + 1;
    }
    for (k = 0; k < segs; k++)
        put16(out, cps[en[k]]);
    put16(out, 0xFFFF);
    put16(out, 0);
    for (k = 0; k < segs; k++)
        put16(out, cps[st[k]]);
    put16(out, 0xFFFF);
    for (k = 0; k < segs; k++)
        put16(out, 0);
    put16(out, 1);
    size_t base = 0;
    for (k = 0; k < segs; k++) {
        put16(out, (uint32_t)(2 * (segc - k) + 2 * base));
        base += (size_t)(cps[en[k]] - cps[st[k]]) + 1;
    }
    put16(out, 0);
    for (k = 0; k < segs; k++) {
        size_t i = st[k];
        for (uint32_t cp = cps[st[k]]; cp <= cps[en[k]]; cp++) {
            if (i <= en[k] && cps[i] == cp)
                put16(out, newgid[i++]);
            else
                put16(out, 0);
        }
    }
    free(st);
    return true;
}

/* A TrueType font holding only the glyphs of the code points cps (sorted,
 * unique, all in the font) plus .notdef and composite components; its cmap
 * maps codes[i] (ascending) to the glyph of cps[i]. */
static bool font_subset(const tk_pdf_font *f, const uint16_t *cps, const uint16_t *codes, size_t ncps,
                        tk_buf *out)
{
    const uint8_t *b = (const uint8_t *)f->data.data;
    const uint8_t *glyf = b + f->glyf.off, *hmtx = b + f->hmtx.off;
    uint16_t *newid = tk_xcalloc(f->nglyphs, sizeof *newid);
    uint16_t *oldid = tk_xmalloc(sizeof *oldid * f->nglyphs);
    uint16_t *cpgid = tk_xmalloc(sizeof *cpgid * (ncps + 1));
    size_t ng = 0, at[64];
    oldid[ng++] = 0;
    for (size_t i = 0; i < ncps; i++) {
        uint16_t g = f->gid[cps[i]];
        if (g && !newid[g]) {
            newid[g] = (uint16_t)ng;
            oldid[ng++] = g;
        }
        cpgid[i] = newid[g];
    }
    for (size_t i = 0; i < ng; i++) {
        uint16_t g = oldid[i];
        const uint8_t *gd = glyf + f->goff[g];
        size_t last, end;
        size_t nc = glyph_components(gd, f->goff[g + 1] - f->goff[g], at, 64, &last, &end);
        for (size_t c = 0; c < nc; c++) {
            uint16_t cg = rd16(gd + at[c]);
            if (cg && cg < f->nglyphs && !newid[cg]) {
                newid[cg] = (uint16_t)ng;
                oldid[ng++] = cg;
            }
        }
    }

    tk_buf t_glyf, t_loca, t_hmtx, t_cmap, t_head, t_hhea, t_maxp, t_post;
    tk_buf *bufs[] = {&t_glyf, &t_loca, &t_hmtx, &t_cmap, &t_head, &t_hhea, &t_maxp, &t_post};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        tk_buf_init(bufs[i]);
    for (size_t i = 0; i < ng; i++) {
        uint16_t g = oldid[i];
        size_t gl = f->goff[g + 1] - f->goff[g];
        put32(&t_loca, (uint32_t)t_glyf.len);
        copy_glyph(f, glyf + f->goff[g], gl, newid, &t_glyf);
        while (t_glyf.len % 4)
            tk_buf_putc(&t_glyf, 0);
        size_t m = g < f->nhmetrics ? g : f->nhmetrics - 1u;
        put16(&t_hmtx, rd16(hmtx + 4 * m));
        put16(&t_hmtx, g < f->nhmetrics ? rd16(hmtx + 4 * g + 2)
                                        : rd16(hmtx + 4u * f->nhmetrics + 2u * (g - f->nhmetrics)));
    }
    put32(&t_loca, (uint32_t)t_glyf.len);
    bool ok = subset_cmap(codes, ncps, cpgid, &t_cmap);

    tk_buf_append(&t_head, (const char *)b + f->head.off, 54);
    set32(&t_head, 8, 0);
    set16(&t_head, 50, 1);
    tk_buf_append(&t_hhea, (const char *)b + f->hhea.off, 36);
    set16(&t_hhea, 34, (uint32_t)ng);
    tk_buf_append(&t_maxp, (const char *)b + f->maxp.off, f->maxp.len < 32 ? f->maxp.len : 32);
    set16(&t_maxp, 4, (uint32_t)ng);
    static const char zero[32];
    bool post = f->post.present && f->post.len >= 32;
    tk_buf_append(&t_post, post ? (const char *)b + f->post.off : zero, 32);
    set32(&t_post, 0, 0x00030000); /* no glyph names */
    set32(&t_post, 16, 0);
    set32(&t_post, 20, 0);
    set32(&t_post, 24, 0);
    set32(&t_post, 28, 0);

    /* libharu rewrites exactly these 13 tables, in tag order */
    struct {
        const char *tag;
        const uint8_t *d;
        size_t len;
    } tb[13] = {
        {"OS/2", b + f->os2.off, f->os2.len},
        {"cmap", (const uint8_t *)t_cmap.data, t_cmap.len},
        {"cvt ", f->cvt.present ? b + f->cvt.off : NULL, f->cvt.present ? f->cvt.len : 0},
        {"fpgm", f->fpgm.present ? b + f->fpgm.off : NULL, f->fpgm.present ? f->fpgm.len : 0},
        {"glyf", (const uint8_t *)t_glyf.data, t_glyf.len},
        {"head", (const uint8_t *)t_head.data, t_head.len},
        {"hhea", (const uint8_t *)t_hhea.data, t_hhea.len},
        {"hmtx", (const uint8_t *)t_hmtx.data, t_hmtx.len},
        {"loca", (const uint8_t *)t_loca.data, t_loca.len},
        {"maxp", (const uint8_t *)t_maxp.data, t_maxp.len},
        {"name", b + f->name.off, f->name.len},
        {"post", (const uint8_t *)t_post.data, t_post.len},
        {"prep", f->prep.present ? b + f->prep.off : NULL, f->prep.present ? f->prep.len : 0},
    };
    size_t base = out->len, off = 12 + 16 * 13, head_at = 0;
    put32(out, 0x00010000);
    put16(out, 13);
    put16(out, 128); /* searchRange: 8 * 16 */
    put16(out, 3);
    put16(out, 13 * 16 - 128);
    for (size_t i = 0; i < 13; i++) {
        tk_buf_append(out, tb[i].tag, 4);
        put32(out, tb[i].d ? sfnt_checksum(tb[i].d, tb[i].len) : 0);
        put32(out, (uint32_t)off);
        put32(out, (uint32_t)tb[i].len);
        if (strcmp(tb[i].tag, "head") == 0)
            head_at = off;
        off += (tb[i].len + 3) & ~(size_t)3;
    }
    for (size_t i = 0; i < 13; i++) {
        if (tb[i].len)
            tk_buf_append(out, (const char *)tb[i].d, tb[i].len);
        while ((out->len - base) % 4)
            tk_buf_putc(out, 0);
    }
    uint32_t sum = sfnt_checksum((const uint8_t *)out->data + base, out->len - base);
    set32(out, base + head_at + 8, 0xB1B0AFBAu - sum);

    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        tk_buf_free(bufs[i]);
    free(newid);
    free(oldid);
    free(cpgid);
    return ok;
}

/* ======================================================================
 * Documents: pages of recorded drawing operations
 * ====================================================================== */

enum op_kind { OP_TEXT, OP_LINE, OP_RECT };

typedef struct op {
    enum op_kind kind;
    bool dashed, up;
    uint32_t fill, stroke; /* text colour is fill */
    double x, y, w, h;     /* LINE: (x, y) to (w, h); RECT: corner and size */
    double size;           /* TEXT: font size; LINE, RECT: line width */
    double cs;             /* TEXT: extra space after each character */
    const char *text;      /* TEXT: printable UTF-8, in the arena */
} op;

typedef struct page {
    op *ops;
    size_t n, cap;
    bool cover;  /* no running header, footer or number */
    bool placed; /* something occupies the text area */
} page;

typedef struct brk_text brk_text;
static void brk_text_free(brk_text *bt);

struct tk_pdf {
    const tk_pdf_font *font;
    tk_pdf_font *own_font;
    tk_diags *diags;
    tk_arena *arena;
    const char *title, *author, *mark, *header_left; /* printable, in the arena */
    double body, asc;
    tk_pdf_frame frame;
    page *pages;
    size_t npages, cap;
    double y;
    /* a heading waiting to be kept with what follows it */
    bool keep_pending;
    size_t keep_op;
    double keep_top;
    /* every heading placed: its level, text, page index and first op (a
     * heading carried to the next page with what follows moves along) */
    struct heading_rec {
        int level;
        const char *text;
        size_t page, op;
    } *heads;
    size_t nheads, capheads;
    UBreakIterator *brk;
    bool brk_failed;
    brk_text **brk_slots; /* open addressing, brk_cap a power of 2 */
    size_t brk_cap, brk_n, brk_cps;
    size_t missing;
    int32_t first_missing;
};

#define INK TK_PDF_HEX(0x1A1A1A)
#define ACCENT TK_PDF_HEX(0x1F3A5F)
#define GREY_TEXT TK_PDF_HEX(0x595959)
#define RULE_LIGHT TK_PDF_HEX(0xC8CDD3)
#define RULE_DARK TK_PDF_HEX(0x6B7480)

/* Printable copy of s[0..len) in the arena: missing characters as 〓,
 * controls dropped. */
static char *clean_text(tk_pdf *p, const char *s, size_t len)
{
    tk_buf b;
    tk_buf_init(&b);
    const char *q = s, *end = s + len;
    while (q < end) {
        int32_t cp = tk_utf8_next(&q, end);
        bool missing;
        int32_t m = font_map(p->font, cp, &missing);
        if (missing) {
            if (p->missing++ == 0)
                p->first_missing = cp;
        }
        if (m >= 0)
            tk_buf_put_cp(&b, (uint32_t)m);
    }
    char *r = tk_arena_strndup(p->arena, b.data ? b.data : "", b.len);
    tk_buf_free(&b);
    return r;
}

static page *cur_page(tk_pdf *p) { return &p->pages[p->npages - 1]; }

static void add_page(tk_pdf *p, bool cover)
{
    /* the page left keeps the room its operations take, no more: a long
     * report holds every page until it is rendered */
    if (p->npages && cur_page(p)->n && cur_page(p)->n < cur_page(p)->cap) {
        page *pg = cur_page(p);
        pg->ops = tk_xrealloc(pg->ops, sizeof *pg->ops * pg->n);
        pg->cap = pg->n;
    }
    if (p->npages == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->pages = tk_xrealloc(p->pages, sizeof *p->pages * p->cap);
    }
    p->pages[p->npages++] = (page){.cover = cover};
    p->y = p->frame.top;
}

static void ensure_page(tk_pdf *p)
{
    if (p->npages == 0)
        add_page(p, false);
}

static void push_op(tk_pdf *p, op o)
{
    ensure_page(p);
    page *pg = cur_page(p);
    if (pg->n == pg->cap) {
        pg->cap = pg->cap ? pg->cap * 2 : 64;
        pg->ops = tk_xrealloc(pg->ops, sizeof *pg->ops * pg->cap);
    }
    pg->ops[pg->n++] = o;
}

/* New page; a pending heading (not already at the top of its page) moves
 * along with the cursor below it. */
static void break_page(tk_pdf *p)
{
    size_t from = p->npages - 1;
    bool carry = p->keep_pending && p->keep_top < p->frame.top - 0.5;
    double keep_top = p->keep_top, y = p->y;
    add_page(p, false);
    if (!carry) {
        p->keep_pending = false;
        return;
    }
    double dy = p->frame.top - keep_top;
    page *old = &p->pages[from];
    for (size_t i = p->keep_op; i < old->n; i++) {
        op o = old->ops[i];
        o.y += dy;
        if (o.kind == OP_LINE)
            o.h += dy;
        push_op(p, o);
    }
    for (size_t i = 0; i < p->nheads; i++)
        if (p->heads[i].page == from && p->heads[i].op >= p->keep_op) {
            p->heads[i].page = p->npages - 1;
            p->heads[i].op -= p->keep_op;
        }
    old->n = p->keep_op;
    p->keep_op = 0;
    p->keep_top = p->frame.top;
    p->y = y + dy;
    cur_page(p)->placed = true;
}

/* Make room for h points below the cursor, on a new page if need be. */
static void ensure_room(tk_pdf *p, double h)
{
    ensure_page(p);
    if (cur_page(p)->placed && p->y - h < p->frame.bottom - 0.01)
        break_page(p);
}

double tk_pdf_reserve(tk_pdf *p, double height)
{
    ensure_room(p, height);
    double top = p->y;
    p->y -= height;
    cur_page(p)->placed = true;
    p->keep_pending = false;
    return top;
}

tk_pdf_frame tk_pdf_get_frame(const tk_pdf *p) { return p->frame; }

double tk_pdf_space_left(const tk_pdf *p)
{
    if (p->npages == 0)
        return p->frame.top - p->frame.bottom;
    double s = p->y - p->frame.bottom;
    return s > 0 ? s : 0;
}

size_t tk_pdf_page_count(const tk_pdf *p) { return p->npages; }

tk_pdf *tk_pdf_new(const tk_pdf_opts *o, tk_diags *d)
{
    static const tk_pdf_opts none;
    if (!o)
        o = &none;
    tk_pdf *p = tk_xcalloc(1, sizeof *p);
    p->diags = d;
    if (o->font) {
        p->font = o->font;
    } else {
        p->own_font = tk_pdf_font_open(o->font_path, d);
        if (!p->own_font) {
            free(p);
            return NULL;
        }
        p->font = p->own_font;
    }
    p->arena = tk_arena_new();
    double margin = TK_PDF_MM(o->margin_mm > 0 ? o->margin_mm : 18.0);
    p->frame = (tk_pdf_frame){margin, TK_PDF_PAGE_WIDTH - margin, TK_PDF_PAGE_HEIGHT - margin,
                              margin};
    p->body = o->body_size > 0 ? o->body_size : 10.0;
    double asc = p->font->ascender, desc = -(double)p->font->descender;
    p->asc = asc > 0 && desc >= 0 ? asc / (asc + desc) : 0.88;
#define CLEAN(s) ((s) ? clean_text(p, (s), strlen(s)) : NULL)
    p->title = CLEAN(o->title);
    p->author = CLEAN(o->author);
    p->mark = CLEAN(o->mark);
    p->header_left = CLEAN(o->header_left);
#undef CLEAN
    return p;
}

void tk_pdf_free(tk_pdf *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->npages; i++)
        free(p->pages[i].ops);
    free(p->pages);
    free(p->heads);
    if (p->brk)
        ubrk_close(p->brk);
    for (size_t i = 0; i < p->brk_cap; i++)
        if (p->brk_slots[i]) {
            brk_text_free(p->brk_slots[i]);
            free(p->brk_slots[i]);
        }
    free(p->brk_slots);
    tk_arena_free(p->arena);
    tk_pdf_font_free(p->own_font);
    free(p);
}

/* ======================================================================
 * Line breaking
 * ====================================================================== */

static bool is_digit(int32_t c) { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19); }

static bool is_break_space(int32_t c)
{
    return c == ' ' || c == '\t' || c == 0x3000 || c == '\n' || c == '\r' || c == 0x0B ||
           c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* Zero-width characters that belong to the one before them. */
static bool is_attached(int32_t c)
{
    if (c < 0x300)
        return false;
    int8_t t = u_charType(c);
    return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK ||
           u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

/* Break opportunities ICU allows that we take away: inside a number and
 * what it is attached to (令和8年, 1,234.5点, 第3条), inside an era name and
 * between it and its year (令和|元年). */
static bool glued(int32_t a, int32_t b)
{
    if ((is_digit(a) && !is_break_space(b)) || (is_digit(b) && !is_break_space(a)))
        return true;
    static const int32_t era[][2] = {
        {0x660E, 0x6CBB}, /* 明治 */
        {0x5927, 0x6B63}, /* 大正 */
        {0x662D, 0x548C}, /* 昭和 */
        {0x5E73, 0x6210}, /* 平成 */
        {0x4EE4, 0x548C}, /* 令和 */
    };
    for (size_t i = 0; i < sizeof era / sizeof era[0]; i++) {
        if (a == era[i][0] && b == era[i][1])
            return true;
        if (a == era[i][1] && b == 0x5143 /* 元 */)
            return true;
    }
    return a == 0x5143 && b == 0x5E74; /* 元年 */
}

/* A last-resort break between two characters is acceptable: ICU's line
 * break classes of the two say neither "never at a line start" nor "never
 * at a line end". */
static bool can_split(int32_t a, int32_t b)
{
    switch (u_getIntPropertyValue(b, UCHAR_LINE_BREAK)) {
    case U_LB_CLOSE_PUNCTUATION:
    case U_LB_CLOSE_PARENTHESIS:
    case U_LB_NONSTARTER:
    case U_LB_CONDITIONAL_JAPANESE_STARTER:
    case U_LB_EXCLAMATION:
    case U_LB_INFIX_NUMERIC:
    case U_LB_COMBINING_MARK:
    case U_LB_ZWJ:
        return false;
    default:
        break;
    }
    return u_getIntPropertyValue(a, UCHAR_LINE_BREAK) != U_LB_OPEN_PUNCTUATION;
}

typedef struct mtext {
    size_t n;       /* code points */
    size_t *off;    /* [n + 1] byte offsets */
    int32_t *cp;    /* [n] */
    uint64_t *cum;  /* [n + 1] width of [0, i) in 1/1000 em */
} mtext;

static void mtext_init(mtext *m, const tk_pdf_font *f, const char *s, size_t len)
{
    m->off = tk_xmalloc(sizeof *m->off * (len + 1));
    m->cp = tk_xmalloc(sizeof *m->cp * (len + 1));
    m->cum = tk_xmalloc(sizeof *m->cum * (len + 1));
    size_t n = 0;
    const char *q = s, *end = s + len;
    m->cum[0] = 0;
    while (q < end) {
        m->off[n] = (size_t)(q - s);
        int32_t c = tk_utf8_next(&q, end);
        m->cp[n] = c;
        m->cum[n + 1] = m->cum[n] + font_w(f, c);
        n++;
    }
    m->off[n] = len;
    m->n = n;
}

static void mtext_free(mtext *m)
{
    free(m->off);
    free(m->cp);
    free(m->cum);
}

typedef struct brk_pt {
    size_t at; /* code point index */
    bool hard;
} brk_pt;

/* Allowed break positions after ICU's strict Japanese rules and glued(),
 * ending with m->n. Caller frees. */
static brk_pt *break_points(tk_pdf *p, const char *s, const mtext *m, size_t *nout)
{
    brk_pt *b = tk_xmalloc(sizeof *b * (m->n + 1));
    size_t nb = 0;
    UErrorCode st = U_ZERO_ERROR;
    if (!p->brk && !p->brk_failed) {
        p->brk = ubrk_open(UBRK_LINE, "ja@lb=strict", NULL, 0, &st);
        if (U_FAILURE(st)) {
            p->brk = NULL;
            p->brk_failed = true;
            tk_diag_warn(p->diags, NULL, 0, "ICU の行分割を使えません（%s）。文字単位で折り返します",
                         u_errorName(st));
        }
    }
    bool ok = false;
    UText ut = UTEXT_INITIALIZER;
    if (p->brk) {
        st = U_ZERO_ERROR;
        utext_openUTF8(&ut, s, (int64_t)m->off[m->n], &st);
        ubrk_setUText(p->brk, &ut, &st);
        ok = U_SUCCESS(st);
    }
    if (ok) {
        size_t j = 0;
        for (int32_t pos = ubrk_following(p->brk, 0); pos != UBRK_DONE; pos = ubrk_next(p->brk)) {
            while (j < m->n && m->off[j] < (size_t)pos)
                j++;
            if (m->off[j] != (size_t)pos || j == 0)
                continue;
            bool hard = ubrk_getRuleStatus(p->brk) >= UBRK_LINE_HARD;
            if (j < m->n && !hard && glued(m->cp[j - 1], m->cp[j]))
                continue;
            b[nb++] = (brk_pt){j, hard};
        }
        /* the iterator keeps a pointer to the text: detach it */
        UText empty = UTEXT_INITIALIZER;
        st = U_ZERO_ERROR;
        utext_openUTF8(&empty, "", 0, &st);
        ubrk_setUText(p->brk, &empty, &st);
        utext_close(&empty);
    } else {
        for (size_t j = 1; j <= m->n; j++)
            if (j == m->n || !is_attached(m->cp[j]))
                b[nb++] = (brk_pt){j, m->cp[j - 1] == '\n'};
    }
    utext_close(&ut);
    if (nb == 0 || b[nb - 1].at != m->n)
        b[nb++] = (brk_pt){m->n, false};
    *nout = nb;
    return b;
}

static size_t trim_end(const mtext *m, size_t from, size_t to)
{
    while (to > from && is_break_space(m->cp[to - 1]))
        to--;
    return to;
}

typedef struct lines_out {
    tk_pdf_line *v;
    size_t n, cap;
} lines_out;

static void emit(lines_out *o, const mtext *m, size_t a, size_t e, bool hard, double size)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->v = tk_xrealloc(o->v, sizeof *o->v * o->cap);
    }
    double w = (double)(m->cum[e] - m->cum[a]) * size / 1000.0;
    o->v[o->n++] = (tk_pdf_line){m->off[a], m->off[e], w, hard};
}

/* ---- the measured text and break points of each text broken ----
 * Both depend on the text alone (not on the size or the width), and a
 * document breaks the same texts again and again: a table row is measured
 * before it is placed, its cells repeat (answers, dates), a table is fitted
 * to its content before it is laid out. A document keeps them for each
 * text, up to BRK_CACHE_CPS code points in all. */
#define BRK_CACHE_CPS ((size_t)1 << 18)

struct brk_text {
    uint64_t hash;
    char *text;
    size_t len;
    mtext m;
    brk_pt *bp;
    size_t nb;
};

static uint64_t brk_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3u;
    return h;
}

static void brk_measure(tk_pdf *p, const char *s, size_t len, brk_text *bt)
{
    mtext_init(&bt->m, p->font, s, len);
    bt->bp = break_points(p, s, &bt->m, &bt->nb);
    bt->text = NULL;
}

static void brk_text_free(brk_text *bt)
{
    mtext_free(&bt->m);
    free(bt->bp);
    free(bt->text);
}

/* The measured text s[0..len), from the document's cache or measured into
 * it; NULL when the cache is full. */
static brk_text *brk_cached(tk_pdf *p, const char *s, size_t len)
{
    uint64_t h = brk_hash(s, len);
    size_t mask = p->brk_cap - 1, i = p->brk_cap ? (size_t)h & mask : 0;
    for (; p->brk_cap && p->brk_slots[i]; i = (i + 1) & mask) {
        brk_text *e = p->brk_slots[i];
        if (e->hash == h && e->len == len && memcmp(e->text, s, len) == 0)
            return e;
    }
    if (p->brk_cps + len > BRK_CACHE_CPS)
        return NULL;
    if (2 * (p->brk_n + 1) > p->brk_cap) {
        size_t cap = p->brk_cap ? 2 * p->brk_cap : 256;
        brk_text **slots = tk_xcalloc(cap, sizeof *slots);
        for (size_t k = 0; k < p->brk_cap; k++) {
            brk_text *e = p->brk_slots[k];
            if (!e)
                continue;
            size_t j = (size_t)e->hash & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = e;
        }
        free(p->brk_slots);
        p->brk_slots = slots;
        p->brk_cap = cap;
        mask = cap - 1;
        for (i = (size_t)h & mask; slots[i]; i = (i + 1) & mask)
            ;
    }
    brk_text *e = tk_xmalloc(sizeof *e);
    brk_measure(p, s, len, e);
    e->hash = h;
    e->len = len;
    e->text = tk_xmalloc(len + 1);
    memcpy(e->text, s, len);
    e->text[len] = 0;
    p->brk_slots[i] = e;
    p->brk_n++;
    p->brk_cps += e->m.n;
    return e;
}

/* Greedy first-fit over the break points; first_w for the first line. */
static size_t break_core(tk_pdf *p, const char *s, size_t len, double size, double first_w,
                         double width, tk_pdf_line **lines)
{
    *lines = NULL;
    if (len == 0 || size <= 0)
        return 0;
    brk_text own, *bt = brk_cached(p, s, len);
    if (!bt) {
        brk_measure(p, s, len, &own);
        bt = &own;
    }
    const mtext *const m = &bt->m;
    const brk_pt *const bp = bt->bp;
    const size_t nb = bt->nb;
    lines_out o = {0};
    const size_t none = (size_t)-1;
    size_t ls = 0, fit = none, k = 0;
    /* limits in 1/1000 em, with a hair of slack for the division */
    double lim = first_w * 1000.0 / size + 1e-6;
    while (k < nb) {
        size_t b = bp[k].at;
        if (b <= ls) {
            k++;
            continue;
        }
        size_t e = trim_end(m, ls, b);
        if ((double)(m->cum[e] - m->cum[ls]) <= lim) {
            if (bp[k].hard) {
                emit(&o, m, ls, e, true, size);
                ls = b;
                fit = none;
                lim = width * 1000.0 / size + 1e-6;
            } else {
                fit = b;
            }
            k++;
            continue;
        }
        double full = width * 1000.0 / size + 1e-6;
        if (fit != none && (double)(m->cum[trim_end(m, fit, b)] - m->cum[fit]) <= full) {
            emit(&o, m, ls, trim_end(m, ls, fit), false, size);
            ls = fit;
            fit = none;
            lim = full;
            continue;
        }
        /* fit..b (or ls..b) will not fit on a line by itself: break it
         * between characters, filling the current line first, and if it
         * can be done, not before closing punctuation or after opening */
        size_t c = ls + 1, good = 0;
        while (c < b && is_attached(m->cp[c]))
            c++;
        for (;;) {
            if (c < m->n && can_split(m->cp[c - 1], m->cp[c]))
                good = c;
            size_t c2 = c + 1;
            while (c2 < b && is_attached(m->cp[c2]))
                c2++;
            if (c2 >= b || (double)(m->cum[c2] - m->cum[ls]) > lim)
                break;
            c = c2;
        }
        if (good > ls && (double)(m->cum[good] - m->cum[ls]) >= lim / 2)
            c = good;
        if (fit != none && c <= fit) {
            emit(&o, m, ls, trim_end(m, ls, fit), false, size);
            ls = fit;
        } else {
            emit(&o, m, ls, c, false, size);
            ls = c;
        }
        fit = none;
        lim = full;
    }
    if (ls < m->n)
        emit(&o, m, ls, trim_end(m, ls, m->n), false, size);
    if (bt == &own)
        brk_text_free(&own);
    *lines = o.v;
    return o.n;
}

size_t tk_pdf_break_lines(tk_pdf *p, const char *text, double font_size, double width_pt,
                          tk_pdf_line **lines)
{
    return break_core(p, text ? text : "", text ? strlen(text) : 0, font_size, width_pt, width_pt,
                      lines);
}

static double text_width_n(tk_pdf *p, const char *text, size_t len, double size)
{
    uint64_t w = 0;
    const char *q = text, *end = text + len;
    while (q < end)
        w += font_w(p->font, tk_utf8_next(&q, end));
    return (double)w * size / 1000.0;
}

double tk_pdf_text_width(tk_pdf *p, const char *text, double size)
{
    return text ? text_width_n(p, text, strlen(text), size) : 0;
}

/* ======================================================================
 * Drawing primitives
 * ====================================================================== */

static void text_op(tk_pdf *p, double x, double y, double size, uint32_t color, double cs, bool up,
                    const char *s, size_t len)
{
    char *t = clean_text(p, s, len);
    if (!*t)
        return;
    push_op(p, (op){.kind = OP_TEXT, .up = up, .fill = color ? color : INK, .x = x, .y = y,
                    .size = size, .cs = cs, .text = t});
}

void tk_pdf_draw_text(tk_pdf *p, double x, double y, double size, uint32_t color,
                      tk_pdf_align align, const char *text)
{
    if (!text || size <= 0)
        return;
    if (align == TK_PDF_ALIGN_CENTER || align == TK_PDF_ALIGN_RIGHT) {
        double w = tk_pdf_text_width(p, text, size);
        x -= align == TK_PDF_ALIGN_CENTER ? w / 2 : w;
    }
    text_op(p, x, y, size, color, 0, false, text, strlen(text));
}

void tk_pdf_draw_text_up(tk_pdf *p, double x, double y, double size, uint32_t color,
                         const char *text)
{
    if (text && size > 0)
        text_op(p, x, y, size, color, 0, true, text, strlen(text));
}

void tk_pdf_draw_line(tk_pdf *p, double x1, double y1, double x2, double y2, double width,
                      uint32_t color, bool dashed)
{
    push_op(p, (op){.kind = OP_LINE, .dashed = dashed, .stroke = color ? color : INK, .x = x1,
                    .y = y1, .w = x2, .h = y2, .size = width > 0 ? width : 0.5});
}

void tk_pdf_draw_rect(tk_pdf *p, double x, double y, double w, double h, uint32_t fill,
                      uint32_t stroke, double line_width)
{
    if (!fill && !stroke)
        return;
    push_op(p, (op){.kind = OP_RECT, .fill = fill, .stroke = stroke, .x = x, .y = y, .w = w, .h = h,
                    .size = line_width > 0 ? line_width : 0.5});
}

/* Baseline of a line of text of size set in a line box of height lh
 * whose top is at top: the em box is centred in the line box. */
static double baseline(const tk_pdf *p, double top, double lh, double size)
{
    return top - (lh - size) / 2 - p->asc * size;
}

/* Where justification may add space: after a character when it or the
 * next one is Japanese (wide) or a space — never inside a Latin word or a
 * number, nor before a combining mark. */
static bool is_wide_or_space(int32_t c)
{
    if (is_break_space(c))
        return true;
    int w = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    return w == U_EA_WIDE || w == U_EA_FULLWIDTH;
}

/* Draw text[ln->start, ln->end) at (x, y); extra > 0 spreads that much
 * space over the justifiable gaps (given up when it would exceed a third
 * of an em per gap). Runs of characters with and without added space
 * become separate text operations, each with its own character spacing. */
static void draw_line(tk_pdf *p, const char *text, const tk_pdf_line *ln, double x, double y,
                      double size, uint32_t color, double extra)
{
    const char *s = text + ln->start, *end = text + ln->end;
    size_t n = 0, gaps = 0;
    int32_t prev = -1;
    bool *jf = NULL;
    const char **at = NULL;
    if (extra > 0) {
        size_t len = (size_t)(end - s);
        jf = tk_xcalloc(len + 1, sizeof *jf);
        at = tk_xmalloc(sizeof *at * (len + 2));
        const char *q = s;
        while (q < end) {
            at[n] = q;
            int32_t c = tk_utf8_next(&q, end);
            if (n > 0 && !is_attached(c) && (is_wide_or_space(prev) || is_wide_or_space(c))) {
                jf[n - 1] = true;
                gaps++;
            }
            prev = c;
            n++;
        }
        at[n] = end;
    }
    double e = gaps ? extra / (double)gaps : 0;
    if (e <= 0 || e > size / 3) {
        text_op(p, x, y, size, color, 0, false, s, (size_t)(end - s));
    } else {
        size_t i = 0;
        while (i < n) {
            size_t j = i;
            while (j + 1 < n && jf[j + 1] == jf[i])
                j++;
            size_t len = (size_t)(at[j + 1] - at[i]);
            text_op(p, x, y, size, color, jf[i] ? e : 0, false, at[i], len);
            x += text_width_n(p, at[i], len, size) + (jf[i] ? e * (double)(j - i + 1) : 0);
            i = j + 1;
        }
    }
    free(jf);
    free(at);
}

/* ======================================================================
 * Flowed content
 * ====================================================================== */

void tk_pdf_space(tk_pdf *p, double mm)
{
    if (p->npages == 0 || !cur_page(p)->placed || mm <= 0)
        return;
    p->y -= TK_PDF_MM(mm);
    if (p->y < p->frame.bottom)
        p->y = p->frame.bottom;
}

void tk_pdf_page_break(tk_pdf *p)
{
    if (p->npages == 0 || !cur_page(p)->placed)
        return;
    p->keep_pending = false;
    add_page(p, false);
}

void tk_pdf_heading(tk_pdf *p, int level, const char *text)
{
    static const double sizes[] = {16, 13, 11};
    static const double before[] = {5.0, 4.0, 2.5}, after[] = {3.0, 2.0, 1.2}; /* mm */
    if (!text)
        return;
    int l = level < 1 ? 0 : level > 3 ? 2 : level - 1;
    double size = sizes[l], lh = size * 1.35, width = p->frame.right - p->frame.left;
    tk_pdf_line *lines;
    size_t n = tk_pdf_break_lines(p, text, size, width, &lines);
    if (n == 0) {
        free(lines);
        return;
    }
    ensure_page(p);
    if (cur_page(p)->placed && !p->keep_pending)
        tk_pdf_space(p, before[l]);
    double rule = l < 2 ? 3.0 : 0;
    double h = (double)n * lh + rule + TK_PDF_MM(after[l]);
    ensure_room(p, h);
    if (!p->keep_pending) {
        p->keep_op = cur_page(p)->n;
        p->keep_top = p->y;
    }
    if (p->nheads == p->capheads) {
        p->capheads = p->capheads ? p->capheads * 2 : 32;
        p->heads = tk_xrealloc(p->heads, p->capheads * sizeof *p->heads);
    }
    p->heads[p->nheads++] = (struct heading_rec){l + 1, tk_arena_strdup(p->arena, text), p->npages - 1, cur_page(p)->n};
    double top = p->y;
    uint32_t color = l < 2 ? ACCENT : INK;
    for (size_t i = 0; i < n; i++)
        text_op(p, p->frame.left, baseline(p, top - (double)i * lh, lh, size), size, color, 0,
                false, text + lines[i].start, lines[i].end - lines[i].start);
    double ry = top - (double)n * lh - 1.5;
    if (l == 0)
        tk_pdf_draw_line(p, p->frame.left, ry, p->frame.right, ry, 1.0, ACCENT, false);
    else if (l == 1)
        tk_pdf_draw_line(p, p->frame.left, ry, p->frame.right, ry, 0.5, RULE_LIGHT, false);
    p->y = top - h;
    cur_page(p)->placed = true;
    p->keep_pending = true;
    free(lines);
}

void tk_pdf_paragraph(tk_pdf *p, const char *text, const tk_pdf_style *st)
{
    static const tk_pdf_style none;
    if (!st)
        st = &none;
    if (!text)
        return;
    double size = st->size > 0 ? st->size : p->body;
    double lh = size * (st->leading > 0 ? st->leading : 1.6);
    double indent = TK_PDF_MM(st->indent_mm > 0 ? st->indent_mm : 0);
    double width = p->frame.right - p->frame.left - indent;
    double first = st->first_indent ? size : 0;
    tk_pdf_line *lines;
    size_t n = break_core(p, text, strlen(text), size, width - first, width, &lines);
    if (n == 0) {
        free(lines);
        return;
    }
    /* no single first line left at the bottom of a page */
    ensure_room(p, (double)(n < 2 ? n : 2) * lh);
    tk_pdf_align al = st->align ? st->align : TK_PDF_ALIGN_JUSTIFY;
    for (size_t i = 0; i < n; i++) {
        double top = tk_pdf_reserve(p, lh);
        double x = p->frame.left + indent + (i == 0 ? first : 0);
        double avail = width - (i == 0 ? first : 0), extra = 0;
        tk_pdf_line *ln = &lines[i];
        if (al == TK_PDF_ALIGN_CENTER)
            x += (avail - ln->width) / 2;
        else if (al == TK_PDF_ALIGN_RIGHT)
            x += avail - ln->width;
        else if (al == TK_PDF_ALIGN_JUSTIFY && i + 1 < n && !ln->hard)
            extra = avail - ln->width;
        draw_line(p, text, ln, x, baseline(p, top, lh, size), size, st->color, extra);
    }
    free(lines);
    double after = st->space_after_mm < 0 ? 0 : st->space_after_mm > 0 ? st->space_after_mm : 2.5;
    tk_pdf_space(p, after);
}

size_t tk_pdf_headings(const tk_pdf *p, tk_pdf_mark **out)
{
    *out = tk_xcalloc(p->nheads ? p->nheads : 1, sizeof **out);
    for (size_t i = 0; i < p->nheads; i++) {
        size_t num = 0;
        for (size_t k = 0; k <= p->heads[i].page && k < p->npages; k++)
            num += !p->pages[k].cover;
        (*out)[i] = (tk_pdf_mark){p->heads[i].level, p->heads[i].text, p->pages[p->heads[i].page].cover ? 0 : num};
    }
    return p->nheads;
}

void tk_pdf_front_page(tk_pdf *p)
{
    if (p->npages == 0 || cur_page(p)->placed)
        add_page(p, true);
    else
        cur_page(p)->cover = true;
    p->keep_pending = false;
}

void tk_pdf_cover_page(tk_pdf *p, const tk_pdf_cover *c)
{
    if (!c)
        return;
    if (p->npages > 0 && cur_page(p)->placed)
        add_page(p, true);
    else if (p->npages == 0)
        add_page(p, true);
    else
        cur_page(p)->cover = true;
    p->keep_pending = false;
    double l = p->frame.left, r = p->frame.right, w = r - l, cx = (l + r) / 2;
    double y = TK_PDF_PAGE_HEIGHT * 0.66;
    tk_pdf_draw_line(p, l, y + 18, r, y + 18, 1.2, ACCENT, false);
    if (c->title) {
        tk_pdf_line *ln;
        size_t n = tk_pdf_break_lines(p, c->title, 24, w - 24, &ln);
        for (size_t i = 0; i < n; i++) {
            y -= 24 * 1.45;
            text_op(p, cx - ln[i].width / 2, y + 6, 24, ACCENT, 0, false, c->title + ln[i].start,
                    ln[i].end - ln[i].start);
        }
        free(ln);
    }
    y -= 14;
    for (size_t s = 0; c->subtitles && s < c->nsubtitles; s++) {
        if (!c->subtitles[s])
            continue;
        tk_pdf_line *ln;
        size_t n = tk_pdf_break_lines(p, c->subtitles[s], 14, w - 24, &ln);
        for (size_t i = 0; i < n; i++) {
            y -= 14 * 1.6;
            text_op(p, cx - ln[i].width / 2, y + 4, 14, INK, 0, false,
                    c->subtitles[s] + ln[i].start, ln[i].end - ln[i].start);
        }
        free(ln);
    }
    y -= 10;
    tk_pdf_draw_line(p, l, y, r, y, 1.2, ACCENT, false);
    if (c->date_line)
        tk_pdf_draw_text(p, cx, TK_PDF_PAGE_HEIGHT * 0.36, 13, INK, TK_PDF_ALIGN_CENTER,
                         c->date_line);
    if (c->organisation)
        tk_pdf_draw_text(p, cx, TK_PDF_PAGE_HEIGHT * 0.22, 16, INK, TK_PDF_ALIGN_CENTER,
                         c->organisation);
    cur_page(p)->placed = true;
    p->y = p->frame.bottom; /* full: what follows starts a new page */
}

/* ======================================================================
 * Tables
 * ====================================================================== */

struct tk_pdf_table {
    tk_pdf *p;
    size_t ncols;
    double *x, *w;
    tk_pdf_align *align;
    const char **headers; /* NULL when there is no header row */
    double size, lh, padx, pady, header_h;
    bool zebra, started;
    uint32_t header_fill;
    size_t rows;
    /* the first row waits for the second, so that the header never stands
     * at the foot of a page with a single row under it */
    bool pending;
    const char **pend_cells;
    tk_pdf_cell_style *pend_styles;
};

#define TABLE_PADX 4.0
#define TABLE_PADY 2.6

typedef struct cell_lines {
    tk_pdf_line *v;
    size_t n;
} cell_lines;

static double cell_x(const tk_pdf_table *t, size_t c, tk_pdf_align al, double width)
{
    switch (al) {
    case TK_PDF_ALIGN_RIGHT:
        return t->x[c] + t->w[c] - t->padx - width;
    case TK_PDF_ALIGN_CENTER:
        return t->x[c] + (t->w[c] - width) / 2;
    case TK_PDF_ALIGN_DEFAULT:
    case TK_PDF_ALIGN_LEFT:
    case TK_PDF_ALIGN_JUSTIFY:
        break;
    }
    return t->x[c] + t->padx;
}

static void table_break(tk_pdf_table *t, const char *const *cells, cell_lines *cl)
{
    for (size_t c = 0; c < t->ncols; c++) {
        double avail = t->w[c] - 2 * t->padx;
        cl[c].n = tk_pdf_break_lines(t->p, cells && cells[c] ? cells[c] : "", t->size,
                                     avail > t->size ? avail : t->size, &cl[c].v);
    }
}

static void draw_header(tk_pdf_table *t)
{
    if (!t->headers)
        return;
    tk_pdf *p = t->p;
    cell_lines *cl = tk_xcalloc(t->ncols, sizeof *cl);
    table_break(t, t->headers, cl);
    double top = tk_pdf_reserve(p, t->header_h);
    double left = t->x[0], right = t->x[t->ncols - 1] + t->w[t->ncols - 1];
    tk_pdf_draw_rect(p, left, top - t->header_h, right - left, t->header_h, t->header_fill, 0, 0);
    for (size_t c = 0; c < t->ncols; c++) {
        double block = (double)cl[c].n * t->lh;
        double y0 = top - (t->header_h - block) / 2;
        tk_pdf_align al = t->align[c] == TK_PDF_ALIGN_RIGHT ? TK_PDF_ALIGN_RIGHT
                          : t->align[c] == TK_PDF_ALIGN_CENTER ? TK_PDF_ALIGN_CENTER
                                                               : TK_PDF_ALIGN_LEFT;
        for (size_t i = 0; i < cl[c].n; i++) {
            tk_pdf_line *ln = &cl[c].v[i];
            double by = baseline(p, y0 - (double)i * t->lh, t->lh, t->size);
            text_op(p, cell_x(t, c, al, ln->width), by, t->size, INK, 0, false,
                    t->headers[c] + ln->start, ln->end - ln->start);
        }
        free(cl[c].v);
    }
    free(cl);
    tk_pdf_draw_line(p, left, top, right, top, 0.8, RULE_DARK, false);
    tk_pdf_draw_line(p, left, top - t->header_h, right, top - t->header_h, 0.6, RULE_DARK, false);
}

tk_pdf_table *tk_pdf_table_begin(tk_pdf *p, size_t ncols, const double *widths,
                                 const char *const *headers, const tk_pdf_table_opts *o)
{
    static const tk_pdf_table_opts none;
    if (!o)
        o = &none;
    if (ncols == 0)
        ncols = 1;
    tk_pdf_table *t = tk_arena_alloc(p->arena, sizeof *t);
    memset(t, 0, sizeof *t);
    t->p = p;
    t->ncols = ncols;
    t->x = tk_arena_alloc(p->arena, sizeof *t->x * ncols);
    t->w = tk_arena_alloc(p->arena, sizeof *t->w * ncols);
    t->align = tk_arena_alloc(p->arena, sizeof *t->align * ncols);
    double total = p->frame.right - p->frame.left, sum = 0;
    for (size_t c = 0; c < ncols; c++) {
        double v = widths && widths[c] > 0 ? widths[c] : widths && o->widths_mm ? 20 : 1;
        t->w[c] = o->widths_mm ? TK_PDF_MM(v) : v;
        sum += t->w[c];
        t->align[c] = o->align ? o->align[c] : TK_PDF_ALIGN_LEFT;
    }
    double scale = !o->widths_mm || sum > total ? total / sum : 1.0;
    double x = p->frame.left;
    for (size_t c = 0; c < ncols; c++) {
        t->w[c] *= scale;
        t->x[c] = x;
        x += t->w[c];
    }
    t->size = o->size > 0 ? o->size : 9.0;
    t->lh = t->size * 1.4;
    t->padx = TABLE_PADX;
    t->pady = TABLE_PADY;
    t->zebra = o->zebra;
    t->header_fill = o->header_fill ? o->header_fill : TK_PDF_HEX(0xE9ECF0);
    if (headers) {
        t->headers = tk_arena_alloc(p->arena, sizeof *t->headers * ncols);
        cell_lines *cl = tk_xcalloc(ncols, sizeof *cl);
        size_t maxn = 1;
        for (size_t c = 0; c < ncols; c++)
            t->headers[c] = tk_arena_strdup(p->arena, headers[c] ? headers[c] : "");
        table_break(t, t->headers, cl);
        for (size_t c = 0; c < ncols; c++) {
            if (cl[c].n > maxn)
                maxn = cl[c].n;
            free(cl[c].v);
        }
        free(cl);
        t->header_h = (double)maxn * t->lh + 2 * t->pady;
    }
    return t;
}

/* A line of a cell at most this many em wide is never broken when a table
 * fits its columns (an answer, a date, a name); a longer one is text. */
#define FIT_SHORT_EM 9.0
/* A column of text is never narrower than this many em. */
#define FIT_TEXT_MIN_EM 5.0

/* The narrowest and the natural (unwrapped) width of one cell's text, in pt,
 * padding included. */
static void cell_extent(tk_pdf *p, const char *s, double size, bool heading, double *minw, double *maxw)
{
    double mn = 0, mx = 0;
    const char *q = s;
    while (*q) {
        size_t n = strcspn(q, "\n");
        double w = text_width_n(p, q, n, size);
        mx = w > mx ? w : mx;
        double least;
        if (w <= FIT_SHORT_EM * size && !heading) {
            least = w; /* short: kept on one line */
        } else {
            /* long: its widest piece between break opportunities */
            tk_pdf_line *ls;
            char *line = tk_xmalloc(n + 1);
            memcpy(line, q, n);
            line[n] = 0;
            size_t k = tk_pdf_break_lines(p, line, size, size, &ls);
            least = heading ? 0 : FIT_TEXT_MIN_EM * size;
            for (size_t i = 0; i < k; i++)
                least = ls[i].width > least ? ls[i].width : least;
            free(ls);
            free(line);
        }
        mn = least > mn ? least : mn;
        q += n;
        if (*q)
            q++;
    }
    *minw = mn + 2 * TABLE_PADX;
    *maxw = mx + 2 * TABLE_PADX;
}

/* The natural widths (pt) of a cell's lines, appended to *v. */
static void line_widths(tk_pdf *p, const char *s, double size, double **v, size_t *n, size_t *cap)
{
    const char *q = s;
    do {
        size_t len = strcspn(q, "\n");
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *v = tk_xrealloc(*v, *cap * sizeof **v);
        }
        (*v)[(*n)++] = text_width_n(p, q, len, size);
        q += len;
        if (*q)
            q++;
    } while (*q);
}

/* The lines of cell k (line widths lw[off[k]] .. lw[off[k + 1] - 1]) in a
 * column of width w: a line of natural width lw taking ceil(lw / room). */
static double cell_nlines(const size_t *off, const double *lw, size_t k, double w)
{
    double room = w - 2 * TABLE_PADX, n = 0;
    for (size_t i = off[k]; i < off[k + 1]; i++)
        n += lw[i] <= room ? 1 : ceil(lw[i] / (room > 1 ? room : 1));
    return n;
}

/* What a layout costs: the table's height in lines (each row as tall as
 * its tallest cell), and half the lines of all its cells, so that no cell
 * is squeezed into a tall narrow column beside a taller one. n: the lines
 * of each cell (nrows × ncols). Whole numbers: the sums are exact in any
 * order, which fit_trial relies on. */
static double table_lines(size_t ncols, size_t nrows, const double *n)
{
    double total = 0, ink = 0;
    for (size_t r = 0; r < nrows; r++) {
        double tallest = 1;
        for (size_t c = 0; c < ncols; c++) {
            double v = n[r * ncols + c];
            tallest = v > tallest ? v : tallest;
            ink += v;
        }
        total += tallest;
    }
    return total + ink / 2;
}

/* Trying widths for column c alone: the rows' tallest cell in the other
 * columns (at least 1) and the lines of the other columns' cells, so that
 * each trial counts only column c again. */
typedef struct fit_trial {
    size_t c;
    double *other; /* [nrows] */
    double ink;
} fit_trial;

static void fit_trial_begin(fit_trial *t, size_t c, size_t ncols, size_t nrows, const double *n)
{
    t->c = c;
    t->ink = 0;
    for (size_t r = 0; r < nrows; r++) {
        double tallest = 1;
        for (size_t k = 0; k < ncols; k++) {
            if (k == c)
                continue;
            double v = n[r * ncols + k];
            tallest = v > tallest ? v : tallest;
            t->ink += v;
        }
        t->other[r] = tallest;
    }
}

/* table_lines with column t->c at width w. */
static double fit_trial_cost(const fit_trial *t, size_t ncols, size_t nrows, const size_t *off, const double *lw,
                             double w)
{
    double total = 0, ink = t->ink;
    for (size_t r = 0; r < nrows; r++) {
        double v = cell_nlines(off, lw, r * ncols + t->c, w);
        total += v > t->other[r] ? v : t->other[r];
        ink += v;
    }
    return total + ink / 2;
}

void tk_pdf_table_fit(tk_pdf *p, size_t ncols, const char *const *headers, const char *const *cells, size_t nrows,
                      double size, double *widths)
{
    if (ncols == 0)
        return;
    if (size <= 0)
        size = 9.0;
    double total = p->frame.right - p->frame.left, smin = 0;
    double *mn = tk_xcalloc(ncols, sizeof *mn), *mx = tk_xcalloc(ncols, sizeof *mx);
    for (size_t c = 0; c < ncols; c++) {
        if (headers && headers[c])
            cell_extent(p, headers[c], size, true, &mn[c], &mx[c]);
        for (size_t r = 0; r < nrows; r++) {
            const char *s = cells[r * ncols + c];
            double a, b;
            cell_extent(p, s ? s : "", size, false, &a, &b);
            mn[c] = a > mn[c] ? a : mn[c];
            mx[c] = b > mx[c] ? b : mx[c];
        }
        mx[c] = mx[c] > total ? total : mx[c]; /* no column wider than a line */
        smin += mn[c];
        widths[c] = mn[c];
    }
    if (smin >= total) { /* too much: the least each needs, scaled */
        for (size_t c = 0; c < ncols; c++)
            widths[c] = mn[c] * total / smin;
        free(mn);
        free(mx);
        return;
    }
    /* the rest in small steps, each to the column that shortens the table
     * most (the one that wants the most more when none does) */
    size_t *off = tk_xcalloc(nrows * ncols + 1, sizeof *off), nlw = 0, caplw = 0;
    double *lw = NULL;
    for (size_t k = 0; k < nrows * ncols; k++) {
        off[k] = nlw;
        line_widths(p, cells[k] ? cells[k] : "", size, &lw, &nlw, &caplw);
    }
    off[nrows * ncols] = nlw;
    double rest = total - smin, step = rest / 120 > 1 ? rest / 120 : 1;
    double *nl = tk_xmalloc(sizeof *nl * (nrows * ncols + 1));
    for (size_t k = 0; k < nrows * ncols; k++)
        nl[k] = cell_nlines(off, lw, k, widths[k % ncols]);
    fit_trial trial = {.other = tk_xmalloc(sizeof *trial.other * (nrows + 1))};
    double now = table_lines(ncols, nrows, nl);
    while (rest > 1e-6) {
        /* the best saving per step over the next few steps (a column of
         * short texts saves a line only every few steps) */
        double best_rate = 0;
        long best = -1;
        int best_k = 1;
        for (size_t c = 0; c < ncols; c++) {
            double keep = widths[c];
            fit_trial_begin(&trial, c, ncols, nrows, nl);
            for (int k = 1; k <= 12; k++) {
                double add = k * step;
                if (add > rest + 1e-9 || keep + add > mx[c] + 1e-6)
                    break;
                double rate = (now - fit_trial_cost(&trial, ncols, nrows, off, lw, keep + add)) / k;
                if (rate > best_rate + 1e-9) {
                    best_rate = rate;
                    best = (long)c;
                    best_k = k;
                }
            }
        }
        if (best < 0) /* no step shortens it: to the one that wants most */
            for (size_t c = 0; c < ncols; c++)
                if (widths[c] < mx[c] - 1e-6 && (best < 0 || mx[c] - widths[c] > mx[best] - widths[best]))
                    best = (long)c;
        if (best < 0) { /* every column at its natural width: share by size */
            double sum = 0;
            for (size_t c = 0; c < ncols; c++)
                sum += widths[c];
            for (size_t c = 0; c < ncols; c++)
                widths[c] += rest * widths[c] / sum;
            break;
        }
        double give = best_k * step;
        give = give < rest ? give : rest;
        give = widths[best] + give > mx[best] ? mx[best] - widths[best] : give;
        if (give <= 1e-9)
            give = rest < step ? rest : step;
        widths[best] += give;
        rest -= give;
        for (size_t r = 0; r < nrows; r++)
            nl[r * ncols + (size_t)best] = cell_nlines(off, lw, r * ncols + (size_t)best, widths[best]);
        now = table_lines(ncols, nrows, nl);
    }
    free(trial.other);
    free(nl);
    free(lw);
    free(off);
    free(mn);
    free(mx);
}

/* Lines [from, to) of every cell in a band of height h at the cursor. */
static void draw_band(tk_pdf_table *t, const char *const *cells, const tk_pdf_cell_style *styles,
                      cell_lines *cl, size_t from, size_t to, double h, bool centre)
{
    tk_pdf *p = t->p;
    double top = tk_pdf_reserve(p, h);
    double left = t->x[0], right = t->x[t->ncols - 1] + t->w[t->ncols - 1];
    bool shade = t->zebra && t->rows % 2 == 1;
    for (size_t c = 0; c < t->ncols; c++) {
        uint32_t fill = styles && styles[c].fill ? styles[c].fill
                        : shade                  ? TK_PDF_HEX(0xF4F6F8)
                                                 : 0;
        tk_pdf_draw_rect(p, t->x[c], top - h, t->w[c], h, fill, 0, 0);
    }
    for (size_t c = 0; c < t->ncols; c++) {
        tk_pdf_align al = styles && styles[c].align ? styles[c].align : t->align[c];
        uint32_t color = styles && styles[c].color ? styles[c].color : INK;
        size_t a = from < cl[c].n ? from : cl[c].n, e = to < cl[c].n ? to : cl[c].n;
        double block = (double)(e - a) * t->lh;
        double y0 = centre ? top - (h - block) / 2 : top - t->pady;
        for (size_t i = a; i < e; i++) {
            tk_pdf_line *ln = &cl[c].v[i];
            double extra = 0;
            if (al == TK_PDF_ALIGN_JUSTIFY && i + 1 < cl[c].n && !ln->hard)
                extra = t->w[c] - 2 * t->padx - ln->width;
            draw_line(p, cells[c], ln, cell_x(t, c, al, ln->width),
                      baseline(p, y0 - (double)(i - a) * t->lh, t->lh, t->size), t->size, color,
                      extra);
        }
    }
    tk_pdf_draw_line(p, left, top - h, right, top - h, 0.4, RULE_LIGHT, false);
}

/* Height of a row of these cells (not split across pages). */
static double row_height(tk_pdf_table *t, const char *const *cells)
{
    cell_lines *cl = tk_xcalloc(t->ncols, sizeof *cl);
    table_break(t, cells, cl);
    size_t maxn = 1;
    for (size_t c = 0; c < t->ncols; c++) {
        if (cl[c].n > maxn)
            maxn = cl[c].n;
        free(cl[c].v);
    }
    free(cl);
    return (double)maxn * t->lh + 2 * t->pady;
}

static void put_row(tk_pdf_table *t, const char *const *cells, const tk_pdf_cell_style *styles)
{
    tk_pdf *p = t->p;
    const char **cv = tk_xcalloc(t->ncols, sizeof *cv);
    for (size_t c = 0; c < t->ncols; c++)
        cv[c] = cells && cells[c] ? cells[c] : "";
    cell_lines *cl = tk_xcalloc(t->ncols, sizeof *cl);
    table_break(t, cv, cl);
    size_t maxn = 1;
    for (size_t c = 0; c < t->ncols; c++)
        if (cl[c].n > maxn)
            maxn = cl[c].n;
    double h = (double)maxn * t->lh + 2 * t->pady;
    double page_h = p->frame.top - p->frame.bottom - t->header_h;
    if (h <= page_h) {
        if (!t->started) {
            ensure_room(p, t->header_h + h);
            draw_header(t);
            t->started = true;
        } else if (tk_pdf_space_left(p) < h - 0.01) {
            break_page(p);
            draw_header(t);
        }
        draw_band(t, cv, styles, cl, 0, maxn, h, true);
    } else {
        /* taller than a page: split between lines, top aligned */
        if (!t->started) {
            ensure_room(p, t->header_h + 3 * t->lh + 2 * t->pady);
            draw_header(t);
            t->started = true;
        }
        size_t from = 0;
        bool fresh = false;
        while (from < maxn) {
            double room = tk_pdf_space_left(p) - 2 * t->pady;
            size_t k = room > 0 ? (size_t)(room / t->lh + 1e-9) : 0;
            if (k == 0 && !fresh) {
                break_page(p);
                draw_header(t);
                fresh = true;
                continue;
            }
            if (k == 0) /* a line taller than a page: let it overflow */
                k = 1;
            fresh = false;
            if (k > maxn - from)
                k = maxn - from;
            draw_band(t, cv, styles, cl, from, from + k, (double)k * t->lh + 2 * t->pady, false);
            from += k;
        }
    }
    t->rows++;
    for (size_t c = 0; c < t->ncols; c++)
        free(cl[c].v);
    free(cl);
    free(cv);
}

/* The first row, held back until the second (next_h: its height, 0 when
 * there is none): the header, the first row and the second start on a page
 * together when they fit on one. */
static void flush_pending(tk_pdf_table *t, double next_h)
{
    tk_pdf *p = t->p;
    t->pending = false;
    double h1 = row_height(t, t->pend_cells);
    double page_h = p->frame.top - p->frame.bottom;
    double keep = t->header_h + h1 + next_h;
    if (keep <= page_h)
        ensure_room(p, keep);
    put_row(t, t->pend_cells, t->pend_styles);
}

void tk_pdf_table_row(tk_pdf_table *t, const char *const *cells, const tk_pdf_cell_style *styles)
{
    tk_pdf *p = t->p;
    if (!t->started && !t->pending) {
        t->pend_cells = tk_arena_alloc(p->arena, t->ncols * sizeof *t->pend_cells);
        t->pend_styles = styles ? tk_arena_alloc(p->arena, t->ncols * sizeof *t->pend_styles) : NULL;
        for (size_t c = 0; c < t->ncols; c++) {
            t->pend_cells[c] = tk_arena_strdup(p->arena, cells && cells[c] ? cells[c] : "");
            if (styles)
                t->pend_styles[c] = styles[c];
        }
        t->pending = true;
        return;
    }
    if (t->pending) {
        const char **cv = tk_xcalloc(t->ncols, sizeof *cv);
        for (size_t c = 0; c < t->ncols; c++)
            cv[c] = cells && cells[c] ? cells[c] : "";
        flush_pending(t, row_height(t, cv));
        free(cv);
    }
    put_row(t, cells, styles);
}

void tk_pdf_table_end(tk_pdf_table *t)
{
    if (!t)
        return;
    tk_pdf *p = t->p;
    if (t->pending)
        flush_pending(t, 0);
    if (!t->started) {
        ensure_room(p, t->header_h);
        draw_header(t);
    } else {
        double left = t->x[0], right = t->x[t->ncols - 1] + t->w[t->ncols - 1];
        tk_pdf_draw_line(p, left, p->y, right, p->y, 0.8, RULE_DARK, false);
    }
    tk_pdf_space(p, 4);
}

/* ======================================================================
 * Rendering with libharu
 * ====================================================================== */

/* The codes the text is shown with. libharu's UTF-8 encoder makes the
 * character codes, the CIDs and the font's CID space the whole Basic
 * Multilingual Plane: adding the font to a document then looks up all 65536
 * code points in the font, writes a /W array and a CIDToGIDMap of 65536
 * entries (128 kB to compress) and an encoding CMap for all of them. Instead
 * the document numbers the characters it prints, in code point order, with
 * two-byte codes whose bytes are never 0 (so a string of them is a C string
 * for HPDF_Page_ShowText): the k-th is (1 + k / 255, 1 + k % 255). Through
 * an encoder of our own (Identity-H: code = CID) the CID space is just
 * those; the subset's cmap maps each code to its glyph and the ToUnicode map
 * (fix_tounicode) each code back to its character, so text extraction and
 * copying give the same characters as before. */
#define CODES_MAX (255u * 255u - 1u) /* one more is kept for the end mark (hpdf_codes) */
static uint16_t pdf_code(size_t k) { return (uint16_t)(((1u + k / 255u) << 8) | (1u + k % 255u)); }

typedef struct render {
    HPDF_Doc pdf;
    HPDF_Font font;
    HPDF_Page page;
    HPDF_STATUS err, detail;
    bool in_text, dashed;
    double size, cs, lw;
    uint32_t fill, stroke;
    const tk_pdf_font *f;
    const uint16_t *code; /* [65536] code point -> code, 0 = not printed */
    tk_buf shown;         /* a text op in codes */
    struct libdeflate_compressor *deflater; /* the page contents and maps */
    struct libdeflate_compressor *glyphs;   /* the font file (hpdf_font_file) */
    uint8_t *packed;      /* a stream compressed */
    size_t packed_cap;
    tk_buf raw;           /* a stream gathered to be compressed */
} render;

static void hpdf_error(HPDF_STATUS err, HPDF_STATUS detail, void *user)
{
    render *r = user;
    if (!r->err) {
        r->err = err;
        r->detail = detail;
    }
}

static double ch(uint32_t c, int shift) { return (double)((c >> shift) & 0xFF) / 255.0; }

static void r_fill(render *r, uint32_t c)
{
    if (r->fill != c) {
        HPDF_Page_SetRGBFill(r->page, (HPDF_REAL)ch(c, 16), (HPDF_REAL)ch(c, 8),
                             (HPDF_REAL)ch(c, 0));
        r->fill = c;
    }
}

static void r_stroke(render *r, uint32_t c, double lw, bool dashed)
{
    if (r->stroke != c) {
        HPDF_Page_SetRGBStroke(r->page, (HPDF_REAL)ch(c, 16), (HPDF_REAL)ch(c, 8),
                               (HPDF_REAL)ch(c, 0));
        r->stroke = c;
    }
    if (r->lw != lw) {
        HPDF_Page_SetLineWidth(r->page, (HPDF_REAL)lw);
        r->lw = lw;
    }
    if (r->dashed != dashed) {
        static const HPDF_UINT16 dash[] = {3, 2};
        HPDF_Page_SetDash(r->page, dashed ? dash : NULL, dashed ? 2 : 0, 0);
        r->dashed = dashed;
    }
}

static void r_end_text(render *r)
{
    if (r->in_text) {
        HPDF_Page_EndText(r->page);
        r->in_text = false;
    }
}

/* Text at (x, y), upright or turned (up): "a b c d x y Tm" and
 * "<codes> Tj" into the page's content stream, as HPDF_Page_SetTextMatrix
 * and HPDF_Page_ShowText write them, but without ShowText's measuring of
 * every character through the font's cmap again (for a text position that
 * is never used: each text op sets its own matrix) and SetTextMatrix's
 * clearing of a 512-byte buffer byte by byte. Like ShowText, no Tj for text
 * that would not move the pen. */
static void r_show(render *r, double x, double y, bool up, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    const HPDF_REAL m[6] = {up ? 0 : 1, up ? 1 : 0, up ? -1 : 0, up ? 0 : 1, (HPDF_REAL)x, (HPDF_REAL)y};
    char num[64];
    r->shown.len = 0;
    for (int i = 0; i < 6; i++) {
        char *e = HPDF_FToA(num, m[i], num + sizeof num - 1);
        tk_buf_append(&r->shown, num, (size_t)(e - num));
        tk_buf_putc(&r->shown, i < 5 ? ' ' : 0);
    }
    r->shown.len--;
    tk_buf_puts(&r->shown, " Tm\012");
    size_t tm = r->shown.len;
    uint64_t w = 0;
    size_t n = 0;
    tk_buf_putc(&r->shown, '<');
    for (const char *q = text, *end = q + strlen(q); q < end;) {
        int32_t c = tk_utf8_next(&q, end);
        uint16_t k = c >= 0 && c <= 0xFFFF ? r->code[c] : 0;
        if (!k)
            continue;
        char b[4] = {hex[k >> 12], hex[(k >> 8) & 15], hex[(k >> 4) & 15], hex[k & 15]};
        tk_buf_append(&r->shown, b, 4);
        w += r->f->w1000[r->f->gid[c]];
        n++;
    }
    tk_buf_puts(&r->shown, "> Tj\012");
    if (n == 0 || (w == 0 && r->cs == 0))
        r->shown.len = tm;
    HPDF_PageAttr pa = r->page->attr;
    if (HPDF_Stream_Write(pa->stream, (const HPDF_BYTE *)r->shown.data, (HPDF_UINT)r->shown.len) != HPDF_OK &&
        !r->err)
        r->err = HPDF_FAILD_TO_ALLOC_MEM;
}

static void r_op(render *r, const op *o)
{
    switch (o->kind) {
    case OP_TEXT:
        if (!r->in_text) {
            HPDF_Page_BeginText(r->page);
            r->in_text = true;
        }
        if (r->size != o->size) {
            HPDF_Page_SetFontAndSize(r->page, r->font, (HPDF_REAL)o->size);
            r->size = o->size;
        }
        r_fill(r, o->fill);
        if (r->cs != o->cs) {
            HPDF_Page_SetCharSpace(r->page, (HPDF_REAL)o->cs);
            r->cs = o->cs;
        }
        r_show(r, o->x, o->y, o->up, o->text);
        return;
    case OP_LINE:
        r_end_text(r);
        r_stroke(r, o->stroke, o->size, o->dashed);
        HPDF_Page_MoveTo(r->page, (HPDF_REAL)o->x, (HPDF_REAL)o->y);
        HPDF_Page_LineTo(r->page, (HPDF_REAL)o->w, (HPDF_REAL)o->h);
        HPDF_Page_Stroke(r->page);
        return;
    case OP_RECT:
        r_end_text(r);
        if (o->fill)
            r_fill(r, o->fill);
        if (o->stroke)
            r_stroke(r, o->stroke, o->size, false);
        HPDF_Page_Rectangle(r->page, (HPDF_REAL)o->x, (HPDF_REAL)o->y, (HPDF_REAL)o->w,
                            (HPDF_REAL)o->h);
        if (o->fill && o->stroke)
            HPDF_Page_FillStroke(r->page);
        else if (o->fill)
            HPDF_Page_Fill(r->page);
        else
            HPDF_Page_Stroke(r->page);
        return;
    }
}

static void mark_cps(uint8_t *used, const char *s)
{
    const char *q = s, *end = s + strlen(s);
    while (q < end) {
        int32_t c = tk_utf8_next(&q, end);
        if (c >= 0 && c <= 0xFFFF)
            used[c >> 3] |= (uint8_t)(1u << (c & 7));
    }
}

/* Replace libharu 2.3's ToUnicode stream (a CID-range CMap that readers
 * reject) with a proper one: each code (= CID) to its character. */
static void fix_tounicode(HPDF_Font font, const uint16_t *cps, const uint16_t *codes, size_t n)
{
    HPDF_Dict tu = HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT);
    if (!tu || !tu->stream)
        return;
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_puts(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (size_t i = 0; i < n; i += 100) {
        size_t k = n - i < 100 ? n - i : 100;
        tk_buf_printf(&b, "%zu beginbfchar\n", k);
        for (size_t j = i; j < i + k; j++)
            tk_buf_printf(&b, "<%04X> <%04X>\n", codes[j], cps[j]);
        tk_buf_puts(&b, "endbfchar\n");
    }
    tk_buf_puts(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    HPDF_MemStream_FreeData(tu->stream);
    HPDF_Stream_Write(tu->stream, (const HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
    tk_buf_free(&b);
}

/* ---- streams compressed here ----
 * libharu compresses with zlib at its default level; libdeflate at the same
 * level is two to three times faster and no larger. A stream compressed here
 * is handed to libharu with no filter of its own, and the /Filter entry that
 * libharu then leaves out (it drops a Filter key from a dict whose filter is
 * none) is written by the dict's write hook. */
static HPDF_STATUS write_flate_filter(HPDF_Dict d, HPDF_Stream out)
{
    (void)d;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* Replace the data of stream dict d with data[0..len) compressed by z. */
static HPDF_STATUS put_deflated(render *r, struct libdeflate_compressor *z, HPDF_Dict d, const void *data, size_t len)
{
    size_t bound = libdeflate_zlib_compress_bound(z, len);
    if (bound > r->packed_cap) {
        r->packed_cap = bound;
        r->packed = tk_xrealloc(r->packed, bound);
    }
    size_t n = libdeflate_zlib_compress(z, data, len, r->packed, bound);
    if (n == 0)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_MemStream_FreeData(d->stream);
    HPDF_STATUS st = HPDF_Stream_Write(d->stream, r->packed, (HPDF_UINT)n);
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = write_flate_filter;
    return st;
}

/* Compress stream dict d's data if it is in memory and not compressed yet
 * (raw: a buffer to gather it in). */
static void deflate_dict(render *r, HPDF_Dict d, tk_buf *raw)
{
    if (!d->stream || d->write_fn || d->filter != HPDF_STREAM_FILTER_NONE || d->stream->type != HPDF_STREAM_MEMORY)
        return;
    raw->len = 0;
    for (HPDF_UINT k = 0, nb = HPDF_MemStream_GetBufCount(d->stream); k < nb; k++) {
        HPDF_UINT len = 0;
        HPDF_BYTE *b = HPDF_MemStream_GetBufPtr(d->stream, k, &len);
        if (b)
            tk_buf_append(raw, (const char *)b, len);
    }
    if (put_deflated(r, r->deflater, d, raw->data ? raw->data : "", raw->len) != HPDF_OK && !r->err)
        r->err = HPDF_FAILD_TO_ALLOC_MEM;
}

/* Compress every stream of the document not compressed yet: the ToUnicode
 * map, the CIDToGIDMap (the pages' contents are, as each is finished). */
static int hpdf_deflate(render *r)
{
    for (HPDF_Xref x = r->pdf->xref; x && !r->err; x = x->prev) {
        for (HPDF_UINT i = 0; i < x->entries->count && !r->err; i++) {
            HPDF_XrefEntry e = HPDF_List_ItemAt(x->entries, i);
            HPDF_Obj_Header *h = e ? e->obj : NULL;
            if (h && (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT)
                deflate_dict(r, (HPDF_Dict)h, &r->raw);
        }
    }
    return r->err ? -1 : 0;
}

/* The font descriptor with the font file: the subset as it is, compressed
 * here, at libdeflate's fastest level: glyph outlines hardly compress (100
 * kB of a department's report to 72 kB at level 1, 70 kB at level 6) and
 * level 6 took twice the time, a fifth of all the time of such a report.
 * Made before libharu's own (which it would make when the document
 * is written, copying the font once more through its TrueType writer,
 * which changes only the name table, and compressing it with zlib). */
static int hpdf_font_file(render *r, const tk_buf *sub)
{
    HPDF_FontAttr fa = r->font->attr;
    HPDF_FontDef def = fa->fontdef;
    HPDF_TTFontDefAttr da = def->attr;
    HPDF_MMgr mm = r->pdf->mmgr;
    HPDF_Dict data = HPDF_DictStream_New(mm, fa->xref);
    if (!data)
        return -1;
    HPDF_STATUS st = put_deflated(r, r->glyphs, data, sub->data, sub->len);
    st += HPDF_Dict_AddNumber(data, "Length1", (HPDF_INT32)sub->len);
    st += HPDF_Dict_AddNumber(data, "Length2", 0);
    st += HPDF_Dict_AddNumber(data, "Length3", 0);
    HPDF_Dict desc = HPDF_Dict_New(mm);
    if (!desc || st != HPDF_OK || HPDF_Xref_Add(fa->xref, desc) != HPDF_OK)
        return -1;
    st += HPDF_Dict_Add(desc, "FontFile2", data);
    st += HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
    st += HPDF_Dict_AddNumber(desc, "Ascent", def->ascent);
    st += HPDF_Dict_AddNumber(desc, "Descent", def->descent);
    st += HPDF_Dict_AddNumber(desc, "Flags", (HPDF_INT32)def->flags);
    st += HPDF_Dict_Add(desc, "FontBBox", HPDF_Box_Array_New(mm, def->font_bbox));
    st += HPDF_Dict_AddName(desc, "FontName", da->base_font);
    st += HPDF_Dict_AddNumber(desc, "ItalicAngle", def->italic_angle);
    st += HPDF_Dict_AddNumber(desc, "StemV", def->stemv);
    st += HPDF_Dict_AddNumber(desc, "XHeight", def->x_height);
    if (st != HPDF_OK)
        return -1;
    def->descriptor = desc;
    return 0;
}

static void draw_furniture(tk_pdf *p, render *r, const page *pg, size_t num, size_t total)
{
    double top = p->frame.top;
    if (p->mark && *p->mark) {
        double size = 9, w = tk_pdf_text_width(p, p->mark, size);
        double x = p->frame.right - w - 4, y = top + 14;
        op box = {.kind = OP_RECT, .stroke = INK, .x = x - 4, .y = y - 3.5, .w = w + 8,
                  .h = size + 5, .size = 0.7};
        r_op(r, &box);
        op t = {.kind = OP_TEXT, .fill = INK, .x = x, .y = y, .size = size, .text = p->mark};
        r_op(r, &t);
    }
    if (pg->cover)
        return;
    if (p->header_left && *p->header_left) {
        op t = {.kind = OP_TEXT, .fill = GREY_TEXT, .x = p->frame.left, .y = top + 14, .size = 8,
                .text = p->header_left};
        r_op(r, &t);
    }
    op rule = {.kind = OP_LINE, .stroke = RULE_LIGHT, .x = p->frame.left, .y = top + 8,
               .w = p->frame.right, .h = top + 8, .size = 0.5};
    r_op(r, &rule);
    /* "n / N" as three pieces half an em apart: with the font's narrow
     * space, text extraction (pdftotext) would read uniform gaps as letter
     * spacing and give "n/N" */
    char a[24], b[24];
    snprintf(a, sizeof a, "%zu", num);
    snprintf(b, sizeof b, "%zu", total);
    const char *piece[3] = {a, "/", b};
    double size = 8.5, gap = size * 0.5, w[3], sum = 2 * gap;
    for (int i = 0; i < 3; i++)
        sum += w[i] = tk_pdf_text_width(p, piece[i], size);
    double x = (p->frame.left + p->frame.right - sum) / 2;
    for (int i = 0; i < 3; i++) {
        op t = {.kind = OP_TEXT, .fill = GREY_TEXT, .x = x, .y = p->frame.bottom - 24, .size = size,
                .text = piece[i]};
        r_op(r, &t);
        x += w[i] + gap;
    }
}

/* The sorted code points the document prints (all in the font). */
static uint16_t *used_cps(const tk_pdf *p, size_t *n)
{
    uint8_t *used = tk_xcalloc(8192, 1);
    for (size_t i = 0; i < p->npages; i++)
        for (size_t k = 0; k < p->pages[i].n; k++)
            if (p->pages[i].ops[k].kind == OP_TEXT)
                mark_cps(used, p->pages[i].ops[k].text);
    mark_cps(used, "0123456789 /");
    if (p->mark)
        mark_cps(used, p->mark);
    if (p->header_left)
        mark_cps(used, p->header_left);
    uint16_t *cps = tk_xmalloc(sizeof *cps * 65536);
    *n = 0;
    for (uint32_t c = 1; c < 0xFFFF; c++)
        if ((used[c >> 3] >> (c & 7) & 1) && p->font->gid[c])
            cps[(*n)++] = (uint16_t)c;
    free(used);
    return cps;
}

/* The subset as the document's font: what HPDF_LoadTTFontFromFile does,
 * from memory instead of a file (libharu 2.3 has no public call for that,
 * and a temporary file per document cost an open, a write, a read and an
 * unlink, about 5 % of a department's report). The stream is the font
 * definition's from then on (freed with the document); the tag is the one
 * libharu gives the first font embedded in a document. The font's name, or
 * NULL. */
static const char *hpdf_load_font(render *r, const tk_buf *sub)
{
    HPDF_Stream s = HPDF_MemStream_New(r->pdf->mmgr, (HPDF_UINT)(sub->len ? sub->len : 1));
    if (!s)
        return NULL;
    if (HPDF_Stream_Write(s, (const HPDF_BYTE *)sub->data, (HPDF_UINT)sub->len) != HPDF_OK ||
        HPDF_Stream_Seek(s, 0, HPDF_SEEK_SET) != HPDF_OK) {
        HPDF_Stream_Free(s);
        return NULL;
    }
    HPDF_FontDef def = HPDF_TTFontDef_Load(r->pdf->mmgr, s, HPDF_TRUE); /* frees s when it fails */
    if (!def)
        return NULL;
    if (HPDF_Doc_RegisterFontDef(r->pdf, def) != HPDF_OK) /* frees def when it fails */
        return NULL;
    HPDF_TTFontDef_SetTagName(def, (char *)"HPDFAA");
    return def->base_font;
}

static HPDF_BOOL every_byte(HPDF_Encoder e, HPDF_BYTE b)
{
    (void)e;
    (void)b;
    return HPDF_TRUE;
}

/* Every code two bytes, Identity-H: libharu takes "Identity-H" as the
 * ordering for the sign to name the predefined encoding in the font and to
 * add a ToUnicode map. */
static HPDF_STATUS codes_init(HPDF_Encoder e)
{
    HPDF_STATUS st = HPDF_CMapEncoder_InitAttr(e);
    if (st != HPDF_OK)
        return st;
    HPDF_CMapEncoderAttr a = e->attr;
    a->is_lead_byte_fn = every_byte;
    a->is_trial_byte_fn = every_byte;
    snprintf(a->registry, sizeof a->registry, "Adobe");
    snprintf(a->ordering, sizeof a->ordering, "Identity-H");
    a->writing_mode = HPDF_WMODE_HORIZONTAL;
    e->type = HPDF_ENCODER_TYPE_DOUBLE_BYTE;
    return HPDF_CMapEncoder_AddCodeSpaceRange(e, (HPDF_CidRange_Rec){0x0000, 0xFFFF, 0});
}

#define CODES_ENCODER "tenken-codes"

/* The encoder of a document that prints n characters: codes pdf_code(0)
 * to pdf_code(n), each its own CID; the last is an end mark, as libharu
 * leaves the highest CID out of /W and the CIDToGIDMap. libharu measures a
 * code through its "Unicode" value in the font's cmap: the code itself. */
static int hpdf_codes(render *r, size_t n)
{
    HPDF_Encoder e = HPDF_CMapEncoder_New(r->pdf->mmgr, CODES_ENCODER, codes_init);
    if (!e || HPDF_Doc_RegisterEncoder(r->pdf, e) != HPDF_OK || !HPDF_Doc_FindEncoder(r->pdf, CODES_ENCODER))
        return -1;
    HPDF_CidRange_Rec *ranges = tk_xmalloc(sizeof *ranges * ((n + 1) / 255 + 2));
    size_t nr = 0;
    for (size_t k = 0; k <= n; k += 255) {
        size_t last = k + 254 < n ? k + 254 : n;
        ranges[nr++] = (HPDF_CidRange_Rec){pdf_code(k), pdf_code(last), pdf_code(k)};
    }
    ranges[nr] = (HPDF_CidRange_Rec){0xFFFF, 0xFFFF, 0};
    HPDF_STATUS st = HPDF_CMapEncoder_AddCMap(e, ranges);
    free(ranges);
    HPDF_CMapEncoderAttr a = e->attr;
    for (size_t k = 0; k <= n; k++) {
        uint16_t c = pdf_code(k);
        a->unicode_map[c & 0xFF][c >> 8] = c;
    }
    return st == HPDF_OK ? 0 : -1;
}

/* Build the libharu document: font, information, pages. */
static int hpdf_build(tk_pdf *p, render *r, const tk_buf *sub, const uint16_t *cps, const uint16_t *codes,
                      size_t ncps)
{
    /* no compression by libharu: hpdf_deflate and hpdf_font_file do it */
    if (hpdf_codes(r, ncps) != 0)
        return -1;
    const char *fname = hpdf_load_font(r, sub);
    if (fname)
        r->font = HPDF_GetFont(r->pdf, fname, CODES_ENCODER);
    if (!r->font || r->err)
        return -1;
    fix_tounicode(r->font, cps, codes, ncps);
    if (hpdf_font_file(r, sub) != 0)
        return -1;
    HPDF_SetInfoAttr(r->pdf, HPDF_INFO_CREATOR, "tenken");
    if (p->title)
        HPDF_SetInfoAttr(r->pdf, HPDF_INFO_TITLE, p->title);
    if (p->author)
        HPDF_SetInfoAttr(r->pdf, HPDF_INFO_AUTHOR, p->author);
    size_t total = 0, num = 0;
    for (size_t i = 0; i < p->npages; i++)
        total += !p->pages[i].cover;
    for (size_t i = 0; i < p->npages && !r->err; i++) {
        const page *pg = &p->pages[i];
        r->page = HPDF_AddPage(r->pdf);
        HPDF_Page_SetSize(r->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        r->in_text = false;
        r->dashed = false;
        r->size = -1;
        r->cs = 0;
        r->lw = 1;
        r->fill = r->stroke = TK_PDF_RGB(0, 0, 0);
        num += !pg->cover;
        draw_furniture(p, r, pg, num, total);
        for (size_t k = 0; k < pg->n; k++)
            r_op(r, &pg->ops[k]);
        r_end_text(r);
        /* compressed now: libharu holds every page until the document is
         * written, and a long report's contents take a few times less room
         * so (the committee report at 1,200 departments: 3.8 MB of page
         * contents held, 0.8 MB compressed) */
        if (!r->err)
            deflate_dict(r, ((HPDF_PageAttr)r->page->attr)->contents, &r->raw);
    }
    return r->err ? -1 : hpdf_deflate(r);
}

/* The document's bytes appended to out, read from libharu's stream piece
 * by piece (not through one more copy of the whole file). */
static int hpdf_output(render *r, tk_buf *out)
{
    if (HPDF_SaveToStream(r->pdf) != HPDF_OK)
        return -1;
    HPDF_UINT32 size = HPDF_GetStreamSize(r->pdf), done = 0;
    HPDF_BYTE piece[65536];
    while (done < size) {
        HPDF_UINT32 got = size - done < sizeof piece ? size - done : (HPDF_UINT32)sizeof piece;
        HPDF_STATUS st = HPDF_ReadFromStream(r->pdf, piece, &got);
        if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got == 0)
            return -1;
        tk_buf_append(out, (const char *)piece, got);
        done += got;
    }
    return 0;
}

int tk_pdf_render(tk_pdf *p, tk_buf *out)
{
    ensure_page(p);
    if (p->missing > 0) {
        tk_diag_warn(p->diags, NULL, 0,
                     "フォント %s にない文字が %zu 字あり、〓で表示しました（最初は U+%04X）",
                     p->font->path, p->missing, (unsigned)p->first_missing);
        p->missing = 0;
    }
    size_t ncps;
    uint16_t *cps = used_cps(p, &ncps);
    uint16_t *codes = tk_xmalloc(sizeof *codes * (ncps + 1)), *code = tk_xcalloc(65536, sizeof *code);
    for (size_t k = 0; k < ncps && k < CODES_MAX; k++)
        code[cps[k]] = codes[k] = pdf_code(k);
    tk_buf sub;
    tk_buf_init(&sub);
    int rc = -1;
    if (ncps > CODES_MAX || !font_subset(p->font, cps, codes, ncps, &sub)) {
        tk_diag_error(p->diags, NULL, 0, "文書に使われている文字の種類が多すぎます（%zu 種類）",
                      ncps);
    } else {
        render r = {.f = p->font,
                    .code = code,
                    .deflater = libdeflate_alloc_compressor(6),
                    .glyphs = libdeflate_alloc_compressor(1)};
        tk_buf_init(&r.shown);
        tk_buf_init(&r.raw);
        r.pdf = r.deflater && r.glyphs ? HPDF_New(hpdf_error, &r) : NULL;
        if (!r.pdf) {
            tk_diag_error(p->diags, NULL, 0, "PDF を作れません（メモリ不足）");
        } else {
            if (hpdf_build(p, &r, &sub, cps, codes, ncps) == 0 && hpdf_output(&r, out) == 0)
                rc = 0;
            else
                tk_diag_error(p->diags, NULL, 0,
                              "PDF の作成に失敗しました（libharu エラー 0x%04X、詳細 %u）",
                              (unsigned)r.err, (unsigned)r.detail);
            HPDF_Free(r.pdf);
        }
        tk_buf_free(&r.shown);
        tk_buf_free(&r.raw);
        free(r.packed);
        libdeflate_free_compressor(r.deflater);
        libdeflate_free_compressor(r.glyphs);
    }
    tk_buf_free(&sub);
    free(cps);
    free(codes);
    free(code);
    return rc;
}

int tk_pdf_save(tk_pdf *p, const char *path, bool force)
{
    if (!force && tk_file_exists(path)) {
        tk_diag_error(p->diags, path, 0, "既に存在するため書き込みません（上書きするには強制を指定してください）");
        return -1;
    }
    tk_buf b;
    tk_buf_init(&b);
    int rc = tk_pdf_render(p, &b);
    if (rc == 0 && tk_file_write_atomic(path, b.data, b.len, force) != 0) {
        if (errno == EEXIST)
            tk_diag_error(p->diags, path, 0, "既に存在するため書き込みません（上書きするには強制を指定してください）");
        else
            tk_diag_error(p->diags, path, 0, "書き込めません: %s", strerror(errno));
        rc = -1;
    }
    tk_buf_free(&b);
    return rc;
}
