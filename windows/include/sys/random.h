/* sys/random.h for the Windows build: the system's random generator (BCryptGenRandom). */
#ifndef TENKEN_SYS_RANDOM_H
#define TENKEN_SYS_RANDOM_H
#include <stddef.h>
#include <sys/types.h>
ssize_t tk_win_getrandom(void *buf, size_t len, unsigned flags);
#define getrandom tk_win_getrandom
#endif
