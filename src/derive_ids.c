/* derive_ids.c — stable item ids: a hash of the item's words, or the id the
 * same item had in --previous (same words, or same ref with similar words). */
#include "derive_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *item_key(run *r, const tk_item *it)
{
    return tk_arena_printf(r->a, "%s\x1f%s", it->context ? norm_a(r->a, it->context) : "", norm_a(r->a, it->text));
}

static const char *hash_id(run *r, const char *key)
{
    char hex[65];
    tk_sha256_hex(key, strlen(key), hex);
    hex[10] = '\0';
    return tk_arena_printf(r->a, "tk-%s", hex);
}

/* Dice coefficient over code-point bigrams of two match-form strings. */
static double similarity(const char *a, const char *b)
{
    size_t na = tk_utf8_count(a), nb = tk_utf8_count(b);
    if (na < 2 || nb < 2)
        return strcmp(a, b) == 0 ? 1.0 : 0.0;
    int32_t *ca = tk_xmalloc(na * sizeof *ca), *cb = tk_xmalloc(nb * sizeof *cb);
    const char *p = a, *e = a + strlen(a);
    for (size_t i = 0; i < na; i++)
        ca[i] = tk_utf8_next(&p, e);
    p = b;
    e = b + strlen(b);
    for (size_t i = 0; i < nb; i++)
        cb[i] = tk_utf8_next(&p, e);
    /* multiset intersection of bigrams, O(n*m) on short texts is fine, but
     * bound it for very long provisions */
    size_t la = na - 1 < 600 ? na - 1 : 600, lb = nb - 1 < 600 ? nb - 1 : 600;
    bool *used = tk_xcalloc(lb, sizeof *used);
    size_t common = 0;
    for (size_t i = 0; i < la; i++) {
        for (size_t j = 0; j < lb; j++) {
            if (!used[j] && ca[i] == cb[j] && ca[i + 1] == cb[j + 1]) {
                used[j] = true;
                common++;
                break;
            }
        }
    }
    free(used);
    free(ca);
    free(cb);
    return 2.0 * (double)common / (double)(la + lb);
}

void tk_dv_assign_ids(run *r)
{
    tk_checklist *c = r->c;
    const tk_checklist *prev = r->opts ? r->opts->previous : NULL;
    tk_strmap prev_by_key = {0}, prev_by_ref = {0}, used = {0};
    bool existed;
    if (prev) {
        for (size_t i = 0; i < prev->nitems; i++) {
            tk_strmap_put(&prev_by_key, item_key(r, &prev->items[i]), prev->items[i].id, &existed);
            tk_strmap_put(&prev_by_ref, prev->items[i].ref, tk_arena_printf(r->a, "%zu", i), &existed);
        }
    }
    const char **keys = tk_arena_alloc(r->a, (c->nitems ? c->nitems : 1) * sizeof *keys);
    tk_strmap seen = {0};
    for (size_t i = 0; i < c->nitems; i++) {
        keys[i] = item_key(r, &c->items[i]);
        tk_strmap_put(&seen, keys[i], "", &existed);
        if (existed) {
            /* the same words twice (e.g. 「報告を受けた…は、速やかに…報告しなければならない」):
             * the enclosing section tells them apart */
            const tk_section *s = c->items[i].section;
            tk_buf path;
            tk_buf_init(&path);
            for (; s && s->parent; s = s->parent)
                tk_buf_printf(&path, "%s\x1e", s->title);
            keys[i] = tk_arena_printf(r->a, "%s\x1f%s", keys[i], norm_a(r->a, path.data ? path.data : ""));
            tk_buf_free(&path);
        }
    }
    tk_strmap_free(&seen);
    for (size_t i = 0; i < c->nitems; i++) {
        tk_item *it = &c->items[i];
        const char *id = NULL;
        if (prev) {
            const char *pid = tk_strmap_get(&prev_by_key, item_key(r, it));
            if (pid && !tk_strmap_get(&used, pid)) {
                id = pid;
                r->rep->kept_previous++;
            } else {
                const char *pi = tk_strmap_get(&prev_by_ref, it->ref);
                if (pi) {
                    const tk_item *pit = &prev->items[strtoul(pi, NULL, 10)];
                    if (!tk_strmap_get(&used, pit->id) && !tk_strmap_get(&prev_by_key, item_key(r, it)) &&
                        similarity(norm_a(r->a, pit->text), norm_a(r->a, it->text)) >= 0.6) {
                        id = pit->id;
                        r->rep->kept_previous_ref++;
                    }
                }
            }
        }
        if (!id) {
            id = hash_id(r, keys[i]);
            for (int k = 2; tk_strmap_get(&used, id); k++)
                id = tk_arena_printf(r->a, "%s-%d", hash_id(r, keys[i]), k);
        }
        tk_strmap_put(&used, id, "", &existed);
        it->id = id;
    }
    tk_strmap_free(&prev_by_key);
    tk_strmap_free(&prev_by_ref);
    tk_strmap_free(&used);
}
