/* cmd_ingest.c — tenken ingest and tenken status. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenken/cli.h"
#include "tenken/ingest.h"
#include "tenken/jdate.h"
#include "tenken/platform.h"
#include "tenken/store.h"
#include "tenken/submit.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/workers.h"
#include "tenken/xlsx_identity.h"
#include "tenken/xlsx_read.h"
#include "tenken/xlsx_write.h"

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void add_file(char ***files, size_t *n, size_t *cap, char *path)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *files = tk_xrealloc(*files, *cap * sizeof **files);
    }
    (*files)[(*n)++] = path;
}

/* The files to ingest: each FILE, and the .xlsx files of each DIR (sorted,
 * not recursive, no hidden or lock files such as ~$x.xlsx / .~lock). A
 * folder named *.xlsx is passed over with a warning; a FIFO or a device so
 * named is collected, and refused when read (without waiting on it). A DIR
 * with no workbook in it is an error: the wrong folder, most likely. */
static void collect(const char *arg, char ***files, size_t *n, size_t *cap, tk_diags *d)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        tk_diag_error(d, arg, 0, "ファイルまたはフォルダが見つかりません");
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(files, n, cap, tk_xstrdup(arg));
        return;
    }
    DIR *dir = opendir(arg);
    if (!dir) {
        tk_diag_error(d, arg, 0, "フォルダを読めません: %s", tk_file_strerror(errno));
        return;
    }
    size_t start = *n;
    bool slash = arg[strlen(arg) - 1] == '/';
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        const char *nm = e->d_name;
        size_t l = strlen(nm);
        if (nm[0] == '.' || tk_str_starts(nm, "~$") || l < 5)
            continue;
        const char *ext = nm + l - 5;
        if (strcmp(ext, ".xlsx") && strcmp(ext, ".XLSX"))
            continue;
        size_t pl = strlen(arg) + l + 2;
        char *p = tk_xmalloc(pl);
        snprintf(p, pl, "%s%s%s", arg, slash ? "" : "/", nm);
        struct stat es;
        if (stat(p, &es) == 0 && S_ISDIR(es.st_mode)) {
            tk_diag_warn(d, p, 0, "フォルダです。読み飛ばします (中の点検票は取り込みません。取り込むならそのフォルダを指定してください)");
            free(p);
            continue;
        }
        add_file(files, n, cap, p);
    }
    closedir(dir);
    if (*n == start)
        tk_diag_error(d, arg, 0, "点検票 (.xlsx) がありません。返ってきた点検票を置いたフォルダを指定してください");
    else
        qsort(*files + start, *n - start, sizeof **files, name_cmp);
}

/* Take in one file and say what happened: problems to err (each naming the
 * file and the cell), the result and the 要対応 notes to out unless quiet. */
static enum tk_ingest_outcome ingest_one(tk_store *st, const char *file, const tk_ingest_opts *o, bool quiet, FILE *out,
                                         FILE *err)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_ingest_result r;
    tk_ingest_file(st, file, o, &r, &d);
    /* the name as the messages show it (bytes that are not UTF-8 as \xHH) */
    char *esc = tk_text_printable(file, false);
    const char *shown = esc ? esc : file;
    if (r.outcome == TK_INGEST_REFUSED || r.outcome == TK_INGEST_FAILED)
        tk_diags_print(&d, err);
    else if (!quiet)
        tk_diags_print(&d, out);
    switch (r.outcome) {
    case TK_INGEST_ACCEPTED:
        if (quiet)
            break;
        if (!strcmp(r.kind, "followup")) {
            fprintf(out, "%s: 取り込みました (%s、%d 年度 改善計画の進捗確認、報告 %zu / %zu、計画の変更 %zu (うち完了 %zu、延期 %zu)、"
                         "改善計画の回答 %zu%s)\n",
                    shown, r.department_name, r.year, r.answered, r.items, r.plans, r.plans_closed, r.plans_postponed,
                    r.plans_responded, r.superseded ? "、前回の提出を置き換え" : "");
            break;
        }
        char carried[256] = "";
        if (r.carried_closed || r.carried_kept)
            snprintf(carried, sizeof carried, "、前年度までの改善計画 完了 %zu・継続 %zu", r.carried_closed, r.carried_kept);
        if (r.findings_verified || r.findings_kept)
            snprintf(carried + strlen(carried), sizeof carried - strlen(carried), "、是正確認 是正済み %zu・未了 %zu",
                     r.findings_verified, r.findings_kept);
        if (!strcmp(r.kind, "audit")) {
            fprintf(out, "%s: 取り込みました (%s、%d 年度 監査、判定 %zu / %zu、指摘事項 %zu%s%s)\n", shown, r.department_name, r.year,
                    r.answered, r.items, r.negative, carried, r.superseded ? "、前回の提出を置き換え" : "");
            break;
        }
        fprintf(out, "%s: 取り込みました (%s%s%s、%d 年度 %s、回答 %zu / %zu、要対応 %zu、改善計画 %zu%s%s)\n", shown, r.department_name,
                r.respondent[0] ? " " : "", r.respondent, r.year, r.kind, r.answered, r.items, r.flagged, r.plans, carried, r.superseded ? "、前回の提出を置き換え" : "");
        break;
    case TK_INGEST_SAME:
        if (!quiet)
            fprintf(out, "%s: 同じファイルを取り込み済みです (変更なし)\n", shown);
        break;
    case TK_INGEST_CHECKED:
        if (!quiet)
            fprintf(out, "%s: 問題ありません (--dry-run のため取り込んでいません。回答 %zu / %zu、要対応 %zu)\n", shown, r.answered,
                    r.items, r.flagged);
        break;
    case TK_INGEST_REFUSED:
        fprintf(err, "%s: 問題が %zu 件あるため取り込みませんでした。直して提出し直してください\n", shown, d.errors);
        break;
    case TK_INGEST_FAILED:
        fprintf(err, "%s: 取り込みに失敗しました\n", shown);
        break;
    }
    tk_diags_free(&d);
    free(esc);
    return r.outcome;
}

