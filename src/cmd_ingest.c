/* cmd_ingest.c — tenken ingest and tenken status. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenken/cli.h"
#include "tenken/ingest.h"
#include "tenken/jdate.h"
#include "tenken/store.h"
#include "tenken/submit.h"
#include "tenken/text.h"
#include "tenken/util.h"

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The files to ingest: each FILE, and the .xlsx files of each DIR (sorted,
 * not recursive, no hidden or lock files such as ~$x.xlsx / .~lock). */
static void collect(const char *arg, char ***files, size_t *n, size_t *cap, tk_diags *d)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        tk_diag_error(d, arg, 0, "ファイルまたはフォルダが見つかりません");
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *files = tk_xrealloc(*files, *cap * sizeof **files);
        }
        (*files)[(*n)++] = tk_xstrdup(arg);
        return;
    }
    DIR *dir = opendir(arg);
    if (!dir) {
        tk_diag_error(d, arg, 0, "フォルダを読めません");
        return;
    }
    size_t start = *n;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        const char *nm = e->d_name;
        size_t l = strlen(nm);
        if (nm[0] == '.' || tk_str_starts(nm, "~$") || l < 5)
            continue;
        const char *ext = nm + l - 5;
        if (strcmp(ext, ".xlsx") && strcmp(ext, ".XLSX"))
            continue;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *files = tk_xrealloc(*files, *cap * sizeof **files);
        }
        size_t pl = strlen(arg) + l + 2;
        char *p = tk_xmalloc(pl);
        snprintf(p, pl, "%s%s%s", arg, arg[strlen(arg) - 1] == '/' ? "" : "/", nm);
        (*files)[(*n)++] = p;
    }
    closedir(dir);
    qsort(*files + start, *n - start, sizeof **files, name_cmp);
}

