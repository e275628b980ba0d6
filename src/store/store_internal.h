/* store_internal.h - what the store's files share: the store and per-thread connection
 * structs, the small driver vtable each backend implements (connect, run one statement with
 * bound parameters, read rows), the table of static statements, and the migrations.
 *
 * The store logic (users, tasks, list, migrations) is written once over the driver in
 * store_ops.c; a driver only talks to its library, caches statements and translates its
 * errors into enum todo_rc, so the two backends behave the same by construction. */
#ifndef TODO_STORE_STORE_INTERNAL_H
#define TODO_STORE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/sqlbuild.h"
#include "store/store.h"

#define STORE_ERR_MAX 512

struct store_driver;

/* One thread's connection to a store. Owned by that thread; freed by store_destroy or when
 * the thread exits. */
struct store_conn {
    store_t *s;
    struct store_conn *prev, *next; /* in s->conns, under s->mu */
    void *db;                       /* the driver's handle; NULL until opened */
    bool in_tx;                     /* store_begin was called */
    char last_error[STORE_ERR_MAX];
};

struct store {
    const struct store_driver *drv;
    char *target; /* sqlite: file path; postgres: connection URL (never shown) */
    pthread_key_t key;
    pthread_mutex_t mu;
    struct store_conn *conns;
};

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
    bool have_row;   /* sqlite: the first step produced a row not yet handed out */
    bool finished;   /* sqlite: the statement has run to completion */
    int row, n_rows; /* postgres */
    int64_t changes; /* rows changed by an INSERT/UPDATE/DELETE */
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
int store_ops_tags_list(struct store_conn *c, const char *user_id, struct tag_count **out,
                        size_t *n);

#endif
