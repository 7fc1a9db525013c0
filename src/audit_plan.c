/* audit_plan.c — the audit plan: read the auditors' CSV, check each
 * assignment for independence, record it, and read it back for generate and
 * the reports. */
#include "tenken/audit_plan.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/csv.h"
#include "tenken/text.h"

/* Bounds on an untrusted CSV: a plan is a page of names. */
#define PLAN_MAX_BYTES (1u << 20)
#define PLAN_MAX_ROWS 10000
#define PLAN_MAX_FIELD 1000

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
static void find_headings(const tk_csv_record *h, int col[H_COUNT])
{
    for (int k = 0; k < H_COUNT; k++) {
        col[k] = -1;
        for (size_t i = 0; i < h->n && col[k] < 0; i++) {
            char *got = tk_text_norm_dup(h->fields[i]);
            char *want = tk_text_norm_dup(HEADING[k]);
            if (!strcmp(got, want))
                col[k] = (int)i;
            free(got);
            free(want);
        }
    }
}

static const char *cell(tk_arena *a, const tk_csv_record *r, int col)
{
    return col >= 0 && (size_t)col < r->n ? tk_csv_trim(a, r->fields[col]) : "";
}

/* One auditor's row: the departments resolved, independence checked. */
static bool read_row(tk_audit_plan *p, const char *path, const tk_org *org, const tk_csv_record *r, const int col[H_COUNT],
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
    } else if (tk_text_same_norm(affil, TK_AUDIT_EXTERNAL)) {
        out->affiliation = TK_AUDIT_EXTERNAL;
        const char *firm = cell(a, r, col[H_AFFIL_NAME]);
        out->affiliation_name = *firm ? firm : TK_AUDIT_EXTERNAL;
    } else {
        const tk_department *own = tk_org_department_find(org, affil);
        if (!own) {
            tk_diag_error(d, path, r->line, "監査人「%s」の所属「%s」は %s の部署にありません。部署コードか「外部」を記入してください (%s)",
                          who, affil, org->path ? org->path : "org.xml", dept_list(a, org));
        } else {
            out->affiliation = own->code;
            out->affiliation_name = own->name;
        }
    }
    const char **names = NULL;
    size_t n = 0;
    tk_csv_split_list(a, depts, &names, &n);
    if (!n)
        tk_diag_error(d, path, r->line, "監査人「%s」の担当部署が空欄です。監査する部署のコードを「、」で区切って記入してください", who);
    out->departments = tk_arena_alloc(a, (n ? n : 1) * sizeof *out->departments);
    const char **inv = NULL;
    size_t ninv = 0;
    tk_csv_split_list(a, cell(a, r, col[H_INVOLVED]), &inv, &ninv);
    for (size_t i = 0; i < n; i++) {
        const tk_department *dep = tk_org_department_find(org, names[i]);
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
            const tk_department *sys = tk_org_department_find(org, inv[k]);
            if (sys && sys == dep)
                tk_diag_error(d, path, r->line,
                              "監査人「%s」は %s %s の情報システムの構築・運用に関与している (関与部署) ため、この部署を監査できません "
                              "(独立性: 統一基準 2.3.2(2))。別の監査人を割り当ててください",
                              who, dep->code, dep->name);
        }
        out->departments[out->ndepartments++] = dep->code;
    }
    for (size_t k = 0; k < ninv; k++)
        if (!tk_org_department_find(org, inv[k]))
            tk_diag_error(d, path, r->line, "監査人「%s」の関与部署「%s」は %s の部署にありません", who, inv[k],
                          org->path ? org->path : "org.xml");
    return d->errors == before;
}

/* The records of the decoded text, as a plan. */
static tk_audit_plan *parse_text(const char *path, const tk_buf *text, const char sha256[65], const tk_org *org, int year,
                                 tk_diags *d)
{
    size_t before = d->errors;
    tk_audit_plan *p = tk_xcalloc(1, sizeof *p);
    p->arena = tk_arena_new();
    p->org = tk_arena_strdup(p->arena, org->id);
    p->year = year;
    p->file = tk_arena_strdup(p->arena, path);
    memcpy(p->sha256, sha256, 65);
    tk_csv_reader rd;
    tk_csv_reader_init(&rd, text, p->file, p->arena, d);
    tk_csv_record rec;
    bool bad = false, have_head = false;
    int col[H_COUNT];
    size_t cap = 0;
    while (!bad && tk_csv_next(&rd, &rec, &bad)) {
        if (tk_csv_blank(&rec))
            continue;
        if (!have_head) {
            have_head = true;
            find_headings(&rec, col);
            for (int k = H_NAME; k <= H_DEPTS; k++)
                if (col[k] < 0)
                    tk_diag_error(d, path, rec.line, "見出しに「%s」がありません。見出しの行には「氏名」「所属」「担当部署」が必要です",
                                  HEADING[k]);
            if (d->errors > before)
                break;
            continue;
        }
        if (p->nauditors >= PLAN_MAX_ROWS) {
            tk_diag_error(d, path, rec.line, "監査人の行が多すぎます (上限 %d 行)", PLAN_MAX_ROWS);
            break;
        }
        if (p->nauditors == cap) {
            cap = cap ? cap * 2 : 16;
            tk_auditor *nv = tk_arena_alloc(p->arena, cap * sizeof *nv);
            if (p->nauditors)
                memcpy(nv, p->auditors, p->nauditors * sizeof *nv);
            p->auditors = nv;
        }
        tk_auditor au;
        if (read_row(p, path, org, &rec, col, &au, d))
            p->auditors[p->nauditors++] = au;
    }
    if (!have_head && d->errors == before)
        tk_diag_error(d, path, 0, "監査計画が空です。1 行目に「氏名」「所属」「担当部署」の見出し、2 行目から監査人を一人一行で記入してください");
    else if (!p->nauditors && d->errors == before)
        tk_diag_error(d, path, 0, "監査人の行がありません。見出しの次の行から、監査人を一人一行で記入してください");
    if (d->errors > before) {
        tk_audit_plan_free(p);
        return NULL;
    }
    return p;
}

