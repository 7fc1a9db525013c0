/* poll.h for the Windows build: only waits on worker pipes, which one process
 * does not have (see tenken_posix.h). */
#ifndef TENKEN_POLL_H
#define TENKEN_POLL_H
struct pollfd {
    int fd;
    short events, revents;
};
typedef unsigned long nfds_t;
#define POLLIN 0x001
#define POLLERR 0x008
#define POLLHUP 0x010
int tk_win_poll(struct pollfd *fds, nfds_t n, int timeout);
#define poll tk_win_poll
#endif
