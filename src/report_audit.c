/* report_audit.c — the 監査報告書 and the 監査結果通知 (report_audit.h). */
#include "tenken/report_audit.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/jdate.h"
#include "tenken/score.h"
#include "tenken/text.h"
#include "tenken/util.h"

#define C_WARN TK_PDF_HEX(0xB03A12)
#define C_GREY TK_PDF_HEX(0x4D4D4D)
#define COMMENT_MAX (64u * 1024u)

/* ======================================================================
 * The record
 * ====================================================================== */

static bool keep_good(const tk_good_practice *g, void *user)
{
    tk_audit_record *ar = user;
    tk_arena *a = ar->arena;
    ar->good = tk_xrealloc(ar->good, (ar->ngood + 1) * sizeof *ar->good);
    ar->good[ar->ngood++] = (tk_good_practice){
        .department_code = tk_arena_strdup(a, g->department_code),
        .department_name = tk_arena_strdup(a, g->department_name),
        .ref = tk_arena_strdup(a, g->ref),
        .item_text = tk_arena_strdup(a, g->item_text),
        .grade = tk_arena_strdup(a, g->grade),
        .text = tk_arena_strdup(a, g->text),
    };
    return true;
}

/* 監査の期間: the 監査実施日 written on the covers, first to last; else the
 * campaign's issue to its deadline. */
static const char *audit_period(tk_store *st, const tk_report *rp, tk_arena *a, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT f.value FROM submission_field f JOIN submission s ON s.id = f.submission_id "
                                       "JOIN workbook w ON w.id = s.workbook_id "
                                       "WHERE w.campaign_id = ?1 AND w.revoked_at IS NULL AND s.superseded_by IS NULL "
                                       " AND f.key = 'audit-date'",
                                       d);
    tk_date lo = {0, 0, 0}, hi = {0, 0, 0};
    if (q) {
        sqlite3_bind_int64(q, 1, rp->r->campaign_id);
        while (sqlite3_step(q) == SQLITE_ROW) {
            tk_date x;
            const unsigned char *v = sqlite3_column_text(q, 0);
            if (!v || !tk_date_parse((const char *)v, &x))
                continue;
            if (!lo.y || tk_date_cmp(x, lo) < 0)
                lo = x;
            if (!hi.y || tk_date_cmp(x, hi) > 0)
                hi = x;
        }
        tk_store_done(st, q);
    }
    char b1[TK_DATE_BOTH_SIZE], b2[TK_DATE_BOTH_SIZE];
    if (!lo.y)
        return tk_arena_printf(a, "%s（監査実施日の記録なし）", rp->fy_label);
    if (!tk_date_cmp(lo, hi))
        return tk_arena_strdup(a, tk_date_both(lo, b1, sizeof b1));
    return tk_arena_printf(a, "%s から %s まで", tk_date_both(lo, b1, sizeof b1), tk_date_both(hi, b2, sizeof b2));
}

static const char *campaign_text(tk_store *st, const char *sql, int64_t id, tk_arena *a, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st, sql, d);
    if (!q)
        return NULL;
    sqlite3_bind_int64(q, 1, id);
    const char *v = NULL;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        v = tk_arena_strdup(a, (const char *)sqlite3_column_text(q, 0));
    tk_store_done(st, q);
    return v;
}

int tk_audit_record_load(tk_store *st, const tk_report *rp, tk_audit_record **out, tk_diags *d)
{
    const tk_results *r = rp->r;
    tk_audit_record *ar = tk_xcalloc(1, sizeof *ar);
    ar->st = st;
    ar->arena = tk_arena_new();
    ar->rp = rp;
    *out = NULL;
    int rc = TK_EXIT_FAILURE;
    if (tk_audit_plan_load(st, r->org, r->year, &ar->plan, d) < 0)
        goto fail;
    tk_finding_query q = {.org = r->org, .year = r->year, .status = -1, .today = rp->today};
    if (tk_findings_list(st, &q, &ar->findings, d) != 0)
        goto fail;
    tk_finding_query qe = {.org = r->org, .max_year = r->year - 1, .status = -1, .today = rp->today};
    if (tk_findings_list(st, &qe, &ar->earlier, d) != 0)
        goto fail;
    /* of the earlier findings, those of departments audited this year */
    size_t keep = 0;
    for (size_t i = 0; i < ar->earlier.n; i++) {
        bool audited = false;
        for (size_t k = 0; k < r->ndepts && !audited; k++)
            audited = r->depts[k].issued && !strcmp(r->depts[k].code, ar->earlier.rows[i].department_code);
        if (audited)
            ar->earlier.rows[keep++] = ar->earlier.rows[i];
    }
    ar->earlier.n = keep;
    if (tk_findings_good_practices(st, r->campaign_id, keep_good, ar, d) < 0)
        goto fail;
    /* judgements by grade: the tallies' answer counts */
    size_t na = r->nanswers ? r->nanswers : 1;
    ar->grade_count = tk_arena_alloc(ar->arena, na * sizeof *ar->grade_count);
    memset(ar->grade_count, 0, na * sizeof *ar->grade_count);
    for (size_t k = 0; k < r->ndepts; k++)
        for (size_t g = 0; g < r->nanswers; g++)
            ar->grade_count[g] += r->dept_answer[k * r->nanswers + g];
    for (size_t k = 0; k < r->ndepts; k++)
        ar->audited += r->depts[k].issued;
    ar->period = audit_period(st, rp, ar->arena, d);
    ar->response_deadline = campaign_text(st,
                                          "SELECT fu.deadline FROM campaign c JOIN campaign fu ON fu.org = c.org AND "
                                          "fu.year = c.year AND fu.kind = 'followup' WHERE c.id = ?1",
                                          r->campaign_id, ar->arena, d);
    ar->checklist_hash = campaign_text(st, "SELECT checklist_hash FROM campaign WHERE id = ?1", r->campaign_id, ar->arena, d);
    *out = ar;
    return TK_EXIT_OK;
fail:
    tk_audit_record_free(ar);
    return rc;
}

