/* test_generate.c — issued workbooks: the right items per department, only
 * input cells unlocked, validations and identity in place and matching the
 * database; refusing to overwrite; revoking replaced tokens; safe names; no
 * temporary files left behind. The workbooks are opened as zip files
 * (minizip) and their XML parts parsed with libxml2. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifndef _WIN32
#include <sys/resource.h> /* wait4: a child's peak memory */
#endif
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <dirent.h>
#include <unistd.h>
#include <unzip.h>

#include "tenken/checklist.h"
#include "tenken/generate.h"
#include "tenken/platform.h"
#include "tenken/store.h"
#include "tenken/template.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/xlsx_write.h"

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKGREL "http://schemas.openxmlformats.org/package/2006/relationships"

/* ---- temporary folders ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static char *make_tmpdir(void)
{
    char *t = tk_xstrdup("/tmp/tenken-gen-XXXXXX");
    assert_non_null(mkdtemp(t));
    return t;
}

static void remove_tree(char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* ---- running generate ---- */

typedef struct run {
    char *dir;
    char db[PATH_MAX];
    tk_diags d;
    tk_generate_result res;
    int rc;
} run;

static int generate(run *r, const char *org, const char *kind, bool force, int jobs, const char *const *deps,
                    size_t ndeps)
{
    tk_generate_opts o;
    memset(&o, 0, sizeof o);
    o.org = org;
    o.year = 2026;
    o.kind = kind;
    o.deadline = "2027-01-29";
    o.out_dir = r->dir;
    o.db_path = r->db;
    o.force = force;
    o.jobs = jobs;
    o.departments = deps;
    o.ndepartments = ndeps;
    tk_generate_result_free(&r->res);
    tk_diags_free(&r->d);
    tk_diags_init(&r->d);
    r->rc = tk_generate_run(&o, &r->d, &r->res);
    return r->rc;
}

static void run_init(run *r)
{
    memset(r, 0, sizeof *r);
    r->dir = make_tmpdir();
    snprintf(r->db, sizeof r->db, "%s/tenken.db", r->dir);
    tk_diags_init(&r->d);
}

static void run_free(run *r)
{
    tk_generate_result_free(&r->res);
    tk_diags_free(&r->d);
    remove_tree(r->dir);
}

static bool diags_mention(const tk_diags *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].message, needle))
            return true;
    return false;
}

static void print_diags(const tk_diags *d) { tk_diags_print(d, stderr); }

/* ---- reading a workbook ---- */

typedef struct xcell {
    int row, col0;
    xmlNodePtr node;
} xcell;

typedef struct xsheet {
    char *name;
    char *path; /* xl/worksheets/sheetN.xml */
    bool hidden;
    xmlDocPtr doc;
    xcell *cells; /* sorted by (row, col0) */
    size_t ncells;
} xsheet;

typedef struct xbook {
    unzFile z;
    xsheet *sheets;
    size_t nsheets;
    char **sst;
    size_t nsst;
    bool *unlocked; /* by cellXfs index */
    size_t nxf;
    xmlDocPtr custom;
} xbook;

static bool read_part(unzFile z, const char *name, tk_buf *out)
{
    tk_buf_init(out);
    if (unzLocateFile(z, name, 1) != UNZ_OK)
        return false;
    if (unzOpenCurrentFile(z) != UNZ_OK)
        return false;
    char chunk[16384];
    int n;
    while ((n = unzReadCurrentFile(z, chunk, sizeof chunk)) > 0)
        tk_buf_append(out, chunk, (size_t)n);
    bool ok = n == 0 && unzCloseCurrentFile(z) == UNZ_OK;
    if (!out->data)
        tk_buf_append(out, "", 0);
    return ok;
}

static xmlDocPtr parse_part(unzFile z, const char *name)
{
    tk_buf b;
    if (!read_part(z, name, &b)) {
        tk_buf_free(&b);
        return NULL;
    }
    xmlDocPtr doc = xmlReadMemory(b.data, (int)b.len, name, NULL, XML_PARSE_NONET);
    tk_buf_free(&b);
    return doc;
}

static xmlXPathObjectPtr xpath(xmlDocPtr doc, xmlNodePtr ctx, const char *expr)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(x, BAD_CAST "m", BAD_CAST NS_MAIN);
    xmlXPathRegisterNs(x, BAD_CAST "r", BAD_CAST NS_REL);
    xmlXPathRegisterNs(x, BAD_CAST "p", BAD_CAST NS_PKGREL);
    xmlXPathRegisterNs(x, BAD_CAST "cp", BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties");
    xmlXPathRegisterNs(x, BAD_CAST "vt", BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes");
    if (ctx)
        x->node = ctx;
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x);
    xmlXPathFreeContext(x);
    return o;
}

static size_t nodes(xmlXPathObjectPtr o) { return o && o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0; }

static char *prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    char *s = tk_xstrdup(v ? (const char *)v : "");
    xmlFree(v);
    return s;
}

/* Concatenated text of the <t> descendants (rich text runs joined). */
static void text_of(xmlNodePtr n, tk_buf *out)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)c->name, "t")) {
            xmlChar *v = xmlNodeGetContent(c);
            tk_buf_puts(out, v ? (const char *)v : "");
            xmlFree(v);
        } else if (strcmp((const char *)c->name, "rPh") != 0) {
            text_of(c, out);
        }
    }
}

static void parse_ref(const char *ref, int *row, int *col0);

static int cmp_cell(const void *a, const void *b)
{
    const xcell *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->col0 < y->col0 ? -1 : x->col0 > y->col0;
}

static void index_cells(xsheet *sh)
{
    xmlXPathObjectPtr o = xpath(sh->doc, NULL, "/m:worksheet/m:sheetData/m:row/m:c");
    sh->ncells = nodes(o);
    sh->cells = tk_xcalloc(sh->ncells ? sh->ncells : 1, sizeof *sh->cells);
    for (size_t i = 0; i < sh->ncells; i++) {
        xmlNodePtr n = o->nodesetval->nodeTab[i];
        char *r = prop(n, "r");
        parse_ref(r, &sh->cells[i].row, &sh->cells[i].col0);
        sh->cells[i].node = n;
        free(r);
    }
    qsort(sh->cells, sh->ncells, sizeof *sh->cells, cmp_cell);
    xmlXPathFreeObject(o);
}

static void xbook_open(xbook *b, const char *path)
{
    memset(b, 0, sizeof *b);
    b->z = unzOpen64(path);
    if (!b->z)
        fail_msg("cannot open %s as zip", path);

    /* every XML part is well-formed */
    assert_int_equal(unzGoToFirstFile(b->z), UNZ_OK);
    do {
        char name[512];
        unz_file_info64 info;
        assert_int_equal(unzGetCurrentFileInfo64(b->z, &info, name, sizeof name, NULL, 0, NULL, 0), UNZ_OK);
        if (tk_str_ends(name, ".xml") || tk_str_ends(name, ".rels")) {
            unz64_file_pos pos;
            unzGetFilePos64(b->z, &pos);
            xmlDocPtr doc = parse_part(b->z, name);
            if (!doc)
                fail_msg("%s: part %s is not well-formed XML", path, name);
            xmlFreeDoc(doc);
            unzGoToFilePos64(b->z, &pos);
        }
    } while (unzGoToNextFile(b->z) == UNZ_OK);

    /* sheets: names from the workbook, targets from its relationships */
    xmlDocPtr wb = parse_part(b->z, "xl/workbook.xml");
    xmlDocPtr rels = parse_part(b->z, "xl/_rels/workbook.xml.rels");
    assert_non_null(wb);
    assert_non_null(rels);
    xmlXPathObjectPtr s = xpath(wb, NULL, "/m:workbook/m:sheets/m:sheet");
    b->nsheets = nodes(s);
    b->sheets = tk_xcalloc(b->nsheets, sizeof *b->sheets);
    for (size_t i = 0; i < b->nsheets; i++) {
        xmlNodePtr n = s->nodesetval->nodeTab[i];
        xsheet *sh = &b->sheets[i];
        sh->name = prop(n, "name");
        char *state = prop(n, "state");
        sh->hidden = !strcmp(state, "hidden") || !strcmp(state, "veryHidden");
        free(state);
        xmlChar *rid = xmlGetNsProp(n, BAD_CAST "id", BAD_CAST NS_REL);
        char expr[256];
        snprintf(expr, sizeof expr, "/p:Relationships/p:Relationship[@Id='%s']", (const char *)rid);
        xmlFree(rid);
        xmlXPathObjectPtr r = xpath(rels, NULL, expr);
        assert_int_equal(nodes(r), 1);
        char *target = prop(r->nodesetval->nodeTab[0], "Target");
        tk_buf p;
        tk_buf_init(&p);
        tk_buf_printf(&p, "%s%s", target[0] == '/' ? "" : "xl/", target[0] == '/' ? target + 1 : target);
        sh->path = tk_buf_steal(&p);
        free(target);
        xmlXPathFreeObject(r);
        sh->doc = parse_part(b->z, sh->path);
        assert_non_null(sh->doc);
        index_cells(sh);
    }
    xmlXPathFreeObject(s);
    xmlFreeDoc(wb);
    xmlFreeDoc(rels);

    /* shared strings */
    xmlDocPtr sst = parse_part(b->z, "xl/sharedStrings.xml");
    if (sst) {
        xmlXPathObjectPtr si = xpath(sst, NULL, "/m:sst/m:si");
        b->nsst = nodes(si);
        b->sst = tk_xcalloc(b->nsst ? b->nsst : 1, sizeof *b->sst);
        for (size_t i = 0; i < b->nsst; i++) {
            tk_buf t;
            tk_buf_init(&t);
            text_of(si->nodesetval->nodeTab[i], &t);
            b->sst[i] = tk_buf_steal(&t);
        }
        xmlXPathFreeObject(si);
        xmlFreeDoc(sst);
    }

    /* cell formats: which are unlocked */
    xmlDocPtr styles = parse_part(b->z, "xl/styles.xml");
    assert_non_null(styles);
    xmlXPathObjectPtr xf = xpath(styles, NULL, "/m:styleSheet/m:cellXfs/m:xf");
    b->nxf = nodes(xf);
    b->unlocked = tk_xcalloc(b->nxf ? b->nxf : 1, sizeof *b->unlocked);
    for (size_t i = 0; i < b->nxf; i++) {
        xmlXPathObjectPtr p = xpath(styles, xf->nodesetval->nodeTab[i], "m:protection[@locked='0']");
        b->unlocked[i] = nodes(p) > 0;
        xmlXPathFreeObject(p);
    }
    xmlXPathFreeObject(xf);
    xmlFreeDoc(styles);

    b->custom = parse_part(b->z, "docProps/custom.xml");
}

