/* tools_schema.c - the tool set's static definitions (docs/mcp.md, "Tools"): each tool's
 * name, title, description written for a model, JSON Schemas of its input and its output,
 * and its MCP annotations. Data only; tools.c adapts the arguments and calls src/app/. The
 * argument names are the REST task fields and list query parameters (docs/openapi.json). */
#include "app/tools.h"
#include "app/tools_internal.h"

/* --- pieces shared by several schemas --- */

#define USER_ID_PROP                                                                               \
    "\"user_id\":{\"type\":\"string\",\"description\":\"Optional. The caller's own user id; "      \
    "any other is refused (forbidden). The tools always act for the signed-in user.\"}"

#define TASK_ID_PROP                                                                               \
    "\"task_id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"The task's id (the "        \
    "id field of a task from list_tasks).\"}"

#define PRIORITY_ENUM "[\"none\",\"low\",\"medium\",\"high\"]"

/* The task fields of add_task and update_task; NULLABLE is ",\"null\"" and NULL_VALUE ",null"
 * for update (a null clears the field), both "" for add. */
#define TASK_FIELD_PROPS(NULLABLE, NULL_VALUE)                                                     \
    "\"description\":{\"type\":[\"string\"" NULLABLE "],\"maxLength\":10000,"                      \
    "\"description\":\"Free text notes, up to 10,000 characters.\"},"                              \
    "\"priority\":{\"type\":[\"string\"" NULLABLE "],\"enum\":[\"none\",\"low\",\"medium\","       \
    "\"high\"" NULL_VALUE "],\"description\":\"none (the default), low, medium or high.\"},"       \
    "\"tags\":{\"type\":[\"array\"" NULLABLE "],\"maxItems\":20,\"items\":{\"type\":"              \
    "\"string\",\"minLength\":1,\"maxLength\":50},\"description\":\"Up to 20 tags, each 1-50 "     \
    "characters without spaces or commas; stored lower-case. Replaces the task's tags.\"},"        \
    "\"due_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\",\"description\":"         \
    "\"When the task is due: an RFC 3339 time with its offset, e.g. 2026-12-01T09:00:00-05:00;"    \
    " null for no due time.\"},"                                                                   \
    "\"reminders\":{\"type\":[\"array\"" NULLABLE "],\"maxItems\":10,\"items\":{\"type\":"         \
    "\"object\",\"properties\":{\"before\":{\"type\":\"string\",\"description\":\"An ISO 8601 "    \
    "duration before due_at, e.g. PT30M or P1D (needs due_at).\"},\"at\":{\"type\":\"string\","    \
    "\"format\":\"date-time\",\"description\":\"An RFC 3339 time.\"}}},\"description\":"           \
    "\"Up to 10 reminders, each {before: ISO 8601 duration} (relative to due_at) or {at: RFC "     \
    "3339 time}. Replaces the task's reminders.\"},"                                               \
    "\"recurrence\":{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"rule\":{\"type\":"          \
    "\"string\"},\"from\":{\"type\":\"string\",\"enum\":[\"due\",\"completion\"]}},"               \
    "\"required\":[\"rule\"],\"additionalProperties\":false},{\"type\":\"string\"},{\"type\":"     \
    "\"null\"}],\"description\":\"How the task repeats: {rule, from} where rule is an RFC "        \
    "5545 RRULE (FREQ=MONTHLY;BYMONTHDAY=1) or a preset (daily, weekdays, weekly, monthly, "       \
    "yearly), and from is due (the next occurrence follows the due time; needs due_at) or "        \
    "completion (counts from when it is completed). A plain string is the rule with from "         \
    "due. null: does not repeat.\"}"

/* The REST task (docs/openapi.json, Task). */
#define TASK_SCHEMA                                                                                \
    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"title\":{\"type\":"      \
    "\"string\"},\"description\":{\"type\":\"string\"},\"completed\":{\"type\":\"boolean\"},"      \
    "\"status\":{\"type\":\"string\",\"enum\":[\"pending\",\"completed\"]},\"priority\":"          \
    "{\"type\":\"string\",\"enum\":" PRIORITY_ENUM "},\"tags\":{\"type\":\"array\",\"items\":"     \
    "{\"type\":\"string\"}},\"due_at\":{\"type\":[\"string\",\"null\"]},\"reminders\":"            \
    "{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"recurrence\":{\"type\":"               \
    "[\"object\",\"null\"]},\"completed_at\":{\"type\":[\"string\",\"null\"]},\"created_at\":"     \
    "{\"type\":\"string\"},\"updated_at\":{\"type\":\"string\"},\"version\":{\"type\":"            \
    "\"integer\"}},\"required\":[\"id\",\"title\",\"description\",\"completed\",\"status\","       \
    "\"priority\",\"tags\",\"due_at\",\"reminders\",\"recurrence\",\"completed_at\","              \
    "\"created_at\",\"updated_at\",\"version\"]}"

