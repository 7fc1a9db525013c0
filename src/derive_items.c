/* derive_items.c — one item per provision that obliges someone: walk the
 * tree, open a section per heading, read lead-ins (次の各号…) as the context
 * of the items under them, give every item its ref, level and roles; then
 * the obligation sentences that no item holds. */
#include "derive_internal.h"

#include <stdlib.h>
#include <string.h>

static bool in_basic(run *r, const node *n)
{
    for (; n; n = n->parent) {
        const char *t = NULL;
        if (n->kind == N_PART)
            t = n->title;
        else if (n->kind == N_MARKED && tk_dv_style_rank(n->mk.style) && n->mk.style != TK_MK_ARTICLE)
            t = n->text;
        if (!t)
            continue;
        for (size_t i = 0; i < r->v.nbasic; i++)
            if (contains(t, r->v.basic_words[i]))
                return true;
        for (size_t i = 0; i < r->v.nparts; i++)
            if (contains(t, r->v.part_words[i]))
                return false;
    }
    return r->doc_basic;
}

static bool node_is_section(const node *n)
{
    return n->kind == N_PART || (n->kind == N_MARKED && (tk_dv_style_rank(n->mk.style) || n->is_heading));
}

/* The lines of a provision node: its marker line and its paragraphs. */
static void class_node(run *r, const node *n, enum tk_line_class cls, const char *ref)
{
    tk_dv_class_set(r, n->line, n->last, cls, ref, true);
    for (size_t i = 0; i < n->nentries; i++)
        if (!n->entries[i].child && !n->entries[i].commentary && !n->entries[i].heading)
            tk_dv_class_set(r, n->entries[i].line, n->entries[i].last, cls, ref, true);
}

/* ------------------------------------------------------------------ */
/* levels and subjects                                                 */

/* A lead-in in force over the items under it, with the lead-ins around it. */
typedef struct lead {
    const char *text;        /* kept; the items' context */
    const sentence *ss;      /* its sentences, split once for all its items */
    size_t ns;
    const struct lead *outer;
    int level;               /* what its announcing sentence obliges, or -1 */
    bool descriptive;        /* its list describes; no rule */
    bool direct;             /* the items under it are its list (not sub-items of one) */
} lead;

/* Does the sentence name who acts (a role, or an actor as topic)? */
static bool has_actor_subject(run *r, const char *norm)
{
    const char *roles[8];
    return tk_dv_sentence_subjects(&r->v, norm, roles, 8) > 0 || tk_dv_unknown_actor(r, norm) != NULL;
}

/* The level of one sentence: its obligation form; in a 対策基準 or 規程 a
 * plain 「〜する。」 whose actor is named (in the sentence, or by the title
 * of its section: 「(4) 情報システム管理者」) is a duty too. */
static int sentence_level(run *r, const node *owner, const sentence *s, bool basic, bool enumerated)
{
    int lv = tk_obligation_level(s->norm, basic, enumerated);
    if (lv < 0 && !basic && tk_dv_plain_verb_sentence(s->norm)) {
        const char *roles[1];
        if (has_actor_subject(r, s->norm) || (owner && tk_dv_roles_from_headings(r, owner, roles, 1)))
            lv = TK_LEVEL_MUST;
    }
    return lv;
}

/* The first level any sentence of text states, or -1; skip: a sentence not
 * to count (the announcing one of a lead-in), or NULL. */
static int text_level(run *r, const node *owner, const sentence *ss, size_t ns, bool basic, bool enumerated, const char *skip)
{
    for (size_t i = 0; i < ns; i++) {
        if (skip && !strcmp(ss[i].norm, skip))
            continue;
        int lv = sentence_level(r, owner, &ss[i], basic, enumerated);
        if (lv >= 0)
            return lv;
    }
    return -1;
}

/* Known roles the sentences name as subject (the obliging ones first). */
static size_t known_subjects(run *r, const sentence *ss, size_t ns, bool basic, const char **roles)
{
    size_t n = 0;
    for (size_t i = 0; i < ns && !n; i++)
        if (sentence_level(r, NULL, &ss[i], basic, true) >= 0)
            n = tk_dv_sentence_subjects(&r->v, ss[i].norm, roles, 8);
    for (size_t i = 0; i < ns && !n; i++)
        n = tk_dv_sentence_subjects(&r->v, ss[i].norm, roles, 8);
    return n;
}

/* An actor the sentences name as topic that is no known role: the staff
 * role when it means whoever does the thing (「…を送信する者は」), else the
 * actor itself, noted as unmapped. */
