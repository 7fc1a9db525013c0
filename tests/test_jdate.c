/* test_jdate.c — dates, eras, fiscal years, parsing and Excel serials. */
#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenken/jdate.h"

static tk_date D(int y, int m, int d)
{
    return (tk_date){y, m, d};
}

#define assert_date_equal(got, yy, mm, dd)                                                         \
    do {                                                                                           \
        tk_date g_ = (got);                                                                        \
        assert_int_equal(g_.y, (yy));                                                              \
        assert_int_equal(g_.m, (mm));                                                              \
        assert_int_equal(g_.d, (dd));                                                              \
    } while (0)

/* tk_date_parse succeeds and gives y-m-d. */
#define assert_parses(s, yy, mm, dd)                                                               \
    do {                                                                                           \
        tk_date p_ = {0, 0, 0};                                                                    \
        if (!tk_date_parse((s), &p_))                                                              \
            fail_msg("should parse: \"%s\"", (s));                                                 \
        assert_date_equal(p_, (yy), (mm), (dd));                                                   \
    } while (0)

/* tk_date_parse refuses s and leaves the output alone. */
#define assert_rejects(s)                                                                          \
    do {                                                                                           \
        tk_date p_ = {1, 2, 3};                                                                    \
        if (tk_date_parse((s), &p_))                                                               \
            fail_msg("should reject: \"%s\" (got %d-%d-%d)", (s), p_.y, p_.m, p_.d);               \
        assert_date_equal(p_, 1, 2, 3);                                                            \
    } while (0)

/* ---- calendar ---- */

static void test_valid_accepts_real_dates_only(void **state)
{
    (void)state;
    assert_true(tk_date_valid(D(2027, 1, 29)));
    assert_true(tk_date_valid(D(2024, 2, 29)));
    assert_true(tk_date_valid(D(2000, 2, 29)));
    assert_false(tk_date_valid(D(2023, 2, 29)));
    assert_false(tk_date_valid(D(1900, 2, 29)));
    assert_false(tk_date_valid(D(2100, 2, 29)));
    assert_false(tk_date_valid(D(2027, 4, 31)));
    assert_true(tk_date_valid(D(2027, 12, 31)));
    assert_false(tk_date_valid(D(2027, 0, 1)));
    assert_false(tk_date_valid(D(2027, 13, 1)));
    assert_false(tk_date_valid(D(2027, 1, 0)));
    assert_false(tk_date_valid(D(2027, 1, 32)));
    assert_false(tk_date_valid(D(2027, -1, -1)));
}

static void test_valid_limits_years_to_1868_through_9999(void **state)
{
    (void)state;
    assert_true(tk_date_valid(D(1868, 1, 1)));
    assert_false(tk_date_valid(D(1867, 12, 31)));
    assert_true(tk_date_valid(D(9999, 12, 31)));
    assert_false(tk_date_valid(D(10000, 1, 1)));
    assert_false(tk_date_valid(D(0, 1, 1)));
}

static void test_cmp_orders_by_year_then_month_then_day(void **state)
{
    (void)state;
    assert_int_equal(tk_date_cmp(D(2027, 3, 31), D(2027, 3, 31)), 0);
    assert_int_equal(tk_date_cmp(D(2026, 12, 31), D(2027, 1, 1)), -1);
    assert_int_equal(tk_date_cmp(D(2027, 4, 1), D(2027, 3, 31)), 1);
    assert_int_equal(tk_date_cmp(D(2027, 3, 30), D(2027, 3, 31)), -1);
    assert_int_equal(tk_date_cmp(D(2027, 3, 31), D(2027, 3, 30)), 1);
}

static void test_days_count_from_unix_epoch(void **state)
{
    (void)state;
    assert_int_equal(tk_date_to_days(D(1970, 1, 1)), 0);
    assert_int_equal(tk_date_to_days(D(1970, 1, 2)), 1);
    assert_int_equal(tk_date_to_days(D(1969, 12, 31)), -1);
    assert_int_equal(tk_date_to_days(D(2000, 3, 1)), 11017);
    assert_int_equal(tk_date_to_days(D(1900, 1, 1)), -25567);
    assert_int_equal(tk_date_to_days(D(2027, 1, 29)), 20847);
    assert_date_equal(tk_date_from_days(0), 1970, 1, 1);
    assert_date_equal(tk_date_from_days(-1), 1969, 12, 31);
    assert_date_equal(tk_date_from_days(11016), 2000, 2, 29);
    assert_date_equal(tk_date_from_days(-25567), 1900, 1, 1);
}

