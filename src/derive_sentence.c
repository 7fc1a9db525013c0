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

/* A sentence that says what a word means (「…をいう。」) or what the document
 * itself is for (「この規程は、…を目的とする。」) obliges no one, whatever
 * words it contains (「…守らなければならない規則をいう。」). */
static bool is_definition_or_purpose(const char *core, size_t n)
{
    static const char *def_end[] = {"をいう", "という", "を指す", "を意味する", "をいうものとする", "目的とする",
                                    "目的としている"};
    for (size_t i = 0; i < sizeof def_end / sizeof def_end[0]; i++)
        if (core_ends(core, n, def_end[i]))
            return true;
    static const char *doc_first[] = {"この", "本"};
    static const char *doc_kind[] = {"規程", "規則", "要綱", "要領", "基準", "方針", "基本方針", "対策基準",
                                     "ポリシー", "情報セキュリティポリシー", "情報セキュリティ基本方針",
                                     "情報セキュリティ対策基準", "指針", "細則", "手順"};
    for (size_t i = 0; i < 2; i++) {
        if (!tk_str_starts(core, doc_first[i]))
            continue;
        const char *k = core + strlen(doc_first[i]);
        for (size_t j = 0; j < sizeof doc_kind / sizeof doc_kind[0]; j++) {
            size_t l = strlen(doc_kind[j]);
            if (strncmp(k, doc_kind[j], l) == 0 && (tk_str_starts(k + l, "は") || tk_str_starts(k + l, "において")))
                return !strstr(core, "なければならない") || core_ends(core, n, "ものとする");
        }
    }
    return false;
}

/* 所掌事務 (「…に関すること。」) list what a body deals with; they are no rule. */
static bool is_remit(const char *core, size_t n)
{
    static const char *remit[] = {"に関すること", "に係ること", "に関する事項", "についてのこと", "に関することを行う"};
    for (size_t i = 0; i < sizeof remit / sizeof remit[0]; i++)
        if (core_ends(core, n, remit[i]))
            return true;
    return false;
}

/* The first place any of words occurs in core, or NULL. */
static const char *first_of(const char *core, const char *const *words, size_t nwords)
{
    const char *best = NULL;
    for (size_t i = 0; i < nwords; i++) {
        const char *q = strstr(core, words[i]);
        if (q && (!best || q < best))
            best = q;
    }
    return best;
}

/* A plain verb ending (〜する。〜行う。) that may declare or oblige: not a
 * state, a passive, a potential or a definition. */
static bool plain_verb_end(const char *core, size_t n)
{
    static const char *not_declare[] = {"という", "をいう", "とする", "である", "ある", "いる", "される", "られる",
                                        "できる", "なる", "有する", "含む", "基づく", "よる", "おける", "係る",
                                        "関する", "わたる", "かかる", "属する", "れる", "せる", "いく", "くる",
                                        "充てる", "置く", "審議する", "所掌する", "つかさどる", "掌る", "統括する",
                                        "施行する", "準用する", "適用する", "別に定める",
                                        "組織する", "構成する", "成る", "から成る"};
    if (n == 0)
        return false;
    int32_t lc = last_cp(core, n);
    bool verb = lc == 0x3046 || lc == 0x304F || lc == 0x3050 || lc == 0x3059 || lc == 0x3064 || lc == 0x306C ||
                lc == 0x3076 || lc == 0x3080 || lc == 0x308B; /* うくぐすつぬぶむる */
    if (!verb)
        return false;
    for (size_t i = 0; i < sizeof not_declare / sizeof not_declare[0]; i++)
        if (core_ends(core, n, not_declare[i]))
            return false;
    return true;
}

