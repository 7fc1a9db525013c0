/* report_committee.c — the committee report (PDF): cover, summary, score
 * by department, the heat map and the chapters, cross-cutting issues and
 * the weakest items, remediation plans, the previous year. See report.h. */
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

/* Months shown in the plans-by-due-month chart before the rest are pooled. */
#define MAX_MONTHS 24

/* ======================================================================
 * The committee report
 * ====================================================================== */

static void committee_summary(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    tk_rp_heading(p, a, sec, TX("summary", "概要"));
    size_t issued = tk_report_issued(rp), returned = tk_report_returned(rp);
    double score = tk_tally_score(&rp->total), rate = tk_tally_answer_rate(&rp->total);
    size_t flagged = rp->flagged;
    tk_rp_plan_count pc = tk_rp_plans_in(rp, 0, rp->nplans);
    size_t cross = 0;
    for (size_t k = 0; k < r->nitems; k++)
        cross += tk_report_cross_cutting(rp, k, NULL, NULL);
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "%sの%s%sの結果を報告します。点検票を %zu 部署に配布し、%zu 部署から回収しました。"
                                     "全体の得点は %s、回答率は %s%% でした。",
                                     r->org_name, rp->fy_wareki, rp->kind_name, issued, returned, tk_rp_f1(a, score),
                                     tk_rp_f1(a, rate)),
                     &(tk_pdf_style){.first_indent = true});

    bool pv = rp->prev_has;
    const tk_results *pr = rp->prev;
    char fy[TK_FY_LABEL_SIZE];
    const char *heads[] = {"項目", tk_arena_printf(a, "本年度（%d年度）", r->year),
                           pv ? tk_arena_printf(a, "前年度（%d年度）", r->year - 1) : NULL};
    double w3[] = {54, 60, 60}, w2[] = {70, 104};
    tk_pdf_table *t = tk_rp_table(p, pv ? 3 : 2, pv ? w3 : w2, heads, NULL);
    const char *dl = "—", *pdl = "—";
    char b[TK_DATE_BOTH_SIZE];
    tk_date dd;
    if (r->deadline && *r->deadline && tk_date_parse(r->deadline, &dd))
        dl = tk_arena_strdup(a, tk_date_both(dd, b, sizeof b));
    if (pv && pr->deadline && *pr->deadline && tk_date_parse(pr->deadline, &dd))
        pdl = tk_arena_strdup(a, tk_date_both(dd, b, sizeof b));
    double pscore = pv ? tk_rp_prev_score(&rp->prev_total) : NAN;
    double prate = pv ? tk_tally_answer_rate(&rp->prev_total) : NAN;
    const char *band = tk_report_band(rp, score), *pband = tk_report_band(rp, pscore);
    const char *rows[][3] = {
        {"対象年度", rp->fy_label, pv ? tk_arena_strdup(a, tk_fiscal_year_label(r->year - 1, fy, sizeof fy)) : ""},
        {"提出期限", dl, pdl},
        {"点検票の回収（提出 / 配布）", tk_arena_printf(a, "%zu / %zu 部署", returned, issued),
         pv ? tk_arena_printf(a, "%zu / %zu 部署", rp->prev_returned, rp->prev_issued) : ""},
        {"全体の得点", *band ? tk_arena_printf(a, "%s（%s）", tk_rp_f1(a, score), band) : tk_rp_f1(a, score),
         pv ? (*pband ? tk_arena_printf(a, "%s（%s）", tk_rp_f1(a, pscore), pband) : tk_rp_f1(a, pscore)) : ""},
        {"回答率（%）",
         tk_arena_printf(a, "%s（回答 %zu / 対象 %zu 項目）", tk_rp_f1(a, rate), rp->total.answered,
                         tk_tally_applicable(&rp->total)),
         pv ? tk_arena_printf(a, "%s（回答 %zu / 対象 %zu 項目）", tk_rp_f1(a, prate), rp->prev_total.answered,
                              tk_tally_applicable(&rp->prev_total))
            : ""},
        {"否定的な回答", tk_arena_printf(a, "%zu 件", rp->total.negative),
         pv ? tk_arena_printf(a, "%zu 件", rp->prev_total.negative) : ""},
        {"要対応（改善計画等の未記入）", tk_arena_printf(a, "%zu 件", flagged),
         pv ? tk_arena_printf(a, "%zu 件", rp->prev_flagged) : ""},
        {"改善計画（当年度の点検分）", tk_arena_printf(a, "%zu 件", pc.total),
         pv ? tk_arena_printf(a, "%zu 件", rp->prev_plans) : ""},
        {"未完了の改善計画（全年度）", tk_arena_printf(a, "%zu 件", rp->all_open), pv ? "—" : ""},
        {"　うち完了予定日を過ぎたもの", tk_arena_printf(a, "%zu 件", rp->all_overdue), pv ? "—" : ""},
        {rp->cross_label, tk_arena_printf(a, "%zu 項目", cross), pv ? tk_arena_printf(a, "%zu 項目", rp->prev_cross) : ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        tk_pdf_table_row(t, rows[i], NULL);
    tk_pdf_table_end(t);

    /* how the figures are made */
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_puts(&s, "得点 = 100 × Σ(重み × 点) ÷ Σ(重み)。回答のあった項目のうち");
    bool first = true;
    for (size_t i = 0; i < r->nanswers; i++)
        if (r->answers[i].excluded) {
            tk_buf_printf(&s, "%s「%s」", first ? "" : "・", r->answers[i].value);
            first = false;
        }
    tk_buf_puts(&s, first ? "すべてを対象とします。" : "を除いたものが対象です。点は");
    first = true;
    for (size_t i = 0; i < r->nanswers; i++)
        if (!r->answers[i].excluded) {
            tk_buf_printf(&s, "%s「%s」%g", first ? "" : "、", r->answers[i].value, r->answers[i].points);
            first = false;
        }
    tk_buf_puts(&s, "。未回答の項目は得点に含めず、回答率（回答 ÷ 対象）に表れます。数値は小数第一位に四捨五入しています。");
    if (rp->nbands) {
        tk_buf_puts(&s, "評価は");
        for (size_t i = 0; i < rp->nbands; i++) {
            char mb[16];
            tk_fmt1(rp->bands[i].min * 100.0, mb);
            if (rp->bands[i].min > 0)
                tk_buf_printf(&s, "%s%s 以上「%s」", i ? "、" : " ", mb, rp->bands[i].label);
            else
                tk_buf_printf(&s, "%sそれ未満「%s」", i ? "、" : "", rp->bands[i].label);
        }
        tk_buf_puts(&s, "です。");
    }
    tk_buf_printf(&s, "（%s 現在）", rp->date_both);
    tk_rp_note(p, s.data);
    tk_buf_free(&s);
}

static void committee_departments(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    size_t n;
    size_t *order = tk_rp_depts_by_score(rp, &n);
    tk_rp_keep_block(p, 60 + 16.0 * (double)n + 40);
    tk_rp_heading(p, a, sec, TX("by-department", "部署別の得点"));
    const char **labels = tk_arena_alloc(a, (n ? n : 1) * sizeof *labels);
    double *vals = tk_arena_alloc(a, (n ? n : 1) * sizeof *vals);
    for (size_t i = 0; i < n; i++) {
        labels[i] = r->depts[order[i]].name;
        vals[i] = tk_round1(tk_rp_dept_score(rp, order[i]));
    }
    double low = rp->nbands >= 2 ? tk_round1(rp->bands[rp->nbands - 2].min * 100.0) : 0;
    /* the legend goes into the caption: a note below would cost the
     * table's last row its place on this page */
    tk_chart_bars_opts bo = {
        .title = low > 0 ? tk_arena_printf(a, "図%d-1　部署別の得点（高い順。破線は全体の得点、朱色は %s 未満）", *sec, tk_rp_f1(a, low))
                         : tk_arena_printf(a, "図%d-1　部署別の得点（高い順。破線は全体の得点）", *sec),
        .average_label = TX("average", "全体"),
        .low_below = low};
    tk_chart_bars(p, &bo, n, labels, vals, tk_round1(tk_tally_score(&rp->total)));
    if (tk_report_returned(rp) < tk_report_issued(rp))
        tk_rp_note(p, "点検票を提出していない部署は「—」で示しています。");

    bool pv = rp->prev_has;
    const char *heads[] = {"順位", "部署", "得点", "評価", "回答率\n（%）", "否定的\n回答", "要対応", "前年度", "増減"};
    double w[] = {11, 45, 15, 26, 18, 16, 15, 15, 13};
    tk_pdf_align al[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    size_t ncol = pv ? 9 : 7;
    if (!pv)
        w[1] += 28;
    /* a little smaller, so that a typical list stays on the chart's page */
    tk_pdf_table *t = tk_rp_table_sized(p, ncol, w, heads, al, 8.5);
    size_t rank = 0;
    double last = NAN;
    for (size_t i = 0; i < n; i++) {
        size_t d = order[i];
        const tk_tally *tt = tk_rp_dept_tally(rp, d);
        double sc = tk_tally_score(tt);
        if (isnan(last) || tk_round1(sc) != last)
            rank = i + 1;
        last = tk_round1(sc);
        bool returned = r->depts[d].returned_at != NULL;
        const char *cells[9] = {
            isnan(sc) ? "—" : tk_rp_zu(a, rank),
            r->depts[d].name,
            tk_rp_f1(a, sc),
            returned ? tk_report_band(rp, sc) : "未提出",
            tk_rp_f1(a, tk_tally_answer_rate(tt)),
            tk_rp_zu(a, tt->negative),
            tk_rp_zu(a, tk_rp_flagged_in(rp, rp->doff[d], rp->doff[d + 1])),
            pv ? tk_rp_f1(a, tk_rp_prev_score(&rp->prev_dept[d])) : NULL,
            pv ? tk_rp_delta(a, sc, tk_rp_prev_score(&rp->prev_dept[d])) : NULL,
        };
        tk_pdf_cell_style st[9] = {{0}};
        if (!isnan(sc) && low > 0 && tk_round1(sc) < low)
            st[2].color = st[3].color = C_WARN;
        if (!returned)
            st[3].color = C_WARN;
        tk_pdf_table_row(t, cells, st);
    }
    const char *tot[9] = {"",
                          "全体",
                          tk_rp_f1(a, tk_tally_score(&rp->total)),
                          tk_report_band(rp, tk_tally_score(&rp->total)),
                          tk_rp_f1(a, tk_tally_answer_rate(&rp->total)),
                          tk_rp_zu(a, rp->total.negative),
                          tk_rp_zu(a, rp->flagged),
                          pv ? tk_rp_f1(a, tk_rp_prev_score(&rp->prev_total)) : NULL,
                          pv ? tk_rp_delta(a, tk_tally_score(&rp->total), tk_rp_prev_score(&rp->prev_total)) : NULL};
    tk_pdf_cell_style bold[9];
    for (int i = 0; i < 9; i++)
        bold[i] = (tk_pdf_cell_style){.fill = TK_PDF_HEX(0xE9ECF0)};
    tk_pdf_table_row(t, tot, bold);
    tk_pdf_table_end(t);
    free(order);
}

static void committee_heatmap(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    size_t nc = rp->nchapters, n = rp->nby_dept;
    if (!nc || !n)
        return;
    tk_rp_keep_block(p, 60 + 40 + 15.0 * (double)n + 40);
    tk_rp_heading(p, a, sec, TX("heatmap", "部署・章別の得点"));
    const char **rows = tk_arena_alloc(a, n * sizeof *rows);
    const char **cols = tk_rp_chapter_columns(rp, a);
    /* under each column, how many items the chapter has */
    const char **notes = tk_arena_alloc(a, nc * sizeof *notes);
    for (size_t c = 0; c < nc; c++) {
        size_t items = 0;
        for (size_t k = 0; k < r->nitems; k++)
            items += !strcmp(r->items[k].chapter, rp->by_chapter[c].label);
        notes[c] = tk_arena_printf(a, "%zu項目", items);
    }
    double *v = tk_arena_alloc(a, n * nc * sizeof *v);
    size_t *cnt = tk_arena_alloc(a, n * nc * sizeof *cnt);
    for (size_t i = 0; i < n; i++) {
        size_t d = rp->by_dept[i].index;
        rows[i] = r->depts[d].name;
        for (size_t c = 0; c < nc; c++) {
            v[i * nc + c] = tk_round1(tk_tally_score(&rp->dept_chapter[d * nc + c]));
            cnt[i * nc + c] = rp->dept_chapter[d * nc + c].answered;
        }
    }
    tk_chart_heat_opts ho = {.title = tk_arena_printf(a, "図%d-1　部署・章別の得点", *sec),
                             .legend_label = "得点",
                             .none_label = "対象の項目なし・未回答",
                             .counts = cnt,
                             .few = 3,
                             .few_label = "回答 3 項目未満（参考）",
                             .col_notes = notes};
    tk_chart_heatmap(p, &ho, n, nc, rows, cols, v);
    tk_rp_note(p, "各部署に配布した項目のうち、その章に属するものの得点です。列の見出しは次の表の章とその項目数を表します。"
                  "回答が 3 項目未満の欄は、一つの回答で得点が大きく動くため、淡い色で参考として示しています。");

    tk_rp_heading(p, a, sec, TX("by-chapter", "章別の得点"));
    bool pv = rp->prev_has;
    const char *heads[] = {"章", "得点", "回答率\n（%）", "回答 / 対象", "否定的\n回答", "前年度", "増減"};
    double w[] = {68, 15, 18, 25, 16, 17, 15};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    if (!pv)
        w[0] += 32;
    tk_pdf_table *t = tk_rp_table(p, pv ? 7 : 5, w, heads, al);
    for (size_t c = 0; c < nc; c++) {
        const tk_tally *tt = &rp->by_chapter[c].tally;
        double sc = tk_tally_score(tt);
        const char *cells[7] = {rp->by_chapter[c].label,
                                tk_rp_f1(a, sc),
                                tk_rp_f1(a, tk_tally_answer_rate(tt)),
                                tk_arena_printf(a, "%zu / %zu", tt->answered, tk_tally_applicable(tt)),
                                tk_rp_zu(a, tt->negative),
                                pv ? tk_rp_f1(a, tk_rp_prev_score(&rp->prev_chapter[c])) : NULL,
                                pv ? tk_rp_delta(a, sc, tk_rp_prev_score(&rp->prev_chapter[c])) : NULL};
        tk_pdf_table_row(t, cells, NULL);
    }
    tk_pdf_table_end(t);
}

static int month_key(tk_date d) { return d.y * 12 + d.m - 1; }

static void committee_plans(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    tk_rp_heading(p, a, sec, TX("plans", "改善計画"));
    tk_rp_plan_count pc = tk_rp_plans_in(rp, 0, rp->nplans);
    /* all years first: the figure page 1 gives */
    const char *all = tk_arena_printf(a,
                                      "前年度以前の点検で立てたものを含め、完了していない改善計画は %zu 件、うち完了予定日を過ぎた"
                                      "もの %zu 件です（%s 現在）。",
                                      rp->all_open, rp->all_overdue, rp->date_both);
    if (!pc.total) {
        tk_pdf_paragraph(p, tk_arena_printf(a, "本年度の点検で立てた改善計画はありません。%s", all), NULL);
        return;
    }
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "本年度の点検で否定的な回答に対して立てた改善計画は %zu 件で、うち未完了 %zu 件、完了予定日を過ぎた"
                                     "もの %zu 件です。%s",
                                     pc.total, pc.open + pc.late, pc.late, all),
                     &(tk_pdf_style){.first_indent = true});
    /* closure rate: closed (完了, リスク受容) of all */
    size_t closed = 0;
    for (size_t i = 0; i < rp->nplans; i++)
        closed += tk_plan_status_closed(rp->plans[i].status);
    char rate[16];
    tk_pdf_paragraph(p,
                     tk_arena_printf(a, "完了率（完了・リスク受容の割合）は %s%% です（%zu / %zu 件）。",
                                     tk_fmt1(100.0 * (double)closed / (double)pc.total, rate), closed, pc.total),
                     NULL);
    /* by status */
    size_t by_status[TK_PLAN_NSTATUS] = {0};
    for (size_t i = 0; i < rp->nplans; i++)
        by_status[rp->plans[i].status]++;
    {
        const char *heads[] = {"状況", "件数"};
        double w[] = {40, 20};
        tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT};
        tk_rp_keep_table(p, TK_PLAN_NSTATUS + 1);
        tk_pdf_table *t = tk_rp_table(p, 2, w, heads, al);
        for (int s = 0; s < TK_PLAN_NSTATUS; s++) {
            const char *cells[2] = {tk_plan_status_label((enum tk_plan_status)s), tk_rp_zu(a, by_status[s])};
            tk_pdf_table_row(t, cells, NULL);
        }
        const char *cells[2] = {"合計", tk_rp_zu(a, pc.total)};
        tk_pdf_table_row(t, cells, NULL);
        tk_pdf_table_end(t);
    }
    /* by due month: each month from the first to the last, the rest pooled */
    int lo = 0, hi = 0;
    bool any = false, nodue = false;
    for (size_t i = 0; i < rp->nplans; i++) {
        const tk_report_plan *pl = &rp->plans[i];
        if (!pl->due_date.y) {
            nodue = true;
            continue;
        }
        int m = month_key(pl->due_date);
        if (!any || m < lo)
            lo = m;
        if (!any || m > hi)
            hi = m;
        any = true;
    }
    size_t nm = any ? (size_t)(hi - lo + 1) : 0;
    bool pooled = nm > MAX_MONTHS;
    if (pooled)
        nm = MAX_MONTHS;
    size_t ncol = nm + nodue;
    double *sv[3];
    for (int s = 0; s < 3; s++) {
        sv[s] = tk_arena_alloc(a, (ncol ? ncol : 1) * sizeof(double));
        memset(sv[s], 0, (ncol ? ncol : 1) * sizeof(double));
    }
    const char **labels = tk_arena_alloc(a, (ncol ? ncol : 1) * sizeof *labels);
    for (size_t i = 0; i < nm; i++) {
        int m = lo + (int)i;
        labels[i] = tk_arena_printf(a, "%d年%d月%s", m / 12, m % 12 + 1, pooled && i + 1 == nm ? "以降" : "");
    }
    if (nodue)
        labels[nm] = "期日なし";
    for (size_t i = 0; i < rp->nplans; i++) {
        const tk_report_plan *pl = &rp->plans[i];
        size_t c = nm;
        if (pl->due_date.y) {
            int off = month_key(pl->due_date) - lo;
            c = (size_t)off < nm ? (size_t)off : nm - 1;
        }
        int s = !pl->open ? 0 : pl->days_overdue > 0 ? 2 : 1;
        sv[s][c] += 1;
    }
    tk_chart_series series[3] = {{"完了・リスク受容", sv[0], C_DONE}, {"未完了（期限内）", sv[1], C_OPEN},
                                 {"期限超過", sv[2], C_LATE}};
    tk_chart_columns_opts co = {.title = tk_arena_printf(a, "図%d-1　完了予定月別の改善計画", *sec),
                                .stacked = true,
                                .unit = "件"};
    tk_chart_columns(p, &co, ncol, labels, 3, series);
    {
        const char *heads[] = {"完了予定月", "計画", "完了・リスク受容", "未完了（期限内）", "期限超過"};
        double w[] = {40, 22, 30, 30, 22};
        tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                             TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = tk_rp_table(p, 5, w, heads, al);
        for (size_t c = 0; c < ncol; c++) {
            size_t tot = (size_t)(sv[0][c] + sv[1][c] + sv[2][c]);
            if (!tot)
                continue;
            const char *cells[5] = {labels[c], tk_rp_zu(a, tot), tk_rp_zu(a, (size_t)sv[0][c]), tk_rp_zu(a, (size_t)sv[1][c]),
                                    tk_rp_zu(a, (size_t)sv[2][c])};
            tk_pdf_cell_style st[5] = {{0}};
            if (sv[2][c] > 0)
                st[4].color = C_WARN;
            tk_pdf_table_row(t, cells, st);
        }
        tk_pdf_table_end(t);
    }
    /* by department */
    tk_pdf_heading(p, 2, "部署別の改善計画");
    {
        const char *heads[] = {"部署", "計画", "完了・\nリスク受容", "未完了\n（期限内）", "期限超過", "要対応"};
        double w[] = {62, 20, 26, 26, 20, 20};
        tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                             TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = tk_rp_table(p, 6, w, heads, al);
        for (size_t i = 0; i < rp->nby_dept; i++) {
            size_t d = rp->by_dept[i].index;
            tk_rp_plan_count dc = tk_rp_plans_in(rp, rp->poff[d], rp->poff[d + 1]);
            size_t fl = tk_rp_flagged_in(rp, rp->doff[d], rp->doff[d + 1]);
            const char *cells[6] = {r->depts[d].name, tk_rp_zu(a, dc.total), tk_rp_zu(a, dc.closed), tk_rp_zu(a, dc.open),
                                    tk_rp_zu(a, dc.late), tk_rp_zu(a, fl)};
            tk_pdf_cell_style st[6] = {{0}};
            if (dc.late)
                st[4].color = C_WARN;
            if (fl)
                st[5].color = C_WARN;
            tk_pdf_table_row(t, cells, st);
        }
        tk_pdf_table_end(t);
    }
    tk_rp_note(p, "要対応は、否定的な回答に改善計画がない、「該当しない」の理由がないなど、点検票の記入が足りない項目の数です。");
}