static void xbook_close(xbook *b)
{
    for (size_t i = 0; i < b->nsheets; i++) {
        free(b->sheets[i].name);
        free(b->sheets[i].path);
        free(b->sheets[i].cells);
        xmlFreeDoc(b->sheets[i].doc);
    }
    free(b->sheets);
    for (size_t i = 0; i < b->nsst; i++)
        free(b->sst[i]);
    free(b->sst);
    free(b->unlocked);
    xmlFreeDoc(b->custom);
    unzClose(b->z);
}

static xsheet *xbook_sheet(xbook *b, const char *name)
{
    for (size_t i = 0; i < b->nsheets; i++)
        if (!strcmp(b->sheets[i].name, name))
            return &b->sheets[i];
    return NULL;
}

/* The <c> of a cell, or NULL. */
static xmlNodePtr cell_node(xsheet *sh, const char *ref)
{
    xcell key;
    parse_ref(ref, &key.row, &key.col0);
    xcell *hit = bsearch(&key, sh->cells, sh->ncells, sizeof *sh->cells, cmp_cell);
    return hit ? hit->node : NULL;
}

/* A cell's value as text (shared, inline or formula string; number as written). */
static char *cell_text(xbook *b, xsheet *sh, const char *ref)
{
    xmlNodePtr c = cell_node(sh, ref);
    if (!c)
        return tk_xstrdup("");
    char *t = prop(c, "t");
    tk_buf out;
    tk_buf_init(&out);
    for (xmlNodePtr k = c->children; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)k->name, "v")) {
            xmlChar *v = xmlNodeGetContent(k);
            if (!strcmp(t, "s")) {
                long i = strtol((const char *)v, NULL, 10);
                tk_buf_puts(&out, i >= 0 && (size_t)i < b->nsst ? b->sst[i] : "");
            } else {
                tk_buf_puts(&out, (const char *)v);
            }
            xmlFree(v);
        } else if (!strcmp((const char *)k->name, "is")) {
            text_of(k, &out);
        }
    }
    free(t);
    if (!out.data)
        tk_buf_append(&out, "", 0);
    return tk_buf_steal(&out);
}

static void cell_ref(int row, int col0, char out[16])
{
    char cn[4];
    tk_xlsx_col_name(col0, cn);
    snprintf(out, 16, "%s%d", cn, row);
}

/* Split "B12" into (12, 1). */
static void parse_ref(const char *ref, int *row, int *col0)
{
    int c = 0;
    const char *p = ref;
    while (*p >= 'A' && *p <= 'Z')
        c = c * 26 + (*p++ - 'A' + 1);
    *col0 = c - 1;
    *row = (int)strtol(p, NULL, 10);
}

/* Is (row, col0) inside one of the space-separated ranges of sqref? */
static bool sqref_covers(const char *sqref, int row, int col0)
{
    const char *p = sqref;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        char range[64];
        snprintf(range, sizeof range, "%.*s", (int)n, p);
        p += n;
        char *colon = strchr(range, ':');
        int r1, c1, r2, c2;
        if (colon) {
            *colon = '\0';
            parse_ref(range, &r1, &c1);
            parse_ref(colon + 1, &r2, &c2);
        } else {
            parse_ref(range, &r1, &c1);
            r2 = r1;
            c2 = c1;
        }
        if (row >= r1 && row <= r2 && col0 >= c1 && col0 <= c2)
            return true;
    }
    return false;
}

/* ---- the identity sheet ---- */

typedef struct idrow {
    int seq, row;
    char *item_id, *sheet, *text_hash, *ref;
} idrow;

typedef struct identity {
    char *token, *checklist_hash, *department_code, *campaign, *kind;
    int header_row;
    int col[TK_COLUMN_KEY_COUNT]; /* 0-based column, -1 absent */
    char *cover_keys[16], *cover_cells[16];
    size_t ncover;
    idrow *rows;
    size_t nrows;
} identity;

static void identity_read(xbook *b, identity *id)
{
    memset(id, 0, sizeof *id);
    for (int k = 0; k < TK_COLUMN_KEY_COUNT; k++)
        id->col[k] = -1;
    xsheet *sh = xbook_sheet(b, TK_XLSX_IDENTITY_SHEET);
    assert_non_null(sh);
    assert_true(sh->hidden);
    bool table = false;
    for (int r = 1; r < 5000; r++) {
        char ra[16], rb[16], rc[16];
        cell_ref(r, 0, ra);
        cell_ref(r, 1, rb);
        cell_ref(r, 2, rc);
        char *a = cell_text(b, sh, ra), *v = cell_text(b, sh, rb);
        if (!*a) {
            free(a);
            free(v);
            break;
        }
        if (!table) {
            enum tk_column_key key;
            if (!strcmp(a, "seq")) {
                table = true;
            } else if (!strcmp(a, "token")) {
                id->token = tk_xstrdup(v);
            } else if (!strcmp(a, "checklist_hash")) {
                id->checklist_hash = tk_xstrdup(v);
            } else if (!strcmp(a, "department_code")) {
                id->department_code = tk_xstrdup(v);
            } else if (!strcmp(a, "campaign")) {
                id->campaign = tk_xstrdup(v);
            } else if (!strcmp(a, "kind")) {
                id->kind = tk_xstrdup(v);
            } else if (!strcmp(a, "header_row")) {
                id->header_row = (int)strtol(v, NULL, 10);
            } else if (!strcmp(a, "format")) {
                assert_string_equal(v, TK_XLSX_IDENTITY_FORMAT);
            } else if (tk_str_starts(a, "column.") && tk_column_key_parse(a + 7, &key)) {
                int row, col0;
                char tmp[16];
                snprintf(tmp, sizeof tmp, "%s1", v);
                parse_ref(tmp, &row, &col0);
                id->col[key] = col0;
            } else if (tk_str_starts(a, "cover.") && id->ncover < 16) {
                id->cover_keys[id->ncover] = tk_xstrdup(a + 6);
                id->cover_cells[id->ncover] = cell_text(b, sh, rc);
                assert_string_equal(v, "表紙");
                id->ncover++;
            }
        } else {
            id->rows = tk_xrealloc(id->rows, (id->nrows + 1) * sizeof *id->rows);
            idrow *ir = &id->rows[id->nrows++];
            char rd[16], re[16], rf[16];
            cell_ref(r, 3, rd);
            cell_ref(r, 4, re);
            cell_ref(r, 5, rf);
            ir->seq = (int)strtol(a, NULL, 10);
            ir->item_id = tk_xstrdup(v);
            ir->sheet = cell_text(b, sh, rc);
            char *row = cell_text(b, sh, rd);
            ir->row = (int)strtol(row, NULL, 10);
            free(row);
            ir->text_hash = cell_text(b, sh, re);
            ir->ref = cell_text(b, sh, rf);
        }
        free(a);
        free(v);
    }
    assert_true(table);
    assert_non_null(id->token);
}

static void identity_free(identity *id)
{
    free(id->token);
    free(id->checklist_hash);
    free(id->department_code);
    free(id->campaign);
    free(id->kind);
    for (size_t i = 0; i < id->ncover; i++) {
        free(id->cover_keys[i]);
        free(id->cover_cells[i]);
    }
    for (size_t i = 0; i < id->nrows; i++) {
        free(id->rows[i].item_id);
        free(id->rows[i].sheet);
        free(id->rows[i].text_hash);
        free(id->rows[i].ref);
    }
    free(id->rows);
}

/* ---- the database, read directly ---- */

static sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

static char *db_text3(sqlite3 *db, const char *sql, const char *arg1, const char *arg2, const char *arg3)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg1)
        sqlite3_bind_text(st, 1, arg1, -1, SQLITE_TRANSIENT);
    if (arg2)
        sqlite3_bind_text(st, 2, arg2, -1, SQLITE_TRANSIENT);
    if (arg3)
        sqlite3_bind_text(st, 3, arg3, -1, SQLITE_TRANSIENT);
    char *r = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        r = tk_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return r;
}

static char *db_text(sqlite3 *db, const char *sql, const char *arg1, const char *arg2)
{
    return db_text3(db, sql, arg1, arg2, NULL);
}

static long db_long(sqlite3 *db, const char *sql, const char *arg1)
{
    char *t = db_text(db, sql, arg1, NULL);
    long v = t ? strtol(t, NULL, 10) : -1;
    free(t);
    return v;
}

/* ---- the model the workbooks are checked against ---- */

typedef struct model {
    tk_checklist *cl;
    tk_org *org;
    tk_template *tpl;
} model;

static void model_load(model *m, const char *org, const char *kind)
{
    tk_diags d;
    tk_diags_init(&d);
    char path[256];
    snprintf(path, sizeof path, "checklists/%s/checklist.xml", org);
    m->cl = tk_checklist_load(path, "checklists", &d);
    snprintf(path, sizeof path, "checklists/%s/org.xml", org);
    m->org = tk_org_load(path, "checklists", &d);
    snprintf(path, sizeof path, "templates/%s.xml", kind);
    m->tpl = tk_template_load(path, "templates", &d);
    if (d.errors)
        print_diags(&d);
    assert_int_equal(d.errors, 0);
    tk_diags_free(&d);
}

static void model_free(model *m)
{
    tk_checklist_free(m->cl);
    tk_org_free(m->org);
    tk_template_free(m->tpl);
}

static const tk_item *find_item(const tk_checklist *c, const char *id)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (!strcmp(c->items[i].id, id))
            return &c->items[i];
    return NULL;
}

static const tk_department *find_dept(const tk_org *o, const char *code)
{
    for (size_t i = 0; i < o->ndepartments; i++)
        if (!strcmp(o->departments[i].code, code))
            return &o->departments[i];
    return NULL;
}

/* Is this a cell people fill in? Item rows x input columns, and the cover's inputs. */
static bool is_input_cell(const model *m, const identity *id, const char *sheet, int row, int col0)
{
    if (!strcmp(sheet, m->tpl->cover_sheet)) {
        for (size_t i = 0; i < id->ncover; i++) {
            int r, c;
            parse_ref(id->cover_cells[i], &r, &c);
            /* the input is merged across to the last column of the cover */
            if (r == row && col0 >= c)
                return true;
        }
        return false;
    }
    bool item_row = false;
    for (size_t i = 0; i < id->nrows && !item_row; i++)
        item_row = !strcmp(id->rows[i].sheet, sheet) && id->rows[i].row == row;
    if (!item_row)
        return false;
    for (int k = 0; k < TK_COLUMN_KEY_COUNT; k++)
        if (id->col[k] == col0)
            return tk_column_input((enum tk_column_key)k) != TK_INPUT_NONE;
    return false;
}

