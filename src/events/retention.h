/* retention.h - the retention task: deletes the event bookkeeping that only has to outlive
 * redelivery - the processed_events records of this process's consumers, and the outbox
 * rows already sent, when this process runs the relay - past a configured window, in small
 * statements, on a thread of its own (docs/decisions/0024-event-retention.md). Dead letters
 * and the audit history are never pruned here. */
#ifndef TODO_EVENTS_RETENTION_H
#define TODO_EVENTS_RETENTION_H

#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

typedef struct retention retention_t;

struct retention_config {
    int64_t processed_ms; /* keep each consumer's processed_events records this long (> 0) */
    int64_t outbox_ms;    /* keep sent outbox rows this long; 0: this process does not own them */
    int64_t every_ms;     /* between rounds; 0: a quarter of the shorter window, 100 ms to 60 s */
    int batch;            /* rows per delete statement (default 500) */
};

/* A task for the processed_events of consumers[0..n) (copied) on store (which must outlive
 * it); nothing runs until retention_start. */
retention_t *retention_create(store_t *store, const char *const *consumers, int n,
                              const struct retention_config *cfg);
/* One round as of now_ms: for each table it owns, deletes what is older than its window, a
 * batch per statement, until none is left or the round's cap (so a large backlog is spread
 * over rounds). Returns the rows deleted, or -1 when a delete failed (logged). Thread-safe
 * against the metrics; not to be run concurrently with itself. */
int64_t retention_run(retention_t *r, int64_t now_ms);
/* Runs rounds every every_ms on a thread of its own until retention_destroy. */
void retention_start(retention_t *r);
/* todo_events_pruned_total{table="processed_events"|"outbox"}. */
void retention_metrics(retention_t *r, struct buf *out);
/* Stops the thread (a round in progress finishes its statement) and frees r. NULL is fine. */
void retention_destroy(retention_t *r);

#endif
