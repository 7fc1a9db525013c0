/* template.h — the workbook templates (templates/self.xml, templates/audit.xml,
 * templates/followup.xml):
 * everything about an inspection workbook that users may reword or restyle
 * without recompiling — title, classification mark, answer scale and points,
 * item-sheet columns, cover, instructions, colours, print headers and the
 * distribution list. Loaded and validated against templates/template.rng and
 * the rules a schema cannot say.
 *
 * Only what generate needs is read into the model; the <score> and <report>
 * sections are validated by the schema and left for those steps. Of <plans>,
 * the statuses that carry a key (a plan status of plan.h) are read: they are
 * the list of a follow-up workbook's 進捗状況 column.
 *
 * Kinds. A self or audit template has a scale and an answer column; a
 * follow-up template (kind="followup") has instead the plan statuses and a
 * status column, one row per open remediation plan, on one item sheet
 * (<sheets single="NAME">).
 *
 * Ownership: a tk_template owns everything reachable from it (strings live in
 * its arena); free it with tk_template_free.
 */
#ifndef TENKEN_TEMPLATE_H
#define TENKEN_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tenken/diag.h"
#include "tenken/plan.h"
#include "tenken/util.h"

#define TK_TEMPLATE_NS "urn:tenken:template:1"

/* What an item-sheet column holds. The key decides whether the column is
 * filled in and how (tk_column_input); the template gives heading and width. */
enum tk_column_key {
    TK_COL_SEQ,      /* 項番: 1..n through the workbook */
    TK_COL_REF,      /* the policy's own numbering */
    TK_COL_LEVEL,    /* 義務 / 努力義務 / ... */
    TK_COL_TEXT,     /* the provision, its lead-in on a line above */
    TK_COL_ROLE,     /* the roles of the department the item is asked of */
    TK_COL_ANSWER,   /* input: one value of the scale */
    TK_COL_EVIDENCE, /* input: text */
    TK_COL_NOTE,     /* input: text */
    TK_COL_FINDING,  /* input: text */
    TK_COL_ADVICE,   /* input: text */
    TK_COL_PLAN,     /* input: text */
    TK_COL_OWNER,    /* input: text */
    TK_COL_DUE,      /* input: date */
    /* follow-up workbooks: one row per remediation plan */
    TK_COL_ORIGIN,       /* the answer (and finding) the plan came from */
    TK_COL_PLAN_CONTENT, /* 改善内容 as recorded */
    TK_COL_PLAN_OWNER,   /* 担当者 as recorded */
    TK_COL_PLAN_DUE,     /* the current 完了予定日 (a date) */
    TK_COL_PLAN_STATUS,  /* the current status */
    TK_COL_STATUS,       /* input: one of the plan statuses */
    TK_COL_ACTION,       /* input: text: what was done (実施内容) */
    TK_COL_DONE_DATE,    /* input: date: 完了日, or the committee's decision for リスク受容 */
    TK_COL_NEW_DUE,      /* input: date: 新たな完了予定日 (延期) */
    TK_COL_REASON,       /* input: text: why (延期) */
    /* self and audit workbooks, shown only when last year's campaign of the
     * same kind exists (otherwise generate leaves them out) */
    TK_COL_PREV_ANSWER, /* last year's answer to the item */
    TK_COL_PREV_PLAN,   /* remediation plans still open for the item */
    /* audits */
    TK_COL_GOOD,    /* input: text: 良好事例, markable on any row */
    TK_COL_CONFIRM, /* input: one of the template's <confirm> values (是正確認
                       of earlier findings); shown only when earlier audit
                       findings of the item are not yet confirmed fixed */
    TK_COL_INTERIM, /* input: text: 暫定措置 (follow-up: the auditee's response) */
};
#define TK_COLUMN_KEY_COUNT 28

/* "seq", "ref", ... as written in templates and in the identity sheet. */
const char *tk_column_key_name(enum tk_column_key k);
bool tk_column_key_parse(const char *s, enum tk_column_key *out);

enum tk_input {
    TK_INPUT_NONE, /* shown, locked */
    TK_INPUT_TEXT, /* free text */
    TK_INPUT_LIST, /* one value of the scale (answer) or of the plan statuses (status) */
    TK_INPUT_DATE, /* a date */
};
enum tk_input tk_column_input(enum tk_column_key k);

