/* token.c - bearer tokens: the Authorization header, signing, verifying, and the set of
 * revoked sessions the verifier consults.
 *
 * Tokens are HS256 JWTs (libjwt) with sub (user id), sid (session id), iat and exp
 * (docs/decisions/0003-argon2id-and-hs256-tokens.md). Revocation (docs/decisions/
 * 0016-token-revocation.md) is a set of revoked sids in memory, filled from the store by the
 * sessions watcher, so verifying never reads the database. Each worker thread caches the
 * last tokens it verified (docs/decisions/0009-per-thread-token-cache.md); a cached token is
 * looked up in the revoked set again whenever the set's generation moved since. */
#include "app/app_internal.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <jwt.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_MAX 4096 /* longer tokens are refused unread */

/* --- the Authorization header --- */

static bool is_b64token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

int app_bearer_token(const char *header, const char **token, size_t *len, struct todo_err *err)
{
    assert(token && len && err);
    if (!header || strncasecmp(header, "Bearer", 6) != 0 || (header[6] != ' ' && header[6] != '\t'))
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "a bearer token is required");
    const char *p = header + 6;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *start = p;
    while (is_b64token_char(*p))
        p++;
    while (p > start && *p == '=')
        p++;
    size_t n = (size_t)(p - start);
    while (*p == ' ' || *p == '\t')
        p++;
    if (n == 0 || *p != '\0') /* nothing, a second word, or a character no token has */
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "a bearer token is required");
    *token = start;
    *len = n;
    return TODO_OK;
}

/* --- the revoked set --- */

#define REVOKED_BUCKETS 1024

struct revoked_entry {
    struct revoked_entry *next;
    int64_t expires_at;
    char sid[APP_SID_MAX];
};

struct app_revoked {
    pthread_mutex_t lock;
    uint64_t generation; /* atomic; grows after every addition */
    size_t n;
    struct revoked_entry *buckets[REVOKED_BUCKETS];
};

struct app_revoked *app_revoked_create(void)
{
    struct app_revoked *rv = xcalloc(1, sizeof *rv);
    pthread_mutex_init(&rv->lock, NULL);
    return rv;
}

void app_revoked_destroy(struct app_revoked *rv)
{
    if (!rv)
        return;
    for (int i = 0; i < REVOKED_BUCKETS; i++) {
        struct revoked_entry *e = rv->buckets[i];
        while (e) {
            struct revoked_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&rv->lock);
    free(rv);
}

static unsigned sid_bucket(const char *sid)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *sid; sid++)
        h = (h ^ (unsigned char)*sid) * 16777619u;
    return h % REVOKED_BUCKETS;
}

static struct revoked_entry *revoked_find(struct app_revoked *rv, const char *sid)
{
    struct revoked_entry *e = rv->buckets[sid_bucket(sid)];
    while (e && strcmp(e->sid, sid) != 0)
        e = e->next;
    return e;
}

