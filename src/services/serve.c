/* serve.c - process lifecycle of the service roles (ARCHITECTURE.md section 2).
 *
 * A role is a set of parts: the REST API (which writes events to the outbox and relays
 * them), and consumers (audit now; recurring, notify, realtime later). `todo serve` runs
 * every part in one process over the in-process bus; `todo api` and `todo audit` run one
 * part each, normally over Kafka. The same handler code runs either way.
 *
 * Signals are blocked in every thread and taken synchronously by the main thread with
 * sigwait, so no handler runs in a signal context. Shutdown order: stop accepting, drain
 * the slow-work pool, finish in-flight requests, publish what the outbox holds (bounded),
 * stop consuming, close the bus and the store. */
#include "services/serve.h"
#include "app/app.h"
#include "base/buf.h"
#include "base/log.h"
#include "events/bus_dapr.h" /* dapr bus */
#include "events/bus_kafka.h"
#include "events/consumer.h"
#include "events/dead_letters.h"
#include "events/outbox.h"
#include "http/static_files.h"
#include "services/api/api.h"
#include "services/audit/audit.h"
#include "services/recurring/recurring.h"
#include "services/config.h"
#include "services/dapr_routes.h" /* dapr bus */
#include "services/ops.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SHUTDOWN_GRACE_MS 10000
#define RELAY_DRAIN_MS    5000

enum role_part { PART_API = 1, PART_AUDIT = 2, PART_RECURRING = 4 };

static int role_parts(const char *command)
{
    if (strcmp(command, "serve") == 0)
        return PART_API | PART_AUDIT | PART_RECURRING;
    if (strcmp(command, "api") == 0)
        return PART_API;
    if (strcmp(command, "audit") == 0)
        return PART_AUDIT;
    if (strcmp(command, "recurring") == 0)
        return PART_RECURRING;
    return 0;
}

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

static bus_t *open_bus(const struct todo_config *cfg, const char *command)
{
    if (strcmp(cfg->bus, "dapr") == 0) { /* dapr bus: publish through the local sidecar */
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%u", cfg->dapr_http_port);
        struct bus_dapr_config dc = {.sidecar_url = url, .pubsub = cfg->dapr_pubsub};
        struct todo_err err;
        todo_err_clear(&err);
        bus_t *bus;
        if (bus_dapr_create(&dc, &bus, &err)) {
            log_msg(LOG_ERROR, "cannot create the Dapr bus: %s", err.message);
            return NULL;
        }
        return bus;
    }
    if (strcmp(cfg->bus, "kafka") == 0) {
        struct bus_kafka_config kc = {.brokers = cfg->kafka_brokers,
                                      .client_id = command,
                                      .instance_id = cfg->instance_id,
                                      .publish_timeout_ms = 5000};
        struct todo_err err;
        todo_err_clear(&err);
        bus_t *bus;
        if (bus_kafka_create(&kc, &bus, &err)) {
            log_msg(LOG_ERROR, "cannot create the Kafka bus: %s", err.message);
            return NULL;
        }
        return bus;
    }
    return bus_local_create();
}

/* The web UI, for the roles that serve the API: the export in cfg->web_dir read into
 * memory; when the directory does not exist, a page saying so (with a warning); nothing
 * when web_dir is "". Returns -1, having logged why, when the directory cannot be loaded. */
static int open_web(const struct todo_config *cfg, static_files_t **out)
{
    *out = NULL;
    if (!cfg->web_dir[0]) {
        log_msg(LOG_INFO, "the web UI is off (TODO_WEB_DIR is empty)");
        return 0;
    }
    struct todo_err err;
    todo_err_clear(&err);
    struct static_files_config scfg = {.root = cfg->web_dir};
    int rc = static_files_create(&scfg, out, &err);
    if (rc == TODO_ERR_NOT_FOUND) {
        log_msg(LOG_WARN,
                "the web UI is not built: %s; / serves a page saying so (run `make web`, or set "
                "TODO_WEB_DIR)",
                err.message);
        *out = static_files_placeholder(cfg->web_dir);
        return 0;
    }
    if (rc) {
        log_msg(LOG_ERROR, "cannot load the web UI: %s", err.message);
        return -1;
    }
    struct buf fields;
    buf_init(&fields);
    buf_puts(&fields, "\"dir\":");
    buf_json_str(&fields, cfg->web_dir);
    buf_printf(&fields, ",\"files\":%zu,\"bytes\":%zu", static_files_count(*out),
               static_files_bytes(*out));
    log_write(LOG_INFO, "web UI loaded", fields.data);
    buf_release(&fields);
    return 0;
}

