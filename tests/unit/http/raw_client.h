/* raw_client.h - for the HTTP unit tests: sends raw bytes to a server on 127.0.0.1 and reads
 * the whole answer (the request asks for Connection: close, or the server closes). The
 * caller frees the answer. Header-only: each test file is its own program. */
#ifndef TODO_TESTS_RAW_CLIENT_H
#define TODO_TESTS_RAW_CLIENT_H

#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"

static inline char *raw_roundtrip(unsigned port, const char *raw, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, raw + off, len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    struct buf b;
    buf_init(&b);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)n);
    close(fd);
    return buf_take(&b);
}

#endif
