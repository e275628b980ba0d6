/* tasks.c - the task use cases. Every change is one item of a group commit (app_write,
 * docs/decisions/0022-group-commit.md): read the current task, apply the change through
 * core's validation, write it back with its outbox rows if the version is still the one
 * read; the item shares its transaction with other requests' writes, and a failing item
 * (404, 412, a validation error) is undone alone. With If-Match a version mismatch is the
 * client's 412; without it a lost race is retried. */
#include "app/app.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/recur.h"
#include "events/cloudevent.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPDATE_ATTEMPTS 5

/* A recurring series counts COUNT and UNTIL from its first due time: set it when a task gets
 * a rule or its rule changes; clear it when the rule goes. */
static void anchor_series(struct task *t, const struct task *before, int64_t now)
{
    if (!t->rrule) {
        t->series_start = 0;
        return;
    }
    bool same_rule = before && before->rrule && strcmp(before->rrule, t->rrule) == 0 &&
                     before->recur_from == t->recur_from;
    if (!same_rule || t->series_start == 0)
        t->series_start = t->has_due ? t->due_at : now;
    else if (before->has_due && t->has_due && before->due_at != t->due_at)
        /* the pending occurrence moved: later ones move with it (same COUNT position) */
        t->series_start += t->due_at - before->due_at;
}

/* A task write on its way through group commit: what the request asked, the attempt, and
 * the result handed to the caller's callback. Owned by the write until its callback ran. */
struct task_job {
    struct app *a;
    enum app_task_op op;
    char user_id[USER_ID_MAX];
    int64_t id, if_match;
    json_t *body;        /* borrowed until done: replace and patch apply it in the batch */
    bool *want, want_to; /* complete: NULL toggles, else the wanted state */
    struct task t;       /* create: the validated task, copied for each attempt */
    int attempts;
    bool invalid; /* the change was refused in the batch: res.err says why */
    char traceparent[TRACEPARENT_LEN + 1];
    struct app_task_result res;
    app_task_done_fn done;
    void *ctx;
};

static int mutate(struct task_job *j, struct task *t, int64_t now)
{
    if (j->op == APP_TASK_COMPLETE) {
        bool want = j->want ? *j->want : !t->completed;
        if (want != t->completed)
            task_set_completed(t, want, now);
        return TODO_OK;
    }
    enum task_apply_mode mode = j->op == APP_TASK_REPLACE ? TASK_APPLY_REPLACE : TASK_APPLY_PATCH;
    return task_apply_json(t, j->body, mode, now, &j->res.err);
}

/* Reads the task, checks If-Match, applies the change through core's validation and writes
 * it back (or deletes it) with its events; inside the batch's transaction, so no other writer
 * of the task comes between the read and the write. */
static int update_work(struct task_job *j, store_t *s, int64_t now)
{
    struct task cur, next;
    task_init(&cur);
    task_init(&next);
    int rc = store_task_get(s, j->user_id, j->id, &cur);
    if (!rc && j->if_match >= 0 && cur.version != j->if_match)
        rc = TODO_ERR_PRECONDITION;
    if (!rc && j->op == APP_TASK_DELETE) {
        rc = store_task_delete(s, j->user_id, j->id, cur.version);
        if (!rc)
            rc = app_reminders_written(j->a, &cur, NULL, now); /* its reminders go with it */
        if (!rc)
            rc = app_events_task_changed(j->a, &cur, NULL, now);
        task_release(&cur);
        return rc;
    }
    if (!rc) {
        task_copy(&next, &cur);
        rc = mutate(j, &next, now);
        j->invalid = rc != TODO_OK;
    }
    if (!rc) {
        next.version = cur.version + 1;
        next.updated_at = now;
        anchor_series(&next, &cur, now);
        app_reminders_prepare(j->a, &cur, &next, now);
        rc = store_task_update(s, &next, cur.version);
    }
    if (!rc)
        rc = app_reminders_written(j->a, &cur, &next, now);
    if (!rc)
        rc = app_events_task_changed(j->a, &cur, &next, now);
    task_release(&cur);
    if (rc)
        task_release(&next);
    else
        j->res.task = next;
    return rc;
}

/* The job's work, on the store's committer thread, with the request's trace context. */
static int job_work(store_t *s, void *arg)
{
    struct task_job *j = arg;
    app_trace_set(j->traceparent);
    task_release(&j->res.task);
    task_init(&j->res.task);
    if (j->op != APP_TASK_CREATE)
        return update_work(j, s, time_now_ms());
    task_copy(&j->res.task, &j->t); /* the insert sets ids: a fresh copy per attempt */
    int rc = app_task_insert_in_tx(j->a, &j->res.task, j->t.created_at);
    if (rc) {
        task_release(&j->res.task);
        task_init(&j->res.task);
    }
    return rc;
}

