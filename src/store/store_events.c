/* store_events.c - the store's side of event delivery (docs/events/README.md), written once over
 * the driver like store_ops.c: the transactional outbox the relay publishes from, the
 * processed_events table that makes consumers idempotent, and the audit history.
 *
 * The one idea: order comes from outbox ids, so ids must follow commit order wherever order
 * matters. The relay publishes unsent rows in id order, and one user's events must stay in
 * order; on postgres a transaction that took an id can commit after one that took a later
 * id, so each outbox insert first takes a transaction lock on its key (the user id), queueing
 * that user's writers until commit (sqlite's process-wide write lock already serializes all
 * writers). For the same reason rows are marked sent by their ids, never by a range. One
 * relay per database: a postgres session lock, remembered on the connection. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

/* Ids marked sent per statement; longer lists are split (both backends bound parameters). */
#define MARK_SENT_CHUNK 256

/* TODO_OK when s is set and fits a char[cap] field of the structs read back; else an error
 * naming what. */
static int check_text(struct store_conn *c, const char *what, const char *s, size_t cap)
{
    if (!s)
        return store_conn_error(c, TODO_ERR_BAD_REQUEST, "%s is missing", what);
    if (strnlen(s, cap) >= cap)
        return store_conn_error(c, TODO_ERR_BAD_REQUEST, "%s is longer than %zu bytes", what,
                                cap - 1);
    return TODO_OK;
}

/* Copies s into a char[cap] field (the insert checked it fits). */
static void copy_text(char *out, size_t cap, const char *s)
{
    size_t n = strnlen(s, cap - 1);
    memcpy(out, s, n);
    out[n] = '\0';
}

/* --- outbox --- */

int store_ops_outbox_insert(struct store_conn *c, const char *topic, const char *key,
                            const char *event_id, const char *payload, int64_t now_ms)
{
    const struct outbox_row *row = NULL;
    int rc = check_text(c, "topic", topic, sizeof row->topic);
    if (rc == TODO_OK)
        rc = check_text(c, "key", key, sizeof row->key);
    if (rc == TODO_OK)
        rc = check_text(c, "event id", event_id, sizeof row->event_id);
    if (rc == TODO_OK && !payload)
        rc = store_conn_error(c, TODO_ERR_BAD_REQUEST, "payload is missing");
    if (rc != TODO_OK)
        return rc;

    /* Inside the caller's transaction no savepoint: neither statement fails on data, and a
     * lock failure (deadlock: BUSY) means retrying the whole transaction anyway. Alone, the
     * lock must be held until the insert commits, so both share a transaction. */
    struct store_op op = {0};
    if (!c->in_tx && (rc = store_op_begin(c, true, &op)) != TODO_OK)
        return rc;
    struct sqlb_value pk[] = {V_TEXT(key)};
    rc = store_run(c, ST_OUTBOX_KEY_LOCK, pk, N_OF(pk), NULL);
    if (rc == TODO_OK) {
        struct sqlb_value p[] = {V_TEXT(topic), V_TEXT(key), V_TEXT(event_id), V_TEXT(payload),
                                 V_INT(now_ms)};
        rc = store_run(c, ST_OUTBOX_INSERT, p, N_OF(p), NULL);
    }
    return store_op_end(c, &op, rc);
}

/* Reads the rows of an outbox-shaped SELECT (id, topic, key, event_id, payload, created_at)
 * whose last parameter is the limit. */
