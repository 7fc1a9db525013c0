/* test_derive.c — policy text to checklist: numbering, obligations, roles,
 * refs, ids, messy input, and the five sample policies. */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/checklist.h"
#include "tenken/derive.h"
#include "tenken/text.h"
#include "testutil.h"

typedef struct derived {
    tk_checklist *c;
    tk_derive_report rep;
    tk_diags diags;
} derived;

static derived *derive_with(const char *text, size_t len, const tk_org *org, const tk_checklist *prev)
{
    derived *d = calloc(1, sizeof *d);
    tk_diags_init(&d->diags);
    tk_derive_opts o = {.org_id = "test", .name = "テスト町", .source_name = "policy.txt", .org = org, .previous = prev};
    d->c = tk_derive(text, len, "policy.txt", &o, &d->rep, &d->diags);
    return d;
}

static derived *derive_text(const char *text) { return derive_with(text, strlen(text), NULL, NULL); }

static void derived_free(derived *d)
{
    tk_checklist_free(d->c);
    tk_derive_report_free(&d->rep);
    tk_diags_free(&d->diags);
    free(d);
}

static const tk_item *item_with(const tk_checklist *c, const char *needle)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (strstr(c->items[i].text, needle))
            return &c->items[i];
    return NULL;
}

static bool has_role(const tk_item *it, const char *role)
{
    for (size_t i = 0; i < it->nroles; i++)
        if (!strcmp(it->roles[i], role))
            return true;
    return false;
}

static bool diag_contains(const tk_diags *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].message, needle))
            return true;
    return false;
}

/* ---- markers ---- */

static void test_marker_styles(void **state)
{
    (void)state;
    tk_marker m;
    assert_true(tk_marker_parse("9.1 監査", strlen("9.1 監査"), &m));
    assert_int_equal(m.style, TK_MK_DEC);
    assert_int_equal(m.depth, 2);
    assert_string_equal(m.raw, "9.1");
    assert_true(tk_marker_parse("(7) 監査結果", strlen("(7) 監査結果"), &m));
    assert_int_equal(m.style, TK_MK_PAREN_NUM);
    assert_int_equal(m.value, 7);
    assert_true(tk_marker_parse("（３）サーバ", strlen("（３）サーバ"), &m));
    assert_int_equal(m.style, TK_MK_PAREN_NUM);
    assert_int_equal(m.value, 3);
    assert_string_equal(m.raw, "（３）");
    assert_true(tk_marker_parse("⑴ 号", strlen("⑴ 号"), &m));
    assert_int_equal(m.style, TK_MK_PAREN_NUM);
    assert_true(tk_marker_parse("② CISO は", strlen("② CISO は"), &m));
    assert_int_equal(m.style, TK_MK_CIRCLED);
    assert_int_equal(m.value, 2);
    assert_true(tk_marker_parse("(イ) 職員等は", strlen("(イ) 職員等は"), &m));
    assert_int_equal(m.style, TK_MK_PAREN_KANA);
    assert_int_equal(m.value, 2);
    assert_true(tk_marker_parse("ウ 端末", strlen("ウ 端末"), &m));
    assert_int_equal(m.style, TK_MK_KANA);
    assert_int_equal(m.value, 3);
    assert_true(tk_marker_parse("６．物理的セキュリティ", strlen("６．物理的セキュリティ"), &m));
    assert_int_equal(m.style, TK_MK_DEC);
    assert_string_equal(m.raw, "６．");
    assert_true(tk_marker_parse("第 5 条 職員は", strlen("第 5 条 職員は"), &m));
    assert_int_equal(m.style, TK_MK_ARTICLE);
    assert_int_equal(m.value, 5);
    assert_string_equal(m.raw, "第5条");
    assert_true(tk_marker_parse("第十二条の二　", strlen("第十二条の二　"), &m));
    assert_int_equal(m.value, 12);
    assert_int_equal(m.sub, 2);
    assert_true(tk_marker_parse("第２章 対策基準", strlen("第２章 対策基準"), &m));
    assert_int_equal(m.style, TK_MK_CHAPTER);
    assert_true(tk_marker_parse("一 パスワード", strlen("一 パスワード"), &m));
    assert_int_equal(m.style, TK_MK_KANJI);
    assert_true(tk_marker_parse("II 対策", strlen("II 対策"), &m));
    assert_int_equal(m.style, TK_MK_ROMAN);
    assert_int_equal(m.value, 2);
    assert_true(tk_marker_parse("・ 端末", strlen("・ 端末"), &m));
    assert_int_equal(m.style, TK_MK_BULLET);
    /* Markdown "- ①" from converted documents: the dash is layout */
    assert_true(tk_marker_parse("- ① 職員等は", strlen("- ① 職員等は"), &m));
    assert_int_equal(m.style, TK_MK_CIRCLED);
}

static void test_marker_rejects_numbers_in_prose(void **state)
{
    (void)state;
    tk_marker m;
    assert_false(tk_marker_parse("10 月 1 日から施行する。", strlen("10 月 1 日から施行する。"), &m));
    assert_false(tk_marker_parse("2026年4月", strlen("2026年4月"), &m));
    assert_false(tk_marker_parse("第二章に定める。", strlen("第二章に定める。"), &m));
    assert_false(tk_marker_parse("IC カード等", strlen("IC カード等"), &m));
    assert_false(tk_marker_parse("（目的）", strlen("（目的）"), &m));
    assert_false(tk_marker_parse("LGWAN 接続系", strlen("LGWAN 接続系"), &m));
}

/* ---- obligations ---- */

static int level(const char *sentence, bool basic, bool enumerated)
{
    char *n = tk_text_norm_dup(sentence);
    int l = tk_obligation_level(n, basic, enumerated);
    free(n);
    return l;
}

