/* report_department.c — one feedback report per department (PDF): its
 * score against the organisation's by chapter, its negative answers with
 * their plans, the items flagged 要対応, the items left unanswered and the
 * plans of earlier years it has not closed. See report.h. */
#include <errno.h>
#include <libxml/tree.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/score.h"
#include "tenken/text.h"

/* ======================================================================
 * The department feedback report
 * ====================================================================== */

/* A table gathered whole before it is drawn, so that its columns fit its
 * content (tk_pdf_table_fit): an answer such as 一部実施している is never
 * broken, and the item and plan columns share the rest by their text. */
typedef struct fitted {
    size_t ncols, n, cap;
    const char **cells;        /* n × ncols, in the arena */
    tk_pdf_cell_style *styles; /* n × ncols */
} fitted;

static void fitted_row(fitted *f, tk_arena *a, const char *const *cells, const tk_pdf_cell_style *st)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        const char **nc = tk_arena_alloc(a, cap * f->ncols * sizeof *nc);
        tk_pdf_cell_style *ns = tk_arena_alloc(a, cap * f->ncols * sizeof *ns);
        if (f->n) {
            memcpy(nc, f->cells, f->n * f->ncols * sizeof *nc);
            memcpy(ns, f->styles, f->n * f->ncols * sizeof *ns);
        }
        f->cells = nc;
        f->styles = ns;
        f->cap = cap;
    }
    for (size_t c = 0; c < f->ncols; c++) {
        f->cells[f->n * f->ncols + c] = cells[c] ? cells[c] : "";
        f->styles[f->n * f->ncols + c] = st ? st[c] : (tk_pdf_cell_style){0};
    }
    f->n++;
}

static void fitted_draw(tk_pdf *p, const fitted *f, const char *const *heads, tk_arena *a)
{
    double *w = tk_arena_alloc(a, f->ncols * sizeof *w);
    tk_pdf_table_fit(p, f->ncols, heads, f->cells, f->n, 0, w);
    tk_pdf_table_opts o = {.zebra = true};
    tk_pdf_table *t = tk_pdf_table_begin(p, f->ncols, w, heads, &o);
    for (size_t i = 0; i < f->n; i++)
        tk_pdf_table_row(t, &f->cells[i * f->ncols], &f->styles[i * f->ncols]);
    tk_pdf_table_end(t);
}

static const char *flag_text(const char *flag)
{
    if (!strcmp(flag, "計画未記入"))
        return "計画未記入：改善計画（改善内容・担当者・完了予定日）がありません";
    if (!strcmp(flag, "計画不備"))
        return "計画不備：改善内容・担当者・完了予定日のいずれかがありません";
    if (!strcmp(flag, "理由未記入"))
        return "理由未記入：「該当しない」の理由が備考にありません";
    return flag;
}

static size_t dept_rank(const tk_report *rp, size_t d)
{
    double me = tk_round1(tk_rp_dept_score(rp, d));
    if (isnan(me))
        return 0;
    size_t rank = 1;
    for (size_t i = 0; i < rp->nby_dept; i++) {
        double o = tk_round1(tk_tally_score(&rp->by_dept[i].tally));
        rank += !isnan(o) && o > me;
    }
    return rank;
}

