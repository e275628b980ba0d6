/* bus.c - dispatch from the bus interface to the configured backend. */
#include "events/bus_internal.h"

int bus_publish(bus_t *b, const struct bus_message *msgs, int n, int *n_done, struct todo_err *err)
{
    *n_done = 0;
    if (n == 0)
        return TODO_OK;
    return b->ops->publish(b, msgs, n, n_done, err);
}

int bus_subscribe(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                  int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err)
{
    return b->ops->subscribe(b, group, broadcast, topics, n_topics, fn, ctx, err);
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
    if (b)
        b->ops->destroy(b);
}
