/* template.c — load and check the workbook templates (templates/self.xml, audit.xml, followup.xml). */
#include "tenken/template.h"

#include <errno.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tenken/text.h"
#include "tenken/xmlutil.h"

/* Excel's limits on data validation messages (characters). */
#define PROMPT_TITLE_MAX 32
#define PROMPT_TEXT_MAX 255
/* Excel's limit on a list validation's values, commas included. */
#define LIST_MAX 255
#define SHEET_NAME_MAX 31

static const char *const COLUMN_KEYS[TK_COLUMN_KEY_COUNT] = {
    "seq", "ref", "level", "text", "role", "answer", "evidence", "note", "finding", "advice", "plan", "owner", "due",
    /* follow-up */
    "origin", "plan-content", "plan-owner", "plan-due", "plan-status", "status", "action", "done-date", "new-due",
    "reason",
    /* last year */
    "prev-answer", "prev-plan",
    /* audits */
    "good", "confirm", "interim",
};

const char *tk_column_key_name(enum tk_column_key k)
{
    switch (k) {
    case TK_COL_SEQ:
    case TK_COL_REF:
    case TK_COL_LEVEL:
    case TK_COL_TEXT:
    case TK_COL_ROLE:
    case TK_COL_ANSWER:
    case TK_COL_EVIDENCE:
    case TK_COL_NOTE:
    case TK_COL_FINDING:
    case TK_COL_ADVICE:
    case TK_COL_PLAN:
    case TK_COL_OWNER:
    case TK_COL_DUE:
    case TK_COL_ORIGIN:
    case TK_COL_PLAN_CONTENT:
    case TK_COL_PLAN_OWNER:
    case TK_COL_PLAN_DUE:
    case TK_COL_PLAN_STATUS:
    case TK_COL_STATUS:
    case TK_COL_ACTION:
    case TK_COL_DONE_DATE:
    case TK_COL_NEW_DUE:
    case TK_COL_REASON:
    case TK_COL_PREV_ANSWER:
    case TK_COL_PREV_PLAN:
    case TK_COL_GOOD:
    case TK_COL_CONFIRM:
    case TK_COL_INTERIM:
        return COLUMN_KEYS[k];
    }
    return "?";
}

bool tk_column_key_parse(const char *s, enum tk_column_key *out)
{
    for (int i = 0; i < TK_COLUMN_KEY_COUNT; i++) {
        if (!strcmp(s, COLUMN_KEYS[i])) {
            *out = (enum tk_column_key)i;
            return true;
        }
    }
    return false;
}

enum tk_input tk_column_input(enum tk_column_key k)
{
    switch (k) {
    case TK_COL_SEQ:
    case TK_COL_REF:
    case TK_COL_LEVEL:
    case TK_COL_TEXT:
    case TK_COL_ROLE:
    case TK_COL_ORIGIN:
    case TK_COL_PLAN_CONTENT:
    case TK_COL_PLAN_OWNER:
    case TK_COL_PLAN_DUE:
    case TK_COL_PLAN_STATUS:
    case TK_COL_PREV_ANSWER:
    case TK_COL_PREV_PLAN:
        return TK_INPUT_NONE;
    case TK_COL_ANSWER:
    case TK_COL_STATUS:
    case TK_COL_CONFIRM:
        return TK_INPUT_LIST;
    case TK_COL_DUE:
    case TK_COL_DONE_DATE:
    case TK_COL_NEW_DUE:
        return TK_INPUT_DATE;
    case TK_COL_EVIDENCE:
    case TK_COL_NOTE:
    case TK_COL_FINDING:
    case TK_COL_ADVICE:
    case TK_COL_PLAN:
    case TK_COL_OWNER:
    case TK_COL_ACTION:
    case TK_COL_REASON:
    case TK_COL_GOOD:
    case TK_COL_INTERIM:
        return TK_INPUT_TEXT;
    }
    return TK_INPUT_NONE;
}

/* ---- placeholders ---- */

static const char *const PLACEHOLDERS[] = {
    "org",           "department", "department-code", "fiscal-year", "fiscal-year-label", "year", "deadline",
    "deadline-wareki", "deadline-iso", "classification", "title",    "kind",              "items",
    /* a staff workbook's person (empty in the other kinds) */
    "person", "staff-number", "position",
    /* the plans earlier years left open (empty without an earlier year) */
    "carried-plans", "carried-overdue",
    "auditors",
};

bool tk_template_known_placeholder(const char *name, bool in_page_header)
{
    for (size_t i = 0; i < sizeof PLACEHOLDERS / sizeof PLACEHOLDERS[0]; i++)
        if (!strcmp(name, PLACEHOLDERS[i]))
            return true;
    return in_page_header && (!strcmp(name, "page") || !strcmp(name, "pages") || !strcmp(name, "sheet"));
}

