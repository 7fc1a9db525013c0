/* derive_internal.h — what the stages of derive share (private to src/).
 *
 * tk_derive (derive.c) runs these stages in order, each over the run r:
 *
 *   derive_input.c     check and decode the bytes; physical lines (trimmed,
 *                      bounded); drop what is not the policy (table of
 *                      contents, page numbers, captions, running headers);
 *                      join lines broken by the export into logical lines
 *   derive_marker.c    numbering markers (第1条, 4.1, (1), ア, ・ ...)
 *   derive_tree.c      the numbering tree of nodes and entries, parts,
 *                      article titles, headings, the refs of the nodes
 *   derive_sentence.c  sentences and the obligation forms
 *   derive_roles.c     the role vocabulary, role discovery, subjects
 *   derive_items.c     one item per provision (the walker), the basic
 *                      policy, the obligation sentences no item holds
 *   derive_ids.c       stable ids, carried over from --previous
 *
 * The small UTF-8 helpers the stages share are the static inline functions
 * at the end of this file.
 */
#ifndef TENKEN_DERIVE_INTERNAL_H
#define TENKEN_DERIVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tenken/checklist.h"
#include "tenken/derive.h"
#include "tenken/diag.h"
#include "tenken/text.h"
#include "tenken/util.h"

/* ------------------------------------------------------------------ */
/* the run                                                             */

/* The role vocabulary: templates/derive.xml and the roles to map to. */
typedef struct vocab {
    const char *fallback;   /* the role of provisions that name none */
    const char **fallbacks; /* templates/derive.xml's choices for it, in order */
    size_t nfallbacks, capfallbacks;
    const char **names; /* role names and aliases (match form) */
    const char **canon; /* canonical id for each name */
    size_t nnames, capnames;
    const char **suffixes;
    size_t nsuffixes;
    const char **part_words;
    size_t nparts;
    const char **basic_words;
    size_t nbasic;
    const char **generic; /* endings of a subject that means anyone (利用者) */
    size_t ngeneric;
    const char *staff;    /* the role every member of staff holds (職員等) */
    const char **std;     /* role names of templates/derive.xml (match form) */
    size_t nstd;
    /* roles in discovery order with their aliases */
    const char **found;
    size_t nfound, capfound;
} vocab;

/* The numbering tree: the root, parts (unnumbered titles before numbering
 * that starts again) and a node per marked line; paragraphs are entries. */
enum node_kind { N_ROOT, N_PART, N_MARKED };

typedef struct entry entry;
typedef struct node node;

struct node {
    enum node_kind kind;
    tk_marker mk;
    const char *text;  /* kept form of the marker line's text */
    const char *title; /* article title (（目的）) or part title */
    long line, last;   /* first and last physical line of its marker line */
    node *parent;
    entry *entries; /* children in order */
    size_t nentries, capentries;
    int nparas;     /* unmarked paragraph entries */
    int nbullets;   /* bullet children so far (to number them) */
    int bullet_no;  /* this node's number among bullet siblings */
    bool is_heading;
    bool forced_heading; /* the markup says it is a heading (## 3. …) */
    bool has_child_nodes;
    const char *ref;
    tk_section *section;
    const char **roles; /* resolved roles of the item made from it */
    size_t nroles;
};

struct entry {
    node *child;      /* a marked node, or NULL for a paragraph */
    const char *text; /* paragraph (kept form) */
    long line, last;  /* first and last physical line */
    bool commentary;  /* 【解説】, （例）, ※ and what follows them: no rule */
    bool heading;     /* an unnumbered heading of the markup (## 教育及び訓練) */
    int indent;       /* columns of white space before it */
    int para_no; /* 1-based among paragraphs of the parent */
};

/* A logical line: physical lines joined again, with its marker. */
typedef struct lline {
    tk_buf raw; /* joined text as in the file */
    long line, last; /* first and last physical line joined into it */
    bool has_marker;
    bool heading; /* marked as a heading by the markup */
    int indent;   /* columns of white space before its first line */
    tk_marker mk;
    size_t last_width;  /* width of the last physical line joined */
    size_t nphys;       /* physical lines joined into it */
    bool first_is_head; /* its first physical line looks like a heading */
} lline;

/* One derive run: what every stage reads and fills. */
typedef struct run {
    tk_arena *a;
    const char *path;
    tk_diags *diags;
    tk_derive_report *rep;
    const tk_derive_opts *opts;
    vocab v;
    tk_checklist *c;
    bool doc_basic; /* the whole document is a 基本方針 */
    /* the class of every physical line (1-based; [0] unused) and the ref of
     * the item it belongs to: the coverage account (--explain) */
    unsigned char *lclass;
    const char **lref;
    const char **ltext;
    size_t nphys;
    /* the sentences of each text split so far: the stages ask again and
     * again for the same provision's (tk_dv_split_sentences) */
    tk_strmap split_memo;
    /* the match form of titles, asked for by every node below them */
    tk_strmap norm_memo;
} run;

