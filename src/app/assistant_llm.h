/* assistant_llm.h - LLM mode's settings beyond struct assistant_llm_config (app/assistant.h;
 * docs/assistant-llm.md). */
#ifndef TODO_APP_ASSISTANT_LLM_H
#define TODO_APP_ASSISTANT_LLM_H

#include <stdbool.h>

#include "app/assistant.h"
#include "base/buf.h"

/* Whether model calls ask for a streamed reply (`stream: true`, TODO_LLM_STREAM); the
 * default is false. Call before the first turn (not thread-safe with turns). */
void assistant_llm_set_stream(struct assistant_llm *llm, bool stream);

/* Makes the model unusable from now on, for shutdown: calls in flight abort, retries stop
 * waiting, and turns (those running and later ones) are answered by the built-in brain
 * (or with what was done). Thread-safe; call before draining the pool that runs turns. */
void assistant_llm_stop(struct assistant_llm *llm);

/* Appends Prometheus text: todo_llm_calls_total{outcome="ok|retry|give_up"} (model calls;
 * give_up = the last try failed) and todo_llm_turns_total{answered_by="model|builtin|
 * summary"} (summary: the step limit, or the model failing after a tool ran). NULL: none. */
void assistant_llm_metrics(const struct assistant_llm *llm, struct buf *out);

#endif
