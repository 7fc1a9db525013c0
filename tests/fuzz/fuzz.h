/* fuzz.h — what the harnesses under tests/fuzz/ share.
 *
 * Each harness is one function, tk_fuzz_<name>(data, size), that feeds the
 * bytes to one reader of untrusted input and frees everything. Built with
 * TK_FUZZ_DRIVER (make fuzz, afl-clang-fast -fsanitize=fuzzer) it is also the
 * libFuzzer-style entry point LLVMFuzzerTestOneInput that AFL++ drives;
 * tests/test_fuzz_replay.c includes the same files and runs every file of
 * tests/fuzz/corpus/<name>/ through the same functions under the normal
 * compiler, plain and with ASan + UBSan (make test). */
#ifndef TENKEN_FUZZ_H
#define TENKEN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The loaders that read a path get the bytes through one scratch file per
 * process (created on first use, removed at exit); NULL when it cannot be
 * written. */
static char tk_fuzz_path[64];

static void tk_fuzz_remove_scratch(void)
{
    if (tk_fuzz_path[0])
        unlink(tk_fuzz_path);
}

static inline const char *tk_fuzz_scratch(const uint8_t *data, size_t size, const char *suffix)
{
    if (!tk_fuzz_path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(tk_fuzz_path, sizeof tk_fuzz_path, "%s/tkfuzz-%ld%s", dir && strlen(dir) < 24 ? dir : "/tmp",
                 (long)getpid(), suffix);
        atexit(tk_fuzz_remove_scratch);
    }
    FILE *f = fopen(tk_fuzz_path, "wb");
    if (!f)
        return NULL;
    size_t w = size ? fwrite(data, 1, size, f) : 0;
    if (fclose(f) != 0 || w != size)
        return NULL;
    return tk_fuzz_path;
}

#ifdef TK_FUZZ_DRIVER
#define TK_FUZZ_ENTRY(fn)                                                                                            \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                                    \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                                     \
    {                                                                                                                \
        fn(data, size);                                                                                              \
        return 0;                                                                                                    \
    }
#else
#define TK_FUZZ_ENTRY(fn)
#endif

#endif
