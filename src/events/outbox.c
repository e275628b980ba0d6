/* outbox.c - the outbox relay: one thread that publishes committed outbox rows in id
 * order and marks them sent (in one statement per batch; the local bus marks them in the
 * transaction that queues them, so a chunk costs one write, docs/decisions/0022-group-commit.md).
 *
 * It sleeps on a condition variable; writers wake it after commit (outbox_relay_notify),
 * so an event leaves within microseconds of its transaction, and a sweep (default 500 ms)
 * covers rows committed by another process. When the bus fails, the unpublished rows stay
 * and the relay retries with exponential backoff; the acknowledged prefix of a batch is
 * marked sent, so order holds. A crash between publish and mark-sent publishes the rows
 * again: consumers ignore the duplicates (processed_events). */
#include "events/outbox.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TOPICS 16

struct topic_stats {
    char topic[64];
    uint64_t published;
    uint64_t failed;
};

struct outbox_relay {
    store_t *store;
    bus_t *bus;
    struct outbox_config cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool pending;
    bool stopping;
    int64_t stop_deadline;
    int64_t backoff_ms;
    pthread_mutex_t stats_mu;
    int n_topics;
    struct topic_stats topics[MAX_TOPICS];
};

static void count(outbox_relay_t *r, const char *topic, uint64_t published, uint64_t failed)
{
    pthread_mutex_lock(&r->stats_mu);
    int i = 0;
    while (i < r->n_topics && strcmp(r->topics[i].topic, topic) != 0)
        i++;
    if (i == r->n_topics && i < MAX_TOPICS) {
        snprintf(r->topics[i].topic, sizeof r->topics[i].topic, "%s", topic);
        r->n_topics++;
    }
    if (i < MAX_TOPICS) {
        r->topics[i].published += published;
        r->topics[i].failed += failed;
    }
    pthread_mutex_unlock(&r->stats_mu);
}

/* Publishes one batch. Returns 1 when a full batch went out (more may wait), 0 when the
 * outbox is drained, -1 on a failure (backoff). */
static int relay_batch(outbox_relay_t *r)
{
    struct outbox_row *rows = NULL;
    int n = 0;
    int rc = store_outbox_fetch(r->store, r->cfg.batch, &rows, &n);
    if (rc) {
        log_msg(LOG_WARN, "outbox: cannot read pending events: %s", store_last_error(r->store));
        return -1;
    }
    if (n == 0)
        return 0;
    struct bus_message *msgs = xcalloc((size_t)n, sizeof *msgs);
    for (int i = 0; i < n; i++)
        msgs[i] = (struct bus_message){.topic = rows[i].topic,
                                       .key = rows[i].key,
                                       .id = rows[i].event_id,
                                       .payload = rows[i].payload,
                                       .len = strlen(rows[i].payload),
                                       .outbox_id = rows[i].id};
    struct todo_err err;
    todo_err_clear(&err);
    int n_done = 0;
    int prc = bus_publish(r->bus, msgs, n, &n_done, &err);
    if (n_done > 0 && bus_marks_sent(r->bus)) {
        for (int i = 0; i < n_done; i++)
            count(r, rows[i].topic, 1, 0);
    } else if (n_done > 0) {
        int64_t *ids = xmalloc((size_t)n_done * sizeof *ids);
        for (int i = 0; i < n_done; i++) {
            ids[i] = rows[i].id;
            count(r, rows[i].topic, 1, 0);
        }
        if (store_outbox_mark_sent(r->store, ids, n_done, time_now_ms()))
            log_msg(LOG_WARN,
                    "outbox: published %d events but could not mark them sent "
                    "(they will be published again): %s",
                    n_done, store_last_error(r->store));
        free(ids);
    }
    if (prc) {
        count(r, rows[n_done < n ? n_done : n - 1].topic, 0, 1);
        log_msg(LOG_WARN, "outbox: publishing to the %s bus failed after %d of %d events: %s",
                bus_name(r->bus), n_done, n, err.message);
    }
    int full = n == r->cfg.batch;
    free(msgs);
    outbox_rows_free(rows, n);
    return prc ? -1 : full;
}

/* Sleeps until notified (unless backing off, which only a stop cuts short) or timeout. */
static void wait_for_work(outbox_relay_t *r, int64_t timeout_ms, bool backing_off)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000);
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    while ((backing_off || !r->pending) && !r->stopping)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &ts) != 0)
            break;
    if (!backing_off)
        r->pending = false;
    pthread_mutex_unlock(&r->mu);
}

