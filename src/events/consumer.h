/* consumer.h - the consumer runtime shared by every event-driven role (recurring, audit,
 * notify, realtime): handler registration per topic and event type, idempotency, retry
 * with backoff, dead letters, and metrics.
 *
 * Effects happen exactly once: a handler runs inside a store transaction that also records
 * (consumer, event id) in processed_events; a redelivered event finds its record and is
 * acknowledged without running the handler again. The bus hands over batches: the events of
 * a batch share one transaction, each in a savepoint of its own; one that fails is undone
 * alone and retried alone after that commit, with its user's later events of the batch
 * waiting behind it (docs/decisions/0023-batched-consumers.md). After max_attempts failures
 * the event goes to "<topic>.dlq" with the error, and is acknowledged. */
#ifndef TODO_EVENTS_CONSUMER_H
#define TODO_EVENTS_CONSUMER_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "events/bus.h"
#include "events/cloudevent.h"
#include "store/store.h"

typedef struct consumer consumer_t;

/* Applies one event. Runs inside the consumer's transaction on store (with other events of
 * its batch: inside a savepoint): use the store normally, do not begin or commit. May run
 * again for the same event after a failure (its work was undone). Returns 0, or an error
 * (err says why) to retry. */
typedef int (*consumer_handler_fn)(void *ctx, store_t *store, const struct cloudevent *ce,
                                   struct todo_err *err);

struct consumer_config {
    int max_attempts;        /* before dead-lettering (default 5) */
    int64_t backoff_base_ms; /* first retry delay, doubled each time (default 100) */
    int64_t backoff_max_ms;  /* (default 5000) */
    bool broadcast;          /* every instance gets every event (realtime) */
};

/* name is the consumer group and the idempotency scope ("audit"). bus carries both the
 * subscription and the dead letters. cfg may be NULL for defaults. */
consumer_t *consumer_create(const char *name, store_t *store, bus_t *bus,
                            const struct consumer_config *cfg);
/* Registers fn for events of ce_type (NULL: every type) on topic. Before subscribe. */
void consumer_on(consumer_t *c, const char *topic, const char *ce_type, consumer_handler_fn fn,
                 void *ctx);
/* Subscribes to every topic a handler was registered for. */
int consumer_subscribe(consumer_t *c, struct todo_err *err);
/* Appends Prometheus text for the n consumers of this process (one HELP/TYPE per family):
 * todo_events_consumed_total{consumer,topic,type}, todo_events_failed_total,
 * todo_events_retried_total, todo_events_dead_lettered_total, todo_events_duplicates_total,
 * todo_consumer_batches_total{consumer} (transactions that applied a batch),
 * todo_consumer_lag_seconds{consumer} (handling time minus event time, for the last event
 * handled) and, on the in-process bus, todo_consumer_backlog{consumer} (events in the group's
 * queue; one count query each). */
void consumer_metrics(consumer_t *const *cs, int n, struct buf *out);
/* The name given to consumer_create (its group and idempotency scope). */
const char *consumer_name(const consumer_t *c);
void consumer_destroy(consumer_t *c);

#endif
