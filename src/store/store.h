/* store.h - the storage interface. One interface, two backends (sqlite, postgres) with
 * identical behaviour; callers never see a backend type, a statement or a result.
 *
 * Threads: a store_t is shared by all threads; each thread that calls in gets its own
 * connection, opened lazily and kept until store_destroy (so an HTTP worker owns its
 * connection). Transactions are per thread: store_begin / store_commit / store_rollback
 * wrap the calls the thread makes in between. Calls outside a transaction commit alone.
 *
 * Times are int64 milliseconds (UTC) chosen by the caller, never by the database, so both
 * backends store the same values. Errors: TODO_ERR_NOT_FOUND, TODO_ERR_CONFLICT,
 * TODO_ERR_PRECONDITION as documented per call; TODO_ERR_BUSY for a transient lock or
 * serialization failure (the caller may retry the whole transaction); TODO_ERR_UNAVAILABLE
 * when the database cannot be reached; TODO_ERR_INTERNAL otherwise. Backends log nothing;
 * store_last_error gives a text for the service to log. */
#ifndef TODO_STORE_STORE_H
#define TODO_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "core/notify.h"
#include "core/query.h"
#include "core/task.h"
#include "core/user.h"

typedef struct store store_t;

/* Opens a store for a URL: "sqlite:PATH" (or a path ending in .db) or "postgres://..." /
 * "postgresql://...". Checks the database is reachable. Returns 0 and *out, or an error
 * with a message in err (the message never holds the password). */
int store_open(const char *url, store_t **out, struct todo_err *err);
/* Closes every connection. Call only when no other thread uses the store. */
void store_destroy(store_t *s);
/* Marks the calling thread as a background one (committer, relay, consumers, housekeeping):
 * connections it opens after this get a small page cache (sqlite: 256 KiB), since other
 * connections' commits empty it anyway; HTTP workers keep the default for their reads
 * (docs/decisions/0028-write-path-and-memory.md). Call before the thread's first store call. */
void store_thread_background(void);
/* "sqlite" or "postgres". */
const char *store_backend_name(const store_t *s);
/* Applies pending migrations (idempotent, safe to run from several processes). Returns 0
 * and sets *n_applied. */
int store_migrate(store_t *s, int *n_applied, struct todo_err *err);
/* The highest migration version known to this binary and the one applied. */
int store_schema_version(store_t *s, int *applied, int *latest);
/* Round-trips to the database. 0 when reachable. */
int store_ping(store_t *s);
/* Text of this thread's last backend error (for logs); never NULL. */
const char *store_last_error(store_t *s);

int store_begin(store_t *s);
int store_commit(store_t *s);
void store_rollback(store_t *s);

/* --- group commit (docs/decisions/0022-group-commit.md) --- */
/* A write's work: runs inside a transaction and a savepoint of its own, on the store's
 * committer thread (so it may use only s and arg, never thread-locals of its caller), and
 * never calls store_begin/commit/rollback or store_write. Nonzero undoes its writes alone. */
typedef int (*store_write_fn)(store_t *s, void *arg);
/* Called once per store_write_async, on the committer's thread, after the transaction that
 * held the write committed (rc 0) or failed: rc is fn's result or the error that undid it
 * (TODO_ERR_BUSY: the batch's transaction could not go on; retry), error its text ("" when
 * none). It may queue another write; it must not wait for one. */
typedef void (*store_write_done_fn)(void *arg, int rc, const char *error);
/* Queues fn(s, arg) for the store's committer thread, which runs it in a write transaction
 * shared with the other writes queued meanwhile, then calls done(arg, ...). Returns at once;
 * done may run before it returns. Thread-safe. */
void store_write_async(store_t *s, store_write_fn fn, store_write_done_fn done, void *arg);
/* The same, waiting: returns once the transaction holding the write committed, with fn's
 * result or the error that undid it (its text in store_last_error). Not from a write's fn or
 * done callback. */
int store_write(store_t *s, store_write_fn fn, void *arg);
/* Waits until every queued write ran and its callback returned (writes it re-queued too). */
void store_write_drain(store_t *s);
typedef void (*store_write_hook_fn)(void *arg);
/* Called on the committer's thread once after each batch that committed at least one write,
 * before the writes' callbacks (NULL: none). Set it before the first write. */
