/* web.c - `todo web`, the web front door (web.h).
 *
 * The one idea: a forwarded call waits on the network, so it never runs on an HTTP worker.
 * The worker checks the path and headers, copies what is forwarded, suspends the request
 * and queues the call on the forwarding pool; a pool thread calls the sidecar's invoke API
 * (src/http/client.c), sets the answer and resumes the request (docs/architecture.md, "The
 * suspend/resume seam"). A slow api fills the pool and its queue, never the workers: the UI,
 * /healthz and a full queue's 503 are still answered.
 *
 * Whose answer: the api's carry X-Request-Id (its server adds one to every answer); an
 * answer without it is the sidecar's own (the api unreachable, a circuit open, a policy's
 * timeout), which becomes 502 (504 for a timeout) in the API's error shape. */
#include "services/web/web.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/workpool.h"
#include "base/xalloc.h"
#include "http/client.h"
#include "http/server.h"
#include "http/static_files.h"
#include "services/config.h"
#include "services/dapr_routes.h"
#include "services/serve.h"
#include "services/web/web_proxy.h"

#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SHUTDOWN_GRACE_MS    10000
#define WEB_MAX_RESPONSE     (16u << 20)
#define WEB_CONNECT_MS       2000
#define WEB_MAX_HEADERS      (HTTP_CLIENT_MAX_HEADERS - 8)
#define WEB_HEADER_VALUE_MAX 8192

enum outcome { OUT_ANSWERED, OUT_BAD_GATEWAY, OUT_TIMEOUT, OUT_BUSY, OUT_STOPPED, OUTCOMES };
static const char *const outcome_names[OUTCOMES] = {"answered", "bad_gateway", "timeout", "busy",
                                                    "stopped"};

struct web_service {
    const struct todo_config *cfg;
    http_server_t *server;
    static_files_t *ui; /* NULL: no UI (TODO_WEB_DIR="") */
    workpool_t *pool;
    char *token_header;   /* "dapr-api-token: ..." for our sidecar, or NULL; wiped at the end */
    atomic_bool stopping; /* calls in flight end now; queued ones answer 503 */
    pthread_mutex_t mu;   /* with idle: the calls in flight, for the drain */
    pthread_cond_t idle;
    int in_flight;
    atomic_ullong outcomes[OUTCOMES];
};

/* One forwarded call; owns its copies (the request's memory is the server's). */
struct forward_job {
    struct web_service *w;
    struct http_request *req;
    char *method, *url, *body;
    size_t body_len;
    size_t n_headers;
    char *headers[HTTP_CLIENT_MAX_HEADERS];
};

static void job_free(struct forward_job *j)
{
    free(j->method);
    free(j->url);
    free(j->body);
    for (size_t i = 0; i < j->n_headers; i++)
        free(j->headers[i]);
    free(j);
}

/* The API's error shape with a code the result table has no name for (502, 504). */
static void respond_gateway(struct http_request *req, int status, const char *code,
                            const char *message)
{
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"message\":", code);
    buf_json_str(&b, message);
    buf_puts(&b, "}}");
    size_t len = b.len;
    http_respond_take(req, status, "application/json", buf_take(&b), len);
}

static void count(struct web_service *w, enum outcome o)
{
    atomic_fetch_add_explicit(&w->outcomes[o], 1, memory_order_relaxed);
}

/* The api's answer, passed through: status, the listed headers, the body. */
static void pass_answer(struct http_request *req, struct http_client_response *resp)
{
    const char *type = http_client_header(resp, "Content-Type");
    char *type_copy = NULL;
    if (type) {
        type_copy = http_req_alloc(req, strlen(type) + 1);
        memcpy(type_copy, type, strlen(type) + 1);
    }
    for (size_t i = 0; i < resp->n_headers; i++)
        if (strcasecmp(resp->names[i], "Content-Type") != 0 &&
            web_proxy_response_header(resp->names[i]))
            http_set_header(req, resp->names[i], resp->values[i]);
    size_t len = resp->body.len;
    char *body = len ? buf_take(&resp->body) : NULL;
    http_respond_take(req, (int)resp->status, type_copy, body, len);
}

/* The sidecar answered for itself: why, for the log (its errorCode, never the body). */
static void respond_sidecar_error(struct web_service *w, struct http_request *req,
                                  struct http_client_response *resp)
{
    json_t *root = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
    const char *code = json_string_value(json_object_get(root, "errorCode"));
    const char *msg = json_string_value(json_object_get(root, "message"));
    bool timeout =
        resp->status == 504 || (msg && (strstr(msg, "deadline exceeded") ||
                                        strstr(msg, "timeout") || strstr(msg, "timed out")));
    log_msg(LOG_WARN, "the sidecar answered %ld (%s) for %s: the api did not", resp->status,
            code ? code : "no errorCode", w->cfg->web_api_app_id);
    json_decref(root);
    count(w, timeout ? OUT_TIMEOUT : OUT_BAD_GATEWAY);
    if (timeout)
        respond_gateway(req, 504, "gateway_timeout", "the api did not answer in time");
    else
        respond_gateway(req, 502, "bad_gateway", "the api could not be reached");
}

