/* recurring.c - the recurring consumer's use case: when an occurrence of a recurring task is
 * completed, the next one is created, once (docs/recurring.md).
 *
 * It runs in the consumer runtime's transaction. It reads the task as it is now (deleted: the
 * series ended; no rule any more: nothing to do), computes the next due time in the user's
 * zone (src/core/recur.c), claims "successor of task N" in processed_events so that a
 * redelivered event, a second consumer instance, or completing the same occurrence again
 * after reopening it never makes a second successor, and inserts the successor through the
 * same code the API's creates use, which writes its own events. */
#include "app/app.h"
#include "base/timeutil.h"
#include "core/recur.h"

#include <assert.h>
#include <stdio.h>

#define SUCCESSOR_SCOPE "recurring:successor"

/* The successor of t due at next_due: same fields, pending, reminders moved with the due
 * time (relative ones keep their offset; absolute ones move by next_due - base, base being
 * t's due time or, without one, its completion). */
static void make_successor(struct task *succ, const struct task *t, int64_t base, int64_t next_due,
                           int64_t now)
{
    task_copy(succ, t);
    int64_t shift = next_due - base;
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

/* The next occurrence's due time after t's completion, in the user's zone: TODO_OK with
 * *next set, or with *ended when the series ended (COUNT or UNTIL); else an error. *due gets
 * the base the reminders move from. */
static int next_due(struct app *a, const struct task *t, int64_t completed_at, int64_t now,
                    int64_t *due, int64_t *next, bool *ended, struct todo_err *err)
{
    struct user u;
    user_init(&u);
    int rc = store_user_get_by_id(a->store, t->user_id, &u);
    if (rc) {
        todo_err_set(err, rc, "cannot read the user: %s", store_last_error(a->store));
        goto out_release;
    }
    *due = t->has_due ? t->due_at : completed_at;
    int64_t start = t->series_start ? t->series_start : *due;
    int res = recur_successor(t->rrule, t->recur_from == RECUR_FROM_COMPLETION, u.timezone, start,
                              *due, completed_at, now, next);
    *ended = res == RECUR_ENDED;
    if (res != RECUR_NEXT && res != RECUR_ENDED)
        rc = todo_err_set(err, TODO_ERR_INTERNAL, "cannot compute the next occurrence of %s",
                          t->rrule);
out_release:
    user_release(&u);
    return rc;
}

/* Claims the one successor of task_id: TODO_ERR_CONFLICT when it already has one. Claimed
 * only once there is a successor to make: an occurrence that ended its series can still get
 * one if its rule is changed and it is completed again. */
static int claim_successor(struct app *a, int64_t task_id, int64_t now, struct todo_err *err)
{
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)task_id);
    int rc = store_event_claim(a->store, SUCCESSOR_SCOPE, key, now);
    if (rc && rc != TODO_ERR_CONFLICT)
        todo_err_set(err, rc, "cannot claim the successor: %s", store_last_error(a->store));
    return rc;
}

int app_task_successor_in_tx(struct app *a, const struct task_event_ref *ref,
                             int64_t completed_at_hint, int64_t *succ_id, struct todo_err *err)
{
    *succ_id = 0;
    int64_t now = time_now_ms(), due = 0, next = 0;
    struct task t, succ;
    task_init(&t);
    task_init(&succ);
    int rc = store_task_get(a->store, ref->user_id, ref->task_id, &t);
    if (rc == TODO_ERR_NOT_FOUND || (rc == TODO_OK && !t.rrule)) {
        rc = TODO_OK; /* deleted (the series ended) or no longer recurring */
        goto out_release;
    }
    if (rc) {
        todo_err_set(err, rc, "cannot read task %lld: %s", (long long)ref->task_id,
                     store_last_error(a->store));
        goto out_release;
    }
    int64_t completed_at = t.has_completed_at ? t.completed_at : completed_at_hint;
    bool ended = false;
    rc = next_due(a, &t, completed_at, now, &due, &next, &ended, err);
    if (rc == TODO_OK && !ended)
        rc = claim_successor(a, ref->task_id, now, err);
    if ((rc == TODO_OK && ended) || rc == TODO_ERR_CONFLICT) {
        rc = TODO_OK; /* the last occurrence, or this one already has its successor */
        goto out_release;
    }
    if (rc)
        goto out_release;
    make_successor(&succ, &t, due, next, now);
    rc = app_task_insert_in_tx(a, &succ, now);
    if (rc) {
        todo_err_set(err, rc, "cannot create the successor: %s", store_last_error(a->store));
        goto out_release;
    }
    assert(succ.id > 0 && succ.due_at == next);
    *succ_id = succ.id;
out_release:
    task_release(&t);
    task_release(&succ);
    return rc;
}
