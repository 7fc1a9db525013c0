/* test_stamp.c — workbooks stamped from a master (xlsx_stamp.h) are, part
 * by part, the bytes tk_xlsx_write writes. Whole campaigns are generated
 * twice, once with every workbook written by libxlsxwriter (no_stamp) and
 * once stamped, and every unzipped member of every workbook compared (the
 * random token and the time of the run set aside). The organisations have
 * department names that need escaping (& < > " '), full-width and
 * compatibility characters, names long enough to wrap on the cover and push
 * the page headers past Excel's 255 characters, and departments of the same
 * roles, so that masters are made and used; kinds self (whole and per
 * role), audit, staff, the second year (last year's answers and plans on
 * the rows) and the follow-up. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include "testutil.h"

#include <limits.h>
#include <unzip.h>

#include "tenken/generate.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/xlsx_stamp.h"

/* ---- an organisation with awkward names ---- */

typedef struct dept {
    const char *code, *name;
    int roles; /* 0: a 課; 1: a 課 that runs systems; 2: the CISO's; 3: the auditors' */
} dept;

static const char *const ROLES[4] = {
    "職員等 情報セキュリティ管理者 情報セキュリティ担当者",
    "職員等 情報セキュリティ管理者 情報セキュリティ担当者 情報システム管理者 情報システム担当者 クラウドサービス管理者",
    "職員等 情報セキュリティ管理者 最高情報セキュリティ責任者 統括情報セキュリティ責任者 情報セキュリティ責任者 "
    "情報セキュリティ委員会 CSIRT",
    "職員等 情報セキュリティ管理者 監査を行う者",
};

static void put_xml(tk_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            tk_buf_puts(b, "&amp;");
            break;
        case '<':
            tk_buf_puts(b, "&lt;");
            break;
        case '>':
            tk_buf_puts(b, "&gt;");
            break;
        case '"':
            tk_buf_puts(b, "&quot;");
            break;
        default:
            tk_buf_putc(b, *s);
        }
    }
}

static void copy_file(const char *from, const char *to)
{
    tk_buf b;
    assert_int_equal(tk_file_read(from, 256u << 20, &b), 0);
    assert_int_equal(tk_file_write_atomic(to, b.data, b.len, true), 0);
    tk_buf_free(&b);
}

/* DIR/org/{checklist,org}.xml: 志免町's checklist and these departments;
 * the folder (free it). */
static char *write_org(const char *dir, const dept *deps, size_t n)
{
    size_t size = strlen(dir) + 8;
    char *org = tk_xmalloc(size);
    snprintf(org, size, "%s/org", dir);
    assert_int_equal(tk_mkdirs(org), 0);
    tk_buf f;
    tk_buf_init(&f);
    tk_buf_printf(&f, "%s/checklist.xml", org);
    copy_file("checklists/shime/checklist.xml", f.data);
    tk_buf src;
    assert_int_equal(tk_file_read("checklists/shime/org.xml", 1u << 20, &src), 0);
    const char *first = strstr(src.data, "  <department ");
    assert_non_null(first);
    tk_buf x;
    tk_buf_init(&x);
    tk_buf_append(&x, src.data, (size_t)(first - src.data));
    for (size_t i = 0; i < n; i++) {
        tk_buf_printf(&x, "  <department code=\"%s\" name=\"", deps[i].code);
        put_xml(&x, deps[i].name);
        tk_buf_puts(&x, "\">\n");
        const char *r = ROLES[deps[i].roles], *w;
        size_t len;
        while (tk_word_next(&r, &w, &len))
            tk_buf_printf(&x, "    <holds role=\"%.*s\"/>\n", (int)len, w);
        tk_buf_puts(&x, "  </department>\n");
    }
    tk_buf_puts(&x, "</org>\n");
    tk_buf_reset(&f);
    tk_buf_printf(&f, "%s/org.xml", org);
    assert_int_equal(tk_file_write_atomic(f.data, x.data, x.len, true), 0);
    tk_buf_free(&x);
    tk_buf_free(&src);
    tk_buf_free(&f);
    return org;
}


/* ---- generating both ways ---- */

typedef struct run {
    char out[PATH_MAX], db[PATH_MAX + 16];
    tk_diags d;
    tk_generate_result res;
    char now[64];
} run;

typedef struct round {
    const char *org, *kind, *roster;
    int year, jobs;
    bool split_role;
    const char *const *want_stamped; /* codes that must be stamped, NULL-ended */
    const char *const *departments;  /* NULL: all */
    size_t ndepartments;
} round;

static void db_text(const char *db, const char *sql, char *out, size_t n)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(h);
}

