/* report_xlsx.c — the summary workbook for the secretariat (libxlsxwriter):
 * sheets by department, by chapter, department × chapter, by item, the
 * state of the remediation plans and all plans, each a table with an
 * autofilter and a frozen header, and native Excel charts on chart sheets
 * of their own (one printed page each, every label shown). Scores are
 * written as the numbers tk_fmt1 prints (tk_round1) with the format "0.0",
 * so Excel shows what the PDFs and `tenken score` show.
 *
 * Made for paper: every sheet has a print area and repeated headings and is
 * printed one page wide in landscape, its columns narrow enough to print at
 * a legible size; rows of wrapped text are as tall as their lines
 * (tk_xlsx_cell_lines), so nothing overprints; totals sit below the filtered
 * range, never inside it. See report.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "report_internal.h"
#include "tenken/checklist.h"
#include "tenken/report.h"
#include "tenken/score.h"
#include "tenken/xlsx_write.h"

#define HEADER_ROW 3 /* title, subtitle, a blank row, then the table */
#define FONT_SIZE 10.0 /* pt, every cell */
#define LINE_PT 13.5   /* pt a wrapped line of FONT_SIZE takes */
#define ROW_PT_MAX 409 /* Excel's tallest row */
/* Columns of a sheet together at most this many character units: about
 * 1.2 times what an A4 landscape page holds at 100 %, so fit-to-width never
 * prints below about 80 %. */
#define PRINT_UNITS_MAX 170.0

typedef struct xw {
    const tk_report *rp;
    tk_store *st; /* the plans' rows */
    lxw_workbook *wb;
    lxw_format *title, *sub, *head, *text, *wrap, *num1, *int0, *date, *total, *total1, *warn, *code, *delta, *tdelta;
    tk_arena *a;
    size_t *order; /* department indices, the committee report's order (tk_rp_depts_by_score) */
} xw;

static void num1(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isnan(v))
        worksheet_write_blank(ws, r, c, f ? f : x->num1);
    else
        worksheet_write_number(ws, r, c, tk_round1(v), f ? f : x->num1);
}

static void intv(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, size_t v, lxw_format *f)
{
    worksheet_write_number(ws, r, c, (double)v, f ? f : x->int0);
}

static void str(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
    if (s && *s)
        worksheet_write_string(ws, r, c, s, f ? f : x->text);
    else
        worksheet_write_blank(ws, r, c, f ? f : x->text);
}

static void date_cell(xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *iso)
{
    tk_date d;
    if (iso && strlen(iso) >= 10) {
        char b[11];
        memcpy(b, iso, 10);
        b[10] = 0;
        if (tk_date_parse(b, &d)) {
            lxw_datetime dt = {d.y, d.m, d.d, 0, 0, 0};
            worksheet_write_datetime(ws, r, c, &dt, x->date);
            return;
        }
    }
    str(x, ws, r, c, iso, NULL);
}

/* A4 landscape, one page wide, header and footer. */
static void print_setup(xw *x, lxw_worksheet *ws, const char *title)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_header(ws, tk_arena_printf(x->a, "&L%s&R%s", title, x->rp->classification));
    worksheet_set_footer(ws, "&C&P / &N");
}

