/* bus_dapr.c - the Dapr bus backend: the sidecar (daprd) owns the broker connection.
 *
 * The one idea: Dapr pushes, so this bus never polls. Publishing is one HTTP request per
 * message to the sidecar (POST /v1.0/publish/<pubsub>/<topic>, the CloudEvent as body,
 * the user id as partition key), in order, stopping at the first failure; the sidecar
 * answers 204 once the broker acknowledged. Subscribing only records what to declare at
 * GET /dapr/subscribe; the sidecar then POSTs each message to /dapr/events/<topic>, and
 * services/dapr_routes.c hands it to bus_dapr_deliver, whose verdict becomes the
 * SUCCESS / RETRY / DROP answer.
 *
 * Threads: publish, healthy and deliver may be called from any thread. libcurl easy
 * handles are kept in a small free list, so concurrent publishers each use their own and
 * keep their connections to the sidecar alive. A subscription's handler runs under the
 * subscription's mutex: the sidecar delivers partitions concurrently, but one group's
 * handler never runs concurrently (the bus contract). */
#include "events/bus_dapr.h"

#include "base/timeutil.h"
#include "base/trace.h"
#include "base/xalloc.h"
#include "events/bus_internal.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAPR_ERR_MAX            512
#define DAPR_BODY_MAX           512 /* of an error answer, kept for the message */
#define DAPR_DEFAULT_CONNECT_MS 2000
#define DAPR_DEFAULT_TIMEOUT_MS 5000
#define DAPR_HEALTH_TIMEOUT_MS  500
#define DAPR_HEALTH_CACHE_MS    1000
#define DAPR_IDLE_HANDLES       8
#define DAPR_CE_TYPE            "application/cloudevents+json"

struct dapr_sub {
    struct dapr_sub *next;
    char *group;
    bool broadcast; /* recorded only: Dapr's component decides (consumerID per instance) */
    int n_topics;
    char **topics;
    bus_handler_fn fn;
    void *ctx;
    pthread_mutex_t mu; /* held while fn runs: one message at a time per group */
};

struct bus_dapr {
    struct bus base;
    char *sidecar_url;
    char *pubsub;
    int64_t connect_timeout_ms;
    int64_t publish_timeout_ms;

    struct dapr_sub *subs; /* fixed once started */
    atomic_bool started;
    atomic_bool stopping;

    pthread_mutex_t mu; /* the idle handles, last_error and the health cache */
    CURL *idle[DAPR_IDLE_HANDLES];
    int n_idle;
    char last_error[DAPR_ERR_MAX];
    bool health_ok;
    bool health_valid;
    uint64_t health_at_ns;
};

/* What a request brought back. */
struct dapr_answer {
    long status;
    char body[DAPR_BODY_MAX];
    size_t len;
};

static const struct bus_ops dapr_ops;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void __attribute__((format(printf, 2, 3)))
dapr_note(struct bus_dapr *db, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&db->mu);
    va_start(ap, fmt);
    vsnprintf(db->last_error, sizeof db->last_error, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&db->mu);
}

/* ----------------------------------------------------------------------------- requests */

static CURL *handle_take(struct bus_dapr *db)
{
    CURL *h = NULL;
    pthread_mutex_lock(&db->mu);
    if (db->n_idle > 0)
        h = db->idle[--db->n_idle];
    pthread_mutex_unlock(&db->mu);
    if (!h && !(h = curl_easy_init()))
        abort(); /* only fails when out of memory */
    return h;
}

static void handle_give(struct bus_dapr *db, CURL *h)
{
    pthread_mutex_lock(&db->mu);
    if (db->n_idle < DAPR_IDLE_HANDLES) {
        db->idle[db->n_idle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&db->mu);
    if (h)
        curl_easy_cleanup(h);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct dapr_answer *a = arg;
    size_t len = size * n;
    size_t room = sizeof a->body - 1 - a->len;
    size_t take = len < room ? len : room;
    memcpy(a->body + a->len, data, take);
    a->len += take;
    a->body[a->len] = '\0';
    return len;
}

/* One request to the sidecar: a POST of body when body is not NULL, else a GET. Fills *a
 * and returns 0 when an HTTP answer came back (any status), or TODO_ERR_UNAVAILABLE with
 * err set when none did. */
static int dapr_request(struct bus_dapr *db, const char *url, struct curl_slist *headers,
                        const char *body, size_t len, int64_t timeout_ms, struct dapr_answer *a,
                        struct todo_err *err)
{
    CURL *h = handle_take(db);
    curl_easy_reset(h); /* keeps the connection cache */
    *a = (struct dapr_answer){0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
    curl_easy_setopt(h, CURLOPT_PROXY, "");    /* the sidecar is local: ignore *_proxy */
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)db->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    if (headers)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL); /* the caller frees headers */
    handle_give(db, h);
    if (rc != CURLE_OK)
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "%s", curl_easy_strerror(rc));
    return TODO_OK;
}

