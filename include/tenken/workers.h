/* workers.h — a run of jobs side by side in worker processes (fork, where
 * the platform has it: tk_platform_max_workers). The jobs are either shared
 * out ahead, the longest first to the least loaded worker, or handed out
 * one at a time as workers become free (hand_out); each job's messages,
 * printed text and result come back to the parent over a pipe and are
 * reported there as the job ends. With one worker (asked for, or all the
 * platform allows) the jobs run in this process, one after the other.
 * generate writes its workbooks, report its department reports and ingest
 * takes in its files this way.
 */
#ifndef TENKEN_WORKERS_H
#define TENKEN_WORKERS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tenken/diag.h"

#define TK_WORKERS_MAX 8     /* --jobs at most */
#define TK_WORKERS_RESULT 96 /* bytes of a job's result text, its NUL included */

typedef struct tk_workers {
    size_t njobs;
    int jobs;            /* workers asked for; 0: one per CPU */
    const size_t *cost;  /* per job, for the assignment; NULL: all alike */
    /* hand the jobs out one at a time to the worker that is free (the
     * costliest first when cost is given, else in order) instead of
     * sharing them out ahead: for jobs whose cost is not known well, or
     * workers that wait on each other (ingest's writers) */
    bool hand_out;
    void *user;
    /* in each worker (or this process) before its first job and after its
     * last; may be NULL. A start that fails (errors in d) fails the
     * worker's jobs. */
    int (*start)(void *user, tk_diags *d);
    void (*finish)(void *user);
    /* job i: 0, with a short result text in result (it starts empty), or
     * -1; its messages go to d */
    int (*run)(void *user, size_t i, char result[TK_WORKERS_RESULT], tk_diags *d);
    /* Instead of run, for jobs that print (may be NULL): job i also writes
     * what it has to say to out and err. In this process they are stdout
     * and stderr; in a worker they are buffers that go back with the job,
     * and the parent writes each job's err, then its out, in the jobs'
     * order as soon as every job before it has ended: the output is the
     * same however many workers ran. A job whose worker ended before it
     * did is reported in its place on stderr as "FILE: lost". */
    int (*run_print)(void *user, size_t i, char result[TK_WORKERS_RESULT], FILE *out, FILE *err, tk_diags *d);
    /* in the parent, as job i ends (may be NULL) */
    void (*done)(void *user, size_t i, bool ok, const char *result);
    /* the file job i's messages are filed under (may be NULL) */
    const char *(*file)(void *user, size_t i);
    /* polled in the parent between jobs (may be NULL): true stops the
     * run, the workers are ended */
    bool (*stop_requested)(void *user);
    /* the signal mask a worker runs with (NULL: the parent's) */
    const sigset_t *worker_mask;
    bool stop_at_error;       /* in this process: stop at the first failure */
    const char *failed;       /* the message of a job that failed saying nothing */
    const char *lost;         /* the message of a job whose worker ended before it did */
    int workers;              /* out: how many workers ran (1: in this process) */
} tk_workers;

/* How many workers a run of njobs jobs gets when jobs are asked for (0:
 * one per CPU): at most TK_WORKERS_MAX, what the platform allows and
 * njobs; at least 1 (1: in this process). */
int tk_workers_count(int jobs, size_t njobs);

/* Run every job. 0 when each succeeded, else -1 (why in d, filed under
 * each job's file). */
int tk_workers_run(tk_workers *w, tk_diags *d);

#endif
