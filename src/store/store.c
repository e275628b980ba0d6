/* store.c - the public face of the store: picks a backend from the URL, hands each thread
 * its own connection and routes every call to the shared operations in store_ops.c.
 *
 * The one idea: a connection belongs to a thread. Each store has a pthread key whose slot
 * holds the calling thread's struct store_conn (opened lazily on first use, also carrying
 * that thread's last error text); every connection is also on the store's list so
 * store_destroy can close them all, and a thread that exits closes its own. */
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

int store_conn_error(struct store_conn *c, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->last_error, sizeof c->last_error, fmt, ap);
    va_end(ap);
    return rc;
}

static void conn_free(struct store_conn *c)
{
    if (c->db) {
        store_stats_conn_closed(c);
        c->s->drv->close(c);
    }
    free(c);
}

/* Runs when a thread that used the store exits. */
static void conn_thread_exit(void *p)
{
    struct store_conn *c = p;
    store_t *s = c->s;
    pthread_mutex_lock(&s->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&s->mu);
    conn_free(c);
}

static _Thread_local bool thread_background;

void store_thread_background(void)
{
    thread_background = true;
}

/* This thread's slot, created (not opened) if missing. */
static struct store_conn *conn_slot(store_t *s)
{
    struct store_conn *c = pthread_getspecific(s->key);
    if (c)
        return c;
    c = xcalloc(1, sizeof *c);
    c->s = s;
    c->background = thread_background;
    pthread_mutex_lock(&s->mu);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    pthread_mutex_unlock(&s->mu);
    if (pthread_setspecific(s->key, c) != 0)
        abort(); /* only fails on ENOMEM */
    return c;
}

struct store_conn *store_conn_get(store_t *s, int *rc)
{
    struct store_conn *c = conn_slot(s);
    if (!c->db) {
        int orc = s->drv->open(c);
        if (orc != TODO_OK) {
            *rc = orc;
            return NULL;
        }
        c->last_error[0] = '\0';
        store_stats_conn_opened(s);
    }
    return c;
}

/* "sqlite:PATH", "PATH.db", "postgres://", "postgresql://". */
static int parse_url(const char *url, const struct store_driver **drv, const char **target)
{
    size_t n = strlen(url);
    if (strncmp(url, "sqlite:", 7) == 0 && url[7] != '\0') {
        *drv = &store_sqlite_driver;
        *target = url + 7;
        /* Accept "sqlite://PATH" too (sqlite:///abs/path keeps the leading slash). */
        if (strncmp(*target, "//", 2) == 0)
            *target += 2;
        return (**target != '\0') ? TODO_OK : TODO_ERR_BAD_REQUEST;
    }
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        *drv = &store_pg_driver;
        *target = url;
        return TODO_OK;
    }
    if (n > 3 && strcmp(url + n - 3, ".db") == 0) {
        *drv = &store_sqlite_driver;
        *target = url;
        return TODO_OK;
    }
    return TODO_ERR_BAD_REQUEST;
}

int store_open(const char *url, store_t **out, struct todo_err *err)
{
    const struct store_driver *drv;
    const char *target;
    store_t *s;
    struct store_conn *c;
    int rc;

    if (!url || parse_url(url, &drv, &target) != TODO_OK)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "unsupported database URL (want sqlite:PATH, PATH.db or "
                            "postgres://...)");
    s = xcalloc(1, sizeof *s);
    s->drv = drv;
    s->target = xstrdup(target);
    if (pthread_key_create(&s->key, conn_thread_exit) != 0) {
        free(s->target);
        free(s);
        return todo_err_set(err, TODO_ERR_INTERNAL, "pthread_key_create failed");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    store_writer_init(s);
    c = store_conn_get(s, &rc);
    if (!c) {
        todo_err_set(err, rc, "%s", conn_slot(s)->last_error);
        store_destroy(s);
        return rc;
    }
    if (drv->attach)
        drv->attach(s);
    *out = s;
    return TODO_OK;
}

void store_destroy(store_t *s)
{
    if (!s)
        return;
    store_writer_release(s); /* first: its committer thread closes its connection as it exits */
    if (s->drv->detach)
        s->drv->detach(s); /* before the key goes: the driver's threads close their connections */
    pthread_setspecific(s->key, NULL);
    pthread_key_delete(s->key);
    pthread_mutex_lock(&s->mu);
    struct store_conn *c = s->conns;
    s->conns = NULL;
    pthread_mutex_unlock(&s->mu);
    while (c) {
        struct store_conn *next = c->next;
        conn_free(c);
        c = next;
    }
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->write_mu);
    free(s->target);
    free(s);
}

const char *store_backend_name(const store_t *s)
{
    return s->drv->name;
}

const char *store_last_error(store_t *s)
{
    return conn_slot(s)->last_error;
}

/* Every entry point below: get this thread's connection or fail with its open error. */
#define WITH_CONN(s, c)                                                                            \
    int conn_rc_ = TODO_OK;                                                                        \
    struct store_conn *c = store_conn_get((s), &conn_rc_);                                         \
    if (!c)                                                                                        \
    return conn_rc_

