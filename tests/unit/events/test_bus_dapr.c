/* Unit tests for the Dapr bus backend. Publishing runs against a real sidecar (daprd from
 * scripts/with-dapr.sh, whose pubsub.kafka component talks to the broker of
 * scripts/with-kafka.sh) named by TODO_TEST_DAPR_HTTP_PORT, and the events are read back
 * from Kafka with the project's own Kafka bus as an independent consumer; without the
 * sidecar and the broker those tests print a skip line and pass. The subscription
 * declaration and the delivery fan-out need no sidecar. No fake sidecar: where a test needs
 * an unreachable one, it uses a closed loopback port. Waits are polls with deadlines.
 *
 *   scripts/with-kafka.sh scripts/with-dapr.sh 0 build-asan/unit_test_bus_dapr */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/trace.h"
#include "base/uuid.h"
#include "events/bus_dapr.h"
#include "events/bus_kafka.h"
#include "events/cloudevent.h"

#define WAIT_MS  60000
#define MAX_SEEN 64

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

#define NEED_SIDECAR()                                                                             \
    do {                                                                                           \
        if (!env("TODO_TEST_DAPR_HTTP_PORT") || !env("TODO_TEST_KAFKA_BROKERS"))                   \
            cr_skip_test("TODO_TEST_DAPR_HTTP_PORT and TODO_TEST_KAFKA_BROKERS are not both set "  \
                         "(scripts/with-kafka.sh scripts/with-dapr.sh 0 ...)");                    \
    } while (0)

static int64_t now_ms(void)
{
    return (int64_t)(time_mono_ns() / 1000000u);
}

static void nap(void)
{
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
}

/* A name unique to this run and test. */
static void unique(char *out, size_t size, const char *what)
{
    static int counter;
    snprintf(out, size, "test-bus-dapr-%ld-%lld-%d-%s", (long)getpid(), (long long)time_now_ms(),
             ++counter, what);
}

/* A loopback port nothing listens on. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t len = sizeof sa;
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static bus_t *make_bus_at(int port, const char *pubsub)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    struct bus_dapr_config cfg = {.sidecar_url = url, .pubsub = pubsub};
    struct todo_err err = {0};
    bus_t *b = NULL;
    cr_assert_eq(bus_dapr_create(&cfg, &b, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(bus_name(b), "dapr");
    cr_assert(bus_is_dapr(b));
    return b;
}

/* A bus on the test sidecar. */
static bus_t *make_bus(void)
{
    return make_bus_at(atoi(env("TODO_TEST_DAPR_HTTP_PORT")),
                       env("TODO_TEST_DAPR_PUBSUB") ? env("TODO_TEST_DAPR_PUBSUB") : "pubsub");
}

/* Creates a Kafka topic (the test broker does not create topics on first use) and waits
 * until its partitions have leaders. */
