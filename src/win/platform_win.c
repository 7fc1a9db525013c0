/* platform_win.c — the platform layer on Windows (see platform.h), and the
 * POSIX calls of windows/include/tenken_posix.h that mingw-w64 lacks.
 * File names are UTF-8 throughout: the manifest (windows/tenken.manifest)
 * makes UTF-8 the process's code page, so the C library's narrow calls
 * (fopen, _mkdir, rename) and those of the libraries take UTF-8 paths. */
#include "tenken/platform.h"

#include <windows.h>
#include <bcrypt.h>
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <iconv.h>
#include <io.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>

/* ---- start-up: console, file modes, temporary folder ---- */

/* Before main: the console shows UTF-8; files, stdin and stdout carry bytes
 * unchanged (no LF to CRLF), as on Debian; temporary files go where Windows
 * keeps them (TEMP) unless TMPDIR says otherwise. */
__attribute__((constructor)) static void win_start(void)
{
    SetConsoleOutputCP(CP_UTF8);
    SetConsoleCP(CP_UTF8);
    _fmode = _O_BINARY;
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
    const char *t = getenv("TMPDIR");
    if (!t || !*t) {
        wchar_t w[MAX_PATH + 1];
        DWORD n = GetTempPathW(MAX_PATH + 1, w);
        char u[4 * MAX_PATH + 16];
        if (n > 0 && n <= MAX_PATH) {
            while (n > 1 && (w[n - 1] == L'\\' || w[n - 1] == L'/'))
                w[--n] = 0;
            int k = WideCharToMultiByte(CP_UTF8, 0, w, -1, u + 7, (int)sizeof u - 7, NULL, NULL);
            if (k > 0) {
                memcpy(u, "TMPDIR=", 7);
                _putenv(u);
            }
        }
    }
}

/* \ and / both separate folders on Windows; tenken splits paths at /, so
 * the command line's \ become / before main sees them (Windows takes /
 * everywhere). The link wraps main (-Wl,--wrap=main): the C library's
 * start-up calls this, which calls tenken's main. */
int __real_main(int argc, char **argv);
int __wrap_main(int argc, char **argv);
int __wrap_main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        for (char *p = argv[i]; p && *p; p++)
            if (*p == '\\')
                *p = '/';
    return __real_main(argc, argv);
}

const char *tk_win_exe_dir(void)
{
    static char dir[4 * MAX_PATH + 1];
    if (!dir[0]) {
        wchar_t w[MAX_PATH + 1];
        DWORD n = GetModuleFileNameW(NULL, w, MAX_PATH + 1);
        if (n == 0 || n > MAX_PATH ||
            WideCharToMultiByte(CP_UTF8, 0, w, -1, dir, (int)sizeof dir, NULL, NULL) <= 0) {
            dir[0] = '.';
            dir[1] = 0;
            return dir;
        }
        char *last = NULL;
        for (char *p = dir; *p; p++) {
            if (*p == '\\')
                *p = '/';
            if (*p == '/')
                last = p;
        }
        if (last)
            *last = 0;
        else
            dir[0] = '.', dir[1] = 0;
    }
    return dir;
}

/* ---- platform.h ---- */

int tk_platform_sha256(const void *data, size_t len, unsigned char md[32])
{
    BCRYPT_ALG_HANDLE alg = NULL;
    BCRYPT_HASH_HANDLE h = NULL;
    int rc = -1;
    if (BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0) != 0)
        return -1;
    if (BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0) == 0) {
        const unsigned char *p = data;
        bool ok = true;
        while (ok && len > 0) {
            ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
            ok = BCryptHashData(h, (PUCHAR)p, n, 0) == 0;
            p += n;
            len -= n;
        }
        if (ok && BCryptFinishHash(h, md, 32, 0) == 0)
            rc = 0;
        BCryptDestroyHash(h);
    }
    BCryptCloseAlgorithmProvider(alg, 0);
    return rc;
}

int tk_platform_max_workers(void) { return 1; }

