/* auth.c - accounts: signup, login, profile, and bearer tokens.
 * Passwords are hashed with argon2id (libsodium's interactive limits); tokens are HS256
 * JWTs (libjwt) with sub = user id and exp. Unknown email and wrong password take the same
 * time and give the same answer, so login does not reveal which emails exist. */
#include "app/app.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/uuid.h"
#include "base/xalloc.h"
#include "core/tz.h"

#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void app_session_release(struct app_session *s)
{
    free(s->token);
    s->token = NULL;
    user_release(&s->user);
}

static int issue_token(struct app *a, const struct user *u, struct app_session *out,
                       struct todo_err *err)
{
    int64_t now = time_now_ms();
    int64_t exp = now + a->token_ttl_ms;
    jwt_t *jwt = NULL;
    char *token = NULL;
    if (jwt_new(&jwt) != 0)
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot create a token");
    if (jwt_add_grant(jwt, "sub", u->id) || jwt_add_grant_int(jwt, "iat", (long)(now / 1000)) ||
        jwt_add_grant_int(jwt, "exp", (long)(exp / 1000)) ||
        jwt_set_alg(jwt, JWT_ALG_HS256, a->jwt_secret, (int)a->jwt_secret_len))
        goto out_free_jwt;
    token = jwt_encode_str(jwt);
out_free_jwt:
    jwt_free(jwt);
    if (!token)
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot sign a token");
    out->token = xstrdup(token);
    free(token);
    out->expires_at = exp - exp % 1000;
    return TODO_OK;
}

