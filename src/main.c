/* main.c — the tenken command: the table of subcommands, help, version. */
#include <libxml/parser.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tenken/cli.h"
#include "tenken/text.h"
#include "tenken/util.h"

#define TENKEN_VERSION "0.1.0"

static int cmd_help(const tk_command *self, int argc, char **argv);
static int cmd_version(const tk_command *self, int argc, char **argv);

static const tk_command COMMANDS[] = {
    {"derive", tk_cmd_derive, "ポリシーの本文から点検項目 (checklist.xml) を作る",
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
    {"check", tk_cmd_check, "checklist.xml と org.xml を検証する",
     "使い方: tenken check PATH...\n"
     "\n"
     "PATH は組織のフォルダ (checklists/ID)、checklist.xml、org.xml のいずれかです。スキーマ\n"
     "(checklists/checklist.rng, checklists/org.rng) と、スキーマでは書けない規則 (id と ref の重複、\n"
     "未定義の役割、全部署が担う役割の漏れ など) を検証し、問題をすべて FILE:LINE: の形で表示します。\n"},
    {"help", cmd_help, "使い方を表示する", "使い方: tenken help [SUBCOMMAND]\n"},
    {"version", cmd_version, "版を表示する", "使い方: tenken version\n"},
};

static const tk_command *find_command(const char *name)
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
    fputs(TK_EXIT_CODES_HELP, out);
}

static int cmd_help(const tk_command *self, int argc, char **argv)
{
    (void)self;
    if (argc >= 2) {
        const tk_command *c = find_command(argv[1]);
        if (!c) {
            fprintf(stderr, "tenken: サブコマンド「%s」はありません\n\n", argv[1]);
            print_overview(stderr);
            return TK_EXIT_USAGE;
        }
        tk_cli_print_usage(c, stdout);
        return TK_EXIT_OK;
    }
    print_overview(stdout);
    return TK_EXIT_OK;
}

static int cmd_version(const tk_command *self, int argc, char **argv)
{
    (void)self;
    (void)argc;
    (void)argv;
    printf("tenken %s\n", TENKEN_VERSION);
    return TK_EXIT_OK;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    xmlInitParser();
    if (argc < 2) {
        print_overview(stderr);
        return TK_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h"))
        sub = "help";
    if (!strcmp(sub, "--version"))
        sub = "version";
    const tk_command *c = find_command(sub);
    if (!c) {
        fprintf(stderr, "tenken: サブコマンド「%s」はありません\n\n", argv[1]);
        print_overview(stderr);
        return TK_EXIT_USAGE;
    }
    int rc = c->run(c, argc - 1, argv + 1);
    xmlCleanupParser();
    return rc;
}
