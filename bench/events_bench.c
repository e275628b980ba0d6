/* events_bench.c - a benchmark of the event path alone (no HTTP): the outbox, its relay, a
 * bus (local or Kafka) and the consumer runtime, on a throw-away SQLite file (or the
 * PostgreSQL database given with BENCH_DB_URL).
 *
 * Two runs, each with a bus of its own:
 *
 * - latency: a consumer (consumer_create + consumer_on, the runtime every role uses) and the
 *   relay are running; BENCH_LAT_EVENTS events (default 2,000) are committed one per
 *   transaction at a steady BENCH_LAT_RATE (default 500/s), each followed by
 *   outbox_relay_notify as the API does. The event's data carries its sequence number and a
 *   ns timestamp; the handler records when it ran. Reported: commit -> handler (from
 *   store_commit returning to the handler running, both on CLOCK_REALTIME in this process)
 *   and write -> handler (from the ns timestamp in the data, taken before store_begin, so it
 *   includes the transaction itself), p50 / p99 / max. A few warm-up events go first (Kafka:
 *   until the consumer group has its partitions) and are not counted.
 * - throughput: BENCH_EVENTS CloudEvents (default 100,000, ~1.5 KB each: a realistic
 *   todo.task.created of a task with a description, tags, a due date and a reminder) keyed
 *   over BENCH_USERS users (100) are written into the outbox, BENCH_TX_ROWS (100) per
 *   transaction, with no relay running; then the relay starts and the time until
 *   store_outbox_stats reports a backlog of 0 gives events/s. Local bus: a plain subscriber
 *   counts the messages on its group's thread (the relay only queues them). Kafka: the high
 * watermarks of the topic's partitions must have grown by exactly the count, and a consumer group
 * subscribed through bus_kafka counts this run's messages (reported as the consume rate, waited for
 *   at most BENCH_CONSUME_TIMEOUT seconds, default 120).
 *
 * - consumer: BENCH_EVENTS events written as for throughput, then a consumer runtime
 *   (consumer_create + consumer_on, idempotency claims and all) counts them; the time until
 *   its handler saw them all gives events/s through the handler transactions. Local bus: the
 *   relay queues them all before the consumer's thread starts, so it times the consumer
 *   alone; Kafka: the relay and the consumer run together.
 *
 * The latency run goes first: its consumer group reads the topic from the earliest offset,
 * so on a fresh broker it starts from an empty topic. Use a fresh broker
 * (scripts/with-kafka.sh): a reused topic's old messages would all go through the latency
 * consumer first.
 *
 * Usage: events_bench local|kafka [BROKERS]
 *   BROKERS (kafka): argv[2], else TODO_KAFKA_BROKERS, else TODO_TEST_KAFKA_BROKERS.
 * Environment: BENCH_EVENTS, BENCH_TX_ROWS, BENCH_USERS, BENCH_LAT_EVENTS, BENCH_LAT_RATE,
 *   BENCH_BATCH (relay rows per publish; 0: the relay's default), BENCH_CONSUME_TIMEOUT,
 *   BENCH_DB_URL (postgres://...; default a temp SQLite file), BENCH_SKIP (latency,
 *   throughput, consumer, or a comma-separated list of them: skip those runs).
 * Output: a human-readable report, then one line "RESULT key=value ..." that bench/events.sh
 * turns into a table. Exits non-zero when a run did not complete or a count is wrong. */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/uuid.h"
#include "base/xalloc.h"
#include "core/event.h"
#include "events/bus.h"
#include "events/bus_kafka.h"
#include "events/cloudevent.h"
#include "events/consumer.h"
#include "events/outbox.h"
#include "store/store.h"

#define TOPIC       TOPIC_TASK_EVENTS
#define N_WARMUP    30
#define MAX_RESULTS 24

static store_t *S;
static char RUN[16];     /* this run's tag: in every key and event, so counts ignore others */
static const char *MODE; /* "local" or "kafka" */
static const char *BROKERS;
static bool failed;

/* "key=value" pairs of the RESULT line. */
static char results[MAX_RESULTS][64];
static int n_results;