static int read_event_rows(struct store_conn *c, int stmt, const struct sqlb_value *p, int n_p,
                           int limit, struct outbox_row **out, int *n_out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct outbox_row *rows = NULL;
    int n = 0, cap = 0, step, rc;

    assert(n_p >= 1 && p[n_p - 1].num == limit);
    if (limit <= 0) {
        *out = NULL;
        *n_out = 0;
        return TODO_OK;
    }
    rc = drv->exec(c, stmt, NULL, p, n_p, &r);
    if (rc != TODO_OK)
        return rc;
    while ((step = drv->next(&r)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : (limit < 64 ? limit : 64);
            rows = xrealloc(rows, (size_t)cap * sizeof *rows);
        }
        struct outbox_row *row = &rows[n++];
        row->id = drv->col_int(&r, 0);
        copy_text(row->topic, sizeof row->topic, drv->col_text(&r, 1));
        copy_text(row->key, sizeof row->key, drv->col_text(&r, 2));
        copy_text(row->event_id, sizeof row->event_id, drv->col_text(&r, 3));
        row->payload = xstrdup(drv->col_text(&r, 4));
        row->created_at = drv->col_int(&r, 5);
    }
    drv->done(&r);
    if (step < 0) {
        outbox_rows_free(rows, n);
        return -step;
    }
    *out = rows; /* NULL when there are none */
    *n_out = n;
    return TODO_OK;
}

int store_ops_outbox_fetch(struct store_conn *c, int limit, struct outbox_row **out, int *n_out)
{
    struct sqlb_value p[] = {V_INT(limit)};
    return read_event_rows(c, ST_OUTBOX_FETCH, p, N_OF(p), limit, out, n_out);
}

/* Copies ids[0..n) (0 < n <= MARK_SENT_CHUNK) into padded, repeating the last id up to the
 * IN list size (store_in_list_size); returns that size. */
static int pad_ids(const int64_t *ids, int n, int64_t padded[MARK_SENT_CHUNK])
{
    assert(n > 0 && n <= MARK_SENT_CHUNK);
    int size = store_in_list_size(n);
    memcpy(padded, ids, (size_t)n * sizeof *ids);
    for (int i = n; i < size; i++)
        padded[i] = ids[n - 1];
    return size;
}

/* A statement over a list of ids: head, then (when has_value) a bound value and mid, then
 * "IN (ids)", then tail. Written once for each statement of the kind. */
struct ids_stmt {
    const char *head;
    bool has_value;
    int64_t value;
    const char *mid;
    const char *tail;
};

/* Runs st for ids[0..n) (0 < n <= MARK_SENT_CHUNK) as one statement. */
static int ids_chunk(struct store_conn *c, const struct ids_stmt *st, const int64_t *ids, int n)
{
    int64_t padded[MARK_SENT_CHUNK];
    int size = pad_ids(ids, n, padded);
    struct sqlb b;
    struct store_res r;

    sqlb_init(&b, c->s->drv->dialect);
    sqlb_sql(&b, st->head);
    if (st->has_value) {
        sqlb_int(&b, st->value);
        sqlb_sql(&b, st->mid);
    }
    sqlb_int_list(&b, padded, size);
    sqlb_sql(&b, st->tail);
    int rc = store_run_dynamic(c, &b, &r);
    if (rc == TODO_OK)
        c->s->drv->done(&r);
    sqlb_release(&b);
    return rc;
}

/* Runs st over ids[0..n) in chunks. One statement is atomic alone; several (or any inside a
 * caller's transaction, to keep it usable after a failure) share a scope. */
static int run_for_ids(struct store_conn *c, const struct ids_stmt *st, const int64_t *ids, int n)
{
    struct store_op op = {0};
    int rc = TODO_OK;

    if (n <= 0)
        return TODO_OK;
    bool scoped = c->in_tx || n > MARK_SENT_CHUNK;
    if (scoped && (rc = store_op_begin(c, true, &op)) != TODO_OK)
        return rc;
    for (int i = 0; rc == TODO_OK && i < n; i += MARK_SENT_CHUNK)
        rc = ids_chunk(c, st, ids + i, n - i < MARK_SENT_CHUNK ? n - i : MARK_SENT_CHUNK);
    return scoped ? store_op_end(c, &op, rc) : rc;
}

int store_ops_outbox_mark_sent(struct store_conn *c, const int64_t *ids, int n, int64_t now_ms)
{
    /* a row marked twice keeps its first time */
    struct ids_stmt st = {"UPDATE outbox SET sent_at = ", true, now_ms, " WHERE id IN ",
                          " AND sent_at IS NULL"};
    return run_for_ids(c, &st, ids, n);
}

