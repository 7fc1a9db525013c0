/* ingest.c — check a returned workbook cell by cell, then store it whole. */
#include "tenken/ingest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/jdate.h"
#include "tenken/submit.h"
#include "tenken/text.h"
#include "tenken/util.h"
#include "tenken/xlsx_identity.h"
#include "tenken/findings.h"
#include "tenken/xlsx_read.h"
#include "tenken/xlsx_write.h"

/* The columns ingest reads, by their template keys: the inputs (of self
 * and audit workbooks, then of follow-up workbooks) before F_REF, then the
 * shown identity of the row. */
enum field {
    F_ANSWER, F_EVIDENCE, F_NOTE, F_FINDING, F_ADVICE, F_PLAN, F_OWNER, F_DUE,
    F_STATUS, F_ACTION, F_DONE_DATE, F_NEW_DUE, F_REASON,
    F_GOOD, F_CONFIRM, F_INTERIM,
    F_REF, F_TEXT, F_COUNT
};
static const char *const FIELD_KEY[F_COUNT] = {
    "answer", "evidence", "note",      "finding", "advice", "plan", "owner", "due",
    "status", "action",   "done-date", "new-due", "reason", "good", "confirm", "interim", "ref",  "text",
};
static const char *const FIELD_LABEL[F_COUNT] = {
    "回答",     "根拠・証跡", "備考",   "指摘事項",         "助言", "改善内容", "担当者", "完了予定日",
    "進捗状況", "実施内容",   "完了日", "新たな完了予定日", "理由", "良好事例", "是正確認", "暫定措置", "該当条項", "点検項目",
};

typedef struct cellv {
    bool present;
    tk_cell_type type;
    char *text; /* arena */
    double number;
    bool is_date, has_formula;
} cellv;

typedef struct irow {
    int seq;
    const char *item_id, *sheet, *text_hash, *ref;
    int row;
    cellv f[F_COUNT];
    /* from the database */
    bool known;
    int64_t plan_id; /* follow-up rows */
    const char *db_ref, *db_text, *db_context;
} irow;

typedef struct ctx {
    tk_xlsx *x;
    tk_arena *a;
    const char *path;
    tk_diags *d;
    size_t errors_before;
    /* identity sheet */
    tk_xlsx_identity id; /* keys and rows as read */
    tk_strmap cover;  /* cover.KEY -> "SHEET\x1fCELL" */
    int col[F_COUNT]; /* 1-based column, 0 when the template has none */
    irow *rows;
    size_t nrows;
    /* item sheet read state: the current sheet's item rows by row number */
    irow **byrow;
    size_t nbyrow;
    const char *cur_sheet;
    int header_row;
    /* cover values */
    tk_strmap cover_vals; /* key -> text */
} ctx;

