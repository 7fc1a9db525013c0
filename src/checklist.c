/* checklist.c — the checklist and organisation models: build, serialise,
 * load, validate. */
#include "tenken/checklist.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tenken/text.h"
#include "tenken/xmlutil.h"

/* ---- levels ---- */

const char *tk_level_name(enum tk_level l)
{
    switch (l) {
    case TK_LEVEL_MUST:
        return "must";
    case TK_LEVEL_MUST_NOT:
        return "must-not";
    case TK_LEVEL_SHOULD:
        return "should";
    case TK_LEVEL_DECLARE:
        return "declare";
    }
    return "must";
}

const char *tk_level_label(enum tk_level l)
{
    switch (l) {
    case TK_LEVEL_MUST:
        return "義務";
    case TK_LEVEL_MUST_NOT:
        return "禁止";
    case TK_LEVEL_SHOULD:
        return "努力義務";
    case TK_LEVEL_DECLARE:
        return "方針";
    }
    return "義務";
}

bool tk_level_parse(const char *s, enum tk_level *out)
{
    static const enum tk_level all[] = {TK_LEVEL_MUST, TK_LEVEL_MUST_NOT, TK_LEVEL_SHOULD, TK_LEVEL_DECLARE};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(s, tk_level_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

/* ---- building ---- */

tk_checklist *tk_checklist_new(const char *org, const char *name)
{
    tk_checklist *c = tk_xcalloc(1, sizeof *c);
    c->arena = tk_arena_new();
    c->org = tk_arena_strdup(c->arena, org ? org : "");
    c->name = tk_arena_strdup(c->arena, name ? name : "");
    c->root.ref = "";
    c->root.title = "";
    return c;
}

static void section_free(tk_section *s)
{
    for (size_t i = 0; i < s->nchildren; i++) {
        section_free(s->children[i]);
        free(s->children[i]);
    }
    free(s->children);
}

void tk_checklist_free(tk_checklist *c)
{
    if (!c)
        return;
    section_free(&c->root);
    free(c->items);
    tk_arena_free(c->arena);
    free(c);
}

/* The arrays of items and subsections double as they fill: they grow when
 * the count is 0 or a power of two, to room for twice as many and one more
 * (a realloc per element copies the array again and again once the
 * allocator cannot grow it in place). */
static bool grows(size_t n) { return (n & (n - 1)) == 0; }

tk_section *tk_checklist_add_section(tk_checklist *c, tk_section *parent, const char *ref, const char *title)
{
    if (!parent)
        parent = &c->root;
    tk_section *s = tk_xcalloc(1, sizeof *s);
    s->ref = tk_arena_strdup(c->arena, ref ? ref : "");
    s->title = tk_arena_strdup(c->arena, title ? title : "");
    s->parent = parent;
    if (grows(parent->nchildren))
        parent->children = tk_xrealloc(parent->children, (2 * parent->nchildren + 1) * sizeof *parent->children);
    parent->children[parent->nchildren++] = s;
    return s;
}

static const char *chapter_of(const tk_checklist *c, const tk_section *s)
{
    if (!s || s == &c->root)
        return "";
    while (s->parent && s->parent != &c->root)
        s = s->parent;
    return s->title;
}

tk_item *tk_checklist_add_item(tk_checklist *c, tk_section *section, const tk_item *proto)
{
    if (!section)
        section = &c->root;
    if (grows(c->nitems))
        c->items = tk_xrealloc(c->items, (2 * c->nitems + 1) * sizeof *c->items);
    tk_item *it = &c->items[c->nitems];
    memset(it, 0, sizeof *it);
    tk_arena *a = c->arena;
    it->id = tk_arena_strdup(a, proto->id ? proto->id : "");
    it->ref = tk_arena_strdup(a, proto->ref ? proto->ref : "");
    it->level = proto->level;
    it->nroles = proto->nroles;
    it->roles = tk_arena_alloc(a, (proto->nroles ? proto->nroles : 1) * sizeof(char *));
    for (size_t i = 0; i < proto->nroles; i++)
        it->roles[i] = tk_arena_strdup(a, proto->roles[i]);
    it->text = tk_arena_strdup(a, proto->text ? proto->text : "");
    it->context = proto->context ? tk_arena_strdup(a, proto->context) : NULL;
    it->guidance = proto->guidance ? tk_arena_strdup(a, proto->guidance) : NULL;
    it->weight = proto->weight > 0 ? proto->weight : 1.0;
    it->line = proto->line;
    it->out_of_scope = proto->out_of_scope;
    it->reviewed = proto->reviewed;
    it->review_date = proto->review_date ? tk_arena_strdup(a, proto->review_date) : NULL;
    it->review_hash = proto->review_hash ? tk_arena_strdup(a, proto->review_hash) : NULL;
    it->derived_role = proto->derived_role ? tk_arena_strdup(a, proto->derived_role) : NULL;
    it->derived_weight = proto->derived_weight > 0 ? proto->derived_weight : 0;
    it->xml_line = proto->xml_line;
    it->section = section;
    it->chapter = chapter_of(c, section);
    it->index = c->nitems;
    c->nitems++;
    /* items[] may have moved: nothing else holds pointers into it yet */
    return it;
}

/* Where each section's items are, in one pass over the items (pruning and
 * writing asked every item for every section: sections x items x depth,
 * quadratic in a policy whose numbering nests deep). Sections are numbered
 * in preorder and found by address (sorted), so building is n log n. */
typedef struct section_index {
    const tk_section **secs;  /* preorder; [0] is the root */
    const tk_section **byaddr; /* the same, sorted by address */
    size_t *num;               /* num[k]: preorder number of byaddr[k] */
    size_t n;
    size_t *first;  /* first item in or under the section, or SIZE_MAX */
    size_t *dstart; /* its own items: ditems[dstart[s] .. dstart[s + 1]) */
    size_t *ditems;
} section_index;

static size_t count_sections(const tk_section *s)
{
    size_t n = 1;
    for (size_t i = 0; i < s->nchildren; i++)
        n += count_sections(s->children[i]);
    return n;
}

static void list_sections(const tk_section *s, section_index *x, size_t *k)
{
    x->secs[(*k)++] = s;
    for (size_t i = 0; i < s->nchildren; i++)
        list_sections(s->children[i], x, k);
}

static int cmp_addr(const void *a, const void *b)
{
    uintptr_t pa = (uintptr_t) * (const tk_section *const *)a, pb = (uintptr_t) * (const tk_section *const *)b;
    return pa < pb ? -1 : pa > pb;
}

/* Where s is, or would be, in byaddr (binary search). */
static size_t addr_slot(const section_index *x, const tk_section *s)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)x->byaddr[mid] < (uintptr_t)s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The preorder number of s, or SIZE_MAX when s is not in the tree. */
static size_t section_number(const section_index *x, const tk_section *s)
{
    size_t k = addr_slot(x, s);
    return k < x->n && x->byaddr[k] == s ? x->num[k] : SIZE_MAX;
}

static void section_index_build(const tk_checklist *c, section_index *x)
{
    x->n = count_sections(&c->root);
    x->secs = tk_xcalloc(x->n, sizeof *x->secs);
    size_t k = 0;
    list_sections(&c->root, x, &k);
    /* sort the numbers by the addresses of their sections */
    x->byaddr = tk_xcalloc(x->n, sizeof *x->byaddr);
    memcpy(x->byaddr, x->secs, x->n * sizeof *x->byaddr);
    qsort(x->byaddr, x->n, sizeof *x->byaddr, cmp_addr);
    x->num = tk_xcalloc(x->n, sizeof *x->num);
    for (size_t i = 0; i < x->n; i++)
        x->num[addr_slot(x, x->secs[i])] = i;
    x->first = tk_xcalloc(x->n, sizeof *x->first);
    for (size_t i = 0; i < x->n; i++)
        x->first[i] = SIZE_MAX;
    x->dstart = tk_xcalloc(x->n + 1, sizeof *x->dstart);
    x->ditems = tk_xcalloc(c->nitems ? c->nitems : 1, sizeof *x->ditems);
    size_t *own = tk_xcalloc(c->nitems ? c->nitems : 1, sizeof *own);
    for (size_t i = 0; i < c->nitems; i++) {
        own[i] = section_number(x, c->items[i].section);
        if (own[i] != SIZE_MAX)
            x->dstart[own[i] + 1]++;
        /* items come in document order: the first to reach a section is
         * its first, and then that of all above it */
        for (const tk_section *p = c->items[i].section; p; p = p->parent) {
            size_t sn = section_number(x, p);
            if (sn == SIZE_MAX || x->first[sn] != SIZE_MAX)
                break;
            x->first[sn] = i;
        }
    }
    for (size_t i = 0; i < x->n; i++)
        x->dstart[i + 1] += x->dstart[i];
    size_t *fill = tk_xcalloc(x->n, sizeof *fill);
    for (size_t i = 0; i < c->nitems; i++)
        if (own[i] != SIZE_MAX)
            x->ditems[x->dstart[own[i]] + fill[own[i]]++] = i;
    free(fill);
    free(own);
}

static void section_index_free(section_index *x)
{
    free(x->secs);
    free(x->byaddr);
    free(x->num);
    free(x->first);
    free(x->dstart);
    free(x->ditems);
}

static void prune(tk_checklist *c, const section_index *x, tk_section *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->nchildren; i++) {
        tk_section *ch = s->children[i];
        if (x->first[section_number(x, ch)] != SIZE_MAX) {
            prune(c, x, ch);
            s->children[k++] = ch;
        } else {
            section_free(ch);
            free(ch);
        }
    }
    s->nchildren = k;
}

