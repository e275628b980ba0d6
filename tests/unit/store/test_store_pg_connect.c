/* test_store_pg_connect.c - opening a PostgreSQL store whose server never answers fails with
 * an error instead of hanging (src/store/store_pg.c gives libpq a connect_timeout unless the
 * URL sets one). The "server" is a listening socket that never accepts nor reads: the kernel
 * completes the TCP handshake, libpq sends its first packet and waits for an answer that never
 * comes. No PostgreSQL needed. Criterion's per-test timeout is only the harness's deadline:
 * the tests assert the error, not how long it took. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "store/store.h"

/* A loopback port that takes connections into its backlog and never answers. */
static int silent_listener(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(fd, 16), 0);
    socklen_t len = sizeof sa;
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void open_fails(const char *url)
{
    struct todo_err err = {0};
    store_t *s = NULL;
    cr_assert_eq(store_open(url, &s, &err), TODO_ERR_UNAVAILABLE, "%s", err.message);
    cr_assert_null(s);
    cr_assert(strstr(err.message, "timeout"), "libpq's reason: %s", err.message);
    cr_assert_null(strstr(err.message, "s3cret"), "%s", err.message);
}

/* The default bound (5 s, docs/operations.md); 60 s is the harness's deadline, far above it:
 * without a connect_timeout libpq waits forever and Criterion kills the test. */
Test(store_pg_connect, a_server_that_never_answers_is_an_error_not_a_hang, .timeout = 60)
{
    unsigned port;
    int fd = silent_listener(&port);
    char url[160];
    snprintf(url, sizeof url, "postgres://todo:s3cret@127.0.0.1:%u/todo?sslmode=disable", port);
    open_fails(url);
    close(fd);
}

/* A URL's own connect_timeout is kept (here the smallest libpq takes, 2 s). */
Test(store_pg_connect, the_urls_own_connect_timeout_is_kept, .timeout = 60)
{
    unsigned port;
    int fd = silent_listener(&port);
    char url[160];
    snprintf(url, sizeof url, "postgresql://todo:s3cret@127.0.0.1:%u/todo?connect_timeout=2", port);
    open_fails(url);
    close(fd);
}
