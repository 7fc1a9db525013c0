/* report_committee_overview.c — the committee report's 点検の概要: why the
 * round was made (目的) and on what authority (根拠: the policy's own clause
 * that orders it, found among the campaign's items by its ref), whom it
 * covered (対象), when (実施期間: issued, deadline, collected), who runs it
 * (実施体制: the roles of the template's list with the departments that
 * held them when the workbooks were issued, their names from org.xml) and
 * how (方法). Sentences are the template's (<report><text key="overview-…">). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/checklist.h"
#include "tenken/text.h"
#include "tenken/xmlutil.h"

/* Department names spelled out in 対象 before "ほか N 部署". */
#define OVERVIEW_DEPARTMENTS 40

/* Does the match form of s contain the match form of word? */
static bool norm_has(const char *s, const char *word)
{
    char *a = tk_text_norm_dup(s ? s : ""), *b = tk_text_norm_dup(word);
    bool yes = *b && strstr(a, b) != NULL;
    free(a);
    free(b);
    return yes;
}

/* The item that orders this kind of round: its text names the kind
 * (自己点検, 監査) and its chapter one of the template's words (評価,
 * 見直し); failing that, the first item that names the kind. -1 when none. */
static long basis_item(const tk_report *rp)
{
    const tk_results *r = rp->r;
    const char *words = tk_report_text(rp, "overview-basis-words", "");
    long any = -1;
    for (size_t k = 0; k < r->nitems; k++) {
        const tk_res_item *it = &r->items[k];
        if (!norm_has(it->text, rp->kind_name))
            continue;
        if (any < 0)
            any = (long)k;
        const char *p = words, *w;
        size_t len;
        while (tk_word_next(&p, &w, &len)) {
            char buf[128];
            snprintf(buf, sizeof buf, "%.*s", (int)(len < 127 ? len : 127), w);
            if (norm_has(it->chapter, buf))
                return (long)k;
        }
    }
    return any;
}

/* The date of a stored timestamp as 和暦（西暦）, "—" when none. */
static const char *when(tk_arena *a, const char *stamp)
{
    const char *s = stamp ? tk_rp_stamp_date(a, stamp) : "";
    return *s ? s : "—";
}

/* 実施体制: a line per role of the template's list that some department
 * held, with the role's name from org.xml when it can be read. */
