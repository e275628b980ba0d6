/* app_internal.h - what the files of src/app/ share and nobody else calls: issuing tokens
 * and the in-memory set of revoked sessions (token.c), read by the token verifier and filled
 * by the sessions watcher (sessions.c). Unit tests and the token fuzz target include it. */
#ifndef TODO_APP_APP_INTERNAL_H
#define TODO_APP_APP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

/* Signs a token for u with session sid, issued at now_ms, expiring after a->token_ttl_ms;
 * sets out->token (owned) and out->expires_at. Thread-safe. */
int app_token_issue(struct app *a, const struct user *u, const char *sid, int64_t now_ms,
                    struct app_session *out, struct todo_err *err);

/* The set of revoked session ids, each kept until its tokens expire. Thread-safe: a mutex
 * around the table and an atomic generation that grows with every addition, which the
 * per-thread token caches compare to know when to look again. */
struct app_revoked *app_revoked_create(void);
void app_revoked_destroy(struct app_revoked *rv); /* NULL is fine */
/* Adds sid (copied) until expires_at; true when it was not there yet (the generation grew).
 * A sid longer than APP_SID_MAX - 1 bytes is refused by the verifier anyway: ignored. */
bool app_revoked_add(struct app_revoked *rv, const char *sid, int64_t expires_at);
bool app_revoked_has(struct app_revoked *rv, const char *sid);
/* Forgets the sids whose tokens expired at or before now_ms; returns how many are left. */
size_t app_revoked_prune(struct app_revoked *rv, int64_t now_ms);
uint64_t app_revoked_generation(struct app_revoked *rv);

#endif
