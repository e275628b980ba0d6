/* test_assistant_parse.c - app_assistant_parse (POST /api/{user_id}/assistant/parse's use
 * case, docs/decisions/0042-one-parser-for-ui-and-assistant.md) over a real SQLite store:
 * the body's rules, the user's zone in the answer, the quick_add mode, and nothing stored. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "app/assistant_parse.h"

#include "../store/test_user.h"
#include "app_fixture.h"

static void setup(void)
{
    app_fixture_open("aparse");
    test_user_add(store, "u1", "a@example.com");
    struct user u;
    user_init(&u);
    cr_assert_eq(store_user_get_by_id(store, "u1", &u), TODO_OK);
    snprintf(u.timezone, sizeof u.timezone, "Asia/Kolkata");
    cr_assert_eq(store_user_update(store, &u), TODO_OK);
    user_release(&u);
}

static void teardown(void)
{
    app_fixture_close();
}

TestSuite(assistant_parse, .init = setup, .fini = teardown);

/* Parses body (JSON text) for u1; returns the rc, *out the answer (or NULL). */
static int parse(const char *body_text, json_t **out, struct todo_err *err)
{
    json_t *body = json_loads(body_text, 0, NULL);
    cr_assert_not_null(body, "test body: %s", body_text);
    todo_err_clear(err);
    int rc = app_assistant_parse(&app, "u1", body, out, err);
    json_decref(body);
    return rc;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

Test(assistant_parse, reads_the_text_in_the_users_zone)
{
    json_t *out;
    struct todo_err err;
    cr_assert_eq(parse("{\"text\": \"Call the bank tomorrow at 9am #money\"}", &out, &err), TODO_OK,
                 "%s", err.message);
    cr_assert_str_eq(str(out, "intent"), "add");
    cr_assert_str_eq(str(out, "title"), "Call the bank");
    const char *due = str(out, "due");
    cr_assert_not_null(due);
    cr_assert(strstr(due, "T09:00:00+05:30") != NULL, "Kolkata's offset: %s", due);
    json_decref(out);
}

Test(assistant_parse, quick_add_reads_a_command_line_as_a_task)
{
    json_t *out;
    struct todo_err err;
    cr_assert_eq(parse("{\"text\": \"Delete old photos\"}", &out, &err), TODO_OK);
    cr_assert_str_eq(str(out, "intent"), "delete");
    json_decref(out);
    cr_assert_eq(parse("{\"text\": \"Delete old photos\", \"mode\": \"quick_add\"}", &out, &err),
                 TODO_OK);
    cr_assert_str_eq(str(out, "intent"), "add");
    cr_assert_str_eq(str(out, "title"), "Delete old photos");
    json_decref(out);
    cr_assert_eq(parse("{\"text\": \"add buy milk\", \"mode\": \"quick_add\"}", &out, &err),
                 TODO_OK);
    cr_assert_str_eq(str(out, "title"), "Buy milk", "an add is read once");
    json_decref(out);
    static const char *const others[] = {"make it high priority", "#home !high", "add #home !high",
                                         "delete all my tasks", "yes"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"text\": \"%s\", \"mode\": \"quick_add\"}", others[i]);
        cr_assert_eq(parse(body, &out, &err), TODO_OK);
        cr_assert_str_eq(str(out, "intent"), "add", "%s", others[i]);
        cr_assert_null(json_object_get(out, "target"), "%s names no task", others[i]);
        cr_assert_null(json_object_get(out, "filter"), "%s", others[i]);
        json_decref(out);
    }
}

Test(assistant_parse, refuses_bad_bodies_with_the_field_named)
{
    static const struct {
        const char *body;
        int rc;
        const char *field;
    } cases[] = {
        {"[\"text\"]", TODO_ERR_BAD_REQUEST, NULL},
        {"{}", TODO_ERR_VALIDATION, "text"},
        {"{\"text\": \"\"}", TODO_ERR_VALIDATION, "text"},
        {"{\"text\": 3}", TODO_ERR_VALIDATION, "text"},
        {"{\"text\": \"a\", \"title\": \"b\"}", TODO_ERR_VALIDATION, "title"},
        {"{\"text\": \"a\", \"mode\": \"quick\"}", TODO_ERR_VALIDATION, "mode"},
        {"{\"text\": \"a\", \"mode\": null}", TODO_ERR_VALIDATION, "mode"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *out = (json_t *)1;
        struct todo_err err;
        cr_assert_eq(parse(cases[i].body, &out, &err), cases[i].rc, "%s", cases[i].body);
        cr_assert_null(out, "no answer for %s", cases[i].body);
        if (cases[i].field) {
            cr_assert_gt(err.n_details, 0, "%s", cases[i].body);
            cr_assert_str_eq(err.details[0].field, cases[i].field, "%s", cases[i].body);
        }
    }
}

Test(assistant_parse, counts_characters_not_bytes)
{
    char body[4096];
    int n = snprintf(body, sizeof body, "{\"text\": \"");
    for (int i = 0; i < 1000; i++)
        n += snprintf(body + n, sizeof body - (size_t)n, "\xc3\xa9"); /* é: 2 bytes */
    snprintf(body + n, sizeof body - (size_t)n, "\"}");
    json_t *out;
    struct todo_err err;
    cr_assert_eq(parse(body, &out, &err), TODO_OK, "1000 characters (2000 bytes) are fine");
    json_decref(out);
    snprintf(body + n, sizeof body - (size_t)n, "\xc3\xa9\"}");
    cr_assert_eq(parse(body, &out, &err), TODO_ERR_VALIDATION, "1001 are not");
}

static const char *status_all(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "status") == 0 ? "all" : NULL;
}

Test(assistant_parse, stores_nothing)
{
    json_t *out;
    struct todo_err err;
    cr_assert_eq(parse("{\"text\": \"add pay rent on the 1st of every month\", \"mode\": "
                       "\"quick_add\"}",
                       &out, &err),
                 TODO_OK);
    json_decref(out);
    int64_t count = -1;
    cr_assert_eq(app_task_count(&app, "u1", status_all, NULL, &count, &err), TODO_OK, "%s",
                 err.message);
    cr_assert_eq(count, 0, "parsing creates no task");
}
