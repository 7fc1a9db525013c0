/* derive.c — policy text to checklist. See derive.h for the pipeline. */
#include "tenken/derive.h"

#include <errno.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/text.h"
#include "tenken/xmlutil.h"

/* Bounds on untrusted input. */
#define MAX_POLICY_BYTES (16u * 1024u * 1024u)
#define MAX_LINE_BYTES (64u * 1024u)
#define MAX_LINES 200000u
#define MAX_DEPTH 24
/* A line at least this wide (terminal columns) that stops mid-sentence was
 * wrapped by the export and continues on the next line. */
#define WRAP_WIDTH 60

/* ------------------------------------------------------------------ */
/* small UTF-8 helpers                                                 */

static int32_t first_cp(const char *s)
{
    const char *p = s;
    return *s ? tk_utf8_next(&p, s + strlen(s)) : 0;
}

/* Last code point of s[0..len). */
static int32_t last_cp(const char *s, size_t len)
{
    if (!len)
        return 0;
    size_t i = len - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    const char *p = s + i;
    return tk_utf8_next(&p, s + len);
}

static bool ends_with(const char *s, const char *suffix) { return tk_str_ends(s, suffix); }

static bool contains(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

/* Full-width ASCII to ASCII, ideographic space to space: how markers are
 * read (never how text is kept). */
static int32_t fold(int32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    if (cp == 0x3000 || cp == '\t' || cp == 0xA0)
        return ' ';
    return cp;
}

static bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }
static bool is_alpha(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static const int32_t KANA_ORDER[] = {
    0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, /* アイウエオ */
    0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, /* カキクケコ */
    0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, /* サシスセソ */
    0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, /* タチツテト */
    0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, /* ナニヌネノ */
    0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, /* ハヒフヘホ */
    0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, /* マミムメモ */
    0x30E4, 0x30E6, 0x30E8,                 /* ヤユヨ */
    0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, /* ラリルレロ */
    0x30EF, 0x30F2, 0x30F3,                 /* ワヲン */
};

static int kana_value(int32_t cp)
{
    for (size_t i = 0; i < sizeof KANA_ORDER / sizeof KANA_ORDER[0]; i++)
        if (KANA_ORDER[i] == cp)
            return (int)i + 1;
    return 0;
}

static int kanji_digit(int32_t cp)
{
    static const int32_t d[] = {0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D};
    for (int i = 0; i < 10; i++)
        if (d[i] == cp)
            return i;
    if (cp == 0x96F6)
        return 0; /* 零 */
    return -1;
}

/* Parse a kanji numeral (一 .. 九十九, 百) at cps[*j]; -1 when none. */
static int parse_kanji_number(const int32_t *cps, size_t n, size_t *j)
{
    size_t k = *j;
    int total = 0, cur = -1;
    bool any = false;
    while (k < n) {
        int dgt = kanji_digit(cps[k]);
        if (dgt >= 0) {
            cur = (cur < 0 ? 0 : cur * 10) + dgt;
            any = true;
            k++;
        } else if (cps[k] == 0x5341) { /* 十 */
            total += (cur <= 0 ? 1 : cur) * 10;
            cur = -1;
            any = true;
            k++;
        } else if (cps[k] == 0x767E) { /* 百 */
            total += (cur <= 0 ? 1 : cur) * 100;
            cur = -1;
            any = true;
            k++;
        } else {
            break;
        }
    }
    if (!any)
        return -1;
    if (cur > 0)
        total += cur;
    *j = k;
    return total;
}

static int parse_arabic(const int32_t *cps, size_t n, size_t *j, int maxdigits)
{
    size_t k = *j;
    int v = 0, d = 0;
    while (k < n && is_digit(cps[k]) && d < maxdigits) {
        v = v * 10 + (cps[k] - '0');
        k++;
        d++;
    }
    if (d == 0 || (k < n && is_digit(cps[k])))
        return -1;
    *j = k;
    return v;
}

/* After "N " a counter word means a quantity ("1 年以内", "10 月"), not a
 * heading number. Only words that cannot start a heading are listed. */
static bool is_unit_after_number(int32_t cp)
{
    /* 年月日時分秒回件円倍箇か週台歳割個枚以未ケヶ% */
    static const int32_t u[] = {0x5E74, 0x6708, 0x65E5, 0x6642, 0x5206, 0x79D2, 0x56DE, 0x4EF6, 0x5186, 0x500D, 0x7B87,
                                0x304B, 0x9031, 0x53F0, 0x6B73, 0x5272, 0x500B, 0x679A, 0x4EE5, 0x672A, 0x30B1, 0x30F6, '%'};
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (u[i] == cp)
            return true;
    return false;
}

static bool is_bullet(int32_t cp)
{
    switch (cp) {
    case 0x30FB: /* ・ */
    case 0xFF65: /* ･ */
    case 0x2022: /* • */
    case 0x25CF: /* ● */
    case 0x25CB: /* ○ */
    case 0x25EF: /* ◯ */
    case 0x25A0: /* ■ */
    case 0x25A1: /* □ */
    case 0x25C6: /* ◆ */
    case 0x25C7: /* ◇ */
    case 0x25AA: /* ▪ */
    case 0x25B6: /* ▶ */
    case 0x25BA: /* ► */
    case 0x203B: /* ※ */
    case 0xF0A7: /* Symbol-font bullet from Word exports */
    case 0xF06C:
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* markers                                                             */

#define MK_MAX_CPS 96

static bool marker_at(const int32_t *cps, const size_t *offs, size_t n, size_t i, const char *line, tk_marker *m)
{
    memset(m, 0, sizeof *m);
    size_t j = i;
    if (j >= n)
        return false;
    int32_t c = cps[j];

    /* 第N章 / 第N条 ... */
    if (c == 0x7B2C) { /* 第 */
        j++;
        while (j < n && cps[j] == ' ')
            j++;
        int v = parse_arabic(cps, n, &j, 4);
        if (v < 0)
            v = parse_kanji_number(cps, n, &j);
        if (v <= 0)
            return false;
        while (j < n && cps[j] == ' ')
            j++;
        if (j >= n)
            return false;
        switch (cps[j]) {
        case 0x7DE8: m->style = TK_MK_HEN; break;     /* 編 */
        case 0x7AE0: m->style = TK_MK_CHAPTER; break; /* 章 */
        case 0x7BC0: m->style = TK_MK_SECTION; break; /* 節 */
        case 0x6B3E: m->style = TK_MK_KAN; break;     /* 款 */
        case 0x6761: m->style = TK_MK_ARTICLE; break; /* 条 */
        default: return false;
        }
        j++;
        if (m->style == TK_MK_ARTICLE && j < n && cps[j] == 0x306E) { /* 第5条の2 */
            size_t k = j + 1;
            int sub = parse_arabic(cps, n, &k, 3);
            if (sub < 0)
                sub = parse_kanji_number(cps, n, &k);
            if (sub <= 0)
                return false;
            m->sub = sub;
            j = k;
        }
        if (j < n && (tk_cp_is_hiragana(cps[j]) || cps[j] == 0x3001 || cps[j] == 0x3002))
            return false; /* 第二章に定める */
        m->value = v;
    } else if (is_digit(c)) {
        int v = parse_arabic(cps, n, &j, 3);
        if (v < 0)
            return false;
        m->parts[0] = v;
        m->depth = 1;
        while (j + 1 < n && cps[j] == '.' && is_digit(cps[j + 1]) && m->depth < 6) {
            size_t k = j + 1;
            int w = parse_arabic(cps, n, &k, 3);
            if (w < 0)
                return false;
            m->parts[m->depth++] = w;
            j = k;
        }
        if (m->depth >= 2) {
            if (j < n && cps[j] == '.')
                j++;
            if (j < n && (is_digit(cps[j]) || is_alpha(cps[j])))
                return false;
            m->style = TK_MK_DEC;
        } else if (j < n && cps[j] == '.') {
            j++;
            if (j < n && (is_digit(cps[j]) || is_alpha(cps[j])))
                return false;
            m->style = TK_MK_DEC;
        } else if (j < n && cps[j] == ')') {
            j++;
            m->style = TK_MK_RPAREN;
        } else if (j < n && cps[j] == ' ') {
            size_t k = j;
            while (k < n && cps[k] == ' ')
                k++;
            if (k < n && (is_digit(cps[k]) || is_unit_after_number(cps[k]) || cps[k] == '.' || cps[k] == '/' ||
                          cps[k] == '-' || cps[k] == ':'))
                return false;
            m->style = TK_MK_DEC;
        } else if (j >= n) {
            m->style = TK_MK_DEC; /* a number alone: a heading number on its own line */
        } else {
            return false;
        }
        m->value = m->parts[m->depth ? m->depth - 1 : 0];
        if (m->style == TK_MK_RPAREN)
            m->depth = 0;
    } else if (c == '(' && j + 2 < n) {
        size_t k = j + 1;
        while (k < n && cps[k] == ' ')
            k++;
        int v;
        enum tk_marker_style st;
        if ((v = parse_arabic(cps, n, &k, 3)) > 0) {
            st = TK_MK_PAREN_NUM;
        } else if (k < n && (v = kana_value(cps[k])) > 0) {
            k++;
            st = TK_MK_PAREN_KANA;
        } else if (k < n && cps[k] >= 'a' && cps[k] <= 'z') {
            v = cps[k] - 'a' + 1;
            k++;
            st = TK_MK_PAREN_LATIN;
        } else if ((v = parse_kanji_number(cps, n, &k)) > 0) {
            st = TK_MK_PAREN_KANJI;
        } else {
            return false;
        }
        while (k < n && cps[k] == ' ')
            k++;
        if (k >= n || cps[k] != ')')
            return false;
        j = k + 1;
        m->style = st;
        m->value = v;
    } else if (c >= 0x2474 && c <= 0x2487) { /* ⑴ */
        m->style = TK_MK_PAREN_NUM;
        m->value = c - 0x2473;
        j++;
    } else if ((c >= 0x2460 && c <= 0x2473) || (c >= 0x3251 && c <= 0x325F) || (c >= 0x32B1 && c <= 0x32BF)) {
        m->style = TK_MK_CIRCLED;
        m->value = c <= 0x2473 ? c - 0x245F : c <= 0x325F ? c - 0x3251 + 21 : c - 0x32B1 + 36;
        j++;
    } else if (kana_value(c) > 0 && j + 1 < n &&
               (cps[j + 1] == ' ' || cps[j + 1] == '.' || cps[j + 1] == ')' || cps[j + 1] == 0x3001)) {
        m->style = TK_MK_KANA;
        m->value = kana_value(c);
        j += 2;
    } else if (c >= 'a' && c <= 'z' && j + 1 < n && (cps[j + 1] == '.' || cps[j + 1] == ')') &&
               !(j + 2 < n && is_alpha(cps[j + 2]))) {
        m->style = TK_MK_LATIN;
        m->value = c - 'a' + 1;
        j += 2;
    } else if (c >= 0x2160 && c <= 0x216B) { /* Ⅰ..Ⅻ */
        m->style = TK_MK_ROMAN;
        m->value = c - 0x215F;
        j++;
    } else if (c == 'I' || c == 'V' || c == 'X') {
        int v = 0, prev = 0;
        size_t k = j;
        while (k < n && (cps[k] == 'I' || cps[k] == 'V' || cps[k] == 'X') && k - j < 5) {
            int d = cps[k] == 'I' ? 1 : cps[k] == 'V' ? 5 : 10;
            v += d;
            if (prev && d > prev)
                v -= 2 * prev;
            prev = d;
            k++;
        }
        if (k < n && !(cps[k] == '.' || cps[k] == ' '))
            return false;
        if (k < n && cps[k] == '.')
            k++;
        m->style = TK_MK_ROMAN;
        m->value = v;
        j = k;
    } else if (kanji_digit(c) > 0 || c == 0x5341) {
        int v = parse_kanji_number(cps, n, &j);
        if (v <= 0 || j >= n || cps[j] != ' ')
            return false;
        m->style = TK_MK_KANJI;
        m->value = v;
    } else if (is_bullet(c) && !(j + 1 < n && is_bullet(cps[j + 1]))) {
        /* 「○○市」 is a placeholder name, not two bullets */
        m->style = TK_MK_BULLET;
        j++;
    } else if ((c == '-' || c == '*' || c == '+' || c == 0x2010 || c == 0x2212) && j + 1 < n && cps[j + 1] == ' ') {
        m->style = TK_MK_BULLET;
        j++;
    } else {
        return false;
    }

    /* the raw marker, white space removed */
    size_t b0 = offs[i], b1 = offs[j];
    size_t r = 0;
    for (size_t b = b0; b < b1 && r + 1 < sizeof m->raw; b++) {
        unsigned char ch = (unsigned char)line[b];
        if (ch == ' ' || ch == '\t')
            continue;
        /* U+3000 ideographic space: E3 80 80 */
        if (ch == 0xE3 && b + 2 < b1 && (unsigned char)line[b + 1] == 0x80 && (unsigned char)line[b + 2] == 0x80) {
            b += 2;
            continue;
        }
        m->raw[r++] = (char)ch;
    }
    m->raw[r] = '\0';
    while (j < n && cps[j] == ' ')
        j++;
    m->text_offset = offs[j];
    return true;
}

bool tk_marker_parse(const char *line, size_t len, tk_marker *m)
{
    int32_t cps[MK_MAX_CPS];
    size_t offs[MK_MAX_CPS + 1];
    size_t n = 0;
    const char *p = line, *end = line + len;
    while (p < end && n < MK_MAX_CPS) {
        offs[n] = (size_t)(p - line);
        int32_t cp = tk_utf8_next(&p, end);
        cps[n++] = cp < 0 ? 0xFFFD : fold(cp);
    }
    offs[n] = (size_t)(p - line);
    size_t i = 0;
    while (i < n && cps[i] == ' ')
        i++;
    /* Markdown-style "- ①" from converted documents: the dash is layout. */
    if (i + 1 < n && (cps[i] == '-' || cps[i] == '*') && cps[i + 1] == ' ') {
        size_t k = i + 1;
        while (k < n && cps[k] == ' ')
            k++;
        if (marker_at(cps, offs, n, k, line, m) && m->style != TK_MK_BULLET)
            return true;
    }
    return marker_at(cps, offs, n, i, line, m);
}

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
/* the derive run                                                      */

typedef struct vocab {
    const char *fallback;
    const char **names; /* role names and aliases (match form) */
    const char **canon; /* canonical id for each name */
    size_t nnames, capnames;
    const char **suffixes;
    size_t nsuffixes;
    const char **part_words;
    size_t nparts;
    const char **basic_words;
    size_t nbasic;
    const char **generic; /* endings of a subject that means anyone (利用者) */
    size_t ngeneric;
    const char *staff;    /* the role every member of staff holds (職員等) */
    const char **std;     /* role names of templates/derive.xml (match form) */
    size_t nstd;
    /* roles in discovery order with their aliases */
    const char **found;
    size_t nfound, capfound;
} vocab;

enum node_kind { N_ROOT, N_PART, N_MARKED };

typedef struct entry entry;
typedef struct node node;

struct node {
    enum node_kind kind;
    tk_marker mk;
    const char *text;  /* kept form of the marker line's text */
    const char *title; /* article title (（目的）) or part title */
    long line;
    node *parent;
    entry *entries; /* children in order */
    size_t nentries, capentries;
    int nparas;     /* unmarked paragraph entries */
    int nbullets;   /* bullet children so far (to number them) */
    int bullet_no;  /* this node's number among bullet siblings */
    bool is_heading;
    bool has_child_nodes;
    const char *ref;
    tk_section *section;
    const char **roles; /* resolved roles of the item made from it */
    size_t nroles;
};

struct entry {
    node *child;      /* a marked node, or NULL for a paragraph */
    const char *text; /* paragraph (kept form) */
    long line;
    int para_no; /* 1-based among paragraphs of the parent */
};

typedef struct lline {
    tk_buf raw; /* joined text as in the file */
    long line;
    bool has_marker;
    tk_marker mk;
    size_t last_width;  /* width of the last physical line joined */
    size_t nphys;       /* physical lines joined into it */
    bool first_is_head; /* its first physical line looks like a heading */
} lline;

typedef struct run {
    tk_arena *a;
    const char *path;
    tk_diags *diags;
    tk_derive_report *rep;
    const tk_derive_opts *opts;
    vocab v;
    tk_checklist *c;
    bool doc_basic; /* the whole document is a 基本方針 */
    /* item bookkeeping for ids */
    const char **item_keys;
    size_t nitem_keys, capitem_keys;
    /* obligation sentences placed in items, by line */
    tk_buf placed_norm; /* all item texts (match form) concatenated */
    const char **last_roles;
    size_t nlast_roles;
    const node *last_roles_parent;
} run;

static void push_str(tk_arena *a, const char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        const char **na = tk_arena_alloc(a, nc * sizeof *na);
        if (*n)
            memcpy(na, *arr, *n * sizeof *na);
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = s;
}

static const char *norm_a(tk_arena *a, const char *s)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_text_norm(s, strlen(s), &b);
    const char *r = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return r;
}

static const char *canon_of(const vocab *v, const char *name_norm)
{
    for (size_t i = 0; i < v->nnames; i++)
        if (strcmp(v->names[i], name_norm) == 0)
            return v->canon[i];
    return NULL;
}

/* Register a role name (or alias of canon) for matching. */
static void vocab_add(run *r, const char *name, const char *canon)
{
    const char *nn = norm_a(r->a, name);
    if (!*nn || canon_of(&r->v, nn))
        return;
    const char *cn = canon ? canon : nn;
    push_str(r->a, &r->v.names, &r->v.nnames, &r->v.capnames, nn);
    /* canon[] grows in step with names[] */
    const char **nc = tk_arena_alloc(r->a, r->v.capnames * sizeof *nc);
    if (r->v.nnames > 1)
        memcpy(nc, r->v.canon, (r->v.nnames - 1) * sizeof *nc);
    nc[r->v.nnames - 1] = cn;
    r->v.canon = nc;
    bool known = false;
    for (size_t i = 0; i < r->v.nfound; i++)
        known |= strcmp(r->v.found[i], cn) == 0;
    if (!known)
        push_str(r->a, &r->v.found, &r->v.nfound, &r->v.capfound, cn);
}

static bool load_vocab(run *r, const char **std_names, const char **std_canon, size_t *nstd)
{
    tk_arena *a = r->a;
    const char *path = tk_data_path(a, "templates/derive.xml");
    xmlDocPtr doc = tk_xml_read_validated(path, NULL, NULL, r->diags);
    if (!doc)
        return false;
    size_t ns = 0, np = 0, nb = 0, ng = 0, cap_s = 0, cap_p = 0, cap_b = 0, cap_g = 0;
    *nstd = 0;
    for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *txt = xmlNodeGetContent(n);
        const char *t = tk_arena_strdup(a, txt ? (const char *)txt : "");
        xmlFree(txt);
        if (!strcmp((const char *)n->name, "fallback-role")) {
            r->v.fallback = t;
        } else if (!strcmp((const char *)n->name, "actor-suffix")) {
            push_str(a, &r->v.suffixes, &ns, &cap_s, norm_a(a, t));
        } else if (!strcmp((const char *)n->name, "part-word")) {
            push_str(a, &r->v.part_words, &np, &cap_p, t);
        } else if (!strcmp((const char *)n->name, "basic-policy-word")) {
            push_str(a, &r->v.basic_words, &nb, &cap_b, t);
        } else if (!strcmp((const char *)n->name, "anyone-ending")) {
            push_str(a, &r->v.generic, &ng, &cap_g, norm_a(a, t));
        } else if (!strcmp((const char *)n->name, "role") && *nstd < 62) {
            xmlChar *nm = xmlGetProp(n, BAD_CAST "name");
            if (nm) {
                const char *canon = tk_arena_strdup(a, (const char *)nm);
                std_names[*nstd] = canon;
                std_canon[(*nstd)++] = canon;
                for (xmlNodePtr k = n->children; k && *nstd < 62; k = k->next) {
                    if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "alias")) {
                        xmlChar *al = xmlNodeGetContent(k);
                        std_names[*nstd] = tk_arena_strdup(a, al ? (const char *)al : "");
                        std_canon[(*nstd)++] = canon;
                        xmlFree(al);
                    }
                }
                xmlFree(nm);
            }
        }
    }
    r->v.nsuffixes = ns;
    r->v.nparts = np;
    r->v.nbasic = nb;
    r->v.ngeneric = ng;
    xmlFreeDoc(doc);
    if (!r->v.fallback)
        r->v.fallback = "統括情報セキュリティ責任者";
    return true;
}

