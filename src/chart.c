/* chart.c — bar, heat-map and column charts on the drawing primitives of
 * pdf.h. See chart.h. */
#include "tenken/chart.h"

#include "tenken/score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INK TK_PDF_HEX(0x1A1A1A)
#define GREY_TEXT TK_PDF_HEX(0x4D4D4D)
#define GRID TK_PDF_HEX(0xE1E4E8)
#define AXIS TK_PDF_HEX(0x6B7480)
#define BAR_BLUE TK_PDF_HEX(0x4A7DB5)
#define VERMILION TK_PDF_HEX(0xD55E00)
#define AVG_LINE TK_PDF_HEX(0xA63A14)
#define TITLE_SIZE 10.5
#define EM_CENTRE 0.35 /* baseline below the middle of a line, in em, for digits and kana */

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* … */
static const char DASH[] = "\xE2\x80\x94";     /* — */

/* ---- numbers ---- */

char *tk_fmt_score(double x, char out[TK_SCORE_SIZE])
{
    /* one rounding rule for every figure tenken prints (score.h) */
    char buf[16];
    snprintf(out, TK_SCORE_SIZE, "%s", tk_fmt1(x, buf));
    return out;
}

static double nice_num(double x, bool round_it)
{
    double e = floor(log10(x)), p10 = pow(10, e), f = x / p10, nf;
    if (round_it)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * p10;
}

void tk_chart_nice_scale(double min, double max, int max_ticks, double *lo, double *hi,
                         double *step)
{
    if (!isfinite(min) || !isfinite(max)) {
        min = 0;
        max = 1;
    }
    if (min > max) {
        double t = min;
        min = max;
        max = t;
    }
    if (max_ticks < 2)
        max_ticks = 6;
    if (min == max) {
        if (min > 0)
            min = 0;
        else if (min < 0)
            max = 0;
        else
            max = 1;
    }
    double range = nice_num(max - min, false);
    double st = nice_num(range / (max_ticks - 1), true);
    *lo = floor(min / st + 1e-9) * st;
    *hi = ceil(max / st - 1e-9) * st;
    *step = st;
}

static double lerp(double a, double b, double t) { return a + (b - a) * t; }

static uint32_t mix(uint32_t a, uint32_t b, double t)
{
    unsigned r = (unsigned)lround(lerp((a >> 16) & 0xFF, (b >> 16) & 0xFF, t));
    unsigned g = (unsigned)lround(lerp((a >> 8) & 0xFF, (b >> 8) & 0xFF, t));
    unsigned bl = (unsigned)lround(lerp(a & 0xFF, b & 0xFF, t));
    return TK_PDF_RGB(r, g, bl);
}

uint32_t tk_chart_heat_color(double v, double lo, double hi)
{
    if (isnan(v))
        return TK_CHART_HEAT_NONE;
    double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    return t < 0.5 ? mix(TK_CHART_HEAT_LOW, TK_CHART_HEAT_MID, t * 2)
                   : mix(TK_CHART_HEAT_MID, TK_CHART_HEAT_HIGH, (t - 0.5) * 2);
}

/* Text on a coloured background: white on dark colours. */
/* c mixed with white, three parts white to one of c. */
static uint32_t pale(uint32_t c)
{
    uint32_t r = (c >> 16) & 0xFF, g = (c >> 8) & 0xFF, b = c & 0xFF;
    return TK_PDF_RGB((r + 3 * 255) / 4, (g + 3 * 255) / 4, (b + 3 * 255) / 4);
}

static uint32_t ink_on(uint32_t bg)
{
    double l = 0.299 * ((bg >> 16) & 0xFF) + 0.587 * ((bg >> 8) & 0xFF) + 0.114 * (bg & 0xFF);
    return l < 150 ? TK_PDF_RGB(255, 255, 255) : INK;
}

/* ---- labels ---- */

typedef struct label_lines {
    char *s[4];
    double w[4];
    size_t n;
} label_lines;

static void label_free(label_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    l->n = 0;
}

/* text broken into at most max_lines (<= 4) lines of width; the last shown
 * line ends in "…" when the text does not fit. */
