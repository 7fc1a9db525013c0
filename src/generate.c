/* generate.c — plan, write and record the workbooks of a campaign. */
#include "tenken/generate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "tenken/audit_plan.h"
#include "tenken/checklist.h"
#include "tenken/findings.h"
#include "tenken/jdate.h"
#include "tenken/open_plans.h"
#include "tenken/plan.h"
#include "tenken/platform.h"
#include "tenken/roster.h"
#include "tenken/store.h"
#include "tenken/submit.h"
#include "tenken/template.h"
#include "tenken/text.h"
#include "tenken/xlsx_stamp.h"
#include "tenken/xlsx_write.h"
#include "tenken/workers.h"
#include "tenken/xmlutil.h"

/* Largest workbook read back to hash it. */
#define WORKBOOK_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define FILE_STEM_MAX 80
#define NVARS 19

typedef struct chapter {
    const char *sheet;   /* Excel sheet name */
    const char *caption; /* "対策基準 1 組織体制" */
} chapter;

typedef struct job {
    const tk_department *dept;
    /* who in the department answers: a person of the roster (staff), one
     * role the department holds (--split role), or the department (both
     * NULL); respondent is the person's number or the role, "" otherwise */
    const tk_person *person;
    const char *role;
    const char *respondent;
    char token[33];
    const char *file; /* final path */
    const char *base; /* file name */
    char *tmp;        /* temporary path while it exists */
    char *backup;     /* the file this one replaces, set aside until commit */
    tk_xlsx_sheet *sheets;
    size_t nsheets;
    size_t nitems;
    size_t carried, carried_overdue; /* earlier years' open plans shown on its rows */
    /* a department's rows are laid out when its workbook is written and
     * again when it is recorded, then dropped (job_rows): memory stays flat
     * however many departments there are */
    bool rows_later;
    tk_arena *held; /* rows laid out ahead for the workers (run_jobs) */
    tk_tpl_var vars[NVARS];
    char sha256[65];
    bool done, ok, renamed;
    enum tk_xlsx_stamp_how how; /* how its workbook was written */
    int worker;
    int64_t workbook_id;
} job;

/* The open plans of earlier years for one department's item. */
typedef struct carry_count {
    size_t plans, overdue;
} carry_count;

/* Follow-up: a department's open plans, counted (open_plans.h). */
typedef struct fu_count {
    long plans;
    int first_year; /* of the oldest campaign among them */
} fu_count;

typedef struct gen {
    const tk_generate_opts *o;
    tk_diags *d;
    tk_arena *a;
    const char *kind;
    bool followup;
    bool staff;           /* one workbook per person of the roster */
    tk_roster *roster;    /* staff */
    const char *staff_role;
    /* follow-up: department code -> fu_count; each department's plans are
     * read when its workbook is written or recorded (job_rows) */
    tk_strmap plan_counts;
    int followup_seq; /* the follow-up campaign's items recorded so far */
    tk_date date_min; /* earliest date a date input accepts */
    /* self and audit: the rows show what earlier campaigns left (last
     * year's answers, the open plans of earlier years, an audit's findings
     * still to be confirmed), read a department at a time (history) */
    bool has_previous;
    int64_t prev_campaign; /* self: last year's campaign */
    size_t history_bytes;  /* of the batch being read (hold_batch) */
    tk_strmap bases; /* file names taken (lower case) -> job */
    tk_date today;
    tk_audit_plan *audit_plan; /* audit: the year's plan, or NULL */
    tk_org *org;
    tk_checklist *cl;
    tk_template *tpl;
    tk_xlsx_measure *measure; /* line counts of cell text, kept from workbook to workbook */
    tk_xlsx_stamp *stamp;     /* masters of this process's workers (run_workers) */
    size_t masters, stamped;  /* workbooks that made a master, stamped from one made before */
    time_t created;           /* when the run started (the workbooks' creation time) */
    bool has_deadline;
    tk_date deadline;
    chapter *chapters;
    size_t nchapters;
    size_t *item_ch;     /* chapter of each checklist item */
    char (*item_hash)[65]; /* tk_item_text_hash of each item */
    job *jobs;
    size_t njobs;
    bool subset; /* only some departments */
    const char *dir, *csv_path, *db_path, *template_ref;
    tk_store *store;
    int64_t campaign_id;
    size_t revoked;
    int workers;
    size_t ndone; /* jobs ended, for the progress */
    bool csv_written;
    char *csv_backup;
    sigset_t stop_signals, old_mask; /* Ctrl-C and friends are held while files move */
    bool interrupted;
    char now[32];
    char fy[TK_FY_LABEL_SIZE], fy_label[TK_FY_LABEL_SIZE], year[16];
    char deadline_both[TK_DATE_BOTH_SIZE], deadline_wareki[TK_DATE_WAREKI_SIZE], deadline_iso[TK_DATE_ISO_SIZE];
} gen;

static char *set_aside(gen *g, const char *path, bool *err);
static const char *joined(tk_arena *a, const char *const *v, size_t n);

/* ---- small helpers ---- */

int tk_generate_token(char out[33])
{
    unsigned char r[16];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof r; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[32] = '\0';
    return 0;
}

static bool reserved_device(const char *stem)
{
    static const char *const names[] = {"CON", "PRN", "AUX", "NUL"};
    size_t n = strcspn(stem, ".");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (n == 3 && !strncasecmp(stem, names[i], 3))
            return true;
    if (n == 4 && (!strncasecmp(stem, "COM", 3) || !strncasecmp(stem, "LPT", 3)) && stem[3] >= '0' && stem[3] <= '9')
        return true;
    return false;
}

/* Append s made safe for a file name. */
static void put_safe(tk_buf *b, const char *s)
{
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        int32_t cp = tk_utf8_next(&p, end);
        /* controls, bidi overrides and invisible characters too */
        bool bad = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xFEFF || cp == 0x200B ||
                   (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
        if (cp > 0 && cp < 0x80 && strchr("<>:\"/\\|?*", (int)cp))
            bad = true;
        if (bad || tk_cp_is_space(cp) || cp == ' ') {
            /* one "_" for a run */
            if (b->len && b->data[b->len - 1] != '_')
                tk_buf_putc(b, '_');
            continue;
        }
        tk_buf_put_cp(b, (uint32_t)cp);
    }
}

char *tk_generate_file_name(tk_arena *a, const char *code, const char *name, const char *ext)
{
    tk_buf b;
    tk_buf_init(&b);
    put_safe(&b, code ? code : "");
    if (name && *name) {
        if (b.len && b.data[b.len - 1] != '_')
            tk_buf_putc(&b, '_');
        put_safe(&b, name);
    }
    /* at most FILE_STEM_MAX characters */
    if (b.data && tk_utf8_count(b.data) > FILE_STEM_MAX) {
        const char *p = b.data, *end = b.data + b.len;
        for (size_t n = 0; n < FILE_STEM_MAX && p < end; n++)
            tk_utf8_next(&p, end);
        b.len = (size_t)(p - b.data);
        b.data[b.len] = '\0';
    }
    /* no leading or trailing dots, spaces or underscores */
    while (b.len && (b.data[b.len - 1] == '.' || b.data[b.len - 1] == '_' || b.data[b.len - 1] == ' '))
        b.data[--b.len] = '\0';
    const char *s = b.data ? b.data : "";
    while (*s == '.' || *s == '_')
        s++;
    const char *stem = *s ? s : "workbook";
    char *r = reserved_device(stem) ? tk_arena_printf(a, "_%s%s", stem, ext ? ext : "")
                                    : tk_arena_printf(a, "%s%s", stem, ext ? ext : "");
    tk_buf_free(&b);
    return r;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- loading ---- */

/* Staff: the staff role (the template's staff-role names that org.xml has)
 * and the roster, checked against org.xml. */
static int load_roster(gen *g)
{
    const tk_template *t = g->tpl;
    g->staff_role = tk_roster_staff_role(g->org, t->roster.staff_role);
    if (!g->staff_role) {
        tk_diag_error(g->d, g->org->path, 0,
                      "職員の役割が org.xml にありません。ひな形 %s の <roster staff-role=\"%s\"> のどれかを役割の ID・名称・別名として定義してください",
                      t->path, t->roster.staff_role ? t->roster.staff_role : "");
        return TK_EXIT_INPUT;
    }
    tk_roster_headings h = {t->roster.number, t->roster.name, t->roster.department,
                            t->roster.title,  t->roster.mail, t->roster.roles};
    g->roster = tk_roster_load(g->o->roster, g->org, g->staff_role, &h, g->d);
    return g->roster ? TK_EXIT_OK : TK_EXIT_INPUT;
}

static int load_inputs(gen *g)
{
    const tk_generate_opts *o = g->o;
    tk_diags *d = g->d;
    g->kind = o->kind && *o->kind ? o->kind : "self";
    if (strcmp(g->kind, "self") && strcmp(g->kind, "audit") && strcmp(g->kind, "followup") && strcmp(g->kind, "staff")) {
        tk_diag_error(d, NULL, 0,
                      "種類 (--kind)「%s」は使えません。self (自己点検)、audit (監査)、followup (改善計画の進捗確認)、"
                      "staff (職員セルフチェック) のいずれかを指定してください",
                      g->kind);
        return TK_EXIT_USAGE;
    }
    g->followup = !strcmp(g->kind, "followup");
    g->staff = !strcmp(g->kind, "staff");
    if (g->staff && (!o->roster || !*o->roster)) {
        tk_diag_error(d, NULL, 0, "職員セルフチェック (--kind staff) には職員の名簿を --roster 名簿.csv で指定してください");
        return TK_EXIT_USAGE;
    }
    if (!g->staff && o->roster) {
        tk_diag_error(d, NULL, 0, "--roster は職員セルフチェック (--kind staff) でだけ使えます");
        return TK_EXIT_USAGE;
    }
    if (o->split_role && strcmp(g->kind, "self") && strcmp(g->kind, "audit")) {
        tk_diag_error(d, NULL, 0, "--split role は部署ごとの点検票 (--kind self、audit) でだけ使えます");
        return TK_EXIT_USAGE;
    }
    if (o->year < 1868 || o->year > 9999) {
        tk_diag_error(d, NULL, 0, "年度 (--year) %d が正しくありません。2026 のように西暦で指定してください", o->year);
        return TK_EXIT_USAGE;
    }
    if (!o->org || !*o->org) {
        tk_diag_error(d, NULL, 0, "組織 (--org) を指定してください");
        return TK_EXIT_USAGE;
    }
    if (o->deadline) {
        if (!tk_date_parse(o->deadline, &g->deadline)) {
            tk_diag_error(d, NULL, 0, "提出期限 (--deadline)「%s」を日付として読めません。2027-01-29 や 令和9年1月29日 のように指定してください",
                          o->deadline);
            return TK_EXIT_USAGE;
        }
        g->has_deadline = true;
        if (tk_fiscal_year_of(g->deadline) != o->year)
            tk_diag_warn(d, NULL, 0, "提出期限 %s は %d 年度 (%d-04-01〜%d-03-31) の外にあります。年度と期限を確かめてください",
                         o->deadline, o->year, o->year, o->year + 1);
        if (tk_date_cmp(g->deadline, tk_date_today()) < 0)
            tk_diag_warn(d, NULL, 0, "提出期限 %s は既に過ぎています", o->deadline);
    }

    const char *dir = tk_org_dir(g->a, o->org);
    if (!dir) {
        tk_diag_error(d, o->org, 0, "組織「%s」のフォルダが見つかりません。checklists/%s/ に checklist.xml と org.xml を置くか、フォルダのパスを指定してください",
                      o->org, o->org);
        return TK_EXIT_INPUT;
    }
    const char *schemas = tk_data_path(g->a, "checklists");
    size_t before = d->errors;
    g->org = tk_org_load(tk_path_join(g->a, dir, "org.xml"), schemas, d);
    if (g->org)
        tk_org_check_rules(g->org, d);
    g->cl = tk_checklist_load(tk_path_join(g->a, dir, "checklist.xml"), schemas, d);
    if (g->cl)
        tk_checklist_check_rules(g->cl, g->org, d);
    if (g->org && g->cl && strcmp(g->cl->org, g->org->id) != 0)
        tk_diag_error(d, g->cl->path, 0, "checklist.xml の org「%s」と org.xml の id「%s」が一致しません", g->cl->org, g->org->id);

    const char *tpath = o->template_path
                            ? o->template_path
                            : tk_data_path(g->a, tk_arena_printf(g->a, "templates/%s.xml", g->kind));
    g->tpl = tk_template_load(tpath, tk_data_path(g->a, "templates"), d);
    if (g->tpl && strcmp(g->tpl->kind, g->kind) != 0)
        tk_diag_error(d, tpath, 0, "ひな形の種類 (kind=\"%s\") が --kind %s と一致しません", g->tpl->kind, g->kind);
    if (d->errors > before || !g->org || !g->cl || !g->tpl)
        return TK_EXIT_INPUT;
    if (g->staff && load_roster(g) != TK_EXIT_OK)
        return TK_EXIT_INPUT;
    const char *slash = strrchr(tpath, '/');
    g->template_ref = tk_arena_printf(g->a, "%s sha256:%s", slash ? slash + 1 : tpath, g->tpl->hash);
    return TK_EXIT_OK;
}

/* ---- chapters and sheets ---- */

static bool has_direct_items(const tk_checklist *c, const tk_section *s)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i].section == s)
            return true;
    return false;
}

