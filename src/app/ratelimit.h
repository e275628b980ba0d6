/* ratelimit.h - a per-key sliding-window rate limiter (two fixed windows, weighted), in
 * memory. Thread-safe. Used for login attempts per email and per client address, and for
 * sign-ups per client address (docs/decisions/0004, 0017). */
#ifndef TODO_APP_RATELIMIT_H
#define TODO_APP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ratelimit ratelimit_t;

/* limit events per window_ms for each key. limit <= 0 disables the limiter. */
ratelimit_t *ratelimit_create(int limit, int64_t window_ms);
void ratelimit_destroy(ratelimit_t *rl);
/* Counts one event for key at now_ms. Returns false (and counts nothing) when the key is
 * already at its limit. */
bool ratelimit_allow(ratelimit_t *rl, const char *key, int64_t now_ms);
/* How long from now_ms until key may count an event again: 0 when it may now. */
int64_t ratelimit_wait_ms(ratelimit_t *rl, const char *key, int64_t now_ms);

/* The key of a client address (inet_ntop text): IPv4 as is, an IPv4-mapped IPv6 address as
 * its IPv4, any other IPv6 address as its /64 ("2001:db8:1:2::/64"), since one subscriber
 * commonly holds a whole /64; text that is no address is kept as is. Writes at most n bytes
 * (n >= 64 holds every form). Pure, thread-safe. */
void ratelimit_addr_key(const char *remote, char *out, size_t n);

#endif
