/* dapr_routes.c - the app side of Dapr pub/sub. The sidecar asks GET /dapr/subscribe once
 * at startup for the subscriptions the bus recorded, then POSTs each message (a CloudEvent,
 * application/cloudevents+json) to /dapr/events/<topic>.
 *
 * The one idea: a delivery can take long (the consumer runtime retries with backoff before
 * it dead-letters), so the handler suspends the request and runs the delivery on a pool of
 * its own; the verdict comes back as 200 {"status":"SUCCESS"|"RETRY"|"DROP"}, which the
 * sidecar turns into a commit, a redelivery (its resiliency policy, then the dead-letter
 * topic) or a drop (to the dead-letter topic).
 *
 * Who may call: only the sidecar. The routes live on a listener of their own (loopback by
 * default), never on the public one, and every call must carry the sidecar's app API token
 * in dapr-api-token (services/dapr_auth.c); otherwise 401 and nothing happens. Without this,
 * anyone reaching the port could forge a todo.task.completed and have the recurring consumer
 * create tasks in another user's account (docs/decisions/0020-dapr-callbacks-authenticated.md). */
#include "services/dapr_routes.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "events/bus_dapr.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DAPR_POOL_THREADS 4   /* the sidecar sends one message per partition at a time */
#define DAPR_POOL_QUEUE   256 /* beyond this, answer RETRY at once */
#define DAPR_HTTP_THREADS 2   /* the handlers only check the token and hand the work over */

static void respond_status(struct http_request *req, const char *status)
{
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"status\":\"%s\"}", status);
    size_t len = b.len;
    http_respond_take(req, 200, "application/json", buf_take(&b), len);
}

static const char *verdict_status(int verdict)
{
    switch (verdict) {
    case BUS_ACK:
        return "SUCCESS";
    case BUS_DROP:
        /* The consumer runtime answers DROP only after writing its own dead letter (with the
         * error); Dapr would copy a DROP to the deadLetterTopic as well, so say SUCCESS. */
        return "SUCCESS";
    default:
        return "RETRY";
    }
}

/* True when the call carries the sidecar's token; otherwise answers 401 (the same answer for
 * a missing, empty or wrong token, and never an echo of what was sent). */
static bool from_sidecar(struct dapr_service *d, struct http_request *req)
{
    if (dapr_auth_check(&d->auth, http_req_header(req, DAPR_AUTH_HEADER)))
        return true;
    http_respond_errorf(req, TODO_ERR_UNAUTHORIZED, "a valid dapr-api-token is required");
    return false;
}

static void h_subscribe(struct http_request *req, void *ctx)
{
    struct dapr_service *d = ctx;
    if (!from_sidecar(d, req))
        return;
    struct buf b;
    buf_init(&b);
    if (bus_dapr_subscriptions_json(d->bus, &b) != TODO_OK) {
        buf_release(&b);
        http_respond_errorf(req, TODO_ERR_INTERNAL, "the bus is not a Dapr bus");
        return;
    }
    size_t len = b.len;
    http_respond_take(req, 200, "application/json", buf_take(&b), len);
}

/* One message to deliver; owns its copies (the request's memory is the server's). */
struct deliver_job {
    struct http_request *req;
    bus_t *bus;
    char *topic;
    char *key; /* the Kafka key the sidecar passes as metadata, or NULL */
    char *payload;
    size_t len;
};

static void run_deliver(void *arg)
{
    struct deliver_job *j = arg;
    struct http_request *req = j->req;
    struct bus_message m = {.topic = j->topic, .key = j->key, .payload = j->payload, .len = j->len};
    int verdict = bus_dapr_deliver_message(j->bus, &m);
    respond_status(req, verdict_status(verdict));
    free(j->topic);
    free(j->key);
    free(j->payload);
    free(j);
    http_request_resume(req); /* req may be gone after this */
}

static void h_event(struct http_request *req, void *ctx)
{
    struct dapr_service *d = ctx;
    if (!from_sidecar(d, req))
        return;
    size_t len = 0;
    const char *body = http_req_body(req, &len);
    /* pubsub.kafka passes the message key as metadata, which the sidecar sends as a header */
    const char *key = http_req_header(req, "__key");
    struct deliver_job *j = xmalloc(sizeof *j);
    *j = (struct deliver_job){
        .req = req,
        .bus = d->bus,
        .topic = xstrdup(http_req_param(req, "topic")),
        .key = key && *key ? xstrdup(key) : NULL,
        .payload = xstrndup(body, len),
        .len = len,
    };
    http_request_suspend(req);
    pthread_rwlock_rdlock(&d->lock);
    bool queued = d->pool && workpool_submit(d->pool, run_deliver, j);
    pthread_rwlock_unlock(&d->lock);
    if (!queued) {
        free(j->topic);
        free(j->key);
        free(j->payload);
        free(j);
        respond_status(req, "RETRY"); /* busy or stopping: the sidecar redelivers */
        http_request_resume(req);
    }
}

/* A due job of the Jobs API, fired on the pool (its claim is a group-commit write). */
struct fire_job {
    struct http_request *req;
    struct app *app;
    char *name;
    char *body;
    size_t len;
};

static void free_fire_job(struct fire_job *j)
{
    free(j->name);
    free(j->body);
    free(j);
}

/* 200 {"fired": bool} (a repeated callback fires nothing and is still a success, so Dapr
 * stops); 404 for a job that is not a reminder's (Dapr drops it without retrying); 400 for
 * data that is not a reminder job's; 503 when the database failed (Dapr retries). */