static size_t items_under(const tk_checklist *c, const tk_section *s)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nitems; i++)
        for (const tk_section *p = c->items[i].section; p; p = p->parent)
            if (p == s) {
                n++;
                break;
            }
    return n;
}

/* "ref title", or the title alone when it already ends with the ref or the
 * ref is empty; short: the ref alone when the title ends with it. */
static const char *section_caption(tk_arena *a, const tk_section *s)
{
    if (!s->ref || !*s->ref)
        return s->title;
    if (!s->title || !*s->title || tk_str_ends(s->title, s->ref))
        return s->title && *s->title ? s->title : s->ref;
    return tk_arena_printf(a, "%s %s", s->ref, s->title);
}

static int plan_chapters(gen *g)
{
    const tk_checklist *c = g->cl;
    const tk_section *root = &c->root;
    bool parts = root->nchildren >= 1 && root->nchildren <= 3;
    for (size_t i = 0; parts && i < root->nchildren; i++)
        parts = root->children[i]->nchildren > 0 && !has_direct_items(c, root->children[i]);
    bool *split = tk_arena_alloc(g->a, (root->nchildren ? root->nchildren : 1) * sizeof *split);
    for (size_t i = 0; i < root->nchildren; i++)
        split[i] = parts && items_under(c, root->children[i]) > g->tpl->split_parts_above;

    const tk_section **keys = tk_arena_alloc(g->a, (c->nitems ? c->nitems : 1) * sizeof *keys);
    g->chapters = tk_arena_alloc(g->a, (c->nitems ? c->nitems : 1) * sizeof *g->chapters);
    g->item_ch = tk_arena_alloc(g->a, (c->nitems ? c->nitems : 1) * sizeof *g->item_ch);
    g->item_hash = tk_arena_alloc(g->a, (c->nitems ? c->nitems : 1) * sizeof *g->item_hash);
    const char **taken = tk_arena_alloc(g->a, (c->nitems + 3) * sizeof *taken);
    size_t ntaken = 0;
    taken[ntaken++] = g->tpl->cover_sheet;
    taken[ntaken++] = g->tpl->instructions_sheet;
    taken[ntaken++] = TK_XLSX_IDENTITY_SHEET;

    for (size_t i = 0; i < c->nitems; i++) {
        const tk_item *it = &c->items[i];
        tk_item_text_hash(it->text, it->context, g->item_hash[i]);
        /* the top-level section, and the one below it */
        const tk_section *top = it->section, *below = NULL;
        while (top && top->parent && top->parent != root) {
            below = top;
            top = top->parent;
        }
        const tk_section *key = top;
        bool whole = true;
        if (top && top != root) {
            size_t ti = 0;
            while (ti < root->nchildren && root->children[ti] != top)
                ti++;
            if (ti < root->nchildren && split[ti] && below) {
                key = below;
                whole = false;
            }
        }
        size_t ch = 0;
        while (ch < g->nchapters && keys[ch] != key)
            ch++;
        if (ch == g->nchapters) {
            keys[ch] = key;
            const char *caption, *want;
            if (!key || key == root) {
                caption = it->ref;
                want = it->ref;
            } else {
                caption = section_caption(g->a, key);
                /* a whole part goes by its ref when the title ends with it */
                want = parts && whole && key->ref && *key->ref && tk_str_ends(key->title, key->ref) ? key->ref
                                                                                                  : caption;
            }
            g->chapters[ch].caption = caption;
            g->chapters[ch].sheet = tk_xlsx_make_sheet_name(g->a, want, taken, ntaken);
            taken[ntaken++] = g->chapters[ch].sheet;
            g->nchapters++;
        }
        g->item_ch[i] = ch;
    }
    return TK_EXIT_OK;
}

/* ---- departments and jobs ---- */

static const tk_department *find_department(const tk_org *o, const char *key)
{
    for (size_t i = 0; i < o->ndepartments; i++)
        if (!strcmp(o->departments[i].code, key))
            return &o->departments[i];
    for (size_t i = 0; i < o->ndepartments; i++)
        if (!strcmp(o->departments[i].name, key))
            return &o->departments[i];
    return NULL;
}

/* --split role: an item's row belongs to the first of its roles the
 * department holds, so that each duty is answered once, by its holder. */
static const char *split_role_of(const tk_item *it, const tk_department *dep)
{
    for (size_t r = 0; r < it->nroles; r++)
        if (tk_department_holds(dep, it->roles[r]))
            return it->roles[r];
    return NULL;
}

/* Is the item on the job's workbook? */
static bool job_asks(const job *j, const tk_item *it)
{
    if (j->person)
        return tk_person_answers(j->person, it);
    if (!tk_item_applies(it, j->dept))
        return false;
    const char *r = j->role ? split_role_of(it, j->dept) : NULL;
    return !j->role || (r && !strcmp(r, j->role));
}

