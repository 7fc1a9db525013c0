/* review.c — the secretariat's review of a derived checklist: carrying the
 * decisions over a re-derive, the review workbook, and reading it back. */
#include "tenken/review.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "tenken/store.h"
#include "tenken/text.h"
#include "tenken/xlsx_identity.h"
#include "tenken/xlsx_read.h"
#include "tenken/xlsx_write.h"

/* ---- shared ---- */

/* Roles as one space-separated string (the XML form), in the arena. */
static const char *roles_joined(tk_arena *a, const char *const *roles, size_t n, const char *sep)
{
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i)
            tk_buf_puts(&b, sep);
        tk_buf_puts(&b, roles[i]);
    }
    char *r = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return r;
}

/* Two space-separated role lists hold the same roles (order aside). */
static bool same_role_set(const char *x, const char *y)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *p = pass ? y : x, *word;
        size_t n;
        while (tk_word_next(&p, &word, &n)) {
            bool found = false;
            const char *q = pass ? x : y, *other;
            size_t m;
            while (!found && tk_word_next(&q, &other, &m))
                found = m == n && !strncmp(other, word, n);
            if (!found)
                return false;
        }
    }
    return true;
}

static const char *wording(tk_arena *a, const tk_item *it)
{
    return it->context ? tk_arena_printf(a, "%s\n%s", it->context, it->text) : it->text;
}

/* Split a space-separated role list into the arena. */
static const char **split_roles(tk_arena *a, const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ' ';
    const char **v = tk_arena_alloc(a, cap * sizeof *v);
    *n = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        const char *q = p;
        while (*q && *q != ' ')
            q++;
        if (q > p)
            v[(*n)++] = tk_arena_strndup(a, p, (size_t)(q - p));
        p = q;
    }
    return v;
}

/* ---- carrying decisions ---- */

void tk_checklist_carry_review(tk_checklist *derived, const tk_checklist *previous, tk_review_carry *out)
{
    memset(out, 0, sizeof *out);
    if (!derived || !previous)
        return;
    tk_arena *a = derived->arena;
    tk_strmap prev = {0}, now = {0};
    /* at most every item changed, every reviewed item vanished */
    out->changed = tk_arena_alloc(a, (derived->nitems ? derived->nitems : 1) * sizeof *out->changed);
    out->vanished = tk_arena_alloc(a, (previous->nitems ? previous->nitems : 1) * sizeof *out->vanished);
    for (size_t i = 0; i < previous->nitems; i++)
        if (previous->items[i].reviewed)
            tk_strmap_set(&prev, previous->items[i].id, &previous->items[i]);
    for (size_t i = 0; i < derived->nitems; i++) {
        tk_item *it = &derived->items[i];
        tk_strmap_set(&now, it->id, it);
        const tk_item *p = tk_strmap_get(&prev, it->id);
        if (!p)
            continue;
        char hash[65];
        tk_item_text_hash(it->text, it->context, hash);
        if (!p->review_hash || strcmp(hash, p->review_hash)) {
            /* the old wording lives in previous: copy it */
            tk_review_change c = {it->id, it->ref, tk_arena_strdup(a, wording(a, p)), wording(a, it)};
            out->changed[out->nchanged++] = c;
            continue;
        }
        /* derive's fresh proposal, kept where the decision differs from it */
        const char *proposed = roles_joined(a, it->roles, it->nroles, " ");
        double proposed_weight = it->weight;
        const char *decided = roles_joined(a, (const char *const *)p->roles, p->nroles, " ");
        it->roles = split_roles(a, decided, &it->nroles);
        it->weight = p->weight;
        it->out_of_scope = p->out_of_scope;
        it->reviewed = true;
        it->review_date = p->review_date ? tk_arena_strdup(a, p->review_date) : NULL;
        it->review_hash = tk_arena_strdup(a, hash);
        it->derived_role = same_role_set(proposed, decided) ? NULL : proposed;
        it->derived_weight = proposed_weight != p->weight ? proposed_weight : 0;
        out->carried++;
    }
    for (size_t i = 0; i < previous->nitems; i++) {
        const tk_item *p = &previous->items[i];
        if (!p->reviewed || tk_strmap_get(&now, p->id))
            continue;
        tk_review_change c = {tk_arena_strdup(a, p->id), tk_arena_strdup(a, p->ref), tk_arena_strdup(a, wording(a, p)), NULL};
        out->vanished[out->nvanished++] = c;
    }
    tk_strmap_free(&prev);
    tk_strmap_free(&now);
    tk_checklist_rehash(derived);
}

/* ---- the workbook ---- */

/* The columns of 点検項目, in order. */
enum rcol { C_ID, C_REF, C_LINE, C_CONTEXT, C_TEXT, C_LEVEL, C_ROLE, C_SCOPE, C_WEIGHT, C_CONFIRM, C_MEMO, C_PREV, C_COUNT };
static const char *const COL_HEAD[C_COUNT] = {"ID",   "該当条項", "行", "前提 (文脈)", "本文",     "義務の種類",
                                              "役割", "点検対象", "重み", "確認",       "確認メモ", "前回の確認"};
static const double COL_WIDTH[C_COUNT] = {15, 12, 6, 30, 58, 9, 26, 9, 7, 7, 24, 22};
static bool col_input(int c) { return c == C_ROLE || c == C_SCOPE || c == C_WEIGHT || c == C_CONFIRM || c == C_MEMO; }

#define SCOPE_IN "対象"
#define SCOPE_OUT "対象外"
#define CONFIRMED "済"
#define HEADER_ROW 3 /* 1-based */

typedef struct RW {
    lxw_workbook *wb;
    lxw_error err;
    const char *where;
    const char *font;
    double size;
    uint32_t head_bg, head_fg, input_bg, border, title_fg, klass_fg, context_fg;
    const char *password;
    lxw_format *title, *note, *head, *cell, *cell_c, *ctx, *in, *in_c, *in_num, *plain, *klass;
} RW;

