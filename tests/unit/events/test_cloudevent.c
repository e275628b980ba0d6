/* Unit tests for CloudEvents JSON and traceparent handling. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/cloudevent.h"

Test(cloudevent, written_event_parses_back_with_every_attribute)
{
    struct cloudevent ce = {0};
    snprintf(ce.id, sizeof ce.id, "01890a5d-ac96-774b-bcce-b302099a8057");
    snprintf(ce.source, sizeof ce.source, "/todo/api");
    snprintf(ce.type, sizeof ce.type, "todo.task.created");
    snprintf(ce.subject, sizeof ce.subject, "42");
    ce.time = 1764000000123;
    traceparent_child(NULL, ce.traceparent);
    snprintf(ce.partition_key, sizeof ce.partition_key, "user-1");
    ce.data = strdup("{\"task_id\":42,\"title\":\"a \\\"quoted\\\" title\"}");
    struct buf b;
    buf_init(&b);
    cloudevent_write(&b, &ce);
    struct cloudevent back;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(cloudevent_parse(b.data, b.len, &back, &err), 0, "%s", err.message);
    cr_assert_str_eq(back.id, ce.id);
    cr_assert_str_eq(back.source, "/todo/api");
    cr_assert_str_eq(back.type, "todo.task.created");
    cr_assert_str_eq(back.subject, "42");
    cr_assert_eq(back.time, ce.time);
    cr_assert_str_eq(back.traceparent, ce.traceparent);
    cr_assert_str_eq(back.partition_key, "user-1");
    cr_assert_str_eq(back.data, ce.data);
    cr_assert_not_null(strstr(b.data, "\"specversion\":\"1.0\""));
    cr_assert_not_null(strstr(b.data, "\"datacontenttype\":\"application/json\""));
    cloudevent_release(&back);
    cloudevent_release(&ce);
    buf_release(&b);
}

/* A handler reads "data" as a tree: the one cloudevent_parse kept, or the text parsed for an
 * event built by hand; both the same object (docs/decisions/0028-write-path-and-memory.md). */
Test(cloudevent, data_is_the_same_tree_parsed_or_built)
{
    const char *text = "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/todo/api\","
                       "\"type\":\"todo.task.created\",\"data\":{\"task_id\":7,\"user_id\":\"u\"}}";
    struct cloudevent parsed;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(cloudevent_parse(text, strlen(text), &parsed, &err), 0, "%s", err.message);
    struct cloudevent built = {0};
    built.data = strdup(parsed.data);
    json_t *a = cloudevent_data(&parsed);
    json_t *b = cloudevent_data(&built);
    cr_assert(json_is_object(a) && json_is_object(b));
    cr_assert(json_equal(a, b));
    cr_assert_eq(json_integer_value(json_object_get(a, "task_id")), 7);
    json_decref(a);
    json_decref(b);
    cloudevent_release(&parsed); /* the handler's reference outlives nothing: no leak (ASan) */
    cloudevent_release(&built);
}

Test(cloudevent, invalid_events_are_refused_with_a_reason)
{
    const char *bad[] = {
        "not json",
        "[]",
        "{\"specversion\":\"0.3\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\"}",
        "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\"}",
        "{\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"s\",\"type\":\"t\"}",
        "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":5}",
        "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\",\"time\":"
        "\"yesterday\"}",
        "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\",\"traceparent\":"
        "\"00-x\"}",
        "{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"s\",\"type\":\"t\",\"data\":[1]}",
        "{\"specversion\":\"1.0\",\"id\":\"a\",\"id\":\"b\",\"source\":\"s\",\"type\":\"t\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cloudevent ce;
        struct todo_err err;
        todo_err_clear(&err);
        cr_assert_eq(cloudevent_parse(bad[i], strlen(bad[i]), &ce, &err), TODO_ERR_BAD_REQUEST,
                     "accepted %s", bad[i]);
        cr_assert_neq(err.message[0], '\0');
    }
}

Test(traceparent, child_keeps_the_trace_and_makes_a_new_span)
{
    const char *in = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    char out[CE_TRACEPARENT_LEN + 1], trace[33];
    traceparent_child(in, out);
    cr_assert_eq(strncmp(out, in, 36), 0, "trace id kept: %s", out);
    cr_assert_neq(strcmp(out + 36, in + 36), 0, "span id changed");
    traceparent_trace_id(out, trace);
    cr_assert_str_eq(trace, "4bf92f3577b34da6a3ce929d0e0e4736");
}

Test(traceparent, invalid_input_starts_a_new_trace)
{
    const char *bad[] = {NULL, "", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                         "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                         "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[CE_TRACEPARENT_LEN + 1], trace[33];
        traceparent_child(bad[i], out);
        traceparent_trace_id(out, trace);
        cr_assert_eq(strlen(trace), 32, "a valid new trace for input %zu", i);
        if (bad[i] && strlen(bad[i]) > 35)
            cr_assert_neq(strncmp(out + 3, bad[i] + 3, 32), 0);
    }
}
