/* server.c - the HTTP server on libmicrohttpd.
 *
 * The one idea: a request is a struct http_request created on MHD's first call for a
 * connection's request, filled with the body over the following calls, routed and handled
 * on the final call, and freed in MHD's completion callback, which also writes the access
 * log line and the metrics. Everything a handler allocates comes from the request's arena.
 *
 * Suspension: a handler may release its worker (http_request_suspend) and finish the
 * request later from another thread (http_request_resume). A per-request mutex closes the
 * race between a resume that arrives before MHD_suspend_connection has been called. */
#include "http/server.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/trace.h"
#include "base/uuid.h"
#include "base/xalloc.h"
#include "http/linger.h"
#include "http/metrics.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SEGMENTS        12
#define MAX_PARAMS          6
#define MAX_RESP_HEADERS    16
#define CHUNKED_DISCARD_MAX (4u << 20)  /* bytes of an oversized chunked body read and dropped */
#define ABANDON_SEND_MS     1000        /* time to send the 503s of abandoned requests at stop */
#define LINGER_MAX_FDS      256         /* connections lingering at once after an early answer */
#define LINGER_TIMEOUT_MS   5000        /* how long each may go on sending */
#define LINGER_MAX_BYTES    (64u << 20) /* how much of it is read and dropped */
/* Each connection's libmicrohttpd memory pool (headers, read and write buffers), zeroed by
 * libmicrohttpd between the requests of a keep-alive connection: at the default 32 KiB that
 * zeroing was half of a GET of one task (docs/decisions/0025-reads-in-index-order.md). 16 KiB
 * still holds 12 KiB of request headers. */
#define SERVER_CONN_MEMORY (16u << 10)

struct route {
    const char *method;
    const char *pattern;
    int n_segments;
    char *segments[MAX_SEGMENTS]; /* owned; "{name}" segments capture */
    http_handler_fn fn;
    void *ctx;
};

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_server_config cfg;
    int listen_fd;
    bool quiesced; /* atomic: no new connections; MHD no longer runs resumed ones */
    unsigned port;
    int n_routes;
    struct route routes[METRICS_ROUTE_FALLBACK];
    const char *route_names[METRICS_ROUTE_FALLBACK];
    const char *route_methods[METRICS_ROUTE_FALLBACK];
    struct route fallback; /* fn NULL when none; pattern is its label */
    http_guard_fn guard;   /* runs before every route; NULL when none */
    void *guard_ctx;
    /* http_server_count_into: requests of route i count in count_into's slot count_as[i] */
    http_server_t *count_into;
    int count_as[METRICS_ROUTE_FALLBACK];
    struct http_metrics metrics;
    pthread_mutex_t inflight_lock;
    pthread_cond_t inflight_zero;
    int inflight;
    struct http_request *suspended; /* under inflight_lock: the requests suspended now */
    http_linger_t *linger;          /* connections closed after an early answer */
};

/* REQ_ABANDONED: still suspended when the server stopped; answered 503 by the server, while
 * the request's memory stays with whoever holds it until that one calls resume. */
/* REQ_WAITING: suspended after the server was quiesced; its worker waits for the resume. */
enum req_state { REQ_RECEIVING, REQ_HANDLED, REQ_SUSPENDED, REQ_WAITING, REQ_READY, REQ_ABANDONED };

struct http_request {
    http_server_t *server;
    struct MHD_Connection *conn;
    struct arena arena;
    bool started; /* request_start ran (MHD called on_request) */
    const char *method;
    char *path;
    char *raw_path;  /* as sent (percent-encoded), without the query; NULL when unknown */
    char *raw_query; /* as sent, after '?' (no fragment); NULL when none */
    const struct route *route;
    int route_idx;
    int n_params;
    const char *param_names[MAX_PARAMS];
    const char *param_values[MAX_PARAMS];
    struct buf body;
    bool too_large;
    bool close_after;  /* the framing is not trusted: answer with Connection: close */
    uint64_t received; /* body bytes seen, kept or not */
    char request_id[40];
    char traceparent[TRACEPARENT_LEN + 1]; /* this request's span: a child of the caller's */
    char remote[64];
    uint64_t start_ns;
    /* response */
    int status;
    char *resp_body; /* malloc'd, or borrowed when resp_borrowed */
    bool resp_borrowed;
    size_t resp_len;
    const char *content_type;
    int n_headers;
    const char *header_names[MAX_RESP_HEADERS];
    const char *header_values[MAX_RESP_HEADERS];
    size_t bytes_sent;
    bool queued;
    http_upgrade_fn upgrade_fn; /* set: the answer is 101 and the connection goes to it */
    void *upgrade_ctx;
    /* suspension */
    pthread_mutex_t lock;
    pthread_cond_t resumed; /* with lock: a worker waiting for a resume (after quiesce) */
    enum req_state state;
    bool suspend_requested;
    bool held;      /* suspended and not yet resumed: its finisher may still write to it */
    bool conn_gone; /* MHD is done with it: the finisher's resume frees it */
    struct http_request *next_suspended, *prev_suspended; /* the server's list */
};

