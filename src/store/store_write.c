/* store_write.c - group commit: the write transactions of many threads committed as one.
 *
 * The one idea: a thread that wants to write queues its work (a function over the store)
 * with a callback, and goes on (or waits, with store_write). The store's committer thread
 * takes every queued item (at most STORE_WRITE_BATCH_MAX), runs them one after another in one
 * transaction on its own connection - each inside a savepoint, so an item that fails is
 * undone alone and the others go on - commits once, and only then calls each item's
 * callback with its result. One BEGIN, one COMMIT, one WAL append (and fsync, per the
 * synchronous level) for the whole batch; at low load a batch is one item and nothing waits
 * for a timer. While a batch runs the next one gathers in the queue, so batches grow with
 * the load; an HTTP worker that suspends its request instead of waiting (docs/architecture.md,
 * "A request's life") serves other connections meanwhile, so the queue can hold every
 * connection's write. The committer starts with the first write and stops in store_destroy,
 * after the queue is empty. docs/decisions/0022-group-commit.md. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

/* Items per transaction at most: a batch stays a small transaction (the WAL, ADR 0018). */
#define STORE_WRITE_BATCH_MAX 128

struct store_write_item {
    store_write_fn fn;
    store_write_done_fn done;
    void *arg;
    int rc;
    struct store_write_item *next;
    char error[STORE_ERR_MAX]; /* the item's error text, for its callback */
};

struct store_writer {
    pthread_mutex_t mu;
    pthread_cond_t cv;                    /* the committer waits for items or stopping */
    pthread_cond_t idle_cv;               /* store_write_drain waits for an empty queue */
    bool running;                         /* a batch runs, or its callbacks */
    struct store_write_item *head, *tail; /* queued, not yet taken by the committer */
    bool started, stopping;
    pthread_t thread;
    uint64_t n_batches, n_items, n_queued;
    store_write_hook_fn before_commit; /* tests only */
    void *hook_arg;
    store_write_hook_fn on_commit; /* once per batch that committed an item */
    void *commit_arg;
};

/* This thread is the committer: store_write would wait for itself. */
static _Thread_local bool is_committer;

void store_writer_init(store_t *s)
{
    struct store_writer *g = xcalloc(1, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    pthread_cond_init(&g->idle_cv, NULL);
    s->writer = g;
}

void store_writer_release(store_t *s)
{
    struct store_writer *g = s->writer;
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stopping = true;
    pthread_cond_signal(&g->cv);
    bool started = g->started;
    pthread_mutex_unlock(&g->mu);
    if (started)
        pthread_join(g->thread, NULL); /* it drains the queue first */
    assert(!g->head);
    pthread_cond_destroy(&g->cv);
    pthread_cond_destroy(&g->idle_cv);
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

/* The committer's work, outside g->mu: one transaction for the batch. Returns the number of
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
    pthread_mutex_lock(&g->mu);
    store_write_hook_fn before_commit = g->before_commit;
    void *hook_arg = g->hook_arg;
    pthread_mutex_unlock(&g->mu);
    if (before_commit)
        before_commit(hook_arg);
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

/* Runs one batch, then calls its items' callbacks (the batch's hook first). */
static void commit_batch(store_t *s, struct store_writer *g, struct store_write_item *batch, int n)
{
    int n_ok = run_batch(s, batch);
    pthread_mutex_lock(&g->mu);
    g->n_batches++;
    g->n_items += (uint64_t)n;
    store_write_hook_fn on_commit = g->on_commit;
    void *commit_arg = g->commit_arg;
    pthread_mutex_unlock(&g->mu);
    if (n_ok > 0 && on_commit)
        on_commit(commit_arg); /* e.g. wake the outbox relay, once for the batch */
    for (struct store_write_item *it = batch, *next; it; it = next) {
        next = it->next;
        it->done(it->arg, it->rc, it->error);
        free(it);
    }
}

static void *committer_main(void *arg)
{
    store_t *s = arg;
    struct store_writer *g = s->writer;
    is_committer = true;
    store_thread_background();
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->head && !g->stopping) {
            pthread_cond_broadcast(&g->idle_cv);
            pthread_cond_wait(&g->cv, &g->mu);
        }
        if (!g->head)
            break; /* stopping, and nothing left */
        int n = 0;
        struct store_write_item *batch = take_batch(g, &n);
        g->n_queued -= (uint64_t)n;
        g->running = true;
        pthread_mutex_unlock(&g->mu);
        commit_batch(s, g, batch, n);
        pthread_mutex_lock(&g->mu);
        g->running = false;
    }
    pthread_cond_broadcast(&g->idle_cv);
    pthread_mutex_unlock(&g->mu);
    return NULL; /* the thread's exit closes its connection (store.c) */
}

void store_write_async(store_t *s, store_write_fn fn, store_write_done_fn done, void *arg)
{
    assert(s && fn && done && s->writer);
    struct store_writer *g = s->writer;
    struct store_write_item *it = xcalloc(1, sizeof *it);
    it->fn = fn;
    it->done = done;
    it->arg = arg;
    pthread_mutex_lock(&g->mu);
    assert(!g->stopping);
    if (!g->started) {
        if (pthread_create(&g->thread, NULL, committer_main, s) != 0)
            abort(); /* out of threads: nothing sensible to go on with */
        g->started = true;
    }
    if (g->tail)
        g->tail->next = it;
    else
        g->head = it;
    g->tail = it;
    g->n_queued++;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* store_write's waiter: the committer fills it in and wakes the caller. */
struct write_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int rc;
    char error[STORE_ERR_MAX];
    store_write_fn fn;
    void *arg;
};

static int wait_work(store_t *s, void *arg)
{
    struct write_wait *w = arg;
    return w->fn(s, w->arg);
}

static void wait_done(void *arg, int rc, const char *error)
{
    struct write_wait *w = arg;
    pthread_mutex_lock(&w->mu);
    w->rc = rc;
    snprintf(w->error, sizeof w->error, "%s", error);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int store_write(store_t *s, store_write_fn fn, void *arg)
{
    assert(!is_committer && "store_write called from inside a batch");
    struct write_wait w = {.fn = fn, .arg = arg};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    store_write_async(s, wait_work, wait_done, &w);
    pthread_mutex_lock(&w.mu);
    while (!w.done)
        pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    struct store_conn *c = store_conn_get(s, &(int){0});
    if (c && w.rc != TODO_OK)
        snprintf(c->last_error, sizeof c->last_error, "%s", w.error);
    return w.rc;
}

void store_write_drain(store_t *s)
{
    assert(!is_committer);
    struct store_writer *g = s->writer;
    pthread_mutex_lock(&g->mu);
    while (g->started && (g->head || g->running))
        pthread_cond_wait(&g->idle_cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

void store_write_on_commit(store_t *s, store_write_hook_fn fn, void *arg)
{
    struct store_writer *g = s->writer;
    pthread_mutex_lock(&g->mu);
    g->on_commit = fn;
    g->commit_arg = arg;
    pthread_mutex_unlock(&g->mu);
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
    out->queued = g->n_queued;
    pthread_mutex_unlock(&g->mu);
}
