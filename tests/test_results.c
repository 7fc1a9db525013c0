/* test_results.c — a campaign's figures at prefecture scale: the results of
 * N and of 4N departments hold the same memory per department (no row per
 * answer is kept), every grouping equals the answers counted here by hand,
 * and the rows read back one department at a time are that department's. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/checklist.h"
#include "tenken/results.h"
#include "tenken/store.h"
#include "testutil.h"

#if defined(__GLIBC__)
#include <malloc.h>
/* Bytes malloc has handed out and not had back (in its heap and mapped on
 * their own); 0 where it keeps no count
 * (a sanitizer's allocator, another C library). */
static long heap_in_use(void)
{
    malloc_trim(0);
    struct mallinfo2 m = mallinfo2();
    return (long)(m.uordblks + m.hblkhd); /* large blocks are mapped on their own */
}
#else
static long heap_in_use(void) { return 0; }
#endif

#define NITEMS 30
#define NCHAPTERS 3

static char dir[256];

static const char *const VALUES[] = {"実施している", "一部実施している", "実施していない", "該当しない"};
static const double POINTS[] = {1, 0.5, 0, 0};

/* The answer of department d to item k: an index into VALUES, -1 when left
 * blank; departments d % 7 == 6 have not returned their workbook. */
static int answer_of(int d, int k)
{
    int v = (d * 7 + k * 3) % 11;
    return v < 5 ? 0 : v < 7 ? 1 : v < 9 ? 2 : v < 10 ? 3 : -1;
}
static bool returned(int d) { return d % 7 != 6; }
static double weight_of(int k) { return k % 4 == 0 ? 2 : 1; }
static const char *roles_of(int k) { return k % 3 == 0 ? "staff" : k % 3 == 1 ? "admin" : "admin staff"; }
static const char *level_of(int k) { return k % 5 == 0 ? "should" : "must"; }
static bool flagged(int d, int k) { return answer_of(d, k) == 2 && (d + k) % 2 == 0; }

static void exec(sqlite3 *h, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

/* A campaign of n departments, NITEMS items each, written straight into a
 * new database at path. */
static void make_campaign(const char *path, int n)
{
    unlink(path);
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(path, &d);
    assert_non_null(st);
    sqlite3 *h = tk_store_sqlite(st);
    exec(h, "BEGIN");
    exec(h, "INSERT INTO campaign (id, org, year, kind, checklist_hash, org_name, deadline, template, created_at) "
            "VALUES (1, 'big', 2026, 'self', 'x', '試験県', '2027-01-29', 'self.xml', '2026-12-01T09:00:00+09:00')");
    for (int i = 0; i < 4; i++) {
        char *q = sqlite3_mprintf("INSERT INTO campaign_answer (campaign_id, seq, value, points, excluded, negative) "
                                  "VALUES (1, %d, %Q, %g, %d, %d)",
                                  i + 1, VALUES[i], POINTS[i], i == 3, i == 1 || i == 2);
        exec(h, q);
        sqlite3_free(q);
    }
    for (int k = 0; k < NITEMS; k++) {
        char *q = sqlite3_mprintf("INSERT INTO campaign_item (campaign_id, item_id, seq, ref, level, roles, chapter, sheet, "
                                  "text, text_hash, weight) VALUES (1, 'i%02d', %d, '%d.%d', %Q, %Q, '第%d章', 's', 't', 'h', %g)",
                                  k, k + 1, k / 10 + 1, k % 10 + 1, level_of(k), roles_of(k), k / 10 + 1, weight_of(k));
        exec(h, q);
        sqlite3_free(q);
    }
    for (int dd = 0; dd < n; dd++) {
        char *q = sqlite3_mprintf(
            "INSERT INTO department (campaign_id, code, name, roles) VALUES (1, '%05d', '部署%d', 'admin');"
            "INSERT INTO workbook (id, campaign_id, department_code, token, file, items, created_at) "
            "VALUES (%d, 1, '%05d', 't%d', 'f%d.xlsx', %d, '2026-12-01T09:00:00+09:00');",
            dd, dd, dd + 1, dd, dd, dd, NITEMS);
        exec(h, q);
        sqlite3_free(q);
        if (returned(dd)) {
            q = sqlite3_mprintf("INSERT INTO submission (id, workbook_id, sha256, file, received_at, answered, flagged) "
                                "VALUES (%d, %d, 's%d', 'f.xlsx', '2027-01-10T10:00:00+09:00', 0, 0)",
                                dd + 1, dd + 1, dd);
            exec(h, q);
            sqlite3_free(q);
        }
        for (int k = 0; k < NITEMS; k++) {
            q = sqlite3_mprintf("INSERT INTO workbook_item (workbook_id, seq, item_id, sheet, row, text_hash) "
                                "VALUES (%d, %d, 'i%02d', 's', %d, 'h')",
                                dd + 1, k + 1, k, k + 5);
            exec(h, q);
            sqlite3_free(q);
            int a = answer_of(dd, k);
            if (!returned(dd) || a < 0)
                continue;
            q = sqlite3_mprintf("INSERT INTO answer (submission_id, item_id, value, evidence, flag, plan) "
                                "VALUES (%d, 'i%02d', %Q, %Q, %Q, %Q)",
                                dd + 1, k, VALUES[a], k % 2 ? "規程" : NULL, flagged(dd, k) ? "計画未記入" : NULL,
                                a == 1 ? "来年度に見直す" : NULL);
            exec(h, q);
            sqlite3_free(q);
        }
    }
    exec(h, "COMMIT");
    tk_store_close(st);
    tk_diags_free(&d);
}

static tk_results *load(const char *path)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(path, &d);
    assert_non_null(st);
    tk_results *r = NULL;
    assert_int_equal(tk_results_load(st, "big", 2026, "self", &r, &d), 1);
    tk_store_close(st);
    tk_diags_free(&d);
    return r;
}