static void call_api(struct forward_job *j)
{
    struct web_service *w = j->w;
    struct http_request *req = j->req;
    struct http_client_request creq = {
        .method = j->method,
        .url = j->url,
        .headers = (const char *const *)j->headers,
        .n_headers = j->n_headers,
        .body = j->body,
        .body_len = j->body_len,
        .timeout_ms = w->cfg->web_timeout_ms,
        .connect_timeout_ms = WEB_CONNECT_MS,
        .max_response = WEB_MAX_RESPONSE,
        .stop = &w->stopping,
    };
    struct http_client_response resp;
    struct todo_err err = {0};
    int rc = http_client_do(&creq, &resp, &err);
    if (rc && atomic_load(&w->stopping)) {
        count(w, OUT_STOPPED);
        http_set_header(req, "Retry-After", "1");
        http_respond_errorf(req, TODO_ERR_UNAVAILABLE, "the front door is stopping; retry");
    } else if (rc == TODO_ERR_BUSY) {
        count(w, OUT_TIMEOUT);
        log_msg(LOG_WARN, "no answer from %s in %d ms", w->cfg->web_api_app_id,
                w->cfg->web_timeout_ms);
        respond_gateway(req, 504, "gateway_timeout", "the api did not answer in time");
    } else if (rc) {
        count(w, OUT_BAD_GATEWAY);
        log_msg(LOG_WARN, "forwarding to %s through the sidecar failed: %s", w->cfg->web_api_app_id,
                err.message);
        respond_gateway(req, 502, "bad_gateway", "the api could not be reached");
    } else if (!http_client_header(&resp, "X-Request-Id")) {
        respond_sidecar_error(w, req, &resp);
    } else {
        count(w, OUT_ANSWERED);
        pass_answer(req, &resp);
    }
    if (!rc)
        http_client_response_release(&resp, false);
}

static void run_forward(void *arg)
{
    struct forward_job *j = arg;
    struct web_service *w = j->w;
    struct http_request *req = j->req;
    if (atomic_load(&w->stopping)) { /* queued before the stop: answered without a call */
        count(w, OUT_STOPPED);
        http_set_header(req, "Retry-After", "1");
        http_respond_errorf(req, TODO_ERR_UNAVAILABLE, "the front door is stopping; retry");
    } else {
        call_api(j);
    }
    job_free(j);
    http_request_resume(req); /* req may be gone after this */
    pthread_mutex_lock(&w->mu);
    if (--w->in_flight == 0)
        pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->mu);
}

static void add_header(struct forward_job *j, const char *name, const char *value)
{
    assert(j->n_headers < HTTP_CLIENT_MAX_HEADERS);
    size_t n = strlen(name) + strlen(value) + 3;
    j->headers[j->n_headers] = xmalloc(n);
    snprintf(j->headers[j->n_headers], n, "%s: %s", name, value);
    j->n_headers++;
}

/* The browser's address: the peer's, or behind a proxy that appends it to X-Forwarded-For
 * (an Ingress; TODO_WEB_TRUST_FORWARDED=1) that entry (src/services/web/web_proxy.c). */
static const char *client_addr(const struct web_service *w, struct http_request *req)
{
    const char *xff = http_req_header(req, "X-Forwarded-For");
    char addr[64];
    if (!w->cfg->web_trust_forwarded || !xff ||
        http_req_header_count(req, "X-Forwarded-For") != 1 ||
        !web_proxy_forwarded_client(xff, addr, sizeof addr))
        return http_req_remote(req);
    char *copy = http_req_alloc(req, strlen(addr) + 1);
    memcpy(copy, addr, strlen(addr) + 1);
    return copy;
}

