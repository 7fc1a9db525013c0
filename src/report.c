/* report.c — the committee report and the department feedback reports (PDF),
 * and the figures every report shares. See report.h; the summary workbook
 * is in report_xlsx.c.
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

#include "tenken/chart.h"
#include "tenken/score.h"
#include "tenken/template.h"
#include "tenken/text.h"
#include "tenken/xmlutil.h"

/* Colours of the report's own drawings (charts.c has its own). */
#define C_INK TK_PDF_HEX(0x1A1A1A)
#define C_GREY TK_PDF_HEX(0x4D4D4D)
#define C_GRID TK_PDF_HEX(0xE1E4E8)
#define C_AXIS TK_PDF_HEX(0x6B7480)
#define C_BLUE TK_PDF_HEX(0x4A7DB5)
#define C_PALE TK_PDF_HEX(0xB8C2CC)
#define C_WARN TK_PDF_HEX(0xB03A12)
#define C_WARN_FILL TK_PDF_HEX(0xFCE4D6)
#define C_DONE TK_PDF_HEX(0x009E73)
#define C_OPEN TK_PDF_HEX(0x56B4E9)
#define C_LATE TK_PDF_HEX(0xD55E00)

/* How many of the weakest items the committee report lists. */
#define WEAKEST_ITEMS 20
/* Months shown in the plans-by-due-month chart before the rest are pooled. */
#define MAX_MONTHS 24

/* ======================================================================
 * Small helpers
 * ====================================================================== */

static const char *f1(tk_arena *a, double v)
{
    char b[16];
    return tk_arena_strdup(a, tk_fmt1(v, b));
}

static const char *zu(tk_arena *a, size_t v) { return tk_arena_printf(a, "%zu", v); }

/* The change between two printed scores, as printed: "+2.6", "-1.2", "0.0". */
static const char *delta(tk_arena *a, double cur, double prev)
{
    if (isnan(cur) || isnan(prev))
        return "—";
    double d = tk_round1(cur) - tk_round1(prev);
    char b[16];
    tk_fmt1(d, b);
    return tk_round1(d) > 0 ? tk_arena_printf(a, "+%s", b) : tk_arena_strdup(a, b);
}

/* At most max code points of s, cut at a word boundary with "…" (tk_text_shorten). */
static const char *clip(tk_arena *a, const char *s, size_t max)
{
    return tk_text_shorten(a, s, max);
}

/* An item as a table shows it: the lead-in (shortened) above its text. */
static const char *item_cell(tk_arena *a, const tk_res_item *it)
{
    if (it->context && *it->context)
        return tk_arena_printf(a, "%s\n%s", clip(a, it->context, 48), it->text ? it->text : "");
    return it->text ? it->text : "";
}

/* "2027/3/28" from an ISO date; the text as stored when unreadable. */
static const char *short_date(tk_arena *a, const char *iso)
{
    tk_date d;
    if (!iso || !*iso)
        return "";
    if (!tk_date_parse(iso, &d))
        return iso;
    return tk_arena_printf(a, "%d/%d/%d", d.y, d.m, d.d);
}

/* The date part of a stored timestamp in 和暦（西暦）. */
static const char *stamp_date(tk_arena *a, const char *stamp)
{
    tk_date d;
    if (!stamp || strlen(stamp) < 10)
        return "";
    char iso[11];
    memcpy(iso, stamp, 10);
    iso[10] = 0;
    if (!tk_date_parse(iso, &d))
        return tk_arena_strdup(a, iso);
    char b[TK_DATE_BOTH_SIZE];
    return tk_arena_strdup(a, tk_date_both(d, b, sizeof b));
}

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

tk_results tk_report_dept_view(const tk_report *rp, size_t d)
{
    tk_results v = *rp->r;
    v.cells = rp->dcells + rp->doff[d];
    v.ncells = rp->doff[d + 1] - rp->doff[d];
    return v;
}

size_t tk_report_issued(const tk_report *rp) { return rp->nby_dept; }

size_t tk_report_returned(const tk_report *rp)
{
    size_t n = 0;
    for (size_t i = 0; i < rp->r->ndepts; i++)
        n += rp->r->depts[i].issued && rp->r->depts[i].returned_at;
    return n;
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
    /* one department is no cross-cutting issue, whatever its share */
    return n > 0 && m >= 2 && (double)m / (double)n >= rp->cross_threshold;
}

/* Department indices ordered by department code (results order). */
static long dept_index(const tk_strmap *m, const char *code)
{
    uintptr_t v = (uintptr_t)tk_strmap_get(m, code ? code : "");
    return v ? (long)v - 1 : -1;
}

static int load_carried(tk_report *rp, tk_store *st, tk_diags *d);

