/* auth.c - accounts: sign-up, login, profile, password change and sign-out.
 * Passwords are hashed with argon2id (libsodium's interactive limits, docs/decisions/0003);
 * every login or sign-up starts a session, a row whose id is the token's sid, and sign-out
 * revokes sessions (docs/decisions/0016-token-revocation.md). Unknown email and wrong
 * password take the same time and give the same answer, so login does not reveal which
 * emails exist. Tokens themselves are token.c's. */
#include "app/app_internal.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/uuid.h"
#include "base/xalloc.h"

#include <assert.h>
#include <pthread.h>
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

static const char *json_str(json_t *body, const char *key)
{
    json_t *v = json_object_get(body, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The rules of a new password (sign-up and change): a string of 8 characters to 1024
 * bytes without NUL. Adds a field detail to err when it breaks one. */
static void check_new_password(json_t *body, const char *field, struct todo_err *err)
{
    const char *password = json_str(body, field);
    if (!password)
        todo_err_field(err, field, "%s is required and must be a string", field);
    else if (strlen(password) > USER_PASSWORD_MAX)
        todo_err_field(err, field, "%s is longer than %d bytes", field, USER_PASSWORD_MAX);
    else if (json_string_length(json_object_get(body, field)) != strlen(password))
        todo_err_field(err, field, "%s must not contain NUL characters", field);
    else if (utf8_length(password) < USER_PASSWORD_MIN)
        todo_err_field(err, field, "%s must be at least %d characters", field, USER_PASSWORD_MIN);
}

static int hash_password(const char *password, char hash[crypto_pwhash_STRBYTES],
                         struct todo_err *err)
{
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "out of memory hashing the password");
    return TODO_OK;
}

/* Starts a session for u: a new sid, its row, and a token for it. */
static int start_session(struct app *a, const struct user *u, struct app_session *out,
                         struct todo_err *err)
{
    char sid[33];
    random_hex(sid, 16);
    int64_t now = time_now_ms();
    int rc = app_token_issue(a, u, sid, now, out, err);
    if (rc)
        return rc;
    rc = store_session_insert(a->store, sid, u->id, now, out->expires_at);
    if (rc) {
        free(out->token);
        out->token = NULL;
        return app_store_error(a, rc, err);
    }
    return TODO_OK;
}

int app_signup_gate(struct app *a, const char *remote, int64_t *retry_after_s, struct todo_err *err)
{
    assert(a && remote && retry_after_s);
    char key[64];
    ratelimit_addr_key(remote, key, sizeof key);
    int64_t now = time_now_ms();
    if (ratelimit_allow(a->signup_by_addr, key, now))
        return TODO_OK;
    int64_t wait = ratelimit_wait_ms(a->signup_by_addr, key, now);
    *retry_after_s = wait / 1000 + 1;
    return todo_err_set(err, TODO_ERR_RATE_LIMITED,
                        "too many sign-ups from this network; try again later");
}

/* Inserts the new user and its first session in one transaction. */
static int insert_account(struct app *a, struct user *u, struct app_session *out,
                          struct todo_err *err)
{
    int rc = store_begin(a->store);
    if (rc)
        return app_store_error(a, rc, err);
    rc = store_user_insert(a->store, u);
    if (rc == TODO_ERR_CONFLICT) {
        store_rollback(a->store);
        return todo_err_set(err, TODO_ERR_CONFLICT, "an account with this email already exists");
    }
    if (rc == TODO_OK && start_session(a, u, out, err) != TODO_OK) {
        store_rollback(a->store);
        return err->rc;
    }
    if (rc == TODO_OK)
        rc = store_commit(a->store);
    else
        store_rollback(a->store);
    if (rc) {
        free(out->token);
        out->token = NULL;
        return app_store_error(a, rc, err);
    }
    return TODO_OK;
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
    if (!email_in)
        todo_err_field(err, "email", "email is required and must be a string");
    else
        user_email_normalize(email_in, email, sizeof email, err);
    check_new_password(body, "password", err);
    if (err->rc == TODO_OK)
        user_apply_profile(&u, body, extra, err);
    char hash[crypto_pwhash_STRBYTES];
    if (err->rc != TODO_OK || hash_password(json_str(body, "password"), hash, err)) {
        user_release(&u);
        return err->rc;
    }
    uuid_v7(u.id);
    u.email = xstrdup(email);
    u.password_hash = xstrdup(hash);
    u.created_at = time_now_ms();
    int rc = insert_account(a, &u, out, err);
    if (rc) {
        user_release(&u);
        return rc;
    }
    user_release(&out->user); /* the caller's initialised, empty user */
    out->user = u;
    return TODO_OK;
}

/* A hash to verify against when the email is unknown, so both paths cost the same. Made
 * once, by whichever login comes first (pthread_once: no thread sees it half written). */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_hash_init(void)
{
    if (crypto_pwhash_str(dummy_hash, "not a password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        abort(); /* out of memory, as xmalloc would */
}

/* Verifies password against hash (or the dummy hash when hash is NULL): true when right. */
static bool password_ok(const char *hash, const char *password)
{
    pthread_once(&dummy_once, dummy_hash_init);
    bool ok = crypto_pwhash_str_verify(hash ? hash : dummy_hash, password, strlen(password)) == 0;
    return ok && hash;
}

int app_login(struct app *a, json_t *body, const char *remote, struct app_session *out,
              struct todo_err *err)
{
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
    char email[USER_EMAIL_MAX + 1], addr[64];
    struct todo_err ignored;
    todo_err_clear(&ignored);
    if (user_email_normalize(email_in, email, sizeof email, &ignored) != TODO_OK)
        snprintf(email, sizeof email, "%.*s", USER_EMAIL_MAX, email_in);
    ratelimit_addr_key(remote, addr, sizeof addr);
    if (!ratelimit_allow(a->login_by_addr, addr, now) ||
        !ratelimit_allow(a->login_by_email, email, now))
        return todo_err_set(err, TODO_ERR_RATE_LIMITED,
                            "too many login attempts; wait a minute and try again");
    struct user u;
    user_init(&u);
    int rc = store_user_get_by_email(a->store, email, &u);
    if (rc && rc != TODO_ERR_NOT_FOUND) {
        user_release(&u);
        return app_store_error(a, rc, err);
    }
    if (!password_ok(rc == TODO_OK ? u.password_hash : NULL, password)) {
        user_release(&u);
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "wrong email or password");
    }
    rc = start_session(a, &u, out, err);
    if (rc) {
        user_release(&u);
        return rc;
    }
    user_release(&out->user); /* the caller's initialised, empty user */
    out->user = u;
    return TODO_OK;
}

/* The body of a password change: exactly current_password and new_password. */
static int check_password_body(json_t *body, struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    if (!json_str(body, "current_password"))
        todo_err_field(err, "current_password",
                       "current_password is required and must be a string");
    check_new_password(body, "new_password", err);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "current_password") != 0 && strcmp(key, "new_password") != 0)
            todo_err_field(err, key, "unknown field");
    }
    return err->rc;
}

