/* api_mcp.c - POST and DELETE /mcp: the Model Context Protocol's Streamable HTTP transport
 * (docs/mcp.md). Only adapts HTTP to src/app/mcp.h: checks the Origin (DNS rebinding), the
 * bearer token (as every /api route), Accept, the session id and MCP-Protocol-Version, then
 * hands the message to app_mcp_handle and answers its reply as JSON (202 when there is
 * none). Tool calls wait for their commit, so they run on the route's pool with the request
 * suspended (the seam of src/http/server.h); initialize, ping and tools/list answer at once.
 * Sessions need no shared memory (docs/decisions/0039-mcp-server.md). */
#include "services/api/api_mcp.h"
#include "app/mcp.h"
#include "base/xalloc.h"
#include "services/api/api_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ORIGINS_MAX 1024

struct api_mcp {
    char origins[ORIGINS_MAX]; /* comma list, as configured */
    workpool_t *pool;
};

struct api_mcp *api_mcp_create(const struct api_mcp_config *cfg)
{
    assert(cfg);
    struct api_mcp *m = xcalloc(1, sizeof *m);
    snprintf(m->origins, sizeof m->origins, "%s", cfg->allowed_origins ? cfg->allowed_origins : "");
    m->pool =
        workpool_create(cfg->threads ? cfg->threads : 2, cfg->max_queued ? cfg->max_queued : 256);
    return m;
}

void api_mcp_destroy(struct api_mcp *m)
{
    if (!m)
        return;
    workpool_destroy(m->pool);
    free(m);
}

/* --- answers --- */

/* An HTTP error whose body is a JSON-RPC error (id null), as MCP clients expect. */
static void respond_rpc_error(struct http_request *req, int status, json_t *id, int code,
                              const char *message)
{
    http_set_header(req, "Cache-Control", "no-store");
    http_respond_json(req, status, app_mcp_error(id, code, message)); /* steals */
}

static void respond_reply(struct http_request *req, json_t *reply)
{
    if (!reply) {
        http_respond_empty(req, 202);
        return;
    }
    api_respond_private(req, 200, reply); /* steals */
}

/* --- checks --- */

/* True when the comma list has item (case-insensitive, spaces around items ignored). */
static bool list_has(const char *list, const char *item, size_t item_len)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        const char *last = end;
        while (last > p && last[-1] == ' ')
            last--;
        size_t n = (size_t)(last - p);
        if ((n == 1 && *p == '*') || (n == item_len && n && strncasecmp(p, item, n) == 0))
            return true;
        p = end;
    }
    return false;
}

/* No Origin (not a browser), the server's own (its authority is the Host), or a listed one;
 * else 403. Keeps a web page on another site (or a rebound DNS name) from driving the
 * tools with a token it got hold of. */
static bool origin_allowed(struct http_request *req, const struct api_mcp *m)
{
    const char *origin = http_req_header(req, "Origin");
    if (!origin)
        return true;
    const char *host = http_req_header(req, "Host");
    const char *authority = strstr(origin, "://");
    bool same = host && authority && strcasecmp(authority + 3, host) == 0;
    if (same || list_has(m->origins, origin, strlen(origin)))
        return true;
    http_respond_errorf(req, TODO_ERR_FORBIDDEN,
                        "the Origin is not allowed (TODO_MCP_ALLOWED_ORIGINS)");
    return false;
}

/* Whether the Accept header takes media type "type/sub". */
static bool accepts(const char *accept, const char *type)
{
    const char *slash = strchr(type, '/');
    size_t main_len = (size_t)(slash - type);
    for (const char *p = accept; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",;");
        while (n && p[n - 1] == ' ')
            n--;
        if ((n == 3 && strncmp(p, "*/*", 3) == 0) ||
            (n == strlen(type) && strncasecmp(p, type, n) == 0) ||
            (n == main_len + 2 && strncasecmp(p, type, main_len + 1) == 0 &&
             p[main_len + 1] == '*'))
            return true;
        p = strchr(p, ',');
    }
    return false;
}

/* A POST must take both JSON and an event stream (the transport's rule); else 406. */
static bool accept_ok(struct http_request *req)
{
    const char *accept = http_req_header(req, "Accept");
    if (accept && accepts(accept, "application/json") && accepts(accept, "text/event-stream"))
        return true;
    respond_rpc_error(req, 406, NULL, -32000,
                      "Not Acceptable: Accept must list application/json and text/event-stream");
    return false;
}

/* Origin, then the token, then (when api->mcp is NULL) 503. */
static bool admit(struct http_request *req, struct api_service *api, char uid[USER_ID_MAX])
{
    if (!api->mcp) {
        http_respond_errorf(req, TODO_ERR_UNAVAILABLE, "MCP is not served here");
        return false;
    }
    return origin_allowed(req, api->mcp) && api_authenticate(req, api, uid);
}

/* The session of a request after initialize: Mcp-Session-Id required (400), live and the
 * caller's (404); an MCP-Protocol-Version header, when sent, one we speak (400). Writes the
 * session's version. */
