/* api_assistant.c - POST /api/{user_id}/assistant/parse (docs/openapi.json): the built-in
 * parser's reading of one line, for the web UI's quick add (docs/web.md). The handler only
 * translates HTTP to app_assistant_parse and back. */
#include "app/assistant_parse.h"
#include "services/api/api_internal.h"

#include <assert.h>

static void h_assistant_parse(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    assert(api);
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    json_t *body = http_req_json(req, &err);
    json_t *out = NULL;
    int rc = body ? app_assistant_parse(api->app, uid, body, &out, &err) : err.rc;
    json_decref(body);
    if (rc)
        http_respond_error(req, &err);
    else
        api_respond_private(req, 200, out);
}

void api_assistant_routes_register(struct api_service *api)
{
    assert(api);
    http_route_add(api->server, "POST", "/api/{user_id}/assistant/parse", h_assistant_parse, api);
}
