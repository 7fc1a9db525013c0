/* test_fuzz_replay.c — every file of the fuzzing corpus (tests/fuzz/corpus/
 * <harness>/) through the same harness functions that AFL++ drives (make
 * fuzz), here with the normal compiler: make test runs it plain and under
 * ASan + UBSan, so an input that once crashed or leaked stays fixed. The
 * corpus holds the seeds and every input that ever found a problem. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#include "fuzz/fuzz_lists.c"
#include "fuzz/fuzz_policy.c"
#include "fuzz/fuzz_xlsx.c"

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Runs fn over the files of tests/fuzz/corpus/name in name order; returns
 * how many. */
static size_t replay(const char *name, void (*fn)(const uint8_t *, size_t))
{
    char dir[256];
    snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", name);
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        tk_buf b;
        tk_buf_init(&b);
        assert_int_equal(tk_file_read(path, 8u << 20, &b), 0);
        fn((const uint8_t *)b.data, b.len);
        tk_buf_free(&b);
        free(names[i]);
    }
    free(names);
    return n;
}

static void test_replay_xlsx_corpus(void **state)
{
    (void)state;
    assert_true(replay("xlsx", tk_fuzz_xlsx) >= 5);
}

static void test_replay_policy_corpus(void **state)
{
    (void)state;
    assert_true(replay("policy", tk_fuzz_policy) >= 5);
}

static void test_replay_lists_corpus(void **state)
{
    (void)state;
    assert_true(replay("lists", tk_fuzz_lists) >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_xlsx_corpus),
        cmocka_unit_test(test_replay_policy_corpus),
        cmocka_unit_test(test_replay_lists_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
