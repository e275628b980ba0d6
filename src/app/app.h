/* app.h - the use cases: every operation on accounts and tasks that an entry point (REST,
 * chat tool, MCP tool) performs goes through these functions, which validate (via core),
 * run the storage transaction and return results and error reports. Thread-safe: a
 * struct app is shared by all worker threads. */
#ifndef TODO_APP_APP_H
#define TODO_APP_APP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/admission.h"
#include "app/ratelimit.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/event.h"
#include "core/query.h"
#include "core/task.h"
#include "core/user.h"
#include "events/cloudevent.h"
#include "events/outbox.h"
#include "sched/sched.h"
#include "sched/sched_dapr.h"
#include "store/store.h"

struct app_config {
    const unsigned char *jwt_secret; /* copied */
    size_t jwt_secret_len;           /* at least 32 bytes */
    int64_t token_ttl_ms;
    int login_limit_email; /* attempts per minute; <= 0 disables */
    int login_limit_addr;
    int signup_limit_addr; /* sign-ups per hour per client address (IPv6: per /64); <= 0 off */
    const char *role;      /* "serve", "api", ...: the events' source is "/todo/<role>" */
};

struct app_revoked;
struct app_sessions_watch;
struct assistant_llm;

struct app {
    uint64_t id;    /* unique per app_init in this process (keys per-thread caches) */
    store_t *store; /* not owned */
    unsigned char jwt_secret[128];
    size_t jwt_secret_len;
    int64_t token_ttl_ms;
    ratelimit_t *login_by_email;
    ratelimit_t *login_by_addr;
    ratelimit_t *signup_by_addr;
    struct app_admission admission;   /* shares of the hashing pool (docs/decisions/0017) */
    struct app_revoked *revoked;      /* revoked session ids, in memory (token.c) */
    struct app_sessions_watch *watch; /* refreshes revoked from the store; NULL: not started */
    char event_source[64];            /* CloudEvents source, "/todo/<role>" */
    /* Woken after commits that wrote events; NULL: none yet. Set once (atomic release) while
     * consumer threads may already run; cleared after they stopped. */
    outbox_relay_t *relay;
    /* The reminder scheduler (reminders.c; docs/decisions/0029-reminder-scheduling.md):
     * which one, its runtime (NULL: none started; set once, atomic release), and the
     * earliest remind_at written since the last commit (atomic), for the after-commit wake. */
    int sched_mode; /* enum app_sched_mode */
    sched_t *sched;
    int64_t sched_hint;
    sched_dapr_t *jobs;    /* dapr: the Jobs API client, owned by the scheduler's thread */
    int64_t jobs_swept_at; /* dapr: the last sweep for overdue rows (that thread only) */
    /* The chat brain (src/app/assistant.h): the configured model, or NULL for the built-in
     * parser. Set before serving; owned by whoever set it. */
    struct assistant_llm *llm;
};

/* Who fires reminders: the db scheduler's thread (claims due rows), Dapr (the Jobs API,
 * fed from the sched_jobs queue), or nobody in this process (none). */
enum app_sched_mode { APP_SCHED_DB = 0, APP_SCHED_DAPR, APP_SCHED_NONE };

/* Initialises a; store must outlive it. */
void app_init(struct app *a, store_t *store, const struct app_config *cfg);
void app_release(struct app *a);

/* --- accounts (auth.c) and tokens (token.c) --- */
#define APP_SID_MAX 64

struct app_session {
    char *token; /* owned */
    int64_t expires_at;
    struct user user;
};
void app_session_release(struct app_session *s);

/* What a verified token says: its user, its session id (sid) and when it expires (ms). */
struct app_token {
    char user_id[USER_ID_MAX];
    char sid[APP_SID_MAX];
    int64_t expires_at;
};

/* Counts one sign-up attempt from the client address remote (IPv6 keyed by its /64). 429
 * with *retry_after_s set when the address is over TODO_SIGNUP_LIMIT_ADDR; call before
 * queueing the hash. */
