/* cli.c — shared command-line conventions. */
#include "tenken/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/util.h"

const char TK_EXIT_CODES_HELP[] = "終了コード:\n"
                                  "  0  成功\n"
                                  "  1  入力に問題が見つかった (内容はメッセージのとおり)\n"
                                  "  2  コマンドの使い方の誤り\n"
                                  "  3  入出力の失敗または内部エラー\n";

int tk_cli_usage_error(const tk_command *c, const char *fmt, ...)
{
    fprintf(stderr, "tenken %s: ", c->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n詳しくは tenken %s --help を参照してください。\n", c->name);
    return TK_EXIT_USAGE;
}

void tk_cli_print_usage(const tk_command *c, FILE *out)
{
    fputs(c->usage, out);
    fputc('\n', out);
    fputs(TK_EXIT_CODES_HELP, out);
}

int tk_cli_getopt(const tk_command *c, int argc, char **argv, const char *shortopts, const struct option *longopts,
                  int *bad)
{
    opterr = 0;
    int ch = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (ch == '?' || ch == ':') {
        if (optopt) {
            const char *need = NULL;
            for (const char *p = shortopts; *p; p++)
                if (*p == optopt && p[1] == ':')
                    need = "値が必要です";
            for (const struct option *o = longopts; o && o->name; o++)
                if (o->val == optopt && o->has_arg == required_argument)
                    need = "値が必要です";
            if (need)
                tk_cli_usage_error(c, "オプション「%s」には%s", argv[optind - 1], need);
            else
                tk_cli_usage_error(c, "オプション -%c は使えません", optopt);
        } else {
            tk_cli_usage_error(c, "オプション「%s」は使えません", argv[optind - 1]);
        }
        *bad = 1;
    }
    return ch;
}

/* The shared options: their long names, and the values getopt gives them
 * (above every character, so that a command's own options may be letters). */
#define SHARED_VAL 0x1000
static const struct {
    unsigned bit;
    const char *name;
    int has_arg;
    int val; /* its short form, or SHARED_VAL + its bit's index */
} SHARED[] = {
    {TK_CLI_ORG, "org", required_argument, SHARED_VAL + 0},
    {TK_CLI_YEAR, "year", required_argument, SHARED_VAL + 1},
    {TK_CLI_DB, "db", required_argument, SHARED_VAL + 2},
    {TK_CLI_FORMAT, "format", required_argument, SHARED_VAL + 3},
    {TK_CLI_OUTPUT, "output", required_argument, 'o'},
    {TK_CLI_FORCE, "force", no_argument, SHARED_VAL + 5},
    {TK_CLI_QUIET, "quiet", no_argument, 'q'},
    {TK_CLI_KIND, "kind", required_argument, SHARED_VAL + 7},
    {TK_CLI_DEPARTMENT, "department", required_argument, SHARED_VAL + 8},
    {TK_CLI_DATE, "date", required_argument, SHARED_VAL + 9},
    {TK_CLI_STATUS, "status", required_argument, SHARED_VAL + 10},
};
#define NSHARED (sizeof SHARED / sizeof SHARED[0])
#define MAX_OWN 24

/* The shared option val stands for, stored in o; false when val is not one. */
static bool shared_option(const tk_command *c, unsigned common, int val, const char *arg, tk_cli_opts *o, int *rc)
{
    unsigned bit = 0;
    for (size_t i = 0; i < NSHARED; i++)
        if (SHARED[i].val == val && (common & SHARED[i].bit))
            bit = SHARED[i].bit;
    switch (bit) {
    case 0: return false;
    case TK_CLI_ORG: o->org = arg; break;
    case TK_CLI_YEAR: *rc = tk_cli_parse_year(c, arg, &o->year); break;
    case TK_CLI_DB: o->db = arg; break;
    case TK_CLI_FORMAT: o->format = arg; break;
    case TK_CLI_OUTPUT: o->output = arg; break;
    case TK_CLI_FORCE: o->force = true; break;
    case TK_CLI_QUIET: o->quiet = true; break;
    case TK_CLI_KIND: o->kind = arg; break;
    case TK_CLI_DEPARTMENT: o->department = arg; break;
    case TK_CLI_DATE: o->date = arg; break;
    case TK_CLI_STATUS: o->status = arg; break;
    }
    return true;
}

int tk_cli_parse(const tk_command *c, int argc, char **argv, unsigned common, const char *shortopts, const struct option *own,
                 tk_cli_option_fn fn, void *user, tk_cli_opts *o)
{
    struct option longopts[NSHARED + MAX_OWN + 2];
    size_t n = 0;
    for (size_t i = 0; i < NSHARED; i++)
        if (common & SHARED[i].bit)
            longopts[n++] = (struct option){SHARED[i].name, SHARED[i].has_arg, NULL, SHARED[i].val};
    for (size_t k = 0; own && own[k].name && k < MAX_OWN; k++)
        longopts[n++] = own[k];
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    char shorts[64];
    snprintf(shorts, sizeof shorts, "h%s%s%s", common & TK_CLI_OUTPUT ? "o:" : "", common & TK_CLI_QUIET ? "q" : "",
             shortopts ? shortopts : "");
    int ch, bad = 0, rc = TK_EXIT_OK;
    while (rc == TK_EXIT_OK && (ch = tk_cli_getopt(c, argc, argv, shorts, longopts, &bad)) != -1 && !bad) {
        if (ch == 'h') {
            tk_cli_print_usage(c, stdout);
            return TK_CLI_HELP;
        }
        if (!shared_option(c, common, ch, optarg, o, &rc) && fn)
            rc = fn(c, ch, optarg, user);
    }
    return rc != TK_EXIT_OK ? rc : bad ? TK_EXIT_USAGE : TK_EXIT_OK;
}

const char *tk_cli_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("TENKEN_DB");
    if (env && *env)
        return env;
    return "out/tenken.db";
}

tk_store *tk_cli_open_store(const char *db_opt, enum tk_store_mode mode, int *rc)
{
    tk_diags d;
    tk_diags_init(&d);
    enum tk_store_fault fault;
    tk_store *st = tk_store_open_mode(tk_cli_db_path(db_opt), mode, &fault, &d);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    *rc = st ? TK_EXIT_OK : fault == TK_STORE_MISSING || fault == TK_STORE_NOT_OURS ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
    return st;
}

const char *tk_cli_out_dir(const char *opt) { return opt && *opt ? opt : "out"; }

int tk_cli_parse_year(const tk_command *c, const char *arg, long *year)
{
    if (tk_parse_int(arg, 1868, 9999, year))
        return TK_EXIT_OK;
    return tk_cli_usage_error(c, "--year「%s」は年度 (西暦、例: 2026) ではありません", arg);
}

const char *tk_cli_org_id(const char *org)
{
    size_t n = strlen(org);
    while (n > 1 && org[n - 1] == '/')
        n--;
    size_t start = 0;
    for (size_t i = 0; i < n; i++)
        if (org[i] == '/')
            start = i + 1;
    if (start == 0 && n == strlen(org))
        return org;
    /* a path: its last name, kept in a small rotating buffer */
    static char buf[4][256];
    static int k;
    char *b = buf[k++ & 3];
    snprintf(b, sizeof buf[0], "%.*s", (int)(n - start), org + start);
    return b;
}
