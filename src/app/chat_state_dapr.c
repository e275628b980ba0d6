/* chat_state_dapr.c - conversations in the Dapr state store, through the sidecar's state API
 * (/v1.0/state/<store>; docs/decisions/0040-chat-storage-and-turns.md).
 *
 * Two kinds of documents, both JSON values:
 *   chat.<user>         the user's index: {next_id, conversations: [{id, title, created_at,
 *                       updated_at}]} - hands out conversation ids and serves the list;
 *   chat.<user>.<id>    one conversation: {id, title, created_at, updated_at,
 *                       next_message_id, messages: [{id, role, content, tool_calls, context,
 *                       created_at}]}.
 * Every change writes the conversation and the index together in one state transaction,
 * each with the ETag it was read with and first-write concurrency (a new document: insert
 * only). Two turns on one conversation (or two new conversations of one user) at once: one
 * transaction wins, the other fails as a whole and is run again from fresh reads, so no
 * message is ever lost or overwritten. Ids are per user (conversations) and per
 * conversation (messages); every route names both, so that is all they need to be.
 *
 * One libcurl easy handle per call: turns run on the chat pool's threads, and a call to the
 * local sidecar costs far less than the turn's other work. */
#include "app/chat.h"
#include "app/chat_state.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQUEST_TIMEOUT_MS 10000L
#define CONNECT_TIMEOUT_MS 1000L
#define CONFLICT_ATTEMPTS  32 /* transactions tried per change before giving up (503) */
#define ETAG_MAX           64

struct chat_state_dapr {
    struct chat_state base;
    char *url;   /* the sidecar, "http://127.0.0.1:3500" */
    char *store; /* the state store's name */
    char *token; /* DAPR_API_TOKEN, or NULL */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* --- the sidecar's state API --- */

struct answer {
    struct buf body;
    char etag[ETAG_MAX];
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    buf_append(&a->body, data, size * n);
    return size * n;
}

/* Keeps the ETag header's value (without quotes). */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    size_t len = size * n;
    if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
        const char *v = data + 5;
        size_t vlen = len - 5;
        while (vlen && (*v == ' ' || *v == '"')) {
            v++;
            vlen--;
        }
        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == '"' ||
                        v[vlen - 1] == ' '))
            vlen--;
        if (vlen < sizeof a->etag)
            snprintf(a->etag, sizeof a->etag, "%.*s", (int)vlen, v);
    }
    return len;
}

/* One call to the sidecar: path after /v1.0/state/<store>, body NULL for a GET. Sets *status
 * (0 when it could not be reached) and fills a. */
static void state_call(struct chat_state_dapr *st, const char *path, const char *body, long *status,
                       struct answer *a)
{
    pthread_once(&curl_once, curl_init);
    struct buf url;
    buf_init(&url);
    buf_printf(&url, "%s/v1.0/state/%s%s", st->url, st->store, path);
    CURL *h = curl_easy_init();
    if (!h)
        abort(); /* out of memory */
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (st->token) {
        struct buf t;
        buf_init(&t);
        buf_printf(&t, "dapr-api-token: %s", st->token);
        headers = curl_slist_append(headers, t.data);
        buf_release(&t);
    }
    curl_easy_setopt(h, CURLOPT_URL, url.data);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* the sidecar is local: ignore *_proxy */
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    *status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    buf_release(&url);
}

static int unavailable(long status, const struct answer *a, struct todo_err *err)
{
    if (status == 0)
        log_msg(LOG_WARN, "chat state: the Dapr sidecar cannot be reached");
    else
        log_msg(LOG_WARN, "chat state: the sidecar answered %ld: %.200s", status,
                a->body.data ? a->body.data : "");
    return todo_err_set(err, TODO_ERR_UNAVAILABLE, "the conversation store is unavailable; retry");
}

/* Reads key: *doc is the document (new reference) or NULL when there is none; etag its ETag
 * ("" when none). */