/* A physical line of the file. */
typedef struct pline {
    const char *s; /* trimmed, NUL-terminated (arena) */
    size_t len;
    long no;
    bool drop;
    int indent;   /* columns of white space before the text */
    bool heading; /* a Markdown heading (## 3. …) or an underlined one */
} pline;

/* A sentence in kept and match form. */
typedef struct sentence {
    const char *kept;
    const char *norm;
} sentence;

/* A role name found at s[pos..end). */
typedef struct match {
    size_t pos, end;
    const char *canon;
} match;

/* The walk over the tree that makes the items. */
typedef struct walker {
    run *r;
    tk_strmap placed;  /* match-form sentences that are in an item */
    tk_strmap refs;    /* refs used */
} walker;

/* ------------------------------------------------------------------ */
/* small UTF-8 helpers                                                 */

static inline int32_t first_cp(const char *s)
{
    const char *p = s;
    return *s ? tk_utf8_next(&p, s + strlen(s)) : 0;
}

/* Last code point of s[0..len). */
static inline int32_t last_cp(const char *s, size_t len)
{
    if (!len)
        return 0;
    size_t i = len - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    const char *p = s + i;
    return tk_utf8_next(&p, s + len);
}

static inline bool ends_with(const char *s, const char *suffix) { return tk_str_ends(s, suffix); }

static inline bool contains(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

/* Full-width ASCII to ASCII, ideographic space to space: how markers are
 * read (never how text is kept). */
static inline int32_t fold(int32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    if (cp == 0x3000 || cp == '\t' || cp == 0xA0)
        return ' ';
    return cp;
}

static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* The match form of s, in the arena. */
static inline const char *norm_a(tk_arena *a, const char *s)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_text_norm(s, strlen(s), &b);
    const char *r = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return r;
}

static inline bool is_comma(int32_t c) { return c == 0x3001 || c == 0xFF0C || c == ','; }
static inline bool is_full_stop(int32_t c) { return c == 0x3002; }

/* Does a character that pred accepts stand outside (…) and 「…」? */
static inline bool outside_brackets(const char *s, size_t len, bool (*pred)(int32_t))
{
    const char *p = s, *end = s + len;
    int depth = 0;
    while (p < end) {
        int32_t c = tk_utf8_next(&p, end);
        if (c == '(' || c == 0xFF08 || c == 0x300C || c == 0x300E)
            depth++;
        else if ((c == ')' || c == 0xFF09 || c == 0x300D || c == 0x300F) && depth > 0)
            depth--;
        else if (depth == 0 && pred(c))
            return true;
    }
    return false;
}

/* 、 outside brackets? (headings rarely have one) */
static inline bool has_comma_outside_brackets(const char *s, size_t len) { return outside_brackets(s, len, is_comma); }

static inline bool has_stop_outside_brackets(const char *s, size_t len) { return outside_brackets(s, len, is_full_stop); }

/* ------------------------------------------------------------------ */
/* the stages, in the order tk_derive runs them                        */

/* derive_input.c */
/* Checks the raw bytes and decodes them to UTF-8 in text; on a problem adds
 * diagnostics and returns false (text then holds nothing to free). */
bool tk_dv_check_and_decode(run *r, const char *bytes, size_t len, tk_buf *text);
/* The physical lines of text, trimmed, blank ones marked dropped; NULL
 * (with diagnostics) when a line is too long or there are too many. Sets
 * the report's line count. Free with free(). */
pline *tk_dv_read_lines(run *r, const tk_buf *text, size_t *nlines);
/* Marks what is not the policy dropped: table of contents, page numbers,
 * captions, running headers and footers. */
void tk_dv_drop_artefacts(run *r, pline *pl, size_t nlines);
/* Reads the markup of Markdown and reStructuredText exports: # headings
 * and underlined titles become headings, **emphasis** is dropped, the
 * underlines, field lists and tables are artefacts and the blocks of
 * directives (.. note::) commentary. */
void tk_dv_read_markup(run *r, pline *pl, size_t nlines);
/* The logical lines: the lines not dropped, those broken by the export
 * joined again, each with its numbering marker. Free with tk_dv_free_lines. */
lline *tk_dv_join_lines(run *r, const pline *pl, size_t nlines, size_t *nll);
void tk_dv_free_lines(lline *ll, size_t nll);

/* derive_roles.c */
/* Reads templates/derive.xml into r->v; std_names/std_canon (room for 64)
 * get the guideline's role names and aliases with their canonical names. */
bool tk_dv_load_vocab(run *r, const char **std_names, const char **std_canon, size_t *nstd);

/* derive_tree.c */
/* The numbering tree of the logical lines; used_marker[i] is set when line
 * i's marker made a node (else its marker is read as text). */
