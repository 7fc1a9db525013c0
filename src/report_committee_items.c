/* report_committee_items.c — the committee report's sections on items:
 * the cross-cutting issues (横断的課題) and the weakest items (the first
 * few of each in the body), 主な課題と今後の対応 (those turned into
 * recommendations the committee can decide on, each with the role that
 * owns the items) and the 別表 at the end (every cross-cutting item and
 * every weak item, grouped by chapter). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/score.h"

/* Items shown in the body; the rest are in the 別表. */
#define BODY_ITEMS 10
/* Recommendations from cross-cutting items, and the weakest chapters. */
#define ACTION_ITEMS 5
#define ACTION_CHAPTERS 3

typedef struct item_rank {
    size_t k, neg, answered;
    double share, score;
} item_rank;

/* Most departments first: seven of seventeen is more of a shared problem
 * than two of two. */
static int by_spread(const void *x, const void *y)
{
    const item_rank *a = x, *b = y;
    if (a->neg != b->neg)
        return a->neg < b->neg ? 1 : -1;
    if (a->share != b->share)
        return a->share < b->share ? 1 : -1;
    return a->k < b->k ? -1 : a->k > b->k;
}

static int by_score_asc(const void *x, const void *y)
{
    const item_rank *a = x, *b = y;
    double sa = tk_round1(a->score), sb = tk_round1(b->score);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (a->neg != b->neg)
        return a->neg < b->neg ? 1 : -1;
    return a->k < b->k ? -1 : a->k > b->k;
}

static int by_item(const void *x, const void *y)
{
    const item_rank *a = x, *b = y;
    return a->k < b->k ? -1 : a->k > b->k;
}

/* The cross-cutting items, most departments first. free() *out. */
static size_t cross_items(const tk_report *rp, item_rank **out)
{
    const tk_results *r = rp->r;
    item_rank *v = tk_xcalloc(r->nitems ? r->nitems : 1, sizeof *v);
    size_t n = 0;
    for (size_t k = 0; k < r->nitems; k++) {
        size_t neg, ans;
        if (tk_report_cross_cutting(rp, k, &neg, &ans))
            v[n++] = (item_rank){k, neg, ans, (double)neg / (double)ans,
                                 tk_tally_score(&rp->by_item[rp->item_group[k]].tally)};
    }
    qsort(v, n, sizeof *v, by_spread);
    *out = v;
    return n;
}

/* Items whose score (all departments' answers) is below limit, lowest
 * first. free() *out. */
static size_t weak_items(const tk_report *rp, double limit, item_rank **out)
{
    const tk_results *r = rp->r;
    item_rank *v = tk_xcalloc(r->nitems ? r->nitems : 1, sizeof *v);
    size_t n = 0;
    for (size_t k = 0; k < r->nitems; k++) {
        long g = rp->item_group[k];
        if (g < 0)
            continue;
        const tk_tally *tt = &rp->by_item[g].tally;
        double sc = tk_tally_score(tt);
        if (isnan(sc) || tk_round1(sc) >= limit)
            continue;
        v[n++] = (item_rank){k, tt->negative, tt->answered, 0, sc};
    }
    qsort(v, n, sizeof *v, by_score_asc);
    *out = v;
    return n;
}

/* What the 別表 calls weak: below the threshold of the bands (改善が必要),
 * or below 100 when the template has no bands. */
static double weak_limit(const tk_report *rp)
{
    double low = tk_rp_low_threshold(rp);
    return low > 0 ? low : 100.0;
}

static const char *negative_answers(const tk_report *rp, tk_arena *a)
{
    tk_buf s;
    tk_buf_init(&s);
    for (size_t i = 0; i < rp->r->nanswers; i++)
        if (rp->r->answers[i].negative)
            tk_buf_printf(&s, "%s「%s」", s.len ? "・" : "", rp->r->answers[i].value);
    const char *t = tk_arena_strdup(a, s.data ? s.data : "");
    tk_buf_free(&s);
    return t;
}