/* Check one issued workbook against the checklist, the template and the database. */
static void check_workbook(const model *m, sqlite3 *db, const tk_generate_workbook *w)
{
    xbook b;
    xbook_open(&b, w->file);
    identity id;
    identity_read(&b, &id);

    /* identity matches the run and the database */
    assert_string_equal(id.token, w->token);
    assert_int_equal(strlen(id.token), 32);
    assert_string_equal(id.department_code, w->code);
    assert_string_equal(id.checklist_hash, m->cl->hash);
    char *db_token = db_text3(db,
                              "SELECT token FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                              "WHERE w.department_code = ?1 AND c.kind = ?2 AND c.org = ?3 AND w.revoked_at IS NULL",
                              w->code, m->tpl->kind, m->org->id);
    assert_non_null(db_token);
    assert_string_equal(db_token, id.token);
    free(db_token);
    char *db_hash = db_text(db, "SELECT checklist_hash FROM campaign WHERE kind = ?1 AND org = ?2", m->tpl->kind, m->org->id);
    assert_string_equal(db_hash, id.checklist_hash);
    free(db_hash);
    /* the token in the custom document properties too */
    assert_non_null(b.custom);
    xmlXPathObjectPtr cp = xpath(b.custom, NULL, "/cp:Properties/cp:property[@name='" TK_XLSX_PROP_TOKEN "']/vt:lpwstr");
    assert_int_equal(nodes(cp), 1);
    xmlChar *ptoken = xmlNodeGetContent(cp->nodesetval->nodeTab[0]);
    assert_string_equal((const char *)ptoken, id.token);
    xmlFree(ptoken);
    xmlXPathFreeObject(cp);

    /* the items are exactly those of the department's roles */
    const tk_department *dep = find_dept(m->org, w->code);
    assert_non_null(dep);
    size_t expect = 0;
    for (size_t i = 0; i < m->cl->nitems; i++)
        expect += tk_item_applies(&m->cl->items[i], dep);
    assert_int_equal(id.nrows, expect);
    assert_int_equal(w->items, expect);

    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT wi.seq, wi.item_id, wi.sheet, wi.row, wi.text_hash FROM workbook_item wi "
                                        "JOIN workbook w ON w.id = wi.workbook_id WHERE w.token = ?1 ORDER BY wi.seq",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, id.token, -1, SQLITE_TRANSIENT);
    size_t answer_col = (size_t)id.col[TK_COL_ANSWER];
    for (size_t i = 0; i < id.nrows; i++) {
        idrow *ir = &id.rows[i];
        assert_int_equal(ir->seq, (int)i + 1);
        const tk_item *it = find_item(m->cl, ir->item_id);
        if (!it)
            fail_msg("%s: item %s is not in the checklist", w->file, ir->item_id);
        assert_true(tk_item_applies(it, dep));
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(id.rows[k].item_id, ir->item_id);
        char hash[65];
        tk_item_text_hash(it->text, it->context, hash);
        assert_string_equal(ir->text_hash, hash);
        assert_string_equal(ir->ref, it->ref);
        /* the database has the same row */
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), ir->seq);
        assert_string_equal((const char *)sqlite3_column_text(st, 1), ir->item_id);
        assert_string_equal((const char *)sqlite3_column_text(st, 2), ir->sheet);
        assert_int_equal(sqlite3_column_int(st, 3), ir->row);
        assert_string_equal((const char *)sqlite3_column_text(st, 4), ir->text_hash);
        /* and the item sits where the identity says */
        xsheet *sh = xbook_sheet(&b, ir->sheet);
        assert_non_null(sh);
        assert_false(sh->hidden);
        assert_true(ir->row > id.header_row);
        char ref[16];
        cell_ref(ir->row, id.col[TK_COL_REF], ref);
        char *v = cell_text(&b, sh, ref);
        assert_string_equal(v, it->ref);
        free(v);
        cell_ref(ir->row, id.col[TK_COL_TEXT], ref);
        v = cell_text(&b, sh, ref);
        assert_true(tk_str_ends(v, it->text));
        if (it->context)
            assert_true(tk_str_starts(v, it->context));
        free(v);
        cell_ref(ir->row, id.col[TK_COL_SEQ], ref);
        v = cell_text(&b, sh, ref);
        assert_int_equal(strtol(v, NULL, 10), ir->seq);
        free(v);
        /* the answer cell exists, empty, unlocked */
        cell_ref(ir->row, (int)answer_col, ref);
        xmlNodePtr c = cell_node(sh, ref);
        assert_non_null(c);
        char *s = prop(c, "s");
        long xf = strtol(s, NULL, 10);
        free(s);
        assert_true(xf >= 0 && (size_t)xf < b.nxf && b.unlocked[xf]);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    /* every sheet protected; only input cells unlocked; every answer cell in a list validation */
    for (size_t s = 0; s < b.nsheets; s++) {
        xsheet *sh = &b.sheets[s];
        xmlXPathObjectPtr p = xpath(sh->doc, NULL, "/m:worksheet/m:sheetProtection[@sheet='1']");
        if (nodes(p) != 1)
            fail_msg("%s: sheet %s is not protected", w->file, sh->name);
        xmlXPathFreeObject(p);
        for (size_t i = 0; i < sh->ncells; i++) {
            xmlNodePtr c = sh->cells[i].node;
            char *r = prop(c, "r"), *sidx = prop(c, "s");
            long xf = *sidx ? strtol(sidx, NULL, 10) : 0;
            int row = sh->cells[i].row, col0 = sh->cells[i].col0;
            bool unlocked = xf >= 0 && (size_t)xf < b.nxf && b.unlocked[xf];
            bool input = is_input_cell(m, &id, sh->name, row, col0);
            if (unlocked != input)
                fail_msg("%s: %s!%s is %s but %s an input cell", w->file, sh->name, r, unlocked ? "unlocked" : "locked",
                         input ? "is" : "is not");
            free(r);
            free(sidx);
        }

        xmlXPathObjectPtr dv = xpath(sh->doc, NULL, "/m:worksheet/m:dataValidations/m:dataValidation[@type='list']");
        for (size_t i = 0; i < id.nrows; i++) {
            if (strcmp(id.rows[i].sheet, sh->name) != 0)
                continue;
            bool covered = false;
            for (size_t k = 0; k < nodes(dv) && !covered; k++) {
                char *sq = prop(dv->nodesetval->nodeTab[k], "sqref");
                covered = sqref_covers(sq, id.rows[i].row, (int)answer_col);
                free(sq);
            }
            if (!covered)
                fail_msg("%s: answer cell of %s row %d has no list validation", w->file, sh->name, id.rows[i].row);
        }
        /* the list holds the template's scale */
        for (size_t k = 0; k < nodes(dv); k++) {
            xmlXPathObjectPtr f = xpath(sh->doc, dv->nodesetval->nodeTab[k], "m:formula1");
            assert_int_equal(nodes(f), 1);
            xmlChar *formula = xmlNodeGetContent(f->nodesetval->nodeTab[0]);
            for (size_t a = 0; a < m->tpl->nanswers; a++)
                assert_non_null(strstr((const char *)formula, m->tpl->answers[a].value));
            xmlFree(formula);
            xmlXPathFreeObject(f);
        }
        xmlXPathFreeObject(dv);
    }
    identity_free(&id);
    xbook_close(&b);
}

/* ---- tests ---- */

static void check_all(run *r, const char *org, const char *kind)
{
    model m;
    model_load(&m, org, kind);
    sqlite3 *db = db_open(r->db);
    for (size_t i = 0; i < r->res.nworkbooks; i++)
        check_workbook(&m, db, &r->res.workbooks[i]);
    sqlite3_close(db);
    model_free(&m);
}

static void test_generate_self_workbooks_hold_the_departments_items(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    if (generate(&r, "shime", "self", false, 2, NULL, 0) != 0)
        print_diags(&r.d);
    assert_int_equal(r.rc, TK_EXIT_OK);
    assert_int_equal(r.res.nworkbooks, 18);
    /* two worker processes where the platform has them (not on Windows) */
    assert_int_equal(r.res.jobs, tk_platform_max_workers() < 2 ? tk_platform_max_workers() : 2);
    check_all(&r, "shime", "self");

    /* the 統括 department answers more than a department holding only the common roles */
    size_t somu = 0, kikaku = 0;
    for (size_t i = 0; i < r.res.nworkbooks; i++) {
        if (!strcmp(r.res.workbooks[i].code, "01"))
            somu = r.res.workbooks[i].items;
        if (!strcmp(r.res.workbooks[i].code, "02"))
            kikaku = r.res.workbooks[i].items;
    }
    assert_true(somu > kikaku && kikaku > 0);
    run_free(&r);
}

static void test_generate_audit_workbooks_use_the_audit_template(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    if (generate(&r, "shime", "audit", false, 1, NULL, 0) != 0)
        print_diags(&r.d);
    assert_int_equal(r.rc, TK_EXIT_OK);
    assert_int_equal(r.res.jobs, 1);
    assert_non_null(strstr(r.res.dir, "2026-audit"));
    check_all(&r, "shime", "audit");
    /* the audit columns are there */
    xbook b;
    xbook_open(&b, r.res.workbooks[0].file);
    identity id;
    identity_read(&b, &id);
    assert_true(id.col[TK_COL_FINDING] >= 0);
    assert_true(id.col[TK_COL_EVIDENCE] >= 0);
    assert_true(id.col[TK_COL_GOOD] >= 0);
    assert_int_equal(id.col[TK_COL_OWNER], -1);
    /* no earlier findings: no 是正確認 asked */
    assert_int_equal(id.col[TK_COL_CONFIRM], -1);
    assert_int_equal(id.col[TK_COL_PREV_PLAN], -1);
    assert_string_equal(id.kind, "audit");
    identity_free(&id);
    xbook_close(&b);
    run_free(&r);
}