void store_write_on_commit(store_t *s, store_write_hook_fn fn, void *arg);
/* Tests only: called by the committer just before each batch's COMMIT (NULL: none). */
void store_write_set_hook(store_t *s, store_write_hook_fn before_commit, void *arg);
struct store_write_stats {
    uint64_t batches; /* transactions run by store_write */
    uint64_t items;   /* store_write calls they held */
    uint64_t queued;  /* calls waiting for a batch now */
};
void store_write_stats(store_t *s, struct store_write_stats *out);
/* Appends Prometheus text: todo_db_connections{backend,state="in_use|idle"},
 * todo_db_waits_total, todo_db_wait_seconds_total, todo_db_transactions_total{backend,outcome}
 * and the todo_db_transaction_duration_seconds{backend} histogram. Thread-safe. */
void store_metrics(store_t *s, struct buf *out);

/* --- users --- */
/* Inserts u (all fields set by the caller). TODO_ERR_CONFLICT when the email is taken. */
int store_user_insert(store_t *s, const struct user *u);
/* Fills *out (which must be initialised and empty). TODO_ERR_NOT_FOUND. */
int store_user_get_by_email(store_t *s, const char *email, struct user *out);
int store_user_get_by_id(store_t *s, const char *id, struct user *out);
/* Updates name and timezone. TODO_ERR_NOT_FOUND. */
int store_user_update(store_t *s, const struct user *u);

/* --- tasks --- */
/* Inserts t for t->user_id with its tags and reminders; sets t->id, reminder ids and, when
 * t->rrule is set and t->series_id is 0, series_id = id. version is stored as given. */
int store_task_insert(store_t *s, struct task *t);
/* Fills *out (initialised, empty) with the user's task. TODO_ERR_NOT_FOUND when missing or
 * another user's. */
int store_task_get(store_t *s, const char *user_id, int64_t id, struct task *out);
/* Writes every field of t (tags and reminders replaced; reminders without id get new ids)
 * if the stored version equals expect_version; t->version is the new version to store.
 * TODO_ERR_NOT_FOUND when missing; TODO_ERR_PRECONDITION when the version differs. */
int store_task_update(store_t *s, struct task *t, int64_t expect_version);
/* Deletes the task (and its tags and reminders). expect_version < 0: any version.
 * TODO_ERR_NOT_FOUND, TODO_ERR_PRECONDITION. */
int store_task_delete(store_t *s, const char *user_id, int64_t id, int64_t expect_version);

struct task_page {
    int n_items;
    struct task *items; /* owned; n_items of them */
    bool has_more;      /* another row exists after the last item */
};
/* Runs a resolved query (query_resolve_due already applied) for user_id: at most
 * q->limit items, in q's sort order, ties by id in the direction of the first key. */
int store_task_list(store_t *s, const char *user_id, const struct task_query *q,
                    struct task_page *out);
void task_page_release(struct task_page *p);
/* Sets *out to the number of the user's tasks a resolved query matches over all its pages:
 * the list's filters exactly (one SQL builder for both); q's sort, limit and cursor are
 * not used. One statement, so a consistent snapshot without a transaction. */
int store_task_count(store_t *s, const char *user_id, const struct task_query *q, int64_t *out);

struct tag_count {
    char name[TASK_TAG_MAX * 4 + 1];
    int64_t count;
};
/* The user's tags with the number of tasks carrying each, sorted by name. *out is
 * malloc'd (caller frees), *n its length. */
int store_tags_list(store_t *s, const char *user_id, struct tag_count **out, size_t *n);

/* --- outbox: events written in the same transaction as the change they describe --- */
struct outbox_row {
    int64_t id; /* increasing: the publish order */
    char topic[64];
    char key[64];      /* partition key (user id) */
    char event_id[64]; /* CloudEvent id */
    char *payload;     /* owned CloudEvent JSON */
    int64_t created_at;
};
/* Inserts one event; call inside the transaction of the change. */
int store_outbox_insert(store_t *s, const char *topic, const char *key, const char *event_id,
                        const char *payload, int64_t now_ms);
