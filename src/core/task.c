/* task.c - the task model: lifetime, validation from JSON, and the JSON form.
 *
 * task_apply_json works on a deep copy of the task: every field of the body is checked and
 * applied to the copy, every problem is reported (not just the first), and only when the
 * whole body is valid does the copy replace the original. So a failed request leaves the
 * task exactly as it was, and there is one code path for create, replace and patch: create
 * and replace first reset the editable fields to their defaults, patch does not. */
#include "core/task.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "core/rrule.h"

#define RRULE_MAX 512

void task_init(struct task *t)
{
    memset(t, 0, sizeof *t);
    t->priority = PRIORITY_NONE;
    t->recur_from = RECUR_FROM_DUE;
}

void task_release(struct task *t)
{
    free(t->title);
    free(t->description);
    for (int i = 0; i < t->n_tags; i++)
        free(t->tags[i]);
    free(t->rrule);
    free(t->recurrence_text);
    task_init(t);
}

void task_copy(struct task *dst, const struct task *src)
{
    *dst = *src;
    dst->title = xstrdup(src->title);
    dst->description = xstrdup(src->description);
    for (int i = 0; i < src->n_tags; i++)
        dst->tags[i] = xstrdup(src->tags[i]);
    dst->rrule = xstrdup(src->rrule);
    dst->recurrence_text = xstrdup(src->recurrence_text);
}

void task_set_completed(struct task *t, bool completed, int64_t now_ms)
{
    if (completed && !t->completed) {
        t->has_completed_at = true;
        t->completed_at = now_ms;
    } else if (!completed) {
        t->has_completed_at = false;
        t->completed_at = 0;
    }
    t->completed = completed;
}

static const char *const priority_names[] = {"none", "low", "medium", "high"};
static const char *const state_names[] = {"scheduled", "fired", "delivered", "cancelled"};

int task_priority_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, priority_names[i]) == 0)
            return i;
    return -1;
}

const char *task_priority_name(int priority)
{
    return priority >= 0 && priority < 4 ? priority_names[priority] : "none";
}

const char *reminder_state_name(int state)
{
    return state >= 0 && state < 4 ? state_names[state] : "scheduled";
}

int reminder_state_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, state_names[i]) == 0)
            return i;
    return -1;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int tag_normalize(const char *in, char *out, size_t outsz, const char **why)
{
    const char *start = in, *end = in + strlen(in);
    while (start < end && is_space((unsigned char)*start))
        start++;
    while (end > start && is_space((unsigned char)end[-1]))
        end--;
    size_t len = (size_t)(end - start);
    if (len == 0) {
        *why = "must not be empty";
        return -1;
    }
    if (!utf8_valid(start, len)) {
        *why = "must be valid UTF-8";
        return -1;
    }
    size_t n_chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)start[i];
        if (c == ',') {
            *why = "must not contain commas";
            return -1;
        }
        if (is_space(c) || c < 0x20 || c == 0x7f) {
            *why = "must not contain white space or control characters";
            return -1;
        }
        if ((c & 0xC0) != 0x80)
            n_chars++;
    }
    if (n_chars > TASK_TAG_MAX) {
        *why = "must be at most 50 characters";
        return -1;
    }
    if (len + 1 > outsz) {
        *why = "is too long";
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = start[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[len] = '\0';
    return 0;
}

/* Lower-case of a two-byte code point (Latin-1, Greek, Cyrillic capitals), else cp. */
static unsigned fold_2byte(unsigned cp)
{
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
        (cp >= 0x410 && cp <= 0x42F))
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    return cp;
}

char *task_title_sort_key(const char *title)
{
    if (!title)
        return xstrdup("");
    size_t len = strlen(title);
    char *key = xmalloc(len + 1);
    const unsigned char *p = (const unsigned char *)title;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 'A' && c <= 'Z') {
            key[i] = (char)(c - 'A' + 'a');
            i++;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < len && (p[i + 1] & 0xC0) == 0x80) {
            unsigned cp = fold_2byte(((unsigned)(c & 0x1F) << 6) | (p[i + 1] & 0x3F));
            /* Every folded code point stays in the two-byte range. */
            key[i] = (char)(0xC0 | (cp >> 6));
            key[i + 1] = (char)(0x80 | (cp & 0x3F));
            i += 2;
        } else {
            key[i] = (char)c;
            i++;
        }
    }
    key[len] = '\0';
    return key;
}

