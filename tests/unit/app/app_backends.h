/* app_backends.h - the app layer's unit tests that run once per backend: a struct app over
 * store_fixture.h's store (a temp SQLite file; a fresh PostgreSQL schema when
 * TODO_TEST_POSTGRES_URL is set) with user u1 (u1@example.com, time zone UTC).
 * APP_TEST(name) { body } defines sqlite/name and postgres/name; APP_TEST_SCHED(name, mode)
 * also sets the app's scheduler mode first. Define STORE_FIXTURE_NAME before including it.
 * Included by one test file each (everything is static). */
#ifndef TODO_TESTS_APP_BACKENDS_H
#define TODO_TESTS_APP_BACKENDS_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

#include "app/app.h"
#include "../store/store_fixture.h"

static struct app app;
static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";

static void app_backends_start(int sched_mode)
{
    struct app_config cfg = {.jwt_secret = secret, .jwt_secret_len = 32, .token_ttl_ms = 3600000};
    app_init(&app, S, &cfg);
    if (sched_mode >= 0)
        app.sched_mode = sched_mode;
    test_user_add(S, "u1", "u1@example.com");
}

static void app_backends_fini(void)
{
    app_release(&app);
    teardown();
}

#define APP_TEST_SCHED(name, mode)                                                                 \
    static void name##_body(void);                                                                 \
    Test(sqlite, name, .init = setup_sqlite, .fini = app_backends_fini)                            \
    {                                                                                              \
        app_backends_start(mode);                                                                  \
        name##_body();                                                                             \
    }                                                                                              \
    Test(postgres, name, .init = setup_pg, .fini = app_backends_fini)                              \
    {                                                                                              \
        if (!S)                                                                                    \
            cr_skip_test("TODO_TEST_POSTGRES_URL is not set");                                     \
        app_backends_start(mode);                                                                  \
        name##_body();                                                                             \
    }                                                                                              \
    static void name##_body(void)

/* The scheduler mode app_init chose. */
#define APP_TEST(name) APP_TEST_SCHED(name, -1)

static json_t *json_of(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    cr_assert_not_null(v, "bad test JSON: %s", text);
    return v;
}

/* Creates u1's task from a printf-style body; returns it (the caller releases it). */
static struct task create(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static struct task create(const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_t *body = json_of(text);
    struct todo_err err;
    todo_err_clear(&err);
    struct task t;
    task_init(&t);
    cr_assert_eq(app_task_create(&app, "u1", body, &t, &err), TODO_OK, "%s", err.message);
    json_decref(body);
    return t;
}

#endif
