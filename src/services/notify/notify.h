/* notify.h - the notify role (consumer group "notify"): todo.reminder.due events become
 * in-app notifications and queued deliveries (src/app/notify.c), and a delivery pool of its
 * own sends the queued ones to webhooks, ntfy and e-mail, with retries, backoff and a dead
 * letter after the last attempt (docs/decisions/0031-notification-deliveries.md). */
#ifndef TODO_SERVICES_NOTIFY_H
#define TODO_SERVICES_NOTIFY_H

#include "app/app.h"
#include "base/buf.h"
#include "base/err.h"
#include "events/consumer.h"
#include "store/store.h"

struct notify_config {
    int workers;             /* TODO_NOTIFY_WORKERS: delivery threads (default 4) */
    int max_attempts;        /* TODO_NOTIFY_MAX_ATTEMPTS: before the dead letter (default 8) */
    int64_t backoff_ms;      /* TODO_NOTIFY_BACKOFF_MS: first retry delay, doubled (1000) */
    int64_t backoff_max_ms;  /* TODO_NOTIFY_BACKOFF_MAX_MS (300000) */
    int64_t timeout_ms;      /* TODO_NOTIFY_TIMEOUT_MS: one request (10000) */
    int64_t retention_ms;    /* TODO_NOTIFY_RETENTION (seconds): delivered rows kept (7 days) */
    bool allow_private;      /* TODO_ALLOW_PRIVATE_WEBHOOKS=1 */
    char smtp_url[512];      /* TODO_SMTP_URL: smtp://host:port, smtps://...; "" = no e-mail */
    char smtp_user[256];     /* TODO_SMTP_USER */
    char smtp_password[256]; /* TODO_SMTP_PASSWORD (never logged) */
    char smtp_from[256];     /* TODO_SMTP_FROM: the sender address (default todo@localhost) */
    char public_url[512];    /* TODO_PUBLIC_URL: the web UI's address, for links in messages */
};

/* Reads the TODO_NOTIFY_*, TODO_SMTP_*, TODO_PUBLIC_URL and TODO_ALLOW_PRIVATE_WEBHOOKS
 * variables (docs/operations.md) and tells the app whether private URLs are allowed. 400
 * with a message for a bad value. */
int notify_config_load(struct notify_config *cfg, struct todo_err *err);

typedef struct notify_service notify_service_t;

/* The service over a (which outlives it; the notify consumer's store must be a's); nothing
 * runs until notify_start. */
notify_service_t *notify_create(struct app *a, const struct notify_config *cfg);
/* Registers the todo.reminder.due handler on reminders. */
void notify_register(consumer_t *c, notify_service_t *ns);
/* Starts the delivery pool. */
void notify_start(notify_service_t *ns);
/* Stops the pool: deliveries in progress finish (each bounded by the timeout). */
void notify_stop(notify_service_t *ns);
void notify_destroy(notify_service_t *ns);
/* Appends Prometheus text: todo_notifications_delivered_total{channel},
 * todo_notifications_failed_total{channel} (failed attempts),
 * todo_notifications_dead_lettered_total{channel}, todo_notifications_pending,
 * todo_notifications_pruned_total (delivered rows deleted past retention). NULL: none. */
void notify_metrics(notify_service_t *ns, struct buf *out);

#endif