/* ---- validation ------------------------------------------------------------------- */

/* The state of one apply: the copy being edited and the error count. */
struct apply {
    struct task nt;
    struct todo_err *err;
    int n_bad;
};

static void bad(struct apply *a, const char *field, const char *msg)
{
    todo_err_field(a->err, field, "%s %s", field, msg);
    a->n_bad++;
}

/* A JSON string's bytes when it is valid UTF-8 without embedded NUL; else NULL and a
 * detail on field. */
static const char *json_text(struct apply *a, json_t *v, const char *field)
{
    if (!json_is_string(v)) {
        bad(a, field, "must be a string");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || !utf8_valid(s, len)) {
        bad(a, field, "must be valid UTF-8 without NUL characters");
        return NULL;
    }
    return s;
}

static void apply_title(struct apply *a, json_t *v)
{
    if (json_is_null(v)) {
        bad(a, "title", "is required");
        return;
    }
    const char *s = json_text(a, v, "title");
    if (!s)
        return;
    const char *end = s + strlen(s);
    while (s < end && is_space((unsigned char)*s))
        s++;
    while (end > s && is_space((unsigned char)end[-1]))
        end--;
    char *title = xstrndup(s, (size_t)(end - s));
    size_t n_chars = utf8_length(title);
    if (n_chars == 0) {
        bad(a, "title", "must not be empty");
        free(title);
        return;
    }
    if (n_chars > TASK_TITLE_MAX) {
        bad(a, "title", "must be at most 500 characters");
        free(title);
        return;
    }
    free(a->nt.title);
    a->nt.title = title;
}

static void apply_description(struct apply *a, json_t *v)
{
    const char *s = "";
    if (!json_is_null(v)) {
        s = json_text(a, v, "description");
        if (!s)
            return;
        if (utf8_length(s) > TASK_DESCRIPTION_MAX) {
            bad(a, "description", "must be at most 10000 characters");
            return;
        }
    }
    free(a->nt.description);
    a->nt.description = xstrdup(s);
}

static void apply_priority(struct apply *a, json_t *v)
{
    if (json_is_null(v)) {
        a->nt.priority = PRIORITY_NONE;
        return;
    }
    if (!json_is_string(v)) {
        bad(a, "priority", "must be one of none, low, medium, high");
        return;
    }
    int p = task_priority_parse(json_string_value(v));
    if (p < 0 || strlen(json_string_value(v)) != json_string_length(v)) {
        bad(a, "priority", "must be one of none, low, medium, high");
        return;
    }
    a->nt.priority = p;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void apply_tags(struct apply *a, json_t *v)
{
    char *tags[TASK_MAX_TAGS];
    int n_tags = 0, n_bad = a->n_bad;
    if (!json_is_null(v)) {
        if (!json_is_array(v)) {
            bad(a, "tags", "must be an array of strings");
            return;
        }
        if (json_array_size(v) > TASK_MAX_TAGS) {
            bad(a, "tags", "must have at most 20 tags");
            return;
        }
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            char field[32], norm[TASK_TAG_MAX * 4 + 1];
            const char *why;
            snprintf(field, sizeof field, "tags[%zu]", i);
            const char *s = json_text(a, item, field);
            if (!s)
                continue;
            if (tag_normalize(s, norm, sizeof norm, &why) != 0) {
                bad(a, field, why);
                continue;
            }
            bool dup = false;
            for (int k = 0; k < n_tags && !dup; k++)
                dup = strcmp(tags[k], norm) == 0;
            if (!dup)
                tags[n_tags++] = xstrdup(norm);
        }
    }
    if (a->n_bad != n_bad) {
        for (int k = 0; k < n_tags; k++)
            free(tags[k]);
        return;
    }
    qsort(tags, (size_t)n_tags, sizeof tags[0], cmp_str);
    for (int k = 0; k < a->nt.n_tags; k++)
        free(a->nt.tags[k]);
    memcpy(a->nt.tags, tags, sizeof tags[0] * (size_t)n_tags);
    a->nt.n_tags = n_tags;
}

static void apply_due(struct apply *a, json_t *v)
{
    if (json_is_null(v)) {
        a->nt.has_due = false;
        a->nt.due_at = 0;
        return;
    }
    int64_t ms;
    if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &ms) != 0 ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        bad(a, "due_at", "is not a valid RFC 3339 time");
        return;
    }
    a->nt.has_due = true;
    a->nt.due_at = ms;
}