/* Title, subtitle, the header row; widths per column. */
static lxw_worksheet *sheet(xw *x, const char *name, const char *title, const char *const *heads, const double *widths,
                            size_t n)
{
    const tk_report *rp = x->rp;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    worksheet_write_string(ws, 0, 0, title, x->title);
    worksheet_write_string(ws, 1, 0,
                           tk_arena_printf(x->a, "%s　%s　%s 現在", rp->r->org_name, rp->fy_label, rp->date_both), x->sub);
    worksheet_set_row(ws, HEADER_ROW, 30, NULL);
    for (size_t c = 0; c < n; c++) {
        worksheet_write_string(ws, HEADER_ROW, (lxw_col_t)c, heads[c], x->head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    }
    print_setup(x, ws, title);
    worksheet_repeat_rows(ws, HEADER_ROW, HEADER_ROW);
    return ws;
}

/* Height in pt of a row whose wrapped cells are texts[i] in columns of
 * widths[i] units: the tallest, never less than one line. */
static double row_height(const char *const *texts, const double *widths, size_t n)
{
    int lines = 1;
    for (size_t i = 0; i < n; i++) {
        int l = texts[i] && *texts[i] ? tk_xlsx_cell_lines(texts[i], widths[i], FONT_SIZE) : 1;
        lines = l > lines ? l : lines;
    }
    double h = lines * LINE_PT + 4;
    return h > ROW_PT_MAX ? ROW_PT_MAX : h;
}

/* Autofilter over the table, header frozen (and the first cols columns);
 * the print area is the title down to the table's last row and extra rows
 * below it (a total). */
static void table_done(lxw_worksheet *ws, size_t nrows, size_t ncols, size_t freeze_cols, size_t extra)
{
    lxw_row_t last = (lxw_row_t)(HEADER_ROW + (nrows ? nrows : 1));
    worksheet_autofilter(ws, HEADER_ROW, 0, last, (lxw_col_t)(ncols - 1));
    worksheet_freeze_panes(ws, HEADER_ROW + 1, (lxw_col_t)freeze_cols);
    worksheet_print_area(ws, 0, 0, (lxw_row_t)(last + extra), (lxw_col_t)(ncols - 1));
}

/* A chart on a sheet of its own: one landscape page, the headers of the
 * other sheets. */
static void chart_sheet(xw *x, const char *name, lxw_chart *ch)
{
    lxw_chartsheet *cs = workbook_add_chartsheet(x->wb, name);
    chartsheet_set_chart(cs, ch);
    chartsheet_set_landscape(cs);
    chartsheet_set_paper(cs, 9); /* A4 */
    chartsheet_set_header(cs, tk_arena_printf(x->a, "&L%s&R%s", tk_report_title(x->rp, x->a, x->rp->title_summary, -1),
                                              x->rp->classification));
    chartsheet_set_footer(cs, "&C&P / &N");
}

/* Category labels all shown (interval 1), at a size that fits them. */
static void category_labels(lxw_chart_axis *axis, double size)
{
    lxw_chart_font f = {.size = size, .name = "游ゴシック"};
    chart_axis_set_num_font(axis, &f);
    chart_axis_set_interval_unit(axis, 1);
}

static void no_legend_title(lxw_chart *ch, const char *title)
{
    chart_title_set_name(ch, title);
    lxw_chart_font tf = {.size = 12, .bold = LXW_TRUE};
    chart_title_set_name_font(ch, &tf);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
}

/* The sheet the department chart's threshold band reads: the low score
 * once per department, in the chart's order (a chart series takes its
 * values from cells). Hidden: nothing to read there that 部署別 does not
 * say. Without a print area (nor a filter): LibreOffice (7.4) prints a
 * hidden sheet's print area when the whole workbook is exported to PDF,
 * and leaves a hidden sheet without one out, as Excel leaves out every
 * hidden sheet. */
#define BAND_SHEET "グラフ用"
static void sheet_chart_band(xw *x)
{
    const tk_report *rp = x->rp;
    double low = tk_rp_low_threshold(rp);
    size_t n = rp->nby_dept;
    if (!n || low <= 0)
        return;
    static const char *const heads[] = {"部署", "基準（得点）"};
    static const double w[] = {24, 12};
    lxw_worksheet *ws = sheet(x, BAND_SHEET, "部署別グラフの基準", heads, w, 2);
    for (size_t i = 0; i < n; i++) {
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + i);
        str(x, ws, row, 0, rp->r->depts[x->order[i]].name, NULL);
        num1(x, ws, row, 1, low, NULL);
    }
    worksheet_hide(ws);
}

/* Score by department as the committee report draws it: a bar per
 * department in the table's order (best first), vermilion under the low
 * score; over every bar a pale vermilion band from 0 to the low score, so
 * that the threshold shows in every row whatever it is (libxlsxwriter 1.1.4
 * has no combined charts to draw a line there, and a gridline at the
 * threshold alone is possible only when it is 50 or more); on a chart
 * sheet of its own, so that it prints on one page. */
