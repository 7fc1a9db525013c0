/* test_derive_stages.c — the stages of derive one by one (src/derive_*.c,
 * through the private header): lines and markup, joining, the sentence
 * forms of lead-ins and plain verbs, subjects, the line classes. The whole
 * pipeline is tested in test_derive.c and on unseen styles in
 * test_derive_styles.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/derive_internal.h"
#include "testutil.h"

typedef struct stage {
    run r;
    tk_derive_report rep;
    tk_diags diags;
} stage;

static stage *stage_new(void)
{
    stage *s = calloc(1, sizeof *s);
    s->rep.arena = tk_arena_new();
    tk_diags_init(&s->diags);
    s->r.a = s->rep.arena;
    s->r.rep = &s->rep;
    s->r.diags = &s->diags;
    s->r.path = "policy.txt";
    return s;
}

static void stage_free(stage *s)
{
    tk_arena_free(s->rep.arena);
    tk_diags_free(&s->diags);
    free(s);
}

/* The physical lines of text, markup read and artefacts dropped. */
static pline *lines_of(stage *s, const char *text, size_t *n)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_puts(&b, text);
    pline *pl = tk_dv_read_lines(&s->r, &b, n);
    tk_buf_free(&b);
    assert_non_null(pl);
    tk_dv_read_markup(&s->r, pl, *n);
    tk_dv_drop_artefacts(&s->r, pl, *n);
    return pl;
}

static void test_markup_gives_headings_and_drops_what_is_no_text(void **state)
{
    (void)state;
    stage *s = stage_new();
    size_t n;
    pline *pl = lines_of(s, "## 3. 物理的セキュリティ\n"      /* 1 */
                            "第8条（取扱い）\n"                /* 2 */
                            "---------------\n"                /* 3 */
                            ".. note::\n"                      /* 4 */
                            "\n"                               /* 5 */
                            "   解説: 施錠しなければならない理由は…\n" /* 6 */
                            "所員は、**必ず**施錠しなければならない。\n" /* 7 */
                            ":施行日: 令和6年4月1日\n"         /* 8 */
                            "| 区分 | 内容 |\n",                /* 9 */
                        &n);
    assert_int_equal(n, 9);
    assert_true(pl[0].heading);
    assert_string_equal(pl[0].s, "3. 物理的セキュリティ");
    assert_true(pl[1].heading); /* underlined */
    assert_true(pl[2].drop);
    assert_int_equal(s->r.lclass[3], TK_LC_ARTEFACT);
    assert_true(pl[3].drop && pl[5].drop);
    assert_int_equal(s->r.lclass[4], TK_LC_COMMENTARY);
    assert_int_equal(s->r.lclass[6], TK_LC_COMMENTARY);
    assert_false(pl[6].drop);
    assert_string_equal(pl[6].s, "所員は、必ず施錠しなければならない。");
    assert_int_equal(s->r.lclass[8], TK_LC_DESCRIPTION);
    assert_int_equal(s->r.lclass[9], TK_LC_DESCRIPTION);
    assert_int_equal(s->r.lclass[5], TK_LC_BLANK);
    free(pl);
    stage_free(s);
}

static void test_ideographic_space_counts_in_the_indent(void **state)
{
    (void)state;
    stage *s = stage_new();
    size_t n;
    pline *pl = lines_of(s, "　パスワードを教えない\n  ログを点検する\n本文\n", &n);
    assert_int_equal(pl[0].indent, 2);
    assert_int_equal(pl[1].indent, 2);
    assert_int_equal(pl[2].indent, 0);
    free(pl);
    stage_free(s);
}

/* A numbered line as wide as the export wraps goes on to the next line; a
 * short title does not. */
static void test_join_follows_the_export_wrap_width(void **state)
{
    (void)state;
    stage *s = stage_new();
    tk_buf t;
    tk_buf_init(&t);
    /* a text wrapped at 38 full-width characters (76 columns) */
    static const char *const what[] = {"情報資産", "電磁的記録媒体", "端末", "サーバ"};
    for (int i = 0; i < 16; i++) /* each line its own words: no running header */
        tk_buf_printf(&t, "情報セキュリティ管理者は、所管する%sについて第%02d号の台帳を作成し、最新の\n"
                          "状態に保たなければならない。\n",
                      what[i % 4], i + 1);
    tk_buf_puts(&t, "⑤ 差出人が不明な電子メール又は不自然なファイルが添付された電子メールを受\n"
                    "信した場合は速やかに削除する。\n"
                    "⑥ 物理的セキュリティ\n"
                    "サーバを施錠された室に設置しなければならない。\n");
    size_t n, nll;
    pline *pl = lines_of(s, t.data, &n);
    lline *ll = tk_dv_join_lines(&s->r, pl, n, &nll);
    assert_int_equal(nll, 16 + 3);
    assert_true(ll[16].has_marker);
    assert_non_null(strstr(ll[16].raw.data, "受信した場合は速やかに削除する。"));
    assert_int_equal(ll[16].line, 33);
    assert_int_equal(ll[16].last, 34);
    assert_string_equal(ll[17].raw.data, "⑥ 物理的セキュリティ");
    tk_dv_free_lines(ll, nll);
    free(pl);
    tk_buf_free(&t);
    stage_free(s);
}