char *tk_template_expand(tk_arena *a, const char *s, const tk_tpl_var *vars, size_t nvars)
{
    tk_buf b;
    tk_buf_init(&b);
    const char *p = s;
    while (*p) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            tk_buf_putc(&b, p[0]);
            p += 2;
            continue;
        }
        if (*p == '{') {
            const char *close = strchr(p + 1, '}');
            if (close) {
                size_t n = (size_t)(close - p - 1);
                const char *value = NULL;
                for (size_t i = 0; i < nvars && !value; i++)
                    if (strlen(vars[i].name) == n && !strncmp(vars[i].name, p + 1, n))
                        value = vars[i].value ? vars[i].value : "";
                if (value) {
                    tk_buf_puts(&b, value);
                    p = close + 1;
                    continue;
                }
            }
        }
        tk_buf_putc(&b, *p++);
    }
    char *r = tk_arena_strndup(a, b.data ? b.data : "", b.len);
    tk_buf_free(&b);
    return r;
}

/* ---- loading ---- */

typedef struct loader {
    tk_template *t;
    const char *path;
    tk_diags *d;
} loader;

static bool is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* Room in the template's arena for one element of size bytes per child of
 * n named name (per child element when name is NULL). */
static void *per_child(loader *L, xmlNodePtr n, const char *name, size_t size)
{
    size_t cap = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        cap += name ? is_elem(c, name) : c->type == XML_ELEMENT_NODE;
    return tk_arena_alloc(L->t->arena, (cap ? cap : 1) * size);
}

static const char *attr(loader *L, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    char *s = tk_arena_strdup(L->t->arena, (const char *)v);
    xmlFree(v);
    return s;
}

/* Element text with surrounding white space trimmed. */
static const char *content(loader *L, xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    const char *s = v ? (const char *)v : "";
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    char *r = tk_arena_strndup(L->t->arena, s, len);
    xmlFree(v);
    return r;
}

static double number(const char *s, double dflt)
{
    if (!s)
        return dflt;
    char *end;
    double v = strtod(s, &end);
    return *end ? dflt : v;
}

static bool truthy(const char *s) { return s && (!strcmp(s, "true") || !strcmp(s, "1")); }

/* Check that every {name} in s is a known placeholder. */
static void check_placeholders(loader *L, long line, const char *where, const char *s, bool in_page_header)
{
    if (!s)
        return;
    for (const char *p = s; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            p++;
            continue;
        }
        if (*p != '{')
            continue;
        const char *close = strchr(p + 1, '}');
        if (!close) {
            tk_diag_error(L->d, L->path, line, "%s の「{」が閉じていません。文字として書くときは「{{」と書いてください", where);
            return;
        }
        char name[64];
        size_t n = (size_t)(close - p - 1);
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, p + 1, n);
        name[n] = '\0';
        if (!tk_template_known_placeholder(name, in_page_header))
            tk_diag_error(L->d, L->path, line,
                          "%s の置換文字「{%s}」は使えません。使えるのは {org} {department} {fiscal-year} {deadline} など "
                          "(templates/template.rng の先頭を参照) です",
                          where, name);
        p = close;
    }
}

static void check_length(loader *L, long line, const char *what, const char *s, size_t max)
{
    if (s && tk_utf8_count(s) > max)
        tk_diag_error(L->d, L->path, line, "%s「%s」が長すぎます (%zu 文字)。Excel の制限により %zu 文字以内にしてください", what,
                      s, tk_utf8_count(s), max);
}

static uint32_t parse_color(const char *s)
{
    return (uint32_t)strtoul(s + 1, NULL, 16);
}

static void load_style(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    t->font = attr(L, n, "font");
    t->font_size = number(attr(L, n, "size"), 10);
    t->line_height = number(attr(L, n, "line-height"), 1.3);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is_elem(c, "color"))
            continue;
        const char *name = attr(L, c, "name");
        const char *value = attr(L, c, "value");
        if (!name || !value)
            continue;
        uint32_t v = parse_color(value);
        static const struct {
            const char *name;
            size_t off;
        } map[] = {
            {"title", offsetof(tk_tpl_colors, title)},
            {"header", offsetof(tk_tpl_colors, header)},
            {"header-text", offsetof(tk_tpl_colors, header_text)},
            {"group", offsetof(tk_tpl_colors, group)},
            {"input", offsetof(tk_tpl_colors, input)},
            {"unanswered", offsetof(tk_tpl_colors, unanswered)},
            {"missing", offsetof(tk_tpl_colors, missing)},
            {"context", offsetof(tk_tpl_colors, context)},
            {"border", offsetof(tk_tpl_colors, border)},
            {"classification", offsetof(tk_tpl_colors, classification)},
            {"tab", offsetof(tk_tpl_colors, tab)},
        };
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (!strcmp(name, map[i].name))
                memcpy((char *)&t->colors + map[i].off, &v, sizeof v);
    }
}

