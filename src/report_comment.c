/* report_comment.c — the secretariat's own 総評 of a committee report
 * (tenken report committee --comment FILE): read from a text file as
 * strictly as any other input, kept in the database with the campaign
 * (campaign_comment), so that the report made again next week says the
 * same. See report.h. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/report.h"
#include "tenken/text.h"

/* Bytes of the file and characters of the text: a 総評 is a few paragraphs. */
#define COMMENT_FILE_MAX (64 * 1024)
#define COMMENT_CHARS_MAX 4000

static int db_error(tk_store *st, tk_diags *d)
{
    tk_diag_error(d, tk_store_path(st), 0, "総評を記録できません: %s", sqlite3_errmsg(tk_store_sqlite(st)));
    return TK_EXIT_FAILURE;
}

/* The text of the file as it will be printed: decoded to UTF-8, line ends
 * as "\n", trailing blank lines dropped. Every problem goes to d at once
 * (control characters by line); NULL when there is one. Caller frees. */
static char *read_comment(const char *path, tk_diags *d)
{
    tk_buf raw, text;
    if (tk_file_read(path, COMMENT_FILE_MAX, &raw) != 0) {
        if (errno == EFBIG)
            tk_diag_error(d, path, 0, "総評のファイルが大きすぎます。%d KiB 以内の文章にしてください", COMMENT_FILE_MAX / 1024);
        else
            tk_diag_error(d, path, 0, "総評のファイルを読めません: %s", strerror(errno));
        return NULL;
    }
    const char *enc = NULL;
    int rc = tk_text_decode(raw.data ? raw.data : "", raw.len, &text, &enc);
    tk_buf_free(&raw);
    if (rc != 0) {
        tk_diag_error(d, path, 0, "総評のファイルの文字コードが読めません (%s として読めませんでした)。UTF-8 で保存してください",
                      enc ? enc : "UTF-8");
        return NULL;
    }
    tk_buf out;
    tk_buf_init(&out);
    const char *p = text.data ? text.data : "", *end = p + text.len;
    long line = 1;
    bool bad = false;
    while (p < end) {
        const char *q = p;
        int32_t c = tk_utf8_next(&q, end);
        if (c == '\r') {
            if (q < end && *q == '\n')
                q++;
            c = '\n';
        }
        if (c == '\n') {
            tk_buf_putc(&out, '\n');
            line++;
        } else if (c == '\t') {
            tk_buf_putc(&out, ' ');
        } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
            tk_diag_error(d, path, line, "制御文字 (U+%04X) があります。文章だけを書いてください", (unsigned)c);
            bad = true;
        } else {
            tk_buf_append(&out, p, (size_t)(q - p));
        }
        p = q;
    }
    tk_buf_free(&text);
    while (out.len && (out.data[out.len - 1] == '\n' || out.data[out.len - 1] == ' '))
        out.data[--out.len] = 0;
    if (!bad && out.len == 0) {
        tk_diag_error(d, path, 0, "総評の文章がありません。空のファイルです");
        bad = true;
    }
    size_t chars = out.data ? tk_utf8_count(out.data) : 0;
    if (!bad && chars > COMMENT_CHARS_MAX) {
        tk_diag_error(d, path, 0, "総評が長すぎます (%zu 文字)。%d 文字以内にしてください", chars, COMMENT_CHARS_MAX);
        bad = true;
    }
    if (bad) {
        tk_buf_free(&out);
        return NULL;
    }
    return tk_buf_steal(&out);
}

int tk_report_comment_set(tk_store *st, int64_t campaign_id, const char *path, tk_diags *d)
{
    char *text = read_comment(path, d);
    if (!text)
        return TK_EXIT_INPUT;
    sqlite3 *db = tk_store_sqlite(st);
    sqlite3_stmt *q;
    char now[32];
    tk_store_now(now);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO campaign_comment (campaign_id, text, file, updated_at) VALUES (?1, ?2, ?3, ?4) "
                           "ON CONFLICT (campaign_id) DO UPDATE SET text = ?2, file = ?3, updated_at = ?4",
                           -1, &q, NULL) != SQLITE_OK) {
        free(text);
        return db_error(st, d);
    }
    sqlite3_bind_int64(q, 1, campaign_id);
    sqlite3_bind_text(q, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    free(text);
    return rc == SQLITE_DONE ? TK_EXIT_OK : db_error(st, d);
}

int tk_report_comment_clear(tk_store *st, int64_t campaign_id, tk_diags *d)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(tk_store_sqlite(st), "DELETE FROM campaign_comment WHERE campaign_id = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return db_error(st, d);
    sqlite3_bind_int64(q, 1, campaign_id);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? TK_EXIT_OK : db_error(st, d);
}

typedef struct comment_read {
    tk_arena *a;
    const char **text;
} comment_read;

static int comment_row(sqlite3_stmt *q, void *user)
{
    const comment_read *c = user;
    if (sqlite3_column_text(q, 0))
        *c->text = tk_arena_strdup(c->a, (const char *)sqlite3_column_text(q, 0));
    return 1;
}

int tk_report_comment_get(tk_store *st, int64_t campaign_id, tk_arena *a, const char **text, tk_diags *d)
{
    *text = NULL;
    sqlite3_stmt *q = tk_store_prepare(st, "SELECT text FROM campaign_comment WHERE campaign_id = ?", d);
    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, campaign_id);
    comment_read c = {a, text};
    return tk_store_each_row(st, q, comment_row, &c, NULL, d) < 0 ? -1 : 0;
}
