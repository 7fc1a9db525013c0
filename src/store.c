/* store.c — the SQLite database: schema, migrations, transactions and the
 * statements generate needs. Later steps (ingest, score, plans) add their
 * tables as further migrations and their statements to the table below. */
#include "tenken/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tenken/platform.h"
#include "tenken/text.h"
#include "tenken/util.h"

/* PRAGMA application_id of a tenken database ("TKNK"). */
#define TK_APPLICATION_ID 0x544B4E4B

/* Forward-only migrations: MIGRATIONS[v] takes the schema from version v to
 * v + 1. Never edit one that has shipped; append a new one. */
static const char *const MIGRATIONS[] = {
    /* 0 -> 1: campaigns and issued workbooks */
    "CREATE TABLE campaign (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  org TEXT NOT NULL,\n"
    "  year INTEGER NOT NULL CHECK (year BETWEEN 1868 AND 9999),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('self','audit','followup')),\n"
    "  checklist_hash TEXT NOT NULL,\n"
    "  org_name TEXT NOT NULL,\n"
    "  deadline TEXT,\n"
    "  template TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT,\n"
    "  UNIQUE (org, year, kind)\n"
    ");\n"
    "CREATE TABLE campaign_item (\n"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,\n"
    "  item_id TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL,\n"
    "  ref TEXT NOT NULL,\n"
    "  level TEXT NOT NULL,\n"
    "  roles TEXT NOT NULL,\n"
    "  chapter TEXT NOT NULL,\n"
    "  sheet TEXT NOT NULL,\n"
    "  text TEXT NOT NULL,\n"
    "  context TEXT,\n"
    "  text_hash TEXT NOT NULL,\n"
    "  weight REAL NOT NULL DEFAULT 1,\n"
    "  PRIMARY KEY (campaign_id, item_id)\n"
    ");\n"
    "CREATE TABLE campaign_answer (\n"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  points REAL,\n"
    "  excluded INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0,1)),\n"
    "  negative INTEGER NOT NULL DEFAULT 0 CHECK (negative IN (0,1)),\n"
    "  PRIMARY KEY (campaign_id, value)\n"
    ");\n"
    "CREATE TABLE department (\n"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,\n"
    "  code TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  roles TEXT NOT NULL,\n"
    "  PRIMARY KEY (campaign_id, code)\n"
    ");\n"
    "CREATE TABLE workbook (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),\n"
    "  department_code TEXT NOT NULL,\n"
    "  token TEXT NOT NULL UNIQUE,\n"
    "  file TEXT NOT NULL,\n"
    "  items INTEGER NOT NULL,\n"
    "  sha256 TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  revoked_at TEXT,\n"
    "  replaced_by INTEGER REFERENCES workbook(id),\n"
    "  FOREIGN KEY (campaign_id, department_code) REFERENCES department(campaign_id, code)\n"
    ");\n"
    "CREATE UNIQUE INDEX workbook_active ON workbook(campaign_id, department_code) WHERE revoked_at IS NULL;\n"
    "CREATE TABLE workbook_item (\n"
    "  workbook_id INTEGER NOT NULL REFERENCES workbook(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL,\n"
    "  item_id TEXT NOT NULL,\n"
    "  sheet TEXT NOT NULL,\n"
    "  row INTEGER NOT NULL,\n"
    "  text_hash TEXT NOT NULL,\n"
    "  PRIMARY KEY (workbook_id, seq),\n"
    "  UNIQUE (workbook_id, item_id)\n"
    ");\n",
    /* 2: submissions, answers and remediation plans (ingest, plans) */
    "CREATE TABLE submission (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  workbook_id INTEGER NOT NULL REFERENCES workbook(id),\n"
    "  sha256 TEXT NOT NULL,\n"
    "  file TEXT NOT NULL,\n"
    "  received_at TEXT NOT NULL,\n"
    "  answered INTEGER NOT NULL,\n"
    "  flagged INTEGER NOT NULL,\n"
    "  superseded_by INTEGER REFERENCES submission(id),\n"
    "  UNIQUE (workbook_id, sha256)\n"
    ");\n"
    "CREATE INDEX submission_current ON submission(workbook_id) WHERE superseded_by IS NULL;\n"
    "CREATE TABLE submission_field (\n"
    "  submission_id INTEGER NOT NULL REFERENCES submission(id) ON DELETE CASCADE,\n"
    "  key TEXT NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  PRIMARY KEY (submission_id, key)\n"
    ");\n"
    "CREATE TABLE answer (\n"
    "  submission_id INTEGER NOT NULL REFERENCES submission(id) ON DELETE CASCADE,\n"
    "  item_id TEXT NOT NULL,\n"
    "  value TEXT,\n"
    "  evidence TEXT, note TEXT, finding TEXT, advice TEXT,\n"
    "  plan TEXT, owner TEXT, due TEXT,\n"
    "  flag TEXT,\n"
    "  cell TEXT,\n"
    "  PRIMARY KEY (submission_id, item_id)\n"
    ");\n"
    "CREATE TABLE plan (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id),\n"
    "  department_code TEXT NOT NULL,\n"
    "  item_id TEXT NOT NULL,\n"
    "  origin TEXT NOT NULL CHECK (origin IN ('answer','finding')),\n"
    "  source_submission_id INTEGER REFERENCES submission(id),\n"
    "  answer TEXT, finding TEXT,\n"
    "  content TEXT NOT NULL,\n"
    "  owner TEXT, due TEXT,\n"
    "  status TEXT NOT NULL CHECK (status IN ('not-started','in-progress','done','postponed','risk-accepted')),\n"
    "  closed_at TEXT, evidence TEXT,\n"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
    "  UNIQUE (campaign_id, department_code, item_id)\n"
    ");\n"
    "CREATE TABLE plan_log (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  plan_id INTEGER NOT NULL REFERENCES plan(id),\n"
    "  at TEXT NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  due TEXT, note TEXT, reason TEXT,\n"
    "  submission_id INTEGER REFERENCES submission(id),\n"
    "  source TEXT NOT NULL\n"
    ");\n",
    /* 3: follow-up workbooks (a row is a remediation plan) and plans found by
     * department and item across years */
    "ALTER TABLE workbook_item ADD COLUMN plan_id INTEGER REFERENCES plan(id);\n"
    "ALTER TABLE campaign_answer ADD COLUMN plan_status TEXT\n"
    "  CHECK (plan_status IN ('not-started','in-progress','done','postponed','risk-accepted'));\n"
    "CREATE INDEX plan_department_item ON plan(department_code, item_id);\n"
    "CREATE INDEX plan_log_plan ON plan_log(plan_id);\n",
    /* 4: the staff self-check (campaign kind 'staff', one workbook per
     * person of the roster) and per-role department workbooks: a workbook's
     * respondent within its department ('' for the department itself, a
     * staff number, or a role id); the flag an answer raises (要研修); the
     * roster as issued. The kind's CHECK is widened in place (writable_schema:
     * no row changes; SQLite's "ALTER TABLE", section 7). */
    "ALTER TABLE workbook ADD COLUMN respondent TEXT NOT NULL DEFAULT '';\n"
    "DROP INDEX workbook_active;\n"
    "CREATE UNIQUE INDEX workbook_active ON workbook(campaign_id, department_code, respondent) "
    "WHERE revoked_at IS NULL;\n"
    "ALTER TABLE campaign_answer ADD COLUMN flag TEXT;\n"
    "CREATE TABLE person (\n"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,\n"
    "  number TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  department_code TEXT NOT NULL,\n"
    "  title TEXT, mail TEXT,\n"
    "  roles TEXT NOT NULL,\n"
    "  PRIMARY KEY (campaign_id, number)\n"
    ");\n"
    "PRAGMA writable_schema = ON;\n"
    "UPDATE sqlite_schema SET sql = replace(sql, '''followup''))', '''followup'',''staff''))') "
    "WHERE type = 'table' AND name = 'campaign';\n"
    "PRAGMA writable_schema = OFF;\n",
    /* 5: the secretariat's own 総評 of a campaign's committee report (tenken
     * report committee --comment FILE), kept with the campaign */
    "CREATE TABLE campaign_comment (\n"
    "  campaign_id INTEGER PRIMARY KEY REFERENCES campaign(id) ON DELETE CASCADE,\n"
    "  text TEXT NOT NULL,\n"
    "  file TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL\n"
    ");\n",
    /* 6: audits — the year's audit plan (who audits which department), the
     * auditor's 良好事例 and 是正確認 per answer, the auditee's 暫定措置, and a
     * finding's confirmation by a later audit (audit_plan.h, findings.h) */
    "CREATE TABLE audit_plan (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  org TEXT NOT NULL,\n"
    "  year INTEGER NOT NULL,\n"
    "  file TEXT NOT NULL,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  UNIQUE (org, year)\n"
    ");\n"
    "CREATE TABLE audit_assignment (\n"
    "  plan_id INTEGER NOT NULL REFERENCES audit_plan(id) ON DELETE CASCADE,\n"
    "  line INTEGER NOT NULL,\n"
    "  auditor TEXT NOT NULL,\n"
    "  affiliation TEXT NOT NULL,\n"
    "  affiliation_name TEXT NOT NULL,\n"
    "  department_code TEXT NOT NULL,\n"
    "  PRIMARY KEY (plan_id, line, department_code)\n"
    ");\n"
    "ALTER TABLE answer ADD COLUMN good TEXT;\n"
    "ALTER TABLE answer ADD COLUMN confirm TEXT;\n"
    "ALTER TABLE plan ADD COLUMN interim TEXT;\n"
    "ALTER TABLE plan ADD COLUMN verification TEXT;\n"
    "ALTER TABLE plan ADD COLUMN verified_at TEXT;\n"
    "CREATE TABLE campaign_confirm (\n"
    "  campaign_id INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  closes INTEGER NOT NULL DEFAULT 0 CHECK (closes IN (0,1)),\n"
    "  PRIMARY KEY (campaign_id, value)\n"
    ");\n",
    /* 7: a department's workbooks of a campaign, revoked ones included, by
     * index: next year's generate reads each department's answers when its
     * workbook is written (without it SQLite scans every answer each time) */
    "CREATE INDEX workbook_department ON workbook(campaign_id, department_code);\n",
    /* 8: a plan's status checked by comparisons, the same rule: SQLite
     * builds a table for an IN list of more than two values each time a
     * statement runs, and a CHECK runs with every plan written (ingest
     * writes a plan for about one answer in six: the check was 60% of the
     * cost of a plan's INSERT). Edited in place (writable_schema, as in 4:
     * no row changes). And the index of 3 dropped, which no query needs:
     * a department's plans of every year are found through the plan's own
     * UNIQUE (campaign_id, department_code, item_id), campaign by campaign
     * of the organisation (EXPLAIN QUERY PLAN of every statement on plan). */
    "PRAGMA writable_schema = ON;\n"
    "UPDATE sqlite_schema SET sql = replace(sql, "
    "'CHECK (status IN (''not-started'',''in-progress'',''done'',''postponed'',''risk-accepted''))', "
    "'CHECK (status = ''not-started'' OR status = ''in-progress'' OR status = ''done'' OR status = ''postponed'' "
    "OR status = ''risk-accepted'')') "
    "WHERE type = 'table' AND name = 'plan';\n"
    "PRAGMA writable_schema = OFF;\n"
    "DROP INDEX plan_department_item;\n",
};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))
_Static_assert(NMIGRATIONS == TK_STORE_SCHEMA_VERSION, "a migration and TK_STORE_SCHEMA_VERSION go together");

