/* api.c - the REST routes of the api role: accounts, tasks, tags and the operations
 * endpoints. Handlers only translate HTTP to the use cases in src/app/ and back: parse path
 * and headers, authenticate, call app_*, write the JSON answer. No validation lives here. */
#include "services/api/api.h"
#include "services/api/api_internal.h"
#include "services/api/api_mcp.h"
#include "base/buf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "http/openapi.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- helpers --- */

/* Authenticates the bearer token (one Authorization header, "Bearer", spaces or tabs, the
 * token) and writes its claims. Returns true, or false with the 401 written. */
static bool authenticate_token(struct http_request *req, struct api_service *api,
                               struct app_token *t)
{
    struct todo_err err;
    todo_err_clear(&err);
    const char *token = NULL;
    size_t len = 0;
    if (http_req_header_count(req, "Authorization") > 1) {
        todo_err_set(&err, TODO_ERR_UNAUTHORIZED, "send one Authorization header");
    } else if (app_bearer_token(http_req_header(req, "Authorization"), &token, &len, &err) ==
               TODO_OK) {
        if (token[len] != '\0') { /* the header ends in spaces or tabs */
            char *copy = http_req_alloc(req, len + 1);
            memcpy(copy, token, len);
            copy[len] = '\0';
            token = copy;
        }
        if (app_token_verify_claims(api->app, token, t, &err) == TODO_OK) {
            app_trace_set(http_req_traceparent(req)); /* this call's events carry its trace */
            return true;
        }
        http_set_header(req, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        http_respond_error(req, &err);
        return false;
    }
    http_set_header(req, "WWW-Authenticate", "Bearer");
    http_respond_error(req, &err);
    return false;
}

/* Authenticates the bearer token; when the path has {user_id} it must be the token's user.
 * Returns true with user_id set, or false with the error response written. */
static bool authenticate(struct http_request *req, struct api_service *api,
                         char user_id[USER_ID_MAX])
{
    struct app_token t;
    if (!authenticate_token(req, api, &t))
        return false;
    const char *path_user = http_req_param(req, "user_id");
    if (path_user && strcmp(path_user, t.user_id) != 0) {
        http_respond_errorf(req, TODO_ERR_FORBIDDEN, "this path belongs to another user");
        return false;
    }
    memcpy(user_id, t.user_id, USER_ID_MAX);
    return true;
}

bool api_authenticate(struct http_request *req, struct api_service *api, char user_id[USER_ID_MAX])
{
    return authenticate(req, api, user_id);
}

/* An id in the path ({id}) is a positive decimal integer; anything else names no such thing
 * (404 "no such <what>"). */
bool api_id_param(struct http_request *req, const char *what, int64_t *id)
{
    assert(what && id);
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
        http_respond_errorf(req, TODO_ERR_NOT_FOUND, "no such %s", what);
    return ok;
}

/* If-Match: absent or "*" -> -1 (no precondition); "N", W/"N" or N -> N; anything else
 * can match no version: INT64_MAX, so the request fails with 412. */
static int64_t if_match_param(struct http_request *req)
{
    const char *h = http_req_header(req, "If-Match");
    if (!h)
        return -1;
    while (*h == ' ')
        h++;
    if (strcmp(h, "*") == 0)
        return -1;
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    bool quoted = *h == '"';
    if (quoted)
        h++;
    char *end;
    errno = 0;
    long long v = strtoll(h, &end, 10);
    if (errno || end == h || v < 0 || (quoted && *end++ != '"'))
        return INT64_MAX;
    while (*end == ' ')
        end++;
    return *end ? INT64_MAX : v;
}

/* Answers with the JSON in b (taken), not to be stored by caches: every answer of the API
 * is one user's (a token, an account, tasks) and changes. */
void api_respond_private_buf(struct http_request *req, int status, struct buf *b)
{
    assert(b);
    http_set_header(req, "Cache-Control", "no-store");
    size_t len = b->len;
    http_respond_take(req, status, "application/json", buf_take(b), len);
}

/* The same for a jansson value (stolen). */
void api_respond_private(struct http_request *req, int status, json_t *body)
{
    http_set_header(req, "Cache-Control", "no-store");
    http_respond_json(req, status, body);
}

static void respond_task(struct http_request *req, int status, const struct task *t)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", (long long)t->version);
    http_set_header(req, "ETag", etag);
    struct buf b;
    buf_init(&b);
    task_json_write(&b, t);
    api_respond_private_buf(req, status, &b);
}

/* Parses the JSON body, or writes the 400 and returns NULL. */
static json_t *body_json(struct http_request *req)
{
    struct todo_err err;
    todo_err_clear(&err);
    json_t *j = http_req_json(req, &err);
    if (!j)
        http_respond_error(req, &err);
    return j;
}

