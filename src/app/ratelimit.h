/* ratelimit.h - a per-key sliding-window rate limiter (two fixed windows, weighted), in
 * memory. Thread-safe. Used for login attempts per email and per client address. */
#ifndef TODO_APP_RATELIMIT_H
#define TODO_APP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit ratelimit_t;

/* limit events per window_ms for each key. limit <= 0 disables the limiter. */
ratelimit_t *ratelimit_create(int limit, int64_t window_ms);
void ratelimit_destroy(ratelimit_t *rl);
/* Counts one event for key at now_ms. Returns false (and counts nothing) when the key is
 * already at its limit. */
bool ratelimit_allow(ratelimit_t *rl, const char *key, int64_t now_ms);

#endif