/* Prepared once per handle, on first use. */
enum stmt {
    ST_CAMPAIGN_FIND,
    ST_CAMPAIGN_INSERT,
    ST_CAMPAIGN_UPDATE,
    ST_ITEM_PUT,
    ST_ITEMS_RETAIN,
    ST_SCALE_CLEAR,
    ST_SCALE_PUT,
    ST_SCALE_PUT_STATUS,
    ST_DEPARTMENT_PUT,
    ST_WORKBOOK_ACTIVE,
    ST_WORKBOOK_ADD,
    ST_WORKBOOK_ITEM_ADD,
    ST_WORKBOOK_REVOKE,
    ST_WORKBOOKS_ACTIVE,
    ST_SCALE_FLAG,
    ST_PERSON_PUT,
    ST_PERSONS_CLEAR,
    ST_COUNT
};

static const char *const SQL[ST_COUNT] = {
    [ST_CAMPAIGN_FIND] = "SELECT id, checklist_hash, coalesce(deadline,''), created_at, template FROM campaign "
                         "WHERE org = ?1 AND year = ?2 AND kind = ?3",
    [ST_CAMPAIGN_INSERT] = "INSERT INTO campaign (org, year, kind, checklist_hash, org_name, deadline, template, "
                           "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_CAMPAIGN_UPDATE] = "UPDATE campaign SET checklist_hash = ?4, org_name = ?5, deadline = ?6, template = ?7, "
                           "updated_at = ?8 WHERE org = ?1 AND year = ?2 AND kind = ?3 RETURNING id",
    [ST_ITEM_PUT] = "INSERT INTO campaign_item (campaign_id, item_id, seq, ref, level, roles, chapter, sheet, text, "
                    "context, text_hash, weight) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                    "ON CONFLICT (campaign_id, item_id) DO UPDATE SET seq = excluded.seq, ref = excluded.ref, "
                    "level = excluded.level, roles = excluded.roles, chapter = excluded.chapter, "
                    "sheet = excluded.sheet, text = excluded.text, context = excluded.context, "
                    "text_hash = excluded.text_hash, weight = excluded.weight",
    [ST_ITEMS_RETAIN] = "DELETE FROM campaign_item WHERE campaign_id = ?1 AND item_id NOT IN "
                        "(SELECT value FROM json_each(?2))",
    [ST_SCALE_CLEAR] = "DELETE FROM campaign_answer WHERE campaign_id = ?1",
    [ST_SCALE_PUT] = "INSERT INTO campaign_answer (campaign_id, seq, value, points, excluded, negative) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SCALE_PUT_STATUS] = "INSERT INTO campaign_answer (campaign_id, seq, value, points, excluded, negative, plan_status) "
                            "VALUES (?1, ?2, ?3, NULL, 0, 0, ?4)",
    [ST_DEPARTMENT_PUT] = "INSERT INTO department (campaign_id, code, name, roles) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT (campaign_id, code) DO UPDATE SET name = excluded.name, roles = excluded.roles",
    [ST_WORKBOOK_ACTIVE] = "SELECT id FROM workbook WHERE campaign_id = ?1 AND department_code = ?2 "
                           "AND respondent = ?3 AND revoked_at IS NULL",
    [ST_WORKBOOK_ADD] = "INSERT INTO workbook (campaign_id, department_code, token, file, items, sha256, created_at, "
                        "respondent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_WORKBOOK_ITEM_ADD] = "INSERT INTO workbook_item (workbook_id, seq, item_id, sheet, row, text_hash, plan_id) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0))",
    [ST_WORKBOOK_REVOKE] = "UPDATE workbook SET revoked_at = ?2, replaced_by = nullif(?3, 0) WHERE id = ?1",
    [ST_WORKBOOKS_ACTIVE] = "SELECT w.id, w.department_code, coalesce(d.name, ''), w.token, w.file, w.items, "
                            "coalesce(w.sha256, ''), w.created_at, w.respondent, coalesce(p.name, ''), coalesce(p.mail, '') "
                            "FROM workbook w LEFT JOIN department d "
                            "ON d.campaign_id = w.campaign_id AND d.code = w.department_code "
                            "LEFT JOIN person p ON p.campaign_id = w.campaign_id AND p.number = w.respondent "
                            "WHERE w.campaign_id = ?1 AND w.revoked_at IS NULL ORDER BY w.department_code, w.id",
    [ST_SCALE_FLAG] = "UPDATE campaign_answer SET flag = ?3 WHERE campaign_id = ?1 AND value = ?2",
    [ST_PERSON_PUT] = "INSERT INTO person (campaign_id, number, name, department_code, title, mail, roles) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (campaign_id, number) DO UPDATE SET "
                      "name = excluded.name, department_code = excluded.department_code, title = excluded.title, "
                      "mail = excluded.mail, roles = excluded.roles",
    [ST_PERSONS_CLEAR] = "DELETE FROM person WHERE campaign_id = ?1",
};

