/* main.c — the tenken command: subcommands, options, help, exit codes. */
#include <errno.h>
#include <getopt.h>
#include <libxml/parser.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenken/checklist.h"
#include "tenken/derive.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/xmlutil.h"

#define TENKEN_VERSION "0.1.0"

static const char EXIT_CODES[] =
    "終了コード:\n"
    "  0  成功\n"
    "  1  入力に問題が見つかった (内容はメッセージのとおり)\n"
    "  2  コマンドの使い方の誤り\n"
    "  3  入出力の失敗または内部エラー\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage;
} command;

static int cmd_derive(int argc, char **argv);
static int cmd_check(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const command COMMANDS[] = {
    {"derive", cmd_derive, "ポリシーの本文から点検項目 (checklist.xml) を作る",
     "使い方: tenken derive POLICY.txt --org ID [--name 組織名] [-o FILE] [--previous OLD.xml] [--force]\n"
     "\n"
     "情報セキュリティポリシー (基本方針・対策基準) のテキストを読み、条項ごとに一つの点検項目を\n"
     "作って checklists/ID/checklist.xml に書き出します。文字コードは UTF-8 (BOM 可)、BOM 付き\n"
     "UTF-16、Shift_JIS (CP932) を自動判別します。書き出したあと、節の数、義務の種類別・役割別の\n"
     "項目数、役割に対応付けられなかった主体、項目にできなかった義務文を表示します。\n"
     "checklists/ID/org.xml がなければ、見つかった役割を載せた org.xml の案を書き出します。\n"
     "\n"
     "  --org ID         組織の ID (checklists/ID/) またはフォルダのパス\n"
     "  --name 組織名    組織の名称 (checklist.xml に記録)\n"
     "  -o, --output F   書き出し先 (既定: checklists/ID/checklist.xml)\n"
     "  --previous OLD   前年度の checklist.xml。本文が同じ項目は番号が変わっても同じ id を保ちます\n"
     "  --force          既存のファイルを上書きする\n"
     "  -q, --quiet      確認用の要約を表示しない\n"},
    {"check", cmd_check, "checklist.xml と org.xml を検証する",
     "使い方: tenken check PATH...\n"
     "\n"
     "PATH は組織のフォルダ (checklists/ID)、checklist.xml、org.xml のいずれかです。スキーマ\n"
     "(checklists/checklist.rng, checklists/org.rng) と、スキーマでは書けない規則 (id と ref の重複、\n"
     "未定義の役割、全部署が担う役割の漏れ など) を検証し、問題をすべて FILE:LINE: の形で表示します。\n"},
    {"help", cmd_help, "使い方を表示する", "使い方: tenken help [SUBCOMMAND]\n"},
    {"version", cmd_version, "版を表示する", "使い方: tenken version\n"},
};

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(COMMANDS[i].name, name))
            return &COMMANDS[i];
    return NULL;
}

static void print_overview(FILE *out)
{
    fputs("tenken (点検) — 情報セキュリティポリシーの自己点検・監査を支援するツール\n\n"
          "使い方: tenken SUBCOMMAND [OPTION]...\n\nサブコマンド:\n",
          out);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        tk_buf b;
        tk_buf_init(&b);
        tk_buf_puts(&b, "  ");
        tk_text_pad(&b, COMMANDS[i].name, 10);
        tk_buf_puts(&b, COMMANDS[i].summary);
        fprintf(out, "%s\n", b.data);
        tk_buf_free(&b);
    }
    fputs("\n共通のオプション: --org ID (組織)、--db FILE (データベース、既定 out/tenken.db または\n"
          "環境変数 TENKEN_DB)、--out DIR (出力先、既定 out/)。各サブコマンドの詳細は\n"
          "tenken SUBCOMMAND --help を参照してください。\n\n",
          out);
    fputs(EXIT_CODES, out);
}