static void err(ctx *c, const char *place, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void err(ctx *c, const char *place, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = tk_vformat(fmt, ap);
    va_end(ap);
    tk_diag_add(c->d, TK_SEV_ERROR, c->path, 0, place, "%s", m);
    free(m);
}

static void warn(ctx *c, const char *place, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(ctx *c, const char *place, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = tk_vformat(fmt, ap);
    va_end(ap);
    tk_diag_add(c->d, TK_SEV_WARNING, c->path, 0, place, "%s", m);
    free(m);
}

/* "sheet!A1" (one for every row read: no printf) */
static const char *place(ctx *c, const char *sheet, int row, int col)
{
    char ref[16];
    tk_cell_ref(row, col, ref);
    size_t ls = strlen(sheet), lr = strlen(ref);
    char *p = tk_arena_alloc(c->a, ls + lr + 2);
    memcpy(p, sheet, ls);
    p[ls] = '!';
    memcpy(p + ls + 1, ref, lr + 1);
    return p;
}

static bool col_from_letters(const char *s, int *col)
{
    int row;
    char buf[24];
    snprintf(buf, sizeof buf, "%s1", s);
    return tk_cell_parse_ref(buf, &row, col);
}

static void keep_cell(ctx *c, cellv *v, const tk_cell *cell)
{
    v->present = true;
    v->type = cell->type;
    v->text = tk_arena_strdup(c->a, cell->text ? cell->text : "");
    v->number = cell->number;
    v->is_date = cell->is_date;
    v->has_formula = cell->has_formula;
}

static int int_of(const char *s)
{
    long v = 0;
    return tk_parse_int(s, -1000000, 100000000, &v) ? (int)v : -1;
}

/* Cell text as a person sees it: numbers as written. */
static const char *cell_text(const cellv *v) { return v->present && v->text ? v->text : ""; }

/* ---- the identity sheet ---- */

/* The cover inputs and the item rows of the identity sheet as read
 * (tk_xlsx_identity_read). */
static void take_identity(ctx *c)
{
    for (size_t i = 0; i < c->id.kv3.cap; i++) {
        const char *k = c->id.kv3.keys[i];
        if (k && tk_str_starts(k, "cover."))
            tk_strmap_set(&c->cover, k + 6, tk_arena_printf(c->a, "%s\x1f%s", tk_xlsx_identity_get(&c->id, k), (const char *)c->id.kv3.vals[i]));
    }
    c->nrows = c->id.nrows;
    c->rows = tk_arena_alloc(c->a, (c->nrows ? c->nrows : 1) * sizeof *c->rows);
    for (size_t i = 0; i < c->nrows; i++) {
        const tk_xlsx_identity_row *ir = &c->id.rows[i];
        irow *r = &c->rows[i];
        memset(r, 0, sizeof *r);
        r->seq = int_of(ir->cell[0]);
        r->item_id = ir->cell[1];
        r->sheet = ir->cell[2];
        r->row = int_of(ir->cell[3]);
        r->text_hash = ir->cell[4];
        r->ref = ir->cell[5];
    }
}

static const char *kv(ctx *c, const char *key) { return tk_xlsx_identity_get(&c->id, key); }

/* ---- item sheets ---- */

static bool item_cell(const tk_cell *cell, void *user)
{
    ctx *c = user;
    irow *r = cell->row > 0 && (size_t)cell->row < c->nbyrow ? c->byrow[cell->row] : NULL;
    if (!r) {
        /* something typed below the table or between rows that are not items */
        if (cell->row > c->header_row && cell->type != TK_CELL_EMPTY && cell->text && *cell->text) {
            for (int f = 0; f < F_REF; f++) {
                if (c->col[f] == cell->col) {
                    warn(c, place(c, c->cur_sheet, cell->row, cell->col),
                         "点検項目の行ではないセルに「%.60s」が入力されています。この値は取り込みません", cell->text);
                    break;
                }
            }
        }
        return true;
    }
    for (int f = 0; f < F_COUNT; f++)
        if (c->col[f] && c->col[f] == cell->col)
            keep_cell(c, &r->f[f], cell);
    return true;
}

/* Cover inputs (回答者, 連絡先 ...): cells named by cover.KEY in the identity sheet. */
typedef struct cover_pass {
    ctx *c;
    const char *sheet;
} cover_pass;

static bool cover_cell(const tk_cell *cell, void *user)
{
    cover_pass *w = user;
    ctx *c = w->c;
    char ref[16];
    tk_cell_ref(cell->row, cell->col, ref);
    size_t ls = strlen(w->sheet);
    for (size_t i = 0; i < c->cover.cap; i++) {
        /* the entry is "SHEET\x1fCELL" */
        const char *v = c->cover.vals[i];
        if (!c->cover.keys[i] || strncmp(v, w->sheet, ls) || v[ls] != '\x1f' || strcmp(v + ls + 1, ref))
            continue;
        const char *where = place(c, w->sheet, cell->row, cell->col);
        if (cell->has_formula) {
            err(c, where, "数式が入力されています。値を入力してください");
            continue;
        }
        const char *text = cell->text ? cell->text : "";
        if (cell->type == TK_CELL_NUMBER && cell->is_date) {
            tk_date d;
            char iso[TK_DATE_ISO_SIZE];
            if (tk_date_from_excel_serial(cell->number, tk_xlsx_date1904(c->x), &d))
                text = tk_arena_strdup(c->a, tk_date_iso(d, iso));
        }
        if (tk_utf8_count(text) > TK_INGEST_MAX_TEXT) {
            err(c, where, "%zu 文字あります。%d 文字以内にしてください", tk_utf8_count(text), TK_INGEST_MAX_TEXT);
            continue;
        }
        tk_strmap_set(&c->cover_vals, c->cover.keys[i], tk_arena_strdup(c->a, text));
    }
    return true;
}

/* ---- values ---- */

static bool blank(const char *s)
{
    for (const char *p = s, *e = s + strlen(s); p < e;) {
        int32_t cp = tk_utf8_next(&p, e);
        if (!tk_cp_is_space(cp))
            return false;
    }
    return true;
}

/* A date typed or picked in a cell: a date serial, or text such as
 * 2027/3/31, 令和9年3月31日, R9.3.31 (full-width too). */
static bool cell_date(ctx *c, const cellv *v, tk_date *out)
{
    if (v->type == TK_CELL_NUMBER) {
        if (!isfinite(v->number))
            return false;
        return tk_date_from_excel_serial(v->number, tk_xlsx_date1904(c->x), out);
    }
    if (v->type == TK_CELL_STRING)
        return tk_date_parse(v->text, out);
    return false;
}

static const char *text_field(ctx *c, const irow *r, int f)
{
    const cellv *v = &r->f[f];
    if (!v->present || blank(v->text))
        return NULL;
    size_t n = tk_utf8_count(v->text);
    if (n > TK_INGEST_MAX_TEXT) {
        err(c, place(c, r->sheet, r->row, c->col[f]), "%s が %zu 文字あります。%d 文字以内にしてください (長い資料は名称だけを記入してください)",
            FIELD_LABEL[f], n, TK_INGEST_MAX_TEXT);
        return NULL;
    }
    return v->text;
}

/* The workbook as issued, from the database. */
typedef struct issued {
    tk_issued_workbook wb;
    tk_issued_item *items;
    size_t nitems;
    tk_scale_answer *scale;
    size_t nscale;
    const char **norm; /* match form of each scale value */
    tk_confirm_value *confirms; /* audit: the 是正確認 list */
    size_t nconfirms;
} issued;

/* A 是正確認 value as picked or typed (match form), or NULL. */
static const tk_confirm_value *confirm_find(const issued *is, const char *value)
{
    char *n = tk_text_norm_dup(value);
    const tk_confirm_value *hit = NULL;
    for (size_t i = 0; i < is->nconfirms && !hit; i++) {
        char *v = tk_text_norm_dup(is->confirms[i].value);
        if (!strcmp(n, v))
            hit = &is->confirms[i];
        free(v);
    }
    free(n);
    return hit;
}

static const tk_scale_answer *scale_find(const issued *is, const char *value)
{
    /* as picked from the list: the very bytes */
    for (size_t i = 0; i < is->nscale; i++)
        if (!strcmp(value, is->scale[i].value))
            return &is->scale[i];
    /* as typed: full-width, spaces */
    char *n = tk_text_norm_dup(value);
    const tk_scale_answer *hit = NULL;
    for (size_t i = 0; i < is->nscale && !hit; i++)
        if (!strcmp(n, is->norm[i]))
            hit = &is->scale[i];
    free(n);
    return hit;
}

static const char *scale_list(ctx *c, const issued *is)
{
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < is->nscale; i++) {
        if (i)
            tk_buf_puts(&b, "／");
        tk_buf_puts(&b, is->scale[i].value);
    }
    const char *s = tk_arena_strdup(c->a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

/* The visible identity of a row: its ref and its wording, as issued; and no
 * formula where a value goes. */
static void check_identity(ctx *c, irow *r)
{
    if (c->col[F_REF] && strcmp(cell_text(&r->f[F_REF]), r->db_ref) != 0) {
        /* not byte for byte: compare as text (a tool may have changed forms) */
        const char *got = cell_text(&r->f[F_REF]);
        char *g = tk_text_norm_dup(got), *w = tk_text_norm_dup(r->db_ref);
        if (strcmp(g, w))
            err(c, place(c, r->sheet, r->row, c->col[F_REF]),
                "該当条項が「%.40s」になっています。発行時は「%s」でした。行の挿入・削除・並べ替えや項目の書き換えはできません。発行された点検票に記入し直してください",
                got, r->db_ref);
        free(g);
        free(w);
    }
    const char *shown = cell_text(&r->f[F_TEXT]);
    size_t cl = r->db_context ? strlen(r->db_context) : 0;
    bool same_bytes = r->db_context ? (strncmp(shown, r->db_context, cl) == 0 && shown[cl] == '\n' &&
                                       strcmp(shown + cl + 1, r->db_text) == 0)
                                    : strcmp(shown, r->db_text) == 0;
    if (c->col[F_TEXT] && !same_bytes) {
        tk_buf want;
        tk_buf_init(&want);
        tk_text_norm(r->db_context ? r->db_context : "", strlen(r->db_context ? r->db_context : ""), &want);
        tk_text_norm(r->db_text, strlen(r->db_text), &want);
        char *g = tk_text_norm_dup(cell_text(&r->f[F_TEXT]));
        if (strcmp(g, want.data ? want.data : ""))
            err(c, place(c, r->sheet, r->row, c->col[F_TEXT]),
                "点検項目 %s (%s) の文言が発行時と異なります。項目の文言は書き換えられません。発行された点検票に記入し直してください", r->db_ref,
                r->item_id);
        free(g);
        tk_buf_free(&want);
    }
    for (int f = 0; f < F_REF; f++) {
        if (c->col[f] && r->f[f].present && r->f[f].has_formula)
            err(c, place(c, r->sheet, r->row, c->col[f]), "%s に数式が入力されています。値を入力してください", FIELD_LABEL[f]);
    }
}

/* A date input: NULL when blank, else the date (errors for what is not
 * one). *out is {0} when blank or wrong. */
static const char *date_field(ctx *c, const irow *r, int f, tk_date *out)
{
    *out = (tk_date){0, 0, 0};
    const cellv *v = &r->f[f];
    if (!c->col[f] || !v->present || (v->type == TK_CELL_STRING && blank(v->text)))
        return NULL;
    tk_date d;
    if (!cell_date(c, v, &d)) {
        err(c, place(c, r->sheet, r->row, c->col[f]), "%s「%.40s」は日付として読めません。2027/3/31 や 令和9年3月31日 のように入力してください",
            FIELD_LABEL[f], cell_text(v));
        return NULL;
    }
    *out = d;
    char iso[TK_DATE_ISO_SIZE];
    return tk_arena_strdup(c->a, tk_date_iso(d, iso));
}

/* A staff workbook is answered by the person it was issued to: the staff
 * number typed on its cover (the template's cover input "staff-number")
 * must be theirs. A file of another person — copied, or answered in
 * someone else's name — is refused. */
static void check_person(ctx *c, const issued *is)
{
    const char *where = tk_strmap_get(&c->cover, "staff-number");
    if (!where)
        return;
    const char *sep = strchr(where, '\x1f');
    const char *cell = sep ? tk_arena_printf(c->a, "%.*s!%s", (int)(sep - where), where, sep + 1) : NULL;
    const char *typed = tk_strmap_get(&c->cover_vals, "staff-number");
    if (!typed || blank(typed)) {
        err(c, cell, "職員番号が記入されていません。この点検票は職員番号 %s (%s) の方に配布したものです。ご本人が職員番号を記入してください",
            is->wb.respondent, is->wb.respondent_name);
        return;
    }
    char *g = tk_text_norm_dup(typed), *w = tk_text_norm_dup(is->wb.respondent);
    if (strcmp(g, w))
        err(c, cell,
            "記入された職員番号「%.40s」は、この点検票の配布先 (職員番号 %s、%s) と異なります。ほかの職員の点検票は受け付けません。"
            "ご自分に配布された点検票に記入して提出してください",
            typed, is->wb.respondent, is->wb.respondent_name);
    free(g);
    free(w);
}

/* Check one item row; fill its answer record. Problems go to diags. */
static void check_row(ctx *c, const issued *is, irow *r, tk_answer_rec *out, tk_date fy_start)
{
    memset(out, 0, sizeof *out);
    out->item_id = r->item_id;
    out->cell = place(c, r->sheet, r->row, c->col[F_ANSWER] ? c->col[F_ANSWER] : 1);
    check_identity(c, r);
    /* the answer */
    const tk_scale_answer *ans = NULL;
    if (c->col[F_ANSWER] && r->f[F_ANSWER].present && !blank(cell_text(&r->f[F_ANSWER]))) {
        ans = scale_find(is, cell_text(&r->f[F_ANSWER]));
        if (!ans)
            err(c, place(c, r->sheet, r->row, c->col[F_ANSWER]), "回答「%.60s」は選択肢にありません。%s のいずれかを選んでください",
                cell_text(&r->f[F_ANSWER]), scale_list(c, is));
    }
    out->value = ans ? ans->value : NULL;
    out->evidence = text_field(c, r, F_EVIDENCE);
    out->note = text_field(c, r, F_NOTE);
    out->finding = text_field(c, r, F_FINDING);
    out->advice = text_field(c, r, F_ADVICE);
    out->plan = text_field(c, r, F_PLAN);
    out->owner = text_field(c, r, F_OWNER);
    out->good = text_field(c, r, F_GOOD);
    const char *confirm = text_field(c, r, F_CONFIRM);
    if (confirm) {
        const tk_confirm_value *cv = confirm_find(is, confirm);
        if (!cv) {
            tk_buf list;
            tk_buf_init(&list);
            for (size_t i = 0; i < is->nconfirms; i++)
                tk_buf_printf(&list, "%s%s", i ? "／" : "", is->confirms[i].value);
            err(c, place(c, r->sheet, r->row, c->col[F_CONFIRM]), "是正確認「%.60s」は選択肢にありません。%s のいずれかを選んでください",
                confirm, list.data ? list.data : "(是正確認の選択肢がありません)");
            tk_buf_free(&list);
        } else {
            out->confirm = cv->value;
            out->confirm_closes = cv->closes;
        }
    }
    if (c->col[F_DUE] && r->f[F_DUE].present && !(r->f[F_DUE].type == TK_CELL_STRING && blank(r->f[F_DUE].text))) {
        tk_date d;
        const char *where = place(c, r->sheet, r->row, c->col[F_DUE]);
        if (!cell_date(c, &r->f[F_DUE], &d)) {
            err(c, where, "完了予定日「%.40s」は日付として読めません。2027/3/31 や 令和9年3月31日 のように入力してください", cell_text(&r->f[F_DUE]));
        } else if (tk_date_cmp(d, fy_start) < 0) {
            char a[TK_DATE_ISO_SIZE], b[TK_DATE_ISO_SIZE];
            err(c, where, "完了予定日 %s が点検の年度の開始日 %s より前です。これからの予定日を入力してください", tk_date_iso(d, a), tk_date_iso(fy_start, b));
        } else {
            char iso[TK_DATE_ISO_SIZE];
            out->due = tk_arena_strdup(c->a, tk_date_iso(d, iso));
        }
    }
    /* 要対応: accepted, but someone must act. A workbook with no place for
     * a plan (a staff round's) asks none; an answer's own flag (わからない:
     * 要研修) comes first. */
    bool plans = c->col[F_PLAN] || c->col[F_FINDING];
    if (ans && ans->flag) {
        out->flag = ans->flag;
    } else if (ans && ans->negative && !plans) {
        out->flag = NULL;
    } else if (ans && ans->negative && !c->col[F_PLAN] && !out->finding) {
        /* an audit: the auditor writes the finding, the auditee the plan later */
        out->flag = "所見未記入";
    } else if (ans && ans->negative && !out->plan && c->col[F_PLAN]) {
        out->flag = "計画未記入";
    } else if (ans && ans->negative && out->plan && (!out->due || (c->col[F_OWNER] && !out->owner))) {
        out->flag = "計画不備";
    } else if (ans && ans->excluded && c->col[F_NOTE] && !out->note) {
        out->flag = "理由未記入";
    }
    if (ans && !ans->excluded) {
        out->scored = true;
        out->negative = ans->negative;
        out->full = !ans->negative && ans->points >= 1.0;
    }
}

/* Check one follow-up row: the status chosen from the list (or none: no
 * report), and what goes with it. Fills its answer record and, when a status
 * was chosen and the row's cells are sound, its follow-up record (*has). */
static void check_followup_row(ctx *c, const issued *is, irow *r, tk_answer_rec *out, tk_followup_rec *fu, bool *has)
{
    size_t errors_before = c->d->errors;
    memset(out, 0, sizeof *out);
    memset(fu, 0, sizeof *fu);
    *has = false;
    out->item_id = r->item_id;
    out->cell = place(c, r->sheet, r->row, c->col[F_STATUS] ? c->col[F_STATUS] : 1);
    check_identity(c, r);
    fu->plan_id = r->plan_id;
    fu->cell_status = out->cell;
    fu->cell_date = place(c, r->sheet, r->row, c->col[F_DONE_DATE] ? c->col[F_DONE_DATE] : 1);
    fu->cell_new_due = place(c, r->sheet, r->row, c->col[F_NEW_DUE] ? c->col[F_NEW_DUE] : 1);
    fu->cell_reason = place(c, r->sheet, r->row, c->col[F_REASON] ? c->col[F_REASON] : 1);
    /* the auditee's response: the plan as written, with or without a status */
    fu->resp_content = text_field(c, r, F_PLAN);
    fu->resp_owner = text_field(c, r, F_OWNER);
    fu->resp_interim = text_field(c, r, F_INTERIM);
    tk_date resp_due;
    fu->resp_due = date_field(c, r, F_DUE, &resp_due);
    bool responded = fu->resp_content || fu->resp_owner || fu->resp_interim || fu->resp_due;
    const tk_scale_answer *st = NULL;
    const char *typed = cell_text(&r->f[F_STATUS]);
    if (c->col[F_STATUS] && r->f[F_STATUS].present && !blank(typed)) {
        st = scale_find(is, typed);
        if (!st || !st->plan_status || !tk_plan_status_parse(st->plan_status, &fu->change.to)) {
            err(c, out->cell, "進捗状況「%.60s」は選択肢にありません。%s のいずれかを選んでください", typed, scale_list(c, is));
            st = NULL;
        }
    }
    out->evidence = text_field(c, r, F_ACTION);
    out->note = text_field(c, r, F_REASON);
    const char *done = date_field(c, r, F_DONE_DATE, &fu->change.date);
    out->due = date_field(c, r, F_NEW_DUE, &fu->change.new_due);
    if (!st) {
        /* something written without a status: the report would be lost */
        if (!r->f[F_STATUS].present || blank(typed)) {
            const char *what = out->evidence ? FIELD_LABEL[F_ACTION] : done ? FIELD_LABEL[F_DONE_DATE]
                               : out->due ? FIELD_LABEL[F_NEW_DUE] : out->note ? FIELD_LABEL[F_REASON] : NULL;
            if (what)
                err(c, out->cell, "%s が記入されていますが、進捗状況が選ばれていません。進捗状況を %s から選んでください", what, scale_list(c, is));
        }
        *has = responded && c->d->errors == errors_before;
        return;
    }
    fu->has_status = true;
    out->value = st->value;
    fu->value = st->value;
    fu->change.note = out->evidence;
    fu->change.reason = out->note;
    /* a row whose cells are wrong is not judged against the rules as well */
    *has = c->d->errors == errors_before;
}


/* ---- the stages of one file ----
 *
 * tk_ingest_file runs them in order; each leaves in the job what the next
 * needs and says whether to go on (see ingest.h for each one's contract). */

struct tk_ingest_job {
    ctx c;
    issued is;
    tk_ingest_opts o;
    tk_ingest_result *res;
    tk_buf raw;       /* the file's bytes */
    char sha[65];     /* their SHA-256 */
    const char *shown; /* the name as shown and stored (\xHH for bytes not UTF-8) */
    const char *token; /* the identity sheet's */
    bool wb_looked_up;  /* is.wb was looked up by the token (wb_found: 1 found, 0 not) */
    int wb_found;
    bool followup;
    /* the values, one record per row */
    tk_answer_rec *answers;
    tk_followup_rec *fus;
    size_t nfus;
};

tk_ingest_job *tk_ingest_job_new(const char *path, const tk_ingest_opts *o, tk_ingest_result *res, tk_diags *d)
{
    tk_ingest_job *j = tk_xcalloc(1, sizeof *j);
    if (o)
        j->o = *o;
    j->res = res;
    memset(res, 0, sizeof *res);
    res->outcome = TK_INGEST_REFUSED;
    j->c.a = tk_arena_new();
    char *esc = tk_text_printable(path, false);
    j->shown = esc ? tk_arena_strdup(j->c.a, esc) : path;
    free(esc);
    j->c.path = path;
    j->c.d = d;
    j->c.errors_before = d->errors;
    j->token = "";
    tk_buf_init(&j->raw);
    return j;
}

void tk_ingest_job_free(tk_ingest_job *j)
{
    if (!j)
        return;
    tk_store_issued_free(&j->is.wb, j->is.items, j->is.nitems, j->is.scale, j->is.nscale);
    tk_confirm_values_free(j->is.confirms, j->is.nconfirms);
    tk_xlsx_identity_free(&j->c.id);
    tk_strmap_free(&j->c.cover);
    tk_strmap_free(&j->c.cover_vals);
    tk_xlsx_close(j->c.x);
    tk_buf_free(&j->raw);
    tk_arena_free(j->c.a);
    free(j);
}

const char *tk_ingest_job_sha256(const tk_ingest_job *j) { return j->sha; }
const char *tk_ingest_job_token(const tk_ingest_job *j) { return j->token; }

/* A stop for a database failure (not the file's fault). */
static tk_ingest_step failed(tk_ingest_job *j)
{
    j->res->outcome = TK_INGEST_FAILED;
    return TK_INGEST_STOP;
}

static bool new_errors(const tk_ingest_job *j) { return j->c.d->errors > j->c.errors_before; }

tk_ingest_step tk_ingest_open(tk_ingest_job *j)
{
    const char *path = j->c.path;
    tk_diags *d = j->c.d;
    if (tk_file_read_regular(path, TK_XLSX_DEFAULT_MAX_FILE_BYTES, &j->raw) != 0) {
        if (errno == EFBIG)
            tk_diag_error(d, path, 0, "ファイルが大きすぎます (上限 %zu MiB)。点検票として読めません", TK_XLSX_DEFAULT_MAX_FILE_BYTES >> 20);
        else if (errno == ESPIPE || errno == EISDIR)
            tk_diag_error(d, path, 0, "通常のファイルではありません (%s)。点検票 (.xlsx) を指定してください",
                          errno == EISDIR ? "フォルダ" : "FIFO・デバイス・ソケットなど");
        else
            tk_diag_error(d, path, 0, "ファイルを読めません: %s", tk_file_strerror(errno));
        return TK_INGEST_STOP;
    }
    tk_sha256_hex(j->raw.data, j->raw.len, j->sha);
    j->c.x = tk_xlsx_open_mem(path, j->raw.data, j->raw.len, NULL, d);
    return j->c.x ? TK_INGEST_NEXT : TK_INGEST_STOP;
}

tk_ingest_step tk_ingest_identity(tk_ingest_job *j)
{
    ctx *c = &j->c;
    tk_diags *d = c->d;
    int found_id = tk_xlsx_identity_read(c->x, c->a, &c->id, d);
    if (found_id == 0) {
        tk_diag_error(d, c->path, 0,
                      "tenken が発行した点検票ではありません (識別用の隠しシート「%s」がありません)。配布した点検票に記入して提出してください",
                      TK_XLSX_IDENTITY_SHEET);
        return TK_INGEST_STOP;
    }
    if (found_id < 0)
        return TK_INGEST_STOP;
    take_identity(c);
    if (strcmp(kv(c, "format"), TK_XLSX_IDENTITY_FORMAT) || int_of(kv(c, "version")) != TK_XLSX_IDENTITY_VERSION) {
        tk_diag_error(d, c->path, 0, "識別シート「%s」の形式が正しくありません (format「%s」、version「%s」)。tenken が発行した点検票を使ってください",
                      TK_XLSX_IDENTITY_SHEET, kv(c, "format"), kv(c, "version"));
        return TK_INGEST_STOP;
    }
    j->token = kv(c, "token");
    return TK_INGEST_NEXT;
}

/* A file whose bytes are those of a submission already taken in for the
 * workbook its identity sheet names changes nothing: that is said before
 * its item sheets are read (they were checked when it was taken in), so
 * that a folder taken in again as more files come back costs little per
 * file it already holds. A workbook issued again since is read as any other
 * (and refused as revoked). The record found is kept for the next stage. */
tk_ingest_step tk_ingest_taken_in(tk_ingest_job *j, tk_store *st)
{
    if (j->o.dry_run || !*j->token)
        return TK_INGEST_NEXT;
    tk_issued_workbook *wb = &j->is.wb;
    int found = tk_store_issued_by_token(st, j->token, wb, j->c.d);
    if (found < 0)
        return failed(j);
    j->wb_found = found;
    j->wb_looked_up = true;
    if (!found || wb->revoked_at[0])
        return TK_INGEST_NEXT;
    int64_t sid = 0;
    int seen = tk_store_submission_find(st, wb->workbook_id, j->sha, &sid, j->c.d);
    if (seen < 0)
        return failed(j);
    if (!seen)
        return TK_INGEST_NEXT;
    tk_ingest_result *res = j->res;
    res->submission_id = sid;
    snprintf(res->org, sizeof res->org, "%s", wb->org);
    res->year = wb->year;
    snprintf(res->kind, sizeof res->kind, "%s", wb->kind);
    snprintf(res->department_code, sizeof res->department_code, "%s", wb->department_code);
    snprintf(res->department_name, sizeof res->department_name, "%s", wb->department_name);
    res->outcome = TK_INGEST_SAME;
    return TK_INGEST_DONE;
}

/* The identity sheet against the record of the workbook its token names:
 * the same organisation, kind, department, respondent, checklist and year. */
static void check_same_as_issued(tk_ingest_job *j)
{
    ctx *c = &j->c;
    const tk_issued_workbook *wb = &j->is.wb;
    struct {
        const char *key, *want;
    } same[] = {{"org", wb->org},
                {"kind", wb->kind},
                {"department_code", wb->department_code},
                {"respondent", wb->respondent},
                {"checklist_hash", wb->checklist_hash}};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        if (strcmp(kv(c, same[i].key), same[i].want))
            tk_diag_error(c->d, c->path, 0, "識別シートの %s が「%.70s」になっています。発行記録では「%.70s」です。点検票が書き換えられています",
                          same[i].key, kv(c, same[i].key), same[i].want);
    }
    if (int_of(kv(c, "year")) != wb->year)
        tk_diag_error(c->d, c->path, 0, "識別シートの year が「%s」になっています。発行記録では %d 年度です", kv(c, "year"), wb->year);
}

/* The identity sheet's rows against the items issued: the same order,
 * places and wording. Each row matched takes the wording issued. */
static void match_rows(tk_ingest_job *j)
{
    ctx *c = &j->c;
    const issued *is = &j->is;
    if (c->nrows != is->nitems) {
        tk_diag_error(c->d, c->path, 0, "識別シートの項目が %zu 行あります。発行時は %zu 行でした。行の削除・追加はできません", c->nrows, is->nitems);
        return;
    }
    for (size_t i = 0; i < c->nrows; i++) {
        irow *r = &c->rows[i];
        const tk_issued_item *w = &is->items[i];
        if (r->seq != w->seq || strcmp(r->item_id, w->item_id) || strcmp(r->sheet, w->sheet) || r->row != w->row ||
            strcmp(r->text_hash, w->text_hash)) {
            tk_diag_error(c->d, c->path, 0, "識別シートの %zu 件目 (項番 %d) が発行時と異なります (発行時: %s の %d 行目、項目 %s)。点検票が書き換えられています",
                          i + 1, r->seq, w->sheet, w->row, w->item_id);
            continue;
        }
        r->db_ref = w->ref;
        r->db_text = w->text;
        r->db_context = w->context;
        r->plan_id = w->plan_id;
        r->known = true;
    }
}

/* Where the inputs are: the identity sheet's column.KEY letters. */
static void map_columns(tk_ingest_job *j)
{
    ctx *c = &j->c;
    for (int f = 0; f < F_COUNT; f++) {
        const char *letters = tk_strmap_get(&c->id.kv, tk_arena_printf(c->a, "column.%s", FIELD_KEY[f]));
        if (letters && *letters && !col_from_letters(letters, &c->col[f]))
            tk_diag_error(c->d, c->path, 0, "識別シートの column.%s「%s」が列名ではありません", FIELD_KEY[f], letters);
    }
    c->header_row = int_of(kv(c, "header_row"));
    if (j->followup && !c->col[F_STATUS])
        tk_diag_error(c->d, c->path, 0, "識別シートに進捗状況の列 (column.status) がありません。確認票が書き換えられています");
    else if (!j->followup && !c->col[F_ANSWER])
        tk_diag_error(c->d, c->path, 0, "識別シートに回答の列 (column.answer) がありません。点検票が書き換えられています");
    for (size_t i = 0; j->followup && i < c->nrows; i++)
        if (!c->rows[i].plan_id)
            tk_diag_error(c->d, c->path, 0, "識別シートの %zu 件目 (項番 %d) の改善計画が発行記録にありません", i + 1, c->rows[i].seq);
}

tk_ingest_step tk_ingest_issued(tk_ingest_job *j, tk_store *st)
{
    ctx *c = &j->c;
    issued *is = &j->is;
    tk_ingest_result *res = j->res;
    tk_diags *d = c->d;
    const char *path = c->path, *token = j->token;
    const char *prop = tk_xlsx_custom_property(c->x, TK_XLSX_PROP_TOKEN);
    if (prop && strcmp(prop, token)) {
        tk_diag_error(d, path, 0, "ファイルのプロパティのトークン (%s) と識別シートのトークン (%s) が一致しません。別の点検票の内容が混ざっています", prop, token);
        return TK_INGEST_STOP;
    }
    int found = j->wb_looked_up ? j->wb_found : tk_store_issued_by_token(st, token, &is->wb, d);
    if (found < 0)
        return failed(j);
    if (found == 0) {
        tk_diag_error(d, path, 0,
                      "この点検票のトークン「%.40s」は発行記録 (%s) にありません。別の団体・年度のデータベースを指定していないか、配布した点検票か確かめてください",
                      token, tk_store_path(st));
        return TK_INGEST_STOP;
    }
    snprintf(res->org, sizeof res->org, "%s", is->wb.org);
    res->year = is->wb.year;
    snprintf(res->kind, sizeof res->kind, "%s", is->wb.kind);
    snprintf(res->department_code, sizeof res->department_code, "%s", is->wb.department_code);
    snprintf(res->department_name, sizeof res->department_name, "%s", is->wb.department_name);
    snprintf(res->respondent, sizeof res->respondent, "%s%s%s", is->wb.respondent, is->wb.respondent_name[0] ? " " : "",
             is->wb.respondent_name);
    if (is->wb.revoked_at[0]) {
        tk_diag_error(d, path, 0, "この点検票 (%s、トークン %.8s…) は %s に作り直され、無効になっています。新しく配布した点検票に記入して提出してください",
                      is->wb.department_name, token, is->wb.revoked_at);
        return TK_INGEST_STOP;
    }
    check_same_as_issued(j);
    if (new_errors(j))
        return TK_INGEST_STOP;

    if (tk_store_issued_items(st, &is->wb, &is->items, &is->nitems, d) < 0 ||
        tk_store_campaign_scale(st, is->wb.campaign_id, &is->scale, &is->nscale, d) < 0 ||
        tk_findings_confirm_values(st, is->wb.campaign_id, &is->confirms, &is->nconfirms, d) < 0)
        return failed(j);
    is->norm = tk_arena_alloc(c->a, (is->nscale ? is->nscale : 1) * sizeof *is->norm);
    for (size_t i = 0; i < is->nscale; i++) {
        char *n = tk_text_norm_dup(is->scale[i].value);
        is->norm[i] = tk_arena_strdup(c->a, n);
        free(n);
    }
    match_rows(j);
    if (new_errors(j))
        return TK_INGEST_STOP;
    res->items = c->nrows;
    j->followup = !strcmp(is->wb.kind, "followup");
    map_columns(j);
    return new_errors(j) ? TK_INGEST_STOP : TK_INGEST_NEXT;
}

/* Every item sheet once: each cell of an item row kept (item_cell). */
static void read_item_sheets(tk_ingest_job *j)
{
    ctx *c = &j->c;
    tk_strmap sheets = {0};
    int maxrow = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        tk_strmap_set(&sheets, c->rows[i].sheet, c->rows[i].sheet);
        if (c->rows[i].row > maxrow)
            maxrow = c->rows[i].row;
    }
    if (maxrow < 1 || maxrow > 1048576) {
        tk_diag_error(c->d, c->path, 0, "識別シートの行番号 (%d) が正しくありません。点検票が書き換えられています", maxrow);
        tk_strmap_free(&sheets);
        return;
    }
    c->nbyrow = (size_t)maxrow + 1;
    c->byrow = tk_arena_alloc(c->a, c->nbyrow * sizeof *c->byrow);
    for (size_t i = 0; i < sheets.cap; i++) {
        if (!sheets.keys[i])
            continue;
        int si = tk_xlsx_sheet_index(c->x, sheets.keys[i]);
        if (si < 0) {
            tk_diag_error(c->d, c->path, 0, "シート「%s」がありません。シートの削除や名前の変更はできません", sheets.keys[i]);
            continue;
        }
        memset(c->byrow, 0, c->nbyrow * sizeof *c->byrow);
        for (size_t k = 0; k < c->nrows; k++)
            if (!strcmp(c->rows[k].sheet, sheets.keys[i]))
                c->byrow[c->rows[k].row] = &c->rows[k];
        c->cur_sheet = sheets.keys[i];
        if (!tk_xlsx_read_sheet(c->x, (size_t)si, item_cell, c, c->d))
            break;
    }
    tk_strmap_free(&sheets);
}

/* The cover's inputs (回答者, 連絡先 ...), each sheet that holds one once. */
static void read_cover(tk_ingest_job *j)
{
    ctx *c = &j->c;
    tk_strmap cover_sheets = {0};
    for (size_t i = 0; i < c->cover.cap; i++) {
        if (!c->cover.keys[i])
            continue;
        const char *v = c->cover.vals[i];
        const char *sep = strchr(v, '\x1f');
        if (sep)
            tk_strmap_set(&cover_sheets, tk_arena_strndup(c->a, v, (size_t)(sep - v)), v);
    }
    for (size_t i = 0; i < cover_sheets.cap; i++) {
        if (!cover_sheets.keys[i])
            continue;
        int si = tk_xlsx_sheet_index(c->x, cover_sheets.keys[i]);
        if (si < 0) {
            tk_diag_error(c->d, c->path, 0, "シート「%s」がありません", cover_sheets.keys[i]);
            continue;
        }
        cover_pass w = {c, cover_sheets.keys[i]};
        tk_xlsx_read_sheet(c->x, (size_t)si, cover_cell, &w, c->d);
    }
    tk_strmap_free(&cover_sheets);
}

tk_ingest_step tk_ingest_sheets(tk_ingest_job *j)
{
    read_item_sheets(j);
    if (new_errors(j))
        return TK_INGEST_STOP;
    read_cover(j);
    if (j->is.wb.respondent[0] && !strcmp(j->is.wb.kind, "staff"))
        check_person(&j->c, &j->is);
    /* the parts not read (the instructions, the theme...) must be intact too */
    tk_xlsx_check_members(j->c.x, j->c.d);
    return TK_INGEST_NEXT;
}

/* A follow-up's status changes against the rules of each plan's life, all
 * reported at once. The plans of the workbook's rows are read by one query
 * (the store stage reads each again in its transaction before applying). */
static tk_ingest_step judge_plan_changes(tk_ingest_job *j, tk_store *st)
{
    ctx *c = &j->c;
    tk_ingest_result *res = j->res;
    bool any = false;
    for (size_t i = 0; i < j->nfus && !any; i++)
        any = j->fus[i].has_status;
    if (!any)
        return new_errors(j) ? TK_INGEST_STOP : TK_INGEST_NEXT;
    tk_plan_state *plans;
    size_t nplans;
    if (tk_store_workbook_plan_states(st, j->is.wb.workbook_id, &plans, &nplans, c->d) < 0)
        return failed(j);
    for (size_t i = 0; i < j->nfus; i++) {
        tk_followup_rec *fu = &j->fus[i];
        if (!fu->has_status)
            continue; /* a response only: applied as written */
        const tk_plan_state *cur = tk_plan_states_find(plans, nplans, fu->plan_id);
        if (!cur || strcmp(cur->department_code, j->is.wb.department_code) != 0) {
            err(c, fu->cell_status, "この行の改善計画 (%lld) は%sの計画として記録にありません", (long long)fu->plan_id, j->is.wb.department_name);
            continue;
        }
        char why[512];
        const char *cell;
        switch (tk_followup_decide(cur, fu, why, sizeof why, &cell)) {
        case TK_FOLLOWUP_SAME:
            break;
        case TK_FOLLOWUP_REFUSED:
            err(c, cell, "%s", why);
            break;
        case TK_FOLLOWUP_APPLY:
            res->plans++;
            res->plans_closed += tk_plan_status_closed(fu->change.to);
            res->plans_postponed += fu->change.to == TK_PLAN_POSTPONED;
            break;
        }
    }
    tk_plan_states_free(plans, nplans);
    return new_errors(j) ? TK_INGEST_STOP : TK_INGEST_NEXT;
}

/* 要対応 notes: accepted, but someone must act. */
static void note_flags(tk_ingest_job *j)
{
    for (size_t i = 0; i < j->c.nrows; i++) {
        const tk_answer_rec *a = &j->answers[i];
        if (a->flag && !strcmp(a->flag, "計画未記入"))
            tk_diag_add(j->c.d, TK_SEV_NOTE, j->c.path, 0, a->cell, "要対応: 「%s」と回答していますが改善計画がありません (項目 %s)", a->value,
                        j->c.rows[i].db_ref);
        else if (a->flag && !strcmp(a->flag, "所見未記入"))
            tk_diag_add(j->c.d, TK_SEV_NOTE, j->c.path, 0, a->cell, "要対応: 「%s」と判定していますが所見 (不適合の内容と根拠) がありません (項目 %s)",
                        a->value, j->c.rows[i].db_ref);
    }
}

tk_ingest_step tk_ingest_values(tk_ingest_job *j, tk_store *st)
{
    ctx *c = &j->c;
    tk_ingest_result *res = j->res;
    tk_date fy_start = {j->is.wb.year, 4, 1};
    j->answers = tk_arena_alloc(c->a, (c->nrows ? c->nrows : 1) * sizeof *j->answers);
    j->fus = tk_arena_alloc(c->a, (c->nrows ? c->nrows : 1) * sizeof *j->fus);
    j->nfus = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        if (j->followup) {
            bool has;
            check_followup_row(c, &j->is, &c->rows[i], &j->answers[i], &j->fus[j->nfus], &has);
            j->nfus += has;
        } else {
            check_row(c, &j->is, &c->rows[i], &j->answers[i], fy_start);
            res->plans += j->answers[i].plan != NULL;
            res->negative += j->answers[i].negative;
        }
        res->answered += j->answers[i].value != NULL;
        res->flagged += j->answers[i].flag != NULL;
    }
    /* a follow-up's rows are also judged against the rules before giving up,
     * so that every problem of the file is reported at once */
    if (new_errors(j) && !j->followup)
        return TK_INGEST_STOP;
    if (j->followup) {
        /* the same bytes again change nothing (and are not checked against
         * plans that have moved on since) */
        int64_t sid = 0;
        int seen = tk_store_submission_find(st, j->is.wb.workbook_id, j->sha, &sid, c->d);
        if (seen < 0)
            return failed(j);
        if (seen && !new_errors(j)) {
            res->submission_id = sid;
            res->outcome = TK_INGEST_SAME;
            return TK_INGEST_DONE;
        }
        if (judge_plan_changes(j, st) == TK_INGEST_STOP)
            return TK_INGEST_STOP;
    }
    note_flags(j);
    if (j->o.dry_run) {
        res->outcome = TK_INGEST_CHECKED;
        return TK_INGEST_DONE;
    }
    return TK_INGEST_NEXT;
}