/* The item's roles held by whoever answers (対象者). */
static const char *held_roles(tk_arena *a, const tk_item *it, const job *j)
{
    tk_buf b;
    tk_buf_init(&b);
    for (size_t r = 0; r < it->nroles; r++) {
        bool held = false;
        if (j->person)
            for (size_t k = 0; k < j->person->nroles && !held; k++)
                held = !strcmp(j->person->roles[k], it->roles[r]);
        else
            held = tk_department_holds(j->dept, it->roles[r]);
        if (!held)
            continue;
        if (b.len)
            tk_buf_puts(&b, "、");
        tk_buf_puts(&b, it->roles[r]);
    }
    char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

/* An audit's auditors of the department by the year's audit plan (audit_plan.h), "" when none. */
static const char *auditors_of(gen *g, const char *code)
{
    const char *who = g->audit_plan ? tk_audit_plan_auditors_of(g->audit_plan, code) : NULL;
    return who ? who : "";
}

static void set_vars(gen *g, job *j)
{
    const char *deadline = g->has_deadline ? g->deadline_both : g->tpl->deadline_missing;
    const tk_person *p = j->person;
    tk_tpl_var v[NVARS] = {
        {"org", g->org->name},
        /* a per-role workbook says whose it is wherever the department is named */
        {"department", j->role ? tk_arena_printf(g->a, "%s（%s）", j->dept->name, j->role) : j->dept->name},
        {"department-code", j->dept->code},
        {"fiscal-year", g->fy},
        {"fiscal-year-label", g->fy_label},
        {"year", g->year},
        {"deadline", deadline},
        {"deadline-wareki", g->has_deadline ? g->deadline_wareki : g->tpl->deadline_missing},
        {"deadline-iso", g->has_deadline ? g->deadline_iso : ""},
        {"classification", g->tpl->classification},
        {"kind", g->tpl->name},
        {"items", tk_arena_printf(g->a, "%zu", j->nitems)},
        {"person", p ? p->name : ""},
        {"staff-number", p ? p->number : ""},
        {"position", p && p->title ? p->title : ""},
        {"carried-plans", g->has_previous ? tk_arena_printf(g->a, "%zu", j->carried) : ""},
        {"carried-overdue", g->has_previous ? tk_arena_printf(g->a, "%zu", j->carried_overdue) : ""},
        {"auditors", auditors_of(g, j->dept->code)},
        {"title", ""},
    };
    memcpy(j->vars, v, sizeof v);
    /* the title may use every other placeholder */
    j->vars[NVARS - 1].value = tk_template_expand(g->a, g->tpl->title, j->vars, NVARS - 1);
}

/* The departments asked for (--department), or all; sets g->subset. */
static int select_departments(gen *g, bool *want)
{
    const tk_generate_opts *o = g->o;
    const tk_org *org = g->org;
    memset(want, 0, (org->ndepartments ? org->ndepartments : 1) * sizeof *want);
    if (o->ndepartments) {
        g->subset = true;
        bool bad = false;
        for (size_t i = 0; i < o->ndepartments; i++) {
            const tk_department *dep = find_department(org, o->departments[i]);
            if (!dep) {
                tk_buf list;
                tk_buf_init(&list);
                for (size_t k = 0; k < org->ndepartments; k++)
                    tk_buf_printf(&list, "%s%s %s", k ? "、" : "", org->departments[k].code, org->departments[k].name);
                tk_diag_error(g->d, org->path, 0, "部署 (--department)「%s」は %s にありません。部署コードか部署名で指定してください (%s)",
                              o->departments[i], org->path, list.data ? list.data : "");
                tk_buf_free(&list);
                bad = true;
                continue;
            }
            want[dep - org->departments] = true;
        }
        if (bad)
            return TK_EXIT_USAGE;
        /* the whole organisation named one by one is not a subset */
        size_t n = 0;
        for (size_t i = 0; i < org->ndepartments; i++)
            n += want[i];
        g->subset = n < org->ndepartments;
    } else if (g->audit_plan) {
        /* an audit with a plan: the departments it audits */
        size_t n = 0;
        for (size_t i = 0; i < org->ndepartments; i++)
            n += want[i] = tk_audit_plan_covers(g->audit_plan, org->departments[i].code);
        g->subset = n < org->ndepartments;
    } else {
        for (size_t i = 0; i < org->ndepartments; i++)
            want[i] = true;
    }
    return TK_EXIT_OK;
}

/* The file of a job's workbook: CODE_部署名.xlsx, CODE_部署名_役割.xlsx
 * (--split role), or CODE_部署名/職員番号_氏名.xlsx (staff); refuses two
 * workbooks with the same file name. */
static int job_file(gen *g, job *j)
{
    if (j->person) {
        const char *folder = tk_generate_file_name(g->a, j->dept->code, j->dept->name, "");
        j->base = tk_path_join(g->a, folder, tk_generate_file_name(g->a, j->person->number, j->person->name, ".xlsx"));
    } else if (j->role) {
        j->base = tk_generate_file_name(g->a, j->dept->code, tk_arena_printf(g->a, "%s_%s", j->dept->name, j->role),
                                        ".xlsx");
    } else {
        j->base = tk_generate_file_name(g->a, j->dept->code, j->dept->name, ".xlsx");
    }
    j->file = tk_path_join(g->a, g->dir, j->base);
    /* file names differ in more than ASCII case (Windows, macOS) */
    char *key = tk_arena_strdup(g->a, j->base);
    for (char *p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    bool dup = false;
    const job *other = tk_strmap_put(&g->bases, key, j, &dup);
    if (dup) {
        if (j->person)
            tk_diag_error(g->d, g->roster->path, j->person->line, "職員番号「%s」と %ld 行目の「%s」のファイル名が同じ「%s」になります。職員番号を変えてください",
                          j->person->number, other->person ? other->person->line : 0L,
                          other->person ? other->person->number : "", j->base);
        else
            tk_diag_error(g->d, g->org->path, j->dept->xml_line, "部署「%s」と「%s」のファイル名が同じ「%s」になります。部署コードを変えてください",
                          other->dept->name, j->dept->name, j->base);
        return TK_EXIT_INPUT;
    }
    return TK_EXIT_OK;
}

/* The sheet slot of checklist item i: its chapter, or 0 when the template
 * puts every item on one sheet (<sheets single>: a staff workbook). */
static size_t slot_of(const gen *g, size_t i) { return g->tpl->single_sheet ? 0 : g->item_ch[i]; }

/* A department's history as its rows show it, keyed by item id: last
 * year's answer, the lines of the open plans of earlier years (an audit:
 * of the findings still to be confirmed), and their counts (carry_count).
 * Read when its rows are laid out (read_history), strings in the rows'
 * arena: memory holds the departments of one batch, however many there are. */
typedef struct history {
    gen *g;
    tk_arena *a;
    bool counts_only; /* the counts alone (the cover's), no text */
    tk_strmap answer, plans, count;
} history;

/* Lay out a job's rows in arena a: the items it asks, chapter by chapter,
 * 項番 through the workbook, each with its history from h (NULL: none).
 * j->nitems is 0 when it asks none. count and sheet_of are scratch of
 * g->nchapters entries. */
static void lay_out(gen *g, job *j, size_t *count, size_t *sheet_of, tk_arena *a, const history *h)
{
    const tk_checklist *c = g->cl;
    int first_row = tk_xlsx_first_item_row(g->tpl);
    j->carried = j->carried_overdue = 0; /* laid out again: counted afresh */
    memset(count, 0, (g->nchapters ? g->nchapters : 1) * sizeof *count);
    size_t n = 0;
    for (size_t i = 0; i < c->nitems; i++)
        if (job_asks(j, &c->items[i])) {
            count[slot_of(g, i)]++;
            n++;
        }
    j->nitems = n;
    if (n == 0)
        return;
    j->nsheets = 0;
    for (size_t ch = 0; ch < g->nchapters; ch++)
        j->nsheets += count[ch] > 0;
    j->sheets = tk_arena_alloc(a, j->nsheets * sizeof *j->sheets);
    size_t k = 0;
    for (size_t ch = 0; ch < g->nchapters; ch++) {
        if (!count[ch])
            continue;
        tk_xlsx_sheet *sh = &j->sheets[k];
        sh->name = g->tpl->single_sheet ? g->tpl->single_sheet : g->chapters[ch].sheet;
        sh->caption = g->tpl->single_sheet ? g->tpl->single_sheet : g->chapters[ch].caption;
        sh->rows = tk_arena_alloc(a, count[ch] * sizeof *sh->rows);
        sh->nrows = 0;
        sheet_of[ch] = k++;
    }
    int seq = 0;
    for (size_t s = 0; s < j->nsheets; s++) {
        tk_xlsx_sheet *sh = &j->sheets[s];
        for (size_t i = 0; i < c->nitems; i++) {
            const tk_item *it = &c->items[i];
            if (!count[slot_of(g, i)] || sheet_of[slot_of(g, i)] != s || !job_asks(j, it))
                continue;
            tk_xlsx_row *r = &sh->rows[sh->nrows];
            memset(r, 0, sizeof *r);
            r->item = it;
            r->seq = ++seq;
            r->row = first_row + (int)sh->nrows;
            r->roles = held_roles(a, it, j);
            memcpy(r->text_hash, g->item_hash[i], 65);
            if (h) {
                r->prev_answer = tk_strmap_get(&h->answer, it->id);
                r->prev_plans = tk_strmap_get(&h->plans, it->id);
                const carry_count *cc = tk_strmap_get(&h->count, it->id);
                if (cc) {
                    j->carried += cc->plans;
                    j->carried_overdue += cc->overdue;
                    r->prev_overdue = cc->overdue > 0;
                }
            }
            sh->nrows++;
        }
    }
}

static int read_history(gen *g, const job *j, bool counts_only, tk_arena *a, history *h, tk_diags *d);
static void history_free(history *h);

/* The rows of a job whose rows come later, in a new arena *rows (NULL when
 * the job holds its rows); job_rows_done drops them. A follow-up job's rows
 * are its department's open plans, and a job's history (read_history) is
 * read from the database: only by the process that holds it (run_jobs lays
 * them out ahead for the workers). 0, or -1 with a diagnostic in d. */
static int job_rows(gen *g, job *j, tk_arena **rows, tk_diags *d)
{
    *rows = NULL;
    if (!j->rows_later)
        return 0;
    tk_arena *a = tk_arena_new();
    if (g->followup) {
        tk_xlsx_sheet *sh = tk_arena_alloc(a, sizeof *sh);
        if (tk_open_plans_sheet(g->store, g->org->id, g->o->year, j->dept->code, g->tpl, tk_xlsx_first_item_row(g->tpl),
                                a, sh, d) != 0) {
            tk_arena_free(a);
            return -1;
        }
        j->sheets = sh;
        j->nsheets = 1;
    } else {
        size_t nch = g->nchapters ? g->nchapters : 1;
        history h;
        if (read_history(g, j, false, a, &h, d) != 0) {
            history_free(&h);
            tk_arena_free(a);
            return -1;
        }
        lay_out(g, j, tk_arena_alloc(a, nch * sizeof(size_t)), tk_arena_alloc(a, nch * sizeof(size_t)), a,
                g->has_previous ? &h : NULL);
        history_free(&h);
    }
    *rows = a;
    return 0;
}

static void job_rows_done(job *j, tk_arena *a)
{
    if (!a)
        return;
    tk_arena_free(a);
    j->sheets = NULL;
    j->nsheets = 0;
}

/* A job laid out: its token, file and placeholders. */
static int finish_job(gen *g, job *j)
{
    if (tk_generate_token(j->token) != 0) {
        tk_diag_error(g->d, NULL, 0, "乱数 (getrandom) を得られません: %s", strerror(errno));
        return TK_EXIT_FAILURE;
    }
    int rc = job_file(g, j);
    if (rc == TK_EXIT_OK)
        set_vars(g, j);
    return rc;
}

static job *new_job(gen *g, const tk_department *dep)
{
    job *j = &g->jobs[g->njobs];
    memset(j, 0, sizeof *j);
    j->dept = dep;
    j->respondent = "";
    return j;
}

/* Staff: one workbook per person of the roster (of the departments asked
 * for). People who hold the same roles see the same rows: their layout is
 * made once and shared. */
static int plan_staff(gen *g, const bool *want, size_t *count, size_t *sheet_of)
{
    const tk_roster *R = g->roster;
    g->jobs = tk_arena_alloc(g->a, (R->npeople ? R->npeople : 1) * sizeof *g->jobs);
    tk_strmap layouts = {0}; /* the person's roles -> a job laid out for them */
    int rc = TK_EXIT_OK;
    for (size_t i = 0; i < R->npeople && rc == TK_EXIT_OK; i++) {
        const tk_person *p = &R->people[i];
        if (!want[p->dept - g->org->departments])
            continue;
        job *j = new_job(g, p->dept);
        j->person = p;
        j->respondent = p->number;
        const char *key = joined(g->a, p->roles, p->nroles);
        const job *same = tk_strmap_get(&layouts, key);
        if (same) {
            j->sheets = same->sheets;
            j->nsheets = same->nsheets;
            j->nitems = same->nitems;
        } else {
            lay_out(g, j, count, sheet_of, g->a, NULL);
        }
        if (j->nitems == 0) {
            tk_diag_warn(g->d, R->path, p->line, "職員番号「%s」(%s) が答える項目がないため、点検票を作りません (役割 %s の項目がありません)",
                         p->number, p->name, key);
            continue;
        }
        if (!same)
            tk_strmap_set(&layouts, key, j);
        g->njobs++;
        rc = finish_job(g, j);
    }
    tk_strmap_free(&layouts);
    if (rc == TK_EXIT_OK && g->njobs == 0) {
        tk_diag_error(g->d, R->path, 0, "点検票を作る職員がいません");
        rc = TK_EXIT_INPUT;
    }
    return rc;
}

static int plan_jobs(gen *g)
{
    const tk_org *org = g->org;
    bool *want = tk_arena_alloc(g->a, (org->ndepartments ? org->ndepartments : 1) * sizeof *want);
    int rc = select_departments(g, want);
    if (rc != TK_EXIT_OK)
        return rc;
    size_t *count = tk_arena_alloc(g->a, (g->nchapters ? g->nchapters : 1) * sizeof *count);
    size_t *sheet_of = tk_arena_alloc(g->a, (g->nchapters ? g->nchapters : 1) * sizeof *sheet_of);
    if (g->staff)
        return plan_staff(g, want, count, sheet_of);

    size_t cap = 0;
    for (size_t di = 0; di < org->ndepartments; di++)
        cap += g->o->split_role ? org->departments[di].nholds : 1;
    g->jobs = tk_arena_alloc(g->a, (cap ? cap : 1) * sizeof *g->jobs);
    for (size_t di = 0; di < org->ndepartments; di++) {
        if (!want[di])
            continue;
        const tk_department *dep = &org->departments[di];
        size_t before = g->njobs;
        /* one workbook, or one per role the department holds */
        size_t nparts = g->o->split_role ? dep->nholds : 1;
        for (size_t k = 0; k < nparts; k++) {
            job *j = new_job(g, dep);
            if (g->o->split_role)
                j->role = j->respondent = dep->holds[k];
            /* the items and the plans carried over now (the cover shows
             * them); the rows again when they are written and recorded */
            tk_arena *a = tk_arena_new();
            history h;
            rc = read_history(g, j, true, a, &h, g->d);
            if (rc == 0)
                lay_out(g, j, count, sheet_of, a, g->has_previous ? &h : NULL);
            history_free(&h);
            tk_arena_free(a);
            if (rc != 0)
                return TK_EXIT_FAILURE;
            j->sheets = NULL;
            j->nsheets = 0;
            j->rows_later = true;
            if (j->nitems == 0)
                continue;
            g->njobs++;
            if ((rc = finish_job(g, j)) != TK_EXIT_OK)
                return rc;
        }
        if (g->njobs == before)
            tk_diag_warn(g->d, org->path, dep->xml_line, "部署「%s」が答える項目がないため、点検票を作りません (担う役割の項目がありません)",
                         dep->name);
    }
    if (g->njobs == 0) {
        tk_diag_error(g->d, org->path, 0, "点検票を作る部署がありません");
        return TK_EXIT_INPUT;
    }
    return TK_EXIT_OK;
}

/* ---- what earlier campaigns left: last year's answers, open plans ---- */

static bool keep_prev_answer(const char *code, const char *item_id, const char *value, void *user)
{
    (void)code;
    history *h = user;
    tk_strmap_set(&h->answer, tk_arena_strdup(h->a, item_id), tk_arena_strdup(h->a, value));
    h->g->history_bytes += strlen(value);
    return true;
}

/* A plan as the next year's workbook shows it: "【対応中・2027/3/31】content",
 * "【未着手・2027/3/31・期限超過】content" once its due date has passed. */
static const char *plan_line(tk_arena *a, const tk_open_plan *p, bool overdue)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_printf(&b, "【%s", tk_plan_status_label(p->status));
    tk_date due;
    if (p->due && tk_date_parse(p->due, &due))
        tk_buf_printf(&b, "・%d/%d/%d", due.y, due.m, due.d);
    tk_buf_puts(&b, overdue ? "・期限超過】" : "】");
    tk_buf_puts(&b, p->content && *p->content ? p->content : p->finding ? p->finding : "");
    const char *r = tk_arena_strdup(a, b.data);
    tk_buf_free(&b);
    return r;
}

/* A line added to the item's lines (plans, findings). */
static void add_line(history *h, const char *item_id, const char *line)
{
    h->g->history_bytes += strlen(line);
    const char *before = tk_strmap_get(&h->plans, item_id);
    if (before)
        tk_strmap_set(&h->plans, item_id, tk_arena_printf(h->a, "%s\n%s", before, line));
    else
        tk_strmap_set(&h->plans, tk_arena_strdup(h->a, item_id), tk_arena_strdup(h->a, line));
}

static bool keep_prev_plan(const tk_open_plan *p, void *user)
{
    history *h = user;
    tk_date due;
    bool overdue = p->due && tk_date_parse(p->due, &due) && tk_plan_days_overdue(p->status, due, h->g->today) > 0;
    if (!h->counts_only)
        add_line(h, p->item_id, plan_line(h->a, p, overdue));
    carry_count *cc = (carry_count *)tk_strmap_get(&h->count, p->item_id);
    if (!cc) {
        cc = tk_arena_alloc(h->a, sizeof *cc);
        memset(cc, 0, sizeof *cc);
        tk_strmap_set(&h->count, tk_arena_strdup(h->a, p->item_id), cc);
    }
    cc->plans++;
    cc->overdue += overdue;
    return true;
}

static bool keep_prev_finding(const char *code, const char *item_id, const char *line, void *user)
{
    (void)code;
    add_line(user, item_id, line);
    return true;
}

/* One department's history (history), read by the statements prepared
 * once per run: last year's answers and the open plans of earlier years
 * (counts_only: the plans counted, for the cover), or an audit's findings
 * still to be confirmed (none when counts_only). Empty without history.
 * Free with history_free (the strings stay in a). 0, or -1 with a
 * diagnostic in d. */
static int read_history(gen *g, const job *j, bool counts_only, tk_arena *a, history *h, tk_diags *d)
{
    memset(h, 0, sizeof *h);
    h->g = g;
    h->a = a;
    h->counts_only = counts_only;
    if (!g->has_previous)
        return 0;
    const char *code = j->dept->code;
    if (!strcmp(g->kind, "audit"))
        return counts_only || tk_findings_unconfirmed(g->store, g->org->id, g->o->year, code, keep_prev_finding, h, d) >= 0
                   ? 0
                   : -1;
    if (!counts_only && tk_store_current_answers(g->store, g->prev_campaign, code, keep_prev_answer, h, d) < 0)
        return -1;
    return tk_store_open_plans(g->store, g->org->id, g->kind, g->o->year - 1, code, keep_prev_plan, h, d) < 0 ? -1 : 0;
}

static void history_free(history *h)
{
    tk_strmap_free(&h->answer);
    tk_strmap_free(&h->plans);
    tk_strmap_free(&h->count);
}

/* Follow-up: a department's count of open plans. */
static bool keep_plan_count(const char *code, long plans, int first_year, void *user)
{
    gen *g = user;
    fu_count *c = tk_arena_alloc(g->a, sizeof *c);
    c->plans = plans;
    c->first_year = first_year;
    tk_strmap_set(&g->plan_counts, tk_arena_strdup(g->a, code), c);
    return true;
}

static bool any_finding(const char *code, const char *item_id, const char *line, void *user)
{
    (void)code;
    (void)item_id;
    (void)line;
    (void)user;
    return false;
}

/* Audit: the year's plan (who audits whom), and whether findings of
 * earlier audits are still to be confirmed (findings.h), whatever year
 * they were made in (a rotation comes back after years); without such
 * findings the 是正確認 columns are left out. Each department's are read
 * when its rows are laid out (read_history). */
static int load_audit_history(gen *g)
{
    long n = 0;
    if (g->store) {
        if (tk_audit_plan_load(g->store, g->org->id, g->o->year, &g->audit_plan, g->d) < 0)
            return TK_EXIT_FAILURE;
        n = tk_findings_unconfirmed(g->store, g->org->id, g->o->year, NULL, any_finding, NULL, g->d);
        if (n < 0)
            return TK_EXIT_FAILURE;
    }
    tk_template_omit_column(g->tpl, TK_COL_PREV_ANSWER);
    if (n == 0) {
        tk_template_omit_column(g->tpl, TK_COL_PREV_PLAN);
        tk_template_omit_column(g->tpl, TK_COL_CONFIRM);
    } else {
        g->has_previous = true;
    }
    return TK_EXIT_OK;
}

/* Self and audit: when last year's campaign of the same kind is on record,
 * each item shows last year's answer and the plans still open for it
 * (read a department at a time: read_history); otherwise those columns are
 * left out. Follow-up: the open plans, counted. */
static int load_history(gen *g)
{
    if (g->followup)
        return tk_store_open_plan_counts(g->store, g->org->id, NULL, g->o->year, keep_plan_count, g, g->d) < 0
                   ? TK_EXIT_FAILURE
                   : TK_EXIT_OK;
    tk_campaign_rec prev;
    /* last year's answers are a department's; a person's workbook (or one
     * of a department's per-role workbooks) does not show them */
    if (g->staff || g->o->split_role) {
        tk_template_omit_column(g->tpl, TK_COL_PREV_ANSWER);
        tk_template_omit_column(g->tpl, TK_COL_PREV_PLAN);
        return TK_EXIT_OK;
    }
    int found = g->store ? tk_store_campaign_find(g->store, g->org->id, g->o->year - 1, g->kind, &prev, g->d) : 0;
    if (found < 0)
        return TK_EXIT_FAILURE;
    if (!strcmp(g->kind, "audit"))
        return load_audit_history(g);
    if (!found) {
        tk_template_omit_column(g->tpl, TK_COL_PREV_ANSWER);
        tk_template_omit_column(g->tpl, TK_COL_PREV_PLAN);
        return TK_EXIT_OK;
    }
    g->has_previous = true;
    g->prev_campaign = prev.id;
    g->today = tk_date_today();
    return TK_EXIT_OK;
}

static int code_cmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Follow-up: plans of departments org.xml no longer has are not issued. */
static void warn_unknown_departments(gen *g)
{
    const tk_org *org = g->org;
    tk_strmap known = {0};
    for (size_t k = 0; k < org->ndepartments; k++)
        tk_strmap_set(&known, org->departments[k].code, &org->departments[k]);
    /* in order of department code */
    const char **codes = tk_arena_alloc(g->a, (g->plan_counts.n ? g->plan_counts.n : 1) * sizeof *codes);
    size_t n = 0;
    for (size_t i = 0; i < g->plan_counts.cap; i++)
        if (g->plan_counts.keys[i] && !tk_strmap_get(&known, g->plan_counts.keys[i]))
            codes[n++] = g->plan_counts.keys[i];
    qsort(codes, n, sizeof *codes, code_cmp);
    for (size_t i = 0; i < n; i++) {
        const fu_count *c = tk_strmap_get(&g->plan_counts, codes[i]);
        tk_diag_warn(g->d, org->path, 0, "部署コード「%s」の完了していない改善計画 %zu 件は、%s にその部署がないため確認票に載せません",
                     codes[i], (size_t)c->plans, org->path);
    }
    tk_strmap_free(&known);
}

/* Follow-up: one workbook per department with open plans, one row per plan
 * on the template's single sheet; the rows are read when the workbook is
 * written and recorded (job_rows). */
static int plan_followup(gen *g)
{
    const tk_org *org = g->org;
    bool *want = tk_arena_alloc(g->a, (org->ndepartments ? org->ndepartments : 1) * sizeof *want);
    int rc = select_departments(g, want);
    if (rc != TK_EXIT_OK)
        return rc;
    if (!g->subset)
        warn_unknown_departments(g);

    g->jobs = tk_arena_alloc(g->a, (org->ndepartments ? org->ndepartments : 1) * sizeof *g->jobs);
    for (size_t di = 0; di < org->ndepartments; di++) {
        if (!want[di])
            continue;
        const tk_department *dep = &org->departments[di];
        const fu_count *c = tk_strmap_get(&g->plan_counts, dep->code);
        if (!c || c->plans == 0) {
            if (g->o->ndepartments)
                tk_diag_warn(g->d, org->path, dep->xml_line, "部署「%s」には完了していない改善計画がないため、確認票を作りません", dep->name);
            continue;
        }
        job *j = new_job(g, dep);
        g->njobs++;
        j->nitems = (size_t)c->plans;
        j->rows_later = true;
        /* a plan of an earlier year may be reported done before this year began */
        tk_date start = {c->first_year, 4, 1};
        if (tk_date_cmp(start, g->date_min) < 0)
            g->date_min = start;
        if ((rc = finish_job(g, j)) != TK_EXIT_OK)
            return rc;
    }
    if (g->njobs == 0) {
        tk_diag_error(g->d, g->db_path, 0, "%s に、完了していない改善計画 (%d 年度以前の自己点検・監査) がある部署がありません。確認票は作りません",
                      g->db_path, g->o->year);
        return TK_EXIT_INPUT;
    }
    return TK_EXIT_OK;
}

/* ---- the database ---- */

static const char *joined(tk_arena *a, const char *const *v, size_t n)
{
    tk_buf b;
    tk_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        tk_buf_printf(&b, "%s%s", i ? " " : "", v[i]);
    char *s = tk_arena_strdup(a, b.data ? b.data : "");
    tk_buf_free(&b);
    return s;
}

static bool job_has_department(const gen *g, const char *code)
{
    for (size_t i = 0; i < g->njobs; i++)
        if (!strcmp(g->jobs[i].dept->code, code))
            return true;
    return false;
}

typedef struct others {
    const gen *g;
    size_t n;
} others;

static bool count_others(const tk_workbook_rec *w, void *user)
{
    others *o = user;
    if (!job_has_department(o->g, w->department_code))
        o->n++;
    return true;
}

static const char *campaign_label(gen *g)
{
    return tk_arena_printf(g->a, "%s %s %s", g->org->name, g->fy_label, g->tpl->name);
}

/* Refuse what would overwrite without force. */
static int check_existing(gen *g)
{
    const tk_generate_opts *o = g->o;
    int rc = TK_EXIT_OK;
    tk_campaign_rec rec;
    int found = tk_store_campaign_find(g->store, g->org->id, o->year, g->kind, &rec, g->d);
    if (found < 0)
        return TK_EXIT_FAILURE;
    if (found && !o->force) {
        tk_diag_error(g->d, g->db_path, 0,
                      "この調査 (%s) は既に作成されています (%s 作成)。作り直すには --force を指定してください。"
                      "作り直すと、作り直した部署に以前配布した点検票は無効になります",
                      campaign_label(g), rec.created_at);
        rc = TK_EXIT_INPUT;
    }
    if (found && o->force && g->subset &&
        (strcmp(rec.checklist_hash, g->cl->hash) != 0 || strcmp(rec.template_ref, g->template_ref) != 0)) {
        others ot = {g, 0};
        if (tk_store_workbooks_active(g->store, rec.id, count_others, &ot, g->d) < 0)
            return TK_EXIT_FAILURE;
        if (ot.n > 0) {
            tk_diag_error(g->d, g->cl->path, 0,
                          "チェックリストまたはひな形が、この調査を作成したときから変わっています。一部の部署だけを作り直すと、"
                          "同じ調査の中で項目が食い違います (ほかに有効な点検票が %zu 部署あります)。--department を付けずに全部署を作り直してください",
                          ot.n);
            rc = TK_EXIT_INPUT;
        }
    }
    if (!o->force) {
        size_t shown = 0, exist = 0;
        for (size_t i = 0; i < g->njobs; i++) {
            if (!tk_file_exists(g->jobs[i].file))
                continue;
            if (shown++ < 3)
                tk_diag_error(g->d, g->jobs[i].file, 0, "ファイルが既にあります。上書きするには --force を指定してください");
            exist++;
        }
        if (exist > 3)
            tk_diag_error(g->d, g->dir, 0, "ほかにも %zu 個のファイルが既にあります", exist - 3);
        if (tk_file_exists(g->csv_path))
            tk_diag_error(g->d, g->csv_path, 0, "配布一覧が既にあります。上書きするには --force を指定してください");
        if (exist || tk_file_exists(g->csv_path))
            rc = TK_EXIT_INPUT;
    }
    return rc;
}

static int record_departments(gen *g)
{
    for (size_t i = 0; i < g->org->ndepartments; i++) {
        const tk_department *dep = &g->org->departments[i];
        if (tk_store_department_put(g->store, g->campaign_id, dep->code, dep->name,
                                    joined(g->a, dep->holds, dep->nholds), g->d) != 0)
            return TK_EXIT_FAILURE;
    }
    return TK_EXIT_OK;
}

/* A follow-up campaign's "items" are its rows' plans, each with the item it
 * is about; they are added, never removed (a department's workbook of an
 * earlier round stays valid while it is not replaced). Its list is the plan
 * statuses. A job's rows, numbered on through the campaign. */
static int record_followup_items(gen *g, const job *j)
{
    const char *sheet = g->tpl->single_sheet;
    const tk_xlsx_sheet *sh = &j->sheets[0];
    for (size_t i = 0; i < sh->nrows; i++) {
        const tk_item *it = sh->rows[i].item;
        tk_store_item si = {
            .item_id = it->id,
            .seq = ++g->followup_seq,
            .ref = it->ref,
            .level = tk_level_name(it->level),
            .roles = "",
            .chapter = sheet,
            .sheet = sheet,
            .text = it->text,
            .context = it->context,
            .text_hash = sh->rows[i].text_hash,
            .weight = 1,
        };
        if (tk_store_item_put(g->store, g->campaign_id, &si, g->d) != 0)
            return TK_EXIT_FAILURE;
    }
    return TK_EXIT_OK;
}

/* The rest of a follow-up campaign: its plan statuses, its departments
 * (the rows' items are recorded with the workbooks, record_batch). */
static int record_followup(gen *g)
{
    if (tk_store_scale_clear(g->store, g->campaign_id, g->d) != 0)
        return TK_EXIT_FAILURE;
    for (size_t i = 0; i < g->tpl->nstatuses; i++) {
        const tk_tpl_status *ts = &g->tpl->statuses[i];
        if (tk_store_scale_put_status(g->store, g->campaign_id, (int)i + 1, ts->value, tk_plan_status_key(ts->status),
                                      g->d) != 0)
            return TK_EXIT_FAILURE;
    }
    return record_departments(g);
}

/* The roster as issued (the whole of it, also with --department; a run for
 * some departments keeps the people of earlier runs, whose workbooks stay
 * valid). */
static int record_roster(gen *g)
{
    if (!g->subset && tk_store_persons_clear(g->store, g->campaign_id, g->d) != 0)
        return TK_EXIT_FAILURE;
    for (size_t i = 0; i < g->roster->npeople; i++) {
        const tk_person *p = &g->roster->people[i];
        tk_store_person sp = {p->number, p->name, p->dept->code, p->title, p->mail, joined(g->a, p->roles, p->nroles)};
        if (tk_store_person_put(g->store, g->campaign_id, &sp, g->d) != 0)
            return TK_EXIT_FAILURE;
    }
    return TK_EXIT_OK;
}

static int record_campaign(gen *g)
{
    const tk_generate_opts *o = g->o;
    tk_campaign_new cn = {
        .org = g->org->id,
        .org_name = g->org->name,
        .kind = g->kind,
        .year = o->year,
        .checklist_hash = g->cl->hash,
        .deadline = g->has_deadline ? g->deadline_iso : NULL,
        .template_ref = g->template_ref,
    };
    g->campaign_id = tk_store_campaign_put(g->store, &cn, g->d);
    if (g->campaign_id < 0)
        return TK_EXIT_FAILURE;
    if (g->followup)
        return record_followup(g);
    const tk_checklist *c = g->cl;
    const char **ids = tk_arena_alloc(g->a, (c->nitems ? c->nitems : 1) * sizeof *ids);
    for (size_t i = 0; i < c->nitems; i++) {
        const tk_item *it = &c->items[i];
        ids[i] = it->id;
        tk_store_item si = {
            .item_id = it->id,
            .seq = (int)i + 1,
            .ref = it->ref,
            .level = tk_level_name(it->level),
            .roles = joined(g->a, it->roles, it->nroles),
            .chapter = g->chapters[g->item_ch[i]].caption,
            .sheet = g->tpl->single_sheet ? g->tpl->single_sheet : g->chapters[g->item_ch[i]].sheet,
            .text = it->text,
            .context = it->context,
            .text_hash = g->item_hash[i],
            .weight = it->weight,
        };
        if (tk_store_item_put(g->store, g->campaign_id, &si, g->d) != 0)
            return TK_EXIT_FAILURE;
    }
    if (tk_store_items_retain(g->store, g->campaign_id, ids, c->nitems, g->d) != 0)
        return TK_EXIT_FAILURE;
    if (tk_store_scale_clear(g->store, g->campaign_id, g->d) != 0)
        return TK_EXIT_FAILURE;
    /* points as a share of the best answer's */
    double best = tk_template_points_max(g->tpl);
    for (size_t i = 0; i < g->tpl->nanswers; i++) {
        const tk_tpl_answer *an = &g->tpl->answers[i];
        if (tk_store_scale_put(g->store, g->campaign_id, (int)i + 1, an->value, an->points / best, an->excluded,
                               an->negative, g->d) != 0 ||
            (an->flag && tk_store_scale_set_flag(g->store, g->campaign_id, an->value, an->flag, g->d) != 0))
            return TK_EXIT_FAILURE;
    }
    if (g->staff && record_roster(g) != TK_EXIT_OK)
        return TK_EXIT_FAILURE;
    if (g->tpl->nconfirms && tk_findings_put_confirm(g->store, g->campaign_id, g->tpl, g->d) != 0)
        return TK_EXIT_FAILURE;
    return record_departments(g);
}

typedef struct stale {
    const gen *g;
    int64_t *ids;
    size_t n;
} stale;

static bool collect_stale(const tk_workbook_rec *w, void *user)
{
    stale *s = user;
    for (size_t i = 0; i < s->g->njobs; i++)
        if (s->g->jobs[i].workbook_id == w->id)
            return true;
    s->ids[s->n++] = w->id;
    return true;
}

/* A job's workbook and its rows; the one it replaces revoked. */
static int record_workbook(gen *g, job *j)
{
    int64_t old = 0;
    int found = tk_store_workbook_active_for(g->store, g->campaign_id, j->dept->code, j->respondent, &old, g->d);
    if (found < 0)
        return TK_EXIT_FAILURE;
    if (found && tk_store_workbook_revoke(g->store, old, 0, g->now, g->d) != 0)
        return TK_EXIT_FAILURE;
    tk_workbook_rec w = {
        .department_code = j->dept->code,
        .token = j->token,
        .file = j->file,
        .items = (int)j->nitems,
        .sha256 = j->sha256,
        .created_at = g->now,
        .respondent = j->respondent,
    };
    j->workbook_id = tk_store_workbook_add(g->store, g->campaign_id, &w, g->d);
    if (j->workbook_id < 0)
        return TK_EXIT_FAILURE;
    if (found) {
        if (tk_store_workbook_revoke(g->store, old, j->workbook_id, g->now, g->d) != 0)
            return TK_EXIT_FAILURE;
        g->revoked++;
    }
    tk_arena *rows;
    if (job_rows(g, j, &rows, g->d) != 0)
        return TK_EXIT_FAILURE;
    for (size_t s = 0; s < j->nsheets; s++) {
        const tk_xlsx_sheet *sh = &j->sheets[s];
        for (size_t r = 0; r < sh->nrows; r++) {
            const tk_xlsx_row *row = &sh->rows[r];
            if (tk_store_workbook_item_add(g->store, j->workbook_id, row->seq, row->item->id, sh->name, row->row,
                                           row->text_hash, row->plan ? row->plan->id : 0, g->d) != 0) {
                job_rows_done(j, rows);
                return TK_EXIT_FAILURE;
            }
        }
    }
    job_rows_done(j, rows);
    return TK_EXIT_OK;
}

static int record_workbooks(gen *g)
{
    for (size_t i = 0; i < g->njobs; i++)
        if (!g->jobs[i].workbook_id && record_workbook(g, &g->jobs[i]) != TK_EXIT_OK)
            return TK_EXIT_FAILURE;
    if (!g->subset) {
        /* a full run: what it did not replace is no longer issued */
        long n = tk_store_workbooks_active(g->store, g->campaign_id, NULL, NULL, g->d);
        if (n < 0)
            return TK_EXIT_FAILURE;
        stale st = {g, tk_arena_alloc(g->a, ((size_t)n + 1) * sizeof(int64_t)), 0};
        if (tk_store_workbooks_active(g->store, g->campaign_id, collect_stale, &st, g->d) < 0)
            return TK_EXIT_FAILURE;
        for (size_t i = 0; i < st.n; i++) {
            if (tk_store_workbook_revoke(g->store, st.ids[i], 0, g->now, g->d) != 0)
                return TK_EXIT_FAILURE;
            g->revoked++;
        }
        if (st.n && g->staff)
            tk_diag_warn(g->d, g->db_path, 0, "今回作らなかった職員の点検票 %zu 件を無効にしました (名簿から外れたか、答える項目がなくなった職員)",
                         st.n);
        else if (st.n)
            tk_diag_warn(g->d, g->db_path, 0, "今回作らなかった部署の点検票 %zu 件を無効にしました (org.xml から外れたか、答える項目がなくなった部署)",
                         st.n);
    }
    return TK_EXIT_OK;
}

/* ---- the distribution list ---- */

static void csv_field(tk_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        tk_buf_puts(b, s);
        return;
    }
    tk_buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            tk_buf_putc(b, '"');
        tk_buf_putc(b, *p);
    }
    tk_buf_putc(b, '"');
}

