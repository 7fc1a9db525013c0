/* test_checklist.c — loading and checking checklist.xml and org.xml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenken/checklist.h"
#include "testutil.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tenken-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rm_tree(dir);
}

static const char *write_file(const char *name, const char *content)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

static bool has_message(const tk_diags *d, long line, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if ((line == 0 || d->items[i].line == line) && strstr(d->items[i].message, needle))
            return true;
    return false;
}

static const char ORG[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<org xmlns=\"urn:tenken:org:1\" id=\"t\" name=\"テスト町\">\n"
                          "  <role id=\"職員等\" name=\"職員等\" every-department=\"true\"/>\n"
                          "  <role id=\"情報システム管理者\" name=\"情報システム管理者\"/>\n"
                          "  <department code=\"01\" name=\"総務課\">\n"
                          "    <holds role=\"職員等\"/>\n"
                          "    <holds role=\"情報システム管理者\"/>\n"
                          "  </department>\n"
                          "  <department code=\"02\" name=\"税務課\">\n"
                          "    <holds role=\"情報システム管理者\"/>\n"
                          "  </department>\n"
                          "  <department code=\"01\" name=\"住民課\">\n"
                          "    <holds role=\"職員等\"/>\n"
                          "    <holds role=\"未定義の役割\"/>\n"
                          "  </department>\n"
                          "</org>\n";

static void test_org_rules_report_every_problem_with_its_line(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    const char *p = write_file("org.xml", ORG);
    tk_org *o = tk_org_load(p, "checklists", &d);
    assert_non_null(o);
    assert_int_equal(o->ndepartments, 3);
    tk_org_check_rules(o, &d);
    assert_true(has_message(&d, 9, "全部署の役割「職員等」を担っていません"));
    assert_true(has_message(&d, 12, "部署コード「01」が重複しています"));
    assert_true(has_message(&d, 12, "定義されていない役割"));
    assert_int_equal(d.errors, 3);
    tk_org_free(o);
    tk_diags_free(&d);
}

static const char CHECKLIST[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<checklist xmlns=\"urn:tenken:checklist:1\" version=\"1\" org=\"t\">\n"
                                "  <section ref=\"1\" title=\"対策\">\n"
                                "    <item id=\"tk-0000000001\" ref=\"1(1)\" level=\"must\" role=\"職員等\">\n"
                                "      <text>職員等は、端末を施錠しなければならない。</text>\n"
                                "    </item>\n"
                                "    <item id=\"tk-0000000001\" ref=\"1(1)\" level=\"must-not\" role=\"委託事業者\">\n"
                                "      <text>委託事業者は、持ち出してはならない。</text>\n"
                                "    </item>\n"
                                "    <item id=\"tk-0000000003\" ref=\"1(3)\" level=\"should\" role=\"情報システム管理者 職員等\" weight=\"2\">\n"
                                "      <context>次の事項に努めなければならない。</context>\n"
                                "      <text>研修に参加すること。</text>\n"
                                "    </item>\n"
                                "  </section>\n"
                                "</checklist>\n";

static void test_checklist_rules_find_duplicates_and_undefined_roles(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    write_file("org.xml", ORG);
    const char *p = write_file("checklist.xml", CHECKLIST);
    tk_checklist *c = tk_checklist_load(p, "checklists", &d);
    assert_non_null(c);
    assert_int_equal(c->nitems, 3);
    assert_int_equal(c->items[2].nroles, 2);
    assert_true(c->items[2].weight == 2.0);
    assert_string_equal(c->items[2].context, "次の事項に努めなければならない。");
    assert_string_equal(c->items[0].chapter, "対策");
    char org_path[128];
    snprintf(org_path, sizeof org_path, "%s/org.xml", dir);
    tk_org *o = tk_org_load(org_path, "checklists", &d);
    tk_checklist_check_rules(c, o, &d);
    assert_true(has_message(&d, 7, "id「tk-0000000001」が重複"));
    assert_true(has_message(&d, 7, "ref「1(1)」が重複"));
    assert_true(has_message(&d, 7, "role「委託事業者」は"));
    /* which items a department answers */
    assert_true(tk_item_applies(&c->items[2], &o->departments[1]));
    assert_false(tk_item_applies(&c->items[0], &o->departments[1]));
    tk_org_free(o);
    tk_checklist_free(c);
    tk_diags_free(&d);
}