/* Appends s percent-encoded (RFC 3986 unreserved characters stay). */
static void put_escaped(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf_putc(b, (char)*p);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

/* The CloudEvent's string attribute name, copied into out (size > 0), or "" when absent. */
static void ce_attr(const json_t *ce, const char *name, char *out, size_t size)
{
    const char *v = json_string_value(json_object_get(ce, name));
    snprintf(out, size, "%s", v ? v : "");
}

/* ------------------------------------------------------------------------------ publish */

static int publish_one(struct bus_dapr *db, const struct bus_message *m, struct todo_err *err)
{
    struct buf url;
    buf_init(&url);
    buf_puts(&url, db->sidecar_url);
    buf_puts(&url, "/v1.0/publish/");
    put_escaped(&url, db->pubsub);
    buf_putc(&url, '/');
    put_escaped(&url, m->topic);
    /* The sidecar writes the traceparent of the publish request into the event it
     * forwards (and "" when there is none, which consumers reject): send the event's own,
     * so it arrives unchanged, or a new trace for an event that has none. */
    char tp[TRACEPARENT_LEN + 1] = "";
    bool is_ce = false;
    json_t *ce = json_loadb(m->payload, m->len, 0, NULL);
    if (ce) {
        ce_attr(ce, "traceparent", tp, sizeof tp);
        is_ce = json_is_string(json_object_get(ce, "specversion"));
        json_decref(ce);
    }
    /* A dead letter is not a CloudEvent: sent as one, the sidecar would wrap and rewrite it
     * (its "topic" among others). rawPayload passes the bytes through unchanged. */
    buf_puts(&url, is_ce ? "?" : "?metadata.rawPayload=true&");
    if (m->key && *m->key) {
        buf_puts(&url, "metadata.partitionKey=");
        put_escaped(&url, m->key);
    }
    if (!traceparent_valid(tp))
        traceparent_child(NULL, tp);
    char header[32 + TRACEPARENT_LEN];
    snprintf(header, sizeof header, "traceparent: %s", tp);
    struct curl_slist *headers = curl_slist_append(NULL, is_ce ? "Content-Type: " DAPR_CE_TYPE
                                                               : "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
    headers = curl_slist_append(headers, header);
    if (!headers)
        abort(); /* curl_slist_append fails only when out of memory */

    struct dapr_answer a;
    int rc =
        dapr_request(db, url.data, headers, m->payload, m->len, db->publish_timeout_ms, &a, err);
    if (rc == TODO_OK && (a.status < 200 || a.status > 299))
        rc = todo_err_set(err, TODO_ERR_UNAVAILABLE, "HTTP %ld: %s", a.status,
                          a.len ? a.body : "(no body)");
    curl_slist_free_all(headers);
    buf_release(&url);
    return rc;
}

static int dapr_publish(bus_t *b, const struct bus_message *msgs, int n, int *n_done,
                        struct todo_err *err)
{
    struct bus_dapr *db = (struct bus_dapr *)b;
    int i;
    int rc = TODO_OK;
    for (i = 0; i < n; i++) {
        struct todo_err one;
        todo_err_clear(&one);
        if (publish_one(db, &msgs[i], &one) != TODO_OK) {
            rc = todo_err_set(err, one.rc, "dapr publish %d/%d to %s via %s/%s: %s", i + 1, n,
                              msgs[i].topic, db->sidecar_url, db->pubsub, one.message);
            dapr_note(db, "%s", err->message);
            break;
        }
    }
    *n_done = i;
    return rc;
}

/* ------------------------------------------------------------------------ subscriptions */

static int dapr_subscribe(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                          int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err)
{
    struct bus_dapr *db = (struct bus_dapr *)b;
    if (atomic_load(&db->started))
        return todo_err_set(err, TODO_ERR_INTERNAL, "dapr: subscribe after start");
    if (!group || !*group || n_topics <= 0 || !fn)
        return todo_err_set(err, TODO_ERR_INTERNAL,
                            "dapr: subscribe needs a group, topics and a handler");
    struct dapr_sub *s = xcalloc(1, sizeof *s);
    s->group = xstrdup(group);
    s->broadcast = broadcast;
    s->n_topics = n_topics;
    s->topics = xcalloc((size_t)n_topics, sizeof *s->topics);
    for (int i = 0; i < n_topics; i++)
        s->topics[i] = xstrdup(topics[i]);
    s->fn = fn;
    s->ctx = ctx;
    pthread_mutex_init(&s->mu, NULL);
    struct dapr_sub **pp = &db->subs;
    while (*pp)
        pp = &(*pp)->next;
    *pp = s;
    return TODO_OK;
}

static bool sub_wants(const struct dapr_sub *s, const char *topic)
{
    for (int i = 0; i < s->n_topics; i++)
        if (strcmp(s->topics[i], topic) == 0)
            return true;
    return false;
}

int bus_dapr_subscriptions_json(bus_t *b, struct buf *out)
{
    if (!bus_is_dapr(b))
        return TODO_ERR_INTERNAL;
    struct bus_dapr *db = (struct bus_dapr *)b;
    const char **declared = NULL; /* each topic once, in subscription order */
    int n_declared = 0;
    buf_putc(out, '[');
    for (const struct dapr_sub *s = db->subs; s; s = s->next) {
        for (int i = 0; i < s->n_topics; i++) {
            const char *topic = s->topics[i];
            bool seen = false;
            for (int j = 0; j < n_declared && !seen; j++)
                seen = strcmp(declared[j], topic) == 0;
            if (seen)
                continue;
            declared = xrealloc(declared, (size_t)(n_declared + 1) * sizeof *declared);
            declared[n_declared++] = topic;
            if (n_declared > 1)
                buf_putc(out, ',');
            buf_puts(out, "{\"pubsubname\":");
            buf_json_str(out, db->pubsub);
            buf_puts(out, ",\"topic\":");
            buf_json_str(out, topic);
            buf_puts(out, ",\"route\":\"/dapr/events/");
            buf_json_escape(out, topic);
            buf_puts(out, "\",\"deadLetterTopic\":\"");
            buf_json_escape(out, topic);
            buf_puts(out, ".dlq\"}");
        }
    }
    free(declared);
    buf_putc(out, ']');
    return TODO_OK;
}

/* RETRY wins over DROP, DROP over ACK. */
static int verdict_merge(int a, int b)
{
    if (a == BUS_RETRY || b == BUS_RETRY)
        return BUS_RETRY;
    if (a == BUS_DROP || b == BUS_DROP)
        return BUS_DROP;
    return BUS_ACK;
}

int bus_dapr_deliver_message(bus_t *b, const struct bus_message *m)
{
    if (!bus_is_dapr(b))
        return BUS_RETRY;
    struct bus_dapr *db = (struct bus_dapr *)b;
    if (!atomic_load(&db->started) || atomic_load(&db->stopping))
        return BUS_RETRY;

    char id[128] = "", key[128] = "";
    struct bus_message bm = *m;
    if (!bm.id || !bm.key) {
        json_t *ce = json_loadb(m->payload, m->len, 0, NULL);
        if (ce) {
            ce_attr(ce, "id", id, sizeof id);
            ce_attr(ce, "partitionkey", key, sizeof key);
            json_decref(ce);
        }
        if (!bm.id && id[0])
            bm.id = id;
        if (!bm.key && key[0])
            bm.key = key;
    }

    int verdict = BUS_ACK;
    bool any = false;
    for (struct dapr_sub *s = db->subs; s; s = s->next) {
        if (!sub_wants(s, m->topic))
            continue;
        any = true;
        pthread_mutex_lock(&s->mu);
        /* bus_stop takes each mutex once after setting stopping: checked under it, no
         * handler starts after bus_stop returned */
        int v = atomic_load(&db->stopping) ? BUS_RETRY : s->fn(s->ctx, &bm);
        pthread_mutex_unlock(&s->mu);
        verdict = verdict_merge(verdict, v);
    }
    return any ? verdict : BUS_DROP;
}

int bus_dapr_deliver(bus_t *b, const char *topic, const char *payload, size_t len)
{
    struct bus_message m = {.topic = topic, .payload = payload, .len = len};
    return bus_dapr_deliver_message(b, &m);
}

static int dapr_start(bus_t *b, struct todo_err *err)
{
    struct bus_dapr *db = (struct bus_dapr *)b;
    if (atomic_load(&db->started))
        return todo_err_set(err, TODO_ERR_INTERNAL, "dapr: bus already started");
    atomic_store(&db->stopping, false);
    atomic_store(&db->started, true);
    return TODO_OK;
}

/* Refuses new deliveries and waits for the handlers that are running. */
static void dapr_stop(bus_t *b)
{
    struct bus_dapr *db = (struct bus_dapr *)b;
    if (!atomic_load(&db->started))
        return;
    atomic_store(&db->stopping, true);
    for (struct dapr_sub *s = db->subs; s; s = s->next) {
        pthread_mutex_lock(&s->mu);
        pthread_mutex_unlock(&s->mu);
    }
    atomic_store(&db->started, false);
}

/* ----------------------------------------------------------------------------- health */

static bool dapr_healthy(bus_t *b)
{
    struct bus_dapr *db = (struct bus_dapr *)b;
    uint64_t now = time_mono_ns();
    pthread_mutex_lock(&db->mu);
    bool cached =
        db->health_valid && now - db->health_at_ns < (uint64_t)DAPR_HEALTH_CACHE_MS * 1000000u;
    bool ok = db->health_ok;
    pthread_mutex_unlock(&db->mu);
    if (cached)
        return ok;

    struct buf url;
    buf_init(&url);
    buf_puts(&url, db->sidecar_url);
    buf_puts(&url, "/v1.0/healthz/outbound");
    struct dapr_answer a;
    struct todo_err err;
    todo_err_clear(&err);
    int rc = dapr_request(db, url.data, NULL, NULL, 0, DAPR_HEALTH_TIMEOUT_MS, &a, &err);
    ok = rc == TODO_OK && a.status >= 200 && a.status <= 299;
    if (rc != TODO_OK)
        dapr_note(db, "dapr health %s: %s", url.data, err.message);
    else if (!ok)
        dapr_note(db, "dapr health %s: HTTP %ld", url.data, a.status);
    buf_release(&url);

    pthread_mutex_lock(&db->mu);
    db->health_ok = ok;
    db->health_at_ns = time_mono_ns();
    db->health_valid = true;
    pthread_mutex_unlock(&db->mu);
    return ok;
}

/* ---------------------------------------------------------------------- life and death */

static void dapr_destroy(bus_t *b)
{
    struct bus_dapr *db = (struct bus_dapr *)b;
    dapr_stop(b);
    struct dapr_sub *s = db->subs;
    while (s) {
        struct dapr_sub *next = s->next;
        for (int i = 0; i < s->n_topics; i++)
            free(s->topics[i]);
        free(s->topics);
        free(s->group);
        pthread_mutex_destroy(&s->mu);
        free(s);
        s = next;
    }
    for (int i = 0; i < db->n_idle; i++)
        curl_easy_cleanup(db->idle[i]);
    pthread_mutex_destroy(&db->mu);
    free(db->sidecar_url);
    free(db->pubsub);
    free(db);
}

static const struct bus_ops dapr_ops = {
    .name = "dapr",
    .publish = dapr_publish,
    .subscribe = dapr_subscribe,
    .start = dapr_start,
    .stop = dapr_stop,
    .healthy = dapr_healthy,
    .destroy = dapr_destroy,
};

int bus_dapr_create(const struct bus_dapr_config *cfg, bus_t **out, struct todo_err *err)
{
    if (!cfg || !cfg->sidecar_url || strncmp(cfg->sidecar_url, "http", 4) != 0)
        return todo_err_set(err, TODO_ERR_INTERNAL, "dapr: the sidecar URL must be http(s)://...");
    if (cfg->pubsub && !*cfg->pubsub)
        return todo_err_set(err, TODO_ERR_INTERNAL, "dapr: empty pubsub component name");
    if (cfg->connect_timeout_ms < 0 || cfg->publish_timeout_ms < 0 ||
        cfg->connect_timeout_ms > 3600 * 1000 || cfg->publish_timeout_ms > 3600 * 1000)
        return todo_err_set(err, TODO_ERR_INTERNAL, "dapr: timeout out of range");
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return todo_err_set(err, TODO_ERR_INTERNAL, "dapr: libcurl: %s",
                            curl_easy_strerror(curl_init_rc));

    struct bus_dapr *db = xcalloc(1, sizeof *db);
    db->base.ops = &dapr_ops;
    size_t len = strlen(cfg->sidecar_url);
    while (len > 0 && cfg->sidecar_url[len - 1] == '/')
        len--;
    db->sidecar_url = xstrndup(cfg->sidecar_url, len);
    db->pubsub = xstrdup(cfg->pubsub ? cfg->pubsub : "pubsub");
    db->connect_timeout_ms =
        cfg->connect_timeout_ms ? cfg->connect_timeout_ms : DAPR_DEFAULT_CONNECT_MS;
    db->publish_timeout_ms =
        cfg->publish_timeout_ms ? cfg->publish_timeout_ms : DAPR_DEFAULT_TIMEOUT_MS;
    atomic_init(&db->started, false);
    atomic_init(&db->stopping, false);
    pthread_mutex_init(&db->mu, NULL);
    *out = &db->base;
    return TODO_OK;
}

bool bus_is_dapr(const bus_t *b)
{
    return b && b->ops == &dapr_ops;
}

const char *bus_dapr_last_error(bus_t *b)
{
    static _Thread_local char copy[DAPR_ERR_MAX];
    copy[0] = '\0';
    if (!bus_is_dapr(b))
        return copy;
    struct bus_dapr *db = (struct bus_dapr *)b;
    pthread_mutex_lock(&db->mu);
    memcpy(copy, db->last_error, sizeof copy);
    pthread_mutex_unlock(&db->mu);
    return copy;
}