#define STORE_CACHE 128

struct tk_store {
    sqlite3 *db;
    char *path;
    bool in_tx;
    /* statements of other modules (submit, results, plans), by SQL text */
    const char *cache_sql[STORE_CACHE];
    sqlite3_stmt *cache_st[STORE_CACHE];
    /* one module's data kept with the handle (submit.c's campaign wording) */
    void *keep;
    void (*keep_free)(void *);
};

void *tk_store_kept(tk_store *s) { return s->keep; }

void tk_store_keep(tk_store *s, void *p, void (*free_fn)(void *))
{
    if (s->keep && s->keep_free && s->keep != p)
        s->keep_free(s->keep);
    s->keep = p;
    s->keep_free = free_fn;
}

/* store.c's own statements live in the same cache as everyone else's */
static sqlite3_stmt *stmt(tk_store *s, enum stmt which, tk_diags *d) { return tk_store_prepare(s, SQL[which], d); }

void tk_store_bind_text(struct sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void tk_store_bind_borrowed(struct sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}



static int exec(tk_store *s, const char *sql, tk_diags *d, const char *what)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        tk_diag_error(d, s->path, 0, "データベースを%sできません: %s", what, err ? err : sqlite3_errmsg(s->db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static int pragma_int(tk_store *s, const char *sql, int *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int tk_store_schema_version(tk_store *s)
{
    int has_meta = 0;
    if (pragma_int(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'", &has_meta) != 0)
        return -1;
    if (!has_meta)
        return 0;
    int v = 0;
    if (pragma_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'", &v) != 0)
        return -1;
    return v;
}

/* Bring a file at schema version v (read by the caller) up to date; a new
 * file (v == 0) is initialised only when may_init (generate's open). */
static int migrate(tk_store *s, int v, bool may_init, enum tk_store_fault *fault, tk_diags *d)
{
    if (v > NMIGRATIONS) {
        tk_diag_error(d, s->path, 0,
                      "このデータベースは新しい版の tenken で作られています (スキーマ版 %d、この tenken は %d まで)。"
                      "tenken を更新してください",
                      v, NMIGRATIONS);
        *fault = TK_STORE_NOT_OURS;
        return -1;
    }
    if (v == NMIGRATIONS)
        return 0;
    if (v == 0) {
        /* a file that already holds other tables is not ours */
        int ntables = 0, appid = 0;
        pragma_int(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", &ntables);
        pragma_int(s, "PRAGMA application_id", &appid);
        if ((ntables > 0 && appid != TK_APPLICATION_ID) || !may_init) {
            tk_diag_error(d, s->path, 0, "tenken のデータベースではありません (%s)。--db か環境変数 TENKEN_DB で tenken.db を指定してください",
                          ntables > 0 ? "ほかのテーブルがあります" : "tenken のテーブルがありません");
            *fault = TK_STORE_NOT_OURS;
            return -1;
        }
    }
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        tk_diag_error(d, s->path, 0, "このデータベースは古い版の tenken で作られています (スキーマ版 %d)。書き込めない場所にあるため"
                      "新しい形式に更新できません。書き込める場所にコピーして指定してください", v);
        *fault = TK_STORE_IO;
        return -1;
    }
    *fault = TK_STORE_IO;
    if (exec(s, "BEGIN IMMEDIATE", d, "更新") != 0)
        return -1;
    /* another process may have brought the file up to date while we waited
     * for the write lock: read the version again under it */
    int now = tk_store_schema_version(s);
    if (now == NMIGRATIONS) {
        exec(s, "COMMIT", d, "更新");
        *fault = TK_STORE_OK;
        return 0;
    }
    if (now > v)
        v = now;
    char appid_sql[64];
    snprintf(appid_sql, sizeof appid_sql, "PRAGMA application_id = %d", TK_APPLICATION_ID);
    if (v == 0 && (exec(s, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", d, "初期化") != 0 ||
                   exec(s, appid_sql, d, "初期化") != 0)) {
        exec(s, "ROLLBACK", d, "元に戻");
        return -1;
    }
    for (int i = v; i < NMIGRATIONS; i++) {
        if (exec(s, MIGRATIONS[i], d, "新しいスキーマに更新") != 0) {
            exec(s, "ROLLBACK", d, "元に戻");
            return -1;
        }
    }
    /* a migration that edits schema text in place (writable_schema) needs
     * SQLite's schema cookie moved on for the change to be read again */
    int cookie = 0;
    char sql[128];
    if (pragma_int(s, "PRAGMA schema_version", &cookie) == 0) {
        snprintf(sql, sizeof sql, "PRAGMA schema_version = %d", cookie + 1);
        if (exec(s, sql, d, "更新") != 0) {
            exec(s, "ROLLBACK", d, "元に戻");
            return -1;
        }
    }
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '%d')", NMIGRATIONS);
    if (exec(s, sql, d, "更新") != 0 || exec(s, "COMMIT", d, "更新") != 0) {
        exec(s, "ROLLBACK", d, "元に戻");
        return -1;
    }
    *fault = TK_STORE_OK;
    return 0;
}

/* Waiting for another process's write (the workers of a parallel ingest, a
 * second tenken): SQLite's own handler sleeps a millisecond and more at a
 * time, longer than a whole file's transaction lasts; poll every 100 µs
 * instead, for up to about 10 s as before. */
static int store_busy(void *user, int n)
{
    (void)user;
    if (n >= 100000)
        return 0;
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
    return 1;
}

/* The file as an SQLite URI that opens it immutable: read as it is, with
 * no lock and no -shm, which a database on read-only media needs in WAL
 * mode (SQLite would create the -shm beside it to read it). */
static char *immutable_uri(const char *path)
{
    tk_buf b;
    tk_buf_init(&b);
    tk_buf_puts(&b, path[0] == '/' ? "file://" : "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            tk_buf_printf(&b, "%%%02X", (unsigned char)*p);
        else
            tk_buf_putc(&b, *p);
    }
    tk_buf_puts(&b, "?immutable=1");
    return tk_buf_steal(&b);
}

static bool sqlite_open(tk_store *s, const char *name, int flags, tk_diags *d)
{
    int rc = sqlite3_open_v2(name, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        tk_diag_error(d, s->path, 0, "データベースを開けません: %s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return false;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_handler(s->db, store_busy, NULL);
    return true;
}

/* What only tk_store_open_mode's callers see of a file before SQLite does:
 * there is one, and it is not empty. */
static bool file_is_there(const char *path, enum tk_store_fault *fault, tk_diags *d)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            tk_diag_error(d, path, 0,
                          "データベースがありません。--db か環境変数 TENKEN_DB のパスを確かめてください (データベースは tenken generate "
                          "が点検票を作るときに作ります)");
            *fault = TK_STORE_MISSING;
        } else {
            tk_diag_error(d, path, 0, "データベースを開けません: %s", tk_file_strerror(errno));
            *fault = TK_STORE_IO;
        }
        return false;
    }
    if (!S_ISREG(st.st_mode) || st.st_size == 0) {
        tk_diag_error(d, path, 0, "tenken のデータベースではありません (%s)。--db か環境変数 TENKEN_DB で tenken.db を指定してください",
                      S_ISDIR(st.st_mode) ? "フォルダです" : S_ISREG(st.st_mode) ? "空のファイルです" : "通常のファイルではありません");
        *fault = TK_STORE_NOT_OURS;
        return false;
    }
    return true;
}

/* The schema version of a read-only open; on read-only media a WAL-mode
 * file is opened again immutable (when no -wal holds commits not yet in
 * the file, which an immutable open would not see). */
static int read_only_version(tk_store *s, tk_diags *d)
{
    int v = tk_store_schema_version(s);
    int code = sqlite3_errcode(s->db) & 0xff;
    if (v >= 0 || (code != SQLITE_CANTOPEN && code != SQLITE_READONLY))
        return v;
    size_t wl = strlen(s->path) + 5;
    char *wal = tk_xmalloc(wl);
    snprintf(wal, wl, "%s-wal", s->path);
    struct stat st;
    bool pending = stat(wal, &st) == 0 && st.st_size > 0;
    free(wal);
    if (pending)
        return v;
    sqlite3_close(s->db);
    s->db = NULL;
    char *uri = immutable_uri(s->path);
    bool ok = sqlite_open(s, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, d);
    free(uri);
    return ok ? tk_store_schema_version(s) : -2;
}

tk_store *tk_store_open_mode(const char *path, enum tk_store_mode mode, enum tk_store_fault *fault, tk_diags *d)
{
    enum tk_store_fault dummy;
    if (!fault)
        fault = &dummy;
    *fault = TK_STORE_IO;
    if (mode == TK_STORE_CREATE) {
        tk_arena *a = tk_arena_new();
        const char *dir = tk_path_dirname(a, path);
        if (strcmp(dir, ".") != 0 && tk_mkdirs(dir) != 0) {
            tk_diag_error(d, path, 0, "データベースのフォルダ %s を作れません: %s", dir, tk_file_strerror(errno));
            tk_arena_free(a);
            return NULL;
        }
        tk_arena_free(a);
    } else if (!file_is_there(path, fault, d)) {
        return NULL;
    }
    tk_store *s = tk_xcalloc(1, sizeof *s);
    s->path = tk_xstrdup(path);
    int flags = mode == TK_STORE_READ    ? SQLITE_OPEN_READONLY
                : mode == TK_STORE_WRITE ? SQLITE_OPEN_READWRITE
                                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (!sqlite_open(s, path, flags, d))
        goto fail;
    /* a file SQLite could only open for reading (read-only media, no
     * permission) cannot take what ingest or generate write */
    if (mode != TK_STORE_READ && sqlite3_db_readonly(s->db, "main") == 1) {
        tk_diag_error(d, path, 0, "データベースに書き込めません (読み取り専用の場所にあるか、書き込みの権限がありません)");
        goto fail;
    }
    int v = mode == TK_STORE_READ ? read_only_version(s, d) : tk_store_schema_version(s);
    if (v == -2)
        goto fail;
    if (v < 0) {
        int code = sqlite3_errcode(s->db) & 0xff;
        if (code == SQLITE_NOTADB) {
            tk_diag_error(d, path, 0, "tenken のデータベースではありません (SQLite のデータベースとして読めません)。"
                          "--db か環境変数 TENKEN_DB で tenken.db を指定してください");
            *fault = TK_STORE_NOT_OURS;
        } else {
            tk_diag_error(d, path, 0, "データベースを読めません: %s", sqlite3_errmsg(s->db));
        }
        goto fail;
    }
    if (mode == TK_STORE_READ && v > 0 && v < NMIGRATIONS) {
        /* an older file: brought up to date by a writer's open, if it can be */
        tk_store_close(s);
        return tk_store_open_mode(path, TK_STORE_WRITE, fault, d);
    }
    if (exec(s, "PRAGMA foreign_keys = ON", d, "設定") != 0 || migrate(s, v, mode == TK_STORE_CREATE, fault, d) != 0)
        goto fail;
    *fault = TK_STORE_OK;
    if (mode == TK_STORE_READ)
        return s;
    /* WAL once the file is known to be ours */
    char *err = NULL;
    if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, &err) != SQLITE_OK)
        tk_diag_warn(d, path, 0, "WAL モードにできません: %s", err ? err : "");
    sqlite3_free(err);
    /* In WAL mode NORMAL keeps every commit atomic and the file consistent
     * through a crash of the process (kill -9) or of the machine; what a
     * power cut can cost is the last transactions before it, which a
     * department's file can simply be taken in again for. It spares one
     * fsync per ingested file. */
    exec(s, "PRAGMA synchronous = NORMAL", d, "設定");
    return s;
fail:
    if (*fault == TK_STORE_OK)
        *fault = TK_STORE_IO;
    tk_store_close(s);
    return NULL;
}

tk_store *tk_store_open(const char *path, tk_diags *d) { return tk_store_open_mode(path, TK_STORE_CREATE, NULL, d); }

void tk_store_close(tk_store *s)
{
    if (!s)
        return;
    if (s->in_tx)
        tk_store_rollback(s);
    tk_store_keep(s, NULL, NULL);
    for (int i = 0; i < STORE_CACHE; i++)
        sqlite3_finalize(s->cache_st[i]);
    /* nothing prepared on this handle outlives it */
    for (sqlite3_stmt *q; s->db && (q = sqlite3_next_stmt(s->db, NULL)) != NULL;)
        sqlite3_finalize(q);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

const char *tk_store_path(const tk_store *s) { return s->path; }

sqlite3 *tk_store_sqlite(tk_store *s) { return s->db; }

struct sqlite3_stmt *tk_store_prepare(tk_store *s, const char *sql, tk_diags *d)
{
    int free_slot = -1;
    for (int i = 0; i < STORE_CACHE; i++) {
        /* literals: the same pointer, almost always */
        if (s->cache_sql[i] && (s->cache_sql[i] == sql || strcmp(s->cache_sql[i], sql) == 0)) {
            sqlite3_reset(s->cache_st[i]);
            sqlite3_clear_bindings(s->cache_st[i]);
            return s->cache_st[i];
        }
        if (!s->cache_sql[i] && free_slot < 0)
            free_slot = i;
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, free_slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0, &q, NULL) != SQLITE_OK) {
        tk_store_fail(s, d, "問い合わせの準備");
        return NULL;
    }
    if (free_slot < 0)
        return q; /* cache full (more distinct statements than tenken has): the
                   * caller's own, finalized by tk_store_done or at close */
    s->cache_sql[free_slot] = sql;
    s->cache_st[free_slot] = q;
    return q;
}

void tk_store_done(tk_store *s, struct sqlite3_stmt *q)
{
    if (!q)
        return;
    for (int i = 0; i < STORE_CACHE; i++) {
        if (s->cache_st[i] == q) {
            sqlite3_reset(q);
            sqlite3_clear_bindings(q); /* nothing borrowed outlives its use */
            return;
        }
    }
    sqlite3_finalize(q);
}

int tk_store_fail(tk_store *s, tk_diags *d, const char *what)
{
    tk_diag_error(d, s->path, 0, "データベースの%sに失敗しました: %s", what, sqlite3_errmsg(s->db));
    return -1;
}

int tk_store_each_row(tk_store *s, struct sqlite3_stmt *q, tk_store_row_fn row, void *user, long *nrows, tk_diags *d)
{
    long n = 0;
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        n++;
        stop = row(q, user);
    }
    if (!stop && rc != SQLITE_DONE)
        stop = tk_store_fail(s, d, "読み出し");
    tk_store_done(s, q);
    if (nrows)
        *nrows = n;
    return stop;
}

int tk_store_row_id(struct sqlite3_stmt *q, void *id)
{
    *(int64_t *)id = sqlite3_column_int64(q, 0);
    return 1;
}

int tk_store_begin(tk_store *s, tk_diags *d)
{
    if (exec(s, "BEGIN IMMEDIATE", d, "更新") != 0)
        return -1;
    s->in_tx = true;
    return 0;
}

int tk_store_commit(tk_store *s, tk_diags *d)
{
    if (exec(s, "COMMIT", d, "更新") != 0)
        return -1;
    s->in_tx = false;
    return 0;
}

void tk_store_begin_read(tk_store *s)
{
    /* BEGIN DEFERRED touches nothing until the first read: it cannot fail
     * but inside a transaction, which is left alone */
    if (!s->in_tx && sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
}

void tk_store_end_read(tk_store *s)
{
    if (!s->in_tx && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

void tk_store_rollback(tk_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = false;
}

/* ---- helpers ---- */

void tk_item_text_hash(const char *text, const char *context, char hex[65])
{
    tk_buf b;
    tk_buf_init(&b);
    tk_text_norm(text ? text : "", text ? strlen(text) : 0, &b);
    tk_buf_putc(&b, '\x1f');
    if (context)
        tk_text_norm(context, strlen(context), &b);
    tk_sha256_hex(b.data, b.len, hex);
    tk_buf_free(&b);
}

void tk_store_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    long off = tk_platform_utc_offset(t, &tm) / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
    size_t n = strlen(buf);
    if (n > 31)
        n = 31;
    memcpy(out, buf, n);
    out[n] = '\0';
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int col)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", v ? (const char *)v : "");
}

/* Run a statement that returns no rows. */
static int step_done(tk_store *s, sqlite3_stmt *st, tk_diags *d)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        tk_store_fail(s, d, "更新");
        return -1;
    }
    return 0;
}

/* ---- campaigns ---- */

/* The one row of ST_CAMPAIGN_FIND into the record. */
static int campaign_row(sqlite3_stmt *st, void *user)
{
    tk_campaign_rec *out = user;
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    copy_col(out->checklist_hash, sizeof out->checklist_hash, st, 1);
    copy_col(out->deadline, sizeof out->deadline, st, 2);
    copy_col(out->created_at, sizeof out->created_at, st, 3);
    copy_col(out->template_ref, sizeof out->template_ref, st, 4);
    return 1;
}

int tk_store_campaign_find(tk_store *s, const char *org, int year, const char *kind, tk_campaign_rec *out,
                           tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_CAMPAIGN_FIND, d);
    if (!st)
        return -1;
    tk_store_bind_text(st, 1, org);
    sqlite3_bind_int(st, 2, year);
    tk_store_bind_text(st, 3, kind);
    return tk_store_each_row(s, st, campaign_row, out, NULL, d);
}

int64_t tk_store_campaign_put(tk_store *s, const tk_campaign_new *c, tk_diags *d)
{
    char now[32];
    tk_store_now(now);
    sqlite3_stmt *st = stmt(s, ST_CAMPAIGN_UPDATE, d);
    if (!st)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        tk_store_bind_text(st, 1, c->org);
        sqlite3_bind_int(st, 2, c->year);
        tk_store_bind_text(st, 3, c->kind);
        tk_store_bind_text(st, 4, c->checklist_hash);
        tk_store_bind_text(st, 5, c->org_name);
        tk_store_bind_text(st, 6, c->deadline);
        tk_store_bind_text(st, 7, c->template_ref);
        tk_store_bind_text(st, 8, now);
        int rc = sqlite3_step(st);
        if (pass == 0) {
            if (rc == SQLITE_ROW) {
                int64_t id = sqlite3_column_int64(st, 0);
                sqlite3_reset(st);
                return id;
            }
            sqlite3_reset(st);
            if (rc != SQLITE_DONE) {
                tk_store_fail(s, d, "更新");
                return -1;
            }
            st = stmt(s, ST_CAMPAIGN_INSERT, d);
            if (!st)
                return -1;
        } else {
            sqlite3_reset(st);
            if (rc != SQLITE_DONE) {
                tk_store_fail(s, d, "更新");
                return -1;
            }
        }
    }
    return sqlite3_last_insert_rowid(s->db);
}

