/* app.h - the use cases: every operation on accounts and tasks that an entry point (REST,
 * chat tool, MCP tool) performs goes through these functions, which validate (via core),
 * run the storage transaction and return results and error reports. Thread-safe: a
 * struct app is shared by all worker threads. */
#ifndef TODO_APP_APP_H
#define TODO_APP_APP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/ratelimit.h"
#include "base/err.h"
#include "core/query.h"
#include "core/task.h"
#include "core/user.h"
#include "events/outbox.h"
#include "store/store.h"

struct app_config {
    const unsigned char *jwt_secret; /* copied */
    size_t jwt_secret_len;           /* at least 32 bytes */
    int64_t token_ttl_ms;
    int login_limit_email; /* attempts per minute; <= 0 disables */
    int login_limit_addr;
    const char *role; /* "serve", "api", ...: the events' source is "/todo/<role>" */
};

struct app {
    uint64_t id;    /* unique per app_init in this process (keys per-thread caches) */
    store_t *store; /* not owned */
    unsigned char jwt_secret[128];
    size_t jwt_secret_len;
    int64_t token_ttl_ms;
    ratelimit_t *login_by_email;
    ratelimit_t *login_by_addr;
    char event_source[64]; /* CloudEvents source, "/todo/<role>" */
    /* Woken after commits that wrote events; NULL: none yet. Set once (atomic release) while
     * consumer threads may already run; cleared after they stopped. */
    outbox_relay_t *relay;
};

/* Initialises a; store must outlive it. */
void app_init(struct app *a, store_t *store, const struct app_config *cfg);
void app_release(struct app *a);

/* --- accounts (auth.c) --- */
struct app_session {
    char *token; /* owned */
    int64_t expires_at;
    struct user user;
};
void app_session_release(struct app_session *s);

/* POST /api/auth/signup. 409 email taken, 422 validation. */
int app_signup(struct app *a, json_t *body, struct app_session *out, struct todo_err *err);
/* POST /api/auth/login. 401 for an unknown email or a wrong password alike; 429 when the
 * email or the client address is over its limit. */
int app_login(struct app *a, json_t *body, const char *remote, struct app_session *out,
              struct todo_err *err);
/* Checks a bearer token (HS256 only, unexpired) and writes its user id. 401 otherwise. */
int app_token_verify(struct app *a, const char *token, char user_id[USER_ID_MAX],
                     struct todo_err *err);
int app_me_get(struct app *a, const char *user_id, struct user *out, struct todo_err *err);
int app_me_update(struct app *a, const char *user_id, json_t *body, struct user *out,
                  struct todo_err *err);

/* --- tasks (tasks.c) --- if_match < 0 means no precondition. *out must be initialised. */
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

/* Turns a store result into an error report (message for 5xx kept generic). */
int app_store_error(struct app *a, int rc, struct todo_err *err);

#endif