typedef struct csv_ctx {
    tk_buf *b;
    const char *deadline;
    const char *dir; /* the campaign's folder: files are named below it */
    bool staff;
} csv_ctx;

static bool csv_row(const tk_workbook_rec *w, void *user)
{
    csv_ctx *c = user;
    size_t ld = strlen(c->dir);
    const char *slash = strrchr(w->file, '/');
    const char *name = !strncmp(w->file, c->dir, ld) && w->file[ld] == '/' ? w->file + ld + 1 : slash ? slash + 1 : w->file;
    csv_field(c->b, w->department_code);
    tk_buf_putc(c->b, ',');
    csv_field(c->b, w->department_name);
    tk_buf_putc(c->b, ',');
    if (c->staff) {
        csv_field(c->b, w->respondent ? w->respondent : "");
        tk_buf_putc(c->b, ',');
        csv_field(c->b, w->person_name ? w->person_name : "");
        tk_buf_putc(c->b, ',');
        csv_field(c->b, w->person_mail ? w->person_mail : "");
        tk_buf_putc(c->b, ',');
    }
    csv_field(c->b, name);
    tk_buf_putc(c->b, ',');
    csv_field(c->b, w->token);
    tk_buf_printf(c->b, ",%d,", w->items);
    csv_field(c->b, c->deadline);
    tk_buf_puts(c->b, "\r\n");
    return true;
}

