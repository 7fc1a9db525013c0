/* workers.c — jobs side by side in worker processes. See workers.h. */
#include "tenken/workers.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tenken/platform.h"
#include "tenken/util.h"

/* The workers of a hand-out run take the next job from a counter they
 * share in memory mapped for all of them: an atomic that works across
 * processes only when it needs no lock. */
#if ATOMIC_LONG_LOCK_FREE != 2
#error "atomic_size_t must be lock-free to be shared between processes"
#endif

/* What the parent knows of each job. */
typedef struct job_state {
    int worker;
    bool ok, done;
    char *out, *err; /* run_print: the text to print, until printed */
    size_t outlen, errlen;
} job_state;

typedef struct run {
    tk_workers *w;
    tk_diags *d;
    job_state *jobs;
    size_t ndone;
    size_t printed;        /* run_print: jobs before this one are printed */
    size_t *order;         /* hand_out: the jobs in the order handed out */
    atomic_size_t *next;   /* hand_out: the next place in order (shared) */
    bool stopped;
} run;

static int cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > TK_WORKERS_MAX ? TK_WORKERS_MAX : (int)n;
}

static const char *file_of(const run *r, size_t i) { return r->w->file ? r->w->file(r->w->user, i) : NULL; }

static void write_text(FILE *f, const char *p, size_t n)
{
    if (n)
        fwrite(p, 1, n, f);
}

/* run_print: write what the jobs printed, in order, as far as all have
 * ended; at the end (all) a job that never ended is said in its place. */
static void print_ended(run *r, bool all)
{
    tk_workers *w = r->w;
    if (!w->run_print || r->printed >= w->njobs || (!all && !r->jobs[r->printed].done))
        return;
    for (; r->printed < w->njobs; r->printed++) {
        job_state *j = &r->jobs[r->printed];
        if (!j->done && !all)
            break;
        write_text(stderr, j->err, j->errlen);
        write_text(stdout, j->out, j->outlen);
        if (!j->done && !r->stopped) {
            const char *f = file_of(r, r->printed);
            fprintf(stderr, "%s%s%s\n", f ? f : "", f ? ": " : "", w->lost);
        }
        free(j->err);
        free(j->out);
        j->err = j->out = NULL;
    }
    fflush(stdout);
    fflush(stderr);
}

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
    print_ended(r, false);
}

static bool stop_requested(run *r)
{
    if (!r->stopped && r->w->stop_requested && r->w->stop_requested(r->w->user))
        r->stopped = true;
    return r->stopped;
}

