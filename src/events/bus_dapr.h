/* bus_dapr.h - the Dapr bus backend: publishes through the sidecar's HTTP API (libcurl) and
 * receives what the sidecar pushes to the app's HTTP routes (services/dapr_routes.c). No
 * Kafka client code runs in this mode: Dapr's pubsub component talks to the broker. */
#ifndef TODO_EVENTS_BUS_DAPR_H
#define TODO_EVENTS_BUS_DAPR_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "events/bus.h"

struct bus_dapr_config {
    const char *sidecar_url;    /* "http://127.0.0.1:3500" (required; no trailing slash) */
    const char *pubsub;         /* the pubsub component's name; NULL: "pubsub" */
    int64_t connect_timeout_ms; /* 0: 2000 */
    int64_t publish_timeout_ms; /* per request; 0: 5000 */
};

/* Creates the bus (no request is made yet: an unreachable sidecar is reported by publish
 * and healthy). cfg's strings are copied. Sets *out and returns 0, or TODO_ERR_INTERNAL
 * for a bad configuration. Destroy with bus_destroy. */
int bus_dapr_create(const struct bus_dapr_config *cfg, bus_t **out, struct todo_err *err);

/* Appends the answer to the sidecar's GET /dapr/subscribe: a JSON array with one entry per
 * subscribed topic, {"pubsubname","topic","route":"/dapr/events/<topic>",
 * "deadLetterTopic":"<topic>.dlq"}. Returns 0, or TODO_ERR_INTERNAL when b is not a Dapr
 * bus. Thread-safe (subscriptions are fixed before bus_start). */
int bus_dapr_subscriptions_json(bus_t *b, struct buf *out);

/* Hands one pushed message to the handlers subscribed to its topic and returns their
 * enum bus_verdict: each subscribed group is called in turn (one at a time per group);
 * RETRY wins over DROP, DROP over ACK. Answers BUS_RETRY before bus_start, after bus_stop
 * or when b is not a Dapr bus, and BUS_DROP for a topic nobody subscribed to. m->id and
 * m->key may be NULL: they are then taken from the CloudEvent's "id" and "partitionkey".
 * Blocks for as long as the handlers run (their own retries included): call it off the
 * HTTP workers. Thread-safe. */
int bus_dapr_deliver_message(bus_t *b, const struct bus_message *m);
/* The same for a payload alone (id and key from the CloudEvent). */
int bus_dapr_deliver(bus_t *b, const char *topic, const char *payload, size_t len);

/* True when b is a Dapr bus. */
bool bus_is_dapr(const bus_t *b);

/* The text of the last error the bus met, "" when none or when b is not a Dapr bus.
 * Thread-safe: copied into a per-thread buffer valid until this thread's next call. */
const char *bus_dapr_last_error(bus_t *b);

#endif
