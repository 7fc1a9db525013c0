/* report.c — the figures every report shares and the wording they take
 * from the template (tk_report_open), plus the counts the tallies do not
 * hold. See report.h; the documents are in report_committee*.c,
 * report_department.c and report_xlsx.c, their shared helpers in
 * report_layout.c (report_internal.h).
 *
 * Section headings and captions are messages in code, each with a key that
 * a template may reword with <report><text key="KEY">…</text></report>:
 *   summary, by-department, heatmap, by-chapter, weakest, plans, previous,
 *   dept-summary, dept-chapters, dept-negative, dept-flagged,
 *   dept-unanswered, average (the organisation's line in charts: 全体),
 *   this-department (貴部署), organisation (組織全体).
 */
#include "tenken/report.h"

#include <errno.h>
#include <libxml/tree.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "tenken/findings.h"
#include "tenken/planlist.h"
#include "tenken/score.h"
#include "tenken/template.h"
#include "tenken/text.h"
#include "tenken/workers.h"
#include "tenken/xmlutil.h"

static const char *trimmed(tk_arena *a, const xmlChar *s)
{
    if (!s)
        return NULL;
    const char *p = (const char *)s, *e = p + strlen(p);
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    return tk_arena_strndup(a, p, (size_t)(e - p));
}

/* ======================================================================
 * Wording from the template
 * ====================================================================== */

static const char *template_path(tk_arena *a, const tk_results *r, const char *opt)
{
    if (opt)
        return opt;
    /* template_ref is "self.xml sha256:HEX": the file the campaign was
     * issued with, by its name in templates/ */
    if (r->template_ref && *r->template_ref) {
        const char *sp = strchr(r->template_ref, ' ');
        size_t n = sp ? (size_t)(sp - r->template_ref) : strlen(r->template_ref);
        char *name = tk_arena_strndup(a, r->template_ref, n);
        if (n && !strchr(name, '/')) {
            char *p = tk_data_path(a, tk_arena_printf(a, "templates/%s", name));
            if (tk_file_exists(p))
                return p;
        }
    }
    return tk_data_path(a, tk_arena_printf(a, "templates/%s.xml", r->kind));
}

static int band_cmp(const void *x, const void *y)
{
    const tk_band *a = x, *b = y;
    return a->min < b->min ? 1 : a->min > b->min ? -1 : 0;
}

static void load_score_report(tk_report *rp, xmlNodePtr root)
{
    tk_arena *a = rp->arena;
    size_t cap = 0;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        bool score = !strcmp((const char *)n->name, "score"), report = !strcmp((const char *)n->name, "report");
        if (!score && !report)
            continue;
        for (xmlNodePtr c = n->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            const char *name = (const char *)c->name;
            xmlChar *body = xmlNodeGetContent(c);
            const char *text = trimmed(a, body);
            xmlFree(body);
            const char *attr_name = score && !strcmp(name, "cross-cutting") ? "threshold"
                                    : score && !strcmp(name, "band")        ? "min"
                                    : report && !strcmp(name, "title")      ? "for"
                                    : report && !strcmp(name, "text")       ? "key"
                                                                            : NULL;
            if (!attr_name)
                continue;
            xmlChar *av = xmlGetProp(c, (const xmlChar *)attr_name);
            const char *v = trimmed(a, av);
            xmlFree(av);
            if (!v || !text || !*text)
                continue;
            if (!strcmp(name, "cross-cutting")) {
                rp->cross_threshold = strtod(v, NULL);
                rp->cross_label = text;
            } else if (!strcmp(name, "band")) {
                if (rp->nbands == cap) {
                    cap = cap ? cap * 2 : 4;
                    tk_band *nb = tk_arena_alloc(a, cap * sizeof *nb);
                    if (rp->nbands)
                        memcpy(nb, rp->bands, rp->nbands * sizeof *nb);
                    rp->bands = nb;
                }
                rp->bands[rp->nbands++] = (tk_band){strtod(v, NULL), text};
            } else if (!strcmp(name, "title")) {
                if (!strcmp(v, "committee"))
                    rp->title_committee = text;
                else if (!strcmp(v, "department"))
                    rp->title_department = text;
                else if (!strcmp(v, "summary"))
                    rp->title_summary = text;
            } else {
                tk_strmap_set(&rp->texts, v, text);
            }
        }
    }
    if (rp->nbands > 1)
        qsort(rp->bands, rp->nbands, sizeof *rp->bands, band_cmp);
}