static int run_job(tk_workers *w, size_t i, char result[TK_WORKERS_RESULT], FILE *out, FILE *err, tk_diags *d)
{
    return w->run_print ? w->run_print(w->user, i, result, out, err, d) : w->run(w->user, i, result, d);
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
        bool ok = run_job(w, i, result, stdout, stderr, r->d) == 0;
        r->printed = i + 1; /* printed as it ran */
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

typedef struct by_cost {
    size_t cost, index;
} by_cost;

/* The costliest first; as given among equals. */
static int by_cost_desc(const void *a, const void *b)
{
    const by_cost *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The order of a hand-out run (the costliest first, else as given) and
 * its shared counter. False when the memory cannot be mapped. */
static bool hand_out_prepare(run *r)
{
    tk_workers *w = r->w;
    r->order = tk_xcalloc(w->njobs ? w->njobs : 1, sizeof *r->order);
    for (size_t i = 0; i < w->njobs; i++)
        r->order[i] = i;
    if (w->cost && w->njobs) {
        by_cost *v = tk_xcalloc(w->njobs, sizeof *v);
        for (size_t i = 0; i < w->njobs; i++)
            v[i] = (by_cost){w->cost[i], i};
        qsort(v, w->njobs, sizeof *v, by_cost_desc);
        for (size_t i = 0; i < w->njobs; i++)
            r->order[i] = v[i].index;
        free(v);
    }
    void *m = mmap(NULL, sizeof *r->next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return false;
    r->next = m;
    atomic_init(r->next, 0);
    return true;
}

/* The record a worker sends for a job: this header, then len bytes. */
typedef struct rec_head {
    uint64_t index;
    uint32_t len;
    char type; /* K: ended well (result), F: failed, E/W: a message, O/X: printed text for stdout/stderr */
} rec_head;

static bool write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t got = write(fd, c, n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        c += got;
        n -= (size_t)got;
    }
    return true;
}

static bool send_rec(int fd, size_t index, char type, const char *text, size_t len)
{
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    rec_head h;
    memset(&h, 0, sizeof h);
    h.index = index;
    h.len = (uint32_t)len;
    h.type = type;
    return write_all(fd, &h, sizeof h) && write_all(fd, text, len);
}

static bool send_str(int fd, size_t index, char type, const char *text)
{
    return send_rec(fd, index, type, text, strlen(text));
}

static bool send_diags(int fd, size_t i, const tk_diags *d)
{
    bool ok = true;
    for (size_t k = 0; k < d->count && ok; k++)
        ok = send_str(fd, i, d->items[k].severity == TK_SEV_ERROR ? 'E' : 'W', d->items[k].message);
    return ok;
}

/* One job in a worker: its messages, printed text and end sent back. */
static bool worker_job(tk_workers *w, size_t i, int fd)
{
    tk_diags d;
    tk_diags_init(&d);
    char result[TK_WORKERS_RESULT] = "";
    char *ob = NULL, *eb = NULL;
    size_t ol = 0, el = 0;
    FILE *out = NULL, *err = NULL;
    int rc;
    if (w->run_print) {
        out = open_memstream(&ob, &ol);
        err = open_memstream(&eb, &el);
        rc = out && err ? w->run_print(w->user, i, result, out, err, &d) : -1;
        if (out)
            fclose(out);
        if (err)
            fclose(err);
    } else {
        rc = w->run(w->user, i, result, &d);
    }
    bool sent = send_diags(fd, i, &d) && send_rec(fd, i, 'X', eb ? eb : "", el) &&
                send_rec(fd, i, 'O', ob ? ob : "", ol);
    if (sent)
        sent = rc == 0 ? send_str(fd, i, 'K', result) : send_str(fd, i, 'F', d.errors == 0 ? w->failed : "");
    free(ob);
    free(eb);
    tk_diags_free(&d);
    return sent;
}

static void worker_main(run *r, int worker, int fd)
{
    tk_workers *w = r->w;
    tk_diags sd;
    tk_diags_init(&sd);
    bool started = !w->start || w->start(w->user, &sd) == 0;
    for (size_t k = 0;; k++) {
        size_t i;
        if (r->next) {
            size_t at = atomic_fetch_add(r->next, 1);
            if (at >= w->njobs)
                break;
            i = r->order[at];
        } else {
            if (k >= w->njobs)
                break;
            i = k;
            if (r->jobs[i].worker != worker)
                continue;
        }
        if (!started) {
            if (!send_diags(fd, i, &sd) || !send_str(fd, i, 'F', w->failed))
                break;
            continue;
        }
        if (!worker_job(w, i, fd))
            break;
    }
    if (started && w->finish)
        w->finish(w->user);
    tk_diags_free(&sd);
}

static char *dup_n(const char *p, size_t n)
{
    char *s = tk_xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static void handle_rec(run *r, const rec_head *h, const char *text)
{
    if (h->index >= r->w->njobs)
        return;
    size_t i = (size_t)h->index;
    job_state *j = &r->jobs[i];
    switch (h->type) {
    case 'K':
        job_done(r, i, true, text);
        break;
    case 'F':
        if (*text)
            tk_diag_error(r->d, file_of(r, i), 0, "%s", text);
        job_done(r, i, false, "");
        break;
    case 'W':
        tk_diag_warn(r->d, file_of(r, i), 0, "%s", text);
        break;
    case 'E':
        tk_diag_error(r->d, file_of(r, i), 0, "%s", text);
        break;
    case 'O':
        free(j->out);
        j->out = dup_n(text, h->len);
        j->outlen = h->len;
        break;
    case 'X':
        free(j->err);
        j->err = dup_n(text, h->len);
        j->errlen = h->len;
        break;
    default:
        break;
    }
}

/* The whole records at the start of b, handled and taken off it. */
static void handle_buffered(run *r, tk_buf *b)
{
    size_t at = 0;
    while (b->len - at >= sizeof(rec_head)) {
        rec_head h;
        memcpy(&h, b->data + at, sizeof h);
        if (b->len - at - sizeof h < h.len)
            break;
        char *text = b->data + at + sizeof h;
        char keep = text[h.len];
        text[h.len] = '\0'; /* the text as a string (the byte after it is put back) */
        handle_rec(r, &h, text);
        text[h.len] = keep;
        at += sizeof h + h.len;
    }
    if (at) {
        memmove(b->data, b->data + at, b->len - at + 1);
        b->len -= at;
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
            char chunk[16384];
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
            handle_buffered(r, &bufs[k]);
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
    if (w->hand_out) {
        if (!hand_out_prepare(r)) {
            tk_diag_error(r->d, NULL, 0, "作業用のプロセスを作れません (mmap): %s", strerror(errno));
            return -1;
        }
    } else {
        assign(r, workers);
    }
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
    print_ended(r, true);
    for (size_t i = 0; i < w->njobs; i++) {
        if (r->jobs[i].ok)
            continue;
        if (!r->jobs[i].done && !r->stopped && !w->run_print)
            tk_diag_error(r->d, file_of(r, i), 0, "%s", w->lost);
        rc = -1;
    }
    if (r->next)
        munmap(r->next, sizeof *r->next);
    free(r->order);
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
    for (size_t i = 0; i < w->njobs; i++) {
        free(r.jobs[i].out);
        free(r.jobs[i].err);
    }
    free(r.jobs);
    return rc;
}
