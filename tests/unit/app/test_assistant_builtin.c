/* test_assistant_builtin.c - the built-in brain (src/app/assistant_builtin.c) over a real
 * SQLite store in a temp directory, turn after turn as the chat use case runs it: each turn
 * gets the history so far (the answers' context included) and its tool calls change real
 * tasks. Adds, pronouns, ambiguity asked about, confirmations, another user's task, unknown
 * input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/assistant.h"
#include "core/nlp.h"
#include "app/tools.h"

#include "../store/test_user.h"
#include "app_fixture.h"

#define NOW_MS 1796551200000LL /* Sunday 2026-12-06T10:00:00Z */

static json_t *history;
static struct assistant_turn last; /* the last turn's outputs */

static void setup(void)
{
    app_fixture_open("brain");
    test_user_add(store, "u1", NULL);
    test_user_add(store, "u2", NULL);
    history = json_array();
    memset(&last, 0, sizeof last);
}

static void teardown(void)
{
    assistant_turn_release(&last);
    json_decref(history);
    app_fixture_close();
}

TestSuite(assistant_builtin, .init = setup, .fini = teardown);

/* One chat turn of u1; the answer is in last and appended to the history. */
static const char *say(const char *message)
{
    assistant_turn_release(&last);
    struct assistant_turn t = {.app = &app,
                               .user_id = "u1",
                               .tz = "UTC",
                               .now_ms = NOW_MS,
                               .history = history,
                               .message = message};
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(assistant_builtin_turn(&t, &err), 0, "%s: %s", message, err.message);
    cr_assert_not_null(t.response);
    cr_assert(json_is_array(t.tool_calls));
    json_array_append_new(history, json_pack("{s:s, s:s}", "role", "user", "content", message));
    json_array_append_new(history,
                          json_pack("{s:s, s:s, s:O, s:O*}", "role", "assistant", "content",
                                    t.response, "tool_calls", t.tool_calls, "context", t.context));
    last = t;
    return t.response;
}

static size_t n_calls(const char *tool)
{
    size_t i, n = 0;
    json_t *call;
    json_array_foreach(last.tool_calls, i, call) n +=
        !strcmp(json_string_value(json_object_get(call, "tool")), tool);
    return n;
}

static int64_t add_task(const char *user, const char *title)
{
    json_t *args = json_pack("{s:s}", "title", title), *result = NULL;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_tool_call(&app, user, "add_task", args, &result, &err), 0, "%s", err.message);
    int64_t id = json_integer_value(json_object_get(result, "task_id"));
    json_decref(args);
    json_decref(result);
    return id;
}

static struct task get(const char *user, int64_t id, int want_rc)
{
    struct task t;
    task_init(&t);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_get(&app, user, id, &t, &err), want_rc, "task %lld", (long long)id);
    return t;
}

static int count_tasks(const char *user)
{
    json_t *args = json_pack("{s:s, s:i}", "status", "all", "limit", 200), *result = NULL;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_tool_call(&app, user, "list_tasks", args, &result, &err), 0);
    int n = (int)json_array_size(json_object_get(result, "tasks"));
    json_decref(args);
    json_decref(result);
    return n;
}

Test(assistant_builtin, add_creates_the_task_and_says_exactly_what_was_set)
{
    const char *r = say("add buy milk tomorrow at 5pm #shopping !high");
    cr_assert_eq(n_calls("add_task"), 1);
    cr_expect_str_eq(r, "Added \"Buy milk\", due Mon 7 Dec at 17:00, high priority, tagged "
                        "#shopping.");
    int64_t id = json_integer_value(json_array_get(json_object_get(last.context, "tasks"), 0));
    struct task t = get("u1", id, 0);
    cr_expect_str_eq(t.title, "Buy milk");
    cr_expect_eq(t.priority, PRIORITY_HIGH);
    cr_expect_eq(t.n_tags, 1);
    cr_expect(t.has_due);
    cr_expect_eq(t.due_at, NOW_MS + 86400000LL + 7 * 3600000LL);
    task_release(&t);
}

Test(assistant_builtin, a_recurring_add_says_how_it_repeats)
{
    const char *r = say("remind me to pay rent on the 1st of every month at 9am");
    cr_expect(strstr(r, "Added \"Pay rent\", due Fri 1 Jan at 09:00, repeats ") == r, "%s", r);
    int64_t id = json_integer_value(json_array_get(json_object_get(last.context, "tasks"), 0));
    struct task t = get("u1", id, 0);
    cr_expect_str_eq(t.rrule, "FREQ=MONTHLY;BYMONTHDAY=1");
    task_release(&t);
}