static void test_schema_errors_name_the_line(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    const char *p = write_file("bad.xml", "<?xml version=\"1.0\"?>\n"
                                          "<checklist xmlns=\"urn:tenken:checklist:1\" version=\"1\" org=\"t\">\n"
                                          "  <section ref=\"1\" title=\"対策\">\n"
                                          "    <item id=\"tk-0000000001\" ref=\"1\" level=\"maybe\" role=\"職員等\">\n"
                                          "      <text>x</text>\n"
                                          "    </item>\n"
                                          "  </section>\n"
                                          "</checklist>\n");
    assert_null(tk_checklist_load(p, "checklists", &d));
    assert_true(d.errors > 0);
    assert_true(has_message(&d, 4, "スキーマに適合しません"));
    tk_diags_free(&d);
}

static void test_doctype_and_entities_are_refused(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    const char *p = write_file("xxe.xml", "<?xml version=\"1.0\"?>\n"
                                          "<!DOCTYPE org [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                                          "<org xmlns=\"urn:tenken:org:1\" id=\"t\" name=\"&x;\"/>\n");
    assert_null(tk_org_load(p, "checklists", &d));
    assert_true(has_message(&d, 0, "DOCTYPE"));
    tk_diags_free(&d);
    tk_diags_init(&d);
    p = write_file("broken.xml", "<org xmlns=\"urn:tenken:org:1\"><role></org>\n");
    assert_null(tk_org_load(p, "checklists", &d));
    assert_true(has_message(&d, 1, "XML の形式が正しくありません"));
    tk_diags_free(&d);
}

static void test_check_routing_counts_items_per_department(void **state)
{
    (void)state;
    const char *bin = getenv("TENKEN") && *getenv("TENKEN") ? getenv("TENKEN") : "build/tenken";
    char dir[] = "/tmp/tenken-routing-XXXXXX";
    assert_non_null(mkdtemp(dir));
    /* 志免町 with no department holding CSIRT: its items reach no one */
    assert_int_equal(sh("cp -r checklists/shime %s/shime && sed -i '/<holds role=\"CSIRT\"\\/>/d' %s/shime/org.xml", dir, dir), 0);
    assert_int_equal(sh("%s check --routing %s/shime > %s/out.txt", bin, dir, dir), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    tk_buf out;
    assert_int_equal(tk_file_read(path, 1u << 20, &out), 0);
    assert_non_null(strstr(out.data, "コード  部署"));
    assert_non_null(strstr(out.data, "企画政策課"));
    /* the count of CSIRT items, read from the checklist itself */
    tk_diags d;
    tk_diags_init(&d);
    tk_checklist *c = tk_checklist_load("checklists/shime/checklist.xml", "checklists", &d);
    assert_non_null(c);
    size_t csirt_only = 0;
    for (size_t i = 0; i < c->nitems; i++)
        csirt_only += c->items[i].nroles == 1 && !strcmp(c->items[i].roles[0], "CSIRT");
    char want[128];
    snprintf(want, sizeof want, "どの部署にも配られない項目: %zu (役割: CSIRT", csirt_only);
    assert_true(csirt_only > 0);
    assert_non_null(strstr(out.data, want));
    tk_checklist_free(c);
    tk_diags_free(&d);
    tk_buf_free(&out);
    assert_int_equal(sh("rm -rf %s", dir), 0);
}

static void test_written_checklist_reads_back_the_same(void **state)
{
    (void)state;
    tk_diags d;
    tk_diags_init(&d);
    tk_checklist *c = tk_checklist_load("checklists/shime/checklist.xml", "checklists", &d);
    assert_non_null(c);
    tk_buf xml;
    tk_checklist_to_xml(c, &xml);
    tk_buf orig;
    assert_int_equal(tk_file_read("checklists/shime/checklist.xml", 1u << 24, &orig), 0);
    assert_int_equal(xml.len, orig.len);
    assert_memory_equal(xml.data, orig.data, xml.len);
    tk_buf_free(&xml);
    tk_buf_free(&orig);
    tk_checklist_free(c);
    tk_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_org_rules_report_every_problem_with_its_line),
        cmocka_unit_test(test_checklist_rules_find_duplicates_and_undefined_roles),
        cmocka_unit_test(test_schema_errors_name_the_line),
        cmocka_unit_test(test_doctype_and_entities_are_refused),
        cmocka_unit_test(test_written_checklist_reads_back_the_same),
        cmocka_unit_test(test_check_routing_counts_items_per_department),
    };
    return cmocka_run_group_tests_name("checklist", tests, setup, teardown);
}
