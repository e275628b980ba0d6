/* Unit tests of the retention task (src/events/retention.c) over a real SQLite store, with
 * the clock injected through retention_run(now): what passed its window goes, in batches,
 * and nothing else; under a steady load the tables stay flat; the task's own thread prunes
 * too (polled with a deadline, no timing assertions). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/retention.h"
#include "store/store_internal.h" /* a raw count through the driver, to look behind the API */

static char dir[64];
static store_t *store;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/todo-retention-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_open(url, &store, &err), 0, "%s", err.message);
    int n;
    cr_assert_eq(store_migrate(store, &n, &err), 0, "%s", err.message);
}

static void teardown(void)
{
    store_destroy(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(retention, .init = setup, .fini = teardown, .timeout = 60);

static int64_t count(const char *sql)
{
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(store, &rc);
    cr_assert_not_null(c);
    struct store_res r;
    cr_assert_eq(c->s->drv->exec(c, -1, sql, NULL, 0, &r), TODO_OK, "%s", c->last_error);
    cr_assert_eq(c->s->drv->next(&r), 1);
    int64_t v = c->s->drv->col_int(&r, 0);
    c->s->drv->done(&r);
    return v;
}

static int64_t records(const char *consumer)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM processed_events WHERE consumer = '%s'",
             consumer); /* test constants only */
    return count(sql);
}

/* n records for consumer at time at, ids "<tag>-<i>". */
static void claim_many(const char *consumer, const char *tag, int n, int64_t at)
{
    cr_assert_eq(store_begin(store), TODO_OK);
    for (int i = 0; i < n; i++) {
        char id[64];
        snprintf(id, sizeof id, "%s-%d", tag, i);
        cr_assert_eq(store_event_claim(store, consumer, id, at), TODO_OK, "%s",
                     store_last_error(store));
    }
    cr_assert_eq(store_commit(store), TODO_OK);
}

/* n outbox rows sent at sent_at (0: left unsent). */
static void outbox_many(const char *tag, int n, int64_t sent_at)
{
    int64_t ids[64];
    cr_assert(n <= 64);
    cr_assert_eq(store_begin(store), TODO_OK);
    for (int i = 0; i < n; i++) {
        char id[64];
        snprintf(id, sizeof id, "%s-%d", tag, i);
        cr_assert_eq(store_outbox_insert(store, "task-events", "u1", id, "{}", 1), TODO_OK);
    }
    cr_assert_eq(store_commit(store), TODO_OK);
    if (!sent_at)
        return;
    struct outbox_row *rows = NULL;
    int got = 0;
    cr_assert_eq(store_outbox_fetch(store, 64, &rows, &got), TODO_OK);
    cr_assert_eq(got, n);
    for (int i = 0; i < got; i++)
        ids[i] = rows[i].id;
    outbox_rows_free(rows, got);
    cr_assert_eq(store_outbox_mark_sent(store, ids, got, sent_at), TODO_OK);
}

Test(retention, rows_past_the_window_are_deleted_in_batches_and_nothing_else)
{
    claim_many("audit", "old", 1234, 1000);
    claim_many("audit", "new", 10, 9000);
    claim_many("recurring", "old", 7, 1000);
    claim_many("recurring:successor", "task", 3, 1000); /* not a consumer's idempotency scope */
    claim_many("notify", "old", 5, 1000);               /* a consumer of another process */
    outbox_many("sent-old", 40, 2000);
    outbox_many("sent-new", 5, 9500);
    outbox_many("unsent", 2, 0);

    const char *mine[] = {"audit", "recurring"};
    struct retention_config cfg = {.processed_ms = 5000, .outbox_ms = 5000, .batch = 100};
    retention_t *r = retention_create(store, mine, 2, &cfg);
    cr_assert_eq(retention_run(r, 10000), 1234 + 7 + 40);
    cr_assert_eq(records("audit"), 10);
    cr_assert_eq(records("recurring"), 0);
    cr_assert_eq(records("recurring:successor"), 3);
    cr_assert_eq(records("notify"), 5);
    cr_assert_eq(count("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"), 5);
    cr_assert_eq(count("SELECT count(*) FROM outbox WHERE sent_at IS NULL"), 2);
    cr_assert_eq(retention_run(r, 10000), 0, "a second round finds nothing");
    /* a pruned record no longer dedups; a kept one still does */
    cr_assert_eq(store_event_claim(store, "audit", "old-1", 10000), TODO_OK);
    cr_assert_eq(store_event_claim(store, "audit", "new-1", 10000), TODO_ERR_CONFLICT);

    struct buf m;
    buf_init(&m);
    retention_metrics(r, &m);
    cr_assert_not_null(
        strstr(m.data, "todo_events_pruned_total{table=\"processed_events\"} 1241\n"), "%s",
        m.data);
    cr_assert_not_null(strstr(m.data, "todo_events_pruned_total{table=\"outbox\"} 40\n"));
    buf_release(&m);
    retention_destroy(r);
}

Test(retention, a_process_that_does_not_relay_leaves_the_outbox_alone)
{
    outbox_many("sent-old", 10, 2000);
    const char *mine[] = {"audit"};
    struct retention_config cfg = {.processed_ms = 1000, .outbox_ms = 0};
    retention_t *r = retention_create(store, mine, 1, &cfg);
    cr_assert_eq(retention_run(r, 100000), 0);
    cr_assert_eq(count("SELECT count(*) FROM outbox"), 10);
    retention_destroy(r);
}

Test(retention, under_a_steady_load_the_tables_stay_flat)
{
    const char *mine[] = {"audit"};
    struct retention_config cfg = {.processed_ms = 5000, .outbox_ms = 5000, .batch = 64};
    retention_t *r = retention_create(store, mine, 1, &cfg);
    int64_t most_records = 0, most_outbox = 0;
    for (int second = 1; second <= 30; second++) { /* 50 events a "second", pruned each second */
        int64_t now = second * 1000;
        char tag[32];
        snprintf(tag, sizeof tag, "s%d", second);
        claim_many("audit", tag, 50, now);
        outbox_many(tag, 50, now);
        cr_assert_geq(retention_run(r, now), 0);
        int64_t n_records = records("audit"),
                n_outbox = count("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL");
        most_records = n_records > most_records ? n_records : most_records;
        most_outbox = n_outbox > most_outbox ? n_outbox : most_outbox;
    }
    /* the window holds 5 "seconds" (and the one at its edge): 1,500 written, 300 at most kept */
    cr_assert_leq(most_records, 300, "%lld", (long long)most_records);
    cr_assert_leq(most_outbox, 300, "%lld", (long long)most_outbox);
    retention_destroy(r);
}

Test(retention, the_task_prunes_on_its_own_thread)
{
    claim_many("audit", "ancient", 300, 1); /* 1970: past any window */
    const char *mine[] = {"audit"};
    struct retention_config cfg = {.processed_ms = 1000, .outbox_ms = 1000, .every_ms = 10};
    retention_t *r = retention_create(store, mine, 1, &cfg);
    retention_start(r);
    int64_t left = records("audit");
    for (int i = 0; i < 2000 && left > 0; i++) { /* polled with a deadline (2000 x 10 ms) */
        usleep(10000);
        left = records("audit");
    }
    cr_assert_eq(left, 0);
    retention_destroy(r);
}
