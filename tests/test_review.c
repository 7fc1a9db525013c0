/* test_review.c — the secretariat's review of a derived checklist: the
 * decisions in checklist.xml (scope, review), carried over a re-derive, the
 * review workbook written, edited with openpyxl (tests/review_edit.py) or
 * re-saved by LibreOffice, and read back strictly by tenken review --apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tenken/checklist.h"
#include "tenken/review.h"
#include "tenken/store.h"
#include "tenken/util.h"
#include "tenken/xlsx_identity.h"
#include "tenken/xlsx_read.h"
#include "testutil.h"

static char dir[64];      /* the suite's temporary folder */
static char org[128];     /* DIR/toride: a copy of tests/fixtures/review_toride */
static char clpath[192];  /* DIR/toride/checklist.xml */
static char original[192];/* its bytes before any apply */
static char wb[256];      /* the review workbook */

static const char *bin(void)
{
    const char *b = getenv("TENKEN");
    return b && *b ? b : "build/tenken";
}

static bool file_has(const char *path, const char *needle)
{
    tk_buf b;
    if (tk_file_read(path, 1u << 24, &b) != 0)
        return false;
    bool has = b.data && strstr(b.data, needle);
    tk_buf_free(&b);
    return has;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tenken-review-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(org, sizeof org, "%s/toride", dir);
    snprintf(clpath, sizeof clpath, "%s/checklist.xml", org);
    snprintf(original, sizeof original, "%s/original.xml", dir);
    snprintf(wb, sizeof wb, "%s/out/toride/review/点検項目確認_toride.xlsx", dir);
    if (sh("cp -r tests/fixtures/review_toride %s/toride && cp %s %s", dir, clpath, original))
        return -1;
    return sh("%s review --org %s --out %s/out -q", bin(), org, dir) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf %s", dir) == 0 ? 0 : -1;
}

/* Put the original checklist back (after a test that applied). */
static void restore(void) { assert_int_equal(sh("cp %s %s && rm -f %s.bak", original, clpath, clpath), 0); }



static tk_checklist *load(const char *path)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_checklist *c = tk_checklist_load(path, "checklists", &d);
    if (!c || d.errors)
        tk_diags_print(&d, stderr);
    assert_int_equal(d.errors, 0);
    tk_diags_free(&d);
    assert_non_null(c);
    return c;
}

static char *write_tmp(const tk_checklist *c, char tmpl[64])
{
    tk_buf x;
    tk_checklist_to_xml(c, &x);
    snprintf(tmpl, 64, "/tmp/tenken-review-XXXXXX.xml");
    int fd = mkstemps(tmpl, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, x.data, x.len), (ssize_t)x.len);
    close(fd);
    tk_buf_free(&x);
    return tmpl;
}

/* ---- the model ---- */

static void test_review_model_round_trips_scope_and_review(void **state)
{
    (void)state;
    tk_checklist *c = load("tests/fixtures/review_toride/checklist.xml");
    tk_item *it = &c->items[0];
    it->out_of_scope = true;
    it->reviewed = true;
    it->review_date = "2026-12-05";
    char hash[65];
    tk_item_text_hash(it->text, it->context, hash);
    it->review_hash = hash;
    it->derived_role = "統括情報セキュリティ責任者 職員等";
    it->derived_weight = 2;
    c->items[1].reviewed = true;
    c->items[1].review_date = "2026-12-01";
    c->items[1].review_hash = hash;
    tk_checklist_rehash(c);
    char path[64];
    write_tmp(c, path);
    tk_checklist *b = load(path);
    assert_int_equal(b->nitems, c->nitems);
    assert_true(b->items[0].out_of_scope);
    assert_true(b->items[0].reviewed);
    assert_string_equal(b->items[0].review_date, "2026-12-05");
    assert_string_equal(b->items[0].review_hash, hash);
    assert_string_equal(b->items[0].derived_role, "統括情報セキュリティ責任者 職員等");
    assert_true(b->items[0].derived_weight == 2);
    assert_true(b->items[1].reviewed);
    assert_false(b->items[1].out_of_scope);
    assert_null(b->items[1].derived_role);
    assert_true(b->items[1].derived_weight == 0);
    assert_false(b->items[2].reviewed);
    assert_string_equal(b->hash, c->hash);
    /* written again, the same bytes */
    tk_buf x1, x2;
    tk_checklist_to_xml(c, &x1);
    tk_checklist_to_xml(b, &x2);
    assert_string_equal(x1.data, x2.data);
    tk_buf_free(&x1);
    tk_buf_free(&x2);
    unlink(path);
    tk_checklist_free(b);
    tk_checklist_free(c);
}