/* The call to make for req, or NULL having answered it (a path or header refused). */
static struct forward_job *job_create(struct web_service *w, struct http_request *req)
{
    const char *path = http_req_raw_path(req), *query = http_req_raw_query(req);
    char url[4096];
    if (!web_proxy_path_ok(path, query) ||
        !web_proxy_invoke_url(url, sizeof url, w->cfg->dapr_http_port, w->cfg->web_api_app_id, path,
                              query)) {
        http_respond_errorf(req, TODO_ERR_BAD_REQUEST, "this path cannot be forwarded");
        return NULL;
    }
    struct forward_job *j = xcalloc(1, sizeof *j);
    j->w = w;
    j->req = req;
    for (const char *const *name = web_proxy_forwarded; *name; name++) {
        const char *v = http_req_header(req, *name);
        if (!v)
            continue;
        if (http_req_header_count(req, *name) > 1 || strlen(v) > WEB_HEADER_VALUE_MAX) {
            job_free(j);
            http_respond_errorf(req, TODO_ERR_BAD_REQUEST,
                                "one %s header at most, of at most %d "
                                "bytes",
                                *name, WEB_HEADER_VALUE_MAX);
            return NULL;
        }
        if (strcasecmp(*name, "Origin") == 0 &&
            web_proxy_same_origin(v, http_req_header(req, "Host")))
            continue; /* our own site: nothing for the api to judge (/mcp's Origin check) */
        add_header(j, *name, v);
    }
    add_header(j, "X-Request-Id", http_req_id(req)); /* one id in both access logs */
    add_header(j, "traceparent", http_req_traceparent(req));
    add_header(j, DAPR_CLIENT_ADDR_HEADER, client_addr(w, req));
    if (w->token_header)
        j->headers[j->n_headers++] = xstrdup(w->token_header);
    size_t len = 0;
    const char *body = http_req_body(req, &len);
    j->method = xstrdup(http_req_method(req));
    j->url = xstrdup(url);
    j->body = len ? xstrndup(body, len) : NULL;
    j->body_len = len;
    return j;
}

static void forward(struct web_service *w, struct http_request *req)
{
    struct forward_job *j = job_create(w, req);
    if (!j)
        return;
    pthread_mutex_lock(&w->mu);
    w->in_flight++;
    pthread_mutex_unlock(&w->mu);
    http_request_suspend(req);
    if (!workpool_submit(w->pool, run_forward, j)) {
        job_free(j);
        count(w, OUT_BUSY);
        http_set_header(req, "Retry-After", "1");
        http_respond_errorf(req, TODO_ERR_UNAVAILABLE, "too many calls in progress; retry");
        http_request_resume(req);
        pthread_mutex_lock(&w->mu);
        if (--w->in_flight == 0)
            pthread_cond_broadcast(&w->idle);
        pthread_mutex_unlock(&w->mu);
    }
}

/* Every path no route has: /api and /mcp to the api, the rest to the UI. */
static void h_front(struct http_request *req, void *ctx)
{
    struct web_service *w = ctx;
    if (web_proxy_forwards(http_req_raw_path(req)))
        forward(w, req);
    else if (w->ui && !http_path_reserved(http_req_path(req)))
        static_files_handle(req, w->ui);
    else
        http_respond_errorf(req, TODO_ERR_NOT_FOUND, "no such resource");
}

static void h_healthz(struct http_request *req, void *ctx)
{
    (void)ctx;
    static const char ok[] = "{\"status\":\"ok\"}";
    http_respond_data(req, 200, "application/json", ok, sizeof ok - 1);
}

/* Ready when our sidecar is (it answers GET /v1.0/healthz/outbound within a second). */
static void h_readyz(struct http_request *req, void *ctx)
{
    struct web_service *w = ctx;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1.0/healthz/outbound", w->cfg->dapr_http_port);
    struct http_client_request creq = {
        .url = url, .timeout_ms = 1000, .connect_timeout_ms = 1000, .max_response = 4096};
    struct http_client_response resp;
    struct todo_err err = {0};
    bool ok = http_client_do(&creq, &resp, &err) == TODO_OK;
    if (ok) {
        ok = resp.status >= 200 && resp.status < 300;
        http_client_response_release(&resp, false);
    }
    static const char yes[] = "{\"status\":\"ok\",\"checks\":{\"sidecar\":\"ok\"}}";
    static const char no[] =
        "{\"status\":\"unavailable\",\"checks\":{\"sidecar\":\"unreachable\"}}";
    http_respond_data(req, ok ? 200 : 503, "application/json", ok ? yes : no,
                      ok ? sizeof yes - 1 : sizeof no - 1);
}

static void h_metrics(struct http_request *req, void *ctx)
{
    struct web_service *w = ctx;
    struct buf b;
    buf_init(&b);
    http_server_metrics(w->server, &b);
    buf_printf(&b,
               "# HELP todo_build_info Build information.\n"
               "# TYPE todo_build_info gauge\n"
               "todo_build_info{version=\"%s\",store=\"none\",bus=\"none\"} 1\n"
               "# HELP todo_web_forwarded_total Calls forwarded to the api, by outcome.\n"
               "# TYPE todo_web_forwarded_total counter\n",
               TODO_VERSION);
    for (int o = 0; o < OUTCOMES; o++)
        buf_printf(&b, "todo_web_forwarded_total{outcome=\"%s\"} %llu\n", outcome_names[o],
                   (unsigned long long)atomic_load(&w->outcomes[o]));
    pthread_mutex_lock(&w->mu);
    int in_flight = w->in_flight;
    pthread_mutex_unlock(&w->mu);
    buf_printf(&b,
               "# HELP todo_web_forwarding Calls queued or in flight to the api now.\n"
               "# TYPE todo_web_forwarding gauge\n"
               "todo_web_forwarding %d\n",
               in_flight);
    size_t len = b.len;
    http_respond_take(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf_take(&b), len);
}

