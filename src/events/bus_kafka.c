/* bus_kafka.c - the Kafka bus backend on librdkafka.
 *
 * The one idea: nothing counts as done until Kafka said so. A publish produces the whole
 * batch, then polls until every message's delivery report arrived (or the deadline passed)
 * and reports the acknowledged prefix; a consumer hands what one poll fetched (up to 64
 * messages) to its handler, stores a message's offset only after the handler (which
 * committed its transaction) answered ACK or DROP for it and for every message before it in
 * its partition, and on RETRY seeks the partition back to that message, so nothing after it
 * is committed first.
 *
 * Threads: publish, healthy and bus_kafka_last_error may be called from any thread. Each
 * subscription owns one rd_kafka_t consumer and one thread that runs its handler, so a
 * group's handler never runs concurrently. Delivery reports may be served by whichever
 * publisher polls; each batch is reference-counted, so a report arriving after its
 * publisher gave up (deadline) is harmless. */
#include "events/bus_kafka.h"

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "events/bus_internal.h"

#include <librdkafka/rdkafka.h>

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KAFKA_ERR_MAX           512
#define KAFKA_DEFAULT_TIMEOUT   5000
#define KAFKA_POLL_MS           100 /* consumer poll slice: how fast bus_stop is noticed */
#define KAFKA_HEALTH_TIMEOUT_MS 500
#define KAFKA_HEALTH_CACHE_MS   1000
#define KAFKA_COMMIT_INTERVAL   "100" /* ms between commits of the stored offsets */
#define KAFKA_RETRY_MIN_MS      100
#define KAFKA_RETRY_MAX_MS      5000
#define KAFKA_ID_HEADER         "ce_id"
#define KAFKA_BATCH_MAX         64 /* messages handed to a batch handler at a time */
#define KAFKA_POS_MAX           64 /* partitions whose position a subscription keeps */

/* Where a group is in one partition: the offset of the next message it will handle. */
struct kafka_pos {
    int topic; /* index in kafka_sub.topics */
    int32_t partition;
    int64_t next;
};

struct kafka_sub {
    struct kafka_sub *next;
    struct bus_kafka *kb;
    char *group;    /* as subscribed */
    char *group_id; /* the effective group.id (broadcast: group-instance) */
    int n_topics;
    char **topics;
    int64_t *lag;      /* per topic: messages not consumed yet, -1 unknown (atomic) */
    int64_t lag_at_ms; /* when the thread last read them (mono_ms) */
    struct kafka_pos pos[KAFKA_POS_MAX]; /* the consumer thread's own; n_pos used */
    int n_pos;
    bus_handler_fn fn;  /* one message at a time, or */
    bus_batch_fn batch; /* what one poll has fetched, up to KAFKA_BATCH_MAX */
    void *ctx;
    rd_kafka_t *rk; /* between start and stop; owned by the thread once it runs */
    pthread_t thread;
    bool running;
};

struct bus_kafka {
    struct bus base;
    char *brokers;
    char *client_id;
    char *instance_id;
    int64_t publish_timeout_ms;

    pthread_rwlock_t producer_lock; /* read: use the producer; write: replace it */
    rd_kafka_t *producer;

    struct kafka_sub *subs;
    bool started;
    atomic_bool stopping;

    pthread_mutex_t mu; /* last_error and the health cache */
    char last_error[KAFKA_ERR_MAX];
    char client_error[KAFKA_ERR_MAX]; /* the last one librdkafka reported by itself */
    bool health_ok;
    uint64_t health_at_ns;
    bool health_valid;
};

/* One publish call's delivery state, shared with the delivery-report callback. */
struct kafka_batch;
struct kafka_slot {
    struct kafka_batch *batch;
    int index;
};
struct kafka_batch {
    pthread_mutex_t mu;
    int refs;    /* messages whose report is still to come, plus the publisher */
    int pending; /* reports still to come */
    rd_kafka_resp_err_t *status;
    struct kafka_slot *slots;
};

static const struct bus_ops kafka_ops;

static int64_t mono_ms(void)
{
    return (int64_t)(time_mono_ns() / 1000000u);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void __attribute__((format(printf, 2, 3)))
kafka_note(struct bus_kafka *kb, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&kb->mu);
    va_start(ap, fmt);
    vsnprintf(kb->last_error, sizeof kb->last_error, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&kb->mu);
}

