/* fuzz_notify.c - libFuzzer target: bytes -> the todo.reminder.due data parser
 * (reminder_due_parse); what parses must write a webhook body that parses back to the same
 * reminder, and a delivery id and body text without crashing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "core/notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    struct reminder_due r, back;
    struct todo_err err = {0};
    if (reminder_due_parse(text, &r, &err) == TODO_OK) {
        struct buf b;
        buf_init(&b);
        reminder_due_webhook_body(&r, false, &b);
        if (reminder_due_parse(b.data, &back, &err) != TODO_OK || back.id != r.id ||
            back.task_id != r.task_id || back.remind_at != r.remind_at ||
            back.has_due != r.has_due || (r.has_due && back.due_at != r.due_at) ||
            back.late != r.late || strcmp(back.title, r.title) != 0 ||
            strcmp(back.user_id, r.user_id) != 0)
            abort();
        char key[NOTIFY_KEY_MAX], id[NOTIFY_DELIVERY_ID_MAX];
        reminder_due_key(&r, key);
        notify_delivery_id(key, NOTIFY_WEBHOOK, id);
        buf_reset(&b);
        reminder_due_body(&r, &b);
        buf_release(&b);
        reminder_due_release(&back);
        reminder_due_release(&r);
    }
    free(text);
    return 0;
}