static void chart_departments(xw *x, size_t n)
{
    const tk_report *rp = x->rp;
    double low = tk_rp_low_threshold(rp);
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_BAR);
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    chart_series_set_categories(s, "部署別", HEADER_ROW + 1, 1, (lxw_row_t)(HEADER_ROW + n), 1);
    chart_series_set_values(s, "部署別", HEADER_ROW + 1, 7, (lxw_row_t)(HEADER_ROW + n), 7);
    lxw_chart_fill fill = {.color = 0x4A7DB5}, warn = {.color = 0xD74B2A};
    chart_series_set_fill(s, &fill);
    lxw_chart_point *pts = tk_arena_alloc(x->a, n * sizeof *pts);
    lxw_chart_point **pv = tk_arena_alloc(x->a, (n + 1) * sizeof *pv);
    for (size_t i = 0; i < n; i++) {
        double sc = tk_round1(tk_rp_dept_score(rp, x->order[i]));
        pts[i] = (lxw_chart_point){.fill = !isnan(sc) && low > 0 && sc < low ? &warn : &fill};
        pv[i] = &pts[i];
    }
    pv[n] = NULL;
    chart_series_set_points(s, pv);
    chart_series_set_labels(s);
    chart_series_set_labels_num_format(s, "0.0");
    chart_set_series_gap(ch, 60);
    if (low > 0) {
        /* drawn after the scores, over them, the whole bar's width */
        lxw_chart_series *b = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(b, "部署別", HEADER_ROW + 1, 1, (lxw_row_t)(HEADER_ROW + n), 1);
        chart_series_set_values(b, BAND_SHEET, HEADER_ROW + 1, 1, (lxw_row_t)(HEADER_ROW + n), 1);
        chart_series_set_name(b, tk_arena_printf(x->a, "%.1f 未満", low));
        lxw_chart_fill band = {.color = 0xD74B2A, .transparency = 85};
        chart_series_set_fill(b, &band);
        lxw_chart_line edge = {.none = LXW_TRUE};
        chart_series_set_line(b, &edge);
        chart_set_series_overlap(ch, 100);
    }
    const char *title = low > 0 ? tk_arena_printf(x->a, "部署別の得点（高い順。朱色は %.1f 未満、淡い朱色の帯は %.1f まで）", low, low)
                                : "部署別の得点（高い順）";
    no_legend_title(ch, title);
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 100);
    chart_axis_set_major_unit(ch->x_axis, 10);
    lxw_chart_line gl = {.color = 0xD9D9D9, .width = 0.5};
    chart_axis_major_gridlines_set_line(ch->x_axis, &gl);
    chart_axis_set_reverse(ch->y_axis); /* the first department on top */
    chart_axis_set_crossing_max(ch->y_axis);
    category_labels(ch->y_axis, n > 40 ? 7 : 9);
    chart_sheet(x, "部署別グラフ", ch);
}

