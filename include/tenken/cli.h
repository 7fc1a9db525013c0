/* cli.h — what every subcommand shares: the command table entry, Japanese
 * usage errors, option parsing, and the conventions --db / --out / --org. */
#ifndef TENKEN_CLI_H
#define TENKEN_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "tenken/store.h"

typedef struct tk_command {
    const char *name;
    int (*run)(const struct tk_command *self, int argc, char **argv);
    const char *summary; /* one line, Japanese */
    const char *usage;   /* the --help text, Japanese */
} tk_command;

/* The exit codes, as printed at the end of every --help. */
extern const char TK_EXIT_CODES_HELP[];

/* Print "tenken CMD: message" and a pointer to --help on stderr; returns
 * TK_EXIT_USAGE. */
int tk_cli_usage_error(const tk_command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tk_cli_print_usage(const tk_command *c, FILE *out);
/* getopt_long with Japanese messages; sets *bad on an unknown option or a
 * missing value (the message is already printed). Call with optind = 1. */
int tk_cli_getopt(const tk_command *c, int argc, char **argv, const char *shortopts, const struct option *longopts,
                  int *bad);
/* The options many subcommands share, parsed once by tk_cli_parse: a
 * command names those it takes (TK_CLI_ORG | TK_CLI_YEAR | …) and handles
 * its own in a callback. */
enum {
    TK_CLI_ORG = 1u << 0,        /* --org ID */
    TK_CLI_YEAR = 1u << 1,       /* --year 年度, checked by tk_cli_parse_year */
    TK_CLI_DB = 1u << 2,         /* --db FILE */
    TK_CLI_FORMAT = 1u << 3,     /* --format NAME */
    TK_CLI_OUTPUT = 1u << 4,     /* -o, --output FILE */
    TK_CLI_FORCE = 1u << 5,      /* --force */
    TK_CLI_QUIET = 1u << 6,      /* -q, --quiet */
    TK_CLI_KIND = 1u << 7,       /* --kind NAME */
    TK_CLI_DEPARTMENT = 1u << 8, /* --department CODE */
    TK_CLI_DATE = 1u << 9,       /* --date DATE, as given */
    TK_CLI_STATUS = 1u << 10,    /* --status NAME, as given */
};
/* Where tk_cli_parse puts the shared options; a field keeps the value the
 * caller set (its default) unless the option is given. */
typedef struct tk_cli_opts {
    const char *org, *db, *format, *output, *kind, *department, *date, *status;
    long year;
    bool force, quiet;
} tk_cli_opts;
/* A command's own option opt (the val of its struct option) with its
 * argument (NULL when it takes none): TK_EXIT_OK, or the usage error
 * printed (tk_cli_usage_error) and TK_EXIT_USAGE. */
typedef int (*tk_cli_option_fn)(const tk_command *c, int opt, const char *arg, void *user);
/* tk_cli_parse's answer when --help was given: the usage is printed on
 * stdout and the command ends with TK_EXIT_OK. */
#define TK_CLI_HELP (-1)
/* Parse argv (optind = 1) for the shared options in common, --help, and the
 * command's own (own: its table, ended by a zero entry, or NULL; shortopts:
 * its short options, or NULL; fn: called for each). TK_EXIT_OK with the
 * operands from optind, TK_EXIT_USAGE (the message printed) or TK_CLI_HELP. */
int tk_cli_parse(const tk_command *c, int argc, char **argv, unsigned common, const char *shortopts, const struct option *own,
                 tk_cli_option_fn fn, void *user, tk_cli_opts *o);
/* --year: a fiscal year 1868..9999. TK_EXIT_OK, or the usage error printed
 * and TK_EXIT_USAGE. */
int tk_cli_parse_year(const tk_command *c, const char *arg, long *year);
/* The organisation's id as the database records it: --org as given, or the
 * folder's name when --org is a path ("checklists/shime/" -> "shime"). */
const char *tk_cli_org_id(const char *org);
/* --db FILE, else $TENKEN_DB, else out/tenken.db */
const char *tk_cli_db_path(const char *opt);
/* Open the database (--db FILE, $TENKEN_DB, out/tenken.db) as mode says.
 * On failure prints the problems on stderr and sets *rc: TK_EXIT_INPUT when
 * there is no such database or the file is not tenken's, TK_EXIT_FAILURE
 * otherwise. */
tk_store *tk_cli_open_store(const char *db_opt, enum tk_store_mode mode, int *rc);
/* --out DIR, else out */
const char *tk_cli_out_dir(const char *opt);

/* The subcommands (src/cmd_*.c). */
int tk_cmd_derive(const tk_command *self, int argc, char **argv);
int tk_cmd_check(const tk_command *self, int argc, char **argv);
int tk_cmd_generate(const tk_command *self, int argc, char **argv);
int tk_cmd_ingest(const tk_command *self, int argc, char **argv);
int tk_cmd_status(const tk_command *self, int argc, char **argv);
/* tenken status --kind staff (cmd_staff.c): per department the staff, who
 * answered and who has not; csv: the people not answered (督促);
 * missing_only: only those. */
int tk_cmd_staff_status(const tk_command *self, const char *org, long year, bool csv, bool missing_only, const char *db);
int tk_cmd_score(const tk_command *self, int argc, char **argv);
int tk_cmd_plans(const tk_command *self, int argc, char **argv);
int tk_cmd_export(const tk_command *self, int argc, char **argv);
int tk_cmd_report(const tk_command *self, int argc, char **argv);
int tk_cmd_review(const tk_command *self, int argc, char **argv);
int tk_cmd_audit(const tk_command *self, int argc, char **argv);
int tk_cmd_findings(const tk_command *self, int argc, char **argv);
/* tenken export audit (the 監査調書), argv[0] = "audit"; called by tk_cmd_export. */
int tk_cmd_export_audit(const tk_command *self, int argc, char **argv);

struct tk_results;
/* Check --org/--year/--kind, open --db and load the campaign's results
 * (score and report share it). TK_EXIT_OK and *out, or the exit code. */
int tk_cli_load_results(const tk_command *c, const char *org, long year, const char *kind, const char *db,
                        struct tk_results **out);

#endif
