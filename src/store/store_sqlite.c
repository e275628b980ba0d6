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
 * timeout is still set, for writers in other processes.
 *
 * The WAL is checkpointed by a thread of the store's own, not by sqlite's auto-checkpoint
 * inside COMMIT (which would make every queued writer wait for the copy). A checkpoint alone
 * does not bound the WAL: the file is only rewritten from its start when a writer begins
 * after a checkpoint that copied every frame, with no reader still reading frames of it.
 * Under a steady load some writer always appends first (or some reader is in the WAL), so
 * the file grew without end although each checkpoint copied all it saw. So once the WAL
 * passes SQ_CHECKPOINT_PAGES, the checkpointer copies what it can without stopping anyone
 * (PASSIVE), then takes write_mu - this process's writers queue for a moment - and runs a
 * RESTART checkpoint: it copies the few frames left and waits (at most
 * SQ_CHECKPOINT_BUSY_MS) for readers to leave the WAL, so the next writer starts it over.
 * Should that thread fall behind (a starved CPU), a commit that finds the WAL past
 * SQ_WAL_MAX_PAGES runs the RESTART itself before letting the next writer in: the WAL never
 * grows much beyond that. journal_size_limit then gives back the space of a burst
 * (docs/operations.md, "SQLite WAL"; docs/decisions/0018-bounded-sqlite-wal.md). SQLITE_BUSY/LOCKED
 * become TODO_ERR_BUSY; UNIQUE violations TODO_ERR_CONFLICT. */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/fts_words.h"
#include "store/store_internal.h"

#define SQ_BUSY_TIMEOUT_MS 5000
/* WAL size (pages) after which a commit wakes the checkpointer (sqlite's default). */
#define SQ_CHECKPOINT_PAGES 1000
/* WAL size (pages, 8 MiB of 4 KiB pages) after which the committing writer restarts the WAL
 * itself, should the checkpointer fall behind. */
#define SQ_WAL_MAX_PAGES 2000
/* How long the RESTART checkpoint waits for readers to leave the WAL (this process's writers
 * wait as long at most); readers here are short, one query each. */
#define SQ_CHECKPOINT_BUSY_MS 500
/* After a checkpoint that could not restart the WAL, the next try (by the checkpointer or a
 * writer) waits at least this long. */
#define SQ_CHECKPOINT_RETRY_MS 250
/* The WAL file is cut back to this size after a restart (PRAGMA journal_size_limit). */
#define SQ_WAL_SIZE_LIMIT "8388608"
/* The page cache of a background thread's connection, in KiB (PRAGMA cache_size = -N);
 * others keep SQLite's default (docs/decisions/0028-write-path-and-memory.md). */
#define SQ_BACKGROUND_CACHE_KIB "256"

struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[ST_COUNT];
    bool write_locked;       /* this connection holds s->write_mu */
    bool wal_full;           /* our last commit left the WAL past SQ_WAL_MAX_PAGES */
    struct fts_words *words; /* todo_words on db (freed with db) */
};

/* A store's WAL checkpointer (s->drv_state): one thread, woken by commits. */
struct sq_checkpointer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool due;                 /* a commit saw the WAL past SQ_CHECKPOINT_PAGES */
    bool stopping;            /* store_destroy is waiting for the thread */
    uint64_t writer_retry_ns; /* no writer restarts the WAL before (time_mono_ns; atomic) */
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

/* Called by sqlite after each commit, with the WAL's size in pages: past the threshold, wake
 * the store's checkpointer (cheap: a mutex, no I/O). */
static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int n_pages)
{
    struct store_conn *c = arg;
    struct sq_checkpointer *k = c->s->drv_state;
    (void)db;
    (void)name;
    if (n_pages >= SQ_WAL_MAX_PAGES)
        ((struct sq_conn *)c->db)->wal_full = true;
    if (n_pages >= SQ_CHECKPOINT_PAGES && k) {
        pthread_mutex_lock(&k->mu);
        k->due = true;
        pthread_cond_signal(&k->cv);
        pthread_mutex_unlock(&k->mu);
    }
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
                        "PRAGMA foreign_keys = ON; "
                        "PRAGMA journal_size_limit = " SQ_WAL_SIZE_LIMIT ";",
                        NULL, NULL, &errmsg);
    if (code == SQLITE_OK && c->background)
        code = sqlite3_exec(db, "PRAGMA cache_size = -" SQ_BACKGROUND_CACHE_KIB ";", NULL, NULL,
                            &errmsg);
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
    sc->words = fts_words_register(db);
    if (!sc->words) {
        free(sc);
        sqlite3_close(db);
        return store_conn_error(c, TODO_ERR_UNAVAILABLE,
                                "sqlite: FTS5's unicode61 tokenizer is missing");
    }
    sqlite3_wal_hook(db, sq_wal_hook, c); /* replaces the auto-checkpoint */
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
    int err = pthread_mutex_trylock(&c->s->write_mu);
    if (err == EBUSY) {
        uint64_t t0 = time_mono_ns();
        store_stats_wait_begin(c->s);
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += SQ_BUSY_TIMEOUT_MS / 1000;
        err = pthread_mutex_timedlock(&c->s->write_mu, &deadline);
        store_stats_wait_end(c->s, time_mono_ns() - t0);
    }
    if (err == ETIMEDOUT)
        return store_conn_error(c, TODO_ERR_BUSY, "sqlite: timed out waiting for the write lock");
    if (err != 0)
        return store_conn_error(c, TODO_ERR_INTERNAL, "sqlite: write lock: %s", strerror(err));
    sc->write_locked = true;
    return TODO_OK;
}

