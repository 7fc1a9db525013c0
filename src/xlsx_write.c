/* xlsx_write.c — one department's inspection workbook, with libxlsxwriter. */
#include "tenken/xlsx_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <time.h>
#include <xlsxwriter.h>

#include "tenken/text.h"

/* Excel's largest row height in points. */
#define ROW_HEIGHT_MAX 409.0
/* Column widths on the cover and the instructions sheet (character units). */
static const double COVER_WIDTHS[] = {2, 26, 12, 12, 12, 20};
#define COVER_COLS 6
static const double INSTR_WIDTHS[] = {2, 24, 76};
#define INSTR_COLS 3

/* ---- Excel's rules for names ---- */

void tk_xlsx_col_name(int col, char out[4])
{
    char tmp[4];
    int n = 0;
    col++;
    while (col > 0 && n < 3) {
        int r = (col - 1) % 26;
        tmp[n++] = (char)('A' + r);
        col = (col - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* UTF-16 code units of a UTF-8 string (Excel counts sheet names so). */
static size_t utf16_len(const char *s)
{
    const char *p = s, *end = s + strlen(s);
    size_t n = 0;
    while (p < end) {
        int32_t cp = tk_utf8_next(&p, end);
        n += cp > 0xFFFF ? 2 : 1;
    }
    return n;
}

bool tk_xlsx_sheet_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || utf16_len(name) > TK_XLSX_SHEET_NAME_MAX)
        return false;
    if (name[0] == '\'' || name[n - 1] == '\'')
        return false;
    if (strpbrk(name, "[]:*?/\\"))
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    if (!strcasecmp(name, "History"))
        return false;
    return tk_utf8_valid(name, n, NULL);
}

static bool name_taken(const char *name, const char *const *taken, size_t ntaken)
{
    if (!strcasecmp(name, "History"))
        return true;
    for (size_t i = 0; i < ntaken; i++)
        if (taken[i] && !strcasecmp(taken[i], name))
            return true;
    return false;
}

/* Cut s to at most max UTF-16 units, the last being "…" when cut. */
static void cut_utf16(tk_buf *b, const char *s, size_t max)
{
    if (utf16_len(s) <= max) {
        tk_buf_puts(b, s);
        return;
    }
    const char *p = s, *end = s + strlen(s);
    size_t n = 0;
    while (p < end) {
        const char *start = p;
        int32_t cp = tk_utf8_next(&p, end);
        size_t w = cp > 0xFFFF ? 2 : 1;
        if (n + w > max - 1)
            break;
        tk_buf_append(b, start, (size_t)(p - start));
        n += w;
    }
    /* no space before the ellipsis */
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    tk_buf_puts(b, "…");
}

char *tk_xlsx_make_sheet_name(tk_arena *a, const char *want, const char *const *taken, size_t ntaken)
{
    tk_buf clean;
    tk_buf_init(&clean);
    const char *p = want, *end = want + strlen(want);
    while (p < end) {
        int32_t cp = tk_utf8_next(&p, end);
        if (cp < 0x20 || cp == 0x7f)
            continue; /* control characters and invalid bytes */
        switch (cp) {
        case '[':
            tk_buf_puts(&clean, "［");
            break;
        case ']':
            tk_buf_puts(&clean, "］");
            break;
        case ':':
            tk_buf_puts(&clean, "：");
            break;
        case '*':
            tk_buf_puts(&clean, "＊");
            break;
        case '?':
            tk_buf_puts(&clean, "？");
            break;
        case '/':
            tk_buf_puts(&clean, "／");
            break;
        case '\\':
            tk_buf_puts(&clean, "＼");
            break;
        default:
            tk_buf_put_cp(&clean, (uint32_t)cp);
        }
    }
    /* no leading or trailing apostrophes or spaces */
    const char *s = clean.data ? clean.data : "";
    while (*s == '\'' || *s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\'' || s[n - 1] == ' '))
        n--;
    char *base = tk_arena_strndup(a, s, n);
    tk_buf_free(&clean);
    if (!*base)
        base = tk_arena_strdup(a, "Sheet");

    tk_buf b;
    tk_buf_init(&b);
    cut_utf16(&b, base, TK_XLSX_SHEET_NAME_MAX);
    for (int k = 2; name_taken(b.data, taken, ntaken) && k < 10000; k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, " (%d)", k);
        tk_buf_reset(&b);
        cut_utf16(&b, base, TK_XLSX_SHEET_NAME_MAX - strlen(suffix));
        tk_buf_puts(&b, suffix);
    }
    char *r = tk_arena_strdup(a, b.data);
    tk_buf_free(&b);
    return r;
}

/* ---- the writer ---- */

typedef struct W {
    const tk_xlsx_spec *s;
    const tk_template *t;
    const char *path;
    lxw_workbook *wb;
    tk_arena *a;
    tk_diags *d;
    lxw_error err;
    const char *err_where;
    int header_row0, first_row0; /* 0-based */
    double height_sum;           /* points of the rows set so far on the current sheet */
    bool groups;
    size_t col_answer;
    double *colw;                 /* item sheet column widths: the template's, widened to their text */
    double cover_w[COVER_COLS];   /* the cover's, its labels never broken */
    /* formats */
    lxw_format *title, *caption, *right, *head, *group, *cell, *cell_c, *in_text, *in_list, *in_date, *ctx, *txt;
    lxw_format *label, *value, *klass, *note, *link, *num, *num_b, *pct, *total, *h1, *h2, *para, *tbl_head, *tbl;
    lxw_format *in_cover, *in_cover_date, *legend[3], *plain, *cf_unanswered, *cf_missing, *cell_date, *cell_late;
} W;

static void check(W *w, lxw_error e, const char *where)
{
    if (e != LXW_NO_ERROR && w->err == LXW_NO_ERROR) {
        w->err = e;
        w->err_where = where;
    }
}

static lxw_format *fmt(W *w)
{
    lxw_format *f = workbook_add_format(w->wb);
    format_set_font_name(f, w->t->font);
    format_set_font_size(f, w->t->font_size);
    return f;
}

static void bordered(W *w, lxw_format *f)
{
    format_set_border(f, LXW_BORDER_THIN);
    format_set_border_color(f, w->t->colors.border);
}

/* The number format of the template's first date input column (input) or
 * shown date column (!input) that names one; "yyyy/m/d" otherwise. */
static const char *date_format(const tk_template *t, bool input)
{
    for (size_t i = 0; i < t->ncolumns; i++) {
        const tk_tpl_column *c = &t->columns[i];
        bool is_input = tk_column_input(c->key) == TK_INPUT_DATE;
        if ((input ? is_input : c->key == TK_COL_PLAN_DUE) && c->number_format)
            return c->number_format;
    }
    return "yyyy/m/d";
}

/* A format aligned so (LXW_ALIGN_NONE: not set). */
static void align(lxw_format *f, uint8_t horizontal, uint8_t vertical)
{
    if (horizontal != LXW_ALIGN_NONE)
        format_set_align(f, horizontal);
    if (vertical != LXW_ALIGN_NONE)
        format_set_align(f, vertical);
}

/* Headings: the cover's title, a sheet's caption and department, the
 * column headings and the group row above them. */
static void make_heading_formats(W *w)
{
    const tk_tpl_colors *c = &w->t->colors;
    double sz = w->t->font_size;

    w->title = fmt(w);
    format_set_bold(w->title);
    format_set_font_size(w->title, sz + 6);
    format_set_font_color(w->title, c->title);
    align(w->title, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_CENTER);

    w->caption = fmt(w);
    format_set_bold(w->caption);
    format_set_font_size(w->caption, sz + 2);
    format_set_font_color(w->caption, c->title);
    align(w->caption, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);

    w->right = fmt(w);
    align(w->right, LXW_ALIGN_RIGHT, LXW_ALIGN_VERTICAL_CENTER);

    w->head = fmt(w);
    format_set_bold(w->head);
    format_set_bg_color(w->head, c->header);
    format_set_font_color(w->head, c->header_text);
    format_set_text_wrap(w->head);
    align(w->head, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->head);

    w->group = fmt(w);
    format_set_bold(w->group);
    format_set_bg_color(w->group, c->group);
    format_set_font_color(w->group, c->header_text);
    format_set_text_wrap(w->group);
    align(w->group, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->group);
}

/* The read-only cells of an item row: text and centred values. */
static void make_item_formats(W *w)
{
    w->cell = fmt(w);
    format_set_text_wrap(w->cell);
    align(w->cell, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_TOP);
    bordered(w, w->cell);

    w->cell_c = fmt(w);
    align(w->cell_c, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_TOP);
    bordered(w, w->cell_c);
}

