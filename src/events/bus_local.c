/* bus_local.c - the in-process bus of the embedded mode. Publishing delivers each message
 * to every group subscribed to its topic, synchronously and in order, on the publishing
 * thread (the outbox relay). A message counts as published once every group has answered
 * ACK or DROP; a RETRY stops the batch there, so the outbox keeps that row and the ones
 * after it, and order per user holds. */
#include "base/xalloc.h"
#include "events/bus_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LOCAL_MAX_TOPICS 8

struct local_sub {
    struct local_sub *next;
    char *group;
    int n_topics;
    char *topics[LOCAL_MAX_TOPICS];
    bus_handler_fn fn;
    void *ctx;
};

struct bus_local {
    struct bus base;
    pthread_mutex_t publish_mu; /* one publisher at a time: handlers never run concurrently */
    struct local_sub *subs;
};

static bool sub_wants(const struct local_sub *s, const char *topic)
{
    for (int i = 0; i < s->n_topics; i++)
        if (strcmp(s->topics[i], topic) == 0)
            return true;
    return false;
}

static int local_publish(bus_t *b, const struct bus_message *msgs, int n, int *n_done,
                         struct todo_err *err)
{
    struct bus_local *lb = (struct bus_local *)b;
    int rc = TODO_OK;
    /* A handler may publish (the consumer runtime's dead letters) from inside a delivery,
     * on this same thread: it already holds the lock, so take it only on the way in. */
    static _Thread_local int depth;
    if (depth++ == 0)
        pthread_mutex_lock(&lb->publish_mu);
    int i;
    for (i = 0; i < n; i++) {
        bool retry = false;
        for (struct local_sub *s = lb->subs; s && !retry; s = s->next)
            if (sub_wants(s, msgs[i].topic))
                retry = s->fn(s->ctx, &msgs[i]) == BUS_RETRY;
        if (retry) {
            rc =
                todo_err_set(err, TODO_ERR_UNAVAILABLE, "a consumer asked to retry %s", msgs[i].id);
            break;
        }
    }
    if (--depth == 0)
        pthread_mutex_unlock(&lb->publish_mu);
    *n_done = i;
    return rc;
}

static int local_subscribe(bus_t *b, const char *group, bool broadcast, const char *const *topics,
                           int n_topics, bus_handler_fn fn, void *ctx, struct todo_err *err)
{
    (void)broadcast; /* one process: every subscriber is the only instance */
    struct bus_local *lb = (struct bus_local *)b;
    if (n_topics > LOCAL_MAX_TOPICS)
        return todo_err_set(err, TODO_ERR_INTERNAL, "too many topics");
    struct local_sub *s = xcalloc(1, sizeof *s);
    s->group = xstrdup(group);
    s->n_topics = n_topics;
    for (int i = 0; i < n_topics; i++)
        s->topics[i] = xstrdup(topics[i]);
    s->fn = fn;
    s->ctx = ctx;
    /* append, so groups see messages in subscription order */
    struct local_sub **pp = &lb->subs;
    while (*pp)
        pp = &(*pp)->next;
    *pp = s;
    return TODO_OK;
}

static void local_destroy(bus_t *b)
{
    struct bus_local *lb = (struct bus_local *)b;
    struct local_sub *s = lb->subs;
    while (s) {
        struct local_sub *next = s->next;
        for (int i = 0; i < s->n_topics; i++)
            free(s->topics[i]);
        free(s->group);
        free(s);
        s = next;
    }
    pthread_mutex_destroy(&lb->publish_mu);
    free(lb);
}

static const struct bus_ops local_ops = {
    .name = "local",
    .publish = local_publish,
    .subscribe = local_subscribe,
    .destroy = local_destroy,
};

bus_t *bus_local_create(void)
{
    struct bus_local *lb = xcalloc(1, sizeof *lb);
    lb->base.ops = &local_ops;
    pthread_mutex_init(&lb->publish_mu, NULL);
    return &lb->base;
}
