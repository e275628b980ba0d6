/* Unit tests of the HTTP server over a real loopback socket: suspension (the seam for slow
 * outside calls), body limits, content-type checks and request ids. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/buf.h"
#include "http/server.h"
#include "raw_client.h"

static void *finish_later(void *arg)
{
    struct http_request *r = arg;
    http_respond_data(r, 200, "text/plain", "resumed", 7);
    http_request_resume(r);
    return NULL;
}

static void h_slow(struct http_request *r, void *ctx)
{
    (void)ctx;
    http_request_suspend(r);
    pthread_t t;
    pthread_create(&t, NULL, finish_later, r);
    pthread_detach(t);
}

static void h_echo(struct http_request *r, void *ctx)
{
    (void)ctx;
    struct todo_err err;
    todo_err_clear(&err);
    json_t *j = http_req_json(r, &err);
    if (!j) {
        http_respond_error(r, &err);
        return;
    }
    http_respond_json(r, 200, j);
}

/* A handler whose slow work outlives the server's grace period: it parks the request until
 * the test lets it go. */
static pthread_mutex_t parked_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t parked_cv = PTHREAD_COND_INITIALIZER;
static struct http_request *parked;
static bool parked_release;

static void h_park(struct http_request *r, void *ctx)
{
    (void)ctx;
    http_request_suspend(r);
    pthread_mutex_lock(&parked_mu);
    parked = r;
    pthread_cond_broadcast(&parked_cv);
    pthread_mutex_unlock(&parked_mu);
}

static http_server_t *start(void)
{
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .max_body = 1024};
    struct todo_err err;
    todo_err_clear(&err);
    http_server_t *s;
    cr_assert_eq(http_server_create(&cfg, &s, &err), 0);
    http_route_add(s, "GET", "/slow", h_slow, NULL);
    http_route_add(s, "POST", "/echo", h_echo, NULL);
    http_route_add(s, "GET", "/park", h_park, NULL);
    cr_assert_eq(http_server_start(s, &err), 0);
    return s;
}

static void stop(http_server_t *s)
{
    http_server_stop(s, 1000);
    http_server_destroy(s);
}

Test(server, suspended_request_is_answered_after_resume_from_another_thread)
{
    http_server_t *s = start();
    for (int i = 0; i < 20; i++) {
        const char *req = "GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
        char *resp = raw_roundtrip(http_server_port(s), req, strlen(req));
        cr_assert(strncmp(resp, "HTTP/1.1 200", 12) == 0, "got %s", resp);
        cr_assert_not_null(strstr(resp, "\r\n\r\nresumed"));
        free(resp);
    }
    stop(s);
}

/* The connection memory pool is 16 KiB (server.c, docs/decisions/0025-reads-in-index-order.md):
 * 12 KiB of request headers still fit, on the first request of a keep-alive connection and
 * on the next one after the pool was reset. */
Test(server, twelve_kib_of_headers_are_answered_on_a_reused_connection)
{
    http_server_t *s = start();
    size_t n_big = 12 * 1024;
    struct buf req;
    buf_init(&req);
    for (int i = 0; i < 2; i++) {
        buf_puts(&req, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       "Content-Length: 7\r\nX-Big: ");
        for (size_t j = 0; j < n_big; j++)
            buf_putc(&req, 'a');
        buf_puts(&req, i ? "\r\nConnection: close\r\n\r\n{\"a\":2}" : "\r\n\r\n{\"a\":1}");
    }
    char *resp = raw_roundtrip(http_server_port(s), req.data, req.len);
    cr_assert(strncmp(resp, "HTTP/1.1 200", 12) == 0, "got %.200s", resp);
    char *second = strstr(resp + 12, "HTTP/1.1 200");
    cr_assert_not_null(second, "got %.400s", resp);
    cr_assert_not_null(strstr(resp, "{\"a\":1}"));
    cr_assert_not_null(strstr(second, "{\"a\":2}"));
    free(resp);
    buf_release(&req);
    stop(s);
}

