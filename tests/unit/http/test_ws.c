/* Unit tests of the WebSocket handshake helpers (src/http/ws.c): the accept key of RFC 6455
 * section 4.2.2, the header token lists and the offered subprotocols. The framing itself is
 * libwslay's and is exercised end to end by tests/blackbox/realtime.test.mjs. */
#include <criterion/criterion.h>

#include "http/ws.c" /* the static helpers */

Test(ws, accept_key_matches_the_rfc_example)
{
    char out[29];
    cr_assert_eq(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
    cr_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

Test(ws, accept_key_refuses_anything_but_16_bytes_of_base64)
{
    char out[29];
    cr_assert_eq(ws_accept_key(NULL, out), -1);
    cr_assert_eq(ws_accept_key("", out), -1);
    cr_assert_eq(ws_accept_key("c2hvcnQ=", out), -1);                     /* 5 bytes */
    cr_assert_eq(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=!", out), -1);     /* not base64 */
    cr_assert_eq(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ== ", out), -1);    /* trailing space */
    cr_assert_eq(ws_accept_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAA", out), -1); /* 21 bytes */
}

Test(ws, header_lists_finds_tokens_case_insensitively)
{
    cr_assert(header_lists("Upgrade", "upgrade"));
    cr_assert(header_lists("keep-alive, Upgrade", "upgrade"));
    cr_assert(header_lists(" keep-alive ,\tUPGRADE\t", "upgrade"));
    cr_assert_not(header_lists("upgraded", "upgrade"));
    cr_assert_not(header_lists("keep-alive", "upgrade"));
    cr_assert_not(header_lists("", "upgrade"));
    cr_assert_not(header_lists(",,,", "upgrade"));
}

Test(ws, subprotocols_give_todo_and_the_bearer_token)
{
    bool todo;
    char token[64];
    read_subprotocols("todo, bearer.abc.def-ghi_jkl", &todo, token, sizeof token);
    cr_assert(todo);
    cr_assert_str_eq(token, "abc.def-ghi_jkl");
    read_subprotocols("bearer.x,todo", &todo, token, sizeof token);
    cr_assert(todo);
    cr_assert_str_eq(token, "x");
    read_subprotocols("chat", &todo, token, sizeof token);
    cr_assert_not(todo);
    cr_assert_str_eq(token, "");
    read_subprotocols("todos, bearer.", &todo, token, sizeof token);
    cr_assert_not(todo);
    cr_assert_str_eq(token, "");
}

Test(ws, a_token_longer_than_the_buffer_is_not_taken)
{
    bool todo;
    char token[8];
    read_subprotocols("todo, bearer.0123456789", &todo, token, sizeof token);
    cr_assert(todo);
    cr_assert_str_eq(token, "");
}
