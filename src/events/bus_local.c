/* bus_local.c - the in-process bus of the embedded mode. Each subscribed group has a queue
 * of its own, kept in the database (the bus_queue table), and a thread of its own that
 * delivers the queue to the group's handler, in order, up to LOCAL_FETCH messages at a time
 * (a batch handler gets them together: docs/decisions/0023-batched-consumers.md).
 *
 * The one idea: publishing only writes the message into the queue of every group that wants
 * its topic, in one transaction, and wakes those threads; it never waits for a handler. So
 * the relay, and every other group, go on while one group is slow, blocked or retrying
 * (docs/events/README.md, "Buses"; docs/decisions/0019-local-bus-queue-per-group.md). A
 * message counts as published once it is committed to every queue: that is what lets the
 * relay mark its outbox row sent, and why a crash loses nothing - the queues are read again
 * by the group threads of the next start. A message leaves a queue only after its handler
 * answered ACK or DROP (the handled ones of a batch of LOCAL_FETCH together); a crash in
 * between delivers them again, which consumers ignore (processed_events). A RETRY keeps the
 * message at the head of the queue and the thread backs off (50 ms doubling to 5 s), so the
 * group's order per user holds.
 *
 * A broadcast group (realtime) is the exception: what it does cannot outlive the process (a
 * push to the sockets open now), so its queue is in memory, filled after the durable queues
 * committed, at most LOCAL_MEMORY_MAX messages (more are dropped, with a warning), never
 * retried, and gone at a stop (docs/decisions/0033-websocket-realtime.md). */
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "events/bus_internal.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOCAL_MAX_TOPICS 8
/* Messages per publish transaction: a long batch is committed in steps, so one transaction
 * stays small (the WAL, docs/operations.md) and the acknowledged prefix grows as it goes. */
#define LOCAL_PUBLISH_CHUNK 32
/* Messages a group thread reads from its queue at a time. */
#define LOCAL_FETCH            64
#define LOCAL_BACKOFF_FIRST_MS 50
#define LOCAL_BACKOFF_MAX_MS   5000
/* Messages a broadcast (in-memory) group may have waiting for its thread. */
#define LOCAL_MEMORY_MAX 65536

/* A message waiting in a broadcast group's in-memory queue. */
struct local_mem_msg {
    struct local_mem_msg *next;
    struct bus_message m; /* its strings point into text */
    char text[];
};

struct bus_local;

/* A subscribed group: its topics, its handler, and the thread that feeds it. */
struct local_group {
    struct local_group *next;
    struct bus_local *bus;
    char *name;
    int n_topics;
    char *topics[LOCAL_MAX_TOPICS];
    bus_handler_fn fn;  /* one message at a time, or */
    bus_batch_fn batch; /* up to LOCAL_FETCH at a time */
    void *ctx;
    pthread_t thread;
    bool running;      /* the thread was started (and is joined by stop) */
    bool pending;      /* under bus->mu: messages may be waiting in the queue */
    pthread_cond_t cv; /* with bus->mu: pending or stopping changed */
    bool memory;       /* broadcast: the queue below, not the database's */
    struct local_mem_msg *mem_head, *mem_tail; /* under bus->mu */
    int mem_n;
};

struct bus_local {
    struct bus base;
    store_t *store;
    pthread_mutex_t mu; /* pending and stopping */
    bool stopping;
    struct local_group *groups; /* fixed once bus_start ran */
};

static bool group_wants(const struct local_group *g, const char *topic)
{
    for (int i = 0; i < g->n_topics; i++)
        if (strcmp(g->topics[i], topic) == 0)
            return true;
    return false;
}

/* The outbox ids of msgs[0..n) into ids; returns how many carry one. */
static int outbox_ids(const struct bus_message *msgs, int n, int64_t *ids)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (msgs[i].outbox_id > 0)
            ids[k++] = msgs[i].outbox_id;
    return k;
}

