/* test_web_proxy.c - the web front door's forwarding rules (src/services/web/web_proxy.c):
 * which paths go to the api, which paths are refused because a server could read them
 * another way (climbing out of the invoke API to the sidecar's secrets), and which request
 * and answer headers pass. */
#include <criterion/criterion.h>
#include <string.h>

#include "services/web/web_proxy.h"

Test(web_proxy, only_the_api_and_mcp_are_forwarded)
{
    const char *yes[] = {"/api", "/api/", "/api/auth/login", "/api/u1/tasks/t1", "/mcp"};
    const char *no[] = {
        "/",        "/index.html",     "/apix",          "/ap", "/mcp/x", "/mcpx", "/ws",
        "/healthz", "/dapr/subscribe", "/API/auth/login"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(web_proxy_forwards(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(web_proxy_forwards(no[i]), "%s", no[i]);
}

Test(web_proxy, paths_that_could_climb_out_of_the_invoke_api_are_refused)
{
    const char *bad[] = {"/api/..",       "/api/../v1.0/secrets/kubernetes/todo-secrets",
                         "/api/./x",      "/api/%2e%2e/v1.0/secrets",
                         "/api/%2E./x",   "/api/x%2fy",
                         "/api/x%2F..",   "/api/x%5c..",
                         "/api/x\\..\\y", "/api//x",
                         "/api/a b",      "/api/\x01",
                         "api/x",         "/api/\xc3\xa9",
                         "/api/x%00y",    "/api/x%",
                         "/api/x%2",      "/api/x%zz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(web_proxy_path_ok(bad[i], ""), "%s", bad[i]);
    cr_assert_not(web_proxy_path_ok("/api/x", "a=b c"));
    cr_assert_not(web_proxy_path_ok("/api/x", "a=b#frag"));
    const char *good[] = {"/api/auth/login", "/api/u1/tasks/0190a1b2-c3d4",
                          "/api/x/...",      "/api/x.y/z..",
                          "/api/caf%C3%A9",  "/mcp"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert(web_proxy_path_ok(good[i], "q=tag%3Awork&sort=-due_at"), "%s", good[i]);
}

Test(web_proxy, the_request_headers_that_matter_are_forwarded_and_no_others)
{
    const char *yes[] = {"Authorization",  "authorization",        "Content-Type", "Accept",
                         "Mcp-Session-Id", "MCP-Protocol-Version", "Origin",       "Last-Event-ID",
                         "If-Match",       "If-None-Match"};
    const char *no[] = {"Host",
                        "Connection",
                        "Transfer-Encoding",
                        "Content-Length",
                        "Cookie",
                        "X-Forwarded-For",
                        "X-Todo-Client-Addr",
                        "dapr-api-token",
                        "dapr-caller-app-id",
                        "X-Request-Id",
                        "Upgrade",
                        "Proxy-Authorization",
                        "traceparent",
                        "Expect",
                        "TE"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(web_proxy_request_header(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(web_proxy_request_header(no[i]), "%s", no[i]);
}

Test(web_proxy, the_answers_headers_pass_but_hop_by_hop_and_the_sidecars_do_not)
{
    const char *yes[] = {"Content-Type", "cache-control",  "ETag",
                         "Location",     "Retry-After",    "WWW-Authenticate",
                         "Allow",        "Mcp-Session-Id", "Vary"};
    const char *no[] = {"X-Request-Id",          "Connection",  "Transfer-Encoding",
                        "Content-Length",        "Keep-Alive",  "Set-Cookie",
                        "traceparent",           "dapr-app-id", "Server",
                        "X-Content-Type-Options"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(web_proxy_response_header(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(web_proxy_response_header(no[i]), "%s", no[i]);
}

Test(web_proxy, the_invoke_url_names_the_app_and_keeps_path_and_query_as_sent)
{
    char url[128];
    cr_assert(web_proxy_invoke_url(url, sizeof url, 3500, "todo-api", "/api/u1/tasks", "limit=5"));
    cr_assert_str_eq(url, "http://127.0.0.1:3500/v1.0/invoke/todo-api/method/api/u1/tasks?limit=5");
    cr_assert(web_proxy_invoke_url(url, sizeof url, 3500, "todo-api", "/mcp", ""));
    cr_assert_str_eq(url, "http://127.0.0.1:3500/v1.0/invoke/todo-api/method/mcp");
    cr_assert_not(web_proxy_invoke_url(url, 40, 3500, "todo-api", "/api/u1/tasks", ""));
}

Test(web_proxy, behind_a_proxy_the_client_is_the_last_forwarded_entry_when_it_is_an_address)
{
    char out[64];
    cr_assert(web_proxy_forwarded_client("203.0.113.7", out, sizeof out));
    cr_assert_str_eq(out, "203.0.113.7");
    cr_assert(web_proxy_forwarded_client("10.0.0.1, 198.51.100.2", out, sizeof out));
    cr_assert_str_eq(out, "198.51.100.2", "what the client wrote first is not trusted");
    cr_assert(web_proxy_forwarded_client("1.2.3.4,2001:db8::1 ", out, sizeof out));
    cr_assert_str_eq(out, "2001:db8::1");
    const char *bad[] = {"",           "unknown",           "1.2.3.4, ", "1.2.3.4, evil host",
                         "1.2.3.4:80", "1.2.3.4, 999.1.1.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(web_proxy_forwarded_client(bad[i], out, sizeof out), "%s", bad[i]);
}

Test(web_proxy, an_origin_is_our_own_only_when_its_authority_is_the_host)
{
    cr_assert(web_proxy_same_origin("https://todo.example", "todo.example"));
    cr_assert(web_proxy_same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
    cr_assert(web_proxy_same_origin("https://TODO.example", "todo.example"));
    cr_assert_not(web_proxy_same_origin("https://todo.example.evil", "todo.example"));
    cr_assert_not(web_proxy_same_origin("https://evil.example", "todo.example"));
    cr_assert_not(web_proxy_same_origin("null", "todo.example"));
    cr_assert_not(web_proxy_same_origin("https://todo.example", NULL));
    cr_assert_not(web_proxy_same_origin("https://todo.example", ""));
}
