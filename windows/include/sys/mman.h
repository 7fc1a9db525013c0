/* sys/mman.h for the Windows build: only the shared anonymous mapping that
 * worker processes would share, which one process does not need. */
#ifndef TENKEN_SYS_MMAN_H
#define TENKEN_SYS_MMAN_H
#include <stddef.h>
#include <sys/types.h>
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
void *tk_win_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int tk_win_munmap(void *addr, size_t len);
#define mmap tk_win_mmap
#define munmap tk_win_munmap
#endif