static void test_review_committed_checklists_load_unchanged(void **state)
{
    (void)state;
    static const char *const orgs[] = {"amakura", "kobe-sangyo", "ogasawara", "shime", "toride"};
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "checklists/%s/checklist.xml", orgs[i]);
        tk_checklist *c = load(path);
        for (size_t k = 0; k < c->nitems; k++) {
            assert_false(c->items[k].out_of_scope);
            assert_false(c->items[k].reviewed);
        }
        /* written again: nothing new appears */
        tk_buf x;
        tk_checklist_to_xml(c, &x);
        assert_non_null(strstr(x.data, "<item"));
        assert_null(strstr(x.data, "scope="));
        assert_null(strstr(x.data, "<review"));
        tk_buf_free(&x);
        tk_checklist_free(c);
    }
}

static void test_review_rehash_changes_with_scope(void **state)
{
    (void)state;
    tk_checklist *c = load("tests/fixtures/review_toride/checklist.xml");
    char before[65];
    memcpy(before, c->hash, 65);
    c->items[3].out_of_scope = true;
    tk_checklist_rehash(c);
    assert_string_not_equal(before, c->hash);
    c->items[3].out_of_scope = false;
    tk_checklist_rehash(c);
    assert_string_equal(before, c->hash);
    /* a review alone changes nothing that is issued */
    c->items[3].reviewed = true;
    c->items[3].review_date = "2026-12-05";
    tk_checklist_rehash(c);
    assert_string_equal(before, c->hash);
    tk_checklist_free(c);
}

static void test_review_out_of_scope_item_does_not_apply(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_org *o = tk_org_load("tests/fixtures/review_toride/org.xml", "checklists", &d);
    assert_non_null(o);
    tk_checklist *c = load("tests/fixtures/review_toride/checklist.xml");
    tk_item *staff = NULL;
    for (size_t i = 0; i < c->nitems && !staff; i++)
        if (c->items[i].nroles == 1 && !strcmp(c->items[i].roles[0], "職員等"))
            staff = &c->items[i];
    assert_non_null(staff);
    assert_true(tk_item_applies(staff, &o->departments[0]));
    staff->out_of_scope = true;
    for (size_t k = 0; k < o->ndepartments; k++)
        assert_false(tk_item_applies(staff, &o->departments[k]));
    tk_checklist_free(c);
    tk_org_free(o);
    tk_diags_free(&d);
}

/* A previous checklist with three reviewed items: one whose wording stays,
 * one whose wording changes, one that disappears. */
