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

#include <assert.h>
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

/* A create's work in a group commit: the task and its events (app_write). */
struct create_write {
    struct app *a;
    struct task t; /* a copy per attempt: the insert sets ids */
    int64_t now;
};

static int create_work(store_t *s, void *arg)
{
    struct create_write *w = arg;
    (void)s; /* the same store as w->a's, on this (the leader's) thread */
    return app_task_insert_in_tx(w->a, &w->t, w->now);
}

int app_task_create(struct app *a, const char *user_id, json_t *body, struct task *out,
                    struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    int64_t now = time_now_ms();
    struct task t;
    task_init(&t);
    snprintf(t.user_id, sizeof t.user_id, "%s", user_id);
    /* validation before the batch: a bad body never reaches the transaction */
    int rc = task_apply_json(&t, body, TASK_APPLY_CREATE, now, err);
    if (rc) {
        task_release(&t);
        return rc;
    }
    t.created_at = now;
    t.updated_at = now;
    t.version = 1;
    anchor_series(&t, NULL, now);
    for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
        struct create_write w = {.a = a, .now = now};
        task_init(&w.t);
        task_copy(&w.t, &t);
        rc = app_write(a, create_work, &w);
        if (rc == TODO_OK) {
            task_release(&t);
            *out = w.t;
            return TODO_OK;
        }
        task_release(&w.t);
        if (rc != TODO_ERR_BUSY) /* the batch broke under another write: try again */
            break;
    }
    task_release(&t);
    return app_store_error(a, rc, err);
}

int app_task_get(struct app *a, const char *user_id, int64_t id, struct task *out,
                 struct todo_err *err)
{
    return app_store_error(a, store_task_get(a->store, user_id, id, out), err);
}

typedef int (*mutate_fn)(struct task *t, void *arg, int64_t now, struct todo_err *err);

/* A read-modify-write of one task in a group commit (app_write). */
struct update_write {
    struct app *a;
    const char *user_id;
    int64_t id, if_match;
    mutate_fn mutate; /* NULL: delete */
    void *arg;
    struct todo_err *err;
    bool invalid;    /* mutate refused the change: err says why */
    struct task out; /* the task as written (on success, not for a delete) */
};

/* Reads the task, checks If-Match, applies the change through core's validation and writes
 * it back with its events; inside the batch's transaction, so no other writer of the task
 * comes between the read and the write. */
static int update_work(store_t *s, void *arg)
{
    struct update_write *w = arg;
    int64_t now = time_now_ms();
    struct task cur, next;
    task_init(&cur);
    task_init(&next);
    int rc = store_task_get(s, w->user_id, w->id, &cur);
    if (!rc && w->if_match >= 0 && cur.version != w->if_match)
        rc = TODO_ERR_PRECONDITION;
    if (!rc && !w->mutate) {
        rc = store_task_delete(s, w->user_id, w->id, cur.version);
        if (!rc)
            rc = app_events_task_changed(w->a, &cur, NULL, now);
        task_release(&cur);
        return rc;
    }
    if (!rc) {
        task_copy(&next, &cur);
        rc = w->mutate(&next, w->arg, now, w->err);
        w->invalid = rc != TODO_OK;
    }
    if (!rc) {
        next.version = cur.version + 1;
        next.updated_at = now;
        anchor_series(&next, &cur, now);
        rc = store_task_update(s, &next, cur.version);
    }
    if (!rc)
        rc = app_events_task_changed(w->a, &cur, &next, now);
    task_release(&cur);
    if (rc)
        task_release(&next);
    else
        w->out = next;
    return rc;
}

/* Runs a read-modify-write (or a delete) as one item of a group commit; retried when the
 * batch broke under another write, or another writer won a race and the client gave no
 * If-Match. */
static int update_task(struct app *a, const char *user_id, int64_t id, int64_t if_match,
                       mutate_fn mutate, void *arg, struct task *out, struct todo_err *err)
{
    int rc = TODO_OK;
    for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
        struct update_write w = {.a = a,
                                 .user_id = user_id,
                                 .id = id,
                                 .if_match = if_match,
                                 .mutate = mutate,
                                 .arg = arg,
                                 .err = err};
        task_init(&w.out);
        rc = app_write(a, update_work, &w);
        if (!rc) {
            if (out)
                *out = w.out;
            else
                task_release(&w.out);
            return TODO_OK;
        }
        if (w.invalid)
            return rc; /* a validation error: err already says what */
        if ((rc == TODO_ERR_PRECONDITION && if_match < 0) || rc == TODO_ERR_BUSY)
            continue;
        break;
    }
    return app_store_error(a, rc, err);
}

struct apply_arg {
    json_t *body;
    enum task_apply_mode mode;
};

static int mutate_apply(struct task *t, void *arg, int64_t now, struct todo_err *err)
{
    struct apply_arg *aa = arg;
    return task_apply_json(t, aa->body, aa->mode, now, err);
}

int app_task_replace(struct app *a, const char *user_id, int64_t id, json_t *body, int64_t if_match,
                     struct task *out, struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    struct apply_arg aa = {body, TASK_APPLY_REPLACE};
    return update_task(a, user_id, id, if_match, mutate_apply, &aa, out, err);
}

int app_task_patch(struct app *a, const char *user_id, int64_t id, json_t *body, int64_t if_match,
                   struct task *out, struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    struct apply_arg aa = {body, TASK_APPLY_PATCH};
    return update_task(a, user_id, id, if_match, mutate_apply, &aa, out, err);
}

/* arg: NULL to toggle, else points to the wanted state. */
static int mutate_complete(struct task *t, void *arg, int64_t now, struct todo_err *err)
{
    (void)err;
    bool want = arg ? *(bool *)arg : !t->completed;
    if (want != t->completed)
        task_set_completed(t, want, now);
    return TODO_OK;
}

int app_task_complete(struct app *a, const char *user_id, int64_t id, json_t *body,
                      int64_t if_match, struct task *out, struct todo_err *err)
{
    bool want;
    bool *arg = NULL;
    if (body) {
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
            want = json_is_true(c);
            arg = &want;
        }
    }
    return update_task(a, user_id, id, if_match, mutate_complete, arg, out, err);
}

int app_task_delete(struct app *a, const char *user_id, int64_t id, int64_t if_match,
                    struct todo_err *err)
{
    return update_task(a, user_id, id, if_match, NULL, NULL, NULL, err);
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
    int rc = store_task_insert(a->store, t);
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
