/* store_chat.c - conversations and messages over the driver (migration 11,
 * docs/decisions/0040-chat-storage-and-turns.md).
 *
 * Like store_notify.c, the statements are constants written here once with '?'
 * placeholders and run as dynamic statements (cached per connection by their text). Every
 * read is keyed by the user as well as the row's id, so one user can never read or touch
 * another's conversation, whatever id they send. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_chat.h"
#include "store/store_internal.h"

#define WITH_CONN(s, c)                                                                            \
    int conn_rc_ = TODO_OK;                                                                        \
    struct store_conn *c = store_conn_get((s), &conn_rc_);                                         \
    if (!c)                                                                                        \
    return conn_rc_

static const char *const role_names[] = {"user", "assistant"};

const char *chat_role_name(int role)
{
    assert(role == CHAT_ROLE_USER || role == CHAT_ROLE_ASSISTANT);
    return role_names[role];
}

void chat_conversation_release(struct chat_conversation *c)
{
    if (c) {
        free(c->title);
        c->title = NULL;
    }
}

void chat_conversations_free(struct chat_conversation *c, int n)
{
    for (int i = 0; c && i < n; i++)
        chat_conversation_release(&c[i]);
    free(c);
}

void chat_message_release(struct chat_message *m)
{
    if (m) {
        free(m->content);
        free(m->tool_calls);
        free(m->context);
        m->content = m->tool_calls = m->context = NULL;
    }
}

void chat_messages_free(struct chat_message *m, int n)
{
    for (int i = 0; m && i < n; i++)
        chat_message_release(&m[i]);
    free(m);
}

/* Runs an INSERT ... RETURNING id as one write (its own transaction or a savepoint of the
 * caller's); sets *id. */
static int insert_returning(struct store_conn *c, const char *sql, const struct sqlb_value *p,
                            int n, int64_t *id)
{
    const struct store_driver *drv = c->s->drv;
    struct store_op op;
    struct store_res r;
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run_sql(c, sql, NULL, p, n, &r);
    if (rc == TODO_OK) {
        int step = drv->next(&r);
        if (step == 1)
            *id = drv->col_int(&r, 0);
        else if (step == 0)
            step = -store_conn_error(c, TODO_ERR_INTERNAL, "insert returned no row");
        rc = store_res_drain(drv, &r, step);
    }
    return store_op_end(c, &op, rc);
}

static char *opt_text(struct store_conn *c, struct store_res *r, int col)
{
    return c->s->drv->is_null(r, col) ? NULL : xstrdup(c->s->drv->col_text(r, col));
}

/* --- conversations --- */

#define CONVERSATION_COLUMNS "id, title, created_at, updated_at"

static void read_conversation(struct store_conn *c, struct store_res *r,
                              struct chat_conversation *out)
{
    const struct store_driver *drv = c->s->drv;
    out->id = drv->col_int(r, 0);
    out->title = xstrdup(drv->col_text(r, 1));
    out->created_at = drv->col_int(r, 2);
    out->updated_at = drv->col_int(r, 3);
}

int store_conversation_insert(store_t *s, const char *user_id, const char *title, int64_t now_ms,
                              int64_t *id)
{
    assert(user_id && title && id);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_TEXT(user_id), V_TEXT(title), V_INT(now_ms), V_INT(now_ms)};
    return insert_returning(c,
                            "INSERT INTO conversations (user_id, title, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?) RETURNING id",
                            p, N_OF(p), id);
}

int store_conversation_get(store_t *s, const char *user_id, int64_t id,
                           struct chat_conversation *out)
{
    assert(user_id && out);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    struct sqlb_value p[] = {V_INT(id), V_TEXT(user_id)};
    struct store_res r;
    int rc = store_run_sql(c,
                           "SELECT " CONVERSATION_COLUMNS " FROM conversations "
                           "WHERE id = ? AND user_id = ?",
                           NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    int step = drv->next(&r);
    if (step == 1)
        read_conversation(c, &r, out);
    rc = store_res_drain(drv, &r, step);
    if (rc == TODO_OK && step == 0)
        return store_conn_error(c, TODO_ERR_NOT_FOUND, "no such conversation");
    if (rc != TODO_OK && step == 1)
        chat_conversation_release(out);
    return rc;
}

int store_conversation_touch(store_t *s, const char *user_id, int64_t id, int64_t now_ms)
{
    assert(user_id);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_INT(now_ms), V_INT(now_ms), V_INT(id), V_TEXT(user_id)};
    struct store_op op;
    struct store_res r;
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run_sql(c,
                       "UPDATE conversations SET updated_at = CASE WHEN updated_at < ? THEN ? "
                       "ELSE updated_at END WHERE id = ? AND user_id = ?",
                       NULL, p, N_OF(p), &r);
    if (rc == TODO_OK) {
        int64_t changes = r.changes;
        c->s->drv->done(&r);
        if (changes == 0)
            rc = store_conn_error(c, TODO_ERR_NOT_FOUND, "no such conversation");
    }
    return store_op_end(c, &op, rc);
}