void tk_checklist_prune(tk_checklist *c)
{
    section_index x;
    section_index_build(c, &x);
    prune(c, &x, &c->root);
    section_index_free(&x);
}

void tk_checklist_rehash(tk_checklist *c)
{
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < c->nitems; i++) {
        const tk_item *it = &c->items[i];
        tk_buf_printf(&b, "%s\x1f%s\x1f%s\x1f", it->id, it->ref, tk_level_name(it->level));
        for (size_t r = 0; r < it->nroles; r++)
            tk_buf_printf(&b, "%s ", it->roles[r]);
        tk_buf_printf(&b, "\x1f%s\x1f%s\x1f%g", it->text, it->context ? it->context : "", it->weight);
        if (it->out_of_scope)
            tk_buf_puts(&b, "\x1fscope=out");
        tk_buf_putc(&b, '\x1e');
    }
    tk_sha256_hex(b.data ? b.data : "", b.len, c->hash);
    tk_buf_free(&b);
}

/* ---- writing ---- */

static void write_item(xmlTextWriterPtr w, const tk_item *it)
{
    xmlTextWriterStartElement(w, BAD_CAST "item");
    xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST it->id);
    xmlTextWriterWriteAttribute(w, BAD_CAST "ref", BAD_CAST it->ref);
    xmlTextWriterWriteAttribute(w, BAD_CAST "level", BAD_CAST tk_level_name(it->level));
    tk_buf roles;
    tk_buf_init(&roles);
    for (size_t r = 0; r < it->nroles; r++) {
        if (r)
            tk_buf_putc(&roles, ' ');
        tk_buf_puts(&roles, it->roles[r]);
    }
    xmlTextWriterWriteAttribute(w, BAD_CAST "role", BAD_CAST(roles.data ? roles.data : ""));
    tk_buf_free(&roles);
    if (it->line > 0)
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "line", "%ld", it->line);
    if (it->weight != 1.0)
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "weight", "%g", it->weight);
    if (it->out_of_scope)
        xmlTextWriterWriteAttribute(w, BAD_CAST "scope", BAD_CAST "out");
    if (it->context)
        xmlTextWriterWriteElement(w, BAD_CAST "context", BAD_CAST it->context);
    xmlTextWriterWriteElement(w, BAD_CAST "text", BAD_CAST it->text);
    if (it->reviewed) {
        xmlTextWriterStartElement(w, BAD_CAST "review");
        xmlTextWriterWriteAttribute(w, BAD_CAST "date", BAD_CAST(it->review_date ? it->review_date : ""));
        xmlTextWriterWriteAttribute(w, BAD_CAST "text-sha256", BAD_CAST(it->review_hash ? it->review_hash : ""));
        if (it->derived_role && *it->derived_role)
            xmlTextWriterWriteAttribute(w, BAD_CAST "derived-role", BAD_CAST it->derived_role);
        if (it->derived_weight > 0)
            xmlTextWriterWriteFormatAttribute(w, BAD_CAST "derived-weight", "%g", it->derived_weight);
        xmlTextWriterEndElement(w);
    }
    if (it->guidance)
        xmlTextWriterWriteElement(w, BAD_CAST "guidance", BAD_CAST it->guidance);
    xmlTextWriterEndElement(w);
}