/* --- routes --- */

/* Splits path in place into at most max segments; a trailing slash adds an empty last
 * segment (a different resource). Returns the count, or -1 when the path has more than max
 * (nothing is ever written past segments[max - 1]). */
static int split_path(char *path, char **segments, int max)
{
    assert(path && segments && max > 0);
    int n = 0;
    char *p = path;
    while (*p == '/')
        p++;
    while (*p) {
        if (n == max)
            return -1;
        segments[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
        if (!*p) { /* a trailing slash is a different resource */
            if (n == max)
                return -1;
            segments[n++] = p;
        }
    }
    assert(n <= max);
    return n;
}

static int count_params(const struct route *r)
{
    int n = 0;
    for (int i = 0; i < r->n_segments; i++)
        n += r->segments[i][0] == '{';
    return n;
}

void http_route_add(http_server_t *s, const char *method, const char *pattern, http_handler_fn fn,
                    void *ctx)
{
    if (s->n_routes == METRICS_ROUTE_FALLBACK)
        abort(); /* a programming error: more routes than the metrics table holds */
    /* http_server_count_into maps the routes there are when it is called: add them first */
    assert(!s->count_into);
    struct route *r = &s->routes[s->n_routes];
    r->method = method;
    r->pattern = pattern;
    r->fn = fn;
    r->ctx = ctx;
    char *copy = xstrdup(pattern);
    char *segs[MAX_SEGMENTS];
    int n = split_path(copy, segs, MAX_SEGMENTS);
    if (n < 0)
        abort();
    r->n_segments = n;
    for (int i = 0; i < n; i++)
        r->segments[i] = xstrdup(segs[i]);
    free(copy);
    if (count_params(r) > MAX_PARAMS)
        abort(); /* a programming error: a request holds at most MAX_PARAMS parameters */
    s->route_names[s->n_routes] = pattern;
    s->route_methods[s->n_routes] = method;
    s->n_routes++;
}

void http_server_set_fallback(http_server_t *s, const char *label, http_handler_fn fn, void *ctx)
{
    s->fallback.method = "*";
    s->fallback.pattern = label;
    s->fallback.fn = fn;
    s->fallback.ctx = ctx;
}

void http_routes_each(http_server_t *s, void (*fn)(const char *, const char *, void *), void *arg)
{
    for (int i = 0; i < s->n_routes; i++)
        fn(s->routes[i].method, s->routes[i].pattern, arg);
}

/* Does route r's pattern match the segments? Captures parameters into req when it does. */
static bool route_match(const struct route *r, char **segs, int n, struct http_request *req)
{
    if (r->n_segments != n)
        return false;
    int n_params = 0;
    for (int i = 0; i < n; i++) {
        const char *p = r->segments[i];
        if (p[0] == '{') {
            if (!segs[i][0] || n_params == MAX_PARAMS)
                return false;
            n_params++;
            continue;
        }
        if (strcmp(p, segs[i]) != 0)
            return false;
    }
    if (req) {
        n_params = 0;
        for (int i = 0; i < n; i++) {
            const char *p = r->segments[i];
            if (p[0] != '{')
                continue;
            size_t len = strlen(p);
            req->param_names[n_params] = arena_strndup(&req->arena, p + 1, len - 2);
            req->param_values[n_params] = segs[i];
            n_params++;
        }
        req->n_params = n_params;
    }
    return true;
}

bool http_path_reserved(const char *path)
{
    /* /job: the Dapr Jobs callbacks, served like /dapr only on the sidecar's listener */
    static const char *const prefixes[] = {"/api", "/dapr", "/job"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return true;
    }
    return false;
}

/* Finds the handler; on a path match with the wrong method responds 405 with Allow. When
 * nothing matches the path, returns the fallback (outside the reserved paths), else responds
 * 404. Returns the route or NULL (response already set). */
static const struct route *route_find(http_server_t *s, struct http_request *req)
{
    char *copy = arena_strndup(&req->arena, req->path, strlen(req->path));
    char *segs[MAX_SEGMENTS];
    int n = split_path(copy, segs, MAX_SEGMENTS);
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    struct buf allow;
    buf_init(&allow);
    const struct route *found = NULL;
    const char *listed[METRICS_MAX_ROUTES]; /* methods already in allow */
    int n_listed = 0;
    if (n >= 0) {
        for (int i = 0; i < s->n_routes; i++) {
            const struct route *r = &s->routes[i];
            if (!route_match(r, segs, n, NULL))
                continue;
            if (strcmp(r->method, method) == 0) {
                route_match(r, segs, n, req);
                req->route_idx = i;
                found = r;
                break;
            }
            /* Several patterns can match one path (tasks/count and tasks/{id}): list each
             * method once. */
            bool dup = false;
            for (int j = 0; j < n_listed && !dup; j++)
                dup = strcmp(listed[j], r->method) == 0;
            if (dup)
                continue;
            listed[n_listed++] = r->method;
            if (allow.len)
                buf_puts(&allow, ", ");
            buf_puts(&allow, r->method);
            if (strcmp(r->method, "GET") == 0)
                buf_puts(&allow, ", HEAD");
        }
    }
    if (!found && !allow.len && s->fallback.fn &&
        (s->cfg.fallback_everywhere || !http_path_reserved(req->path))) {
        req->route_idx = METRICS_ROUTE_FALLBACK;
        found = &s->fallback;
    } else if (!found && allow.len) {
        http_set_header(req, "Allow", allow.data);
        http_respond_errorf(req, TODO_ERR_METHOD, "%s is not allowed on this resource; use %s",
                            req->method, allow.data);
    } else if (!found) {
        http_respond_errorf(req, TODO_ERR_NOT_FOUND, "no such resource");
    }
    buf_release(&allow);
    return found;
}

/* --- request accessors --- */

const char *http_req_method(const struct http_request *r)
{
    return r->method;
}

const char *http_req_path(const struct http_request *r)
{
    return r->path;
}

const char *http_req_raw_path(const struct http_request *r)
{
    return r->raw_path ? r->raw_path : r->path;
}

const char *http_req_raw_query(const struct http_request *r)
{
    return r->raw_query ? r->raw_query : "";
}

void http_req_set_remote(struct http_request *r, const char *addr)
{
    assert(addr);
    snprintf(r->remote, sizeof r->remote, "%s", addr);
}

void http_server_count_into(http_server_t *s, http_server_t *main)
{
    assert(s && main && s != main && !s->count_into);
    s->count_into = main;
    for (int i = 0; i < s->n_routes; i++) {
        s->count_as[i] = -1;
        for (int j = 0; j < main->n_routes && s->count_as[i] < 0; j++)
            if (strcmp(s->routes[i].method, main->routes[j].method) == 0 &&
                strcmp(s->routes[i].pattern, main->routes[j].pattern) == 0)
                s->count_as[i] = j;
    }
}

void http_server_set_guard(http_server_t *s, http_guard_fn fn, void *ctx)
{
    assert(s && !s->guard);
    s->guard = fn;
    s->guard_ctx = ctx;
}

const char *http_req_route(const struct http_request *r)
{
    return r->route ? r->route->pattern : "unmatched";
}

const char *http_req_id(const struct http_request *r)
{
    return r->request_id;
}

const char *http_req_traceparent(const struct http_request *r)
{
    return r->traceparent;
}

const char *http_req_param(const struct http_request *r, const char *name)
{
    for (int i = 0; i < r->n_params; i++)
        if (strcmp(r->param_names[i], name) == 0)
            return r->param_values[i];
    return NULL;
}

const char *http_req_query(struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_req_header(struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct header_count {
    const char *name;
    unsigned n;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    (void)value;
    struct header_count *hc = cls;
    if (key && strcasecmp(key, hc->name) == 0)
        hc->n++;
    return MHD_YES;
}

unsigned http_req_header_count(struct http_request *r, const char *name)
{
    struct header_count hc = {.name = name, .n = 0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &hc);
    return hc.n;
}

const char *http_req_remote(const struct http_request *r)
{
    return r->remote;
}

const char *http_req_body(const struct http_request *r, size_t *len)
{
    *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

void *http_req_alloc(struct http_request *r, size_t n)
{
    return arena_alloc(&r->arena, n);
}

json_t *http_req_json(struct http_request *r, struct todo_err *err)
{
    if (r->body.len == 0) {
        todo_err_set(err, TODO_ERR_BAD_REQUEST, "a JSON body is required");
        return NULL;
    }
    json_error_t jerr;
    json_t *j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        todo_err_set(err, TODO_ERR_BAD_REQUEST, "malformed JSON at byte %d: %s", jerr.position,
                     jerr.text);
        return NULL;
    }
    return j;
}

/* --- responses --- */

void http_set_header(struct http_request *r, const char *name, const char *value)
{
    for (int i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->header_names[i], name) == 0) {
            r->header_values[i] = arena_strndup(&r->arena, value, strlen(value));
            return;
        }
    if (r->n_headers == MAX_RESP_HEADERS)
        return;
    r->header_names[r->n_headers] = arena_strndup(&r->arena, name, strlen(name));
    r->header_values[r->n_headers] = arena_strndup(&r->arena, value, strlen(value));
    r->n_headers++;
}

static void response_body_release(struct http_request *r)
{
    if (!r->resp_borrowed)
        free(r->resp_body);
    r->resp_body = NULL;
    r->resp_borrowed = false;
    r->upgrade_fn = NULL; /* a later answer replaces an upgrade too */
}

void http_respond_take(struct http_request *r, int status, const char *content_type, char *data,
                       size_t len)
{
    response_body_release(r);
    r->status = status;
    r->content_type = content_type;
    r->resp_body = data;
    r->resp_len = len;
}

void http_respond_static(struct http_request *r, int status, const char *content_type,
                         const void *data, size_t len)
{
    response_body_release(r);
    r->status = status;
    r->content_type = content_type;
    r->resp_body = (char *)(uintptr_t)data; /* never written: MHD_RESPMEM_PERSISTENT */
    r->resp_borrowed = data != NULL;
    r->resp_len = data ? len : 0;
}

void http_respond_data(struct http_request *r, int status, const char *content_type,
                       const void *data, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    http_respond_take(r, status, content_type, copy, len);
}

void http_respond_json(struct http_request *r, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        abort(); /* jansson only fails here on OOM */
    http_respond_take(r, status, "application/json", text, strlen(text));
}

void http_respond_empty(struct http_request *r, int status)
{
    http_respond_take(r, status, NULL, NULL, 0);
}

void http_respond_error(struct http_request *r, const struct todo_err *err)
{
    int rc = err->rc ? err->rc : TODO_ERR_INTERNAL;
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"message\":\"", todo_rc_name(rc));
    buf_json_escape(&b, err->message[0] ? err->message : todo_rc_name(rc));
    buf_putc(&b, '"');
    if (err->n_details) {
        buf_puts(&b, ",\"details\":[");
        for (int i = 0; i < err->n_details; i++) {
            buf_puts(&b, i ? ",{\"field\":\"" : "{\"field\":\"");
            buf_json_escape(&b, err->details[i].field);
            buf_puts(&b, "\",\"message\":\"");
            buf_json_escape(&b, err->details[i].message);
            buf_puts(&b, "\"}");
        }
        buf_putc(&b, ']');
    }
    buf_puts(&b, "}}");
    size_t len = b.len;
    http_respond_take(r, todo_rc_http_status(rc), "application/json", buf_take(&b), len);
}

void http_respond_errorf(struct http_request *r, int rc, const char *fmt, ...)
{
    struct todo_err err;
    todo_err_clear(&err);
    err.rc = rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    http_respond_error(r, &err);
}

/* --- the MHD side --- */

static bool request_id_acceptable(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++) {
        char c = id[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok || n >= 36)
            return false;
    }
    return n >= 8;
}

