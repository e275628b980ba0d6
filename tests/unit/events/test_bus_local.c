/* Unit tests of the in-process bus over a real SQLite store: each group has its own queue and
 * thread, so a blocked or retrying group delays neither publishing nor the other groups, and
 * gets every message afterwards, in order, once; what is queued survives a stop (a crash).
 * No sleeps and no timing assertions: handlers signal a condition variable and the tests
 * wait for a state with a generous deadline. Clean under ThreadSanitizer: every field a
 * handler and the test share is read and written under the recorder's mutex. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/bus.h"

#define DEADLINE_S 20
#define MAX_SEEN   64

static char dir[64];
static char url[128];
static store_t *store;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/todo-bus-local-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_open(url, &store, &err), 0, "%s", err.message);
    int n;
    cr_assert_eq(store_migrate(store, &n, &err), 0, "%s", err.message);
}

static void teardown(void)
{
    store_destroy(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(bus_local, .init = setup, .fini = teardown, .timeout = 60);

/* A group's handler that records the ids it is handed. While blocked it waits on the
 * condition variable (inside the handler, as a slow webhook would); while failing it answers
 * RETRY without recording. */
struct recorder {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool blocked, failing;
    int calls, in_handler;
    int n_seen;
    char seen[MAX_SEEN][16];
};

static void recorder_init(struct recorder *r, bool blocked, bool failing)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->blocked = blocked;
    r->failing = failing;
}

static void recorder_release(struct recorder *r)
{
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

static int record(void *ctx, const struct bus_message *m)
{
    struct recorder *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->calls++;
    r->in_handler = 1;
    pthread_cond_broadcast(&r->cv);
    while (r->blocked)
        pthread_cond_wait(&r->cv, &r->mu);
    int verdict = r->failing ? BUS_RETRY : BUS_ACK;
    if (!r->failing && r->n_seen < MAX_SEEN)
        snprintf(r->seen[r->n_seen++], sizeof r->seen[0], "%s", m->id);
    r->in_handler = 0;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return verdict;
}

static void set_state(struct recorder *r, bool blocked, bool failing)
{
    pthread_mutex_lock(&r->mu);
    r->blocked = blocked;
    r->failing = failing;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Waits (deadline DEADLINE_S) until r has seen n messages or, with calls, been called n
 * times. Returns the count reached. */
static int wait_count(struct recorder *r, int n, bool calls)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += DEADLINE_S;
    pthread_mutex_lock(&r->mu);
    while ((calls ? r->calls : r->n_seen) < n)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &until) != 0)
            break;
    int got = calls ? r->calls : r->n_seen;
    pthread_mutex_unlock(&r->mu);
    return got;
}

