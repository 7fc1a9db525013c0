/* cmd_score.c — tenken score: scores by department, chapter, role, item or
 * level, as text, CSV or JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/cli.h"
#include "tenken/results.h"
#include "tenken/score.h"
#include "tenken/store.h"
#include "tenken/text.h"
#include "tenken/util.h"

/* Shared by score and report: --org/--year/--kind/--db parsed and the
 * campaign loaded. */
int tk_cli_load_results(const tk_command *c, const char *org, long year, const char *kind, const char *db, tk_results **out)
{
    *out = NULL;
    if (!org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
    if (!year)
        return tk_cli_usage_error(c, "--year で年度を指定してください (例: --year 2026)");
    if (strcmp(kind, "self") && strcmp(kind, "audit") && strcmp(kind, "staff"))
        return tk_cli_usage_error(c, "--kind は self、audit、staff のいずれかです (「%s」)", kind);
    org = tk_cli_org_id(org);
    const char *dbp = tk_cli_db_path(db);
    int open_rc;
    tk_store *st = tk_cli_open_store(dbp, TK_STORE_READ, &open_rc);
    if (!st)
        return open_rc;
    tk_diags d;
    tk_diags_init(&d);
    int rc = tk_results_load(st, org, (int)year, kind, out, &d);
    tk_store_close(st);
    if (rc < 0) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        return TK_EXIT_FAILURE;
    }
    tk_diags_free(&d);
    if (rc == 0) {
        fprintf(stderr, "tenken %s: %s の %ld 年度 (%s) の点検は記録にありません (%s)\n", c->name, org, year, kind, dbp);
        return TK_EXIT_INPUT;
    }
    return TK_EXIT_OK;
}

static void json_str(tk_buf *b, const char *s)
{
    tk_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            tk_buf_putc(b, '\\');
            tk_buf_putc(b, (char)*p);
        } else if (*p < 0x20) {
            tk_buf_printf(b, "\\u%04x", *p);
        } else {
            tk_buf_putc(b, (char)*p);
        }
    }
    tk_buf_putc(b, '"');
}

static char *zu(size_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%zu", v);
    return tk_xstrdup(b);
}

typedef struct row {
    const char *group, *code;
    tk_tally t;
} row;

/* --by GROUP, as given */
static int by_option(const tk_command *c, int opt, const char *arg, void *user)
{
    (void)c;
    (void)opt;
    *(const char **)user = arg;
    return TK_EXIT_OK;
}

int tk_cmd_score(const tk_command *c, int argc, char **argv)
{
    static const struct option own[] = {{"by", required_argument, NULL, 'b'}, {NULL, 0, NULL, 0}};
    tk_cli_opts o = {.kind = "self", .format = "text"};
    const char *bys = "department";
    int rc = tk_cli_parse(c, argc, argv, TK_CLI_ORG | TK_CLI_YEAR | TK_CLI_KIND | TK_CLI_FORMAT | TK_CLI_DB, NULL, own, by_option,
                          &bys, &o);
    if (rc != TK_EXIT_OK)
        return rc == TK_CLI_HELP ? TK_EXIT_OK : rc;
    const char *format = o.format;
    enum tk_group_by by;
    if (!tk_group_by_parse(bys, &by))
        return tk_cli_usage_error(c, "--by は department、chapter、role、item、level のいずれかです (「%s」)", bys);
    if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json"))
        return tk_cli_usage_error(c, "--format は text、csv、json のいずれかです (「%s」)", format);
    tk_results *r;
    rc = tk_cli_load_results(c, o.org, o.year, o.kind, o.db, &r);
    if (rc != TK_EXIT_OK)
        return rc;
    tk_group *g;
    tk_tally total;
    size_t n = tk_results_group(r, by, &g, &total);
    row *rows = tk_xcalloc(n + 1, sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = (row){g[i].label, g[i].code, g[i].tally};
    rows[n] = (row){"全体", "", total};
    tk_buf out;
    tk_buf_init(&out);
    char s1[16], s2[16];
    /* one decimal everywhere; an empty or null figure when there is none */
    char ***cells = tk_xcalloc(n + 1, sizeof *cells);
    for (size_t i = 0; i <= n; i++) {
        double sc = tk_tally_score(&rows[i].t), ar = tk_tally_answer_rate(&rows[i].t);
        cells[i] = tk_xcalloc(7, sizeof **cells);
        cells[i][0] = tk_xstrdup(rows[i].group);
        cells[i][1] = tk_xstrdup(rows[i].code);
        cells[i][2] = tk_xstrdup(tk_fmt1(sc, s1));
        cells[i][3] = zu(rows[i].t.answered);
        cells[i][4] = zu(tk_tally_applicable(&rows[i].t));
        cells[i][5] = tk_xstrdup(tk_fmt1(ar, s2));
        cells[i][6] = zu(rows[i].t.negative);
        if (strcmp(format, "text")) {
            for (int k = 2; k <= 5; k += 3)
                if (!strcmp(cells[i][k], "—")) {
                    free(cells[i][k]);
                    cells[i][k] = tk_xstrdup(!strcmp(format, "json") ? "null" : "");
                }
        }
    }
    if (!strcmp(format, "csv")) {
        static const char *const cols[] = {"group", "code", "score", "answered", "applicable", "answer_rate", "negative"};
        tk_csv_row(&out, 7, cols);
        for (size_t i = 0; i <= n; i++) {
            /* numbers unquoted, names quoted */
            tk_csv_field(&out, cells[i][0]);
            tk_buf_putc(&out, ',');
            tk_csv_field(&out, cells[i][1]);
            tk_buf_printf(&out, ",%s,%s,%s,%s,%s\r\n", cells[i][2], cells[i][3], cells[i][4], cells[i][5], cells[i][6]);
        }
    } else if (!strcmp(format, "json")) {
        tk_buf_puts(&out, "[\n");
        for (size_t i = 0; i <= n; i++) {
            tk_buf_puts(&out, "  {\"group\": ");
            json_str(&out, cells[i][0]);
            tk_buf_puts(&out, ", \"code\": ");
            json_str(&out, cells[i][1]);
            tk_buf_printf(&out, ", \"score\": %s, \"answered\": %s, \"applicable\": %s, \"answer_rate\": %s, \"negative\": %s}%s\n",
                          cells[i][2], cells[i][3], cells[i][4], cells[i][5], cells[i][6], i < n ? "," : "");
        }
        tk_buf_puts(&out, "]\n");
    } else {
        static const char *const heads[] = {"グループ", "コード", "得点", "回答", "対象", "回答率(%)", "否定的回答"};
        static const bool right[] = {false, false, true, true, true, true, true};
        const char *kind_label = !strcmp(o.kind, "audit") ? "監査" : !strcmp(o.kind, "staff") ? "職員セルフチェック" : "自己点検";
        tk_buf_printf(&out, "%s (%s) %ld 年度 %s — 得点 = 100 × Σ(重み × 点) ÷ Σ(重み)、回答済みで「該当しない」以外の項目\n",
                      r->org_name, r->org, o.year, kind_label);
        tk_text_table(&out, 7, heads, (char *const *const *)cells, n + 1, right);
    }
    for (size_t i = 0; i <= n; i++) {
        for (int k = 0; k < 7; k++)
            free(cells[i][k]);
        free(cells[i]);
    }
    free(cells);
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    tk_buf_free(&out);
    free(rows);
    free(g);
    tk_results_free(r);
    return TK_EXIT_OK;
}
