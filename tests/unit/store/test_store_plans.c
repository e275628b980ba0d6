/* test_store_plans.c - the query plans of the list's first page, on 10,000 tasks for one user
 * of which 1,700 match the prefix "groc": for the common sorts, with and without that search,
 * neither backend sorts the matching rows; it walks an index in the sort's order and stops
 * at the page's end (docs/decisions/0025-reads-in-index-order.md). The queries are the ones
 * the store runs: parsed by core/query.c from the API's parameters, built by sqlbuild.c,
 * explained with the same bound values (EXPLAIN QUERY PLAN on sqlite; EXPLAIN on postgres,
 * with the generic plan a prepared statement switches to, except for full-text queries,
 * which store_pg.c never prepares). No timing is asserted. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "core/query.h"
#include "store/fts_words.h"
#include "store/sqlbuild.h"
#include "store/store.h"

#define N_TASKS    10000
#define N_MATCHING 1700 /* tasks whose title has "groceries" */
#define N_RARE     10   /* "zebra" */

static store_t *S;
static char tmp_dir[64];
static char db_path[96];
static char pg_url[1024];
static char pg_schema[64];

/* The sorts the web UI offers (web/app/page.tsx) and created_at ascending. */
static const char *const SORTS[] = {"-created_at",      "created_at", "due_at",
                                    "-priority,due_at", "title",      "-updated_at"};

/* --- fixtures --- */

static void open_and_migrate(const char *url)
{
    struct todo_err err = {0};
    int applied = 0;
    cr_assert_eq(store_open(url, &S, &err), TODO_OK, "store_open: %s", err.message);
    cr_assert_eq(store_migrate(S, &applied, &err), TODO_OK, "store_migrate: %s", err.message);
}

/* Titles: "buy groceries #i" for 17 in every 100 tasks, "feed zebra #i" for 10 tasks, else
 * "call plumber #i"; a third
 * without a due date, one in five completed, updated_at a permutation of created_at. */
#define SEED_SELECT_SQLITE                                                                         \
    "SELECT 'u1', t, lower(t), '', '', i % 5 = 0, i % 4,"                                          \
    " CASE WHEN i % 3 = 0 THEN NULL ELSE 1700000000000 + (i * 7919 % 10000) * 60000 END,"          \
    " 1600000000000 + i * 1000, 1600000000000 + (i * 31 % 10000) * 1000, 1"                        \
    " FROM (SELECT i, CASE WHEN i % 100 < 17 THEN 'buy groceries #' WHEN i % 1000 = 999"           \
    " THEN 'feed zebra #' ELSE 'call plumber #' END || i AS t FROM n)"

static void setup_sqlite(void)
{
    char url[128];
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/todo-plans-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
    snprintf(db_path, sizeof db_path, "%s/todo.db", tmp_dir);
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    open_and_migrate(url);

    sqlite3 *db;
    char *msg = NULL;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    cr_assert_not_null(fts_words_register(db)); /* todo_words, as the store registers it */
    int rc = sqlite3_exec(db,
                          "BEGIN;"
                          "INSERT INTO users (id, email, password_hash, created_at)"
                          " VALUES ('u1', 'u1@example.com', 'x', 0);"
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                          " WHERE i < 10000)"
                          " INSERT INTO tasks (user_id, title, title_sort, description,"
                          " tags_text, completed, priority, due_at, created_at, updated_at,"
                          " version) " SEED_SELECT_SQLITE ";"
                          "COMMIT;",
                          NULL, NULL, &msg);
    cr_assert_eq(rc, SQLITE_OK, "seed: %s", msg ? msg : "");
    sqlite3_close(db);
}

static void teardown_sqlite(void)
{
    store_destroy(S);
    S = NULL;
    const char *suffixes[] = {"", "-wal", "-shm"};
    char path[128];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
        remove(path);
    }
    rmdir(tmp_dir);
}

static PGresult *pg_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
              "%s: %s", sql, PQerrorMessage(conn));
    return res;
}

