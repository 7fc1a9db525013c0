/* test_cli.c — the options the subcommands share (tk_cli_parse): each
 * command names the shared ones it takes and adds its own; what it does not
 * take is refused; --year is checked; --help ends the command. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tenken/cli.h"
#include "testutil.h"

static const tk_command CMD = {"probe", NULL, "probe", "使い方: tenken probe"};

typedef struct own_seen {
    const char *auditors;
    int count;
} own_seen;

static int own_option(const tk_command *c, int opt, const char *arg, void *user)
{
    own_seen *s = user;
    s->count++;
    if (opt == 'a')
        s->auditors = arg;
    if (opt == 'x')
        return tk_cli_usage_error(c, "--strict は使えません");
    return TK_EXIT_OK;
}

static const struct option OWN[] = {
    {"auditors", required_argument, NULL, 'a'}, {"strict", no_argument, NULL, 'x'}, {NULL, 0, NULL, 0}};

/* Parse a space-separated command line as getopt would see it. */
static int parse(const char *line, unsigned common, tk_cli_opts *o, own_seen *s)
{
    static char buf[512];
    static char *argv[32];
    snprintf(buf, sizeof buf, "probe %s", line);
    int argc = 0;
    for (char *p = buf; *p && argc < 31;) {
        argv[argc++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
    argv[argc] = NULL;
    optind = 0; /* glibc: start afresh */
    return tk_cli_parse(&CMD, argc, argv, common, NULL, OWN, own_option, s, o);
}

static void test_shared_options_land_in_their_fields_and_own_ones_in_the_callback(void **state)
{
    (void)state;
    tk_cli_opts o = {.format = "text", .status = "all"};
    own_seen s = {0};
    unsigned common = TK_CLI_ORG | TK_CLI_YEAR | TK_CLI_DB | TK_CLI_FORMAT | TK_CLI_OUTPUT | TK_CLI_FORCE | TK_CLI_QUIET;
    assert_int_equal(parse("--org shime --year 2026 --db x.db -o out.csv --force -q --auditors a.csv rest", common, &o, &s),
                     TK_EXIT_OK);
    assert_string_equal(o.org, "shime");
    assert_int_equal(o.year, 2026);
    assert_string_equal(o.db, "x.db");
    assert_string_equal(o.output, "out.csv");
    assert_true(o.force && o.quiet);
    assert_string_equal(o.format, "text"); /* the caller's default, kept */
    assert_string_equal(o.status, "all");
    assert_int_equal(s.count, 1);
    assert_string_equal(s.auditors, "a.csv");
}

static void test_an_option_the_command_does_not_take_is_refused(void **state)
{
    (void)state;
    tk_cli_opts o = {0};
    own_seen s = {0};
    /* --format is shared, but this command did not ask for it */
    assert_int_equal(parse("--org shime --format csv", TK_CLI_ORG, &o, &s), TK_EXIT_USAGE);
    assert_null(o.format);
    memset(&o, 0, sizeof o);
    assert_int_equal(parse("-q", TK_CLI_ORG, &o, &s), TK_EXIT_USAGE);
    assert_false(o.quiet);
    assert_int_equal(parse("--org", TK_CLI_ORG, &o, &s), TK_EXIT_USAGE); /* a value needed */
}

static void test_year_is_checked_and_own_errors_stop_the_parse(void **state)
{
    (void)state;
    tk_cli_opts o = {0};
    own_seen s = {0};
    assert_int_equal(parse("--year 26", TK_CLI_YEAR, &o, &s), TK_EXIT_USAGE);
    assert_int_equal(parse("--strict --auditors a.csv", 0, &o, &s), TK_EXIT_USAGE);
    assert_null(s.auditors); /* nothing after the error is taken */
}

static void test_help_ends_the_command(void **state)
{
    (void)state;
    tk_cli_opts o = {0};
    own_seen s = {0};
    assert_int_equal(parse("--org shime --help", TK_CLI_ORG, &o, &s), TK_CLI_HELP);
    assert_int_equal(parse("-h", 0, &o, &s), TK_CLI_HELP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_options_land_in_their_fields_and_own_ones_in_the_callback),
        cmocka_unit_test(test_an_option_the_command_does_not_take_is_refused),
        cmocka_unit_test(test_year_is_checked_and_own_errors_stop_the_parse),
        cmocka_unit_test(test_help_ends_the_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