static void fit_label(tk_pdf *p, const char *text, double size, double width, size_t max_lines,
                      bool balance, label_lines *out)
{
    out->n = 0;
    if (!text || !*text || max_lines == 0)
        return;
    if (max_lines > 4)
        max_lines = 4;
    tk_pdf_line *ln;
    size_t n = tk_pdf_break_lines(p, text, size, width, &ln);
    if (balance && n >= 2 && n <= max_lines) {
        /* the narrowest width with as many lines: no lone last character */
        double lo = width / (double)n, hi = width;
        for (int it = 0; it < 12; it++) {
            double mid = (lo + hi) / 2;
            tk_pdf_line *l2;
            size_t n2 = tk_pdf_break_lines(p, text, size, mid, &l2);
            free(l2);
            if (n2 == n)
                hi = mid;
            else
                lo = mid;
        }
        free(ln);
        n = tk_pdf_break_lines(p, text, size, hi, &ln);
    }
    size_t keep = n <= max_lines ? n : max_lines - 1;
    for (size_t i = 0; i < keep; i++) {
        size_t len = ln[i].end - ln[i].start;
        out->s[out->n] = malloc(len + 1);
        if (!out->s[out->n])
            abort();
        memcpy(out->s[out->n], text + ln[i].start, len);
        out->s[out->n][len] = 0;
        out->w[out->n++] = ln[i].width;
    }
    if (n > max_lines) {
        const char *rest = text + ln[keep].start;
        double ew = tk_pdf_text_width(p, ELLIPSIS, size);
        tk_pdf_line *l2;
        size_t n2 = tk_pdf_break_lines(p, rest, size, width - ew > size ? width - ew : size, &l2);
        size_t len = n2 ? l2[0].end - l2[0].start : 0;
        char *s = malloc(len + sizeof ELLIPSIS);
        if (!s)
            abort();
        memcpy(s, rest, len);
        memcpy(s + len, ELLIPSIS, sizeof ELLIPSIS);
        out->s[out->n] = s;
        out->w[out->n++] = tk_pdf_text_width(p, s, size);
        free(l2);
    }
    free(ln);
}

static double max_text_width(tk_pdf *p, size_t n, const char *const *labels, double size)
{
    double m = 0;
    for (size_t i = 0; labels && i < n; i++) {
        double w = labels[i] ? tk_pdf_text_width(p, labels[i], size) : 0;
        if (w > m)
            m = w;
    }
    return m;
}

/* Tick label: as many decimals as the step needs. */
static void fmt_tick(double v, double step, char *out, size_t n)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 3)
        dec = 3;
    if (fabs(v) < step * 1e-6)
        v = 0;
    snprintf(out, n, "%.*f", dec, v);
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static void draw_title(tk_pdf *p, double x, double top, const char *title)
{
    tk_pdf_draw_text(p, x, top - TITLE_SIZE * 1.1, TITLE_SIZE, INK, TK_PDF_ALIGN_LEFT, title);
}

/* ---- horizontal bars ---- */

#define BAR_LABEL 8.5
#define BAR_VALUE 8.0
#define BAR_TICK 7.5
#define BAR_THICK 9.0

