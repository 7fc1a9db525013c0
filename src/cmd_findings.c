/* cmd_findings.c — tenken findings: the register of audit findings across
 * years (findings.h), as a table or CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/cli.h"
#include "tenken/findings.h"
#include "tenken/text.h"
#include "tenken/util.h"

/* Machine-readable columns (like tenken score's CSV): other tools read them. */
#define NCSV 18
static const char *const CSV_HEADS[NCSV] = {
    "year",  "department_code", "department", "item_id", "ref",         "grade",        "finding",  "evidence",
    "plan",  "owner",           "due",        "interim", "plan_status", "verification", "status",   "status_label",
    "action_needed", "days_overdue"};

static void csv_of(const tk_finding *f, tk_buf *out)
{
    char year[16], days[16];
    snprintf(year, sizeof year, "%d", f->year);
    snprintf(days, sizeof days, "%d", f->days_overdue);
    const char *v[NCSV] = {year,
                           f->department_code,
                           f->department_name,
                           f->item_id,
                           f->ref,
                           f->grade,
                           f->finding ? f->finding : "",
                           f->evidence ? f->evidence : "",
                           f->content ? f->content : "",
                           f->owner ? f->owner : "",
                           f->due ? f->due : "",
                           f->interim ? f->interim : "",
                           f->plan_id ? tk_plan_status_key(f->plan_status) : "",
                           f->verification ? f->verification : "",
                           tk_finding_status_key(f->status),
                           tk_finding_status_label(f->status),
                           f->action_needed ? "1" : "0",
                           days};
    tk_csv_row(out, NCSV, v);
}

/* Cut s to at most w display columns ("…" when cut), on one line. */
static char *clip(const char *s, size_t w)
{
    tk_buf b;
    tk_buf_init(&b);
    const char *p = s ? s : "", *end = p + strlen(p);
    size_t used = 0;
    bool cut = false;
    while (p < end) {
        const char *q = p;
        int32_t cp = tk_utf8_next(&q, end);
        char one[8] = {0};
        memcpy(one, p, (size_t)(q - p) < 7 ? (size_t)(q - p) : 7);
        size_t cw = cp == '\n' ? 1 : tk_text_width(one);
        if (used + cw > w) {
            cut = true;
            break;
        }
        if (cp == '\n' || cp == '\r')
            tk_buf_putc(&b, ' ');
        else
            tk_buf_append(&b, p, (size_t)(q - p));
        used += cw;
        p = q;
    }
    if (cut) {
        while (b.len && used + 1 > w) { /* room for the ellipsis */
            size_t k = b.len;
            while (k > 0 && ((unsigned char)b.data[k - 1] & 0xC0) == 0x80)
                k--;
            if (k > 0)
                k--;
            char one[8] = {0};
            memcpy(one, b.data + k, b.len - k < 7 ? b.len - k : 7);
            used -= tk_text_width(one);
            b.len = k;
            b.data[k] = 0;
        }
        tk_buf_puts(&b, "…");
    }
    if (!b.data)
        tk_buf_puts(&b, "");
    return tk_buf_steal(&b);
}

#define NTEXT 10
static void to_text(const tk_finding_list *l, tk_buf *out)
{
    static const char *const HEADS[NTEXT] = {"年度", "部署", "該当条項", "判定", "所見", "改善計画", "担当者", "完了予定日", "状態", "超過日数"};
    static const bool RIGHT[NTEXT] = {[9] = true};
    char ***rows = tk_xcalloc(l->n ? l->n : 1, sizeof *rows);
    for (size_t i = 0; i < l->n; i++) {
        const tk_finding *f = &l->rows[i];
        char **c = rows[i] = tk_xcalloc(NTEXT, sizeof *c);
        char b[64];
        snprintf(b, sizeof b, "%d", f->year);
        c[0] = tk_xstrdup(b);
        snprintf(b, sizeof b, "%s %s", f->department_code, f->department_name);
        c[1] = clip(b, 18);
        c[2] = clip(f->ref, 16);
        c[3] = tk_xstrdup(f->grade);
        c[4] = clip(f->finding, 30);
        c[5] = clip(f->content && *f->content ? f->content : "（未回答）", 26);
        c[6] = clip(f->owner, 12);
        c[7] = tk_xstrdup(f->due ? f->due : "");
        tk_buf st;
        tk_buf_init(&st);
        tk_buf_puts(&st, tk_finding_status_label(f->status));
        if (f->action_needed)
            tk_buf_puts(&st, "・要対応");
        else if (f->status == TK_FINDING_PLANNED && f->plan_status == TK_PLAN_DONE)
            tk_buf_puts(&st, "・完了報告（是正確認待ち）");
        if (f->verification && f->status != TK_FINDING_VERIFIED)
            tk_buf_printf(&st, "・前回確認 %s", f->verification);
        c[8] = tk_buf_steal(&st);
        snprintf(b, sizeof b, "%d", f->days_overdue);
        c[9] = tk_xstrdup(f->days_overdue ? b : "");
    }
    tk_text_table(out, NTEXT, HEADS, (char *const *const *)rows, l->n, RIGHT);
    for (size_t i = 0; i < l->n; i++) {
        for (int k = 0; k < NTEXT; k++)
            free(rows[i][k]);
        free(rows[i]);
    }
    free(rows);
}