static void sheet_departments(xw *x)
{
    const tk_report *rp = x->rp;
    const tk_results *r = rp->r;
    bool pv = rp->prev_has;
    /* the negative answers as the kind calls them (an audit: 指摘事項) */
    const char *heads[] = {"部署コード", "部署", "提出日", "配布項目", "対象", "回答", "回答率(%)", "得点",
                                        "評価", TX("negative-short", "否定的回答"), "要対応", "未回答", "改善計画", "未完了", "期限超過",
                                        "前年度得点", "増減"};
    static const double w[] = {10, 18, 10, 7, 6, 6, 8, 7, 12, 8, 7, 7, 8, 7, 8, 9, 7};
    size_t nc = pv ? 17 : 15;
    lxw_worksheet *ws = sheet(x, "部署別", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, nc);
    size_t n = rp->nby_dept;
    for (size_t i = 0; i < n; i++) {
        size_t d = x->order[i];
        const tk_tally *t = tk_rp_dept_tally(rp, d);
        const tk_res_department *dep = &r->depts[d];
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + i);
        double sc = tk_tally_score(t);
        const tk_report_plan_count *pc = &rp->dept_plans[d];
        size_t open = pc->open + pc->late, late = pc->late;
        const char *name = dep->name;
        worksheet_set_row(ws, row, row_height(&name, &w[1], 1), NULL);
        str(x, ws, row, 0, dep->code, x->code);
        str(x, ws, row, 1, dep->name, x->wrap);
        if (dep->returned_at)
            date_cell(x, ws, row, 2, dep->returned_at);
        else
            str(x, ws, row, 2, "未提出", x->warn);
        intv(x, ws, row, 3, t->issued, NULL);
        intv(x, ws, row, 4, tk_tally_applicable(t), NULL);
        intv(x, ws, row, 5, t->answered, NULL);
        num1(x, ws, row, 6, tk_tally_answer_rate(t), NULL);
        num1(x, ws, row, 7, sc, NULL);
        str(x, ws, row, 8, tk_report_band(rp, sc), NULL);
        intv(x, ws, row, 9, t->negative, NULL);
        intv(x, ws, row, 10, rp->dept_flagged[d], NULL);
        intv(x, ws, row, 11, tk_tally_applicable(t) - t->answered, NULL);
        intv(x, ws, row, 12, pc->total, NULL);
        intv(x, ws, row, 13, open, NULL);
        intv(x, ws, row, 14, late, late ? x->warn : NULL);
        if (pv) {
            const tk_tally *pt = &rp->prev_dept[d];
            double ps = pt->issued ? tk_tally_score(pt) : NAN;
            num1(x, ws, row, 15, ps, NULL);
            num1(x, ws, row, 16, isnan(ps) || isnan(sc) ? NAN : tk_round1(sc) - tk_round1(ps), x->delta);
        }
    }
    /* the whole organisation, below the filtered range (a blank row between) */
    table_done(ws, n, nc, 2, 2);
    lxw_row_t tr = (lxw_row_t)(HEADER_ROW + 2 + (n ? n : 1));
    const tk_tally *T = &rp->total;
    double SC = tk_tally_score(T);
    size_t open = rp->plans.open + rp->plans.late, late = rp->plans.late;
    str(x, ws, tr, 0, "", x->total);
    str(x, ws, tr, 1, "全体", x->total);
    str(x, ws, tr, 2, "", x->total);
    intv(x, ws, tr, 3, T->issued, x->total);
    intv(x, ws, tr, 4, tk_tally_applicable(T), x->total);
    intv(x, ws, tr, 5, T->answered, x->total);
    num1(x, ws, tr, 6, tk_tally_answer_rate(T), x->total1);
    num1(x, ws, tr, 7, SC, x->total1);
    str(x, ws, tr, 8, tk_report_band(rp, SC), x->total);
    intv(x, ws, tr, 9, T->negative, x->total);
    intv(x, ws, tr, 10, rp->flagged, x->total);
    intv(x, ws, tr, 11, tk_tally_applicable(T) - T->answered, x->total);
    intv(x, ws, tr, 12, rp->plans.total, x->total);
    intv(x, ws, tr, 13, open, x->total);
    intv(x, ws, tr, 14, late, x->total);
    if (pv) {
        double ps = tk_tally_score(&rp->prev_total);
        num1(x, ws, tr, 15, ps, x->total1);
        num1(x, ws, tr, 16, isnan(ps) || isnan(SC) ? NAN : tk_round1(SC) - tk_round1(ps), x->tdelta);
    }
    if (n)
        chart_departments(x, n);
}