long tk_platform_utc_offset(time_t t, const struct tm *local)
{
    struct tm copy = *local;
    time_t as_utc = _mkgmtime(&copy);
    return as_utc == (time_t)-1 ? 0 : (long)(as_utc - t);
}

/* ---- file names ---- */

/* UTF-8 to a new wide string; NULL (errno set) when it is not UTF-8. */
static wchar_t *wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) {
        errno = EINVAL;
        return NULL;
    }
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (!w) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

static int errno_of(DWORD e)
{
    switch (e) {
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
        return EEXIST;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return ENOENT;
    case ERROR_NOT_SUPPORTED:
    case ERROR_INVALID_FUNCTION:
        return EPERM;
    case ERROR_NOT_SAME_DEVICE:
        return EXDEV;
    case ERROR_DISK_FULL:
        return ENOSPC;
    default:
        return EACCES;
    }
}

/* A file operation on two UTF-8 paths: MoveFileEx that replaces (rename) or
 * CreateHardLink (link, which fails when the new name exists). */
static int two_paths(const char *from, const char *to, bool hard_link)
{
    wchar_t *wf = wide(from), *wt = wide(to);
    int rc = -1;
    if (wf && wt) {
        BOOL ok = hard_link ? CreateHardLinkW(wt, wf, NULL)
                            : MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
        if (ok)
            rc = 0;
        else
            errno = errno_of(GetLastError());
    }
    free(wf);
    free(wt);
    return rc;
}

int tk_win_rename(const char *from, const char *to) { return two_paths(from, to, false); }

/* files to remove at exit (open when unlink was asked) */
static char **doomed;
static size_t ndoomed;

static void remove_doomed(void)
{
    for (size_t i = 0; i < ndoomed; i++) {
        wchar_t *w = wide(doomed[i]);
        if (w)
            DeleteFileW(w);
        free(w);
        free(doomed[i]);
    }
    free(doomed);
    doomed = NULL;
    ndoomed = 0;
}

int tk_win_unlink(const char *path)
{
    wchar_t *w = wide(path);
    if (!w)
        return -1;
    int rc = 0;
    if (!DeleteFileW(w)) {
        DWORD e = GetLastError();
        if (e == ERROR_SHARING_VIOLATION || e == ERROR_ACCESS_DENIED) {
            char **v = realloc(doomed, (ndoomed + 1) * sizeof *v);
            char *copy = v ? _strdup(path) : NULL;
            if (v)
                doomed = v;
            if (copy) {
                if (ndoomed == 0)
                    atexit(remove_doomed);
                doomed[ndoomed++] = copy;
            } else {
                errno = ENOMEM;
                rc = -1;
            }
        } else {
            errno = errno_of(e);
            rc = -1;
        }
    }
    free(w);
    return rc;
}

int tk_win_link(const char *from, const char *to) { return two_paths(from, to, true); }

long tk_win_sysconf(int name)
{
    if (name != _SC_NPROCESSORS_ONLN) {
        errno = EINVAL;
        return -1;
    }
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return (long)si.dwNumberOfProcessors;
}

ssize_t tk_win_getrandom(void *buf, size_t len, unsigned flags)
{
    (void)flags;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    if (BCryptGenRandom(NULL, buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
        errno = EIO;
        return -1;
    }
    return (ssize_t)len;
}

int tk_win_setenv(const char *name, const char *value, int overwrite)
{
    if (!overwrite && getenv(name))
        return 0;
    return _putenv_s(name, value) == 0 ? 0 : (errno = EINVAL, -1);
}

int tk_win_unsetenv(const char *name) { return _putenv_s(name, "") == 0 ? 0 : (errno = EINVAL, -1); }

char *tk_win_mkdtemp(char *tmpl)
{
    size_t n = strlen(tmpl);
    if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0) {
        errno = EINVAL;
        return NULL;
    }
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[6];
        if (tk_win_getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            return NULL;
        for (int i = 0; i < 6; i++)
            tmpl[n - 6 + i] = chars[r[i] % 36];
        if (_mkdir(tmpl) == 0)
            return tmpl;
        if (errno != EEXIST)
            return NULL;
    }
    errno = EEXIST;
    return NULL;
}

