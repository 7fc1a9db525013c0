/* report_staff.c — the committee report's staff self-check section. */
#include "tenken/report_staff.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/score.h"
#include "tenken/staff.h"
#include "tenken/util.h"

/* Items listed as the most often not followed. */
#define STAFF_WORST_ITEMS 10

struct tk_report_staff {
    tk_results *r;
    tk_staff_rate *depts, *items, total;
    size_t ndepts, nitems;
    const char *flag_values; /* 「わからない」… the answers that raise a flag */
    tk_arena *a;
};

int tk_report_staff_load(tk_store *st, const char *org, int year, tk_report_staff **out, tk_diags *d)
{
    *out = NULL;
    tk_results *r = NULL;
    int found = tk_results_load(st, org, year, "staff", &r, d);
    if (found <= 0)
        return found;
    tk_report_staff *s = tk_xcalloc(1, sizeof *s);
    s->r = r;
    s->a = tk_arena_new();
    if (tk_staff_rates(st, r, &s->depts, &s->ndepts, &s->items, &s->nitems, &s->total, d) != 0) {
        tk_report_staff_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void tk_report_staff_free(tk_report_staff *s)
{
    if (!s)
        return;
    tk_results_free(s->r);
    free(s->depts);
    free(s->items);
    tk_arena_free(s->a);
    free(s);
}

static int by_followed_asc(const void *x, const void *y)
{
    const tk_staff_rate *a = x, *b = y;
    double fa = tk_round1(tk_staff_rate_followed(a)), fb = tk_round1(tk_staff_rate_followed(b));
    if (fa != fb)
        return fa < fb ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void summary(tk_pdf *p, const tk_report_staff *s, tk_arena *a)
{
    const tk_staff_rate *t = &s->total;
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_printf(&b,
                  "職員一人ひとりが自らの取組を点検する職員セルフチェックを、職員 %zu 人に配布し、%zu 人が回答しました（回答率 %s%%）。"
                  "回答された %zu 件のうち、定められたとおり実施しているとの回答の割合（実施率）は %s%% です。",
                  t->people, t->answered, tk_rp_f1(a, tk_staff_rate_answered(t)), t->scored, tk_rp_f1(a, tk_staff_rate_followed(t)));
    const tk_results *r = s->r;
    bool first = true;
    for (size_t i = 0; i < r->nanswers; i++)
        if (r->answers[i].negative && !r->answers[i].excluded) {
            tk_buf_printf(&b, "%s「%s」", first ? "実施率には" : "・", r->answers[i].value);
            first = false;
        }
    if (!first)
        tk_buf_puts(&b, "の回答を含めていません。");
    if (t->flagged)
        tk_buf_printf(&b, "研修が必要な回答（要研修）は %zu 件です。", t->flagged);
    tk_pdf_paragraph(p, b.data, &(tk_pdf_style){.first_indent = true});
    tk_buf_free(&b);
}

static void departments(tk_pdf *p, const tk_report_staff *s, tk_arena *a)
{
    tk_pdf_heading(p, 2, "部署別の回答率と実施率");
    const char *heads[] = {"部署", "職員数", "回答", "回答率\n（%）", "実施率\n（%）", "要研修"};
    double w[] = {62, 20, 20, 24, 24, 24};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *t = tk_rp_table(p, 6, w, heads, al);
    for (size_t i = 0; i <= s->ndepts; i++) {
        const tk_staff_rate *d = i < s->ndepts ? &s->depts[i] : &s->total;
        const char *cells[6] = {d->label,
                                tk_rp_zu(a, d->people),
                                tk_rp_zu(a, d->answered),
                                tk_rp_f1(a, tk_staff_rate_answered(d)),
                                tk_rp_f1(a, tk_staff_rate_followed(d)),
                                tk_rp_zu(a, d->flagged)};
        tk_pdf_table_row(t, cells, NULL);
    }
    tk_pdf_table_end(t);
}

static void worst_items(tk_pdf *p, const tk_report_staff *s, tk_arena *a)
{
    tk_staff_rate *v = tk_xcalloc(s->nitems ? s->nitems : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].scored && s->items[i].positive < s->items[i].scored)
            v[n++] = s->items[i];
    qsort(v, n, sizeof *v, by_followed_asc);
    if (n > STAFF_WORST_ITEMS)
        n = STAFF_WORST_ITEMS;
    tk_pdf_heading(p, 2, "守られていないことの多い項目");
    tk_pdf_paragraph(p,
                     tk_arena_printf(a, "実施率の低い順に %zu 項目を示します。研修や注意喚起で重点的に取り上げることを検討してください。", n),
                     &(tk_pdf_style){.first_indent = true});
    if (n) {
        const char *heads[] = {"順位", "該当条項", "点検項目", "実施率\n（%）", "回答", "要研修"};
        double w[] = {11, 25, 94, 17, 14, 13};
        tk_pdf_align al[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_LEFT,
                             TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = tk_rp_table(p, 6, w, heads, al);
        size_t rank = 0;
        double last = NAN;
        for (size_t i = 0; i < n; i++) {
            const tk_res_item *it = &s->r->items[v[i].index];
            double f = tk_round1(tk_staff_rate_followed(&v[i]));
            if (isnan(last) || f != last)
                rank = i + 1;
            last = f;
            const char *cells[6] = {tk_rp_zu(a, rank),      it->ref, tk_rp_clip(a, it->text, 90), tk_rp_f1(a, f),
                                    tk_rp_zu(a, v[i].scored), tk_rp_zu(a, v[i].flagged)};
            tk_pdf_table_row(t, cells, NULL);
        }
        tk_pdf_table_end(t);
    }
    free(v);
}

static void all_items(tk_pdf *p, const tk_report_staff *s, tk_arena *a)
{
    tk_pdf_heading(p, 2, "項目別の実施率");
    const char *heads[] = {"該当条項", "点検項目", "対象", "回答", "実施率\n（%）", "要研修"};
    double w[] = {25, 100, 14, 14, 17, 13};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *t = tk_rp_table(p, 6, w, heads, al);
    for (size_t i = 0; i < s->nitems; i++) {
        const tk_staff_rate *it = &s->items[i];
        const tk_res_item *ri = &s->r->items[it->index];
        const char *cells[6] = {ri->ref,
                                tk_rp_clip(a, ri->text, 60),
                                tk_rp_zu(a, it->people),
                                tk_rp_zu(a, it->answered),
                                tk_rp_f1(a, tk_staff_rate_followed(it)),
                                tk_rp_zu(a, it->flagged)};
        tk_pdf_table_row(t, cells, NULL);
    }
    tk_pdf_table_end(t);
}

void tk_report_staff_section(tk_pdf *p, const tk_report_staff *s, int *sec)
{
    if (!s)
        return;
    tk_arena *a = tk_arena_new();
    tk_rp_heading(p, a, sec, "職員セルフチェック");
    summary(p, s, a);
    departments(p, s, a);
    worst_items(p, s, a);
    all_items(p, s, a);
    tk_arena_free(a);
}
