/* checklist.h — the checklist (sections and items of one organisation's
 * policy) and the organisation (roles and departments), loaded from and
 * written to XML, validated against checklists/(checklist,org).rng and the rules a schema
 * cannot say.
 *
 * Ownership: a tk_checklist or tk_org owns everything reachable from it
 * (strings live in its arena); free it with tk_checklist_free / tk_org_free.
 */
#ifndef TENKEN_CHECKLIST_H
#define TENKEN_CHECKLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/diag.h"
#include "tenken/util.h"

#define TK_CHECKLIST_NS "urn:tenken:checklist:1"
#define TK_ORG_NS "urn:tenken:org:1"

enum tk_level {
    TK_LEVEL_MUST,     /* 〜なければならない, ものとする, 〜すること */
    TK_LEVEL_MUST_NOT, /* 〜てはならない */
    TK_LEVEL_SHOULD,   /* 努めなければならない, 努めるものとする */
    TK_LEVEL_DECLARE,  /* a 基本方針's declared commitment (〜する。) */
};
const char *tk_level_name(enum tk_level l);  /* "must", ... */
const char *tk_level_label(enum tk_level l); /* "義務", ... (Japanese) */
bool tk_level_parse(const char *s, enum tk_level *out);

typedef struct tk_section tk_section;

typedef struct tk_item {
    const char *id;      /* stable id, e.g. "tk-3f2a9c01b4" */
    const char *ref;     /* the policy's own numbering, e.g. "9.1(7)②" */
    enum tk_level level;
    const char **roles;  /* role ids; at least one */
    size_t nroles;
    const char *text;    /* the provision as written */
    const char *context; /* lead-in the provision depends on, or NULL */
    const char *guidance;/* optional */
    double weight;       /* default 1 */
    long line;           /* line in the policy text (0 unknown) */
    long xml_line;       /* line in checklist.xml when loaded */
    tk_section *section; /* enclosing section */
    const char *chapter; /* title of the top-level section it belongs to */
    size_t index;        /* position in document order, 0-based */
    /* The secretariat's decisions (tenken review). roles, weight and
     * out_of_scope are always the effective values; the review fields say
     * that a person reviewed the item and what derive had proposed where they
     * changed it. XML: <item scope="out"> and <review date= text-sha256=
     * derived-role= derived-weight=/> (see checklists/checklist.rng). */
    bool out_of_scope;        /* 対象外: kept, never issued */
    bool reviewed;            /* a <review> element */
    const char *review_date;  /* YYYY-MM-DD when reviewed, else NULL */
    const char *review_hash;  /* tk_item_text_hash(text, context) at the review */
    const char *derived_role; /* derive's roles (space-separated) where the reviewer changed them, else NULL */
    double derived_weight;    /* derive's weight where the reviewer changed it, else 0 */
} tk_item;

struct tk_section {
    const char *ref;
    const char *title;
    tk_section *parent;
    tk_section **children; /* subsections in order */
    size_t nchildren;
    long xml_line;
};

typedef struct tk_checklist {
    tk_arena *arena;
    const char *org;        /* organisation id */
    const char *name;       /* organisation name */
    const char *source;     /* policy file name it was derived from */
    const char *source_sha256;
    const char *path;       /* file it was loaded from, or NULL */
    char hash[65];          /* SHA-256 of the canonical content (items) */
    tk_section root;        /* root.children are the top-level sections */
    tk_item *items;         /* all items in document order */
    size_t nitems;
} tk_checklist;

typedef struct tk_role {
    const char *id;
    const char *name;
    bool every_department; /* every department must hold it (職員等-type) */
    const char **aliases;
    size_t naliases;
    long xml_line;
} tk_role;

typedef struct tk_department {
    const char *code;
    const char *name;
    const char **holds; /* role ids */
    size_t nholds;
    long xml_line;
} tk_department;

typedef struct tk_org {
    tk_arena *arena;
    const char *id;
    const char *name;
    const char *path;
    bool sample;
    tk_role *roles;
    size_t nroles;
    tk_department *departments;
    size_t ndepartments;
} tk_org;

/* Building a checklist in memory (derive uses these). */
tk_checklist *tk_checklist_new(const char *org, const char *name);
tk_section *tk_checklist_add_section(tk_checklist *c, tk_section *parent, const char *ref, const char *title);
/* Appends an item; strings are copied into the checklist's arena. */
tk_item *tk_checklist_add_item(tk_checklist *c, tk_section *section, const tk_item *proto);
void tk_checklist_free(tk_checklist *c);
/* Remove sections that hold no item (headings of definitions and the like). */
void tk_checklist_prune(tk_checklist *c);
/* Recompute c->hash over ids, refs, levels, roles, texts, weights and scope
 * (an in-scope item hashes as before scope existed; the review element is
 * not part of the hash: it changes nothing that is issued). */
void tk_checklist_rehash(tk_checklist *c);

/* Serialise to XML (UTF-8, indented). Caller frees out. */
void tk_checklist_to_xml(const tk_checklist *c, tk_buf *out);
void tk_org_to_xml(const tk_org *o, tk_buf *out);

/* Load and validate. Problems go to diags as FILE:LINE messages; returns
 * NULL when the file cannot be used at all. schema_dir holds checklist.rng
 * and org.rng (usually "checklists"). */
tk_checklist *tk_checklist_load(const char *path, const char *schema_dir, tk_diags *diags);
tk_org *tk_org_load(const char *path, const char *schema_dir, tk_diags *diags);
void tk_org_free(tk_org *o);
/* The department named key: by its code as written, else by code or name
 * in the match form (full-width, spaces); NULL when none. */
const tk_department *tk_org_department_find(const tk_org *o, const char *key);

/* Rules a schema cannot say: unique ids and refs, every role defined in
 * org, every department holding the every-department roles, ... */
void tk_checklist_check_rules(const tk_checklist *c, const tk_org *org, tk_diags *diags);
void tk_org_check_rules(const tk_org *o, tk_diags *diags);

/* Resolve --org: an id (folder checklists/ID/) or a path to a folder.
 * Returns the folder path in the arena, or NULL if it does not exist. */
const char *tk_org_dir(tk_arena *a, const char *org_arg);

/* Lookups. */
const tk_role *tk_org_role(const tk_org *o, const char *id);
bool tk_department_holds(const tk_department *d, const char *role_id);
/* Does the department answer this item (in scope, and the department holds
 * any of its roles)? */
bool tk_item_applies(const tk_item *it, const tk_department *d);

#endif
