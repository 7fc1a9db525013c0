/* ingest.h — taking returned workbooks into the record.
 *
 * A returned file is untrusted. It is taken in only when it is a workbook
 * tenken issued (the hidden identity sheet names a known, open, unrevoked
 * token), its rows are intact (item ids, places and text hashes as issued,
 * the visible 該当条項 and 点検項目 cells unchanged), and every value is
 * valid: answers on the scale, dates that are dates, no formulas where values
 * go, no over-long text. All problems of a file are reported at once, each
 * with the file and sheet!cell, what was found and what was expected. A file
 * with a problem that refuses it is not stored at all; an accepted file is
 * stored in one transaction. The same bytes again change nothing; a new
 * version of a workbook supersedes the earlier submission and keeps it.
 *
 * A follow-up workbook (kind "followup") is checked the same way; then each
 * row that reports a status is a change of its remediation plan, checked
 * against the plan as it stands (tk_followup_decide: closing without 完了日,
 * 延期 without a reason or a later 新たな完了予定日, a row for a plan already
 * closed are refused, naming the cell) and logged in plan_log. A row that
 * restates the plan's state (a new version of a workbook taken in before)
 * changes nothing. A self or audit workbook's answers also move the
 * department's open plans of earlier years for the same items (see submit.h).
 */
#ifndef TENKEN_INGEST_H
#define TENKEN_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/store.h"

/* Longest text tenken keeps from one input cell. */
#define TK_INGEST_MAX_TEXT 4000

typedef struct tk_ingest_opts {
    bool dry_run; /* check everything, store nothing */
} tk_ingest_opts;

enum tk_ingest_outcome {
    TK_INGEST_ACCEPTED,  /* stored */
    TK_INGEST_SAME,      /* these bytes were taken in before: nothing changed */
    TK_INGEST_CHECKED,   /* --dry-run: would be accepted */
    TK_INGEST_REFUSED,   /* problems: nothing stored */
    TK_INGEST_FAILED,    /* I/O or database failure */
};

typedef struct tk_ingest_result {
    enum tk_ingest_outcome outcome;
    char org[64];
    int year;
    char kind[16];
    char department_code[32];
    char department_name[256];
    char respondent[320]; /* "3001 山田 太郎" (staff), a role (per-role workbook), "" otherwise */
    size_t items;      /* item rows in the workbook */
    size_t answered;   /* rows with an answer on the scale */
    size_t flagged;    /* 要対応: negative without a plan, excluded without a reason */
    size_t plans;      /* remediation plans written (follow-up: plans changed) */
    size_t plans_closed, plans_postponed; /* follow-up: of those changed */
    size_t carried_closed, carried_kept;  /* earlier years' plans closed / kept open by the answers */
    size_t plans_responded;               /* follow-up: plans given or revised (改善計画の回答) */
    size_t negative;                      /* answers of a negative grade (an audit's 指摘事項) */
    size_t findings_verified, findings_kept; /* audit: earlier findings confirmed fixed / not yet */
    int64_t submission_id;
    bool superseded;   /* an earlier submission of the workbook was replaced */
} tk_ingest_result;

/* Check and (unless dry_run) store one file. Problems go to diags; the
 * outcome says what happened. Returns 0, or -1 when the outcome is REFUSED or
 * FAILED. */
int tk_ingest_file(tk_store *st, const char *path, const tk_ingest_opts *o, tk_ingest_result *res, tk_diags *diags);

#endif
