/* report_committee_scores.c — the committee report's scores: by department
 * (bar chart with the whole's line, and a ranked table beside last year),
 * department × chapter (heat map with each chapter's item count, cells on
 * few answers pale), by chapter, and this year against the last. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/chart.h"
#include "tenken/score.h"

void tk_rp_committee_departments(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
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
    double low = tk_rp_low_threshold(rp);
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
    const char *heads[] = {"順位", "部署", "得点", "評価", "回答率\n（%）", TX("negative-short", "否定的\n回答"), "要対応", "前年度", "増減"};
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
            tk_rp_zu(a, rp->dept_flagged[d]),
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

void tk_rp_committee_heatmap(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
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
    const char *heads[] = {"章", "得点", "回答率\n（%）", "回答 / 対象", TX("negative-short", "否定的\n回答"), "前年度", "増減"};
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

void tk_rp_committee_previous(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
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
