/* dapr_routes.h - the routes the Dapr sidecar calls when the bus is dapr: GET
 * /dapr/subscribe (what to deliver where), POST /dapr/events/{topic} (one message,
 * answered SUCCESS / RETRY / DROP) and POST /job/{name} (a Jobs API job is due,
 * docs/decisions/0030-dapr-jobs-scheduler.md), on a listener of their own (TODO_DAPR_APP_LISTEN,
 * the sidecar's --app-port), never on the public one, each call authenticated by its dapr-api-token
 * (docs/decisions/0020-dapr-callbacks-authenticated.md). */
#ifndef TODO_SERVICES_DAPR_ROUTES_H
#define TODO_SERVICES_DAPR_ROUTES_H

#include <pthread.h>
#include <stdbool.h>

#include "app/app.h"
#include "base/workpool.h"
#include "events/bus.h"
#include "http/server.h"
#include "services/dapr_auth.h"

/* What the handlers need; owned by the caller. Set bus and auth (dapr_auth_init);
 * dapr_routes_register sets the rest. */
/* The browser's address, as the web front door (todo web) sends it through service
 * invocation (docs/decisions/0049-kubernetes-app-side.md). */
#define DAPR_CLIENT_ADDR_HEADER "X-Todo-Client-Addr"

struct dapr_service {
    bus_t *bus; /* a Dapr bus (events/bus_dapr.h) */
    /* the app id whose calls may name the client's address (TODO_WEB_APP_ID); NULL: none */
    const char *trusted_caller;
    struct app *app;       /* for the Jobs API's callbacks (POST /job/{name}); NULL: none */
    struct dapr_auth auth; /* the sidecar's token; read-only while the listener runs */
    http_server_t *server; /* the callback listener, owned; NULL until registered */
    workpool_t *pool;      /* deliveries run here, not on the HTTP workers, since a consumer
                              may retry for seconds; NULL once drained */
    pthread_rwlock_t lock; /* read: submit to pool; write: take the pool away */
    bool registered;
};

/* Creates the callback listener from cfg (bound here, so a bad or taken address fails
 * here), adds the routes (and GET /healthz, for the sidecar's app health checks) and starts
 * d->pool. Every call but /healthz needs the sidecar's token, also to routes the caller adds
 * to d->server (the api's own, for service invocation). The listener serves once
 * dapr_routes_start is called. */
int dapr_routes_register(struct dapr_service *d, const struct http_server_config *cfg,
                         struct todo_err *err);
int dapr_routes_start(struct dapr_service *d, struct todo_err *err);
/* The port the listener bound. */
unsigned dapr_routes_port(const struct dapr_service *d);
/* Stops accepting callbacks, runs the deliveries already queued (answering their requests),
 * stops d->pool (messages arriving later on open connections are answered RETRY), then
 * stops the listener, waiting up to grace_ms for the answers to go out. Call before
 * bus_stop. Idempotent; a no-op when never registered. */
void dapr_routes_stop(struct dapr_service *d, unsigned grace_ms);
/* Stops (without grace, when not yet stopped) and frees what register allocated, and
 * wipes d->auth. Idempotent. */
void dapr_routes_release(struct dapr_service *d);

#endif
