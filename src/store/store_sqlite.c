/* store_sqlite.c - the sqlite driver: one sqlite3 handle per thread (opened with NOMUTEX,
 * since only its thread uses it), WAL journal, synchronous=NORMAL, foreign keys on, a
 * 5 s busy timeout. Static statements are prepared once per connection with
 * SQLITE_PREPARE_PERSISTENT and reset after each use; dynamic ones (list queries, IN lists)
 * go through the connection's statement cache (stmt_cache.c), keyed by their text.
 *
 * Writers: sqlite has one writer at a time, and its busy handler waits by sleeping (1, 2,
 * 5, 10 ... 100 ms), which under load wastes most of the time and wrecks tail latency. So
 * writers of this process queue on the store's write_mu instead: it is taken just before
 * BEGIN IMMEDIATE (or an autocommit write) and released as soon as the connection is back
 * in autocommit mode (COMMIT, ROLLBACK, or sqlite rolling back on its own), never held
 * across anything but the transaction. Readers never take it (WAL lets them run). The busy
 * timeout is still set, for writers in other processes. For the same reason the WAL is
 * checkpointed by us, after the lock is released, instead of by sqlite's auto-checkpoint
 * inside COMMIT (which would make every queued writer wait for the copy): a PASSIVE
 * checkpoint, which never blocks writers or readers.
 * SQLITE_BUSY/LOCKED become TODO_ERR_BUSY; UNIQUE violations TODO_ERR_CONFLICT. */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

#define SQ_BUSY_TIMEOUT_MS 5000
/* WAL size (pages) after which a commit is followed by a checkpoint (sqlite's default). */
#define SQ_CHECKPOINT_PAGES 1000
/* At most one checkpoint per store in this many ms. */
#define SQ_CHECKPOINT_INTERVAL_MS 250

struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[ST_COUNT];
    bool write_locked;   /* this connection holds s->write_mu */
    bool checkpoint_due; /* the WAL grew past SQ_CHECKPOINT_PAGES in our last commit */
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

/* Called by sqlite after each commit, with the WAL's size in pages: note a checkpoint. */
static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int n_pages)
{
    struct sq_conn *sc = arg;
    (void)db;
    (void)name;
    if (n_pages >= SQ_CHECKPOINT_PAGES)
        sc->checkpoint_due = true;
    return SQLITE_OK;
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
    sqlite3_wal_hook(db, sq_wal_hook, sc); /* replaces the auto-checkpoint */
    c->db = sc;
    return TODO_OK;
}

static void sq_evict(void *arg, struct stmt_cache_entry *e)
{
    (void)arg;
    sqlite3_finalize(e->h);
    e->h = NULL;
}

/* Takes the store's write lock, waiting at most as long as the busy timeout would. */
static int sq_write_lock(struct store_conn *c)
{
    struct sq_conn *sc = c->db;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += SQ_BUSY_TIMEOUT_MS / 1000;
    int err = pthread_mutex_timedlock(&c->s->write_mu, &deadline);
    if (err == ETIMEDOUT)
        return store_conn_error(c, TODO_ERR_BUSY, "sqlite: timed out waiting for the write lock");
    if (err != 0)
        return store_conn_error(c, TODO_ERR_INTERNAL, "sqlite: write lock: %s", strerror(err));
    sc->write_locked = true;
    return TODO_OK;
}