static void kafka_note_client(struct bus_kafka *kb, const char *what, const char *text)
{
    pthread_mutex_lock(&kb->mu);
    snprintf(kb->client_error, sizeof kb->client_error, "%s: %s", what, text);
    memcpy(kb->last_error, kb->client_error, sizeof kb->last_error);
    pthread_mutex_unlock(&kb->mu);
}

/* ------------------------------------------------------------------ librdkafka callbacks */

/* librdkafka would print its logs to stderr; a library does not log, so keep errors as the
 * last error and drop the rest. */
static void kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    struct bus_kafka *kb = rd_kafka_opaque(rk);
    if (kb && level <= 3 /* LOG_ERR */)
        kafka_note_client(kb, fac, buf);
}

static void kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    struct bus_kafka *kb = opaque;
    kafka_note_client(kb, rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static void batch_release(struct kafka_batch *batch, bool delivered, int index,
                          rd_kafka_resp_err_t status)
{
    pthread_mutex_lock(&batch->mu);
    if (delivered) {
        batch->status[index] = status;
        batch->pending--;
    }
    bool last = --batch->refs == 0;
    pthread_mutex_unlock(&batch->mu);
    if (!last)
        return;
    pthread_mutex_destroy(&batch->mu);
    free(batch->status);
    free(batch->slots);
    free(batch);
}

static void kafka_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    struct kafka_slot *slot = m->_private;
    if (slot)
        batch_release(slot->batch, true, slot->index, m->err);
}

/* --------------------------------------------------------------------------- producer */

static int conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                    struct todo_err *err)
{
    char errstr[KAFKA_ERR_MAX];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        return todo_err_set(err, TODO_ERR_INTERNAL, "kafka config %s=%s: %s", name, value, errstr);
    return TODO_OK;
}

/* A configuration with what every handle of this bus shares. */
static rd_kafka_conf_t *kafka_conf_new(struct bus_kafka *kb, struct todo_err *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf_set(conf, "bootstrap.servers", kb->brokers, err) ||
        conf_set(conf, "client.id", kb->client_id, err)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, kb);
    rd_kafka_conf_set_log_cb(conf, kafka_log_cb);
    rd_kafka_conf_set_error_cb(conf, kafka_error_cb);
    return conf;
}

static rd_kafka_t *producer_new(struct bus_kafka *kb, struct todo_err *err)
{
    rd_kafka_conf_t *conf = kafka_conf_new(kb, err);
    if (!conf)
        return NULL;
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%lld", (long long)kb->publish_timeout_ms);
    if (conf_set(conf, "enable.idempotence", "true", err) || conf_set(conf, "acks", "all", err) ||
        conf_set(conf, "linger.ms", "2", err) ||
        conf_set(conf, "message.timeout.ms", timeout, err) ||
        /* the Java client's key hashing, so other producers agree on a user's partition */
        conf_set(conf, "partitioner", "murmur2_random", err)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, kafka_dr_cb);
    char errstr[KAFKA_ERR_MAX];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        todo_err_set(err, TODO_ERR_INTERNAL, "kafka producer: %s", errstr);
        return NULL;
    }
    return rk; /* rd_kafka_new took conf */
}

/* Flushes (bounded), purges what is left so every delivery report is served (each one
 * releases its batch), and destroys. */
static void producer_close(rd_kafka_t *rk, int64_t flush_ms)
{
    if (!rk)
        return;
    if (rd_kafka_flush(rk, (int)flush_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(rk, 2000);
    }
    rd_kafka_poll(rk, 0);
    rd_kafka_destroy(rk);
}

/* The producer met a fatal error (idempotence broken): it cannot produce again, so
 * replace it. Takes the write lock; a no-op when another thread already did it. */
static void producer_reset(struct bus_kafka *kb, rd_kafka_t *broken)
{
    pthread_rwlock_wrlock(&kb->producer_lock);
    if (kb->producer == broken) {
        struct todo_err err = {0};
        rd_kafka_t *fresh = producer_new(kb, &err);
        if (fresh) {
            producer_close(broken, 0);
            kb->producer = fresh;
        }
    }
    pthread_rwlock_unlock(&kb->producer_lock);
}

static rd_kafka_resp_err_t produce_one(rd_kafka_t *rk, const struct bus_message *m,
                                       struct kafka_slot *slot)
{
    size_t key_len = m->key ? strlen(m->key) : 0;
    if (!m->id)
        return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(m->topic), RD_KAFKA_V_KEY(m->key, key_len),
                                 RD_KAFKA_V_VALUE((void *)m->payload, m->len),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(slot),
                                 RD_KAFKA_V_END);
    return rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(m->topic), RD_KAFKA_V_KEY(m->key, key_len),
        RD_KAFKA_V_VALUE((void *)m->payload, m->len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER(KAFKA_ID_HEADER, m->id, -1), RD_KAFKA_V_OPAQUE(slot), RD_KAFKA_V_END);
}