/* Queues msgs[0..n) (n <= LOCAL_PUBLISH_CHUNK) for every group that wants them and marks
 * their outbox rows sent, in one transaction: the relay's one write per chunk
 * (docs/decisions/0022-group-commit.md). *woken gets a bit per group (by position) that
 * received a message. */
static int queue_chunk(struct bus_local *lb, const struct bus_message *msgs, int n, uint64_t *woken,
                       struct todo_err *err)
{
    assert(n > 0 && n <= LOCAL_PUBLISH_CHUNK);
    int64_t ids[LOCAL_PUBLISH_CHUNK];
    int n_ids = outbox_ids(msgs, n, ids);
    bool wanted = false; /* no queue rows for topics nobody here reads (task-updates today) */
    for (int i = 0; i < n && !wanted; i++)
        for (struct local_group *g = lb->groups; g && !wanted; g = g->next)
            wanted = !g->memory && group_wants(g, msgs[i].topic);
    int64_t now = time_now_ms();
    if (!wanted) {
        int rc = store_outbox_mark_sent(lb->store, ids, n_ids, now); /* one statement */
        if (rc)
            return todo_err_set(err, rc, "cannot mark events sent: %s",
                                store_last_error(lb->store));
        return TODO_OK;
    }
    int rc = store_begin(lb->store);
    if (rc)
        return todo_err_set(err, rc, "cannot queue events: %s", store_last_error(lb->store));
    for (int i = 0; i < n && rc == TODO_OK; i++) {
        const struct bus_message *m = &msgs[i];
        char *payload = xstrndup(m->payload, m->len);
        int bit = 0;
        for (struct local_group *g = lb->groups; g && rc == TODO_OK; g = g->next, bit++) {
            if (g->memory || !group_wants(g, m->topic))
                continue;
            rc = store_queue_insert(lb->store, g->name, m->topic, m->key ? m->key : "",
                                    m->id ? m->id : "", payload, now);
            *woken |= 1ull << (bit < 63 ? bit : 63);
        }
        free(payload);
    }
    if (rc == TODO_OK)
        rc = store_outbox_mark_sent(lb->store, ids, n_ids, now);
    if (rc == TODO_OK)
        rc = store_commit(lb->store);
    else
        store_rollback(lb->store);
    if (rc)
        return todo_err_set(err, rc, "cannot queue events: %s", store_last_error(lb->store));
    return TODO_OK;
}

static void wake(struct bus_local *lb, uint64_t woken)
{
    pthread_mutex_lock(&lb->mu);
    int bit = 0;
    for (struct local_group *g = lb->groups; g; g = g->next, bit++)
        if (woken & (1ull << (bit < 63 ? bit : 63))) {
            g->pending = true;
            pthread_cond_signal(&g->cv);
        }
    pthread_mutex_unlock(&lb->mu);
}

static struct local_mem_msg *mem_copy(const struct bus_message *m)
{
    size_t lt = strlen(m->topic) + 1, lk = m->key ? strlen(m->key) + 1 : 1;
    size_t li = m->id ? strlen(m->id) + 1 : 1;
    struct local_mem_msg *c = xmalloc(sizeof *c + lt + lk + li + m->len + 1);
    char *p = c->text;
    c->next = NULL;
    c->m = *m;
    c->m.topic = memcpy(p, m->topic, lt), p += lt;
    c->m.key = memcpy(p, m->key ? m->key : "", lk), p += lk;
    c->m.id = memcpy(p, m->id ? m->id : "", li), p += li;
    memcpy(p, m->payload, m->len);
    p[m->len] = '\0';
    c->m.payload = p;
    return c;
}

/* Hands msgs to the in-memory queues of the broadcast groups that want them (after the
 * durable queues committed them). */