Test(assistant_builtin, make_it_high_priority_acts_on_the_task_just_added)
{
    say("add call mom");
    int64_t id = json_integer_value(json_array_get(json_object_get(last.context, "tasks"), 0));
    char want[64];
    snprintf(want, sizeof want, "Task %lld is now high priority.", (long long)id);
    cr_expect_str_eq(say("make it high priority"), want);
    cr_expect_eq(n_calls("update_task"), 1);
    struct task t = get("u1", id, 0);
    cr_expect_eq(t.priority, PRIORITY_HIGH);
    task_release(&t);
}

Test(assistant_builtin, two_matching_tasks_are_asked_about_then_the_second_one_acts)
{
    int64_t a = add_task("u1", "Buy milk");
    int64_t b = add_task("u1", "Buy milk and eggs");
    const char *r = say("complete the milk task");
    cr_expect(strstr(r, "Which one") != NULL, "%s", r);
    cr_expect_eq(n_calls("complete_task"), 0, "nothing is completed on a guess");
    json_t *cands = json_object_get(json_object_get(last.context, "choose"), "candidates");
    cr_assert_eq(json_array_size(cands), 2);
    int64_t second = json_integer_value(json_object_get(json_array_get(cands, 1), "id"));
    say("the second one");
    cr_expect_eq(n_calls("complete_task"), 1);
    struct task ta = get("u1", a, 0), tb = get("u1", b, 0);
    cr_expect_eq(ta.completed, second == a);
    cr_expect_eq(tb.completed, second == b);
    task_release(&ta);
    task_release(&tb);
}

Test(assistant_builtin, delete_all_asks_first_and_yes_deletes_them)
{
    add_task("u1", "One");
    add_task("u1", "Two");
    add_task("u1", "Three");
    const char *r = say("delete all my tasks");
    cr_expect(strstr(r, "Delete all 3 tasks") == r, "%s", r);
    cr_expect_eq(n_calls("delete_task"), 0);
    cr_expect_eq(count_tasks("u1"), 3);
    say("yes");
    cr_expect_eq(n_calls("delete_task"), 3);
    cr_expect_eq(count_tasks("u1"), 0);
}

Test(assistant_builtin, delete_all_then_no_keeps_them)
{
    add_task("u1", "One");
    add_task("u1", "Two");
    say("delete all my tasks");
    cr_expect_str_eq(say("no"), "OK, I left them as they are.");
    cr_expect_eq(json_array_size(last.tool_calls), 0);
    cr_expect_eq(count_tasks("u1"), 2);
    cr_expect_str_eq(say("yes"), "There is nothing waiting for a yes right now.");
    cr_expect_eq(count_tasks("u1"), 2);
}

Test(assistant_builtin, another_message_drops_a_pending_confirmation)
{
    add_task("u1", "One");
    add_task("u1", "Two");
    say("delete all my tasks");
    say("add buy bread");
    cr_expect_eq(n_calls("add_task"), 1);
    cr_expect_eq(n_calls("delete_task"), 0);
    say("yes");
    cr_expect_eq(count_tasks("u1"), 3);
}

Test(assistant_builtin, another_users_task_is_not_found_and_unchanged)
{
    int64_t theirs = add_task("u2", "Their task");
    char msg[64], want[64];
    snprintf(msg, sizeof msg, "mark task %lld as done", (long long)theirs);
    snprintf(want, sizeof want, "I can't find task %lld.", (long long)theirs);
    cr_expect_str_eq(say(msg), want);
    struct task t = get("u2", theirs, 0);
    cr_expect_not(t.completed);
    task_release(&t);
    snprintf(msg, sizeof msg, "delete task %lld", (long long)theirs);
    say(msg);
    t = get("u2", theirs, 0);
    task_release(&t);
    json_t *err =
        json_object_get(json_object_get(json_array_get(last.tool_calls, 0), "result"), "error");
    cr_expect_str_eq(json_string_value(json_object_get(err, "code")), "not_found");
}

Test(assistant_builtin, unknown_input_changes_nothing_and_says_what_it_can_do)
{
    add_task("u1", "One");
    const char *r = say("what's the weather like?");
    cr_expect(strstr(r, "didn't understand") != NULL, "%s", r);
    cr_expect(strstr(r, "For example") != NULL, "%s", r);
    cr_expect_eq(json_array_size(last.tool_calls), 0);
    cr_expect_eq(count_tasks("u1"), 1);
}

Test(assistant_builtin, complete_by_id_and_by_words_say_the_title)
{
    int64_t id = add_task("u1", "Buy groceries");
    add_task("u1", "Write the report");
    char msg[64];
    snprintf(msg, sizeof msg, "Mark task %lld as complete", (long long)id);
    cr_expect_str_eq(say(msg), "Completed \"Buy groceries\".");
    cr_expect_str_eq(say("I finished the report"), "Completed \"Write the report\".");
    cr_expect_str_eq(say("reopen it"), "Reopened \"Write the report\".");
    cr_expect_str_eq(say("delete the shopping list task"),
                     "I couldn't find a task matching \"shopping list\", so nothing changed. To "
                     "add it as a new task, say \"add delete the shopping list task\".");
}

