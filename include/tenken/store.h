/* store.h — the SQLite database: the record of campaigns, issued workbooks
 * and (in later steps) submissions, answers and remediation plans.
 *
 * One file (default out/tenken.db), WAL mode, foreign keys on, a busy
 * timeout. The schema is versioned in meta(schema_version) and brought up to
 * date by forward-only migrations when the file is opened; a file written by
 * a newer tenken is refused.
 *
 * Schema (version 1; version 2 adds submissions, answers and plans: see
 * submit.h; version 3 adds workbook_item.plan_id — the remediation plan a
 * follow-up row is about — and campaign_answer.plan_status — the plan status
 * a follow-up list value stands for; version 4 the staff self-check (store.c);
 * version 5 the committee report's 総評 (campaign_comment); version 6 adds the audit plan —
 * audit_plan(id, org, year, file, sha256, created_at) and
 * audit_assignment(plan_id, line, auditor, affiliation, affiliation_name,
 * department_code) — and answer.good (良好事例), answer.confirm (是正確認),
 * plan.interim (暫定措置), plan.verification and plan.verified_at (the
 * auditor's 是正確認 of a finding), and campaign_confirm(campaign_id, seq,
 * value, closes) — the 是正確認 list an audit campaign was issued with;
 * version 7 the index workbook_department(campaign_id, department_code), by
 * which generate reads one department's answers of last year):
 *   meta(key PK, value)
 *   campaign(id PK, org, year, kind ∈ self|audit|followup, checklist_hash,
 *            org_name, deadline (ISO date or NULL), template ("PATH sha256:HEX"),
 *            created_at, updated_at, UNIQUE(org, year, kind))
 *   campaign_item(campaign_id, item_id, seq, ref, level, roles (space
 *            separated), chapter, sheet, text, context, text_hash, weight,
 *            PK(campaign_id, item_id)) — the checklist as issued, so scoring
 *            never depends on the checklist file later
 *   campaign_answer(campaign_id, seq, value, points (NULL when excluded),
 *            excluded, negative, plan_status (v3), PK(campaign_id, value)) —
 *            the answer scale as issued (from the template), for scoring; for
 *            a follow-up campaign the status list, each value with its
 *            plan status key and no points
 *   department(campaign_id, code, name, roles, PK(campaign_id, code))
 *   workbook(id PK, campaign_id, department_code, token UNIQUE, file, items,
 *            sha256 (of the file as issued), created_at, revoked_at,
 *            replaced_by → workbook.id); at most one workbook per
 *            (campaign, department) has revoked_at NULL
 *   workbook_item(workbook_id, seq, item_id, sheet, row, text_hash,
 *            plan_id → plan.id (v3; follow-up rows),
 *            PK(workbook_id, seq), UNIQUE(workbook_id, item_id))
 *
 * Version 4 (the staff self-check, per-role department workbooks):
 *   campaign.kind may be 'staff' (one workbook per person of a roster);
 *   workbook.respondent: who in the department answers the workbook — ''
 *            for the department itself, a staff number (staff), a role id
 *            (generate --split role); at most one active workbook per
 *            (campaign, department, respondent)
 *   campaign_answer.flag: what an answer raises besides its points
 *            (わからない: 要研修), or NULL
 *   person(campaign_id, number, name, department_code, title, mail, roles
 *            (space separated, the staff role first), PK(campaign_id, number))
 *            — the roster a staff round was issued from
 *
 * Every function reports failures to diags in Japanese (naming the database
 * file) and returns -1 (or NULL); nothing exits. Statements are prepared once
 * per handle. A handle is used by one thread at a time.
 */
#ifndef TENKEN_STORE_H
#define TENKEN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"

#define TK_STORE_SCHEMA_VERSION 8

typedef struct tk_store tk_store;

/* How a command opens the database: only a command that begins a campaign
 * may create it (a mistyped --db must not make a new, empty one). */
enum tk_store_mode {
    TK_STORE_CREATE, /* create the file and its folder when missing (generate) */
    TK_STORE_WRITE,  /* an existing tenken database, to be written (ingest, plans set) */
    /* an existing tenken database, only read (status, score, report, plans,
     * export): opened read-only, so that it is read on read-only media too
     * (immutable when SQLite could not read its WAL there otherwise); an
     * older file is brought up to date first when it can be written */
    TK_STORE_READ,
};
/* Why an open failed, for the exit code. */
enum tk_store_fault {
    TK_STORE_OK,
    TK_STORE_MISSING,  /* no such file (WRITE, READ) */
    TK_STORE_NOT_OURS, /* empty, another program's, a newer tenken's */
    TK_STORE_IO,       /* cannot be read or written, or SQLite failed */
};
/* Open path as mode says and migrate it. NULL on failure, with diagnostics
 * naming the file, and *fault (may be NULL) saying why. Close with
 * tk_store_close. */
