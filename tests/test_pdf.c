/* test_pdf.c — line breaking (禁則, numbers, widths, long words), page
 * layout, and a generated sample report checked with pdftotext, qpdf and
 * pdffonts (those checks are skipped when the tool is not installed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
#include <libdeflate.h>

#include "tenken/chart.h"
#include "tenken/pdf.h"
#include "tenken/text.h"
#include "testutil.h"

static tk_pdf_font *font; /* opened once for the suite, as a report run would */
static char tmpdir[64];

static int suite_setup(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    font = tk_pdf_font_open(NULL, &d);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tenken-test-pdf-XXXXXX");
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

static tk_pdf *new_doc(tk_diags *d)
{
    tk_pdf_opts o = {.title = "テスト文書", .mark = "自治体機密性2", .header_left = "みどり市 テスト", .font = font};
    tk_pdf *p = tk_pdf_new(&o, d);
    assert_non_null(p);
    return p;
}

static char *tmp_path(const char *name)
{
    size_t n = strlen(tmpdir) + strlen(name) + 2;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%s/%s", tmpdir, name);
    return s;
}

static bool have_tool(const char *name)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* Output (stdout and stderr) of a command, and its exit status. */
static char *run(const char *cmd, int *status)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    tk_buf b;
    tk_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        tk_buf_append(&b, chunk, n);
    int st = pclose(f);
    if (status)
        *status = st;
    return tk_buf_steal(&b);
}

static int32_t cp_at(const char *s, size_t at, size_t end)
{
    const char *q = s + at;
    return at < end ? tk_utf8_next(&q, s + end) : -1;
}