Test(server, json_body_round_trips_with_a_request_id)
{
    http_server_t *s = start();
    const char *req = "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                      "Content-Type: application/json\r\nContent-Length: 7\r\n"
                      "X-Request-Id: abcdef123456\r\n\r\n{\"a\":1}";
    char *resp = raw_roundtrip(http_server_port(s), req, strlen(req));
    cr_assert(strncmp(resp, "HTTP/1.1 200", 12) == 0, "got %s", resp);
    cr_assert_not_null(strstr(resp, "{\"a\":1}"));
    cr_assert_not_null(strcasestr(resp, "X-Request-Id: abcdef123456"));
    free(resp);
    stop(s);
}

Test(server, body_over_the_limit_is_413)
{
    http_server_t *s = start();
    char req[4096];
    char body[2000];
    memset(body, 'x', sizeof body);
    int n = snprintf(req, sizeof req,
                     "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%.*s",
                     sizeof body, (int)sizeof body, body);
    char *resp = raw_roundtrip(http_server_port(s), req, (size_t)n);
    cr_assert(strncmp(resp, "HTTP/1.1 413", 12) == 0, "got %.40s", resp);
    cr_assert_not_null(strstr(resp, "\"payload_too_large\""));
    free(resp);
    stop(s);
}

Test(server, chunked_body_over_the_limit_is_413)
{
    http_server_t *s = start();
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 4; i++) {
        buf_puts(&b, "200\r\n");
        for (int j = 0; j < 0x200; j++)
            buf_putc(&b, 'x');
        buf_puts(&b, "\r\n");
    }
    buf_puts(&b, "0\r\n\r\n");
    char *resp = raw_roundtrip(http_server_port(s), b.data, b.len);
    cr_assert(strncmp(resp, "HTTP/1.1 413", 12) == 0, "got %.40s", resp);
    free(resp);
    buf_release(&b);
    stop(s);
}

Test(server, wrong_content_type_is_415_and_bad_json_is_400)
{
    http_server_t *s = start();
    const char *req = "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                      "Content-Type: text/plain\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
    char *resp = raw_roundtrip(http_server_port(s), req, strlen(req));
    cr_assert(strncmp(resp, "HTTP/1.1 415", 12) == 0, "got %.40s", resp);
    free(resp);
    req = "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
          "Content-Type: application/json\r\nContent-Length: 6\r\n\r\n{\"a\":1";
    resp = raw_roundtrip(http_server_port(s), req, strlen(req));
    cr_assert(strncmp(resp, "HTTP/1.1 400", 12) == 0, "got %.40s", resp);
    cr_assert_not_null(strstr(resp, "\"bad_request\""));
    free(resp);
    stop(s);
}

Test(server, a_client_leaving_before_its_headers_end_frees_the_request)
{
    /* MHD saw the request line (on_uri allocated the request) but never called on_request:
     * the completion callback still frees it (LeakSanitizer checks at exit). */
    http_server_t *s = start();
    for (int i = 0; i < 5; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)http_server_port(s))};
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
        const char *partial = "GET /slow%20x HTTP/1.1\r\nHost: t\r\n";
        cr_assert_eq(write(fd, partial, strlen(partial)), (ssize_t)strlen(partial));
        usleep(20000);
        close(fd);
    }
    const char *req = "GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    char *resp = raw_roundtrip(http_server_port(s), req, strlen(req));
    cr_assert(strncmp(resp, "HTTP/1.1 200", 12) == 0, "got %s", resp);
    free(resp);
    stop(s);
}

static void *finish_parked(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&parked_mu);
    while (!parked_release)
        pthread_cond_wait(&parked_cv, &parked_mu);
    struct http_request *r = parked;
    pthread_mutex_unlock(&parked_mu);
    /* after the server has stopped: the request must still be safe to answer */
    http_set_header(r, "X-Late", "1");
    http_respond_data(r, 200, "text/plain", "late", 4);
    http_request_resume(r);
    return NULL;
}

struct client_arg {
    unsigned port;
    char *answer;
};