static void test_generate_every_sample_org_and_kind(void **state)
{
    (void)state;
    static const char *const orgs[] = {"amakura", "kobe-sangyo", "ogasawara", "toride"};
    run r;
    run_init(&r);
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
        for (int k = 0; k < 2; k++) {
            const char *kind = k ? "audit" : "self";
            if (generate(&r, orgs[i], kind, false, 0, NULL, 0) != 0)
                print_diags(&r.d);
            assert_int_equal(r.rc, TK_EXIT_OK);
            assert_true(r.res.nworkbooks > 0);
            check_all(&r, orgs[i], kind);
        }
    }
    run_free(&r);
}

/* Sheets: a part of the policy that is large is cut into chapters. */
static void test_generate_cuts_large_parts_into_chapter_sheets(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    const char *deps[] = {"01"};
    assert_int_equal(generate(&r, "shime", "self", false, 1, deps, 1), TK_EXIT_OK);
    xbook b;
    xbook_open(&b, r.res.workbooks[0].file);
    assert_string_equal(b.sheets[0].name, "表紙");
    assert_string_equal(b.sheets[1].name, "記入要領");
    assert_string_equal(b.sheets[2].name, "基本方針");
    assert_string_equal(b.sheets[3].name, "対策基準 1 組織体制");
    assert_string_equal(b.sheets[b.nsheets - 1].name, TK_XLSX_IDENTITY_SHEET);
    for (size_t i = 0; i < b.nsheets; i++) {
        assert_true(tk_xlsx_sheet_name_valid(b.sheets[i].name));
        for (size_t k = 0; k < i; k++)
            assert_true(strcasecmp(b.sheets[i].name, b.sheets[k].name) != 0);
    }
    xbook_close(&b);
    run_free(&r);
}

/* As the departments will read and print them (tests/check_workbook_layout.py):
 * no role name, 該当条項 or cover label broken by a narrow column, the
 * unanswered highlight yellow like the input cells the instructions call
 * 黄色, rows tall enough for a plan of a few lines, no 継続中の改善計画 line
 * on a first year's cover. Self, audit, and every sample organisation. */
static void test_generate_workbooks_fit_their_text_and_colours_agree(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    static const char *const orgs[] = {"shime", "kobe-sangyo", "toride"};
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++)
        for (int k = 0; k < 2; k++) {
            const char *kind = k ? "audit" : "self";
            run r;
            run_init(&r);
            assert_int_equal(generate(&r, orgs[i], kind, false, 1, NULL, 0), TK_EXIT_OK);
            int rc = sh("/usr/bin/python3 tests/check_workbook_layout.py %s/%s/2026-%s/*.xlsx", r.dir, orgs[i], kind);
            if (rc != 0)
                fail_msg("%s の%sの点検票のレイアウトに問題があります (上の一覧)", orgs[i], kind);
            run_free(&r);
        }
}

static void test_generate_refuses_an_existing_campaign_without_force(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    assert_int_equal(generate(&r, "shime", "self", false, 0, NULL, 0), TK_EXIT_OK);
    char *token = tk_xstrdup(r.res.workbooks[0].token);
    char *file = tk_xstrdup(r.res.workbooks[0].file);
    tk_buf before;
    assert_int_equal(tk_file_read(file, 1 << 26, &before), 0);

    assert_int_equal(generate(&r, "shime", "self", false, 0, NULL, 0), TK_EXIT_INPUT);
    assert_true(diags_mention(&r.d, "既に作成されています"));
    assert_true(diags_mention(&r.d, "--force"));
    /* a subset is refused too */
    const char *deps[] = {"02"};
    assert_int_equal(generate(&r, "shime", "self", false, 0, deps, 1), TK_EXIT_INPUT);

    /* nothing changed: the file, the token */
    tk_buf after;
    assert_int_equal(tk_file_read(file, 1 << 26, &after), 0);
    assert_int_equal(before.len, after.len);
    assert_memory_equal(before.data, after.data, before.len);
    sqlite3 *db = db_open(r.db);
    char *t = db_text(db, "SELECT token FROM workbook WHERE department_code = '01' AND revoked_at IS NULL", NULL, NULL);
    assert_string_equal(t, token);
    assert_int_equal(db_long(db, "SELECT count(*) FROM workbook", NULL), 18);
    free(t);
    sqlite3_close(db);
    tk_buf_free(&before);
    tk_buf_free(&after);
    free(token);
    free(file);
    run_free(&r);
}

static void test_generate_force_revokes_the_replaced_tokens(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    assert_int_equal(generate(&r, "shime", "self", false, 0, NULL, 0), TK_EXIT_OK);
    char *old[18];
    for (size_t i = 0; i < 18; i++)
        old[i] = tk_xstrdup(r.res.workbooks[i].token);

    /* one department again */
    const char *deps[] = {"04"};
    assert_int_equal(generate(&r, "shime", "self", true, 0, deps, 1), TK_EXIT_OK);
    assert_int_equal(r.res.nworkbooks, 1);
    assert_int_equal(r.res.revoked, 1);
    sqlite3 *db = db_open(r.db);
    assert_int_equal(db_long(db, "SELECT count(*) FROM workbook WHERE revoked_at IS NULL", NULL), 18);
    assert_int_equal(db_long(db,
                             "SELECT count(*) FROM workbook o JOIN workbook n ON n.id = o.replaced_by "
                             "WHERE o.department_code = '04' AND o.revoked_at IS NOT NULL AND n.revoked_at IS NULL",
                             NULL),
                     1);
    sqlite3_close(db);

    /* everything again */
    assert_int_equal(generate(&r, "shime", "self", true, 0, NULL, 0), TK_EXIT_OK);
    assert_int_equal(r.res.revoked, 18);
    db = db_open(r.db);
    for (size_t i = 0; i < 18; i++) {
        char *revoked = db_text(db, "SELECT revoked_at FROM workbook WHERE token = ?1", old[i], NULL);
        assert_non_null(revoked);
        free(revoked);
        for (size_t k = 0; k < r.res.nworkbooks; k++)
            assert_string_not_equal(old[i], r.res.workbooks[k].token);
        free(old[i]);
    }
    assert_int_equal(db_long(db, "SELECT count(*) FROM workbook WHERE revoked_at IS NULL", NULL), 18);
    assert_int_equal(db_long(db, "SELECT count(*) FROM workbook WHERE revoked_at IS NOT NULL AND replaced_by IS NULL", NULL),
                     0);
    assert_int_equal(db_long(db, "SELECT count(*) FROM workbook", NULL), 18 + 1 + 18);
    sqlite3_close(db);
    check_all(&r, "shime", "self");
    run_free(&r);
}

static void test_generate_distribution_list_opens_in_excel(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    assert_int_equal(generate(&r, "toride", "self", false, 0, NULL, 0), TK_EXIT_OK);
    tk_buf csv;
    assert_int_equal(tk_file_read(r.res.distribution, 1 << 20, &csv), 0);
    assert_true(csv.len > 3);
    assert_memory_equal(csv.data, "\xEF\xBB\xBF", 3);
    assert_true(tk_utf8_valid(csv.data, csv.len, NULL));
    size_t lines = 0;
    for (size_t i = 0; i < csv.len; i++)
        lines += csv.data[i] == '\n';
    assert_int_equal(lines, r.res.nworkbooks + 1);
    assert_non_null(strstr(csv.data, "部署コード,部署名,ファイル,トークン,項目数,提出期限\r\n"));
    for (size_t i = 0; i < r.res.nworkbooks; i++) {
        assert_non_null(strstr(csv.data, r.res.workbooks[i].token));
        const char *base = strrchr(r.res.workbooks[i].file, '/') + 1;
        assert_non_null(strstr(csv.data, base));
    }
    assert_non_null(strstr(csv.data, ",2027-01-29\r\n"));
    tk_buf_free(&csv);
    run_free(&r);
}

static bool name_is_windows_safe(const char *name)
{
    if (strpbrk(name, "<>:\"/\\|?*"))
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20)
            return false;
    size_t n = strlen(name);
    return n > 0 && name[n - 1] != '.' && name[n - 1] != ' ' && name[0] != ' ';
}

static void test_generate_file_names_are_safe_on_windows(void **state)
{
    (void)state;
    tk_arena *a = tk_arena_new();
    assert_string_equal(tk_generate_file_name(a, "01", "総務課", ".xlsx"), "01_総務課.xlsx");
    assert_string_equal(tk_generate_file_name(a, "05", "消防本部 総務課", ".xlsx"), "05_消防本部_総務課.xlsx");
    assert_string_equal(tk_generate_file_name(a, "07", "総務部　総務グループ", ".xlsx"), "07_総務部_総務グループ.xlsx");
    assert_string_equal(tk_generate_file_name(a, "9", "a/b\\c:d*e?f\"g<h>i|j", ".xlsx"), "9_a_b_c_d_e_f_g_h_i_j.xlsx");
    assert_string_equal(tk_generate_file_name(a, "10", "課...", ".xlsx"), "10_課.xlsx");
    assert_string_equal(tk_generate_file_name(a, "CON", NULL, ".xlsx"), "_CON.xlsx");
    assert_string_equal(tk_generate_file_name(a, "com1", "", ".xlsx"), "_com1.xlsx");
    assert_string_equal(tk_generate_file_name(a, "", "", ".xlsx"), "workbook.xlsx");
    assert_string_equal(tk_generate_file_name(a, "11", "tab\there\nnew\x01line", ".xlsx"), "11_tab_here_new_line.xlsx");
    /* bidi overrides cannot disguise the extension */
    assert_string_equal(tk_generate_file_name(a, "12", "abc\xE2\x80\xAExslx.exe", ".xlsx"), "12_abc_xslx.exe.xlsx");
    tk_buf longname;
    tk_buf_init(&longname);
    for (int i = 0; i < 100; i++)
        tk_buf_puts(&longname, "情");
    const char *l = tk_generate_file_name(a, "13", longname.data, ".xlsx");
    tk_buf_free(&longname);
    assert_true(tk_utf8_count(l) <= 80 + 5);
    assert_true(tk_str_ends(l, ".xlsx"));

    /* and every file of a real run */
    run r;
    run_init(&r);
    assert_int_equal(generate(&r, "kobe-sangyo", "self", false, 0, NULL, 0), TK_EXIT_OK);
    for (size_t i = 0; i < r.res.nworkbooks; i++) {
        const char *base = strrchr(r.res.workbooks[i].file, '/') + 1;
        assert_true(name_is_windows_safe(base));
        assert_true(tk_str_ends(base, ".xlsx"));
    }
    run_free(&r);
    tk_arena_free(a);
}

