/* api.h - the api role's REST routes (accounts, tasks, tags, operations). */
#ifndef TODO_SERVICES_API_H
#define TODO_SERVICES_API_H

#include "app/app.h"
#include "base/workpool.h"
#include "http/server.h"
#include "store/store.h"

#ifndef TODO_VERSION
#define TODO_VERSION "dev"
#endif

/* What the handlers need; owned by the caller, outlives the server. */
struct api_service {
    struct app *app;
    store_t *store;
    http_server_t *server;
    workpool_t *slow;      /* CPU-heavy or slow work (password hashing), off the HTTP workers */
    struct app_chat *chat; /* the chat use case (src/app/chat.h) */
    workpool_t *chat_pool; /* chat turns, off the HTTP workers (api_chat.c) */
    struct api_mcp *mcp;   /* the /mcp route's origins and pool (api_mcp.h); NULL: 503 */
};

/* Adds every route to api->server (before it starts). */
void api_routes_register(struct api_service *api);

#endif