Test(assistant_builtin, lists_show_ids_and_the_next_turn_can_pick_by_position)
{
    int64_t a = add_task("u1", "Alpha");
    add_task("u1", "Beta");
    const char *r = say("show my tasks");
    char line[64];
    snprintf(line, sizeof line, "#%lld Alpha", (long long)a);
    cr_expect(strstr(r, "Here are 2 tasks:") == r, "%s", r);
    cr_expect(strstr(r, line) != NULL, "%s", r);
    json_t *listed = json_object_get(last.context, "tasks");
    int64_t second = json_integer_value(json_array_get(listed, 1));
    say("complete the 2nd one");
    struct task t = get("u1", second, 0);
    cr_expect(t.completed);
    task_release(&t);
}

Test(assistant_builtin, updates_move_rename_tag_and_clear)
{
    int64_t id = add_task("u1", "Dentist");
    char want[128];
    cr_expect_str_eq(say("move the dentist to friday"),
                     "Updated \"Dentist\", due Fri 11 Dec at 09:00.");
    snprintf(want, sizeof want, "Renamed task %lld to \"Dentist appointment\".", (long long)id);
    cr_expect_str_eq(say("rename it to Dentist appointment"), want);
    cr_expect_str_eq(say("tag it with health"), "Updated \"Dentist appointment\", tagged #health.");
    cr_expect_str_eq(say("remove the due date from it"),
                     "Updated \"Dentist appointment\", no due date.");
    struct task t = get("u1", id, 0);
    cr_expect_not(t.has_due);
    cr_expect_eq(t.n_tags, 1);
    task_release(&t);
}

Test(assistant_builtin, a_reminder_before_a_task_without_a_date_is_explained)
{
    say("add call mom");
    cr_expect_str_eq(say("remind me 30 minutes before"),
                     "\"Call mom\" has no due date, so I can't remind you before it. Give it one "
                     "first, like \"move it to Friday at 3pm\".");
    cr_expect_eq(json_array_size(last.tool_calls), 0);
    say("move it to tomorrow at 3pm");
    const char *r = say("remind me 30 minutes before");
    cr_expect_str_eq(r, "Updated \"Call mom\", reminding you Mon 7 Dec at 14:30.");
}

Test(assistant_builtin, a_question_is_answered_by_due_day_or_by_words)
{
    say("add call the bank friday");
    say("add call the plumber tomorrow");
    const char *r = say("delete the call task");
    cr_expect(strstr(r, "Which one") == r, "%s", r);
    say("the one due friday");
    cr_expect_eq(n_calls("delete_task"), 1);
    cr_expect_str_eq(json_string_value(json_object_get(
                         json_object_get(json_array_get(last.tool_calls, 0), "result"), "title")),
                     "Call the bank");
    say("add call mom");
    say("add call dad");
    say("complete the call task");
    cr_expect(strstr(last.response, "Which one") == last.response, "%s", last.response);
    cr_expect_str_eq(say("the one about dad"), "Completed \"Call dad\".");
}

Test(assistant_builtin, them_after_a_list_asks_before_deleting_several)
{
    add_task("u1", "Alpha");
    add_task("u1", "Beta");
    say("show my tasks");
    const char *r = say("delete them");
    cr_expect(strstr(r, "Delete all 2 tasks") == r, "%s", r);
    cr_expect_eq(count_tasks("u1"), 2);
    say("yes");
    cr_expect_eq(count_tasks("u1"), 0);
}

Test(assistant_builtin, a_list_for_a_day_shows_the_tasks_due_that_day)
{
    say("add call the bank friday");
    say("add call the plumber tomorrow");
    const char *r = say("what's due on Friday?");
    cr_expect(strstr(r, "Here is 1 task:") == r, "%s", r);
    cr_expect(strstr(r, "Call the bank") != NULL, "%s", r);
    cr_expect(strstr(r, "plumber") == NULL, "%s", r);
    r = say("what's due before friday?");
    cr_expect(strstr(r, "Here is 1 task:") == r, "%s", r);
    cr_expect(strstr(r, "plumber") != NULL, "%s", r);
    r = say("show me what's due after tomorrow");
    cr_expect(strstr(r, "Call the bank") != NULL && !strstr(r, "plumber"), "%s", r);
}

