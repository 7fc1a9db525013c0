/* derive_sentence.c — sentences of a provision and the forms that oblige
 * (〜しなければならない, 〜してはならない, 〜ものとする, 〜に努める ...). */
#include "derive_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* obligations                                                         */

/* The length of a match-form sentence without its final 。 and without a
 * trailing bracketed remark: 「…をいう(…を除く。)。」 ends in いう. */
static size_t sentence_core_len(const char *s)
{
    size_t n = strlen(s);
    for (int guard = 0; guard < 8; guard++) {
        int32_t c = last_cp(s, n);
        if (c == 0x3002 || c == ' ' || c == '.') {
            while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
                n--;
            n--;
        } else if (c == ')' || c == 0x300D || c == 0x300F) {
            int32_t open = c == ')' ? '(' : c == 0x300D ? 0x300C : 0x300E;
            /* back to the matching opening bracket */
            int depth = 0;
            size_t i = n;
            while (i > 0) {
                size_t j = i - 1;
                while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80)
                    j--;
                const char *p = s + j;
                int32_t k = tk_utf8_next(&p, s + i);
                if (k == c)
                    depth++;
                else if (k == open && --depth == 0) {
                    i = j;
                    break;
                }
                i = j;
            }
            if (depth != 0 || c != ')')
                return n; /* unbalanced, or a quotation 「…」 that is the sentence */
            n = i;
        } else {
            return n;
        }
    }
    return n;
}

static bool core_ends(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

int tk_obligation_level(const char *s, bool basic, bool enumerated)
{
    size_t n = sentence_core_len(s);
    char *core = tk_xmalloc(n + 1);
    memcpy(core, s, n);
    core[n] = '\0';
    int level = -1;
    const char *must_not[] = {"てはならない", "ではならない", "てはいけない", "てはならず"};
    const char *must[] = {"なければならない", "なくてはならない", "ねばならない", "なければならず", "なければなりません"};
    const char *pos_must = NULL, *pos_not = NULL;
    for (size_t i = 0; i < sizeof must_not / sizeof must_not[0]; i++) {
        const char *q = strstr(core, must_not[i]);
        if (q && (!pos_not || q < pos_not))
            pos_not = q;
    }
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
        const char *q = strstr(core, must[i]);
        if (q && (!pos_must || q < pos_must))
            pos_must = q;
    }
    const char *mono = strstr(core, "ものとする");
    if (mono && (mono - core >= (ptrdiff_t)strlen("できる")) &&
        memcmp(mono - strlen("できる"), "できる", strlen("できる")) == 0)
        mono = NULL; /* 〜できるものとする grants, it does not oblige */
    if (contains(core, "努めなければならない") || contains(core, "努めるものとする") || core_ends(core, n, "努める") ||
        core_ends(core, n, "努めること") || core_ends(core, n, "望ましい") || contains(core, "努めなければならず")) {
        level = TK_LEVEL_SHOULD;
    } else if (pos_not && (!pos_must || pos_not < pos_must)) {
        level = TK_LEVEL_MUST_NOT;
    } else if (pos_must || mono) {
        level = TK_LEVEL_MUST;
    } else if (enumerated && (core_ends(core, n, "こと") || core_ends(core, n, "ないこと"))) {
        level = TK_LEVEL_MUST;
    } else if (basic && n > 0) {
        static const char *not_declare[] = {"という", "をいう", "とする", "である", "ある", "いる", "される", "られる",
                                            "できる", "なる", "有する", "含む", "基づく", "よる", "おける", "係る",
                                            "関する", "わたる", "かかる", "属する", "れる", "せる", "いく", "くる"};
        int32_t lc = last_cp(core, n);
        bool verb = lc == 0x3046 || lc == 0x304F || lc == 0x3050 || lc == 0x3059 || lc == 0x3064 || lc == 0x306C ||
                    lc == 0x3076 || lc == 0x3080 || lc == 0x308B; /* うくぐすつぬぶむる */
        if (verb) {
            bool excluded = false;
            for (size_t i = 0; i < sizeof not_declare / sizeof not_declare[0] && !excluded; i++)
                excluded = core_ends(core, n, not_declare[i]);
            if (!excluded)
                level = TK_LEVEL_DECLARE;
        }
    }
    free(core);
    return level;
}

/* ------------------------------------------------------------------ */
/* sentences                                                           */

/* Split kept text at 。 outside brackets. */
size_t tk_dv_split_sentences(run *r, const char *text, sentence **out)
{
    size_t n = 0, cap = 8;
    sentence *v = tk_arena_alloc(r->a, cap * sizeof *v);
    const char *p = text, *end = text + strlen(text), *start = text;
    int depth = 0;
    while (p <= end) {
        const char *q = p;
        int32_t c = p < end ? tk_utf8_next(&q, end) : 0;
        bool cut = false;
        if (p == end) {
            cut = true;
        } else if (c == '(' || c == 0xFF08 || c == 0x300C || c == 0x300E) {
            depth++;
        } else if ((c == ')' || c == 0xFF09 || c == 0x300D || c == 0x300F) && depth > 0) {
            depth--;
        } else if (c == 0x3002 && depth == 0) {
            cut = true;
            p = q; /* include the 。 */
        } else if (c == '\n') {
            cut = true; /* a paragraph ends a sentence, 。 or not */
            depth = 0;
            p = q;
        }
        if (cut) {
            /* trailing closing brackets after 。 belong to this sentence */
            const char *s0 = start;
            while (s0 < p && (*s0 == ' ' || *s0 == '\n'))
                s0++;
            const char *e0 = p;
            while (e0 > s0 && e0[-1] == '\n')
                e0--;
            if (e0 > s0) {
                if (n == cap) {
                    sentence *nv = tk_arena_alloc(r->a, cap * 2 * sizeof *nv);
                    memcpy(nv, v, n * sizeof *v);
                    v = nv;
                    cap *= 2;
                }
                v[n].kept = tk_arena_strndup(r->a, s0, (size_t)(e0 - s0));
                v[n].norm = norm_a(r->a, v[n].kept);
                if (*v[n].norm)
                    n++;
            }
            start = p;
            if (p == end)
                break;
            continue;
        }
        p = q;
    }
    *out = v;
    return n;
}
