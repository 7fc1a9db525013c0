/* test_chart.c — score formatting, axis scales, the heat-map colour scale,
 * and charts drawn into a document (values checked with pdftotext when it is
 * installed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/chart.h"
#include "tenken/pdf.h"
#include "testutil.h"

static tk_pdf_font *font;
static char tmpdir[64];

static int suite_setup(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    font = tk_pdf_font_open(NULL, &d);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tenken-test-chart-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    return font ? 0 : -1;
}

static int suite_teardown(void **state)
{
    (void)state;
    tk_pdf_font_free(font);
    return rm_tree(tmpdir);
}

/* ---- tk_fmt_score ---- */

static const char *score(double x)
{
    static char out[TK_SCORE_SIZE];
    return tk_fmt_score(x, out);
}

static void test_score_rounds_half_up_at_one_decimal(void **state)
{
    (void)state;
    assert_string_equal(score(0.05), "0.1");
    assert_string_equal(score(0.15), "0.2");
    assert_string_equal(score(87.25), "87.3");
    assert_string_equal(score(87.35), "87.4");
    assert_string_equal(score(99.95), "100.0");
    assert_string_equal(score(100), "100.0");
    assert_string_equal(score(0), "0.0");
    assert_string_equal(score(87.5), "87.5");
    assert_string_equal(score(0.04), "0.0");
    assert_string_equal(score(78.449), "78.4");
    assert_string_equal(score(2.675), "2.7");
}

static void test_score_rounds_every_two_place_decimal_as_written(void **state)
{
    (void)state;
    /* k / 100 for k = 0 .. 10000 is not exact in binary; the printed
     * value must still be the decimal rounding of k / 100 */
    for (long k = 0; k <= 10000; k++) {
        char want[48], got[TK_SCORE_SIZE];
        long r = (k + 5) / 10;
        snprintf(want, sizeof want, "%ld.%ld", r / 10, r % 10);
        tk_fmt_score((double)k / 100.0, got);
        if (strcmp(got, want) != 0)
            fail_msg("%ld/100: got %s, want %s", k, got, want);
        /* the same value reached as an average of two-place decimals */
        tk_fmt_score(((double)k / 100.0 + (double)k / 100.0) / 2.0, got);
        assert_string_equal(got, want);
    }
}

static void test_score_handles_signs_and_non_numbers(void **state)
{
    (void)state;
    assert_string_equal(score(-0.04), "0.0");
    assert_string_equal(score(-1.25), "-1.3");
    assert_string_equal(score(NAN), "—");
    assert_string_equal(score(INFINITY), "—");
    assert_string_equal(score(1e12), "—");
    assert_string_equal(score(123456789.05), "123456789.1");
}

/* ---- tk_chart_nice_scale ---- */

static void scale_is(double min, double max, int ticks, double lo, double hi, double step)
{
    double l, h, s;
    tk_chart_nice_scale(min, max, ticks, &l, &h, &s);
    if (fabs(l - lo) > 1e-9 || fabs(h - hi) > 1e-9 || fabs(s - step) > 1e-9)
        fail_msg("(%g, %g, %d): got %g..%g step %g, want %g..%g step %g", min, max, ticks, l, h,
                 s, lo, hi, step);
}

static void test_nice_scale_examples(void **state)
{
    (void)state;
    scale_is(0, 87, 6, 0, 100, 20);
    scale_is(0, 7, 6, 0, 8, 2);
    scale_is(0, 0, 6, 0, 1, 0.2);
    scale_is(0, 100, 6, 0, 100, 20);
    scale_is(12.3, 87.9, 6, 0, 100, 20);
    scale_is(0, 1234, 5, 0, 1500, 500);
    scale_is(-5, 5, 6, -6, 6, 2);
    scale_is(5, 5, 6, 0, 5, 1);
    scale_is(0, 0.6, 6, 0, 0.6, 0.2);
    scale_is(0, 1, 11, 0, 1, 0.1);
}

static void test_nice_scale_tolerates_odd_input(void **state)
{
    (void)state;
    scale_is(87, 0, 6, 0, 100, 20); /* swapped */
    scale_is(0, 87, 0, 0, 100, 20); /* max_ticks < 2: 6 */
    scale_is(NAN, 3, 6, 0, 1, 0.2);
    scale_is(0, INFINITY, 6, 0, 1, 0.2);
}

