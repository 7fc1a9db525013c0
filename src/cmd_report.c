/* cmd_report.c — tenken report committee|departments|summary: the committee
 * report and the department feedback reports (PDF), the summary workbook
 * for the secretariat (xlsx). The work is in report.c and report_xlsx.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tenken/cli.h"
#include "tenken/jdate.h"
#include "tenken/pdf.h"
#include "tenken/report.h"
#include "tenken/report_audit.h"
#include "tenken/results.h"
#include "tenken/store.h"
#include "tenken/util.h"
#include "tenken/workers.h"

enum { OPT_FORCE = 256, OPT_TEMPLATE, OPT_DEPARTMENT, OPT_DATE, OPT_NO_PREVIOUS, OPT_OUT, OPT_COMMENT, OPT_CLEAR_COMMENT, OPT_JOBS };

enum what { W_COMMITTEE, W_DEPARTMENTS, W_SUMMARY, W_AUDIT };

/* Default output under OUT/ORG/YEAR-KIND/, next to the issued workbooks. */
static char *default_output(tk_arena *a, const char *out, const char *org, long year, const char *kind, enum what w)
{
    org = tk_cli_org_id(org);
    const char *name = w == W_COMMITTEE     ? "委員会報告書.pdf"
                       : w == W_DEPARTMENTS ? "部署別報告"
                       : w == W_AUDIT       ? "監査報告書.pdf"
                                            : "集計表.xlsx";
    return tk_arena_printf(a, "%s/%s/%ld-%s/%s", tk_cli_out_dir(out), org, year, kind, name);
}

static void size_text(const char *path, char *buf, size_t n)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        snprintf(buf, n, "?");
    else if (sb.st_size < 1024 * 1024)
        snprintf(buf, n, "%.0f kB", (double)sb.st_size / 1024.0);
    else
        snprintf(buf, n, "%.1f MB", (double)sb.st_size / (1024.0 * 1024.0));
}

/* The 監査報告書 and, in 監査結果通知/ beside it, one notice per audited
 * department (report_audit.c). */
static int write_audit(const tk_report *rp, const char *db, const char *path, const char *comment, int jobs, bool force,
                       bool quiet, tk_arena *a, tk_diags *d)
{
    char *dir = tk_path_dirname(a, path);
    const char *notices = tk_path_join(a, dir && *dir ? dir : ".", "監査結果通知");
    size_t pages = 0, n = 0;
    int rc = tk_audit_report_write(db, rp, path, notices, comment, jobs, force, &pages, &n, d);
    if (rc == TK_EXIT_OK && !quiet) {
        char sz[32];
        size_text(path, sz, sizeof sz);
        printf("report: 監査報告書を書き出しました: %s (%zu ページ、%s)\n", path, pages, sz);
        printf("report: 監査結果通知 %zu 件を書き出しました: %s/\n", n, notices);
    }
    return rc;
}

/* What the command line asks for. */
typedef struct report_args {
    const char *org, *kind, *output, *out, *db, *tpl, *comment;
    long year;
    int jobs;
    bool force, quiet, no_previous, clear_comment;
    tk_date date;
    const char **deps; /* --department, in order (malloc'd) */
    size_t ndeps;
    enum what w;
} report_args;

/* The options into *ra. TK_EXIT_OK to go on; otherwise the exit code
 * (usage said, or --help printed: TK_EXIT_OK through *done). */