/* MHD's URI log callback: the first sight of a request, before its headers, and the only
 * place the request target is seen before MHD percent-decodes the path. Allocates the
 * request (not yet started) to keep the raw path; on_request starts it, on_completed frees
 * it either way. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct http_request *r = xcalloc(1, sizeof *r);
    arena_init(&r->arena);
    if (uri && uri[0] == '/') {
        size_t n = strcspn(uri, "?#");
        r->raw_path = arena_strndup(&r->arena, uri, n);
        if (uri[n] == '?')
            r->raw_query = arena_strndup(&r->arena, uri + n + 1, strcspn(uri + n + 1, "#"));
    }
    return r;
}

/* Starts the request shell (from on_uri, or NULL: a new one). */
static struct http_request *request_start(http_server_t *s, struct http_request *shell,
                                          struct MHD_Connection *conn, const char *url,
                                          const char *method)
{
    struct http_request *r = shell;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        arena_init(&r->arena);
    }
    r->started = true;
    r->server = s;
    r->conn = conn;
    r->start_ns = time_mono_ns();
    buf_init(&r->body);
    r->method = method;
    r->path = arena_strndup(&r->arena, url, strlen(url));
    r->route_idx = METRICS_ROUTE_UNMATCHED;
    r->status = 500;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->resumed, NULL);
    const char *given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (given && request_id_acceptable(given))
        snprintf(r->request_id, sizeof r->request_id, "%s", given);
    else
        random_hex(r->request_id, 16);
    traceparent_child(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "traceparent"),
                      r->traceparent);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->remote, sizeof r->remote, "unknown");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->remote,
                      sizeof r->remote);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->remote, sizeof r->remote);
    }
    pthread_mutex_lock(&s->inflight_lock);
    s->inflight++;
    pthread_mutex_unlock(&s->inflight_lock);
    return r;
}