static int load_plans(tk_report *rp, tk_store *st, tk_diags *d)
{
    const tk_results *r = rp->r;
    tk_arena *a = rp->arena;
    sqlite3 *db = tk_store_sqlite(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT department_code, item_id, origin, content, owner, due, status FROM plan "
                           "WHERE campaign_id = ? ORDER BY department_code, COALESCE(due, '9999-99-99'), item_id",
                           -1, &q, NULL) != SQLITE_OK) {
        tk_diag_error(d, tk_store_path(st), 0, "改善計画を読み出せません: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(q, 1, r->campaign_id);
    tk_strmap dm = {0}, im = {0};
    for (size_t i = 0; i < r->ndepts; i++)
        tk_strmap_set(&dm, r->depts[i].code, (const void *)(uintptr_t)(i + 1));
    for (size_t i = 0; i < r->nitems; i++)
        tk_strmap_set(&im, r->items[i].id, (const void *)(uintptr_t)(i + 1));
    size_t cap = 0;
    tk_report_plan *pl = NULL;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *dc = (const char *)sqlite3_column_text(q, 0);
        long di = dept_index(&dm, dc);
        if (di < 0)
            continue;
        if (rp->nplans == cap) {
            cap = cap ? cap * 2 : 64;
            pl = tk_xrealloc(pl, cap * sizeof *pl);
        }
        tk_report_plan *p = &pl[rp->nplans++];
        memset(p, 0, sizeof *p);
        p->dept = (size_t)di;
        const char *iid = (const char *)sqlite3_column_text(q, 1);
        p->item_id = tk_arena_strdup(a, iid ? iid : "");
        p->item = dept_index(&im, p->item_id);
        p->cell = -1;
        const char *s;
        p->origin = (s = (const char *)sqlite3_column_text(q, 2)) ? tk_arena_strdup(a, s) : "";
        p->content = (s = (const char *)sqlite3_column_text(q, 3)) ? tk_arena_strdup(a, s) : "";
        p->owner = (s = (const char *)sqlite3_column_text(q, 4)) ? tk_arena_strdup(a, s) : "";
        p->due = (s = (const char *)sqlite3_column_text(q, 5)) && *s ? tk_arena_strdup(a, s) : NULL;
        if (!p->due || !tk_date_parse(p->due, &p->due_date))
            p->due_date = (tk_date){0, 0, 0};
        s = (const char *)sqlite3_column_text(q, 6);
        if (!s || !tk_plan_status_parse(s, &p->status))
            p->status = TK_PLAN_NOT_STARTED;
        p->open = !tk_plan_status_closed(p->status);
        p->days_overdue = tk_plan_days_overdue(p->status, p->due_date, rp->today);
    }
    sqlite3_finalize(q);
    tk_strmap_free(&dm);
    tk_strmap_free(&im);
    if (rc != SQLITE_DONE) {
        free(pl);
        tk_diag_error(d, tk_store_path(st), 0, "改善計画を読み出せません: %s", sqlite3_errmsg(db));
        return -1;
    }
    /* stable by department (already by code; kept safe), then offsets */
    size_t nd = r->ndepts;
    rp->poff = tk_arena_alloc(a, (nd + 1) * sizeof *rp->poff);
    memset(rp->poff, 0, (nd + 1) * sizeof *rp->poff);
    for (size_t i = 0; i < rp->nplans; i++)
        rp->poff[pl[i].dept + 1]++;
    for (size_t i = 0; i < nd; i++)
        rp->poff[i + 1] += rp->poff[i];
    size_t *fill = tk_xcalloc(nd + 1, sizeof *fill);
    rp->plans = tk_arena_alloc(a, (rp->nplans ? rp->nplans : 1) * sizeof *rp->plans);
    for (size_t i = 0; i < rp->nplans; i++)
        rp->plans[rp->poff[pl[i].dept] + fill[pl[i].dept]++] = pl[i];
    free(fill);
    free(pl);
    /* the cell each plan belongs to */
    long *pos = tk_xcalloc(r->nitems ? r->nitems : 1, sizeof *pos);
    for (size_t k = 0; k < r->nitems; k++)
        pos[k] = -1;
    for (size_t dd = 0; dd < nd; dd++) {
        for (size_t c = rp->doff[dd]; c < rp->doff[dd + 1]; c++)
            pos[rp->dcells[c].item] = (long)c;
        for (size_t i = rp->poff[dd]; i < rp->poff[dd + 1]; i++) {
            tk_report_plan *p = &rp->plans[i];
            if (p->item >= 0 && pos[p->item] >= 0) {
                p->cell = pos[p->item];
                rp->cell_plan[p->cell] = (long)i;
            }
        }
        for (size_t c = rp->doff[dd]; c < rp->doff[dd + 1]; c++)
            pos[rp->dcells[c].item] = -1;
    }
    free(pos);
    return 0;
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
    rp->prev_has = true;
    return 1;
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

    /* cells by department (a stable counting sort) */
    rp->doff = tk_arena_alloc(a, (nd + 1) * sizeof *rp->doff);
    memset(rp->doff, 0, (nd + 1) * sizeof *rp->doff);
    for (size_t i = 0; i < r->ncells; i++)
        rp->doff[r->cells[i].dept + 1]++;
    for (size_t i = 0; i < nd; i++)
        rp->doff[i + 1] += rp->doff[i];
    size_t *fill = tk_xcalloc(nd + 1, sizeof *fill);
    rp->dcells = tk_arena_alloc(a, (r->ncells ? r->ncells : 1) * sizeof *rp->dcells);
    for (size_t i = 0; i < r->ncells; i++) {
        size_t dd = r->cells[i].dept;
        rp->dcells[rp->doff[dd] + fill[dd]++] = r->cells[i];
    }
    free(fill);
    rp->cell_plan = tk_arena_alloc(a, (r->ncells ? r->ncells : 1) * sizeof *rp->cell_plan);
    for (size_t i = 0; i < r->ncells; i++) {
        rp->cell_plan[i] = -1;
        rp->flagged += r->cells[i].flag != NULL;
    }

    /* department × chapter: tk_results_group over each department's view */
    size_t nc = rp->nchapters, ndc = nd * nc > 0 ? nd * nc : 1;
    rp->dept_chapter = tk_arena_alloc(a, ndc * sizeof *rp->dept_chapter);
    memset(rp->dept_chapter, 0, ndc * sizeof *rp->dept_chapter);
    for (size_t dd = 0; dd < nd; dd++) {
        if (rp->doff[dd + 1] == rp->doff[dd])
            continue;
        tk_results v = tk_report_dept_view(rp, dd);
        tk_group *g;
        size_t n = tk_results_group(&v, TK_BY_CHAPTER, &g, &t);
        /* the same items give the same chapters in the same order */
        for (size_t c = 0; c < n && c < nc; c++)
            if (!strcmp(g[c].label, rp->by_chapter[c].label))
                rp->dept_chapter[dd * nc + c] = g[c].tally;
        free(g);
    }

    if (load_plans(rp, st, d) != 0 || load_carried(rp, st, d) != 0 ||
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
    tk_arena_free(rp->arena);
    free(rp);
}

/* ======================================================================
 * Layout helpers
 * ====================================================================== */

#define TX(key, dflt) tk_report_text(rp, (key), (dflt))

static void heading_n(tk_pdf *p, tk_arena *a, int *sec, const char *text)
{
    ++*sec;
    tk_pdf_heading(p, 1, tk_arena_printf(a, "%d　%s", *sec, text));
}

/* Start a new page now when a block of about height pt (a heading and the
 * chart below it) does not fit on this one but would on the next. */
static void keep_block(tk_pdf *p, double height)
{
    tk_pdf_frame f = tk_pdf_get_frame(p);
    if (height <= f.top - f.bottom && tk_pdf_space_left(p) < height)
        tk_pdf_page_break(p);
}

static void note(tk_pdf *p, const char *text)
{
    tk_pdf_paragraph(p, text, &(tk_pdf_style){.size = 8.5, .color = C_GREY, .leading = 1.5});
}

/* A table with its widths in millimetres. */
static tk_pdf_table *table_sized(tk_pdf *p, size_t n, const double *mm, const char *const *heads,
                                 const tk_pdf_align *al, double size)
{
    tk_pdf_table_opts o = {.widths_mm = true, .align = al, .zebra = true, .size = size};
    return tk_pdf_table_begin(p, n, mm, heads, &o);
}

static tk_pdf_table *table(tk_pdf *p, size_t n, const double *mm, const char *const *heads, const tk_pdf_align *al)
{
    return table_sized(p, n, mm, heads, al, 0);
}

/* s[0..len) shortened to fit width with "…" at its end, into buf. */
static void cut_to_width(tk_pdf *p, const char *s, size_t len, double size, double width, char *buf, size_t n)
{
    const char *e = s + len, *q = s, *last = s;
    double ew = tk_pdf_text_width(p, "…", size);
    while (q < e) {
        const char *nx = q;
        tk_utf8_next(&nx, e);
        snprintf(buf, n, "%.*s", (int)(nx - s), s);
        if (tk_pdf_text_width(p, buf, size) + ew > width)
            break;
        last = q = nx;
    }
    snprintf(buf, n, "%.*s…", (int)(last - s), s);
}

/* Two values per row as horizontal bars (this department and the
 * organisation, this year and the last), labels on the left, values at the
 * bar ends, a legend above. Rows continue on the next page when needed. */
typedef struct pair_chart {
    const char *title, *name_a, *name_b;
    uint32_t color_a, color_b;
} pair_chart;

static void pair_bars(tk_pdf *p, const pair_chart *pc, size_t n, const char *const *labels, const double *va,
                      const double *vb)
{
    if (n == 0)
        return;
    const double lab_size = 8.0, val_size = 7.5, bar_h = 7.0, gap = 1.5, pad = 5.0;
    tk_pdf_frame f = tk_pdf_get_frame(p);
    double W = f.right - f.left, labw = W * 0.30;
    double valw = tk_pdf_text_width(p, "100.0", val_size) + 8;
    double x0 = f.left + labw + 6, x1 = f.right - valw, sc = (x1 - x0) / 100.0;
    double row_h = 2 * bar_h + gap + 2 * pad;
    double head_h = (pc->title ? 18.0 : 0) + 16.0, axis_h = 14.0;
    size_t i = 0;
    bool first = true;
    while (i < n) {
        double room = tk_pdf_space_left(p) - head_h - axis_h;
        size_t k = room > 0 ? (size_t)(room / row_h) : 0;
        if (k < (n - i < 3 ? n - i : 3)) {
            tk_pdf_page_break(p);
            room = f.top - f.bottom - head_h - axis_h;
            k = (size_t)(room / row_h);
        }
        if (k == 0)
            k = 1;
        if (k > n - i)
            k = n - i;
        double top = tk_pdf_reserve(p, head_h + (double)k * row_h + axis_h);
        double y = top;
        if (pc->title) {
            if (first)
                tk_pdf_draw_text(p, f.left, y - 11.5, 10.5, C_INK, TK_PDF_ALIGN_LEFT, pc->title);
            y -= 18;
        }
        /* legend, right aligned */
        double lx = f.right, ly = y - 10;
        const char *names[2] = {pc->name_a, pc->name_b};
        uint32_t cols[2] = {pc->color_a, pc->color_b};
        for (int s = 1; s >= 0; s--) {
            double tw = tk_pdf_text_width(p, names[s], 8);
            lx -= tw;
            tk_pdf_draw_text(p, lx, ly, 8, C_INK, TK_PDF_ALIGN_LEFT, names[s]);
            lx -= 11;
            tk_pdf_draw_rect(p, lx, ly - 0.5, 8, 8, cols[s], 0, 0);
            lx -= 14;
        }
        y -= 16;
        double pt = y, pb = y - (double)k * row_h;
        for (int t = 0; t <= 100; t += 20) {
            double x = x0 + t * sc;
            tk_pdf_draw_line(p, x, pt, x, pb, 0.4, C_GRID, false);
            char ts[16];
            snprintf(ts, sizeof ts, "%d", t);
            tk_pdf_draw_text(p, x, pb - 10, 7.5, C_GREY, TK_PDF_ALIGN_CENTER, ts);
        }
        for (size_t j = i; j < i + k; j++) {
            double rt = pt - (double)(j - i) * row_h, cy = rt - row_h / 2;
            /* the label, at most two lines */
            tk_pdf_line *ln;
            const char *lab = labels[j] ? labels[j] : "";
            size_t nl = tk_pdf_break_lines(p, lab, lab_size, labw, &ln);
            size_t show = nl > 2 ? 2 : nl;
            double block = (double)show * lab_size * 1.25;
            for (size_t l = 0; l < show; l++) {
                char buf[512];
                size_t len = ln[l].end - ln[l].start;
                if (len > 400)
                    len = 400;
                if (l == 1 && nl > 2)
                    cut_to_width(p, lab + ln[l].start, len, lab_size, labw, buf, sizeof buf);
                else
                    snprintf(buf, sizeof buf, "%.*s", (int)len, lab + ln[l].start);
                double ly2 = cy + block / 2 - lab_size * 1.25 * ((double)l + 0.5) - 0.35 * lab_size;
                tk_pdf_draw_text(p, x0 - 6, ly2, lab_size, C_INK, TK_PDF_ALIGN_RIGHT, buf);
            }
            free(ln);
            const double *vals[2] = {va, vb};
            for (int s = 0; s < 2; s++) {
                double v = vals[s][j];
                double bt = s == 0 ? cy + gap / 2 : cy - gap / 2 - bar_h;
                double xe = x0;
                if (!isnan(v)) {
                    double vv = v < 0 ? 0 : v > 100 ? 100 : v;
                    xe = x0 + vv * sc;
                    if (xe > x0)
                        tk_pdf_draw_rect(p, x0, bt, xe - x0, bar_h, cols[s], 0, 0);
                }
                char vs[16];
                tk_fmt1(v, vs);
                tk_pdf_draw_text(p, xe + 3, bt + bar_h / 2 - 0.35 * val_size, val_size, s == 0 ? C_INK : C_GREY,
                                 TK_PDF_ALIGN_LEFT, vs);
            }
        }
        tk_pdf_draw_line(p, x0, pt, x0, pb, 0.6, C_AXIS, false);
        tk_pdf_draw_line(p, x0, pb, x1, pb, 0.6, C_AXIS, false);
        i += k;
        first = false;
    }
    tk_pdf_space(p, 3);
}

/* ======================================================================
 * Counting what the tallies do not hold
 * ====================================================================== */

static size_t flagged_in(const tk_report *rp, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t c = from; c < to; c++)
        n += rp->dcells[c].flag != NULL;
    return n;
}

