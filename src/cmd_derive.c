/* cmd_derive.c — tenken derive: policy text to checklist, with a review summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/checklist.h"
#include "tenken/cli.h"
#include "tenken/derive.h"
#include "tenken/review.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/xmlutil.h"

/* The count of lines in each class: the coverage account in one line. */
static void print_classes(const tk_derive_report *rep)
{
    static const enum tk_line_class order[] = {TK_LC_ITEM,       TK_LC_CONTEXT,     TK_LC_HEADING, TK_LC_DEFINITION,
                                               TK_LC_PURPOSE,    TK_LC_DESCRIPTION, TK_LC_COMMENTARY, TK_LC_TOC,
                                               TK_LC_ARTEFACT,   TK_LC_BLANK,       TK_LC_UNCLASSIFIED};
    printf("  行の分類:");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        printf("%s%s %zu", i ? "、" : " ", tk_line_class_label(order[i]), rep->class_count[order[i]]);
    printf(" (行ごとの内訳は --explain)\n");
}

/* The items that name no subject: exactly those given the fallback role. */
static void print_fallback(const tk_derive_report *rep)
{
    if (!rep->nfallback_items)
        return;
    if (!rep->fallback_named && rep->fallback_wanted && !strcmp(rep->fallback_wanted, rep->fallback_role))
        printf("  主体が書かれていない %zu 項目は「%s」に割り当てました。この役割はポリシーの本文になく、org.xml の定義によります (要確認):\n",
               rep->nfallback_items, rep->fallback_role);
    else if (!rep->fallback_named && rep->fallback_wanted)
        printf("  主体が書かれていない %zu 項目: 既定の役割「%s」はこのポリシーにないため、「%s」に割り当てました (要確認):\n",
               rep->nfallback_items, rep->fallback_wanted, rep->fallback_role);
    else
        printf("  主体が書かれていない %zu 項目は「%s」に割り当てました (要確認):\n", rep->nfallback_items,
               rep->fallback_role);
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < rep->nfallback_items; i++) {
        tk_buf_printf(&b, "%s%s (%ld 行目)", b.len ? "、" : "    ", rep->fallback_items[i].text,
                      rep->fallback_items[i].line);
        if (b.len > 200 || i + 1 == rep->nfallback_items) {
            puts(b.data);
            b.len = 0;
            b.data[0] = '\0';
        }
    }
    tk_buf_free(&b);
}

/* --explain: every line of the policy with its class and the item it is in. */
static void print_explain(const tk_derive_report *rep)
{
    size_t rw = 4;
    for (size_t i = 1; i <= rep->lines; i++)
        if (rep->line_ref[i] && tk_text_width(rep->line_ref[i]) > rw)
            rw = tk_text_width(rep->line_ref[i]);
    if (rw > 30)
        rw = 30;
    for (size_t i = 1; i <= rep->lines; i++) {
        tk_buf b;
        tk_buf_init(&b);
        tk_buf_printf(&b, "%6zu  ", i);
        tk_text_pad(&b, tk_line_class_label((enum tk_line_class)rep->line_class[i]), 10);
        tk_buf_puts(&b, "  ");
        tk_text_pad(&b, rep->line_ref[i] ? rep->line_ref[i] : "", rw);
        tk_buf_puts(&b, "  ");
        const char *t = rep->line_text[i] ? rep->line_text[i] : "";
        size_t n = 0, cps = 0;
        while (t[n] && cps < 40) {
            n++;
            while (t[n] && ((unsigned char)t[n] & 0xC0) == 0x80)
                n++;
            cps++;
        }
        tk_buf_append(&b, t, n);
        if (t[n])
            tk_buf_puts(&b, "…");
        puts(b.data);
        tk_buf_free(&b);
    }
}

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
    print_classes(rep);
    print_fallback(rep);
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

/* A wording on one line: context and text joined by 「／」. */
static void put_wording(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            fputs(" ／ ", stdout);
        else
            putchar(*s);
    }
}

/* What became of the secretariat's review (tenken review) of --previous. */
static void print_carry(const tk_review_carry *k)
{
    if (k->carried)
        printf("  前回の確認結果を引き継いだ項目 %zu\n", k->carried);
    if (k->nchanged) {
        printf("  文言が変わったため再確認が必要な項目 %zu (tenken review で確かめてください):\n", k->nchanged);
        for (size_t i = 0; i < k->nchanged; i++) {
            printf("    %s (%s)\n      前回: ", k->changed[i].ref, k->changed[i].id);
            put_wording(k->changed[i].old_text);
            printf("\n      今回: ");
            put_wording(k->changed[i].new_text);
            putchar('\n');
        }
    }
    if (k->nvanished) {
        printf("  確認済みだったがなくなった項目 %zu:\n", k->nvanished);
        for (size_t i = 0; i < k->nvanished; i++) {
            printf("    %s (%s): ", k->vanished[i].ref, k->vanished[i].id);
            put_wording(k->vanished[i].old_text);
            putchar('\n');
        }
    }
}

int tk_cmd_derive(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {{"org", required_argument, NULL, 'g'},  {"name", required_argument, NULL, 'n'},
                                             {"output", required_argument, NULL, 'o'}, {"previous", required_argument, NULL, 'p'},
                                             {"force", no_argument, NULL, 'f'},       {"quiet", no_argument, NULL, 'q'},
                                             {"explain", no_argument, NULL, 'x'},
                                             {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *org = NULL, *name = NULL, *output = NULL, *previous = NULL;
    bool force = false, quiet = false, explain = false;
    int ch, bad = 0;
    while ((ch = tk_cli_getopt(c, argc, argv, "o:qh", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'g': org = optarg; break;
        case 'n': name = optarg; break;
        case 'o': output = optarg; break;
        case 'p': previous = optarg; break;
        case 'f': force = true; break;
        case 'q': quiet = true; break;
        case 'x': explain = true; break;
        case 'h': tk_cli_print_usage(c, stdout); return TK_EXIT_OK;
        default: break;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (optind >= argc)
        return tk_cli_usage_error(c, "ポリシーのテキストファイルを指定してください");
    if (optind + 1 < argc)
        return tk_cli_usage_error(c, "ポリシーのファイルは一つだけ指定してください (余分な引数: %s)", argv[optind + 1]);
    if (!org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
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
    const char *org_id = tk_arena_strdup(a, tk_cli_org_id(org));
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
    /* the secretariat's reviewed decisions travel where the wording is unchanged */
    tk_review_carry carry;
    tk_checklist_carry_review(cl, prev, &carry);
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
    if (explain)
        print_explain(&rep);
    if (!quiet) {
        print_review(cl, &rep, out_path);
        print_carry(&carry);
    }
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

