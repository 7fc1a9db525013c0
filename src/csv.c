/* csv.c — CSV files as people keep them in Excel (csv.h). */
#include "tenken/csv.h"

#include <errno.h>
#include <string.h>

#include "tenken/text.h"

int tk_csv_read_file(const char *path, size_t max, const char *what, tk_buf *text, const char **encoding, tk_diags *d)
{
    tk_buf raw;
    tk_buf_init(text);
    if (tk_file_read(path, max, &raw) != 0) {
        if (errno == EFBIG && max >= ((size_t)1 << 20))
            tk_diag_error(d, path, 0, "%sが大きすぎます (上限 %zu MiB)", what, max >> 20);
        else if (errno == EFBIG)
            tk_diag_error(d, path, 0, "%sが大きすぎます (上限 %zu KiB)", what, max >> 10);
        else
            tk_diag_error(d, path, 0, "%sを読めません: %s", what, strerror(errno));
        return -1;
    }
    const char *enc = NULL;
    if (tk_text_decode(raw.data ? raw.data : "", raw.len, text, &enc) != 0) {
        tk_diag_error(d, path, 0, "%sの文字コードを読めません (%s として読めない箇所があります)。UTF-8 か Shift_JIS (CP932) の CSV にしてください",
                      what, enc ? enc : "?");
        tk_buf_free(&raw);
        tk_buf_free(text);
        return -1;
    }
    tk_buf_free(&raw);
    if (text->data && memchr(text->data, '\0', text->len)) {
        tk_diag_error(d, path, 0, "%sに NUL 文字があります。CSV (文字のファイル) ではありません", what);
        tk_buf_free(text);
        return -1;
    }
    if (encoding)
        *encoding = enc;
    return 0;
}

void tk_csv_reader_init(tk_csv_reader *R, const tk_buf *text, const char *path, tk_arena *a, tk_diags *d)
{
    R->p = text->data ? text->data : "";
    R->end = R->p + text->len;
    R->line = 1;
    R->path = path;
    R->d = d;
    R->a = a;
}

bool tk_csv_next(tk_csv_reader *R, tk_csv_record *out, bool *bad)
{
    if (R->p >= R->end)
        return false;
    size_t cap = 8;
    out->fields = tk_arena_alloc(R->a, cap * sizeof *out->fields);
    out->n = 0;
    out->line = R->line;
    tk_buf f;
    tk_buf_init(&f);
    bool quoted = false, in_quotes = false;
    for (;;) {
        bool end_field = false, end_record = false;
        if (R->p >= R->end) {
            if (in_quotes) {
                tk_diag_error(R->d, R->path, out->line, "引用符 (\") が閉じられないままファイルが終わっています。\"\" で囲んだ欄の終わりに \" を入れてください");
                *bad = true;
            }
            end_field = end_record = true;
        } else {
            char c = *R->p++;
            if (in_quotes) {
                if (c == '"') {
                    if (R->p < R->end && *R->p == '"') {
                        tk_buf_putc(&f, '"');
                        R->p++;
                    } else {
                        in_quotes = false;
                    }
                } else {
                    if (c == '\n')
                        R->line++;
                    tk_buf_putc(&f, c);
                }
            } else if (c == '"' && f.len == 0 && !quoted) {
                in_quotes = quoted = true;
            } else if (c == ',') {
                end_field = true;
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && R->p < R->end && *R->p == '\n')
                    R->p++;
                R->line++;
                end_field = end_record = true;
            } else {
                tk_buf_putc(&f, c);
            }
        }
        if (end_field) {
            if (out->n == cap) {
                char **nf = tk_arena_alloc(R->a, cap * 2 * sizeof *nf);
                memcpy(nf, out->fields, cap * sizeof *nf);
                out->fields = nf;
                cap *= 2;
            }
            out->fields[out->n++] = tk_arena_strndup(R->a, f.data ? f.data : "", f.len);
            tk_buf_reset(&f);
            quoted = false;
        }
        if (end_record || *bad)
            break;
    }
    tk_buf_free(&f);
    return true;
}

const char *tk_csv_trim(tk_arena *a, const char *s)
{
    const char *b = s, *e = s + strlen(s);
    for (;;) {
        const char *q = b;
        if (q >= e || !tk_cp_is_space(tk_utf8_next(&q, e)))
            break;
        b = q;
    }
    while (e > b) {
        const char *q = e - 1;
        while (q > b && ((unsigned char)*q & 0xC0) == 0x80)
            q--;
        const char *r = q;
        if (!tk_cp_is_space(tk_utf8_next(&r, e)))
            break;
        e = q;
    }
    return tk_arena_strndup(a, b, (size_t)(e - b));
}

bool tk_csv_blank(const tk_csv_record *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (const char *p = r->fields[i]; *p; p++)
            if (*p != ' ' && *p != '\t')
                return false;
    return true;
}

void tk_csv_split_list(tk_arena *a, const char *s, const char ***out, size_t *n)
{
    tk_buf b;
    tk_buf_init(&b);
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        int32_t cp = tk_utf8_next(&p, end);
        if (cp == 0x3001 || cp == ',' || cp == 0xFF0C || cp == ';' || cp == 0xFF1B || cp == 0xFF64 || tk_cp_is_space(cp))
            tk_buf_putc(&b, '\x1f');
        else
            tk_buf_put_cp(&b, (uint32_t)cp);
    }
    size_t cap = 1;
    for (size_t i = 0; i < b.len; i++)
        cap += b.data[i] == '\x1f';
    *out = tk_arena_alloc(a, cap * sizeof **out);
    *n = 0;
    const char *q = b.data ? b.data : "";
    while (*q) {
        size_t len = strcspn(q, "\x1f");
        if (len)
            (*out)[(*n)++] = tk_arena_strndup(a, q, len);
        q += len;
        if (*q)
            q++;
    }
    tk_buf_free(&b);
}