int tk_cmd_findings(const tk_command *c, int argc, char **argv)
{
    tk_cli_opts o = {.status = "all", .format = "text"};
    int rc = tk_cli_parse(c, argc, argv, TK_CLI_ORG | TK_CLI_YEAR | TK_CLI_DEPARTMENT | TK_CLI_STATUS | TK_CLI_FORMAT | TK_CLI_DB | TK_CLI_DATE,
                          NULL, NULL, NULL, NULL, &o);
    if (rc != TK_EXIT_OK)
        return rc == TK_CLI_HELP ? TK_EXIT_OK : rc;
    const char *org = o.org, *status = o.status, *format = o.format, *date = o.date;
    if (!org)
        return tk_cli_usage_error(c, "--org で組織の ID を指定してください");
    enum tk_finding_status fs = TK_FINDING_OPEN;
    bool all = !strcmp(status, "all");
    if (!all && !tk_finding_status_parse(status, &fs))
        return tk_cli_usage_error(c, "--status は open、planned、closed、verified、all のいずれかです (「%s」)", status);
    if (strcmp(format, "text") && strcmp(format, "csv"))
        return tk_cli_usage_error(c, "--format は text か csv です (「%s」)", format);
    tk_date today = tk_date_today();
    if (date && !tk_date_parse(date, &today))
        return tk_cli_usage_error(c, "--date「%s」は日付として読めません (2027-03-31、令和9年3月31日 など)", date);
    tk_store *st = tk_cli_open_store(o.db, TK_STORE_READ, &rc);
    if (!st)
        return rc;
    tk_diags d;
    tk_diags_init(&d);
    tk_finding_query q = {.org = tk_cli_org_id(org), .year = (int)o.year, .department = o.department,
                          .status = all ? -1 : (int)fs, .today = today};
    tk_finding_list l;
    memset(&l, 0, sizeof l);
    rc = tk_findings_list(st, &q, &l, &d);
    tk_store_close(st);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    if (rc != 0) {
        tk_finding_list_free(&l);
        return TK_EXIT_FAILURE;
    }
    tk_buf out;
    tk_buf_init(&out);
    if (!strcmp(format, "csv")) {
        tk_buf_puts(&out, "\xEF\xBB\xBF");
        tk_csv_row(&out, NCSV, CSV_HEADS);
        for (size_t i = 0; i < l.n; i++)
            csv_of(&l.rows[i], &out);
    } else {
        to_text(&l, &out);
        size_t by[TK_FINDING_NSTATUS] = {0}, needed = 0;
        for (size_t i = 0; i < l.n; i++) {
            by[l.rows[i].status]++;
            needed += l.rows[i].action_needed;
        }
        tk_buf_printf(&out, "findings: 指摘事項 %zu 件 (未計画 %zu、うち要対応 %zu、計画済み %zu、終了 %zu、是正確認済み %zu)\n", l.n,
                      by[TK_FINDING_OPEN], needed, by[TK_FINDING_PLANNED], by[TK_FINDING_CLOSED], by[TK_FINDING_VERIFIED]);
    }
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    tk_buf_free(&out);
    tk_finding_list_free(&l);
    return TK_EXIT_OK;
}
