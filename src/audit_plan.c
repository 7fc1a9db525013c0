/* audit_plan.c — the audit plan: read the auditors' CSV, check each
 * assignment for independence, record it, and read it back for generate and
 * the reports. */
#include "tenken/audit_plan.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/text.h"

/* Bounds on an untrusted CSV: a plan is a page of names. */
#define PLAN_MAX_BYTES (1u << 20)
#define PLAN_MAX_ROWS 10000
#define PLAN_MAX_FIELD 1000

/* ---- CSV ---- */

typedef struct csv_row {
    long line;
    char **f;
    size_t n;
} csv_row;

/* Split RFC 4180 text into rows (quoted fields may hold commas, quotes and
 * line breaks). Fields land in the arena. Returns the number of rows. */
static size_t csv_split(tk_arena *a, const char *s, size_t len, csv_row **rows)
{
    size_t nrows = 0, cap = 0;
    *rows = NULL;
    const char *p = s, *end = s + len;
    long line = 1;
    while (p < end && nrows < PLAN_MAX_ROWS) {
        csv_row r = {.line = line};
        size_t fcap = 0;
        tk_buf field;
        tk_buf_init(&field);
        bool row_done = false;
        while (!row_done) {
            tk_buf_reset(&field);
            if (p < end && *p == '"') {
                p++;
                while (p < end) {
                    if (*p == '"') {
                        if (p + 1 < end && p[1] == '"') {
                            tk_buf_putc(&field, '"');
                            p += 2;
                            continue;
                        }
                        p++;
                        break;
                    }
                    if (*p == '\n')
                        line++;
                    tk_buf_putc(&field, *p++);
                }
            }
            while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                tk_buf_putc(&field, *p++);
            if (r.n == fcap) {
                fcap = fcap ? fcap * 2 : 8;
                char **nf = tk_arena_alloc(a, fcap * sizeof *nf);
                if (r.n)
                    memcpy(nf, r.f, r.n * sizeof *nf);
                r.f = nf;
            }
            r.f[r.n++] = tk_arena_strdup(a, field.data ? field.data : "");
            if (p < end && *p == ',') {
                p++;
                continue;
            }
            if (p < end && *p == '\r')
                p++;
            if (p < end && *p == '\n')
                p++;
            line++;
            row_done = true;
        }
        tk_buf_free(&field);
        if (nrows == cap) {
            cap = cap ? cap * 2 : 16;
            *rows = tk_xrealloc(*rows, cap * sizeof **rows);
        }
        (*rows)[nrows++] = r;
    }
    return nrows;
}

static bool row_blank(const csv_row *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (const char *c = r->f[i]; *c; c++)
            if (*c != ' ' && *c != '\t')
                return false;
    }
    return true;
}