static void __attribute__((format(printf, 1, 2))) result(const char *fmt, ...)
{
    if (n_results == MAX_RESULTS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(results[n_results++], sizeof results[0], fmt, ap);
    va_end(ap);
}

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void die(const char *what)
{
    fprintf(stderr, "events_bench: %s: %s\n", what, store_last_error(S));
    exit(1);
}

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 0) {
        fprintf(stderr, "events_bench: %s=%s is not a count\n", name, v);
        exit(2);
    }
    return n;
}

/* Keys name the run and the phase ("lat", "tput"), so each count sees only its own. */
static const char *PHASE = "lat";

static void key_of(char *out, size_t size, int user)
{
    snprintf(out, size, "bench-%s-%s-user-%03d", RUN, PHASE, user);
}

/* ------------------------------------------------------------------------- the events */

static const char *const WORDS[] = {"groceries", "report", "call", "dentist", "invoice",
                                    "garden",    "email",  "plan", "review",  "backup"};
static const char *const TAGS[] = {"errands", "health", "home", "urgent", "work"};

/* A todo.task.created CloudEvent as the API writes it (app/events.c), plus
 * "bench":{"run","seq","ns"} in its data. Sets id (the CloudEvent id). */
static void make_event(struct buf *out, char id[UUID_STR_LEN], int64_t seq, int user, int64_t ns)
{
    struct task t;
    char title[96], desc[400];
    int64_t now = ns / 1000000;
    int64_t v = seq < 0 ? -seq : seq; /* warm-ups have negative seq */
    task_init(&t);
    key_of(t.user_id, sizeof t.user_id, user);
    t.id = 1000 + seq;
    snprintf(title, sizeof title, "Task %" PRId64 " %s %s", seq, WORDS[v % 10],
             WORDS[(v / 10) % 10]);
    snprintf(desc, sizeof desc, "Check the notes from last week; bring the %s receipts.",
             WORDS[(v / 3) % 10]);
    t.title = xstrdup(title);
    t.description = xstrdup(desc);
    t.tags[t.n_tags++] = xstrdup(TAGS[v % 2]);     /* "errands" / "health" */
    t.tags[t.n_tags++] = xstrdup(TAGS[2 + v % 3]); /* sorted after both */
    t.priority = (int)(v % 4);
    t.has_due = true;
    t.due_at = now + 86400000;
    t.n_reminders = 1;
    t.reminders[0] =
        (struct reminder){.relative = true, .before_ms = 3600000, .remind_at = t.due_at - 3600000};
    t.created_at = now;
    t.updated_at = now;
    t.version = 1;

    struct buf data;
    buf_init(&data);
    task_event_data_write(&data, TASK_EVENT_CREATED, NULL, &t, now);
    if (data.len && data.data[data.len - 1] == '}')
        data.len--; /* reopen the object to add the bench fields */
    buf_printf(&data, ",\"bench\":{\"run\":\"%s\",\"seq\":%" PRId64 ",\"ns\":%" PRId64 "}}", RUN,
               seq, ns);

    struct cloudevent ce;
    memset(&ce, 0, sizeof ce);
    uuid_v7(ce.id);
    snprintf(ce.source, sizeof ce.source, "/todo/api");
    snprintf(ce.type, sizeof ce.type, "%s", task_event_ce_type(TASK_EVENT_CREATED));
    snprintf(ce.subject, sizeof ce.subject, "%" PRId64, t.id);
    ce.time = now;
    traceparent_child(NULL, ce.traceparent);
    snprintf(ce.partition_key, sizeof ce.partition_key, "%s", t.user_id);
    ce.data = data.data; /* borrowed: cloudevent_write only reads it */
    buf_reset(out);
    cloudevent_write(out, &ce);
    memcpy(id, ce.id, UUID_STR_LEN);
    buf_release(&data);
    task_release(&t);
}

/* Writes one event into the outbox (inside the caller's transaction, if any). */
static void put_event(struct buf *payload, int64_t seq, int user, int64_t ns)
{
    char id[UUID_STR_LEN], key[64];
    make_event(payload, id, seq, user, ns);
    key_of(key, sizeof key, user);
    if (store_outbox_insert(S, TOPIC, key, id, payload->data, ns / 1000000) != TODO_OK)
        die("outbox insert");
}

