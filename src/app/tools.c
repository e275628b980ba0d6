/* tools.c - the assistant's tool set (docs/mcp.md, "Tools"), defined once over the use
 * cases: the built-in brain, the LLM loop and the MCP server all call tools through
 * app_tool_call, and each tool calls the same app_* function as its REST route. A tool only
 * adapts its arguments: it checks their names and JSON types against the tool's table
 * (unknown or mistyped: 422 naming the field), checks user_id is the caller's (403), turns
 * them into the REST body or list query, and builds its result from the task JSON of core.
 * The definitions (schemas, descriptions) live in tools_schema.c. */
#include "app/tools.h"
#include "app/tools_internal.h"
#include "base/buf.h"
#include "base/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct app_tool *app_tools(size_t *n)
{
    assert(n);
    *n = TOOLS_COUNT;
    return tools_table;
}

const struct app_tool *app_tool_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < TOOLS_COUNT; i++)
        if (strcmp(tools_table[i].name, name) == 0)
            return &tools_table[i];
    return NULL;
}

/* --- arguments --- */

enum arg_type { A_STR = 1, A_INT = 2, A_BOOL = 4, A_ARR = 8, A_OBJ = 16, A_NULL = 32 };

struct arg_spec {
    const char *name;
    unsigned types; /* enum arg_type bits */
};

#define TASK_FIELDS(N)                                                                             \
    {"description", A_STR | (N)}, {"priority", A_STR | (N)}, {"tags", A_ARR | (N)},                \
        {"due_at", A_STR | A_NULL}, {"reminders", A_ARR | (N)},                                    \
    {                                                                                              \
        "recurrence", A_OBJ | A_STR | A_NULL                                                       \
    }

static const struct arg_spec add_args[] = {
    {"user_id", A_STR}, {"title", A_STR}, TASK_FIELDS(0), {NULL, 0}};
static const struct arg_spec update_args[] = {
    {"user_id", A_STR}, {"task_id", A_INT}, {"title", A_STR}, TASK_FIELDS(A_NULL), {NULL, 0}};
static const struct arg_spec id_args[] = {{"user_id", A_STR}, {"task_id", A_INT}, {NULL, 0}};
static const struct arg_spec list_args[] = {{"user_id", A_STR},
                                            {"status", A_STR},
                                            {"q", A_STR},
                                            {"priority", A_STR | A_ARR},
                                            {"tags", A_STR | A_ARR},
                                            {"due", A_STR},
                                            {"due_before", A_STR},
                                            {"due_after", A_STR},
                                            {"recurring", A_BOOL},
                                            {"sort", A_STR | A_ARR},
                                            {"limit", A_INT},
                                            {"cursor", A_STR},
                                            {NULL, 0}};
static const struct arg_spec tags_args[] = {{"user_id", A_STR}, {NULL, 0}};

static const struct arg_spec *const tool_args[TOOLS_COUNT] = {
    [TOOL_ADD] = add_args,   [TOOL_LIST] = list_args, [TOOL_COMPLETE] = id_args,
    [TOOL_REOPEN] = id_args, [TOOL_DELETE] = id_args, [TOOL_UPDATE] = update_args,
    [TOOL_TAGS] = tags_args,
};

static unsigned json_arg_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return A_STR;
    case JSON_INTEGER:
        return A_INT;
    case JSON_TRUE:
    case JSON_FALSE:
        return A_BOOL;
    case JSON_ARRAY:
        return A_ARR;
    case JSON_OBJECT:
        return A_OBJ;
    case JSON_NULL:
        return A_NULL;
    default:
        return 0; /* a real: no argument takes one */
    }
}

/* "a string", "an integer or null"...: what the types bits allow, in words. */
static void types_text(unsigned types, char *out, size_t size)
{
    static const char *const names[] = {"a string", "an integer", "a boolean",
                                        "an array", "an object",  "null"};
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0, n = 0; i < 6; i++) {
        if (!(types & (1u << i)))
            continue;
        int w = snprintf(out + len, size - len, "%s%s", n++ ? " or " : "", names[i]);
        if (w < 0 || (size_t)w >= size - len)
            return;
        len += (size_t)w;
    }
}

static const struct arg_spec *arg_find(const struct arg_spec *specs, const char *name)
{
    for (; specs->name; specs++)
        if (strcmp(specs->name, name) == 0)
            return specs;
    return NULL;
}

/* Checks every argument's name and type against specs, that the required one is there and
 * that user_id is the caller's. Returns 0, 422 (each bad field named) or 403. */
