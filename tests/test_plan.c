/* test_plan.c — every transition of a remediation plan, allowed and refused. */
#include <string.h>

#include "tenken/plan.h"
#include "testutil.h"

static tk_date D(int y, int m, int d) { return (tk_date){y, m, d}; }
static const tk_date NONE = {0, 0, 0};

static bool check(enum tk_plan_status from, tk_plan_change ch, char *why)
{
    return tk_plan_check(from, D(2027, 3, 31), &ch, why, 256);
}

static void test_open_plans_move_forward(void **state)
{
    (void)state;
    char why[256];
    assert_true(check(TK_PLAN_NOT_STARTED, (tk_plan_change){.to = TK_PLAN_IN_PROGRESS}, why));
    assert_true(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_IN_PROGRESS, .note = "台帳を作成中"}, why));
    assert_true(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_DONE, .date = D(2027, 2, 1)}, why));
    assert_true(check(TK_PLAN_NOT_STARTED, (tk_plan_change){.to = TK_PLAN_DONE, .date = D(2027, 2, 1)}, why));
    assert_true(check(TK_PLAN_POSTPONED, (tk_plan_change){.to = TK_PLAN_IN_PROGRESS}, why));
    assert_true(check(TK_PLAN_IN_PROGRESS,
                      (tk_plan_change){.to = TK_PLAN_POSTPONED, .new_due = D(2027, 9, 30), .reason = "予算措置が来年度のため"}, why));
    assert_true(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_RISK_ACCEPTED, .date = D(2027, 3, 10)}, why));
}

static void test_closing_without_a_date_is_refused(void **state)
{
    (void)state;
    char why[256];
    assert_false(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_DONE, .date = NONE}, why));
    assert_non_null(strstr(why, "完了日"));
    assert_false(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_RISK_ACCEPTED}, why));
    assert_non_null(strstr(why, "決定日"));
}

static void test_postponing_needs_a_reason_and_a_later_date(void **state)
{
    (void)state;
    char why[256];
    assert_false(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_POSTPONED, .new_due = D(2027, 9, 30)}, why));
    assert_non_null(strstr(why, "理由"));
    assert_false(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_POSTPONED, .new_due = D(2027, 9, 30), .reason = "　 "}, why));
    assert_false(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_POSTPONED, .reason = "人員不足"}, why));
    assert_non_null(strstr(why, "新たな完了予定日"));
    assert_false(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_POSTPONED, .new_due = D(2027, 3, 1), .reason = "人員不足"}, why));
    assert_non_null(strstr(why, "2027-03-31"));
}

static void test_closed_plans_take_no_change(void **state)
{
    (void)state;
    char why[256];
    assert_false(check(TK_PLAN_DONE, (tk_plan_change){.to = TK_PLAN_IN_PROGRESS}, why));
    assert_non_null(strstr(why, "完了"));
    assert_false(check(TK_PLAN_RISK_ACCEPTED, (tk_plan_change){.to = TK_PLAN_DONE, .date = D(2027, 1, 1)}, why));
    assert_false(check(TK_PLAN_IN_PROGRESS, (tk_plan_change){.to = TK_PLAN_NOT_STARTED}, why));
}

static void test_status_names_and_overdue_days(void **state)
{
    (void)state;
    enum tk_plan_status s;
    assert_true(tk_plan_status_parse("対応中", &s));
    assert_int_equal(s, TK_PLAN_IN_PROGRESS);
    assert_true(tk_plan_status_parse(" リスク受容 ", &s));
    assert_int_equal(s, TK_PLAN_RISK_ACCEPTED);
    assert_true(tk_plan_status_parse("done", &s));
    assert_false(tk_plan_status_parse("終わった", &s));
    assert_int_equal(tk_plan_days_overdue(TK_PLAN_IN_PROGRESS, D(2027, 3, 31), D(2027, 4, 10)), 10);
    assert_int_equal(tk_plan_days_overdue(TK_PLAN_DONE, D(2027, 3, 31), D(2027, 4, 10)), 0);
    assert_int_equal(tk_plan_days_overdue(TK_PLAN_IN_PROGRESS, D(2027, 3, 31), D(2027, 3, 1)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_plans_move_forward),
        cmocka_unit_test(test_closing_without_a_date_is_refused),
        cmocka_unit_test(test_postponing_needs_a_reason_and_a_later_date),
        cmocka_unit_test(test_closed_plans_take_no_change),
        cmocka_unit_test(test_status_names_and_overdue_days),
    };
    return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
