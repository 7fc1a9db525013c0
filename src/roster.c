/* roster.c — read and check the staff roster (CSV) of a staff self-check. */
#include "tenken/roster.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/csv.h"
#include "tenken/text.h"

enum rcol { C_NUMBER, C_NAME, C_DEPARTMENT, C_TITLE, C_MAIL, C_ROLES, C_COUNT };

/* A role of org by id, name or alias (match form). */
static const tk_role *find_role(const tk_org *org, const char *s)
{
    for (size_t i = 0; i < org->nroles; i++) {
        const tk_role *r = &org->roles[i];
        if (tk_text_same_norm(r->id, s) || (r->name && tk_text_same_norm(r->name, s)))
            return r;
        for (size_t k = 0; k < r->naliases; k++)
            if (tk_text_same_norm(r->aliases[k], s))
                return r;
    }
    return NULL;
}

const char *tk_roster_staff_role(const tk_org *org, const char *names)
{
    const char *p = names ? names : "", *w;
    size_t n;
    while (tk_word_next(&p, &w, &n)) {
        char *name = tk_xmalloc(n + 1);
        memcpy(name, w, n);
        name[n] = '\0';
        const tk_role *r = find_role(org, name);
        free(name);
        if (r)
            return r->id;
    }
    return NULL;
}

/* A mail address as a mail merge can use it: one @, something on each
 * side, a dot in the domain, no spaces, commas or angle brackets. */
static bool mail_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
        s[strlen(s) - 1] == '.')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || strchr(",;<>()[]\"", *p))
            return false;
    return true;
}

/* Which column holds what: -1 when absent. Required columns missing, or a
 * heading twice, are errors on the header's line. */
static bool map_header(const tk_csv_record *h, const tk_roster_headings *hd, int col[C_COUNT], const char *path, tk_diags *d,
                       tk_arena *a)
{
    const char *want[C_COUNT] = {hd->number, hd->name, hd->department, hd->title, hd->mail, hd->roles};
    bool ok = true;
    for (int k = 0; k < C_COUNT; k++) {
        col[k] = -1;
        if (!want[k])
            continue;
        for (size_t i = 0; i < h->n; i++) {
            if (!tk_text_same_norm(tk_csv_trim(a, h->fields[i]), want[k]))
                continue;
            if (col[k] >= 0) {
                tk_diag_error(d, path, h->line, "見出し「%s」が %d 列目と %zu 列目の二つあります。一つにしてください", want[k], col[k] + 1, i + 1);
                ok = false;
                break;
            }
            col[k] = (int)i;
        }
    }
    for (int k = C_NUMBER; k <= C_DEPARTMENT; k++) {
        if (col[k] >= 0)
            continue;
        tk_buf got;
        tk_buf_init(&got);
        for (size_t i = 0; i < h->n; i++)
            tk_buf_printf(&got, "%s「%s」", i ? "、" : "", h->fields[i]);
        tk_diag_error(d, path, h->line, "見出しの行に「%s」の列がありません。「%s」「%s」「%s」の列が必要です (見出し: %s)", want[k], hd->number,
                      hd->name, hd->department, got.data ? got.data : "なし");
        tk_buf_free(&got);
        ok = false;
    }
    return ok;
}

static const char *field(const tk_csv_record *r, const int col[C_COUNT], int k, tk_arena *a)
{
    if (col[k] < 0 || (size_t)col[k] >= r->n)
        return "";
    return tk_csv_trim(a, r->fields[col[k]]);
}

