/* test_derive_scale.c — derive takes time and memory in proportion to the
 * policy, however deep its numbering nests.
 *
 * The policies are made here: chapters (第1章) whose numbering nests 1.,
 * (1), ①, ア, （ア）, a., i. and the same styles again, deeper than derive
 * follows, with provisions that name a role, name none, or name an actor
 * the organisation does not have, and unnumbered obligation lines that no
 * item takes, and titles on every other level, so that sections nest as
 * deep (tests/gen_deep_policy.py writes the same shape to a file).
 * Each size is derived (and written as XML) in a child process, so that its CPU time and peak
 * memory are its own (getrusage of the child): four times the lines must
 * cost well under eight times the time (quadratic: sixteen), and memory
 * must grow linearly too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32 /* the measuring child process: fork, wait4 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#endif
#include <unistd.h>

#include "tenken/checklist.h"
#include "tenken/derive.h"
#include "tenken/util.h"
#include "testutil.h"

static const char *const KATA[] = {"ア", "イ", "ウ", "エ", "オ"};
static const char *const CIRCLED[] = {"①", "②", "③", "④", "⑤"};
static const char *const ROMAN[] = {"i", "ii", "iii", "iv", "v"};
static const char *const ROLES[] = {"職員等", "情報セキュリティ管理者", "情報システム管理者"};
static const char *const OBJS[] = {"情報資産", "端末", "記録媒体", "パスワード", "通信回線"};
static const char *const VERBS[] = {"適切に管理しなければならない", "定期的に確認しなければならない",
                                    "記録を作成し、保存しなければならない", "許可なく持ち出してはならない"};

/* The marker of the k-th (1-based, k <= 5) sibling at depth (1-based). */
static void put_marker(tk_buf *b, int depth, int k)
{
    switch ((depth - 1) % 7) {
    case 0:
        tk_buf_printf(b, "%d.", k);
        break;
    case 1:
        tk_buf_printf(b, "(%d)", k);
        break;
    case 2:
        tk_buf_puts(b, CIRCLED[k - 1]);
        break;
    case 3:
        tk_buf_puts(b, KATA[k - 1]);
        break;
    case 4:
        tk_buf_printf(b, "（%s）", KATA[k - 1]);
        break;
    case 5:
        tk_buf_printf(b, "%c.", 'a' + k - 1);
        break;
    default:
        tk_buf_printf(b, "%s.", ROMAN[k - 1]);
        break;
    }
}

/* A provision's sentence: a role's, no one's, or an actor's the org lacks. */
static void put_sentence(tk_buf *b, unsigned n)
{
    const char *obj = OBJS[n % 5], *verb = VERBS[(n / 5) % 4];
    switch (n % 6) {
    case 0:
        tk_buf_printf(b, "%sは、%sについて、%s。", ROLES[(n / 6) % 3], obj, verb);
        break;
    case 1:
    case 2:
        tk_buf_printf(b, "%sについて、%s。", obj, verb);
        break;
    default:
        tk_buf_printf(b, "第%u委託事業者は、%sを%s。", n, obj, verb);
        break;
    }
}

/* A policy of nlines lines: chapters of a caterpillar numbering, a spine
 * 30 levels deep with three siblings at every level. */
static void deep_policy(size_t nlines, tk_buf *b)
{
    size_t lines = 0;
    unsigned n = 0;
    tk_buf_puts(b, "深層町情報セキュリティ対策基準\n\n");
    lines += 2;
    for (int chapter = 1; lines < nlines; chapter++) {
        tk_buf_printf(b, "第%d章 情報資産の管理 その%d\n", chapter, chapter);
        lines++;
        /* down the spine with the first sibling of each level (a title on
         * every other level), then back up with the second and third */
        int depth_max = 30;
        for (int d = 1; d <= depth_max && lines < nlines; d++, lines++) {
            for (int i = 0; i < (d - 1) % 13; i++)
                tk_buf_puts(b, "　");
            put_marker(b, d, 1);
            tk_buf_putc(b, ' ');
            if (d % 2 == 0) /* a title: a section of its own */
                tk_buf_printf(b, "%sの管理\n", OBJS[n++ % 5]);
            else {
                put_sentence(b, n++);
                tk_buf_putc(b, '\n');
            }
        }
        for (int d = depth_max; d >= 2 && lines < nlines; d--) {
            for (int k = 2; k <= 3 && lines < nlines; k++, lines++) {
                put_marker(b, d, k);
                tk_buf_putc(b, ' ');
                put_sentence(b, n++);
                tk_buf_putc(b, '\n');
            }
            if (lines < nlines) {
                /* an unnumbered obligation line */
                put_sentence(b, n++);
                tk_buf_putc(b, '\n');
                lines++;
            }
        }
    }
}

typedef struct cost {
    double cpu;  /* seconds of user + system time */
    long maxrss; /* kilobytes */
    size_t nitems;
} cost;

