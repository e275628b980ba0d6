/* dapr_routes.h - the routes the Dapr sidecar calls when the bus is dapr: GET
 * /dapr/subscribe (what to deliver where) and POST /dapr/events/{topic} (one message,
 * answered SUCCESS / RETRY / DROP). */
#ifndef TODO_SERVICES_DAPR_ROUTES_H
#define TODO_SERVICES_DAPR_ROUTES_H

#include <pthread.h>
#include <stdbool.h>

#include "base/workpool.h"
#include "events/bus.h"
#include "http/server.h"

/* What the handlers need; owned by the caller, outlives the server. Set server and bus;
 * dapr_routes_register sets the rest. */
struct dapr_service {
    http_server_t *server;
    bus_t *bus;            /* a Dapr bus (events/bus_dapr.h) */
    workpool_t *pool;      /* deliveries run here, not on the HTTP workers, since a consumer
                              may retry for seconds; NULL once drained */
    pthread_rwlock_t lock; /* read: submit to pool; write: take the pool away */
    bool registered;
};

/* Adds both routes to d->server (before it starts) and starts d->pool. */
void dapr_routes_register(struct dapr_service *d);
/* Runs the deliveries already queued (answering their requests), then stops d->pool;
 * messages arriving later are answered RETRY. Call after http_server_quiesce and before
 * bus_stop. Idempotent; a no-op when never registered. */
void dapr_routes_drain(struct dapr_service *d);
/* Drains, and frees what register allocated. After http_server_destroy. */
void dapr_routes_release(struct dapr_service *d);

#endif