static void test_days_round_trip_every_day_1868_to_2100(void **state)
{
    (void)state;
    long first = tk_date_to_days(D(1868, 1, 1));
    long last = tk_date_to_days(D(2100, 12, 31));
    tk_date prev = tk_date_from_days(first - 1);
    assert_date_equal(prev, 1867, 12, 31);
    for (long n = first; n <= last; n++) {
        tk_date d = tk_date_from_days(n);
        assert_true(tk_date_valid(d));
        assert_int_equal(tk_date_to_days(d), n);
        assert_int_equal(tk_date_cmp(prev, d), -1);
        prev = d;
    }
    assert_date_equal(prev, 2100, 12, 31);
}

static void test_days_at_year_9999_and_far_out_do_not_overflow(void **state)
{
    (void)state;
    long n = tk_date_to_days(D(9999, 12, 31));
    assert_date_equal(tk_date_from_days(n), 9999, 12, 31);
    assert_date_equal(tk_date_from_days(n + 1), 10000, 1, 1);
    /* Extreme inputs are clamped rather than overflowing. */
    tk_date far = tk_date_from_days(LONG_MAX);
    assert_true(far.y > 1000000);
    far = tk_date_from_days(LONG_MIN);
    assert_true(far.y < -1000000);
}

static void test_diff_days_counts_signed_days(void **state)
{
    (void)state;
    assert_int_equal(tk_date_diff_days(D(2027, 3, 31), D(2026, 4, 1)), 364);
    assert_int_equal(tk_date_diff_days(D(2024, 3, 1), D(2024, 2, 28)), 2);
    assert_int_equal(tk_date_diff_days(D(2023, 3, 1), D(2023, 2, 28)), 1);
    assert_int_equal(tk_date_diff_days(D(2026, 4, 1), D(2027, 3, 31)), -364);
    assert_int_equal(tk_date_diff_days(D(2027, 1, 29), D(2027, 1, 29)), 0);
}

static void test_add_days_crosses_months_and_years(void **state)
{
    (void)state;
    assert_date_equal(tk_date_add_days(D(2027, 3, 31), 1), 2027, 4, 1);
    assert_date_equal(tk_date_add_days(D(2027, 1, 1), -1), 2026, 12, 31);
    assert_date_equal(tk_date_add_days(D(2024, 2, 28), 1), 2024, 2, 29);
    assert_date_equal(tk_date_add_days(D(2027, 1, 29), 365), 2028, 1, 29);
}

static void test_weekday_sunday_is_zero(void **state)
{
    (void)state;
    assert_int_equal(tk_date_weekday(D(1970, 1, 1)), 4);   /* Thursday */
    assert_int_equal(tk_date_weekday(D(2027, 3, 31)), 3);  /* Wednesday */
    assert_int_equal(tk_date_weekday(D(2019, 5, 1)), 3);   /* Wednesday */
    assert_int_equal(tk_date_weekday(D(1969, 12, 28)), 0); /* Sunday */
    assert_int_equal(tk_date_weekday(D(1900, 1, 1)), 1);   /* Monday */
}

static void test_today_honours_tenken_today(void **state)
{
    (void)state;
    assert_int_equal(setenv("TENKEN_TODAY", "2027-03-31", 1), 0);
    assert_date_equal(tk_date_today(), 2027, 3, 31);
    assert_int_equal(setenv("TENKEN_TODAY", "令和元年5月1日", 1), 0);
    assert_date_equal(tk_date_today(), 2019, 5, 1);
    assert_int_equal(unsetenv("TENKEN_TODAY"), 0);
}

static void test_today_without_override_is_a_real_date(void **state)
{
    (void)state;
    assert_int_equal(unsetenv("TENKEN_TODAY"), 0);
    tk_date t = tk_date_today();
    assert_true(tk_date_valid(t));
    assert_true(t.y >= 2024);
    /* An empty override is no override. */
    assert_int_equal(setenv("TENKEN_TODAY", "", 1), 0);
    assert_int_equal(tk_date_cmp(tk_date_today(), t) >= 0, 1);
    assert_int_equal(unsetenv("TENKEN_TODAY"), 0);
}

static void test_today_ignores_unreadable_tenken_today_with_a_warning(void **state)
{
    (void)state;
    unsetenv("TENKEN_TODAY");
    tk_date real = tk_date_today();
    /* Capture stderr in a temporary file. */
    char path[] = "/tmp/test_jdate_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fd, 2) >= 0);
    assert_int_equal(setenv("TENKEN_TODAY", "2027-02-30", 1), 0);
    tk_date t = tk_date_today();
    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    char msg[512] = {0};
    assert_true(lseek(fd, 0, SEEK_SET) == 0);
    ssize_t got = read(fd, msg, sizeof msg - 1);
    close(fd);
    unlink(path);
    unsetenv("TENKEN_TODAY");
    assert_true(got > 0);
    assert_non_null(strstr(msg, "TENKEN_TODAY"));
    assert_non_null(strstr(msg, "2027-02-30"));
    assert_true(tk_date_valid(t));
    assert_true(tk_date_diff_days(t, real) >= 0 && tk_date_diff_days(t, real) <= 1);
}

