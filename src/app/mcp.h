/* mcp.h - the Model Context Protocol over the tool set (docs/mcp.md): JSON-RPC 2.0 messages
 * in, replies out, the same for both transports (the /mcp route over Streamable HTTP and
 * `todo mcp` over stdio, which only adapt bytes and headers), and the HTTP transport's
 * session ids, which any replica can check without shared memory
 * (docs/decisions/0039-mcp-server.md). Thread-safe. */
#ifndef TODO_APP_MCP_H
#define TODO_APP_MCP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "base/err.h"

#define APP_MCP_VERSION_LATEST "2025-06-18"
#define APP_MCP_VERSION_OLDEST "2025-03-26"
#define APP_MCP_VERSION_MAX    16

/* JSON-RPC error codes. */
#define APP_MCP_PARSE_ERROR      (-32700)
#define APP_MCP_INVALID_REQUEST  (-32600)
#define APP_MCP_METHOD_NOT_FOUND (-32601)
#define APP_MCP_INVALID_PARAMS   (-32602)

/* True for a protocol version this server speaks. */
bool app_mcp_version_supported(const char *version);

enum app_mcp_kind {
    APP_MCP_REQUEST,      /* method and id: gets a response */
    APP_MCP_NOTIFICATION, /* method, no id */
    APP_MCP_RESPONSE,     /* result or error with an id: a client's answer */
    APP_MCP_BATCH,        /* a JSON array */
    APP_MCP_INVALID
};
/* What msg is, as JSON-RPC 2.0 defines it. Pure. */
enum app_mcp_kind app_mcp_kind(const json_t *msg);
/* True when msg is an initialize request (or a batch holding one). Pure. */
bool app_mcp_is_initialize(const json_t *msg);
/* True when a message of this kind (a batch: any member) asks for a response. Pure. */
bool app_mcp_wants_reply(const json_t *msg);

/* A JSON-RPC error response: {jsonrpc, id, error: {code, message}}; id borrowed (NULL: null).
 * New reference. */
json_t *app_mcp_error(json_t *id, int code, const char *message);

/* Answers msg (parsed) for user_id. version: the protocol version the session agreed, or
 * NULL before initialize; batches are answered only for 2025-03-26 (the later versions
 * dropped them). When msg is an initialize request that succeeded, negotiated (may be NULL)
 * gets the version agreed, else it is left "". Returns the reply to send (new reference:
 * a response, or an array of them for a batch), or NULL when there is none (notifications,
 * a client's responses). Blocking: a tool call waits for its commit, so never run it on an
 * HTTP worker. */
json_t *app_mcp_handle(struct app *a, const char *user_id, const char *version, json_t *msg,
                       char negotiated[APP_MCP_VERSION_MAX]);

/* --- sessions of the Streamable HTTP transport (mcp_session.c) --- */
#define APP_MCP_SESSION_MAX    256
#define APP_MCP_SESSION_TTL_MS (30LL * 24 * 3600 * 1000)

/* Writes a new session id for user_id speaking version: visible ASCII, signed with a key
 * derived from the JWT secret, valid APP_MCP_SESSION_TTL_MS from now. Thread-safe. */
void app_mcp_session_issue(struct app *a, const char *user_id, const char *version,
                           char out[APP_MCP_SESSION_MAX]);
/* Checks a session id: its signature, that it is user_id's, unexpired and not ended. On
 * success writes its protocol version. TODO_ERR_NOT_FOUND otherwise. Reads no database. */
int app_mcp_session_check(struct app *a, const char *id, const char *user_id,
                          char version[APP_MCP_VERSION_MAX], struct todo_err *err);
/* Ends the session on every replica (a revoked session row, read by every replica's
 * sessions watcher; this one at once). 404 when it is not a live session of user_id. */
int app_mcp_session_end(struct app *a, const char *id, const char *user_id, struct todo_err *err);

#endif