/* The files as jobs of a tk_workers run (workers.h): with many files,
 * reading and checking them is spread over worker processes, each with a
 * connection of its own (SQLite's are not to cross a fork); each file is
 * still one transaction of its own (SQLite serialises the writers), and
 * what is said of each comes out in the files' order. The files are
 * handed out one at a time as workers become free: they cost much the
 * same, but a worker waits now and then for the other's write. */
typedef struct ingest_run {
    const char *db;
    tk_store *st; /* this process's connection, or a worker's own */
    bool own;     /* st opened by start (a worker's) */
    char **files;
    size_t n;
    char **shown; /* the names as messages show them */
    const tk_ingest_opts *o;
    bool quiet;
    /* the jobs: versions of one workbook go together (ingest_versions) */
    size_t njobs;
    size_t *first; /* job -> its first file */
    size_t *next;  /* file -> the job's next file, or n */
    long (*counts)[5]; /* job -> files by outcome; [0] -1 until it ends */
} ingest_run;

/* The token a file carries (malloc'd), NULL when it cannot be read: the
 * file's property, which Excel and LibreOffice keep, or else the identity
 * sheet's (a tool that saves without custom properties), which is what
 * ingest goes by; a file whose two differ is refused by ingest anyway. */
static char *file_token(const char *path, tk_diags *d)
{
    tk_xlsx *xl = tk_xlsx_open_properties(path, NULL, d);
    const char *t = xl ? tk_xlsx_custom_property(xl, TK_XLSX_PROP_TOKEN) : NULL;
    char *token = t && *t ? tk_xstrdup(t) : NULL;
    tk_xlsx_close(xl);
    if (!token && (xl = tk_xlsx_open(path, NULL, d)) != NULL) {
        tk_arena *a = tk_arena_new();
        tk_xlsx_identity id;
        if (tk_xlsx_identity_read(xl, a, &id, d) == 1 && *tk_xlsx_identity_get(&id, "token"))
            token = tk_xstrdup(tk_xlsx_identity_get(&id, "token"));
        tk_xlsx_identity_free(&id);
        tk_arena_free(a);
        tk_xlsx_close(xl);
    }
    return token;
}

/* The versions of one workbook (the same token in the file's properties)
 * among the files are one job, taken in by one worker in the files' order,
 * so that the version named last is the one kept, as with --jobs 1: two
 * workers taking in two versions at once would keep whichever committed
 * last. A file whose properties cannot be read is a job of its own (its
 * ingest says why). Sets x->njobs, x->first, x->next. */
static void ingest_versions(ingest_run *x, size_t n, bool read_tokens)
{
    x->first = tk_xcalloc(n ? n : 1, sizeof *x->first);
    x->next = tk_xcalloc(n ? n : 1, sizeof *x->next);
    size_t *last = tk_xcalloc(n ? n : 1, sizeof *last); /* job -> its last file */
    char **token = tk_xcalloc(n ? n : 1, sizeof *token);
    tk_strmap jobs = {0}; /* token -> job + 1 */
    x->njobs = 0;
    for (size_t i = 0; i < n; i++) {
        x->next[i] = n;
        if (read_tokens) {
            tk_diags ignored;
            tk_diags_init(&ignored);
            token[i] = file_token(x->files[i], &ignored);
            tk_diags_free(&ignored);
        }
        uintptr_t j = token[i] ? (uintptr_t)tk_strmap_get(&jobs, token[i]) : 0;
        if (j) {
            x->next[last[j - 1]] = i;
            last[j - 1] = i;
            continue;
        }
        x->first[x->njobs] = last[x->njobs] = i;
        x->njobs++;
        if (token[i])
            tk_strmap_set(&jobs, token[i], (const void *)(uintptr_t)x->njobs);
    }
    tk_strmap_free(&jobs);
    for (size_t i = 0; i < n; i++)
        free(token[i]);
    free(token);
    free(last);
}

