/* test_store.c — the read every module's queries go through
 * (tk_store_each_row): each row to the row callback, counted; the
 * callback's value stops the read and is returned; a lookup of one row says
 * 1 or 0; a step that fails ends the read with one diagnostic naming the
 * database, and the statement is given back either way. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/store.h"
#include "testutil.h"

static char dir[256];
static char db[300];

/* A row callback that keeps each value and stops the read at stop_at
 * (0: never), saying 7. */
typedef struct kept_rows {
    long v[8];
    size_t n;
    long stop_at;
} kept_rows;

static int keep_row(sqlite3_stmt *q, void *user)
{
    kept_rows *k = user;
    long v = (long)sqlite3_column_int64(q, 0);
    if (k->n < 8)
        k->v[k->n++] = v;
    return v == k->stop_at ? 7 : 0;
}

static const char VALUES_SQL[] = "SELECT value FROM json_each(?1)";

/* VALUES_SQL over the JSON array json, through tk_store_each_row. */
static int read_values(tk_store *st, const char *json, tk_store_row_fn row, void *user, long *n, tk_diags *d)
{
    sqlite3_stmt *q = tk_store_prepare(st, VALUES_SQL, d);
    assert_non_null(q);
    tk_store_bind_text(q, 1, json);
    return tk_store_each_row(st, q, row, user, n, d);
}

static void test_a_read_gives_every_row_and_stops_where_its_callback_says(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    assert_non_null(st);
    kept_rows k = {.stop_at = 0};
    long n = -1;
    assert_int_equal(read_values(st, "[1,2,3,4,5]", keep_row, &k, &n, &d), 0);
    assert_int_equal(n, 5);
    assert_int_equal(k.n, 5);
    assert_int_equal(k.v[4], 5);
    /* the same statement again (given back), stopped at its third row */
    k = (kept_rows){.stop_at = 3};
    assert_int_equal(read_values(st, "[1,2,3,4,5]", keep_row, &k, &n, &d), 7);
    assert_int_equal(n, 3); /* the row that stopped it counted */
    assert_int_equal(k.n, 3);
    /* a lookup: the first row's id, or none */
    int64_t id = 0;
    assert_int_equal(read_values(st, "[42,43]", tk_store_row_id, &id, NULL, &d), 1);
    assert_int_equal(id, 42);
    assert_int_equal(read_values(st, "[]", tk_store_row_id, &id, &n, &d), 0);
    assert_int_equal(n, 0);
    assert_int_equal(d.count, 0);
    tk_store_close(st);
    tk_diags_free(&d);
}

static void test_a_failed_step_ends_the_read_with_one_diagnostic(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_store *st = tk_store_open(db, &d);
    assert_non_null(st);
    /* the third row is malformed JSON: its step fails */
    sqlite3_stmt *q =
        tk_store_prepare(st, "SELECT CASE WHEN value < 3 THEN value ELSE json('{') END FROM json_each('[1,2,3,4]')", &d);
    assert_non_null(q);
    kept_rows k = {.stop_at = 0};
    long n = -1;
    assert_int_equal(tk_store_each_row(st, q, keep_row, &k, &n, &d), -1);
    assert_int_equal(n, 2);
    assert_int_equal(k.n, 2);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].file, db);
    assert_non_null(strstr(d.items[0].message, "データベースの読み出しに失敗しました"));
    /* the statement was given back: the next read goes on */
    k = (kept_rows){.stop_at = 0};
    assert_int_equal(read_values(st, "[1]", keep_row, &k, &n, &d), 0);
    assert_int_equal(n, 1);
    tk_store_close(st);
    tk_diags_free(&d);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tk_store_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/store.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_read_gives_every_row_and_stops_where_its_callback_says),
        cmocka_unit_test(test_a_failed_step_ends_the_read_with_one_diagnostic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