static bool session_ok(struct http_request *req, struct api_service *api, const char *uid,
                       char version[APP_MCP_VERSION_MAX])
{
    const char *id = http_req_header(req, "Mcp-Session-Id");
    if (!id) {
        respond_rpc_error(req, 400, NULL, -32000, "Bad Request: Mcp-Session-Id header is required");
        return false;
    }
    struct todo_err err;
    todo_err_clear(&err);
    if (app_mcp_session_check(api->app, id, uid, version, &err)) {
        respond_rpc_error(req, 404, NULL, -32001, err.message);
        return false;
    }
    const char *asked = http_req_header(req, "MCP-Protocol-Version");
    if (asked && !app_mcp_version_supported(asked)) {
        respond_rpc_error(req, 400, NULL, -32000,
                          "Bad Request: unsupported MCP-Protocol-Version (this server "
                          "speaks " APP_MCP_VERSION_LATEST " and " APP_MCP_VERSION_OLDEST ")");
        return false;
    }
    return true;
}

/* --- POST --- */

/* A message waiting for the pool, its request suspended. */
struct mcp_job {
    struct http_request *req;
    struct app *app;
    json_t *msg; /* owned */
    char uid[USER_ID_MAX];
    char version[APP_MCP_VERSION_MAX];
    char traceparent[64];
};

static void run_job(void *arg)
{
    struct mcp_job *j = arg;
    app_trace_set(j->traceparent); /* the tools' events carry the request's trace */
    respond_reply(j->req, app_mcp_handle(j->app, j->uid, j->version, j->msg, NULL));
    json_decref(j->msg);
    struct http_request *req = j->req;
    free(j);
    http_request_resume(req); /* req may be gone after this */
}

/* Tool calls (and batches, which may hold some) go to the pool; msg is taken. */
static void submit(struct http_request *req, struct api_service *api, const char *uid,
                   const char *version, json_t *msg)
{
    struct mcp_job *j = xcalloc(1, sizeof *j);
    *j = (struct mcp_job){.req = req, .app = api->app, .msg = msg};
    snprintf(j->uid, sizeof j->uid, "%s", uid);
    snprintf(j->version, sizeof j->version, "%s", version);
    snprintf(j->traceparent, sizeof j->traceparent, "%s", http_req_traceparent(req));
    http_request_suspend(req);
    if (!workpool_submit(api->mcp->pool, run_job, j)) {
        json_decref(msg);
        free(j);
        http_set_header(req, "Retry-After", "1");
        respond_rpc_error(req, 503, NULL, -32000, "too many tool calls in progress; retry");
        http_request_resume(req);
    }
}

static bool calls_tools(const json_t *msg)
{
    const char *method = json_string_value(json_object_get(msg, "method"));
    return json_is_array(msg) || (method && strcmp(method, "tools/call") == 0);
}

/* initialize: no session yet; answered at once with a new session id. */
static void initialize(struct http_request *req, struct api_service *api, const char *uid,
                       json_t *msg)
{
    char version[APP_MCP_VERSION_MAX];
    json_t *reply = app_mcp_handle(api->app, uid, NULL, msg, version);
    if (version[0]) {
        char id[APP_MCP_SESSION_MAX];
        app_mcp_session_issue(api->app, uid, version, id);
        http_set_header(req, "Mcp-Session-Id", id);
    }
    respond_reply(req, reply);
}

static void h_mcp_post(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!admit(req, api, uid) || !accept_ok(req))
        return;
    size_t len;
    const char *body = http_req_body(req, &len);
    json_t *msg = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (!msg) {
        respond_rpc_error(req, 400, NULL, APP_MCP_PARSE_ERROR, "Parse error: the body is not JSON");
        return;
    }
    if (app_mcp_kind(msg) == APP_MCP_INVALID) {
        json_t *id = json_is_object(msg) ? json_object_get(msg, "id") : NULL;
        respond_rpc_error(req, 400, json_is_string(id) || json_is_integer(id) ? id : NULL,
                          APP_MCP_INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message");
        json_decref(msg);
        return;
    }
    if (!json_is_array(msg) && app_mcp_is_initialize(msg)) {
        initialize(req, api, uid, msg);
        json_decref(msg);
        return;
    }
    char version[APP_MCP_VERSION_MAX];
    if (!session_ok(req, api, uid, version)) {
        json_decref(msg);
        return;
    }
    if (!app_mcp_wants_reply(msg)) { /* notifications and responses: accepted, no body */
        http_respond_empty(req, 202);
        json_decref(msg);
        return;
    }
    if (calls_tools(msg)) {
        submit(req, api, uid, version, msg);
        return;
    }
    respond_reply(req, app_mcp_handle(api->app, uid, version, msg, NULL));
    json_decref(msg);
}

/* --- DELETE: the client ends its session --- */

static void h_mcp_delete(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!admit(req, api, uid))
        return;
    const char *id = http_req_header(req, "Mcp-Session-Id");
    if (!id) {
        respond_rpc_error(req, 400, NULL, -32000, "Bad Request: Mcp-Session-Id header is required");
        return;
    }
    struct todo_err err;
    todo_err_clear(&err);
    int rc = app_mcp_session_end(api->app, id, uid, &err);
    if (rc == TODO_ERR_NOT_FOUND)
        respond_rpc_error(req, 404, NULL, -32001, err.message);
    else if (rc)
        http_respond_error(req, &err);
    else
        http_respond_empty(req, 204);
}

void api_mcp_routes_register(struct api_service *api)
{
    http_route_add(api->server, "POST", "/mcp", h_mcp_post, api);
    http_route_add(api->server, "DELETE", "/mcp", h_mcp_delete, api);
}
