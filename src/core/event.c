/* event.c - task events: classification of a change, the "changes" diff, and the data
 * objects of todo.task.* (task-events) and todo.task.changed (task-updates).
 *
 * The diff compares the API forms of the task before and after (task_to_json), field by
 * field, so it always speaks the same field names and formats as the HTTP contract. */
#include "core/event.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"

static const char *const names[] = {"created", "updated", "completed", "reopened", "deleted"};
static const char *const ce_types[] = {"todo.task.created", "todo.task.updated",
                                       "todo.task.completed", "todo.task.reopened",
                                       "todo.task.deleted"};
#define N_TYPES ((int)(sizeof names / sizeof names[0]))

/* The fields a change can touch; bookkeeping (id, version, times) is left out. */
static const char *const diff_fields[] = {"title",      "description", "completed", "status",
                                          "priority",   "tags",        "due_at",    "reminders",
                                          "recurrence", "completed_at"};

const char *task_event_name(int type)
{
    return type >= 0 && type < N_TYPES ? names[type] : "unknown";
}

const char *task_event_ce_type(int type)
{
    return type >= 0 && type < N_TYPES ? ce_types[type] : "todo.task.unknown";
}

int task_event_type_parse(const char *ce_type)
{
    for (int i = 0; i < N_TYPES; i++)
        if (strcmp(ce_type, ce_types[i]) == 0)
            return i;
    return -1;
}

int task_event_ref_read(const json_t *data, struct task_event_ref *out, struct todo_err *err)
{
    json_t *id = json_object_get(data, "task_id");
    json_t *user = json_object_get(data, "user_id");
    if (!json_is_integer(id) || !json_is_string(user) ||
        json_string_length(user) >= sizeof out->user_id)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "event data lacks task_id or user_id");
    out->task_id = json_integer_value(id);
    memcpy(out->user_id, json_string_value(user), json_string_length(user) + 1);
    return TODO_OK;
}

int task_event_classify(const struct task *before, const struct task *after)
{
    if (!before)
        return TASK_EVENT_CREATED;
    if (!after)
        return TASK_EVENT_DELETED;
    if (!before->completed && after->completed)
        return TASK_EVENT_COMPLETED;
    if (before->completed && !after->completed)
        return TASK_EVENT_REOPENED;
    return TASK_EVENT_UPDATED;
}

/* {"field":{"before":..,"after":..},...}; a missing side is null. New reference. */
static json_t *changes_json(const struct task *before, const struct task *after)
{
    json_t *b = before ? task_to_json(before) : NULL;
    json_t *a = after ? task_to_json(after) : NULL;
    json_t *changes = json_object();
    for (size_t i = 0; i < sizeof diff_fields / sizeof diff_fields[0]; i++) {
        json_t *bv = b ? json_object_get(b, diff_fields[i]) : NULL;
        json_t *av = a ? json_object_get(a, diff_fields[i]) : NULL;
        if (bv && av && json_equal(bv, av))
            continue;
        json_t *c = json_object();
        /* json_object_set steals nothing; set_new steals the fresh null */
        if (bv)
            json_object_set(c, "before", bv);
        else
            json_object_set_new(c, "before", json_null());
        if (av)
            json_object_set(c, "after", av);
        else
            json_object_set_new(c, "after", json_null());
        json_object_set_new(changes, diff_fields[i], c);
    }
    json_decref(b);
    json_decref(a);
    return changes;
}

static void put_json(struct buf *out, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    if (!text)
        abort(); /* OOM in jansson */
    buf_puts(out, text);
    free(text);
}

void task_event_data_write(struct buf *out, int type, const struct task *before,
                           const struct task *after, int64_t now_ms)
{
    const struct task *t = after ? after : before;
    char ts[TIME_RFC3339_MAX];
    time_format_rfc3339(now_ms, ts);
    buf_puts(out, "{\"event_type\":\"");
    buf_puts(out, task_event_name(type));
    buf_puts(out, "\",\"task_id\":");
    buf_put_i64(out, t->id);
    buf_puts(out, ",\"user_id\":");
    buf_json_str(out, t->user_id);
    buf_puts(out, ",\"timestamp\":\"");
    buf_puts(out, ts);
    buf_puts(out, "\",\"task_data\":");
    task_json_write(out, t);
    buf_puts(out, ",\"changes\":");
    json_t *changes = changes_json(before, after);
    put_json(out, changes);
    json_decref(changes);
    buf_putc(out, '}');
}

void task_changed_data_write(struct buf *out, int type, const struct task *before,
                             const struct task *after)
{
    const struct task *t = after ? after : before;
    /* clients redraw on four operations; reopened is an update to them */
    const char *op = type == TASK_EVENT_REOPENED ? "updated" : task_event_name(type);
    buf_puts(out, "{\"type\":\"task.changed\",\"op\":\"");
    buf_puts(out, op);
    buf_puts(out, "\",\"user_id\":");
    buf_json_str(out, t->user_id);
    buf_puts(out, ",\"task\":");
    task_json_write(out, t);
    buf_putc(out, '}');
}
