/* test_store_events.c - the store's event tables (store_events.c): the outbox, idempotent
 * consumers, the relay lock and the audit history, run case by case against sqlite (a temp
 * file under /tmp) and, when TODO_TEST_POSTGRES_URL is set, against postgres (each case in a
 * fresh schema chosen through search_path, dropped afterwards), with the fixture of
 * store_fixture.h. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/store.h"
#include "store/store_internal.h" /* a raw query through the driver, to look behind the API */

#define STORE_FIXTURE_NAME store_events_test
#include "store_fixture.h"

/* --- helpers --- */

/* The first column of the first row of sql (no parameters), run on this thread's connection. */
static int64_t query_int(const char *sql)
{
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(S, &rc);
    cr_assert_not_null(c);
    struct store_res r;
    cr_assert_eq(c->s->drv->exec(c, -1, sql, NULL, 0, &r), TODO_OK, "%s", c->last_error);
    cr_assert_eq(c->s->drv->next(&r), 1);
    int64_t v = c->s->drv->col_int(&r, 0);
    c->s->drv->done(&r);
    return v;
}

static void insert_event(const char *key, const char *event_id, int64_t now)
{
    char payload[128];
    snprintf(payload, sizeof payload, "{\"id\":\"%s\"}", event_id);
    cr_assert_eq(store_outbox_insert(S, "task-events", key, event_id, payload, now), TODO_OK, "%s",
                 store_last_error(S));
}

/* Fetches up to limit unsent rows' ids into ids; returns how many. */
static int fetch_ids(int limit, int64_t *ids)
{
    struct outbox_row *rows = NULL;
    int n = -1;
    cr_assert_eq(store_outbox_fetch(S, limit, &rows, &n), TODO_OK, "%s", store_last_error(S));
    for (int i = 0; i < n; i++)
        ids[i] = rows[i].id;
    outbox_rows_free(rows, n);
    return n;
}

static void assert_ids(const int64_t *got, int n, const int64_t *want, int n_want)
{
    cr_assert_eq(n, n_want, "got %d rows, want %d", n, n_want);
    for (int i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "row %d: got id %" PRId64 ", want %" PRId64, i, got[i],
                     want[i]);
}

/* --- outbox --- */

STORE_TEST(outbox_insert_in_rolled_back_transaction_leaves_nothing)
{
    int64_t ids[8], backlog = -1, oldest = -1;
    cr_assert_eq(store_begin(S), TODO_OK);
    insert_event("u1", "e1", 100);
    insert_event("u1", "e2", 101);
    store_rollback(S);
    cr_assert_eq(fetch_ids(8, ids), 0);
    cr_assert_eq(store_outbox_stats(S, &backlog, &oldest), TODO_OK);
    cr_assert_eq(backlog, 0);
    cr_assert_eq(oldest, 0);

    cr_assert_eq(store_begin(S), TODO_OK);
    insert_event("u1", "e3", 102);
    cr_assert_eq(store_commit(S), TODO_OK);
    insert_event("u2", "e4", 103); /* outside a transaction: commits alone */
    cr_assert_eq(fetch_ids(8, ids), 2);
}

