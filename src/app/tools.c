/* tools.c - STUB until the tool set lands (issue 12): no tools. */
#include "app/tools.h"

#include <string.h>

const struct app_tool *app_tools(size_t *n)
{
    *n = 0;
    return NULL;
}

const struct app_tool *app_tool_find(const char *name)
{
    (void)name;
    return NULL;
}

int app_tool_call(struct app *a, const char *user_id, const char *name, json_t *args,
                  json_t **result, struct todo_err *err)
{
    (void)a, (void)user_id, (void)args;
    *result = NULL;
    return todo_err_set(err, TODO_ERR_NOT_FOUND, "no tool named %s", name);
}
