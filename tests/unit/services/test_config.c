/* test_config.c - the service configuration (src/services/config.c): every default, the
 * variables and flags read through one table (a flag wins; DAPR_HTTP_PORT loses to
 * TODO_DAPR_HTTP_PORT; an empty variable is unset unless it means something), each kind of
 * bad value refused with a message naming the setting, and the checks across settings. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "services/config.h"

extern char **environ;

/* No TODO_* or DAPR_* variable of the test's own environment leaks in. */
static void clean_env(void)
{
    for (;;) {
        char name[128] = "";
        for (char **e = environ; *e; e++) {
            if (strncmp(*e, "TODO_", 5) == 0 || strncmp(*e, "DAPR_", 5) == 0) {
                snprintf(name, sizeof name, "%.*s", (int)strcspn(*e, "="), *e);
                break;
            }
        }
        if (!name[0])
            return;
        unsetenv(name);
    }
}

TestSuite(config, .init = clean_env);

/* config_load over argv (NULL-terminated, after the command); its result. */
static int load(struct todo_config *cfg, struct todo_err *err, const char *const *args)
{
    char *argv[32] = {"serve"};
    int argc = 1;
    for (; args && args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    todo_err_clear(err);
    return config_load(cfg, argc, argv, err);
}

/* The message config_load gives for args, which must be refused with 400. */
static const char *refused(const char *const *args)
{
    static struct todo_err err;
    struct todo_config cfg;
    cr_assert_eq(load(&cfg, &err, args), TODO_ERR_BAD_REQUEST, "accepted %s", args[0]);
    return err.message;
}

Test(config, every_default_is_the_documented_one)
{
    struct todo_config c;
    struct todo_err err;
    cr_assert_eq(load(&c, &err, NULL), TODO_OK, "%s", err.message);
    cr_assert_str_eq(c.listen, "127.0.0.1:8080");
    cr_assert_str_eq(c.data_dir, "./data");
    cr_assert_str_eq(c.database_url, "sqlite:./data/todo.db");
    cr_assert_not(c.database_url_given);
    cr_assert_eq(c.threads, 0);
    cr_assert_eq(c.log_level, LOG_INFO);
    cr_assert(c.access_log);
    cr_assert_eq(c.token_ttl_ms, 86400000);
    cr_assert_eq(c.login_limit_email, 10);
    cr_assert_eq(c.login_limit_addr, 100);
    cr_assert_eq(c.signup_limit_addr, 20);
    cr_assert_eq(c.event_retention_ms, 7 * 86400000LL);
    cr_assert_eq(c.outbox_retention_ms, 3600000);
    cr_assert_eq(c.max_body, 1024 * 1024);
    cr_assert_str_eq(c.bus, "local");
    cr_assert_eq(c.dapr_http_port, 3500);
    cr_assert_str_eq(c.dapr_pubsub, "pubsub");
    cr_assert_str_eq(c.dapr_app_listen, "127.0.0.1:8081");
    cr_assert_str_eq(c.web_dir, "web/out");
    cr_assert_str_eq(c.scheduler, "db");
    cr_assert_str_eq(c.dapr_jobs_url, "http://127.0.0.1:3500");
    cr_assert_str_eq(c.chat_state, "db");
    cr_assert_str_eq(c.dapr_state_store, "statestore");
    cr_assert_eq(c.chat_workers, 8);
    cr_assert_eq(c.chat_queue, 256);
    cr_assert_eq(c.ws_queue_messages, 256);
    cr_assert_eq(c.ws_max_connections, 10000);
    cr_assert_str_eq(c.dapr_secret_store, "secretstore");
    cr_assert_eq(c.llm_timeout_ms, 60000);
    cr_assert_eq(c.llm_max_steps, 8);
    cr_assert_eq(c.llm_retries, 2);
    cr_assert_not(c.llm_stream);
    cr_assert_str_eq(c.web_api_app_id, "todo-api");
    cr_assert_str_eq(c.web_app_id, "todo-web");
    cr_assert_eq(c.web_timeout_ms, 30000);
    cr_assert_eq(c.web_workers, 16);
    cr_assert_eq(c.web_queue, 1024);
    cr_assert_not(c.web_trust_forwarded);
    cr_assert_not(c.dapr_no_app_token);
    char prefix[80];
    char host[64] = "todo";
    gethostname(host, sizeof host - 1);
    snprintf(prefix, sizeof prefix, "%s-", host);
    cr_assert(strncmp(c.instance_id, prefix, strlen(prefix)) == 0, "%s", c.instance_id);
}

Test(config, flags_set_each_kind_and_win_over_the_variables)
{
    setenv("TODO_THREADS", "3", 1);
    setenv("TODO_TOKEN_TTL", "120", 1);
    const char *args[] = {"--threads",
                          "4",
                          "--bus=dapr",
                          "--llm-stream",
                          "true",
                          "--web-trust-forwarded=1",
                          "--database",
                          "postgres://db/todo",
                          "--log-level",
                          "debug",
                          "--access-log",
                          "false",
                          "--dapr-jobs-url",
                          "http://127.0.0.1:9",
                          "--web-dir=",
                          NULL};
    struct todo_config c;
    struct todo_err err;
    cr_assert_eq(load(&c, &err, args), TODO_OK, "%s", err.message);
    cr_assert_eq(c.threads, 4, "the flag wins");
    cr_assert_eq(c.token_ttl_ms, 120000, "seconds, kept in ms");
    cr_assert_str_eq(c.bus, "dapr");
    cr_assert(c.llm_stream);
    cr_assert(c.web_trust_forwarded);
    cr_assert_str_eq(c.database_url, "postgres://db/todo");
    cr_assert(c.database_url_given);
    cr_assert_eq(c.log_level, LOG_DEBUG);
    cr_assert_not(c.access_log);
    cr_assert_str_eq(c.dapr_jobs_url, "http://127.0.0.1:9");
    cr_assert_str_eq(c.web_dir, "", "a flag may empty the web dir");
    cr_assert_str_eq(c.chat_state, "dapr", "the dapr bus keeps chat state in Dapr");
}

Test(config, variables_an_alias_loses_and_empty_means_unset_unless_it_means_something)
{
    setenv("DAPR_HTTP_PORT", "3600", 1);
    struct todo_config c;
    struct todo_err err;
    cr_assert_eq(load(&c, &err, NULL), TODO_OK, "%s", err.message);
    cr_assert_eq(c.dapr_http_port, 3600, "daprd's own variable");
    cr_assert_str_eq(c.dapr_jobs_url, "http://127.0.0.1:3600", "follows the sidecar's port");
    setenv("TODO_DAPR_HTTP_PORT", "3700", 1);
    setenv("TODO_LISTEN", "", 1);
    setenv("TODO_WEB_DIR", "", 1);
    setenv("TODO_DATA_DIR", "/var/lib/todo", 1);
    cr_assert_eq(load(&c, &err, NULL), TODO_OK, "%s", err.message);
    cr_assert_eq(c.dapr_http_port, 3700, "TODO_ wins");
    cr_assert_str_eq(c.listen, "127.0.0.1:8080", "empty: unset");
    cr_assert_str_eq(c.web_dir, "", "empty: no web UI");
    cr_assert_str_eq(c.database_url, "sqlite:/var/lib/todo/todo.db");
    setenv("TODO_THREADS", "many", 1);
    cr_assert_eq(load(&c, &err, NULL), TODO_ERR_BAD_REQUEST);
    cr_assert_str_eq(err.message, "TODO_THREADS: threads must be 0..256");
}

Test(config, each_kind_of_bad_value_is_refused_with_its_setting_named)
{
    cr_assert_str_eq(refused((const char *[]){"--threads", "257", NULL}), "threads must be 0..256");
    cr_assert_str_eq(refused((const char *[]){"--token-ttl", "59", NULL}),
                     "token ttl must be 60..31622400 s");
    cr_assert_str_eq(refused((const char *[]){"--ws-queue", "1x", NULL}),
                     "ws queue must be 1..65536 messages");
    cr_assert_str_eq(refused((const char *[]){"--bus", "rabbit", NULL}),
                     "bus must be local, kafka or dapr");
    cr_assert_str_eq(refused((const char *[]){"--llm-base-url", "ftp://x", NULL}),
                     "llm base url must start with http:// or https://");
    cr_assert_str_eq(refused((const char *[]){"--dapr-jobs-url", "https://x", NULL}),
                     "dapr jobs url must start with http://");
    cr_assert_str_eq(refused((const char *[]){"--web-trust-forwarded", "yes", NULL}),
                     "web-trust-forwarded must be 1 or 0");
    cr_assert_str_eq(refused((const char *[]){"--llm-stream", "on", NULL}),
                     "llm stream must be 1, 0, true or false");
    cr_assert_str_eq(refused((const char *[]){"--listen", "", NULL}),
                     "listen must be 1..255 bytes");
    char long_name[80];
    memset(long_name, 'p', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    cr_assert_str_eq(refused((const char *[]){"--dapr-pubsub", long_name, NULL}),
                     "dapr pubsub name must be 1..63 bytes");
    cr_assert_str_eq(refused((const char *[]){"--log-level", "loud", NULL}),
                     "log level must be debug, info, warn or error");
    cr_assert_str_eq(refused((const char *[]){"--nope", "1", NULL}), "unknown option --nope");
    cr_assert_str_eq(refused((const char *[]){"--threads", NULL}), "--threads needs a value");
    cr_assert_str_eq(refused((const char *[]){"serve", NULL}), "unexpected argument serve");
}

Test(config, settings_that_need_each_other_are_checked_together)
{
    cr_assert_str_eq(refused((const char *[]){"--bus", "kafka", NULL}),
                     "the kafka bus needs TODO_KAFKA_BROKERS or --kafka-brokers");
    cr_assert_str_eq(refused((const char *[]){"--scheduler", "dapr", NULL}),
                     "the dapr scheduler needs the Dapr sidecar: use --bus dapr");
    cr_assert_str_eq(refused((const char *[]){"--llm-model", "m", NULL}),
                     "LLM mode needs both TODO_LLM_BASE_URL and TODO_LLM_MODEL");
    cr_assert_str_eq(refused((const char *[]){"--dapr-secrets", "s", NULL}),
                     "TODO_DAPR_SECRETS reads the Dapr secret store: use --bus dapr");
}