/* Keys a client may send back inside a reminder it read; they are ignored. */
static bool reminder_readonly_key(const char *k)
{
    return strcmp(k, "id") == 0 || strcmp(k, "remind_at") == 0 || strcmp(k, "state") == 0;
}

/* One item of reminders (field: "reminders[i]") into *r: {"before": ISO 8601 duration} or
 * {"at": RFC 3339 time}. false, with details, when it is not one of those. */
#define REMINDER_FIELD_MAX 48 /* "reminders[9].before" */

static bool apply_reminder(struct apply *a, json_t *item, char field[REMINDER_FIELD_MAX],
                           struct reminder *r)
{
    if (!json_is_object(item)) {
        bad(a, field, "must be an object with before or at");
        return false;
    }
    json_t *before = NULL, *at = NULL, *val;
    const char *key;
    bool ok = true;
    json_object_foreach(item, key, val)
    {
        if (strcmp(key, "before") == 0) {
            before = val;
        } else if (strcmp(key, "at") == 0) {
            at = val;
        } else if (!reminder_readonly_key(key)) {
            char kf[128];
            snprintf(kf, sizeof kf, "%s.%.40s", field, key);
            todo_err_field(a->err, kf, "unknown field");
            a->n_bad++;
            ok = false;
        }
    }
    if (!ok)
        return false;
    if ((before == NULL) == (at == NULL)) {
        bad(a, field, "must have exactly one of before or at");
        return false;
    }
    *r = (struct reminder){.state = REMINDER_SCHEDULED, .relative = before != NULL};
    json_t *v = before ? before : at;
    size_t len = strlen(field);
    snprintf(field + len, REMINDER_FIELD_MAX - len, "%s", before ? ".before" : ".at");
    bool valid = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
                 (before ? duration_parse_iso8601(json_string_value(v), &r->before_ms)
                         : time_parse_rfc3339(json_string_value(v), &r->remind_at)) == 0;
    if (!valid)
        bad(a, field,
            before ? "is not a valid ISO 8601 duration (weeks to seconds, at most 366 days)"
                   : "is not a valid RFC 3339 time");
    return valid;
}

/* reminders: null (none) or an array of at most TASK_MAX_REMINDERS items; replaces the
 * task's reminders only when every item is valid. */
static void apply_reminders(struct apply *a, json_t *v)
{
    struct reminder rs[TASK_MAX_REMINDERS];
    int n = 0, n_bad = a->n_bad;
    if (!json_is_null(v)) {
        if (!json_is_array(v)) {
            bad(a, "reminders", "must be an array");
            return;
        }
        if (json_array_size(v) > TASK_MAX_REMINDERS) {
            bad(a, "reminders", "must have at most 10 reminders");
            return;
        }
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            char field[REMINDER_FIELD_MAX];
            snprintf(field, sizeof field, "reminders[%zu]", i);
            if (apply_reminder(a, item, field, &rs[n]))
                n++;
        }
    }
    if (a->n_bad != n_bad)
        return;
    assert(n <= TASK_MAX_REMINDERS);
    memcpy(a->nt.reminders, rs, sizeof rs[0] * (size_t)n);
    a->nt.n_reminders = n;
}

