/* fuzz_lists.c — the checklist.xml and org.xml loaders on arbitrary bytes:
 * the bytes are read as a checklist and as an org (safe parsing, the RELAX
 * NG schemas, the model) and, when both load, the rules across them. */
#include "fuzz.h"
#include "tenken/checklist.h"
#include "tenken/diag.h"
#include "tenken/util.h"
#include "tenken/xmlutil.h"

static void tk_fuzz_lists(const uint8_t *data, size_t size)
{
    const char *path = tk_fuzz_scratch(data, size, ".xml");
    if (!path)
        return;
    tk_arena *a = tk_arena_new();
    const char *schemas = tk_data_path(a, "checklists");
    tk_diags diags;
    tk_diags_init(&diags);
    tk_checklist *c = tk_checklist_load(path, schemas, &diags);
    tk_org *org = tk_org_load(path, schemas, &diags);
    if (org)
        tk_org_check_rules(org, &diags);
    if (c) {
        tk_checklist_check_rules(c, org, &diags);
        tk_buf xml;
        tk_buf_init(&xml);
        tk_checklist_to_xml(c, &xml);
        tk_buf_free(&xml);
        for (size_t i = 0; org && i < c->nitems; i++)
            for (size_t d = 0; d < org->ndepartments; d++)
                (void)tk_item_applies(&c->items[i], &org->departments[d]);
    }
    tk_checklist_free(c);
    tk_org_free(org);
    tk_diags_free(&diags);
    tk_arena_free(a);
}

TK_FUZZ_ENTRY(tk_fuzz_lists)