static void load_page(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    const char *o = attr(L, n, "orientation");
    t->landscape = !o || !strcmp(o, "landscape");
    static const char *const names[6] = {"header-left", "header-center", "header-right",
                                         "footer-left", "footer-center", "footer-right"};
    for (int i = 0; i < 6; i++) {
        const char *v = attr(L, n, names[i]);
        if (v && !*v)
            v = NULL;
        if (i < 3)
            t->header[i] = v;
        else
            t->footer[i - 3] = v;
        char where[64];
        snprintf(where, sizeof where, "page の %s", names[i]);
        check_placeholders(L, xmlGetLineNo(n), where, v, true);
    }
}

static void load_prompt(loader *L, xmlNodePtr n, const char **title, const char **text)
{
    *title = attr(L, n, "title");
    *text = content(L, n);
    check_length(L, xmlGetLineNo(n), "入力時のメッセージの題名", *title, PROMPT_TITLE_MAX);
    check_length(L, xmlGetLineNo(n), "入力時のメッセージ", *text, PROMPT_TEXT_MAX);
}

static void check_sheet_name(loader *L, long line, const char *what, const char *name)
{
    if (!name)
        return;
    check_length(L, line, what, name, SHEET_NAME_MAX);
    if (!strcasecmp(name, "History") || !strcmp(name, "_tenken"))
        tk_diag_error(L->d, L->path, line, "%s「%s」はシート名に使えません (Excel または tenken が予約しています)", what, name);
}

static void load_cover(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    t->cover_sheet = attr(L, n, "sheet");
    check_sheet_name(L, xmlGetLineNo(n), "表紙のシート名", t->cover_sheet);
    t->cover = per_child(L, n, NULL, sizeof *t->cover);
    bool progress = false;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        long line = xmlGetLineNo(c);
        tk_tpl_cover_line *cl = &t->cover[t->ncover];
        memset(cl, 0, sizeof *cl);
        if (is_elem(c, "field")) {
            cl->kind = TK_COVER_FIELD;
            cl->label = attr(L, c, "label");
            cl->text = content(L, c);
            cl->if_set = attr(L, c, "if");
            if (cl->if_set && !tk_template_known_placeholder(cl->if_set, false))
                tk_diag_error(L->d, L->path, line, "表紙の field の if=\"%s\" は置換文字の名前ではありません（{carried-plans} なら carried-plans）",
                              cl->if_set);
            check_placeholders(L, line, "表紙の field", cl->label, false);
            check_placeholders(L, line, "表紙の field", cl->text, false);
        } else if (is_elem(c, "input")) {
            cl->kind = TK_COVER_INPUT;
            cl->label = attr(L, c, "label");
            cl->key = attr(L, c, "key");
            const char *type = attr(L, c, "type");
            cl->input = type && !strcmp(type, "date") ? TK_INPUT_DATE : TK_INPUT_TEXT;
            for (xmlNodePtr k = c->children; k; k = k->next)
                if (is_elem(k, "prompt"))
                    load_prompt(L, k, &cl->prompt_title, &cl->prompt);
            for (size_t i = 0; i < t->ncover; i++)
                if (t->cover[i].kind == TK_COVER_INPUT && cl->key && !strcmp(t->cover[i].key, cl->key))
                    tk_diag_error(L->d, L->path, line, "表紙の input の key「%s」が重複しています", cl->key);
            check_placeholders(L, line, "表紙の input", cl->label, false);
        } else if (is_elem(c, "progress")) {
            if (progress)
                tk_diag_error(L->d, L->path, line, "表紙に progress が二つあります。一つにしてください");
            progress = true;
            cl->kind = TK_COVER_PROGRESS;
            tk_tpl_progress *p = &t->progress;
            p->heading = attr(L, c, "heading");
            p->sheet = attr(L, c, "sheet");
            p->items = attr(L, c, "items");
            p->answered = attr(L, c, "answered");
            p->unanswered = attr(L, c, "unanswered");
            p->missing = attr(L, c, "missing");
            p->total = attr(L, c, "total");
            p->rate = attr(L, c, "rate");
        } else if (is_elem(c, "note")) {
            cl->kind = TK_COVER_NOTE;
            cl->text = content(L, c);
            check_placeholders(L, line, "表紙の note", cl->text, false);
        } else {
            continue;
        }
        t->ncover++;
    }
}

