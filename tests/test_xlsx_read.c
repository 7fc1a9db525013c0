/* test_xlsx_read.c — the strict streaming .xlsx reader: workbooks written by
 * libxlsxwriter (here) and openpyxl (tests/fixtures), hand-made parts, and
 * hostile files made by the test itself. */
#include "testutil.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <unzip.h>
#include <xlsxwriter.h>
#include <zip.h>
#include <zlib.h>

#include "tenken/diag.h"
#include "tenken/util.h"
#include "tenken/xlsx_identity.h"
#include "tenken/xlsx_read.h"

#define NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_STRICT "http://purl.oclc.org/ooxml/spreadsheetml/main"
#define RNS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

/* ---------------------------------------------------------------- */
/* temporary files                                                   */

static char g_dir[64];

static int group_setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/tk-xlsx-read-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    /* The directory is flat: every file the tests write is directly in it. */
    DIR *dir = opendir(g_dir);
    if (!dir)
        return -1;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
        unlink(p);
    }
    closedir(dir);
    return rmdir(g_dir);
}

/* Every test runs twice: parts read whole (the default for parts up to
 * 8 MiB) and parts streamed in pieces (what larger parts get). */
static bool g_stream;

static tk_xlsx *xopen(const char *path, const tk_xlsx_limits *lim, tk_diags *d)
{
    tk_xlsx_limits l;
    memset(&l, 0, sizeof l);
    if (lim)
        l = *lim;
    if (g_stream)
        l.whole_part_bytes = 1;
    return tk_xlsx_open(path, &l, d);
}

/* g_dir/name in a rotating static buffer (a few live at once). */
static const char *tmp_path(const char *name)
{
    static char bufs[4][256];
    static int k;
    char *b = bufs[k++ % 4];
    snprintf(b, 256, "%s/%s", g_dir, name);
    return b;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void read_whole(const char *path, tk_buf *out)
{
    assert_int_equal(tk_file_read(path, 64u * 1024 * 1024, out), 0);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- */
/* writing zips with minizip's zip.h                                  */

typedef struct zpart {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
} zpart;

static zipFile zip_begin(const char *path)
{
    zipFile z = zipOpen64(path, 0);
    assert_non_null(z);
    return z;
}

static void zip_add(zipFile z, const char *name, const void *data, size_t len, int method)
{
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    assert_int_equal(zipOpenNewFileInZip64(z, name, &zi, NULL, 0, NULL, 0, NULL, method,
                                           method ? Z_DEFAULT_COMPRESSION : 0, 0),
                     ZIP_OK);
    if (len)
        assert_int_equal(zipWriteInFileInZip(z, data, (unsigned)len), ZIP_OK);
    assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
}

static void zip_end(zipFile z) { assert_int_equal(zipClose(z, NULL), ZIP_OK); }

static void zip_write(const char *path, const zpart *p, size_t n, int method)
{
    zipFile z = zip_begin(path);
    for (size_t i = 0; i < n; i++)
        zip_add(z, p[i].name, p[i].data, p[i].len ? p[i].len : strlen(p[i].data), method);
    zip_end(z);
}

/* A hand-made workbook: one sheet "Sheet1" unless workbook/wb_rels say
 * otherwise. */
typedef struct book {
    const char *workbook; /* NULL: one sheet "Sheet1" -> rId1 */
    const char *wb_rels;  /* NULL: rId1 worksheets/sheet1.xml (+ sst, styles) */
    const char *sheet;    /* xl/worksheets/sheet1.xml */
    size_t sheet_len;
    const char *sst;     /* xl/sharedStrings.xml or NULL */
    size_t sst_len;
    const char *styles;  /* xl/styles.xml or NULL */
    const char *custom;  /* docProps/custom.xml or NULL */
    const zpart *extra;
    size_t nextra;
    int method; /* Z_DEFLATED (default when 0 and !stored) or stored */
    bool stored;
} book;

static void book_write(const char *path, const book *b)
{
    tk_buf rels, root;
    tk_buf_init(&rels);
    tk_buf_init(&root);
    tk_buf_puts(&rels, XMLDECL "<Relationships xmlns=\"" PKG "\">"
                               "<Relationship Id=\"rId1\" Type=\"" RNS "/worksheet\" Target=\"worksheets/sheet1.xml\"/>");
    if (b->sst)
        tk_buf_puts(&rels, "<Relationship Id=\"rId2\" Type=\"" RNS "/sharedStrings\" Target=\"sharedStrings.xml\"/>");
    if (b->styles)
        tk_buf_puts(&rels, "<Relationship Id=\"rId3\" Type=\"" RNS "/styles\" Target=\"styles.xml\"/>");
    tk_buf_puts(&rels, "</Relationships>");
    tk_buf_puts(&root, XMLDECL "<Relationships xmlns=\"" PKG "\">"
                               "<Relationship Id=\"rId1\" Type=\"" RNS "/officeDocument\" Target=\"xl/workbook.xml\"/>");
    if (b->custom)
        tk_buf_puts(&root, "<Relationship Id=\"rId2\" Type=\"" RNS "/custom-properties\" Target=\"docProps/custom.xml\"/>");
    tk_buf_puts(&root, "</Relationships>");

    int method = b->stored ? 0 : Z_DEFLATED;
    zipFile z = zip_begin(path);
    const char *ct = XMLDECL "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                             "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                             "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";
    zip_add(z, "[Content_Types].xml", ct, strlen(ct), method);
    zip_add(z, "_rels/.rels", root.data, root.len, method);
    const char *wb = b->workbook ? b->workbook
                                 : XMLDECL "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets>"
                                           "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    zip_add(z, "xl/workbook.xml", wb, strlen(wb), method);
    const char *wr = b->wb_rels ? b->wb_rels : rels.data;
    zip_add(z, "xl/_rels/workbook.xml.rels", wr, strlen(wr), method);
    if (b->sheet)
        zip_add(z, "xl/worksheets/sheet1.xml", b->sheet, b->sheet_len ? b->sheet_len : strlen(b->sheet), method);
    if (b->sst)
        zip_add(z, "xl/sharedStrings.xml", b->sst, b->sst_len ? b->sst_len : strlen(b->sst), method);
    if (b->styles)
        zip_add(z, "xl/styles.xml", b->styles, strlen(b->styles), method);
    if (b->custom)
        zip_add(z, "docProps/custom.xml", b->custom, strlen(b->custom), method);
    for (size_t i = 0; i < b->nextra; i++)
        zip_add(z, b->extra[i].name, b->extra[i].data, b->extra[i].len ? b->extra[i].len : strlen(b->extra[i].data),
                method);
    zip_end(z);
    tk_buf_free(&rels);
    tk_buf_free(&root);
}

/* A one-sheet book with this sheet XML. */
static const char *simple_book(const char *name, const char *sheet, const char *sst)
{
    const char *p = tmp_path(name);
    book b = {.sheet = sheet, .sst = sst};
    book_write(p, &b);
    return p;
}

/* ---------------------------------------------------------------- */
/* collecting cells and checking diagnostics                          */

typedef struct got_cell {
    int row, col;
    tk_cell_type type;
    char *text;
    double number;
    bool is_date, has_formula;
} got_cell;

typedef struct got {
    got_cell *v;
    size_t n, cap;
    size_t stop_after; /* 0: never stop */
} got;

static bool collect(const tk_cell *c, void *user)
{
    got *g = user;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 16;
        g->v = tk_xrealloc(g->v, g->cap * sizeof *g->v);
    }
    got_cell *k = &g->v[g->n++];
    k->row = c->row;
    k->col = c->col;
    k->type = c->type;
    assert_non_null(c->text);
    k->text = tk_xstrdup(c->text);
    k->number = c->number;
    k->is_date = c->is_date;
    k->has_formula = c->has_formula;
    return !(g->stop_after && g->n >= g->stop_after);
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].text);
    free(g->v);
    memset(g, 0, sizeof *g);
}

static const got_cell *cell_at(const got *g, const char *ref)
{
    int r, c;
    if (!tk_cell_parse_ref(ref, &r, &c))
        fail_msg("bad ref in test: %s", ref);
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].row == r && g->v[i].col == c)
            return &g->v[i];
    return NULL;
}

#define assert_string_cell(g, ref, s)                                                              \
    do {                                                                                           \
        const got_cell *k_ = cell_at((g), (ref));                                                  \
        if (!k_)                                                                                   \
            fail_msg("no cell %s", (ref));                                                         \
        assert_int_equal(k_->type, TK_CELL_STRING);                                                \
        assert_string_equal(k_->text, (s));                                                        \
    } while (0)

#define assert_number_cell(g, ref, num, date)                                                      \
    do {                                                                                           \
        const got_cell *k_ = cell_at((g), (ref));                                                  \
        if (!k_)                                                                                   \
            fail_msg("no cell %s", (ref));                                                         \
        assert_int_equal(k_->type, TK_CELL_NUMBER);                                                \
        assert_true(k_->number == (num));                                                          \
        assert_int_equal(k_->is_date, (date));                                                     \
    } while (0)

static bool has_diag(const tk_diags *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].message, needle) || (d->items[i].place && strstr(d->items[i].place, needle)))
            return true;
    return false;
}

#define assert_diag(d, needle)                                                                     \
    do {                                                                                           \
        if (!has_diag((d), (needle))) {                                                            \
            tk_diags_print((d), stderr);                                                           \
            fail_msg("no diagnostic containing \"%s\"", (needle));                                 \
        }                                                                                          \
    } while (0)

/* Every error names the file and speaks Japanese. */
static void assert_diags_named(const tk_diags *d, const char *path)
{
    assert_true(d->errors > 0);
    for (size_t i = 0; i < d->count; i++) {
        assert_non_null(d->items[i].file);
        assert_string_equal(d->items[i].file, path);
        bool ja = false;
        for (const char *p = d->items[i].message; *p; p++)
            ja = ja || ((unsigned char)*p >= 0x80);
        if (!ja)
            fail_msg("message not in Japanese: %s", d->items[i].message);
    }
}

