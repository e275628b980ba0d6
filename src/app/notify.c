/* notify.c - the notification use cases (docs/decisions/0031-notification-deliveries.md,
 * 0032-notification-settings.md).
 *
 * The one idea: a due reminder is turned into rows in one transaction - the consumer's, with
 * its processed-event record - and nothing leaves the process there. The in-app notification
 * and its todo.notification.created event (the outbox) are written at once; every outside
 * channel gets a delivery row whose id is the stable delivery id of (reminder, channel), and
 * the delivery pool (src/services/notify/) sends it later, off every HTTP worker and off the
 * consumer and relay threads. A firing seen twice inserts nothing the second time. */
#include "app/app_notify.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/uuid.h"
#include "base/xalloc.h"
#include "core/event.h"
#include "events/cloudevent.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_PAGE_DEFAULT 50
#define NOTIFY_PAGE_MAX     200

static bool allow_private;
static app_notify_wake_fn wake_fn;
static void *wake_arg;

void app_notify_allow_private(bool allow)
{
    __atomic_store_n(&allow_private, allow, __ATOMIC_RELEASE);
}

bool app_notify_private_allowed(void)
{
    return __atomic_load_n(&allow_private, __ATOMIC_ACQUIRE);
}

void app_notify_set_wake(app_notify_wake_fn fn, void *arg)
{
    if (fn) /* arg first: a reader that sees fn sees its arg */
        __atomic_store_n(&wake_arg, arg, __ATOMIC_RELEASE);
    __atomic_store_n(&wake_fn, fn, __ATOMIC_RELEASE);
}

void app_notify_wake(void)
{
    app_notify_wake_fn fn = __atomic_load_n(&wake_fn, __ATOMIC_ACQUIRE);
    if (fn)
        fn(__atomic_load_n(&wake_arg, __ATOMIC_ACQUIRE));
}

/* --- settings --- */

int app_settings_get(struct app *a, const char *user_id, json_t **out, struct todo_err *err)
{
    struct notify_settings st;
    notify_settings_init(&st);
    int rc = store_notify_settings_get(a->store, user_id, &st);
    if (rc == TODO_OK)
        *out = notify_settings_to_json(&st);
    notify_settings_release(&st);
    return app_store_error(a, rc, err);
}

/* Reads, changes through change(st, arg) and writes the user's settings in one transaction. */
static int settings_change(struct app *a, const char *user_id,
                           int (*change)(struct notify_settings *, void *, struct todo_err *),
                           void *arg, struct notify_settings *after, struct todo_err *err)
{
    int rc = store_begin(a->store);
    if (rc == TODO_OK)
        rc = store_notify_settings_get(a->store, user_id, after);
    if (rc == TODO_OK && change(after, arg, err) != TODO_OK) {
        store_rollback(a->store);
        return err->rc;
    }
    if (rc == TODO_OK)
        rc = store_notify_settings_put(a->store, user_id, after, time_now_ms());
    if (rc == TODO_OK)
        rc = store_commit(a->store);
    else
        store_rollback(a->store);
    return app_store_error(a, rc, err);
}

/* The validated body's fields, moved onto the stored settings (the secret stays). */
static int take_fields(struct notify_settings *st, void *arg, struct todo_err *err)
{
    (void)err;
    struct notify_settings *given = arg;
    memcpy(st->enabled, given->enabled, sizeof st->enabled);
    char **dst[] = {&st->webhook_url, &st->ntfy_url, &st->email};
    char **src[] = {&given->webhook_url, &given->ntfy_url, &given->email};
    for (int i = 0; i < 3; i++) {
        free(*dst[i]);
        *dst[i] = *src[i];
        *src[i] = NULL;
    }
    return TODO_OK;
}

int app_settings_put(struct app *a, const char *user_id, json_t *body, json_t **out,
                     struct todo_err *err)
{
    /* Validated (and hosts resolved) before the transaction, on what is stored now; the
     * write then replaces the fields as validated. */
    struct notify_settings given, after;
    notify_settings_init(&given);
    notify_settings_init(&after);
    int rc = store_notify_settings_get(a->store, user_id, &given);
    if (rc) {
        rc = app_store_error(a, rc, err);
        goto out_release;
    }
    rc = notify_settings_apply_json(&given, body, app_notify_private_allowed(), err);
    if (rc == TODO_OK)
        rc = settings_change(a, user_id, take_fields, &given, &after, err);
    if (rc == TODO_OK)
        *out = notify_settings_to_json(&after);
out_release:
    notify_settings_release(&given);
    notify_settings_release(&after);
    return rc;
}

static int set_secret(struct notify_settings *st, void *arg, struct todo_err *err)
{
    (void)err;
    if (st->webhook_secret) {
        sodium_memzero(st->webhook_secret, strlen(st->webhook_secret));
        free(st->webhook_secret);
    }
    st->webhook_secret = xstrdup(arg);
    return TODO_OK;
}