/* The input cells of an item row: unlocked, in the input colour. */
static void make_input_formats(W *w)
{
    const tk_tpl_colors *c = &w->t->colors;

    w->in_text = fmt(w);
    format_set_unlocked(w->in_text);
    format_set_bg_color(w->in_text, c->input);
    format_set_text_wrap(w->in_text);
    align(w->in_text, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_TOP);
    bordered(w, w->in_text);

    w->in_list = fmt(w);
    format_set_unlocked(w->in_list);
    format_set_bg_color(w->in_list, c->input);
    format_set_text_wrap(w->in_list);
    align(w->in_list, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_TOP);
    bordered(w, w->in_list);

    w->in_date = fmt(w);
    format_set_unlocked(w->in_date);
    format_set_bg_color(w->in_date, c->input);
    align(w->in_date, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_TOP);
    bordered(w, w->in_date);
    format_set_num_format(w->in_date, date_format(w->t, true));
}

/* Read-only cells made after the inputs (their order in the workbook's
 * styles is kept): an overdue plan, a date shown, the item text's runs. */
static void make_shown_formats(W *w)
{
    const tk_tpl_colors *c = &w->t->colors;
    double sz = w->t->font_size;

    /* an earlier year's plan past its due date: bold, in the mark's colour */
    w->cell_late = fmt(w);
    format_set_text_wrap(w->cell_late);
    align(w->cell_late, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_TOP);
    format_set_bold(w->cell_late);
    format_set_font_color(w->cell_late, c->classification);
    bordered(w, w->cell_late);

    /* a date shown, not typed (a plan's current due date) */
    w->cell_date = fmt(w);
    align(w->cell_date, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(w->cell_date, date_format(w->t, false));
    bordered(w, w->cell_date);

    /* rich-text runs of the item text: the lead-in smaller and grey */
    w->ctx = fmt(w);
    format_set_font_size(w->ctx, sz > 7 ? sz - 1 : sz);
    format_set_font_color(w->ctx, c->context);
    w->txt = fmt(w);
}

/* The cover: labels and values, its inputs, the classification mark, notes,
 * the progress table (links, counts, the rate, totals). */
static void make_cover_formats(W *w)
{
    const tk_tpl_colors *c = &w->t->colors;
    double sz = w->t->font_size;

    w->label = fmt(w);
    format_set_bold(w->label);
    format_set_bg_color(w->label, c->header);
    format_set_text_wrap(w->label);
    align(w->label, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->label);

    w->value = fmt(w);
    format_set_text_wrap(w->value);
    align(w->value, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->value);

    w->in_cover = fmt(w);
    format_set_unlocked(w->in_cover);
    format_set_bg_color(w->in_cover, c->input);
    format_set_text_wrap(w->in_cover);
    align(w->in_cover, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->in_cover);

    w->in_cover_date = fmt(w);
    format_set_unlocked(w->in_cover_date);
    format_set_bg_color(w->in_cover_date, c->input);
    align(w->in_cover_date, LXW_ALIGN_LEFT, LXW_ALIGN_VERTICAL_CENTER);
    format_set_num_format(w->in_cover_date, "yyyy/m/d");
    bordered(w, w->in_cover_date);

    w->klass = fmt(w);
    format_set_bold(w->klass);
    format_set_font_size(w->klass, sz + 1);
    format_set_font_color(w->klass, c->classification);
    align(w->klass, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_CENTER);
    format_set_border(w->klass, LXW_BORDER_MEDIUM);
    format_set_border_color(w->klass, c->classification);

    w->note = fmt(w);
    format_set_text_wrap(w->note);
    align(w->note, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_TOP);

    w->link = fmt(w);
    format_set_underline(w->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(w->link, 0x0563C1);
    format_set_text_wrap(w->link);
    align(w->link, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->link);

    w->num = fmt(w);
    align(w->num, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->num);

    w->num_b = fmt(w);
    format_set_bold(w->num_b);
    format_set_bg_color(w->num_b, c->header);
    align(w->num_b, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->num_b);

    w->pct = fmt(w);
    format_set_bold(w->pct);
    format_set_num_format(w->pct, "0.0%");
    align(w->pct, LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->pct);

    w->total = fmt(w);
    format_set_bold(w->total);
    format_set_bg_color(w->total, c->header);
    align(w->total, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->total);
}

/* The instructions sheet: headings, paragraphs, tables, the colour legend. */
static void make_instruction_formats(W *w)
{
    const tk_tpl_colors *c = &w->t->colors;
    double sz = w->t->font_size;

    w->h1 = fmt(w);
    format_set_bold(w->h1);
    format_set_font_size(w->h1, sz + 4);
    format_set_font_color(w->h1, c->title);
    align(w->h1, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);

    w->h2 = fmt(w);
    format_set_bold(w->h2);
    format_set_font_size(w->h2, sz + 1);
    format_set_font_color(w->h2, c->title);
    align(w->h2, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bottom(w->h2, LXW_BORDER_THIN);
    format_set_bottom_color(w->h2, c->title);

    w->para = fmt(w);
    format_set_text_wrap(w->para);
    align(w->para, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_TOP);

    w->tbl_head = fmt(w);
    format_set_bold(w->tbl_head);
    format_set_bg_color(w->tbl_head, c->header);
    format_set_text_wrap(w->tbl_head);
    align(w->tbl_head, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_CENTER);
    bordered(w, w->tbl_head);

    w->tbl = fmt(w);
    format_set_text_wrap(w->tbl);
    align(w->tbl, LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_TOP);
    bordered(w, w->tbl);

    const uint32_t legend_colors[3] = {c->input, c->unanswered, c->missing};
    for (int i = 0; i < 3; i++) {
        w->legend[i] = fmt(w);
        format_set_bg_color(w->legend[i], legend_colors[i]);
        bordered(w, w->legend[i]);
    }
}

/* The identity sheet's plain cells and the conditional formats
 * (differential: a fill only) for an unanswered item and a missing entry. */
static void make_plain_and_conditional_formats(W *w)
{
    const tk_tpl_colors *c = &w->t->colors;
    w->plain = fmt(w);
    w->cf_unanswered = workbook_add_format(w->wb);
    format_set_bg_color(w->cf_unanswered, c->unanswered);
    w->cf_missing = workbook_add_format(w->wb);
    format_set_bg_color(w->cf_missing, c->missing);
}

/* Every format of the workbook, in a fixed order (the order of its styles). */
static void make_formats(W *w)
{
    make_heading_formats(w);
    make_item_formats(w);
    make_input_formats(w);
    make_shown_formats(w);
    make_cover_formats(w);
    make_instruction_formats(w);
    make_plain_and_conditional_formats(w);
}

static const char *expand(W *w, const char *s)
{
    return s ? tk_template_expand(w->a, s, w->s->vars, w->s->nvars) : "";
}

/* ---- text measure: how many lines a wrapped cell needs ---- */

/* Excel's column unit is the width of '0' in the default font (7 px at 96
 * dpi), with 5 px of padding; one text unit is half an em. A little is kept
 * in reserve for fonts wider than estimated. */
int tk_xlsx_cell_lines(const char *s, double width, double size)
{
    double px = width * 7.0 + 5.0 - 6.0;
    double unit = size * 96.0 / 72.0 / 2.0;
    return tk_text_wrap_lines(s, px / unit * 0.92);
}

/* ---- remembered line counts (tk_xlsx_measure) ---- */

typedef struct measure_slot {
    char *text; /* owned; NULL: an empty slot */
    uint64_t hash;
    double width, size;
    int lines;
} measure_slot;

struct tk_xlsx_measure {
    measure_slot *slots; /* open addressing, cap a power of two */
    size_t cap, n, bytes, misses, max_bytes;
};

tk_xlsx_measure *tk_xlsx_measure_new(size_t max_bytes)
{
    tk_xlsx_measure *m = tk_xcalloc(1, sizeof *m);
    m->max_bytes = max_bytes ? max_bytes : TK_XLSX_MEASURE_MAX_BYTES;
    return m;
}

static void measure_clear(tk_xlsx_measure *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].text);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = m->bytes = 0;
}

void tk_xlsx_measure_free(tk_xlsx_measure *m)
{
    if (!m)
        return;
    measure_clear(m);
    free(m);
}

size_t tk_xlsx_measure_count(const tk_xlsx_measure *m) { return m ? m->n : 0; }
size_t tk_xlsx_measure_misses(const tk_xlsx_measure *m) { return m ? m->misses : 0; }

/* FNV-1a over the text, the width and the size. */
static uint64_t measure_hash(const char *s, double width, double size)
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    double key[2] = {width, size};
    const unsigned char *k = (const unsigned char *)key;
    for (size_t i = 0; i < sizeof key; i++)
        h = (h ^ k[i]) * 1099511628211u;
    return h;
}

