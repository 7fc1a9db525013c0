/* testutil.h — shared by the cmocka suites. */
#ifndef TENKEN_TESTUTIL_H
#define TENKEN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tenken/util.h"

/* The exit status of a shell command made from fmt (-1 when it could not
 * run, 128 when a signal ended it). */
static inline int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int sh(const char *fmt, ...)
{
#ifdef _WIN32
    /* the Windows build runs under wine, where there is no shell for the
     * command: the test is skipped (windows/test.sh runs the same cycle
     * with tenken.exe from the Linux side) */
    (void)fmt;
    skip();
#endif
    va_list ap;
    va_start(ap, fmt);
    char *cmd = tk_vformat(fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    free(cmd);
    return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* Remove a temporary folder and everything in it (rm -rf without a shell,
 * so that it works in the Windows build too). 0 or -1. */
static inline int rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *child = tk_xmalloc(n);
        snprintf(child, n, "%s/%s", path, e->d_name);
        if (rm_tree(child) != 0)
            rc = -1;
        free(child);
    }
    closedir(d);
    return rmdir(path) == 0 ? rc : -1;
}

/* The one number a query on database db gives (COUNT(*) and the like),
 * read as another process would, waiting for a writer; a query SQLite
 * refuses fails the test with its message. */
static inline long db_count(const char *db, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return v;
}

/* PRAGMA integrity_check of database db says ok. */
static inline void db_integrity_ok(const char *db)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    sqlite3_close(h);
}

/* Can the tests fill workbooks the way a user's tools save them? */
static inline bool have_openpyxl(void) { return sh("/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1") == 0; }

#endif
