/* realtime.c - the realtime role: WebSocket clients on GET /ws (src/http/ws.c), fed by a
 * broadcast subscription to task-updates, so every replica gets every event and serves its
 * own connections. Pushing is best effort and not transactional: an event is acknowledged
 * once handed to the hub, and none is deduplicated through the store (a redelivered event
 * is pushed again; clients treat a push as "this task is now so"). Events older than the
 * process (a new Kafka group starts from the earliest offset) are history, not pushed.
 * docs/decisions/0033-websocket-realtime.md. */
#include "services/realtime/realtime.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/trace.h"
#include "core/event.h"

#include <assert.h>
#include <string.h>

#define REALTIME_GROUP  "realtime"
#define STALE_MARGIN_MS 5000

static int check_token(void *ctx, const char *token, char user_id[WS_USER_MAX])
{
    struct realtime_service *rt = ctx;
    struct todo_err err;
    todo_err_clear(&err);
    char user[USER_ID_MAX];
    if (app_token_verify(rt->app, token, user, &err) != TODO_OK)
        return -1;
    memcpy(user_id, user, strlen(user) + 1);
    return 0;
}

int realtime_start(struct realtime_service *rt, struct app *app, const struct ws_hub_config *cfg,
                   struct todo_err *err)
{
    assert(rt && app && cfg);
    _Static_assert(USER_ID_MAX <= WS_USER_MAX, "a user id fits a WebSocket's");
    rt->app = app;
    rt->started_ms = time_now_ms();
    struct ws_hub_config hc = *cfg;
    hc.auth = check_token;
    hc.auth_ctx = rt;
    rt->hub = ws_hub_create(&hc, err);
    return rt->hub ? TODO_OK : err->rc;
}

void realtime_routes_register(struct realtime_service *rt, http_server_t *server)
{
    assert(rt->hub);
    http_route_add(server, "GET", "/ws", ws_handle_upgrade, rt->hub);
}

/* One info line per event handed to the hub: ids and the trace id, which joins it to the
 * request that caused it (docs/decisions/0055). */
static void log_pushed(const struct cloudevent *ce)
{
    if (!log_enabled(LOG_INFO))
        return;
    char trace_id[33];
    traceparent_trace_id(ce->traceparent, trace_id);
    struct buf f;
    buf_init(&f);
    buf_puts(&f, "\"event_id\":");
    buf_json_str(&f, ce->id);
    cloudevent_log_fields(&f, ce);
    buf_puts(&f, ",\"trace_id\":");
    buf_json_str(&f, trace_id);
    log_write(LOG_INFO, "event handed to the hub", f.data);
    buf_release(&f);
}

static int on_update(void *ctx, const struct bus_message *m)
{
    struct realtime_service *rt = ctx;
    struct cloudevent ce;
    struct todo_err err;
    todo_err_clear(&err);
    if (cloudevent_parse(m->payload, m->len, &ce, &err) != TODO_OK) {
        log_msg(LOG_WARN, "realtime: an unreadable event %s dropped: %s", m->id, err.message);
        return BUS_ACK;
    }
    if (ce.time < rt->started_ms - STALE_MARGIN_MS) {
        cloudevent_release(&ce);
        return BUS_ACK;
    }
    char user[USER_ID_MAX];
    struct buf msg;
    buf_init(&msg);
    int rc = app_realtime_message(&ce, user, &msg);
    if (rc == TODO_OK) {
        ws_hub_send_user(rt->hub, user, msg.data, msg.len);
        log_pushed(&ce);
    } else if (rc != TODO_ERR_NOT_FOUND)
        log_msg(LOG_WARN, "realtime: event %s (%s) has no pushable data", ce.id, ce.type);
    buf_release(&msg);
    cloudevent_release(&ce);
    return BUS_ACK;
}

int realtime_subscribe(struct realtime_service *rt, bus_t *bus, struct todo_err *err)
{
    static const char *const topics[] = {TOPIC_TASK_UPDATES};
    return bus_subscribe(bus, REALTIME_GROUP, true, topics, 1, on_update, rt, err);
}

void realtime_stop(struct realtime_service *rt)
{
    ws_hub_stop(rt->hub);
}

void realtime_release(struct realtime_service *rt)
{
    ws_hub_destroy(rt->hub);
    rt->hub = NULL;
}

void realtime_metrics(void *ctx, struct buf *out)
{
    struct realtime_service *rt = ctx;
    ws_hub_metrics(rt->hub, out);
}
