/* test_tools.c - the tool set (src/app/tools.c) over a real SQLite store in a temp directory:
 * the definitions (order, titles, schemas that parse, annotations), each tool's effect and
 * result shape, and the argument checks (unknown or mistyped arguments 422 naming the field,
 * a foreign user_id 403, another user's task 404), each leaving the tasks unchanged. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/tools.h"

#include "../store/test_user.h"
#include "app_fixture.h"

static void setup(void)
{
    app_fixture_open("tools");
    test_user_add(store, "u1", NULL);
    test_user_add(store, "u2", NULL);
}

static void teardown(void)
{
    app_fixture_close();
}

TestSuite(tools, .init = setup, .fini = teardown);

/* Calls tool name for user with args given as JSON text; expects rc; returns the result
 * (rc 0) or the error JSON (else). Caller decrefs. */
static json_t *call_as(const char *user, const char *name, const char *args_text, int want_rc)
{
    json_t *args = args_text ? json_loads(args_text, 0, NULL) : NULL;
    cr_assert(!args_text || args, "bad test JSON: %s", args_text);
    struct todo_err err;
    todo_err_clear(&err);
    json_t *result = NULL;
    int rc = app_tool_call(&app, user, name, args, &result, &err);
    json_decref(args);
    cr_assert_eq(rc, want_rc, "%s(%s): rc %d (%s), wanted %d", name, args_text, rc, err.message,
                 want_rc);
    if (rc) {
        cr_assert_null(result);
        return app_tool_error_json(&err);
    }
    cr_assert(json_is_object(result));
    return result;
}

static json_t *call(const char *name, const char *args_text)
{
    return call_as("u1", name, args_text, 0);
}

static int64_t add(const char *title)
{
    char args[256];
    snprintf(args, sizeof args, "{\"title\": \"%s\"}", title);
    json_t *r = call("add_task", args);
    int64_t id = json_integer_value(json_object_get(r, "task_id"));
    json_decref(r);
    return id;
}

static struct task get_task(const char *user, int64_t id)
{
    struct task t;
    task_init(&t);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_get(&app, user, id, &t, &err), 0, "%s", err.message);
    return t;
}

static const char *str(json_t *o, const char *path1, const char *path2)
{
    json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v);
}

/* The first detail's field of an error JSON. */
static const char *err_field(json_t *e)
{
    return str(json_array_get(json_object_get(json_object_get(e, "error"), "details"), 0), "field",
               NULL);
}

/* Every key the tool's output schema requires is in result. */
static void assert_matches_output(const char *name, json_t *result)
{
    const struct app_tool *t = app_tool_find(name);
    json_t *schema = json_loads(t->output_schema, 0, NULL);
    size_t i;
    json_t *key;
    json_array_foreach(json_object_get(schema, "required"), i, key)
    {
        cr_assert_not_null(json_object_get(result, json_string_value(key)), "%s lacks %s", name,
                           json_string_value(key));
    }
    json_decref(schema);
}

Test(tools, are_listed_in_the_contract_order_with_schemas_and_annotations)
{
    static const char *const names[] = {"add_task",    "list_tasks",  "complete_task",
                                        "reopen_task", "delete_task", "update_task",
                                        "list_tags"};
    size_t n;
    const struct app_tool *tools = app_tools(&n);
    cr_assert_eq(n, 7);
    for (size_t i = 0; i < n; i++) {
        const struct app_tool *t = &tools[i];
        cr_assert_str_eq(t->name, names[i]);
        cr_assert_eq(app_tool_find(t->name), t);
        cr_assert(t->title && t->title[0] && strlen(t->description) > 40);
        json_error_t je;
        json_t *in = json_loads(t->input_schema, 0, &je);
        cr_assert_not_null(in, "%s input: %s", t->name, je.text);
        cr_assert_str_eq(str(in, "type", NULL), "object");
        cr_assert(json_is_false(json_object_get(in, "additionalProperties")), "%s", t->name);
        cr_assert_not_null(json_object_get(json_object_get(in, "properties"), "user_id"));
        json_t *out = json_loads(t->output_schema, 0, &je);
        cr_assert_not_null(out, "%s output: %s", t->name, je.text);
        cr_assert_str_eq(str(out, "type", NULL), "object");
        json_decref(in);
        json_decref(out);
        bool lists = strncmp(t->name, "list_", 5) == 0;
        cr_assert_eq(t->read_only, lists, "%s", t->name);
        cr_assert_eq(t->destructive, strcmp(t->name, "delete_task") == 0, "%s", t->name);
        cr_assert_eq(t->idempotent, strcmp(t->name, "add_task") != 0, "%s", t->name);
    }
    cr_assert_null(app_tool_find("drop_tables"));
    cr_assert_null(app_tool_find(NULL));
}