static void *client_main(void *arg)
{
    struct client_arg *c = arg;
    const char *req = "GET /park HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    c->answer = raw_roundtrip(c->port, req, strlen(req));
    return NULL;
}

Test(server, stop_answers_a_request_still_suspended_after_the_grace_period_with_503)
{
    http_server_t *s = start();
    struct client_arg c = {.port = http_server_port(s)};
    pthread_t client, finisher;
    pthread_create(&client, NULL, client_main, &c);
    pthread_create(&finisher, NULL, finish_parked, NULL);
    pthread_mutex_lock(&parked_mu);
    while (!parked)
        pthread_cond_wait(&parked_cv, &parked_mu);
    pthread_mutex_unlock(&parked_mu);
    http_server_stop(s, 100); /* the slow work is still going */
    pthread_join(client, NULL);
    cr_assert(strncmp(c.answer, "HTTP/1.1 503", 12) == 0, "got %s", c.answer);
    cr_assert_not_null(strstr(c.answer, "\"unavailable\""));
    pthread_mutex_lock(&parked_mu);
    parked_release = true;
    pthread_cond_broadcast(&parked_cv);
    pthread_mutex_unlock(&parked_mu);
    pthread_join(finisher, NULL); /* ASan: no use after free; LeakSanitizer: r is freed */
    http_server_destroy(s);
    free(c.answer);
}

Test(server, a_client_leaving_before_the_answer_is_counted_as_499)
{
    http_server_t *s = start();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)http_server_port(s))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    /* The 100 Continue says the server has started the request; then the client leaves. */
    const char *partial = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                          "Expect: 100-continue\r\nContent-Length: 100\r\n\r\n";
    cr_assert_eq(write(fd, partial, strlen(partial)), (ssize_t)strlen(partial));
    char cont[64] = {0};
    cr_assert_gt(read(fd, cont, sizeof cont - 1), 0);
    cr_assert(strncmp(cont, "HTTP/1.1 100", 12) == 0, "got %s", cont);
    close(fd);
    bool seen = false;
    for (int i = 0; i < 500 && !seen; i++) { /* poll for up to 5 s */
        struct buf m;
        buf_init(&m);
        http_server_metrics(s, &m);
        /* routed only once the body is in: the route is "unmatched" */
        seen = strstr(m.data, "method=\"POST\",status=\"499\"") != NULL;
        buf_release(&m);
        if (!seen)
            usleep(10000);
    }
    cr_assert(seen, "no request counted with status 499");
    stop(s);
}

/* Requests held suspended until the test answers them, in arrival order. */
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cv = PTHREAD_COND_INITIALIZER;
static struct http_request *held[2];
static int n_held;

static void h_hold(struct http_request *r, void *ctx)
{
    (void)ctx;
    http_request_suspend(r);
    pthread_mutex_lock(&held_mu);
    held[n_held++] = r;
    pthread_cond_broadcast(&held_cv);
    pthread_mutex_unlock(&held_mu);
}

static int connect_and_send(unsigned port, const char *raw)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
    return fd;
}

static void wait_held(int n)
{
    pthread_mutex_lock(&held_mu);
    while (n_held < n)
        pthread_cond_wait(&held_cv, &held_mu);
    pthread_mutex_unlock(&held_mu);
}

/* Many requests suspended at once (group commit's writes): one whose client left while it
 * waited is resumed, and the server frees it without an answer; the others, still on the
 * server's list of suspended requests beside it, must be answered without touching it
 * (ASan: no use after free). */