static int ingest_start(void *user, tk_diags *d)
{
    (void)d;
    ingest_run *x = user;
    if (x->st)
        return 0;
    /* a database that cannot be opened is said of each file */
    tk_diags ignored;
    tk_diags_init(&ignored);
    x->st = tk_store_open_mode(x->db, TK_STORE_WRITE, NULL, &ignored);
    tk_diags_free(&ignored);
    x->own = true;
    return 0;
}

static void ingest_finish(void *user)
{
    ingest_run *x = user;
    if (x->own) {
        tk_store_close(x->st);
        x->st = NULL;
        x->own = false;
    }
}

static int ingest_job(void *user, size_t i, char result[TK_WORKERS_RESULT], FILE *out, FILE *err, tk_diags *d)
{
    (void)d;
    ingest_run *x = user;
    long count[5] = {0};
    for (size_t f = x->first[i]; f < x->n; f = x->next[f]) {
        enum tk_ingest_outcome oc = TK_INGEST_FAILED;
        if (x->st)
            oc = ingest_one(x->st, x->files[f], x->o, x->quiet, out, err);
        else
            fprintf(err, "%s: データベースを開けないため取り込めませんでした\n", x->shown[f]);
        count[oc]++;
    }
    snprintf(result, TK_WORKERS_RESULT, "%ld %ld %ld %ld %ld", count[0], count[1], count[2], count[3], count[4]);
    return 0;
}

static void ingest_done(void *user, size_t i, bool ok, const char *result)
{
    ingest_run *x = user;
    long c[5];
    if (ok && sscanf(result, "%ld %ld %ld %ld %ld", &c[0], &c[1], &c[2], &c[3], &c[4]) == 5)
        memcpy(x->counts[i], c, sizeof c);
}

/* A job is named by its first file. */
static const char *ingest_file_shown(void *user, size_t i)
{
    ingest_run *x = user;
    return x->shown[x->first[i]];
}

/* Take in every file (jobs: workers asked for, 0: one per CPU when there
 * are many files); count[outcome] for each. The database is closed on
 * return; a connection of this process is the last to close it. */
static void ingest_files(const char *dbp, tk_store *st, char **files, size_t n, const tk_ingest_opts *o, bool quiet,
                         long jobs, size_t count[5])
{
    ingest_run x = {.db = dbp, .files = files, .n = n, .o = o, .quiet = quiet};
    x.shown = tk_xcalloc(n ? n : 1, sizeof *x.shown);
    for (size_t i = 0; i < n; i++) {
        x.shown[i] = tk_text_printable(files[i], false);
        if (!x.shown[i])
            x.shown[i] = tk_xstrdup(files[i]);
    }
    int want = jobs > 0 ? (int)(jobs > TK_WORKERS_MAX ? TK_WORKERS_MAX : jobs) : n >= 8 ? 0 : 1;
    bool forked = tk_workers_count(want, n) > 1;
    ingest_versions(&x, n, forked);
    x.counts = tk_xcalloc(x.njobs ? x.njobs : 1, sizeof *x.counts);
    for (size_t j = 0; j < x.njobs; j++)
        x.counts[j][0] = -1;
    tk_workers w = {.njobs = x.njobs,
                    .jobs = want,
                    .hand_out = true,
                    .user = &x,
                    .start = ingest_start,
                    .finish = ingest_finish,
                    .run_print = ingest_job,
                    .done = ingest_done,
                    .file = ingest_file_shown,
                    .failed = "取り込みに失敗しました",
                    .lost = "取り込みの途中で処理が止まりました。もう一度取り込んでください"};
    if (!forked)
        x.st = st;
    else
        tk_store_close(st);
    tk_diags d;
    tk_diags_init(&d);
    int rc = tk_workers_run(&w, &d);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    size_t lost = 0;
    for (size_t j = 0; j < x.njobs; j++) {
        if (x.counts[j][0] < 0) {
            for (size_t f = x.first[j]; f < n; f = x.next[f])
                lost++, count[TK_INGEST_FAILED]++;
            continue;
        }
        for (int k = 0; k < 5; k++)
            count[k] += (size_t)x.counts[j][k];
    }
    for (size_t i = 0; i < n; i++)
        free(x.shown[i]);
    if (rc != 0 && !lost)
        count[TK_INGEST_FAILED]++;
    if (forked) {
        /* Workers closing at the same moment may each leave the write-ahead
         * log to the other; the last connection, this one, folds it back
         * into the database and removes it. */
        int open_rc;
        st = tk_cli_open_store(dbp, TK_STORE_WRITE, &open_rc);
    }
    tk_store_close(st);
    free(x.shown);
    free(x.first);
    free(x.next);
    free(x.counts);
}