static size_t unknown_subjects(run *r, const sentence *ss, size_t ns, long line, const char **roles)
{
    for (size_t i = 0; i < ns; i++) {
        const char *actor = tk_dv_unknown_actor(r, ss[i].norm);
        if (!actor)
            continue;
        bool standard = false;
        for (size_t k = 0; k < r->v.nstd && !standard; k++)
            standard = !strcmp(r->v.std[k], actor);
        if (r->v.staff && !standard && tk_dv_is_generic_doer(r, actor)) {
            roles[0] = r->v.staff;
            return 1;
        }
        tk_dv_note_add(r, &r->rep->unmapped, &r->rep->nunmapped, line, actor);
        if (r->opts && r->opts->org)
            return 0; /* org.xml has no such role: the lead-in's, the section's or the fallback */
        roles[0] = actor;
        return 1;
    }
    return 0;
}

/* Who must act: the item's own subject, then the nearest lead-in's, then
 * the outer lead-ins', then the section's (「(9) CSIRT の設置・役割」); never
 * a sibling's. The fallback role only where nothing names one. */
static size_t item_roles(run *r, const node *owner, const sentence *ss, size_t ns, const lead *ld, bool basic,
                         long line, const char *ref, const char **roles)
{
    size_t n = known_subjects(r, ss, ns, basic, roles);
    if (!n)
        n = unknown_subjects(r, ss, ns, line, roles);
    for (size_t i = 0; i < ns && !n; i++)
        n = tk_dv_opening_agent(&r->v, ss[i].norm, true, roles, 8);
    for (const lead *l = ld; l && !n; l = l->outer) {
        n = known_subjects(r, l->ss, l->ns, basic, roles);
        if (!n)
            n = unknown_subjects(r, l->ss, l->ns, line, roles);
        for (size_t i = 0; i < l->ns && !n; i++)
            n = tk_dv_opening_agent(&r->v, l->ss[i].norm, false, roles, 8);
    }
    if (!n)
        n = tk_dv_roles_from_headings(r, owner, roles, 8);
    if (!n) {
        roles[n++] = r->v.fallback;
        tk_dv_note_add(r, &r->rep->fallback_items, &r->rep->nfallback_items, line, ref);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* items                                                               */

/* Makes an item of text (a provision node's or a paragraph's) when it, or
 * the lead-in it stands under, obliges someone; returns its ref or NULL. */
static const char *emit_item(walker *w, tk_section *sec, const node *owner, const char *ref, const char *text,
                             const lead *ld, long line)
{
    run *r = w->r;
    bool basic = in_basic(r, owner);
    bool listed = ld && ld->direct;
    sentence *ss;
    size_t ns = tk_dv_split_sentences(r, text, &ss);
    int level = text_level(r, owner, ss, ns, basic, listed, NULL);
    if (level < 0 && listed && !ld->descriptive)
        level = ld->level;
    if (level < 0)
        return NULL;

    const char *uref = ref;
    bool existed;
    for (int k = 2; tk_strmap_put(&w->refs, uref, uref, &existed), existed; k++)
        uref = tk_arena_printf(r->a, "%s-%d", ref, k);
    const char *roles[8];
    size_t nroles = item_roles(r, owner, ss, ns, ld, basic, line, uref, roles);

    tk_item it;
    memset(&it, 0, sizeof it);
    it.id = "";
    it.ref = uref;
    it.level = (enum tk_level)level;
    it.roles = roles;
    it.nroles = nroles;
    it.text = text;
    it.context = listed ? ld->text : NULL;
    it.weight = 1.0;
    it.line = line;
    tk_checklist_add_item(r->c, sec, &it);
    r->rep->by_level[level]++;
    for (size_t i = 0; i < ns; i++)
        tk_strmap_put(&w->placed, ss[i].norm, "", &existed);
    for (size_t i = 0; listed && i < ld->ns; i++)
        tk_strmap_put(&w->placed, ld->ss[i].norm, "", &existed);
    return uref;
}

/* Text of a provision node: its line and the unmarked paragraphs under it
 * (commentary left out). */
static const char *provision_text(run *r, const node *n)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_puts(&b, n->text ? n->text : "");
    for (size_t i = 0; i < n->nentries; i++) {
        if (n->entries[i].child || n->entries[i].commentary || n->entries[i].heading)
            continue;
        if (b.len)
            tk_buf_putc(&b, '\n');
        tk_buf_puts(&b, n->entries[i].text);
    }
    const char *s = tk_arena_strdup(r->a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

static const char *last_sentence_norm(run *r, const char *text)
{
    sentence *ss;
    size_t ns = tk_dv_split_sentences(r, text, &ss);
    return ns ? ss[ns - 1].norm : "";
}

/* A lead-in over the items that follow: its level is that of its
 * announcing (last) sentence, or of the lead-in it stands under. */
static lead make_lead(run *r, const node *owner, const char *text, const lead *outer)
{
    lead l = {.text = text, .outer = outer, .level = -1, .direct = true};
    bool basic = in_basic(r, owner);
    sentence *ss;
    size_t ns = tk_dv_split_sentences(r, text, &ss);
    l.ss = ss;
    l.ns = ns;
    if (ns)
        l.level = sentence_level(r, owner, &ss[ns - 1], basic, outer && outer->direct);
    if (l.level < 0)
        l.level = text_level(r, owner, ss, ns, basic, false, NULL);
    l.descriptive = (ns && tk_dv_is_descriptive_lead(ss[ns - 1].norm)) || (outer && outer->descriptive);
    return l;
}

/* Does the lead-in also oblige by a sentence other than its announcing one
 * (「…許可できるようにしなければならない。なお、…次の方法により…」)? */
static bool lead_is_duty_too(run *r, const node *owner, const char *text)
{
    sentence *ss;
    size_t ns = tk_dv_split_sentences(r, text, &ss);
    if (ns < 2)
        return false;
    /* 「…を定める。その内容は次のとおりとする。」: the sentence before one that
     * points back (その、これら) belongs to the lead-in */
    size_t own = ns - 1;
    const char *last = ss[ns - 1].norm;
    if (tk_str_starts(last, "その") || tk_str_starts(last, "これら") || tk_str_starts(last, "これは"))
        own--;
    return own > 0 && text_level(r, owner, ss, own, in_basic(r, owner), false, NULL) >= 0;
}

static void walk(walker *w, node *n, tk_section *sec, const lead *outer);

static tk_section *open_section(walker *w, node *c, tk_section *sec)
{
    run *r = w->r;
    const char *title = c->kind == N_PART ? c->title : c->mk.style == TK_MK_ARTICLE ? (c->title ? c->title : "")
                                                                                     : c->text;
    tk_section *s = tk_checklist_add_section(r->c, sec, c->ref, title ? title : "");
    r->rep->sections++;
    c->section = s;
    /* 第5条 職員は、…: an article's line may hold its first 項, not a title */
    if (!(c->kind == N_MARKED && c->mk.style == TK_MK_ARTICLE && c->text && *c->text))
        tk_dv_class_set(r, c->line, c->last, TK_LC_HEADING, c->ref, false);
    return s;
}

static bool has_item_children(const node *c)
{
    for (size_t i = 0; i < c->nentries; i++)
        if (c->entries[i].child && !node_is_section(c->entries[i].child))
            return true;
    return false;
}

/* A provision node and what stands under it. */
static void provision(walker *w, node *c, tk_section *sec, const lead *ld)
{
    run *r = w->r;
    const char *text = provision_text(r, c);
    bool is_lead = has_item_children(c) && tk_dv_is_lead_in(last_sentence_norm(r, text));
    lead mine = {0}, below = {0};
    if (is_lead) {
        mine = make_lead(r, c, text, ld);
        const char *ref = NULL;
        if (lead_is_duty_too(r, c, text))
            ref = emit_item(w, sec, c, c->ref, text, ld, c->line);
        class_node(r, c, ref ? TK_LC_ITEM : mine.descriptive ? TK_LC_DESCRIPTION : TK_LC_CONTEXT, ref ? ref : c->ref);
    } else {
        const char *ref = emit_item(w, sec, c, c->ref, text, ld, c->line);
        if (ref)
            class_node(r, c, TK_LC_ITEM, ref);
        /* sub-items of an item stand in the list's scope for their roles only */
        below = ld ? *ld : (lead){0};
        below.direct = false;
    }
    const lead *cur = is_lead ? &mine : ld ? &below : NULL;
    lead later = {0};
    for (size_t i = 0; i < c->nentries; i++) {
        entry *e = &c->entries[i];
        if (!e->child) {
            if (e->commentary || e->heading) {
                tk_dv_class_set(r, e->line, e->last, e->heading ? TK_LC_HEADING : TK_LC_COMMENTARY, c->ref, false);
            } else if (i > 0 && c->entries[i - 1].child && tk_dv_is_lead_in(last_sentence_norm(r, e->text))) {
                /* a lead-in between the entries of a list: of those after it */
                later = make_lead(r, c, e->text, ld);
                cur = &later;
                tk_dv_class_set(r, e->line, e->last, later.descriptive ? TK_LC_DESCRIPTION : TK_LC_CONTEXT, c->ref,
                                true);
            }
            continue;
        }
        if (node_is_section(e->child))
            walk(w, e->child, open_section(w, e->child, sec), ld);
        else
            provision(w, e->child, sec, cur);
    }
}

static bool has_numbered_kou(const node *n)
{
    for (size_t i = 0; i < n->nentries; i++) {
        const node *c = n->entries[i].child;
        if (c && c->mk.style == TK_MK_DEC && c->mk.depth == 1)
            return true;
    }
    return false;
}

/* A paragraph (or an article's own text) at the level of a section: an
 * item, or the lead-in of the provisions after it (*ld set), or the
 * announcement of the subsections after it (a description). */
static void paragraph(walker *w, node *n, tk_section *sec, const char *ref, const char *text, long line, long last,
                      bool next_items, bool next_section, const lead *outer, lead *ld, bool *has_lead)
{
    run *r = w->r;
    bool lead_in = tk_dv_is_lead_in(last_sentence_norm(r, text));
    *has_lead = false;
    if (lead_in && (next_items || next_section)) {
        const char *iref = lead_is_duty_too(r, n, text) ? emit_item(w, sec, n, ref, text, outer, line) : NULL;
        lead l = make_lead(r, n, text, outer);
        /* 「…は、次の措置を講じなければならない。」 over titled sub-items: a
         * lead-in of what they say; 「次の対策を講じる。」 over the chapters of
         * a 基本方針 only announces them */
        bool leads = next_items || (l.level >= 0 && l.level != TK_LEVEL_DECLARE && !l.descriptive);
        if (leads) {
            *ld = l;
            *has_lead = true;
        }
        tk_dv_class_set(r, line, last, iref ? TK_LC_ITEM : leads && !l.descriptive ? TK_LC_CONTEXT : TK_LC_DESCRIPTION,
                        iref ? iref : ref, true);
        return;
    }
    const char *iref = emit_item(w, sec, n, ref, text, outer, line);
    if (iref)
        tk_dv_class_set(r, line, last, TK_LC_ITEM, iref, true);
}

static bool entry_is_items(const node *n, size_t i)
{
    return i < n->nentries && n->entries[i].child && !node_is_section(n->entries[i].child);
}

static bool entry_is_section(const node *n, size_t i)
{
    return i < n->nentries && n->entries[i].child && node_is_section(n->entries[i].child);
}

/* Is paragraph e an entry of an unnumbered list under a lead-in indented
 * lead_indent: indented deeper, or a rule in the government's style (…こと。)?
 * A lead-in of its own starts no entry; a row of a flattened table (tabs)
 * is none. */
static bool is_list_entry(run *r, const entry *e, int lead_indent)
{
    if (!e || e->child || e->commentary || e->heading || strchr(e->text, '\t'))
        return false;
    const char *last = last_sentence_norm(r, e->text);
    if (tk_dv_is_lead_in(last))
        return false;
    return e->indent > lead_indent || tk_str_ends(last, "こと。") || tk_str_ends(last, "こと");
}

static void walk(walker *w, node *n, tk_section *sec, const lead *outer)
{
    run *r = w->r;
    lead ld = {0};
    bool has_lead = false;
    /* an unnumbered list under a paragraph lead-in: its indent, ref, count */
    int list_indent = -1, list_no = 0;
    const char *list_ref = NULL;
    bool article = n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE;
    /* an article's own text is its first 項 */
    if (article && n->text && *n->text) {
        const char *ref = has_numbered_kou(n) ? tk_arena_printf(r->a, "%s第1項", n->ref) : n->ref;
        paragraph(w, n, sec, ref, n->text, n->line, n->last, entry_is_items(n, 0), false, outer, &ld, &has_lead);
    }
    /* unnumbered paragraphs of an article are its 項 in order; an article of
     * one paragraph is cited by the article alone */
    int kou = article && n->text && *n->text ? 1 : 0;
    bool single_kou = article && !has_numbered_kou(n) && kou + n->nparas <= 1;
    for (size_t i = 0; i < n->nentries; i++) {
        entry *e = &n->entries[i];
        if (!e->child && (e->commentary || e->heading)) {
            tk_dv_class_set(r, e->line, e->last, e->heading ? TK_LC_HEADING : TK_LC_COMMENTARY, n->ref, false);
            has_lead = false;
            continue;
        }
        if (!e->child && list_ref && is_list_entry(r, e, list_indent)) {
            const char *iref = emit_item(w, sec, n, tk_arena_printf(r->a, "%s・%d", list_ref, ++list_no), e->text, &ld,
                                         e->line);
            if (iref)
                tk_dv_class_set(r, e->line, e->last, TK_LC_ITEM, iref, true);
            continue;
        }
        list_ref = NULL;
        if (!e->child) {
            has_lead = false;
            if (n->kind == N_ROOT)
                continue; /* preamble: nothing to number it by */
            const char *ref = n->ref ? n->ref : "";
            if (article && !single_kou)
                ref = tk_arena_printf(r->a, "%s第%d項", n->ref, ++kou);
            else if (article)
                ref = n->ref;
            else if (n->nparas >= 2)
                ref = tk_arena_printf(r->a, "%s 第%d段落", ref, e->para_no);
            /* 「次の事項を遵守しなければならない。」 over lines without numbers */
            bool next_list = i + 1 < n->nentries && is_list_entry(r, &n->entries[i + 1], e->indent);
            paragraph(w, n, sec, ref, e->text, e->line, e->last, entry_is_items(n, i + 1) || next_list,
                      entry_is_section(n, i + 1), outer, &ld, &has_lead);
            if (has_lead && next_list && tk_dv_is_lead_in(last_sentence_norm(r, e->text))) {
                list_ref = ref;
                list_indent = e->indent;
                list_no = 0;
            }
            continue;
        }
        node *c = e->child;
        if (c->kind == N_PART && !*c->ref) {
            /* the only part of the document numbers nothing: no section */
            has_lead = false;
            walk(w, c, sec, NULL);
        } else if (node_is_section(c)) {
            /* a lead-in stays in force over the titled sub-items it leads */
            walk(w, c, open_section(w, c, sec), has_lead ? &ld : outer);
        } else {
            provision(w, c, sec, has_lead ? &ld : outer);
        }
    }
}

void tk_dv_collect_unplaced(walker *w, const lline *ll, size_t nll, const bool *used_marker)
{
    run *r = w->r;
    for (size_t i = 0; i < nll; i++) {
        const char *body = ll[i].raw.data;
        if (used_marker[i])
            body += ll[i].mk.text_offset;
        tk_buf kept;
        tk_buf_init(&kept);
        tk_text_keep(body, strlen(body), &kept);
        sentence *ss;
        size_t ns = tk_dv_split_sentences(r, kept.data ? kept.data : "", &ss);
        tk_buf_free(&kept);
        for (size_t k = 0; k < ns; k++) {
            int lv = tk_obligation_level(ss[k].norm, false, false);
            if (lv < 0 || tk_strmap_get(&w->placed, ss[k].norm))
                continue;
            tk_dv_note_add(r, &r->rep->unplaced, &r->rep->nunplaced, ll[i].line, ss[k].kept);
        }
    }
}

/* ------------------------------------------------------------------ */
/* the stages                                                          */

void tk_dv_detect_basic_policy(run *r, const node *root)
{
    bool basic_title = false, other_part = false;
    for (size_t i = 0; i < root->nentries; i++) {
        const entry *e = &root->entries[i];
        const char *t = e->child ? (e->child->kind == N_PART ? e->child->title : e->child->text) : e->text;
        if (!t)
            continue;
        for (size_t k = 0; k < r->v.nbasic; k++)
            basic_title |= contains(t, r->v.basic_words[k]);
        if (e->child && (e->child->kind == N_PART || tk_dv_style_rank(e->child->mk.style))) {
            for (size_t k = 0; k < r->v.nparts; k++) {
                bool is_basic = false;
                for (size_t q = 0; q < r->v.nbasic; q++)
                    is_basic |= !strcmp(r->v.part_words[k], r->v.basic_words[q]);
                if (!is_basic && contains(t, r->v.part_words[k]))
                    other_part = true;
            }
        }
    }
    r->doc_basic = basic_title && !other_part;
}

void tk_dv_new_checklist(run *r, const char *bytes, size_t len)
{
    const tk_derive_opts *opts = r->opts;
    const char *name = opts && opts->name ? opts->name : opts && opts->org ? opts->org->name : "";
    r->c = tk_checklist_new(opts && opts->org_id ? opts->org_id : "", name);
    r->c->source = tk_arena_strdup(r->c->arena, opts && opts->source_name ? opts->source_name : "");
    char sha[65];
    tk_sha256_hex(bytes, len, sha);
    r->c->source_sha256 = tk_arena_strdup(r->c->arena, sha);
}

void tk_dv_make_items(run *r, node *root, walker *w)
{
    memset(w, 0, sizeof *w);
    w->r = r;
    walk(w, root, &r->c->root, NULL);
}

void tk_dv_walker_free(walker *w)
{
    tk_strmap_free(&w->placed);
    tk_strmap_free(&w->refs);
}
