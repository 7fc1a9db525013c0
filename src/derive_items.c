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

static bool is_lead_in(const char *norm_last)
{
    return contains(norm_last, "次の") || contains(norm_last, "以下の") || contains(norm_last, "下記の") ||
           contains(norm_last, "次に掲げる") || ends_with(norm_last, ":") || ends_with(norm_last, "：");
}

static bool node_is_section(const node *n)
{
    return n->kind == N_PART || (n->kind == N_MARKED && (tk_dv_style_rank(n->mk.style) || n->is_heading));
}

static void note_add(run *r, tk_derive_note **arr, size_t *n, long line, const char *text)
{
    tk_derive_note *na = tk_arena_alloc(r->a, (*n + 1) * sizeof *na);
    if (*n)
        memcpy(na, *arr, *n * sizeof *na);
    na[*n].line = line;
    na[*n].text = text;
    *arr = na;
    (*n)++;
}

/* The roles the sentences of an item (ss) or of its lead-in (cs) name as
 * subject; else the actors they name that are no role (noted as unmapped). */
static size_t subjects_of(run *r, const sentence *ss, size_t ns, const sentence *cs, size_t ncs, bool basic,
                          bool enumerated, long line, const char **roles)
{
    size_t nroles = 0;
    for (size_t i = 0; i < ns && !nroles; i++)
        if (tk_obligation_level(ss[i].norm, basic, enumerated) >= 0)
            nroles = tk_dv_sentence_subjects(&r->v, ss[i].norm, roles, 8);
    for (size_t i = 0; i < ns && !nroles; i++)
        nroles = tk_dv_sentence_subjects(&r->v, ss[i].norm, roles, 8);
    for (size_t i = 0; i < ncs && !nroles; i++)
        nroles = tk_dv_sentence_subjects(&r->v, cs[i].norm, roles, 8);
    if (!nroles) {
        for (size_t i = 0; i < ns && !nroles; i++) {
            const char *actor = tk_dv_unknown_actor(r, ss[i].norm);
            if (!actor)
                continue;
            bool standard = false;
            for (size_t k = 0; k < r->v.nstd && !standard; k++)
                standard = !strcmp(r->v.std[k], actor);
            if (r->v.staff && !standard && tk_dv_is_generic_doer(r, actor)) {
                /* 「情報資産を利用する者は、」: whoever does it, i.e. every member of staff */
                roles[nroles++] = r->v.staff;
            } else {
                roles[nroles++] = actor;
                note_add(r, &r->rep->unmapped, &r->rep->nunmapped, line, actor);
            }
        }
    }
    return nroles;
}

static void emit_item(walker *w, tk_section *sec, const node *owner, const char *ref, const char *text,
                      const char *context, long line, bool enumerated)
{
    run *r = w->r;
    bool basic = in_basic(r, owner);
    sentence *ss;
    size_t ns = tk_dv_split_sentences(r, text, &ss);
    int level = -1;
    for (size_t i = 0; i < ns && level < 0; i++)
        level = tk_obligation_level(ss[i].norm, basic, enumerated);
    sentence *cs = NULL;
    size_t ncs = context ? tk_dv_split_sentences(r, context, &cs) : 0;
    if (level < 0 && context) {
        for (size_t i = 0; i < ncs && level < 0; i++)
            level = tk_obligation_level(cs[i].norm, basic, false);
    }
    if (level < 0)
        return;

    /* who must act */
    const char *roles[8];
    size_t nroles = subjects_of(r, ss, ns, cs, ncs, basic, enumerated, line, roles);
    if (!nroles && w->prev_parent == owner->parent && w->nprev_roles && owner->kind == N_MARKED &&
        !node_is_section(owner)) {
        for (size_t i = 0; i < w->nprev_roles && i < 8; i++)
            roles[nroles++] = w->prev_roles[i];
    }
    if (!nroles)
        nroles = tk_dv_roles_from_headings(r, owner, roles, 8);
    if (!nroles) {
        roles[nroles++] = r->v.fallback;
        r->rep->fallback_roles++;
    }
    w->prev_roles = tk_arena_alloc(r->a, nroles * sizeof(char *));
    memcpy(w->prev_roles, roles, nroles * sizeof(char *));
    w->nprev_roles = nroles;
    w->prev_parent = owner->parent;

    /* a ref is unique: a second provision under one number gets 「-2」 */
    const char *uref = ref;
    bool existed;
    for (int k = 2; tk_strmap_put(&w->refs, uref, uref, &existed), existed; k++)
        uref = tk_arena_printf(r->a, "%s-%d", ref, k);

    tk_item it;
    memset(&it, 0, sizeof it);
    it.id = "";
    it.ref = uref;
    it.level = (enum tk_level)level;
    it.roles = roles;
    it.nroles = nroles;
    it.text = text;
    it.context = context;
    it.weight = 1.0;
    it.line = line;
    tk_checklist_add_item(r->c, sec, &it);
    r->rep->by_level[level]++;
    for (size_t i = 0; i < ns; i++)
        tk_strmap_put(&w->placed, ss[i].norm, "", &existed);
    for (size_t i = 0; i < ncs; i++)
        tk_strmap_put(&w->placed, cs[i].norm, "", &existed);
}