/* A cell as kept (outer white space, ideographic spaces included, trimmed). */
static const char *trimmed(tk_arena *a, const char *s)
{
    const char *end = s + strlen(s);
    for (;;) {
        if (*s == ' ' || *s == '\t')
            s++;
        else if (!strncmp(s, "\xE3\x80\x80", 3))
            s += 3;
        else
            break;
    }
    for (;;) {
        if (end > s && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        else if (end - s >= 3 && !strncmp(end - 3, "\xE3\x80\x80", 3))
            end -= 3;
        else
            break;
    }
    return tk_arena_strndup(a, s, (size_t)(end - s));
}

/* ---- matching against org.xml ---- */

static bool same_norm(const char *a, const char *b)
{
    char *x = tk_text_norm_dup(a), *y = tk_text_norm_dup(b);
    bool same = !strcmp(x, y);
    free(x);
    free(y);
    return same;
}

/* A department named by its code or its name. */
static const tk_department *find_dept(const tk_org *org, const char *key)
{
    for (size_t i = 0; i < org->ndepartments; i++)
        if (same_norm(org->departments[i].code, key))
            return &org->departments[i];
    for (size_t i = 0; i < org->ndepartments; i++)
        if (same_norm(org->departments[i].name, key))
            return &org->departments[i];
    return NULL;
}

/* Split a list of departments at 「、」「，」「,」 and white space. */
static size_t split_list(tk_arena *a, const char *s, const char ***out)
{
    size_t n = 0, cap = 4;
    const char **v = tk_arena_alloc(a, cap * sizeof *v);
    const char *p = s;
    while (*p) {
        static const char *const SEPS[] = {"\xE3\x80\x81", "\xEF\xBC\x8C", "\xE3\x80\x80", ",", " ", "\t", "\n", "\r"};
        size_t sep = 0;
        for (size_t k = 0; k < sizeof SEPS / sizeof SEPS[0] && !sep; k++)
            if (!strncmp(p, SEPS[k], strlen(SEPS[k])))
                sep = strlen(SEPS[k]);
        if (sep) {
            p += sep;
            continue;
        }
        const char *start = p;
        while (*p) {
            bool at_sep = false;
            for (size_t k = 0; k < sizeof SEPS / sizeof SEPS[0] && !at_sep; k++)
                at_sep = !strncmp(p, SEPS[k], strlen(SEPS[k]));
            if (at_sep)
                break;
            p++;
        }
        if (n == cap) {
            const char **nv = tk_arena_alloc(a, cap * 2 * sizeof *nv);
            memcpy(nv, v, n * sizeof *nv);
            v = nv;
            cap *= 2;
        }
        v[n++] = tk_arena_strndup(a, start, (size_t)(p - start));
    }
    *out = v;
    return n;
}

static const char *dept_list(tk_arena *a, const tk_org *org)
{
    tk_buf b;
    tk_buf_init(&b);
    for (size_t k = 0; k < org->ndepartments; k++)
        tk_buf_printf(&b, "%s%s %s", k ? "、" : "", org->departments[k].code, org->departments[k].name);
    const char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

/* ---- reading ---- */

enum { H_NAME, H_AFFIL, H_DEPTS, H_AFFIL_NAME, H_INVOLVED, H_COUNT };
static const char *const HEADING[H_COUNT] = {"氏名", "所属", "担当部署", "所属名", "関与部署"};

/* Columns by heading (match form); -1 when absent. */
static void find_headings(const csv_row *h, int col[H_COUNT])
{
    for (int k = 0; k < H_COUNT; k++) {
        col[k] = -1;
        for (size_t i = 0; i < h->n && col[k] < 0; i++) {
            char *got = tk_text_norm_dup(h->f[i]);
            char *want = tk_text_norm_dup(HEADING[k]);
            if (!strcmp(got, want))
                col[k] = (int)i;
            free(got);
            free(want);
        }
    }
}

static const char *cell(tk_arena *a, const csv_row *r, int col)
{
    return col >= 0 && (size_t)col < r->n ? trimmed(a, r->f[col]) : "";
}

/* One auditor's row: the departments resolved, independence checked. */
static bool read_row(tk_audit_plan *p, const char *path, const tk_org *org, const csv_row *r, const int col[H_COUNT],
                     tk_auditor *out, tk_diags *d)
{
    tk_arena *a = p->arena;
    size_t before = d->errors;
    memset(out, 0, sizeof *out);
    out->line = r->line;
    out->name = cell(a, r, col[H_NAME]);
    const char *affil = cell(a, r, col[H_AFFIL]);
    const char *depts = cell(a, r, col[H_DEPTS]);
    for (int k = 0; k < H_COUNT; k++) {
        const char *v = cell(a, r, col[k]);
        if (tk_utf8_count(v) > PLAN_MAX_FIELD)
            tk_diag_error(d, path, r->line, "「%s」が %zu 文字あります。%d 文字以内にしてください", HEADING[k],
                          tk_utf8_count(v), PLAN_MAX_FIELD);
    }
    const char *who = *out->name ? out->name : "(氏名なし)";
    if (!*out->name)
        tk_diag_error(d, path, r->line, "氏名が空欄です。監査人の氏名を記入してください");
    if (!*affil) {
        tk_diag_error(d, path, r->line, "監査人「%s」の所属が空欄です。org.xml の部署コードか「外部」を記入してください", who);
    } else if (same_norm(affil, TK_AUDIT_EXTERNAL)) {
        out->affiliation = TK_AUDIT_EXTERNAL;
        const char *firm = cell(a, r, col[H_AFFIL_NAME]);
        out->affiliation_name = *firm ? firm : TK_AUDIT_EXTERNAL;
    } else {
        const tk_department *own = find_dept(org, affil);
        if (!own) {
            tk_diag_error(d, path, r->line, "監査人「%s」の所属「%s」は %s の部署にありません。部署コードか「外部」を記入してください (%s)",
                          who, affil, org->path ? org->path : "org.xml", dept_list(a, org));
        } else {
            out->affiliation = own->code;
            out->affiliation_name = own->name;
        }
    }
    const char **names = NULL;
    size_t n = split_list(a, depts, &names);
    if (!n)
        tk_diag_error(d, path, r->line, "監査人「%s」の担当部署が空欄です。監査する部署のコードを「、」で区切って記入してください", who);
    out->departments = tk_arena_alloc(a, (n ? n : 1) * sizeof *out->departments);
    const char **inv = NULL;
    size_t ninv = split_list(a, cell(a, r, col[H_INVOLVED]), &inv);
    for (size_t i = 0; i < n; i++) {
        const tk_department *dep = find_dept(org, names[i]);
        if (!dep) {
            tk_diag_error(d, path, r->line, "監査人「%s」の担当部署「%s」は %s の部署にありません (%s)", who, names[i],
                          org->path ? org->path : "org.xml", dept_list(a, org));
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < out->ndepartments; k++)
            dup = dup || !strcmp(out->departments[k], dep->code);
        if (dup)
            continue;
        if (out->affiliation && !strcmp(out->affiliation, dep->code))
            tk_diag_error(d, path, r->line,
                          "監査人「%s」は所属する %s %s を担当部署にしています。監査人は自らの所属する部署を監査できません (独立性: "
                          "統一基準 2.3.2(2))。他の部署の監査人か外部の監査人を割り当ててください",
                          who, dep->code, dep->name);
        for (size_t k = 0; k < ninv; k++) {
            const tk_department *sys = find_dept(org, inv[k]);
            if (sys && sys == dep)
                tk_diag_error(d, path, r->line,
                              "監査人「%s」は %s %s の情報システムの構築・運用に関与している (関与部署) ため、この部署を監査できません "
                              "(独立性: 統一基準 2.3.2(2))。別の監査人を割り当ててください",
                              who, dep->code, dep->name);
        }
        out->departments[out->ndepartments++] = dep->code;
    }
    for (size_t k = 0; k < ninv; k++)
        if (!find_dept(org, inv[k]))
            tk_diag_error(d, path, r->line, "監査人「%s」の関与部署「%s」は %s の部署にありません", who, inv[k],
                          org->path ? org->path : "org.xml");
    return d->errors == before;
}

tk_audit_plan *tk_audit_plan_parse(const char *path, const char *bytes, size_t len, const tk_org *org, int year,
                                   tk_diags *d)
{
    size_t before = d->errors;
    tk_buf text;
    tk_buf_init(&text);
    const char *enc = NULL;
    if (tk_text_decode(bytes, len, &text, &enc) != 0) {
        tk_diag_error(d, path, 0, "文字コードを判別できません (%s として読めません)。UTF-8 (BOM の有無は問いません) か Shift_JIS (CP932) で保存してください",
                      enc ? enc : "UTF-8");
        tk_buf_free(&text);
        return NULL;
    }
    tk_audit_plan *p = tk_xcalloc(1, sizeof *p);
    p->arena = tk_arena_new();
    p->org = tk_arena_strdup(p->arena, org->id);
    p->year = year;
    p->file = tk_arena_strdup(p->arena, path);
    tk_sha256_hex(bytes, len, p->sha256);
    csv_row *rows = NULL;
    size_t nrows = csv_split(p->arena, text.data ? text.data : "", text.len, &rows);
    tk_buf_free(&text);
    size_t first = 0;
    while (first < nrows && row_blank(&rows[first]))
        first++;
    if (first == nrows) {
        tk_diag_error(d, path, 0, "監査計画が空です。1 行目に「氏名」「所属」「担当部署」の見出し、2 行目から監査人を一人一行で記入してください");
    } else {
        int col[H_COUNT];
        find_headings(&rows[first], col);
        for (int k = H_NAME; k <= H_DEPTS; k++)
            if (col[k] < 0)
                tk_diag_error(d, path, rows[first].line, "見出しに「%s」がありません。見出しの行には「氏名」「所属」「担当部署」が必要です",
                              HEADING[k]);
        if (d->errors == before) {
            p->auditors = tk_arena_alloc(p->arena, nrows * sizeof *p->auditors);
            for (size_t i = first + 1; i < nrows; i++) {
                if (row_blank(&rows[i]))
                    continue;
                tk_auditor au;
                if (read_row(p, path, org, &rows[i], col, &au, d))
                    p->auditors[p->nauditors++] = au;
            }
            if (!p->nauditors && d->errors == before)
                tk_diag_error(d, path, 0, "監査人の行がありません。見出しの次の行から、監査人を一人一行で記入してください");
        }
    }
    free(rows);
    if (d->errors > before) {
        tk_audit_plan_free(p);
        return NULL;
    }
    return p;
}

tk_audit_plan *tk_audit_plan_read(const char *path, const tk_org *org, int year, tk_diags *d)
{
    tk_buf b;
    tk_buf_init(&b);
    if (tk_file_read(path, PLAN_MAX_BYTES, &b) != 0) {
        if (errno == EFBIG)
            tk_diag_error(d, path, 0, "監査計画のファイルが大きすぎます (%u バイトまで)", PLAN_MAX_BYTES);
        else
            tk_diag_error(d, path, 0, "監査計画のファイルを読めません: %s", strerror(errno));
        tk_buf_free(&b);
        return NULL;
    }
    tk_audit_plan *p = tk_audit_plan_parse(path, b.data ? b.data : "", b.len, org, year, d);
    tk_buf_free(&b);
    return p;
}

void tk_audit_plan_free(tk_audit_plan *p)
{
    if (!p)
        return;
    tk_arena_free(p->arena);
    free(p);
}

/* ---- the record ---- */

int tk_audit_plan_record(tk_store *st, const tk_audit_plan *p, bool force, tk_diags *d)
{
    if (tk_store_begin(st, d) != 0)
        return TK_EXIT_FAILURE;
    sqlite3_stmt *q = tk_store_prepare(st, "SELECT id, created_at FROM audit_plan WHERE org = ?1 AND year = ?2", d);
    if (!q)
        goto fail;
    sqlite3_bind_text(q, 1, p->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, p->year);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && !force) {
        tk_diag_error(d, p->file, 0, "%d 年度の監査計画は %s に記録済みです。置き換えるには --force を付けてください", p->year,
                      (const char *)sqlite3_column_text(q, 1));
        tk_store_done(st, q);
        tk_store_rollback(st);
        return TK_EXIT_INPUT;
    }
    tk_store_done(st, q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto fail_db;
    q = tk_store_prepare(st, "DELETE FROM audit_plan WHERE org = ?1 AND year = ?2", d);
    if (!q)
        goto fail;
    sqlite3_bind_text(q, 1, p->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, p->year);
    rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE)
        goto fail_db;
    char now[32];
    tk_store_now(now);
    q = tk_store_prepare(st, "INSERT INTO audit_plan (org, year, file, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5)", d);
    if (!q)
        goto fail;
    sqlite3_bind_text(q, 1, p->org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, p->year);
    sqlite3_bind_text(q, 3, p->file, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, p->sha256, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(q);
    tk_store_done(st, q);
    if (rc != SQLITE_DONE)
        goto fail_db;
    int64_t id = sqlite3_last_insert_rowid(tk_store_sqlite(st));
    q = tk_store_prepare(st,
                         "INSERT INTO audit_assignment (plan_id, line, auditor, affiliation, affiliation_name, department_code) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         d);
    if (!q)
        goto fail;
    for (size_t i = 0; i < p->nauditors; i++) {
        const tk_auditor *au = &p->auditors[i];
        for (size_t k = 0; k < au->ndepartments; k++) {
            sqlite3_reset(q);
            sqlite3_bind_int64(q, 1, id);
            sqlite3_bind_int64(q, 2, au->line);
            sqlite3_bind_text(q, 3, au->name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 4, au->affiliation, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 5, au->affiliation_name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 6, au->departments[k], -1, SQLITE_TRANSIENT);
            if (sqlite3_step(q) != SQLITE_DONE) {
                tk_store_done(st, q);
                goto fail_db;
            }
        }
    }
    tk_store_done(st, q);
    if (tk_store_commit(st, d) != 0)
        goto fail;
    return TK_EXIT_OK;
fail_db:
    tk_diag_error(d, tk_store_path(st), 0, "監査計画を記録できません: %s", sqlite3_errmsg(tk_store_sqlite(st)));
fail:
    tk_store_rollback(st);
    return TK_EXIT_FAILURE;
}

static int add_assignment(tk_audit_plan *p, long line, const char *name, const char *affil, const char *affil_name,
                          const char *code, size_t *cap)
{
    tk_arena *a = p->arena;
    tk_auditor *au = p->nauditors ? &p->auditors[p->nauditors - 1] : NULL;
    if (!au || au->line != line) {
        if (p->nauditors == *cap) {
            size_t ncap = *cap ? *cap * 2 : 8;
            tk_auditor *nv = tk_arena_alloc(a, ncap * sizeof *nv);
            if (p->nauditors)
                memcpy(nv, p->auditors, p->nauditors * sizeof *nv);
            p->auditors = nv;
            *cap = ncap;
        }
        au = &p->auditors[p->nauditors++];
        memset(au, 0, sizeof *au);
        au->line = line;
        au->name = tk_arena_strdup(a, name);
        au->affiliation = tk_arena_strdup(a, affil);
        au->affiliation_name = tk_arena_strdup(a, affil_name);
        au->departments = tk_arena_alloc(a, 64 * sizeof *au->departments);
    }
    if (au->ndepartments % 64 == 0 && au->ndepartments) {
        const char **nv = tk_arena_alloc(a, (au->ndepartments + 64) * sizeof *nv);
        memcpy(nv, au->departments, au->ndepartments * sizeof *nv);
        au->departments = nv;
    }
    au->departments[au->ndepartments++] = tk_arena_strdup(a, code);
    return 0;
}

int tk_audit_plan_load(tk_store *st, const char *org, int year, tk_audit_plan **out, tk_diags *d)
{
    *out = NULL;
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT p.file, p.sha256, a.line, a.auditor, a.affiliation, a.affiliation_name, "
                                       "a.department_code FROM audit_plan p JOIN audit_assignment a ON a.plan_id = p.id "
                                       "WHERE p.org = ?1 AND p.year = ?2 ORDER BY a.line, a.rowid",
                                       d);
    if (!q)
        return -1;
    sqlite3_bind_text(q, 1, org, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 2, year);
    tk_audit_plan *p = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (!p) {
            p = tk_xcalloc(1, sizeof *p);
            p->arena = tk_arena_new();
            p->org = tk_arena_strdup(p->arena, org);
            p->year = year;
            p->file = tk_arena_strdup(p->arena, (const char *)sqlite3_column_text(q, 0));
            snprintf(p->sha256, sizeof p->sha256, "%s", (const char *)sqlite3_column_text(q, 1));
        }
        add_assignment(p, (long)sqlite3_column_int64(q, 2), (const char *)sqlite3_column_text(q, 3),
                       (const char *)sqlite3_column_text(q, 4), (const char *)sqlite3_column_text(q, 5),
                       (const char *)sqlite3_column_text(q, 6), &cap);
    }
    tk_store_done(st, q);
    if (rc != SQLITE_DONE) {
        tk_diag_error(d, tk_store_path(st), 0, "監査計画を読めません: %s", sqlite3_errmsg(tk_store_sqlite(st)));
        tk_audit_plan_free(p);
        return -1;
    }
    *out = p;
    return p ? 1 : 0;
}

bool tk_audit_plan_covers(const tk_audit_plan *p, const char *code)
{
    for (size_t i = 0; p && i < p->nauditors; i++)
        for (size_t k = 0; k < p->auditors[i].ndepartments; k++)
            if (!strcmp(p->auditors[i].departments[k], code))
                return true;
    return false;
}

const char *tk_audit_plan_auditors_of(const tk_audit_plan *p, const char *code)
{
    if (!tk_audit_plan_covers(p, code))
        return NULL;
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < p->nauditors; i++) {
        const tk_auditor *au = &p->auditors[i];
        for (size_t k = 0; k < au->ndepartments; k++)
            if (!strcmp(au->departments[k], code)) {
                tk_buf_printf(&b, "%s%s（%s）", b.len ? "、" : "", au->name, au->affiliation_name);
                break;
            }
    }
    const char *s = tk_arena_strdup(p->arena, b.data);
    tk_buf_free(&b);
    return s;
}

