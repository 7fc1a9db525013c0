/* cmd_review.c — tenken review: the review workbook of a derived checklist,
 * and its decisions written back into checklist.xml (--apply). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenken/checklist.h"
#include "tenken/cli.h"
#include "tenken/derive.h"
#include "tenken/review.h"
#include "tenken/store.h"
#include "tenken/template.h"
#include "tenken/util.h"
#include "tenken/xmlutil.h"

#define KIND_UNPLACED "義務文が項目になっていない"
#define KIND_UNCLASSIFIED "分類できない行"

/* Re-run derive in memory on the checklist's source text for the lines it
 * could not place. Returns false (and *note says why) when the text is not
 * there; the lines and their strings live in a. */
static bool review_lines(tk_arena *a, const char *dir, const tk_checklist *cl, const tk_org *org, tk_review_line **out,
                         size_t *n, const char **note)
{
    *out = NULL;
    *n = 0;
    if (!cl->source || !*cl->source) {
        *note = "checklist.xml に元のポリシーのファイル (source) が記録されていないため、derive が項目にできなかった行を示せません";
        return false;
    }
    const char *src = cl->source[0] == '/' ? cl->source : tk_path_join(a, dir, cl->source);
    tk_buf raw;
    if (tk_file_read(src, 16u * 1024u * 1024u, &raw) != 0) {
        *note = tk_arena_printf(a, "元のポリシー %s を読めないため (%s)、derive が項目にできなかった行を示せません", src, strerror(errno));
        return false;
    }
    tk_derive_opts opts = {.org_id = cl->org, .name = cl->name, .source_name = cl->source, .org = org};
    tk_derive_report rep;
    memset(&rep, 0, sizeof rep);
    tk_diags d;
    tk_diags_init(&d);
    tk_checklist *again = tk_derive(raw.data, raw.len, src, &opts, &rep, &d);
    size_t total = rep.nunplaced + rep.nunclassified;
    tk_review_line *v = tk_arena_alloc(a, (total ? total : 1) * sizeof *v);
    for (size_t i = 0; i < rep.nunplaced; i++)
        v[(*n)++] = (tk_review_line){rep.unplaced[i].line, KIND_UNPLACED, tk_arena_strdup(a, rep.unplaced[i].text)};
    for (size_t i = 0; i < rep.nunclassified; i++)
        v[(*n)++] = (tk_review_line){rep.unclassified[i].line, KIND_UNCLASSIFIED, tk_arena_strdup(a, rep.unclassified[i].text)};
    /* in the order of the policy */
    for (size_t i = 1; i < *n; i++)
        for (size_t k = i; k > 0 && v[k - 1].line > v[k].line; k--) {
            tk_review_line t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    *out = v;
    if (!again)
        *note = tk_arena_printf(a, "元のポリシー %s を derive で読み直せませんでした", src);
    tk_checklist_free(again);
    tk_derive_report_free(&rep);
    tk_diags_free(&d);
    tk_buf_free(&raw);
    return again != NULL;
}

static void today_iso(char out[16])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static int write_workbook(const char *org_arg, const char *dir, tk_checklist *cl, tk_org *org, const char *output, const char *out_dir, bool force,
                          bool quiet, tk_arena *a, tk_diags *diags)
{
    const char *path = output ? output
                              : tk_path_join(a, tk_path_join(a, tk_path_join(a, tk_cli_out_dir(out_dir), cl->org), "review"),
                                             tk_arena_printf(a, "点検項目確認_%s.xlsx", cl->org));
    if (!force && tk_file_exists(path)) {
        fprintf(stderr, "%s: 既に存在します。作り直すには --force を指定してください\n", path);
        return TK_EXIT_INPUT;
    }
    tk_review_line *lines = NULL;
    size_t nlines = 0;
    const char *note = NULL;
    if (!review_lines(a, dir, cl, org, &lines, &nlines, &note))
        fprintf(stderr, "tenken review: %s (確認用ブックは作ります)\n", note);
    tk_diags tdiags;
    tk_diags_init(&tdiags);
    tk_template *style = tk_template_load(tk_data_path(a, "templates/self.xml"), tk_data_path(a, "templates"), &tdiags);
    tk_diags_free(&tdiags);
    char now[32];
    tk_store_now(now);
    tk_review_spec spec = {.checklist = cl, .org = org, .lines = lines, .nlines = nlines, .lines_note = note, .created_at = now,
                           .style = style};
    int rc = TK_EXIT_OK;
    char *tmp = NULL;
    if (tk_mkdirs(tk_path_dirname(a, path)) != 0 || !(tmp = tk_file_tmp_beside(a, path))) {
        fprintf(stderr, "%s: 書き出せません: %s\n", path, strerror(errno));
        rc = TK_EXIT_FAILURE;
    } else if (tk_review_write(&spec, tmp, diags) != 0) {
        remove(tmp);
        rc = TK_EXIT_FAILURE;
    } else if (tk_file_commit(tmp, path, force) != 0) {
        if (errno == EEXIST) {
            fprintf(stderr, "%s: 既に存在します。作り直すには --force を指定してください\n", path);
            rc = TK_EXIT_INPUT;
        } else {
            fprintf(stderr, "%s: 書き出せません: %s\n", path, strerror(errno));
            rc = TK_EXIT_FAILURE;
        }
    }
    tk_template_free(style);
    if (rc == TK_EXIT_OK && !quiet) {
        size_t reviewed = 0, out = 0;
        for (size_t i = 0; i < cl->nitems; i++) {
            reviewed += cl->items[i].reviewed;
            out += cl->items[i].out_of_scope;
        }
        printf("review: %s に %zu 項目 (確認済み %zu、対象外 %zu) と要確認の行 %zu を書き出しました\n", path, cl->nitems, reviewed, out, nlines);
        printf("  色の付いたセル (役割・点検対象・重み・確認) を直したら、tenken review --org %s --apply %s で checklist.xml に反映します\n",
               org_arg, path);
    }
    return rc;
}

static int apply_workbook(tk_checklist *cl, tk_org *org, const char *file, const char *schemas, bool quiet, tk_arena *a,
                          tk_diags *diags)
{
    char today[16];
    today_iso(today);
    tk_review_result res;
    if (tk_review_apply(cl, org, file, today, &res, diags) != 0)
        return diags->errors ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
    /* write beside, check the result as tenken check would, then keep the
     * old file as checklist.xml.bak and put the new one in place */
    const char *path = cl->path;
    tk_buf xml;
    tk_checklist_to_xml(cl, &xml);
    char *tmp = tk_file_tmp_beside(a, path);
    FILE *f = tmp ? fopen(tmp, "wb") : NULL;
    if (!f || fwrite(xml.data, 1, xml.len, f) != xml.len || fclose(f) != 0) {
        fprintf(stderr, "%s: 書き出せません: %s\n", path, strerror(errno));
        if (tmp)
            remove(tmp);
        tk_buf_free(&xml);
        return TK_EXIT_FAILURE;
    }
    tk_buf_free(&xml);
    tk_diags check;
    tk_diags_init(&check);
    tk_checklist *again = tk_checklist_load(tmp, schemas, &check);
    if (again)
        tk_checklist_check_rules(again, org, &check);
    bool ok = again && check.errors == 0 && !strcmp(again->hash, cl->hash);
    tk_checklist_free(again);
    if (!ok) {
        tk_diags_print(&check, stderr);
        fprintf(stderr, "%s: 反映した結果が検証を通らないため、書き出しませんでした (内部エラー)\n", path);
        tk_diags_free(&check);
        remove(tmp);
        return TK_EXIT_FAILURE;
    }
    tk_diags_free(&check);
    tk_buf old;
    tk_buf_init(&old);
    const char *bak = tk_arena_printf(a, "%s.bak", path);
    if (tk_file_read(path, TK_XML_MAX_BYTES, &old) != 0 || tk_file_write_atomic(bak, old.data, old.len, true) != 0 ||
        tk_file_commit(tmp, path, true) != 0) {
        fprintf(stderr, "%s: 書き出せません: %s\n", path, strerror(errno));
        remove(tmp);
        tk_buf_free(&old);
        return TK_EXIT_FAILURE;
    }
    tk_buf_free(&old);
    if (!quiet) {
        printf("review: %s に反映しました (%zu 項目、前の版は %s)\n", path, res.items, bak);
        printf("  役割を変更 %zu、対象外 %zu、重みを変更 %zu、変更なし %zu", res.roles_changed, res.scope_out, res.weight_changed, res.unchanged);
        if (res.scope_in)
            printf("、対象に戻した %zu", res.scope_in);
        if (res.confirmed)
            printf("、確認済みにした %zu", res.confirmed);
        printf("\n");
    }
    return TK_EXIT_OK;
}

int tk_cmd_review(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {{"org", required_argument, NULL, 'g'},   {"output", required_argument, NULL, 'o'},
                                             {"out", required_argument, NULL, 'O'},   {"apply", required_argument, NULL, 'a'},
                                             {"force", no_argument, NULL, 'f'},       {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *org = NULL, *output = NULL, *out_dir = NULL, *apply = NULL;
    bool force = false, quiet = false;
    int ch, bad = 0;
    while ((ch = tk_cli_getopt(c, argc, argv, "o:qh", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'g': org = optarg; break;
        case 'o': output = optarg; break;
        case 'O': out_dir = optarg; break;
        case 'a': apply = optarg; break;
        case 'f': force = true; break;
        case 'q': quiet = true; break;
        case 'h': tk_cli_print_usage(c, stdout); return TK_EXIT_OK;
        default: break;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (optind < argc)
        return tk_cli_usage_error(c, "余分な引数があります: %s", argv[optind]);
    if (!org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
    if (apply && output)
        return tk_cli_usage_error(c, "--apply と -o は一緒に使えません");

    tk_arena *a = tk_arena_new();
    tk_diags diags;
    tk_diags_init(&diags);
    tk_org *orgm = NULL;
    tk_checklist *cl = NULL;
    int rc = TK_EXIT_OK;
    const char *dir = tk_org_dir(a, org);
    const char *schemas = tk_data_path(a, "checklists");
    if (!dir) {
        fprintf(stderr, "tenken review: 組織「%s」のフォルダがありません (checklists/%s/ またはフォルダのパスを指定してください)\n", org, org);
        rc = TK_EXIT_INPUT;
        goto done;
    }
    const char *cl_path = tk_path_join(a, dir, "checklist.xml");
    const char *org_path = tk_path_join(a, dir, "org.xml");
    if (!tk_file_exists(cl_path) || !tk_file_exists(org_path)) {
        fprintf(stderr, "%s: checklist.xml と org.xml が必要です。tenken derive で作成してください\n", dir);
        rc = TK_EXIT_INPUT;
        goto done;
    }
    orgm = tk_org_load(org_path, schemas, &diags);
    cl = orgm ? tk_checklist_load(cl_path, schemas, &diags) : NULL;
    if (cl)
        tk_checklist_check_rules(cl, orgm, &diags);
    if (!orgm || !cl || diags.errors) {
        tk_diags_print(&diags, stderr);
        fprintf(stderr, "tenken review: checklist.xml または org.xml に問題があります。tenken check %s で確かめて直してください\n", dir);
        rc = TK_EXIT_INPUT;
        goto done;
    }
    tk_diags_free(&diags);
    tk_diags_init(&diags);
    if (apply)
        rc = apply_workbook(cl, orgm, apply, schemas, quiet, a, &diags);
    else
        rc = write_workbook(org, dir, cl, orgm, output, out_dir, force, quiet, a, &diags);
    tk_diags_print(&diags, stderr);
    if (apply && rc == TK_EXIT_INPUT)
        fprintf(stderr, "%s: 問題が %zu 件あるため、%s は変更していません\n", apply, diags.errors, cl_path);
done:
    tk_checklist_free(cl);
    tk_org_free(orgm);
    tk_diags_free(&diags);
    tk_arena_free(a);
    return rc;
}
