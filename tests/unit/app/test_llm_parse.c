/* Unit tests for the model's replies read from bytes (src/app/llm_parse.c): whole replies,
 * streamed ones fed in every split, parallel tool calls, malformed and oversize input; and
 * the system prompt's local date and time (src/app/llm_prompt.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/llm_internal.h"
#include "app/llm_parse.h"
#include "base/buf.h"

static const char *call_field(const struct llm_reply *r, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(r->tool_calls, i), key));
}

Test(llm_reply, content_only_reply_gives_the_text_and_no_tool_calls)
{
    const char *body = "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                       "\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"stop\"}]}";
    struct llm_reply r = {0};
    struct todo_err err = {0};
    cr_assert_eq(llm_reply_parse(body, strlen(body), &r, &err), 0, "%s", err.message);
    cr_assert_str_eq(r.content, "Hello");
    cr_assert_eq(json_array_size(r.tool_calls), 0);
    cr_assert_str_eq(r.finish_reason, "stop");
    llm_reply_release(&r);
}

Test(llm_reply, parallel_tool_calls_keep_their_order_ids_and_raw_arguments)
{
    const char *body =
        "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
        "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"add_task\","
        "\"arguments\":\"{\\\"title\\\":\\\"A\\\"}\"}},"
        "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"list_tags\","
        "\"arguments\":{\"x\":1}}}]},\"finish_reason\":\"tool_calls\"}]}";
    struct llm_reply r = {0};
    struct todo_err err = {0};
    cr_assert_eq(llm_reply_parse(body, strlen(body), &r, &err), 0, "%s", err.message);
    cr_assert_null(r.content);
    cr_assert_eq(json_array_size(r.tool_calls), 2);
    cr_assert_str_eq(call_field(&r, 0, "id"), "call_1");
    cr_assert_str_eq(call_field(&r, 0, "name"), "add_task");
    cr_assert_str_eq(call_field(&r, 0, "arguments"), "{\"title\":\"A\"}");
    cr_assert_str_eq(call_field(&r, 1, "name"), "list_tags");
    cr_assert_str_eq(call_field(&r, 1, "arguments"), "{\"x\":1}", "an object kept as its text");
    llm_reply_release(&r);
}

Test(llm_reply, a_call_without_id_or_arguments_is_kept_with_empty_strings)
{
    const char *body = "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{\"name\":"
                       "\"list_tags\"}}]}}]}";
    struct llm_reply r = {0};
    struct todo_err err = {0};
    cr_assert_eq(llm_reply_parse(body, strlen(body), &r, &err), 0, "%s", err.message);
    cr_assert_str_eq(call_field(&r, 0, "id"), "");
    cr_assert_str_eq(call_field(&r, 0, "arguments"), "");
    llm_reply_release(&r);
}

Test(llm_reply, malformed_replies_are_refused_and_leave_the_output_alone)
{
    const char *bad[] = {
        "",
        "not json",
        "[1,2]",
        "{\"choices\":[]}",
        "{\"choices\":[{\"message\":\"hi\"}]}",
        "{\"choices\":[{\"message\":{\"content\":42}}]}",
        "{\"choices\":[{\"message\":{\"tool_calls\":{}}}]}",
        "{\"choices\":[{\"message\":{\"tool_calls\":[7]}}]}",
        "{\"error\":{\"message\":\"model overloaded\"}}",
        "{\"choices\":[{\"message\":{\"content\":\"x\"}}]", /* cut short */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct llm_reply r = {.finish_reason = "untouched"};
        struct todo_err err = {0};
        cr_assert_eq(llm_reply_parse(bad[i], strlen(bad[i]), &r, &err), TODO_ERR_BAD_REQUEST,
                     "case %zu", i);
        cr_assert_str_eq(r.finish_reason, "untouched", "case %zu", i);
        cr_assert_null(r.tool_calls);
        cr_assert_gt(strlen(err.message), 0);
    }
}

