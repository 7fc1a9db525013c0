/* results.h — a campaign's answers in memory, grouped and scored.
 *
 * Loaded once from the database (the checklist as issued, the departments,
 * each department's current submission), then grouped by department,
 * chapter, role, item or level with the formula of score.h. Every figure a
 * report prints comes from here, so `tenken score` and the PDFs agree.
 */
#ifndef TENKEN_RESULTS_H
#define TENKEN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/score.h"
#include "tenken/store.h"
#include "tenken/util.h"

typedef struct tk_res_item {
    const char *id, *ref, *chapter, *roles, *level, *text, *context;
    double weight;
    int seq;
} tk_res_item;

typedef struct tk_res_department {
    const char *code, *name;
    bool issued;
    const char *returned_at; /* NULL when not returned */
} tk_res_department;

typedef struct tk_res_answer {
    const char *value;
    double points;
    bool excluded, negative;
} tk_res_answer;

/* One item issued to one department, and what it answered. */
typedef struct tk_res_cell {
    size_t dept, item;
    int answer; /* index into answers, -1 when unanswered */
    const char *flag, *plan, *owner, *due, *evidence, *note, *finding;
} tk_res_cell;

typedef struct tk_results {
    tk_arena *arena;
    int64_t campaign_id;
    const char *org, *org_name, *kind, *deadline, *template_ref;
    int year;
    tk_res_item *items;
    size_t nitems;
    tk_res_department *depts;
    size_t ndepts;
    tk_res_answer *answers; /* the scale as issued */
    size_t nanswers;
    tk_res_cell *cells;
    size_t ncells;
} tk_results;

/* 1 and *out, 0 when the campaign does not exist, -1 on failure. Free with
 * tk_results_free. */
int tk_results_load(tk_store *st, const char *org, int year, const char *kind, tk_results **out, tk_diags *d);
void tk_results_free(tk_results *r);

enum tk_group_by { TK_BY_DEPARTMENT, TK_BY_CHAPTER, TK_BY_ROLE, TK_BY_ITEM, TK_BY_LEVEL };
bool tk_group_by_parse(const char *s, enum tk_group_by *out);

typedef struct tk_group {
    const char *label; /* the department's name, the chapter, the role, the item's ref */
    const char *code;  /* department code, item id, role id, level key, chapter "" */
    size_t index;      /* department or item index for those groupings */
    tk_tally tally;
} tk_group;

/* Groups in natural order (department code, chapter order, ...); *total
 * gets the whole campaign. Caller frees *groups with free(). */
size_t tk_results_group(const tk_results *r, enum tk_group_by by, tk_group **groups, tk_tally *total);

/* The tally of one department's cells in one chapter (heat maps). */
tk_tally tk_results_dept_chapter(const tk_results *r, size_t dept, const char *chapter);

#endif
