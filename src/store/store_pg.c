/* store_pg.c - the postgres driver: one libpq connection per thread. Static statements are
 * prepared once per connection (PQprepare, named "todo_<n>") and run with PQexecPrepared;
 * dynamic ones are prepared on first use too, named "todo_d<n>" (n never reused on a
 * connection), and kept in the connection's statement cache (stmt_cache.c) keyed by their
 * text; an evicted one is DEALLOCATEd. Every value is a bound text-format parameter (never
 * part of the SQL). A connection that went bad is reset on the next call (PQreset), which
 * forgets the prepared statements (static and cached) and the session's relay lock. Errors are
 * translated here by SQLSTATE: 40001, 40P01, 55P03 -> TODO_ERR_BUSY; 23505 -> TODO_ERR_CONFLICT;
 * class 08 and a lost connection
 * ->
 * TODO_ERR_UNAVAILABLE. Messages never contain the connection string or the password. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

struct pg_conn {
    PGconn *conn;
    bool prepared[ST_COUNT];
    uint64_t next_dynamic; /* number of the next dynamic statement's name */
};

/* libpq waits forever for a server that accepts and never answers unless given a
 * connect_timeout; this one applies when the URL sets none (docs/operations.md). PQreset
 * reuses it. */
#define PG_CONNECT_TIMEOUT_S "5"

/* Parameters kept on the stack up to this many (the list query rarely needs more). */
#define PG_STACK_PARAMS 32

/* Notices ("relation already exists, skipping") are not ours to print. */
static void pg_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Copies msg into out, replacing each occurrence of secret with "***". */
static void scrub(char *out, size_t outsz, const char *msg, const char *secret)
{
    size_t n = 0, slen = secret ? strlen(secret) : 0;
    while (*msg && n + 1 < outsz) {
        if (slen > 0 && strncmp(msg, secret, slen) == 0) {
            for (const char *r = "***"; *r && n + 1 < outsz; r++)
                out[n++] = *r;
            msg += slen;
            continue;
        }
        out[n++] = (*msg == '\n' || *msg == '\t') ? ' ' : *msg;
        msg++;
    }
    out[n] = '\0';
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
}

/* A connection failure, with libpq's text minus any password. */
static int pg_conn_error(struct store_conn *c, PGconn *conn)
{
    char msg[STORE_ERR_MAX];
    char *password = NULL;
    PQconninfoOption *opts = PQconninfoParse(c->s->target, NULL);
    if (!opts)
        return store_conn_error(c, TODO_ERR_UNAVAILABLE, "postgres: invalid connection URL");
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0])
            password = xstrdup(o->val);
    PQconninfoFree(opts);
    scrub(msg, sizeof msg, conn ? PQerrorMessage(conn) : "out of memory", password);
    free(password);
    return store_conn_error(c, TODO_ERR_UNAVAILABLE, "postgres: cannot connect: %s", msg);
}

static int pg_open(struct store_conn *c)
{
    PGconn *conn;
    struct pg_conn *pc;

    /* Reject a malformed URL before libpq echoes parts of it. */
    PQconninfoOption *opts = PQconninfoParse(c->s->target, NULL);
    if (!opts)
        return store_conn_error(c, TODO_ERR_UNAVAILABLE, "postgres: invalid connection URL");
    PQconninfoFree(opts);
    /* expand_dbname: the URL is expanded in place of dbname, so what it sets (its own
     * connect_timeout included) overrides the defaults listed before it */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {PG_CONNECT_TIMEOUT_S, c->s->target, NULL};
    conn = PQconnectdbParams(keys, values, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        int rc = pg_conn_error(c, conn);
        PQfinish(conn);
        return rc;
    }
    PQsetNoticeProcessor(conn, pg_notice, NULL);
    if (PQsetClientEncoding(conn, "UTF8") != 0) {
        int rc = pg_conn_error(c, conn);
        PQfinish(conn);
        return rc;
    }
    pc = xcalloc(1, sizeof *pc);
    pc->conn = conn;
    c->db = pc;
    return TODO_OK;
}

/* Drops a cached dynamic statement on the server; a failure (an aborted transaction, a lost
 * connection) only leaves an unused statement behind, as names are never reused. */
static void pg_evict(void *arg, struct stmt_cache_entry *e)
{
    struct pg_conn *pc = arg;
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE todo_d%" PRIu64, e->id);
    PQclear(PQexec(pc->conn, sql));
}