/* A batch of n messages, none reported yet, held by the publisher. */
static struct kafka_batch *batch_new(int n)
{
    struct kafka_batch *batch = xcalloc(1, sizeof *batch);
    pthread_mutex_init(&batch->mu, NULL);
    batch->refs = 1; /* the publisher's */
    batch->status = xcalloc((size_t)n, sizeof *batch->status);
    batch->slots = xcalloc((size_t)n, sizeof *batch->slots);
    for (int i = 0; i < n; i++) {
        batch->status[i] = RD_KAFKA_RESP_ERR__IN_PROGRESS; /* no report yet */
        batch->slots[i] = (struct kafka_slot){.batch = batch, .index = i};
    }
    return batch;
}

/* Produces the messages in order until one is refused (its status says why); a full queue
 * is waited out until the deadline. Another publisher's poll may serve our reports
 * meanwhile. */
static void produce_all(rd_kafka_t *rk, struct kafka_batch *batch, const struct bus_message *msgs,
                        int n, int64_t deadline)
{
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&batch->mu);
        batch->refs++;
        batch->pending++;
        pthread_mutex_unlock(&batch->mu);
        rd_kafka_resp_err_t rc;
        while ((rc = produce_one(rk, &msgs[i], &batch->slots[i])) ==
                   RD_KAFKA_RESP_ERR__QUEUE_FULL &&
               mono_ms() < deadline)
            rd_kafka_poll(rk, 10);
        if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
            pthread_mutex_lock(&batch->mu);
            batch->refs--;
            batch->pending--;
            batch->status[i] = rc;
            pthread_mutex_unlock(&batch->mu);
            return;
        }
    }
}

/* Polls until every produced message is reported or the deadline passes. librdkafka times
 * messages out (message.timeout.ms) only on a once-a-second scan, so this does not wait for
 * those reports: what is unreported at the deadline counts as failed (it may still arrive
 * later, which at-least-once delivery allows). */
static void wait_reports(rd_kafka_t *rk, struct kafka_batch *batch, int64_t deadline)
{
    for (;;) {
        pthread_mutex_lock(&batch->mu);
        int pending = batch->pending;
        pthread_mutex_unlock(&batch->mu);
        int64_t left = deadline - mono_ms();
        if (pending == 0 || left <= 0)
            return;
        rd_kafka_poll(rk, (int)(left < 50 ? left : 50));
    }
}

/* How many messages from the first were acknowledged (*done), and the error for the one
 * after them, if any. */
static int batch_outcome(struct bus_kafka *kb, struct kafka_batch *batch,
                         const struct bus_message *msgs, int n, int *done, struct todo_err *err)
{
    pthread_mutex_lock(&batch->mu);
    int ok = 0;
    while (ok < n && batch->status[ok] == RD_KAFKA_RESP_ERR_NO_ERROR)
        ok++;
    rd_kafka_resp_err_t status = ok < n ? batch->status[ok] : RD_KAFKA_RESP_ERR_NO_ERROR;
    pthread_mutex_unlock(&batch->mu);
    *done = ok;
    if (status == RD_KAFKA_RESP_ERR_NO_ERROR)
        return TODO_OK;
    if (status != RD_KAFKA_RESP_ERR__IN_PROGRESS)
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "kafka publish %d/%d to %s failed: %s",
                            ok + 1, n, msgs[ok].topic, rd_kafka_err2str(status));
    char client[KAFKA_ERR_MAX];
    pthread_mutex_lock(&kb->mu);
    memcpy(client, kb->client_error, sizeof client);
    pthread_mutex_unlock(&kb->mu);
    return todo_err_set(err, TODO_ERR_UNAVAILABLE,
                        "kafka publish %d/%d to %s: not acknowledged within %lld ms%s%s", ok + 1, n,
                        msgs[ok].topic, (long long)kb->publish_timeout_ms,
                        client[0] ? "; last client error: " : "", client);
}