static void committee_previous(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    if (!rp->prev_has)
        return;
    const tk_results *r = rp->r;
    char fy[TK_FY_LABEL_SIZE];
    tk_fiscal_year_wareki(r->year - 1, fy, sizeof fy);
    tk_rp_heading(p, a, sec, TX("previous", "前年度との比較"));
    double sc = tk_tally_score(&rp->total), ps = tk_rp_prev_score(&rp->prev_total);
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "前年度（%s）と比べて、全体の得点は %s から %s（%s）、回答率は %s%% から %s%% "
                                     "になりました。部署ごとの比較は「部署別の得点」の表にあります。",
                                     fy, tk_rp_f1(a, ps), tk_rp_f1(a, sc), tk_rp_delta(a, sc, ps),
                                     tk_rp_f1(a, tk_tally_answer_rate(&rp->prev_total)),
                                     tk_rp_f1(a, tk_tally_answer_rate(&rp->total))),
                     &(tk_pdf_style){.first_indent = true});
    size_t nc = rp->nchapters;
    const char **labels = tk_arena_alloc(a, (nc + 1) * sizeof *labels);
    double *va = tk_arena_alloc(a, (nc + 1) * sizeof *va), *vb = tk_arena_alloc(a, (nc + 1) * sizeof *vb);
    for (size_t c = 0; c < nc; c++) {
        labels[c] = rp->by_chapter[c].label;
        va[c] = tk_round1(tk_tally_score(&rp->by_chapter[c].tally));
        vb[c] = tk_round1(tk_rp_prev_score(&rp->prev_chapter[c]));
    }
    labels[nc] = TX("average", "全体");
    va[nc] = tk_round1(sc);
    vb[nc] = tk_round1(ps);
    tk_rp_pair_chart pc = {tk_arena_printf(a, "図%d-1　章別の得点（本年度と前年度）", *sec),
                     tk_arena_printf(a, "%s（本年度）", rp->fy_wareki), tk_arena_printf(a, "%s（前年度）", fy), C_BLUE,
                     C_PALE};
    tk_rp_pair_bars(p, &pc, nc + 1, labels, va, vb);
    const char *heads[] = {"章", "前年度", "本年度", "増減"};
    double w[] = {114, 20, 20, 20};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *t = tk_rp_table(p, 4, w, heads, al);
    for (size_t c = 0; c <= nc; c++) {
        double cur = c < nc ? tk_tally_score(&rp->by_chapter[c].tally) : sc;
        double old = c < nc ? tk_rp_prev_score(&rp->prev_chapter[c]) : ps;
        const char *cells[4] = {labels[c], tk_rp_f1(a, old), tk_rp_f1(a, cur), tk_rp_delta(a, cur, old)};
        tk_pdf_cell_style st[4] = {{0}};
        if (!isnan(cur) && !isnan(old) && tk_round1(cur) < tk_round1(old))
            st[3].color = C_WARN;
        tk_pdf_table_row(t, cells, st);
    }
    tk_pdf_table_end(t);
}