int store_conversation_list(store_t *s, const char *user_id, int64_t before_updated,
                            int64_t before_id, int limit, struct chat_conversation **out, int *n)
{
    assert(user_id && out && n && limit > 0);
    WITH_CONN(s, c);
    const struct store_driver *drv = c->s->drv;
    bool after_key = before_id > 0;
    struct sqlb_value p[] = {V_TEXT(user_id), V_INT(before_updated), V_INT(before_updated),
                             V_INT(before_id), V_INT(limit + 1)};
    struct sqlb_value first[] = {V_TEXT(user_id), V_INT(limit + 1)};
    struct store_res r;
    int rc = after_key ? store_run_sql(c,
                                       "SELECT " CONVERSATION_COLUMNS " FROM conversations "
                                       "WHERE user_id = ? AND (updated_at < ? OR "
                                       "(updated_at = ? AND id < ?)) "
                                       "ORDER BY updated_at DESC, id DESC LIMIT ?",
                                       NULL, p, N_OF(p), &r)
                       : store_run_sql(c,
                                       "SELECT " CONVERSATION_COLUMNS " FROM conversations "
                                       "WHERE user_id = ? ORDER BY updated_at DESC, id DESC "
                                       "LIMIT ?",
                                       NULL, first, N_OF(first), &r);
    if (rc != TODO_OK)
        return rc;
    struct chat_conversation *items = xcalloc((size_t)limit + 1, sizeof *items);
    int count = 0, step;
    while ((step = drv->next(&r)) == 1 && count <= limit)
        read_conversation(c, &r, &items[count++]);
    rc = store_res_drain(drv, &r, step);
    if (rc != TODO_OK) {
        chat_conversations_free(items, count);
        return rc;
    }
    *out = items;
    *n = count;
    return TODO_OK;
}

/* --- messages --- */

#define MESSAGE_COLUMNS "id, conversation_id, role, content, tool_calls, context, created_at"

static void read_message(struct store_conn *c, struct store_res *r, struct chat_message *m)
{
    const struct store_driver *drv = c->s->drv;
    memset(m, 0, sizeof *m);
    m->id = drv->col_int(r, 0);
    m->conversation_id = drv->col_int(r, 1);
    m->role = strcmp(drv->col_text(r, 2), "assistant") == 0 ? CHAT_ROLE_ASSISTANT : CHAT_ROLE_USER;
    m->content = xstrdup(drv->col_text(r, 3));
    m->tool_calls = opt_text(c, r, 4);
    m->context = opt_text(c, r, 5);
    m->created_at = drv->col_int(r, 6);
}

int store_message_insert(store_t *s, const char *user_id, struct chat_message *m)
{
    assert(user_id && m && m->content && m->conversation_id > 0);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {
        V_INT(m->conversation_id), V_TEXT(user_id),       V_TEXT(chat_role_name(m->role)),
        V_TEXT(m->content),        V_TEXT(m->tool_calls), V_TEXT(m->context),
        V_INT(m->created_at)};
    return insert_returning(c,
                            "INSERT INTO messages (conversation_id, user_id, role, content, "
                            "tool_calls, context, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                            "RETURNING id",
                            p, N_OF(p), &m->id);
}

/* Reads at most cap rows of r into a new array; *out and *n only on success. */
static int read_messages(struct store_conn *c, struct store_res *r, int cap,
                         struct chat_message **out, int *n)
{
    const struct store_driver *drv = c->s->drv;
    struct chat_message *items = xcalloc((size_t)cap, sizeof *items);
    int count = 0, step;
    while ((step = drv->next(r)) == 1 && count < cap)
        read_message(c, r, &items[count++]);
    int rc = store_res_drain(drv, r, step);
    if (rc != TODO_OK) {
        chat_messages_free(items, count);
        return rc;
    }
    *out = items;
    *n = count;
    return TODO_OK;
}

int store_message_list(store_t *s, const char *user_id, int64_t conversation_id, int64_t after_id,
                       int limit, struct chat_message **out, int *n)
{
    assert(user_id && out && n && limit > 0);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_INT(conversation_id), V_TEXT(user_id), V_INT(after_id),
                             V_INT(limit + 1)};
    struct store_res r;
    int rc = store_run_sql(c,
                           "SELECT " MESSAGE_COLUMNS " FROM messages WHERE conversation_id = ? "
                           "AND user_id = ? AND id > ? ORDER BY id LIMIT ?",
                           NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    return read_messages(c, &r, limit + 1, out, n);
}

int store_message_recent(store_t *s, const char *user_id, int64_t conversation_id,
                         int64_t before_id, int limit, struct chat_message **out, int *n)
{
    assert(user_id && out && n && limit > 0);
    WITH_CONN(s, c);
    struct sqlb_value p[] = {V_INT(conversation_id), V_TEXT(user_id),
                             V_INT(before_id > 0 ? before_id : INT64_MAX), V_INT(limit)};
    struct store_res r;
    int rc = store_run_sql(c,
                           "SELECT " MESSAGE_COLUMNS " FROM messages WHERE conversation_id = ? "
                           "AND user_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                           NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    rc = read_messages(c, &r, limit, out, n);
    if (rc != TODO_OK)
        return rc;
    for (int i = 0, j = *n - 1; i < j; i++, j--) { /* newest first -> oldest first */
        struct chat_message t = (*out)[i];
        (*out)[i] = (*out)[j];
        (*out)[j] = t;
    }
    return TODO_OK;
}
