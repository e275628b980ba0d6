/* assistant_builtin.c - STUB until the built-in brain lands (issue 12): answers with help. */
#include "app/assistant.h"

#include <stdlib.h>
#include <string.h>

int assistant_builtin_turn(struct assistant_turn *t, struct todo_err *err)
{
    (void)err;
    t->response = strdup("I can add, list, complete, reopen, update and delete tasks.");
    t->tool_calls = json_array();
    t->context = NULL;
    if (!t->response || !t->tool_calls)
        abort();
    return 0;
}

void assistant_turn_release(struct assistant_turn *t)
{
    free(t->response);
    json_decref(t->tool_calls);
    json_decref(t->context);
    t->response = NULL;
    t->tool_calls = NULL;
    t->context = NULL;
}