int app_webhook_secret_new(struct app *a, const char *user_id, char secret[NOTIFY_SECRET_MAX],
                           struct todo_err *err)
{
    struct notify_settings after;
    notify_settings_init(&after);
    notify_secret_new(secret);
    int rc = settings_change(a, user_id, set_secret, secret, &after, err);
    notify_settings_release(&after);
    return rc;
}

/* --- in-app notifications and their event --- */

/* todo.notification.created on task-updates, in the caller's transaction: data
 * {user_id, notification} (docs/events/README.md). */
static int notification_event(struct app *a, const char *user_id, const struct notification *n,
                              int64_t now)
{
    struct buf data, out;
    buf_init(&data);
    buf_init(&out);
    buf_puts(&data, "{\"user_id\":");
    buf_json_str(&data, user_id);
    buf_puts(&data, ",\"notification\":");
    notification_json_write(&data, n);
    buf_putc(&data, '}');
    struct cloudevent ce;
    memset(&ce, 0, sizeof ce);
    uuid_v7(ce.id);
    snprintf(ce.source, sizeof ce.source, "%s", a->event_source);
    snprintf(ce.type, sizeof ce.type, "todo.notification.created");
    snprintf(ce.subject, sizeof ce.subject, "%lld", (long long)n->id);
    ce.time = now;
    snprintf(ce.traceparent, sizeof ce.traceparent, "%s", app_trace_current());
    snprintf(ce.partition_key, sizeof ce.partition_key, "%s", user_id);
    ce.data = data.data; /* borrowed: cloudevent_write only reads it */
    cloudevent_write(&out, &ce);
    int rc = store_outbox_insert(a->store, TOPIC_TASK_UPDATES, user_id, ce.id, out.data, now);
    buf_release(&data);
    buf_release(&out);
    return rc;
}

/* The in-app notification of r under delivery_id, with its event when it is new. */
static int in_app_insert(struct app *a, const struct reminder_due *r, const char *delivery_id,
                         bool *inserted)
{
    int64_t now = time_now_ms();
    struct buf body;
    buf_init(&body);
    reminder_due_body(r, &body);
    struct notification n = {.task_id = r->task_id,
                             .title = r->title,
                             .body = body.data,
                             .has_remind_at = true,
                             .remind_at = r->remind_at,
                             .created_at = now};
    int rc = store_notification_insert(a->store, r->user_id, delivery_id, &n, inserted);
    if (rc == TODO_OK && *inserted)
        rc = notification_event(a, r->user_id, &n, now);
    buf_release(&body);
    return rc;
}

/* Whether the channel has where to go: a URL (webhook, ntfy); in-app and e-mail (the
 * account's address by default) always have. */
static bool channel_ready(const struct notify_settings *st, int ch)
{
    return (ch == NOTIFY_WEBHOOK && st->webhook_url) || (ch == NOTIFY_NTFY && st->ntfy_url) ||
           ch == NOTIFY_IN_APP || ch == NOTIFY_EMAIL;
}

int app_reminder_due_in_tx(struct app *a, const struct reminder_due *r,
                           struct app_reminder_outcome *out, struct todo_err *err)
{
    struct notify_settings st;
    notify_settings_init(&st);
    memset(out, 0, sizeof *out);
    char key[NOTIFY_KEY_MAX], id[NOTIFY_DELIVERY_ID_MAX];
    reminder_due_key(r, key);
    struct buf payload;
    buf_init(&payload);
    reminder_due_webhook_body(r, false, &payload);
    int rc = store_notify_settings_get(a->store, r->user_id, &st);
    for (int ch = 0; rc == TODO_OK && ch < NOTIFY_N_CHANNELS; ch++) {
        if (!st.enabled[ch] || !channel_ready(&st, ch))
            continue;
        notify_delivery_id(key, ch, id);
        bool inserted = false;
        if (ch == NOTIFY_IN_APP) {
            rc = in_app_insert(a, r, id, &inserted);
            out->in_app = inserted;
        } else {
            rc = store_delivery_insert(a->store, id, r->user_id, ch, payload.data, time_now_ms(),
                                       &inserted);
            out->queued[ch] = inserted;
            out->n_queued += inserted;
        }
    }
    if (rc)
        todo_err_set(err, rc, "cannot record the reminder's notifications: %s",
                     store_last_error(a->store));
    buf_release(&payload);
    notify_settings_release(&st);
    return rc;
}

/* --- test sends --- */

