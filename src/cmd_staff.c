/* cmd_staff.c — tenken status --kind staff: a staff round person by person. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/cli.h"
#include "tenken/jdate.h"
#include "tenken/score.h"
#include "tenken/staff.h"
#include "tenken/text.h"
#include "tenken/util.h"

static char *fmtdup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmtdup(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = tk_vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* A department's line: its people and how many have answered. */
typedef struct dept_line {
    char *code, *name;
    size_t people, answered;
} dept_line;

typedef struct staff_ctx {
    dept_line *depts;
    size_t ndepts, capdepts;
    char ***missing; /* the people not answered: one row each */
    size_t nmissing, capmissing;
} staff_ctx;

#define MISSING_COLS 6

static bool take_person(const tk_staff_person *p, void *user)
{
    staff_ctx *s = user;
    if (!s->ndepts || strcmp(s->depts[s->ndepts - 1].code, p->department_code)) {
        if (s->ndepts == s->capdepts) {
            s->capdepts = s->capdepts ? s->capdepts * 2 : 32;
            s->depts = tk_xrealloc(s->depts, s->capdepts * sizeof *s->depts);
        }
        dept_line *dl = &s->depts[s->ndepts++];
        dl->code = tk_xstrdup(p->department_code);
        dl->name = tk_xstrdup(p->department_name);
        dl->people = dl->answered = 0;
    }
    dept_line *dl = &s->depts[s->ndepts - 1];
    dl->people++;
    if (p->received_at) {
        dl->answered++;
        return true;
    }
    if (s->nmissing == s->capmissing) {
        s->capmissing = s->capmissing ? s->capmissing * 2 : 64;
        s->missing = tk_xrealloc(s->missing, s->capmissing * sizeof *s->missing);
    }
    char **row = tk_xcalloc(MISSING_COLS, sizeof *row);
    const char *v[MISSING_COLS] = {p->department_code, p->department_name, p->number, p->name, p->mail, p->file};
    for (int k = 0; k < MISSING_COLS; k++)
        row[k] = tk_xstrdup(v[k] ? v[k] : "");
    s->missing[s->nmissing++] = row;
    return true;
}

static void staff_ctx_free(staff_ctx *s)
{
    for (size_t i = 0; i < s->ndepts; i++) {
        free(s->depts[i].code);
        free(s->depts[i].name);
    }
    free(s->depts);
    for (size_t i = 0; i < s->nmissing; i++) {
        for (int k = 0; k < MISSING_COLS; k++)
            free(s->missing[i][k]);
        free(s->missing[i]);
    }
    free(s->missing);
}

static const char *const MISSING_HEADS[MISSING_COLS] = {"部署コード", "部署名", "職員番号", "氏名", "メール", "ファイル"};

/* The departments' table and the line of totals. */
static void print_departments(tk_buf *out, const staff_ctx *s)
{
    static const char *heads[6] = {"コード", "部署", "職員数", "回答済み", "未回答", "回答率"};
    static const bool right[6] = {false, false, true, true, true, true};
    char ***rows = tk_xcalloc(s->ndepts + 1, sizeof *rows);
    size_t people = 0, answered = 0;
    for (size_t i = 0; i <= s->ndepts; i++) {
        const dept_line *dl = i < s->ndepts ? &s->depts[i] : NULL;
        size_t n = dl ? dl->people : people, a = dl ? dl->answered : answered;
        char **row = rows[i] = tk_xcalloc(6, sizeof *row);
        char rate[16];
        row[0] = tk_xstrdup(dl ? dl->code : "");
        row[1] = tk_xstrdup(dl ? dl->name : "全体");
        row[2] = fmtdup("%zu", n);
        row[3] = fmtdup("%zu", a);
        row[4] = fmtdup("%zu", n - a);
        row[5] = fmtdup("%s%%", tk_fmt1(n ? 100.0 * (double)a / (double)n : 0, rate));
        if (dl) {
            people += dl->people;
            answered += dl->answered;
        }
    }
    tk_text_table(out, 6, heads, (char *const *const *)rows, s->ndepts + 1, right);
    for (size_t i = 0; i <= s->ndepts; i++) {
        for (int k = 0; k < 6; k++)
            free(rows[i][k]);
        free(rows[i]);
    }
    free(rows);
}

int tk_cmd_staff_status(const tk_command *c, const char *org, long year, bool csv, bool missing_only, const char *db)
{
    (void)c;
    const char *dbp = tk_cli_db_path(db);
    int open_rc;
    tk_store *st = tk_cli_open_store(dbp, TK_STORE_READ, &open_rc);
    if (!st)
        return open_rc;
    tk_diags d;
    tk_diags_init(&d);
    staff_ctx s = {0};
    char deadline[16] = "";
    int rc = tk_staff_people(st, org, (int)year, deadline, take_person, &s, &d);
    tk_store_close(st);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    if (rc <= 0) {
        if (rc == 0)
            fprintf(stderr, "tenken status: %s の %ld 年度の職員セルフチェック (staff) は記録にありません (%s)\n", org, year, dbp);
        staff_ctx_free(&s);
        return rc == 0 ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
    }
    tk_buf out;
    tk_buf_init(&out);
    if (csv) {
        /* the people to remind (督促), for a mail merge */
        tk_buf_puts(&out, "\xEF\xBB\xBF");
        tk_csv_row(&out, MISSING_COLS, MISSING_HEADS);
        for (size_t i = 0; i < s.nmissing; i++)
            tk_csv_row(&out, MISSING_COLS, (const char *const *)s.missing[i]);
    } else {
        char dl[64] = "期限なし", fy[64];
        tk_date dd;
        if (*deadline && tk_date_parse(deadline, &dd))
            tk_date_both(dd, dl, sizeof dl);
        tk_fiscal_year_label((int)year, fy, sizeof fy);
        size_t people = 0;
        for (size_t i = 0; i < s.ndepts; i++)
            people += s.depts[i].people;
        if (!missing_only) {
            tk_buf_printf(&out, "%s %s 職員セルフチェック  提出期限: %s\n", org, fy, dl);
            print_departments(&out, &s);
            tk_buf_puts(&out, "\n");
        }
        tk_buf_printf(&out, "未回答の職員 (%zu 人):\n", s.nmissing);
        static const bool right[MISSING_COLS] = {false};
        tk_text_table(&out, MISSING_COLS, MISSING_HEADS, (char *const *const *)s.missing, s.nmissing, right);
        tk_buf_printf(&out, "status: 職員 %zu 人中 回答 %zu、未回答 %zu\n", people, people - s.nmissing, s.nmissing);
    }
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    tk_buf_free(&out);
    staff_ctx_free(&s);
    return TK_EXIT_OK;
}
