/* store_internal.h - what the store's files share: the store and per-thread connection
 * structs, the small driver vtable each backend implements (connect, run one statement with
 * bound parameters, read rows), the table of static statements, and the migrations.
 *
 * The store logic is written once over the driver: users, tasks, list and migrations in
 * store_ops.c, outbox, consumers and audit in store_events.c; a driver only talks to its library,
 * caches statements and translates its errors into enum todo_rc, so the two backends behave the
 * same by construction. */
#ifndef TODO_STORE_STORE_INTERNAL_H
#define TODO_STORE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/sqlbuild.h"
#include "store/store.h"

#define STORE_ERR_MAX 512

struct store_driver;

/* A per-connection cache of prepared dynamic statements (list queries, IN lists), keyed by
 * the exact SQL text; least recently used entries are evicted (stmt_cache.c). The driver
 * keeps its handle in h (sqlite3_stmt *) or a statement number in id (postgres names them
 * "todo_d<id>"). An entry in use by an unfinished result is busy and never evicted. */
#define STMT_CACHE_SIZE 64

struct stmt_cache_entry {
    char *sql; /* owned key; NULL: free slot */
    uint64_t hash;
    uint64_t last_used;
    void *h;
    uint64_t id;
    bool busy;
};

struct stmt_cache {
    struct stmt_cache_entry e[STMT_CACHE_SIZE];
    uint64_t tick;
    uint64_t n_hits, n_misses, n_evictions; /* counters, for tests and the benchmark */
};

/* Called with an entry being evicted or cleared (the driver frees its handle). */
typedef void (*stmt_cache_evict_fn)(void *arg, struct stmt_cache_entry *e);

/* The entry for sql (marked used), or NULL (counted as a miss). */
struct stmt_cache_entry *stmt_cache_find(struct stmt_cache *sc, const char *sql);
/* A slot keyed by a copy of sql: a free one, else the least recently used entry that is not
 * busy (evict is called on it first). NULL when every entry is busy. The caller sets h/id. */
struct stmt_cache_entry *stmt_cache_add(struct stmt_cache *sc, const char *sql,
                                        stmt_cache_evict_fn evict, void *arg);
/* Empties the cache, calling evict (if not NULL) on every entry. */
void stmt_cache_clear(struct stmt_cache *sc, stmt_cache_evict_fn evict, void *arg);

#define WORDS_PLAN_KEY   64
#define WORDS_PLAN_MEMOS 8

/* One thread's connection to a store. Owned by that thread; freed by store_destroy or when
 * the thread exits. */
struct store_conn {
    store_t *s;
    struct store_conn *prev, *next; /* in s->conns, under s->mu */
    void *db;                       /* the driver's handle; NULL until opened */
    bool in_tx;                     /* store_begin was called */
    bool background;                /* opened by a store_thread_background thread */
    /* This session holds the relay lock (store_relay_lock); the driver clears it whenever
     * the session ends (close, reset), since the server then drops the lock. */
    bool relay_locked;
    uint64_t tx_started_ns; /* time_mono_ns when its transaction began; 0: none (metrics) */
    char last_error[STORE_ERR_MAX];
    struct stmt_cache cache; /* dynamic statements; the driver fills and empties it */
    /* sqlite: the plans the probe chose for recent full-text lists (store_ops.c words_plan) */
    struct words_plan_memo {
        char words[WORDS_PLAN_KEY];
        int plan;
        uint64_t until_ns; /* time_mono_ns */
    } words_plans[WORDS_PLAN_MEMOS];
};

/* The store's pool and transaction figures for /metrics (store_stats.c): relaxed atomic adds
 * by the connection's own thread, read at scrape time. */
#define STORE_TX_BUCKETS 15

struct store_stats {
    int64_t conns_open; /* connections opened and not closed */
    int64_t tx_open;    /* of them, inside a transaction now */
    uint64_t waits;     /* times a thread waited for the write lock (sqlite) */
    uint64_t wait_ns;   /* the time they waited */
    uint64_t tx_buckets[STORE_TX_BUCKETS];
    uint64_t tx_sum_ns;
    uint64_t tx_commits, tx_rollbacks;
};