void tk_chart_bars(tk_pdf *p, const tk_chart_bars_opts *o, size_t n, const char *const *labels,
                   const double *values, double average)
{
    static const tk_chart_bars_opts none;
    if (!o)
        o = &none;
    if (n == 0 || !values)
        return;
    tk_pdf_frame f = tk_pdf_get_frame(p);
    double W = f.right - f.left;
    double lo = o->lo, hi = o->hi;
    if (lo == 0 && hi == 0)
        hi = 100;
    double step;
    tk_chart_nice_scale(lo, hi, 6, &lo, &hi, &step);
    double labw = max_text_width(p, n, labels, BAR_LABEL);
    labw = clampd(labw, W * 0.10, W * 0.30) + 8;
    double valw = tk_pdf_text_width(p, "100.0", BAR_VALUE) + 8;
    double x0 = f.left + labw, x1 = f.right - valw;
    label_lines *ll = calloc(n, sizeof *ll);
    double *pitch = malloc(sizeof *pitch * n);
    if (!ll || !pitch)
        abort();
    for (size_t i = 0; i < n; i++) {
        fit_label(p, labels ? labels[i] : NULL, BAR_LABEL, labw - 8, 2, true, &ll[i]);
        double lh = (double)(ll[i].n ? ll[i].n : 1) * BAR_LABEL * 1.2 + 5;
        pitch[i] = lh > 15 ? lh : 15;
    }
    bool avg = isfinite(average);
    char avs[TK_SCORE_SIZE];
    char avg_text[256];
    snprintf(avg_text, sizeof avg_text, "%s %s", o->average_label ? o->average_label : "平均",
             tk_fmt_score(average, avs));
    double axis_h = BAR_TICK * 2.2;
    double title_h = o->title ? TITLE_SIZE * 1.8 : 0;
    double avg_h = avg ? BAR_VALUE * 1.8 : 4;
    uint32_t color = o->color ? o->color : BAR_BLUE;
    uint32_t low = o->low_color ? o->low_color : VERMILION;
    double xv_scale = (x1 - x0) / (hi - lo);

    size_t i = 0;
    bool first = true;
    while (i < n) {
        double head = (first ? title_h : 0) + avg_h, room = tk_pdf_space_left(p) - head - axis_h;
        size_t k = 0;
        double h = 0;
        while (i + k < n && h + pitch[i + k] <= room) {
            h += pitch[i + k];
            k++;
        }
        size_t want = n - i < 3 ? n - i : 3;
        if (k < want) { /* too little room here: a fresh page */
            room = f.top - f.bottom - head - axis_h;
            k = 0;
            h = 0;
            while (i + k < n && (k == 0 || h + pitch[i + k] <= room)) {
                h += pitch[i + k];
                k++;
            }
        }
        double top = tk_pdf_reserve(p, head + h + axis_h);
        if (first && o->title)
            draw_title(p, f.left, top, o->title);
        double pt = top - head, pb = pt - h;
        for (double t = lo; t <= hi + step * 1e-6; t += step) {
            double x = x0 + (t - lo) * xv_scale;
            tk_pdf_draw_line(p, x, pt, x, pb, 0.4, GRID, false);
            char ts[32];
            fmt_tick(t, step, ts, sizeof ts);
            tk_pdf_draw_text(p, x, pb - BAR_TICK * 1.45, BAR_TICK, GREY_TEXT, TK_PDF_ALIGN_CENTER,
                             ts);
        }
        double y = pt;
        double *xe = malloc(sizeof *xe * k);
        if (!xe)
            abort();
        for (size_t j = i; j < i + k; j++) {
            double cy = y - pitch[j] / 2, v = values[j];
            xe[j - i] = x0;
            if (isfinite(v)) {
                xe[j - i] = x0 + (clampd(v, lo, hi) - lo) * xv_scale;
                uint32_t c = o->low_below > 0 && v < o->low_below ? low : color;
                if (xe[j - i] > x0)
                    tk_pdf_draw_rect(p, x0, cy - BAR_THICK / 2, xe[j - i] - x0, BAR_THICK, c, 0, 0);
            }
            double block = (double)ll[j].n * BAR_LABEL * 1.2;
            for (size_t l = 0; l < ll[j].n; l++) {
                double ly = cy + block / 2 - BAR_LABEL * 1.2 * ((double)l + 0.5);
                tk_pdf_draw_text(p, x0 - 6, ly - EM_CENTRE * BAR_LABEL, BAR_LABEL, INK,
                                 TK_PDF_ALIGN_RIGHT, ll[j].s[l]);
            }
            y -= pitch[j];
        }
        tk_pdf_draw_line(p, x0, pt, x0, pb, 0.6, AXIS, false);
        tk_pdf_draw_line(p, x0, pb, x1, pb, 0.6, AXIS, false);
        if (avg) {
            double xa = x0 + (clampd(average, lo, hi) - lo) * xv_scale;
            tk_pdf_draw_line(p, xa, pt + 2, xa, pb, 0.9, AVG_LINE, true);
            double tw = tk_pdf_text_width(p, avg_text, BAR_VALUE);
            double tx = clampd(xa - tw / 2, x0, f.right - tw);
            tk_pdf_draw_text(p, tx, pt + 5, BAR_VALUE, AVG_LINE, TK_PDF_ALIGN_LEFT, avg_text);
        }
        /* values at the bar ends; a value the average line would run
         * through (a bar ending just short of it) moves to the right of
         * the line instead */
        double xa = avg ? x0 + (clampd(average, lo, hi) - lo) * xv_scale : -1;
        y = pt;
        for (size_t j = i; j < i + k; j++) {
            double cy = y - pitch[j] / 2;
            char vs[TK_SCORE_SIZE];
            tk_fmt_score(values[j], vs);
            double tw = tk_pdf_text_width(p, vs, BAR_VALUE), tx = xe[j - i] + 3;
            if (avg && tx - 2 <= xa && xa <= tx + tw + 2)
                tx = xa + 3;
            tk_pdf_draw_text(p, tx, cy - EM_CENTRE * BAR_VALUE, BAR_VALUE, INK, TK_PDF_ALIGN_LEFT, vs);
            y -= pitch[j];
        }
        free(xe);
        i += k;
        first = false;
    }
    tk_pdf_space(p, 4);
    for (size_t j = 0; j < n; j++)
        label_free(&ll[j]);
    free(ll);
    free(pitch);
}

