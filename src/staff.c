/* staff.c — a staff self-check at the level of people. */
#include "tenken/staff.h"

#include <math.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct person_walk {
    tk_staff_person_fn fn;
    void *user;
} person_walk;

static int person_row(sqlite3_stmt *q, void *user)
{
    const person_walk *w = user;
    tk_staff_person p = {
        .number = (const char *)sqlite3_column_text(q, 0),
        .name = (const char *)sqlite3_column_text(q, 1),
        .department_code = (const char *)sqlite3_column_text(q, 2),
        .department_name = (const char *)sqlite3_column_text(q, 3),
        .mail = (const char *)sqlite3_column_text(q, 4),
        .title = (const char *)sqlite3_column_text(q, 5),
        .file = (const char *)sqlite3_column_text(q, 6),
        .received_at = (const char *)sqlite3_column_text(q, 7),
        .answered = sqlite3_column_int(q, 8),
        .items = sqlite3_column_int(q, 9),
    };
    return !w->fn(&p, w->user);
}

int tk_staff_people(tk_store *st, const char *org, int year, char *deadline, tk_staff_person_fn fn, void *user,
                    tk_diags *d)
{
    tk_campaign_rec c;
    int found = tk_store_campaign_find(st, org, year, "staff", &c, d);
    if (found <= 0)
        return found;
    if (deadline)
        snprintf(deadline, 16, "%s", c.deadline);
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT p.number, p.name, p.department_code, COALESCE(dp.name, p.department_code), p.mail, p.title, "
                                       " w.file, s.received_at, COALESCE(s.answered, 0), w.items "
                                       "FROM workbook w JOIN person p ON p.campaign_id = w.campaign_id AND p.number = w.respondent "
                                       "LEFT JOIN department dp ON dp.campaign_id = w.campaign_id AND dp.code = w.department_code "
                                       "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
                                       "WHERE w.campaign_id = ? AND w.revoked_at IS NULL "
                                       "ORDER BY p.department_code, p.number",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, c.id);
    person_walk w = {fn, user};
    return tk_store_each_row(st, q, person_row, &w, NULL, d) < 0 ? -1 : 1;
}

double tk_staff_rate_followed(const tk_staff_rate *r)
{
    return r->scored ? 100.0 * (double)r->positive / (double)r->scored : NAN;
}

double tk_staff_rate_answered(const tk_staff_rate *r)
{
    return r->people ? 100.0 * (double)r->answered / (double)r->people : NAN;
}

typedef struct flag_walk {
    const tk_results *r;
    bool *flagged;
} flag_walk;

static int flag_row(sqlite3_stmt *q, void *user)
{
    const flag_walk *w = user;
    const char *v = (const char *)sqlite3_column_text(q, 0);
    for (size_t i = 0; i < w->r->nanswers; i++)
        if (v && !strcmp(v, w->r->answers[i].value))
            w->flagged[i] = true;
    return 0;
}

/* Which answers of the scale raise a flag. */
static int scale_flags(tk_store *st, const tk_results *r, bool *flagged, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st, "SELECT value FROM campaign_answer WHERE campaign_id = ? AND flag IS NOT NULL", d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    flag_walk w = {r, flagged};
    return tk_store_each_row(st, q, flag_row, &w, NULL, d);
}

typedef struct people_walk {
    const tk_results *r;
    tk_staff_rate *depts;
} people_walk;

static int people_row(sqlite3_stmt *q, void *user)
{
    const people_walk *w = user;
    const char *code = (const char *)sqlite3_column_text(q, 0);
    for (size_t i = 0; i < w->r->ndepts; i++)
        if (code && !strcmp(code, w->r->depts[i].code)) {
            w->depts[i].people = (size_t)sqlite3_column_int64(q, 1);
            w->depts[i].answered = (size_t)sqlite3_column_int64(q, 2);
        }
    return 0;
}

/* People per department and how many have returned their workbook. */
static int dept_people(tk_store *st, const tk_results *r, tk_staff_rate *depts, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT w.department_code, count(*), count(s.id) FROM workbook w "
                                       "LEFT JOIN submission s ON s.workbook_id = w.id AND s.superseded_by IS NULL "
                                       "WHERE w.campaign_id = ? AND w.revoked_at IS NULL GROUP BY w.department_code",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, r->campaign_id);
    people_walk w = {r, depts};
    return tk_store_each_row(st, q, people_row, &w, NULL, d);
}

/* count cells answered with answer g into s (the tallies' answer counts) */
static void count_answers(tk_staff_rate *s, const tk_results *r, size_t g, size_t count, const bool *flagged)
{
    const tk_res_answer *a = &r->answers[g];
    if (a->excluded)
        return;
    s->scored += count;
    s->positive += a->negative ? 0 : count;
    s->flagged += flagged[g] ? count : 0;
}

int tk_staff_rates(tk_store *st, const tk_results *r, tk_staff_rate **depts, size_t *ndepts, tk_staff_rate **items,
                   size_t *nitems, tk_staff_rate *total, tk_diags *d)
{
    *depts = tk_xcalloc(r->ndepts ? r->ndepts : 1, sizeof **depts);
    *items = tk_xcalloc(r->nitems ? r->nitems : 1, sizeof **items);
    bool *flagged = tk_xcalloc(r->nanswers ? r->nanswers : 1, sizeof *flagged);
    memset(total, 0, sizeof *total);
    total->label = "全体";
    total->code = "";
    int rc = scale_flags(st, r, flagged, d);
    tk_staff_rate *dv = *depts, *iv = *items;
    if (rc == 0)
        rc = dept_people(st, r, dv, d);
    for (size_t i = 0; rc == 0 && i < r->ndepts; i++) {
        dv[i].label = r->depts[i].name;
        dv[i].code = r->depts[i].code;
        dv[i].index = i;
        total->people += dv[i].people;
        total->answered += dv[i].answered;
    }
    for (size_t i = 0; rc == 0 && i < r->nitems; i++) {
        iv[i].label = r->items[i].ref;
        iv[i].code = r->items[i].id;
        iv[i].index = i;
    }
    for (size_t k = 0; rc == 0 && k < r->nitems; k++) {
        iv[k].people = r->item_tally[k].issued;
        for (size_t g = 0; g < r->nanswers; g++) {
            size_t n = r->item_answer[k * r->nanswers + g];
            iv[k].answered += n;
            count_answers(&iv[k], r, g, n, flagged);
            count_answers(total, r, g, n, flagged);
        }
    }
    for (size_t i = 0; rc == 0 && i < r->ndepts; i++)
        for (size_t g = 0; g < r->nanswers; g++)
            count_answers(&dv[i], r, g, r->dept_answer[i * r->nanswers + g], flagged);
    free(flagged);
    /* departments without staff and items nobody was asked are no line */
    size_t k = 0;
    for (size_t i = 0; i < r->ndepts; i++)
        if (dv[i].people)
            dv[k++] = dv[i];
    *ndepts = k;
    k = 0;
    for (size_t i = 0; i < r->nitems; i++)
        if (iv[i].people)
            iv[k++] = iv[i];
    *nitems = k;
    if (rc != 0) {
        free(*depts);
        free(*items);
        *depts = *items = NULL;
        *ndepts = *nitems = 0;
    }
    return rc;
}
