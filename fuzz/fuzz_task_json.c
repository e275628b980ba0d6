/* fuzz_task_json.c - libFuzzer target: bytes -> JSON -> task_apply_json in every mode, on an
 * empty task and on a full one, then the JSON form of whatever was accepted. */
#include <stddef.h>
#include <stdint.h>

#include "core/task.h"

static void apply_all(const struct task *base, json_t *body)
{
    static const enum task_apply_mode modes[] = {TASK_APPLY_CREATE, TASK_APPLY_REPLACE,
                                                 TASK_APPLY_PATCH};
    for (size_t i = 0; i < 3; i++) {
        struct task t;
        struct todo_err err = {0};
        task_copy(&t, base);
        if (task_apply_json(&t, body, modes[i], 1796115600000LL, &err) == 0) {
            json_t *out = task_to_json(&t);
            json_decref(out);
        }
        task_release(&t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!body)
        return 0;
    struct task empty;
    task_init(&empty);
    apply_all(&empty, body);

    struct task full;
    struct todo_err err = {0};
    task_init(&full);
    json_t *seed = json_loads("{\"title\":\"t\",\"due_at\":\"2026-12-01T09:00:00Z\","
                              "\"tags\":[\"a\"],\"reminders\":[{\"before\":\"PT1H\"}],"
                              "\"recurrence\":{\"rule\":\"daily\"}}",
                              0, NULL);
    if (task_apply_json(&full, seed, TASK_APPLY_CREATE, 0, &err) == 0)
        apply_all(&full, body);
    json_decref(seed);
    task_release(&full);
    json_decref(body);
    return 0;
}
