/* llm_prompt.c - what the model is told (docs/assistant-llm.md, "The prompt"): a system
 * prompt with the user's local date, weekday, time and zone and the date conventions of
 * docs/assistant-time.md in short, then the conversation so far with its past tool calls
 * replayed as assistant tool_calls and tool messages (so the model sees the task ids it
 * already worked with), then the new message. */
#include "app/llm_internal.h"

#include "app/tools.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "core/tz_local.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const weekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};

/* docs/assistant-time.md, in short: the same words mean the same to the model and to the
 * built-in parser. */
static const char conventions[] =
    "Read dates and times in the user's time zone, as the built-in parser does: a date "
    "without a time is due at 09:00 local, all day. A time without a day is its next "
    "occurrence after now (\"at 5pm\" said at 18:00 is tomorrow 17:00). morning = 09:00, "
    "noon = 12:00, afternoon = 15:00, evening/tonight = 20:00, end of day = 17:00. An hour "
    "without am/pm: 1-7 mean pm, 8-11 mean am. A bare weekday is the next such day after "
    "today; \"this friday\" may be today; \"next monday\" is the Monday of next week (Monday "
    "to Sunday weeks). \"end of month\" is the last day of this month. \"in 2 hours\" is now "
    "plus 2 hours; \"in 3 days\" is a date. Write due_at in RFC 3339 with the zone's offset. "
    "Repeats are RFC 5545 RRULE values without the \"RRULE:\" prefix (FREQ=MONTHLY;"
    "BYMONTHDAY=1), starting at the due date.\n";

static const char rules[] =
    "You manage this user's tasks with the tools given. Use a tool for every change and "
    "every question about tasks; never claim a change you did not make with a tool. Never "
    "invent a task id: use the ids that tools returned (list_tasks finds a task by its "
    "words). When two tasks could be meant, ask which one. Before deleting more than one "
    "task, ask for confirmation. Answer briefly and say exactly what changed.\n";

char *llm_system_prompt(const struct assistant_turn *t)
{
    assert(t);
    const char *tz = t->tz && *t->tz ? t->tz : "UTC";
    struct tz_local l;
    if (tz_local_time(tz, t->now_ms, &l)) {
        tz = "UTC";
        tz_local_time(tz, t->now_ms, &l);
    }
    int off = l.utc_offset_minutes < 0 ? -l.utc_offset_minutes : l.utc_offset_minutes;
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "You are the assistant of Todo, a task manager.\n");
    buf_printf(&b,
               "Now it is %s %04d-%02d-%02d, %02d:%02d in the user's time zone %s "
               "(UTC%c%02d:%02d).\n",
               weekdays[l.weekday], l.year, l.month, l.day, l.hour, l.minute, tz,
               l.utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
    buf_puts(&b, rules);
    buf_puts(&b, conventions);
    return buf_take(&b);
}

static json_t *text_message(const char *role, const char *content)
{
    /* "s" copies content; "o" of json_null steals it */
    if (!content)
        return json_pack("{s:s, s:o}", "role", role, "content", json_null());
    return json_pack("{s:s, s:s}", "role", role, "content", content);
}

/* A past tool result as replayed: the JSON, or a note when it is too long to carry. */
static char *replay_result(json_t *result)
{
    char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;
    if (text && strlen(text) <= LLM_REPLAY_RESULT_MAX)
        return text;
    free(text);
    json_t *id = json_object_get(result, "task_id");
    json_t *note = json_pack("{s:s, s:O*}", "note", "result too long to repeat", "task_id", id);
    text = json_dumps(note, JSON_COMPACT);
    json_decref(note);
    return text;
}

/* One past assistant message: its tool calls and their results, then its text. */
static void replay_assistant(json_t *messages, json_t *past, size_t at)
{
    json_t *calls = json_object_get(past, "tool_calls");
    if (json_array_size(calls) > 0) {
        json_t *asked = json_array();
        json_t *answers = json_array();
        size_t j;
        json_t *c;
        json_array_foreach(calls, j, c)
        {
            char id[48];
            snprintf(id, sizeof id, "call_h%zu_%zu", at, j);
            json_t *args = json_object_get(c, "arguments");
            char *args_text = json_is_string(args)
                                  ? xstrdup(json_string_value(args))
                                  : json_dumps(args ? args : json_object(), JSON_COMPACT);
            const char *tool = json_string_value(json_object_get(c, "tool"));
            json_array_append_new(asked, json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", id, "type",
                                                   "function", "function", "name", tool ? tool : "",
                                                   "arguments", args_text ? args_text : "{}"));
            free(args_text);
            char *result = replay_result(json_object_get(c, "result"));
            json_array_append_new(answers,
                                  json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id", id,
                                            "content", result ? result : "{}"));
            free(result);
        }
        /* "o" steals asked */
        json_array_append_new(messages, json_pack("{s:s, s:o, s:o}", "role", "assistant", "content",
                                                  json_null(), "tool_calls", asked));
        json_array_extend(messages, answers);
        json_decref(answers);
    }
    const char *content = json_string_value(json_object_get(past, "content"));
    json_array_append_new(messages, text_message("assistant", content ? content : ""));
}

json_t *llm_messages_build(const struct assistant_turn *t)
{
    assert(t && t->message);
    json_t *messages = json_array();
    char *system = llm_system_prompt(t);
    json_array_append_new(messages, text_message("system", system));
    free(system);
    size_t n = json_array_size(t->history);
    size_t from = n > LLM_HISTORY_MAX ? n - LLM_HISTORY_MAX : 0;
    for (size_t i = from; i < n; i++) {
        json_t *past = json_array_get(t->history, i);
        const char *role = json_string_value(json_object_get(past, "role"));
        const char *content = json_string_value(json_object_get(past, "content"));
        if (role && strcmp(role, "user") == 0)
            json_array_append_new(messages, text_message("user", content ? content : ""));
        else if (role && strcmp(role, "assistant") == 0)
            replay_assistant(messages, past, i);
    }
    json_array_append_new(messages, text_message("user", t->message));
    return messages;
}

json_t *llm_tools_build(void)
{
    size_t n = 0;
    const struct app_tool *tools = app_tools(&n);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_error_t jerr;
        json_t *params = json_loads(tools[i].input_schema ? tools[i].input_schema : "{}", 0, &jerr);
        if (!json_is_object(params)) {
            json_decref(params);
            params = json_pack("{s:s}", "type", "object");
        }
        /* "o" steals params */
        json_array_append_new(out, json_pack("{s:s, s:{s:s, s:s, s:o}}", "type", "function",
                                             "function", "name", tools[i].name, "description",
                                             tools[i].description ? tools[i].description : "",
                                             "parameters", params));
    }
    return out;
}
