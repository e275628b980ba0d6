/* bus_internal.h - the vtable each bus backend implements (bus.c dispatches to it). */
#ifndef TODO_EVENTS_BUS_INTERNAL_H
#define TODO_EVENTS_BUS_INTERNAL_H

#include "events/bus.h"

struct bus_ops {
    const char *name;
    bool marks_sent; /* publish marks the messages' outbox rows sent (bus_marks_sent) */
    int (*publish)(bus_t *b, const struct bus_message *msgs, int n, int *n_done,
                   struct todo_err *err);
    int (*subscribe)(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                     int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err);
    /* Optional: a backend that delivers batches; bus.c adapts a batch handler to subscribe
     * (one message at a time) for those without. */
    int (*subscribe_batch)(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                           int n_topics, bus_batch_fn fn, void *ctx, struct todo_err *err);
    int (*start)(bus_t *b, struct todo_err *err);
    void (*stop)(bus_t *b);
    bool (*healthy)(bus_t *b);
    /* Optional: bus_consumer_lag (unknown without it). */
    int (*consumer_lag)(bus_t *b, const char *group, const char *topic, int64_t *out);
    void (*destroy)(bus_t *b);
};

/* Every backend's struct starts with this. */
struct bus_batch_adapter;

struct bus {
    const struct bus_ops *ops;
    struct bus_batch_adapter *adapters; /* bus.c's, freed after the backend's destroy */
};

#endif