static void queue_memory(struct bus_local *lb, const struct bus_message *msgs, int n)
{
    pthread_mutex_lock(&lb->mu);
    for (struct local_group *g = lb->groups; g; g = g->next) {
        if (!g->memory)
            continue;
        for (int i = 0; i < n; i++) {
            if (!group_wants(g, msgs[i].topic))
                continue;
            if (g->mem_n >= LOCAL_MEMORY_MAX) {
                log_msg(LOG_WARN, "bus: %s is %d events behind; event %s not delivered to it",
                        g->name, g->mem_n, msgs[i].id ? msgs[i].id : "");
                continue;
            }
            struct local_mem_msg *c = mem_copy(&msgs[i]);
            if (g->mem_tail)
                g->mem_tail->next = c;
            else
                g->mem_head = c;
            g->mem_tail = c;
            g->mem_n++;
            g->pending = true;
            pthread_cond_signal(&g->cv);
        }
    }
    pthread_mutex_unlock(&lb->mu);
}

static int local_publish(bus_t *b, const struct bus_message *msgs, int n, int *n_done,
                         struct todo_err *err)
{
    struct bus_local *lb = (struct bus_local *)b;
    assert(msgs && n > 0 && n_done);
    int rc = TODO_OK, done = 0;
    uint64_t woken = 0;
    while (done < n && rc == TODO_OK) {
        int k = n - done < LOCAL_PUBLISH_CHUNK ? n - done : LOCAL_PUBLISH_CHUNK;
        rc = queue_chunk(lb, msgs + done, k, &woken, err);
        if (rc == TODO_OK) {
            queue_memory(lb, msgs + done, k);
            done += k;
        }
    }
    if (woken)
        wake(lb, woken);
    *n_done = done;
    return rc;
}

/* Sleeps until messages are pending or, when backing off, until backoff_ms passed (only a
 * stop cuts that short). Returns false when the bus is stopping. */
static bool group_wait(struct local_group *g, int64_t backoff_ms)
{
    struct bus_local *lb = g->bus;
    pthread_mutex_lock(&lb->mu);
    if (backoff_ms > 0) {
        struct timespec ts = time_deadline_ms(CLOCK_REALTIME, backoff_ms);
        while (!lb->stopping)
            if (pthread_cond_timedwait(&g->cv, &lb->mu, &ts) != 0)
                break;
    } else {
        while (!g->pending && !lb->stopping)
            pthread_cond_wait(&g->cv, &lb->mu);
    }
    g->pending = false; /* a publish from now on sets it again */
    bool go_on = !lb->stopping;
    pthread_mutex_unlock(&lb->mu);
    return go_on;
}

static bool is_stopping(struct bus_local *lb)
{
    pthread_mutex_lock(&lb->mu);
    bool s = lb->stopping;
    pthread_mutex_unlock(&lb->mu);
    return s;
}

/* Hands rows[0..n) (n <= LOCAL_FETCH) to the group's handler in order: all at once to a batch
 * handler, else one at a time until one answers RETRY or the bus stops. done_ids gets the ids
 * of the rows handled (ACK or DROP), *n_done their count. Returns -1 when a row must be tried
 * again later, else 0 (also when stopping). */
static int deliver(struct local_group *g, const struct outbox_row *rows, int n, int64_t *done_ids,
                   int *n_done)
{
    struct bus_message msgs[LOCAL_FETCH];
    int verdicts[LOCAL_FETCH];
    assert(n >= 0 && n <= LOCAL_FETCH);
    for (int i = 0; i < n; i++) {
        msgs[i] = (struct bus_message){.topic = rows[i].topic,
                                       .key = rows[i].key,
                                       .id = rows[i].event_id,
                                       .payload = rows[i].payload,
                                       .len = strlen(rows[i].payload)};
        verdicts[i] = BUS_RETRY;
    }
    if (g->batch && n > 0) {
        g->batch(g->ctx, msgs, n, verdicts);
    } else {
        for (int i = 0; i < n && !is_stopping(g->bus); i++)
            if ((verdicts[i] = g->fn(g->ctx, &msgs[i])) == BUS_RETRY)
                break;
    }
    int k = 0;
    bool retry = false;
    for (int i = 0; i < n; i++) {
        if (verdicts[i] == BUS_RETRY)
            retry = true;
        else
            done_ids[k++] = rows[i].id;
    }
    *n_done = k;
    return retry && !is_stopping(g->bus) ? -1 : 0;
}