static void generate(run *r, const round *rd, bool stamp)
{
    tk_generate_opts o;
    memset(&o, 0, sizeof o);
    o.org = rd->org;
    o.year = rd->year;
    o.kind = rd->kind;
    o.roster = rd->roster;
    o.split_role = rd->split_role;
    o.departments = rd->departments;
    o.ndepartments = rd->ndepartments;
    o.deadline = "2027-01-29";
    o.out_dir = r->out;
    o.db_path = r->db;
    o.jobs = rd->jobs;
    o.no_stamp = !stamp;
    tk_diags_init(&r->d);
    int rc = tk_generate_run(&o, &r->d, &r->res);
    if (rc != TK_EXIT_OK)
        tk_diags_print(&r->d, stderr);
    assert_int_equal(rc, TK_EXIT_OK);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT MAX(created_at) FROM workbook WHERE campaign_id = %lld",
             (long long)r->res.campaign_id);
    db_text(r->db, sql, r->now, sizeof r->now);
}

/* ---- comparing ---- */

typedef struct part {
    char name[512];
    tk_buf data;
} part;

static size_t read_parts(const char *path, part *parts, size_t max)
{
    unzFile uf = unzOpen64(path);
    assert_non_null(uf);
    size_t n = 0;
    for (int rc = unzGoToFirstFile(uf); rc == UNZ_OK; rc = unzGoToNextFile(uf)) {
        assert_true(n < max);
        unz_file_info64 fi;
        part *p = &parts[n++];
        assert_int_equal(unzGetCurrentFileInfo64(uf, &fi, p->name, sizeof p->name, NULL, 0, NULL, 0), UNZ_OK);
        tk_buf_init(&p->data);
        char *data = tk_xmalloc(fi.uncompressed_size + 1);
        assert_int_equal(unzOpenCurrentFile(uf), UNZ_OK); /* checks the CRC when closed */
        assert_int_equal(unzReadCurrentFile(uf, data, (unsigned)fi.uncompressed_size), (int)fi.uncompressed_size);
        assert_int_equal(unzCloseCurrentFile(uf), UNZ_OK);
        tk_buf_append(&p->data, data, fi.uncompressed_size);
        free(data);
    }
    unzClose(uf);
    return n;
}

/* Every occurrence of from (as long as to) in b made to. */
static void replace_all(tk_buf *b, const char *from, const char *to)
{
    size_t n = strlen(from);
    assert_int_equal(strlen(to), n);
    for (char *p = b->data; p && (p = strstr(p, from)); p += n)
        memcpy(p, to, n);
}