char *tk_win_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *r = malloc(len + 1);
    if (!r) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(r, s, len);
    r[len] = 0;
    return r;
}

int tk_win_mkstemps(char *tmpl, int suffixlen)
{
    size_t n = strlen(tmpl);
    if (suffixlen < 0 || n < (size_t)suffixlen + 6 || memcmp(tmpl + n - suffixlen - 6, "XXXXXX", 6) != 0) {
        errno = EINVAL;
        return -1;
    }
    char *x = tmpl + n - suffixlen - 6;
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[6];
        if (tk_win_getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            return -1;
        for (int i = 0; i < 6; i++)
            x[i] = chars[r[i] % 36];
        int fd = _open(tmpl, _O_RDWR | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* glob for a pattern whose wildcards are in its last component (the tests'
 * DIR/NAME.txt with * for NAME), sorted as glob sorts */
static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *g)
{
    (void)flags;
    (void)errfunc;
    memset(g, 0, sizeof *g);
    const char *slash = strrchr(pattern, '/');
    size_t dirlen = slash ? (size_t)(slash - pattern) + 1 : 0;
    struct _finddata_t fd;
    intptr_t h = _findfirst(pattern, &fd);
    if (h == -1)
        return GLOB_NOMATCH;
    size_t cap = 16;
    g->gl_pathv = malloc(cap * sizeof *g->gl_pathv);
    if (!g->gl_pathv) {
        _findclose(h);
        return GLOB_NOSPACE;
    }
    do {
        if (!strcmp(fd.name, ".") || !strcmp(fd.name, ".."))
            continue;
        if (g->gl_pathc + 1 >= cap) {
            char **v = realloc(g->gl_pathv, 2 * cap * sizeof *v);
            if (!v) {
                _findclose(h);
                globfree(g);
                return GLOB_NOSPACE;
            }
            g->gl_pathv = v;
            cap *= 2;
        }
        size_t nl = strlen(fd.name);
        char *p = malloc(dirlen + nl + 1);
        if (!p) {
            _findclose(h);
            globfree(g);
            return GLOB_NOSPACE;
        }
        memcpy(p, pattern, dirlen);
        memcpy(p + dirlen, fd.name, nl + 1);
        g->gl_pathv[g->gl_pathc++] = p;
    } while (_findnext(h, &fd) == 0);
    _findclose(h);
    g->gl_pathv[g->gl_pathc] = NULL;
    qsort(g->gl_pathv, g->gl_pathc, sizeof *g->gl_pathv, name_cmp);
    return g->gl_pathc ? 0 : GLOB_NOMATCH;
}

void globfree(glob_t *g)
{
    for (size_t i = 0; i < g->gl_pathc; i++)
        free(g->gl_pathv[i]);
    free(g->gl_pathv);
    memset(g, 0, sizeof *g);
}

/* ---- one process only ---- */

int tk_win_setpgid(pid_t pid, pid_t pgid)
{
    (void)pid;
    (void)pgid;
    return 0;
}

FILE *tk_win_open_memstream(char **buf, size_t *len)
{
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return NULL;
}

pid_t tk_win_fork(void)
{
    errno = ENOSYS;
    return -1;
}

int tk_win_pipe(int fd[2]) { return _pipe(fd, 65536, _O_BINARY | _O_NOINHERIT); }

int tk_win_kill(pid_t pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = ESRCH;
    return -1;
}

pid_t tk_win_waitpid(pid_t pid, int *status, int options)
{
    (void)pid;
    (void)options;
    if (status)
        *status = 0;
    errno = ECHILD;
    return -1;
}

int tk_win_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    (void)fds;
    (void)n;
    (void)timeout;
    errno = ENOSYS;
    return -1;
}

void *tk_win_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)addr, (void)len, (void)prot, (void)flags, (void)fd, (void)off;
    errno = ENOSYS;
    return MAP_FAILED;
}

int tk_win_munmap(void *addr, size_t len)
{
    (void)addr;
    (void)len;
    return 0;
}

/* ---- signals: the console's Ctrl-C, Ctrl-Break and close ---- */