/* A title too long for one line of the cover breaks at its first
 * ideographic space ("令和8年度　情報セキュリティ…") rather than wherever
 * the line is full. */
static const char *cover_title(tk_pdf *p, tk_arena *a, const char *title)
{
    tk_pdf_frame f = tk_pdf_get_frame(p);
    const char *sp = strstr(title, "　");
    if (!sp || strchr(title, '\n') || tk_pdf_text_width(p, title, 24) <= f.right - f.left - 24)
        return title;
    return tk_arena_printf(a, "%.*s\n%s", (int)(sp - title), title, sp + strlen("　"));
}

/* 用語: the terms the report uses, in the template's words. */
static void committee_glossary(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    tk_tpl_var v[] = {{"threshold", tk_rp_f1(a, rp->cross_threshold * 100.0)}, {"label", rp->cross_label}};
    const char *terms[][2] = {{"要対応", tk_rp_sentence(rp, a, "glossary-flagged", v, 2)},
                              {rp->cross_label, tk_rp_sentence(rp, a, "glossary-cross-cutting", v, 2)},
                              {"重み", tk_rp_sentence(rp, a, "glossary-weight", v, 2)}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++)
        n += terms[i][1] != NULL;
    if (!n)
        return;
    tk_rp_heading(p, a, sec, TX("glossary", "用語"));
    const char *heads[] = {"用語", "意味"};
    double w[] = {30, 144};
    tk_rp_keep_table(p, 2 * n);
    tk_pdf_table *t = tk_rp_table(p, 2, w, heads, NULL);
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++)
        if (terms[i][1])
            tk_pdf_table_row(t, terms[i], NULL);
    tk_pdf_table_end(t);
}