typedef struct plan_count {
    size_t total, closed, open, late;
} plan_count;

static plan_count plans_in(const tk_report *rp, size_t from, size_t to)
{
    plan_count pc = {0};
    for (size_t i = from; i < to; i++) {
        const tk_report_plan *p = &rp->plans[i];
        pc.total++;
        if (!p->open)
            pc.closed++;
        else if (p->days_overdue > 0)
            pc.late++;
        else
            pc.open++;
    }
    return pc;
}

static const tk_tally *dept_tally(const tk_report *rp, size_t d)
{
    long g = rp->dept_group[d];
    return g >= 0 ? &rp->by_dept[g].tally : NULL;
}

static double dept_score(const tk_report *rp, size_t d)
{
    const tk_tally *t = dept_tally(rp, d);
    return t ? tk_tally_score(t) : NAN;
}

static double prev_score(const tk_tally *t) { return t && t->issued ? tk_tally_score(t) : NAN; }

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

static size_t *depts_by_score(const tk_report *rp, size_t *n)
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

/* Chapter labels short enough for heat-map columns: "対策基準 6 技術的…"
 * gives "対策基準 6", "第２章 ４． 情報資産…" gives "第２章 ４", "第1章 総則"
 * gives "第1章", "情報セキュリティ基本方針" gives "基本方針" (every chapter is
 * about it); anything else stays as it is. */
static bool is_digit_cp(int32_t c) { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19); }

static const char *short_chapter(tk_arena *a, const char *ch)
{
    static const char common[] = "情報セキュリティ";
    const char *end = ch + strlen(ch), *p = ch, *sp = NULL, *sp_end = NULL;
    while (p < end && !sp) { /* the first space, ASCII or ideographic */
        const char *q = p;
        int32_t c = tk_utf8_next(&q, end);
        if (c == ' ' || c == 0x3000) {
            sp = p;
            sp_end = q;
        }
        p = q;
    }
    if (!sp)
        return tk_str_starts(ch, common) && ch[sizeof common - 1] ? ch + sizeof common - 1 : ch;
    /* the number at the start of the second word */
    const char *q = sp_end, *num_end = sp_end;
    while (q < end) {
        const char *r = q;
        if (!is_digit_cp(tk_utf8_next(&r, end)))
            break;
        q = num_end = r;
    }
    bool chapter_word = (size_t)(sp - ch) >= strlen("章") && !memcmp(sp - strlen("章"), "章", strlen("章"));
    if (num_end > sp_end)
        return tk_arena_printf(a, "%.*s %.*s", (int)(sp - ch), ch, (int)(num_end - sp_end), sp_end);
    if (chapter_word)
        return tk_arena_strndup(a, ch, (size_t)(sp - ch));
    return ch;
}

/* Short labels for all chapters, or the full ones when two would look the
 * same. */
static const char **chapter_columns(const tk_report *rp, tk_arena *a)
{
    size_t nc = rp->nchapters;
    const char **v = tk_arena_alloc(a, (nc ? nc : 1) * sizeof *v);
    for (size_t c = 0; c < nc; c++)
        v[c] = short_chapter(a, rp->by_chapter[c].label);
    for (size_t i = 0; i < nc; i++)
        for (size_t j = i + 1; j < nc; j++)
            if (!strcmp(v[i], v[j])) {
                for (size_t c = 0; c < nc; c++)
                    v[c] = rp->by_chapter[c].label;
                return v;
            }
    return v;
}

/* ======================================================================
 * The committee report
 * ====================================================================== */