static int write_distribution(gen *g)
{
    const tk_template *t = g->tpl;
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_puts(&b, "\xEF\xBB\xBF"); /* BOM: Excel reads the file as UTF-8 */
    const char *heads[9] = {t->dist_code, t->dist_department, t->dist_workbook, t->dist_token, t->dist_items, t->dist_deadline};
    size_t nheads = 6;
    if (g->staff) {
        /* a mail merge's: the person beside the department */
        const char *staff[9] = {t->dist_code,   t->dist_department, t->dist_number, t->dist_person,  t->dist_mail,
                                t->dist_workbook, t->dist_token,    t->dist_items,  t->dist_deadline};
        memcpy(heads, staff, sizeof staff);
        nheads = 9;
    }
    for (size_t i = 0; i < nheads; i++) {
        if (i)
            tk_buf_putc(&b, ',');
        csv_field(&b, heads[i] ? heads[i] : "");
    }
    tk_buf_puts(&b, "\r\n");
    csv_ctx c = {&b, g->has_deadline ? g->deadline_iso : "", g->dir, g->staff};
    if (tk_store_workbooks_active(g->store, g->campaign_id, csv_row, &c, g->d) < 0) {
        tk_buf_free(&b);
        return TK_EXIT_FAILURE;
    }
    bool err;
    g->csv_backup = set_aside(g, g->csv_path, &err);
    if (err) {
        tk_buf_free(&b);
        return TK_EXIT_FAILURE;
    }
    int rc = tk_file_write_atomic(g->csv_path, b.data, b.len, false);
    tk_buf_free(&b);
    if (rc != 0) {
        tk_diag_error(g->d, g->csv_path, 0, "配布一覧を書き出せません: %s", strerror(errno));
        return TK_EXIT_FAILURE;
    }
    g->csv_written = true;
    return TK_EXIT_OK;
}

