/* bus.c - dispatch from the bus interface to the configured backend. */
#include "events/bus_internal.h"
#include "base/xalloc.h"

#include <assert.h>
#include <stdlib.h>

/* A batch handler on a backend that delivers one message at a time. */
struct bus_batch_adapter {
    struct bus_batch_adapter *next;
    bus_batch_fn fn;
    void *ctx;
};

int bus_publish(bus_t *b, const struct bus_message *msgs, int n, int *n_done, struct todo_err *err)
{
    *n_done = 0;
    if (n == 0)
        return TODO_OK;
    int rc = b->ops->publish(b, msgs, n, n_done, err);
    /* every backend's contract: the acknowledged prefix, and all of it exactly on success */
    assert(*n_done >= 0 && *n_done <= n && (rc == TODO_OK) == (*n_done == n));
    return rc;
}

int bus_subscribe(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                  int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err)
{
    return b->ops->subscribe(b, group, broadcast, topics, n_topics, fn, ctx, err);
}

static int one_at_a_time(void *ctx, const struct bus_message *m)
{
    struct bus_batch_adapter *a = ctx;
    int verdict = BUS_RETRY;
    a->fn(a->ctx, m, 1, &verdict);
    return verdict;
}

int bus_subscribe_batch(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                        int n_topics, bus_batch_fn fn, void *ctx, struct todo_err *err)
{
    if (b->ops->subscribe_batch)
        return b->ops->subscribe_batch(b, group, broadcast, topics, n_topics, fn, ctx, err);
    struct bus_batch_adapter *a = xcalloc(1, sizeof *a);
    a->fn = fn;
    a->ctx = ctx;
    int rc = b->ops->subscribe(b, group, broadcast, topics, n_topics, one_at_a_time, a, err);
    if (rc != TODO_OK) {
        free(a);
        return rc;
    }
    a->next = b->adapters;
    b->adapters = a;
    return TODO_OK;
}

int bus_start(bus_t *b, struct todo_err *err)
{
    return b->ops->start ? b->ops->start(b, err) : TODO_OK;
}

void bus_stop(bus_t *b)
{
    if (b->ops->stop)
        b->ops->stop(b);
}

int bus_consumer_lag(bus_t *b, const char *group, const char *topic, int64_t *out)
{
    return b->ops->consumer_lag ? b->ops->consumer_lag(b, group, topic, out) : -1;
}

bool bus_healthy(bus_t *b)
{
    return b->ops->healthy ? b->ops->healthy(b) : true;
}

const char *bus_name(const bus_t *b)
{
    return b->ops->name;
}

bool bus_marks_sent(const bus_t *b)
{
    return b->ops->marks_sent;
}

void bus_destroy(bus_t *b)
{
    if (!b)
        return;
    struct bus_batch_adapter *a = b->adapters;
    b->ops->destroy(b); /* joins the threads that call through the adapters */
    while (a) {
        struct bus_batch_adapter *next = a->next;
        free(a);
        a = next;
    }
}
