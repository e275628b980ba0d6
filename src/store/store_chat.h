/* store_chat.h - the storage of chat history (migration 11): a user's conversations and
 * their messages, the user's and the assistant's, with the assistant's tool calls and
 * context as JSON text (docs/decisions/0040-chat-storage-and-turns.md). Same threading and
 * error rules as store.h; every call runs in the caller's transaction when one is open. */
#ifndef TODO_STORE_STORE_CHAT_H
#define TODO_STORE_STORE_CHAT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct chat_conversation {
    int64_t id;
    char *title; /* owned */
    int64_t created_at, updated_at;
};
void chat_conversation_release(struct chat_conversation *c); /* frees the fields */

enum chat_role { CHAT_ROLE_USER, CHAT_ROLE_ASSISTANT };
/* "user" or "assistant". */
const char *chat_role_name(int role);

struct chat_message {
    int64_t id;
    int64_t conversation_id;
    int role;         /* enum chat_role */
    char *content;    /* owned */
    char *tool_calls; /* owned JSON text (an array), or NULL */
    char *context;    /* owned JSON text, or NULL */
    int64_t created_at;
};
void chat_message_release(struct chat_message *m); /* frees the fields */
/* Releases n messages and frees the array (NULL is fine). */
void chat_messages_free(struct chat_message *m, int n);

/* Inserts a conversation for the user; sets *id. */
int store_conversation_insert(store_t *s, const char *user_id, const char *title, int64_t now_ms,
                              int64_t *id);
/* Fills *out with the user's conversation id; TODO_ERR_NOT_FOUND when it is not the user's. */
int store_conversation_get(store_t *s, const char *user_id, int64_t id,
                           struct chat_conversation *out);
/* Sets updated_at to now_ms (kept when later). TODO_ERR_NOT_FOUND when not the user's. */
int store_conversation_touch(store_t *s, const char *user_id, int64_t id, int64_t now_ms);
/* The user's conversations newest first (updated_at, then id, descending), those after the
 * keyset (before_updated, before_id) when before_id > 0, at most limit + 1 (the extra one
 * tells there is a next page). *out: chat_conversations_free. */
int store_conversation_list(store_t *s, const char *user_id, int64_t before_updated,
                            int64_t before_id, int limit, struct chat_conversation **out, int *n);
void chat_conversations_free(struct chat_conversation *c, int n);

/* Inserts m (conversation_id, role, content, tool_calls, context, created_at set) for the
 * user; sets m->id. The caller checked the conversation is the user's. */
int store_message_insert(store_t *s, const char *user_id, struct chat_message *m);
/* A conversation's messages oldest first, ids above after_id, at most limit + 1.
 * *out: chat_messages_free. */
int store_message_list(store_t *s, const char *user_id, int64_t conversation_id, int64_t after_id,
                       int limit, struct chat_message **out, int *n);
/* The last limit messages before before_id (0: all), oldest first: a turn's history. */
int store_message_recent(store_t *s, const char *user_id, int64_t conversation_id,
                         int64_t before_id, int limit, struct chat_message **out, int *n);

#endif
