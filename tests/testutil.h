/* testutil.h — shared by the cmocka suites. */
#ifndef TENKEN_TESTUTIL_H
#define TENKEN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "tenken/util.h"

/* The exit status of a shell command made from fmt (-1 when it could not
 * run, 128 when a signal ended it). */
static inline int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = tk_vformat(fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    free(cmd);
    return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* Can the tests fill workbooks the way a user's tools save them? */
static inline bool have_openpyxl(void) { return sh("/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1") == 0; }

#endif
