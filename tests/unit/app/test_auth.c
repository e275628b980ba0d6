/* Unit tests for accounts, tokens and sessions against a real SQLite store in a temp
 * directory; the thread tests are meant for ThreadSanitizer too. */
#include <criterion/criterion.h>
#include <jwt.h>
#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "base/timeutil.h"

#include "app_fixture.h"

static void setup(void)
{
    cr_assert(sodium_init() >= 0);
    struct app_config cfg = {.login_limit_email = 3, .login_limit_addr = 100};
    app_fixture_open_with("auth", &cfg);
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

TestSuite(auth, .init = setup, .fini = app_fixture_close);

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

/* --- tokens: claims, the Authorization header, revocation (docs/decisions/0016) --- */

/* A token signed with the app's secret, with the given claims (0 / NULL: left out). */
static char *sign(const char *sub, const char *sid, long exp, long nbf)
{
    jwt_t *jwt = NULL;
    cr_assert_eq(jwt_new(&jwt), 0);
    if (sub)
        jwt_add_grant(jwt, "sub", sub);
    if (sid)
        jwt_add_grant(jwt, "sid", sid);
    if (exp)
        jwt_add_grant_int(jwt, "exp", exp);
    if (nbf)
        jwt_add_grant_int(jwt, "nbf", nbf);
    jwt_set_alg(jwt, JWT_ALG_HS256, secret, 32);
    char *t = jwt_encode_str(jwt);
    jwt_free(jwt);
    cr_assert_not_null(t);
    return t;
}

Test(auth, a_token_whose_nbf_is_in_the_future_is_refused_and_a_past_nbf_is_fine)
{
    long now = (long)time(NULL);
    char *future = sign("u1", "s1", now + 3600, now + 600);
    char *past = sign("u1", "s1", now + 3600, now - 10);
    char uid[USER_ID_MAX];
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_token_verify(&app, future, uid, &err), TODO_ERR_UNAUTHORIZED);
    todo_err_clear(&err);
    cr_assert_eq(app_token_verify(&app, past, uid, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(uid, "u1");
    /* and the future one still is, now that the past one is cached */
    cr_assert_eq(app_token_verify(&app, future, uid, &err), TODO_ERR_UNAUTHORIZED);
    free(future);
    free(past);
}

Test(auth, a_token_without_sid_or_without_exp_is_refused)
{
    long now = (long)time(NULL);
    char *no_sid = sign("u1", NULL, now + 3600, 0);
    char *no_exp = sign("u1", "s1", 0, 0);
    char uid[USER_ID_MAX];
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_token_verify(&app, no_sid, uid, &err), TODO_ERR_UNAUTHORIZED);
    cr_assert_eq(app_token_verify(&app, no_exp, uid, &err), TODO_ERR_UNAUTHORIZED);
    free(no_sid);
    free(no_exp);
}

static int bearer(const char *header, char *out, size_t n)
{
    const char *t = NULL;
    size_t len = 0;
    struct todo_err err;
    todo_err_clear(&err);
    int rc = app_bearer_token(header, &t, &len, &err);
    if (rc == TODO_OK)
        snprintf(out, n, "%.*s", (int)len, t);
    return rc;
}

Test(auth, bearer_is_followed_by_spaces_or_tabs_and_anything_ambiguous_is_refused)
{
    char tok[64];
    const char *ok[][2] = {
        {"Bearer abc.def-_~+/==", "abc.def-_~+/=="},
        {"Bearer\tabc", "abc"},
        {"bearer  \t abc \t", "abc"},
        {"BEARER abc", "abc"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_assert_eq(bearer(ok[i][0], tok, sizeof tok), TODO_OK, "%s", ok[i][0]);
        cr_assert_str_eq(tok, ok[i][1]);
    }
    const char *bad[] = {NULL,
                         "",
                         "Bearer",
                         "Bearer ",
                         "Bearer\t",
                         "Bearerabc",
                         "Basic abc",
                         "Bearer a b",
                         "Bearer a,b",
                         "Bearer a=b",
                         "Bearer ==",
                         "Bearer a\n",
                         "Bearer \"a\"",
                         "Bearer a;b",
                         "Bearer\x0b"
                         "a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(bearer(bad[i], tok, sizeof tok), TODO_ERR_UNAUTHORIZED, "%s",
                     bad[i] ? bad[i] : "(null)");
}

static struct app_token claims_of(const char *token)
{
    struct app_token t;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_token_verify_claims(&app, token, &t, &err), TODO_OK, "%s", err.message);
    return t;
}

static int verify(struct app *a, const char *token)
{
    char uid[USER_ID_MAX];
    struct todo_err err;
    todo_err_clear(&err);
    return app_token_verify(a, token, uid, &err);
}

static void login(const char *email, const char *password, struct app_session *s)
{
    json_t *body = json_pack("{s:s, s:s}", "email", email, "password", password);
    struct todo_err err;
    todo_err_clear(&err);
    memset(s, 0, sizeof *s);
    user_init(&s->user);
    cr_assert_eq(app_login(&app, body, "127.0.0.1", s, &err), 0, "%s", err.message);
    json_decref(body);
}

Test(auth, logout_refuses_that_token_at_once_even_after_it_was_cached)
{
    struct app_session s, other;
    signup("lo@example.com", &s);
    login("lo@example.com", "correct horse", &other);
    cr_assert_eq(verify(&app, s.token), TODO_OK); /* now in this thread's cache */
    struct app_token t = claims_of(s.token);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_logout(&app, &t, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(verify(&app, s.token), TODO_ERR_UNAUTHORIZED);
    cr_assert_eq(verify(&app, other.token), TODO_OK, "the other session goes on");
    app_session_release(&s);
    app_session_release(&other);
}

Test(auth, logout_all_ends_every_session_of_the_user_and_no_one_elses)
{
    struct app_session a1, a2, b;
    signup("all@example.com", &a1);
    login("all@example.com", "correct horse", &a2);
    signup("bystander@example.com", &b);
    cr_assert_eq(verify(&app, a2.token), TODO_OK);
    struct app_token t = claims_of(a1.token);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_logout_all(&app, &t, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(verify(&app, a1.token), TODO_ERR_UNAUTHORIZED);
    cr_assert_eq(verify(&app, a2.token), TODO_ERR_UNAUTHORIZED);
    cr_assert_eq(verify(&app, b.token), TODO_OK);
    app_session_release(&a1);
    app_session_release(&a2);
    app_session_release(&b);
}

static int change_password(const char *token, const char *current, const char *next,
                           struct app_session *out, struct todo_err *err)
{
    struct app_token t = claims_of(token);
    json_t *body = json_pack("{s:s, s:s}", "current_password", current, "new_password", next);
    memset(out, 0, sizeof *out);
    user_init(&out->user);
    todo_err_clear(err);
    int rc = app_password_change(&app, &t, body, out, err);
    json_decref(body);
    return rc;
}

Test(auth, password_change_ends_other_sessions_and_keeps_the_callers_with_a_fresh_token)
{
    struct app_session me, other, fresh;
    signup("pw@example.com", &me);
    login("pw@example.com", "correct horse", &other);
    cr_assert_eq(verify(&app, other.token), TODO_OK);
    struct todo_err err;
    cr_assert_eq(change_password(me.token, "wrong horse", "new battery", &fresh, &err),
                 TODO_ERR_VALIDATION);
    app_session_release(&fresh);
    cr_assert_str_eq(err.details[0].field, "current_password");
    cr_assert_eq(verify(&app, other.token), TODO_OK, "a refused change ends nothing");
    cr_assert_eq(change_password(me.token, "correct horse", "short", &fresh, &err),
                 TODO_ERR_VALIDATION);
    app_session_release(&fresh);
    cr_assert_str_eq(err.details[0].field, "new_password");
    cr_assert_eq(change_password(me.token, "correct horse", "new battery", &fresh, &err), TODO_OK,
                 "%s", err.message);
    cr_assert_eq(verify(&app, other.token), TODO_ERR_UNAUTHORIZED);
    cr_assert_eq(verify(&app, fresh.token), TODO_OK);
    cr_assert_str_eq(claims_of(fresh.token).sid, claims_of(me.token).sid, "the same session");
    cr_assert_str_eq(fresh.user.id, me.user.id);
    app_session_release(&fresh);
    /* the stored hash is the new password's */
    struct user u;
    user_init(&u);
    cr_assert_eq(store_user_get_by_id(store, me.user.id, &u), TODO_OK);
    cr_assert_eq(crypto_pwhash_str_verify(u.password_hash, "new battery", 11), 0);
    cr_assert_neq(crypto_pwhash_str_verify(u.password_hash, "correct horse", 13), 0);
    user_release(&u);
    app_session_release(&me);
    app_session_release(&other);
}

/* A second app over the same database and secret: another replica. */
static void replica(struct app *r)
{
    struct app_config cfg = {.jwt_secret = secret, .jwt_secret_len = 32, .token_ttl_ms = 3600000};
    app_init(r, store, &cfg);
}

Test(auth, a_replica_refuses_a_session_ended_elsewhere_after_its_next_refresh)
{
    struct app other;
    replica(&other);
    struct app_session s;
    signup("rep@example.com", &s);
    cr_assert_eq(verify(&other, s.token), TODO_OK);
    struct app_token t = claims_of(s.token);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_logout(&app, &t, &err), TODO_OK);
    cr_assert_eq(app_sessions_refresh(&other), TODO_OK);
    cr_assert_eq(verify(&other, s.token), TODO_ERR_UNAUTHORIZED);
    app_session_release(&s);
    app_release(&other);
}

Test(auth, the_watcher_of_a_replica_picks_up_a_logout_within_seconds)
{
    struct app other;
    replica(&other);
    cr_assert_eq(app_sessions_start(&other), TODO_OK);
    struct app_session s;
    signup("watch@example.com", &s);
    cr_assert_eq(verify(&other, s.token), TODO_OK);
    struct app_token t = claims_of(s.token);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_logout(&app, &t, &err), TODO_OK);
    int64_t until = time_now_ms() + 10 * APP_SESSIONS_REFRESH_MS;
    while (verify(&other, s.token) == TODO_OK && time_now_ms() < until)
        sched_yield(); /* polling with a deadline, for the watcher's next refresh */
    cr_assert_eq(verify(&other, s.token), TODO_ERR_UNAUTHORIZED);
    app_session_release(&s);
    app_release(&other); /* stops the watcher */
}

Test(auth, revoked_sessions_are_forgotten_once_their_tokens_expired)
{
    struct app_revoked *rv = app_revoked_create();
    uint64_t g0 = app_revoked_generation(rv);
    cr_assert(app_revoked_add(rv, "a", 1000));
    cr_assert(app_revoked_add(rv, "b", 5000));
    cr_assert_not(app_revoked_add(rv, "a", 2000), "already there: no new generation");
    cr_assert_eq(app_revoked_generation(rv), g0 + 2);
    cr_assert_eq(app_revoked_prune(rv, 2000), 1, "a lives until its latest expiry, 2000");
    cr_assert_not(app_revoked_has(rv, "a"));
    cr_assert(app_revoked_has(rv, "b"));
    cr_assert_eq(app_revoked_prune(rv, 5000), 0);
    app_revoked_destroy(rv);
}

/* --- several threads: the per-thread caches against revocations, the dummy hash --- */

#define N_THREADS  4
#define N_SESSIONS 16

static struct app_session sessions[N_SESSIONS];
static int revoked_upto;   /* atomic: sessions[0..revoked_upto) are logged out */
static int stale_accepts;  /* atomic: a revoked token accepted after its logout returned */
static int wrong_refusals; /* atomic: a live token refused */
static int stop_threads;   /* atomic */

static void *verify_loop(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!__atomic_load_n(&stop_threads, __ATOMIC_ACQUIRE)) {
        int upto = __atomic_load_n(&revoked_upto, __ATOMIC_ACQUIRE);
        int i = (int)(rand_r(&seed) % N_SESSIONS);
        int rc = verify(&app, sessions[i].token);
        if (i < upto && rc == TODO_OK)
            __atomic_add_fetch(&stale_accepts, 1, __ATOMIC_RELAXED);
        /* a live one may only be refused when its logout raced this call */
        if (rc != TODO_OK && i >= __atomic_load_n(&revoked_upto, __ATOMIC_ACQUIRE) + 1)
            __atomic_add_fetch(&wrong_refusals, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

Test(auth, token_caches_of_many_threads_refuse_a_session_once_its_logout_returned)
{
    char email[64];
    for (int i = 0; i < N_SESSIONS; i++) {
        snprintf(email, sizeof email, "threads%d@example.com", i);
        signup(email, &sessions[i]);
    }
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, verify_loop, (void *)(uintptr_t)(i + 1)), 0);
    for (int i = 0; i < N_SESSIONS; i++) {
        struct app_token t = claims_of(sessions[i].token);
        struct todo_err err;
        todo_err_clear(&err);
        cr_assert_eq(app_logout(&app, &t, &err), TODO_OK);
        __atomic_store_n(&revoked_upto, i + 1, __ATOMIC_RELEASE);
        for (int spin = 0; spin < 200; spin++)
            sched_yield(); /* let the readers run between logouts */
    }
    __atomic_store_n(&stop_threads, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(stale_accepts, 0);
    cr_assert_eq(wrong_refusals, 0);
    for (int i = 0; i < N_SESSIONS; i++)
        app_session_release(&sessions[i]);
}

static void *login_unknown(void *arg)
{
    (void)arg;
    json_t *body = json_pack("{s:s, s:s}", "email", "nobody@example.com", "password", "guess");
    struct app_session s = {0};
    user_init(&s.user);
    struct todo_err err;
    todo_err_clear(&err);
    int rc = app_login(&app, body, "127.0.0.1", &s, &err);
    json_decref(body);
    app_session_release(&s);
    return (void *)(intptr_t)rc;
}

/* The first logins of a process all need the dummy hash: made once (pthread_once), never
 * read half written (ThreadSanitizer reported the race before). */
Test(auth, first_logins_from_several_threads_share_one_dummy_hash)
{
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, login_unknown, NULL), 0);
    for (int i = 0; i < 3; i++) {
        void *rc;
        pthread_join(th[i], &rc);
        cr_assert_eq((intptr_t)rc, TODO_ERR_UNAUTHORIZED);
    }
}
