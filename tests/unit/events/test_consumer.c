/* Unit tests of the consumer runtime over the in-process bus and a real SQLite store:
 * idempotency, retries and dead letters (which must not deadlock the bus that delivers), and
 * a failing consumer's retries delaying neither publishing nor another consumer. The bus
 * delivers on threads of its own: handlers count under a mutex and signal, and the tests wait
 * for a count with a deadline (no sleeps, no timing assertions; clean under TSan). */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events/bus.h"
#include "events/consumer.h"
#include "events/dead_letters.h"

static char dir[64];
static store_t *store;
static bus_t *bus;
/* What handlers did, shared with the bus's threads: under mu, signalled on cv. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int calls, dlq_seen, other_calls;
static bool gate_closed; /* always_fails waits while it is set */

static void bump(int *counter)
{
    pthread_mutex_lock(&mu);
    (*counter)++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* Waits (20 s at most) until *counter reaches n; returns its value then. */
static int wait_for(int *counter, int n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    pthread_mutex_lock(&mu);
    while (*counter < n)
        if (pthread_cond_timedwait(&cv, &mu, &until) != 0)
            break;
    int v = *counter;
    pthread_mutex_unlock(&mu);
    return v;
}

static int read_count(int *counter)
{
    pthread_mutex_lock(&mu);
    int v = *counter;
    pthread_mutex_unlock(&mu);
    return v;
}

static void start_bus(void)
{
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(bus_start(bus, &err), 0, "%s", err.message);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/todo-consumer-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_open(url, &store, &err), 0, "%s", err.message);
    int n;
    cr_assert_eq(store_migrate(store, &n, &err), 0, "%s", err.message);
    bus = bus_local_create(store);
    calls = dlq_seen = other_calls = 0;
    gate_closed = false;
}