static void test_obligation_forms(void **state)
{
    (void)state;
    assert_int_equal(level("職員等は、遵守しなければならない。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("必要な措置を講じなければならない。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("監査を行う者は、独立した者でなければならない。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("承認を得なければならない。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("実施手順を策定するものとする。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("IDを共有してはならない。", false, false), TK_LEVEL_MUST_NOT);
    assert_int_equal(level("私物を使用してはならない。", false, false), TK_LEVEL_MUST_NOT);
    assert_int_equal(level("向上に努めなければならない。", false, false), TK_LEVEL_SHOULD);
    assert_int_equal(level("向上に努めるものとする。", false, false), TK_LEVEL_SHOULD);
    assert_int_equal(level("パスワードを定期的に変更すること。", false, true), TK_LEVEL_MUST);
    /* the government's style: 〜すること。 is a rule sentence on its own too */
    assert_int_equal(level("パスワードを定期的に変更すること。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("職員等は、机の周りの整理・整頓を行うこと。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("USBメモリを接続しないこと。", false, false), TK_LEVEL_MUST_NOT);
    assert_int_equal(level("情報漏えいを防止するよう努めること。", false, false), TK_LEVEL_SHOULD);
    assert_int_equal(level("情報システムの運用に関すること。", false, false), -1);
    assert_int_equal(level("支給以外の端末の使用及び外部持ち出しを原則禁止する。", false, false), TK_LEVEL_MUST_NOT);
    assert_int_equal(level("私物の端末を業務に使用してならない。", false, false), TK_LEVEL_MUST_NOT);
    assert_int_equal(level("適正なセキュリティ機能を持つ機材を調達しなければならなない。", false, false), TK_LEVEL_MUST);
    assert_int_equal(level("不正アクセスを禁止する措置を講じなければならない。", false, false), TK_LEVEL_MUST);
    /* what a word means, what the document is for: no rule, whatever it says */
    assert_int_equal(level("職員等が守らなければならない規則をいう。", false, false), -1);
    assert_int_equal(level("この規程は、情報資産の保護に必要な事項を定めるものとする。", false, false), -1);
    assert_int_equal(level("この規程は、情報資産を守ることを目的とする。", false, false), -1);
    assert_int_equal(level("利用することができるものとする。", false, false), -1);
}

static void test_declarations_only_in_basic_policy(void **state)
{
    (void)state;
    assert_int_equal(level("全庁的な組織体制を確立する。", true, false), TK_LEVEL_DECLARE);
    assert_int_equal(level("物理的な対策を講じる。", true, false), TK_LEVEL_DECLARE);
    assert_int_equal(level("全庁的な組織体制を確立する。", false, false), -1);
    /* definitions, scope and appointments are no provisions */
    assert_int_equal(level("情報資産の機密性を維持することをいう。", true, false), -1);
    assert_int_equal(level("LGWANに接続されたデータをいう（個人番号利用事務系を除く。）。", true, false), -1);
    assert_int_equal(level("基本的な事項を定めることを目的とする。", true, false), -1);
    assert_int_equal(level("対象とする情報資産は、次のとおりとする。", true, false), -1);
    assert_int_equal(level("体系的に取りまとめたものである。", true, false), -1);
}

/* ---- structure and refs ---- */

static const char GUIDELINE[] = "○○町情報セキュリティ対策基準\n"
                                "\n"
                                "9 評価・見直し\n"
                                "\n"
                                "9.1 監査\n"
                                "\n"
                                "(7) 監査結果の報告\n"
                                "\n"
                                "① 監査を行う者は、監査結果を CISO に報告しなければならない。\n"
                                "\n"
                                "② CISO は、指摘事項について改善を指示しなければならない。\n"
                                "\n"
                                "(8) 定義\n"
                                "\n"
                                "監査とは、遵守状況を検証することをいう。\n";

static void test_guideline_numbering_gives_refs(void **state)
{
    (void)state;
    derived *d = derive_text(GUIDELINE);
    assert_non_null(d->c);
    assert_int_equal(d->c->nitems, 2);
    const tk_item *a = item_with(d->c, "監査結果を");
    assert_non_null(a);
    assert_string_equal(a->ref, "9.1(7)①");
    assert_int_equal(a->level, TK_LEVEL_MUST);
    assert_true(has_role(a, "監査を行う者"));
    const tk_item *b = item_with(d->c, "改善を指示");
    assert_string_equal(b->ref, "9.1(7)②");
    /* CISO is the alias the guideline gives 最高情報セキュリティ責任者 */
    assert_true(has_role(b, "最高情報セキュリティ責任者"));
    assert_null(item_with(d->c, "検証することをいう"));
    assert_int_equal(a->line, 9);
    derived_free(d);
}

static void test_fullwidth_numbering_keeps_its_style(void **state)
{
    (void)state;
    const char *t = "６．物理的セキュリティ\n"
                    "（３）サーバの管理\n"
                    "職員等は、サーバを施錠された室に設置しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_int_equal(d->c->nitems, 1);
    assert_string_equal(d->c->items[0].ref, "６．（３）");
    derived_free(d);
}

static void test_article_style_refs(void **state)
{
    (void)state;
    const char *t = "○○市情報セキュリティ規程\n"
                    "（目的）\n"
                    "第1条 この規程は、情報資産の管理に関し必要な事項を定めるものとする。\n"
                    "（職員の義務）\n"
                    "第５条　職員は、情報資産を適切に管理しなければならない。\n"
                    "２　職員は、次に掲げる事項を守らなければならない。\n"
                    "(1) パスワードを他人に教えないこと。\n"
                    "(2) 離席時に端末をロックすること。\n"
                    "3 所属長は、前項の遵守状況を確認しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    /* the purpose of the document obliges no one: classified, not an item */
    assert_null(item_with(d->c, "必要な事項を定める"));
    assert_int_equal(d->rep.line_class[3], TK_LC_PURPOSE);
    const tk_item *b = item_with(d->c, "適切に管理しなければ");
    assert_string_equal(b->ref, "第5条第1項");
    const tk_item *c = item_with(d->c, "パスワードを他人に");
    assert_string_equal(c->ref, "第5条第2項第1号");
    assert_non_null(c->context);
    assert_non_null(strstr(c->context, "次に掲げる事項"));
    assert_int_equal(c->level, TK_LEVEL_MUST_NOT); /* 〜しないこと */
    const tk_item *e = item_with(d->c, "離席時に");
    assert_string_equal(e->ref, "第5条第2項第2号");
    const tk_item *f = item_with(d->c, "遵守状況を確認");
    assert_string_equal(f->ref, "第5条第3項");
    /* the lead-in itself is not an item of its own */
    assert_null(item_with(d->c, "次に掲げる事項を守らなければ"));
    /* article titles become section titles */
    assert_string_equal(b->section->title, "職員の義務");
    derived_free(d);
}

static void test_article_title_on_the_article_line(void **state)
{
    (void)state;
    const char *t = "第1章 総則\n"
                    "第1条(目的)\n"
                    "本規程は、情報資産を保護するための事項を定めるものとする。\n"
                    "第2条(遵守)\n"
                    "従業員は、本規程を遵守しなければならない。\n"
                    "2 従業員は、情報資産を私的に利用してはならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_null(item_with(d->c, "定めるものとする"));
    const tk_item *a = item_with(d->c, "遵守しなければ");
    assert_string_equal(a->ref, "第2条第1項");
    assert_string_equal(a->section->title, "遵守");
    assert_string_equal(item_with(d->c, "私的に")->ref, "第2条第2項");
    derived_free(d);
}

static void test_parts_restart_numbering(void **state)
{
    (void)state;
    const char *t = "情報セキュリティ基本方針\n"
                    "1 目的\n"
                    "本方針は、情報資産を守ることを目的とする。\n"
                    "2 対策\n"
                    "全庁的な組織体制を確立する。\n"
                    "情報セキュリティ対策基準\n"
                    "1 組織体制\n"
                    "(1) 統括情報セキュリティ責任者\n"
                    "① 統括情報セキュリティ責任者は、CISO を補佐しなければならない。\n"
                    "2 物理的セキュリティ\n"
                    "職員等は、端末を施錠しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    const tk_item *a = item_with(d->c, "組織体制を確立する");
    assert_non_null(a);
    assert_string_equal(a->ref, "基本方針 2");
    assert_int_equal(a->level, TK_LEVEL_DECLARE);
    const tk_item *b = item_with(d->c, "補佐しなければ");
    assert_string_equal(b->ref, "対策基準 1(1)①");
    assert_true(has_role(b, "統括情報セキュリティ責任者"));
    const tk_item *c = item_with(d->c, "端末を施錠");
    assert_string_equal(c->ref, "対策基準 2");
    assert_true(has_role(c, "職員等"));
    /* 目的 is not a provision */
    assert_null(item_with(d->c, "目的とする"));
    derived_free(d);
}

static void test_lead_in_splits_into_sub_items(void **state)
{
    (void)state;
    const char *t = "5.4 ID及びパスワード等の管理\n"
                    "(1) IDの取扱い\n"
                    "職員等は、自己の管理する ID に関し、次の事項を遵守しなければならない。\n"
                    "① 自己が利用している ID は、他人に利用させてはならない。\n"
                    "② 共用 ID を利用する場合は、共用 ID の利用者以外に利用させてはならない。\n"
                    "③ パスワードを定期的に変更すること。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_int_equal(d->c->nitems, 3);
    const tk_item *a = item_with(d->c, "他人に利用させて");
    assert_string_equal(a->ref, "5.4(1)①");
    assert_int_equal(a->level, TK_LEVEL_MUST_NOT);
    assert_non_null(a->context);
    assert_true(has_role(a, "職員等"));
    const tk_item *c = item_with(d->c, "定期的に変更");
    assert_int_equal(c->level, TK_LEVEL_MUST);
    assert_true(has_role(c, "職員等"));
    derived_free(d);
}

static void test_pdf_text_is_rejoined_and_cleaned(void **state)
{
    (void)state;
    const char *t = "○○市情報セキュリティ対策基準\n"
                    "\n"
                    "1 物理的セキュリティ\n"
                    "\n"
                    "(1) サーバの管理\n"
                    "\n"
                    "情報システム管理者は、サーバを設置する場合、火災、水害、埃、振動、温度、湿\n"
                    "\n"
                    "度等の影響を可能な限り排除した場所に設置し、容易に取り外せないよう固定しな\n"
                    "\n"
                    "- 3 -\n"
                    "\n"
                    "○○市情報セキュリティ対策基準\n"
                    "\n"
                    "ければならない。\n"
                    "\n"
                    "(2) 電源の管理\n"
                    "\n"
                    "情報システム管理者は、停電に備え予備電源を備えなければならない。\n"
                    "\n"
                    "- 4 -\n"
                    "\n"
                    "○○市情報セキュリティ対策基準\n"
                    "\n"
                    "(3) 配線の管理\n"
                    "\n"
                    "情報システム管理者は、配線を損傷から保護しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_int_equal(d->c->nitems, 3);
    const tk_item *a = item_with(d->c, "湿度等の影響を");
    assert_non_null(a);
    assert_non_null(strstr(a->text, "固定しなければならない。"));
    assert_null(strstr(a->text, "- 3 -"));
    assert_null(strstr(a->text, "○○市"));
    assert_string_equal(a->ref, "1(1)");
    assert_true(d->rep.dropped_pages >= 2);
    assert_true(d->rep.dropped_headers >= 3);
    derived_free(d);
}

static void test_table_of_contents_is_not_read(void **state)
{
    (void)state;
    const char *t = "目次\n"
                    "1 組織体制\t3\n"
                    "2 物理的セキュリティ.....5\n"
                    "| 3. 人的セキュリティ..... | 7 |\n"
                    "1 組織体制\n"
                    "統括情報セキュリティ責任者は、体制を整備しなければならない。\n"
                    "2 物理的セキュリティ\n"
                    "職員等は、端末を施錠しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_int_equal(d->c->nitems, 2);
    assert_string_equal(item_with(d->c, "体制を整備")->ref, "1");
    assert_string_equal(item_with(d->c, "端末を施錠")->ref, "2");
    assert_int_equal(d->rep.dropped_toc, 4);
    derived_free(d);
}

/* ---- roles ---- */

static tk_org *org_for_tests(void)
{
    tk_diags dg;
    tk_diags_init(&dg);
    tk_org *o = tk_org_load("checklists/shime/org.xml", "checklists", &dg);
    tk_diags_free(&dg);
    return o;
}

static void test_subjects_map_to_org_roles(void **state)
{
    (void)state;
    const char *t = "4 人的セキュリティ\n"
                    "(1) 遵守事項\n"
                    "① 情報セキュリティ管理者又は担当者は、端末の利用を制限しなければならない。\n"
                    "② 情報資産を利用する者は、業務以外の目的に利用してはならない。\n"
                    "③ 委託事業者は、契約を守らなければならない。\n"
                    "④ 情報システム管理者及び CISO は、状況を確認しなければならない。\n"
                    "(2) 報告\n"
                    "① CISO は、研修を実施しなければならない。\n"
                    "② 新規採用の職員等を対象とする研修を実施しなければならない。\n";
    tk_org *org = org_for_tests();
    assert_non_null(org);
    derived *d = derive_with(t, strlen(t), org, NULL);
    assert_non_null(d->c);
    assert_true(has_role(item_with(d->c, "端末の利用を制限"), "情報セキュリティ管理者"));
    assert_true(has_role(item_with(d->c, "業務以外の目的"), "職員等"));
    /* an actor org.xml does not define is listed, never written as a role
     * (tenken check would refuse the checklist) */
    const tk_item *u = item_with(d->c, "契約を守らなければ");
    assert_false(has_role(u, "委託事業者"));
    assert_true(has_role(u, d->rep.fallback_role));
    assert_int_equal(d->rep.nunmapped, 1);
    assert_string_equal(d->rep.unmapped[0].text, "委託事業者");
    const tk_item *two = item_with(d->c, "状況を確認");
    assert_true(has_role(two, "情報システム管理者"));
    assert_true(has_role(two, "最高情報セキュリティ責任者"));
    /* no subject: never a sibling's; the fallback role, counted and listed */
    const tk_item *nosub = item_with(d->c, "新規採用");
    assert_true(has_role(nosub, d->rep.fallback_role));
    /* the list holds exactly the items that name no subject: each listed
     * item carries the fallback role */
    bool listed = false;
    for (size_t i = 0; i < d->rep.nfallback_items; i++) {
        listed |= !strcmp(d->rep.fallback_items[i].text, nosub->ref);
        const tk_item *fi = NULL;
        for (size_t k = 0; k < d->c->nitems; k++)
            if (!strcmp(d->c->items[k].ref, d->rep.fallback_items[i].text))
                fi = &d->c->items[k];
        assert_non_null(fi);
        assert_true(has_role(fi, d->rep.fallback_role));
    }
    assert_true(listed);
    derived_free(d);
    tk_org_free(org);
}

static void test_roles_are_discovered_from_the_structure_section(void **state)
{
    (void)state;
    const char *t = "1 組織体制\n"
                    "(1) 情報基盤管理者（以下「基盤管理者」という。）\n"
                    "① 総務グループリーダーを、情報基盤管理者とする。\n"
                    "(2) 情報管理者\n"
                    "① 各部の長を、情報管理者とする。\n"
                    "2 運用\n"
                    "(1) 基盤管理者は、ログを保存しなければならない。\n"
                    "(2) 情報管理者は、目録を作成しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_true(has_role(item_with(d->c, "ログを保存"), "情報基盤管理者"));
    assert_true(has_role(item_with(d->c, "目録を作成"), "情報管理者"));
    tk_org *proposal = tk_derive_propose_org(&d->rep, "test", "テスト町");
    bool found = false;
    for (size_t i = 0; i < proposal->nroles; i++)
        if (!strcmp(proposal->roles[i].id, "情報基盤管理者"))
            found = proposal->roles[i].naliases == 1 && !strcmp(proposal->roles[i].aliases[0], "基盤管理者");
    assert_true(found);
    tk_org_free(proposal);
    derived_free(d);
}

static void test_obligation_outside_any_section_is_reported(void **state)
{
    (void)state;
    const char *t = "職員は、この方針を守らなければならない。\n"
                    "1 対策\n"
                    "(1) 職員等は、端末を施錠しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_int_equal(d->c->nitems, 1);
    assert_int_equal(d->rep.nunplaced, 1);
    assert_int_equal(d->rep.unplaced[0].line, 1);
    derived_free(d);
}

/* ---- ids ---- */

static void test_ids_are_stable_and_follow_renumbering(void **state)
{
    (void)state;
    const char *v1 = "1 対策\n"
                     "(1) 職員等は、端末を施錠しなければならない。\n"
                     "(2) 職員等は、パスワードを共有してはならない。\n"
                     "(3) 職員等は、研修に参加しなければならない。\n";
    const char *v2 = "1 対策\n"
                     "(1) 職員等は、私物の端末を使用してはならない。\n"
                     "(2) 職員等は、端末を施錠しなければならない。\n"
                     "(3) 職員等は、パスワードを共有してはならない。\n"
                     "(4) 職員等は、年1回以上、研修に参加しなければならない。\n";
    derived *a = derive_text(v1), *a2 = derive_text(v1);
    assert_non_null(a->c);
    for (size_t i = 0; i < a->c->nitems; i++)
        assert_string_equal(a->c->items[i].id, a2->c->items[i].id);
    derived *b = derive_with(v2, strlen(v2), NULL, a->c);
    assert_non_null(b->c);
    /* unchanged text keeps its id though renumbered */
    assert_string_equal(item_with(b->c, "端末を施錠")->id, item_with(a->c, "端末を施錠")->id);
    assert_string_equal(item_with(b->c, "端末を施錠")->ref, "1(2)");
    assert_string_equal(item_with(b->c, "共有して")->id, item_with(a->c, "共有して")->id);
    /* a new provision gets a new id */
    const char *nid = item_with(b->c, "私物の端末")->id;
    for (size_t i = 0; i < a->c->nitems; i++)
        assert_string_not_equal(nid, a->c->items[i].id);
    assert_int_equal(b->rep.kept_previous, 2);
    derived_free(a);
    derived_free(a2);
    derived_free(b);

    /* a reworded provision at the same number keeps its id with --previous */
    const char *w1 = "1 対策\n(1) 職員等は、年に1回、研修に参加しなければならない。\n";
    const char *w2 = "1 対策\n(1) 職員等は、毎年度1回以上、研修に参加しなければならない。\n";
    derived *x = derive_text(w1);
    derived *y = derive_with(w2, strlen(w2), NULL, x->c);
    derived *z = derive_text(w2);
    assert_string_equal(y->c->items[0].id, x->c->items[0].id);
    assert_int_equal(y->rep.kept_previous_ref, 1);
    assert_string_not_equal(z->c->items[0].id, x->c->items[0].id);
    derived_free(x);
    derived_free(y);
    derived_free(z);
}

static void test_same_words_in_two_places_get_two_ids(void **state)
{
    (void)state;
    const char *t = "5.3 報告\n"
                    "(1) 庁内での報告\n"
                    "① 報告を受けた者は、速やかに報告しなければならない。\n"
                    "(2) 外部からの報告\n"
                    "① 報告を受けた者は、速やかに報告しなければならない。\n";
    derived *d = derive_text(t);
    assert_int_equal(d->c->nitems, 2);
    assert_string_not_equal(d->c->items[0].id, d->c->items[1].id);
    assert_string_equal(d->c->items[1].ref, "5.3(2)①");
    derived_free(d);
}

/* ---- encodings and hostile input ---- */

static void test_shift_jis_and_utf16_read_like_utf8(void **state)
{
    (void)state;
    derived *u = derive_text(GUIDELINE);
    const char *encs[] = {"CP932", "UTF-16"};
    for (size_t e = 0; e < 2; e++) {
        iconv_t cd = iconv_open(encs[e], "UTF-8");
        char in[4096], out[8192];
        snprintf(in, sizeof in, "%s", GUIDELINE);
        char *ip = in, *op = out;
        size_t il = strlen(in), ol = sizeof out;
        assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
        iconv_close(cd);
        derived *s = derive_with(out, sizeof out - ol, NULL, NULL);
        assert_non_null(s->c);
        assert_int_equal(s->c->nitems, u->c->nitems);
        for (size_t i = 0; i < s->c->nitems; i++)
            assert_string_equal(s->c->items[i].id, u->c->items[i].id);
        derived_free(s);
    }
    derived_free(u);
}

static void expect_refused(const char *bytes, size_t len, const char *message)
{
    derived *d = derive_with(bytes, len, NULL, NULL);
    assert_null(d->c);
    assert_true(d->diags.errors > 0);
    if (!diag_contains(&d->diags, message)) {
        tk_diags_print(&d->diags, stderr);
        fail_msg("expected a message containing「%s」", message);
    }
    derived_free(d);
}

static void test_hostile_inputs_are_refused_clearly(void **state)
{
    (void)state;
    expect_refused("", 0, "空です");
    expect_refused("\n\n  \n", 4, "本文がありません");
    char garbage[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof garbage; i++) {
        x = x * 1103515245u + 12345u;
        garbage[i] = (char)(x >> 16);
    }
    derived *g = derive_with(garbage, sizeof garbage, NULL, NULL);
    assert_null(g->c);
    assert_true(g->diags.errors > 0);
    derived_free(g);
    /* a 10 MB line */
    size_t big = 10u * 1024u * 1024u;
    char *line = malloc(big);
    for (size_t i = 0; i + 3 <= big; i += 3)
        memcpy(line + i, "あ", 3);
    expect_refused(line, big - big % 3, "行が長すぎます");
    free(line);
    /* broken UTF-8 in an otherwise UTF-8 file names the line */
    const char bad[] = "1 対策\n(1) 職員等は、端末を施錠しなければ\xff\xfeならない。\n";
    derived *b = derive_with(bad, sizeof bad - 1, NULL, NULL);
    assert_null(b->c);
    assert_true(diag_contains(&b->diags, "UTF-8"));
    assert_int_equal(b->diags.items[0].line, 2);
    derived_free(b);
    /* Japanese prose with no provision in it */
    expect_refused("これは案内文です。\n皆様のご協力をお願いします。\n", strlen("これは案内文です。\n皆様のご協力をお願いします。\n"),
                   "一つも見つかりません");
    expect_refused("hello world\nthis is not a policy\n", 33, "日本語の文章が見当たりません");
}

static void test_random_policy_like_text_never_crashes(void **state)
{
    (void)state;
    static const char *pieces[] = {"1 ", "(1) ", "① ", "(ア) ", "第3条 ", "２ ", "・", "9.9.9 ", "第二章 ", "\n", "\n\n",
                                   "職員等は、", "しなければならない。", "してはならない。", "（以下「X」という。）", "、", "。",
                                   "次の事項を", "\t12\n", "- 3 -\n", "ⅩⅡ ", "⑴ ", "CISO は、", "｡", "（", "）", "「"};
    unsigned x = 7;
    for (int round = 0; round < 300; round++) {
        tk_buf b;
        tk_buf_init(&b);
        int n = 5 + round % 120;
        for (int i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            tk_buf_puts(&b, pieces[(x >> 16) % (sizeof pieces / sizeof pieces[0])]);
        }
        derived *d = derive_with(b.data, b.len, NULL, NULL);
        if (d->c)
            assert_true(d->c->nitems > 0);
        else
            assert_true(d->diags.errors > 0);
        derived_free(d);
        tk_buf_free(&b);
    }
}

/* ---- the five sample organisations ---- */

static const char *ORGS[] = {"shime", "toride", "kobe-sangyo", "amakura", "ogasawara"};

static void test_committed_checklists_are_what_derive_makes(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof ORGS / sizeof ORGS[0]; k++) {
        char path[256];
        tk_buf policy, committed;
        snprintf(path, sizeof path, "checklists/%s/policy.txt", ORGS[k]);
        assert_int_equal(tk_file_read(path, 1u << 24, &policy), 0);
        snprintf(path, sizeof path, "checklists/%s/checklist.xml", ORGS[k]);
        assert_int_equal(tk_file_read(path, 1u << 24, &committed), 0);
        snprintf(path, sizeof path, "checklists/%s/org.xml", ORGS[k]);
        tk_diags dg;
        tk_diags_init(&dg);
        tk_org *org = tk_org_load(path, "checklists", &dg);
        assert_non_null(org);
        tk_derive_opts o = {.org_id = ORGS[k], .source_name = "policy.txt", .org = org};
        tk_derive_report rep;
        tk_checklist *c = tk_derive(policy.data, policy.len, "policy.txt", &o, &rep, &dg);
        assert_non_null(c);
        tk_buf xml;
        tk_checklist_to_xml(c, &xml);
        if (xml.len != committed.len || memcmp(xml.data, committed.data, xml.len) != 0)
            fail_msg("checklists/%s/checklist.xml differs from what tenken derive makes now; re-derive it", ORGS[k]);
        tk_buf_free(&xml);
        tk_checklist_free(c);
        tk_derive_report_free(&rep);
        tk_org_free(org);
        tk_diags_free(&dg);
        tk_buf_free(&policy);
        tk_buf_free(&committed);
    }
}

/* The policy as derive keeps it, without any white space or line break:
 * both sides of the comparison below get this form. */
static void squeeze(const char *s, tk_buf *out)
{
    tk_buf k;
    tk_buf_init(&k);
    tk_text_keep(s, strlen(s), &k);
    const char *p = k.data, *end = k.data + k.len;
    while (p < end) {
        const char *q = p;
        int32_t cp = tk_utf8_next(&q, end);
        if (!tk_cp_is_space(cp))
            tk_buf_append(out, p, (size_t)(q - p));
        p = q;
    }
    tk_buf_free(&k);
    if (!out->data)
        tk_buf_puts(out, "");
}

/* Every obligation form in the policy stands in some item: the clause that
 * ends in it (twelve characters back, cut at 。, a closing bracket or a
 * numbering mark) must be found in an item's text or context. */
/* A seed derived in-process with its org.xml (the report is wanted too). */
static derived *derive_seed(const char *org_id, tk_org **org)
{
    char path[256];
    snprintf(path, sizeof path, "checklists/%s/org.xml", org_id);
    tk_diags dg;
    tk_diags_init(&dg);
    *org = tk_org_load(path, "checklists", &dg);
    assert_non_null(*org);
    tk_diags_free(&dg);
    snprintf(path, sizeof path, "checklists/%s/policy.txt", org_id);
    tk_buf text;
    assert_int_equal(tk_file_read(path, 1u << 24, &text), 0);
    derived *d = derive_with(text.data, text.len, *org, NULL);
    tk_buf_free(&text);
    assert_non_null(d->c);
    return d;
}

static const tk_item *item_at_line(const tk_checklist *c, long line)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i].line == line)
            return &c->items[i];
    return NULL;
}

/* Each example issue 11 names, on the seeds it names. */
static void test_unnumbered_lines_under_a_lead_in_are_its_items(void **state)
{
    (void)state;
    const char *t = "1 職員等の遵守事項\n"
                    "職員等は、次の事項を遵守しなければならない。\n"
                    "　パスワードを他人に教えない\n"
                    "　離席時には端末をロックする\n"
                    "2 情報システム管理者の遵守事項\n"
                    "情報システム管理者は、次の事項を遵守しなければならない。\n"
                    "ログを定期的に点検すること。\n"
                    "不要なアカウントを削除すること。\n"
                    "情報資産の分類は次のとおりとする。\n"
                    "機密性3\t個人情報を含むもの\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    const tk_item *a = item_with(d->c, "パスワードを他人に");
    assert_non_null(a);
    assert_non_null(a->context);
    assert_true(has_role(a, "職員等"));
    assert_int_equal(a->level, TK_LEVEL_MUST);
    assert_non_null(item_with(d->c, "離席時には"));
    const tk_item *b = item_with(d->c, "不要なアカウント");
    assert_non_null(b);
    assert_non_null(b->context);
    assert_true(has_role(b, "情報システム管理者"));
    /* the lead-ins are context, and a table row is no item */
    assert_null(item_with(d->c, "次の事項を遵守"));
    assert_null(item_with(d->c, "個人情報を含む"));
    assert_int_equal(d->rep.line_class[2], TK_LC_CONTEXT);
    derived_free(d);
}

static void test_definitions_threats_and_remits_are_classified_not_items(void **state)
{
    (void)state;
    const char *t = "情報セキュリティ対策基準\n"
                    "1 目的\n"
                    "この基準は、情報資産を守るために必要な事項を定めるものとする。\n"
                    "2 定義\n"
                    "(1) 情報セキュリティポリシー\n"
                    "職員等が守らなければならない規則をいう。\n"
                    "3 想定する脅威\n"
                    "次の脅威を想定し、対策を講じるものとする。\n"
                    "(1) 不正アクセス\n"
                    "(2) 災害による業務の停止\n"
                    "4 委員会\n"
                    "委員会は、次に掲げる事項を審議する。\n"
                    "(1) ポリシーの改定に関すること。\n"
                    "5 遵守\n"
                    "職員等は、この基準を遵守しなければならない。\n";
    derived *d = derive_text(t);
    assert_non_null(d->c);
    assert_int_equal(d->c->nitems, 1);
    assert_non_null(item_with(d->c, "この基準を遵守"));
    assert_int_equal(d->rep.line_class[3], TK_LC_PURPOSE);
    assert_int_equal(d->rep.line_class[6], TK_LC_DEFINITION);
    assert_int_equal(d->rep.line_class[9], TK_LC_DESCRIPTION);
    assert_int_equal(d->rep.line_class[13], TK_LC_DESCRIPTION);
    assert_int_equal(d->rep.line_class[15], TK_LC_ITEM);
    /* the lead-in of the threats obliges in its words but makes no item:
     * warned, never dropped in silence */
    assert_int_equal(d->rep.nunplaced, 1);
    assert_int_equal(d->rep.unplaced[0].line, 8);
    assert_int_equal(d->rep.line_class[8], TK_LC_UNCLASSIFIED);
    derived_free(d);
}

static void test_issue_examples_on_the_seeds(void **state)
{
    (void)state;
    static const struct {
        const char *org;
        long line;
        bool item;
        const char *level;   /* must, must-not, …; NULL: any */
        const char *role;    /* one role it must have; NULL: any */
        const char *role2;   /* a second one */
        const char *context; /* words of its lead-in; NULL: none asked */
    } cases[] = {
        /* enumerated children under 「以下を全て含む…」 */
        {"shime", 925, true, "must", "情報システム管理者", NULL, "以下を全て含む情報システム関連文書"},
        {"shime", 926, true, "must", "情報システム管理者", NULL, "以下を全て含む情報システム関連文書"},
        {"shime", 928, true, "must", "情報システム管理者", NULL, "以下を全て含む実施手順"},
        {"shime", 929, true, "must", "情報システム管理者", NULL, "以下を全て含む実施手順"},
        {"shime", 930, true, "must", "情報システム管理者", NULL, "以下を全て含む実施手順"},
        {"shime", 1210, true, "must", "情報セキュリティ管理者", "情報システム管理者", "以下を全て含む事項"},
        {"shime", 1213, false, NULL, NULL, NULL, NULL}, /* (エ) heads the 契約項目 below it */
        /* a lead-in that is a duty of its own, and its children */
        {"shime", 400, true, "must", NULL, NULL, NULL},
        {"shime", 402, true, "must", NULL, NULL, "必要な通信だけを許可できるように"},
        /* forms */
        {"shime", 493, true, "must-not", NULL, NULL, NULL},
        {"shime", 540, true, "must", "職員等", NULL, NULL},
        {"shime", 544, true, "must", "職員等", NULL, NULL},
        {"shime", 1438, true, "must", "監査を行う者", NULL, NULL},
        {"kobe-sangyo", 1441, true, "must", "情報基盤管理者", NULL, NULL}, /* しなければならなない */
        /* roles: a long subject phrase; A及び…のB */
        {"shime", 358, true, "must", "職員等", NULL, NULL},
        {"kobe-sangyo", 1164, true, "must", "情報セキュリティ管理者", "情報管理者", NULL},
        /* wrapped numbered lines under a 遵守事項 lead-in, plain 〜する。 */
        {"kobe-sangyo", 1847, true, "must", "職員等情報取扱者", NULL, "次の事項を遵守しなければならない"},
        {"kobe-sangyo", 1851, true, "must", "職員等情報取扱者", NULL, "次の事項を遵守しなければならない"},
        {"kobe-sangyo", 1855, true, "must", "職員等情報取扱者", NULL, "次の事項を遵守しなければならない"},
        {"kobe-sangyo", 1869, true, "must", "職員等情報取扱者", NULL, "次の事項を遵守しなければならない"},
        /* 「下記事項を明記した契約を締結しなければならない。」 ①–⑬ */
        {"kobe-sangyo", 2265, true, "must", NULL, NULL, "下記事項を明記した契約"},
        {"kobe-sangyo", 2292, true, "must", NULL, NULL, "下記事項を明記した契約"},
        /* noise: threats, an announcement of subsections, the purpose */
        {"shime", 129, false, NULL, NULL, NULL, NULL},
        {"shime", 133, false, NULL, NULL, NULL, NULL},
        {"shime", 155, false, NULL, NULL, NULL, NULL},
        {"shime", 69, false, NULL, NULL, NULL, NULL},
        {"kobe-sangyo", 116, false, NULL, NULL, NULL, NULL},
        {"kobe-sangyo", 128, false, NULL, NULL, NULL, NULL},
    };
    const char *current = NULL;
    tk_org *org = NULL;
    derived *d = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!current || strcmp(current, cases[i].org)) {
            if (d) {
                derived_free(d);
                tk_org_free(org);
            }
            current = cases[i].org;
            d = derive_seed(current, &org);
        }
        const tk_item *it = item_at_line(d->c, cases[i].line);
        if (!cases[i].item) {
            if (it)
                fail_msg("%s line %ld: expected no item, got %s", current, cases[i].line, it->ref);
            continue;
        }
        if (!it)
            fail_msg("%s line %ld: no item", current, cases[i].line);
        if (cases[i].level && strcmp(tk_level_name(it->level), cases[i].level))
            fail_msg("%s line %ld: level %s, expected %s", current, cases[i].line, tk_level_name(it->level),
                     cases[i].level);
        if (cases[i].role && !has_role(it, cases[i].role))
            fail_msg("%s line %ld: no role %s (%s)", current, cases[i].line, cases[i].role, it->roles[0]);
        if (cases[i].role2 && !has_role(it, cases[i].role2))
            fail_msg("%s line %ld: no role %s", current, cases[i].line, cases[i].role2);
        if (cases[i].context && (!it->context || !strstr(it->context, cases[i].context)))
            fail_msg("%s line %ld: context「%s」, expected「%s」", current, cases[i].line,
                     it->context ? it->context : "", cases[i].context);
    }
    derived_free(d);
    tk_org_free(org);

    /* a child never takes a sibling's subject: 5.2(2)④ names none, so it is
     * one of the listed items given the fallback role, not 職員等 of ② */
    d = derive_seed("shime", &org);
    const tk_item *training = item_at_line(d->c, 586);
    assert_non_null(training);
    assert_false(has_role(training, "職員等"));
    bool listed = false;
    for (size_t i = 0; i < d->rep.nfallback_items; i++)
        listed |= d->rep.fallback_items[i].line == 586;
    assert_true(listed);
    derived_free(d);
    tk_org_free(org);

    /* 神戸's policy has no 統括情報セキュリティ責任者: the fallback is a role it names */
    d = derive_seed("kobe-sangyo", &org);
    assert_true(d->rep.fallback_named);
    assert_string_equal(d->rep.fallback_role, "情報セキュリティ責任者");
    derived_free(d);
    tk_org_free(org);
}

