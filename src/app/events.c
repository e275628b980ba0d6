/* events.c - the events of a task change, written to the outbox inside the change's own
 * transaction: todo.task.<type> on task-events (for recurring, audit) and
 * todo.task.changed on task-updates (for realtime); a reminder's todo.reminder.due on
 * reminders, in the transaction that claimed it (docs/decisions/0029-reminder-scheduling.md). The
 * relay is woken after commit by app_events_committed. The trace context of the current call is
 * thread-local: an entry point sets it (app_trace_set) before calling the use cases on that thread;
 * a task write carries it to the store's committer thread (docs/decisions/0022-group-commit.md). */
#include "app/app.h"
#include "base/buf.h"
#include "base/timeutil.h"
#include "base/uuid.h"
#include "core/event.h"
#include "events/cloudevent.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char current_traceparent[TRACEPARENT_LEN + 1];

void app_trace_set(const char *traceparent)
{
    if (traceparent && traceparent_valid(traceparent))
        memcpy(current_traceparent, traceparent, TRACEPARENT_LEN + 1);
    else
        traceparent_child(NULL, current_traceparent);
}

const char *app_trace_current(void)
{
    if (!current_traceparent[0])
        traceparent_child(NULL, current_traceparent);
    return current_traceparent;
}

static int outbox_put(struct app *a, const char *topic, const char *ce_type, const struct task *t,
                      struct buf *data, int64_t now)
{
    struct cloudevent ce;
    memset(&ce, 0, sizeof ce);
    uuid_v7(ce.id);
    snprintf(ce.source, sizeof ce.source, "%s", a->event_source);
    snprintf(ce.type, sizeof ce.type, "%s", ce_type);
    snprintf(ce.subject, sizeof ce.subject, "%lld", (long long)t->id);
    ce.time = now;
    snprintf(ce.traceparent, sizeof ce.traceparent, "%s", app_trace_current());
    snprintf(ce.partition_key, sizeof ce.partition_key, "%s", t->user_id);
    ce.data = data->data; /* borrowed: cloudevent_write only reads it */
    struct buf out;
    buf_init(&out);
    cloudevent_write(&out, &ce);
    int rc = store_outbox_insert(a->store, topic, t->user_id, ce.id, out.data, now);
    buf_release(&out);
    return rc;
}

int app_events_task_changed(struct app *a, const struct task *before, const struct task *after,
                            int64_t now)
{
    int type = task_event_classify(before, after);
    const struct task *t = after ? after : before;
    struct buf data;
    buf_init(&data);
    task_event_data_write(&data, type, before, after, now);
    int rc = outbox_put(a, TOPIC_TASK_EVENTS, task_event_ce_type(type), t, &data, now);
    if (!rc) {
        buf_reset(&data);
        task_changed_data_write(&data, type, before, after);
        rc = outbox_put(a, TOPIC_TASK_UPDATES, "todo.task.changed", t, &data, now);
    }
    buf_release(&data);
    return rc;
}

/* ,"key":"<RFC 3339>" */
static void put_rfc3339(struct buf *b, const char *key, int64_t ms)
{
    char text[TIME_RFC3339_MAX];
    size_t n = time_format_rfc3339(ms, text);
    buf_printf(b, ",\"%s\":\"", key);
    buf_append(b, text, n);
    buf_putc(b, '"');
}

int app_events_reminder_due(struct app *a, const struct reminder_due *d, bool late, int64_t now)
{
    assert(a && d && d->title);
    struct buf data;
    buf_init(&data);
    buf_puts(&data, "{\"id\":");
    buf_put_i64(&data, d->id);
    buf_puts(&data, ",\"task_id\":");
    buf_put_i64(&data, d->task_id);
    buf_puts(&data, ",\"title\":");
    buf_json_str(&data, d->title);
    if (d->has_due)
        put_rfc3339(&data, "due_at", d->due_at);
    else
        buf_puts(&data, ",\"due_at\":null");
    put_rfc3339(&data, "remind_at", d->remind_at);
    buf_puts(&data, ",\"user_id\":");
    buf_json_str(&data, d->user_id);
    buf_puts(&data, late ? ",\"late\":true}" : ",\"late\":false}");

    struct cloudevent ce;
    memset(&ce, 0, sizeof ce);
    /* one id per firing (docs/decisions/0029): consumers drop a duplicate */
    snprintf(ce.id, sizeof ce.id, "reminder-%lld-%lld", (long long)d->id, (long long)d->remind_at);
    snprintf(ce.source, sizeof ce.source, "%s", a->event_source);
    snprintf(ce.type, sizeof ce.type, "%s", REMINDER_DUE_TYPE);
    snprintf(ce.subject, sizeof ce.subject, "%lld", (long long)d->task_id);
    ce.time = now;
    snprintf(ce.traceparent, sizeof ce.traceparent, "%s", app_trace_current());
    snprintf(ce.partition_key, sizeof ce.partition_key, "%s", d->user_id);
    ce.data = data.data; /* borrowed: cloudevent_write only reads it */
    struct buf out;
    buf_init(&out);
    cloudevent_write(&out, &ce);
    int rc = store_outbox_insert(a->store, TOPIC_REMINDERS, d->user_id, ce.id, out.data, now);
    buf_release(&out);
    buf_release(&data);
    return rc;
}

void app_events_committed(struct app *a)
{
    /* consumer threads (the recurring handler) may run before serve sets it: atomic */
    outbox_relay_t *relay = __atomic_load_n(&a->relay, __ATOMIC_ACQUIRE);
    if (relay)
        outbox_relay_notify(relay);
    app_reminders_committed(a); /* an earlier reminder may have been written */
}
