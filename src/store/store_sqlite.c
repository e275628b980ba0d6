/* store_sqlite.c - the sqlite driver: one sqlite3 handle per thread (opened with NOMUTEX,
 * since only its thread uses it), WAL journal, synchronous=NORMAL, foreign keys on, a
 * 5 s busy timeout. Static statements are prepared once per connection with
 * SQLITE_PREPARE_PERSISTENT and reset after each use; dynamic ones (list queries, IN lists)
 * are prepared per call. Writes take the write lock up front (BEGIN IMMEDIATE) so two
 * read-modify-write transactions queue on the busy timeout instead of failing on upgrade.
 * SQLITE_BUSY/LOCKED become TODO_ERR_BUSY; UNIQUE violations TODO_ERR_CONFLICT. */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

#define SQ_BUSY_TIMEOUT_MS 5000

struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[ST_COUNT];
};

static int sq_map(int code)
{
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return TODO_ERR_BUSY;
    case SQLITE_CONSTRAINT:
        if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
            return TODO_ERR_CONFLICT;
        if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
            return TODO_ERR_NOT_FOUND; /* e.g. a task for a user that does not exist */
        return TODO_ERR_INTERNAL;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
        return TODO_ERR_UNAVAILABLE;
    default:
        return TODO_ERR_INTERNAL;
    }
}

static int sq_error(struct store_conn *c, sqlite3 *db, int code)
{
    int ext = db ? sqlite3_extended_errcode(db) : code;
    return store_conn_error(c, sq_map(ext), "sqlite: %s (%d)",
                            db ? sqlite3_errmsg(db) : sqlite3_errstr(code), ext);
}

/* mkdir -p of the directory holding path. */
static int make_parent_dirs(const char *path)
{
    char *dir = xstrdup(path);
    int rc = 0;
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; rc == 0; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char saved = *p;
            *p = '\0';
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                rc = -1;
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    free(dir);
    return rc;
}