static void test_review_carry_copies_unchanged_lists_changed_and_vanished(void **state)
{
    (void)state;
    tk_checklist *prev = load("tests/fixtures/review_toride/checklist.xml");
    tk_checklist *now = load("tests/fixtures/review_toride/checklist.xml");
    char h0[65], h1[65], h2[65];
    tk_item *p0 = &prev->items[0], *p1 = &prev->items[1], *p2 = &prev->items[2];
    tk_item_text_hash(p0->text, p0->context, h0);
    tk_item_text_hash(p1->text, p1->context, h1);
    tk_item_text_hash(p2->text, p2->context, h2);
    static const char *decided[] = {"職員等", "情報セキュリティ管理者"};
    p0->roles = decided;
    p0->nroles = 2;
    p0->weight = 3;
    p0->reviewed = true;
    p0->review_date = "2026-12-05";
    p0->review_hash = h0;
    p0->derived_role = "統括情報セキュリティ責任者";
    p0->derived_weight = 1;
    p1->out_of_scope = true;
    p1->reviewed = true;
    p1->review_date = "2026-12-05";
    p1->review_hash = h1;
    p2->reviewed = true;
    p2->review_date = "2026-12-05";
    p2->review_hash = h2;
    const char *vanished_id = p2->id;
    /* this year's text: item 1 reworded, item 2 gone (another id) */
    now->items[1].text = "情報資産の無断持ち出し等の規定違反";
    now->items[2].id = "tk-0000000000";
    tk_checklist_rehash(now);
    char before[65];
    memcpy(before, now->hash, 65);

    tk_review_carry k;
    tk_checklist_carry_review(now, prev, &k);
    assert_int_equal(k.carried, 1);
    tk_item *n0 = &now->items[0];
    assert_int_equal(n0->nroles, 2);
    assert_string_equal(n0->roles[0], "職員等");
    assert_string_equal(n0->roles[1], "情報セキュリティ管理者");
    assert_true(n0->weight == 3);
    assert_true(n0->reviewed);
    assert_string_equal(n0->review_date, "2026-12-05");
    assert_string_equal(n0->derived_role, "統括情報セキュリティ責任者");
    assert_true(n0->derived_weight == 1);
    assert_string_not_equal(before, now->hash);
    /* reworded: not copied, listed */
    assert_false(now->items[1].out_of_scope);
    assert_false(now->items[1].reviewed);
    assert_int_equal(k.nchanged, 1);
    assert_string_equal(k.changed[0].id, now->items[1].id);
    assert_string_equal(k.changed[0].ref, "3.(2)");
    assert_non_null(strstr(k.changed[0].old_text, "無許可ソフトウェア"));
    assert_non_null(strstr(k.changed[0].new_text, "無断持ち出し等の規定違反"));
    assert_int_equal(k.nvanished, 1);
    assert_string_equal(k.vanished[0].id, vanished_id);
    assert_null(k.vanished[0].new_text);
    /* what it lists lives in now's arena */
    tk_checklist_free(prev);
    assert_string_equal(k.vanished[0].ref, "3.(3)");
    tk_checklist_free(now);
}

static void test_review_carry_with_no_previous_changes_nothing(void **state)
{
    (void)state;
    tk_checklist *now = load("tests/fixtures/review_toride/checklist.xml");
    char before[65];
    memcpy(before, now->hash, 65);
    tk_review_carry k;
    tk_checklist_carry_review(now, NULL, &k);
    assert_int_equal(k.carried + k.nchanged + k.nvanished, 0);
    tk_checklist *same = load("tests/fixtures/review_toride/checklist.xml");
    tk_checklist_carry_review(now, same, &k); /* nothing reviewed */
    assert_int_equal(k.carried + k.nchanged + k.nvanished, 0);
    assert_string_equal(before, now->hash);
    tk_checklist_free(same);
    tk_checklist_free(now);
}

/* All the text of one sheet, cells joined by "|" (rows by "\n"). */
typedef struct sheet_text {
    tk_buf b;
    int row;
} sheet_text;

static bool collect(const tk_cell *c, void *user)
{
    sheet_text *t = user;
    tk_buf_puts(&t->b, c->row != t->row ? "\n" : "|");
    t->row = c->row;
    tk_buf_puts(&t->b, c->text);
    return true;
}

static char *read_sheet(const char *path, const char *sheet)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = tk_xlsx_open(path, NULL, &d);
    assert_non_null(x);
    int i = tk_xlsx_sheet_index(x, sheet);
    assert_true(i >= 0);
    sheet_text t = {.row = 0};
    tk_buf_init(&t.b);
    assert_true(tk_xlsx_read_sheet(x, (size_t)i, collect, &t, &d));
    tk_xlsx_close(x);
    tk_diags_free(&d);
    return tk_buf_steal(&t.b);
}