void tk_audit_record_free(tk_audit_record *ar)
{
    if (!ar)
        return;
    tk_audit_plan_free(ar->plan);
    tk_finding_list_free(&ar->findings);
    tk_finding_list_free(&ar->earlier);
    free(ar->good);
    tk_arena_free(ar->arena);
    free(ar);
}

/* ======================================================================
 * Shared pieces
 * ====================================================================== */

#define TX(key, dflt) tk_report_text(rp, (key), (dflt))

static const char *expand(const tk_report *rp, tk_arena *a, const char *s, long dept)
{
    return tk_report_title(rp, a, s, dept);
}

static tk_pdf *new_doc(const tk_report *rp, tk_arena *a, const char *title, tk_diags *d)
{
    tk_pdf_opts o = {.title = title,
                     .author = rp->r->org_name,
                     .mark = rp->classification,
                     .header_left = tk_arena_printf(a, "%s　%s", rp->r->org_name, title),
                     .font = rp->font};
    return tk_pdf_new(&o, d);
}

static const tk_pdf_style LEFT = {.align = TK_PDF_ALIGN_LEFT};
static const tk_pdf_style BODY = {.first_indent = true};

static bool is_top(const tk_res_answer *an) { return !an->excluded && !an->negative && an->points >= 1.0; }
/* A grade the report lists item by item: a nonconformity (指摘事項) or an
 * observation (scored below full points without being negative). */
static bool is_listed(const tk_res_answer *an) { return !an->excluded && !is_top(an); }

static const char *num(tk_arena *a, size_t n) { return tk_arena_printf(a, "%zu", n); }

/* Cut text to at most n characters (…) for table cells. */
static const char *cut(tk_arena *a, const char *s, size_t n)
{
    if (!s)
        return "";
    if (tk_utf8_count(s) <= n)
        return s;
    const char *p = s, *end = s + strlen(s);
    for (size_t i = 0; i < n && p < end; i++)
        tk_utf8_next(&p, end);
    return tk_arena_printf(a, "%.*s…", (int)(p - s), s);
}

/* Grade counts of department d (or all when d < 0) as a table: 判定, 件数, 点数. */
static void grade_table(tk_pdf *p, const tk_audit_record *ar, long d, tk_arena *a)
{
    const tk_results *r = ar->rp->r;
    static const char *const H[] = {"判定", "件数", "点数", "区分"};
    static const tk_pdf_align AL[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT};
    static const double W[] = {3, 1.2, 1.2, 4};
    tk_pdf_table_opts o = {.align = AL};
    tk_pdf_table *t = tk_pdf_table_begin(p, 4, W, H, &o);
    size_t total = 0;
    for (size_t g = 0; g < r->nanswers; g++) {
        const tk_res_answer *an = &r->answers[g];
        size_t n = d < 0 ? ar->grade_count[g] : r->dept_answer[(size_t)d * r->nanswers + g];
        total += n;
        char pts[16];
        const char *kind = an->excluded ? "監査の対象外（得点に含めない）"
                           : an->negative ? "指摘事項（改善計画が必要）"
                           : is_top(an)   ? "要求事項を満たす"
                                          : "観察事項（改善が望ましい）";
        const char *cells[] = {an->value, num(a, n), an->excluded ? "—" : tk_fmt1(an->points * 100.0, pts), kind};
        tk_pdf_table_row(t, cells, NULL);
    }
    const char *cells[] = {"計", num(a, total), "", ""};
    tk_pdf_table_row(t, cells, NULL);
    tk_pdf_table_end(t);
}

