/* tools.h - the assistant's tool set, defined once (docs/assistant.md, "Tools"): add_task,
 * list_tasks, complete_task, reopen_task, delete_task, update_task, list_tags. The built-in
 * assistant, the LLM loop and the MCP server (/mcp, `todo mcp`) all list and call tools
 * through here, and each tool calls the same app_* function its REST route calls.
 * Thread-safe. */
#ifndef TODO_APP_TOOLS_H
#define TODO_APP_TOOLS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "base/err.h"

struct app_tool {
    const char *name;          /* "add_task" */
    const char *title;         /* "Add a task" */
    const char *description;   /* what it does, for a model */
    const char *input_schema;  /* JSON Schema (object) of its arguments, as JSON text */
    const char *output_schema; /* JSON Schema (object) of its result, as JSON text */
    bool read_only;            /* MCP annotations: readOnlyHint */
    bool destructive;          /* destructiveHint */
    bool idempotent;           /* idempotentHint */
};

/* The tools, in a fixed order; *n gets their count. Static data. */
const struct app_tool *app_tools(size_t *n);
/* The tool named name, or NULL. */
const struct app_tool *app_tool_find(const char *name);

/* Runs tool name for user_id with args (a JSON object; a "user_id" in it must equal
 * user_id, else 403). On success returns 0 and sets *result to the tool's result (a new
 * JSON object matching its output schema). Otherwise returns the error err describes: 404
 * unknown tool or task, 422 invalid arguments, 403 another user, 5xx store failures. */
int app_tool_call(struct app *a, const char *user_id, const char *name, json_t *args,
                  json_t **result, struct todo_err *err);

/* A failed call's report as JSON: {"error": {code, message, details?}}, the REST error shape
 * (docs/openapi.json, Error). New reference. */
json_t *app_tool_error_json(const struct todo_err *err);

#endif