Test(llm_reply, oversize_replies_and_arguments_are_refused)
{
    struct llm_reply r = {0};
    struct todo_err err = {0};
    char *big = malloc(LLM_REPLY_MAX + 2);
    memset(big, ' ', LLM_REPLY_MAX + 1);
    big[LLM_REPLY_MAX + 1] = '\0';
    cr_assert_eq(llm_reply_parse(big, LLM_REPLY_MAX + 1, &r, &err), TODO_ERR_TOO_LARGE);
    free(big);

    struct buf b;
    buf_init(&b);
    buf_puts(&b, "{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"c\",\"function\":"
                 "{\"name\":\"add_task\",\"arguments\":\"");
    for (int i = 0; i <= LLM_ARGS_MAX; i++)
        buf_putc(&b, 'a');
    buf_puts(&b, "\"}}]}}]}");
    cr_assert_eq(llm_reply_parse(b.data, b.len, &r, &err), TODO_ERR_TOO_LARGE);

    buf_reset(&b);
    buf_puts(&b, "{\"choices\":[{\"message\":{\"tool_calls\":[");
    for (int i = 0; i <= LLM_TOOL_CALLS_MAX; i++)
        buf_printf(&b, "%s{\"id\":\"c%d\",\"function\":{\"name\":\"list_tags\"}}", i ? "," : "", i);
    buf_puts(&b, "]}}]}");
    cr_assert_eq(llm_reply_parse(b.data, b.len, &r, &err), TODO_ERR_TOO_LARGE);
    buf_release(&b);
}

/* ------------------------------------------------------------------------- streaming */

/* A stream of content deltas, two parallel tool calls whose arguments arrive in pieces, a
 * keep-alive comment, CRLF line ends, a usage-only chunk, then [DONE]. */
static const char stream[] =
    ": keep-alive\r\n\r\n"
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Ad\"}}]}\r\n\r\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ding \\u00e9\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\","
    "\"type\":\"function\",\"function\":{\"name\":\"add_task\",\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\","
    "\"type\":\"function\",\"function\":{\"name\":\"add_task\",\"arguments\":\"{\\\"title\\\"\"}}]}"
    "}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
    "{\"arguments\":\"{\\\"title\\\":\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
    "{\"arguments\":\"\\\"Milk\\\"}\"}},{\"index\":1,\"function\":{\"arguments\":\":\\\"Eggs\\\"}"
    "\"}}]}}]}\r"
    "\r"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"total_tokens\":9}}\n\n"
    "data: [DONE]\n\n";

static void check_stream_reply(const struct llm_reply *r, const char *how)
{
    cr_assert_str_eq(r->content, "Adding \xc3\xa9", "%s", how);
    cr_assert_eq(json_array_size(r->tool_calls), 2, "%s", how);
    cr_assert_str_eq(call_field(r, 0, "id"), "call_a", "%s", how);
    cr_assert_str_eq(call_field(r, 0, "name"), "add_task", "%s", how);
    cr_assert_str_eq(call_field(r, 0, "arguments"), "{\"title\":\"Milk\"}", "%s", how);
    cr_assert_str_eq(call_field(r, 1, "id"), "call_b", "%s", how);
    cr_assert_str_eq(call_field(r, 1, "arguments"), "{\"title\":\"Eggs\"}", "%s", how);
    cr_assert_str_eq(r->finish_reason, "tool_calls", "%s", how);
}

static int feed_in_pieces(const char *text, size_t len, size_t piece, struct llm_reply *out,
                          struct todo_err *err)
{
    struct llm_sse *s = llm_sse_create();
    int rc = 0;
    for (size_t at = 0; at < len && !rc; at += piece)
        rc = llm_sse_feed(s, text + at, len - at < piece ? len - at : piece, err);
    if (!rc)
        rc = llm_sse_finish(s, out, err);
    llm_sse_destroy(s);
    return rc;
}