static volatile LONG blocked;  /* the signals held (bit per signal) */
static volatile LONG pending;  /* held signals that arrived */
static bool handler_installed;

static int console_signal(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
        return SIGINT;
    case CTRL_BREAK_EVENT:
        return SIGBREAK;
    case CTRL_CLOSE_EVENT:
        return SIGHUP;
    default:
        return SIGTERM;
    }
}

static BOOL WINAPI on_console(DWORD type)
{
    int sig = console_signal(type);
    if (sig == SIGBREAK)
        sig = SIGINT;
    if (blocked & (1L << sig)) {
        InterlockedOr(&pending, 1L << sig);
        return TRUE; /* held: the run stops at its next check and cleans up */
    }
    return FALSE; /* not held: Windows ends the process */
}

int tk_win_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig <= 0 || sig >= 32) {
        errno = EINVAL;
        return -1;
    }
    if (old) {
        memset(old, 0, sizeof *old);
        old->sa_handler = SIG_DFL;
    }
    if (act) {
        errno = ENOSYS;
        return -1;
    }
    return 0;
}

int tk_win_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (old)
        *old = (sigset_t)(unsigned long)blocked;
    if (set) {
        LONG s = (LONG)(*set & 0x7fffffff);
        LONG now = how == SIG_BLOCK ? (blocked | s) : how == SIG_UNBLOCK ? (blocked & ~s) : s;
        if (now && !handler_installed) {
            SetConsoleCtrlHandler(on_console, TRUE);
            handler_installed = true;
        }
        InterlockedExchange(&blocked, now);
        /* a held signal no longer blocked acts now: the process ends */
        LONG due = pending & ~now;
        if (due) {
            fflush(NULL);
            ExitProcess(128 + (due & (1L << SIGINT) ? SIGINT : SIGTERM));
        }
    }
    return 0;
}

int tk_win_sigpending(sigset_t *set)
{
    *set = (sigset_t)(unsigned long)pending;
    return 0;
}

/* ---- iconv: UTF-8, UTF-16 (LE, BE, or with a byte order mark) and CP932,
 * each way, by Windows' own code page tables ---- */

enum { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE, ENC_UTF16, ENC_CP932 };

struct tk_win_iconv {
    int from, to;
    char *out; /* converted text not yet handed out */
    size_t len, off;
};

static int encoding_of(const char *name)
{
    static const struct {
        const char *name;
        int enc;
    } names[] = {{"UTF-8", ENC_UTF8},       {"UTF8", ENC_UTF8},         {"UTF-16LE", ENC_UTF16LE},
                 {"UTF-16BE", ENC_UTF16BE}, {"UTF-16", ENC_UTF16},      {"CP932", ENC_CP932},
                 {"SHIFT_JIS", ENC_CP932},  {"WINDOWS-31J", ENC_CP932}, {"SJIS", ENC_CP932}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!_stricmp(name, names[i].name))
            return names[i].enc;
    return -1;
}

iconv_t iconv_open(const char *to, const char *from)
{
    int f = encoding_of(from), t = encoding_of(to);
    if (f < 0 || t < 0) {
        errno = EINVAL;
        return (iconv_t)-1;
    }
    iconv_t cd = calloc(1, sizeof *cd);
    if (!cd) {
        errno = ENOMEM;
        return (iconv_t)-1;
    }
    cd->from = f;
    cd->to = t;
    return cd;
}