/* The slot that holds (s, width, size), or the empty one where it would go. */
static measure_slot *measure_find(const tk_xlsx_measure *m, uint64_t h, const char *s, double width, double size)
{
    for (size_t i = (size_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        measure_slot *e = &m->slots[i];
        if (!e->text || (e->hash == h && e->width == width && e->size == size && !strcmp(e->text, s)))
            return e;
    }
}

static void measure_grow(tk_xlsx_measure *m)
{
    size_t old_cap = m->cap;
    measure_slot *old = m->slots;
    m->cap = old_cap ? old_cap * 2 : 1024;
    m->slots = tk_xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].text)
            *measure_find(m, old[i].hash, old[i].text, old[i].width, old[i].size) = old[i];
    free(old);
}

int tk_xlsx_measure_lines(tk_xlsx_measure *m, const char *s, double width, double size)
{
    if (!m)
        return tk_xlsx_cell_lines(s, width, size);
    uint64_t h = measure_hash(s, width, size);
    if (m->cap) {
        measure_slot *e = measure_find(m, h, s, width, size);
        if (e->text)
            return e->lines;
    }
    int lines = tk_xlsx_cell_lines(s, width, size);
    m->misses++;
    size_t len = strlen(s);
    if (m->bytes + len + 1 > m->max_bytes)
        measure_clear(m); /* forget rather than grow without end */
    if ((m->n + 1) * 2 > m->cap)
        measure_grow(m);
    measure_slot *e = measure_find(m, h, s, width, size);
    *e = (measure_slot){tk_xstrdup(s), h, width, size, lines};
    m->n++;
    m->bytes += len + 1;
    return lines;
}

/* Excel's and libxlsxwriter's limits on a string (characters). */
#define STRING_MAX 32767
#define HEADER_MAX 255
#define PROPERTY_MAX 255

/* libxlsxwriter takes &G and &[Picture] in a header for an image, and
 * refuses a header that holds one without an image. */
static bool has_picture_code(const char *s) { return strstr(s, "&G") || strstr(s, "&[Picture]"); }

double tk_xlsx_decide(enum tk_xlsx_dep kind, const char *text, double width, double size, tk_xlsx_measure *measure)
{
    switch (kind) {
    case TK_XLSX_DEP_LINES:
        return tk_xlsx_measure_lines(measure, text, width, size);
    case TK_XLSX_DEP_WIDTH:
        return (double)tk_text_width(text);
    case TK_XLSX_DEP_WIDEST:
        return tk_text_widest_word(text);
    case TK_XLSX_DEP_HEADER: {
        /* as written: each '&' doubled, each \x01 (a code) made '&' */
        size_t n = tk_utf8_count(text);
        tk_buf b;
        tk_buf_init(&b);
        for (const char *p = text; *p; p++) {
            if (*p == '&') {
                tk_buf_putc(&b, '&');
                n++;
            }
            tk_buf_putc(&b, *p == '\x01' ? '&' : *p);
        }
        bool refused = b.data && has_picture_code(b.data);
        tk_buf_free(&b);
        return n > HEADER_MAX ? 1 : refused ? -1 : 0;
    }
    case TK_XLSX_DEP_STRING:
        return !*text ? 0 : tk_utf8_count(text) > STRING_MAX ? -1 : 1;
    case TK_XLSX_DEP_PROPERTY:
        return tk_utf8_count(text) > PROPERTY_MAX ? -1 : 1;
    }
    return 0;
}

/* The one place where the workbook depends on what a text says: decided on
 * the real text, and told to the probe when stand-ins took part. */
static double decide(W *w, enum tk_xlsx_dep kind, const char *s, double width, double size)
{
    const tk_xlsx_probe *p = w->s->probe;
    tk_buf real;
    tk_buf_init(&real);
    if (!p || !p->real(p->user, s, &real))
        return tk_xlsx_decide(kind, s, width, size, w->s->measure);
    double r = tk_xlsx_decide(kind, real.data ? real.data : "", width, size, w->s->measure);
    p->record(p->user, kind, s, width, size, r);
    tk_buf_free(&real);
    return r;
}

static int text_lines(W *w, const char *s, double width, double size)
{
    return (int)decide(w, TK_XLSX_DEP_LINES, s, width, size);
}

/* A cell's string, or a merged range's (libxlsxwriter makes an empty string
 * a blank cell). */
static lxw_error put_string(W *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f)
{
    if (w->s->probe)
        decide(w, TK_XLSX_DEP_STRING, s, 0, 0);
    return worksheet_write_string(ws, row, col, s, f);
}

static lxw_error put_merged(W *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t first, lxw_col_t last, const char *s,
                            lxw_format *f)
{
    if (w->s->probe)
        decide(w, TK_XLSX_DEP_STRING, s, 0, 0);
    return worksheet_merge_range(ws, row, first, row, last, s, f);
}

/* The column width (character units) in which text of `units` display units
 * at `size` pt fits on one line: tk_xlsx_cell_lines turned round. */
static double width_for(double units, double size)
{
    double unit = size * 96.0 / 72.0 / 2.0;
    return (units / 0.92 * unit + 1.0) / 7.0;
}

/* Display units of a plan of a few lines, for which an input column keeps
 * room (the row heights follow it): typed text does not grow a row. */
#define PLAN_ROOM_UNITS 72.0

/* Lines a plan of PLAN_ROOM_UNITS takes in a column of `width`. */
static int plan_room_lines(double width, double size)
{
    double unit = size * 96.0 / 72.0 / 2.0, cap = (width * 7.0 - 1.0) / unit * 0.92;
    int n = (int)(PLAN_ROOM_UNITS / (cap > 2 ? cap : 2) + 0.999);
    return n < 1 ? 1 : n;
}


/* Row height in points for a number of lines at a font size. */
static double lines_height(W *w, int lines, double size)
{
    return lines * size * w->t->line_height;
}

static void set_height(W *w, lxw_worksheet *ws, int row, double height)
{
    if (height > ROW_HEIGHT_MAX)
        height = ROW_HEIGHT_MAX;
    w->height_sum += height;
    check(w, worksheet_set_row(ws, (lxw_row_t)row, height, NULL), "row");
}

/* 'sheet name' quoted for a formula or link. */
static const char *quoted(W *w, const char *name)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_putc(&b, '\'');
    for (const char *p = name; *p; p++) {
        if (*p == '\'')
            tk_buf_putc(&b, '\'');
        tk_buf_putc(&b, *p);
    }
    tk_buf_putc(&b, '\'');
    char *r = tk_arena_strdup(w->a, b.data);
    tk_buf_free(&b);
    return r;
}

/* Formula text for a string constant. */
static void put_str_const(tk_buf *b, const char *s)
{
    tk_buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            tk_buf_putc(b, '"');
        tk_buf_putc(b, *p);
    }
    tk_buf_putc(b, '"');
}

/* A header or footer: the template's three parts with placeholders
 * expanded, '&' doubled (Excel's header codes), page codes made. "" when it
 * is longer than Excel allows (a warning). */
static const char *header_footer(W *w, const char *const parts[3])
{
    static const char *const codes[3] = {"\x01L", "\x01C", "\x01R"};
    tk_buf b;
    tk_buf_init(&b);
    tk_tpl_var vars[64];
    size_t nv = w->s->nvars < 61 ? w->s->nvars : 61;
    memcpy(vars, w->s->vars, nv * sizeof *vars);
    vars[nv++] = (tk_tpl_var){"page", "\x01" "P"};
    vars[nv++] = (tk_tpl_var){"pages", "\x01" "N"};
    vars[nv++] = (tk_tpl_var){"sheet", "\x01" "A"};
    /* first with the codes as \x01, so that the text can be decided on */
    for (int i = 0; i < 3; i++) {
        if (!parts[i])
            continue;
        tk_buf_puts(&b, codes[i]);
        tk_buf_puts(&b, tk_template_expand(w->a, parts[i], vars, nv));
    }
    const char *raw = b.data ? b.data : "";
    /* Excel refuses headers longer than 255 characters */
    if (decide(w, TK_XLSX_DEP_HEADER, raw, 0, 0) == 1) {
        tk_diag_warn(w->d, w->path, 0, "ページのヘッダー・フッターが 255 文字を超えるため省略しました");
        tk_buf_free(&b);
        return "";
    }
    tk_buf out;
    tk_buf_init(&out);
    for (const char *p = raw; *p; p++) {
        if (*p == '&')
            tk_buf_putc(&out, '&');
        tk_buf_putc(&out, *p == '\x01' ? '&' : *p);
    }
    char *r = tk_arena_strdup(w->a, out.data ? out.data : "");
    tk_buf_free(&out);
    tk_buf_free(&b);
    return r;
}

static void page_setup(W *w, lxw_worksheet *ws, bool landscape)
{
    worksheet_set_paper(ws, 9); /* A4 */
    if (landscape)
        worksheet_set_landscape(ws);
    else
        worksheet_set_portrait(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.75, 0.6);
    worksheet_center_horizontally(ws);
    const char *h = header_footer(w, w->t->header);
    const char *f = header_footer(w, w->t->footer);
    lxw_header_footer_options hf = {.margin = 0.3};
    if (*h)
        check(w, worksheet_set_header_opt(ws, h, &hf), "header");
    if (*f)
        check(w, worksheet_set_footer_opt(ws, f, &hf), "footer");
}