int store_ops_outbox_prune(struct store_conn *c, int64_t sent_before_ms)
{
    struct sqlb_value p[] = {V_INT(sent_before_ms)};
    return store_run(c, ST_OUTBOX_PRUNE, p, N_OF(p), NULL);
}

int store_ops_outbox_stats(struct store_conn *c, int64_t *backlog, int64_t *oldest_created_at)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    int64_t count = 0, oldest = 0;
    int rc = drv->exec(c, ST_OUTBOX_STATS, NULL, NULL, 0, &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1) {
        count = drv->col_int(&r, 0);
        oldest = drv->col_int(&r, 1);
    }
    drv->done(&r);
    if (step < 0)
        return -step;
    *backlog = count;
    *oldest_created_at = oldest;
    return TODO_OK;
}

/* The lock is taken once per session (session locks stack on postgres: taking it again
 * would need as many unlocks). While held, each call still makes one round trip, so that a
 * session lost since (and the lock with it) is reset and noticed here, before the relay
 * reads anything without the lock; the driver then clears c->relay_locked. On sqlite the
 * statement is "SELECT 1": always held. */
int store_ops_relay_lock(struct store_conn *c)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    bool found = false;
    int64_t one;
    int rc;

    if (c->relay_locked) {
        rc = store_run_int(c, ST_PING, NULL, 0, &found, &one);
        if (rc != TODO_OK || c->relay_locked)
            return rc;
    }
    rc = drv->exec(c, ST_RELAY_LOCK, NULL, NULL, 0, &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    bool held = step == 1 && drv->col_bool(&r, 0);
    drv->done(&r);
    if (step < 0)
        return -step;
    if (!held)
        return store_conn_error(c, TODO_ERR_BUSY, "another session holds the relay lock");
    c->relay_locked = true;
    return TODO_OK;
}

/* --- idempotent consumers --- */

/* ON CONFLICT DO NOTHING: a duplicate changes no row and raises no error, so a postgres
 * transaction stays usable and no savepoint is needed. */
int store_ops_event_claim(struct store_conn *c, const char *consumer, const char *event_id,
                          int64_t now_ms)
{
    int64_t changes = 0;
    struct sqlb_value p[] = {V_TEXT(consumer), V_TEXT(event_id), V_INT(now_ms)};
    if (!consumer || !event_id)
        return store_conn_error(c, TODO_ERR_BAD_REQUEST, "consumer or event id is missing");
    int rc = store_run(c, ST_EVENT_CLAIM, p, N_OF(p), &changes);
    if (rc == TODO_OK && changes == 0)
        rc = store_conn_error(c, TODO_ERR_CONFLICT, "event %.80s already processed by %.80s",
                              event_id, consumer);
    return rc;
}

/* --- retention (docs/decisions/0024-event-retention.md) --- */

/* Runs a DELETE built in b; *n (may be NULL) gets the rows it deleted. */
static int run_delete(struct store_conn *c, struct sqlb *b, int64_t *n)
{
    struct store_res r;
    int rc = store_run_dynamic(c, b, &r);
    if (rc == TODO_OK) {
        if (n)
            *n = r.changes;
        c->s->drv->done(&r);
    }
    sqlb_release(b);
    return rc;
}

/* The oldest rows first, through outbox_sent (sent_at WHERE sent_at IS NOT NULL): the
 * subquery reads at most limit index entries, the delete finds them by primary key. */
int store_outbox_prune_some(store_t *s, int64_t sent_before_ms, int limit, int64_t *n)
{
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(s, &rc);
    if (!c)
        return rc;
    assert(limit > 0);
    struct sqlb b;
    sqlb_init(&b, c->s->drv->dialect);
    sqlb_sql(&b, "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NOT "
                 "NULL AND sent_at < ");
    sqlb_int(&b, sent_before_ms);
    sqlb_sql(&b, " ORDER BY sent_at LIMIT ");
    sqlb_int(&b, limit);
    sqlb_sql(&b, ")");
    return run_delete(c, &b, n);
}

