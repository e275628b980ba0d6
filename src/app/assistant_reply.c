/* assistant_reply.c - the built-in assistant's words (docs/assistant.md, "Replies"): times
 * in the user's zone, a task as one list line, and exactly what a change set. */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/assistant_internal.h"
#include "base/timeutil.h"
#include "core/tz.h"

void assistant_format_when(const char *tz, int64_t ms, char *out, size_t outsz)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    assert(out && outsz > 0);
    int off = 0;
    int64_t secs = ms / 1000 - (ms % 1000 < 0);
    if (tz_offset_at(tz ? tz : "UTC", secs, &off) != 0)
        off = 0;
    time_t local = (time_t)(secs + off);
    struct tm tm;
    gmtime_r(&local, &tm);
    snprintf(out, outsz, "%s %d %s at %02d:%02d", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
             tm.tm_hour, tm.tm_min);
}

static void put_due(struct buf *b, const char *tz, json_t *task)
{
    int64_t due;
    const char *s = json_string_value(json_object_get(task, "due_at"));
    if (s && time_parse_rfc3339(s, &due) == 0) {
        char when[64];
        assistant_format_when(tz, due, when, sizeof when);
        buf_printf(b, "due %s", when);
    }
}

void assistant_task_line(struct buf *b, const char *tz, json_t *task)
{
    buf_printf(b, "#%lld %s", (long long)json_integer_value(json_object_get(task, "id")),
               json_string_value(json_object_get(task, "title")));
    struct buf extra;
    buf_init(&extra);
    put_due(&extra, tz, task);
    const char *prio = json_string_value(json_object_get(task, "priority"));
    if (prio && strcmp(prio, "none") != 0)
        buf_printf(&extra, "%s%s priority", extra.len ? ", " : "", prio);
    size_t i;
    json_t *tag;
    json_array_foreach(json_object_get(task, "tags"), i, tag)
        buf_printf(&extra, "%s#%s", extra.len ? ", " : "", json_string_value(tag));
    if (json_is_true(json_object_get(task, "completed")))
        buf_printf(&extra, "%sdone", extra.len ? ", " : "");
    if (extra.len)
        buf_printf(b, " (%.*s)", (int)extra.len, extra.data);
    buf_release(&extra);
}

static void put_part(struct buf *b, const char *text)
{
    buf_puts(b, ", ");
    buf_puts(b, text);
}

void assistant_describe_fields(struct buf *b, const char *tz, json_t *task, json_t *patch)
{
    json_t *v;
    if (json_object_get(patch, "description"))
        put_part(b, json_string_length(json_object_get(task, "description")) ? "with a note"
                                                                             : "without a note");
    if ((v = json_object_get(patch, "due_at"))) {
        if (json_is_null(v)) {
            put_part(b, "no due date");
        } else {
            buf_puts(b, ", ");
            put_due(b, tz, task);
        }
    }
    json_t *rec = json_object_get(task, "recurrence");
    if ((v = json_object_get(patch, "recurrence"))) {
        if (json_is_null(rec)) {
            put_part(b, "no longer repeats");
        } else {
            const char *text = json_string_value(json_object_get(rec, "text"));
            buf_printf(b, ", repeats %s",
                       text ? text : json_string_value(json_object_get(rec, "rule")));
            if (!strcmp(json_string_value(json_object_get(rec, "from")), "completion"))
                buf_puts(b, " after each completion");
        }
    }
    const char *prio = json_string_value(json_object_get(task, "priority"));
    if (json_object_get(patch, "priority"))
        buf_printf(b, ", %s priority", strcmp(prio, "none") ? prio : "no");
    if (json_object_get(patch, "tags")) {
        size_t i, n = json_array_size(json_object_get(task, "tags"));
        buf_puts(b, n ? ", tagged" : ", no tags");
        json_array_foreach(json_object_get(task, "tags"), i, v)
            buf_printf(b, " #%s", json_string_value(v));
    }
    if ((v = json_object_get(patch, "reminders"))) {
        size_t n = json_array_size(json_object_get(task, "reminders"));
        if (n == 0) {
            put_part(b, "no reminders");
        } else {
            size_t i;
            json_t *r;
            buf_puts(b, ", reminding you");
            json_array_foreach(json_object_get(task, "reminders"), i, r)
            {
                int64_t at;
                char when[64];
                const char *s = json_string_value(json_object_get(r, "remind_at"));
                if (!s || time_parse_rfc3339(s, &at) != 0)
                    continue;
                assistant_format_when(tz, at, when, sizeof when);
                buf_printf(b, "%s %s", i ? " and" : "", when);
            }
        }
    }
}

const char *assistant_help_text(void)
{
    return "I can add, list, complete, reopen, change and delete your tasks. Try:\n"
           "- \"Add buy milk tomorrow at 5pm #shopping !high\"\n"
           "- \"Remind me to pay rent on the 1st of every month\"\n"
           "- \"What's due this week?\" or \"Show high priority tasks\"\n"
           "- \"Mark task 3 as done\" or \"I finished the report\"\n"
           "- \"Move the dentist to Friday\", \"Make it high priority\", \"Tag task 4 with "
           "home\"\n"
           "- \"Delete the meeting task\" or \"Reopen task 3\"";
}

const char *assistant_unknown_text(void)
{
    return "Sorry, I didn't understand that, and I changed nothing. I can add, list, complete, "
           "reopen, change and delete your tasks. For example: \"Add call mom tomorrow at 6pm\", "
           "\"What's pending?\", \"Mark task 3 as done\". Say \"help\" for more.";
}
