/* query.h - the task list query: filters, multi-key sort and keyset cursors, parsed from
 * the query string of GET /api/{user_id}/tasks. Backends read the struct; they never see
 * query text. Unknown values are refused (400), never ignored. */
#ifndef TODO_CORE_QUERY_H
#define TODO_CORE_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "core/task.h"

#define QUERY_MAX_WORDS     16
#define QUERY_MAX_SORT      5
#define QUERY_LIMIT_DEFAULT 50
#define QUERY_LIMIT_MAX     200

enum sort_key { SORT_DUE_AT, SORT_PRIORITY, SORT_CREATED_AT, SORT_UPDATED_AT, SORT_TITLE };

struct sort_term {
    int key; /* enum sort_key */
    bool desc;
};

enum query_status { QSTATUS_ALL = 0, QSTATUS_PENDING, QSTATUS_COMPLETED };
enum query_due {
    QDUE_UNSET = 0,
    QDUE_OVERDUE,
    QDUE_TODAY,
    QDUE_TOMORROW,
    QDUE_WEEK,
    QDUE_NONE,
    QDUE_ANY
};

/* One sort value of the last row of a page. */
struct cursor_value {
    bool is_text;
    int64_t num;
    char *text; /* owned, when is_text */
};

struct task_query {
    int n_words;                  /* full-text words, ANDed, each a prefix */
    char *words[QUERY_MAX_WORDS]; /* owned; letters, digits and non-ASCII bytes only */
    int status;                   /* enum query_status */
    unsigned priority_mask;       /* bit (1 << priority); 0 = any */
    int n_tags;                   /* the task has all of them */
    char *tags[TASK_MAX_TAGS];    /* owned, normalised */
    int due;                      /* enum query_due */
    /* Resolved bounds, after query_resolve_due (and due_before/due_after): */
    bool has_due_from, has_due_to;
    int64_t due_from; /* inclusive */
    int64_t due_to;   /* exclusive */
    bool due_null;    /* due=none */
    bool due_not_null;
    int recurring; /* -1 any, 0 no, 1 yes */
    int n_sort;    /* at least 1 after parsing */
    struct sort_term sort[QUERY_MAX_SORT];
    int limit;
    bool has_cursor; /* keyset: rows strictly after (values, id) in sort order */
    struct cursor_value after[QUERY_MAX_SORT];
    int64_t after_id;
};

typedef const char *(*query_param_fn)(void *ctx, const char *name);

/* Parses the list query. get(ctx, name) returns a parameter's value or NULL. Unknown
 * parameter values, bad times, bad cursors (including one made for another sort) give
 * TODO_ERR_BAD_REQUEST with a detail naming the parameter. */
int query_parse(struct task_query *q, query_param_fn get, void *ctx, struct todo_err *err);
/* Turns q->due (today, overdue, ...) into bounds in the user's zone, given now. Also
 * sets status = pending for overdue. Returns 0 or -1 (unknown zone). */
int query_resolve_due(struct task_query *q, const char *tz, int64_t now_ms);
void query_release(struct task_query *q);

/* The sort value of t for key k when sorting in direction desc: due_at without a date is
 * INT64_MAX ascending and INT64_MIN descending (so it sorts last either way); priority is
 * 0..3; title is task_title_sort_key. Backends sort by exactly these values. */
void query_sort_value(const struct task *t, int key, bool desc, struct cursor_value *out);
/* The opaque cursor that continues after t. Caller frees. */
char *query_cursor_encode(const struct task_query *q, const struct task *t);

#endif
