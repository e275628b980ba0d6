/* server.h - the HTTP server: libmicrohttpd with an internal thread pool, a router with
 * path parameters, body limits, content-type checks, request ids, JSON access logs,
 * metrics and graceful shutdown.
 *
 * Threads: handlers run on the pool's worker threads; one request is handled by one thread
 * at a time. A handler must not block on slow outside calls: it may instead call
 * http_request_suspend, return, and later (from any thread) set the response and call
 * http_request_resume. */
#ifndef TODO_HTTP_SERVER_H
#define TODO_HTTP_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

typedef struct http_server http_server_t;
struct http_request;

/* A route handler. It must leave a response on req (http_respond_*), or suspend it. */
typedef void (*http_handler_fn)(struct http_request *req, void *ctx);

struct http_server_config {
    const char *listen; /* "host:port", "[v6]:port" or ":port" */
    unsigned threads;   /* 0 = number of CPUs */
    size_t max_body;    /* bytes; larger bodies get 413 */
    bool access_log;    /* one JSON line per request */
    /* The fallback gets the reserved paths (/api, /dapr, /job) too: for a server that serves
     * no API itself and forwards it (todo web, src/services/web/web.c). */
    bool fallback_everywhere;
};

/* Creates a server and binds its socket (so a bad address fails here). */
int http_server_create(const struct http_server_config *cfg, http_server_t **out,
                       struct todo_err *err);
/* Adds a route before start. pattern: "/api/{user_id}/tasks/{id}"; a {name} segment
 * captures one path segment. Keeps the pattern pointer (use a literal). */
void http_route_add(http_server_t *s, const char *method, const char *pattern, http_handler_fn fn,
                    void *ctx);
/* Sets the handler for requests whose path no route matches (before start; once). It
 * gets every method, bodies unchecked; paths /api, /dapr and below never reach it (they
 * keep the JSON 404). Metrics and access logs name all its requests by label (keeps the
 * pointer: use a literal), so the label count stays bounded. Not listed by
 * http_routes_each. */
void http_server_set_fallback(http_server_t *s, const char *label, http_handler_fn fn, void *ctx);
/* True for the paths that belong to the API and the Dapr sidecar: /api, /dapr, /job and
 * below. A miss there is always the JSON 404, never the fallback (no web page for an API
 * typo, nor for a sidecar callback sent to the public listener). */
bool http_path_reserved(const char *path);
/* Runs before routing, on every request: returns true to go on, or false having set the
 * answer (the sidecar's token check on the callback listener). Before start; once. */
typedef bool (*http_guard_fn)(struct http_request *req, void *ctx);
void http_server_set_guard(http_server_t *s, http_guard_fn fn, void *ctx);
/* Requests to a route of s that main also has (same method and pattern) are counted in
 * main's metrics from now on, so /metrics shows one API whichever listener served it (the
 * api's routes on the Dapr callback listener). Call once both have their routes, before
 * start; main must outlive s's requests. */
void http_server_count_into(http_server_t *s, http_server_t *main);
/* Calls fn(method, pattern, arg) for every route, in the order added. */
void http_routes_each(http_server_t *s, void (*fn)(const char *, const char *, void *), void *arg);
int http_server_start(http_server_t *s, struct todo_err *err);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const http_server_t *s);
/* Stops accepting new connections; requests in flight go on. Idempotent. */
void http_server_quiesce(http_server_t *s);
/* Stops accepting, lets in-flight requests finish (up to grace_ms), then stops. */
void http_server_stop(http_server_t *s, unsigned grace_ms);
void http_server_destroy(http_server_t *s);
/* Prometheus text of the HTTP metrics (requests, latency) and process metrics, appended
 * to out. Thread-safe. */
struct buf;
void http_server_metrics(http_server_t *s, struct buf *out);

/* --- request accessors (valid during the handler) --- */
const char *http_req_method(const struct http_request *r);
const char *http_req_path(const struct http_request *r); /* percent-decoded by MHD */
/* The path as the client sent it (still percent-encoded, no query), or http_req_path when
 * the request target was not origin-form. */
