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