/* One listed row, as the cells stream (tk_results_cells). */
typedef struct listed_walk {
    const tk_results *r;
    tk_pdf_table *t;
    int grade;
    bool with_dept;
    tk_arena *a;
} listed_walk;

static int listed_row(void *user, const tk_res_cell *c)
{
    listed_walk *w = user;
    if (c->answer != w->grade)
        return 0;
    const tk_results *r = w->r;
    const tk_res_item *it = &r->items[c->item];
    const char *dep = tk_arena_printf(w->a, "%s %s", r->depts[c->dept].code, r->depts[c->dept].name);
    const char *row5[] = {dep, it->ref, cut(w->a, it->text, 90), c->finding ? c->finding : "（所見の記載なし）",
                          c->evidence ? c->evidence : ""};
    tk_pdf_table_row(w->t, w->with_dept ? row5 : row5 + 1, NULL);
    return 0;
}

/* The listed grades' rows of department d (or all), grade by grade, read
 * from the database as they are laid out. false when it cannot be read. */
static bool listed_rows(tk_pdf *p, const tk_audit_record *ar, long d, bool negative, int level, tk_arena *a, tk_diags *diags)
{
    const tk_report *rp = ar->rp;
    const tk_results *r = rp->r;
    for (size_t g = 0; g < r->nanswers; g++) {
        const tk_res_answer *an = &r->answers[g];
        if (!is_listed(an) || an->negative != negative)
            continue;
        size_t n = d < 0 ? ar->grade_count[g] : r->dept_answer[(size_t)d * r->nanswers + g];
        tk_pdf_heading(p, level, tk_arena_printf(a, "%s（%zu 件）", an->value, n));
        if (!n) {
            tk_pdf_paragraph(p, TX("audit-findings-none", "監査の手続の範囲で、この判定に該当する事項は認められなかった。"), &LEFT);
            continue;
        }
        static const char *const H[] = {"部署", "該当条項", "監査項目", "所見", "監査証跡"};
        static const double W[] = {2.2, 2.2, 5, 4.4, 3.2};
        static const char *const HD[] = {"該当条項", "監査項目", "所見", "監査証跡"};
        static const double WD[] = {2.4, 6, 5, 3.6};
        tk_pdf_table_opts o = {.size = 8};
        listed_walk w = {r, d < 0 ? tk_pdf_table_begin(p, 5, W, H, &o) : tk_pdf_table_begin(p, 4, WD, HD, &o), (int)g,
                         d < 0, a};
        int rc = tk_results_cells(ar->st, r, d, listed_row, &w, diags);
        tk_pdf_table_end(w.t);
        if (rc != 0)
            return false;
    }
    return true;
}

static void good_rows(tk_pdf *p, const tk_audit_record *ar, const char *dept, tk_arena *a)
{
    const tk_report *rp = ar->rp;
    size_t n = 0;
    for (size_t i = 0; i < ar->ngood; i++)
        n += !dept || !strcmp(ar->good[i].department_code, dept);
    if (!n) {
        tk_pdf_paragraph(p, TX("audit-good-none", "良好事例として記録した事項はない。"), &LEFT);
        return;
    }
    static const char *const H[] = {"部署", "該当条項", "良好事例"};
    static const double W[] = {2.4, 2.4, 10};
    tk_pdf_table_opts o = {.size = 8};
    tk_pdf_table *t = tk_pdf_table_begin(p, 3, W, H, &o);
    for (size_t i = 0; i < ar->ngood; i++) {
        const tk_good_practice *g = &ar->good[i];
        if (dept && strcmp(g->department_code, dept))
            continue;
        const char *cells[] = {tk_arena_printf(a, "%s %s", g->department_code, g->department_name), g->ref, g->text};
        tk_pdf_table_row(t, cells, NULL);
    }
    tk_pdf_table_end(t);
}

