/* serve.c - process lifecycle of the service roles: configuration, storage and
 * migrations, the HTTP server, and graceful shutdown. Signals are blocked in every thread
 * and taken synchronously by the main thread with sigwait, so no handler runs in a signal
 * context. */
#include "services/serve.h"
#include "app/app.h"
#include "base/log.h"
#include "services/api/api.h"
#include "services/config.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SHUTDOWN_GRACE_MS 10000

static int open_store(const struct todo_config *cfg, store_t **store)
{
    struct todo_err err;
    todo_err_clear(&err);
    if (store_open(cfg->database_url, store, &err)) {
        log_msg(LOG_ERROR, "cannot open the database: %s", err.message);
        return -1;
    }
    int applied = 0;
    if (store_migrate(*store, &applied, &err)) {
        log_msg(LOG_ERROR, "migrations failed: %s", err.message);
        store_destroy(*store);
        return -1;
    }
    if (applied)
        log_msg(LOG_INFO, "applied %d migration(s)", applied);
    return 0;
}

int serve_main(const char *command, int argc, char **argv)
{
    struct todo_config cfg;
    struct todo_err err;
    todo_err_clear(&err);
    if (config_load(&cfg, argc, argv, &err)) {
        fprintf(stderr, "todo %s: %s\n", command, err.message);
        config_usage(command);
        return 2;
    }
    log_init(command, (enum log_level)cfg.log_level);
    if (sodium_init() < 0) {
        log_msg(LOG_ERROR, "libsodium failed to initialise");
        return 1;
    }
    if (config_load_jwt_secret(&cfg, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return 1;
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);

    store_t *store;
    if (open_store(&cfg, &store))
        return 1;
    struct app_config acfg = {
        .jwt_secret = cfg.jwt_secret,
        .jwt_secret_len = cfg.jwt_secret_len,
        .token_ttl_ms = cfg.token_ttl_ms,
        .login_limit_email = cfg.login_limit_email,
        .login_limit_addr = cfg.login_limit_addr,
    };
    struct app app;
    app_init(&app, store, &acfg);
    memset(&cfg.jwt_secret, 0, sizeof cfg.jwt_secret);

    int code = 1;
    struct http_server_config hcfg = {
        .listen = cfg.listen,
        .threads = cfg.threads,
        .max_body = cfg.max_body,
        .access_log = cfg.access_log,
    };
    /* two hashing threads: argon2id takes 64 MiB each, and both CPUs of a small machine */
    struct api_service api = {.app = &app, .store = store, .slow = workpool_create(2, 256)};
    if (http_server_create(&hcfg, &api.server, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_release_app;
    }
    api_routes_register(&api);
    if (http_server_start(api.server, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_destroy_server;
    }
    char fields[512];
    snprintf(fields, sizeof fields,
             "\"listen\":\"%s\",\"port\":%u,\"store\":\"%s\",\"version\":\"%s\"", cfg.listen,
             http_server_port(api.server), store_backend_name(store), TODO_VERSION);
    log_write(LOG_INFO, "listening", fields);

    int sig = 0;
    sigwait(&sigs, &sig);
    log_msg(LOG_INFO, "received %s; finishing in-flight requests",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* Order matters: stop accepting, let the slow-work pool finish (its jobs resume suspended
     * requests), then wait for the rest of the requests in flight. */
    http_server_quiesce(api.server);
    workpool_destroy(api.slow);
    api.slow = NULL;
    http_server_stop(api.server, SHUTDOWN_GRACE_MS);
    code = 0;
    log_msg(LOG_INFO, "stopped");
out_destroy_server:
    http_server_destroy(api.server);
out_release_app:
    workpool_destroy(api.slow); /* after the server: suspended requests finish first */
    app_release(&app);
    store_destroy(store);
    return code;
}

int migrate_main(int argc, char **argv)
{
    struct todo_config cfg;
    struct todo_err err;
    todo_err_clear(&err);
    if (config_load(&cfg, argc, argv, &err)) {
        fprintf(stderr, "todo migrate: %s\n", err.message);
        config_usage("migrate");
        return 2;
    }
    log_init("migrate", (enum log_level)cfg.log_level);
    store_t *store;
    if (open_store(&cfg, &store))
        return 1;
    int applied = 0, latest = 0;
    store_schema_version(store, &applied, &latest);
    log_msg(LOG_INFO, "schema at version %d of %d", applied, latest);
    store_destroy(store);
    return 0;
}

static void print_route(const char *method, const char *pattern, void *arg)
{
    (void)arg;
    printf("%s %s\n", method, pattern);
}

int routes_main(void)
{
    struct todo_err err;
    todo_err_clear(&err);
    struct http_server_config hcfg = {.listen = "127.0.0.1:0", .threads = 1, .max_body = 1};
    struct api_service api = {0};
    if (http_server_create(&hcfg, &api.server, &err)) {
        fprintf(stderr, "todo routes: %s\n", err.message);
        return 1;
    }
    api_routes_register(&api);
    http_routes_each(api.server, print_route, NULL);
    http_server_destroy(api.server);
    return 0;
}