static void pg_close(struct store_conn *c)
{
    struct pg_conn *pc = c->db;
    if (!pc)
        return;
    stmt_cache_clear(&c->cache, NULL, NULL); /* the server forgets them with the session */
    c->relay_locked = false;                 /* and its session locks */
    PQfinish(pc->conn);
    free(pc);
    c->db = NULL;
}

/* Makes sure the connection is usable, resetting it when it went bad. */
static int pg_ensure(struct store_conn *c)
{
    struct pg_conn *pc = c->db;
    if (PQstatus(pc->conn) == CONNECTION_OK)
        return TODO_OK;
    PQreset(pc->conn);
    memset(pc->prepared, 0, sizeof pc->prepared);
    stmt_cache_clear(&c->cache, NULL, NULL);
    c->relay_locked = false; /* a new session holds no session lock */
    if (PQstatus(pc->conn) != CONNECTION_OK)
        return pg_conn_error(c, pc->conn);
    PQsetNoticeProcessor(pc->conn, pg_notice, NULL);
    PQsetClientEncoding(pc->conn, "UTF8");
    if (c->in_tx) {
        /* The transaction died with the old connection; the caller must start over. */
        c->in_tx = false;
        store_stats_tx_end(c, false);
        return store_conn_error(c, TODO_ERR_UNAVAILABLE,
                                "postgres: connection lost during a transaction");
    }
    return TODO_OK;
}

static int pg_map_sqlstate(const char *state)
{
    if (!state)
        return TODO_ERR_INTERNAL;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return TODO_ERR_BUSY;
    if (strcmp(state, "23505") == 0)
        return TODO_ERR_CONFLICT;
    if (strcmp(state, "23503") == 0)
        return TODO_ERR_NOT_FOUND; /* e.g. a task for a user that does not exist */
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
        strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)
        return TODO_ERR_UNAVAILABLE;
    return TODO_ERR_INTERNAL;
}