int store_migrate(store_t *s, int *n_applied, struct todo_err *err)
{
    int n = 0;
    int conn_rc = TODO_OK;
    struct store_conn *c = store_conn_get(s, &conn_rc);
    if (!c)
        return todo_err_set(err, conn_rc, "%s", store_last_error(s));
    int rc = store_ops_migrate(c, &n);
    if (rc != TODO_OK)
        return todo_err_set(err, rc, "migration failed: %s", c->last_error);
    *n_applied = n;
    return TODO_OK;
}

int store_schema_version(store_t *s, int *applied, int *latest)
{
    int a = 0;
    WITH_CONN(s, c);
    int rc = store_ops_schema_version(c, &a);
    if (rc != TODO_OK)
        return rc;
    *applied = a;
    *latest = store_migrations_latest(s->drv->migrations);
    return TODO_OK;
}

int store_ping(store_t *s)
{
    WITH_CONN(s, c);
    return store_ops_ping(c);
}

int store_begin(store_t *s)
{
    WITH_CONN(s, c);
    return store_ops_begin(c);
}

int store_commit(store_t *s)
{
    WITH_CONN(s, c);
    return store_ops_commit(c);
}

void store_rollback(store_t *s)
{
    struct store_conn *c = pthread_getspecific(s->key);
    if (c && c->db)
        store_ops_rollback(c);
}

int store_user_insert(store_t *s, const struct user *u)
{
    WITH_CONN(s, c);
    return store_ops_user_insert(c, u);
}

int store_user_get_by_email(store_t *s, const char *email, struct user *out)
{
    WITH_CONN(s, c);
    return store_ops_user_get(c, ST_USER_BY_EMAIL, email, out);
}

int store_user_get_by_id(store_t *s, const char *id, struct user *out)
{
    WITH_CONN(s, c);
    return store_ops_user_get(c, ST_USER_BY_ID, id, out);
}

int store_user_update(store_t *s, const struct user *u)
{
    WITH_CONN(s, c);
    return store_ops_user_update(c, u);
}

int store_task_insert(store_t *s, struct task *t)
{
    WITH_CONN(s, c);
    return store_ops_task_insert(c, t);
}

int store_task_get(store_t *s, const char *user_id, int64_t id, struct task *out)
{
    WITH_CONN(s, c);
    return store_ops_task_get(c, user_id, id, out);
}

int store_task_update(store_t *s, struct task *t, int64_t expect_version)
{
    WITH_CONN(s, c);
    return store_ops_task_update(c, t, expect_version);
}

int store_task_delete(store_t *s, const char *user_id, int64_t id, int64_t expect_version)
{
    WITH_CONN(s, c);
    return store_ops_task_delete(c, user_id, id, expect_version);
}

int store_task_list(store_t *s, const char *user_id, const struct task_query *q,
                    struct task_page *out)
{
    WITH_CONN(s, c);
    return store_ops_task_list(c, user_id, q, out);
}

int store_task_count(store_t *s, const char *user_id, const struct task_query *q, int64_t *out)
{
    WITH_CONN(s, c);
    return store_ops_task_count(c, user_id, q, out);
}

void task_page_release(struct task_page *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_items; i++)
        task_release(&p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n_items = 0;
    p->has_more = false;
}

int store_tags_list(store_t *s, const char *user_id, struct tag_count **out, size_t *n)
{
    WITH_CONN(s, c);
    return store_ops_tags_list(c, user_id, out, n);
}

int store_outbox_insert(store_t *s, const char *topic, const char *key, const char *event_id,
                        const char *payload, int64_t now_ms)
{
    WITH_CONN(s, c);
    return store_ops_outbox_insert(c, topic, key, event_id, payload, now_ms);
}

int store_outbox_fetch(store_t *s, int limit, struct outbox_row **out, int *n)
{
    WITH_CONN(s, c);
    return store_ops_outbox_fetch(c, limit, out, n);
}

int store_outbox_mark_sent(store_t *s, const int64_t *ids, int n, int64_t now_ms)
{
    WITH_CONN(s, c);
    return store_ops_outbox_mark_sent(c, ids, n, now_ms);
}

int store_outbox_prune(store_t *s, int64_t sent_before_ms)
{
    WITH_CONN(s, c);
    return store_ops_outbox_prune(c, sent_before_ms);
}

int store_outbox_stats(store_t *s, int64_t *backlog, int64_t *oldest_created_at)
{
    WITH_CONN(s, c);
    return store_ops_outbox_stats(c, backlog, oldest_created_at);
}

int store_relay_lock(store_t *s)
{
    WITH_CONN(s, c);
    return store_ops_relay_lock(c);
}

int store_event_claim(store_t *s, const char *consumer, const char *event_id, int64_t now_ms)
{
    WITH_CONN(s, c);
    return store_ops_event_claim(c, consumer, event_id, now_ms);
}

