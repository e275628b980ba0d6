/* consumer.c - the consumer runtime: for each batch the bus delivers, parse the CloudEvents,
 * find the handler for each one's topic and type, and run them all in one store transaction
 * together with the (consumer, event id) records that make redelivery a no-op - one commit
 * (one fsync) per batch instead of per event.
 *
 * The one idea: each event of a batch runs in a savepoint of its own, so a failure undoes
 * only that event; the rest commit, and the failed one is retried alone afterwards, with
 * exponential backoff on the consumer's own thread (every bus gives each group one; the relay
 * and the other groups go on meanwhile: docs/events/README.md), its user's later events of
 * the batch waiting behind it (docs/decisions/0023-batched-consumers.md). After max_attempts
 * the message goes to "<topic>.dlq" wrapped with the error. A message that is not a valid
 * CloudEvent is dead-lettered at once (retrying cannot fix it). */
#include "events/consumer.h"
#include "events/dead_letters.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <jansson.h>

#include <assert.h>

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HANDLERS 16

struct handler_reg {
    char *topic;
    char *ce_type; /* NULL: any */
    consumer_handler_fn fn;
    void *ctx;
    uint64_t consumed, failed, retried, dead, duplicates;
    int64_t last_event_time; /* of the last event this handler applied (metrics) */
    int64_t last_handled_at;
};

struct consumer {
    char *name;
    store_t *store;
    bus_t *bus;
    struct consumer_config cfg;
    int n_handlers;
    struct handler_reg handlers[MAX_HANDLERS];
    uint64_t batches; /* transactions that committed a batch of events */
};

consumer_t *consumer_create(const char *name, store_t *store, bus_t *bus,
                            const struct consumer_config *cfg)
{
    consumer_t *c = xcalloc(1, sizeof *c);
    c->name = xstrdup(name);
    c->store = store;
    c->bus = bus;
    if (cfg)
        c->cfg = *cfg;
    if (c->cfg.max_attempts <= 0)
        c->cfg.max_attempts = 5;
    if (c->cfg.backoff_base_ms <= 0)
        c->cfg.backoff_base_ms = 100;
    if (c->cfg.backoff_max_ms <= 0)
        c->cfg.backoff_max_ms = 5000;
    return c;
}

void consumer_on(consumer_t *c, const char *topic, const char *ce_type, consumer_handler_fn fn,
                 void *ctx)
{
    if (c->n_handlers == MAX_HANDLERS)
        abort(); /* a programming error */
    struct handler_reg *h = &c->handlers[c->n_handlers++];
    h->topic = xstrdup(topic);
    h->ce_type = ce_type ? xstrdup(ce_type) : NULL;
    h->fn = fn;
    h->ctx = ctx;
}

static struct handler_reg *find_handler(consumer_t *c, const char *topic, const char *type)
{
    for (int i = 0; i < c->n_handlers; i++) {
        struct handler_reg *h = &c->handlers[i];
        if (strcmp(h->topic, topic) == 0 && (!h->ce_type || strcmp(h->ce_type, type) == 0))
            return h;
    }
    return NULL;
}

