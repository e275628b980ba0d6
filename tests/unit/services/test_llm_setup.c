/* test_llm_setup.c - LLM mode from the configuration (src/services/llm_setup.c,
 * src/services/config.c): the TODO_LLM_* checks, the key read from a file (trailing newline
 * trimmed, anything that would not fit a header refused without being echoed), and from the
 * Dapr secrets API, here a loopback HTTP server answering as the sidecar does. */
#include <criterion/criterion.h>
#include "fake_sidecar.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/llm_internal.h"
#include "services/llm_setup.h"

static char dir[] = "/tmp/todo-llm-setup-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    for (const char **v =
             (const char *[]){"TODO_LLM_BASE_URL", "TODO_LLM_MODEL", "TODO_LLM_API_KEY_FILE",
                              "TODO_LLM_API_KEY_SECRET", "TODO_BUS", NULL};
         *v; v++)
        unsetenv(*v);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(llm_setup, .init = setup, .fini = teardown);

static int load(struct todo_config *cfg, const char **args, int n, struct todo_err *err)
{
    char *argv[16] = {"serve"};
    for (int i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    return config_load(cfg, n + 1, argv, err);
}

static const char *key_file(const char *name, const char *content)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

Test(llm_setup, llm_mode_is_off_without_a_base_url)
{
    struct todo_config cfg;
    struct todo_err err = {0};
    cr_assert_eq(load(&cfg, NULL, 0, &err), 0, "%s", err.message);
    struct assistant_llm *llm = (void *)1;
    cr_assert_eq(llm_setup_open(&cfg, &llm, &err), 0);
    cr_assert_null(llm);
}

Test(llm_setup, settings_that_cannot_work_stop_the_start)
{
    const char *cases[][4] = {
        {"--llm-base-url", "http://127.0.0.1:1/v1", NULL},
        {"--llm-model", "m", NULL},
        {"--llm-base-url", "ftp://x/v1", "--llm-model", "m"},
        {"--llm-timeout-ms", "5", NULL},
        {"--llm-max-steps", "0", NULL},
        {"--llm-retries", "11", NULL},
        {"--llm-stream", "yes", NULL},
        {"--llm-api-key-secret", "k", NULL}, /* the secret store needs the dapr bus */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct todo_config cfg;
        struct todo_err err = {0};
        int n = cases[i][2] ? 4 : 2;
        cr_assert_eq(load(&cfg, cases[i], n, &err), TODO_ERR_BAD_REQUEST, "case %zu", i);
        cr_assert_gt(strlen(err.message), 0);
    }
}

Test(llm_setup, the_key_file_is_read_with_its_trailing_newline_trimmed)
{
    const char *args[] = {
        "--llm-base-url",     "http://127.0.0.1:1/v1/",         "--llm-model",  "m",
        "--llm-api-key-file", key_file("key", "sk-abc123\r\n"), "--llm-stream", "1"};
    struct todo_config cfg;
    struct todo_err err = {0};
    cr_assert_eq(load(&cfg, args, 8, &err), 0, "%s", err.message);
    struct assistant_llm *llm = NULL;
    cr_assert_eq(llm_setup_open(&cfg, &llm, &err), 0, "%s", err.message);
    cr_assert_str_eq(llm->auth_header, "Authorization: Bearer sk-abc123");
    cr_assert_str_eq(llm->endpoint, "http://127.0.0.1:1/v1/chat/completions");
    cr_assert(llm->stream);
    cr_assert_eq(llm->max_steps, 8);
    cr_assert_eq(llm->retries, 2);
    cr_assert_eq(llm->timeout_ms, 60000);
    assistant_llm_destroy(llm);
}

Test(llm_setup, a_base_url_given_with_the_endpoint_still_calls_it_once)
{
    const char *args[] = {"--llm-base-url", "https://models.example/v1/chat/completions/",
                          "--llm-model", "m"};
    struct todo_config cfg;
    struct todo_err err = {0};
    cr_assert_eq(load(&cfg, args, 4, &err), 0, "%s", err.message);
    struct assistant_llm *llm = NULL;
    cr_assert_eq(llm_setup_open(&cfg, &llm, &err), 0, "%s", err.message);
    cr_assert_str_eq(llm->endpoint, "https://models.example/v1/chat/completions");
    cr_assert_null(llm->auth_header, "no key file: no Authorization header");
    assistant_llm_destroy(llm);
}

Test(llm_setup, a_key_file_that_is_not_one_key_is_refused_without_echoing_it)
{
    const char *bad[] = {"", "\n", "sk-one\nsk-two\n", "sk one\n", "sk-\x01x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[] = {"--llm-base-url",     "http://127.0.0.1:1/v1", "--llm-model", "m",
                              "--llm-api-key-file", key_file("bad", bad[i])};
        struct todo_config cfg;
        struct todo_err err = {0};
        cr_assert_eq(load(&cfg, args, 6, &err), 0, "%s", err.message);
        struct assistant_llm *llm = NULL;
        cr_assert_neq(llm_setup_open(&cfg, &llm, &err), 0, "case %zu", i);
        cr_assert_null(llm);
        cr_assert_null(strstr(err.message, "sk-"), "%s", err.message);
    }
    const char *args[] = {"--llm-base-url",     "http://127.0.0.1:1/v1", "--llm-model", "m",
                          "--llm-api-key-file", "/nonexistent/key"};
    struct todo_config cfg;
    struct todo_err err = {0};
    cr_assert_eq(load(&cfg, args, 6, &err), 0);
    struct assistant_llm *llm = NULL;
    cr_assert_neq(llm_setup_open(&cfg, &llm, &err), 0);
}

/* ------------------------------------------------------------- the Dapr secrets API */

static const struct fake_route routes[] = {
    {"/v1.0/secrets/vault/llm-key", 200, "{\"llm-key\":\"sk-from-dapr\"}"},
    {"/v1.0/secrets/vault/spaced", 200, "{\"spaced\":\"sk from dapr\"}"},
    {NULL, 0, NULL}};

static int open_secret(const char *port, const char *name, struct assistant_llm **llm,
                       struct todo_err *err)
{
    const char *args[] = {"--bus",
                          "dapr",
                          "--dapr-http-port",
                          port,
                          "--dapr-secret-store",
                          "vault",
                          "--llm-base-url",
                          "http://127.0.0.1:1/v1",
                          "--llm-model",
                          "m",
                          "--llm-api-key-secret",
                          name};
    struct todo_config cfg;
    cr_assert_eq(load(&cfg, args, 12, err), 0, "%s", err->message);
    return llm_setup_open(&cfg, llm, err);
}

Test(llm_setup, the_key_is_read_from_the_dapr_secret_store)
{
    struct fake_sidecar d = {.routes = routes};
    fake_sidecar_start(&d);
    struct todo_err err = {0};
    struct assistant_llm *llm = NULL;
    cr_assert_eq(open_secret(d.port, "llm-key", &llm, &err), 0, "%s", err.message);
    cr_assert_str_eq(llm->auth_header, "Authorization: Bearer sk-from-dapr");
    assistant_llm_destroy(llm);
    llm = NULL;
    cr_assert_eq(open_secret(d.port, "missing", &llm, &err), TODO_ERR_NOT_FOUND);
    cr_assert_null(llm);
    cr_assert(strstr(err.message, "missing"), "%s", err.message);
    cr_assert_eq(open_secret(d.port, "spaced", &llm, &err), TODO_ERR_BAD_REQUEST);
    cr_assert_null(strstr(err.message, "sk from dapr"), "%s", err.message);
    fake_sidecar_stop(&d);
}