/* ------------------------------------------------------------------ */
/* input checks and lines                                              */

typedef struct pline {
    const char *s; /* trimmed, NUL-terminated (arena) */
    size_t len;
    long no;
    bool drop;
} pline;

static bool is_space_cp(int32_t c) { return tk_cp_is_space(c); }

static const char *trim_a(tk_arena *a, const char *s, size_t len, size_t *outlen)
{
    const char *p = s, *end = s + len;
    /* leading */
    while (p < end) {
        const char *q = p;
        int32_t c = tk_utf8_next(&q, end);
        if (c < 0 || !is_space_cp(c))
            break;
        p = q;
    }
    /* trailing */
    const char *e = end;
    while (e > p) {
        size_t i = (size_t)(e - p) - 1;
        while (i > 0 && ((unsigned char)p[i] & 0xC0) == 0x80)
            i--;
        const char *q = p + i;
        int32_t c = tk_utf8_next(&q, e);
        if (c < 0 || !is_space_cp(c))
            break;
        e = p + i;
    }
    *outlen = (size_t)(e - p);
    return tk_arena_strndup(a, p, *outlen);
}

/* A table-of-contents entry: a heading followed by a tab, dot leaders or
 * spaces and a page number. */
static bool is_toc_line(const char *s, size_t len)
{
    if (len == 0)
        return false;
    if (s[0] == '|') {
        /* markdown table: a separator row, or a row ending in a page number */
        bool sep = true;
        for (size_t i = 0; i < len; i++)
            if (!strchr("|-: ", s[i]))
                sep = false;
        if (sep)
            return true;
    }
    /* strip trailing pipes and spaces */
    size_t e = len;
    while (e > 0 && (s[e - 1] == '|' || s[e - 1] == ' '))
        e--;
    size_t d = e;
    /* page number: ASCII or full-width digits */
    int digits = 0;
    while (d > 0) {
        if (s[d - 1] >= '0' && s[d - 1] <= '9') {
            d--;
            digits++;
        } else if (d >= 3 && (unsigned char)s[d - 3] == 0xEF && (unsigned char)s[d - 2] == 0xBC &&
                   (unsigned char)s[d - 1] >= 0x90 && (unsigned char)s[d - 1] <= 0x99) {
            d -= 3;
            digits++;
        } else {
            break;
        }
    }
    if (digits == 0 || digits > 3 || d == 0)
        return false;
    /* what stands before the number: tab, dot leaders, pipes or 2+ spaces */
    size_t k = d;
    int spaces = 0;
    bool leader = false;
    while (k > 0) {
        unsigned char ch = (unsigned char)s[k - 1];
        if (ch == '\t' || ch == '|') {
            leader = true;
            k--;
        } else if (ch == ' ') {
            spaces++;
            k--;
        } else if (ch == '.') {
            if (k >= 2 && s[k - 2] == '.')
                leader = true;
            k--;
        } else if (k >= 3 && ch == 0xA6 && (unsigned char)s[k - 2] == 0x80 && (unsigned char)s[k - 3] == 0xE2) {
            leader = true; /* … */
            k -= 3;
        } else if (k >= 3 && ch == 0xA5 && (unsigned char)s[k - 2] == 0x80 && (unsigned char)s[k - 3] == 0xE2) {
            leader = true; /* ‥ */
            k -= 3;
        } else if (k >= 3 && ch == 0xBB && (unsigned char)s[k - 2] == 0x83 && (unsigned char)s[k - 3] == 0xE3) {
            leader = true; /* ・ */
            k -= 3;
        } else if (k >= 3 && ch == 0x8E && (unsigned char)s[k - 2] == 0xBC && (unsigned char)s[k - 3] == 0xEF) {
            leader = true; /* ． */
            k -= 3;
        } else {
            break;
        }
    }
    if (k == 0)
        return false;
    if (!leader && spaces < 2)
        return false;
    /* a sentence never ends in a page number */
    return !memchr(s, '\0', k) && !strstr(s, "\xE3\x80\x82"); /* 。 */
}

