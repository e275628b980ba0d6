/* recurring.c - the recurring role: when an occurrence of a recurring task is completed, the
 * next one is created, once.
 *
 * The handler runs in the consumer runtime's transaction. It reads the task as it is now
 * (deleted: the series ended; no rule any more: nothing to do), claims "successor of task N"
 * in processed_events so that a redelivered event, a second consumer instance, or completing
 * the same occurrence again after reopening it never makes a second successor, computes the
 * next due time in the user's zone (src/core/recur.c), and inserts the successor through the
 * same application code the API uses, which writes its own events. */
#include "services/recurring/recurring.h"
#include "base/timeutil.h"
#include "core/event.h"
#include "core/recur.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUCCESSOR_SCOPE "recurring:successor"

/* The successor of t due at next_due: same fields, pending, reminders moved with the due
 * time (relative ones keep their offset; absolute ones move by next_due - base, base being
 * t's due time or, without one, its completion). */
static void make_successor(struct task *succ, const struct task *t, int64_t base, int64_t next_due,
                           int64_t now)
{
    task_copy(succ, t);
    int64_t shift = next_due - base; /* base: the due time, or the completion when none */
    succ->id = 0;
    succ->completed = false;
    succ->has_completed_at = false;
    succ->completed_at = 0;
    succ->has_due = true;
    succ->due_at = next_due;
    for (int i = 0; i < succ->n_reminders; i++) {
        struct reminder *r = &succ->reminders[i];
        r->id = 0;
        r->state = REMINDER_SCHEDULED;
        r->remind_at = r->relative ? next_due - r->before_ms : r->remind_at + shift;
    }
    succ->created_at = now;
    succ->updated_at = now;
    succ->version = 1;
}

static int on_completed(void *ctx, store_t *store, const struct cloudevent *ce,
                        struct todo_err *err)
{
    struct app *a = ctx;
    app_trace_set(ce->traceparent); /* the successor's events continue the completion's trace */
    json_t *data = cloudevent_data(ce);
    json_t *jid = json_object_get(data, "task_id");
    json_t *juser = json_object_get(data, "user_id");
    if (!json_is_integer(jid) || !json_is_string(juser)) {
        json_decref(data);
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "event data lacks task_id or user_id");
    }
    int64_t task_id = json_integer_value(jid);
    char user_id[USER_ID_MAX];
    snprintf(user_id, sizeof user_id, "%s", json_string_value(juser));
    json_decref(data);

    int64_t now = time_now_ms();
    struct task t, succ;
    struct user u;
    task_init(&t);
    task_init(&succ);
    user_init(&u);
    int rc = store_task_get(store, user_id, task_id, &t);
    if (rc == TODO_ERR_NOT_FOUND || (rc == TODO_OK && !t.rrule)) {
        rc = TODO_OK; /* deleted (the series ended) or no longer recurring */
        goto out_release;
    }
    if (rc) {
        todo_err_set(err, rc, "cannot read task %lld: %s", (long long)task_id,
                     store_last_error(store));
        goto out_release;
    }
    rc = store_user_get_by_id(store, user_id, &u);
    if (rc) {
        todo_err_set(err, rc, "cannot read the user: %s", store_last_error(store));
        goto out_release;
    }
    int64_t completed_at = t.has_completed_at ? t.completed_at : ce->time;
    int64_t due = t.has_due ? t.due_at : completed_at;
    int64_t start = t.series_start ? t.series_start : due;
    int64_t next = 0;
    int res = recur_successor(t.rrule, t.recur_from == RECUR_FROM_COMPLETION, u.timezone, start,
                              due, completed_at, now, &next);
    if (res == RECUR_ENDED) {
        rc = TODO_OK; /* COUNT or UNTIL: this was the last occurrence */
        goto out_release;
    }
    if (res != RECUR_NEXT) {
        rc = todo_err_set(err, TODO_ERR_INTERNAL, "cannot compute the next occurrence of %s",
                          t.rrule);
        goto out_release;
    }
    /* Claimed only now that there is a successor to make: an occurrence that ended its
     * series can still get one if its rule is changed and it is completed again. */
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)task_id);
    rc = store_event_claim(store, SUCCESSOR_SCOPE, key, now);
    if (rc == TODO_ERR_CONFLICT) {
        rc = TODO_OK; /* this occurrence already has its successor */
        goto out_release;
    }
    if (rc) {
        todo_err_set(err, rc, "cannot claim the successor: %s", store_last_error(store));
        goto out_release;
    }
    make_successor(&succ, &t, due, next, now);
    rc = app_task_insert_in_tx(a, &succ, now);
    if (rc)
        todo_err_set(err, rc, "cannot create the successor: %s", store_last_error(store));
    else
        app_events_committed(a); /* the relay looks again once this transaction is done */
out_release:
    task_release(&t);
    task_release(&succ);
    user_release(&u);
    return rc;
}

void recurring_register(consumer_t *c, struct app *a)
{
    consumer_on(c, TOPIC_TASK_EVENTS, "todo.task.completed", on_completed, a);
}