/* ---- writing the workbooks ---- */

static int make_tmp(gen *g, job *j)
{
    char *tmp = tk_arena_printf(g->a, "%s.tmp-XXXXXX", j->file);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        tk_diag_error(g->d, j->file, 0, "一時ファイルを作れません: %s", strerror(errno));
        return -1;
    }
    /* mkstemp makes 0600; give the workbook the mode any new file gets */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        tk_diag_error(g->d, j->file, 0, "一時ファイルの権限を設定できません: %s", strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    j->tmp = tmp;
    return 0;
}

/* Write one workbook to its temporary file and hash it. Diagnostics name
 * the final file. */
static int write_job(gen *g, job *j, tk_diags *d)
{
    tk_arena *rows;
    if (job_rows(g, j, &rows, d) != 0)
        return -1;
    tk_xlsx_spec spec = {
        .tpl = g->tpl,
        .vars = j->vars,
        .nvars = NVARS,
        .date_min = g->date_min,
        .sheets = j->sheets,
        .nsheets = j->nsheets,
        .token = j->token,
        .org = g->org->id,
        .kind = g->kind,
        .checklist_hash = g->cl->hash,
        .department_code = j->dept->code,
        .department_name = j->dept->name,
        .respondent = j->respondent,
        .respondent_name = j->person ? j->person->name : NULL,
        .issued_at = g->now,
        .year = g->o->year,
        .campaign_id = g->campaign_id,
        .measure = g->measure,
        .created = (int64_t)g->created,
    };
    tk_diags local;
    tk_diags_init(&local);
    enum tk_xlsx_stamp_how how;
    int rc = tk_xlsx_stamp_write(g->stamp, &spec, j->tmp, &local, &how);
    j->how = how;
    if (rc == 0) {
        tk_buf b;
        if (tk_file_read(j->tmp, WORKBOOK_MAX_BYTES, &b) != 0) {
            tk_diag_error(&local, j->tmp, 0, "書き出した点検票を読み返せません: %s", strerror(errno));
            rc = -1;
        } else {
            tk_sha256_hex(b.data, b.len, j->sha256);
            tk_buf_free(&b);
        }
    }
    for (size_t i = 0; i < local.count; i++)
        tk_diag_add(d, local.items[i].severity, j->file, local.items[i].line, local.items[i].place, "%s",
                    local.items[i].message);
    tk_diags_free(&local);
    job_rows_done(j, rows);
    return rc;
}

