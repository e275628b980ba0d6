/* Unit tests for the Kafka bus backend, against a real broker (scripts/kafka.sh) named by
 * TODO_TEST_KAFKA_BROKERS; without it, each test that needs one prints a skip line and
 * passes. Every test creates topics of its own (unique names), so runs do not see each
 * other's messages. Waits are polls with deadlines, never fixed sleeps. */
#include <criterion/criterion.h>
#include <stdatomic.h>

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "events/bus_kafka.h"

#define WAIT_MS   60000
#define MAX_SEEN  2048
#define MAX_USERS 16

static const char *test_brokers(void)
{
    const char *b = getenv("TODO_TEST_KAFKA_BROKERS");
    return b && *b ? b : NULL;
}

#define NEED_BROKER()                                                                              \
    do {                                                                                           \
        if (!test_brokers())                                                                       \
            cr_skip_test("TODO_TEST_KAFKA_BROKERS is not set (scripts/with-kafka.sh ...)");        \
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
    snprintf(out, size, "test-bus-kafka-%ld-%lld-%d-%s", (long)getpid(), (long long)time_now_ms(),
             ++counter, what);
}

/* Creates a topic and waits until its partitions have leaders. */
static void create_topic(const char *name, int partitions)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    cr_assert_eq(
        rd_kafka_conf_set(conf, "bootstrap.servers", test_brokers(), errstr, sizeof errstr),
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

static bus_t *make_bus(const char *brokers, const char *instance_id, int64_t timeout_ms)
{
    struct bus_kafka_config cfg = {
        .brokers = brokers,
        .client_id = "todo-test",
        .instance_id = instance_id,
        .publish_timeout_ms = timeout_ms,
    };
    struct todo_err err = {0};
    bus_t *b = NULL;
    cr_assert_eq(bus_kafka_create(&cfg, &b, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(bus_name(b), "kafka");
    return b;
}

/* Publishes n messages "user-<i % users>" / "<user> <seq>" (seq counts per user), in
 * batches of batch, asserting every batch is acknowledged. */
static void publish_keyed(bus_t *b, const char *topic, int n, int users, int batch)
{
    int seq[MAX_USERS] = {0};
    char keys[64][32], payloads[64][64], ids[64][48];
    struct bus_message msgs[64];
    cr_assert(batch <= 64 && users <= MAX_USERS);
    for (int start = 0; start < n; start += batch) {
        int cnt = n - start < batch ? n - start : batch;
        for (int j = 0; j < cnt; j++) {
            int user = (start + j) % users;
            snprintf(keys[j], sizeof keys[j], "user-%d", user);
            int len = snprintf(payloads[j], sizeof payloads[j], "%s %d", keys[j], seq[user]++);
            snprintf(ids[j], sizeof ids[j], "id-%d", start + j);
            msgs[j] = (struct bus_message){
                .topic = topic,
                .key = keys[j],
                .id = (start + j) % 7 ? ids[j] : NULL, /* also without an id header */
                .payload = payloads[j],
                .len = (size_t)len,
            };
        }
        int n_done = -1;
        struct todo_err err = {0};
        int rc = bus_publish(b, msgs, cnt, &n_done, &err);
        cr_assert_eq(rc, TODO_OK, "publish: %s", err.message);
        cr_assert_eq(n_done, cnt);
    }
}

/* What one subscription saw. */
struct seen {
    pthread_mutex_t mu;
    int n;
    int users_seq[MAX_USERS]; /* next expected seq per user */
    int out_of_order;
    int seq[MAX_SEEN]; /* single-key tests: the seqs in arrival order */
    int retry_at;      /* answer RETRY the first time this seq comes (-1: never) */
    bool retried;
    int retry_from; /* answer RETRY for every seq >= this (-1: never) */
    int n_acked;
    bool bad_message;
};

static void seen_init(struct seen *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->retry_at = -1;
    s->retry_from = -1;
}

static int record(void *ctx, const struct bus_message *m)
{
    struct seen *s = ctx;
    int user = -1, seq = -1;
    char extra;
    pthread_mutex_lock(&s->mu);
    if (!m->key || !m->payload || strlen(m->payload) != m->len ||
        sscanf(m->payload, "user-%d %d%c", &user, &seq, &extra) != 2 || user < 0 ||
        user >= MAX_USERS || strncmp(m->payload, m->key, strlen(m->key)) != 0 || !m->topic) {
        s->bad_message = true;
        pthread_mutex_unlock(&s->mu);
        return BUS_ACK;
    }
    if (s->n < MAX_SEEN)
        s->seq[s->n] = seq;
    s->n++;
    int verdict = BUS_ACK;
    if (seq == s->retry_at && !s->retried) {
        s->retried = true;
        verdict = BUS_RETRY;
    } else if (s->retry_from >= 0 && seq >= s->retry_from) {
        verdict = BUS_RETRY;
    }
    if (verdict == BUS_ACK) {
        if (seq != s->users_seq[user])
            s->out_of_order++;
        s->users_seq[user] = seq + 1;
        s->n_acked++;
    }
    pthread_mutex_unlock(&s->mu);
    return verdict;
}

static int seen_count(struct seen *s, bool acked)
{
    pthread_mutex_lock(&s->mu);
    int n = acked ? s->n_acked : s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Waits until the subscription saw at least want messages (acked ones when acked). */
static bool wait_count(struct seen *s, int want, bool acked)
{
    int64_t deadline = now_ms() + WAIT_MS;
    while (seen_count(s, acked) < want && now_ms() < deadline)
        nap();
    return seen_count(s, acked) >= want;
}

/* Gives stray duplicates a moment to show up after the expected count was reached. */
static void settle(void)
{
    int64_t until = now_ms() + 1000;
    while (now_ms() < until)
        nap();
}

static void subscribe(bus_t *b, const char *group, bool broadcast, const char *topic,
                      struct seen *s)
{
    struct todo_err err = {0};
    const char *topics[] = {topic};
    cr_assert_eq(bus_subscribe(b, group, broadcast, topics, 1, record, s, &err), TODO_OK, "%s",
                 err.message);
}

static void start(bus_t *b)
{
    struct todo_err err = {0};
    cr_assert_eq(bus_start(b, &err), TODO_OK, "%s", err.message);
}

Test(bus_kafka, keyed_messages_arrive_once_each_in_order_per_key)
{
    NEED_BROKER();
    char topic[128], group[128];
    unique(topic, sizeof topic, "keyed");
    unique(group, sizeof group, "group");
    create_topic(topic, 3);
    bus_t *b = make_bus(test_brokers(), NULL, 10000);
    cr_assert(bus_healthy(b));

    publish_keyed(b, topic, 500, 10, 50);
    struct seen s;
    seen_init(&s);
    subscribe(b, group, false, topic, &s);
    start(b);
    cr_assert(wait_count(&s, 500, false), "saw %d of 500: %s", seen_count(&s, false),
              bus_kafka_last_error(b));
    settle();
    bus_stop(b);
    cr_assert_eq(s.n, 500, "duplicates: saw %d", s.n);
    cr_assert_not(s.bad_message);
    cr_assert_eq(s.out_of_order, 0);
    for (int u = 0; u < 10; u++)
        cr_assert_eq(s.users_seq[u], 50, "user %d ended at %d", u, s.users_seq[u]);
    bus_destroy(b);
    pthread_mutex_destroy(&s.mu);
}

Test(bus_kafka, two_groups_each_get_every_message)
{
    NEED_BROKER();
    char topic[128], group_a[128], group_b[128];
    unique(topic, sizeof topic, "groups");
    unique(group_a, sizeof group_a, "audit");
    unique(group_b, sizeof group_b, "recurring");
    create_topic(topic, 3);
    bus_t *b = make_bus(test_brokers(), NULL, 10000);
    struct seen a, c;
    seen_init(&a);
    seen_init(&c);
    subscribe(b, group_a, false, topic, &a);
    subscribe(b, group_b, false, topic, &c);
    start(b);
    publish_keyed(b, topic, 100, 4, 25);
    cr_assert(wait_count(&a, 100, false), "group a saw %d", seen_count(&a, false));
    cr_assert(wait_count(&c, 100, false), "group b saw %d", seen_count(&c, false));
    settle();
    bus_destroy(b); /* stops too */
    cr_assert_eq(a.n, 100);
    cr_assert_eq(c.n, 100);
    cr_assert_eq(a.out_of_order + c.out_of_order, 0);
    cr_assert_not(a.bad_message || c.bad_message);
    pthread_mutex_destroy(&a.mu);
    pthread_mutex_destroy(&c.mu);
}

Test(bus_kafka, retry_redelivers_the_same_message_before_any_later_one)
{
    NEED_BROKER();
    char topic[128], group[128];
    unique(topic, sizeof topic, "retry");
    unique(group, sizeof group, "group");
    create_topic(topic, 1);
    bus_t *b = make_bus(test_brokers(), NULL, 10000);
    publish_keyed(b, topic, 20, 1, 20);
    struct seen s;
    seen_init(&s);
    s.retry_at = 5;
    subscribe(b, group, false, topic, &s);
    start(b);
    cr_assert(wait_count(&s, 21, false), "saw %d of 21", seen_count(&s, false));
    settle();
    bus_destroy(b);
    cr_assert_eq(s.n, 21);
    int want[21];
    for (int i = 0, seq = 0; i < 21; i++)
        want[i] = i == 6 ? 5 : seq++;
    for (int i = 0; i < 21; i++)
        cr_assert_eq(s.seq[i], want[i], "arrival %d was seq %d, want %d", i, s.seq[i], want[i]);
    cr_assert_eq(s.out_of_order, 0);
    pthread_mutex_destroy(&s.mu);
}

/* What a batch subscription saw (docs/decisions/0023-batched-consumers.md). */
struct batches {
    pthread_mutex_t mu;
    int max_n;             /* the largest batch handed over */
    bool acked[2][20];     /* user, seq */
    int n_acked;           /* distinct (user, seq) acked */
    bool retried;          /* "user-0 5" was answered RETRY once */
    int first_after_retry; /* -1 until the batch after the RETRY came; then its first seq */
    int first_user_after;  /* and its user */
};

static void batch_record(void *ctx, const struct bus_message *msgs, int n, int *verdicts)
{
    struct batches *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->max_n = n > s->max_n ? n : s->max_n;
    for (int i = 0; i < n; i++) {
        int user = -1, seq = -1;
        verdicts[i] = BUS_ACK;
        if (sscanf(msgs[i].payload, "user-%d %d", &user, &seq) != 2 || user < 0 || user > 1 ||
            seq < 0 || seq >= 20)
            continue;
        if (i == 0 && s->retried && s->first_after_retry < 0) {
            s->first_after_retry = seq;
            s->first_user_after = user;
        }
        if (user == 0 && seq == 5 && !s->retried) {
            s->retried = true;
            verdicts[i] = BUS_RETRY;
            continue;
        }
        if (!s->acked[user][seq]) {
            s->acked[user][seq] = true;
            s->n_acked++;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

Test(bus_kafka, a_batch_handler_gets_what_was_fetched_and_a_retry_rewinds_its_partition_to_it)
{
    NEED_BROKER();
    char topic[128], group[128];
    unique(topic, sizeof topic, "batch");
    unique(group, sizeof group, "group");
    create_topic(topic, 1);
    bus_t *b = make_bus(test_brokers(), NULL, 10000);
    publish_keyed(b, topic, 40, 2, 40); /* before the group starts: fetched together */
    struct batches s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    s.first_after_retry = -1;
    struct todo_err err = {0};
    const char *topics[] = {topic};
    cr_assert_eq(bus_subscribe_batch(b, group, false, topics, 1, batch_record, &s, &err), TODO_OK,
                 "%s", err.message);
    start(b);
    int64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        pthread_mutex_lock(&s.mu);
        int acked = s.n_acked;
        pthread_mutex_unlock(&s.mu);
        if (acked == 40 || now_ms() > deadline)
            break;
        nap();
    }
    bus_destroy(b);
    cr_assert_eq(s.n_acked, 40, "every message acked: %d", s.n_acked);
    cr_assert_gt(s.max_n, 1, "messages fetched together come in one batch");
    cr_assert(s.retried);
    cr_assert_eq(s.first_user_after, 0, "the partition restarts at the retried message");
    cr_assert_eq(s.first_after_retry, 5);
    pthread_mutex_destroy(&s.mu);
}

Test(bus_kafka, a_restarted_group_resumes_after_the_last_acked_message)
{
    NEED_BROKER();
    char topic[128], group[128];
    unique(topic, sizeof topic, "restart");
    unique(group, sizeof group, "group");
    create_topic(topic, 1);
    bus_t *producer = make_bus(test_brokers(), NULL, 10000);
    publish_keyed(producer, topic, 20, 1, 20);
    bus_destroy(producer);

    /* first run: ACK 0..9, RETRY 10 onwards (nothing after 9 may be committed) */
    bus_t *b1 = make_bus(test_brokers(), NULL, 10000);
    struct seen first;
    seen_init(&first);
    first.retry_from = 10;
    subscribe(b1, group, false, topic, &first);
    start(b1);
    cr_assert(wait_count(&first, 10, true), "acked %d of 10", seen_count(&first, true));
    cr_assert(wait_count(&first, 12, false), "10 was not retried"); /* 10 came at least twice */
    bus_destroy(b1);
    cr_assert_eq(first.n_acked, 10);
    for (int i = 10; i < first.n && i < MAX_SEEN; i++)
        cr_assert_eq(first.seq[i], 10, "after RETRY of 10 came %d", first.seq[i]);

    /* second run, same group: exactly 10..19 */
    bus_t *b2 = make_bus(test_brokers(), NULL, 10000);
    struct seen second;
    seen_init(&second);
    second.users_seq[0] = 10;
    subscribe(b2, group, false, topic, &second);
    start(b2);
    cr_assert(wait_count(&second, 10, false), "saw %d of 10", seen_count(&second, false));
    settle();
    bus_destroy(b2);
    cr_assert_eq(second.n, 10);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(second.seq[i], 10 + i);
    cr_assert_eq(second.out_of_order, 0);
    pthread_mutex_destroy(&first.mu);
    pthread_mutex_destroy(&second.mu);
}

Test(bus_kafka, broadcast_gives_every_instance_every_message)
{
    NEED_BROKER();
    char topic[128], inst_a[128], inst_b[128];
    unique(topic, sizeof topic, "broadcast");
    unique(inst_a, sizeof inst_a, "pod-a");
    unique(inst_b, sizeof inst_b, "pod-b");
    create_topic(topic, 3);
    bus_t *a = make_bus(test_brokers(), inst_a, 10000);
    bus_t *c = make_bus(test_brokers(), inst_b, 10000);
    struct seen sa, sc;
    seen_init(&sa);
    seen_init(&sc);
    subscribe(a, "realtime", true, topic, &sa);
    subscribe(c, "realtime", true, topic, &sc);
    start(a);
    start(c);
    publish_keyed(a, topic, 60, 6, 20);
    cr_assert(wait_count(&sa, 60, false), "instance a saw %d", seen_count(&sa, false));
    cr_assert(wait_count(&sc, 60, false), "instance b saw %d", seen_count(&sc, false));
    settle();
    bus_destroy(a);
    bus_destroy(c);
    cr_assert_eq(sa.n, 60);
    cr_assert_eq(sc.n, 60);
    cr_assert_eq(sa.out_of_order + sc.out_of_order, 0);
    pthread_mutex_destroy(&sa.mu);
    pthread_mutex_destroy(&sc.mu);
}

Test(bus_kafka, broadcast_without_instance_id_is_refused)
{
    bus_t *b = make_bus("127.0.0.1:9", NULL, 1000);
    struct todo_err err = {0};
    const char *topics[] = {"task-updates"};
    cr_assert_neq(bus_subscribe(b, "realtime", true, topics, 1, record, NULL, &err), TODO_OK);
    bus_destroy(b);
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

Test(bus_kafka, publish_to_an_unreachable_broker_fails_within_the_timeout)
{
    char brokers[64];
    snprintf(brokers, sizeof brokers, "127.0.0.1:%d", closed_port());
    bus_t *b = make_bus(brokers, NULL, 1000);
    struct bus_message msgs[3];
    for (int i = 0; i < 3; i++)
        msgs[i] = (struct bus_message){
            .topic = "task-events", .key = "user-1", .id = "id", .payload = "{}", .len = 2};
    int n_done = -1;
    struct todo_err err = {0};
    int64_t t0 = now_ms();
    int rc = bus_publish(b, msgs, 3, &n_done, &err);
    int64_t took = now_ms() - t0;
    cr_assert_eq(rc, TODO_ERR_UNAVAILABLE, "rc %d: %s", rc, err.message);
    cr_assert_eq(n_done, 0);
    cr_assert(took >= 900 && took < 1000 + 1000, "publish took %lld ms", (long long)took);
    cr_assert_neq(err.message[0], '\0');
    cr_assert_neq(bus_kafka_last_error(b)[0], '\0');

    t0 = now_ms();
    cr_assert_not(bus_healthy(b));
    cr_assert_not(bus_healthy(b)); /* cached: cheap */
    cr_assert(now_ms() - t0 < 1500, "healthy took %lld ms", (long long)(now_ms() - t0));

    t0 = now_ms();
    bus_destroy(b);
    cr_assert(now_ms() - t0 < 2500, "destroy took %lld ms", (long long)(now_ms() - t0));
}

struct publisher_arg {
    bus_t *bus;
    const char *topic;
    int user;
    int failed;
};

static void *publisher(void *arg)
{
    struct publisher_arg *pa = arg;
    char key[32], payloads[10][64];
    struct bus_message msgs[10];
    snprintf(key, sizeof key, "user-%d", pa->user);
    for (int seq = 0; seq < 100; seq += 10) {
        for (int j = 0; j < 10; j++) {
            int len = snprintf(payloads[j], sizeof payloads[j], "%s %d", key, seq + j);
            msgs[j] = (struct bus_message){
                .topic = pa->topic, .key = key, .payload = payloads[j], .len = (size_t)len};
        }
        int n_done = 0;
        struct todo_err err = {0};
        if (bus_publish(pa->bus, msgs, 10, &n_done, &err) != TODO_OK || n_done != 10)
            pa->failed++;
    }
    return NULL;
}

Test(bus_kafka, concurrent_publishers_each_get_their_own_acknowledgements)
{
    NEED_BROKER();
    char topic[128], group[128];
    unique(topic, sizeof topic, "concurrent");
    unique(group, sizeof group, "group");
    create_topic(topic, 3);
    bus_t *b = make_bus(test_brokers(), NULL, 10000);
    pthread_t threads[4];
    struct publisher_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct publisher_arg){.bus = b, .topic = topic, .user = i};
        cr_assert_eq(pthread_create(&threads[i], NULL, publisher, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        cr_assert_eq(args[i].failed, 0);
    }
    struct seen s;
    seen_init(&s);
    subscribe(b, group, false, topic, &s);
    start(b);
    cr_assert(wait_count(&s, 400, false), "saw %d of 400", seen_count(&s, false));
    settle();
    bus_destroy(b);
    cr_assert_eq(s.n, 400);
    cr_assert_eq(s.out_of_order, 0);
    pthread_mutex_destroy(&s.mu);
}

/* Held back (RETRY) while hold_back is set, taken (ACK) after. */
static atomic_bool hold_back;

static int hold_or_take(void *ctx, const struct bus_message *m)
{
    (void)ctx, (void)m;
    return atomic_load(&hold_back) ? BUS_RETRY : BUS_ACK;
}

/* Polls bus_consumer_lag until it is want (WAIT_MS at most); returns the last value read. */
static int64_t wait_lag(bus_t *b, const char *group, const char *topic, int64_t want)
{
    int64_t lag = -1, until = now_ms() + WAIT_MS;
    while (now_ms() < until) {
        if (bus_consumer_lag(b, group, topic, &lag) != 0)
            lag = -1;
        if (lag == want)
            break;
        nap();
    }
    return lag;
}

Test(bus_kafka, consumer_lag_counts_what_the_group_has_not_consumed_and_falls_to_zero)
{
    NEED_BROKER();
    char topic[128], group[128];
    unique(topic, sizeof topic, "lag");
    unique(group, sizeof group, "group");
    create_topic(topic, 1);
    bus_t *b = make_bus(test_brokers(), NULL, 10000);
    publish_keyed(b, topic, 10, 1, 10);
    atomic_store(&hold_back, true);
    struct todo_err err = {0};
    const char *topics[] = {topic};
    cr_assert_eq(bus_subscribe(b, group, false, topics, 1, hold_or_take, NULL, &err), TODO_OK);
    int64_t lag;
    cr_assert_eq(bus_consumer_lag(b, group, topic, &lag), -1, "unknown before it consumes");
    start(b);
    lag = wait_lag(b, group, topic, 10);
    cr_assert_eq(lag, 10, "all ten wait while the first is retried: %lld", (long long)lag);
    cr_assert_eq(bus_consumer_lag(b, "another-group", topic, &lag), -1);
    cr_assert_eq(bus_consumer_lag(b, group, "another-topic", &lag), -1);
    atomic_store(&hold_back, false);
    cr_assert_eq(wait_lag(b, group, topic, 0), 0, "none left once they are taken");
    bus_destroy(b);
}