static void apply_recurrence(struct apply *a, json_t *v)
{
    if (json_is_null(v)) {
        free(a->nt.rrule);
        a->nt.rrule = NULL;
        a->nt.recur_from = RECUR_FROM_DUE;
        return;
    }
    if (!json_is_object(v)) {
        bad(a, "recurrence", "must be null or an object {rule, from}");
        return;
    }
    json_t *rule = NULL, *from = NULL, *val;
    const char *key;
    int n_bad = a->n_bad;
    json_object_foreach(v, key, val)
    {
        if (strcmp(key, "rule") == 0) {
            rule = val;
        } else if (strcmp(key, "from") == 0) {
            from = val;
        } else if (strcmp(key, "series_id") != 0 && strcmp(key, "text") != 0 &&
                   strcmp(key, "next_due_at") != 0) {
            char kf[128];
            snprintf(kf, sizeof kf, "recurrence.%.40s", key);
            todo_err_field(a->err, kf, "unknown field");
            a->n_bad++;
        }
    }
    int recur_from = RECUR_FROM_DUE;
    if (from && !json_is_null(from)) {
        const char *f = json_is_string(from) ? json_string_value(from) : "";
        if (strcmp(f, "due") == 0 && json_string_length(from) == 3)
            recur_from = RECUR_FROM_DUE;
        else if (strcmp(f, "completion") == 0 && json_string_length(from) == 10)
            recur_from = RECUR_FROM_COMPLETION;
        else
            bad(a, "recurrence.from", "must be due or completion");
    }
    char canon[RRULE_MAX];
    if (!rule) {
        bad(a, "recurrence.rule", "is required");
    } else if (!json_is_string(rule) ||
               strlen(json_string_value(rule)) != json_string_length(rule)) {
        bad(a, "recurrence.rule", "must be a string");
    } else {
        struct todo_err rerr = {0};
        if (rrule_normalize(json_string_value(rule), canon, sizeof canon, &rerr) != 0) {
            const char *msg = rerr.n_details ? rerr.details[0].message : rerr.message;
            todo_err_field(a->err, "recurrence.rule", "%s", msg);
            a->n_bad++;
        }
    }
    if (a->n_bad != n_bad)
        return;
    free(a->nt.rrule);
    a->nt.rrule = xstrdup(canon);
    a->nt.recur_from = recur_from;
}

/* Fields a client may send back from what it read; ignored. */
static bool readonly_key(const char *k)
{
    static const char *const keys[] = {"id",           "version",   "created_at", "updated_at",
                                       "completed_at", "series_id", "user_id"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(k, keys[i]) == 0)
            return true;
    return false;
}

/* Resets the editable fields of t to their defaults (create and replace). */
static void reset_editable(struct task *t)
{
    free(t->title);
    t->title = NULL;
    free(t->description);
    t->description = xstrdup("");
    for (int i = 0; i < t->n_tags; i++)
        free(t->tags[i]);
    t->n_tags = 0;
    t->priority = PRIORITY_NONE;
    t->has_due = false;
    t->due_at = 0;
    t->n_reminders = 0;
    free(t->rrule);
    t->rrule = NULL;
    t->recur_from = RECUR_FROM_DUE;
}

/* The fields of body a task request may give. */
struct given {
    json_t *completed, *status, *reminders; /* applied after the others, or NULL */
    bool due, title;
};

/* Applies each field of body to a->nt, noting the ones applied later in *g. */
static void apply_fields(struct apply *a, json_t *body, struct given *g)
{
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        if (strcmp(key, "title") == 0) {
            apply_title(a, val);
            g->title = true;
        } else if (strcmp(key, "description") == 0) {
            apply_description(a, val);
        } else if (strcmp(key, "completed") == 0) {
            g->completed = val;
        } else if (strcmp(key, "status") == 0) {
            g->status = val;
        } else if (strcmp(key, "priority") == 0) {
            apply_priority(a, val);
        } else if (strcmp(key, "tags") == 0) {
            apply_tags(a, val);
        } else if (strcmp(key, "due_at") == 0) {
            apply_due(a, val);
            g->due = true;
        } else if (strcmp(key, "reminders") == 0) {
            g->reminders = val;
        } else if (strcmp(key, "recurrence") == 0) {
            apply_recurrence(a, val);
        } else if (!readonly_key(key)) {
            char field[64];
            snprintf(field, sizeof field, "%.60s", key);
            todo_err_field(a->err, field, "unknown field");
            a->n_bad++;
        }
    }
}

/* Whether the task ends up completed: completed and status are the same fact, and must
 * agree when both are given; neither keeps was (a patch) or pending. */
static bool apply_completion(struct apply *a, const struct given *g, bool was)
{
    int c_val = -1, s_val = -1;
    if (g->completed) {
        if (json_is_boolean(g->completed))
            c_val = json_is_true(g->completed);
        else
            bad(a, "completed", "must be a boolean");
    }
    if (g->status) {
        const char *s = json_is_string(g->status) ? json_string_value(g->status) : "";
        if (strcmp(s, "pending") == 0 && json_string_length(g->status) == 7)
            s_val = 0;
        else if (strcmp(s, "completed") == 0 && json_string_length(g->status) == 9)
            s_val = 1;
        else
            bad(a, "status", "must be pending or completed");
    }
    if (c_val >= 0 && s_val >= 0 && c_val != s_val)
        bad(a, "status", "disagrees with completed");
    return c_val >= 0 ? c_val : s_val >= 0 ? s_val : was;
}