static int seen_count(struct recorder *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->n_seen;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* The ids seen are exactly e-1 .. e-n, in that order. */
static void assert_in_order_once(struct recorder *r, int n, const char *who)
{
    pthread_mutex_lock(&r->mu);
    cr_assert_eq(r->n_seen, n, "%s saw %d messages, want %d", who, r->n_seen, n);
    for (int i = 0; i < n; i++) {
        char want[16];
        snprintf(want, sizeof want, "e-%d", i + 1);
        cr_assert_str_eq(r->seen[i], want, "%s: message %d", who, i);
    }
    pthread_mutex_unlock(&r->mu);
}

static int publish_nth(bus_t *bus, int i)
{
    char id[16], payload[64];
    snprintf(id, sizeof id, "e-%d", i);
    snprintf(payload, sizeof payload, "{\"n\":%d}", i);
    struct bus_message m = {
        .topic = "task-events", .key = "u1", .id = id, .payload = payload, .len = strlen(payload)};
    struct todo_err err;
    todo_err_clear(&err);
    int n_done = -1;
    int rc = bus_publish(bus, &m, 1, &n_done, &err);
    cr_assert_eq(rc, TODO_OK, "%s", err.message);
    cr_assert_eq(n_done, 1);
    return rc;
}

static void subscribe(bus_t *bus, const char *group, struct recorder *r)
{
    const char *topics[] = {"task-events"};
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(bus_subscribe(bus, group, false, topics, 1, record, r, &err), TODO_OK, "%s",
                 err.message);
}

static void start(bus_t *bus)
{
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(bus_start(bus, &err), TODO_OK, "%s", err.message);
}

Test(bus_local, a_blocked_group_delays_neither_publishing_nor_other_groups_then_gets_all_in_order)
{
    struct recorder slow, fast;
    recorder_init(&slow, true, false);
    recorder_init(&fast, false, false);
    bus_t *bus = bus_local_create(store);
    subscribe(bus, "notify", &slow);
    subscribe(bus, "audit", &fast);
    start(bus);

    publish_nth(bus, 1);
    cr_assert_eq(wait_count(&slow, 1, true), 1, "the slow group is inside its first message");
    /* while it stays blocked there, publishing returns and the other group goes on */
    for (int i = 2; i <= 5; i++)
        publish_nth(bus, i);
    cr_assert_eq(wait_count(&fast, 5, false), 5, "the other group got every message");
    assert_in_order_once(&fast, 5, "audit");
    cr_assert_eq(seen_count(&slow), 0, "the slow group is still on its first message");

    set_state(&slow, false, false);
    cr_assert_eq(wait_count(&slow, 5, false), 5);
    assert_in_order_once(&slow, 5, "notify");
    bus_stop(bus); /* joins the threads: each handled message has been dequeued */
    int64_t queued = -1;
    cr_assert_eq(store_queue_count(store, "notify", &queued), TODO_OK);
    cr_assert_eq(queued, 0, "a handled message leaves the queue");

    bus_destroy(bus);
    recorder_release(&slow);
    recorder_release(&fast);
}

Test(bus_local, a_group_that_keeps_asking_to_retry_delays_nobody_and_later_gets_all_in_order)
{
    struct recorder failing, fast;
    recorder_init(&failing, false, true);
    recorder_init(&fast, false, false);
    bus_t *bus = bus_local_create(store);
    subscribe(bus, "notify", &failing);
    subscribe(bus, "audit", &fast);
    start(bus);

    for (int i = 1; i <= 3; i++)
        publish_nth(bus, i); /* before: the RETRY failed the publish, for every group */
    cr_assert_eq(wait_count(&fast, 3, false), 3);
    assert_in_order_once(&fast, 3, "audit");
    cr_assert_geq(wait_count(&failing, 2, true), 2, "the failing group is retried");
    cr_assert_eq(seen_count(&failing), 0);

    set_state(&failing, false, false); /* it recovers */
    cr_assert_eq(wait_count(&failing, 3, false), 3);
    assert_in_order_once(&failing, 3, "notify");

    bus_destroy(bus);
    recorder_release(&failing);
    recorder_release(&fast);
}

Test(bus_local, what_a_group_has_not_handled_survives_a_stop_and_comes_at_the_next_start)
{
    struct recorder r1;
    recorder_init(&r1, true, false);
    bus_t *bus = bus_local_create(store);
    subscribe(bus, "audit", &r1);
    start(bus);
    for (int i = 1; i <= 3; i++)
        publish_nth(bus, i); /* accepted: the relay would mark these outbox rows sent */
    cr_assert_eq(wait_count(&r1, 1, true), 1);
    /* stop with the first message in the handler and two waiting: the handler finishes
     * (ACK), nothing more is handed out, the rest stays queued in the database */
    pthread_mutex_lock(&r1.mu);
    r1.blocked = false;
    pthread_cond_broadcast(&r1.cv);
    pthread_mutex_unlock(&r1.mu);
    bus_stop(bus);
    int handled = seen_count(&r1);
    cr_assert(handled >= 1 && handled <= 3);
    publish_nth(bus, 4); /* still accepted after the stop: queued for the next start */
    bus_destroy(bus);

    /* the next process: a new bus over the same database */
    store_destroy(store);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_open(url, &store, &err), TODO_OK, "%s", err.message);
    struct recorder r2;
    recorder_init(&r2, false, false);
    bus = bus_local_create(store);
    subscribe(bus, "audit", &r2);
    start(bus);
    cr_assert_eq(wait_count(&r2, 4 - handled, false), 4 - handled);
    pthread_mutex_lock(&r2.mu);
    for (int i = 0; i < r2.n_seen; i++) {
        char want[16];
        snprintf(want, sizeof want, "e-%d", handled + 1 + i);
        cr_assert_str_eq(r2.seen[i], want, "the rest, in order, once");
    }
    pthread_mutex_unlock(&r2.mu);
    bus_destroy(bus);
    recorder_release(&r1);
    recorder_release(&r2);
}