int app_signup_gate(struct app *a, const char *remote, int64_t *retry_after_s,
                    struct todo_err *err);
/* POST /api/auth/signup. 409 email taken, 422 validation. Starts a session. */
int app_signup(struct app *a, json_t *body, struct app_session *out, struct todo_err *err);
/* POST /api/auth/login. 401 for an unknown email or a wrong password alike; 429 when the
 * email or the client address is over its limit. Starts a session. */
int app_login(struct app *a, json_t *body, const char *remote, struct app_session *out,
              struct todo_err *err);
/* POST /api/auth/password {current_password, new_password}: 422 when the current one is
 * wrong or the new one is not acceptable, 429 over the per-email login limit. Ends every
 * other session of the user and answers a fresh token for the caller's session (t). */
int app_password_change(struct app *a, const struct app_token *t, json_t *body,
                        struct app_session *out, struct todo_err *err);
/* POST /api/auth/logout: ends t's session on every replica (here at once). */
int app_logout(struct app *a, const struct app_token *t, struct todo_err *err);
/* POST /api/auth/logout-all: ends every session of t's user, t's included. */
int app_logout_all(struct app *a, const struct app_token *t, struct todo_err *err);

/* The token of an Authorization header value: "Bearer", one or more spaces or tabs, a
 * b64token (RFC 6750 section 2.1), optional trailing spaces or tabs. Sets *token (pointing
 * into header) and *len; 401 for anything else. Pure: no state, thread-safe. */
int app_bearer_token(const char *header, const char **token, size_t *len, struct todo_err *err);
/* Checks a bearer token: HS256, unexpired, not before its nbf, with sub and sid, and its
 * session not revoked. Writes its user id. 401 otherwise. Thread-safe. */
int app_token_verify(struct app *a, const char *token, char user_id[USER_ID_MAX],
                     struct todo_err *err);
/* The same, writing every claim the API uses. */
int app_token_verify_claims(struct app *a, const char *token, struct app_token *out,
                            struct todo_err *err);

/* Starts the watcher that reads sessions revoked by any replica into memory every
 * APP_SESSIONS_REFRESH_MS, after one read now. Returns a store result (the first read's). */
#define APP_SESSIONS_REFRESH_MS 1000
int app_sessions_start(struct app *a);
/* Stops and joins the watcher (app_release calls it too). */
void app_sessions_stop(struct app *a);
/* Reads the sessions revoked lately into memory now (the watcher's step). */
int app_sessions_refresh(struct app *a);

int app_me_get(struct app *a, const char *user_id, struct user *out, struct todo_err *err);
int app_me_update(struct app *a, const char *user_id, json_t *body, struct user *out,
                  struct todo_err *err);

/* --- tasks (tasks.c) --- if_match < 0 means no precondition. *out must be initialised.
 * Writes go through group commit (docs/decisions/0022-group-commit.md): the blocking forms
 * below return once the transaction holding the change committed. */
enum app_task_op {
    APP_TASK_CREATE,
    APP_TASK_REPLACE,
    APP_TASK_PATCH,
    APP_TASK_COMPLETE,
    APP_TASK_DELETE
};
/* A task write's outcome. */
struct app_task_result {
    int rc; /* 0, or the error err describes */
    struct todo_err err;
    struct task task; /* the task as written (rc 0, not for a delete); the callback may take
                       * it (then task_init it) */
};
/* Called once per accepted app_task_write_async, on the store's committer thread, after the
 * transaction holding the change committed (or with its error). res lives for the call. */
typedef void (*app_task_done_fn)(void *ctx, struct app_task_result *res);
/* Starts a task write (id and if_match unused for a create; body: the create, replace or
 * patch body, complete's optional one, NULL for a delete - borrowed until done runs). What
 * can be checked at once (a body that is not an object, a create's validation, complete's
 * fields) is: returns its error in err, and done is never called. Else returns 0 and done
 * runs exactly once, later, on another thread (maybe before this returns). Thread-safe. */
