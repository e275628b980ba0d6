/* test_store_chat.c - the chat tables (store_chat.c, migration 11): conversations per user,
 * newest first with a keyset, messages in order with their tool calls and context, a turn's
 * recent history, and one user never reaching another's conversation; case by case against
 * sqlite and, when TODO_TEST_POSTGRES_URL is set, postgres. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_chat.h"

#define STORE_FIXTURE_NAME store_chat_test
#include "store_fixture.h"

static int64_t add_message(const char *uid, int64_t conv, int role, const char *content,
                           const char *tool_calls, int64_t at)
{
    struct chat_message m = {.conversation_id = conv,
                             .role = role,
                             .content = (char *)content,
                             .tool_calls = (char *)tool_calls,
                             .created_at = at};
    cr_assert_eq(store_message_insert(S, uid, &m), TODO_OK, "%s", store_last_error(S));
    cr_assert_gt(m.id, 0);
    return m.id;
}

STORE_TEST(conversations_are_listed_newest_first_by_last_activity_with_a_keyset)
{
    test_user_add(S, "u1", NULL);
    test_user_add(S, "u2", NULL);
    int64_t a = 0, b = 0, c = 0, other = 0;
    cr_assert_eq(store_conversation_insert(S, "u1", "first", 100, &a), TODO_OK, "%s",
                 store_last_error(S));
    cr_assert_eq(store_conversation_insert(S, "u1", "second", 200, &b), TODO_OK);
    cr_assert_eq(store_conversation_insert(S, "u1", "third", 300, &c), TODO_OK);
    cr_assert_eq(store_conversation_insert(S, "u2", "theirs", 400, &other), TODO_OK);
    cr_assert_eq(store_conversation_touch(S, "u1", a, 500), TODO_OK);
    cr_assert_eq(store_conversation_touch(S, "u1", a, 450), TODO_OK, "an older time keeps");
    cr_assert_eq(store_conversation_touch(S, "u2", a, 600), TODO_ERR_NOT_FOUND);

    struct chat_conversation *items = NULL;
    int n = 0;
    cr_assert_eq(store_conversation_list(S, "u1", 0, 0, 2, &items, &n), TODO_OK);
    cr_assert_eq(n, 3, "limit + 1 tells there is more");
    cr_assert_eq(items[0].id, a);
    cr_assert_eq(items[0].updated_at, 500);
    cr_assert_str_eq(items[0].title, "first");
    cr_assert_eq(items[1].id, c);
    int64_t key_at = items[1].updated_at, key_id = items[1].id;
    chat_conversations_free(items, n);
    cr_assert_eq(store_conversation_list(S, "u1", key_at, key_id, 2, &items, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(items[0].id, b);
    chat_conversations_free(items, n);
}

STORE_TEST(a_conversation_is_found_only_for_its_user)
{
    test_user_add(S, "u1", NULL);
    test_user_add(S, "u2", NULL);
    int64_t id = 0;
    cr_assert_eq(store_conversation_insert(S, "u1", "mine", 100, &id), TODO_OK);
    struct chat_conversation conv = {0};
    cr_assert_eq(store_conversation_get(S, "u2", id, &conv), TODO_ERR_NOT_FOUND);
    cr_assert_eq(store_conversation_get(S, "u1", id + 1, &conv), TODO_ERR_NOT_FOUND);
    cr_assert_eq(store_conversation_get(S, "u1", id, &conv), TODO_OK);
    cr_assert_str_eq(conv.title, "mine");
    cr_assert_eq(conv.created_at, 100);
    chat_conversation_release(&conv);
}

STORE_TEST(messages_keep_order_roles_tool_calls_and_context)
{
    test_user_add(S, "u1", NULL);
    int64_t conv = 0;
    cr_assert_eq(store_conversation_insert(S, "u1", "t", 100, &conv), TODO_OK);
    int64_t m1 = add_message("u1", conv, CHAT_ROLE_USER, "add milk", NULL, 100);
    struct chat_message answer = {.conversation_id = conv,
                                  .role = CHAT_ROLE_ASSISTANT,
                                  .content = "Added \"milk\"",
                                  .tool_calls = "[{\"tool\":\"add_task\"}]",
                                  .context = "{\"last\":[1]}",
                                  .created_at = 100};
    cr_assert_eq(store_message_insert(S, "u1", &answer), TODO_OK);
    cr_assert_gt(answer.id, m1);

    struct chat_message *items = NULL;
    int n = 0;
    cr_assert_eq(store_message_list(S, "u1", conv, 0, 10, &items, &n), TODO_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(items[0].id, m1);
    cr_assert_eq(items[0].role, CHAT_ROLE_USER);
    cr_assert_str_eq(items[0].content, "add milk");
    cr_assert_null(items[0].tool_calls);
    cr_assert_null(items[0].context);
    cr_assert_eq(items[1].role, CHAT_ROLE_ASSISTANT);
    cr_assert_str_eq(items[1].tool_calls, "[{\"tool\":\"add_task\"}]");
    cr_assert_str_eq(items[1].context, "{\"last\":[1]}");
    chat_messages_free(items, n);

    cr_assert_eq(store_message_list(S, "u1", conv, m1, 10, &items, &n), TODO_OK);
    cr_assert_eq(n, 1, "after_id pages on");
    chat_messages_free(items, n);
    cr_assert_eq(store_message_list(S, "u2", conv, 0, 10, &items, &n), TODO_OK);
    cr_assert_eq(n, 0, "another user reads nothing");
    chat_messages_free(items, n);
}

STORE_TEST(recent_history_is_the_last_messages_before_the_new_one_oldest_first)
{
    test_user_add(S, "u1", NULL);
    int64_t conv = 0;
    cr_assert_eq(store_conversation_insert(S, "u1", "t", 100, &conv), TODO_OK);
    int64_t ids[25];
    for (int i = 0; i < 25; i++) {
        char text[16];
        snprintf(text, sizeof text, "m%d", i);
        ids[i] = add_message("u1", conv, i % 2, text, NULL, 100 + i);
    }
    struct chat_message *items = NULL;
    int n = 0;
    cr_assert_eq(store_message_recent(S, "u1", conv, ids[24], 20, &items, &n), TODO_OK);
    cr_assert_eq(n, 20);
    cr_assert_str_eq(items[0].content, "m4");
    cr_assert_str_eq(items[19].content, "m23", "the new message is not in its history");
    chat_messages_free(items, n);
    cr_assert_eq(store_message_recent(S, "u1", conv, 0, 3, &items, &n), TODO_OK);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(items[2].content, "m24");
    chat_messages_free(items, n);
}

STORE_TEST(a_message_needs_an_existing_conversation)
{
    test_user_add(S, "u1", NULL);
    int64_t conv = 0;
    cr_assert_eq(store_conversation_insert(S, "u1", "t", 100, &conv), TODO_OK);
    struct chat_message m = {
        .conversation_id = conv, .role = CHAT_ROLE_USER, .content = "x", .created_at = 1};
    cr_assert_eq(store_message_insert(S, "u1", &m), TODO_OK);
    /* a conversation that does not exist breaks the foreign key */
    m.conversation_id = conv + 100;
    cr_assert_neq(store_message_insert(S, "u1", &m), TODO_OK);
}