static void dept_summary(tk_pdf *p, const tk_report *rp, size_t d, tk_arena *a, int *sec)
{
    const tk_tally *t = tk_rp_dept_tally(rp, d), *T = &rp->total;
    tk_rp_heading(p, a, sec, TX("dept-summary", "結果の概要"));
    double sc = tk_tally_score(t), SC = tk_tally_score(T);
    tk_report_plan_count pc = rp->dept_plans[d], PC = rp->plans;
    size_t rank = dept_rank(rp, d), ranked = 0;
    for (size_t i = 0; i < rp->nby_dept; i++)
        ranked += !isnan(tk_tally_score(&rp->by_dept[i].tally));
    const char *heads[] = {"項目", TX("this-department", "貴部署"), TX("organisation", "組織全体")};
    double w[] = {64, 55, 55};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *tb = tk_rp_table(p, 3, w, heads, al);
    size_t unans = tk_tally_applicable(t) - t->answered, UNANS = tk_tally_applicable(T) - T->answered;
    const char *rows[][3] = {
        {"得点", tk_rp_f1(a, sc), tk_rp_f1(a, SC)},
        {"評価", tk_report_band(rp, sc), tk_report_band(rp, SC)},
        {"得点の順位", rank ? tk_arena_printf(a, "%zu 位 / %zu 部署", rank, ranked) : "—", ""},
        {"回答率（%）", tk_rp_f1(a, tk_tally_answer_rate(t)), tk_rp_f1(a, tk_tally_answer_rate(T))},
        {"回答 / 対象（項目）", tk_arena_printf(a, "%zu / %zu", t->answered, tk_tally_applicable(t)),
         tk_arena_printf(a, "%zu / %zu", T->answered, tk_tally_applicable(T))},
        {tk_arena_printf(a, "%s（項目）", TX("negative", "否定的な回答")), tk_rp_zu(a, t->negative), tk_rp_zu(a, T->negative)},
        {"要対応（項目）", tk_rp_zu(a, rp->dept_flagged[d]), tk_rp_zu(a, rp->flagged)},
        {"未回答（項目）", tk_rp_zu(a, unans), tk_rp_zu(a, UNANS)},
        {"改善計画（件）", tk_rp_zu(a, pc.total), tk_rp_zu(a, PC.total)},
        {"　うち完了予定日を過ぎたもの", tk_rp_zu(a, pc.late), tk_rp_zu(a, PC.late)},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        tk_pdf_table_row(tb, rows[i], NULL);
    if (rp->prev_has) {
        const char *row[3] = {"前年度の得点", tk_rp_f1(a, tk_rp_prev_score(&rp->prev_dept[d])), tk_rp_f1(a, tk_rp_prev_score(&rp->prev_total))};
        tk_pdf_table_row(tb, row, NULL);
    }
    tk_pdf_table_end(tb);
    tk_rp_note(p, "得点 = 100 × Σ(重み × 点) ÷ Σ(重み)。回答のあった項目（「該当しない」を除く）が対象で、未回答の項目は回答率に表れます。"
            "組織全体は全部署の回答をまとめて計算した値です。");
}

static void dept_chapters(tk_pdf *p, const tk_report *rp, size_t d, tk_arena *a, int *sec)
{
    size_t nc = rp->nchapters, n = 0;
    const char **labels = tk_arena_alloc(a, (nc ? nc : 1) * sizeof *labels);
    double *va = tk_arena_alloc(a, (nc ? nc : 1) * sizeof *va), *vb = tk_arena_alloc(a, (nc ? nc : 1) * sizeof *vb);
    size_t *ci = tk_arena_alloc(a, (nc ? nc : 1) * sizeof *ci);
    for (size_t c = 0; c < nc; c++) {
        if (!rp->dept_chapter[d * nc + c].issued)
            continue;
        ci[n] = c;
        labels[n] = rp->by_chapter[c].label;
        va[n] = tk_round1(tk_tally_score(&rp->dept_chapter[d * nc + c]));
        vb[n] = tk_round1(tk_tally_score(&rp->by_chapter[c].tally));
        n++;
    }
    if (!n)
        return;
    tk_rp_heading(p, a, sec, TX("dept-chapters", "章別の得点"));
    tk_rp_pair_chart pc = {tk_arena_printf(a, "図%d-1　章別の得点（%s と組織全体）", *sec, rp->r->depts[d].name),
                     TX("this-department", "貴部署"), TX("organisation", "組織全体"), C_BLUE, C_PALE};
    tk_rp_pair_bars(p, &pc, n, labels, va, vb);
    const char *heads[] = {"章", TX("this-department", "貴部署"), TX("organisation", "組織全体"), "差", "回答 / 対象",
                           TX("negative-short", "否定的回答")};
    double w[] = {71, 18, 20, 15, 30, 20};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *t = tk_rp_table(p, 6, w, heads, al);
    for (size_t i = 0; i < n; i++) {
        const tk_tally *tt = &rp->dept_chapter[d * nc + ci[i]];
        double mine = tk_tally_score(tt), all = tk_tally_score(&rp->by_chapter[ci[i]].tally);
        const char *cells[6] = {labels[i],
                                tk_rp_f1(a, mine),
                                tk_rp_f1(a, all),
                                tk_rp_delta(a, mine, all),
                                tk_arena_printf(a, "%zu / %zu", tt->answered, tk_tally_applicable(tt)),
                                tk_rp_zu(a, tt->negative)};
        tk_pdf_cell_style st[6] = {{0}};
        if (!isnan(mine) && !isnan(all) && tk_round1(mine) < tk_round1(all))
            st[3].color = C_WARN;
        tk_pdf_table_row(t, cells, st);
    }
    tk_pdf_table_end(t);
    tk_rp_note(p, "差は貴部署の得点から組織全体の得点を引いたもので、組織全体より低い章を朱色で示しています。");
}

/* Department d's plans, strings in a (tk_report_plans). */
typedef struct plan_list {
    tk_arena *a;
    tk_report_plan *v;
    size_t n, cap;
} plan_list;

static int keep_plan(void *user, const tk_report_plan *p)
{
    plan_list *l = user;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        tk_report_plan *nv = tk_arena_alloc(l->a, l->cap * sizeof *nv);
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
    }
    tk_report_plan *o = &l->v[l->n++];
    *o = *p;
    o->finding = p->finding ? tk_arena_strdup(l->a, p->finding) : NULL;
    o->item_id = tk_arena_strdup(l->a, p->item_id);
    o->origin = tk_arena_strdup(l->a, p->origin);
    o->content = tk_arena_strdup(l->a, p->content);
    o->owner = tk_arena_strdup(l->a, p->owner);
    o->due = p->due ? tk_arena_strdup(l->a, p->due) : NULL;
    return 0;
}