Test(tools, add_task_stores_every_field_and_answers_the_task)
{
    json_t *r =
        call("add_task", "{\"user_id\": \"u1\", \"title\": \"Pay rent\", \"description\": "
                         "\"flat 3\", \"priority\": \"high\", \"tags\": [\"Bills\", \"home\"], "
                         "\"due_at\": \"2026-12-01T09:00:00-05:00\", \"reminders\": "
                         "[{\"before\": \"PT30M\"}], \"recurrence\": \"monthly\"}");
    assert_matches_output("add_task", r);
    cr_assert_str_eq(str(r, "status", NULL), "created");
    cr_assert_str_eq(str(r, "title", NULL), "Pay rent");
    int64_t id = json_integer_value(json_object_get(r, "task_id"));
    cr_assert_gt(id, 0);
    json_t *task = json_object_get(r, "task");
    cr_assert_eq(json_integer_value(json_object_get(task, "id")), id);
    cr_assert_str_eq(str(task, "due_at", NULL), "2026-12-01T14:00:00Z");
    cr_assert_str_eq(str(task, "recurrence", "rule"), "FREQ=MONTHLY");
    cr_assert_not_null(str(task, "recurrence", "text"), "the rule in words, as GET shows it");
    json_decref(r);

    struct task t = get_task("u1", id);
    cr_assert_str_eq(t.description, "flat 3");
    cr_assert_eq(t.priority, PRIORITY_HIGH);
    cr_assert_eq(t.n_tags, 2);
    cr_assert_str_eq(t.tags[0], "bills");
    cr_assert_eq(t.n_reminders, 1);
    cr_assert_eq(t.reminders[0].before_ms, 30 * 60 * 1000);
    task_release(&t);
}

Test(tools, update_task_changes_the_given_fields_and_null_clears)
{
    json_t *r = call("add_task", "{\"title\": \"Call mom\", \"description\": \"Sunday\", "
                                 "\"priority\": \"low\", \"due_at\": \"2026-12-06T18:00:00Z\"}");
    int64_t id = json_integer_value(json_object_get(r, "task_id"));
    json_decref(r);
    char args[256];
    snprintf(args, sizeof args,
             "{\"task_id\": %lld, \"title\": \"Call mom tonight\", \"due_at\": null, "
             "\"recurrence\": {\"rule\": \"weekly\", \"from\": \"completion\"}}",
             (long long)id);
    r = call("update_task", args);
    assert_matches_output("update_task", r);
    cr_assert_str_eq(str(r, "status", NULL), "updated");
    cr_assert_str_eq(str(r, "title", NULL), "Call mom tonight");
    json_decref(r);
    struct task t = get_task("u1", id);
    cr_assert_str_eq(t.title, "Call mom tonight");
    cr_assert_str_eq(t.description, "Sunday", "untouched");
    cr_assert_eq(t.priority, PRIORITY_LOW, "untouched");
    cr_assert_not(t.has_due, "null cleared it");
    cr_assert_eq(t.recur_from, RECUR_FROM_COMPLETION);
    cr_assert_eq(t.version, 2);
    task_release(&t);
}

Test(tools, complete_and_reopen_set_the_state_and_never_toggle)
{
    int64_t id = add("Buy milk");
    char args[64];
    snprintf(args, sizeof args, "{\"task_id\": %lld}", (long long)id);
    for (int i = 0; i < 2; i++) { /* twice: still completed */
        json_t *r = call("complete_task", args);
        assert_matches_output("complete_task", r);
        cr_assert_str_eq(str(r, "status", NULL), "completed");
        cr_assert(json_is_true(json_object_get(json_object_get(r, "task"), "completed")));
        json_decref(r);
    }
    struct task t = get_task("u1", id);
    cr_assert(t.completed);
    task_release(&t);
    for (int i = 0; i < 2; i++) {
        json_t *r = call("reopen_task", args);
        cr_assert_str_eq(str(r, "status", NULL), "pending");
        cr_assert_str_eq(str(r, "task", "status"), "pending");
        json_decref(r);
    }
    t = get_task("u1", id);
    cr_assert_not(t.completed);
    task_release(&t);
}