static void test_nice_scale_covers_the_data_with_few_ticks(void **state)
{
    (void)state;
    for (double max = 0.37; max < 1e6; max *= 1.37) {
        double lo, hi, step;
        tk_chart_nice_scale(0, max, 6, &lo, &hi, &step);
        assert_true(lo <= 0 && hi >= max - 1e-9);
        double ticks = (hi - lo) / step;
        assert_true(ticks >= 2 - 1e-9 && ticks <= 10 + 1e-9);
        double m = step / pow(10, floor(log10(step)));
        assert_true(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9);
    }
}

/* ---- heat-map colours ---- */

static void test_heat_color_endpoints_and_no_items(void **state)
{
    (void)state;
    assert_int_equal(tk_chart_heat_color(0, 0, 100), TK_CHART_HEAT_LOW);
    assert_int_equal(tk_chart_heat_color(50, 0, 100), TK_CHART_HEAT_MID);
    assert_int_equal(tk_chart_heat_color(100, 0, 100), TK_CHART_HEAT_HIGH);
    assert_int_equal(tk_chart_heat_color(-20, 0, 100), TK_CHART_HEAT_LOW);
    assert_int_equal(tk_chart_heat_color(120, 0, 100), TK_CHART_HEAT_HIGH);
    assert_int_equal(tk_chart_heat_color(50, 50, 100), TK_CHART_HEAT_LOW);
    assert_int_equal(tk_chart_heat_color(NAN, 0, 100), TK_CHART_HEAT_NONE);
    /* from red towards blue all the way: blue minus red keeps rising */
    int prev = -256;
    for (int v = 0; v <= 100; v += 5) {
        uint32_t c = tk_chart_heat_color(v, 0, 100);
        assert_true(c & 0x1000000u);
        int b_minus_r = (int)(c & 0xFF) - (int)((c >> 16) & 0xFF);
        assert_true(b_minus_r > prev);
        prev = b_minus_r;
    }
}

/* ---- charts in a document ---- */

static tk_pdf *new_doc(tk_diags *d)
{
    tk_pdf_opts o = {.font = font, .mark = "自治体機密性2"};
    tk_pdf *p = tk_pdf_new(&o, d);
    assert_non_null(p);
    return p;
}

