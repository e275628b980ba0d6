/* api_chat.c - the chat routes (docs/openapi.json, "Chat"): POST /api/{user_id}/chat and the
 * history, GET .../conversations and .../conversations/{id}/messages. Handlers only
 * translate HTTP to the use cases of src/app/chat.c and back.
 *
 * A turn never runs on an HTTP worker: the body is checked on the worker (a bad one is
 * answered at once), then the request is suspended and the turn queued on the chat pool
 * (api->chat_pool), whose thread stores the message, runs the brain, stores the answer,
 * responds and resumes the request (docs/architecture.md, "The suspend/resume seam"). An LLM
 * turn waits on the network for seconds; a built-in turn waits on two group commits, and
 * on the pool those waits overlap (docs/decisions/0040-chat-storage-and-turns.md). A full
 * queue is 503 with Retry-After. */
#include "app/chat.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "services/api/api_internal.h"

#include <assert.h>
#include <stdlib.h>

struct chat_job {
    struct http_request *req;
    app_chat_t *chat;
    struct app_chat_request r;
};

static void run_chat_job(void *arg)
{
    struct chat_job *j = arg;
    struct http_request *req = j->req;
    struct todo_err err;
    todo_err_clear(&err);
    json_t *answer = NULL;
    if (app_chat_run(j->chat, &j->r, &answer, &err))
        http_respond_error(req, &err);
    else
        api_respond_private(req, 200, answer); /* steals answer */
    app_chat_request_release(&j->r);
    free(j);
    http_request_resume(req); /* req may be gone after this */
}

static void respond_chat_busy(struct http_request *req)
{
    http_set_header(req, "Retry-After", "1");
    http_respond_errorf(req, TODO_ERR_UNAVAILABLE, "too many chat turns in progress; retry");
}

static void h_chat(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    json_t *body = http_req_json(req, &err);
    struct app_chat_request r;
    int rc = body ? app_chat_prepare(uid, body, &r, &err) : err.rc;
    json_decref(body);
    if (rc) {
        http_respond_error(req, &err);
        return;
    }
    struct chat_job *j = xmalloc(sizeof *j);
    *j = (struct chat_job){.req = req, .chat = api->chat, .r = r};
    http_request_suspend(req);
    if (!workpool_submit(api->chat_pool, run_chat_job, j)) {
        app_chat_request_release(&j->r);
        free(j);
        respond_chat_busy(req);
        http_request_resume(req);
    }
}

static void respond_buf(struct http_request *req, int rc, struct buf *b, const struct todo_err *err)
{
    if (rc) {
        buf_release(b);
        http_respond_error(req, err);
    } else {
        api_respond_private_buf(req, 200, b);
    }
}

static void h_conversations(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    if (!api_authenticate(req, api, uid))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct buf b;
    buf_init(&b);
    int rc = app_chat_conversations(api->chat, uid, api_query_get, req, &b, &err);
    respond_buf(req, rc, &b, &err);
}

static void h_messages(struct http_request *req, void *ctx)
{
    struct api_service *api = ctx;
    char uid[USER_ID_MAX];
    int64_t id;
    if (!api_authenticate(req, api, uid) || !api_id_param(req, "conversation", &id))
        return;
    struct todo_err err;
    todo_err_clear(&err);
    struct buf b;
    buf_init(&b);
    int rc = app_chat_messages(api->chat, uid, id, api_query_get, req, &b, &err);
    respond_buf(req, rc, &b, &err);
}

void api_chat_routes_register(struct api_service *api)
{
    assert(api && api->server);
    http_server_t *s = api->server;
    http_route_add(s, "POST", "/api/{user_id}/chat", h_chat, api);
    http_route_add(s, "GET", "/api/{user_id}/conversations", h_conversations, api);
    http_route_add(s, "GET", "/api/{user_id}/conversations/{id}/messages", h_messages, api);
}