static void ck(RW *w, lxw_error e, const char *where)
{
    if (e != LXW_NO_ERROR && w->err == LXW_NO_ERROR) {
        w->err = e;
        w->where = where;
    }
}

static lxw_format *fmt(RW *w, bool border)
{
    lxw_format *f = workbook_add_format(w->wb);
    format_set_font_name(f, w->font);
    format_set_font_size(f, w->size);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (border) {
        format_set_border(f, LXW_BORDER_THIN);
        format_set_border_color(f, w->border);
        format_set_text_wrap(f);
    }
    return f;
}

static void make_formats(RW *w)
{
    w->title = fmt(w, false);
    format_set_bold(w->title);
    format_set_font_size(w->title, w->size + 4);
    format_set_font_color(w->title, w->title_fg);
    format_set_align(w->title, LXW_ALIGN_VERTICAL_CENTER);
    w->klass = fmt(w, false);
    format_set_bold(w->klass);
    format_set_font_color(w->klass, w->klass_fg);
    format_set_align(w->klass, LXW_ALIGN_RIGHT);
    format_set_align(w->klass, LXW_ALIGN_VERTICAL_CENTER);
    w->note = fmt(w, false);
    format_set_text_wrap(w->note);
    w->head = fmt(w, true);
    format_set_bold(w->head);
    format_set_bg_color(w->head, w->head_bg);
    format_set_font_color(w->head, w->head_fg);
    format_set_align(w->head, LXW_ALIGN_CENTER);
    format_set_align(w->head, LXW_ALIGN_VERTICAL_CENTER);
    w->cell = fmt(w, true);
    w->cell_c = fmt(w, true);
    format_set_align(w->cell_c, LXW_ALIGN_CENTER);
    w->ctx = fmt(w, true);
    format_set_font_color(w->ctx, w->context_fg);
    w->in = fmt(w, true);
    format_set_bg_color(w->in, w->input_bg);
    format_set_unlocked(w->in);
    w->in_c = fmt(w, true);
    format_set_bg_color(w->in_c, w->input_bg);
    format_set_unlocked(w->in_c);
    format_set_align(w->in_c, LXW_ALIGN_CENTER);
    w->in_num = fmt(w, true);
    format_set_bg_color(w->in_num, w->input_bg);
    format_set_unlocked(w->in_num);
    format_set_align(w->in_num, LXW_ALIGN_CENTER);
    format_set_num_format(w->in_num, "0.##");
    w->plain = workbook_add_format(w->wb);
}

static void protect(RW *w, lxw_worksheet *ws)
{
    lxw_protection p;
    memset(&p, 0, sizeof p);
    p.format_rows = 1;
    p.format_columns = 1;
    p.autofilter = 1;
    p.sort = 0;
    worksheet_protect(ws, w->password, &p);
}

/* "&" doubled for a page header or footer. */
static const char *hf_escape(tk_arena *a, const char *s)
{
    tk_buf b;
    tk_buf_init(&b);
    for (const char *p = s; *p; p++) {
        if (*p == '&')
            tk_buf_putc(&b, '&');
        tk_buf_putc(&b, *p);
    }
    char *r = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return r;
}

static void page_setup(RW *w, tk_arena *a, lxw_worksheet *ws, const char *klass, const char *org_name, bool landscape)
{
    worksheet_set_paper(ws, 9); /* A4 */
    if (landscape)
        worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.75, 0.6);
    worksheet_center_horizontally(ws);
    lxw_header_footer_options hf = {.margin = 0.3};
    const char *h = tk_arena_printf(a, "&L%s&R%s　点検項目の確認", klass ? hf_escape(a, klass) : "", hf_escape(a, org_name));
    if (tk_utf8_count(h) <= 255)
        ck(w, worksheet_set_header_opt(ws, h, &hf), "header");
    ck(w, worksheet_set_footer_opt(ws, "&C&P / &N", &hf), "footer");
}

/* Lines a wrapped cell needs: a wide character counts 2 units. */
static int text_lines(const char *s, double width)
{
    return tk_text_wrap_lines(s, width * 0.92);
}

static void str(RW *w, lxw_worksheet *ws, int row, int col, const char *s, lxw_format *f)
{
    ck(w, worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s ? s : "", f), "cell");
}

static const char *prev_review(tk_arena *a, const tk_item *it)
{
    if (!it->reviewed)
        return "";
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_printf(&b, "%s 確認", it->review_date ? it->review_date : "");
    if (it->derived_role) {
        size_t n;
        const char **v = split_roles(a, it->derived_role, &n);
        tk_buf_printf(&b, "\nderive の役割: %s", roles_joined(a, v, n, "、"));
    }
    if (it->derived_weight > 0)
        tk_buf_printf(&b, "\nderive の重み: %g", it->derived_weight);
    char *r = tk_arena_strdup(a, b.data);
    tk_buf_free(&b);
    return r;
}