/* Was the run asked to stop (SIGINT, SIGTERM, SIGHUP held pending)? The
 * signals stay blocked during the run so that it can clean up first; they
 * are delivered when tk_generate_run restores the caller's mask. */
static bool stop_requested(gen *g)
{
    if (g->interrupted)
        return true;
    sigset_t pending;
    if (sigpending(&pending) != 0)
        return false;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&g->stop_signals, sig) == 1 && sigismember(&pending, sig) == 1) {
            g->interrupted = true;
            tk_diag_error(g->d, NULL, 0, "中断の指示 (シグナル %d) を受けたため、作成を取りやめました", sig);
            return true;
        }
    }
    return false;
}

static void report_progress(gen *g, size_t done, const job *j)
{
    if (g->o->progress)
        g->o->progress(g->o->progress_user, done, g->njobs, j->dept->name);
}

/* A batch of jobs [from, to) as a tk_workers run (workers.h), in this
 * process or by forked workers: job i of the run is g->jobs[from + i]. */
typedef struct batch {
    gen *g;
    size_t from;
} batch;

static int batch_run(void *user, size_t i, char result[TK_WORKERS_RESULT], tk_diags *d)
{
    batch *b = user;
    job *j = &b->g->jobs[b->from + i];
    if (write_job(b->g, j, d) != 0)
        return -1;
    snprintf(result, TK_WORKERS_RESULT, "%s %d", j->sha256, (int)j->how);
    return 0;
}

/* Each worker (or this process) keeps the masters of the workbooks it
 * writes (xlsx_stamp.h). */
static int batch_start(void *user, tk_diags *d)
{
    (void)d;
    gen *g = ((batch *)user)->g;
    if (!g->o->no_stamp)
        g->stamp = tk_xlsx_stamp_new(0);
    return 0;
}

static void batch_finish(void *user)
{
    gen *g = ((batch *)user)->g;
    tk_xlsx_stamp_free(g->stamp);
    g->stamp = NULL;
}

static void batch_done(void *user, size_t i, bool ok, const char *result)
{
    batch *b = user;
    job *j = &b->g->jobs[b->from + i];
    if (ok) {
        int how = 0;
        snprintf(j->sha256, sizeof j->sha256, "%.64s", result);
        if (strlen(result) > 65)
            how = atoi(result + 65);
        j->how = (enum tk_xlsx_stamp_how)how;
        b->g->masters += how == TK_XLSX_STAMP_MASTER;
        b->g->stamped += how == TK_XLSX_STAMP_MASTER || how == TK_XLSX_STAMP_STAMPED;
    }
    j->ok = ok;
    j->done = true;
    report_progress(b->g, ++b->g->ndone, j);
}

static const char *batch_file(void *user, size_t i)
{
    batch *b = user;
    return b->g->jobs[b->from + i].file;
}

static bool batch_stop(void *user) { return stop_requested(((batch *)user)->g); }

static int run_workers(gen *g, size_t from, size_t to)
{
    size_t *cost = tk_xcalloc(to - from ? to - from : 1, sizeof *cost);
    for (size_t i = from; i < to; i++)
        cost[i - from] = g->jobs[i].nitems;
    batch b = {g, from};
    tk_workers w = {.njobs = to - from,
                    .jobs = g->workers,
                    .cost = cost,
                    .user = &b,
                    .start = batch_start,
                    .finish = batch_finish,
                    .run = batch_run,
                    .done = batch_done,
                    .file = batch_file,
                    .stop_requested = batch_stop,
                    .worker_mask = &g->old_mask,
                    .stop_at_error = true,
                    .failed = "点検票を作成できません",
                    .lost = "点検票を作成できませんでした (作業用のプロセスが途中で終了しました)"};
    int rc = tk_workers_run(&w, g->d);
    free(cost);
    return rc == 0 ? TK_EXIT_OK : TK_EXIT_FAILURE;
}

/* Follow-up rows, and the history beside a self-check's or an audit's
 * rows, come from the database, which only this process reads: the workers
 * get them laid out ahead, a batch of jobs at a time, so that memory holds
 * one batch however many departments there are: jobs up to this many rows
 * (one job at least), and up to this many bytes of history text (a plan's
 * wording may run long). A history row holds less than a follow-up row,
 * and a bigger batch keeps the workers busy longer between batches. */
#define FOLLOWUP_BATCH_ROWS 1024
#define HISTORY_BATCH_ROWS 4096
#define HISTORY_BATCH_BYTES ((size_t)2 << 20)

/* Are the rows read from the database, a batch at a time? */
static bool rows_from_store(const gen *g) { return g->followup || g->has_previous; }

/* Lay out the rows of the batch of jobs that starts at from (*to: its
 * end), read as they come until the batch is full. */
static int hold_batch(gen *g, size_t from, size_t *to)
{
    size_t most = g->followup ? FOLLOWUP_BATCH_ROWS : HISTORY_BATCH_ROWS, rows = 0;
    g->history_bytes = 0;
    for (*to = from; *to < g->njobs; ++*to) {
        job *j = &g->jobs[*to];
        if (*to > from && (rows + j->nitems > most || g->history_bytes >= HISTORY_BATCH_BYTES))
            break;
        if (job_rows(g, j, &j->held, g->d) != 0)
            return TK_EXIT_FAILURE;
        j->rows_later = j->held == NULL && j->rows_later;
        rows += j->nitems;
    }
    return TK_EXIT_OK;
}

static void drop_rows(gen *g, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        job *j = &g->jobs[i];
        if (!j->held)
            continue;
        job_rows_done(j, j->held);
        j->held = NULL;
        j->rows_later = true;
    }
}

static int run_jobs(gen *g)
{
    g->workers = tk_workers_count(g->o->jobs, g->njobs);
    int rc = TK_EXIT_OK;
    for (size_t from = 0, to; from < g->njobs && rc == TK_EXIT_OK; from = to) {
        to = g->njobs;
        if (rows_from_store(g))
            rc = hold_batch(g, from, &to);
        if (rc == TK_EXIT_OK && stop_requested(g))
            rc = TK_EXIT_FAILURE;
        if (rc == TK_EXIT_OK)
            rc = run_workers(g, from, to);
        /* a batch read from the database is recorded while its rows are
         * held: each department's plans and history are read once */
        for (size_t i = from; rc == TK_EXIT_OK && rows_from_store(g) && i < to; i++)
            if ((g->followup && record_followup_items(g, &g->jobs[i]) != TK_EXIT_OK) ||
                record_workbook(g, &g->jobs[i]) != TK_EXIT_OK)
                rc = TK_EXIT_FAILURE;
        drop_rows(g, from, to);
    }
    return rc;
}

/* Move an existing file at path aside (path.old-XXXXXX) so that it can be
 * put back if the run fails. NULL when there is nothing to move; *err set
 * on failure. */
