/* jdate.c — dates, the Japanese era calendar, fiscal years, parsing typed
 * dates and Excel serial numbers. See jdate.h. */
#include "tenken/jdate.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* ---- eras ---- */

struct era {
    const char *name; /* UTF-8 */
    UChar32 kanji[2]; /* the two characters of the name, for parsing */
    char initial;     /* upper-case Latin initial */
    tk_date start;    /* first day */
};

/* clang-format off */
static const struct era ERAS[] = {
    {"明治", {0x660E, 0x6CBB}, 'M', {1868, 10, 23}},
    {"大正", {0x5927, 0x6B63}, 'T', {1912, 7, 30}},
    {"昭和", {0x662D, 0x548C}, 'S', {1926, 12, 25}},
    {"平成", {0x5E73, 0x6210}, 'H', {1989, 1, 8}},
    {"令和", {0x4EE4, 0x548C}, 'R', {2019, 5, 1}},
};
/* clang-format on */
#define N_ERAS ((int)(sizeof ERAS / sizeof ERAS[0]))

/* Code points the parser looks for (after NFKC). */
enum {
    CP_NEN = 0x5E74,   /* 年 */
    CP_TSUKI = 0x6708, /* 月 */
    CP_HI = 0x65E5,    /* 日 */
    CP_GAN = 0x5143,   /* 元 */
    CP_SEI = 0x897F,   /* 西 */
    CP_REKI = 0x66A6,  /* 暦 */
    CP_YOU = 0x66DC,   /* 曜 */
};

/* 日月火水木金土: Sunday first, as tk_date_weekday counts. */
static const UChar32 WEEKDAY_CP[7] = {0x65E5, 0x6708, 0x706B, 0x6C34, 0x6728, 0x91D1, 0x571F};

/* ---- calendar arithmetic ---- */

static bool is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long long y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* A real date of any year in [ylo, yhi]. */
static bool civil_ok(tk_date d, int ylo, int yhi)
{
    return d.y >= ylo && d.y <= yhi && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
           d.d <= days_in_month(d.y, d.m);
}

bool tk_date_valid(tk_date d)
{
    return civil_ok(d, 1868, 9999);
}

