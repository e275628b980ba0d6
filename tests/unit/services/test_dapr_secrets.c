/* test_dapr_secrets.c - TODO_DAPR_SECRETS (src/services/dapr_secrets.c): the wait for the
 * sidecar, the one read of a secret with the sidecar's API token, each key becoming its
 * setting, one source per setting, and messages that name keys, never values. The sidecar
 * is a loopback HTTP server answering as daprd does; tests/dapr/secrets.test.mjs runs the
 * same against a real daprd. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sidecar.h"
#include "services/dapr_secrets.h"

#define API_TOKEN "sidecar-api-token-123456"

/* As daprd answers: a secret the store lacks is 500 ERR_SECRET_GET. */
static const struct fake_route routes[] = {
    {"/v1.0/secrets/store/all", 200,
     "{\"database-url\":\"sqlite:/tmp/from-dapr.db\",\"jwt-secret\":"
     "\"jwt-from-dapr-0123456789abcdef0123456789\",\"smtp-password\":\"smtp-from-dapr\","
     "\"llm-api-key\":\"sk-from-dapr\",\"app-api-token\":\"ignored\"}"},
    {"/v1.0/secrets/store/nested", 200, "{\"database-url\":{\"v\":\"x\"}}"},
    {"/v1.0/secrets/store/nope", 500, "{\"errorCode\":\"ERR_SECRET_GET\"}"},
    {NULL, 0, NULL}};
static struct fake_sidecar sidecar = {.routes = routes, .token = API_TOKEN};
static char *port = sidecar.port; /* for the argv below */

static void setup(void)
{
    for (const char **v = (const char *[]){"TODO_JWT_SECRET", "TODO_JWT_SECRET_FILE",
                                           "TODO_SMTP_PASSWORD", "TODO_DATABASE_URL", NULL};
         *v; v++)
        unsetenv(*v);
    setenv("DAPR_API_TOKEN", API_TOKEN, 1);
    fake_sidecar_start(&sidecar);
}

static void teardown(void)
{
    fake_sidecar_stop(&sidecar);
    unsetenv("DAPR_API_TOKEN");
}

TestSuite(dapr_secrets, .init = setup, .fini = teardown);

static void load(struct todo_config *cfg, const char *secret, const char *extra)
{
    char *argv[] = {"api",
                    "--bus",
                    "dapr",
                    "--dapr-http-port",
                    port,
                    "--dapr-secrets",
                    (char *)secret,
                    "--dapr-secret-store",
                    "store",
                    (char *)extra,
                    "sqlite:/tmp/given.db"};
    struct todo_err err = {0};
    cr_assert_eq(config_load(cfg, extra ? 11 : 9, argv, &err), 0, "%s", err.message);
}

Test(dapr_secrets, each_key_of_the_secret_becomes_its_setting)
{
    struct todo_config cfg;
    struct notify_config ncfg = {0};
    load(&cfg, "all", NULL);
    cr_assert_not(cfg.database_url_given);
    struct todo_err err = {0};
    cr_assert_eq(
        dapr_secrets_apply(&cfg, &ncfg, DAPR_SECRETS_NEED_DATABASE | DAPR_SECRETS_NEED_JWT, &err),
        0, "%s", err.message);
    cr_assert_str_eq(cfg.database_url, "sqlite:/tmp/from-dapr.db");
    cr_assert(cfg.database_url_given);
    cr_assert_eq(cfg.jwt_secret_len, 40);
    cr_assert_eq(memcmp(cfg.jwt_secret, "jwt-from-dapr-0123456789abcdef0123456789", 40), 0);
    cr_assert_str_eq(ncfg.smtp_password, "smtp-from-dapr");
    cr_assert_str_eq(cfg.llm_api_key, "sk-from-dapr");
}

Test(dapr_secrets, a_setting_given_two_ways_is_a_conflict_named_without_its_value)
{
    struct todo_config cfg;
    struct notify_config ncfg = {0};
    struct todo_err err = {0};
    load(&cfg, "all", "--database");
    cr_assert_eq(dapr_secrets_apply(&cfg, &ncfg, 0, &err), TODO_ERR_CONFLICT);
    cr_assert(strstr(err.message, "database-url"), "%s", err.message);
    cr_assert_null(strstr(err.message, "from-dapr"), "%s", err.message);
    setenv("TODO_SMTP_PASSWORD", "smtp-here", 1);
    load(&cfg, "all", NULL);
    cr_assert_eq(dapr_secrets_apply(&cfg, &ncfg, 0, &err), TODO_ERR_CONFLICT);
    cr_assert(strstr(err.message, "TODO_SMTP_PASSWORD"), "%s", err.message);
    cr_assert_null(strstr(err.message, "smtp-here"), "%s", err.message);
    cr_assert_null(strstr(err.message, "from-dapr"), "%s", err.message);
}

Test(dapr_secrets, a_missing_or_malformed_secret_stops_the_start)
{
    struct todo_config cfg;
    struct todo_err err = {0};
    load(&cfg, "nope", NULL);
    cr_assert_eq(dapr_secrets_apply(&cfg, NULL, 0, &err), TODO_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "nope") && strstr(err.message, "HTTP 500"), "%s", err.message);
    load(&cfg, "nested", NULL);
    cr_assert_eq(dapr_secrets_apply(&cfg, NULL, 0, &err), TODO_ERR_BAD_REQUEST);
    unsetenv("DAPR_API_TOKEN"); /* the sidecar refuses calls without its API token */
    load(&cfg, "all", NULL);
    cr_assert_eq(dapr_secrets_apply(&cfg, NULL, 0, &err), TODO_ERR_NOT_FOUND);
    cr_assert(strstr(err.message, "HTTP 401"), "%s", err.message);
}

Test(dapr_secrets, a_sidecar_that_never_answers_is_waited_for_until_the_deadline)
{
    struct todo_err err = {0};
    /* port 1 on loopback: nothing listens there */
    cr_assert_eq(dapr_sidecar_wait(1, 300, &err), TODO_ERR_UNAVAILABLE);
    cr_assert(strstr(err.message, "127.0.0.1:1 was not ready"), "%s", err.message);
    cr_assert_eq(dapr_sidecar_wait((unsigned)strtoul(port, NULL, 10), 300, &err), 0, "%s",
                 err.message);
}

Test(dapr_secrets, without_the_variable_nothing_is_read)
{
    struct todo_config cfg;
    struct todo_err err = {0};
    char *argv[] = {"api"};
    cr_assert_eq(config_load(&cfg, 1, argv, &err), 0);
    cr_assert_eq(dapr_secrets_apply(&cfg, NULL, DAPR_SECRETS_NEED_DATABASE, &err), 0);
    char *local[] = {"api", "--dapr-secrets", "x"}; /* the store is Dapr's: needs its bus */
    cr_assert_eq(config_load(&cfg, 3, local, &err), TODO_ERR_BAD_REQUEST);
}
