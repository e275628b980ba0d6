/* store_ops.c - the store's operations written once over the driver vtable, so sqlite and
 * postgres run the same statements in the same order and give the same answers.
 *
 * The one idea: every operation runs atomically. Outside a caller's transaction it opens
 * its own (BEGIN IMMEDIATE / BEGIN for writes, a read-only snapshot for multi-statement
 * reads); inside one it wraps its writes in a savepoint, so a failed operation leaves the
 * caller's transaction usable on both backends (postgres would otherwise abort it). */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/store_internal.h"

#define TASK_INSERT_COLUMNS                                                                        \
    "user_id, title, title_sort, description, tags_text, completed, priority, due_at, rrule, "     \
    "recur_from, series_id, completed_at, created_at, updated_at, version, n_reminders, "          \
    "series_start"

/* A reminder's columns (alias r), read by read_reminder from a given first column. */
#define REMINDER_COLUMNS "r.id, r.relative, r.before_ms, r.remind_at, r.state"

const struct store_stmt_sql store_stmts[ST_COUNT] = {
    [ST_BEGIN_WRITE] = {"BEGIN", "BEGIN IMMEDIATE", NULL, true},
    [ST_BEGIN_READ] = {"BEGIN", NULL, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", true},
    [ST_COMMIT] = {"COMMIT", NULL, NULL, true},
    [ST_ROLLBACK] = {"ROLLBACK", NULL, NULL, true},
    [ST_SAVEPOINT] = {"SAVEPOINT store_op", NULL, NULL, true},
    [ST_RELEASE] = {"RELEASE SAVEPOINT store_op", NULL, NULL, true},
    [ST_ROLLBACK_TO] = {"ROLLBACK TO SAVEPOINT store_op", NULL, NULL, true},
    [ST_WRITE_SAVEPOINT] = {"SAVEPOINT store_write", NULL, NULL, true},
    [ST_WRITE_RELEASE] = {"RELEASE SAVEPOINT store_write", NULL, NULL, true},
    [ST_WRITE_ROLLBACK_TO] = {"ROLLBACK TO SAVEPOINT store_write", NULL, NULL, true},
    /* sqlite: BEGIN IMMEDIATE already holds the write lock. 0x746f646f is "todo". */
    [ST_MIGRATE_LOCK] = {"SELECT 1", NULL, "SELECT pg_advisory_xact_lock(1953457263)", false},
    [ST_MIGRATIONS_TABLE] = {"CREATE TABLE IF NOT EXISTS schema_migrations (version integer "
                             "PRIMARY KEY, applied_at bigint NOT NULL)",
                             NULL, NULL, true},
    [ST_MIGRATIONS_EXISTS] = {NULL,
                              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'schema_migrations'",
                              "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 "
                              "ELSE 1 END",
                              false},
    [ST_MIGRATION_APPLIED] = {"SELECT count(*) FROM schema_migrations WHERE version = ?", NULL,
                              NULL, false},
    [ST_MIGRATION_RECORD] = {"INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                             NULL, NULL, false},
    [ST_MIGRATION_MAX] = {"SELECT COALESCE(max(version), 0) FROM schema_migrations", NULL, NULL,
                          false},
    [ST_PING] = {"SELECT 1", NULL, NULL, false},
    [ST_USER_INSERT] = {"INSERT INTO users (id, email, password_hash, name, timezone, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        NULL, NULL, false},
    [ST_USER_BY_EMAIL] = {"SELECT id, email, password_hash, name, timezone, created_at FROM users "
                          "WHERE email = ?",
                          NULL, NULL, false},
    [ST_USER_BY_ID] = {"SELECT id, email, password_hash, name, timezone, created_at FROM users "
                       "WHERE id = ?",
                       NULL, NULL, false},
    [ST_USER_UPDATE] = {"UPDATE users SET name = ?, timezone = ? WHERE id = ?", NULL, NULL, false},
    [ST_TASK_INSERT] = {"INSERT INTO tasks (" TASK_INSERT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        NULL, NULL, false},
    [ST_TASK_SET_SERIES] = {"UPDATE tasks SET series_id = id WHERE id = ?", NULL, NULL, false},
    /* One statement (atomic without a transaction): the task, then one row per reminder;
     * the reminders index is only probed when the task has any. */
    [ST_TASK_GET] = {"SELECT " SQLB_TASK_COLUMNS ", " REMINDER_COLUMNS " FROM tasks t "
                     "LEFT JOIN reminders r ON r.task_id = t.id AND t.n_reminders > 0 "
                     "WHERE t.id = ? AND t.user_id = ? ORDER BY r.id",
                     NULL, NULL, false},
    /* A read-modify-write holds the row from the read on, so concurrent writers queue instead
     * of losing the version race and retrying (sqlite's write lock already serializes). */
    [ST_TASK_GET_LOCKED] = {"SELECT " SQLB_TASK_COLUMNS ", " REMINDER_COLUMNS " FROM tasks t "
                            "LEFT JOIN reminders r ON r.task_id = t.id AND t.n_reminders > 0 "
                            "WHERE t.id = ? AND t.user_id = ? ORDER BY r.id",
                            NULL,
                            "SELECT " SQLB_TASK_COLUMNS ", " REMINDER_COLUMNS " FROM tasks t "
                            "LEFT JOIN reminders r ON r.task_id = t.id AND t.n_reminders > 0 "
                            "WHERE t.id = ? AND t.user_id = ? ORDER BY r.id FOR UPDATE OF t",
                            false},
    [ST_TASK_UPDATE] = {"UPDATE tasks SET title = ?, title_sort = ?, description = ?, "
                        "tags_text = ?, completed = ?, priority = ?, due_at = ?, rrule = ?, "
                        "recur_from = ?, series_id = ?, completed_at = ?, updated_at = ?, "
                        "version = ?, n_reminders = ?, series_start = ? "
                        "WHERE id = ? AND user_id = ? AND version = ?",
                        NULL, NULL, false},
    [ST_TASK_VERSION] = {"SELECT version FROM tasks WHERE id = ? AND user_id = ?", NULL, NULL,
                         false},
    [ST_TASK_DELETE] = {"DELETE FROM tasks WHERE id = ? AND user_id = ?", NULL, NULL, false},
    [ST_TASK_DELETE_VERSION] = {"DELETE FROM tasks WHERE id = ? AND user_id = ? AND version = ?",
                                NULL, NULL, false},
    [ST_TAG_INSERT] = {"INSERT INTO task_tags (task_id, tag, user_id) VALUES (?, ?, ?) "
                       "ON CONFLICT DO NOTHING",
                       NULL, NULL, false},
    [ST_TAGS_DELETE] = {"DELETE FROM task_tags WHERE task_id = ?", NULL, NULL, false},
    [ST_REMINDER_INSERT] = {"INSERT INTO reminders (task_id, user_id, relative, before_ms, "
                            "remind_at, state) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                            NULL, NULL, false},
    /* A reminder a scheduler fired since the task was read stays fired unless it moved
     * (SET reads the row's current values): a write never re-arms what already went out. */
    [ST_REMINDER_UPDATE] = {"UPDATE reminders SET relative = ?, before_ms = ?, remind_at = ?, "
                            "state = CASE WHEN state = 1 AND remind_at = ? THEN 1 ELSE ? END "
                            "WHERE id = ? AND task_id = ?",
                            NULL, NULL, false},
    [ST_REMINDERS_DELETE] = {"DELETE FROM reminders WHERE task_id = ?", NULL, NULL, false},
    [ST_TAGS_LIST] = {"SELECT tag, count(*) FROM task_tags WHERE user_id = ? GROUP BY tag "
                      "ORDER BY tag",
                      NULL, NULL, false},
    /* Events (store_events.c). One user's outbox rows must get ids in commit order: postgres
     * queues the user's writers from here to their commit (hashtext is an int4, so these
     * keys never meet STORE_RELAY_LOCK_KEY); sqlite's write lock already serializes. */
    [ST_OUTBOX_KEY_LOCK] = {"SELECT ?", NULL, "SELECT pg_advisory_xact_lock(hashtext(?))", false},
    [ST_OUTBOX_INSERT] = {"INSERT INTO outbox (topic, key, event_id, payload, created_at) "
                          "VALUES (?, ?, ?, ?, ?)",
                          NULL, NULL, false},
    [ST_OUTBOX_FETCH] = {"SELECT id, topic, key, event_id, payload, created_at FROM outbox "
                         "WHERE sent_at IS NULL ORDER BY id LIMIT ?",
                         NULL, NULL, false},
    [ST_OUTBOX_PRUNE] = {"DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?", NULL, NULL,
                         false},
    [ST_OUTBOX_STATS] = {"SELECT count(*), COALESCE(min(created_at), 0) FROM outbox "
                         "WHERE sent_at IS NULL",
                         NULL, NULL, false},
    /* A session lock: held until released or the session ends, whatever transactions do. */
    [ST_RELAY_LOCK] = {"SELECT 1", NULL, "SELECT pg_try_advisory_lock(" STORE_RELAY_LOCK_KEY ")",
                       false},
    [ST_EVENT_CLAIM] = {"INSERT INTO processed_events (consumer, event_id, processed_at) "
                        "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        NULL, NULL, false},
    [ST_AUDIT_APPEND] = {"INSERT INTO audit_log (user_id, task_id, event_id, type, at, changes) "
                         "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
                         NULL, NULL, false},
    [ST_AUDIT_LIST] = {"SELECT event_id, type, at, changes FROM audit_log "
                       "WHERE user_id = ? AND task_id = ? ORDER BY at DESC, id DESC",
                       NULL, NULL, false},
    [ST_DEAD_LETTER_INSERT] = {"INSERT INTO dead_letters (topic, key, event_id, payload, "
                               "created_at) VALUES (?, ?, ?, ?, ?)",
                               NULL, NULL, false},
    [ST_DEAD_LETTER_COUNT] = {"SELECT count(*) FROM dead_letters WHERE topic = ?", NULL, NULL,
                              false},
    [ST_QUEUE_INSERT] = {"INSERT INTO bus_queue (consumer, topic, key, event_id, payload, "
                         "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         NULL, NULL, false},
    [ST_QUEUE_FETCH] = {"SELECT id, topic, key, event_id, payload, created_at FROM bus_queue "
                        "WHERE consumer = ? ORDER BY id LIMIT ?",
                        NULL, NULL, false},
    [ST_QUEUE_COUNT] = {"SELECT count(*) FROM bus_queue WHERE consumer = ?", NULL, NULL, false},
    [ST_USER_SET_PASSWORD] = {"UPDATE users SET password_hash = ? WHERE id = ?", NULL, NULL, false},
    [ST_SESSION_INSERT] = {"INSERT INTO sessions (id, user_id, created_at, expires_at) "
                           "VALUES (?, ?, ?, ?)",
                           NULL, NULL, false},
    /* A sid with no row (issued before sessions existed, or pruned) is recorded revoked. */
    [ST_SESSION_REVOKE] = {"INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET revoked_at = "
                           "COALESCE(sessions.revoked_at, excluded.revoked_at)",
                           NULL, NULL, false},
    [ST_SESSIONS_REVOKE_USER] = {"UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND "
                                 "revoked_at IS NULL AND id <> ?",
                                 NULL, NULL, false},
    [ST_SESSION_EXTEND] = {"UPDATE sessions SET expires_at = ? WHERE id = ? AND expires_at < ?",
                           NULL, NULL, false},
    [ST_SESSIONS_REVOKED] =
        {"SELECT id, expires_at, revoked_at FROM sessions WHERE revoked_at >= ? "
         "AND expires_at > ?",
         NULL, NULL, false},
    [ST_SESSIONS_PRUNE] = {"DELETE FROM sessions WHERE expires_at < ?", NULL, NULL, false},
    /* The reminder scheduler (store_reminders.c, docs/decisions/0029-reminder-scheduling.md).
     * Postgres locks the rows it claims and skips those another replica holds, so two
     * schedulers never claim one reminder; sqlite's one writer already serializes. */
    [ST_REMINDERS_DUE] = {"SELECT r.id, r.task_id, r.user_id, r.remind_at, t.title, t.due_at "
                          "FROM reminders r JOIN tasks t ON t.id = r.task_id "
                          "WHERE r.state = 0 AND r.remind_at <= ? ORDER BY r.remind_at, r.id "
                          "LIMIT ?",
                          NULL,
                          "SELECT r.id, r.task_id, r.user_id, r.remind_at, t.title, t.due_at "
                          "FROM reminders r JOIN tasks t ON t.id = r.task_id "
                          "WHERE r.state = 0 AND r.remind_at <= ? ORDER BY r.remind_at, r.id "
                          "LIMIT ? FOR UPDATE OF r SKIP LOCKED",
                          false},
    [ST_REMINDER_MARK_FIRED] = {"UPDATE reminders SET state = 1, fired_at = ? WHERE id = ? AND "
                                "state = 0",
                                NULL, NULL, false},
    [ST_REMINDER_CLAIM] = {"UPDATE reminders SET state = 1, fired_at = ? WHERE id = ? AND "
                           "remind_at = ? AND state = 0",
                           NULL, NULL, false},
    [ST_REMINDER_DUE_ONE] = {"SELECT r.id, r.task_id, r.user_id, r.remind_at, t.title, t.due_at "
                             "FROM reminders r JOIN tasks t ON t.id = r.task_id WHERE r.id = ?",
                             NULL, NULL, false},
    [ST_REMINDERS_NEXT] = {"SELECT min(remind_at) FROM reminders WHERE state = 0", NULL, NULL,
                           false},
    [ST_SCHED_JOB_INSERT] = {"INSERT INTO sched_jobs (reminder_id, remind_at, created_at) "
                             "VALUES (?, ?, ?)",
                             NULL, NULL, false},
    [ST_SCHED_JOBS_FETCH] = {"SELECT id, reminder_id, remind_at FROM sched_jobs ORDER BY id "
                             "LIMIT ?",
                             NULL, NULL, false},
    [ST_SCHED_JOB_DELETE] = {"DELETE FROM sched_jobs WHERE id = ?", NULL, NULL, false},
    [ST_REMINDERS_OVERDUE] = {"SELECT 0, id, remind_at FROM reminders WHERE state = 0 AND "
                              "remind_at < ? ORDER BY remind_at, id LIMIT ?",
                              NULL, NULL, false},
    [ST_REMINDER_SCHEDULE] = {"SELECT state, remind_at FROM reminders WHERE id = ?", NULL, NULL,
                              false},
};

const char *store_stmt_text(int stmt, int dialect)
{
    const struct store_stmt_sql *st = &store_stmts[stmt];
    const char *over = dialect == SQLB_PG ? st->pg : st->sqlite;
    return over ? over : st->common;
}

/* --- running statements --- */

/* Runs a statement that returns no rows we read; *changes gets the rows it changed. */
int store_run(struct store_conn *c, int stmt, const struct sqlb_value *p, int n, int64_t *changes)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    int rc = drv->exec(c, stmt, NULL, p, n, &r);
    if (rc != TODO_OK)
        return rc;
    if (changes)
        *changes = r.changes;
    drv->done(&r);
    return TODO_OK;
}

/* Runs a statement whose first column of the first row is an integer. *found tells whether
 * there was a row. */
int store_run_int(struct store_conn *c, int stmt, const struct sqlb_value *p, int n, bool *found,
                  int64_t *out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    int rc = drv->exec(c, stmt, NULL, p, n, &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step < 0) {
        rc = -step;
    } else {
        *found = step == 1;
        if (step == 1)
            *out = drv->col_int(&r, 0);
    }
    drv->done(&r);
    return rc;
}

int store_run_dynamic(struct store_conn *c, struct sqlb *b, struct store_res *r)
{
    return c->s->drv->exec(c, -1, b->sql.data, b->params, b->n_params, r);
}

/* --- operation scope --- */

int store_op_begin(struct store_conn *c, bool write, struct store_op *op)
{
    op->own = op->savepoint = false;
    if (c->in_tx) {
        if (!write)
            return TODO_OK;
        int rc = store_run(c, ST_SAVEPOINT, NULL, 0, NULL);
        if (rc == TODO_OK)
            op->savepoint = true;
        return rc;
    }
    int rc = store_run(c, write ? ST_BEGIN_WRITE : ST_BEGIN_READ, NULL, 0, NULL);
    if (rc == TODO_OK) {
        op->own = true;
        store_stats_tx_begin(c);
    }
    return rc;
}

/* Ends the scope: keeps the work when rc is 0, undoes it otherwise. Returns the result. */
int store_op_end(struct store_conn *c, struct store_op *op, int rc)
{
    char saved[STORE_ERR_MAX];
    if (rc != TODO_OK)
        memcpy(saved, c->last_error, sizeof saved);
    if (op->own) {
        if (rc == TODO_OK) {
            rc = store_run(c, ST_COMMIT, NULL, 0, NULL);
            if (rc != TODO_OK) {
                memcpy(saved, c->last_error, sizeof saved);
                store_run(c, ST_ROLLBACK, NULL, 0, NULL);
            }
        } else {
            store_run(c, ST_ROLLBACK, NULL, 0, NULL);
        }
        store_stats_tx_end(c, rc == TODO_OK);
    } else if (op->savepoint) {
        if (rc == TODO_OK) {
            rc = store_run(c, ST_RELEASE, NULL, 0, NULL);
        } else {
            store_run(c, ST_ROLLBACK_TO, NULL, 0, NULL);
            store_run(c, ST_RELEASE, NULL, 0, NULL);
        }
    }
    if (rc != TODO_OK)
        memcpy(c->last_error, saved, sizeof saved);
    return rc;
}

/* --- migrations, transactions --- */

int store_ops_migrate(struct store_conn *c, int *n_applied)
{
    const struct store_driver *drv = c->s->drv;
    int n = 0;

    if (c->in_tx)
        return store_conn_error(c, TODO_ERR_INTERNAL, "migrate inside a transaction");
    for (const struct store_migration *m = drv->migrations; m->version != 0; m++) {
        struct store_op op;
        bool found = false;
        int64_t count = 0;
        int rc = store_op_begin(c, true, &op);
        if (rc != TODO_OK)
            return rc;
        rc = store_run(c, ST_MIGRATE_LOCK, NULL, 0, NULL);
        if (rc == TODO_OK)
            rc = store_run(c, ST_MIGRATIONS_TABLE, NULL, 0, NULL);
        if (rc == TODO_OK) {
            struct sqlb_value p[] = {V_INT(m->version)};
            rc = store_run_int(c, ST_MIGRATION_APPLIED, p, N_OF(p), &found, &count);
        }
        if (rc == TODO_OK && count == 0) {
            rc = drv->script(c, m->sql);
            if (rc != TODO_OK)
                store_conn_error(c, rc, "migration %d (%s): %.400s", m->version, m->name,
                                 c->last_error);
        }
        if (rc == TODO_OK && count == 0) {
            struct sqlb_value p[] = {V_INT(m->version), V_INT(time_now_ms())};
            rc = store_run(c, ST_MIGRATION_RECORD, p, N_OF(p), NULL);
        }
        rc = store_op_end(c, &op, rc);
        if (rc != TODO_OK)
            return rc;
        if (count == 0)
            n++;
    }
    *n_applied = n;
    return TODO_OK;
}

int store_ops_schema_version(struct store_conn *c, int *applied)
{
    bool found = false;
    int64_t exists = 0, version = 0;
    int rc = store_run_int(c, ST_MIGRATIONS_EXISTS, NULL, 0, &found, &exists);
    if (rc == TODO_OK && exists)
        rc = store_run_int(c, ST_MIGRATION_MAX, NULL, 0, &found, &version);
    if (rc == TODO_OK)
        *applied = (int)version;
    return rc;
}

int store_ops_ping(struct store_conn *c)
{
    bool found;
    int64_t one;
    return store_run_int(c, ST_PING, NULL, 0, &found, &one);
}

int store_ops_begin(struct store_conn *c)
{
    if (c->in_tx)
        return store_conn_error(c, TODO_ERR_INTERNAL, "transaction already open");
    int rc = store_run(c, ST_BEGIN_WRITE, NULL, 0, NULL);
    if (rc == TODO_OK) {
        c->in_tx = true;
        store_stats_tx_begin(c);
    }
    return rc;
}

int store_ops_commit(struct store_conn *c)
{
    if (!c->in_tx)
        return store_conn_error(c, TODO_ERR_INTERNAL, "no transaction open");
    int rc = store_run(c, ST_COMMIT, NULL, 0, NULL);
    if (rc != TODO_OK) {
        char saved[STORE_ERR_MAX];
        memcpy(saved, c->last_error, sizeof saved);
        store_run(c, ST_ROLLBACK, NULL, 0, NULL);
        memcpy(c->last_error, saved, sizeof saved);
    }
    c->in_tx = false;
    store_stats_tx_end(c, rc == TODO_OK);
    return rc;
}

void store_ops_rollback(struct store_conn *c)
{
    if (!c->in_tx)
        return;
    store_run(c, ST_ROLLBACK, NULL, 0, NULL);
    c->in_tx = false;
    store_stats_tx_end(c, false);
}

/* --- users --- */

int store_ops_user_insert(struct store_conn *c, const struct user *u)
{
    struct store_op op;
    struct sqlb_value p[] = {V_TEXT(u->id),
                             V_TEXT(u->email),
                             V_TEXT(u->password_hash ? u->password_hash : ""),
                             V_TEXT(u->name ? u->name : ""),
                             V_TEXT(u->timezone[0] ? u->timezone : "UTC"),
                             V_INT(u->created_at)};
    if (!c->in_tx)
        return store_run(c, ST_USER_INSERT, p, N_OF(p), NULL);
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run(c, ST_USER_INSERT, p, N_OF(p), NULL);
    return store_op_end(c, &op, rc);
}

int store_ops_user_get(struct store_conn *c, int stmt, const char *key, struct user *out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct sqlb_value p[] = {V_TEXT(key)};
    int rc = drv->exec(c, stmt, NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1) {
        snprintf(out->id, sizeof out->id, "%s", drv->col_text(&r, 0));
        out->email = xstrdup(drv->col_text(&r, 1));
        out->password_hash = xstrdup(drv->col_text(&r, 2));
        free(out->name);
        out->name = xstrdup(drv->col_text(&r, 3));
        snprintf(out->timezone, sizeof out->timezone, "%s", drv->col_text(&r, 4));
        out->created_at = drv->col_int(&r, 5);
    } else if (step == 0) {
        rc = store_conn_error(c, TODO_ERR_NOT_FOUND, "user not found");
    } else {
        rc = -step;
    }
    drv->done(&r);
    return rc;
}

int store_ops_user_update(struct store_conn *c, const struct user *u)
{
    struct store_op op;
    int64_t changes = 0;
    struct sqlb_value p[] = {V_TEXT(u->name ? u->name : ""),
                             V_TEXT(u->timezone[0] ? u->timezone : "UTC"), V_TEXT(u->id)};
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run(c, ST_USER_UPDATE, p, N_OF(p), &changes);
    if (rc == TODO_OK && changes == 0)
        rc = store_conn_error(c, TODO_ERR_NOT_FOUND, "user not found");
    return store_op_end(c, &op, rc);
}

/* --- tasks: writing --- */

static int cmp_tag(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The tags as one text, sorted bytewise, without duplicates, joined by single spaces (tags
 * never hold white space). It is indexed for full-text search, and it is what get and list
 * read the tags back from (task_tags serves filters and counts). Caller frees. */
static char *tags_text(const struct task *t)
{
    const char *sorted[TASK_MAX_TAGS];
    int n = t->n_tags < TASK_MAX_TAGS ? t->n_tags : TASK_MAX_TAGS;
    struct buf b;
    memcpy(sorted, t->tags, (size_t)n * sizeof sorted[0]);
    qsort(sorted, (size_t)n, sizeof sorted[0], cmp_tag);
    buf_init(&b);
    for (int i = 0; i < n; i++) {
        if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
            continue;
        if (b.len > 0)
            buf_putc(&b, ' ');
        buf_puts(&b, sorted[i]);
    }
    return buf_take(&b);
}

static int insert_tags(struct store_conn *c, const struct task *t, int64_t task_id)
{
    for (int i = 0; i < t->n_tags; i++) {
        struct sqlb_value p[] = {V_INT(task_id), V_TEXT(t->tags[i]), V_TEXT(t->user_id)};
        int rc = store_run(c, ST_TAG_INSERT, p, N_OF(p), NULL);
        if (rc != TODO_OK)
            return rc;
    }
    return TODO_OK;
}

static int insert_reminder(struct store_conn *c, const struct task *t, int64_t task_id,
                           const struct reminder *rem, int64_t *id)
{
    bool found = false;
    struct sqlb_value p[] = {V_INT(task_id),        V_TEXT(t->user_id),
                             V_BOOL(rem->relative), V_OPT_INT(rem->relative, rem->before_ms),
                             V_INT(rem->remind_at), V_INT(rem->state)};
    int rc = store_run_int(c, ST_REMINDER_INSERT, p, N_OF(p), &found, id);
    if (rc == TODO_OK && !found)
        rc = store_conn_error(c, TODO_ERR_INTERNAL, "reminder insert returned no id");
    return rc;
}

int store_ops_task_insert(struct store_conn *c, struct task *t)
{
    struct store_op op;
    int64_t id = 0, rem_ids[TASK_MAX_REMINDERS];
    bool found = false;
    bool set_series = t->rrule && t->series_id == 0;
    char *sort_key = task_title_sort_key(t->title ? t->title : "");
    char *tags = tags_text(t);
    struct sqlb_value p[] = {V_TEXT(t->user_id),
                             V_TEXT(t->title),
                             V_TEXT(sort_key),
                             V_TEXT(t->description ? t->description : ""),
                             V_TEXT(tags),
                             V_BOOL(t->completed),
                             V_INT(t->priority),
                             V_OPT_INT(t->has_due, t->due_at),
                             V_TEXT(t->rrule),
                             V_INT(t->recur_from),
                             V_OPT_INT(t->series_id != 0, t->series_id),
                             V_OPT_INT(t->has_completed_at, t->completed_at),
                             V_INT(t->created_at),
                             V_INT(t->updated_at),
                             V_INT(t->version),
                             V_INT(t->n_reminders),
                             V_OPT_INT(t->series_start != 0, t->series_start)};
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        goto out_free;
    rc = store_run_int(c, ST_TASK_INSERT, p, N_OF(p), &found, &id);
    if (rc == TODO_OK && !found)
        rc = store_conn_error(c, TODO_ERR_INTERNAL, "task insert returned no id");
    if (rc == TODO_OK && set_series) {
        struct sqlb_value ps[] = {V_INT(id)};
        rc = store_run(c, ST_TASK_SET_SERIES, ps, N_OF(ps), NULL);
    }
    if (rc == TODO_OK)
        rc = insert_tags(c, t, id);
    for (int i = 0; rc == TODO_OK && i < t->n_reminders; i++)
        rc = insert_reminder(c, t, id, &t->reminders[i], &rem_ids[i]);
    rc = store_op_end(c, &op, rc);
    if (rc == TODO_OK) {
        t->id = id;
        if (set_series)
            t->series_id = id;
        for (int i = 0; i < t->n_reminders; i++)
            t->reminders[i].id = rem_ids[i];
    }
out_free:
    free(tags);
    free(sort_key);
    return rc;
}

/* NOT_FOUND when the user has no such task, else PRECONDITION (its version differs). */
static int missing_or_stale(struct store_conn *c, const char *user_id, int64_t id)
{
    bool found = false;
    int64_t version;
    struct sqlb_value p[] = {V_INT(id), V_TEXT(user_id)};
    int rc = store_run_int(c, ST_TASK_VERSION, p, N_OF(p), &found, &version);
    if (rc != TODO_OK)
        return rc;
    if (!found)
        return store_conn_error(c, TODO_ERR_NOT_FOUND, "task not found");
    return store_conn_error(c, TODO_ERR_PRECONDITION, "task version is %" PRId64, version);
}

/* Replaces the task's reminders: those with an id keep it (when it is this task's), the
 * others get new ids written to ids[]. */
static int replace_reminders(struct store_conn *c, const struct task *t, int64_t *ids)
{
    int64_t keep[TASK_MAX_REMINDERS];
    int n_keep = 0, rc;

    for (int i = 0; i < t->n_reminders; i++)
        if (t->reminders[i].id > 0)
            keep[n_keep++] = t->reminders[i].id;
    if (n_keep == 0) {
        struct sqlb_value p[] = {V_INT(t->id)};
        rc = store_run(c, ST_REMINDERS_DELETE, p, N_OF(p), NULL);
    } else {
        struct sqlb b;
        struct store_res r;
        sqlb_init(&b, c->s->drv->dialect);
        sqlb_sql(&b, "DELETE FROM reminders WHERE task_id = ");
        sqlb_int(&b, t->id);
        sqlb_sql(&b, " AND id NOT IN ");
        sqlb_int_list(&b, keep, n_keep);
        rc = store_run_dynamic(c, &b, &r);
        if (rc == TODO_OK)
            c->s->drv->done(&r);
        sqlb_release(&b);
    }
    for (int i = 0; rc == TODO_OK && i < t->n_reminders; i++) {
        const struct reminder *rem = &t->reminders[i];
        int64_t changes = 0;
        if (rem->id > 0) {
            struct sqlb_value p[] = {
                V_BOOL(rem->relative), V_OPT_INT(rem->relative, rem->before_ms),
                V_INT(rem->remind_at), V_INT(rem->remind_at),
                V_INT(rem->state),     V_INT(rem->id),
                V_INT(t->id)};
            rc = store_run(c, ST_REMINDER_UPDATE, p, N_OF(p), &changes);
            ids[i] = rem->id;
        }
        if (rc == TODO_OK && changes == 0)
            rc = insert_reminder(c, t, t->id, rem, &ids[i]);
    }
    return rc;
}

/* Writes every editable field; id, user_id and created_at identify the row and never change.
 * A recurring task without a series becomes the first of its own series. */
int store_ops_task_update(struct store_conn *c, struct task *t, int64_t expect_version)
{
    struct store_op op;
    int64_t changes = 0, rem_ids[TASK_MAX_REMINDERS];
    int64_t series_id = (t->rrule && t->series_id == 0) ? t->id : t->series_id;
    char *sort_key = task_title_sort_key(t->title ? t->title : "");
    char *tags = tags_text(t);
    struct sqlb_value p[] = {V_TEXT(t->title),
                             V_TEXT(sort_key),
                             V_TEXT(t->description ? t->description : ""),
                             V_TEXT(tags),
                             V_BOOL(t->completed),
                             V_INT(t->priority),
                             V_OPT_INT(t->has_due, t->due_at),
                             V_TEXT(t->rrule),
                             V_INT(t->recur_from),
                             V_OPT_INT(series_id != 0, series_id),
                             V_OPT_INT(t->has_completed_at, t->completed_at),
                             V_INT(t->updated_at),
                             V_INT(t->version),
                             V_INT(t->n_reminders),
                             V_OPT_INT(t->series_start != 0, t->series_start),
                             V_INT(t->id),
                             V_TEXT(t->user_id),
                             V_INT(expect_version)};
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        goto out_free;
    rc = store_run(c, ST_TASK_UPDATE, p, N_OF(p), &changes);
    if (rc == TODO_OK && changes == 0)
        rc = missing_or_stale(c, t->user_id, t->id);
    if (rc == TODO_OK) {
        struct sqlb_value pt[] = {V_INT(t->id)};
        rc = store_run(c, ST_TAGS_DELETE, pt, N_OF(pt), NULL);
    }
    if (rc == TODO_OK)
        rc = insert_tags(c, t, t->id);
    if (rc == TODO_OK)
        rc = replace_reminders(c, t, rem_ids);
    rc = store_op_end(c, &op, rc);
    if (rc == TODO_OK) {
        t->series_id = series_id;
        for (int i = 0; i < t->n_reminders; i++)
            t->reminders[i].id = rem_ids[i];
    }
out_free:
    free(tags);
    free(sort_key);
    return rc;
}

int store_ops_task_delete(struct store_conn *c, const char *user_id, int64_t id,
                          int64_t expect_version)
{
    struct store_op op;
    int64_t changes = 0;
    struct sqlb_value p[] = {V_INT(id), V_TEXT(user_id), V_INT(expect_version)};
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    /* Tags, reminders and the search index go with the row (ON DELETE CASCADE, triggers). */
    if (expect_version < 0)
        rc = store_run(c, ST_TASK_DELETE, p, 2, &changes);
    else
        rc = store_run(c, ST_TASK_DELETE_VERSION, p, 3, &changes);
    if (rc == TODO_OK && changes == 0)
        rc = missing_or_stale(c, user_id, id);
    return store_op_end(c, &op, rc);
}

/* --- tasks: reading --- */

/* A copy of the n bytes at p, NUL-terminated. */
static char *dup_n(const char *p, size_t n)
{
    char *out = xmalloc(n + 1);
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

/* Splits tasks.tags_text (sorted tags joined by single spaces) into t->tags. */
static void read_tags(struct task *t, const char *text)
{
    const char *p = text;
    while (*p && t->n_tags < TASK_MAX_TAGS) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0)
            t->tags[t->n_tags++] = dup_n(p, n);
        if (!end)
            break;
        p = end + 1;
    }
}

/* Reads the task row; returns its n_reminders column (0: it has none, skip the query). */
static int64_t read_task(struct store_conn *c, struct store_res *r, struct task *t)
{
    const struct store_driver *drv = c->s->drv;
    const char *user_id = drv->col_text(r, SQLB_COL_USER_ID);
    size_t n_user_id = strnlen(user_id, sizeof t->user_id - 1);
    t->id = drv->col_int(r, SQLB_COL_ID);
    memcpy(t->user_id, user_id, n_user_id);
    t->user_id[n_user_id] = '\0';
    t->title = xstrdup(drv->col_text(r, SQLB_COL_TITLE));
    t->description = xstrdup(drv->col_text(r, SQLB_COL_DESCRIPTION));
    t->completed = drv->col_bool(r, SQLB_COL_COMPLETED);
    t->priority = (int)drv->col_int(r, SQLB_COL_PRIORITY);
    t->has_due = !drv->is_null(r, SQLB_COL_DUE_AT);
    t->due_at = t->has_due ? drv->col_int(r, SQLB_COL_DUE_AT) : 0;
    t->rrule = drv->is_null(r, SQLB_COL_RRULE) ? NULL : xstrdup(drv->col_text(r, SQLB_COL_RRULE));
    t->recur_from = (int)drv->col_int(r, SQLB_COL_RECUR_FROM);
    t->series_id = drv->is_null(r, SQLB_COL_SERIES_ID) ? 0 : drv->col_int(r, SQLB_COL_SERIES_ID);
    t->has_completed_at = !drv->is_null(r, SQLB_COL_COMPLETED_AT);
    t->completed_at = t->has_completed_at ? drv->col_int(r, SQLB_COL_COMPLETED_AT) : 0;
    t->created_at = drv->col_int(r, SQLB_COL_CREATED_AT);
    t->updated_at = drv->col_int(r, SQLB_COL_UPDATED_AT);
    t->version = drv->col_int(r, SQLB_COL_VERSION);
    t->series_start =
        drv->is_null(r, SQLB_COL_SERIES_START) ? 0 : drv->col_int(r, SQLB_COL_SERIES_START);
    read_tags(t, drv->col_text(r, SQLB_COL_TAGS_TEXT));
    return drv->col_int(r, SQLB_COL_N_REMINDERS);
}

/* Appends the reminder whose REMINDER_COLUMNS start at column col to t. */
static void read_reminder(struct store_conn *c, struct store_res *r, int col, struct task *t)
{
    const struct store_driver *drv = c->s->drv;
    if (t->n_reminders >= TASK_MAX_REMINDERS)
        return;
    struct reminder *rem = &t->reminders[t->n_reminders++];
    rem->id = drv->col_int(r, col);
    rem->relative = drv->col_bool(r, col + 1);
    rem->before_ms = drv->is_null(r, col + 2) ? 0 : drv->col_int(r, col + 2);
    rem->remind_at = drv->col_int(r, col + 3);
    rem->state = (int)drv->col_int(r, col + 4);
}

/* Index of the task with this id; rows come grouped by task id, so start at the last hit. */
static int find_task(struct task *items, int n, int64_t id, int *hint)
{
    for (int k = 0; k < n; k++) {
        int i = (*hint + k) % n;
        if (items[i].id == id) {
            *hint = i;
            return i;
        }
    }
    return -1;
}

/* The IN list length used for n ids: the next power of two (the list is padded by repeating
 * the last id), so the statement cache sees a few shapes instead of one per page size. */
int store_in_list_size(int n)
{
    int size = 1;
    while (size < n)
        size *= 2;
    return size;
}

/* Loads the reminders of those of items[0..n) whose has_reminders[i] is set, with one
 * query; no query at all when none has any. */
static int load_reminders(struct store_conn *c, struct task *items, const bool *has_reminders,
                          int n)
{
    const struct store_driver *drv = c->s->drv;
    int64_t *ids;
    struct sqlb b;
    struct store_res r;
    int rc, step, hint = 0, n_ids = 0;

    for (int i = 0; i < n; i++)
        n_ids += has_reminders[i];
    if (n_ids == 0)
        return TODO_OK;
    int size = store_in_list_size(n_ids);
    ids = xmalloc((size_t)size * sizeof *ids);
    n_ids = 0;
    for (int i = 0; i < n; i++)
        if (has_reminders[i])
            ids[n_ids++] = items[i].id;
    for (int i = n_ids; i < size; i++)
        ids[i] = ids[n_ids - 1];

    sqlb_init(&b, drv->dialect);
    sqlb_sql(&b, "SELECT r.task_id, " REMINDER_COLUMNS " FROM reminders r WHERE r.task_id IN ");
    sqlb_int_list(&b, ids, size);
    sqlb_sql(&b, " ORDER BY r.task_id, r.id");
    rc = store_run_dynamic(c, &b, &r);
    sqlb_release(&b);
    free(ids);
    if (rc != TODO_OK)
        return rc;
    while ((step = drv->next(&r)) == 1) {
        int i = find_task(items, n, drv->col_int(&r, 0), &hint);
        if (i >= 0)
            read_reminder(c, &r, 1, &items[i]);
    }
    drv->done(&r);
    return step < 0 ? -step : TODO_OK;
}

int store_ops_task_get(struct store_conn *c, const char *user_id, int64_t id, struct task *out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct task t;
    struct sqlb_value p[] = {V_INT(id), V_TEXT(user_id)};
    int rc, step;

    task_init(&t);
    rc = drv->exec(c, c->in_tx ? ST_TASK_GET_LOCKED : ST_TASK_GET, NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    step = drv->next(&r);
    if (step == 1 && read_task(c, &r, &t) > 0) {
        do {
            if (!drv->is_null(&r, SQLB_N_TASK_COLS))
                read_reminder(c, &r, SQLB_N_TASK_COLS, &t);
        } while ((step = drv->next(&r)) == 1);
        if (step == 0)
            step = 1;
    }
    drv->done(&r);
    if (step < 0)
        rc = -step;
    else if (step == 0)
        rc = store_conn_error(c, TODO_ERR_NOT_FOUND, "task not found");
    if (rc == TODO_OK) {
        task_release(out);
        *out = t;
    } else {
        task_release(&t);
    }
    return rc;
}

/* Runs the built query b, which answers one integer, into *out (0 when it has no row);
 * releases b. */
static int run_dynamic_int(struct store_conn *c, struct sqlb *b, int64_t *out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    int rc = store_run_dynamic(c, b, &r);
    if (rc == TODO_OK) {
        int step = drv->next(&r);
        if (step == 1)
            *out = drv->col_int(&r, 0);
        else if (step < 0)
            rc = -step;
        drv->done(&r);
    }
    sqlb_release(b);
    return rc;
}

/* How long a connection keeps the plan the probe chose for some words. The plan only decides
 * the cost, never the rows (a walk that runs out of its budget falls back to the matches), and
 * the probe was most of a frequent word's search on 1,000,000 tasks
 * (docs/decisions/0027-search-walk-with-fts5-tokenizer.md). */
#define WORDS_PLAN_TTL_NS (5 * 1000000000ull)

/* The memo key of q's words (space-separated; words hold none): false when too long. */
static bool words_key(const struct task_query *q, char key[WORDS_PLAN_KEY])
{
    size_t len = 0;
    for (int i = 0; i < q->n_words; i++) {
        size_t n = strlen(q->words[i]);
        if (len + n + 1 >= WORDS_PLAN_KEY)
            return false;
        memcpy(key + len, q->words[i], n);
        len += n;
        key[len++] = ' ';
    }
    key[len] = '\0';
    return true;
}

/* The memo of key: its fresh entry, else the entry to overwrite (stale or oldest). */
static struct words_plan_memo *words_memo(struct store_conn *c, const char *key, uint64_t now,
                                          bool *fresh)
{
    struct words_plan_memo *victim = &c->words_plans[0];
    for (int i = 0; i < WORDS_PLAN_MEMOS; i++) {
        struct words_plan_memo *m = &c->words_plans[i];
        if (strcmp(m->words, key) == 0 && now < m->until_ns) {
            *fresh = true;
            return m;
        }
        if (m->until_ns < victim->until_ns)
            victim = m;
    }
    *fresh = false;
    return victim;
}

/* sqlite: how to run a full-text list, from a bound of the number of FTS5 matches of every
 * user (sqlb_fts_probe, inside the list's read transaction), remembered a few seconds. */
static int words_plan(struct store_conn *c, const struct task_query *q, int *plan)
{
    const struct store_driver *drv = c->s->drv;
    char key[WORDS_PLAN_KEY];
    bool keyed = words_key(q, key), fresh = false;
    uint64_t now = time_mono_ns();
    struct words_plan_memo *m = keyed ? words_memo(c, key, now, &fresh) : NULL;
    struct sqlb b;
    int64_t n = 0;
    int rc;

    if (fresh) {
        *plan = m->plan;
        return TODO_OK;
    }
    sqlb_init(&b, drv->dialect);
    sqlb_fts_probe(&b, q);
    rc = run_dynamic_int(c, &b, &n);
    if (rc != TODO_OK)
        return rc;
    *plan = n <= SQLB_FEW_MATCHES ? SQLB_WORDS_FROM_MATCHES : SQLB_WORDS_WALK_INDEX;
    if (m) {
        memcpy(m->words, key, sizeof key);
        m->plan = *plan;
        m->until_ns = now + WORDS_PLAN_TTL_NS;
    }
    return TODO_OK;
}

/* Reads the list's rows (at most limit + 1) into items; *n counts them, also on failure. */
static int list_rows(struct store_conn *c, const char *user_id, const struct task_query *q,
                     int plan, struct task *items, bool *has_reminders, int limit, int *n)
{
    const struct store_driver *drv = c->s->drv;
    struct sqlb b;
    struct store_res r;
    int step = 0, rc;

    sqlb_init(&b, drv->dialect);
    if ((rc = sqlb_task_list(&b, user_id, q, plan)) != TODO_OK)
        store_conn_error(c, rc, "cursor does not match the sort");
    if (rc == TODO_OK)
        rc = store_run_dynamic(c, &b, &r);
    if (rc == TODO_OK) {
        while (*n <= limit && (step = drv->next(&r)) == 1) {
            task_init(&items[*n]);
            has_reminders[*n] = read_task(c, &r, &items[*n]) > 0;
            (*n)++;
        }
        drv->done(&r);
        if (step < 0)
            rc = -step;
    }
    sqlb_release(&b);
    return rc;
}

/* The walk of a full-text list tests at most this many rows with todo_words before it is
 * thrown away for the FTS5 matches (docs/decisions/0027-search-walk-with-fts5-tokenizer.md). */
#define WORDS_WALK_BUDGET 20000

/* Reads a full-text list: walked with a budget of rows, then from the FTS5 matches if the
 * budget ran out (the words are rare among this user's tasks, common among others'). */
static int list_words_rows(struct store_conn *c, const char *user_id, const struct task_query *q,
                           struct task *items, bool *has_reminders, int limit, int *n)
{
    const struct store_driver *drv = c->s->drv;
    assert(drv->words_budget && q->n_words > 0 && *n == 0);
    int plan = SQLB_WORDS_WALK_INDEX, rc = words_plan(c, q, &plan);
    if (rc != TODO_OK || plan == SQLB_WORDS_FROM_MATCHES)
        return rc == TODO_OK ? list_rows(c, user_id, q, plan, items, has_reminders, limit, n) : rc;
    drv->words_budget(c, WORDS_WALK_BUDGET);
    rc = list_rows(c, user_id, q, plan, items, has_reminders, limit, n);
    if (!drv->words_budget(c, -1) || rc != TODO_OK)
        return rc;
    while (*n > 0)
        task_release(&items[--*n]);
    return list_rows(c, user_id, q, SQLB_WORDS_FROM_MATCHES, items, has_reminders, limit, n);
}

int store_ops_task_list(struct store_conn *c, const char *user_id, const struct task_query *q,
                        struct task_page *out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_op op;
    int limit = sqlb_page_limit(q);
    /* Not zeroed: task_init sets each row read (a zeroed page of 51 tasks was 5% of a list
     * request, docs/decisions/0025-reads-in-index-order.md); only items[0..n) are used. */
    struct task *items = xmalloc(((size_t)limit + 1) * sizeof *items);
    bool *has_reminders = xcalloc((size_t)limit + 1, sizeof *has_reminders);
    int n = 0, rc;
    bool has_more = false;

    rc = store_op_begin(c, false, &op);
    if (rc != TODO_OK)
        goto out_free;
    if (drv->words_budget && q->n_words > 0)
        rc = list_words_rows(c, user_id, q, items, has_reminders, limit, &n);
    else
        rc = list_rows(c, user_id, q, SQLB_WORDS_WALK_INDEX, items, has_reminders, limit, &n);
    if (rc == TODO_OK && n > limit) {
        has_more = true;
        task_release(&items[--n]);
    }
    if (rc == TODO_OK)
        rc = load_reminders(c, items, has_reminders, n);
    rc = store_op_end(c, &op, rc);
out_free:
    free(has_reminders);
    if (rc != TODO_OK) {
        for (int i = 0; i < n; i++)
            task_release(&items[i]);
        free(items);
        return rc;
    }
    out->items = items;
    out->n_items = n;
    out->has_more = has_more;
    return TODO_OK;
}

int store_ops_task_count(struct store_conn *c, const char *user_id, const struct task_query *q,
                         int64_t *out)
{
    const struct store_driver *drv = c->s->drv;
    struct sqlb b;
    int64_t n = 0;
    int rc;

    sqlb_init(&b, drv->dialect);
    sqlb_task_count(&b, user_id, q);
    rc = run_dynamic_int(c, &b, &n);
    if (rc == TODO_OK)
        *out = n;
    return rc;
}

int store_ops_tags_list(struct store_conn *c, const char *user_id, struct tag_count **out,
                        size_t *n_out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct tag_count *tags = NULL;
    size_t n = 0, cap = 0;
    int step, rc;
    struct sqlb_value p[] = {V_TEXT(user_id)};

    rc = drv->exec(c, ST_TAGS_LIST, NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    while ((step = drv->next(&r)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            tags = xrealloc(tags, cap * sizeof *tags);
        }
        snprintf(tags[n].name, sizeof tags[n].name, "%s", drv->col_text(&r, 0));
        tags[n].count = drv->col_int(&r, 1);
        n++;
    }
    drv->done(&r);
    if (step < 0) {
        free(tags);
        return -step;
    }
    *out = tags;
    *n_out = n;
    return TODO_OK;
}

int store_run_sql(struct store_conn *c, const char *sql, const char *pg_sql,
                  const struct sqlb_value *p, int n, struct store_res *r)
{
    assert(c && sql && r);
    char *pg = NULL;
    if (c->s->drv->dialect == SQLB_PG)
        sql = pg = sqlb_pg_placeholders(pg_sql ? pg_sql : sql);
    int rc = c->s->drv->exec(c, -1, sql, p, n, r);
    free(pg);
    return rc;
}

int store_res_drain(const struct store_driver *drv, struct store_res *r, int step)
{
    assert(drv && r);
    while (step == 1)
        step = drv->next(r);
    drv->done(r);
    return step < 0 ? -step : TODO_OK;
}