/* 目次: the numbered sections and the 別表 with their pages, on a page of
 * its own that is not numbered (so that the report's page 1 is its first
 * page of content). marks NULL: the first pass, which only takes the page. */
static void toc_page(tk_pdf *p, tk_arena *a, const tk_pdf_mark *marks, size_t n)
{
    tk_pdf_front_page(p);
    tk_pdf_heading(p, 1, "目次");
    tk_pdf_frame f = tk_pdf_get_frame(p);
    const double row_h = 19, size = 10.5;
    size_t fit = (size_t)((tk_pdf_space_left(p) - 10) / row_h);
    for (size_t i = 0, k = 0; marks && i < n && k < fit; i++) {
        if (marks[i].level != 1 || marks[i].page == 0)
            continue;
        k++;
        double top = tk_pdf_reserve(p, row_h), base = top - 13.5;
        const char *num = tk_arena_printf(a, "%zu", marks[i].page);
        double tw = tk_pdf_text_width(p, marks[i].text, size), nw = tk_pdf_text_width(p, num, size);
        tk_pdf_draw_text(p, f.left + 6, base, size, C_INK, TK_PDF_ALIGN_LEFT, marks[i].text);
        tk_pdf_draw_text(p, f.right, base, size, C_INK, TK_PDF_ALIGN_RIGHT, num);
        double x0 = f.left + 6 + tw + 6, x1 = f.right - nw - 6;
        if (x1 > x0)
            tk_pdf_draw_line(p, x0, base + 1.5, x1, base + 1.5, 0.6, C_PALE, true);
    }
    tk_pdf_page_break(p);
}