static int state_get(struct chat_state_dapr *st, const char *key, json_t **doc, char etag[ETAG_MAX],
                     struct todo_err *err)
{
    char path[256];
    snprintf(path, sizeof path, "/%s", key);
    struct answer a = {0};
    buf_init(&a.body);
    long status;
    state_call(st, path, NULL, &status, &a);
    int rc = TODO_OK;
    *doc = NULL;
    if (status == 200 && a.body.len) {
        *doc = json_loadb(a.body.data, a.body.len, 0, NULL);
        if (!json_is_object(*doc)) {
            json_decref(*doc);
            *doc = NULL;
            rc = unavailable(status, &a, err);
        }
    } else if (status != 200 && status != 204) {
        rc = unavailable(status, &a, err);
    }
    snprintf(etag, ETAG_MAX, "%s", *doc ? a.etag : "");
    buf_release(&a.body);
    return rc;
}

/* Adds an upsert of key to ops: with etag when the document was read, else insert-only. */
static void add_upsert(json_t *ops, const char *key, json_t *value, const char *etag)
{
    json_t *req = json_pack("{sssOs{ss}}", "key", key, "value", value, "options", "concurrency",
                            "first-write");
    if (etag[0])
        json_object_set_new(req, "etag", json_string(etag));
    json_array_append_new(ops, json_pack("{ssso}", "operation", "upsert", "request", req));
}

/* Runs the transaction; TODO_ERR_BUSY when it failed as a whole (an ETag no longer current,
 * a document inserted meanwhile): read again and retry. */
static int state_transact(struct chat_state_dapr *st, json_t *ops, struct todo_err *err)
{
    json_t *body = json_pack("{sO}", "operations", ops);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        abort();
    struct answer a = {0};
    buf_init(&a.body);
    long status;
    state_call(st, "/transaction", text, &status, &a);
    free(text);
    int rc = TODO_OK;
    if (status == 409 || status == 500) /* ETag mismatch, or the insert-only row exists */
        rc = TODO_ERR_BUSY;
    else if (status < 200 || status >= 300)
        rc = unavailable(status, &a, err);
    buf_release(&a.body);
    return rc;
}

/* --- the documents --- */

static void index_key(char *out, size_t n, const char *user_id)
{
    snprintf(out, n, "chat.%s", user_id);
}

static void conversation_key(char *out, size_t n, const char *user_id, int64_t id)
{
    snprintf(out, n, "chat.%s.%lld", user_id, (long long)id);
}

static json_int_t int_of(json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

static json_t *message_doc(int64_t id, const struct chat_append *m)
{
    json_t *d = json_pack("{sIsssssI}", "id", (json_int_t)id, "role", chat_role_name(m->role),
                          "content", m->content, "created_at", (json_int_t)m->at);
    if (m->tool_calls)
        json_object_set(d, "tool_calls", m->tool_calls);
    if (m->context)
        json_object_set(d, "context", m->context);
    return d;
}

/* The index's entry of conversation id, or NULL. */
static json_t *index_entry(json_t *index, int64_t id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(index, "conversations"), i, e)
    {
        if (int_of(e, "id") == id)
            return e;
    }
    return NULL;
}