static void request_free(struct http_request *r)
{
    response_body_release(r);
    buf_release(&r->body);
    arena_release(&r->arena);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->resumed);
    free(r);
}

static void suspended_unlink(http_server_t *s, struct http_request *r);

/* MHD is done with r: it leaves the server's count, and is freed unless a finisher still
 * holds it (an abandoned request), in which case the finisher's resume frees it. */
static void request_destroy(struct http_request *r)
{
    if (!r->started) { /* seen by on_uri only: the client left before its headers */
        arena_release(&r->arena);
        free(r);
        return;
    }
    http_server_t *s = r->server;
    pthread_mutex_lock(&r->lock);
    bool held = r->held;
    r->conn_gone = true;
    pthread_mutex_unlock(&r->lock);
    /* A resumed request MHD finished without calling on_request again (its client left
     * while it was suspended) is still on the list: off it before anyone frees it, this
     * thread now or its finisher later (unlinking twice is harmless). */
    suspended_unlink(s, r);
    if (!held)
        request_free(r);
    pthread_mutex_lock(&s->inflight_lock);
    if (--s->inflight == 0)
        pthread_cond_broadcast(&s->inflight_zero);
    pthread_mutex_unlock(&s->inflight_lock);
}

static void suspended_link(http_server_t *s, struct http_request *r)
{
    pthread_mutex_lock(&s->inflight_lock);
    r->prev_suspended = NULL;
    r->next_suspended = s->suspended;
    if (s->suspended)
        s->suspended->prev_suspended = r;
    s->suspended = r;
    pthread_mutex_unlock(&s->inflight_lock);
}