/* Text of a provision node: its line and the unmarked paragraphs under it. */
static const char *provision_text(run *r, const node *n)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_puts(&b, n->text ? n->text : "");
    for (size_t i = 0; i < n->nentries; i++) {
        if (n->entries[i].child)
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

static void walk(walker *w, node *n, tk_section *sec);

static tk_section *open_section(walker *w, node *c, tk_section *sec)
{
    run *r = w->r;
    const char *title = c->kind == N_PART ? c->title : c->mk.style == TK_MK_ARTICLE ? (c->title ? c->title : "")
                                                                                     : c->text;
    tk_section *s = tk_checklist_add_section(r->c, sec, c->ref, title ? title : "");
    r->rep->sections++;
    c->section = s;
    return s;
}

static void provision(walker *w, node *c, tk_section *sec, const char *lead)
{
    run *r = w->r;
    const char *text = provision_text(r, c);
    bool has_items = false;
    for (size_t i = 0; i < c->nentries; i++)
        if (c->entries[i].child && !node_is_section(c->entries[i].child))
            has_items = true;
    bool c_is_lead = has_items && is_lead_in(last_sentence_norm(r, text));
    if (!c_is_lead)
        emit_item(w, sec, c, c->ref, text, lead, c->line, lead != NULL);
    for (size_t i = 0; i < c->nentries; i++) {
        node *cc = c->entries[i].child;
        if (!cc)
            continue;
        if (node_is_section(cc))
            walk(w, cc, open_section(w, cc, sec));
        else
            provision(w, cc, sec, c_is_lead ? text : NULL);
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

static void walk(walker *w, node *n, tk_section *sec)
{
    run *r = w->r;
    const char *lead = NULL;
    /* an article's own text is its first 項 */
    if (n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE && n->text && *n->text) {
        const char *ref = has_numbered_kou(n) ? tk_arena_printf(r->a, "%s第1項", n->ref) : n->ref;
        const char *ls = last_sentence_norm(r, n->text);
        bool next_items = n->nentries > 0 && n->entries[0].child && !node_is_section(n->entries[0].child);
        if (next_items && is_lead_in(ls))
            lead = n->text;
        else
            emit_item(w, sec, n, ref, n->text, NULL, n->line, false);
    }
    /* unnumbered paragraphs of an article are its 項 in order; an article of
     * one paragraph is cited by the article alone */
    bool article = n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE;
    int kou = article && n->text && *n->text ? 1 : 0;
    bool single_kou = article && !has_numbered_kou(n) && kou + n->nparas <= 1;
    for (size_t i = 0; i < n->nentries; i++) {
        entry *e = &n->entries[i];
        if (!e->child) {
            lead = NULL;
            if (n->kind == N_ROOT)
                continue; /* preamble: nothing to number it by */
            const char *ref = n->ref ? n->ref : "";
            if (article && !single_kou)
                ref = tk_arena_printf(r->a, "%s第%d項", n->ref, ++kou);
            else if (article)
                ref = n->ref;
            else if (n->nparas >= 2)
                ref = tk_arena_printf(r->a, "%s 第%d段落", ref, e->para_no);
            bool next_items = i + 1 < n->nentries && n->entries[i + 1].child &&
                              !node_is_section(n->entries[i + 1].child);
            if (next_items && is_lead_in(last_sentence_norm(r, e->text))) {
                lead = e->text;
                continue;
            }
            emit_item(w, sec, n, ref, e->text, NULL, e->line, false);
            continue;
        }
        node *c = e->child;
        if (c->kind == N_PART && !*c->ref) {
            /* the only part of the document numbers nothing: no section */
            lead = NULL;
            walk(w, c, sec);
        } else if (node_is_section(c)) {
            lead = NULL;
            walk(w, c, open_section(w, c, sec));
        } else {
            provision(w, c, sec, lead);
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
            note_add(r, &r->rep->unplaced, &r->rep->nunplaced, ll[i].line, ss[k].kept);
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
    walk(w, root, &r->c->root);
}

void tk_dv_walker_free(walker *w)
{
    tk_strmap_free(&w->placed);
    tk_strmap_free(&w->refs);
}
