/* bus_kafka.h - the Kafka bus backend (librdkafka): an idempotent acks=all producer keyed by
 * user id, and one consumer (with a thread of its own) per subscription whose offsets are
 * committed only after the handler returned ACK or DROP. */
#ifndef TODO_EVENTS_BUS_KAFKA_H
#define TODO_EVENTS_BUS_KAFKA_H

#include <stdint.h>

#include "base/err.h"
#include "events/bus.h"

struct bus_kafka_config {
    const char *brokers;        /* bootstrap servers, "host:port[,host:port...]" (required) */
    const char *client_id;      /* NULL: "todo" */
    const char *instance_id;    /* unique per process, for broadcast groups (required for
                                   broadcast subscriptions) */
    int64_t publish_timeout_ms; /* how long a publish may wait for the broker; 0: 5000 */
};

/* Creates the bus and its producer (no connection is made yet: an unreachable broker is
 * reported by publish and healthy, not here). cfg's strings are copied. Sets *out and
 * returns 0, or returns TODO_ERR_INTERNAL for a configuration librdkafka refuses. Destroy
 * with bus_destroy. */
int bus_kafka_create(const struct bus_kafka_config *cfg, bus_t **out, struct todo_err *err);

/* The text of the last error the bus met (a failed publish or commit, a consumer or client
 * error), "" when none, or when b is not a Kafka bus. Thread-safe: the text is copied into
 * a per-thread buffer that stays valid until this thread's next call. */
const char *bus_kafka_last_error(bus_t *b);

#endif