static void suspended_unlink(http_server_t *s, struct http_request *r)
{
    pthread_mutex_lock(&s->inflight_lock);
    if (r->prev_suspended)
        r->prev_suspended->next_suspended = r->next_suspended;
    else if (s->suspended == r)
        s->suspended = r->next_suspended;
    if (r->next_suspended)
        r->next_suspended->prev_suspended = r->prev_suspended;
    r->next_suspended = r->prev_suspended = NULL;
    pthread_mutex_unlock(&s->inflight_lock);
}

/* The answer to a request the server gave up on: never r's own response fields, which its
 * finisher may be writing. */
static enum MHD_Result send_abandoned(struct http_request *r)
{
    static const char body[] = "{\"error\":{\"code\":\"unavailable\",\"message\":\"the server "
                               "is shutting down; try again\"}}";
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sizeof body - 1, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_add_response_header(resp, "Retry-After", "1");
    enum MHD_Result ret = MHD_queue_response(r->conn, 503, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* libmicrohttpd's upgrade handler: con_cls is the request, alive until its completion. */
static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
                       size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    (void)cls;
    (void)conn;
    struct http_request *r = con_cls;
    assert(r && r->upgrade_fn);
    r->upgrade_fn(r->upgrade_ctx, sock, extra_in, extra_in_size, (struct http_upgraded *)urh);
}

void http_respond_upgrade(struct http_request *r, http_upgrade_fn fn, void *ctx)
{
    assert(r && fn);
    response_body_release(r);
    r->status = 101;
    r->content_type = NULL;
    r->resp_len = 0;
    r->upgrade_fn = fn;
    r->upgrade_ctx = ctx;
}

void http_upgraded_close(struct http_upgraded *up)
{
    assert(up);
    MHD_upgrade_action((struct MHD_UpgradeResponseHandle *)up, MHD_UPGRADE_ACTION_CLOSE);
}

static enum MHD_Result send_response(struct http_request *r)
{
    struct MHD_Response *resp;
    if (r->upgrade_fn) {
        resp = MHD_create_response_for_upgrade(on_upgrade, NULL);
    } else if (r->resp_body && r->resp_borrowed) {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp_body, MHD_RESPMEM_PERSISTENT);
    } else if (r->resp_body) {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp_body, MHD_RESPMEM_MUST_FREE);
        r->resp_body = NULL; /* MHD frees it */
    } else {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* A stopping server also moves keep-alive clients off: quiescing stops new connections
     * only, and a client reusing its connection would otherwise be served until the end. */
    if (r->close_after ||
        (!r->upgrade_fn && __atomic_load_n(&r->server->quiesced, __ATOMIC_ACQUIRE)))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    for (int i = 0; i < r->n_headers; i++)
        MHD_add_response_header(resp, r->header_names[i], r->header_values[i]);
    r->bytes_sent = r->resp_len;
    r->queued = true;
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* application/json, or application/cloudevents+json (what the Dapr sidecar delivers) */
static bool is_json_type(const char *ct)
{
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0) {
        n = strlen("application/cloudevents+json");
        if (strncasecmp(ct, "application/cloudevents+json", n) != 0)
            return false;
    }
    const char *rest = ct + n;
    while (*rest == ' ')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static void dispatch(struct http_request *r)
{
    http_server_t *s = r->server;
    if (r->too_large) {
        http_respond_errorf(r, TODO_ERR_TOO_LARGE, "the body is larger than %zu bytes",
                            s->cfg.max_body);
        r->close_after = true; /* the client may still be sending the rest */
        return;
    }
    if (s->guard && !s->guard(r, s->guard_ctx))
        return; /* answered by the guard */
    const struct route *route = route_find(s, r);
    if (!route)
        return;
    r->route = route;
    if (r->body.len > 0 && route != &s->fallback) { /* the fallback answers any body itself */
        const char *ct = http_req_header(r, "Content-Type");
        if (!ct || !is_json_type(ct)) {
            http_respond_errorf(r, TODO_ERR_UNSUPPORTED_MEDIA, "the body must be application/json");
            return;
        }
    }
    route->fn(r, route->ctx);
}

/* --- framing (RFC 9112 section 6): a body's length must be known one way only --- */

struct framing {
    int n_cl, n_te;
    const char *cl, *te;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct framing *f = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        f->n_cl++;
        f->cl = value;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->n_te++;
        f->te = value;
    }
    return MHD_YES;
}