Test(tools, delete_task_answers_the_title_and_removes_it)
{
    int64_t id = add("Old idea");
    char args[64];
    snprintf(args, sizeof args, "{\"task_id\": %lld}", (long long)id);
    json_t *r = call("delete_task", args);
    assert_matches_output("delete_task", r);
    cr_assert_str_eq(str(r, "status", NULL), "deleted");
    cr_assert_str_eq(str(r, "title", NULL), "Old idea");
    cr_assert_eq(json_integer_value(json_object_get(r, "task_id")), id);
    json_decref(r);
    json_t *e = call_as("u1", "delete_task", args, TODO_ERR_NOT_FOUND);
    cr_assert_str_eq(str(e, "error", "code"), "not_found");
    json_decref(e);
}

Test(tools, list_tasks_takes_every_query_parameter_as_arguments)
{
    json_decref(call("add_task",
                     "{\"title\": \"groceries\", \"priority\": \"high\", \"tags\": [\"home\"]}"));
    json_decref(call("add_task", "{\"title\": \"groceries\", \"priority\": \"high\", \"tags\": "
                                 "[\"home\", \"shop\"]}"));
    json_decref(call("add_task", "{\"title\": \"taxes\", \"priority\": \"low\", \"recurrence\": "
                                 "{\"rule\": \"yearly\", \"from\": \"completion\"}}"));
    int64_t done = add("done thing");
    char args[64];
    snprintf(args, sizeof args, "{\"task_id\": %lld}", (long long)done);
    json_decref(call("complete_task", args));

    json_t *r = call("list_tasks", "{}");
    assert_matches_output("list_tasks", r);
    json_t *tasks = json_object_get(r, "tasks");
    cr_assert_eq(json_array_size(tasks), 4);
    json_t *first = json_array_get(tasks, 0);
    cr_assert_str_eq(str(first, "title", NULL), "done thing", "newest first");
    cr_assert(json_is_true(json_object_get(first, "completed")));
    cr_assert(json_is_null(json_object_get(r, "next_cursor")));
    json_decref(r);

    r = call("list_tasks",
             "{\"status\": \"pending\", \"tags\": [\"home\", \"shop\"], \"priority\": "
             "[\"high\", \"medium\"], \"q\": \"groc\"}");
    cr_assert_eq(json_array_size(json_object_get(r, "tasks")), 1);
    json_decref(r);
    r = call("list_tasks", "{\"recurring\": true, \"user_id\": \"u1\"}");
    cr_assert_eq(json_array_size(json_object_get(r, "tasks")), 1);
    cr_assert_str_eq(str(json_array_get(json_object_get(r, "tasks"), 0), "title", NULL), "taxes");
    json_decref(r);

    /* pages of 3 by title, then the rest with the cursor */
    r = call("list_tasks", "{\"sort\": [\"title\"], \"limit\": 3}");
    cr_assert_eq(json_array_size(json_object_get(r, "tasks")), 3);
    const char *cursor = str(r, "next_cursor", NULL);
    cr_assert_not_null(cursor);
    char more[512];
    snprintf(more, sizeof more, "{\"sort\": \"title\", \"limit\": 3, \"cursor\": \"%s\"}", cursor);
    json_decref(r);
    r = call("list_tasks", more);
    cr_assert_eq(json_array_size(json_object_get(r, "tasks")), 1);
    cr_assert_str_eq(str(json_array_get(json_object_get(r, "tasks"), 0), "title", NULL), "taxes");
    json_decref(r);
}

Test(tools, list_tags_counts_the_users_tags)
{
    json_decref(call("add_task", "{\"title\": \"a\", \"tags\": [\"home\"]}"));
    json_decref(call("add_task", "{\"title\": \"b\", \"tags\": [\"home\", \"work\"]}"));
    json_decref(call_as("u2", "add_task", "{\"title\": \"c\", \"tags\": [\"secret\"]}", 0));
    json_t *r = call("list_tags", NULL);
    assert_matches_output("list_tags", r);
    json_t *tags = json_object_get(r, "tags");
    cr_assert_eq(json_array_size(tags), 2);
    cr_assert_str_eq(str(json_array_get(tags, 0), "name", NULL), "home");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(tags, 0), "count")), 2);
    json_decref(r);
}