/* Reads "bench":{"run":"RUN","seq":N,"ns":N} out of an event's data. */
static bool bench_fields(const char *data, int64_t *seq, int64_t *ns)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "\"bench\":{\"run\":\"%s\",\"seq\":", RUN);
    const char *p = data ? strstr(data, prefix) : NULL;
    if (!p)
        return false;
    char *end;
    *seq = strtoll(p + strlen(prefix), &end, 10);
    if (strncmp(end, ",\"ns\":", 6) != 0)
        return false;
    *ns = strtoll(end + 6, NULL, 10);
    return true;
}

/* ------------------------------------------------------------------------------ buses */

static bus_t *bus_new(const char *purpose)
{
    if (strcmp(MODE, "local") == 0)
        return bus_local_create(S);
    char client[64], instance[64];
    snprintf(client, sizeof client, "events-bench-%s", purpose);
    snprintf(instance, sizeof instance, "%s-%s", RUN, purpose);
    struct bus_kafka_config cfg = {
        .brokers = BROKERS, .client_id = client, .instance_id = instance};
    struct todo_err err = {0};
    bus_t *b = NULL;
    if (bus_kafka_create(&cfg, &b, &err) != TODO_OK) {
        fprintf(stderr, "events_bench: %s\n", err.message);
        exit(1);
    }
    return b;
}

static void bus_go(bus_t *b)
{
    struct todo_err err = {0};
    if (bus_start(b, &err) != TODO_OK) {
        fprintf(stderr, "events_bench: bus start: %s\n", err.message);
        exit(1);
    }
}

/* Sum of the high watermarks of the topic's partitions (Kafka), or -1. */
static int64_t topic_high_watermarks(void)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", BROKERS, errstr, sizeof errstr)) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    int64_t sum = -1;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, TOPIC, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        md->topic_cnt == 1) {
        sum = 0;
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            int64_t lo = 0, hi = 0;
            if (rd_kafka_query_watermark_offsets(rk, TOPIC, md->topics[0].partitions[i].id, &lo,
                                                 &hi, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                sum = -1;
                break;
            }
            sum += hi;
        }
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return sum;
}

/* ---------------------------------------------------------------------------- latency */

struct lat_state {
    int n;               /* measured events: seq 0..n-1; warm-ups have seq -1..-N_WARMUP */
    int64_t *commit_ns;  /* written by the main thread */
    int64_t *begin_ns;   /* the ns of each event's data, copied by the handler */
    int64_t *handled_ns; /* written by the handler */
    atomic_int n_handled;
    atomic_int n_warm;
    atomic_int n_dup;
};

