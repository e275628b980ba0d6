/* test_chat.c - the chat use case (src/app/chat.c) and its database state
 * (chat_state_db.c) against a real SQLite store in a temp directory: what a body must be,
 * the title a conversation gets, a turn stored before and after the brain, a turn's
 * history rebuilt from storage, and one user never reaching another's conversation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/chat.c" /* make_title */
#include "app/chat_state.h"

#include "../store/test_user.h"
#include "app_fixture.h"

static app_chat_t *chat;

static void setup(void)
{
    app_fixture_open("chat");
    struct todo_err err;
    todo_err_clear(&err);
    test_user_add(store, "u1", NULL);
    test_user_add(store, "u2", NULL);
    struct app_chat_config ccfg = {.state = APP_CHAT_STATE_DB};
    cr_assert_eq(app_chat_create(&app, &ccfg, &chat, &err), 0);
}

static void teardown(void)
{
    app_chat_destroy(chat);
    app_fixture_close();
}

TestSuite(chat, .init = setup, .fini = teardown);

/* prepare(text of a body): the result, err filled. */
static int prepare(const char *body_text, struct app_chat_request *r, struct todo_err *err)
{
    json_t *body = json_loads(body_text, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(body, "%s", body_text);
    todo_err_clear(err);
    int rc = app_chat_prepare("u1", body, r, err);
    json_decref(body);
    return rc;
}

Test(chat, a_message_is_trimmed_and_a_conversation_id_taken)
{
    struct app_chat_request r;
    struct todo_err err;
    cr_assert_eq(prepare("{\"message\": \"  add milk\\n\", \"conversation_id\": 7}", &r, &err), 0);
    cr_assert_str_eq(r.message, "add milk");
    cr_assert_eq(r.conversation_id, 7);
    cr_assert_str_eq(r.user_id, "u1");
    app_chat_request_release(&r);
    cr_assert_eq(prepare("{\"message\": \"x\", \"conversation_id\": null}", &r, &err), 0);
    cr_assert_eq(r.conversation_id, 0);
    app_chat_request_release(&r);
}

Test(chat, bad_bodies_are_refused_with_the_field_named)
{
    static const struct {
        const char *body;
        int rc;
        const char *field;
    } cases[] = {
        {"[]", TODO_ERR_BAD_REQUEST, NULL},
        {"\"hi\"", TODO_ERR_BAD_REQUEST, NULL},
        {"{}", TODO_ERR_VALIDATION, "message"},
        {"{\"message\": \"\"}", TODO_ERR_VALIDATION, "message"},
        {"{\"message\": \" \\t\\r\\n \"}", TODO_ERR_VALIDATION, "message"},
        {"{\"message\": 3}", TODO_ERR_VALIDATION, "message"},
        {"{\"message\": null}", TODO_ERR_VALIDATION, "message"},
        {"{\"message\": \"hi\", \"mesage\": \"typo\"}", TODO_ERR_VALIDATION, "mesage"},
        {"{\"message\": \"hi\", \"conversation_id\": \"1\"}", TODO_ERR_VALIDATION,
         "conversation_id"},
        {"{\"message\": \"hi\", \"conversation_id\": -3}", TODO_ERR_VALIDATION, "conversation_id"},
        {"{\"message\": \"hi\", \"conversation_id\": 2.0}", TODO_ERR_VALIDATION, "conversation_id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct app_chat_request r = {0};
        struct todo_err err;
        cr_assert_eq(prepare(cases[i].body, &r, &err), cases[i].rc, "%s", cases[i].body);
        cr_assert_null(r.message, "nothing handed out for %s", cases[i].body);
        if (cases[i].field) {
            cr_assert_geq(err.n_details, 1, "%s", cases[i].body);
            cr_assert_str_eq(err.details[0].field, cases[i].field, "%s", cases[i].body);
        }
    }
}

Test(chat, the_length_limit_counts_characters_not_bytes)
{
    char *text = xmalloc(4002 * 2 + 32);
    struct app_chat_request r;
    struct todo_err err;
    for (int n = 4000; n <= 4001; n++) {
        char *p = text + sprintf(text, "{\"message\": \"");
        for (int i = 0; i < n; i++)
            p += sprintf(p, "\xC3\xA9"); /* é: two bytes, one character */
        sprintf(p, "\"}");
        int rc = prepare(text, &r, &err);
        if (n == 4000) {
            cr_assert_eq(rc, 0);
            app_chat_request_release(&r);
        } else {
            cr_assert_eq(rc, TODO_ERR_VALIDATION);
        }
    }
    free(text);
}

Test(chat, a_title_is_the_first_message_cut_at_a_word_with_an_ellipsis)
{
    char *t = make_title("Buy   milk\n and\teggs");
    cr_assert_str_eq(t, "Buy milk and eggs");
    free(t);
    t = make_title(
        "Remind me to renew the passport before the trip to Lisbon in the spring please");
    cr_assert_str_eq(t, "Remind me to renew the passport before the trip to Lisbon in\xE2\x80\xA6");
    free(t);
    t = make_title("Remind me to renew the passport before the trip to Montevideo, Uruguay");
    cr_assert_str_eq(t, "Remind me to renew the passport before the trip to\xE2\x80\xA6",
                     "a word cut in the middle is left out");
    free(t);
    char long_word[100];
    memset(long_word, 'x', 99);
    long_word[99] = '\0';
    t = make_title(long_word);
    cr_assert_eq(utf8_length(t), CHAT_TITLE_MAX + 1, "60 characters and the ellipsis");
    free(t);
    t = make_title("\xC3\xA9\xC3\xA9\xC3\xA9");
    cr_assert_str_eq(t, "\xC3\xA9\xC3\xA9\xC3\xA9", "multi-byte characters kept whole");
    free(t);
}

static json_t *run_turn(const char *uid, int64_t conv, const char *message, int expect_rc)
{
    struct app_chat_request r = {.conversation_id = conv, .message = xstrdup(message)};
    snprintf(r.user_id, sizeof r.user_id, "%s", uid);
    struct todo_err err;
    todo_err_clear(&err);
    json_t *answer = NULL;
    cr_assert_eq(app_chat_run(chat, &r, &answer, &err), expect_rc, "%s", err.message);
    app_chat_request_release(&r);
    return answer;
}

Test(chat, a_turn_stores_the_message_and_the_answer_with_its_tool_calls)
{
    json_t *a = run_turn("u1", 0, "hello", 0);
    int64_t conv = json_integer_value(json_object_get(a, "conversation_id"));
    cr_assert_gt(conv, 0);
    cr_assert(json_is_string(json_object_get(a, "response")));
    cr_assert(json_is_array(json_object_get(a, "tool_calls")));
    struct chat_message *m = NULL;
    int n = 0;
    cr_assert_eq(store_message_list(store, "u1", conv, 0, 10, &m, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(m[0].role, CHAT_ROLE_USER);
    cr_assert_str_eq(m[0].content, "hello");
    cr_assert_eq(m[1].role, CHAT_ROLE_ASSISTANT);
    cr_assert_str_eq(m[1].content, json_string_value(json_object_get(a, "response")));
    cr_assert_not_null(m[1].tool_calls, "the answer's tool calls are stored (an array)");
    chat_messages_free(m, n);
    struct chat_conversation c = {0};
    cr_assert_eq(store_conversation_get(store, "u1", conv, &c), 0);
    cr_assert_str_eq(c.title, "hello");
    chat_conversation_release(&c);
    json_decref(a);
}

Test(chat, another_users_conversation_is_not_found_and_gets_no_message)
{
    json_t *a = run_turn("u1", 0, "mine", 0);
    int64_t conv = json_integer_value(json_object_get(a, "conversation_id"));
    json_decref(a);
    cr_assert_null(run_turn("u2", conv, "hijack", TODO_ERR_NOT_FOUND));
    cr_assert_null(run_turn("u1", conv + 1000, "nowhere", TODO_ERR_NOT_FOUND));
    struct chat_message *m = NULL;
    int n = 0;
    cr_assert_eq(store_message_list(store, "u1", conv, 0, 10, &m, &n), 0);
    cr_assert_eq(n, 2);
    chat_messages_free(m, n);
}

Test(chat, a_turns_history_is_the_last_twenty_messages_before_it_from_storage)
{
    struct chat_state *st = chat_state_db_create(&app);
    int64_t conv = 0;
    struct todo_err err;
    todo_err_clear(&err);
    json_t *h = NULL;
    for (int i = 0; i < 25; i++) {
        char text[16];
        snprintf(text, sizeof text, "m%d", i);
        json_t *ctx = i % 2 ? json_pack("{si}", "last_task", i) : NULL;
        json_t *calls = i % 2 ? json_pack("[{ss}]", "tool", "list_tasks") : NULL;
        struct chat_append in = {.role = i % 2 ? CHAT_ROLE_ASSISTANT : CHAT_ROLE_USER,
                                 .content = text,
                                 .tool_calls = calls,
                                 .context = ctx,
                                 .at = 1000 + i};
        json_decref(h);
        h = NULL;
        if (i % 2)
            cr_assert_eq(st->ops->close_turn(st, "u1", conv, &in, &err), 0);
        else
            cr_assert_eq(st->ops->open_turn(st, "u1", &conv, "t", &in, &h, &err), 0);
        json_decref(ctx);
        json_decref(calls);
    }
    /* the last open_turn (m24) saw m4..m23 */
    cr_assert_eq(json_array_size(h), CHAT_HISTORY_MAX);
    json_t *first = json_array_get(h, 0), *last = json_array_get(h, CHAT_HISTORY_MAX - 1);
    cr_assert_str_eq(json_string_value(json_object_get(first, "content")), "m4");
    cr_assert_str_eq(json_string_value(json_object_get(last, "content")), "m23");
    cr_assert_str_eq(json_string_value(json_object_get(last, "role")), "assistant");
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(last, "tool_calls"), 0), "tool")),
                     "list_tasks", "the answer's tool calls come back");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(last, "context"), "last_task")),
                 23, "the brain's context comes back with its answer");
    json_t *user = json_array_get(h, CHAT_HISTORY_MAX - 2);
    cr_assert_eq(json_array_size(json_object_get(user, "tool_calls")), 0);
    cr_assert(json_is_null(json_object_get(user, "context")));
    json_decref(h);
    st->ops->destroy(st);
}