static tk_pdf *committee_pdf(const tk_report *rp, const tk_pdf_font *font, const tk_pdf_mark *marks, size_t nmarks,
                             tk_diags *d)
{
    const tk_results *r = rp->r;
    tk_arena *a = tk_arena_new();
    const char *title = tk_report_title(rp, a, rp->title_committee, -1);
    tk_pdf_opts o = {.title = title,
                     .author = r->org_name,
                     .mark = rp->classification,
                     .header_left = tk_arena_printf(a, "%s　%s", r->org_name, title),
                     .font = font};
    tk_pdf *p = tk_pdf_new(&o, d);
    if (!p) {
        tk_arena_free(a);
        return NULL;
    }
    const char *subs[] = {tk_arena_printf(a, "対象年度　%s", rp->fy_label)};
    tk_pdf_cover c = {.title = cover_title(p, a, title),
                      .subtitles = subs,
                      .nsubtitles = 1,
                      .date_line = rp->date_both,
                      .organisation = r->org_name};
    tk_pdf_cover_page(p, &c);
    toc_page(p, a, marks, nmarks);
    int sec = 0;
    tk_rp_committee_comment(p, rp, a, &sec);
    committee_summary(p, rp, a, &sec);
    tk_rp_committee_overview(p, rp, a, &sec);
    committee_departments(p, rp, a, &sec);
    committee_heatmap(p, rp, a, &sec);
    tk_rp_committee_items(p, rp, a, &sec);
    committee_plans(p, rp, a, &sec);
    tk_rp_committee_followup(p, rp, a, &sec);
    committee_previous(p, rp, a, &sec);
    tk_report_staff_section(p, rp->staff, &sec);
    tk_rp_committee_actions(p, rp, a, &sec);
    committee_glossary(p, rp, a, &sec);
    tk_rp_committee_annex(p, rp, a);
    tk_arena_free(a);
    return p;
}