Test(bus_local, no_handler_runs_after_stop_returns)
{
    struct recorder r;
    recorder_init(&r, false, false);
    bus_t *bus = bus_local_create(store);
    subscribe(bus, "audit", &r);
    start(bus);
    publish_nth(bus, 1);
    cr_assert_eq(wait_count(&r, 1, false), 1);
    bus_stop(bus);
    pthread_mutex_lock(&r.mu);
    int calls = r.calls;
    pthread_mutex_unlock(&r.mu);
    publish_nth(bus, 2);
    int64_t queued = -1;
    cr_assert_eq(store_queue_count(store, "audit", &queued), TODO_OK);
    cr_assert_eq(queued, 1, "kept for the next start");
    pthread_mutex_lock(&r.mu);
    cr_assert_eq(r.calls, calls);
    pthread_mutex_unlock(&r.mu);
    bus_destroy(bus);
    recorder_release(&r);
}

/* The relay's one write per chunk (docs/decisions/0022-group-commit.md): publishing marks
 * the messages' outbox rows sent in the transaction that queues them - for a topic no group
 * reads too - and a row whose message was not accepted stays unsent. */
Test(bus_local, publish_marks_the_outbox_rows_of_its_messages_sent)
{
    struct recorder r;
    recorder_init(&r, false, false);
    bus_t *bus = bus_local_create(store);
    subscribe(bus, "audit", &r);
    start(bus);
    const char *topics[] = {"task-events", "task-updates", "task-events"};
    struct bus_message m[3];
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        char event_id[16];
        snprintf(event_id, sizeof event_id, "o-%d", i);
        cr_assert_eq(store_outbox_insert(store, topics[i], "u1", event_id, "{}", 1000), TODO_OK);
        struct outbox_row *rows = NULL;
        int n = 0;
        cr_assert_eq(store_outbox_fetch(store, 8, &rows, &n), TODO_OK);
        ids[i] = rows[n - 1].id;
        outbox_rows_free(rows, n);
        m[i] = (struct bus_message){.topic = topics[i],
                                    .key = "u1",
                                    .id = "x",
                                    .payload = "{}",
                                    .len = 2,
                                    .outbox_id = ids[i]};
    }
    cr_assert(bus_marks_sent(bus));
    struct todo_err err;
    todo_err_clear(&err);
    int n_done = 0;
    cr_assert_eq(bus_publish(bus, m, 2, &n_done, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(n_done, 2);
    int64_t backlog = -1, oldest = 0;
    cr_assert_eq(store_outbox_stats(store, &backlog, &oldest), TODO_OK);
    cr_assert_eq(backlog, 1, "the first two are sent, the third was not published");
    cr_assert_eq(bus_publish(bus, &m[1], 1, &n_done, &err), TODO_OK); /* nobody reads it */
    cr_assert_eq(bus_publish(bus, &m[2], 1, &n_done, &err), TODO_OK);
    cr_assert_eq(store_outbox_stats(store, &backlog, &oldest), TODO_OK);
    cr_assert_eq(backlog, 0);
    cr_assert_eq(wait_count(&r, 2, false), 2);
    bus_stop(bus);
    bus_destroy(bus);
    recorder_release(&r);
}

/* A broadcast group (realtime) gets every message from memory: nothing of it is written to
 * the database (the WAL stays as it was before realtime existed), and a blocked broadcast
 * group delays neither publishing nor the durable groups (docs/decisions/0033). */
Test(bus_local, a_broadcast_group_is_fed_from_memory_and_writes_no_queue_rows)
{
    struct recorder live, audit;
    recorder_init(&live, true, false);
    recorder_init(&audit, false, false);
    bus_t *bus = bus_local_create(store);
    const char *topics[] = {"task-events"};
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(bus_subscribe(bus, "realtime", true, topics, 1, record, &live, &err), TODO_OK);
    subscribe(bus, "audit", &audit);
    start(bus);

    publish_nth(bus, 1);
    cr_assert_eq(wait_count(&live, 1, true), 1, "the broadcast group is inside its first message");
    for (int i = 2; i <= 5; i++)
        publish_nth(bus, i);
    cr_assert_eq(wait_count(&audit, 5, false), 5, "the durable group got every message");
    int64_t queued = -1;
    cr_assert_eq(store_queue_count(store, "realtime", &queued), TODO_OK);
    cr_assert_eq(queued, 0, "no queue rows for a broadcast group");

    set_state(&live, false, false);
    cr_assert_eq(wait_count(&live, 5, false), 5);
    assert_in_order_once(&live, 5, "realtime");
    assert_in_order_once(&audit, 5, "audit");
    bus_destroy(bus);
    recorder_release(&live);
    recorder_release(&audit);
}
