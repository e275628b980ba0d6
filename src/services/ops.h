/* ops.h - the operations endpoints every role serves: /healthz, /readyz (database and bus
 * reachable) and /metrics (HTTP, process, outbox and consumer metrics). */
#ifndef TODO_SERVICES_OPS_H
#define TODO_SERVICES_OPS_H

#include "events/bus.h"
#include "events/consumer.h"
#include "events/outbox.h"
#include "events/retention.h"
#include "http/server.h"
#include "sched/sched.h"
#include "services/notify/notify.h"
#include "store/store.h"

#define OPS_MAX_CONSUMERS 4

/* What the endpoints look at; owned by the caller, outlives the server. NULL members are
 * left out (a role without a relay has no outbox metrics). */
struct ops_service {
    http_server_t *server;
    store_t *store;
    bus_t *bus;
    outbox_relay_t *relay;
    int n_consumers;
    consumer_t *consumers[OPS_MAX_CONSUMERS];
    retention_t *retention;
    sched_t *sched;           /* the reminder scheduler, where this role runs one */
    notify_service_t *notify; /* the delivery metrics, where the role runs notify */
    struct app_chat *chat;    /* the chat's metrics, where the role serves the chat */
    /* more Prometheus text from a role's own parts (the realtime hub), or NULL */
    void (*extra_metrics)(void *ctx, struct buf *out);
    void *extra_metrics_ctx;
};

void ops_routes_register(struct ops_service *ops);

#endif
