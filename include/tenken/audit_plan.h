/* audit_plan.h — the year's audit plan: which departments are audited and
 * by whom (監査計画).
 *
 * The plan is read from a CSV file the secretariat keeps (UTF-8 with or
 * without BOM, or CP932), one row per auditor, with a header row holding at
 * least 「氏名」「所属」「担当部署」: 所属 is a department code of org.xml or
 * 「外部」 (an outside firm; 「所属名」 may name it), 担当部署 one or more
 * department codes separated by 「、」, commas or spaces. An optional column
 * 「関与部署」 names the departments whose information systems the auditor
 * builds or runs.
 *
 * Independence (総務省 監査ガイドライン, 統一基準 2.3.2(2)): an auditor never
 * audits their own department, nor a department whose systems they build or
 * run. Such a row is refused with its line and the auditor's name; a plan
 * with any problem is not recorded at all.
 *
 * Rotation. Departments are usually audited in turn over a cycle of years;
 * tk_audit_rotation tells, for each department, the years of the cycle in
 * which a recorded plan audits it, so that a department the cycle misses is
 * seen before the year starts.
 *
 * Ownership: a tk_audit_plan owns its strings (an arena); free it with
 * tk_audit_plan_free.
 */
#ifndef TENKEN_AUDIT_PLAN_H
#define TENKEN_AUDIT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/checklist.h"
#include "tenken/diag.h"
#include "tenken/store.h"
#include "tenken/util.h"

/* 所属 of an auditor from outside the organisation. */
#define TK_AUDIT_EXTERNAL "外部"

typedef struct tk_auditor {
    long line;               /* line of the CSV file (the header is line 1) */
    const char *name;        /* 氏名 */
    const char *affiliation; /* a department code, or TK_AUDIT_EXTERNAL */
    const char *affiliation_name; /* the department's name, the firm, or 外部 */
    const char **departments; /* 担当部署: department codes */
    size_t ndepartments;
} tk_auditor;

typedef struct tk_audit_plan {
    tk_arena *arena;
    const char *org;
    int year;
    const char *file;   /* the CSV as given */
    char sha256[65];    /* of the file's bytes */
    tk_auditor *auditors;
    size_t nauditors;
} tk_audit_plan;

/* Read and check the CSV file against the organisation. Every problem goes to
 * diags as FILE:LINE (the independence rule among them); returns NULL when
 * any error was found. */
tk_audit_plan *tk_audit_plan_read(const char *path, const tk_org *org, int year, tk_diags *diags);
/* The same over bytes already in memory (path names them in messages). */
tk_audit_plan *tk_audit_plan_parse(const char *path, const char *bytes, size_t len, const tk_org *org, int year,
                                   tk_diags *diags);
void tk_audit_plan_free(tk_audit_plan *p);

/* Record the plan in one transaction. An existing plan of the same year is
 * replaced only when force. Returns an exit code (TK_EXIT_INPUT when one
 * exists and !force). */
int tk_audit_plan_record(tk_store *st, const tk_audit_plan *p, bool force, tk_diags *diags);

/* The recorded plan of (org, year): 1 and *out, 0 when none, -1 on failure. */
int tk_audit_plan_load(tk_store *st, const char *org, int year, tk_audit_plan **out, tk_diags *diags);

/* Is department code audited by the plan? */
bool tk_audit_plan_covers(const tk_audit_plan *p, const char *code);
/* The department's auditors as shown on a workbook's cover and in reports:
 * "山田 太郎（企画政策課）、監査法人○○（外部）", in the plan's arena; NULL when
 * the plan does not audit the department. */
const char *tk_audit_plan_auditors_of(const tk_audit_plan *p, const char *code);

/* Rotation over the cycle of `cycle` years ending with `year`: for each
 * department of org (in org order) the years in which a recorded plan audits
 * it; years[i] is a space-separated list ("2025 2027") or "" (arena). */
int tk_audit_rotation(tk_store *st, const tk_org *org, int year, int cycle, tk_arena *a, const char ***years,
                      tk_diags *diags);

#endif
