/* report_layout.c — the small text and layout helpers the report
 * documents share (report_internal.h). */
#include <errno.h>
#include <libxml/tree.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/chart.h"
#include "tenken/score.h"
#include "tenken/text.h"

const char *tk_rp_f1(tk_arena *a, double v)
{
    char b[16];
    return tk_arena_strdup(a, tk_fmt1(v, b));
}

const char *tk_rp_zu(tk_arena *a, size_t v) { return tk_arena_printf(a, "%zu", v); }

/* The change between two printed scores, as printed: "+2.6", "-1.2", "0.0". */
const char *tk_rp_delta(tk_arena *a, double cur, double prev)
{
    if (isnan(cur) || isnan(prev))
        return "—";
    double d = tk_round1(cur) - tk_round1(prev);
    char b[16];
    tk_fmt1(d, b);
    return tk_round1(d) > 0 ? tk_arena_printf(a, "+%s", b) : tk_arena_strdup(a, b);
}

/* At most max code points of s, cut at a word boundary with "…" (tk_text_shorten). */
const char *tk_rp_clip(tk_arena *a, const char *s, size_t max) { return tk_text_shorten(a, s, max); }

/* An item as a table shows it: the lead-in (shortened) above its text. */
const char *tk_rp_item_cell(tk_arena *a, const tk_res_item *it)
{
    if (it->context && *it->context)
        return tk_arena_printf(a, "%s\n%s", tk_rp_clip(a, it->context, 48), it->text ? it->text : "");
    return it->text ? it->text : "";
}

/* "2027/3/28" from an ISO date; the text as stored when unreadable. */
const char *tk_rp_short_date(tk_arena *a, const char *iso)
{
    tk_date d;
    if (!iso || !*iso)
        return "";
    if (!tk_date_parse(iso, &d))
        return iso;
    return tk_arena_printf(a, "%d/%d/%d", d.y, d.m, d.d);
}

/* The date part of a stored timestamp in 和暦（西暦）. */
const char *tk_rp_stamp_date(tk_arena *a, const char *stamp)
{
    tk_date d;
    if (!stamp || strlen(stamp) < 10)
        return "";
    char iso[11];
    memcpy(iso, stamp, 10);
    iso[10] = 0;
    if (!tk_date_parse(iso, &d))
        return tk_arena_strdup(a, iso);
    char b[TK_DATE_BOTH_SIZE];
    return tk_arena_strdup(a, tk_date_both(d, b, sizeof b));
}

void tk_rp_heading(tk_pdf *p, tk_arena *a, int *sec, const char *text)
{
    ++*sec;
    tk_pdf_heading(p, 1, tk_arena_printf(a, "%d　%s", *sec, text));
}

/* Start a new page now when a block of about height pt (a heading and the
 * chart below it) does not fit on this one but would on the next. */
void tk_rp_keep_block(tk_pdf *p, double height)
{
    tk_pdf_frame f = tk_pdf_get_frame(p);
    if (height <= f.top - f.bottom && tk_pdf_space_left(p) < height)
        tk_pdf_page_break(p);
}

void tk_rp_keep_table(tk_pdf *p, size_t nrows)
{
    /* a 9 pt row is about 17 pt with its padding; a two-line header 30 */
    tk_rp_keep_block(p, 30.0 + 17.0 * (double)nrows);
}

void tk_rp_note(tk_pdf *p, const char *text)
{
    tk_pdf_paragraph(p, text, &(tk_pdf_style){.size = 8.5, .color = C_GREY, .leading = 1.5});
}

/* A table with its widths in millimetres. */
tk_pdf_table *tk_rp_table_sized(tk_pdf *p, size_t n, const double *mm, const char *const *heads,
                                 const tk_pdf_align *al, double size)
{
    tk_pdf_table_opts o = {.widths_mm = true, .align = al, .zebra = true, .size = size};
    return tk_pdf_table_begin(p, n, mm, heads, &o);
}

tk_pdf_table *tk_rp_table(tk_pdf *p, size_t n, const double *mm, const char *const *heads, const tk_pdf_align *al)
{
    return tk_rp_table_sized(p, n, mm, heads, al, 0);
}

