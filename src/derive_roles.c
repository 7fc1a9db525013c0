/* derive_roles.c — who must act: the role vocabulary (templates/derive.xml,
 * the org's roles, or the roles the policy itself names), the subjects of a
 * sentence, and the org.xml proposal of the roles found. */
#include "derive_internal.h"

#include <libxml/tree.h>
#include <string.h>

#include "tenken/xmlutil.h"

/* ------------------------------------------------------------------ */
/* vocabulary                                                          */

static void push_str(tk_arena *a, const char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        const char **na = tk_arena_alloc(a, nc * sizeof *na);
        if (*n)
            memcpy(na, *arr, *n * sizeof *na);
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = s;
}

static const char *canon_of(const vocab *v, const char *name_norm)
{
    for (size_t i = 0; i < v->nnames; i++)
        if (strcmp(v->names[i], name_norm) == 0)
            return v->canon[i];
    return NULL;
}

/* Register a role name (or alias of canon) for matching. */
static void vocab_add(run *r, const char *name, const char *canon)
{
    const char *nn = norm_a(r->a, name);
    if (!*nn || canon_of(&r->v, nn))
        return;
    const char *cn = canon ? canon : nn;
    push_str(r->a, &r->v.names, &r->v.nnames, &r->v.capnames, nn);
    /* canon[] grows in step with names[] */
    const char **nc = tk_arena_alloc(r->a, r->v.capnames * sizeof *nc);
    if (r->v.nnames > 1)
        memcpy(nc, r->v.canon, (r->v.nnames - 1) * sizeof *nc);
    nc[r->v.nnames - 1] = cn;
    r->v.canon = nc;
    bool known = false;
    for (size_t i = 0; i < r->v.nfound; i++)
        known |= strcmp(r->v.found[i], cn) == 0;
    if (!known)
        push_str(r->a, &r->v.found, &r->v.nfound, &r->v.capfound, cn);
}

bool tk_dv_load_vocab(run *r, const char **std_names, const char **std_canon, size_t *nstd)
{
    tk_arena *a = r->a;
    const char *path = tk_data_path(a, "templates/derive.xml");
    xmlDocPtr doc = tk_xml_read_validated(path, NULL, NULL, r->diags);
    if (!doc)
        return false;
    size_t ns = 0, np = 0, nb = 0, ng = 0, cap_s = 0, cap_p = 0, cap_b = 0, cap_g = 0;
    *nstd = 0;
    for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *txt = xmlNodeGetContent(n);
        const char *t = tk_arena_strdup(a, txt ? (const char *)txt : "");
        xmlFree(txt);
        if (!strcmp((const char *)n->name, "fallback-role")) {
            if (!r->v.fallback)
                r->v.fallback = t;
            push_str(a, &r->v.fallbacks, &r->v.nfallbacks, &r->v.capfallbacks, t);
        } else if (!strcmp((const char *)n->name, "actor-suffix")) {
            push_str(a, &r->v.suffixes, &ns, &cap_s, norm_a(a, t));
        } else if (!strcmp((const char *)n->name, "part-word")) {
            push_str(a, &r->v.part_words, &np, &cap_p, t);
        } else if (!strcmp((const char *)n->name, "basic-policy-word")) {
            push_str(a, &r->v.basic_words, &nb, &cap_b, t);
        } else if (!strcmp((const char *)n->name, "anyone-ending")) {
            push_str(a, &r->v.generic, &ng, &cap_g, norm_a(a, t));
        } else if (!strcmp((const char *)n->name, "role") && *nstd < 62) {
            xmlChar *nm = xmlGetProp(n, BAD_CAST "name");
            if (nm) {
                const char *canon = tk_arena_strdup(a, (const char *)nm);
                std_names[*nstd] = canon;
                std_canon[(*nstd)++] = canon;
                for (xmlNodePtr k = n->children; k && *nstd < 62; k = k->next) {
                    if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "alias")) {
                        xmlChar *al = xmlNodeGetContent(k);
                        std_names[*nstd] = tk_arena_strdup(a, al ? (const char *)al : "");
                        std_canon[(*nstd)++] = canon;
                        xmlFree(al);
                    }
                }
                xmlFree(nm);
            }
        }
    }
    r->v.nsuffixes = ns;
    r->v.nparts = np;
    r->v.nbasic = nb;
    r->v.ngeneric = ng;
    xmlFreeDoc(doc);
    if (!r->v.fallback)
        r->v.fallback = "統括情報セキュリティ責任者";
    r->v.std = tk_arena_alloc(r->a, (*nstd ? *nstd : 1) * sizeof(char *));
    for (size_t i = 0; i < *nstd; i++)
        r->v.std[r->v.nstd++] = norm_a(r->a, std_names[i]);
    return true;
}