/* ---- eras and formatting ---- */

static void test_era_names_the_era_and_its_year(void **state)
{
    (void)state;
    const char *name = NULL;
    int year = 0;
    assert_true(tk_date_era(D(2027, 1, 29), &name, &year));
    assert_string_equal(name, "令和");
    assert_int_equal(year, 9);
    assert_true(tk_date_era(D(2019, 4, 30), &name, &year));
    assert_string_equal(name, "平成");
    assert_int_equal(year, 31);
    assert_true(tk_date_era(D(1868, 10, 23), NULL, &year));
    assert_int_equal(year, 1);
    assert_false(tk_date_era(D(1868, 10, 22), &name, &year));
    assert_false(tk_date_era(D(2027, 2, 30), &name, &year));
}

static void test_iso_format_pads_fields(void **state)
{
    (void)state;
    char buf[TK_DATE_ISO_SIZE];
    assert_string_equal(tk_date_iso(D(2027, 1, 29), buf), "2027-01-29");
    assert_string_equal(tk_date_iso(D(1868, 10, 23), buf), "1868-10-23");
    assert_string_equal(tk_date_iso(D(9999, 12, 31), buf), "9999-12-31");
    assert_string_equal(tk_date_iso(D(2027, 2, 30), buf), "\?\?\?\?-\?\?-\?\?");
    assert_string_equal(tk_date_iso(D(123456, 1, 1), buf), "\?\?\?\?-\?\?-\?\?");
    assert_ptr_equal(tk_date_iso(D(2027, 1, 29), buf), buf);
}

static void test_wareki_format_reiwa(void **state)
{
    (void)state;
    char buf[TK_DATE_WAREKI_SIZE];
    assert_string_equal(tk_date_wareki(D(2027, 1, 29), buf, sizeof buf), "令和9年1月29日");
    assert_string_equal(tk_date_wareki(D(2029, 12, 1), buf, sizeof buf), "令和11年12月1日");
}

static void test_wareki_gannen_for_first_year(void **state)
{
    (void)state;
    char buf[TK_DATE_WAREKI_SIZE];
    assert_string_equal(tk_date_wareki(D(2019, 5, 1), buf, sizeof buf), "令和元年5月1日");
    assert_string_equal(tk_date_wareki(D(2019, 12, 31), buf, sizeof buf), "令和元年12月31日");
    assert_string_equal(tk_date_wareki(D(2020, 1, 1), buf, sizeof buf), "令和2年1月1日");
}

static void test_wareki_at_every_era_boundary(void **state)
{
    (void)state;
    static const struct {
        tk_date d;
        const char *want;
    } cases[] = {
        {{1868, 10, 22}, "1868年10月22日"},   {{1868, 10, 23}, "明治元年10月23日"},
        {{1869, 1, 1}, "明治2年1月1日"},      {{1912, 7, 29}, "明治45年7月29日"},
        {{1912, 7, 30}, "大正元年7月30日"},   {{1926, 12, 24}, "大正15年12月24日"},
        {{1926, 12, 25}, "昭和元年12月25日"}, {{1989, 1, 7}, "昭和64年1月7日"},
        {{1989, 1, 8}, "平成元年1月8日"},     {{2019, 4, 30}, "平成31年4月30日"},
        {{2019, 5, 1}, "令和元年5月1日"},
    };
    char buf[TK_DATE_WAREKI_SIZE];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(tk_date_wareki(cases[i].d, buf, sizeof buf), cases[i].want);
}

static void test_wareki_of_invalid_date_says_so(void **state)
{
    (void)state;
    char buf[TK_DATE_WAREKI_SIZE];
    assert_string_equal(tk_date_wareki(D(2027, 2, 30), buf, sizeof buf), "不正な日付");
    assert_string_equal(tk_date_both(D(1800, 1, 1), buf, sizeof buf), "不正な日付");
}

static void test_both_gives_wareki_then_western(void **state)
{
    (void)state;
    char buf[TK_DATE_BOTH_SIZE];
    assert_string_equal(tk_date_both(D(2027, 1, 29), buf, sizeof buf),
                        "令和9年1月29日（2027年1月29日）");
    assert_string_equal(tk_date_both(D(2019, 5, 1), buf, sizeof buf),
                        "令和元年5月1日（2019年5月1日）");
    assert_string_equal(tk_date_both(D(1868, 1, 1), buf, sizeof buf), "1868年1月1日");
}