int tk_cmd_ingest(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"dry-run", no_argument, NULL, 'n'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL;
    tk_ingest_opts o = {0};
    bool quiet = false;
    int ch, bad = 0;
    while ((ch = tk_cli_getopt(c, argc, argv, "nqh", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'd': db = optarg; break;
        case 'n': o.dry_run = true; break;
        case 'q': quiet = true; break;
        case 'h': tk_cli_print_usage(c, stdout); return TK_EXIT_OK;
        default: break;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (optind >= argc)
        return tk_cli_usage_error(c, "取り込むファイルまたはフォルダを指定してください");

    tk_diags d;
    tk_diags_init(&d);
    char **files = NULL;
    size_t n = 0, cap = 0;
    for (int i = optind; i < argc; i++)
        collect(argv[i], &files, &n, &cap, &d);
    tk_diags_print(&d, stderr);
    bool missing = d.errors > 0;
    tk_diags_free(&d);

    const char *dbp = tk_cli_db_path(db);
    tk_diags_init(&d);
    tk_store *st = tk_store_open(dbp, &d);
    if (!st) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        for (size_t i = 0; i < n; i++)
            free(files[i]);
        free(files);
        return TK_EXIT_FAILURE;
    }
    tk_diags_free(&d);
    size_t accepted = 0, same = 0, refused = 0, failed = 0, checked = 0;
    for (size_t i = 0; i < n; i++) {
        tk_diags_init(&d);
        tk_ingest_result r;
        tk_ingest_file(st, files[i], &o, &r, &d);
        /* problems, each naming file and cell; the 要対応 notes unless --quiet */
        if (r.outcome == TK_INGEST_REFUSED || r.outcome == TK_INGEST_FAILED)
            tk_diags_print(&d, stderr);
        else if (!quiet)
            tk_diags_print(&d, stdout);
        switch (r.outcome) {
        case TK_INGEST_ACCEPTED:
            accepted++;
            if (quiet)
                break;
            if (!strcmp(r.kind, "followup")) {
                printf("%s: 取り込みました (%s、%d 年度 改善計画の進捗確認、報告 %zu / %zu、計画の変更 %zu (うち完了 %zu、延期 %zu)%s)\n",
                       files[i], r.department_name, r.year, r.answered, r.items, r.plans, r.plans_closed, r.plans_postponed,
                       r.superseded ? "、前回の提出を置き換え" : "");
                break;
            }
            char carried[128] = "";
            if (r.carried_closed || r.carried_kept)
                snprintf(carried, sizeof carried, "、前年度までの改善計画 完了 %zu・継続 %zu", r.carried_closed, r.carried_kept);
            printf("%s: 取り込みました (%s、%d 年度 %s、回答 %zu / %zu、要対応 %zu、改善計画 %zu%s%s)\n", files[i], r.department_name, r.year,
                   r.kind, r.answered, r.items, r.flagged, r.plans, carried, r.superseded ? "、前回の提出を置き換え" : "");
            break;
        case TK_INGEST_SAME:
            same++;
            if (!quiet)
                printf("%s: 同じファイルを取り込み済みです (変更なし)\n", files[i]);
            break;
        case TK_INGEST_CHECKED:
            checked++;
            if (!quiet)
                printf("%s: 問題ありません (--dry-run のため取り込んでいません。回答 %zu / %zu、要対応 %zu)\n", files[i], r.answered, r.items,
                       r.flagged);
            break;
        case TK_INGEST_REFUSED:
            refused++;
            fprintf(stderr, "%s: 問題が %zu 件あるため取り込みませんでした。直して提出し直してください\n", files[i], d.errors);
            break;
        case TK_INGEST_FAILED:
            failed++;
            fprintf(stderr, "%s: 取り込みに失敗しました\n", files[i]);
            break;
        }
        tk_diags_free(&d);
    }
    tk_store_close(st);
    if (o.dry_run)
        printf("ingest: %zu ファイル中、問題なし %zu、変更なし %zu、拒否 %zu、失敗 %zu (--dry-run: 何も取り込んでいません)\n", n, checked, same,
               refused, failed);
    else
        printf("ingest: %zu ファイル中、取り込み %zu、変更なし %zu、拒否 %zu、失敗 %zu\n", n, accepted, same, refused, failed);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    if (failed)
        return TK_EXIT_FAILURE;
    return refused || missing ? TK_EXIT_INPUT : TK_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* tenken status                                                       */

typedef struct status_ctx {
    bool csv;
    const char *deadline;
    const char *today;
    char ***cells;
    size_t nrows, cap;
} status_ctx;

#define STATUS_COLS 9

static char *fmt_when(const char *iso)
{
    /* 2026-12-01T09:30:00+09:00 -> 2026-12-01 09:30 */
    if (!iso)
        return tk_xstrdup("");
    char buf[32];
    snprintf(buf, sizeof buf, "%.10s %.5s", iso, strlen(iso) > 11 ? iso + 11 : "");
    return tk_xstrdup(buf);
}

static bool status_row(const tk_status_row *r, void *user)
{
    status_ctx *s = user;
    if (s->nrows == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->cells = tk_xrealloc(s->cells, s->cap * sizeof *s->cells);
    }
    char **row = tk_xcalloc(STATUS_COLS, sizeof *row);
    const char *state;
    if (!r->file)
        state = "未配布";
    else if (r->received_at)
        state = s->deadline && *s->deadline && strncmp(r->received_at, s->deadline, 10) > 0 ? "提出済 (期限後)" : "提出済";
    else
        state = s->deadline && *s->deadline && strcmp(s->today, s->deadline) > 0 ? "未提出 (期限超過)" : "未提出";
    char buf[64];
    row[0] = tk_xstrdup(r->code);
    row[1] = tk_xstrdup(r->name);
    row[2] = tk_xstrdup(state);
    row[3] = fmt_when(r->received_at);
    snprintf(buf, sizeof buf, "%d / %d", r->received_at ? r->answered : 0, r->items);
    row[4] = tk_xstrdup(buf);
    snprintf(buf, sizeof buf, "%d", r->received_at ? r->flagged : 0);
    row[5] = tk_xstrdup(buf);
    snprintf(buf, sizeof buf, "%d", r->plans);
    row[6] = tk_xstrdup(buf);
    snprintf(buf, sizeof buf, "%d", r->plans_overdue);
    row[7] = tk_xstrdup(buf);
    snprintf(buf, sizeof buf, "%d", r->submissions);
    row[8] = tk_xstrdup(buf);
    s->cells[s->nrows++] = row;
    return true;
}

int tk_cmd_status(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {{"org", required_argument, NULL, 'o'},    {"year", required_argument, NULL, 'y'},
                                             {"kind", required_argument, NULL, 'k'},   {"format", required_argument, NULL, 'f'},
                                             {"db", required_argument, NULL, 'd'},     {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *org = NULL, *kind = "self", *format = "text", *db = NULL;
    long year = 0;
    int ch, bad = 0;
    while ((ch = tk_cli_getopt(c, argc, argv, "h", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'o': org = optarg; break;
        case 'y':
            if (!tk_parse_int(optarg, 1868, 9999, &year))
                return tk_cli_usage_error(c, "--year「%s」は年度 (西暦、例: 2026) ではありません", optarg);
            break;
        case 'k': kind = optarg; break;
        case 'f': format = optarg; break;
        case 'd': db = optarg; break;
        case 'h': tk_cli_print_usage(c, stdout); return TK_EXIT_OK;
        default: break;
        }
    }
    if (bad)
        return TK_EXIT_USAGE;
    if (!org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
    if (!year)
        return tk_cli_usage_error(c, "--year で年度を指定してください (例: --year 2026)");
    if (strcmp(kind, "self") && strcmp(kind, "audit") && strcmp(kind, "followup"))
        return tk_cli_usage_error(c, "--kind は self、audit、followup のいずれかです (「%s」)", kind);
    bool csv = !strcmp(format, "csv");
    if (!csv && strcmp(format, "text"))
        return tk_cli_usage_error(c, "--format は text か csv です (「%s」)", format);
    /* the organisation's id as recorded: the folder name when a path is given */
    const char *slash = strrchr(org, '/');
    if (slash && slash[1])
        org = slash + 1;

    tk_diags d;
    tk_diags_init(&d);
    const char *dbp = tk_cli_db_path(db);
    if (!tk_file_exists(dbp)) {
        fprintf(stderr, "%s: データベースがありません。先に tenken generate で点検票を作成してください\n", dbp);
        return TK_EXIT_INPUT;
    }
    tk_store *st = tk_store_open(dbp, &d);
    if (!st) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        return TK_EXIT_FAILURE;
    }
    char today[TK_DATE_ISO_SIZE], deadline[16] = "";
    tk_date_iso(tk_date_today(), today);
    status_ctx s = {.csv = csv, .today = today};
    s.deadline = deadline;
    int rc = tk_store_status(st, org, (int)year, kind, today, deadline, status_row, &s, &d);
    tk_store_close(st);
    if (rc < 0) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        return TK_EXIT_FAILURE;
    }
    tk_diags_free(&d);
    if (rc == 0) {
        fprintf(stderr, "tenken status: %s の %ld 年度 (%s) の点検は記録にありません (%s)\n", org, year, kind, dbp);
        return TK_EXIT_INPUT;
    }
    static const char *heads[STATUS_COLS] = {"コード", "部署", "状況", "提出日時", "回答/項目", "要対応", "改善計画", "期限超過の計画", "提出回数"};
    tk_buf out;
    tk_buf_init(&out);
    if (csv) {
        tk_buf_puts(&out, "\xEF\xBB\xBF"); /* Excel reads UTF-8 only with a BOM */
        tk_csv_row(&out, STATUS_COLS, heads);
        for (size_t i = 0; i < s.nrows; i++)
            tk_csv_row(&out, STATUS_COLS, (const char *const *)s.cells[i]);
    } else {
        char dl[64] = "期限なし";
        if (*deadline) {
            tk_date dd;
            if (tk_date_parse(deadline, &dd))
                tk_date_both(dd, dl, sizeof dl);
        }
        char fy[64];
        tk_fiscal_year_label((int)year, fy, sizeof fy);
        tk_buf_printf(&out, "%s %s (%s)  提出期限: %s\n", org, fy, kind, dl);
        static const bool right[STATUS_COLS] = {false, false, false, false, true, true, true, true, true};
        tk_text_table(&out, STATUS_COLS, heads, (char *const *const *)s.cells, s.nrows, right);
        size_t done = 0, late = 0;
        for (size_t i = 0; i < s.nrows; i++) {
            done += tk_str_starts(s.cells[i][2], "提出済");
            late += strstr(s.cells[i][2], "期限超過") != NULL;
        }
        tk_buf_printf(&out, "status: %zu 部署中 提出 %zu、未提出 %zu (うち期限超過 %zu)\n", s.nrows, done, s.nrows - done, late);
    }
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    tk_buf_free(&out);
    for (size_t i = 0; i < s.nrows; i++) {
        for (int k = 0; k < STATUS_COLS; k++)
            free(s.cells[i][k]);
        free(s.cells[i]);
    }
    free(s.cells);
    return TK_EXIT_OK;
}
