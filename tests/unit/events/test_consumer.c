/* Unit tests of the consumer runtime over the in-process bus and a real SQLite store:
 * idempotency, retries and dead letters (which must not deadlock the bus that delivers). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/bus.h"
#include "events/consumer.h"
#include "events/dead_letters.h"

static char dir[64];
static store_t *store;
static bus_t *bus;
static int calls, dlq_seen;

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
    bus = bus_local_create();
    calls = dlq_seen = 0;
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
    calls++;
    return todo_err_set(err, TODO_ERR_INTERNAL, "the handler always fails");
}

static int counts(void *ctx, store_t *s, const struct cloudevent *ce, struct todo_err *err)
{
    (void)ctx, (void)s, (void)ce, (void)err;
    calls++;
    return TODO_OK;
}

static int dlq_sink(void *ctx, const struct bus_message *m)
{
    (void)ctx;
    cr_assert_str_eq(m->topic, "task-events.dlq");
    cr_assert_not_null(strstr(m->payload, "the handler always fails"));
    dlq_seen++;
    return BUS_ACK;
}

static const char *event = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/todo/"
                           "test\",\"type\":\"todo.task.created\","
                           "\"time\":\"2026-11-27T10:00:00Z\",\"data\":{}}";

static int publish(const char *payload)
{
    struct bus_message m = {.topic = "task-events",
                            .key = "u1",
                            .id = "e-1",
                            .payload = payload,
                            .len = strlen(payload)};
    struct todo_err err;
    todo_err_clear(&err);
    int n_done = 0;
    return bus_publish(bus, &m, 1, &n_done, &err);
}

TestSuite(consumer, .init = setup, .fini = teardown, .timeout = 20);

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
    /* returns (no self-deadlock) with the event dead-lettered, so the relay moves on */
    cr_assert_eq(publish(event), TODO_OK);
    cr_assert_eq(calls, 3, "three attempts");
    cr_assert_eq(dlq_seen, 1, "one dead letter");
    struct buf m;
    buf_init(&m);
    consumer_metrics(&c, 1, &m);
    cr_assert_not_null(strstr(m.data, "todo_events_dead_lettered_total{consumer=\"audit\","
                                      "topic=\"task-events\",type=\"any\"} 1"));
    cr_assert_not_null(strstr(m.data, "todo_events_retried_total{consumer=\"audit\","
                                      "topic=\"task-events\",type=\"any\"} 2"));
    buf_release(&m);
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
    cr_assert_eq(publish(event), TODO_OK);
    cr_assert_eq(publish("not even JSON"), TODO_OK);
    int64_t n = -1;
    cr_assert_eq(store_dead_letter_count(store, "task-events.dlq", &n), TODO_OK);
    cr_assert_eq(n, 2, "both kept");
    consumer_destroy(c);
}

Test(consumer, a_redelivered_event_is_applied_once)
{
    consumer_t *c = consumer_create("audit", store, bus, NULL);
    consumer_on(c, "task-events", "todo.task.created", counts, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(publish(event), TODO_OK);
    cr_assert_eq(calls, 1);
    consumer_destroy(c);
}

Test(consumer, a_message_that_is_not_a_cloudevent_is_dead_lettered_at_once)
{
    consumer_t *c = consumer_create("audit", store, bus, NULL);
    consumer_on(c, "task-events", NULL, counts, NULL);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(consumer_subscribe(c, &err), 0);
    cr_assert_eq(publish("{\"not\":\"an event\"}"), TODO_OK);
    cr_assert_eq(calls, 0);
    consumer_destroy(c);
}