static void write_section_items(xmlTextWriterPtr w, const tk_checklist *c, const section_index *x,
                                const tk_section *s);

static void write_section(xmlTextWriterPtr w, const tk_checklist *c, const section_index *x, const tk_section *s)
{
    xmlTextWriterStartElement(w, BAD_CAST "section");
    xmlTextWriterWriteAttribute(w, BAD_CAST "ref", BAD_CAST s->ref);
    xmlTextWriterWriteAttribute(w, BAD_CAST "title", BAD_CAST s->title);
    write_section_items(w, c, x, s);
    xmlTextWriterEndElement(w);
}

/* Items and subsections in document order: items are kept in one array in
 * document order, sections in trees; interleave by the first item index
 * (a subsection without items comes last). */
static void write_section_items(xmlTextWriterPtr w, const tk_checklist *c, const section_index *x,
                                const tk_section *s)
{
    size_t sn = section_number(x, s), child = 0;
    for (size_t k = x->dstart[sn]; k < x->dstart[sn + 1]; k++) {
        size_t i = x->ditems[k];
        while (child < s->nchildren && x->first[section_number(x, s->children[child])] < i)
            write_section(w, c, x, s->children[child++]);
        write_item(w, &c->items[i]);
    }
    while (child < s->nchildren)
        write_section(w, c, x, s->children[child++]);
}