const char *http_req_raw_path(const struct http_request *r);
/* The query as the client sent it (still percent-encoded, after '?'), or "". */
const char *http_req_raw_query(const struct http_request *r);
const char *http_req_route(const struct http_request *r); /* the matched pattern */
const char *http_req_id(const struct http_request *r);
/* This request's W3C traceparent: a child span of the caller's, or a new trace. */
const char *http_req_traceparent(const struct http_request *r);
/* Path parameter by name, or NULL. */
const char *http_req_param(const struct http_request *r, const char *name);
/* Query parameter (decoded), or NULL. */
const char *http_req_query(struct http_request *r, const char *name);
/* Request header, case-insensitive, or NULL. */
const char *http_req_header(struct http_request *r, const char *name);
/* How many header lines named name (case-insensitive) the request has. */
unsigned http_req_header_count(struct http_request *r, const char *name);
const char *http_req_remote(const struct http_request *r); /* client address text */
/* Replaces the client address (rate limits, the access log) with addr (copied, cut to 63
 * bytes): a guard that trusts who forwarded the request says whom it came from. */
void http_req_set_remote(struct http_request *r, const char *addr);
/* The raw body (NUL-terminated copy) and its length; "" when none. */
const char *http_req_body(const struct http_request *r, size_t *len);
/* Parses the body as JSON. Returns a new reference (caller decrefs) or NULL with err set:
 * TODO_ERR_BAD_REQUEST for a missing or malformed body. */
json_t *http_req_json(struct http_request *r, struct todo_err *err);
/* Request-scoped memory, freed after the response is sent. */
void *http_req_alloc(struct http_request *r, size_t n);

/* --- responses (one per request; later calls replace the earlier one) --- */
/* Adds a response header (copied). */
void http_set_header(struct http_request *r, const char *name, const char *value);
/* Steals body (a reference the caller no longer owns). */
void http_respond_json(struct http_request *r, int status, json_t *body);
/* Copies data. */
void http_respond_data(struct http_request *r, int status, const char *content_type,
                       const void *data, size_t len);
/* Takes ownership of malloc'd data. */
void http_respond_take(struct http_request *r, int status, const char *content_type, char *data,
                       size_t len);
/* Zero copy: data (and content_type) are borrowed, never freed or written, and must stay
 * valid until the server is destroyed (files loaded at start, literals). */
void http_respond_static(struct http_request *r, int status, const char *content_type,
                         const void *data, size_t len);
void http_respond_empty(struct http_request *r, int status);
/* The API's error shape for err (status from err->rc). */
void http_respond_error(struct http_request *r, const struct todo_err *err);
/* Shorthand: an error with a code and message, no details. */
void http_respond_errorf(struct http_request *r, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- protocol upgrade (WebSocket, src/http/ws.c) --- */
struct http_upgraded; /* an upgraded connection: the server keeps it until closed */
/* Runs on an HTTP worker once the 101 answer is sent: fd is the connection's socket, to read
 * and write (not to close); extra[0..extra_len) are bytes the client sent after the request,
 * already read (valid during the call). up is closed with http_upgraded_close, once. */
typedef void (*http_upgrade_fn)(void *ctx, int fd, const char *extra, size_t extra_len,
                                struct http_upgraded *up);
/* Answers 101 Switching Protocols with the headers set by http_set_header, then hands the
 * connection to fn. */
void http_respond_upgrade(struct http_request *r, http_upgrade_fn fn, void *ctx);
/* Closes an upgraded connection (the socket and libmicrohttpd's record). Any thread. Every
 * upgraded connection must be closed before http_server_stop. */
void http_upgraded_close(struct http_upgraded *up);

/* --- the seam for slow outside calls --- */
/* Marks the request suspended: the worker thread is released when the handler returns. */
void http_request_suspend(struct http_request *r);
/* From any thread, after setting the response: hands the request back to the server. */
void http_request_resume(struct http_request *r);

#endif