STORE_TEST(outbox_fetch_returns_unsent_rows_in_id_order_up_to_limit)
{
    int64_t ids[8];
    struct outbox_row *rows = NULL;
    int n = 0;
    insert_event("u1", "e1", 100);
    insert_event("u2", "e2", 90); /* created_at does not order; the id does */
    insert_event("u1", "e3", 110);
    insert_event("u3", "e4", 120);
    insert_event("u1", "e5", 130);

    cr_assert_eq(store_outbox_fetch(S, 3, &rows, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n, 3);
    cr_assert_str_eq(rows[0].event_id, "e1");
    cr_assert_str_eq(rows[1].event_id, "e2");
    cr_assert_str_eq(rows[2].event_id, "e3");
    cr_assert_str_eq(rows[1].topic, "task-events");
    cr_assert_str_eq(rows[1].key, "u2");
    cr_assert_str_eq(rows[1].payload, "{\"id\":\"e2\"}");
    cr_assert_eq(rows[1].created_at, 90);
    cr_assert_lt(rows[0].id, rows[1].id);
    cr_assert_lt(rows[1].id, rows[2].id);
    outbox_rows_free(rows, n);

    cr_assert_eq(fetch_ids(8, ids), 5);
    for (int i = 1; i < 5; i++)
        cr_assert_lt(ids[i - 1], ids[i]);
    cr_assert_eq(fetch_ids(0, ids), 0);

    /* A field that would not fit the row read back is refused, not truncated. */
    char long_topic[80];
    memset(long_topic, 't', sizeof long_topic - 1);
    long_topic[sizeof long_topic - 1] = '\0';
    cr_assert_eq(store_outbox_insert(S, long_topic, "u1", "e6", "{}", 1), TODO_ERR_BAD_REQUEST);
}

STORE_TEST(outbox_mark_sent_marks_exactly_the_given_ids)
{
    int64_t ids[8], left[8];
    for (int i = 0; i < 5; i++) {
        char eid[16];
        snprintf(eid, sizeof eid, "e%d", i);
        insert_event("u1", eid, 100 + i);
    }
    cr_assert_eq(fetch_ids(8, ids), 5);
    int64_t subset[] = {ids[3], ids[1]};
    cr_assert_eq(store_outbox_mark_sent(S, subset, 2, 500), TODO_OK, "%s", store_last_error(S));
    assert_ids(left, fetch_ids(8, left), (int64_t[]){ids[0], ids[2], ids[4]}, 3);

    /* Inside a transaction that rolls back: nothing changes. */
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_outbox_mark_sent(S, ids, 5, 600), TODO_OK, "%s", store_last_error(S));
    store_rollback(S);
    assert_ids(left, fetch_ids(8, left), (int64_t[]){ids[0], ids[2], ids[4]}, 3);

    /* Already sent ids and unknown ones are ignored; marking twice keeps the first time. */
    int64_t again[] = {ids[1], ids[4], 999999};
    cr_assert_eq(store_outbox_mark_sent(S, again, 3, 700), TODO_OK);
    assert_ids(left, fetch_ids(8, left), (int64_t[]){ids[0], ids[2]}, 2);
    cr_assert_eq(query_int("SELECT count(*) FROM outbox WHERE sent_at = 500"), 2);
    cr_assert_eq(store_outbox_mark_sent(S, NULL, 0, 800), TODO_OK);
}

STORE_TEST(outbox_mark_sent_of_more_ids_than_one_statement_takes)
{
    enum { N = 600 };
    int64_t *ids = xmalloc(N * sizeof *ids);
    cr_assert_eq(store_begin(S), TODO_OK);
    for (int i = 0; i < N; i++) {
        char eid[16];
        snprintf(eid, sizeof eid, "e%d", i);
        insert_event(i % 2 ? "u1" : "u2", eid, i);
    }
    cr_assert_eq(store_commit(S), TODO_OK);
    cr_assert_eq(fetch_ids(N, ids), N);
    cr_assert_eq(store_outbox_mark_sent(S, ids, N - 1, 1000), TODO_OK, "%s", store_last_error(S));
    int64_t left[4];
    assert_ids(left, fetch_ids(4, left), (int64_t[]){ids[N - 1]}, 1);
    free(ids);
}