static int load_wording(tk_report *rp, const char *opt_path, tk_diags *d)
{
    tk_arena *a = rp->arena;
    const tk_results *r = rp->r;
    const char *path = template_path(a, r, opt_path);
    rp->template_path = path;
    tk_template *t = tk_template_load(path, NULL, d);
    if (!t)
        return -1;
    rp->kind_name = tk_arena_strdup(a, t->name);
    rp->classification = tk_arena_strdup(a, t->classification);
    tk_template_free(t);
    /* <score> and <report> are validated by the schema but not part of the
     * workbook model: read them here */
    xmlDocPtr doc = tk_xml_read_validated(path, NULL, NULL, d);
    if (!doc)
        return -1;
    rp->cross_threshold = 0.30;
    rp->cross_label = "横断的課題";
    load_score_report(rp, xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    if (!rp->title_committee)
        rp->title_committee = "{fiscal-year}　情報セキュリティ{kind}結果報告書";
    if (!rp->title_department)
        rp->title_department = "{fiscal-year}　情報セキュリティ{kind}結果（{department}）";
    if (!rp->title_summary)
        rp->title_summary = "{fiscal-year}　情報セキュリティ{kind}結果一覧";
    return 0;
}

const char *tk_report_text(const tk_report *rp, const char *key, const char *dflt)
{
    const char *v = tk_strmap_get(&rp->texts, key);
    return v ? v : dflt;
}

const char *tk_report_band(const tk_report *rp, double score)
{
    if (isnan(score))
        return "";
    /* on the printed value, so that 89.96 printed as 90.0 is 良好 */
    double v = tk_round1(score);
    for (size_t i = 0; i < rp->nbands; i++)
        if (v >= tk_round1(rp->bands[i].min * 100.0))
            return rp->bands[i].label;
    return "";
}

char *tk_report_title(const tk_report *rp, tk_arena *a, const char *title, long dept)
{
    const tk_results *r = rp->r;
    char wareki[TK_DATE_WAREKI_SIZE] = "", both[TK_DATE_BOTH_SIZE] = "";
    tk_date dl;
    bool has_dl = r->deadline && *r->deadline && tk_date_parse(r->deadline, &dl);
    if (has_dl) {
        tk_date_wareki(dl, wareki, sizeof wareki);
        tk_date_both(dl, both, sizeof both);
    }
    const tk_res_department *dp = dept >= 0 ? &r->depts[dept] : NULL;
    tk_tpl_var v[] = {
        {"org", r->org_name},
        {"fiscal-year", rp->fy_wareki},
        {"fiscal-year-label", rp->fy_label},
        {"year", tk_arena_printf(a, "%d", r->year)},
        {"deadline", both},
        {"deadline-wareki", wareki},
        {"deadline-iso", has_dl ? r->deadline : ""},
        {"classification", rp->classification},
        {"kind", rp->kind_name},
        {"department", dp ? dp->name : ""},
        {"department-code", dp ? dp->code : ""},
        {"title", ""},
        {"items", ""},
    };
    return tk_template_expand(a, title, v, sizeof v / sizeof v[0]);
}

/* ======================================================================
 * Figures
 * ====================================================================== */

size_t tk_report_issued(const tk_report *rp) { return rp->nby_dept; }

size_t tk_report_returned(const tk_report *rp)
{
    size_t n = 0;
    for (size_t i = 0; i < rp->r->ndepts; i++)
        n += rp->r->depts[i].issued && rp->r->depts[i].returned_at;
    return n;
}

/* neg negative answers of answered: one department is no cross-cutting
 * issue, whatever its share. */
static bool is_cross_cutting(const tk_report *rp, size_t neg, size_t answered)
{
    return answered > 0 && neg >= 2 && (double)neg / (double)answered >= rp->cross_threshold;
}

bool tk_report_cross_cutting(const tk_report *rp, size_t k, size_t *neg, size_t *answered)
{
    long g = rp->item_group[k];
    const tk_tally *t = g >= 0 ? &rp->by_item[g].tally : NULL;
    size_t n = t ? t->answered : 0, m = t ? t->negative : 0;
    if (neg)
        *neg = m;
    if (answered)
        *answered = n;
    return is_cross_cutting(rp, m, n);
}

/* Department indices ordered by department code (results order). */
static long dept_index(const tk_strmap *m, const char *code)
{
    uintptr_t v = (uintptr_t)tk_strmap_get(m, code ? code : "");
    return v ? (long)v - 1 : -1;
}

static int load_carried(tk_report *rp, tk_store *st, tk_diags *d);

typedef struct plan_walk {
    const tk_report *rp;
    tk_report_plan_fn fn;
    void *user;
} plan_walk;

static int plan_row(sqlite3_stmt *q, size_t dept, void *user)
{
    const plan_walk *w = user;
    const tk_results *r = w->rp->r;
    tk_report_plan p = {.dept = dept};
    const char *s;
    p.item_id = (s = (const char *)sqlite3_column_text(q, 1)) ? s : "";
    p.item = tk_results_find_item(r, p.item_id);
    p.origin = (s = (const char *)sqlite3_column_text(q, 2)) ? s : "";
    p.content = (s = (const char *)sqlite3_column_text(q, 3)) ? s : "";
    p.owner = (s = (const char *)sqlite3_column_text(q, 4)) ? s : "";
    p.due = (s = (const char *)sqlite3_column_text(q, 5)) && *s ? s : NULL;
    if (!p.due || !tk_date_parse(p.due, &p.due_date))
        p.due_date = (tk_date){0, 0, 0};
    s = (const char *)sqlite3_column_text(q, 6);
    if (!s || !tk_plan_status_parse(s, &p.status))
        p.status = TK_PLAN_NOT_STARTED;
    p.open = !tk_plan_status_closed(p.status);
    p.days_overdue = tk_plan_days_overdue(p.status, p.due_date, w->rp->today);
    /* a cell only for an item of the checklist */
    p.has_cell = p.item >= 0 && sqlite3_column_int(q, 7) != 0;
    p.answer = p.has_cell ? tk_results_find_answer(r, (const char *)sqlite3_column_text(q, 8)) : -1;
    p.finding = p.has_cell ? (const char *)sqlite3_column_text(q, 9) : NULL;
    return w->fn(w->user, &p);
}

/* The plans of the campaign with the cell each belongs to: the answer of
 * the last active workbook of the department that holds the item (as the
 * cells come, tk_results_cells). */
int tk_report_plans(const tk_report *rp, tk_store *st, long dept, tk_report_plan_fn fn, void *user, tk_diags *d)
{
    /* one department's plans by the plan's unique index, not a filter over
     * the whole campaign */
#define PLANS_SQL(WHERE)                                                                                               \
    "SELECT p.department_code, p.item_id, p.origin, p.content, p.owner, p.due, p.status, cw.id IS NOT NULL, a.value, " \
    " a.finding "                                                                                                      \
    "FROM plan p "                                                                                                     \
    "LEFT JOIN workbook cw ON cw.id = (SELECT w.id FROM workbook w JOIN workbook_item wi "                             \
    "  ON wi.workbook_id = w.id AND wi.item_id = p.item_id WHERE w.campaign_id = p.campaign_id "                       \
    "  AND w.department_code = p.department_code AND w.revoked_at IS NULL ORDER BY w.id DESC LIMIT 1) "                \
    "LEFT JOIN submission s ON s.workbook_id = cw.id AND s.superseded_by IS NULL "                                     \
    "LEFT JOIN answer a ON a.submission_id = s.id AND a.item_id = p.item_id "                                          \
    "WHERE p.campaign_id = ?1 " WHERE " ORDER BY p.department_code, COALESCE(p.due, '9999-99-99'), p.item_id"
    plan_walk w = {rp, fn, user};
    return tk_results_dept_rows(st, rp->r, dept, PLANS_SQL(""), PLANS_SQL("AND p.department_code = ?2"), plan_row, &w, d);
#undef PLANS_SQL
}

static void count_plan_in(tk_report_plan_count *c, const tk_report_plan *p)
{
    c->total++;
    if (!p->open)
        c->closed++;
    else if (p->days_overdue > 0)
        c->late++;
    else
        c->open++;
}

static int month_key(tk_date d) { return d.y * 12 + d.m - 1; }

/* One plan into the counts the documents print. */
static int count_plan(void *user, const tk_report_plan *p)
{
    tk_report *rp = user;
    count_plan_in(&rp->plans, p);
    count_plan_in(&rp->dept_plans[p->dept], p);
    rp->plan_status[p->status]++;
    rp->plan_status_late[p->status] += p->open && p->days_overdue > 0;
    if (!p->due_date.y) {
        count_plan_in(&rp->plan_nodue, p);
        return 0;
    }
    /* by due month, kept in order (few distinct months) */
    int m = month_key(p->due_date);
    size_t i = 0;
    while (i < rp->nplan_months && rp->plan_months[i].month < m)
        i++;
    if (i == rp->nplan_months || rp->plan_months[i].month != m) {
        rp->plan_months = tk_xrealloc(rp->plan_months, (rp->nplan_months + 1) * sizeof *rp->plan_months);
        memmove(&rp->plan_months[i + 1], &rp->plan_months[i], (rp->nplan_months - i) * sizeof *rp->plan_months);
        rp->plan_months[i] = (tk_report_plan_month){.month = m};
        rp->nplan_months++;
    }
    count_plan_in(&rp->plan_months[i].n, p);
    return 0;
}

static int load_plans(tk_report *rp, tk_store *st, tk_diags *d)
{
    size_t nd = rp->r->ndepts ? rp->r->ndepts : 1;
    rp->dept_plans = tk_arena_alloc(rp->arena, nd * sizeof *rp->dept_plans);
    memset(rp->dept_plans, 0, nd * sizeof *rp->dept_plans);
    return tk_report_plans(rp, st, -1, count_plan, rp, d) == 0 ? 0 : -1;
}

static int issue_row(sqlite3_stmt *q, void *user)
{
    tk_report *rp = user;
    const char *at = (const char *)sqlite3_column_text(q, 0);
    if (at && !rp->issued_at)
        rp->issued_at = tk_arena_strdup(rp->arena, at);
    long di = tk_results_find_dept(rp->r, (const char *)sqlite3_column_text(q, 1));
    const char *roles = (const char *)sqlite3_column_text(q, 2);
    if (di >= 0 && roles)
        rp->dept_roles[di] = tk_arena_strdup(rp->arena, roles);
    return 0;
}

/* When the campaign's workbooks were issued and the roles each department
 * held (the department table, as generate recorded them). */
static int load_issue(tk_report *rp, tk_store *st, tk_diags *d)
{
    const tk_results *r = rp->r;
    rp->dept_roles = tk_arena_alloc(rp->arena, (r->ndepts ? r->ndepts : 1) * sizeof *rp->dept_roles);
    for (size_t i = 0; i < r->ndepts; i++)
        rp->dept_roles[i] = "";
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT (SELECT MIN(created_at) FROM workbook w WHERE w.campaign_id = ?1), code, roles "
                                       "FROM department WHERE campaign_id = ?1",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    return tk_store_each_row(st, q, issue_row, rp, NULL, d);
}

/* The previous year's campaign of the same organisation and kind, matched
 * by department code and by chapter name. */
static int load_previous(tk_report *rp, tk_store *st, tk_diags *d)
{
    const tk_results *r = rp->r;
    tk_arena *a = rp->arena;
    int rc = tk_results_load(st, r->org, r->year - 1, r->kind, &rp->prev, d);
    if (rc <= 0)
        return rc;
    const tk_results *pr = rp->prev;
    rp->prev_dept = tk_arena_alloc(a, (r->ndepts ? r->ndepts : 1) * sizeof *rp->prev_dept);
    memset(rp->prev_dept, 0, (r->ndepts ? r->ndepts : 1) * sizeof *rp->prev_dept);
    rp->prev_chapter = tk_arena_alloc(a, (rp->nchapters ? rp->nchapters : 1) * sizeof *rp->prev_chapter);
    memset(rp->prev_chapter, 0, (rp->nchapters ? rp->nchapters : 1) * sizeof *rp->prev_chapter);
    tk_strmap dm = {0}, cm = {0};
    for (size_t i = 0; i < r->ndepts; i++)
        tk_strmap_set(&dm, r->depts[i].code, (const void *)(uintptr_t)(i + 1));
    for (size_t i = 0; i < rp->nchapters; i++)
        tk_strmap_set(&cm, rp->by_chapter[i].label, (const void *)(uintptr_t)(i + 1));
    tk_group *g;
    size_t n = tk_results_group(pr, TK_BY_DEPARTMENT, &g, &rp->prev_total);
    for (size_t i = 0; i < n; i++) {
        long di = dept_index(&dm, g[i].code);
        if (di >= 0)
            rp->prev_dept[di] = g[i].tally;
    }
    free(g);
    n = tk_results_group(pr, TK_BY_CHAPTER, &g, &(tk_tally){0});
    for (size_t i = 0; i < n; i++) {
        long ci = dept_index(&cm, g[i].label);
        if (ci >= 0)
            rp->prev_chapter[ci] = g[i].tally;
    }
    free(g);
    tk_strmap_free(&dm);
    tk_strmap_free(&cm);
    for (size_t i = 0; i < pr->ndepts; i++) {
        rp->prev_issued += pr->depts[i].issued;
        rp->prev_returned += pr->depts[i].issued && pr->depts[i].returned_at;
    }
    /* page 1's 前年度 column: 要対応, 横断的課題 and the plans written then */
    rp->prev_flagged = pr->flagged;
    n = tk_results_group(pr, TK_BY_ITEM, &g, &(tk_tally){0});
    for (size_t i = 0; i < n; i++)
        rp->prev_cross += is_cross_cutting(rp, g[i].tally.negative, g[i].tally.answered);
    free(g);
    for (size_t i = 0; i < rp->ncarried; i++)
        if (rp->carried[i].year == pr->year)
            rp->prev_plans = rp->carried[i].total;
    rp->prev_has = true;
    return 1;
}

/* An audit's 要対応 is a finding (指摘事項) still without a plan past the
 * response deadline (findings.h), as tenken findings counts it; the
 * auditor's own cells are not the auditee's to act on. Counted over the
 * cells as they stream, kept by department and item for the notices. */
static const char *audit_key(tk_buf *b, const tk_report *rp, size_t dept, size_t item)
{
    b->len = 0;
    tk_buf_printf(b, "%s\x1f%s", rp->r->depts[dept].code, rp->r->items[item].id);
    return b->data;
}

typedef struct audit_count {
    tk_report *rp;
    tk_buf key;
} audit_count;

static int count_audit_flag(void *user, const tk_res_cell *c)
{
    audit_count *ac = user;
    tk_report *rp = ac->rp;
    if (tk_strmap_get(&rp->audit_late, audit_key(&ac->key, rp, c->dept, c->item))) {
        rp->dept_flagged[c->dept]++;
        rp->flagged++;
    }
    return 0;
}

static int audit_flags(tk_report *rp, tk_store *st, tk_diags *d)
{
    const tk_results *r = rp->r;
    if (tk_findings_action_needed(st, r->org, r->year, rp->today, &rp->audit_late, rp->arena, d) != 0)
        return -1;
    rp->audit_flag = tk_report_text(rp, "flag-audit", "回答期限までに改善計画がない指摘事項");
    memset(rp->dept_flagged, 0, (r->ndepts ? r->ndepts : 1) * sizeof *rp->dept_flagged);
    rp->flagged = 0;
    audit_count ac = {.rp = rp};
    tk_buf_init(&ac.key);
    int rc = tk_results_cells(st, r, -1, count_audit_flag, &ac, d);
    tk_buf_free(&ac.key);
    return rc == 0 ? 0 : -1;
}

long tk_report_dept_cells(const tk_report *rp, tk_store *st, size_t d, tk_arena *a, tk_res_cell **cells, tk_diags *diags)
{
    long n = tk_results_dept_cells(st, rp->r, d, a, cells, diags);
    if (n <= 0 || !rp->audit_flag)
        return n;
    tk_buf key;
    tk_buf_init(&key);
    for (long i = 0; i < n; i++) {
        tk_res_cell *c = &(*cells)[i];
        c->flag = tk_strmap_get(&rp->audit_late, audit_key(&key, rp, c->dept, c->item)) ? rp->audit_flag : NULL;
    }
    tk_buf_free(&key);
    return n;
}

int tk_report_open(tk_store *st, const tk_results *r, const tk_report_opts *o, tk_report **out, tk_diags *d)
{
    static const tk_report_opts none;
    if (!o)
        o = &none;
    *out = NULL;
    tk_report *rp = tk_xcalloc(1, sizeof *rp);
    rp->arena = tk_arena_new();
    tk_arena *a = rp->arena;
    rp->r = r;
    rp->font = o->font;
    rp->today = o->today.y ? o->today : tk_date_today();
    char b[TK_DATE_BOTH_SIZE];
    rp->date_both = tk_arena_strdup(a, tk_date_both(rp->today, b, sizeof b));
    char fy[TK_FY_LABEL_SIZE];
    rp->fy_wareki = tk_arena_strdup(a, tk_fiscal_year_wareki(r->year, fy, sizeof fy));
    rp->fy_label = tk_arena_strdup(a, tk_fiscal_year_label(r->year, fy, sizeof fy));
    if (load_wording(rp, o->template_path, d) != 0) {
        tk_report_free(rp);
        return TK_EXIT_INPUT;
    }

    size_t nd = r->ndepts, nk = r->nitems;
    /* the whole campaign, by department, chapter and item */
    rp->nby_dept = tk_results_group(r, TK_BY_DEPARTMENT, &rp->by_dept, &rp->total);
    rp->dept_group = tk_arena_alloc(a, (nd ? nd : 1) * sizeof *rp->dept_group);
    for (size_t i = 0; i < nd; i++)
        rp->dept_group[i] = -1;
    for (size_t i = 0; i < rp->nby_dept; i++)
        rp->dept_group[rp->by_dept[i].index] = (long)i;
    tk_tally t;
    rp->nchapters = tk_results_group(r, TK_BY_CHAPTER, &rp->by_chapter, &t);
    rp->nby_item = tk_results_group(r, TK_BY_ITEM, &rp->by_item, &t);
    rp->item_group = tk_arena_alloc(a, (nk ? nk : 1) * sizeof *rp->item_group);
    for (size_t k = 0; k < nk; k++)
        rp->item_group[k] = -1;
    for (size_t i = 0; i < rp->nby_item; i++)
        rp->item_group[rp->by_item[i].index] = (long)i;

    /* 要対応 and department × chapter */
    rp->dept_chapter = r->dept_chapter;
    rp->dept_flagged = tk_arena_alloc(a, (nd ? nd : 1) * sizeof *rp->dept_flagged);
    memcpy(rp->dept_flagged, r->dept_flagged, nd * sizeof *rp->dept_flagged);
    rp->flagged = r->flagged;
    if (!strcmp(r->kind, "audit") && audit_flags(rp, st, d) != 0) {
        tk_report_free(rp);
        return TK_EXIT_FAILURE;
    }

    if (load_plans(rp, st, d) != 0 || load_carried(rp, st, d) != 0 || load_issue(rp, st, d) != 0 ||
        tk_report_comment_get(st, r->campaign_id, a, &rp->comment, d) != 0 ||
        (!o->no_previous && load_previous(rp, st, d) < 0) ||
        tk_report_staff_load(st, r->org, r->year, &rp->staff, d) != 0) {
        tk_report_free(rp);
        return TK_EXIT_FAILURE;
    }
    *out = rp;
    return TK_EXIT_OK;
}

void tk_report_free(tk_report *rp)
{
    if (!rp)
        return;
    free(rp->by_dept);
    free(rp->by_chapter);
    free(rp->by_item);
    tk_results_free(rp->prev);
    tk_report_staff_free(rp->staff);
    tk_strmap_free(&rp->texts);
    tk_strmap_free(&rp->audit_late);
    free(rp->plan_months);
    tk_arena_free(rp->arena);
    free(rp);
}

/* Earlier years' open plans in the order of the department reports:
 * department code, due date (none last), id. */
typedef struct carried_open {
    int64_t id;
    struct tk_report_carried_plan p;
} carried_open;

static int by_dept_due(const void *x, const void *y)
{
    const carried_open *a = x, *b = y;
    int c = strcmp(a->p.dept_code, b->p.dept_code);
    if (c)
        return c;
    c = strcmp(a->p.due ? a->p.due : "9999", b->p.due ? b->p.due : "9999");
    return c ? c : (a->id < b->id ? -1 : a->id > b->id);
}

typedef struct carried_walk {
    tk_report *rp;
    carried_open *open;
    size_t nopen, capopen, capyears;
} carried_walk;

/* One plan of the organisation (tk_plans_each) into the counts. */
static int count_carried(void *user, const tk_plan_row *pr)
{
    carried_walk *w = user;
    tk_report *rp = w->rp;
    const tk_results *r = rp->r;
    tk_arena *a = rp->arena;
    if (pr->year > r->year)
        return 0;
    bool closed = tk_plan_status_closed(pr->status), late = pr->days_overdue > 0;
    rp->org_open += !closed;
    rp->org_overdue += late;
    if (strcmp(pr->kind ? pr->kind : "", r->kind))
        return 0;
    rp->all_plans++;
    rp->all_open += !closed;
    rp->all_overdue += late;
    if (pr->year == r->year)
        return 0;
    size_t y = 0;
    while (y < rp->ncarried && rp->carried[y].year != pr->year)
        y++;
    if (y == rp->ncarried) {
        if (rp->ncarried == w->capyears) {
            w->capyears = w->capyears ? w->capyears * 2 : 4;
            struct tk_report_carried *nc = tk_arena_alloc(a, w->capyears * sizeof *nc);
            if (rp->ncarried)
                memcpy(nc, rp->carried, rp->ncarried * sizeof *nc);
            rp->carried = nc;
        }
        rp->carried[rp->ncarried++] = (struct tk_report_carried){.year = pr->year};
    }
    rp->carried[y].total++;
    rp->carried[y].open += !closed;
    rp->carried[y].overdue += late;
    long di = tk_results_find_dept(r, pr->department_code);
    struct tk_report_carried_count *cc = di >= 0 ? &rp->carried_dept[di] : &rp->carried_other;
    cc->total++;
    cc->closed += closed;
    cc->open += !closed && !late;
    cc->overdue += late;
    if (closed)
        return 0;
    if (w->nopen == w->capopen) {
        w->capopen = w->capopen ? w->capopen * 2 : 16;
        w->open = tk_xrealloc(w->open, w->capopen * sizeof *w->open);
    }
    w->open[w->nopen++] = (carried_open){
        pr->id,
        {
            .year = pr->year,
            .days_overdue = pr->days_overdue,
            .dept_code = tk_arena_strdup(a, pr->department_code ? pr->department_code : ""),
            .ref = tk_arena_strdup(a, pr->ref ? pr->ref : ""),
            .content = tk_arena_strdup(a, pr->content ? pr->content : ""),
            .owner = tk_arena_strdup(a, pr->owner ? pr->owner : ""),
            .due = pr->due ? tk_arena_strdup(a, pr->due) : NULL,
            .status = (int)pr->status,
        }};
    return 0;
}

/* Every plan of this organisation up to this year, from tk_plans_each
 * (what `tenken plans` lists, with its overdue rule on the report's date):
 * the totals of page 1, of this kind (--kind KIND) and of every kind; this
 * kind's earlier years' plans by year and by department, and the open ones
 * for the department reports. */
static int load_carried(tk_report *rp, tk_store *st, tk_diags *d)
{
    const tk_results *r = rp->r;
    tk_arena *a = rp->arena;
    size_t nd = r->ndepts;
    rp->carried_dept = tk_arena_alloc(a, (nd ? nd : 1) * sizeof *rp->carried_dept);
    memset(rp->carried_dept, 0, (nd ? nd : 1) * sizeof *rp->carried_dept);
    tk_plan_query pq = {.org = r->org, .filter = TK_PLANS_ALL, .today = rp->today};
    carried_walk w = {.rp = rp};
    if (tk_plans_each(st, &pq, count_carried, &w, d) != 0) {
        free(w.open);
        return -1;
    }
    /* earlier years first */
    for (size_t i = 1; i < rp->ncarried; i++)
        for (size_t j = i; j > 0 && rp->carried[j - 1].year > rp->carried[j].year; j--) {
            struct tk_report_carried t = rp->carried[j];
            rp->carried[j] = rp->carried[j - 1];
            rp->carried[j - 1] = t;
        }
    if (w.nopen)
        qsort(w.open, w.nopen, sizeof *w.open, by_dept_due);
    rp->ncplans = w.nopen;
    rp->cplans = tk_arena_alloc(a, (w.nopen ? w.nopen : 1) * sizeof *rp->cplans);
    for (size_t i = 0; i < w.nopen; i++)
        rp->cplans[i] = w.open[i].p;
    free(w.open);
    return 0;
}

/* ======================================================================
 * Counting what the tallies do not hold
 * ====================================================================== */

const tk_tally *tk_rp_dept_tally(const tk_report *rp, size_t d)
{
    long g = rp->dept_group[d];
    return g >= 0 ? &rp->by_dept[g].tally : NULL;
}

double tk_rp_dept_score(const tk_report *rp, size_t d)
{
    const tk_tally *t = tk_rp_dept_tally(rp, d);
    return t ? tk_tally_score(t) : NAN;
}

double tk_rp_prev_score(const tk_tally *t) { return t && t->issued ? tk_tally_score(t) : NAN; }

/* Issued departments, best score first (by the printed value; no score
 * last; ties in code order). */
typedef struct dept_score_rec {
    size_t dept;
    double score; /* rounded as printed */
} dept_score_rec;

static int by_score_desc(const void *x, const void *y)
{
    const dept_score_rec *a = x, *b = y;
    if (isnan(a->score) != isnan(b->score))
        return isnan(a->score) ? 1 : -1;
    if (!isnan(a->score) && a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return a->dept < b->dept ? -1 : a->dept > b->dept;
}

size_t *tk_rp_depts_by_score(const tk_report *rp, size_t *n)
{
    size_t m = rp->nby_dept;
    dept_score_rec *v = tk_xcalloc(m ? m : 1, sizeof *v);
    for (size_t i = 0; i < m; i++)
        v[i] = (dept_score_rec){rp->by_dept[i].index, tk_round1(tk_tally_score(&rp->by_dept[i].tally))};
    qsort(v, m, sizeof *v, by_score_desc);
    size_t *out = tk_xcalloc(m ? m : 1, sizeof *out);
    for (size_t i = 0; i < m; i++)
        out[i] = v[i].dept;
    free(v);
    *n = m;
    return out;
}

/* ======================================================================
 * Writing the files
 * ====================================================================== */

/* The documents as jobs of a tk_workers run: each worker (or this
 * process) reads the database on a connection of its own (SQLite's are
 * not to cross a fork). */
typedef struct pdf_run {
    const char *db;
    tk_store *st;
    char *const *paths;
    bool force;
    tk_rp_make_pdf make;
    void *user;
    size_t written;
} pdf_run;

static int pdf_start(void *user, tk_diags *d)
{
    pdf_run *x = user;
    x->st = tk_store_open_mode(x->db, TK_STORE_READ, NULL, d);
    return x->st ? 0 : -1;
}

static void pdf_finish(void *user)
{
    pdf_run *x = user;
    tk_store_close(x->st);
    x->st = NULL;
}

static int pdf_job(void *user, size_t i, char result[TK_WORKERS_RESULT], tk_diags *d)
{
    (void)result;
    pdf_run *x = user;
    tk_pdf *p = x->make(x->user, x->st, i, d);
    int rc = p && tk_pdf_save(p, x->paths[i], x->force) == 0 ? 0 : -1;
    tk_pdf_free(p);
    return rc;
}

static void pdf_done(void *user, size_t i, bool ok, const char *result)
{
    (void)i;
    (void)result;
    ((pdf_run *)user)->written += ok;
}

static const char *pdf_path(void *user, size_t i) { return ((pdf_run *)user)->paths[i]; }

int tk_rp_write_pdfs(const char *db, size_t n, char *const *paths, const size_t *cost, int jobs, bool force,
                     tk_rp_make_pdf make, void *user, const char *what, size_t *written, tk_diags *d)
{
    tk_arena *a = tk_arena_new();
    pdf_run x = {.db = db, .paths = paths, .force = force, .make = make, .user = user};
    tk_workers w = {.njobs = n,
                    .jobs = jobs,
                    .cost = cost,
                    .user = &x,
                    .start = pdf_start,
                    .finish = pdf_finish,
                    .run = pdf_job,
                    .done = pdf_done,
                    .file = pdf_path,
                    .failed = tk_arena_printf(a, "%sを作成できません", what),
                    .lost = tk_arena_printf(a, "%sを作成できませんでした (作業用のプロセスが途中で終了しました)", what)};
    int rc = tk_workers_run(&w, d) == 0 ? TK_EXIT_OK : TK_EXIT_FAILURE;
    *written = x.written;
    tk_arena_free(a);
    return rc;
}

int tk_rp_ensure_parent(const char *path, tk_diags *d)
{
    tk_arena *a = tk_arena_new();
    char *dir = tk_path_dirname(a, path);
    int rc = 0;
    if (dir && *dir && tk_mkdirs(dir) != 0) {
        tk_diag_error(d, dir, 0, "フォルダを作れません: %s", strerror(errno));
        rc = -1;
    }
    tk_arena_free(a);
    return rc;
}

double tk_rp_low_threshold(const tk_report *rp)
{
    return rp->nbands >= 2 ? tk_round1(rp->bands[rp->nbands - 2].min * 100.0) : 0;
}

typedef struct chapter_score_rec {
    size_t c;
    double score;
} chapter_score_rec;

static int by_chapter_score(const void *x, const void *y)
{
    const chapter_score_rec *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return a->c < b->c ? -1 : a->c > b->c;
}

size_t *tk_rp_chapters_by_score(const tk_report *rp, size_t *n)
{
    chapter_score_rec *v = tk_xcalloc(rp->nchapters ? rp->nchapters : 1, sizeof *v);
    size_t m = 0;
    for (size_t c = 0; c < rp->nchapters; c++) {
        double sc = tk_tally_score(&rp->by_chapter[c].tally);
        if (!isnan(sc))
            v[m++] = (chapter_score_rec){c, tk_round1(sc)};
    }
    qsort(v, m, sizeof *v, by_chapter_score);
    size_t *out = tk_xcalloc(m ? m : 1, sizeof *out);
    for (size_t i = 0; i < m; i++)
        out[i] = v[i].c;
    free(v);
    *n = m;
    return out;
}