/* ---- the workbook ---- */

static void test_review_writes_workbook_with_identity(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_xlsx *x = tk_xlsx_open(wb, NULL, &d);
    assert_non_null(x);
    assert_true(tk_xlsx_sheet_index(x, TK_REVIEW_SHEET) == 0);
    assert_true(tk_xlsx_sheet_index(x, TK_REVIEW_ROLES_SHEET) > 0);
    assert_true(tk_xlsx_sheet_index(x, TK_REVIEW_LINES_SHEET) > 0);
    int idx = tk_xlsx_sheet_index(x, "_tenken");
    assert_true(idx > 0);
    assert_true(tk_xlsx_sheet_hidden(x, (size_t)idx));
    tk_arena *a = tk_arena_new();
    tk_xlsx_identity id;
    assert_int_equal(tk_xlsx_identity_read(x, a, &id, &d), 1);
    tk_checklist *c = load(clpath);
    assert_string_equal(tk_xlsx_identity_get(&id, "format"), TK_REVIEW_FORMAT);
    assert_string_equal(tk_xlsx_identity_get(&id, "org"), "toride");
    assert_string_equal(tk_xlsx_identity_get(&id, "checklist_hash"), c->hash);
    assert_int_equal(id.nrows, c->nitems);
    for (size_t i = 0; i < c->nitems; i++) {
        char h[65];
        tk_item_text_hash(c->items[i].text, c->items[i].context, h);
        assert_string_equal(id.rows[i].cell[1], c->items[i].id);
        assert_string_equal(id.rows[i].cell[3], h);
    }
    assert_int_equal(d.errors, 0);
    tk_xlsx_identity_free(&id);
    tk_arena_free(a);
    tk_checklist_free(c);
    tk_xlsx_close(x);
    tk_diags_free(&d);
    /* not again without --force; with it, yes */
    assert_int_equal(sh("%s review --org %s --out %s/out -q 2>/dev/null", bin(), org, dir), 1);
    assert_int_equal(sh("%s review --org %s --out %s/out -q --force", bin(), org, dir), 0);
    assert_int_equal(sh("%s review --org %s -o %s/other.xlsx -q", bin(), org, dir), 0);
}

static void test_review_workbook_without_source_text_says_so(void **state)
{
    (void)state;
    char o2[160];
    snprintf(o2, sizeof o2, "%s/nosource", dir);
    assert_int_equal(sh("mkdir -p %s && cp %s %s/org.xml %s/ && rm -f %s/policy.txt", o2, original, org, o2, o2), 0);
    assert_int_equal(sh("mv %s/original.xml %s/checklist.xml", o2, o2), 0);
    assert_int_equal(sh("%s review --org %s -o %s/nosource.xlsx -q 2>%s/err.txt", bin(), o2, dir, dir), 0);
    char err[128];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    assert_true(file_has(err, "読めない"));
    snprintf(err, sizeof err, "%s/nosource.xlsx", dir);
    char *t = read_sheet(err, "要確認の行");
    assert_non_null(strstr(t, "policy.txt を読めない"));
    free(t);
}

/* An obligation sentence before the first heading is no item: listed. */
static void test_review_workbook_lists_lines_to_check(void **state)
{
    (void)state;
    char o2[160];
    snprintf(o2, sizeof o2, "%s/unplaced", dir);
    assert_int_equal(sh("mkdir -p %s && cp %s %s/checklist.xml && cp %s/org.xml %s/", o2, original, o2, org, o2), 0);
    assert_int_equal(sh("(echo '職員等は、パスワードを他人に教えてはならない。'; cat %s/policy.txt) > %s/policy.txt", org, o2), 0);
    char out[192];
    snprintf(out, sizeof out, "%s/unplaced.xlsx", dir);
    assert_int_equal(sh("%s review --org %s -o %s -q", bin(), o2, out), 0);
    char *t = read_sheet(out, "要確認の行");
    assert_non_null(strstr(t, "\n行|種類|本文\n1|義務文が項目になっていない|職員等は、パスワードを他人に教えてはならない。"));
    free(t);
}

