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

/* ---- the stages of tk_ingest_file, one file's way in ----
 *
 * Each stage is given the job the earlier ones left and says what comes
 * next: TK_INGEST_NEXT (go on to the next stage), TK_INGEST_DONE (the file
 * is dealt with: the result's outcome says how) or TK_INGEST_STOP (refused,
 * or failed on the database: the outcome says which; the problems are in the
 * diagnostics, each naming the file). A stage is called only after the one
 * before it said NEXT; nothing is written to the database before
 * tk_ingest_store. Exposed so that each stage can be tested on its own. */
typedef enum tk_ingest_step { TK_INGEST_STOP = -1, TK_INGEST_NEXT = 0, TK_INGEST_DONE = 1 } tk_ingest_step;

typedef struct tk_ingest_job tk_ingest_job;

/* A file on its way in. res is cleared (outcome REFUSED until a stage says
 * otherwise) and filled by the stages; problems go to diags. Both must
 * outlive the job, as must path. Free with tk_ingest_job_free. */
tk_ingest_job *tk_ingest_job_new(const char *path, const tk_ingest_opts *o, tk_ingest_result *res, tk_diags *diags);
void tk_ingest_job_free(tk_ingest_job *job);

/* 1. Open: the bytes of a regular file (no FIFO, device or folder; bounded
 * in size), their SHA-256 (tk_ingest_job_sha256), and the archive's
 * directory checked (a zip, bounded, no .xls/.ods). */
tk_ingest_step tk_ingest_open(tk_ingest_job *job);
/* 2. Identity: the hidden identity sheet read and of the format this
 * version writes; its token (tk_ingest_job_token). A workbook without one
 * is not one tenken issued. */
tk_ingest_step tk_ingest_identity(tk_ingest_job *job);
/* 3. Taken in before: the same bytes as a submission already stored for
 * the workbook the token names is DONE with outcome SAME, before any item
 * sheet is read. Skipped (NEXT) with dry_run. */
tk_ingest_step tk_ingest_taken_in(tk_ingest_job *job, tk_store *st);
/* 4. Issued: the token is on record and not revoked; the identity sheet
 * agrees with the record (organisation, kind, department, respondent,
 * checklist, year) and its rows with the items issued; the input columns
 * are known. Fills the result's organisation, year, kind, department,
 * respondent and items. */
tk_ingest_step tk_ingest_issued(tk_ingest_job *job, tk_store *st);
/* 5. Sheets: every item sheet and cover sheet read once, each input cell of
 * an item row kept (a value typed outside the rows is a warning); a staff
 * workbook's staff number checked; every member of the archive, read or
 * not, intact (sizes and CRCs). */
tk_ingest_step tk_ingest_sheets(tk_ingest_job *job);
/* 6. Values: every row checked (its shown identity, answer on the scale,
 * dates, lengths, formulas) into the records to store; a follow-up's status
 * changes judged against each plan as it stands (the same bytes as stored
 * before: DONE, SAME). 要対応 notes. With dry_run: DONE, CHECKED. */
tk_ingest_step tk_ingest_values(tk_ingest_job *job, tk_store *st);
/* 7. Store: the file's records in one transaction (tk_store_submit):
 * DONE, ACCEPTED (or SAME when nothing changed), or STOP, FAILED. */
tk_ingest_step tk_ingest_store(tk_ingest_job *job, tk_store *st);

/* The file's SHA-256 in hex ("" before tk_ingest_open); the identity
 * sheet's token ("" before tk_ingest_identity). Owned by the job. */
const char *tk_ingest_job_sha256(const tk_ingest_job *job);
const char *tk_ingest_job_token(const tk_ingest_job *job);

#endif