static bool all_digits(const char *v)
{
    if (!v || !*v)
        return false;
    for (; *v; v++)
        if (*v < '0' || *v > '9')
            return false;
    return true;
}

/* Refuses a request whose body length is ambiguous (a smuggling vector behind a proxy that
 * frames another way), or whose declared length is over the limit, before any of the body is
 * read. Sets the error response and close_after, and returns false; true when the framing is
 * sound. docs/decisions/0021-http-framing.md. */
static bool framing_acceptable(http_server_t *s, struct http_request *r, const char *version)
{
    struct framing f = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
    int rc = TODO_OK;
    const char *why = NULL;
    if (f.n_te && f.n_cl)
        rc = TODO_ERR_BAD_REQUEST, why = "a request may not carry both Content-Length and "
                                         "Transfer-Encoding";
    else if (f.n_te && (f.n_te > 1 || strcasecmp(f.te, "chunked") != 0))
        rc = TODO_ERR_BAD_REQUEST, why = "the only Transfer-Encoding accepted is chunked";
    else if (f.n_te && strcmp(version, MHD_HTTP_VERSION_1_1) != 0)
        rc = TODO_ERR_BAD_REQUEST, why = "Transfer-Encoding needs HTTP/1.1";
    else if (f.n_cl > 1)
        rc = TODO_ERR_BAD_REQUEST, why = "a request may carry one Content-Length";
    else if (f.n_cl && !all_digits(f.cl))
        rc = TODO_ERR_BAD_REQUEST, why = "Content-Length must be a decimal number of bytes";
    else if (f.n_cl && (strlen(f.cl) > 19 || strtoull(f.cl, NULL, 10) > s->cfg.max_body))
        r->too_large = true;
    if (rc) {
        http_respond_errorf(r, rc, "%s", why);
        r->close_after = true;
        return false;
    }
    if (r->too_large) { /* answered at once; the rest of the body is never read */
        dispatch(r);
        return false;
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    http_server_t *s = cls;
    struct http_request *r = *con_cls;
    if (!r || !r->started) {
        r = request_start(s, r, conn, url, method);
        *con_cls = r;
        if (!framing_acceptable(s, r, version))
            return send_response(r);
        return MHD_YES;
    }
    if (r->state == REQ_READY || r->state == REQ_ABANDONED) { /* resumed */
        suspended_unlink(s, r);
        pthread_mutex_lock(&r->lock);
        bool abandoned = r->state == REQ_ABANDONED;
        pthread_mutex_unlock(&r->lock);
        return abandoned ? send_abandoned(r) : send_response(r);
    }
    if (*upload_data_size) {
        /* Only a chunked body can grow past the limit here (a declared length over it was
         * answered before the body). libmicrohttpd 0.9.75 cannot queue an answer in the
         * middle of a body, so the rest is read and dropped, up to CHUNKED_DISCARD_MAX, and
         * answered 413 with the connection closed; past that the connection is cut. */
        r->received += *upload_data_size;
        if (r->received > s->cfg.max_body && !r->too_large) {
            r->too_large = true;
            buf_release(&r->body);
        }
        if (!r->too_large)
            buf_append(&r->body, upload_data, *upload_data_size);
        else if (r->received > CHUNKED_DISCARD_MAX)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    dispatch(r);
    /* Lock order: the server's inflight_lock before a request's lock (abandon_suspended), so
     * the request joins the suspended list before its own lock is taken. */
    pthread_mutex_lock(&r->lock);
    bool may_suspend = r->suspend_requested;
    pthread_mutex_unlock(&r->lock);
    if (may_suspend)
        suspended_link(s, r);
    pthread_mutex_lock(&r->lock);
    /* Once the server is quiesced (shutting down), MHD was seen not to run a resumed connection
     * again: the worker waits for the resume itself, or for the stop to give up on it (503). */
    if (r->suspend_requested && r->state != REQ_READY &&
        __atomic_load_n(&s->quiesced, __ATOMIC_ACQUIRE)) {
        r->state = REQ_WAITING;
        while (r->state == REQ_WAITING)
            pthread_cond_wait(&r->resumed, &r->lock);
        bool abandoned = r->state == REQ_ABANDONED;
        pthread_mutex_unlock(&r->lock);
        suspended_unlink(s, r);
        if (abandoned)
            return send_abandoned(r);
        pthread_mutex_lock(&r->lock);
    }
    if (r->suspend_requested && r->state != REQ_READY) {
        r->state = REQ_SUSPENDED;
        MHD_suspend_connection(conn);
        pthread_mutex_unlock(&r->lock);
        return MHD_YES;
    }
    r->state = REQ_HANDLED;
    pthread_mutex_unlock(&r->lock);
    if (may_suspend) /* resumed before it was suspended: answered here */
        suspended_unlink(s, r);
    return send_response(r);
}

void http_request_suspend(struct http_request *r)
{
    pthread_mutex_lock(&r->lock);
    assert(!r->held);
    r->suspend_requested = true;
    r->held = true;
    pthread_mutex_unlock(&r->lock);
}

void http_request_resume(struct http_request *r)
{
    pthread_mutex_lock(&r->lock);
    assert(r->held);
    r->held = false;
    if (r->state == REQ_ABANDONED) { /* the server answered 503 and stopped waiting */
        bool gone = r->conn_gone;
        pthread_mutex_unlock(&r->lock);
        if (gone)
            request_free(r);
        return;
    }
    bool was_suspended = r->state == REQ_SUSPENDED;
    struct MHD_Connection *conn = r->conn;
    r->state = REQ_READY;
    pthread_cond_signal(&r->resumed); /* a worker waiting after quiesce */
    pthread_mutex_unlock(&r->lock);
    /* After the resume MHD may answer and free r at once: touch nothing of r from here. A
     * suspended connection stays untouched by MHD until this call, so r is alive up to it;
     * a request not yet suspended is answered by its worker, which sees REQ_READY. */
    if (was_suspended)
        MHD_resume_connection(conn);
}

static void access_log(struct http_request *r, int status, uint64_t duration_ns)
{
    struct buf f;
    buf_init(&f);
    char trace_id[33];
    traceparent_trace_id(r->traceparent, trace_id);
    buf_printf(&f, "\"request_id\":\"%s\",\"trace_id\":\"%s\",\"method\":\"", r->request_id,
               trace_id);
    buf_json_escape(&f, r->method);
    buf_printf(&f, "\",\"route\":\"%s\",\"path\":\"", http_req_route(r));
    buf_json_escape(&f, r->path);
    buf_printf(&f, "\",\"status\":%d,\"duration_ms\":%.3f,\"bytes\":%zu,\"remote\":\"%s\"", status,
               (double)duration_ns / 1e6, r->bytes_sent, r->remote);
    log_write(status >= 500 ? LOG_ERROR : LOG_INFO, "request", f.data);
    buf_release(&f);
}

/* The answer went out before the body was read: let the client finish sending so that it
 * reads the answer rather than a reset (src/http/linger.c). */
static void linger_connection(http_server_t *s, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci || ci->connect_fd < 0)
        return;
    int fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0);
    if (fd >= 0)
        http_linger_add(s->linger, fd);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct http_request *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    if (!r->started) { /* never reached on_request: nothing to count or log */
        request_destroy(r);
        return;
    }
    uint64_t duration = time_mono_ns() - r->start_ns;
    if (r->close_after && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        linger_connection(r->server, conn);
    pthread_mutex_lock(&r->lock);
    bool abandoned = r->state == REQ_ABANDONED;
    pthread_mutex_unlock(&r->lock);
    /* an abandoned request's own fields belong to its finisher: read none of its response */
    int status = abandoned ? 503 : r->queued ? r->status : 499; /* 499: the client went away */
    http_server_t *s = r->server;
    bool alias = s->count_into && r->route_idx < s->n_routes && s->count_as[r->route_idx] >= 0;
    http_metrics_observe(alias ? &s->count_into->metrics : &s->metrics,
                         alias ? s->count_as[r->route_idx] : r->route_idx,
                         http_metrics_method_index(r->method), status, duration);
    if (r->server->cfg.access_log)
        access_log(r, status, duration);
    request_destroy(r);
}

/* --- lifecycle --- */

static int open_listener(const char *listen_addr, int *out_fd, struct todo_err *err)
{
    char host[256];
    const char *colon = strrchr(listen_addr, ':');
    if (!colon || !colon[1])
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "listen address must be host:port");
    size_t hlen = (size_t)(colon - listen_addr);
    if (hlen >= sizeof host)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "listen host too long");
    memcpy(host, listen_addr, hlen);
    host[hlen] = '\0';
    char *h = host;
    if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
        h[hlen - 1] = '\0';
        h++;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int grc = getaddrinfo(h[0] ? h : NULL, colon + 1, &hints, &res);
    if (grc)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "cannot resolve listen address %s: %s",
                            listen_addr, gai_strerror(grc));
    int fd = -1;
    int saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "cannot listen on %s: %s", listen_addr,
                            strerror(saved));
    *out_fd = fd;
    return TODO_OK;
}