/* The oldest unsent rows, at most limit, in id order. *out is malloc'd (free with
 * outbox_rows_free), *n its length. */
int store_outbox_fetch(store_t *s, int limit, struct outbox_row **out, int *n);
/* Marks rows sent (they stay for a while for inspection; see store_outbox_prune). */
int store_outbox_mark_sent(store_t *s, const int64_t *ids, int n, int64_t now_ms);
/* Deletes rows sent before the given time. */
int store_outbox_prune(store_t *s, int64_t sent_before_ms);
/* Number of unsent rows and the created_at of the oldest (0 when none). */
int store_outbox_stats(store_t *s, int64_t *backlog, int64_t *oldest_created_at);
/* Deletes at most limit (> 0) rows sent before sent_before_ms, oldest first, in one short
 * statement; *n (may be NULL) gets how many. Called again while *n == limit, it never holds
 * the writer long (docs/decisions/0024-event-retention.md). */
int store_outbox_prune_some(store_t *s, int64_t sent_before_ms, int limit, int64_t *n);
void outbox_rows_free(struct outbox_row *rows, int n);
/* Makes this thread's connection the one relay of the database (postgres: a session
 * advisory lock, so replicas never relay concurrently and order holds; sqlite: always).
 * Returns 0 when this thread holds it, TODO_ERR_BUSY when another session does. */
int store_relay_lock(store_t *s);

/* --- idempotent consumers --- */
/* Records that consumer processed event_id; call inside the handler's transaction.
 * TODO_ERR_CONFLICT when it already had (the event is a duplicate). */
int store_event_claim(store_t *s, const char *consumer, const char *event_id, int64_t now_ms);
/* Deletes at most limit (> 0) of consumer's records made before before_ms, oldest first, in
 * one short statement; *n (may be NULL) gets how many. Only that consumer's scope: records
 * of other scopes ("recurring:successor") are never pruned here. */
int store_event_prune_some(store_t *s, const char *consumer, int64_t before_ms, int limit,
                           int64_t *n);

/* A savepoint inside the caller's transaction (store_begin), around one event of a consumer's
 * batch (src/events/consumer.c): store_savepoint_end keeps its work when rc is 0 and undoes
 * only it otherwise, leaving the transaction usable on both backends. Savepoints nest.
 * store_savepoint_end returns rc, or the error that ended the savepoint. */
int store_savepoint(store_t *s);
int store_savepoint_end(store_t *s, int rc);

/* --- dead letters kept in the database (the in-process bus has no broker to hold them) --- */
int store_dead_letter_insert(store_t *s, const char *topic, const char *key, const char *event_id,
                             const char *payload, int64_t now_ms);
/* Number of dead letters kept for a topic ("task-events.dlq"). */
int store_dead_letter_count(store_t *s, const char *topic, int64_t *n);

/* --- the in-process bus's queues: one per consumer group, kept in the database so that a
 * message the bus accepted survives a crash (src/events/bus_local.c) --- */
/* Queues a message for group (in the caller's transaction, if one is open). */
int store_queue_insert(store_t *s, const char *group, const char *topic, const char *key,
                       const char *event_id, const char *payload, int64_t now_ms);
/* The group's oldest queued messages, at most limit, in queue order (rows as the outbox's:
 * free with outbox_rows_free). */
int store_queue_fetch(store_t *s, const char *group, int limit, struct outbox_row **out, int *n);
/* Removes delivered messages (by the ids fetched). */
int store_queue_delete(store_t *s, const int64_t *ids, int n);
/* Number of messages queued for group. */
int store_queue_count(store_t *s, const char *group, int64_t *n);
/* --- sessions: what signing out revokes (docs/decisions/0016-token-revocation.md) --- */
/* Sets the user's password hash. TODO_ERR_NOT_FOUND. */
int store_user_set_password(store_t *s, const char *user_id, const char *hash);
/* Records a new session (a token's sid) of user_id. */
int store_session_insert(store_t *s, const char *sid, const char *user_id, int64_t created_at,
                         int64_t expires_at);
/* Revokes one session at now_ms (kept revoked if it already was); a sid without a row gets a
 * revoked row that lives until expires_at. */
