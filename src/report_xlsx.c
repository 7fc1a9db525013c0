/* report_xlsx.c — the summary workbook for the secretariat (libxlsxwriter):
 * sheets by department, by chapter, department × chapter, by item and all
 * remediation plans, each a table with an autofilter and a frozen header,
 * with native Excel charts. Scores are written as the numbers tk_fmt1
 * prints (tk_round1) with the format "0.0", so Excel shows what the PDFs
 * and `tenken score` show. See report.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "tenken/checklist.h"
#include "tenken/report.h"
#include "tenken/score.h"

#define HEADER_ROW 3 /* title, subtitle, a blank row, then the table */

typedef struct xw {
    const tk_report *rp;
    lxw_workbook *wb;
    lxw_format *title, *sub, *head, *text, *wrap, *num1, *int0, *date, *total, *total1, *warn, *code, *delta, *tdelta;
    tk_arena *a;
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
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, HEADER_ROW, HEADER_ROW);
    worksheet_set_header(ws, tk_arena_printf(x->a, "&L%s&R%s", title, rp->classification));
    worksheet_set_footer(ws, "&C&P / &N");
    return ws;
}

/* Autofilter over the table, header frozen (and the first cols columns). */
static void table_done(lxw_worksheet *ws, size_t nrows, size_t ncols, size_t freeze_cols)
{
    lxw_row_t last = (lxw_row_t)(HEADER_ROW + (nrows ? nrows : 1));
    worksheet_autofilter(ws, HEADER_ROW, 0, last, (lxw_col_t)(ncols - 1));
    worksheet_freeze_panes(ws, HEADER_ROW + 1, (lxw_col_t)freeze_cols);
}

static void no_legend_title(lxw_chart *ch, const char *title)
{
    chart_title_set_name(ch, title);
    lxw_chart_font tf = {.size = 12, .bold = LXW_TRUE};
    chart_title_set_name_font(ch, &tf);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
}

static size_t flagged(const tk_report *rp, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t c = from; c < to; c++)
        n += rp->dcells[c].flag != NULL;
    return n;
}