static int kafka_publish(bus_t *b, const struct bus_message *msgs, int n, int *n_done,
                         struct todo_err *err)
{
    struct bus_kafka *kb = (struct bus_kafka *)b;
    struct kafka_batch *batch = batch_new(n);
    pthread_rwlock_rdlock(&kb->producer_lock);
    rd_kafka_t *rk = kb->producer;
    int64_t deadline = mono_ms() + kb->publish_timeout_ms;
    produce_all(rk, batch, msgs, n, deadline);
    wait_reports(rk, batch, deadline);
    int done = 0;
    int rc = batch_outcome(kb, batch, msgs, n, &done, err);
    char fatal[KAFKA_ERR_MAX];
    bool broken = rd_kafka_fatal_error(rk, fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR;
    pthread_rwlock_unlock(&kb->producer_lock);
    batch_release(batch, false, 0, RD_KAFKA_RESP_ERR_NO_ERROR);
    if (rc != TODO_OK)
        kafka_note(kb, "%s", err->message);
    if (broken) {
        kafka_note(kb, "kafka producer fatal error (replaced): %s", fatal);
        producer_reset(kb, rk);
    }
    *n_done = done;
    return rc;
}

/* -------------------------------------------------------------------------- consumers */

static int add_sub(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                   int n_topics, bus_handler_fn fn, bus_batch_fn batch, void *ctx,
                   struct todo_err *err)
{
    struct bus_kafka *kb = (struct bus_kafka *)b;
    if (kb->started)
        return todo_err_set(err, TODO_ERR_INTERNAL, "kafka: subscribe after start");
    if (!group || !*group || n_topics <= 0)
        return todo_err_set(err, TODO_ERR_INTERNAL, "kafka: subscribe needs a group and topics");
    if (broadcast && (!kb->instance_id || !*kb->instance_id))
        return todo_err_set(err, TODO_ERR_INTERNAL,
                            "kafka: broadcast group %s needs an instance_id", group);