int http_server_create(const struct http_server_config *cfg, http_server_t **out,
                       struct todo_err *err)
{
    int fd = -1;
    int rc = open_listener(cfg->listen, &fd, err);
    if (rc)
        return rc;
    http_server_t *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (!s->cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n > 0 ? (unsigned)n : 1;
    }
    s->listen_fd = fd;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    http_metrics_init(&s->metrics);
    s->linger = http_linger_create(LINGER_MAX_FDS, LINGER_TIMEOUT_MS, LINGER_MAX_BYTES);
    pthread_mutex_init(&s->inflight_lock, NULL);
    pthread_cond_init(&s->inflight_zero, NULL);
    *out = s;
    return TODO_OK;
}

int http_server_start(http_server_t *s, struct todo_err *err)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | MHD_USE_TURBO | MHD_ALLOW_UPGRADE;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)SERVER_CONN_MEMORY, MHD_OPTION_END);
    if (!s->daemon)
        return todo_err_set(err, TODO_ERR_INTERNAL, "libmicrohttpd failed to start");
    return TODO_OK;
}

unsigned http_server_port(const http_server_t *s)
{
    return s->port;
}

void http_server_quiesce(http_server_t *s)
{
    if (!s->daemon || __atomic_load_n(&s->quiesced, __ATOMIC_ACQUIRE))
        return;
    __atomic_store_n(&s->quiesced, true, __ATOMIC_RELEASE);
    int fd = MHD_quiesce_daemon(s->daemon);
    /* The socket is ours again, but MHD's workers may still be taking it out of their epoll
     * sets: closing it now races them (ThreadSanitizer saw it), and a shutdown() wakes them
     * all into libmicrohttpd 0.9.75's own race between the quiescing thread and a worker
     * removing it (a "Failed to remove listen FD from epoll set" abort). So it stays open,
     * unwatched, until http_server_destroy closes it after the workers are joined; clients
     * that connect meanwhile wait in the backlog and are reset then. */
    if (fd < 0)
        s->listen_fd = -1; /* MHD kept it and closes it when it stops */
}