/* Releases the write lock, then runs a checkpoint if the last commit asked for one. */
static void sq_write_unlock(struct store_conn *c)
{
    struct sq_conn *sc = c->db;
    if (sc->write_locked) {
        sc->write_locked = false;
        pthread_mutex_unlock(&c->s->write_mu);
    }
    if (sc->checkpoint_due && sqlite3_get_autocommit(sc->db)) {
        sc->checkpoint_due = false;
        /* Under steady writes with readers about, a passive checkpoint cannot finish and the
         * WAL stays over the threshold, so every commit would ask again (a profile of creates
         * showed 16% of the time there). One checkpoint per interval per store is enough. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        int64_t last = __atomic_load_n(&c->s->last_checkpoint_ms, __ATOMIC_RELAXED);
        if (now - last >= SQ_CHECKPOINT_INTERVAL_MS &&
            __atomic_compare_exchange_n(&c->s->last_checkpoint_ms, &last, now, false,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            sqlite3_wal_checkpoint_v2(sc->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
}

/* Releases the write lock once the connection has no transaction open any more. */
static void sq_write_unlock_if_done(struct store_conn *c)
{
    struct sq_conn *sc = c->db;
    if (sc->write_locked && sqlite3_get_autocommit(sc->db))
        sq_write_unlock(c);
}

static void sq_close(struct store_conn *c)
{
    struct sq_conn *sc = c->db;
    if (!sc)
        return;
    stmt_cache_clear(&c->cache, sq_evict, NULL);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(sc->stmts[i]);
    sc->checkpoint_due = false; /* no checkpoint on a handle being closed */
    sq_write_unlock(c);
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

/* Finishes with st: finalizes an uncached dynamic statement, resets the others. */
static void sq_release_stmt(sqlite3_stmt *st, bool finalize)
{
    if (finalize) {
        sqlite3_finalize(st);
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* The prepared statement for dynamic sql: from the cache (marked busy in *cached), or
 * prepared and cached, or, when the cached one is in use, prepared for this call only. */
static int sq_dynamic(struct store_conn *c, const char *sql, sqlite3_stmt **out,
                      struct stmt_cache_entry **cached)
{
    struct sq_conn *sc = c->db;
    struct stmt_cache_entry *e = stmt_cache_find(&c->cache, sql);
    sqlite3_stmt *st;
    if (e && !e->busy) {
        e->busy = true;
        *out = e->h;
        *cached = e;
        return TODO_OK;
    }
    int code = sqlite3_prepare_v3(sc->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (code != SQLITE_OK)
        return sq_error(c, sc->db, code);
    *cached = NULL;
    if (!e && (e = stmt_cache_add(&c->cache, sql, sq_evict, NULL)) != NULL) {
        e->h = st;
        e->busy = true;
        *cached = e;
    }
    *out = st;
    return TODO_OK;
}

static int sq_exec(struct store_conn *c, int stmt, const char *sql, const struct sqlb_value *params,
                   int n_params, struct store_res *res)
{
    struct sq_conn *sc = c->db;
    struct stmt_cache_entry *cached = NULL;
    sqlite3_stmt *st;
    bool finalize = false, autocommit_write = false;
    int code, rc;

    if (stmt < 0) {
        rc = sq_dynamic(c, sql, &st, &cached);
        if (rc != TODO_OK)
            return rc;
        finalize = !cached;
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
    if (stmt == ST_BEGIN_WRITE && !sc->write_locked) {
        rc = sq_write_lock(c);
        if (rc != TODO_OK)
            goto out_release;
    } else if (!sc->write_locked && !sqlite3_stmt_readonly(st) && sqlite3_get_autocommit(sc->db)) {
        /* A write outside any transaction: queue with the transactions; held until done. */
        rc = sq_write_lock(c);
        if (rc != TODO_OK)
            goto out_release;
        autocommit_write = true;
    }
    code = sq_bind(st, params, n_params);
    if (code == SQLITE_OK)
        code = sqlite3_step(st);
    if (code != SQLITE_ROW && code != SQLITE_DONE) {
        rc = sq_error(c, sc->db, code);
        goto out_release;
    }
    memset(res, 0, sizeof *res);
    res->c = c;
    res->h = st;
    res->dynamic = finalize;
    res->cached = cached;
    res->write_lock = autocommit_write;
    res->have_row = code == SQLITE_ROW;
    res->finished = code == SQLITE_DONE;
    res->changes = code == SQLITE_DONE ? sqlite3_changes64(sc->db) : 0;
    if (stmt == ST_COMMIT || stmt == ST_ROLLBACK)
        sq_write_unlock_if_done(c);
    return TODO_OK;

out_release:
    sq_release_stmt(st, finalize);
    if (cached)
        cached->busy = false;
    /* A failed BEGIN or autocommit write, or a COMMIT that ended the transaction anyway. */
    if (autocommit_write || stmt == ST_BEGIN_WRITE || stmt == ST_COMMIT || stmt == ST_ROLLBACK)
        sq_write_unlock_if_done(c);
    return rc;
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
    if (res->cached)
        res->cached->busy = false;
    res->cached = NULL;
    if (res->write_lock)
        sq_write_unlock_if_done(res->c);
    res->write_lock = false;
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