/* ---- heat map ---- */

#define HEAT_ROW_LABEL 8.0
#define HEAT_COL_LABEL 7.5
#define HEAT_ROW_H 15.0

#define HEAT_NOTE 6.5

typedef struct heat_layout {
    double rlw, cw, vsize, header_h, note_h;
    bool upright;
    label_lines *cl;
    const char *const *notes;
} heat_layout;

static void heat_header(tk_pdf *p, const heat_layout *L, size_t cols, double top)
{
    tk_pdf_frame f = tk_pdf_get_frame(p);
    double gx = f.left + L->rlw, gb = top - L->header_h + L->note_h;
    for (size_t c = 0; c < cols; c++) {
        double cx = gx + L->cw * ((double)c + 0.5);
        const label_lines *l = &L->cl[c];
        /* the note only where it fits the column (narrow upright columns may not) */
        if (L->notes && L->notes[c] && tk_pdf_text_width(p, L->notes[c], HEAT_NOTE) <= L->cw - 2)
            tk_pdf_draw_text(p, cx, gb - L->note_h + 3, HEAT_NOTE, GREY_TEXT, TK_PDF_ALIGN_CENTER, L->notes[c]);
        if (L->upright) {
            if (l->n)
                tk_pdf_draw_text_up(p, cx + EM_CENTRE * HEAT_COL_LABEL, gb + 4, HEAT_COL_LABEL, INK,
                                    l->s[0]);
        } else {
            double lh = HEAT_COL_LABEL * 1.25;
            for (size_t i = 0; i < l->n; i++) {
                double by = gb + 4 + lh * (double)(l->n - 1 - i) + (lh - HEAT_COL_LABEL) / 2 +
                            HEAT_COL_LABEL * 0.12;
                tk_pdf_draw_text(p, cx, by, HEAT_COL_LABEL, INK, TK_PDF_ALIGN_CENTER, l->s[i]);
            }
        }
    }
}

