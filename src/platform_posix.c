/* platform_posix.c — the platform layer on Debian (see platform.h). */
#include "tenken/platform.h"

#include <limits.h>
#include <openssl/evp.h>

int tk_platform_sha256(const void *data, size_t len, unsigned char md[32])
{
    unsigned int mdlen = 0;
    unsigned char buf[EVP_MAX_MD_SIZE];
    if (!EVP_Digest(data, len, buf, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return -1;
    for (unsigned i = 0; i < 32; i++)
        md[i] = buf[i];
    return 0;
}

int tk_platform_max_workers(void) { return INT_MAX; }

long tk_platform_utc_offset(time_t t, const struct tm *local)
{
    (void)t;
    return local->tm_gmtoff;
}