/* Opening fails with a diagnostic containing needle, quickly. */
static void expect_open_fails_lim(const char *path, const tk_xlsx_limits *lim, const char *needle)
{
    tk_diags d;
    tk_diags_init(&d);
    double t0 = now_s();
    tk_xlsx *x = xopen(path, lim, &d);
    double dt = now_s() - t0;
    if (x) {
        tk_xlsx_close(x);
        fail_msg("%s should not open", path);
    }
    assert_diag(&d, needle);
    assert_diags_named(&d, path);
    if (dt > 3.0)
        fail_msg("refusing %s took %.1f s", path, dt);
    tk_diags_free(&d);
}

static void expect_open_fails(const char *path, const char *needle) { expect_open_fails_lim(path, NULL, needle); }

/* Opening succeeds; reading sheet 0 fails with needle. Returns nothing
 * but collected cells go to g when not NULL. */
static void expect_sheet_fails_lim(const char *path, const tk_xlsx_limits *lim, const char *needle, got *g)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = xopen(path, lim, &d);
    if (!x) {
        tk_diags_print(&d, stderr);
        fail_msg("%s should open", path);
    }
    got local;
    memset(&local, 0, sizeof local);
    got *gg = g ? g : &local;
    double t0 = now_s();
    bool ok = tk_xlsx_read_sheet(x, 0, collect, gg, &d);
    double dt = now_s() - t0;
    assert_false(ok);
    assert_diag(&d, needle);
    assert_diags_named(&d, path);
    if (dt > 3.0)
        fail_msg("refusing the sheet of %s took %.1f s", path, dt);
    got_free(&local);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void expect_sheet_fails(const char *path, const char *needle, got *g)
{
    expect_sheet_fails_lim(path, NULL, needle, g);
}

/* Open, read sheet i into g; both must succeed. */
static tk_xlsx *open_ok(const char *path, tk_diags *d)
{
    tk_xlsx *x = xopen(path, NULL, d);
    if (!x) {
        tk_diags_print(d, stderr);
        fail_msg("%s should open", path);
    }
    return x;
}

static void read_ok(tk_xlsx *x, size_t i, got *g, tk_diags *d)
{
    if (!tk_xlsx_read_sheet(x, i, collect, g, d)) {
        tk_diags_print(d, stderr);
        fail_msg("sheet %zu should read", i);
    }
}

/* ---------------------------------------------------------------- */
/* helpers of the API                                                 */

static void test_cell_ref_round_trip(void **state)
{
    (void)state;
    char b[16];
    tk_cell_ref(1, 1, b);
    assert_string_equal(b, "A1");
    tk_cell_ref(12, 2, b);
    assert_string_equal(b, "B12");
    tk_cell_ref(1, 26, b);
    assert_string_equal(b, "Z1");
    tk_cell_ref(1, 27, b);
    assert_string_equal(b, "AA1");
    tk_cell_ref(7, 702, b);
    assert_string_equal(b, "ZZ7");
    tk_cell_ref(7, 703, b);
    assert_string_equal(b, "AAA7");
    tk_cell_ref(1048576, 16384, b);
    assert_string_equal(b, "XFD1048576");
    tk_cell_ref(0, 1, b);
    assert_string_equal(b, "?");
    tk_cell_ref(1, 16385, b);
    assert_string_equal(b, "?");

    int r = -1, c = -1;
    assert_true(tk_cell_parse_ref("B12", &r, &c));
    assert_int_equal(r, 12);
    assert_int_equal(c, 2);
    assert_true(tk_cell_parse_ref("XFD1048576", &r, &c));
    assert_int_equal(r, 1048576);
    assert_int_equal(c, 16384);
    for (int row = 1; row < 2000000; row = row * 3 + 1)
        for (int col = 1; col <= 16384; col = col * 5 + 3) {
            if (row > 1048576)
                break;
            tk_cell_ref(row, col, b);
            assert_true(tk_cell_parse_ref(b, &r, &c));
            assert_int_equal(r, row);
            assert_int_equal(c, col);
        }
    const char *bad[] = {"", "a1", "A0", "A01", "XFE1", "A1048577", "1A", "$A$1", "AAAA1", "A", "A1 ", "A-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = c = -7;
        if (tk_cell_parse_ref(bad[i], &r, &c))
            fail_msg("should reject \"%s\"", bad[i]);
        assert_int_equal(r, -7);
        assert_int_equal(c, -7);
    }
    assert_false(tk_cell_parse_ref(NULL, &r, &c));
}

static void test_number_formats_that_are_dates(void **state)
{
    (void)state;
    for (int id = 0; id < 200; id++) {
        bool want = (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
                    (id >= 50 && id <= 58);
        assert_int_equal(tk_xlsx_numfmt_is_date(id, NULL), want);
    }
    assert_true(tk_xlsx_numfmt_is_date(164, "yyyy/mm/dd"));
    assert_true(tk_xlsx_numfmt_is_date(164, "YYYY-MM-DD"));
    assert_true(tk_xlsx_numfmt_is_date(164, "h:mm"));
    assert_true(tk_xlsx_numfmt_is_date(164, "[h]:mm:ss"));
    assert_true(tk_xlsx_numfmt_is_date(164, "[$-ja-JP-x-gannen]ggge\"年\"m\"月\"d\"日\""));
    assert_true(tk_xlsx_numfmt_is_date(164, "[$-411]ge.m.d"));
    assert_true(tk_xlsx_numfmt_is_date(164, "yyyy\"年\"m\"月\"d\"日\";@"));
    assert_false(tk_xlsx_numfmt_is_date(164, "0.00"));
    assert_false(tk_xlsx_numfmt_is_date(164, "General"));
    assert_false(tk_xlsx_numfmt_is_date(164, "#,##0\"円\""));
    assert_false(tk_xlsx_numfmt_is_date(164, "#,##0\"days\""));
    assert_false(tk_xlsx_numfmt_is_date(164, "0.00E+00"));
    assert_false(tk_xlsx_numfmt_is_date(164, "[Red]0.00;[Blue]-0.00"));
    assert_false(tk_xlsx_numfmt_is_date(164, "0\\d"));
    assert_false(tk_xlsx_numfmt_is_date(164, "0_m"));
    assert_false(tk_xlsx_numfmt_is_date(164, "@"));
    assert_false(tk_xlsx_numfmt_is_date(164, "0%"));
    /* A custom code replaces the built-in meaning of its id. */
    assert_false(tk_xlsx_numfmt_is_date(14, "0.00"));
}

/* ---------------------------------------------------------------- */
/* workbooks written by libxlsxwriter                                 */

static const char *xlsxwriter_book(void)
{
    const char *path = tmp_path("xlsxwriter.xlsx");
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "回答");
    lxw_worksheet *hid = workbook_add_worksheet(wb, "設定");
    lxw_worksheet *third = workbook_add_worksheet(wb, "Sheet3");
    lxw_format *fdate = workbook_add_format(wb);
    format_set_num_format(fdate, "yyyy/mm/dd");
    lxw_format *f14 = workbook_add_format(wb);
    format_set_num_format_index(f14, 14);
    lxw_format *fyen = workbook_add_format(wb);
    format_set_num_format(fyen, "#,##0.00\"円\"");
    lxw_format *fwareki = workbook_add_format(wb);
    format_set_num_format(fwareki, "[$-ja-JP-x-gannen]ggge\"年\"m\"月\"d\"日\"");
    lxw_format *ftime = workbook_add_format(wb);
    format_set_num_format(ftime, "h:mm");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);

    worksheet_write_string(ws, 0, 0, "情報セキュリティ対策", NULL);
    worksheet_write_number(ws, 1, 0, 42, NULL);
    worksheet_write_number(ws, 2, 0, -1.25, NULL);
    lxw_datetime dt = {2027, 1, 29, 0, 0, 0};
    worksheet_write_datetime(ws, 0, 1, &dt, fdate);
    worksheet_write_number(ws, 1, 1, 46416, f14);
    worksheet_write_number(ws, 2, 1, 1234.5, fyen);
    worksheet_write_number(ws, 3, 1, 43586, fwareki);
    worksheet_write_number(ws, 4, 1, 0.5, ftime);
    worksheet_write_boolean(ws, 0, 2, 1, NULL);
    worksheet_write_boolean(ws, 1, 2, 0, NULL);
    worksheet_write_formula_num(ws, 0, 3, "=A2*2", NULL, 84);
    worksheet_write_formula_str(ws, 1, 3, "=\"a\"&\"b\"", NULL, "ab");
    lxw_rich_string_tuple f1 = {.format = bold, .string = "情報"};
    lxw_rich_string_tuple f2 = {.format = NULL, .string = "資産"};
    lxw_rich_string_tuple *rich[] = {&f1, &f2, NULL};
    worksheet_write_rich_string(ws, 0, 4, rich, NULL);
    worksheet_write_string(ws, 9, 0, "改行\nあり", NULL);
    worksheet_write_blank(ws, 9, 1, bold); /* style only: no value */
    worksheet_write_string(hid, 0, 0, "hidden", NULL);
    worksheet_hide(hid);
    worksheet_write_number(third, 99, 25, 7, NULL); /* Z100 */
    workbook_set_custom_property_string(wb, "tenken_id", "R7-総務課-001");
    workbook_set_custom_property_number(wb, "version", 3);
    workbook_set_custom_property_boolean(wb, "submitted", 1);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    return path;
}

