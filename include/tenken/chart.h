/* chart.h — charts drawn as vector graphics into the flow of a tk_pdf
 * document (see pdf.h): horizontal bars (score by department, with the
 * average), a heat map (department × chapter), and columns by month
 * (remediation plans, optionally stacked). Also the number formatting and
 * the axis scale the report code shares with them.
 *
 * Charts take the full text width, start at the cursor and move it below
 * themselves; bars and heat maps that do not fit continue on the next page
 * with their axis or column header repeated. Labels are copied; nothing is
 * kept after the call. Wording (titles, the average's label, legend text)
 * comes from the caller — the templates — except for short fallbacks.
 */
#ifndef TENKEN_CHART_H
#define TENKEN_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/pdf.h"

/* ---- numbers ---- */

#define TK_SCORE_SIZE 16

/* A score with one decimal, rounded half up ("87.25" -> "87.3",
 * "87.35" -> "87.4", "99.95" -> "100.0", "100" -> "100.0"). Values that are
 * exact decimals to two places round as written, although their binary
 * doubles lie a hair below or above the half. Negative values round half
 * away from zero; NaN and infinities give "—"; |x| >= 1e12 gives "—".
 * Writes into out and returns it. */
char *tk_fmt_score(double x, char out[TK_SCORE_SIZE]);

/* Nice axis bounds for data in [min, max] with at most about max_ticks
 * ticks (values < 2 mean 6): *lo <= min and *hi >= max are multiples of
 * *step, and step is 1, 2 or 5 times a power of ten.
 * (0, 87) -> 0..100 step 20; (0, 7) -> 0..8 step 2; (0, 0) -> 0..1 step 0.2.
 * NaN or infinite input is treated as (0, 1); min > max are swapped. */
void tk_chart_nice_scale(double min, double max, int max_ticks, double *lo, double *hi,
                         double *step);

/* Colour of the heat-map scale for v in [lo, hi] (clamped): vermilion for
 * lo, pale yellow in the middle, blue for hi — a scale that stays readable
 * for people with red-green colour vision deficiency (カラーユニバーサル
 * デザイン), unlike red to green. NaN gives the "no items" grey. Returned as
 * TK_PDF_RGB. */
uint32_t tk_chart_heat_color(double v, double lo, double hi);
#define TK_CHART_HEAT_LOW TK_PDF_RGB(0xD7, 0x4B, 0x2A)
#define TK_CHART_HEAT_MID TK_PDF_RGB(0xFF, 0xF2, 0xB8)
#define TK_CHART_HEAT_HIGH TK_PDF_RGB(0x3A, 0x6F, 0xB0)
#define TK_CHART_HEAT_NONE TK_PDF_RGB(0xD9, 0xD9, 0xD9)

/* ---- horizontal bars ---- */

typedef struct tk_chart_bars_opts {
    const char *title;         /* above the chart; NULL none */
    const char *average_label; /* printed with the value at the average line,
                                  e.g. "全体平均" -> "全体平均 78.4"; NULL = "平均" */
    double lo, hi;             /* value axis; both 0 = 0..100 */
    uint32_t color;            /* bars; 0 = blue */
    double low_below;          /* bars with values below this use low_color; 0 = off */
    uint32_t low_color;        /* 0 = vermilion */
} tk_chart_bars_opts;

/* One bar per label, in the caller's order (sort before). values are
 * printed at the bar ends with one decimal (NaN: no bar, "—"). average NaN
 * draws no average line. Labels too long for the label column wrap to two
 * lines and are then shortened with "…". o may be NULL. */
void tk_chart_bars(tk_pdf *p, const tk_chart_bars_opts *o, size_t n, const char *const *labels,
                   const double *values, double average);

/* ---- heat map ---- */

typedef struct tk_chart_heat_opts {
    const char *title;        /* above the chart; NULL none */
    double lo, hi;            /* colour scale; both 0 = 0..100 */
    const char *legend_label; /* before the colour legend, e.g. "達成率"; NULL none */
    const char *none_label;   /* legend entry for NaN cells, e.g. "対象項目なし"; NULL = no entry */
    /* rows × cols (like values): how many answers each cell's value rests
     * on, or NULL. A cell resting on fewer than `few` (0 = 3) is drawn pale
     * with its value in grey: one answer of 0 is not the alarm forty are. */
    const size_t *counts;
    size_t few;
    const char *few_label; /* legend entry for the pale cells; NULL = none */
    /* cols entries, or NULL: a short grey line under each column label
     * ("19項目") */
    const char *const *col_notes;
} tk_chart_heat_opts;

/* rows × cols cells, values row-major (values[r * cols + c]); NaN cells are
 * grey with "—". Each cell shows its value with one decimal. Column labels
 * wrap within the column, or are turned upright when the columns are too
 * narrow. Rows continue on the next page with the column header repeated.
 * o may be NULL. */
void tk_chart_heatmap(tk_pdf *p, const tk_chart_heat_opts *o, size_t rows, size_t cols,
                      const char *const *row_labels, const char *const *col_labels,
                      const double *values);

/* ---- columns by month ---- */

typedef struct tk_chart_series {
    const char *name;     /* legend text; NULL = not in the legend */
    const double *values; /* one per column; NaN counts as 0 */
    uint32_t color;       /* 0 = from the default palette */
} tk_chart_series;

typedef struct tk_chart_columns_opts {
    const char *title;  /* above the chart; NULL none */
    bool stacked;       /* stack the series; default: side by side */
    double height_mm;   /* plot height; 0 = 55 */
    const char *unit;   /* caption of the value axis, e.g. "件"; NULL none */
} tk_chart_columns_opts;

/* n columns (e.g. due months, labels like "4月" or "2026-04") of nseries
 * series. Totals (stacked) or values (side by side, when there is room) are
 * printed above the columns: whole numbers without decimals, others with
 * one. The chart is kept on one page. o may be NULL. */
void tk_chart_columns(tk_pdf *p, const tk_chart_columns_opts *o, size_t n,
                      const char *const *labels, size_t nseries, const tk_chart_series *series);

#endif