static xmlTextWriterPtr writer_start(xmlBufferPtr *xb)
{
    *xb = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(*xb, 0);
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, BAD_CAST "  ");
    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
    return w;
}

static void writer_finish(xmlTextWriterPtr w, xmlBufferPtr xb, tk_buf *out)
{
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    tk_buf_init(out);
    tk_buf_append(out, (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    xmlBufferFree(xb);
}

void tk_checklist_to_xml(const tk_checklist *c, tk_buf *out)
{
    xmlBufferPtr xb;
    xmlTextWriterPtr w = writer_start(&xb);
    xmlTextWriterStartElementNS(w, NULL, BAD_CAST "checklist", BAD_CAST TK_CHECKLIST_NS);
    xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "1");
    xmlTextWriterWriteAttribute(w, BAD_CAST "org", BAD_CAST c->org);
    if (c->name && *c->name)
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST c->name);
    if (c->source && *c->source)
        xmlTextWriterWriteAttribute(w, BAD_CAST "source", BAD_CAST c->source);
    if (c->source_sha256 && *c->source_sha256)
        xmlTextWriterWriteAttribute(w, BAD_CAST "source-sha256", BAD_CAST c->source_sha256);
    section_index x;
    section_index_build(c, &x);
    write_section_items(w, c, &x, &c->root);
    section_index_free(&x);
    xmlTextWriterEndElement(w);
    writer_finish(w, xb, out);
}

void tk_org_to_xml(const tk_org *o, tk_buf *out)
{
    xmlBufferPtr xb;
    xmlTextWriterPtr w = writer_start(&xb);
    xmlTextWriterStartElementNS(w, NULL, BAD_CAST "org", BAD_CAST TK_ORG_NS);
    xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST o->id);
    xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST o->name);
    if (o->sample)
        xmlTextWriterWriteAttribute(w, BAD_CAST "sample", BAD_CAST "true");
    for (size_t i = 0; i < o->nroles; i++) {
        const tk_role *r = &o->roles[i];
        xmlTextWriterStartElement(w, BAD_CAST "role");
        xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST r->id);
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST r->name);
        if (r->every_department)
            xmlTextWriterWriteAttribute(w, BAD_CAST "every-department", BAD_CAST "true");
        for (size_t k = 0; k < r->naliases; k++)
            xmlTextWriterWriteElement(w, BAD_CAST "alias", BAD_CAST r->aliases[k]);
        xmlTextWriterEndElement(w);
    }
    for (size_t i = 0; i < o->ndepartments; i++) {
        const tk_department *d = &o->departments[i];
        xmlTextWriterStartElement(w, BAD_CAST "department");
        xmlTextWriterWriteAttribute(w, BAD_CAST "code", BAD_CAST d->code);
        xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST d->name);
        for (size_t k = 0; k < d->nholds; k++) {
            xmlTextWriterStartElement(w, BAD_CAST "holds");
            xmlTextWriterWriteAttribute(w, BAD_CAST "role", BAD_CAST d->holds[k]);
            xmlTextWriterEndElement(w);
        }
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndElement(w);
    writer_finish(w, xb, out);
}