tk_store *tk_store_open_mode(const char *path, enum tk_store_mode mode, enum tk_store_fault *fault, tk_diags *diags);
/* tk_store_open_mode(path, TK_STORE_CREATE, NULL, diags) */
tk_store *tk_store_open(const char *path, tk_diags *diags);
void tk_store_close(tk_store *s);
const char *tk_store_path(const tk_store *s);
/* The SQLite handle, for modules that keep their statements next to their
 * own logic (ingest's submissions); it stays owned by the store. */
struct sqlite3 *tk_store_sqlite(tk_store *s);
/* A prepared statement for sql, kept for the life of the handle (sql must
 * be a string that lives as long, such as a literal). Reset and unbound on
 * each call. Give it back with tk_store_done (which resets it). NULL on
 * failure, with a diagnostic. */
struct sqlite3_stmt *tk_store_prepare(tk_store *s, const char *sql, tk_diags *d);
void tk_store_done(tk_store *s, struct sqlite3_stmt *q);
/* One row of a read (tk_store_each_row); its columns are valid during the
 * call only. Returns 0 to read on; anything else stops the read there. */
typedef int (*tk_store_row_fn)(struct sqlite3_stmt *q, void *user);
/* Step q (prepared and bound by the caller) through its rows, each to row
 * until row stops the read, then give q back (tk_store_done). 0 when the
 * rows ran out, row's value when row stopped the read, -1 when a step failed
 * (with a diagnostic naming the database). *nrows (may be NULL): the rows
 * passed to row, the one that stopped the read included. */
int tk_store_each_row(tk_store *s, struct sqlite3_stmt *q, tk_store_row_fn row, void *user, long *nrows, tk_diags *d);
/* The row callback of a lookup by key: column 0 into *(int64_t *)id, and
 * the read stops at this first row, so that tk_store_each_row returns 1
 * when there was a row, 0 when none and -1 on failure (a row callback of
 * one's own that returns 1 reads one row the same way). */
int tk_store_row_id(struct sqlite3_stmt *q, void *id);
/* A diagnostic that the database could not be read or written ("読み出し",
 * "書き込み": what failed), with SQLite's reason. Returns -1. */
int tk_store_fail(tk_store *s, tk_diags *d, const char *what);
/* Bind text, or NULL when v is NULL. */
void tk_store_bind_text(struct sqlite3_stmt *st, int i, const char *v);
/* The same without a copy, for rows written in bulk: v must stay as it is
 * until the statement has been stepped (tk_store_done clears bindings). */
void tk_store_bind_borrowed(struct sqlite3_stmt *st, int i, const char *v);
/* Data a module keeps with the handle between calls (a cache), freed with
 * free_fn when replaced or when the handle is closed. One slot. */
void *tk_store_kept(tk_store *s);
void tk_store_keep(tk_store *s, void *p, void (*free_fn)(void *));
/* The schema version of the open file (TK_STORE_SCHEMA_VERSION after open). */
int tk_store_schema_version(tk_store *s);

/* One write transaction (BEGIN IMMEDIATE). 0 or -1. */
int tk_store_begin(tk_store *s, tk_diags *diags);
int tk_store_commit(tk_store *s, tk_diags *diags);
/* Safe to call when no transaction is open. */
void tk_store_rollback(tk_store *s);
/* A read transaction around several reads: one snapshot, and the file's
 * read lock taken once (each statement outside a transaction takes and
 * drops it, and finds the page cache emptied whenever another process has
 * written since). Nothing when a transaction is open already. End it
 * before tk_store_begin. */
void tk_store_begin_read(tk_store *s);
void tk_store_end_read(tk_store *s);

/* ---- identity helpers shared by generate and ingest ---- */

/* SHA-256 (hex) of an item's wording: the match form (tk_text_norm) of text,
 * U+001F, the match form of context (empty when NULL). Insensitive to white
 * space and full-width/half-width forms; any change of wording changes it. */
void tk_item_text_hash(const char *text, const char *context, char hex[65]);
/* The current local time as ISO 8601 with offset, "2026-05-01T09:30:00+09:00". */
void tk_store_now(char out[32]);

/* ---- campaigns ---- */

typedef struct tk_campaign_rec {
    int64_t id;
    char checklist_hash[65];
    char deadline[16];   /* "" when none */
    char template_ref[512];
    char created_at[32];
} tk_campaign_rec;

/* 1 and *out filled when the campaign (org, year, kind) exists, 0 when not,
 * -1 on failure. */
