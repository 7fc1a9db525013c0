/* testutil.h — shared by the cmocka suites. */
#ifndef TENKEN_TESTUTIL_H
#define TENKEN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#endif
