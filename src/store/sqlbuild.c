/* sqlbuild.c - one SQL builder for both backends. The idea: SQL text is assembled only from
 * constants in this file; every value (user id, words, tags, bounds, cursor values) goes
 * through sqlb_* as a bound parameter, and the placeholder is the only thing that changes
 * with the dialect ('?' for sqlite, '$n' for postgres). The sort expressions produce exactly
 * query_sort_value's values, so keyset cursors made from a task row continue correctly. The
 * list and the count share one WHERE clause (add_filters), so they always agree. */
#include "store/sqlbuild.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xalloc.h"

void sqlb_init(struct sqlb *b, int dialect)
{
    b->dialect = dialect;
    buf_init(&b->sql);
    b->n_params = 0;
    b->cap_params = 0;
    b->params = NULL;
}

void sqlb_release(struct sqlb *b)
{
    for (int i = 0; i < b->n_params; i++)
        if (b->params[i].owned)
            free((char *)b->params[i].text);
    free(b->params);
    buf_release(&b->sql);
    b->params = NULL;
    b->n_params = b->cap_params = 0;
}

void sqlb_sql(struct sqlb *b, const char *text)
{
    buf_puts(&b->sql, text);
}

static void add_param(struct sqlb *b, struct sqlb_value v)
{
    if (b->n_params == b->cap_params) {
        b->cap_params = b->cap_params ? b->cap_params * 2 : 16;
        b->params = xrealloc(b->params, (size_t)b->cap_params * sizeof *b->params);
    }
    b->params[b->n_params++] = v;
    if (b->dialect == SQLB_PG) {
        buf_putc(&b->sql, '$');
        buf_put_i64(&b->sql, b->n_params);
    } else
        buf_putc(&b->sql, '?');
}

void sqlb_int(struct sqlb *b, int64_t v)
{
    add_param(b, (struct sqlb_value){.type = SQLB_INT, .num = v});
}

void sqlb_bool(struct sqlb *b, bool v)
{
    add_param(b, (struct sqlb_value){.type = SQLB_BOOL, .num = v ? 1 : 0});
}

void sqlb_text(struct sqlb *b, const char *s)
{
    add_param(b, (struct sqlb_value){.type = s ? SQLB_TEXT : SQLB_NULL, .text = s});
}

void sqlb_text_take(struct sqlb *b, char *s)
{
    add_param(b, (struct sqlb_value){.type = s ? SQLB_TEXT : SQLB_NULL, .text = s, .owned = true});
}

void sqlb_int_list(struct sqlb *b, const int64_t *ids, int n)
{
    sqlb_sql(b, "(");
    for (int i = 0; i < n; i++) {
        if (i)
            sqlb_sql(b, ", ");
        sqlb_int(b, ids[i]);
    }
    sqlb_sql(b, ")");
}

char *sqlb_fts_match(int dialect, char *const *words, int n_words)
{
    struct buf out;
    buf_init(&out);
    for (int i = 0; i < n_words; i++) {
        const char *w = words[i];
        if (dialect == SQLB_PG) {
            /* A quoted lexeme with a prefix flag; quotes and backslashes doubled/escaped
             * even though core/query.c admits neither. */
            buf_puts(&out, i ? " & '" : "'");
            for (const char *p = w; *p; p++) {
                if (*p == '\'' || *p == '\\')
                    buf_putc(&out, *p == '\'' ? '\'' : '\\');
                buf_putc(&out, *p);
            }
            buf_puts(&out, "':*");
        } else {
            /* An FTS5 string with a prefix flag; '"' doubled. */
            buf_puts(&out, i ? " AND \"" : "\"");
            for (const char *p = w; *p; p++) {
                if (*p == '"')
                    buf_putc(&out, '"');
                buf_putc(&out, *p);
            }
            buf_puts(&out, "\"*");
        }
    }
    return buf_take(&out);
}

char *sqlb_pg_placeholders(const char *sql)
{
    struct buf out;
    int n = 0;
    buf_init(&out);
    for (const char *p = sql; *p; p++) {
        if (*p == '?') {
            buf_putc(&out, '$');
            buf_put_i64(&out, ++n);
        } else
            buf_putc(&out, *p);
    }
    return buf_take(&out);
}

int sqlb_page_limit(const struct task_query *q)
{
    if (q->limit < 1)
        return QUERY_LIMIT_DEFAULT;
    if (q->limit > QUERY_LIMIT_MAX)
        return QUERY_LIMIT_MAX;
    return q->limit;
}

/* The SQL expression whose value is query_sort_value(t, key, desc). */
static const char *sort_expr(int key, bool desc)
{
    switch (key) {
    case SORT_DUE_AT:
        /* No due date sorts last either way: INT64_MAX ascending, INT64_MIN descending
         * (written as an expression so both engines keep it a 64-bit integer). */
        return desc ? "COALESCE(t.due_at, -9223372036854775807 - 1)"
                    : "COALESCE(t.due_at, 9223372036854775807)";
    case SORT_PRIORITY:
        return "t.priority";
    case SORT_CREATED_AT:
        return "t.created_at";
    case SORT_UPDATED_AT:
        return "t.updated_at";
    case SORT_TITLE:
        return "t.title_sort";
    default:
        return NULL;
    }
}