/* A stored message as store_chat gives it (fields copied). */
static void message_of(json_t *d, int64_t conversation_id, struct chat_message *m)
{
    memset(m, 0, sizeof *m);
    m->id = int_of(d, "id");
    m->conversation_id = conversation_id;
    const char *role = json_string_value(json_object_get(d, "role"));
    m->role = role && strcmp(role, "assistant") == 0 ? CHAT_ROLE_ASSISTANT : CHAT_ROLE_USER;
    const char *content = json_string_value(json_object_get(d, "content"));
    m->content = xstrdup(content ? content : "");
    json_t *calls = json_object_get(d, "tool_calls");
    json_t *ctx = json_object_get(d, "context");
    m->tool_calls = json_is_array(calls) ? json_dumps(calls, JSON_COMPACT) : NULL;
    m->context = ctx && !json_is_null(ctx) ? json_dumps(ctx, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    m->created_at = int_of(d, "created_at");
}

/* The history of a turn: the messages before the last one, at most CHAT_HISTORY_MAX. */
static json_t *history_of(json_t *conv)
{
    json_t *msgs = json_object_get(conv, "messages");
    size_t n = json_array_size(msgs), end = n ? n - 1 : 0;
    size_t start = end > CHAT_HISTORY_MAX ? end - CHAT_HISTORY_MAX : 0;
    json_t *h = json_array();
    for (size_t i = start; i < end; i++) {
        struct chat_message m;
        message_of(json_array_get(msgs, i), int_of(conv, "id"), &m);
        json_array_append_new(h, chat_history_entry(&m));
        chat_message_release(&m);
    }
    return h;
}

/* --- one change, retried on conflicts --- */

struct change {
    const char *user_id;
    int64_t conversation_id; /* 0: a new conversation (then set) */
    const char *title;
    const struct chat_append *m;
    json_t *conv; /* after a successful apply: the conversation written (owned) */
};

/* Reads, appends m, writes both documents once. TODO_ERR_BUSY: lost a race, run again. */
static int change_once(struct chat_state_dapr *st, struct change *c, struct todo_err *err)
{
    char ikey[128], ckey[160], ietag[ETAG_MAX], cetag[ETAG_MAX] = "";
    index_key(ikey, sizeof ikey, c->user_id);
    json_t *index = NULL, *conv = NULL;
    int rc = state_get(st, ikey, &index, ietag, err);
    if (rc == TODO_OK && !index)
        index = json_pack("{sIs[]}", "next_id", (json_int_t)1, "conversations");
    int64_t id = c->conversation_id;
    if (rc == TODO_OK && id == 0) {
        id = int_of(index, "next_id");
        if (id < 1)
            id = 1;
        json_object_set_new(index, "next_id", json_integer(id + 1));
        json_array_append_new(json_object_get(index, "conversations"),
                              json_pack("{sIsssIsI}", "id", (json_int_t)id, "title", c->title,
                                        "created_at", (json_int_t)c->m->at, "updated_at",
                                        (json_int_t)c->m->at));
        conv = json_pack("{sIsssIsIsIs[]}", "id", (json_int_t)id, "title", c->title, "created_at",
                         (json_int_t)c->m->at, "updated_at", (json_int_t)c->m->at,
                         "next_message_id", (json_int_t)1, "messages");
    } else if (rc == TODO_OK) {
        conversation_key(ckey, sizeof ckey, c->user_id, id);
        rc = state_get(st, ckey, &conv, cetag, err);
        if (rc == TODO_OK && !conv)
            rc = todo_err_set(err, TODO_ERR_NOT_FOUND, "no such conversation");
    }
    if (rc == TODO_OK) {
        conversation_key(ckey, sizeof ckey, c->user_id, id);
        int64_t mid = int_of(conv, "next_message_id");
        json_object_set_new(conv, "next_message_id", json_integer(mid + 1));
        json_array_append_new(json_object_get(conv, "messages"), message_doc(mid, c->m));
        if (int_of(conv, "updated_at") < c->m->at)
            json_object_set_new(conv, "updated_at", json_integer(c->m->at));
        json_t *e = index_entry(index, id);
        if (e && int_of(e, "updated_at") < c->m->at)
            json_object_set_new(e, "updated_at", json_integer(c->m->at));
        json_t *ops = json_array();
        add_upsert(ops, ikey, index, ietag);
        add_upsert(ops, ckey, conv, cetag);
        rc = state_transact(st, ops, err);
        json_decref(ops);
    }
    json_decref(index);
    if (rc == TODO_OK) {
        c->conversation_id = id;
        c->conv = conv;
    } else {
        json_decref(conv);
    }
    return rc;
}

static int change_run(struct chat_state_dapr *st, struct change *c, struct todo_err *err)
{
    for (int attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
        int rc = change_once(st, c, err);
        if (rc != TODO_ERR_BUSY)
            return rc;
    }
    log_msg(LOG_WARN, "chat state: %d conflicting writes in a row", CONFLICT_ATTEMPTS);
    return todo_err_set(err, TODO_ERR_UNAVAILABLE, "the conversation is busy; retry");
}

/* --- the interface --- */

static struct chat_state_dapr *dapr_of(struct chat_state *st)
{
    return (struct chat_state_dapr *)st;
}

static int dapr_open_turn(struct chat_state *st, const char *user_id, int64_t *conversation_id,
                          const char *title, const struct chat_append *m, json_t **history,
                          struct todo_err *err)
{
    struct change c = {
        .user_id = user_id, .conversation_id = *conversation_id, .title = title, .m = m};
    assert(c.conversation_id || title);
    int rc = change_run(dapr_of(st), &c, err);
    if (rc)
        return rc;
    *history = history_of(c.conv);
    *conversation_id = c.conversation_id;
    json_decref(c.conv);
    return TODO_OK;
}

static int dapr_close_turn(struct chat_state *st, const char *user_id, int64_t conversation_id,
                           const struct chat_append *m, struct todo_err *err)
{
    struct change c = {.user_id = user_id, .conversation_id = conversation_id, .m = m};
    int rc = change_run(dapr_of(st), &c, err);
    json_decref(c.conv);
    return rc;
}

/* Newest first: updated_at, then id, descending. */
static int conversation_order(const void *x, const void *y)
{
    const struct chat_conversation *a = x, *b = y;
    if (a->updated_at != b->updated_at)
        return a->updated_at > b->updated_at ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

static int dapr_conversations(struct chat_state *st, const char *user_id, int64_t before_updated,
                              int64_t before_id, int limit, struct chat_conversation **out, int *n,
                              struct todo_err *err)
{
    char key[128], etag[ETAG_MAX];
    index_key(key, sizeof key, user_id);
    json_t *index = NULL;
    int rc = state_get(dapr_of(st), key, &index, etag, err);
    if (rc)
        return rc;
    json_t *list = json_object_get(index, "conversations");
    size_t total = json_array_size(list), i;
    struct chat_conversation *all = xcalloc(total + 1, sizeof *all);
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *title = json_string_value(json_object_get(e, "title"));
        all[i] = (struct chat_conversation){.id = int_of(e, "id"),
                                            .title = xstrdup(title ? title : ""),
                                            .created_at = int_of(e, "created_at"),
                                            .updated_at = int_of(e, "updated_at")};
    }
    json_decref(index);
    qsort(all, total, sizeof *all, conversation_order);
    struct chat_conversation *items = xcalloc((size_t)limit + 1, sizeof *items);
    int count = 0;
    for (i = 0; i < total; i++) {
        bool after = before_id <= 0 || all[i].updated_at < before_updated ||
                     (all[i].updated_at == before_updated && all[i].id < before_id);
        if (after && count <= limit) {
            items[count++] = all[i];
            all[i].title = NULL; /* moved */
        }
    }
    chat_conversations_free(all, (int)total);
    *out = items;
    *n = count;
    return TODO_OK;
}

static int dapr_messages(struct chat_state *st, const char *user_id, int64_t conversation_id,
                         int64_t after_id, int limit, struct chat_message **out, int *n,
                         struct todo_err *err)
{
    char key[160], etag[ETAG_MAX];
    conversation_key(key, sizeof key, user_id, conversation_id);
    json_t *conv = NULL;
    int rc = state_get(dapr_of(st), key, &conv, etag, err);
    if (rc)
        return rc;
    if (!conv)
        return todo_err_set(err, TODO_ERR_NOT_FOUND, "no such conversation");
    struct chat_message *items = xcalloc((size_t)limit + 1, sizeof *items);
    int count = 0;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(conv, "messages"), i, d)
    {
        if (int_of(d, "id") > after_id && count <= limit)
            message_of(d, conversation_id, &items[count++]);
    }
    json_decref(conv);
    *out = items;
    *n = count;
    return TODO_OK;
}

static void dapr_destroy(struct chat_state *base)
{
    struct chat_state_dapr *st = dapr_of(base);
    free(st->url);
    free(st->store);
    free(st->token);
    free(st);
}

static const struct chat_state_ops dapr_ops = {
    .open_turn = dapr_open_turn,
    .close_turn = dapr_close_turn,
    .conversations = dapr_conversations,
    .messages = dapr_messages,
    .destroy = dapr_destroy,
};

struct chat_state *chat_state_dapr_create(const char *url, const char *store, const char *token)
{
    assert(url && store);
    struct chat_state_dapr *st = xcalloc(1, sizeof *st);
    st->base.ops = &dapr_ops;
    st->url = xstrdup(url);
    st->store = xstrdup(store);
    st->token = token ? xstrdup(token) : NULL;
    return &st->base;
}