/* The coverage account: every line of each seed in one class, the counts
 * adding up, and no line that states an obligation left in a class that
 * says nothing (a description or a heading) without a warning. */
static void test_every_line_of_the_seeds_is_accounted_for(void **state)
{
    (void)state;
    static const char *forms[] = {"なければならない", "てはならない", "ではならない"};
    for (size_t k = 0; k < sizeof ORGS / sizeof ORGS[0]; k++) {
        tk_org *org;
        derived *d = derive_seed(ORGS[k], &org);
        size_t total = 0;
        for (int c = 0; c < TK_LC_COUNT; c++)
            total += d->rep.class_count[c];
        assert_int_equal(total, d->rep.lines);
        assert_int_equal(d->rep.class_count[TK_LC_UNSET], 0);
        for (size_t i = 1; i <= d->rep.lines; i++) {
            enum tk_line_class c = (enum tk_line_class)d->rep.line_class[i];
            if (c != TK_LC_DESCRIPTION && c != TK_LC_HEADING)
                continue;
            for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++)
                if (strstr(d->rep.line_text[i], forms[f]))
                    fail_msg("%s line %zu (%s) states an obligation: %s", ORGS[k], i, tk_line_class_label(c),
                             d->rep.line_text[i]);
        }
        /* each warned sentence's line is unclassified */
        for (size_t i = 0; i < d->rep.nunplaced; i++)
            assert_int_equal(d->rep.line_class[d->rep.unplaced[i].line], TK_LC_UNCLASSIFIED);
        derived_free(d);
        tk_org_free(org);
    }
}

