/* derive_tree.c — the numbering tree: a node per marked line placed under
 * its parent by the policy's own numbering, paragraphs as entries, parts and
 * article titles, which nodes are headings, and the ref of every node. */
#include "derive_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on untrusted input. */
#define MAX_DEPTH 24

/* ------------------------------------------------------------------ */
/* tree                                                                */

static node *node_new(run *r, enum node_kind k, node *parent)
{
    node *n = tk_arena_alloc(r->a, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = k;
    n->parent = parent;
    return n;
}

static entry *node_add_entry(run *r, node *n)
{
    if (n->nentries == n->capentries) {
        size_t nc = n->capentries ? n->capentries * 2 : 8;
        entry *ne = tk_arena_alloc(r->a, nc * sizeof *ne);
        if (n->nentries)
            memcpy(ne, n->entries, n->nentries * sizeof *ne);
        n->entries = ne;
        n->capentries = nc;
    }
    entry *e = &n->entries[n->nentries++];
    memset(e, 0, sizeof *e);
    return e;
}

static void attach_child(run *r, node *parent, node *child)
{
    child->parent = parent;
    entry *e = node_add_entry(r, parent);
    e->child = child;
    e->line = child->line;
    parent->has_child_nodes = true;
    if (child->kind == N_MARKED && child->mk.style == TK_MK_BULLET)
        child->bullet_no = ++parent->nbullets;
}

static entry *attach_para(run *r, node *parent, const char *text, const lline *L, bool commentary)
{
    entry *e = node_add_entry(r, parent);
    e->text = text;
    e->line = L->line;
    e->last = L->last;
    e->indent = L->indent;
    e->commentary = commentary;
    if (!commentary)
        e->para_no = ++parent->nparas;
    return e;
}

/* Does the last sentence of a paragraph announce a list? */
static bool announces_list(run *r, const char *kept)
{
    sentence *ss;
    size_t ns = tk_dv_split_sentences(r, kept, &ss);
    return ns && tk_dv_is_lead_in(ss[ns - 1].norm);
}

/* Does a paragraph open commentary (【解説】, 〔解説〕, （例）, ※, 注:), which
 * runs on to the next numbered line? */
static bool opens_commentary(const char *norm)
{
    static const char *open[] = {"【解説", "〔解説", "[解説", "(解説", "<解説", "《解説", "解説:", "解説 ",
                                 "【例", "〔例", "(例)", "[例]", "例:", "【注", "〔注", "(注)", "注:", "※",
                                 "【参考", "〔参考", "(参考)", "参考:", "【備考", "(備考)", "備考:"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (tk_str_starts(norm, open[i]))
            return true;
    return !strcmp(norm, "解説");
}

int tk_dv_style_rank(enum tk_marker_style s)
{
    switch (s) {
    case TK_MK_HEN:
        return 1;
    case TK_MK_CHAPTER:
        return 2;
    case TK_MK_SECTION:
        return 3;
    case TK_MK_KAN:
        return 4;
    case TK_MK_ARTICLE:
        return 5;
    default:
        return 0;
    }
}

static bool same_style(const tk_marker *a, const tk_marker *b)
{
    if (a->style != b->style)
        return false;
    if (a->style == TK_MK_DEC)
        return a->depth == b->depth;
    return true;
}

static bool dec_prefix_equal(const tk_marker *a, const tk_marker *b, int k)
{
    for (int i = 0; i < k; i++)
        if (a->parts[i] != b->parts[i])
            return false;
    return true;
}

static bool in_article(node *top)
{
    for (node *n = top; n && n->kind == N_MARKED; n = n->parent)
        if (n->mk.style == TK_MK_ARTICLE)
            return true;
    return false;
}

static bool style_is_in_stack(node *top, const tk_marker *m)
{
    for (node *n = top; n && n->kind == N_MARKED; n = n->parent)
        if (same_style(&n->mk, m))
            return true;
    return false;
}

/* Where does marker m go? Returns the new parent, or NULL when m is not a
 * numbering marker here (out of sequence: read the line as text). */
static node *place_marker(node *top, const tk_marker *m)
{
    int rank = tk_dv_style_rank(m->style);
    if (rank) {
        /* structural: pop to a node of higher rank, or a part, or the root */
        node *n = top;
        while (n->kind == N_MARKED && (tk_dv_style_rank(n->mk.style) == 0 || tk_dv_style_rank(n->mk.style) >= rank))
            n = n->parent;
        return n;
    }
    if (m->style == TK_MK_DEC && m->depth >= 2) {
        for (node *n = top; n->kind == N_MARKED; n = n->parent) {
            if (n->mk.style != TK_MK_DEC)
                continue;
            if (n->mk.depth == m->depth && dec_prefix_equal(&n->mk, m, m->depth - 1) &&
                m->value > n->mk.value && m->value <= n->mk.value + 3)
                return n->parent;
            if (n->mk.depth == m->depth - 1 && dec_prefix_equal(&n->mk, m, m->depth - 1) && m->value <= 3)
                return n;
            if (n->mk.depth < m->depth - 1)
                break;
        }
        /* a document that starts at 1.1, or a deeper level after a jump */
        bool any_dec = false;
        for (node *n = top; n->kind == N_MARKED; n = n->parent)
            any_dec |= n->mk.style == TK_MK_DEC;
        return any_dec ? NULL : top;
    }
    if (m->style == TK_MK_BULLET) {
        for (node *n = top; n->kind == N_MARKED; n = n->parent) {
            if (n->mk.style == TK_MK_BULLET)
                return n->parent;
            if (!n->is_heading)
                break;
        }
        return top;
    }
    for (node *n = top; n->kind == N_MARKED; n = n->parent) {
        if (same_style(&n->mk, m)) {
            if (m->value > n->mk.value && m->value <= n->mk.value + 3)
                return n->parent;
            break;
        }
    }
    if (m->value == 1)
        return top;
    /* an excerpt or a list that starts further on: accept the first number
     * of a style under a node that has no numbered children yet */
    if (!top->has_child_nodes && (top->kind != N_MARKED || !style_is_in_stack(top, m)))
        return top;
    /* 項 2, 3 ... inside an article whose first 項 is unnumbered */
    if (m->style == TK_MK_DEC && m->depth == 1 && m->value == 2 && in_article(top))
        return top;
    return NULL;
}

static bool looks_like_heading_text(const char *t, size_t len)
{
    if (len == 0)
        return true;
    if (has_stop_outside_brackets(t, len))
        return false;
    size_t w = tk_text_width(t);
    if (w > 90)
        return false;
    /* a comma in a short title that ends in a noun (「異動，退職時等の遵守事項」) */
    if (has_comma_outside_brackets(t, len))
        return w <= 40 && !tk_cp_is_hiragana(last_cp(t, len));
    return true;
}

static bool is_date_or_edition(const char *n)
{
    return contains(n, "改正") || contains(n, "制定") || contains(n, "策定") || contains(n, "改定") ||
           contains(n, "施行") || contains(n, "版") || (contains(n, "年") && contains(n, "月"));
}

/* ------------------------------------------------------------------ */
/* building the tree                                                   */

static const char *part_label(run *r, const char *title)
{
    for (size_t i = 0; i < r->v.nparts; i++)
        if (contains(title, r->v.part_words[i]))
            return r->v.part_words[i];
    return title;
}

static int count_parts(node *root)
{
    int n = 0;
    for (size_t i = 0; i < root->nentries; i++)
        if (root->entries[i].child && root->entries[i].child->kind == N_PART)
            n++;
    return n;
}

/* A node for marked line L under parent, its text the line after the
 * marker; title: the article title on the line before, or NULL. */
static node *marked_node(run *r, node *parent, const lline *L, const char *pending_title)
{
    node *c = node_new(r, N_MARKED, parent);
    c->mk = L->mk;
    tk_buf kept;
    tk_buf_init(&kept);
    tk_text_keep(L->raw.data + L->mk.text_offset, L->raw.len - L->mk.text_offset, &kept);
    c->text = tk_arena_strdup(r->a, kept.data ? kept.data : "");
    tk_buf_free(&kept);
    c->line = L->line;
    c->last = L->last;
    if (c->mk.style == TK_MK_ARTICLE && pending_title)
        c->title = pending_title;
    /* 第1条(目的): the title on the article's own line */
    if (c->mk.style == TK_MK_ARTICLE && !c->title) {
        const char *tn = norm_a(r->a, c->text);
        size_t tl = strlen(tn);
        if (tl > 2 && tn[0] == '(' && tn[tl - 1] == ')' && !strchr(tn + 1, '(') &&
            tk_utf8_count(tn) <= 24) {
            c->title = tk_arena_strndup(r->a, tn + 1, tl - 2);
            c->text = "";
        }
    }
    attach_child(r, parent, c);
    return c;
}

/* A part titled t when the numbering (next: the marker after t) starts
 * again, or when nothing is numbered yet; NULL when t starts no part. */
static node *part_node(run *r, node *root, node *top, const tk_marker *next, const char *t, long line)
{
    node *outer = NULL;
    for (node *k = top; k && k->kind == N_MARKED; k = k->parent)
        outer = k;
    bool restart = outer && same_style(&outer->mk, next);
    bool first = top == root && count_parts(root) == 0 && !root->has_child_nodes;
    if (!restart && !first)
        return NULL;
    node *part = node_new(r, N_PART, root);
    part->title = t;
    part->ref = part_label(r, t);
    part->line = part->last = line;
    attach_child(r, root, part);
    return part;
}

node *tk_dv_build_tree(run *r, const lline *ll, size_t nll, bool *used_marker)
{
    node *root = node_new(r, N_ROOT, NULL);
    node *top = root;
    const char *pending_title = NULL;
    bool in_commentary = false;
    for (size_t i = 0; i < nll; i++) {
        const lline *L = &ll[i];
        if (L->has_marker) {
            /* a heading of the markup closes the lists before it */
            if (L->heading)
                while (top->kind == N_MARKED && !top->forced_heading)
                    top = top->parent;
            node *parent = place_marker(top, &L->mk);
            if (parent) {
                int d = 0;
                for (node *k = parent; k; k = k->parent)
                    d++;
                if (d <= MAX_DEPTH) {
                    top = marked_node(r, parent, L, pending_title);
                    top->forced_heading = L->heading;
                    pending_title = NULL;
                    in_commentary = false;
                    used_marker[i] = true;
                    continue;
                }
            }
        }
        tk_buf kept;
        tk_buf_init(&kept);
        tk_text_keep(L->raw.data, L->raw.len, &kept);
        const char *t = tk_arena_strdup(r->a, kept.data ? kept.data : "");
        tk_buf_free(&kept);
        const char *n = norm_a(r->a, t);
        bool next_marked = i + 1 < nll && ll[i + 1].has_marker;
        /* （目的） before 第1条 */
        if (next_marked && ll[i + 1].mk.style == TK_MK_ARTICLE && n[0] == '(' && ends_with(n, ")") &&
            tk_utf8_count(n) <= 24) {
            pending_title = tk_arena_strndup(r->a, n + 1, strlen(n) - 2);
            continue;
        }
        /* a part: an unnumbered title before numbering that starts again */
        if (next_marked && ll[i + 1].mk.value == 1 && !strstr(n, "。") && tk_text_width(t) <= 60 &&
            !ends_with(n, ":") && !ends_with(n, "、") && !is_date_or_edition(n) && !strstr(n, "、")) {
            node *part = part_node(r, root, top, &ll[i + 1].mk, t, L->line);
            if (part) {
                top = part;
                in_commentary = false;
                continue;
            }
        }
        if (opens_commentary(n))
            in_commentary = true;
        /* 「また、次に掲げる事項を…」 between ⑬ and ⑭: a lead-in of the
         * siblings that follow, not a paragraph of ⑬ */
        node *at = top;
        if (!in_commentary && top->kind == N_MARKED && !top->has_child_nodes && next_marked &&
            same_style(&ll[i + 1].mk, &top->mk) && ll[i + 1].mk.value == top->mk.value + 1 && ends_with(n, "。") &&
            announces_list(r, t))
            at = top->parent;
        if (L->heading) {
            /* an unnumbered heading (### 教育及び訓練): it closes the lists
             * before it and is text of no provision */
            while (top->kind == N_MARKED && !top->forced_heading)
                top = top->parent;
            attach_para(r, top, t, L, true)->heading = true;
            continue;
        }
        attach_para(r, at, t, L, in_commentary);
    }

    /* one part only: it numbers nothing, drop it from refs */
    if (count_parts(root) == 1) {
        for (size_t i = 0; i < root->nentries; i++) {
            node *p = root->entries[i].child;
            if (p && p->kind == N_PART)
                p->ref = "";
        }
    }
    return root;
}

/* ------------------------------------------------------------------ */
/* headings                                                            */

void tk_dv_mark_heading_nodes(node *n)
{
    for (size_t i = 0; i < n->nentries; i++) {
        node *c = n->entries[i].child;
        if (!c)
            continue;
        tk_dv_mark_heading_nodes(c);
        if (c->kind != N_MARKED)
            continue;
        if (tk_dv_style_rank(c->mk.style)) {
            c->is_heading = true;
            continue;
        }
        /* the width of a title is counted without what stands in brackets */
        tk_buf plain;
        tk_buf_init(&plain);
        const char *p = c->text, *end = c->text + strlen(c->text);
        int depth = 0;
        while (p < end) {
            const char *q = p;
            int32_t cp = tk_utf8_next(&q, end);
            if (cp == '(' || cp == 0xFF08)
                depth++;
            else if ((cp == ')' || cp == 0xFF09) && depth > 0)
                depth--;
            else if (depth == 0)
                tk_buf_append(&plain, p, (size_t)(q - p));
            p = q;
        }
        bool title = looks_like_heading_text(c->text, strlen(c->text)) && tk_text_width(plain.data ? plain.data : "") <= 80;
        if (title) {
            /* 「④ …配慮しなければならない」 without its 。 is a provision */
            char *nt = tk_text_norm_dup(c->text);
            title = tk_obligation_level(nt, false, false) < 0;
            free(nt);
        }
        tk_buf_free(&plain);
        c->is_heading = c->forced_heading || (title && (c->has_child_nodes || c->nparas > 0));
    }
}

void tk_dv_dump_tree(const node *n, int depth)
{
    for (size_t i = 0; i < n->nentries; i++) {
        const entry *e = &n->entries[i];
        if (e->child) {
            const node *c = e->child;
            fprintf(stderr, "%*s[%ld] %s%s %s\n", depth * 2, "", c->line, c->kind == N_PART ? "PART " : c->mk.raw,
                    c->is_heading ? " (見出し)" : "", c->kind == N_PART ? c->title : c->text);
            tk_dv_dump_tree(c, depth + 1);
        } else {
            fprintf(stderr, "%*s[%ld] ¶ %s\n", depth * 2, "", e->line, e->text);
        }
    }
}

/* ------------------------------------------------------------------ */
/* refs                                                                */

static const char *component(run *r, node *n)
{
    const tk_marker *m = &n->mk;
    node *p = n->parent;
    bool parent_article = p && p->kind == N_MARKED && p->mk.style == TK_MK_ARTICLE;
    bool parent_kou = p && p->kind == N_MARKED && p->mk.style == TK_MK_DEC && p->mk.depth == 1 && p->parent &&
                      p->parent->kind == N_MARKED && p->parent->mk.style == TK_MK_ARTICLE;
    switch (m->style) {
    case TK_MK_DEC:
        if (parent_article && m->depth == 1)
            return tk_arena_printf(r->a, "第%d項", m->value);
        return m->raw;
    case TK_MK_PAREN_NUM:
    case TK_MK_KANJI:
    case TK_MK_PAREN_KANJI:
        if (parent_article || parent_kou)
            return tk_arena_printf(r->a, "第%d号", m->value);
        return m->raw;
    case TK_MK_BULLET:
        return tk_arena_printf(r->a, "・%d", n->bullet_no);
    default:
        return m->raw;
    }
}

static const char *m_article_ref(run *r, node *n)
{
    if (n->mk.sub)
        return tk_arena_printf(r->a, "第%d条の%d", n->mk.value, n->mk.sub);
    return tk_arena_printf(r->a, "第%d条", n->mk.value);
}

/* prefix: part and chapter ("対策基準 ", "第２章 "); path: the numbering
 * path of n; nondec: the path of the nearest ancestor that is not a decimal
 * number (4.1 carries 4 in itself, so it replaces the decimal ancestors). */
static void assign_refs(run *r, node *n, const char *prefix, const char *path, const char *nondec)
{
    for (size_t i = 0; i < n->nentries; i++) {
        node *c = n->entries[i].child;
        if (!c)
            continue;
        const char *cprefix = prefix, *cpath, *cnondec;
        if (c->kind == N_PART) {
            c->ref = tk_arena_strdup(r->a, c->ref ? c->ref : "");
            cprefix = *c->ref ? tk_arena_printf(r->a, "%s ", c->ref) : "";
            cpath = cnondec = "";
        } else if (c->mk.style == TK_MK_ARTICLE) {
            cprefix = "";
            cpath = cnondec = m_article_ref(r, c);
            c->ref = cpath;
        } else if (tk_dv_style_rank(c->mk.style)) {
            c->ref = tk_arena_printf(r->a, "%s%s", prefix, c->mk.raw);
            cprefix = tk_arena_printf(r->a, "%s%s ", prefix, c->mk.raw);
            cpath = cnondec = "";
        } else if (c->mk.style == TK_MK_DEC && !(c->mk.depth == 1 && n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE)) {
            cpath = tk_arena_printf(r->a, "%s%s", nondec, c->mk.raw);
            cnondec = nondec;
            c->ref = tk_arena_printf(r->a, "%s%s", prefix, cpath);
        } else {
            cpath = cnondec = tk_arena_printf(r->a, "%s%s", path, component(r, c));
            c->ref = tk_arena_printf(r->a, "%s%s", prefix, cpath);
        }
        assign_refs(r, c, cprefix, cpath, cnondec);
    }
}

void tk_dv_assign_refs(run *r, node *root)
{
    if (count_parts(root) > 0) {
        for (size_t i = 0; i < root->nentries; i++) {
            node *p = root->entries[i].child;
            if (p && p->kind == N_PART && !p->ref)
                p->ref = part_label(r, p->title);
        }
    }
    assign_refs(r, root, "", "", "");
}
