/* chat_state_dapr.c - conversations in the Dapr state store: not built yet; every call is
 * 503 until it is (docs/decisions/0040-chat-storage-and-turns.md). */
#include <stdlib.h>

#include "app/chat_state.h"
#include "base/xalloc.h"

static int unavailable(struct todo_err *err)
{
    return todo_err_set(err, TODO_ERR_UNAVAILABLE, "the Dapr chat state is not built yet");
}

static int open_turn(struct chat_state *st, const char *user_id, int64_t *conversation_id,
                     const char *title, const struct chat_append *m, json_t **history,
                     struct todo_err *err)
{
    (void)st, (void)user_id, (void)conversation_id, (void)title, (void)m, (void)history;
    return unavailable(err);
}

static int close_turn(struct chat_state *st, const char *user_id, int64_t conversation_id,
                      const struct chat_append *m, struct todo_err *err)
{
    (void)st, (void)user_id, (void)conversation_id, (void)m;
    return unavailable(err);
}

static int conversations(struct chat_state *st, const char *user_id, int64_t before_updated,
                         int64_t before_id, int limit, struct chat_conversation **out, int *n,
                         struct todo_err *err)
{
    (void)st, (void)user_id, (void)before_updated, (void)before_id, (void)limit, (void)out, (void)n;
    return unavailable(err);
}

static int messages(struct chat_state *st, const char *user_id, int64_t conversation_id,
                    int64_t after_id, int limit, struct chat_message **out, int *n,
                    struct todo_err *err)
{
    (void)st, (void)user_id, (void)conversation_id, (void)after_id, (void)limit, (void)out, (void)n;
    return unavailable(err);
}

static void destroy(struct chat_state *st)
{
    free(st);
}

static const struct chat_state_ops ops = {open_turn, close_turn, conversations, messages, destroy};

struct chat_state *chat_state_dapr_create(const char *url, const char *store, const char *token)
{
    (void)url, (void)store, (void)token;
    struct chat_state *st = xcalloc(1, sizeof *st);
    st->ops = &ops;
    return st;
}