static void print_usage(const command *c, FILE *out)
{
    fputs(c->usage, out);
    fputc('\n', out);
    fputs(EXIT_CODES, out);
}

static int usage_error(const command *c, const char *fmt, const char *arg)
{
    fprintf(stderr, "tenken %s: ", c->name);
    fprintf(stderr, fmt, arg ? arg : "");
    fprintf(stderr, "\n詳しくは tenken %s --help を参照してください。\n", c->name);
    return TK_EXIT_USAGE;
}

/* getopt_long with Japanese messages: opterr off, we report ourselves. */
static int next_opt(const command *c, int argc, char **argv, const char *shortopts, const struct option *longopts,
                    int *bad)
{
    int ch = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (ch == '?') {
        const char *o = argv[optind - 1];
        if (optopt)
            usage_error(c, "オプション -%s は使えないか、値が必要です", (char[]){(char)optopt, 0});
        else
            usage_error(c, "オプション「%s」は使えないか、値が必要です", o);
        *bad = 1;
    }
    return ch;
}

/* ------------------------------------------------------------------ */

static void print_review(const tk_checklist *c, const tk_derive_report *rep, const char *out_path)
{
    printf("derive: %s に %zu 項目を書き出しました (%zu 行、%s、節 %zu)\n", out_path, c->nitems, rep->lines,
           rep->encoding ? rep->encoding : "UTF-8", rep->sections);
    printf("  除いた行: 目次 %zu、ページ番号 %zu、繰り返しのヘッダ・フッタ %zu。つないだ改行: %zu\n", rep->dropped_toc,
           rep->dropped_pages, rep->dropped_headers, rep->joined);
    static const enum tk_level levels[] = {TK_LEVEL_MUST, TK_LEVEL_MUST_NOT, TK_LEVEL_SHOULD, TK_LEVEL_DECLARE};
    printf("  義務の種類別:");
    for (size_t i = 0; i < 4; i++)
        printf(" %s %zu", tk_level_label(levels[i]), rep->by_level[levels[i]]);
    printf("\n  役割別:\n");
    /* count items per role, in the order roles were found, then the rest */
    size_t nr = 0;
    const char **names = tk_xcalloc(c->nitems * 4 + rep->nroles + 1, sizeof *names);
    size_t *counts = tk_xcalloc(c->nitems * 4 + rep->nroles + 1, sizeof *counts);
    for (size_t i = 0; i < rep->nroles; i++)
        names[nr++] = rep->role_names[i];
    for (size_t i = 0; i < c->nitems; i++) {
        for (size_t k = 0; k < c->items[i].nroles; k++) {
            size_t j = 0;
            while (j < nr && strcmp(names[j], c->items[i].roles[k]))
                j++;
            if (j == nr)
                names[nr++] = c->items[i].roles[k];
            counts[j]++;
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < nr; i++)
        if (tk_text_width(names[i]) > w)
            w = tk_text_width(names[i]);
    for (size_t i = 0; i < nr; i++) {
        tk_buf b;
        tk_buf_init(&b);
        tk_buf_puts(&b, "    ");
        tk_text_pad(&b, names[i], w);
        tk_buf_printf(&b, " %5zu", counts[i]);
        puts(b.data);
        tk_buf_free(&b);
    }
    free(names);
    free(counts);
    if (rep->fallback_roles)
        printf("  主体が書かれていない %zu 項目は「%s」に割り当てました (要確認)\n", rep->fallback_roles,
               rep->fallback_role);
    if (rep->kept_previous || rep->kept_previous_ref)
        printf("  前回の checklist から引き継いだ id: 本文一致 %zu、同じ条項番号で文言変更 %zu\n", rep->kept_previous,
               rep->kept_previous_ref);
    if (rep->nunmapped) {
        printf("  役割に対応付けられなかった主体 (要確認: org.xml に役割か別名を追加してください):\n");
        for (size_t i = 0; i < rep->nunmapped; i++)
            printf("    %ld 行目: %s\n", rep->unmapped[i].line, rep->unmapped[i].text);
    }
    if (rep->nunplaced) {
        printf("  項目にできなかった義務文 (要確認):\n");
        for (size_t i = 0; i < rep->nunplaced; i++)
            printf("    %ld 行目: %s\n", rep->unplaced[i].line, rep->unplaced[i].text);
    }
}

static int cmd_derive(int argc, char **argv)
{
    const command *c = find_command("derive");
    static const struct option longopts[] = {{"org", required_argument, NULL, 'g'},  {"name", required_argument, NULL, 'n'},
                                             {"output", required_argument, NULL, 'o'}, {"previous", required_argument, NULL, 'p'},
                                             {"force", no_argument, NULL, 'f'},       {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *org = NULL, *name = NULL, *output = NULL, *previous = NULL;
    bool force = false, quiet = false;
    int ch, bad = 0;
    while ((ch = next_opt(c, argc, argv, "o:qh", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'g': org = optarg; break;
        case 'n': name = optarg; break;
        case 'o': output = optarg; break;
        case 'p': previous = optarg; break;
        case 'f': force = true; break;
        case 'q': quiet = true; break;
        case 'h': print_usage(c, stdout); return TK_EXIT_OK;
        default: break;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (optind >= argc)
        return usage_error(c, "ポリシーのテキストファイルを指定してください%s", "");
    if (optind + 1 < argc)
        return usage_error(c, "ポリシーのファイルは一つだけ指定してください (余分な引数: %s)", argv[optind + 1]);
    if (!org)
        return usage_error(c, "--org で組織の ID を指定してください%s", "");
    const char *policy = argv[optind];

    tk_arena *a = tk_arena_new();
    int rc = TK_EXIT_OK;
    tk_diags diags;
    tk_diags_init(&diags);
    tk_org *orgm = NULL;
    tk_checklist *prev = NULL, *cl = NULL;
    tk_derive_report rep;
    memset(&rep, 0, sizeof rep);
    tk_buf raw;
    tk_buf_init(&raw);

    const char *dir = tk_org_dir(a, org);
    bool org_is_path = strchr(org, '/') != NULL;
    if (!dir) {
        if (org_is_path) {
            dir = org;
        } else {
            const char *base = getenv("TENKEN_CHECKLISTS");
            dir = tk_path_join(a, base && *base ? base : "checklists", org);
        }
    }
    const char *org_id = org;
    if (org_is_path) {
        const char *slash = strrchr(org, '/');
        while (slash && slash[1] == '\0' && slash > org) {
            /* trailing slash: take the folder name before it */
            const char *p = slash - 1;
            while (p > org && *p != '/')
                p--;
            org_id = tk_arena_strndup(a, *p == '/' ? p + 1 : p, (size_t)(slash - (*p == '/' ? p + 1 : p)));
            slash = NULL;
        }
        if (slash)
            org_id = slash + 1;
    }
    const char *out_path = output ? output : tk_path_join(a, dir, "checklist.xml");
    const char *org_path = tk_path_join(a, dir, "org.xml");
    const char *schemas = tk_data_path(a, "checklists");

    if (!force && tk_file_exists(out_path)) {
        fprintf(stderr, "%s: 既に存在します。上書きするには --force を指定してください\n", out_path);
        rc = TK_EXIT_INPUT;
        goto done;
    }
    if (tk_file_exists(org_path)) {
        orgm = tk_org_load(org_path, schemas, &diags);
        if (!orgm) {
            tk_diags_print(&diags, stderr);
            fprintf(stderr, "%s: 読み込めないため役割の対応付けに使えません。直してから再実行してください\n", org_path);
            rc = TK_EXIT_INPUT;
            goto done;
        }
    }
    if (previous) {
        prev = tk_checklist_load(previous, schemas, &diags);
        if (!prev) {
            tk_diags_print(&diags, stderr);
            rc = TK_EXIT_INPUT;
            goto done;
        }
    }
    if (tk_file_read(policy, 16u * 1024u * 1024u, &raw) != 0) {
        if (errno == EFBIG)
            fprintf(stderr, "%s: ファイルが大きすぎます (上限 16 MiB)\n", policy);
        else
            fprintf(stderr, "%s: 読めません: %s\n", policy, strerror(errno));
        rc = errno == EFBIG ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
        goto done;
    }
    const char *base = strrchr(policy, '/');
    tk_derive_opts opts = {
        .org_id = org_id,
        .name = name,
        .source_name = base ? base + 1 : policy,
        .org = orgm,
        .previous = prev,
    };
    cl = tk_derive(raw.data, raw.len, policy, &opts, &rep, &diags);
    if (!cl) {
        tk_diags_print(&diags, stderr);
        rc = diags.errors ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
        goto done;
    }
    tk_buf xml;
    tk_checklist_to_xml(cl, &xml);
    char *outdir = tk_path_dirname(a, out_path);
    if (tk_mkdirs(outdir) != 0 || tk_file_write_atomic(out_path, xml.data, xml.len, force) != 0) {
        fprintf(stderr, "%s: 書き出せません: %s\n", out_path, strerror(errno));
        tk_buf_free(&xml);
        rc = TK_EXIT_FAILURE;
        goto done;
    }
    tk_buf_free(&xml);
    if (!quiet)
        print_review(cl, &rep, out_path);
    if (!orgm && !output) {
        tk_org *proposal = tk_derive_propose_org(&rep, org_id, name ? name : "");
        tk_buf ox;
        tk_org_to_xml(proposal, &ox);
        if (tk_file_write_atomic(org_path, ox.data, ox.len, false) == 0)
            printf("  %s がなかったため、見つかった役割 %zu を載せた案を書き出しました。部署 (department) を追加してください\n",
                   org_path, proposal->nroles);
        tk_buf_free(&ox);
        tk_org_free(proposal);
    }
done:
    tk_buf_free(&raw);
    tk_checklist_free(cl);
    tk_checklist_free(prev);
    tk_org_free(orgm);
    tk_derive_report_free(&rep);
    tk_diags_free(&diags);
    tk_arena_free(a);
    return rc;
}

/* ------------------------------------------------------------------ */

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

static int cmd_check(int argc, char **argv)
{
    const command *c = find_command("check");
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch, bad = 0;
    while ((ch = next_opt(c, argc, argv, "h", longopts, &bad)) != -1 && !bad) {
        if (ch == 'h') {
            print_usage(c, stdout);
            return TK_EXIT_OK;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (optind >= argc)
        return usage_error(c, "検証するフォルダまたはファイルを指定してください%s", "");
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

static int cmd_help(int argc, char **argv)
{
    if (argc >= 2) {
        const command *c = find_command(argv[1]);
        if (!c) {
            fprintf(stderr, "tenken: サブコマンド「%s」はありません\n\n", argv[1]);
            print_overview(stderr);
            return TK_EXIT_USAGE;
        }
        print_usage(c, stdout);
        return TK_EXIT_OK;
    }
    print_overview(stdout);
    return TK_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("tenken %s\n", TENKEN_VERSION);
    return TK_EXIT_OK;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    xmlInitParser();
    opterr = 0;
    if (argc < 2) {
        print_overview(stderr);
        return TK_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h"))
        sub = "help";
    if (!strcmp(sub, "--version"))
        sub = "version";
    const command *c = find_command(sub);
    if (!c) {
        fprintf(stderr, "tenken: サブコマンド「%s」はありません\n\n", argv[1]);
        print_overview(stderr);
        return TK_EXIT_USAGE;
    }
    int rc = c->run(argc - 1, argv + 1);
    xmlCleanupParser();
    return rc;
}