static void committee_summary(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    heading_n(p, a, sec, TX("summary", "概要"));
    size_t issued = tk_report_issued(rp), returned = tk_report_returned(rp);
    double score = tk_tally_score(&rp->total), rate = tk_tally_answer_rate(&rp->total);
    size_t flagged = rp->flagged;
    plan_count pc = plans_in(rp, 0, rp->nplans);
    size_t cross = 0;
    for (size_t k = 0; k < r->nitems; k++)
        cross += tk_report_cross_cutting(rp, k, NULL, NULL);
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "%sの%s%sの結果を報告します。点検票を %zu 部署に配布し、%zu 部署から回収しました。"
                                     "全体の得点は %s、回答率は %s%% でした。",
                                     r->org_name, rp->fy_wareki, rp->kind_name, issued, returned, f1(a, score),
                                     f1(a, rate)),
                     &(tk_pdf_style){.first_indent = true});

    bool pv = rp->prev_has;
    const tk_results *pr = rp->prev;
    char fy[TK_FY_LABEL_SIZE];
    const char *heads[] = {"項目", tk_arena_printf(a, "本年度（%d年度）", r->year),
                           pv ? tk_arena_printf(a, "前年度（%d年度）", r->year - 1) : NULL};
    double w3[] = {54, 60, 60}, w2[] = {70, 104};
    tk_pdf_table *t = table(p, pv ? 3 : 2, pv ? w3 : w2, heads, NULL);
    const char *dl = "—", *pdl = "—";
    char b[TK_DATE_BOTH_SIZE];
    tk_date dd;
    if (r->deadline && *r->deadline && tk_date_parse(r->deadline, &dd))
        dl = tk_arena_strdup(a, tk_date_both(dd, b, sizeof b));
    if (pv && pr->deadline && *pr->deadline && tk_date_parse(pr->deadline, &dd))
        pdl = tk_arena_strdup(a, tk_date_both(dd, b, sizeof b));
    double pscore = pv ? prev_score(&rp->prev_total) : NAN;
    double prate = pv ? tk_tally_answer_rate(&rp->prev_total) : NAN;
    const char *band = tk_report_band(rp, score), *pband = tk_report_band(rp, pscore);
    const char *rows[][3] = {
        {"対象年度", rp->fy_label, pv ? tk_arena_strdup(a, tk_fiscal_year_label(r->year - 1, fy, sizeof fy)) : ""},
        {"提出期限", dl, pdl},
        {"点検票の回収（提出 / 配布）", tk_arena_printf(a, "%zu / %zu 部署", returned, issued),
         pv ? tk_arena_printf(a, "%zu / %zu 部署", rp->prev_returned, rp->prev_issued) : ""},
        {"全体の得点", *band ? tk_arena_printf(a, "%s（%s）", f1(a, score), band) : f1(a, score),
         pv ? (*pband ? tk_arena_printf(a, "%s（%s）", f1(a, pscore), pband) : f1(a, pscore)) : ""},
        {"回答率（%）",
         tk_arena_printf(a, "%s（回答 %zu / 対象 %zu 項目）", f1(a, rate), rp->total.answered,
                         tk_tally_applicable(&rp->total)),
         pv ? tk_arena_printf(a, "%s（回答 %zu / 対象 %zu 項目）", f1(a, prate), rp->prev_total.answered,
                              tk_tally_applicable(&rp->prev_total))
            : ""},
        {"否定的な回答", tk_arena_printf(a, "%zu 件", rp->total.negative),
         pv ? tk_arena_printf(a, "%zu 件", rp->prev_total.negative) : ""},
        {"要対応（改善計画等の未記入）", tk_arena_printf(a, "%zu 件", flagged), ""},
        {"改善計画", tk_arena_printf(a, "%zu 件", pc.total), ""},
        {"　うち未完了", tk_arena_printf(a, "%zu 件", pc.open + pc.late), ""},
        {"　うち完了予定日を過ぎたもの", tk_arena_printf(a, "%zu 件", pc.late), ""},
        {rp->cross_label, tk_arena_printf(a, "%zu 項目", cross), ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
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
                tk_buf_printf(&s, "%s %s 以上「%s」", i ? "、" : "", mb, rp->bands[i].label);
            else
                tk_buf_printf(&s, "%sそれ未満「%s」", i ? "、" : "", rp->bands[i].label);
        }
        tk_buf_puts(&s, "です。");
    }
    tk_buf_printf(&s, "（%s 現在）", rp->date_both);
    note(p, s.data);
    tk_buf_free(&s);
}