static void add_cursor_value(struct sqlb *b, const struct cursor_value *v)
{
    if (v->is_text)
        sqlb_text(b, v->text ? v->text : "");
    else
        sqlb_int(b, v->num);
}

/* (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ... OR (k1 = v1 AND ... AND id > after_id), with
 * '<' for descending terms; the id compares in the first term's direction. */
static void add_keyset(struct sqlb *b, const struct task_query *q)
{
    bool id_desc = q->sort[0].desc;
    sqlb_sql(b, " AND (");
    for (int i = 0; i <= q->n_sort; i++) {
        if (i)
            sqlb_sql(b, " OR ");
        sqlb_sql(b, "(");
        for (int j = 0; j < i; j++) {
            sqlb_sql(b, sort_expr(q->sort[j].key, q->sort[j].desc));
            sqlb_sql(b, " = ");
            add_cursor_value(b, &q->after[j]);
            sqlb_sql(b, " AND ");
        }
        if (i < q->n_sort) {
            sqlb_sql(b, sort_expr(q->sort[i].key, q->sort[i].desc));
            sqlb_sql(b, q->sort[i].desc ? " < " : " > ");
            add_cursor_value(b, &q->after[i]);
        } else {
            sqlb_sql(b, id_desc ? "t.id < " : "t.id > ");
            sqlb_int(b, q->after_id);
        }
        sqlb_sql(b, ")");
    }
    sqlb_sql(b, ")");
}

/* The task carries every tag asked for. One tag (the usual case) is a plain semi-join,
 * which lets both planners walk the list's sort index and probe task_tags per row;
 * several need the GROUP BY ... HAVING count. */
static void add_tags_filter(struct sqlb *b, const char *user_id, const struct task_query *q)
{
    const char *unique[TASK_MAX_TAGS];
    int n_unique = 0;
    for (int i = 0; i < q->n_tags; i++) {
        bool dup = false;
        for (int j = 0; j < n_unique && !dup; j++)
            dup = strcmp(q->tags[i], unique[j]) == 0;
        if (!dup)
            unique[n_unique++] = q->tags[i];
    }
    sqlb_sql(b, " AND t.id IN (SELECT task_id FROM task_tags WHERE user_id = ");
    sqlb_text(b, user_id);
    if (n_unique == 1) {
        sqlb_sql(b, " AND tag = ");
        sqlb_text(b, unique[0]);
        sqlb_sql(b, ")");
        return;
    }
    sqlb_sql(b, " AND tag IN (");
    for (int i = 0; i < n_unique; i++) {
        if (i)
            sqlb_sql(b, ", ");
        sqlb_text(b, unique[i]);
    }
    sqlb_sql(b, ") GROUP BY task_id HAVING count(*) = ");
    sqlb_int(b, n_unique);
    sqlb_sql(b, ")");
}

/* Which statement the WHERE clause is for: the count, or the list run one way or the other
 * on sqlite (enum sqlb_words_plan). */
enum filters_for { FOR_COUNT = -1 };

/* The words' full-text condition. On sqlite, a list with many matches walks the sort's index
 * and tests each row with todo_words (src/store/fts_words.c: FTS5's own tokenizer, the same
 * answer as MATCH), stopping at the page's end: a page costs about limit / selectivity rows,
 * not the set of every user's matches (tasks_fts has no user column). With few matches
 * "+t.user_id" keeps the planner on the FTS5 matches: looked up by rowid, at most a few hundred
 * sorted (docs/decisions/0025-reads-in-index-order.md, 0027-search-walk-with-fts5-tokenizer.md). */
static void add_words_filter(struct sqlb *b, const struct task_query *q, int plan)
{
    if (b->dialect == SQLB_PG) {
        /* One tsquery per word: a word without a lexeme (only punctuation) then matches
         * nothing, as in FTS5, instead of being dropped from a joined tsquery. */
        for (int i = 0; i < q->n_words; i++) {
            sqlb_sql(b, " AND t.search @@ to_tsquery('simple', ");
            sqlb_text_take(b, sqlb_fts_match(b->dialect, &q->words[i], 1));
            sqlb_sql(b, ")");
        }
        return;
    }
    if (plan == SQLB_WORDS_WALK_INDEX) {
        sqlb_sql(b, " AND todo_words(t.title, t.description, t.tags_text");
        for (int i = 0; i < q->n_words; i++) {
            sqlb_sql(b, ", ");
            sqlb_text_take(b, xstrdup(q->words[i])); /* b may outlive q */
        }
        sqlb_sql(b, ")");
        return;
    }
    sqlb_sql(b, " AND t.id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ");
    sqlb_text_take(b, sqlb_fts_match(b->dialect, q->words, q->n_words));
    sqlb_sql(b, ")");
}

