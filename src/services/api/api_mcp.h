/* api_mcp.h - the /mcp route: the Model Context Protocol over Streamable HTTP (docs/mcp.md),
 * a thin adapter over src/app/mcp.h. */
#ifndef TODO_SERVICES_API_MCP_H
#define TODO_SERVICES_API_MCP_H

#include "services/api/api.h"

struct api_mcp_config {
    const char *allowed_origins; /* TODO_MCP_ALLOWED_ORIGINS: comma list of origins besides the
                                    server's own, "*" for any; copied */
    unsigned threads;            /* the pool that runs tool calls off the HTTP workers */
    size_t max_queued;           /* calls waiting for it; more get 503 */
};

/* The route's state: the allowed origins and the pool. */
struct api_mcp *api_mcp_create(const struct api_mcp_config *cfg);
/* Runs the calls already queued, then frees it; after the server stopped. NULL is fine. */
void api_mcp_destroy(struct api_mcp *m);
/* Adds POST and DELETE /mcp (GET gets the router's 405: no server-initiated stream). The
 * handlers use api->mcp; NULL (todo routes) answers 503. */
void api_mcp_routes_register(struct api_service *api);

#endif
