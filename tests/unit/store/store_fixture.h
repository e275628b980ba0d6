/* store_fixture.h - the per-case store of the store unit tests that run once per backend: a
 * fresh SQLite file in a temp dir, or a fresh schema on the test PostgreSQL
 * (TODO_TEST_POSTGRES_URL; S stays NULL without it, and the case skips). Define
 * STORE_FIXTURE_NAME (a C identifier) before including: it names the temp dir and schema.
 * Header-only: each test file is its own program. */
#ifndef TODO_TESTS_STORE_FIXTURE_H
#define TODO_TESTS_STORE_FIXTURE_H

#include <criterion/criterion.h>

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "test_user.h"

#ifndef STORE_FIXTURE_NAME
#error "define STORE_FIXTURE_NAME before including store_fixture.h"
#endif
#define STORE_FIXTURE_STR2(x) #x
#define STORE_FIXTURE_STR(x)  STORE_FIXTURE_STR2(x)

static store_t *S;
static char tmp_dir[64];
static char pg_schema[64];
static bool is_pg;

static inline void open_and_migrate(const char *url)
{
    struct todo_err err = {0};
    int n_applied = 0;
    cr_assert_eq(store_open(url, &S, &err), TODO_OK, "store_open: %s", err.message);
    cr_assert_eq(store_migrate(S, &n_applied, &err), TODO_OK, "store_migrate: %s", err.message);
}

static inline void setup_sqlite(void)
{
    char url[128];
    is_pg = false;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/todo-%s-XXXXXX", STORE_FIXTURE_STR(STORE_FIXTURE_NAME));
    cr_assert_not_null(mkdtemp(tmp_dir));
    snprintf(url, sizeof url, "sqlite:%s/todo.db", tmp_dir);
    open_and_migrate(url);
}

static inline void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs sql on a separate admin connection; expects a command or rows. */
static inline void pg_admin(const char *sql)
{
    PGconn *conn = PQconnectdb(getenv("TODO_TEST_POSTGRES_URL"));
    cr_assert_eq(PQstatus(conn), CONNECTION_OK, "%s", PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, pg_quiet, NULL);
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
}

/* The integer in the first row and column of sql, run on a separate admin connection. */
static inline int64_t pg_admin_int(const char *sql)
{
    PGconn *conn = PQconnectdb(getenv("TODO_TEST_POSTGRES_URL"));
    cr_assert_eq(PQstatus(conn), CONNECTION_OK, "%s", PQerrorMessage(conn));
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
    int64_t v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    PQfinish(conn);
    return v;
}

static inline void setup_pg(void)
{
    const char *base = getenv("TODO_TEST_POSTGRES_URL");
    char sql[256], url[1024];
    is_pg = true;
    if (!base || !*base)
        return;
    snprintf(pg_schema, sizeof pg_schema, "%s_%ld", STORE_FIXTURE_STR(STORE_FIXTURE_NAME),
             (long)getpid());
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", pg_schema,
             pg_schema);
    pg_admin(sql);
    snprintf(url, sizeof url, "%s%soptions=-csearch_path%%3D%s&application_name=%s", base,
             strchr(base, '?') ? "&" : "?", pg_schema, pg_schema);
    open_and_migrate(url);
}

static inline void teardown(void)
{
    store_destroy(S);
    S = NULL;
    if (!is_pg) {
        const char *files[] = {"todo.db", "todo.db-wal", "todo.db-shm"};
        char path[128];
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", tmp_dir, files[i]);
            remove(path);
        }
        rmdir(tmp_dir);
    } else if (pg_schema[0]) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", pg_schema);
        pg_admin(sql);
    }
}

/* Each case runs once per backend: STORE_TEST(name) { body } defines sqlite/name and
 * postgres/name (skipped without TODO_TEST_POSTGRES_URL). */
#define STORE_TEST(name)                                                                           \
    static void name##_body(void);                                                                 \
    Test(sqlite, name, .init = setup_sqlite, .fini = teardown)                                     \
    {                                                                                              \
        name##_body();                                                                             \
    }                                                                                              \
    Test(postgres, name, .init = setup_pg, .fini = teardown)                                       \
    {                                                                                              \
        if (!S)                                                                                    \
            cr_skip_test("TODO_TEST_POSTGRES_URL is not set");                                     \
        name##_body();                                                                             \
    }                                                                                              \
    static void name##_body(void)

#endif