static void pg_run(const char *url, const char *sql)
{
    PGconn *conn = PQconnectdb(url);
    cr_assert_eq(PQstatus(conn), CONNECTION_OK, "%s", PQerrorMessage(conn));
    PQclear(pg_exec(conn, "SET client_min_messages = warning"));
    PQclear(pg_exec(conn, sql));
    PQfinish(conn);
}

static void setup_pg(void)
{
    const char *base = getenv("TODO_TEST_POSTGRES_URL");
    char sql[256];
    if (!base || !*base)
        return;
    snprintf(pg_schema, sizeof pg_schema, "plans_test_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", pg_schema,
             pg_schema);
    pg_run(base, sql);
    snprintf(pg_url, sizeof pg_url, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", pg_schema);
    open_and_migrate(pg_url);
    /* The same rows as on sqlite; ANALYZE stands for autovacuum's, as on a live server. */
    pg_run(pg_url,
           "INSERT INTO users (id, email, password_hash, created_at)"
           " VALUES ('u1', 'u1@example.com', 'x', 0);"
           "INSERT INTO tasks (user_id, title, title_sort, description, tags_text, completed,"
           " priority, due_at, created_at, updated_at, version)"
           " SELECT 'u1', t, lower(t), '', '', i % 5 = 0, i % 4,"
           " CASE WHEN i % 3 = 0 THEN NULL ELSE 1700000000000 + (i * 7919 % 10000) * 60000 END,"
           " 1600000000000 + i * 1000, 1600000000000 + (i * 31 % 10000) * 1000, 1"
           " FROM (SELECT i, CASE WHEN i % 100 < 17 THEN 'buy groceries #' WHEN i % 1000 = 999"
           " THEN 'feed zebra #' ELSE 'call plumber #' END || i AS t"
           " FROM generate_series(1, 10000) AS i) AS n;"
           "ANALYZE;");
}

static void teardown_pg(void)
{
    store_destroy(S);
    S = NULL;
    if (pg_schema[0]) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", pg_schema);
        pg_run(getenv("TODO_TEST_POSTGRES_URL"), sql);
    }
}

/* --- the queries --- */

struct params {
    const char *sort;
    const char *q;
    const char *status;
    const char *due;
};

static const char *param(void *ctx, const char *name)
{
    const struct params *p = ctx;
    if (strcmp(name, "sort") == 0)
        return p->sort;
    if (strcmp(name, "q") == 0)
        return p->q;
    if (strcmp(name, "status") == 0)
        return p->status;
    if (strcmp(name, "due") == 0)
        return p->due;
    if (strcmp(name, "limit") == 0)
        return "50";
    return NULL;
}

static void parse(struct task_query *query, const char *sort, const char *q)
{
    struct params p = {sort, q, NULL, NULL};
    struct todo_err err = {0};
    cr_assert_eq(query_parse(query, param, &p, &err), TODO_OK, "%s", err.message);
}

/* The list query the store runs for GET /api/u1/tasks?sort=...&q=...&limit=50, on sqlite
 * with the plan the store would choose (store_ops.c's words_plan). */
static void build_list(struct sqlb *b, int dialect, const char *sort, const char *q, int plan)
{
    struct task_query query;
    parse(&query, sort, q);
    sqlb_init(b, dialect);
    cr_assert_eq(sqlb_task_list(b, "u1", &query, plan), TODO_OK);
    /* The builder owns copies of the words; the user id is static. */
    query_release(&query);
}

static void sqlite_bind(sqlite3_stmt *st, const struct sqlb *b)
{
    for (int i = 0; i < b->n_params; i++) {
        const struct sqlb_value *v = &b->params[i];
        if (v->type == SQLB_TEXT)
            sqlite3_bind_text(st, i + 1, v->text, -1, SQLITE_STATIC);
        else if (v->type == SQLB_NULL)
            sqlite3_bind_null(st, i + 1);
        else
            sqlite3_bind_int64(st, i + 1, v->num);
    }
}

