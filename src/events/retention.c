/* retention.c - the retention task (docs/decisions/0024-event-retention.md): keeps the event
 * bookkeeping flat under a steady write load by deleting, every few seconds, what has passed
 * its window: each consumer's processed_events records, and sent outbox rows.
 *
 * The one idea: never one big DELETE. Each statement removes at most `batch` rows, oldest
 * first through an index, and commits on its own, so the SQLite writer is held for one short
 * statement at a time and the API's writes queue behind it for no longer than that. A round
 * stops after ROUND_MAX_STATEMENTS per table; a backlog (first start on an old database) is
 * spread over the following rounds. */
#include "events/retention.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define DEFAULT_BATCH        500
#define ROUND_MAX_STATEMENTS 1000
#define EVERY_MIN_MS         100
#define EVERY_MAX_MS         60000

struct retention {
    store_t *store;
    struct retention_config cfg;
    int n_consumers;
    char **consumers;
    pthread_t thread;
    bool running;
    pthread_mutex_t mu; /* stopping */
    pthread_cond_t cv;
    bool stopping;
    uint64_t pruned_processed, pruned_outbox; /* atomics: read by the metrics */
};

retention_t *retention_create(store_t *store, const char *const *consumers, int n,
                              const struct retention_config *cfg)
{
    assert(store && cfg && cfg->processed_ms > 0 && cfg->outbox_ms >= 0 && n >= 0);
    retention_t *r = xcalloc(1, sizeof *r);
    r->store = store;
    r->cfg = *cfg;
    if (r->cfg.batch <= 0)
        r->cfg.batch = DEFAULT_BATCH;
    if (r->cfg.every_ms <= 0) {
        int64_t shortest = r->cfg.processed_ms;
        if (r->cfg.outbox_ms > 0 && r->cfg.outbox_ms < shortest)
            shortest = r->cfg.outbox_ms;
        int64_t every = shortest / 4;
        r->cfg.every_ms = every < EVERY_MIN_MS   ? EVERY_MIN_MS
                          : every > EVERY_MAX_MS ? EVERY_MAX_MS
                                                 : every;
    }
    r->n_consumers = n;
    r->consumers = xcalloc((size_t)(n > 0 ? n : 1), sizeof *r->consumers);
    for (int i = 0; i < n; i++)
        r->consumers[i] = xstrdup(consumers[i]);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    return r;
}

static bool is_stopping(retention_t *r)
{
    pthread_mutex_lock(&r->mu);
    bool s = r->stopping;
    pthread_mutex_unlock(&r->mu);
    return s;
}

/* Deletes one table's old rows, batch by batch (consumer NULL: the outbox). Adds what it
 * deleted to *total; returns 0, or -1 when a statement failed. */
static int prune_table(retention_t *r, const char *consumer, int64_t before_ms, uint64_t *counter,
                       int64_t *total)
{
    for (int i = 0; i < ROUND_MAX_STATEMENTS && !is_stopping(r); i++) {
        int64_t n = 0;
        int rc = consumer ? store_event_prune_some(r->store, consumer, before_ms, r->cfg.batch, &n)
                          : store_outbox_prune_some(r->store, before_ms, r->cfg.batch, &n);
        if (rc != TODO_OK) {
            log_msg(LOG_WARN, "retention: cannot prune %s: %s",
                    consumer ? "processed events" : "the outbox", store_last_error(r->store));
            return -1;
        }
        __atomic_fetch_add(counter, (uint64_t)n, __ATOMIC_RELAXED);
        *total += n;
        if (n < r->cfg.batch)
            break;
    }
    return 0;
}

int64_t retention_run(retention_t *r, int64_t now_ms)
{
    assert(r);
    int64_t total = 0;
    int failed = 0;
    for (int i = 0; i < r->n_consumers; i++)
        failed |= prune_table(r, r->consumers[i], now_ms - r->cfg.processed_ms,
                              &r->pruned_processed, &total);
    if (r->cfg.outbox_ms > 0)
        failed |= prune_table(r, NULL, now_ms - r->cfg.outbox_ms, &r->pruned_outbox, &total);
    return failed ? -1 : total;
}

/* Waits every_ms; false when stopping. */
static bool wait_round(retention_t *r)
{
    struct timespec ts = time_deadline_ms(CLOCK_REALTIME, r->cfg.every_ms);
    pthread_mutex_lock(&r->mu);
    while (!r->stopping)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &ts) != 0)
            break;
    bool go_on = !r->stopping;
    pthread_mutex_unlock(&r->mu);
    return go_on;
}

static void *retention_main(void *arg)
{
    retention_t *r = arg;
    store_thread_background();
    while (wait_round(r))
        retention_run(r, time_now_ms());
    return NULL; /* the thread's exit closes its store connection */
}

void retention_start(retention_t *r)
{
    assert(r && !r->running);
    if (pthread_create(&r->thread, NULL, retention_main, r) != 0)
        abort(); /* out of threads at startup: nothing sensible to go on with */
    r->running = true;
}

void retention_metrics(retention_t *r, struct buf *out)
{
    if (!r)
        return;
    buf_printf(out,
               "# HELP todo_events_pruned_total Event bookkeeping rows deleted past their "
               "retention window.\n"
               "# TYPE todo_events_pruned_total counter\n"
               "todo_events_pruned_total{table=\"processed_events\"} %llu\n"
               "todo_events_pruned_total{table=\"outbox\"} %llu\n",
               (unsigned long long)__atomic_load_n(&r->pruned_processed, __ATOMIC_RELAXED),
               (unsigned long long)__atomic_load_n(&r->pruned_outbox, __ATOMIC_RELAXED));
}

void retention_destroy(retention_t *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stopping = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    if (r->running)
        pthread_join(r->thread, NULL);
    for (int i = 0; i < r->n_consumers; i++)
        free(r->consumers[i]);
    free(r->consumers);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}
