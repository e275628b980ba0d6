/* ws.h - WebSocket connections (RFC 6455) for the realtime role: the handshake on an HTTP
 * worker, then each upgraded connection owned by the hub's own thread (epoll), framed by
 * libwslay, with a bounded send queue per connection
 * (docs/decisions/0033-websocket-realtime.md).
 *
 * Threads: ws_handle_upgrade runs on HTTP workers; everything about a connection after the
 * 101 happens on the hub's thread; ws_hub_send_user may be called from any thread. */
#ifndef TODO_HTTP_WS_H
#define TODO_HTTP_WS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/server.h"

#define WS_USER_MAX  64
#define WS_TOKEN_MAX 4096

typedef struct ws_hub ws_hub_t;

/* Checks a bearer token: writes its user id (NUL-terminated, < WS_USER_MAX) and returns 0,
 * or non-zero when it is not acceptable (bad, expired, revoked). Thread-safe: it runs on HTTP
 * workers and on the hub's thread. */
typedef int (*ws_auth_fn)(void *ctx, const char *token, char user_id[WS_USER_MAX]);

struct ws_hub_config {
    ws_auth_fn auth; /* required */
    void *auth_ctx;
    size_t max_message;       /* largest message received; larger: close 1009 (1 MiB) */
    size_t queue_messages;    /* per connection, not yet handed to the socket; beyond: 1008 */
    size_t queue_bytes;       /* the same bound in bytes */
    unsigned max_connections; /* beyond: 503 at the handshake */
    int64_t auth_timeout_ms;  /* to send the auth message; then close 1008 */
    int64_t ping_interval_ms; /* the hub pings an idle connection; silent twice as long: cut */
    int64_t recheck_ms;       /* how often an open connection's token is checked again */
    int64_t close_timeout_ms; /* after our close frame, how long the peer has to answer */
};

/* Creates the hub (fills unset config members with the defaults above) and starts its
 * thread. Returns NULL, err set, when the thread or epoll cannot be made. */
ws_hub_t *ws_hub_create(const struct ws_hub_config *cfg, struct todo_err *err);
/* The GET /ws handler (ctx: the hub): checks the handshake, authenticates a token offered as
 * the subprotocol "bearer.<token>" (401 when refused), and upgrades. */
void ws_handle_upgrade(struct http_request *r, void *ctx);
/* Sends text (a JSON message, copied) to every authenticated connection of user_id. Any
 * thread; never blocks on a client. A connection whose queue is full is closed with 1008. */
void ws_hub_send_user(ws_hub_t *h, const char *user_id, const char *text, size_t len);
/* Prometheus text: todo_ws_connections, todo_ws_messages_sent_total,
 * todo_ws_closes_total{code}. Thread-safe. */
void ws_hub_metrics(ws_hub_t *h, struct buf *out);
/* Refuses new connections, closes the open ones with 1001 (bounded wait for their close
 * frames), closes their sockets and joins the thread. Before http_server_stop. Idempotent. */
void ws_hub_stop(ws_hub_t *h);
/* Stops (if needed) and frees. Accepts NULL. */
void ws_hub_destroy(ws_hub_t *h);

/* The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 section 4.2.2): 0, or -1
 * when key is not the base64 of 16 bytes. out holds 29 bytes with the NUL. Pure. */
int ws_accept_key(const char *key, char out[29]);

#endif
