/* derive.c — policy text to checklist: the sequence of stages. See derive.h
 * for the pipeline and derive_internal.h for which file holds which stage. */
#include "tenken/derive.h"

#include <stdlib.h>
#include <string.h>

#include "derive_internal.h"

tk_checklist *tk_derive(const char *bytes, size_t len, const char *path, const tk_derive_opts *opts,
                        tk_derive_report *rep, tk_diags *diags)
{
    memset(rep, 0, sizeof *rep);
    rep->arena = tk_arena_new();
    run r;
    memset(&r, 0, sizeof r);
    r.a = rep->arena;
    r.path = path;
    r.diags = diags;
    r.rep = rep;
    r.opts = opts;

    tk_buf text;
    if (!tk_dv_check_and_decode(&r, bytes, len, &text))
        return NULL;
    const char *std_names[64], *std_canon[64];
    size_t nstd = 0;
    if (!tk_dv_load_vocab(&r, std_names, std_canon, &nstd)) {
        tk_buf_free(&text);
        return NULL;
    }

    /* text to lines */
    size_t nlines = 0, nll = 0;
    pline *pl = tk_dv_read_lines(&r, &text, &nlines);
    if (!pl) {
        tk_buf_free(&text);
        return NULL;
    }
    tk_dv_read_markup(&r, pl, nlines);
    tk_dv_drop_artefacts(&r, pl, nlines);
    lline *ll = tk_dv_join_lines(&r, pl, nlines, &nll);
    free(pl);
    tk_buf_free(&text);

    /* the tree */
    bool *used_marker = tk_xcalloc(nll ? nll : 1, sizeof *used_marker);
    node *root = tk_dv_build_tree(&r, ll, nll, used_marker);
    tk_dv_detect_basic_policy(&r, root);
    tk_dv_mark_heading_nodes(root);
    if (getenv("TENKEN_DEBUG_TREE"))
        tk_dv_dump_tree(root, 0);

    /* roles, refs, items, ids */
    tk_dv_setup_roles(&r, root, ll, nll, std_names, std_canon, nstd);
    tk_dv_assign_refs(&r, root);
    tk_dv_new_checklist(&r, bytes, len);
    walker w;
    tk_dv_make_items(&r, root, &w);
    tk_dv_assign_ids(&r);
    tk_dv_collect_unplaced(&w, ll, nll, used_marker);
    tk_dv_classify_rest(&r, root);
    tk_dv_walker_free(&w);
    free(used_marker);
    tk_dv_free_lines(ll, nll);
    tk_dv_report_roles(&r);

    tk_strmap_free(&r.split_memo);
    tk_strmap_free(&r.norm_memo);
    if (r.c->nitems == 0) {
        tk_diag_error(diags, path, 0, "義務を定める条項 (〜しなければならない、〜してはならない、〜ものとする 等) が一つも見つかりません。ポリシーの本文か確認してください");
        tk_checklist_free(r.c);
        return NULL;
    }
    tk_checklist_prune(r.c);
    tk_checklist_rehash(r.c);
    return r.c;
}

void tk_derive_report_free(tk_derive_report *r)
{
    tk_arena_free(r->arena);
    memset(r, 0, sizeof *r);
}