int tk_store_item_put(tk_store *s, int64_t campaign_id, const tk_store_item *it, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_ITEM_PUT, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    tk_store_bind_text(st, 2, it->item_id);
    sqlite3_bind_int(st, 3, it->seq);
    tk_store_bind_text(st, 4, it->ref);
    tk_store_bind_text(st, 5, it->level);
    tk_store_bind_text(st, 6, it->roles);
    tk_store_bind_text(st, 7, it->chapter);
    tk_store_bind_text(st, 8, it->sheet);
    tk_store_bind_text(st, 9, it->text);
    tk_store_bind_text(st, 10, it->context);
    tk_store_bind_text(st, 11, it->text_hash);
    sqlite3_bind_double(st, 12, it->weight > 0 ? it->weight : 1.0);
    return step_done(s, st, d);
}

/* ids as a JSON array of strings (json_each in SQL). */
static void json_array(tk_buf *b, const char *const *ids, size_t n)
{
    tk_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            tk_buf_putc(b, ',');
        tk_buf_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *)ids[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                tk_buf_printf(b, "\\%c", *p);
            else if (*p < 0x20)
                tk_buf_printf(b, "\\u%04x", *p);
            else
                tk_buf_putc(b, (char)*p);
        }
        tk_buf_putc(b, '"');
    }
    tk_buf_putc(b, ']');
}