static bool is_page_number(const char *s, size_t len)
{
    /* 12 / - 12 - / −12− / (12) / 12/47 / p.12 / ページ */
    tk_buf f;
    tk_buf_init(&f);
    const char *p = s, *end = s + len;
    while (p < end) {
        int32_t c = tk_utf8_next(&p, end);
        c = fold(c);
        if (c == ' ')
            continue;
        if (c == 0x2212 || c == 0x2010 || c == 0x2013 || c == 0x2014 || c == 0x2015)
            c = '-';
        if (c > 0x7F) {
            tk_buf_free(&f);
            return false;
        }
        tk_buf_putc(&f, (char)c);
    }
    bool page = false;
    if (f.len > 0 && f.len <= 12) {
        const char *q = f.data;
        if (*q == '-' || *q == '(')
            q++;
        if (*q == 'p' || *q == 'P') {
            q++;
            if (*q == '.')
                q++;
        }
        int d = 0;
        while (*q >= '0' && *q <= '9') {
            q++;
            d++;
        }
        if (d >= 1 && d <= 3) {
            if (*q == '/') {
                q++;
                while (*q >= '0' && *q <= '9')
                    q++;
            }
            if (*q == '-' || *q == ')')
                q++;
            page = *q == '\0';
        }
    }
    tk_buf_free(&f);
    return page;
}

