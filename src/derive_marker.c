/* derive_marker.c — the numbering markers a line can start with: 第1章,
 * 第5条の2, 4.1, 1), (1), ①, (ア), ア, (a), a., Ⅲ, 一, (一), bullets. */
#include "derive_internal.h"

#include <string.h>

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

/* 第N編 / 第N章 / 第N節 / 第N款 / 第N条 (第5条の2), with j at 第. */
static bool dai_marker(const int32_t *cps, size_t n, size_t *jp, tk_marker *m)
{
    size_t j = *jp;
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
    *jp = j;
    return true;
}

/* 4 / 4. / 4.1 / 1), with j at the first digit. */
static bool number_marker(const int32_t *cps, size_t n, size_t *jp, tk_marker *m)
{
    size_t j = *jp;
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
    *jp = j;
    return true;
}

/* (1) / (ア) / (a) / (一), with j at the (. */
static bool paren_marker(const int32_t *cps, size_t n, size_t *jp, tk_marker *m)
{
    size_t j = *jp;
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
    *jp = j;
    return true;
}

/* The raw marker line[b0..b1), white space removed. */
static void marker_raw(const char *line, size_t b0, size_t b1, tk_marker *m)
{
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
}

static bool marker_at(const int32_t *cps, const size_t *offs, size_t n, size_t i, const char *line, tk_marker *m)
{
    memset(m, 0, sizeof *m);
    size_t j = i;
    if (j >= n)
        return false;
    int32_t c = cps[j];

    /* 第N章 / 第N条 ... */
    if (c == 0x7B2C) { /* 第 */
        if (!dai_marker(cps, n, &j, m))
            return false;
    } else if (is_digit(c)) {
        if (!number_marker(cps, n, &j, m))
            return false;
    } else if (c == '(' && j + 2 < n) {
        if (!paren_marker(cps, n, &j, m))
            return false;
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
    } else if (c == '#' && j + 2 < n && cps[j + 1] == '.' && cps[j + 2] == ' ') {
        /* reStructuredText's auto-numbered list: #. */
        m->style = TK_MK_BULLET;
        j += 2;
    } else if ((c == '-' || c == '*' || c == '+' || c == 0x2010 || c == 0x2212) && j + 1 < n && cps[j + 1] == ' ') {
        m->style = TK_MK_BULLET;
        j++;
    } else {
        return false;
    }

    marker_raw(line, offs[i], offs[j], m);
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