/* Bytes the results of a campaign of n departments keep once loaded (the
 * database closed, so that its page cache is not counted). */
static long held_bytes(int n)
{
    char path[300];
    snprintf(path, sizeof path, "%s/n%d.db", dir, n);
    make_campaign(path, n);
    long before = heap_in_use();
    tk_results *r = load(path);
    long held = heap_in_use() - before;
    tk_results_free(r);
    return held;
}

static void test_memory_per_department_does_not_grow_with_its_answers(void **state)
{
    (void)state;
    if (heap_in_use() == 0)
        skip(); /* the allocator keeps no such count */
    long small = held_bytes(100), big = held_bytes(400);
    double per_dept = (double)(big - small) / 300.0;
    /* a row per answer would be NITEMS × (a cell and its strings), well over
     * 80 bytes each; a department's own tallies are a few hundred bytes */
    if (per_dept >= 24.0 * NITEMS)
        fail_msg("%.0f bytes per department (100: %ld, 400: %ld): the answers are kept", per_dept, small, big);
}

static void add_hand(tk_tally *t, int d, int k)
{
    int a = returned(d) ? answer_of(d, k) : -1;
    if (a < 0)
        tk_tally_add(t, weight_of(k), TK_ANSWER_NONE, 0, false);
    else
        tk_tally_add(t, weight_of(k), a == 3 ? TK_ANSWER_EXCLUDED : TK_ANSWER_SCORED, POINTS[a], a == 1 || a == 2);
}

static void same(const tk_tally *got, const tk_tally *want)
{
    assert_int_equal(got->issued, want->issued);
    assert_int_equal(got->excluded, want->excluded);
    assert_int_equal(got->answered, want->answered);
    assert_int_equal(got->negative, want->negative);
    assert_true(got->wsum == want->wsum);
    assert_true(got->wpoints == want->wpoints);
}

