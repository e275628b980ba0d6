/* event.h - the domain events of a task and their data, independent of any transport.
 * A change to a task is described by its type, the task after the change, and what
 * changed (field -> before/after). The data keeps the original Todo event contract's
 * fields: event_type, task_id, task_data, user_id, timestamp. Thread-safe. */
#ifndef TODO_CORE_EVENT_H
#define TODO_CORE_EVENT_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/task.h"

enum task_event_type {
    TASK_EVENT_CREATED,
    TASK_EVENT_UPDATED,
    TASK_EVENT_COMPLETED,
    TASK_EVENT_REOPENED,
    TASK_EVENT_DELETED,
};

/* Topics (docs/events/README.md). */
#define TOPIC_TASK_EVENTS  "task-events"
#define TOPIC_REMINDERS    "reminders"
#define REMINDER_DUE_TYPE  "todo.reminder.due" /* on TOPIC_REMINDERS, key: the user id */
#define TOPIC_TASK_UPDATES "task-updates"

/* "created", "updated", ... */
const char *task_event_name(int type);
/* "todo.task.created", ... */
const char *task_event_ce_type(int type);
/* -1 when unknown. Accepts the CloudEvents type ("todo.task.completed"). */
int task_event_type_parse(const char *ce_type);

/* The event type for a change from before (NULL: created) to after (NULL: deleted). An
 * update that flips completion is completed/reopened. */
int task_event_classify(const struct task *before, const struct task *after);

/* Appends the data object of a todo.task.* event:
 * {"event_type","task_id","user_id","timestamp","task_data":{task},"changes":{field:
 * {"before","after"}}} where task_data is the task after the change (before it, for a
 * deletion) and changes lists the API fields that differ (every field for created). */
void task_event_data_write(struct buf *out, int type, const struct task *before,
                           const struct task *after, int64_t now_ms);

/* The task a todo.task.* event is about, as its data names it. */
struct task_event_ref {
    char user_id[TASK_USER_ID_MAX];
    int64_t task_id;
};
/* Reads data.user_id and data.task_id (as task_event_data_write writes them). 400 when either
 * is missing, of the wrong type or too long: such an event never becomes valid. */
int task_event_ref_read(const json_t *data, struct task_event_ref *out, struct todo_err *err);

/* Appends the data of the task-updates event todo.task.changed:
 * {"type":"task.changed","op":"created|updated|completed|deleted","user_id","task":{...}}. */
void task_changed_data_write(struct buf *out, int type, const struct task *before,
                             const struct task *after);

#endif