int store_session_revoke(store_t *s, const char *sid, const char *user_id, int64_t expires_at,
                         int64_t now_ms);
/* Revokes every live session of user_id but except_sid ("" = none); *n (may be NULL) gets
 * how many. */
int store_sessions_revoke_user(store_t *s, const char *user_id, const char *except_sid,
                               int64_t now_ms, int64_t *n);
/* Moves the session's expiry later (a fresh token for it); never earlier. */
int store_session_extend(store_t *s, const char *sid, int64_t expires_at);
/* Called for each revoked session; returns nothing, may not call the store. */
typedef void (*store_revoked_fn)(void *arg, const char *sid, int64_t expires_at,
                                 int64_t revoked_at);
/* Calls fn for every session revoked at or after since_ms whose tokens expire after now_ms. */
int store_sessions_revoked(store_t *s, int64_t since_ms, int64_t now_ms, store_revoked_fn fn,
                           void *arg);
/* Deletes sessions whose tokens all expired before the given time; *n (may be NULL) gets
 * how many. */
int store_sessions_prune(store_t *s, int64_t expired_before_ms, int64_t *n);

/* --- the reminder scheduler (docs/decisions/0029-reminder-scheduling.md) --- */
/* struct reminder_due and reminder_due_release: core/notify.h (the event's data). */
/* Claims at most limit scheduled reminders due at now_ms (remind_at <= now_ms), oldest
 * first, marking them fired; call inside the transaction that writes their events. On
 * postgres rows another transaction holds are skipped, so concurrent schedulers never claim
 * one twice. *out is malloc'd (reminders_due_free), *n its length. */
int store_reminders_claim_due(store_t *s, int64_t now_ms, int limit, struct reminder_due **out,
                              int *n);
/* Claims one reminder if it is still scheduled at remind_at (a Dapr job's callback): sets
 * *claimed, and fills *out (reminder_due_release) only when it did. */
int store_reminder_claim(store_t *s, int64_t id, int64_t remind_at, int64_t now_ms,
                         struct reminder_due *out, bool *claimed);
/* The earliest remind_at of a scheduled reminder, or INT64_MAX when none is. */
int store_reminders_next(store_t *s, int64_t *at);
void reminders_due_free(struct reminder_due *d, int n);

/* The Dapr scheduler's queue of Jobs API calls, written in the change's transaction. */
struct sched_job {
    int64_t id;
    int64_t reminder_id;
    bool cancel; /* delete the job; else create or replace it for remind_at */
    int64_t remind_at;
};
int store_sched_job_insert(store_t *s, int64_t reminder_id, bool cancel, int64_t remind_at,
                           int64_t now_ms);
/* The oldest queued calls, at most limit, in order. *out is malloc'd (free), *n its length. */
int store_sched_jobs_fetch(store_t *s, int limit, struct sched_job **out, int *n);
int store_sched_job_delete(store_t *s, int64_t id);
/* Scheduled reminders whose remind_at is before before_ms, oldest first, at most limit, as
 * jobs to schedule (id 0): the Dapr scheduler's sweep for ticks Dapr dropped. */
int store_reminders_overdue(store_t *s, int64_t before_ms, int limit, struct sched_job **out,
                            int *n);
/* The reminder's state and remind_at; *found false when it does not exist. */
int store_reminder_schedule(store_t *s, int64_t id, int *state, int64_t *remind_at, bool *found);

/* --- audit: the append-only history of each task --- */
struct audit_entry {
    char event_id[64];
    char type[16]; /* created, updated, completed, reopened, deleted */
    int64_t at;    /* the event's time */
    char *changes; /* owned JSON object text */
};
/* Appends one entry (inside the consumer's transaction). A task's history outlives it. */
int store_audit_append(store_t *s, const char *user_id, int64_t task_id, const char *event_id,
                       const char *type, int64_t at, const char *changes_json);
/* The user's entries for a task, newest first; TODO_ERR_NOT_FOUND when there are none (the
 * task never existed or is another user's). *out is malloc'd (audit_entries_free). */
int store_audit_list(store_t *s, const char *user_id, int64_t task_id, struct audit_entry **out,
                     int *n);
void audit_entries_free(struct audit_entry *e, int n);

#endif