/* ---- loading ---- */

static const char *attr(tk_arena *a, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    char *s = tk_arena_strdup(a, (const char *)v);
    xmlFree(v);
    return s;
}

static const char *content(tk_arena *a, xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = tk_arena_strdup(a, v ? (const char *)v : "");
    xmlFree(v);
    return s;
}

static bool is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Split a whitespace-separated list into arena strings. */
static const char **split_list(tk_arena *a, const char *s, size_t *count)
{
    size_t n = 0, cap = 4;
    const char **v = tk_arena_alloc(a, cap * sizeof *v);
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        const char *q = p;
        while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
            q++;
        if (q > p) {
            if (n == cap) {
                const char **nv = tk_arena_alloc(a, cap * 2 * sizeof *v);
                memcpy(nv, v, n * sizeof *v);
                v = nv;
                cap *= 2;
            }
            v[n++] = tk_arena_strndup(a, p, (size_t)(q - p));
        }
        p = q;
    }
    *count = n;
    return v;
}

static void load_section(tk_checklist *c, tk_section *parent, xmlNodePtr node, const char *path, tk_diags *d)
{
    for (xmlNodePtr n = node->children; n; n = n->next) {
        if (is_elem(n, "section")) {
            tk_section *s = tk_checklist_add_section(c, parent, attr(c->arena, n, "ref"), attr(c->arena, n, "title"));
            s->xml_line = xmlGetLineNo(n);
            load_section(c, s, n, path, d);
        } else if (is_elem(n, "item")) {
            tk_item it;
            memset(&it, 0, sizeof it);
            it.id = attr(c->arena, n, "id");
            it.ref = attr(c->arena, n, "ref");
            const char *level = attr(c->arena, n, "level");
            if (!level || !tk_level_parse(level, &it.level)) {
                tk_diag_error(d, path, xmlGetLineNo(n), "level「%s」は must / must-not / should / declare のいずれかでなければなりません",
                              level ? level : "");
            }
            const char *roles = attr(c->arena, n, "role");
            it.roles = split_list(c->arena, roles ? roles : "", &it.nroles);
            const char *line = attr(c->arena, n, "line");
            long lv = 0;
            if (line && tk_parse_int(line, 1, 100000000, &lv))
                it.line = lv;
            const char *weight = attr(c->arena, n, "weight");
            it.weight = 1.0;
            if (weight) {
                char *end;
                double w = strtod(weight, &end);
                if (*end || !(w > 0) || w > 1000)
                    tk_diag_error(d, path, xmlGetLineNo(n), "weight「%s」は 0 より大きく 1000 以下の数でなければなりません", weight);
                else
                    it.weight = w;
            }
            const char *scope = attr(c->arena, n, "scope");
            it.out_of_scope = scope && !strcmp(scope, "out");
            for (xmlNodePtr k = n->children; k; k = k->next) {
                if (is_elem(k, "review")) {
                    it.reviewed = true;
                    it.review_date = attr(c->arena, k, "date");
                    it.review_hash = attr(c->arena, k, "text-sha256");
                    const char *dr = attr(c->arena, k, "derived-role");
                    if (dr) {
                        /* one space between ids, as written */
                        size_t nr = 0;
                        const char **v = split_list(c->arena, dr, &nr);
                        tk_buf b;
                        tk_buf_init(&b);
                        for (size_t r = 0; r < nr; r++)
                            tk_buf_printf(&b, "%s%s", r ? " " : "", v[r]);
                        it.derived_role = nr ? tk_arena_strdup(c->arena, b.data) : NULL;
                        tk_buf_free(&b);
                    }
                    const char *dw = attr(c->arena, k, "derived-weight");
                    if (dw) {
                        char *end;
                        double w = strtod(dw, &end);
                        if (*end || !(w > 0) || w > 1000)
                            tk_diag_error(d, path, xmlGetLineNo(k), "derived-weight「%s」は 0 より大きく 1000 以下の数でなければなりません", dw);
                        else
                            it.derived_weight = w;
                    }
                } else if (is_elem(k, "text"))
                    it.text = content(c->arena, k);
                else if (is_elem(k, "context"))
                    it.context = content(c->arena, k);
                else if (is_elem(k, "guidance"))
                    it.guidance = content(c->arena, k);
            }
            it.xml_line = xmlGetLineNo(n);
            tk_checklist_add_item(c, parent, &it);
        }
    }
}

