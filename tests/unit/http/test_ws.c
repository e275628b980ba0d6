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

/* --- the hub over a real server and socket (also under ThreadSanitizer: the hand-overs from
 * the HTTP worker and from a sending thread to the hub's thread) --- */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/time.h>

static int auth_alice(void *ctx, const char *token, char user_id[WS_USER_MAX])
{
    (void)ctx;
    if (strcmp(token, "alice-token") != 0)
        return -1;
    snprintf(user_id, WS_USER_MAX, "alice");
    return 0;
}

struct fixture {
    http_server_t *server;
    ws_hub_t *hub;
};

static void fixture_start(struct fixture *f, size_t queue_messages)
{
    struct todo_err err;
    todo_err_clear(&err);
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .max_body = 1024};
    cr_assert_eq(http_server_create(&cfg, &f->server, &err), 0, "%s", err.message);
    struct ws_hub_config hc = {.auth = auth_alice, .queue_messages = queue_messages};
    f->hub = ws_hub_create(&hc, &err);
    cr_assert_not_null(f->hub, "%s", err.message);
    http_route_add(f->server, "GET", "/ws", ws_handle_upgrade, f->hub);
    cr_assert_eq(http_server_start(f->server, &err), 0, "%s", err.message);
}

static void fixture_stop(struct fixture *f)
{
    http_server_quiesce(f->server);
    ws_hub_stop(f->hub);
    http_server_stop(f->server, 1000);
    http_server_destroy(f->server);
    ws_hub_destroy(f->hub);
}

/* A connected, upgraded client socket (reads time out after 10 s). */
static int client_open(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const char *req =
        "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    cr_assert_eq(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
    char head[1024];
    size_t n = 0;
    while (n < sizeof head - 1 && (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0)) {
        ssize_t k = recv(fd, head + n, 1, 0); /* byte by byte: nothing past the head */
        cr_assert_eq(k, 1, "the handshake answer");
        n++;
    }
    head[n] = '\0';
    cr_assert(strncmp(head, "HTTP/1.1 101", 12) == 0, "%s", head);
    cr_assert_not_null(strstr(head, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "%s", head);
    return fd;
}

/* Sends one masked text frame (payload under 126 bytes). */
static void client_send_text(int fd, const char *text)
{
    unsigned char frame[256];
    size_t len = strlen(text);
    cr_assert_lt(len, 126);
    frame[0] = 0x81;
    frame[1] = (unsigned char)(0x80 | len);
    const unsigned char mask[4] = {1, 2, 3, 4};
    memcpy(frame + 2, mask, 4);
    for (size_t i = 0; i < len; i++)
        frame[6 + i] = (unsigned char)text[i] ^ mask[i % 4];
    cr_assert_eq(send(fd, frame, 6 + len, 0), (ssize_t)(6 + len));
}

static void recv_all(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t k = recv(fd, (char *)buf + got, n - got, 0);
        cr_assert_gt(k, 0, "the socket ended or timed out");
        got += (size_t)k;
    }
}

/* Reads one server frame: its opcode, and its payload into out (NUL-terminated). */
static int client_recv(int fd, char *out, size_t size)
{
    unsigned char h[2];
    recv_all(fd, h, 2);
    size_t len = h[1] & 0x7f;
    if (len == 126) {
        unsigned char ext[2];
        recv_all(fd, ext, 2);
        len = (size_t)ext[0] << 8 | ext[1];
    }
    cr_assert_lt(len, size);
    recv_all(fd, out, len);
    out[len] = '\0';
    return h[0] & 0x0f;
}

struct sender {
    ws_hub_t *hub;
    int n;
};

static void *send_many(void *arg)
{
    struct sender *s = arg;
    char text[64];
    for (int i = 0; i < s->n; i++) {
        int len = snprintf(text, sizeof text, "{\"n\":%d}", i);
        ws_hub_send_user(s->hub, i % 2 ? "bob" : "alice", text, (size_t)len);
    }
    return NULL;
}

Test(ws_hub, messages_from_another_thread_reach_only_their_user_in_order)
{
    struct fixture f;
    fixture_start(&f, 256);
    int fd = client_open(http_server_port(f.server));
    client_send_text(fd, "{\"type\":\"auth\",\"token\":\"alice-token\"}");
    char msg[512];
    cr_assert_eq(client_recv(fd, msg, sizeof msg), 1);
    cr_assert_str_eq(msg, "{\"type\":\"ready\",\"user_id\":\"alice\"}");

    struct sender s = {.hub = f.hub, .n = 200};
    pthread_t t;
    pthread_create(&t, NULL, send_many, &s);
    for (int i = 0; i < 200; i += 2) { /* alice's are the even ones; bob has no socket */
        char want[64];
        snprintf(want, sizeof want, "{\"n\":%d}", i);
        cr_assert_eq(client_recv(fd, msg, sizeof msg), 1);
        cr_assert_str_eq(msg, want);
    }
    pthread_join(t, NULL);
    close(fd);
    fixture_stop(&f);
}

static void *stop_hub(void *hub)
{
    ws_hub_stop(hub);
    return NULL;
}

Test(ws_hub, a_refused_token_is_closed_with_1008_and_the_stop_sends_1001)
{
    struct fixture f;
    fixture_start(&f, 256);
    unsigned port = http_server_port(f.server);
    int bad = client_open(port);
    client_send_text(bad, "{\"type\":\"auth\",\"token\":\"mallory\"}");
    char msg[512];
    cr_assert_eq(client_recv(bad, msg, sizeof msg), 8);
    cr_assert_eq(((unsigned char)msg[0] << 8 | (unsigned char)msg[1]), 1008);
    close(bad);

    int good = client_open(port);
    client_send_text(good, "{\"type\":\"auth\",\"token\":\"alice-token\"}");
    cr_assert_eq(client_recv(good, msg, sizeof msg), 1);
    http_server_quiesce(f.server);
    pthread_t t;
    pthread_create(&t, NULL, stop_hub, f.hub); /* waits for our answer */
    cr_assert_eq(client_recv(good, msg, sizeof msg), 8);
    cr_assert_eq(((unsigned char)msg[0] << 8 | (unsigned char)msg[1]), 1001);
    close(good);
    pthread_join(t, NULL);
    fixture_stop(&f);
}