#ifndef _WIN32
/* Derives text in a child process; its CPU time, peak memory and items. */
static cost derive_in_child(const tk_buf *text)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        tk_diags diags;
        tk_diags_init(&diags);
        tk_derive_report rep;
        tk_derive_opts o = {.org_id = "scale", .name = "深層町", .source_name = "policy.txt"};
        tk_checklist *c = tk_derive(text->data, text->len, "policy.txt", &o, &rep, &diags);
        size_t n = c ? c->nitems : 0;
        tk_buf xml;
        tk_buf_init(&xml);
        if (c)
            tk_checklist_to_xml(c, &xml);
        tk_buf_free(&xml);
        ssize_t w = write(fd[1], &n, sizeof n);
        tk_checklist_free(c);
        tk_derive_report_free(&rep);
        tk_diags_free(&diags);
        _exit(w == (ssize_t)sizeof n ? 0 : 1);
    }
    close(fd[1]);
    cost k = {0};
    assert_int_equal(read(fd[0], &k.nitems, sizeof k.nitems), (ssize_t)sizeof k.nitems);
    close(fd[0]);
    int status = 0;
    struct rusage ru;
    assert_int_equal(wait4(pid, &status, 0, &ru), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    k.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
            (double)ru.ru_stime.tv_usec / 1e6;
    k.maxrss = ru.ru_maxrss;
    return k;
}

/* The cheapest of three runs: a busy machine only ever adds time. */
static cost measure(size_t nlines)
{
    tk_buf text;
    tk_buf_init(&text);
    deep_policy(nlines, &text);
    cost best = {0};
    for (int i = 0; i < 3; i++) {
        cost k = derive_in_child(&text);
        if (i == 0 || k.cpu < best.cpu)
            best = k;
    }
    tk_buf_free(&text);
    return best;
}
#endif

static void test_deep_policy_nests_past_what_derive_follows(void **state)
{
    (void)state;
    tk_buf text;
    tk_buf_init(&text);
    deep_policy(200, &text);
    tk_diags diags;
    tk_diags_init(&diags);
    tk_derive_report rep;
    tk_derive_opts o = {.org_id = "scale", .source_name = "policy.txt"};
    tk_checklist *c = tk_derive(text.data, text.len, "policy.txt", &o, &rep, &diags);
    assert_non_null(c);
    /* nested refs of eight levels and more: 1.(1)①ア（ア）a.i. … in
     * sections as deep */
    size_t deepest = 0;
    for (size_t i = 0; i < c->nitems; i++) {
        size_t len = strlen(c->items[i].ref);
        if (len > deepest)
            deepest = len;
    }
    assert_true(deepest > 40);
    size_t depth = 0;
    for (size_t i = 0; i < c->nitems; i++) {
        size_t d = 0;
        for (const tk_section *sec = c->items[i].section; sec; sec = sec->parent)
            d++;
        if (d > depth)
            depth = d;
    }
    assert_true(depth >= 8);
    assert_true(c->nitems > 100);
    /* the actors the org lacks and the items that name no one are noted */
    assert_true(rep.nunmapped > c->nitems / 3);
    assert_true(rep.nfallback_items > c->nitems / 6);
    tk_checklist_free(c);
    tk_derive_report_free(&rep);
    tk_diags_free(&diags);
    tk_buf_free(&text);
}

static void test_derive_time_and_memory_grow_linearly_with_deep_numbering(void **state)
{
    (void)state;
#ifdef _WIN32
    skip(); /* no fork or getrusage: measured on Linux */
#else
    cost small = measure(2000), mid = measure(4000), big = measure(8000);
    fprintf(stderr, "derive: 2000 行 %.3f 秒 %ld KB, 4000 行 %.3f 秒 %ld KB, 8000 行 %.3f 秒 %ld KB\n", small.cpu,
            small.maxrss, mid.cpu, mid.maxrss, big.cpu, big.maxrss);
    assert_true(big.nitems > 3 * small.nitems);
#ifdef __SANITIZE_ADDRESS__
    /* ASan keeps freed memory in quarantine and pays per allocation: the
     * peak is the sum of everything allocated, the time far from 4x; only
     * a blatant quadratic shows */
    assert_true(big.cpu < 10.0 * small.cpu + 0.1);
#else
    /* linear: 4x the time (n log n a little more); quadratic: 16x */
    assert_true(big.cpu < 8.0 * small.cpu + 0.05);
    /* memory: what 4000 more lines add is twice what 2000 add (2.0 here;
     * the note lists copied per note gave 2.85, growing with the size) */
    long d1 = mid.maxrss - small.maxrss, d2 = big.maxrss - mid.maxrss;
    assert_true(d1 > 0);
    assert_true((double)d2 <= 2.5 * (double)d1);
#endif
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deep_policy_nests_past_what_derive_follows),
        cmocka_unit_test(test_derive_time_and_memory_grow_linearly_with_deep_numbering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