/* Per cell, its plan (index into plans, -1): the last plan of its item,
 * on the last cell of that item (a department holds an item once). */
static long *plans_of_cells(const tk_results *r, const tk_res_cell *cells, size_t n, const plan_list *pl, tk_arena *a)
{
    long *pos = tk_arena_alloc(a, (r->nitems ? r->nitems : 1) * sizeof *pos);
    long *of = tk_arena_alloc(a, (n ? n : 1) * sizeof *of);
    for (size_t k = 0; k < r->nitems; k++)
        pos[k] = -1;
    for (size_t c = 0; c < n; c++) {
        pos[cells[c].item] = (long)c;
        of[c] = -1;
    }
    for (size_t i = 0; i < pl->n; i++)
        if (pl->v[i].item >= 0 && pos[pl->v[i].item] >= 0)
            of[pos[pl->v[i].item]] = (long)i;
    return of;
}

static int dept_items(tk_pdf *p, const tk_report *rp, tk_store *st, size_t d, tk_arena *a, int *sec, tk_diags *diags)
{
    const tk_results *r = rp->r;
    tk_res_cell *dc;
    long ncells = tk_report_dept_cells(rp, st, d, a, &dc, diags);
    plan_list plans = {.a = a};
    if (ncells < 0 || tk_report_plans(rp, st, (long)d, keep_plan, &plans, diags) != 0)
        return -1;
    long *cell_plan = plans_of_cells(r, dc, (size_t)ncells, &plans, a);
    size_t from = 0, to = (size_t)ncells;
    /* negative answers and their plans */
    size_t nneg = 0, nflag = 0, nun = 0;
    for (size_t c = from; c < to; c++) {
        const tk_res_cell *cl = &dc[c];
        nneg += cl->answer >= 0 && r->answers[cl->answer].negative;
        nflag += cl->flag != NULL;
        nun += cl->answer < 0;
    }
    tk_rp_heading(p, a, sec, TX("dept-negative", "否定的な回答の項目と改善計画"));
    if (!nneg) {
        tk_pdf_paragraph(p, tk_arena_printf(a, "%sはありませんでした。", TX("negative", "否定的な回答")), NULL);
    } else {
        tk_pdf_paragraph(p,
                         tk_arena_printf(a,
                                         "%s%s %zu 項目と、その改善計画です。完了予定日までに改善し、"
                                         "状況を翌年度の点検票で報告してください。",
                                         TX("negative", "否定的な回答"), TX("negative-did", "をした"), nneg),
                         &(tk_pdf_style){.first_indent = true});
        const char *heads[] = {"該当条項", "点検項目", "回答", "改善計画", "担当者・完了予定日・状況"};
        fitted t = {.ncols = 5};
        for (size_t c = from; c < to; c++) {
            const tk_res_cell *cl = &dc[c];
            if (cl->answer < 0 || !r->answers[cl->answer].negative)
                continue;
            const tk_res_item *it = &r->items[cl->item];
            long pi = cell_plan[c];
            const tk_report_plan *pl = pi >= 0 ? &plans.v[pi] : NULL;
            const char *content = pl ? pl->content : cl->plan;
            const char *owner = pl ? pl->owner : cl->owner;
            const char *due = pl ? pl->due : cl->due;
            tk_buf pb;
            tk_buf_init(&pb);
            if (cl->finding && *cl->finding)
                tk_buf_printf(&pb, "指摘：%s\n", cl->finding);
            tk_buf_puts(&pb, content && *content ? content : "（未記入）");
            tk_buf ob;
            tk_buf_init(&ob);
            if (owner && *owner)
                tk_buf_printf(&ob, "%s\n", owner);
            if (due && *due)
                tk_buf_printf(&ob, "%s\n", tk_rp_short_date(a, due));
            if (pl) {
                tk_buf_puts(&ob, tk_plan_status_label(pl->status));
                if (pl->days_overdue > 0)
                    tk_buf_printf(&ob, "（%d 日超過）", pl->days_overdue);
            }
            const char *cells[5] = {it->ref, tk_rp_item_cell(a, it), r->answers[cl->answer].value,
                                    tk_arena_strdup(a, pb.data ? pb.data : ""), tk_arena_strdup(a, ob.data ? ob.data : "")};
            tk_buf_free(&pb);
            tk_buf_free(&ob);
            tk_pdf_cell_style st[5] = {{0}};
            if (!(content && *content))
                st[3] = (tk_pdf_cell_style){.fill = C_WARN_FILL, .color = C_WARN};
            if (pl && pl->days_overdue > 0)
                st[4].color = C_WARN;
            fitted_row(&t, a, cells, st);
        }
        fitted_draw(p, &t, heads, a);
    }

    tk_rp_heading(p, a, sec, TX("dept-flagged", "要対応の項目"));
    if (!nflag) {
        tk_pdf_paragraph(p, "要対応の項目はありません。", NULL);
    } else {
        tk_pdf_paragraph(p,
                         tk_arena_printf(a, "点検票の記入が足りない %zu 項目です。記入して再提出してください。", nflag),
                         &(tk_pdf_style){.first_indent = true});
        const char *heads[] = {"該当条項", "点検項目", "回答", "要対応の内容"};
        fitted t = {.ncols = 4};
        for (size_t c = from; c < to; c++) {
            const tk_res_cell *cl = &dc[c];
            if (!cl->flag)
                continue;
            const tk_res_item *it = &r->items[cl->item];
            const char *cells[4] = {it->ref, tk_rp_item_cell(a, it), cl->answer >= 0 ? r->answers[cl->answer].value : "",
                                    flag_text(cl->flag)};
            tk_pdf_cell_style st[4] = {{0}};
            st[3].color = C_WARN;
            fitted_row(&t, a, cells, st);
        }
        fitted_draw(p, &t, heads, a);
    }

    tk_rp_heading(p, a, sec, TX("dept-unanswered", "未回答の項目"));
    if (!nun) {
        tk_pdf_paragraph(p, "未回答の項目はありません。", NULL);
    } else {
        tk_pdf_paragraph(p, tk_arena_printf(a, "回答のなかった %zu 項目です。回答して再提出してください。", nun),
                         &(tk_pdf_style){.first_indent = true});
        const char *heads[] = {"該当条項", "点検項目"};
        fitted t = {.ncols = 2};
        for (size_t c = from; c < to; c++) {
            const tk_res_cell *cl = &dc[c];
            if (cl->answer >= 0)
                continue;
            const tk_res_item *it = &r->items[cl->item];
            const char *cells[2] = {it->ref, tk_rp_item_cell(a, it)};
            fitted_row(&t, a, cells, NULL);
        }
        fitted_draw(p, &t, heads, a);
    }

    /* plans from earlier years this department has not closed yet */
    size_t ncarry = 0;
    for (size_t i = 0; i < rp->ncplans; i++)
        ncarry += !strcmp(rp->cplans[i].dept_code, r->depts[d].code);
    if (ncarry) {
        tk_rp_heading(p, a, sec, TX("dept-carried", "前年度以前からの未完了の改善計画"));
        tk_pdf_paragraph(p,
                         tk_arena_printf(a, "前年度以前の点検で立て、まだ完了していない改善計画が %zu 件あります。進捗を改善計画の進捗確認票で報告してください。",
                                         ncarry),
                         &(tk_pdf_style){.first_indent = true});
        const char *heads[] = {"年度", "該当条項", "改善内容", "担当者・完了予定日・状況"};
        fitted t = {.ncols = 4};
        for (size_t i = 0; i < rp->ncplans; i++) {
            const struct tk_report_carried_plan *c = &rp->cplans[i];
            if (strcmp(c->dept_code, r->depts[d].code))
                continue;
            const char *state = tk_plan_status_label((enum tk_plan_status)c->status);
            const char *who = tk_arena_printf(a, "%s%s%s%s%s", *c->owner ? c->owner : "", *c->owner ? "\n" : "",
                                              c->due ? c->due : "期限なし",
                                              c->days_overdue ? tk_arena_printf(a, "（%d 日超過）", c->days_overdue) : "",
                                              tk_arena_printf(a, "\n%s", state));
            const char *cells[4] = {tk_arena_printf(a, "%d", c->year), c->ref, c->content, who};
            tk_pdf_cell_style st[4] = {{0}};
            if (c->days_overdue)
                st[3].color = C_WARN;
            fitted_row(&t, a, cells, st);
        }
        fitted_draw(p, &t, heads, a);
    }
    return 0;
}