tk_checklist *tk_checklist_load(const char *path, const char *schema_dir, tk_diags *d)
{
    xmlDocPtr doc = tk_xml_read_validated(path, schema_dir, "checklist.rng", d);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "checklist") != 0) {
        tk_diag_error(d, path, root ? xmlGetLineNo(root) : 0, "ルート要素が checklist ではありません");
        xmlFreeDoc(doc);
        return NULL;
    }
    tk_checklist *c = tk_checklist_new(NULL, NULL);
    c->org = attr(c->arena, root, "org");
    if (!c->org)
        c->org = "";
    c->name = attr(c->arena, root, "name");
    if (!c->name)
        c->name = "";
    c->source = attr(c->arena, root, "source");
    c->source_sha256 = attr(c->arena, root, "source-sha256");
    c->path = tk_arena_strdup(c->arena, path);
    load_section(c, &c->root, root, path, d);
    /* chapters and sections are final only now (items[] was growing) */
    for (size_t i = 0; i < c->nitems; i++)
        c->items[i].chapter = chapter_of(c, c->items[i].section);
    tk_checklist_rehash(c);
    xmlFreeDoc(doc);
    return c;
}

const tk_department *tk_org_department_find(const tk_org *o, const char *key)
{
    for (size_t i = 0; i < o->ndepartments; i++)
        if (!strcmp(o->departments[i].code, key))
            return &o->departments[i];
    for (size_t i = 0; i < o->ndepartments; i++)
        if (tk_text_same_norm(o->departments[i].code, key) || tk_text_same_norm(o->departments[i].name, key))
            return &o->departments[i];
    return NULL;
}

void tk_org_free(tk_org *o)
{
    if (!o)
        return;
    tk_arena_free(o->arena);
    free(o);
}

tk_org *tk_org_load(const char *path, const char *schema_dir, tk_diags *d)
{
    xmlDocPtr doc = tk_xml_read_validated(path, schema_dir, "org.rng", d);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "org") != 0) {
        tk_diag_error(d, path, root ? xmlGetLineNo(root) : 0, "ルート要素が org ではありません");
        xmlFreeDoc(doc);
        return NULL;
    }
    tk_org *o = tk_xcalloc(1, sizeof *o);
    o->arena = tk_arena_new();
    tk_arena *a = o->arena;
    o->path = tk_arena_strdup(a, path);
    o->id = attr(a, root, "id");
    o->name = attr(a, root, "name");
    if (!o->id)
        o->id = "";
    if (!o->name)
        o->name = "";
    const char *sample = attr(a, root, "sample");
    o->sample = sample && (strcmp(sample, "true") == 0 || strcmp(sample, "1") == 0);
    size_t nr = 0, nd = 0;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (is_elem(n, "role"))
            nr++;
        else if (is_elem(n, "department"))
            nd++;
    }
    o->roles = tk_arena_alloc(a, (nr ? nr : 1) * sizeof *o->roles);
    o->departments = tk_arena_alloc(a, (nd ? nd : 1) * sizeof *o->departments);
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (is_elem(n, "role")) {
            tk_role *r = &o->roles[o->nroles++];
            memset(r, 0, sizeof *r);
            r->id = attr(a, n, "id");
            r->name = attr(a, n, "name");
            if (!r->id)
                r->id = "";
            if (!r->name)
                r->name = r->id;
            const char *every = attr(a, n, "every-department");
            r->every_department = every && (strcmp(every, "true") == 0 || strcmp(every, "1") == 0);
            r->xml_line = xmlGetLineNo(n);
            size_t na = 0;
            for (xmlNodePtr k = n->children; k; k = k->next)
                if (is_elem(k, "alias"))
                    na++;
            r->aliases = tk_arena_alloc(a, (na ? na : 1) * sizeof(char *));
            for (xmlNodePtr k = n->children; k; k = k->next)
                if (is_elem(k, "alias"))
                    r->aliases[r->naliases++] = content(a, k);
        } else if (is_elem(n, "department")) {
            tk_department *dep = &o->departments[o->ndepartments++];
            memset(dep, 0, sizeof *dep);
            dep->code = attr(a, n, "code");
            dep->name = attr(a, n, "name");
            if (!dep->code)
                dep->code = "";
            if (!dep->name)
                dep->name = "";
            dep->xml_line = xmlGetLineNo(n);
            size_t nh = 0;
            for (xmlNodePtr k = n->children; k; k = k->next)
                if (is_elem(k, "holds"))
                    nh++;
            dep->holds = tk_arena_alloc(a, (nh ? nh : 1) * sizeof(char *));
            for (xmlNodePtr k = n->children; k; k = k->next) {
                if (is_elem(k, "holds")) {
                    const char *role = attr(a, k, "role");
                    dep->holds[dep->nholds++] = role ? role : "";
                }
            }
        }
    }
    xmlFreeDoc(doc);
    return o;
}