/* Stores the new hash, ends every other session and extends the caller's, atomically. */
static int store_password_change(struct app *a, const struct app_token *t, const char *hash,
                                 int64_t expires_at)
{
    int rc = store_begin(a->store);
    if (rc)
        return rc;
    rc = store_user_set_password(a->store, t->user_id, hash);
    if (rc == TODO_OK)
        rc = store_sessions_revoke_user(a->store, t->user_id, t->sid, time_now_ms(), NULL);
    if (rc == TODO_OK)
        rc = store_session_extend(a->store, t->sid, expires_at);
    if (rc == TODO_OK)
        return store_commit(a->store);
    store_rollback(a->store);
    return rc;
}

int app_password_change(struct app *a, const struct app_token *t, json_t *body,
                        struct app_session *out, struct todo_err *err)
{
    assert(a && t && out);
    if (check_password_body(body, err))
        return err->rc;
    if (app_revoked_has(a->revoked, t->sid)) /* signed out while this waited for the pool */
        return todo_err_set(err, TODO_ERR_UNAUTHORIZED, "the session has ended; sign in again");
    struct user u;
    user_init(&u);
    int rc = app_me_get(a, t->user_id, &u, err);
    if (rc)
        goto out_release_user;
    if (!ratelimit_allow(a->login_by_email, u.email, time_now_ms())) {
        rc = todo_err_set(err, TODO_ERR_RATE_LIMITED,
                          "too many password attempts; wait a minute and try again");
        goto out_release_user;
    }
    if (!password_ok(u.password_hash, json_str(body, "current_password"))) {
        rc = todo_err_field(err, "current_password", "the current password is not right");
        goto out_release_user;
    }
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(json_str(body, "new_password"), hash, err);
    if (rc == TODO_OK)
        rc = app_token_issue(a, &u, t->sid, time_now_ms(), out, err);
    if (rc)
        goto out_release_user;
    rc = store_password_change(a, t, hash, out->expires_at);
    if (rc) {
        free(out->token);
        out->token = NULL;
        rc = app_store_error(a, rc, err);
        goto out_release_user;
    }
    app_sessions_refresh(a); /* this replica at once; the others within a refresh period */
    free(u.password_hash);
    u.password_hash = NULL;
    user_release(&out->user); /* the caller's initialised, empty user */
    out->user = u;
    return TODO_OK;
out_release_user:
    user_release(&u);
    return rc;
}

int app_logout(struct app *a, const struct app_token *t, struct todo_err *err)
{
    assert(a && t);
    int rc = store_session_revoke(a->store, t->sid, t->user_id, t->expires_at, time_now_ms());
    if (rc)
        return app_store_error(a, rc, err);
    app_revoked_add(a->revoked, t->sid, t->expires_at); /* this replica at once */
    return TODO_OK;
}

int app_logout_all(struct app *a, const struct app_token *t, struct todo_err *err)
{
    assert(a && t);
    int64_t now = time_now_ms();
    int rc = store_begin(a->store);
    if (rc == TODO_OK)
        rc = store_sessions_revoke_user(a->store, t->user_id, NULL, now, NULL);
    if (rc == TODO_OK) /* the caller's, also when its row is gone */
        rc = store_session_revoke(a->store, t->sid, t->user_id, t->expires_at, now);
    if (rc == TODO_OK)
        rc = store_commit(a->store);
    else
        store_rollback(a->store);
    if (rc)
        return app_store_error(a, rc, err);
    app_revoked_add(a->revoked, t->sid, t->expires_at);
    app_sessions_refresh(a); /* the other sessions, on this replica at once */
    return TODO_OK;
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