/* s[0..len) shortened to fit width with "…" at its end, into buf. */
static void cut_to_width(tk_pdf *p, const char *s, size_t len, double size, double width, char *buf, size_t n)
{
    const char *e = s + len, *q = s, *last = s;
    double ew = tk_pdf_text_width(p, "…", size);
    while (q < e) {
        const char *nx = q;
        tk_utf8_next(&nx, e);
        snprintf(buf, n, "%.*s", (int)(nx - s), s);
        if (tk_pdf_text_width(p, buf, size) + ew > width)
            break;
        last = q = nx;
    }
    snprintf(buf, n, "%.*s…", (int)(last - s), s);
}

/* Two values per row as horizontal bars (report_internal.h). */
void tk_rp_pair_bars(tk_pdf *p, const tk_rp_pair_chart *pc, size_t n, const char *const *labels, const double *va,
                      const double *vb)
{
    if (n == 0)
        return;
    const double lab_size = 8.0, val_size = 7.5, bar_h = 7.0, gap = 1.5, pad = 5.0;
    tk_pdf_frame f = tk_pdf_get_frame(p);
    double W = f.right - f.left, labw = W * 0.30;
    double valw = tk_pdf_text_width(p, "100.0", val_size) + 8;
    double x0 = f.left + labw + 6, x1 = f.right - valw, sc = (x1 - x0) / 100.0;
    double row_h = 2 * bar_h + gap + 2 * pad;
    double head_h = (pc->title ? 18.0 : 0) + 16.0, axis_h = 14.0;
    size_t i = 0;
    bool first = true;
    while (i < n) {
        double room = tk_pdf_space_left(p) - head_h - axis_h;
        size_t k = room > 0 ? (size_t)(room / row_h) : 0;
        if (k < (n - i < 3 ? n - i : 3)) {
            tk_pdf_page_break(p);
            room = f.top - f.bottom - head_h - axis_h;
            k = (size_t)(room / row_h);
        }
        if (k == 0)
            k = 1;
        if (k > n - i)
            k = n - i;
        double top = tk_pdf_reserve(p, head_h + (double)k * row_h + axis_h);
        double y = top;
        if (pc->title) {
            if (first)
                tk_pdf_draw_text(p, f.left, y - 11.5, 10.5, C_INK, TK_PDF_ALIGN_LEFT, pc->title);
            y -= 18;
        }
        /* legend, right aligned */
        double lx = f.right, ly = y - 10;
        const char *names[2] = {pc->name_a, pc->name_b};
        uint32_t cols[2] = {pc->color_a, pc->color_b};
        for (int s = 1; s >= 0; s--) {
            double tw = tk_pdf_text_width(p, names[s], 8);
            lx -= tw;
            tk_pdf_draw_text(p, lx, ly, 8, C_INK, TK_PDF_ALIGN_LEFT, names[s]);
            lx -= 11;
            tk_pdf_draw_rect(p, lx, ly - 0.5, 8, 8, cols[s], 0, 0);
            lx -= 14;
        }
        y -= 16;
        double pt = y, pb = y - (double)k * row_h;
        for (int t = 0; t <= 100; t += 20) {
            double x = x0 + t * sc;
            tk_pdf_draw_line(p, x, pt, x, pb, 0.4, C_GRID, false);
            char ts[16];
            snprintf(ts, sizeof ts, "%d", t);
            tk_pdf_draw_text(p, x, pb - 10, 7.5, C_GREY, TK_PDF_ALIGN_CENTER, ts);
        }
        for (size_t j = i; j < i + k; j++) {
            double rt = pt - (double)(j - i) * row_h, cy = rt - row_h / 2;
            /* the label, at most two lines */
            tk_pdf_line *ln;
            const char *lab = labels[j] ? labels[j] : "";
            size_t nl = tk_pdf_break_lines(p, lab, lab_size, labw, &ln);
            size_t show = nl > 2 ? 2 : nl;
            double block = (double)show * lab_size * 1.25;
            for (size_t l = 0; l < show; l++) {
                char buf[512];
                size_t len = ln[l].end - ln[l].start;
                if (len > 400)
                    len = 400;
                if (l == 1 && nl > 2)
                    cut_to_width(p, lab + ln[l].start, len, lab_size, labw, buf, sizeof buf);
                else
                    snprintf(buf, sizeof buf, "%.*s", (int)len, lab + ln[l].start);
                double ly2 = cy + block / 2 - lab_size * 1.25 * ((double)l + 0.5) - 0.35 * lab_size;
                tk_pdf_draw_text(p, x0 - 6, ly2, lab_size, C_INK, TK_PDF_ALIGN_RIGHT, buf);
            }
            free(ln);
            const double *vals[2] = {va, vb};
            for (int s = 0; s < 2; s++) {
                double v = vals[s][j];
                double bt = s == 0 ? cy + gap / 2 : cy - gap / 2 - bar_h;
                double xe = x0;
                if (!isnan(v)) {
                    double vv = v < 0 ? 0 : v > 100 ? 100 : v;
                    xe = x0 + vv * sc;
                    if (xe > x0)
                        tk_pdf_draw_rect(p, x0, bt, xe - x0, bar_h, cols[s], 0, 0);
                }
                char vs[16];
                tk_fmt1(v, vs);
                tk_pdf_draw_text(p, xe + 3, bt + bar_h / 2 - 0.35 * val_size, val_size, s == 0 ? C_INK : C_GREY,
                                 TK_PDF_ALIGN_LEFT, vs);
            }
        }
        tk_pdf_draw_line(p, x0, pt, x0, pb, 0.6, C_AXIS, false);
        tk_pdf_draw_line(p, x0, pb, x1, pb, 0.6, C_AXIS, false);
        i += k;
        first = false;
    }
    tk_pdf_space(p, 3);
}