static bool stopping(outbox_relay_t *r, bool *past_deadline)
{
    pthread_mutex_lock(&r->mu);
    bool s = r->stopping;
    *past_deadline = s && time_now_ms() >= r->stop_deadline;
    pthread_mutex_unlock(&r->mu);
    return s;
}

static void *relay_main(void *arg)
{
    outbox_relay_t *r = arg;
    int64_t wait_ms = 0;
    store_thread_background();
    for (;;) {
        if (wait_ms)
            wait_for_work(r, wait_ms, r->backoff_ms > 0);
        bool past_deadline;
        bool stop = stopping(r, &past_deadline);
        if (past_deadline)
            break;
        if (store_relay_lock(r->store) != TODO_OK) {
            if (stop)
                break;
            wait_ms = r->cfg.sweep_ms; /* another replica relays */
            continue;
        }
        int res;
        /* full batches: keep going (when stopping, until the drain deadline) */
        while ((res = relay_batch(r)) == 1) {
            stopping(r, &past_deadline);
            if (past_deadline)
                break;
        }
        if (res < 0) {
            if (stop)
                break; /* the bus is down and we are leaving: rows wait in the outbox */
            r->backoff_ms = r->backoff_ms ? r->backoff_ms * 2 : 50;
            if (r->backoff_ms > r->cfg.backoff_max_ms)
                r->backoff_ms = r->cfg.backoff_max_ms;
            wait_ms = r->backoff_ms; /* notifies do not cut it short: the bus is down */
            continue;
        }
        r->backoff_ms = 0;
        if (stop)
            break;
        /* sent rows are pruned by the retention task (src/events/retention.c) */
        wait_ms = r->cfg.sweep_ms;
    }
    return NULL;
}

outbox_relay_t *outbox_relay_start(store_t *store, bus_t *bus, const struct outbox_config *cfg)
{
    outbox_relay_t *r = xcalloc(1, sizeof *r);
    r->store = store;
    r->bus = bus;
    if (cfg)
        r->cfg = *cfg;
    if (r->cfg.batch <= 0)
        r->cfg.batch = 1024; /* events/s through Kafka: 13.6k at 256, 17k at 1024 */
    if (r->cfg.sweep_ms <= 0)
        r->cfg.sweep_ms = 500; /* rows other processes wrote (todo recurring) wait at most this */
    if (r->cfg.backoff_max_ms <= 0)
        r->cfg.backoff_max_ms = 5000;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    pthread_mutex_init(&r->stats_mu, NULL);
    r->pending = true; /* drain what earlier runs left */
    if (pthread_create(&r->thread, NULL, relay_main, r) != 0)
        abort();
    return r;
}

void outbox_relay_notify(outbox_relay_t *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->pending = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void outbox_relay_stop(outbox_relay_t *r, int64_t deadline_ms)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stopping = true;
    r->stop_deadline = time_now_ms() + deadline_ms;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->stats_mu);
    free(r);
}

void outbox_relay_metrics(outbox_relay_t *r, struct buf *out)
{
    int64_t backlog = 0, oldest = 0;
    store_outbox_stats(r->store, &backlog, &oldest);
    double age = oldest ? (double)(time_now_ms() - oldest) / 1000.0 : 0.0;
    buf_printf(out,
               "# HELP todo_outbox_backlog Events written but not yet published.\n"
               "# TYPE todo_outbox_backlog gauge\n"
               "todo_outbox_backlog %lld\n"
               "# HELP todo_outbox_oldest_age_seconds Age of the oldest unpublished event.\n"
               "# TYPE todo_outbox_oldest_age_seconds gauge\n"
               "todo_outbox_oldest_age_seconds %.3f\n",
               (long long)backlog, age < 0 ? 0.0 : age);
    buf_puts(out, "# HELP todo_events_published_total Events published, by topic.\n"
                  "# TYPE todo_events_published_total counter\n");
    pthread_mutex_lock(&r->stats_mu);
    for (int i = 0; i < r->n_topics; i++)
        buf_printf(out, "todo_events_published_total{topic=\"%s\"} %llu\n", r->topics[i].topic,
                   (unsigned long long)r->topics[i].published);
    buf_puts(out, "# HELP todo_events_publish_failed_total Failed publish attempts, by topic.\n"
                  "# TYPE todo_events_publish_failed_total counter\n");
    for (int i = 0; i < r->n_topics; i++)
        buf_printf(out, "todo_events_publish_failed_total{topic=\"%s\"} %llu\n", r->topics[i].topic,
                   (unsigned long long)r->topics[i].failed);
    pthread_mutex_unlock(&r->stats_mu);
}