static void test_formatting_truncates_on_a_character_boundary(void **state)
{
    (void)state;
    char buf[8];
    /* "令和9年" is 3+3+1+3 bytes; 7 bytes fit, which must not end inside 年. */
    tk_date_wareki(D(2027, 1, 29), buf, sizeof buf);
    assert_string_equal(buf, "令和9");
    char one[1] = {'x'};
    tk_date_both(D(2027, 1, 29), one, sizeof one);
    assert_int_equal(one[0], '\0');
    char four[4];
    tk_fiscal_year_label(2026, four, sizeof four);
    assert_string_equal(four, "令");
    /* n == 0 writes nothing. */
    char untouched[2] = {'a', 'b'};
    tk_date_wareki(D(2027, 1, 29), untouched, 0);
    assert_int_equal(untouched[0], 'a');
}

/* ---- fiscal years ---- */

static void test_fiscal_year_runs_april_to_march(void **state)
{
    (void)state;
    assert_int_equal(tk_fiscal_year_of(D(2027, 3, 31)), 2026);
    assert_int_equal(tk_fiscal_year_of(D(2027, 4, 1)), 2027);
    assert_int_equal(tk_fiscal_year_of(D(2027, 1, 1)), 2026);
    assert_int_equal(tk_fiscal_year_of(D(2026, 12, 31)), 2026);
}

static void test_fiscal_year_label_reiwa(void **state)
{
    (void)state;
    char buf[TK_FY_LABEL_SIZE];
    assert_string_equal(tk_fiscal_year_label(2026, buf, sizeof buf), "令和8年度（2026年度）");
    assert_string_equal(tk_fiscal_year_wareki(2026, buf, sizeof buf), "令和8年度");
    assert_string_equal(tk_fiscal_year_wareki(2020, buf, sizeof buf), "令和2年度");
}

static void test_fiscal_year_label_gannen(void **state)
{
    (void)state;
    char buf[TK_FY_LABEL_SIZE];
    /* FY2019 began in 平成 (2019-04-01) but is 令和元年度. */
    assert_string_equal(tk_fiscal_year_label(2019, buf, sizeof buf), "令和元年度（2019年度）");
    assert_string_equal(tk_fiscal_year_wareki(2019, buf, sizeof buf), "令和元年度");
    assert_string_equal(tk_fiscal_year_wareki(1989, buf, sizeof buf), "平成元年度");
    assert_string_equal(tk_fiscal_year_wareki(1912, buf, sizeof buf), "大正元年度");
}

static void test_fiscal_year_label_last_year_of_an_era(void **state)
{
    (void)state;
    char buf[TK_FY_LABEL_SIZE];
    assert_string_equal(tk_fiscal_year_label(2018, buf, sizeof buf), "平成30年度（2018年度）");
    /* FY1988 ended in 平成 (1989-03-31) but is 昭和63年度. */
    assert_string_equal(tk_fiscal_year_wareki(1988, buf, sizeof buf), "昭和63年度");
    /* 昭和 began 1926-12-25; most of FY1926 was 大正. */
    assert_string_equal(tk_fiscal_year_wareki(1926, buf, sizeof buf), "大正15年度");
    assert_string_equal(tk_fiscal_year_wareki(1927, buf, sizeof buf), "昭和2年度");
}

static void test_fiscal_year_label_outside_eras_is_western(void **state)
{
    (void)state;
    char buf[TK_FY_LABEL_SIZE];
    assert_string_equal(tk_fiscal_year_wareki(1868, buf, sizeof buf), "明治元年度");
    assert_string_equal(tk_fiscal_year_label(1867, buf, sizeof buf), "1867年度");
    assert_string_equal(tk_fiscal_year_wareki(1867, buf, sizeof buf), "1867年度");
    assert_string_equal(tk_fiscal_year_label(10000, buf, sizeof buf), "10000年度");
}

/* ---- parsing ---- */

static void test_parse_western_separators(void **state)
{
    (void)state;
    assert_parses("2027-03-31", 2027, 3, 31);
    assert_parses("2027/3/31", 2027, 3, 31);
    assert_parses("2027.3.31", 2027, 3, 31);
    assert_parses("2027-3-1", 2027, 3, 1);
    assert_parses("2027/03/01", 2027, 3, 1);
    assert_parses("2024-02-29", 2024, 2, 29);
}

