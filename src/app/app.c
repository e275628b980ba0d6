/* app.c - the application context shared by every entry point, and the translation of
 * storage results into error reports. */
#include "app/app_internal.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>

static void committed(void *arg)
{
    app_events_committed(arg);
}

void app_init(struct app *a, store_t *store, const struct app_config *cfg)
{
    static uint64_t next_id;
    memset(a, 0, sizeof *a);
    a->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
    a->store = store;
    size_t n =
        cfg->jwt_secret_len < sizeof a->jwt_secret ? cfg->jwt_secret_len : sizeof a->jwt_secret;
    memcpy(a->jwt_secret, cfg->jwt_secret, n);
    a->jwt_secret_len = n;
    a->token_ttl_ms = cfg->token_ttl_ms;
    snprintf(a->event_source, sizeof a->event_source, "/todo/%s", cfg->role ? cfg->role : "api");
    a->login_by_email = ratelimit_create(cfg->login_limit_email, 60000);
    a->login_by_addr = ratelimit_create(cfg->login_limit_addr, 60000);
    a->signup_by_addr = ratelimit_create(cfg->signup_limit_addr, 3600 * 1000LL); /* per hour */
    app_admission_init(&a->admission, APP_LANE_LOGIN_MAX, APP_LANE_SIGNUP_MAX);
    a->revoked = app_revoked_create();
    a->sched_hint = INT64_MAX;
    /* the relay wakes once per group-commit batch (docs/decisions/0022-group-commit.md) */
    store_write_on_commit(store, committed, a);
}

void app_release(struct app *a)
{
    if (a->store) { /* writes in flight still call into a: let them finish */
        store_write_drain(a->store);
        store_write_on_commit(a->store, NULL, NULL);
    }
    app_sessions_stop(a);
    app_revoked_destroy(a->revoked);
    ratelimit_destroy(a->signup_by_addr);
    ratelimit_destroy(a->login_by_email);
    ratelimit_destroy(a->login_by_addr);
    memset(a, 0, sizeof *a);
}

int app_store_error(struct app *a, int rc, struct todo_err *err)
{
    switch (rc) {
    case TODO_OK:
        return TODO_OK;
    case TODO_ERR_NOT_FOUND:
        return todo_err_set(err, rc, "no such task");
    case TODO_ERR_PRECONDITION:
        return todo_err_set(err, rc, "the task has changed since the version in If-Match");
    case TODO_ERR_CONFLICT:
        return todo_err_set(err, rc, "conflict");
    case TODO_ERR_BUSY:
    case TODO_ERR_UNAVAILABLE:
        log_msg(LOG_WARN, "database unavailable: %s", store_last_error(a->store));
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "the database is unavailable; retry");
    default:
        log_msg(LOG_ERROR, "database error: %s", store_last_error(a->store));
        return todo_err_set(err, TODO_ERR_INTERNAL, "internal error");
    }
}
