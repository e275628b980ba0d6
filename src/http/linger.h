/* linger.h - lingering close for connections the server ends after refusing a request whose
 * body is still on its way (RFC 9112 section 9.6). */
#ifndef TODO_HTTP_LINGER_H
#define TODO_HTTP_LINGER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct http_linger http_linger_t;

/* Starts the lingering thread. At most max_fds sockets linger at once, each for at most
 * timeout_ms and max_bytes read. Destroy with http_linger_destroy. */
http_linger_t *http_linger_create(unsigned max_fds, unsigned timeout_ms, size_t max_bytes);
/* Takes fd (a socket whose answer is fully sent): shuts its writing side and reads and drops
 * what the client still sends, until the client closes or a limit is reached, then closes
 * it. Steals fd in every case (closed at once when full). Thread-safe. */
void http_linger_add(http_linger_t *l, int fd);
/* Number of sockets lingering now. Thread-safe. */
unsigned http_linger_count(http_linger_t *l);
/* Stops the thread and closes every socket. Accepts NULL. */
void http_linger_destroy(http_linger_t *l);

#endif
