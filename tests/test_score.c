/* test_score.c — the scoring formula on hand-made cases. */
#include <math.h>
#include <string.h>

#include "tenken/score.h"
#include "testutil.h"

static void test_weights_points_and_exclusions(void **state)
{
    (void)state;
    tk_tally t = {0};
    tk_tally_add(&t, 1, TK_ANSWER_SCORED, 1, false);
    tk_tally_add(&t, 2, TK_ANSWER_SCORED, 0.5, true);
    tk_tally_add(&t, 1, TK_ANSWER_SCORED, 0, true);
    tk_tally_add(&t, 3, TK_ANSWER_EXCLUDED, 0, false);
    tk_tally_add(&t, 1, TK_ANSWER_NONE, 0, false);
    /* 100 × (1×1 + 2×0.5 + 1×0) / (1 + 2 + 1) = 50 */
    assert_true(fabs(tk_tally_score(&t) - 50.0) < 1e-12);
    assert_int_equal(t.issued, 5);
    assert_int_equal(tk_tally_applicable(&t), 4);
    assert_int_equal(t.answered, 3);
    assert_int_equal(t.negative, 2);
    assert_true(fabs(tk_tally_answer_rate(&t) - 75.0) < 1e-12);
}

static void test_empty_and_all_excluded_groups(void **state)
{
    (void)state;
    tk_tally t = {0};
    char b[16];
    assert_true(isnan(tk_tally_score(&t)));
    assert_true(isnan(tk_tally_answer_rate(&t)));
    assert_string_equal(tk_fmt1(tk_tally_score(&t), b), "—");
    tk_tally_add(&t, 1, TK_ANSWER_EXCLUDED, 0, false);
    assert_true(isnan(tk_tally_score(&t)));
    assert_true(isnan(tk_tally_answer_rate(&t)));
    tk_tally_add(&t, 1, TK_ANSWER_NONE, 0, false);
    assert_true(isnan(tk_tally_score(&t)));
    assert_true(fabs(tk_tally_answer_rate(&t)) < 1e-12);
}

static void test_merge_equals_adding_everything(void **state)
{
    (void)state;
    tk_tally a = {0}, b = {0}, all = {0};
    tk_tally_add(&a, 1, TK_ANSWER_SCORED, 1, false);
    tk_tally_add(&all, 1, TK_ANSWER_SCORED, 1, false);
    tk_tally_add(&b, 1, TK_ANSWER_SCORED, 0.5, true);
    tk_tally_add(&all, 1, TK_ANSWER_SCORED, 0.5, true);
    tk_tally_add(&b, 1, TK_ANSWER_NONE, 0, false);
    tk_tally_add(&all, 1, TK_ANSWER_NONE, 0, false);
    tk_tally_merge(&a, &b);
    assert_memory_equal(&a, &all, sizeof a);
}

static void test_one_decimal_rounded_half_up(void **state)
{
    (void)state;
    char b[16];
    assert_string_equal(tk_fmt1(87.25, b), "87.3");
    assert_string_equal(tk_fmt1(87.35, b), "87.4");
    assert_string_equal(tk_fmt1(0.05, b), "0.1");
    assert_string_equal(tk_fmt1(0.15, b), "0.2");
    assert_string_equal(tk_fmt1(99.95, b), "100.0");
    assert_string_equal(tk_fmt1(100, b), "100.0");
    assert_string_equal(tk_fmt1(0, b), "0.0");
    assert_string_equal(tk_fmt1(87.249, b), "87.2");
    /* a score computed the way the formula does it: 349 / 400 */
    tk_tally t = {0};
    for (int i = 0; i < 400; i++)
        tk_tally_add(&t, 1, TK_ANSWER_SCORED, i < 349 ? 1 : 0, i >= 349);
    assert_string_equal(tk_fmt1(tk_tally_score(&t), b), "87.3");
    /* 2 of 3: 66.666… */
    tk_tally u = {0};
    tk_tally_add(&u, 1, TK_ANSWER_SCORED, 1, false);
    tk_tally_add(&u, 1, TK_ANSWER_SCORED, 1, false);
    tk_tally_add(&u, 1, TK_ANSWER_SCORED, 0, true);
    assert_string_equal(tk_fmt1(tk_tally_score(&u), b), "66.7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_points_and_exclusions),
        cmocka_unit_test(test_empty_and_all_excluded_groups),
        cmocka_unit_test(test_merge_equals_adding_everything),
        cmocka_unit_test(test_one_decimal_rounded_half_up),
    };
    return cmocka_run_group_tests_name("score", tests, NULL, NULL);
}
