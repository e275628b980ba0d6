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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nlp_when.h"

/* Parses text (len bytes; need not be NUL-terminated; invalid UTF-8 gives intent
 * "unknown") said at now_ms in zone tz, into the JSON form above (a new reference; never
 * NULL). */
json_t *nlp_parse_json(const char *text, size_t len, int64_t now_ms, const char *tz);

/* --- the command as a struct, for the built-in assistant (src/app/assistant_builtin.c) --- */

#define NLP_TEXT_MAX  2048 /* longer messages are not read (intent "unknown") */
#define NLP_FIELD_MAX 512  /* bytes of a title, description, target's words or query */
#define NLP_MAX_TAGS  8
#define NLP_TAG_MAX   51 /* bytes, NUL included */

enum nlp_intent {
    NLP_UNKNOWN = 0,
    NLP_ADD,
    NLP_LIST,
    NLP_COMPLETE,
    NLP_REOPEN,
    NLP_DELETE,
    NLP_UPDATE,
    NLP_HELP,
    NLP_CONFIRM,
    NLP_CANCEL
};

enum nlp_target_kind {
    NLP_TARGET_NONE = 0,
    NLP_TARGET_ID,       /* "task 3", "#3", "number 3"; also "the 3rd one" (ordinal set) */
    NLP_TARGET_WORDS,    /* "the groceries task" -> "groceries" */
    NLP_TARGET_PREVIOUS, /* "it", "that", "this one", "them" */
    NLP_TARGET_ALL       /* "all my tasks", "everything" (narrowed by the filter) */
};

/* What "clear" names (bits). */
enum nlp_clear {
    NLP_CLEAR_DUE = 1 << 0,
    NLP_CLEAR_RECURRENCE = 1 << 1,
    NLP_CLEAR_REMINDERS = 1 << 2,
    NLP_CLEAR_DESCRIPTION = 1 << 3,
    NLP_CLEAR_TAGS = 1 << 4
};

/* A list filter: the list query's values (docs/openapi.json); NULL/0/-1 when not given. */
struct nlp_filter {
    const char *status;     /* "all" | "pending" | "completed" (static) */
    unsigned priority_mask; /* bit (1 << enum task_priority) */
    int n_tags;
    char tags[NLP_MAX_TAGS][NLP_TAG_MAX];
    const char *due; /* "overdue" | "today" | "tomorrow" | "week" | "none" | "any" (static) */
    char q[NLP_FIELD_MAX];
    const char *sort; /* "due_at", "-priority", ... (static) */
};

struct nlp_command {
    int intent; /* enum nlp_intent */
    bool has_title;
    char title[NLP_FIELD_MAX];
    struct nlp_when when;                     /* due, rule, reminders */
    int reminder_offset_s[NLP_MAX_REMINDERS]; /* the zone's offset at each absolute reminder */
    bool has_description;
    char description[NLP_FIELD_MAX];
    int priority; /* enum task_priority, or -1 when not given */
    int n_tags;
    char tags[NLP_MAX_TAGS][NLP_TAG_MAX];
    int n_remove_tags;
    char remove_tags[NLP_MAX_TAGS][NLP_TAG_MAX];
    int target;          /* enum nlp_target_kind */
    int64_t target_id;   /* NLP_TARGET_ID */
    bool target_ordinal; /* the id is a position ("the 2nd one", a bare "2"), not a task id */
    bool target_plural;  /* previous: "them", "those", "both" (else one task: "it", "that") */
    bool target_last;    /* previous: "the last one" (the last of the last list) */
    char target_words[NLP_FIELD_MAX];
    bool has_filter;
    struct nlp_filter filter;
    int due_bound;      /* a list for a day (when.due_ms): 0 that day, -1 before it, 1 after it */
    bool due_time_only; /* the due came from a time of day alone ("at 7pm", "noon") */
    unsigned clear;     /* enum nlp_clear bits */
};

/* Parses text like nlp_parse_json into *out (no allocation). Returns true when the message
 * was read (intent may still be NLP_UNKNOWN); false for invalid UTF-8 or text longer than
 * NLP_TEXT_MAX (then *out is an unknown command). Thread-safe. */
bool nlp_parse(const char *text, size_t len, int64_t now_ms, const char *tz,
               struct nlp_command *out);
/* The JSON form above of a command (a new reference; never NULL). */
json_t *nlp_command_json(const struct nlp_command *c);
/* "add", "list", ...: the intent's name in the JSON form. */
const char *nlp_intent_name(int intent);

#endif