/* A connection was opened / is being closed (ends its transaction's timing if one is open). */
void store_stats_conn_opened(store_t *s);
void store_stats_conn_closed(struct store_conn *c);
/* c's transaction began (a no-op when one is already timed) / ended: committed or undone. */
void store_stats_tx_begin(struct store_conn *c);
void store_stats_tx_end(struct store_conn *c, bool committed);
/* A thread starts waiting for the write lock (counted at once, so a wait shows while it
 * lasts) / waited wait_ns for it. */
void store_stats_wait_begin(store_t *s);
void store_stats_wait_end(store_t *s, uint64_t wait_ns);

struct store {
    const struct store_driver *drv;
    char *target; /* sqlite: file path; postgres: connection URL (never shown) */
    pthread_key_t key;
    pthread_mutex_t mu;
    struct store_conn *conns;
    /* sqlite: held by the one thread in a write transaction of this process (from BEGIN
     * IMMEDIATE to COMMIT/ROLLBACK), so writers queue here instead of sleeping in the busy
     * handler; busy_timeout is left for other processes. Unused on postgres. */
    pthread_mutex_t write_mu;
    void *drv_state; /* the driver's per-store state (sqlite: its WAL checkpointer), or NULL */
    struct store_writer *writer; /* group commit's queue (store_write.c) */
    struct store_stats stats;    /* store_stats.c */
};

/* Group commit's queue of a store (store_write.c): set up by store_open, freed by
 * store_destroy (when no thread writes any more). */
void store_writer_init(store_t *s);
void store_writer_release(store_t *s);

/* The relay's session advisory lock on postgres ("todorely"): above the int4 range, so no
 * hashtext(user id) taken by ST_OUTBOX_KEY_LOCK can ever wait on it. */
#define STORE_RELAY_LOCK_KEY "8390035060637920377"

/* Static statements, written once with '?' placeholders (converted to $n for postgres);
 * a dialect may override a statement's text. Drivers cache them per connection. */
enum store_stmt {
    ST_BEGIN_WRITE,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_WRITE_SAVEPOINT, /* one item of a group commit (store_write.c) */
    ST_WRITE_RELEASE,
    ST_WRITE_ROLLBACK_TO,
    ST_MIGRATE_LOCK,
    ST_MIGRATIONS_TABLE,
    ST_MIGRATIONS_EXISTS,
    ST_MIGRATION_APPLIED,
    ST_MIGRATION_RECORD,
    ST_MIGRATION_MAX,
    ST_PING,
    ST_USER_INSERT,
    ST_USER_BY_EMAIL,
    ST_USER_BY_ID,
    ST_USER_UPDATE,
    ST_TASK_INSERT,
    ST_TASK_SET_SERIES,
    ST_TASK_GET,
    ST_TASK_GET_LOCKED, /* inside a transaction: postgres locks the row (FOR UPDATE) */
    ST_TASK_UPDATE,
    ST_TASK_VERSION,
    ST_TASK_DELETE,
    ST_TASK_DELETE_VERSION,
    ST_TAG_INSERT,
    ST_TAGS_DELETE,
    ST_REMINDER_INSERT,
    ST_REMINDER_UPDATE,
    ST_REMINDERS_DELETE,
    ST_TAGS_LIST,
    ST_OUTBOX_KEY_LOCK, /* postgres: queues one user's outbox writers until commit */
    ST_OUTBOX_INSERT,
    ST_OUTBOX_FETCH,
    ST_OUTBOX_PRUNE,
    ST_OUTBOX_STATS,
    ST_RELAY_LOCK, /* postgres: try the relay's session lock; true when taken */
    ST_EVENT_CLAIM,
    ST_AUDIT_APPEND,
    ST_AUDIT_LIST,
    ST_DEAD_LETTER_INSERT,
    ST_DEAD_LETTER_COUNT,
    ST_QUEUE_INSERT,
    ST_QUEUE_FETCH,
    ST_QUEUE_COUNT,
    ST_USER_SET_PASSWORD,
    ST_SESSION_INSERT,
    ST_SESSION_REVOKE,
    ST_SESSIONS_REVOKE_USER,
    ST_SESSION_EXTEND,
    ST_SESSIONS_REVOKED,
    ST_SESSIONS_PRUNE,
    ST_REMINDERS_DUE, /* postgres: FOR UPDATE SKIP LOCKED (docs/decisions/0029) */
    ST_REMINDER_MARK_FIRED,
    ST_REMINDER_CLAIM, /* one reminder, at the time its job was made for */
    ST_REMINDER_DUE_ONE,
    ST_REMINDERS_NEXT,
    ST_SCHED_JOB_INSERT,
    ST_SCHED_JOBS_FETCH,
    ST_SCHED_JOB_DELETE,
    ST_REMINDERS_OVERDUE,
    ST_REMINDER_SCHEDULE,
    ST_COUNT
};