static void load_instructions(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    t->instructions_sheet = attr(L, n, "sheet");
    check_sheet_name(L, xmlGetLineNo(n), "記入要領のシート名", t->instructions_sheet);
    t->blocks = per_child(L, n, NULL, sizeof *t->blocks);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        long line = xmlGetLineNo(c);
        tk_tpl_block *b = &t->blocks[t->nblocks];
        memset(b, 0, sizeof *b);
        if (is_elem(c, "heading") || is_elem(c, "para")) {
            b->kind = is_elem(c, "heading") ? TK_BLOCK_HEADING : TK_BLOCK_PARA;
            b->text = content(L, c);
            check_placeholders(L, line, "記入要領", b->text, false);
        } else if (is_elem(c, "answers") || is_elem(c, "columns")) {
            b->kind = is_elem(c, "answers") ? TK_BLOCK_ANSWERS : TK_BLOCK_COLUMNS;
            b->head1 = attr(L, c, is_elem(c, "answers") ? "value" : "column");
            b->head2 = attr(L, c, "meaning");
        } else if (is_elem(c, "legend")) {
            b->kind = TK_BLOCK_LEGEND;
            size_t ne = 0;
            for (xmlNodePtr k = c->children; k; k = k->next)
                ne += is_elem(k, "entry");
            b->legend = tk_arena_alloc(t->arena, (ne ? ne : 1) * sizeof *b->legend);
            for (xmlNodePtr k = c->children; k; k = k->next) {
                if (!is_elem(k, "entry"))
                    continue;
                tk_tpl_legend *e = &b->legend[b->nlegend++];
                const char *color = attr(L, k, "color");
                e->color = !color || !strcmp(color, "input") ? TK_LEGEND_INPUT
                           : !strcmp(color, "unanswered")    ? TK_LEGEND_UNANSWERED
                                                             : TK_LEGEND_MISSING;
                e->text = content(L, k);
                check_placeholders(L, xmlGetLineNo(k), "記入要領の legend", e->text, false);
            }
        } else {
            continue;
        }
        t->nblocks++;
    }
}

static void load_scale(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    t->answers = per_child(L, n, "answer", sizeof *t->answers);
    size_t list_len = 0;
    bool scored = false;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is_elem(c, "answer"))
            continue;
        long line = xmlGetLineNo(c);
        tk_tpl_answer *a = &t->answers[t->nanswers];
        memset(a, 0, sizeof *a);
        a->value = attr(L, c, "value");
        a->excluded = truthy(attr(L, c, "excluded"));
        a->points = a->excluded ? 0 : number(attr(L, c, "points"), 0);
        a->negative = truthy(attr(L, c, "negative"));
        a->flag = attr(L, c, "flag");
        const char *desc = content(L, c);
        a->description = *desc ? desc : NULL;
        a->xml_line = line;
        if (!a->value)
            continue;
        if (strchr(a->value, ',') || strchr(a->value, '"'))
            tk_diag_error(L->d, L->path, line, "回答「%s」に「,」や「\"」は使えません (Excel の一覧の区切りと重なります)", a->value);
        if (a->excluded && a->negative)
            tk_diag_error(L->d, L->path, line, "回答「%s」は excluded と negative を同時に指定できません", a->value);
        for (size_t i = 0; i < t->nanswers; i++)
            if (!strcmp(t->answers[i].value, a->value))
                tk_diag_error(L->d, L->path, line, "回答「%s」が重複しています (%ld 行目と同じ)", a->value,
                              t->answers[i].xml_line);
        list_len += tk_utf8_count(a->value) + (t->nanswers ? 1 : 0);
        scored |= !a->excluded;
        t->nanswers++;
    }
    if (t->nanswers < 2)
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "回答の選択肢 (answer) は二つ以上必要です");
    else if (!scored)
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "点数 (points) のある回答が一つもありません");
    if (list_len > LIST_MAX)
        tk_diag_error(L->d, L->path, xmlGetLineNo(n),
                      "回答の選択肢が長すぎます (区切りを含め %zu 文字)。Excel の一覧は %d 文字までです", list_len, LIST_MAX);
}

