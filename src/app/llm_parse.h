/* llm_parse.h - the model's answers, read from bytes (docs/assistant-llm.md, "The
 * protocol"): a whole /v1/chat/completions JSON reply, or a streamed one (Server-Sent
 * Events, `data:` chunks whose deltas are assembled by index up to `data: [DONE]`). Pure
 * functions over bytes, no I/O; bounded: LLM_REPLY_MAX bytes in, LLM_ARGS_MAX bytes per
 * tool call's arguments, LLM_TOOL_CALLS_MAX calls in one reply. Not thread-safe per
 * object; objects are independent. */
#ifndef TODO_APP_LLM_PARSE_H
#define TODO_APP_LLM_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define LLM_REPLY_MAX      (1024 * 1024) /* bytes of one model reply, streamed or not */
#define LLM_ARGS_MAX       (64 * 1024)   /* bytes of one tool call's arguments */
#define LLM_TOOL_CALLS_MAX 16            /* tool calls in one reply */

/* One reply of the model. */
struct llm_reply {
    char *content;          /* the text, or NULL when there is none (owned) */
    json_t *tool_calls;     /* [{id, name, arguments}], arguments the raw text the model wrote
                             * ("" when it wrote none), id "" when it gave none; never NULL after
                             * a successful parse (owned) */
    char finish_reason[32]; /* "stop", "tool_calls", "length", ... or "" */
};

/* Frees what r holds and zeroes it; a zeroed reply is fine. */
void llm_reply_release(struct llm_reply *r);

/* Reads a whole (non-streamed) chat completion: {choices: [{message: {content,
 * tool_calls: [{id, type, function: {name, arguments}}]}, finish_reason}]}. Arguments
 * given as an object (some servers do) are kept as its JSON text. Returns 0 and fills
 * *out, or TODO_ERR_BAD_REQUEST (malformed, an error object, no choice) or
 * TODO_ERR_TOO_LARGE (over the bounds) with err set; *out is untouched then. */
int llm_reply_parse(const char *body, size_t len, struct llm_reply *out, struct todo_err *err);

/* A streamed reply being assembled. */
struct llm_sse;
struct llm_sse *llm_sse_create(void);
void llm_sse_destroy(struct llm_sse *s); /* NULL is fine */
/* Feeds the next bytes, split anywhere (inside a line, a UTF-8 sequence, a CRLF). Returns 0,
 * or the error that ends the stream (malformed chunk, an `error` event, over the bounds);
 * after an error every later call returns it again. */
int llm_sse_feed(struct llm_sse *s, const char *data, size_t len, struct todo_err *err);
/* Ends the stream (a last event without its blank line counts) and hands the assembled
 * reply to *out. TODO_ERR_BAD_REQUEST when the stream had no chunk at all or failed. The
 * stream may end without `[DONE]` (some servers omit it). */
int llm_sse_finish(struct llm_sse *s, struct llm_reply *out, struct todo_err *err);
/* True once `data: [DONE]` was read. */
bool llm_sse_done(const struct llm_sse *s);

#endif