static void write_items(RW *w, tk_arena *a, lxw_worksheet *ws, const tk_review_spec *s)
{
    const tk_checklist *c = s->checklist;
    int last_col = C_COUNT - 1;
    const char *org_name = c->name && *c->name ? c->name : (s->org && s->org->name ? s->org->name : c->org);
    for (int k = 0; k < C_COUNT; k++)
        ck(w, worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, COL_WIDTH[k], NULL), "column");
    ck(w, worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(last_col - 2), tk_arena_printf(a, "点検項目の確認　%s", org_name), w->title),
       "title");
    if (s->style && s->style->classification)
        ck(w, worksheet_merge_range(ws, 0, (lxw_col_t)(last_col - 1), 0, (lxw_col_t)last_col, s->style->classification, w->klass),
           "title");
    ck(w, worksheet_set_row(ws, 0, w->size * 2.2, NULL), "row");
    const char *note =
        "derive が作った点検項目を確かめ、色の付いたセル (役割・点検対象・重み・確認・確認メモ) だけを直してください。"
        "役割は「役割一覧」シートの ID を「、」で区切って入力します (複数可)。点検項目から外す項目は点検対象を「対象外」に"
        "します (checklist.xml には残り、点検票には載りません)。確かめた項目は確認に「済」を選んでください。"
        "行の追加・削除・並べ替えや、本文などのセルの書き換えはできません。"
        "記入後、tenken review --org ID --apply このファイル で checklist.xml に反映します。";
    ck(w, worksheet_merge_range(ws, 1, 0, 1, (lxw_col_t)last_col, note, w->note), "note");
    ck(w, worksheet_set_row(ws, 1, w->size * 1.35 * 3 + 4, NULL), "row");
    int hr = HEADER_ROW - 1;
    for (int k = 0; k < C_COUNT; k++)
        str(w, ws, hr, k, COL_HEAD[k], w->head);
    ck(w, worksheet_set_row(ws, (lxw_row_t)hr, w->size * 2.2, NULL), "row");
    int first = hr + 1;
    for (size_t i = 0; i < c->nitems; i++) {
        const tk_item *it = &c->items[i];
        int r = first + (int)i;
        str(w, ws, r, C_ID, it->id, w->cell);
        str(w, ws, r, C_REF, it->ref, w->cell);
        if (it->line > 0)
            ck(w, worksheet_write_number(ws, (lxw_row_t)r, C_LINE, (double)it->line, w->cell_c), "cell");
        else
            str(w, ws, r, C_LINE, "", w->cell_c);
        str(w, ws, r, C_CONTEXT, it->context ? it->context : "", w->ctx);
        str(w, ws, r, C_TEXT, it->text, w->cell);
        str(w, ws, r, C_LEVEL, tk_level_label(it->level), w->cell_c);
        str(w, ws, r, C_ROLE, roles_joined(a, it->roles, it->nroles, "、"), w->in);
        str(w, ws, r, C_SCOPE, it->out_of_scope ? SCOPE_OUT : SCOPE_IN, w->in_c);
        ck(w, worksheet_write_number(ws, (lxw_row_t)r, C_WEIGHT, it->weight, w->in_num), "cell");
        str(w, ws, r, C_CONFIRM, it->reviewed ? CONFIRMED : "", w->in_c);
        str(w, ws, r, C_MEMO, "", w->in);
        const char *pr = prev_review(a, it);
        str(w, ws, r, C_PREV, pr, w->cell);
        int lines = text_lines(it->text, COL_WIDTH[C_TEXT]);
        int l2 = text_lines(it->context ? it->context : "", COL_WIDTH[C_CONTEXT]);
        int l3 = text_lines(roles_joined(a, it->roles, it->nroles, "、"), COL_WIDTH[C_ROLE]);
        int l4 = text_lines(pr, COL_WIDTH[C_PREV]);
        if (l2 > lines)
            lines = l2;
        if (l3 > lines)
            lines = l3;
        if (l4 > lines)
            lines = l4;
        double h = lines * w->size * 1.25 + 4;
        ck(w, worksheet_set_row(ws, (lxw_row_t)r, h > 409 ? 409 : h, NULL), "row");
    }
    if (c->nitems) {
        lxw_row_t r0 = (lxw_row_t)first, r1 = (lxw_row_t)(first + (int)c->nitems - 1);
        lxw_data_validation role = {0};
        role.validate = LXW_VALIDATION_TYPE_ANY;
        role.input_title = "役割";
        role.input_message = "役割一覧シートの ID を入力します。複数の役割は「、」で区切ってください (例: 職員等、情報セキュリティ管理者)";
        ck(w, worksheet_data_validation_range(ws, r0, C_ROLE, r1, C_ROLE, &role), "validation");
        const char *scopes[] = {SCOPE_IN, SCOPE_OUT, NULL};
        lxw_data_validation scope = {0};
        scope.validate = LXW_VALIDATION_TYPE_LIST;
        scope.value_list = (char **)scopes;
        scope.input_title = "点検対象";
        scope.input_message = "対象: 点検票に載せる。対象外: checklist.xml に残し、点検票には載せない";
        scope.error_title = "点検対象";
        scope.error_message = "「対象」か「対象外」を選んでください";
        ck(w, worksheet_data_validation_range(ws, r0, C_SCOPE, r1, C_SCOPE, &scope), "validation");
        lxw_data_validation weight = {0};
        weight.validate = LXW_VALIDATION_TYPE_DECIMAL;
        weight.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
        weight.minimum_number = 0.001;
        weight.maximum_number = TK_REVIEW_MAX_WEIGHT;
        weight.input_title = "重み";
        weight.input_message = "得点を計算するときの重み。0 より大きく 100 以下の数 (既定 1)";
        weight.error_title = "重み";
        weight.error_message = "0 より大きく 100 以下の数を入力してください";
        ck(w, worksheet_data_validation_range(ws, r0, C_WEIGHT, r1, C_WEIGHT, &weight), "validation");
        const char *confirms[] = {CONFIRMED, NULL};
        lxw_data_validation conf = {0};
        conf.validate = LXW_VALIDATION_TYPE_LIST;
        conf.value_list = (char **)confirms;
        conf.input_title = "確認";
        conf.input_message = "この項目を確かめたら「済」を選びます (変更した項目は自動的に確認済みになります)";
        ck(w, worksheet_data_validation_range(ws, r0, C_CONFIRM, r1, C_CONFIRM, &conf), "validation");
        lxw_data_validation memo = {0};
        memo.validate = LXW_VALIDATION_TYPE_LENGTH;
        memo.criteria = LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO;
        memo.value_number = 4000;
        memo.input_title = "確認メモ";
        memo.input_message = "事務局の覚え書き (checklist.xml には記録しません)";
        ck(w, worksheet_data_validation_range(ws, r0, C_MEMO, r1, C_MEMO, &memo), "validation");
        ck(w, worksheet_autofilter(ws, (lxw_row_t)hr, 0, r1, (lxw_col_t)last_col), "autofilter");
    }
    worksheet_freeze_panes(ws, (lxw_row_t)first, 2);
    ck(w, worksheet_repeat_rows(ws, (lxw_row_t)hr, (lxw_row_t)hr), "print");
    page_setup(w, a, ws, s->style ? s->style->classification : NULL, org_name, true);
    protect(w, ws);
}

