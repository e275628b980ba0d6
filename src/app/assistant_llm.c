/* assistant_llm.c - STUB until LLM mode lands (issue 12): refuses to be configured. */
#include "app/assistant.h"

int assistant_llm_create(const struct assistant_llm_config *cfg, struct assistant_llm **out,
                         struct todo_err *err)
{
    (void)cfg;
    *out = NULL;
    return todo_err_set(err, TODO_ERR_VALIDATION, "LLM mode is not built yet");
}

void assistant_llm_destroy(struct assistant_llm *llm)
{
    (void)llm;
}

int assistant_llm_turn(struct assistant_llm *llm, struct assistant_turn *t, struct todo_err *err)
{
    (void)llm;
    return assistant_builtin_turn(t, err);
}
