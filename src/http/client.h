/* client.h - one outgoing HTTP request over libcurl, blocking, with its answer (status,
 * headers, body) gathered in memory: the shared client of the calls to the Dapr sidecar
 * (the secrets API, the front door's service invocation; docs/architecture.md, "What runs").
 * Long-lived, specialised callers (the LLM's streamed replies, the notification senders)
 * keep their own handles. */
#ifndef TODO_HTTP_CLIENT_H
#define TODO_HTTP_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define HTTP_CLIENT_MAX_HEADERS 32

/* What to send; borrowed for the call. headers: "Name: value" lines (n_headers of them). */
struct http_client_request {
    const char *method; /* "GET", "POST", ...; NULL is GET */
    const char *url;
    const char *const *headers;
    size_t n_headers;
    const void *body; /* NULL: none */
    size_t body_len;
    long timeout_ms;         /* the whole exchange; 0: none */
    long connect_timeout_ms; /* 0: curl's default */
    size_t max_response;     /* body bytes kept at most; more is an error */
    const atomic_bool *stop; /* set (by another thread): the call ends at once; NULL: none */
};

/* What came back; http_client_response_release frees it. Header names and values are copies
 * (at most HTTP_CLIENT_MAX_HEADERS, those of the final answer after any 1xx). */
struct http_client_response {
    long status;
    struct buf body;
    size_t n_headers;
    char *names[HTTP_CLIENT_MAX_HEADERS];
    char *values[HTTP_CLIENT_MAX_HEADERS];
};

/* Sends req and fills resp (any status is an answer). Errors, with resp released:
 * TODO_ERR_UNAVAILABLE (no connection: refused, unresolvable), TODO_ERR_BUSY (the timeout
 * passed), TODO_ERR_TOO_LARGE (the body is over max_response), TODO_ERR_INTERNAL (stopped
 * by req->stop, or anything else). The message names curl's reason, never a header or the body.
 * Thread-safe: a handle per call; call curl_global_init once before any thread does. */
int http_client_do(const struct http_client_request *req, struct http_client_response *resp,
                   struct todo_err *err);
/* The value of the first header named name (case-insensitive), or NULL. */
const char *http_client_header(const struct http_client_response *resp, const char *name);
/* Frees what resp holds; when wipe, first zeroes the body (it held a secret). */
void http_client_response_release(struct http_client_response *resp, bool wipe);

#endif