/* ------------------------------------------------------------------ */
/* subjects                                                            */

/* Leftmost-longest role-name matches in a match-form sentence. */
static size_t find_roles(const vocab *v, const char *s, match *out, size_t max)
{
    size_t n = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len && n < max;) {
        size_t best = 0;
        const char *canon = NULL;
        for (size_t k = 0; k < v->nnames; k++) {
            size_t l = strlen(v->names[k]);
            if (l > best && l <= len - i && memcmp(s + i, v->names[k], l) == 0) {
                best = l;
                canon = v->canon[k];
            }
        }
        if (best) {
            out[n].pos = i;
            out[n].end = i + best;
            out[n].canon = canon;
            n++;
            i += best;
        } else {
            i++;
            while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
        }
    }
    return n;
}


/* Where the topic of a match-form sentence ends: at the first role named
 * as topic (ROLEは), else at the first 「は、」 outside brackets; 0 when the
 * sentence has none, or its topic is a condition (…場合には、…については、). */
static size_t topic_end(const char *s, const match *m, size_t nm)
{
    size_t end = 0;
    for (size_t k = 0; k < nm && !end; k++) {
        const char *after = s + m[k].end;
        if (tk_str_starts(after, "は") && !tk_str_starts(after, "はじめ"))
            end = m[k].end;
    }
    if (!end) {
        int depth = 0;
        for (size_t i = 0; s[i] && i < 100 * 3; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '(' || tk_str_starts(s + i, "「"))
                depth++;
            else if ((c == ')' || tk_str_starts(s + i, "」")) && depth > 0)
                depth--;
            else if (depth == 0 && i > 0 && (tk_str_starts(s + i, "は、") || tk_str_starts(s + i, "は,"))) {
                end = i;
                break;
            } else if (depth == 0 && tk_str_starts(s + i, "。")) {
                break;
            }
        }
    }
    if (!end)
        return 0;
    static const char *condition[] = {"ついて", "おいて", "際して", "場合", "場合に", "とき", "ときに", "ため", "には",
                                      "では", "とは", "又", "際", "際に", "後", "前", "上で", "うち", "ほか", "以外"};
    for (size_t i = 0; i < sizeof condition / sizeof condition[0]; i++) {
        size_t l = strlen(condition[i]);
        if (end >= l && memcmp(s + end - l, condition[i], l) == 0)
            return 0;
    }
    return end;
}

/* Does s[a..b) hold only a connector between two names? */
static size_t connector_at(const char *s, size_t i)
{
    static const char *conn[] = {"又は", "及び", "並びに", "若しくは", "もしくは", "または", "および", "、", ",", "・", "や"};
    for (size_t k = 0; k < sizeof conn / sizeof conn[0]; k++)
        if (tk_str_starts(s + i, conn[k]))
            return strlen(conn[k]);
    return 0;
}

static size_t add_role(const char **roles, size_t n, size_t max, const char *canon)
{
    for (size_t q = 0; q < n; q++)
        if (strcmp(roles[q], canon) == 0)
            return n;
    if (n < max)
        roles[n++] = canon;
    return n;
}

/* The subject roles of a sentence: the topic (before は) split at its
 * connectors (、又は、及び、並びに) outside brackets; each part that ends in a
 * role names one (「A及び事故を起こした部門のBは」 names A and B; 「…を委託し、
 * 又は委託しようとするBは」 names B). A role after the topic (「…をCISOへ報告」)
 * is no subject. */
