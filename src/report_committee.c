/* report_committee.c — the committee report (PDF) put together: the
 * cover, the table of contents (two passes: the first finds each heading's
 * page), page 1's summary of the figures beside last year's, the glossary,
 * and the sections of report_committee_*.c in order:
 *   _comment.c   総評 (drafted, or the secretariat's)
 *   _overview.c  点検の概要
 *   _scores.c    by department, department × chapter, by chapter, last year
 *   _items.c     横断的課題, the weakest items, 主な課題と今後の対応, 別表
 *   _plans.c     this year's plans, earlier years' plans (対応状況)
 * See report.h. */
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
    tk_report_plan_count pc = rp->plans;
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
        {TX("negative", "否定的な回答"), tk_arena_printf(a, "%zu 件", rp->total.negative),
         pv ? tk_arena_printf(a, "%zu 件", rp->prev_total.negative) : ""},
        {TX("flagged", "要対応（改善計画等の未記入）"), tk_arena_printf(a, "%zu 件", flagged),
         pv ? tk_arena_printf(a, "%zu 件", rp->prev_flagged) : ""},
        {"改善計画（当年度の点検分）", tk_arena_printf(a, "%zu 件", pc.total),
         pv ? tk_arena_printf(a, "%zu 件", rp->prev_plans) : ""},
        {"未完了の改善計画（全年度）", tk_arena_printf(a, "%zu 件", rp->all_open), pv ? "—" : ""},
        {"　うち完了予定日を過ぎたもの", tk_arena_printf(a, "%zu 件", rp->all_overdue), pv ? "—" : ""},
        {"（参考）自己点検・監査の計", /* only when another kind of round has plans */
         rp->org_open != rp->all_open || rp->org_overdue != rp->all_overdue
             ? tk_arena_printf(a, "未完了 %zu 件、うち期限超過 %zu 件", rp->org_open, rp->org_overdue)
             : NULL,
         pv ? "—" : ""},
        {rp->cross_label, tk_arena_printf(a, "%zu 項目", cross), pv ? tk_arena_printf(a, "%zu 項目", rp->prev_cross) : ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i][1])
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
    tk_rp_committee_departments(p, rp, a, &sec);
    tk_rp_committee_heatmap(p, rp, a, &sec);
    tk_rp_committee_items(p, rp, a, &sec);
    tk_rp_committee_plans(p, rp, a, &sec);
    tk_rp_committee_followup(p, rp, a, &sec);
    tk_rp_committee_previous(p, rp, a, &sec);
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
    /* the headings kept, the first pass let go before the second (a
     * prefecture's report is large) */
    tk_pdf_mark *marks;
    size_t n = tk_pdf_headings(first, &marks);
    tk_arena *a = tk_arena_new();
    for (size_t i = 0; i < n; i++)
        marks[i].text = tk_arena_strdup(a, marks[i].text);
    tk_pdf_free(first);
    tk_pdf *p = committee_pdf(rp, rp->font, marks, n, d);
    free(marks);
    tk_arena_free(a);
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
