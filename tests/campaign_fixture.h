/* campaign_fixture.h — a campaign set up in a test's own folder and
 * database as the commands would (test_audit, test_followup): workbooks
 * issued with tk_generate_run, taken in with tk_ingest_file, and the
 * database asked for a count. */
#ifndef TENKEN_CAMPAIGN_FIXTURE_H
#define TENKEN_CAMPAIGN_FIXTURE_H

#include "tenken/generate.h"
#include "tenken/ingest.h"
#include "tenken/store.h"
#include "testutil.h"

/* db_count of the query fmt makes. */
static inline long fixture_count(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline long fixture_count(const char *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = tk_vformat(fmt, ap);
    va_end(ap);
    long v = db_count(db, sql);
    free(sql);
    return v;
}

/* Issue the campaign o says. On success the file of department want (the
 * last one issued when want is NULL; "" when none) into file[0..n) and the
 * number of workbooks into *nworkbooks (either may be NULL). The exit code
 * of tk_generate_run; its problems are left in d. */
static inline int fixture_generate(const tk_generate_opts *o, const char *want, char *file, size_t n, size_t *nworkbooks,
                                   tk_diags *d)
{
    tk_generate_result r;
    int rc = tk_generate_run(o, d, &r);
    if (rc != 0)
        return rc;
    if (file) {
        file[0] = '\0';
        for (size_t i = 0; i < r.nworkbooks; i++)
            if (!want || !strcmp(r.workbooks[i].code, want))
                snprintf(file, n, "%s", r.workbooks[i].file);
    }
    if (nworkbooks)
        *nworkbooks = r.nworkbooks;
    tk_generate_result_free(&r);
    return rc;
}

/* Take in one filled workbook into database db, as tenken ingest does;
 * the exit code, with the outcome in *r and the problems in d. */
static inline int fixture_ingest(const char *db, const char *path, tk_ingest_result *r, tk_diags *d)
{
    tk_store *st = tk_store_open(db, d);
    assert_non_null(st);
    int rc = tk_ingest_file(st, path, NULL, r, d);
    tk_store_close(st);
    return rc;
}

#endif