/* Without a due time, no reminder may be relative to it and the task may not recur from it. */
static void check_due_needed(struct apply *a, const struct given *g, enum task_apply_mode mode)
{
    if (a->nt.has_due)
        return;
    bool relative = false;
    for (int i = 0; i < a->nt.n_reminders; i++)
        relative |= a->nt.reminders[i].relative;
    if (relative && g->reminders) {
        for (int i = 0; i < a->nt.n_reminders; i++) {
            if (!a->nt.reminders[i].relative)
                continue;
            char field[48];
            snprintf(field, sizeof field, "reminders[%d].before", i);
            bad(a, field, "needs due_at");
        }
    } else if (relative) {
        bad(a, "due_at", "cannot be cleared while reminders are relative to it");
    }
    if (a->nt.rrule && a->nt.recur_from == RECUR_FROM_DUE) {
        if (g->due && mode == TASK_APPLY_PATCH)
            bad(a, "due_at", "cannot be cleared while the task recurs from its due date");
        else
            bad(a, "recurrence.from", "due needs due_at");
    }
}

/* Relative reminders follow the due time; a moved one is due again, unless the user
 * cancelled it or the request set the reminders itself. */
static void move_relative_reminders(struct task *t, bool reminders_given)
{
    for (int i = 0; i < t->n_reminders; i++) {
        struct reminder *r = &t->reminders[i];
        if (!r->relative)
            continue;
        assert(t->has_due);
        int64_t at = t->due_at - r->before_ms;
        if (at != r->remind_at && r->state != REMINDER_CANCELLED && !reminders_given)
            r->state = REMINDER_SCHEDULED;
        r->remind_at = at;
    }
}

int task_apply_json(struct task *t, json_t *body, enum task_apply_mode mode, int64_t now_ms,
                    struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    struct apply a = {.err = err};
    task_copy(&a.nt, t);
    if (mode != TASK_APPLY_PATCH)
        reset_editable(&a.nt);
    if (!a.nt.description)
        a.nt.description = xstrdup("");
    struct given g = {0};
    apply_fields(&a, body, &g);
    if (g.reminders)
        apply_reminders(&a, g.reminders);
    if (!a.nt.title && !g.title)
        bad(&a, "title", "is required");
    bool done = apply_completion(&a, &g, mode == TASK_APPLY_PATCH ? t->completed : false);
    if (a.n_bad == 0)
        check_due_needed(&a, &g, mode);
    if (a.n_bad > 0) {
        task_release(&a.nt);
        return TODO_ERR_VALIDATION;
    }
    move_relative_reminders(&a.nt, g.reminders != NULL);
    if (done != a.nt.completed)
        task_set_completed(&a.nt, done, now_ms);
    task_release(t);
    *t = a.nt;
    return TODO_OK;
}

/* ---- reminders: scheduling state across a write -------------------------------------- */

static bool reminder_same(const struct reminder *a, const struct reminder *b)
{
    return a->relative == b->relative && a->remind_at == b->remind_at &&
           (!a->relative || a->before_ms == b->before_ms);
}

/* Gives r the id and state of an unclaimed stored reminder equal to it, if any. */
static void reminder_match(const struct task *before, bool *taken, struct reminder *r)
{
    for (int i = 0; i < before->n_reminders; i++) {
        if (taken[i] || !reminder_same(&before->reminders[i], r))
            continue;
        taken[i] = true;
        r->id = before->reminders[i].id;
        r->state = before->reminders[i].state;
        return;
    }
}

int64_t task_reminders_reconcile(const struct task *before, struct task *after, int64_t now_ms)
{
    assert(after && after->n_reminders <= TASK_MAX_REMINDERS);
    bool taken[TASK_MAX_REMINDERS] = {false};
    if (before) /* ids kept by the write are not up for matching */
        for (int i = 0; i < after->n_reminders; i++)
            for (int k = 0; k < before->n_reminders; k++)
                if (after->reminders[i].id && after->reminders[i].id == before->reminders[k].id)
                    taken[k] = true;
    int64_t earliest = INT64_MAX;
    for (int i = 0; i < after->n_reminders; i++) {
        struct reminder *r = &after->reminders[i];
        if (before && r->id == 0)
            reminder_match(before, taken, r);
        if (after->completed && r->state == REMINDER_SCHEDULED)
            r->state = REMINDER_CANCELLED;
        else if (!after->completed && r->state == REMINDER_CANCELLED && r->remind_at > now_ms)
            r->state = REMINDER_SCHEDULED;
        if (r->state == REMINDER_SCHEDULED && r->remind_at < earliest)
            earliest = r->remind_at;
    }
    return earliest;
}

