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
#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/trace.h"
#include "base/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRE_BATCH      256   /* reminders claimed per transaction */
#define JOBS_BATCH      64    /* Jobs API calls read from the queue at once */
#define JOBS_SWEEP_MS   60000 /* how often the dapr scheduler looks for overdue rows */
#define JOB_NAME_PREFIX "reminder-"

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

/* dapr: queues the Jobs API calls for the reminders that stopped being scheduled; counts
 * them in *n_queued. */
static int queue_cancels(struct app *a, const struct task *before, const struct task *after,
                         int64_t now, int *n_queued)
{
    int rc = TODO_OK;
    for (int i = 0; before && rc == TODO_OK && i < before->n_reminders; i++) {
        const struct reminder *old = &before->reminders[i];
        const struct reminder *cur = find_reminder(after, old->id);
        if (old->state == REMINDER_SCHEDULED && (!cur || cur->state != REMINDER_SCHEDULED)) {
            rc = store_sched_job_insert(a->store, old->id, true, 0, now);
            ++*n_queued;
        }
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
    int n_cancels = 0;
    if (rc == TODO_OK && a->sched_mode == APP_SCHED_DAPR)
        rc = queue_cancels(a, before, after, now, &n_cancels);
    if (rc == TODO_OK) {
        sched_count_scheduled(sched_of(a), n_scheduled);
        if (a->sched_mode == APP_SCHED_DAPR)
            earliest = n_scheduled || n_cancels ? now : INT64_MAX; /* calls to send now */
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
    struct reminder_due *due;       /* claimed and written, once committed */
    char trace_ids[FIRE_BATCH][33]; /* due[i]'s firing's trace id */
    int n;
};

/* A firing is a unit of work of its own, hours after the write that scheduled it: it starts
 * a new trace (it must not inherit the committer thread's last request's), which its event
 * carries to notify; this line joins that trace to the task (docs/decisions/0055). */
static void begin_firing_trace(char trace_id[33])
{
    app_trace_set(NULL);
    traceparent_trace_id(app_trace_current(), trace_id);
}

static void log_fired(const struct reminder_due *d, int64_t now, const char *trace_id)
{
    if (!log_enabled(LOG_INFO))
        return;
    struct buf f;
    buf_init(&f);
    buf_printf(&f,
               "\"reminder_id\":%lld,\"task_id\":%lld,\"event_id\":\"reminder-%lld-%lld\","
               "\"late\":%s,\"trace_id\":",
               (long long)d->id, (long long)d->task_id, (long long)d->id, (long long)d->remind_at,
               sched_is_late(d->remind_at, now) ? "true" : "false");
    buf_json_str(&f, trace_id);
    log_write(LOG_INFO, "reminder fired", f.data);
    buf_release(&f);
}

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
    for (int i = 0; rc == TODO_OK && i < n; i++) {
        begin_firing_trace(b->trace_ids[i]);
        rc =
            app_events_reminder_due(b->a, &due[i], sched_is_late(due[i].remind_at, b->now), b->now);
    }
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
    (void)now_ms;              /* each claim reads the clock when its transaction runs */
    store_thread_background(); /* the scheduler's thread
                                  (docs/decisions/0028-write-path-and-memory.md) */
    int rc;
    struct fire_batch b = {.a = a};
    do {
        rc = store_write(a->store, fire_work, &b);
        for (int i = 0; rc == TODO_OK && i < b.n; i++) {
            sched_observe_fired(sched_of(a), b.now - b.due[i].remind_at);
            log_fired(&b.due[i], b.now, b.trace_ids[i]);
        }
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
    bool fired, requeued;
    struct reminder_due due; /* the claimed reminder, for the log line */
    char trace_id[33];
};

static int fire_one_work(store_t *s, void *arg)
{
    struct fire_one *f = arg;
    reminder_due_release(&f->due);
    memset(&f->due, 0, sizeof f->due);
    f->fired = false;
    int rc = store_reminder_claim(s, f->id, f->remind_at, f->now, &f->due, &f->fired);
    if (rc == TODO_OK && f->fired) {
        begin_firing_trace(f->trace_id);
        rc =
            app_events_reminder_due(f->a, &f->due, sched_is_late(f->due.remind_at, f->now), f->now);
    }
    if (rc != TODO_OK || f->fired || f->a->sched_mode != APP_SCHED_DAPR)
        return rc;
    /* a stale job (its reminder moved, and the job for the new time went missing): the row
     * is the truth, so its job is queued again */
    int state = 0;
    int64_t at = 0;
    bool found = false;
    rc = store_reminder_schedule(s, f->id, &state, &at, &found);
    if (rc == TODO_OK && found && state == REMINDER_SCHEDULED && at != f->remind_at) {
        rc = store_sched_job_insert(s, f->id, false, at, f->now);
        f->requeued = rc == TODO_OK;
    }
    return rc;
}

int app_reminder_fire(struct app *a, int64_t id, int64_t remind_at, int64_t now_ms, bool *fired)
{
    assert(a && fired);
    struct fire_one f = {.a = a, .id = id, .remind_at = remind_at, .now = now_ms};
    int rc = store_write(a->store, fire_one_work, &f);
    if (rc == TODO_OK && f.fired) {
        sched_observe_fired(sched_of(a), now_ms - remind_at);
        log_fired(&f.due, now_ms, f.trace_id);
    }
    reminder_due_release(&f.due);
    if (rc == TODO_OK && f.requeued)
        sched_notify(sched_of(a), now_ms);
    *fired = rc == TODO_OK && f.fired;
    return rc;
}

/* --- the dapr scheduler (docs/decisions/0030-dapr-jobs-scheduler.md) --- */

static void job_name(int64_t reminder_id, char *out, size_t size)
{
    snprintf(out, size, JOB_NAME_PREFIX "%lld", (long long)reminder_id);
}

/* The job's data: what the callback needs to claim the reminder for this time. */
static void job_data(struct buf *b, int64_t reminder_id, int64_t remind_at)
{
    char at[TIME_RFC3339_MAX];
    size_t n = time_format_rfc3339(remind_at, at);
    buf_reset(b);
    buf_printf(b, "{\"reminder_id\":%lld,\"remind_at\":\"", (long long)reminder_id);
    buf_append(b, at, n);
    buf_puts(b, "\"}");
}

/* Sends one call. TODO_OK when it is done with (taken, or refused for good: logged). */
static int send_job(struct app *a, const struct sched_job *j, int64_t due_at, struct buf *data)
{
    char name[48];
    job_name(j->reminder_id, name, sizeof name);
    struct todo_err err;
    todo_err_clear(&err);
    int rc;
    if (j->cancel) {
        rc = sched_dapr_delete(a->jobs, name, &err);
    } else {
        job_data(data, j->reminder_id, j->remind_at);
        rc = sched_dapr_schedule(a->jobs, name, due_at, data->data, &err);
    }
    if (rc == TODO_ERR_BAD_REQUEST) {
        log_msg(LOG_WARN, "the Dapr Jobs API refused %s %s (dropped): %s",
                j->cancel ? "deleting" : "scheduling", name, err.message);
        return TODO_OK;
    }
    if (rc != TODO_OK)
        log_msg(LOG_WARN, "the Dapr Jobs API: %s (will retry)", err.message);
    return rc;
}

/* Sends the queued calls in order; stops at the first that must be retried. */
static int drain_jobs(struct app *a)
{
    struct buf data;
    buf_init(&data);
    int rc = TODO_OK, n = JOBS_BATCH;
    while (rc == TODO_OK && n == JOBS_BATCH) {
        struct sched_job *jobs = NULL;
        n = 0;
        rc = store_sched_jobs_fetch(a->store, JOBS_BATCH, &jobs, &n);
        for (int i = 0; rc == TODO_OK && i < n; i++) {
            rc = send_job(a, &jobs[i], jobs[i].remind_at, &data);
            if (rc == TODO_OK)
                rc = store_sched_job_delete(a->store, jobs[i].id);
        }
        free(jobs);
    }
    buf_release(&data);
    return rc;
}

/* Schedules again, due now, the reminders whose tick never came (Dapr dropped it). */
static int sweep_overdue(struct app *a, int64_t now)
{
    struct sched_job *due = NULL;
    int n = 0;
    int rc = store_reminders_overdue(a->store, now - APP_JOBS_OVERDUE_MS, JOBS_BATCH, &due, &n);
    struct buf data;
    buf_init(&data);
    for (int i = 0; rc == TODO_OK && i < n; i++)
        rc = send_job(a, &due[i], now, &data);
    buf_release(&data);
    free(due);
    return rc;
}

int app_reminders_send_jobs(void *arg, int64_t now_ms, int64_t *next_at)
{
    struct app *a = arg;
    assert(a && a->jobs && next_at);
    store_thread_background(); /* the scheduler's thread
                                  (docs/decisions/0028-write-path-and-memory.md) */
    *next_at = INT64_MAX;      /* woken by the writes that queue calls */
    int rc = drain_jobs(a);
    if (rc == TODO_OK && now_ms - a->jobs_swept_at >= JOBS_SWEEP_MS) {
        rc = sweep_overdue(a, now_ms);
        if (rc == TODO_OK)
            a->jobs_swept_at = now_ms;
    }
    return rc;
}

/* "reminder-<id>" with id a positive decimal; 0 otherwise. */
static int64_t job_reminder_id(const char *name)
{
    size_t plen = strlen(JOB_NAME_PREFIX);
    if (!name || strncmp(name, JOB_NAME_PREFIX, plen) != 0)
        return 0;
    const char *digits = name + plen;
    if (*digits < '1' || *digits > '9' || strlen(digits) > 18)
        return 0;
    for (const char *p = digits; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return strtoll(digits, NULL, 10);
}

int app_reminder_job(struct app *a, const char *name, const char *body, size_t len, bool *fired,
                     struct todo_err *err)
{
    assert(a && fired && err);
    int64_t id = job_reminder_id(name);
    if (id == 0)
        return todo_err_set(err, TODO_ERR_NOT_FOUND, "no such job");
    json_error_t jerr;
    json_t *data = body ? json_loadb(body, len, 0, &jerr) : NULL;
    json_t *rid = json_object_get(data, "reminder_id");
    const char *at_text = json_string_value(json_object_get(data, "remind_at"));
    int64_t at = 0;
    int rc = TODO_OK;
    if (!json_is_object(data))
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "the job data must be a JSON object");
    else if (!json_is_integer(rid) || json_integer_value(rid) != id)
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "reminder_id must be the job's reminder");
    else if (!at_text || time_parse_rfc3339(at_text, &at) != 0)
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "remind_at must be an RFC 3339 time");
    json_decref(data);
    if (rc)
        return rc;
    return app_store_error(a, app_reminder_fire(a, id, at, time_now_ms(), fired), err);
}