void sqlb_fts_probe(struct sqlb *b, const struct task_query *q)
{
    assert(b->dialect == SQLB_SQLITE && q->n_words > 0);
    sqlb_sql(b, "SELECT min(n) FROM (");
    for (int i = 0; i < q->n_words; i++) {
        sqlb_sql(b, i ? " UNION ALL SELECT (" : "SELECT (");
        sqlb_sql(b, "SELECT count(*) FROM (SELECT 1 FROM temp.tasks_fts_terms"
                    " WHERE term >= todo_words_term(");
        sqlb_text(b, q->words[i]);
        sqlb_sql(b, ", 0) AND term <= todo_words_term(");
        sqlb_text(b, q->words[i]);
        sqlb_sql(b, ", 1) LIMIT ");
        sqlb_int(b, SQLB_FEW_MATCHES + 1);
        sqlb_sql(b, ")) AS n");
    }
    sqlb_sql(b, ")");
}

static void add_filters(struct sqlb *b, const char *user_id, const struct task_query *q, int plan)
{
    bool from_matches =
        b->dialect == SQLB_SQLITE && q->n_words > 0 && plan == SQLB_WORDS_FROM_MATCHES;
    sqlb_sql(b, from_matches ? " WHERE +t.user_id = " : " WHERE t.user_id = ");
    sqlb_text(b, user_id);
    if (q->n_words > 0)
        add_words_filter(b, q, plan);
    if (q->status == QSTATUS_PENDING || q->status == QSTATUS_COMPLETED) {
        sqlb_sql(b, " AND t.completed = ");
        sqlb_bool(b, q->status == QSTATUS_COMPLETED);
    }
    if (q->priority_mask != 0) {
        int n = 0;
        sqlb_sql(b, " AND t.priority IN (");
        for (int p = PRIORITY_NONE; p <= PRIORITY_HIGH; p++) {
            if (!(q->priority_mask & (1u << p)))
                continue;
            if (n++)
                sqlb_sql(b, ", ");
            sqlb_int(b, p);
        }
        if (n == 0)
            sqlb_sql(b, "NULL"); /* no valid priority asked for: nothing matches */
        sqlb_sql(b, ")");
    }
    if (q->n_tags > 0)
        add_tags_filter(b, user_id, q);
    if (q->has_due_from) {
        sqlb_sql(b, " AND t.due_at >= ");
        sqlb_int(b, q->due_from);
    }
    if (q->has_due_to) {
        sqlb_sql(b, " AND t.due_at < ");
        sqlb_int(b, q->due_to);
    }
    if (q->due_null)
        sqlb_sql(b, " AND t.due_at IS NULL");
    if (q->due_not_null)
        sqlb_sql(b, " AND t.due_at IS NOT NULL");
    if (q->recurring == 1)
        sqlb_sql(b, " AND t.rrule IS NOT NULL");
    else if (q->recurring == 0)
        sqlb_sql(b, " AND t.rrule IS NULL");
}

void sqlb_task_count(struct sqlb *b, const char *user_id, const struct task_query *q)
{
    sqlb_sql(b, "SELECT count(*) FROM tasks t");
    add_filters(b, user_id, q, FOR_COUNT);
}

int sqlb_task_list(struct sqlb *b, const char *user_id, const struct task_query *q, int plan)
{
    struct sort_term def = {.key = SORT_CREATED_AT, .desc = true};
    const struct sort_term *sort = q->n_sort > 0 ? q->sort : &def;
    int n_sort = q->n_sort > 0 ? q->n_sort : 1;

    if (n_sort > QUERY_MAX_SORT)
        return TODO_ERR_BAD_REQUEST;
    for (int i = 0; i < n_sort; i++) {
        if (!sort_expr(sort[i].key, sort[i].desc))
            return TODO_ERR_BAD_REQUEST;
        if (q->has_cursor && q->after[i].is_text != (sort[i].key == SORT_TITLE))
            return TODO_ERR_BAD_REQUEST;
    }
    if (q->has_cursor && q->n_sort < 1)
        return TODO_ERR_BAD_REQUEST;

    sqlb_sql(b, "SELECT " SQLB_TASK_COLUMNS " FROM tasks t");
    add_filters(b, user_id, q, plan);
    if (q->has_cursor)
        add_keyset(b, q);
    sqlb_sql(b, " ORDER BY ");
    for (int i = 0; i < n_sort; i++) {
        sqlb_sql(b, sort_expr(sort[i].key, sort[i].desc));
        sqlb_sql(b, sort[i].desc ? " DESC, " : " ASC, ");
    }
    sqlb_sql(b, sort[0].desc ? "t.id DESC" : "t.id ASC");
    sqlb_sql(b, " LIMIT ");
    sqlb_int(b, sqlb_page_limit(q) + 1);
    return TODO_OK;
}
