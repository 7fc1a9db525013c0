/* util.h — growable buffers, an arena for the many small strings of one run,
 * bounded file reading, atomic file writing, SHA-256.
 *
 * Ownership: a tk_buf owns its bytes until tk_buf_free or tk_buf_steal; an
 * arena owns everything allocated from it and frees it all in tk_arena_free.
 */
#ifndef TENKEN_UTIL_H
#define TENKEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes shared by every subcommand (documented in README and --help). */
enum tk_exit {
    TK_EXIT_OK = 0,      /* success */
    TK_EXIT_INPUT = 1,   /* problems found in the input */
    TK_EXIT_USAGE = 2,   /* wrong command line */
    TK_EXIT_FAILURE = 3, /* I/O or internal failure */
};

/* ---- growable byte buffer, always NUL-terminated ---- */
typedef struct tk_buf {
    char *data;
    size_t len;
    size_t cap;
} tk_buf;

void tk_buf_init(tk_buf *b);
void tk_buf_free(tk_buf *b);
void tk_buf_reset(tk_buf *b);
void tk_buf_append(tk_buf *b, const char *s, size_t n);
void tk_buf_puts(tk_buf *b, const char *s);
void tk_buf_putc(tk_buf *b, char c);
void tk_buf_printf(tk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one Unicode scalar value as UTF-8. */
void tk_buf_put_cp(tk_buf *b, uint32_t cp);
/* Code point cp (at most U+10FFFF) as UTF-8 into out; the number of bytes. */
size_t tk_utf8_encode(uint32_t cp, char out[4]);
/* Hand the bytes to the caller (free with free()); the buffer is left empty. */
char *tk_buf_steal(tk_buf *b);

/* ---- arena ---- */
typedef struct tk_arena tk_arena;
tk_arena *tk_arena_new(void);
void tk_arena_free(tk_arena *a);
void *tk_arena_alloc(tk_arena *a, size_t n);
char *tk_arena_strdup(tk_arena *a, const char *s);
char *tk_arena_strndup(tk_arena *a, const char *s, size_t n);
char *tk_arena_printf(tk_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- memory that cannot fail (aborts with a message on exhaustion) ---- */
void *tk_xmalloc(size_t n);
void *tk_xcalloc(size_t n, size_t size);
void *tk_xrealloc(void *p, size_t n);
char *tk_xstrdup(const char *s);
/* Room for one more element at the end of the array v of n elements (from
 * tk_xrealloc, or NULL): its capacity cap doubles, from first, when full. */
#define TK_GROW(v, n, cap, first)                                                                                      \
    do {                                                                                                               \
        if ((n) == (cap)) {                                                                                            \
            (cap) = (cap) ? (cap) * 2 : (first);                                                                       \
            (v) = tk_xrealloc((v), (cap) * sizeof *(v));                                                               \
        }                                                                                                              \
    } while (0)

/* ---- files ---- */
/* Read a whole file of at most max bytes. Returns 0 and fills *out (caller
 * frees out->data), or -1 with errno set (EFBIG when larger than max). */
int tk_file_read(const char *path, size_t max, tk_buf *out);
/* The same for a file someone sent us: only a regular file is read, and
 * opening never waits (a FIFO or a device named x.xlsx): errno EISDIR for a
 * folder, ESPIPE for anything else that is not a regular file. */
int tk_file_read_regular(const char *path, size_t max, tk_buf *out);
/* What errno err means for a file, in Japanese (static text). */
const char *tk_file_strerror(int err);
bool tk_file_exists(const char *path);
/* Create a directory and its parents (like mkdir -p). 0 or -1/errno. */
int tk_mkdirs(const char *path);
/* Write data to path through a temporary file in the same directory and
 * rename(2), so no reader ever sees half a file. Refuses (returns -1 with
 * errno EEXIST) when path exists and !force. */
int tk_file_write_atomic(const char *path, const void *data, size_t len, bool force);
/* For writers that need a file name (libxlsxwriter): an empty temporary
 * file beside path with the mode a new file gets, its name in the arena;
 * NULL with errno on failure. Finish with tk_file_commit. */
char *tk_file_tmp_beside(tk_arena *a, const char *path);
/* Move the finished temporary file to path: rename(2) when force, else a
 * link(2) that refuses a name that exists (EEXIST), even one that appeared
 * meanwhile. The temporary name is gone afterwards either way. 0 or -1/errno. */
int tk_file_commit(const char *tmp, const char *path, bool force);
/* Directory part of a path, into an arena. */
char *tk_path_dirname(tk_arena *a, const char *path);
char *tk_path_join(tk_arena *a, const char *dir, const char *name);

/* ---- hashing ---- */
/* SHA-256 of data as 64 lowercase hex digits plus NUL into hex[65]. */
void tk_sha256_hex(const void *data, size_t len, char hex[65]);

/* ---- a map from strings to pointers (keys and values are borrowed) ---- */
typedef struct tk_strmap {
    const char **keys;
    const void **vals;
    size_t cap, n;
} tk_strmap;
/* Zero-initialise to start (tk_strmap m = {0}); free with tk_strmap_free. */
void tk_strmap_free(tk_strmap *m);
/* Insert key -> val unless present; returns the existing value when the key
 * was there (then *existed is true), else val. */
const void *tk_strmap_put(tk_strmap *m, const char *key, const void *val, bool *existed);
/* Replace or insert. */
void tk_strmap_set(tk_strmap *m, const char *key, const void *val);
/* The value, or NULL when absent (store a non-NULL value to tell them apart). */
const void *tk_strmap_get(const tk_strmap *m, const char *key);

/* printf into a new malloc'd string. */
char *tk_vformat(const char *fmt, va_list ap);

/* ---- strings ---- */
bool tk_str_starts(const char *s, const char *prefix);
bool tk_str_ends(const char *s, const char *suffix);
/* The next space-separated word of *p (role lists "A B"): sets *word and
 * *len and moves *p past it; false when no word is left. */
bool tk_word_next(const char **p, const char **word, size_t *len);
/* Parse a decimal integer in [min,max]; false if not entirely a number. */
bool tk_parse_int(const char *s, long min, long max, long *out);

#endif