static void test_parse_western_kanji(void **state)
{
    (void)state;
    assert_parses("2027年3月31日", 2027, 3, 31);
    assert_parses("2027年03月01日", 2027, 3, 1);
    assert_parses("西暦2027年3月31日", 2027, 3, 31);
}

static void test_parse_reiwa_kanji(void **state)
{
    (void)state;
    assert_parses("令和9年3月31日", 2027, 3, 31);
    assert_parses("令和9.3.31", 2027, 3, 31);
    assert_parses("令和2年1月1日", 2020, 1, 1);
}

static void test_parse_reiwa_gannen(void **state)
{
    (void)state;
    assert_parses("令和元年5月1日", 2019, 5, 1);
    assert_parses("令和1年5月1日", 2019, 5, 1);
    assert_parses("R元.5.1", 2019, 5, 1);
    assert_parses("平成元年1月8日", 1989, 1, 8);
}

static void test_parse_era_initials(void **state)
{
    (void)state;
    assert_parses("R9.3.31", 2027, 3, 31);
    assert_parses("R9/3/31", 2027, 3, 31);
    assert_parses("R9-3-31", 2027, 3, 31);
    assert_parses("r9.3.31", 2027, 3, 31);
    assert_parses("R09.03.31", 2027, 3, 31);
    assert_parses("H31.4.30", 2019, 4, 30);
    assert_parses("h1.1.8", 1989, 1, 8);
    assert_parses("S64.1.7", 1989, 1, 7);
    assert_parses("T15.12.24", 1926, 12, 24);
    assert_parses("M45.7.29", 1912, 7, 29);
    assert_parses("R9年3月31日", 2027, 3, 31);
}

static void test_parse_allows_spaces_between_parts(void **state)
{
    (void)state;
    assert_parses("令和 9 年 3 月 31 日", 2027, 3, 31);
    assert_parses("  2027-03-31  ", 2027, 3, 31);
    assert_parses("\t2027/3/31\n", 2027, 3, 31);
    assert_parses("R 9.3.31", 2027, 3, 31);
    assert_parses("2027 / 3 / 31", 2027, 3, 31);
    assert_parses("\xe3\x80\x80令和\xe3\x80\x80元年5月1日\xe3\x80\x80", 2019, 5, 1); /* U+3000 */
}

static void test_parse_full_width_input(void **state)
{
    (void)state;
    assert_parses("２０２７／３／３１", 2027, 3, 31);
    assert_parses("令和９年３月３１日", 2027, 3, 31);
    assert_parses("Ｒ９．３．３１", 2027, 3, 31);
    assert_parses("ｒ９－３－３１", 2027, 3, 31);
    assert_parses("２０２７－０３－３１", 2027, 3, 31);
    assert_parses("２０２７年３月３１日", 2027, 3, 31);
}

static void test_parse_era_ligatures_and_ime_dashes(void **state)
{
    (void)state;
    assert_parses("㋿9年3月31日", 2027, 3, 31); /* U+32FF */
    assert_parses("㍻31年4月30日", 2019, 4, 30);    /* U+337B */
    assert_parses("2027ー03ー31", 2027, 3, 31);     /* katakana long vowel mark */
    assert_parses("2027−03−31", 2027, 3, 31);       /* U+2212 minus sign */
    assert_parses("2027‐03‐31", 2027, 3, 31);       /* U+2010 hyphen */
}

static void test_parse_accepts_the_right_weekday(void **state)
{
    (void)state;
    assert_parses("2027年3月31日(水)", 2027, 3, 31);
    assert_parses("令和9年3月31日（水）", 2027, 3, 31);
    assert_parses("令和9年3月31日 (水曜日)", 2027, 3, 31);
    assert_parses("2027/3/31（水曜）", 2027, 3, 31);
    assert_parses("2027/3/28(日)", 2027, 3, 28);
    assert_parses("2027/3/31㈬", 2027, 3, 31); /* U+322C */
}

static void test_parse_rejects_the_wrong_weekday(void **state)
{
    (void)state;
    assert_rejects("2027年3月31日(木)");
    assert_rejects("2027年3月31日(水");
    assert_rejects("2027年3月31日()");
    assert_rejects("2027年3月31日(水)(水)");
    assert_rejects("2027年3月31日(祝)");
}

static void test_parse_rejects_impossible_dates(void **state)
{
    (void)state;
    assert_rejects("2027-02-30");
    assert_rejects("2023-02-29");
    assert_rejects("1900-02-29");
    assert_rejects("2027-04-31");
    assert_rejects("2027-13-01");
    assert_rejects("2027-00-10");
    assert_rejects("2027-01-00");
    assert_rejects("令和9年2月29日");
}

