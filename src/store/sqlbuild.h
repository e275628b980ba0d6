/* sqlbuild.h - builds the SQL both backends run for dynamic statements (the task list query
 * and IN lists), so the sqlite and postgres backends cannot drift: placeholder style ('?' or
 * '$n') and the full-text clause are the only dialect differences. Every value a caller
 * gives becomes a bound parameter; the SQL text holds only constants written here.
 * Not thread-safe per builder; builders are cheap and local. */
#ifndef TODO_STORE_SQLBUILD_H
#define TODO_STORE_SQLBUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "core/query.h"

enum sqlb_dialect { SQLB_SQLITE, SQLB_PG };

enum sqlb_type { SQLB_NULL, SQLB_INT, SQLB_TEXT, SQLB_BOOL };

/* One bound parameter. text is borrowed unless owned is set (then the builder frees it). */
struct sqlb_value {
    int type; /* enum sqlb_type */
    int64_t num;
    const char *text;
    bool owned;
};

struct sqlb {
    int dialect;
    struct buf sql;
    int n_params;
    int cap_params;
    struct sqlb_value *params;
};

/* The columns of a task row, in the order store code reads them (table alias t). */
#define SQLB_TASK_COLUMNS                                                                          \
    "t.id, t.user_id, t.title, t.description, t.completed, t.priority, t.due_at, t.rrule, "        \
    "t.recur_from, t.series_id, t.completed_at, t.created_at, t.updated_at, t.version, "           \
    "t.tags_text, t.n_reminders, t.series_start"

enum sqlb_task_col {
    SQLB_COL_ID,
    SQLB_COL_USER_ID,
    SQLB_COL_TITLE,
    SQLB_COL_DESCRIPTION,
    SQLB_COL_COMPLETED,
    SQLB_COL_PRIORITY,
    SQLB_COL_DUE_AT,
    SQLB_COL_RRULE,
    SQLB_COL_RECUR_FROM,
    SQLB_COL_SERIES_ID,
    SQLB_COL_COMPLETED_AT,
    SQLB_COL_CREATED_AT,
    SQLB_COL_UPDATED_AT,
    SQLB_COL_VERSION,
    SQLB_COL_TAGS_TEXT,   /* the tags, sorted, joined by single spaces */
    SQLB_COL_N_REMINDERS, /* 0: the task has no reminders (no need to query them) */
    SQLB_COL_SERIES_START,
    SQLB_N_TASK_COLS
};

void sqlb_init(struct sqlb *b, int dialect);
void sqlb_release(struct sqlb *b);
/* Appends constant SQL text (never data). */
void sqlb_sql(struct sqlb *b, const char *text);
/* Append a placeholder bound to a value. sqlb_text borrows s; sqlb_text_take steals it. */
void sqlb_int(struct sqlb *b, int64_t v);
void sqlb_bool(struct sqlb *b, bool v);
void sqlb_text(struct sqlb *b, const char *s);
void sqlb_text_take(struct sqlb *b, char *s);
/* Appends "(?, ?, ...)" with one integer parameter per id. */
void sqlb_int_list(struct sqlb *b, const int64_t *ids, int n);

/* How sqlite runs a full-text list (docs/decisions/0025-reads-in-index-order.md, 0027): walk
 * the sort's index testing each row with todo_words (src/store/fts_words.h; many matches), or
 * look the matches up by rowid and sort them (at most SQLB_FEW_MATCHES, counted by
 * sqlb_fts_probe, or a walk that ran out of its budget). Postgres' planner chooses by itself
 * from its statistics. */
enum sqlb_words_plan { SQLB_WORDS_WALK_INDEX, SQLB_WORDS_FROM_MATCHES };
#define SQLB_FEW_MATCHES 200

/* The task list query for user_id: filters, sort, keyset cursor, LIMIT q->limit + 1; plan
 * (enum sqlb_words_plan) matters only on sqlite with words. Returns 0, or
 * TODO_ERR_BAD_REQUEST when a cursor value does not fit its sort key. */
int sqlb_task_list(struct sqlb *b, const char *user_id, const struct task_query *q, int plan);
/* sqlite: SELECT a bound of the number of FTS5 matches of q's words (all users'), counted up
 * to SQLB_FEW_MATCHES + 1: for each word, the occurrences of the terms its first token starts
 * (the fts5vocab table temp.tasks_fts_terms, whose scan stops at the cap, where a prefix MATCH
 * merges every matching doclist first); the least of the words. q->n_words > 0. */
void sqlb_fts_probe(struct sqlb *b, const struct task_query *q);
/* SELECT count(*) of the tasks the list query for user_id would return over all its pages:
 * the same filters (one WHERE builder for both); sort, cursor and limit are not used. */
void sqlb_task_count(struct sqlb *b, const char *user_id, const struct task_query *q);
/* The clamped page size used by sqlb_task_list. */
int sqlb_page_limit(const struct task_query *q);

/* The full-text match value for words (bound as a parameter): FTS5 '"w1"* AND "w2"*' or
 * tsquery ''w1':* & 'w2':*'. Caller frees. (The list query gives postgres one word per
 * tsquery, so a word without a lexeme matches nothing on both backends.) */
char *sqlb_fts_match(int dialect, char *const *words, int n_words);
/* Rewrites '?' placeholders as $1, $2, ... (for static statements written once for both
 * dialects; they hold no string literal with a '?'). Caller frees. */
char *sqlb_pg_placeholders(const char *sql);

#endif