static void load_columns(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    t->columns = per_child(L, n, "column", sizeof *t->columns);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is_elem(c, "column"))
            continue;
        long line = xmlGetLineNo(c);
        tk_tpl_column *col = &t->columns[t->ncolumns];
        memset(col, 0, sizeof *col);
        const char *key = attr(L, c, "key");
        if (!key || !tk_column_key_parse(key, &col->key)) {
            tk_diag_error(L->d, L->path, line, "列の key「%s」は使えません", key ? key : "");
            continue;
        }
        col->heading = attr(L, c, "heading");
        col->group = attr(L, c, "group");
        col->width = number(attr(L, c, "width"), 10);
        col->number_format = attr(L, c, "number-format");
        col->xml_line = line;
        const char *req = attr(L, c, "required-when");
        col->required_when = !req                       ? TK_REQUIRED_NEVER
                             : !strcmp(req, "negative")  ? TK_REQUIRED_NEGATIVE
                             : !strcmp(req, "excluded")  ? TK_REQUIRED_EXCLUDED
                             : !strcmp(req, "closed")    ? TK_REQUIRED_CLOSED
                                                         : TK_REQUIRED_POSTPONED;
        for (xmlNodePtr k = c->children; k; k = k->next) {
            if (is_elem(k, "description")) {
                col->description = content(L, k);
                check_placeholders(L, xmlGetLineNo(k), "列の description", col->description, false);
            } else if (is_elem(k, "prompt")) {
                load_prompt(L, k, &col->prompt_title, &col->prompt);
            } else if (is_elem(k, "error")) {
                col->error_title = attr(L, k, "title");
                col->error = content(L, k);
                check_length(L, xmlGetLineNo(k), "エラーメッセージの題名", col->error_title, PROMPT_TITLE_MAX);
                check_length(L, xmlGetLineNo(k), "エラーメッセージ", col->error, PROMPT_TEXT_MAX);
            }
        }
        enum tk_input in = tk_column_input(col->key);
        if (col->required_when != TK_REQUIRED_NEVER && (in == TK_INPUT_NONE || in == TK_INPUT_LIST))
            tk_diag_error(L->d, L->path, line, "列「%s」(key=%s) は入力欄ではないため required-when を指定できません",
                          col->heading, key);
        if (col->number_format && in != TK_INPUT_DATE && col->key != TK_COL_PLAN_DUE)
            tk_diag_warn(L->d, L->path, line, "列「%s」は日付の列ではないため number-format は使われません", col->heading);
        for (size_t i = 0; i < t->ncolumns; i++) {
            if (t->columns[i].key == col->key)
                tk_diag_error(L->d, L->path, line, "列の key「%s」が重複しています (%ld 行目と同じ)", key,
                              t->columns[i].xml_line);
        }
        /* a group is one run of neighbouring columns */
        if (col->group && t->ncolumns > 0) {
            const tk_tpl_column *prev = &t->columns[t->ncolumns - 1];
            bool continues = prev->group && !strcmp(prev->group, col->group);
            for (size_t i = 0; i + 1 < t->ncolumns && !continues; i++)
                if (t->columns[i].group && !strcmp(t->columns[i].group, col->group)) {
                    tk_diag_error(L->d, L->path, line,
                                  "列のグループ「%s」が離れた列に使われています。同じグループの列は隣り合わせてください", col->group);
                    break;
                }
        }
        t->ncolumns++;
    }
    if (!tk_template_column(t, TK_COL_TEXT, NULL))
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "点検項目の列 (key=\"text\") がありません");
    if (t->ncolumns > 50)
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "列が多すぎます (%zu 列、上限 50 列)", t->ncolumns);
}

/* <confirm>: the 是正確認 list of an audit workbook; one value closes. */
static void load_confirm(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    size_t list_len = 0, closing = 0;
    t->confirms = per_child(L, n, "value", sizeof *t->confirms);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is_elem(c, "value"))
            continue;
        long line = xmlGetLineNo(c);
        tk_tpl_confirm *v = &t->confirms[t->nconfirms];
        memset(v, 0, sizeof *v);
        v->value = content(L, c);
        v->closes = truthy(attr(L, c, "closes"));
        const char *desc = attr(L, c, "description");
        v->description = desc && *desc ? desc : NULL;
        v->xml_line = line;
        if (!*v->value) {
            tk_diag_error(L->d, L->path, line, "是正確認の選択肢が空です");
            continue;
        }
        if (strchr(v->value, ',') || strchr(v->value, '"'))
            tk_diag_error(L->d, L->path, line, "是正確認「%s」に「,」や「\"」は使えません (Excel の一覧の区切りと重なります)", v->value);
        for (size_t i = 0; i < t->nconfirms; i++)
            if (!strcmp(t->confirms[i].value, v->value))
                tk_diag_error(L->d, L->path, line, "是正確認「%s」が重複しています (%ld 行目と同じ)", v->value, t->confirms[i].xml_line);
        list_len += tk_utf8_count(v->value) + (t->nconfirms ? 1 : 0);
        closing += v->closes;
        t->nconfirms++;
    }
    if (t->nconfirms && closing != 1)
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "是正確認の選択肢のうち、指摘事項を閉じるもの (closes=\"true\") はちょうど一つにしてください (%zu 個あります)",
                      closing);
    if (list_len > LIST_MAX)
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "是正確認の選択肢が長すぎます (区切りを含め %zu 文字)。Excel の一覧は %d 文字までです",
                      list_len, LIST_MAX);
}

