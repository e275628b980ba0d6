/* chat.h - the chat use case (POST /api/{user_id}/chat and the history routes;
 * docs/decisions/0040-chat-storage-and-turns.md). A turn: validate, store the user's
 * message first, rebuild the turn from storage (no conversation is kept in memory), run the
 * brain (built-in, or the LLM when a->llm is set), store the answer with its tool calls and
 * context. Conversations live in the database, or in the Dapr state store (chat_state.h).
 * Thread-safe: one app_chat is shared by every thread. */
#ifndef TODO_APP_CHAT_H
#define TODO_APP_CHAT_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/query.h"

#define CHAT_MESSAGE_MAX  4000 /* characters, after trimming */
#define CHAT_HISTORY_MAX  20   /* earlier messages a turn sees */
#define CHAT_TITLE_MAX    60   /* characters of the first message kept as the title */
#define CHAT_PAGE_DEFAULT 50
#define CHAT_PAGE_MAX     200

enum app_chat_state_mode { APP_CHAT_STATE_DB = 0, APP_CHAT_STATE_DAPR };

struct app_chat_config {
    int state;              /* enum app_chat_state_mode */
    const char *dapr_url;   /* dapr: the sidecar, "http://127.0.0.1:3500" */
    const char *dapr_store; /* dapr: the state store's name */
    const char *dapr_token; /* dapr: DAPR_API_TOKEN sent as dapr-api-token, or NULL */
};

typedef struct app_chat app_chat_t;

/* Copies cfg. The app must outlive it. Returns 0, or 422 for a config that cannot work. */
int app_chat_create(struct app *a, const struct app_chat_config *cfg, app_chat_t **out,
                    struct todo_err *err);
void app_chat_destroy(app_chat_t *c); /* NULL is fine */
/* True when turns use the LLM brain (slow: run them off the HTTP workers). */
bool app_chat_uses_llm(const app_chat_t *c);

/* A validated chat request, ready to run. */
struct app_chat_request {
    char user_id[USER_ID_MAX];
    int64_t conversation_id; /* 0: a new conversation */
    char *message;           /* owned: the trimmed message */
};
void app_chat_request_release(struct app_chat_request *r);

/* Checks body {conversation_id?, message} (cheap, no storage): 400 not an object, 422 for
 * unknown fields, a message that is not a string, empty after trimming or longer than
 * CHAT_MESSAGE_MAX characters, a conversation_id that is not a positive integer. Fills
 * *out on success. */
int app_chat_prepare(const char *user_id, json_t *body, struct app_chat_request *out,
                     struct todo_err *err);
/* Runs a prepared turn (blocking: storage writes and the brain). 404 when the conversation
 * is not the user's. *answer: a new {conversation_id, response, tool_calls}. */
int app_chat_run(app_chat_t *c, const struct app_chat_request *r, json_t **answer,
                 struct todo_err *err);
/* prepare + run. */
int app_chat_turn(app_chat_t *c, const char *user_id, json_t *body, json_t **answer,
                  struct todo_err *err);

/* GET .../conversations?limit=&cursor=: appends {items: [{id, created_at, updated_at,
 * title}], next_cursor} (newest first) to out. 400 for a bad limit or cursor. */
int app_chat_conversations(app_chat_t *c, const char *user_id, query_param_fn get, void *ctx,
                           struct buf *out, struct todo_err *err);
/* GET .../conversations/{id}/messages?limit=&cursor=: appends {items: [{id, role, content,
 * tool_calls, created_at}], next_cursor} (oldest first). 404 when not the user's. */
int app_chat_messages(app_chat_t *c, const char *user_id, int64_t conversation_id,
                      query_param_fn get, void *ctx, struct buf *out, struct todo_err *err);

/* Appends the chat's Prometheus metrics (turns by brain and outcome, turn latency) to out;
 * NULL c writes nothing. */
void app_chat_metrics(const app_chat_t *c, struct buf *out);

#endif