static void sheet_departments(xw *x)
{
    const tk_report *rp = x->rp;
    const tk_results *r = rp->r;
    bool pv = rp->prev_has;
    static const char *const heads[] = {"部署コード", "部署", "提出日", "配布項目", "対象", "回答", "回答率(%)", "得点",
                                        "評価", "否定的回答", "要対応", "未回答", "改善計画", "未完了", "期限超過",
                                        "前年度得点", "増減"};
    static const double w[] = {10, 24, 12, 9, 8, 8, 10, 8, 13, 10, 8, 8, 9, 8, 9, 10, 8};
    size_t nc = pv ? 17 : 15;
    lxw_worksheet *ws = sheet(x, "部署別", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, nc);
    size_t n = rp->nby_dept;
    for (size_t i = 0; i < n; i++) {
        size_t d = rp->by_dept[i].index;
        const tk_tally *t = &rp->by_dept[i].tally;
        const tk_res_department *dep = &r->depts[d];
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + i);
        double sc = tk_tally_score(t);
        size_t open = 0, late = 0;
        for (size_t k = rp->poff[d]; k < rp->poff[d + 1]; k++) {
            open += rp->plans[k].open;
            late += rp->plans[k].open && rp->plans[k].days_overdue > 0;
        }
        str(x, ws, row, 0, dep->code, x->code);
        str(x, ws, row, 1, dep->name, NULL);
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
        intv(x, ws, row, 10, flagged(rp, rp->doff[d], rp->doff[d + 1]), NULL);
        intv(x, ws, row, 11, tk_tally_applicable(t) - t->answered, NULL);
        intv(x, ws, row, 12, rp->poff[d + 1] - rp->poff[d], NULL);
        intv(x, ws, row, 13, open, NULL);
        intv(x, ws, row, 14, late, late ? x->warn : NULL);
        if (pv) {
            const tk_tally *pt = &rp->prev_dept[d];
            double ps = pt->issued ? tk_tally_score(pt) : NAN;
            num1(x, ws, row, 15, ps, NULL);
            num1(x, ws, row, 16, isnan(ps) || isnan(sc) ? NAN : tk_round1(sc) - tk_round1(ps), x->delta);
        }
    }
    table_done(ws, n, nc, 2);
    /* the whole organisation, below the filtered range */
    lxw_row_t tr = (lxw_row_t)(HEADER_ROW + 2 + n);
    const tk_tally *T = &rp->total;
    double SC = tk_tally_score(T);
    size_t open = 0, late = 0;
    for (size_t k = 0; k < rp->nplans; k++) {
        open += rp->plans[k].open;
        late += rp->plans[k].open && rp->plans[k].days_overdue > 0;
    }
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
    intv(x, ws, tr, 10, flagged(rp, 0, r->ncells), x->total);
    intv(x, ws, tr, 11, tk_tally_applicable(T) - T->answered, x->total);
    intv(x, ws, tr, 12, rp->nplans, x->total);
    intv(x, ws, tr, 13, open, x->total);
    intv(x, ws, tr, 14, late, x->total);
    if (pv) {
        double ps = tk_tally_score(&rp->prev_total);
        num1(x, ws, tr, 15, ps, x->total1);
        num1(x, ws, tr, 16, isnan(ps) || isnan(SC) ? NAN : tk_round1(SC) - tk_round1(ps), x->tdelta);
    }
    if (!n)
        return;
    /* score by department: a bar per department, in table order */
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_BAR);
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    chart_series_set_categories(s, "部署別", HEADER_ROW + 1, 1, (lxw_row_t)(HEADER_ROW + n), 1);
    chart_series_set_values(s, "部署別", HEADER_ROW + 1, 7, (lxw_row_t)(HEADER_ROW + n), 7);
    lxw_chart_fill fill = {.color = 0x4A7DB5};
    chart_series_set_fill(s, &fill);
    chart_series_set_labels(s);
    chart_series_set_labels_num_format(s, "0.0");
    no_legend_title(ch, "部署別の得点");
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 100);
    chart_axis_set_reverse(ch->y_axis); /* first department on top */
    chart_axis_set_crossing_max(ch->y_axis);
    double h = 60 + 18.0 * (double)n;
    if (h > 1600)
        h = 1600;
    lxw_chart_options co = {.x_offset = 10, .y_offset = 0, .x_scale = 1.6, .y_scale = h / 288.0};
    worksheet_insert_chart_opt(ws, tr + 2, 1, ch, &co);
}

