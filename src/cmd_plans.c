/* cmd_plans.c — tenken plans (list, set) and tenken export plans. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenken/cli.h"
#include "tenken/jdate.h"
#include "tenken/planlist.h"
#include "tenken/store.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/xlsx_list.h"

#define NCOLS 12
static const char *const HEADS[NCOLS] = {"番号", "年度", "種類", "部署コード", "部署", "該当条項", "改善内容",
                                         "担当者", "完了予定日", "状況", "超過日数", "記録"};

/* Cut s to at most w display columns, ending in "…" when cut. */
static char *clip(const char *s, size_t w)
{
    if (tk_text_width(s) <= w)
        return tk_xstrdup(s);
    tk_buf b;
    tk_buf_init(&b);
    const char *p = s, *end = s + strlen(s);
    size_t used = 0;
    while (p < end) {
        const char *q = p;
        int32_t cp = tk_utf8_next(&q, end);
        if (cp == '\n' || cp == '\r')
            cp = ' ';
        char one[8] = {0};
        memcpy(one, p, (size_t)(q - p) < 7 ? (size_t)(q - p) : 7);
        size_t cw = tk_text_width(one);
        if (used + cw + 2 > w)
            break;
        if (cp == ' ')
            tk_buf_putc(&b, ' ');
        else
            tk_buf_append(&b, p, (size_t)(q - p));
        used += cw;
        p = q;
    }
    tk_buf_puts(&b, "…");
    return tk_buf_steal(&b);
}

static void cells_of(const tk_plan_row *r, char *c[NCOLS])
{
    char b[64];
    snprintf(b, sizeof b, "%lld", (long long)r->id);
    c[0] = tk_xstrdup(b);
    snprintf(b, sizeof b, "%d", r->year);
    c[1] = tk_xstrdup(b);
    c[2] = tk_xstrdup(!strcmp(r->kind, "audit") ? "監査" : !strcmp(r->kind, "followup") ? "追跡" : "自己点検");
    c[3] = tk_xstrdup(r->department_code);
    c[4] = tk_xstrdup(r->department_name);
    c[5] = tk_xstrdup(r->ref);
    c[6] = tk_xstrdup(r->content && *r->content ? r->content : r->finding ? r->finding : "");
    c[7] = tk_xstrdup(r->owner ? r->owner : "");
    c[8] = tk_xstrdup(r->due ? r->due : "");
    c[9] = tk_xstrdup(tk_plan_status_label(r->status));
    snprintf(b, sizeof b, "%d", r->days_overdue);
    c[10] = tk_xstrdup(r->days_overdue ? b : "");
    snprintf(b, sizeof b, "%zu", r->log_entries);
    c[11] = tk_xstrdup(b);
}

static void free_cells(char *c[NCOLS])
{
    for (int k = 0; k < NCOLS; k++)
        free(c[k]);
}

static void to_csv(const tk_plan_list *l, tk_buf *out)
{
    tk_buf_puts(out, "\xEF\xBB\xBF");
    tk_csv_row(out, NCOLS, HEADS);
    for (size_t i = 0; i < l->n; i++) {
        char *c[NCOLS];
        cells_of(&l->rows[i], c);
        tk_csv_row(out, NCOLS, (const char *const *)c);
        free_cells(c);
    }
}

static void to_text(const tk_plan_list *l, tk_buf *out)
{
    static const int shown[] = {0, 1, 4, 5, 6, 7, 8, 9, 10};
    static const size_t clipw[] = {8, 6, 20, 26, 40, 16, 10, 10, 8};
    static const bool right[] = {true, true, false, false, false, false, false, false, true};
    enum { NS = sizeof shown / sizeof shown[0] };
    const char *heads[NS];
    for (size_t k = 0; k < NS; k++)
        heads[k] = HEADS[shown[k]];
    char ***rows = tk_xcalloc(l->n ? l->n : 1, sizeof *rows);
    for (size_t i = 0; i < l->n; i++) {
        rows[i] = tk_xcalloc(NS, sizeof **rows);
        char *c[NCOLS];
        cells_of(&l->rows[i], c);
        for (size_t k = 0; k < NS; k++)
            rows[i][k] = clip(c[shown[k]], clipw[k]);
        free_cells(c);
    }
    tk_text_table(out, NS, heads, (char *const *const *)rows, l->n, right);
    for (size_t i = 0; i < l->n; i++) {
        for (size_t k = 0; k < NS; k++)
            free(rows[i][k]);
        free(rows[i]);
    }
    free(rows);
}