static void sheet_chapters(xw *x)
{
    const tk_report *rp = x->rp;
    bool pv = rp->prev_has;
    const char *heads[] = {"章", "配布項目", "対象", "回答", "回答率(%)", "得点", TX("negative-short", "否定的回答"), "前年度得点",
                                        "増減"};
    static const double w[] = {48, 9, 8, 8, 10, 8, 10, 10, 8};
    size_t nc = pv ? 9 : 7, n = rp->nchapters;
    lxw_worksheet *ws = sheet(x, "章別", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, nc);
    for (size_t c = 0; c < n; c++) {
        const tk_tally *t = &rp->by_chapter[c].tally;
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + c);
        double sc = tk_tally_score(t);
        const char *label = rp->by_chapter[c].label;
        worksheet_set_row(ws, row, row_height(&label, &w[0], 1), NULL);
        str(x, ws, row, 0, label, x->wrap);
        intv(x, ws, row, 1, t->issued, NULL);
        intv(x, ws, row, 2, tk_tally_applicable(t), NULL);
        intv(x, ws, row, 3, t->answered, NULL);
        num1(x, ws, row, 4, tk_tally_answer_rate(t), NULL);
        num1(x, ws, row, 5, sc, NULL);
        intv(x, ws, row, 6, t->negative, NULL);
        if (pv) {
            const tk_tally *pt = &rp->prev_chapter[c];
            double ps = pt->issued ? tk_tally_score(pt) : NAN;
            num1(x, ws, row, 7, ps, NULL);
            num1(x, ws, row, 8, isnan(ps) || isnan(sc) ? NAN : tk_round1(sc) - tk_round1(ps), x->delta);
        }
    }
    table_done(ws, n, nc, 1, 0);
    if (!n)
        return;
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_BAR);
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    chart_series_set_categories(s, "章別", HEADER_ROW + 1, 0, (lxw_row_t)(HEADER_ROW + n), 0);
    chart_series_set_values(s, "章別", HEADER_ROW + 1, 5, (lxw_row_t)(HEADER_ROW + n), 5);
    chart_series_set_name(s, "本年度");
    lxw_chart_fill fill = {.color = 0x4A7DB5};
    chart_series_set_fill(s, &fill);
    chart_series_set_labels(s);
    chart_series_set_labels_num_format(s, "0.0");
    if (pv) {
        lxw_chart_series *s2 = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(s2, "章別", HEADER_ROW + 1, 0, (lxw_row_t)(HEADER_ROW + n), 0);
        chart_series_set_values(s2, "章別", HEADER_ROW + 1, 7, (lxw_row_t)(HEADER_ROW + n), 7);
        chart_series_set_name(s2, "前年度");
        lxw_chart_fill f2 = {.color = 0xB8C2CC};
        chart_series_set_fill(s2, &f2);
        chart_series_set_labels(s2);
        chart_series_set_labels_num_format(s2, "0.0");
    }
    no_legend_title(ch, pv ? "章別の得点（本年度と前年度）" : "章別の得点");
    chart_legend_set_position(ch, pv ? LXW_CHART_LEGEND_BOTTOM : LXW_CHART_LEGEND_NONE);
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 100);
    chart_axis_set_reverse(ch->y_axis);
    chart_axis_set_crossing_max(ch->y_axis);
    category_labels(ch->y_axis, n > 24 ? 7 : 9);
    chart_sheet(x, "章別グラフ", ch);
}

static void sheet_matrix(xw *x)
{
    const tk_report *rp = x->rp;
    const tk_results *r = rp->r;
    size_t nc = rp->nchapters, n = rp->nby_dept;
    const char **heads = tk_arena_alloc(x->a, (nc + 3) * sizeof *heads);
    double *w = tk_arena_alloc(x->a, (nc + 3) * sizeof *w);
    heads[0] = "部署コード";
    heads[1] = "部署";
    heads[2] = "全体";
    w[0] = 10;
    w[1] = 18;
    w[2] = 7;
    /* the chapters share what is left of a printed page, 6 to 11 units each */
    double cw = nc ? (PRINT_UNITS_MAX - 35) / (double)nc : 11;
    cw = cw > 11 ? 11 : cw < 6 ? 6 : cw;
    double hh = 1;
    for (size_t c = 0; c < nc; c++) {
        heads[c + 3] = rp->by_chapter[c].label;
        w[c + 3] = cw;
        double h = row_height(&heads[c + 3], &cw, 1);
        hh = h > hh ? h : hh;
    }
    lxw_worksheet *ws = sheet(x, "部署×章", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, nc + 3);
    worksheet_set_row(ws, HEADER_ROW, hh + 4, NULL);
    for (size_t i = 0; i < n; i++) {
        size_t d = x->order[i];
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + i);
        worksheet_set_row(ws, row, row_height(&r->depts[d].name, &w[1], 1), NULL);
        str(x, ws, row, 0, r->depts[d].code, x->code);
        str(x, ws, row, 1, r->depts[d].name, x->wrap);
        num1(x, ws, row, 2, tk_rp_dept_score(rp, d), NULL);
        for (size_t c = 0; c < nc; c++)
            num1(x, ws, row, (lxw_col_t)(c + 3), tk_tally_score(&rp->dept_chapter[d * nc + c]), NULL);
    }
    table_done(ws, n, nc + 3, 2, 0);
    if (n && nc) {
        /* the PDF's heat-map colours: vermilion, pale yellow, blue */
        lxw_conditional_format cf = {.type = LXW_CONDITIONAL_3_COLOR_SCALE,
                                     .min_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER,
                                     .min_value = 0,
                                     .min_color = 0xD74B2A,
                                     .mid_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER,
                                     .mid_value = 50,
                                     .mid_color = 0xFFF2B8,
                                     .max_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER,
                                     .max_value = 100,
                                     .max_color = 0x3A6FB0};
        worksheet_conditional_format_range(ws, HEADER_ROW + 1, 2, (lxw_row_t)(HEADER_ROW + n), (lxw_col_t)(nc + 2), &cf);
    }
}