int tk_cmd_ingest(const tk_command *c, int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"dry-run", no_argument, NULL, 'n'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL;
    long jobs_opt = 0;
    tk_ingest_opts o = {0};
    bool quiet = false;
    int ch, bad = 0;
    while ((ch = tk_cli_getopt(c, argc, argv, "nqh", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'd': db = optarg; break;
        case 'j':
            if (!tk_parse_int(optarg, 1, 64, &jobs_opt))
                return tk_cli_usage_error(c, "--jobs「%s」は 1 から 64 の数です", optarg);
            break;
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
    int open_rc;
    tk_store *st = tk_cli_open_store(dbp, TK_STORE_WRITE, &open_rc);
    if (!st) {
        for (size_t i = 0; i < n; i++)
            free(files[i]);
        free(files);
        return open_rc;
    }
    size_t count[5] = {0};
    ingest_files(dbp, st, files, n, &o, quiet, jobs_opt, count);
    size_t refused = count[TK_INGEST_REFUSED], failed = count[TK_INGEST_FAILED], same = count[TK_INGEST_SAME];
    if (o.dry_run)
        printf("ingest: %zu ファイル中、問題なし %zu、変更なし %zu、拒否 %zu、失敗 %zu (--dry-run: 何も取り込んでいません)\n", n,
               count[TK_INGEST_CHECKED], same, refused, failed);
    else
        printf("ingest: %zu ファイル中、取り込み %zu、変更なし %zu、拒否 %zu、失敗 %zu\n", n, count[TK_INGEST_ACCEPTED], same, refused,
               failed);
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
    /* a department's per-role workbooks (--split role): one row each */
    if (r->respondent && *r->respondent) {
        tk_buf nb;
        tk_buf_init(&nb);
        tk_buf_printf(&nb, "%s（%s）", r->name, r->respondent);
        row[1] = tk_buf_steal(&nb);
    } else {
        row[1] = tk_xstrdup(r->name);
    }
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

/* --missing */
static int missing_option(const tk_command *c, int opt, const char *arg, void *user)
{
    (void)c;
    (void)opt;
    (void)arg;
    *(bool *)user = true;
    return TK_EXIT_OK;
}

int tk_cmd_status(const tk_command *c, int argc, char **argv)
{
    static const struct option own[] = {{"missing", no_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
    bool missing = false;
    tk_cli_opts o = {.kind = "self", .format = "text"};
    int rc = tk_cli_parse(c, argc, argv, TK_CLI_ORG | TK_CLI_YEAR | TK_CLI_KIND | TK_CLI_FORMAT | TK_CLI_DB, NULL, own,
                          missing_option, &missing, &o);
    if (rc != TK_EXIT_OK)
        return rc == TK_CLI_HELP ? TK_EXIT_OK : rc;
    const char *org = o.org, *kind = o.kind, *format = o.format, *db = o.db;
    long year = o.year;
    if (!org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
    if (!year)
        return tk_cli_usage_error(c, "--year で年度を指定してください (例: --year 2026)");
    if (strcmp(kind, "self") && strcmp(kind, "audit") && strcmp(kind, "followup") && strcmp(kind, "staff"))
        return tk_cli_usage_error(c, "--kind は self、audit、followup、staff のいずれかです (「%s」)", kind);
    bool csv = !strcmp(format, "csv");
    if (!csv && strcmp(format, "text"))
        return tk_cli_usage_error(c, "--format は text か csv です (「%s」)", format);
    org = tk_cli_org_id(org);
    if (!strcmp(kind, "staff"))
        return tk_cmd_staff_status(c, org, year, csv, missing, db);
    if (missing)
        return tk_cli_usage_error(c, "--missing は職員セルフチェック (--kind staff) でだけ使えます");

    const char *dbp = tk_cli_db_path(db);
    int open_rc;
    tk_store *st = tk_cli_open_store(dbp, TK_STORE_READ, &open_rc);
    if (!st)
        return open_rc;
    tk_diags d;
    tk_diags_init(&d);
    char today[TK_DATE_ISO_SIZE], deadline[16] = "";
    tk_date_iso(tk_date_today(), today);
    status_ctx s = {.csv = csv, .today = today};
    s.deadline = deadline;
    rc = tk_store_status(st, org, (int)year, kind, today, deadline, status_row, &s, &d);
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