void tk_chart_heatmap(tk_pdf *p, const tk_chart_heat_opts *o, size_t rows, size_t cols,
                      const char *const *row_labels, const char *const *col_labels,
                      const double *values)
{
    static const tk_chart_heat_opts none;
    if (!o)
        o = &none;
    if (rows == 0 || cols == 0 || !values)
        return;
    tk_pdf_frame f = tk_pdf_get_frame(p);
    double W = f.right - f.left;
    double lo = o->lo, hi = o->hi;
    if (lo == 0 && hi == 0)
        hi = 100;
    heat_layout L = {0};
    L.rlw = clampd(max_text_width(p, rows, row_labels, HEAT_ROW_LABEL) + 8, 48, W * 0.28);
    L.cw = (W - L.rlw) / (double)cols;
    double w1 = tk_pdf_text_width(p, "100.0", 1.0);
    L.vsize = w1 > 0 ? fmin(7.5, (L.cw - 4) / w1) : 7.5;
    L.cl = calloc(cols, sizeof *L.cl);
    if (!L.cl)
        abort();
    /* column labels: wrapped in the column if that stays short, else upright */
    size_t maxl = 0;
    bool wrap = L.cw >= HEAT_COL_LABEL * 3.2;
    for (size_t c = 0; wrap && c < cols; c++) {
        tk_pdf_line *ln;
        size_t n = tk_pdf_break_lines(p, col_labels ? col_labels[c] : "", HEAT_COL_LABEL,
                                      L.cw - 4, &ln);
        free(ln);
        if (n > 4)
            wrap = false;
        if (n > maxl)
            maxl = n;
    }
    if (wrap) {
        for (size_t c = 0; c < cols; c++)
            fit_label(p, col_labels ? col_labels[c] : NULL, HEAT_COL_LABEL, L.cw - 4, 4, true,
                      &L.cl[c]);
        L.header_h = (double)(maxl ? maxl : 1) * HEAT_COL_LABEL * 1.25 + 8;
    } else {
        L.upright = true;
        double maxw = 0;
        for (size_t c = 0; c < cols; c++) {
            fit_label(p, col_labels ? col_labels[c] : NULL, HEAT_COL_LABEL, TK_PDF_MM(35), 1, false,
                      &L.cl[c]);
            if (L.cl[c].n && L.cl[c].w[0] > maxw)
                maxw = L.cl[c].w[0];
        }
        L.header_h = maxw + 10;
    }
    if (o->col_notes) {
        L.notes = o->col_notes;
        L.note_h = HEAT_NOTE * 1.4;
        L.header_h += L.note_h;
    }
    double title_h = o->title ? TITLE_SIZE * 1.8 : 0;
    size_t r = 0;
    bool first = true;
    while (r < rows) {
        double head = (first ? title_h : 0) + L.header_h;
        double room = tk_pdf_space_left(p) - head;
        size_t k = room > 0 ? (size_t)(room / HEAT_ROW_H + 1e-9) : 0;
        size_t want = rows - r < 3 ? rows - r : 3;
        if (k < want) {
            room = f.top - f.bottom - head;
            k = room > HEAT_ROW_H ? (size_t)(room / HEAT_ROW_H + 1e-9) : 1;
        }
        if (k > rows - r)
            k = rows - r;
        double top = tk_pdf_reserve(p, head + (double)k * HEAT_ROW_H);
        if (first && o->title)
            draw_title(p, f.left, top, o->title);
        heat_header(p, &L, cols, top - (first ? title_h : 0));
        double y = top - head;
        for (size_t j = r; j < r + k; j++) {
            label_lines rl;
            fit_label(p, row_labels ? row_labels[j] : NULL, HEAT_ROW_LABEL, L.rlw - 8, 1, false,
                      &rl);
            if (rl.n)
                tk_pdf_draw_text(p, f.left, y - HEAT_ROW_H / 2 - EM_CENTRE * HEAT_ROW_LABEL,
                                 HEAT_ROW_LABEL, INK, TK_PDF_ALIGN_LEFT, rl.s[0]);
            label_free(&rl);
            for (size_t c = 0; c < cols; c++) {
                double v = values[j * cols + c];
                uint32_t bg = tk_chart_heat_color(v, lo, hi);
                bool thin = !isnan(v) && o->counts && o->counts[j * cols + c] < (o->few ? o->few : 3);
                if (thin)
                    bg = pale(bg);
                double x = f.left + L.rlw + L.cw * (double)c;
                tk_pdf_draw_rect(p, x, y - HEAT_ROW_H, L.cw, HEAT_ROW_H, bg,
                                 TK_PDF_RGB(255, 255, 255), 1.0);
                if (L.vsize >= 4.5) {
                    char vs[TK_SCORE_SIZE];
                    double by = y - HEAT_ROW_H / 2 - EM_CENTRE * L.vsize;
                    uint32_t ink = isnan(v) || thin ? GREY_TEXT : ink_on(bg);
                    tk_pdf_draw_text(p, x + L.cw / 2, by, L.vsize, ink, TK_PDF_ALIGN_CENTER,
                                     tk_fmt_score(v, vs));
                }
            }
            y -= HEAT_ROW_H;
        }
        r += k;
        first = false;
    }
    /* legend: a stepped colour bar from lo to hi, and the "no items" grey */
    double lh = 26, top = tk_pdf_reserve(p, lh), x = f.left, sw = 16, sh = 8;
    double ly = top - 10;
    if (o->legend_label) {
        tk_pdf_draw_text(p, x, ly - sh / 2 - EM_CENTRE * 7.5, 7.5, GREY_TEXT, TK_PDF_ALIGN_LEFT,
                         o->legend_label);
        x += tk_pdf_text_width(p, o->legend_label, 7.5) + 6;
    }
    for (int s = 0; s < 10; s++) {
        double v = lo + (hi - lo) * (s + 0.5) / 10.0;
        tk_pdf_draw_rect(p, x + sw * s, ly - sh, sw, sh, tk_chart_heat_color(v, lo, hi), 0, 0);
    }
    char a[32], b[32], m[32];
    double step = (hi - lo) / 2;
    fmt_tick(lo, step >= 1 ? 1 : step, a, sizeof a);
    fmt_tick((lo + hi) / 2, step >= 1 ? 1 : step, m, sizeof m);
    fmt_tick(hi, step >= 1 ? 1 : step, b, sizeof b);
    tk_pdf_draw_text(p, x, ly - sh - 8.5, 7, GREY_TEXT, TK_PDF_ALIGN_CENTER, a);
    tk_pdf_draw_text(p, x + sw * 5, ly - sh - 8.5, 7, GREY_TEXT, TK_PDF_ALIGN_CENTER, m);
    tk_pdf_draw_text(p, x + sw * 10, ly - sh - 8.5, 7, GREY_TEXT, TK_PDF_ALIGN_CENTER, b);
    x += sw * 10 + 16;
    if (o->none_label) {
        tk_pdf_draw_rect(p, x, ly - sh, sw, sh, TK_CHART_HEAT_NONE, 0, 0);
        tk_pdf_draw_text(p, x + sw / 2, ly - sh / 2 - EM_CENTRE * 6.5, 6.5, GREY_TEXT,
                         TK_PDF_ALIGN_CENTER, DASH);
        tk_pdf_draw_text(p, x + sw + 4, ly - sh / 2 - EM_CENTRE * 7.5, 7.5, GREY_TEXT,
                         TK_PDF_ALIGN_LEFT, o->none_label);
        x += sw + 4 + tk_pdf_text_width(p, o->none_label, 7.5) + 16;
    }
    if (o->counts && o->few_label) {
        tk_pdf_draw_rect(p, x, ly - sh, sw, sh, pale(tk_chart_heat_color(lo, lo, hi)), 0, 0);
        tk_pdf_draw_text(p, x + sw + 4, ly - sh / 2 - EM_CENTRE * 7.5, 7.5, GREY_TEXT,
                         TK_PDF_ALIGN_LEFT, o->few_label);
    }
    tk_pdf_space(p, 3);
    for (size_t c = 0; c < cols; c++)
        label_free(&L.cl[c]);
    free(L.cl);
}