/* Earlier findings of the audited departments (or of dept) by status. */
static void earlier_rows(tk_pdf *p, const tk_audit_record *ar, const char *dept, tk_arena *a)
{
    const tk_report *rp = ar->rp;
    size_t by[TK_FINDING_NSTATUS] = {0}, n = 0;
    for (size_t i = 0; i < ar->earlier.n; i++) {
        const tk_finding *f = &ar->earlier.rows[i];
        if (dept && strcmp(f->department_code, dept))
            continue;
        by[f->status]++;
        n++;
    }
    if (!n) {
        tk_pdf_paragraph(p, TX("audit-earlier-none", "前回までの監査の指摘事項はない。"), &LEFT);
        return;
    }
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "前回までの監査の指摘事項 %zu 件のうち、是正確認済み %zu 件、計画済み（是正未確認）%zu 件、未計画 %zu 件、"
                                     "リスク受容により終了 %zu 件である。指摘事項は、監査人が是正を確認したときに限り閉じる。",
                                     n, by[TK_FINDING_VERIFIED], by[TK_FINDING_PLANNED], by[TK_FINDING_OPEN], by[TK_FINDING_CLOSED]),
                     &BODY);
    static const char *const H[] = {"年度", "部署", "該当条項", "判定", "是正確認", "状態"};
    static const double W[] = {1.2, 2.4, 2.4, 2.2, 1.8, 2.4};
    tk_pdf_table_opts o = {.size = 8};
    tk_pdf_table *t = tk_pdf_table_begin(p, 6, W, H, &o);
    for (size_t i = 0; i < ar->earlier.n; i++) {
        const tk_finding *f = &ar->earlier.rows[i];
        if (dept && strcmp(f->department_code, dept))
            continue;
        const char *cells[] = {num(a, (size_t)f->year), tk_arena_printf(a, "%s %s", f->department_code, f->department_name),
                               f->ref, f->grade, f->verification ? f->verification : "—",
                               tk_finding_status_label(f->status)};
        tk_pdf_table_row(t, cells, NULL);
    }
    tk_pdf_table_end(t);
}

/* ======================================================================
 * The 監査報告書
 * ====================================================================== */

static void section_overview(tk_pdf *p, const tk_audit_record *ar, tk_arena *a)
{
    const tk_report *rp = ar->rp;
    const tk_results *r = rp->r;
    tk_pdf_heading(p, 1, TX("audit-h-overview", "1　監査の概要"));
    tk_pdf_heading(p, 2, "1.1　監査の目的");
    tk_pdf_paragraph(p, expand(rp, a, TX("audit-purpose", ""), -1), &BODY);

    tk_pdf_heading(p, 2, "1.2　監査の対象");
    tk_pdf_paragraph(p, tk_arena_printf(a, "被監査部署 %zu 部署（監査項目はその部署が担う役割に関係する条項）。", ar->audited), &BODY);
    static const char *const H[] = {"部署コード", "被監査部署", "監査項目数", "監査人"};
    static const double W[] = {1.6, 3.4, 1.6, 6};
    static const tk_pdf_align AL[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT};
    tk_pdf_table_opts o = {.align = AL, .size = 8.5};
    tk_pdf_table *t = tk_pdf_table_begin(p, 4, W, H, &o);
    for (size_t k = 0; k < r->ndepts; k++) {
        if (!r->depts[k].issued)
            continue;
        const char *who = ar->plan ? tk_audit_plan_auditors_of(ar->plan, r->depts[k].code) : NULL;
        const char *cells[] = {r->depts[k].code, r->depts[k].name, num(a, r->dept_tally[k].issued),
                               who ? who : "（監査計画に記載なし）"};
        tk_pdf_table_row(t, cells, NULL);
    }
    tk_pdf_table_end(t);

    tk_pdf_heading(p, 2, "1.3　監査の期間");
    tk_pdf_paragraph(p, ar->period, &BODY);

    tk_pdf_heading(p, 2, "1.4　監査人");
    if (ar->plan) {
        static const char *const HA[] = {"氏名", "所属", "担当部署"};
        static const double WA[] = {2.6, 3.6, 6};
        tk_pdf_table *ta = tk_pdf_table_begin(p, 3, WA, HA, &(tk_pdf_table_opts){.size = 8.5});
        for (size_t i = 0; i < ar->plan->nauditors; i++) {
            const tk_auditor *au = &ar->plan->auditors[i];
            tk_buf b;
            tk_buf_init(&b);
            for (size_t k = 0; k < au->ndepartments; k++) {
                const char *name = au->departments[k];
                for (size_t j = 0; j < r->ndepts; j++)
                    if (!strcmp(r->depts[j].code, name))
                        name = tk_arena_printf(a, "%s %s", r->depts[j].code, r->depts[j].name);
                tk_buf_printf(&b, "%s%s", k ? "、" : "", name);
            }
            const char *affil = !strcmp(au->affiliation, TK_AUDIT_EXTERNAL)
                                    ? tk_arena_printf(a, "外部（%s）", au->affiliation_name)
                                    : tk_arena_printf(a, "%s %s", au->affiliation, au->affiliation_name);
            const char *cells[] = {au->name, affil, tk_arena_strdup(a, b.data ? b.data : "")};
            tk_pdf_table_row(ta, cells, NULL);
            tk_buf_free(&b);
        }
        tk_pdf_table_end(ta);
        tk_pdf_paragraph(p, expand(rp, a, TX("audit-independence", ""), -1), &BODY);
    } else {
        tk_pdf_paragraph(p, "この年度の監査計画 (tenken audit plan) が記録されていないため、監査人とその独立性は各監査票の表紙の記載による。",
                         &(tk_pdf_style){.color = C_WARN, .first_indent = true});
    }

    tk_pdf_heading(p, 2, "1.5　監査の基準");
    tk_pdf_paragraph(p,
                     tk_arena_printf(a, "%s情報セキュリティポリシー（基本方針及び対策基準）。監査項目は %zu 項目（点検項目の版 %.12s）。",
                                     r->org_name, r->nitems, ar->checklist_hash ? ar->checklist_hash : ""),
                     &BODY);

    tk_pdf_heading(p, 2, "1.6　実施の概要");
    size_t examined = 0, with_evidence = r->evidenced;
    for (size_t g = 0; g < r->nanswers; g++)
        examined += ar->grade_count[g];
    tk_pdf_paragraph(p, expand(rp, a, TX("audit-method", ""), -1), &BODY);
    tk_pdf_paragraph(p,
                     tk_arena_printf(a, "監査した項目は延べ %zu 項目（配布 %zu 項目）で、うち %zu 項目について監査証跡（文書・記録の名称、聞き取りの要点）を記録した。",
                                     examined, r->total.issued, with_evidence),
                     &BODY);
}