/* ---- applying ---- */

static void edit(const char *out, const char *ops)
{
    assert_int_equal(sh("/usr/bin/python3 tests/review_edit.py '%s' '%s' %s", wb, out, ops), 0);
}

static void test_review_apply_changes_role(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/edited.xlsx", dir);
    edit(e, "'role:tk-685ae99320=情報セキュリティ管理者、 職員等' 'scope:tk-30eada7045=対象外' 'weight:tk-972cce409b=2.5'");
    assert_int_equal(sh("%s review --org %s --apply %s > %s/out.txt", bin(), org, e, dir), 0);
    char out[128];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    assert_true(file_has(out, "役割を変更 1、対象外 1、重みを変更 1、変更なし 21"));
    tk_checklist *before = load(original), *after = load(clpath);
    assert_int_equal(before->nitems, after->nitems);
    for (size_t i = 0; i < after->nitems; i++) {
        const tk_item *b = &before->items[i], *a = &after->items[i];
        assert_string_equal(a->id, b->id);
        assert_string_equal(a->ref, b->ref);
        assert_string_equal(a->text, b->text);
        bool touched = i <= 2;
        assert_int_equal(a->reviewed, touched);
        if (touched)
            assert_int_equal(strlen(a->review_date), 10); /* today, YYYY-MM-DD */
        if (i == 0) {
            assert_int_equal(a->nroles, 2);
            assert_string_equal(a->roles[0], "情報セキュリティ管理者");
            assert_string_equal(a->roles[1], "職員等");
            assert_string_equal(a->derived_role, "統括情報セキュリティ責任者");
        } else {
            assert_int_equal(a->nroles, b->nroles);
            for (size_t r = 0; r < a->nroles; r++)
                assert_string_equal(a->roles[r], b->roles[r]);
            assert_null(a->derived_role);
        }
        assert_int_equal(a->out_of_scope, i == 1);
        assert_true(a->weight == (i == 2 ? 2.5 : b->weight));
        assert_true(a->derived_weight == (i == 2 ? 1 : 0));
    }
    assert_string_not_equal(before->hash, after->hash);
    tk_checklist_free(before);
    tk_checklist_free(after);
    assert_int_equal(sh("%s check %s >/dev/null", bin(), org), 0);
    assert_int_equal(sh("cmp -s %s %s.bak", original, clpath), 0);
    restore();
}

static void test_review_apply_untouched_workbook_changes_nothing(void **state)
{
    (void)state;
    assert_int_equal(sh("%s review --org %s --apply %s > %s/out.txt", bin(), org, wb, dir), 0);
    char out[128];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    assert_true(file_has(out, "役割を変更 0、対象外 0、重みを変更 0、変更なし 24"));
    tk_checklist *before = load(original), *after = load(clpath);
    assert_string_equal(before->hash, after->hash);
    for (size_t i = 0; i < after->nitems; i++)
        assert_false(after->items[i].reviewed);
    tk_checklist_free(before);
    tk_checklist_free(after);
    restore();
}

static void test_review_apply_confirmed_item_is_marked_reviewed(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/confirmed.xlsx", dir);
    edit(e, "'confirm:tk-037f104a39=済'");
    assert_int_equal(sh("%s review --org %s --apply %s -q", bin(), org, e), 0);
    tk_checklist *after = load(clpath);
    for (size_t i = 0; i < after->nitems; i++)
        assert_int_equal(after->items[i].reviewed, !strcmp(after->items[i].id, "tk-037f104a39"));
    tk_checklist_free(after);
    restore();
}