static void protect(W *w, lxw_worksheet *ws)
{
    lxw_protection p;
    memset(&p, 0, sizeof p);
    p.format_rows = 1;    /* people may make a row taller to read what they wrote */
    p.format_columns = 1; /* ... or a column wider */
    p.autofilter = 1;
    worksheet_protect(ws, w->t->password, &p);
}

static char *arena_dup(W *w, const char *s) { return s ? tk_arena_strdup(w->a, s) : NULL; }

static void input_message(W *w, lxw_data_validation *dv, const char *title, const char *text)
{
    if (title && text) {
        dv->input_title = arena_dup(w, title);
        dv->input_message = arena_dup(w, text);
    }
}

/* ---- item sheets ---- */

/* The list values whose choice makes a column with this required-when
 * mandatory: negative or excluded answers, statuses that close a plan, 延期.
 * out has room for nanswers + nstatuses values; returns how many. */
static size_t trigger_values(const tk_template *t, enum tk_required_when rw, const char **out)
{
    size_t n = 0;
    switch (rw) {
    case TK_REQUIRED_NEVER:
        break;
    case TK_REQUIRED_NEGATIVE:
    case TK_REQUIRED_EXCLUDED:
        for (size_t i = 0; i < t->nanswers; i++)
            if (rw == TK_REQUIRED_EXCLUDED ? t->answers[i].excluded : t->answers[i].negative)
                out[n++] = t->answers[i].value;
        break;
    case TK_REQUIRED_CLOSED:
    case TK_REQUIRED_POSTPONED:
        for (size_t i = 0; i < t->nstatuses; i++)
            if (rw == TK_REQUIRED_CLOSED ? tk_plan_status_closed(t->statuses[i].status)
                                         : t->statuses[i].status == TK_PLAN_POSTPONED)
                out[n++] = t->statuses[i].value;
        break;
    }
    return n;
}

static const char **trigger_room(W *w)
{
    return tk_arena_alloc(w->a, (w->t->nanswers + w->t->nstatuses + 1) * sizeof(const char *));
}

/* OR($E4="a",$E4="b") over the list values that make the entry required. */
static void answer_condition(W *w, tk_buf *b, const char *cell, enum tk_required_when rw)
{
    const char **v = trigger_room(w);
    size_t n = trigger_values(w->t, rw, v);
    tk_buf_puts(b, "OR(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            tk_buf_putc(b, ',');
        tk_buf_printf(b, "%s=", cell);
        put_str_const(b, v[i]);
    }
    if (!n)
        tk_buf_puts(b, "FALSE()");
    tk_buf_putc(b, ')');
}

static bool any_answer(W *w, enum tk_required_when rw) { return trigger_values(w->t, rw, trigger_room(w)) > 0; }

static void item_sheet_validations(W *w, lxw_worksheet *ws, int first, int last)
{
    const tk_template *t = w->t;
    for (size_t c = 0; c < t->ncolumns; c++) {
        const tk_tpl_column *col = &t->columns[c];
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        switch (tk_column_input(col->key)) {
        case TK_INPUT_NONE:
            continue;
        case TK_INPUT_LIST: {
            /* the answer column lists the scale; the status column the plan
             * statuses; the 是正確認 column the template's <confirm> */
            bool statuses = col->key == TK_COL_STATUS, confirms = col->key == TK_COL_CONFIRM;
            size_t n = statuses ? t->nstatuses : confirms ? t->nconfirms : t->nanswers;
            char **list = tk_arena_alloc(w->a, (n + 1) * sizeof *list);
            for (size_t i = 0; i < n; i++)
                list[i] = arena_dup(w, statuses ? t->statuses[i].value : confirms ? t->confirms[i].value : t->answers[i].value);
            list[n] = NULL;
            dv.validate = LXW_VALIDATION_TYPE_LIST;
            dv.value_list = list;
            dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
            break;
        }
        case TK_INPUT_DATE:
            dv.validate = LXW_VALIDATION_TYPE_DATE;
            dv.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
            dv.value_datetime = (lxw_datetime){w->s->date_min.y, w->s->date_min.m, w->s->date_min.d, 0, 0, 0};
            dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
            break;
        case TK_INPUT_TEXT:
            if (!col->prompt)
                continue;
            dv.validate = LXW_VALIDATION_TYPE_ANY;
            break;
        }
        input_message(w, &dv, col->prompt_title, col->prompt);
        if (col->error_title && col->error) {
            dv.error_title = arena_dup(w, col->error_title);
            dv.error_message = arena_dup(w, col->error);
        }
        check(w, worksheet_data_validation_range(ws, (lxw_row_t)first, (lxw_col_t)c, (lxw_row_t)last, (lxw_col_t)c, &dv),
              "data validation");
    }
}

static void item_sheet_conditional_formats(W *w, lxw_worksheet *ws, int first, int last)
{
    const tk_template *t = w->t;
    char acol[4];
    tk_xlsx_col_name((int)w->col_answer, acol);
    char answer_cell[16];
    snprintf(answer_cell, sizeof answer_cell, "$%s%d", acol, first + 1);
    tk_buf b;
    tk_buf_init(&b);

    /* an item not answered yet */
    tk_buf_printf(&b, "=LEN(TRIM(%s))=0", answer_cell);
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
    cf.value_string = b.data;
    cf.format = w->cf_unanswered;
    check(w,
          worksheet_conditional_format_range(ws, (lxw_row_t)first, (lxw_col_t)w->col_answer, (lxw_row_t)last,
                                             (lxw_col_t)w->col_answer, &cf),
          "conditional format");

    /* an entry required by the answer and still empty */
    for (size_t c = 0; c < t->ncolumns; c++) {
        const tk_tpl_column *col = &t->columns[c];
        if (col->required_when == TK_REQUIRED_NEVER || !any_answer(w, col->required_when))
            continue;
        char cname[4];
        tk_xlsx_col_name((int)c, cname);
        tk_buf_reset(&b);
        tk_buf_puts(&b, "=AND(");
        answer_condition(w, &b, answer_cell, col->required_when);
        tk_buf_printf(&b, ",LEN(TRIM(%s%d))=0)", cname, first + 1);
        memset(&cf, 0, sizeof cf);
        cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
        cf.value_string = b.data;
        cf.format = w->cf_missing;
        check(w, worksheet_conditional_format_range(ws, (lxw_row_t)first, (lxw_col_t)c, (lxw_row_t)last, (lxw_col_t)c, &cf),
              "conditional format");
    }
    tk_buf_free(&b);
}

/* A read-only text cell (blank when s is NULL or empty); its height. */
static double shown_text(W *w, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, double width, double sz)
{
    if (!s || !*s) {
        check(w, worksheet_write_blank(ws, row, col, w->cell), "cell");
        return 0;
    }
    check(w, put_string(w, ws, row, col, s, w->cell), "cell");
    return lines_height(w, text_lines(w, s, width, sz), sz);
}

