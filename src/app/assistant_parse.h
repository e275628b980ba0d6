/* assistant_parse.h - the built-in parser offered on its own (docs/web.md, "Quick add"):
 * one line read as the assistant would read it, in the user's zone and at the present
 * moment, without running anything (docs/decisions/0042-one-parser-for-ui-and-assistant.md). */
#ifndef TODO_APP_ASSISTANT_PARSE_H
#define TODO_APP_ASSISTANT_PARSE_H

#include <jansson.h>

#include "app/app.h"
#include "base/err.h"

#define ASSISTANT_PARSE_TEXT_MAX 1000 /* characters */

/* Validates body ({"text": 1..1000 characters of UTF-8 without NUL, "mode"?: "chat" |
 * "quick_add"}; any other field is refused, docs/decisions/0006) and writes the parser's
 * JSON form (core/nlp.h) of text, read at the current time in the user's zone, to *out (a
 * new reference). Mode "quick_add" reads the text as the line of a new task: a line the
 * parser does not read as an add is read as "add <text>" ("Delete old photos" is a task to
 * add, not a delete), and the answer's intent is always "add" (without target or filter). Returns
 * TODO_OK, 400 when body is not an object, 422 with a detail on "text" or "mode", or a store error.
 * Changes nothing. */
int app_assistant_parse(struct app *a, const char *user_id, json_t *body, json_t **out,
                        struct todo_err *err);

#endif