static void sheet_chapters(xw *x)
{
    const tk_report *rp = x->rp;
    bool pv = rp->prev_has;
    static const char *const heads[] = {"章", "配布項目", "対象", "回答", "回答率(%)", "得点", "否定的回答", "前年度得点",
                                        "増減"};
    static const double w[] = {56, 9, 8, 8, 10, 8, 10, 10, 8};
    size_t nc = pv ? 9 : 7, n = rp->nchapters;
    lxw_worksheet *ws = sheet(x, "章別", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, nc);
    for (size_t c = 0; c < n; c++) {
        const tk_tally *t = &rp->by_chapter[c].tally;
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + c);
        double sc = tk_tally_score(t);
        str(x, ws, row, 0, rp->by_chapter[c].label, NULL);
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
    table_done(ws, n, nc, 1);
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
    }
    chart_title_set_name(ch, pv ? "章別の得点（本年度と前年度）" : "章別の得点");
    chart_legend_set_position(ch, pv ? LXW_CHART_LEGEND_BOTTOM : LXW_CHART_LEGEND_NONE);
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 100);
    chart_axis_set_reverse(ch->y_axis);
    chart_axis_set_crossing_max(ch->y_axis);
    double h = 80 + (pv ? 34.0 : 22.0) * (double)n;
    lxw_chart_options co = {.x_offset = 10, .x_scale = 1.6, .y_scale = h / 288.0};
    worksheet_insert_chart_opt(ws, (lxw_row_t)(HEADER_ROW + n + 3), 0, ch, &co);
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
    w[1] = 24;
    w[2] = 8;
    for (size_t c = 0; c < nc; c++) {
        heads[c + 3] = rp->by_chapter[c].label;
        w[c + 3] = 11;
    }
    lxw_worksheet *ws = sheet(x, "部署×章", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, nc + 3);
    worksheet_set_row(ws, HEADER_ROW, 75, NULL);
    for (size_t i = 0; i < n; i++) {
        size_t d = rp->by_dept[i].index;
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + i);
        str(x, ws, row, 0, r->depts[d].code, x->code);
        str(x, ws, row, 1, r->depts[d].name, NULL);
        num1(x, ws, row, 2, tk_tally_score(&rp->by_dept[i].tally), NULL);
        for (size_t c = 0; c < nc; c++)
            num1(x, ws, row, (lxw_col_t)(c + 3), tk_tally_score(&rp->dept_chapter[d * nc + c]), NULL);
    }
    table_done(ws, n, nc + 3, 2);
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
    static const char *const heads[] = {"項番", "該当条項", "章", "義務の別", "点検項目", "対象部署", "回答", "否定的回答",
                                        "否定的の割合(%)", "得点", "横断的課題"};
    static const double w[] = {6, 18, 24, 9, 60, 9, 8, 10, 12, 8, 10};
    lxw_worksheet *ws = sheet(x, "項目別", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, 11);
    for (size_t k = 0; k < r->nitems; k++) {
        const tk_res_item *it = &r->items[k];
        long g = rp->item_group[k];
        const tk_tally *t = g >= 0 ? &rp->by_item[g].tally : NULL;
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + k);
        size_t neg = 0, ans = 0;
        bool cross = tk_report_cross_cutting(rp, k, &neg, &ans);
        intv(x, ws, row, 0, (size_t)it->seq, NULL);
        str(x, ws, row, 1, it->ref, NULL);
        str(x, ws, row, 2, it->chapter, NULL);
        enum tk_level lv;
        str(x, ws, row, 3, it->level && tk_level_parse(it->level, &lv) ? tk_level_label(lv) : it->level, NULL);
        str(x, ws, row, 4,
            it->context && *it->context ? tk_arena_printf(x->a, "%s\n%s", it->context, it->text) : it->text, x->wrap);
        intv(x, ws, row, 5, t ? t->issued : 0, NULL);
        intv(x, ws, row, 6, t ? t->answered : 0, NULL);
        intv(x, ws, row, 7, neg, NULL);
        num1(x, ws, row, 8, ans ? 100.0 * (double)neg / (double)ans : NAN, NULL);
        num1(x, ws, row, 9, t ? tk_tally_score(t) : NAN, NULL);
        str(x, ws, row, 10, cross ? rp->cross_label : "", cross ? x->warn : NULL);
    }
    table_done(ws, r->nitems, 11, 2);
}