static json_t *session_json(const struct app_session *s)
{
    char exp[TIME_RFC3339_MAX];
    time_format_rfc3339(s->expires_at, exp);
    json_t *o = json_object();
    json_object_set_new(o, "token", json_string(s->token)); /* set_new steals */
    json_object_set_new(o, "expires_at", json_string(exp));
    json_object_set_new(o, "user", user_to_json(&s->user));
    return o;
}

/* --- accounts --- */

/* Sign-up, login and password change spend ~50-100 ms of CPU each in argon2id. They run on
 * the slow-work pool, with the request suspended, so the HTTP workers keep serving everyone
 * else; each holds a place in its admission lane until it ends, so sign-ups can never fill
 * the places sign-ins need (docs/decisions/0017-sign-up-limits-and-admission.md). */
enum auth_kind { AUTH_SIGNUP, AUTH_LOGIN, AUTH_PASSWORD };

struct auth_job {
    struct http_request *req;
    struct api_service *api;
    json_t *body; /* owned */
    enum auth_kind kind;
    struct app_token caller; /* AUTH_PASSWORD: the verified token */
};

static enum app_lane auth_lane(enum auth_kind kind)
{
    return kind == AUTH_SIGNUP ? APP_LANE_SIGNUP : APP_LANE_LOGIN;
}

static void run_auth_job(void *arg)
{
    struct auth_job *j = arg;
    struct http_request *req = j->req;
    struct app *app = j->api->app;
    struct todo_err err;
    todo_err_clear(&err);
    struct app_session s = {0};
    user_init(&s.user);
    int rc;
    if (j->kind == AUTH_SIGNUP)
        rc = app_signup(app, j->body, &s, &err);
    else if (j->kind == AUTH_LOGIN)
        rc = app_login(app, j->body, http_req_remote(req), &s, &err);
    else
        rc = app_password_change(app, &j->caller, j->body, &s, &err);
    if (rc) {
        if (err.rc == TODO_ERR_RATE_LIMITED)
            http_set_header(req, "Retry-After", "60");
        http_respond_error(req, &err);
    } else {
        api_respond_private(req, j->kind == AUTH_SIGNUP ? 201 : 200,
                            session_json(&s)); /* a token */
    }
    app_session_release(&s);
    json_decref(j->body);
    app_admission_leave(&app->admission, auth_lane(j->kind));
    free(j);
    http_request_resume(req); /* req may be gone after this */
}

static void respond_busy(struct http_request *req)
{
    http_set_header(req, "Retry-After", "1");
    http_respond_errorf(req, TODO_ERR_UNAVAILABLE, "too many sign-ins in progress; retry");
}

/* Queues the job (taking body) in its lane, or answers 503 with Retry-After. */
static void auth_submit(struct http_request *req, struct api_service *api, json_t *body,
                        enum auth_kind kind, const struct app_token *caller)
{
    enum app_lane lane = auth_lane(kind);
    if (!app_admission_enter(&api->app->admission, lane)) {
        json_decref(body);
        respond_busy(req);
        return;
    }
    struct auth_job *j = xmalloc(sizeof *j);
    *j = (struct auth_job){.req = req, .api = api, .body = body, .kind = kind};
    if (caller)
        j->caller = *caller;
    http_request_suspend(req);
    if (!workpool_submit(api->slow, run_auth_job, j)) {
        app_admission_leave(&api->app->admission, lane);
        json_decref(body);
        free(j);
        respond_busy(req);
        http_request_resume(req);
    }
}

static void h_signup(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    json_t *body = body_json(req);
    if (!body)
        return;
    struct todo_err err;
    todo_err_clear(&err);
    int64_t retry_after = 0;
    if (app_signup_gate(api->app, http_req_remote(req), &retry_after, &err)) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)retry_after);
        http_set_header(req, "Retry-After", v);
        http_respond_error(req, &err);
        json_decref(body);
        return;
    }
    auth_submit(req, api, body, AUTH_SIGNUP, NULL);
}

static void h_login(struct http_request *req, void *ctx)
{
    json_t *body = body_json(req);
    if (body)
        auth_submit(req, ctx, body, AUTH_LOGIN, NULL);
}

/* POST /api/auth/password: the caller's token first, then the hashing on the pool. */
static void h_password(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    struct app_token t;
    if (!authenticate_token(req, api, &t))
        return;
    json_t *body = body_json(req);
    if (body)
        auth_submit(req, api, body, AUTH_PASSWORD, &t);
}

/* POST /api/auth/logout and /api/auth/logout-all: 204, the token refused from then on. */
static void logout(struct http_request *req, struct api_service *api, bool everywhere)
{
    struct app_token t;
    if (!authenticate_token(req, api, &t))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    int rc = everywhere ? app_logout_all(api->app, &t, &err) : app_logout(api->app, &t, &err);
    if (rc)
        http_respond_error(req, &err);
    else
        http_respond_empty(req, 204);
}