static tk_pdf *department_pdf(const tk_report *rp, tk_store *st, size_t d, const tk_pdf_font *font, tk_diags *diags)
{
    const tk_results *r = rp->r;
    const tk_res_department *dep = &r->depts[d];
    tk_arena *a = tk_arena_new();
    const char *title = tk_report_title(rp, a, rp->title_department, (long)d);
    tk_pdf_opts o = {.title = title,
                     .author = r->org_name,
                     .mark = rp->classification,
                     .header_left = tk_arena_printf(a, "%s　%s", r->org_name, title),
                     .font = font};
    tk_pdf *p = tk_pdf_new(&o, diags);
    if (!p) {
        tk_arena_free(a);
        return NULL;
    }
    tk_pdf_heading(p, 1, title);
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_printf(&s, "%s%s（部署コード %s）の%s%sの結果をお知らせします。", r->org_name, dep->name, dep->code,
                  rp->fy_wareki, rp->kind_name);
    if (dep->returned_at)
        tk_buf_printf(&s, "提出日：%s。", tk_rp_stamp_date(a, dep->returned_at));
    tk_buf_printf(&s, "作成日：%s。", rp->date_both);
    tk_pdf_paragraph(p, s.data, &(tk_pdf_style){.align = TK_PDF_ALIGN_LEFT});
    tk_buf_free(&s);
    int sec = 0;
    if (!dep->returned_at) {
        tk_date dl;
        char b[TK_DATE_BOTH_SIZE];
        bool has = r->deadline && *r->deadline && tk_date_parse(r->deadline, &dl);
        tk_pdf_paragraph(p,
                         tk_arena_printf(a,
                                         "点検票（%zu 項目）の提出を確認できていません%s%s%s。提出されたあとに結果をお知らせします。",
                                         r->dept_tally[d].issued, has ? "（提出期限：" : "",
                                         has ? tk_date_both(dl, b, sizeof b) : "", has ? "）" : ""),
                         &(tk_pdf_style){.color = C_WARN});
    } else {
        dept_summary(p, rp, d, a, &sec);
        dept_chapters(p, rp, d, a, &sec);
        if (dept_items(p, rp, st, d, a, &sec, diags) != 0) {
            tk_pdf_free(p);
            p = NULL;
        }
    }
    tk_arena_free(a);
    return p;
}