static void write_item_row(W *w, lxw_worksheet *ws, const tk_xlsx_row *r)
{
    const tk_template *t = w->t;
    lxw_row_t row = (lxw_row_t)(r->row - 1);
    const tk_item *it = r->item;
    double sz = t->font_size, csz = sz > 7 ? sz - 1 : sz;
    double height = lines_height(w, 2, sz); /* room to type an answer */
    for (size_t c = 0; c < t->ncolumns; c++) {
        const tk_tpl_column *col = &t->columns[c];
        lxw_col_t cc = (lxw_col_t)c;
        double h = 0;
        switch (col->key) {
        case TK_COL_SEQ:
            check(w, worksheet_write_number(ws, row, cc, r->seq, w->cell_c), "seq");
            break;
        case TK_COL_REF:
            check(w, put_string(w, ws, row, cc, it->ref, w->cell), "ref");
            h = lines_height(w, text_lines(w, it->ref, w->colw[c], sz), sz);
            break;
        case TK_COL_LEVEL:
            check(w, put_string(w, ws, row, cc, tk_level_label(it->level), w->cell_c), "level");
            break;
        case TK_COL_TEXT:
            if (it->context && *it->context) {
                /* the lead-in on its own line(s), smaller, then the provision */
                char *ctx = tk_arena_printf(w->a, "%s\n", it->context);
                lxw_rich_string_tuple f1 = {.format = w->ctx, .string = ctx};
                lxw_rich_string_tuple f2 = {.format = w->txt, .string = arena_dup(w, it->text)};
                lxw_rich_string_tuple *rs[] = {&f1, &f2, NULL};
                check(w, worksheet_write_rich_string(ws, row, cc, rs, w->cell), "text");
                h = lines_height(w, text_lines(w, it->context, w->colw[c], csz), csz) +
                    lines_height(w, text_lines(w, it->text, w->colw[c], sz), sz);
            } else {
                check(w, put_string(w, ws, row, cc, it->text, w->cell), "text");
                h = lines_height(w, text_lines(w, it->text, w->colw[c], sz), sz);
            }
            break;
        case TK_COL_ROLE: {
            const char *roles = r->roles ? r->roles : "";
            check(w, put_string(w, ws, row, cc, roles, w->cell), "role");
            h = lines_height(w, text_lines(w, roles, w->colw[c], sz), sz);
            break;
        }
        case TK_COL_ORIGIN:
            h = shown_text(w, ws, row, cc, r->plan ? r->plan->origin : NULL, w->colw[c], sz);
            break;
        case TK_COL_PLAN_CONTENT:
            h = shown_text(w, ws, row, cc, r->plan ? r->plan->content : NULL, w->colw[c], sz);
            break;
        case TK_COL_PLAN_OWNER:
            h = shown_text(w, ws, row, cc, r->plan ? r->plan->owner : NULL, w->colw[c], sz);
            break;
        case TK_COL_PLAN_STATUS:
            h = shown_text(w, ws, row, cc, r->plan ? r->plan->status : NULL, w->colw[c], sz);
            break;
        case TK_COL_PLAN_DUE:
            if (r->plan && tk_date_valid(r->plan->due))
                check(w, worksheet_write_number(ws, row, cc, tk_date_to_excel_serial(r->plan->due), w->cell_date), "plan due");
            else
                check(w, worksheet_write_blank(ws, row, cc, w->cell_date), "plan due");
            break;
        case TK_COL_PREV_ANSWER:
            h = shown_text(w, ws, row, cc, r->prev_answer, w->colw[c], sz);
            break;
        case TK_COL_PREV_PLAN:
            h = shown_text(w, ws, row, cc, r->prev_plans, w->colw[c], sz);
            if (r->prev_overdue)
                check(w, put_string(w, ws, row, cc, r->prev_plans, w->cell_late), "overdue plan");
            break;
        case TK_COL_ANSWER:
        case TK_COL_STATUS:
            check(w, worksheet_write_blank(ws, row, cc, w->in_list), "answer");
            break;
        case TK_COL_CONFIRM:
            /* asked only where an earlier finding waits for it */
            check(w, worksheet_write_blank(ws, row, cc, r->prev_plans ? w->in_list : w->cell), "confirm");
            break;
        case TK_COL_DUE:
        case TK_COL_DONE_DATE:
        case TK_COL_NEW_DUE:
            check(w, worksheet_write_blank(ws, row, cc, w->in_date), "due");
            break;
        case TK_COL_FINDING:
        case TK_COL_PLAN:
        case TK_COL_ACTION:
            /* room for a plan (a finding, an action) of a few lines */
            h = lines_height(w, plan_room_lines(w->colw[c], sz), sz);
            check(w, worksheet_write_blank(ws, row, cc, w->in_text), "input");
            break;
        case TK_COL_EVIDENCE:
        case TK_COL_NOTE:
        case TK_COL_ADVICE:
        case TK_COL_OWNER:
        case TK_COL_REASON:
        case TK_COL_GOOD:
        case TK_COL_INTERIM:
            check(w, worksheet_write_blank(ws, row, cc, w->in_text), "input");
            break;
        }
        if (h > height)
            height = h;
    }
    set_height(w, ws, (int)row, height + 4);
}

/* Columns at least as wide as the widest name they show (対象者: a role
 * name; 該当条項, 前年度の回答: a short value), so that no name is broken,
 * at most twice the template's width; the cover's label column as wide as
 * its widest label. */
static void fit_widths(W *w)
{
    const tk_template *t = w->t;
    double sz = t->font_size;
    w->colw = tk_arena_alloc(w->a, (t->ncolumns ? t->ncolumns : 1) * sizeof *w->colw);
    for (size_t c = 0; c < t->ncolumns; c++) {
        double base = t->columns[c].width, units = decide(w, TK_XLSX_DEP_WIDEST, t->columns[c].heading, 0, 0);
        for (size_t k = 0; k < w->s->nsheets; k++)
            for (size_t i = 0; i < w->s->sheets[k].nrows; i++) {
                const tk_xlsx_row *r = &w->s->sheets[k].rows[i];
                const char *v = NULL;
                switch (t->columns[c].key) {
                case TK_COL_ROLE:
                    v = r->roles;
                    break;
                case TK_COL_REF:
                    v = r->item->ref;
                    break;
                case TK_COL_PREV_ANSWER:
                    v = r->prev_answer;
                    break;
                case TK_COL_PLAN_OWNER:
                    v = r->plan ? r->plan->owner : NULL;
                    break;
                case TK_COL_PLAN_STATUS:
                    v = r->plan ? r->plan->status : NULL;
                    break;
                default:
                    break;
                }
                double u = v ? decide(w, TK_XLSX_DEP_WIDEST, v, 0, 0) : 0;
                units = u > units ? u : units;
            }
        double need = width_for(units, sz);
        w->colw[c] = need > base ? (need < 2 * base ? need : 2 * base) : base;
    }
    memcpy(w->cover_w, COVER_WIDTHS, sizeof w->cover_w);
    for (size_t i = 0; i < t->ncover; i++)
        if (t->cover[i].label) {
            double need = width_for(decide(w, TK_XLSX_DEP_WIDTH, expand(w, t->cover[i].label), 0, 0), sz);
            w->cover_w[1] = need > w->cover_w[1] ? need : w->cover_w[1];
        }
}

static void write_item_sheet(W *w, const tk_xlsx_sheet *sh)
{
    const tk_template *t = w->t;
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, sh->name);
    if (!ws) {
        check(w, LXW_ERROR_SHEETNAME_ALREADY_USED, "worksheet");
        return;
    }
    for (size_t c = 0; c < t->ncolumns; c++)
        check(w, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w->colw[c], NULL), "column");
    lxw_col_t last_col = (lxw_col_t)(t->ncolumns - 1);
    double sz = t->font_size;

    /* caption and department */
    check(w, put_string(w, ws, 0, 0, sh->caption, w->caption), "caption");
    const char *dept = expand(w, "{department}");
    check(w, put_string(w, ws, 0, last_col, dept, w->right), "caption");
    set_height(w, ws, 0, lines_height(w, 1, sz + 2) + 6);

    /* group row: a heading over each run of grouped columns */
    if (w->groups) {
        int max_lines = 1;
        for (size_t c = 0; c < t->ncolumns;) {
            const char *g = t->columns[c].group;
            size_t e = c;
            double width = w->colw[c];
            while (g && e + 1 < t->ncolumns && t->columns[e + 1].group && !strcmp(t->columns[e + 1].group, g)) {
                e++;
                width += w->colw[e];
            }
            if (g && e > c)
                check(w, put_merged(w, ws, 1, (lxw_col_t)c, (lxw_col_t)e, g, w->group), "group");
            else if (g)
                check(w, put_string(w, ws, 1, (lxw_col_t)c, g, w->group), "group");
            else
                check(w, worksheet_write_blank(ws, 1, (lxw_col_t)c, w->head), "group");
            if (g) {
                int n = text_lines(w, g, width, sz);
                max_lines = n > max_lines ? n : max_lines;
            }
            c = e + 1;
        }
        set_height(w, ws, 1, lines_height(w, max_lines, sz) + 4);
    }
    /* column headings */
    int hl = 1;
    for (size_t c = 0; c < t->ncolumns; c++) {
        check(w, put_string(w, ws, (lxw_row_t)w->header_row0, (lxw_col_t)c, t->columns[c].heading, w->head),
              "heading");
        int n = text_lines(w, t->columns[c].heading, w->colw[c], sz);
        hl = n > hl ? n : hl;
    }
    set_height(w, ws, w->header_row0, lines_height(w, hl, sz) + 6);

    int last = w->first_row0;
    for (size_t i = 0; i < sh->nrows; i++) {
        write_item_row(w, ws, &sh->rows[i]);
        last = sh->rows[i].row - 1;
    }
    int first = w->first_row0;
    if (sh->nrows) {
        item_sheet_validations(w, ws, first, last);
        item_sheet_conditional_formats(w, ws, first, last);
    }
    check(w, worksheet_autofilter(ws, (lxw_row_t)w->header_row0, 0, (lxw_row_t)last, last_col), "autofilter");
    worksheet_freeze_panes(ws, (lxw_row_t)w->first_row0, 0);
    worksheet_set_selection(ws, (lxw_row_t)first, (lxw_col_t)w->col_answer, (lxw_row_t)first, (lxw_col_t)w->col_answer);
    check(w, worksheet_repeat_rows(ws, w->groups ? 1 : (lxw_row_t)w->header_row0, (lxw_row_t)w->header_row0), "print titles");
    check(w, worksheet_print_area(ws, 0, 0, (lxw_row_t)last, last_col), "print area");
    worksheet_set_tab_color(ws, t->colors.tab);
    page_setup(w, ws, t->landscape);
    protect(w, ws);
}