int tk_audit_rotation(tk_store *st, const tk_org *org, int year, int cycle, tk_arena *a, const char ***years,
                      tk_diags *d)
{
    const char **v = tk_arena_alloc(a, (org->ndepartments ? org->ndepartments : 1) * sizeof *v);
    sqlite3_stmt *q = tk_store_prepare(st,
                                       "SELECT DISTINCT p.year FROM audit_plan p JOIN audit_assignment a ON a.plan_id = p.id "
                                       "WHERE p.org = ?1 AND a.department_code = ?2 AND p.year > ?3 - ?4 AND p.year <= ?3 "
                                       "ORDER BY p.year",
                                       d);
    if (!q)
        return -1;
    int result = 0;
    for (size_t i = 0; i < org->ndepartments; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, org->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, org->departments[i].code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 3, year);
        sqlite3_bind_int(q, 4, cycle);
        tk_buf b;
        tk_buf_init(&b);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW)
            tk_buf_printf(&b, "%s%d", b.len ? " " : "", sqlite3_column_int(q, 0));
        if (rc != SQLITE_DONE)
            result = -1;
        v[i] = tk_arena_strdup(a, b.data ? b.data : "");
        tk_buf_free(&b);
    }
    tk_store_done(st, q);
    if (result)
        tk_diag_error(d, tk_store_path(st), 0, "監査計画を読めません: %s", sqlite3_errmsg(tk_store_sqlite(st)));
    *years = v;
    return result;
}