static void test_lead_in_forms(void **state)
{
    (void)state;
    static const char *leads[] = {"職員等は、次の事項を遵守しなければならない。", "以下を全て含む実施手順を整備しなければならない。",
                                  "下記事項を明記した契約を締結しなければならない。", "次に掲げる措置を講じること。",
                                  "その内容は次のとおりとする。", "遵守事項:"};
    for (size_t i = 0; i < sizeof leads / sizeof leads[0]; i++) {
        char *n = tk_text_norm_dup(leads[i]);
        if (!tk_dv_is_lead_in(n))
            fail_msg("not read as a lead-in: %s", leads[i]);
        free(n);
    }
    char *n = tk_text_norm_dup("職員等は、端末を施錠しなければならない。");
    assert_false(tk_dv_is_lead_in(n));
    free(n);
    n = tk_text_norm_dup("情報資産に対する脅威として、次の脅威を想定し、対策を実施する。");
    assert_true(tk_dv_is_descriptive_lead(n));
    free(n);
    n = tk_text_norm_dup("委員会は、次に掲げる事項を審議する。");
    assert_true(tk_dv_is_descriptive_lead(n));
    free(n);
    n = tk_text_norm_dup("職員等は、次の事項を遵守しなければならない。");
    assert_false(tk_dv_is_descriptive_lead(n));
    free(n);
}

static void test_plain_verbs_that_may_oblige(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool verb;
    } cases[] = {
        {"監査結果を取りまとめ、委員会に報告する。", true},
        {"アクセス記録を取得し、保存する。", true},
        {"委員会は、CISOを委員長として組織する。", false},
        {"課の長をもって充てる。", false},
        {"CISOは、最終決定権限を有する。", false},
        {"情報資産を利用することができる。", false},
        {"この規程は、令和5年4月1日から施行する。", false},
        {"情報システムをいう。", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = tk_text_norm_dup(cases[i].s);
        if (tk_dv_plain_verb_sentence(n) != cases[i].verb)
            fail_msg("%s: expected %s", cases[i].s, cases[i].verb ? "a plain verb" : "none");
        free(n);
    }
}

/* Subjects from the topic: its parts split at the connectors. */
static void test_subjects_come_from_the_topic(void **state)
{
    (void)state;
    stage *s = stage_new();
    static const char *names[] = {"情報セキュリティ管理者", "情報管理者", "情報システム管理者", "職員等", "CISO"};
    vocab *v = &s->r.v;
    v->names = names;
    v->canon = names;
    v->nnames = sizeof names / sizeof names[0];
    static const struct {
        const char *s;
        const char *want[3];
    } cases[] = {
        {"情報セキュリティ管理者及び事故等を引き起こした部門の情報管理者は、再発防止策を講じなければならない。",
         {"情報セキュリティ管理者", "情報管理者"}},
        {"外部の事業者に運用を委託し、又は委託しようとする情報システム管理者は、契約を確認しなければならない。",
         {"情報システム管理者"}},
        {"職員等は、事故を発見した場合は、直ちにCISOへ報告しなければならない。", {"職員等"}},
        {"委託事業者に対して、情報システム管理者は、監査を行わなければならない。", {"情報システム管理者"}},
        {"事故が発生した場合には、CISOに報告しなければならない。", {NULL}},
        {"情報セキュリティ管理者が提供する情報を確認しなければならない。", {NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = tk_text_norm_dup(cases[i].s);
        const char *roles[8];
        size_t got = tk_dv_sentence_subjects(v, n, roles, 8);
        size_t want = 0;
        while (want < 3 && cases[i].want[want])
            want++;
        if (got != want)
            fail_msg("%s: %zu roles, expected %zu", cases[i].s, got, want);
        for (size_t k = 0; k < want; k++)
            assert_string_equal(roles[k], cases[i].want[k]);
        free(n);
    }
    /* ROLEが…: the agent of a condition, never a relative clause */
    const char *roles[8];
    char *n = tk_text_norm_dup("職員等が外部からアクセスする場合は、許可を得なければならない。");
    assert_int_equal(tk_dv_opening_agent(v, n, true, roles, 8), 1);
    assert_string_equal(roles[0], "職員等");
    free(n);
    n = tk_text_norm_dup("情報セキュリティ管理者が提供する情報を確認しなければならない。");
    assert_int_equal(tk_dv_opening_agent(v, n, true, roles, 8), 0);
    assert_int_equal(tk_dv_opening_agent(v, n, false, roles, 8), 1);
    free(n);
    stage_free(s);
}

/* A class once given stays unless forced; blank lines and artefacts never
 * change. */
static void test_class_set_keeps_the_first_class(void **state)
{
    (void)state;
    stage *s = stage_new();
    size_t n;
    pline *pl = lines_of(s, "見出し\n\n本文の一行目\n本文の二行目\n", &n);
    tk_dv_class_set(&s->r, 1, 1, TK_LC_HEADING, "1", false);
    tk_dv_class_set(&s->r, 1, 4, TK_LC_DESCRIPTION, NULL, false);
    assert_int_equal(s->r.lclass[1], TK_LC_HEADING);
    assert_int_equal(s->r.lclass[2], TK_LC_BLANK);
    assert_int_equal(s->r.lclass[3], TK_LC_DESCRIPTION);
    tk_dv_class_set(&s->r, 3, 4, TK_LC_ITEM, "1", true);
    assert_int_equal(s->r.lclass[3], TK_LC_ITEM);
    assert_string_equal(s->r.lref[4], "1");
    assert_int_equal(s->r.lclass[2], TK_LC_BLANK);
    free(pl);
    stage_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup_gives_headings_and_drops_what_is_no_text),
        cmocka_unit_test(test_ideographic_space_counts_in_the_indent),
        cmocka_unit_test(test_join_follows_the_export_wrap_width),
        cmocka_unit_test(test_lead_in_forms),
        cmocka_unit_test(test_plain_verbs_that_may_oblige),
        cmocka_unit_test(test_subjects_come_from_the_topic),
        cmocka_unit_test(test_class_set_keeps_the_first_class),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