/* The document's creation time blanked. */
static void blank_times(tk_buf *b)
{
    static const char *const tags[2] = {"<dcterms:created xsi:type=\"dcterms:W3CDTF\">",
                                        "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">"};
    for (int i = 0; i < 2; i++)
        for (char *p = b->data; p && (p = strstr(p, tags[i])); p++)
            for (char *q = p + strlen(tags[i]); *q && *q != '<'; q++)
                *q = 'T';
}

#define PARTS_MAX 512

/* Every member of every workbook of b, unzipped, is that of a (b's token
 * and time made a's). */
static void assert_same_workbooks(const run *a, const run *b)
{
    assert_int_equal(a->res.nworkbooks, b->res.nworkbooks);
    part *pa = tk_xcalloc(PARTS_MAX, sizeof *pa), *pb = tk_xcalloc(PARTS_MAX, sizeof *pb);
    for (size_t i = 0; i < a->res.nworkbooks; i++) {
        const tk_generate_workbook *wa = &a->res.workbooks[i], *wb = &b->res.workbooks[i];
        assert_string_equal(wa->code, wb->code);
        size_t na = read_parts(wa->file, pa, PARTS_MAX), nb = read_parts(wb->file, pb, PARTS_MAX);
        assert_int_equal(na, nb);
        for (size_t k = 0; k < na; k++) {
            assert_string_equal(pa[k].name, pb[k].name);
            replace_all(&pb[k].data, wb->token, wa->token);
            if (strlen(a->now) == strlen(b->now))
                replace_all(&pb[k].data, b->now, a->now);
            blank_times(&pa[k].data);
            blank_times(&pb[k].data);
            if (pa[k].data.len != pb[k].data.len || memcmp(pa[k].data.data, pb[k].data.data, pa[k].data.len)) {
                size_t at = 0;
                while (at < pa[k].data.len && at < pb[k].data.len && pa[k].data.data[at] == pb[k].data.data[at])
                    at++;
                size_t from = at > 160 ? at - 160 : 0;
                fail_msg("%s %s: the stamped part differs at byte %zu\n written: %.320s\n stamped: %.320s", wa->file,
                         pa[k].name, at, pa[k].data.data + from, pb[k].data.data + from);
            }
        }
        for (size_t k = 0; k < na; k++) {
            tk_buf_free(&pa[k].data);
            tk_buf_free(&pb[k].data);
        }
    }
    free(pa);
    free(pb);
    /* the same warnings (a header cut) */
    assert_int_equal(a->d.warnings, b->d.warnings);
    assert_int_equal(a->d.errors, b->d.errors);
}

/* Generate rd into DIR/written and DIR/stamped (each with a copy of the
 * database db when given, else a new one) and compare; the number of
 * workbooks stamped. */
static size_t both_ways(const char *dir, const round *rd, const char *db)
{
    run a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    snprintf(a.out, sizeof a.out, "%s/written-%s-%d%s", dir, rd->kind, rd->year, rd->split_role ? "-role" : "");
    snprintf(b.out, sizeof b.out, "%s/stamped-%s-%d%s", dir, rd->kind, rd->year, rd->split_role ? "-role" : "");
    assert_int_equal(tk_mkdirs(a.out), 0);
    assert_int_equal(tk_mkdirs(b.out), 0);
    snprintf(a.db, sizeof a.db, "%s/tenken.db", a.out);
    snprintf(b.db, sizeof b.db, "%s/tenken.db", b.out);
    if (db) {
        copy_file(db, a.db);
        copy_file(db, b.db);
    }
    generate(&a, rd, false);
    generate(&b, rd, true);
    assert_int_equal(a.res.stamped, 0);
    assert_same_workbooks(&a, &b);
    size_t stamped = b.res.stamped;
    for (size_t i = 0; i < b.res.nworkbooks && rd->want_stamped; i++)
        for (const char *const *w = rd->want_stamped; *w; w++)
            if (!strcmp(b.res.workbooks[i].code, *w) && !b.res.workbooks[i].stamped)
                fail_msg("%s (%s) was written, not stamped", *w, b.res.workbooks[i].name);
    if (getenv("TEST_STAMP_VERBOSE"))
        fprintf(stderr, "%s %d: %zu workbooks, %zu stamped from %zu masters, %zu warnings\n", rd->kind, rd->year,
                b.res.nworkbooks, b.res.stamped, b.res.masters, b.d.warnings);
    tk_generate_result_free(&a.res);
    tk_generate_result_free(&b.res);
    tk_diags_free(&a.d);
    tk_diags_free(&b.d);
    return stamped;
}

/* ---- the organisations ---- */

/* Departments of the same roles, in names of every kind. Plain ones lead
 * each group, so that the awkward ones are stamped from a master. */
static size_t awkward_departments(tk_arena *a, dept *d)
{
    static const char *const names[] = {
        "部署A", "部署B",
        "企画&<>\"'課",                                  /* escaped in XML, '&' doubled in headers */
        "Ｒ＆Ｄ　ＡＢＣ㈱Ⅲｶﾀｶﾅ課",                     /* full-width and compatibility characters */
        "髙﨑小学校", "学校 A&B", "<script>課</script>", "a&amp;b", "&&&&&&&&&&", "課\"'\"'",
        NULL, NULL, NULL, NULL, NULL, /* long names, below */
    };
    const char *longs[5];
    tk_buf b;
    tk_buf_init(&b);
    /* ~240 characters: the headers pass 255 and are cut (a warning) */
    while (tk_utf8_count(b.data ? b.data : "") < 240)
        tk_buf_puts(&b, "とても長い名前の出先機関");
    longs[0] = tk_arena_strdup(a, b.data);
    /* another as long: stamped from the master of the first, headers cut alike */
    longs[1] = tk_arena_printf(a, "ト%s", b.data + strlen("と"));
    /* '&' doubled in the headers: past 255 only once doubled */
    tk_buf_reset(&b);
    while (tk_utf8_count(b.data ? b.data : "") < 150)
        tk_buf_puts(&b, "研究&開発");
    longs[2] = tk_arena_strdup(a, b.data);
    /* wrap on the cover and the instructions, each differently */
    tk_buf_reset(&b);
    while (tk_utf8_count(b.data ? b.data : "") < 60)
        tk_buf_puts(&b, "長い名前の課");
    longs[3] = tk_arena_strdup(a, b.data);
    tk_buf_puts(&b, "とその出張所");
    longs[4] = tk_arena_strdup(a, b.data);
    tk_buf_free(&b);
    size_t n = 0;
    d[n++] = (dept){"01", "総務課", 2};
    d[n++] = (dept){"02", "監査室", 3};
    for (int g = 0; g < 2; g++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const char *name = names[i] ? names[i] : longs[i - 10];
            d[n++] = (dept){tk_arena_printf(a, "%c%02zu", g ? 'S' : 'K', i + 1),
                            g ? tk_arena_printf(a, "%s分室", name) : name, g};
        }
    /* more of the same roles after the odd ones */
    for (int i = 0; i < 3; i++)
        d[n++] = (dept){tk_arena_printf(a, "Z%02d", i), tk_arena_printf(a, "部署Z%d", i), 0};
    return n;
}

#define DEPTS_MAX 64

typedef struct fixture {
    char *dir, *org;
    tk_arena *a;
} fixture;

static int setup(void **state)
{
    fixture *f = tk_xcalloc(1, sizeof *f);
    f->dir = tk_xstrdup("/tmp/tenken-stamp-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->a = tk_arena_new();
    dept d[DEPTS_MAX];
    size_t n = awkward_departments(f->a, d);
    f->org = write_org(f->dir, d, n);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rm_tree(f->dir);
    free(f->dir);
    free(f->org);
    tk_arena_free(f->a);
    free(f);
    return 0;
}

static void test_stamped_self_workbooks_are_those_written(void **state)
{
    fixture *f = *state;
    /* escaped names, full-width and compatibility characters, and a long
     * name whose headers are cut, stamped from the master of another */
    static const char *const want[] = {"K03", "K04", "K05", "K06", "K07", "K08", "K09", "K10", "K12", NULL};
    round rd = {.org = f->org, .kind = "self", .year = 2026, .jobs = 1, .want_stamped = want};
    size_t stamped = both_ways(f->dir, &rd, NULL);
    /* most departments share a shape with another */
    assert_true(stamped >= 15);
}

static void test_stamped_workbooks_of_workers_are_those_written(void **state)
{
    fixture *f = *state;
    /* (the longest names cut in file names would make a department's
     * per-role files one) */
    static const char *const some[] = {"01", "02", "K01", "K02", "K03", "K04", "K05", "K06", "K07", "K08",
                                       "K09", "K10", "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08",
                                       "S09", "S10", "Z00", "Z01", "Z02"};
    round rd = {.org = f->org,
                .kind = "self",
                .year = 2026,
                .jobs = 2,
                .split_role = true,
                .departments = some,
                .ndepartments = sizeof some / sizeof some[0]};
    assert_true(both_ways(f->dir, &rd, NULL) > 0);
}

static void test_stamped_audit_workbooks_are_those_written(void **state)
{
    fixture *f = *state;
    round rd = {.org = f->org, .kind = "audit", .year = 2026, .jobs = 1};
    assert_true(both_ways(f->dir, &rd, NULL) > 0);
}

static void test_stamped_staff_workbooks_are_those_written(void **state)
{
    fixture *f = *state;
    char roster[PATH_MAX];
    snprintf(roster, sizeof roster, "%s/roster.csv", f->dir);
    assert_int_equal(sh("/usr/bin/python3 tests/make_roster.py '%s/org.xml' 80 '%s'", f->org, roster), 0);
    round rd = {.org = f->org, .kind = "staff", .roster = roster, .year = 2026, .jobs = 1};
    assert_true(both_ways(f->dir, &rd, NULL) > 0);
}

/* The second year shows last year's answers and open plans on the rows;
 * the follow-up lists the open plans: departments' own content. */
static void test_stamped_next_year_and_followup_are_those_written(void **state)
{
    fixture *f = *state;
    const char *tenken = getenv("TENKEN") ? getenv("TENKEN") : "build/tenken";
    run first;
    memset(&first, 0, sizeof first);
    snprintf(first.out, sizeof first.out, "%s/first", f->dir);
    snprintf(first.db, sizeof first.db, "%s/first/tenken.db", f->dir);
    assert_int_equal(tk_mkdirs(first.out), 0);
    round rd = {.org = f->org, .kind = "self", .year = 2026, .jobs = 1};
    generate(&first, &rd, true);
    /* each workbook filled alone with the same seed: departments of the
     * same roles answer alike, so that next year's rows are alike too */
    assert_int_equal(sh("for f in '%s'/*/2026-self/*.xlsx; do /usr/bin/python3 tests/fill_fast.py --seed 3 '%s/filled' "
                        "\"$f\" >/dev/null || exit 1; done",
                        first.out, f->dir),
                     0);
    assert_int_equal(sh("'%s' ingest --db '%s' -q '%s/filled' >/dev/null 2>&1", tenken, first.db, f->dir), 0);
    tk_generate_result_free(&first.res);
    tk_diags_free(&first.d);

    round next = {.org = f->org, .kind = "self", .year = 2027, .jobs = 1};
    assert_true(both_ways(f->dir, &next, first.db) > 0);
    /* (a follow-up row's item id is its plan's: every workbook its own shape) */
    round fu = {.org = f->org, .kind = "followup", .year = 2026, .jobs = 1};
    both_ways(f->dir, &fu, first.db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stamped_self_workbooks_are_those_written),
        cmocka_unit_test(test_stamped_workbooks_of_workers_are_those_written),
        cmocka_unit_test(test_stamped_audit_workbooks_are_those_written),
        cmocka_unit_test(test_stamped_staff_workbooks_are_those_written),
        cmocka_unit_test(test_stamped_next_year_and_followup_are_those_written),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
