/* iconv.h for the Windows build: between UTF-8, UTF-16 (LE, BE, or with a
 * byte order mark) and CP932, by Windows' own code page tables
 * (src/win/platform_win.c). */
#ifndef TENKEN_ICONV_H
#define TENKEN_ICONV_H
#include <stddef.h>
typedef struct tk_win_iconv *iconv_t;
iconv_t iconv_open(const char *to, const char *from);
size_t iconv(iconv_t cd, char **in, size_t *inleft, char **out, size_t *outleft);
int iconv_close(iconv_t cd);
#endif