static void h_logout(struct http_request *req, void *ctx)
{
    logout(req, ctx, false);
}

static void h_logout_all(struct http_request *req, void *ctx)
{
    logout(req, ctx, true);
}

static void h_me_get(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct user u;
    user_init(&u);
    if (app_me_get(api->app, uid, &u, &err))
        http_respond_error(req, &err);
    else
        api_respond_private(req, 200, user_to_json(&u));
    user_release(&u);
}

static void h_me_patch(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!authenticate(req, api, uid))
        return;
    json_t *body = body_json(req);
    if (!body)
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct user u;
    user_init(&u);
    if (app_me_update(api->app, uid, body, &u, &err))
        http_respond_error(req, &err);
    else
        api_respond_private(req, 200, user_to_json(&u));
    user_release(&u);
    json_decref(body);
}

/* --- tasks --- */

/* The query_param_fn of the list use cases: ctx is the request. */
const char *api_query_get(void *ctx, const char *name)
{
    return http_req_query(ctx, name);
}

static void h_tasks_list(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct task_page page = {0};
    char *cursor = NULL;
    if (app_task_list(api->app, uid, api_query_get, req, &page, &cursor, &err)) {
        http_respond_error(req, &err);
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < page.n_items; i++) {
        if (i)
            buf_putc(&b, ',');
        task_json_write(&b, &page.items[i]);
    }
    buf_puts(&b, "],\"next_cursor\":");
    if (cursor)
        buf_json_str(&b, cursor);
    else
        buf_puts(&b, "null");
    buf_putc(&b, '}');
    free(cursor);
    task_page_release(&page);
    api_respond_private_buf(req, 200, &b);
}

/* GET /api/{user_id}/tasks/count: the list's parameters, answered with how many tasks match. */
static void h_tasks_count(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    int64_t n = 0;
    if (app_task_count(api->app, uid, api_query_get, req, &n, &err)) {
        http_respond_error(req, &err);
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "{\"count\":");
    buf_put_i64(&b, n);
    buf_putc(&b, '}');
    api_respond_private_buf(req, 200, &b);
}

/* A task write in flight: the request waits suspended (its worker serves other connections)
 * until the transaction holding the change committed; the store's committer thread then
 * answers it and resumes it (docs/decisions/0022-group-commit.md). */
struct write_req {
    struct http_request *req;
    json_t *body; /* owned; the use case borrows it until the answer */
    enum app_task_op op;
    char uid[USER_ID_MAX];
};

static void write_answer(void *ctx, struct app_task_result *res)
{
    struct write_req *w = ctx;
    if (res->rc) {
        http_respond_error(w->req, &res->err);
    } else if (w->op == APP_TASK_DELETE) {
        http_respond_empty(w->req, 204);
    } else if (w->op == APP_TASK_CREATE) {
        char loc[128];
        snprintf(loc, sizeof loc, "/api/%s/tasks/%lld", w->uid, (long long)res->task.id);
        http_set_header(w->req, "Location", loc);
        respond_task(w->req, 201, &res->task);
    } else {
        respond_task(w->req, 200, &res->task);
    }
    json_decref(w->body);
    http_request_resume(w->req);
    free(w);
}

/* Suspends req and queues the write; answers at once what is refused before the batch. */
static void write_submit(struct http_request *req, struct api_service *api, enum app_task_op op,
                         const char *uid, int64_t id, json_t *body)
{
    struct write_req *w = xmalloc(sizeof *w);
    *w = (struct write_req){.req = req, .body = body, .op = op};
    snprintf(w->uid, sizeof w->uid, "%s", uid);
    struct todo_err err;
    todo_err_clear(&err);
    http_request_suspend(req);
    if (app_task_write_async(api->app, op, uid, id, body, if_match_param(req), write_answer, w,
                             &err)) {
        http_respond_error(req, &err);
        json_decref(body);
        free(w);
        http_request_resume(req);
    }
}

static void h_task_create(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!authenticate(req, api, uid))
        return;
    json_t *body = body_json(req);
    if (body)
        write_submit(req, api, APP_TASK_CREATE, uid, 0, body);
}

static void h_task_get(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    int64_t id;
    if (!authenticate(req, api, uid) || !api_id_param(req, "task", &id))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct task t;
    task_init(&t);
    if (app_task_get(api->app, uid, id, &t, &err)) {
        http_respond_error(req, &err);
    } else {
        app_task_describe(api->app, uid, &t);
        respond_task(req, 200, &t);
    }
    task_release(&t);
}