/* {task_id, status, title, task} with status one of STATUSES (a JSON array's members). */
#define CHANGE_SCHEMA(STATUS)                                                                      \
    "{\"type\":\"object\",\"properties\":{\"task_id\":{\"type\":\"integer\"},\"status\":"          \
    "{\"type\":\"string\",\"enum\":[\"" STATUS "\"]},\"title\":{\"type\":\"string\"},"             \
    "\"task\":" TASK_SCHEMA "},\"required\":[\"task_id\",\"status\",\"title\",\"task\"]}"

#define TASK_ID_ONLY_INPUT                                                                         \
    "{\"type\":\"object\",\"properties\":{" USER_ID_PROP "," TASK_ID_PROP "},"                     \
    "\"required\":[\"task_id\"],\"additionalProperties\":false}"

/* --- the tools --- */

static const char add_input[] =
    "{\"type\":\"object\",\"properties\":{" USER_ID_PROP ",\"title\":{\"type\":\"string\","
    "\"minLength\":1,\"maxLength\":500,\"description\":\"What to do, 1-500 "
    "characters.\"}," TASK_FIELD_PROPS(
        "", "") "},\"required\":[\"title\"],\"additionalProperties\":false}";

static const char update_input[] =
    "{\"type\":\"object\",\"properties\":{" USER_ID_PROP "," TASK_ID_PROP ",\"title\":{\"type\":"
    "\"string\",\"minLength\":1,\"maxLength\":500,\"description\":\"The new "
    "title.\"}," TASK_FIELD_PROPS(
        ",\"null\"", ",null") "},\"required\":[\"task_id\"],\"additionalProperties\":false}";

static const char list_input[] =
    "{\"type\":\"object\",\"properties\":{" USER_ID_PROP ",\"status\":{\"type\":\"string\","
    "\"enum\":[\"all\",\"pending\",\"completed\"],\"description\":\"all (the default), pending "
    "or completed.\"},\"q\":{\"type\":\"string\",\"description\":\"Full-text search over title, "
    "description and tags; words are ANDed and each matches as a prefix (groc finds "
    "groceries).\"},\"priority\":{\"type\":[\"string\",\"array\"],\"items\":{\"type\":\"string\","
    "\"enum\":" PRIORITY_ENUM "},\"description\":\"Only these priorities: an array, or a comma "
    "list such as high,medium.\"},\"tags\":{\"type\":[\"string\",\"array\"],\"items\":{\"type\":"
    "\"string\"},\"description\":\"Only tasks that have all of these tags: an array or a comma "
    "list.\"},\"due\":{\"type\":\"string\",\"enum\":[\"overdue\",\"today\",\"tomorrow\",\"week\","
    "\"none\",\"any\"],\"description\":\"overdue (pending and due before now), today, tomorrow, "
    "week (the next 7 days), none (no due time) or any (has one); days in the user's time "
    "zone.\"},\"due_before\":{\"type\":\"string\",\"format\":\"date-time\",\"description\":\"Due "
    "before this RFC 3339 time (exclusive).\"},\"due_after\":{\"type\":\"string\",\"format\":"
    "\"date-time\",\"description\":\"Due at or after this RFC 3339 time.\"},\"recurring\":"
    "{\"type\":\"boolean\",\"description\":\"true: only repeating tasks; false: only one-off "
    "ones.\"},\"sort\":{\"type\":[\"string\",\"array\"],\"items\":{\"type\":\"string\"},"
    "\"description\":\"Sort keys, an array or a comma list, each due_at, priority, created_at, "
    "updated_at or title, with a leading - for descending (-priority puts high first). Default "
    "-created_at (newest first); tasks without due_at sort last.\"},\"limit\":{\"type\":"
    "\"integer\",\"minimum\":1,\"maximum\":200,\"description\":\"Page size, 1-200 (default "
    "50).\"},\"cursor\":{\"type\":\"string\",\"description\":\"The next_cursor of the previous "
    "page, with the same other arguments.\"}},\"additionalProperties\":false}";

