/* recurring.c - the recurring role: on todo.task.completed, the next occurrence of a recurring
 * task is created once (app_task_successor_in_tx; docs/recurring.md). The handler only reads
 * the event; the use case runs in the consumer runtime's transaction. */
#include "services/recurring/recurring.h"
#include "core/event.h"

#include <assert.h>
#include <jansson.h>

static int on_completed(void *ctx, store_t *store, const struct cloudevent *ce,
                        struct todo_err *err)
{
    struct app *a = ctx;
    assert(store == a->store); /* the runtime's transaction is the app's */
    (void)store;
    app_trace_set(ce->traceparent); /* the successor's events continue the completion's trace */
    json_t *data = cloudevent_data(ce);
    struct task_event_ref ref;
    int rc = task_event_ref_read(data, &ref, err);
    json_decref(data);
    int64_t succ_id = 0;
    if (rc == TODO_OK)
        rc = app_task_successor_in_tx(a, &ref, ce->time, &succ_id, err);
    if (rc == TODO_OK && succ_id > 0)
        app_events_committed(a); /* the relay looks again once this transaction is done */
    return rc;
}

void recurring_register(consumer_t *c, struct app *a)
{
    consumer_on(c, TOPIC_TASK_EVENTS, "todo.task.completed", on_completed, a);
}