static void test_parse_rejects_reiwa_before_its_start(void **state)
{
    (void)state;
    assert_rejects("令和1年4月30日");
    assert_rejects("令和元年4月30日");
    assert_rejects("R1.4.30");
    assert_rejects("令和元年1月1日");
}

static void test_parse_rejects_heisei_after_its_end(void **state)
{
    (void)state;
    assert_rejects("平成31年5月1日");
    assert_rejects("H31.5.1");
    assert_rejects("平成32年1月1日");
    assert_parses("平成31年4月30日", 2019, 4, 30);
}

static void test_parse_checks_showa_taisho_meiji_boundaries(void **state)
{
    (void)state;
    assert_rejects("昭和64年1月8日");
    assert_rejects("平成元年1月7日");
    assert_rejects("大正15年12月25日");
    assert_parses("昭和元年12月25日", 1926, 12, 25);
    assert_rejects("昭和元年12月24日");
    assert_rejects("明治45年7月30日");
    assert_parses("大正元年7月30日", 1912, 7, 30);
    assert_rejects("大正元年7月29日");
    assert_parses("明治元年10月23日", 1868, 10, 23);
    assert_rejects("明治元年10月22日");
    assert_rejects("M1.1.1");
}

static void test_parse_rejects_year_zero_of_an_era(void **state)
{
    (void)state;
    assert_rejects("令和0年5月1日");
    assert_rejects("R0.5.1");
}

static void test_parse_rejects_years_out_of_range(void **state)
{
    (void)state;
    assert_rejects("1867-12-31");
    assert_parses("1868-01-01", 1868, 1, 1);
    assert_parses("9999-12-31", 9999, 12, 31);
    assert_rejects("10000-01-01");
    assert_rejects("0000-01-01");
    assert_rejects("27/3/31");          /* two-digit year */
    assert_rejects("127/3/31");         /* three-digit year */
    assert_rejects("令和7982年1月1日"); /* 10000 */
}

static void test_parse_rejects_trailing_and_leading_garbage(void **state)
{
    (void)state;
    assert_rejects("2027-03-31x");
    assert_rejects("2027-03-31 12:00");
    assert_rejects("2027-03-31T00:00:00");
    assert_rejects("2027-03-31.");
    assert_rejects("R9.3.31.");
    assert_rejects("x2027-03-31");
    assert_rejects("+2027-03-31");
    assert_rejects("2027年3月31日まで");
    assert_rejects("令和9年3月31日頃");
}

static void test_parse_rejects_malformed_forms(void **state)
{
    (void)state;
    assert_rejects("2027/3-31"); /* mixed separators */
    assert_rejects("2027--03-31");
    assert_rejects("2027-003-31");
    assert_rejects("2027-03-031");
    assert_rejects("2027年3月31"); /* no 日 */
    assert_rejects("2027年3/31");
    assert_rejects("2027 03 31");
    assert_rejects("20270331");
    assert_rejects("元年5月1日"); /* 元 needs an era */
    assert_rejects("令和");
    assert_rejects("R.3.31");
    assert_rejects("X9.3.31");
    assert_rejects("令和9年");
    assert_rejects("2027-03");
    assert_rejects("2 027-03-31");
}

static void test_parse_rejects_empty_and_bad_input(void **state)
{
    (void)state;
    assert_rejects("");
    assert_rejects("   ");
    assert_rejects("\xe3\x80\x80");
    assert_rejects("\xff\xfe");
    assert_rejects("2027-03-3\xe3\x80"); /* truncated UTF-8 */
    tk_date d = {1, 2, 3};
    assert_false(tk_date_parse(NULL, &d));
    assert_false(tk_date_parse("2027-03-31", NULL));
    /* A long string is refused without overflowing anything. */
    char big[4096];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "2027-03-31", 10);
    assert_rejects(big);
    /* NFKC expansion (U+FDFA becomes 18 characters) stays bounded. */
    char wide[256];
    size_t k = 0;
    while (k + 3 < sizeof wide) {
        memcpy(wide + k, "\xef\xb7\xba", 3);
        k += 3;
    }
    wide[k] = '\0';
    assert_rejects(wide);
}

static void test_parse_round_trips_formatted_dates(void **state)
{
    (void)state;
    char iso[TK_DATE_ISO_SIZE], wareki[TK_DATE_WAREKI_SIZE];
    long first = tk_date_to_days(D(1868, 10, 23));
    long last = tk_date_to_days(D(2040, 12, 31));
    for (long n = first; n <= last; n += 7) {
        tk_date d = tk_date_from_days(n), p;
        assert_true(tk_date_parse(tk_date_iso(d, iso), &p));
        assert_int_equal(tk_date_cmp(p, d), 0);
        assert_true(tk_date_parse(tk_date_wareki(d, wareki, sizeof wareki), &p));
        assert_int_equal(tk_date_cmp(p, d), 0);
    }
}