static const char list_output[] =
    "{\"type\":\"object\",\"properties\":{\"tasks\":{\"type\":\"array\",\"items\":" TASK_SCHEMA
    "},\"next_cursor\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"tasks\","
    "\"next_cursor\"]}";

static const char tags_input[] =
    "{\"type\":\"object\",\"properties\":{" USER_ID_PROP "},\"additionalProperties\":false}";

static const char tags_output[] =
    "{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\"}},"
    "\"required\":[\"name\",\"count\"]}}},\"required\":[\"tags\"]}";

static const char delete_output[] =
    "{\"type\":\"object\",\"properties\":{\"task_id\":{\"type\":\"integer\"},\"status\":{\"type\":"
    "\"string\",\"enum\":[\"deleted\"]},\"title\":{\"type\":\"string\"}},\"required\":"
    "[\"task_id\",\"status\",\"title\"]}";

const struct app_tool tools_table[TOOLS_COUNT] = {
    [TOOL_ADD] =
        {
            .name = "add_task",
            .title = "Add a task",
            .description =
                "Creates a task for the user. Only title is required; every other task field may "
                "be "
                "set at once: description, priority, tags, due_at (RFC 3339), reminders (ISO 8601 "
                "durations before due_at, or RFC 3339 times) and recurrence (an RRULE or a "
                "preset). "
                "Returns {task_id, status: \"created\", title, task} with the task as stored.",
            .input_schema = add_input,
            .output_schema = CHANGE_SCHEMA("created"),
        },
    [TOOL_LIST] =
        {
            .name = "list_tasks",
            .title = "List tasks",
            .description =
                "Lists the user's tasks, newest first unless sort says otherwise, filtered by "
                "status, "
                "full-text search (q), priority, tags, due (overdue, today, tomorrow, week, none, "
                "any), due_before/due_after (RFC 3339) and recurring. Returns {tasks, "
                "next_cursor}; "
                "pass next_cursor as cursor (with the same filters) for the next page, null on the "
                "last one. Each task has id, title, completed and every other field.",
            .input_schema = list_input,
            .output_schema = list_output,
            .read_only = true,
            .idempotent = true,
        },
    [TOOL_COMPLETE] =
        {
            .name = "complete_task",
            .title = "Complete a task",
            .description =
                "Marks the task task_id as completed (sets it, never toggles: completing a "
                "completed "
                "task changes nothing). Completing a repeating task makes its next occurrence. "
                "Returns {task_id, status: \"completed\", title, task}.",
            .input_schema = TASK_ID_ONLY_INPUT,
            .output_schema = CHANGE_SCHEMA("completed"),
            .idempotent = true,
        },
    [TOOL_REOPEN] =
        {
            .name = "reopen_task",
            .title = "Reopen a task",
            .description = "Marks the completed task task_id as pending again (sets it, never "
                           "toggles). Returns "
                           "{task_id, status: \"pending\", title, task}.",
            .input_schema = TASK_ID_ONLY_INPUT,
            .output_schema = CHANGE_SCHEMA("pending"),
            .idempotent = true,
        },
    [TOOL_DELETE] =
        {
            .name = "delete_task",
            .title = "Delete a task",
            .description =
                "Deletes the task task_id for good (a repeating task's series ends; its history "
                "stays). Returns {task_id, status: \"deleted\", title}.",
            .input_schema = TASK_ID_ONLY_INPUT,
            .output_schema = delete_output,
            .destructive = true,
            .idempotent = true,
        },
    [TOOL_UPDATE] =
        {
            .name = "update_task",
            .title = "Update a task",
            .description =
                "Changes the fields given of the task task_id and leaves the others as they are; "
                "null clears a field (description, priority, tags, due_at, reminders, recurrence). "
                "tags and reminders replace the task's whole list. Formats as in add_task. Returns "
                "{task_id, status: \"updated\", title, task}.",
            .input_schema = update_input,
            .output_schema = CHANGE_SCHEMA("updated"),
            .idempotent = true,
        },
    [TOOL_TAGS] =
        {
            .name = "list_tags",
            .title = "List tags",
            .description = "Lists the tags the user's tasks carry, with how many tasks have each: "
                           "{tags: [{name, count}]}.",
            .input_schema = tags_input,
            .output_schema = tags_output,
            .read_only = true,
            .idempotent = true,
        },
};