/* What store_ops.c's words_plan decides for q: the FTS5 match count, capped. */
static int sqlite_words_plan(sqlite3 *db, const char *q)
{
    struct task_query query;
    struct sqlb b;
    sqlite3_stmt *st;
    if (!q)
        return SQLB_WORDS_WALK_INDEX;
    parse(&query, "-created_at", q);
    sqlb_init(&b, SQLB_SQLITE);
    sqlb_fts_probe(&b, &query);
    cr_assert_eq(sqlite3_prepare_v2(db, b.sql.data, -1, &st, NULL), SQLITE_OK);
    sqlite_bind(st, &b);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlb_release(&b);
    query_release(&query);
    return n <= SQLB_FEW_MATCHES ? SQLB_WORDS_FROM_MATCHES : SQLB_WORDS_WALK_INDEX;
}

/* The plan's lines, joined by newlines (the caller frees). */
static char *sqlite_plan(sqlite3 *db, const struct sqlb *b)
{
    struct buf sql, plan;
    sqlite3_stmt *st;
    buf_init(&sql);
    buf_init(&plan);
    buf_puts(&sql, "EXPLAIN QUERY PLAN ");
    buf_puts(&sql, b->sql.data);
    cr_assert_eq(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL), SQLITE_OK, "%s: %s", sql.data,
                 sqlite3_errmsg(db));
    sqlite_bind(st, b);
    while (sqlite3_step(st) == SQLITE_ROW) {
        buf_puts(&plan, (const char *)sqlite3_column_text(st, 3));
        buf_putc(&plan, '\n');
    }
    sqlite3_finalize(st);
    buf_release(&sql);
    return buf_take(&plan);
}

/* EXPLAIN of the query with b's values; generic: of a prepared statement forced to its
 * generic plan (EXPLAIN EXECUTE), as the store's cached statements run after five runs. */
static char *pg_plan(PGconn *conn, const struct sqlb *b, bool generic)
{
    struct buf sql, plan;
    const char *values[64];
    char nums[64][24];
    cr_assert_leq(b->n_params, 64);
    buf_init(&sql);
    buf_init(&plan);
    for (int i = 0; i < b->n_params; i++) {
        const struct sqlb_value *v = &b->params[i];
        snprintf(nums[i], sizeof nums[i], "%lld", (long long)v->num);
        values[i] = v->type == SQLB_TEXT   ? v->text
                    : v->type == SQLB_BOOL ? (v->num ? "t" : "f")
                    : v->type == SQLB_NULL ? NULL
                                           : nums[i];
    }
    if (generic) {
        PGresult *res = PQprepare(conn, "plan_test", b->sql.data, 0, NULL);
        cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(conn));
        PQclear(res);
        PQclear(pg_exec(conn, "SET plan_cache_mode = force_generic_plan"));
        /* EXECUTE takes no bound parameters: the test's own values, quoted by libpq. */
        buf_puts(&sql, "EXPLAIN EXECUTE plan_test (");
        for (int i = 0; i < b->n_params; i++) {
            char *lit = values[i] ? PQescapeLiteral(conn, values[i], strlen(values[i])) : NULL;
            buf_puts(&sql, i ? ", " : "");
            buf_puts(&sql, lit ? lit : "NULL");
            PQfreemem(lit);
        }
        buf_puts(&sql, ")");
    } else {
        buf_puts(&sql, "EXPLAIN ");
        buf_puts(&sql, b->sql.data);
    }
    PGresult *res =
        PQexecParams(conn, sql.data, generic ? 0 : b->n_params, NULL, values, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql.data, PQerrorMessage(conn));
    for (int i = 0; i < PQntuples(res); i++) {
        buf_puts(&plan, PQgetvalue(res, i, 0));
        buf_putc(&plan, '\n');
    }
    PQclear(res);
    if (generic) {
        PQclear(pg_exec(conn, "DEALLOCATE plan_test"));
        PQclear(pg_exec(conn, "SET plan_cache_mode = auto"));
    }
    buf_release(&sql);
    return buf_take(&plan);
}