/* Chapter labels short enough for heat-map columns: "対策基準 6 技術的…"
 * gives "対策基準 6", "第２章 ４． 情報資産…" gives "第２章 ４", "第1章 総則"
 * gives "第1章", "情報セキュリティ基本方針" gives "基本方針" (every chapter is
 * about it); anything else stays as it is. */
static bool is_digit_cp(int32_t c) { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19); }

static const char *short_chapter(tk_arena *a, const char *ch)
{
    static const char common[] = "情報セキュリティ";
    const char *end = ch + strlen(ch), *p = ch, *sp = NULL, *sp_end = NULL;
    while (p < end && !sp) { /* the first space, ASCII or ideographic */
        const char *q = p;
        int32_t c = tk_utf8_next(&q, end);
        if (c == ' ' || c == 0x3000) {
            sp = p;
            sp_end = q;
        }
        p = q;
    }
    if (!sp)
        return tk_str_starts(ch, common) && ch[sizeof common - 1] ? ch + sizeof common - 1 : ch;
    /* the number at the start of the second word */
    const char *q = sp_end, *num_end = sp_end;
    while (q < end) {
        const char *r = q;
        if (!is_digit_cp(tk_utf8_next(&r, end)))
            break;
        q = num_end = r;
    }
    bool chapter_word = (size_t)(sp - ch) >= strlen("章") && !memcmp(sp - strlen("章"), "章", strlen("章"));
    if (num_end > sp_end)
        return tk_arena_printf(a, "%.*s %.*s", (int)(sp - ch), ch, (int)(num_end - sp_end), sp_end);
    if (chapter_word)
        return tk_arena_strndup(a, ch, (size_t)(sp - ch));
    return ch;
}

/* Short labels for all chapters, or the full ones when two would look the
 * same. */
const char **tk_rp_chapter_columns(const tk_report *rp, tk_arena *a)
{
    size_t nc = rp->nchapters;
    const char **v = tk_arena_alloc(a, (nc ? nc : 1) * sizeof *v);
    for (size_t c = 0; c < nc; c++)
        v[c] = short_chapter(a, rp->by_chapter[c].label);
    for (size_t i = 0; i < nc; i++)
        for (size_t j = i + 1; j < nc; j++)
            if (!strcmp(v[i], v[j])) {
                for (size_t c = 0; c < nc; c++)
                    v[c] = rp->by_chapter[c].label;
                return v;
            }
    return v;
}

const char *tk_rp_sentence(const tk_report *rp, tk_arena *a, const char *key, const tk_tpl_var *v, size_t n)
{
    const char *t = tk_report_text(rp, key, NULL);
    return t ? tk_template_expand(a, t, v, n) : NULL;
}

const char *tk_rp_roles_text(tk_arena *a, const char *roles)
{
    tk_buf b;
    tk_buf_init(&b);
    const char *p = roles ? roles : "";
    size_t len;
    const char *w;
    while (tk_word_next(&p, &w, &len))
        tk_buf_printf(&b, "%s%.*s", b.len ? "、" : "", (int)len, w);
    const char *out = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return out;
}