void tk_rp_committee_items(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    item_rank *v;
    size_t n = cross_items(rp, &v), shown = n > BODY_ITEMS ? BODY_ITEMS : n;
    tk_rp_heading(p, a, sec, rp->cross_label);
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "その項目に回答した部署（「該当しない」と回答した部署を除く）のうち %s%% 以上、かつ 2 "
                                     "部署以上が%s（%s）%s項目です。該当は %zu 項目で、%sの"
                                     "多い順に%s示します。部署をまたぐ課題として、全庁での対応を検討してください。",
                                     tk_rp_f1(a, rp->cross_threshold * 100.0), TX("negative", "否定的な回答"), negative_answers(rp, a),
                                     TX("negative-did", "をした"), n, TX("negative-by", "否定的な回答をした部署"),
                                     n > shown ? tk_arena_printf(a, " %zu 項目を（すべては別表1に章ごとに）", shown) : ""),
                     &(tk_pdf_style){.first_indent = true});
    if (shown) {
        const char *heads[] = {"該当条項", "点検項目", TX("negative-departments", "否定的 /\n回答部署"), "割合\n（%）", "得点"};
        double w[] = {27, 93, 20, 18, 16};
        tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                             TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = tk_rp_table(p, 5, w, heads, al);
        for (size_t i = 0; i < shown; i++) {
            const tk_res_item *it = &r->items[v[i].k];
            const char *cells[5] = {it->ref, tk_rp_item_cell(a, it),
                                    tk_arena_printf(a, "%zu / %zu", v[i].neg, v[i].answered),
                                    tk_rp_f1(a, 100.0 * v[i].share), tk_rp_f1(a, v[i].score)};
            tk_pdf_table_row(t, cells, NULL);
        }
        tk_pdf_table_end(t);
    }
    free(v);

    /* the weakest items */
    n = weak_items(rp, 100.0, &v);
    shown = n > BODY_ITEMS ? BODY_ITEMS : n;
    size_t nweak = 0;
    for (size_t i = 0; i < n; i++)
        nweak += tk_round1(v[i].score) < weak_limit(rp);
    tk_rp_heading(p, a, sec, TX("weakest", "得点の低い項目"));
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "全部署の回答をまとめた得点が低い順に %zu 項目を示します（同点は%sの多い順）。"
                                     "得点が %s 未満の項目は %zu 項目で、すべてを別表2に章ごとに載せています。",
                                     shown, TX("negative", "否定的な回答"), tk_rp_f1(a, weak_limit(rp)), nweak),
                     &(tk_pdf_style){.first_indent = true});
    if (shown) {
        const char *h2[] = {"順位", "該当条項", "点検項目", TX("negative-departments", "否定的 /\n回答部署"), "得点"};
        double w2[] = {11, 27, 101, 20, 15};
        tk_pdf_align a2[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT,
                             TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = tk_rp_table(p, 5, w2, h2, a2);
        size_t rank = 0;
        double last = NAN;
        for (size_t i = 0; i < shown; i++) {
            const tk_res_item *it = &r->items[v[i].k];
            if (isnan(last) || tk_round1(v[i].score) != last)
                rank = i + 1;
            last = tk_round1(v[i].score);
            const char *cells[5] = {tk_rp_zu(a, rank), it->ref, tk_rp_item_cell(a, it),
                                    tk_arena_printf(a, "%zu / %zu", v[i].neg, v[i].answered), tk_rp_f1(a, v[i].score)};
            tk_pdf_table_row(t, cells, NULL);
        }
        tk_pdf_table_end(t);
    }
    free(v);
}

/* ---- 主な課題と今後の対応 ---- */

/* The roles that own chapter c's negative answers, the most frequent
 * first (at most two; of equal counts, the one the cells named first),
 * joined with "、". */
static const char *chapter_owners(const tk_report *rp, tk_arena *a, size_t c)
{
    const tk_results *r = rp->r;
    size_t best[2] = {SIZE_MAX, SIZE_MAX};
    const size_t *neg = r->chapter_role_negative + c * r->nroles_cap, *first = r->chapter_role_first + c * r->nroles_cap;
    for (size_t j = 0; j < r->nroles; j++) {
        if (!neg[j])
            continue;
        for (int k = 0; k < 2; k++) {
            size_t b = best[k];
            if (b == SIZE_MAX || neg[j] > neg[b] || (neg[j] == neg[b] && first[j] < first[b])) {
                if (k == 0)
                    best[1] = best[0];
                best[k] = j;
                break;
            }
        }
    }
    if (best[0] == SIZE_MAX)
        return "—";
    if (best[1] == SIZE_MAX)
        return r->roles[best[0]];
    return tk_arena_printf(a, "%s、%s", r->roles[best[0]], r->roles[best[1]]);
}