static void test_every_obligation_of_the_seeds_is_an_item(void **state)
{
    (void)state;
    static const char *forms[] = {"なければならない", "なければならず", "てはならない", "ではならない", "ものとする",
                                  "努めなければならない"};
    for (size_t k = 0; k < sizeof ORGS / sizeof ORGS[0]; k++) {
        char path[256];
        snprintf(path, sizeof path, "checklists/%s/checklist.xml", ORGS[k]);
        tk_diags dg;
        tk_diags_init(&dg);
        tk_checklist *c = tk_checklist_load(path, "checklists", &dg);
        assert_non_null(c);
        tk_buf items;
        tk_buf_init(&items);
        for (size_t i = 0; i < c->nitems; i++) {
            squeeze(c->items[i].context ? c->items[i].context : "", &items);
            tk_buf_putc(&items, '\x1e');
            squeeze(c->items[i].text, &items);
            tk_buf_putc(&items, '\x1e');
            /* no item is a bare heading or comes from the table of contents */
            assert_false(strstr(c->items[i].text, "....."));
        }
        snprintf(path, sizeof path, "checklists/%s/policy.txt", ORGS[k]);
        tk_buf policy;
        assert_int_equal(tk_file_read(path, 1u << 24, &policy), 0);
        /* page numbers are not the policy's words */
        tk_buf body;
        tk_buf_init(&body);
        for (const char *l = policy.data; *l;) {
            const char *nl = strchr(l, '\n');
            size_t n = nl ? (size_t)(nl - l + 1) : strlen(l);
            bool digits = true;
            for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789 \r\n\t", l[i]))
                    digits = false;
            if (!digits)
                tk_buf_append(&body, l, n);
            l += n;
        }
        tk_buf sq;
        tk_buf_init(&sq);
        squeeze(body.data, &sq);
        tk_buf_free(&body);
        char *all = tk_buf_steal(&sq);
        size_t checked = 0, missing = 0;
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            for (const char *p = strstr(all, forms[f]); p; p = strstr(p + 1, forms[f])) {
                const char *s = p;
                for (int n = 0; n < 12 && s > all; n++) {
                    const char *q = s - 1;
                    while (q > all && ((unsigned char)*q & 0xC0) == 0x80)
                        q--;
                    const char *r = q;
                    int32_t cp = tk_utf8_next(&r, s);
                    if (cp == 0x3002 || cp == ')' || cp == 0xFF09 || (cp >= 0x2460 && cp <= 0x2473))
                        break;
                    s = q;
                }
                char clause[512];
                size_t len = (size_t)(p - s) + strlen(forms[f]);
                if (len >= sizeof clause)
                    continue;
                memcpy(clause, s, len);
                clause[len] = '\0';
                checked++;
                if (!strstr(items.data, clause)) {
                    missing++;
                    fprintf(stderr, "%s: 項目にない義務文: …%s\n", ORGS[k], clause);
                }
            }
        }
        assert_true(checked > 0);
        assert_int_equal(missing, 0);
        free(all);
        tk_buf_free(&policy);
        tk_buf_free(&items);
        tk_checklist_check_rules(c, NULL, &dg);
        assert_int_equal(dg.errors, 0);
        tk_checklist_free(c);
        tk_diags_free(&dg);
    }
}