/* Hands the group's queued messages to its handler, oldest first, until the queue is empty
 * (0), the bus stops (0), or a message must be tried again later (-1). Handled messages leave
 * the queue together, one statement per batch: a crash delivers at most a batch again. */
static int group_drain(struct local_group *g)
{
    store_t *store = g->bus->store;
    for (;;) {
        struct outbox_row *rows = NULL;
        int n = 0, n_done = 0;
        if (store_queue_fetch(store, g->name, LOCAL_FETCH, &rows, &n)) {
            log_msg(LOG_WARN, "bus: cannot read the queue of %s: %s", g->name,
                    store_last_error(store));
            return -1;
        }
        int64_t ids[LOCAL_FETCH];
        int rc = deliver(g, rows, n, ids, &n_done);
        if (n_done > 0 && store_queue_delete(store, ids, n_done)) {
            /* handled but still queued: delivered again, and ignored as duplicates */
            log_msg(LOG_WARN, "bus: cannot dequeue %d events for %s: %s", n_done, g->name,
                    store_last_error(store));
            rc = -1;
        }
        outbox_rows_free(rows, n);
        if (rc || n_done < n || n < LOCAL_FETCH || is_stopping(g->bus))
            return rc;
    }
}

/* A broadcast group's thread: hands what its in-memory queue holds to the handler, at most
 * LOCAL_FETCH at a time, once each (a RETRY is not honoured: nothing is kept). */
static void *memory_group_main(void *arg)
{
    struct local_group *g = arg;
    struct bus_local *lb = g->bus;
    struct bus_message msgs[LOCAL_FETCH];
    struct local_mem_msg *taken[LOCAL_FETCH];
    int verdicts[LOCAL_FETCH];
    while (group_wait(g, 0)) {
        for (;;) {
            int n = 0;
            pthread_mutex_lock(&lb->mu);
            while (n < LOCAL_FETCH && g->mem_head) {
                taken[n] = g->mem_head;
                g->mem_head = taken[n]->next;
                msgs[n] = taken[n]->m;
                n++;
            }
            if (!g->mem_head)
                g->mem_tail = NULL;
            g->mem_n -= n;
            pthread_mutex_unlock(&lb->mu);
            if (n == 0)
                break;
            if (g->batch)
                g->batch(g->ctx, msgs, n, verdicts);
            else
                for (int i = 0; i < n; i++)
                    g->fn(g->ctx, &msgs[i]);
            for (int i = 0; i < n; i++)
                free(taken[i]);
        }
    }
    return NULL;
}

static void *group_main(void *arg)
{
    struct local_group *g = arg;
    assert(g && g->bus && (g->fn || g->batch));
    int64_t backoff_ms = 0;
    store_thread_background();
    while (group_wait(g, backoff_ms)) {
        if (group_drain(g) == 0) {
            backoff_ms = 0;
        } else {
            backoff_ms = backoff_ms ? backoff_ms * 2 : LOCAL_BACKOFF_FIRST_MS;
            if (backoff_ms > LOCAL_BACKOFF_MAX_MS)
                backoff_ms = LOCAL_BACKOFF_MAX_MS;
        }
    }
    return NULL; /* the thread's exit closes its store connection */
}