/* Laid out twice: the first pass finds the page of every heading, the
 * second prints them in the table of contents (which takes the same one
 * unnumbered page both times, so nothing moves). */
static tk_pdf *committee_document(const tk_report *rp, tk_diags *d)
{
    tk_pdf *first = committee_pdf(rp, rp->font, NULL, 0, d);
    if (!first)
        return NULL;
    tk_pdf_mark *marks;
    size_t n = tk_pdf_headings(first, &marks);
    tk_pdf *p = committee_pdf(rp, rp->font, marks, n, d);
    free(marks);
    tk_pdf_free(first);
    return p;
}

tk_pdf *tk_report_committee_pdf(const tk_report *rp, tk_diags *d) { return committee_document(rp, d); }

int tk_report_write_committee(const tk_report *rp, const char *path, bool force, size_t *pages, tk_diags *d)
{
    if (!force && tk_file_exists(path)) {
        tk_diag_error(d, path, 0, "ファイルが既にあります。上書きするには --force を指定してください");
        return TK_EXIT_INPUT;
    }
    if (tk_rp_ensure_parent(path, d) != 0)
        return TK_EXIT_FAILURE;
    tk_pdf *p = committee_document(rp, d);
    if (!p)
        return TK_EXIT_FAILURE;
    int rc = tk_pdf_save(p, path, force) == 0 ? TK_EXIT_OK : TK_EXIT_FAILURE;
    if (pages)
        *pages = tk_pdf_page_count(p);
    tk_pdf_free(p);
    return rc;
}
