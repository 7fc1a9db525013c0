/* plan.c — the rules of a remediation plan's life. */
#include "tenken/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/text.h"

static const struct {
    const char *key, *label;
} STATUS[TK_PLAN_NSTATUS] = {
    [TK_PLAN_NOT_STARTED] = {"not-started", "未着手"},
    [TK_PLAN_IN_PROGRESS] = {"in-progress", "対応中"},
    [TK_PLAN_DONE] = {"done", "完了"},
    [TK_PLAN_POSTPONED] = {"postponed", "延期"},
    [TK_PLAN_RISK_ACCEPTED] = {"risk-accepted", "リスク受容"},
};

const char *tk_plan_status_key(enum tk_plan_status s) { return STATUS[s].key; }
const char *tk_plan_status_label(enum tk_plan_status s) { return STATUS[s].label; }

bool tk_plan_status_parse(const char *s, enum tk_plan_status *out)
{
    /* a key or label as stored or picked: the very bytes (no normalising
     * for every plan read from the database) */
    for (int i = 0; i < TK_PLAN_NSTATUS; i++) {
        if (!strcmp(s, STATUS[i].key) || !strcmp(s, STATUS[i].label)) {
            *out = (enum tk_plan_status)i;
            return true;
        }
    }
    char *n = tk_text_norm_dup(s);
    bool ok = false;
    for (int i = 0; i < TK_PLAN_NSTATUS && !ok; i++) {
        char *l = tk_text_norm_dup(STATUS[i].label);
        if (!strcmp(n, STATUS[i].key) || !strcmp(n, l)) {
            *out = (enum tk_plan_status)i;
            ok = true;
        }
        free(l);
    }
    free(n);
    return ok;
}

bool tk_plan_status_closed(enum tk_plan_status s) { return s == TK_PLAN_DONE || s == TK_PLAN_RISK_ACCEPTED; }

static bool has(tk_date d) { return d.y != 0; }

bool tk_plan_check(enum tk_plan_status from, tk_date due, const tk_plan_change *ch, char *why, size_t n)
{
    char d1[TK_DATE_ISO_SIZE], d2[TK_DATE_ISO_SIZE];
    if (tk_plan_status_closed(from)) {
        snprintf(why, n, "この改善計画は既に「%s」で閉じています。閉じた計画の進捗は変更できません", STATUS[from].label);
        return false;
    }
    if (has(ch->date) && !tk_date_valid(ch->date)) {
        snprintf(why, n, "日付が正しくありません");
        return false;
    }
    switch (ch->to) {
    case TK_PLAN_NOT_STARTED:
        if (from != TK_PLAN_NOT_STARTED) {
            snprintf(why, n, "「%s」の計画を「未着手」に戻すことはできません", STATUS[from].label);
            return false;
        }
        return true;
    case TK_PLAN_IN_PROGRESS:
        return true;
    case TK_PLAN_DONE:
        if (!has(ch->date)) {
            snprintf(why, n, "「完了」には完了日が必要です。完了日を 2027/3/31 のように入力してください");
            return false;
        }
        return true;
    case TK_PLAN_POSTPONED:
        if (!has(ch->new_due)) {
            snprintf(why, n, "「延期」には新たな完了予定日が必要です");
            return false;
        }
        if (tk_text_blank(ch->reason)) {
            snprintf(why, n, "「延期」には理由が必要です。延期する理由を入力してください");
            return false;
        }
        if (has(due) && tk_date_cmp(ch->new_due, due) <= 0) {
            snprintf(why, n, "新たな完了予定日 %s が、これまでの完了予定日 %s より後になっていません", tk_date_iso(ch->new_due, d1),
                     tk_date_iso(due, d2));
            return false;
        }
        return true;
    case TK_PLAN_RISK_ACCEPTED:
        if (!has(ch->date)) {
            snprintf(why, n, "「リスク受容」には情報セキュリティ委員会の決定日が必要です");
            return false;
        }
        return true;
    }
    snprintf(why, n, "進捗状況が正しくありません");
    return false;
}

int tk_plan_days_overdue(enum tk_plan_status s, tk_date due, tk_date today)
{
    if (tk_plan_status_closed(s) || !has(due))
        return 0;
    int d = tk_date_diff_days(today, due);
    return d > 0 ? d : 0;
}
