/* app_notify.h - the notification use cases: channel settings, the webhook secret, test
 * sends, the in-app list, and what a due reminder becomes (an in-app notification with its
 * todo.notification.created event, and one queued delivery per enabled outside channel),
 * docs/decisions/0031-notification-deliveries.md. Thread-safe like app.h. */
#ifndef TODO_APP_APP_NOTIFY_H
#define TODO_APP_APP_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "base/buf.h"
#include "core/notify.h"
#include "store/store_notify.h"

/* Process-wide: whether webhook and ntfy URLs may point at private addresses
 * (TODO_ALLOW_PRIVATE_WEBHOOKS). Set once at start, before any request. */
void app_notify_allow_private(bool allow);
bool app_notify_private_allowed(void);
/* Called (on the committing thread) after a use case committed queued deliveries, so this
 * process's delivery pool looks at once. Set once at start; NULL: none. */
typedef void (*app_notify_wake_fn)(void *arg);
void app_notify_set_wake(app_notify_wake_fn fn, void *arg);
void app_notify_wake(void);

/* GET /api/{user_id}/settings: *out is a new reference. */
int app_settings_get(struct app *a, const char *user_id, json_t **out, struct todo_err *err);
/* PUT /api/{user_id}/settings: the fields given (notify_settings_apply_json); 422 for a bad
 * one, nothing changed. *out: the settings after, a new reference. */
int app_settings_put(struct app *a, const char *user_id, json_t *body, json_t **out,
                     struct todo_err *err);
/* POST .../settings/webhook-secret: a new secret, stored and written to secret (shown once;
 * the caller must not log it). */
int app_webhook_secret_new(struct app *a, const char *user_id, char secret[NOTIFY_SECRET_MAX],
                           struct todo_err *err);
/* POST .../settings/test/{channel}: in_app writes a test notification; the others queue a
 * test delivery. 404 for an unknown channel, 422 when the channel has no URL. */
int app_notify_test(struct app *a, const char *user_id, const char *channel, struct todo_err *err);
/* GET .../notifications?unread=true&limit=&cursor=: appends {items, next_cursor} to out.
 * 400 for a bad parameter. */
int app_notifications_list(struct app *a, const char *user_id, query_param_fn get, void *ctx,
                           struct buf *out, struct todo_err *err);
/* POST .../notifications/{id}/read. 404 when not the user's. *out: notification_release. */
int app_notification_read(struct app *a, const char *user_id, int64_t id, struct notification *out,
                          struct todo_err *err);
/* POST .../notifications/read-all: *n gets how many were unread. */
int app_notifications_read_all(struct app *a, const char *user_id, int64_t *n,
                               struct todo_err *err);

/* What one due reminder became. */
struct app_reminder_outcome {
    bool in_app;                   /* a new in-app notification (false: none, or already made) */
    int n_queued;                  /* outside deliveries queued now */
    int queued[NOTIFY_N_CHANNELS]; /* which: 1 when that channel's delivery was queued now */
};
/* The notify consumer's use case, inside its transaction: per the user's settings, the
 * in-app notification (once per reminder firing) with its event, and one delivery per enabled
 * outside channel (once per firing and channel). Returns a store result (err says why). */
int app_reminder_due_in_tx(struct app *a, const struct reminder_due *r,
                           struct app_reminder_outcome *out, struct todo_err *err);

/* --- the delivery pool's use cases (deliveries.c) --- */
/* When the earliest pending delivery is due; *found false when none. */
int app_delivery_next_due(struct app *a, int64_t *at, bool *found, struct todo_err *err);
/* Claims the pending delivery due first, if any (*found): counts its attempt and leases it
 * until lease_until, when any pool may take it again. *out: delivery_release. */
int app_delivery_claim(struct app *a, int64_t now, int64_t lease_until, struct delivery *out,
                       bool *found, struct todo_err *err);

/* Where a delivery goes, per the user's settings as they are when it is sent. */
struct delivery_target {
    const char *url;                 /* webhook, ntfy: the address */
    const char *secret;              /* webhook: the signing secret, or NULL */
    const char *email;               /* email: the channel's address, or else the account's */
    struct notify_settings settings; /* owns the strings above */
    struct user account;
};
/* Fills *out (delivery_target_release, also on error). 422 when d's channel has nowhere to go
 * any more (its URL was removed): a later attempt would not do better. */
int app_delivery_target(struct app *a, const struct delivery *d, struct delivery_target *out,
                        struct todo_err *err);
void delivery_target_release(struct delivery_target *t);

/* The outcome of the attempt d->attempts (ignored when the row was claimed again since). */
int app_delivery_done(struct app *a, const struct delivery *d, int64_t now, struct todo_err *err);
/* A failed attempt with another one at next_at. */
int app_delivery_retry(struct app *a, const struct delivery *d, int64_t next_at, const char *error,
                       int64_t now, struct todo_err *err);
/* Given up: marks d dead and writes its dead letter to reminders.dlq, in one transaction. */
int app_delivery_dead(struct app *a, const struct delivery *d, const char *error, int64_t now,
                      struct todo_err *err);
/* Deletes at most limit delivered rows older than before; *n gets how many. */
int app_deliveries_prune(struct app *a, int64_t before, int limit, int64_t *n,
                         struct todo_err *err);
/* How many deliveries wait or are in progress (for the metrics). */
int app_deliveries_pending(struct app *a, int64_t *n);

#endif