/* bytes in encoding enc to UTF-16 (*w, *wn); 0 or -1 with errno */
static int decode(int enc, const char *in, size_t n, wchar_t **w, int *wn)
{
    *w = NULL;
    *wn = 0;
    if (n > 0x7ffffff0)
        return errno = E2BIG, -1;
    if (n == 0)
        return (*w = malloc(sizeof **w)) ? 0 : (errno = ENOMEM, -1);
    if (enc == ENC_UTF8 || enc == ENC_CP932) {
        UINT cp = enc == ENC_UTF8 ? CP_UTF8 : 932;
        int k = MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, in, (int)n, NULL, 0);
        if (k <= 0)
            return errno = EILSEQ, -1;
        if (!(*w = malloc((size_t)k * sizeof **w)))
            return errno = ENOMEM, -1;
        MultiByteToWideChar(cp, MB_ERR_INVALID_CHARS, in, (int)n, *w, k);
        *wn = k;
        return 0;
    }
    if (n % 2)
        return errno = EINVAL, -1;
    const unsigned char *u = (const unsigned char *)in;
    bool be = enc == ENC_UTF16BE;
    if (enc == ENC_UTF16 && n >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE))) {
        be = u[0] == 0xFE;
        u += 2;
        n -= 2;
    }
    int k = (int)(n / 2);
    if (!(*w = malloc((size_t)(k ? k : 1) * sizeof **w)))
        return errno = ENOMEM, -1;
    for (int i = 0; i < k; i++)
        (*w)[i] = be ? (wchar_t)(u[2 * i] << 8 | u[2 * i + 1]) : (wchar_t)(u[2 * i] | u[2 * i + 1] << 8);
    *wn = k;
    return 0;
}

/* UTF-16 to bytes in encoding enc, into cd->out */
static int encode(iconv_t cd, const wchar_t *w, int wn)
{
    int enc = cd->to;
    size_t cap;
    if (enc == ENC_UTF8 || enc == ENC_CP932) {
        UINT cp = enc == ENC_UTF8 ? CP_UTF8 : 932;
        DWORD flags = enc == ENC_UTF8 ? WC_ERR_INVALID_CHARS : WC_NO_BEST_FIT_CHARS;
        BOOL lossy = FALSE;
        int k = wn ? WideCharToMultiByte(cp, flags, w, wn, NULL, 0, NULL, enc == ENC_CP932 ? &lossy : NULL) : 0;
        if ((wn && k <= 0) || lossy)
            return errno = EILSEQ, -1;
        if (!(cd->out = malloc((size_t)k + 1)))
            return errno = ENOMEM, -1;
        if (k)
            WideCharToMultiByte(cp, flags, w, wn, cd->out, k, NULL, NULL);
        cd->len = (size_t)k;
        return 0;
    }
    bool bom = enc == ENC_UTF16, be = enc == ENC_UTF16BE;
    cap = (size_t)wn * 2 + (bom ? 2 : 0);
    if (!(cd->out = malloc(cap + 1)))
        return errno = ENOMEM, -1;
    unsigned char *o = (unsigned char *)cd->out;
    if (bom) {
        *o++ = 0xFF;
        *o++ = 0xFE;
    }
    for (int i = 0; i < wn; i++) {
        unsigned v = (unsigned)w[i];
        *o++ = (unsigned char)(be ? v >> 8 : v & 0xFF);
        *o++ = (unsigned char)(be ? v & 0xFF : v >> 8);
    }
    cd->len = cap;
    return 0;
}

size_t iconv(iconv_t cd, char **in, size_t *inleft, char **out, size_t *outleft)
{
    if (in && *in && inleft && *inleft) {
        /* the whole input at the first call (tenken hands over whole files),
         * then handed out as the output buffers allow */
        if (cd->out) {
            errno = EINVAL;
            return (size_t)-1;
        }
        wchar_t *w;
        int wn;
        if (decode(cd->from, *in, *inleft, &w, &wn) != 0)
            return (size_t)-1;
        int rc = encode(cd, w, wn);
        free(w);
        if (rc != 0)
            return (size_t)-1;
        cd->off = 0;
        *in += *inleft;
        *inleft = 0;
    }
    if (!out || !*out || !outleft)
        return 0;
    size_t left = cd->len - cd->off;
    size_t n = left < *outleft ? left : *outleft;
    if (n) {
        memcpy(*out, cd->out + cd->off, n);
        *out += n;
        *outleft -= n;
        cd->off += n;
    }
    if (cd->off < cd->len) {
        errno = E2BIG;
        return (size_t)-1;
    }
    return 0;
}

int iconv_close(iconv_t cd)
{
    if (cd && cd != (iconv_t)-1) {
        free(cd->out);
        free(cd);
    }
    return 0;
}
