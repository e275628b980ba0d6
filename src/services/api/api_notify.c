/* api_notify.c - the REST routes of notification settings and the in-app notifications
 * (docs/openapi.json). Handlers only translate HTTP to the use cases of src/app/notify.c and
 * back. The webhook secret is written into its one answer and nowhere else (no log line). */
#include "app/app_notify.h"
#include "base/buf.h"
#include "services/api/api_internal.h"

#include <assert.h>
#include <sodium.h>

/* What every handler here starts with: the caller authenticated (the 401/403 is written
 * otherwise) and an empty error. */
struct call {
    struct app *app;
    char uid[USER_ID_MAX];
    struct todo_err err;
};

static bool call_begin(struct http_request *req, void *ctx, struct call *c)
{
    struct api_service *api = ctx;
    assert(api && c);
    c->app = api->app;
    todo_err_clear(&c->err);
    return api_authenticate(req, api, c->uid);
}

/* Answers 200 with out (stolen) when rc is TODO_OK, else the error. */
static void respond_json_result(struct http_request *req, int rc, json_t *out,
                                const struct todo_err *err)
{
    if (rc) {
        json_decref(out);
        http_respond_error(req, err);
    } else {
        api_respond_private(req, 200, out);
    }
}

/* Answers 200 with b (taken) when rc is TODO_OK, else the error (b released). */
static void respond_buf_result(struct http_request *req, int rc, struct buf *b,
                               const struct todo_err *err)
{
    if (rc) {
        buf_release(b);
        http_respond_error(req, err);
    } else {
        api_respond_private_buf(req, 200, b);
    }
}

static void h_settings_get(struct http_request *req, void *ctx)
{
    struct call c;
    if (!call_begin(req, ctx, &c))
        return;
    json_t *out = NULL;
    int rc = app_settings_get(c.app, c.uid, &out, &c.err);
    respond_json_result(req, rc, out, &c.err);
}

static void h_settings_put(struct http_request *req, void *ctx)
{
    struct call c;
    if (!call_begin(req, ctx, &c))
        return;
    json_t *body = http_req_json(req, &c.err);
    json_t *out = NULL;
    int rc = body ? app_settings_put(c.app, c.uid, body, &out, &c.err) : c.err.rc;
    respond_json_result(req, rc, out, &c.err);
    json_decref(body);
}

static void h_webhook_secret(struct http_request *req, void *ctx)
{
    struct call c;
    if (!call_begin(req, ctx, &c))
        return;
    char secret[NOTIFY_SECRET_MAX];
    struct buf b;
    buf_init(&b);
    int rc = app_webhook_secret_new(c.app, c.uid, secret, &c.err);
    if (rc == TODO_OK) {
        buf_puts(&b, "{\"webhook_secret\":");
        buf_json_str(&b, secret);
        buf_putc(&b, '}');
    }
    sodium_memzero(secret, sizeof secret);
    respond_buf_result(req, rc, &b, &c.err);
}

static void h_settings_test(struct http_request *req, void *ctx)
{
    struct call c;
    if (!call_begin(req, ctx, &c))
        return;
    if (app_notify_test(c.app, c.uid, http_req_param(req, "channel"), &c.err)) {
        http_respond_error(req, &c.err);
        return;
    }
    static const char accepted[] = "{\"status\":\"accepted\"}";
    http_set_header(req, "Cache-Control", "no-store");
    http_respond_data(req, 202, "application/json", accepted, sizeof accepted - 1);
}

static void h_notifications(struct http_request *req, void *ctx)
{
    struct call c;
    if (!call_begin(req, ctx, &c))
        return;
    struct buf b;
    buf_init(&b);
    int rc = app_notifications_list(c.app, c.uid, api_query_get, req, &b, &c.err);
    respond_buf_result(req, rc, &b, &c.err);
}

static void h_notification_read(struct http_request *req, void *ctx)
{
    struct call c;
    int64_t id;
    if (!call_begin(req, ctx, &c) || !api_id_param(req, "notification", &id))
        return;
    struct notification n = {0};
    struct buf b;
    buf_init(&b);
    int rc = app_notification_read(c.app, c.uid, id, &n, &c.err);
    if (rc == TODO_OK) {
        notification_json_write(&b, &n);
        notification_release(&n);
    }
    respond_buf_result(req, rc, &b, &c.err);
}

static void h_notifications_read_all(struct http_request *req, void *ctx)
{
    struct call c;
    if (!call_begin(req, ctx, &c))
        return;
    int64_t n = 0;
    struct buf b;
    buf_init(&b);
    int rc = app_notifications_read_all(c.app, c.uid, &n, &c.err);
    if (rc == TODO_OK)
        buf_printf(&b, "{\"updated\":%lld}", (long long)n);
    respond_buf_result(req, rc, &b, &c.err);
}

void api_notify_routes_register(struct api_service *api)
{
    http_server_t *s = api->server;
    http_route_add(s, "GET", "/api/{user_id}/settings", h_settings_get, api);
    http_route_add(s, "PUT", "/api/{user_id}/settings", h_settings_put, api);
    http_route_add(s, "POST", "/api/{user_id}/settings/webhook-secret", h_webhook_secret, api);
    http_route_add(s, "POST", "/api/{user_id}/settings/test/{channel}", h_settings_test, api);
    http_route_add(s, "GET", "/api/{user_id}/notifications", h_notifications, api);
    http_route_add(s, "POST", "/api/{user_id}/notifications/read-all", h_notifications_read_all,
                   api);
    http_route_add(s, "POST", "/api/{user_id}/notifications/{id}/read", h_notification_read, api);
}