static void test_every_grouping_equals_the_answers_counted_by_hand(void **state)
{
    (void)state;
    const int n = 23;
    char path[300];
    snprintf(path, sizeof path, "%s/hand.db", dir);
    make_campaign(path, n);
    tk_results *r = load(path);
    assert_int_equal(r->ndepts, n);
    assert_int_equal(r->nitems, NITEMS);
    tk_group *g;
    tk_tally total, want = {0};
    /* by department, and the whole */
    size_t ng = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    assert_int_equal(ng, n);
    size_t flags = 0, evidenced = 0;
    for (int d = 0; d < n; d++) {
        tk_tally t = {0};
        for (int k = 0; k < NITEMS; k++) {
            add_hand(&t, d, k);
            add_hand(&want, d, k);
            flags += returned(d) && flagged(d, k);
            evidenced += returned(d) && answer_of(d, k) >= 0 && k % 2;
        }
        same(&g[d].tally, &t);
        assert_int_equal(g[d].index, (size_t)d);
    }
    same(&total, &want);
    assert_int_equal(r->flagged, flags);
    assert_int_equal(r->evidenced, evidenced);
    free(g);
    /* a literal: department 00000 answers 0,1,2 … by (3k) % 11 */
    char b[16];
    ng = tk_results_group(r, TK_BY_DEPARTMENT, &g, &total);
    tk_tally t0 = {0};
    for (int k = 0; k < NITEMS; k++)
        add_hand(&t0, 0, k);
    assert_string_equal(tk_fmt1(tk_tally_score(&g[0].tally), b), tk_fmt1(tk_tally_score(&t0), (char[16]){0}));
    free(g);
    /* by chapter and department × chapter */
    ng = tk_results_group(r, TK_BY_CHAPTER, &g, &total);
    assert_int_equal(ng, NCHAPTERS);
    for (int c = 0; c < NCHAPTERS; c++) {
        tk_tally t = {0};
        for (int d = 0; d < n; d++) {
            tk_tally dc = {0};
            for (int k = c * 10; k < c * 10 + 10; k++) {
                add_hand(&t, d, k);
                add_hand(&dc, d, k);
            }
            tk_tally got = tk_results_dept_chapter(r, (size_t)d, g[c].label);
            same(&got, &dc);
        }
        same(&g[c].tally, &t);
        assert_int_equal(g[c].index, (size_t)(c * 10));
    }
    free(g);
    /* by item */
    ng = tk_results_group(r, TK_BY_ITEM, &g, &total);
    assert_int_equal(ng, NITEMS);
    for (int k = 0; k < NITEMS; k++) {
        tk_tally t = {0};
        for (int d = 0; d < n; d++)
            add_hand(&t, d, k);
        same(&g[k].tally, &t);
    }
    free(g);
    /* by role, in the order the cells first name them: staff (item 0),
     * admin (item 1); an item of both counts for each */
    ng = tk_results_group(r, TK_BY_ROLE, &g, &total);
    assert_int_equal(ng, 2);
    assert_string_equal(g[0].code, "staff");
    assert_string_equal(g[1].code, "admin");
    for (int role = 0; role < 2; role++) {
        tk_tally t = {0};
        for (int d = 0; d < n; d++)
            for (int k = 0; k < NITEMS; k++)
                if (strstr(roles_of(k), role ? "admin" : "staff"))
                    add_hand(&t, d, k);
        same(&g[role].tally, &t);
    }
    free(g);
    /* by level: must before should */
    ng = tk_results_group(r, TK_BY_LEVEL, &g, &total);
    assert_int_equal(ng, 2);
    assert_string_equal(g[0].code, "must");
    assert_string_equal(g[1].code, "should");
    for (int l = 0; l < 2; l++) {
        tk_tally t = {0};
        for (int d = 0; d < n; d++)
            for (int k = 0; k < NITEMS; k++)
                if (!strcmp(level_of(k), l ? "should" : "must"))
                    add_hand(&t, d, k);
        same(&g[l].tally, &t);
    }
    free(g);
    tk_results_free(r);
}

static void test_one_departments_rows_are_read_back_alone(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/rows.db", dir);
    make_campaign(path, 9);
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(path, &d);
    tk_results *r = NULL;
    assert_int_equal(tk_results_load(st, "big", 2026, "self", &r, &d), 1);
    tk_arena *a = tk_arena_new();
    for (int dd = 0; dd < 9; dd++) {
        tk_res_cell *cells;
        long nc = tk_results_dept_cells(st, r, (size_t)dd, a, &cells, &d);
        assert_int_equal(nc, NITEMS);
        for (int k = 0; k < NITEMS; k++) {
            assert_int_equal(cells[k].dept, (size_t)dd);
            assert_int_equal(cells[k].item, (size_t)k);
            assert_int_equal(cells[k].answer, returned(dd) ? answer_of(dd, k) : -1);
            assert_int_equal(cells[k].flag != NULL, returned(dd) && flagged(dd, k));
            if (returned(dd) && answer_of(dd, k) == 1)
                assert_string_equal(cells[k].plan, "来年度に見直す");
        }
    }
    assert_int_equal(tk_results_find_dept(r, "00004"), 4);
    assert_int_equal(tk_results_find_dept(r, "99999"), -1);
    assert_int_equal(tk_results_find_item(r, "i17"), 17);
    assert_int_equal(tk_results_find_item(r, "zz"), -1);
    tk_arena_free(a);
    tk_results_free(r);
    tk_store_close(st);
    tk_diags_free(&d);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tk_results_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_per_department_does_not_grow_with_its_answers),
        cmocka_unit_test(test_every_grouping_equals_the_answers_counted_by_hand),
        cmocka_unit_test(test_one_departments_rows_are_read_back_alone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
