/* test_workers.c — the worker pool: every job once, by either schedule;
 * what jobs print comes out in the jobs' order whatever order they end in;
 * a job whose worker dies is said in its place. */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>

#include "tenken/platform.h"
#include "tenken/workers.h"

#define NJOBS 24

typedef struct pool_test {
    int runs_here[NJOBS]; /* jobs run in this process */
    int done[NJOBS];      /* times the parent heard of each */
    char result[NJOBS][TK_WORKERS_RESULT];
    bool ok[NJOBS];
    int die_at; /* the job whose worker dies (-1: none) */
    pid_t parent;
} pool_test;

/* Later jobs end sooner: a worker that takes job i sleeps for (NJOBS - i)
 * milliseconds, so that the jobs end out of their order. */
static void nap(size_t i)
{
    usleep((useconds_t)(NJOBS - i) * 1000);
}

static int job_run(void *user, size_t i, char result[TK_WORKERS_RESULT], tk_diags *d)
{
    pool_test *t = user;
    (void)d;
    if (getpid() == t->parent)
        t->runs_here[i]++;
    nap(i);
    snprintf(result, TK_WORKERS_RESULT, "r%zu", i);
    return 0;
}

static int job_print(void *user, size_t i, char result[TK_WORKERS_RESULT], FILE *out, FILE *err, tk_diags *d)
{
    pool_test *t = user;
    (void)d;
    if ((int)i == t->die_at && getpid() != t->parent)
#ifdef SIGKILL
        raise(SIGKILL); /* as the kernel ends a worker out of memory */
#else
        _exit(3);
#endif
    nap(i);
    /* tabs and line ends as they are, on either stream */
    if (i % 3 == 0)
        fprintf(err, "job %zu:\tproblem\n  second line\n", i);
    else
        fprintf(out, "job %zu:\tfine\n", i);
    snprintf(result, TK_WORKERS_RESULT, "r%zu", i);
    return 0;
}

static void job_done(void *user, size_t i, bool ok, const char *result)
{
    pool_test *t = user;
    t->done[i]++;
    t->ok[i] = ok;
    snprintf(t->result[i], sizeof t->result[i], "%s", result);
}

static const char *job_file(void *user, size_t i)
{
    (void)user;
    static char names[NJOBS][16];
    snprintf(names[i], sizeof names[i], "f%02zu.xlsx", i);
    return names[i];
}

static tk_workers pool(pool_test *t, int jobs, bool hand_out, bool print)
{
    memset(t, 0, sizeof *t);
    t->die_at = -1;
    t->parent = getpid();
    tk_workers w = {.njobs = NJOBS,
                    .jobs = jobs,
                    .hand_out = hand_out,
                    .user = t,
                    .run = print ? NULL : job_run,
                    .run_print = print ? job_print : NULL,
                    .done = job_done,
                    .file = job_file,
                    .failed = "failed",
                    .lost = "lost"};
    return w;
}

/* Each job heard of once, ended well, with its own result. */
static void assert_each_once(const pool_test *t)
{
    for (size_t i = 0; i < NJOBS; i++) {
        char want[16];
        snprintf(want, sizeof want, "r%zu", i);
        assert_int_equal(t->done[i], 1);
        assert_true(t->ok[i]);
        assert_string_equal(t->result[i], want);
    }
}

static void test_every_job_once_by_either_schedule(void **state)
{
    (void)state;
    if (tk_platform_max_workers() < 2)
        skip();
    for (int hand_out = 0; hand_out <= 1; hand_out++) {
        pool_test t;
        tk_workers w = pool(&t, 3, hand_out, false);
        tk_diags d;
        tk_diags_init(&d);
        assert_int_equal(tk_workers_run(&w, &d), 0);
        assert_int_equal(w.workers, 3);
        assert_int_equal(d.count, 0);
        assert_each_once(&t);
        for (size_t i = 0; i < NJOBS; i++)
            assert_int_equal(t.runs_here[i], 0); /* all in workers */
        tk_diags_free(&d);
    }
}

/* Run w with stdout and stderr sent to files; their text. */
static int run_captured(tk_workers *w, tk_diags *d, tk_buf *out, tk_buf *err)
{
    char dir[] = "/tmp/tk_workersXXXXXX";
    assert_non_null(mkdtemp(dir));
    char po[64], pe[64];
    snprintf(po, sizeof po, "%s/out", dir);
    snprintf(pe, sizeof pe, "%s/err", dir);
    int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0600), fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fo >= 0 && fe >= 0);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = tk_workers_run(w, d);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    assert_int_equal(tk_file_read(po, 1 << 20, out), 0);
    assert_int_equal(tk_file_read(pe, 1 << 20, err), 0);
    rm_tree(dir);
    return rc;
}

static void test_printed_text_in_the_jobs_order(void **state)
{
    (void)state;
    tk_buf want_out, want_err;
    pool_test t;
    tk_workers w = pool(&t, 1, false, true);
    tk_diags d;
    tk_diags_init(&d);
    assert_int_equal(run_captured(&w, &d, &want_out, &want_err), 0);
    assert_int_equal(w.workers, 1);
    assert_each_once(&t);
    assert_non_null(strstr(want_err.data, "job 3:\tproblem\n  second line\njob 6:"));
    assert_non_null(strstr(want_out.data, "job 1:\tfine\njob 2:\tfine\njob 4:"));
    if (tk_platform_max_workers() >= 2) {
        for (int hand_out = 0; hand_out <= 1; hand_out++) {
            tk_buf out, err;
            w = pool(&t, 4, hand_out, true);
            assert_int_equal(run_captured(&w, &d, &out, &err), 0);
            assert_int_equal(w.workers, 4);
            assert_each_once(&t);
            assert_string_equal(out.data, want_out.data);
            assert_string_equal(err.data, want_err.data);
            tk_buf_free(&out);
            tk_buf_free(&err);
        }
    }
    assert_int_equal(d.count, 0);
    tk_diags_free(&d);
    tk_buf_free(&want_out);
    tk_buf_free(&want_err);
}

static void test_job_whose_worker_dies_is_said_in_its_place(void **state)
{
    (void)state;
    if (tk_platform_max_workers() < 2)
        skip();
    pool_test t;
    tk_workers w = pool(&t, 2, true, true);
    t.die_at = 7;
    tk_diags d;
    tk_diags_init(&d);
    tk_buf out, err;
    assert_int_equal(run_captured(&w, &d, &out, &err), -1);
    /* the other worker took the jobs that were left */
    for (size_t i = 0; i < NJOBS; i++)
        assert_int_equal(t.done[i], i == 7 ? 0 : 1);
    assert_non_null(strstr(err.data, "job 6:\tproblem\n  second line\nf07.xlsx: lost\njob 9:"));
    assert_non_null(strstr(out.data, "job 5:\tfine\njob 8:\tfine\n"));
    /* the worker's end is an error of the run */
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "異常終了しました (シグナル 9)"));
    tk_diags_free(&d);
    tk_buf_free(&out);
    tk_buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_job_once_by_either_schedule),
        cmocka_unit_test(test_printed_text_in_the_jobs_order),
        cmocka_unit_test(test_job_whose_worker_dies_is_said_in_its_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