/* ---- columns ---- */

static const uint32_t palette[] = {
    TK_PDF_HEX(0x0072B2), TK_PDF_HEX(0xD55E00), TK_PDF_HEX(0x009E73), TK_PDF_HEX(0xE69F00),
    TK_PDF_HEX(0x56B4E9), TK_PDF_HEX(0xCC79A7), TK_PDF_HEX(0x999999),
};

static double val(const tk_chart_series *s, size_t i)
{
    double v = s->values ? s->values[i] : 0;
    return isfinite(v) && v > 0 ? v : 0;
}

static void fmt_count(double v, char *out, size_t n)
{
    if (fabs(v - round(v)) < 1e-9)
        snprintf(out, n, "%.0f", v);
    else
        tk_fmt_score(v, out);
}

void tk_chart_columns(tk_pdf *p, const tk_chart_columns_opts *o, size_t n,
                      const char *const *labels, size_t nseries, const tk_chart_series *series)
{
    static const tk_chart_columns_opts none;
    if (!o)
        o = &none;
    if (n == 0 || nseries == 0 || !series)
        return;
    tk_pdf_frame f = tk_pdf_get_frame(p);
    double maxv = 0;
    bool integral = true;
    for (size_t i = 0; i < n; i++) {
        double tot = 0;
        for (size_t s = 0; s < nseries; s++) {
            double v = val(&series[s], i);
            if (fabs(v - round(v)) > 1e-9)
                integral = false;
            tot = o->stacked ? tot + v : fmax(tot, v);
        }
        maxv = fmax(maxv, tot);
    }
    double lo, hi, step;
    tk_chart_nice_scale(0, maxv, 6, &lo, &hi, &step);
    if (integral && step < 1) {
        step = 1;
        hi = ceil(maxv - 1e-9);
        if (hi < 1)
            hi = 1;
        if (hi > 5) /* keep about five ticks */
            tk_chart_nice_scale(0, hi, 6, &lo, &hi, &step);
    }
    lo = 0;
    char ts[32];
    fmt_tick(hi, step, ts, sizeof ts);
    double tick = 7.5, yaw = tk_pdf_text_width(p, ts, tick) + 8;
    double x0 = f.left + yaw, x1 = f.right, slot = (x1 - x0) / (double)n;
    double lsize = 7.5, maxlw = max_text_width(p, n, labels, lsize);
    bool upright = maxlw > slot - 3;
    double xlab_h = upright ? fmin(maxlw, TK_PDF_MM(22)) + 8 : lsize * 2.2;
    double title_h = o->title ? TITLE_SIZE * 1.8 : 0;
    bool legend = false;
    for (size_t s = 0; s < nseries; s++)
        legend |= series[s].name != NULL;
    double legend_h = legend || o->unit ? 14 : 4;
    double H = TK_PDF_MM(o->height_mm > 0 ? o->height_mm : 55);
    double top = tk_pdf_reserve(p, title_h + legend_h + H + xlab_h);
    if (o->title)
        draw_title(p, f.left, top, o->title);
    double pt = top - title_h - legend_h, pb = pt - H;
    if (o->unit)
        tk_pdf_draw_text(p, f.left, pt + 5, tick, GREY_TEXT, TK_PDF_ALIGN_LEFT, o->unit);
    if (legend) { /* right aligned row of swatches */
        double x = f.right, ly = pt + 5;
        for (size_t s = nseries; s-- > 0;) {
            if (!series[s].name)
                continue;
            double tw = tk_pdf_text_width(p, series[s].name, 8);
            x -= tw;
            tk_pdf_draw_text(p, x, ly, 8, INK, TK_PDF_ALIGN_LEFT, series[s].name);
            x -= 11;
            uint32_t c = series[s].color ? series[s].color : palette[s % 7];
            tk_pdf_draw_rect(p, x, ly - 0.5, 8, 8, c, 0, 0);
            x -= 12;
        }
    }
    double yscale = H / (hi - lo);
    for (double t = lo; t <= hi + step * 1e-6; t += step) {
        double y = pb + (t - lo) * yscale;
        if (t > lo)
            tk_pdf_draw_line(p, x0, y, x1, y, 0.4, GRID, false);
        fmt_tick(t, step, ts, sizeof ts);
        tk_pdf_draw_text(p, x0 - 4, y - EM_CENTRE * tick, tick, GREY_TEXT, TK_PDF_ALIGN_RIGHT, ts);
    }
    double bw = o->stacked ? slot * 0.6 : slot * 0.75 / (double)nseries;
    char vs[TK_SCORE_SIZE];
    for (size_t i = 0; i < n; i++) {
        double cx = x0 + slot * ((double)i + 0.5);
        if (o->stacked) {
            double y = pb, tot = 0;
            for (size_t s = 0; s < nseries; s++) {
                double v = val(&series[s], i), h = v * yscale;
                uint32_t c = series[s].color ? series[s].color : palette[s % 7];
                if (h > 0)
                    tk_pdf_draw_rect(p, cx - bw / 2, y, bw, h, c, TK_PDF_RGB(255, 255, 255), 0.5);
                y += h;
                tot += v;
            }
            if (tot > 0) {
                fmt_count(tot, vs, sizeof vs);
                tk_pdf_draw_text(p, cx, y + 3, 7, INK, TK_PDF_ALIGN_CENTER, vs);
            }
        } else {
            double gx = cx - bw * (double)nseries / 2;
            for (size_t s = 0; s < nseries; s++) {
                double v = val(&series[s], i), h = v * yscale;
                uint32_t c = series[s].color ? series[s].color : palette[s % 7];
                if (h > 0)
                    tk_pdf_draw_rect(p, gx + bw * (double)s, pb, bw, h, c, 0, 0);
                fmt_count(v, vs, sizeof vs);
                if (v > 0 && tk_pdf_text_width(p, vs, 6.5) <= bw + 2)
                    tk_pdf_draw_text(p, gx + bw * ((double)s + 0.5), pb + h + 2.5, 6.5, INK,
                                     TK_PDF_ALIGN_CENTER, vs);
            }
        }
        const char *lab = labels ? labels[i] : NULL;
        if (!lab)
            continue;
        if (upright) {
            label_lines l;
            fit_label(p, lab, lsize, TK_PDF_MM(22), 1, false, &l);
            if (l.n)
                tk_pdf_draw_text_up(p, cx + EM_CENTRE * lsize, pb - 4 - l.w[0], lsize, INK, l.s[0]);
            label_free(&l);
        } else {
            tk_pdf_draw_text(p, cx, pb - lsize * 1.5, lsize, INK, TK_PDF_ALIGN_CENTER, lab);
        }
    }
    tk_pdf_draw_line(p, x0, pb, x1, pb, 0.6, AXIS, false);
    tk_pdf_space(p, 4);
}