/* ---- Excel serials ---- */

static void test_excel_serial_1900_first_days(void **state)
{
    (void)state;
    tk_date d;
    assert_true(tk_date_from_excel_serial(1, false, &d));
    assert_date_equal(d, 1900, 1, 1);
    assert_true(tk_date_from_excel_serial(31, false, &d));
    assert_date_equal(d, 1900, 1, 31);
}

static void test_excel_serial_1900_leap_bug(void **state)
{
    (void)state;
    tk_date d = {1, 2, 3};
    assert_true(tk_date_from_excel_serial(59, false, &d));
    assert_date_equal(d, 1900, 2, 28);
    d = (tk_date){1, 2, 3};
    assert_false(tk_date_from_excel_serial(60, false, &d)); /* 1900-02-29 never was */
    assert_date_equal(d, 1, 2, 3);
    assert_true(tk_date_from_excel_serial(61, false, &d));
    assert_date_equal(d, 1900, 3, 1);
    assert_true(tk_date_to_excel_serial(D(1900, 2, 28)) == 59.0);
    assert_true(tk_date_to_excel_serial(D(1900, 3, 1)) == 61.0);
    assert_true(tk_date_to_excel_serial(D(1900, 1, 1)) == 1.0);
}

static void test_excel_serial_modern_dates(void **state)
{
    (void)state;
    tk_date d;
    assert_true(tk_date_from_excel_serial(46416, false, &d));
    assert_date_equal(d, 2027, 1, 29);
    assert_true(tk_date_from_excel_serial(43586, false, &d));
    assert_date_equal(d, 2019, 5, 1);
    assert_true(tk_date_from_excel_serial(25569, false, &d));
    assert_date_equal(d, 1970, 1, 1);
    assert_true(tk_date_to_excel_serial(D(2027, 1, 29)) == 46416.0);
    assert_true(tk_date_to_excel_serial(D(2019, 5, 1)) == 43586.0);
}

static void test_excel_serial_ignores_time_of_day(void **state)
{
    (void)state;
    tk_date d;
    assert_true(tk_date_from_excel_serial(46416.75, false, &d));
    assert_date_equal(d, 2027, 1, 29);
    assert_true(tk_date_from_excel_serial(46416.999999, false, &d));
    assert_date_equal(d, 2027, 1, 29);
    assert_true(tk_date_from_excel_serial(1.5, false, &d));
    assert_date_equal(d, 1900, 1, 1);
    assert_true(tk_date_from_excel_serial(0.25, true, &d));
    assert_date_equal(d, 1904, 1, 1);
}

static void test_excel_serial_1904_system(void **state)
{
    (void)state;
    tk_date d;
    assert_true(tk_date_from_excel_serial(0, true, &d));
    assert_date_equal(d, 1904, 1, 1);
    assert_true(tk_date_from_excel_serial(44954, true, &d));
    assert_date_equal(d, 2027, 1, 29);
    assert_true(tk_date_from_excel_serial(2957003, true, &d));
    assert_date_equal(d, 9999, 12, 31);
    assert_false(tk_date_from_excel_serial(2957004, true, &d));
    assert_false(tk_date_from_excel_serial(-1, true, &d));
    assert_false(tk_date_from_excel_serial(-0.5, true, &d));
}

static void test_excel_serial_rejects_out_of_range(void **state)
{
    (void)state;
    tk_date d = {1, 2, 3};
    assert_false(tk_date_from_excel_serial(0, false, &d));
    assert_false(tk_date_from_excel_serial(0.5, false, &d));
    assert_false(tk_date_from_excel_serial(-1, false, &d));
    assert_false(tk_date_from_excel_serial(NAN, false, &d));
    assert_false(tk_date_from_excel_serial(INFINITY, false, &d));
    assert_false(tk_date_from_excel_serial(-INFINITY, false, &d));
    assert_false(tk_date_from_excel_serial(NAN, true, &d));
    assert_false(tk_date_from_excel_serial(1e300, false, &d));
    assert_false(tk_date_from_excel_serial(2958466, false, &d));
    assert_date_equal(d, 1, 2, 3);
    assert_true(tk_date_from_excel_serial(2958465, false, &d));
    assert_date_equal(d, 9999, 12, 31);
    assert_true(tk_date_from_excel_serial(2958465.9, false, &d));
    assert_date_equal(d, 9999, 12, 31);
}

