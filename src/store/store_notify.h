/* store_notify.h - the storage of notifications (migration 10): each user's channel
 * settings, the in-app notifications, and the outside deliveries the delivery pool works
 * through (docs/decisions/0031-notification-deliveries.md). Same threading and error rules
 * as store.h; every call runs in the caller's transaction when one is open. */
#ifndef TODO_STORE_STORE_NOTIFY_H
#define TODO_STORE_STORE_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/notify.h"
#include "store/store.h"

/* Fills *out (initialised, empty) with the user's settings, the secret included; the
 * defaults (notify_settings_init) when the user never saved any. */
int store_notify_settings_get(store_t *s, const char *user_id, struct notify_settings *out);
/* Writes every field of st (the secret included) for the user. */
int store_notify_settings_put(store_t *s, const char *user_id, const struct notify_settings *st,
                              int64_t now_ms);

/* Inserts n for the user under delivery_id unless that id exists; sets n->id and *inserted
 * (false: it already existed, nothing changed). */
int store_notification_insert(store_t *s, const char *user_id, const char *delivery_id,
                              struct notification *n, bool *inserted);
/* The user's notifications newest first, ids below before_id (0: from the newest), at most
 * limit + 1 (the extra one tells there is a next page). *out is malloc'd (release each, then
 * free), *n its length. */
int store_notification_list(store_t *s, const char *user_id, bool unread_only, int64_t before_id,
                            int limit, struct notification **out, int *n);
/* Marks one read (kept as it was when already read) and fills *out. TODO_ERR_NOT_FOUND
 * when it is not the user's. */
int store_notification_read(store_t *s, const char *user_id, int64_t id, int64_t now_ms,
                            struct notification *out);
/* Marks every unread one read; *n gets how many. */
int store_notification_read_all(store_t *s, const char *user_id, int64_t now_ms, int64_t *n);

enum delivery_state { DELIVERY_PENDING, DELIVERY_DONE, DELIVERY_DEAD };

struct delivery {
    char id[NOTIFY_DELIVERY_ID_MAX];
    char user_id[USER_ID_MAX];
    int channel;   /* enum notify_channel */
    char *payload; /* owned: the reminder's data (JSON) */
    int attempts;  /* including the one just claimed */
};
void delivery_release(struct delivery *d);
/* Queues a delivery, due now, unless one with that id exists (*inserted tells). */
int store_delivery_insert(store_t *s, const char *id, const char *user_id, int channel,
                          const char *payload, int64_t now_ms, bool *inserted);
/* Claims the pending delivery due first (next_attempt_at <= now_ms), if any: counts the
 * attempt and moves its next attempt to lease_until, so a process that dies holding it lets
 * another take it then. Concurrent claimers never get the same one (postgres: FOR UPDATE
 * SKIP LOCKED). *found tells; *out is filled only then. */
int store_delivery_claim(store_t *s, int64_t now_ms, int64_t lease_until, struct delivery *out,
                         bool *found);
/* Records the outcome of attempt number attempts (ignored when the row was claimed again
 * since): state, the next attempt's time (pending), the error text ("" when none). */
int store_delivery_finish(store_t *s, const char *id, int attempts, int state, int64_t next_at,
                          const char *error, int64_t now_ms);
/* The earliest next_attempt_at of a pending delivery; *found false when none. */
int store_delivery_next_due(store_t *s, int64_t *at, bool *found);
/* Deletes at most limit (> 0) deliveries delivered before before_ms, oldest first, in one
 * short statement; *n gets how many. Dead ones are kept (they are the dead letters' rows). */
int store_delivery_prune_some(store_t *s, int64_t before_ms, int limit, int64_t *n);
/* Number of deliveries in a state (enum delivery_state), for metrics and tests. */
int store_delivery_count(store_t *s, int state, int64_t *n);

#endif
