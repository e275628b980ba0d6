/* store_stats.c - the database figures of /metrics: connections open and in a transaction,
 * waits for the write lock, and every transaction's time (docs/operations.md, "Metrics").
 *
 * A connection belongs to one thread (store.c), so there is no pool to borrow from: "in use"
 * is a connection inside a transaction, "idle" one that is open outside of one. Writers only
 * do relaxed atomic adds on the store's counters; the scrape reads whatever is there. */
#include "store/store_internal.h"

#include <assert.h>

#include "base/buf.h"
#include "base/timeutil.h"

static const double tx_bounds[STORE_TX_BUCKETS - 1] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static void add_u(uint64_t *p, uint64_t v)
{
    __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static void add_i(int64_t *p, int64_t v)
{
    __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

void store_stats_conn_opened(store_t *s)
{
    assert(s);
    add_i(&s->stats.conns_open, 1);
}

void store_stats_conn_closed(struct store_conn *c)
{
    assert(c && c->db);
    if (c->tx_started_ns)
        store_stats_tx_end(c, false);
    add_i(&c->s->stats.conns_open, -1);
}

void store_stats_tx_begin(struct store_conn *c)
{
    assert(c);
    if (c->tx_started_ns)
        return;
    c->tx_started_ns = time_mono_ns();
    add_i(&c->s->stats.tx_open, 1);
}

void store_stats_tx_end(struct store_conn *c, bool committed)
{
    assert(c);
    if (!c->tx_started_ns)
        return;
    struct store_stats *st = &c->s->stats;
    uint64_t ns = time_mono_ns() - c->tx_started_ns;
    c->tx_started_ns = 0;
    double secs = (double)ns / 1e9;
    int b = 0;
    while (b < STORE_TX_BUCKETS - 1 && secs > tx_bounds[b])
        b++;
    add_u(&st->tx_buckets[b], 1);
    add_u(&st->tx_sum_ns, ns);
    add_u(committed ? &st->tx_commits : &st->tx_rollbacks, 1);
    add_i(&st->tx_open, -1);
}

void store_stats_wait_begin(store_t *s)
{
    assert(s);
    add_u(&s->stats.waits, 1);
}

void store_stats_wait_end(store_t *s, uint64_t wait_ns)
{
    assert(s);
    add_u(&s->stats.wait_ns, wait_ns);
}

static uint64_t load_u(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void render_tx_histogram(const struct store_stats *st, const char *backend, struct buf *out)
{
    buf_puts(out, "# HELP todo_db_transaction_duration_seconds Time from BEGIN to COMMIT or "
                  "ROLLBACK.\n"
                  "# TYPE todo_db_transaction_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (int b = 0; b < STORE_TX_BUCKETS; b++) {
        cumulative += load_u(&st->tx_buckets[b]);
        if (b < STORE_TX_BUCKETS - 1)
            buf_printf(out,
                       "todo_db_transaction_duration_seconds_bucket{backend=\"%s\",le=\"%g\"} "
                       "%llu\n",
                       backend, tx_bounds[b], (unsigned long long)cumulative);
        else
            buf_printf(out,
                       "todo_db_transaction_duration_seconds_bucket{backend=\"%s\",le=\"+Inf\"} "
                       "%llu\n",
                       backend, (unsigned long long)cumulative);
    }
    /* _count is the +Inf bucket as read here (Prometheus requires them equal) */
    buf_printf(out,
               "todo_db_transaction_duration_seconds_sum{backend=\"%s\"} %.6f\n"
               "todo_db_transaction_duration_seconds_count{backend=\"%s\"} %llu\n",
               backend, (double)load_u(&st->tx_sum_ns) / 1e9, backend,
               (unsigned long long)cumulative);
}

void store_metrics(store_t *s, struct buf *out)
{
    assert(s && out);
    const struct store_stats *st = &s->stats;
    const char *backend = s->drv->name;
    int64_t open = __atomic_load_n(&st->conns_open, __ATOMIC_RELAXED);
    int64_t in_use = __atomic_load_n(&st->tx_open, __ATOMIC_RELAXED);
    if (in_use > open)
        in_use = open; /* read between a transaction's start and its connection's count */
    buf_printf(out,
               "# HELP todo_db_connections Database connections open, by state (in_use: inside "
               "a transaction).\n"
               "# TYPE todo_db_connections gauge\n"
               "todo_db_connections{backend=\"%s\",state=\"in_use\"} %lld\n"
               "todo_db_connections{backend=\"%s\",state=\"idle\"} %lld\n",
               backend, (long long)in_use, backend, (long long)(open - in_use));
    buf_printf(out,
               "# HELP todo_db_waits_total Times a thread waited for the database's write "
               "lock.\n"
               "# TYPE todo_db_waits_total counter\n"
               "todo_db_waits_total{backend=\"%s\"} %llu\n"
               "# HELP todo_db_wait_seconds_total Time spent waiting for the write lock.\n"
               "# TYPE todo_db_wait_seconds_total counter\n"
               "todo_db_wait_seconds_total{backend=\"%s\"} %.6f\n",
               backend, (unsigned long long)load_u(&st->waits), backend,
               (double)load_u(&st->wait_ns) / 1e9);
    buf_printf(out,
               "# HELP todo_db_transactions_total Transactions ended, by outcome.\n"
               "# TYPE todo_db_transactions_total counter\n"
               "todo_db_transactions_total{backend=\"%s\",outcome=\"commit\"} %llu\n"
               "todo_db_transactions_total{backend=\"%s\",outcome=\"rollback\"} %llu\n",
               backend, (unsigned long long)load_u(&st->tx_commits), backend,
               (unsigned long long)load_u(&st->tx_rollbacks));
    render_tx_histogram(st, backend, out);
}