node *tk_dv_build_tree(run *r, const lline *ll, size_t nll, bool *used_marker);

/* derive_items.c */
/* Is the whole document a 基本方針? Sets r->doc_basic. */
void tk_dv_detect_basic_policy(run *r, const node *root);

/* derive_tree.c */
/* Which marked nodes are headings (titles of sections), not provisions. */
void tk_dv_mark_heading_nodes(node *n);
/* The tree on stderr (TENKEN_DEBUG_TREE). */
void tk_dv_dump_tree(const node *n, int depth);

/* derive_roles.c */
/* The roles to map subjects to (the org's, or those the policy names), the
 * staff role and the fallback role. */
void tk_dv_setup_roles(run *r, node *root, const lline *ll, size_t nll, const char **std_names,
                       const char **std_canon, size_t nstd);

/* derive_tree.c */
/* The ref of every node, in the policy's style (第5条第2項第1号, 4.1(2)). */
void tk_dv_assign_refs(run *r, node *root);

/* derive_items.c */
/* The empty checklist in r->c, with the source's name and digest. */
void tk_dv_new_checklist(run *r, const char *bytes, size_t len);
/* Walks the tree into sections and items of r->c. */
void tk_dv_make_items(run *r, node *root, walker *w);

/* derive_ids.c */
/* The id of every item: kept from opts->previous, else a hash of its words. */
void tk_dv_assign_ids(run *r);

/* derive_items.c */
/* Notes the obligation sentences that are in no item (report's unplaced). */
void tk_dv_collect_unplaced(walker *w, const lline *ll, size_t nll, const bool *used_marker);
void tk_dv_walker_free(walker *w);

/* derive_roles.c */
/* The roles found and their aliases, into the report: for the review and
 * the org.xml proposal. */
void tk_dv_report_roles(run *r);

/* ------------------------------------------------------------------ */
/* shared between the stages                                           */

/* derive_tree.c: 編 1, 章 2, 節 3, 款 4, 条 5; 0 for the other styles. */
int tk_dv_style_rank(enum tk_marker_style s);

/* derive_sentence.c: split kept text at 。 outside brackets (and at line
 * ends); each sentence kept and in match form. The array is the run's
 * (arena, shared by every call on the same text): read it, never write. */
size_t tk_dv_split_sentences(run *r, const char *text, sentence **out);

/* derive_sentence.c: the match form of s, made once per run for the same
 * text (titles are asked for by every node under them). */
const char *tk_dv_norm(run *r, const char *s);

/* derive_sentence.c: does the last sentence of a provision announce a list
 * (次の事項を…、以下を全て含む…、下記事項を…、次に掲げる…、a colon)? And does
 * it announce one that describes (threats, a remit, a scope) rather than
 * obliges? */
bool tk_dv_is_lead_in(const char *norm_last);
bool tk_dv_is_descriptive_lead(const char *norm_last);
/* derive_sentence.c: does the sentence end in a plain verb that may oblige
 * (〜する。〜行う。), not a state, a passive or a definition? */
bool tk_dv_plain_verb_sentence(const char *norm);
/* derive_class.c: classify physical lines first..last (where unclassified,
 * or always with force). */
void tk_dv_class_set(run *r, long first, long last, enum tk_line_class cls, const char *ref, bool force);
/* derive_class.c: appends (line, text) to a note list of the report, in the
 * arena, in amortised constant time. */
void tk_dv_note_add(run *r, tk_derive_note **arr, size_t *n, long line, const char *text);
/* derive_class.c: what the stages left unclassified, by its words and its
 * section; the counts per class into the report. */
void tk_dv_classify_rest(run *r, const node *root);

/* derive_roles.c */
/* The subject roles of a match-form sentence (ROLEは, ROLE又はROLEは). */
size_t tk_dv_sentence_subjects(const vocab *v, const char *s, const char **roles, size_t max);
/* A sentence with no topic that opens with its actor (ROLEが…). In a lead-in
 * any such opening counts (「情報セキュリティ管理者が所管する情報資産について
 * 行うべき管理を定める。」); in an item's own sentence only the agent of a
 * condition (condition_only: 「職員等が…する場合は、…」), since 「ROLEが提供する
 * 情報を確認する」 is a relative clause. */
size_t tk_dv_opening_agent(const vocab *v, const char *s, bool condition_only, const char **roles, size_t max);
/* A topic (Xは、) that names an actor but no known role, or NULL. */
const char *tk_dv_unknown_actor(run *r, const char *s);
/* Does topic mean anyone who does the thing (…を利用する者)? */
bool tk_dv_is_generic_doer(const run *r, const char *topic);
/* The role named by the title of an enclosing heading. */
size_t tk_dv_roles_from_headings(run *r, const node *n, const char **roles, size_t max);

#endif