static void committee_departments(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    size_t n;
    size_t *order = depts_by_score(rp, &n);
    keep_block(p, 60 + 16.0 * (double)n + 40);
    heading_n(p, a, sec, TX("by-department", "部署別の得点"));
    const char **labels = tk_arena_alloc(a, (n ? n : 1) * sizeof *labels);
    double *vals = tk_arena_alloc(a, (n ? n : 1) * sizeof *vals);
    for (size_t i = 0; i < n; i++) {
        labels[i] = r->depts[order[i]].name;
        vals[i] = tk_round1(dept_score(rp, order[i]));
    }
    double low = rp->nbands >= 2 ? tk_round1(rp->bands[rp->nbands - 2].min * 100.0) : 0;
    /* the legend goes into the caption: a note below would cost the
     * table's last row its place on this page */
    tk_chart_bars_opts bo = {
        .title = low > 0 ? tk_arena_printf(a, "図%d-1　部署別の得点（高い順。破線は全体の得点、朱色は %s 未満）", *sec, f1(a, low))
                         : tk_arena_printf(a, "図%d-1　部署別の得点（高い順。破線は全体の得点）", *sec),
        .average_label = TX("average", "全体"),
        .low_below = low};
    tk_chart_bars(p, &bo, n, labels, vals, tk_round1(tk_tally_score(&rp->total)));
    if (tk_report_returned(rp) < tk_report_issued(rp))
        note(p, "点検票を提出していない部署は「—」で示しています。");

    bool pv = rp->prev_has;
    const char *heads[] = {"順位", "部署", "得点", "評価", "回答率\n（%）", "否定的\n回答", "要対応", "前年度", "増減"};
    double w[] = {11, 45, 15, 26, 18, 16, 15, 15, 13};
    tk_pdf_align al[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    size_t ncol = pv ? 9 : 7;
    if (!pv)
        w[1] += 28;
    /* a little smaller, so that a typical list stays on the chart's page */
    tk_pdf_table *t = table_sized(p, ncol, w, heads, al, 8.5);
    size_t rank = 0;
    double last = NAN;
    for (size_t i = 0; i < n; i++) {
        size_t d = order[i];
        const tk_tally *tt = dept_tally(rp, d);
        double sc = tk_tally_score(tt);
        if (isnan(last) || tk_round1(sc) != last)
            rank = i + 1;
        last = tk_round1(sc);
        bool returned = r->depts[d].returned_at != NULL;
        const char *cells[9] = {
            isnan(sc) ? "—" : zu(a, rank),
            r->depts[d].name,
            f1(a, sc),
            returned ? tk_report_band(rp, sc) : "未提出",
            f1(a, tk_tally_answer_rate(tt)),
            zu(a, tt->negative),
            zu(a, flagged_in(rp, rp->doff[d], rp->doff[d + 1])),
            pv ? f1(a, prev_score(&rp->prev_dept[d])) : NULL,
            pv ? delta(a, sc, prev_score(&rp->prev_dept[d])) : NULL,
        };
        tk_pdf_cell_style st[9] = {{0}};
        if (!isnan(sc) && low > 0 && tk_round1(sc) < low)
            st[2].color = st[3].color = C_WARN;
        if (!returned)
            st[3].color = C_WARN;
        tk_pdf_table_row(t, cells, st);
    }
    const char *tot[9] = {"",
                          "全体",
                          f1(a, tk_tally_score(&rp->total)),
                          tk_report_band(rp, tk_tally_score(&rp->total)),
                          f1(a, tk_tally_answer_rate(&rp->total)),
                          zu(a, rp->total.negative),
                          zu(a, rp->flagged),
                          pv ? f1(a, prev_score(&rp->prev_total)) : NULL,
                          pv ? delta(a, tk_tally_score(&rp->total), prev_score(&rp->prev_total)) : NULL};
    tk_pdf_cell_style bold[9];
    for (int i = 0; i < 9; i++)
        bold[i] = (tk_pdf_cell_style){.fill = TK_PDF_HEX(0xE9ECF0)};
    tk_pdf_table_row(t, tot, bold);
    tk_pdf_table_end(t);
    free(order);
}

static void committee_heatmap(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    size_t nc = rp->nchapters, n = rp->nby_dept;
    if (!nc || !n)
        return;
    keep_block(p, 60 + 40 + 15.0 * (double)n + 40);
    heading_n(p, a, sec, TX("heatmap", "部署・章別の得点"));
    const char **rows = tk_arena_alloc(a, n * sizeof *rows);
    const char **cols = chapter_columns(rp, a);
    double *v = tk_arena_alloc(a, n * nc * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        size_t d = rp->by_dept[i].index;
        rows[i] = r->depts[d].name;
        for (size_t c = 0; c < nc; c++)
            v[i * nc + c] = tk_round1(tk_tally_score(&rp->dept_chapter[d * nc + c]));
    }
    tk_chart_heat_opts ho = {.title = tk_arena_printf(a, "図%d-1　部署・章別の得点", *sec),
                             .legend_label = "得点",
                             .none_label = "対象の項目なし・未回答"};
    tk_chart_heatmap(p, &ho, n, nc, rows, cols, v);
    note(p, "各部署に配布した項目のうち、その章に属するものの得点です。列の見出しは次の表の章を表します。");

    heading_n(p, a, sec, TX("by-chapter", "章別の得点"));
    bool pv = rp->prev_has;
    const char *heads[] = {"章", "得点", "回答率\n（%）", "回答 / 対象", "否定的\n回答", "前年度", "増減"};
    double w[] = {68, 15, 18, 25, 16, 17, 15};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    if (!pv)
        w[0] += 32;
    tk_pdf_table *t = table(p, pv ? 7 : 5, w, heads, al);
    for (size_t c = 0; c < nc; c++) {
        const tk_tally *tt = &rp->by_chapter[c].tally;
        double sc = tk_tally_score(tt);
        const char *cells[7] = {rp->by_chapter[c].label,
                                f1(a, sc),
                                f1(a, tk_tally_answer_rate(tt)),
                                tk_arena_printf(a, "%zu / %zu", tt->answered, tk_tally_applicable(tt)),
                                zu(a, tt->negative),
                                pv ? f1(a, prev_score(&rp->prev_chapter[c])) : NULL,
                                pv ? delta(a, sc, prev_score(&rp->prev_chapter[c])) : NULL};
        tk_pdf_table_row(t, cells, NULL);
    }
    tk_pdf_table_end(t);
}

/* Items by share of negative answers (cross-cutting) or by score (weakest). */
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

static void committee_items(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    item_rank *v = tk_xcalloc(r->nitems ? r->nitems : 1, sizeof *v);
    size_t n = 0;
    for (size_t k = 0; k < r->nitems; k++) {
        size_t neg, ans;
        if (tk_report_cross_cutting(rp, k, &neg, &ans))
            v[n++] = (item_rank){k, neg, ans, (double)neg / (double)ans, tk_tally_score(&rp->by_item[rp->item_group[k]].tally)};
    }
    qsort(v, n, sizeof *v, by_spread);
    heading_n(p, a, sec, rp->cross_label);
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_printf(&s, "その項目に回答した部署（「該当しない」と回答した部署を除く）のうち %s%% 以上、かつ 2 部署以上が否定的な回答（",
                  f1(a, rp->cross_threshold * 100.0));
    bool first = true;
    for (size_t i = 0; i < r->nanswers; i++)
        if (r->answers[i].negative) {
            tk_buf_printf(&s, "%s「%s」", first ? "" : "・", r->answers[i].value);
            first = false;
        }
    tk_buf_printf(&s, "）をした項目です（該当 %zu 項目、否定的な回答をした部署の多い順）。部署をまたぐ課題として、全庁での対応を検討してください。", n);
    tk_pdf_paragraph(p, s.data, &(tk_pdf_style){.first_indent = true});
    tk_buf_free(&s);
    const char *heads[] = {"該当条項", "点検項目", "否定的 /\n回答部署", "割合\n（%）", "得点"};
    double w[] = {27, 93, 20, 18, 16};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT};
    if (n) {
        tk_pdf_table *t = table(p, 5, w, heads, al);
        for (size_t i = 0; i < n; i++) {
            const tk_res_item *it = &r->items[v[i].k];
            const char *cells[5] = {it->ref, item_cell(a, it), tk_arena_printf(a, "%zu / %zu", v[i].neg, v[i].answered),
                                    f1(a, 100.0 * v[i].share), f1(a, v[i].score)};
            tk_pdf_table_row(t, cells, NULL);
        }
        tk_pdf_table_end(t);
    }

    /* the weakest items */
    n = 0;
    for (size_t k = 0; k < r->nitems; k++) {
        long g = rp->item_group[k];
        if (g < 0)
            continue;
        const tk_tally *tt = &rp->by_item[g].tally;
        double sc = tk_tally_score(tt);
        if (isnan(sc) || tk_round1(sc) >= 100.0)
            continue;
        v[n++] = (item_rank){k, tt->negative, tt->answered, 0, sc};
    }
    qsort(v, n, sizeof *v, by_score_asc);
    if (n > WEAKEST_ITEMS)
        n = WEAKEST_ITEMS;
    heading_n(p, a, sec, TX("weakest", "得点の低い項目"));
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "全部署の回答をまとめた得点が低い順に %zu 項目を示します（同点は否定的な回答の多い順）。", n),
                     &(tk_pdf_style){.first_indent = true});
    if (n) {
        const char *h2[] = {"順位", "該当条項", "点検項目", "否定的 /\n回答部署", "得点"};
        double w2[] = {11, 27, 101, 20, 15};
        tk_pdf_align a2[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT,
                             TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = table(p, 5, w2, h2, a2);
        size_t rank = 0;
        double last = NAN;
        for (size_t i = 0; i < n; i++) {
            const tk_res_item *it = &r->items[v[i].k];
            if (isnan(last) || tk_round1(v[i].score) != last)
                rank = i + 1;
            last = tk_round1(v[i].score);
            const char *cells[5] = {zu(a, rank), it->ref, item_cell(a, it),
                                    tk_arena_printf(a, "%zu / %zu", v[i].neg, v[i].answered), f1(a, v[i].score)};
            tk_pdf_table_row(t, cells, NULL);
        }
        tk_pdf_table_end(t);
    }
    free(v);
}

/* Plans of earlier years' campaigns of this organisation and kind: how many,
 * how many are still open, how many of those are overdue today. */
