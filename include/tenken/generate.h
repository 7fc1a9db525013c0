/* generate.h — issue the inspection workbooks of a campaign.
 *
 * A campaign is (organisation, fiscal year, kind). tk_generate_run loads the
 * organisation's checklist.xml and org.xml and the template of the kind,
 * decides which items each department answers (tk_item_applies: the
 * department holds one of the item's roles) and on which sheet and row each
 * sits, writes one workbook per department and a distribution list, and
 * records everything in the database — the campaign with a snapshot of the
 * checklist and the departments, and each workbook with its random token,
 * file, items (sheet, row, text hash) and time.
 *
 * Kinds. "self" and "audit" ask the checklist's items, one workbook per
 * department, or with split_role one per department and role it holds (an
 * item's row goes to the first of its roles the department holds; the
 * department's score is over all its workbooks). "staff" issues one
 * workbook per person of a roster (roster.h) holding the items of the roles
 * the person holds (the staff role, and those of the roster's 役割), in
 * OUT/ID/YEAR-staff/CODE_部署名/職員番号_氏名.xlsx; the roster is recorded
 * (table person), each workbook with its person (workbook.respondent), and
 * the distribution list has the person's number, name and mail address for
 * a mail merge. Points of the template's scale are recorded scaled to the
 * best answer (= 1), so scales of any points (1 / 0.5 / 0, 4 / 2 / 0 / -1,
 * 1..5) score alike; an answer's flag (要研修) is recorded with it.
 * "self" and "audit" ask the checklist's items. When the database
 * holds the campaign of the same organisation and kind of the year before,
 * each row also shows, read-only, last year's answer of the department and
 * its remediation plans of that kind still open for the item, of any
 * earlier year (matched by item id, which
 * derive keeps across renumbering); the template's prev-answer and prev-plan
 * columns are left out when there is no such campaign. "followup" issues,
 * for each department with open plans (未着手, 対応中, 延期) of the self and
 * audit campaigns of this year and earlier, one workbook listing them, one
 * row per plan on the template's single sheet: its campaign's items are the
 * plans (item id "plan-ID" with the wording of the item the plan is about),
 * each row is recorded with its plan (workbook_item.plan_id), and its list
 * is the plan statuses. Departments without open plans get none; a
 * follow-up with no open plan at all is refused (TK_EXIT_INPUT). The earlier
 * campaigns are read inside the run's transaction.
 *
 * Sheets. An item sheet holds one chapter of the policy: a top-level section
 * of the checklist. When the top level is divided into parts (at most three
 * top-level sections, each holding only subsections: 基本方針 / 対策基準),
 * a part with more items than the template's split-parts-above (default 60)
 * is cut into its chapters (the sections directly below it, named with the
 * part's ref as prefix: "対策基準 1 組織体制"), and a smaller part is one
 * sheet ("基本方針" when the part's title ends with its ref, else
 * "ref title"). The cut is made once for the checklist, so every department
 * sees the same sheet names; a department gets only the sheets holding items
 * it answers. Sheet names follow Excel's rules (tk_xlsx_make_sheet_name).
 *
 * Safety. A campaign that exists already, or an output file that exists, is
 * refused unless force. Every workbook is written under a temporary name in
 * its final folder; only when all are written are they renamed (a file they
 * replace is first set aside as NAME.old-XXXXXX), the distribution list
 * written, and the transaction (one for the whole run) committed; then the
 * set-aside files are deleted. On any failure the files of this run are
 * removed, the set-aside files put back and nothing is recorded. SIGINT,
 * SIGTERM and SIGHUP are held (blocked) during the run: one that arrives
 * stops the run at the next workbook, the run cleans up as on a failure, and
 * the signal is delivered when the caller's signal mask is restored on
 * return. Regenerating a department's workbook (force) revokes the token of
 * the one it replaces (revoked_at, replaced_by). With force and no department
 * filter, active workbooks of departments no longer issued are revoked too.
 *
 * Work is spread over worker processes (fork), one workbook at a time per
 * worker; the parent plans, hands out the jobs, collects the results and
 * alone touches the database. Memory per worker is bounded by one workbook.
 */
#ifndef TENKEN_GENERATE_H
#define TENKEN_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/util.h"

typedef struct tk_generate_opts {
    const char *org;     /* id (checklists/ID/) or folder; required */
    int year;            /* fiscal year (年度), e.g. 2026; required */
    const char *kind;    /* "self" (default), "audit", "followup" or "staff" */
    const char *roster;  /* staff: the roster (CSV, see roster.h); required */
    bool split_role;     /* self, audit: one workbook per department and role it holds */
    const char *deadline; /* as typed (tk_date_parse); NULL: none */
    const char *const *departments; /* codes or names; none: every department */
    size_t ndepartments;
    const char *out_dir;       /* default "out" */
    const char *db_path;       /* default OUT_DIR/tenken.db */
    const char *template_path; /* default templates/KIND.xml in the data dir */
    bool force;
    int jobs; /* worker processes; 0: one per CPU (at most 8); 1: in this process */
    /* write every workbook with tk_xlsx_write rather than stamping those of
     * the same shape from a master (xlsx_stamp.h): the same workbooks (tests) */
    bool no_stamp;
    /* Called in this process after each workbook is written. */
    void (*progress)(void *user, size_t done, size_t total, const char *department);
    void *progress_user;
} tk_generate_opts;

typedef struct tk_generate_workbook {
    char *code, *name; /* department */
    char *file;        /* path written */
    char *token;
    size_t items;
    bool stamped; /* from a master of its shape (xlsx_stamp.h) */
} tk_generate_workbook;

typedef struct tk_generate_result {
    int64_t campaign_id;
    char *org_name;
    char *kind_name;   /* 自己点検 */
    char *fy_label;    /* 令和8年度（2026年度） */
    char *dir;         /* OUT/ID/YEAR-KIND */
    char *distribution; /* the distribution list written */
    char *db_path;
    tk_generate_workbook *workbooks;
    size_t nworkbooks;
    size_t items;   /* item rows over all workbooks */
    size_t revoked; /* tokens revoked by this run */
    int jobs;       /* worker processes used */
    size_t masters; /* masters made (xlsx_stamp.h) */
    size_t stamped; /* workbooks stamped from a master */
    double seconds;
} tk_generate_result;

/* Generate the campaign's workbooks. Returns TK_EXIT_OK, TK_EXIT_INPUT
 * (problems in the input, or refused: campaign or files exist), TK_EXIT_USAGE
 * (bad options) or TK_EXIT_FAILURE (I/O, database). Diagnostics say why. res
 * (may be NULL) is filled on success; free it with tk_generate_result_free. */
int tk_generate_run(const tk_generate_opts *o, tk_diags *diags, tk_generate_result *res);
void tk_generate_result_free(tk_generate_result *res);

/* "CODE_NAME.xlsx" safe as a file name on Windows, macOS and Linux: no
 * control characters or <>:"/\|?*, white space as "_", no trailing dots or
 * spaces, not a reserved device name (CON, NUL, COM1 ...), at most 80
 * characters before the extension. Result in the arena. */
char *tk_generate_file_name(tk_arena *a, const char *code, const char *name, const char *ext);

/* 128 random bits from getrandom(2) as 32 lowercase hex digits. */
int tk_generate_token(char out[33]);

#endif