/* TODO_TEST_SHOW_PLANS=1 prints every plan (for docs/benchmarks.md and the ADR). */
static void show(const char *backend, const char *sort, int search, const char *plan)
{
    const char *on = getenv("TODO_TEST_SHOW_PLANS");
    if (on && *on == '1')
        fprintf(stderr, "%s sort=%s%s\n%s\n", backend, sort,
                search == 2 ? " q=zebra"
                : search    ? " q=groc"
                            : "",
                plan);
}

/* --- cases --- */

Test(sqlite, first_page_of_common_sorts_and_search_walks_an_index_without_a_sort,
     .init = setup_sqlite, .fini = teardown_sqlite)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    cr_assert_not_null(fts_words_register(db)); /* todo_words, as the store registers it */
    /* The server never runs ANALYZE, but an operator (or PRAGMA optimize) may: with
     * sqlite_stat1 the planner used to drive the search from the FTS matches and sort them. */
    for (int analyzed = 0; analyzed <= 1; analyzed++) {
        if (analyzed)
            cr_assert_eq(sqlite3_exec(db, "ANALYZE", NULL, NULL, NULL), SQLITE_OK);
        for (size_t i = 0; i < sizeof SORTS / sizeof SORTS[0]; i++) {
            for (int search = 0; search <= 1; search++) {
                struct sqlb b;
                const char *q = search ? "groc" : NULL;
                build_list(&b, SQLB_SQLITE, SORTS[i], q, sqlite_words_plan(db, q));
                char *plan = sqlite_plan(db, &b);
                show(analyzed ? "sqlite (analyzed)" : "sqlite", SORTS[i], search, plan);
                cr_expect_null(strstr(plan, "TEMP B-TREE"), "sort=%s%s%s sorts:\n%s", SORTS[i],
                               search ? " q=groc" : "", analyzed ? " (analyzed)" : "", plan);
                cr_expect_not_null(strstr(plan, "INDEX tasks_user_"),
                                   "sort=%s%s%s walks no sort index:\n%s", SORTS[i],
                                   search ? " q=groc" : "", analyzed ? " (analyzed)" : "", plan);
                free(plan);
                sqlb_release(&b);
            }
        }
    }
    sqlite3_close(db);
}

/* The first page through the store, for a word of 1,700 tasks (walked) and one of 10 (looked
 * up by rowid): newest first, 50 and a next page, then all 10. */
Test(sqlite, search_pages_the_same_either_way_the_store_runs_it, .init = setup_sqlite,
     .fini = teardown_sqlite)
{
    const char *words[] = {"groc", "zebra"};
    const int64_t n_want[] = {N_MATCHING, N_RARE};
    for (int w = 0; w < 2; w++) {
        struct task_query query;
        struct task_page page = {0};
        int64_t n = -1;
        parse(&query, "-created_at", words[w]);
        cr_assert_eq(store_task_count(S, "u1", &query, &n), TODO_OK, "%s", store_last_error(S));
        cr_assert_eq(n, n_want[w], "q=%s: %lld", words[w], (long long)n);
        cr_assert_eq(store_task_list(S, "u1", &query, &page), TODO_OK, "%s", store_last_error(S));
        cr_assert_eq(page.n_items, n_want[w] < 50 ? n_want[w] : 50);
        cr_assert_eq(page.has_more, n_want[w] > 50);
        for (int i = 0; i < page.n_items; i++) {
            cr_assert_not_null(strstr(page.items[i].title, w ? "zebra" : "groceries"));
            if (i)
                cr_assert_gt(page.items[i - 1].created_at, page.items[i].created_at);
        }
        task_page_release(&page);
        query_release(&query);
    }
}

/* A word of 10 tasks: looked up by rowid and sorted (at most SQLB_FEW_MATCHES rows), not
 * walked through all 10,000 of the user's tasks. */
