/* realtime.h - the realtime role: GET /ws and the broadcast consumer of task-updates that
 * pushes each change to the connections of its user (docs/decisions/0033-websocket-realtime.md). */
#ifndef TODO_SERVICES_REALTIME_H
#define TODO_SERVICES_REALTIME_H

#include "app/app.h"
#include "events/bus.h"
#include "http/server.h"
#include "http/ws.h"

struct realtime_service {
    struct app *app; /* not owned: tokens are checked with it */
    ws_hub_t *hub;
    int64_t started_ms; /* events older than this (minus a margin) are history, not pushed */
};

/* Starts the hub (its thread) with cfg's limits (auth is set here). Returns 0, or an error
 * with err set. */
int realtime_start(struct realtime_service *rt, struct app *app, const struct ws_hub_config *cfg,
                   struct todo_err *err);
/* Registers GET /ws on server. */
void realtime_routes_register(struct realtime_service *rt, http_server_t *server);
/* Subscribes the broadcast group "realtime" to task-updates (before bus_start). */
int realtime_subscribe(struct realtime_service *rt, bus_t *bus, struct todo_err *err);
/* Closes every connection (1001) and stops the hub: before http_server_stop. */
void realtime_stop(struct realtime_service *rt);
/* Frees the hub (after the bus stopped: no handler runs then). Accepts an unstarted rt. */
void realtime_release(struct realtime_service *rt);
/* The hub's Prometheus text (ops' extra metrics; ctx is the service). */
void realtime_metrics(void *ctx, struct buf *out);

#endif
