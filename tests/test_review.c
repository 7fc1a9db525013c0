/* test_review.c — the secretariat's review of a derived checklist: the
 * decisions in checklist.xml (scope, review), carried over a re-derive, the
 * review workbook written, edited with openpyxl (tests/review_edit.py) or
 * re-saved by LibreOffice, and read back strictly by tenken review --apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenken/checklist.h"
#include "tenken/review.h"
#include "tenken/store.h"
#include "tenken/util.h"
#include "testutil.h"



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
    tk_checklist *c = load("checklists/toride/checklist.xml");
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
    tk_checklist *c = load("checklists/toride/checklist.xml");
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
    tk_org *o = tk_org_load("checklists/toride/org.xml", "checklists", &d);
    assert_non_null(o);
    tk_checklist *c = load("checklists/toride/checklist.xml");
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
    tk_checklist *prev = load("checklists/toride/checklist.xml");
    tk_checklist *now = load("checklists/toride/checklist.xml");
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
    tk_checklist *now = load("checklists/toride/checklist.xml");
    char before[65];
    memcpy(before, now->hash, 65);
    tk_review_carry k;
    tk_checklist_carry_review(now, NULL, &k);
    assert_int_equal(k.carried + k.nchanged + k.nvanished, 0);
    tk_checklist *same = load("checklists/toride/checklist.xml");
    tk_checklist_carry_review(now, same, &k); /* nothing reviewed */
    assert_int_equal(k.carried + k.nchanged + k.nvanished, 0);
    assert_string_equal(before, now->hash);
    tk_checklist_free(same);
    tk_checklist_free(now);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
