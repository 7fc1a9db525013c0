/* report_committee_plans.c — the committee report's remediation plans:
 * this year's (closure rate, by status, by due month, by department) and
 * 前年度指摘事項・改善計画の対応状況, the plans of earlier years' rounds of
 * this kind, how many are closed, open or overdue on the report's date, by
 * year and by department (figures from tk_plans_list, as page 1 and
 * `tenken plans`). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/chart.h"
#include "tenken/score.h"

/* Months shown in the plans-by-due-month chart before the rest are pooled. */
#define MAX_MONTHS 24

void tk_rp_committee_plans(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    tk_rp_heading(p, a, sec, TX("plans", "改善計画"));
    tk_report_plan_count pc = rp->plans;
    /* all years first: the figure page 1 gives */
    const char *all = tk_arena_printf(a,
                                      "前年度以前の点検で立てたものを含め、完了していない改善計画は %zu 件、うち完了予定日を過ぎた"
                                      "もの %zu 件です（%s 現在）。",
                                      rp->all_open, rp->all_overdue, rp->date_both);
    if (rp->org_open != rp->all_open || rp->org_overdue != rp->all_overdue)
        all = tk_arena_printf(a, "%s自己点検と監査を合わせると、未完了 %zu 件、うち完了予定日を過ぎたもの %zu 件です。", all,
                              rp->org_open, rp->org_overdue);
    if (!pc.total) {
        tk_pdf_paragraph(p, tk_arena_printf(a, "本年度の点検で立てた改善計画はありません。%s", all), NULL);
        return;
    }
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "本年度の点検で%sに対して立てた改善計画は %zu 件で、うち未完了 %zu 件、完了予定日を過ぎた"
                                     "もの %zu 件です。%s",
                                     TX("negative", "否定的な回答"), pc.total, pc.open + pc.late, pc.late, all),
                     &(tk_pdf_style){.first_indent = true});
    /* closure rate: closed (完了, リスク受容) of all */
    size_t closed = pc.closed;
    char rate[16];
    tk_pdf_paragraph(p,
                     tk_arena_printf(a, "完了率（完了・リスク受容の割合）は %s%% です（%zu / %zu 件）。",
                                     tk_fmt1(100.0 * (double)closed / (double)pc.total, rate), closed, pc.total),
                     NULL);
    /* by status */
    const size_t *by_status = rp->plan_status;
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
    size_t nmonths = rp->nplan_months;
    bool any = nmonths > 0, nodue = rp->plan_nodue.total > 0;
    int lo = any ? rp->plan_months[0].month : 0, hi = any ? rp->plan_months[nmonths - 1].month : 0;
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
    for (size_t i = 0; i <= nmonths; i++) {
        const tk_report_plan_count *n = i < nmonths ? &rp->plan_months[i].n : &rp->plan_nodue;
        size_t c = nm;
        if (i < nmonths) {
            int off = rp->plan_months[i].month - lo;
            c = (size_t)off < nm ? (size_t)off : nm - 1;
        }
        if (!n->total)
            continue;
        sv[0][c] += (double)n->closed;
        sv[1][c] += (double)n->open;
        sv[2][c] += (double)n->late;
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
            tk_report_plan_count dc = rp->dept_plans[d];
            size_t fl = rp->dept_flagged[d];
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
    tk_rp_note(p, TX("flagged-note", "要対応は、否定的な回答に改善計画がない、「該当しない」の理由がないなど、点検票の記入が足りない項目の数です。"));
}


static const char *rate(tk_arena *a, size_t closed, size_t total)
{
    return total ? tk_rp_f1(a, 100.0 * (double)closed / (double)total) : "—";
}

/* One row of the department table. */
static void count_row(tk_pdf_table *t, tk_arena *a, const char *name, const struct tk_report_carried_count *c,
                      bool total_row)
{
    const char *cells[6] = {name,           tk_rp_zu(a, c->total),   tk_rp_zu(a, c->closed),
                            tk_rp_zu(a, c->open), tk_rp_zu(a, c->overdue), rate(a, c->closed, c->total)};
    tk_pdf_cell_style st[6] = {{0}};
    for (int i = 0; total_row && i < 6; i++)
        st[i].fill = TK_PDF_HEX(0xE9ECF0);
    if (c->overdue)
        st[4].color = C_WARN;
    tk_pdf_table_row(t, cells, st);
}

void tk_rp_committee_followup(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    tk_rp_heading(p, a, sec, TX("followup", "前年度指摘事項・改善計画の対応状況"));
    struct tk_report_carried_count all = rp->carried_other;
    for (size_t i = 0; i < r->ndepts; i++) {
        all.total += rp->carried_dept[i].total;
        all.closed += rp->carried_dept[i].closed;
        all.open += rp->carried_dept[i].open;
        all.overdue += rp->carried_dept[i].overdue;
    }
    if (!all.total) {
        tk_pdf_paragraph(p, "前年度以前の点検で立てた改善計画はありません。", &(tk_pdf_style){.first_indent = true});
        return;
    }
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "前年度以前の点検で立てた改善計画 %zu 件のうち、完了・リスク受容は %zu 件（%s%%）、"
                                     "未完了は %zu 件で、うち %zu 件は完了予定日を過ぎています（%s 現在）。"
                                     "進捗は改善計画の進捗確認票と本年度の点検票で確かめています。",
                                     all.total, all.closed, rate(a, all.closed, all.total), all.open + all.overdue,
                                     all.overdue, rp->date_both),
                     &(tk_pdf_style){.first_indent = true});

    /* by year: a short table, kept on one page */
    {
        const char *heads[] = {"年度", "計画", "未完了", "うち期限超過"};
        double w[] = {50, 24, 24, 30};
        tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
        tk_rp_keep_table(p, rp->ncarried + 1);
        tk_pdf_table *t = tk_rp_table(p, 4, w, heads, al);
        for (size_t i = 0; i < rp->ncarried; i++) {
            char fy[TK_FY_LABEL_SIZE];
            tk_fiscal_year_label(rp->carried[i].year, fy, sizeof fy);
            const char *cells[4] = {tk_arena_strdup(a, fy), tk_rp_zu(a, rp->carried[i].total),
                                    tk_rp_zu(a, rp->carried[i].open), tk_rp_zu(a, rp->carried[i].overdue)};
            tk_pdf_cell_style st[4] = {{0}};
            if (rp->carried[i].overdue)
                st[3].color = C_WARN;
            tk_pdf_table_row(t, cells, st);
        }
        tk_pdf_table_end(t);
    }

    /* by department, in code order */
    tk_pdf_heading(p, 2, "部署別の対応状況");
    const char *heads[] = {"部署", "計画", "完了・\nリスク受容", "未完了\n（期限内）", "期限超過", "完了率\n（%）"};
    double w[] = {62, 20, 26, 26, 20, 20};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *t = tk_rp_table(p, 6, w, heads, al);
    for (size_t i = 0; i < r->ndepts; i++)
        if (rp->carried_dept[i].total)
            count_row(t, a, r->depts[i].name, &rp->carried_dept[i], false);
    if (rp->carried_other.total)
        count_row(t, a, "（本年度の部署にないもの）", &rp->carried_other, false);
    count_row(t, a, "合計", &all, true);
    tk_pdf_table_end(t);
    tk_rp_note(p, "完了率は、計画のうち完了またはリスク受容となったものの割合です。各部署の未完了の計画は部署別の結果通知に載せています。");
}
