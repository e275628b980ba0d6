/* store_sessions.c - sessions (one row per token sid) and password changes, over the driver.
 * The one idea: revocation is a timestamp on the session's row, never a delete, so replicas
 * can read "what was revoked lately" with one indexed range query (sessions_revoked) and
 * keep it in memory; rows are deleted only after every token of theirs has expired
 * (docs/decisions/0016-token-revocation.md). */
#include <assert.h>
#include <string.h>

#include "store/store_internal.h"

int store_ops_user_set_password(struct store_conn *c, const char *user_id, const char *hash)
{
    assert(user_id && hash);
    struct store_op op;
    int64_t changes = 0;
    struct sqlb_value p[] = {V_TEXT(hash), V_TEXT(user_id)};
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run(c, ST_USER_SET_PASSWORD, p, N_OF(p), &changes);
    if (rc == TODO_OK && changes == 0)
        rc = store_conn_error(c, TODO_ERR_NOT_FOUND, "user not found");
    return store_op_end(c, &op, rc);
}

/* One statement that writes: its own savepoint inside a caller's transaction. */
static int run_write(struct store_conn *c, int stmt, const struct sqlb_value *p, int n,
                     int64_t *changes)
{
    if (!c->in_tx)
        return store_run(c, stmt, p, n, changes);
    struct store_op op;
    int rc = store_op_begin(c, true, &op);
    if (rc != TODO_OK)
        return rc;
    rc = store_run(c, stmt, p, n, changes);
    return store_op_end(c, &op, rc);
}

int store_ops_session_insert(struct store_conn *c, const char *sid, const char *user_id,
                             int64_t created_at, int64_t expires_at)
{
    assert(sid && *sid && user_id && *user_id);
    struct sqlb_value p[] = {V_TEXT(sid), V_TEXT(user_id), V_INT(created_at), V_INT(expires_at)};
    return run_write(c, ST_SESSION_INSERT, p, N_OF(p), NULL);
}

int store_ops_session_revoke(struct store_conn *c, const char *sid, const char *user_id,
                             int64_t expires_at, int64_t now_ms)
{
    assert(sid && *sid && user_id && *user_id);
    struct sqlb_value p[] = {V_TEXT(sid), V_TEXT(user_id), V_INT(now_ms), V_INT(expires_at),
                             V_INT(now_ms)};
    return run_write(c, ST_SESSION_REVOKE, p, N_OF(p), NULL);
}

int store_ops_sessions_revoke_user(struct store_conn *c, const char *user_id,
                                   const char *except_sid, int64_t now_ms, int64_t *n)
{
    assert(user_id && *user_id);
    int64_t changes = 0;
    struct sqlb_value p[] = {V_INT(now_ms), V_TEXT(user_id), V_TEXT(except_sid ? except_sid : "")};
    int rc = run_write(c, ST_SESSIONS_REVOKE_USER, p, N_OF(p), &changes);
    if (rc == TODO_OK && n)
        *n = changes;
    return rc;
}

int store_ops_session_extend(struct store_conn *c, const char *sid, int64_t expires_at)
{
    assert(sid && *sid);
    struct sqlb_value p[] = {V_INT(expires_at), V_TEXT(sid), V_INT(expires_at)};
    return run_write(c, ST_SESSION_EXTEND, p, N_OF(p), NULL);
}

int store_ops_sessions_revoked(struct store_conn *c, int64_t since_ms, int64_t now_ms,
                               store_revoked_fn fn, void *arg)
{
    assert(fn);
    const struct store_driver *drv = c->s->drv;
    struct store_res r;
    struct sqlb_value p[] = {V_INT(since_ms), V_INT(now_ms)};
    int rc = drv->exec(c, ST_SESSIONS_REVOKED, NULL, p, N_OF(p), &r);
    if (rc != TODO_OK)
        return rc;
    int step;
    while ((step = drv->next(&r)) == 1)
        fn(arg, drv->col_text(&r, 0), drv->col_int(&r, 1), drv->col_int(&r, 2));
    drv->done(&r);
    return step < 0 ? -step : TODO_OK;
}

int store_ops_sessions_prune(struct store_conn *c, int64_t expired_before_ms, int64_t *n)
{
    int64_t changes = 0;
    struct sqlb_value p[] = {V_INT(expired_before_ms)};
    int rc = run_write(c, ST_SESSIONS_PRUNE, p, N_OF(p), &changes);
    if (rc == TODO_OK && n)
        *n = changes;
    return rc;
}
