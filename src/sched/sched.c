/* sched.c - the scheduler's thread and metrics (sched.h).
 *
 * The one idea: the thread never polls at a fixed rate for its own writes. A step returns the
 * next time it has work (the earliest scheduled remind_at); the thread sleeps until then on a
 * condition variable, and a committed write of an earlier reminder lowers the wake-up time and
 * signals it (sched_notify). The poll cap only covers what other processes wrote (another api
 * replica's reminders, a database edited while this one slept). */
#include "sched/sched.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Lateness histogram bounds, in ms (Prometheus buckets in seconds). */
static const int64_t lateness_bounds_ms[] = {5,    10,   25,   50,    100,   250,   500,
                                             1000, 2500, 5000, 10000, 30000, 60000, 300000};
#define N_BOUNDS ((int)(sizeof lateness_bounds_ms / sizeof lateness_bounds_ms[0]))

struct sched {
    struct sched_config cfg;
    char mode[16];
    sched_step_fn step;
    void *arg;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
    int64_t wake_at; /* earliest time notified since the last step; INT64_MAX: none */
    /* metrics: relaxed atomic adds */
    uint64_t scheduled, fired, late;
    uint64_t buckets[N_BOUNDS + 1];
    uint64_t sum_ms;
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Sleeps until deadline_ms, an earlier notify, or stop. Returns false when stopping. */
static bool sleep_until(sched_t *s, int64_t deadline_ms)
{
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        int64_t until = min64(deadline_ms, s->wake_at);
        if (time_now_ms() >= until)
            break;
        struct timespec ts = {.tv_sec = (time_t)(until / 1000),
                              .tv_nsec = (long)(until % 1000) * 1000000L};
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    s->wake_at = INT64_MAX; /* the step about to run sees everything committed until now */
    bool go_on = !s->stopping;
    pthread_mutex_unlock(&s->mu);
    return go_on;
}

static void *sched_main(void *arg)
{
    sched_t *s = arg;
    int64_t deadline = 0;
    while (sleep_until(s, deadline)) {
        int64_t now = time_now_ms(), next = INT64_MAX;
        int rc = s->step(s->arg, now, &next);
        int64_t cap = now + (rc ? s->cfg.backoff_ms : s->cfg.max_sleep_ms);
        /* a dense run of due times is taken slack_ms at a time: one transaction per slice,
         * not one per reminder (an earlier one notified still wakes at once) */
        if (next < now + s->cfg.slack_ms)
            next = now + s->cfg.slack_ms;
        deadline = rc ? cap : min64(next, cap);
    }
    return NULL;
}

sched_t *sched_create(const struct sched_config *cfg, sched_step_fn step, void *arg)
{
    assert(step);
    sched_t *s = xcalloc(1, sizeof *s);
    if (cfg)
        s->cfg = *cfg;
    snprintf(s->mode, sizeof s->mode, "%s", s->cfg.mode ? s->cfg.mode : "db");
    s->cfg.mode = s->mode;
    if (s->cfg.max_sleep_ms <= 0)
        s->cfg.max_sleep_ms = 1000;
    if (s->cfg.backoff_ms <= 0)
        s->cfg.backoff_ms = 1000;
    if (s->cfg.slack_ms <= 0)
        s->cfg.slack_ms = SCHED_SLACK_MS;
    s->step = step;
    s->arg = arg;
    s->wake_at = INT64_MAX;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    return s;
}

void sched_start(sched_t *s)
{
    assert(s && !s->started);
    s->started = pthread_create(&s->thread, NULL, sched_main, s) == 0;
    assert(s->started);
}

void sched_notify(sched_t *s, int64_t at_ms)
{
    if (!s || at_ms == INT64_MAX)
        return;
    pthread_mutex_lock(&s->mu);
    if (at_ms < s->wake_at) {
        s->wake_at = at_ms;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

void sched_stop(sched_t *s)
{
    if (!s || !s->started)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    s->started = false;
}

void sched_destroy(sched_t *s)
{
    if (!s)
        return;
    sched_stop(s);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void sched_count_scheduled(sched_t *s, uint64_t n)
{
    if (s && n)
        __atomic_add_fetch(&s->scheduled, n, __ATOMIC_RELAXED);
}

bool sched_is_late(int64_t remind_at, int64_t fired_at)
{
    return fired_at - remind_at > SCHED_LATE_AFTER_MS;
}

void sched_observe_fired(sched_t *s, int64_t lateness_ms)
{
    if (!s)
        return;
    if (lateness_ms < 0)
        lateness_ms = 0; /* a callback a little early (clock skew with the sidecar) */
    int b = 0;
    while (b < N_BOUNDS && lateness_ms > lateness_bounds_ms[b])
        b++;
    __atomic_add_fetch(&s->fired, 1, __ATOMIC_RELAXED);
    if (lateness_ms > SCHED_LATE_AFTER_MS)
        __atomic_add_fetch(&s->late, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->sum_ms, (uint64_t)lateness_ms, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *v)
{
    return __atomic_load_n(v, __ATOMIC_RELAXED);
}

void sched_metrics(sched_t *s, struct buf *out)
{
    if (!s)
        return;
    buf_printf(out,
               "# HELP todo_reminders_scheduled_total Reminders scheduled or moved.\n"
               "# TYPE todo_reminders_scheduled_total counter\n"
               "todo_reminders_scheduled_total{scheduler=\"%s\"} %llu\n"
               "# HELP todo_reminders_fired_total Reminders fired (todo.reminder.due written).\n"
               "# TYPE todo_reminders_fired_total counter\n"
               "todo_reminders_fired_total{scheduler=\"%s\"} %llu\n"
               "# HELP todo_reminders_late_total Reminders fired more than 60 s late.\n"
               "# TYPE todo_reminders_late_total counter\n"
               "todo_reminders_late_total{scheduler=\"%s\"} %llu\n"
               "# HELP todo_reminder_lateness_seconds Fire time minus remind_at.\n"
               "# TYPE todo_reminder_lateness_seconds histogram\n",
               s->mode, (unsigned long long)load(&s->scheduled), s->mode,
               (unsigned long long)load(&s->fired), s->mode, (unsigned long long)load(&s->late));
    uint64_t cum = 0;
    for (int b = 0; b <= N_BOUNDS; b++) {
        cum += load(&s->buckets[b]);
        if (b < N_BOUNDS)
            buf_printf(out,
                       "todo_reminder_lateness_seconds_bucket{scheduler=\"%s\",le=\"%g\"} %llu\n",
                       s->mode, (double)lateness_bounds_ms[b] / 1000.0, (unsigned long long)cum);
        else
            buf_printf(out,
                       "todo_reminder_lateness_seconds_bucket{scheduler=\"%s\",le=\"+Inf\"} %llu\n",
                       s->mode, (unsigned long long)cum);
    }
    buf_printf(out,
               "todo_reminder_lateness_seconds_sum{scheduler=\"%s\"} %.3f\n"
               "todo_reminder_lateness_seconds_count{scheduler=\"%s\"} %llu\n",
               s->mode, (double)load(&s->sum_ms) / 1000.0, s->mode, (unsigned long long)cum);
}