/* Names of the files in dir, one per line. */
static void list_dir(const char *dir, tk_buf *out)
{
    tk_buf_init(out);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            tk_buf_printf(out, "%s\n", e->d_name);
    closedir(d);
    if (!out->data)
        tk_buf_append(out, "", 0);
}

static void test_generate_leaves_no_temporary_files(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    assert_int_equal(generate(&r, "shime", "self", false, 2, NULL, 0), TK_EXIT_OK);
    tk_buf names;
    list_dir(r.res.dir, &names);
    assert_null(strstr(names.data, ".tmp-"));
    size_t n = 0;
    for (const char *p = names.data; *p; p++)
        n += *p == '\n';
    assert_int_equal(n, r.res.nworkbooks + 1); /* the workbooks and the distribution list */
    tk_buf_free(&names);

    /* a run that fails half way (a folder where a workbook goes) removes what it wrote */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", r.res.dir);
    char victim[PATH_MAX];
    snprintf(victim, sizeof victim, "%s", r.res.workbooks[17].file);
    assert_int_equal(unlink(victim), 0);
    assert_int_equal(mkdir(victim, 0755), 0);
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/keep", victim);
    FILE *f = fopen(sub, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(generate(&r, "shime", "audit", false, 2, NULL, 0), TK_EXIT_OK); /* another campaign is fine */
    char *audit_dir = tk_xstrdup(r.res.dir);
    /* regenerate self: replacing the folder fails */
    assert_int_not_equal(generate(&r, "shime", "self", true, 2, NULL, 0), TK_EXIT_OK);
    assert_true(diags_mention(&r.d, "フォルダ"));
    list_dir(dir, &names);
    assert_null(strstr(names.data, ".tmp-"));
    assert_null(strstr(names.data, ".old-"));
    n = 0;
    for (const char *p = names.data; *p; p++)
        n += *p == '\n';
    assert_int_equal(n, 18 + 1);
    tk_buf_free(&names);
    /* the files of the first run are back, as the database knows them */
    {
        sqlite3 *db1 = db_open(r.db);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db1,
                                            "SELECT w.file, w.sha256 FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                                            "WHERE c.kind = 'self' AND w.department_code <> '18'",
                                            -1, &st, NULL),
                         SQLITE_OK);
        int seen = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            tk_buf fb;
            assert_int_equal(tk_file_read((const char *)sqlite3_column_text(st, 0), 1 << 26, &fb), 0);
            char hex[65];
            tk_sha256_hex(fb.data, fb.len, hex);
            assert_string_equal(hex, (const char *)sqlite3_column_text(st, 1));
            tk_buf_free(&fb);
            seen++;
        }
        assert_int_equal(seen, 17);
        sqlite3_finalize(st);
        sqlite3_close(db1);
    }
    /* the database still has the first run's tokens, nothing of the failed run */
    sqlite3 *db = db_open(r.db);
    assert_int_equal(db_long(db,
                             "SELECT count(*) FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                             "WHERE c.kind = 'self'",
                             NULL),
                     18);
    assert_int_equal(db_long(db, "SELECT count(*) FROM workbook WHERE revoked_at IS NOT NULL", NULL), 0);
    sqlite3_close(db);
    list_dir(audit_dir, &names);
    assert_null(strstr(names.data, ".tmp-"));
    tk_buf_free(&names);
    free(audit_dir);
    run_free(&r);
}

static volatile sig_atomic_t hup_seen;
static void on_hup(int sig)
{
    (void)sig;
    hup_seen = 1;
}

/* Ctrl-C (here SIGHUP) after the first workbook: the run stops, cleans up
 * and the signal reaches the caller afterwards. */
static void interrupt_after_first(void *user, size_t done, size_t total, const char *department)
{
    (void)user;
    (void)total;
    (void)department;
    if (done == 1)
        raise(SIGHUP);
}

static void test_generate_stops_cleanly_when_interrupted(void **state)
{
    (void)state;
#ifdef _WIN32
    skip(); /* POSIX signals; Windows' Ctrl-C is a console event (src/win/platform_win.c) */
#endif
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hup;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGHUP, &sa, &old), 0);
    for (int jobs = 1; jobs <= 2; jobs++) {
        run r;
        run_init(&r);
        hup_seen = 0;
        tk_generate_opts o;
        memset(&o, 0, sizeof o);
        o.org = "shime";
        o.year = 2026;
        o.out_dir = r.dir;
        o.db_path = r.db;
        o.jobs = jobs;
        o.progress = interrupt_after_first;
        r.rc = tk_generate_run(&o, &r.d, &r.res);
        assert_int_equal(r.rc, TK_EXIT_FAILURE);
        assert_true(diags_mention(&r.d, "中断"));
        assert_int_equal(hup_seen, 1); /* delivered once the run was over */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/shime/2026-self", r.dir);
        tk_buf names;
        list_dir(dir, &names);
        assert_string_equal(names.data, "");
        tk_buf_free(&names);
        sqlite3 *db = db_open(r.db);
        assert_int_equal(db_long(db, "SELECT count(*) FROM campaign", NULL), 0);
        sqlite3_close(db);
        run_free(&r);
    }
    sigaction(SIGHUP, &old, NULL);
}

static void test_generate_reports_bad_options(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    assert_int_equal(generate(&r, "no-such-org", "self", false, 0, NULL, 0), TK_EXIT_INPUT);
    assert_true(diags_mention(&r.d, "no-such-org"));
    assert_int_equal(generate(&r, "shime", "survey", false, 0, NULL, 0), TK_EXIT_USAGE);
    /* a follow-up with no remediation plans on record has nothing to issue */
    assert_int_equal(generate(&r, "shime", "followup", false, 0, NULL, 0), TK_EXIT_INPUT);
    assert_true(diags_mention(&r.d, "完了していない改善計画") || diags_mention(&r.d, "データベース"));
    const char *deps[] = {"99"};
    assert_int_equal(generate(&r, "shime", "self", false, 0, deps, 1), TK_EXIT_USAGE);
    assert_true(diags_mention(&r.d, "「99」"));
    /* a department by name works */
    const char *byname[] = {"税務課"};
    assert_int_equal(generate(&r, "shime", "self", false, 0, byname, 1), TK_EXIT_OK);
    assert_int_equal(r.res.nworkbooks, 1);
    assert_string_equal(r.res.workbooks[0].code, "04");
    run_free(&r);
}

/* ---- the formats of the workbook (xlsx_write's format stages) ---- */

/* The first node of expr under ctx, or NULL. */
static xmlNodePtr first_node(xmlDocPtr doc, xmlNodePtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = xpath(doc, ctx, expr);
    xmlNodePtr n = nodes(o) ? o->nodesetval->nodeTab[0] : NULL;
    xmlXPathFreeObject(o);
    return n;
}

/* A cell's format in words: "bold size=N color=RGB fill=RGB wrap h=.. v=..
 * border=.. numfmt=.. unlocked", each only when set. */
static char *style_of(xbook *b, const char *sheet, const char *ref)
{
    xsheet *sh = xbook_sheet(b, sheet);
    assert_non_null(sh);
    xmlNodePtr c = cell_node(sh, ref);
    if (!c)
        fail_msg("%s!%s: no cell", sheet, ref);
    char *si = prop(c, "s");
    xmlDocPtr st = parse_part(b->z, "xl/styles.xml");
    char q[128];
    snprintf(q, sizeof q, "/m:styleSheet/m:cellXfs/m:xf[%ld]", atol(si) + 1);
    free(si);
    xmlNodePtr xf = first_node(st, NULL, q);
    assert_non_null(xf);
    tk_buf out;
    tk_buf_init(&out);
    char *font = prop(xf, "fontId"), *fill = prop(xf, "fillId"), *border = prop(xf, "borderId"), *nf = prop(xf, "numFmtId");
    snprintf(q, sizeof q, "/m:styleSheet/m:fonts/m:font[%ld]", atol(font) + 1);
    xmlNodePtr f = first_node(st, NULL, q);
    if (first_node(st, f, "m:b"))
        tk_buf_puts(&out, "bold ");
    xmlNodePtr n = first_node(st, f, "m:sz");
    char *v = prop(n, "val");
    tk_buf_printf(&out, "size=%s ", v);
    free(v);
    if ((n = first_node(st, f, "m:color[@rgb]"))) {
        v = prop(n, "rgb");
        tk_buf_printf(&out, "color=%s ", v);
        free(v);
    }
    snprintf(q, sizeof q, "/m:styleSheet/m:fills/m:fill[%ld]/m:patternFill/m:fgColor", atol(fill) + 1);
    if ((n = first_node(st, NULL, q))) {
        v = prop(n, "rgb");
        tk_buf_printf(&out, "fill=%s ", v);
        free(v);
    }
    if ((n = first_node(st, xf, "m:alignment"))) {
        char *wrap = prop(n, "wrapText"), *h = prop(n, "horizontal"), *vv = prop(n, "vertical");
        tk_buf_printf(&out, "%s%s%s%s%s%s", *wrap ? "wrap " : "", *h ? "h=" : "", h, *h ? " " : "", *vv ? "v=" : "", vv);
        if (*vv)
            tk_buf_putc(&out, ' ');
        free(wrap);
        free(h);
        free(vv);
    }
    snprintf(q, sizeof q, "/m:styleSheet/m:borders/m:border[%ld]/m:left[@style]", atol(border) + 1);
    if ((n = first_node(st, NULL, q))) {
        v = prop(n, "style");
        tk_buf_printf(&out, "border=%s ", v);
        free(v);
    }
    if (strcmp(nf, "0") != 0) {
        snprintf(q, sizeof q, "/m:styleSheet/m:numFmts/m:numFmt[@numFmtId='%s']", nf);
        n = first_node(st, NULL, q);
        v = n ? prop(n, "formatCode") : tk_xstrdup(nf);
        tk_buf_printf(&out, "numfmt=%s ", v);
        free(v);
    }
    if (first_node(st, xf, "m:protection[@locked='0']"))
        tk_buf_puts(&out, "unlocked ");
    free(font);
    free(fill);
    free(border);
    free(nf);
    xmlFreeDoc(st);
    if (out.len)
        out.data[--out.len] = '\0';
    return tk_buf_steal(&out);
}

static void expect_style(xbook *b, const char *sheet, const char *ref, const char *want)
{
    char *got = style_of(b, sheet, ref);
    if (strcmp(got, want) != 0)
        fail_msg("%s!%s: format「%s」, expected「%s」", sheet, ref, got, want);
    free(got);
}

