/* report_committee_comment.c — the committee report's 総評: a few sentences
 * of judgement drafted from the figures (the overall level and its change
 * from last year, the chapters below the whole, the departments below the
 * threshold, the cross-cutting issues, the state of earlier years' plans),
 * each sentence the template's own wording (<report><text
 * key="comment-…">), replaced or extended by the secretariat's text kept
 * with the campaign (report_comment.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/score.h"

/* How many of the weakest chapters the 総評 names. */
#define COMMENT_CHAPTERS 3
/* How many department names a sentence spells out before "ほか N 部署". */
#define COMMENT_DEPARTMENTS 6

/* The placeholder line of the secretariat's text that takes the draft. */
#define DRAFT_MARK "{原案}"

/* "総務課、税務課ほか 3 部署" from department indices. */
static const char *dept_names(const tk_report *rp, tk_arena *a, const size_t *d, size_t n)
{
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < n && i < COMMENT_DEPARTMENTS; i++)
        tk_buf_printf(&b, "%s%s", i ? "、" : "", rp->r->depts[d[i]].name);
    if (n > COMMENT_DEPARTMENTS)
        tk_buf_printf(&b, "ほか %zu 部署", n - COMMENT_DEPARTMENTS);
    const char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

static void put(tk_buf *b, const char *sentence)
{
    if (sentence && *sentence)
        tk_buf_puts(b, sentence);
}

/* The level and its change, and the departments that did not answer. */
static void draft_level(const tk_report *rp, tk_arena *a, tk_buf *b)
{
    double sc = tk_tally_score(&rp->total), ps = rp->prev_has ? tk_rp_prev_score(&rp->prev_total) : NAN;
    double ch = isnan(ps) || isnan(sc) ? NAN : tk_round1(sc) - tk_round1(ps);
    const char *key = isnan(ch) ? "comment-overall-first"
                      : fabs(ch) < 0.05 ? "comment-overall-same"
                      : ch > 0          ? "comment-overall-up"
                                        : "comment-overall-down";
    const char *band = tk_report_band(rp, sc);
    tk_tpl_var v[] = {{"score", tk_rp_f1(a, sc)},
                      {"band", *band ? band : "—"},
                      {"previous-score", tk_rp_f1(a, ps)},
                      {"change", isnan(ch) ? "—" : tk_rp_f1(a, fabs(ch))},
                      {"answer-rate", tk_rp_f1(a, tk_tally_answer_rate(&rp->total))}};
    put(b, tk_rp_sentence(rp, a, key, v, sizeof v / sizeof v[0]));
    const tk_results *r = rp->r;
    size_t *miss = tk_xcalloc(r->ndepts ? r->ndepts : 1, sizeof *miss), n = 0;
    for (size_t i = 0; i < r->ndepts; i++)
        if (r->depts[i].issued && !r->depts[i].returned_at)
            miss[n++] = i;
    if (n) {
        tk_tpl_var u[] = {{"count", tk_rp_zu(a, n)}, {"departments", dept_names(rp, a, miss, n)}};
        put(b, tk_rp_sentence(rp, a, "comment-unreturned", u, 2));
    }
    free(miss);
}

/* The weakest chapters (below the whole), the departments below the
 * threshold and the cross-cutting issues. */
