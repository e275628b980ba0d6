/* sched.h - the reminder scheduler's runtime (docs/architecture.md, "Reminders";
 * docs/decisions/0029-reminder-scheduling.md): one thread that runs a step function, then
 * sleeps until the time the step asked for, a wake-up for an earlier time written meanwhile
 * (sched_notify, after commit), or the poll cap, whichever comes first. The step is the
 * app's: fire the due reminders (db scheduler) or send the queued Jobs API calls (dapr).
 * It also keeps the scheduler's metrics. Thread-safe unless said otherwise. */
#ifndef TODO_SCHED_SCHED_H
#define TODO_SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct sched sched_t;

/* One step at now_ms: does what is due and sets *next_at to when it wants to run again
 * (INT64_MAX: only when woken or at the poll cap). Nonzero: it failed; the runner retries
 * after a backoff. Runs on the scheduler's thread. */
typedef int (*sched_step_fn)(void *arg, int64_t now_ms, int64_t *next_at);

/* A reminder fired more than this after its remind_at is late (the event's "late": true). */
#define SCHED_LATE_AFTER_MS 60000

/* After a step, the next one runs at least this much later (unless notified of an earlier
 * time): a dense run of due reminders is claimed a slice at a time. */
#define SCHED_SLACK_MS 10

struct sched_config {
    const char *mode;     /* "db" or "dapr": the metrics' label */
    int64_t max_sleep_ms; /* poll cap: rows another process wrote wait at most this (1000) */
    int64_t backoff_ms;   /* after a failed step (1000) */
    int64_t slack_ms;     /* SCHED_SLACK_MS */
};

/* Creates a scheduler over step(arg); nothing runs until sched_start. */
sched_t *sched_create(const struct sched_config *cfg, sched_step_fn step, void *arg);
void sched_start(sched_t *s);
/* Something due at at_ms was committed: wakes the thread now if that is earlier than it
 * planned to. Cheap; never blocks on I/O; NULL is fine. */
void sched_notify(sched_t *s, int64_t at_ms);
/* Stops and joins the thread (a step in progress finishes). NULL is fine. */
void sched_stop(sched_t *s);
void sched_destroy(sched_t *s);

/* Metrics. n reminders were scheduled (or moved: scheduled again). */
void sched_count_scheduled(sched_t *s, uint64_t n);
/* A reminder fired lateness_ms after its remind_at (late beyond SCHED_LATE_AFTER_MS). */
void sched_observe_fired(sched_t *s, int64_t lateness_ms);
/* Appends Prometheus text: todo_reminders_scheduled_total, todo_reminders_fired_total,
 * todo_reminders_late_total, todo_reminder_lateness_seconds (histogram). */
void sched_metrics(sched_t *s, struct buf *out);
/* True when a reminder fired at fired_at for remind_at is late. Pure. */
bool sched_is_late(int64_t remind_at, int64_t fired_at);

#endif