int tk_store_items_retain(tk_store *s, int64_t campaign_id, const char *const *ids, size_t n, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_ITEMS_RETAIN, d);
    if (!st)
        return -1;
    tk_buf b;
    tk_buf_init(&b);
    json_array(&b, ids, n);
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_text(st, 2, b.data, (int)b.len, SQLITE_TRANSIENT);
    tk_buf_free(&b);
    return step_done(s, st, d);
}

int tk_store_scale_clear(tk_store *s, int64_t campaign_id, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_SCALE_CLEAR, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    return step_done(s, st, d);
}

int tk_store_scale_put(tk_store *s, int64_t campaign_id, int seq, const char *value, double points, bool excluded,
                       bool negative, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_SCALE_PUT, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_int(st, 2, seq);
    tk_store_bind_text(st, 3, value);
    if (excluded)
        sqlite3_bind_null(st, 4);
    else
        sqlite3_bind_double(st, 4, points);
    sqlite3_bind_int(st, 5, excluded);
    sqlite3_bind_int(st, 6, negative);
    return step_done(s, st, d);
}

int tk_store_scale_put_status(tk_store *s, int64_t campaign_id, int seq, const char *value, const char *plan_status,
                              tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_SCALE_PUT_STATUS, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    sqlite3_bind_int(st, 2, seq);
    tk_store_bind_text(st, 3, value);
    tk_store_bind_text(st, 4, plan_status);
    return step_done(s, st, d);
}

