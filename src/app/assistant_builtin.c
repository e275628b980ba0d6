/* assistant_builtin.c - the built-in brain (docs/assistant.md): parses the message with the
 * user's zone and time (core/nlp.h), resolves the tasks it names, runs the tools (tools.h)
 * and answers with exactly what changed. One idea: the conversation's state lives only in
 * the answers' context ({"tasks": ids named last, "choose": a question about which task,
 * "pending": an action waiting for "yes"}), handed back in the next turn's history, so the
 * server keeps nothing between turns. */
#include "app/assistant.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/assistant_internal.h"
#include "app/tools.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/tz.h"

#define SEARCH_LIMIT  10
#define LIST_LIMIT    50
#define LIST_SHOWN    20
#define CONFIRM_NAMES 5

enum op { OP_COMPLETE, OP_REOPEN, OP_DELETE, OP_UPDATE };
static const char *const op_names[] = {"complete", "reopen", "delete", "update"};
static const char *const op_tools[] = {"complete_task", "reopen_task", "delete_task",
                                       "update_task"};
static const char *const op_done[] = {"Completed", "Reopened", "Deleted", "Updated"};

struct brain {
    struct assistant_turn *t;
    const char *tz; /* the user's zone (UTC when unknown) */
    struct nlp_command cmd;
    json_t *prev; /* borrowed: the previous answer's context, or NULL */
    struct buf reply;
    json_t *named; /* owned: ids this answer is about (context.tasks) */
    json_t *extra; /* owned: "choose" / "pending" for the next turn, or NULL */
    json_t *list;  /* owned: ids of the last list shown (positions count in it), or NULL */
    int fatal;     /* a store error: the turn fails with it */
    struct todo_err *err;
};

static bool store_failure(int rc)
{
    return rc == TODO_ERR_INTERNAL || rc == TODO_ERR_UNAVAILABLE || rc == TODO_ERR_BUSY;
}

/* Runs tool name with args (stolen) and records {tool, arguments, result}. Returns its rc;
 * *result (borrowed from the record, alive for the turn) on success. */
static int run_tool(struct brain *b, const char *name, json_t *args, json_t **result,
                    struct todo_err *err)
{
    todo_err_clear(err);
    json_t *res = NULL;
    int rc = app_tool_call(b->t->app, b->t->user_id, name, args, &res, err);
    json_t *rec = rc ? app_tool_error_json(err) : res;
    json_array_append_new(b->t->tool_calls, json_pack("{s:s, s:O, s:o}", "tool", name, "arguments",
                                                      args, "result", rec));
    json_decref(args); /* O took its own reference; o stole rec */
    if (result)
        *result = rc ? NULL : rec;
    if (rc && store_failure(rc) && !b->fatal) {
        b->fatal = rc;
        *b->err = *err;
    }
    return rc;
}

static void name_task(struct brain *b, int64_t id)
{
    json_array_append_new(b->named, json_integer(id));
}

static json_t *ctx_get(json_t *ctx, const char *key)
{
    return ctx ? json_object_get(ctx, key) : NULL;
}

/* The context of the last answer in the history, or NULL. */
static json_t *previous_context(json_t *history)
{
    for (size_t i = json_array_size(history); i-- > 0;) {
        json_t *m = json_array_get(history, i);
        const char *role = json_string_value(json_object_get(m, "role"));
        if (role && strcmp(role, "assistant") == 0) {
            json_t *c = json_object_get(m, "context");
            return json_is_object(c) ? c : NULL;
        }
    }
    return NULL;
}

/* --- what a message asks to change --- */

/* The fields the message sets, from its JSON form: {title, description, priority, due_at,
 * recurrence, add_tags, remove_tags, add_reminders, clear}. New reference. */
static json_t *patch_from(const struct nlp_command *c)
{
    json_t *form = nlp_command_json(c);
    json_t *p = json_object();
    static const char *const same[][2] = {
        {"title", "title"},   {"description", "description"}, {"priority", "priority"},
        {"tags", "add_tags"}, {"remove_tags", "remove_tags"}, {"reminders", "add_reminders"},
        {"clear", "clear"}};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        json_t *v = json_object_get(form, same[i][0]);
        if (v && !json_is_null(v))
            json_object_set(p, same[i][1], v);
    }
    json_t *due = json_object_get(form, "due");
    if (json_is_string(due)) {
        json_object_set(p, "due_at", due);
        if (c->due_time_only) /* "make it 7pm": the task keeps its day */
            json_object_set_new(p, "keep_day", json_true());
        else if (c->when.all_day) /* "move it to friday", "every sunday": and its time */
            json_object_set_new(p, "keep_time", json_true());
    }
    json_t *rule = json_object_get(form, "rrule");
    if (json_is_string(rule))
        json_object_set_new(p, "recurrence",
                            json_pack("{s:O, s:s}", "rule", rule, "from",
                                      c->when.from_completion ? "completion" : "due"));
    json_decref(form);
    return p;
}