static int test_send_in_tx(struct app *a, const char *user_id, int ch, struct todo_err *err)
{
    struct notify_settings st;
    notify_settings_init(&st);
    char uuid[UUID_STR_LEN], key[NOTIFY_KEY_MAX], id[NOTIFY_DELIVERY_ID_MAX];
    uuid_v7(uuid);
    snprintf(key, sizeof key, "test-%s", uuid);
    notify_delivery_id(key, ch, id);
    struct reminder_due r = {.title = "Test notification from Todo", .remind_at = time_now_ms()};
    snprintf(r.user_id, sizeof r.user_id, "%s", user_id);
    bool inserted = false;
    int rc = store_notify_settings_get(a->store, user_id, &st);
    if (rc == TODO_OK && !channel_ready(&st, ch)) {
        rc = todo_err_field(err, "channel", "%s has no URL set", notify_channel_name(ch));
        goto out_release;
    }
    if (rc == TODO_OK && ch == NOTIFY_IN_APP) {
        rc = in_app_insert(a, &r, id, &inserted);
    } else if (rc == TODO_OK) {
        struct buf payload;
        buf_init(&payload);
        reminder_due_webhook_body(&r, true, &payload);
        rc = store_delivery_insert(a->store, id, user_id, ch, payload.data, r.remind_at, &inserted);
        buf_release(&payload);
    }
    if (rc)
        rc = app_store_error(a, rc, err);
out_release:
    notify_settings_release(&st);
    return rc;
}

int app_notify_test(struct app *a, const char *user_id, const char *channel, struct todo_err *err)
{
    int ch = notify_channel_parse(channel);
    if (ch < 0)
        return todo_err_set(err, TODO_ERR_NOT_FOUND, "no such channel");
    int rc = store_begin(a->store);
    if (rc)
        return app_store_error(a, rc, err);
    rc = test_send_in_tx(a, user_id, ch, err);
    if (rc) {
        store_rollback(a->store);
        return rc;
    }
    rc = store_commit(a->store);
    if (rc)
        return app_store_error(a, rc, err);
    if (ch == NOTIFY_IN_APP)
        app_events_committed(a);
    else
        app_notify_wake();
    return TODO_OK;
}

/* --- the in-app list --- */

static int page_params(query_param_fn get, void *ctx, bool *unread, int *limit, int64_t *before,
                       struct todo_err *err)
{
    const char *u = get(ctx, "unread"), *l = get(ctx, "limit"), *c = get(ctx, "cursor");
    *unread = false;
    *limit = NOTIFY_PAGE_DEFAULT;
    *before = 0;
    if (u && strcmp(u, "true") != 0 && strcmp(u, "false") != 0)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "unread must be true or false");
    *unread = u && strcmp(u, "true") == 0;
    char *end;
    if (l) {
        errno = 0;
        long v = strtol(l, &end, 10);
        if (errno || end == l || *end || v < 1 || v > NOTIFY_PAGE_MAX)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "limit must be 1..200");
        *limit = (int)v;
    }
    if (c) {
        errno = 0;
        long long v = c[0] == 'n' ? strtoll(c + 1, &end, 10) : -1;
        if (c[0] != 'n' || errno || end == c + 1 || *end || v < 1)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "cursor is not one this server gave");
        *before = v;
    }
    return TODO_OK;
}

int app_notifications_list(struct app *a, const char *user_id, query_param_fn get, void *ctx,
                           struct buf *out, struct todo_err *err)
{
    bool unread;
    int limit;
    int64_t before;
    if (page_params(get, ctx, &unread, &limit, &before, err))
        return err->rc;
    struct notification *items = NULL;
    int n = 0;
    int rc = store_notification_list(a->store, user_id, unread, before, limit, &items, &n);
    if (rc)
        return app_store_error(a, rc, err);
    buf_puts(out, "{\"items\":[");
    for (int i = 0; i < n && i < limit; i++) {
        if (i)
            buf_putc(out, ',');
        notification_json_write(out, &items[i]);
    }
    if (n > limit)
        buf_printf(out, "],\"next_cursor\":\"n%lld\"}", (long long)items[limit - 1].id);
    else
        buf_puts(out, "],\"next_cursor\":null}");
    for (int i = 0; i < n; i++)
        notification_release(&items[i]);
    free(items);
    return TODO_OK;
}

int app_notification_read(struct app *a, const char *user_id, int64_t id, struct notification *out,
                          struct todo_err *err)
{
    int rc = store_notification_read(a->store, user_id, id, time_now_ms(), out);
    if (rc == TODO_ERR_NOT_FOUND)
        return todo_err_set(err, rc, "no such notification");
    return app_store_error(a, rc, err);
}

int app_notifications_read_all(struct app *a, const char *user_id, int64_t *n, struct todo_err *err)
{
    return app_store_error(a, store_notification_read_all(a->store, user_id, time_now_ms(), n),
                           err);
}