/* A line that is only a bracketed caption: <…>, 〈…〉, 【…】, [図…]. */
static bool is_caption(const char *norm)
{
    size_t n = strlen(norm);
    if (n < 3 || strstr(norm, "。"))
        return false;
    static const char *pairs[][2] = {{"<", ">"}, {"〈", "〉"}, {"【", "】"}, {"《", "》"}, {"[図", "]"}, {"[表", "]"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (tk_str_starts(norm, pairs[i][0]) && ends_with(norm, pairs[i][1])) {
            /* one bracket pair only */
            const char *inner = norm + strlen(pairs[i][0]);
            return !strstr(inner, pairs[i][0]) || strstr(inner, pairs[i][0]) >= norm + n - strlen(pairs[i][1]);
        }
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* line joining                                                        */

static bool ends_sentence(const char *s, size_t len)
{
    size_t n = len;
    for (int guard = 0; guard < 4 && n > 0; guard++) {
        int32_t c = last_cp(s, n);
        if (c == 0x3002 || c == 0xFF61 || c == ':' || c == 0xFF1A) /* 。｡ : ： */
            return true;
        if (c == 0xFF0E) /* ．as a full stop */
            return true;
        if (c == ')' || c == 0xFF09 || c == 0x300D || c == 0x300F || c == 0x3011) {
            while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
                n--;
            n--;
            continue;
        }
        return false;
    }
    return false;
}

static bool is_nonstarter(int32_t c)
{
    static const int32_t ns[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF09, ')', 0x300D, 0x300F, 0x3011, 0x30FC,
                                 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308E,
                                 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE,
                                 0x30F5, 0x30F6, 0x30FB, 0xFF1A, 0xFF1B, 0x3005, 0x309D, 0x309E, 0x30FD, 0x30FE};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        if (ns[i] == c)
            return true;
    return false;
}

static bool is_comma(int32_t c) { return c == 0x3001 || c == 0xFF0C || c == ','; }
static bool is_full_stop(int32_t c) { return c == 0x3002; }

/* Does a character that pred accepts stand outside (…) and 「…」? */
static bool outside_brackets(const char *s, size_t len, bool (*pred)(int32_t))
{
    const char *p = s, *end = s + len;
    int depth = 0;
    while (p < end) {
        int32_t c = tk_utf8_next(&p, end);
        if (c == '(' || c == 0xFF08 || c == 0x300C || c == 0x300E)
            depth++;
        else if ((c == ')' || c == 0xFF09 || c == 0x300D || c == 0x300F) && depth > 0)
            depth--;
        else if (depth == 0 && pred(c))
            return true;
    }
    return false;
}

/* 、 outside brackets? (headings rarely have one) */
static bool has_comma_outside_brackets(const char *s, size_t len) { return outside_brackets(s, len, is_comma); }

static bool has_stop_outside_brackets(const char *s, size_t len) { return outside_brackets(s, len, is_full_stop); }

static bool ends_with_particle(const char *s, size_t len)
{
    int32_t c = last_cp(s, len);
    /* を に は が の と で や へ も 、 ， ( （ 「 */
    return c == 0x3092 || c == 0x306B || c == 0x306F || c == 0x304C || c == 0x306E || c == 0x3068 || c == 0x3067 ||
           c == 0x3084 || c == 0x3078 || c == 0x3082 || c == 0x3001 || c == 0xFF0C || c == ',' || c == '(' ||
           c == 0xFF08 || c == 0x300C;
}

/* Does physical line L continue logical line P? */
static bool continues(const lline *P, const char *L, const tk_marker *lmk, bool lmarked)
{
    if (lmarked && lmk->style != TK_MK_BULLET)
        return false;
    if (lmarked && lmk->style == TK_MK_BULLET && first_cp(L) != 0x30FB)
        return false;
    const char *ps = P->raw.data;
    size_t plen = P->raw.len;
    if (ends_sentence(ps, plen))
        return false;
    int32_t lc = first_cp(L);
    if (is_nonstarter(lc))
        return true;
    if (lmarked)
        return false; /* a ・ that is not a continuation */
    int32_t pc = last_cp(ps, plen);
    if (ends_with_particle(ps, plen))
        return true;
    if (P->last_width >= WRAP_WIDTH) {
        if (P->first_is_head && P->nphys == 1)
            return tk_cp_is_hiragana(pc) || (tk_cp_is_katakana(pc) && tk_cp_is_katakana(lc));
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* tree                                                                */

static node *node_new(run *r, enum node_kind k, node *parent)
{
    node *n = tk_arena_alloc(r->a, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = k;
    n->parent = parent;
    return n;
}

static entry *node_add_entry(run *r, node *n)
{
    if (n->nentries == n->capentries) {
        size_t nc = n->capentries ? n->capentries * 2 : 8;
        entry *ne = tk_arena_alloc(r->a, nc * sizeof *ne);
        if (n->nentries)
            memcpy(ne, n->entries, n->nentries * sizeof *ne);
        n->entries = ne;
        n->capentries = nc;
    }
    entry *e = &n->entries[n->nentries++];
    memset(e, 0, sizeof *e);
    return e;
}

static void attach_child(run *r, node *parent, node *child)
{
    child->parent = parent;
    entry *e = node_add_entry(r, parent);
    e->child = child;
    e->line = child->line;
    parent->has_child_nodes = true;
    if (child->kind == N_MARKED && child->mk.style == TK_MK_BULLET)
        child->bullet_no = ++parent->nbullets;
}

static void attach_para(run *r, node *parent, const char *text, long line)
{
    entry *e = node_add_entry(r, parent);
    e->text = text;
    e->line = line;
    e->para_no = ++parent->nparas;
}

static int style_rank(enum tk_marker_style s)
{
    switch (s) {
    case TK_MK_HEN:
        return 1;
    case TK_MK_CHAPTER:
        return 2;
    case TK_MK_SECTION:
        return 3;
    case TK_MK_KAN:
        return 4;
    case TK_MK_ARTICLE:
        return 5;
    default:
        return 0;
    }
}

static bool same_style(const tk_marker *a, const tk_marker *b)
{
    if (a->style != b->style)
        return false;
    if (a->style == TK_MK_DEC)
        return a->depth == b->depth;
    return true;
}

static bool dec_prefix_equal(const tk_marker *a, const tk_marker *b, int k)
{
    for (int i = 0; i < k; i++)
        if (a->parts[i] != b->parts[i])
            return false;
    return true;
}

static bool in_article(node *top)
{
    for (node *n = top; n && n->kind == N_MARKED; n = n->parent)
        if (n->mk.style == TK_MK_ARTICLE)
            return true;
    return false;
}

static bool style_is_in_stack(node *top, const tk_marker *m)
{
    for (node *n = top; n && n->kind == N_MARKED; n = n->parent)
        if (same_style(&n->mk, m))
            return true;
    return false;
}

/* Where does marker m go? Returns the new parent, or NULL when m is not a
 * numbering marker here (out of sequence: read the line as text). */
static node *place_marker(node *top, const tk_marker *m)
{
    int rank = style_rank(m->style);
    if (rank) {
        /* structural: pop to a node of higher rank, or a part, or the root */
        node *n = top;
        while (n->kind == N_MARKED && (style_rank(n->mk.style) == 0 || style_rank(n->mk.style) >= rank))
            n = n->parent;
        return n;
    }
    if (m->style == TK_MK_DEC && m->depth >= 2) {
        for (node *n = top; n->kind == N_MARKED; n = n->parent) {
            if (n->mk.style != TK_MK_DEC)
                continue;
            if (n->mk.depth == m->depth && dec_prefix_equal(&n->mk, m, m->depth - 1) &&
                m->value > n->mk.value && m->value <= n->mk.value + 3)
                return n->parent;
            if (n->mk.depth == m->depth - 1 && dec_prefix_equal(&n->mk, m, m->depth - 1) && m->value <= 3)
                return n;
            if (n->mk.depth < m->depth - 1)
                break;
        }
        /* a document that starts at 1.1, or a deeper level after a jump */
        bool any_dec = false;
        for (node *n = top; n->kind == N_MARKED; n = n->parent)
            any_dec |= n->mk.style == TK_MK_DEC;
        return any_dec ? NULL : top;
    }
    if (m->style == TK_MK_BULLET) {
        for (node *n = top; n->kind == N_MARKED; n = n->parent) {
            if (n->mk.style == TK_MK_BULLET)
                return n->parent;
            if (!n->is_heading)
                break;
        }
        return top;
    }
    for (node *n = top; n->kind == N_MARKED; n = n->parent) {
        if (same_style(&n->mk, m)) {
            if (m->value > n->mk.value && m->value <= n->mk.value + 3)
                return n->parent;
            break;
        }
    }
    if (m->value == 1)
        return top;
    /* an excerpt or a list that starts further on: accept the first number
     * of a style under a node that has no numbered children yet */
    if (!top->has_child_nodes && (top->kind != N_MARKED || !style_is_in_stack(top, m)))
        return top;
    /* 項 2, 3 ... inside an article whose first 項 is unnumbered */
    if (m->style == TK_MK_DEC && m->depth == 1 && m->value == 2 && in_article(top))
        return top;
    return NULL;
}

static bool looks_like_heading_text(const char *t, size_t len)
{
    if (len == 0)
        return true;
    if (has_stop_outside_brackets(t, len))
        return false;
    size_t w = tk_text_width(t);
    if (w > 90)
        return false;
    /* a comma in a short title that ends in a noun (「異動，退職時等の遵守事項」) */
    if (has_comma_outside_brackets(t, len))
        return w <= 40 && !tk_cp_is_hiragana(last_cp(t, len));
    return true;
}

static bool is_date_or_edition(const char *n)
{
    return contains(n, "改正") || contains(n, "制定") || contains(n, "策定") || contains(n, "改定") ||
           contains(n, "施行") || contains(n, "版") || (contains(n, "年") && contains(n, "月"));
}

/* ------------------------------------------------------------------ */
/* sentences and subjects                                              */

typedef struct sentence {
    const char *kept;
    const char *norm;
} sentence;

/* Split kept text at 。 outside brackets. */
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

typedef struct match {
    size_t pos, end;
    const char *canon;
} match;

/* Leftmost-longest role-name matches in a match-form sentence. */
static size_t find_roles(const vocab *v, const char *s, match *out, size_t max)
{
    size_t n = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len && n < max;) {
        size_t best = 0;
        const char *canon = NULL;
        for (size_t k = 0; k < v->nnames; k++) {
            size_t l = strlen(v->names[k]);
            if (l > best && l <= len - i && memcmp(s + i, v->names[k], l) == 0) {
                best = l;
                canon = v->canon[k];
            }
        }
        if (best) {
            out[n].pos = i;
            out[n].end = i + best;
            out[n].canon = canon;
            n++;
            i += best;
        } else {
            i++;
            while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
        }
    }
    return n;
}

static bool is_connector(const char *s, size_t a, size_t b)
{
    static const char *conn[] = {"又は", "及び", "並びに", "若しくは", "、", "・", "や", "と", "もしくは", "または", "および"};
    size_t l = b - a;
    for (size_t i = 0; i < sizeof conn / sizeof conn[0]; i++)
        if (strlen(conn[i]) == l && memcmp(s + a, conn[i], l) == 0)
            return true;
    return false;
}

/* The subject roles of a sentence: the first role named as topic (ROLEは),
 * with the roles joined to it by 又は / 及び / 、. */
static size_t sentence_subjects(const vocab *v, const char *s, const char **roles, size_t max)
{
    match m[32];
    size_t nm = find_roles(v, s, m, 32);
    for (size_t k = 0; k < nm; k++) {
        const char *after = s + m[k].end;
        bool topic = tk_str_starts(after, "は") && !tk_str_starts(after, "はじめ");
        /* 「CISO が定める」 is no subject; 「CISO 及び統括…は」 is */
        if (!topic)
            continue;
        size_t first = k;
        while (first > 0 && is_connector(s, m[first - 1].end, m[first].pos))
            first--;
        size_t n = 0;
        for (size_t j = first; j <= k && n < max; j++) {
            bool dup = false;
            for (size_t q = 0; q < n; q++)
                dup |= strcmp(roles[q], m[j].canon) == 0;
            if (!dup)
                roles[n++] = m[j].canon;
        }
        return n;
    }
    /* 「情報セキュリティ管理者又は担当者は、」: the roles named in the topic */
    const char *ha = strstr(s, "は、");
    if (ha && (size_t)(ha - s) <= 40 * 3) {
        size_t n = 0;
        for (size_t k = 0; k < nm && m[k].end <= (size_t)(ha - s) && n < max; k++) {
            bool dup = false;
            for (size_t q = 0; q < n; q++)
                dup |= strcmp(roles[q], m[k].canon) == 0;
            if (!dup)
                roles[n++] = m[k].canon;
        }
        return n;
    }
    return 0;
}

/* A topic (Xは、) that names an actor but no known role. */
static const char *unknown_actor(run *r, const char *s)
{
    const char *ha = strstr(s, "は、");
    if (!ha || ha == s)
        return NULL;
    size_t len = (size_t)(ha - s);
    if (tk_utf8_count(tk_arena_strndup(r->a, s, len)) > 24)
        return NULL;
    const char *topic = tk_arena_strndup(r->a, s, len);
    if (contains(topic, "、") || contains(topic, "。"))
        return NULL;
    static const char *not_actor_end[] = {"ついて", "おいて", "際して", "場合", "とき", "ため", "には", "では", "とは", "又"};
    for (size_t i = 0; i < sizeof not_actor_end / sizeof not_actor_end[0]; i++)
        if (ends_with(topic, not_actor_end[i]))
            return NULL;
    bool actor = false;
    for (size_t i = 0; i < r->v.nsuffixes && !actor; i++)
        actor = ends_with(topic, r->v.suffixes[i]);
    /* an ASCII acronym (CSIRT, CISO) names a body */
    size_t caps = 0;
    for (const char *p = topic; *p; p++)
        caps += (*p >= 'A' && *p <= 'Z');
    if (caps >= 2 && caps == strlen(topic))
        actor = true;
    return actor ? topic : NULL;
}

/* 「…を利用する者」「メールアドレス保有者」: anyone who does the thing. */
static bool is_generic_doer(const run *r, const char *topic)
{
    size_t n = strlen(topic);
    if (!ends_with(topic, "者"))
        return false;
    int32_t before = last_cp(topic, n - strlen("者"));
    if (tk_cp_is_hiragana(before))
        return true;
    for (size_t i = 0; i < r->v.ngeneric; i++)
        if (ends_with(topic, r->v.generic[i]))
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* discovering roles from the policy                                   */

/* 以下「X」という in s: returns X (match form) or NULL. */
static const char *defined_term(run *r, const char *s, const char **before)
{
    const char *p = strstr(s, "以下「");
    if (!p)
        return NULL;
    const char *x = p + strlen("以下「");
    const char *q = strstr(x, "」");
    if (!q || q - x > 60)
        return NULL;
    if (before) {
        /* the name the parenthesis follows: back to the opening ( */
        const char *open = NULL;
        for (const char *k = s; k < p; k++)
            if (*k == '(')
                open = k;
        *before = open ? tk_arena_strndup(r->a, s, (size_t)(open - s)) : NULL;
    }
    return tk_arena_strndup(r->a, x, (size_t)(q - x));
}

static bool is_actor_name(const run *r, const char *n)
{
    for (size_t i = 0; i < r->v.nsuffixes; i++)
        if (ends_with(n, r->v.suffixes[i]))
            return true;
    size_t caps = 0;
    for (const char *p = n; *p; p++)
        caps += (*p >= 'A' && *p <= 'Z');
    return caps >= 2 && caps == strlen(n);
}

/* Strip (...) and anything after it from a heading title: the role name. */
static const char *title_name(run *r, const char *norm_title)
{
    const char *p = strchr(norm_title, '(');
    size_t n = p ? (size_t)(p - norm_title) : strlen(norm_title);
    return tk_arena_strndup(r->a, norm_title, n);
}

/* Roles are the headings under the 組織体制 section: "(2) 統括情報セキュリティ
 * 責任者", "(1) 最高情報セキュリティ責任者（…以下「CISO」という。）". */
static void discover_in_node(run *r, node *n)
{
    for (size_t i = 0; i < n->nentries; i++) {
        node *c = n->entries[i].child;
        if (!c)
            continue;
        if (c->kind == N_MARKED && c->is_heading && c->text) {
            const char *nt = title_name(r, norm_a(r->a, c->text));
            if (ends_with(nt, "体制")) {
                for (size_t k = 0; k < c->nentries; k++) {
                    node *cc = c->entries[k].child;
                    if (!cc)
                        continue;
                    /* an article's title names it: （情報セキュリティ管理者） */
                    const char *heading = cc->mk.style == TK_MK_ARTICLE ? cc->title
                                          : (cc->is_heading || cc->has_child_nodes) ? cc->text
                                                                                   : NULL;
                    if (!heading)
                        continue;
                    const char *full = norm_a(r->a, heading);
                    const char *name = title_name(r, full);
                    if (!*name || !is_actor_name(r, name) || tk_utf8_count(name) > 24 || contains(name, "を") ||
                        contains(name, "は") || contains(name, "が"))
                        continue;
                    vocab_add(r, name, NULL);
                    const char *alias = defined_term(r, full, NULL);
                    if (alias)
                        vocab_add(r, alias, canon_of(&r->v, name));
                }
            }
        }
        discover_in_node(r, c);
    }
}

/* 以下「X」という definitions of actors anywhere in the text. */
static void discover_definitions(run *r, const char *norm_all)
{
    const char *p = norm_all;
    while ((p = strstr(p, "以下「")) != NULL) {
        const char *x = p + strlen("以下「");
        const char *q = strstr(x, "」");
        if (!q || q - x > 60) {
            p = x;
            continue;
        }
        const char *term = tk_arena_strndup(r->a, x, (size_t)(q - x));
        if (is_actor_name(r, term) && !canon_of(&r->v, term)) {
            /* an abbreviation of a role named just before the parenthesis */
            const char *open = NULL;
            for (const char *k = p; k > norm_all && p - k < 300; k--) {
                if (*k == '(') {
                    open = k;
                    break;
                }
            }
            const char *canon = NULL;
            if (open) {
                for (size_t i = 0; i < r->v.nnames && !canon; i++) {
                    size_t l = strlen(r->v.names[i]);
                    if ((size_t)(open - norm_all) >= l && memcmp(open - l, r->v.names[i], l) == 0 &&
                        strlen(term) < l)
                        canon = r->v.canon[i];
                }
            }
            vocab_add(r, term, canon);
        }
        p = q;
    }
}

/* ------------------------------------------------------------------ */
/* refs                                                                */

static const char *part_label(run *r, const char *title)
{
    for (size_t i = 0; i < r->v.nparts; i++)
        if (contains(title, r->v.part_words[i]))
            return r->v.part_words[i];
    return title;
}

static int count_parts(node *root)
{
    int n = 0;
    for (size_t i = 0; i < root->nentries; i++)
        if (root->entries[i].child && root->entries[i].child->kind == N_PART)
            n++;
    return n;
}

static const char *component(run *r, node *n)
{
    const tk_marker *m = &n->mk;
    node *p = n->parent;
    bool parent_article = p && p->kind == N_MARKED && p->mk.style == TK_MK_ARTICLE;
    bool parent_kou = p && p->kind == N_MARKED && p->mk.style == TK_MK_DEC && p->mk.depth == 1 && p->parent &&
                      p->parent->kind == N_MARKED && p->parent->mk.style == TK_MK_ARTICLE;
    switch (m->style) {
    case TK_MK_DEC:
        if (parent_article && m->depth == 1)
            return tk_arena_printf(r->a, "第%d項", m->value);
        return m->raw;
    case TK_MK_PAREN_NUM:
    case TK_MK_KANJI:
    case TK_MK_PAREN_KANJI:
        if (parent_article || parent_kou)
            return tk_arena_printf(r->a, "第%d号", m->value);
        return m->raw;
    case TK_MK_BULLET:
        return tk_arena_printf(r->a, "・%d", n->bullet_no);
    default:
        return m->raw;
    }
}

static const char *m_article_ref(run *r, node *n)
{
    if (n->mk.sub)
        return tk_arena_printf(r->a, "第%d条の%d", n->mk.value, n->mk.sub);
    return tk_arena_printf(r->a, "第%d条", n->mk.value);
}

/* prefix: part and chapter ("対策基準 ", "第２章 "); path: the numbering
 * path of n; nondec: the path of the nearest ancestor that is not a decimal
 * number (4.1 carries 4 in itself, so it replaces the decimal ancestors). */
static void assign_refs(run *r, node *n, const char *prefix, const char *path, const char *nondec)
{
    for (size_t i = 0; i < n->nentries; i++) {
        node *c = n->entries[i].child;
        if (!c)
            continue;
        const char *cprefix = prefix, *cpath, *cnondec;
        if (c->kind == N_PART) {
            c->ref = tk_arena_strdup(r->a, c->ref ? c->ref : "");
            cprefix = *c->ref ? tk_arena_printf(r->a, "%s ", c->ref) : "";
            cpath = cnondec = "";
        } else if (c->mk.style == TK_MK_ARTICLE) {
            cprefix = "";
            cpath = cnondec = m_article_ref(r, c);
            c->ref = cpath;
        } else if (style_rank(c->mk.style)) {
            c->ref = tk_arena_printf(r->a, "%s%s", prefix, c->mk.raw);
            cprefix = tk_arena_printf(r->a, "%s%s ", prefix, c->mk.raw);
            cpath = cnondec = "";
        } else if (c->mk.style == TK_MK_DEC && !(c->mk.depth == 1 && n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE)) {
            cpath = tk_arena_printf(r->a, "%s%s", nondec, c->mk.raw);
            cnondec = nondec;
            c->ref = tk_arena_printf(r->a, "%s%s", prefix, cpath);
        } else {
            cpath = cnondec = tk_arena_printf(r->a, "%s%s", path, component(r, c));
            c->ref = tk_arena_printf(r->a, "%s%s", prefix, cpath);
        }
        assign_refs(r, c, cprefix, cpath, cnondec);
    }
}

/* ------------------------------------------------------------------ */
/* items                                                               */

typedef struct walker {
    run *r;
    tk_strmap placed;  /* match-form sentences that are in an item */
    tk_strmap refs;    /* refs used */
    const char **prev_roles;
    size_t nprev_roles;
    const node *prev_parent;
} walker;

static bool in_basic(run *r, const node *n)
{
    for (; n; n = n->parent) {
        const char *t = NULL;
        if (n->kind == N_PART)
            t = n->title;
        else if (n->kind == N_MARKED && style_rank(n->mk.style) && n->mk.style != TK_MK_ARTICLE)
            t = n->text;
        if (!t)
            continue;
        for (size_t i = 0; i < r->v.nbasic; i++)
            if (contains(t, r->v.basic_words[i]))
                return true;
        for (size_t i = 0; i < r->v.nparts; i++)
            if (contains(t, r->v.part_words[i]))
                return false;
    }
    return r->doc_basic;
}

static bool is_lead_in(const char *norm_last)
{
    return contains(norm_last, "次の") || contains(norm_last, "以下の") || contains(norm_last, "下記の") ||
           contains(norm_last, "次に掲げる") || ends_with(norm_last, ":") || ends_with(norm_last, "：");
}

static bool node_is_section(const node *n)
{
    return n->kind == N_PART || (n->kind == N_MARKED && (style_rank(n->mk.style) || n->is_heading));
}

/* Roles named in the titles of the enclosing headings (組織体制's
 * "(2) 統括情報セキュリティ責任者"). */
static size_t roles_from_headings(run *r, const node *n, const char **roles, size_t max)
{
    for (; n; n = n->parent) {
        if (n->kind != N_MARKED || !n->is_heading || !n->text)
            continue;
        const char *t = title_name(r, norm_a(r->a, n->text));
        match m[4];
        size_t nm = find_roles(&r->v, t, m, 4);
        if (nm == 1 && m[0].pos == 0 && m[0].end == strlen(t)) {
            roles[0] = m[0].canon;
            (void)max;
            return 1;
        }
    }
    return 0;
}

static void note_add(run *r, tk_derive_note **arr, size_t *n, long line, const char *text)
{
    tk_derive_note *na = tk_arena_alloc(r->a, (*n + 1) * sizeof *na);
    if (*n)
        memcpy(na, *arr, *n * sizeof *na);
    na[*n].line = line;
    na[*n].text = text;
    *arr = na;
    (*n)++;
}

static void emit_item(walker *w, tk_section *sec, const node *owner, const char *ref, const char *text,
                      const char *context, long line, bool enumerated)
{
    run *r = w->r;
    bool basic = in_basic(r, owner);
    sentence *ss;
    size_t ns = split_sentences(r, text, &ss);
    int level = -1;
    for (size_t i = 0; i < ns && level < 0; i++)
        level = tk_obligation_level(ss[i].norm, basic, enumerated);
    sentence *cs = NULL;
    size_t ncs = context ? split_sentences(r, context, &cs) : 0;
    if (level < 0 && context) {
        for (size_t i = 0; i < ncs && level < 0; i++)
            level = tk_obligation_level(cs[i].norm, basic, false);
    }
    if (level < 0)
        return;

    /* who must act */
    const char *roles[8];
    size_t nroles = 0;
    for (size_t i = 0; i < ns && !nroles; i++)
        if (tk_obligation_level(ss[i].norm, basic, enumerated) >= 0)
            nroles = sentence_subjects(&r->v, ss[i].norm, roles, 8);
    for (size_t i = 0; i < ns && !nroles; i++)
        nroles = sentence_subjects(&r->v, ss[i].norm, roles, 8);
    for (size_t i = 0; i < ncs && !nroles; i++)
        nroles = sentence_subjects(&r->v, cs[i].norm, roles, 8);
    if (!nroles) {
        for (size_t i = 0; i < ns && !nroles; i++) {
            const char *actor = unknown_actor(r, ss[i].norm);
            if (!actor)
                continue;
            bool standard = false;
            for (size_t k = 0; k < r->v.nstd && !standard; k++)
                standard = !strcmp(r->v.std[k], actor);
            if (r->v.staff && !standard && is_generic_doer(r, actor)) {
                /* 「情報資産を利用する者は、」: whoever does it, i.e. every member of staff */
                roles[nroles++] = r->v.staff;
            } else {
                roles[nroles++] = actor;
                note_add(r, &r->rep->unmapped, &r->rep->nunmapped, line, actor);
            }
        }
    }
    if (!nroles && w->prev_parent == owner->parent && w->nprev_roles && owner->kind == N_MARKED &&
        !node_is_section(owner)) {
        for (size_t i = 0; i < w->nprev_roles && i < 8; i++)
            roles[nroles++] = w->prev_roles[i];
    }
    if (!nroles)
        nroles = roles_from_headings(r, owner, roles, 8);
    if (!nroles) {
        roles[nroles++] = r->v.fallback;
        r->rep->fallback_roles++;
    }
    w->prev_roles = tk_arena_alloc(r->a, nroles * sizeof(char *));
    memcpy(w->prev_roles, roles, nroles * sizeof(char *));
    w->nprev_roles = nroles;
    w->prev_parent = owner->parent;

    /* a ref is unique: a second provision under one number gets 「-2」 */
    const char *uref = ref;
    bool existed;
    for (int k = 2; tk_strmap_put(&w->refs, uref, uref, &existed), existed; k++)
        uref = tk_arena_printf(r->a, "%s-%d", ref, k);

    tk_item it;
    memset(&it, 0, sizeof it);
    it.id = "";
    it.ref = uref;
    it.level = (enum tk_level)level;
    it.roles = roles;
    it.nroles = nroles;
    it.text = text;
    it.context = context;
    it.weight = 1.0;
    it.line = line;
    tk_checklist_add_item(r->c, sec, &it);
    r->rep->by_level[level]++;
    for (size_t i = 0; i < ns; i++)
        tk_strmap_put(&w->placed, ss[i].norm, "", &existed);
    for (size_t i = 0; i < ncs; i++)
        tk_strmap_put(&w->placed, cs[i].norm, "", &existed);
}

/* Text of a provision node: its line and the unmarked paragraphs under it. */
static const char *provision_text(run *r, const node *n)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_puts(&b, n->text ? n->text : "");
    for (size_t i = 0; i < n->nentries; i++) {
        if (n->entries[i].child)
            continue;
        if (b.len)
            tk_buf_putc(&b, '\n');
        tk_buf_puts(&b, n->entries[i].text);
    }
    const char *s = tk_arena_strdup(r->a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

static const char *last_sentence_norm(run *r, const char *text)
{
    sentence *ss;
    size_t ns = split_sentences(r, text, &ss);
    return ns ? ss[ns - 1].norm : "";
}

static void walk(walker *w, node *n, tk_section *sec);

static tk_section *open_section(walker *w, node *c, tk_section *sec)
{
    run *r = w->r;
    const char *title = c->kind == N_PART ? c->title : c->mk.style == TK_MK_ARTICLE ? (c->title ? c->title : "")
                                                                                     : c->text;
    tk_section *s = tk_checklist_add_section(r->c, sec, c->ref, title ? title : "");
    r->rep->sections++;
    c->section = s;
    return s;
}

static void provision(walker *w, node *c, tk_section *sec, const char *lead)
{
    run *r = w->r;
    const char *text = provision_text(r, c);
    bool has_items = false;
    for (size_t i = 0; i < c->nentries; i++)
        if (c->entries[i].child && !node_is_section(c->entries[i].child))
            has_items = true;
    bool c_is_lead = has_items && is_lead_in(last_sentence_norm(r, text));
    if (!c_is_lead)
        emit_item(w, sec, c, c->ref, text, lead, c->line, lead != NULL);
    for (size_t i = 0; i < c->nentries; i++) {
        node *cc = c->entries[i].child;
        if (!cc)
            continue;
        if (node_is_section(cc))
            walk(w, cc, open_section(w, cc, sec));
        else
            provision(w, cc, sec, c_is_lead ? text : NULL);
    }
}

static bool has_numbered_kou(const node *n)
{
    for (size_t i = 0; i < n->nentries; i++) {
        const node *c = n->entries[i].child;
        if (c && c->mk.style == TK_MK_DEC && c->mk.depth == 1)
            return true;
    }
    return false;
}

static void walk(walker *w, node *n, tk_section *sec)
{
    run *r = w->r;
    const char *lead = NULL;
    /* an article's own text is its first 項 */
    if (n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE && n->text && *n->text) {
        const char *ref = has_numbered_kou(n) ? tk_arena_printf(r->a, "%s第1項", n->ref) : n->ref;
        const char *ls = last_sentence_norm(r, n->text);
        bool next_items = n->nentries > 0 && n->entries[0].child && !node_is_section(n->entries[0].child);
        if (next_items && is_lead_in(ls))
            lead = n->text;
        else
            emit_item(w, sec, n, ref, n->text, NULL, n->line, false);
    }
    /* unnumbered paragraphs of an article are its 項 in order; an article of
     * one paragraph is cited by the article alone */
    bool article = n->kind == N_MARKED && n->mk.style == TK_MK_ARTICLE;
    int kou = article && n->text && *n->text ? 1 : 0;
    bool single_kou = article && !has_numbered_kou(n) && kou + n->nparas <= 1;
    for (size_t i = 0; i < n->nentries; i++) {
        entry *e = &n->entries[i];
        if (!e->child) {
            lead = NULL;
            if (n->kind == N_ROOT)
                continue; /* preamble: nothing to number it by */
            const char *ref = n->ref ? n->ref : "";
            if (article && !single_kou)
                ref = tk_arena_printf(r->a, "%s第%d項", n->ref, ++kou);
            else if (article)
                ref = n->ref;
            else if (n->nparas >= 2)
                ref = tk_arena_printf(r->a, "%s 第%d段落", ref, e->para_no);
            bool next_items = i + 1 < n->nentries && n->entries[i + 1].child &&
                              !node_is_section(n->entries[i + 1].child);
            if (next_items && is_lead_in(last_sentence_norm(r, e->text))) {
                lead = e->text;
                continue;
            }
            emit_item(w, sec, n, ref, e->text, NULL, e->line, false);
            continue;
        }
        node *c = e->child;
        if (c->kind == N_PART && !*c->ref) {
            /* the only part of the document numbers nothing: no section */
            lead = NULL;
            walk(w, c, sec);
        } else if (node_is_section(c)) {
            lead = NULL;
            walk(w, c, open_section(w, c, sec));
        } else {
            provision(w, c, sec, lead);
        }
    }
}

/* ------------------------------------------------------------------ */
/* ids                                                                 */

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

static void assign_ids(run *r)
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

/* ------------------------------------------------------------------ */
/* input                                                               */

static long line_of_offset(const char *s, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n')
            line++;
    return line;
}

/* Checks the raw bytes; on a problem adds diagnostics and returns false. */
static bool check_and_decode(run *r, const char *bytes, size_t len, tk_buf *text)
{
    const char *path = r->path;
    if (len == 0) {
        tk_diag_error(r->diags, path, 0, "ファイルが空です。ポリシーの本文を含むテキストファイルを指定してください");
        return false;
    }
    if (len > MAX_POLICY_BYTES) {
        tk_diag_error(r->diags, path, 0, "ファイルが大きすぎます (%zu バイト)。上限は %u バイトです", len, MAX_POLICY_BYTES);
        return false;
    }
    const unsigned char *u = (const unsigned char *)bytes;
    bool bom16 = len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF));
    if (!bom16 && memchr(bytes, '\0', len)) {
        tk_diag_error(r->diags, path, line_of_offset(bytes, (size_t)((const char *)memchr(bytes, '\0', len) - bytes)),
                      "NUL バイトがあります。テキストファイルではありません (Word・PDF・Excel のファイルはテキストに変換してから指定してください)");
        return false;
    }
    size_t bad = 0;
    if (!bom16 && !tk_utf8_valid(bytes, len, &bad)) {
        /* mostly valid UTF-8 with a few broken bytes: say where, rather
         * than reading it as Shift_JIS mojibake */
        size_t valid_mb = 0, invalid = 0;
        const char *p = bytes, *end = bytes + len;
        while (p < end) {
            const char *q = p;
            int32_t c = tk_utf8_next(&q, end);
            if (c < 0)
                invalid++;
            else if (c >= 0x80)
                valid_mb++;
            p = q;
        }
        if (valid_mb > 0 && invalid <= valid_mb) {
            int shown = 0;
            p = bytes;
            while (p < end && shown < 10) {
                const char *q = p;
                if (tk_utf8_next(&q, end) < 0) {
                    long ln = line_of_offset(bytes, (size_t)(p - bytes));
                    tk_diag_error(r->diags, path, ln, "UTF-8 として不正なバイト列があります (ファイル先頭から %zu バイト目: 0x%02X)。UTF-8 で保存し直してください",
                                  (size_t)(p - bytes) + 1, (unsigned char)*p);
                    shown++;
                    /* one message per line */
                    while (q < end && *q != '\n')
                        q++;
                }
                p = q;
            }
            return false;
        }
    }
    const char *enc = NULL;
    if (tk_text_decode(bytes, len, text, &enc) != 0) {
        tk_diag_error(r->diags, path, 0, "文字コードを判別できません。UTF-8 (BOM の有無は問いません)、BOM 付き UTF-16、Shift_JIS (CP932) のいずれかで保存してください");
        return false;
    }
    r->rep->encoding = enc;
    /* text, not binary: few control characters, some Japanese */
    size_t total = 0, ctrl = 0, kana = 0;
    const char *p = text->data, *end = text->data + text->len;
    while (p < end) {
        int32_t c = tk_utf8_next(&p, end);
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ' || c == 0x3000 || c == '\f')
            continue;
        total++;
        if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFFFD || (c >= 0xE000 && c <= 0xF8FF && c != 0xF0A7 && c != 0xF06C))
            ctrl++;
        if (tk_cp_is_hiragana(c) || tk_cp_is_katakana(c) || tk_cp_is_han(c))
            kana++;
    }
    if (total == 0) {
        tk_diag_error(r->diags, path, 0, "本文がありません (空白と改行だけです)。ポリシーの本文を含むテキストファイルを指定してください");
        tk_buf_free(text);
        return false;
    }
    if (ctrl * 100 > total) {
        tk_diag_error(r->diags, path, 0, "制御文字が多く、テキストファイルではないようです (%s として読んだ結果)。ポリシーをテキスト形式で保存して指定してください", enc);
        tk_buf_free(text);
        return false;
    }
    if (kana * 10 < total) {
        tk_diag_error(r->diags, path, 0, "日本語の文章が見当たりません (%s として読んだ結果)。日本語のポリシー本文を指定してください", enc);
        tk_buf_free(text);
        return false;
    }
    return true;
}

static size_t count_tabs(const char *s, size_t n)
{
    size_t t = 0;
    for (size_t i = 0; i < n; i++)
        t += s[i] == '\t';
    return t;
}

/* ------------------------------------------------------------------ */
/* the whole run                                                       */

static bool is_marker_line(const char *s, size_t len, tk_marker *m)
{
    if (count_tabs(s, len) >= 2)
        return false; /* a flattened table row, not a numbered provision */
    return tk_marker_parse(s, len, m);
}

static void mark_heading_nodes(node *n)
{
    for (size_t i = 0; i < n->nentries; i++) {
        node *c = n->entries[i].child;
        if (!c)
            continue;
        mark_heading_nodes(c);
        if (c->kind != N_MARKED)
            continue;
        if (style_rank(c->mk.style)) {
            c->is_heading = true;
            continue;
        }
        /* the width of a title is counted without what stands in brackets */
        tk_buf plain;
        tk_buf_init(&plain);
        const char *p = c->text, *end = c->text + strlen(c->text);
        int depth = 0;
        while (p < end) {
            const char *q = p;
            int32_t cp = tk_utf8_next(&q, end);
            if (cp == '(' || cp == 0xFF08)
                depth++;
            else if ((cp == ')' || cp == 0xFF09) && depth > 0)
                depth--;
            else if (depth == 0)
                tk_buf_append(&plain, p, (size_t)(q - p));
            p = q;
        }
        bool title = looks_like_heading_text(c->text, strlen(c->text)) && tk_text_width(plain.data ? plain.data : "") <= 80;
        if (title) {
            /* 「④ …配慮しなければならない」 without its 。 is a provision */
            char *nt = tk_text_norm_dup(c->text);
            title = tk_obligation_level(nt, false, false) < 0;
            free(nt);
        }
        tk_buf_free(&plain);
        c->is_heading = title && (c->has_child_nodes || c->nparas > 0);
    }
}

static void dump_tree(const node *n, int depth)
{
    for (size_t i = 0; i < n->nentries; i++) {
        const entry *e = &n->entries[i];
        if (e->child) {
            const node *c = e->child;
            fprintf(stderr, "%*s[%ld] %s%s %s\n", depth * 2, "", c->line, c->kind == N_PART ? "PART " : c->mk.raw,
                    c->is_heading ? " (見出し)" : "", c->kind == N_PART ? c->title : c->text);
            dump_tree(c, depth + 1);
        } else {
            fprintf(stderr, "%*s[%ld] ¶ %s\n", depth * 2, "", e->line, e->text);
        }
    }
}

static void collect_unplaced(walker *w, const lline *ll, size_t nll, const bool *used_marker)
{
    run *r = w->r;
    for (size_t i = 0; i < nll; i++) {
        const char *body = ll[i].raw.data;
        if (used_marker[i])
            body += ll[i].mk.text_offset;
        tk_buf kept;
        tk_buf_init(&kept);
        tk_text_keep(body, strlen(body), &kept);
        sentence *ss;
        size_t ns = split_sentences(r, kept.data ? kept.data : "", &ss);
        tk_buf_free(&kept);
        for (size_t k = 0; k < ns; k++) {
            int lv = tk_obligation_level(ss[k].norm, false, false);
            if (lv < 0 || tk_strmap_get(&w->placed, ss[k].norm))
                continue;
            note_add(r, &r->rep->unplaced, &r->rep->nunplaced, ll[i].line, ss[k].kept);
        }
    }
}

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
    if (!check_and_decode(&r, bytes, len, &text))
        return NULL;

    const char *std_names[64], *std_canon[64];
    size_t nstd = 0;
    if (!load_vocab(&r, std_names, std_canon, &nstd)) {
        tk_buf_free(&text);
        return NULL;
    }
    r.v.std = tk_arena_alloc(r.a, (nstd ? nstd : 1) * sizeof(char *));
    for (size_t i = 0; i < nstd; i++)
        r.v.std[r.v.nstd++] = norm_a(r.a, std_names[i]);

    /* ---- physical lines ---- */
    size_t nlines = 0, cap = 1024;
    pline *pl = tk_xmalloc(cap * sizeof *pl);
    bool too_long = false;
    {
        const char *p = text.data, *end = text.data + text.len;
        long no = 0;
        while (p < end || (p == end && no == 0)) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            no++;
            size_t l = (size_t)(le - p);
            if (l > 0 && p[l - 1] == '\r')
                l--;
            if (l > MAX_LINE_BYTES) {
                if (diags->errors < 10)
                    tk_diag_error(diags, path, no, "行が長すぎます (%zu バイト、上限 %u バイト)。改行のないデータはポリシーの本文として読めません", l,
                                  MAX_LINE_BYTES);
                too_long = true;
            } else if (nlines < MAX_LINES) {
                if (nlines == cap) {
                    cap *= 2;
                    pl = tk_xrealloc(pl, cap * sizeof *pl);
                }
                size_t tl;
                const char *t = trim_a(r.a, p, l, &tl);
                pl[nlines].s = t;
                pl[nlines].len = tl;
                pl[nlines].no = no;
                pl[nlines].drop = tl == 0;
                nlines++;
            } else {
                tk_diag_error(diags, path, no, "行数が多すぎます (上限 %u 行)", MAX_LINES);
                too_long = true;
                break;
            }
            if (!nl)
                break;
            p = nl + 1;
        }
    }
    rep->lines = nlines;
    if (too_long) {
        free(pl);
        tk_buf_free(&text);
        return NULL;
    }

    /* ---- what is not the policy ---- */
    tk_strmap counts = {0};
    for (size_t i = 0; i < nlines; i++) {
        if (pl[i].drop)
            continue;
        const char *n = norm_a(r.a, pl[i].s);
        if (is_toc_line(pl[i].s, pl[i].len) || !strcmp(n, "目次") || !strcmp(n, "(目次)") || !strcmp(n, "【目次】")) {
            pl[i].drop = true;
            rep->dropped_toc++;
        } else if (is_page_number(pl[i].s, pl[i].len)) {
            pl[i].drop = true;
            rep->dropped_pages++;
        } else if (is_caption(n)) {
            /* <志免町情報セキュリティ体制>: the caption of a figure that the
             * text export lost; it belongs to no provision */
            pl[i].drop = true;
            rep->dropped_headers++;
        }
    }
    /* running headers and footers: the same short unnumbered line again and again */
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < nlines; i++) {
            if (pl[i].drop)
                continue;
            tk_marker m;
            if (is_marker_line(pl[i].s, pl[i].len, &m) || strstr(pl[i].s, "。"))
                continue;
            size_t cps = tk_utf8_count(pl[i].s);
            if (cps < 4 || cps > 40)
                continue;
            const char *n = norm_a(r.a, pl[i].s);
            intptr_t cnt = (intptr_t)tk_strmap_get(&counts, n);
            if (pass == 0) {
                tk_strmap_set(&counts, n, (const void *)(cnt + 1));
            } else if (cnt >= 3) {
                pl[i].drop = true;
                rep->dropped_headers++;
            }
        }
    }
    tk_strmap_free(&counts);

    /* ---- logical lines ---- */
    size_t nll = 0, capll = 256;
    lline *ll = tk_xmalloc(capll * sizeof *ll);
    for (size_t i = 0; i < nlines; i++) {
        if (pl[i].drop)
            continue;
        tk_marker m;
        bool marked = is_marker_line(pl[i].s, pl[i].len, &m);
        if (nll > 0 && continues(&ll[nll - 1], pl[i].s, &m, marked)) {
            lline *P = &ll[nll - 1];
            int32_t a = last_cp(P->raw.data, P->raw.len), b = first_cp(pl[i].s);
            if (a < 0x80 && b < 0x80 && a != ' ' && is_alpha(a) && is_alpha(b))
                tk_buf_putc(&P->raw, ' ');
            tk_buf_append(&P->raw, pl[i].s, pl[i].len);
            P->last_width = tk_text_width(pl[i].s);
            P->nphys++;
            rep->joined++;
            continue;
        }
        if (nll == capll) {
            capll *= 2;
            ll = tk_xrealloc(ll, capll * sizeof *ll);
        }
        lline *L = &ll[nll++];
        tk_buf_init(&L->raw);
        tk_buf_append(&L->raw, pl[i].s, pl[i].len);
        L->line = pl[i].no;
        L->has_marker = marked;
        if (marked)
            L->mk = m;
        L->last_width = tk_text_width(pl[i].s);
        L->nphys = 1;
        const char *body = pl[i].s + (marked ? m.text_offset : 0);
        size_t blen = pl[i].len - (marked ? m.text_offset : 0);
        L->first_is_head = marked && !has_comma_outside_brackets(body, blen) && !tk_cp_is_hiragana(last_cp(body, blen));
    }
    free(pl);
    tk_buf_free(&text);

    /* ---- the tree ---- */
    node *root = node_new(&r, N_ROOT, NULL);
    node *top = root;
    bool *used_marker = tk_xcalloc(nll ? nll : 1, sizeof *used_marker);
    const char *pending_title = NULL;
    for (size_t i = 0; i < nll; i++) {
        lline *L = &ll[i];
        if (L->has_marker) {
            node *parent = place_marker(top, &L->mk);
            if (parent) {
                int d = 0;
                for (node *k = parent; k; k = k->parent)
                    d++;
                if (d <= MAX_DEPTH) {
                    node *c = node_new(&r, N_MARKED, parent);
                    c->mk = L->mk;
                    tk_buf kept;
                    tk_buf_init(&kept);
                    tk_text_keep(L->raw.data + L->mk.text_offset, L->raw.len - L->mk.text_offset, &kept);
                    c->text = tk_arena_strdup(r.a, kept.data ? kept.data : "");
                    tk_buf_free(&kept);
                    c->line = L->line;
                    if (c->mk.style == TK_MK_ARTICLE && pending_title)
                        c->title = pending_title;
                    pending_title = NULL;
                    /* 第1条(目的): the title on the article's own line */
                    if (c->mk.style == TK_MK_ARTICLE && !c->title) {
                        const char *tn = norm_a(r.a, c->text);
                        size_t tl = strlen(tn);
                        if (tl > 2 && tn[0] == '(' && tn[tl - 1] == ')' && !strchr(tn + 1, '(') &&
                            tk_utf8_count(tn) <= 24) {
                            c->title = tk_arena_strndup(r.a, tn + 1, tl - 2);
                            c->text = "";
                        }
                    }
                    attach_child(&r, parent, c);
                    top = c;
                    used_marker[i] = true;
                    continue;
                }
            }
        }
        tk_buf kept;
        tk_buf_init(&kept);
        tk_text_keep(L->raw.data, L->raw.len, &kept);
        const char *t = tk_arena_strdup(r.a, kept.data ? kept.data : "");
        tk_buf_free(&kept);
        const char *n = norm_a(r.a, t);
        bool next_marked = i + 1 < nll && ll[i + 1].has_marker;
        /* （目的） before 第1条 */
        if (next_marked && ll[i + 1].mk.style == TK_MK_ARTICLE && n[0] == '(' && ends_with(n, ")") &&
            tk_utf8_count(n) <= 24) {
            pending_title = tk_arena_strndup(r.a, n + 1, strlen(n) - 2);
            continue;
        }
        /* a part: an unnumbered title before numbering that starts again */
        if (next_marked && ll[i + 1].mk.value == 1 && !strstr(n, "。") && tk_text_width(t) <= 60 &&
            !ends_with(n, ":") && !ends_with(n, "、") && !is_date_or_edition(n) && !strstr(n, "、")) {
            node *outer = NULL;
            for (node *k = top; k && k->kind == N_MARKED; k = k->parent)
                outer = k;
            bool restart = outer && same_style(&outer->mk, &ll[i + 1].mk);
            bool first = top == root && count_parts(root) == 0 && !root->has_child_nodes;
            if (restart || first) {
                node *part = node_new(&r, N_PART, root);
                part->title = t;
                part->ref = part_label(&r, t);
                part->line = L->line;
                attach_child(&r, root, part);
                top = part;
                continue;
            }
        }
        attach_para(&r, top, t, L->line);
    }

    /* one part only: it numbers nothing, drop it from refs */
    if (count_parts(root) == 1) {
        for (size_t i = 0; i < root->nentries; i++) {
            node *p = root->entries[i].child;
            if (p && p->kind == N_PART)
                p->ref = "";
        }
    }

    /* is the whole document a 基本方針? */
    {
        bool basic_title = false, other_part = false;
        for (size_t i = 0; i < root->nentries; i++) {
            const entry *e = &root->entries[i];
            const char *t = e->child ? (e->child->kind == N_PART ? e->child->title : e->child->text) : e->text;
            if (!t)
                continue;
            for (size_t k = 0; k < r.v.nbasic; k++)
                basic_title |= contains(t, r.v.basic_words[k]);
            if (e->child && (e->child->kind == N_PART || style_rank(e->child->mk.style))) {
                for (size_t k = 0; k < r.v.nparts; k++) {
                    bool is_basic = false;
                    for (size_t q = 0; q < r.v.nbasic; q++)
                        is_basic |= !strcmp(r.v.part_words[k], r.v.basic_words[q]);
                    if (!is_basic && contains(t, r.v.part_words[k]))
                        other_part = true;
                }
            }
        }
        r.doc_basic = basic_title && !other_part;
    }

    mark_heading_nodes(root);
    if (getenv("TENKEN_DEBUG_TREE"))
        dump_tree(root, 0);

    /* ---- roles ---- */
    if (opts && opts->org) {
        for (size_t i = 0; i < opts->org->nroles; i++) {
            const tk_role *ro = &opts->org->roles[i];
            vocab_add(&r, ro->id, NULL);
            const char *cid = canon_of(&r.v, norm_a(r.a, ro->id));
            for (size_t k = 0; k < ro->naliases; k++)
                vocab_add(&r, ro->aliases[k], cid);
        }
        /* match must return the org's own ids as written */
        for (size_t i = 0; i < r.v.nnames; i++) {
            for (size_t k = 0; k < opts->org->nroles; k++)
                if (!strcmp(r.v.canon[i], norm_a(r.a, opts->org->roles[k].id)))
                    r.v.canon[i] = opts->org->roles[k].id;
        }
        for (size_t i = 0; i < r.v.nfound; i++) {
            for (size_t k = 0; k < opts->org->nroles; k++)
                if (!strcmp(r.v.found[i], norm_a(r.a, opts->org->roles[k].id)))
                    r.v.found[i] = opts->org->roles[k].id;
        }
    } else {
        discover_in_node(&r, root);
        tk_buf all;
        tk_buf_init(&all);
        for (size_t i = 0; i < nll; i++) {
            tk_text_norm(ll[i].raw.data, ll[i].raw.len, &all);
            tk_buf_putc(&all, '\n');
        }
        discover_definitions(&r, all.data ? all.data : "");
        for (size_t i = 0; i < nstd; i++) {
            const char *nn = norm_a(r.a, std_names[i]);
            if (!contains(all.data ? all.data : "", nn))
                continue;
            if (std_canon[i] != std_names[i]) {
                /* an abbreviation the guideline defines (CISO): its role too */
                vocab_add(&r, std_canon[i], NULL);
                vocab_add(&r, std_names[i], canon_of(&r.v, norm_a(r.a, std_canon[i])));
            } else {
                vocab_add(&r, std_names[i], NULL);
            }
        }
        tk_buf_free(&all);
    }
    /* the staff role: the org's every-department role named 職員…, else the
     * policy's 職員等 */
    if (opts && opts->org) {
        for (size_t i = 0; i < opts->org->nroles && !r.v.staff; i++)
            if (opts->org->roles[i].every_department && contains(opts->org->roles[i].id, "職員"))
                r.v.staff = opts->org->roles[i].id;
        for (size_t i = 0; i < opts->org->nroles && !r.v.staff; i++)
            if (opts->org->roles[i].every_department)
                r.v.staff = opts->org->roles[i].id;
    } else {
        for (size_t i = 0; i < r.v.nfound && !r.v.staff; i++)
            if (contains(r.v.found[i], "職員"))
                r.v.staff = r.v.found[i];
    }
    rep->fallback_role = r.v.fallback;
    if (opts && opts->org && !tk_org_role(opts->org, r.v.fallback)) {
        /* the org names no 統括 role: give subjectless provisions to the
         * first every-department role's superior, i.e. the first role listed */
        r.v.fallback = opts->org->nroles ? opts->org->roles[0].id : r.v.fallback;
        rep->fallback_role = r.v.fallback;
    }

    /* ---- refs, sections, items ---- */
    if (count_parts(root) > 0) {
        for (size_t i = 0; i < root->nentries; i++) {
            node *p = root->entries[i].child;
            if (p && p->kind == N_PART && !p->ref)
                p->ref = part_label(&r, p->title);
        }
    }
    assign_refs(&r, root, "", "", "");

    const char *name = opts && opts->name ? opts->name : opts && opts->org ? opts->org->name : "";
    r.c = tk_checklist_new(opts && opts->org_id ? opts->org_id : "", name);
    r.c->source = tk_arena_strdup(r.c->arena, opts && opts->source_name ? opts->source_name : "");
    char sha[65];
    tk_sha256_hex(bytes, len, sha);
    r.c->source_sha256 = tk_arena_strdup(r.c->arena, sha);

    walker w;
    memset(&w, 0, sizeof w);
    w.r = &r;
    walk(&w, root, &r.c->root);
    assign_ids(&r);
    collect_unplaced(&w, ll, nll, used_marker);
    tk_strmap_free(&w.placed);
    tk_strmap_free(&w.refs);
    free(used_marker);
    for (size_t i = 0; i < nll; i++)
        tk_buf_free(&ll[i].raw);
    free(ll);

    /* the roles for the review and the org.xml proposal */
    rep->role_names = r.v.found;
    rep->nroles = r.v.nfound;
    rep->role_aliases = tk_arena_alloc(r.a, (r.v.nfound ? r.v.nfound : 1) * sizeof *rep->role_aliases);
    rep->nrole_aliases = tk_arena_alloc(r.a, (r.v.nfound ? r.v.nfound : 1) * sizeof *rep->nrole_aliases);
    for (size_t i = 0; i < r.v.nfound; i++) {
        rep->nrole_aliases[i] = 0;
        rep->role_aliases[i] = tk_arena_alloc(r.a, (r.v.nnames ? r.v.nnames : 1) * sizeof(char *));
        for (size_t k = 0; k < r.v.nnames; k++)
            if (!strcmp(r.v.canon[k], r.v.found[i]) && strcmp(r.v.names[k], norm_a(r.a, r.v.found[i])))
                rep->role_aliases[i][rep->nrole_aliases[i]++] = r.v.names[k];
    }

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

tk_org *tk_derive_propose_org(const tk_derive_report *rep, const char *org_id, const char *name)
{
    tk_org *o = tk_xcalloc(1, sizeof *o);
    o->arena = tk_arena_new();
    tk_arena *a = o->arena;
    o->id = tk_arena_strdup(a, org_id ? org_id : "");
    o->name = tk_arena_strdup(a, name ? name : "");
    size_t n = rep->nroles + rep->nunmapped + 1;
    o->roles = tk_arena_alloc(a, n * sizeof *o->roles);
    bool have_fallback = false;
    for (size_t i = 0; i < rep->nroles; i++) {
        tk_role *ro = &o->roles[o->nroles++];
        memset(ro, 0, sizeof *ro);
        ro->id = tk_arena_strdup(a, rep->role_names[i]);
        ro->name = ro->id;
        ro->every_department = contains(ro->id, "職員");
        ro->naliases = rep->nrole_aliases[i];
        ro->aliases = tk_arena_alloc(a, (ro->naliases ? ro->naliases : 1) * sizeof(char *));
        for (size_t k = 0; k < ro->naliases; k++)
            ro->aliases[k] = tk_arena_strdup(a, rep->role_aliases[i][k]);
        have_fallback |= rep->fallback_role && !strcmp(ro->id, rep->fallback_role);
    }
    /* subjects the policy names but that map to no role: a person decides */
    for (size_t i = 0; i < rep->nunmapped; i++) {
        bool dup = false;
        for (size_t k = 0; k < o->nroles; k++)
            dup |= !strcmp(o->roles[k].id, rep->unmapped[i].text);
        if (dup)
            continue;
        tk_role *ro = &o->roles[o->nroles++];
        memset(ro, 0, sizeof *ro);
        ro->id = tk_arena_strdup(a, rep->unmapped[i].text);
        ro->name = ro->id;
        ro->every_department = contains(ro->id, "職員");
        ro->aliases = NULL;
    }
    if (!have_fallback && rep->fallback_role) {
        tk_role *ro = &o->roles[o->nroles++];
        memset(ro, 0, sizeof *ro);
        ro->id = tk_arena_strdup(a, rep->fallback_role);
        ro->name = ro->id;
    }
    return o;
}