/* A secretariat that opens the workbook in LibreOffice Calc and saves it. */
static void test_review_apply_resaved_by_libreoffice(void **state)
{
    (void)state;
    if (!have_openpyxl() || sh("command -v soffice >/dev/null 2>&1") != 0)
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/lo-in.xlsx", dir);
    edit(e, "'role:tk-685ae99320=職員等' 'scope:tk-30eada7045=対象外'");
    assert_int_equal(sh("cd %s && HOME=%s soffice --headless --convert-to xlsx --outdir %s/lo '%s' >/dev/null 2>&1", dir, dir, dir, e), 0);
    assert_int_equal(sh("%s review --org %s --apply %s/lo/lo-in.xlsx -q", bin(), org, dir), 0);
    tk_checklist *after = load(clpath);
    assert_int_equal(after->items[0].nroles, 1);
    assert_string_equal(after->items[0].roles[0], "職員等");
    assert_true(after->items[1].out_of_scope);
    assert_int_equal(sh("%s check %s >/dev/null", bin(), org), 0);
    tk_checklist_free(after);
    restore();
}

/* Apply file, expect exit 1, a message naming place, checklist.xml as it was. */
static void refused(const char *file, const char *place, const char *needle)
{
    char err[128];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    assert_int_equal(sh("%s review --org %s --apply '%s' -q 2>%s", bin(), org, file, err), 1);
    if (!file_has(err, place) || !file_has(err, needle))
        sh("cat %s >&2", err);
    assert_true(file_has(err, place));
    assert_true(file_has(err, needle));
    assert_int_equal(sh("cmp -s %s %s", original, clpath), 0);
}

static void test_review_apply_refuses_edited_text(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/text.xlsx", dir);
    edit(e, "'text:tk-ca1c6b9dd9=地震等の災害'");
    refused(e, "点検項目!E7:", "本文が発行時と異なります");
}

static void test_review_apply_refuses_deleted_row(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/deleted.xlsx", dir);
    edit(e, "'delete:tk-30eada7045'");
    refused(e, "点検項目!A5:", "行の挿入・削除・並べ替え");
}

static void test_review_apply_refuses_unknown_role(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/role.xlsx", dir);
    edit(e, "'role:tk-685ae99320=職員等、課長'");
    refused(e, "点検項目!G4:", "役割「課長」は org.xml にありません");
}

static void test_review_apply_refuses_bad_scope_weight_and_formula(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/values.xlsx", dir);
    edit(e, "'scope:tk-30eada7045=たぶん' 'weight:tk-972cce409b=0' 'formula:tk-ca1c6b9dd9==1+1' 'weight:tk-7585256edc=101' "
            "'confirm:tk-037f104a39=はい' 'long:tk-48300340f0=5000' \"role:tk-685ae99320=$(printf '職員等、%.0s' $(seq 300))\"");
    refused(e, "点検項目!H5:", "点検対象が「たぶん」");
    char err[128];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    /* every problem of the file at once */
    assert_true(file_has(err, "点検項目!I6: エラー: 重みが「0」"));
    assert_true(file_has(err, "点検項目!I7: エラー: 重み に数式"));
    assert_true(file_has(err, "点検項目!I8: エラー: 重みが「101」"));
    assert_true(file_has(err, "点検項目!J9: エラー: 確認が「はい」"));
    assert_true(file_has(err, "点検項目!K10: エラー: 確認メモが 5000 文字"));
    assert_true(file_has(err, "点検項目!G4: エラー: 役割が 1200 文字"));
}

static void test_review_apply_refuses_foreign_files(void **state)
{
    (void)state;
    char f[128];
    snprintf(f, sizeof f, "%s/not-a-zip.xlsx", dir);
    assert_int_equal(sh("echo 'not a workbook' > %s", f), 0);
    refused(f, "not-a-zip.xlsx", "ZIP");
    refused("tests/fixtures/openpyxl_basic.xlsx", "openpyxl_basic.xlsx", "確認用ブックではありません");
    /* an inspection workbook of the same organisation */
    assert_int_equal(sh("%s generate --org %s --year 2026 --out %s/gen --db %s/t.db --department 01 -q >/dev/null 2>&1", bin(), org, dir, dir), 0);
    assert_int_equal(sh("cp %s/gen/toride/2026-self/01_*.xlsx %s/inspection.xlsx", dir, dir), 0);
    snprintf(f, sizeof f, "%s/inspection.xlsx", dir);
    refused(f, "inspection.xlsx", "部署が記入する点検票で、点検項目の確認用ブックではありません");
}