int tk_store_scale_set_flag(tk_store *s, int64_t campaign_id, const char *value, const char *flag, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_SCALE_FLAG, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    tk_store_bind_text(st, 2, value);
    tk_store_bind_text(st, 3, flag);
    return step_done(s, st, d);
}

int tk_store_persons_clear(tk_store *s, int64_t campaign_id, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_PERSONS_CLEAR, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    return step_done(s, st, d);
}

int tk_store_person_put(tk_store *s, int64_t campaign_id, const tk_store_person *p, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_PERSON_PUT, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    tk_store_bind_text(st, 2, p->number);
    tk_store_bind_text(st, 3, p->name);
    tk_store_bind_text(st, 4, p->department_code);
    tk_store_bind_text(st, 5, p->title);
    tk_store_bind_text(st, 6, p->mail);
    tk_store_bind_text(st, 7, p->roles ? p->roles : "");
    return step_done(s, st, d);
}

int tk_store_department_put(tk_store *s, int64_t campaign_id, const char *code, const char *name, const char *roles,
                            tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_DEPARTMENT_PUT, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    tk_store_bind_text(st, 2, code);
    tk_store_bind_text(st, 3, name);
    tk_store_bind_text(st, 4, roles ? roles : "");
    return step_done(s, st, d);
}