static void write_roles(RW *w, tk_arena *a, lxw_worksheet *ws, const tk_review_spec *s)
{
    static const char *const heads[] = {"ID", "名称", "別名", "全部署が担う", "担う部署の数"};
    static const double widths[] = {30, 44, 30, 13, 13};
    for (int k = 0; k < 5; k++) {
        ck(w, worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, widths[k], NULL), "column");
        str(w, ws, 1, k, heads[k], w->head);
    }
    ck(w, worksheet_merge_range(ws, 0, 0, 0, 4, "役割一覧 (org.xml)。点検項目シートの役割には ID を「、」で区切って入力します (別名・名称も読めます)", w->note),
       "note");
    ck(w, worksheet_set_row(ws, 0, w->size * 2.2, NULL), "row");
    const tk_org *o = s->org;
    for (size_t i = 0; o && i < o->nroles; i++) {
        const tk_role *r = &o->roles[i];
        int row = 2 + (int)i;
        str(w, ws, row, 0, r->id, w->cell);
        str(w, ws, row, 1, r->name, w->cell);
        str(w, ws, row, 2, roles_joined(a, r->aliases, r->naliases, "、"), w->cell);
        str(w, ws, row, 3, r->every_department ? "○" : "", w->cell_c);
        size_t held = 0;
        for (size_t d = 0; d < o->ndepartments; d++)
            held += tk_department_holds(&o->departments[d], r->id);
        ck(w, worksheet_write_number(ws, (lxw_row_t)row, 4, (double)held, w->cell_c), "cell");
        int lines = text_lines(r->id, widths[0]);
        int l1 = text_lines(r->name, widths[1]), l2 = text_lines(roles_joined(a, r->aliases, r->naliases, "、"), widths[2]);
        lines = l1 > lines ? l1 : lines;
        lines = l2 > lines ? l2 : lines;
        ck(w, worksheet_set_row(ws, (lxw_row_t)row, lines * w->size * 1.25 + 4, NULL), "row");
    }
    if (o && o->nroles)
        ck(w, worksheet_autofilter(ws, 1, 0, (lxw_row_t)(1 + o->nroles), 4), "autofilter");
    worksheet_freeze_panes(ws, 2, 0);
    page_setup(w, a, ws, s->style ? s->style->classification : NULL, o && o->name ? o->name : "", false);
    protect(w, ws);
}

static void write_lines(RW *w, tk_arena *a, lxw_worksheet *ws, const tk_review_spec *s)
{
    static const char *const heads[] = {"行", "種類", "本文"};
    static const double widths[] = {7, 26, 90};
    for (int k = 0; k < 3; k++) {
        ck(w, worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, widths[k], NULL), "column");
        str(w, ws, 1, k, heads[k], w->head);
    }
    const char *note = s->lines_note ? s->lines_note
                       : s->nlines  ? "derive が点検項目にできなかった行です。項目にすべきものがあれば、ポリシーの本文か org.xml を直して derive をやり直してください"
                                    : "derive が点検項目にできなかった行はありません";
    ck(w, worksheet_merge_range(ws, 0, 0, 0, 2, note, w->note), "note");
    ck(w, worksheet_set_row(ws, 0, w->size * 1.35 * 2 + 4, NULL), "row");
    for (size_t i = 0; i < s->nlines; i++) {
        const tk_review_line *l = &s->lines[i];
        int row = 2 + (int)i;
        if (l->line > 0)
            ck(w, worksheet_write_number(ws, (lxw_row_t)row, 0, (double)l->line, w->cell_c), "cell");
        else
            str(w, ws, row, 0, "", w->cell_c);
        str(w, ws, row, 1, l->kind, w->cell);
        str(w, ws, row, 2, l->text, w->cell);
        double h = text_lines(l->text ? l->text : "", widths[2]) * w->size * 1.35 + 4;
        ck(w, worksheet_set_row(ws, (lxw_row_t)row, h > 409 ? 409 : h, NULL), "row");
    }
    if (s->nlines)
        ck(w, worksheet_autofilter(ws, 1, 0, (lxw_row_t)(1 + s->nlines), 2), "autofilter");
    worksheet_freeze_panes(ws, 2, 0);
    page_setup(w, a, ws, s->style ? s->style->classification : NULL,
               s->checklist->name && *s->checklist->name ? s->checklist->name : s->checklist->org, false);
    protect(w, ws);
}

static void kv(RW *w, lxw_worksheet *ws, int *row, const char *key, const char *value)
{
    str(w, ws, *row, 0, key, w->plain);
    str(w, ws, *row, 1, value, w->plain);
    (*row)++;
}