int tk_store_campaign_find(tk_store *s, const char *org, int year, const char *kind, tk_campaign_rec *out,
                           tk_diags *diags);

typedef struct tk_campaign_new {
    const char *org, *org_name, *kind;
    int year;
    const char *checklist_hash;
    const char *deadline; /* ISO date or NULL */
    const char *template_ref;
} tk_campaign_new;

/* Insert the campaign, or update the fields of the existing one with the
 * same (org, year, kind). Returns its id, or -1. */
int64_t tk_store_campaign_put(tk_store *s, const tk_campaign_new *c, tk_diags *diags);

typedef struct tk_store_item {
    const char *item_id;
    int seq; /* position in the checklist, 1-based */
    const char *ref, *level, *roles, *chapter, *sheet, *text, *context, *text_hash;
    double weight;
} tk_store_item;

/* Insert or replace one item of the campaign's snapshot. */
int tk_store_item_put(tk_store *s, int64_t campaign_id, const tk_store_item *it, tk_diags *diags);
/* Delete the campaign's items whose id is not among ids[0..n). */
int tk_store_items_retain(tk_store *s, int64_t campaign_id, const char *const *ids, size_t n, tk_diags *diags);

/* Replace the campaign's answer scale: clear, then put each answer. */
int tk_store_scale_clear(tk_store *s, int64_t campaign_id, tk_diags *diags);
int tk_store_scale_put(tk_store *s, int64_t campaign_id, int seq, const char *value, double points, bool excluded,
                       bool negative, tk_diags *diags);
/* A follow-up campaign's list value and the plan status key it stands for
 * ("done"), instead of an answer with points. */
int tk_store_scale_put_status(tk_store *s, int64_t campaign_id, int seq, const char *value, const char *plan_status,
                              tk_diags *diags);

/* The flag an answer of the scale raises (要研修), set after tk_store_scale_put. */
int tk_store_scale_set_flag(tk_store *s, int64_t campaign_id, const char *value, const char *flag, tk_diags *diags);

/* A person of a staff round's roster. */
typedef struct tk_store_person {
    const char *number, *name, *department_code, *title, *mail;
    const char *roles; /* space separated */
} tk_store_person;
/* Forget the campaign's roster, then put each person. */
int tk_store_persons_clear(tk_store *s, int64_t campaign_id, tk_diags *diags);
int tk_store_person_put(tk_store *s, int64_t campaign_id, const tk_store_person *p, tk_diags *diags);

/* Insert or update a department of the campaign (roles space separated). */
int tk_store_department_put(tk_store *s, int64_t campaign_id, const char *code, const char *name, const char *roles,
                            tk_diags *diags);

/* ---- workbooks ---- */

typedef struct tk_workbook_rec {
    int64_t id;
    const char *department_code, *department_name, *token, *file, *sha256, *created_at;
    int items;
    /* '' or NULL: the department's own; a staff number; a role id */
    const char *respondent;
    const char *person_name, *person_mail; /* read back: the person's, '' when none */
} tk_workbook_rec;

/* The id of the department's active (not revoked) workbook: 1 and *id, 0 when
 * none, -1 on failure. */
int tk_store_workbook_active(tk_store *s, int64_t campaign_id, const char *department_code, int64_t *id,
                             tk_diags *diags);
/* The same for one respondent of the department ('' the department itself). */
int tk_store_workbook_active_for(tk_store *s, int64_t campaign_id, const char *department_code,
                                 const char *respondent, int64_t *id, tk_diags *diags);
/* Insert an issued workbook (id, revoked_at, replaced_by ignored). Returns
 * its id, or -1. */
int64_t tk_store_workbook_add(tk_store *s, int64_t campaign_id, const tk_workbook_rec *w, tk_diags *diags);
/* plan_id: the remediation plan of a follow-up row, 0 for an item row. */
int tk_store_workbook_item_add(tk_store *s, int64_t workbook_id, int seq, const char *item_id, const char *sheet,
                               int row, const char *text_hash, int64_t plan_id, tk_diags *diags);
/* Revoke a workbook's token at `when`; replaced_by is the new workbook's id
 * or 0 when nothing replaces it. */
int tk_store_workbook_revoke(tk_store *s, int64_t workbook_id, int64_t replaced_by, const char *when,
                             tk_diags *diags);

/* Call fn for every active workbook of the campaign, ordered by department
 * code; the record's strings are valid during the call only. fn returns
 * false to stop. Returns the number visited, or -1. */
typedef bool (*tk_workbook_fn)(const tk_workbook_rec *w, void *user);
long tk_store_workbooks_active(tk_store *s, int64_t campaign_id, tk_workbook_fn fn, void *user, tk_diags *diags);

#endif