/* ---- cover ---- */

static double cover_value_width(const W *w)
{
    double s = 0;
    for (int i = 2; i < COVER_COLS; i++)
        s += w->cover_w[i];
    return s;
}

/* The cover's progress formulas for one item sheet. */
static void progress_formulas(W *w, const tk_xlsx_sheet *sh, tk_buf *answered, tk_buf *missing)
{
    const tk_template *t = w->t;
    const char *q = quoted(w, sh->name);
    int first = w->first_row0 + 1, last = sh->rows[sh->nrows - 1].row;
    char acol[4];
    tk_xlsx_col_name((int)w->col_answer, acol);
    tk_buf_printf(answered, "=COUNTA(%s!$%s$%d:$%s$%d)", q, acol, first, acol, last);

    char arange[128];
    snprintf(arange, sizeof arange, "%s!$%s$%d:$%s$%d", q, acol, first, acol, last);
    size_t terms = 0;
    tk_buf_puts(missing, "=0");
    static const enum tk_required_when whens[] = {TK_REQUIRED_NEGATIVE, TK_REQUIRED_EXCLUDED, TK_REQUIRED_CLOSED,
                                                  TK_REQUIRED_POSTPONED};
    const char **values = trigger_room(w);
    for (size_t k = 0; k < sizeof whens / sizeof whens[0]; k++) {
        /* rows with such an answer and at least one required entry empty */
        tk_buf cols;
        tk_buf_init(&cols);
        size_t ncols = 0;
        for (size_t c = 0; c < t->ncolumns; c++) {
            const tk_tpl_column *col = &t->columns[c];
            if (col->required_when != whens[k])
                continue;
            char cn[4];
            tk_xlsx_col_name((int)c, cn);
            tk_buf_printf(&cols, "%s(LEN(TRIM(%s!$%s$%d:$%s$%d))=0)", ncols ? "+" : "", q, cn, first, cn, last);
            ncols++;
        }
        size_t nvalues = trigger_values(t, whens[k], values);
        if (ncols && nvalues) {
            tk_buf_puts(missing, "+SUMPRODUCT((");
            for (size_t i = 0; i < nvalues; i++) {
                tk_buf_printf(missing, "%s(%s=", i ? "+" : "", arange);
                put_str_const(missing, values[i]);
                tk_buf_putc(missing, ')');
            }
            tk_buf_printf(missing, ")*((%s)>0))", cols.data);
            terms++;
        }
        tk_buf_free(&cols);
    }
    if (terms) {
        /* drop the leading "0+" */
        memmove(missing->data + 1, missing->data + 3, missing->len - 2);
        missing->len -= 2;
    }
}

static void write_cover(W *w, const tk_xlsx_sheet *sheets, size_t nsheets, int total_items, lxw_worksheet *ws,
                        tk_buf *cover_cells)
{
    const tk_template *t = w->t;
    double sz = t->font_size;
    for (int c = 0; c < COVER_COLS; c++)
        check(w, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w->cover_w[c], NULL), "column");
    double vw = cover_value_width(w);

    /* the classification mark, top right */
    check(w, put_string(w, ws, 0, COVER_COLS - 1, expand(w, t->classification), w->klass), "classification");
    set_height(w, ws, 0, lines_height(w, 1, sz + 1) + 8);
    /* title */
    const char *title = expand(w, t->title);
    check(w, put_merged(w, ws, 2, 1, COVER_COLS - 1, title, w->title), "title");
    set_height(w, ws, 2, lines_height(w, text_lines(w, title, vw + w->cover_w[1], sz + 6) * 1, sz + 6) + 16);

    int row = 4;
    for (size_t i = 0; i < t->ncover; i++) {
        const tk_tpl_cover_line *cl = &t->cover[i];
        switch (cl->kind) {
        case TK_COVER_FIELD: {
            if (cl->if_set && !*expand(w, tk_arena_printf(w->a, "{%s}", cl->if_set)))
                break; /* a line about something this workbook does not have */
            const char *label = expand(w, cl->label), *value = expand(w, cl->text);
            check(w, put_string(w, ws, (lxw_row_t)row, 1, label, w->label), "field");
            check(w, put_merged(w, ws, (lxw_row_t)row, 2, COVER_COLS - 1, value, w->value),
                  "field");
            int n = text_lines(w, value, vw, sz), nl = text_lines(w, label, w->cover_w[1], sz);
            set_height(w, ws, row, lines_height(w, n > nl ? n : nl, sz) + 10);
            row++;
            break;
        }
        case TK_COVER_INPUT: {
            const char *label = expand(w, cl->label);
            bool date = cl->input == TK_INPUT_DATE;
            check(w, put_string(w, ws, (lxw_row_t)row, 1, label, w->label), "input");
            check(w,
                  put_merged(w, ws, (lxw_row_t)row, 2, COVER_COLS - 1, "",
                                        date ? w->in_cover_date : w->in_cover),
                  "input");
            /* merge_range wrote "" into the first cell: make it a true blank */
            check(w, worksheet_write_blank(ws, (lxw_row_t)row, 2, date ? w->in_cover_date : w->in_cover), "input");
            lxw_data_validation dv;
            memset(&dv, 0, sizeof dv);
            if (date) {
                dv.validate = LXW_VALIDATION_TYPE_DATE;
                dv.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
                dv.value_datetime = (lxw_datetime){w->s->date_min.y, w->s->date_min.m, w->s->date_min.d, 0, 0, 0};
                dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
            } else {
                dv.validate = LXW_VALIDATION_TYPE_ANY;
            }
            input_message(w, &dv, cl->prompt_title, cl->prompt);
            if (date || cl->prompt)
                check(w, worksheet_data_validation_cell(ws, (lxw_row_t)row, 2, &dv), "input");
            lxw_conditional_format cf;
            memset(&cf, 0, sizeof cf);
            cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
            char formula[32];
            snprintf(formula, sizeof formula, "=LEN(TRIM(C%d))=0", row + 1);
            cf.value_string = formula;
            cf.format = w->cf_unanswered;
            check(w, worksheet_conditional_format_cell(ws, (lxw_row_t)row, 2, &cf), "input");
            int nl = text_lines(w, label, w->cover_w[1], sz);
            set_height(w, ws, row, lines_height(w, nl > 2 ? nl : 2, sz) + 6);
            tk_buf_printf(cover_cells, "%s\x1f%d\x1e", cl->key, row + 1);
            row++;
            break;
        }
        case TK_COVER_PROGRESS: {
            const tk_tpl_progress *p = &t->progress;
            row++;
            check(w, put_merged(w, ws, (lxw_row_t)row, 1, COVER_COLS - 1, expand(w, p->heading),
                                           w->h2),
                  "progress");
            set_height(w, ws, row, lines_height(w, 1, sz + 1) + 8);
            row++;
            const char *heads[5] = {p->sheet, p->items, p->answered, p->unanswered, p->missing};
            int hl = 1;
            for (int c = 0; c < 5; c++) {
                check(w, put_string(w, ws, (lxw_row_t)row, (lxw_col_t)(c + 1), heads[c], w->head), "progress");
                int n = text_lines(w, heads[c], w->cover_w[c + 1], sz);
                hl = n > hl ? n : hl;
            }
            set_height(w, ws, row, lines_height(w, hl, sz) + 6);
            row++;
            int first_row = row;
            for (size_t k = 0; k < nsheets; k++) {
                const tk_xlsx_sheet *sh = &sheets[k];
                /* HYPERLINK() rather than a hyperlink: both Excel and LibreOffice wrap its text */
                tk_buf link;
                tk_buf_init(&link);
                tk_buf_puts(&link, "=HYPERLINK(");
                put_str_const(&link, tk_arena_printf(w->a, "#%s!A1", quoted(w, sh->name)));
                tk_buf_putc(&link, ',');
                put_str_const(&link, sh->caption);
                tk_buf_putc(&link, ')');
                check(w, worksheet_write_formula_str(ws, (lxw_row_t)row, 1, link.data, w->link, sh->caption), "progress");
                tk_buf_free(&link);
                check(w, worksheet_write_number(ws, (lxw_row_t)row, 2, (double)sh->nrows, w->num), "progress");
                tk_buf answered, missing;
                tk_buf_init(&answered);
                tk_buf_init(&missing);
                progress_formulas(w, sh, &answered, &missing);
                check(w, worksheet_write_formula_num(ws, (lxw_row_t)row, 3, answered.data, w->num, 0), "progress");
                char *f = tk_arena_printf(w->a, "=C%d-D%d", row + 1, row + 1);
                check(w, worksheet_write_formula_num(ws, (lxw_row_t)row, 4, f, w->num, (double)sh->nrows), "progress");
                check(w, worksheet_write_formula_num(ws, (lxw_row_t)row, 5, missing.data, w->num, 0), "progress");
                tk_buf_free(&answered);
                tk_buf_free(&missing);
                int n = text_lines(w, sh->caption, w->cover_w[1], sz);
                set_height(w, ws, row, lines_height(w, n, sz) + 4);
                row++;
            }
            int last_row = row - 1;
            check(w, put_string(w, ws, (lxw_row_t)row, 1, expand(w, p->total), w->total), "progress");
            for (int c = 2; c <= 5; c++) {
                char cn[4];
                tk_xlsx_col_name(c, cn);
                char *f = nsheets ? tk_arena_printf(w->a, "=SUM(%s%d:%s%d)", cn, first_row + 1, cn, last_row + 1)
                                  : tk_arena_strdup(w->a, "=0");
                double cached = c == 2 || c == 4 ? (double)total_items : 0;
                check(w, worksheet_write_formula_num(ws, (lxw_row_t)row, (lxw_col_t)c, f, w->num_b, cached), "progress");
            }
            set_height(w, ws, row, lines_height(w, 1, sz) + 6);
            int total_row = row;
            row++;
            check(w, put_string(w, ws, (lxw_row_t)row, 1, expand(w, p->rate), w->total), "progress");
            char *f = tk_arena_printf(w->a, "=IF(C%d=0,0,D%d/C%d)", total_row + 1, total_row + 1, total_row + 1);
            check(w, worksheet_write_formula_num(ws, (lxw_row_t)row, 2, f, w->pct, 0), "progress");
            set_height(w, ws, row, lines_height(w, 1, sz) + 6);
            row += 2;
            break;
        }
        case TK_COVER_NOTE: {
            const char *text = expand(w, cl->text);
            check(w, put_merged(w, ws, (lxw_row_t)row, 1, COVER_COLS - 1, text, w->note), "note");
            int n = text_lines(w, text, vw + w->cover_w[1], sz);
            set_height(w, ws, row, lines_height(w, n, sz) + 4);
            row++;
            break;
        }
        }
    }
    check(w, worksheet_print_area(ws, 0, 0, (lxw_row_t)(row > 0 ? row - 1 : 0), COVER_COLS - 1), "print area");
    page_setup(w, ws, false);
    worksheet_fit_to_pages(ws, 1, 1);
    worksheet_gridlines(ws, LXW_HIDE_ALL_GRIDLINES);
    protect(w, ws);
}

