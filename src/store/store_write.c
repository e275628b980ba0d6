/* store_write.c - group commit: the write transactions of many threads committed as one.
 *
 * The one idea: a thread that wants to write queues its work (a function over the store)
 * and waits; whichever waiting thread finds no batch running becomes the leader, takes
 * every queued item (at most STORE_WRITE_BATCH_MAX), runs them one after another in one
 * transaction on its own connection - each inside a savepoint, so an item that fails is
 * undone alone and the others go on - commits once, and only then hands each waiter its
 * result. One BEGIN, one COMMIT, one WAL append and fsync for the whole batch; at low load a
 * batch is one item and nothing waits for a timer. While a batch runs the next one gathers
 * in the queue, so batches grow with the load. The leader leaves the lead to the queue's head
 * when done (the requesting workers take turns: there is no thread of its own).
 * docs/decisions/0022-group-commit.md; docs/architecture.md, "Storage". */
#include <assert.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

/* Items per transaction at most: a batch stays a small transaction (the WAL, ADR 0018). */
#define STORE_WRITE_BATCH_MAX 128

struct store_write_item {
    store_write_fn fn;
    void *arg;
    int rc;
    bool done; /* under g->mu: the batch holding it committed (or failed) */
    pthread_cond_t cv;
    struct store_write_item *next;
    char error[STORE_ERR_MAX]; /* the item's error text, for its caller's store_last_error */
};

struct store_writer {
    pthread_mutex_t mu;
    struct store_write_item *head, *tail; /* queued, not yet taken by a leader */
    bool leading;                         /* a batch is running */
    uint64_t n_batches, n_items;
    store_write_hook_fn before_commit; /* tests only */
    void *hook_arg;
};

/* This thread runs a batch: an item may not queue another write (it would wait for itself). */
static _Thread_local bool in_batch;

