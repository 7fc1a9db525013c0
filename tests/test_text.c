/* test_text.c — normalisation, kept form, widths, decoding. */
#include <stdlib.h>
#include <string.h>

#include "tenken/text.h"
#include "testutil.h"

static char *norm(const char *s) { return tk_text_norm_dup(s); }

static char *keep(const char *s)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_text_keep(s, strlen(s), &b);
    return tk_buf_steal(&b);
}

static void test_wrap_lines_count_wide_characters_twice(void **state)
{
    (void)state;
    assert_int_equal(tk_text_wrap_lines("", 10), 1);
    assert_int_equal(tk_text_wrap_lines("abcdefghij", 10), 1);
    assert_int_equal(tk_text_wrap_lines("abcdefghijk", 10), 2);
    assert_int_equal(tk_text_wrap_lines("情報資産管理", 10), 2); /* 12 units */
    assert_int_equal(tk_text_wrap_lines("職員\n等", 10), 2);
    assert_int_equal(tk_text_wrap_lines("ab", 0.5), 1); /* at least 2 units a line */
}

static void test_wrap_lines_never_break_before_small_kana_or_closing_bracket(void **state)
{
    (void)state;
    /* 7 wide characters fit a line of 14; ィ may not begin the next line, so
     * テ goes down with it: the second line starts ティ */
    assert_int_equal(tk_text_wrap_lines("情報セキュリティ", 14), 2);
    assert_int_equal(tk_text_wrap_lines("情報セキュリティ管理者", 16), 2);
    /* 「（職・氏名）」: the closing bracket stays on the line of 名 */
    assert_int_equal(tk_text_wrap_lines("回答者（職・氏名）", 16), 2);
    assert_int_equal(tk_text_wrap_lines("回答者（職・氏名）", 18), 1);
    /* a long unbreakable Latin word is cut between characters */
    assert_int_equal(tk_text_wrap_lines("abcdefghijklmnopqrstu", 10), 3);
    /* the line feed of CRLF is one new line */
    assert_int_equal(tk_text_wrap_lines("a\r\nb", 10), 2);
}

static void test_widest_word_is_the_widest_name_of_a_list(void **state)
{
    (void)state;
    assert_true(tk_text_widest_word("職員等、情報セキュリティ管理者") == 22.0);
    assert_true(tk_text_widest_word("CSIRT 職員等") == 6.0);
    assert_true(tk_text_widest_word("") == 0.0);
}

static void test_shorten_cuts_at_a_word_boundary(void **state)
{
    (void)state;
    tk_arena *a = tk_arena_new();
    const char *s = "情報セキュリティ管理者は、業務上必要と認めた場合は、自らの責任において許可する。";
    /* 26 code points end inside 自ら: the cut goes back to the word before */
    char *c = tk_text_shorten(a, s, 26);
    assert_string_equal(c, "情報セキュリティ管理者は、業務上必要と認めた場合は、…");
    assert_string_equal(tk_text_shorten(a, "短い文。", 48), "短い文。");
    assert_string_equal(tk_text_shorten(a, NULL, 4), "");
    /* never mid-word in the Latin script either */
    assert_string_equal(tk_text_shorten(a, "remote access gateway", 16), "remote access…");
    tk_arena_free(a);
}

static void test_word_next_walks_a_space_separated_list(void **state)
{
    (void)state;
    const char *p = "  職員等 CSIRT  情報システム管理者 ", *w;
    size_t n;
    assert_true(tk_word_next(&p, &w, &n));
    assert_int_equal(n, strlen("職員等"));
    assert_memory_equal(w, "職員等", n);
    assert_true(tk_word_next(&p, &w, &n));
    assert_memory_equal(w, "CSIRT", n);
    assert_true(tk_word_next(&p, &w, &n));
    assert_memory_equal(w, "情報システム管理者", n);
    assert_false(tk_word_next(&p, &w, &n));
    const char *empty = "";
    assert_false(tk_word_next(&empty, &w, &n));
}

static void test_norm_maps_fullwidth_and_removes_spaces(void **state)
{
    (void)state;
    char *n = norm("第 １ 条　（目的）");
    assert_string_equal(n, "第1条(目的)");
    free(n);
    n = norm("につい て");
    assert_string_equal(n, "について");
    free(n);
}

static void test_norm_maps_compatibility_and_kangxi_forms(void **state)
{
    (void)state;
    /* U+2FA7 KANGXI RADICAL LONG is 長; U+F9DC is a compatibility 隆 */
    char *n = norm("⾧期保管");
    assert_string_equal(n, "長期保管");
    free(n);
    n = norm("\xEF\xA7\x9C");
    assert_string_equal(n, "隆");
    free(n);
}