static void write_identity(RW *w, tk_arena *a, lxw_worksheet *ws, const tk_review_spec *s)
{
    const tk_checklist *c = s->checklist;
    int row = 0;
    kv(w, ws, &row, "format", TK_REVIEW_FORMAT);
    kv(w, ws, &row, "version", tk_arena_printf(a, "%d", TK_REVIEW_VERSION));
    kv(w, ws, &row, "org", c->org);
    kv(w, ws, &row, "org_name", c->name);
    kv(w, ws, &row, "checklist_hash", c->hash);
    kv(w, ws, &row, "items", tk_arena_printf(a, "%zu", c->nitems));
    kv(w, ws, &row, "header_row", tk_arena_printf(a, "%d", HEADER_ROW));
    kv(w, ws, &row, "created_at", s->created_at ? s->created_at : "");
    static const char *const heads[5] = {"seq", "item_id", "row", "text_hash", "ref"};
    for (int k = 0; k < 5; k++)
        str(w, ws, row, k, heads[k], w->plain);
    row++;
    for (size_t i = 0; i < c->nitems; i++, row++) {
        const tk_item *it = &c->items[i];
        char hash[65];
        tk_item_text_hash(it->text, it->context, hash);
        ck(w, worksheet_write_number(ws, (lxw_row_t)row, 0, (double)(i + 1), w->plain), "identity");
        str(w, ws, row, 1, it->id, w->plain);
        ck(w, worksheet_write_number(ws, (lxw_row_t)row, 2, (double)(HEADER_ROW + 1 + (int)i), w->plain), "identity");
        str(w, ws, row, 3, hash, w->plain);
        str(w, ws, row, 4, it->ref, w->plain);
    }
    worksheet_hide(ws);
    protect(w, ws);
}

int tk_review_write(const tk_review_spec *s, const char *path, tk_diags *d)
{
    RW w;
    memset(&w, 0, sizeof w);
    const tk_template *t = s->style;
    w.font = t && t->font ? t->font : "ＭＳ Ｐゴシック";
    w.size = t && t->font_size > 0 ? t->font_size : 10;
    w.head_bg = t ? t->colors.header : 0x1F4E78;
    w.head_fg = t ? t->colors.header_text : 0xFFFFFF;
    w.input_bg = t ? t->colors.input : 0xFFF2CC;
    w.border = t ? t->colors.border : 0xA6A6A6;
    w.title_fg = t ? t->colors.title : 0x1F4E78;
    w.klass_fg = t ? t->colors.classification : 0xC00000;
    w.context_fg = t ? t->colors.context : 0x595959;
    w.password = t ? t->password : NULL;
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    w.wb = workbook_new_opt(path, &opt);
    if (!w.wb) {
        tk_diag_error(d, path, 0, "点検項目の確認用ブックを作成できません (メモリ不足またはファイルを作れません)");
        return -1;
    }
    tk_arena *a = tk_arena_new();
    make_formats(&w);
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = (char *)tk_arena_printf(a, "点検項目の確認　%s", s->checklist->name ? s->checklist->name : "");
    props.author = "tenken";
    props.keywords = "tenken";
    if (t && t->classification)
        props.category = (char *)t->classification;
    ck(&w, workbook_set_properties(w.wb, &props), "properties");
    ck(&w, workbook_set_custom_property_string(w.wb, TK_XLSX_PROP_CHECKLIST, s->checklist->hash), "properties");
    lxw_worksheet *items = workbook_add_worksheet(w.wb, TK_REVIEW_SHEET);
    lxw_worksheet *roles = workbook_add_worksheet(w.wb, TK_REVIEW_ROLES_SHEET);
    lxw_worksheet *lines = workbook_add_worksheet(w.wb, TK_REVIEW_LINES_SHEET);
    lxw_worksheet *id = workbook_add_worksheet(w.wb, TK_XLSX_IDENTITY_SHEET);
    if (items && roles && lines && id) {
        write_items(&w, a, items, s);
        write_roles(&w, a, roles, s);
        write_lines(&w, a, lines, s);
        write_identity(&w, a, id, s);
        worksheet_activate(items);
    } else {
        ck(&w, LXW_ERROR_SHEETNAME_ALREADY_USED, "worksheet");
    }
    lxw_error e = workbook_close(w.wb);
    int rc = 0;
    if (w.err != LXW_NO_ERROR) {
        tk_diag_error(d, path, 0, "点検項目の確認用ブックを作成できません (%s: %s)", w.where, lxw_strerror(w.err));
        rc = -1;
    } else if (e != LXW_NO_ERROR) {
        tk_diag_error(d, path, 0, "点検項目の確認用ブックを書き出せません: %s", lxw_strerror(e));
        rc = -1;
    }
    tk_arena_free(a);
    return rc;
}

/* ---- reading it back ---- */

typedef struct rcell {
    bool present, formula;
    tk_cell_type type;
    const char *text;
    double number;
} rcell;

typedef struct rrow {
    rcell f[C_COUNT];
} rrow;

typedef struct RD {
    tk_arena *a;
    tk_diags *d;
    const char *path;
    rrow *rows; /* rows[i]: sheet row HEADER_ROW + 1 + i */
    size_t nrows;
    rcell head[C_COUNT];
    int last_item_row;
} RD;

static const char *place(tk_arena *a, int row, int col)
{
    char ref[16];
    tk_cell_ref(row, col, ref);
    return tk_arena_printf(a, "%s!%s", TK_REVIEW_SHEET, ref);
}

static void err(RD *r, int row, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void err(RD *r, int row, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = tk_vformat(fmt, ap);
    va_end(ap);
    tk_diag_add(r->d, TK_SEV_ERROR, r->path, 0, row ? place(r->a, row, col) : NULL, "%s", m);
    free(m);
}

static bool on_item_cell(const tk_cell *cell, void *user)
{
    RD *r = user;
    if (cell->col < 1 || cell->col > C_COUNT)
        return true;
    rcell *v = NULL;
    if (cell->row == HEADER_ROW)
        v = &r->head[cell->col - 1];
    else if (cell->row > HEADER_ROW && (size_t)(cell->row - HEADER_ROW - 1) < r->nrows)
        v = &r->rows[cell->row - HEADER_ROW - 1].f[cell->col - 1];
    else if (cell->row > r->last_item_row && cell->text && *cell->text) {
        if (cell->col - 1 == C_ID || cell->col - 1 == C_REF || cell->col - 1 == C_TEXT)
            err(r, cell->row, cell->col, "点検項目の表の外 (最後の項目は %d 行目) に「%.40s」があります。行の追加はできません。発行された確認用ブックに記入し直してください",
                r->last_item_row, cell->text);
        return true;
    }
    if (!v)
        return true;
    v->present = true;
    v->formula = cell->has_formula;
    v->type = cell->type;
    v->text = tk_arena_strdup(r->a, cell->text ? cell->text : "");
    v->number = cell->number;
    return true;
}

static const char *ctext(const rcell *v) { return v->present && v->text ? v->text : ""; }

/* Same text in the match form (white space and full-width/half-width forms aside). */
static bool same_text(const char *got, const char *want)
{
    if (!strcmp(got, want))
        return true;
    char *g = tk_text_norm_dup(got), *w = tk_text_norm_dup(want);
    bool same = !strcmp(g, w);
    free(g);
    free(w);
    return same;
}

/* Trim ASCII and ideographic white space; a copy in the arena. */
static const char *trimmed(tk_arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || !strncmp(s, "\u3000", 3))
        s += *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ? 1 : 3;
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        else if (n >= 3 && !strncmp(s + n - 3, "\u3000", 3))
            n -= 3;
        else
            break;
    }
    return tk_arena_strndup(a, s, n);
}