static const char *structure(const tk_report *rp, tk_arena *a)
{
    const tk_results *r = rp->r;
    tk_diags quiet;
    tk_diags_init(&quiet);
    const char *dir = tk_org_dir(a, r->org);
    tk_org *org = dir ? tk_org_load(tk_path_join(a, dir, "org.xml"), tk_data_path(a, "checklists"), &quiet) : NULL;
    tk_diags_free(&quiet);
    tk_buf b;
    tk_buf_init(&b);
    const char *p = tk_report_text(rp, "overview-roles", ""), *w;
    const char *sec_role = tk_report_text(rp, "overview-secretariat-role", NULL);
    size_t len;
    while (tk_word_next(&p, &w, &len)) {
        char *role = tk_arena_strndup(a, w, len);
        tk_buf who;
        tk_buf_init(&who);
        for (size_t i = 0; i < r->ndepts; i++) {
            const char *q = rp->dept_roles[i], *x;
            size_t n;
            while (tk_word_next(&q, &x, &n))
                if (n == len && !memcmp(x, w, n)) {
                    tk_buf_printf(&who, "%s%s", who.len ? "、" : "", r->depts[i].name);
                    break;
                }
        }
        const tk_role *ro = org ? tk_org_role(org, role) : NULL;
        if (who.len)
            tk_buf_printf(&b, "%s%s（%s）", b.len ? "\n" : "", ro && ro->name ? ro->name : role, who.data);
        if (who.len && sec_role && !strcmp(sec_role, role))
            tk_buf_printf(&b, "\n事務局：%s（%sの所属）", who.data, role);
        tk_buf_free(&who);
    }
    tk_org_free(org);
    const char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

void tk_rp_committee_overview(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    tk_rp_heading(p, a, sec, TX("overview", "点検の概要"));
    const char *heads[] = {"項目", "内容"};
    double w[] = {26, 148};
    tk_pdf_table *t = tk_rp_table(p, 2, w, heads, NULL);

    tk_tpl_var base[] = {{"org", r->org_name}, {"kind", rp->kind_name}, {"fiscal-year", rp->fy_wareki}};
    const char *purpose = tk_rp_sentence(rp, a, "overview-purpose", base, 3);
    if (purpose)
        tk_pdf_table_row(t, (const char *[]){"目的", purpose}, NULL);

    long bk = basis_item(rp);
    if (bk >= 0) {
        const tk_res_item *it = &r->items[bk];
        tk_tpl_var v[] = {{"org", r->org_name}, {"ref", it->ref}, {"clause", tk_rp_clip(a, it->text, 120)}};
        const char *basis = tk_rp_sentence(rp, a, "overview-basis", v, 3);
        tk_pdf_table_row(t, (const char *[]){"根拠", basis ? basis : it->ref}, NULL);
    } else {
        tk_pdf_table_row(t, (const char *[]){"根拠", "ポリシーの点検項目に、この点検の実施を定めた条項が見つかりませんでした。"},
                         (const tk_pdf_cell_style[]){{0}, {.color = C_WARN}});
    }

    /* 対象: the departments issued a workbook, and the items */
    tk_buf b;
    tk_buf_init(&b);
    size_t issued = tk_report_issued(rp), shown = 0;
    tk_buf_printf(&b, "%zu 部署、点検項目 %zu 項目（配布した項目の延べ数 %zu）\n", issued, r->nitems, r->total.issued);
    for (size_t i = 0; i < r->ndepts; i++)
        if (r->depts[i].issued && shown++ < OVERVIEW_DEPARTMENTS)
            tk_buf_printf(&b, "%s%s", shown > 1 ? "、" : "", r->depts[i].name);
    if (shown > OVERVIEW_DEPARTMENTS)
        tk_buf_printf(&b, "ほか %zu 部署", shown - OVERVIEW_DEPARTMENTS);
    tk_pdf_table_row(t, (const char *[]){"対象", tk_arena_strdup(a, b.data ? b.data : "")}, NULL);
    tk_buf_free(&b);

    /* 実施期間: issued, the deadline, the first and last workbook returned */
    const char *first = NULL, *last = NULL;
    for (size_t i = 0; i < r->ndepts; i++) {
        const char *at = r->depts[i].issued ? r->depts[i].returned_at : NULL;
        if (!at)
            continue;
        if (!first || strcmp(at, first) < 0)
            first = at;
        if (!last || strcmp(at, last) > 0)
            last = at;
    }
    tk_date dl;
    char both[TK_DATE_BOTH_SIZE];
    const char *deadline =
        r->deadline && *r->deadline && tk_date_parse(r->deadline, &dl) ? tk_date_both(dl, both, sizeof both) : "—";
    const char *period = tk_arena_printf(a, "配布　%s\n提出期限　%s\n回収　%s 〜 %s（%zu / %zu 部署）", when(a, rp->issued_at),
                                         deadline, when(a, first), when(a, last), tk_report_returned(rp), issued);
    tk_pdf_table_row(t, (const char *[]){"実施期間", period}, NULL);

    const char *st = structure(rp, a);
    if (*st)
        tk_pdf_table_row(t, (const char *[]){"実施体制", st}, NULL);

    /* 方法: the items, the scale and how the answers were checked */
    tk_buf sc;
    tk_buf_init(&sc);
    for (size_t i = 0; i < r->nanswers; i++)
        tk_buf_printf(&sc, "「%s」", r->answers[i].value);
    tk_tpl_var mv[] = {{"items", tk_rp_zu(a, r->nitems)},
                       {"scale", tk_arena_strdup(a, sc.data ? sc.data : "")},
                       {"departments", tk_rp_zu(a, issued)},
                       {"kind", rp->kind_name}};
    tk_buf_free(&sc);
    const char *method = tk_rp_sentence(rp, a, "overview-method", mv, 4);
    if (method)
        tk_pdf_table_row(t, (const char *[]){"方法", method}, NULL);
    tk_pdf_table_end(t);
}
