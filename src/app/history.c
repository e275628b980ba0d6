/* history.c - the audit consumer's use case: every todo.task.* event becomes one row of its
 * task's append-only history (event id, type, time, changed fields with before/after), read
 * back by app_task_history. It runs in the consumer runtime's transaction, beside the
 * processed-event record, so a redelivered event adds nothing. */
#include "app/app.h"
#include "core/event.h"

#include <stdlib.h>

int app_history_append_in_tx(struct app *a, const struct task_event_ref *ref, const char *event_id,
                             const char *ce_type, int64_t at, const json_t *changes,
                             struct todo_err *err)
{
    int type = task_event_type_parse(ce_type);
    if (type < 0) /* never becomes valid: the runtime dead-letters it after retries */
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "not a task event: %s", ce_type);
    char *text = changes ? json_dumps(changes, JSON_COMPACT) : NULL;
    /* the short name ("created"), as the history shows it */
    int rc = store_audit_append(a->store, ref->user_id, ref->task_id, event_id,
                                task_event_name(type), at, text ? text : "{}");
    free(text);
    if (rc)
        todo_err_set(err, rc, "cannot append to the history: %s", store_last_error(a->store));
    return rc;
}
