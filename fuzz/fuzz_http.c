/* fuzz_http.c - libFuzzer target: the request path before any handler, twice over.
 * 1. The router alone: the input's first line is read as "METHOD PATH" and routed against a
 *    table like the API's (with a route holding the most parameters a request can); the
 *    captures must be within bounds and non-empty.
 * 2. The whole input as raw bytes to a real server on loopback (libmicrohttpd, the framing
 *    checks, the router, the body limit): an answer, if any, is never a 5xx.
 * ASan and UBSan catch the rest. */
#include "../src/http/server.c"

#include <poll.h>

static http_server_t *server;

static void h_echo(struct http_request *r, void *ctx)
{
    (void)ctx;
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < r->n_params; i++)
        buf_printf(&b, "%s=%s\n", r->param_names[i], r->param_values[i]);
    size_t len = b.len;
    http_respond_take(r, 200, "text/plain", buf_take(&b), len);
}

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
static const char *const patterns[] = {
    "/api/{user_id}/tasks",
    "/api/{user_id}/tasks/{id}",
    "/api/{user_id}/tasks/count",
    "/api/{user_id}/tasks/{id}/complete",
    "/api/auth/login",
    "/dapr/events/{topic}",
    "/p/{a}/{b}/{c}/{d}/{e}/{f}",
    "/healthz",
};

static void add_routes(http_server_t *s)
{
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++)
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
            if (p % 2 == 0 || m < 3)
                http_route_add(s, methods[m], patterns[p], h_echo, NULL);
    http_server_set_fallback(s, "fallback", h_echo, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .max_body = 1024};
    struct todo_err err;
    todo_err_clear(&err);
    if (http_server_create(&cfg, &server, &err) != TODO_OK)
        abort();
    add_routes(server);
    if (http_server_start(server, &err) != TODO_OK)
        abort();
    return 0;
}

static void fuzz_router(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t line = nl ? (size_t)(nl - (const char *)data) : size;
    char *text = xmalloc(line + 1);
    memcpy(text, data, line);
    text[line] = '\0';
    char *sp = strchr(text, ' ');
    if (sp && strlen(text) == line) { /* no NUL inside: a C string as MHD would give */
        *sp = '\0';
        struct http_request *r = xcalloc(1, sizeof *r);
        r->server = server;
        arena_init(&r->arena);
        r->method = text;
        r->path = sp + 1;
        const struct route *rt = route_find(server, r);
        if (rt) {
            if (r->n_params < 0 || r->n_params > MAX_PARAMS)
                abort();
            for (int i = 0; i < r->n_params; i++)
                if (!r->param_values[i][0])
                    abort();
        } else if (r->status < 400 || r->status > 405) {
            abort(); /* no route: the answer is 404 or 405 */
        }
        response_body_release(r);
        arena_release(&r->arena);
        free(r);
    }
    free(text);
}

/* Sends data, shuts the writing side, reads until the server closes. */
static void fuzz_socket(const uint8_t *data, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)http_server_port(server))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        abort();
    for (size_t off = 0; off < size;) {
        ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    char answer[8192];
    size_t got = 0;
    for (;;) {
        /* libmicrohttpd 0.9.75 may keep a keep-alive connection open after the client's FIN
         * (until its connection timeout): stop waiting once the server goes quiet */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            break;
        ssize_t n = recv(fd, answer + got, sizeof answer - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof answer - 1)
            got = 0; /* keep reading; only the start of the last chunk is checked */
    }
    close(fd);
    answer[got] = '\0';
    /* Bad input is never a 5xx; the one exception is libmicrohttpd's own 505 for an HTTP
     * version it does not speak (RFC 9110 section 15.6.6: the status for exactly that). */
    if (got >= 12 && strncmp(answer, "HTTP/1.1 5", 10) == 0 && strncmp(answer + 9, "505", 3) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_router(data, size);
    fuzz_socket(data, size);
    return 0;
}
