/* store_notify.c - notification settings, in-app notifications and outside deliveries, over
 * the driver (docs/decisions/0031-notification-deliveries.md).
 *
 * The statements are constants written here once with '?' placeholders and run as dynamic
 * statements (cached per connection by their text), so this file adds nothing to the shared
 * statement table. The one dialect difference: a delivery is claimed with FOR UPDATE SKIP
 * LOCKED on postgres, so several notify replicas never take the same row; sqlite's single
 * writer serialises the claim by itself. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"
#include "store/store_notify.h"

#define WITH_CONN(s, c)                                                                            \
    int conn_rc_ = TODO_OK;                                                                        \
    struct store_conn *c = store_conn_get((s), &conn_rc_);                                         \
    if (!c)                                                                                        \
    return conn_rc_

static const char *const state_names[] = {"pending", "delivered", "dead"};

/* A statement whose rows are not read; *changes (may be NULL) gets the rows it changed. */
static int run_plain(struct store_conn *c, const char *sql, const struct sqlb_value *p, int n,
                     int64_t *changes)
{
    struct store_res r;
    int rc = store_run_sql(c, sql, NULL, p, n, &r);
    if (rc != TODO_OK)
        return rc;
    if (changes)
        *changes = r.changes;
    c->s->drv->done(&r);
    return TODO_OK;
}

/* run_plain as one write: its own transaction, or a part of the caller's (store_op_begin). */
static int write_plain(struct store_conn *c, const char *sql, const struct sqlb_value *p, int n,
                       int64_t *changes)
{
    struct store_op op;
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    return store_op_end(c, &op, run_plain(c, sql, p, n, changes));
}

static char *opt_text(struct store_conn *c, struct store_res *r, int col)
{
    return c->s->drv->is_null(r, col) ? NULL : xstrdup(c->s->drv->col_text(r, col));
}

/* --- settings --- */

int store_notify_settings_get(store_t *s, const char *user_id, struct notify_settings *out)
{
    assert(user_id && out);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct sqlb_value p[] = {V_TEXT(user_id)};
    int rc = store_run_sql(c,
                           "SELECT in_app, webhook, ntfy, email, webhook_url, ntfy_url, email_to, "
                           "webhook_secret FROM notify_settings WHERE user_id = ?",
                           NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1) {
        for (int i = 0; i < NOTIFY_N_CHANNELS; i++)
            out->enabled[i] = drv->col_bool(&r, i);
        out->webhook_url = opt_text(c, &r, 4);
        out->ntfy_url = opt_text(c, &r, 5);
        out->email = opt_text(c, &r, 6);
        out->webhook_secret = opt_text(c, &r, 7);
    }
    drv->done(&r);
    return step < 0 ? -step : TODO_OK;
}

int store_notify_settings_put(store_t *s, const char *user_id, const struct notify_settings *st,
                              int64_t now_ms)
{
    assert(user_id && st);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_TEXT(user_id),
                             V_BOOL(st->enabled[NOTIFY_IN_APP]),
                             V_BOOL(st->enabled[NOTIFY_WEBHOOK]),
                             V_BOOL(st->enabled[NOTIFY_NTFY]),
                             V_BOOL(st->enabled[NOTIFY_EMAIL]),
                             V_TEXT(st->webhook_url),
                             V_TEXT(st->ntfy_url),
                             V_TEXT(st->email),
                             V_TEXT(st->webhook_secret),
                             V_INT(now_ms)};
    return write_plain(
        c,
        "INSERT INTO notify_settings (user_id, in_app, webhook, ntfy, email, "
        "webhook_url, ntfy_url, email_to, webhook_secret, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "in_app = excluded.in_app, webhook = excluded.webhook, ntfy = excluded.ntfy, "
        "email = excluded.email, webhook_url = excluded.webhook_url, "
        "ntfy_url = excluded.ntfy_url, email_to = excluded.email_to, "
        "webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at",
        p, N_OF(p), NULL);
}

/* --- notifications --- */

#define NOTIFICATION_COLUMNS "id, task_id, title, body, remind_at, created_at, read_at"