bool app_revoked_add(struct app_revoked *rv, const char *sid, int64_t expires_at)
{
    assert(rv && sid);
    if (!*sid || strlen(sid) >= APP_SID_MAX)
        return false;
    pthread_mutex_lock(&rv->lock);
    struct revoked_entry *e = revoked_find(rv, sid);
    bool added = !e;
    if (e) {
        if (expires_at > e->expires_at)
            e->expires_at = expires_at;
    } else {
        unsigned b = sid_bucket(sid);
        e = xcalloc(1, sizeof *e);
        snprintf(e->sid, sizeof e->sid, "%s", sid);
        e->expires_at = expires_at;
        e->next = rv->buckets[b];
        rv->buckets[b] = e;
        rv->n++;
        /* after the entry is in: a thread that sees the new generation finds it */
        __atomic_add_fetch(&rv->generation, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&rv->lock);
    return added;
}

bool app_revoked_has(struct app_revoked *rv, const char *sid)
{
    assert(rv && sid);
    pthread_mutex_lock(&rv->lock);
    bool found = revoked_find(rv, sid) != NULL;
    pthread_mutex_unlock(&rv->lock);
    return found;
}

size_t app_revoked_prune(struct app_revoked *rv, int64_t now_ms)
{
    assert(rv);
    pthread_mutex_lock(&rv->lock);
    for (int i = 0; i < REVOKED_BUCKETS; i++) {
        struct revoked_entry **pp = &rv->buckets[i];
        while (*pp) {
            struct revoked_entry *e = *pp;
            if (e->expires_at <= now_ms) { /* its tokens are refused for their exp now */
                *pp = e->next;
                free(e);
                rv->n--;
            } else {
                pp = &e->next;
            }
        }
    }
    size_t n = rv->n;
    pthread_mutex_unlock(&rv->lock);
    return n;
}

uint64_t app_revoked_generation(struct app_revoked *rv)
{
    assert(rv);
    return __atomic_load_n(&rv->generation, __ATOMIC_ACQUIRE);
}

/* --- signing --- */

int app_token_issue(struct app *a, const struct user *u, const char *sid, int64_t now_ms,
                    struct app_session *out, struct todo_err *err)
{
    assert(a && u && sid && *sid && out);
    int64_t exp = now_ms + a->token_ttl_ms;
    jwt_t *jwt = NULL;
    char *token = NULL;
    if (jwt_new(&jwt) != 0)
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot create a token");
    if (jwt_add_grant(jwt, "sub", u->id) || jwt_add_grant(jwt, "sid", sid) ||
        jwt_add_grant_int(jwt, "iat", (long)(now_ms / 1000)) ||
        jwt_add_grant_int(jwt, "exp", (long)(exp / 1000)) ||
        jwt_set_alg(jwt, JWT_ALG_HS256, a->jwt_secret, (int)a->jwt_secret_len))
        goto out_free_jwt;
    token = jwt_encode_str(jwt);
out_free_jwt:
    jwt_free(jwt);
    if (!token)
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot sign a token");
    free(out->token);
    out->token = xstrdup(token);
    free(token);
    out->expires_at = exp - exp % 1000;
    return TODO_OK;
}

/* --- the per-thread cache --- */

#define TOKEN_CACHE_SLOTS 8
#define TOKEN_CACHE_MAX   640

struct token_cache_entry {
    uint64_t app_id;     /* tokens are only valid for the secret they were checked with */
    uint64_t generation; /* of the revoked set when the sid was last found not revoked */
    size_t len;
    struct app_token claims;
    char token[TOKEN_CACHE_MAX];
};

static _Thread_local struct token_cache_entry token_cache[TOKEN_CACHE_SLOTS];
static _Thread_local unsigned token_cache_next;

/* 1: a live cached token (claims set); 0: not cached; -1: cached, but its session was
 * revoked (the entry is dropped). */
static int token_cache_get(struct app *a, const char *token, size_t len, int64_t now,
                           struct app_token *claims)
{
    for (int i = 0; i < TOKEN_CACHE_SLOTS; i++) {
        struct token_cache_entry *e = &token_cache[i];
        if (e->app_id != a->id || e->len != len || e->claims.expires_at <= now ||
            sodium_memcmp(e->token, token, len) != 0)
            continue;
        uint64_t gen = app_revoked_generation(a->revoked);
        if (e->generation != gen) {
            if (app_revoked_has(a->revoked, e->claims.sid)) {
                e->len = 0;
                return -1;
            }
            e->generation = gen;
        }
        *claims = e->claims;
        return 1;
    }
    return 0;
}

static void token_cache_put(const struct app *a, const char *token, size_t len, uint64_t gen,
                            const struct app_token *claims)
{
    if (len > TOKEN_CACHE_MAX)
        return;
    struct token_cache_entry *e = &token_cache[token_cache_next++ % TOKEN_CACHE_SLOTS];
    e->app_id = a->id;
    e->generation = gen;
    e->len = len;
    e->claims = *claims;
    memcpy(e->token, token, len);
}

/* --- verifying --- */

/* An integer claim: 1 and *out when present as an integer, 0 when absent, -1 otherwise. */
static int int_claim(jwt_t *jwt, const char *name, long *out)
{
    errno = 0;
    long v = jwt_get_grant_int(jwt, name);
    if (errno == ENOENT)
        return 0;
    if (errno)
        return -1;
    *out = v;
    return 1;
}

/* A string claim of 1..max-1 bytes copied to out; false otherwise. */
static bool str_claim(jwt_t *jwt, const char *name, char *out, size_t max)
{
    const char *v = jwt_get_grant(jwt, name);
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n >= max)
        return false;
    memcpy(out, v, n + 1);
    return true;
}

/* The registered claims (RFC 7519 section 4.1): exp required and in the future, nbf (when
 * present) not after now, iat (when present) an integer; sub and sid required. */
static int check_claims(jwt_t *jwt, int64_t now, struct app_token *out, struct todo_err *err)
{
    long exp = 0, nbf = 0, iat = 0;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
    int has_exp = int_claim(jwt, "exp", &exp);
    int has_nbf = int_claim(jwt, "nbf", &nbf);
    if (has_exp < 0 || has_nbf < 0 || int_claim(jwt, "iat", &iat) < 0)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
    if (has_exp == 0 || exp <= 0 || exp > INT64_MAX / 1000 || (int64_t)exp * 1000 <= now)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "the token has expired; sign in again");
    if (has_nbf && nbf > now / 1000)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "the token is not valid yet");
    if (!str_claim(jwt, "sub", out->user_id, sizeof out->user_id) ||
        !str_claim(jwt, "sid", out->sid, sizeof out->sid))
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
    out->expires_at = (int64_t)exp * 1000;
    return TODO_OK;
}

int app_token_verify_claims(struct app *a, const char *token, struct app_token *out,
                            struct todo_err *err)
{
    assert(a && a->revoked && out && err);
    size_t len = token ? strnlen(token, TOKEN_MAX + 1) : 0;
    int64_t now = time_now_ms();
    struct app_token claims;
    if (len == 0 || len > TOKEN_MAX)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
    int cached = token_cache_get(a, token, len, now, &claims);
    if (cached < 0)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "the session has ended; sign in again");
    if (cached > 0) {
        *out = claims;
        return TODO_OK;
    }
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, a->jwt_secret, (int)a->jwt_secret_len) != 0 || !jwt)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
    int rc = check_claims(jwt, now, &claims, err);
    jwt_free(jwt);
    if (rc)
        return rc;
    uint64_t gen = app_revoked_generation(a->revoked); /* before the look-up: see add */
    if (app_revoked_has(a->revoked, claims.sid))
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "the session has ended; sign in again");
    token_cache_put(a, token, len, gen, &claims);
    *out = claims;
    return TODO_OK;
}

int app_token_verify(struct app *a, const char *token, char user_id[USER_ID_MAX],
                     struct todo_err *err)
{
    struct app_token t;
    int rc = app_token_verify_claims(a, token, &t, err);
    if (rc == TODO_OK)
        memcpy(user_id, t.user_id, USER_ID_MAX);
    return rc;
}
