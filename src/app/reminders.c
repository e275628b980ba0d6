/* reminders.c - the reminder use cases (docs/decisions/0029-reminder-scheduling.md): keeping
 * a task's reminders scheduled, moved or cancelled by each write of the task, in its
 * transaction; firing the due ones (the db scheduler's step); and firing one from a Dapr
 * job's callback.
 *
 * The one idea: a reminder's row is its schedule. A task write reconciles the rows' states
 * (task_reminders_reconcile) and writes them with the task; the db scheduler claims
 * scheduled rows whose remind_at passed and writes todo.reminder.due in the claiming
 * transaction; with Dapr, the same write also queues the Jobs API calls (sched_jobs) that a
 * thread sends after commit, and the job's callback claims the row the same way. A claim is
 * a conditional UPDATE, so every firing happens once. */
#include "app/app.h"
#include "base/timeutil.h"

#include <assert.h>
#include <stdlib.h>

#define FIRE_BATCH 256 /* reminders claimed per transaction */

static sched_t *sched_of(struct app *a)
{
    return __atomic_load_n(&a->sched, __ATOMIC_ACQUIRE);
}

static const struct reminder *find_reminder(const struct task *t, int64_t id)
{
    for (int i = 0; t && id && i < t->n_reminders; i++)
        if (t->reminders[i].id == id)
            return &t->reminders[i];
    return NULL;
}

/* Lowers the after-commit wake-up hint to at (atomic min). */
static void hint_earliest(struct app *a, int64_t at)
{
    int64_t cur = __atomic_load_n(&a->sched_hint, __ATOMIC_RELAXED);
    while (at < cur && !__atomic_compare_exchange_n(&a->sched_hint, &cur, at, true,
                                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

void app_reminders_prepare(struct app *a, const struct task *before, struct task *after,
                           int64_t now)
{
    (void)a; /* the same for every scheduler: the rows are the schedule */
    assert(after);
    (void)task_reminders_reconcile(before, after, now);
}

/* dapr: queues the Jobs API calls for the reminders that stopped being scheduled. */
static int queue_cancels(struct app *a, const struct task *before, const struct task *after,
                         int64_t now)
{
    int rc = TODO_OK;
    for (int i = 0; before && rc == TODO_OK && i < before->n_reminders; i++) {
        const struct reminder *old = &before->reminders[i];
        const struct reminder *cur = find_reminder(after, old->id);
        if (old->state == REMINDER_SCHEDULED && (!cur || cur->state != REMINDER_SCHEDULED))
            rc = store_sched_job_insert(a->store, old->id, true, 0, now);
    }
    return rc;
}

int app_reminders_written(struct app *a, const struct task *before, const struct task *after,
                          int64_t now)
{
    assert(a && (before || after));
    int64_t earliest = INT64_MAX;
    uint64_t n_scheduled = 0;
    int rc = TODO_OK;
    for (int i = 0; after && rc == TODO_OK && i < after->n_reminders; i++) {
        const struct reminder *r = &after->reminders[i];
        if (r->state != REMINDER_SCHEDULED)
            continue;
        const struct reminder *old = find_reminder(before, r->id);
        if (r->remind_at < earliest)
            earliest = r->remind_at;
        if (old && old->state == REMINDER_SCHEDULED && old->remind_at == r->remind_at)
            continue; /* unchanged */
        n_scheduled++;
        if (a->sched_mode == APP_SCHED_DAPR) /* create or move (overwrite) its job */
            rc = store_sched_job_insert(a->store, r->id, false, r->remind_at, now);
    }
    if (rc == TODO_OK && a->sched_mode == APP_SCHED_DAPR)
        rc = queue_cancels(a, before, after, now);
    if (rc == TODO_OK) {
        sched_count_scheduled(sched_of(a), n_scheduled);
        if (a->sched_mode == APP_SCHED_DAPR && (n_scheduled || before))
            earliest = now; /* the queue has calls to send now */
        hint_earliest(a, earliest);
    }
    return rc;
}

void app_reminders_committed(struct app *a)
{
    int64_t at = __atomic_exchange_n(&a->sched_hint, INT64_MAX, __ATOMIC_RELAXED);
    sched_notify(sched_of(a), at);
}

/* One claiming transaction of the db scheduler: a group-commit item. */
struct fire_batch {
    struct app *a;
    int64_t now;
    struct reminder_due *due; /* claimed and written, once committed */
    int n;
};

static int fire_work(store_t *s, void *arg)
{
    struct fire_batch *b = arg;
    reminders_due_free(b->due, b->n);
    b->due = NULL;
    b->n = 0;
    b->now = time_now_ms();
    struct reminder_due *due = NULL;
    int n = 0;
    int rc = store_reminders_claim_due(s, b->now, FIRE_BATCH, &due, &n);
    for (int i = 0; rc == TODO_OK && i < n; i++)
        rc =
            app_events_reminder_due(b->a, &due[i], sched_is_late(due[i].remind_at, b->now), b->now);
    if (rc != TODO_OK) {
        reminders_due_free(due, n);
        return rc;
    }
    b->due = due;
    b->n = n;
    return TODO_OK;
}

int app_reminders_fire_due(void *arg, int64_t now_ms, int64_t *next_at)
{
    struct app *a = arg;
    assert(a && next_at);
    (void)now_ms; /* each claim reads the clock when its transaction runs */
    int rc;
    struct fire_batch b = {.a = a};
    do {
        rc = store_write(a->store, fire_work, &b);
        for (int i = 0; rc == TODO_OK && i < b.n; i++)
            sched_observe_fired(sched_of(a), b.now - b.due[i].remind_at);
        reminders_due_free(b.due, b.n);
        b.due = NULL;
    } while (rc == TODO_OK && b.n == FIRE_BATCH);
    if (rc == TODO_OK)
        rc = store_reminders_next(a->store, next_at);
    return rc;
}

struct fire_one {
    struct app *a;
    int64_t id, remind_at, now;
    bool fired;
};

static int fire_one_work(store_t *s, void *arg)
{
    struct fire_one *f = arg;
    struct reminder_due d = {0};
    f->fired = false;
    int rc = store_reminder_claim(s, f->id, f->remind_at, f->now, &d, &f->fired);
    if (rc == TODO_OK && f->fired)
        rc = app_events_reminder_due(f->a, &d, sched_is_late(d.remind_at, f->now), f->now);
    reminder_due_release(&d);
    return rc;
}

int app_reminder_fire(struct app *a, int64_t id, int64_t remind_at, int64_t now_ms, bool *fired)
{
    assert(a && fired);
    struct fire_one f = {.a = a, .id = id, .remind_at = remind_at, .now = now_ms};
    int rc = store_write(a->store, fire_one_work, &f);
    if (rc == TODO_OK && f.fired)
        sched_observe_fired(sched_of(a), now_ms - remind_at);
    *fired = rc == TODO_OK && f.fired;
    return rc;
}
