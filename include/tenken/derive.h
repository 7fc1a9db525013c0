/* derive.h — policy text to checklist.
 *
 * The pipeline: decode the file, drop what is not the policy (table of
 * contents, page numbers, running headers), join lines broken by Word/PDF
 * export, recognise the policy's own numbering and build a section tree,
 * then make one item per provision that obliges someone, with its ref in the
 * policy's style, its level, its role and a stable id.
 *
 * src/derive.c runs the stages in this order; each lives in its own file:
 * derive_input.c (decoding, lines, artefacts, joining), derive_marker.c
 * (numbering markers), derive_tree.c (the section tree and refs),
 * derive_sentence.c (sentences, obligation forms), derive_roles.c (roles
 * and subjects), derive_items.c (items), derive_ids.c (stable ids); what they
 * share is in src/derive_internal.h.
 */
#ifndef TENKEN_DERIVE_H
#define TENKEN_DERIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "tenken/checklist.h"
#include "tenken/diag.h"

/* Numbering styles a line can start with. */
enum tk_marker_style {
    TK_MK_NONE,
    TK_MK_HEN,        /* 第1編 */
    TK_MK_CHAPTER,    /* 第1章 */
    TK_MK_SECTION,    /* 第1節 */
    TK_MK_KAN,        /* 第1款 */
    TK_MK_ARTICLE,    /* 第5条, 第5条の2 */
    TK_MK_DEC,        /* 4 / 4. / 4.1 / ６． (depth in tk_marker.depth) */
    TK_MK_RPAREN,     /* 1) */
    TK_MK_PAREN_NUM,  /* (1) （１） ⑴ */
    TK_MK_CIRCLED,    /* ① */
    TK_MK_PAREN_KANA, /* (ア) */
    TK_MK_KANA,       /* ア ア. */
    TK_MK_PAREN_LATIN,/* (a) */
    TK_MK_LATIN,      /* a. a) */
    TK_MK_ROMAN,      /* I II Ⅲ */
    TK_MK_KANJI,      /* 一 (号) */
    TK_MK_PAREN_KANJI,/* (一) */
    TK_MK_BULLET,     /* ・ • - ● ○ ■ ◆ ※ */
};

typedef struct tk_marker {
    enum tk_marker_style style;
    int value;          /* 1-based ordinal; 0 for bullets */
    int depth;          /* TK_MK_DEC: number of components */
    int parts[6];       /* TK_MK_DEC: the components */
    int sub;            /* 第5条の2: 2 */
    char raw[64];       /* the marker as written, white space removed */
    size_t text_offset; /* byte offset in the line where the text starts */
} tk_marker;

/* Recognise a numbering marker at the start of line (UTF-8, len bytes).
 * Returns false when the line does not start with one. */
bool tk_marker_parse(const char *line, size_t len, tk_marker *m);

/* Obligation level of one sentence (match form), or -1 when it obliges no
 * one. in_basic_policy enables declarative commitments (〜する。);
 * enumerated enables 〜こと。 */
int tk_obligation_level(const char *norm_sentence, bool in_basic_policy, bool enumerated);

typedef struct tk_derive_opts {
    const char *org_id;       /* --org */
    const char *name;         /* --name (organisation name), may be NULL */
    const char *source_name;  /* recorded in the checklist (file name) */
    const tk_org *org;        /* roles to map subjects to; may be NULL */
    const tk_checklist *previous; /* --previous; may be NULL */
} tk_derive_opts;

/* What each line of the policy is: the coverage account (--explain). Every
 * physical line ends up in exactly one class. */
enum tk_line_class {
    TK_LC_UNSET,        /* (internal: not yet classified) */
    TK_LC_ITEM,         /* the text of an item */
    TK_LC_CONTEXT,      /* a lead-in, the context of the items under it */
    TK_LC_HEADING,      /* a section's title */
    TK_LC_DEFINITION,   /* 「…をいう。」 and the 定義 section */
    TK_LC_PURPOSE,      /* 目的・趣旨・適用範囲 */
    TK_LC_DESCRIPTION,  /* threats, 所掌事務, announcements, other description */
    TK_LC_COMMENTARY,   /* 解説, 例, 注, ※ */
    TK_LC_TOC,          /* table of contents */
    TK_LC_ARTEFACT,     /* page numbers, running headers, captions, markup */
    TK_LC_BLANK,        /* empty */
    TK_LC_UNCLASSIFIED, /* an obligation sentence that is no item (warned) */
    TK_LC_COUNT
};
/* The Japanese name of a class (項目、前提、見出し …). */
const char *tk_line_class_label(enum tk_line_class c);

/* What derive found, for the review summary. Strings live in the arena. */
typedef struct tk_derive_note {
    long line;
    const char *text;
} tk_derive_note;

typedef struct tk_derive_report {
    tk_arena *arena;
    const char *encoding;
    size_t lines, dropped_toc, dropped_pages, dropped_headers, joined;
    size_t sections;
    size_t by_level[4];
    const char **role_names; /* roles found (canonical), in discovery order */
    size_t nroles;
    tk_derive_note *unmapped;  /* subjects that map to no role */
    size_t nunmapped;
    tk_derive_note *unplaced;  /* obligation sentences not in any item (warnings) */
    size_t nunplaced;
    tk_derive_note *unclassified; /* lines derive could not classify */
    size_t nunclassified;
    tk_derive_note *fallback_items; /* items given the fallback role: line and ref */
    size_t nfallback_items;
    bool fallback_named;       /* the policy (or org.xml) names the fallback role */
    const char *fallback_wanted; /* the role templates/derive.xml asks for, when the policy has none */
    /* the coverage account: class and item ref of every physical line
     * (1-based, [0] unused), and the count per class */
    unsigned char *line_class;
    const char **line_ref;
    const char **line_text;    /* the line as read (trimmed) */
    size_t class_count[TK_LC_COUNT];
    size_t kept_previous;      /* ids carried over from --previous by text */
    size_t kept_previous_ref;  /* ids carried over by ref with changed text */
    const char *fallback_role;
    /* roles found, with their aliases, for proposing an org.xml */
    const char ***role_aliases;
    size_t *nrole_aliases;
} tk_derive_report;

/* Derive a checklist from the bytes of a policy file. Returns NULL (with
 * diagnostics naming path and line) when the input cannot be a policy text.
 * report is filled either way; free it with tk_derive_report_free. */
tk_checklist *tk_derive(const char *bytes, size_t len, const char *path, const tk_derive_opts *opts,
                        tk_derive_report *report, tk_diags *diags);
void tk_derive_report_free(tk_derive_report *r);

/* An org.xml proposal: the roles found, no departments. */
tk_org *tk_derive_propose_org(const tk_derive_report *r, const char *org_id, const char *name);

#endif