static void test_excel_serial_of_unrepresentable_dates_is_negative(void **state)
{
    (void)state;
    assert_true(tk_date_to_excel_serial(D(1899, 12, 31)) == -1.0);
    assert_true(tk_date_to_excel_serial(D(2027, 2, 30)) == -1.0);
    assert_true(tk_date_to_excel_serial(D(10000, 1, 1)) == -1.0);
}

static void test_excel_serial_round_trips(void **state)
{
    (void)state;
    long first = tk_date_to_days(D(1900, 1, 1));
    long last = tk_date_to_days(D(9999, 12, 31));
    for (long n = first; n <= last; n += 97) {
        tk_date d = tk_date_from_days(n), back;
        double s = tk_date_to_excel_serial(d);
        assert_true(s >= 1.0);
        assert_true(tk_date_from_excel_serial(s, false, &back));
        assert_int_equal(tk_date_cmp(back, d), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_accepts_real_dates_only),
        cmocka_unit_test(test_valid_limits_years_to_1868_through_9999),
        cmocka_unit_test(test_cmp_orders_by_year_then_month_then_day),
        cmocka_unit_test(test_days_count_from_unix_epoch),
        cmocka_unit_test(test_days_round_trip_every_day_1868_to_2100),
        cmocka_unit_test(test_days_at_year_9999_and_far_out_do_not_overflow),
        cmocka_unit_test(test_diff_days_counts_signed_days),
        cmocka_unit_test(test_add_days_crosses_months_and_years),
        cmocka_unit_test(test_weekday_sunday_is_zero),
        cmocka_unit_test(test_today_honours_tenken_today),
        cmocka_unit_test(test_today_without_override_is_a_real_date),
        cmocka_unit_test(test_today_ignores_unreadable_tenken_today_with_a_warning),
        cmocka_unit_test(test_era_names_the_era_and_its_year),
        cmocka_unit_test(test_iso_format_pads_fields),
        cmocka_unit_test(test_wareki_format_reiwa),
        cmocka_unit_test(test_wareki_gannen_for_first_year),
        cmocka_unit_test(test_wareki_at_every_era_boundary),
        cmocka_unit_test(test_wareki_of_invalid_date_says_so),
        cmocka_unit_test(test_both_gives_wareki_then_western),
        cmocka_unit_test(test_formatting_truncates_on_a_character_boundary),
        cmocka_unit_test(test_fiscal_year_runs_april_to_march),
        cmocka_unit_test(test_fiscal_year_label_reiwa),
        cmocka_unit_test(test_fiscal_year_label_gannen),
        cmocka_unit_test(test_fiscal_year_label_last_year_of_an_era),
        cmocka_unit_test(test_fiscal_year_label_outside_eras_is_western),
        cmocka_unit_test(test_parse_western_separators),
        cmocka_unit_test(test_parse_western_kanji),
        cmocka_unit_test(test_parse_reiwa_kanji),
        cmocka_unit_test(test_parse_reiwa_gannen),
        cmocka_unit_test(test_parse_era_initials),
        cmocka_unit_test(test_parse_allows_spaces_between_parts),
        cmocka_unit_test(test_parse_full_width_input),
        cmocka_unit_test(test_parse_era_ligatures_and_ime_dashes),
        cmocka_unit_test(test_parse_accepts_the_right_weekday),
        cmocka_unit_test(test_parse_rejects_the_wrong_weekday),
        cmocka_unit_test(test_parse_rejects_impossible_dates),
        cmocka_unit_test(test_parse_rejects_reiwa_before_its_start),
        cmocka_unit_test(test_parse_rejects_heisei_after_its_end),
        cmocka_unit_test(test_parse_checks_showa_taisho_meiji_boundaries),
        cmocka_unit_test(test_parse_rejects_year_zero_of_an_era),
        cmocka_unit_test(test_parse_rejects_years_out_of_range),
        cmocka_unit_test(test_parse_rejects_trailing_and_leading_garbage),
        cmocka_unit_test(test_parse_rejects_malformed_forms),
        cmocka_unit_test(test_parse_rejects_empty_and_bad_input),
        cmocka_unit_test(test_parse_round_trips_formatted_dates),
        cmocka_unit_test(test_excel_serial_1900_first_days),
        cmocka_unit_test(test_excel_serial_1900_leap_bug),
        cmocka_unit_test(test_excel_serial_modern_dates),
        cmocka_unit_test(test_excel_serial_ignores_time_of_day),
        cmocka_unit_test(test_excel_serial_1904_system),
        cmocka_unit_test(test_excel_serial_rejects_out_of_range),
        cmocka_unit_test(test_excel_serial_of_unrepresentable_dates_is_negative),
        cmocka_unit_test(test_excel_serial_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
