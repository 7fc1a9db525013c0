/* cmd_audit.c — tenken audit plan: record the year's audit plan (who audits
 * which department), refusing assignments that break independence, and show
 * the rotation over the cycle of years. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/audit_plan.h"
#include "tenken/checklist.h"
#include "tenken/cli.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/workpaper.h"
#include "tenken/xmlutil.h"

typedef struct audit_args {
    tk_cli_opts o; /* --org, --year, --db, --force, --quiet */
    const char *auditors;
    long cycle;
} audit_args;

/* audit plan's own options: --auditors FILE, --cycle 年数 */
static int plan_option(const tk_command *c, int opt, const char *arg, void *user)
{
    audit_args *a = user;
    if (opt == 'a')
        a->auditors = arg;
    else if (opt == 'c' && !tk_parse_int(arg, 1, 10, &a->cycle))
        return tk_cli_usage_error(c, "--cycle は 1 から 10 までの年数です (「%s」)", arg);
    return TK_EXIT_OK;
}

static int parse_args(const tk_command *c, int argc, char **argv, audit_args *a)
{
    static const struct option own[] = {
        {"auditors", required_argument, NULL, 'a'}, {"cycle", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};
    return tk_cli_parse(c, argc, argv, TK_CLI_ORG | TK_CLI_YEAR | TK_CLI_DB | TK_CLI_FORCE | TK_CLI_QUIET, NULL, own, plan_option,
                        a, &a->o);
}

/* The plan by department, with the rotation over the cycle. */
static void print_plan(const tk_org *org, const tk_audit_plan *p, const char **years, int year, int cycle)
{
    tk_buf out;
    tk_buf_init(&out);
    static const char *const HEADS[] = {"部署コード", "部署", "監査人", "監査の年度 (周期内)"};
    char ***rows = tk_xcalloc(org->ndepartments ? org->ndepartments : 1, sizeof *rows);
    size_t planned = 0;
    tk_buf missed;
    tk_buf_init(&missed);
    for (size_t i = 0; i < org->ndepartments; i++) {
        const tk_department *dep = &org->departments[i];
        const char *who = tk_audit_plan_auditors_of(p, dep->code);
        planned += who != NULL;
        rows[i] = tk_xcalloc(4, sizeof **rows);
        rows[i][0] = tk_xstrdup(dep->code);
        rows[i][1] = tk_xstrdup(dep->name);
        rows[i][2] = tk_xstrdup(who ? who : "—");
        rows[i][3] = tk_xstrdup(*years[i] ? years[i] : "—");
        if (!*years[i])
            tk_buf_printf(&missed, "%s%s %s", missed.len ? "、" : "", dep->code, dep->name);
    }
    tk_text_table(&out, 4, HEADS, (char *const *const *)rows, org->ndepartments, NULL);
    tk_buf_printf(&out, "audit: %d 年度の監査計画を記録しました (監査人 %zu 人、被監査部署 %zu / %zu)\n", year, p->nauditors,
                  planned, org->ndepartments);
    if (missed.len)
        tk_buf_printf(&out, "audit: 警告: %d〜%d 年度の監査計画で一度も監査されない部署があります: %s\n", year - cycle + 1, year,
                      missed.data);
    fwrite(out.data, 1, out.len, stdout);
    for (size_t i = 0; i < org->ndepartments; i++) {
        for (int k = 0; k < 4; k++)
            free(rows[i][k]);
        free(rows[i]);
    }
    free(rows);
    tk_buf_free(&missed);
    tk_buf_free(&out);
}

static int cmd_plan(const tk_command *c, int argc, char **argv)
{
    audit_args a = {.cycle = 3};
    int rc = parse_args(c, argc, argv, &a);
    if (rc != TK_EXIT_OK)
        return rc == TK_CLI_HELP ? TK_EXIT_OK : rc;
    if (!a.o.org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
    if (!a.o.year)
        return tk_cli_usage_error(c, "--year で監査の年度を指定してください (2026 など)");
    if (!a.auditors)
        return tk_cli_usage_error(c, "--auditors で監査人の一覧 (CSV) を指定してください");
    tk_arena *ar = tk_arena_new();
    tk_diags d;
    tk_diags_init(&d);
    tk_org *org = NULL;
    tk_audit_plan *p = NULL;
    tk_store *st = NULL;
    const char *dir = tk_org_dir(ar, a.o.org);
    if (!dir) {
        tk_diag_error(&d, a.o.org, 0, "組織「%s」のフォルダが見つかりません。checklists/%s/ に org.xml を置くか、フォルダのパスを指定してください",
                      a.o.org, a.o.org);
        rc = TK_EXIT_INPUT;
        goto done;
    }
    org = tk_org_load(tk_path_join(ar, dir, "org.xml"), tk_data_path(ar, "checklists"), &d);
    if (!org || d.errors) {
        rc = TK_EXIT_INPUT;
        goto done;
    }
    p = tk_audit_plan_read(a.auditors, org, (int)a.o.year, &d);
    if (!p) {
        tk_diag_add(&d, TK_SEV_ERROR, a.auditors, 0, NULL, "監査計画に問題があるため、何も記録しませんでした");
        rc = TK_EXIT_INPUT;
        goto done;
    }
    /* the plan goes into the database of the campaigns it is for: a
     * mistyped --db must not make a new one (only generate does) */
    st = tk_cli_open_store(a.o.db, TK_STORE_WRITE, &rc);
    if (!st)
        goto done;
    rc = tk_audit_plan_record(st, p, a.o.force, &d);
    if (rc == TK_EXIT_OK && !a.o.quiet) {
        const char **years = NULL;
        if (tk_audit_rotation(st, org, (int)a.o.year, (int)a.cycle, ar, &years, &d) == 0)
            print_plan(org, p, years, (int)a.o.year, (int)a.cycle);
    }
done:
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    tk_store_close(st);
    tk_audit_plan_free(p);
    tk_org_free(org);
    tk_arena_free(ar);
    return rc;
}

int tk_cmd_audit(const tk_command *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "plan"))
        return cmd_plan(c, argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        tk_cli_print_usage(c, stdout);
        return TK_EXIT_OK;
    }
    return tk_cli_usage_error(c, "tenken audit plan --org ID --year 年度 --auditors FILE.csv の形で指定してください");
}

