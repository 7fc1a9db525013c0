/* fuzz_policy.c — derive's reader of policy text on arbitrary bytes: the
 * encodings (UTF-8, UTF-16, Shift_JIS), the lines, the markup, the
 * numbering tree, the items, and the checklist written out as XML. */
#include "fuzz.h"
#include "tenken/checklist.h"
#include "tenken/derive.h"
#include "tenken/diag.h"
#include "tenken/util.h"

static void tk_fuzz_policy(const uint8_t *data, size_t size)
{
    tk_diags diags;
    tk_diags_init(&diags);
    tk_derive_opts o = {.org_id = "fuzz", .name = "ファズ町", .source_name = "policy.txt"};
    tk_derive_report rep;
    tk_checklist *c = tk_derive((const char *)data, size, "policy.txt", &o, &rep, &diags);
    if (c) {
        tk_buf xml;
        tk_buf_init(&xml);
        tk_checklist_to_xml(c, &xml);
        tk_buf_free(&xml);
        tk_org *org = tk_derive_propose_org(&rep, "fuzz", "ファズ町");
        if (org) {
            tk_buf ox;
            tk_buf_init(&ox);
            tk_org_to_xml(org, &ox);
            tk_buf_free(&ox);
            tk_org_free(org);
        }
        tk_checklist_free(c);
    }
    tk_derive_report_free(&rep);
    tk_diags_free(&diags);
}

TK_FUZZ_ENTRY(tk_fuzz_policy)
