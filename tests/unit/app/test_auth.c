/* Unit tests for accounts and tokens against a real SQLite store in a temp directory. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"

static char dir[64];
static store_t *store;
static struct app app;
static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";

static void setup(void)
{
    cr_assert(sodium_init() >= 0);
    snprintf(dir, sizeof dir, "/tmp/todo-auth-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_open(url, &store, &err), 0, "%s", err.message);
    int n;
    cr_assert_eq(store_migrate(store, &n, &err), 0);
    struct app_config cfg = {.jwt_secret = secret,
                             .jwt_secret_len = 32,
                             .token_ttl_ms = 3600000,
                             .login_limit_email = 3,
                             .login_limit_addr = 100};
    app_init(&app, store, &cfg);
}

static void teardown(void)
{
    app_release(&app);
    store_destroy(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static void signup(const char *email, struct app_session *s)
{
    json_t *body = json_pack("{s:s, s:s}", "email", email, "password", "correct horse");
    struct todo_err err;
    todo_err_clear(&err);
    memset(s, 0, sizeof *s);
    user_init(&s->user);
    cr_assert_eq(app_signup(&app, body, s, &err), 0, "%s", err.message);
    json_decref(body);
}

TestSuite(auth, .init = setup, .fini = teardown);

Test(auth, signup_token_verifies_to_the_user_and_again_from_the_cache)
{
    struct app_session s;
    signup("A@Example.com", &s);
    cr_assert_str_eq(s.user.email, "a@example.com");
    char uid[USER_ID_MAX];
    struct todo_err err;
    todo_err_clear(&err);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(app_token_verify(&app, s.token, uid, &err), 0);
        cr_assert_str_eq(uid, s.user.id);
    }
    app_session_release(&s);
}

Test(auth, a_changed_byte_is_refused_even_after_the_token_was_cached)
{
    struct app_session s;
    signup("b@example.com", &s);
    char uid[USER_ID_MAX];
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_token_verify(&app, s.token, uid, &err), 0);
    size_t n = strlen(s.token);
    s.token[n - 2] = s.token[n - 2] == 'A' ? 'B' : 'A';
    cr_assert_eq(app_token_verify(&app, s.token, uid, &err), TODO_ERR_UNAUTHORIZED);
    s.token[n - 1] = '\0';
    cr_assert_eq(app_token_verify(&app, s.token, uid, &err), TODO_ERR_UNAUTHORIZED);
    app_session_release(&s);
}

Test(auth, tokens_of_another_secret_and_alg_none_are_refused)
{
    char uid[USER_ID_MAX];
    struct todo_err err;
    todo_err_clear(&err);
    /* {"alg":"none","typ":"JWT"}.{"sub":"x","exp":4102444800}. */
    const char *none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
                       "eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.";
    cr_assert_eq(app_token_verify(&app, none, uid, &err), TODO_ERR_UNAUTHORIZED);
    cr_assert_eq(app_token_verify(&app, "", uid, &err), TODO_ERR_UNAUTHORIZED);
    cr_assert_eq(app_token_verify(&app, "a.b.c", uid, &err), TODO_ERR_UNAUTHORIZED);
}

Test(auth, login_checks_the_password_and_is_rate_limited_per_email)
{
    struct app_session s;
    signup("c@example.com", &s);
    app_session_release(&s);
    struct todo_err err;
    json_t *good = json_pack("{s:s, s:s}", "email", "c@example.com", "password", "correct horse");
    json_t *bad = json_pack("{s:s, s:s}", "email", "c@example.com", "password", "wrong horse");
    json_t *ghost = json_pack("{s:s, s:s}", "email", "nobody@example.com", "password", "x");
    memset(&s, 0, sizeof s);
    user_init(&s.user);
    todo_err_clear(&err);
    cr_assert_eq(app_login(&app, good, "127.0.0.1", &s, &err), 0);
    app_session_release(&s);
    todo_err_clear(&err);
    cr_assert_eq(app_login(&app, bad, "127.0.0.1", &s, &err), TODO_ERR_UNAUTHORIZED);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", err.message);
    todo_err_clear(&err);
    cr_assert_eq(app_login(&app, ghost, "127.0.0.1", &s, &err), TODO_ERR_UNAUTHORIZED);
    cr_assert_str_eq(err.message, msg, "unknown email and wrong password read the same");
    todo_err_clear(&err);
    cr_assert_eq(app_login(&app, bad, "127.0.0.1", &s, &err), TODO_ERR_UNAUTHORIZED);
    todo_err_clear(&err);
    cr_assert_eq(app_login(&app, good, "127.0.0.1", &s, &err), TODO_ERR_RATE_LIMITED);
    json_decref(good);
    json_decref(bad);
    json_decref(ghost);
}
