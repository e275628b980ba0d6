/* assistant.h - one chat turn, by either brain (docs/assistant.md): the built-in parser
 * (offline, the default) or an OpenAI-compatible model with tool calling. A brain reads the
 * conversation so far, calls tools (tools.h) and writes the answer; storing the turn is the
 * chat use case's job (the caller's). Thread-safe: a turn is owned by one thread. */
#ifndef TODO_APP_ASSISTANT_H
#define TODO_APP_ASSISTANT_H

#include <jansson.h>
#include <stdint.h>

#include "app/app.h"
#include "base/err.h"

struct assistant_turn {
    /* in (borrowed) */
    struct app *app;
    const char *user_id;
    const char *tz;      /* the user's IANA zone */
    int64_t now_ms;      /* when the message was sent */
    json_t *history;     /* earlier messages, oldest first: [{role: "user"|"assistant", content,
                          * tool_calls: [{tool, arguments, result}], context}] (the new message
                          * is not in it) */
    const char *message; /* the new user message */
    /* out (owned by the turn; assistant_turn_release frees them) */
    char *response;     /* the answer's text */
    json_t *tool_calls; /* [{tool, arguments, result}] in the order run; result is the tool's
                         * result or {"error": {code, message}} */
    json_t *context;    /* what the brain keeps for the next turn (stored with the answer and
                         * handed back in history[i].context), or NULL */
};

/* The built-in brain: parses the message (core/nlp.h), resolves the tasks it names, runs
 * the tools and writes a reply saying exactly what changed. Returns 0 (an answer was
 * written, also for "I did not understand"), or a store error in err. Blocking but fast. */
int assistant_builtin_turn(struct assistant_turn *t, struct todo_err *err);

/* The LLM brain (docs/assistant.md, "LLM mode"): any OpenAI-compatible
 * /v1/chat/completions with tool calling. */
struct assistant_llm_config {
    const char *base_url; /* "https://host/v1" (TODO_LLM_BASE_URL) */
    const char *model;    /* TODO_LLM_MODEL */
    const char *api_key;  /* NULL: none; never logged */
    int timeout_ms;       /* per model call */
    int max_steps;        /* model calls per turn (tool loop) */
    int retries;          /* per model call, on timeouts, 429 and 5xx */
};
struct assistant_llm;
/* Copies cfg. Returns 0, or 422 for a config that cannot work (no base URL or model). */
int assistant_llm_create(const struct assistant_llm_config *cfg, struct assistant_llm **out,
                         struct todo_err *err);
void assistant_llm_destroy(struct assistant_llm *llm); /* NULL is fine */
/* One turn through the model: tool calls run through app_tool_call, at most max_steps model
 * calls. Blocking on the network: never call it on an HTTP worker (the chat use case
 * suspends the request and runs it on its own pool). When the model cannot be used (down,
 * 429/5xx after retries, malformed replies) the built-in brain answers instead. Returns 0
 * or a store error. Thread-safe over one llm. */
int assistant_llm_turn(struct assistant_llm *llm, struct assistant_turn *t, struct todo_err *err);

/* Frees the turn's outputs (response, tool_calls, context) and sets them to NULL. */
void assistant_turn_release(struct assistant_turn *t);

#endif