static void test_norm_reads_minus_after_katakana_as_long_vowel(void **state)
{
    (void)state;
    char *n = norm("サ−ビス・コンピュ−タ");
    assert_string_equal(n, "サービス・コンピュータ");
    free(n);
}

static void test_norm_unifies_japanese_commas(void **state)
{
    (void)state;
    char *n = norm("財団が取り扱う情報には，企業");
    assert_string_equal(n, "財団が取り扱う情報には、企業");
    free(n);
    n = norm("1,000円");
    assert_string_equal(n, "1,000円");
    free(n);
}

static void test_keep_form_keeps_words_as_written(void **state)
{
    (void)state;
    char *k = keep("６．（３）　⾧期保管のサ−ビス");
    /* full-width digits and the ideographic space stay; the radical and the
     * minus are mapped */
    assert_string_equal(k, "６．（３）　長期保管のサービス");
    free(k);
}

static void test_width_counts_wide_characters_twice(void **state)
{
    (void)state;
    assert_int_equal(tk_text_width("abc"), 3);
    assert_int_equal(tk_text_width("職員等"), 6);
    assert_int_equal(tk_text_width("ＡＢ"), 4);
    assert_int_equal(tk_text_width("ｱｲ"), 2); /* half-width katakana */
    tk_buf b;
    tk_buf_init(&b);
    tk_text_pad(&b, "総務課", 10);
    assert_int_equal(tk_text_width(b.data), 10);
    tk_buf_free(&b);
}

static void test_utf8_validation_finds_the_bad_byte(void **state)
{
    (void)state;
    const char s[] = "あい\xff" "う";
    size_t bad = 0;
    assert_false(tk_utf8_valid(s, strlen(s), &bad));
    assert_int_equal(bad, 6);
    assert_true(tk_utf8_valid("情報", strlen("情報"), NULL));
    /* overlong and surrogate forms are invalid */
    assert_false(tk_utf8_valid("\xC0\xAF", 2, NULL));
    assert_false(tk_utf8_valid("\xED\xA0\x80", 3, NULL));
}

static void test_decode_detects_bom_utf16_and_cp932(void **state)
{
    (void)state;
    tk_buf out;
    const char *enc;
    /* UTF-8 with BOM */
    assert_int_equal(tk_text_decode("\xEF\xBB\xBF" "職員", 9, &out, &enc), 0);
    assert_string_equal(enc, "UTF-8");
    assert_string_equal(out.data, "職員");
    tk_buf_free(&out);
    /* UTF-16LE with BOM: 職 = U+8077, 員 = U+54E1 */
    const char u16[] = {(char)0xFF, (char)0xFE, 0x77, (char)0x80, (char)0xE1, 0x54};
    assert_int_equal(tk_text_decode(u16, sizeof u16, &out, &enc), 0);
    assert_string_equal(enc, "UTF-16LE");
    assert_string_equal(out.data, "職員");
    tk_buf_free(&out);
    /* Shift_JIS: 職員 = 90 45 88 F5 */
    const char sj[] = {(char)0x90, 0x45, (char)0x88, (char)0xF5};
    assert_int_equal(tk_text_decode(sj, sizeof sj, &out, &enc), 0);
    assert_string_equal(enc, "CP932");
    assert_string_equal(out.data, "職員");
    tk_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_lines_count_wide_characters_twice),
        cmocka_unit_test(test_wrap_lines_never_break_before_small_kana_or_closing_bracket),
        cmocka_unit_test(test_widest_word_is_the_widest_name_of_a_list),
        cmocka_unit_test(test_shorten_cuts_at_a_word_boundary),
        cmocka_unit_test(test_word_next_walks_a_space_separated_list),
        cmocka_unit_test(test_norm_maps_fullwidth_and_removes_spaces),
        cmocka_unit_test(test_norm_maps_compatibility_and_kangxi_forms),
        cmocka_unit_test(test_norm_reads_minus_after_katakana_as_long_vowel),
        cmocka_unit_test(test_norm_unifies_japanese_commas),
        cmocka_unit_test(test_keep_form_keeps_words_as_written),
        cmocka_unit_test(test_width_counts_wide_characters_twice),
        cmocka_unit_test(test_utf8_validation_finds_the_bad_byte),
        cmocka_unit_test(test_decode_detects_bom_utf16_and_cp932),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
