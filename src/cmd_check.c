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

static int check_one(const char *path, tk_diags *diags, size_t *files)
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
            tk_checklist_check_rules(c, org, diags);
            tk_checklist_free(c);
        }
    }
    tk_org_free(org);
    tk_arena_free(a);
    return 0;
}

int tk_cmd_check(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch, bad = 0;
    while ((ch = tk_cli_getopt(c, argc, argv, "h", longopts, &bad)) != -1 && !bad) {
        if (ch == 'h') {
            tk_cli_print_usage(c, stdout);
            return TK_EXIT_OK;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (optind >= argc)
        return tk_cli_usage_error(c, "検証するフォルダまたはファイルを指定してください");
    tk_diags diags;
    tk_diags_init(&diags);
    size_t files = 0;
    for (int i = optind; i < argc; i++)
        check_one(argv[i], &diags, &files);
    tk_diags_print(&diags, stdout);
    int rc = diags.errors ? TK_EXIT_INPUT : TK_EXIT_OK;
    if (diags.errors)
        printf("check: %zu ファイル中に問題が %zu 件あります\n", files, diags.errors);
    else
        printf("check: %zu ファイルに問題はありません%s\n", files, diags.warnings ? " (警告あり)" : "");
    tk_diags_free(&diags);
    return rc;
}

