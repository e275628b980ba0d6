/* mcp.c - the Model Context Protocol's JSON-RPC side (docs/mcp.md): initialize (version
 * negotiation), ping, tools/list and tools/call over the tool set (tools.h). Both transports
 * hand it parsed messages and send back what it returns; nothing here knows about HTTP or
 * stdio. A tool's failure (a missing task, bad arguments) is a result with isError, as the
 * protocol asks, so a model can read it and try again; only a call that names no tool or
 * gives no arguments object is a JSON-RPC error. */
#include "app/mcp.h"
#include "app/tools.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TODO_VERSION
#define TODO_VERSION "dev"
#endif

#define INSTRUCTIONS                                                                               \
    "Manages the signed-in user's tasks. Use list_tasks to find a task's id (q searches "          \
    "titles, descriptions and tags), then complete_task, reopen_task, update_task or "             \
    "delete_task with that task_id. Times are RFC 3339 with an offset; reminders are ISO "         \
    "8601 durations before due_at (PT30M) or RFC 3339 times; recurrence is an RRULE or a "         \
    "preset (daily, weekdays, weekly, monthly, yearly)."

bool app_mcp_version_supported(const char *version)
{
    return version && (strcmp(version, APP_MCP_VERSION_LATEST) == 0 ||
                       strcmp(version, APP_MCP_VERSION_OLDEST) == 0);
}

/* An id JSON-RPC allows and MCP keeps: a string or an integer (never null). */
static bool valid_id(const json_t *id)
{
    return json_is_string(id) || json_is_integer(id);
}

enum app_mcp_kind app_mcp_kind(const json_t *msg)
{
    if (json_is_array(msg))
        return json_array_size(msg) ? APP_MCP_BATCH : APP_MCP_INVALID;
    if (!json_is_object(msg))
        return APP_MCP_INVALID;
    const char *v = json_string_value(json_object_get(msg, "jsonrpc"));
    if (!v || strcmp(v, "2.0") != 0)
        return APP_MCP_INVALID;
    json_t *id = json_object_get(msg, "id");
    json_t *method = json_object_get(msg, "method");
    if (method)
        return !json_is_string(method) ? APP_MCP_INVALID
               : !id                   ? APP_MCP_NOTIFICATION
               : valid_id(id)          ? APP_MCP_REQUEST
                                       : APP_MCP_INVALID;
    bool answer = json_object_get(msg, "result") || json_object_get(msg, "error");
    return answer && id ? APP_MCP_RESPONSE : APP_MCP_INVALID;
}

static bool is_initialize_one(const json_t *msg)
{
    return app_mcp_kind(msg) == APP_MCP_REQUEST &&
           strcmp(json_string_value(json_object_get(msg, "method")), "initialize") == 0;
}

bool app_mcp_is_initialize(const json_t *msg)
{
    if (!json_is_array(msg))
        return is_initialize_one(msg);
    size_t i;
    json_t *m;
    json_array_foreach(msg, i, m) if (is_initialize_one(m)) return true;
    return false;
}

bool app_mcp_wants_reply(const json_t *msg)
{
    enum app_mcp_kind k = app_mcp_kind(msg);
    if (k != APP_MCP_BATCH)
        return k == APP_MCP_REQUEST || k == APP_MCP_INVALID;
    size_t i;
    json_t *m;
    json_array_foreach(msg, i, m) if (app_mcp_wants_reply(m)) return true;
    return false;
}

json_t *app_mcp_error(json_t *id, int code, const char *message)
{
    assert(message);
    return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                     "error", "code", code, "message", message); /* O: +1 */
}

/* {jsonrpc, id, result}; result stolen. */
static json_t *response(json_t *id, json_t *result)
{
    return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
}

/* --- methods --- */

static json_t *initialize(json_t *params, char negotiated[APP_MCP_VERSION_MAX])
{
    const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
    /* The client's version when we speak it, else the newest we do (the client decides
     * whether it can go on with it). */
    const char *version = app_mcp_version_supported(asked) ? asked : APP_MCP_VERSION_LATEST;
    if (negotiated)
        snprintf(negotiated, APP_MCP_VERSION_MAX, "%s", version);
    return json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s, s:s}, s:s}", "protocolVersion", version,
                     "capabilities", "tools", "listChanged", 0, "serverInfo", "name", "todo",
                     "title", "Todo", "version", TODO_VERSION, "instructions", INSTRUCTIONS);
}

/* A schema text from tools.h as a jansson value (static data: valid by the unit tests). */
static json_t *schema(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    if (!v)
        abort(); /* a tool's schema is not JSON: a bug in tools_schema.c */
    return v;
}

static json_t *tool_json(const struct app_tool *t)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:{s:s, s:b, s:b, s:b, s:b}}", "name", t->name,
                     "title", t->title, "description", t->description, "inputSchema",
                     schema(t->input_schema), "outputSchema", schema(t->output_schema),
                     "annotations", "title", t->title, "readOnlyHint", t->read_only,
                     "destructiveHint", t->destructive, "idempotentHint", t->idempotent,
                     "openWorldHint", 0); /* o steals */
}