/* After the commit (or the failure): retry what lost a race, else answer the caller. */
static void job_done(void *arg, int rc, const char *error)
{
    struct task_job *j = arg;
    (void)error; /* the committer's store_last_error holds it for app_store_error's log */
    bool raced = rc == TODO_ERR_BUSY ||
                 (rc == TODO_ERR_PRECONDITION && j->if_match < 0 && j->op != APP_TASK_CREATE);
    if (rc && !j->invalid && raced && ++j->attempts < UPDATE_ATTEMPTS) {
        store_write_async(j->a->store, job_work, job_done, j);
        return;
    }
    j->res.rc = rc;
    if (rc && !j->invalid)
        j->res.rc = app_store_error(j->a, rc, &j->res.err);
    j->done(j->ctx, &j->res);
    task_release(&j->res.task);
    task_release(&j->t);
    free(j);
}

/* complete's optional body {"completed": bool}: parsed before the batch. */
static int complete_body(struct task_job *j, json_t *body, struct todo_err *err)
{
    if (!body)
        return TODO_OK;
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "completed") != 0)
            todo_err_field(err, key, "unknown field");
    }
    json_t *c = json_object_get(body, "completed");
    if (c && !json_is_boolean(c))
        todo_err_field(err, "completed", "completed must be true or false");
    if (err->rc)
        return err->rc;
    if (c) {
        j->want_to = json_is_true(c);
        j->want = &j->want_to;
    }
    return TODO_OK;
}

/* A new task from body, validated before the batch: a bad body never reaches it. */
static int create_prepare(struct task_job *j, json_t *body, struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    int64_t now = time_now_ms();
    snprintf(j->t.user_id, sizeof j->t.user_id, "%s", j->user_id);
    int rc = task_apply_json(&j->t, body, TASK_APPLY_CREATE, now, err);
    if (rc)
        return rc;
    j->t.created_at = now;
    j->t.updated_at = now;
    j->t.version = 1;
    anchor_series(&j->t, NULL, now);
    return TODO_OK;
}

int app_task_write_async(struct app *a, enum app_task_op op, const char *user_id, int64_t id,
                         json_t *body, int64_t if_match, app_task_done_fn done, void *ctx,
                         struct todo_err *err)
{
    assert(a && user_id && done && err);
    struct task_job *j = xcalloc(1, sizeof *j);
    *j = (struct task_job){.a = a, .op = op, .id = id, .if_match = if_match, .body = body};
    snprintf(j->user_id, sizeof j->user_id, "%s", user_id);
    task_init(&j->t);
    task_init(&j->res.task);
    todo_err_clear(&j->res.err);
    int rc = TODO_OK;
    if (op == APP_TASK_CREATE)
        rc = create_prepare(j, body, err);
    else if (op == APP_TASK_COMPLETE)
        rc = complete_body(j, body, err);
    else if ((op == APP_TASK_REPLACE || op == APP_TASK_PATCH) && !json_is_object(body))
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    if (rc) {
        task_release(&j->t);
        free(j);
        return rc;
    }
    memcpy(j->traceparent, app_trace_current(), sizeof j->traceparent);
    j->done = done;
    j->ctx = ctx;
    store_write_async(a->store, job_work, job_done, j);
    return TODO_OK;
}

/* The blocking forms: queue the write and wait for its callback. */
struct task_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    struct app_task_result res;
};

