/* platform_posix.c — the platform layer on Debian (see platform.h). */
#include "tenken/platform.h"

#include <limits.h>
#include <nettle/sha2.h>

/* nettle: no set-up to pay for (OpenSSL 3 spent about a millisecond
 * reading its configuration and loading its providers before the first
 * digest, which every command paid for a hash or two). */
int tk_platform_sha256(const void *data, size_t len, unsigned char md[32])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, md);
    return 0;
}

int tk_platform_max_workers(void) { return INT_MAX; }

long tk_platform_utc_offset(time_t t, const struct tm *local)
{
    (void)t;
    return local->tm_gmtoff;
}