/* Through processed_events_at (consumer, processed_at), as above. */
int store_event_prune_some(store_t *s, const char *consumer, int64_t before_ms, int limit,
                           int64_t *n)
{
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(s, &rc);
    if (!c)
        return rc;
    assert(consumer && limit > 0);
    struct sqlb b;
    sqlb_init(&b, c->s->drv->dialect);
    sqlb_sql(&b, "DELETE FROM processed_events WHERE consumer = ");
    sqlb_text(&b, consumer);
    sqlb_sql(&b, " AND event_id IN (SELECT event_id FROM processed_events WHERE consumer = ");
    sqlb_text(&b, consumer);
    sqlb_sql(&b, " AND processed_at < ");
    sqlb_int(&b, before_ms);
    sqlb_sql(&b, " ORDER BY processed_at LIMIT ");
    sqlb_int(&b, limit);
    sqlb_sql(&b, ")");
    return run_delete(c, &b, n);
}

/* The public entry points of the savepoints (store.h): this thread's connection, which must
 * be in a transaction. */
int store_savepoint(store_t *s)
{
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(s, &rc);
    if (!c)
        return rc;
    if (!c->in_tx)
        return store_conn_error(c, TODO_ERR_INTERNAL, "a savepoint needs a transaction");
    struct store_op op = {0};
    rc = store_op_begin(c, true, &op);
    assert(rc != TODO_OK || op.savepoint);
    return rc;
}

int store_savepoint_end(store_t *s, int rc)
{
    int crc = TODO_OK;
    struct store_conn *c = store_conn_get(s, &crc);
    if (!c)
        return crc;
    assert(c->in_tx);
    struct store_op op = {.own = false, .savepoint = true};
    return store_op_end(c, &op, rc);
}

/* --- dead letters --- */

int store_ops_dead_letter_insert(struct store_conn *c, const char *topic, const char *key,
                                 const char *event_id, const char *payload, int64_t now_ms)
{
    struct sqlb_value p[] = {V_TEXT(topic ? topic : ""), V_TEXT(key ? key : ""),
                             V_TEXT(event_id ? event_id : ""), V_TEXT(payload ? payload : ""),
                             V_INT(now_ms)};
    return store_run(c, ST_DEAD_LETTER_INSERT, p, N_OF(p), NULL);
}

int store_ops_dead_letter_count(struct store_conn *c, const char *topic, int64_t *n)
{
    bool found = false;
    struct sqlb_value p[] = {V_TEXT(topic)};
    int rc = store_run_int(c, ST_DEAD_LETTER_COUNT, p, N_OF(p), &found, n);
    if (rc == TODO_OK && !found)
        *n = 0;
    return rc;
}

/* --- the in-process bus's queues --- */

int store_ops_queue_insert(struct store_conn *c, const char *group, const char *topic,
                           const char *key, const char *event_id, const char *payload,
                           int64_t now_ms)
{
    const struct outbox_row *row = NULL;
    int rc = check_text(c, "topic", topic, sizeof row->topic);
    if (rc == TODO_OK)
        rc = check_text(c, "key", key, sizeof row->key);
    if (rc == TODO_OK)
        rc = check_text(c, "event id", event_id, sizeof row->event_id);
    if (rc == TODO_OK && (!payload || !group))
        rc = store_conn_error(c, TODO_ERR_BAD_REQUEST, "group or payload is missing");
    if (rc != TODO_OK)
        return rc;
    struct sqlb_value p[] = {V_TEXT(group),    V_TEXT(topic),   V_TEXT(key),
                             V_TEXT(event_id), V_TEXT(payload), V_INT(now_ms)};
    return store_run(c, ST_QUEUE_INSERT, p, N_OF(p), NULL);
}