tk_audit_plan *tk_audit_plan_parse(const char *path, const char *bytes, size_t len, const tk_org *org, int year,
                                   tk_diags *d)
{
    tk_buf text;
    const char *enc = NULL;
    if (tk_text_decode(bytes, len, &text, &enc) != 0 || (text.data && memchr(text.data, '\0', text.len))) {
        tk_diag_error(d, path, 0, "監査計画の文字コードを読めません (%s として読めない箇所があります)。UTF-8 か Shift_JIS (CP932) の CSV にしてください",
                      enc ? enc : "?");
        tk_buf_free(&text);
        return NULL;
    }
    char sha[65];
    tk_sha256_hex(bytes, len, sha);
    tk_audit_plan *p = parse_text(path, &text, sha, org, year, d);
    tk_buf_free(&text);
    return p;
}

tk_audit_plan *tk_audit_plan_read(const char *path, const tk_org *org, int year, tk_diags *d)
{
    tk_buf raw;
    if (tk_file_read(path, PLAN_MAX_BYTES, &raw) != 0) {
        if (errno == EFBIG)
            tk_diag_error(d, path, 0, "監査計画が大きすぎます (上限 %u KiB)", PLAN_MAX_BYTES >> 10);
        else
            tk_diag_error(d, path, 0, "監査計画を読めません: %s", strerror(errno));
        return NULL;
    }
    tk_audit_plan *p = tk_audit_plan_parse(path, raw.data ? raw.data : "", raw.len, org, year, d);
    tk_buf_free(&raw);
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

typedef struct plan_rows {
    const char *org;
    int year;
    tk_audit_plan *p; /* made at the first row */
    size_t cap;
} plan_rows;

static int assignment_row(sqlite3_stmt *q, void *user)
{
    plan_rows *l = user;
    tk_audit_plan *p = l->p;
    if (!p) {
        p = l->p = tk_xcalloc(1, sizeof *p);
        p->arena = tk_arena_new();
        p->org = tk_arena_strdup(p->arena, l->org);
        p->year = l->year;
        p->file = tk_arena_strdup(p->arena, (const char *)sqlite3_column_text(q, 0));
        snprintf(p->sha256, sizeof p->sha256, "%s", (const char *)sqlite3_column_text(q, 1));
    }
    add_assignment(p, (long)sqlite3_column_int64(q, 2), (const char *)sqlite3_column_text(q, 3),
                   (const char *)sqlite3_column_text(q, 4), (const char *)sqlite3_column_text(q, 5),
                   (const char *)sqlite3_column_text(q, 6), &l->cap);
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
    plan_rows l = {org, year, NULL, 0};
    if (tk_store_each_row(st, q, assignment_row, &l, NULL, d) != 0) {
        tk_audit_plan_free(l.p);
        return -1;
    }
    *out = l.p;
    return l.p ? 1 : 0;
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

static const char ROTATION_SQL[] = "SELECT DISTINCT p.year FROM audit_plan p JOIN audit_assignment a ON a.plan_id = p.id "
                                   "WHERE p.org = ?1 AND a.department_code = ?2 AND p.year > ?3 - ?4 AND p.year <= ?3 "
                                   "ORDER BY p.year";

/* One year of a department's audits, into the buffer of its years. */
static int rotation_year(sqlite3_stmt *q, void *user)
{
    tk_buf *b = user;
    tk_buf_printf(b, "%s%d", b->len ? " " : "", sqlite3_column_int(q, 0));
    return 0;
}

int tk_audit_rotation(tk_store *st, const tk_org *org, int year, int cycle, tk_arena *a, const char ***years,
                      tk_diags *d)
{
    const char **v = tk_arena_alloc(a, (org->ndepartments ? org->ndepartments : 1) * sizeof *v);
    int result = 0;
    for (size_t i = 0; i < org->ndepartments; i++) {
        tk_buf b;
        tk_buf_init(&b);
        sqlite3_stmt *q = result ? NULL : tk_store_prepare(st, ROTATION_SQL, d);
        if (q) {
            sqlite3_bind_text(q, 1, org->id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 2, org->departments[i].code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(q, 3, year);
            sqlite3_bind_int(q, 4, cycle);
            result = tk_store_each_row(st, q, rotation_year, &b, NULL, d);
        } else {
            result = -1;
        }
        v[i] = tk_arena_strdup(a, b.data ? b.data : "");
        tk_buf_free(&b);
    }
    *years = v;
    return result;
}
