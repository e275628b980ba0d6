/* api_notify.c - the REST routes of notification settings and the in-app notifications
 * (docs/openapi.json). Handlers only translate HTTP to the use cases of src/app/notify.c and
 * back. The webhook secret is written into its one answer and nowhere else (no log line). */
#include "app/app_notify.h"
#include "base/buf.h"
#include "services/api/api_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void respond_private_json(struct http_request *req, int status, json_t *body)
{
    http_set_header(req, "Cache-Control", "no-store");
    http_respond_json(req, status, body); /* steals body */
}

static void respond_private_buf(struct http_request *req, int status, struct buf *b)
{
    http_set_header(req, "Cache-Control", "no-store");
    size_t len = b->len;
    http_respond_take(req, status, "application/json", buf_take(b), len);
}

static void h_settings_get(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    json_t *out = NULL;
    if (app_settings_get(api->app, uid, &out, &err))
        http_respond_error(req, &err);
    else
        respond_private_json(req, 200, out);
}

static void h_settings_put(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    json_t *body = http_req_json(req, &err);
    json_t *out = NULL;
    if (!body || app_settings_put(api->app, uid, body, &out, &err))
        http_respond_error(req, &err);
    else
        respond_private_json(req, 200, out);
    json_decref(body);
}

static void h_webhook_secret(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    char secret[NOTIFY_SECRET_MAX];
    if (app_webhook_secret_new(api->app, uid, secret, &err)) {
        http_respond_error(req, &err);
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "{\"webhook_secret\":");
    buf_json_str(&b, secret);
    buf_putc(&b, '}');
    sodium_memzero(secret, sizeof secret);
    respond_private_buf(req, 200, &b);
}

static void h_settings_test(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    if (app_notify_test(api->app, uid, http_req_param(req, "channel"), &err)) {
        http_respond_error(req, &err);
        return;
    }
    static const char accepted[] = "{\"status\":\"accepted\"}";
    http_set_header(req, "Cache-Control", "no-store");
    http_respond_data(req, 202, "application/json", accepted, sizeof accepted - 1);
}

static const char *query_get(void *ctx, const char *name)
{
    return http_req_query(ctx, name);
}

static void h_notifications(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct buf b;
    buf_init(&b);
    if (app_notifications_list(api->app, uid, query_get, req, &b, &err)) {
        buf_release(&b);
        http_respond_error(req, &err);
        return;
    }
    respond_private_buf(req, 200, &b);
}

/* A notification id is a positive decimal integer; anything else names none (404). */
static bool id_param(struct http_request *req, int64_t *id)
{
    const char *s = http_req_param(req, "id");
    size_t n = s ? strlen(s) : 0;
    bool ok = n > 0 && n <= 19 && s[0] != '0';
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] >= '0' && s[i] <= '9';
    if (ok) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        ok = errno == 0 && v > 0;
        *id = v;
    }
    if (!ok)
        http_respond_errorf(req, TODO_ERR_NOT_FOUND, "no such notification");
    return ok;
}

static void h_notification_read(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    int64_t id;
    if (!api_authenticate(req, api, uid) || !id_param(req, &id))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct notification n = {0};
    if (app_notification_read(api->app, uid, id, &n, &err)) {
        http_respond_error(req, &err);
        return;
    }
    struct buf b;
    buf_init(&b);
    notification_json_write(&b, &n);
    notification_release(&n);
    respond_private_buf(req, 200, &b);
}

static void h_notifications_read_all(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    int64_t n = 0;
    if (app_notifications_read_all(api->app, uid, &n, &err)) {
        http_respond_error(req, &err);
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"updated\":%lld}", (long long)n);
    respond_private_buf(req, 200, &b);
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