static bool section_opinion(tk_pdf *p, const tk_audit_record *ar, tk_arena *a, tk_diags *d)
{
    const tk_report *rp = ar->rp;
    const tk_results *r = rp->r;
    tk_pdf_heading(p, 1, TX("audit-h-result", "2　監査の結果（意見）"));
    tk_pdf_heading(p, 2, "2.1　総評");
    tk_buf b;
    tk_buf_init(&b);
    size_t neg = 0, obs = 0;
    tk_buf_printf(&b, "被監査部署 %zu 部署の監査項目について判定した結果は、", ar->audited);
    for (size_t g = 0; g < r->nanswers; g++) {
        tk_buf_printf(&b, "%s%s %zu 件", g ? "、" : "", r->answers[g].value, ar->grade_count[g]);
        if (r->answers[g].negative)
            neg += ar->grade_count[g];
        else if (is_listed(&r->answers[g]))
            obs += ar->grade_count[g];
    }
    char sc[16];
    tk_buf_printf(&b, "であった（得点 %s 点）。指摘事項は %zu 件、観察事項は %zu 件である。", tk_fmt1(tk_tally_score(&rp->total), sc),
                  neg, obs);
    if (neg)
        tk_buf_puts(&b, "被監査部署は、指摘事項ごとに改善計画を定めて回答し、是正を進める必要がある。");
    tk_pdf_paragraph(p, b.data, &BODY);
    tk_buf_free(&b);
    tk_pdf_paragraph(p, expand(rp, a, TX("audit-advisory", ""), -1), &(tk_pdf_style){.color = C_GREY, .first_indent = true});

    tk_pdf_heading(p, 2, "2.2　判定の内訳");
    grade_table(p, ar, -1, a);
    tk_pdf_space(p, 3);
    /* by department: the counts of every grade and the score */
    size_t nc = r->nanswers + 3;
    const char **h = tk_arena_alloc(a, nc * sizeof *h);
    double *w = tk_arena_alloc(a, nc * sizeof *w);
    tk_pdf_align *al = tk_arena_alloc(a, nc * sizeof *al);
    h[0] = "部署";
    w[0] = 3.2;
    al[0] = TK_PDF_ALIGN_LEFT;
    for (size_t g = 0; g < r->nanswers; g++) {
        h[g + 1] = r->answers[g].value;
        w[g + 1] = 1.5;
        al[g + 1] = TK_PDF_ALIGN_RIGHT;
    }
    h[nc - 2] = "指摘事項";
    h[nc - 1] = "得点";
    w[nc - 2] = w[nc - 1] = 1.4;
    al[nc - 2] = al[nc - 1] = TK_PDF_ALIGN_RIGHT;
    tk_pdf_table *t = tk_pdf_table_begin(p, nc, w, h, &(tk_pdf_table_opts){.align = al, .size = 8});
    const char **cells = tk_arena_alloc(a, nc * sizeof *cells);
    for (size_t gi = 0; gi < rp->nby_dept; gi++) {
        const tk_group *gr = &rp->by_dept[gi];
        size_t k = gr->index;
        cells[0] = tk_arena_printf(a, "%s %s", r->depts[k].code, r->depts[k].name);
        for (size_t g = 0; g < r->nanswers; g++)
            cells[g + 1] = num(a, r->dept_answer[k * r->nanswers + g]);
        size_t nf = 0;
        for (size_t i = 0; i < ar->findings.n; i++)
            nf += !strcmp(ar->findings.rows[i].department_code, r->depts[k].code);
        cells[nc - 2] = num(a, nf);
        cells[nc - 1] = tk_arena_strdup(a, tk_fmt1(tk_tally_score(&gr->tally), sc));
        tk_pdf_table_row(t, cells, NULL);
    }
    cells[0] = "全体";
    for (size_t g = 0; g < r->nanswers; g++)
        cells[g + 1] = num(a, ar->grade_count[g]);
    cells[nc - 2] = num(a, ar->findings.n);
    cells[nc - 1] = tk_arena_strdup(a, tk_fmt1(tk_tally_score(&rp->total), sc));
    tk_pdf_table_row(t, cells, NULL);
    tk_pdf_table_end(t);

    tk_pdf_heading(p, 2, TX("audit-h-findings", "2.3　指摘事項"));
    size_t by[TK_FINDING_NSTATUS] = {0}, needed = 0;
    for (size_t i = 0; i < ar->findings.n; i++) {
        by[ar->findings.rows[i].status]++;
        needed += ar->findings.rows[i].action_needed;
    }
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "指摘事項 %zu 件の状況（%s 現在）：改善計画の回答がないもの %zu 件（うち回答期限を過ぎた要対応 %zu 件）、"
                                     "改善計画の回答があり是正の確認を待つもの %zu 件、リスク受容により終了 %zu 件、是正確認済み %zu 件。",
                                     ar->findings.n, rp->date_both, by[TK_FINDING_OPEN], needed, by[TK_FINDING_PLANNED],
                                     by[TK_FINDING_CLOSED], by[TK_FINDING_VERIFIED]),
                     &BODY);
    bool ok = listed_rows(p, ar, -1, true, 3, a, d);
    tk_pdf_heading(p, 2, "2.4　観察事項");
    ok = ok && listed_rows(p, ar, -1, false, 3, a, d);
    tk_pdf_heading(p, 2, "2.5　良好事例");
    good_rows(p, ar, NULL, a);
    tk_pdf_heading(p, 2, "2.6　前回までの指摘事項の是正状況");
    earlier_rows(p, ar, NULL, a);
    return ok;
}