void store_writer_init(store_t *s)
{
    struct store_writer *g = xcalloc(1, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    s->writer = g;
}

void store_writer_release(store_t *s)
{
    struct store_writer *g = s->writer;
    if (!g)
        return;
    assert(!g->head && !g->leading);
    pthread_mutex_destroy(&g->mu);
    free(g);
    s->writer = NULL;
}

/* Runs one item inside its savepoint; a failure undoes the item's writes alone. Returns
 * false when the transaction itself is gone (the savepoint cannot be rolled back to). */
static bool run_item(store_t *s, struct store_conn *c, struct store_write_item *it)
{
    it->rc = store_run(c, ST_WRITE_SAVEPOINT, NULL, 0, NULL);
    if (it->rc == TODO_OK)
        it->rc = it->fn(s, it->arg);
    if (it->rc == TODO_OK)
        it->rc = store_run(c, ST_WRITE_RELEASE, NULL, 0, NULL);
    if (it->rc == TODO_OK)
        return true;
    memcpy(it->error, c->last_error, sizeof it->error);
    bool alive = store_run(c, ST_WRITE_ROLLBACK_TO, NULL, 0, NULL) == TODO_OK &&
                 store_run(c, ST_WRITE_RELEASE, NULL, 0, NULL) == TODO_OK;
    memcpy(c->last_error, it->error, sizeof it->error);
    return alive;
}

/* Sets the result of every item of the batch that succeeded so far to rc. */
static void fail_batch(struct store_write_item *batch, struct store_write_item *until, int rc,
                       const char *error)
{
    for (struct store_write_item *it = batch; it != until; it = it->next)
        if (it->rc == TODO_OK) {
            it->rc = rc;
            memcpy(it->error, error, STORE_ERR_MAX);
        }
}

/* The leader's work, outside g->mu: one transaction for the batch. Returns the number of
 * items that committed. */
static int run_batch(store_t *s, struct store_write_item *batch)
{
    struct store_writer *g = s->writer;
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(s, &rc);
    if (c)
        rc = store_ops_begin(c);
    if (rc != TODO_OK) {
        for (struct store_write_item *it = batch; it; it = it->next) {
            it->rc = rc;
            memcpy(it->error, c ? c->last_error : "store: no connection", STORE_ERR_MAX);
        }
        return 0;
    }
    int n_ok = 0;
    bool broken = false;
    for (struct store_write_item *it = batch; it; it = it->next) {
        if (broken) {
            it->rc = TODO_ERR_BUSY; /* the transaction broke under an earlier item: try again */
            memcpy(it->error, c->last_error, STORE_ERR_MAX);
        } else if (!run_item(s, c, it)) {
            broken = true;
            fail_batch(batch, it, TODO_ERR_BUSY, c->last_error);
        } else {
            n_ok += it->rc == TODO_OK;
        }
    }
    if (broken || n_ok == 0) { /* nothing to keep */
        store_ops_rollback(c);
        return 0;
    }
    if (g->before_commit)
        g->before_commit(g->hook_arg);
    rc = store_ops_commit(c);
    if (rc != TODO_OK) {
        fail_batch(batch, NULL, rc, c->last_error);
        return 0;
    }
    return n_ok;
}

/* Takes up to STORE_WRITE_BATCH_MAX items off the queue; holds g->mu. */
static struct store_write_item *take_batch(struct store_writer *g, int *n)
{
    struct store_write_item *batch = g->head, *last = g->head;
    int k = 1;
    while (last->next && k < STORE_WRITE_BATCH_MAX) {
        last = last->next;
        k++;
    }
    g->head = last->next;
    if (!g->head)
        g->tail = NULL;
    last->next = NULL;
    *n = k;
    return batch;
}

/* Leads one batch; holds g->mu on entry and exit. True when some item committed. */
static bool lead(store_t *s, struct store_writer *g)
{
    int n = 0;
    g->leading = true;
    struct store_write_item *batch = take_batch(g, &n);
    pthread_mutex_unlock(&g->mu);
    in_batch = true;
    int n_ok = run_batch(s, batch);
    in_batch = false;
    pthread_mutex_lock(&g->mu);
    g->n_batches++;
    g->n_items += (uint64_t)n;
    for (struct store_write_item *it = batch, *next; it; it = next) {
        next = it->next; /* the waiter may return (its item is on its stack) once done */
        it->done = true;
        pthread_cond_signal(&it->cv);
    }
    g->leading = false;
    if (g->head) /* the next batch's first waiter leads it */
        pthread_cond_signal(&g->head->cv);
    return n_ok > 0;
}

int store_write(store_t *s, store_write_fn fn, void *arg, bool *led)
{
    assert(s && fn && s->writer);
    assert(!in_batch && "store_write called from inside a batch");
    struct store_writer *g = s->writer;
    struct store_write_item item = {.fn = fn, .arg = arg};
    pthread_cond_init(&item.cv, NULL);
    bool committed = false;

    pthread_mutex_lock(&g->mu);
    if (g->tail)
        g->tail->next = &item;
    else
        g->head = &item;
    g->tail = &item;
    while (!item.done) {
        if (g->leading || g->head == NULL)
            pthread_cond_wait(&item.cv, &g->mu);
        else
            committed |= lead(s, g);
    }
    pthread_mutex_unlock(&g->mu);
    pthread_cond_destroy(&item.cv);

    struct store_conn *c = store_conn_get(s, &(int){0});
    if (c && item.rc != TODO_OK)
        memcpy(c->last_error, item.error, sizeof item.error);
    if (led)
        *led = committed;
    return item.rc;
}

void store_write_set_hook(store_t *s, store_write_hook_fn before_commit, void *arg)
{
    struct store_writer *g = s->writer;
    pthread_mutex_lock(&g->mu);
    g->before_commit = before_commit;
    g->hook_arg = arg;
    pthread_mutex_unlock(&g->mu);
}

void store_write_stats(store_t *s, struct store_write_stats *out)
{
    struct store_writer *g = s->writer;
    pthread_mutex_lock(&g->mu);
    out->batches = g->n_batches;
    out->items = g->n_items;
    out->queued = 0;
    for (struct store_write_item *it = g->head; it; it = it->next)
        out->queued++;
    pthread_mutex_unlock(&g->mu);
}