Test(tools, another_users_id_is_forbidden_and_their_tasks_do_not_exist)
{
    int64_t id = add("mine");
    char args[96];
    snprintf(args, sizeof args, "{\"user_id\": \"u1\", \"task_id\": %lld}", (long long)id);
    json_t *e = call_as("u2", "delete_task", args, TODO_ERR_FORBIDDEN);
    cr_assert_str_eq(str(e, "error", "code"), "forbidden");
    json_decref(e);
    snprintf(args, sizeof args, "{\"task_id\": %lld}", (long long)id);
    static const char *const by_id[] = {"complete_task", "reopen_task", "delete_task",
                                        "update_task"};
    for (int i = 0; i < 4; i++)
        json_decref(call_as("u2", by_id[i], args, TODO_ERR_NOT_FOUND));
    json_decref(
        call_as("u2", "add_task", "{\"user_id\": \"u1\", \"title\": \"x\"}", TODO_ERR_FORBIDDEN));
    json_t *r = call_as("u2", "list_tasks", "{}", 0);
    cr_assert_eq(json_array_size(json_object_get(r, "tasks")), 0);
    json_decref(r);
    struct task t = get_task("u1", id);
    cr_assert_eq(t.version, 1, "unchanged");
    task_release(&t);
}

Test(tools, bad_arguments_are_422_naming_the_field_and_change_nothing)
{
    int64_t id = add("keep");
    static const struct {
        const char *tool, *args, *field;
    } cases[] = {
        {"add_task", "{\"title\": \"x\", \"colour\": \"red\"}", "colour"},
        {"add_task", "{\"title\": 5}", "title"},
        {"add_task", "{}", "title"},
        {"add_task", "{\"title\": \"x\", \"tags\": \"home\"}", "tags"},
        {"add_task", "{\"title\": \"x\", \"due_at\": \"tomorrow\"}", "due_at"},
        {"add_task", "{\"title\": \"x\", \"user_id\": 7}", "user_id"},
        {"update_task", "{\"task_id\": \"1\", \"title\": \"y\"}", "task_id"},
        {"update_task", "{\"task_id\": 1.5}", "task_id"},
        {"update_task", "{\"title\": \"y\"}", "task_id"},
        {"complete_task", "{\"task_id\": 0}", "task_id"},
        {"complete_task", "{\"task_id\": 1, \"completed\": false}", "completed"},
        {"delete_task", "{}", "task_id"},
        {"list_tasks", "{\"status\": \"maybe\"}", "status"},
        {"list_tasks", "{\"limit\": \"10\"}", "limit"},
        {"list_tasks", "{\"limit\": 1000}", "limit"},
        {"list_tasks", "{\"tags\": [1]}", "tags"},
        {"list_tags", "{\"q\": \"x\"}", "q"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *e = call_as("u1", cases[i].tool, cases[i].args, TODO_ERR_VALIDATION);
        cr_assert_str_eq(str(e, "error", "code"), "validation_failed");
        const char *field = err_field(e);
        cr_assert(field && strcmp(field, cases[i].field) == 0, "%s %s: field %s", cases[i].tool,
                  cases[i].args, field ? field : "(none)");
        json_decref(e);
    }
    json_t *notobj = json_array();
    struct todo_err err;
    todo_err_clear(&err);
    json_t *result = NULL;
    cr_assert_eq(app_tool_call(&app, "u1", "add_task", notobj, &result, &err), TODO_ERR_VALIDATION);
    json_decref(notobj);
    todo_err_clear(&err);
    cr_assert_eq(app_tool_call(&app, "u1", "nope", NULL, &result, &err), TODO_ERR_NOT_FOUND);
    cr_assert_null(result);
    json_t *r = call("list_tasks", "{}");
    cr_assert_eq(json_array_size(json_object_get(r, "tasks")), 1);
    json_decref(r);
    struct task t = get_task("u1", id);
    cr_assert_eq(t.version, 1);
    task_release(&t);
}
