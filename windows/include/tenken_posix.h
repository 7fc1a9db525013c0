/* tenken_posix.h — force-included (-include) in every tenken source file of the
 * Windows build. tenken is written against POSIX; mingw-w64's C library has
 * most of it (with _POSIX defined) and this header adds the rest, implemented
 * in src/win/platform_win.c. Where Windows has no equivalent (fork, pipes
 * between processes, signal masks) the calls are declared so that the code
 * compiles, and tk_platform_max_workers() == 1 keeps the paths that need them
 * from running. */
#ifndef TENKEN_POSIX_H
#define TENKEN_POSIX_H

#include <direct.h>
#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* templates/ and the schemas are found beside tenken.exe (TK_DATADIR) */
const char *tk_win_exe_dir(void);

/* mkdir takes no mode on Windows */
#define mkdir(path, mode) ((void)(mode), _mkdir(path))
/* no symbolic links to stand in for */
#define lstat(path, st) stat(path, st)

#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif

/* One process only (see tk_platform_max_workers): these fail with ENOSYS. */
pid_t tk_win_fork(void);
#define fork tk_win_fork
int tk_win_pipe(int fd[2]);
#define pipe tk_win_pipe
int tk_win_kill(pid_t pid, int sig);
#define kill tk_win_kill

/* environment and temporary folders (the tests use these too) */
int tk_win_setenv(const char *name, const char *value, int overwrite);
int tk_win_unsetenv(const char *name);
char *tk_win_mkdtemp(char *tmpl);
#define setenv tk_win_setenv
#define unsetenv tk_win_unsetenv
#define mkdtemp tk_win_mkdtemp

/* used only by worker processes */
FILE *tk_win_open_memstream(char **buf, size_t *len);
#define open_memstream tk_win_open_memstream

/* rename replaces an existing file, as POSIX's does (MoveFileEx) */
int tk_win_rename(const char *from, const char *to);
#define rename tk_win_rename
/* A file still open (libharu keeps its font file open until the document is
 * freed) cannot be removed on Windows: it is removed when tenken exits. */
int tk_win_unlink(const char *path);
#define unlink tk_win_unlink

/* A new name for an existing file, failing with EEXIST (CreateHardLink). */
int tk_win_link(const char *from, const char *to);
#define link tk_win_link
#define fsync(fd) _commit(fd)
/* Windows has no permission bits to set */
#define fchmod(fd, mode) ((void)(fd), (void)(mode), 0)

#define _SC_NPROCESSORS_ONLN 84
long tk_win_sysconf(int name);
#define sysconf tk_win_sysconf

/* Signals: Ctrl-C, Ctrl-Break and closing the console window are held while a
 * run that blocked SIGINT/SIGTERM/SIGHUP finishes or cleans up, as on Debian,
 * and act when the mask is restored. */
struct sigaction {
    void (*sa_handler)(int);
    sigset_t sa_mask;
    int sa_flags;
};
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
int tk_win_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
#define sigaction(sig, act, old) tk_win_sigaction(sig, act, old)
int tk_win_sigprocmask(int how, const sigset_t *set, sigset_t *old);
#define sigprocmask tk_win_sigprocmask
int tk_win_sigpending(sigset_t *set);
#define sigpending tk_win_sigpending
static inline int tk_win_sigemptyset(sigset_t *s) { return *s = 0, 0; }
static inline int tk_win_sigaddset(sigset_t *s, int n) { return *s |= (sigset_t)1 << n, 0; }
static inline int tk_win_sigismember(const sigset_t *s, int n) { return (int)((*s >> n) & 1); }
#define sigemptyset tk_win_sigemptyset
#define sigaddset tk_win_sigaddset
#define sigismember tk_win_sigismember
int tk_win_setpgid(pid_t pid, pid_t pgid);
#define setpgid tk_win_setpgid

/* strings and temporary files the tests use */
char *tk_win_strndup(const char *s, size_t n);
#define strndup tk_win_strndup
int tk_win_mkstemps(char *tmpl, int suffixlen);
#define mkstemps tk_win_mkstemps

#endif