static void sheet_items(xw *x)
{
    const tk_report *rp = x->rp;
    const tk_results *r = rp->r;
    const char *heads[] = {"項番", "該当条項", "章", "義務の別", "点検項目", "対象部署", "回答", TX("negative-short", "否定的回答"),
                                        TX("negative-share", "否定的の割合(%)"), "得点", "横断的課題"};
    static const double w[] = {5, 13, 16, 8, 56, 7, 6, 8, 9, 6, 10};
    lxw_worksheet *ws = sheet(x, "項目別", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, 11);
    for (size_t k = 0; k < r->nitems; k++) {
        const tk_res_item *it = &r->items[k];
        long g = rp->item_group[k];
        const tk_tally *t = g >= 0 ? &rp->by_item[g].tally : NULL;
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + k);
        size_t neg = 0, ans = 0;
        bool cross = tk_report_cross_cutting(rp, k, &neg, &ans);
        const char *text =
            it->context && *it->context ? tk_arena_printf(x->a, "%s\n%s", it->context, it->text) : it->text;
        const char *wrapped[] = {it->ref, it->chapter, text};
        const double ww[] = {w[1], w[2], w[4]};
        worksheet_set_row(ws, row, row_height(wrapped, ww, 3), NULL);
        intv(x, ws, row, 0, (size_t)it->seq, NULL);
        str(x, ws, row, 1, it->ref, x->wrap);
        str(x, ws, row, 2, it->chapter, x->wrap);
        enum tk_level lv;
        str(x, ws, row, 3, it->level && tk_level_parse(it->level, &lv) ? tk_level_label(lv) : it->level, NULL);
        str(x, ws, row, 4, text, x->wrap);
        intv(x, ws, row, 5, t ? t->issued : 0, NULL);
        intv(x, ws, row, 6, t ? t->answered : 0, NULL);
        intv(x, ws, row, 7, neg, NULL);
        num1(x, ws, row, 8, ans ? 100.0 * (double)neg / (double)ans : NAN, NULL);
        num1(x, ws, row, 9, t ? tk_tally_score(t) : NAN, NULL);
        str(x, ws, row, 10, cross ? rp->cross_label : "", cross ? x->warn : NULL);
    }
    table_done(ws, r->nitems, 11, 2, 0);
}

/* The plans by state, with their total and a chart, on a sheet of their
 * own: beside the list they would sit inside its filtered rows and print
 * with it. */
static void sheet_plan_states(xw *x)
{
    const tk_report *rp = x->rp;
    static const char *const heads[] = {"状況", "件数", "うち期限超過"};
    static const double w[] = {16, 9, 12};
    lxw_worksheet *ws = sheet(x, "改善計画の状況", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, 3);
    const size_t *by = rp->plan_status, *late = rp->plan_status_late;
    size_t nlate = rp->plans.late;
    for (int s = 0; s < TK_PLAN_NSTATUS; s++) {
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + s);
        str(x, ws, row, 0, tk_plan_status_label((enum tk_plan_status)s), NULL);
        intv(x, ws, row, 1, by[s], NULL);
        intv(x, ws, row, 2, late[s], late[s] ? x->warn : NULL);
    }
    lxw_row_t tr = HEADER_ROW + 1 + TK_PLAN_NSTATUS;
    str(x, ws, tr, 0, "合計", x->total);
    intv(x, ws, tr, 1, rp->plans.total, x->total);
    intv(x, ws, tr, 2, nlate, x->total);
    worksheet_freeze_panes(ws, HEADER_ROW + 1, 0);
    lxw_row_t chart_row = tr + 2, chart_rows = 16;
    worksheet_print_area(ws, 0, 0, chart_row + chart_rows, 7);
    if (!rp->plans.total)
        return;
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    chart_series_set_categories(s, "改善計画の状況", HEADER_ROW + 1, 0, HEADER_ROW + TK_PLAN_NSTATUS, 0);
    chart_series_set_values(s, "改善計画の状況", HEADER_ROW + 1, 1, HEADER_ROW + TK_PLAN_NSTATUS, 1);
    lxw_chart_fill fill = {.color = 0x4A7DB5};
    chart_series_set_fill(s, &fill);
    chart_series_set_labels(s);
    no_legend_title(ch, "状況別の改善計画");
    category_labels(ch->x_axis, 9);
    lxw_chart_options co = {.x_offset = 4, .y_offset = 4, .x_scale = 1.2, .y_scale = 1.0};
    worksheet_insert_chart_opt(ws, chart_row, 0, ch, &co);
}