static bool clears(json_t *patch, const char *what)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(patch, "clear"), i,
                       v) if (!strcmp(json_string_value(v), what)) return true;
    return false;
}

/* The tags after adding and removing: existing + add - remove. New reference. */
static json_t *merged_tags(json_t *task, json_t *patch)
{
    json_t *out = json_array();
    json_t *lists[2] = {clears(patch, "tags") ? NULL : json_object_get(task, "tags"),
                        json_object_get(patch, "add_tags")};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *v;
        json_array_foreach(lists[l], i, v)
        {
            bool dup = false, removed = false;
            size_t k;
            json_t *w;
            json_array_foreach(out, k, w) dup = dup || json_equal(v, w);
            json_array_foreach(json_object_get(patch, "remove_tags"), k, w) removed =
                removed || json_equal(v, w);
            if (!dup && !removed)
                json_array_append(out, v);
        }
    }
    return out;
}

/* The reminders kept (as {before} or {at}) plus the new ones. New reference. */
static json_t *merged_reminders(json_t *task, json_t *patch)
{
    json_t *out = json_array();
    size_t i;
    json_t *r;
    if (!clears(patch, "reminders"))
        json_array_foreach(json_object_get(task, "reminders"), i, r)
        {
            const char *state = json_string_value(json_object_get(r, "state"));
            if (state && !strcmp(state, "cancelled"))
                continue;
            json_t *before = json_object_get(r, "before");
            json_array_append_new(out, before ? json_pack("{s:O}", "before", before)
                                              : json_pack("{s:O}", "at", json_object_get(r, "at")));
        }
    json_array_foreach(json_object_get(patch, "add_reminders"), i, r) json_array_append(out, r);
    return out;
}

