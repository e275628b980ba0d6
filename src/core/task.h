/* task.h - the task model: the struct every layer passes around, its validation from JSON
 * (create, replace, patch), and its JSON form. Validation lives here, never in a handler.
 * Functions are thread-safe; a struct task is owned by one thread at a time. */
#ifndef TODO_CORE_TASK_H
#define TODO_CORE_TASK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define TASK_TITLE_MAX       500   /* characters, after trimming */
#define TASK_DESCRIPTION_MAX 10000 /* characters */
#define TASK_MAX_TAGS        20
#define TASK_TAG_MAX         50 /* characters */
#define TASK_MAX_REMINDERS   10
#define TASK_USER_ID_MAX     40

enum task_priority { PRIORITY_NONE = 0, PRIORITY_LOW, PRIORITY_MEDIUM, PRIORITY_HIGH };

enum reminder_state {
    REMINDER_SCHEDULED = 0,
    REMINDER_FIRED,
    REMINDER_DELIVERED,
    REMINDER_CANCELLED
};

struct reminder {
    int64_t id;        /* 0 until stored */
    bool relative;     /* true: before_ms before due_at; false: absolute at remind_at */
    int64_t before_ms; /* when relative */
    int64_t remind_at; /* ms; computed from due_at when relative */
    int state;         /* enum reminder_state */
};

enum recur_from { RECUR_FROM_DUE = 0, RECUR_FROM_COMPLETION = 1 };

struct task {
    int64_t id; /* 0 until stored */
    char user_id[TASK_USER_ID_MAX];
    char *title;       /* owned; never NULL once valid */
    char *description; /* owned; never NULL once valid ("" by default) */
    bool completed;
    int priority; /* enum task_priority */
    int n_tags;
    char *tags[TASK_MAX_TAGS]; /* owned; normalised: trimmed, lower-case, sorted, unique */
    bool has_due;
    int64_t due_at; /* ms, when has_due */
    int n_reminders;
    struct reminder reminders[TASK_MAX_REMINDERS];
    char *rrule;           /* owned canonical RFC 5545 RRULE, or NULL: not recurring */
    int recur_from;        /* enum recur_from, when rrule */
    int64_t series_id;     /* first task of the series; 0 when not recurring */
    int64_t series_start;  /* the series' first due time (COUNT and UNTIL count from it); 0 unset */
    char *recurrence_text; /* owned; the rule in words, for display only (never stored) */
    int64_t recurrence_next; /* display only: the occurrence after this one; 0 unknown/none */
    bool has_completed_at;
    int64_t completed_at;
    int64_t created_at;
    int64_t updated_at;
    int64_t version;
};

/* Zeroes t (defaults: priority none, empty description set lazily). */
void task_init(struct task *t);
/* Frees what t owns and re-initialises it. Accepts an initialised, empty task. */
void task_release(struct task *t);
/* Deep copy of src into dst (dst is overwritten, not released). */
void task_copy(struct task *dst, const struct task *src);

enum task_apply_mode {
    TASK_APPLY_CREATE,  /* body is a new task: absent fields take defaults; title required */
    TASK_APPLY_REPLACE, /* PUT: every editable field from body, absent ones to defaults */
    TASK_APPLY_PATCH,   /* only the fields present; null clears */
};

/* Applies a JSON object to t after validating every field. On success t holds the new
 * values (completed/completed_at updated with now_ms), reminders' remind_at recomputed, and
 * 0 is returned. On failure t is unchanged and err says which fields (TODO_ERR_VALIDATION)
 * or that the body is not an object (TODO_ERR_BAD_REQUEST). Unknown fields are refused;
 * read-only fields (id, version, created_at, updated_at, completed_at, series_id) are
 * ignored so a client may send back what it read. */
int task_apply_json(struct task *t, json_t *body, enum task_apply_mode mode, int64_t now_ms,
                    struct todo_err *err);

/* Reconciles the reminders of a task being written (after) with what was stored (before;
 * NULL for a new task), so a write schedules, moves or cancels them
 * (docs/decisions/0029-reminder-scheduling.md): a reminder sent back unchanged without its id
 * (same kind, offset and time as a stored one) keeps that one's id and state, so it never
 * fires twice; a completed task's scheduled reminders are cancelled; a reopened task's
 * cancelled reminders still ahead of now_ms are scheduled again. Returns the earliest
 * remind_at of the reminders left scheduled, or INT64_MAX when none is. */
int64_t task_reminders_reconcile(const struct task *before, struct task *after, int64_t now_ms);

/* Sets completion (and completed_at) as of now_ms. */
void task_set_completed(struct task *t, bool completed, int64_t now_ms);

struct buf;
/* Appends the task's JSON form (docs/openapi.json, Task), compact, to b. */
void task_json_write(struct buf *b, const struct task *t);
/* The same as a jansson value. New reference, caller owns it. */
json_t *task_to_json(const struct task *t);

/* "none" | "low" | "medium" | "high"; -1 when unknown. */
int task_priority_parse(const char *s);
const char *task_priority_name(int priority);
const char *reminder_state_name(int state);
/* -1 when unknown */
int reminder_state_parse(const char *s);

/* Normalises one tag into out (trimmed, lower-case ASCII, at most TASK_TAG_MAX characters,
 * no commas or white space, valid UTF-8). Returns 0 or -1 with a reason in *why. */
int tag_normalize(const char *in, char *out, size_t outsz, const char **why);

/* Lower-cased copy of a title used for case-insensitive sorting by both backends
 * (byte comparison). Caller frees. */
char *task_title_sort_key(const char *title);

#endif
