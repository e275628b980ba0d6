/* deliveries.c - the delivery pool's use cases (docs/decisions/0031-notification-deliveries.md):
 * when the next delivery is due, claiming one, where it goes as the user's settings are now,
 * and its outcome: delivered, a later attempt, or dead with its dead letter. The pool
 * (src/services/notify/) does the sending, the backoff and the threads. */
#include "app/app_notify.h"
#include "base/timeutil.h"
#include "core/event.h"
#include "events/dead_letters.h"

#include <assert.h>
#include <string.h>

int app_delivery_next_due(struct app *a, int64_t *at, bool *found, struct todo_err *err)
{
    int rc = store_delivery_next_due(a->store, at, found);
    if (rc)
        todo_err_set(err, rc, "cannot read the deliveries: %s", store_last_error(a->store));
    return rc;
}

int app_delivery_claim(struct app *a, int64_t now, int64_t lease_until, struct delivery *out,
                       bool *found, struct todo_err *err)
{
    assert(lease_until > now);
    int rc = store_delivery_claim(a->store, now, lease_until, out, found);
    if (rc)
        todo_err_set(err, rc, "cannot claim a delivery: %s", store_last_error(a->store));
    assert(rc || !*found || out->attempts >= 1);
    return rc;
}

void delivery_target_release(struct delivery_target *t)
{
    notify_settings_release(&t->settings);
    user_release(&t->account);
    t->url = t->secret = t->email = NULL;
}

/* The account's own address, for an email channel without one of its own. */
static int account_email(struct app *a, struct delivery_target *t, const char *user_id,
                         struct todo_err *err)
{
    int rc = store_user_get_by_id(a->store, user_id, &t->account);
    if (rc)
        return todo_err_set(err, rc, "cannot read the account's address");
    t->email = t->account.email;
    return TODO_OK;
}

int app_delivery_target(struct app *a, const struct delivery *d, struct delivery_target *out,
                        struct todo_err *err)
{
    memset(out, 0, sizeof *out);
    notify_settings_init(&out->settings);
    user_init(&out->account);
    const struct notify_settings *st = &out->settings;
    int rc = store_notify_settings_get(a->store, d->user_id, &out->settings);
    if (rc)
        return todo_err_set(err, rc, "cannot read the settings: %s", store_last_error(a->store));
    if (d->channel == NOTIFY_WEBHOOK && st->webhook_url) {
        out->url = st->webhook_url;
        out->secret = st->webhook_secret;
    } else if (d->channel == NOTIFY_NTFY && st->ntfy_url) {
        out->url = st->ntfy_url;
    } else if (d->channel == NOTIFY_EMAIL && st->email) {
        out->email = st->email;
    } else if (d->channel == NOTIFY_EMAIL) {
        return account_email(a, out, d->user_id, err);
    } else {
        return todo_err_set(err, TODO_ERR_VALIDATION, "the %s channel has no URL any more",
                            d->channel >= 0 ? notify_channel_name(d->channel) : "unknown");
    }
    return TODO_OK;
}

int app_delivery_done(struct app *a, const struct delivery *d, int64_t now, struct todo_err *err)
{
    int rc = store_delivery_finish(a->store, d->id, d->attempts, DELIVERY_DONE, now, "", now);
    if (rc)
        todo_err_set(err, rc, "cannot record the delivery: %s", store_last_error(a->store));
    return rc;
}

int app_delivery_retry(struct app *a, const struct delivery *d, int64_t next_at, const char *error,
                       int64_t now, struct todo_err *err)
{
    assert(next_at > now);
    int rc =
        store_delivery_finish(a->store, d->id, d->attempts, DELIVERY_PENDING, next_at, error, now);
    if (rc)
        todo_err_set(err, rc, "cannot record the failed attempt: %s", store_last_error(a->store));
    return rc;
}

/* The dead letter of a delivery, as docs/events/dead-letter.schema.json has it: event is
 * {delivery_id, channel, user_id, data} (data: the reminder as it was sent). */
static void dead_letter_write(struct buf *out, const struct delivery *d, const char *error,
                              int64_t now)
{
    dead_letter_open(out, "notify", error, d->attempts, now, TOPIC_REMINDERS);
    buf_puts(out, "{\"delivery_id\":");
    buf_json_str(out, d->id);
    buf_printf(out, ",\"channel\":\"%s\",\"user_id\":",
               d->channel >= 0 ? notify_channel_name(d->channel) : "unknown");
    buf_json_str(out, d->user_id);
    buf_puts(out, ",\"data\":");
    json_t *j = json_loads(d->payload, 0, NULL);
    if (j) /* JSON this process wrote (app_reminder_due_in_tx) */
        buf_puts(out, d->payload);
    else /* its text, as the consumer runtime keeps what is not JSON */
        buf_json_str(out, d->payload);
    json_decref(j);
    buf_puts(out, "}}");
}

int app_delivery_dead(struct app *a, const struct delivery *d, const char *error, int64_t now,
                      struct todo_err *err)
{
    struct buf letter;
    buf_init(&letter);
    dead_letter_write(&letter, d, error, now);
    int rc = store_begin(a->store);
    if (rc == TODO_OK)
        rc = store_delivery_finish(a->store, d->id, d->attempts, DELIVERY_DEAD, now, error, now);
    if (rc == TODO_OK)
        rc = store_dead_letter_insert(a->store, TOPIC_REMINDERS ".dlq", d->user_id, d->id,
                                      letter.data, now);
    if (rc == TODO_OK) {
        rc = store_commit(a->store);
        if (rc)
            todo_err_set(err, rc, "cannot record the dead delivery: %s",
                         store_last_error(a->store));
    } else {
        todo_err_set(err, rc, "cannot record the dead delivery: %s", store_last_error(a->store));
        store_rollback(a->store);
    }
    buf_release(&letter);
    return rc;
}

int app_deliveries_prune(struct app *a, int64_t before, int limit, int64_t *n, struct todo_err *err)
{
    int rc = store_delivery_prune_some(a->store, before, limit, n);
    if (rc)
        todo_err_set(err, rc, "cannot prune deliveries: %s", store_last_error(a->store));
    return rc;
}

int app_deliveries_pending(struct app *a, int64_t *n)
{
    return store_delivery_count(a->store, DELIVERY_PENDING, n);
}