Test(server, a_suspended_request_whose_client_left_leaves_the_others_answerable)
{
    http_server_t *s = start();
    http_route_add(s, "POST", "/hold", h_hold, NULL);
    const char *req = "POST /hold HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                      "Content-Length: 2\r\n\r\n{}";
    int gone = connect_and_send(http_server_port(s), req);
    wait_held(1);
    int stays = connect_and_send(http_server_port(s), req);
    wait_held(2);
    struct linger rst = {.l_onoff = 1, .l_linger = 0}; /* a reset, as a load tool leaving */
    setsockopt(gone, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
    close(gone);
    usleep(20000); /* not a wait for a result: lets the reset reach the socket first */
    http_respond_data(held[0], 200, "text/plain", "late", 4);
    http_request_resume(held[0]);
    bool seen = false;
    for (int i = 0; i < 500 && !seen; i++) { /* poll for up to 5 s: the first is freed */
        struct buf m;
        buf_init(&m);
        http_server_metrics(s, &m);
        seen = strstr(m.data, "status=\"499\"") != NULL || strstr(m.data, "status=\"200\"");
        buf_release(&m);
        if (!seen)
            usleep(10000);
    }
    cr_assert(seen, "the first request was never finished");
    http_respond_data(held[1], 200, "text/plain", "fine", 4);
    http_request_resume(held[1]);
    char answer[256] = {0};
    cr_assert_gt(read(stays, answer, sizeof answer - 1), 0);
    cr_assert(strncmp(answer, "HTTP/1.1 200", 12) == 0, "got %s", answer);
    close(stays);
    stop(s);
}

/* --- the pieces the Dapr callback listener and the web front door use (ADR 0049) --- */

static bool guard_token(struct http_request *r, void *ctx)
{
    (void)ctx;
    const char *t = http_req_header(r, "X-Token");
    if (!t || strcmp(t, "yes") != 0) {
        http_respond_errorf(r, TODO_ERR_UNAUTHORIZED, "no");
        return false;
    }
    const char *addr = http_req_header(r, "X-Addr");
    if (addr)
        http_req_set_remote(r, addr);
    return true;
}

static void h_whoami(struct http_request *r, void *ctx)
{
    (void)ctx;
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "remote=%s query=%s raw=%s", http_req_remote(r), http_req_raw_query(r),
               http_req_raw_path(r));
    size_t len = b.len;
    http_respond_take(r, 200, "text/plain", buf_take(&b), len);
}

static char *get(http_server_t *s, const char *target, const char *headers)
{
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s\r\n", target,
             headers);
    return raw_roundtrip(http_server_port(s), req, strlen(req));
}

Test(server, a_guard_answers_before_any_route_and_may_name_the_client)
{
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 1, .max_body = 1024};
    struct todo_err err = {0};
    http_server_t *s;
    cr_assert_eq(http_server_create(&cfg, &s, &err), 0);
    http_route_add(s, "GET", "/who", h_whoami, NULL);
    http_server_set_guard(s, guard_token, NULL);
    cr_assert_eq(http_server_start(s, &err), 0);
    char *r = get(s, "/who", "");
    cr_assert(strncmp(r, "HTTP/1.1 401", 12) == 0, "%s", r);
    free(r);
    r = get(s, "/nowhere", ""); /* even where no route is */
    cr_assert(strncmp(r, "HTTP/1.1 401", 12) == 0, "%s", r);
    free(r);
    r = get(s, "/who?a=%2F&b", "X-Token: yes\r\nX-Addr: 203.0.113.9\r\n");
    cr_assert(strncmp(r, "HTTP/1.1 200", 12) == 0, "%s", r);
    cr_assert_not_null(strstr(r, "remote=203.0.113.9 query=a=%2F&b raw=/who"), "%s", r);
    free(r);
    r = get(s, "/who", "X-Token: yes\r\n");
    cr_assert_not_null(strstr(r, "remote=127.0.0.1 query= raw=/who"), "%s", r);
    free(r);
    stop(s);
}

Test(server, the_fallback_gets_the_reserved_paths_only_when_asked)
{
    for (int everywhere = 0; everywhere < 2; everywhere++) {
        struct http_server_config cfg = {.listen = "127.0.0.1:0",
                                         .threads = 1,
                                         .max_body = 1024,
                                         .fallback_everywhere = everywhere};
        struct todo_err err = {0};
        http_server_t *s;
        cr_assert_eq(http_server_create(&cfg, &s, &err), 0);
        http_server_set_fallback(s, "front", h_whoami, NULL);
        cr_assert_eq(http_server_start(s, &err), 0);
        char *r = get(s, "/api/x?y=1", "");
        cr_assert(strncmp(r, everywhere ? "HTTP/1.1 200" : "HTTP/1.1 404", 12) == 0, "%s", r);
        free(r);
        stop(s);
    }
}