static void add(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* Claims ce for the consumer and runs h on it, inside the caller's transaction (or savepoint):
 * 0 applied, TODO_ERR_CONFLICT a duplicate (nothing written), other: failed (err says why). */
static int claim_and_apply(consumer_t *c, struct handler_reg *h, const struct cloudevent *ce,
                           struct todo_err *err)
{
    int rc = store_event_claim(c->store, c->name, ce->id, time_now_ms());
    if (rc == TODO_ERR_CONFLICT)
        return rc;
    if (rc)
        return todo_err_set(err, rc, "cannot record the event: %s", store_last_error(c->store));
    rc = h->fn(h->ctx, c->store, ce, err);
    if (rc && !err->message[0])
        todo_err_set(err, rc, "handler failed: %s", todo_rc_name(rc));
    return rc;
}

/* One attempt in a transaction of its own: 0 applied, TODO_ERR_CONFLICT duplicate, other:
 * failed (err says why). */
static int apply_once(consumer_t *c, struct handler_reg *h, const struct cloudevent *ce,
                      struct todo_err *err)
{
    int rc = store_begin(c->store);
    if (rc)
        return todo_err_set(err, rc, "cannot begin: %s", store_last_error(c->store));
    rc = claim_and_apply(c, h, ce, err);
    if (rc) {
        store_rollback(c->store);
        return rc;
    }
    rc = store_commit(c->store);
    if (rc)
        return todo_err_set(err, rc, "cannot commit: %s", store_last_error(c->store));
    return TODO_OK;
}

/* One line about message m: its consumer, topic, event id, type and subject (the task id of
 * task and reminder events) when ce parsed (NULL: not a CloudEvent), and trace id, which
 * joins it to the request that caused it (docs/deploy/logging.md). Ids only: no data. */
static void log_event(enum log_level level, const char *msg, const consumer_t *c,
                      const struct bus_message *m, const struct cloudevent *ce,
                      const char *trace_id, const char *error)
{
    if (!log_enabled(level))
        return;
    struct buf f;
    buf_init(&f);
    buf_puts(&f, "\"consumer\":");
    buf_json_str(&f, c->name);
    buf_puts(&f, ",\"topic\":");
    buf_json_str(&f, m->topic);
    buf_puts(&f, ",\"event_id\":");
    buf_json_str(&f, m->id ? m->id : "");
    if (ce)
        cloudevent_log_fields(&f, ce);
    buf_puts(&f, ",\"trace_id\":");
    buf_json_str(&f, trace_id);
    if (error) {
        buf_puts(&f, ",\"error\":");
        buf_json_str(&f, error);
    }
    log_write(level, msg, f.data);
    buf_release(&f);
}

/* Sends m to "<topic>.dlq" as {"consumer","error","attempts","failed_at","topic","event"}.
 * event is the original payload when it is JSON, else a string. */
static int dead_letter(consumer_t *c, const struct bus_message *m, int attempts, const char *error,
                       bool payload_is_json)
{
    char topic[96];
    snprintf(topic, sizeof topic, "%s.dlq", m->topic);
    struct buf b;
    buf_init(&b);
    dead_letter_open(&b, c->name, error, attempts, time_now_ms(), m->topic);
    if (payload_is_json) {
        buf_append(&b, m->payload, m->len);
    } else {
        char *copy = xstrndup(m->payload, m->len);
        buf_json_str(&b, copy);
        free(copy);
    }
    buf_putc(&b, '}');
    struct bus_message dm = {
        .topic = topic, .key = m->key, .id = m->id, .payload = b.data, .len = b.len};
    struct todo_err err;
    todo_err_clear(&err);
    int n_done = 0;
    int rc = bus_publish(c->bus, &dm, 1, &n_done, &err);
    buf_release(&b);
    return rc;
}

/* A message that is not a CloudEvent: dead-lettered at once (retrying cannot fix it).
 * Returns the verdict. */
static int reject_unparsable(consumer_t *c, const struct bus_message *m, const char *why)
{
    log_event(LOG_ERROR, "event is not a valid CloudEvent; dead-lettered", c, m, NULL, "", why);
    json_t *as_json = json_loadb(m->payload, m->len, JSON_DECODE_ANY, NULL);
    bool is_json = as_json != NULL;
    json_decref(as_json);
    if (dead_letter(c, m, 1, why, is_json))
        return BUS_RETRY; /* the dead-letter topic is unreachable: keep the message */
    for (int i = 0; i < c->n_handlers; i++)
        if (strcmp(c->handlers[i].topic, m->topic) == 0) {
            add(&c->handlers[i].dead); /* counted on the topic's first handler */
            break;
        }
    return BUS_DROP;
}

/* Where one message of a batch stands. */
enum item_state {
    IT_DONE,     /* its verdict is set */
    IT_PENDING,  /* to apply (in the batch's transaction, or alone when that failed) */
    IT_APPLIED,  /* applied or found a duplicate in the batch's open transaction */
    IT_FAILED,   /* its first attempt failed in the batch: retried alone after the commit */
    IT_DEFERRED, /* comes after a failed message of its key: handled alone, after it */
};

struct item {
    const struct bus_message *m;
    struct cloudevent ce;
    bool parsed;
    struct handler_reg *h;
    enum item_state state;
    bool duplicate;
    int first_rc;        /* of the failed first attempt, and */
    struct todo_err err; /* why */
    char trace_id[33];
};

static void note_handled(consumer_t *c, struct item *it, bool duplicate)
{
    add(duplicate ? &it->h->duplicates : &it->h->consumed);
    __atomic_store_n(&it->h->last_event_time, it->ce.time, __ATOMIC_RELAXED);
    __atomic_store_n(&it->h->last_handled_at, time_now_ms(), __ATOMIC_RELAXED);
    /* info: the line an operator greps for by trace id (docs/decisions/0055) */
    log_event(LOG_INFO, duplicate ? "duplicate event ignored" : "event handled", c, it->m, &it->ce,
              it->trace_id, NULL);
}

/* Parses m into it: a verdict for messages settled at once (not a CloudEvent, no handler),
 * else -1 with it->state IT_PENDING. */
static int prepare(consumer_t *c, const struct bus_message *m, struct item *it)
{
    struct todo_err err;
    todo_err_clear(&err);
    it->m = m;
    it->state = IT_DONE;
    if (cloudevent_parse(m->payload, m->len, &it->ce, &err) != TODO_OK)
        return reject_unparsable(c, m, err.message);
    it->parsed = true;
    traceparent_trace_id(it->ce.traceparent, it->trace_id);
    it->h = find_handler(c, m->topic, it->ce.type);
    if (!it->h)
        return BUS_ACK; /* not an event this consumer handles */
    it->state = IT_PENDING;
    return -1;
}

static bool same_key(const struct item *a, const struct item *b)
{
    return strcmp(a->m->key ? a->m->key : "", b->m->key ? b->m->key : "") == 0;
}

/* True when items[i] must wait for an earlier message of its key: one that failed in the
 * batch, waits behind one that did, or must be tried again later (RETRY). */
static bool blocked(const struct item *items, const int *verdicts, int i)
{
    for (int j = 0; j < i; j++) {
        bool waits = items[j].state == IT_FAILED || items[j].state == IT_DEFERRED ||
                     (items[j].state == IT_DONE && verdicts[j] == BUS_RETRY);
        if (waits && same_key(&items[j], &items[i]))
            return true;
    }
    return false;
}

/* Applies the pending items in one transaction, each in a savepoint of its own: a failure
 * undoes only that item, which is left IT_FAILED (its key's later items IT_DEFERRED). On
 * commit the applied ones are done (ACK); when the transaction itself fails, every item it
 * held goes back to IT_PENDING, to be handled alone. */
static void apply_batch(consumer_t *c, struct item *items, int n, int *verdicts)
{
    if (store_begin(c->store) != TODO_OK)
        return; /* everything stays pending: handled alone */
    int rc = TODO_OK;
    for (int i = 0; i < n && rc == TODO_OK; i++) {
        struct item *it = &items[i];
        if (it->state != IT_PENDING)
            continue;
        if (blocked(items, verdicts, i)) {
            it->state = IT_DEFERRED; /* one key's order: after the failed one */
            continue;
        }
        if ((rc = store_savepoint(c->store)) != TODO_OK)
            break;
        todo_err_clear(&it->err);
        int arc = claim_and_apply(c, it->h, &it->ce, &it->err);
        bool ok = arc == TODO_OK || arc == TODO_ERR_CONFLICT;
        /* only a clean apply is kept: a duplicate is undone too, as apply_once does */
        rc = store_savepoint_end(c->store, arc);
        if (ok && rc == arc) {
            it->state = IT_APPLIED;
            it->duplicate = arc == TODO_ERR_CONFLICT;
            rc = TODO_OK;
        } else if (!ok && rc == arc) {
            it->state = IT_FAILED; /* undone to its savepoint; the rest goes on */
            it->first_rc = arc;
            add(&it->h->failed);
            log_event(LOG_WARN, "event failed in a batch; retrying it alone", c, it->m, &it->ce,
                      it->trace_id, it->err.message);
            rc = TODO_OK;
        }
    }
    if (rc == TODO_OK)
        rc = store_commit(c->store);
    else
        store_rollback(c->store);
    for (int i = 0; i < n; i++) {
        struct item *it = &items[i];
        if (it->state != IT_APPLIED)
            continue;
        if (rc != TODO_OK) {
            it->state = IT_PENDING; /* not committed: handled alone */
            continue;
        }
        note_handled(c, it, it->duplicate);
        it->state = IT_DONE;
        verdicts[i] = BUS_ACK;
    }
    if (rc == TODO_OK)
        add(&c->batches);
    else
        log_msg(LOG_WARN, "consumer %s: a batch of %d events failed (%s); handling them alone",
                c->name, n, store_last_error(c->store));
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Handles one item in transactions of its own, with retries and backoff, then the dead
 * letter; an IT_FAILED item already had its first attempt. Returns the verdict. */
static int handle_alone(consumer_t *c, struct item *it)
{
    struct handler_reg *h = it->h;
    int64_t backoff = c->cfg.backoff_base_ms;
    struct todo_err err = it->err;
    int attempt = 1, rc = it->first_rc;
    if (it->state != IT_FAILED) {
        todo_err_clear(&err);
        rc = apply_once(c, h, &it->ce, &err);
        if (rc != TODO_OK && rc != TODO_ERR_CONFLICT)
            add(&h->failed);
    }
    for (;; attempt++) {
        if (rc == TODO_OK || rc == TODO_ERR_CONFLICT) {
            note_handled(c, it, rc == TODO_ERR_CONFLICT);
            return BUS_ACK;
        }
        /* a malformed event stays malformed: dead-letter it without retrying */
        bool permanent = rc == TODO_ERR_BAD_REQUEST || rc == TODO_ERR_VALIDATION;
        if (attempt >= c->cfg.max_attempts || permanent) {
            log_event(LOG_ERROR, "event failed every attempt; dead-lettered", c, it->m, &it->ce,
                      it->trace_id, err.message);
            if (dead_letter(c, it->m, attempt, err.message, true))
                return BUS_RETRY; /* the dead-letter topic is unreachable: keep it */
            add(&h->dead);
            return BUS_DROP;
        }
        add(&h->retried);
        log_event(LOG_WARN, "event failed; retrying", c, it->m, &it->ce, it->trace_id, err.message);
        sleep_ms(backoff);
        backoff = backoff * 2 > c->cfg.backoff_max_ms ? c->cfg.backoff_max_ms : backoff * 2;
        todo_err_clear(&err);
        rc = apply_once(c, h, &it->ce, &err);
        if (rc != TODO_OK && rc != TODO_ERR_CONFLICT)
            add(&h->failed);
    }
}

/* The bus's batch handler (docs/decisions/0023-batched-consumers.md): messages that need no
 * handler are settled first; the rest are applied in one transaction with their
 * processed_events records; a failed one is retried alone after that commit, and its key's
 * later messages wait for it, so one user's order holds and the other users' events are
 * applied once, without waiting for the poison's retries. */
static void on_batch(void *ctx, const struct bus_message *msgs, int n, int *verdicts)
{
    consumer_t *c = ctx;
    assert(c && msgs && verdicts && n > 0);
    struct item *items = xcalloc((size_t)n, sizeof *items);
    int n_pending = 0;
    for (int i = 0; i < n; i++) {
        verdicts[i] = prepare(c, &msgs[i], &items[i]);
        n_pending += items[i].state == IT_PENDING;
    }
    if (n_pending > 1)
        apply_batch(c, items, n, verdicts);
    for (int i = 0; i < n; i++) {
        struct item *it = &items[i];
        if (it->state == IT_DONE)
            continue;
        /* after a message of its key that must be tried again later: so must this one (the
         * earlier items are all IT_DONE by now) */
        verdicts[i] = blocked(items, verdicts, i) ? BUS_RETRY : handle_alone(c, it);
        it->state = IT_DONE;
    }
    for (int i = 0; i < n; i++)
        if (items[i].parsed)
            cloudevent_release(&items[i].ce);
    free(items);
}

int consumer_subscribe(consumer_t *c, struct todo_err *err)
{
    const char *topics[MAX_HANDLERS];
    int n = 0;
    for (int i = 0; i < c->n_handlers; i++) {
        bool seen = false;
        for (int j = 0; j < n; j++)
            seen = seen || strcmp(topics[j], c->handlers[i].topic) == 0;
        if (!seen)
            topics[n++] = c->handlers[i].topic;
    }
    return bus_subscribe_batch(c->bus, c->name, c->cfg.broadcast, topics, n, on_batch, c, err);
}

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* todo_consumer_backlog{consumer}: the group's queue on the in-process bus (the brokers
 * report their own lag). A consumer whose count fails is left out. */
static void backlog_metrics(consumer_t *const *cs, int n, struct buf *out)
{
    bool header = false;
    for (int j = 0; j < n; j++) {
        int64_t queued = 0;
        if (strcmp(bus_name(cs[j]->bus), "local") != 0 ||
            store_queue_count(cs[j]->store, cs[j]->name, &queued) != TODO_OK)
            continue;
        if (!header)
            buf_puts(out, "# HELP todo_consumer_backlog Events queued for a consumer group and "
                          "not yet handled (in-process bus).\n"
                          "# TYPE todo_consumer_backlog gauge\n");
        header = true;
        buf_printf(out, "todo_consumer_backlog{consumer=\"%s\"} %lld\n", cs[j]->name,
                   (long long)queued);
    }
}

/* todo_consumer_lag_seconds{consumer,topic}: of the topic's handlers (one per event type),
 * the one that handled an event last gives the lag. */
static void lag_metrics(const consumer_t *c, struct buf *out)
{
    for (int i = 0; i < c->n_handlers; i++) {
        const char *topic = c->handlers[i].topic;
        bool seen = false;
        for (int k = 0; k < i && !seen; k++)
            seen = strcmp(c->handlers[k].topic, topic) == 0;
        if (seen)
            continue;
        int64_t last = 0, at = 0;
        for (int k = i; k < c->n_handlers; k++) {
            const struct handler_reg *h = &c->handlers[k];
            int64_t h_at = __atomic_load_n(&h->last_handled_at, __ATOMIC_RELAXED);
            if (strcmp(h->topic, topic) != 0 || h_at <= at)
                continue;
            at = h_at;
            last = __atomic_load_n(&h->last_event_time, __ATOMIC_RELAXED);
        }
        buf_printf(out, "todo_consumer_lag_seconds{consumer=\"%s\",topic=\"%s\"} %.3f\n", c->name,
                   topic, last && at > last ? (double)(at - last) / 1000.0 : 0.0);
    }
}

/* todo_consumer_lag_messages{consumer,topic}: what the broker holds that the group has not
 * consumed yet, where the bus knows it (kafka); left out where it does not. */
static void lag_messages_metrics(consumer_t *const *cs, int n, struct buf *out)
{
    bool header = false;
    for (int j = 0; j < n; j++) {
        const consumer_t *c = cs[j];
        for (int i = 0; i < c->n_handlers; i++) {
            const char *topic = c->handlers[i].topic;
            bool seen = false;
            for (int k = 0; k < i && !seen; k++)
                seen = strcmp(c->handlers[k].topic, topic) == 0;
            int64_t lag;
            if (seen || bus_consumer_lag(c->bus, c->name, topic, &lag) != 0)
                continue;
            if (!header)
                buf_puts(out, "# HELP todo_consumer_lag_messages Messages on the topic the "
                              "consumer group has not consumed yet (its partitions here).\n"
                              "# TYPE todo_consumer_lag_messages gauge\n");
            header = true;
            buf_printf(out, "todo_consumer_lag_messages{consumer=\"%s\",topic=\"%s\"} %lld\n",
                       c->name, topic, (long long)lag);
        }
    }
}

void consumer_metrics(consumer_t *const *cs, int n, struct buf *out)
{
    static const struct {
        const char *name, *help;
        size_t offset;
    } counters[] = {
        {"todo_events_consumed_total", "Events applied by a consumer.",
         offsetof(struct handler_reg, consumed)},
        {"todo_events_failed_total", "Failed attempts to apply an event.",
         offsetof(struct handler_reg, failed)},
        {"todo_events_retried_total", "Retries after a failed attempt.",
         offsetof(struct handler_reg, retried)},
        {"todo_events_dead_lettered_total", "Events sent to a dead-letter topic.",
         offsetof(struct handler_reg, dead)},
        {"todo_events_duplicates_total", "Redelivered events ignored.",
         offsetof(struct handler_reg, duplicates)},
    };
    if (n == 0)
        return;
    for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++) {
        buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", counters[k].name, counters[k].help,
                   counters[k].name);
        for (int j = 0; j < n; j++) {
            const consumer_t *c = cs[j];
            for (int i = 0; i < c->n_handlers; i++) {
                const struct handler_reg *h = &c->handlers[i];
                const uint64_t *v =
                    (const uint64_t *)(const void *)((const char *)h + counters[k].offset);
                buf_printf(out, "%s{consumer=\"%s\",topic=\"%s\",type=\"%s\"} %llu\n",
                           counters[k].name, c->name, h->topic, h->ce_type ? h->ce_type : "any",
                           (unsigned long long)load(v));
            }
        }
    }
    buf_puts(out, "# HELP todo_consumer_batches_total Transactions that applied a batch of "
                  "events with their idempotency records.\n"
                  "# TYPE todo_consumer_batches_total counter\n");
    for (int j = 0; j < n; j++)
        buf_printf(out, "todo_consumer_batches_total{consumer=\"%s\"} %llu\n", cs[j]->name,
                   (unsigned long long)load(&cs[j]->batches));
    buf_puts(out, "# HELP todo_consumer_lag_seconds Time from an event's creation to its "
                  "handling, for the last event of the topic handled.\n"
                  "# TYPE todo_consumer_lag_seconds gauge\n");
    for (int j = 0; j < n; j++)
        lag_metrics(cs[j], out);
    lag_messages_metrics(cs, n, out);
    backlog_metrics(cs, n, out);
}

const char *consumer_name(const consumer_t *c)
{
    return c->name;
}

void consumer_destroy(consumer_t *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_handlers; i++) {
        free(c->handlers[i].topic);
        free(c->handlers[i].ce_type);
    }
    free(c->name);
    free(c);
}