static int32_t last_cp(const char *s, size_t start, size_t end)
{
    size_t i = end;
    while (i > start && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    return i > start ? cp_at(s, i - 1, end) : -1;
}

static bool in_set(int32_t c, const char *set)
{
    const char *q = set, *end = set + strlen(set);
    while (q < end)
        if (tk_utf8_next(&q, end) == c)
            return true;
    return false;
}

/* ---- line breaking ---- */

static const char KINSOKU_TEXT[] =
    "これは「テスト」です。ご確認ください、よろしく（お願い）します。ちょっとキャッシュ・サーバーっぽい"
    "処理だ！「かっこ」（まる）『二重』【隅付き】ファイアウォールとウィルス対策ソフトウェアをチェックし、"
    "ヵ月、ヶ所。情報セキュリティポリシーの遵守状況を、各所属の責任者が確認した。";

static void test_break_never_starts_a_line_with_closing_punctuation_or_small_kana(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *no_start = "、。，．」）』】〕ー・ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ！？";
    size_t checked = 0;
    /* from 4 em: no piece between strict break opportunities is wider, so
     * nothing has to be broken between characters */
    for (double em = 4; em <= 25; em += 0.5) {
        tk_pdf_line *ln;
        size_t n = tk_pdf_break_lines(p, KINSOKU_TEXT, 10, em * 10, &ln);
        assert_true(n >= 2);
        for (size_t i = 1; i < n; i++) {
            int32_t c = cp_at(KINSOKU_TEXT, ln[i].start, ln[i].end);
            if (in_set(c, no_start))
                fail_msg("width %.1f em: line %zu starts with U+%04X", em, i, (unsigned)c);
            checked++;
        }
        free(ln);
    }
    assert_true(checked > 100);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_never_ends_a_line_with_an_opening_bracket(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *no_end = "「（『【〔";
    for (double em = 4; em <= 25; em += 0.5) {
        tk_pdf_line *ln;
        size_t n = tk_pdf_break_lines(p, KINSOKU_TEXT, 10, em * 10, &ln);
        for (size_t i = 0; i + 1 < n; i++) {
            int32_t c = last_cp(KINSOKU_TEXT, ln[i].start, ln[i].end);
            if (in_set(c, no_end))
                fail_msg("width %.1f em: line %zu ends with U+%04X", em, i, (unsigned)c);
        }
        free(ln);
    }
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_keeps_numbers_and_era_years_whole(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    tk_buf t;
    tk_buf_init(&t);
    for (int i = 0; i < 6; i++)
        tk_buf_puts(&t, "合計は1,234.5円で、令和8年4月1日から達成率87.5%に改善し、平成31年度と令和元年度を比べた。");
    const char *const whole[] = {"1,234.5円", "令和8年4月1日", "87.5%", "平成31年", "令和元年"};
    /* from 10 em: "は1,234.5円で、" (kept together) fits on a line */
    for (double em = 10; em <= 30; em += 0.25) {
        tk_pdf_line *ln;
        size_t n = tk_pdf_break_lines(p, t.data, 10, em * 10, &ln);
        for (size_t w = 0; w < sizeof whole / sizeof whole[0]; w++) {
            for (const char *q = strstr(t.data, whole[w]); q; q = strstr(q + 1, whole[w])) {
                size_t a = (size_t)(q - t.data), e = a + strlen(whole[w]);
                bool inside = false;
                for (size_t i = 0; i < n; i++)
                    inside |= ln[i].start <= a && e <= ln[i].end;
                if (!inside)
                    fail_msg("width %.2f em: \"%s\" at byte %zu is split", em, whole[w], a);
            }
        }
        free(ln);
    }
    tk_buf_free(&t);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_splits_a_long_url_between_characters_to_fit(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    tk_buf url;
    tk_buf_init(&url);
    tk_buf_puts(&url, "https://www.city.midori.example.lg.jp/");
    while (url.len < 200)
        tk_buf_putc(&url, (char)('a' + url.len % 26));
    double width = TK_PDF_MM(60);
    tk_pdf_line *ln;
    size_t n = tk_pdf_break_lines(p, url.data, 9, width, &ln);
    assert_true(n >= 3);
    tk_buf joined;
    tk_buf_init(&joined);
    for (size_t i = 0; i < n; i++) {
        assert_true(ln[i].width <= width + 1e-9);
        assert_true(ln[i].end > ln[i].start);
        tk_buf_append(&joined, url.data + ln[i].start, ln[i].end - ln[i].start);
    }
    assert_string_equal(joined.data, url.data);
    free(ln);
    /* after Japanese text, the URL starts on the same line and fills it */
    tk_buf mixed;
    tk_buf_init(&mixed);
    tk_buf_printf(&mixed, "参照先は %s です。", url.data);
    n = tk_pdf_break_lines(p, mixed.data, 9, width, &ln);
    assert_true(n >= 3);
    assert_non_null(strstr(mixed.data + ln[0].start, "https"));
    assert_true(ln[0].end > (size_t)(strstr(mixed.data, "https") - mixed.data));
    for (size_t i = 0; i < n; i++)
        assert_true(ln[i].width <= width + 1e-9);
    free(ln);
    tk_buf_free(&mixed);
    tk_buf_free(&joined);
    tk_buf_free(&url);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_lines_never_exceed_the_width(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *text =
        "本市の情報セキュリティポリシー（Information Security Policy）は、ISO/IEC 27001 と"
        "総務省のガイドラインを参考に策定したものであり、全職員が遵守しなければならない。"
        "点検の結果、達成率は全体で87.5%、最も低い所属で52.3%であった。";
    for (double w = 40; w <= 500; w += 7.3) {
        for (double size = 8; size <= 12; size += 1.5) {
            tk_pdf_line *ln;
            size_t n = tk_pdf_break_lines(p, text, size, w, &ln);
            assert_true(n >= 1);
            for (size_t i = 0; i < n; i++) {
                if (ln[i].width > w + 1e-9)
                    fail_msg("size %.1f width %.1f: line %zu is %.3f wide", size, w, i,
                             ln[i].width);
                char *s = strndup(text + ln[i].start, ln[i].end - ln[i].start);
                assert_true(fabs(tk_pdf_text_width(p, s, size) - ln[i].width) < 1e-9);
                free(s);
            }
            free(ln);
        }
    }
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_loses_no_characters(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    for (double em = 2; em <= 20; em += 1) {
        tk_pdf_line *ln;
        size_t n = tk_pdf_break_lines(p, KINSOKU_TEXT, 10, em * 10, &ln);
        tk_buf j;
        tk_buf_init(&j);
        for (size_t i = 0; i < n; i++) {
            assert_true(i == 0 || ln[i].start == ln[i - 1].end);
            tk_buf_append(&j, KINSOKU_TEXT + ln[i].start, ln[i].end - ln[i].start);
        }
        assert_string_equal(j.data, KINSOKU_TEXT);
        tk_buf_free(&j);
        free(ln);
    }
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_empty_text_gives_no_lines(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    tk_pdf_line dummy, *ln = &dummy; /* must be reset to NULL */
    assert_int_equal(tk_pdf_break_lines(p, "", 10, 100, &ln), 0);
    assert_null(ln);
    assert_int_equal(tk_pdf_break_lines(p, NULL, 10, 100, &ln), 0);
    assert_null(ln);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_gives_a_too_wide_character_a_line_of_its_own(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    tk_pdf_line *ln;
    size_t n = tk_pdf_break_lines(p, "漢字表", 10, 5, &ln);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ln[i].end - ln[i].start, 3); /* one character */
        assert_true(ln[i].width > 5);
    }
    free(ln);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_break_honours_line_breaks_in_the_text(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *t = "一行目\n\n三行目\r\n四行目";
    tk_pdf_line *ln;
    size_t n = tk_pdf_break_lines(p, t, 10, 400, &ln);
    assert_int_equal(n, 4);
    assert_true(ln[0].hard && ln[1].hard && ln[2].hard && !ln[3].hard);
    assert_int_equal(ln[1].end - ln[1].start, 0);
    assert_memory_equal(t + ln[2].start, "三行目", ln[2].end - ln[2].start);
    assert_memory_equal(t + ln[3].start, "四行目", ln[3].end - ln[3].start);
    free(ln);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

/* ---- the sample report ---- */

static const char SENTENCE[] = "情報資産の管理状況を全所属で点検した。";
#define TABLE_ROWS 150

static char *make_sample(tk_diags *d, size_t *pages)
{
    tk_pdf *p = new_doc(d);
    const char *subs[] = {"情報セキュリティ自己点検 結果報告書"};
    tk_pdf_cover c = {.title = "令和8年度 情報セキュリティ自己点検", .subtitles = subs, .nsubtitles = 1,
                      .date_line = "令和9年1月29日", .organisation = "みどり市"};
    tk_pdf_cover_page(p, &c);
    tk_pdf_heading(p, 1, "1. 点検の概要");
    tk_pdf_paragraph(p, SENTENCE, NULL);
    tk_pdf_paragraph(p,
                     "点検は「情報セキュリティ対策基準」の各章から導いた点検項目について、各所属が回答し"
                     "た内容を集計したものである。全体の達成率は87.5%であった。",
                     &(tk_pdf_style){.first_indent = true});
    tk_pdf_heading(p, 2, "1.1 所属別の回答");
    double widths[] = {10, 40, 15, 15};
    const char *heads[] = {"番号", "点検対象の所属", "項目数", "達成率（%）"};
    tk_pdf_align al[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT};
    tk_pdf_table_opts to = {.align = al, .zebra = true};
    tk_pdf_table *t = tk_pdf_table_begin(p, 4, widths, heads, &to);
    for (int i = 1; i <= TABLE_ROWS; i++) {
        char no[16], name[64], items[16], rate[TK_SCORE_SIZE];
        snprintf(no, sizeof no, "%d", i);
        snprintf(name, sizeof name, "行%04d 総務部総務課", i);
        snprintf(items, sizeof items, "%d", 80 + i % 7);
        double v = i == 7 ? 87.25 : 50 + i % 50 + 0.05;
        const char *row[] = {no, name, items, tk_fmt_score(v, rate)};
        tk_pdf_table_row(t, row, NULL);
    }
    tk_pdf_table_end(t);
    const char *labels[] = {"総務部", "企画政策部", "財政部", "市民生活部"};
    double vals[] = {92.5, 87.5, 61.25, 48.0};
    tk_pdf_heading(p, 1, "2. 所属別の達成率");
    tk_chart_bars_opts bo = {.title = "図1 所属別の達成率", .average_label = "全体平均"};
    tk_chart_bars(p, &bo, 4, labels, vals, 72.3125);
    const char *chap[] = {"組織体制", "情報資産の分類と管理", "物理的セキュリティ"};
    double heat[] = {90, 80.55, NAN, 70, 60, 50, 40, 30.05, 100, 0, 55.5, 99.95};
    tk_chart_heat_opts ho = {.title = "図2 章別の達成率", .legend_label = "達成率", .none_label = "対象項目なし"};
    tk_chart_heatmap(p, &ho, 4, 3, labels, chap, heat);
    char *path = tmp_path("sample.pdf");
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    *pages = tk_pdf_page_count(p);
    tk_pdf_free(p);
    return path;
}

/* pdftotext's pages (split at form feeds); the caller frees v[0] and v. */
static char **text_pages(const char *path, size_t *n, char **whole)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", path);
    int st;
    char *out = run(cmd, &st);
    assert_int_equal(st, 0);
    *whole = tk_xstrdup(out);
    size_t cap = 8;
    char **v = malloc(sizeof *v * cap);
    *n = 0;
    char *s = out;
    for (;;) {
        char *ff = strchr(s, '\f');
        if (*n == cap)
            v = realloc(v, sizeof *v * (cap *= 2));
        v[(*n)++] = s;
        if (!ff)
            break;
        *ff = 0;
        s = ff + 1;
    }
    if (*n > 0 && *v[*n - 1] == 0) /* after the last form feed */
        (*n)--;
    return v;
}

static void test_sample_pdf_text_extracts_exactly_with_footers_and_repeated_headers(void **state)
{
    (void)state;
    if (!have_tool("pdftotext"))
        skip();
    tk_diags d;
    tk_diags_init(&d);
    size_t pages;
    char *path = make_sample(&d, &pages);
    assert_int_equal(d.count, 0);
    size_t n;
    char *whole;
    char **pg = text_pages(path, &n, &whole);
    assert_int_equal(n, pages);
    assert_true(pages >= 5);
    /* the repaired ToUnicode map: poppler has nothing to complain about */
    assert_null(strstr(whole, "Syntax Warning"));
    assert_null(strstr(whole, "Syntax Error"));
    assert_non_null(strstr(whole, SENTENCE));
    assert_non_null(strstr(whole, "全体の達成率は87.5%であった。"));
    assert_non_null(strstr(whole, "87.3")); /* 87.25 rounded half up */
    assert_non_null(strstr(whole, "全体平均 72.3"));
    assert_non_null(strstr(whole, "100.0")); /* heat cell 99.95 */
    /* the cover has no footer; the other pages are "n / N" of pages - 1 */
    char foot[64];
    snprintf(foot, sizeof foot, "/ %zu", pages - 1);
    assert_null(strstr(pg[0], foot));
    assert_non_null(strstr(pg[0], "自治体機密性2"));
    for (size_t i = 1; i < n; i++) {
        snprintf(foot, sizeof foot, "\n%zu / %zu\n", i, pages - 1);
        if (!strstr(pg[i], foot))
            fail_msg("page %zu has no footer \"%zu / %zu\"", i + 1, i, pages - 1);
        assert_non_null(strstr(pg[i], "自治体機密性2"));
        assert_non_null(strstr(pg[i], "みどり市 テスト"));
    }
    /* every page with rows of the table repeats its header */
    size_t table_pages = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strstr(pg[i], " 総務部総務課"))
            continue;
        table_pages++;
        if (!strstr(pg[i], "点検対象の所属") || !strstr(pg[i], "達成率（%）"))
            fail_msg("page %zu has table rows but no header", i + 1);
    }
    assert_true(table_pages >= 3);
    /* all rows are there, once */
    for (int r = 1; r <= TABLE_ROWS; r++) {
        char key[32];
        snprintf(key, sizeof key, "行%04d ", r);
        char *a = strstr(whole, key);
        assert_non_null(a);
        assert_null(strstr(a + 1, key));
    }
    free(pg[0]);
    free(pg);
    free(whole);
    free(path);
    tk_diags_free(&d);
}

static void test_sample_pdf_passes_qpdf_check(void **state)
{
    (void)state;
    if (!have_tool("qpdf"))
        skip();
    tk_diags d;
    tk_diags_init(&d);
    size_t pages;
    char *path = make_sample(&d, &pages);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path);
    int st;
    char *out = run(cmd, &st);
    if (st != 0)
        fail_msg("qpdf --check: %s", out);
    free(out);
    free(path);
    tk_diags_free(&d);
}

static void test_sample_pdf_embeds_a_subset_of_the_font(void **state)
{
    (void)state;
    if (!have_tool("pdffonts"))
        skip();
    tk_diags d;
    tk_diags_init(&d);
    size_t pages;
    char *path = make_sample(&d, &pages);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>&1", path);
    int st;
    char *out = run(cmd, &st);
    assert_int_equal(st, 0);
    /* one font: CID TrueType, embedded, subset (XXXXXX+ name), ToUnicode */
    char *line = strstr(out, "+IPAex");
    assert_non_null(line);
    assert_non_null(strstr(line, "CID TrueType"));
    assert_non_null(strstr(line, "Identity-H       yes yes yes"));
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size < 200 * 1024); /* a subset: the whole font is 6 MB */
    free(out);
    free(path);
    tk_diags_free(&d);
}

static void test_table_splits_a_row_taller_than_a_page_between_lines(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    tk_buf big;
    tk_buf_init(&big);
    for (int i = 1; i <= 150; i++)
        tk_buf_printf(&big, "説明%03d：点検項目の説明文です。\n", i);
    double widths[] = {15, 90, 25};
    const char *heads[] = {"番号", "長い内容の列", "備考"};
    tk_pdf_table_opts to = {.widths_mm = true};
    tk_pdf_table *t = tk_pdf_table_begin(p, 3, widths, heads, &to);
    const char *r1[] = {"1", "短い行", NULL};
    const char *r2[] = {"2", big.data, "長い"};
    const char *r3[] = {"3", "最後の行", NULL};
    tk_pdf_table_row(t, r1, NULL);
    tk_pdf_table_row(t, r2, NULL);
    tk_pdf_table_row(t, r3, NULL);
    tk_pdf_table_end(t);
    size_t pages = tk_pdf_page_count(p);
    assert_true(pages >= 3);
    if (have_tool("pdftotext")) {
        char *path = tmp_path("bigrow.pdf");
        assert_int_equal(tk_pdf_save(p, path, true), 0);
        size_t n;
        char *whole;
        char **pg = text_pages(path, &n, &whole);
        assert_int_equal(n, pages);
        for (size_t i = 0; i < n; i++)
            assert_non_null(strstr(pg[i], "長い内容の列"));
        for (int i = 1; i <= 150; i++) {
            char key[64];
            snprintf(key, sizeof key, "説明%03d：点検項目の説明文です。", i);
            assert_non_null(strstr(whole, key));
        }
        assert_non_null(strstr(pg[n - 1], "最後の行"));
        free(pg[0]);
        free(pg);
        free(whole);
        free(path);
    }
    assert_int_equal(d.count, 0);
    tk_buf_free(&big);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_table_header_never_stands_at_a_page_foot_with_one_row(void **state)
{
    (void)state;
    if (!have_tool("pdftotext"))
        skip();
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    /* leave room for the header and one row (17.8 pt each at 9 pt), not two */
    while (tk_pdf_space_left(p) > 100 || tk_pdf_page_count(p) == 0)
        tk_pdf_paragraph(p, "埋め草の行。", &(tk_pdf_style){.space_after_mm = -1});
    while (tk_pdf_space_left(p) > 50)
        tk_pdf_space(p, 1);
    assert_true(tk_pdf_space_left(p) > 36);
    assert_int_equal(tk_pdf_page_count(p), 1);
    const char *heads[] = {"孤立しない見出し", "内容"};
    tk_pdf_table *t = tk_pdf_table_begin(p, 2, NULL, heads, NULL);
    const char *r1[] = {"一行目", "a"}, *r2[] = {"二行目", "b"}, *r3[] = {"三行目", "c"};
    tk_pdf_table_row(t, r1, NULL);
    tk_pdf_table_row(t, r2, NULL);
    tk_pdf_table_row(t, r3, NULL);
    tk_pdf_table_end(t);
    char *path = tmp_path("orphan.pdf");
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    size_t n;
    char *whole;
    char **pg = text_pages(path, &n, &whole);
    assert_int_equal(n, 2);
    assert_null(strstr(pg[0], "孤立しない見出し"));
    assert_null(strstr(pg[0], "一行目"));
    assert_non_null(strstr(pg[1], "孤立しない見出し"));
    assert_non_null(strstr(pg[1], "三行目"));
    free(pg[0]);
    free(pg);
    free(whole);
    free(path);
    /* a table of one row still comes out, at the foot when it fits there */
    tk_pdf_table *t1 = tk_pdf_table_begin(p, 2, NULL, heads, NULL);
    tk_pdf_table_row(t1, r1, NULL);
    tk_pdf_table_end(t1);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_table_fit_gives_long_text_the_room_and_never_breaks_a_short_value(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *heads[] = {"該当条項", "点検項目", "回答", "改善計画"};
    const char *long_text = "情報セキュリティ管理者は、所管する情報システムについて、情報資産の分類に応じた"
                            "アクセス制御の方針を定め、利用者の権限を定期的に見直さなければならない。";
    const char *cells[] = {
        "6.1(2)①", long_text,           "一部実施している", "台帳を作る。",
        "6.1(2)②", "短い項目。",         "実施していない",   "規程を改める。",
        "8.3(1)",   long_text,           "一部実施している", "年度内に見直す。",
    };
    double w[4], sum = 0;
    tk_pdf_table_fit(p, 4, heads, cells, 3, 8.5, w);
    for (int c = 0; c < 4; c++)
        sum += w[c];
    tk_pdf_frame f = tk_pdf_get_frame(p);
    assert_true(fabs(sum - (f.right - f.left)) < 0.01);
    /* 一部実施している on one line, 6.1(2)① too */
    tk_pdf_line *ls;
    assert_int_equal(tk_pdf_break_lines(p, "一部実施している", 8.5, w[2] - 8, &ls), 1);
    free(ls);
    assert_int_equal(tk_pdf_break_lines(p, "6.1(2)①", 8.5, w[0] - 8, &ls), 1);
    free(ls);
    /* the long text gets the most room, the short plans less */
    assert_true(w[1] > w[3] && w[1] > 2 * w[2]);
    /* and the table drawn with them wraps the answer nowhere */
    tk_pdf_table_opts o = {.size = 8.5};
    tk_pdf_table *t = tk_pdf_table_begin(p, 4, w, heads, &o);
    for (int r = 0; r < 3; r++)
        tk_pdf_table_row(t, &cells[r * 4], NULL);
    tk_pdf_table_end(t);
    assert_int_equal(d.count, 0);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_save_refuses_to_overwrite_without_force(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    tk_pdf_paragraph(p, SENTENCE, NULL);
    char *path = tmp_path("twice.pdf");
    assert_int_equal(tk_pdf_save(p, path, false), 0);
    assert_int_equal(d.errors, 0);
    assert_int_equal(tk_pdf_save(p, path, false), -1);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "既に存在"));
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    assert_int_equal(d.errors, 1);
    free(path);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_render_is_deterministic(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    tk_pdf_heading(p, 1, "見出し");
    tk_pdf_paragraph(p, SENTENCE, NULL);
    tk_buf a, b;
    tk_buf_init(&a);
    tk_buf_init(&b);
    assert_int_equal(tk_pdf_render(p, &a), 0);
    assert_int_equal(tk_pdf_render(p, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_true(a.len < 40 * 1024);
    tk_buf_free(&a);
    tk_buf_free(&b);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_heading_moves_to_the_next_page_with_its_paragraph(void **state)
{
    (void)state;
    if (!have_tool("pdftotext"))
        skip();
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    /* fill the first page until only room for the heading itself is left */
    while (tk_pdf_space_left(p) > 45 || tk_pdf_page_count(p) == 0)
        tk_pdf_paragraph(p, "埋め草の行。", &(tk_pdf_style){.space_after_mm = -1});
    assert_int_equal(tk_pdf_page_count(p), 1);
    tk_pdf_heading(p, 1, "保持される見出し");
    tk_pdf_paragraph(p, "見出しに続く本文の一行目。\n二行目。", NULL);
    assert_int_equal(tk_pdf_page_count(p), 2);
    char *path = tmp_path("keep.pdf");
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    size_t n;
    char *whole;
    char **pg = text_pages(path, &n, &whole);
    assert_int_equal(n, 2);
    assert_null(strstr(pg[0], "保持される見出し"));
    assert_non_null(strstr(pg[1], "保持される見出し"));
    assert_non_null(strstr(pg[1], "見出しに続く本文の一行目。"));
    free(pg[0]);
    free(pg);
    free(whole);
    free(path);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

static void test_missing_characters_print_as_geta_with_one_warning(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    /* U+20BB7 (𠮷, outside the BMP) and U+1F600 (emoji); U+FE00 is dropped */
    tk_pdf_paragraph(p, "吉田と\xF0\xA0\xAE\xB7田と\xF0\x9F\x98\x80と葛\xEF\xB8\x80城", NULL);
    char *path = tmp_path("geta.pdf");
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    assert_int_equal(d.warnings, 1);
    assert_non_null(strstr(d.items[0].message, "2 字"));
    if (have_tool("pdftotext")) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", path);
        char *out = run(cmd, NULL);
        assert_non_null(strstr(out, "吉田と〓田と〓と葛城"));
        free(out);
    }
    free(path);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

/* ---- the font in the PDF and the cost of a document ---- */

/* The first s in the bytes [from, pdf end) (a PDF holds binary streams). */
static const char *find(const tk_buf *pdf, const char *from, const char *s)
{
    size_t n = strlen(s);
    for (const char *q = from; q + n <= pdf->data + pdf->len; q++)
        if (memcmp(q, s, n) == 0)
            return q;
    return NULL;
}

/* The decompressed data of the stream that key (e.g. "/CIDToGIDMap")
 * refers to in pdf; NULL when there is none. */
static char *stream_of(const tk_buf *pdf, const char *key, size_t *len)
{
    const char *k = find(pdf, pdf->data, key);
    if (!k)
        return NULL;
    int obj = atoi(k + strlen(key));
    char head[32];
    snprintf(head, sizeof head, "\n%d 0 obj", obj);
    const char *o = find(pdf, pdf->data, head);
    assert_non_null(o);
    const char *st = find(pdf, o, "stream\r\n");
    assert_non_null(st);
    st += strlen("stream\r\n");
    const char *en = find(pdf, st, "endstream");
    assert_non_null(en);
    size_t cap = 1 << 20;
    char *out = malloc(cap);
    struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
    size_t n = 0;
    assert_int_equal(libdeflate_zlib_decompress(dc, st, (size_t)(en - st), out, cap, &n), LIBDEFLATE_SUCCESS);
    libdeflate_free_decompressor(dc);
    *len = n;
    return out;
}

/* A PDF's text in codes is mapped to glyphs by the font's CIDToGIDMap and
 * /W: they cover the characters the document prints, not the whole Basic
 * Multilingual Plane (libharu's UTF-8 encoder made them 65536 entries,
 * looked up in the font one by one for every document). */
static void test_font_cid_space_is_the_characters_printed(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    /* full-width forms are at the top of the plane */
    tk_pdf_paragraph(p, "全角の！（）０９ＡＺ～と半角のｶﾀｶﾅと￥と〒。", NULL);
    tk_buf b;
    tk_buf_init(&b);
    assert_int_equal(tk_pdf_render(p, &b), 0);
    size_t len = 0;
    char *map = stream_of(&b, "/CIDToGIDMap ", &len);
    assert_non_null(map);
    /* about 40 characters (with the footer's and the header's): codes 0x0101.. */
    assert_true(len >= 2 * 0x0101);
    assert_true(len <= 2 * 0x0200);
    free(map);
    const char *w = find(&b, b.data, "/W [");
    assert_non_null(w);
    assert_true(find(&b, w, "\n") - w < 2000);
    tk_buf_free(&b);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

/* Every character of a long policy (some 870 different ones: codes in
 * four blocks of 255), printed in paragraphs and table cells, and the title
 * drawn turned, comes back exactly from the PDF. */
static void test_many_different_characters_extract_exactly(void **state)
{
    (void)state;
    if (!have_tool("pdftotext"))
        skip();
    tk_buf src;
    tk_buf_init(&src);
    assert_int_equal(tk_file_read("checklists/shime/policy.txt", 1 << 20, &src), 0);
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    const char *mixed[] = {"ひらがな・カタカナ・漢字", "ASCII 0-9 a-z A-Z !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
                           "ﾊﾝｶｸｶﾀｶﾅ ｧｨｩｪｫｯｬｭｮ ﾞﾟ｡｢｣､･", "記号①②⑩※〒〓○●◎△▲□■◇◆☆★→←↑↓〃々〆ー―‐～…‥"};
    tk_pdf_table *t = tk_pdf_table_begin(p, 2, (const double[]){1, 8}, (const char *const[]){"種類", "文字"}, NULL);
    for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++)
        tk_pdf_table_row(t, (const char *const[]){"行", mixed[i]}, NULL);
    tk_pdf_table_end(t);
    tk_pdf_draw_text_up(p, 30, 100, 9, 0, "縦に置いた表題");
    /* less its Hangul (a CSIRT's name), which IPAex lacks */
    size_t keep = 0;
    for (const char *q = src.data, *end = q + src.len; q < end;) {
        const char *at = q;
        int32_t c = tk_utf8_next(&q, end);
        if (c < 0xAC00 || c > 0xD7AF) {
            memmove(src.data + keep, at, (size_t)(q - at));
            keep += (size_t)(q - at);
        }
    }
    src.data[src.len = keep] = 0;
    tk_pdf_paragraph(p, src.data, NULL);
    char *path = tmp_path("many.pdf");
    assert_int_equal(tk_pdf_save(p, path, true), 0);
    if (d.count)
        fail_msg("%s", d.items[0].message);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -raw '%s' - 2>&1", path);
    char *out = run(cmd, NULL);
    for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++)
        if (!strstr(out, mixed[i]))
            fail_msg("not extracted: %s", mixed[i]);
    assert_non_null(strstr(out, "縦に置いた表題"));
    /* the policy, white space aside (line ends move) */
    tk_buf want, got;
    tk_buf_init(&want);
    tk_buf_init(&got);
    const char *ins[] = {src.data, strstr(out, "縦に置いた表題")};
    tk_buf *outs[] = {&want, &got};
    for (int k = 0; k < 2; k++)
        for (const char *q = ins[k], *end = q + strlen(q); q < end;) {
            const char *at = q;
            int32_t c = tk_utf8_next(&q, end);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x3000)
                tk_buf_append(outs[k], at, (size_t)(q - at));
        }
    /* pdftotext puts the footers ("n/N") and running headers between pages */
    assert_true(got.len >= want.len);
    size_t i = 0, j = 0, skipped = 0;
    while (i < want.len && j < got.len) {
        if (want.data[i] == got.data[j]) {
            i++;
            j++;
        } else {
            j++;
            skipped++;
        }
    }
    assert_int_equal(i, want.len);
    assert_true(skipped < 200 * tk_pdf_page_count(p));
    tk_buf_free(&want);
    tk_buf_free(&got);
    free(out);
    free(path);
    tk_pdf_free(p);
    tk_buf_free(&src);
    tk_diags_free(&d);
}

/* The widths tenken lays out with are libharu's, the ones the PDF's /W
 * array gives a viewer (text drawn after another on a line would otherwise
 * overlap it or leave a gap): the whole font loaded in libharu measures
 * each string as tk_pdf_text_width does. A character the font lacks is
 * printed and measured as 〓. */
static void test_text_widths_are_libharus(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *p = new_doc(&d);
    HPDF_Doc h = HPDF_New(NULL, NULL);
    assert_non_null(h);
    HPDF_UseUTFEncodings(h);
    const char *name = HPDF_LoadTTFontFromFile(h, tk_pdf_font_file(font), HPDF_FALSE);
    assert_non_null(name);
    HPDF_Font hf = HPDF_GetFont(h, name, "UTF-8");
    assert_non_null(hf);
    const char *texts[] = {
        "情報セキュリティポリシー", "ひらがなとカタカナ", "ASCII text, 0123456789 (a-z) [A-Z] {}!?",
        "ﾊﾝｶｸｶﾀｶﾅ ｧｯｬﾞﾟ｡｢｣､･", "①※〒○●◎△□◇☆→〃々〆ー―‐～…", "全角ＡＢＣ１２３！？（）",
        "mixed 混在 ｶﾅ 123 ％ & 令和8年", "é ü ß Ω д", " ", "",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        HPDF_TextWidth tw = HPDF_Font_TextWidth(hf, (const HPDF_BYTE *)texts[i], (HPDF_UINT)strlen(texts[i]));
        for (double size = 7; size <= 24; size += 8.5) {
            double ours = tk_pdf_text_width(p, texts[i], size);
            double theirs = (double)tw.width * size / 1000.0;
            if (fabs(ours - theirs) > 1e-9)
                fail_msg("%s at %.1f pt: %.6f, libharu %.6f", texts[i], size, ours, theirs);
        }
    }
    HPDF_Free(h);
    /* 𠮷 (outside the BMP) and U+E000 (private use) are printed as 〓 */
    assert_true(fabs(tk_pdf_text_width(p, "\xF0\xA0\xAE\xB7", 10) - tk_pdf_text_width(p, "〓", 10)) < 1e-9);
    assert_true(fabs(tk_pdf_text_width(p, "\xEE\x80\x80", 10) - tk_pdf_text_width(p, "〓", 10)) < 1e-9);
    tk_pdf_free(p);
    tk_diags_free(&d);
}

/* A report of its own content, as a report run writes one of many. */
static void other_doc(tk_pdf *p, int seed)
{
    tk_pdf_heading(p, 1, "別の文書");
    char line[256];
    for (int i = 0; i < 40; i++) {
        snprintf(line, sizeof line, "別の文書%d の段落 %d。情報資産の管理状況を点検し、改善計画を立てる。", seed, i);
        tk_pdf_paragraph(p, line, NULL);
    }
    tk_pdf_table *t = tk_pdf_table_begin(p, 3, NULL, (const char *const[]){"番号", "項目", "回答"}, NULL);
    for (int i = 0; i < 30; i++) {
        char n[32];
        snprintf(n, sizeof n, "%d-%d", seed, i);
        tk_pdf_table_row(t, (const char *const[]){n, SENTENCE, i % 2 ? "実施している" : "一部実施している"}, NULL);
    }
    tk_pdf_table_end(t);
}

static void sample_doc(tk_pdf *p)
{
    tk_pdf_heading(p, 1, "同じ文書");
    tk_pdf_paragraph(p, KINSOKU_TEXT, NULL);
    const char *cells[] = {"1", SENTENCE, "実施している", "2", KINSOKU_TEXT, "一部実施している"};
    double w[3];
    tk_pdf_table_fit(p, 3, (const char *const[]){"番号", "項目", "回答"}, cells, 2, 0, w);
    tk_pdf_table *t = tk_pdf_table_begin(p, 3, w, (const char *const[]){"番号", "項目", "回答"}, NULL);
    tk_pdf_table_row(t, cells, NULL);
    tk_pdf_table_row(t, cells + 3, NULL);
    tk_pdf_table_end(t);
}

/* A document written after others in the same process (the font shared,
 * as report departments does) is the same, byte for byte, as one written
 * alone, and as one with a font of its own. */
static void test_a_document_after_others_is_identical_to_one_alone(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_buf alone, after, own;
    tk_buf_init(&alone);
    tk_buf_init(&after);
    tk_buf_init(&own);
    tk_pdf *p = new_doc(&d);
    sample_doc(p);
    assert_int_equal(tk_pdf_render(p, &alone), 0);
    tk_pdf_free(p);
    for (int i = 0; i < 3; i++) {
        p = new_doc(&d);
        other_doc(p, i);
        tk_buf junk;
        tk_buf_init(&junk);
        assert_int_equal(tk_pdf_render(p, &junk), 0);
        tk_buf_free(&junk);
        tk_pdf_free(p);
    }
    p = new_doc(&d);
    sample_doc(p);
    assert_int_equal(tk_pdf_render(p, &after), 0);
    tk_pdf_free(p);
    tk_pdf_opts o = {.title = "テスト文書", .mark = "自治体機密性2", .header_left = "みどり市 テスト",
                     .font_path = tk_pdf_font_file(font)};
    p = tk_pdf_new(&o, &d);
    assert_non_null(p);
    sample_doc(p);
    assert_int_equal(tk_pdf_render(p, &own), 0);
    tk_pdf_free(p);
    assert_int_equal(d.count, 0);
    assert_int_equal(alone.len, after.len);
    assert_memory_equal(alone.data, after.data, alone.len);
    assert_int_equal(alone.len, own.len);
    assert_memory_equal(alone.data, own.data, alone.len);
    tk_buf_free(&alone);
    tk_buf_free(&after);
    tk_buf_free(&own);
    tk_diags_free(&d);
}

/* A document keeps what it has measured of each text for breaking it
 * again; once it has kept a great deal it measures anew, with the same
 * lines. */
static void test_breaking_gives_the_same_lines_after_a_great_many_texts(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf *fresh = new_doc(&d), *busy = new_doc(&d);
    tk_pdf_line *a, *b;
    size_t na = tk_pdf_break_lines(fresh, KINSOKU_TEXT, 10, 150, &a);
    /* more than a document keeps (2^18 code points), all different */
    char text[600];
    for (int i = 0; i < 1200; i++) {
        snprintf(text, sizeof text, "%d番目の文。%s%s", i, KINSOKU_TEXT, SENTENCE);
        tk_pdf_line *l;
        size_t n = tk_pdf_break_lines(busy, text, 10, 150, &l);
        assert_true(n > 1);
        free(l);
    }
    for (int k = 0; k < 2; k++) {
        size_t nb = tk_pdf_break_lines(busy, KINSOKU_TEXT, 10, 150, &b);
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) {
            assert_int_equal(a[i].start, b[i].start);
            assert_int_equal(a[i].end, b[i].end);
            assert_true(a[i].width == b[i].width);
            assert_int_equal(a[i].hard, b[i].hard);
        }
        free(b);
    }
    free(a);
    tk_pdf_free(fresh);
    tk_pdf_free(busy);
    tk_diags_free(&d);
}

static void test_font_open_reports_a_missing_file_in_japanese(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    assert_null(tk_pdf_font_open("/nonexistent/font.ttf", &d));
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "フォントを使えません"));
    char *junk = tmp_path("junk.ttf");
    FILE *f = fopen(junk, "w");
    assert_non_null(f);
    for (int i = 0; i < 100; i++)
        fputs("not a font ", f);
    fclose(f);
    tk_pdf_opts o = {.font_path = junk};
    assert_null(tk_pdf_new(&o, &d));
    free(junk);
    assert_int_equal(d.errors, 2);
    assert_non_null(strstr(d.items[1].message, "TrueType"));
    tk_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_break_never_starts_a_line_with_closing_punctuation_or_small_kana),
        cmocka_unit_test(test_break_never_ends_a_line_with_an_opening_bracket),
        cmocka_unit_test(test_break_keeps_numbers_and_era_years_whole),
        cmocka_unit_test(test_break_splits_a_long_url_between_characters_to_fit),
        cmocka_unit_test(test_break_lines_never_exceed_the_width),
        cmocka_unit_test(test_break_loses_no_characters),
        cmocka_unit_test(test_break_empty_text_gives_no_lines),
        cmocka_unit_test(test_break_gives_a_too_wide_character_a_line_of_its_own),
        cmocka_unit_test(test_break_honours_line_breaks_in_the_text),
        cmocka_unit_test(test_sample_pdf_text_extracts_exactly_with_footers_and_repeated_headers),
        cmocka_unit_test(test_sample_pdf_passes_qpdf_check),
        cmocka_unit_test(test_sample_pdf_embeds_a_subset_of_the_font),
        cmocka_unit_test(test_table_splits_a_row_taller_than_a_page_between_lines),
        cmocka_unit_test(test_table_header_never_stands_at_a_page_foot_with_one_row),
        cmocka_unit_test(test_table_fit_gives_long_text_the_room_and_never_breaks_a_short_value),
        cmocka_unit_test(test_save_refuses_to_overwrite_without_force),
        cmocka_unit_test(test_render_is_deterministic),
        cmocka_unit_test(test_heading_moves_to_the_next_page_with_its_paragraph),
        cmocka_unit_test(test_missing_characters_print_as_geta_with_one_warning),
        cmocka_unit_test(test_font_cid_space_is_the_characters_printed),
        cmocka_unit_test(test_many_different_characters_extract_exactly),
        cmocka_unit_test(test_text_widths_are_libharus),
        cmocka_unit_test(test_a_document_after_others_is_identical_to_one_alone),
        cmocka_unit_test(test_breaking_gives_the_same_lines_after_a_great_many_texts),
        cmocka_unit_test(test_font_open_reports_a_missing_file_in_japanese),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