static void wait_done(void *ctx, struct app_task_result *res)
{
    struct task_wait *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->res = *res; /* takes the task: the job must not release it */
    task_init(&res->task);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static int task_write_wait(struct app *a, enum app_task_op op, const char *user_id, int64_t id,
                           json_t *body, int64_t if_match, struct task *out, struct todo_err *err)
{
    struct task_wait w = {.done = false};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    int rc = app_task_write_async(a, op, user_id, id, body, if_match, wait_done, &w, err);
    if (rc == TODO_OK) {
        pthread_mutex_lock(&w.mu);
        while (!w.done)
            pthread_cond_wait(&w.cv, &w.mu);
        pthread_mutex_unlock(&w.mu);
        rc = w.res.rc;
        if (rc)
            *err = w.res.err;
        else if (out)
            *out = w.res.task;
        if (rc || !out)
            task_release(&w.res.task);
    }
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc;
}

int app_task_create(struct app *a, const char *user_id, json_t *body, struct task *out,
                    struct todo_err *err)
{
    return task_write_wait(a, APP_TASK_CREATE, user_id, 0, body, -1, out, err);
}

int app_task_get(struct app *a, const char *user_id, int64_t id, struct task *out,
                 struct todo_err *err)
{
    return app_store_error(a, store_task_get(a->store, user_id, id, out), err);
}

int app_task_replace(struct app *a, const char *user_id, int64_t id, json_t *body, int64_t if_match,
                     struct task *out, struct todo_err *err)
{
    return task_write_wait(a, APP_TASK_REPLACE, user_id, id, body, if_match, out, err);
}

int app_task_patch(struct app *a, const char *user_id, int64_t id, json_t *body, int64_t if_match,
                   struct task *out, struct todo_err *err)
{
    return task_write_wait(a, APP_TASK_PATCH, user_id, id, body, if_match, out, err);
}

int app_task_complete(struct app *a, const char *user_id, int64_t id, json_t *body,
                      int64_t if_match, struct task *out, struct todo_err *err)
{
    return task_write_wait(a, APP_TASK_COMPLETE, user_id, id, body, if_match, out, err);
}

int app_task_delete(struct app *a, const char *user_id, int64_t id, int64_t if_match,
                    struct todo_err *err)
{
    return task_write_wait(a, APP_TASK_DELETE, user_id, id, NULL, if_match, NULL, err);
}

/* Parses the list query and resolves its due shortcut in the user's zone: the one path by
 * which both the list and the count read their parameters, so they accept, refuse and
 * filter alike. On success the caller releases *q. */
static int task_query_prepare(struct app *a, const char *user_id, query_param_fn get, void *ctx,
                              struct task_query *q, struct todo_err *err)
{
    int rc = query_parse(q, get, ctx, err);
    if (rc || q->due == QDUE_UNSET)
        return rc;
    struct user u;
    user_init(&u);
    rc = store_user_get_by_id(a->store, user_id, &u);
    if (rc == TODO_OK && query_resolve_due(q, u.timezone, time_now_ms()) != 0)
        rc = TODO_ERR_INTERNAL;
    user_release(&u);
    if (rc) {
        query_release(q);
        return app_store_error(a, rc, err);
    }
    return TODO_OK;
}

int app_task_list(struct app *a, const char *user_id, query_param_fn get, void *ctx,
                  struct task_page *out, char **next_cursor, struct todo_err *err)
{
    struct task_query q;
    int rc = task_query_prepare(a, user_id, get, ctx, &q, err);
    if (rc)
        return rc;
    rc = store_task_list(a->store, user_id, &q, out);
    if (rc) {
        query_release(&q);
        return app_store_error(a, rc, err);
    }
    *next_cursor = out->has_more && out->n_items > 0
                       ? query_cursor_encode(&q, &out->items[out->n_items - 1])
                       : NULL;
    query_release(&q);
    return TODO_OK;
}

int app_task_count(struct app *a, const char *user_id, query_param_fn get, void *ctx, int64_t *out,
                   struct todo_err *err)
{
    struct task_query q;
    int rc = task_query_prepare(a, user_id, get, ctx, &q, err);
    if (rc)
        return rc;
    rc = store_task_count(a->store, user_id, &q, out);
    query_release(&q);
    return app_store_error(a, rc, err);
}

int app_tags_list(struct app *a, const char *user_id, struct tag_count **out, size_t *n,
                  struct todo_err *err)
{
    return app_store_error(a, store_tags_list(a->store, user_id, out, n), err);
}

int app_task_history(struct app *a, const char *user_id, int64_t id, struct audit_entry **out,
                     int *n, struct todo_err *err)
{
    int rc = store_audit_list(a->store, user_id, id, out, n);
    if (rc == TODO_ERR_NOT_FOUND)
        return todo_err_set(err, rc, "no such task");
    return app_store_error(a, rc, err);
}

int app_task_insert_in_tx(struct app *a, struct task *t, int64_t now)
{
    app_reminders_prepare(a, NULL, t, now);
    int rc = store_task_insert(a->store, t);
    if (!rc)
        rc = app_reminders_written(a, NULL, t, now);
    if (!rc)
        rc = app_events_task_changed(a, NULL, t, now);
    return rc;
}

void app_task_describe(struct app *a, const char *user_id, struct task *t)
{
    if (!t->rrule)
        return;
    struct user u;
    user_init(&u);
    if (store_user_get_by_id(a->store, user_id, &u) == TODO_OK) {
        char text[256];
        int64_t at = t->has_due ? t->due_at : -1;
        if (recur_text(t->rrule, u.timezone, at, text, sizeof text) > 0) {
            free(t->recurrence_text);
            t->recurrence_text = xstrdup(text);
        }
        int64_t next;
        if (t->has_due &&
            recur_next(t->rrule, u.timezone, t->series_start ? t->series_start : t->due_at,
                       t->due_at, &next) == RECUR_NEXT)
            t->recurrence_next = next;
    }
    user_release(&u);
}