static void section_special(tk_pdf *p, const tk_audit_record *ar, const char *comment)
{
    const tk_report *rp = ar->rp;
    tk_pdf_heading(p, 1, TX("audit-h-special", "3　特記事項"));
    tk_pdf_paragraph(p, comment && *comment ? comment : TX("audit-none", "該当する事項はない。"), &BODY);
}

static bool section_annex(tk_pdf *p, const tk_audit_record *ar, tk_arena *a, tk_diags *d)
{
    const tk_report *rp = ar->rp;
    const tk_results *r = rp->r;
    tk_pdf_page_break(p);
    tk_pdf_heading(p, 1, "付属資料　部署別の監査結果");
    int n = 0;
    for (size_t gi = 0; gi < rp->nby_dept; gi++) {
        size_t k = rp->by_dept[gi].index;
        char sc[16];
        tk_pdf_heading(p, 2, tk_arena_printf(a, "付属資料 %d　%s %s", ++n, r->depts[k].code, r->depts[k].name));
        const char *who = ar->plan ? tk_audit_plan_auditors_of(ar->plan, r->depts[k].code) : NULL;
        size_t ngood = 0;
        for (size_t i = 0; i < ar->ngood; i++)
            ngood += !strcmp(ar->good[i].department_code, r->depts[k].code);
        tk_pdf_paragraph(p,
                         tk_arena_printf(a, "監査人：%s。得点 %s 点、指摘事項 %zu 件、良好事例 %zu 件。", who ? who : "（監査計画に記載なし）",
                                         tk_fmt1(tk_tally_score(&rp->by_dept[gi].tally), sc), rp->by_dept[gi].tally.negative, ngood),
                         &LEFT);
        grade_table(p, ar, (long)k, a);
        if (!listed_rows(p, ar, (long)k, true, 3, a, d))
            return false;
    }
    return true;
}

tk_pdf *tk_audit_report_pdf(const tk_audit_record *ar, const char *comment, tk_diags *d)
{
    const tk_report *rp = ar->rp;
    tk_arena *a = tk_arena_new();
    const char *title = expand(rp, a, TX("audit-report-title", "{fiscal-year}　情報セキュリティ監査報告書"), -1);
    tk_pdf *p = new_doc(rp, a, title, d);
    if (!p) {
        tk_arena_free(a);
        return NULL;
    }
    const char *subs[] = {tk_arena_printf(a, "対象年度　%s", rp->fy_label), tk_arena_printf(a, "被監査部署　%zu 部署", ar->audited)};
    tk_pdf_cover c = {.title = title, .subtitles = subs, .nsubtitles = 2, .date_line = rp->date_both, .organisation = rp->r->org_name};
    tk_pdf_cover_page(p, &c);
    section_overview(p, ar, a);
    bool ok = section_opinion(p, ar, a, d);
    section_special(p, ar, comment);
    ok = ok && section_annex(p, ar, a, d);
    tk_arena_free(a);
    if (!ok) {
        tk_pdf_free(p);
        return NULL;
    }
    return p;
}