Test(sqlite, search_for_a_rare_word_starts_from_its_matches, .init = setup_sqlite,
     .fini = teardown_sqlite)
{
    sqlite3 *db;
    struct sqlb b;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    cr_assert_not_null(fts_words_register(db)); /* todo_words, as the store registers it */
    int plan = sqlite_words_plan(db, "zebra");
    cr_assert_eq(plan, SQLB_WORDS_FROM_MATCHES);
    cr_assert_eq(sqlite_words_plan(db, "groc"), SQLB_WORDS_WALK_INDEX);
    build_list(&b, SQLB_SQLITE, "-created_at", "zebra", plan);
    char *plan_text = sqlite_plan(db, &b);
    show("sqlite", "-created_at", 2, plan_text);
    cr_expect_not_null(strstr(plan_text, "SEARCH t USING INTEGER PRIMARY KEY"), "%s", plan_text);
    free(plan_text);
    sqlb_release(&b);
    sqlite3_close(db);
}

/* The web UI's sidebar counts (GET .../tasks/count?status=pending&due=week): the due range
 * of the index, which holds completed too, without reading the tasks. */
Test(sqlite, pending_count_due_this_week_reads_only_the_due_index, .init = setup_sqlite,
     .fini = teardown_sqlite)
{
    struct params p = {NULL, NULL, "pending", "week"};
    struct task_query query;
    struct todo_err err = {0};
    struct sqlb b;
    sqlite3 *db;
    cr_assert_eq(query_parse(&query, param, &p, &err), TODO_OK, "%s", err.message);
    /* now: inside the seeded due dates (1700000000000 + 0..10,000 minutes) */
    cr_assert_eq(query_resolve_due(&query, "UTC", 1700000000000 + 3000 * 60000LL), 0);
    sqlb_init(&b, SQLB_SQLITE);
    sqlb_task_count(&b, "u1", &query);
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    cr_assert_not_null(fts_words_register(db)); /* todo_words, as the store registers it */
    for (int analyzed = 0; analyzed <= 1; analyzed++) {
        if (analyzed)
            cr_assert_eq(sqlite3_exec(db, "ANALYZE", NULL, NULL, NULL), SQLITE_OK);
        char *plan = sqlite_plan(db, &b);
        show(analyzed ? "sqlite (analyzed) count" : "sqlite count", "status=pending&due=week", 0,
             plan);
        cr_expect_not_null(strstr(plan, "COVERING INDEX tasks_user_due"), "%s", plan);
        free(plan);
    }
    sqlite3_close(db);
    sqlb_release(&b);
    query_release(&query);
}

Test(postgres, first_page_of_common_sorts_and_search_walks_an_index_without_a_sort,
     .init = setup_pg, .fini = teardown_pg)
{
    if (!S)
        cr_skip_test("TODO_TEST_POSTGRES_URL is not set");
    PGconn *conn = PQconnectdb(pg_url);
    cr_assert_eq(PQstatus(conn), CONNECTION_OK, "%s", PQerrorMessage(conn));
    for (size_t i = 0; i < sizeof SORTS / sizeof SORTS[0]; i++) {
        for (int search = 0; search <= 1; search++) {
            struct sqlb b;
            build_list(&b, SQLB_PG, SORTS[i], search ? "groc" : NULL, SQLB_WORDS_WALK_INDEX);
            /* Prepared list queries run their generic plan after five runs; full-text ones
             * are never prepared (store_pg.c). */
            char *plan = pg_plan(conn, &b, !search);
            show("postgres", SORTS[i], search, plan);
            cr_expect_null(strstr(plan, "Sort"), "sort=%s%s sorts:\n%s", SORTS[i],
                           search ? " q=groc" : "", plan);
            cr_expect_not_null(strstr(plan, "Index Scan"), "sort=%s%s walks no index:\n%s",
                               SORTS[i], search ? " q=groc" : "", plan);
            free(plan);
            sqlb_release(&b);
        }
    }
    /* A rare word: postgres may start from the GIN matches and sort those few; shown only. */
    struct sqlb b;
    build_list(&b, SQLB_PG, "-created_at", "zebra", SQLB_WORDS_WALK_INDEX);
    char *plan = pg_plan(conn, &b, false);
    show("postgres", "-created_at", 2, plan);
    free(plan);
    sqlb_release(&b);
    PQfinish(conn);
}