struct store_stmt_sql {
    const char *common; /* '?' placeholders */
    const char *sqlite; /* override, or NULL */
    const char *pg;     /* override, or NULL */
    bool utility;       /* transaction control / DDL: no parameters, not prepared on pg */
};
extern const struct store_stmt_sql store_stmts[ST_COUNT];
/* The statement's text for a dialect ('?' placeholders). */
const char *store_stmt_text(int stmt, int dialect);

/* A statement being read. Drivers own the fields after conn. */
struct store_res {
    struct store_conn *c;
    void *h;         /* sqlite3_stmt * or PGresult * */
    bool dynamic;    /* sqlite: finalize when done (not cached) */
    bool write_lock; /* sqlite: an autocommit write holding s->write_mu until done */
    struct stmt_cache_entry *cached; /* sqlite: the cache entry in use (busy) until done */
    bool have_row;                   /* sqlite: the first step produced a row not yet handed out */
    bool finished;                   /* sqlite: the statement has run to completion */
    int row, n_rows;                 /* postgres */
    int64_t changes;                 /* rows changed by an INSERT/UPDATE/DELETE */
};

struct store_migration {
    int version;
    const char *name;
    const char *sql; /* one or more statements, no parameters */
};

struct store_driver {
    const char *name;
    int dialect;                              /* enum sqlb_dialect */
    const struct store_migration *migrations; /* ends with version 0 */
    /* Optional, per store: attach runs once the store's first connection opened (may start
     * threads of the driver's own); detach runs first thing in store_destroy. */
    void (*attach)(store_t *s);
    void (*detach)(store_t *s);
    /* Opens c->db for c->s->target. Sets c->last_error on failure. */
    int (*open)(struct store_conn *c);
    void (*close)(struct store_conn *c);
    /* Runs several statements without parameters (migrations). */
    int (*script)(struct store_conn *c, const char *sql);
    /* Runs static statement stmt (cached) or, when stmt < 0, the dynamic sql (already in the
     * dialect's placeholder style). On success *res must be finished with done(). */
    int (*exec)(struct store_conn *c, int stmt, const char *sql, const struct sqlb_value *params,
                int n_params, struct store_res *res);
    /* 1: a row is current; 0: no more rows; < 0: -(enum todo_rc). */
    int (*next)(struct store_res *res);
    bool (*is_null)(struct store_res *res, int col);
    int64_t (*col_int)(struct store_res *res, int col);
    bool (*col_bool)(struct store_res *res, int col);
    const char *(*col_text)(struct store_res *res, int col); /* "" for NULL */
    void (*done)(struct store_res *res);
    /* Optional (sqlite): sets the number of rows todo_words may test on c (< 0: no limit,
     * src/store/fts_words.h) and returns whether the previous budget ran out. */
    bool (*words_budget)(struct store_conn *c, int64_t rows);
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_pg_driver;

extern const struct store_migration store_sqlite_migrations[];
extern const struct store_migration store_pg_migrations[];
/* The highest version in a migration list. */
int store_migrations_latest(const struct store_migration *m);

/* Sets this connection's last error text; returns rc. */
int store_conn_error(struct store_conn *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* This thread's connection to s, opened if needed. NULL with *rc set on failure. */
struct store_conn *store_conn_get(store_t *s, int *rc);

/* Parameter values for the statements above (borrowed text; NULL text binds NULL). */
#define V_INT(x)          ((struct sqlb_value){.type = SQLB_INT, .num = (x)})
#define V_BOOL(x)         ((struct sqlb_value){.type = SQLB_BOOL, .num = (x) ? 1 : 0})
#define V_TEXT(s)         ((struct sqlb_value){.type = (s) ? SQLB_TEXT : SQLB_NULL, .text = (s)})
#define V_NULL            ((struct sqlb_value){.type = SQLB_NULL})
#define V_OPT_INT(has, x) ((has) ? V_INT(x) : V_NULL)
#define N_OF(a)           ((int)(sizeof(a) / sizeof((a)[0])))

/* Running statements over the driver (store_ops.c), shared by the operation files. */
/* Runs a static statement whose rows are not read; *changes (may be NULL) gets the rows it
 * changed. */
int store_run(struct store_conn *c, int stmt, const struct sqlb_value *p, int n, int64_t *changes);
/* Runs a static statement whose first row's first column is an integer; *found tells whether
 * there was a row (*out is set only then). */
int store_run_int(struct store_conn *c, int stmt, const struct sqlb_value *p, int n, bool *found,
                  int64_t *out);
/* Runs sql written with '?' placeholders (pg_sql, when not NULL, is the text used on
 * PostgreSQL instead); not cached. On success *r must be finished with drv->done. */
int store_run_sql(struct store_conn *c, const char *sql, const char *pg_sql,
                  const struct sqlb_value *p, int n, struct store_res *r);
/* Reads past the rows of r left after step (drv->next's last answer) and finishes r. Returns
 * TODO_OK, or the error a step met. */
int store_res_drain(const struct store_driver *drv, struct store_res *r, int step);
/* Runs a built statement; on success *r must be finished with drv->done. */
int store_run_dynamic(struct store_conn *c, struct sqlb *b, struct store_res *r);
/* The IN list length used for n ids: the next power of two (pad by repeating the last id), so
 * the statement cache sees a few shapes. */
int store_in_list_size(int n);

/* An operation's atomic scope: outside a caller's transaction, its own (a write or a
 * read-only snapshot); inside one, a savepoint around writes (none for reads), so a failed
 * operation leaves the caller's transaction usable on both backends. */
struct store_op {
    bool own;       /* we opened the transaction */
    bool savepoint; /* we set a savepoint in the caller's transaction */
};
int store_op_begin(struct store_conn *c, bool write, struct store_op *op);
/* Ends the scope: keeps the work when rc is 0, undoes it otherwise. Returns the result (and
 * keeps the first error's text in c->last_error). */
int store_op_end(struct store_conn *c, struct store_op *op, int rc);

/* The operations of store.h over a connection (store_ops.c). */
int store_ops_migrate(struct store_conn *c, int *n_applied);
int store_ops_schema_version(struct store_conn *c, int *applied);
int store_ops_ping(struct store_conn *c);
int store_ops_begin(struct store_conn *c);
int store_ops_commit(struct store_conn *c);
void store_ops_rollback(struct store_conn *c);
int store_ops_user_insert(struct store_conn *c, const struct user *u);
int store_ops_user_get(struct store_conn *c, int stmt, const char *key, struct user *out);
int store_ops_user_update(struct store_conn *c, const struct user *u);
int store_ops_task_insert(struct store_conn *c, struct task *t);
int store_ops_task_get(struct store_conn *c, const char *user_id, int64_t id, struct task *out);
int store_ops_task_update(struct store_conn *c, struct task *t, int64_t expect_version);
int store_ops_task_delete(struct store_conn *c, const char *user_id, int64_t id,
                          int64_t expect_version);
int store_ops_task_list(struct store_conn *c, const char *user_id, const struct task_query *q,
                        struct task_page *out);
int store_ops_task_count(struct store_conn *c, const char *user_id, const struct task_query *q,
                         int64_t *out);
int store_ops_tags_list(struct store_conn *c, const char *user_id, struct tag_count **out,
                        size_t *n);

/* Outbox, idempotent consumers and audit history (store_events.c). */
int store_ops_outbox_insert(struct store_conn *c, const char *topic, const char *key,
                            const char *event_id, const char *payload, int64_t now_ms);
int store_ops_outbox_fetch(struct store_conn *c, int limit, struct outbox_row **out, int *n);
int store_ops_outbox_mark_sent(struct store_conn *c, const int64_t *ids, int n, int64_t now_ms);
int store_ops_outbox_prune(struct store_conn *c, int64_t sent_before_ms);
int store_ops_outbox_stats(struct store_conn *c, int64_t *backlog, int64_t *oldest_created_at);
int store_ops_relay_lock(struct store_conn *c);
int store_ops_event_claim(struct store_conn *c, const char *consumer, const char *event_id,
                          int64_t now_ms);
int store_ops_dead_letter_insert(struct store_conn *c, const char *topic, const char *key,
                                 const char *event_id, const char *payload, int64_t now_ms);
int store_ops_dead_letter_count(struct store_conn *c, const char *topic, int64_t *n);
int store_ops_queue_insert(struct store_conn *c, const char *group, const char *topic,
                           const char *key, const char *event_id, const char *payload,
                           int64_t now_ms);
int store_ops_queue_fetch(struct store_conn *c, const char *group, int limit,
                          struct outbox_row **out, int *n);
int store_ops_queue_delete(struct store_conn *c, const int64_t *ids, int n);
int store_ops_queue_count(struct store_conn *c, const char *group, int64_t *n);
int store_ops_audit_append(struct store_conn *c, const char *user_id, int64_t task_id,
                           const char *event_id, const char *type, int64_t at,
                           const char *changes_json);
int store_ops_audit_list(struct store_conn *c, const char *user_id, int64_t task_id,
                         struct audit_entry **out, int *n);

/* The reminder scheduler's claims and the Dapr scheduler's job queue (store_reminders.c). */
int store_ops_reminders_claim_due(struct store_conn *c, int64_t now_ms, int limit,
                                  struct reminder_due **out, int *n);
int store_ops_reminder_claim(struct store_conn *c, int64_t id, int64_t remind_at, int64_t now_ms,
                             struct reminder_due *out, bool *claimed);
int store_ops_reminders_next(struct store_conn *c, int64_t *at);
int store_ops_sched_job_insert(struct store_conn *c, int64_t reminder_id, bool cancel,
                               int64_t remind_at, int64_t now_ms);
int store_ops_sched_jobs_fetch(struct store_conn *c, int limit, struct sched_job **out, int *n);
int store_ops_sched_job_delete(struct store_conn *c, int64_t id);
int store_ops_reminders_overdue(struct store_conn *c, int64_t before_ms, int limit,
                                struct sched_job **out, int *n);
int store_ops_reminder_schedule(struct store_conn *c, int64_t id, int *state, int64_t *remind_at,
                                bool *found);

/* Sessions and password changes (store_sessions.c). */
int store_ops_user_set_password(struct store_conn *c, const char *user_id, const char *hash);
int store_ops_session_insert(struct store_conn *c, const char *sid, const char *user_id,
                             int64_t created_at, int64_t expires_at);
int store_ops_session_revoke(struct store_conn *c, const char *sid, const char *user_id,
                             int64_t expires_at, int64_t now_ms);
int store_ops_sessions_revoke_user(struct store_conn *c, const char *user_id,
                                   const char *except_sid, int64_t now_ms, int64_t *n);
int store_ops_session_extend(struct store_conn *c, const char *sid, int64_t expires_at);
int store_ops_sessions_revoked(struct store_conn *c, int64_t since_ms, int64_t now_ms,
                               store_revoked_fn fn, void *arg);
int store_ops_sessions_prune(struct store_conn *c, int64_t expired_before_ms, int64_t *n);

#endif