tk_ingest_step tk_ingest_store(tk_ingest_job *j, tk_store *st)
{
    tk_ingest_result *res = j->res;
    tk_submission_new sub = {
        .workbook_id = j->is.wb.workbook_id,
        .campaign_id = j->is.wb.campaign_id,
        .department_code = j->is.wb.department_code,
        .sha256 = j->sha,
        .file = j->shown,
        .answers = j->answers,
        .nanswers = j->c.nrows,
        .answered = res->answered,
        .flagged = res->flagged,
        .fields = &j->c.cover_vals,
        .followups = j->followup ? j->fus : NULL,
        .nfollowups = j->followup ? j->nfus : 0,
        .path = j->shown,
    };
    tk_submission_result sr;
    if (tk_store_submit(st, &sub, &sr, j->c.d) != 0)
        return failed(j);
    res->submission_id = sr.submission_id;
    res->superseded = sr.superseded;
    if (j->followup) {
        res->plans = sr.plans_changed;
        res->plans_closed = sr.plans_closed;
        res->plans_postponed = sr.plans_postponed;
    }
    res->carried_closed = sr.carried_closed;
    res->plans_responded = sr.plans_responded;
    res->findings_verified = sr.findings_verified;
    res->findings_kept = sr.findings_kept;
    res->carried_kept = sr.carried_kept;
    res->outcome = sr.same ? TK_INGEST_SAME : TK_INGEST_ACCEPTED;
    return TK_INGEST_DONE;
}

int tk_ingest_file(tk_store *st, const char *path, const tk_ingest_opts *o, tk_ingest_result *res, tk_diags *d)
{
    tk_ingest_job *j = tk_ingest_job_new(path, o, res, d);
    tk_ingest_step s = tk_ingest_open(j);
    if (s == TK_INGEST_NEXT)
        s = tk_ingest_identity(j);
    /* the stages that only read the database read one snapshot */
    bool reading = s == TK_INGEST_NEXT;
    if (reading)
        tk_store_begin_read(st);
    if (s == TK_INGEST_NEXT)
        s = tk_ingest_taken_in(j, st);
    if (s == TK_INGEST_NEXT)
        s = tk_ingest_issued(j, st);
    if (s == TK_INGEST_NEXT)
        s = tk_ingest_sheets(j);
    if (s == TK_INGEST_NEXT)
        s = tk_ingest_values(j, st);
    if (reading)
        tk_store_end_read(st);
    if (s == TK_INGEST_NEXT)
        s = tk_ingest_store(j, st);
    tk_ingest_job_free(j);
    return s == TK_INGEST_STOP ? -1 : 0;
}