/* ---- instructions ---- */

/* Printable height of a portrait A4 page with page_setup's margins, in points. */
#define A4_PORTRAIT_PRINTABLE (842.0 - (0.75 + 0.6) * 72.0)

static void write_instructions(W *w, lxw_worksheet *ws)
{
    const tk_template *t = w->t;
    double sz = t->font_size;
    for (int c = 0; c < INSTR_COLS; c++)
        check(w, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, INSTR_WIDTHS[c], NULL), "column");
    double full = INSTR_WIDTHS[1] + INSTR_WIDTHS[2];
    w->height_sum = 0;
    check(w, put_string(w, ws, 0, 1, t->instructions_sheet, w->h1), "instructions");
    set_height(w, ws, 0, lines_height(w, 1, sz + 4) + 10);
    int row = 1;
    for (size_t i = 0; i < t->nblocks; i++) {
        const tk_tpl_block *b = &t->blocks[i];
        switch (b->kind) {
        case TK_BLOCK_HEADING: {
            const char *text = expand(w, b->text);
            row++; /* a blank line above every heading */
            check(w, put_merged(w, ws, (lxw_row_t)row, 1, 2, text, w->h2), "instructions");
            set_height(w, ws, row, lines_height(w, text_lines(w, text, full, sz + 1), sz + 1) + 6);
            row++;
            break;
        }
        case TK_BLOCK_PARA: {
            const char *text = expand(w, b->text);
            check(w, put_merged(w, ws, (lxw_row_t)row, 1, 2, text, w->para), "instructions");
            set_height(w, ws, row, lines_height(w, text_lines(w, text, full, sz), sz) + 6);
            row++;
            break;
        }
        case TK_BLOCK_ANSWERS:
        case TK_BLOCK_COLUMNS: {
            check(w, put_string(w, ws, (lxw_row_t)row, 1, b->head1, w->tbl_head), "instructions");
            check(w, put_string(w, ws, (lxw_row_t)row, 2, b->head2, w->tbl_head), "instructions");
            set_height(w, ws, row, lines_height(w, 1, sz) + 6);
            row++;
            /* a follow-up template's list is its plan statuses */
            bool statuses = b->kind == TK_BLOCK_ANSWERS && t->nanswers == 0;
            size_t n = b->kind == TK_BLOCK_COLUMNS ? t->ncolumns : statuses ? t->nstatuses : t->nanswers;
            for (size_t k = 0; k < n; k++) {
                const char *left, *right;
                if (statuses) {
                    left = t->statuses[k].value;
                    right = t->statuses[k].description ? expand(w, t->statuses[k].description) : "";
                } else if (b->kind == TK_BLOCK_ANSWERS) {
                    left = t->answers[k].value;
                    right = t->answers[k].description ? expand(w, t->answers[k].description) : "";
                } else {
                    const tk_tpl_column *col = &t->columns[k];
                    if (tk_column_input(col->key) == TK_INPUT_NONE || !col->description)
                        continue;
                    left = col->heading;
                    right = expand(w, col->description);
                }
                check(w, put_string(w, ws, (lxw_row_t)row, 1, left, w->tbl), "instructions");
                check(w, put_string(w, ws, (lxw_row_t)row, 2, right, w->tbl), "instructions");
                int nl = text_lines(w, left, INSTR_WIDTHS[1], sz), nr = text_lines(w, right, INSTR_WIDTHS[2], sz);
                set_height(w, ws, row, lines_height(w, nl > nr ? nl : nr, sz) + 6);
                row++;
            }
            break;
        }
        case TK_BLOCK_LEGEND:
            for (size_t k = 0; k < b->nlegend; k++) {
                const char *text = expand(w, b->legend[k].text);
                check(w, worksheet_write_blank(ws, (lxw_row_t)row, 1, w->legend[b->legend[k].color]), "legend");
                check(w, put_string(w, ws, (lxw_row_t)row, 2, text, w->para), "legend");
                set_height(w, ws, row, lines_height(w, text_lines(w, text, INSTR_WIDTHS[2], sz), sz) + 6);
                row++;
            }
            break;
        }
    }
    check(w, worksheet_print_area(ws, 0, 0, (lxw_row_t)(row > 0 ? row - 1 : 0), INSTR_COLS - 1), "print area");
    page_setup(w, ws, false);
    /* a little over one page (the estimate errs on the tall side): keep it on one */
    if (w->height_sum < A4_PORTRAIT_PRINTABLE * 1.3)
        worksheet_fit_to_pages(ws, 1, 1);
    worksheet_gridlines(ws, LXW_HIDE_ALL_GRIDLINES);
    protect(w, ws);
}

/* ---- identity ---- */

static void kv(W *w, lxw_worksheet *ws, int *row, const char *key, const char *value)
{
    check(w, put_string(w, ws, (lxw_row_t)*row, 0, key, w->plain), "identity");
    check(w, put_string(w, ws, (lxw_row_t)*row, 1, value ? value : "", w->plain), "identity");
    (*row)++;
}

