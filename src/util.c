/* util.c — buffers, arena, files, hashing. */
#include "tenken/util.h"
#include "tenken/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *tk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("tenken: メモリが不足しました\n", stderr);
        abort();
    }
    return p;
}

void *tk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("tenken: メモリが不足しました\n", stderr);
        abort();
    }
    return p;
}

void *tk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("tenken: メモリが不足しました\n", stderr);
        abort();
    }
    return q;
}

char *tk_xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = tk_xmalloc(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

/* ---- tk_buf ---- */

void tk_buf_init(tk_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void tk_buf_free(tk_buf *b)
{
    free(b->data);
    tk_buf_init(b);
}

void tk_buf_reset(tk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void buf_reserve(tk_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = tk_xrealloc(b->data, cap);
    b->cap = cap;
}

void tk_buf_append(tk_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void tk_buf_puts(tk_buf *b, const char *s) { tk_buf_append(b, s, strlen(s)); }

void tk_buf_putc(tk_buf *b, char c) { tk_buf_append(b, &c, 1); }

char *tk_vformat(const char *fmt, va_list ap)
{
    if (!fmt)
        return tk_xstrdup("");
    /* most results are short: format once into the stack, again only when
     * it does not fit */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return tk_xstrdup("");
    char *s = tk_xmalloc((size_t)n + 1);
    if ((size_t)n < sizeof small)
        memcpy(s, small, (size_t)n + 1);
    else
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void tk_buf_printf(tk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = tk_vformat(fmt, ap);
    va_end(ap);
    tk_buf_puts(b, s);
    free(s);
}

size_t tk_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

void tk_buf_put_cp(tk_buf *b, uint32_t cp)
{
    /* encoded in place: the normaliser puts every code point through here */
    buf_reserve(b, 4);
    b->len += tk_utf8_encode(cp, b->data + b->len);
    b->data[b->len] = '\0';
}

char *tk_buf_steal(tk_buf *b)
{
    if (!b->data)
        tk_buf_append(b, "", 0);
    char *p = b->data;
    tk_buf_init(b);
    return p;
}

/* ---- arena: a chain of blocks, freed at once ---- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

struct tk_arena {
    struct arena_block *head;
};

tk_arena *tk_arena_new(void) { return tk_xcalloc(1, sizeof(tk_arena)); }

void tk_arena_free(tk_arena *a)
{
    if (!a)
        return;
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *tk_arena_alloc(tk_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = 64 * 1024;
        if (n > cap / 4)
            cap = n; /* large allocations get a block of their own */
        struct arena_block *nb = tk_xmalloc(sizeof(*nb) + cap);
        nb->used = 0;
        nb->cap = cap;
        if (b && cap == n) {
            /* keep the partly used block at the head */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            return (char *)nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *tk_arena_strndup(tk_arena *a, const char *s, size_t n)
{
    char *p = tk_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *tk_arena_strdup(tk_arena *a, const char *s) { return tk_arena_strndup(a, s, strlen(s)); }

char *tk_arena_printf(tk_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = tk_vformat(fmt, ap);
    va_end(ap);
    char *p = tk_arena_strdup(a, s);
    free(s);
    return p;
}

/* ---- string map: open addressing, FNV-1a ---- */

static size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t strmap_find(const tk_strmap *m, const char *key)
{
    size_t i = str_hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void strmap_grow(tk_strmap *m)
{
    tk_strmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = tk_xcalloc(m->cap, sizeof *m->keys);
    m->vals = tk_xcalloc(m->cap, sizeof *m->vals);
    for (size_t i = 0; i < old.cap; i++) {
        if (old.keys[i]) {
            size_t j = strmap_find(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
        }
    }
    free(old.keys);
    free(old.vals);
}

void tk_strmap_free(tk_strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

const void *tk_strmap_put(tk_strmap *m, const char *key, const void *val, bool *existed)
{
    if ((m->n + 1) * 2 > m->cap)
        strmap_grow(m);
    size_t i = strmap_find(m, key);
    if (m->keys[i]) {
        if (existed)
            *existed = true;
        return m->vals[i];
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    if (existed)
        *existed = false;
    return val;
}

void tk_strmap_set(tk_strmap *m, const char *key, const void *val)
{
    bool existed;
    tk_strmap_put(m, key, val, &existed);
    if (existed)
        m->vals[strmap_find(m, key)] = val;
}

const void *tk_strmap_get(const tk_strmap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t i = strmap_find(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

/* ---- files ---- */

#ifndef O_NONBLOCK /* Windows: no FIFO or terminal to wait on */
#define O_NONBLOCK 0
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif

static int file_read(const char *path, size_t max, bool regular_only, tk_buf *out)
{
    tk_buf_init(out);
    /* O_NONBLOCK: opening a FIFO for reading waits for a writer, and a
     * device may wait for anything; neither is a file anyone sends us. It
     * changes nothing for a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK | O_NOCTTY : 0));
    if (fd < 0) {
        /* Windows refuses to open a folder (EACCES) where POSIX opens it
         * and fstat tells: say it is a folder there too */
        int e = errno;
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            e = EISDIR;
        errno = e;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (S_ISDIR(st.st_mode) || (regular_only && !S_ISREG(st.st_mode))) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : ESPIPE;
        return -1;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        close(fd);
        errno = EFBIG;
        return -1;
    }
    /* read straight into the buffer, sized for the whole file when it has a
     * size (one more byte to see the end), grown for a pipe or a file that
     * grows meanwhile */
    buf_reserve(out, S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536);
    out->data[0] = '\0';
    for (;;) {
        if (out->cap - out->len < 2)
            buf_reserve(out, out->cap);
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            tk_buf_free(out);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        if (out->len + (size_t)n > max) {
            close(fd);
            tk_buf_free(out);
            errno = EFBIG;
            return -1;
        }
        out->len += (size_t)n;
        out->data[out->len] = '\0';
    }
    close(fd);
    if (!out->data)
        tk_buf_append(out, "", 0);
    return 0;
}

int tk_file_read(const char *path, size_t max, tk_buf *out) { return file_read(path, max, false, out); }

int tk_file_read_regular(const char *path, size_t max, tk_buf *out) { return file_read(path, max, true, out); }

const char *tk_file_strerror(int err)
{
    switch (err) {
    case ENOENT: return "ファイルがありません";
    case EACCES:
    case EPERM: return "読む権限がありません";
    case EISDIR: return "フォルダです";
    case ESPIPE: return "通常のファイルではありません (FIFO・デバイス・ソケットなど)";
    case EFBIG: return "大きすぎます";
    case ENOTDIR: return "途中のフォルダがフォルダではありません";
    case ENAMETOOLONG: return "名前が長すぎます";
    case ELOOP: return "シンボリックリンクが循環しています";
    case EIO: return "読み込み中に入出力エラーが起きました";
    case EROFS: return "読み取り専用の場所です";
    case ENOSPC: return "ディスクの空きがありません";
    default: return strerror(err);
    }
}

bool tk_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int tk_mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

char *tk_path_dirname(tk_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return tk_arena_strdup(a, ".");
    if (slash == path)
        return tk_arena_strdup(a, "/");
    return tk_arena_strndup(a, path, (size_t)(slash - path));
}

char *tk_path_join(tk_arena *a, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    if (n && dir[n - 1] == '/')
        return tk_arena_printf(a, "%s%s", dir, name);
    return tk_arena_printf(a, "%s/%s", dir, name);
}

int tk_file_commit(const char *tmp, const char *path, bool force)
{
    int rc;
    if (force) {
        rc = rename(tmp, path);
    } else if (link(tmp, path) == 0) {
        rc = 0;
    } else if (errno == EEXIST) {
        rc = -1;
    } else if (tk_file_exists(path)) {
        /* a file system without hard links: a check, then rename */
        errno = EEXIST;
        rc = -1;
    } else {
        rc = rename(tmp, path);
    }
    int e = errno;
    unlink(tmp); /* after rename it is gone; after link it is the extra name */
    errno = e;
    return rc;
}

char *tk_file_tmp_beside(tk_arena *a, const char *path)
{
    char *tmp = tk_arena_printf(a, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return NULL;
    /* mkstemp makes 0600; give the file the mode any new file gets */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return NULL;
    }
    return tmp;
}

int tk_file_write_atomic(const char *path, const void *data, size_t len, bool force)
{
    if (!force && tk_file_exists(path)) {
        errno = EEXIST;
        return -1;
    }
    size_t n = strlen(path);
    char *tmp = tk_xmalloc(n + 32);
    snprintf(tmp, n + 32, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (tk_file_commit(tmp, path, force) != 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    free(tmp);
    return 0;
fail : {
    int e = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    errno = e;
    return -1;
}
}

void tk_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    if (tk_platform_sha256(data, len, md) != 0) {
        fputs("tenken: SHA-256 を計算できません\n", stderr);
        abort();
    }
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

bool tk_str_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool tk_str_ends(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool tk_word_next(const char **p, const char **word, size_t *len)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    const char *e = s;
    while (*e && *e != ' ')
        e++;
    *p = e;
    *word = s;
    *len = (size_t)(e - s);
    return e > s;
}

bool tk_parse_int(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}
