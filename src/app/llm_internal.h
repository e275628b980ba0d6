/* llm_internal.h - the pieces of LLM mode shared between its files (assistant_llm.c runs
 * the loop, llm_prompt.c writes the messages, llm_http.c talks to the model). */
#ifndef TODO_APP_LLM_INTERNAL_H
#define TODO_APP_LLM_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/assistant.h"
#include "app/llm_parse.h"
#include "base/err.h"

#define LLM_HISTORY_MAX       40   /* earlier messages replayed to the model */
#define LLM_REPLAY_RESULT_MAX 4096 /* bytes of a past tool result replayed */

/* What one model call came to (llm_http.c), and who answered a turn (assistant_llm.c). */
enum llm_call_outcome { LLM_CALL_OK, LLM_CALL_RETRY, LLM_CALL_GIVE_UP, LLM_CALL_OUTCOMES };
enum llm_turn_outcome { LLM_TURN_MODEL, LLM_TURN_BUILTIN, LLM_TURN_SUMMARY, LLM_TURN_OUTCOMES };

struct assistant_llm {
    char *endpoint; /* <base_url>/chat/completions */
    char *model;
    char *auth_header; /* "Authorization: Bearer <key>", or NULL; never logged (llm_http.c
                        * removes the key from a server's error text) */
    int timeout_ms;
    int max_steps;
    int retries;
    bool stream;
    json_t *tools; /* the tools as the model sees them (app_tools); read only, never incref'd */
    /* Set by assistant_llm_stop: calls in flight abort, waits end, no new call starts. */
    atomic_bool stopping;
    pthread_mutex_t mu; /* with cv: the waits between retries, woken by a stop */
    pthread_cond_t cv;  /* on CLOCK_MONOTONIC */
    /* /metrics (assistant_llm_metrics): model calls by verdict, turns by who answered */
    atomic_ullong calls[LLM_CALL_OUTCOMES];
    atomic_ullong turns[LLM_TURN_OUTCOMES];
};

/* The system prompt for t: the user's local date, weekday, time and zone, and how dates
 * are read (docs/assistant-time.md). Caller frees. */
char *llm_system_prompt(const struct assistant_turn *t);
/* [system, replayed history..., the new user message] for t (new reference). */
json_t *llm_messages_build(const struct assistant_turn *t);
/* [{type: "function", function: {name, description, parameters}}] of app_tools(). */
json_t *llm_tools_build(void);

/* One model call with its retries (timeouts, 429 honouring Retry-After, 5xx, malformed
 * replies). Returns 0 with *out filled, or the last failure in err (the turn then falls
 * back). Blocking; thread-safe over one llm. */
int llm_http_complete(struct assistant_llm *llm, json_t *messages, struct llm_reply *out,
                      struct todo_err *err);

#endif