/* ---- workbooks ---- */

int tk_store_workbook_active(tk_store *s, int64_t campaign_id, const char *department_code, int64_t *id,
                             tk_diags *d)
{
    return tk_store_workbook_active_for(s, campaign_id, department_code, "", id, d);
}

int tk_store_workbook_active_for(tk_store *s, int64_t campaign_id, const char *department_code,
                                 const char *respondent, int64_t *id, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_WORKBOOK_ACTIVE, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    tk_store_bind_text(st, 2, department_code);
    tk_store_bind_text(st, 3, respondent ? respondent : "");
    return tk_store_each_row(s, st, tk_store_row_id, id, NULL, d);
}

int64_t tk_store_workbook_add(tk_store *s, int64_t campaign_id, const tk_workbook_rec *w, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_WORKBOOK_ADD, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    tk_store_bind_text(st, 2, w->department_code);
    tk_store_bind_text(st, 3, w->token);
    tk_store_bind_text(st, 4, w->file);
    sqlite3_bind_int(st, 5, w->items);
    tk_store_bind_text(st, 6, w->sha256);
    tk_store_bind_text(st, 7, w->created_at);
    tk_store_bind_text(st, 8, w->respondent ? w->respondent : "");
    if (step_done(s, st, d) != 0)
        return -1;
    return sqlite3_last_insert_rowid(s->db);
}