int store_dead_letter_insert(store_t *s, const char *topic, const char *key, const char *event_id,
                             const char *payload, int64_t now_ms)
{
    WITH_CONN(s, c);
    return store_ops_dead_letter_insert(c, topic, key, event_id, payload, now_ms);
}

int store_dead_letter_count(store_t *s, const char *topic, int64_t *n)
{
    WITH_CONN(s, c);
    return store_ops_dead_letter_count(c, topic, n);
}

int store_queue_insert(store_t *s, const char *group, const char *topic, const char *key,
                       const char *event_id, const char *payload, int64_t now_ms)
{
    WITH_CONN(s, c);
    return store_ops_queue_insert(c, group, topic, key, event_id, payload, now_ms);
}

int store_queue_fetch(store_t *s, const char *group, int limit, struct outbox_row **out, int *n)
{
    WITH_CONN(s, c);
    return store_ops_queue_fetch(c, group, limit, out, n);
}

int store_queue_delete(store_t *s, const int64_t *ids, int n)
{
    WITH_CONN(s, c);
    return store_ops_queue_delete(c, ids, n);
}

int store_queue_count(store_t *s, const char *group, int64_t *n)
{
    WITH_CONN(s, c);
    return store_ops_queue_count(c, group, n);
}

int store_reminders_claim_due(store_t *s, int64_t now_ms, int limit, struct reminder_due **out,
                              int *n)
{
    WITH_CONN(s, c);
    return store_ops_reminders_claim_due(c, now_ms, limit, out, n);
}

int store_reminder_claim(store_t *s, int64_t id, int64_t remind_at, int64_t now_ms,
                         struct reminder_due *out, bool *claimed)
{
    WITH_CONN(s, c);
    return store_ops_reminder_claim(c, id, remind_at, now_ms, out, claimed);
}

int store_reminders_next(store_t *s, int64_t *at)
{
    WITH_CONN(s, c);
    return store_ops_reminders_next(c, at);
}

int store_sched_job_insert(store_t *s, int64_t reminder_id, bool cancel, int64_t remind_at,
                           int64_t now_ms)
{
    WITH_CONN(s, c);
    return store_ops_sched_job_insert(c, reminder_id, cancel, remind_at, now_ms);
}

int store_sched_jobs_fetch(store_t *s, int limit, struct sched_job **out, int *n)
{
    WITH_CONN(s, c);
    return store_ops_sched_jobs_fetch(c, limit, out, n);
}

int store_sched_job_delete(store_t *s, int64_t id)
{
    WITH_CONN(s, c);
    return store_ops_sched_job_delete(c, id);
}

int store_reminders_overdue(store_t *s, int64_t before_ms, int limit, struct sched_job **out,
                            int *n)
{
    WITH_CONN(s, c);
    return store_ops_reminders_overdue(c, before_ms, limit, out, n);
}

int store_reminder_schedule(store_t *s, int64_t id, int *state, int64_t *remind_at, bool *found)
{
    WITH_CONN(s, c);
    return store_ops_reminder_schedule(c, id, state, remind_at, found);
}

int store_audit_append(store_t *s, const char *user_id, int64_t task_id, const char *event_id,
                       const char *type, int64_t at, const char *changes_json)
{
    WITH_CONN(s, c);
    return store_ops_audit_append(c, user_id, task_id, event_id, type, at, changes_json);
}

int store_audit_list(store_t *s, const char *user_id, int64_t task_id, struct audit_entry **out,
                     int *n)
{
    WITH_CONN(s, c);
    return store_ops_audit_list(c, user_id, task_id, out, n);
}

int store_user_set_password(store_t *s, const char *user_id, const char *hash)
{
    WITH_CONN(s, c);
    return store_ops_user_set_password(c, user_id, hash);
}

int store_session_insert(store_t *s, const char *sid, const char *user_id, int64_t created_at,
                         int64_t expires_at)
{
    WITH_CONN(s, c);
    return store_ops_session_insert(c, sid, user_id, created_at, expires_at);
}

int store_session_revoke(store_t *s, const char *sid, const char *user_id, int64_t expires_at,
                         int64_t now_ms)
{
    WITH_CONN(s, c);
    return store_ops_session_revoke(c, sid, user_id, expires_at, now_ms);
}

int store_sessions_revoke_user(store_t *s, const char *user_id, const char *except_sid,
                               int64_t now_ms, int64_t *n)
{
    WITH_CONN(s, c);
    return store_ops_sessions_revoke_user(c, user_id, except_sid, now_ms, n);
}

int store_session_extend(store_t *s, const char *sid, int64_t expires_at)
{
    WITH_CONN(s, c);
    return store_ops_session_extend(c, sid, expires_at);
}

int store_sessions_revoked(store_t *s, int64_t since_ms, int64_t now_ms, store_revoked_fn fn,
                           void *arg)
{
    WITH_CONN(s, c);
    return store_ops_sessions_revoked(c, since_ms, now_ms, fn, arg);
}

int store_sessions_prune(store_t *s, int64_t expired_before_ms, int64_t *n)
{
    WITH_CONN(s, c);
    return store_ops_sessions_prune(c, expired_before_ms, n);
}