/* ---- rules ---- */

/* Duplicate detection: a map from a key to the line it was first seen on
 * (stored as a pointer-sized integer, +1 so that line 0 is not NULL). */
static long seen_at(tk_strmap *m, const char *key, long line)
{
    bool existed;
    const void *v = tk_strmap_put(m, key, (const void *)(intptr_t)(line + 1), &existed);
    return existed ? ((intptr_t)v - 1 > 0 ? (intptr_t)v - 1 : -1) : 0;
}

const tk_role *tk_org_role(const tk_org *o, const char *id)
{
    for (size_t i = 0; i < o->nroles; i++)
        if (strcmp(o->roles[i].id, id) == 0)
            return &o->roles[i];
    return NULL;
}

bool tk_department_holds(const tk_department *d, const char *role_id)
{
    for (size_t i = 0; i < d->nholds; i++)
        if (strcmp(d->holds[i], role_id) == 0)
            return true;
    return false;
}

bool tk_item_applies(const tk_item *it, const tk_department *d)
{
    if (it->out_of_scope)
        return false;
    for (size_t r = 0; r < it->nroles; r++)
        if (tk_department_holds(d, it->roles[r]))
            return true;
    return false;
}

void tk_checklist_check_rules(const tk_checklist *c, const tk_org *org, tk_diags *d)
{
    const char *path = c->path ? c->path : "checklist.xml";
    tk_strmap ids = {0}, refs = {0};
    for (size_t i = 0; i < c->nitems; i++) {
        const tk_item *it = &c->items[i];
        long prev = seen_at(&ids, it->id, it->xml_line);
        if (prev)
            tk_diag_error(d, path, it->xml_line, "項目の id「%s」が重複しています (%ld 行目と同じ)。id は一意でなければなりません", it->id, prev);
        prev = seen_at(&refs, it->ref, it->xml_line);
        if (prev)
            tk_diag_error(d, path, it->xml_line, "項目の ref「%s」が重複しています (%ld 行目と同じ)。ref は一意でなければなりません", it->ref, prev);
        if (it->nroles == 0)
            tk_diag_error(d, path, it->xml_line, "項目 %s に role がありません。役割の id を指定してください", it->id);
        for (size_t r = 0; org && r < it->nroles; r++) {
            if (!tk_org_role(org, it->roles[r]))
                tk_diag_error(d, path, it->xml_line, "項目 %s の role「%s」は %s に定義されていません。org.xml に role を追加するか、定義済みの役割に直してください",
                              it->id, it->roles[r], org->path ? org->path : "org.xml");
        }
        const char *t = it->text;
        while (*t == ' ' || *t == '\n' || *t == '\t')
            t++;
        if (!*t)
            tk_diag_error(d, path, it->xml_line, "項目 %s の text が空です。条項の本文を記載してください", it->id);
    }
    if (c->nitems == 0)
        tk_diag_error(d, path, 0, "項目 (item) が一つもありません");
    tk_strmap_free(&ids);
    tk_strmap_free(&refs);
}