static json_t *tools_list(void)
{
    size_t n;
    const struct app_tool *tools = app_tools(&n);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, tool_json(&tools[i])); /* _new steals */
    return json_pack("{s:o}", "tools", list);
}

/* The text content of a result: the JSON itself, compact. */
static json_t *text_content(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!text)
        abort(); /* only on OOM */
    json_t *c = json_pack("[{s:s, s:s}]", "type", "text", "text", text);
    free(text);
    return c;
}

/* tools/call: the tool's result as structuredContent (and as text for older clients), or
 * its error as an isError result. Returns the response; bad params are JSON-RPC errors. */
static json_t *tools_call(struct app *a, const char *user_id, json_t *id, json_t *params)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    json_t *args = json_object_get(params, "arguments");
    if (!name)
        return app_mcp_error(id, APP_MCP_INVALID_PARAMS, "params.name must be a tool's name");
    if (!app_tool_find(name)) {
        char message[128];
        snprintf(message, sizeof message, "unknown tool: %.64s", name);
        return app_mcp_error(id, APP_MCP_INVALID_PARAMS, message);
    }
    if (args && !json_is_object(args) && !json_is_null(args))
        return app_mcp_error(id, APP_MCP_INVALID_PARAMS, "params.arguments must be an object");
    struct todo_err err;
    todo_err_clear(&err);
    json_t *result = NULL;
    json_t *out;
    if (app_tool_call(a, user_id, name, json_is_null(args) ? NULL : args, &result, &err) ==
        TODO_OK) {
        out = json_pack("{s:o, s:o, s:b}", "content", text_content(result), "structuredContent",
                        result, "isError", 0); /* o steals */
    } else {
        json_t *e = app_tool_error_json(&err);
        out = json_pack("{s:o, s:b}", "content", text_content(e), "isError", 1);
        json_decref(e);
    }
    return response(id, out);
}

/* Answers one request. */
static json_t *request(struct app *a, const char *user_id, json_t *msg,
                       char negotiated[APP_MCP_VERSION_MAX])
{
    json_t *id = json_object_get(msg, "id");
    const char *method = json_string_value(json_object_get(msg, "method"));
    json_t *params = json_object_get(msg, "params");
    if (params && !json_is_object(params))
        return app_mcp_error(id, APP_MCP_INVALID_PARAMS, "params must be an object");
    if (strcmp(method, "initialize") == 0) {
        if (!json_is_string(json_object_get(params, "protocolVersion")))
            return app_mcp_error(id, APP_MCP_INVALID_PARAMS,
                                 "params.protocolVersion must be a string");
        return response(id, initialize(params, negotiated));
    }
    if (strcmp(method, "ping") == 0)
        return response(id, json_object());
    if (strcmp(method, "tools/list") == 0)
        return response(id, tools_list());
    if (strcmp(method, "tools/call") == 0)
        return tools_call(a, user_id, id, params);
    return app_mcp_error(id, APP_MCP_METHOD_NOT_FOUND, "method not found");
}

static json_t *handle_one(struct app *a, const char *user_id, json_t *msg,
                          char negotiated[APP_MCP_VERSION_MAX])
{
    switch (app_mcp_kind(msg)) {
    case APP_MCP_REQUEST:
        return request(a, user_id, msg, negotiated);
    case APP_MCP_NOTIFICATION: /* initialized, cancelled: nothing to do or say */
    case APP_MCP_RESPONSE:     /* we send no requests: nothing waits for it */
        return NULL;
    default: {
        json_t *id = json_object_get(msg, "id");
        return app_mcp_error(valid_id(id) ? id : NULL, APP_MCP_INVALID_REQUEST,
                             "not a JSON-RPC 2.0 request, notification or response");
    }
    }
}

json_t *app_mcp_handle(struct app *a, const char *user_id, const char *version, json_t *msg,
                       char negotiated[APP_MCP_VERSION_MAX])
{
    assert(a && user_id && msg);
    if (negotiated)
        negotiated[0] = '\0';
    if (app_mcp_kind(msg) != APP_MCP_BATCH)
        return handle_one(a, user_id, msg, negotiated);
    if (!version || strcmp(version, APP_MCP_VERSION_OLDEST) != 0)
        return app_mcp_error(NULL, APP_MCP_INVALID_REQUEST,
                             "batches are not part of MCP " APP_MCP_VERSION_LATEST);
    json_t *replies = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(msg, i, m)
    {
        if (is_initialize_one(m)) { /* initialize must come alone */
            json_array_append_new(replies,
                                  app_mcp_error(json_object_get(m, "id"), APP_MCP_INVALID_REQUEST,
                                                "initialize cannot be batched"));
            continue;
        }
        json_t *r = handle_one(a, user_id, m, NULL);
        if (r)
            json_array_append_new(replies, r); /* _new steals */
    }
    if (json_array_size(replies) == 0) {
        json_decref(replies);
        return NULL;
    }
    return replies;
}