Test(server, routes_counted_into_another_server_show_in_its_metrics)
{
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 1, .max_body = 1024};
    struct todo_err err = {0};
    http_server_t *main_s, *side;
    cr_assert_eq(http_server_create(&cfg, &main_s, &err), 0);
    cr_assert_eq(http_server_create(&cfg, &side, &err), 0);
    http_route_add(main_s, "GET", "/who", h_whoami, NULL);
    http_route_add(side, "GET", "/only-here", h_whoami, NULL);
    http_route_add(side, "GET", "/who", h_whoami, NULL);
    http_server_count_into(side, main_s);
    cr_assert_eq(http_server_start(side, &err), 0);
    free(get(side, "/who", ""));
    free(get(side, "/only-here", ""));
    http_server_stop(side, 1000); /* its requests are all counted once it stopped */
    struct buf m, own;
    buf_init(&m);
    buf_init(&own);
    http_server_metrics(main_s, &m);
    http_server_metrics(side, &own);
    cr_assert_not_null(
        strstr(m.data, "todo_http_requests_total{route=\"/who\",method=\"GET\",status=\"200\"} 1"),
        "%s", m.data);
    cr_assert_null(strstr(own.data, "route=\"/who\",method=\"GET\",status=\"200\"} 1"));
    cr_assert_not_null(strstr(own.data, "route=\"/only-here\",method=\"GET\",status=\"200\"} 1"));
    buf_release(&m);
    buf_release(&own);
    http_server_destroy(side);
    http_server_destroy(main_s);
}

/* Reads one answer to a POST /echo from a kept-alive connection: headers, then the body of
 * Content-Length bytes. A server that does not answer fails the read timeout, not the test run. */
static char *read_one_answer(int fd)
{
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct buf b;
    buf_init(&b);
    char c;
    while (!(b.len >= 4 && memcmp(b.data + b.len - 4, "\r\n\r\n", 4) == 0)) {
        cr_assert_eq(read(fd, &c, 1), 1, "the answer's headers did not come: %.*s", (int)b.len,
                     b.data);
        buf_putc(&b, c);
    }
    const char *cl = strcasestr(b.data, "Content-Length: ");
    cr_assert_not_null(cl, "%s", b.data);
    for (long n = strtol(cl + 16, NULL, 10); n > 0; n--) {
        cr_assert_eq(read(fd, &c, 1), 1);
        buf_putc(&b, c);
    }
    return buf_take(&b);
}

/* Quiescing stops new connections; a client on a kept-alive connection is told to go (its next
 * answer says Connection: close, then the server closes), so a stopping server is not kept
 * busy by old connections and such a client moves to the servers that stay. */
Test(server, a_quiesced_server_answers_a_kept_alive_connection_once_more_and_closes_it)
{
    http_server_t *s = start();
    const char *req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                      "Content-Length: 2\r\n\r\n{}";
    int fd = connect_and_send(http_server_port(s), req);
    char *first = read_one_answer(fd);
    cr_assert(strncmp(first, "HTTP/1.1 200", 12) == 0, "got %s", first);
    cr_assert_null(strcasestr(first, "Connection: close"), "a running server keeps it: %s", first);
    http_server_quiesce(s);
    cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    char *second = read_one_answer(fd);
    cr_assert(strncmp(second, "HTTP/1.1 200", 12) == 0, "got %s", second);
    cr_assert_not_null(strcasestr(second, "Connection: close"), "got %s", second);
    char c;
    cr_assert_eq(read(fd, &c, 1), 0, "the server closes the connection after that answer");
    free(first);
    free(second);
    close(fd);
    stop(s);
}
