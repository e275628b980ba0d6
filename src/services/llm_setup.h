/* llm_setup.h - LLM mode from the configuration (docs/assistant-llm.md): reads the model's
 * key (a file, or a secret through the Dapr sidecar) and creates the brain. */
#ifndef TODO_SERVICES_LLM_SETUP_H
#define TODO_SERVICES_LLM_SETUP_H

#include "app/assistant.h"
#include "base/err.h"
#include "services/config.h"

/* Sets *out to the configured model, or to NULL when LLM mode is off (no
 * TODO_LLM_BASE_URL). Returns 0, or an error (unreadable key file, secret not found, the
 * sidecar unreachable) whose message never carries the key. */
int llm_setup_open(const struct todo_config *cfg, struct assistant_llm **out, struct todo_err *err);

#endif