static void read_notification(struct store_conn *c, struct store_res *r, struct notification *n)
{
    const struct store_driver *drv = c->s->drv;
    memset(n, 0, sizeof *n);
    n->id = drv->col_int(r, 0);
    n->task_id = drv->is_null(r, 1) ? 0 : drv->col_int(r, 1);
    n->title = xstrdup(drv->col_text(r, 2));
    n->body = xstrdup(drv->col_text(r, 3));
    n->has_remind_at = !drv->is_null(r, 4);
    n->remind_at = n->has_remind_at ? drv->col_int(r, 4) : 0;
    n->created_at = drv->col_int(r, 5);
    n->has_read_at = !drv->is_null(r, 6);
    n->read_at = n->has_read_at ? drv->col_int(r, 6) : 0;
}

int store_notification_insert(store_t *s, const char *user_id, const char *delivery_id,
                              struct notification *n, bool *inserted)
{
    assert(user_id && delivery_id && n && inserted);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct sqlb_value p[] = {
        V_TEXT(user_id),     V_TEXT(delivery_id), V_OPT_INT(n->task_id > 0, n->task_id),
        V_TEXT(n->title),    V_TEXT(n->body),     V_OPT_INT(n->has_remind_at, n->remind_at),
        V_INT(n->created_at)};
    struct store_op op;
    struct store_res r;
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run_sql(c,
                       "INSERT INTO notifications (user_id, delivery_id, task_id, title, body, "
                       "remind_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (delivery_id) DO NOTHING RETURNING id",
                       NULL, p, N_OF(p), &r);
    if (rc == TODO_OK) {
        int step = drv->next(&r);
        *inserted = step == 1;
        if (step == 1)
            n->id = drv->col_int(&r, 0);
        rc = store_res_drain(drv, &r, step);
    }
    return store_op_end(c, &op, rc);
}

int store_notification_list(store_t *s, const char *user_id, bool unread_only, int64_t before_id,
                            int limit, struct notification **out, int *n)
{
    assert(user_id && out && n && limit > 0);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct sqlb_value p[] = {V_TEXT(user_id), V_INT(before_id > 0 ? before_id : INT64_MAX),
                             V_INT(limit + 1)};
    struct store_res r;
    int rc = store_run_sql(c,
                           unread_only ? "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE "
                                         "user_id = ? AND id < ? AND read_at IS NULL "
                                         "ORDER BY id DESC LIMIT ?"
                                       : "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE "
                                         "user_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                           NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    struct notification *items = xcalloc((size_t)limit + 1, sizeof *items);
    int count = 0, step;
    while ((step = drv->next(&r)) == 1 && count <= limit)
        read_notification(c, &r, &items[count++]);
    drv->done(&r);
    if (step < 0) {
        for (int i = 0; i < count; i++)
            notification_release(&items[i]);
        free(items);
        return -step;
    }
    *out = items;
    *n = count;
    return TODO_OK;
}

int store_notification_read(store_t *s, const char *user_id, int64_t id, int64_t now_ms,
                            struct notification *out)
{
    assert(user_id && out);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct sqlb_value p[] = {V_INT(now_ms), V_TEXT(user_id), V_INT(id)};
    struct store_op op;
    struct store_res r;
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run_sql(c,
                       "UPDATE notifications SET read_at = COALESCE(read_at, ?) "
                       "WHERE user_id = ? AND id = ? RETURNING " NOTIFICATION_COLUMNS,
                       NULL, p, N_OF(p), &r);
    if (rc == TODO_OK) {
        int step = drv->next(&r);
        if (step == 1)
            read_notification(c, &r, out);
        else if (step == 0)
            rc = store_conn_error(c, TODO_ERR_NOT_FOUND, "no such notification");
        int drc = store_res_drain(drv, &r, step);
        if (drc != TODO_OK)
            rc = drc;
    }
    return store_op_end(c, &op, rc);
}

int store_notification_read_all(store_t *s, const char *user_id, int64_t now_ms, int64_t *n)
{
    assert(user_id && n);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_INT(now_ms), V_TEXT(user_id)};
    return write_plain(c,
                       "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
                       p, N_OF(p), n);
}

/* --- deliveries --- */

