/* cmd_check.c — tenken check: validate checklist.xml and org.xml. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/checklist.h"
#include "tenken/cli.h"
#include "tenken/derive.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/xmlutil.h"

/* --routing: how many items each department receives (by the roles it
 * holds), and the items no department receives. */
static void print_routing(const tk_checklist *c, const tk_org *org)
{
    tk_arena *a = tk_arena_new();
    static const char *const heads[] = {"コード", "部署", "項目数", "担う役割"};
    static const bool right[] = {false, false, true, false};
    char *const **rows = tk_arena_alloc(a, (org->ndepartments ? org->ndepartments : 1) * sizeof *rows);
    for (size_t d = 0; d < org->ndepartments; d++) {
        const tk_department *dep = &org->departments[d];
        size_t n = 0;
        for (size_t i = 0; i < c->nitems; i++)
            n += tk_item_applies(&c->items[i], dep);
        tk_buf roles;
        tk_buf_init(&roles);
        for (size_t k = 0; k < dep->nholds; k++)
            tk_buf_printf(&roles, "%s%s", k ? "、" : "", dep->holds[k]);
        char **row = tk_arena_alloc(a, 4 * sizeof *row);
        row[0] = tk_arena_strdup(a, dep->code);
        row[1] = tk_arena_strdup(a, dep->name);
        row[2] = tk_arena_printf(a, "%zu", n);
        row[3] = tk_arena_strdup(a, roles.data ? roles.data : "");
        tk_buf_free(&roles);
        rows[d] = row;
    }
    tk_buf out;
    tk_buf_init(&out);
    tk_buf_printf(&out, "%s: %zu 項目の配付先 (部署が担う役割による)\n", c->path ? c->path : c->org, c->nitems);
    tk_text_table(&out, 4, heads, rows, org->ndepartments, right);
    /* items no department receives: their roles are held by none */
    size_t orphans = 0, out_of_scope = 0;
    tk_buf roles;
    tk_buf_init(&roles);
    tk_strmap seen = {0};
    for (size_t i = 0; i < c->nitems; i++) {
        const tk_item *it = &c->items[i];
        if (it->out_of_scope) {
            out_of_scope++;
            continue;
        }
        bool any = false;
        for (size_t d = 0; d < org->ndepartments && !any; d++)
            any = tk_item_applies(it, &org->departments[d]);
        if (any)
            continue;
        orphans++;
        for (size_t k = 0; k < it->nroles; k++) {
            bool existed;
            tk_strmap_put(&seen, it->roles[k], "", &existed);
            if (!existed)
                tk_buf_printf(&roles, "%s%s", roles.len ? "、" : "", it->roles[k]);
        }
    }
    if (orphans)
        tk_buf_printf(&out, "どの部署にも配られない項目: %zu (役割: %s。org.xml でいずれかの部署に持たせてください)\n", orphans,
                      roles.data);
    if (out_of_scope)
        tk_buf_printf(&out, "点検対象外 (tenken review で対象外にした項目): %zu\n", out_of_scope);
    tk_buf_free(&roles);
    tk_strmap_free(&seen);
    fputs(out.data, stdout);
    tk_buf_free(&out);
    tk_arena_free(a);
}

static int check_one(const char *path, tk_diags *diags, size_t *files, bool routing)
{
    tk_arena *a = tk_arena_new();
    const char *schemas = tk_data_path(a, "checklists");
    const char *cl_path = NULL, *org_path = NULL;
    if (tk_str_ends(path, ".xml")) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        const char *dir = tk_path_dirname(a, path);
        if (!strcmp(base, "org.xml")) {
            org_path = path;
        } else {
            cl_path = path;
            const char *o = tk_path_join(a, dir, "org.xml");
            if (tk_file_exists(o))
                org_path = o;
        }
    } else {
        const char *dir = tk_org_dir(a, path);
        if (!dir) {
            tk_diag_error(diags, path, 0, "組織のフォルダまたは XML ファイルが見つかりません");
            tk_arena_free(a);
            return -1;
        }
        cl_path = tk_path_join(a, dir, "checklist.xml");
        org_path = tk_path_join(a, dir, "org.xml");
        if (!tk_file_exists(cl_path)) {
            tk_diag_error(diags, cl_path, 0, "checklist.xml がありません。tenken derive で作成してください");
            cl_path = NULL;
        }
        if (!tk_file_exists(org_path)) {
            tk_diag_error(diags, org_path, 0, "org.xml がありません。役割と部署を定義してください");
            org_path = NULL;
        }
    }
    tk_org *org = NULL;
    if (org_path) {
        (*files)++;
        org = tk_org_load(org_path, schemas, diags);
        if (org)
            tk_org_check_rules(org, diags);
    }
    if (cl_path) {
        (*files)++;
        tk_checklist *c = tk_checklist_load(cl_path, schemas, diags);
        if (c) {
            size_t before = diags->errors;
            tk_checklist_check_rules(c, org, diags);
            if (routing && org && diags->errors == before)
                print_routing(c, org);
            tk_checklist_free(c);
        }
    }
    tk_org_free(org);
    tk_arena_free(a);
    return 0;
}

int tk_cmd_check(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"routing", no_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch, bad = 0;
    bool routing = false;
    while ((ch = tk_cli_getopt(c, argc, argv, "h", longopts, &bad)) != -1 && !bad) {
        if (ch == 'h') {
            tk_cli_print_usage(c, stdout);
            return TK_EXIT_OK;
        }
        if (ch == 'r')
            routing = true;
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (optind >= argc)
        return tk_cli_usage_error(c, "検証するフォルダまたはファイルを指定してください");
    tk_diags diags;
    tk_diags_init(&diags);
    size_t files = 0;
    for (int i = optind; i < argc; i++)
        check_one(argv[i], &diags, &files, routing);
    tk_diags_print(&diags, stdout);
    int rc = diags.errors ? TK_EXIT_INPUT : TK_EXIT_OK;
    if (diags.errors)
        printf("check: %zu ファイル中に問題が %zu 件あります\n", files, diags.errors);
    else
        printf("check: %zu ファイルに問題はありません%s\n", files, diags.warnings ? " (警告あり)" : "");
    tk_diags_free(&diags);
    return rc;
}