static void create_topic(const char *name, int partitions)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    cr_assert_eq(rd_kafka_conf_set(conf, "bootstrap.servers", env("TODO_TEST_KAFKA_BROKERS"),
                                   errstr, sizeof errstr),
                 RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cr_assert_not_null(rk, "%s", errstr);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, partitions, 1, errstr, sizeof errstr);
    cr_assert_not_null(nt, "%s", errstr);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, WAIT_MS);
    cr_assert_not_null(ev, "no CreateTopics result");
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    cr_assert_not_null(res, "%s", rd_kafka_event_error_string(ev));
    size_t n;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(rd_kafka_topic_result_error(tr[0]), RD_KAFKA_RESP_ERR_NO_ERROR, "%s",
                 rd_kafka_topic_result_error_string(tr[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);

    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, name, NULL);
    int64_t deadline = now_ms() + WAIT_MS;
    bool ready = false;
    while (!ready && now_ms() < deadline) {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
            md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
            md->topics[0].partition_cnt == partitions) {
            ready = true;
            for (int i = 0; i < partitions; i++)
                ready = ready && md->topics[0].partitions[i].leader >= 0;
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (!ready)
            nap();
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    cr_assert(ready, "topic %s has no leaders", name);
}

/* A CloudEvent as the api writes it: user is the partition key, seq goes into data. */
struct test_event {
    char id[UUID_STR_LEN];
    char key[32];
    char traceparent[TRACEPARENT_LEN + 1];
    int seq;
    struct buf json;
};

static void event_make(struct test_event *e, const char *user, int seq, bool traced)
{
    struct cloudevent ce = {0};
    uuid_v7(ce.id);
    snprintf(ce.source, sizeof ce.source, "/todo/test");
    snprintf(ce.type, sizeof ce.type, "todo.task.created");
    snprintf(ce.subject, sizeof ce.subject, "%d", seq);
    ce.time = time_now_ms();
    if (traced)
        traceparent_child(NULL, ce.traceparent);
    snprintf(ce.partition_key, sizeof ce.partition_key, "%s", user);
    char data[64];
    snprintf(data, sizeof data, "{\"seq\":%d}", seq);
    ce.data = data;
    memcpy(e->id, ce.id, sizeof e->id);
    snprintf(e->key, sizeof e->key, "%s", user);
    memcpy(e->traceparent, ce.traceparent, sizeof e->traceparent);
    e->seq = seq;
    buf_init(&e->json);
    cloudevent_write(&e->json, &ce); /* ce.data is ours: not released */
}

static struct bus_message event_message(const struct test_event *e, const char *topic)
{
    return (struct bus_message){
        .topic = topic, .key = e->key, .id = e->id, .payload = e->json.data, .len = e->json.len};
}

/* What the independent Kafka reader saw. */
struct seen {
    pthread_mutex_t mu;
    int n;
    char keys[MAX_SEEN][32];
    char *payloads[MAX_SEEN];
};

static int record(void *ctx, const struct bus_message *m)
{
    struct seen *s = ctx;
    pthread_mutex_lock(&s->mu);
    if (s->n < MAX_SEEN) {
        snprintf(s->keys[s->n], sizeof s->keys[s->n], "%s", m->key ? m->key : "");
        s->payloads[s->n] = strndup(m->payload, m->len);
    }
    s->n++;
    pthread_mutex_unlock(&s->mu);
    return BUS_ACK;
}

static int seen_count(struct seen *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void seen_release(struct seen *s)
{
    for (int i = 0; i < s->n && i < MAX_SEEN; i++)
        free(s->payloads[i]);
    pthread_mutex_destroy(&s->mu);
}

/* Reads topic from the beginning with a group of its own until want messages arrived,
 * then gives stray extras a second to show up. */
static void read_back(const char *topic, int want, struct seen *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    struct bus_kafka_config kc = {.brokers = env("TODO_TEST_KAFKA_BROKERS"),
                                  .client_id = "todo-test-dapr-reader"};
    struct todo_err err = {0};
    bus_t *reader = NULL;
    cr_assert_eq(bus_kafka_create(&kc, &reader, &err), TODO_OK, "%s", err.message);
    char group[160];
    snprintf(group, sizeof group, "%s-reader", topic);
    const char *topics[] = {topic};
    cr_assert_eq(bus_subscribe(reader, group, false, topics, 1, record, s, &err), TODO_OK, "%s",
                 err.message);
    cr_assert_eq(bus_start(reader, &err), TODO_OK, "%s", err.message);
    int64_t deadline = now_ms() + WAIT_MS;
    while (seen_count(s) < want && now_ms() < deadline)
        nap();
    int64_t until = now_ms() + 1000;
    while (now_ms() < until)
        nap();
    bus_destroy(reader);
}

/* ------------------------------------------------------------------ through the sidecar */

Test(bus_dapr, published_events_reach_kafka_keyed_by_user_in_order_and_still_parse)
{
    NEED_SIDECAR();
    char topic[128];
    unique(topic, sizeof topic, "keyed");
    create_topic(topic, 3);

    enum { N = 8 };
    struct test_event events[N];
    struct bus_message msgs[N];
    for (int i = 0; i < N; i++) {
        event_make(&events[i], i % 2 ? "user-b" : "user-a", i, i != 3 /* one untraced */);
        msgs[i] = event_message(&events[i], topic);
    }
    bus_t *b = make_bus();
    int n_done = -1;
    struct todo_err err = {0};
    cr_assert_eq(bus_publish(b, msgs, N, &n_done, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(n_done, N);
    cr_assert(bus_healthy(b));
    cr_assert_str_empty(bus_dapr_last_error(b));
    bus_destroy(b);

    struct seen s;
    read_back(topic, N, &s);
    cr_assert_eq(s.n, N, "read %d of %d events back from Kafka", s.n, N);
    int next_seq[2] = {0, 1}; /* user-a has the even seqs, user-b the odd ones */
    for (int i = 0; i < N; i++) {
        struct cloudevent ce;
        cr_assert_eq(cloudevent_parse(s.payloads[i], strlen(s.payloads[i]), &ce, &err), TODO_OK,
                     "what the sidecar forwarded does not parse (%s): %s", err.message,
                     s.payloads[i]);
        json_t *data = json_loads(ce.data, 0, NULL);
        cr_assert_not_null(data);
        int seq = (int)json_integer_value(json_object_get(data, "seq"));
        json_decref(data);
        cr_assert(seq >= 0 && seq < N);
        const struct test_event *e = &events[seq];
        cr_assert_str_eq(ce.id, e->id);
        cr_assert_str_eq(s.keys[i], e->key, "Kafka key %s for %s's event", s.keys[i], e->key);
        cr_assert_str_eq(ce.partition_key, e->key);
        cr_assert_eq(seq, next_seq[seq % 2], "user %s: seq %d arrived before %d", e->key, seq,
                     next_seq[seq % 2]);
        next_seq[seq % 2] += 2;
        if (e->traceparent[0])
            cr_assert_str_eq(ce.traceparent, e->traceparent, "the event's trace was replaced");
        else
            cr_assert(traceparent_valid(ce.traceparent), "untraced event got '%s'", ce.traceparent);
        cloudevent_release(&ce);
    }
    seen_release(&s);
    for (int i = 0; i < N; i++)
        buf_release(&events[i].json);
}

Test(bus_dapr, a_failed_message_stops_the_batch_and_reports_the_acknowledged_prefix)
{
    NEED_SIDECAR();
    char topic[128], missing[128];
    unique(topic, sizeof topic, "prefix");
    unique(missing, sizeof missing, "never-created");
    create_topic(topic, 1);

    struct test_event events[3];
    struct bus_message msgs[3];
    for (int i = 0; i < 3; i++) {
        event_make(&events[i], "user-p", i, true);
        msgs[i] = event_message(&events[i], i == 1 ? missing : topic);
    }
    bus_t *b = make_bus();
    int n_done = -1;
    struct todo_err err = {0};
    cr_assert_neq(bus_publish(b, msgs, 3, &n_done, &err), TODO_OK);
    cr_assert_eq(n_done, 1);
    cr_assert(strstr(err.message, "2/3") && strstr(err.message, missing), "%s", err.message);
    cr_assert_str_not_empty(bus_dapr_last_error(b));
    bus_destroy(b);

    struct seen s;
    read_back(topic, 1, &s);
    cr_assert_eq(s.n, 1, "the message after the failed one was published too");
    cr_assert(strstr(s.payloads[0], events[0].id));
    seen_release(&s);
    for (int i = 0; i < 3; i++)
        buf_release(&events[i].json);
}

Test(bus_dapr, an_unknown_pubsub_component_fails_the_publish)
{
    NEED_SIDECAR();
    bus_t *b = make_bus_at(atoi(env("TODO_TEST_DAPR_HTTP_PORT")), "no-such-pubsub");
    struct test_event e;
    event_make(&e, "user-x", 0, true);
    struct bus_message m = event_message(&e, "task-events");
    int n_done = -1;
    struct todo_err err = {0};
    cr_assert_neq(bus_publish(b, &m, 1, &n_done, &err), TODO_OK);
    cr_assert_eq(n_done, 0);
    cr_assert(strstr(err.message, "HTTP 4"), "%s", err.message);
    cr_assert(bus_healthy(b), "the sidecar itself is up");
    bus_destroy(b);
    buf_release(&e.json);
}

/* ------------------------------------------------------------------- no sidecar needed */

Test(bus_dapr, an_unreachable_sidecar_fails_fast_and_is_unhealthy)
{
    bus_t *b = make_bus_at(closed_port(), NULL);
    struct test_event e;
    event_make(&e, "user-x", 0, true);
    struct bus_message m = event_message(&e, "task-events");
    int n_done = -1;
    struct todo_err err = {0};
    int64_t start = now_ms();
    cr_assert_eq(bus_publish(b, &m, 1, &n_done, &err), TODO_ERR_UNAVAILABLE);
    cr_assert_lt(now_ms() - start, 6000);
    cr_assert_eq(n_done, 0);
    cr_assert(strstr(err.message, "task-events"), "%s", err.message);
    cr_assert_not(bus_healthy(b));
    bus_destroy(b);
    buf_release(&e.json);
}

Test(bus_dapr, create_refuses_a_bad_configuration)
{
    struct todo_err err = {0};
    bus_t *b = NULL;
    struct bus_dapr_config no_url = {0};
    cr_assert_neq(bus_dapr_create(&no_url, &b, &err), TODO_OK);
    struct bus_dapr_config empty_pubsub = {.sidecar_url = "http://127.0.0.1:3500", .pubsub = ""};
    cr_assert_neq(bus_dapr_create(&empty_pubsub, &b, &err), TODO_OK);
    cr_assert_null(b);
}

static int answer(void *ctx, const struct bus_message *m)
{
    (void)m;
    return *(const int *)ctx;
}

Test(bus_dapr, subscriptions_declare_each_topic_once_with_its_route_and_dead_letter_topic)
{
    bus_t *b = make_bus_at(closed_port(), "events");
    int ack = BUS_ACK;
    struct todo_err err = {0};
    const char *audit_topics[] = {"task-events"};
    const char *notify_topics[] = {"reminders", "task-events"};
    cr_assert_eq(bus_subscribe(b, "audit", false, audit_topics, 1, answer, &ack, &err), TODO_OK);
    cr_assert_eq(bus_subscribe(b, "notify", false, notify_topics, 2, answer, &ack, &err), TODO_OK);

    struct buf out;
    buf_init(&out);
    cr_assert_eq(bus_dapr_subscriptions_json(b, &out), TODO_OK);
    json_error_t jerr;
    json_t *subs = json_loadb(out.data, out.len, 0, &jerr);
    cr_assert_not_null(subs, "%s: %s", jerr.text, out.data);
    cr_assert(json_is_array(subs));
    cr_assert_eq(json_array_size(subs), 2, "%s", out.data);
    const char *want[] = {"task-events", "reminders"};
    for (size_t i = 0; i < 2; i++) {
        json_t *s = json_array_get(subs, i);
        char route[64], dlq[64];
        snprintf(route, sizeof route, "/dapr/events/%s", want[i]);
        snprintf(dlq, sizeof dlq, "%s.dlq", want[i]);
        cr_assert_eq(json_object_size(s), 4, "%s", out.data);
        cr_assert_str_eq(json_string_value(json_object_get(s, "pubsubname")), "events");
        cr_assert_str_eq(json_string_value(json_object_get(s, "topic")), want[i]);
        cr_assert_str_eq(json_string_value(json_object_get(s, "route")), route);
        cr_assert_str_eq(json_string_value(json_object_get(s, "deadLetterTopic")), dlq);
    }
    json_decref(subs);
    buf_release(&out);

    store_t *mem = NULL;
    cr_assert_eq(store_open("sqlite::memory:", &mem, &err), TODO_OK);
    bus_t *local = bus_local_create(mem); /* not a Dapr bus */
    buf_init(&out);
    cr_assert_neq(bus_dapr_subscriptions_json(local, &out), TODO_OK);
    buf_release(&out);
    bus_destroy(local);
    store_destroy(mem);
    bus_destroy(b);
}

/* A handler that remembers what it was handed. */
struct recorder {
    int verdict;
    int calls;
    char id[64], key[64], topic[64];
};

static int remember(void *ctx, const struct bus_message *m)
{
    struct recorder *r = ctx;
    r->calls++;
    snprintf(r->id, sizeof r->id, "%s", m->id ? m->id : "");
    snprintf(r->key, sizeof r->key, "%s", m->key ? m->key : "");
    snprintf(r->topic, sizeof r->topic, "%s", m->topic);
    return r->verdict;
}

Test(bus_dapr, delivery_calls_every_subscribed_group_and_retry_wins)
{
    bus_t *b = make_bus_at(closed_port(), NULL);
    struct recorder audit = {.verdict = BUS_ACK}, notify = {.verdict = BUS_ACK};
    struct todo_err err = {0};
    const char *topics[] = {"task-events"};
    cr_assert_eq(bus_subscribe(b, "audit", false, topics, 1, remember, &audit, &err), TODO_OK);
    cr_assert_eq(bus_subscribe(b, "notify", false, topics, 1, remember, &notify, &err), TODO_OK);
    struct test_event e;
    event_make(&e, "user-d", 0, true);

    /* not started yet: the sidecar is told to come back */
    cr_assert_eq(bus_dapr_deliver(b, "task-events", e.json.data, e.json.len), BUS_RETRY);
    cr_assert_eq(audit.calls, 0);
    cr_assert_eq(bus_start(b, &err), TODO_OK);
    cr_assert_neq(bus_subscribe(b, "late", false, topics, 1, remember, &audit, &err), TODO_OK);

    cr_assert_eq(bus_dapr_deliver(b, "task-events", e.json.data, e.json.len), BUS_ACK);
    cr_assert_eq(audit.calls, 1);
    cr_assert_eq(notify.calls, 1);
    cr_assert_str_eq(audit.id, e.id, "the id comes from the CloudEvent");
    cr_assert_str_eq(audit.key, "user-d", "the key comes from partitionkey");
    cr_assert_str_eq(audit.topic, "task-events");

    struct bus_message m = {.topic = "task-events",
                            .key = "from-the-header",
                            .payload = e.json.data,
                            .len = e.json.len};
    notify.verdict = BUS_DROP;
    cr_assert_eq(bus_dapr_deliver_message(b, &m), BUS_DROP);
    cr_assert_str_eq(notify.key, "from-the-header");
    audit.verdict = BUS_RETRY;
    cr_assert_eq(bus_dapr_deliver_message(b, &m), BUS_RETRY);
    cr_assert_eq(notify.calls, 3, "every group is called even when one asks to retry");

    cr_assert_eq(bus_dapr_deliver(b, "nobody-listens", e.json.data, e.json.len), BUS_DROP);
    cr_assert_eq(bus_dapr_deliver(b, "task-events", "not json", 8), BUS_RETRY,
                 "the handlers judge the payload, not the bus");

    bus_stop(b);
    int before = audit.calls;
    cr_assert_eq(bus_dapr_deliver(b, "task-events", e.json.data, e.json.len), BUS_RETRY);
    cr_assert_eq(audit.calls, before, "no handler runs after bus_stop");

    store_t *mem = NULL;
    cr_assert_eq(store_open("sqlite::memory:", &mem, &err), TODO_OK);
    bus_t *local = bus_local_create(mem); /* not a Dapr bus */
    cr_assert_eq(bus_dapr_deliver(local, "task-events", e.json.data, e.json.len), BUS_RETRY);
    bus_destroy(local);
    store_destroy(mem);
    bus_destroy(b);
    buf_release(&e.json);
}