void delivery_release(struct delivery *d)
{
    if (d) {
        free(d->payload);
        d->payload = NULL;
    }
}

int store_delivery_insert(store_t *s, const char *id, const char *user_id, int channel,
                          const char *payload, int64_t now_ms, bool *inserted)
{
    assert(id && user_id && payload && inserted);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_TEXT(id),      V_TEXT(user_id), V_TEXT(notify_channel_name(channel)),
                             V_TEXT(payload), V_INT(now_ms),   V_INT(now_ms)};
    int64_t changes = 0;
    int rc = write_plain(c,
                         "INSERT INTO deliveries (id, user_id, channel, payload, next_attempt_at, "
                         "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                         p, N_OF(p), &changes);
    if (rc == TODO_OK)
        *inserted = changes == 1;
    return rc;
}

int store_delivery_claim(store_t *s, int64_t now_ms, int64_t lease_until, struct delivery *out,
                         bool *found)
{
    assert(out && found);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct sqlb_value p[] = {V_INT(lease_until), V_INT(now_ms)};
    struct store_res r;
    *found = false;
    int rc = store_run_sql(c,
                           "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ? "
                           "WHERE id = (SELECT id FROM deliveries WHERE state = 'pending' AND "
                           "next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 1) "
                           "RETURNING id, user_id, channel, payload, attempts",
                           "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ? "
                           "WHERE id = (SELECT id FROM deliveries WHERE state = 'pending' AND "
                           "next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 1 "
                           "FOR UPDATE SKIP LOCKED) "
                           "RETURNING id, user_id, channel, payload, attempts",
                           p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1) {
        memset(out, 0, sizeof *out);
        snprintf(out->id, sizeof out->id, "%s", drv->col_text(&r, 0));
        snprintf(out->user_id, sizeof out->user_id, "%s", drv->col_text(&r, 1));
        out->channel = notify_channel_parse(drv->col_text(&r, 2));
        out->payload = xstrdup(drv->col_text(&r, 3));
        out->attempts = (int)drv->col_int(&r, 4);
        *found = true;
    }
    rc = store_res_drain(drv, &r, step);
    if (rc != TODO_OK && *found) {
        delivery_release(out);
        *found = false;
    }
    return rc;
}

int store_delivery_finish(store_t *s, const char *id, int attempts, int state, int64_t next_at,
                          const char *error, int64_t now_ms)
{
    assert(id && state >= DELIVERY_PENDING && state <= DELIVERY_DEAD);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_TEXT(state_names[state]),
                             V_INT(next_at),
                             V_TEXT(error ? error : ""),
                             V_OPT_INT(state != DELIVERY_PENDING, now_ms),
                             V_TEXT(id),
                             V_INT(attempts)};
    return run_plain(c,
                     "UPDATE deliveries SET state = ?, next_attempt_at = ?, last_error = ?, "
                     "done_at = ? WHERE id = ? AND attempts = ? AND state = 'pending'",
                     p, N_OF(p), NULL);
}

int store_delivery_next_due(store_t *s, int64_t *at, bool *found)
{
    assert(at && found);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    int rc = store_run_sql(c, "SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'",
                           NULL, NULL, 0, &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    *found = step == 1 && !drv->is_null(&r, 0);
    if (*found)
        *at = drv->col_int(&r, 0);
    return store_res_drain(drv, &r, step);
}

int store_delivery_prune_some(store_t *s, int64_t before_ms, int limit, int64_t *n)
{
    assert(limit > 0 && n);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_INT(before_ms), V_INT(limit)};
    return run_plain(c,
                     "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE "
                     "state = 'delivered' AND done_at < ? ORDER BY done_at LIMIT ?)",
                     p, N_OF(p), n);
}

int store_delivery_count(store_t *s, int state, int64_t *n)
{
    assert(n && state >= DELIVERY_PENDING && state <= DELIVERY_DEAD);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct sqlb_value p[] = {V_TEXT(state_names[state])};
    int rc =
        store_run_sql(c, "SELECT count(*) FROM deliveries WHERE state = ?", NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1)
        *n = drv->col_int(&r, 0);
    return store_res_drain(drv, &r, step);
}