int app_task_write_async(struct app *a, enum app_task_op op, const char *user_id, int64_t id,
                         json_t *body, int64_t if_match, app_task_done_fn done, void *ctx,
                         struct todo_err *err);
int app_task_create(struct app *a, const char *user_id, json_t *body, struct task *out,
                    struct todo_err *err);
int app_task_get(struct app *a, const char *user_id, int64_t id, struct task *out,
                 struct todo_err *err);
/* PUT: every editable field from body. */
int app_task_replace(struct app *a, const char *user_id, int64_t id, json_t *body, int64_t if_match,
                     struct task *out, struct todo_err *err);
/* PATCH: the fields given; null clears. */
int app_task_patch(struct app *a, const char *user_id, int64_t id, json_t *body, int64_t if_match,
                   struct task *out, struct todo_err *err);
/* Toggles completion, or sets it from {"completed": bool} when body is non-NULL. */
int app_task_complete(struct app *a, const char *user_id, int64_t id, json_t *body,
                      int64_t if_match, struct task *out, struct todo_err *err);
int app_task_delete(struct app *a, const char *user_id, int64_t id, int64_t if_match,
                    struct todo_err *err);
/* Runs the list query; *next_cursor is malloc'd or NULL on the last page. */
int app_task_list(struct app *a, const char *user_id, query_param_fn get, void *ctx,
                  struct task_page *out, char **next_cursor, struct todo_err *err);
/* Counts the tasks the list query matches over all its pages: the same parameters, parsed
 * and validated by the same code (400 where the list gives 400); sort, limit and cursor are
 * checked but do not change the count. Sets *out on success. */
int app_task_count(struct app *a, const char *user_id, query_param_fn get, void *ctx, int64_t *out,
                   struct todo_err *err);
/* Sets t->recurrence_text: the rule in words in the user's zone ("every Monday and Thursday
 * at 09:00"). Leaves it unset when the task does not recur or the user cannot be read. */
void app_task_describe(struct app *a, const char *user_id, struct task *t);
/* Inserts a task the caller built (t->id is set) and writes its events, inside the caller's
 * store transaction (the recurring consumer's). Returns a store result. */
int app_task_insert_in_tx(struct app *a, struct task *t, int64_t now);
/* The recurring consumer's use case (recurring.c; docs/recurring.md), inside its transaction:
 * when the task ref names still recurs, creates its next occurrence once (a second call for
 * the same task makes none) and sets *succ_id (0: none made: deleted, no rule any more, the
 * series ended, or already made). completed_at_hint: the completion time when the stored task
 * has none (the event's time). Returns a store result. */
int app_task_successor_in_tx(struct app *a, const struct task_event_ref *ref,
                             int64_t completed_at_hint, int64_t *succ_id, struct todo_err *err);
/* The audit consumer's use case (history.c), inside its transaction: appends one history row
 * for the todo.task.* event ce_type with its id, time and data.changes (NULL: {}). 400 for a
 * type that is not a task event's. Returns a store result. */
int app_history_append_in_tx(struct app *a, const struct task_event_ref *ref, const char *event_id,
                             const char *ce_type, int64_t at, const json_t *changes,
                             struct todo_err *err);
/* The task's history (audit entries, newest first), also after the task was deleted. 404
 * when the user has no history for that id. *out: audit_entries_free. */
int app_task_history(struct app *a, const char *user_id, int64_t id, struct audit_entry **out,
                     int *n, struct todo_err *err);
int app_tags_list(struct app *a, const char *user_id, struct tag_count **out, size_t *n,
                  struct todo_err *err);

/* --- events (events.c) --- */
/* Sets the trace context of the calls this thread makes next (the entry point's span, e.g.
 * http_req_traceparent); an invalid or NULL one starts a new trace. */