tk_pdf *tk_report_department_pdf(const tk_report *rp, tk_store *st, size_t d, tk_diags *diags)
{
    return department_pdf(rp, st, d, rp->font, diags);
}

char *tk_report_department_file(tk_arena *a, const tk_report *rp, size_t d)
{
    const tk_res_department *dep = &rp->r->depts[d];
    char *s = tk_arena_printf(a, "%s_%s.pdf", dep->code, dep->name);
    for (char *q = s; *q; q++)
        if ((unsigned char)*q < 0x20 || strchr("/\\:*?\"<>|", *q))
            *q = '_';
    return s;
}

static bool wanted(const tk_res_department *dep, const char *const *only, size_t nonly)
{
    if (!nonly)
        return true;
    for (size_t i = 0; i < nonly; i++)
        if (!strcmp(only[i], dep->code) || !strcmp(only[i], dep->name))
            return true;
    return false;
}

/* Department which[i]'s report, for tk_rp_write_pdfs. */
typedef struct dept_docs {
    const tk_report *rp;
    const tk_pdf_font *font;
    const size_t *which;
} dept_docs;

static tk_pdf *dept_doc(void *user, tk_store *st, size_t i, tk_diags *d)
{
    const dept_docs *x = user;
    return department_pdf(x->rp, st, x->which[i], x->font, d);
}