/* <plans>: the statuses with a key are the follow-up workbook's list. */
static void load_plans(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    t->statuses = per_child(L, n, "status", sizeof *t->statuses);
    size_t list_len = 0;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is_elem(c, "status"))
            continue;
        long line = xmlGetLineNo(c);
        const char *key = attr(L, c, "key");
        const char *value = attr(L, c, "value");
        if (!key || !value)
            continue;
        tk_tpl_status *st = &t->statuses[t->nstatuses];
        memset(st, 0, sizeof *st);
        if (!tk_plan_status_parse(key, &st->status) || strcmp(tk_plan_status_key(st->status), key) != 0) {
            tk_diag_error(L->d, L->path, line, "進捗状況の key「%s」は使えません", key);
            continue;
        }
        st->value = value;
        const char *desc = content(L, c);
        st->description = *desc ? desc : NULL;
        st->xml_line = line;
        const char *closed = attr(L, c, "closed");
        if (closed && truthy(closed) != tk_plan_status_closed(st->status))
            tk_diag_error(L->d, L->path, line, "進捗状況「%s」(key=%s) の closed=\"%s\" が計画の決まりと合いません (%s)", value, key, closed,
                          tk_plan_status_closed(st->status) ? "閉じる状況です" : "閉じない状況です");
        if (strchr(value, ',') || strchr(value, '"'))
            tk_diag_error(L->d, L->path, line, "進捗状況「%s」に「,」や「\"」は使えません (Excel の一覧の区切りと重なります)", value);
        for (size_t i = 0; i < t->nstatuses; i++) {
            if (t->statuses[i].status == st->status)
                tk_diag_error(L->d, L->path, line, "進捗状況の key「%s」が重複しています (%ld 行目と同じ)", key, t->statuses[i].xml_line);
            if (!strcmp(t->statuses[i].value, value))
                tk_diag_error(L->d, L->path, line, "進捗状況「%s」が重複しています (%ld 行目と同じ)", value, t->statuses[i].xml_line);
        }
        list_len += tk_utf8_count(value) + (t->nstatuses ? 1 : 0);
        t->nstatuses++;
    }
    if (list_len > LIST_MAX)
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "進捗状況の選択肢が長すぎます (区切りを含め %zu 文字)。Excel の一覧は %d 文字までです",
                      list_len, LIST_MAX);
}

static void load_distribution(loader *L, xmlNodePtr n)
{
    tk_template *t = L->t;
    t->dist_file = attr(L, n, "file");
    t->dist_code = attr(L, n, "code");
    t->dist_department = attr(L, n, "department");
    t->dist_workbook = attr(L, n, "workbook");
    t->dist_token = attr(L, n, "token");
    t->dist_items = attr(L, n, "items");
    t->dist_deadline = attr(L, n, "deadline");
    t->dist_number = attr(L, n, "number");
    t->dist_person = attr(L, n, "person");
    t->dist_mail = attr(L, n, "mail");
    if (t->dist_file && (strchr(t->dist_file, '/') || strchr(t->dist_file, '\\') || !strcmp(t->dist_file, ".") ||
                         !strcmp(t->dist_file, "..")))
        tk_diag_error(L->d, L->path, xmlGetLineNo(n), "配布一覧のファイル名「%s」にフォルダは含められません", t->dist_file);
}

static bool is_followup_column(enum tk_column_key k)
{
    return k == TK_COL_ORIGIN || k == TK_COL_PLAN_CONTENT || k == TK_COL_PLAN_OWNER || k == TK_COL_PLAN_DUE ||
           k == TK_COL_PLAN_STATUS || k == TK_COL_STATUS || k == TK_COL_ACTION || k == TK_COL_DONE_DATE ||
           k == TK_COL_NEW_DUE || k == TK_COL_REASON;
}

/* The auditee's response (改善計画: 内容, 担当者, 完了予定日, 暫定措置) is
 * written in an inspection workbook or, for an audit finding, in the
 * follow-up workbook: these columns belong to both. */
static bool is_plan_column(enum tk_column_key k)
{
    return k == TK_COL_PLAN || k == TK_COL_OWNER || k == TK_COL_DUE || k == TK_COL_INTERIM;
}

/* What each kind needs: self and audit answer on a scale; a follow-up
 * reports a plan status on one sheet. Columns of the other kind are refused
 * (ingest would not know what to do with them). */