static void test_xlsxwriter_workbook(void **state)
{
    (void)state;
    const char *path = xlsxwriter_book();
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    assert_string_equal(tk_xlsx_path(x), path);
    assert_false(tk_xlsx_date1904(x));
    assert_int_equal(tk_xlsx_sheet_count(x), 3);
    assert_string_equal(tk_xlsx_sheet_name(x, 0), "回答");
    assert_string_equal(tk_xlsx_sheet_name(x, 1), "設定");
    assert_null(tk_xlsx_sheet_name(x, 3));
    assert_false(tk_xlsx_sheet_hidden(x, 0));
    assert_true(tk_xlsx_sheet_hidden(x, 1));
    assert_false(tk_xlsx_sheet_hidden(x, 2));
    assert_false(tk_xlsx_sheet_hidden(x, 9));
    assert_int_equal(tk_xlsx_sheet_index(x, "設定"), 1);
    assert_int_equal(tk_xlsx_sheet_index(x, "Sheet3"), 2);
    assert_int_equal(tk_xlsx_sheet_index(x, "sheet3"), -1);
    assert_int_equal(tk_xlsx_sheet_index(x, "ない"), -1);
    assert_string_equal(tk_xlsx_custom_property(x, "tenken_id"), "R7-総務課-001");
    assert_string_equal(tk_xlsx_custom_property(x, "version"), "3");
    assert_string_equal(tk_xlsx_custom_property(x, "submitted"), "true");
    assert_null(tk_xlsx_custom_property(x, "absent"));
    assert_int_equal(tk_xlsx_custom_property_count(x), 3);
    assert_string_equal(tk_xlsx_custom_property_name(x, 0), "tenken_id");
    assert_string_equal(tk_xlsx_custom_property_value(x, 0), "R7-総務課-001");
    assert_null(tk_xlsx_custom_property_name(x, 3));

    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_string_cell(&g, "A1", "情報セキュリティ対策");
    assert_number_cell(&g, "A2", 42, false);
    assert_string_equal(cell_at(&g, "A2")->text, "42");
    assert_number_cell(&g, "A3", -1.25, false);
    assert_number_cell(&g, "B1", 46416, true);
    assert_number_cell(&g, "B2", 46416, true);
    assert_number_cell(&g, "B3", 1234.5, false);
    assert_number_cell(&g, "B4", 43586, true);
    assert_number_cell(&g, "B5", 0.5, true);
    const got_cell *c1 = cell_at(&g, "C1");
    assert_int_equal(c1->type, TK_CELL_BOOL);
    assert_string_equal(c1->text, "TRUE");
    assert_true(c1->number == 1);
    assert_int_equal(cell_at(&g, "C2")->type, TK_CELL_BOOL);
    assert_string_equal(cell_at(&g, "C2")->text, "FALSE");
    assert_number_cell(&g, "D1", 84, false);
    assert_true(cell_at(&g, "D1")->has_formula);
    assert_false(cell_at(&g, "A2")->has_formula);
    assert_string_cell(&g, "D2", "ab");
    assert_true(cell_at(&g, "D2")->has_formula);
    assert_string_cell(&g, "E1", "情報資産");
    assert_string_cell(&g, "A10", "改行\nあり");
    assert_null(cell_at(&g, "B10"));
    /* document order: row by row, left to right */
    for (size_t i = 1; i < g.n; i++)
        assert_true(g.v[i - 1].row < g.v[i].row || (g.v[i - 1].row == g.v[i].row && g.v[i - 1].col < g.v[i].col));
    assert_int_equal(g.n, 14);
    got_free(&g);

    read_ok(x, 1, &g, &d);
    assert_int_equal(g.n, 1);
    assert_string_cell(&g, "A1", "hidden");
    got_free(&g);
    read_ok(x, 2, &g, &d);
    assert_int_equal(g.n, 1);
    assert_number_cell(&g, "Z100", 7, false);
    got_free(&g);

    /* A sheet that does not exist is reported, not read. */
    assert_false(tk_xlsx_read_sheet(x, 3, collect, &g, &d));
    assert_diag(&d, "4 番目のシートはありません");
    assert_int_equal(d.errors, 1);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void test_callback_can_stop_early(void **state)
{
    (void)state;
    const char *path = xlsxwriter_book();
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    got g;
    memset(&g, 0, sizeof g);
    g.stop_after = 2;
    assert_true(tk_xlsx_read_sheet(x, 0, collect, &g, &d));
    assert_int_equal(g.n, 2);
    assert_int_equal(d.count, 0);
    got_free(&g);
    /* The handle stays usable: read again from the start. */
    read_ok(x, 0, &g, &d);
    assert_int_equal(g.n, 14);
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void test_limits_are_applied(void **state)
{
    (void)state;
    const char *path = xlsxwriter_book();
    tk_xlsx_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_file_bytes = 100;
    expect_open_fails_lim(path, &lim, "ファイルが大きすぎます");
    memset(&lim, 0, sizeof lim);
    lim.max_part_bytes = 300;
    expect_open_fails_lim(path, &lim, "上限 (300 バイト) を超えます");
    memset(&lim, 0, sizeof lim);
    lim.max_entries = 5;
    expect_open_fails_lim(path, &lim, "エントリが多すぎます");
    memset(&lim, 0, sizeof lim);
    lim.max_cell_chars = 5;
    expect_sheet_fails_lim(path, &lim, "セル A1 の文字数が 10 文字あります。5 文字以内にしてください", NULL);
    memset(&lim, 0, sizeof lim);
    lim.max_rows = 3;
    expect_sheet_fails_lim(path, &lim, "行が多すぎます (上限 3 行)", NULL);
}

/* ---------------------------------------------------------------- */
/* workbooks written by openpyxl (committed fixtures)                 */

/* openpyxl_basic.xlsx opened and saved by LibreOffice Calc 7.4
 * (tests/fixtures/make_libreoffice.sh): shared strings, its own styles,
 * formulas with cached values, both hidden sheets merely hidden. */
static void test_libreoffice_fixture(void **state)
{
    (void)state;
    const char *path = "tests/fixtures/libreoffice_basic.xlsx";
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    assert_int_equal(tk_xlsx_sheet_count(x), 3);
    assert_string_equal(tk_xlsx_sheet_name(x, 0), "回答");
    assert_true(tk_xlsx_sheet_hidden(x, 1));
    assert_true(tk_xlsx_sheet_hidden(x, 2));
    assert_false(tk_xlsx_date1904(x));
    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_string_cell(&g, "A1", "番号");
    assert_string_cell(&g, "B1", "回答");
    assert_number_cell(&g, "A2", 1, false);
    assert_string_cell(&g, "B2", "はい");
    assert_number_cell(&g, "C2", 46416, true);
    /* LibreOffice calculated the formula and kept it */
    assert_number_cell(&g, "E2", 2, false);
    assert_true(cell_at(&g, "E2")->has_formula);
    assert_number_cell(&g, "F2", 3.5, false);
    assert_string_cell(&g, "H2", "改行\nあり");
    assert_string_cell(&g, "A4", "空行の後");
    assert_int_equal(d.errors, 0);
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void test_openpyxl_fixture(void **state)
{
    (void)state;
    const char *path = "tests/fixtures/openpyxl_basic.xlsx";
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    assert_int_equal(tk_xlsx_sheet_count(x), 3);
    assert_string_equal(tk_xlsx_sheet_name(x, 0), "回答");
    assert_false(tk_xlsx_sheet_hidden(x, 0));
    assert_true(tk_xlsx_sheet_hidden(x, 1));  /* hidden */
    assert_true(tk_xlsx_sheet_hidden(x, 2));  /* veryHidden */
    assert_int_equal(tk_xlsx_sheet_index(x, "秘密"), 2);
    assert_false(tk_xlsx_date1904(x));
    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_string_cell(&g, "A1", "番号");
    assert_string_cell(&g, "B1", "回答");
    assert_number_cell(&g, "A2", 1, false);
    assert_string_cell(&g, "B2", "はい");
    assert_number_cell(&g, "C2", 46416, true);
    assert_int_equal(cell_at(&g, "D2")->type, TK_CELL_BOOL);
    /* a formula without a cached value: delivered empty, marked a formula */
    assert_int_equal(cell_at(&g, "E2")->type, TK_CELL_EMPTY);
    assert_true(cell_at(&g, "E2")->has_formula);
    assert_number_cell(&g, "F2", 3.5, false);
    assert_number_cell(&g, "G2", 43586, true);
    assert_string_cell(&g, "H2", "改行\nあり");
    assert_string_cell(&g, "A4", "空行の後");
    assert_int_equal(g.n, 11);
    got_free(&g);
    read_ok(x, 2, &g, &d);
    assert_string_cell(&g, "A1", "very");
    got_free(&g);
    assert_int_equal(d.count, 0);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

/* A file already in memory reads as the same file on disk; the memory is
 * the caller's and stays as it was. */
static void test_open_from_memory(void **state)
{
    (void)state;
    const char *path = "tests/fixtures/openpyxl_basic.xlsx";
    tk_buf raw;
    read_whole(path, &raw);
    tk_buf copy;
    tk_buf_init(&copy);
    tk_buf_append(&copy, raw.data, raw.len);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx_limits l;
    memset(&l, 0, sizeof l);
    l.whole_part_bytes = g_stream ? 1 : 0;
    tk_xlsx *m = tk_xlsx_open_mem("メモリ上.xlsx", raw.data, raw.len, &l, &d);
    assert_non_null(m);
    assert_string_equal(tk_xlsx_path(m), "メモリ上.xlsx");
    tk_xlsx *x = open_ok(path, &d);
    assert_int_equal(tk_xlsx_sheet_count(m), tk_xlsx_sheet_count(x));
    got a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    read_ok(m, 0, &a, &d);
    read_ok(x, 0, &b, &d);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.v[i].row, b.v[i].row);
        assert_int_equal(a.v[i].col, b.v[i].col);
        assert_int_equal(a.v[i].type, b.v[i].type);
        assert_string_equal(a.v[i].text, b.v[i].text);
    }
    got_free(&a);
    got_free(&b);
    tk_xlsx_close(m);
    tk_xlsx_close(x);
    assert_int_equal(raw.len, copy.len);
    assert_memory_equal(raw.data, copy.data, raw.len);
    /* the checks of the bytes are the same: empty, not a zip */
    assert_null(tk_xlsx_open_mem("空.xlsx", "", 0, NULL, &d));
    assert_true(has_diag(&d, "ファイルが空です"));
    assert_null(tk_xlsx_open_mem("文.xlsx", "<html>", 6, NULL, &d));
    assert_true(has_diag(&d, "XML か HTML"));
    tk_diags_free(&d);
    tk_buf_free(&raw);
    tk_buf_free(&copy);
}

static void test_openpyxl_1904_dates(void **state)
{
    (void)state;
    const char *path = "tests/fixtures/openpyxl_1904.xlsx";
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    assert_true(tk_xlsx_date1904(x));
    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_number_cell(&g, "A1", 46416 - 1462, true); /* 2027-01-29 in the 1904 system */
    assert_number_cell(&g, "B1", 42, false);
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

/* ---------------------------------------------------------------- */
/* hand-made parts                                                    */

static void test_rich_text_and_phonetic_runs(void **state)
{
    (void)state;
    const char *sst =
        XMLDECL "<sst xmlns=\"" NS "\" count=\"5\" uniqueCount=\"5\">"
                "<si><r><rPr><b/><sz val=\"11\"/></rPr><t>情報</t></r><r><t xml:space=\"preserve\"> セキュリティ</t></r></si>"
                "<si><t>東京都</t><rPh sb=\"0\" eb=\"3\"><t>トウキョウト</t></rPh><phoneticPr fontId=\"1\" type=\"noConversion\"/></si>"
                "<si><r><t>千代田</t></r><r><t>区</t></r><rPh sb=\"0\" eb=\"3\"><t>チヨダ</t></rPh><rPh sb=\"3\" eb=\"4\"><t>ク</t></rPh></si>"
                "<si><t>a_x000D_b_x005F_x0041_ c_xD83D__xDE00_</t></si>"
                "<si><t xml:space=\"preserve\">  </t></si>"
                "</sst>";
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\">"
                                "<c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
                                "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c>"
                                "<c r=\"E1\" t=\"s\"><v>4</v></c>"
                                "<c r=\"F1\" t=\"inlineStr\"><is><r><t>本</t></r><r><t>文</t></r><rPh sb=\"0\" eb=\"1\"><t>ホン</t></rPh></is></c>"
                                "</row></sheetData></worksheet>";
    const char *path = simple_book("rich.xlsx", sheet, sst);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_string_cell(&g, "A1", "情報 セキュリティ");
    assert_string_cell(&g, "B1", "東京都");
    assert_string_cell(&g, "C1", "千代田区");
    assert_string_cell(&g, "D1", "a\rb_x0041_ c\xF0\x9F\x98\x80");
    assert_string_cell(&g, "E1", "  ");
    assert_string_cell(&g, "F1", "本文");
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static const char *TYPES_STYLES =
    XMLDECL "<styleSheet xmlns=\"" NS "\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.00\"/></numFmts>"
            "<cellStyleXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellStyleXfs>"
            "<cellXfs count=\"3\"><xf numFmtId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" xfId=\"0\" applyNumberFormat=\"1\"/>"
            "<xf numFmtId=\"164\" xfId=\"0\"/></cellXfs></styleSheet>";

static void test_cell_types_and_positions_without_r(void **state)
{
    (void)state;
    const char *sheet =
        XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData>"
                "<row><c><v>1</v></c><c t=\"str\"><f>\"a\"&amp;\"b\"</f><v>ab</v></c>"
                "<c t=\"e\"><f>1/0</f><v>#DIV/0!</v></c><c t=\"str\"><f>\"\"</f><v></v></c></row>"
                "<row r=\"3\"><c r=\"B3\" t=\"b\"><v>0</v></c><c t=\"d\"><v>2027-01-29T12:00:00</v></c>"
                "<c t=\"inlineStr\"><is><r><t>東京</t></r><r><t>都</t></r><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></is></c>"
                "<c t=\"d\"><v>2027-01-29</v></c></row>"
                "<row><c r=\"A4\" s=\"1\"><v>46416</v></c><c s=\"2\"><v>46416.25</v></c><c s=\"1\"/>"
                "<c><f>A4</f></c><c t=\"s\"><v>0</v></c><c><f>A4</f><v></v></c><c s=\"7\"><v>1E3</v></c></row>"
                "<row r=\"1048576\"><c r=\"XFD1048576\"><v>-0.5e-1</v></c></row>"
                "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>";
    const char *sst = XMLDECL "<sst xmlns=\"" NS "\" count=\"1\" uniqueCount=\"1\"><si><t>共有</t></si></sst>";
    const char *path = tmp_path("types.xlsx");
    book b = {.sheet = sheet, .sst = sst, .styles = TYPES_STYLES};
    book_write(path, &b);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_number_cell(&g, "A1", 1, false);
    assert_string_cell(&g, "B1", "ab");
    assert_true(cell_at(&g, "B1")->has_formula);
    const got_cell *c1 = cell_at(&g, "C1");
    assert_int_equal(c1->type, TK_CELL_ERROR);
    assert_string_equal(c1->text, "#DIV/0!");
    assert_true(c1->has_formula);
    assert_string_cell(&g, "D1", ""); /* a formula giving "" */
    const got_cell *b3 = cell_at(&g, "B3");
    assert_int_equal(b3->type, TK_CELL_BOOL);
    assert_true(b3->number == 0);
    assert_number_cell(&g, "C3", 46416.5, true);
    assert_string_equal(cell_at(&g, "C3")->text, "2027-01-29T12:00:00");
    assert_string_cell(&g, "D3", "東京都");
    assert_number_cell(&g, "E3", 46416, true);
    assert_number_cell(&g, "A4", 46416, true);   /* built-in 14 */
    assert_number_cell(&g, "B4", 46416.25, false); /* custom 0.00 */
    assert_null(cell_at(&g, "C4"));                /* style only */
    assert_int_equal(cell_at(&g, "D4")->type, TK_CELL_EMPTY); /* formula, no value */
    assert_true(cell_at(&g, "D4")->has_formula);
    assert_string_cell(&g, "E4", "共有");
    assert_int_equal(cell_at(&g, "F4")->type, TK_CELL_EMPTY); /* formula, empty value */
    assert_number_cell(&g, "G4", 1000, false);     /* unknown style: not a date */
    assert_number_cell(&g, "XFD1048576", -0.05, false);
    assert_int_equal(g.n, 15);
    got_free(&g);
    assert_int_equal(d.count, 0);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void test_strict_namespace_absolute_targets_and_custom_properties(void **state)
{
    (void)state;
    const char *wb = XMLDECL
        "<x:workbook xmlns:x=\"" NS_STRICT "\" xmlns:r=\"http://purl.oclc.org/ooxml/officeDocument/relationships\""
        " xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\">"
        "<x:workbookPr date1904=\"true\"/>"
        "<mc:AlternateContent><mc:Choice Requires=\"x15\"><x15ac:absPath xmlns:x15ac=\"http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac\" url=\"C:\\\"/></mc:Choice></mc:AlternateContent>"
        "<x:sheets><x:sheet name=\"一覧\" sheetId=\"1\" r:id=\"rId7\"/><x:sheet name=\"作業用\" sheetId=\"2\" state=\"veryHidden\" r:id=\"rId8\"/>"
        "<x:sheet name=\"グラフ\" sheetId=\"3\" r:id=\"rId9\"/></x:sheets></x:workbook>";
    const char *rels = XMLDECL
        "<Relationships xmlns=\"" PKG "\">"
        "<Relationship Id=\"rId7\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet\" Target=\"/xl/worksheets/sheet1.xml\"/>"
        "<Relationship Id=\"rId8\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet\" Target=\"./worksheets/other.xml\"/>"
        "<Relationship Id=\"rId9\" Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/chartsheet\" Target=\"chartsheets/sheet1.xml\"/>"
        "</Relationships>";
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS_STRICT "\"><sheetData><row r=\"2\"><c r=\"B2\" t=\"d\"><v>2027-01-29</v></c>"
                                "<c r=\"C2\" t=\"inlineStr\"><is><t>厳格</t></is></c></row></sheetData></worksheet>";
    const char *custom = XMLDECL
        "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\""
        " xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
        "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"2\" name=\"tenken_id\"><vt:lpwstr>R7-総務課</vt:lpwstr></property>"
        "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"3\" name=\"count\"><vt:i4>12</vt:i4></property>"
        "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"4\" name=\"ok\"><vt:bool>true</vt:bool></property>"
        "<property fmtid=\"{D5CDD505-2E9C-101B-9397-08002B2CF9AE}\" pid=\"5\" name=\"tenken_id\"><vt:lpwstr>second</vt:lpwstr></property>"
        "</Properties>";
    const zpart extra[] = {
        {"xl/worksheets/other.xml", XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData/></worksheet>", 0},
        {"xl/chartsheets/sheet1.xml", XMLDECL "<chartsheet xmlns=\"" NS "\"/>", 0},
    };
    const char *path = tmp_path("strict.xlsx");
    book b = {.workbook = wb, .wb_rels = rels, .sheet = sheet, .custom = custom, .extra = extra, .nextra = 2};
    book_write(path, &b);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    assert_true(tk_xlsx_date1904(x));
    assert_int_equal(tk_xlsx_sheet_count(x), 3);
    assert_string_equal(tk_xlsx_sheet_name(x, 0), "一覧");
    assert_true(tk_xlsx_sheet_hidden(x, 1));
    assert_string_equal(tk_xlsx_custom_property(x, "tenken_id"), "R7-総務課");
    assert_string_equal(tk_xlsx_custom_property(x, "count"), "12");
    assert_string_equal(tk_xlsx_custom_property(x, "ok"), "true");
    assert_int_equal(tk_xlsx_custom_property_count(x), 3);
    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_number_cell(&g, "B2", 46416 - 1462, true);
    assert_string_cell(&g, "C2", "厳格");
    got_free(&g);
    read_ok(x, 1, &g, &d);
    assert_int_equal(g.n, 0);
    read_ok(x, 2, &g, &d); /* a chart sheet: no cells */
    assert_int_equal(g.n, 0);
    assert_int_equal(d.count, 0);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void test_reports_every_bad_cell_and_passes_the_good_ones(void **state)
{
    (void)state;
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\">"
                                "<c r=\"A1\"><v>abc</v></c><c r=\"B1\"><v>7</v></c><c r=\"C1\"><v>0x10</v></c>"
                                "<c r=\"D1\" t=\"b\"><v>2</v></c><c r=\"E1\" t=\"s\"><v>5</v></c><c r=\"F1\" t=\"zz\"><v>1</v></c>"
                                "<c r=\"G1\"><v>inf</v></c><c r=\"H1\" t=\"d\"><v>2027-02-30</v></c><c r=\"I1\"><v>1e999</v></c>"
                                "<c r=\"J1\"><v>8</v></c></row></sheetData></worksheet>";
    const char *path = simple_book("badcells.xlsx", sheet, NULL);
    got g;
    memset(&g, 0, sizeof g);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(path, &d);
    assert_false(tk_xlsx_read_sheet(x, 0, collect, &g, &d));
    assert_int_equal(d.errors, 8);
    assert_diag(&d, "セル A1 の数値 \"abc\" を読めません");
    assert_diag(&d, "Sheet1!A1");
    assert_diag(&d, "セル C1 の数値");
    assert_diag(&d, "セル D1 の真偽値");
    assert_diag(&d, "セル E1 の共有文字列の番号 \"5\" が範囲外です");
    assert_diag(&d, "t=\"zz\" が不明です");
    assert_diag(&d, "セル G1 の数値");
    assert_diag(&d, "セル H1 の日付 \"2027-02-30\" を読めません");
    assert_diag(&d, "セル I1 の数値");
    assert_diags_named(&d, path);
    assert_int_equal(g.n, 2);
    assert_number_cell(&g, "B1", 7, false);
    assert_number_cell(&g, "J1", 8, false);
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void test_refuses_cells_and_rows_out_of_order(void **state)
{
    (void)state;
    const char *s1 = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c>"
                             "<c r=\"C1\"><v>3</v></c><c r=\"B1\"><v>2</v></c><c r=\"C1\"><v>4</v></c>"
                             "<c r=\"D2\"><v>5</v></c><c r=\"a1\"><v>6</v></c></row></sheetData></worksheet>";
    got g;
    memset(&g, 0, sizeof g);
    expect_sheet_fails(simple_book("order1.xlsx", s1, NULL), "セル B1 が C1 の後にあります", &g);
    assert_int_equal(g.n, 2); /* A1 and C1 */
    got_free(&g);
    expect_sheet_fails(simple_book("order1b.xlsx", s1, NULL), "セル D2 が行 1 の中にあります", NULL);
    expect_sheet_fails(simple_book("order1c.xlsx", s1, NULL), "セル参照 r=\"a1\" が正しくありません", NULL);
    const char *s2 = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"3\"><c><v>1</v></c></row>"
                             "<row r=\"2\"><c><v>2</v></c></row></sheetData></worksheet>";
    expect_sheet_fails(simple_book("order2.xlsx", s2, NULL), "行 2 が行 3 の後にあります", NULL);
    const char *s3 = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"0\"/></sheetData></worksheet>";
    expect_sheet_fails(simple_book("order3.xlsx", s3, NULL), "行番号 r=\"0\" が正しくありません", NULL);
    const char *s4 = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"XFD1\"><v>1</v></c><c><v>2</v></c>"
                             "</row></sheetData></worksheet>";
    expect_sheet_fails(simple_book("order4.xlsx", s4, NULL), "列 XFD を超えています", NULL);
}

/* ---------------------------------------------------------------- */
/* hostile and broken files                                           */

static void test_refuses_missing_empty_and_non_files(void **state)
{
    (void)state;
    expect_open_fails(tmp_path("does-not-exist.xlsx"), "ファイルを開けません");
    const char *empty = tmp_path("empty.xlsx");
    write_file(empty, "", 0);
    expect_open_fails(empty, "ファイルが空です");
    expect_open_fails(g_dir, "通常のファイルではありません");
}

static void test_refuses_random_bytes_and_html(void **state)
{
    (void)state;
    unsigned char buf[4096];
    uint32_t s = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        s = s * 1103515245u + 12345u;
        buf[i] = (unsigned char)(s >> 16);
    }
    buf[0] = 0x01;
    const char *p = tmp_path("random.xlsx");
    write_file(p, buf, sizeof buf);
    expect_open_fails(p, "ZIP 形式ではありません");
    const char *h = tmp_path("page.xlsx");
    const char *html = "\xEF\xBB\xBF<html><body><table><tr><td>1</td></tr></table></body></html>";
    write_file(h, html, strlen(html));
    expect_open_fails(h, "XML か HTML");
    /* "PK" and garbage: a zip signature but no zip */
    const char *pk = tmp_path("pk.xlsx");
    memcpy(buf, "PK\3\4", 4);
    write_file(pk, buf, sizeof buf);
    expect_open_fails(pk, "ZIP 形式として壊れています");
}

static void test_refuses_old_xls_and_encrypted_cfb(void **state)
{
    (void)state;
    unsigned char cfb[1536];
    memset(cfb, 0, sizeof cfb);
    const unsigned char magic[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    memcpy(cfb, magic, 8);
    const char *p = tmp_path("old.xls.xlsx");
    write_file(p, cfb, sizeof cfb);
    expect_open_fails(p, "古い形式の Excel ブック (.xls)");
    expect_open_fails(p, "パスワード");
}

static void test_refuses_truncated_copy(void **state)
{
    (void)state;
    const char *src = xlsxwriter_book();
    tk_buf b;
    read_whole(src, &b);
    const char *p = tmp_path("truncated.xlsx");
    write_file(p, b.data, b.len / 2);
    expect_open_fails(p, "ZIP 形式として壊れています");
    write_file(p, b.data, b.len - 10); /* only the end of the directory lost */
    expect_open_fails(p, "ZIP 形式として壊れています");
    tk_buf_free(&b);
}

/* Where entry name's compressed data starts in the zip file, and its size. */
static void entry_data_span(const char *zip, const char *name, size_t *off, size_t *len)
{
    unzFile u = unzOpen64(zip);
    assert_non_null(u);
    assert_int_equal(unzLocateFile(u, name, 1), UNZ_OK);
    unz_file_info64 fi;
    assert_int_equal(unzGetCurrentFileInfo64(u, &fi, NULL, 0, NULL, 0, NULL, 0), UNZ_OK);
    assert_int_equal(unzOpenCurrentFile(u), UNZ_OK);
    *off = (size_t)unzGetCurrentFileZStreamPos64(u);
    *len = (size_t)fi.compressed_size;
    unzCloseCurrentFile(u);
    unzClose(u);
}

static void test_refuses_flipped_byte_in_compressed_data(void **state)
{
    (void)state;
    const char *src = xlsxwriter_book();
    tk_buf b;
    read_whole(src, &b);
    size_t off, len;
    entry_data_span(src, "xl/workbook.xml", &off, &len);
    assert_true(len > 16 && off + len <= b.len);
    const char *p = tmp_path("flipped.xlsx");
    for (size_t k = 0; k < 3; k++) {
        size_t at = off + len * (k + 1) / 4;
        b.data[at] ^= 0x5A;
        write_file(p, b.data, b.len);
        b.data[at] ^= 0x5A;
        expect_open_fails(p, "ZIP 形式として壊れています");
    }
    /* In a sheet the damage shows when the sheet is read. */
    entry_data_span(src, "xl/worksheets/sheet1.xml", &off, &len);
    b.data[off + len / 2] ^= 0x01;
    write_file(p, b.data, b.len);
    expect_sheet_fails(p, "ZIP 形式として壊れています", NULL);
    tk_buf_free(&b);
}

static void test_refuses_bad_crc_of_valid_xml(void **state)
{
    (void)state;
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"
                                "<is><t>MARKERTEXT</t></is></c></row></sheetData></worksheet>";
    const char *p = tmp_path("crc.xlsx");
    book bk = {.sheet = sheet, .stored = true};
    book_write(p, &bk);
    tk_buf b;
    read_whole(p, &b);
    char *m = NULL;
    for (size_t i = 0; i + 10 <= b.len && !m; i++)
        if (memcmp(b.data + i, "MARKERTEXT", 10) == 0)
            m = b.data + i;
    assert_non_null(m);
    m[0] = 'N'; /* still well-formed XML, wrong CRC */
    write_file(p, b.data, b.len);
    tk_buf_free(&b);
    expect_sheet_fails(p, "CRC が一致しません", NULL);
}

static void test_refuses_ods_docx_and_plain_zips(void **state)
{
    (void)state;
    const zpart ods[] = {
        {"mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0},
        {"META-INF/manifest.xml", "<manifest/>", 0},
        {"content.xml", "<office:document-content/>", 0},
    };
    const char *p = tmp_path("calc.ods.xlsx");
    zip_write(p, ods, 3, 0);
    expect_open_fails(p, "OpenDocument スプレッドシート (.ods)");
    const zpart odt[] = {{"mimetype", "application/vnd.oasis.opendocument.text", 0}, {"content.xml", "<x/>", 0}};
    zip_write(p, odt, 2, 0);
    expect_open_fails(p, "OpenDocument 形式");
    const zpart docx[] = {{"[Content_Types].xml", "<Types/>", 0}, {"word/document.xml", "<w:document/>", 0}};
    zip_write(p, docx, 2, Z_DEFLATED);
    expect_open_fails(p, "Word 文書 (.docx)");
    expect_open_fails(p, "Excel ブック (.xlsx) ではありません");
    const zpart plain[] = {{"readme.txt", "hello", 0}};
    zip_write(p, plain, 1, Z_DEFLATED);
    expect_open_fails(p, "xl/workbook.xml がありません");
    const zpart xlsb[] = {{"xl/workbook.bin", "\1\2\3", 3}};
    zip_write(p, xlsb, 1, Z_DEFLATED);
    expect_open_fails(p, ".xlsb");
    zipFile z = zip_begin(p); /* an empty zip */
    zip_end(z);
    expect_open_fails(p, "ZIP の中身が空です");
}

static void test_refuses_too_many_entries(void **state)
{
    (void)state;
    const char *p = tmp_path("entries.xlsx");
    zipFile z = zip_begin(p);
    for (int i = 0; i < 2000; i++) {
        char name[32];
        snprintf(name, sizeof name, "xl/media/f%04d.txt", i);
        zip_add(z, name, "x", 1, 0);
    }
    zip_end(z);
    expect_open_fails(p, "ZIP のエントリが多すぎます (2000 個、上限 1000 個)");
}

static void test_refuses_duplicate_entries(void **state)
{
    (void)state;
    const char *p = tmp_path("dup.xlsx");
    const zpart extra[] = {{"xl/workbook.xml", XMLDECL "<workbook xmlns=\"" NS "\"/>", 0}};
    book b = {.sheet = XMLDECL "<worksheet xmlns=\"" NS "\"/>", .extra = extra, .nextra = 1};
    book_write(p, &b);
    expect_open_fails(p, "同じ名前のエントリ xl/workbook.xml が複数あります");
}

/* 200 MiB of zeros deflated with zlib in chunks (never held in memory):
 * the raw deflate stream (about 200 KB) and the CRC of the data. */
#define BOMB_BYTES (200u * 1024u * 1024u)
static tk_buf g_bomb;
static uLong g_bomb_crc;

static void bomb_stream(void)
{
    if (g_bomb.len)
        return;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    static unsigned char zeros[1u << 20];
    unsigned char out[1u << 16];
    uLong crc = crc32(0L, Z_NULL, 0);
    size_t chunks = BOMB_BYTES / sizeof zeros;
    for (size_t i = 0; i < chunks; i++) {
        crc = crc32(crc, zeros, sizeof zeros);
        zs.next_in = zeros;
        zs.avail_in = sizeof zeros;
        int flush = i + 1 == chunks ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = out;
            zs.avail_out = sizeof out;
            int rc = deflate(&zs, flush);
            assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
            tk_buf_append(&g_bomb, (const char *)out, sizeof out - zs.avail_out);
        } while (zs.avail_out == 0);
    }
    deflateEnd(&zs);
    g_bomb_crc = crc;
}

/* A book whose sheet1.xml is the bomb, declared as `declared` bytes. */
static void write_bomb_book(const char *path, uint64_t declared)
{
    bomb_stream();
    zipFile z = zip_begin(path);
    const char *wb = XMLDECL "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets>"
                             "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    const char *rels = XMLDECL "<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" RNS
                               "/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
    zip_add(z, "xl/workbook.xml", wb, strlen(wb), Z_DEFLATED);
    zip_add(z, "xl/_rels/workbook.xml.rels", rels, strlen(rels), Z_DEFLATED);
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    assert_int_equal(zipOpenNewFileInZip2_64(z, "xl/worksheets/sheet1.xml", &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                             9, 1 /* raw */, declared >= 0xFFFFFFFFu),
                     ZIP_OK);
    for (size_t off = 0; off < g_bomb.len; off += 65536) {
        size_t n = g_bomb.len - off < 65536 ? g_bomb.len - off : 65536;
        assert_int_equal(zipWriteInFileInZip(z, g_bomb.data + off, (unsigned)n), ZIP_OK);
    }
    assert_int_equal(zipCloseFileInZipRaw64(z, declared, g_bomb_crc), ZIP_OK);
    zip_end(z);
}

static void test_refuses_zip_bomb(void **state)
{
    (void)state;
    const char *p = tmp_path("bomb.xlsx");
    write_bomb_book(p, BOMB_BYTES);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_true(st.st_size < 1024 * 1024);
    expect_open_fails(p, "ZIP 爆弾の疑い");
    expect_open_fails(p, "圧縮率が異常です");
    /* With a part limit above 200 MiB the ratio alone refuses it. */
    tk_xlsx_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_part_bytes = 300u * 1024u * 1024u;
    expect_open_fails_lim(p, &lim, "圧縮率が異常です");
}

static void test_refuses_zip_bomb_that_lies_about_its_size(void **state)
{
    (void)state;
    /* The directory says 100 KB: inflating stops there and the CRC fails. */
    const char *p = tmp_path("liar.xlsx");
    write_bomb_book(p, 100000);
    expect_sheet_fails(p, "ZIP 形式として壊れています", NULL);
}

static const char *LAUGHS =
    "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>";

static void test_refuses_billion_laughs(void **state)
{
    (void)state;
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_puts(&s, XMLDECL);
    tk_buf_puts(&s, LAUGHS);
    tk_buf_puts(&s, "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t>"
                    "</is></c></row></sheetData></worksheet>");
    got g;
    memset(&g, 0, sizeof g);
    expect_sheet_fails(simple_book("laughs.xlsx", s.data, NULL), "DOCTYPE", &g);
    assert_int_equal(g.n, 0);
    got_free(&g);
    /* The same in workbook.xml refuses the whole file. */
    tk_buf_reset(&s);
    tk_buf_puts(&s, XMLDECL "<!-- a comment first -->\n<?pi x?>");
    tk_buf_puts(&s, LAUGHS);
    tk_buf_puts(&s, "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets><sheet name=\"&lol9;\" sheetId=\"1\" r:id=\"rId1\"/>"
                    "</sheets></workbook>");
    const char *p = tmp_path("laughs-wb.xlsx");
    book b = {.workbook = s.data, .sheet = XMLDECL "<worksheet xmlns=\"" NS "\"/>"};
    book_write(p, &b);
    expect_open_fails(p, "xl/workbook.xml に DOCTYPE 宣言があります");
    tk_buf_free(&s);
}

static bool no_passwd(const got *g)
{
    for (size_t i = 0; i < g->n; i++)
        if (strstr(g->v[i].text, "root:"))
            return false;
    return true;
}

static void test_refuses_external_entities(void **state)
{
    (void)state;
    const char *xxe = "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>";
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_puts(&s, XMLDECL);
    tk_buf_puts(&s, xxe);
    tk_buf_puts(&s, "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&xxe;</t>"
                    "</is></c></row></sheetData></worksheet>");
    got g;
    memset(&g, 0, sizeof g);
    expect_sheet_fails(simple_book("xxe.xlsx", s.data, NULL), "DOCTYPE", &g);
    assert_true(no_passwd(&g));
    got_free(&g);
    /* In the shared strings: the file does not open. */
    tk_buf_reset(&s);
    tk_buf_puts(&s, XMLDECL);
    tk_buf_puts(&s, xxe);
    tk_buf_puts(&s, "<sst xmlns=\"" NS "\"><si><t>&xxe;</t></si></sst>");
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
                                "</row></sheetData></worksheet>";
    expect_open_fails(simple_book("xxe-sst.xlsx", sheet, s.data), "xl/sharedStrings.xml に DOCTYPE 宣言があります");
    /* A parameter entity and an external DTD, without a BOM or declaration. */
    tk_buf_reset(&s);
    tk_buf_puts(&s, "<!DOCTYPE worksheet SYSTEM \"http://127.0.0.1:9/evil.dtd\"><worksheet xmlns=\"" NS "\"/>");
    expect_sheet_fails(simple_book("xxe-dtd.xlsx", s.data, NULL), "DOCTYPE", NULL);
    /* The same in UTF-16LE with a BOM. */
    const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "
                        "\"file:///etc/passwd\">]><worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" "
                        "t=\"inlineStr\"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>";
    tk_buf_reset(&s);
    tk_buf_append(&s, "\xFF\xFE", 2);
    for (const char *q = ascii; *q; q++) {
        tk_buf_putc(&s, *q);
        tk_buf_append(&s, "", 1);
    }
    book b = {.sheet = s.data, .sheet_len = s.len};
    const char *p = tmp_path("xxe16.xlsx");
    book_write(p, &b);
    memset(&g, 0, sizeof g);
    expect_sheet_fails(p, "DOCTYPE", &g);
    assert_true(no_passwd(&g));
    got_free(&g);
    tk_buf_free(&s);
}

static void test_reads_utf16_parts(void **state)
{
    (void)state;
    /* UTF-16 is legal XML: without a DOCTYPE it reads. */
    const char *ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\">"
                        "<c r=\"A1\"><v>12</v></c></row></sheetData></worksheet>";
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_append(&s, "\xFE\xFF", 2);
    for (const char *q = ascii; *q; q++) {
        tk_buf_append(&s, "", 1);
        tk_buf_putc(&s, *q);
    }
    book b = {.sheet = s.data, .sheet_len = s.len};
    const char *p = tmp_path("utf16.xlsx");
    book_write(p, &b);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(p, &d);
    got g;
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_number_cell(&g, "A1", 12, false);
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
    tk_buf_free(&s);
}

/* Character references (openpyxl writes every Japanese character as one)
 * mean the same whether the part is read whole (where they are turned into
 * UTF-8 before libxml2 reads them) or streamed: in content and attribute
 * values; literal in CDATA; never markup; never turning bad XML good. */
static void test_character_references(void **state)
{
    (void)state;
    const char *wb = XMLDECL "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets>"
                             "<sheet name=\"&#22238;&#x7B54;\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    const char *sheet =
        XMLDECL "<!-- &#23550; in a comment --><?pi &#23550;?>"
                "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\">"
                "<c r=\"A1\" t=\"inlineStr\"><is><t>&#23550;&#x7B56;&#22522;&#28310; 6.1(8)&#9312;</t></is></c>"
                "<c r=\"B1\" t=\"inlineStr\"><is><t>&#60;b&#62; &amp; &#38;#23550; &#x1F600;</t></is></c>"
                "<c r=\"C1\" t=\"inlineStr\"><is><t><![CDATA[&#23550;]]>&#23550;</t></is></c>"
                "<c r=\"D1\" t=\"inlineStr\"><is><t>&#00023550;&#X5BFE;</t></is></c>"
                "<c r=\"E1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">&#10;&#12354;&#13;</t></is></c>"
                "</row></sheetData></worksheet>";
    book b = {.workbook = wb, .sheet = sheet};
    const char *p = tmp_path("refs.xlsx");
    book_write(p, &b);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(p, &d);
    assert_string_equal(tk_xlsx_sheet_name(x, 0), "回答");
    got g;
    memset(&g, 0, sizeof g);
    /* &#X5BFE; (capital X) is no reference: libxml2 refuses the part */
    assert_false(tk_xlsx_read_sheet(x, 0, collect, &g, &d));
    assert_true(has_diag(&d, "XML の形式が正しくありません"));
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);

    char *fixed = tk_xstrdup(sheet);
    char *bad = strstr(fixed, "&#X5BFE;");
    memcpy(bad, "&#x5BFE;", 8);
    b.sheet = fixed;
    book_write(p, &b);
    tk_diags_init(&d);
    x = open_ok(p, &d);
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_string_cell(&g, "A1", "対策基準 6.1(8)①");
    assert_string_cell(&g, "B1", "<b> & &#23550; \xF0\x9F\x98\x80");
    assert_string_cell(&g, "C1", "&#23550;対");
    assert_string_cell(&g, "D1", "対対");
    assert_string_cell(&g, "E1", "\nあ\r");
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
    free(fixed);

    /* a reference where a name belongs, or to what is no character, stays
     * an error */
    const char *bad_sheets[] = {
        "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t&#23550;>x</t&#23550;></is></c>"
        "</row></sheetData></worksheet>",
        "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" &#23550;=\"1\"><v>1</v></c>"
        "</row></sheetData></worksheet>",
        "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&#xD800;</t></is></c>"
        "</row></sheetData></worksheet>",
        "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&#xFFFE;</t></is></c>"
        "</row></sheetData></worksheet>",
        "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&#23550</t></is></c>"
        "</row></sheetData></worksheet>",
    };
    for (size_t i = 0; i < sizeof bad_sheets / sizeof *bad_sheets; i++) {
        book bb = {.sheet = bad_sheets[i]};
        book_write(p, &bb);
        tk_diags_init(&d);
        x = open_ok(p, &d);
        memset(&g, 0, sizeof g);
        if (tk_xlsx_read_sheet(x, 0, collect, &g, &d))
            fail_msg("bad sheet %zu was read", i);
        assert_true(has_diag(&d, "XML の形式が正しくありません"));
        got_free(&g);
        tk_xlsx_close(x);
        tk_diags_free(&d);
    }

    /* a part in another encoding keeps its references as they are */
    const char *latin =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\">"
        "<c r=\"A1\" t=\"inlineStr\"><is><t>&#233;t\xE9 &#23550;</t></is></c></row></sheetData></worksheet>";
    book bl = {.sheet = latin};
    book_write(p, &bl);
    tk_diags_init(&d);
    x = open_ok(p, &d);
    memset(&g, 0, sizeof g);
    read_ok(x, 0, &g, &d);
    assert_string_cell(&g, "A1", "été 対");
    got_free(&g);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

/* Both ways of reading a part agree on any text made of the pieces that
 * matter to the references' decoding (a differential fuzz): the same cells,
 * or both refuse. */
typedef struct both {
    bool ok;
    got g;
} both;

static void read_with(const char *p, size_t whole, both *out)
{
    tk_xlsx_limits l;
    memset(&l, 0, sizeof l);
    l.whole_part_bytes = whole;
    tk_diags d;
    tk_diags_init(&d);
    memset(out, 0, sizeof *out);
    tk_xlsx *x = tk_xlsx_open(p, &l, &d);
    out->ok = x && tk_xlsx_read_sheet(x, 0, collect, &out->g, &d);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

static void test_references_read_the_same_both_ways(void **state)
{
    (void)state;
    static const char *const piece[] = {
        "&#23550;", "&#x7B56;", "&#9312;", "&#60;", "&#62;", "&#38;", "&amp;", "&lt;", "&#128512;", "&#x1F600;",
        "&#00023550;", "&#1234567;", "&#0;", "&#xD800;", "&#xFFFE;", "&#65535;", "&#127;", "&#128;", "&#10;",
        "&#", "&#x", "&#;", "&", ";", "#", "x", "<![CDATA[", "]]>", "<!--", "-->", "-", "<?p ", "?>", "\"", "'",
        ">", "<", "/", "=", " ", "\n", "対", "a", "<b>", "</b>", "<t>", "</t>", "<!X>", "1",
    };
    const size_t npiece = sizeof piece / sizeof *piece;
    uint32_t seed = 20261123;
    const char *p = tmp_path("both.xlsx");
    size_t agreed_ok = 0, agreed_bad = 0;
    for (int round = 0; round < 400; round++) {
        tk_buf body;
        tk_buf_init(&body);
        bool in_attr = round % 3 == 0;
        tk_buf_puts(&body, "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"");
        tk_buf_puts(&body, in_attr ? " x=\"" : "><is><t>");
        int n = 1 + (int)(seed % 12);
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            tk_buf_puts(&body, piece[(seed >> 8) % npiece]);
        }
        tk_buf_puts(&body, in_attr ? "\"><is><t>x</t></is></c>" : "</t></is></c>");
        tk_buf_puts(&body, "</row></sheetData></worksheet>");
        book b = {.sheet = body.data};
        book_write(p, &b);
        both w, st;
        read_with(p, 0, &w);
        read_with(p, 1, &st);
        if (w.ok != st.ok)
            fail_msg("round %d: read whole %s, streamed %s: %s", round, w.ok ? "ok" : "refused",
                     st.ok ? "ok" : "refused", body.data);
        if (w.ok) {
            assert_int_equal(w.g.n, st.g.n);
            for (size_t i = 0; i < w.g.n; i++)
                if (strcmp(w.g.v[i].text, st.g.v[i].text))
                    fail_msg("round %d: \"%s\" read whole, \"%s\" streamed: %s", round, w.g.v[i].text, st.g.v[i].text,
                             body.data);
            agreed_ok++;
        } else {
            agreed_bad++;
        }
        got_free(&w.g);
        got_free(&st.g);
        tk_buf_free(&body);
    }
    /* both kinds of outcome were exercised */
    assert_true(agreed_ok > 20);
    assert_true(agreed_bad > 20);
}

static void test_refuses_a_cell_of_40000_characters(void **state)
{
    (void)state;
    tk_buf t;
    tk_buf_init(&t);
    for (int i = 0; i < 40000; i++)
        tk_buf_puts(&t, "あ");
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_puts(&s, XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"12\"><c r=\"A12\"><v>1</v></c>"
                            "<c r=\"B12\" t=\"inlineStr\"><is><t>");
    tk_buf_append(&s, t.data, t.len);
    tk_buf_puts(&s, "</t></is></c><c r=\"C12\"><v>3</v></c></row></sheetData></worksheet>");
    got g;
    memset(&g, 0, sizeof g);
    const char *p = simple_book("long.xlsx", s.data, NULL);
    expect_sheet_fails(p, "セル B12 の文字数が 40000 文字あります。32767 文字以内にしてください", &g);
    expect_sheet_fails(p, "Sheet1!B12", NULL);
    assert_int_equal(g.n, 2); /* A12 and C12 */
    got_free(&g);

    /* The same text as a shared string. */
    tk_buf sst;
    tk_buf_init(&sst);
    tk_buf_puts(&sst, XMLDECL "<sst xmlns=\"" NS "\"><si><t>");
    tk_buf_append(&sst, t.data, t.len);
    tk_buf_puts(&sst, "</t></si></sst>");
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"3\"><c r=\"D3\" t=\"s\"><v>0</v></c>"
                                "</row></sheetData></worksheet>";
    expect_sheet_fails(simple_book("long-sst.xlsx", sheet, sst.data), "セル D3 の文字数が 40000 文字あります", NULL);

    /* Far longer than the limit: refused without keeping it all. */
    tk_buf_reset(&s);
    tk_buf_puts(&s, XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"str\"><v>");
    for (int i = 0; i < 8; i++)
        tk_buf_append(&s, t.data, t.len);
    tk_buf_puts(&s, "</v></c></row></sheetData></worksheet>");
    expect_sheet_fails(simple_book("longer.xlsx", s.data, NULL), "セル A1 の文字数が 32767 文字を超えています", NULL);
    tk_buf_free(&sst);
    tk_buf_free(&t);
    tk_buf_free(&s);
}

static void test_refuses_deep_nesting(void **state)
{
    (void)state;
    tk_buf s;
    tk_buf_init(&s);
    tk_buf_puts(&s, XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData>");
    for (int i = 0; i < 100000; i++)
        tk_buf_puts(&s, "<a>");
    for (int i = 0; i < 100000; i++)
        tk_buf_puts(&s, "</a>");
    tk_buf_puts(&s, "</sheetData></worksheet>");
    expect_sheet_fails(simple_book("deep.xlsx", s.data, NULL), "入れ子が深すぎます", NULL);
    /* In styles.xml the file does not open. */
    tk_buf_reset(&s);
    tk_buf_puts(&s, XMLDECL "<styleSheet xmlns=\"" NS "\">");
    for (int i = 0; i < 100000; i++)
        tk_buf_puts(&s, "<a>");
    for (int i = 0; i < 100000; i++)
        tk_buf_puts(&s, "</a>");
    tk_buf_puts(&s, "</styleSheet>");
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"/>";
    const char *path = tmp_path("deep-styles.xlsx");
    book b = {.sheet = sheet, .styles = s.data};
    book_write(path, &b);
    expect_open_fails(path, "入れ子が深すぎます");
    tk_buf_free(&s);
}

static void test_refuses_malformed_xml_and_reports_every_part(void **state)
{
    (void)state;
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>";
    expect_sheet_fails(simple_book("malformed.xlsx", sheet, NULL), "XML の形式が正しくありません", NULL);
    const char *wrong_root = XMLDECL "<worksheet xmlns=\"urn:not-spreadsheetml\"/>";
    expect_sheet_fails(simple_book("root.xlsx", wrong_root, NULL), "最上位の要素が <worksheet> ではありません", NULL);
    const char *not_xml = "PK\3\4 this is not xml";
    expect_sheet_fails(simple_book("notxml.xlsx", not_xml, NULL), "XML ではありません", NULL);
    /* Broken shared strings and broken styles: both reported. */
    const char *path = tmp_path("twobad.xlsx");
    book b = {.sheet = XMLDECL "<worksheet xmlns=\"" NS "\"/>",
              .sst = XMLDECL "<sst xmlns=\"" NS "\"><si><t>x</si></sst>",
              .styles = XMLDECL "<styleSheet xmlns=\"" NS "\"><cellXfs><xf numFmtId=\"abc\"/></cellXfs></styleSheet>"};
    book_write(path, &b);
    tk_diags d;
    tk_diags_init(&d);
    assert_null(xopen(path, NULL, &d));
    assert_diag(&d, "xl/sharedStrings.xml の XML の形式が正しくありません");
    assert_diag(&d, "numFmtId が正しくありません");
    assert_diags_named(&d, path);
    tk_diags_free(&d);
}

static void test_refuses_targets_outside_the_workbook(void **state)
{
    (void)state;
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"/>";
    struct {
        const char *target, *mode, *needle;
    } cases[] = {
        {"../evil.xml", NULL, "\"..\""},
        {"worksheets/../../evil.xml", NULL, "\"..\""},
        {"/docProps/app.xml", NULL, "外を指しています"},
        {"/_rels/.rels", NULL, "外を指しています"},
        {"file:///etc/passwd", NULL, "使えない文字"},
        {"worksheets\\sheet1.xml", NULL, "使えない文字"},
        {"worksheets//sheet1.xml", NULL, "空の区切り"},
        {"worksheets/sheet1.xml", "External", "ブックの外"},
        {"worksheets/missing.xml", NULL, "xl/worksheets/missing.xml が ZIP の中にありません"},
    };
    const zpart extra[] = {{"docProps/app.xml", "<Properties/>", 0}, {"evil.xml", "<worksheet/>", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rels[1024];
        snprintf(rels, sizeof rels,
                 XMLDECL "<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" RNS
                         "/worksheet\" Target=\"%s\"%s%s%s/></Relationships>",
                 cases[i].target, cases[i].mode ? " TargetMode=\"" : "", cases[i].mode ? cases[i].mode : "",
                 cases[i].mode ? "\"" : "");
        const char *p = tmp_path("target.xlsx");
        book b = {.wb_rels = rels, .sheet = sheet, .extra = extra, .nextra = 2};
        book_write(p, &b);
        expect_open_fails(p, cases[i].needle);
    }
    /* Workbook problems are all reported: a missing r:id, an unknown state
     * and a duplicate name. */
    const char *wb = XMLDECL "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets>"
                             "<sheet name=\"A\" sheetId=\"1\" r:id=\"rId1\" state=\"invisible\"/>"
                             "<sheet name=\"a\" sheetId=\"2\" r:id=\"rId1\"/><sheet name=\"B\" sheetId=\"3\"/>"
                             "<sheet name=\"C\" sheetId=\"4\" r:id=\"rId99\"/></sheets></workbook>";
    const char *p = tmp_path("wbprobs.xlsx");
    book b = {.workbook = wb, .sheet = sheet};
    book_write(p, &b);
    tk_diags d;
    tk_diags_init(&d);
    assert_null(xopen(p, NULL, &d));
    assert_diag(&d, "state=\"invisible\" が不明です");
    assert_diag(&d, "シート名 a が重複しています");
    assert_diag(&d, "シート B に参照 (r:id) がありません");
    assert_diag(&d, "シート C の参照 rId99 が xl/_rels/workbook.xml.rels にありません");
    assert_int_equal(d.errors, 4);
    tk_diags_free(&d);
    /* No relationships at all. */
    const char *p2 = tmp_path("norels.xlsx");
    const zpart parts[] = {{"xl/workbook.xml", XMLDECL "<workbook xmlns=\"" NS "\"><sheets/></workbook>", 0}};
    zip_write(p2, parts, 1, Z_DEFLATED);
    expect_open_fails(p2, "xl/_rels/workbook.xml.rels がありません");
}

static void test_refuses_encrypted_entries_and_too_many_rows(void **state)
{
    (void)state;
    /* A zip entry with the "encrypted" flag, made with minizip's password
     * support. */
    const char *p = tmp_path("zipcrypto.xlsx");
    zipFile z = zip_begin(p);
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    const char *wb = XMLDECL "<workbook xmlns=\"" NS "\"/>";
    assert_int_equal(zipOpenNewFileInZip3_64(z, "xl/workbook.xml", &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 0,
                                             -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, "secret", crc32(0, (const Bytef *)wb,
                                                                                              (uInt)strlen(wb)),
                                             0),
                     ZIP_OK);
    assert_int_equal(zipWriteInFileInZip(z, wb, (unsigned)strlen(wb)), ZIP_OK);
    assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
    zip_end(z);
    expect_open_fails(p, "暗号化されています");

    tk_buf s;
    tk_buf_init(&s);
    tk_buf_puts(&s, XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData>");
    for (int i = 0; i < 120; i++)
        tk_buf_puts(&s, "<row><c><v>1</v></c></row>");
    tk_buf_puts(&s, "</sheetData></worksheet>");
    tk_xlsx_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_rows = 100;
    expect_sheet_fails_lim(simple_book("rows.xlsx", s.data, NULL), &lim, "行が多すぎます (上限 100 行)", NULL);
    tk_buf_free(&s);
}

/* The identity sheet: keys, then the rows after "seq"; a whole number as
 * its digits however the writer spelled it, any other number as written. */
static void test_identity_sheet_numbers_read_as_digits(void **state)
{
    (void)state;
    const char *wb = XMLDECL "<workbook xmlns=\"" NS "\" xmlns:r=\"" RNS "\"><sheets>"
                             "<sheet name=\"_tenken\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/></sheets></workbook>";
    const char *sheet = XMLDECL "<worksheet xmlns=\"" NS "\"><sheetData>"
                                "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>year</t></is></c><c r=\"B1\"><v>2026.0</v></c></row>"
                                "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>twelve</t></is></c><c r=\"B2\"><v>1.2E1</v></c></row>"
                                "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>neg</t></is></c><c r=\"B3\"><v>-7</v></c></row>"
                                "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>negzero</t></is></c><c r=\"B4\"><v>-0</v></c></row>"
                                "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>half</t></is></c><c r=\"B5\"><v>1.5</v></c></row>"
                                "<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>big</t></is></c><c r=\"B6\"><v>999999999999999</v></c>"
                                "<c r=\"C6\" t=\"inlineStr\"><is><t>B9</t></is></c></row>"
                                "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>seq</t></is></c></row>"
                                "<row r=\"8\"><c r=\"A8\"><v>1</v></c><c r=\"B8\" t=\"inlineStr\"><is><t>i-1</t></is></c>"
                                "<c r=\"D8\"><v>5.0</v></c></row>"
                                "<row r=\"9\"><c r=\"A9\"><v>2E0</v></c><c r=\"D9\"><v>1E15</v></c></row>"
                                "</sheetData></worksheet>";
    const char *p = tmp_path("identity_numbers.xlsx");
    book b = {.workbook = wb, .sheet = sheet};
    book_write(p, &b);
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = open_ok(p, &d);
    tk_arena *a = tk_arena_new();
    tk_xlsx_identity id;
    assert_int_equal(tk_xlsx_identity_read(x, a, &id, &d), 1);
    assert_string_equal(tk_xlsx_identity_get(&id, "year"), "2026");
    assert_string_equal(tk_xlsx_identity_get(&id, "twelve"), "12");
    assert_string_equal(tk_xlsx_identity_get(&id, "neg"), "-7");
    assert_string_equal(tk_xlsx_identity_get(&id, "negzero"), "-0");
    assert_string_equal(tk_xlsx_identity_get(&id, "half"), "1.5");
    assert_string_equal(tk_xlsx_identity_get(&id, "big"), "999999999999999");
    assert_string_equal(tk_strmap_get(&id.kv3, "big"), "B9");
    assert_int_equal(id.nrows, 2);
    assert_string_equal(id.rows[0].cell[0], "1");
    assert_string_equal(id.rows[0].cell[1], "i-1");
    assert_string_equal(id.rows[0].cell[2], "");
    assert_string_equal(id.rows[0].cell[3], "5");
    assert_string_equal(id.rows[1].cell[0], "2");
    assert_string_equal(id.rows[1].cell[3], "1E15"); /* not below 1e15: as written */
    assert_int_equal(d.count, 0);
    tk_xlsx_identity_free(&id);
    tk_arena_free(a);
    tk_xlsx_close(x);
    tk_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_ref_round_trip),
        cmocka_unit_test(test_number_formats_that_are_dates),
        cmocka_unit_test(test_xlsxwriter_workbook),
        cmocka_unit_test(test_callback_can_stop_early),
        cmocka_unit_test(test_limits_are_applied),
        cmocka_unit_test(test_openpyxl_fixture),
        cmocka_unit_test(test_libreoffice_fixture),
        cmocka_unit_test(test_open_from_memory),
        cmocka_unit_test(test_openpyxl_1904_dates),
        cmocka_unit_test(test_rich_text_and_phonetic_runs),
        cmocka_unit_test(test_cell_types_and_positions_without_r),
        cmocka_unit_test(test_strict_namespace_absolute_targets_and_custom_properties),
        cmocka_unit_test(test_reports_every_bad_cell_and_passes_the_good_ones),
        cmocka_unit_test(test_refuses_cells_and_rows_out_of_order),
        cmocka_unit_test(test_refuses_missing_empty_and_non_files),
        cmocka_unit_test(test_refuses_random_bytes_and_html),
        cmocka_unit_test(test_refuses_old_xls_and_encrypted_cfb),
        cmocka_unit_test(test_refuses_truncated_copy),
        cmocka_unit_test(test_refuses_flipped_byte_in_compressed_data),
        cmocka_unit_test(test_refuses_bad_crc_of_valid_xml),
        cmocka_unit_test(test_refuses_ods_docx_and_plain_zips),
        cmocka_unit_test(test_refuses_too_many_entries),
        cmocka_unit_test(test_refuses_duplicate_entries),
        cmocka_unit_test(test_refuses_zip_bomb),
        cmocka_unit_test(test_refuses_zip_bomb_that_lies_about_its_size),
        cmocka_unit_test(test_refuses_billion_laughs),
        cmocka_unit_test(test_refuses_external_entities),
        cmocka_unit_test(test_reads_utf16_parts),
        cmocka_unit_test(test_character_references),
        cmocka_unit_test(test_refuses_a_cell_of_40000_characters),
        cmocka_unit_test(test_refuses_deep_nesting),
        cmocka_unit_test(test_refuses_malformed_xml_and_reports_every_part),
        cmocka_unit_test(test_refuses_targets_outside_the_workbook),
        cmocka_unit_test(test_refuses_encrypted_entries_and_too_many_rows),
    };
    int rc = cmocka_run_group_tests_name("parts read whole", tests, group_setup, group_teardown);
    g_stream = true;
    rc |= cmocka_run_group_tests_name("parts streamed", tests, group_setup, group_teardown);
    const struct CMUnitTest both_ways[] = {
        cmocka_unit_test(test_references_read_the_same_both_ways),
        cmocka_unit_test(test_identity_sheet_numbers_read_as_digits),
    };
    rc |= cmocka_run_group_tests_name("both ways", both_ways, group_setup, group_teardown);
    tk_buf_free(&g_bomb);
    return rc;
}