/* Translates a failed result (res may be NULL). Frees res. */
static int pg_result_error(struct store_conn *c, PGresult *res)
{
    struct pg_conn *pc = c->db;
    if (!res || PQstatus(pc->conn) != CONNECTION_OK) {
        PQclear(res);
        return pg_conn_error(c, pc->conn);
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    int rc =
        store_conn_error(c, pg_map_sqlstate(state), "postgres: %s (%s)",
                         primary ? primary : PQresStatus(PQresultStatus(res)), state ? state : "?");
    PQclear(res);
    return rc;
}

static bool pg_ok(PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int pg_script(struct store_conn *c, const char *sql)
{
    struct pg_conn *pc = c->db;
    int rc = pg_ensure(c);
    if (rc != TODO_OK)
        return rc;
    PGresult *res = PQexec(pc->conn, sql);
    if (!pg_ok(res))
        return pg_result_error(c, res);
    PQclear(res);
    return TODO_OK;
}

static int pg_prepare(struct store_conn *c, int stmt, const char *name)
{
    struct pg_conn *pc = c->db;
    char *sql = sqlb_pg_placeholders(store_stmt_text(stmt, SQLB_PG));
    PGresult *res = PQprepare(pc->conn, name, sql, 0, NULL);
    free(sql);
    if (!pg_ok(res))
        return pg_result_error(c, res);
    PQclear(res);
    pc->prepared[stmt] = true;
    return TODO_OK;
}

/* Writes v in decimal into out (at least 21 bytes); returns out. */
static const char *fmt_i64(char *out, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    char *p = out;
    if (v < 0)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    *p = '\0';
    return out;
}

/* Runs dynamic sql as a named prepared statement, preparing and caching it on first use. */
static PGresult *pg_exec_dynamic(struct store_conn *c, const char *sql, int n_params,
                                 const char *const *values, int *rc)
{
    struct pg_conn *pc = c->db;
    char name[32];
    struct stmt_cache_entry *e = stmt_cache_find(&c->cache, sql);
    if (!e) {
        uint64_t id = pc->next_dynamic++;
        snprintf(name, sizeof name, "todo_d%" PRIu64, id);
        PGresult *res = PQprepare(pc->conn, name, sql, 0, NULL);
        if (!pg_ok(res)) {
            *rc = pg_result_error(c, res);
            return NULL;
        }
        PQclear(res);
        e = stmt_cache_add(&c->cache, sql, pg_evict, pc);
        e->id = id; /* never NULL: postgres entries are never busy */
    } else {
        snprintf(name, sizeof name, "todo_d%" PRIu64, e->id);
    }
    return PQexecPrepared(pc->conn, name, n_params, values, NULL, NULL, 0);
}

static int pg_exec(struct store_conn *c, int stmt, const char *sql, const struct sqlb_value *params,
                   int n_params, struct store_res *out)
{
    struct pg_conn *pc = c->db;
    const char *values_stack[PG_STACK_PARAMS];
    char nums_stack[PG_STACK_PARAMS][24];
    const char **values = values_stack;
    char(*nums)[24] = nums_stack;
    char name[32];
    PGresult *res;
    int rc = pg_ensure(c);
    if (rc != TODO_OK)
        return rc;

    if (n_params > PG_STACK_PARAMS) {
        values = xcalloc((size_t)n_params, sizeof *values);
        nums = xcalloc((size_t)n_params, sizeof *nums);
    }
    for (int i = 0; i < n_params; i++) {
        const struct sqlb_value *v = &params[i];
        switch (v->type) {
        case SQLB_INT:
            values[i] = fmt_i64(nums[i], v->num);
            break;
        case SQLB_BOOL:
            values[i] = v->num ? "t" : "f";
            break;
        case SQLB_TEXT:
            values[i] = v->text;
            break;
        default:
            values[i] = NULL;
            break;
        }
    }

    if (stmt < 0 && strstr(sql, "@@")) {
        /* Full-text queries stay unprepared: a cached statement switches to a generic plan
         * after five runs, which cannot know how selective the words are and reads every
         * match through the GIN index instead of walking the list's sort index. */
        res = PQexecParams(pc->conn, sql, n_params, NULL, values, NULL, NULL, 0);
    } else if (stmt < 0) {
        res = pg_exec_dynamic(c, sql, n_params, values, &rc);
        if (!res && rc != TODO_OK)
            goto out_free;
    } else if (store_stmts[stmt].utility) {
        res = PQexec(pc->conn, store_stmt_text(stmt, SQLB_PG));
    } else {
        snprintf(name, sizeof name, "todo_%d", stmt);
        if (!pc->prepared[stmt] && (rc = pg_prepare(c, stmt, name)) != TODO_OK)
            goto out_free;
        res = PQexecPrepared(pc->conn, name, n_params, values, NULL, NULL, 0);
    }
    if (!pg_ok(res)) {
        rc = pg_result_error(c, res);
        goto out_free;
    }
    if (stmt == ST_COMMIT && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        PQclear(res);
        rc = store_conn_error(c, TODO_ERR_INTERNAL,
                              "postgres: transaction was aborted and rolled back");
        goto out_free;
    }
    memset(out, 0, sizeof *out);
    out->c = c;
    out->h = res;
    out->row = -1;
    out->n_rows = PQntuples(res);
    out->changes = strtoll(PQcmdTuples(res), NULL, 10);
out_free:
    if (values != values_stack) {
        free(values);
        free(nums);
    }
    return rc;
}

static int pg_next(struct store_res *res)
{
    if (res->row + 1 >= res->n_rows)
        return 0;
    res->row++;
    return 1;
}

static bool pg_is_null(struct store_res *res, int col)
{
    return PQgetisnull(res->h, res->row, col) != 0;
}

static int64_t pg_col_int(struct store_res *res, int col)
{
    return strtoll(PQgetvalue(res->h, res->row, col), NULL, 10);
}

static bool pg_col_bool(struct store_res *res, int col)
{
    const char *v = PQgetvalue(res->h, res->row, col);
    return v[0] == 't' || v[0] == '1';
}

static const char *pg_col_text(struct store_res *res, int col)
{
    return PQgetvalue(res->h, res->row, col);
}

static void pg_done(struct store_res *res)
{
    PQclear(res->h);
    res->h = NULL;
}

const struct store_driver store_pg_driver = {
    .name = "postgres",
    .dialect = SQLB_PG,
    .migrations = store_pg_migrations,
    .open = pg_open,
    .close = pg_close,
    .script = pg_script,
    .exec = pg_exec,
    .next = pg_next,
    .is_null = pg_is_null,
    .col_int = pg_col_int,
    .col_bool = pg_col_bool,
    .col_text = pg_col_text,
    .done = pg_done,
};