/* A role of org.xml by id, alias or name, compared in the match form. */
static const char *role_lookup(const tk_org *o, const char *token)
{
    char *t = tk_text_norm_dup(token);
    const char *found = NULL;
    for (size_t i = 0; o && i < o->nroles && !found; i++) {
        const tk_role *r = &o->roles[i];
        const char *cands[2] = {r->id, r->name};
        for (size_t k = 0; k < 2 + r->naliases && !found; k++) {
            const char *cand = k < 2 ? cands[k] : r->aliases[k - 2];
            if (!cand)
                continue;
            char *n = tk_text_norm_dup(cand);
            if (!strcmp(n, t))
                found = r->id;
            free(n);
        }
    }
    free(t);
    return found;
}

static bool has_role(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *q = p;
        while (*q && *q != ' ')
            q++;
        if ((size_t)(q - p) == n && !strncmp(p, id, n))
            return true;
        p = q;
    }
    return false;
}

/* Parse a 役割 cell: role ids separated by 、 ， , or white space. Space-
 * separated ids into *out; false with the first unknown name in *bad. */
static bool parse_roles(tk_arena *a, const tk_org *o, const char *s, const char **out, const char **bad, size_t *count)
{
    static const char *const seps[] = {"、", "，", ",", "､", " ", "\u3000", "\n", "\r", "\t", "；", ";"};
    tk_buf b;
    tk_buf_init(&b);
    *count = 0;
    *bad = NULL;
    const char *p = s;
    while (*p) {
        size_t best = strlen(p), sl = 0;
        for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
            const char *q = strstr(p, seps[k]);
            if (q && (size_t)(q - p) < best) {
                best = (size_t)(q - p);
                sl = strlen(seps[k]);
            }
        }
        if (best) {
            const char *tok = tk_arena_strndup(a, p, best);
            const char *id = role_lookup(o, tok);
            if (!id) {
                if (!*bad)
                    *bad = tok;
            } else {
                /* the same role twice counts once */
                if (!has_role(b.data ? b.data : "", id)) {
                    tk_buf_printf(&b, "%s%s", b.len ? " " : "", id);
                    (*count)++;
                }
            }
        }
        p += best + sl;
    }
    *out = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return *bad == NULL;
}

static bool parse_weight(const rcell *v, double *out)
{
    if (v->type == TK_CELL_NUMBER) {
        *out = v->number;
    } else if (v->type == TK_CELL_STRING) {
        char *n = tk_text_norm_dup(v->text);
        char *end;
        *out = strtod(n, &end);
        bool ok = end != n && !*end;
        free(n);
        if (!ok)
            return false;
    } else {
        return false;
    }
    return isfinite(*out) && *out > 0 && *out <= TK_REVIEW_MAX_WEIGHT;
}

typedef struct decision {
    const char *roles; /* space-separated */
    size_t nroles;
    bool out_of_scope, confirmed;
    double weight;
} decision;

static int identity_check(tk_xlsx *x, tk_arena *a, const tk_checklist *c, const char *path, tk_diags *d)
{
    tk_xlsx_identity id;
    int found = tk_xlsx_identity_read(x, a, &id, d);
    int rc = -1;
    if (found < 0)
        goto out;
    if (found == 0) {
        tk_diag_error(d, path, 0,
                      "tenken が作った点検項目の確認用ブックではありません (識別用の隠しシート「%s」がありません)。"
                      "tenken review --org %s で作った確認用ブックに記入してください",
                      TK_XLSX_IDENTITY_SHEET, c->org);
        goto out;
    }
    const char *format = tk_xlsx_identity_get(&id, "format");
    if (!strcmp(format, TK_XLSX_IDENTITY_FORMAT)) {
        tk_diag_error(d, path, 0,
                      "これは部署が記入する点検票で、点検項目の確認用ブックではありません。点検票は tenken ingest で取り込みます。"
                      "点検項目の確認には tenken review --org %s で作った確認用ブックを使ってください",
                      c->org);
        goto out;
    }
    long version = 0;
    if (strcmp(format, TK_REVIEW_FORMAT) || !tk_parse_int(tk_xlsx_identity_get(&id, "version"), 1, 1000, &version) ||
        version != TK_REVIEW_VERSION) {
        tk_diag_error(d, path, 0, "識別シート「%s」の形式が点検項目の確認用ブックのものではありません (format「%.40s」、version「%.10s」)",
                      TK_XLSX_IDENTITY_SHEET, format, tk_xlsx_identity_get(&id, "version"));
        goto out;
    }
    if (strcmp(tk_xlsx_identity_get(&id, "org"), c->org)) {
        tk_diag_error(d, path, 0, "この確認用ブックは組織「%.40s」のものです。--org %s の checklist.xml には反映できません",
                      tk_xlsx_identity_get(&id, "org"), c->org);
        goto out;
    }
    if (strcmp(tk_xlsx_identity_get(&id, "checklist_hash"), c->hash)) {
        tk_diag_error(d, path, 0,
                      "この確認用ブックを作った後で %s が変更されています (ブックの checklist_hash %.12s…、現在 %.12s…)。"
                      "tenken review --org %s で新しい確認用ブックを作り、記入し直してください",
                      c->path ? c->path : "checklist.xml", tk_xlsx_identity_get(&id, "checklist_hash"), c->hash, c->org);
        goto out;
    }
    if (id.nrows != c->nitems) {
        tk_diag_error(d, path, 0, "識別シートの項目が %zu 行あります。checklist.xml の項目は %zu です。確認用ブックが書き換えられています", id.nrows,
                      c->nitems);
        goto out;
    }
    for (size_t i = 0; i < id.nrows; i++) {
        const tk_xlsx_identity_row *r = &id.rows[i];
        const tk_item *it = &c->items[i];
        char hash[65];
        tk_item_text_hash(it->text, it->context, hash);
        long seq = 0, row = 0;
        if (!tk_parse_int(r->cell[0], 1, 10000000, &seq) || seq != (long)i + 1 || strcmp(r->cell[1], it->id) ||
            !tk_parse_int(r->cell[2], 1, 10000000, &row) || row != HEADER_ROW + 1 + (long)i || strcmp(r->cell[3], hash)) {
            tk_diag_error(d, path, 0, "識別シートの %zu 件目が checklist.xml の項目 %s (%s) と一致しません。確認用ブックが書き換えられています", i + 1,
                          it->id, it->ref);
            goto out;
        }
    }
    rc = 0;
out:
    tk_xlsx_identity_free(&id);
    return rc;
}