static void check_kind(loader *L, xmlNodePtr root)
{
    tk_template *t = L->t;
    long line = xmlGetLineNo(root);
    bool followup = t->kind && !strcmp(t->kind, "followup");
    for (size_t i = 0; i < t->ncolumns; i++) {
        const tk_tpl_column *col = &t->columns[i];
        bool fu = is_followup_column(col->key);
        bool other = col->key == TK_COL_ANSWER || col->key == TK_COL_PREV_ANSWER || col->key == TK_COL_PREV_PLAN ||
                     col->key == TK_COL_ROLE || (tk_column_input(col->key) != TK_INPUT_NONE && !fu);
        if (is_plan_column(col->key))
            other = fu = false;
        if (followup ? other : fu)
            tk_diag_error(L->d, L->path, col->xml_line, "列「%s」(key=%s) は%sのひな形では使えません", col->heading,
                          tk_column_key_name(col->key), followup ? "改善計画の進捗確認 (followup)" : "点検・監査");
        bool by_status = col->required_when == TK_REQUIRED_CLOSED || col->required_when == TK_REQUIRED_POSTPONED;
        if (col->required_when != TK_REQUIRED_NEVER && by_status != followup)
            tk_diag_error(L->d, L->path, col->xml_line, "列「%s」の required-when は%sのひな形では使えません", col->heading,
                          followup ? "改善計画の進捗確認 (followup)" : "点検・監査");
    }
    /* a person answers for themselves: no remediation plan or finding of
     * the department's (a plan is the department's, one per item) */
    for (size_t i = 0; t->kind && !strcmp(t->kind, "staff") && i < t->ncolumns; i++) {
        enum tk_column_key k = t->columns[i].key;
        if (k == TK_COL_PLAN || k == TK_COL_OWNER || k == TK_COL_DUE || k == TK_COL_FINDING || k == TK_COL_ADVICE)
            tk_diag_error(L->d, L->path, t->columns[i].xml_line,
                          "列「%s」(key=%s) は職員セルフチェック (staff) のひな形では使えません (改善計画は部署の点検票で扱います)",
                          t->columns[i].heading, tk_column_key_name(k));
    }
    if (followup) {
        if (!tk_template_column(t, TK_COL_STATUS, NULL))
            tk_diag_error(L->d, L->path, line, "進捗状況の列 (key=\"status\") がありません");
        if (t->nstatuses < 2)
            tk_diag_error(L->d, L->path, line, "進捗状況の選択肢 (plans の status に key を付けたもの) が二つ以上必要です");
        if (!t->single_sheet)
            tk_diag_error(L->d, L->path, line, "改善計画を載せるシートの名前 (<sheets single=\"...\"/>) がありません");
        if (t->nanswers)
            tk_diag_warn(L->d, L->path, line, "改善計画の進捗確認のひな形では回答の選択肢 (scale) は使われません");
        if (t->nconfirms)
            tk_diag_warn(L->d, L->path, line, "改善計画の進捗確認のひな形では是正確認の選択肢 (confirm) は使われません");
    } else {
        if (tk_template_column(t, TK_COL_CONFIRM, NULL) && t->nconfirms < 2)
            tk_diag_error(L->d, L->path, line, "是正確認の列 (key=\"confirm\") には是正確認の選択肢 (<confirm> の value) が二つ以上必要です");
        if (!tk_template_column(t, TK_COL_ANSWER, NULL))
            tk_diag_error(L->d, L->path, line, "回答の列 (key=\"answer\") がありません");
        if (t->nanswers == 0)
            tk_diag_error(L->d, L->path, line, "回答の選択肢 (scale) がありません");
        /* one item sheet: a follow-up's, or a staff workbook's (short) */
        if (strcmp(t->kind ? t->kind : "", "staff") != 0)
            t->single_sheet = NULL;
        t->nstatuses = 0; /* the <plans> of a self or audit template are for reports */
    }
}