static void run_fire_job(void *arg)
{
    struct fire_job *j = arg;
    struct http_request *req = j->req;
    struct todo_err err;
    todo_err_clear(&err);
    bool fired = false;
    if (app_reminder_job(j->app, j->name, j->body, j->len, &fired, &err) == TODO_OK) {
        static const char yes[] = "{\"fired\":true}", no[] = "{\"fired\":false}";
        http_respond_data(req, 200, "application/json", fired ? yes : no,
                          fired ? sizeof yes - 1 : sizeof no - 1);
    } else {
        http_respond_error(req, &err);
    }
    free_fire_job(j);
    http_request_resume(req); /* req may be gone after this */
}

static void h_job(struct http_request *req, void *ctx)
{
    struct dapr_service *d = ctx;
    if (!from_sidecar(d, req))
        return;
    size_t len = 0;
    const char *body = http_req_body(req, &len);
    struct fire_job *j = xmalloc(sizeof *j);
    *j = (struct fire_job){.req = req,
                           .app = d->app,
                           .name = xstrdup(http_req_param(req, "name")),
                           .body = xstrndup(body ? body : "", len),
                           .len = len};
    http_request_suspend(req);
    pthread_rwlock_rdlock(&d->lock);
    bool queued = d->pool && workpool_submit(d->pool, run_fire_job, j);
    pthread_rwlock_unlock(&d->lock);
    if (!queued) {
        free_fire_job(j);
        http_respond_errorf(req, TODO_ERR_UNAVAILABLE, "busy or stopping; retry");
        http_request_resume(req); /* Dapr retries by the job's failure policy */
    }
}

/* Every call but /healthz must come from the sidecar (its token). A call the front door made
 * through service invocation (dapr-caller-app-id is d->trusted_caller, set by the calling
 * sidecar) carries the browser's address in DAPR_CLIENT_ADDR_HEADER: it becomes the
 * request's client address, for the sign-in and sign-up limits. Trusted only when a token
 * is required, since without one anyone reaching the listener could claim any address
 * (docs/decisions/0049-kubernetes-app-side.md). */
static bool guard(struct http_request *req, void *ctx)
{
    struct dapr_service *d = ctx;
    if (strcmp(http_req_path(req), "/healthz") == 0)
        return true;
    if (!from_sidecar(d, req))
        return false;
    const char *caller = http_req_header(req, "dapr-caller-app-id");
    const char *client = http_req_header(req, DAPR_CLIENT_ADDR_HEADER);
    unsigned char addr[sizeof(struct in6_addr)];
    if (d->auth.required && d->trusted_caller && caller && client &&
        strcmp(caller, d->trusted_caller) == 0 &&
        (inet_pton(AF_INET, client, addr) == 1 || inet_pton(AF_INET6, client, addr) == 1))
        http_req_set_remote(req, client);
    return true;
}

/* For the sidecar's app health checks (--enable-app-health-check, path /healthz): the
 * process is alive. Says nothing else, so it needs no token. */
static void h_healthz(struct http_request *req, void *ctx)
{
    (void)ctx;
    static const char ok[] = "{\"status\":\"ok\"}";
    http_respond_data(req, 200, "application/json", ok, sizeof ok - 1);
}

int dapr_routes_register(struct dapr_service *d, const struct http_server_config *cfg,
                         struct todo_err *err)
{
    assert(d && d->bus && cfg && !d->registered);
    struct http_server_config hcfg = *cfg;
    if (!hcfg.threads)
        hcfg.threads = DAPR_HTTP_THREADS;
    int rc = http_server_create(&hcfg, &d->server, err);
    if (rc)
        return rc;
    pthread_rwlock_init(&d->lock, NULL);
    d->pool = workpool_create(DAPR_POOL_THREADS, DAPR_POOL_QUEUE);
    d->registered = true;
    http_server_set_guard(d->server, guard, d);
    http_route_add(d->server, "GET", "/dapr/subscribe", h_subscribe, d);
    http_route_add(d->server, "POST", "/dapr/events/{topic}", h_event, d);
    http_route_add(d->server, "GET", "/healthz", h_healthz, d);
    if (d->app) /* the roles that write reminders: their jobs call back here */
        http_route_add(d->server, "POST", "/job/{name}", h_job, d);
    return TODO_OK;
}

int dapr_routes_start(struct dapr_service *d, struct todo_err *err)
{
    assert(d && d->registered);
    return http_server_start(d->server, err);
}

unsigned dapr_routes_port(const struct dapr_service *d)
{
    assert(d && d->registered);
    return http_server_port(d->server);
}

void dapr_routes_stop(struct dapr_service *d, unsigned grace_ms)
{
    if (!d->registered)
        return;
    http_server_quiesce(d->server);
    /* take the pool away first, so no handler submits to it while it is destroyed */
    pthread_rwlock_wrlock(&d->lock);
    workpool_t *pool = d->pool;
    d->pool = NULL;
    pthread_rwlock_unlock(&d->lock);
    workpool_destroy(pool); /* runs what is queued: every suspended request is answered */
    http_server_stop(d->server, grace_ms);
}

void dapr_routes_release(struct dapr_service *d)
{
    if (d->registered) {
        dapr_routes_stop(d, 0);
        http_server_destroy(d->server);
        d->server = NULL;
        pthread_rwlock_destroy(&d->lock);
        d->registered = false;
    }
    dapr_auth_release(&d->auth);
}