typedef struct plan_rows {
    xw *x;
    lxw_worksheet *ws;
    const double *w;
    size_t n;
} plan_rows;

static int plan_row(void *user, const tk_report_plan *p)
{
    plan_rows *pr = user;
    xw *x = pr->x;
    const tk_results *r = x->rp->r;
    lxw_worksheet *ws = pr->ws;
    const double *w = pr->w;
    const tk_res_department *dep = &r->depts[p->dept];
    const tk_res_item *it = p->item >= 0 ? &r->items[p->item] : NULL;
    lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + pr->n++);
    const char *answer = p->answer >= 0 ? r->answers[p->answer].value : "";
    const char *wrapped[] = {dep->name, it ? it->ref : p->item_id, it ? it->text : "", answer, p->finding,
                             p->content, p->owner};
    const double ww[] = {w[1], w[2], w[3], w[4], w[5], w[6], w[7]};
    worksheet_set_row(ws, row, row_height(wrapped, ww, 7), NULL);
    str(x, ws, row, 0, dep->code, x->code);
    for (int c = 0; c < 7; c++)
        str(x, ws, row, (lxw_col_t)(c + 1), wrapped[c], x->wrap);
    date_cell(x, ws, row, 8, p->due);
    str(x, ws, row, 9, tk_plan_status_label(p->status), NULL);
    if (p->days_overdue > 0)
        intv(x, ws, row, 10, (size_t)p->days_overdue, x->warn);
    else
        worksheet_write_blank(ws, row, 10, x->int0);
    return 0;
}

/* Every plan of the campaign, a row each, read as it is written. */
static int sheet_plans(xw *x, tk_diags *d)
{
    const tk_report *rp = x->rp;
    static const char *const heads[] = {"部署コード", "部署", "該当条項", "点検項目", "回答", "指摘事項", "改善内容",
                                        "担当者", "完了予定日", "状況", "超過日数"};
    static const double w[] = {10, 14, 12, 35, 12, 14, 28, 11, 10, 8, 8};
    lxw_worksheet *ws = sheet(x, "改善計画", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, 11);
    plan_rows pr = {x, ws, w, 0};
    if (tk_report_plans(rp, x->st, -1, plan_row, &pr, d) != 0)
        return -1;
    table_done(ws, pr.n, 11, 3, 0);
    return 0;
}

static void formats(xw *x)
{
    lxw_workbook *wb = x->wb;
    const char *font = "游ゴシック";
    x->title = workbook_add_format(wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    format_set_font_color(x->title, 0x1F3864);
    format_set_font_name(x->title, font);
    x->sub = workbook_add_format(wb);
    format_set_font_color(x->sub, 0x595959);
    format_set_font_name(x->sub, font);
    x->head = workbook_add_format(wb);
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xD9E1F2);
    format_set_border(x->head, LXW_BORDER_THIN);
    format_set_border_color(x->head, 0x808080);
    format_set_text_wrap(x->head);
    format_set_align(x->head, LXW_ALIGN_CENTER);
    format_set_align(x->head, LXW_ALIGN_VERTICAL_CENTER);
    format_set_font_name(x->head, font);
    format_set_font_size(x->head, FONT_SIZE);
    lxw_format **plain[] = {&x->text, &x->wrap, &x->num1, &x->int0, &x->date, &x->warn, &x->code, &x->delta};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        *plain[i] = workbook_add_format(wb);
        format_set_border(*plain[i], LXW_BORDER_HAIR);
        format_set_border_color(*plain[i], 0xA6A6A6);
        format_set_align(*plain[i], LXW_ALIGN_VERTICAL_TOP);
        format_set_font_name(*plain[i], font);
        format_set_font_size(*plain[i], FONT_SIZE);
    }
    format_set_text_wrap(x->wrap);
    format_set_num_format(x->num1, "0.0");
    format_set_num_format(x->int0, "0");
    format_set_num_format(x->date, "yyyy/m/d");
    format_set_font_color(x->warn, 0xC00000);
    format_set_num_format(x->code, "@");
    format_set_num_format(x->delta, "+0.0;-0.0;0.0");
    x->total = workbook_add_format(wb);
    format_set_bold(x->total);
    format_set_top(x->total, LXW_BORDER_DOUBLE);
    format_set_bg_color(x->total, 0xE9ECF0);
    format_set_font_name(x->total, font);
    format_set_font_size(x->total, FONT_SIZE);
    x->total1 = workbook_add_format(wb);
    format_set_bold(x->total1);
    format_set_top(x->total1, LXW_BORDER_DOUBLE);
    format_set_bg_color(x->total1, 0xE9ECF0);
    format_set_num_format(x->total1, "0.0");
    format_set_font_name(x->total1, font);
    format_set_font_size(x->total1, FONT_SIZE);
    x->tdelta = workbook_add_format(wb);
    format_set_bold(x->tdelta);
    format_set_top(x->tdelta, LXW_BORDER_DOUBLE);
    format_set_bg_color(x->tdelta, 0xE9ECF0);
    format_set_num_format(x->tdelta, "+0.0;-0.0;0.0");
    format_set_font_name(x->tdelta, font);
    format_set_font_size(x->tdelta, FONT_SIZE);
}

