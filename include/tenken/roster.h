/* roster.h — the staff roster of a staff self-check (generate --kind staff).
 *
 * A CSV file (UTF-8 with or without BOM, or Shift_JIS/CP932, read by
 * tk_text_decode) whose first non-empty line is a header naming at least the
 * columns 職員番号, 氏名 and 所属, and optionally 役職, メール and 役割 (the
 * headings are the template's <roster> attributes; a heading matches in its
 * match form, so full-width and surrounding spaces do not matter; other
 * columns are ignored). Fields follow RFC 4180: commas, double quotes around
 * a field that holds a comma, quote or line break, "" for a quote.
 *
 * Each row is a person: 職員番号 unique in the file, 氏名 not empty, 所属 a
 * department of org.xml (its code, or its name), メール empty or one address
 * (local@domain), 役割 the roles beyond the staff role the person holds
 * (role ids, names or aliases of org.xml, separated by 、 , ， ・ or spaces
 * ... except ・, which role names use). Every person holds the staff role.
 * Empty rows are skipped. Every problem is reported with its line (the
 * physical line where the row starts) at once; the roster is refused
 * (NULL) when there is any.
 *
 * Bounds: the file at most TK_ROSTER_MAX_BYTES, at most TK_ROSTER_MAX_PEOPLE
 * rows, a field at most TK_ROSTER_MAX_FIELD characters.
 *
 * Ownership: a tk_roster owns all its strings (arena); free it with
 * tk_roster_free. Its departments point into the org passed to the loader,
 * which must outlive it.
 */
#ifndef TENKEN_ROSTER_H
#define TENKEN_ROSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/checklist.h"
#include "tenken/diag.h"
#include "tenken/util.h"

#define TK_ROSTER_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define TK_ROSTER_MAX_PEOPLE 200000
#define TK_ROSTER_MAX_FIELD 400

/* The column headings, as the template names them. */
typedef struct tk_roster_headings {
    const char *number, *name, *department, *title, *mail, *roles;
} tk_roster_headings;

typedef struct tk_person {
    const char *number; /* 職員番号 as written (trimmed) */
    const char *name;   /* 氏名 */
    const tk_department *dept;
    const char *title;  /* 役職, or NULL */
    const char *mail;   /* メール, or NULL */
    const char **roles; /* role ids: the staff role first, then those of 役割 */
    size_t nroles;
    long line;
} tk_person;

typedef struct tk_roster {
    tk_arena *arena;
    const char *path;
    const char *encoding; /* as read: "UTF-8", "CP932" ... */
    tk_person *people;    /* in file order */
    size_t npeople;
} tk_roster;

/* Read and check path against org. staff_role is the role every person
 * holds (an id of org). NULL when the file cannot be read or has any
 * problem (all in diags, as FILE:LINE). */
tk_roster *tk_roster_load(const char *path, const tk_org *org, const char *staff_role, const tk_roster_headings *h,
                          tk_diags *diags);
void tk_roster_free(tk_roster *r);

/* Does the person answer the item: in scope, and the person holds one of
 * its roles. */
bool tk_person_answers(const tk_person *p, const tk_item *it);

/* The staff role of org: the first of names (space separated) that is a
 * role id, a role's name or an alias, compared in match form; NULL when
 * none is. */
const char *tk_roster_staff_role(const tk_org *org, const char *names);

#endif
