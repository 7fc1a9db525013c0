/* cmd_generate.c — tenken generate: issue the workbooks of a campaign. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenken/cli.h"
#include "tenken/generate.h"
#include "tenken/text.h"
#include "tenken/util.h"

typedef struct progress_state {
    bool shown;
} progress_state;

/* One line on the terminal, rewritten in place. */
static void show_progress(void *user, size_t done, size_t total, const char *department)
{
    progress_state *p = user;
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_printf(&b, "\r点検票を作成中 %zu/%zu ", done, total);
    size_t width = 30;
    tk_buf lab;
    tk_buf_init(&lab);
    tk_buf_puts(&lab, department);
    if (tk_text_width(lab.data) > width)
        width = tk_text_width(lab.data);
    tk_text_pad(&b, lab.data, width);
    fputs(b.data, stderr);
    fflush(stderr);
    tk_buf_free(&lab);
    tk_buf_free(&b);
    p->shown = true;
}

int tk_cmd_generate(const tk_command *c, int argc, char **argv)
{
    enum { OPT_YEAR = 1000, OPT_KIND, OPT_DEADLINE, OPT_DEPARTMENT, OPT_OUT, OPT_DB, OPT_TEMPLATE, OPT_FORCE, OPT_JOBS, OPT_ORG, OPT_ROSTER, OPT_SPLIT };
    static const struct option longopts[] = {
        {"org", required_argument, NULL, OPT_ORG},
        {"year", required_argument, NULL, OPT_YEAR},
        {"kind", required_argument, NULL, OPT_KIND},
        {"deadline", required_argument, NULL, OPT_DEADLINE},
        {"department", required_argument, NULL, OPT_DEPARTMENT},
        {"out", required_argument, NULL, OPT_OUT},
        {"db", required_argument, NULL, OPT_DB},
        {"template", required_argument, NULL, OPT_TEMPLATE},
        {"force", no_argument, NULL, OPT_FORCE},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {"roster", required_argument, NULL, OPT_ROSTER},
        {"split", required_argument, NULL, OPT_SPLIT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    tk_generate_opts o;
    memset(&o, 0, sizeof o);
    const char *out = NULL, *db = NULL;
    bool quiet = false, have_year = false;
    const char **deps = tk_xcalloc((size_t)argc + 1, sizeof *deps);
    size_t ndeps = 0;
    int ch, bad = 0, rc;
    long v;
    while ((ch = tk_cli_getopt(c, argc, argv, "qh", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'h':
            tk_cli_print_usage(c, stdout);
            free(deps);
            return TK_EXIT_OK;
        case 'q':
            quiet = true;
            break;
        case OPT_ORG:
            o.org = optarg;
            break;
        case OPT_YEAR:
            if (!tk_parse_int(optarg, 1868, 9999, &v)) {
                free(deps);
                return tk_cli_usage_error(c, "年度 (--year)「%s」は 2026 のように西暦の数字で指定してください", optarg);
            }
            o.year = (int)v;
            have_year = true;
            break;
        case OPT_KIND:
            if (strcmp(optarg, "self") && strcmp(optarg, "audit") && strcmp(optarg, "followup") && strcmp(optarg, "staff")) {
                free(deps);
                return tk_cli_usage_error(c,
                                          "種類 (--kind)「%s」は使えません。self (自己点検)、audit (監査)、followup (改善計画の進捗確認)、"
                                          "staff (職員セルフチェック) のいずれかを指定してください",
                                          optarg);
            }
            o.kind = optarg;
            break;
        case OPT_ROSTER:
            o.roster = optarg;
            break;
        case OPT_SPLIT:
            if (strcmp(optarg, "role") != 0) {
                free(deps);
                return tk_cli_usage_error(c, "--split「%s」は使えません。--split role (部署の役割ごとに点検票を分ける) を指定してください", optarg);
            }
            o.split_role = true;
            break;
        case OPT_DEADLINE:
            o.deadline = optarg;
            break;
        case OPT_DEPARTMENT:
            deps[ndeps++] = optarg;
            break;
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_DB:
            db = optarg;
            break;
        case OPT_TEMPLATE:
            o.template_path = optarg;
            break;
        case OPT_FORCE:
            o.force = true;
            break;
        case OPT_JOBS:
            if (!tk_parse_int(optarg, 1, 8, &v)) {
                free(deps);
                return tk_cli_usage_error(c, "--jobs「%s」は 1 から 8 までの数で指定してください", optarg);
            }
            o.jobs = (int)v;
            break;
        default:
            break;
        }
    }
    if (bad) {
        free(deps);
        return TK_EXIT_USAGE;
    }
    if (optind < argc) {
        free(deps);
        return tk_cli_usage_error(c, "余分な引数「%s」があります", argv[optind]);
    }
    if (!o.org) {
        free(deps);
        return tk_cli_usage_error(c, "組織を --org ID で指定してください");
    }
    if (!have_year) {
        free(deps);
        return tk_cli_usage_error(c, "年度を --year 2026 のように指定してください");
    }
    o.departments = deps;
    o.ndepartments = ndeps;
    o.out_dir = tk_cli_out_dir(out);
    o.db_path = tk_cli_db_path(db);
    progress_state ps = {false};
    if (!quiet && isatty(STDERR_FILENO)) {
        o.progress = show_progress;
        o.progress_user = &ps;
    }

    tk_diags diags;
    tk_diags_init(&diags);
    tk_generate_result res;
    rc = tk_generate_run(&o, &diags, &res);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    tk_diags_print(&diags, stderr);
    if (rc == TK_EXIT_OK) {
        if (!quiet) {
            char revoked[128] = "";
            if (res.revoked)
                snprintf(revoked, sizeof revoked, "。以前に配布した %zu 件のトークンは無効にしました", res.revoked);
            /* a follow-up's rows are remediation plans; a staff round's workbooks are people's */
            const char *rows = o.kind && !strcmp(o.kind, "followup") ? "改善計画" : "項目";
            char stamped[160] = "";
            if (res.stamped)
                snprintf(stamped, sizeof stamped, "。うち %zu 冊は同じ形の %zu 冊の原本から差し込みで作成", res.stamped,
                         res.masters);
            const char *whose = o.kind && !strcmp(o.kind, "staff") ? "人" : o.split_role ? "部署・役割" : "部署";
            printf("generate: %s %s — %zu %sの%s票 (%s 計 %zu) を %s/ に作成しました (%.2f 秒、%d プロセス%s)。"
                   "配布一覧: %s%s\n",
                   res.org_name, res.fy_label, res.nworkbooks, whose, res.kind_name, rows, res.items, res.dir, res.seconds,
                   res.jobs, stamped, res.distribution, revoked);
        }
        tk_generate_result_free(&res);
    } else {
        fprintf(stderr, "generate: 点検票を作成しませんでした (問題 %zu 件)。ファイルとデータベースは変更していません\n",
                diags.errors);
    }
    tk_diags_free(&diags);
    free(deps);
    return rc;
}
