/* platform.h — what differs between Debian and Windows, behind one small
 * interface (src/platform_posix.c, src/win/platform_win.c). The rest of
 * tenken is written against POSIX; on Windows the few POSIX calls it makes
 * are provided by windows/include (see windows/README). */
#ifndef TENKEN_PLATFORM_H
#define TENKEN_PLATFORM_H

#include <stddef.h>
#include <time.h>

/* SHA-256 of data into md (32 bytes). 0, or -1 when the platform's
 * implementation fails. */
int tk_platform_sha256(const void *data, size_t len, unsigned char md[32]);

/* How many worker processes a command may run side by side: fork() where
 * there is one; 1 on Windows, where the work runs in the process itself. */
int tk_platform_max_workers(void);

/* The offset from UTC, in seconds, of local time at t (local is
 * localtime_r(&t)): tm_gmtoff where struct tm has it. */
long tk_platform_utc_offset(time_t t, const struct tm *local);

#endif