/* PUT, PATCH and complete share their shape: auth, id, body, If-Match, the use case. */
static void task_write(struct http_request *req, struct api_service *api, enum app_task_op op,
                       bool body_optional)
{
    char uid[USER_ID_MAX];
    int64_t id;
    if (!authenticate(req, api, uid) || !api_id_param(req, "task", &id))
        return;
    size_t body_len;
    http_req_body(req, &body_len);
    json_t *body = NULL;
    if (!body_optional || body_len > 0) {
        body = body_json(req);
        if (!body)
            return;
    }
    write_submit(req, api, op, uid, id, body);
}

static void h_task_put(struct http_request *req, void *ctx)
{
    task_write(req, ctx, APP_TASK_REPLACE, false);
}

static void h_task_patch(struct http_request *req, void *ctx)
{
    task_write(req, ctx, APP_TASK_PATCH, false);
}

static void h_task_complete(struct http_request *req, void *ctx)
{
    task_write(req, ctx, APP_TASK_COMPLETE, true);
}

static void h_task_delete(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    int64_t id;
    if (!authenticate(req, api, uid) || !api_id_param(req, "task", &id))
        return;
    write_submit(req, api, APP_TASK_DELETE, uid, id, NULL);
}

static void h_task_history(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    int64_t id;
    if (!authenticate(req, api, uid) || !api_id_param(req, "task", &id))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct audit_entry *entries = NULL;
    int n = 0;
    if (app_task_history(api->app, uid, id, &entries, &n, &err)) {
        http_respond_error(req, &err);
        return;
    }
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < n; i++) {
        char at[TIME_RFC3339_MAX];
        time_format_rfc3339(entries[i].at, at);
        buf_puts(&b, i ? ",{\"event_id\":" : "{\"event_id\":");
        buf_json_str(&b, entries[i].event_id);
        buf_puts(&b, ",\"type\":");
        buf_json_str(&b, entries[i].type);
        buf_printf(&b, ",\"at\":\"%s\",\"changes\":", at);
        buf_puts(&b, entries[i].changes); /* JSON written by core's event diff */
        buf_putc(&b, '}');
    }
    buf_puts(&b, "]}");
    audit_entries_free(entries, n);
    api_respond_private_buf(req, 200, &b);
}

static void h_tags(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct tag_count *tags = NULL;
    size_t n = 0;
    if (app_tags_list(api->app, uid, &tags, &n, &err)) {
        http_respond_error(req, &err);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(tags[i].name));
        json_object_set_new(o, "count", json_integer(tags[i].count));
        json_array_append_new(items, o);
    }
    free(tags);
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    api_respond_private(req, 200, o);
}

static void h_openapi(struct http_request *req, void *ctx)
{
    (void)ctx;
    size_t len;
    const char *doc = http_openapi_json(&len);
    http_respond_data(req, 200, "application/json", doc, len);
}

void api_routes_register(struct api_service *api)
{
    http_server_t *s = api->server;
    http_route_add(s, "POST", "/api/auth/signup", h_signup, api);
    http_route_add(s, "POST", "/api/auth/login", h_login, api);
    http_route_add(s, "POST", "/api/auth/logout", h_logout, api);
    http_route_add(s, "POST", "/api/auth/logout-all", h_logout_all, api);
    http_route_add(s, "POST", "/api/auth/password", h_password, api);
    http_route_add(s, "GET", "/api/auth/me", h_me_get, api);
    http_route_add(s, "PATCH", "/api/auth/me", h_me_patch, api);
    http_route_add(s, "GET", "/api/{user_id}/tasks", h_tasks_list, api);
    http_route_add(s, "POST", "/api/{user_id}/tasks", h_task_create, api);
    /* Before the {id} routes: the first match wins, so the literal "count" is never an id.
     * Other methods on it fall through to the {id} routes, which answer 404 (not an id). */
    http_route_add(s, "GET", "/api/{user_id}/tasks/count", h_tasks_count, api);
    http_route_add(s, "GET", "/api/{user_id}/tasks/{id}", h_task_get, api);
    http_route_add(s, "PUT", "/api/{user_id}/tasks/{id}", h_task_put, api);
    http_route_add(s, "PATCH", "/api/{user_id}/tasks/{id}", h_task_patch, api);
    http_route_add(s, "DELETE", "/api/{user_id}/tasks/{id}", h_task_delete, api);
    http_route_add(s, "PATCH", "/api/{user_id}/tasks/{id}/complete", h_task_complete, api);
    http_route_add(s, "GET", "/api/{user_id}/tasks/{id}/history", h_task_history, api);
    http_route_add(s, "GET", "/api/{user_id}/tags", h_tags, api);
    api_notify_routes_register(api);    /* settings and notifications (api_notify.c) */
    api_chat_routes_register(api);      /* chat and its history (api_chat.c) */
    api_assistant_routes_register(api); /* the parser for quick add (api_assistant.c) */
    api_mcp_routes_register(api);       /* MCP over Streamable HTTP (api_mcp.c) */
    http_route_add(s, "GET", "/api/openapi.json", h_openapi, api);
}