/* With s->write_mu held: copies the rest of the WAL into the database and waits (at most
 * SQ_CHECKPOINT_BUSY_MS) for readers to leave it, so the next writer starts it over. True
 * when it could. */
static bool sq_restart_wal(sqlite3 *db)
{
    sqlite3_busy_timeout(db, SQ_CHECKPOINT_BUSY_MS); /* this process's writers are waiting */
    int code = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    sqlite3_busy_timeout(db, SQ_BUSY_TIMEOUT_MS);
    return code == SQLITE_OK;
}

/* A writer's own restart of a WAL the checkpointer let grow past SQ_WAL_MAX_PAGES; with
 * s->write_mu held and the transaction over. Tried again only after SQ_CHECKPOINT_RETRY_MS
 * when a reader kept it, so a long reader does not stall every commit. */
static void sq_writer_restart_wal(struct store_conn *c)
{
    struct sq_conn *sc = c->db;
    struct sq_checkpointer *k = c->s->drv_state;
    sc->wal_full = false;
    uint64_t now = time_mono_ns();
    if (!k || now < __atomic_load_n(&k->writer_retry_ns, __ATOMIC_RELAXED))
        return;
    if (!sq_restart_wal(sc->db))
        __atomic_store_n(&k->writer_retry_ns, now + SQ_CHECKPOINT_RETRY_MS * 1000000ull,
                         __ATOMIC_RELAXED);
}

/* Releases the write lock (restarting an overgrown WAL first, once the transaction is over). */
static void sq_write_unlock(struct store_conn *c)
{
    struct sq_conn *sc = c->db;
    if (sc->write_locked && sc->wal_full && sqlite3_get_autocommit(sc->db))
        sq_writer_restart_wal(c);
    if (sc->write_locked) {
        sc->write_locked = false;
        pthread_mutex_unlock(&c->s->write_mu);
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
    sq_write_unlock(c);
    sqlite3_close(sc->db);
    free(sc);
    c->db = NULL;
}

/* One round of the checkpointer (see the file comment). True when the WAL was left to be
 * started over by the next writer; false when a reader kept it (or no connection). */
static bool sq_checkpoint_once(store_t *s)
{
    int rc;
    struct store_conn *c = store_conn_get(s, &rc);
    if (!c)
        return false;
    struct sq_conn *sc = c->db;
    /* the bulk of the copy, while writers and readers go on */
    sqlite3_wal_checkpoint_v2(sc->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (sq_write_lock(c) != TODO_OK)
        return false;
    /* no writer of this process now: copy the tail, wait for readers to leave the WAL */
    bool restarted = sq_restart_wal(sc->db);
    sq_write_unlock(c);
    return restarted;
}

/* Waits on k->cv until stopping or, with a deadline (ms > 0), until it passes; holds k->mu. */
static void sq_checkpoint_pause(struct sq_checkpointer *k, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    while (!k->stopping)
        if (pthread_cond_timedwait(&k->cv, &k->mu, &ts) != 0)
            break;
}

static void *sq_checkpoint_main(void *arg)
{
    store_t *s = arg;
    struct sq_checkpointer *k = s->drv_state;
    store_thread_background();
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->due && !k->stopping)
            pthread_cond_wait(&k->cv, &k->mu);
        if (k->stopping)
            break;
        k->due = false;
        pthread_mutex_unlock(&k->mu);
        bool restarted = sq_checkpoint_once(s);
        pthread_mutex_lock(&k->mu);
        if (!restarted)
            sq_checkpoint_pause(k, SQ_CHECKPOINT_RETRY_MS);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL; /* the thread's exit closes its connection (store.c) */
}

/* Starts the checkpointer of a file database (an in-memory one has no WAL). */
static void sq_attach(store_t *s)
{
    assert(s && !s->drv_state);
    if (strcmp(s->target, ":memory:") == 0)
        return;
    struct sq_checkpointer *k = xcalloc(1, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    s->drv_state = k;
    if (pthread_create(&k->thread, NULL, sq_checkpoint_main, s) != 0)
        abort(); /* out of threads at startup: nothing sensible to go on with */
}

/* Stops and joins the checkpointer (its connection closes as the thread exits). */
static void sq_detach(store_t *s)
{
    struct sq_checkpointer *k = s->drv_state;
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stopping = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    s->drv_state = NULL;
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    free(k);
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

static bool sq_words_budget(struct store_conn *c, int64_t rows)
{
    struct sq_conn *sc = c->db;
    bool spent = fts_words_exhausted(sc->words);
    fts_words_budget(sc->words, rows);
    return spent;
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .dialect = SQLB_SQLITE,
    .migrations = store_sqlite_migrations,
    .attach = sq_attach,
    .detach = sq_detach,
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
    .words_budget = sq_words_budget,
};