/* ---- JSON form -------------------------------------------------------------------- */

/* Adds key: time, or null. json_object_set_new steals the new value's reference. */
/* ,"key":"<time>" or ,"key":null */
static void put_time(struct buf *b, const char *key, bool has, int64_t ms)
{
    buf_puts(b, key);
    if (!has) {
        buf_puts(b, "null");
        return;
    }
    char text[TIME_RFC3339_MAX];
    size_t n = time_format_rfc3339(ms, text);
    buf_putc(b, '"');
    buf_append(b, text, n);
    buf_putc(b, '"');
}

/* The one serializer of a task: written straight into a buffer, since a page of tasks is
 * the hottest output of the service (building jansson objects first cost ~45% of a list
 * request). task_to_json parses this text, so both forms cannot drift. */
void task_json_write(struct buf *b, const struct task *t)
{
    buf_puts(b, "{\"id\":");
    buf_put_i64(b, t->id);
    buf_puts(b, ",\"title\":");
    buf_json_str(b, t->title ? t->title : "");
    buf_puts(b, ",\"description\":");
    buf_json_str(b, t->description ? t->description : "");
    buf_puts(b, t->completed ? ",\"completed\":true,\"status\":\"completed\""
                             : ",\"completed\":false,\"status\":\"pending\"");
    buf_puts(b, ",\"priority\":\"");
    buf_puts(b, task_priority_name(t->priority));
    buf_puts(b, "\",\"tags\":[");
    for (int i = 0; i < t->n_tags; i++) {
        if (i)
            buf_putc(b, ',');
        buf_json_str(b, t->tags[i]);
    }
    buf_putc(b, ']');
    put_time(b, ",\"due_at\":", t->has_due, t->due_at);
    buf_puts(b, ",\"reminders\":[");
    for (int i = 0; i < t->n_reminders; i++) {
        const struct reminder *r = &t->reminders[i];
        buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        buf_put_i64(b, r->id);
        if (r->relative) {
            char dur[64];
            duration_format_iso8601(r->before_ms, dur, sizeof dur);
            buf_puts(b, ",\"before\":\"");
            buf_puts(b, dur);
            buf_putc(b, '"');
        } else {
            put_time(b, ",\"at\":", true, r->remind_at);
        }
        put_time(b, ",\"remind_at\":", true, r->remind_at);
        buf_puts(b, ",\"state\":\"");
        buf_puts(b, reminder_state_name(r->state));
        buf_puts(b, "\"}");
    }
    buf_putc(b, ']');
    if (t->rrule) {
        buf_puts(b, ",\"recurrence\":{\"rule\":");
        buf_json_str(b, t->rrule);
        buf_puts(b, t->recur_from == RECUR_FROM_COMPLETION ? ",\"from\":\"completion\""
                                                           : ",\"from\":\"due\"");
        buf_puts(b, ",\"series_id\":");
        buf_put_i64(b, t->series_id);
        if (t->recurrence_text) {
            buf_puts(b, ",\"text\":");
            buf_json_str(b, t->recurrence_text);
        }
        if (t->recurrence_next)
            put_time(b, ",\"next_due_at\":", true, t->recurrence_next);
        buf_putc(b, '}');
    } else {
        buf_puts(b, ",\"recurrence\":null");
    }
    put_time(b, ",\"completed_at\":", t->has_completed_at, t->completed_at);
    put_time(b, ",\"created_at\":", true, t->created_at);
    put_time(b, ",\"updated_at\":", true, t->updated_at);
    buf_puts(b, ",\"version\":");
    buf_put_i64(b, t->version);
    buf_putc(b, '}');
}

json_t *task_to_json(const struct task *t)
{
    struct buf b;
    buf_init(&b);
    task_json_write(&b, t);
    json_t *o = json_loadb(b.data, b.len, 0, NULL);
    buf_release(&b);
    if (!o)
        abort(); /* the serializer above produced invalid JSON: a bug, never input */
    return o;
}
