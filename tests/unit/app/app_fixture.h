/* app_fixture.h - the app layer's unit tests run over a struct app on a fresh, migrated SQLite
 * store in a temporary directory: app_fixture_open in a suite's .init, app_fixture_close in its
 * .fini. Included by one test file each (everything is static). */
#ifndef TODO_TESTS_APP_FIXTURE_H
#define TODO_TESTS_APP_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/app.h"

static char dir[64];
static store_t *store;
static struct app app;
static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";

/* Opens store (a new SQLite file under /tmp/todo-<name>-XXXXXX), migrates it and starts app
 * over it with cfg (NULL: defaults), whose secret is the test secret and whose token
 * lifetime is one hour unless cfg sets one. */
static void app_fixture_open_with(const char *name, const struct app_config *cfg)
{
    snprintf(dir, sizeof dir, "/tmp/todo-%s-XXXXXX", name);
    cr_assert_not_null(mkdtemp(dir));
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_open(url, &store, &err), 0, "%s", err.message);
    int n;
    cr_assert_eq(store_migrate(store, &n, &err), 0, "%s", err.message);
    struct app_config c = cfg ? *cfg : (struct app_config){0};
    c.jwt_secret = secret;
    c.jwt_secret_len = 32;
    if (c.token_ttl_ms == 0)
        c.token_ttl_ms = 3600000;
    app_init(&app, store, &c);
}

/* app_fixture_open_with and the defaults. */
static inline void app_fixture_open(const char *name)
{
    app_fixture_open_with(name, NULL);
}

/* Stops app, closes store and removes the directory. */
static void app_fixture_close(void)
{
    app_release(&app);
    store_destroy(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

#endif