size_t tk_dv_sentence_subjects(const vocab *v, const char *s, const char **roles, size_t max)
{
    match m[32];
    size_t nm = find_roles(v, s, m, 32);
    if (!nm)
        return 0;
    size_t end = topic_end(s, m, nm);
    if (!end)
        return 0;
    size_t n = 0, seg = 0;
    int depth = 0;
    for (size_t i = 0; i <= end;) {
        size_t cl = i < end && depth == 0 ? connector_at(s, i) : 0;
        if (i == end || cl) {
            /* the part s[seg..i): the longest role that ends where it ends */
            const char *best = NULL;
            size_t bestlen = 0;
            for (size_t k = 0; k < nm; k++)
                if (m[k].end == i && m[k].pos >= seg && m[k].end - m[k].pos > bestlen) {
                    best = m[k].canon;
                    bestlen = m[k].end - m[k].pos;
                }
            if (best)
                n = add_role(roles, n, max, best);
            if (i == end)
                break;
            i += cl;
            seg = i;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '(' || tk_str_starts(s + i, "「"))
            depth++;
        else if ((c == ')' || tk_str_starts(s + i, "」")) && depth > 0)
            depth--;
        i++;
        while (i < end && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return n;
}

size_t tk_dv_opening_agent(const vocab *v, const char *s, bool condition_only, const char **roles, size_t max)
{
    match m[1];
    if (!max || find_roles(v, s, m, 1) < 1 || m[0].pos != 0 || !tk_str_starts(s + m[0].end, "が"))
        return 0;
    /* 「職員等が…アクセスする場合は、…許可を得なければならない」: the agent of
     * the condition acts */
    static const char *cond[] = {"場合は、", "場合には、", "ときは、", "際は、", "際には、"};
    bool conditional = false;
    for (size_t i = 0; i < sizeof cond / sizeof cond[0]; i++)
        conditional |= strstr(s + m[0].end, cond[i]) != NULL;
    if (condition_only && !conditional)
        return 0;
    roles[0] = m[0].canon;
    return 1;
}

/* A topic (Xは、) that names an actor but no known role: the last part of
 * the topic (after its last 、), when it ends like an actor. */
const char *tk_dv_unknown_actor(run *r, const char *s)
{
    size_t end = topic_end(s, NULL, 0);
    if (!end)
        return NULL;
    const char *topic = tk_arena_strndup(r->a, s, end);
    const char *last = topic;
    for (const char *p = topic; (p = strstr(p, "、")) != NULL; p += strlen("、"))
        last = p + strlen("、");
    if (!*last || tk_utf8_count(last) > 40 || contains(last, "。"))
        return NULL;
    bool actor = false;
    for (size_t i = 0; i < r->v.nsuffixes && !actor; i++)
        actor = ends_with(last, r->v.suffixes[i]);
    /* an ASCII acronym (CSIRT, CISO) names a body */
    size_t caps = 0;
    for (const char *p = last; *p; p++)
        caps += (*p >= 'A' && *p <= 'Z');
    if (caps >= 2 && caps == strlen(last))
        actor = true;
    return actor ? last : NULL;
}

bool tk_dv_is_generic_doer(const run *r, const char *topic)
{
    size_t n = strlen(topic);
    if (!ends_with(topic, "者"))
        return false;
    int32_t before = last_cp(topic, n - strlen("者"));
    if (tk_cp_is_hiragana(before))
        return true;
    for (size_t i = 0; i < r->v.ngeneric; i++)
        if (ends_with(topic, r->v.generic[i]))
            return true;
    return false;
}

/* Strip (...) and anything after it from a heading title: the role name. */
static const char *title_name(run *r, const char *norm_title)
{
    const char *p = strchr(norm_title, '(');
    size_t n = p ? (size_t)(p - norm_title) : strlen(norm_title);
    return tk_arena_strndup(r->a, norm_title, n);
}

/* Roles named in the titles of the enclosing headings (組織体制's
 * "(2) 統括情報セキュリティ責任者"). */
size_t tk_dv_roles_from_headings(run *r, const node *n, const char **roles, size_t max)
{
    for (; n; n = n->parent) {
        const char *title = NULL;
        if (n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE)
            title = n->title;
        else if (n->kind == N_MARKED && (n->is_heading || tk_dv_style_rank(n->mk.style)))
            title = n->text;
        else if (n->kind == N_PART)
            title = n->title;
        if (!title || !*title)
            continue;
        const char *t = tk_dv_norm(r, title);
        match m[4];
        size_t nm = find_roles(&r->v, t, m, 4);
        if (nm < 1 || m[0].pos != 0)
            continue;
        /* 「情報システム管理者」「(9) CSIRT の設置・役割」「職員等の遵守事項」 */
        const char *after = t + m[0].end;
        while (*after == ' ')
            after++;
        if (!*after || *after == '(' || tk_str_starts(after, "の") || tk_str_starts(after, "は") ||
            tk_str_starts(after, "における") || tk_str_starts(after, "に係る")) {
            if (max)
                roles[0] = m[0].canon;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* discovering roles from the policy                                   */

/* 以下「X」という in s: returns X (match form) or NULL. */
static const char *defined_term(run *r, const char *s, const char **before)
{
    const char *p = strstr(s, "以下「");
    if (!p)
        return NULL;
    const char *x = p + strlen("以下「");
    const char *q = strstr(x, "」");
    if (!q || q - x > 60)
        return NULL;
    if (before) {
        /* the name the parenthesis follows: back to the opening ( */
        const char *open = NULL;
        for (const char *k = s; k < p; k++)
            if (*k == '(')
                open = k;
        *before = open ? tk_arena_strndup(r->a, s, (size_t)(open - s)) : NULL;
    }
    return tk_arena_strndup(r->a, x, (size_t)(q - x));
}

static bool is_actor_name(const run *r, const char *n)
{
    for (size_t i = 0; i < r->v.nsuffixes; i++)
        if (ends_with(n, r->v.suffixes[i]))
            return true;
    size_t caps = 0;
    for (const char *p = n; *p; p++)
        caps += (*p >= 'A' && *p <= 'Z');
    return caps >= 2 && caps == strlen(n);
}

/* Roles are the headings under the 組織体制 section: "(2) 統括情報セキュリティ
 * 責任者", "(1) 最高情報セキュリティ責任者（…以下「CISO」という。）". */
static void discover_in_node(run *r, node *n)
{
    for (size_t i = 0; i < n->nentries; i++) {
        node *c = n->entries[i].child;
        if (!c)
            continue;
        if (c->kind == N_MARKED && c->is_heading && c->text) {
            const char *nt = title_name(r, norm_a(r->a, c->text));
            if (ends_with(nt, "体制")) {
                for (size_t k = 0; k < c->nentries; k++) {
                    node *cc = c->entries[k].child;
                    if (!cc)
                        continue;
                    /* an article's title names it: （情報セキュリティ管理者） */
                    const char *heading = cc->mk.style == TK_MK_ARTICLE ? cc->title
                                          : (cc->is_heading || cc->has_child_nodes) ? cc->text
                                                                                   : NULL;
                    if (!heading)
                        continue;
                    const char *full = norm_a(r->a, heading);
                    const char *name = title_name(r, full);
                    if (!*name || !is_actor_name(r, name) || tk_utf8_count(name) > 24 || contains(name, "を") ||
                        contains(name, "は") || contains(name, "が"))
                        continue;
                    vocab_add(r, name, NULL);
                    const char *alias = defined_term(r, full, NULL);
                    if (alias)
                        vocab_add(r, alias, canon_of(&r->v, name));
                }
            }
        }
        discover_in_node(r, c);
    }
}

/* 以下「X」という definitions of actors anywhere in the text. */
static void discover_definitions(run *r, const char *norm_all)
{
    const char *p = norm_all;
    while ((p = strstr(p, "以下「")) != NULL) {
        const char *x = p + strlen("以下「");
        const char *q = strstr(x, "」");
        if (!q || q - x > 60) {
            p = x;
            continue;
        }
        const char *term = tk_arena_strndup(r->a, x, (size_t)(q - x));
        if (is_actor_name(r, term) && !canon_of(&r->v, term)) {
            /* an abbreviation of a role named just before the parenthesis */
            const char *open = NULL;
            for (const char *k = p; k > norm_all && p - k < 300; k--) {
                if (*k == '(') {
                    open = k;
                    break;
                }
            }
            const char *canon = NULL;
            if (open) {
                for (size_t i = 0; i < r->v.nnames && !canon; i++) {
                    size_t l = strlen(r->v.names[i]);
                    if ((size_t)(open - norm_all) >= l && memcmp(open - l, r->v.names[i], l) == 0 &&
                        strlen(term) < l)
                        canon = r->v.canon[i];
                }
            }
            vocab_add(r, term, canon);
        }
        p = q;
    }
}

/* ------------------------------------------------------------------ */
/* the stages                                                          */

/* The org's roles and their aliases. */
static void roles_of_org(run *r, const tk_org *org)
{
    for (size_t i = 0; i < org->nroles; i++) {
        const tk_role *ro = &org->roles[i];
        vocab_add(r, ro->id, NULL);
        const char *cid = canon_of(&r->v, norm_a(r->a, ro->id));
        for (size_t k = 0; k < ro->naliases; k++)
            vocab_add(r, ro->aliases[k], cid);
    }
    /* match must return the org's own ids as written */
    for (size_t i = 0; i < r->v.nnames; i++) {
        for (size_t k = 0; k < org->nroles; k++)
            if (!strcmp(r->v.canon[i], norm_a(r->a, org->roles[k].id)))
                r->v.canon[i] = org->roles[k].id;
    }
    for (size_t i = 0; i < r->v.nfound; i++) {
        for (size_t k = 0; k < org->nroles; k++)
            if (!strcmp(r->v.found[i], norm_a(r->a, org->roles[k].id)))
                r->v.found[i] = org->roles[k].id;
    }
}

/* The roles the policy names: the headings under 組織体制, the actors it
 * defines (以下「X」という), the guideline's roles that occur in it. */
static void roles_of_policy(run *r, node *root, const lline *ll, size_t nll, const char **std_names,
                            const char **std_canon, size_t nstd)
{
    discover_in_node(r, root);
    tk_buf all;
    tk_buf_init(&all);
    for (size_t i = 0; i < nll; i++) {
        tk_text_norm(ll[i].raw.data, ll[i].raw.len, &all);
        tk_buf_putc(&all, '\n');
    }
    discover_definitions(r, all.data ? all.data : "");
    for (size_t i = 0; i < nstd; i++) {
        const char *nn = norm_a(r->a, std_names[i]);
        if (!contains(all.data ? all.data : "", nn))
            continue;
        if (std_canon[i] != std_names[i]) {
            /* an abbreviation the guideline defines (CISO): its role too */
            vocab_add(r, std_canon[i], NULL);
            vocab_add(r, std_names[i], canon_of(&r->v, norm_a(r->a, std_canon[i])));
        } else {
            vocab_add(r, std_names[i], NULL);
        }
    }
    tk_buf_free(&all);
}

/* Is the role (by its name or an alias) named in the policy text? */
static bool role_named(const run *r, const char *canon, const char *all)
{
    for (size_t i = 0; i < r->v.nnames; i++)
        if (!strcmp(r->v.canon[i], canon) && strstr(all, r->v.names[i]))
            return true;
    return false;
}

/* The role of provisions that name none: the first of templates/derive.xml's
 * choices that the policy names (and org.xml defines); else, saying so, the
 * first role of org.xml (or of the policy) that the policy names. */
static void choose_fallback(run *r, const lline *ll, size_t nll)
{
    tk_derive_report *rep = r->rep;
    const tk_org *org = r->opts ? r->opts->org : NULL;
    tk_buf all;
    tk_buf_init(&all);
    for (size_t i = 0; i < nll; i++) {
        tk_text_norm(ll[i].raw.data, ll[i].raw.len, &all);
        tk_buf_putc(&all, '\n');
    }
    const char *text = all.data ? all.data : "";
    const char *chosen = NULL;
    for (size_t i = 0; i < r->v.nfallbacks && !chosen; i++) {
        const char *cn = canon_of(&r->v, norm_a(r->a, r->v.fallbacks[i]));
        if (cn && role_named(r, cn, text) && (!org || tk_org_role(org, cn)))
            chosen = cn;
    }
    rep->fallback_named = chosen != NULL;
    if (!chosen) {
        rep->fallback_wanted = r->v.fallback;
        /* the policy names none of them: org.xml's own definition of one */
        for (size_t i = 0; org && i < r->v.nfallbacks && !chosen; i++)
            if (tk_org_role(org, r->v.fallbacks[i]))
                chosen = tk_org_role(org, r->v.fallbacks[i])->id;
        if (chosen)
            rep->fallback_wanted = chosen;
        if (chosen) {
        } else if (org) {
            for (size_t i = 0; i < org->nroles && !chosen; i++)
                if (role_named(r, org->roles[i].id, text))
                    chosen = org->roles[i].id;
            if (!chosen && org->nroles)
                chosen = org->roles[0].id;
        } else {
            for (size_t i = 0; i < r->v.nfound && !chosen; i++)
                if (role_named(r, r->v.found[i], text))
                    chosen = r->v.found[i];
        }
    }
    tk_buf_free(&all);
    if (chosen)
        r->v.fallback = chosen;
    rep->fallback_role = r->v.fallback;
}

void tk_dv_setup_roles(run *r, node *root, const lline *ll, size_t nll, const char **std_names,
                       const char **std_canon, size_t nstd)
{
    const tk_derive_opts *opts = r->opts;
    if (opts && opts->org)
        roles_of_org(r, opts->org);
    else
        roles_of_policy(r, root, ll, nll, std_names, std_canon, nstd);
    /* the staff role: the org's every-department role named 職員…, else the
     * policy's 職員等 */
    if (opts && opts->org) {
        for (size_t i = 0; i < opts->org->nroles && !r->v.staff; i++)
            if (opts->org->roles[i].every_department && contains(opts->org->roles[i].id, "職員"))
                r->v.staff = opts->org->roles[i].id;
        for (size_t i = 0; i < opts->org->nroles && !r->v.staff; i++)
            if (opts->org->roles[i].every_department)
                r->v.staff = opts->org->roles[i].id;
    } else {
        for (size_t i = 0; i < r->v.nfound && !r->v.staff; i++)
            if (contains(r->v.found[i], "職員"))
                r->v.staff = r->v.found[i];
    }
    choose_fallback(r, ll, nll);
}

void tk_dv_report_roles(run *r)
{
    tk_derive_report *rep = r->rep;
    rep->role_names = r->v.found;
    rep->nroles = r->v.nfound;
    rep->role_aliases = tk_arena_alloc(r->a, (r->v.nfound ? r->v.nfound : 1) * sizeof *rep->role_aliases);
    rep->nrole_aliases = tk_arena_alloc(r->a, (r->v.nfound ? r->v.nfound : 1) * sizeof *rep->nrole_aliases);
    for (size_t i = 0; i < r->v.nfound; i++) {
        rep->nrole_aliases[i] = 0;
        rep->role_aliases[i] = tk_arena_alloc(r->a, (r->v.nnames ? r->v.nnames : 1) * sizeof(char *));
        for (size_t k = 0; k < r->v.nnames; k++)
            if (!strcmp(r->v.canon[k], r->v.found[i]) && strcmp(r->v.names[k], norm_a(r->a, r->v.found[i])))
                rep->role_aliases[i][rep->nrole_aliases[i]++] = r->v.names[k];
    }
}

tk_org *tk_derive_propose_org(const tk_derive_report *rep, const char *org_id, const char *name)
{
    tk_org *o = tk_xcalloc(1, sizeof *o);
    o->arena = tk_arena_new();
    tk_arena *a = o->arena;
    o->id = tk_arena_strdup(a, org_id ? org_id : "");
    o->name = tk_arena_strdup(a, name ? name : "");
    size_t n = rep->nroles + rep->nunmapped + 1;
    o->roles = tk_arena_alloc(a, n * sizeof *o->roles);
    bool have_fallback = false;
    for (size_t i = 0; i < rep->nroles; i++) {
        tk_role *ro = &o->roles[o->nroles++];
        memset(ro, 0, sizeof *ro);
        ro->id = tk_arena_strdup(a, rep->role_names[i]);
        ro->name = ro->id;
        ro->every_department = contains(ro->id, "職員");
        ro->naliases = rep->nrole_aliases[i];
        ro->aliases = tk_arena_alloc(a, (ro->naliases ? ro->naliases : 1) * sizeof(char *));
        for (size_t k = 0; k < ro->naliases; k++)
            ro->aliases[k] = tk_arena_strdup(a, rep->role_aliases[i][k]);
        have_fallback |= rep->fallback_role && !strcmp(ro->id, rep->fallback_role);
    }
    /* subjects the policy names but that map to no role: a person decides */
    for (size_t i = 0; i < rep->nunmapped; i++) {
        bool dup = false;
        for (size_t k = 0; k < o->nroles; k++)
            dup |= !strcmp(o->roles[k].id, rep->unmapped[i].text);
        if (dup)
            continue;
        tk_role *ro = &o->roles[o->nroles++];
        memset(ro, 0, sizeof *ro);
        ro->id = tk_arena_strdup(a, rep->unmapped[i].text);
        ro->name = ro->id;
        ro->every_department = contains(ro->id, "職員");
        ro->aliases = NULL;
    }
    if (!have_fallback && rep->fallback_role) {
        tk_role *ro = &o->roles[o->nroles++];
        memset(ro, 0, sizeof *ro);
        ro->id = tk_arena_strdup(a, rep->fallback_role);
        ro->name = ro->id;
    }
    return o;
}