/* The list's rows for tk_xlsx_list_write: the cells of the row asked for,
 * kept until the next. */
typedef struct xlsx_rows {
    const tk_plan_list *l;
    char *c[NCOLS];
} xlsx_rows;

static void xlsx_row(void *user, size_t i, const char **cells)
{
    xlsx_rows *x = user;
    free_cells(x->c);
    cells_of(&x->l->rows[i], x->c);
    for (int k = 0; k < NCOLS; k++)
        cells[k] = x->c[k];
}

static int to_xlsx(const tk_plan_list *l, const char *path, bool force, const char *title)
{
    static const double widths[NCOLS] = {7, 7, 9, 10, 20, 18, 50, 14, 12, 10, 9, 7};
    static const bool numeric[NCOLS] = {[0] = true, [1] = true, [10] = true, [11] = true};
    xlsx_rows x = {.l = l};
    tk_xlsx_list xl = {.sheet = "改善計画", .title = title, .ncols = NCOLS, .heads = HEADS, .widths = widths,
                       .numeric = numeric, .nrows = l->n, .row = xlsx_row, .user = &x};
    tk_diags d;
    tk_diags_init(&d);
    int rc = tk_xlsx_list_write(&xl, path, force, &d);
    free_cells(x.c);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    return rc;
}

typedef tk_cli_opts plan_args; /* --org, --year, --department, --kind, --status, --format, --db, -o, --force */

static int load(const tk_command *c, const plan_args *a, tk_plan_list *l)
{
    if (!a->org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
    enum tk_plan_filter f;
    if (!tk_plan_filter_parse(a->status, &f))
        return tk_cli_usage_error(c, "--status は open、overdue、done、all のいずれかです (「%s」)", a->status);
    int open_rc;
    tk_store *st = tk_cli_open_store(a->db, TK_STORE_READ, &open_rc);
    if (!st)
        return open_rc;
    tk_diags d;
    tk_diags_init(&d);
    const char *org = tk_cli_org_id(a->org);
    tk_plan_query q = {.org = org, .year = (int)a->year, .department = a->department, .kind = a->kind, .filter = f, .today = tk_date_today()};
    int rc = tk_plans_list(st, &q, l, &d);
    tk_store_close(st);
    if (rc != 0) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        return TK_EXIT_FAILURE;
    }
    tk_diags_free(&d);
    return TK_EXIT_OK;
}

static int parse_common(const tk_command *c, int argc, char **argv, plan_args *a)
{
    int rc = tk_cli_parse(c, argc, argv,
                          TK_CLI_ORG | TK_CLI_YEAR | TK_CLI_DEPARTMENT | TK_CLI_STATUS | TK_CLI_FORMAT | TK_CLI_DB | TK_CLI_OUTPUT |
                              TK_CLI_FORCE | TK_CLI_KIND,
                          NULL, NULL, NULL, NULL, a);
    if (rc == TK_EXIT_OK && a->kind && strcmp(a->kind, "self") && strcmp(a->kind, "audit"))
        return tk_cli_usage_error(c, "--kind は self か audit です (「%s」)", a->kind);
    return rc;
}

