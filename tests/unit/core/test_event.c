/* Unit tests for task events: classification and the data of task-events and task-updates. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"

static void make_task(struct task *t)
{
    task_init(t);
    t->id = 7;
    snprintf(t->user_id, sizeof t->user_id, "u1");
    t->title = strdup("Water the plants");
    t->description = strdup("");
    t->created_at = t->updated_at = 1764000000000;
    t->version = 1;
}

Test(task_event, classify_maps_each_change_to_its_type)
{
    struct task a, b;
    make_task(&a);
    make_task(&b);
    cr_assert_eq(task_event_classify(NULL, &a), TASK_EVENT_CREATED);
    cr_assert_eq(task_event_classify(&a, NULL), TASK_EVENT_DELETED);
    cr_assert_eq(task_event_classify(&a, &b), TASK_EVENT_UPDATED);
    b.completed = true;
    cr_assert_eq(task_event_classify(&a, &b), TASK_EVENT_COMPLETED);
    cr_assert_eq(task_event_classify(&b, &a), TASK_EVENT_REOPENED);
    cr_assert_eq(task_event_type_parse("todo.task.reopened"), TASK_EVENT_REOPENED);
    cr_assert_eq(task_event_type_parse("todo.task.exploded"), -1);
    task_release(&a);
    task_release(&b);
}

Test(task_event, data_keeps_the_contract_fields_and_lists_only_what_changed)
{
    struct task a, b;
    make_task(&a);
    make_task(&b);
    free(b.title);
    b.title = strdup("Water the orchids");
    b.priority = PRIORITY_HIGH;
    b.version = 2;
    struct buf out;
    buf_init(&out);
    task_event_data_write(&out, TASK_EVENT_UPDATED, &a, &b, 1764000001000);
    json_t *j = json_loads(out.data, 0, NULL);
    cr_assert_not_null(j, "valid JSON: %s", out.data);
    cr_assert_str_eq(json_string_value(json_object_get(j, "event_type")), "updated");
    cr_assert_eq(json_integer_value(json_object_get(j, "task_id")), 7);
    cr_assert_str_eq(json_string_value(json_object_get(j, "user_id")), "u1");
    cr_assert_str_eq(json_string_value(json_object_get(j, "timestamp")), "2025-11-24T16:00:01Z");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "task_data"), "title")),
                     "Water the orchids");
    json_t *changes = json_object_get(j, "changes");
    cr_assert_eq(json_object_size(changes), 2, "title and priority only: %s", out.data);
    json_t *title = json_object_get(changes, "title");
    cr_assert_str_eq(json_string_value(json_object_get(title, "before")), "Water the plants");
    cr_assert_str_eq(json_string_value(json_object_get(title, "after")), "Water the orchids");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(changes, "priority"), "after")), "high");
    json_decref(j);
    buf_release(&out);
    task_release(&a);
    task_release(&b);
}

Test(task_event, deleted_data_carries_the_task_as_it_was)
{
    struct task a;
    make_task(&a);
    struct buf out;
    buf_init(&out);
    task_event_data_write(&out, TASK_EVENT_DELETED, &a, NULL, 1764000001000);
    json_t *j = json_loads(out.data, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "task_data"), "id")), 7);
    json_t *title = json_object_get(json_object_get(j, "changes"), "title");
    cr_assert(json_is_null(json_object_get(title, "after")));
    json_decref(j);
    buf_reset(&out);
    task_changed_data_write(&out, TASK_EVENT_REOPENED, &a, &a);
    j = json_loads(out.data, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(j, "type")), "task.changed");
    cr_assert_str_eq(json_string_value(json_object_get(j, "op")), "updated");
    json_decref(j);
    buf_release(&out);
    task_release(&a);
}

/* The consumers' reader of a task event's subject: what task_event_data_write wrote comes
 * back; a missing or mistyped field, or a user id that does not fit, is 400. */
Test(task_event, ref_reads_back_the_task_and_user_of_the_data_and_refuses_the_rest)
{
    struct task t;
    make_task(&t);
    struct buf b;
    buf_init(&b);
    task_event_data_write(&b, TASK_EVENT_CREATED, NULL, &t, 1764000000000);
    json_t *data = json_loads(b.data, 0, NULL);
    cr_assert_not_null(data);
    struct task_event_ref ref;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(task_event_ref_read(data, &ref, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(ref.task_id, 7);
    cr_assert_str_eq(ref.user_id, "u1");
    json_decref(data);
    buf_release(&b);
    task_release(&t);

    char long_id[TASK_USER_ID_MAX + 1];
    memset(long_id, 'u', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    json_t *bad[] = {
        json_pack("{s:s}", "user_id", "u1"),
        json_pack("{s:I}", "task_id", (json_int_t)7),
        json_pack("{s:s, s:s}", "user_id", "u1", "task_id", "7"),
        json_pack("{s:i, s:I}", "user_id", 1, "task_id", (json_int_t)7),
        json_pack("{s:s, s:I}", "user_id", long_id, "task_id", (json_int_t)7),
        json_array(),
        NULL,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        todo_err_clear(&err);
        cr_assert_eq(task_event_ref_read(bad[i], &ref, &err), TODO_ERR_BAD_REQUEST, "case %zu", i);
        cr_assert_str_eq(err.message, "event data lacks task_id or user_id");
        json_decref(bad[i]);
    }
}