static const char *json_str(json_t *body, const char *key)
{
    json_t *v = json_object_get(body, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int app_signup(struct app *a, json_t *body, struct app_session *out, struct todo_err *err)
{
    static const char *const extra[] = {"email", "password", NULL};
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    struct user u;
    user_init(&u);
    char email[USER_EMAIL_MAX + 1];
    const char *email_in = json_str(body, "email");
    const char *password = json_str(body, "password");
    if (!email_in)
        todo_err_field(err, "email", "email is required and must be a string");
    else
        user_email_normalize(email_in, email, sizeof email, err);
    if (!password)
        todo_err_field(err, "password", "password is required and must be a string");
    else if (strlen(password) > USER_PASSWORD_MAX)
        todo_err_field(err, "password", "password is longer than %d bytes", USER_PASSWORD_MAX);
    else if (json_string_length(json_object_get(body, "password")) != strlen(password))
        todo_err_field(err, "password", "password must not contain NUL characters");
    else if (utf8_length(password) < USER_PASSWORD_MIN)
        todo_err_field(err, "password", "password must be at least %d characters",
                       USER_PASSWORD_MIN);
    if (err->rc == TODO_OK)
        user_apply_profile(&u, body, extra, err);
    if (err->rc != TODO_OK) {
        user_release(&u);
        return err->rc;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        user_release(&u);
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "out of memory hashing the password");
    }
    uuid_v7(u.id);
    u.email = xstrdup(email);
    u.password_hash = xstrdup(hash);
    u.created_at = time_now_ms();
    int rc = store_user_insert(a->store, &u);
    if (rc == TODO_ERR_CONFLICT) {
        user_release(&u);
        return todo_err_set(err, TODO_ERR_CONFLICT, "an account with this email already exists");
    }
    if (rc) {
        user_release(&u);
        return app_store_error(a, rc, err);
    }
    rc = issue_token(a, &u, out, err);
    if (rc) {
        user_release(&u);
        return rc;
    }
    user_release(&out->user); /* the caller's initialised, empty user */
    out->user = u;
    return TODO_OK;
}

int app_login(struct app *a, json_t *body, const char *remote, struct app_session *out,
              struct todo_err *err)
{
    static char dummy_hash[crypto_pwhash_STRBYTES];
    static int dummy_ready;
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    const char *email_in = json_str(body, "email");
    const char *password = json_str(body, "password");
    if (!email_in)
        todo_err_field(err, "email", "email is required and must be a string");
    if (!password)
        todo_err_field(err, "password", "password is required and must be a string");
    if (err->rc)
        return err->rc;
    int64_t now = time_now_ms();
    char email[USER_EMAIL_MAX + 1];
    struct todo_err ignored;
    todo_err_clear(&ignored);
    if (user_email_normalize(email_in, email, sizeof email, &ignored) != TODO_OK)
        snprintf(email, sizeof email, "%.*s", USER_EMAIL_MAX, email_in);
    if (!ratelimit_allow(a->login_by_addr, remote, now) ||
        !ratelimit_allow(a->login_by_email, email, now))
        return todo_err_set(err, TODO_ERR_RATE_LIMITED,
                            "too many login attempts; wait a minute and try again");
    if (!__atomic_load_n(&dummy_ready, __ATOMIC_ACQUIRE)) {
        /* a hash to verify against when the email is unknown, so both paths cost the same */
        char h[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(h, "not a password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0) {
            memcpy(dummy_hash, h, sizeof h);
            __atomic_store_n(&dummy_ready, 1, __ATOMIC_RELEASE);
        }
    }
    struct user u;
    user_init(&u);
    int rc = store_user_get_by_email(a->store, email, &u);
    if (rc && rc != TODO_ERR_NOT_FOUND) {
        user_release(&u);
        return app_store_error(a, rc, err);
    }
    const char *hash = rc == TODO_OK ? u.password_hash : dummy_hash;
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && rc == TODO_OK;
    if (!ok) {
        user_release(&u);
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "wrong email or password");
    }
    rc = issue_token(a, &u, out, err);
    if (rc) {
        user_release(&u);
        return rc;
    }
    user_release(&out->user); /* the caller's initialised, empty user */
    out->user = u;
    return TODO_OK;
}

/* Each worker thread remembers the last few tokens it verified: clients send the same token
 * on every request, and decoding plus HMAC was ~11% of a GET. A hit needs the identical
 * token bytes (compared in constant time) and is still checked for expiry. */
#define TOKEN_CACHE_SLOTS 8
#define TOKEN_CACHE_MAX   640

struct token_cache_entry {
    uint64_t app_id; /* tokens are only valid for the secret they were checked with */
    size_t len;
    int64_t exp_ms;
    char user_id[USER_ID_MAX];
    char token[TOKEN_CACHE_MAX];
};

static _Thread_local struct token_cache_entry token_cache[TOKEN_CACHE_SLOTS];
static _Thread_local unsigned token_cache_next;

static bool token_cache_get(const struct app *a, const char *token, size_t len, int64_t now,
                            char user_id[USER_ID_MAX])
{
    for (int i = 0; i < TOKEN_CACHE_SLOTS; i++) {
        struct token_cache_entry *e = &token_cache[i];
        if (e->app_id == a->id && e->len == len && e->exp_ms > now &&
            sodium_memcmp(e->token, token, len) == 0) {
            memcpy(user_id, e->user_id, USER_ID_MAX);
            return true;
        }
    }
    return false;
}

static void token_cache_put(const struct app *a, const char *token, size_t len, int64_t exp_ms,
                            const char *user_id)
{
    if (len > TOKEN_CACHE_MAX)
        return;
    struct token_cache_entry *e = &token_cache[token_cache_next++ % TOKEN_CACHE_SLOTS];
    e->app_id = a->id;
    e->len = len;
    e->exp_ms = exp_ms;
    snprintf(e->user_id, sizeof e->user_id, "%s", user_id);
    memcpy(e->token, token, len);
}

int app_token_verify(struct app *a, const char *token, char user_id[USER_ID_MAX],
                     struct todo_err *err)
{
    size_t token_len = token ? strlen(token) : 0;
    int64_t now = time_now_ms();
    if (token_len && token_cache_get(a, token, token_len, now, user_id))
        return TODO_OK;
    jwt_t *jwt = NULL;
    if (!token || !*token || strlen(token) > 4096 ||
        jwt_decode(&jwt, token, a->jwt_secret, (int)a->jwt_secret_len) != 0 || !jwt)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
    int rc = TODO_OK;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        rc = todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
        goto out_free_jwt;
    }
    long exp = jwt_get_grant_int(jwt, "exp");
    if (exp <= 0 || (int64_t)exp * 1000 <= now) {
        rc = todo_err_set(err, TODO_ERR_UNAUTHORIZED, "the token has expired; sign in again");
        goto out_free_jwt;
    }
    const char *sub = jwt_get_grant(jwt, "sub");
    if (!sub || !*sub || strlen(sub) >= USER_ID_MAX) {
        rc = todo_err_set(err, TODO_ERR_UNAUTHORIZED, "invalid token");
        goto out_free_jwt;
    }
    memcpy(user_id, sub, strlen(sub) + 1);
    token_cache_put(a, token, token_len, (int64_t)exp * 1000, user_id);
out_free_jwt:
    jwt_free(jwt);
    return rc;
}

int app_me_get(struct app *a, const char *user_id, struct user *out, struct todo_err *err)
{
    int rc = store_user_get_by_id(a->store, user_id, out);
    if (rc == TODO_ERR_NOT_FOUND)
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "the account no longer exists");
    return app_store_error(a, rc, err);
}

int app_me_update(struct app *a, const char *user_id, json_t *body, struct user *out,
                  struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    int rc = app_me_get(a, user_id, out, err);
    if (rc)
        return rc;
    rc = user_apply_profile(out, body, NULL, err);
    if (rc)
        return rc;
    rc = store_user_update(a->store, out);
    return app_store_error(a, rc, err);
}
