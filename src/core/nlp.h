/* nlp.h - the built-in assistant's parser: one chat message (or a quick-add line) into a
 * command - an intent, the task it names, the fields it sets, the filter it asks for - by
 * the conventions of docs/assistant.md and docs/assistant-time.md. Pure and thread-safe; no
 * store access (naming a task by its words is resolved later, by the assistant in src/app/).
 *
 * The command's JSON form (nlp_parse_json) is the contract of `todo parse`, of
 * POST /api/{user_id}/assistant/parse and of the development set (tests/assistant/):
 *   {"intent": "add"|"list"|"complete"|"reopen"|"delete"|"update"|"help"|"confirm"|"cancel"
 *              |"unknown",
 *    "title": string|null, "due": RFC 3339 with local offset|null, "all_day": bool,
 *    "rrule": string|null, "from_completion": bool,
 *    and only when the message gives them:
 *    "description": string, "priority": "none"|"low"|"medium"|"high", "tags": [string],
 *    "remove_tags": [string], "reminders": [{"before": ISO 8601 duration}|{"at": RFC 3339}],
 *    "target": {"id": int}|{"words": string}|{"previous": true}|{"all": true},
 *    "filter": {"status", "priority": [..], "tags": [..], "due", "q", "sort"} (list query
 *              values of docs/openapi.json),
 *    "clear": ["due"|"recurrence"|"reminders"|"description"|"tags"]}  */
#ifndef TODO_CORE_NLP_H
#define TODO_CORE_NLP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nlp_when.h"

/* Parses text (len bytes; need not be NUL-terminated; invalid UTF-8 gives intent
 * "unknown") said at now_ms in zone tz, into the JSON form above (a new reference; never
 * NULL). */
json_t *nlp_parse_json(const char *text, size_t len, int64_t now_ms, const char *tz);

#endif
