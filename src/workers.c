/* workers.c — jobs side by side in worker processes. See workers.h. */
#include "tenken/workers.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tenken/platform.h"
#include "tenken/util.h"

/* What the parent knows of each job. */
typedef struct job_state {
    int worker;
    bool ok, done;
} job_state;

typedef struct run {
    tk_workers *w;
    tk_diags *d;
    job_state *jobs;
    size_t ndone;
    bool stopped;
} run;

static int cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > TK_WORKERS_MAX ? TK_WORKERS_MAX : (int)n;
}

static const char *file_of(const run *r, size_t i) { return r->w->file ? r->w->file(r->w->user, i) : NULL; }

static void job_done(run *r, size_t i, bool ok, const char *result)
{
    job_state *j = &r->jobs[i];
    if (j->done)
        return;
    j->ok = ok;
    j->done = true;
    r->ndone++;
    if (r->w->done)
        r->w->done(r->w->user, i, ok, result);
}

static bool stop_requested(run *r)
{
    if (!r->stopped && r->w->stop_requested && r->w->stop_requested(r->w->user))
        r->stopped = true;
    return r->stopped;
}

/* In this process, one job after the other. */
static int run_here(run *r)
{
    tk_workers *w = r->w;
    if (w->start && w->start(w->user, r->d) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < w->njobs; i++) {
        if (stop_requested(r)) {
            rc = -1;
            break;
        }
        char result[TK_WORKERS_RESULT] = "";
        bool ok = w->run(w->user, i, result, r->d) == 0;
        job_done(r, i, ok, result);
        if (!ok) {
            rc = -1;
            if (w->stop_at_error)
                break;
        }
    }
    if (w->finish)
        w->finish(w->user);
    return rc;
}

/* Longest first to the least loaded worker. */
static void assign(run *r, int workers)
{
    tk_workers *w = r->w;
    size_t *load = tk_xcalloc((size_t)workers, sizeof *load);
    bool *assigned = tk_xcalloc(w->njobs ? w->njobs : 1, sizeof *assigned);
    for (size_t n = 0; n < w->njobs; n++) {
        size_t best = w->njobs;
        for (size_t i = 0; i < w->njobs; i++)
            if (!assigned[i] && (best == w->njobs || (w->cost && w->cost[i] > w->cost[best])))
                best = i;
        int k = 0;
        for (int m = 1; m < workers; m++)
            if (load[m] < load[k])
                k = m;
        r->jobs[best].worker = k;
        load[k] += (w->cost ? w->cost[best] : 0) + 50; /* a job costs something even when small */
        assigned[best] = true;
    }
    free(assigned);
    free(load);
}

/* Send "INDEX\tTYPE\tTEXT\n" with tabs and newlines in TEXT made spaces. */
static void send_line(int fd, size_t index, const char *type, const char *text)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_printf(&b, "%zu\t%s\t", index, type);
    for (const char *p = text; *p; p++)
        tk_buf_putc(&b, *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
    tk_buf_putc(&b, '\n');
    const char *p = b.data;
    size_t left = b.len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    tk_buf_free(&b);
}

static void send_diags(int fd, size_t i, const tk_diags *d)
{
    for (size_t k = 0; k < d->count; k++)
        send_line(fd, i, d->items[k].severity == TK_SEV_ERROR ? "E" : "W", d->items[k].message);
}

static void worker_main(run *r, int worker, int fd)
{
    tk_workers *w = r->w;
    tk_diags sd;
    tk_diags_init(&sd);
    bool started = !w->start || w->start(w->user, &sd) == 0;
    for (size_t i = 0; i < w->njobs; i++) {
        if (r->jobs[i].worker != worker)
            continue;
        if (!started) {
            send_diags(fd, i, &sd);
            send_line(fd, i, "E", w->failed);
            continue;
        }
        tk_diags d;
        tk_diags_init(&d);
        char result[TK_WORKERS_RESULT] = "";
        int rc = w->run(w->user, i, result, &d);
        send_diags(fd, i, &d);
        if (rc == 0)
            send_line(fd, i, "OK", result);
        else if (d.errors == 0)
            send_line(fd, i, "E", w->failed);
        tk_diags_free(&d);
    }
    if (started && w->finish)
        w->finish(w->user);
    tk_diags_free(&sd);
}

static void handle_line(run *r, char *line)
{
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2)
        return;
    *t1 = *t2 = '\0';
    long idx = 0;
    if (!tk_parse_int(line, 0, (long)r->w->njobs - 1, &idx))
        return;
    const char *type = t1 + 1, *text = t2 + 1;
    if (!strcmp(type, "OK")) {
        job_done(r, (size_t)idx, true, text);
    } else if (!strcmp(type, "W")) {
        tk_diag_warn(r->d, file_of(r, (size_t)idx), 0, "%s", text);
    } else {
        tk_diag_error(r->d, file_of(r, (size_t)idx), 0, "%s", text);
        job_done(r, (size_t)idx, false, "");
    }
}