static void test_review_apply_refuses_workbook_of_older_checklist(void **state)
{
    (void)state;
    /* the checklist changes after the workbook was made */
    assert_int_equal(sh("sed -i 's/line=\"108\">/line=\"108\" weight=\"2\">/' %s && cp %s %s/changed.xml", clpath, clpath, dir), 0);
    char err[128];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    assert_int_equal(sh("%s review --org %s --apply '%s' -q 2>%s", bin(), org, wb, err), 1);
    assert_true(file_has(err, "新しい確認用ブックを作り"));
    assert_int_equal(sh("cmp -s %s %s/changed.xml", clpath, dir), 0);
    restore();
}

/* ---- re-derive ---- */

static void test_review_rederive_keeps_decisions(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char d[128];
    snprintf(d, sizeof d, "%s/rederive", dir);
    assert_int_equal(sh("mkdir -p %s/org && cp %s/org.xml %s/policy.txt %s/org/", d, org, org, d), 0);
    assert_int_equal(sh("%s derive %s/org/policy.txt --org %s/org -q", bin(), d, d), 0);
    char rw[160], e[160];
    snprintf(rw, sizeof rw, "%s/review.xlsx", d);
    snprintf(e, sizeof e, "%s/edited.xlsx", d);
    assert_int_equal(sh("%s review --org %s/org -o %s -q", bin(), d, rw), 0);
    assert_int_equal(sh("/usr/bin/python3 tests/review_edit.py '%s' '%s' 'role:tk-042d7c4899=CSIRT'", rw, e), 0);
    assert_int_equal(sh("%s review --org %s/org --apply %s -q", bin(), d, e), 0);
    /* next year: the same text */
    assert_int_equal(sh("%s derive %s/org/policy.txt --org %s/org --previous %s/org/checklist.xml -o %s/again.xml > %s/out.txt", bin(), d, d, d, d,
                        d),
                     0);
    char path[160];
    snprintf(path, sizeof path, "%s/again.xml", d);
    tk_checklist *c = load(path);
    bool seen = false;
    for (size_t i = 0; i < c->nitems; i++) {
        if (strcmp(c->items[i].id, "tk-042d7c4899"))
            continue;
        seen = true;
        assert_int_equal(c->items[i].nroles, 1);
        assert_string_equal(c->items[i].roles[0], "CSIRT");
        assert_true(c->items[i].reviewed);
        assert_string_equal(c->items[i].derived_role, "統括情報セキュリティ責任者");
    }
    assert_true(seen);
    tk_checklist_free(c);
    snprintf(path, sizeof path, "%s/out.txt", d);
    assert_true(file_has(path, "前回の確認結果を引き継いだ項目 1"));
    /* next year: that provision reworded */
    assert_int_equal(sh("sed 's/住民情報の流出を防ぐ/住民情報の流出を確実に防ぐ/' %s/org/policy.txt > %s/policy2.txt", d, d), 0);
    assert_int_equal(sh("%s derive %s/policy2.txt --org %s/org --previous %s/org/checklist.xml -o %s/reworded.xml > %s/out.txt", bin(), d, d, d,
                        d, d),
                     0);
    assert_true(file_has(path, "文言が変わったため再確認が必要な項目 1"));
    assert_true(file_has(path, "6.(3)① (tk-042d7c4899)"));
    snprintf(path, sizeof path, "%s/reworded.xml", d);
    c = load(path);
    for (size_t i = 0; i < c->nitems; i++)
        if (!strcmp(c->items[i].id, "tk-042d7c4899")) {
            assert_false(c->items[i].reviewed);
            assert_string_equal(c->items[i].roles[0], "統括情報セキュリティ責任者");
        }
    tk_checklist_free(c);
}