void tk_org_check_rules(const tk_org *o, tk_diags *d)
{
    const char *path = o->path ? o->path : "org.xml";
    tk_strmap roles = {0}, codes = {0}, names = {0};
    bool any_every = false;
    for (size_t i = 0; i < o->nroles; i++) {
        const tk_role *r = &o->roles[i];
        long prev = seen_at(&roles, r->id, r->xml_line);
        if (prev)
            tk_diag_error(d, path, r->xml_line, "役割の id「%s」が重複しています (%ld 行目と同じ)", r->id, prev);
        for (size_t k = 0; k < r->naliases; k++) {
            prev = seen_at(&roles, r->aliases[k], r->xml_line);
            if (prev)
                tk_diag_error(d, path, r->xml_line, "別名「%s」が他の役割の id または別名と重複しています (%ld 行目)", r->aliases[k], prev);
        }
        any_every |= r->every_department;
    }
    if (o->ndepartments == 0)
        tk_diag_error(d, path, 0, "部署 (department) が一つもありません。<department code=\"01\" name=\"総務課\"> のように部署と、その部署が担う役割 (<holds role=\"…\"/>) を追加してください");
    if (!any_every)
        tk_diag_error(d, path, 0, "全部署が担う役割 (every-department=\"true\"、職員等など) が一つもありません。少なくとも一つ指定してください");
    for (size_t i = 0; i < o->ndepartments; i++) {
        const tk_department *dep = &o->departments[i];
        long prev = seen_at(&codes, dep->code, dep->xml_line);
        if (prev)
            tk_diag_error(d, path, dep->xml_line, "部署コード「%s」が重複しています (%ld 行目と同じ)", dep->code, prev);
        prev = seen_at(&names, dep->name, dep->xml_line);
        if (prev)
            tk_diag_error(d, path, dep->xml_line, "部署名「%s」が重複しています (%ld 行目と同じ)", dep->name, prev);
        for (size_t k = 0; k < dep->nholds; k++) {
            if (!tk_org_role(o, dep->holds[k]))
                tk_diag_error(d, path, dep->xml_line, "部署「%s」の holds role=「%s」は定義されていない役割です", dep->name, dep->holds[k]);
        }
        for (size_t r = 0; r < o->nroles; r++) {
            if (o->roles[r].every_department && !tk_department_holds(dep, o->roles[r].id))
                tk_diag_error(d, path, dep->xml_line, "部署「%s」が全部署の役割「%s」を担っていません。<holds role=\"%s\"/> を追加してください",
                              dep->name, o->roles[r].id, o->roles[r].id);
        }
    }
    for (size_t r = 0; r < o->nroles; r++) {
        bool held = false;
        for (size_t i = 0; i < o->ndepartments && !held; i++)
            held = tk_department_holds(&o->departments[i], o->roles[r].id);
        if (!held && o->ndepartments > 0)
            tk_diag_warn(d, path, o->roles[r].xml_line, "役割「%s」を担う部署がありません。この役割の項目はどの点検票にも載りません", o->roles[r].id);
    }
    tk_strmap_free(&roles);
    tk_strmap_free(&codes);
    tk_strmap_free(&names);
}

const char *tk_org_dir(tk_arena *a, const char *org_arg)
{
    struct stat st;
    if (strchr(org_arg, '/') || (stat(org_arg, &st) == 0 && S_ISDIR(st.st_mode) && strcmp(org_arg, ".") != 0 &&
                                 tk_file_exists(tk_path_join(a, org_arg, "org.xml")))) {
        if (stat(org_arg, &st) == 0 && S_ISDIR(st.st_mode))
            return tk_arena_strdup(a, org_arg);
        return NULL;
    }
    const char *base = getenv("TENKEN_CHECKLISTS");
    if (!base || !*base)
        base = "checklists";
    const char *dir = tk_path_join(a, base, org_arg);
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return dir;
    return NULL;
}