Test(assistant_builtin, show_task_n_shows_that_task_of_the_user_only)
{
    int64_t id = add_task("u1", "Mine");
    int64_t theirs = add_task("u2", "Theirs");
    char msg[64], want[64];
    snprintf(msg, sizeof msg, "show me task %lld", (long long)id);
    snprintf(want, sizeof want, "#%lld Mine", (long long)id);
    cr_expect_str_eq(say(msg), want);
    snprintf(msg, sizeof msg, "show me task %lld", (long long)theirs);
    snprintf(want, sizeof want, "I can't find task %lld.", (long long)theirs);
    cr_expect_str_eq(say(msg), want);
}

Test(assistant_builtin, a_time_with_the_words_picks_that_days_task)
{
    say("add team meeting tomorrow at 3pm");
    say("add team meeting friday at 3pm");
    cr_expect_str_eq(say("delete my meeting on friday"), "Deleted \"Team meeting\".");
    cr_expect_eq(count_tasks("u1"), 1);
    json_t *args = json_pack("{s:s}", "status", "all"), *result = NULL;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_tool_call(&app, "u1", "list_tasks", args, &result, &err), 0);
    const char *due = json_string_value(
        json_object_get(json_array_get(json_object_get(result, "tasks"), 0), "due_at"));
    cr_expect_str_eq(due, "2026-12-07T15:00:00Z", "the other day's meeting stays");
    json_decref(args);
    json_decref(result);
}

Test(assistant_builtin, several_ids_at_once_are_not_half_done)
{
    int64_t a = add_task("u1", "One");
    int64_t b = add_task("u1", "Two");
    char msg[64];
    snprintf(msg, sizeof msg, "delete task %lld and task %lld", (long long)a, (long long)b);
    const char *r = say(msg);
    cr_expect(strstr(r, "didn't understand") != NULL, "%s", r);
    cr_expect_eq(count_tasks("u1"), 2);
    say("delete all but the first");
    cr_expect_eq(count_tasks("u1"), 2);
}

Test(assistant_builtin, a_time_alone_keeps_the_day_and_a_day_alone_keeps_the_time)
{
    say("add call mom tomorrow at 6pm");
    cr_expect_str_eq(say("actually make it 7pm"), "Updated \"Call mom\", due Mon 7 Dec at 19:00.");
    cr_expect_str_eq(say("move it to friday"), "Updated \"Call mom\", due Fri 11 Dec at 19:00.");
    cr_expect_str_eq(say("move it to saturday at noon"),
                     "Updated \"Call mom\", due Sat 12 Dec at 12:00.");
}

Test(assistant_builtin, it_after_a_list_of_several_asks_and_the_last_one_is_the_last_listed)
{
    add_task("u1", "Alpha");
    add_task("u1", "Beta");
    say("show my tasks");
    const char *r = say("make it high priority");
    cr_expect(strstr(r, "Which one") == r, "%s", r);
    cr_expect_eq(n_calls("update_task"), 0);
    say("show my tasks");
    json_t *listed = json_object_get(last.context, "list");
    int64_t lastid = json_integer_value(json_array_get(listed, json_array_size(listed) - 1));
    say("complete the first one");
    say("delete the last one");
    struct task t = get("u1", lastid, TODO_ERR_NOT_FOUND);
    task_release(&t);
    cr_expect_eq(count_tasks("u1"), 1);
}

Test(assistant_builtin, it_survives_an_answer_that_changed_nothing)
{
    say("add call mom");
    say("help");
    cr_expect_str_eq(say("make it urgent"), "Task 1 is now high priority.");
}

/* What is due asks what is left to do: a done task due that day is not listed, unless the
 * message asks for done ones. */
Test(assistant_builtin, what_is_due_lists_what_is_left_to_do)
{
    say("add call the bank tomorrow");
    say("add pay the plumber tomorrow");
    say("complete the plumber task");
    const char *r = say("what's due tomorrow?");
    cr_expect(strstr(r, "Here is 1 task:") == r, "%s", r);
    cr_expect(strstr(r, "Call the bank") != NULL && !strstr(r, "plumber"), "%s", r);
    r = say("show me this week's tasks");
    cr_expect(strstr(r, "Call the bank") != NULL && !strstr(r, "plumber"), "%s", r);
    r = say("what have I completed?");
    cr_expect(strstr(r, "plumber") != NULL, "%s", r);
}

/* A message longer than the parser reads is answered as such, and changes nothing. */
Test(assistant_builtin, a_message_too_long_to_read_says_so_and_changes_nothing)
{
    char msg[NLP_TEXT_MAX + 64] = "add ";
    while (strlen(msg) < NLP_TEXT_MAX + 10)
        strcat(msg, "milk ");
    const char *r = say(msg);
    cr_expect(strstr(r, "too long") != NULL, "%s", r);
    cr_expect_eq(count_tasks("u1"), 0);
    cr_expect_eq(json_array_size(last.tool_calls), 0);
}