/* Each stage of formats gives its cells the template's look: headings bold
 * in the header colours, read-only item cells wrapped and locked, inputs
 * unlocked in the input colour with the template's date format, the
 * cover's mark in the classification colour with a medium border, the
 * instructions' heading larger. */
static void test_generate_formats_follow_the_template(void **state)
{
    (void)state;
    run r;
    run_init(&r);
    const char *one[] = {"01"};
    assert_int_equal(generate(&r, "shime", "self", false, 1, one, 1), TK_EXIT_OK);
    tk_diags d;
    tk_diags_init(&d);
    tk_template *t = tk_template_load("templates/self.xml", "templates", &d);
    assert_non_null(t);
    /* no earlier year: the workbook leaves out its columns */
    tk_template_omit_column(t, TK_COL_PREV_ANSWER);
    tk_template_omit_column(t, TK_COL_PREV_PLAN);
    const tk_tpl_colors *c = &t->colors;
    xbook b;
    xbook_open(&b, r.res.workbooks[0].file);
    const char *sheet = b.sheets[2].name; /* the first item sheet */
    int first = tk_xlsx_first_item_row(t), head = first - 1;
    char want[512], ref[16];
    double sz = t->font_size;

    /* headings (black is the default font colour, not written) */
    char text_color[32] = "";
    if (c->header_text)
        snprintf(text_color, sizeof text_color, "color=FF%06X ", c->header_text);
    snprintf(want, sizeof want, "bold size=%g %sfill=FF%06X wrap h=center v=center border=thin", sz, text_color,
             c->header);
    cell_ref(head, 0, ref);
    expect_style(&b, sheet, ref, want);
    snprintf(want, sizeof want, "bold size=%g color=FF%06X v=center", sz + 2, c->title);
    expect_style(&b, sheet, "A1", want);
    /* an item row: read-only text, inputs */
    for (size_t k = 0; k < t->ncolumns; k++) {
        cell_ref(first, (int)k, ref);
        switch (t->columns[k].key) {
        case TK_COL_TEXT:
            snprintf(want, sizeof want, "size=%g wrap v=top border=thin", sz);
            break;
        case TK_COL_SEQ:
            snprintf(want, sizeof want, "size=%g h=center v=top border=thin", sz);
            break;
        case TK_COL_ANSWER:
            snprintf(want, sizeof want, "size=%g fill=FF%06X wrap h=center v=top border=thin unlocked", sz, c->input);
            break;
        case TK_COL_DUE:
            snprintf(want, sizeof want, "size=%g fill=FF%06X h=center v=top border=thin numfmt=%s unlocked", sz, c->input,
                     t->columns[k].number_format ? t->columns[k].number_format : "yyyy/m/d");
            break;
        case TK_COL_PLAN:
            snprintf(want, sizeof want, "size=%g fill=FF%06X wrap v=top border=thin unlocked", sz, c->input);
            break;
        default:
            continue;
        }
        expect_style(&b, sheet, ref, want);
    }
    /* the cover's classification mark; the instructions' heading */
    snprintf(want, sizeof want, "bold size=%g color=FF%06X h=center v=center border=medium", sz + 1, c->classification);
    expect_style(&b, t->cover_sheet, "F1", want);
    snprintf(want, sizeof want, "bold size=%g color=FF%06X v=center", sz + 4, c->title);
    expect_style(&b, t->instructions_sheet, "B1", want);

    xbook_close(&b);
    tk_template_free(t);
    tk_diags_free(&d);
    run_free(&r);
}

/* ---- follow-up at scale ---- */

/* Peak memory (KiB) of `tenken generate --year YEAR --kind KIND` run on
 * org in r. */