void app_trace_set(const char *traceparent);
/* The current call's traceparent (a new trace if none was begun). */
const char *app_trace_current(void);
/* Writes the events of a change (before NULL: created; after NULL: deleted) to the outbox;
 * call inside the change's transaction. */
int app_events_task_changed(struct app *a, const struct task *before, const struct task *after,
                            int64_t now);
/* Wakes the relay; call after the commit. */
void app_events_committed(struct app *a);

/* Writes todo.reminder.due for a claimed reminder to the outbox (late: fired more than
 * SCHED_LATE_AFTER_MS after remind_at); call inside the claiming transaction. Its id is
 * reminder-<id>-<remind_at ms>: the same firing always has the same id. */
int app_events_reminder_due(struct app *a, const struct reminder_due *d, bool late, int64_t now);

/* --- reminders (reminders.c; docs/decisions/0029-reminder-scheduling.md) --- */
/* Before a task write: reconciles its reminders with the stored task (before; NULL for a
 * new one) through task_reminders_reconcile. */
void app_reminders_prepare(struct app *a, const struct task *before, struct task *after,
                           int64_t now);
/* After the task's row was written, inside its transaction (after NULL: deleted): counts
 * what was scheduled or moved, queues the Jobs API calls in dapr mode, and notes the
 * earliest remind_at for the wake-up after commit. Returns a store result. */
int app_reminders_written(struct app *a, const struct task *before, const struct task *after,
                          int64_t now);
/* After a commit: wakes the scheduler if an earlier reminder was written. */
void app_reminders_committed(struct app *a);
/* The db scheduler's step (a sched_step_fn over a): claims the reminders due at now_ms in
 * group-commit transactions and writes their events; sets *next_at to the earliest
 * scheduled remind_at left. Returns a store result. */
int app_reminders_fire_due(void *a, int64_t now_ms, int64_t *next_at);
/* A Dapr job's callback: fires reminder id if it is still scheduled at remind_at (its event
 * written in the claiming transaction); *fired tells whether this call fired it, so a
 * repeated callback writes nothing. Returns a store result. */
int app_reminder_fire(struct app *a, int64_t id, int64_t remind_at, int64_t now_ms, bool *fired);

/* The dapr scheduler's step (a sched_step_fn over a, whose jobs client must be set): sends
 * the queued Jobs API calls in order (each row deleted once the sidecar took it, or refused
 * it as malformed), and once a minute schedules again the reminders overdue by more than
 * APP_JOBS_OVERDUE_MS (a tick Dapr dropped). Returns TODO_ERR_UNAVAILABLE while the sidecar
 * cannot be reached (the runner backs off), else a store result. */
#define APP_JOBS_OVERDUE_MS 120000
int app_reminders_send_jobs(void *a, int64_t now_ms, int64_t *next_at);
/* POST /job/<name> from Dapr: name "reminder-<id>", body the job's data
 * {"reminder_id": <id>, "remind_at": <RFC 3339>}. Fires the reminder once (app_reminder_fire;
 * *fired says whether this call did); a job for a time the reminder no longer has fires
 * nothing and, when the reminder is still scheduled, queues its job again. 400 for a name or
 * body that is not such a job. */
int app_reminder_job(struct app *a, const char *name, const char *body, size_t len, bool *fired,
                     struct todo_err *err);
/* --- realtime (realtime.c) --- */
/* The WebSocket message a task-updates event becomes, and whose it is: todo.task.changed
 * gives {"type":"task.changed","op","task"}, todo.notification.created gives
 * {"type":"notification","notification"} (docs/decisions/0033-websocket-realtime.md). Writes
 * the user id and appends the message to out; TODO_ERR_NOT_FOUND for an event type that is
 * not pushed, TODO_ERR_BAD_REQUEST for data without the expected members. Pure. */
int app_realtime_message(const struct cloudevent *ce, char user_id[USER_ID_MAX], struct buf *out);

/* Turns a store result into an error report (message for 5xx kept generic). */
int app_store_error(struct app *a, int rc, struct todo_err *err);

#endif