int tk_review_apply(tk_checklist *c, const tk_org *org, const char *path, const char *today, tk_review_result *res,
                    tk_diags *d)
{
    memset(res, 0, sizeof *res);
    size_t errors_before = d->errors;
    tk_arena *a = tk_arena_new();
    tk_xlsx *x = tk_xlsx_open(path, NULL, d);
    int rc = -1;
    if (!x)
        goto done;
    if (identity_check(x, a, c, path, d) != 0)
        goto done;
    int si = tk_xlsx_sheet_index(x, TK_REVIEW_SHEET);
    if (si < 0) {
        tk_diag_error(d, path, 0, "シート「%s」がありません。シートの削除や名前の変更はできません", TK_REVIEW_SHEET);
        goto done;
    }
    RD r;
    memset(&r, 0, sizeof r);
    r.a = a;
    r.d = d;
    r.path = path;
    r.nrows = c->nitems;
    r.rows = tk_arena_alloc(a, (c->nitems ? c->nitems : 1) * sizeof *r.rows);
    memset(r.rows, 0, (c->nitems ? c->nitems : 1) * sizeof *r.rows);
    r.last_item_row = HEADER_ROW + (int)c->nitems;
    if (!tk_xlsx_read_sheet(x, (size_t)si, on_item_cell, &r, d) || !tk_xlsx_check_members(x, d))
        goto done;
    for (int k = 0; k < C_COUNT; k++)
        if (!same_text(ctext(&r.head[k]), COL_HEAD[k]))
            err(&r, HEADER_ROW, k + 1, "見出しが「%.30s」になっています。「%s」のはずです。列の挿入・削除・移動はできません", ctext(&r.head[k]),
                COL_HEAD[k]);
    if (d->errors > errors_before)
        goto done;

    decision *dec = tk_arena_alloc(a, (c->nitems ? c->nitems : 1) * sizeof *dec);
    size_t shifted = 0;
    for (size_t i = 0; i < c->nitems; i++) {
        const tk_item *it = &c->items[i];
        rrow *w = &r.rows[i];
        int row = HEADER_ROW + 1 + (int)i;
        decision *de = &dec[i];
        memset(de, 0, sizeof *de);
        const char *got_id = trimmed(a, ctext(&w->f[C_ID]));
        if (strcmp(got_id, it->id)) {
            /* a deleted or inserted row shifts every row below it: name the
             * first few, then count the rest */
            if (++shifted <= 3)
                err(&r, row, C_ID + 1,
                    "ID が「%.40s」になっています。発行時は「%s」(%s) でした。行の挿入・削除・並べ替えや ID の書き換えはできません。発行された確認用ブックに記入し直してください",
                    got_id, it->id, it->ref);
            continue; /* the rest of the row is someone else's */
        }
        if (!same_text(ctext(&w->f[C_REF]), it->ref))
            err(&r, row, C_REF + 1, "該当条項が「%.40s」になっています。発行時は「%s」でした。該当条項は書き換えられません", ctext(&w->f[C_REF]), it->ref);
        if (!same_text(ctext(&w->f[C_CONTEXT]), it->context ? it->context : ""))
            err(&r, row, C_CONTEXT + 1, "項目 %s (%s) の前提 (文脈) が発行時と異なります。文言は書き換えられません。直すにはポリシーの本文を直して derive をやり直してください",
                it->id, it->ref);
        if (!same_text(ctext(&w->f[C_TEXT]), it->text))
            err(&r, row, C_TEXT + 1, "項目 %s (%s) の本文が発行時と異なります。文言は書き換えられません。直すにはポリシーの本文を直して derive をやり直してください",
                it->id, it->ref);
        char lbuf[32];
        snprintf(lbuf, sizeof lbuf, "%ld", it->line);
        if (!same_text(ctext(&w->f[C_LINE]), it->line > 0 ? lbuf : ""))
            err(&r, row, C_LINE + 1, "行が「%.20s」になっています。発行時は「%s」でした。書き換えられません", ctext(&w->f[C_LINE]),
                it->line > 0 ? lbuf : "(空欄)");
        bool formula = false;
        for (int k = 0; k < C_COUNT; k++)
            if (col_input(k) && w->f[k].present && w->f[k].formula) {
                err(&r, row, k + 1, "%s に数式が入力されています。値を入力してください", COL_HEAD[k]);
                formula = true;
            }
        if (formula)
            continue;
        /* 役割 */
        const char *roles_text = trimmed(a, ctext(&w->f[C_ROLE]));
        const char *bad = NULL;
        if (tk_utf8_count(roles_text) > 1000) {
            err(&r, row, C_ROLE + 1, "役割が %zu 文字あります。「役割一覧」シートの ID を「、」で区切って 1000 文字以内で入力してください",
                tk_utf8_count(roles_text));
        } else if (!*roles_text) {
            err(&r, row, C_ROLE + 1, "項目 %s (%s) の役割が空です。「役割一覧」シートの ID を一つ以上、「、」で区切って入力してください", it->id, it->ref);
        } else if (!parse_roles(a, org, roles_text, &de->roles, &bad, &de->nroles)) {
            err(&r, row, C_ROLE + 1, "役割「%.40s」は org.xml にありません。「役割一覧」シートの ID (別名・名称も可) を「、」で区切って入力してください", bad);
        } else if (de->nroles == 0) {
            err(&r, row, C_ROLE + 1, "項目 %s (%s) の役割が空です。「役割一覧」シートの ID を一つ以上入力してください", it->id, it->ref);
        }
        /* 点検対象 */
        const char *scope = trimmed(a, ctext(&w->f[C_SCOPE]));
        char *ns = tk_text_norm_dup(scope);
        if (!strcmp(ns, SCOPE_IN))
            de->out_of_scope = false;
        else if (!strcmp(ns, SCOPE_OUT))
            de->out_of_scope = true;
        else
            err(&r, row, C_SCOPE + 1, "点検対象が「%.40s」になっています。「%s」か「%s」を選んでください", scope, SCOPE_IN, SCOPE_OUT);
        free(ns);
        /* 重み */
        const rcell *wv = &w->f[C_WEIGHT];
        if (!wv->present || (wv->type == TK_CELL_STRING && !*trimmed(a, wv->text)))
            err(&r, row, C_WEIGHT + 1, "重みが空です。0 より大きく %g 以下の数 (既定 1) を入力してください", TK_REVIEW_MAX_WEIGHT);
        else if (!parse_weight(wv, &de->weight))
            err(&r, row, C_WEIGHT + 1, "重みが「%.40s」になっています。0 より大きく %g 以下の数を入力してください", ctext(wv), TK_REVIEW_MAX_WEIGHT);
        /* 確認 */
        const char *conf = trimmed(a, ctext(&w->f[C_CONFIRM]));
        if (!strcmp(conf, CONFIRMED))
            de->confirmed = true;
        else if (*conf)
            err(&r, row, C_CONFIRM + 1, "確認が「%.40s」になっています。「%s」か空欄にしてください", conf, CONFIRMED);
        if (tk_utf8_count(ctext(&w->f[C_MEMO])) > 4000)
            err(&r, row, C_MEMO + 1, "確認メモが %zu 文字あります。4000 文字以内にしてください", tk_utf8_count(ctext(&w->f[C_MEMO])));
    }
    if (shifted > 3)
        err(&r, 0, 0, "ほかに %zu 行の ID が発行時と一致しません (行が削除・挿入・並べ替えされています)", shifted - 3);
    if (d->errors > errors_before)
        goto done;

    /* every decision is valid: apply */
    tk_arena *ca = c->arena;
    for (size_t i = 0; i < c->nitems; i++) {
        tk_item *it = &c->items[i];
        const decision *de = &dec[i];
        const char *cur_roles = roles_joined(ca, it->roles, it->nroles, " ");
        const char *prop_roles = it->reviewed && it->derived_role ? it->derived_role : cur_roles;
        double prop_weight = it->reviewed && it->derived_weight > 0 ? it->derived_weight : it->weight;
        bool roles_changed = !same_role_set(de->roles, cur_roles);
        bool weight_changed = fabs(de->weight - it->weight) > 1e-9;
        bool scope_changed = de->out_of_scope != it->out_of_scope;
        bool differs = !same_role_set(de->roles, prop_roles) || fabs(de->weight - prop_weight) > 1e-9 || de->out_of_scope;
        char hash[65];
        tk_item_text_hash(it->text, it->context, hash);
        bool was_reviewed = it->reviewed;
        res->roles_changed += roles_changed;
        res->weight_changed += weight_changed;
        res->scope_out += scope_changed && de->out_of_scope;
        res->scope_in += scope_changed && !de->out_of_scope;
        if (roles_changed)
            it->roles = split_roles(ca, de->roles, &it->nroles);
        it->weight = de->weight;
        it->out_of_scope = de->out_of_scope;
        bool changed = roles_changed || weight_changed || scope_changed;
        bool stale = was_reviewed && (!it->review_hash || strcmp(it->review_hash, hash));
        if (changed || ((de->confirmed || differs) && (!was_reviewed || stale))) {
            it->reviewed = true;
            it->review_date = tk_arena_strdup(ca, today);
            it->review_hash = tk_arena_strdup(ca, hash);
            it->derived_role = same_role_set(de->roles, prop_roles) ? NULL : prop_roles;
            it->derived_weight = fabs(de->weight - prop_weight) > 1e-9 ? prop_weight : 0;
            if (!changed)
                res->confirmed++;
        } else if (was_reviewed && !de->confirmed && !differs) {
            /* the reviewer took 済 back and the item is as derive proposed */
            it->reviewed = false;
            it->review_date = it->review_hash = it->derived_role = NULL;
            it->derived_weight = 0;
        }
        if (!changed)
            res->unchanged++;
    }
    res->items = c->nitems;
    tk_checklist_rehash(c);
    rc = 0;
done:
    tk_xlsx_close(x);
    tk_arena_free(a);
    return rc;
}