enum tk_required_when {
    TK_REQUIRED_NEVER,
    TK_REQUIRED_NEGATIVE, /* the answer needs a remediation plan */
    TK_REQUIRED_EXCLUDED, /* the answer leaves the item out (該当しない) */
    TK_REQUIRED_CLOSED,    /* follow-up: the status closes the plan (完了, リスク受容) */
    TK_REQUIRED_POSTPONED, /* follow-up: the status is 延期 */
};

typedef struct tk_tpl_column {
    enum tk_column_key key;
    const char *heading;
    const char *group;        /* heading over consecutive columns, or NULL */
    double width;             /* Excel character units */
    enum tk_required_when required_when;
    const char *number_format; /* date columns; NULL = "yyyy/m/d" */
    const char *description;  /* for the instructions sheet, or NULL */
    const char *prompt_title, *prompt; /* input message, or NULL */
    const char *error_title, *error;   /* refusal message, or NULL */
    long xml_line;
} tk_tpl_column;

typedef struct tk_tpl_answer {
    const char *value;
    double points;    /* 0..1; 0 when excluded */
    bool excluded;    /* left out of the score */
    bool negative;    /* needs a remediation plan */
    const char *flag; /* what it raises besides (要研修), or NULL */
    const char *description; /* or NULL */
    long xml_line;
} tk_tpl_answer;

/* A value of the 是正確認 list (<confirm><value closes="true">是正済み</value>):
 * closes says the auditor confirmed the fix, which alone closes a finding. */
typedef struct tk_tpl_confirm {
    const char *value;
    bool closes;
    const char *description; /* or NULL */
    long xml_line;
} tk_tpl_confirm;

/* A plan status as a follow-up workbook offers it (<plans><status key=...>). */
typedef struct tk_tpl_status {
    enum tk_plan_status status;
    const char *value;       /* as shown in the list: 未着手 */
    const char *description; /* or NULL */
    long xml_line;
} tk_tpl_status;

enum tk_cover_kind {
    TK_COVER_FIELD,    /* label and a value shown */
    TK_COVER_INPUT,    /* label and a cell to fill in */
    TK_COVER_PROGRESS, /* the live progress table */
    TK_COVER_NOTE,     /* a line of text */
};

typedef struct tk_tpl_cover_line {
    enum tk_cover_kind kind;
    const char *label; /* FIELD, INPUT */
    const char *text;  /* FIELD value, NOTE text (placeholders allowed) */
    const char *if_set; /* FIELD: shown only when this placeholder is not empty */
    const char *key;   /* INPUT: the name ingest knows it by */
    enum tk_input input; /* INPUT: TK_INPUT_TEXT or TK_INPUT_DATE */
    const char *prompt_title, *prompt;
} tk_tpl_cover_line;

/* Headings of the cover's progress table. */
typedef struct tk_tpl_progress {
    const char *heading, *sheet, *items, *answered, *unanswered, *missing, *total, *rate;
} tk_tpl_progress;

enum tk_block_kind {
    TK_BLOCK_HEADING,
    TK_BLOCK_PARA,
    TK_BLOCK_ANSWERS, /* table of the scale (follow-up: the plan statuses): head1 = value, head2 = meaning */
    TK_BLOCK_COLUMNS, /* table of the input columns: head1, head2 */
    TK_BLOCK_LEGEND,  /* colour samples: legend[] */
};

enum tk_legend_color { TK_LEGEND_INPUT, TK_LEGEND_UNANSWERED, TK_LEGEND_MISSING };

typedef struct tk_tpl_legend {
    enum tk_legend_color color;
    const char *text;
} tk_tpl_legend;

typedef struct tk_tpl_block {
    enum tk_block_kind kind;
    const char *text;         /* HEADING, PARA */
    const char *head1, *head2; /* ANSWERS, COLUMNS */
    tk_tpl_legend *legend;    /* LEGEND */
    size_t nlegend;
} tk_tpl_block;

/* Colours as 0xRRGGBB. */
typedef struct tk_tpl_colors {
    uint32_t title, header, header_text, group, input, unanswered, missing, context, border, classification, tab;
} tk_tpl_colors;

