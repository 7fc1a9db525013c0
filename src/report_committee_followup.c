/* report_committee_followup.c — the committee report's 前年度指摘事項・
 * 改善計画の対応状況: the plans of earlier years' rounds of this kind, how
 * many are closed, open or overdue on the report's date, by year and by
 * department (figures from tk_plans_list, as page 1 and `tenken plans`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/score.h"

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
