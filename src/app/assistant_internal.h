/* assistant_internal.h - what the built-in brain's files share (assistant_builtin.c: the
 * turn, targets, confirmations; assistant_reply.c: the words of the answer). */
#ifndef TODO_APP_ASSISTANT_INTERNAL_H
#define TODO_APP_ASSISTANT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "app/assistant.h"
#include "base/buf.h"
#include "core/nlp.h"

/* The local time of ms in zone tz, as replies show it: "Mon 7 Dec at 09:00". */
void assistant_format_when(const char *tz, int64_t ms, char *out, size_t outsz);
/* Appends the task (its REST JSON) as one list line: "#3 Buy milk (due Mon 7 Dec at 09:00,
 * high priority, #shopping)". */
void assistant_task_line(struct buf *b, const char *tz, json_t *task);
/* Appends what a change did to the task (after its write), in words: ", due Mon 1 Dec at
 * 09:00, repeats monthly on the 1st". Only the fields the patch set. */
void assistant_describe_fields(struct buf *b, const char *tz, json_t *task, json_t *patch);
/* The help text (what the assistant can do, with examples). */
const char *assistant_help_text(void);
/* The answer to a message it could not read. */
const char *assistant_unknown_text(void);

#endif