static int sq_open(struct store_conn *c)
{
    const char *path = c->s->target;
    struct sq_conn *sc;
    sqlite3 *db = NULL;
    char *errmsg = NULL;
    int code;

    if (strcmp(path, ":memory:") != 0 && make_parent_dirs(path) != 0)
        return store_conn_error(c, TODO_ERR_UNAVAILABLE,
                                "sqlite: cannot create the database directory: %s",
                                strerror(errno));
    code = sqlite3_open_v2(path, &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (code != SQLITE_OK) {
        int rc = sq_error(c, db, code);
        if (rc != TODO_ERR_BUSY)
            rc = TODO_ERR_UNAVAILABLE;
        sqlite3_close(db);
        return rc;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, SQ_BUSY_TIMEOUT_MS);
    code = sqlite3_exec(db,
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                        "PRAGMA foreign_keys = ON;",
                        NULL, NULL, &errmsg);
    if (code != SQLITE_OK) {
        int rc = store_conn_error(c, sq_map(code), "sqlite: %s", errmsg ? errmsg : "pragma");
        if (rc != TODO_ERR_BUSY)
            rc = TODO_ERR_UNAVAILABLE;
        sqlite3_free(errmsg);
        sqlite3_close(db);
        return rc;
    }
    sc = xcalloc(1, sizeof *sc);
    sc->db = db;
    c->db = sc;
    return TODO_OK;
}

static void sq_close(struct store_conn *c)
{
    struct sq_conn *sc = c->db;
    if (!sc)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(sc->stmts[i]);
    sqlite3_close(sc->db);
    free(sc);
    c->db = NULL;
}

static int sq_script(struct store_conn *c, const char *sql)
{
    struct sq_conn *sc = c->db;
    char *errmsg = NULL;
    int code = sqlite3_exec(sc->db, sql, NULL, NULL, &errmsg);
    if (code != SQLITE_OK) {
        int rc = store_conn_error(c, sq_map(sqlite3_extended_errcode(sc->db)), "sqlite: %s",
                                  errmsg ? errmsg : sqlite3_errstr(code));
        sqlite3_free(errmsg);
        return rc;
    }
    return TODO_OK;
}

static int sq_bind(sqlite3_stmt *st, const struct sqlb_value *params, int n)
{
    for (int i = 0; i < n; i++) {
        const struct sqlb_value *v = &params[i];
        int code;
        switch (v->type) {
        case SQLB_INT:
        case SQLB_BOOL:
            code = sqlite3_bind_int64(st, i + 1, v->num);
            break;
        case SQLB_TEXT:
            code = sqlite3_bind_text(st, i + 1, v->text, -1, SQLITE_STATIC);
            break;
        default:
            code = sqlite3_bind_null(st, i + 1);
            break;
        }
        if (code != SQLITE_OK)
            return code;
    }
    return SQLITE_OK;
}

static void sq_release_stmt(sqlite3_stmt *st, bool dynamic)
{
    if (dynamic) {
        sqlite3_finalize(st);
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static int sq_exec(struct store_conn *c, int stmt, const char *sql, const struct sqlb_value *params,
                   int n_params, struct store_res *res)
{
    struct sq_conn *sc = c->db;
    sqlite3_stmt *st;
    bool dynamic = stmt < 0;
    int code;

    if (dynamic) {
        code = sqlite3_prepare_v3(sc->db, sql, -1, 0, &st, NULL);
        if (code != SQLITE_OK)
            return sq_error(c, sc->db, code);
    } else {
        st = sc->stmts[stmt];
        if (!st) {
            code = sqlite3_prepare_v3(sc->db, store_stmt_text(stmt, SQLB_SQLITE), -1,
                                      SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (code != SQLITE_OK)
                return sq_error(c, sc->db, code);
            sc->stmts[stmt] = st;
        }
    }
    code = sq_bind(st, params, n_params);
    if (code != SQLITE_OK) {
        int rc = sq_error(c, sc->db, code);
        sq_release_stmt(st, dynamic);
        return rc;
    }
    code = sqlite3_step(st);
    if (code != SQLITE_ROW && code != SQLITE_DONE) {
        int rc = sq_error(c, sc->db, code);
        sq_release_stmt(st, dynamic);
        return rc;
    }
    memset(res, 0, sizeof *res);
    res->c = c;
    res->h = st;
    res->dynamic = dynamic;
    res->have_row = code == SQLITE_ROW;
    res->finished = code == SQLITE_DONE;
    res->changes = code == SQLITE_DONE ? sqlite3_changes64(sc->db) : 0;
    return TODO_OK;
}

static int sq_next(struct store_res *res)
{
    struct sq_conn *sc = res->c->db;
    if (res->have_row) {
        res->have_row = false;
        return 1;
    }
    if (res->finished)
        return 0;
    int code = sqlite3_step(res->h);
    if (code == SQLITE_ROW)
        return 1;
    res->finished = true;
    if (code == SQLITE_DONE)
        return 0;
    return -sq_error(res->c, sc->db, code);
}

static bool sq_is_null(struct store_res *res, int col)
{
    return sqlite3_column_type(res->h, col) == SQLITE_NULL;
}

static int64_t sq_col_int(struct store_res *res, int col)
{
    return sqlite3_column_int64(res->h, col);
}

static bool sq_col_bool(struct store_res *res, int col)
{
    return sqlite3_column_int64(res->h, col) != 0;
}

static const char *sq_col_text(struct store_res *res, int col)
{
    const unsigned char *s = sqlite3_column_text(res->h, col);
    return s ? (const char *)s : "";
}

static void sq_done(struct store_res *res)
{
    if (res->h)
        sq_release_stmt(res->h, res->dynamic);
    res->h = NULL;
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .dialect = SQLB_SQLITE,
    .migrations = store_sqlite_migrations,
    .open = sq_open,
    .close = sq_close,
    .script = sq_script,
    .exec = sq_exec,
    .next = sq_next,
    .is_null = sq_is_null,
    .col_int = sq_col_int,
    .col_bool = sq_col_bool,
    .col_text = sq_col_text,
    .done = sq_done,
};
