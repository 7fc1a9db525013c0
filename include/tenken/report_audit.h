/* report_audit.h — the 監査報告書 and the departments' 監査結果通知 (PDF).
 *
 * The 監査報告書 follows the structure auditors use (経済産業省 情報セキュリティ
 * 監査基準 報告基準: 導入・概要・意見・特記): 1 監査の概要 (目的, 対象, 期間,
 * 監査人 and their independence, 監査の基準, 実施の概要); 2 監査の結果 (意見:
 * 総評, 判定の内訳 by grade and department, 指摘事項 by grade with ref,
 * provision, 所見 and 証跡, 観察事項, 良好事例, the 是正確認 of earlier
 * findings); 3 特記事項 (free text, --comment FILE); 付属資料 per department.
 * It is an advisory (助言型) report: its wording (templates/audit.xml
 * <report><text key="audit-…">) states the limits of the procedure and never
 * that no significant problem exists.
 *
 * Every figure comes from the same functions as `tenken score --kind audit`
 * (tk_results_group through tk_report) and `tenken findings`
 * (tk_findings_list): grade counts are the departments' current answers,
 * finding counts the register's rows of the year.
 *
 * Ownership: a tk_audit_record borrows the report (which must outlive it)
 * and owns the rest; free it with tk_audit_record_free.
 */
#ifndef TENKEN_REPORT_AUDIT_H
#define TENKEN_REPORT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/audit_plan.h"
#include "tenken/diag.h"
#include "tenken/findings.h"
#include "tenken/pdf.h"
#include "tenken/report.h"
#include "tenken/store.h"

typedef struct tk_audit_record {
    tk_arena *arena;
    const tk_report *rp;          /* borrowed */
    tk_store *st;                 /* borrowed: the rows the documents list */
    tk_audit_plan *plan;          /* the year's audit plan, or NULL */
    tk_finding_list findings;     /* the year's findings (tenken findings --year) */
    tk_finding_list earlier;      /* earlier years' findings of the departments audited this year */
    tk_good_practice *good;       /* 良好事例, by department and item */
    size_t ngood;
    size_t *grade_count;          /* per scale answer (rp->r->answers), all departments
                                     (by department: rp->r->dept_answer) */
    size_t audited;               /* departments issued a workbook */
    const char *period;           /* 監査の期間 as printed */
    const char *response_deadline; /* ISO date of the response round, or NULL */
    const char *checklist_hash;
} tk_audit_record;

/* Read what the report needs beyond rp from st. TK_EXIT_OK and *out, or an
 * exit code with errors in d. */
int tk_audit_record_load(tk_store *st, const tk_report *rp, tk_audit_record **out, tk_diags *d);
void tk_audit_record_free(tk_audit_record *ar);

/* The documents (tk_pdf_free); NULL with an error in d (no font). */
tk_pdf *tk_audit_report_pdf(const tk_audit_record *ar, const char *comment, tk_diags *d);
tk_pdf *tk_audit_notice_pdf(const tk_audit_record *ar, size_t dept, tk_diags *d);

/* Write the 監査報告書 to path and one 監査結果通知 per audited department
 * into notices_dir (NN_部署.pdf). comment_path (may be NULL): the 特記事項,
 * a text file (UTF-8 or CP932, at most 64 KiB). Nothing is written when a
 * file exists and !force (TK_EXIT_INPUT). The notices are made by jobs
 * worker processes side by side (0: one per CPU; workers.h), the same files
 * whatever jobs is. The database at db is read on a connection of this
 * call's own, closed before the workers are forked (each opens its own; the
 * caller holds none open meanwhile: SQLite's connections are not to cross
 * fork()). *pages and *notices (may be NULL) get the report's page count
 * and the number of notices. */
int tk_audit_report_write(const char *db, const tk_report *rp, const char *path, const char *notices_dir,
                          const char *comment_path, int jobs, bool force, size_t *pages, size_t *notices, tk_diags *d);

#endif