/* The local wall time (seconds) of ms in tz. */
static int64_t local_secs(const char *tz, int64_t ms)
{
    int off = 0;
    int64_t secs = ms / 1000 - (ms % 1000 < 0);
    if (tz_offset_at(tz, secs, &off) != 0)
        off = 0;
    return secs + off;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The new due of an update that names only a time ("make it 7pm": the task's day at 19:00)
 * or only a day ("move it to friday": friday at the task's time). New reference or NULL. */
static json_t *merged_due(const char *tz, json_t *task, json_t *patch)
{
    bool keep_day = json_is_true(json_object_get(patch, "keep_day"));
    bool keep_time = json_is_true(json_object_get(patch, "keep_time"));
    const char *old_s = json_string_value(json_object_get(task, "due_at"));
    const char *new_s = json_string_value(json_object_get(patch, "due_at"));
    int64_t old_due, new_due, utc;
    if ((!keep_day && !keep_time) || !old_s || !new_s || time_parse_rfc3339(old_s, &old_due) ||
        time_parse_rfc3339(new_s, &new_due))
        return NULL;
    int64_t day_of = local_secs(tz, keep_day ? old_due : new_due);
    int64_t time_of = local_secs(tz, keep_day ? new_due : old_due);
    int64_t wall = floor_div(day_of, 86400) * 86400 + (time_of - floor_div(time_of, 86400) * 86400);
    if (tz_local_to_utc(tz, wall, &utc) != 0)
        return NULL;
    char ts[TIME_RFC3339_MAX];
    time_format_rfc3339(utc * 1000, ts);
    return json_string(ts);
}

/* update_task's arguments for task (its REST JSON) and patch. New reference. */
static json_t *update_args(const char *tz, json_t *task, json_t *patch)
{
    json_t *a = json_pack("{s:O}", "task_id", json_object_get(task, "id"));
    static const char *const same[] = {"title", "description", "priority", "due_at", "recurrence"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (json_object_get(patch, same[i]))
            json_object_set(a, same[i], json_object_get(patch, same[i]));
    if (json_object_get(patch, "add_tags") || json_object_get(patch, "remove_tags") ||
        clears(patch, "tags"))
        json_object_set_new(a, "tags", merged_tags(task, patch));
    if (json_object_get(patch, "add_reminders") || clears(patch, "reminders"))
        json_object_set_new(a, "reminders", merged_reminders(task, patch));
    if (clears(patch, "due"))
        json_object_set_new(a, "due_at", json_null());
    if (clears(patch, "recurrence"))
        json_object_set_new(a, "recurrence", json_null());
    if (clears(patch, "description"))
        json_object_set_new(a, "description", json_string(""));
    json_t *due = merged_due(tz, task, patch);
    if (due)
        json_object_set_new(a, "due_at", due);
    return a;
}

/* The patch as the fields a reply describes (add_tags -> tags, clear -> nulls). */
static json_t *described_fields(json_t *args)
{
    json_t *d = json_copy(args);
    json_object_del(d, "task_id");
    json_object_del(d, "title");
    return d;
}

/* --- acting on one task --- */

/* Reads task id for user as its REST JSON; 404 etc. in err. */
static int task_json(struct brain *b, int64_t id, json_t **out, struct todo_err *err)
{
    struct task t;
    task_init(&t);
    todo_err_clear(err);
    int rc = app_task_get(b->t->app, b->t->user_id, id, &t, err);
    if (rc == TODO_OK) {
        app_task_describe(b->t->app, b->t->user_id, &t);
        *out = task_to_json(&t);
    } else if (store_failure(rc) && !b->fatal) {
        b->fatal = rc;
        *b->err = *err;
    }
    task_release(&t);
    return rc;
}

static void reply_error(struct brain *b, int rc, int64_t id, const char *title, int op,
                        const struct todo_err *err)
{
    if (rc == TODO_ERR_NOT_FOUND)
        buf_printf(&b->reply, "I can't find task %lld.", (long long)id);
    else if (title)
        buf_printf(&b->reply, "I couldn't %s \"%s\": %s.", op_names[op], title, err->message);
    else
        buf_printf(&b->reply, "I couldn't %s task %lld: %s.", op_names[op], (long long)id,
                   err->message);
}

/* The words for an update: "Task 3 is now high priority.", "Renamed task 3 to "X".", or
 * "Updated "X", due Fri 11 Dec at 09:00." */
static void reply_update(struct brain *b, json_t *args, json_t *task)
{
    long long id = (long long)json_integer_value(json_object_get(task, "id"));
    const char *title = json_string_value(json_object_get(task, "title"));
    json_t *fields = described_fields(args);
    if (json_object_size(fields) == 1 && json_object_get(fields, "priority")) {
        buf_printf(&b->reply, "Task %lld is now %s priority.", id,
                   json_string_value(json_object_get(task, "priority")));
    } else if (json_object_size(fields) == 0 && json_object_get(args, "title")) {
        buf_printf(&b->reply, "Renamed task %lld to \"%s\".", id, title);
    } else {
        if (json_object_get(args, "title"))
            buf_printf(&b->reply, "Renamed task %lld to \"%s\"", id, title);
        else
            buf_printf(&b->reply, "Updated \"%s\"", title);
        assistant_describe_fields(&b->reply, b->tz, task, fields);
        buf_putc(&b->reply, '.');
    }
    json_decref(fields);
}

/* A reminder "before" the due time, on a task that has none and gets none. */
static bool needs_due(json_t *task, json_t *patch)
{
    size_t i;
    json_t *r;
    bool relative = false;
    json_array_foreach(json_object_get(patch, "add_reminders"), i, r) relative =
        relative || json_object_get(r, "before");
    return relative && json_is_null(json_object_get(task, "due_at")) &&
           !json_object_get(patch, "due_at");
}

/* Runs op on task id (patch for an update) and says what happened. Returns the rc. */
static int act(struct brain *b, int op, int64_t id, json_t *patch)
{
    struct todo_err err;
    json_t *result = NULL, *task = NULL;
    if (b->reply.len)
        buf_putc(&b->reply, '\n');
    if (op == OP_UPDATE) {
        int rc = task_json(b, id, &task, &err);
        if (rc) {
            reply_error(b, rc, id, NULL, op, &err);
            return rc;
        }
        if (needs_due(task, patch)) {
            buf_printf(&b->reply,
                       "\"%s\" has no due date, so I can't remind you before it. Give it one "
                       "first, like \"move it to Friday at 3pm\".",
                       json_string_value(json_object_get(task, "title")));
            name_task(b, id);
            json_decref(task);
            return TODO_ERR_VALIDATION;
        }
        json_t *args = update_args(b->tz, task, patch);
        json_t *before = task;
        json_incref(args); /* run_tool steals one reference; the reply reads it after */
        rc = run_tool(b, "update_task", args, &result, &err);
        if (rc)
            reply_error(b, rc, id, json_string_value(json_object_get(before, "title")), op, &err);
        else
            reply_update(b, args, json_object_get(result, "task"));
        json_decref(args);
        json_decref(before);
        if (!rc)
            name_task(b, id);
        return rc;
    }
    int rc =
        run_tool(b, op_tools[op], json_pack("{s:I}", "task_id", (json_int_t)id), &result, &err);
    if (rc) {
        reply_error(b, rc, id, NULL, op, &err);
        return rc;
    }
    buf_printf(&b->reply, "%s \"%s\".", op_done[op],
               json_string_value(json_object_get(result, "title")));
    if (op != OP_DELETE)
        name_task(b, id);
    return rc;
}

/* --- which tasks a message names --- */

/* {id, title, due_at} of a task, for a question's candidates. */
static json_t *candidate(json_t *task)
{
    return json_pack("{s:O, s:O, s:O}", "id", json_object_get(task, "id"), "title",
                     json_object_get(task, "title"), "due_at", json_object_get(task, "due_at"));
}

/* Asks which of tasks (2+) the message means, and keeps them for the next turn. */
static void ask_which(struct brain *b, int op, json_t *patch, json_t *tasks)
{
    json_t *cands = json_array();
    buf_puts(&b->reply, "Which one do you mean?");
    size_t i;
    json_t *task;
    json_array_foreach(tasks, i, task)
    {
        buf_printf(&b->reply, "\n%zu. ", i + 1);
        assistant_task_line(&b->reply, b->tz, task);
        json_array_append_new(cands, candidate(task));
        name_task(b, json_integer_value(json_object_get(task, "id")));
    }
    buf_puts(&b->reply, "\nSay its number in this list (\"the first one\") or its task id.");
    json_decref(b->list);
    b->list = json_copy(b->named);
    json_decref(b->extra);
    b->extra = json_pack("{s:{s:s, s:O, s:o}}", "choose", "op", op_names[op], "patch", patch,
                         "candidates", cands);
}

/* Asks to confirm op on the tasks (2+) and keeps it for the next turn's "yes". */
static void ask_confirm(struct brain *b, int op, json_t *patch, json_t *tasks)
{
    static const char *const verbs[] = {"Complete", "Reopen", "Delete", "Change"};
    json_t *ids = json_array();
    size_t i, n = json_array_size(tasks);
    json_t *task;
    buf_printf(&b->reply, "%s all %zu tasks (", verbs[op], n);
    json_array_foreach(tasks, i, task)
    {
        json_array_append(ids, json_object_get(task, "id"));
        if (i < CONFIRM_NAMES)
            buf_printf(&b->reply, "%s\"%s\"", i ? ", " : "",
                       json_string_value(json_object_get(task, "title")));
    }
    if (n > CONFIRM_NAMES)
        buf_printf(&b->reply, " and %zu more", n - CONFIRM_NAMES);
    buf_puts(&b->reply, ")? Say \"yes\" to go ahead, or \"no\" to leave them as they are.");
    json_decref(b->extra);
    b->extra =
        json_pack("{s:{s:s, s:O, s:o}}", "pending", "op", op_names[op], "patch", patch, "ids", ids);
}

/* Lists the user's tasks matching args (stolen); the tasks array (borrowed) or NULL. */
static json_t *list(struct brain *b, json_t *args)
{
    struct todo_err err;
    json_t *result = NULL;
    if (run_tool(b, "list_tasks", args, &result, &err)) {
        buf_printf(&b->reply, "I couldn't list your tasks: %s.", err.message);
        return NULL;
    }
    return json_object_get(result, "tasks");
}

/* The one task among tasks whose title is exactly words (any case), or NULL. */
static json_t *exact_title(json_t *tasks, const char *words)
{
    json_t *found = NULL, *task;
    size_t i;
    json_array_foreach(
        tasks, i, task) if (!strcasecmp(json_string_value(json_object_get(task, "title")), words))
    {
        if (found)
            return NULL;
        found = task;
    }
    return found;
}

/* Tasks by their words ("the groceries task"): pending ones first, then any. */
static json_t *search(struct brain *b, int op, const char *words)
{
    const char *first = op == OP_REOPEN ? "completed" : "pending";
    json_t *tasks =
        list(b, json_pack("{s:s, s:s, s:i}", "q", words, "status", first, "limit", SEARCH_LIMIT));
    if (tasks && json_array_size(tasks) == 0 && op != OP_REOPEN)
        tasks = list(b, json_pack("{s:s, s:i}", "q", words, "limit", SEARCH_LIMIT));
    return tasks;
}

/* True when the local dates of a and b (ms) are the same day in tz. */
static bool same_local_day(const char *tz, int64_t a, int64_t b)
{
    int oa = 0, ob = 0;
    tz_offset_at(tz, a / 1000, &oa);
    tz_offset_at(tz, b / 1000, &ob);
    int64_t da = (a / 1000 + oa) / 86400, db = (b / 1000 + ob) / 86400;
    return da == db;
}

/* The tasks of found due on the message's day, when it names one and some are; else all of
 * them. New reference. */
static json_t *on_day(struct brain *b, json_t *found)
{
    if (!b->cmd.when.has_due || json_array_size(found) < 2)
        return json_incref(found);
    json_t *out = json_array(), *task;
    size_t i;
    json_array_foreach(found, i, task)
    {
        int64_t due;
        const char *s = json_string_value(json_object_get(task, "due_at"));
        if (s && time_parse_rfc3339(s, &due) == 0 && same_local_day(b->tz, due, b->cmd.when.due_ms))
            json_array_append(out, task);
    }
    if (json_array_size(out) > 0)
        return out;
    json_decref(out);
    return json_incref(found);
}

/* The list query of a message's filter (list_tasks arguments). New reference. */
static json_t *filter_args(const struct nlp_command *c, int limit)
{
    json_t *form = nlp_command_json(c);
    json_t *f = json_object_get(form, "filter");
    json_t *args = f ? json_copy(f) : json_object();
    json_object_set_new(args, "limit", json_integer(limit));
    json_decref(form);
    return args;
}

static json_t *previous_ids(struct brain *b)
{
    json_t *ids = ctx_get(b->prev, "tasks");
    return json_is_array(ids) ? ids : NULL;
}

/* Runs op on ids one by one. */
static void act_all(struct brain *b, int op, json_t *patch, json_t *ids)
{
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        act(b, op, json_integer_value(id), patch);
        if (b->fatal)
            return;
    }
}

/* Several tasks at once ("them", "all completed tasks"): confirmed first unless it only
 * changes fields. */
static void act_many(struct brain *b, int op, json_t *patch, json_t *tasks)
{
    if (op == OP_UPDATE) {
        size_t i;
        json_t *task;
        json_array_foreach(tasks, i, task)
            act(b, op, json_integer_value(json_object_get(task, "id")), patch);
        return;
    }
    ask_confirm(b, op, patch, tasks);
}

/* Task objects for ids ({id} alone is enough to confirm with; titles come from a read). */
static json_t *tasks_of(struct brain *b, json_t *ids)
{
    json_t *out = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        struct todo_err err;
        json_t *task;
        if (task_json(b, json_integer_value(id), &task, &err) == TODO_OK)
            json_array_append_new(out, task);
    }
    return out;
}

/* A task's id from its REST JSON. */
static int64_t task_id_of(json_t *task)
{
    return json_integer_value(json_object_get(task, "id"));
}

/* "it", "them", or no target: the tasks the previous answer was about. */
static void on_previous(struct brain *b, int op, json_t *patch)
{
    json_t *prev = previous_ids(b);
    if (!prev || json_array_size(prev) == 0) {
        buf_puts(&b->reply, "Which task do you mean? Say its number, like \"task 3\", or its "
                            "words, like \"the groceries task\".");
        return;
    }
    if (b->cmd.target_last && b->list && json_array_size(b->list) > 0) { /* "the last one" */
        act(b, op, json_integer_value(json_array_get(b->list, json_array_size(b->list) - 1)),
            patch);
        return;
    }
    if (json_array_size(prev) == 1) {
        act(b, op, json_integer_value(json_array_get(prev, 0)), patch);
        return;
    }
    json_t *tasks = tasks_of(b, prev);
    if (b->cmd.target_plural && json_array_size(tasks) > 1) /* "them" */
        act_many(b, op, patch, tasks);
    else if (json_array_size(tasks) > 1)
        ask_which(b, op, patch, tasks);
    else if (json_array_size(tasks) == 1)
        act(b, op, task_id_of(json_array_get(tasks, 0)), patch);
    else
        buf_puts(&b->reply, "Those tasks are gone.");
    json_decref(tasks);
}

/* "the groceries task": one match acts, several are asked about. */
static void on_words(struct brain *b, int op, json_t *patch)
{
    const char *words = b->cmd.target_words;
    json_t *found = search(b, op, words);
    if (!found)
        return;
    json_t *tasks = on_day(b, found); /* "delete my 3pm meeting": that day's meeting */
    json_t *one = json_array_size(tasks) > 1 ? exact_title(tasks, words) : NULL;
    if (json_array_size(tasks) == 0)
        buf_printf(&b->reply,
                   "I couldn't find a task matching \"%s\", so nothing changed. To add it as a "
                   "new task, say \"add %s\".",
                   words, b->t->message);
    else if (json_array_size(tasks) == 1 || one)
        act(b, op, task_id_of(one ? one : json_array_get(tasks, 0)), patch);
    else
        ask_which(b, op, patch, tasks);
    json_decref(tasks);
}

/* "all completed tasks": asked about first (one task to change is just changed). */
static void on_all(struct brain *b, int op, json_t *patch)
{
    json_t *tasks = list(b, filter_args(&b->cmd, 200));
    if (!tasks)
        return;
    if (json_array_size(tasks) == 0)
        buf_puts(&b->reply, "You have no tasks matching that, so nothing changed.");
    else if (json_array_size(tasks) == 1 && op == OP_UPDATE)
        act(b, op, task_id_of(json_array_get(tasks, 0)), patch);
    else
        ask_confirm(b, op, patch, tasks);
}

/* A message naming a task (or several) to complete, reopen, delete or update. */
static void task_op(struct brain *b, int op)
{
    const struct nlp_command *c = &b->cmd;
    assert(op >= OP_COMPLETE && op <= OP_UPDATE);
    json_t *patch = patch_from(c);
    json_t *prev = previous_ids(b);
    if (op == OP_UPDATE && json_object_size(patch) == 0) {
        buf_puts(&b->reply, "What should I change? For example: \"make it high priority\", "
                            "\"move it to Friday\" or \"rename it to Buy eggs\".");
    } else if (c->target == NLP_TARGET_ID) {
        int64_t id = c->target_id; /* a position: in the last list, when there was one */
        json_t *pos = b->list ? b->list : prev;
        if (c->target_ordinal && pos && id >= 1 && (size_t)id <= json_array_size(pos))
            id = json_integer_value(json_array_get(pos, (size_t)id - 1));
        act(b, op, id, patch);
    } else if (c->target == NLP_TARGET_WORDS) {
        on_words(b, op, patch);
    } else if (c->target == NLP_TARGET_ALL) {
        on_all(b, op, patch);
    } else {
        on_previous(b, op, patch);
    }
    json_decref(patch);
}

/* --- answers to the previous turn's question --- */

static int op_named(const char *name)
{
    for (int op = 0; op < 4; op++)
        if (name && !strcmp(name, op_names[op]))
            return op;
    return -1;
}

static int intent_op(int intent)
{
    switch (intent) {
    case NLP_COMPLETE:
        return OP_COMPLETE;
    case NLP_REOPEN:
        return OP_REOPEN;
    case NLP_DELETE:
        return OP_DELETE;
    case NLP_UPDATE:
        return OP_UPDATE;
    default:
        return -1;
    }
}

/* True when every word of words is in title (any case). */
static bool title_has_words(const char *title, const char *words)
{
    char w[NLP_FIELD_MAX];
    const char *p = words;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        if (n >= sizeof w)
            return false;
        memcpy(w, p, n);
        w[n] = '\0';
        if (!strcasestr(title, w))
            return false;
        p += n;
    }
    return true;
}

/* The candidate the message picks ("the second one", "2", "task 5", "the one about milk",
 * "the one due friday"), or -1. */
static int64_t pick(struct brain *b, json_t *cands)
{
    const struct nlp_command *c = &b->cmd;
    size_t n = json_array_size(cands), i;
    json_t *cand;
    int64_t found = -1;
    if (c->target == NLP_TARGET_ID) {
        json_array_foreach(cands, i, cand) if (!c->target_ordinal &&
                                               json_integer_value(json_object_get(cand, "id")) ==
                                                   c->target_id) return c->target_id;
        if (c->target_id >= 1 && (size_t)c->target_id <= n)
            return json_integer_value(
                json_object_get(json_array_get(cands, (size_t)c->target_id - 1), "id"));
        return -1;
    }
    json_array_foreach(cands, i, cand)
    {
        const char *title = json_string_value(json_object_get(cand, "title"));
        const char *due_s = json_string_value(json_object_get(cand, "due_at"));
        int64_t due;
        bool match = false;
        if (c->target == NLP_TARGET_WORDS)
            match = title && title_has_words(title, c->target_words);
        else if (c->when.has_due && due_s && time_parse_rfc3339(due_s, &due) == 0)
            match = same_local_day(b->tz, due, c->when.due_ms);
        if (match) {
            if (found >= 0)
                return -1;
            found = json_integer_value(json_object_get(cand, "id"));
        }
    }
    return found;
}

/* The previous answer asked which task: true when this message answered it. */
static bool answer_choose(struct brain *b, json_t *choose)
{
    int op = op_named(json_string_value(json_object_get(choose, "op")));
    int mine = intent_op(b->cmd.intent);
    if (op < 0 || (b->cmd.intent != NLP_UNKNOWN && b->cmd.intent != NLP_CONFIRM && mine != op))
        return false;
    if (b->cmd.intent == NLP_UPDATE) {
        json_t *patch = patch_from(&b->cmd);
        size_t n = json_object_size(patch);
        json_decref(patch);
        if (n > 0)
            return false; /* a new change: read it fresh */
    }
    int64_t id = pick(b, json_object_get(choose, "candidates"));
    if (id < 0) {
        if (b->cmd.intent != NLP_UNKNOWN && b->cmd.intent != NLP_CONFIRM)
            return false;
        buf_puts(&b->reply, "I still don't know which one you mean. Say its number in the list, "
                            "like \"the first one\".");
        b->extra = json_pack("{s:O}", "choose", choose);
        json_t *ids = json_array();
        size_t i;
        json_t *cand;
        json_array_foreach(json_object_get(choose, "candidates"), i, cand)
            json_array_append(ids, json_object_get(cand, "id"));
        json_decref(b->named);
        b->named = ids;
        return true;
    }
    act(b, op, id, json_object_get(choose, "patch"));
    return true;
}

/* The previous answer asked for a "yes": runs it, or cancels it. False when this message
 * is something else (the pending action is dropped and the message read fresh). */
static bool answer_pending(struct brain *b, json_t *pending)
{
    int op = op_named(json_string_value(json_object_get(pending, "op")));
    if (op < 0)
        return false;
    if (b->cmd.intent == NLP_CONFIRM) {
        act_all(b, op, json_object_get(pending, "patch"), json_object_get(pending, "ids"));
        return true;
    }
    if (b->cmd.intent == NLP_CANCEL) {
        buf_puts(&b->reply, "OK, I left them as they are.");
        return true;
    }
    return false;
}

/* --- the intents that name no task --- */

static void do_add(struct brain *b)
{
    struct nlp_command *c = &b->cmd;
    if (!c->has_title) {
        buf_puts(&b->reply, "What should I add? For example: \"Add buy milk tomorrow at 5pm\".");
        return;
    }
    json_t *patch = patch_from(c);
    json_t *args = json_pack("{s:s}", "title", c->title);
    static const char *const same[] = {"description", "priority", "due_at", "recurrence"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (json_object_get(patch, same[i]))
            json_object_set(args, same[i], json_object_get(patch, same[i]));
    if (json_object_get(patch, "add_tags"))
        json_object_set(args, "tags", json_object_get(patch, "add_tags"));
    if (json_object_get(patch, "add_reminders"))
        json_object_set(args, "reminders", json_object_get(patch, "add_reminders"));
    json_decref(patch);
    json_incref(args);
    struct todo_err err;
    json_t *result;
    if (run_tool(b, "add_task", args, &result, &err)) {
        buf_printf(&b->reply, "I couldn't add \"%s\": %s.", c->title, err.message);
    } else {
        json_t *task = json_object_get(result, "task");
        buf_printf(&b->reply, "Added \"%s\"", json_string_value(json_object_get(task, "title")));
        json_t *fields = described_fields(args);
        if (!c->has_description)
            json_object_del(fields, "description");
        assistant_describe_fields(&b->reply, b->tz, task, fields);
        json_decref(fields);
        buf_putc(&b->reply, '.');
        name_task(b, json_integer_value(json_object_get(result, "task_id")));
    }
    json_decref(args);
}

/* "what's due on Friday": the tasks due that local day. */
static void day_bounds(struct brain *b, json_t *args)
{
    int64_t from, to;
    char ts[TIME_RFC3339_MAX];
    if (!b->cmd.when.has_due || b->cmd.filter.due ||
        tz_day_start(b->tz, b->cmd.when.due_ms, 0, &from) != 0 ||
        tz_day_start(b->tz, b->cmd.when.due_ms, 1, &to) != 0)
        return;
    if (b->cmd.due_bound <= 0) { /* that day, or before it ("due before friday") */
        time_format_rfc3339(b->cmd.due_bound < 0 ? from : to, ts);
        json_object_set_new(args, "due_before", json_string(ts));
    }
    if (b->cmd.due_bound >= 0) { /* that day, or after it */
        time_format_rfc3339(b->cmd.due_bound > 0 ? to : from, ts);
        json_object_set_new(args, "due_after", json_string(ts));
    }
}

/* "what's due today / this week / on Friday" asks what is left to do: a due window without a
 * status lists pending tasks only (docs/assistant.md, "Intents and phrasings"); "what did I finish
 * today" names its status and keeps it. */
static void pending_when_due(json_t *args)
{
    const char *due = json_string_value(json_object_get(args, "due"));
    bool window = (due && (strcmp(due, "today") == 0 || strcmp(due, "tomorrow") == 0 ||
                           strcmp(due, "week") == 0)) ||
                  json_object_get(args, "due_before") || json_object_get(args, "due_after");
    if (window && !json_object_get(args, "status"))
        json_object_set_new(args, "status", json_string("pending"));
}

static void do_list(struct brain *b)
{
    if (b->cmd.target == NLP_TARGET_ID && !b->cmd.target_ordinal) { /* "show me task 5" */
        struct todo_err err;
        json_t *task;
        if (task_json(b, b->cmd.target_id, &task, &err) != TODO_OK) {
            buf_printf(&b->reply, "I can't find task %lld.", (long long)b->cmd.target_id);
            return;
        }
        assistant_task_line(&b->reply, b->tz, task);
        const char *desc = json_string_value(json_object_get(task, "description"));
        if (desc && *desc)
            buf_printf(&b->reply, "\n%s", desc);
        name_task(b, b->cmd.target_id);
        json_decref(task);
        return;
    }
    json_t *args = filter_args(&b->cmd, LIST_LIMIT);
    day_bounds(b, args);
    pending_when_due(args);
    json_t *tasks = list(b, args);
    if (!tasks)
        return;
    size_t n = json_array_size(tasks), i;
    if (n == 0) {
        buf_puts(&b->reply, b->cmd.has_filter || b->cmd.when.has_due ? "No tasks match that."
                                                                     : "You have no tasks.");
        return;
    }
    buf_printf(&b->reply, n == 1 ? "Here is 1 task:" : "Here are %zu%s tasks:", n,
               n >= LIST_LIMIT ? "+" : "");
    json_t *task;
    json_array_foreach(tasks, i, task)
    {
        name_task(b, json_integer_value(json_object_get(task, "id")));
        if (i >= LIST_SHOWN)
            continue;
        buf_printf(&b->reply, "\n%zu. ", i + 1);
        assistant_task_line(&b->reply, b->tz, task);
    }
    if (n > LIST_SHOWN)
        buf_printf(&b->reply, "\n...and %zu more.", n - LIST_SHOWN);
    json_decref(b->list);
    b->list = json_copy(b->named);
}

static void respond(struct brain *b)
{
    json_t *choose = ctx_get(b->prev, "choose"), *pending = ctx_get(b->prev, "pending");
    if (pending && answer_pending(b, pending))
        return;
    if (choose && answer_choose(b, choose))
        return;
    switch (b->cmd.intent) {
    case NLP_ADD:
        do_add(b);
        break;
    case NLP_LIST:
        do_list(b);
        break;
    case NLP_COMPLETE:
    case NLP_REOPEN:
    case NLP_DELETE:
    case NLP_UPDATE:
        task_op(b, intent_op(b->cmd.intent));
        break;
    case NLP_HELP:
        buf_puts(&b->reply, assistant_help_text());
        break;
    case NLP_CONFIRM:
        buf_puts(&b->reply, "There is nothing waiting for a yes right now.");
        break;
    case NLP_CANCEL:
        buf_puts(&b->reply, "OK, nothing changed.");
        break;
    default:
        if (strlen(b->t->message) > NLP_TEXT_MAX) /* the parser reads no longer message */
            buf_printf(&b->reply,
                       "That message is too long for me to read (I read up to %d bytes, about "
                       "%d words), and I changed nothing. Say it in fewer words, or add the "
                       "details to the task's description afterwards.",
                       NLP_TEXT_MAX, NLP_TEXT_MAX / 6);
        else
            buf_puts(&b->reply, assistant_unknown_text());
        break;
    }
}

int assistant_builtin_turn(struct assistant_turn *t, struct todo_err *err)
{
    assert(t && t->app && t->user_id && t->message && err);
    const char *tz = t->tz && tz_valid(t->tz) ? t->tz : "UTC";
    struct brain b = {.t = t, .tz = tz, .err = err};
    buf_init(&b.reply);
    b.named = json_array();
    t->tool_calls = json_array();
    t->response = NULL;
    t->context = NULL;
    b.prev = previous_context(t->history);
    json_t *list = ctx_get(b.prev, "list");
    b.list = json_is_array(list) ? json_incref(list) : NULL;
    nlp_parse(t->message, strlen(t->message), t->now_ms, tz, &b.cmd);
    respond(&b);
    if (b.fatal) {
        buf_release(&b.reply);
        json_decref(b.named);
        json_decref(b.extra);
        json_decref(b.list);
        assistant_turn_release(t);
        return b.fatal;
    }
    if (b.reply.len == 0)
        buf_puts(&b.reply, assistant_unknown_text());
    json_t *prev_tasks = previous_ids(&b);
    if (json_array_size(b.named) == 0 && json_array_size(t->tool_calls) == 0 && prev_tasks &&
        !b.extra) /* "help", a typo: "it" still means the task before */
        json_array_extend(b.named, prev_tasks);
    t->response = buf_take(&b.reply);
    t->context = b.extra ? b.extra : json_object();
    json_object_set_new(t->context, "tasks", b.named); /* steals */
    if (b.list)
        json_object_set_new(t->context, "list", b.list); /* steals */
    return TODO_OK;
}

void assistant_turn_release(struct assistant_turn *t)
{
    free(t->response);
    json_decref(t->tool_calls);
    json_decref(t->context);
    t->response = NULL;
    t->tool_calls = NULL;
    t->context = NULL;
}