static void write_identity(W *w, lxw_worksheet *ws, const char *cover_cells, int total_items)
{
    const tk_xlsx_spec *s = w->s;
    const tk_template *t = w->t;
    int row = 0;
    char buf[64];
    kv(w, ws, &row, "format", TK_XLSX_IDENTITY_FORMAT);
    snprintf(buf, sizeof buf, "%d", TK_XLSX_IDENTITY_VERSION);
    kv(w, ws, &row, "version", buf);
    kv(w, ws, &row, "token", s->token);
    snprintf(buf, sizeof buf, "%lld", (long long)s->campaign_id);
    kv(w, ws, &row, "campaign", buf);
    kv(w, ws, &row, "org", s->org);
    snprintf(buf, sizeof buf, "%d", s->year);
    kv(w, ws, &row, "year", buf);
    kv(w, ws, &row, "kind", s->kind);
    kv(w, ws, &row, "checklist_hash", s->checklist_hash);
    kv(w, ws, &row, "template_hash", t->hash);
    kv(w, ws, &row, "department_code", s->department_code);
    kv(w, ws, &row, "department_name", s->department_name);
    if (s->respondent && *s->respondent) {
        kv(w, ws, &row, "respondent", s->respondent);
        kv(w, ws, &row, "respondent_name", s->respondent_name);
    }
    snprintf(buf, sizeof buf, "%d", total_items);
    kv(w, ws, &row, "items", buf);
    kv(w, ws, &row, "issued_at", s->issued_at);
    snprintf(buf, sizeof buf, "%d", w->header_row0 + 1);
    kv(w, ws, &row, "header_row", buf);
    for (size_t c = 0; c < t->ncolumns; c++) {
        char cn[4];
        tk_xlsx_col_name((int)c, cn);
        snprintf(buf, sizeof buf, "column.%s", tk_column_key_name(t->columns[c].key));
        kv(w, ws, &row, buf, cn);
    }
    /* cover inputs: "key\x1frow\x1e"... */
    for (const char *p = cover_cells; *p;) {
        const char *us = strchr(p, '\x1f'), *rs = strchr(p, '\x1e');
        if (!us || !rs)
            break;
        char *key = tk_arena_printf(w->a, "cover.%.*s", (int)(us - p), p);
        char *cell = tk_arena_printf(w->a, "C%.*s", (int)(rs - us - 1), us + 1);
        check(w, put_string(w, ws, (lxw_row_t)row, 0, key, w->plain), "identity");
        check(w, put_string(w, ws, (lxw_row_t)row, 1, t->cover_sheet, w->plain), "identity");
        check(w, put_string(w, ws, (lxw_row_t)row, 2, cell, w->plain), "identity");
        row++;
        p = rs + 1;
    }
    static const char *const heads[6] = {"seq", "item_id", "sheet", "row", "text_hash", "ref"};
    for (int c = 0; c < 6; c++)
        check(w, put_string(w, ws, (lxw_row_t)row, (lxw_col_t)c, heads[c], w->plain), "identity");
    row++;
    for (size_t k = 0; k < s->nsheets; k++) {
        const tk_xlsx_sheet *sh = &s->sheets[k];
        for (size_t i = 0; i < sh->nrows; i++) {
            const tk_xlsx_row *r = &sh->rows[i];
            lxw_row_t rr = (lxw_row_t)row;
            check(w, worksheet_write_number(ws, rr, 0, r->seq, w->plain), "identity");
            check(w, put_string(w, ws, rr, 1, r->item->id, w->plain), "identity");
            check(w, put_string(w, ws, rr, 2, sh->name, w->plain), "identity");
            check(w, worksheet_write_number(ws, rr, 3, r->row, w->plain), "identity");
            check(w, put_string(w, ws, rr, 4, r->text_hash, w->plain), "identity");
            check(w, put_string(w, ws, rr, 5, r->item->ref, w->plain), "identity");
            row++;
        }
    }
    check(w, worksheet_set_column(ws, 0, 0, 18, NULL), "identity");
    check(w, worksheet_set_column(ws, 1, 1, 40, NULL), "identity");
    worksheet_hide(ws);
    protect(w, ws);
}

/* ---- the workbook ---- */

static void put_property(W *w, const char *name, const char *value)
{
    if (w->s->probe)
        decide(w, TK_XLSX_DEP_PROPERTY, value, 0, 0);
    check(w, workbook_set_custom_property_string(w->wb, name, value), "properties");
}

int tk_xlsx_first_item_row(const tk_template *t)
{
    bool groups = false;
    for (size_t i = 0; i < t->ncolumns; i++)
        groups |= t->columns[i].group != NULL;
    return groups ? 4 : 3;
}

static bool spec_ok(const tk_xlsx_spec *s, const char *path, tk_diags *d)
{
    int first = tk_xlsx_first_item_row(s->tpl);
    for (size_t k = 0; k < s->nsheets; k++) {
        const tk_xlsx_sheet *sh = &s->sheets[k];
        if (!tk_xlsx_sheet_name_valid(sh->name) || !strcmp(sh->name, TK_XLSX_IDENTITY_SHEET) ||
            !strcasecmp(sh->name, s->tpl->cover_sheet) || !strcasecmp(sh->name, s->tpl->instructions_sheet)) {
            tk_diag_error(d, path, 0, "シート名「%s」は Excel のシート名として使えないか、ほかのシートと重なります", sh->name);
            return false;
        }
        for (size_t j = 0; j < k; j++)
            if (!strcasecmp(s->sheets[j].name, sh->name)) {
                tk_diag_error(d, path, 0, "シート名「%s」が重複しています", sh->name);
                return false;
            }
        int prev = first - 1;
        for (size_t i = 0; i < sh->nrows; i++) {
            if (sh->rows[i].row <= prev || sh->rows[i].row > 1048576) {
                tk_diag_error(d, path, 0, "シート「%s」の項目の行番号 %d が正しくありません (%d より後の行が必要です)",
                              sh->name, sh->rows[i].row, prev);
                return false;
            }
            prev = sh->rows[i].row;
        }
    }
    return true;
}

int tk_xlsx_write(const tk_xlsx_spec *s, const char *path, tk_diags *d)
{
    if (!spec_ok(s, path, d))
        return -1;
    W w;
    memset(&w, 0, sizeof w);
    w.s = s;
    w.t = s->tpl;
    w.path = path;
    w.d = d;
    w.a = tk_arena_new();
    for (size_t i = 0; i < w.t->ncolumns; i++)
        w.groups |= w.t->columns[i].group != NULL;
    w.header_row0 = w.groups ? 2 : 1;
    w.first_row0 = w.header_row0 + 1;
    tk_template_list_column(w.t, &w.col_answer);

    /* libxlsxwriter writes every part to a temporary file before zipping it:
     * in memory (/dev/shm) when the machine has it, unless TMPDIR says where */
    char *tmpdir = NULL;
    const char *env = getenv("TMPDIR");
    if (env && *env)
        tmpdir = (char *)env;
    else {
        struct stat sb;
        if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & S_IWOTH))
            tmpdir = (char *)"/dev/shm";
    }
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = tmpdir, .use_zip64 = LXW_FALSE};
    w.wb = workbook_new_opt(path, &opt);
    if (!w.wb) {
        tk_diag_error(d, path, 0, "点検票を作成できません (メモリ不足またはファイルを作れません)");
        tk_arena_free(w.a);
        return -1;
    }
    make_formats(&w);
    fit_widths(&w);

    int total_items = 0;
    for (size_t k = 0; k < s->nsheets; k++)
        total_items += (int)s->sheets[k].nrows;

    const char *title = expand(&w, w.t->title);
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = (char *)title;
    props.subject = (char *)expand(&w, "{org}　{department}");
    props.author = "tenken";
    props.company = (char *)expand(&w, "{org}");
    props.category = (char *)expand(&w, w.t->classification);
    props.keywords = "tenken";
    props.created = (time_t)s->created;
    check(&w, workbook_set_properties(w.wb, &props), "properties");
    char campaign[128];
    snprintf(campaign, sizeof campaign, "%s/%d/%s", s->org, s->year, s->kind);
    put_property(&w, TK_XLSX_PROP_TOKEN, s->token);
    put_property(&w, TK_XLSX_PROP_CAMPAIGN, campaign);
    put_property(&w, TK_XLSX_PROP_CHECKLIST, s->checklist_hash);
    put_property(&w, TK_XLSX_PROP_DEPARTMENT, s->department_code);

    lxw_worksheet *cover = workbook_add_worksheet(w.wb, w.t->cover_sheet);
    lxw_worksheet *instr = workbook_add_worksheet(w.wb, w.t->instructions_sheet);
    if (!cover || !instr) {
        check(&w, LXW_ERROR_SHEETNAME_ALREADY_USED, "worksheet");
    } else {
        tk_buf cover_cells;
        tk_buf_init(&cover_cells);
        tk_buf_puts(&cover_cells, "");
        write_cover(&w, s->sheets, s->nsheets, total_items, cover, &cover_cells);
        write_instructions(&w, instr);
        for (size_t k = 0; k < s->nsheets; k++)
            write_item_sheet(&w, &s->sheets[k]);
        lxw_worksheet *id = workbook_add_worksheet(w.wb, TK_XLSX_IDENTITY_SHEET);
        if (id)
            write_identity(&w, id, cover_cells.data, total_items);
        else
            check(&w, LXW_ERROR_SHEETNAME_ALREADY_USED, "worksheet");
        tk_buf_free(&cover_cells);
        worksheet_activate(cover);
    }

    lxw_error e = workbook_close(w.wb);
    int rc = 0;
    if (w.err != LXW_NO_ERROR) {
        tk_diag_error(d, path, 0, "点検票を作成できません (%s: %s)", w.err_where, lxw_strerror(w.err));
        rc = -1;
    } else if (e != LXW_NO_ERROR) {
        tk_diag_error(d, path, 0, "点検票を書き出せません: %s", lxw_strerror(e));
        rc = -1;
    }
    tk_arena_free(w.a);
    return rc;
}