static char *pdf_text(tk_pdf *p, const char *name)
{
    char path[128], cmd[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    tk_buf b;
    tk_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        tk_buf_append(&b, chunk, n);
    assert_int_equal(pclose(f), 0);
    return tk_buf_steal(&b);
}

static bool have_pdftotext(void) { return system("command -v pdftotext >/dev/null 2>&1") == 0; }

static void test_bars_print_values_and_the_average(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *labels[] = {"総務部総務課", "企画政策部情報政策課", NULL,
                            "とても長い名前の所属で二行にはとても収まりそうにない"
                            "課の名前をわざわざ付けてみた場合の表示"};
    double v[] = {87.25, 100, NAN, 12.05};
    tk_chart_bars_opts o = {.title = "図 達成率", .average_label = "全体平均", .low_below = 60};
    tk_chart_bars(p, &o, 4, labels, v, 78.44);
    tk_chart_bars(p, NULL, 0, NULL, NULL, NAN); /* nothing */
    assert_int_equal(tk_pdf_page_count(p), 1);
    if (have_pdftotext()) {
        char *t = pdf_text(p, "bars.pdf");
        assert_non_null(strstr(t, "全体平均 78.4"));
        assert_non_null(strstr(t, "87.3"));
        assert_non_null(strstr(t, "100.0"));
        assert_non_null(strstr(t, "12.1"));
        assert_non_null(strstr(t, "—"));
        assert_non_null(strstr(t, "…"));
        free(t);
    }
    assert_int_equal(d.count, 0);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

/* No value at a bar's end is crossed by the average line: a bar ending
 * just short of the average has its value to the right of the line (seen
 * in 図2-1 of the committee report, 85.1 and 83.3 beside 全体 86.6). */
static void test_bar_values_keep_clear_of_the_average_line(void **state)
{
    (void)state;
    if (!have_pdftotext())
        skip();
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *labels[] = {"総務課", "税務課", "福祉課", "環境課", "建設課", "会計課", "議会事務局"};
    double v[] = {95.3, 87.9, 85.1, 83.3, 82.8, 80.5, 60.2};
    tk_chart_bars_opts o = {.average_label = "全体"};
    tk_chart_bars(p, &o, 7, labels, v, 86.6);
    char path[128], cmd[256];
    snprintf(path, sizeof path, "%s/bars-avg.pdf", tmpdir);
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - 2>&1", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[512];
    double ax0 = -1, ax1 = -1;
    struct {
        double x0, x1;
        char w[64];
    } words[64];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        double x0, y0, x1, y1;
        char w[64];
        if (sscanf(line, " <word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%63[^<]", &x0, &y0, &x1, &y1, w) != 5)
            continue;
        if (!strcmp(w, "全体"))
            ax0 = x0;
        else if (!strcmp(w, "86.6"))
            ax1 = x1;
        else if (strchr(w, '.') && n < 64) {
            words[n].x0 = x0;
            words[n].x1 = x1;
            snprintf(words[n].w, sizeof words[n].w, "%s", w);
            n++;
        }
    }
    pclose(f);
    assert_true(ax0 > 0 && ax1 > ax0);
    double xa = (ax0 + ax1) / 2; /* the label is centred on the line */
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++)
        if (words[i].x0 - 1 <= xa && xa <= words[i].x1 + 1)
            fail_msg("値 %s (%.1f〜%.1f) に平均の線 (%.1f) が重なっています", words[i].w, words[i].x0, words[i].x1, xa);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_bars_continue_on_the_next_page_with_the_axis(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    enum { N = 120 };
    const char *labels[N];
    double v[N];
    char names[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "所属%03d", i);
        labels[i] = names[i];
        v[i] = (i * 37) % 101;
    }
    tk_chart_bars(p, NULL, N, labels, v, 50);
    size_t pages = tk_pdf_page_count(p);
    assert_true(pages >= 3);
    if (have_pdftotext()) {
        char *t = pdf_text(p, "bars-long.pdf");
        size_t axes = 0, avgs = 0;
        for (char *q = strstr(t, "平均 50.0"); q; q = strstr(q + 1, "平均 50.0"))
            avgs++;
        for (char *q = strstr(t, "100\n"); q; q = strstr(q + 1, "100\n"))
            axes++;
        assert_int_equal(avgs, pages);
        assert_true(axes >= pages);
        for (int i = 0; i < N; i++)
            assert_non_null(strstr(t, names[i]));
        free(t);
    }
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_heatmap_prints_cells_and_repeats_the_column_header(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    enum { R = 90, C = 8 };
    const char *rows[R], *cols[C] = {"組織体制", "情報資産の分類と管理", "物理的セキュリティ", "人的セキュリティ",
                                     "技術的セキュリティ", "運用", "外部サービスの利用", "評価・見直し"};
    char names[R][32];
    double v[R * C];
    for (int r = 0; r < R; r++) {
        snprintf(names[r], sizeof names[r], "所属%03d", r);
        rows[r] = names[r];
        for (int c = 0; c < C; c++)
            v[r * C + c] = (r + c) % 11 == 0 ? NAN : (double)((r * 7 + c * 13) % 1001) / 10.0;
    }
    v[0 * C + 1] = 87.25;
    tk_chart_heat_opts o = {.legend_label = "達成率", .none_label = "対象項目なし"};
    tk_chart_heatmap(p, &o, R, C, rows, cols, v);
    size_t pages = tk_pdf_page_count(p);
    assert_true(pages >= 2);
    if (have_pdftotext()) {
        char *t = pdf_text(p, "heat.pdf");
        size_t heads = 0;
        for (char *q = strstr(t, "組織体制"); q; q = strstr(q + 1, "組織体制"))
            heads++;
        assert_int_equal(heads, pages);
        assert_non_null(strstr(t, "87.3"));
        assert_non_null(strstr(t, "—"));
        assert_non_null(strstr(t, "対象項目なし"));
        assert_non_null(strstr(t, names[R - 1]));
        free(t);
    }
    /* narrow columns: labels are turned upright */
    tk_pdf_page_break(p);
    enum { WIDE = 30 };
    const char *many[WIDE];
    double w[WIDE];
    for (int c = 0; c < WIDE; c++) {
        many[c] = cols[c % C];
        w[c] = c * 3.3;
    }
    tk_chart_heatmap(p, NULL, 1, WIDE, rows, many, w);
    assert_int_equal(d.count, 0);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

/* Column notes (a chapter's item count) print under their labels when they
 * fit, and the legend names the pale cells that rest on few answers. */
static void test_heatmap_notes_and_few_answers(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *rows[] = {"総務課", "税務課"}, *cols[] = {"基本方針", "対策基準 1", "対策基準 6"};
    const char *notes[] = {"1項目", "19項目", "170項目"};
    double v[] = {0, 75, 80.6, 100, 100, 95.5};
    size_t counts[] = {1, 19, 160, 1, 18, 170};
    tk_chart_heat_opts o = {.counts = counts, .few = 3, .few_label = "回答 3 項目未満（参考）", .col_notes = notes};
    tk_chart_heatmap(p, &o, 2, 3, rows, cols, v);
    /* thirty narrow columns: a note wider than its column is left out */
    const char *many[30], *mnotes[30];
    double w[30];
    for (int c = 0; c < 30; c++) {
        many[c] = "対策基準";
        mnotes[c] = "1234567項目";
        w[c] = c;
    }
    tk_chart_heat_opts o2 = {.col_notes = mnotes};
    tk_chart_heatmap(p, &o2, 1, 30, rows, many, w);
    if (have_pdftotext()) {
        char *t = pdf_text(p, "heat-notes.pdf");
        assert_non_null(strstr(t, "170項目"));
        assert_non_null(strstr(t, "1項目"));
        assert_non_null(strstr(t, "回答 3 項目未満（参考）"));
        assert_null(strstr(t, "1234567項目"));
        free(t);
    }
    assert_int_equal(d.count, 0);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_columns_print_totals(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *months[] = {"4月", "5月", "6月", "7月"};
    double open[] = {3, 0, 2, NAN}, late[] = {1, 0, 0, 0}, done[] = {4, 0, 7, 1};
    tk_chart_series s[] = {{"完了", done, 0}, {"対応中", open, 0}, {"期限超過", late, 0}};
    tk_chart_columns_opts o = {.title = "改善計画", .stacked = true, .unit = "（件）"};
    tk_chart_columns(p, &o, 4, months, 3, s);
    tk_chart_columns_opts side = {.height_mm = 30};
    tk_chart_columns(p, &side, 4, months, 3, s);
    double zero[] = {0, 0, 0, 0};
    tk_chart_series z = {NULL, zero, 0};
    tk_chart_columns(p, NULL, 4, months, 1, &z);
    if (have_pdftotext()) {
        char *t = pdf_text(p, "columns.pdf");
        assert_non_null(strstr(t, "（件）"));
        assert_non_null(strstr(t, "期限超過"));
        assert_non_null(strstr(t, "8\n")); /* 4 + 3 + 1 */
        assert_non_null(strstr(t, "9\n")); /* 7 + 2 */
        assert_non_null(strstr(t, "4月"));
        free(t);
    }
    assert_int_equal(d.count, 0);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_rounds_half_up_at_one_decimal),
        cmocka_unit_test(test_score_rounds_every_two_place_decimal_as_written),
        cmocka_unit_test(test_score_handles_signs_and_non_numbers),
        cmocka_unit_test(test_nice_scale_examples),
        cmocka_unit_test(test_nice_scale_tolerates_odd_input),
        cmocka_unit_test(test_nice_scale_covers_the_data_with_few_ticks),
        cmocka_unit_test(test_heat_color_endpoints_and_no_items),
        cmocka_unit_test(test_bars_print_values_and_the_average),
        cmocka_unit_test(test_bar_values_keep_clear_of_the_average_line),
        cmocka_unit_test(test_bars_continue_on_the_next_page_with_the_axis),
        cmocka_unit_test(test_heatmap_prints_cells_and_repeats_the_column_header),
        cmocka_unit_test(test_heatmap_notes_and_few_answers),
        cmocka_unit_test(test_columns_print_totals),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