static int add_group(struct bus_local *lb, const char *group, bool broadcast,
                     const char *const *topics, int n_topics, bus_handler_fn fn, bus_batch_fn batch,
                     void *ctx, struct todo_err *err)
{
    assert(group && (fn || batch) && (topics || n_topics == 0));
    if (n_topics > LOCAL_MAX_TOPICS)
        return todo_err_set(err, TODO_ERR_INTERNAL, "too many topics");
    for (struct local_group *g = lb->groups; g; g = g->next)
        if (strcmp(g->name, group) == 0 || g->running)
            return todo_err_set(err, TODO_ERR_INTERNAL,
                                g->running ? "subscribe after start" : "group %s twice", group);
    struct local_group *g = xcalloc(1, sizeof *g);
    g->bus = lb;
    g->name = xstrdup(group);
    g->n_topics = n_topics;
    for (int i = 0; i < n_topics; i++)
        g->topics[i] = xstrdup(topics[i]);
    g->fn = fn;
    g->batch = batch;
    g->ctx = ctx;
    g->memory = broadcast;
    g->pending = !broadcast; /* what an earlier run left in the queue */
    pthread_cond_init(&g->cv, NULL);
    struct local_group **pp = &lb->groups;
    while (*pp)
        pp = &(*pp)->next;
    *pp = g;
    return TODO_OK;
}

static int local_subscribe(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                           int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err)
{
    /* one process: every subscriber is the only instance; a broadcast one is kept in memory */
    return add_group((struct bus_local *)b, group, broadcast, topics, n_topics, fn, NULL, ctx, err);
}

static int local_subscribe_batch(bus_t *b, const char *group, bool broadcast,
                                 const char *const *topics, int n_topics, bus_batch_fn fn,
                                 void *ctx, struct todo_err *err)
{
    return add_group((struct bus_local *)b, group, broadcast, topics, n_topics, NULL, fn, ctx, err);
}

static int local_start(bus_t *b, struct todo_err *err)
{
    struct bus_local *lb = (struct bus_local *)b;
    (void)err;
    assert(!lb->stopping);
    for (struct local_group *g = lb->groups; g; g = g->next) {
        if (g->running)
            continue;
        if (pthread_create(&g->thread, NULL, g->memory ? memory_group_main : group_main, g) != 0)
            abort(); /* out of threads at startup: nothing sensible to go on with */
        g->running = true;
    }
    return TODO_OK;
}

/* Stops every group thread: a handler in progress finishes (with its retries); what is still
 * queued stays in the database for the next start. */
static void local_stop(bus_t *b)
{
    struct bus_local *lb = (struct bus_local *)b;
    pthread_mutex_lock(&lb->mu);
    lb->stopping = true;
    for (struct local_group *g = lb->groups; g; g = g->next)
        pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&lb->mu);
    for (struct local_group *g = lb->groups; g; g = g->next)
        if (g->running) {
            pthread_join(g->thread, NULL);
            g->running = false;
        }
}

static void local_destroy(bus_t *b)
{
    struct bus_local *lb = (struct bus_local *)b;
    local_stop(b);
    struct local_group *g = lb->groups;
    while (g) {
        struct local_group *next = g->next;
        for (int i = 0; i < g->n_topics; i++)
            free(g->topics[i]);
        while (g->mem_head) { /* not delivered before the stop */
            struct local_mem_msg *m = g->mem_head;
            g->mem_head = m->next;
            free(m);
        }
        pthread_cond_destroy(&g->cv);
        free(g->name);
        free(g);
        g = next;
    }
    pthread_mutex_destroy(&lb->mu);
    free(lb);
}

static const struct bus_ops local_ops = {
    .name = "local",
    .marks_sent = true,
    .publish = local_publish,
    .subscribe = local_subscribe,
    .subscribe_batch = local_subscribe_batch,
    .start = local_start,
    .stop = local_stop,
    .destroy = local_destroy,
};

bus_t *bus_local_create(store_t *store)
{
    assert(store);
    struct bus_local *lb = xcalloc(1, sizeof *lb);
    lb->base.ops = &local_ops;
    lb->store = store;
    pthread_mutex_init(&lb->mu, NULL);
    return &lb->base;
}
