/* derive_class.c — the coverage account: every line of the policy in one
 * class. The stages before classify what they use (items, lead-ins,
 * headings, commentary, artefacts); this one reads what is left by its
 * words and its section: definitions, purpose and scope, descriptions, and
 * the obligation sentences that became no item (warned). */
#include "derive_internal.h"

#include <stdlib.h>
#include <string.h>

const char *tk_line_class_label(enum tk_line_class c)
{
    switch (c) {
    case TK_LC_UNSET: return "未分類";
    case TK_LC_ITEM: return "項目";
    case TK_LC_CONTEXT: return "前提";
    case TK_LC_HEADING: return "見出し";
    case TK_LC_DEFINITION: return "定義";
    case TK_LC_PURPOSE: return "目的・範囲";
    case TK_LC_DESCRIPTION: return "記述";
    case TK_LC_COMMENTARY: return "解説";
    case TK_LC_TOC: return "目次";
    case TK_LC_ARTEFACT: return "体裁";
    case TK_LC_BLANK: return "空行";
    case TK_LC_UNCLASSIFIED: return "未分類";
    case TK_LC_COUNT: break;
    }
    return "?";
}

void tk_dv_note_add(run *r, tk_derive_note **arr, size_t *n, long line, const char *text)
{
    /* the capacity is the next power of two: grow when n is 0 or one */
    if ((*n & (*n - 1)) == 0) {
        tk_derive_note *na = tk_arena_alloc(r->a, (*n ? 2 * *n : 1) * sizeof *na);
        if (*n)
            memcpy(na, *arr, *n * sizeof *na);
        *arr = na;
    }
    (*arr)[*n].line = line;
    (*arr)[*n].text = text;
    (*n)++;
}

/* Gives physical lines first..last class cls (and ref) where no stage has
 * classified them yet; force overrides what was there. */
void tk_dv_class_set(run *r, long first, long last, enum tk_line_class cls, const char *ref, bool force)
{
    for (long i = first; i <= last; i++) {
        if (i < 1 || (size_t)i > r->nphys)
            continue;
        if (!force && r->lclass[i] != TK_LC_UNSET)
            continue;
        if (r->lclass[i] == TK_LC_BLANK || r->lclass[i] == TK_LC_TOC || r->lclass[i] == TK_LC_ARTEFACT)
            continue;
        r->lclass[i] = (unsigned char)cls;
        r->lref[i] = ref;
    }
}

/* Words of a section title that say what its text is. */
static enum tk_line_class class_of_title(const char *norm)
{
    static const struct {
        const char *word;
        enum tk_line_class cls;
    } titles[] = {
        {"定義", TK_LC_DEFINITION}, {"用語", TK_LC_DEFINITION},  {"目的", TK_LC_PURPOSE},
        {"趣旨", TK_LC_PURPOSE},    {"適用範囲", TK_LC_PURPOSE}, {"対象範囲", TK_LC_PURPOSE},
        {"位置付け", TK_LC_PURPOSE}, {"位置づけ", TK_LC_PURPOSE}, {"脅威", TK_LC_DESCRIPTION},
        {"附則", TK_LC_DESCRIPTION}, {"所掌", TK_LC_DESCRIPTION}, {"解説", TK_LC_COMMENTARY},
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strstr(norm, titles[i].word))
            return titles[i].cls;
    return TK_LC_UNSET;
}

/* The class a section's title gives the lines under it, or TK_LC_UNSET
 * (then its nearest titled ancestor's counts). */
static enum tk_line_class class_of_own_title(run *r, const node *n)
{
    const char *t = n->kind == N_PART ? n->title : n->mk.style == TK_MK_ARTICLE ? n->title : n->text;
    if (n->kind == N_ROOT || !t || !(n->kind == N_PART || n->is_heading || tk_dv_style_rank(n->mk.style) ||
                                      n->mk.style == TK_MK_ARTICLE))
        return TK_LC_UNSET;
    return class_of_title(tk_dv_norm(r, t));
}

