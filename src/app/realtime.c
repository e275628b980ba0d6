/* realtime.c - what a task-updates event becomes on a WebSocket: the live-sync message of a
 * task change, or of a new notification, and the user it goes to. The realtime role
 * (src/services/realtime/) sends it to that user's connections and nobody else's
 * (docs/decisions/0033-websocket-realtime.md). */
#include "app/app.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define CE_TASK_CHANGED         "todo.task.changed"
#define CE_NOTIFICATION_CREATED "todo.notification.created"

/* Copies the data's user_id, which must be the event's key when the key is set. */
static int take_user(const struct cloudevent *ce, json_t *data, char user_id[USER_ID_MAX])
{
    const char *user = json_string_value(json_object_get(data, "user_id"));
    if (!user || !*user || strlen(user) >= USER_ID_MAX)
        return TODO_ERR_BAD_REQUEST;
    if (ce->partition_key[0] && strcmp(ce->partition_key, user) != 0)
        return TODO_ERR_BAD_REQUEST; /* keyed for one user, naming another: send to nobody */
    memcpy(user_id, user, strlen(user) + 1);
    return TODO_OK;
}

static void put_member(struct buf *out, const char *name, json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        abort(); /* jansson fails here only when out of memory */
    buf_puts(out, ",\"");
    buf_puts(out, name);
    buf_puts(out, "\":");
    buf_puts(out, text);
    free(text);
}

int app_realtime_message(const struct cloudevent *ce, char user_id[USER_ID_MAX], struct buf *out)
{
    assert(ce && user_id && out);
    bool task = strcmp(ce->type, CE_TASK_CHANGED) == 0;
    if (!task && strcmp(ce->type, CE_NOTIFICATION_CREATED) != 0)
        return TODO_ERR_NOT_FOUND;
    json_t *data = ce->data ? json_loads(ce->data, 0, NULL) : NULL;
    int rc = json_is_object(data) ? take_user(ce, data, user_id) : TODO_ERR_BAD_REQUEST;
    const char *op = json_string_value(json_object_get(data, "op"));
    json_t *body = json_object_get(data, task ? "task" : "notification");
    if (!rc && (!json_is_object(body) || (task && !op)))
        rc = TODO_ERR_BAD_REQUEST;
    if (!rc && task) {
        buf_puts(out, "{\"type\":\"task.changed\",\"op\":");
        buf_json_str(out, op);
        put_member(out, "task", body);
        buf_putc(out, '}');
    } else if (!rc) {
        buf_puts(out, "{\"type\":\"notification\"");
        put_member(out, "notification", body);
        buf_putc(out, '}');
    }
    json_decref(data);
    return rc;
}