/* tenken export audit: the 監査調書 (workpaper.h). */
int tk_cmd_export_audit(const tk_command *c, int argc, char **argv)
{
    tk_cli_opts o = {.format = "csv"};
    int rc = tk_cli_parse(c, argc, argv, TK_CLI_ORG | TK_CLI_YEAR | TK_CLI_FORMAT | TK_CLI_OUTPUT | TK_CLI_DB | TK_CLI_FORCE, NULL,
                          NULL, NULL, NULL, &o);
    if (rc != TK_EXIT_OK)
        return rc == TK_CLI_HELP ? TK_EXIT_OK : rc;
    const char *org = o.org, *format = o.format, *output = o.output;
    long year = o.year;
    if (!org || !year)
        return tk_cli_usage_error(c, "--org と --year で監査の調査を指定してください");
    bool xlsx = !strcmp(format, "xlsx");
    if (!xlsx && strcmp(format, "csv"))
        return tk_cli_usage_error(c, "--format は csv か xlsx です (「%s」)", format);
    if (xlsx && !output)
        return tk_cli_usage_error(c, "xlsx は -o FILE で書き出し先を指定してください");
    const char *dbp = tk_cli_db_path(o.db);
    tk_store *st = tk_cli_open_store(dbp, TK_STORE_READ, &rc);
    if (!st)
        return rc;
    tk_diags d;
    tk_diags_init(&d);
    tk_workpaper w;
    memset(&w, 0, sizeof w);
    int found = tk_workpaper_load(st, tk_cli_org_id(org), (int)year, &w, &d);
    tk_store_close(st);
    rc = found < 0 ? TK_EXIT_FAILURE : TK_EXIT_OK;
    if (found == 0) {
        tk_diag_error(&d, dbp, 0, "%s の %ld 年度の監査の記録がありません (tenken generate --kind audit で監査票を作ってください)",
                      tk_cli_org_id(org), year);
        rc = TK_EXIT_INPUT;
    }
    if (rc == TK_EXIT_OK && xlsx) {
        rc = tk_workpaper_xlsx(&w, output, o.force, &d);
    } else if (rc == TK_EXIT_OK) {
        tk_buf out;
        tk_buf_init(&out);
        tk_workpaper_csv(&w, &out);
        if (!output)
            fwrite(out.data, 1, out.len, stdout);
        else if (tk_file_write_atomic(output, out.data, out.len, o.force) != 0) {
            rc = errno == EEXIST ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
            tk_diag_error(&d, output, 0, errno == EEXIST ? "ファイルが既にあります。上書きするには --force を指定してください" : "書き出せません: %s",
                          strerror(errno));
        }
        tk_buf_free(&out);
    }
    if (rc == TK_EXIT_OK && output)
        printf("export: 監査調書 %zu 行を %s に書き出しました\n", w.n, output);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    tk_workpaper_free(&w);
    return rc;
}
