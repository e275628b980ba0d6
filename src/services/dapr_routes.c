/* dapr_routes.c - the app side of Dapr pub/sub. The sidecar asks GET /dapr/subscribe once
 * at startup for the subscriptions the bus recorded, then POSTs each message (a CloudEvent,
 * application/cloudevents+json) to /dapr/events/<topic>.
 *
 * The one idea: a delivery can take long (the consumer runtime retries with backoff before
 * it dead-letters), so the handler suspends the request and runs the delivery on a pool of
 * its own; the verdict comes back as 200 {"status":"SUCCESS"|"RETRY"|"DROP"}, which the
 * sidecar turns into a commit, a redelivery (its resiliency policy, then the dead-letter
 * topic) or a drop (to the dead-letter topic). */
#include "services/dapr_routes.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "events/bus_dapr.h"

#include <stdbool.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DAPR_POOL_THREADS 4   /* the sidecar sends one message per partition at a time */
#define DAPR_POOL_QUEUE   256 /* beyond this, answer RETRY at once */

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

static void h_subscribe(struct http_request *req, void *ctx)
{
    struct dapr_service *d = ctx;
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

/* When the sidecar is configured with an app API token (APP_API_TOKEN, given to both the
 * sidecar and the app), it sends it as dapr-api-token on every call: without the right one,
 * nobody who reaches the app port can inject events. Compared in constant time. */
static bool from_sidecar(struct http_request *req)
{
    const char *want = getenv("APP_API_TOKEN");
    if (!want || !*want)
        return true;
    const char *got = http_req_header(req, "dapr-api-token");
    if (got && strlen(got) == strlen(want) && sodium_memcmp(got, want, strlen(want)) == 0)
        return true;
    http_respond_errorf(req, TODO_ERR_UNAUTHORIZED, "a valid dapr-api-token is required");
    return false;
}

static void h_event(struct http_request *req, void *ctx)
{
    struct dapr_service *d = ctx;
    if (!from_sidecar(req))
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

void dapr_routes_register(struct dapr_service *d)
{
    pthread_rwlock_init(&d->lock, NULL);
    d->pool = workpool_create(DAPR_POOL_THREADS, DAPR_POOL_QUEUE);
    d->registered = true;
    http_route_add(d->server, "GET", "/dapr/subscribe", h_subscribe, d);
    http_route_add(d->server, "POST", "/dapr/events/{topic}", h_event, d);
}

void dapr_routes_drain(struct dapr_service *d)
{
    if (!d->registered)
        return;
    /* take the pool away first, so no handler submits to it while it is destroyed */
    pthread_rwlock_wrlock(&d->lock);
    workpool_t *pool = d->pool;
    d->pool = NULL;
    pthread_rwlock_unlock(&d->lock);
    workpool_destroy(pool);
}

void dapr_routes_release(struct dapr_service *d)
{
    if (!d->registered)
        return;
    dapr_routes_drain(d);
    pthread_rwlock_destroy(&d->lock);
    d->registered = false;
}