static int args_check(const struct arg_spec *specs, const char *required, json_t *args,
                      const char *user_id, struct todo_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(args, key, v)
    {
        char field[64];
        snprintf(field, sizeof field, "%.60s", key);
        const struct arg_spec *s = arg_find(specs, key);
        if (!s) {
            todo_err_field(err, field, "%s is not an argument of this tool", field);
            continue;
        }
        if (!(json_arg_type(v) & s->types)) {
            char want[96];
            types_text(s->types, want, sizeof want);
            todo_err_field(err, field, "%s must be %s", field, want);
        } else if (strcmp(key, "task_id") == 0 && json_integer_value(v) < 1) {
            todo_err_field(err, field, "task_id must be a positive integer");
        }
    }
    if (required && !json_object_get(args, required))
        todo_err_field(err, required, "%s is required", required);
    if (err->rc)
        return err->rc;
    json_t *uid = json_object_get(args, "user_id");
    if (uid && strcmp(json_string_value(uid), user_id) != 0)
        return todo_err_set(err, TODO_ERR_FORBIDDEN, "user_id must be the caller's own");
    return TODO_OK;
}

/* The REST body of add_task and update_task: the arguments without user_id and task_id;
 * a recurrence given as a string is its rule ({"rule": s}). New reference. */
static json_t *task_body(json_t *args)
{
    json_t *body = json_copy(args); /* shallow: the values are shared, not changed */
    json_object_del(body, "user_id");
    json_object_del(body, "task_id");
    json_t *rec = json_object_get(body, "recurrence");
    if (json_is_string(rec))
        json_object_set_new(body, "recurrence", json_pack("{s:O}", "rule", rec)); /* O: +1 */
    return body;
}

/* --- results --- */

/* {task_id, status, title, task}; the task with its rule in words, as GET shows it. */
static json_t *change_result(struct app *a, const char *user_id, struct task *t, const char *status)
{
    app_task_describe(a, user_id, t);
    return json_pack("{s:I, s:s, s:s, s:o}", "task_id", (json_int_t)t->id, "status", status,
                     "title", t->title, "task", task_to_json(t)); /* o steals */
}

static int64_t task_id_arg(json_t *args)
{
    return (int64_t)json_integer_value(json_object_get(args, "task_id"));
}

static int tool_add(struct app *a, const char *user_id, json_t *args, json_t **result,
                    struct todo_err *err)
{
    json_t *body = task_body(args);
    struct task t;
    task_init(&t);
    int rc = app_task_create(a, user_id, body, &t, err);
    if (rc == TODO_OK)
        *result = change_result(a, user_id, &t, "created");
    task_release(&t);
    json_decref(body);
    return rc;
}

static int tool_update(struct app *a, const char *user_id, json_t *args, json_t **result,
                       struct todo_err *err)
{
    json_t *body = task_body(args);
    struct task t;
    task_init(&t);
    int rc = app_task_patch(a, user_id, task_id_arg(args), body, -1, &t, err);
    if (rc == TODO_OK)
        *result = change_result(a, user_id, &t, "updated");
    task_release(&t);
    json_decref(body);
    return rc;
}

/* complete_task and reopen_task: PATCH .../complete with {"completed": done}. */
static int tool_set_completed(struct app *a, const char *user_id, json_t *args, bool done,
                              json_t **result, struct todo_err *err)
{
    json_t *body = json_pack("{s:b}", "completed", done);
    struct task t;
    task_init(&t);
    int rc = app_task_complete(a, user_id, task_id_arg(args), body, -1, &t, err);
    if (rc == TODO_OK)
        *result = change_result(a, user_id, &t, done ? "completed" : "pending");
    task_release(&t);
    json_decref(body);
    return rc;
}

/* Reads the task for its title, then deletes that version (If-Match), so the title answered
 * is the one of the task deleted; a change in between is retried once on a fresh read. */
static int tool_delete(struct app *a, const char *user_id, json_t *args, json_t **result,
                       struct todo_err *err)
{
    int64_t id = task_id_arg(args);
    int rc = TODO_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        struct task t;
        task_init(&t);
        todo_err_clear(err);
        rc = app_task_get(a, user_id, id, &t, err);
        if (rc == TODO_OK)
            rc = app_task_delete(a, user_id, id, t.version, err);
        if (rc == TODO_OK)
            *result = json_pack("{s:I, s:s, s:s}", "task_id", (json_int_t)id, "status", "deleted",
                                "title", t.title);
        task_release(&t);
        if (rc != TODO_ERR_PRECONDITION)
            break;
    }
    return rc;
}

static int tool_tags(struct app *a, const char *user_id, json_t **result, struct todo_err *err)
{
    struct tag_count *tags = NULL;
    size_t n = 0;
    int rc = app_tags_list(a, user_id, &tags, &n, err);
    if (rc)
        return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:I}", "name", tags[i].name, "count",
                                               (json_int_t)tags[i].count)); /* _new steals */
    free(tags);
    *result = json_pack("{s:o}", "tags", items); /* o steals */
    return TODO_OK;
}

/* --- list_tasks: the arguments as the list query's parameters --- */

#define LIST_PARAMS_MAX 16

struct list_params {
    int n;
    const char *names[LIST_PARAMS_MAX];
    char *values[LIST_PARAMS_MAX]; /* owned */
};

static const char *list_param_get(void *ctx, const char *name)
{
    struct list_params *p = ctx;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->values[i];
    return NULL;
}

/* One argument as its query parameter text: strings as they are, arrays of strings joined
 * with commas, booleans and integers in decimal words. 422 for an array item that is not a
 * string. */
