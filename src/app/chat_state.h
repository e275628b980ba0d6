/* chat_state.h - where conversations live, behind one interface for the chat use case
 * (chat.c): the database tables (chat_state_db.c, store_chat.h) or the Dapr state store
 * (chat_state_dapr.c; docs/decisions/0040-chat-storage-and-turns.md). Both keep the same
 * meaning: ids are positive integers, a conversation is only ever its user's, messages keep
 * the order they were appended in, and neither keeps anything in memory between calls.
 * Thread-safe: one state is shared by every thread. */
#ifndef TODO_APP_CHAT_STATE_H
#define TODO_APP_CHAT_STATE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store_chat.h"

struct chat_state;

/* A message to append (borrowed). */
struct chat_append {
    int role; /* enum chat_role */
    const char *content;
    json_t *tool_calls; /* an array, or NULL (a user's message) */
    json_t *context;    /* the brain's context, or NULL */
    int64_t at;
};

struct chat_state_ops {
    /* Appends the user's message m to *conversation_id, or to a new conversation titled
     * title when *conversation_id is 0 (then set). Sets *history to the CHAT_HISTORY_MAX
     * messages before m, oldest first, as the brain reads them ([{role, content,
     * tool_calls, context}], a new reference). 404 when the conversation is not the user's. */
    int (*open_turn)(struct chat_state *st, const char *user_id, int64_t *conversation_id,
                     const char *title, const struct chat_append *m, json_t **history,
                     struct todo_err *err);
    /* Appends the assistant's answer m and moves the conversation's updated_at to m->at. */
    int (*close_turn)(struct chat_state *st, const char *user_id, int64_t conversation_id,
                      const struct chat_append *m, struct todo_err *err);
    /* As store_conversation_list (newest first, keyset, limit + 1). */
    int (*conversations)(struct chat_state *st, const char *user_id, int64_t before_updated,
                         int64_t before_id, int limit, struct chat_conversation **out, int *n,
                         struct todo_err *err);
    /* As store_message_list (oldest first, after after_id, limit + 1); 404 when the
     * conversation is not the user's. */
    int (*messages)(struct chat_state *st, const char *user_id, int64_t conversation_id,
                    int64_t after_id, int limit, struct chat_message **out, int *n,
                    struct todo_err *err);
    void (*destroy)(struct chat_state *st);
};

struct chat_state {
    const struct chat_state_ops *ops;
};

struct app;
/* The database's: over a->store (borrowed). */
struct chat_state *chat_state_db_create(struct app *a);
/* The Dapr state store's at url (the sidecar) and store name; token: DAPR_API_TOKEN or
 * NULL. Copies its arguments; makes no call yet. */
struct chat_state *chat_state_dapr_create(const char *url, const char *store, const char *token);

/* The history entry of one stored message: {role, content, tool_calls, context} (new). */
json_t *chat_history_entry(const struct chat_message *m);

#endif