static void teardown(void)
{
    bus_destroy(bus);
    store_destroy(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static int always_fails(void *ctx, store_t *s, const struct cloudevent *ce, struct todo_err *err)
{
    (void)ctx, (void)s, (void)ce;
    pthread_mutex_lock(&mu);
    while (gate_closed)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    bump(&calls);
    return todo_err_set(err, TODO_ERR_INTERNAL, "the handler always fails");
}

static int counts(void *ctx, store_t *s, const struct cloudevent *ce, struct todo_err *err)
{
    (void)ctx, (void)s, (void)ce, (void)err;
    bump(ctx ? (int *)ctx : &calls);
    return TODO_OK;
}

static int dlq_sink(void *ctx, const struct bus_message *m)
{
    (void)ctx;
    cr_assert_str_eq(m->topic, "task-events.dlq");
    cr_assert_not_null(strstr(m->payload, "the handler always fails"));
    bump(&dlq_seen);
    return BUS_ACK;
}

static const char *event = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/todo/"
                           "test\",\"type\":\"todo.task.created\","
                           "\"time\":\"2026-11-27T10:00:00Z\",\"data\":{}}";

/* Handled after the events before it: when its handler ran, they were handled. */
static const char *marker = "{\"specversion\":\"1.0\",\"id\":\"e-9\",\"source\":\"/todo/"
                            "test\",\"type\":\"todo.task.marker\","
                            "\"time\":\"2026-11-27T10:00:00Z\",\"data\":{}}";

static int publish_id(const char *id, const char *payload)
{
    struct bus_message m = {
        .topic = "task-events", .key = "u1", .id = id, .payload = payload, .len = strlen(payload)};
    struct todo_err err;
    todo_err_clear(&err);
    int n_done = 0;
    return bus_publish(bus, &m, 1, &n_done, &err);
}

static int publish(const char *payload)
{
    return publish_id("e-1", payload);
}

TestSuite(consumer, .init = setup, .fini = teardown, .timeout = 60);

Test(consumer, a_failing_event_is_retried_then_dead_lettered_through_the_same_local_bus)
{
    struct consumer_config cfg = {.max_attempts = 3, .backoff_base_ms = 1, .backoff_max_ms = 2};
    consumer_t *c = consumer_create("audit", store, bus, &cfg);
    consumer_on(c, "task-events", NULL, always_fails, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    const char *dlq[] = {"task-events.dlq"};
    cr_assert_eq(bus_subscribe(bus, "ops", false, dlq, 1, dlq_sink, NULL, &err), 0);
    start_bus();
    cr_assert_eq(publish(event), TODO_OK);
    /* dead-lettered from the consumer's thread through the same bus (no self-deadlock) */
    cr_assert_eq(wait_for(&dlq_seen, 1), 1, "one dead letter");
    cr_assert_eq(read_count(&calls), 3, "three attempts");
    bus_stop(bus); /* the counters below are final */

    struct buf m;
    buf_init(&m);
    consumer_metrics(&c, 1, &m);
    cr_assert_not_null(strstr(m.data, "todo_events_dead_lettered_total{consumer=\"audit\","
                                      "topic=\"task-events\",type=\"any\"} 1"));
    cr_assert_not_null(strstr(m.data, "todo_events_retried_total{consumer=\"audit\","
                                      "topic=\"task-events\",type=\"any\"} 2"));
    buf_release(&m);
    bus_stop(bus); /* its threads call into the consumer */
    consumer_destroy(c);
}

Test(consumer, dead_letters_of_the_local_bus_are_kept_in_the_database)
{
    struct consumer_config cfg = {.max_attempts = 2, .backoff_base_ms = 1, .backoff_max_ms = 1};
    consumer_t *c = consumer_create("audit", store, bus, &cfg);
    consumer_on(c, "task-events", NULL, always_fails, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    cr_assert_eq(dead_letters_keep(bus, store, &err), 0);
    start_bus();
    cr_assert_eq(publish(event), TODO_OK);
    cr_assert_eq(publish_id("e-2", "not even JSON"), TODO_OK);
    int64_t n = -1;
    for (int i = 0; i < 2000 && n != 2; i++) { /* polled with a deadline (2000 x 10 ms) */
        if (n >= 0)
            usleep(10000);
        cr_assert_eq(store_dead_letter_count(store, "task-events.dlq", &n), TODO_OK);
    }
    cr_assert_eq(n, 2, "both kept");
    bus_stop(bus); /* its threads call into the consumer */
    consumer_destroy(c);
}

Test(consumer, a_redelivered_event_is_applied_once)
{
    consumer_t *c = consumer_create("audit", store, bus, NULL);
    consumer_on(c, "task-events", "todo.task.created", counts, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    consumer_on(c, "task-events", "todo.task.marker", counts, &other_calls);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    start_bus();
    for (int i = 0; i < 3; i++)
        cr_assert_eq(publish(event), TODO_OK);
    cr_assert_eq(publish_id("e-9", marker), TODO_OK); /* handled after the three, in order */
    cr_assert_eq(wait_for(&other_calls, 1), 1);
    cr_assert_eq(read_count(&calls), 1);
    bus_stop(bus); /* its threads call into the consumer */
    consumer_destroy(c);
}

Test(consumer, a_message_that_is_not_a_cloudevent_is_dead_lettered_at_once)
{
    consumer_t *c = consumer_create("audit", store, bus, NULL);
    consumer_on(c, "task-events", "todo.task.marker", counts, &other_calls); /* first match */
    consumer_on(c, "task-events", NULL, counts, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    start_bus();
    cr_assert_eq(publish("{\"not\":\"an event\"}"), TODO_OK);
    cr_assert_eq(publish_id("e-9", marker), TODO_OK); /* handled after it, in order */
    cr_assert_eq(wait_for(&other_calls, 1), 1);
    cr_assert_eq(read_count(&calls), 0);
    bus_stop(bus); /* its threads call into the consumer */
    consumer_destroy(c);
}

/* Fails every attempt while still_failing is set; afterwards records the ids it applies. */
static bool still_failing;
static int failed_attempts, n_applied;
static char applied[8][64]; /* CloudEvent ids fit 64 (cloudevent.h) */

static int fails_until_recovered(void *ctx, store_t *s, const struct cloudevent *ce,
                                 struct todo_err *err)
{
    (void)ctx, (void)s;
    pthread_mutex_lock(&mu);
    int rc = TODO_OK;
    if (still_failing) {
        failed_attempts++;
        rc = todo_err_set(err, TODO_ERR_UNAVAILABLE, "the webhook is down");
    } else if (n_applied < 8) {
        snprintf(applied[n_applied++], sizeof applied[0], "%s", ce->id);
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    return rc;
}

Test(consumer, a_failing_consumers_retries_delay_neither_publishing_nor_another_consumer)
{
    /* retried (almost) forever with 1-2 ms backoff while the test holds it failing */
    struct consumer_config cfg = {
        .max_attempts = 1000000000, .backoff_base_ms = 1, .backoff_max_ms = 2};
    consumer_t *failing = consumer_create("notify", store, bus, &cfg);
    consumer_on(failing, "task-events", NULL, fails_until_recovered, NULL);
    consumer_t *other = consumer_create("audit", store, bus, NULL);
    consumer_on(other, "task-events", NULL, counts, &other_calls);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(failing, &err), 0);
    cr_assert_eq(consumer_subscribe(other, &err), 0);
    pthread_mutex_lock(&mu);
    still_failing = true;
    failed_attempts = n_applied = 0;
    pthread_mutex_unlock(&mu);
    start_bus();
    for (int i = 1; i <= 3; i++) {
        char id[16], payload[256];
        snprintf(id, sizeof id, "e-%d", i);
        snprintf(payload, sizeof payload,
                 "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"/todo/test\","
                 "\"type\":\"todo.task.created\",\"time\":\"2026-11-27T10:00:00Z\","
                 "\"data\":{}}",
                 id);
        /* returns while the failing consumer retries (before: it never did) */
        cr_assert_eq(publish_id(id, payload), TODO_OK);
    }
    cr_assert_eq(wait_for(&other_calls, 3), 3, "the other consumer got all three");
    cr_assert_geq(wait_for(&failed_attempts, 2), 2, "the failing one is being retried");
    struct buf m;
    buf_init(&m);
    consumer_metrics(&failing, 1, &m); /* its three events wait in its queue */
    cr_assert_not_null(strstr(m.data, "todo_consumer_backlog{consumer=\"notify\"} 3\n"), "%s",
                       m.data);
    buf_release(&m);
    pthread_mutex_lock(&mu);
    cr_assert_eq(n_applied, 0);
    still_failing = false; /* the webhook is back */
    pthread_mutex_unlock(&mu);
    cr_assert_eq(wait_for(&n_applied, 3), 3);
    bus_stop(bus); /* its threads call into the consumers */
    pthread_mutex_lock(&mu);
    cr_assert_eq(n_applied, 3, "once each");
    for (int i = 0; i < 3; i++) {
        char want[16];
        snprintf(want, sizeof want, "e-%d", i + 1);
        cr_assert_str_eq(applied[i], want, "in order");
    }
    pthread_mutex_unlock(&mu);
    consumer_destroy(failing);
    consumer_destroy(other);
}

/* --- batches (docs/decisions/0023-batched-consumers.md) --- */

/* Rows of processed_events for a consumer, read through a connection of its own: what any
 * other reader sees committed. */
static int committed_records(const char *consumer)
{
    char path[96];
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM processed_events WHERE consumer = ?",
                                    -1, &st, NULL),
                 SQLITE_OK);
    sqlite3_bind_text(st, 1, consumer, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void event_json(char *out, size_t size, const char *id)
{
    snprintf(out, size,
             "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"/todo/test\","
             "\"type\":\"todo.task.created\",\"time\":\"2026-11-27T10:00:00Z\",\"data\":{}}",
             id);
}

/* Publishes events ids[0..n) keyed keys[0..n) in one call (one queue transaction), so the
 * consumer's thread finds them queued together. */
static void publish_batch(const char *const *ids, const char *const *keys, int n)
{
    struct bus_message m[16];
    char payloads[16][256];
    cr_assert(n <= 16);
    for (int i = 0; i < n; i++) {
        event_json(payloads[i], sizeof payloads[i], ids[i]);
        m[i] = (struct bus_message){.topic = "task-events",
                                    .key = keys[i],
                                    .id = ids[i],
                                    .payload = payloads[i],
                                    .len = strlen(payloads[i])};
    }
    struct todo_err err;
    todo_err_clear(&err);
    int n_done = 0;
    cr_assert_eq(bus_publish(bus, m, n, &n_done, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(n_done, n);
}

/* What the batch handlers saw, under mu: the order of the calls, and what another connection
 * saw committed at chosen moments. */
static char call_log[32][64]; /* CloudEvent ids fit 64 */
static int n_calls_logged, seen_at_last = -1, seen_at_retry = -1, poison_calls;

static int logs_and_peeks(void *ctx, store_t *s, const struct cloudevent *ce, struct todo_err *err)
{
    (void)ctx, (void)s;
    int rc = TODO_OK;
    if (strcmp(ce->id, "b-10") == 0) /* the last of the batch: what did the others commit? */
        seen_at_last = committed_records("audit");
    pthread_mutex_lock(&mu);
    if (n_calls_logged < 32)
        snprintf(call_log[n_calls_logged++], sizeof call_log[0], "%s", ce->id);
    if (strcmp(ce->id, "poison") == 0) {
        poison_calls++;
        rc = todo_err_set(err, TODO_ERR_INTERNAL, "the handler always fails");
    }
    bool peek = rc && poison_calls == 2;
    pthread_mutex_unlock(&mu);
    if (peek) /* retried alone: the rest of its batch is committed already */
        seen_at_retry = committed_records("audit");
    bump(&calls);
    return rc;
}

Test(consumer, a_batch_commits_its_events_and_their_records_in_one_transaction)
{
    consumer_t *c = consumer_create("audit", store, bus, NULL);
    consumer_on(c, "task-events", NULL, logs_and_peeks, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    const char *ids[] = {"b-1", "b-2", "b-3", "b-4", "b-5", "b-6", "b-7", "b-8", "b-9", "b-10"};
    const char *keys[] = {"u1", "u2", "u3", "u1", "u2", "u3", "u1", "u2", "u3", "u1"};
    n_calls_logged = poison_calls = 0;
    seen_at_last = -1;
    publish_batch(ids, keys, 10); /* queued before the bus starts: one fetch takes them all */
    start_bus();
    cr_assert_eq(wait_for(&calls, 10), 10);
    bus_stop(bus); /* the batch is committed once its thread is joined */
    cr_assert_eq(seen_at_last, 0, "none of the batch was committed while it ran");
    cr_assert_eq(committed_records("audit"), 10, "all of it was, together");
    struct buf m;
    buf_init(&m);
    consumer_metrics(&c, 1, &m);
    cr_assert_not_null(strstr(m.data, "todo_consumer_batches_total{consumer=\"audit\"} 1\n"), "%s",
                       m.data);
    buf_release(&m);
    consumer_destroy(c);
}

static int poison_dead_letters;

static int count_poison_dlq(void *ctx, const struct bus_message *m)
{
    (void)ctx;
    if (strcmp(m->topic, "task-events.dlq") == 0 && strstr(m->payload, "\"id\":\"poison\""))
        bump(&poison_dead_letters);
    return BUS_ACK;
}

static int log_index(const char *id)
{
    for (int i = 0; i < n_calls_logged; i++)
        if (strcmp(call_log[i], id) == 0)
            return i;
    return -1;
}

static int log_last_index(const char *id)
{
    int at = -1;
    for (int i = 0; i < n_calls_logged; i++)
        if (strcmp(call_log[i], id) == 0)
            at = i;
    return at;
}

Test(consumer,
     a_poison_event_in_a_batch_is_retried_alone_and_dead_lettered_while_the_rest_apply_once)
{
    struct consumer_config cfg = {.max_attempts = 3, .backoff_base_ms = 1, .backoff_max_ms = 2};
    consumer_t *c = consumer_create("audit", store, bus, &cfg);
    consumer_on(c, "task-events", NULL, logs_and_peeks, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    const char *dlq[] = {"task-events.dlq"};
    cr_assert_eq(bus_subscribe(bus, "ops", false, dlq, 1, count_poison_dlq, NULL, &err), 0);
    /* u1's "e-6" comes after the poison: it must wait for it; u2's and u3's must not */
    const char *ids[] = {"e-1", "e-2", "e-3", "poison", "e-5", "e-6", "e-7"};
    const char *keys[] = {"u1", "u2", "u3", "u1", "u2", "u1", "u3"};
    n_calls_logged = poison_calls = poison_dead_letters = 0;
    seen_at_retry = -1;
    publish_batch(ids, keys, 7);
    start_bus();
    cr_assert_eq(wait_for(&poison_dead_letters, 1), 1, "the poison is dead-lettered");
    cr_assert_eq(wait_for(&calls, 9), 9, "6 events once, the poison 3 times");
    bus_stop(bus);
    pthread_mutex_lock(&mu);
    cr_assert_eq(poison_calls, 3);
    cr_assert_eq(n_calls_logged, 9);
    const char *once[] = {"e-1", "e-2", "e-3", "e-5", "e-6", "e-7"};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(log_index(once[i]), log_last_index(once[i]), "%s applied once", once[i]);
    cr_assert_gt(log_index("e-6"), log_last_index("poison"), "u1's order holds");
    cr_assert_lt(log_index("e-7"), log_index("e-6"), "u3's event did not wait for u1's poison");
    pthread_mutex_unlock(&mu);
    cr_assert_eq(seen_at_retry, 5, "e-1, e-2, e-3, e-5, e-7 committed before the poison's retry");
    cr_assert_eq(committed_records("audit"), 6, "every event but the poison recorded");
    consumer_destroy(c);
}

Test(consumer, a_redelivered_batch_is_a_no_op)
{
    consumer_t *c = consumer_create("audit", store, bus, NULL);
    consumer_on(c, "task-events", "todo.task.created", counts, NULL);
    consumer_on(c, "task-events", "todo.task.marker", counts, &other_calls);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    const char *ids[] = {"r-1", "r-2", "r-3", "r-4", "r-5"};
    const char *keys[] = {"u1", "u2", "u1", "u2", "u1"};
    publish_batch(ids, keys, 5);
    start_bus();
    cr_assert_eq(wait_for(&calls, 5), 5);
    publish_batch(ids, keys, 5);                      /* the whole batch again */
    cr_assert_eq(publish_id("e-9", marker), TODO_OK); /* handled after it, in order */
    cr_assert_eq(wait_for(&other_calls, 1), 1);
    bus_stop(bus);
    cr_assert_eq(read_count(&calls), 5, "no handler ran again");
    cr_assert_eq(committed_records("audit"), 6);
    struct buf m;
    buf_init(&m);
    consumer_metrics(&c, 1, &m);
    cr_assert_not_null(strstr(m.data, "todo_events_duplicates_total{consumer=\"audit\","
                                      "topic=\"task-events\",type=\"todo.task.created\"} 5"),
                       "%s", m.data);
    buf_release(&m);
    consumer_destroy(c);
}

/* The value after "<prefix>" in text, or -1 when the sample is missing. */
static double metric_value(const char *text, const char *prefix)
{
    const char *p = strstr(text, prefix);
    return p ? strtod(p + strlen(prefix), NULL) : -1;
}

Test(consumer, lag_is_reported_per_consumer_and_topic)
{
    consumer_t *c = consumer_create("audit", store, bus, NULL);
    consumer_on(c, "task-events", NULL, counts, NULL);
    consumer_on(c, "reminders", NULL, counts, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    start_bus();
    cr_assert_eq(publish(event), 0); /* created 2026-11-27T10:00:00Z: handled well after */
    cr_assert_eq(wait_for(&calls, 1), 1);
    bus_stop(bus); /* the handler's batch is settled (and noted) once its thread is joined */
    struct buf m;
    buf_init(&m);
    consumer_metrics(&c, 1, &m);
    buf_putc(&m, '\0');
    double tasks = metric_value(
        m.data, "todo_consumer_lag_seconds{consumer=\"audit\",topic=\"task-events\"} ");
    double reminders =
        metric_value(m.data, "todo_consumer_lag_seconds{consumer=\"audit\",topic=\"reminders\"} ");
    cr_assert_gt(tasks, 3600.0, "the event's age when handled: %s", m.data);
    cr_assert_eq(reminders, 0.0, "nothing handled on that topic yet: %s", m.data);
    buf_release(&m);
    consumer_destroy(c);
}