tk_template *tk_template_load(const char *path, const char *schema_dir, tk_diags *d)
{
    tk_arena *tmp = tk_arena_new();
    const char *sdir = schema_dir ? schema_dir : tk_data_path(tmp, "templates");
    size_t before = d->errors;
    xmlDocPtr doc = tk_xml_read_validated(path, sdir, "template.rng", d);
    tk_arena_free(tmp);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "template") != 0) {
        tk_diag_error(d, path, root ? xmlGetLineNo(root) : 0, "ルート要素が template ではありません");
        xmlFreeDoc(doc);
        return NULL;
    }
    tk_template *t = tk_xcalloc(1, sizeof *t);
    t->arena = tk_arena_new();
    t->path = tk_arena_strdup(t->arena, path);
    loader L = {t, t->path, d};

    tk_buf raw;
    if (tk_file_read(path, TK_XML_MAX_BYTES, &raw) == 0) {
        tk_sha256_hex(raw.data, raw.len, t->hash);
        tk_buf_free(&raw);
    }
    /* defaults for what the schema leaves optional */
    t->line_height = 1.3;
    t->split_parts_above = 60;
    t->colors = (tk_tpl_colors){.title = 0x1F3864,
                                .header = 0xD9E1F2,
                                .header_text = 0x000000,
                                .group = 0xB4C6E7,
                                .input = 0xFFF2CC,
                                .unanswered = 0xFCE4D6,
                                .missing = 0xFF9B9B,
                                .context = 0x595959,
                                .border = 0x808080,
                                .classification = 0xC00000,
                                .tab = 0x4472C4};
    t->landscape = true;
    t->kind = attr(&L, root, "kind");

    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        long line = xmlGetLineNo(n);
        if (is_elem(n, "name")) {
            t->name = content(&L, n);
        } else if (is_elem(n, "title")) {
            t->title = content(&L, n);
            check_placeholders(&L, line, "title", t->title, false);
        } else if (is_elem(n, "classification")) {
            t->classification = content(&L, n);
        } else if (is_elem(n, "deadline-missing")) {
            t->deadline_missing = content(&L, n);
        } else if (is_elem(n, "style")) {
            load_style(&L, n);
        } else if (is_elem(n, "protection")) {
            const char *pw = attr(&L, n, "password");
            t->password = pw && *pw ? pw : NULL;
        } else if (is_elem(n, "page")) {
            load_page(&L, n);
        } else if (is_elem(n, "sheets")) {
            long v = 0;
            const char *s = attr(&L, n, "split-parts-above");
            if (s && tk_parse_int(s, 1, 1000000, &v))
                t->split_parts_above = (size_t)v;
            t->single_sheet = attr(&L, n, "single");
            check_sheet_name(&L, line, "項目のシート名 (single)", t->single_sheet);
        } else if (is_elem(n, "cover")) {
            load_cover(&L, n);
        } else if (is_elem(n, "instructions")) {
            load_instructions(&L, n);
        } else if (is_elem(n, "scale")) {
            load_scale(&L, n);
        } else if (is_elem(n, "columns")) {
            load_columns(&L, n);
        } else if (is_elem(n, "distribution")) {
            load_distribution(&L, n);
        } else if (is_elem(n, "plans")) {
            load_plans(&L, n);
        } else if (is_elem(n, "roster")) {
            static const char *const keys[] = {"number", "name", "department", "title", "mail", "roles", "staff-role"};
            const char **slot[] = {&t->roster.number, &t->roster.name, &t->roster.department, &t->roster.title,
                                   &t->roster.mail,   &t->roster.roles, &t->roster.staff_role};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                *slot[k] = attr(&L, n, keys[k]);
        } else if (is_elem(n, "confirm")) {
            load_confirm(&L, n);
        }
    }
    check_kind(&L, root);
    if (t->kind && !strcmp(t->kind, "staff") && !t->roster.number)
        tk_diag_error(d, path, xmlGetLineNo(root), "職員セルフチェック (staff) のひな形に名簿の見出し (<roster .../>) がありません");
    if (!t->deadline_missing)
        t->deadline_missing = "";
    if (t->cover_sheet && t->instructions_sheet && !strcasecmp(t->cover_sheet, t->instructions_sheet))
        tk_diag_error(d, path, xmlGetLineNo(root), "表紙と記入要領のシート名「%s」が同じです。別の名前にしてください", t->cover_sheet);
    bool any_negative = false;
    for (size_t i = 0; i < t->nanswers; i++)
        any_negative |= t->answers[i].negative;
    for (size_t i = 0; i < t->ncolumns; i++)
        if (t->columns[i].required_when == TK_REQUIRED_NEGATIVE && !any_negative)
            tk_diag_warn(d, path, t->columns[i].xml_line,
                         "列「%s」は required-when=\"negative\" ですが、negative=\"true\" の回答がありません", t->columns[i].heading);
    xmlFreeDoc(doc);
    if (d->errors > before) {
        tk_template_free(t);
        return NULL;
    }
    return t;
}

double tk_template_points_max(const tk_template *t)
{
    double max = 0;
    for (size_t i = 0; i < t->nanswers; i++)
        if (!t->answers[i].excluded && t->answers[i].points > max)
            max = t->answers[i].points;
    return max > 0 ? max : 1;
}

void tk_template_free(tk_template *t)
{
    if (!t)
        return;
    tk_arena_free(t->arena);
    free(t);
}

const tk_tpl_column *tk_template_column(const tk_template *t, enum tk_column_key k, size_t *index)
{
    for (size_t i = 0; i < t->ncolumns; i++) {
        if (t->columns[i].key == k) {
            if (index)
                *index = i;
            return &t->columns[i];
        }
    }
    return NULL;
}

const tk_tpl_answer *tk_template_answer(const tk_template *t, const char *value)
{
    for (size_t i = 0; i < t->nanswers; i++)
        if (!strcmp(t->answers[i].value, value))
            return &t->answers[i];
    return NULL;
}

const tk_tpl_confirm *tk_template_confirm(const tk_template *t, const char *value)
{
    for (size_t i = 0; i < t->nconfirms; i++)
        if (!strcmp(t->confirms[i].value, value))
            return &t->confirms[i];
    return NULL;
}

const tk_tpl_column *tk_template_list_column(const tk_template *t, size_t *index)
{
    const tk_tpl_column *c = tk_template_column(t, TK_COL_ANSWER, index);
    return c ? c : tk_template_column(t, TK_COL_STATUS, index);
}

const tk_tpl_status *tk_template_status(const tk_template *t, enum tk_plan_status s)
{
    for (size_t i = 0; i < t->nstatuses; i++)
        if (t->statuses[i].status == s)
            return &t->statuses[i];
    return NULL;
}

void tk_template_omit_column(tk_template *t, enum tk_column_key k)
{
    size_t i;
    if (!tk_template_column(t, k, &i))
        return;
    memmove(&t->columns[i], &t->columns[i + 1], (t->ncolumns - i - 1) * sizeof *t->columns);
    t->ncolumns--;
}