static long generate_peak_kib(run *r, const char *org, const char *year, const char *kind)
{
#ifdef _WIN32
    (void)r;
    (void)org;
    (void)year;
    (void)kind;
    return 0; /* not reached: the test is skipped there */
#else
    const char *bin = getenv("TENKEN") && *getenv("TENKEN") ? getenv("TENKEN") : "build/tenken";
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(bin, bin, "generate", "--org", org, "--year", year, "--kind", kind, "--out", r->dir, "--db", r->db, "-q",
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    assert_int_equal(wait4(pid, &status, 0, &ru), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    return ru.ru_maxrss;
#endif
}

/* A run with an organisation of ndep departments (tests/make_big_org.py)
 * in org, and its 2026 self-check campaign issued to one department. */
static void scale_campaign(run *r, char org[PATH_MAX], int ndep)
{
    run_init(r);
    snprintf(org, PATH_MAX, "%s/org", r->dir);
    assert_int_equal(sh("/usr/bin/python3 tests/make_big_org.py %s %d", org, ndep), 0);
    const char *one[] = {"0001"};
    assert_int_equal(generate(r, org, "self", false, 1, one, 1), TK_EXIT_OK);
}

/* peak[1] (4n departments) no more than 3 MB above peak[0] (n). Not
 * measured under AddressSanitizer, whose quarantine keeps what is freed. */
static void expect_flat(const long peak[2], const char *what, int n)
{
#if defined(__SANITIZE_ADDRESS__)
    (void)peak;
    (void)what;
    (void)n;
#else
    if (peak[1] > peak[0] + 3072)
        fail_msg("%s for %d departments peaked at %ld KiB, for %d at %ld KiB", what, 4 * n, peak[1], n, peak[0]);
#endif
}

/* Follow-up workbooks for 4N departments take no more memory than for N
 * (each department's open plans are read when its workbook is written, not
 * all at once), every department with open plans gets its workbook with
 * one row per plan, and the rows are recorded. */
static void test_generate_followup_memory_stays_flat(void **state)
{
    (void)state;
#ifdef _WIN32
    skip(); /* no fork or wait4: measured on Linux */
#endif
    enum { N = 20, PLANS = 40 };
    long peak[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        int ndep = k ? 4 * N : N;
        run r;
        char org[PATH_MAX];
        /* then PLANS open plans of about 2 KB each for every department */
        scale_campaign(&r, org, ndep);
        sqlite3 *h;
        assert_int_equal(sqlite3_open(r.db, &h), SQLITE_OK);
        tk_buf sql;
        tk_buf_init(&sql);
        tk_buf_printf(&sql,
            "WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < %d) "
            "INSERT INTO plan (campaign_id, department_code, item_id, origin, answer, content, owner, due, status, "
            " created_at, updated_at) "
            "SELECT ci.campaign_id, printf('%%04d', d.n), ci.item_id, 'answer', 'いいえ', "
            " replace(hex(zeroblob(100)), '00', '改善計画の内容 '), '担当者', '2027-03-31', 'not-started', "
            " '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z' "
            "FROM d, (SELECT campaign_id, item_id FROM campaign_item ORDER BY seq LIMIT %d) ci",
            ndep, PLANS);
        assert_int_equal(sqlite3_exec(h, sql.data, NULL, NULL, NULL), SQLITE_OK);
        tk_buf_free(&sql);
        sqlite3_close(h);

        peak[k] = generate_peak_kib(&r, org, "2026", "followup");
        char q[256];
        snprintf(q, sizeof q,
                 "SELECT COUNT(*) FROM workbook w JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'followup'");
        assert_int_equal(db_count(r.db, q), ndep);
        snprintf(q, sizeof q,
                 "SELECT COUNT(*) FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                 "JOIN campaign c ON c.id = w.campaign_id WHERE c.kind = 'followup' AND wi.plan_id > 0");
        assert_int_equal(db_count(r.db, q), (long)ndep * PLANS);
        run_free(&r);
    }
    /* with every plan held at once it grew by some 8 MB */
    expect_flat(peak, "follow-up", N);
}

/* ---- the second year at scale ---- */

/* Last year's record for every department of org: a workbook, a submission
 * answering every item with "CODE:ITEM:" and some 300 bytes more, and
 * PLANS open plans of about 2 KB ("CODE/ITEM " first) on the first items. */
static void record_last_year(run *r, int ndep, int plans)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(r->db, &h), SQLITE_OK);
    tk_buf sql;
    tk_buf_init(&sql);
    tk_buf_printf(&sql,
        "INSERT INTO workbook (campaign_id, department_code, token, file, items, sha256, created_at) "
        "SELECT 1, code, 'token-' || code, code || '.xlsx', 0, '', '2026-06-01T00:00:00Z' FROM department "
        "WHERE campaign_id = 1 AND code NOT IN (SELECT department_code FROM workbook);"
        "INSERT INTO submission (workbook_id, sha256, file, received_at, answered, flagged) "
        "SELECT id, 'sha-' || department_code, department_code || '.xlsx', '2026-08-01T00:00:00Z', 0, 0 FROM workbook;"
        "INSERT INTO answer (submission_id, item_id, value) "
        "SELECT s.id, ci.item_id, w.department_code || ':' || ci.item_id || ':' || "
        " replace(hex(zeroblob(50)), '00', '実施している') "
        "FROM submission s JOIN workbook w ON w.id = s.workbook_id, campaign_item ci WHERE ci.campaign_id = 1;"
        "INSERT INTO plan (campaign_id, department_code, item_id, origin, answer, content, owner, due, status, "
        " created_at, updated_at) "
        "SELECT 1, d.code, ci.item_id, 'answer', 'いいえ', d.code || '/' || ci.item_id || ' ' || "
        " replace(hex(zeroblob(100)), '00', '改善計画の内容 '), '担当者', '2099-03-31', 'not-started', "
        " '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z' "
        "FROM department d, (SELECT item_id FROM campaign_item WHERE campaign_id = 1 ORDER BY seq LIMIT %d) ci "
        "WHERE d.campaign_id = 1",
        plans);
    char *err = NULL;
    if (sqlite3_exec(h, sql.data, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s", err);
    tk_buf_free(&sql);
    assert_int_equal(db_count(r->db, "SELECT COUNT(DISTINCT department_code) FROM workbook"), ndep);
    sqlite3_close(h);
}

/* Each row of every 2027 workbook shows its own department's answer of
 * last year and its plans, nobody else's; the cover counts the plans. */
static void check_last_year_shown(run *r, int ndep, int plans)
{
    sqlite3 *db = db_open(r->db);
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/shime/2027-self", r->dir);
    char planned_sql[256];
    snprintf(planned_sql, sizeof planned_sql,
             "SELECT COUNT(*) FROM (SELECT item_id FROM campaign_item WHERE campaign_id = 1 ORDER BY seq LIMIT %d) "
             "WHERE item_id = ?1",
             plans);
    size_t checked = 0;
    for (int k = 1; k <= ndep; k++) {
        char code[8], path[PATH_MAX + 64];
        snprintf(code, sizeof code, "%04d", k);
        snprintf(path, sizeof path, "%s/%s_部署%s.xlsx", pattern, code, code);
        xbook b;
        xbook_open(&b, path);
        identity id;
        identity_read(&b, &id);
        assert_string_equal(id.department_code, code);
        int pa = id.col[TK_COL_PREV_ANSWER], pp = id.col[TK_COL_PREV_PLAN];
        assert_true(pa >= 0 && pp >= 0);
        size_t planned = 0;
        for (size_t i = 0; i < id.nrows; i++) {
            const idrow *ir = &id.rows[i];
            xsheet *sh = xbook_sheet(&b, ir->sheet);
            assert_non_null(sh);
            char ref[16], want[256];
            cell_ref(ir->row, pa, ref);
            char *answer = cell_text(&b, sh, ref);
            snprintf(want, sizeof want, "%s:%s:", code, ir->item_id);
            if (!tk_str_starts(answer, want))
                fail_msg("%s %s!%s: last year's answer「%.40s」, expected「%s…」", path, ir->sheet, ref, answer, want);
            free(answer);
            cell_ref(ir->row, pp, ref);
            char *plan = cell_text(&b, sh, ref);
            bool has_plan = db_long(db, planned_sql, ir->item_id) > 0;
            snprintf(want, sizeof want, "【未着手・2099/3/31】%s/%s ", code, ir->item_id);
            if (has_plan ? !tk_str_starts(plan, want) || strchr(plan, '\n') : *plan != '\0')
                fail_msg("%s %s!%s: open plans「%.60s」, expected「%s」", path, ir->sheet, ref, plan,
                         has_plan ? want : "");
            planned += has_plan;
            free(plan);
        }
        for (size_t c = 0; c < id.ncover; c++)
            if (!strcmp(id.cover_keys[c], "carried-plans")) {
                xsheet *cover = xbook_sheet(&b, "表紙");
                char *t = cell_text(&b, cover, id.cover_cells[c]);
                char want[64];
                snprintf(want, sizeof want, "前年度以前から %zu 件", planned);
                if (!tk_str_starts(t, want))
                    fail_msg("%s 表紙!%s:「%s」, expected「%s…」", path, id.cover_cells[c], t, want);
                free(t);
            }
        assert_true(planned > 0 && planned <= (size_t)plans);
        identity_free(&id);
        xbook_close(&b);
        checked++;
    }
    assert_int_equal(checked, (size_t)ndep);
    sqlite3_close(db);
}

/* The next year's workbooks for 4N departments take no more memory than
 * for N (each department's answers and plans of earlier years are read
 * when its workbook is written, a batch of departments at a time, not all
 * at once), and every row shows its own department's answer and plans
 * (across the batches and the workers). */
static void test_generate_next_year_memory_stays_flat(void **state)
{
    (void)state;
#ifdef _WIN32
    skip(); /* no fork or wait4: measured on Linux */
#endif
    enum { N = 10, PLANS = 40 };
    long peak[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        int ndep = k ? 4 * N : N;
        run r;
        char org[PATH_MAX];
        scale_campaign(&r, org, ndep);
        record_last_year(&r, ndep, PLANS);
        peak[k] = generate_peak_kib(&r, org, "2027", "self");
        assert_int_equal(db_count(r.db, "SELECT COUNT(*) FROM workbook w JOIN campaign c ON c.id = w.campaign_id "
                                        "WHERE c.year = 2027"),
                         ndep);
        assert_int_equal(db_count(r.db, "SELECT COUNT(*) FROM workbook_item wi JOIN workbook w ON w.id = wi.workbook_id "
                                        "JOIN campaign c ON c.id = w.campaign_id WHERE c.year = 2027") > 100L * ndep,
                         1);
        if (k)
            check_last_year_shown(&r, ndep, PLANS);
        run_free(&r);
    }
    /* with every department's history held at once, 20 -> 80 departments
     * went from 27.9 to 67.5 MB; now the same within 0.1 MB */
    expect_flat(peak, "next year's generate", N);
}

static void test_sheet_names_follow_excel_rules(void **state)
{
    (void)state;
    tk_arena *a = tk_arena_new();
    const char *none[1] = {NULL};
    assert_string_equal(tk_xlsx_make_sheet_name(a, "対策基準 1 組織体制", none, 0), "対策基準 1 組織体制");
    assert_string_equal(tk_xlsx_make_sheet_name(a, "a[b]c:d*e?f/g\\h", none, 0), "a［b］c：d＊e？f／g＼h");
    assert_string_equal(tk_xlsx_make_sheet_name(a, "'quoted'", none, 0), "quoted");
    const char *n = tk_xlsx_make_sheet_name(a, "対策基準 8 業務委託と外部サービス（クラウドサービス）の利用とその他の事項", none, 0);
    assert_true(tk_xlsx_sheet_name_valid(n));
    assert_true(tk_str_ends(n, "…"));
    const char *taken[] = {"History2", "基本方針", "表紙"};
    assert_string_equal(tk_xlsx_make_sheet_name(a, "基本方針", taken, 3), "基本方針 (2)");
    assert_string_equal(tk_xlsx_make_sheet_name(a, "history", taken, 3), "history (2)");
    const char *t2[] = {"ABC"};
    assert_string_equal(tk_xlsx_make_sheet_name(a, "abc", t2, 1), "abc (2)");
    assert_false(tk_xlsx_sheet_name_valid("History"));
    assert_false(tk_xlsx_sheet_name_valid(""));
    assert_false(tk_xlsx_sheet_name_valid("a/b"));
    assert_false(tk_xlsx_sheet_name_valid("'a"));
    assert_false(tk_xlsx_sheet_name_valid("12345678901234567890123456789012"));
    assert_true(tk_xlsx_sheet_name_valid("1234567890123456789012345678901"));
    char col[4];
    tk_xlsx_col_name(0, col);
    assert_string_equal(col, "A");
    tk_xlsx_col_name(25, col);
    assert_string_equal(col, "Z");
    tk_xlsx_col_name(27, col);
    assert_string_equal(col, "AB");
    tk_arena_free(a);
}

/* The remembered line counts are those measured directly, for every item
 * text of a real checklist at every column width of the template, the
 * second time as the first; each text is measured once; past its bound the
 * memory forgets instead of growing. */
static void test_measure_remembers_the_lines_measured_directly(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_checklist *c = tk_checklist_load("checklists/shime/checklist.xml", "checklists", &d);
    assert_non_null(c);
    static const double widths[] = {6, 14.5, 30, 48, 61.25};
    static const double sizes[] = {9, 10, 11};
    tk_xlsx_measure *m = tk_xlsx_measure_new(0);
    size_t asked = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->nitems; i++)
            for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
                for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
                    const tk_item *it = &c->items[i];
                    assert_int_equal(tk_xlsx_measure_lines(m, it->text, widths[w], sizes[z]),
                                     tk_xlsx_cell_lines(it->text, widths[w], sizes[z]));
                    if (it->context)
                        assert_int_equal(tk_xlsx_measure_lines(m, it->context, widths[w], sizes[z]),
                                         tk_xlsx_cell_lines(it->context, widths[w], sizes[z]));
                    asked += pass == 0;
                }
    /* the second pass measured nothing again */
    size_t distinct = tk_xlsx_measure_count(m);
    assert_true(distinct >= asked / 2);
    assert_int_equal(tk_xlsx_measure_misses(m), distinct);
    /* a line feed and an empty text are texts like the others */
    assert_int_equal(tk_xlsx_measure_lines(m, "一行目\n二行目", 30, 10), tk_xlsx_cell_lines("一行目\n二行目", 30, 10));
    assert_int_equal(tk_xlsx_measure_lines(m, "", 30, 10), tk_xlsx_cell_lines("", 30, 10));
    assert_int_equal(tk_xlsx_measure_lines(NULL, "（禁則）、。", 3, 10), tk_xlsx_cell_lines("（禁則）、。", 3, 10));
    tk_xlsx_measure_free(m);

    /* bounded: 4 KiB of memory holds a few of these texts, never all */
    m = tk_xlsx_measure_new(4096);
    for (size_t i = 0; i < c->nitems; i++) {
        assert_int_equal(tk_xlsx_measure_lines(m, c->items[i].text, 30, 10), tk_xlsx_cell_lines(c->items[i].text, 30, 10));
        assert_true(tk_xlsx_measure_count(m) < 4096 / 8);
    }
    assert_true(tk_xlsx_measure_count(m) < c->nitems);
    tk_xlsx_measure_free(m);
    tk_checklist_free(c);
    tk_diags_free(&d);
}

static void test_item_text_hash_ignores_widths_and_spaces(void **state)
{
    (void)state;
    char a[65], b[65], c[65], d[65];
    tk_item_text_hash("ＩＤ を 管理する。", NULL, a);
    tk_item_text_hash("IDを管理する。", "", b);
    assert_string_equal(a, b);
    tk_item_text_hash("IDを管理する。", "次の事項を守る。", c);
    assert_string_not_equal(b, c);
    tk_item_text_hash("IDを管理しない。", NULL, d);
    assert_string_not_equal(b, d);
}

static void test_token_is_128_random_bits(void **state)
{
    (void)state;
    char t1[33], t2[33];
    assert_int_equal(tk_generate_token(t1), 0);
    assert_int_equal(tk_generate_token(t2), 0);
    assert_int_equal(strlen(t1), 32);
    assert_int_equal(strspn(t1, "0123456789abcdef"), 32);
    assert_string_not_equal(t1, t2);
}

static void test_store_migrates_and_refuses_what_is_not_its_own(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/sub/tenken.db", dir);
    tk_diags d;
    tk_diags_init(&d);
    tk_store *s = tk_store_open(path, &d);
    assert_non_null(s);
    assert_int_equal(tk_store_schema_version(s), TK_STORE_SCHEMA_VERSION);
    tk_store_close(s);
    s = tk_store_open(path, &d); /* again: nothing to do */
    assert_non_null(s);
    tk_store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *jm = db_text(db, "PRAGMA journal_mode", NULL, NULL);
    assert_string_equal(jm, "wal");
    free(jm);
    assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_null(tk_store_open(path, &d));
    assert_true(diags_mention(&d, "新しい版"));

    /* another application's database */
    snprintf(path, sizeof path, "%s/other.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(tk_store_open(path, &d));
    assert_true(diags_mention(&d, "tenken のデータベースではありません"));

    /* not a database at all */
    snprintf(path, sizeof path, "%s/text.db", dir);
    assert_int_equal(tk_file_write_atomic(path, "hello, this is not sqlite at all........................................"
                                                "..........................",
                                          90, false),
                     0);
    assert_null(tk_store_open(path, &d));
    tk_diags_free(&d);
    remove_tree(dir);
}

/* Whether SQLite's program for sql on db builds a table as it runs
 * (OpenEphemeral: an IN list of constants, made again at every run). */
static bool builds_table(sqlite3 *db, const char *sql)
{
    char q[1024];
    snprintf(q, sizeof q, "EXPLAIN %s", sql);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    bool found = false;
    while (sqlite3_step(st) == SQLITE_ROW)
        found |= !strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral");
    sqlite3_finalize(st);
    return found;
}

/* A plan's status is checked without a table made for every row written
 * (schema 8); a database of schema 7, with a plan in it, is brought to 8
 * when opened: the plan kept, the rule the same, the unused index gone. */
static void test_plan_status_check_costs_no_table_and_schema_7_migrates(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tenken.db", dir);
    tk_diags d;
    tk_diags_init(&d);
    tk_store *s = tk_store_open(path, &d);
    assert_non_null(s);
    tk_store_close(s);
    static const char *const writes[] = {
        "INSERT INTO plan (campaign_id, department_code, item_id, origin, content, status, created_at, updated_at) "
        "VALUES (1, '01', 'tk-1', 'answer', 'c', 'not-started', 'a', 'a')",
        "UPDATE plan SET status = 'done' WHERE id = 1",
    };
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (size_t i = 0; i < 2; i++)
        assert_false(builds_table(db, writes[i]));
    /* the same file as schema 7 wrote it: the CHECK with an IN list */
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO campaign (id, org, year, kind, checklist_hash, org_name, template, created_at) "
                                  "VALUES (1, 'o', 2026, 'self', 'h', 'o', 't', 'a');"
                                  "PRAGMA writable_schema = ON;"
                                  "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status = ''not-started'' OR "
                                  "status = ''in-progress'' OR status = ''done'' OR status = ''postponed'' OR "
                                  "status = ''risk-accepted'')', 'CHECK (status IN (''not-started'',''in-progress'',"
                                  "''done'',''postponed'',''risk-accepted''))') WHERE name = 'plan';"
                                  "PRAGMA writable_schema = OFF;"
                                  "CREATE INDEX plan_department_item ON plan(department_code, item_id);"
                                  "UPDATE meta SET value = '7' WHERE key = 'schema_version';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_true(builds_table(db, writes[0])); /* the cost as it was */
    assert_int_equal(sqlite3_exec(db, writes[0], NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    s = tk_store_open_mode(path, TK_STORE_WRITE, NULL, &d);
    assert_non_null(s);
    assert_int_equal(tk_store_schema_version(s), 8);
    tk_store_close(s);
    assert_int_equal(d.count, 0);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (size_t i = 0; i < 2; i++)
        assert_false(builds_table(db, writes[i]));
    char *v = db_text(db, "SELECT content || ' ' || status FROM plan", NULL, NULL);
    assert_string_equal(v, "c not-started");
    free(v);
    /* the index no query used is gone; the plan's own UNIQUE one serves */
    v = db_text(db, "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'plan'", NULL, NULL);
    assert_string_equal(v, "sqlite_autoindex_plan_1");
    free(v);
    v = db_text(db, "PRAGMA integrity_check", NULL, NULL);
    assert_string_equal(v, "ok");
    free(v);
    /* the rule is the same: every status, and nothing else */
    static const char *const statuses[] = {"not-started", "in-progress", "done", "postponed", "risk-accepted"};
    for (size_t i = 0; i < 5; i++) {
        char u[128];
        snprintf(u, sizeof u, "UPDATE plan SET status = '%s'", statuses[i]);
        assert_int_equal(sqlite3_exec(db, u, NULL, NULL, NULL), SQLITE_OK);
    }
    assert_int_equal(sqlite3_exec(db, "UPDATE plan SET status = 'closed'", NULL, NULL, NULL), SQLITE_CONSTRAINT);
    sqlite3_close(db);
    tk_diags_free(&d);
    remove_tree(dir);
}

/* s with the first `from` replaced by `to` (caller frees). */
static char *replace_once(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    assert_non_null(p);
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_append(&b, s, (size_t)(p - s));
    tk_buf_puts(&b, to);
    tk_buf_puts(&b, p + strlen(from));
    return tk_buf_steal(&b);
}

static void test_template_problems_name_the_line(void **state)
{
    (void)state;
    tk_buf src;
    assert_int_equal(tk_file_read("templates/self.xml", 1 << 20, &src), 0);
    /* an unknown placeholder and a duplicate answer */
    char *a = replace_once(src.data, "{fiscal-year}　情報セキュリティ自己点検票", "{nendo}　情報セキュリティ自己点検票");
    char *b = replace_once(a, "<answer value=\"実施していない\"", "<answer value=\"実施している\"");
    char *dir = make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/self.xml", dir);
    assert_int_equal(tk_file_write_atomic(path, b, strlen(b), false), 0);
    tk_diags d;
    tk_diags_init(&d);
    assert_null(tk_template_load(path, "templates", &d));
    if (!diags_mention(&d, "{nendo}") || !diags_mention(&d, "重複"))
        print_diags(&d);
    assert_true(diags_mention(&d, "{nendo}"));
    assert_true(diags_mention(&d, "重複"));
    for (size_t i = 0; i < d.count; i++) {
        assert_string_equal(d.items[i].file, path);
        assert_true(d.items[i].line > 0);
    }
    tk_diags_free(&d);

    /* a template that breaks the schema is refused with the schema's reason */
    char *c = replace_once(src.data, "<scale>", "<scale><bogus/>");
    assert_int_equal(tk_file_write_atomic(path, c, strlen(c), true), 0);
    tk_diags_init(&d);
    assert_null(tk_template_load(path, "templates", &d));
    assert_true(d.errors > 0);
    tk_diags_free(&d);
    free(a);
    free(b);
    free(c);
    tk_buf_free(&src);
    remove_tree(dir);
}

static void test_template_holds_points_and_negative_answers(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_template *t = tk_template_load("templates/self.xml", "templates", &d);
    assert_non_null(t);
    const tk_tpl_answer *a = tk_template_answer(t, "一部実施している");
    assert_non_null(a);
    assert_true(a->points == 0.5 && a->negative && !a->excluded);
    a = tk_template_answer(t, "該当しない");
    assert_true(a && a->excluded && !a->negative);
    assert_string_equal(t->classification, "自治体機密性2");
    tk_template_free(t);
    t = tk_template_load("templates/audit.xml", "templates", &d);
    assert_non_null(t);
    a = tk_template_answer(t, "適合");
    assert_true(a && a->points == 1 && !a->negative);
    /* the graded scale: 適合 / 観察事項 / 軽微な不適合 / 重大な不適合 / 該当なし */
    assert_int_equal(t->nanswers, 5);
    a = tk_template_answer(t, "観察事項");
    assert_true(a && a->points > 0.5 && a->points < 1 && !a->negative);
    a = tk_template_answer(t, "軽微な不適合");
    assert_true(a && a->points == 0.5 && a->negative);
    a = tk_template_answer(t, "重大な不適合");
    assert_true(a && a->points == 0 && a->negative);
    assert_true(tk_template_answer(t, "該当なし")->excluded);
    /* 是正確認: one value closes a finding */
    assert_int_equal(t->nconfirms, 3);
    assert_true(tk_template_confirm(t, "是正済み")->closes);
    assert_false(tk_template_confirm(t, "一部是正")->closes);
    assert_false(tk_template_confirm(t, "未是正")->closes);
    tk_template_free(t);
    assert_int_equal(d.errors, 0);
    tk_diags_free(&d);
}

/* The command line: refusing without --force is exit code 1 with a message. */
static void test_cli_refuses_existing_campaign(void **state)
{
    (void)state;
    const char *tenken = getenv("TENKEN");
    if (!tenken || !*tenken)
        skip();
    char *dir = make_tmpdir();
    char cmd[2 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "%s generate --org ogasawara --year 2026 --out %s --db %s/t.db -q 2>%s/err", tenken, dir,
             dir, dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
    char err[PATH_MAX];
    snprintf(err, sizeof err, "%s/err", dir);
    tk_buf b;
    assert_int_equal(tk_file_read(err, 1 << 20, &b), 0);
    assert_non_null(strstr(b.data, "--force"));
    tk_buf_free(&b);
    remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_self_workbooks_hold_the_departments_items),
        cmocka_unit_test(test_generate_audit_workbooks_use_the_audit_template),
        cmocka_unit_test(test_generate_every_sample_org_and_kind),
        cmocka_unit_test(test_generate_cuts_large_parts_into_chapter_sheets),
        cmocka_unit_test(test_generate_workbooks_fit_their_text_and_colours_agree),
        cmocka_unit_test(test_generate_refuses_an_existing_campaign_without_force),
        cmocka_unit_test(test_generate_force_revokes_the_replaced_tokens),
        cmocka_unit_test(test_generate_distribution_list_opens_in_excel),
        cmocka_unit_test(test_generate_file_names_are_safe_on_windows),
        cmocka_unit_test(test_generate_leaves_no_temporary_files),
        cmocka_unit_test(test_generate_stops_cleanly_when_interrupted),
        cmocka_unit_test(test_generate_reports_bad_options),
        cmocka_unit_test(test_generate_formats_follow_the_template),
        cmocka_unit_test(test_generate_followup_memory_stays_flat),
        cmocka_unit_test(test_generate_next_year_memory_stays_flat),
        cmocka_unit_test(test_sheet_names_follow_excel_rules),
        cmocka_unit_test(test_measure_remembers_the_lines_measured_directly),
        cmocka_unit_test(test_item_text_hash_ignores_widths_and_spaces),
        cmocka_unit_test(test_token_is_128_random_bits),
        cmocka_unit_test(test_store_migrates_and_refuses_what_is_not_its_own),
        cmocka_unit_test(test_plan_status_check_costs_no_table_and_schema_7_migrates),
        cmocka_unit_test(test_template_problems_name_the_line),
        cmocka_unit_test(test_template_holds_points_and_negative_answers),
        cmocka_unit_test(test_cli_refuses_existing_campaign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
