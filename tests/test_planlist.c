/* test_planlist.c — plans listed overdue first, changed by the secretariat,
 * every change logged and none lost. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/generate.h"
#include "tenken/ingest.h"
#include "tenken/planlist.h"
#include "tenken/store.h"
#include "testutil.h"

static char dir[64], db[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tenken-plans-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/t.db", dir);
    if (!have_openpyxl())
        return 0;
    const char *deps[] = {"04"};
    tk_generate_opts o = {.org = "shime", .year = 2026, .departments = deps, .ndepartments = 1, .out_dir = dir, .db_path = db, .jobs = 1};
    tk_diags d;
    tk_diags_init(&d);
    tk_generate_result r;
    if (tk_generate_run(&o, &d, &r) != 0)
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/fill_workbooks.py --missing-plans 0 --seed 5 %s/filled '%s' >/dev/null", dir,
             r.workbooks[0].file);
    int rc = sh("%s", cmd);
    char filled[512];
    snprintf(filled, sizeof filled, "%s/filled/%s", dir, strrchr(r.workbooks[0].file, '/') + 1);
    tk_generate_result_free(&r);
    if (rc)
        return -1;
    tk_store *st = tk_store_open(db, &d);
    tk_ingest_result ir;
    tk_ingest_file(st, filled, NULL, &ir, &d);
    tk_store_close(st);
    tk_diags_free(&d);
    return ir.outcome == TK_INGEST_ACCEPTED ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return sh("%s", cmd) == 0 ? 0 : -1;
}

static long log_count(void)
{
    sqlite3 *h;
    sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM plan_log", -1, &q, NULL);
    sqlite3_step(q);
    long n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

static tk_plan_list list(enum tk_plan_filter f, tk_date today)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    tk_plan_query q = {.org = "shime", .year = 2026, .filter = f, .today = today};
    tk_plan_list l;
    assert_int_equal(tk_plans_list(st, &q, &l, &d), 0);
    tk_store_close(st);
    tk_diags_free(&d);
    return l;
}

static int apply(int64_t id, tk_plan_change ch)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    int rc = tk_plan_apply(st, id, &ch, &d);
    tk_store_close(st);
    tk_diags_free(&d);
    return rc;
}

static void test_plans_are_listed_overdue_first_and_changes_are_logged(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    tk_date later = {2027, 12, 1};
    tk_plan_list l = list(TK_PLANS_OPEN, later);
    assert_true(l.n >= 3);
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.rows[i - 1].days_overdue >= l.rows[i].days_overdue);
    assert_true(l.rows[0].days_overdue > 0);
    int64_t a = l.rows[0].id, b = l.rows[1].id, c = l.rows[2].id;
    tk_plan_list_free(&l);
    long logs = log_count();

    /* refused changes change nothing */
    assert_int_equal(apply(a, (tk_plan_change){.to = TK_PLAN_DONE}), 1);
    assert_int_equal(apply(a, (tk_plan_change){.to = TK_PLAN_POSTPONED, .new_due = {2028, 3, 31}}), 1);
    assert_int_equal(apply(999999, (tk_plan_change){.to = TK_PLAN_IN_PROGRESS}), 1);
    assert_int_equal(log_count(), logs);

    assert_int_equal(apply(a, (tk_plan_change){.to = TK_PLAN_IN_PROGRESS, .note = "台帳を作成中"}), 0);
    assert_int_equal(apply(a, (tk_plan_change){.to = TK_PLAN_DONE, .date = {2027, 2, 1}, .note = "台帳を整備した"}), 0);
    assert_int_equal(apply(a, (tk_plan_change){.to = TK_PLAN_IN_PROGRESS}), 1); /* closed */
    assert_int_equal(apply(b, (tk_plan_change){.to = TK_PLAN_POSTPONED, .new_due = {2028, 3, 31}, .reason = "予算措置が翌年度"}), 0);
    assert_int_equal(apply(c, (tk_plan_change){.to = TK_PLAN_RISK_ACCEPTED, .date = {2027, 3, 10}}), 0);
    assert_int_equal(log_count(), logs + 4);

    tk_plan_list done = list(TK_PLANS_DONE, later);
    assert_int_equal(done.n, 2);
    tk_plan_list_free(&done);
    tk_plan_list open = list(TK_PLANS_OPEN, later);
    for (size_t i = 0; i < open.n; i++) {
        assert_true(open.rows[i].id != a && open.rows[i].id != c);
        if (open.rows[i].id == b) {
            assert_string_equal(open.rows[i].due, "2028-03-31");
            assert_int_equal(open.rows[i].days_overdue, 0);
            assert_int_equal(open.rows[i].log_entries, 2);
        }
    }
    tk_plan_list_free(&open);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plans_are_listed_overdue_first_and_changes_are_logged),
    };
    return cmocka_run_group_tests_name("planlist", tests, setup, teardown);
}