int tk_obligation_level(const char *s, bool basic, bool enumerated)
{
    size_t n = sentence_core_len(s);
    char *core = tk_xmalloc(n + 1);
    memcpy(core, s, n);
    core[n] = '\0';
    int level = -1;
    /* the endings, and their obvious slips (しなければならなない, してならない) */
    static const char *must_not[] = {"てはならない", "ではならない", "てはいけない", "てはならず", "てはなら",
                                     "ではなら", "てならない"};
    static const char *ban_end[] = {"禁止する", "禁止とする", "禁ずる", "禁じる", "禁止とすること", "禁止すること"};
    static const char *must[] = {"なければならない", "なくてはならない", "ねばならない", "なければならず",
                                 "なければなりません", "なければなら", "なくてはなら", "ねばなら"};
    const char *pos_not = first_of(core, must_not, sizeof must_not / sizeof must_not[0]);
    for (size_t i = 0; i < sizeof ban_end / sizeof ban_end[0] && !pos_not; i++)
        if (core_ends(core, n, ban_end[i]))
            pos_not = core + n - strlen(ban_end[i]); /* 〜を原則禁止する */
    const char *pos_must = first_of(core, must, sizeof must / sizeof must[0]);
    const char *mono = strstr(core, "ものとする");
    if (mono && (mono - core >= (ptrdiff_t)strlen("できる")) &&
        memcmp(mono - strlen("できる"), "できる", strlen("できる")) == 0)
        mono = NULL; /* 〜できるものとする grants, it does not oblige */
    if (is_definition_or_purpose(core, n) || is_remit(core, n)) {
        level = -1;
    } else if (contains(core, "努めなければならない") || contains(core, "努めるものとする") || core_ends(core, n, "努める") ||
               core_ends(core, n, "努めること") || core_ends(core, n, "望ましい") || contains(core, "努めなければならず") ||
               core_ends(core, n, "努めるものとすること") || core_ends(core, n, "努めなければならないこと")) {
        level = TK_LEVEL_SHOULD;
    } else if (pos_not && (!pos_must || pos_not < pos_must)) {
        level = TK_LEVEL_MUST_NOT;
    } else if (pos_must || mono) {
        level = TK_LEVEL_MUST;
    } else if (core_ends(core, n, "ないこと") && !core_ends(core, n, "ようにしないこと") &&
               !core_ends(core, n, "がないこと") && !core_ends(core, n, "のないこと")) {
        /* 〜しないこと: the government's style of 〜してはならない */
        level = TK_LEVEL_MUST_NOT;
    } else if (core_ends(core, n, "こと") && (enumerated || n > strlen("こと"))) {
        /* 〜すること: a rule sentence in the government's style */
        level = TK_LEVEL_MUST;
    } else if (basic && plain_verb_end(core, n)) {
        level = TK_LEVEL_DECLARE;
    }
    free(core);
    return level;
}

bool tk_dv_plain_verb_sentence(const char *s)
{
    size_t n = sentence_core_len(s);
    return plain_verb_end(s, n) && !is_definition_or_purpose(s, n) && !is_remit(s, n);
}

/* A lead-in (「次の事項を遵守しなければならない」「以下を全て含む…」「下記事項を
 * 明記した…」「次に掲げる…」「…は次のとおりとする」, or a line ending in a colon)
 * announces the items under it. */
bool tk_dv_is_lead_in(const char *norm_last)
{
    static const char *words[] = {"次の", "次に掲げる", "次に定める", "次を", "以下の", "以下を", "以下に掲げる",
                                  "以下に定める", "下記の", "下記事項", "下記に", "下記を", "左記の", "次のとおり",
                                  "以下のとおり", "各号"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (contains(norm_last, words[i]))
            return true;
    return ends_with(norm_last, ":") || ends_with(norm_last, "：");
}

/* A lead-in whose list describes rather than obliges: the threats a policy
 * assumes, the remit of a body (審議する、所掌する), what a scope covers. */
bool tk_dv_is_descriptive_lead(const char *norm_last)
{
    static const char *words[] = {"脅威", "リスクを想定", "審議する", "所掌する", "つかさどる", "掌る",
                                  "次のとおりとする", "以下のとおりとする", "次のとおりである", "をいう"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (contains(norm_last, words[i]))
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* sentences                                                           */

/* Split kept text at 。 outside brackets. */
typedef struct split {
    sentence *ss;
    size_t ns;
} split;

static size_t split_sentences(run *r, const char *text, sentence **out);

const char *tk_dv_norm(run *r, const char *s)
{
    const char *done = tk_strmap_get(&r->norm_memo, s);
    if (done)
        return done;
    const char *n = norm_a(r->a, s);
    bool existed;
    tk_strmap_put(&r->norm_memo, tk_arena_strdup(r->a, s), n, &existed);
    return n;
}

size_t tk_dv_split_sentences(run *r, const char *text, sentence **out)
{
    const split *done = tk_strmap_get(&r->split_memo, text);
    if (done) {
        *out = done->ss;
        return done->ns;
    }
    split *sp = tk_arena_alloc(r->a, sizeof *sp);
    sp->ns = split_sentences(r, text, &sp->ss);
    bool existed;
    tk_strmap_put(&r->split_memo, tk_arena_strdup(r->a, text), sp, &existed);
    *out = sp->ss;
    return sp->ns;
}

static size_t split_sentences(run *r, const char *text, sentence **out)
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