static void test_seed_refs_point_at_the_provision(void **state)
{
    (void)state;
    static const struct {
        const char *org, *needle, *ref, *role;
    } cases[] = {
        {"shime", "CISO を補佐しなければならない", "対策基準 1(2)①", "統括情報セキュリティ責任者"},
        {"shime", "毎年度最低 1 回は", "対策基準 5.2(2)②", "職員等"},
        {"shime", "認証に用いる IC カード等を、職員等間で共有してはならない", "対策基準 5.4(1)①(ア)", "職員等"},
        {"shime", "全庁的な組織体制を確立する", "基本方針 6(1)", NULL},
        {"kobe-sangyo", "利用していた情報", "第２章 ７．（１）(コ)", "職員等情報取扱者"},
        {"kobe-sangyo", "業務上必要のないデータを作成してはならない", "第２章 ４．（２）(ウ)①", "職員等情報取扱者"},
        {"toride", "全庁的な組織体制を確立する", "6.(1)", NULL},
        {"ogasawara", "情報セキュリティポリシー及び情報セキュリティ実施手順を遵守しなければならない", "第1章 5", "職員等"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "checklists/%s/checklist.xml", cases[i].org);
        tk_diags dg;
        tk_diags_init(&dg);
        tk_checklist *c = tk_checklist_load(path, "checklists", &dg);
        assert_non_null(c);
        const tk_item *it = item_with(c, cases[i].needle);
        if (!it)
            fail_msg("%s: no item with「%s」", cases[i].org, cases[i].needle);
        if (strcmp(it->ref, cases[i].ref))
            fail_msg("%s:「%s」has ref %s, expected %s", cases[i].org, cases[i].needle, it->ref, cases[i].ref);
        if (cases[i].role)
            assert_true(has_role(it, cases[i].role));
        tk_checklist_free(c);
        tk_diags_free(&dg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marker_styles),
        cmocka_unit_test(test_marker_rejects_numbers_in_prose),
        cmocka_unit_test(test_obligation_forms),
        cmocka_unit_test(test_declarations_only_in_basic_policy),
        cmocka_unit_test(test_guideline_numbering_gives_refs),
        cmocka_unit_test(test_fullwidth_numbering_keeps_its_style),
        cmocka_unit_test(test_article_style_refs),
        cmocka_unit_test(test_article_title_on_the_article_line),
        cmocka_unit_test(test_parts_restart_numbering),
        cmocka_unit_test(test_lead_in_splits_into_sub_items),
        cmocka_unit_test(test_pdf_text_is_rejoined_and_cleaned),
        cmocka_unit_test(test_table_of_contents_is_not_read),
        cmocka_unit_test(test_subjects_map_to_org_roles),
        cmocka_unit_test(test_roles_are_discovered_from_the_structure_section),
        cmocka_unit_test(test_obligation_outside_any_section_is_reported),
        cmocka_unit_test(test_ids_are_stable_and_follow_renumbering),
        cmocka_unit_test(test_same_words_in_two_places_get_two_ids),
        cmocka_unit_test(test_shift_jis_and_utf16_read_like_utf8),
        cmocka_unit_test(test_hostile_inputs_are_refused_clearly),
        cmocka_unit_test(test_random_policy_like_text_never_crashes),
        cmocka_unit_test(test_committed_checklists_are_what_derive_makes),
        cmocka_unit_test(test_every_obligation_of_the_seeds_is_an_item),
        cmocka_unit_test(test_seed_refs_point_at_the_provision),
        cmocka_unit_test(test_unnumbered_lines_under_a_lead_in_are_its_items),
        cmocka_unit_test(test_definitions_threats_and_remits_are_classified_not_items),
        cmocka_unit_test(test_issue_examples_on_the_seeds),
        cmocka_unit_test(test_every_line_of_the_seeds_is_accounted_for),
    };
    return cmocka_run_group_tests_name("derive", tests, NULL, NULL);
}