/* ======================================================================
 * The 監査結果通知
 * ====================================================================== */

tk_pdf *tk_audit_notice_pdf(const tk_audit_record *ar, size_t k, tk_diags *d)
{
    const tk_report *rp = ar->rp;
    const tk_results *r = rp->r;
    tk_arena *a = tk_arena_new();
    const char *title = expand(rp, a, TX("audit-notice-title", "{fiscal-year}　情報セキュリティ監査結果通知（{department}）"), (long)k);
    tk_pdf *p = new_doc(rp, a, title, d);
    if (!p) {
        tk_arena_free(a);
        return NULL;
    }
    const tk_res_department *dep = &r->depts[k];
    tk_pdf_heading(p, 1, title);
    const char *who = ar->plan ? tk_audit_plan_auditors_of(ar->plan, dep->code) : NULL;
    tk_pdf_paragraph(p,
                     tk_arena_printf(a, "%s %s 様\n%s%sの情報セキュリティ監査の結果を通知します。\n監査人：%s\n監査の期間：%s\n作成日：%s", dep->code,
                                     dep->name, r->org_name, rp->fy_wareki, who ? who : "（監査計画に記載なし）", ar->period, rp->date_both),
                     &LEFT);
    tk_pdf_heading(p, 2, "1　判定の内訳");
    grade_table(p, ar, (long)k, a);
    size_t nf = 0;
    for (size_t i = 0; i < ar->findings.n; i++)
        nf += !strcmp(ar->findings.rows[i].department_code, dep->code);
    tk_pdf_heading(p, 2, tk_arena_printf(a, "2　指摘事項（%zu 件）", nf));
    if (nf) {
        tk_date dl;
        char b[TK_DATE_BOTH_SIZE];
        const char *deadline = ar->response_deadline && tk_date_parse(ar->response_deadline, &dl)
                                   ? tk_arena_printf(a, "回答の期限：%s。", tk_date_both(dl, b, sizeof b))
                                   : "回答の期限は改善計画の進捗確認票でお知らせします。";
        tk_pdf_paragraph(p, tk_arena_printf(a, "%s%s", expand(rp, a, TX("audit-response", ""), (long)k), deadline),
                         &(tk_pdf_style){.color = C_WARN, .first_indent = true});
    }
    bool ok = listed_rows(p, ar, (long)k, true, 3, a, d);
    tk_pdf_heading(p, 2, "3　観察事項");
    ok = ok && listed_rows(p, ar, (long)k, false, 3, a, d);
    tk_pdf_heading(p, 2, "4　良好事例");
    good_rows(p, ar, dep->code, a);
    tk_pdf_heading(p, 2, "5　前回までの指摘事項の是正確認");
    earlier_rows(p, ar, dep->code, a);
    tk_pdf_paragraph(p, expand(rp, a, TX("audit-advisory", ""), -1), &(tk_pdf_style){.color = C_GREY, .first_indent = true});
    tk_arena_free(a);
    if (!ok) {
        tk_pdf_free(p);
        return NULL;
    }
    return p;
}

/* ======================================================================
 * Writing
 * ====================================================================== */

static char *read_comment(const char *path, tk_diags *d)
{
    tk_buf raw, text;
    tk_buf_init(&raw);
    tk_buf_init(&text);
    if (tk_file_read(path, COMMENT_MAX, &raw) != 0) {
        tk_diag_error(d, path, 0, errno == EFBIG ? "特記事項のファイルが大きすぎます (64 KiB まで)" : "特記事項のファイルを読めません: %s",
                      strerror(errno));
        tk_buf_free(&raw);
        return NULL;
    }
    const char *enc = NULL;
    if (tk_text_decode(raw.data ? raw.data : "", raw.len, &text, &enc) != 0) {
        tk_diag_error(d, path, 0, "特記事項のファイルの文字コードを判別できません。UTF-8 か Shift_JIS (CP932) で保存してください");
        tk_buf_free(&raw);
        tk_buf_free(&text);
        return NULL;
    }
    tk_buf_free(&raw);
    /* trailing line breaks are not part of the text */
    while (text.len && (text.data[text.len - 1] == '\n' || text.data[text.len - 1] == '\r'))
        text.data[--text.len] = 0;
    if (!text.data)
        tk_buf_puts(&text, "");
    return tk_buf_steal(&text);
}

