/* jdate.h — calendar dates, the Japanese era calendar (和暦), fiscal years
 * (年度, April to March), parsing dates as people type them, and Excel serial
 * date numbers.
 *
 * Dates are plain values in the proleptic Gregorian calendar. A date is
 * "valid" when it is a real calendar date in the years 1868..9999; the day
 * arithmetic (to_days / from_days) works for any year.
 *
 * Eras and their first days (the day after the previous era's last day):
 *   明治 M 1868-10-23   大正 T 1912-07-30   昭和 S 1926-12-25
 *   平成 H 1989-01-08   令和 R 2019-05-01
 * The first year of an era is written 元年. Dates before 1868-10-23 belong to
 * no era and are written in the Western calendar only.
 *
 * No function here allocates; the formatting functions write into the
 * caller's buffer with snprintf semantics (truncating, always terminated when
 * n > 0) and return it.
 */
#ifndef TENKEN_JDATE_H
#define TENKEN_JDATE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tk_date {
    int y, m, d;
} tk_date;

/* Buffer sizes large enough for every valid date. */
#define TK_DATE_ISO_SIZE 11    /* "2027-01-29" */
#define TK_DATE_WAREKI_SIZE 32 /* "令和9年1月29日" */
#define TK_DATE_BOTH_SIZE 64   /* "令和9年1月29日（2027年1月29日）" */
#define TK_FY_LABEL_SIZE 48    /* "令和8年度（2026年度）" */

/* ---- calendar ---- */
/* A real calendar date in the years 1868..9999. */
bool tk_date_valid(tk_date d);
/* -1, 0 or 1 as a is before, the same as or after b (field by field). */
int tk_date_cmp(tk_date a, tk_date b);
/* Days since 1970-01-01 (negative before it). Any year; fields out of range
 * are not normalised, so only meaningful for real dates. */
long tk_date_to_days(tk_date d);
tk_date tk_date_from_days(long days);
/* later - earlier in days (clamped to the range of int). */
int tk_date_diff_days(tk_date later, tk_date earlier);
/* d moved by n days (n may be negative). */
tk_date tk_date_add_days(tk_date d, long n);
/* Day of the week, 0 = Sunday .. 6 = Saturday. */
int tk_date_weekday(tk_date d);
/* Today in local time. When the environment variable TENKEN_TODAY holds a
 * date (YYYY-MM-DD, or anything tk_date_parse accepts) that date is returned
 * instead, for reproducible tests and demos; an unreadable value is reported
 * once on stderr and ignored. */
tk_date tk_date_today(void);

/* ---- eras ---- */
/* The era of a valid date: its name ("令和") in *name and the year of the
 * era (1 for 元年) in *era_year. False for invalid dates and dates before
 * 明治 (1868-10-23). Either pointer may be NULL. */
bool tk_date_era(tk_date d, const char **name, int *era_year);

/* ---- formatting ---- */
/* "2027-01-29"; "????-??-??" when the fields cannot be a date of years
 * 0..9999. */
char *tk_date_iso(tk_date d, char out[TK_DATE_ISO_SIZE]);
/* "令和9年1月29日", "令和元年5月1日"; before 明治 "1868年5月1日"; an invalid
 * date gives "不正な日付". */
char *tk_date_wareki(tk_date d, char *out, size_t n);
/* "令和9年1月29日（2027年1月29日）" (full-width parentheses); before 明治
 * only the Western form; an invalid date gives "不正な日付". */
char *tk_date_both(tk_date d, char *out, size_t n);

/* ---- fiscal years (年度, April to March, named by the year it starts) ---- */
/* The fiscal year of a date: 2027-03-31 -> 2026, 2027-04-01 -> 2027. */
int tk_fiscal_year_of(tk_date d);
/* "令和8年度" for 2026. A fiscal year is named by the era that covers most of
 * it: 2019 -> 令和元年度 (令和 began 2019-05-01), 1988 -> 昭和63年度,
 * 1926 -> 大正15年度. Years outside 1868..9999 give "1867年度". */
char *tk_fiscal_year_wareki(int fy, char *out, size_t n);
/* "令和8年度（2026年度）"; outside 1868..9999 only "1867年度". */
char *tk_fiscal_year_label(int fy, char *out, size_t n);

/* ---- parsing ---- */
/* Parse a date as typed into a cell or on a command line. The input must be
 * UTF-8; it is normalised with NFKC (full-width digits, letters and
 * punctuation become ASCII, ㋿ becomes 令和, the ideographic space a space)
 * and white space is allowed around every part. Accepted forms:
 *   2027-03-31  2027/3/31  2027.3.31  2027年3月31日  西暦2027年3月31日
 *   令和9年3月31日  令和元年5月1日  令和 9 年 3 月 31 日  令和9.3.31
 *   R9.3.31  R9/3/31  R9-3-31  r9.3.31  R元.5.1  H31.4.30  S64.1.7
 * (era initials M T S H R, either case). The separator must be the same
 * twice; a dash typed as ー, ‐, – or − counts as "-". A day of the week in
 * parentheses may follow, "2027年3月31日(水)" or "（水曜日）", and must be
 * the right one.
 * Refused: impossible dates (2027-02-30), era dates outside their era
 * (令和元年4月30日, 平成31年5月1日), year 0 of an era, years outside
 * 1868..9999, two-digit Western years, anything else before or after the
 * date. On success fills *out and returns true; *out is untouched on
 * failure. */
bool tk_date_parse(const char *s, tk_date *out);

/* ---- Excel serial date numbers ---- */
/* 1900 system (date1904 false): serial 1 is 1900-01-01, 59 is 1900-02-28,
 * 60 is Excel's fictitious 1900-02-29 (refused: it never existed) and 61 is
 * 1900-03-01. 1904 system: serial 0 is 1904-01-01. The fraction (the time of
 * day) is ignored. False for serials below 1 (1900) or 0 (1904), NaN and
 * infinities, and serials past 9999-12-31. */
bool tk_date_from_excel_serial(double serial, bool date1904, tk_date *out);
/* Serial in the 1900 system (2027-01-29 -> 46416, 1900-03-01 -> 61);
 * -1.0 for an invalid date or one before 1900-01-01. */
double tk_date_to_excel_serial(tk_date d);

#endif