static int cmd_set(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {{"status", required_argument, NULL, 's'}, {"date", required_argument, NULL, 't'},
                                             {"new-due", required_argument, NULL, 'n'}, {"reason", required_argument, NULL, 'r'},
                                             {"note", required_argument, NULL, 'm'},   {"db", required_argument, NULL, 'd'},
                                             {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *status = NULL, *date = NULL, *newdue = NULL, *db = NULL;
    tk_plan_change ch;
    memset(&ch, 0, sizeof ch);
    int opt, bad = 0;
    while ((opt = tk_cli_getopt(c, argc, argv, "h", longopts, &bad)) != -1 && !bad) {
        switch (opt) {
        case 's': status = optarg; break;
        case 't': date = optarg; break;
        case 'n': newdue = optarg; break;
        case 'r': ch.reason = optarg; break;
        case 'm': ch.note = optarg; break;
        case 'd': db = optarg; break;
        case 'h': tk_cli_print_usage(c, stdout); return TK_EXIT_OK;
        default: break;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    long id;
    if (optind >= argc || !tk_parse_int(argv[optind], 1, 1000000000, &id))
        return tk_cli_usage_error(c, "変更する改善計画の番号を指定してください (tenken plans の「番号」)");
    if (!status || !tk_plan_status_parse(status, &ch.to))
        return tk_cli_usage_error(c, "--status は 未着手、対応中、完了、延期、リスク受容 のいずれかです");
    if (date && !tk_date_parse(date, &ch.date))
        return tk_cli_usage_error(c, "--date「%s」は日付として読めません (2027-03-31、令和9年3月31日 など)", date);
    if (newdue && !tk_date_parse(newdue, &ch.new_due))
        return tk_cli_usage_error(c, "--new-due「%s」は日付として読めません", newdue);
    int open_rc;
    tk_store *st = tk_cli_open_store(db, TK_STORE_WRITE, &open_rc);
    if (!st)
        return open_rc;
    tk_diags d;
    tk_diags_init(&d);
    int rc = tk_plan_apply(st, id, &ch, &d);
    tk_store_close(st);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    if (rc == 0)
        printf("plans: 改善計画 %ld を「%s」にしました (記録に残しました)\n", id, tk_plan_status_label(ch.to));
    return rc == 0 ? TK_EXIT_OK : rc == 1 ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
}

int tk_cmd_plans(const tk_command *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "set"))
        return cmd_set(c, argc - 1, argv + 1);
    plan_args a = {.status = "open", .format = "text"};
    int rc = parse_common(c, argc, argv, &a);
    if (rc != TK_EXIT_OK)
        return rc == TK_CLI_HELP ? TK_EXIT_OK : rc;
    if (strcmp(a.format, "text") && strcmp(a.format, "csv"))
        return tk_cli_usage_error(c, "--format は text か csv です (「%s」)", a.format);
    tk_plan_list l;
    rc = load(c, &a, &l);
    if (rc != TK_EXIT_OK)
        return rc;
    tk_buf out;
    tk_buf_init(&out);
    if (!strcmp(a.format, "csv")) {
        to_csv(&l, &out);
    } else {
        to_text(&l, &out);
        size_t overdue = 0;
        for (size_t i = 0; i < l.n; i++)
            overdue += l.rows[i].days_overdue > 0;
        tk_buf_printf(&out, "plans: %zu 件 (うち期限超過 %zu 件)\n", l.n, overdue);
    }
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    tk_buf_free(&out);
    tk_plan_list_free(&l);
    return TK_EXIT_OK;
}

int tk_cmd_export(const tk_command *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "audit"))
        return tk_cmd_export_audit(c, argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "plans")) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            tk_cli_print_usage(c, stdout);
            return TK_EXIT_OK;
        }
        return tk_cli_usage_error(c, "書き出すものを指定してください (tenken export plans ... または tenken export audit ...)");
    }
    plan_args a = {.status = "all", .format = "csv"};
    int rc = parse_common(c, argc - 1, argv + 1, &a);
    if (rc != TK_EXIT_OK)
        return rc == TK_CLI_HELP ? TK_EXIT_OK : rc;
    bool xlsx = !strcmp(a.format, "xlsx");
    if (!xlsx && strcmp(a.format, "csv"))
        return tk_cli_usage_error(c, "--format は csv か xlsx です (「%s」)", a.format);
    if (xlsx && !a.output)
        return tk_cli_usage_error(c, "xlsx は -o FILE で書き出し先を指定してください");
    tk_plan_list l;
    rc = load(c, &a, &l);
    if (rc != TK_EXIT_OK)
        return rc;
    char title[256];
    snprintf(title, sizeof title, "改善計画一覧 (%s%s%ld)", a.org, a.year ? " " : "", a.year);
    if (!a.year)
        snprintf(title, sizeof title, "改善計画一覧 (%s)", a.org);
    if (xlsx) {
        rc = to_xlsx(&l, a.output, a.force, title);
    } else {
        tk_buf out;
        tk_buf_init(&out);
        to_csv(&l, &out);
        if (a.output) {
            if (tk_file_write_atomic(a.output, out.data, out.len, a.force) != 0) {
                if (errno == EEXIST)
                    fprintf(stderr, "%s: 既に存在します。上書きするには --force を指定してください\n", a.output);
                else
                    fprintf(stderr, "%s: 書き出せません: %s\n", a.output, strerror(errno));
                rc = errno == EEXIST ? TK_EXIT_INPUT : TK_EXIT_FAILURE;
            }
        } else {
            fwrite(out.data, 1, out.len, stdout);
        }
        tk_buf_free(&out);
    }
    if (rc == TK_EXIT_OK && a.output)
        printf("export: 改善計画 %zu 件を %s に書き出しました\n", l.n, a.output);
    tk_plan_list_free(&l);
    return rc;
}
