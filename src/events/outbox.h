/* outbox.h - the transactional outbox: events are written into the database in the same
 * transaction as the change (store_outbox_insert), and a relay thread publishes them to the
 * bus right after commit, in order, marking them sent. The relay is woken by
 * outbox_relay_notify (no timer loop); a slow sweep is only a safety net. If the bus is
 * down, rows wait and are retried with backoff: nothing is lost. */
#ifndef TODO_EVENTS_OUTBOX_H
#define TODO_EVENTS_OUTBOX_H

#include <stdint.h>

#include "base/buf.h"
#include "events/bus.h"
#include "store/store.h"

typedef struct outbox_relay outbox_relay_t;

struct outbox_config {
    int batch;              /* rows per publish (default 1024) */
    int64_t sweep_ms;       /* wake-up for rows of other processes (default 500) */
    int64_t backoff_max_ms; /* retry backoff cap when the bus fails (default 5000) */
};

/* Starts the relay thread. store and bus must outlive it. */
outbox_relay_t *outbox_relay_start(store_t *store, bus_t *bus, const struct outbox_config *cfg);
/* Wakes the relay: call after committing a transaction that wrote outbox rows. Cheap,
 * thread-safe, never blocks on I/O. */
void outbox_relay_notify(outbox_relay_t *r);
/* Publishes what is pending (bounded by deadline_ms), then stops the thread. NULL is fine. */
void outbox_relay_stop(outbox_relay_t *r, int64_t deadline_ms);
/* Appends Prometheus text: todo_outbox_backlog, todo_outbox_oldest_age_seconds,
 * todo_events_published_total{topic}, todo_events_publish_failed_total{topic}. */
void outbox_relay_metrics(outbox_relay_t *r, struct buf *out);

#endif