int store_ops_queue_fetch(struct store_conn *c, const char *group, int limit,
                          struct outbox_row **out, int *n)
{
    assert(group);
    struct sqlb_value p[] = {V_TEXT(group), V_INT(limit)};
    return read_event_rows(c, ST_QUEUE_FETCH, p, N_OF(p), limit, out, n);
}

/* By ids, never by a range: on postgres a row with a lower id may commit after the group
 * fetched (another publisher), and must not go unhandled. */
int store_ops_queue_delete(struct store_conn *c, const int64_t *ids, int n)
{
    struct ids_stmt st = {"DELETE FROM bus_queue WHERE id IN ", false, 0, "", ""};
    return run_for_ids(c, &st, ids, n);
}

int store_ops_queue_count(struct store_conn *c, const char *group, int64_t *n)
{
    bool found = false;
    struct sqlb_value p[] = {V_TEXT(group)};
    int rc = store_run_int(c, ST_QUEUE_COUNT, p, N_OF(p), &found, n);
    if (rc == TODO_OK && !found)
        *n = 0;
    return rc;
}

/* --- audit --- */

/* An entry whose event is already recorded is a duplicate: TODO_ERR_CONFLICT, without an
 * error that would abort a postgres transaction. */
int store_ops_audit_append(struct store_conn *c, const char *user_id, int64_t task_id,
                           const char *event_id, const char *type, int64_t at,
                           const char *changes_json)
{
    const struct audit_entry *e = NULL;
    int64_t changes = 0;
    int rc = check_text(c, "event id", event_id, sizeof e->event_id);
    if (rc == TODO_OK)
        rc = check_text(c, "type", type, sizeof e->type);
    if (rc == TODO_OK && !user_id)
        rc = store_conn_error(c, TODO_ERR_BAD_REQUEST, "user id is missing");
    if (rc != TODO_OK)
        return rc;
    struct sqlb_value p[] = {V_TEXT(user_id),  V_INT(task_id),
                             V_TEXT(event_id), V_TEXT(type),
                             V_INT(at),        V_TEXT(changes_json ? changes_json : "{}")};
    rc = store_run(c, ST_AUDIT_APPEND, p, N_OF(p), &changes);
    if (rc == TODO_OK && changes == 0)
        rc = store_conn_error(c, TODO_ERR_CONFLICT, "audit entry for event %.80s exists", event_id);
    return rc;
}

int store_ops_audit_list(struct store_conn *c, const char *user_id, int64_t task_id,
                         struct audit_entry **out, int *n_out)
{
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct audit_entry *entries = NULL;
    int n = 0, cap = 0, step, rc;
    struct sqlb_value p[] = {V_TEXT(user_id), V_INT(task_id)};

    rc = drv->exec(c, ST_AUDIT_LIST, NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    while ((step = drv->next(&r)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            entries = xrealloc(entries, (size_t)cap * sizeof *entries);
        }
        struct audit_entry *e = &entries[n++];
        copy_text(e->event_id, sizeof e->event_id, drv->col_text(&r, 0));
        copy_text(e->type, sizeof e->type, drv->col_text(&r, 1));
        e->at = drv->col_int(&r, 2);
        e->changes = xstrdup(drv->col_text(&r, 3));
    }
    drv->done(&r);
    if (step < 0) {
        audit_entries_free(entries, n);
        return -step;
    }
    if (n == 0)
        return store_conn_error(c, TODO_ERR_NOT_FOUND, "no history for this task");
    *out = entries;
    *n_out = n;
    return TODO_OK;
}

/* --- freeing what the reads return --- */

void outbox_rows_free(struct outbox_row *rows, int n)
{
    if (!rows)
        return;
    for (int i = 0; i < n; i++)
        free(rows[i].payload);
    free(rows);
}

void audit_entries_free(struct audit_entry *e, int n)
{
    if (!e)
        return;
    for (int i = 0; i < n; i++)
        free(e[i].changes);
    free(e);
}