static int lat_handler(void *ctx, store_t *store, const struct cloudevent *ce, struct todo_err *err)
{
    (void)store;
    (void)err;
    int64_t now = wall_ns();
    struct lat_state *st = ctx;
    int64_t seq, ns;
    if (!bench_fields(ce->data, &seq, &ns))
        return TODO_OK; /* not this run's */
    if (seq < 0) {
        atomic_fetch_add(&st->n_warm, 1);
    } else if (seq < st->n) {
        if (st->handled_ns[seq]) {
            atomic_fetch_add(&st->n_dup, 1);
        } else {
            st->handled_ns[seq] = now;
            st->begin_ns[seq] = ns;
            atomic_fetch_add(&st->n_handled, 1);
        }
    }
    return TODO_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v and prints its p50/p99/max in ms; records them as RESULT name_p50_ms=.... */
static void percentiles(const char *label, const char *name, int64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    double p50 = (double)v[n / 2] / 1e6, p99 = (double)v[(n * 99) / 100] / 1e6,
           max = (double)v[n - 1] / 1e6;
    printf("  %-22s p50 %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", label, p50, p99, max);
    result("%s_p50_ms=%.3f", name, p50);
    result("%s_p99_ms=%.3f", name, p99);
    result("%s_max_ms=%.3f", name, max);
}

/* Commits one event (one transaction) and wakes the relay, as the API does. */
static void commit_one(struct buf *payload, outbox_relay_t *relay, int64_t seq, int user,
                       int64_t *begin_ns, int64_t *commit_ns)
{
    int64_t t0 = wall_ns();
    if (store_begin(S) != TODO_OK)
        die("begin");
    put_event(payload, seq, user, t0);
    if (store_commit(S) != TODO_OK)
        die("commit");
    int64_t t1 = wall_ns();
    outbox_relay_notify(relay);
    if (begin_ns)
        *begin_ns = t0;
    if (commit_ns)
        *commit_ns = t1;
}

static void run_latency(int n, int rate, int n_users, const struct outbox_config *ocfg)
{
    struct lat_state st = {.n = n};
    st.commit_ns = xcalloc((size_t)n, sizeof *st.commit_ns);
    st.begin_ns = xcalloc((size_t)n, sizeof *st.begin_ns);
    st.handled_ns = xcalloc((size_t)n, sizeof *st.handled_ns);
    int64_t *tx_ns = xcalloc((size_t)n, sizeof *tx_ns);
    atomic_init(&st.n_handled, 0);
    atomic_init(&st.n_warm, 0);
    atomic_init(&st.n_dup, 0);

    bus_t *bus = bus_new("lat");
    char name[64];
    snprintf(name, sizeof name, "events-bench-%s-latency", RUN);
    consumer_t *c = consumer_create(name, S, bus, NULL);
    consumer_on(c, TOPIC, NULL, lat_handler, &st);
    struct todo_err err = {0};
    if (consumer_subscribe(c, &err) != TODO_OK) {
        fprintf(stderr, "events_bench: subscribe: %s\n", err.message);
        exit(1);
    }
    bus_go(bus);
    outbox_relay_t *relay = outbox_relay_start(S, bus, ocfg);
    struct buf payload;
    buf_init(&payload);

    /* warm-up: until the consumer has seen every warm-up event (Kafka: group joined,
     * partitions assigned, connections and metadata in place) */
    double t_warm = mono_s();
    for (int i = 0; i < N_WARMUP; i++) {
        commit_one(&payload, relay, -1 - i, i % n_users, NULL, NULL);
        sleep_ms(10);
    }
    while (atomic_load(&st.n_warm) < N_WARMUP && mono_s() - t_warm < 60)
        sleep_ms(10);
    if (atomic_load(&st.n_warm) < N_WARMUP) {
        fprintf(stderr, "events_bench: warm-up: %d of %d events consumed within 60 s%s%s\n",
                atomic_load(&st.n_warm), N_WARMUP, bus_kafka_last_error(bus)[0] ? ": " : "",
                bus_kafka_last_error(bus));
        exit(1);
    }
    printf("latency (%s bus): warm-up took %.2f s; %d events, one per transaction, at %d/s\n", MODE,
           mono_s() - t_warm, n, rate);
    sleep_ms(200);

    /* paced: event i is committed at start + i / rate */
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long period_ns = 1000000000L / rate;
    double t0 = mono_s();
    for (int i = 0; i < n; i++) {
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        int64_t begin;
        commit_one(&payload, relay, i, i % n_users, &begin, &st.commit_ns[i]);
        tx_ns[i] = st.commit_ns[i] - begin;
        next.tv_nsec += period_ns;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
    }
    double t_sent = mono_s() - t0;
    while (atomic_load(&st.n_handled) < n && mono_s() - t0 - t_sent < 60)
        sleep_ms(5);
    outbox_relay_stop(relay, 5000);
    bus_stop(bus); /* joins the consumer thread (Kafka): its writes are visible after */
    int handled = atomic_load(&st.n_handled);
    printf("  sent %d in %.2f s (%.0f/s); handled %d, duplicates %d\n", n, t_sent,
           (double)n / t_sent, handled, atomic_load(&st.n_dup));
    result("lat_events=%d", n);
    result("lat_rate=%d", rate);
    result("lat_handled=%d", handled);
    if (handled < n) {
        fprintf(stderr, "events_bench: latency: only %d of %d events handled within 60 s\n",
                handled, n);
        failed = true;
    }
    if (handled > 0) {
        int64_t *c2h = xcalloc((size_t)handled, sizeof *c2h);
        int64_t *w2h = xcalloc((size_t)handled, sizeof *w2h);
        int k = 0, n_early = 0;
        for (int i = 0; i < n; i++) {
            if (!st.handled_ns[i])
                continue;
            int64_t d = st.handled_ns[i] - st.commit_ns[i];
            if (d < 0) { /* the relay got it between store_commit and our clock read */
                n_early++;
                d = 0;
            }
            c2h[k] = d;
            w2h[k] = st.handled_ns[i] - st.begin_ns[i];
            k++;
        }
        percentiles("commit -> handler", "lat", c2h, k);
        percentiles("write -> handler", "write_lat", w2h, k);
        percentiles("transaction (commit)", "tx", tx_ns, n);
        if (n_early)
            printf("  (%d events were handled before store_commit's return was timed: 0)\n",
                   n_early);
        free(c2h);
        free(w2h);
    }
    buf_release(&payload);
    consumer_destroy(c);
    bus_destroy(bus);
    free(st.commit_ns);
    free(st.begin_ns);
    free(st.handled_ns);
    free(tx_ns);
}

/* ------------------------------------------------------------------------- throughput */

struct count_state {
    char prefix[32]; /* keys of this run start with it */
    atomic_long n;
    atomic_long last_ns;
};

static int count_handler(void *ctx, const struct bus_message *m)
{
    struct count_state *cs = ctx;
    if (m->key && strncmp(m->key, cs->prefix, strlen(cs->prefix)) == 0) {
        atomic_fetch_add(&cs->n, 1);
        atomic_store(&cs->last_ns, (long)wall_ns());
    }
    return BUS_ACK;
}

static void run_throughput(int n, int tx_rows, int n_users, const struct outbox_config *ocfg,
                           int consume_timeout_s)
{
    struct count_state cs;
    PHASE = "tput";
    snprintf(cs.prefix, sizeof cs.prefix, "bench-%s-%s-", RUN, PHASE);
    atomic_init(&cs.n, 0);
    atomic_init(&cs.last_ns, 0);
    bool kafka = strcmp(MODE, "kafka") == 0;

    bus_t *bus = bus_new("tput");
    char group[64];
    snprintf(group, sizeof group, "events-bench-%s-count", RUN);
    const char *topics[] = {TOPIC};
    struct todo_err err = {0};
    if (bus_subscribe(bus, group, false, topics, 1, count_handler, &cs, &err) != TODO_OK) {
        fprintf(stderr, "events_bench: subscribe: %s\n", err.message);
        exit(1);
    }
    int64_t hw_before = kafka ? topic_high_watermarks() : 0;

    /* the outbox, filled with no relay running */
    struct buf payload;
    buf_init(&payload);
    size_t bytes = 0;
    double t0 = mono_s();
    for (int i = 0; i < n; i += tx_rows) {
        if (store_begin(S) != TODO_OK)
            die("begin");
        for (int k = i; k < n && k < i + tx_rows; k++) {
            put_event(&payload, k, k % n_users, wall_ns());
            bytes += payload.len;
        }
        if (store_commit(S) != TODO_OK)
            die("commit");
    }
    double t_write = mono_s() - t0;
    buf_release(&payload);
    int64_t backlog = 0, oldest = 0;
    if (store_outbox_stats(S, &backlog, &oldest) != TODO_OK)
        die("outbox stats");
    printf("throughput (%s bus): wrote %d events (%.0f bytes each on average) in %.2f s, %d per "
           "transaction: %.0f events/s into the outbox; backlog %" PRId64 "\n",
           MODE, n, (double)bytes / n, t_write, tx_rows, (double)n / t_write, backlog);
    result("events=%d", n);
    result("event_bytes=%.0f", (double)bytes / n);
    result("write_eps=%.0f", (double)n / t_write);

    /* the relay drains it */
    bus_go(bus);
    t0 = mono_s();
    int64_t t0_ns = wall_ns();
    outbox_relay_t *relay = outbox_relay_start(S, bus, ocfg);
    for (;;) {
        if (store_outbox_stats(S, &backlog, &oldest) != TODO_OK)
            die("outbox stats");
        if (backlog == 0 || mono_s() - t0 > 600)
            break;
        sleep_ms(25); /* each poll counts the unsent rows: not too often */
    }
    double t_drain = mono_s() - t0;
    outbox_relay_stop(relay, 5000);
    if (backlog) {
        fprintf(stderr, "events_bench: throughput: backlog still %" PRId64 " after 600 s\n",
                backlog);
        failed = true;
    }
    printf("  relay drained the outbox in %.2f s: %.0f events/s (batch %d)\n", t_drain,
           (double)n / t_drain, ocfg->batch ? ocfg->batch : 1024);
    result("relay_eps=%.0f", (double)n / t_drain);

    if (kafka) {
        int64_t hw_after = topic_high_watermarks();
        printf("  topic %s high watermarks: +%" PRId64 " (expected %d)\n", TOPIC,
               hw_after - hw_before, n);
        result("kafka_appended=%" PRId64, hw_after - hw_before);
        if (hw_before < 0 || hw_after - hw_before != n) {
            fprintf(stderr, "events_bench: Kafka appended %" PRId64 " messages, expected %d\n",
                    hw_after - hw_before, n);
            failed = true;
        }
        /* the consumer group started with the relay; wait for it to count them all */
        double t_wait = mono_s();
        long seen = 0;
        while ((seen = atomic_load(&cs.n)) < n && mono_s() - t_wait < consume_timeout_s)
            sleep_ms(20);
        bus_stop(bus);
        seen = atomic_load(&cs.n);
        double t_consume = (double)(atomic_load(&cs.last_ns) - t0_ns) / 1e9;
        if (seen > 0 && t_consume > 0)
            printf("  consumer group (bus_kafka) counted %ld of %d in %.2f s: %.0f events/s%s\n",
                   seen, n, t_consume, (double)seen / t_consume,
                   seen < n ? " (gave up waiting)" : "");
        result("consumed=%ld", seen);
        result("consume_eps=%.0f", seen > 0 && t_consume > 0 ? (double)seen / t_consume : 0.0);
    } else {
        /* the subscriber has a thread and a queue of its own: wait for it to count them all */
        double t_wait = mono_s();
        while (atomic_load(&cs.n) < n && mono_s() - t_wait < consume_timeout_s)
            sleep_ms(20);
        bus_stop(bus);
        long seen = atomic_load(&cs.n);
        printf("  subscriber counted %ld of %d\n", seen, n);
        result("consumed=%ld", seen);
        if (seen != n) {
            fprintf(stderr, "events_bench: the local subscriber counted %ld, expected %d\n", seen,
                    n);
            failed = true;
        }
    }
    bus_destroy(bus);
}

/* --------------------------------------------------------------- the consumer runtime */

struct cons_state {
    char prefix[32];
    atomic_long n;
};

/* Runs in the consumer runtime's transaction (with the processed_events claim), as every
 * role's handler does; counts this run's events. */
static int cons_handler(void *ctx, store_t *store, const struct cloudevent *ce,
                        struct todo_err *err)
{
    (void)store;
    (void)err;
    struct cons_state *cs = ctx;
    if (strncmp(ce->partition_key, cs->prefix, strlen(cs->prefix)) == 0)
        atomic_fetch_add(&cs->n, 1);
    return TODO_OK;
}

/* outbox -> relay -> bus -> consumer runtime: n events written first (tx_rows per
 * transaction), then the relay and a consumer built like every role's start; the time until
 * the handler saw all n gives events/s through the whole path, idempotency claims included. */
static void run_consume(int n, int tx_rows, int n_users, const struct outbox_config *ocfg,
                        int consume_timeout_s)
{
    struct cons_state cs;
    PHASE = "cons";
    snprintf(cs.prefix, sizeof cs.prefix, "bench-%s-%s-", RUN, PHASE);
    atomic_init(&cs.n, 0);
    bus_t *bus = bus_new("cons");
    char name[64];
    snprintf(name, sizeof name, "events-bench-%s-consumer", RUN);
    consumer_t *c = consumer_create(name, S, bus, NULL);
    consumer_on(c, TOPIC, NULL, cons_handler, &cs);
    struct todo_err err = {0};
    if (consumer_subscribe(c, &err) != TODO_OK) {
        fprintf(stderr, "events_bench: subscribe: %s\n", err.message);
        exit(1);
    }
    struct buf payload;
    buf_init(&payload);
    for (int i = 0; i < n; i += tx_rows) {
        if (store_begin(S) != TODO_OK)
            die("begin");
        for (int k = i; k < n && k < i + tx_rows; k++)
            put_event(&payload, k, k % n_users, wall_ns());
        if (store_commit(S) != TODO_OK)
            die("commit");
    }
    buf_release(&payload);
    /* local bus: the relay queues everything first, so the time is the consumer's alone */
    bool local = strcmp(MODE, "local") == 0;
    outbox_relay_t *relay = local ? outbox_relay_start(S, bus, ocfg) : NULL;
    int64_t backlog = 1, oldest = 0;
    for (double tq = mono_s(); local && backlog > 0 && mono_s() - tq < 600; sleep_ms(25))
        if (store_outbox_stats(S, &backlog, &oldest) != TODO_OK)
            die("outbox stats");
    bus_go(bus);
    double t0 = mono_s();
    if (!local)
        relay = outbox_relay_start(S, bus, ocfg);
    while (atomic_load(&cs.n) < n && mono_s() - t0 < consume_timeout_s)
        sleep_ms(10);
    double t = mono_s() - t0;
    long seen = atomic_load(&cs.n);
    outbox_relay_stop(relay, 5000);
    bus_stop(bus);
    printf("consumer runtime (%s bus): %ld of %d events handled in %.2f s: %.0f events/s\n", MODE,
           seen, n, t, (double)seen / t);
    result("cons_eps=%.0f", (double)seen / t);
    if (seen != n) {
        fprintf(stderr, "events_bench: the consumer handled %ld, expected %d\n", seen, n);
        failed = true;
    }
    consumer_destroy(c);
    bus_destroy(bus);
}

/* ------------------------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "local") != 0 && strcmp(argv[1], "kafka") != 0)) {
        fprintf(stderr, "usage: events_bench local|kafka [BROKERS]\n");
        return 2;
    }
    MODE = argv[1];
    if (strcmp(MODE, "kafka") == 0) {
        BROKERS = argc > 2 ? argv[2] : getenv("TODO_KAFKA_BROKERS");
        if (!BROKERS || !*BROKERS)
            BROKERS = getenv("TODO_TEST_KAFKA_BROKERS");
        if (!BROKERS || !*BROKERS) {
            fprintf(stderr, "events_bench: kafka needs brokers (argv[2] or TODO_KAFKA_BROKERS)\n");
            return 2;
        }
    }
    int n_events = (int)env_long("BENCH_EVENTS", 100000);
    int tx_rows = (int)env_long("BENCH_TX_ROWS", 100);
    int n_users = (int)env_long("BENCH_USERS", 100);
    int n_lat = (int)env_long("BENCH_LAT_EVENTS", 2000);
    int lat_rate = (int)env_long("BENCH_LAT_RATE", 500);
    int consume_timeout = (int)env_long("BENCH_CONSUME_TIMEOUT", 120);
    struct outbox_config ocfg = {.batch = (int)env_long("BENCH_BATCH", 0)};
    const char *skip = getenv("BENCH_SKIP");
    if (tx_rows < 1 || n_users < 1 || lat_rate < 1 || n_events < 1 || n_lat < 1) {
        fprintf(stderr, "events_bench: counts and rates must be positive\n");
        return 2;
    }
    random_hex(RUN, 4);

    char dir[] = "/tmp/events-bench-XXXXXX", url[512];
    const char *db_url = getenv("BENCH_DB_URL");
    bool temp = !db_url || !*db_url;
    if (temp) {
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(url, sizeof url, "sqlite:%s/bench.db", dir);
    } else {
        snprintf(url, sizeof url, "%s", db_url);
    }
    struct todo_err err = {0};
    int n_applied = 0;
    if (store_open(url, &S, &err) != TODO_OK || store_migrate(S, &n_applied, &err) != TODO_OK) {
        fprintf(stderr, "events_bench: %s\n", err.message);
        return 1;
    }
    printf("events_bench %s: run %s, %s store%s%s\n", MODE, RUN, store_backend_name(S),
           BROKERS ? ", brokers " : "", BROKERS ? BROKERS : "");
    result("mode=%s", MODE);
    result("store=%s", store_backend_name(S));

    if (!skip || !strstr(skip, "latency"))
        run_latency(n_lat, lat_rate, n_users, &ocfg);
    if (!skip || !strstr(skip, "throughput"))
        run_throughput(n_events, tx_rows, n_users, &ocfg, consume_timeout);
    if (!skip || !strstr(skip, "consumer"))
        run_consume(n_events, tx_rows, n_users, &ocfg, consume_timeout);

    printf("RESULT");
    for (int i = 0; i < n_results; i++)
        printf(" %s", results[i]);
    printf("\n");

    store_destroy(S);
    if (temp) {
        const char *files[] = {"bench.db", "bench.db-wal", "bench.db-shm"};
        for (size_t i = 0; i < 3; i++) {
            char path[160];
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            remove(path);
        }
        rmdir(dir);
    }
    return failed ? 1 : 0;
}
