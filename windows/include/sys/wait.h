/* sys/wait.h for the Windows build: no child processes (see tenken_posix.h). */
#ifndef TENKEN_SYS_WAIT_H
#define TENKEN_SYS_WAIT_H
#include <sys/types.h>
pid_t tk_win_waitpid(pid_t pid, int *status, int options);
#define waitpid tk_win_waitpid
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0)
#define WTERMSIG(s) ((s) & 0x7f)
#endif
