/* Unit tests of app_realtime_message (src/app/realtime.c): what a task-updates event becomes
 * on a WebSocket, and whose it is. */
#include <criterion/criterion.h>

#include <string.h>

#include "app/app.h"

static struct cloudevent event(const char *type, const char *key, const char *data)
{
    struct cloudevent ce;
    memset(&ce, 0, sizeof ce);
    snprintf(ce.type, sizeof ce.type, "%s", type);
    snprintf(ce.partition_key, sizeof ce.partition_key, "%s", key);
    ce.data = (char *)data; /* only read */
    return ce;
}

Test(realtime, a_task_change_becomes_task_changed_without_the_user_id)
{
    struct cloudevent ce =
        event("todo.task.changed", "u1",
              "{\"type\":\"task.changed\",\"op\":\"completed\",\"user_id\":\"u1\","
              "\"task\":{\"id\":7,\"title\":\"t\"}}");
    char user[USER_ID_MAX];
    struct buf out;
    buf_init(&out);
    cr_assert_eq(app_realtime_message(&ce, user, &out), TODO_OK);
    cr_assert_str_eq(user, "u1");
    cr_assert_str_eq(
        out.data,
        "{\"type\":\"task.changed\",\"op\":\"completed\",\"task\":{\"id\":7,\"title\":\"t\"}}");
    buf_release(&out);
}

Test(realtime, a_notification_becomes_a_notification_message)
{
    struct cloudevent ce =
        event("todo.notification.created", "u2",
              "{\"user_id\":\"u2\",\"notification\":{\"id\":3,\"title\":\"x\"}}");
    char user[USER_ID_MAX];
    struct buf out;
    buf_init(&out);
    cr_assert_eq(app_realtime_message(&ce, user, &out), TODO_OK);
    cr_assert_str_eq(user, "u2");
    cr_assert_str_eq(out.data,
                     "{\"type\":\"notification\",\"notification\":{\"id\":3,\"title\":\"x\"}}");
    buf_release(&out);
}

Test(realtime, other_types_are_not_pushed_and_bad_data_goes_to_nobody)
{
    char user[USER_ID_MAX];
    struct buf out;
    buf_init(&out);
    struct cloudevent other = event("todo.task.created", "u1", "{\"user_id\":\"u1\"}");
    cr_assert_eq(app_realtime_message(&other, user, &out), TODO_ERR_NOT_FOUND);
    const char *bad[] = {
        "not json",
        "[]",
        "{\"op\":\"created\",\"task\":{}}",                              /* no user */
        "{\"user_id\":\"u1\",\"task\":{}}",                              /* no op */
        "{\"user_id\":\"u1\",\"op\":\"created\",\"task\":1}",            /* task not an object */
        "{\"user_id\":\"someone-else\",\"op\":\"created\",\"task\":{}}", /* not the key's */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cloudevent ce = event("todo.task.changed", "u1", bad[i]);
        cr_assert_eq(app_realtime_message(&ce, user, &out), TODO_ERR_BAD_REQUEST, "%s", bad[i]);
    }
    cr_assert_eq(out.len, 0, "nothing written for a refused event");
    buf_release(&out);
}
