/* test_sched.c - the scheduler's runtime (src/sched/sched.c): the step runs at start, the
 * thread then sleeps until the time the step asked for, a notify of an earlier time wakes it
 * at once (a notify of a later one does not), stop joins it, and the metrics count firings,
 * late ones and the lateness histogram. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "base/timeutil.h"
#include "sched/sched.h"

#define HOUR_MS 3600000LL

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int n_steps;

/* Asks to run again in an hour. */
static int step(void *arg, int64_t now_ms, int64_t *next_at)
{
    (void)arg;
    *next_at = now_ms + HOUR_MS;
    pthread_mutex_lock(&mu);
    n_steps++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    return 0;
}

/* Waits (bounded by a generous deadline, far below the hour the step asked for) until the
 * step ran n times; returns the count. */
static int wait_steps(int n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 30;
    pthread_mutex_lock(&mu);
    while (n_steps < n && pthread_cond_timedwait(&cv, &mu, &ts) == 0)
        ;
    int got = n_steps;
    pthread_mutex_unlock(&mu);
    return got;
}

static int steps_now(void)
{
    pthread_mutex_lock(&mu);
    int got = n_steps;
    pthread_mutex_unlock(&mu);
    return got;
}

Test(sched, runs_at_start_wakes_on_an_earlier_notify_and_stops_when_asked)
{
    struct sched_config cfg = {.mode = "db", .max_sleep_ms = HOUR_MS};
    sched_t *s = sched_create(&cfg, step, NULL);
    sched_start(s);
    cr_assert_eq(wait_steps(1), 1, "the first step runs at start (missed reminders fire)");
    sched_notify(s, time_now_ms() + 2 * HOUR_MS); /* later than planned: no wake-up */
    sched_notify(s, time_now_ms());               /* earlier: at once */
    cr_assert_eq(wait_steps(2), 2);
    sched_stop(s); /* joins, although the step asked for an hour */
    cr_assert_eq(steps_now(), 2, "the later notify woke nothing");
    sched_destroy(s);
}

Test(sched, metrics_count_fired_late_and_lateness)
{
    sched_t *s = sched_create(NULL, step, NULL);
    sched_count_scheduled(s, 3);
    sched_observe_fired(s, 4);
    sched_observe_fired(s, 700);
    sched_observe_fired(s, SCHED_LATE_AFTER_MS + 1);
    struct buf b;
    buf_init(&b);
    sched_metrics(s, &b);
    cr_assert(strstr(b.data, "todo_reminders_scheduled_total{scheduler=\"db\"} 3\n"), "%s", b.data);
    cr_assert(strstr(b.data, "todo_reminders_fired_total{scheduler=\"db\"} 3\n"));
    cr_assert(strstr(b.data, "todo_reminders_late_total{scheduler=\"db\"} 1\n"));
    cr_assert(
        strstr(b.data, "todo_reminder_lateness_seconds_bucket{scheduler=\"db\",le=\"0.005\"} 1\n"));
    cr_assert(
        strstr(b.data, "todo_reminder_lateness_seconds_bucket{scheduler=\"db\",le=\"1\"} 2\n"));
    cr_assert(
        strstr(b.data, "todo_reminder_lateness_seconds_bucket{scheduler=\"db\",le=\"+Inf\"} 3\n"));
    cr_assert(strstr(b.data, "todo_reminder_lateness_seconds_count{scheduler=\"db\"} 3\n"));
    cr_assert(sched_is_late(0, SCHED_LATE_AFTER_MS + 1));
    cr_assert(!sched_is_late(0, SCHED_LATE_AFTER_MS));
    buf_release(&b);
    sched_destroy(s);
}