static char *set_aside(gen *g, const char *path, bool *err)
{
    struct stat st;
    *err = false;
    if (lstat(path, &st) != 0)
        return NULL;
    if (!S_ISREG(st.st_mode)) {
        tk_diag_error(g->d, path, 0, "ファイルではないもの (フォルダなど) が既にあるため置き換えられません。取り除いてからやり直してください");
        *err = true;
        return NULL;
    }
    char *old = tk_arena_printf(g->a, "%s.old-XXXXXX", path);
    int fd = mkstemp(old);
    if (fd < 0 || close(fd) != 0 || rename(path, old) != 0) {
        tk_diag_error(g->d, path, 0, "既存のファイルを退避できません: %s", strerror(errno));
        if (fd >= 0)
            unlink(old);
        *err = true;
        return NULL;
    }
    return old;
}

static int rename_all(gen *g)
{
    for (size_t i = 0; i < g->njobs; i++) {
        job *j = &g->jobs[i];
        bool err;
        j->backup = set_aside(g, j->file, &err);
        if (err)
            return TK_EXIT_FAILURE;
        if (rename(j->tmp, j->file) != 0) {
            tk_diag_error(g->d, j->file, 0, "点検票の名前を変えられません (%s から): %s", j->tmp, strerror(errno));
            return TK_EXIT_FAILURE;
        }
        j->tmp = NULL;
        j->renamed = true;
    }
    return TK_EXIT_OK;
}

/* Remove every file this run wrote and put back what it replaced; undo the
 * database. */
static void discard(gen *g)
{
    for (size_t i = 0; i < g->njobs; i++) {
        job *j = &g->jobs[i];
        if (j->tmp)
            unlink(j->tmp);
        if (j->renamed)
            unlink(j->file);
        if (j->backup && rename(j->backup, j->file) != 0)
            tk_diag_error(g->d, j->file, 0, "以前のファイルを元に戻せません。%s に残っています: %s", j->backup, strerror(errno));
        j->tmp = j->backup = NULL;
        j->renamed = false;
    }
    if (g->csv_written)
        unlink(g->csv_path);
    if (g->csv_backup && rename(g->csv_backup, g->csv_path) != 0)
        tk_diag_error(g->d, g->csv_path, 0, "以前の配布一覧を元に戻せません。%s に残っています: %s", g->csv_backup,
                      strerror(errno));
    if (g->store)
        tk_store_rollback(g->store);
}

/* After the commit: the replaced files are no longer needed. */
static void drop_backups(gen *g)
{
    for (size_t i = 0; i < g->njobs; i++)
        if (g->jobs[i].backup)
            unlink(g->jobs[i].backup);
    if (g->csv_backup)
        unlink(g->csv_backup);
}

/* ---- the run ---- */

static int open_store(gen *g)
{
    g->store = tk_store_open(g->db_path, g->d);
    if (!g->store || tk_store_begin(g->store, g->d) != 0)
        return TK_EXIT_FAILURE;
    return TK_EXIT_OK;
}

static void fill_result(gen *g, tk_generate_result *res, double t0)
{
    res->campaign_id = g->campaign_id;
    res->org_name = tk_xstrdup(g->org->name);
    res->kind_name = tk_xstrdup(g->tpl->name);
    res->fy_label = tk_xstrdup(g->fy_label);
    res->dir = tk_xstrdup(g->dir);
    res->distribution = tk_xstrdup(g->csv_path);
    res->db_path = tk_xstrdup(g->db_path);
    res->workbooks = tk_xcalloc(g->njobs, sizeof *res->workbooks);
    res->nworkbooks = g->njobs;
    for (size_t i = 0; i < g->njobs; i++) {
        const job *j = &g->jobs[i];
        tk_generate_workbook *w = &res->workbooks[i];
        w->code = tk_xstrdup(j->dept->code);
        w->name = tk_xstrdup(j->dept->name);
        w->file = tk_xstrdup(j->file);
        w->token = tk_xstrdup(j->token);
        w->items = j->nitems;
        w->stamped = j->how != TK_XLSX_STAMP_WRITTEN;
        res->items += j->nitems;
    }
    res->revoked = g->revoked;
    res->jobs = g->workers;
    res->masters = g->masters;
    res->stamped = g->stamped;
    res->seconds = now_seconds() - t0;
}

int tk_generate_run(const tk_generate_opts *o, tk_diags *d, tk_generate_result *res)
{
    double t0 = now_seconds();
    if (res)
        memset(res, 0, sizeof *res);
    gen g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.d = d;
    g.a = tk_arena_new();
    g.created = time(NULL);
    tk_store_now(g.now);
    sigemptyset(&g.stop_signals);
    static const int stops[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
        struct sigaction sa;
        /* an ignored signal (nohup, a background job) asks for nothing */
        if (sigaction(stops[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
            sigaddset(&g.stop_signals, stops[i]);
    }
    sigprocmask(SIG_BLOCK, &g.stop_signals, &g.old_mask);

    int rc = load_inputs(&g);
    if (rc == TK_EXIT_OK) {
        tk_fiscal_year_wareki(o->year, g.fy, sizeof g.fy);
        tk_fiscal_year_label(o->year, g.fy_label, sizeof g.fy_label);
        snprintf(g.year, sizeof g.year, "%d", o->year);
        if (g.has_deadline) {
            tk_date_both(g.deadline, g.deadline_both, sizeof g.deadline_both);
            tk_date_wareki(g.deadline, g.deadline_wareki, sizeof g.deadline_wareki);
            tk_date_iso(g.deadline, g.deadline_iso);
        }
        const char *out = o->out_dir && *o->out_dir ? o->out_dir : "out";
        g.dir = tk_path_join(g.a, tk_path_join(g.a, out, g.org->id), tk_arena_printf(g.a, "%d-%s", o->year, g.kind));
        g.csv_path = tk_path_join(g.a, g.dir, g.tpl->dist_file);
        g.db_path = o->db_path && *o->db_path ? o->db_path : tk_path_join(g.a, out, "tenken.db");
        g.date_min = (tk_date){o->year, 4, 1};
    }
    /* earlier campaigns are read inside the run's transaction: what is shown
     * is what is recorded */
    if (rc == TK_EXIT_OK && g.followup && !tk_file_exists(g.db_path)) {
        tk_diag_error(d, g.db_path, 0, "データベース %s がありません。改善計画は自己点検・監査の点検票を取り込むと記録されます", g.db_path);
        rc = TK_EXIT_INPUT;
    }
    if (rc == TK_EXIT_OK && (g.followup || tk_file_exists(g.db_path)))
        rc = open_store(&g);
    if (rc == TK_EXIT_OK)
        rc = load_history(&g);
    if (rc == TK_EXIT_OK)
        rc = g.followup ? plan_followup(&g) : plan_chapters(&g);
    if (rc == TK_EXIT_OK && !g.followup)
        rc = plan_jobs(&g);
    if (rc == TK_EXIT_OK && !g.store)
        rc = open_store(&g);
    if (rc == TK_EXIT_OK)
        rc = check_existing(&g);
    if (rc == TK_EXIT_OK && tk_mkdirs(g.dir) != 0) {
        tk_diag_error(d, g.dir, 0, "出力先のフォルダを作れません: %s", strerror(errno));
        rc = TK_EXIT_FAILURE;
    }
    /* staff: a folder per department */
    tk_strmap made = {0};
    for (size_t i = 0; rc == TK_EXIT_OK && g.staff && i < g.njobs; i++) {
        const char *folder = tk_path_dirname(g.a, g.jobs[i].file);
        bool seen = false;
        tk_strmap_put(&made, folder, folder, &seen);
        if (!seen && tk_mkdirs(folder) != 0) {
            tk_diag_error(d, folder, 0, "出力先のフォルダを作れません: %s", strerror(errno));
            rc = TK_EXIT_FAILURE;
        }
    }
    tk_strmap_free(&made);
    if (rc == TK_EXIT_OK)
        rc = record_campaign(&g);
    for (size_t i = 0; rc == TK_EXIT_OK && i < g.njobs; i++)
        if (make_tmp(&g, &g.jobs[i]) != 0)
            rc = TK_EXIT_FAILURE;
    if (rc == TK_EXIT_OK) {
        g.measure = tk_xlsx_measure_new(0);
        rc = run_jobs(&g);
    }
    if (rc == TK_EXIT_OK && stop_requested(&g))
        rc = TK_EXIT_FAILURE;
    if (rc == TK_EXIT_OK)
        rc = record_workbooks(&g);
    if (rc == TK_EXIT_OK)
        rc = rename_all(&g);
    if (rc == TK_EXIT_OK)
        rc = write_distribution(&g);
    if (rc == TK_EXIT_OK && tk_store_commit(g.store, d) != 0)
        rc = TK_EXIT_FAILURE;
    if (rc != TK_EXIT_OK) {
        discard(&g);
    } else {
        drop_backups(&g);
        if (res)
            fill_result(&g, res, t0);
    }

    tk_store_close(g.store);
    tk_xlsx_measure_free(g.measure);
    tk_strmap_free(&g.bases);
    tk_roster_free(g.roster);
    tk_strmap_free(&g.plan_counts);
    tk_audit_plan_free(g.audit_plan);
    tk_template_free(g.tpl);
    tk_checklist_free(g.cl);
    tk_org_free(g.org);
    tk_arena_free(g.a);
    /* a Ctrl-C held during the run takes effect now, with everything cleaned up */
    sigprocmask(SIG_SETMASK, &g.old_mask, NULL);
    return rc;
}

void tk_generate_result_free(tk_generate_result *r)
{
    if (!r)
        return;
    free(r->org_name);
    free(r->kind_name);
    free(r->fy_label);
    free(r->dir);
    free(r->distribution);
    free(r->db_path);
    for (size_t i = 0; i < r->nworkbooks; i++) {
        free(r->workbooks[i].code);
        free(r->workbooks[i].name);
        free(r->workbooks[i].file);
        free(r->workbooks[i].token);
    }
    free(r->workbooks);
    memset(r, 0, sizeof *r);
}