static void draft_weak(const tk_report *rp, tk_arena *a, tk_buf *b)
{
    double all = tk_round1(tk_tally_score(&rp->total));
    size_t nc;
    size_t *cs = tk_rp_chapters_by_score(rp, &nc);
    tk_buf ch;
    tk_buf_init(&ch);
    for (size_t i = 0, k = 0; i < nc && k < COMMENT_CHAPTERS && nc > 1; i++) {
        double s = tk_round1(tk_tally_score(&rp->by_chapter[cs[i]].tally));
        if (!(s < all))
            break;
        tk_buf_printf(&ch, "%s「%s」（%s）", k++ ? "、" : "", rp->by_chapter[cs[i]].label, tk_rp_f1(a, s));
    }
    free(cs);
    if (ch.len) {
        tk_tpl_var v[] = {{"chapters", tk_arena_strdup(a, ch.data)}};
        put(b, tk_rp_sentence(rp, a, "comment-weak-chapters", v, 1));
    }
    tk_buf_free(&ch);

    double low = tk_rp_low_threshold(rp);
    if (low > 0) {
        size_t n;
        size_t *order = tk_rp_depts_by_score(rp, &n), *below = tk_xcalloc(n ? n : 1, sizeof *below), m = 0;
        for (size_t i = n; i-- > 0;) { /* lowest first */
            double s = tk_round1(tk_rp_dept_score(rp, order[i]));
            if (!isnan(s) && s < low)
                below[m++] = order[i];
        }
        tk_tpl_var v[] = {{"threshold", tk_rp_f1(a, low)},
                          {"count", tk_rp_zu(a, m)},
                          {"departments", dept_names(rp, a, below, m)}};
        put(b, tk_rp_sentence(rp, a, m ? "comment-departments-below" : "comment-departments-below-none", v, 3));
        free(order);
        free(below);
    }

    size_t cross = 0;
    for (size_t k = 0; k < rp->r->nitems; k++)
        cross += tk_report_cross_cutting(rp, k, NULL, NULL);
    if (cross) {
        tk_tpl_var v[] = {{"count", tk_rp_zu(a, cross)}, {"label", rp->cross_label}};
        put(b, tk_rp_sentence(rp, a, "comment-cross-cutting", v, 2));
    }
}

/* Earlier years' plans: how many are still open, how many overdue. */
static void draft_plans(const tk_report *rp, tk_arena *a, tk_buf *b)
{
    size_t total = 0, open = 0, late = 0;
    for (size_t i = 0; i < rp->ncarried; i++) {
        total += rp->carried[i].total;
        open += rp->carried[i].open;
        late += rp->carried[i].overdue;
    }
    tk_tpl_var v[] = {{"total", tk_rp_zu(a, total)}, {"open", tk_rp_zu(a, open)}, {"overdue", tk_rp_zu(a, late)}};
    const char *key = !total ? "comment-previous-plans-none" : open ? "comment-previous-plans" : "comment-previous-plans-done";
    put(b, tk_rp_sentence(rp, a, key, v, 3));
}

const char *tk_report_comment_draft(const tk_report *rp, tk_arena *a)
{
    tk_buf b;
    tk_buf_init(&b);
    /* one paragraph each: the level, what is weak, last year's plans */
    void (*const parts[])(const tk_report *, tk_arena *, tk_buf *) = {draft_level, draft_weak, draft_plans};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t before = b.len;
        if (before)
            tk_buf_putc(&b, '\n');
        size_t mark = b.len;
        parts[i](rp, a, &b);
        if (b.len == mark) { /* nothing said: no empty paragraph */
            b.len = before;
            if (b.data)
                b.data[before] = 0;
        }
    }
    const char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

const char *tk_report_comment_text(const tk_report *rp, tk_arena *a)
{
    const char *draft = tk_report_comment_draft(rp, a);
    if (!rp->comment)
        return draft;
    /* the secretariat's text, with the draft where it asks for it */
    tk_buf b;
    tk_buf_init(&b);
    const char *p = rp->comment, *m;
    while ((m = strstr(p, DRAFT_MARK)) != NULL) {
        tk_buf_append(&b, p, (size_t)(m - p));
        tk_buf_puts(&b, draft);
        p = m + strlen(DRAFT_MARK);
    }
    tk_buf_puts(&b, p);
    const char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

void tk_rp_committee_comment(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const char *text = tk_report_comment_text(rp, a);
    if (!*text)
        return;
    tk_rp_heading(p, a, sec, TX("comment", "総評"));
    /* a paragraph per line of the text; blank lines are only spacing */
    const char *q = text;
    while (*q) {
        const char *e = strchr(q, '\n');
        size_t n = e ? (size_t)(e - q) : strlen(q);
        if (n)
            tk_pdf_paragraph(p, tk_arena_strndup(a, q, n), &(tk_pdf_style){.first_indent = true, .space_after_mm = 1});
        q += n + (e != NULL);
    }
    if (!rp->comment)
        tk_rp_note(p, "この総評は数値から作った原案です。事務局の文章に替えるには tenken report committee --comment FILE を使います。");
}