Test(llm_sse, a_stream_fed_whole_assembles_content_and_parallel_calls)
{
    struct llm_reply r = {0};
    struct todo_err err = {0};
    cr_assert_eq(feed_in_pieces(stream, strlen(stream), strlen(stream), &r, &err), 0, "%s",
                 err.message);
    check_stream_reply(&r, "whole");
    llm_reply_release(&r);
}

Test(llm_sse, the_same_reply_comes_out_whatever_the_piece_size)
{
    for (size_t piece = 1; piece <= 97; piece++) {
        struct llm_reply r = {0};
        struct todo_err err = {0};
        cr_assert_eq(feed_in_pieces(stream, strlen(stream), piece, &r, &err), 0, "piece %zu: %s",
                     piece, err.message);
        char how[32];
        snprintf(how, sizeof how, "piece %zu", piece);
        check_stream_reply(&r, how);
        llm_reply_release(&r);
    }
}

Test(llm_sse, every_single_split_point_gives_the_same_reply)
{
    size_t len = strlen(stream);
    for (size_t cut = 0; cut <= len; cut++) {
        struct llm_sse *s = llm_sse_create();
        struct todo_err err = {0};
        struct llm_reply r = {0};
        cr_assert_eq(llm_sse_feed(s, stream, cut, &err), 0, "cut %zu", cut);
        cr_assert_eq(llm_sse_feed(s, stream + cut, len - cut, &err), 0, "cut %zu", cut);
        cr_assert(llm_sse_done(s));
        cr_assert_eq(llm_sse_finish(s, &r, &err), 0, "cut %zu: %s", cut, err.message);
        check_stream_reply(&r, "split");
        llm_reply_release(&r);
        llm_sse_destroy(s);
    }
}

Test(llm_sse, a_stream_without_done_or_final_blank_line_still_ends)
{
    const char *text = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}";
    struct llm_reply r = {0};
    struct todo_err err = {0};
    cr_assert_eq(feed_in_pieces(text, strlen(text), 5, &r, &err), 0, "%s", err.message);
    cr_assert_str_eq(r.content, "Hi");
    cr_assert_eq(json_array_size(r.tool_calls), 0);
    llm_reply_release(&r);
}

Test(llm_sse, data_after_done_is_ignored_and_a_repeated_name_is_not_doubled)
{
    const char *text =
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\","
        "\"function\":{\"name\":\"list_tags\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
        "\"function\":{\"name\":\"list_tags\",\"arguments\":\"{}\"}}]}}]}\n\n"
        "data: [DONE]\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n";
    struct llm_reply r = {0};
    struct todo_err err = {0};
    cr_assert_eq(feed_in_pieces(text, strlen(text), 7, &r, &err), 0, "%s", err.message);
    cr_assert_null(r.content);
    cr_assert_str_eq(call_field(&r, 0, "name"), "list_tags");
    cr_assert_str_eq(call_field(&r, 0, "arguments"), "{}");
    llm_reply_release(&r);
}

Test(llm_sse, malformed_streams_fail_and_stay_failed)
{
    const char *bad[] = {
        "data: {not json}\n\n",
        "data: [1]\n\n",
        "data: {\"error\":{\"message\":\"overloaded\"}}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":{}}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":99}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-1}]}}]}\n\n",
        "", /* no chunk at all */
        ": only a comment\n\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct llm_sse *s = llm_sse_create();
        struct todo_err err = {0};
        struct llm_reply r = {0};
        int rc = llm_sse_feed(s, bad[i], strlen(bad[i]), &err);
        if (rc) {
            cr_assert_neq(llm_sse_feed(s, "data: [DONE]\n\n", 14, &err), 0, "sticky %zu", i);
        }
        cr_assert_neq(llm_sse_finish(s, &r, &err), 0, "case %zu", i);
        cr_assert_null(r.tool_calls, "case %zu", i);
        cr_assert_gt(strlen(err.message), 0);
        llm_sse_destroy(s);
    }
}

