/* audit.c - the audit role: every todo.task.* event on task-events becomes one row of that
 * task's history (app_history_append_in_tx). The handler only reads the event; the row is
 * written in the consumer runtime's transaction, with the processed-event record, so a
 * redelivered event adds nothing. */
#include "services/audit/audit.h"
#include "core/event.h"

#include <assert.h>
#include <jansson.h>

static int on_task_event(void *ctx, store_t *store, const struct cloudevent *ce,
                         struct todo_err *err)
{
    struct app *a = ctx;
    assert(store == a->store); /* the runtime's transaction is the app's */
    (void)store;
    json_t *data = cloudevent_data(ce);
    struct task_event_ref ref;
    int rc = task_event_ref_read(data, &ref, err);
    if (rc == TODO_OK)
        rc = app_history_append_in_tx(a, &ref, ce->id, ce->type, ce->time,
                                      json_object_get(data, "changes"), err);
    json_decref(data);
    return rc;
}

void audit_register(consumer_t *c, struct app *a)
{
    consumer_on(c, TOPIC_TASK_EVENTS, NULL, on_task_event, a);
}