static int list_param_text(const char *name, json_t *v, char **out, struct todo_err *err)
{
    if (json_is_string(v)) {
        *out = xstrdup(json_string_value(v));
    } else if (json_is_boolean(v)) {
        *out = xstrdup(json_is_true(v) ? "true" : "false");
    } else if (json_is_integer(v)) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)json_integer_value(v));
        *out = xstrdup(n);
    } else {
        struct buf b;
        buf_init(&b);
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item)) {
                buf_release(&b);
                return todo_err_field(err, name, "%s must be an array of strings", name);
            }
            if (i)
                buf_putc(&b, ',');
            buf_puts(&b, json_string_value(item));
        }
        *out = buf_take(&b); /* never NULL, NUL-terminated */
    }
    return TODO_OK;
}

static void list_params_release(struct list_params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->values[i]);
    p->n = 0;
}

static json_t *list_result(const struct task_page *page, const char *cursor)
{
    json_t *tasks = json_array();
    for (int i = 0; i < page->n_items; i++)
        json_array_append_new(tasks, task_to_json(&page->items[i])); /* _new steals */
    return json_pack("{s:o, s:o}", "tasks", tasks, "next_cursor",
                     cursor ? json_string(cursor) : json_null()); /* o steals */
}

static int tool_list(struct app *a, const char *user_id, json_t *args, json_t **result,
                     struct todo_err *err)
{
    struct list_params p = {0};
    const char *key;
    json_t *v;
    json_object_foreach(args, key, v)
    {
        if (strcmp(key, "user_id") == 0)
            continue;
        assert(p.n < LIST_PARAMS_MAX); /* list_args has fewer */
        if (list_param_text(key, v, &p.values[p.n], err) == TODO_OK)
            p.names[p.n++] = key;
    }
    int rc = err->rc;
    struct task_page page = {0};
    char *cursor = NULL;
    if (rc == TODO_OK)
        rc = app_task_list(a, user_id, list_param_get, &p, &page, &cursor, err);
    if (rc == TODO_ERR_BAD_REQUEST) /* a parameter's value: the tool's argument is invalid */
        rc = err->rc = TODO_ERR_VALIDATION;
    if (rc == TODO_OK) {
        *result = list_result(&page, cursor);
        free(cursor);
        task_page_release(&page);
    }
    list_params_release(&p);
    return rc;
}

/* --- the call --- */

static const char *const required_arg[TOOLS_COUNT] = {
    [TOOL_ADD] = "title",      [TOOL_COMPLETE] = "task_id", [TOOL_REOPEN] = "task_id",
    [TOOL_DELETE] = "task_id", [TOOL_UPDATE] = "task_id",
};

int app_tool_call(struct app *a, const char *user_id, const char *name, json_t *args,
                  json_t **result, struct todo_err *err)
{
    assert(a && user_id && result && err);
    const struct app_tool *tool = app_tool_find(name);
    if (!tool)
        return todo_err_set(err, TODO_ERR_NOT_FOUND, "no tool named %.64s", name ? name : "");
    enum tool_id id = (enum tool_id)(tool - tools_table);
    json_t *empty = NULL;
    if (!args)
        args = empty = json_object();
    if (!json_is_object(args))
        return todo_err_set(err, TODO_ERR_VALIDATION, "the arguments must be a JSON object");
    int rc = args_check(tool_args[id], required_arg[id], args, user_id, err);
    json_t *res = NULL;
    if (rc == TODO_OK) {
        switch (id) {
        case TOOL_ADD:
            rc = tool_add(a, user_id, args, &res, err);
            break;
        case TOOL_LIST:
            rc = tool_list(a, user_id, args, &res, err);
            break;
        case TOOL_COMPLETE:
        case TOOL_REOPEN:
            rc = tool_set_completed(a, user_id, args, id == TOOL_COMPLETE, &res, err);
            break;
        case TOOL_DELETE:
            rc = tool_delete(a, user_id, args, &res, err);
            break;
        case TOOL_UPDATE:
            rc = tool_update(a, user_id, args, &res, err);
            break;
        default:
            rc = tool_tags(a, user_id, &res, err);
            break;
        }
    }
    json_decref(empty);
    if (rc == TODO_OK)
        *result = res;
    return rc;
}

json_t *app_tool_error_json(const struct todo_err *err)
{
    assert(err);
    int rc = err->rc ? err->rc : TODO_ERR_INTERNAL;
    json_t *e = json_pack("{s:s, s:s}", "code", todo_rc_name(rc), "message",
                          err->message[0] ? err->message : todo_rc_name(rc));
    if (err->n_details) {
        json_t *details = json_array();
        for (int i = 0; i < err->n_details; i++)
            json_array_append_new(details, json_pack("{s:s, s:s}", "field", err->details[i].field,
                                                     "message", err->details[i].message));
        json_object_set_new(e, "details", details); /* set_new steals */
    }
    return json_pack("{s:o}", "error", e); /* o steals */
}