/* Waits until no call is in flight or grace_ms passed. */
static void drain(struct web_service *w, unsigned grace_ms)
{
    struct timespec until = time_deadline_ms(CLOCK_MONOTONIC, grace_ms);
    pthread_mutex_lock(&w->mu);
    while (w->in_flight > 0 && pthread_cond_timedwait(&w->idle, &w->mu, &until) == 0) {
    }
    pthread_mutex_unlock(&w->mu);
}

static void web_init(struct web_service *w, const struct todo_config *cfg)
{
    memset(w, 0, sizeof *w);
    w->cfg = cfg;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->idle, &ca);
    pthread_condattr_destroy(&ca);
    const char *token = getenv("DAPR_API_TOKEN"); /* our sidecar's API token, when it has one */
    if (token && *token) {
        size_t n = strlen(token) + sizeof "dapr-api-token: ";
        w->token_header = xmalloc(n);
        snprintf(w->token_header, n, "dapr-api-token: %s", token);
    }
}

static void web_release(struct web_service *w)
{
    if (w->token_header) {
        sodium_memzero(w->token_header, strlen(w->token_header));
        free(w->token_header);
    }
    pthread_cond_destroy(&w->idle);
    pthread_mutex_destroy(&w->mu);
}

/* The server: /healthz, /readyz, /metrics, and h_front for everything else. */
static int web_listen(struct web_service *w, const struct todo_config *cfg, struct todo_err *err)
{
    struct http_server_config hcfg = {
        .listen = cfg->listen,
        .threads = cfg->threads,
        .max_body = cfg->max_body,
        .access_log = cfg->access_log,
        .fallback_everywhere = true, /* /api goes to h_front, which forwards it */
    };
    if (http_server_create(&hcfg, &w->server, err))
        return err->rc;
    http_route_add(w->server, "GET", "/healthz", h_healthz, w);
    http_route_add(w->server, "GET", "/readyz", h_readyz, w);
    http_route_add(w->server, "GET", "/metrics", h_metrics, w);
    http_server_set_fallback(w->server, "front", h_front, w);
    return http_server_start(w->server, err);
}

static void log_listening(const struct web_service *w)
{
    struct buf f;
    buf_init(&f);
    buf_puts(&f, "\"listen\":");
    buf_json_str(&f, w->cfg->listen);
    buf_printf(&f,
               ",\"port\":%u,\"dapr_http_port\":%u,\"api_app_id\":", http_server_port(w->server),
               w->cfg->dapr_http_port);
    buf_json_str(&f, w->cfg->web_api_app_id);
    buf_printf(&f, ",\"ui\":%s,\"version\":\"%s\"", w->ui ? "true" : "false", TODO_VERSION);
    log_write(LOG_INFO, "listening", f.data);
    buf_release(&f);
}

int web_main(int argc, char **argv)
{
    struct todo_config cfg;
    struct todo_err err = {0};
    if (config_load(&cfg, argc, argv, &err)) {
        fprintf(stderr, "todo web: %s\n", err.message);
        config_usage("web");
        return 2;
    }
    log_init("web", (enum log_level)cfg.log_level);
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_msg(LOG_ERROR, "libsodium or libcurl failed to initialise");
        return 1;
    }
    sigset_t sigs;
    serve_block_stop_signals(&sigs); /* before any thread starts */
    struct web_service w;
    web_init(&w, &cfg);
    int code = 1;
    if (serve_open_web(&cfg, &w.ui))
        goto out_release;
    w.pool = workpool_create(cfg.web_workers, cfg.web_queue);
    if (web_listen(&w, &cfg, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_destroy;
    }
    log_listening(&w);
    int sig = 0;
    sigwait(&sigs, &sig);
    log_msg(LOG_INFO, "received %s; finishing in-flight calls",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* Stop accepting; calls in flight get the grace period, then end (503, Retry-After);
     * the pool then answers what is queued and stops; then the server waits for the last
     * answers to go out. */
    http_server_quiesce(w.server);
    drain(&w, SHUTDOWN_GRACE_MS);
    atomic_store(&w.stopping, true);
    workpool_destroy(w.pool);
    w.pool = NULL;
    http_server_stop(w.server, SHUTDOWN_GRACE_MS);
    code = 0;
out_destroy:
    atomic_store(&w.stopping, true);
    workpool_destroy(w.pool);
    http_server_destroy(w.server);
out_release:
    static_files_destroy(w.ui);
    web_release(&w);
    if (code == 0)
        log_msg(LOG_INFO, "stopped");
    return code;
}