/* Read what the workers send until every pipe is closed (or the run is
 * stopped: the workers are ended). */
static int collect(run *r, const pid_t *pids, const int *fds, int started)
{
    int rc = 0, open = started;
    struct pollfd *pfd = tk_xcalloc((size_t)(started ? started : 1), sizeof *pfd);
    tk_buf *bufs = tk_xcalloc((size_t)(started ? started : 1), sizeof *bufs);
    for (int k = 0; k < started; k++) {
        pfd[k] = (struct pollfd){.fd = fds[k], .events = POLLIN};
        tk_buf_init(&bufs[k]);
    }
    while (open > 0) {
        if (stop_requested(r)) {
            for (int k = 0; k < started; k++)
                kill(pids[k], SIGTERM);
            rc = -1;
            break;
        }
        int n = poll(pfd, (nfds_t)started, 200);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            tk_diag_error(r->d, NULL, 0, "作業用のプロセスの結果を受け取れません: %s", strerror(errno));
            rc = -1;
            break;
        }
        for (int k = 0; k < started; k++) {
            if (pfd[k].fd < 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[4096];
            ssize_t got = read(pfd[k].fd, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(pfd[k].fd);
                pfd[k].fd = -1;
                open--;
                continue;
            }
            tk_buf_append(&bufs[k], chunk, (size_t)got);
            char *nl;
            while ((nl = memchr(bufs[k].data, '\n', bufs[k].len)) != NULL) {
                *nl = '\0';
                handle_line(r, bufs[k].data);
                size_t used = (size_t)(nl - bufs[k].data) + 1;
                memmove(bufs[k].data, nl + 1, bufs[k].len - used + 1);
                bufs[k].len -= used;
            }
        }
    }
    for (int k = 0; k < started; k++) {
        if (pfd[k].fd >= 0)
            close(pfd[k].fd);
        tk_buf_free(&bufs[k]);
    }
    free(pfd);
    free(bufs);
    return rc;
}

static int run_forked(run *r, int workers)
{
    tk_workers *w = r->w;
    assign(r, workers);
    pid_t *pids = tk_xcalloc((size_t)workers, sizeof *pids);
    int *fds = tk_xcalloc((size_t)workers, sizeof *fds);
    int started = 0, rc = 0;
    fflush(NULL);
    for (int k = 0; k < workers; k++) {
        int p[2];
        if (pipe(p) != 0) {
            tk_diag_error(r->d, NULL, 0, "作業用のプロセスを作れません (pipe): %s", strerror(errno));
            rc = -1;
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            tk_diag_error(r->d, NULL, 0, "作業用のプロセスを作れません (fork): %s", strerror(errno));
            close(p[0]);
            close(p[1]);
            rc = -1;
            break;
        }
        if (pid == 0) {
            /* a worker stops at once on Ctrl-C; the parent cleans up */
            if (w->worker_mask)
                sigprocmask(SIG_SETMASK, w->worker_mask, NULL);
            close(p[0]);
            for (int m = 0; m < started; m++)
                close(fds[m]);
            worker_main(r, k, p[1]);
            close(p[1]);
            _exit(0);
        }
        close(p[1]);
        pids[k] = pid;
        fds[k] = p[0];
        started++;
    }
    if (collect(r, pids, fds, started) != 0)
        rc = -1;
    for (int k = 0; k < started; k++) {
        int status = 0;
        while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFSIGNALED(status) && !r->stopped)
            tk_diag_error(r->d, NULL, 0, "作業用のプロセスが異常終了しました (シグナル %d)", WTERMSIG(status));
    }
    free(pids);
    free(fds);
    for (size_t i = 0; i < w->njobs; i++) {
        if (r->jobs[i].ok)
            continue;
        if (!r->jobs[i].done && !r->stopped)
            tk_diag_error(r->d, file_of(r, i), 0, "%s", w->lost);
        rc = -1;
    }
    return rc;
}

int tk_workers_count(int jobs, size_t njobs)
{
    int workers = jobs > 0 ? jobs : cpus();
    if (workers > TK_WORKERS_MAX)
        workers = TK_WORKERS_MAX;
    if (workers > tk_platform_max_workers())
        workers = tk_platform_max_workers();
    if ((size_t)workers > njobs)
        workers = (int)njobs;
    return workers < 1 ? 1 : workers;
}

int tk_workers_run(tk_workers *w, tk_diags *d)
{
    w->workers = tk_workers_count(w->jobs, w->njobs);
    run r = {.w = w, .d = d, .jobs = tk_xcalloc(w->njobs ? w->njobs : 1, sizeof *r.jobs)};
    int rc = w->workers <= 1 ? run_here(&r) : run_forked(&r, w->workers);
    free(r.jobs);
    return rc;
}