/* Check one row and fill *p. false when it has a problem (reported). */
static bool take_person(tk_roster *R, const tk_org *org, const char *staff_role, const tk_csv_record *rec, const int col[C_COUNT],
                        size_t ncols, const tk_roster_headings *h, tk_strmap *seen, tk_person *p, tk_diags *d)
{
    tk_arena *a = R->arena;
    size_t before = d->errors;
    if (rec->n > ncols)
        tk_diag_error(d, R->path, rec->line, "欄が %zu 個あります。見出しの行は %zu 欄です。欄の中の「,」は \"\" で囲んでください", rec->n, ncols);
    for (size_t i = 0; i < rec->n; i++)
        if (tk_utf8_count(rec->fields[i]) > TK_ROSTER_MAX_FIELD)
            tk_diag_error(d, R->path, rec->line, "%zu 列目が %zu 文字あります。%d 文字以内にしてください", i + 1,
                          tk_utf8_count(rec->fields[i]), TK_ROSTER_MAX_FIELD);
    memset(p, 0, sizeof *p);
    p->line = rec->line;
    p->number = field(rec, col, C_NUMBER, a);
    p->name = field(rec, col, C_NAME, a);
    const char *dep = field(rec, col, C_DEPARTMENT, a);
    const char *title = field(rec, col, C_TITLE, a), *mail = field(rec, col, C_MAIL, a);
    const char *roles = field(rec, col, C_ROLES, a);
    p->title = *title ? title : NULL;
    p->mail = *mail ? mail : NULL;
    if (!*p->number) {
        tk_diag_error(d, R->path, rec->line, "%s が空です。職員ごとに重ならない番号を入れてください", h->number);
    } else {
        bool dup = false;
        const void *first = tk_strmap_put(seen, p->number, (const void *)(intptr_t)rec->line, &dup);
        if (dup)
            tk_diag_error(d, R->path, rec->line, "%s「%s」は %ld 行目と重なっています。職員番号は一人に一つです", h->number, p->number,
                          (long)(intptr_t)first);
        if (strlen(p->number) > 32)
            tk_diag_error(d, R->path, rec->line, "%s「%s」が長すぎます (32 バイトまで)", h->number, p->number);
        for (const char *q = p->number; *q; q++)
            if (strchr("/\\:*?\"<>|", *q) || (unsigned char)*q < 0x20) {
                tk_diag_error(d, R->path, rec->line, "%s「%s」にファイル名に使えない文字 (%c) があります", h->number, p->number, *q);
                break;
            }
    }
    if (!*p->name)
        tk_diag_error(d, R->path, rec->line, "%s が空です (%s「%s」)", h->name, h->number, p->number);
    p->dept = *dep ? tk_org_department_find(org, dep) : NULL;
    if (!*dep) {
        tk_diag_error(d, R->path, rec->line, "%s が空です (%s「%s」)。org.xml の部署コードか部署名を入れてください", h->department, h->number,
                      p->number);
    } else if (!p->dept) {
        tk_buf list;
        tk_buf_init(&list);
        for (size_t k = 0; k < org->ndepartments && k < 12; k++)
            tk_buf_printf(&list, "%s%s %s", k ? "、" : "", org->departments[k].code, org->departments[k].name);
        if (org->ndepartments > 12)
            tk_buf_printf(&list, " ほか %zu 部署", org->ndepartments - 12);
        tk_diag_error(d, R->path, rec->line, "%s「%s」は %s にない部署です。部署コードか部署名で書いてください (%s)", h->department, dep, org->path,
                      list.data ? list.data : "");
        tk_buf_free(&list);
    }
    if (p->mail && !mail_ok(p->mail))
        tk_diag_error(d, R->path, rec->line, "%s「%s」はメールアドレスとして読めません。name@example.lg.jp のように一つだけ書いてください", h->mail,
                      p->mail);
    const char **extra;
    size_t nextra;
    tk_csv_split_list(a, roles, &extra, &nextra);
    p->roles = tk_arena_alloc(a, (nextra + 1) * sizeof *p->roles);
    p->roles[p->nroles++] = staff_role;
    for (size_t k = 0; k < nextra; k++) {
        const tk_role *role = find_role(org, extra[k]);
        if (!role) {
            tk_diag_error(d, R->path, rec->line, "%s「%s」は %s にない役割です。役割の ID・名称・別名で書き、複数は「、」で区切ってください",
                          h->roles, extra[k], org->path);
            continue;
        }
        bool have = false;
        for (size_t m = 0; m < p->nroles && !have; m++)
            have = !strcmp(p->roles[m], role->id);
        if (!have)
            p->roles[p->nroles++] = role->id;
    }
    return d->errors == before;
}

tk_roster *tk_roster_load(const char *path, const tk_org *org, const char *staff_role, const tk_roster_headings *h,
                          tk_diags *d)
{
    tk_buf text;
    const char *enc = NULL;
    if (tk_csv_read_file(path, TK_ROSTER_MAX_BYTES, "名簿", &text, &enc, d) != 0)
        return NULL;
    tk_roster *R = tk_xcalloc(1, sizeof *R);
    R->arena = tk_arena_new();
    R->path = tk_arena_strdup(R->arena, path);
    R->encoding = enc;
    size_t before = d->errors;
    tk_csv_reader rd;
    tk_csv_reader_init(&rd, &text, R->path, R->arena, d);
    tk_csv_record rec, head = {0};
    bool bad = false, have_head = false;
    int col[C_COUNT];
    size_t cap = 0;
    tk_strmap seen = {0};
    while (!bad && tk_csv_next(&rd, &rec, &bad)) {
        if (tk_csv_blank(&rec))
            continue;
        if (!have_head) {
            head = rec;
            have_head = true;
            if (!map_header(&head, h, col, R->path, d, R->arena))
                break;
            continue;
        }
        if (R->npeople >= TK_ROSTER_MAX_PEOPLE) {
            tk_diag_error(d, R->path, rec.line, "名簿の行が多すぎます (上限 %d 人)", TK_ROSTER_MAX_PEOPLE);
            break;
        }
        if (R->npeople == cap) {
            cap = cap ? cap * 2 : 256;
            tk_person *np = tk_arena_alloc(R->arena, cap * sizeof *np);
            if (R->npeople)
                memcpy(np, R->people, R->npeople * sizeof *np);
            R->people = np;
        }
        if (take_person(R, org, staff_role, &rec, col, head.n, h, &seen, &R->people[R->npeople], d))
            R->npeople++;
    }
    tk_strmap_free(&seen);
    tk_buf_free(&text);
    if (!have_head && d->errors == before)
        tk_diag_error(d, R->path, 0, "名簿が空です。見出しの行 (%s,%s,%s …) と職員の行が必要です", h->number, h->name, h->department);
    else if (have_head && R->npeople == 0 && d->errors == before)
        tk_diag_error(d, R->path, 0, "名簿に職員の行がありません");
    if (d->errors > before) {
        tk_roster_free(R);
        return NULL;
    }
    return R;
}

void tk_roster_free(tk_roster *r)
{
    if (!r)
        return;
    tk_arena_free(r->arena);
    free(r);
}

bool tk_person_answers(const tk_person *p, const tk_item *it)
{
    if (it->out_of_scope)
        return false;
    for (size_t i = 0; i < it->nroles; i++)
        for (size_t k = 0; k < p->nroles; k++)
            if (!strcmp(it->roles[i], p->roles[k]))
                return true;
    return false;
}