static int read_options(const tk_command *c, int argc, char **argv, report_args *ra, bool *done)
{
    static const struct option longopts[] = {{"org", required_argument, NULL, 'g'},
                                             {"year", required_argument, NULL, 'y'},
                                             {"kind", required_argument, NULL, 'k'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {"db", required_argument, NULL, 'd'},
                                             {"template", required_argument, NULL, OPT_TEMPLATE},
                                             {"department", required_argument, NULL, OPT_DEPARTMENT},
                                             {"date", required_argument, NULL, OPT_DATE},
                                             {"no-previous", no_argument, NULL, OPT_NO_PREVIOUS},
                                             {"comment", required_argument, NULL, OPT_COMMENT},
                                             {"clear-comment", no_argument, NULL, OPT_CLEAR_COMMENT},
                                             {"jobs", required_argument, NULL, OPT_JOBS},
                                             {"force", no_argument, NULL, OPT_FORCE},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch, bad = 0;
    optind = 1;
    while ((ch = tk_cli_getopt(c, argc, argv, "o:qh", longopts, &bad)) != -1 && !bad) {
        switch (ch) {
        case 'g': ra->org = optarg; break;
        case 'y':
            if (tk_cli_parse_year(c, optarg, &ra->year) != TK_EXIT_OK)
                return TK_EXIT_USAGE;
            break;
        case 'k': ra->kind = optarg; break;
        case 'o': ra->output = optarg; break;
        case OPT_OUT: ra->out = optarg; break;
        case 'd': ra->db = optarg; break;
        case OPT_TEMPLATE: ra->tpl = optarg; break;
        case OPT_DEPARTMENT:
            ra->deps = tk_xrealloc(ra->deps, (ra->ndeps + 1) * sizeof *ra->deps);
            ra->deps[ra->ndeps++] = optarg;
            break;
        case OPT_DATE:
            if (!tk_date_parse(optarg, &ra->date))
                return tk_cli_usage_error(c, "--date「%s」は日付ではありません (例: 2027-02-15、令和9年2月15日)", optarg);
            break;
        case OPT_NO_PREVIOUS: ra->no_previous = true; break;
        case OPT_COMMENT: ra->comment = optarg; break;
        case OPT_CLEAR_COMMENT: ra->clear_comment = true; break;
        case OPT_JOBS: {
            long v;
            if (!tk_parse_int(optarg, 1, TK_WORKERS_MAX, &v))
                return tk_cli_usage_error(c, "--jobs「%s」は 1 から %d までの数で指定してください", optarg, TK_WORKERS_MAX);
            ra->jobs = (int)v;
            break;
        }
        case OPT_FORCE: ra->force = true; break;
        case 'q': ra->quiet = true; break;
        case 'h':
            tk_cli_print_usage(c, stdout);
            *done = true;
            return TK_EXIT_OK;
        default: break;
        }
    }
    return bad ? TK_EXIT_USAGE : TK_EXIT_OK;
}

/* The report asked for (the one argument) and the options that go with it. */
static int check_request(const tk_command *c, int argc, char **argv, report_args *ra)
{
    if (optind >= argc)
        return tk_cli_usage_error(c, "作る報告書 (committee、departments、summary、audit のいずれか) を指定してください");
    const char *ws = argv[optind];
    if (!strcmp(ws, "committee"))
        ra->w = W_COMMITTEE;
    else if (!strcmp(ws, "departments"))
        ra->w = W_DEPARTMENTS;
    else if (!strcmp(ws, "summary"))
        ra->w = W_SUMMARY;
    else if (!strcmp(ws, "audit"))
        ra->w = W_AUDIT, ra->kind = "audit";
    else
        return tk_cli_usage_error(c, "報告書の種類「%s」はありません (committee、departments、summary、audit のいずれか)", ws);
    if (optind + 1 < argc)
        return tk_cli_usage_error(c, "余分な引数「%s」があります", argv[optind + 1]);
    if (ra->ndeps && ra->w != W_DEPARTMENTS)
        return tk_cli_usage_error(c, "--department は departments とともに使います");
    if (ra->clear_comment && ra->w != W_COMMITTEE)
        return tk_cli_usage_error(c, "--clear-comment は committee とともに使います");
    if (ra->comment && ra->w != W_COMMITTEE && ra->w != W_AUDIT)
        return tk_cli_usage_error(c, "--comment は committee (総評) か audit (監査報告書の特記事項) とともに使います");
    if (ra->comment && ra->clear_comment)
        return tk_cli_usage_error(c, "--comment と --clear-comment は同時に使えません");
    return TK_EXIT_OK;
}

/* The secretariat's 総評 kept with the campaign before the report that
 * prints it is made. TK_EXIT_OK, or the exit code (*st closed). */
static int record_comment(const report_args *ra, const tk_results *r, tk_store **st, tk_diags *d)
{
    int rc = ra->comment ? tk_report_comment_set(*st, r->campaign_id, ra->comment, d)
                         : tk_report_comment_clear(*st, r->campaign_id, d);
    if (rc != TK_EXIT_OK) {
        tk_store_close(*st);
        *st = NULL;
    } else if (!ra->quiet) {
        printf(ra->comment ? "report: 総評を記録しました (%s)。以後の委員会報告書はこの総評を載せます\n"
                           : "report: 記録した総評を消しました%s。委員会報告書は総評の原案を載せます\n",
               ra->comment ? ra->comment : "");
    }
    return rc;
}

/* The database's path, and the connection closed: the documents whose
 * workers open the database on their own are forked with none of ours open. */
static const char *let_go(tk_store **st, tk_arena *a)
{
    const char *dbp = tk_arena_strdup(a, tk_store_path(*st));
    tk_store_close(*st);
    *st = NULL;
    return dbp;
}

/* Write the document asked for; the documents read the rows they list as
 * they are written. */
static int write_document(const report_args *ra, const tk_report *rp, tk_store **st, const char *path, tk_arena *a,
                          tk_diags *d)
{
    char sz[32];
    int rc = TK_EXIT_FAILURE;
    switch (ra->w) {
    case W_COMMITTEE: {
        size_t pages = 0;
        rc = tk_report_write_committee(rp, path, ra->force, &pages, d);
        size_text(path, sz, sizeof sz);
        if (rc == TK_EXIT_OK && !ra->quiet)
            printf("report: 委員会報告書を書き出しました: %s (%zu ページ、%s)\n", path, pages, sz);
        break;
    }
    case W_DEPARTMENTS: {
        size_t n = 0;
        rc = tk_report_write_departments(rp, let_go(st, a), path, ra->deps, ra->ndeps, ra->jobs, ra->force, &n, d);
        if (rc == TK_EXIT_OK && !ra->quiet)
            printf("report: 部署別の報告書 %zu 件を書き出しました: %s/\n", n, path);
        break;
    }
    case W_SUMMARY:
        rc = tk_report_write_summary(rp, *st, path, ra->force, d);
        size_text(path, sz, sizeof sz);
        if (rc == TK_EXIT_OK && !ra->quiet)
            printf("report: 集計表を書き出しました: %s (%s)\n", path, sz);
        break;
    case W_AUDIT:
        /* the report reads on a connection of its own, and the notices'
         * workers on theirs */
        rc = write_audit(rp, let_go(st, a), path, ra->comment, ra->jobs, ra->force, ra->quiet, a, d);
        break;
    }
    return rc;
}

/* read the command line → load the results → record the 総評 → open the
 * report → write the document */
static int run_report(const tk_command *c, report_args *ra)
{
    tk_results *r;
    int rc = tk_cli_load_results(c, ra->org, ra->year, ra->kind, ra->db, &r);
    if (rc != TK_EXIT_OK)
        return rc;
    tk_arena *a = tk_arena_new();
    const char *path = ra->output ? ra->output : default_output(a, ra->out, ra->org, ra->year, ra->kind, ra->w);
    tk_diags d;
    tk_diags_init(&d);
    bool commenting = ra->comment || ra->clear_comment;
    /* read-only (read-only media too), unless the 総評 is to be recorded */
    tk_store *st = tk_store_open_mode(tk_cli_db_path(ra->db), commenting ? TK_STORE_WRITE : TK_STORE_READ, NULL, &d);
    tk_report *rp = NULL;
    tk_pdf_font *font = NULL;
    rc = TK_EXIT_FAILURE;
    if (st && ra->w == W_COMMITTEE && commenting) {
        int crc = record_comment(ra, r, &st, &d);
        if (crc != TK_EXIT_OK)
            rc = crc;
    }
    if (st) {
        /* one font for every document of the run */
        if (ra->w != W_SUMMARY)
            font = tk_pdf_font_open(NULL, &d);
        tk_report_opts ro = {.template_path = ra->tpl, .font = font, .today = ra->date, .no_previous = ra->no_previous};
        if (ra->w == W_SUMMARY || font)
            rc = tk_report_open(st, r, &ro, &rp, &d);
    }
    if (rp)
        rc = write_document(ra, rp, &st, path, a, &d);
    tk_store_close(st);
    tk_diags_print(&d, stderr);
    if (rc != TK_EXIT_OK)
        fprintf(stderr, "report: 報告書を書き出しませんでした\n");
    tk_diags_free(&d);
    tk_report_free(rp);
    tk_pdf_font_free(font);
    tk_results_free(r);
    tk_arena_free(a);
    return rc;
}

int tk_cmd_report(const tk_command *c, int argc, char **argv)
{
    report_args ra = {.kind = "self"};
    bool done = false;
    int rc = read_options(c, argc, argv, &ra, &done);
    if (rc == TK_EXIT_OK && !done)
        rc = check_request(c, argc, argv, &ra);
    if (rc == TK_EXIT_OK && !done)
        rc = run_report(c, &ra);
    free(ra.deps);
    return rc;
}