int serve_main(const char *command, int argc, char **argv)
{
    struct todo_config cfg;
    struct todo_err err;
    todo_err_clear(&err);
    int parts = role_parts(command);
    if (config_load(&cfg, argc, argv, &err)) {
        fprintf(stderr, "todo %s: %s\n", command, err.message);
        config_usage(command);
        return 2;
    }
    log_init(command, (enum log_level)cfg.log_level);
    if (!(parts & PART_API) && strcmp(cfg.bus, "local") == 0) {
        log_msg(LOG_ERROR, "todo %s consumes events from another process: use --bus kafka or dapr",
                command);
        return 2;
    }
    if (sodium_init() < 0) {
        log_msg(LOG_ERROR, "libsodium failed to initialise");
        return 1;
    }
    if ((parts & PART_API) && config_load_jwt_secret(&cfg, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return 1;
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);

    int code = 1;
    store_t *store;
    if (open_store(&cfg, &store))
        return 1;
    static_files_t *web = NULL; /* outlives the server: bodies are sent from it uncopied */
    if ((parts & PART_API) && open_web(&cfg, &web))
        goto out_destroy_store;
    bus_t *bus = open_bus(&cfg, command);
    if (!bus)
        goto out_destroy_store;

    struct app_config acfg = {
        .jwt_secret = cfg.jwt_secret,
        .jwt_secret_len = cfg.jwt_secret_len,
        .token_ttl_ms = cfg.token_ttl_ms,
        .login_limit_email = cfg.login_limit_email,
        .login_limit_addr = cfg.login_limit_addr,
        .signup_limit_addr = cfg.signup_limit_addr,
        .role = command,
    };
    struct app app;
    app_init(&app, store, &acfg);
    memset(&cfg.jwt_secret, 0, sizeof cfg.jwt_secret);

    struct ops_service ops = {.store = store, .bus = bus};
    struct dapr_service dapr = {.bus = bus}; /* dapr bus: the routes the sidecar calls */
    consumer_t *audit = NULL, *recurring = NULL;
    if (parts & PART_AUDIT) {
        audit = consumer_create("audit", store, bus, NULL);
        audit_register(audit);
        if (consumer_subscribe(audit, &err)) {
            log_msg(LOG_ERROR, "cannot subscribe the audit consumer: %s", err.message);
            goto out_release;
        }
        ops.consumers[ops.n_consumers++] = audit;
    }
    if (parts & PART_RECURRING) {
        recurring = consumer_create("recurring", store, bus, NULL);
        recurring_register(recurring, &app);
        if (consumer_subscribe(recurring, &err)) {
            log_msg(LOG_ERROR, "cannot subscribe the recurring consumer: %s", err.message);
            goto out_release;
        }
        ops.consumers[ops.n_consumers++] = recurring;
    }
    if (strcmp(bus_name(bus), "local") == 0 && dead_letters_keep(bus, store, &err)) {
        log_msg(LOG_ERROR, "cannot keep dead letters: %s", err.message);
        goto out_release;
    }
    if ((parts & PART_API) && app_sessions_start(&app) != TODO_OK) { /* docs/decisions/0016 */
        log_msg(LOG_ERROR, "cannot read revoked sessions: %s", store_last_error(store));
        goto out_release;
    }
    if (bus_start(bus, &err)) {
        log_msg(LOG_ERROR, "cannot start the %s bus: %s", bus_name(bus), err.message);
        goto out_release;
    }
    if (parts & PART_API) {
        app.relay = outbox_relay_start(store, bus, NULL);
        ops.relay = app.relay;
    }

    struct http_server_config hcfg = {
        .listen = cfg.listen,
        .threads = cfg.threads,
        .max_body = cfg.max_body,
        .access_log = cfg.access_log,
    };
    /* two hashing threads: argon2id takes 64 MiB each, and both CPUs of a small machine */
    struct api_service api = {.app = &app, .store = store};
    if (http_server_create(&hcfg, &ops.server, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_stop_relay;
    }
    api.server = ops.server;
    if (parts & PART_API) {
        /* the queue holds both admission lanes (docs/decisions/0017) */
        api.slow = workpool_create(2, APP_LANE_LOGIN_MAX + APP_LANE_SIGNUP_MAX);
        api_routes_register(&api);
    }
    ops_routes_register(&ops);
    if (web)
        http_server_set_fallback(ops.server, "static", static_files_handle, web);
    if (bus_is_dapr(bus)) { /* dapr bus */
        dapr.server = ops.server;
        dapr_routes_register(&dapr);
    }
    if (http_server_start(ops.server, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_destroy_server;
    }
    char fields[512];
    snprintf(fields, sizeof fields,
             "\"listen\":\"%s\",\"port\":%u,\"store\":\"%s\",\"bus\":\"%s\",\"version\":\"%s\"",
             cfg.listen, http_server_port(ops.server), store_backend_name(store), bus_name(bus),
             TODO_VERSION);
    log_write(LOG_INFO, "listening", fields);

    int sig = 0;
    sigwait(&sigs, &sig);
    log_msg(LOG_INFO, "received %s; finishing in-flight work",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* Stop accepting new connections; requests on open ones may still arrive. Dapr
     * deliveries in progress finish and later ones are answered RETRY. Then wait for the
     * requests in flight, suspended ones included: the slow-work pool stays up until they
     * are answered (a sign-in arriving now must find it, not a freed pool). */
    http_server_quiesce(ops.server);
    dapr_routes_drain(&dapr);
    http_server_stop(ops.server, SHUTDOWN_GRACE_MS);
    workpool_destroy(api.slow);
    api.slow = NULL;
    code = 0;
out_destroy_server:
    workpool_destroy(api.slow);
    http_server_destroy(ops.server);
    dapr_routes_release(&dapr); /* dapr bus */
out_stop_relay:
    /* Consumers first (Kafka and Dapr run them on threads of their own, and a handler may
     * wake the relay), then the relay publishes what is pending, bounded. On the local bus
     * the consumers run on the relay's thread, which the stop joins. */
    bus_stop(bus);
    outbox_relay_stop(app.relay, RELAY_DRAIN_MS);
    app.relay = NULL;
out_release:
    bus_destroy(bus);
    consumer_destroy(audit);
    consumer_destroy(recurring);
    app_release(&app);
out_destroy_store:
    static_files_destroy(web);
    store_destroy(store);
    if (code == 0)
        log_msg(LOG_INFO, "stopped");
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
    struct ops_service ops = {0};
    if (http_server_create(&hcfg, &api.server, &err)) {
        fprintf(stderr, "todo routes: %s\n", err.message);
        return 1;
    }
    ops.server = api.server;
    api_routes_register(&api);
    ops_routes_register(&ops);
    http_routes_each(api.server, print_route, NULL);
    http_server_destroy(api.server);
    return 0;
}
