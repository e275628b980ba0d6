/* test_mcp.c - the MCP protocol side (src/app/mcp.c) and its session ids (mcp_session.c) over
 * a real SQLite store: message kinds, version negotiation, tools/list, tools/call results and
 * isError results, JSON-RPC errors, batches only for 2025-03-26, and session ids that verify
 * per user, refuse tampering and stay ended once ended. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/mcp.h"

#include "../store/test_user.h"
#include "app_fixture.h"

static void setup(void)
{
    app_fixture_open("mcp");
    test_user_add(store, "u1", NULL);
    test_user_add(store, "u2", NULL);
}

static void teardown(void)
{
    app_fixture_close();
}

TestSuite(mcp, .init = setup, .fini = teardown);

/* Handles text (JSON) for u1 in a session of version; returns the reply (may be NULL). */
static json_t *handle(const char *version, const char *text, char negotiated[APP_MCP_VERSION_MAX])
{
    json_t *msg = json_loads(text, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(msg, "bad test JSON: %s", text);
    json_t *reply = app_mcp_handle(&app, "u1", version, msg, negotiated);
    json_decref(msg);
    return reply;
}

static json_int_t error_code(json_t *reply)
{
    return json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

Test(mcp, messages_are_classified_as_json_rpc_defines_them)
{
    static const struct {
        const char *text;
        enum app_mcp_kind kind;
    } cases[] = {
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", APP_MCP_REQUEST},
        {"{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\"}", APP_MCP_REQUEST},
        {"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", APP_MCP_NOTIFICATION},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", APP_MCP_RESPONSE},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1}}", APP_MCP_RESPONSE},
        {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", APP_MCP_BATCH},
        {"[]", APP_MCP_INVALID},
        {"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", APP_MCP_INVALID},
        {"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", APP_MCP_INVALID},
        {"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", APP_MCP_INVALID},
        {"{\"id\":1,\"method\":\"ping\"}", APP_MCP_INVALID},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", APP_MCP_INVALID},
        {"{\"jsonrpc\":\"2.0\",\"id\":1}", APP_MCP_INVALID},
        {"\"ping\"", APP_MCP_INVALID},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *m = json_loads(cases[i].text, JSON_DECODE_ANY, NULL);
        cr_assert_eq(app_mcp_kind(m), cases[i].kind, "%s", cases[i].text);
        json_decref(m);
    }
}

Test(mcp, initialize_answers_the_clients_version_when_supported_else_the_newest)
{
    static const char *const asked[][2] = {{"2025-03-26", "2025-03-26"},
                                           {"2025-06-18", "2025-06-18"},
                                           {"2025-11-25", "2025-06-18"},
                                           {"1.0", "2025-06-18"}};
    for (size_t i = 0; i < 4; i++) {
        char text[256], agreed[APP_MCP_VERSION_MAX];
        snprintf(text, sizeof text,
                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                 "{\"protocolVersion\":\"%s\",\"capabilities\":{}}}",
                 asked[i][0]);
        json_t *r = handle(NULL, text, agreed);
        json_t *result = json_object_get(r, "result");
        cr_assert_str_eq(json_string_value(json_object_get(result, "protocolVersion")),
                         asked[i][1]);
        cr_assert_str_eq(agreed, asked[i][1]);
        json_t *tools = json_object_get(json_object_get(result, "capabilities"), "tools");
        cr_assert(json_is_false(json_object_get(tools, "listChanged")));
        json_decref(r);
    }
    char agreed[APP_MCP_VERSION_MAX];
    json_t *r = handle(NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}", agreed);
    cr_assert_eq(error_code(r), APP_MCP_INVALID_PARAMS);
    cr_assert_str_eq(agreed, "", "nothing agreed");
    json_decref(r);
}

Test(mcp, tools_list_carries_schemas_and_annotations)
{
    json_t *r =
        handle("2025-06-18", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", NULL);
    json_t *tools = json_object_get(json_object_get(r, "result"), "tools");
    cr_assert_eq(json_array_size(tools), 7);
    json_t *del = json_array_get(tools, 4);
    cr_assert_str_eq(json_string_value(json_object_get(del, "name")), "delete_task");
    json_t *ann = json_object_get(del, "annotations");
    cr_assert(json_is_true(json_object_get(ann, "destructiveHint")));
    cr_assert(json_is_false(json_object_get(ann, "readOnlyHint")));
    cr_assert(json_is_object(json_object_get(del, "inputSchema")));
    cr_assert(json_is_object(json_object_get(del, "outputSchema")));
    json_decref(r);
}

Test(mcp, tools_call_answers_structured_content_or_an_is_error_result)
{
    json_t *r =
        handle("2025-06-18",
               "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
               "\"add_task\",\"arguments\":{\"title\":\"Buy milk\"}}}",
               NULL);
    json_t *result = json_object_get(r, "result");
    cr_assert(json_is_false(json_object_get(result, "isError")));
    json_t *sc = json_object_get(result, "structuredContent");
    cr_assert_str_eq(json_string_value(json_object_get(sc, "status")), "created");
    const char *text = json_string_value(
        json_object_get(json_array_get(json_object_get(result, "content"), 0), "text"));
    json_t *parsed = json_loads(text, 0, NULL);
    cr_assert(json_equal(parsed, sc), "the text is the same JSON");
    json_decref(parsed);
    json_decref(r);

    r = handle("2025-06-18",
               "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":"
               "\"complete_task\",\"arguments\":{\"task_id\":999}}}",
               NULL);
    result = json_object_get(r, "result");
    cr_assert(json_is_true(json_object_get(result, "isError")));
    cr_assert_null(json_object_get(result, "structuredContent"));
    text = json_string_value(
        json_object_get(json_array_get(json_object_get(result, "content"), 0), "text"));
    cr_assert_not_null(strstr(text, "not_found"), "%s", text);
    json_decref(r);
}

Test(mcp, protocol_errors_are_json_rpc_errors)
{
    static const struct {
        const char *text;
        json_int_t code;
    } cases[] = {
        {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"prompts/list\"}", APP_MCP_METHOD_NOT_FOUND},
        {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}",
         APP_MCP_INVALID_PARAMS},
        {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{}}",
         APP_MCP_INVALID_PARAMS},
        {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":"
         "\"list_tags\",\"arguments\":\"x\"}}",
         APP_MCP_INVALID_PARAMS},
        {"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":[1]}",
         APP_MCP_INVALID_PARAMS},
        {"{\"jsonrpc\":\"2.0\",\"id\":5}", APP_MCP_INVALID_REQUEST},
        {"[{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}]", APP_MCP_INVALID_REQUEST},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *r = handle("2025-06-18", cases[i].text, NULL);
        cr_assert_eq(error_code(r), cases[i].code, "%s", cases[i].text);
        json_decref(r);
    }
    cr_assert_null(
        handle("2025-06-18", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}", NULL));
    cr_assert_null(handle("2025-06-18", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", NULL));
}

Test(mcp, a_2025_03_26_session_answers_batches_without_notifications)
{
    json_t *r =
        handle("2025-03-26",
               "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\","
               "\"method\":\"notifications/initialized\"},{\"jsonrpc\":\"2.0\",\"id\":2,"
               "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}}]",
               NULL);
    cr_assert_eq(json_array_size(r), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(r, 0), "id")), 1);
    cr_assert_eq(error_code(json_array_get(r, 1)), APP_MCP_INVALID_REQUEST, "initialize alone");
    json_decref(r);
    cr_assert_null(handle(
        "2025-03-26", "[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]", NULL));
}

Test(mcp, session_ids_verify_per_user_refuse_tampering_and_stay_ended)
{
    char id[APP_MCP_SESSION_MAX], version[APP_MCP_VERSION_MAX];
    app_mcp_session_issue(&app, "u1", "2025-03-26", id);
    for (const char *p = id; *p; p++)
        cr_assert(*p >= 0x21 && *p <= 0x7e, "visible ASCII");
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_mcp_session_check(&app, id, "u1", version, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(version, "2025-03-26");
    cr_assert_eq(app_mcp_session_check(&app, id, "u2", version, &err), TODO_ERR_NOT_FOUND);

    char forged[APP_MCP_SESSION_MAX];
    snprintf(forged, sizeof forged, "%s", id);
    forged[5] = forged[5] == 'A' ? 'B' : 'A'; /* a payload byte */
    cr_assert_eq(app_mcp_session_check(&app, forged, "u1", version, &err), TODO_ERR_NOT_FOUND);
    cr_assert_eq(app_mcp_session_check(&app, "m1.", "u1", version, &err), TODO_ERR_NOT_FOUND);
    cr_assert_eq(app_mcp_session_check(&app, "", "u1", version, &err), TODO_ERR_NOT_FOUND);

    /* a key other than ours (another deployment's JWT secret) */
    struct app other;
    static const unsigned char other_secret[] = "fedcba9876543210fedcba9876543210";
    struct app_config cfg = {.jwt_secret = other_secret, .jwt_secret_len = 32};
    app_init(&other, store, &cfg);
    cr_assert_eq(app_mcp_session_check(&other, id, "u1", version, &err), TODO_ERR_NOT_FOUND);
    app_release(&other);

    cr_assert_eq(app_mcp_session_end(&app, id, "u2", &err), TODO_ERR_NOT_FOUND);
    cr_assert_eq(app_mcp_session_end(&app, id, "u1", &err), TODO_OK);
    cr_assert_eq(app_mcp_session_check(&app, id, "u1", version, &err), TODO_ERR_NOT_FOUND);
    cr_assert_eq(app_mcp_session_end(&app, id, "u1", &err), TODO_ERR_NOT_FOUND);

    /* a fresh app over the same store (another replica) reads the ended session */
    struct app replica;
    struct app_config rcfg = {.jwt_secret = secret, .jwt_secret_len = 32};
    app_init(&replica, store, &rcfg);
    cr_assert_eq(app_mcp_session_check(&replica, id, "u1", version, &err), TODO_OK,
                 "before its refresh it has not heard");
    cr_assert_eq(app_sessions_refresh(&replica), TODO_OK);
    cr_assert_eq(app_mcp_session_check(&replica, id, "u1", version, &err), TODO_ERR_NOT_FOUND);
    app_release(&replica);
}
