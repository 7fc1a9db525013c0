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

/* One item issued to one department, and what it answered: a row of
 * tk_results_cells (its strings valid for that call only) or of
 * tk_results_dept_cells (in the caller's arena). */
typedef struct tk_res_cell {
    size_t dept, item;
    int answer; /* index into answers, -1 when unanswered */
    const char *flag, *plan, *owner, *due, *evidence, *note, *finding;
} tk_res_cell;

/* A campaign's figures. The answers themselves are not kept: the load
 * streams them once from the database and sums them into the tallies
 * below, one per department, item, chapter, role, level and department ×
 * chapter, so that memory grows with the departments and the items but
 * not with their product. What a section needs row by row is read again
 * by tk_results_cells (one department, or all, in the same order). */
typedef struct tk_results {
    tk_arena *arena;
    int64_t campaign_id;
    const char *org, *org_name, *kind, *deadline, *template_ref;
    int year;
    tk_res_item *items;
    size_t nitems;
    tk_res_department *depts; /* by code */
    size_t ndepts;
    tk_res_answer *answers; /* the scale as issued */
    size_t nanswers;

    /* tk_results_tally_begin / tk_results_tally: every cell summed, in
     * the order of tk_results_cells, into */
    tk_tally total;
    tk_tally *dept_tally;    /* per department */
    tk_tally *item_tally;    /* per item */
    const char **chapters;   /* chapters in checklist order */
    size_t nchapters;
    size_t *item_chapter;    /* per item: index into chapters */
    tk_tally *chapter_tally; /* per chapter */
    tk_tally *dept_chapter;  /* ndepts × nchapters, row-major */
    tk_tally level_tally[4]; /* by enum tk_level (checklist.h); unknown counts as must */
    const char **roles;      /* role ids in the order the cells first name them */
    size_t nroles, nroles_cap; /* nroles_cap: the stride of the chapter × role arrays */
    tk_tally *role_tally;    /* per role: an item two roles act on counts for each */
    /* per chapter × role (nchapters × nroles_cap): negative answers, and the ordinal of the first
     * one (SIZE_MAX when none), which roles own a chapter's problems */
    size_t *chapter_role_negative, *chapter_role_first;
    size_t *dept_answer;     /* ndepts × nanswers: cells given each answer */
    size_t *item_answer;     /* nitems × nanswers */
    size_t *dept_flagged;    /* per department: cells flagged 要対応 */
    size_t flagged;
    size_t evidenced;        /* answered cells with evidence written */
    size_t *item_by_id;      /* item indices sorted by id (tk_results_find_item) */
    struct tk_res_acc *acc;  /* internal: the roles being resolved */
} tk_results;

/* 1 and *out, 0 when the campaign does not exist, -1 on failure. Free with
 * tk_results_free. */
int tk_results_load(tk_store *st, const char *org, int year, const char *kind, tk_results **out, tk_diags *d);
void tk_results_free(tk_results *r);

/* The two stages of the load, for results put together by other means
 * (tests): allocate the tallies in r->arena once items, depts and answers
 * are set, then add each cell. */
void tk_results_tally_begin(tk_results *r);
void tk_results_tally(tk_results *r, const tk_res_cell *c);

/* Every cell of the campaign (every item issued to a department, with its
 * answer from the current submission), or only department dept's when dept
 * >= 0, to fn in the order the tallies were summed: department code,
 * workbook, row. fn returns 0 to go on; anything else stops the walk and is
 * returned. 0, or -1 when the database cannot be read (error in d). */
typedef int (*tk_res_cell_fn)(void *user, const tk_res_cell *c);
int tk_results_cells(tk_store *st, const tk_results *r, long dept, tk_res_cell_fn fn, void *user, tk_diags *d);

/* The rows of a read of r's campaign that come ordered by department code
 * (column 0): sql_all with ?1 the campaign's id or, when dept >= 0,
 * sql_dept, the same with department dept's code as ?2. Each row of one of
 * r's departments goes to fn with that department's index; fn returns 0 to
 * go on, anything else stops the read and is returned. 0, or -1 when the
 * database cannot be read (error in d). The statements are kept with st. */
typedef int (*tk_res_row_fn)(struct sqlite3_stmt *q, size_t dept, void *user);
int tk_results_dept_rows(tk_store *st, const tk_results *r, long dept, const char *sql_all, const char *sql_dept,
                         tk_res_row_fn fn, void *user, tk_diags *d);

/* Department dept's cells in an array in a (strings copied). The count,
 * or -1 when the database cannot be read. */
long tk_results_dept_cells(tk_store *st, const tk_results *r, size_t dept, tk_arena *a, tk_res_cell **cells, tk_diags *d);

/* Indices by code, id or value (set by tk_results_tally_begin); -1 when
 * there is none. */
long tk_results_find_dept(const tk_results *r, const char *code);
long tk_results_find_item(const tk_results *r, const char *id);
int tk_results_find_answer(const tk_results *r, const char *value);

enum tk_group_by { TK_BY_DEPARTMENT, TK_BY_CHAPTER, TK_BY_ROLE, TK_BY_ITEM, TK_BY_LEVEL };
bool tk_group_by_parse(const char *s, enum tk_group_by *out);

typedef struct tk_group {
    const char *label; /* the department's name, the chapter, the role, the item's ref */
    const char *code;  /* department code, item id, role id, level key, chapter "" */
    size_t index;      /* department or item index (a chapter: its first item) */
    tk_tally tally;
} tk_group;

/* Groups in natural order (department code, chapter order, ...); *total
 * gets the whole campaign. Caller frees *groups with free(). */
size_t tk_results_group(const tk_results *r, enum tk_group_by by, tk_group **groups, tk_tally *total);

/* The tally of one department's cells in one chapter (heat maps). */
tk_tally tk_results_dept_chapter(const tk_results *r, size_t dept, const char *chapter);

#endif
