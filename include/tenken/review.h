/* review.h — the secretariat corrects a derived checklist (tenken review).
 *
 * The decisions live in checklist.xml beside the derived fields (see
 * checklist.h: tk_item.out_of_scope and the review fields): role and weight
 * stay the effective values; <item scope="out"> marks an item 対象外 (kept,
 * never issued); <review date= text-sha256= derived-role= derived-weight=/>
 * says a person reviewed the item on that date against that wording
 * (tk_item_text_hash of text and context: the match form, so a change of
 * white space or full-width/half-width forms is not a change of wording) and
 * what derive had proposed for the fields the person changed.
 *
 * The review workbook is an issued workbook like the inspection ones: a
 * hidden identity sheet (TK_XLSX_IDENTITY_SHEET) with, one key per row,
 *   format "tenken-review", version "1", org, org_name, checklist_hash,
 *   items (count), header_row, created_at
 * then a row "seq item_id row text_hash ref" and one row per item in
 * checklist order (all items, out of scope ones included): seq, item id,
 * 1-based row on 点検項目, tk_item_text_hash, ref. Its identity is the
 * checklist (org and hash), not a database token.
 *
 * Sheets: 点検項目 (one row per item; 役割, 点検対象, 重み, 確認 and 確認メモ
 * are the only unlocked cells), 役割一覧 (the roles of org.xml), 要確認の行
 * (the policy lines derive could not classify and obligation sentences that
 * are no item), _tenken.
 *
 * Reading back is strict: the workbook must be a review workbook of this very
 * checklist (same org and checklist hash), every row's ID, 該当条項, 行,
 * 前提 and 本文 as written (compared in the match form), and every decision
 * valid: 役割 one or more role ids, aliases or names of org.xml separated by
 * 「、」「，」「,」 or white space (compared in the match form, so full-width
 * and half-width forms are the same; 「・」 is not a separator, a role id may
 * contain it); 点検対象 「対象」 or 「対象外」; 重み a number > 0 and <= 100;
 * 確認 empty or 「済」; no formula in any decision cell. All problems are
 * reported, each naming 点検項目!CELL; the checklist is changed only when
 * there are none.
 */
#ifndef TENKEN_REVIEW_H
#define TENKEN_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/checklist.h"
#include "tenken/diag.h"
#include "tenken/template.h"
#include "tenken/util.h"

#define TK_REVIEW_FORMAT "tenken-review"
#define TK_REVIEW_VERSION 1
#define TK_REVIEW_SHEET "点検項目"
#define TK_REVIEW_ROLES_SHEET "役割一覧"
#define TK_REVIEW_LINES_SHEET "要確認の行"
/* Largest weight the review workbook accepts. */
#define TK_REVIEW_MAX_WEIGHT 100.0

/* ---- carrying decisions over a re-derive ---- */

typedef struct tk_review_change {
    const char *id, *ref;
    const char *old_text; /* the reviewed wording (context and text) */
    const char *new_text; /* the derived wording; NULL for an item that vanished */
} tk_review_change;

typedef struct tk_review_carry {
    size_t carried;             /* items whose reviewed decisions were copied */
    tk_review_change *changed;  /* reviewed, but the wording changed: review again */
    size_t nchanged;
    tk_review_change *vanished; /* reviewed items no longer derived */
    size_t nvanished;
} tk_review_carry;

/* For each derived item whose id matches a reviewed item of previous: when
 * the wording is unchanged (tk_item_text_hash of the derived item equals the
 * hash the review recorded), copy the decisions (roles, scope, weight, the
 * review) onto the derived item, keeping derive's fresh proposal in
 * derived_role / derived_weight where it differs from the decision; else
 * list it in out->changed. Reviewed items of previous whose id is not
 * derived any more go to out->vanished. Everything out holds lives in
 * derived's arena. Call tk_checklist_rehash(derived) afterwards (done here). */
void tk_checklist_carry_review(tk_checklist *derived, const tk_checklist *previous, tk_review_carry *out);

/* ---- the workbook ---- */

typedef struct tk_review_line {
    long line;        /* in the policy text */
    const char *kind; /* 「義務文が項目になっていない」 / 「分類できない行」 */
    const char *text;
} tk_review_line;

typedef struct tk_review_spec {
    const tk_checklist *checklist;
    const tk_org *org;
    const tk_review_line *lines; /* for 要確認の行 */
    size_t nlines;
    const char *lines_note; /* shown on 要確認の行 when the policy text could not be read; else NULL */
    const char *created_at; /* ISO 8601 */
    /* font, size, colours, classification mark and sheet password are taken
     * from this template (the self-inspection one) so the review workbook
     * looks like the others; NULL: built-in defaults */
    const tk_template *style;
} tk_review_spec;

/* Write the review workbook to path (created or replaced; the caller picks a
 * temporary name and renames). 0, or -1 with a diagnostic naming path. */
int tk_review_write(const tk_review_spec *s, const char *path, tk_diags *diags);

typedef struct tk_review_result {
    size_t items;
    size_t roles_changed;  /* 役割を変更 */
    size_t scope_out;      /* newly 対象外 */
    size_t scope_in;       /* 対象外 back to 対象 */
    size_t weight_changed; /* 重みを変更 */
    size_t confirmed;      /* newly marked reviewed without a change */
    size_t unchanged;      /* items this apply did not change */
} tk_review_result;

/* Read the review workbook at path and apply its decisions to c in place
 * (roles, scope, weight, review fields; ids, texts and everything else
 * unchanged), then rehash c. today is the review date (YYYY-MM-DD). Returns
 * 0, or -1 with every problem in diags and c untouched. */
int tk_review_apply(tk_checklist *c, const tk_org *org, const char *path, const char *today, tk_review_result *res,
                    tk_diags *diags);

#endif