int tk_date_cmp(tk_date a, tk_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

/* Days from civil (H. Hinnant's algorithm), in long long so that no int
 * field value can overflow. */
static long long days_from_civil(long long y, long long m, long long d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;                                   /* [0, 399] */
    long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

long tk_date_to_days(tk_date d)
{
    return (long)days_from_civil(d.y, d.m, d.d);
}

/* Keeps the year of tk_date_from_days within int. */
#define TK_DAYS_LIMIT 700000000000LL

tk_date tk_date_from_days(long days)
{
    long long z = days;
    if (z > TK_DAYS_LIMIT)
        z = TK_DAYS_LIMIT;
    if (z < -TK_DAYS_LIMIT)
        z = -TK_DAYS_LIMIT;
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;                                      /* [0, 146096] */
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    long long mp = (5 * doy + 2) / 153;                      /* [0, 11] */
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    return (tk_date){(int)y, m, d};
}

int tk_date_diff_days(tk_date later, tk_date earlier)
{
    long long diff = days_from_civil(later.y, later.m, later.d) -
                     days_from_civil(earlier.y, earlier.m, earlier.d);
    if (diff > INT_MAX)
        return INT_MAX;
    if (diff < INT_MIN)
        return INT_MIN;
    return (int)diff;
}

tk_date tk_date_add_days(tk_date d, long n)
{
    long long days = days_from_civil(d.y, d.m, d.d);
    if (n > TK_DAYS_LIMIT)
        n = (long)TK_DAYS_LIMIT;
    if (n < -TK_DAYS_LIMIT)
        n = -(long)TK_DAYS_LIMIT;
    days += n;
    if (days > TK_DAYS_LIMIT)
        days = TK_DAYS_LIMIT;
    if (days < -TK_DAYS_LIMIT)
        days = -TK_DAYS_LIMIT;
    return tk_date_from_days((long)days);
}

int tk_date_weekday(tk_date d)
{
    /* 1970-01-01 was a Thursday (4). */
    long long w = (days_from_civil(d.y, d.m, d.d) + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

tk_date tk_date_today(void)
{
    static bool warned = false;
    const char *env = getenv("TENKEN_TODAY");
    if (env != NULL && env[0] != '\0') {
        tk_date d;
        if (tk_date_parse(env, &d))
            return d;
        if (!warned) {
            warned = true;
            fprintf(stderr,
                    "tenken: 警告: 環境変数 TENKEN_TODAY "
                    "の値「%.64s」は日付として読めないため、"
                    "実際の今日の日付を使います（例: TENKEN_TODAY=2027-03-31）\n",
                    env);
        }
    }
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || localtime_r(&now, &tm) == NULL)
        return (tk_date){1970, 1, 1};
    return (tk_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

/* ---- eras ---- */

/* Index of the era of a valid date, or -1 before 明治. */
static int era_index(tk_date d)
{
    for (int i = N_ERAS - 1; i >= 0; i--)
        if (tk_date_cmp(d, ERAS[i].start) >= 0)
            return i;
    return -1;
}

/* Whether d lies within era i (on or after its start, before the next). */
static bool in_era(tk_date d, int i)
{
    if (tk_date_cmp(d, ERAS[i].start) < 0)
        return false;
    return i + 1 >= N_ERAS || tk_date_cmp(d, ERAS[i + 1].start) < 0;
}

bool tk_date_era(tk_date d, const char **name, int *era_year)
{
    if (!tk_date_valid(d))
        return false;
    int i = era_index(d);
    if (i < 0)
        return false;
    if (name != NULL)
        *name = ERAS[i].name;
    if (era_year != NULL)
        *era_year = d.y - ERAS[i].start.y + 1;
    return true;
}

/* ---- formatting ---- */

static const char INVALID_DATE[] = "不正な日付";

/* snprintf into out[n] that, when it has to truncate, cuts before the last
 * whole UTF-8 character rather than inside one. */
__attribute__((format(printf, 3, 4))) static char *put(char *out, size_t n, const char *fmt, ...)
{
    if (out == NULL || n == 0)
        return out;
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    if (r < 0) {
        out[0] = '\0';
    } else if ((size_t)r >= n) {
        size_t len = n - 1;
        size_t k = len;
        while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
            k--; /* back over continuation bytes to the lead byte */
        if (k > 0 && ((unsigned char)out[k - 1] & 0x80)) {
            unsigned char lead = (unsigned char)out[k - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (len - (k - 1) < need)
                out[k - 1] = '\0'; /* the last character is incomplete */
        }
    }
    return out;
}

char *tk_date_iso(tk_date d, char out[TK_DATE_ISO_SIZE])
{
    if (civil_ok(d, 0, 9999))
        /* the fields are in range already; the modulo shows gcc they fit */
        snprintf(out, TK_DATE_ISO_SIZE, "%04u-%02u-%02u", (unsigned)d.y % 10000u,
                 (unsigned)d.m % 100u, (unsigned)d.d % 100u);
    else
        snprintf(out, TK_DATE_ISO_SIZE, "%s", "\?\?\?\?-\?\?-\?\?"); /* no trigraphs */
    return out;
}

/* "令和9年" / "令和元年" (suffix 年 or 年度) into out. */
static void era_year_text(char *out, size_t n, const char *era, int year, const char *suffix)
{
    if (year == 1)
        put(out, n, "%s元%s", era, suffix);
    else
        put(out, n, "%s%d%s", era, year, suffix);
}

char *tk_date_wareki(tk_date d, char *out, size_t n)
{
    if (out == NULL || n == 0)
        return out;
    if (!tk_date_valid(d)) {
        put(out, n, "%s", INVALID_DATE);
        return out;
    }
    const char *era;
    int ey;
    if (!tk_date_era(d, &era, &ey)) {
        put(out, n, "%d年%d月%d日", d.y, d.m, d.d);
        return out;
    }
    char year[32];
    era_year_text(year, sizeof year, era, ey, "年");
    put(out, n, "%s%d月%d日", year, d.m, d.d);
    return out;
}

char *tk_date_both(tk_date d, char *out, size_t n)
{
    if (out == NULL || n == 0)
        return out;
    if (!tk_date_valid(d) || !tk_date_era(d, NULL, NULL))
        return tk_date_wareki(d, out, n);
    char w[TK_DATE_WAREKI_SIZE];
    tk_date_wareki(d, w, sizeof w);
    put(out, n, "%s（%d年%d月%d日）", w, d.y, d.m, d.d);
    return out;
}

/* ---- fiscal years ---- */

int tk_fiscal_year_of(tk_date d)
{
    return d.m >= 4 ? d.y : d.y - 1;
}

/* The era covering most days of fiscal year fy, or -1 (none, or fy out of
 * range). */
static int fiscal_era(int fy)
{
    if (fy < 1868 || fy > 9999)
        return -1;
    long long lo = days_from_civil(fy, 4, 1), hi = days_from_civil((long long)fy + 1, 4, 1);
    int best = -1;
    long long best_days = 0;
    for (int i = 0; i < N_ERAS; i++) {
        long long s = days_from_civil(ERAS[i].start.y, ERAS[i].start.m, ERAS[i].start.d);
        long long e = i + 1 < N_ERAS ? days_from_civil(ERAS[i + 1].start.y, ERAS[i + 1].start.m,
                                                       ERAS[i + 1].start.d)
                                     : LLONG_MAX;
        long long from = s > lo ? s : lo, to = e < hi ? e : hi;
        if (to - from > best_days) {
            best_days = to - from;
            best = i;
        }
    }
    return best;
}

char *tk_fiscal_year_wareki(int fy, char *out, size_t n)
{
    if (out == NULL || n == 0)
        return out;
    int i = fiscal_era(fy);
    if (i < 0)
        put(out, n, "%d年度", fy);
    else
        era_year_text(out, n, ERAS[i].name, fy - ERAS[i].start.y + 1, "年度");
    return out;
}

char *tk_fiscal_year_label(int fy, char *out, size_t n)
{
    if (out == NULL || n == 0)
        return out;
    if (fiscal_era(fy) < 0) {
        put(out, n, "%d年度", fy);
        return out;
    }
    char w[TK_FY_LABEL_SIZE];
    tk_fiscal_year_wareki(fy, w, sizeof w);
    put(out, n, "%s（%d年度）", w, fy);
    return out;
}

/* ---- parsing ---- */

/* No date is longer than this; longer input is refused without work. */
#define MAX_INPUT_BYTES 256
/* NFKC can expand a character many times over (U+FDFA to 18); anything that
 * does not fit here is not a date either. */
#define MAX_NORM_UNITS 1024

/* NFKC of UTF-8 s as code points into cps; count, or -1 when s is not
 * well-formed UTF-8 or too long. */
static int normalise(const char *s, UChar32 *cps, int cap)
{
    size_t len = strlen(s);
    if (len > MAX_INPUT_BYTES)
        return -1;
    UChar src[MAX_INPUT_BYTES + 1];
    int32_t slen = 0;
    UErrorCode err = U_ZERO_ERROR;
    u_strFromUTF8(src, MAX_INPUT_BYTES + 1, &slen, s, (int32_t)len, &err);
    if (U_FAILURE(err))
        return -1;
    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&err);
    if (U_FAILURE(err))
        return -1;
    UChar dst[MAX_NORM_UNITS];
    int32_t dlen = unorm2_normalize(nfkc, src, slen, dst, MAX_NORM_UNITS, &err);
    if (U_FAILURE(err))
        return -1;
    int n = 0;
    for (int32_t i = 0; i < dlen;) {
        UChar32 c;
        U16_NEXT(dst, i, dlen, c);
        if (n == cap)
            return -1;
        cps[n++] = c;
    }
    return n;
}

struct cursor {
    const UChar32 *c;
    int n, i;
};

static UChar32 peek(const struct cursor *p)
{
    return p->i < p->n ? p->c[p->i] : -1;
}

static UChar32 peek_at(const struct cursor *p, int ahead)
{
    return p->i + ahead < p->n ? p->c[p->i + ahead] : -1;
}

static void skip_ws(struct cursor *p)
{
    while (p->i < p->n && u_isUWhiteSpace(p->c[p->i]))
        p->i++;
}

static bool eat(struct cursor *p, UChar32 c)
{
    if (peek(p) != c)
        return false;
    p->i++;
    return true;
}

static bool is_digit(UChar32 c)
{
    return c >= '0' && c <= '9';
}

/* A run of 1..max ASCII digits into *val; the number of digits, or 0 when
 * there is none or the run is longer than max. */
static int digits(struct cursor *p, int max, int *val)
{
    int k = 0, v = 0;
    while (is_digit(peek(p))) {
        if (++k > max)
            return 0;
        v = v * 10 + (int)(peek(p) - '0');
        p->i++;
    }
    *val = v;
    return k;
}

/* "-", "/" or "." for a separator; dashes typed through an IME (ー, ‐, ‑,
 * ‒, –, —, ―, −) read as "-". 0 for anything else. */
static char separator(UChar32 c)
{
    if (c == '/' || c == '.' || c == '-')
        return (char)c;
    if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x30FC)
        return '-';
    return 0;
}

/* An era written as its name or its Latin initial; the index or -1. An
 * initial counts only when a year (digit or 元) follows. */
static int parse_era(struct cursor *p)
{
    for (int i = 0; i < N_ERAS; i++) {
        if (peek(p) == ERAS[i].kanji[0] && peek_at(p, 1) == ERAS[i].kanji[1]) {
            p->i += 2;
            return i;
        }
    }
    UChar32 c = peek(p);
    if (c >= 'a' && c <= 'z')
        c -= 'a' - 'A';
    for (int i = 0; i < N_ERAS; i++) {
        if (c == ERAS[i].initial) {
            struct cursor q = *p;
            q.i++;
            skip_ws(&q);
            if (is_digit(peek(&q)) || peek(&q) == CP_GAN) {
                p->i++;
                return i;
            }
        }
    }
    return -1;
}

/* "(水)", "(水曜)", "(水曜日)": the weekday 0..6, or -1. */
static int parse_weekday(struct cursor *p)
{
    if (!eat(p, '('))
        return -1;
    skip_ws(p);
    int wd = -1;
    for (int i = 0; i < 7; i++)
        if (peek(p) == WEEKDAY_CP[i])
            wd = i;
    if (wd < 0)
        return -1;
    p->i++;
    if (eat(p, CP_YOU))
        eat(p, CP_HI);
    skip_ws(p);
    if (!eat(p, ')'))
        return -1;
    return wd;
}

bool tk_date_parse(const char *s, tk_date *out)
{
    if (s == NULL || out == NULL)
        return false;
    UChar32 cps[MAX_NORM_UNITS];
    int n = normalise(s, cps, MAX_NORM_UNITS);
    if (n < 0)
        return false;
    struct cursor p = {cps, n, 0};
    skip_ws(&p);

    int era = -1;
    if (peek(&p) == CP_SEI && peek_at(&p, 1) == CP_REKI) /* 西暦 */
        p.i += 2;
    else
        era = parse_era(&p);
    skip_ws(&p);

    int year, month, day;
    if (era >= 0 && eat(&p, CP_GAN)) {
        year = 1;
    } else {
        int nd = digits(&p, 4, &year);
        if (nd == 0 || (era < 0 && nd != 4) || (era >= 0 && year == 0))
            return false;
    }
    skip_ws(&p);

    if (eat(&p, CP_NEN)) {
        skip_ws(&p);
        if (!digits(&p, 2, &month))
            return false;
        skip_ws(&p);
        if (!eat(&p, CP_TSUKI))
            return false;
        skip_ws(&p);
        if (!digits(&p, 2, &day))
            return false;
        skip_ws(&p);
        if (!eat(&p, CP_HI))
            return false;
    } else {
        char sep = separator(peek(&p));
        if (sep == 0)
            return false;
        p.i++;
        skip_ws(&p);
        if (!digits(&p, 2, &month))
            return false;
        skip_ws(&p);
        if (separator(peek(&p)) != sep)
            return false;
        p.i++;
        skip_ws(&p);
        if (!digits(&p, 2, &day))
            return false;
    }
    skip_ws(&p);

    tk_date d = {era >= 0 ? ERAS[era].start.y + year - 1 : year, month, day};
    if (!tk_date_valid(d) || (era >= 0 && !in_era(d, era)))
        return false;

    if (peek(&p) == '(') {
        if (parse_weekday(&p) != tk_date_weekday(d))
            return false;
        skip_ws(&p);
    }
    if (p.i != p.n)
        return false;
    *out = d;
    return true;
}

/* ---- Excel serial date numbers ---- */

/* Days since 1970-01-01 of 1900-01-01 (serial 1) and 1904-01-01 (serial 0 of
 * the 1904 system). */
#define DAYS_1900 (-25567L)
#define DAYS_1904 (-24107L)
/* 9999-12-31 in each system. */
#define LAST_SERIAL_1900 2958465.0
#define LAST_SERIAL_1904 2957003.0

bool tk_date_from_excel_serial(double serial, bool date1904, tk_date *out)
{
    if (out == NULL || serial != serial) /* NaN */
        return false;
    double first = date1904 ? 0.0 : 1.0;
    double last = date1904 ? LAST_SERIAL_1904 : LAST_SERIAL_1900;
    /* Also refuses the infinities; in range the cast truncates, which for
     * non-negative numbers drops the time of day. */
    if (serial < first || serial >= last + 1.0)
        return false;
    long s = (long)serial;
    long days;
    if (date1904) {
        days = DAYS_1904 + s;
    } else if (s < 60) {
        days = DAYS_1900 + s - 1;
    } else if (s == 60) {
        return false; /* 1900-02-29, which Excel counts but never was */
    } else {
        days = DAYS_1900 + s - 2;
    }
    *out = tk_date_from_days(days);
    return true;
}

double tk_date_to_excel_serial(tk_date d)
{
    if (!tk_date_valid(d) || d.y < 1900)
        return -1.0;
    long s = tk_date_to_days(d) - DAYS_1900 + 1;
    if (tk_date_cmp(d, (tk_date){1900, 3, 1}) >= 0)
        s++; /* step over the fictitious 1900-02-29 */
    return (double)s;
}