/* The refs of chapter c's three weakest items ("6.1(2)、6.2(1)"). */
static const char *chapter_refs(const tk_report *rp, tk_arena *a, const item_rank *weak, size_t nweak, size_t c)
{
    tk_buf b;
    tk_buf_init(&b);
    size_t got = 0;
    for (size_t i = 0; i < nweak && got < 3; i++) {
        const tk_res_item *it = &rp->r->items[weak[i].k];
        if (strcmp(it->chapter, rp->by_chapter[c].label))
            continue;
        tk_buf_printf(&b, "%s%s", got++ ? "、" : "", it->ref);
    }
    const char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

static void action_row(tk_pdf_table *t, tk_arena *a, size_t *no, const char *issue, const char *action, const char *who)
{
    if (!action)
        return;
    const char *cells[4] = {tk_rp_zu(a, ++*no), issue, action, who};
    tk_pdf_table_row(t, cells, NULL);
}

void tk_rp_committee_actions(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    tk_rp_heading(p, a, sec, TX("actions", "主な課題と今後の対応"));
    tk_pdf_paragraph(p,
                     "点検の結果から、委員会で対応を決めていただきたい課題と、その対応の案です。担当は、その課題の点検項目を"
                     "担う役割（ポリシーの定め）です。",
                     &(tk_pdf_style){.first_indent = true});
    const char *heads[] = {"番号", "課題", "今後の対応（案）", "担当"};
    double w[] = {11, 62, 66, 35};
    tk_pdf_align al[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT};
    tk_pdf_table *t = tk_rp_table(p, 4, w, heads, al);
    size_t no = 0;
    double all = tk_round1(tk_tally_score(&rp->total));

    /* the weakest chapters, below the whole */
    item_rank *weak;
    size_t nweak = weak_items(rp, 100.0, &weak), nc;
    size_t *cs = tk_rp_chapters_by_score(rp, &nc);
    for (size_t i = 0; i < nc && i < ACTION_CHAPTERS && nc > 1; i++) {
        size_t c = cs[i];
        const tk_tally *tt = &rp->by_chapter[c].tally;
        double sc = tk_round1(tk_tally_score(tt));
        if (!(sc < all))
            break;
        tk_tpl_var v[] = {{"chapter", rp->by_chapter[c].label}, {"refs", chapter_refs(rp, a, weak, nweak, c)}};
        const char *issue = tk_arena_printf(a, "「%s」の得点が %s（全体 %s）、%s %zu 件", rp->by_chapter[c].label,
                                            tk_rp_f1(a, sc), tk_rp_f1(a, all), TX("negative", "否定的な回答"), tt->negative);
        action_row(t, a, &no, issue, tk_rp_sentence(rp, a, "action-chapter", v, 2), chapter_owners(rp, a, c));
    }
    free(cs);
    free(weak);

    /* the cross-cutting items shared by the most departments */
    item_rank *cross;
    size_t ncross = cross_items(rp, &cross);
    for (size_t i = 0; i < ncross && i < ACTION_ITEMS; i++) {
        const tk_res_item *it = &r->items[cross[i].k];
        const char *issue = tk_arena_printf(a, "%s %s（%zu / %zu 部署が%s）", it->ref, tk_rp_clip(a, it->text, 50),
                                            cross[i].neg, cross[i].answered, TX("negative", "否定的な回答"));
        action_row(t, a, &no, issue, tk_rp_sentence(rp, a, "action-cross-cutting", NULL, 0),
                   it->roles && *it->roles ? tk_rp_roles_text(a, it->roles) : "—");
    }
    free(cross);

    /* the departments below the threshold */
    double low = tk_rp_low_threshold(rp);
    if (low > 0) {
        size_t n, m = 0;
        size_t *order = tk_rp_depts_by_score(rp, &n);
        tk_buf names;
        tk_buf_init(&names);
        for (size_t i = n; i-- > 0;) {
            double s = tk_round1(tk_rp_dept_score(rp, order[i]));
            if (!isnan(s) && s < low)
                tk_buf_printf(&names, "%s%s（%s）", m++ ? "、" : "", r->depts[order[i]].name, tk_rp_f1(a, s));
        }
        if (m)
            action_row(t, a, &no, tk_arena_printf(a, "得点が %s 未満の部署：%s", tk_rp_f1(a, low), names.data),
                       tk_rp_sentence(rp, a, "action-departments", NULL, 0),
                       tk_report_text(rp, "action-departments-role", "—"));
        tk_buf_free(&names);
        free(order);
    }

    /* plans past their due date, earlier years' too */
    if (rp->all_overdue)
        action_row(t, a, &no,
                   tk_arena_printf(a, "完了予定日を過ぎた改善計画 %zu 件（前年度以前の分を含む。未完了は %zu 件）",
                                   rp->all_overdue, rp->all_open),
                   tk_rp_sentence(rp, a, "action-overdue", NULL, 0), tk_report_text(rp, "action-overdue-role", "—"));
    if (!no)
        tk_pdf_table_row(t, (const char *[]){"", "委員会で対応を決めるべき課題は見つかりませんでした。", "", ""}, NULL);
    tk_pdf_table_end(t);
}

/* ---- 別表 ---- */

/* The items of v (any order) under a heading per chapter, in checklist
 * order, with the roles that own them. */
static void annex_table(tk_pdf *p, const tk_report *rp, tk_arena *a, item_rank *v, size_t n)
{
    const tk_results *r = rp->r;
    qsort(v, n, sizeof *v, by_item);
    const char *heads[] = {"該当条項", "点検項目", TX("negative-departments", "否定的 /\n回答部署"), "得点", "担当"};
    double w[] = {31, 81, 17, 13, 32};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_LEFT};
    for (size_t i = 0; i < n;) {
        const char *ch = r->items[v[i].k].chapter;
        size_t j = i;
        while (j < n && !strcmp(r->items[v[j].k].chapter, ch))
            j++;
        tk_pdf_heading(p, 3, tk_arena_printf(a, "%s（%zu 項目）", ch, j - i));
        tk_pdf_table *t = tk_rp_table_sized(p, 5, w, heads, al, 8);
        for (; i < j; i++) {
            const tk_res_item *it = &r->items[v[i].k];
            const char *cells[5] = {it->ref, tk_rp_item_cell(a, it),
                                    tk_arena_printf(a, "%zu / %zu", v[i].neg, v[i].answered), tk_rp_f1(a, v[i].score),
                                    tk_rp_roles_text(a, it->roles)};
            tk_pdf_table_row(t, cells, NULL);
        }
        tk_pdf_table_end(t);
    }
}

void tk_rp_committee_annex(tk_pdf *p, const tk_report *rp, tk_arena *a)
{
    item_rank *v;
    size_t n = cross_items(rp, &v);
    tk_pdf_page_break(p);
    tk_pdf_heading(p, 1, tk_arena_printf(a, "別表1　%s（全 %zu 項目、章ごと）", rp->cross_label, n));
    if (n)
        annex_table(p, rp, a, v, n);
    else
        tk_pdf_paragraph(p, tk_arena_printf(a, "%sに当たる項目はありません。", rp->cross_label), NULL);
    free(v);
    double limit = weak_limit(rp);
    n = weak_items(rp, limit, &v);
    tk_pdf_page_break(p);
    tk_pdf_heading(p, 1, tk_arena_printf(a, "別表2　得点が %s 未満の項目（全 %zu 項目、章ごと）", tk_rp_f1(a, limit), n));
    if (n)
        annex_table(p, rp, a, v, n);
    else
        tk_pdf_paragraph(p, tk_arena_printf(a, "得点が %s 未満の項目はありません。", tk_rp_f1(a, limit)), NULL);
    free(v);
}