/* An item set 対象外 is on no department's workbook. */
static void test_review_out_of_scope_item_is_not_issued(void **state)
{
    (void)state;
    if (!have_openpyxl())
        skip();
    char e[128];
    snprintf(e, sizeof e, "%s/scope.xlsx", dir);
    edit(e, "'scope:tk-037f104a39=対象外'"); /* 5. 職員等: every department */
    assert_int_equal(sh("%s review --org %s --apply %s -q", bin(), org, e), 0);
    /* 01 answers nothing else (its only item was 5.); 06 answers the rest */
    assert_int_equal(sh("%s generate --org %s --year 2027 --out %s/gen2 --db %s/t2.db --department 01 --department 06 -q >/dev/null 2>&1", bin(),
                        org, dir, dir),
                     0);
    assert_int_equal(sh("ls %s/gen2/toride/2027-self/01_*.xlsx >/dev/null 2>&1", dir), 2);
    assert_int_equal(sh("ls %s/gen2/toride/2027-self/06_*.xlsx > %s/ls.txt", dir, dir), 0);
    tk_diags d;
    tk_diags_init(&d);
    char path[192];
    tk_buf ls;
    snprintf(path, sizeof path, "%s/ls.txt", dir);
    assert_int_equal(tk_file_read(path, 4096, &ls), 0);
    ls.data[strcspn(ls.data, "\n")] = 0;
    tk_xlsx *x = tk_xlsx_open(ls.data, NULL, &d);
    assert_non_null(x);
    tk_arena *a = tk_arena_new();
    tk_xlsx_identity id;
    assert_int_equal(tk_xlsx_identity_read(x, a, &id, &d), 1);
    assert_int_equal(id.nrows, 23);
    for (size_t i = 0; i < id.nrows; i++)
        assert_string_not_equal(id.rows[i].cell[1], "tk-037f104a39");
    /* the cover counts what the workbook holds */
    assert_int_equal(atoi(tk_xlsx_identity_get(&id, "items")), (int)id.nrows);
    tk_xlsx_identity_free(&id);
    tk_arena_free(a);
    tk_xlsx_close(x);
    tk_buf_free(&ls);
    tk_diags_free(&d);
    restore();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_model_round_trips_scope_and_review),
        cmocka_unit_test(test_review_committed_checklists_load_unchanged),
        cmocka_unit_test(test_review_rehash_changes_with_scope),
        cmocka_unit_test(test_review_out_of_scope_item_does_not_apply),
        cmocka_unit_test(test_review_carry_copies_unchanged_lists_changed_and_vanished),
        cmocka_unit_test(test_review_carry_with_no_previous_changes_nothing),
        cmocka_unit_test(test_review_writes_workbook_with_identity),
        cmocka_unit_test(test_review_workbook_without_source_text_says_so),
        cmocka_unit_test(test_review_workbook_lists_lines_to_check),
        cmocka_unit_test(test_review_apply_changes_role),
        cmocka_unit_test(test_review_apply_untouched_workbook_changes_nothing),
        cmocka_unit_test(test_review_apply_confirmed_item_is_marked_reviewed),
        cmocka_unit_test(test_review_apply_resaved_by_libreoffice),
        cmocka_unit_test(test_review_apply_refuses_edited_text),
        cmocka_unit_test(test_review_apply_refuses_deleted_row),
        cmocka_unit_test(test_review_apply_refuses_unknown_role),
        cmocka_unit_test(test_review_apply_refuses_bad_scope_weight_and_formula),
        cmocka_unit_test(test_review_apply_refuses_foreign_files),
        cmocka_unit_test(test_review_apply_refuses_workbook_of_older_checklist),
        cmocka_unit_test(test_review_rederive_keeps_decisions),
        cmocka_unit_test(test_review_out_of_scope_item_is_not_issued),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