typedef struct tk_template {
    tk_arena *arena;
    const char *path;
    char hash[65]; /* SHA-256 of the file's bytes */
    const char *kind;  /* "self", "audit", "followup", "staff" */
    const char *name;  /* 自己点検 */
    const char *title; /* placeholders allowed */
    const char *classification;
    const char *deadline_missing;

    const char *font;
    double font_size;
    double line_height; /* multiple of font_size; default 1.3 */
    tk_tpl_colors colors;
    const char *password; /* NULL: protected without a password */
    bool landscape;       /* item sheets */
    /* page header and footer: left, center, right; NULL for none */
    const char *header[3], *footer[3];
    size_t split_parts_above; /* default 60 */
    const char *single_sheet; /* follow-up, staff: the one item sheet's name; NULL otherwise */

    const char *cover_sheet;
    tk_tpl_cover_line *cover;
    size_t ncover;
    tk_tpl_progress progress; /* heading NULL when the cover has none */

    const char *instructions_sheet;
    tk_tpl_block *blocks;
    size_t nblocks;

    tk_tpl_answer *answers; /* none in a follow-up template */
    size_t nanswers;

    tk_tpl_confirm *confirms; /* audit: the 是正確認 list; none otherwise */
    size_t nconfirms;

    tk_tpl_status *statuses; /* follow-up: the <plans> statuses with a key, in order; none otherwise */
    size_t nstatuses;

    tk_tpl_column *columns;
    size_t ncolumns;

    /* distribution list: file name and the headings of its columns */
    const char *dist_file;
    const char *dist_code, *dist_department, *dist_workbook, *dist_token, *dist_items, *dist_deadline;
    const char *dist_number, *dist_person, *dist_mail; /* staff; NULL otherwise */

    /* staff: the roster's headings and the staff role names (space
     * separated); all NULL in other kinds */
    struct {
        const char *number, *name, *department, *title, *mail, *roles, *staff_role;
    } roster;
} tk_template;

/* The best points of the scale (> 0), by which points are scaled to 0..1
 * for scoring; 1 when no answer has positive points. */
double tk_template_points_max(const tk_template *t);

/* Load path and validate it against schema_dir/template.rng (schema_dir
 * NULL: the data directory's templates/) and the rules a schema cannot say.
 * Problems go to diags as FILE:LINE; returns NULL when the template cannot
 * be used (any error). */
tk_template *tk_template_load(const char *path, const char *schema_dir, tk_diags *diags);
void tk_template_free(tk_template *t);

/* The column with this key, or NULL; *index (if not NULL) gets its 0-based
 * position. */
const tk_tpl_column *tk_template_column(const tk_template *t, enum tk_column_key k, size_t *index);
/* The answer with exactly this value, or NULL. */
const tk_tpl_answer *tk_template_answer(const tk_template *t, const char *value);
/* The column with the per-row list: answer (self, audit) or status
 * (follow-up); NULL when none. */
const tk_tpl_column *tk_template_list_column(const tk_template *t, size_t *index);
/* The 是正確認 value with exactly this text, or NULL. */
const tk_tpl_confirm *tk_template_confirm(const tk_template *t, const char *value);
/* The list entry of a plan status, or NULL when the template offers none. */
const tk_tpl_status *tk_template_status(const tk_template *t, enum tk_plan_status s);
/* Leave the column with this key out of the workbook (columns that only
 * apply sometimes, such as last year's answer when there was no last year).
 * Nothing happens when the template has no such column. */
void tk_template_omit_column(tk_template *t, enum tk_column_key k);

/* Placeholder values for tk_template_expand. */
typedef struct tk_tpl_var {
    const char *name;  /* without braces: "org" */
    const char *value;
} tk_tpl_var;

/* The placeholders a template may use ({page}, {pages} and {sheet} only in
 * the page header and footer). */
bool tk_template_known_placeholder(const char *name, bool in_page_header);

/* Replace {name} by its value from vars ("{{" and "}}" give literal braces);
 * an unknown name is left as written. Result in the arena. */
char *tk_template_expand(tk_arena *a, const char *s, const tk_tpl_var *vars, size_t nvars);

#endif
