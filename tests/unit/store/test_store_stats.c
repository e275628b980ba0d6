/* test_store_stats.c - the database figures of /metrics (store_stats.c, docs/operations.md
 * "Metrics"), on sqlite and postgres: a transaction moves the histogram and the outcome
 * counters, a connection inside one is in use, a thread's connection is idle until the thread
 * exits, and (sqlite) a writer queued behind another counts as a wait while it waits. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "store/store.h"

#define STORE_FIXTURE_NAME store_stats
#include "store_fixture.h"

/* The value of the sample "<name>{backend="<b>"<more>} ", or -1 when it is missing. */
static double sample(const char *name, const char *more)
{
    struct buf b;
    buf_init(&b);
    store_metrics(S, &b);
    buf_putc(&b, '\0');
    char key[192];
    snprintf(key, sizeof key, "\n%s{backend=\"%s\"%s} ", name, store_backend_name(S), more);
    const char *p = strstr(b.data, key);
    double v = p ? strtod(p + strlen(key), NULL) : -1;
    buf_release(&b);
    return v;
}

static double tx_count(void)
{
    return sample("todo_db_transaction_duration_seconds_count", "");
}

static double commits(void)
{
    return sample("todo_db_transactions_total", ",outcome=\"commit\"");
}

static double rollbacks(void)
{
    return sample("todo_db_transactions_total", ",outcome=\"rollback\"");
}

static double in_use(void)
{
    return sample("todo_db_connections", ",state=\"in_use\"");
}

static double idle(void)
{
    return sample("todo_db_connections", ",state=\"idle\"");
}

STORE_TEST(a_committed_transaction_counts_in_the_histogram_and_as_a_commit)
{
    double n0 = tx_count(), c0 = commits(), r0 = rollbacks();
    cr_assert_geq(n0, 0, "the histogram is rendered");
    cr_assert_eq(in_use(), 0);
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(in_use(), 1, "the connection is in use inside its transaction");
    test_user_add(S, "u1", NULL);
    cr_assert_eq(store_commit(S), TODO_OK);
    cr_assert_eq(in_use(), 0);
    cr_assert_eq(tx_count(), n0 + 1);
    cr_assert_eq(commits(), c0 + 1);
    cr_assert_eq(rollbacks(), r0);
    cr_assert_geq(idle(), 1, "this thread's connection stays open, idle");
}

STORE_TEST(a_rolled_back_transaction_and_a_failed_write_count_as_rollbacks)
{
    double n0 = tx_count(), r0 = rollbacks();
    cr_assert_eq(store_begin(S), TODO_OK);
    store_rollback(S);
    cr_assert_eq(rollbacks(), r0 + 1);
    /* a write's own transaction (store_op_begin) undone: the user does not exist */
    struct user u;
    user_init(&u);
    snprintf(u.id, sizeof u.id, "%s", "nobody");
    cr_assert_eq(store_user_update(S, &u), TODO_ERR_NOT_FOUND);
    user_release(&u);
    cr_assert_eq(rollbacks(), r0 + 2);
    cr_assert_eq(tx_count(), n0 + 2);
    cr_assert_eq(in_use(), 0);
}

static atomic_int thread_step;

static void *open_conn_main(void *arg)
{
    (void)arg;
    cr_assert_eq(store_ping(S), TODO_OK); /* opens this thread's connection */
    atomic_store(&thread_step, 1);
    while (atomic_load(&thread_step) != 2)
        sched_yield();
    return NULL;
}

STORE_TEST(a_threads_connection_is_idle_until_the_thread_exits)
{
    double i0 = idle();
    atomic_store(&thread_step, 0);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, open_conn_main, NULL), 0);
    while (atomic_load(&thread_step) != 1)
        sched_yield();
    cr_assert_eq(idle(), i0 + 1);
    atomic_store(&thread_step, 2);
    pthread_join(t, NULL);
    cr_assert_eq(idle(), i0, "closed when its thread exits");
}

static void *second_writer_main(void *arg)
{
    (void)arg;
    int rc = store_begin(S); /* queues behind the main thread's write transaction */
    if (rc == TODO_OK)
        rc = store_commit(S);
    return (void *)(intptr_t)rc;
}

Test(sqlite, a_writer_queued_behind_another_counts_as_a_wait, .init = setup_sqlite,
     .fini = teardown)
{
    double w0 = sample("todo_db_waits_total", "");
    cr_assert_geq(w0, 0);
    cr_assert_eq(store_begin(S), TODO_OK);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, second_writer_main, NULL), 0);
    /* the wait shows while it lasts */
    uint64_t deadline = time_mono_ns() + 10ull * 1000000000ull;
    while (sample("todo_db_waits_total", "") < w0 + 1 && time_mono_ns() < deadline)
        sched_yield();
    cr_assert_eq(sample("todo_db_waits_total", ""), w0 + 1, "the queued writer is counted");
    cr_assert_eq(store_commit(S), TODO_OK);
    void *rc;
    pthread_join(t, &rc);
    cr_assert_eq((intptr_t)rc, TODO_OK);
    cr_assert_eq(sample("todo_db_waits_total", ""), w0 + 1);
    cr_assert_gt(sample("todo_db_wait_seconds_total", ""), 0);
}