int tk_report_write_departments(const tk_report *rp, const char *db, const char *dir, const char *const *only,
                                size_t nonly, int jobs, bool force, size_t *written, tk_diags *d)
{
    const tk_results *r = rp->r;
    *written = 0;
    /* every --department must name a department that was issued a workbook */
    int rc = 0;
    for (size_t i = 0; i < nonly; i++) {
        bool found = false;
        for (size_t k = 0; k < rp->nby_dept && !found; k++) {
            const tk_res_department *dep = &r->depts[rp->by_dept[k].index];
            found = !strcmp(only[i], dep->code) || !strcmp(only[i], dep->name);
        }
        if (!found) {
            tk_diag_error(d, NULL, 0, "部署「%s」はこの点検で点検票を配布した部署にありません (部署コードまたは部署名で指定してください)",
                          only[i]);
            rc = -1;
        }
    }
    if (rc)
        return TK_EXIT_INPUT;
    tk_arena *a = tk_arena_new();
    size_t n = 0, exist = 0;
    char **paths = tk_arena_alloc(a, (rp->nby_dept ? rp->nby_dept : 1) * sizeof *paths);
    size_t *which = tk_arena_alloc(a, (rp->nby_dept ? rp->nby_dept : 1) * sizeof *which);
    for (size_t k = 0; k < rp->nby_dept; k++) {
        size_t dd = rp->by_dept[k].index;
        if (!wanted(&r->depts[dd], only, nonly))
            continue;
        paths[n] = tk_path_join(a, dir, tk_report_department_file(a, rp, dd));
        which[n] = dd;
        if (!force && tk_file_exists(paths[n]) && exist++ < 3)
            tk_diag_error(d, paths[n], 0, "ファイルが既にあります。上書きするには --force を指定してください");
        n++;
    }
    if (exist > 3)
        tk_diag_error(d, dir, 0, "ほかにも %zu 個のファイルが既にあります", exist - 3);
    if (exist) {
        tk_arena_free(a);
        return TK_EXIT_INPUT;
    }
    if (tk_mkdirs(dir) != 0) {
        tk_diag_error(d, dir, 0, "フォルダを作れません: %s", strerror(errno));
        tk_arena_free(a);
        return TK_EXIT_FAILURE;
    }
    /* one font for all the documents: parsing it is most of a small report */
    tk_pdf_font *own = NULL;
    const tk_pdf_font *font = rp->font;
    if (!font && n) {
        font = own = tk_pdf_font_open(NULL, d);
        if (!own) {
            tk_arena_free(a);
            return TK_EXIT_FAILURE;
        }
    }
    size_t *cost = tk_arena_alloc(a, (n ? n : 1) * sizeof *cost);
    for (size_t i = 0; i < n; i++)
        cost[i] = r->dept_tally[which[i]].issued;
    dept_docs x = {rp, font, which};
    rc = tk_rp_write_pdfs(db, n, paths, cost, jobs, force, dept_doc, &x, "部署別の報告書", written, d);
    tk_pdf_font_free(own);
    tk_arena_free(a);
    return rc;
}