    struct kafka_sub *s = xcalloc(1, sizeof *s);
    s->kb = kb;
    if (broadcast) {
        size_t len = strlen(group) + 1 + strlen(kb->instance_id) + 1;
        s->group_id = xmalloc(len);
        snprintf(s->group_id, len, "%s-%s", group, kb->instance_id);
    } else {
        s->group_id = xstrdup(group);
    }
    s->group = xstrdup(group);
    s->n_topics = n_topics;
    s->topics = xcalloc((size_t)n_topics, sizeof *s->topics);
    s->lag = xcalloc((size_t)n_topics, sizeof *s->lag);
    for (int i = 0; i < n_topics; i++) {
        s->topics[i] = xstrdup(topics[i]);
        s->lag[i] = -1;
    }
    s->fn = fn;
    s->batch = batch;
    s->ctx = ctx;
    struct kafka_sub **pp = &kb->subs;
    while (*pp)
        pp = &(*pp)->next;
    *pp = s;
    return TODO_OK;
}

static int kafka_subscribe(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                           int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err)
{
    return add_sub(b, group, broadcast, topics, n_topics, fn, NULL, ctx, err);
}

static int kafka_subscribe_batch(bus_t *b, const char *group, bool broadcast,
                                 const char *const *topics, int n_topics, bus_batch_fn fn,
                                 void *ctx, struct todo_err *err)
{
    return add_sub(b, group, broadcast, topics, n_topics, NULL, fn, ctx, err);
}

static rd_kafka_t *consumer_new(struct kafka_sub *s, struct todo_err *err)
{
    struct bus_kafka *kb = s->kb;
    rd_kafka_conf_t *conf = kafka_conf_new(kb, err);
    if (!conf)
        return NULL;
    if (conf_set(conf, "group.id", s->group_id, err) ||
        conf_set(conf, "enable.auto.commit", "true", err) ||
        conf_set(conf, "auto.commit.interval.ms", KAFKA_COMMIT_INTERVAL, err) ||
        conf_set(conf, "enable.auto.offset.store", "false", err) ||
        conf_set(conf, "auto.offset.reset", "earliest", err) ||
        /* a consumer that died gives its partitions back after 6 s, not the default 45 s */
        conf_set(conf, "session.timeout.ms", "6000", err) ||
        conf_set(conf, "heartbeat.interval.ms", "2000", err)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    char errstr[KAFKA_ERR_MAX];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        todo_err_set(err, TODO_ERR_INTERNAL, "kafka consumer %s: %s", s->group_id, errstr);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);

    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(s->n_topics);
    for (int i = 0; i < s->n_topics; i++)
        rd_kafka_topic_partition_list_add(list, s->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t rc = rd_kafka_subscribe(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        todo_err_set(err, TODO_ERR_INTERNAL, "kafka subscribe %s: %s", s->group_id,
                     rd_kafka_err2str(rc));
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

/* A NUL-terminated copy of len bytes (NULL stays NULL). */
static char *dup_bytes(const void *p, size_t len)
{
    if (!p)
        return NULL;
    char *s = xmalloc(len + 1);
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* Notes that m's partition will next hand over the message at offset next (for the lag). */
static void note_position(struct kafka_sub *s, const rd_kafka_message_t *m, int64_t next)
{
    const char *topic = rd_kafka_topic_name(m->rkt);
    int t = 0;
    while (t < s->n_topics && strcmp(s->topics[t], topic) != 0)
        t++;
    if (t == s->n_topics)
        return;
    for (int i = 0; i < s->n_pos; i++)
        if (s->pos[i].topic == t && s->pos[i].partition == m->partition) {
            s->pos[i].next = next;
            return;
        }
    if (s->n_pos < KAFKA_POS_MAX)
        s->pos[s->n_pos++] =
            (struct kafka_pos){.topic = t, .partition = m->partition, .next = next};
}

/* Marks m handled: its offset + 1 is stored, and librdkafka's auto-commit sends stored
 * offsets every KAFKA_COMMIT_INTERVAL ms and on close. Only offsets of messages whose
 * handler returned (after its transaction committed) are ever stored, so a crash redelivers
 * at most the last interval's messages, which idempotent consumers absorb. Waiting for a
 * synchronous commit after every message capped a group at ~1,600 events/s. */
static void commit_message(struct kafka_sub *s, const rd_kafka_message_t *m)
{
    note_position(s, m, m->offset + 1);
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offsets, rd_kafka_topic_name(m->rkt), m->partition)->offset =
        m->offset + 1;
    rd_kafka_resp_err_t rc = rd_kafka_offsets_store(s->rk, offsets);
    rd_kafka_topic_partition_list_destroy(offsets);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR)
        kafka_note(s->kb, "kafka offset store %s [%d] @%lld for %s: %s",
                   rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
                   s->group_id, rd_kafka_err2str(rc));
}

/* Rewinds m's partition to m, so the next poll returns m again and nothing after it is
 * handled (or committed) first. Messages of that partition fetched already are dropped by
 * librdkafka (the seek bumps the partition's version). If the partition was revoked
 * meanwhile, its new owner starts from the committed offset, which is before m. */
static void seek_back(struct kafka_sub *s, const rd_kafka_message_t *m)
{
    note_position(s, m, m->offset);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, rd_kafka_topic_name(m->rkt), m->partition)->offset =
        m->offset;
    rd_kafka_error_t *error = rd_kafka_seek_partitions(s->rk, list, 2000);
    if (error) {
        kafka_note(s->kb, "kafka seek %s [%d] @%lld: %s", rd_kafka_topic_name(m->rkt),
                   (int)m->partition, (long long)m->offset, rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    } else if (list->elems[0].err) {
        kafka_note(s->kb, "kafka seek %s [%d] @%lld: %s", rd_kafka_topic_name(m->rkt),
                   (int)m->partition, (long long)m->offset, rd_kafka_err2str(list->elems[0].err));
    }
    rd_kafka_topic_partition_list_destroy(list);
}

/* Sleeps ms in slices, returning early when the bus stops. */
static void backoff(struct bus_kafka *kb, int64_t ms)
{
    int64_t until = mono_ms() + ms;
    while (!atomic_load(&kb->stopping)) {
        int64_t left = until - mono_ms();
        if (left <= 0)
            break;
        sleep_ms(left < 50 ? left : 50);
    }
}

/* m as a bus message, with NUL-terminated copies of its key, payload and id header (freed
 * by message_release). */
static void message_take(const rd_kafka_message_t *m, struct bus_message *bm)
{
    char *id = NULL;
    rd_kafka_headers_t *hdrs;
    const void *val;
    size_t val_len;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_header_get_last(hdrs, KAFKA_ID_HEADER, &val, &val_len) ==
            RD_KAFKA_RESP_ERR_NO_ERROR)
        id = dup_bytes(val, val_len);
    *bm = (struct bus_message){
        .topic = rd_kafka_topic_name(m->rkt),
        .key = dup_bytes(m->key, m->key_len),
        .id = id,
        .payload = dup_bytes(m->payload ? m->payload : "", m->len),
        .len = m->len,
    };
}

static void message_release(struct bus_message *bm)
{
    free((char *)bm->id);
    free((char *)bm->payload);
    free((char *)bm->key);
}

/* Sets verdicts[i] for ms[0..n): all at once from a batch handler, else one at a time until
 * one answers RETRY (the rest are not handed over: RETRY). */
static void handle_messages(struct kafka_sub *s, rd_kafka_message_t *const *ms, int n,
                            int *verdicts)
{
    struct bus_message bms[KAFKA_BATCH_MAX];
    assert(n > 0 && n <= KAFKA_BATCH_MAX);
    for (int i = 0; i < n; i++) {
        message_take(ms[i], &bms[i]);
        verdicts[i] = BUS_RETRY;
    }
    if (s->batch) {
        s->batch(s->ctx, bms, n, verdicts);
    } else {
        for (int i = 0; i < n; i++)
            if ((verdicts[i] = s->fn(s->ctx, &bms[i])) == BUS_RETRY)
                break;
    }
    for (int i = 0; i < n; i++)
        message_release(&bms[i]);
}

/* Stores the offsets of the handled messages and rewinds each partition that has one to try
 * again to the first such message: per partition only the prefix before it is stored, and
 * what follows it comes again (handled ones as duplicates, which consumers ignore). Returns
 * true when some message must be tried again. */
static bool settle(struct kafka_sub *s, rd_kafka_message_t *const *ms, int n, const int *verdicts)
{
    const rd_kafka_message_t *rewound[KAFKA_BATCH_MAX];
    int n_rewound = 0;
    for (int i = 0; i < n; i++) {
        const rd_kafka_message_t *m = ms[i];
        bool behind = false;
        for (int j = 0; j < n_rewound && !behind; j++)
            behind = rewound[j]->partition == m->partition &&
                     strcmp(rd_kafka_topic_name(rewound[j]->rkt), rd_kafka_topic_name(m->rkt)) == 0;
        if (behind)
            continue;
        if (verdicts[i] == BUS_RETRY) {
            seek_back(s, m);
            rewound[n_rewound++] = m;
        } else {
            commit_message(s, m);
        }
    }
    return n_rewound > 0;
}

/* Polls up to KAFKA_BATCH_MAX messages: waits up to KAFKA_POLL_MS for the first, then takes
 * only what librdkafka has fetched already. Error events are noted and dropped. */
static int poll_batch(struct kafka_sub *s, rd_kafka_message_t **ms)
{
    int n = 0;
    rd_kafka_message_t *m = rd_kafka_consumer_poll(s->rk, KAFKA_POLL_MS);
    while (m) {
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                kafka_note(s->kb, "kafka consumer %s: %s", s->group_id, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
        } else {
            ms[n++] = m;
            if (n == KAFKA_BATCH_MAX)
                break;
        }
        m = rd_kafka_consumer_poll(s->rk, 0);
    }
    return n;
}

/* The lag of topic t: over its partitions assigned here that this process has handled a
 * message of, the high watermark (librdkafka's, cached from its fetches: no broker round trip)
 * minus the offset of the next message to handle. -1 when there is no such partition. */
static int64_t topic_lag(struct kafka_sub *s, const rd_kafka_topic_partition_list_t *parts, int t)
{
    int64_t sum = -1;
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &parts->elems[i];
        int64_t lo = 0, hi = -1;
        if (strcmp(p->topic, s->topics[t]) != 0 ||
            rd_kafka_get_watermark_offsets(s->rk, p->topic, p->partition, &lo, &hi) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            hi < 0)
            continue;
        for (int k = 0; k < s->n_pos; k++)
            if (s->pos[k].topic == t && s->pos[k].partition == p->partition)
                sum = (sum < 0 ? 0 : sum) + (hi > s->pos[k].next ? hi - s->pos[k].next : 0);
    }
    return sum;
}

/* Refreshes s->lag, at most once a second; on the consumer's thread (it owns s->rk). */
static void note_lag(struct kafka_sub *s)
{
    int64_t now = mono_ms();
    if (now - s->lag_at_ms < 1000)
        return;
    s->lag_at_ms = now;
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(s->rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    for (int t = 0; t < s->n_topics; t++)
        __atomic_store_n(&s->lag[t], topic_lag(s, parts, t), __ATOMIC_RELAXED);
    rd_kafka_topic_partition_list_destroy(parts);
}

static int kafka_consumer_lag(bus_t *b, const char *group, const char *topic, int64_t *out)
{
    struct bus_kafka *kb = (struct bus_kafka *)b;
    for (struct kafka_sub *s = kb->subs; s; s = s->next) {
        if (strcmp(s->group, group) != 0)
            continue;
        for (int t = 0; t < s->n_topics; t++) {
            int64_t v = __atomic_load_n(&s->lag[t], __ATOMIC_RELAXED);
            if (strcmp(s->topics[t], topic) == 0 && v >= 0) {
                *out = v;
                return 0;
            }
        }
    }
    return -1;
}

static void *consumer_thread(void *arg)
{
    struct kafka_sub *s = arg;
    struct bus_kafka *kb = s->kb;
    int64_t retry_ms = KAFKA_RETRY_MIN_MS;
    store_thread_background();
    while (!atomic_load(&kb->stopping)) {
        rd_kafka_message_t *ms[KAFKA_BATCH_MAX];
        int verdicts[KAFKA_BATCH_MAX];
        note_lag(s);
        int n = poll_batch(s, ms);
        if (n == 0)
            continue;
        handle_messages(s, ms, n, verdicts);
        bool retry = settle(s, ms, n, verdicts);
        for (int i = 0; i < n; i++)
            rd_kafka_message_destroy(ms[i]);
        if (retry) {
            backoff(kb, retry_ms);
            retry_ms = retry_ms * 2 > KAFKA_RETRY_MAX_MS ? KAFKA_RETRY_MAX_MS : retry_ms * 2;
        } else {
            retry_ms = KAFKA_RETRY_MIN_MS;
        }
    }
    rd_kafka_consumer_close(s->rk);
    rd_kafka_destroy(s->rk);
    s->rk = NULL;
    return NULL;
}

static void kafka_stop(bus_t *b)
{
    struct bus_kafka *kb = (struct bus_kafka *)b;
    if (!kb->started)
        return;
    atomic_store(&kb->stopping, true);
    for (struct kafka_sub *s = kb->subs; s; s = s->next) {
        if (s->running) {
            pthread_join(s->thread, NULL);
            s->running = false;
        } else if (s->rk) {
            rd_kafka_consumer_close(s->rk);
            rd_kafka_destroy(s->rk);
            s->rk = NULL;
        }
    }
    kb->started = false;
}

static int kafka_start(bus_t *b, struct todo_err *err)
{
    struct bus_kafka *kb = (struct bus_kafka *)b;
    if (kb->started)
        return todo_err_set(err, TODO_ERR_INTERNAL, "kafka: bus already started");
    atomic_store(&kb->stopping, false);
    kb->started = true;
    for (struct kafka_sub *s = kb->subs; s; s = s->next) {
        s->rk = consumer_new(s, err);
        if (!s->rk)
            goto out_stop;
    }
    for (struct kafka_sub *s = kb->subs; s; s = s->next) {
        int rc = pthread_create(&s->thread, NULL, consumer_thread, s);
        if (rc != 0) {
            todo_err_set(err, TODO_ERR_INTERNAL, "kafka: consumer thread: %s", strerror(rc));
            goto out_stop;
        }
        s->running = true;
    }
    return TODO_OK;

out_stop:
    kafka_note(kb, "%s", err->message);
    kafka_stop(b);
    return err->rc;
}

/* ----------------------------------------------------------------------------- health */

static bool kafka_healthy(bus_t *b)
{
    struct bus_kafka *kb = (struct bus_kafka *)b;
    uint64_t now = time_mono_ns();
    pthread_mutex_lock(&kb->mu);
    bool cached =
        kb->health_valid && now - kb->health_at_ns < (uint64_t)KAFKA_HEALTH_CACHE_MS * 1000000u;
    bool ok = kb->health_ok;
    pthread_mutex_unlock(&kb->mu);
    if (cached)
        return ok;

    pthread_rwlock_rdlock(&kb->producer_lock);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t rc = rd_kafka_metadata(kb->producer, 0, NULL, &md, KAFKA_HEALTH_TIMEOUT_MS);
    pthread_rwlock_unlock(&kb->producer_lock);
    ok = rc == RD_KAFKA_RESP_ERR_NO_ERROR && md && md->broker_cnt > 0;
    if (md)
        rd_kafka_metadata_destroy(md);
    if (!ok)
        kafka_note(kb, "kafka metadata: %s", rd_kafka_err2str(rc));

    pthread_mutex_lock(&kb->mu);
    kb->health_ok = ok;
    kb->health_at_ns = time_mono_ns();
    kb->health_valid = true;
    pthread_mutex_unlock(&kb->mu);
    return ok;
}

/* ---------------------------------------------------------------------- life and death */

static void kafka_destroy(bus_t *b)
{
    struct bus_kafka *kb = (struct bus_kafka *)b;
    kafka_stop(b);
    producer_close(kb->producer, kb->publish_timeout_ms);
    struct kafka_sub *s = kb->subs;
    while (s) {
        struct kafka_sub *next = s->next;
        for (int i = 0; i < s->n_topics; i++)
            free(s->topics[i]);
        free(s->topics);
        free(s->lag);
        free(s->group);
        free(s->group_id);
        free(s);
        s = next;
    }
    pthread_rwlock_destroy(&kb->producer_lock);
    pthread_mutex_destroy(&kb->mu);
    free(kb->brokers);
    free(kb->client_id);
    free(kb->instance_id);
    free(kb);
}

static const struct bus_ops kafka_ops = {
    .name = "kafka",
    .publish = kafka_publish,
    .subscribe = kafka_subscribe,
    .subscribe_batch = kafka_subscribe_batch,
    .start = kafka_start,
    .stop = kafka_stop,
    .healthy = kafka_healthy,
    .consumer_lag = kafka_consumer_lag,
    .destroy = kafka_destroy,
};

int bus_kafka_create(const struct bus_kafka_config *cfg, bus_t **out, struct todo_err *err)
{
    if (!cfg || !cfg->brokers || !*cfg->brokers)
        return todo_err_set(err, TODO_ERR_INTERNAL, "kafka: no brokers configured");
    if (cfg->publish_timeout_ms < 0 || cfg->publish_timeout_ms > 24 * 3600 * 1000)
        return todo_err_set(err, TODO_ERR_INTERNAL, "kafka: publish timeout out of range");

    struct bus_kafka *kb = xcalloc(1, sizeof *kb);
    kb->base.ops = &kafka_ops;
    kb->brokers = xstrdup(cfg->brokers);
    kb->client_id = xstrdup(cfg->client_id && *cfg->client_id ? cfg->client_id : "todo");
    kb->instance_id = xstrdup(cfg->instance_id);
    kb->publish_timeout_ms =
        cfg->publish_timeout_ms ? cfg->publish_timeout_ms : KAFKA_DEFAULT_TIMEOUT;
    pthread_rwlock_init(&kb->producer_lock, NULL);
    pthread_mutex_init(&kb->mu, NULL);
    atomic_init(&kb->stopping, false);

    kb->producer = producer_new(kb, err);
    if (!kb->producer) {
        kafka_destroy(&kb->base);
        return err->rc;
    }
    *out = &kb->base;
    return TODO_OK;
}

const char *bus_kafka_last_error(bus_t *b)
{
    static _Thread_local char copy[KAFKA_ERR_MAX];
    copy[0] = '\0';
    if (!b || b->ops != &kafka_ops)
        return copy;
    struct bus_kafka *kb = (struct bus_kafka *)b;
    pthread_mutex_lock(&kb->mu);
    memcpy(copy, kb->last_error, sizeof copy);
    pthread_mutex_unlock(&kb->mu);
    return copy;
}