STORE_TEST(outbox_stats_counts_unsent_rows_and_their_oldest_creation)
{
    int64_t ids[8], backlog = -1, oldest = -1;
    insert_event("u1", "e1", 300);
    insert_event("u1", "e2", 200);
    insert_event("u2", "e3", 400);
    cr_assert_eq(store_outbox_stats(S, &backlog, &oldest), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(backlog, 3);
    cr_assert_eq(oldest, 200);
    cr_assert_eq(fetch_ids(8, ids), 3);
    cr_assert_eq(store_outbox_mark_sent(S, &ids[1], 1, 500), TODO_OK);
    cr_assert_eq(store_outbox_stats(S, &backlog, &oldest), TODO_OK);
    cr_assert_eq(backlog, 2);
    cr_assert_eq(oldest, 300);
    cr_assert_eq(store_outbox_mark_sent(S, ids, 3, 600), TODO_OK);
    cr_assert_eq(store_outbox_stats(S, &backlog, &oldest), TODO_OK);
    cr_assert_eq(backlog, 0);
    cr_assert_eq(oldest, 0);
}

STORE_TEST(outbox_prune_deletes_only_rows_sent_before_the_bound)
{
    int64_t ids[8], left[8];
    for (int i = 0; i < 5; i++) {
        char eid[16];
        snprintf(eid, sizeof eid, "e%d", i);
        insert_event("u1", eid, i);
    }
    cr_assert_eq(fetch_ids(8, ids), 5);
    cr_assert_eq(store_outbox_mark_sent(S, ids, 2, 100), TODO_OK);
    cr_assert_eq(store_outbox_mark_sent(S, &ids[2], 1, 200), TODO_OK);

    cr_assert_eq(store_outbox_prune(S, 100), TODO_OK); /* strictly before */
    cr_assert_eq(query_int("SELECT count(*) FROM outbox"), 5);
    cr_assert_eq(store_outbox_prune(S, 150), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(query_int("SELECT count(*) FROM outbox"), 3);
    cr_assert_eq(store_outbox_prune(S, 10000), TODO_OK);
    cr_assert_eq(query_int("SELECT count(*) FROM outbox"), 2); /* unsent rows stay */
    assert_ids(left, fetch_ids(8, left), (int64_t[]){ids[3], ids[4]}, 2);

    /* Ids are never reused, even after the highest was pruned. */
    cr_assert_eq(store_outbox_mark_sent(S, &ids[4], 1, 300), TODO_OK);
    cr_assert_eq(store_outbox_prune(S, 10000), TODO_OK);
    insert_event("u1", "e5", 5);
    cr_assert_eq(fetch_ids(8, left), 2);
    cr_assert_gt(left[1], ids[4]);
}

STORE_TEST(outbox_prune_some_deletes_the_oldest_sent_rows_a_batch_at_a_time)
{
    int64_t ids[8], n = -1;
    for (int i = 0; i < 6; i++) {
        char eid[16];
        snprintf(eid, sizeof eid, "e%d", i);
        insert_event("u1", eid, i);
    }
    cr_assert_eq(fetch_ids(8, ids), 6);
    for (int i = 0; i < 5; i++) /* e0..e4 sent at 50, 40, 30, 20, 10; e5 unsent */
        cr_assert_eq(store_outbox_mark_sent(S, &ids[i], 1, 50 - 10 * i), TODO_OK);
    cr_assert_eq(store_outbox_prune_some(S, 45, 2, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n, 2, "the limit");
    cr_assert_eq(query_int("SELECT min(sent_at) FROM outbox"), 30, "the oldest went first");
    cr_assert_eq(store_outbox_prune_some(S, 45, 2, &n), TODO_OK);
    cr_assert_eq(n, 2, "e2 (30) and e1 (40)");
    cr_assert_eq(store_outbox_prune_some(S, 45, 2, &n), TODO_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(query_int("SELECT count(*) FROM outbox"), 2, "e0 (sent at 50), e5 (unsent)");
}

STORE_TEST(event_prune_some_deletes_only_the_consumers_old_records)
{
    int64_t n = -1;
    const char *olds[] = {"a1", "a2", "a3"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(store_event_claim(S, "audit", olds[i], 10 + i), TODO_OK);
    cr_assert_eq(store_event_claim(S, "audit", "a4", 100), TODO_OK);
    cr_assert_eq(store_event_claim(S, "recurring", "a1", 10), TODO_OK);
    cr_assert_eq(store_event_claim(S, "recurring:successor", "7", 10), TODO_OK);
    cr_assert_eq(store_event_prune_some(S, "audit", 50, 2, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n, 2);
    cr_assert_eq(store_event_claim(S, "audit", "a3", 200), TODO_ERR_CONFLICT, "the newest stayed");
    cr_assert_eq(store_event_prune_some(S, "audit", 50, 2, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(store_event_prune_some(S, "audit", 50, 2, &n), TODO_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(store_event_claim(S, "audit", "a1", 200), TODO_OK, "pruned: claimable again");
    cr_assert_eq(store_event_claim(S, "audit", "a4", 200), TODO_ERR_CONFLICT, "inside the window");
    cr_assert_eq(store_event_claim(S, "recurring", "a1", 200), TODO_ERR_CONFLICT, "another scope");
    cr_assert_eq(store_event_claim(S, "recurring:successor", "7", 200), TODO_ERR_CONFLICT);
}

/* Threads inserting one user's events concurrently: each commits while holding
 * commit_mu and records its row's event number, so recorded order is commit order. The
 * relay publishes in id order, so ids must follow that order. Without the per-user lock on
 * postgres, a transaction that took a smaller id can commit later. */
enum { N_WRITERS = 4, N_PER_WRITER = 25 };
static pthread_mutex_t commit_mu = PTHREAD_MUTEX_INITIALIZER;
static int commit_order[N_WRITERS * N_PER_WRITER];
static int n_committed;

static void *outbox_writer(void *arg)
{
    int w = (int)(intptr_t)arg;
    unsigned seed = (unsigned)w * 7919u + 1u;
    for (int i = 0; i < N_PER_WRITER; i++) {
        int number = w * N_PER_WRITER + i;
        char eid[32];
        snprintf(eid, sizeof eid, "%d", number);
        for (int attempt = 0;; attempt++) {
            int rc = store_begin(S);
            if (rc == TODO_OK)
                rc = store_outbox_insert(S, "task-events", "u1", eid, "{}", number);
            if (rc == TODO_OK) {
                usleep((useconds_t)(rand_r(&seed) % 2000)); /* widen the window */
                pthread_mutex_lock(&commit_mu);
                rc = store_commit(S);
                if (rc == TODO_OK)
                    commit_order[n_committed++] = number;
                pthread_mutex_unlock(&commit_mu);
            } else {
                store_rollback(S);
            }
            if (rc == TODO_OK)
                break;
            if (rc != TODO_ERR_BUSY || attempt > 50)
                return (void *)1;
        }
    }
    return NULL;
}

STORE_TEST(concurrent_outbox_inserts_of_one_user_get_ids_in_commit_order)
{
    enum { N = N_WRITERS * N_PER_WRITER };
    pthread_t th[N_WRITERS];
    n_committed = 0;
    for (int i = 0; i < N_WRITERS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, outbox_writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < N_WRITERS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        cr_assert_null(ret, "writer %d failed", i);
    }
    cr_assert_eq(n_committed, N);
    struct outbox_row *rows = NULL;
    int n = 0;
    cr_assert_eq(store_outbox_fetch(S, N + 1, &rows, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n, N);
    for (int i = 0; i < N; i++)
        cr_assert_eq((int)strtol(rows[i].event_id, NULL, 10), commit_order[i],
                     "row %d (id %" PRId64 ") is event %s, but commit %d was event %d", i,
                     rows[i].id, rows[i].event_id, i, commit_order[i]);
    outbox_rows_free(rows, n);
}

/* --- idempotent consumers --- */

STORE_TEST(event_claimed_twice_conflicts_and_the_transaction_still_commits)
{
    int64_t ids[4];
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_event_claim(S, "audit", "e1", 100), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_commit(S), TODO_OK);

    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_event_claim(S, "audit", "e1", 200), TODO_ERR_CONFLICT);
    /* The transaction is still usable (postgres did not abort it). */
    cr_assert_eq(store_event_claim(S, "audit", "e2", 200), TODO_OK, "%s", store_last_error(S));
    insert_event("u1", "e3", 200);
    cr_assert_eq(store_commit(S), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(fetch_ids(4, ids), 1);
    cr_assert_eq(store_event_claim(S, "audit", "e2", 300), TODO_ERR_CONFLICT); /* committed */

    /* Another consumer has its own record; a rolled-back claim leaves none. */
    cr_assert_eq(store_event_claim(S, "recurring", "e1", 300), TODO_OK);
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_event_claim(S, "recurring", "e9", 300), TODO_OK);
    store_rollback(S);
    cr_assert_eq(store_event_claim(S, "recurring", "e9", 400), TODO_OK);
}

/* --- relay lock --- */

/* A thread that takes the relay lock on its own connection and keeps it (the connection
 * closes when the thread exits) until told to leave. */
struct holder {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int rc;
    bool ready, leave;
};

static void *holder_main(void *arg)
{
    struct holder *h = arg;
    int rc = store_relay_lock(S);
    pthread_mutex_lock(&h->mu);
    h->rc = rc;
    h->ready = true;
    pthread_cond_broadcast(&h->cv);
    while (!h->leave)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Starts a holder and returns its store_relay_lock result. */
static int holder_start(struct holder *h)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    cr_assert_eq(pthread_create(&h->th, NULL, holder_main, h), 0);
    pthread_mutex_lock(&h->mu);
    while (!h->ready)
        pthread_cond_wait(&h->cv, &h->mu);
    int rc = h->rc;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static void holder_stop(struct holder *h)
{
    pthread_mutex_lock(&h->mu);
    h->leave = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->th, NULL);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
}

/* One relay per database: on postgres a second session is refused while the first holds
 * the lock; taking it again does not stack it; a lost session's lock is taken again. */
STORE_TEST(relay_lock_is_held_by_one_session_at_a_time)
{
    struct holder h;
    cr_assert_eq(store_relay_lock(S), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_relay_lock(S), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_relay_lock(S), TODO_OK);
    if (!is_pg) {
        cr_assert_eq(holder_start(&h), TODO_OK); /* sqlite: always */
        holder_stop(&h);
        return;
    }
    cr_assert_eq(holder_start(&h), TODO_ERR_BUSY);
    holder_stop(&h);

    /* Not stacked: one unlock releases it, and another session can take it. */
    cr_assert_eq(query_int("SELECT CASE WHEN pg_advisory_unlock(" STORE_RELAY_LOCK_KEY
                           ") THEN 1 ELSE 0 END"),
                 1);
    cr_assert_eq(holder_start(&h), TODO_OK);
    holder_stop(&h); /* its connection closes with the thread: the lock goes */

    /* Our session ends behind our back; meanwhile another one takes the lock. We must not
     * believe we still hold it. */
    int64_t pid = query_int("SELECT pg_backend_pid()");
    /* the (stale) flag is set again, once the holder's backend has let go (it exits after
     * PQfinish, asynchronously): poll with a deadline */
    int got = TODO_ERR_BUSY;
    for (int i = 0; i < 500 && got != TODO_OK; i++) {
        got = store_relay_lock(S);
        if (got != TODO_OK)
            usleep(20000);
    }
    cr_assert_eq(got, TODO_OK, "%s", store_last_error(S));
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%" PRId64 ")", pid);
    pg_admin(sql);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE pid = %" PRId64, pid);
    for (int i = 0; i < 1000 && pg_admin_int(sql) > 0; i++)
        usleep(10000); /* until its session locks are gone (deadline 10 s, loaded CI) */
    cr_assert_eq(holder_start(&h), TODO_OK);
    int rc = TODO_ERR_UNAVAILABLE;
    for (int i = 0; i < 250 && rc == TODO_ERR_UNAVAILABLE; i++) {
        rc = store_relay_lock(S); /* reconnects; may need a few tries on a loaded machine */
        if (rc == TODO_ERR_UNAVAILABLE)
            usleep(20000);
    }
    cr_assert_eq(rc, TODO_ERR_BUSY, "got %d: %s", rc, store_last_error(S));
    holder_stop(&h);
    /* the holder's backend releases the lock when it has exited, which PQfinish does not
     * wait for: poll (deadline 10 s) */
    rc = TODO_ERR_BUSY;
    for (int i = 0; i < 500 && rc != TODO_OK; i++) {
        rc = store_relay_lock(S);
        if (rc != TODO_OK)
            usleep(20000);
    }
    cr_assert_eq(rc, TODO_OK, "%s", store_last_error(S));
}

/* --- audit --- */

STORE_TEST(audit_lists_a_users_task_history_newest_first)
{
    struct audit_entry *e = NULL;
    int n = 0;
    cr_assert_eq(store_audit_append(S, "u1", 7, "e1", "created", 100, "{\"title\":\"a\"}"), TODO_OK,
                 "%s", store_last_error(S));
    cr_assert_eq(store_audit_append(S, "u1", 7, "e2", "updated", 300, "{}"), TODO_OK);
    cr_assert_eq(store_audit_append(S, "u1", 7, "e3", "completed", 200, "{}"), TODO_OK);
    cr_assert_eq(store_audit_append(S, "u1", 7, "e4", "reopened", 300, "{}"), TODO_OK);
    cr_assert_eq(store_audit_append(S, "u1", 8, "e5", "created", 400, "{}"), TODO_OK);
    cr_assert_eq(store_audit_append(S, "u2", 7, "e6", "deleted", 500, "{}"), TODO_OK);

    cr_assert_eq(store_audit_list(S, "u1", 7, &e, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n, 4);
    const char *want[] = {"e4", "e2", "e3", "e1"}; /* at DESC, then the later append first */
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(e[i].event_id, want[i], "entry %d", i);
    cr_assert_str_eq(e[3].type, "created");
    cr_assert_eq(e[3].at, 100);
    cr_assert_str_eq(e[3].changes, "{\"title\":\"a\"}");
    audit_entries_free(e, n);

    e = NULL;
    cr_assert_eq(store_audit_list(S, "u2", 7, &e, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(e[0].event_id, "e6");
    audit_entries_free(e, n);
    e = NULL;
    cr_assert_eq(store_audit_list(S, "u2", 8, &e, &n), TODO_ERR_NOT_FOUND); /* u1's task */
    cr_assert_eq(store_audit_list(S, "u1", 9, &e, &n), TODO_ERR_NOT_FOUND);
    cr_assert_null(e);

    /* A redelivered event appends nothing, and leaves a transaction usable. */
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_audit_append(S, "u1", 7, "e1", "created", 100, "{}"), TODO_ERR_CONFLICT);
    cr_assert_eq(store_audit_append(S, "u1", 7, "e7", "deleted", 600, "{}"), TODO_OK);
    cr_assert_eq(store_commit(S), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_audit_list(S, "u1", 7, &e, &n), TODO_OK);
    cr_assert_eq(n, 5);
    cr_assert_str_eq(e[0].event_id, "e7");
    audit_entries_free(e, n);
}

STORE_TEST(audit_history_outlives_its_task)
{
    struct user u;
    struct task t;
    struct audit_entry *e = NULL;
    int n = 0;
    user_init(&u);
    snprintf(u.id, sizeof u.id, "u1");
    u.email = xstrdup("a@example.com");
    u.password_hash = xstrdup("x");
    u.created_at = 1;
    cr_assert_eq(store_user_insert(S, &u), TODO_OK, "%s", store_last_error(S));
    user_release(&u);
    task_init(&t);
    snprintf(t.user_id, sizeof t.user_id, "u1");
    t.title = xstrdup("t");
    t.created_at = t.updated_at = 1;
    t.version = 1;
    cr_assert_eq(store_task_insert(S, &t), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_audit_append(S, "u1", t.id, "e1", "created", 1, "{}"), TODO_OK);
    cr_assert_eq(store_task_delete(S, "u1", t.id, -1), TODO_OK);
    cr_assert_eq(store_audit_append(S, "u1", t.id, "e2", "deleted", 2, "{}"), TODO_OK, "%s",
                 store_last_error(S));
    cr_assert_eq(store_audit_list(S, "u1", t.id, &e, &n), TODO_OK);
    cr_assert_eq(n, 2);
    audit_entries_free(e, n);
    task_release(&t);
}

/* --- dead letters --- */

STORE_TEST(dead_letters_are_kept_per_topic)
{
    int64_t n = -1;
    cr_assert_eq(store_dead_letter_count(S, "task-events.dlq", &n), TODO_OK, "%s",
                 store_last_error(S));
    cr_assert_eq(n, 0);
    cr_assert_eq(store_dead_letter_insert(S, "task-events.dlq", "u1", "e1", "{\"x\":1}", 10),
                 TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_dead_letter_insert(S, "task-events.dlq", "u1", "e2", "'; DROP TABLE x", 11),
                 TODO_OK);
    cr_assert_eq(store_dead_letter_insert(S, "reminders.dlq", "u2", "e3", "{}", 12), TODO_OK);
    cr_assert_eq(store_dead_letter_count(S, "task-events.dlq", &n), TODO_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(store_dead_letter_count(S, "reminders.dlq", &n), TODO_OK);
    cr_assert_eq(n, 1);
}

/* --- the in-process bus's queues --- */

STORE_TEST(queues_are_per_group_in_order_and_a_rolled_back_insert_leaves_nothing)
{
    struct outbox_row *rows = NULL;
    int n = -1;
    int64_t count = -1;
    cr_assert_eq(store_queue_insert(S, "audit", "task-events", "u1", "e1", "{\"n\":1}", 10),
                 TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_queue_insert(S, "audit", "task-events", "u1", "e2", "{\"n\":2}", 11),
                 TODO_OK);
    cr_assert_eq(store_queue_insert(S, "recurring", "task-events", "u1", "e2", "{\"n\":2}", 11),
                 TODO_OK);
    cr_assert_eq(store_commit(S), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_queue_insert(S, "audit", "task-events", "u1", "e3", "{}", 12), TODO_OK);
    store_rollback(S);
    cr_assert_neq(store_queue_insert(S, "audit", "task-events", NULL, "e4", "{}", 13), TODO_OK,
                  "a missing key is refused");

    cr_assert_eq(store_queue_fetch(S, "audit", 10, &rows, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n, 2);
    cr_assert_str_eq(rows[0].event_id, "e1");
    cr_assert_str_eq(rows[1].event_id, "e2");
    cr_assert_str_eq(rows[1].payload, "{\"n\":2}");
    cr_assert_str_eq(rows[1].topic, "task-events");
    cr_assert_lt(rows[0].id, rows[1].id);
    cr_assert_eq(store_queue_delete(S, &rows[0].id, 1), TODO_OK);
    outbox_rows_free(rows, n);

    cr_assert_eq(store_queue_count(S, "audit", &count), TODO_OK);
    cr_assert_eq(count, 1);
    cr_assert_eq(store_queue_count(S, "recurring", &count), TODO_OK);
    cr_assert_eq(count, 1, "each group has its own row");
    cr_assert_eq(store_queue_fetch(S, "audit", 1, &rows, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(rows[0].event_id, "e2");
    outbox_rows_free(rows, n);
}