int tk_report_write_summary(const tk_report *rp, tk_store *st, const char *path, bool force, tk_diags *d)
{
    if (!force && tk_file_exists(path)) {
        tk_diag_error(d, path, 0, "ファイルが既にあります。上書きするには --force を指定してください");
        return TK_EXIT_INPUT;
    }
    xw x = {.rp = rp, .st = st, .a = tk_arena_new()};
    char *dir = tk_path_dirname(x.a, path);
    if (dir && *dir && tk_mkdirs(dir) != 0) {
        tk_diag_error(d, dir, 0, "フォルダを作れません: %s", strerror(errno));
        tk_arena_free(x.a);
        return TK_EXIT_FAILURE;
    }
    char *tmp = tk_file_tmp_beside(x.a, path);
    if (!tmp) {
        tk_diag_error(d, path, 0, "一時ファイルを作れません: %s", strerror(errno));
        tk_arena_free(x.a);
        return TK_EXIT_FAILURE;
    }
    lxw_workbook_options wo = {.constant_memory = LXW_FALSE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    x.wb = workbook_new_opt(tmp, &wo);
    if (!x.wb) {
        tk_diag_error(d, path, 0, "集計表を作れません");
        unlink(tmp);
        tk_arena_free(x.a);
        return TK_EXIT_FAILURE;
    }
    const char *title = tk_report_title(rp, x.a, rp->title_summary, -1);
    lxw_doc_properties props = {.title = tk_arena_strdup(x.a, title),
                                .company = tk_arena_strdup(x.a, rp->r->org_name),
                                .category = tk_arena_strdup(x.a, rp->classification)};
    workbook_set_properties(x.wb, &props);
    formats(&x);
    size_t nordered;
    x.order = tk_rp_depts_by_score(rp, &nordered); /* the committee report's order */
    sheet_departments(&x);
    sheet_chapters(&x);
    sheet_matrix(&x);
    sheet_items(&x);
    sheet_plan_states(&x);
    bool read = sheet_plans(&x, d) == 0;
    sheet_chart_band(&x);
    lxw_error err = workbook_close(x.wb);
    int rc = TK_EXIT_OK;
    if (!read) {
        rc = TK_EXIT_FAILURE;
    } else if (err != LXW_NO_ERROR) {
        tk_diag_error(d, path, 0, "集計表を書き込めません: %s", lxw_strerror(err));
        rc = TK_EXIT_FAILURE;
    } else if (tk_file_commit(tmp, path, force) != 0) {
        if (errno == EEXIST) {
            tk_diag_error(d, path, 0, "ファイルが既にあります。上書きするには --force を指定してください");
            rc = TK_EXIT_INPUT;
        } else {
            tk_diag_error(d, path, 0, "書き込めません: %s", strerror(errno));
            rc = TK_EXIT_FAILURE;
        }
    }
    if (rc != TK_EXIT_OK)
        unlink(tmp); /* tk_file_commit removes it; a failed close leaves it */
    free(x.order);
    tk_arena_free(x.a);
    return rc;
}