/* Waits until no request is in flight or the deadline passes. Caller holds inflight_lock. */
static void wait_inflight(http_server_t *s, unsigned ms)
{
    struct timespec deadline = time_deadline_ms(CLOCK_REALTIME, ms);
    while (s->inflight > 0)
        if (pthread_cond_timedwait(&s->inflight_zero, &s->inflight_lock, &deadline) != 0)
            break;
}

/* Gives up on the requests still suspended: each is answered 503 by its connection's thread
 * (MHD may not stop with a suspended connection), and its memory stays with its finisher,
 * whose late resume frees it. Caller holds inflight_lock. */
static void abandon_suspended(http_server_t *s)
{
    for (struct http_request *r = s->suspended; r; r = r->next_suspended) {
        pthread_mutex_lock(&r->lock);
        bool suspended = r->state == REQ_SUSPENDED;
        if (r->state == REQ_WAITING) { /* its worker answers 503 */
            r->state = REQ_ABANDONED;
            pthread_cond_signal(&r->resumed);
        }
        if (suspended)
            r->state = REQ_ABANDONED;
        pthread_mutex_unlock(&r->lock);
        if (suspended)
            MHD_resume_connection(r->conn);
    }
}

void http_server_stop(http_server_t *s, unsigned grace_ms)
{
    if (!s->daemon)
        return;
    http_server_quiesce(s);
    pthread_mutex_lock(&s->inflight_lock);
    wait_inflight(s, grace_ms);
    if (s->suspended) {
        abandon_suspended(s);
        wait_inflight(s, ABANDON_SEND_MS);
    }
    pthread_mutex_unlock(&s->inflight_lock);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
}

void http_server_destroy(http_server_t *s)
{
    if (!s)
        return;
    if (s->daemon)
        http_server_stop(s, 0);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    for (int i = 0; i < s->n_routes; i++)
        for (int j = 0; j < s->routes[i].n_segments; j++)
            free(s->routes[i].segments[j]);
    http_linger_destroy(s->linger);
    pthread_mutex_destroy(&s->inflight_lock);
    pthread_cond_destroy(&s->inflight_zero);
    free(s);
}

void http_server_metrics(http_server_t *s, struct buf *out)
{
    http_metrics_render(&s->metrics, s->route_names, s->route_methods, s->n_routes,
                        s->fallback.fn ? s->fallback.pattern : NULL, out);
}
