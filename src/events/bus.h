/* bus.h - the event bus interface, one of three backends chosen by configuration:
 * local (in-process), kafka (librdkafka), dapr (the sidecar's HTTP API). Producers publish
 * CloudEvents JSON with a key (the user id) that keeps one user's events in order;
 * consumers subscribe as a named group. Thread-safe unless noted. */
#ifndef TODO_EVENTS_BUS_H
#define TODO_EVENTS_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

typedef struct bus bus_t;

struct bus_message {
    const char *topic;
    const char *key;     /* partition key: the user id */
    const char *id;      /* the CloudEvent id (for logs and idempotency) */
    const char *payload; /* the CloudEvent JSON */
    size_t len;
    int64_t outbox_id; /* the outbox row it is published from, or 0 (see bus_marks_sent) */
};

/* What a consumer answers for a message: done (commit it), try it again later, or give up
 * on it (it is not retried; the consumer runtime dead-letters before answering DROP). */
enum bus_verdict { BUS_ACK = 0, BUS_RETRY, BUS_DROP };

/* Called for each message of a subscription, in order per key, never concurrently for one
 * group, on a thread of the backend's (each group has its own on the local bus). Returns an
 * enum bus_verdict. */
typedef int (*bus_handler_fn)(void *ctx, const struct bus_message *m);

/* Called with a batch of one subscription's messages, msgs[0..n) (n >= 1), in delivery order,
 * never concurrently for one group, on a backend's thread; sets verdicts[i] (enum bus_verdict)
 * for every message. A RETRY keeps that message for a later delivery (after backoff); the
 * others are done even when they come after it, so a handler that must keep one key's order
 * answers RETRY for the key's later messages too. Backends that deliver one message at a
 * time call it with n = 1. msgs and verdicts live until it returns. */
typedef void (*bus_batch_fn)(void *ctx, const struct bus_message *msgs, int n, int *verdicts);

/* Publishes msgs in order and waits until each is acknowledged by the broker (kafka:
 * acks=all; local: committed to the database queue of every subscribed group - it never
 * waits for a handler). *n_done is the length of
 * the acknowledged prefix; on an error the rest were not (or not certainly) published and
 * may be published again later. Returns 0 when all n were. */
int bus_publish(bus_t *b, const struct bus_message *msgs, int n, int *n_done, struct todo_err *err);
/* Subscribes a group to topics before bus_start. group names the service role
 * ("audit", "recurring"): every group gets every message; within a group, workers share
 * them, unless broadcast (every instance gets every message, as realtime needs). */
int bus_subscribe(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                  int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err);
/* As bus_subscribe, with a handler that takes batches: the local bus hands over up to 64
 * queued messages at a time and Kafka what one poll returned; Dapr delivers one per request
 * (docs/decisions/0023-batched-consumers.md). */
int bus_subscribe_batch(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                        int n_topics, bus_batch_fn fn, void *ctx, struct todo_err *err);
/* Starts consuming (threads of its own where the backend needs them). */
int bus_start(bus_t *b, struct todo_err *err);
/* Stops consuming; in-flight handlers finish, and no handler runs after it returns. */
void bus_stop(bus_t *b);
/* Messages on topic that group has not consumed yet, summed over the partitions this process
 * is assigned and knows a position of (kafka: each one's high watermark minus the group's
 * position, as the consumer's thread last saw them, about once a second). Returns 0 and sets
 * *out, or -1 when unknown (the local and dapr buses, a group or topic not consumed here, no
 * position yet). Thread-safe. */
int bus_consumer_lag(bus_t *b, const char *group, const char *topic, int64_t *out);
/* True when the broker (or sidecar) is reachable, for /readyz. */
bool bus_healthy(bus_t *b);
const char *bus_name(const bus_t *b);
/* True when publish marks each message's outbox row (outbox_id) sent itself, in the
 * transaction that accepts the message (the local bus, whose queues share the store), so
 * the relay does not mark them in a transaction of its own. */
bool bus_marks_sent(const bus_t *b);
void bus_destroy(bus_t *b);

/* The in-process bus: each group gets a queue in store (which must outlive the bus) and a
 * thread of its own started by bus_start; publish commits the message to every subscribed
 * group's queue and returns; a RETRY answer keeps the message at the head of that group's
 * queue, to be tried again with backoff. bus_stop joins the threads; queued messages wait in
 * the database for the next start. */
bus_t *bus_local_create(store_t *store);

#endif
