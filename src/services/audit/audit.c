/* audit.c - the audit role: every todo.task.* event on task-events becomes one row of that
 * task's append-only history (event id, type, time, changed fields with before/after).
 * The row is written in the consumer runtime's transaction, with the processed-event record,
 * so a redelivered event adds nothing. */
#include "services/audit/audit.h"
#include "core/event.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int on_task_event(void *ctx, store_t *store, const struct cloudevent *ce,
                         struct todo_err *err)
{
    (void)ctx;
    json_t *data = cloudevent_data(ce);
    json_t *task_id = json_object_get(data, "task_id");
    json_t *user_id = json_object_get(data, "user_id");
    json_t *changes = json_object_get(data, "changes");
    int type = task_event_type_parse(ce->type);
    int rc;
    if (!json_is_integer(task_id) || !json_is_string(user_id) || type < 0) {
        /* a malformed event never becomes valid: the runtime dead-letters it after retries */
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "event data lacks task_id or user_id");
        goto out_free_json;
    }
    char *changes_text = changes ? json_dumps(changes, JSON_COMPACT) : NULL;
    rc = store_audit_append(store, json_string_value(user_id), json_integer_value(task_id), ce->id,
                            task_event_name(type), ce->time, changes_text ? changes_text : "{}");
    free(changes_text);
    if (rc)
        todo_err_set(err, rc, "cannot append to the history: %s", store_last_error(store));
out_free_json:
    json_decref(data);
    return rc;
}

void audit_register(consumer_t *c)
{
    consumer_on(c, TOPIC_TASK_EVENTS, NULL, on_task_event, NULL);
}