int tk_store_workbook_item_add(tk_store *s, int64_t workbook_id, int seq, const char *item_id, const char *sheet,
                               int row, const char *text_hash, int64_t plan_id, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_WORKBOOK_ITEM_ADD, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, workbook_id);
    sqlite3_bind_int(st, 2, seq);
    tk_store_bind_text(st, 3, item_id);
    tk_store_bind_text(st, 4, sheet);
    sqlite3_bind_int(st, 5, row);
    tk_store_bind_text(st, 6, text_hash);
    sqlite3_bind_int64(st, 7, plan_id);
    return step_done(s, st, d);
}

int tk_store_workbook_revoke(tk_store *s, int64_t workbook_id, int64_t replaced_by, const char *when, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_WORKBOOK_REVOKE, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, workbook_id);
    tk_store_bind_text(st, 2, when);
    sqlite3_bind_int64(st, 3, replaced_by);
    return step_done(s, st, d);
}

typedef struct workbook_walk {
    tk_workbook_fn fn;
    void *user;
} workbook_walk;

static int workbook_row(sqlite3_stmt *st, void *user)
{
    const workbook_walk *w = user;
    tk_workbook_rec rec = {
        .id = sqlite3_column_int64(st, 0),
        .department_code = (const char *)sqlite3_column_text(st, 1),
        .department_name = (const char *)sqlite3_column_text(st, 2),
        .token = (const char *)sqlite3_column_text(st, 3),
        .file = (const char *)sqlite3_column_text(st, 4),
        .items = sqlite3_column_int(st, 5),
        .sha256 = (const char *)sqlite3_column_text(st, 6),
        .created_at = (const char *)sqlite3_column_text(st, 7),
        .respondent = (const char *)sqlite3_column_text(st, 8),
        .person_name = (const char *)sqlite3_column_text(st, 9),
        .person_mail = (const char *)sqlite3_column_text(st, 10),
    };
    return w->fn && !w->fn(&rec, w->user);
}

long tk_store_workbooks_active(tk_store *s, int64_t campaign_id, tk_workbook_fn fn, void *user, tk_diags *d)
{
    sqlite3_stmt *st = stmt(s, ST_WORKBOOKS_ACTIVE, d);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, campaign_id);
    workbook_walk w = {fn, user};
    long n;
    return tk_store_each_row(s, st, workbook_row, &w, &n, d) < 0 ? -1 : n;
}