static int load_carried(tk_report *rp, tk_store *st, tk_diags *d)
{
    sqlite3 *db = tk_store_sqlite(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT c.year, COUNT(*), "
                           " SUM(p.status NOT IN ('done','risk-accepted')), "
                           " SUM(p.status NOT IN ('done','risk-accepted') AND p.due IS NOT NULL AND p.due < ?) "
                           "FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                           "WHERE c.org = ? AND c.kind = ? AND c.year < ? GROUP BY c.year ORDER BY c.year",
                           -1, &q, NULL) != SQLITE_OK) {
        tk_diag_error(d, tk_store_path(st), 0, "改善計画を読み出せません: %s", sqlite3_errmsg(db));
        return -1;
    }
    char today[TK_DATE_ISO_SIZE];
    tk_date_iso(rp->today, today);
    sqlite3_bind_text(q, 1, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, rp->r->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, rp->r->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 4, rp->r->year);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (rp->ncarried == cap) {
            cap = cap ? cap * 2 : 4;
            struct tk_report_carried *n = tk_arena_alloc(rp->arena, cap * sizeof *n);
            if (rp->ncarried)
                memcpy(n, rp->carried, rp->ncarried * sizeof *n);
            rp->carried = n;
        }
        struct tk_report_carried *c = &rp->carried[rp->ncarried++];
        c->year = sqlite3_column_int(q, 0);
        c->total = (size_t)sqlite3_column_int64(q, 1);
        c->open = (size_t)sqlite3_column_int64(q, 2);
        c->overdue = (size_t)sqlite3_column_int64(q, 3);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        tk_diag_error(d, tk_store_path(st), 0, "改善計画を読み出せません: %s", sqlite3_errmsg(db));
        return -1;
    }
    /* the open plans themselves, for each department's report */
    if (sqlite3_prepare_v2(db,
                           "SELECT c.year, p.department_code, COALESCE(ci.ref, ''), p.content, p.owner, p.due, p.status "
                           "FROM plan p JOIN campaign c ON c.id = p.campaign_id "
                           "LEFT JOIN campaign_item ci ON ci.campaign_id = c.id AND ci.item_id = p.item_id "
                           "WHERE c.org = ? AND c.kind = ? AND c.year < ? AND p.status NOT IN ('done','risk-accepted') "
                           "ORDER BY p.department_code, COALESCE(p.due, '9999'), p.id",
                           -1, &q, NULL) != SQLITE_OK) {
        tk_diag_error(d, tk_store_path(st), 0, "改善計画を読み出せません: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(q, 1, rp->r->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, rp->r->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 3, rp->r->year);
    cap = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (rp->ncplans == cap) {
            cap = cap ? cap * 2 : 16;
            struct tk_report_carried_plan *n = tk_arena_alloc(rp->arena, cap * sizeof *n);
            if (rp->ncplans)
                memcpy(n, rp->cplans, rp->ncplans * sizeof *n);
            rp->cplans = n;
        }
        struct tk_report_carried_plan *c = &rp->cplans[rp->ncplans++];
        const char *t;
        c->year = sqlite3_column_int(q, 0);
        c->dept_code = tk_arena_strdup(rp->arena, (t = (const char *)sqlite3_column_text(q, 1)) ? t : "");
        c->ref = tk_arena_strdup(rp->arena, (t = (const char *)sqlite3_column_text(q, 2)) ? t : "");
        c->content = tk_arena_strdup(rp->arena, (t = (const char *)sqlite3_column_text(q, 3)) ? t : "");
        c->owner = tk_arena_strdup(rp->arena, (t = (const char *)sqlite3_column_text(q, 4)) ? t : "");
        t = (const char *)sqlite3_column_text(q, 5);
        c->due = t ? tk_arena_strdup(rp->arena, t) : NULL;
        enum tk_plan_status stt;
        if (!tk_plan_status_parse((const char *)sqlite3_column_text(q, 6), &stt))
            stt = TK_PLAN_NOT_STARTED;
        c->status = (int)stt;
        tk_date due;
        c->days_overdue = c->due && tk_date_parse(c->due, &due) ? tk_plan_days_overdue(stt, due, rp->today) : 0;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        tk_diag_error(d, tk_store_path(st), 0, "改善計画を読み出せません: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static int month_key(tk_date d) { return d.y * 12 + d.m - 1; }

static void committee_plans(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    heading_n(p, a, sec, TX("plans", "改善計画"));
    plan_count pc = plans_in(rp, 0, rp->nplans);
    if (!pc.total) {
        tk_pdf_paragraph(p, "改善計画はありません。", NULL);
        return;
    }
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "否定的な回答に対する改善計画は %zu 件で、うち未完了 %zu 件、完了予定日を過ぎたもの %zu "
                                     "件です（%s 現在）。",
                                     pc.total, pc.open + pc.late, pc.late, rp->date_both),
                     &(tk_pdf_style){.first_indent = true});
    /* closure rate: closed (完了, リスク受容) of all */
    size_t closed = 0;
    for (size_t i = 0; i < rp->nplans; i++)
        closed += tk_plan_status_closed(rp->plans[i].status);
    char rate[16];
    tk_pdf_paragraph(p,
                     tk_arena_printf(a, "完了率（完了・リスク受容の割合）は %s%% です（%zu / %zu 件）。",
                                     tk_fmt1(100.0 * (double)closed / (double)pc.total, rate), closed, pc.total),
                     NULL);
    /* by status */
    size_t by_status[TK_PLAN_NSTATUS] = {0};
    for (size_t i = 0; i < rp->nplans; i++)
        by_status[rp->plans[i].status]++;
    {
        const char *heads[] = {"状況", "件数"};
        double w[] = {40, 20};
        tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = table(p, 2, w, heads, al);
        for (int s = 0; s < TK_PLAN_NSTATUS; s++) {
            const char *cells[2] = {tk_plan_status_label((enum tk_plan_status)s), zu(a, by_status[s])};
            tk_pdf_table_row(t, cells, NULL);
        }
        const char *cells[2] = {"合計", zu(a, pc.total)};
        tk_pdf_table_row(t, cells, NULL);
        tk_pdf_table_end(t);
    }
    /* by due month: each month from the first to the last, the rest pooled */
    int lo = 0, hi = 0;
    bool any = false, nodue = false;
    for (size_t i = 0; i < rp->nplans; i++) {
        const tk_report_plan *pl = &rp->plans[i];
        if (!pl->due_date.y) {
            nodue = true;
            continue;
        }
        int m = month_key(pl->due_date);
        if (!any || m < lo)
            lo = m;
        if (!any || m > hi)
            hi = m;
        any = true;
    }
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
    for (size_t i = 0; i < rp->nplans; i++) {
        const tk_report_plan *pl = &rp->plans[i];
        size_t c = nm;
        if (pl->due_date.y) {
            int off = month_key(pl->due_date) - lo;
            c = (size_t)off < nm ? (size_t)off : nm - 1;
        }
        int s = !pl->open ? 0 : pl->days_overdue > 0 ? 2 : 1;
        sv[s][c] += 1;
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
        tk_pdf_table *t = table(p, 5, w, heads, al);
        for (size_t c = 0; c < ncol; c++) {
            size_t tot = (size_t)(sv[0][c] + sv[1][c] + sv[2][c]);
            if (!tot)
                continue;
            const char *cells[5] = {labels[c], zu(a, tot), zu(a, (size_t)sv[0][c]), zu(a, (size_t)sv[1][c]),
                                    zu(a, (size_t)sv[2][c])};
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
        tk_pdf_table *t = table(p, 6, w, heads, al);
        for (size_t i = 0; i < rp->nby_dept; i++) {
            size_t d = rp->by_dept[i].index;
            plan_count dc = plans_in(rp, rp->poff[d], rp->poff[d + 1]);
            size_t fl = flagged_in(rp, rp->doff[d], rp->doff[d + 1]);
            const char *cells[6] = {r->depts[d].name, zu(a, dc.total), zu(a, dc.closed), zu(a, dc.open),
                                    zu(a, dc.late), zu(a, fl)};
            tk_pdf_cell_style st[6] = {{0}};
            if (dc.late)
                st[4].color = C_WARN;
            if (fl)
                st[5].color = C_WARN;
            tk_pdf_table_row(t, cells, st);
        }
        tk_pdf_table_end(t);
    }
    note(p, "要対応は、否定的な回答に改善計画がない、「該当しない」の理由がないなど、点検票の記入が足りない項目の数です。");
    /* what earlier years left open */
    if (rp->ncarried) {
        tk_pdf_heading(p, 2, "前年度以前から持ち越した改善計画");
        const char *heads[] = {"年度", "計画", "未完了", "うち期限超過"};
        double w[] = {50, 24, 24, 30};
        tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
        tk_pdf_table *t = table(p, 4, w, heads, al);
        for (size_t i = 0; i < rp->ncarried; i++) {
            char fy[TK_FY_LABEL_SIZE];
            tk_fiscal_year_label(rp->carried[i].year, fy, sizeof fy);
            const char *cells[4] = {tk_arena_strdup(a, fy), zu(a, rp->carried[i].total), zu(a, rp->carried[i].open),
                                    zu(a, rp->carried[i].overdue)};
            tk_pdf_cell_style st[4] = {{0}};
            if (rp->carried[i].overdue)
                st[3].color = C_WARN;
            tk_pdf_table_row(t, cells, st);
        }
        tk_pdf_table_end(t);
        note(p, "前年度以前の点検・監査で立てた改善計画のうち、この報告書の作成日に完了していないものです。改善計画の進捗確認票と"
                "今年度の点検で進捗を確かめています。");
    }
}

static void committee_previous(tk_pdf *p, const tk_report *rp, tk_arena *a, int *sec)
{
    if (!rp->prev_has)
        return;
    const tk_results *r = rp->r;
    char fy[TK_FY_LABEL_SIZE];
    tk_fiscal_year_wareki(r->year - 1, fy, sizeof fy);
    heading_n(p, a, sec, TX("previous", "前年度との比較"));
    double sc = tk_tally_score(&rp->total), ps = prev_score(&rp->prev_total);
    tk_pdf_paragraph(p,
                     tk_arena_printf(a,
                                     "前年度（%s）と比べて、全体の得点は %s から %s（%s）、回答率は %s%% から %s%% "
                                     "になりました。部署ごとの比較は「部署別の得点」の表にあります。",
                                     fy, f1(a, ps), f1(a, sc), delta(a, sc, ps),
                                     f1(a, tk_tally_answer_rate(&rp->prev_total)),
                                     f1(a, tk_tally_answer_rate(&rp->total))),
                     &(tk_pdf_style){.first_indent = true});
    size_t nc = rp->nchapters;
    const char **labels = tk_arena_alloc(a, (nc + 1) * sizeof *labels);
    double *va = tk_arena_alloc(a, (nc + 1) * sizeof *va), *vb = tk_arena_alloc(a, (nc + 1) * sizeof *vb);
    for (size_t c = 0; c < nc; c++) {
        labels[c] = rp->by_chapter[c].label;
        va[c] = tk_round1(tk_tally_score(&rp->by_chapter[c].tally));
        vb[c] = tk_round1(prev_score(&rp->prev_chapter[c]));
    }
    labels[nc] = TX("average", "全体");
    va[nc] = tk_round1(sc);
    vb[nc] = tk_round1(ps);
    pair_chart pc = {tk_arena_printf(a, "図%d-1　章別の得点（本年度と前年度）", *sec),
                     tk_arena_printf(a, "%s（本年度）", rp->fy_wareki), tk_arena_printf(a, "%s（前年度）", fy), C_BLUE,
                     C_PALE};
    pair_bars(p, &pc, nc + 1, labels, va, vb);
    const char *heads[] = {"章", "前年度", "本年度", "増減"};
    double w[] = {114, 20, 20, 20};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *t = table(p, 4, w, heads, al);
    for (size_t c = 0; c <= nc; c++) {
        double cur = c < nc ? tk_tally_score(&rp->by_chapter[c].tally) : sc;
        double old = c < nc ? prev_score(&rp->prev_chapter[c]) : ps;
        const char *cells[4] = {labels[c], f1(a, old), f1(a, cur), delta(a, cur, old)};
        tk_pdf_cell_style st[4] = {{0}};
        if (!isnan(cur) && !isnan(old) && tk_round1(cur) < tk_round1(old))
            st[3].color = C_WARN;
        tk_pdf_table_row(t, cells, st);
    }
    tk_pdf_table_end(t);
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

static tk_pdf *committee_pdf(const tk_report *rp, const tk_pdf_font *font, tk_diags *d)
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
    int sec = 0;
    committee_summary(p, rp, a, &sec);
    committee_departments(p, rp, a, &sec);
    committee_heatmap(p, rp, a, &sec);
    committee_items(p, rp, a, &sec);
    committee_plans(p, rp, a, &sec);
    committee_previous(p, rp, a, &sec);
    tk_report_staff_section(p, rp->staff, &sec);
    tk_arena_free(a);
    return p;
}

tk_pdf *tk_report_committee_pdf(const tk_report *rp, tk_diags *d) { return committee_pdf(rp, rp->font, d); }

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
    double me = tk_round1(dept_score(rp, d));
    if (isnan(me))
        return 0;
    size_t rank = 1;
    for (size_t i = 0; i < rp->nby_dept; i++) {
        double o = tk_round1(tk_tally_score(&rp->by_dept[i].tally));
        rank += !isnan(o) && o > me;
    }
    return rank;
}

static void dept_summary(tk_pdf *p, const tk_report *rp, size_t d, const plan_count *org_plans, tk_arena *a, int *sec)
{
    const tk_tally *t = dept_tally(rp, d), *T = &rp->total;
    heading_n(p, a, sec, TX("dept-summary", "結果の概要"));
    double sc = tk_tally_score(t), SC = tk_tally_score(T);
    plan_count pc = plans_in(rp, rp->poff[d], rp->poff[d + 1]), PC = *org_plans;
    size_t rank = dept_rank(rp, d), ranked = 0;
    for (size_t i = 0; i < rp->nby_dept; i++)
        ranked += !isnan(tk_tally_score(&rp->by_dept[i].tally));
    const char *heads[] = {"項目", TX("this-department", "貴部署"), TX("organisation", "組織全体")};
    double w[] = {64, 55, 55};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *tb = table(p, 3, w, heads, al);
    size_t unans = tk_tally_applicable(t) - t->answered, UNANS = tk_tally_applicable(T) - T->answered;
    const char *rows[][3] = {
        {"得点", f1(a, sc), f1(a, SC)},
        {"評価", tk_report_band(rp, sc), tk_report_band(rp, SC)},
        {"得点の順位", rank ? tk_arena_printf(a, "%zu 位 / %zu 部署", rank, ranked) : "—", ""},
        {"回答率（%）", f1(a, tk_tally_answer_rate(t)), f1(a, tk_tally_answer_rate(T))},
        {"回答 / 対象（項目）", tk_arena_printf(a, "%zu / %zu", t->answered, tk_tally_applicable(t)),
         tk_arena_printf(a, "%zu / %zu", T->answered, tk_tally_applicable(T))},
        {"否定的な回答（項目）", zu(a, t->negative), zu(a, T->negative)},
        {"要対応（項目）", zu(a, flagged_in(rp, rp->doff[d], rp->doff[d + 1])), zu(a, rp->flagged)},
        {"未回答（項目）", zu(a, unans), zu(a, UNANS)},
        {"改善計画（件）", zu(a, pc.total), zu(a, PC.total)},
        {"　うち完了予定日を過ぎたもの", zu(a, pc.late), zu(a, PC.late)},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        tk_pdf_table_row(tb, rows[i], NULL);
    if (rp->prev_has) {
        const char *row[3] = {"前年度の得点", f1(a, prev_score(&rp->prev_dept[d])), f1(a, prev_score(&rp->prev_total))};
        tk_pdf_table_row(tb, row, NULL);
    }
    tk_pdf_table_end(tb);
    note(p, "得点 = 100 × Σ(重み × 点) ÷ Σ(重み)。回答のあった項目（「該当しない」を除く）が対象で、未回答の項目は回答率に表れます。"
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
    heading_n(p, a, sec, TX("dept-chapters", "章別の得点"));
    pair_chart pc = {tk_arena_printf(a, "図%d-1　章別の得点（%s と組織全体）", *sec, rp->r->depts[d].name),
                     TX("this-department", "貴部署"), TX("organisation", "組織全体"), C_BLUE, C_PALE};
    pair_bars(p, &pc, n, labels, va, vb);
    const char *heads[] = {"章", TX("this-department", "貴部署"), TX("organisation", "組織全体"), "差", "回答 / 対象",
                           "否定的回答"};
    double w[] = {71, 18, 20, 15, 30, 20};
    tk_pdf_align al[] = {TK_PDF_ALIGN_LEFT,  TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table *t = table(p, 6, w, heads, al);
    for (size_t i = 0; i < n; i++) {
        const tk_tally *tt = &rp->dept_chapter[d * nc + ci[i]];
        double mine = tk_tally_score(tt), all = tk_tally_score(&rp->by_chapter[ci[i]].tally);
        const char *cells[6] = {labels[i],
                                f1(a, mine),
                                f1(a, all),
                                delta(a, mine, all),
                                tk_arena_printf(a, "%zu / %zu", tt->answered, tk_tally_applicable(tt)),
                                zu(a, tt->negative)};
        tk_pdf_cell_style st[6] = {{0}};
        if (!isnan(mine) && !isnan(all) && tk_round1(mine) < tk_round1(all))
            st[3].color = C_WARN;
        tk_pdf_table_row(t, cells, st);
    }
    tk_pdf_table_end(t);
    note(p, "差は貴部署の得点から組織全体の得点を引いたもので、組織全体より低い章を朱色で示しています。");
}

static void dept_items(tk_pdf *p, const tk_report *rp, size_t d, tk_arena *a, int *sec)
{
    const tk_results *r = rp->r;
    size_t from = rp->doff[d], to = rp->doff[d + 1];
    /* negative answers and their plans */
    size_t nneg = 0, nflag = 0, nun = 0;
    for (size_t c = from; c < to; c++) {
        const tk_res_cell *cl = &rp->dcells[c];
        nneg += cl->answer >= 0 && r->answers[cl->answer].negative;
        nflag += cl->flag != NULL;
        nun += cl->answer < 0;
    }
    heading_n(p, a, sec, TX("dept-negative", "否定的な回答の項目と改善計画"));
    if (!nneg) {
        tk_pdf_paragraph(p, "否定的な回答はありませんでした。", NULL);
    } else {
        tk_pdf_paragraph(p,
                         tk_arena_printf(a,
                                         "否定的な回答をした %zu 項目と、その改善計画です。完了予定日までに改善し、"
                                         "状況を翌年度の点検票で報告してください。",
                                         nneg),
                         &(tk_pdf_style){.first_indent = true});
        const char *heads[] = {"該当条項", "点検項目", "回答", "改善計画", "担当者・完了予定日・状況"};
        fitted t = {.ncols = 5};
        for (size_t c = from; c < to; c++) {
            const tk_res_cell *cl = &rp->dcells[c];
            if (cl->answer < 0 || !r->answers[cl->answer].negative)
                continue;
            const tk_res_item *it = &r->items[cl->item];
            long pi = rp->cell_plan[c];
            const tk_report_plan *pl = pi >= 0 ? &rp->plans[pi] : NULL;
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
                tk_buf_printf(&ob, "%s\n", short_date(a, due));
            if (pl) {
                tk_buf_puts(&ob, tk_plan_status_label(pl->status));
                if (pl->days_overdue > 0)
                    tk_buf_printf(&ob, "（%d 日超過）", pl->days_overdue);
            }
            const char *cells[5] = {it->ref, item_cell(a, it), r->answers[cl->answer].value,
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

    heading_n(p, a, sec, TX("dept-flagged", "要対応の項目"));
    if (!nflag) {
        tk_pdf_paragraph(p, "要対応の項目はありません。", NULL);
    } else {
        tk_pdf_paragraph(p,
                         tk_arena_printf(a, "点検票の記入が足りない %zu 項目です。記入して再提出してください。", nflag),
                         &(tk_pdf_style){.first_indent = true});
        const char *heads[] = {"該当条項", "点検項目", "回答", "要対応の内容"};
        fitted t = {.ncols = 4};
        for (size_t c = from; c < to; c++) {
            const tk_res_cell *cl = &rp->dcells[c];
            if (!cl->flag)
                continue;
            const tk_res_item *it = &r->items[cl->item];
            const char *cells[4] = {it->ref, item_cell(a, it), cl->answer >= 0 ? r->answers[cl->answer].value : "",
                                    flag_text(cl->flag)};
            tk_pdf_cell_style st[4] = {{0}};
            st[3].color = C_WARN;
            fitted_row(&t, a, cells, st);
        }
        fitted_draw(p, &t, heads, a);
    }

    heading_n(p, a, sec, TX("dept-unanswered", "未回答の項目"));
    if (!nun) {
        tk_pdf_paragraph(p, "未回答の項目はありません。", NULL);
    } else {
        tk_pdf_paragraph(p, tk_arena_printf(a, "回答のなかった %zu 項目です。回答して再提出してください。", nun),
                         &(tk_pdf_style){.first_indent = true});
        const char *heads[] = {"該当条項", "点検項目"};
        fitted t = {.ncols = 2};
        for (size_t c = from; c < to; c++) {
            const tk_res_cell *cl = &rp->dcells[c];
            if (cl->answer >= 0)
                continue;
            const tk_res_item *it = &r->items[cl->item];
            const char *cells[2] = {it->ref, item_cell(a, it)};
            fitted_row(&t, a, cells, NULL);
        }
        fitted_draw(p, &t, heads, a);
    }

    /* plans from earlier years this department has not closed yet */
    size_t ncarry = 0;
    for (size_t i = 0; i < rp->ncplans; i++)
        ncarry += !strcmp(rp->cplans[i].dept_code, r->depts[d].code);
    if (ncarry) {
        heading_n(p, a, sec, TX("dept-carried", "前年度以前からの未完了の改善計画"));
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
}

static tk_pdf *department_pdf(const tk_report *rp, size_t d, const tk_pdf_font *font, const plan_count *org_plans,
                              tk_diags *diags)
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
        tk_buf_printf(&s, "提出日：%s。", stamp_date(a, dep->returned_at));
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
                                         (size_t)(rp->doff[d + 1] - rp->doff[d]), has ? "（提出期限：" : "",
                                         has ? tk_date_both(dl, b, sizeof b) : "", has ? "）" : ""),
                         &(tk_pdf_style){.color = C_WARN});
    } else {
        dept_summary(p, rp, d, org_plans, a, &sec);
        dept_chapters(p, rp, d, a, &sec);
        dept_items(p, rp, d, a, &sec);
    }
    tk_arena_free(a);
    return p;
}

tk_pdf *tk_report_department_pdf(const tk_report *rp, size_t d, tk_diags *diags)
{
    plan_count pc = plans_in(rp, 0, rp->nplans);
    return department_pdf(rp, d, rp->font, &pc, diags);
}

/* ======================================================================
 * Writing the files
 * ====================================================================== */

static int ensure_parent(const char *path, tk_diags *d)
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

int tk_report_write_committee(const tk_report *rp, const char *path, bool force, size_t *pages, tk_diags *d)
{
    if (!force && tk_file_exists(path)) {
        tk_diag_error(d, path, 0, "ファイルが既にあります。上書きするには --force を指定してください");
        return TK_EXIT_INPUT;
    }
    if (ensure_parent(path, d) != 0)
        return TK_EXIT_FAILURE;
    tk_pdf *p = committee_pdf(rp, rp->font, d);
    if (!p)
        return TK_EXIT_FAILURE;
    int rc = tk_pdf_save(p, path, force) == 0 ? TK_EXIT_OK : TK_EXIT_FAILURE;
    if (pages)
        *pages = tk_pdf_page_count(p);
    tk_pdf_free(p);
    return rc;
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

int tk_report_write_departments(const tk_report *rp, const char *dir, const char *const *only, size_t nonly,
                                bool force, size_t *written, tk_diags *d)
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
    plan_count pc = plans_in(rp, 0, rp->nplans);
    for (size_t i = 0; i < n && rc == 0; i++) {
        tk_pdf *p = department_pdf(rp, which[i], font, &pc, d);
        if (!p || tk_pdf_save(p, paths[i], force) != 0)
            rc = TK_EXIT_FAILURE;
        else
            ++*written;
        tk_pdf_free(p);
    }
    tk_pdf_font_free(own);
    tk_arena_free(a);
    return rc;
}