static char *notice_file(tk_arena *a, const tk_res_department *dep)
{
    char *s = tk_arena_printf(a, "%s_%s.pdf", dep->code, dep->name);
    for (char *q = s; *q; q++)
        if ((unsigned char)*q < 0x20 || strchr("/\\:*?\"<>|", *q))
            *q = '_';
    return s;
}

/* Department which[i]'s notice, for tk_rp_write_pdfs: the record with the
 * worker's own connection. */
typedef struct notice_docs {
    const tk_audit_record *ar;
    const size_t *which;
} notice_docs;

static tk_pdf *notice_doc(void *user, tk_store *st, size_t i, tk_diags *d)
{
    const notice_docs *x = user;
    tk_audit_record ar = *x->ar;
    ar.st = st;
    return tk_audit_notice_pdf(&ar, x->which[i], d);
}

static int write_notices(const tk_audit_record *ar, const char *db, const char *dir, int jobs, bool force, size_t *written,
                         tk_arena *a, tk_diags *d)
{
    const tk_results *r = ar->rp->r;
    char **paths = tk_arena_alloc(a, (r->ndepts ? r->ndepts : 1) * sizeof *paths);
    size_t *which = tk_arena_alloc(a, (r->ndepts ? r->ndepts : 1) * sizeof *which);
    size_t *cost = tk_arena_alloc(a, (r->ndepts ? r->ndepts : 1) * sizeof *cost);
    size_t n = 0;
    for (size_t k = 0; k < r->ndepts; k++) {
        if (!r->depts[k].issued)
            continue;
        paths[n] = tk_path_join(a, dir, notice_file(a, &r->depts[k]));
        cost[n] = r->dept_tally[k].issued;
        which[n++] = k;
    }
    notice_docs x = {ar, which};
    return tk_rp_write_pdfs(db, n, paths, cost, jobs, force, notice_doc, &x, "監査結果通知", written, d);
}

int tk_audit_report_write(const char *db, const tk_report *rp, const char *path, const char *notices_dir,
                          const char *comment_path, int jobs, bool force, size_t *pages, size_t *notices, tk_diags *d)
{
    const tk_results *r = rp->r;
    if (strcmp(r->kind, "audit") != 0) {
        tk_diag_error(d, NULL, 0, "監査報告書は監査 (--kind audit) の調査についてだけ作れます");
        return TK_EXIT_USAGE;
    }
    tk_arena *a = tk_arena_new();
    int rc = TK_EXIT_OK;
    char *comment = NULL;
    tk_audit_record *ar = NULL;
    /* refuse before writing anything */
    if (!force && tk_file_exists(path)) {
        tk_diag_error(d, path, 0, "ファイルが既にあります。上書きするには --force を指定してください");
        rc = TK_EXIT_INPUT;
    }
    for (size_t k = 0; k < r->ndepts && rc == TK_EXIT_OK; k++) {
        const char *f = tk_path_join(a, notices_dir, notice_file(a, &r->depts[k]));
        if (r->depts[k].issued && !force && tk_file_exists(f)) {
            tk_diag_error(d, f, 0, "ファイルが既にあります。上書きするには --force を指定してください");
            rc = TK_EXIT_INPUT;
        }
    }
    if (rc == TK_EXIT_OK && comment_path && !(comment = read_comment(comment_path, d)))
        rc = TK_EXIT_INPUT;
    tk_store *st = NULL;
    if (rc == TK_EXIT_OK && !(st = tk_store_open_mode(db, TK_STORE_READ, NULL, d)))
        rc = TK_EXIT_FAILURE;
    if (rc == TK_EXIT_OK)
        rc = tk_audit_record_load(st, rp, &ar, d);
    char *dir = rc == TK_EXIT_OK ? tk_path_dirname(a, path) : NULL;
    if (rc == TK_EXIT_OK && ((dir && *dir && tk_mkdirs(dir) != 0) || tk_mkdirs(notices_dir) != 0)) {
        tk_diag_error(d, notices_dir, 0, "フォルダを作れません: %s", strerror(errno));
        rc = TK_EXIT_FAILURE;
    }
    if (rc == TK_EXIT_OK) {
        tk_pdf *p = tk_audit_report_pdf(ar, comment, d);
        if (!p || tk_pdf_save(p, path, force) != 0)
            rc = TK_EXIT_FAILURE;
        if (p && pages)
            *pages = tk_pdf_page_count(p);
        tk_pdf_free(p);
    }
    /* the notices' workers read on their own connections */
    tk_store_close(st);
    if (ar)
        ar->st = NULL;
    size_t written = 0;
    if (rc == TK_EXIT_OK)
        rc = write_notices(ar, db, notices_dir, jobs, force, &written, a, d);
    if (notices)
        *notices = written;
    tk_audit_record_free(ar);
    free(comment);
    tk_arena_free(a);
    return rc;
}