static void sheet_plans(xw *x)
{
    const tk_report *rp = x->rp;
    const tk_results *r = rp->r;
    static const char *const heads[] = {"部署コード", "部署", "該当条項", "点検項目", "回答", "指摘事項", "改善内容",
                                        "担当者", "完了予定日", "状況", "超過日数"};
    static const double w[] = {10, 20, 18, 50, 14, 24, 36, 14, 11, 10, 9};
    lxw_worksheet *ws = sheet(x, "改善計画", tk_report_title(rp, x->a, rp->title_summary, -1), heads, w, 11);
    for (size_t i = 0; i < rp->nplans; i++) {
        const tk_report_plan *p = &rp->plans[i];
        const tk_res_department *dep = &r->depts[p->dept];
        const tk_res_item *it = p->item >= 0 ? &r->items[p->item] : NULL;
        const tk_res_cell *cl = p->cell >= 0 ? &rp->dcells[p->cell] : NULL;
        lxw_row_t row = (lxw_row_t)(HEADER_ROW + 1 + i);
        str(x, ws, row, 0, dep->code, x->code);
        str(x, ws, row, 1, dep->name, NULL);
        str(x, ws, row, 2, it ? it->ref : p->item_id, NULL);
        str(x, ws, row, 3, it ? it->text : "", x->wrap);
        str(x, ws, row, 4, cl && cl->answer >= 0 ? r->answers[cl->answer].value : "", NULL);
        str(x, ws, row, 5, cl ? cl->finding : "", x->wrap);
        str(x, ws, row, 6, p->content, x->wrap);
        str(x, ws, row, 7, p->owner, NULL);
        date_cell(x, ws, row, 8, p->due);
        str(x, ws, row, 9, tk_plan_status_label(p->status), NULL);
        if (p->days_overdue > 0)
            intv(x, ws, row, 10, (size_t)p->days_overdue, x->warn);
        else
            worksheet_write_blank(ws, row, 10, x->int0);
    }
    table_done(ws, rp->nplans, 11, 3);

    /* status counts beside the list, and a chart of them */
    lxw_col_t sc = 12;
    worksheet_set_column(ws, sc, sc, 14, NULL);
    worksheet_set_column(ws, sc + 1, sc + 1, 8, NULL);
    worksheet_write_string(ws, HEADER_ROW, sc, "状況", x->head);
    worksheet_write_string(ws, HEADER_ROW, sc + 1, "件数", x->head);
    size_t by[TK_PLAN_NSTATUS] = {0};
    for (size_t i = 0; i < rp->nplans; i++)
        by[rp->plans[i].status]++;
    for (int s = 0; s < TK_PLAN_NSTATUS; s++) {
        worksheet_write_string(ws, (lxw_row_t)(HEADER_ROW + 1 + s), sc, tk_plan_status_label((enum tk_plan_status)s),
                               x->text);
        worksheet_write_number(ws, (lxw_row_t)(HEADER_ROW + 1 + s), sc + 1, (double)by[s], x->int0);
    }
    worksheet_write_string(ws, HEADER_ROW + 1 + TK_PLAN_NSTATUS, sc, "合計", x->total);
    worksheet_write_number(ws, HEADER_ROW + 1 + TK_PLAN_NSTATUS, sc + 1, (double)rp->nplans, x->total);
    if (!rp->nplans)
        return;
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    chart_series_set_categories(s, "改善計画", HEADER_ROW + 1, sc, HEADER_ROW + TK_PLAN_NSTATUS, sc);
    chart_series_set_values(s, "改善計画", HEADER_ROW + 1, sc + 1, HEADER_ROW + TK_PLAN_NSTATUS, sc + 1);
    lxw_chart_fill fill = {.color = 0x4A7DB5};
    chart_series_set_fill(s, &fill);
    chart_series_set_labels(s);
    no_legend_title(ch, "状況別の改善計画");
    lxw_chart_options co = {.x_offset = 10, .y_offset = 10};
    worksheet_insert_chart_opt(ws, HEADER_ROW + 3 + TK_PLAN_NSTATUS, sc, ch, &co);
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
    lxw_format **plain[] = {&x->text, &x->wrap, &x->num1, &x->int0, &x->date, &x->warn, &x->code, &x->delta};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        *plain[i] = workbook_add_format(wb);
        format_set_border(*plain[i], LXW_BORDER_HAIR);
        format_set_border_color(*plain[i], 0xA6A6A6);
        format_set_align(*plain[i], LXW_ALIGN_VERTICAL_TOP);
        format_set_font_name(*plain[i], font);
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
    x->total1 = workbook_add_format(wb);
    format_set_bold(x->total1);
    format_set_top(x->total1, LXW_BORDER_DOUBLE);
    format_set_bg_color(x->total1, 0xE9ECF0);
    format_set_num_format(x->total1, "0.0");
    format_set_font_name(x->total1, font);
    x->tdelta = workbook_add_format(wb);
    format_set_bold(x->tdelta);
    format_set_top(x->tdelta, LXW_BORDER_DOUBLE);
    format_set_bg_color(x->tdelta, 0xE9ECF0);
    format_set_num_format(x->tdelta, "+0.0;-0.0;0.0");
    format_set_font_name(x->tdelta, font);
}

int tk_report_write_summary(const tk_report *rp, const char *path, bool force, tk_diags *d)
{
    if (!force && tk_file_exists(path)) {
        tk_diag_error(d, path, 0, "ファイルが既にあります。上書きするには --force を指定してください");
        return TK_EXIT_INPUT;
    }
    xw x = {.rp = rp, .a = tk_arena_new()};
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
    sheet_departments(&x);
    sheet_chapters(&x);
    sheet_matrix(&x);
    sheet_items(&x);
    sheet_plans(&x);
    lxw_error err = workbook_close(x.wb);
    int rc = TK_EXIT_OK;
    if (err != LXW_NO_ERROR) {
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
    tk_arena_free(x.a);
    return rc;
}
