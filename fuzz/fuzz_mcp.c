/* fuzz_mcp.c - libFuzzer target: the MCP JSON-RPC dispatcher (src/app/mcp.c) and the tools'
 * argument checks (src/app/tools.c) on any bytes. The first byte picks the session's
 * protocol version ('o': 2025-03-26, where batches are allowed; 'n': none yet; else
 * 2025-06-18); the rest is the message, parsed as either transport parses it. The use cases
 * below stand in for the store (this target links no database): every write and read fails
 * with 404 after the arguments passed their checks, so what runs is everything the
 * transports and the tools do before a use case. What must hold: no crash, no leak, and a
 * reply is a JSON-RPC response (or an array of them) whenever the message asked for one. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/mcp.h"

/* --- stand-ins for the use cases tools.c calls (src/app/tasks.c) --- */

static int none(struct todo_err *err)
{
    return todo_err_set(err, TODO_ERR_NOT_FOUND, "no such task");
}

int app_task_create(struct app *a, const char *u, json_t *body, struct task *out,
                    struct todo_err *err)
{
    (void)a, (void)u, (void)out;
    assert(json_is_object(body));
    return none(err);
}

int app_task_patch(struct app *a, const char *u, int64_t id, json_t *body, int64_t m,
                   struct task *out, struct todo_err *err)
{
    (void)a, (void)u, (void)m, (void)out;
    assert(id > 0 && json_is_object(body));
    return none(err);
}

int app_task_complete(struct app *a, const char *u, int64_t id, json_t *body, int64_t m,
                      struct task *out, struct todo_err *err)
{
    (void)a, (void)u, (void)body, (void)m, (void)out;
    assert(id > 0);
    return none(err);
}

int app_task_get(struct app *a, const char *u, int64_t id, struct task *out, struct todo_err *err)
{
    (void)a, (void)u, (void)out;
    assert(id > 0);
    return none(err);
}

int app_task_delete(struct app *a, const char *u, int64_t id, int64_t m, struct todo_err *err)
{
    (void)a, (void)u, (void)id, (void)m;
    return none(err);
}

int app_task_list(struct app *a, const char *u, query_param_fn get, void *ctx,
                  struct task_page *out, char **next, struct todo_err *err)
{
    (void)a, (void)u, (void)out, (void)next;
    static const char *const names[] = {"status", "q",          "priority",  "tags",
                                        "due",    "due_before", "due_after", "recurring",
                                        "sort",   "limit",      "cursor"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = get(ctx, names[i]);
        if (v)
            (void)strlen(v);
    }
    return none(err);
}

int app_tags_list(struct app *a, const char *u, struct tag_count **out, size_t *n,
                  struct todo_err *err)
{
    (void)a, (void)u, (void)out, (void)n;
    return none(err);
}

void app_task_describe(struct app *a, const char *u, struct task *t)
{
    (void)a, (void)u, (void)t;
}

json_t *task_to_json(const struct task *t)
{
    (void)t;
    abort(); /* never reached: every use case above fails */
}

void task_init(struct task *t)
{
    memset(t, 0, sizeof *t);
}

void task_release(struct task *t)
{
    (void)t;
}

void task_page_release(struct task_page *p)
{
    (void)p;
}

/* --- the target --- */

static void check_response(const json_t *r)
{
    assert(json_is_object(r));
    assert(strcmp(json_string_value(json_object_get(r, "jsonrpc")), "2.0") == 0);
    assert(json_object_get(r, "result") || json_object_get(r, "error"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *version = data[0] == 'o' ? "2025-03-26" : data[0] == 'n' ? NULL : "2025-06-18";
    json_t *msg = json_loadb((const char *)data + 1, size - 1,
                             JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (!msg)
        return 0;
    static struct app app; /* only passed through to the stand-ins */
    bool wants = app_mcp_wants_reply(msg);
    char agreed[APP_MCP_VERSION_MAX];
    json_t *reply = app_mcp_handle(&app, "fuzz-user", version, msg, agreed);
    if (reply && json_is_array(reply)) {
        size_t i;
        json_t *r;
        json_array_foreach(reply, i, r) check_response(r);
    } else if (reply) {
        check_response(reply);
    }
    assert(!wants || reply);
    char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
    free(text);
    json_decref(reply);
    json_decref(msg);
    return 0;
}