/* The class of a line's text by its words alone. */
static enum tk_line_class class_of_text(run *r, const char *kept)
{
    sentence *ss;
    size_t ns = tk_dv_split_sentences(r, kept, &ss);
    for (size_t i = 0; i < ns; i++) {
        const char *s = ss[i].norm;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' '))
            n--;
        if (strstr(s, "をいう") || strstr(s, "という。") || tk_str_ends(s, "という") || strstr(s, "とは、"))
            return TK_LC_DEFINITION;
        if (strstr(s, "目的とする") || strstr(s, "目的として"))
            return TK_LC_PURPOSE;
    }
    return TK_LC_DESCRIPTION;
}

/* Each node's lines, by the node's section; outer: the class its nearest
 * titled ancestor gives (handed down, not looked up from every node). */
static void classify_node(run *r, const node *n, enum tk_line_class outer)
{
    enum tk_line_class sec = class_of_own_title(r, n);
    if (sec == TK_LC_UNSET)
        sec = outer;
    if (n->kind == N_MARKED && r->lclass[n->line] == TK_LC_UNSET) {
        bool title = n->is_heading && !(n->mk.style == TK_MK_ARTICLE && n->text && *n->text);
        enum tk_line_class c = title ? TK_LC_HEADING : sec != TK_LC_UNSET ? sec : class_of_text(r, n->text);
        tk_dv_class_set(r, n->line, n->last, c, n->ref, false);
    }
    for (size_t i = 0; i < n->nentries; i++) {
        const entry *e = &n->entries[i];
        if (e->child) {
            classify_node(r, e->child, sec);
            continue;
        }
        enum tk_line_class c = e->heading      ? TK_LC_HEADING
                               : e->commentary ? TK_LC_COMMENTARY
                               : sec != TK_LC_UNSET ? sec
                                                    : class_of_text(r, e->text);
        tk_dv_class_set(r, e->line, e->last, c, n->ref, false);
    }
}

void tk_dv_classify_rest(run *r, const node *root)
{
    for (size_t i = 0; i < root->nentries; i++) {
        const entry *e = &root->entries[i];
        if (!e->child && r->lclass[e->line] == TK_LC_UNSET)
            tk_dv_class_set(r, e->line, e->last, e->commentary ? TK_LC_COMMENTARY : TK_LC_DESCRIPTION, NULL, false);
        if (e->child && e->child->kind == N_PART)
            tk_dv_class_set(r, e->child->line, e->child->last ? e->child->last : e->child->line, TK_LC_HEADING,
                            e->child->ref, false);
    }
    classify_node(r, root, TK_LC_UNSET);
    /* the obligation sentences no item holds are warned and stay unclassified */
    for (size_t i = 0; i < r->rep->nunplaced; i++) {
        long ln = r->rep->unplaced[i].line;
        if (ln >= 1 && (size_t)ln <= r->nphys && r->lclass[ln] != TK_LC_ITEM && r->lclass[ln] != TK_LC_CONTEXT)
            r->lclass[ln] = TK_LC_UNCLASSIFIED;
    }
    tk_derive_report *rep = r->rep;
    rep->line_class = r->lclass;
    rep->line_ref = r->lref;
    rep->line_text = r->ltext;
    for (size_t i = 1; i <= r->nphys; i++) {
        if (r->lclass[i] == TK_LC_UNSET)
            r->lclass[i] = TK_LC_UNCLASSIFIED;
        rep->class_count[r->lclass[i]]++;
    }
    /* the unclassified lines that are not warned already as unplaced */
    bool *warned = tk_xcalloc(r->nphys + 1, sizeof *warned);
    for (size_t k = 0; k < rep->nunplaced; k++)
        if (rep->unplaced[k].line >= 1 && (size_t)rep->unplaced[k].line <= r->nphys)
            warned[rep->unplaced[k].line] = true;
    for (size_t i = 1; i <= r->nphys; i++)
        if (r->lclass[i] == TK_LC_UNCLASSIFIED && !warned[i])
            tk_dv_note_add(r, &rep->unclassified, &rep->nunclassified, (long)i, "");
    free(warned);
}
