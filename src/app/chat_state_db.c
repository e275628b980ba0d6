/* chat_state_db.c - conversations in the database (store_chat.h, migration 11). A turn's
 * two writes go through group commit (docs/decisions/0022-group-commit.md): the user's
 * message (with its conversation when new) in one, the answer in another, each in the
 * batch the committer runs next; the history is read after the first one committed. */
#include <assert.h>
#include <stdlib.h>

#include "app/app.h"
#include "app/chat.h"
#include "app/chat_state.h"
#include "base/xalloc.h"

struct chat_state_db {
    struct chat_state base;
    struct app *app;
};

static struct app *db_app(struct chat_state *st)
{
    return ((struct chat_state_db *)st)->app;
}

/* JSON text of v (malloc'd), or NULL for NULL. */
static char *json_text(json_t *v)
{
    if (!v)
        return NULL;
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        abort(); /* out of memory */
    return s;
}

/* What a turn's write needs, on the committer's thread. */
struct append_work {
    const char *user_id;
    int64_t conversation_id; /* in/out: 0 makes a new one */
    const char *title;
    const struct chat_append *m;
    int64_t message_id; /* out */
};

static int append_fn(store_t *s, void *arg)
{
    struct append_work *w = arg;
    int rc;
    if (w->conversation_id == 0) {
        rc = store_conversation_insert(s, w->user_id, w->title, w->m->at, &w->conversation_id);
    } else {
        rc = store_conversation_touch(s, w->user_id, w->conversation_id, w->m->at);
    }
    if (rc)
        return rc;
    struct chat_message row = {.conversation_id = w->conversation_id,
                               .role = w->m->role,
                               .content = (char *)w->m->content,
                               .created_at = w->m->at};
    row.tool_calls = json_text(w->m->tool_calls);
    row.context = json_text(w->m->context);
    rc = store_message_insert(s, w->user_id, &row);
    free(row.tool_calls);
    free(row.context);
    w->message_id = row.id;
    return rc;
}

static int store_rc(struct app *a, int rc, struct todo_err *err)
{
    if (rc == TODO_ERR_NOT_FOUND)
        return todo_err_set(err, rc, "no such conversation");
    return app_store_error(a, rc, err);
}

json_t *chat_history_entry(const struct chat_message *m)
{
    json_t *e = json_object();
    json_object_set_new(e, "role", json_string(chat_role_name(m->role)));
    json_object_set_new(e, "content", json_string(m->content));
    json_t *calls = m->tool_calls ? json_loads(m->tool_calls, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(e, "tool_calls", calls ? calls : json_array());
    json_t *ctx = m->context ? json_loads(m->context, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(e, "context", ctx ? ctx : json_null());
    return e;
}

static int db_open_turn(struct chat_state *st, const char *user_id, int64_t *conversation_id,
                        const char *title, const struct chat_append *m, json_t **history,
                        struct todo_err *err)
{
    struct app *a = db_app(st);
    struct append_work w = {
        .user_id = user_id, .conversation_id = *conversation_id, .title = title, .m = m};
    int rc = store_write(a->store, append_fn, &w);
    if (rc)
        return store_rc(a, rc, err);
    struct chat_message *items = NULL;
    int n = 0;
    rc = store_message_recent(a->store, user_id, w.conversation_id, w.message_id, CHAT_HISTORY_MAX,
                              &items, &n);
    if (rc)
        return store_rc(a, rc, err);
    json_t *h = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(h, chat_history_entry(&items[i]));
    chat_messages_free(items, n);
    *conversation_id = w.conversation_id;
    *history = h;
    return TODO_OK;
}

static int db_close_turn(struct chat_state *st, const char *user_id, int64_t conversation_id,
                         const struct chat_append *m, struct todo_err *err)
{
    assert(conversation_id > 0);
    struct app *a = db_app(st);
    struct append_work w = {.user_id = user_id, .conversation_id = conversation_id, .m = m};
    return store_rc(a, store_write(a->store, append_fn, &w), err);
}

static int db_conversations(struct chat_state *st, const char *user_id, int64_t before_updated,
                            int64_t before_id, int limit, struct chat_conversation **out, int *n,
                            struct todo_err *err)
{
    struct app *a = db_app(st);
    return store_rc(
        a, store_conversation_list(a->store, user_id, before_updated, before_id, limit, out, n),
        err);
}

static int db_messages(struct chat_state *st, const char *user_id, int64_t conversation_id,
                       int64_t after_id, int limit, struct chat_message **out, int *n,
                       struct todo_err *err)
{
    struct app *a = db_app(st);
    struct chat_conversation conv = {0};
    int rc = store_conversation_get(a->store, user_id, conversation_id, &conv);
    chat_conversation_release(&conv);
    if (rc == TODO_OK)
        rc = store_message_list(a->store, user_id, conversation_id, after_id, limit, out, n);
    return store_rc(a, rc, err);
}

static void db_destroy(struct chat_state *st)
{
    free(st);
}

static const struct chat_state_ops db_ops = {
    .open_turn = db_open_turn,
    .close_turn = db_close_turn,
    .conversations = db_conversations,
    .messages = db_messages,
    .destroy = db_destroy,
};

struct chat_state *chat_state_db_create(struct app *a)
{
    assert(a && a->store);
    struct chat_state_db *st = xcalloc(1, sizeof *st);
    st->base.ops = &db_ops;
    st->app = a;
    return &st->base;
}