Test(llm_sse, oversize_streams_and_arguments_are_refused)
{
    struct llm_sse *s = llm_sse_create();
    struct todo_err err = {0};
    char *chunk = malloc(64 * 1024);
    memset(chunk, ':', 64 * 1024); /* one long comment line */
    int rc = 0;
    for (int i = 0; i < 17 && !rc; i++)
        rc = llm_sse_feed(s, chunk, 64 * 1024, &err);
    cr_assert_eq(rc, TODO_ERR_TOO_LARGE);
    free(chunk);
    llm_sse_destroy(s);

    s = llm_sse_create();
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\","
                 "\"function\":{\"name\":\"add_task\",\"arguments\":\"");
    for (int i = 0; i < 40000; i++)
        buf_putc(&b, 'a');
    buf_puts(&b, "\"}}]}}]}\n\n");
    cr_assert_eq(llm_sse_feed(s, b.data, b.len, &err), 0);
    cr_assert_eq(llm_sse_feed(s, b.data, b.len, &err), TODO_ERR_TOO_LARGE, "80,000 bytes");
    buf_release(&b);
    llm_sse_destroy(s);
}

/* --------------------------------------------------------------------------- the prompt */

Test(llm_prompt, the_system_prompt_carries_the_local_date_weekday_time_and_zone)
{
    struct assistant_turn t = {.tz = "America/New_York", .message = "hi"};
    t.now_ms = 1796551200000LL; /* 2026-12-06T10:00:00Z: Sunday 05:00 in New York */
    char *p = llm_system_prompt(&t);
    cr_assert(strstr(p, "Sunday 2026-12-06, 05:00"), "%s", p);
    cr_assert(strstr(p, "America/New_York (UTC-05:00)"), "%s", p);
    cr_assert(strstr(p, "Never invent a task id"), "%s", p);
    free(p);
    t.tz = "Asia/Kolkata";
    p = llm_system_prompt(&t);
    cr_assert(strstr(p, "Sunday 2026-12-06, 15:30"), "%s", p);
    cr_assert(strstr(p, "(UTC+05:30)"), "%s", p);
    free(p);
}

Test(llm_prompt, history_is_replayed_with_its_tool_calls_answered_in_order)
{
    json_error_t jerr;
    json_t *history = json_loads(
        "[{\"role\":\"user\",\"content\":\"add milk\"},"
        " {\"role\":\"assistant\",\"content\":\"Added "
        "Milk\",\"tool_calls\":[{\"tool\":\"add_task\","
        "  "
        "\"arguments\":{\"title\":\"Milk\"},\"result\":{\"task_id\":7,\"status\":\"created\"}}]}]",
        0, &jerr);
    cr_assert_not_null(history);
    struct assistant_turn t = {.tz = "UTC", .now_ms = 0, .history = history, .message = "now?"};
    json_t *m = llm_messages_build(&t);
    cr_assert_eq(json_array_size(m), 6); /* system, user, assistant+calls, tool, assistant, user */
    const char *roles[] = {"system", "user", "assistant", "tool", "assistant", "user"};
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(m, i), "role")),
                         roles[i]);
    json_t *call = json_array_get(json_object_get(json_array_get(m, 2), "tool_calls"), 0);
    json_t *answer = json_array_get(m, 3);
    cr_assert_str_eq(json_string_value(json_object_get(call, "id")),
                     json_string_value(json_object_get(answer, "tool_call_id")));
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(call, "function"), "arguments")),
        "{\"title\":\"Milk\"}");
    cr_assert_str_eq(json_string_value(json_object_get(answer, "content")),
                     "{\"task_id\":7,\"status\":\"created\"}");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(m, 5), "content")), "now?");
    json_decref(m);
    json_decref(history);
}
