/* serve.c - process lifecycle of the service roles (docs/architecture.md, "What runs").
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
#include "app/assistant_llm.h"
#include "app/chat.h"
#include "base/buf.h"
#include "base/log.h"
#include "events/bus_dapr.h" /* dapr bus */
#include "events/bus_kafka.h"
#include "events/consumer.h"
#include "events/dead_letters.h"
#include "events/outbox.h"
#include "http/static_files.h"
#include "services/api/api.h"
#include "services/api/api_mcp.h"
#include "services/audit/audit.h"
#include "services/notify/notify.h"
#include "services/realtime/realtime.h"
#include "services/recurring/recurring.h"
#include "services/config.h"
#include "services/dapr_secrets.h"
#include "services/llm_setup.h"
#include "services/dapr_routes.h" /* dapr bus */
#include "services/ops.h"

#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHUTDOWN_GRACE_MS 10000
#define RELAY_DRAIN_MS    5000

enum role_part {
    PART_API = 1,
    PART_AUDIT = 2,
    PART_RECURRING = 4,
    PART_NOTIFY = 8,
    PART_REALTIME = 16
};

static int role_parts(const char *command)
{
    if (strcmp(command, "serve") == 0)
        return PART_API | PART_AUDIT | PART_RECURRING | PART_NOTIFY | PART_REALTIME;
    if (strcmp(command, "api") == 0)
        return PART_API;
    if (strcmp(command, "audit") == 0)
        return PART_AUDIT;
    if (strcmp(command, "recurring") == 0)
        return PART_RECURRING;
    if (strcmp(command, "notify") == 0)
        return PART_NOTIFY;
    if (strcmp(command, "realtime") == 0)
        return PART_REALTIME;
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

static bus_t *open_bus(const struct todo_config *cfg, const char *command, store_t *store)
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
    return bus_local_create(store);
}

/* The web UI, for the roles that serve the API: the export in cfg->web_dir read into
 * memory; when the directory does not exist, a page saying so (with a warning); nothing
 * when web_dir is "". Returns -1, having logged why, when the directory cannot be loaded. */
void serve_block_stop_signals(sigset_t *sigs)
{
    assert(sigs);
    sigemptyset(sigs);
    sigaddset(sigs, SIGTERM);
    sigaddset(sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int serve_open_web(const struct todo_config *cfg, static_files_t **out)
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
    if (!static_files_csp_listed(*out))
        log_msg(LOG_WARN,
                "the web UI in %s has no %s: its pages may run no inline script, so a Next.js "
                "export will not work (build it with `make web`)",
                cfg->web_dir, STATIC_FILES_CSP_HASHES);
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

/* The app API token the sidecar must send (APP_API_TOKEN, docs/operations.md): required,
 * unless the loudly-named opt-out is set. Returns -1, having logged why (never the token). */
static int open_dapr_auth(const struct todo_config *cfg, struct dapr_auth *auth)
{
    struct todo_err err;
    todo_err_clear(&err);
    if (dapr_auth_init(auth, getenv("APP_API_TOKEN"), cfg->dapr_no_app_token, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return -1;
    }
    if (!auth->required)
        log_msg(LOG_WARN,
                "Dapr callbacks are NOT authenticated (" DAPR_AUTH_OPT_OUT " is set and "
                "APP_API_TOKEN is not): whoever reaches %s can inject events into any account",
                cfg->dapr_app_listen);
    return 0;
}

/* The sidecar's callbacks on their own listener (cfg->dapr_app_listen), never the public
 * one. Returns -1, having logged why. */
static int open_dapr_listener(const struct todo_config *cfg, bool serves_api,
                              struct dapr_service *dapr)
{
    struct todo_err err;
    todo_err_clear(&err);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct http_server_config dcfg = {
        .listen = cfg->dapr_app_listen,
        /* the api's routes too (service invocation): as many workers as the public listener */
        .threads = !serves_api    ? 0
                   : cfg->threads ? cfg->threads
                   : cpus > 2     ? (unsigned)cpus
                                  : 2,
        .max_body = cfg->max_body,
        .access_log = cfg->access_log,
    };
    if (dapr_routes_register(dapr, &dcfg, &err)) {
        log_msg(LOG_ERROR, "the Dapr callback listener (TODO_DAPR_APP_LISTEN): %s", err.message);
        return -1;
    }
    return 0;
}

static void log_listening(const struct todo_config *cfg, const struct ops_service *ops,
                          const struct dapr_service *dapr, store_t *store, bus_t *bus)
{
    struct buf fields;
    buf_init(&fields);
    buf_puts(&fields, "\"listen\":");
    buf_json_str(&fields, cfg->listen);
    buf_printf(&fields, ",\"port\":%u,\"store\":\"%s\",\"bus\":\"%s\",\"version\":\"%s\"",
               http_server_port(ops->server), store_backend_name(store), bus_name(bus),
               TODO_VERSION);
    if (dapr->registered) {
        buf_puts(&fields, ",\"dapr_app_listen\":");
        buf_json_str(&fields, cfg->dapr_app_listen);
        buf_printf(&fields, ",\"dapr_app_port\":%u,\"dapr_app_token\":%s", dapr_routes_port(dapr),
                   dapr->auth.required ? "true" : "false");
    }
    log_write(LOG_INFO, "listening", fields.data);
    buf_release(&fields);
}

/* The notify part (docs/decisions/0031-notification-deliveries.md): its consumer on
 * reminders and its delivery pool (started later, by notify_start). Sets *c and *ns even on
 * failure (the caller destroys them); returns -1, having logged why. */
/* The chat use case and its pool (src/services/api/api_chat.c): conversations in the
 * database, or in the Dapr state store through the sidecar (docs/decisions/0040). */
static int open_chat(const struct todo_config *cfg, struct app *app, struct api_service *api)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", cfg->dapr_http_port);
    const char *token = getenv("DAPR_API_TOKEN");
    struct app_chat_config ccfg = {
        .state = strcmp(cfg->chat_state, "dapr") == 0 ? APP_CHAT_STATE_DAPR : APP_CHAT_STATE_DB,
        .dapr_url = url,
        .dapr_store = cfg->dapr_state_store,
        .dapr_token = token && *token ? token : NULL,
    };
    struct todo_err err;
    todo_err_clear(&err);
    if (app_chat_create(app, &ccfg, &api->chat, &err)) {
        log_msg(LOG_ERROR, "cannot start the chat: %s", err.message);
        return -1;
    }
    api->chat_pool = workpool_create(cfg->chat_workers, cfg->chat_queue);
    return 0;
}

static int open_notify(struct app *app, bus_t *bus, const struct notify_config *ncfg,
                       struct ops_service *ops, consumer_t **c, notify_service_t **ns)
{
    struct todo_err err;
    todo_err_clear(&err);
    *ns = notify_create(app, ncfg);
    *c = consumer_create("notify", ops->store, bus, NULL);
    notify_register(*c, *ns);
    if (consumer_subscribe(*c, &err)) {
        log_msg(LOG_ERROR, "cannot subscribe the notify consumer: %s", err.message);
        return -1;
    }
    ops->consumers[ops->n_consumers++] = *c;
    ops->notify = *ns;
    return 0;
}

/* The realtime part: the WebSocket hub and its broadcast subscription to task-updates, its
 * metrics on /metrics. Returns -1, having logged why. */
static int realtime_open(const struct todo_config *cfg, struct app *app, bus_t *bus,
                         struct realtime_service *rt, struct ops_service *ops)
{
    struct todo_err err;
    todo_err_clear(&err);
    struct ws_hub_config wc = {.queue_messages = cfg->ws_queue_messages,
                               .max_connections = cfg->ws_max_connections};
    if (realtime_start(rt, app, &wc, &err) || realtime_subscribe(rt, bus, &err)) {
        log_msg(LOG_ERROR, "cannot start realtime: %s", err.message);
        return -1;
    }
    ops->extra_metrics = realtime_metrics;
    ops->extra_metrics_ctx = rt;
    return 0;
}

/* Each role prunes what it owns: its consumers' processed_events records, and sent outbox
 * rows where it runs the relay (docs/decisions/0024-event-retention.md). */
static void start_retention(const struct todo_config *cfg, int parts, struct ops_service *ops)
{
    const char *names[OPS_MAX_CONSUMERS];
    for (int i = 0; i < ops->n_consumers; i++)
        names[i] = consumer_name(ops->consumers[i]);
    struct retention_config rcfg = {.processed_ms = cfg->event_retention_ms,
                                    .outbox_ms = (parts & PART_API) ? cfg->outbox_retention_ms : 0};
    if (ops->n_consumers == 0 && rcfg.outbox_ms == 0)
        return;
    ops->retention = retention_create(ops->store, names, ops->n_consumers, &rcfg);
    retention_start(ops->retention);
}

/* TODO_SCHEDULER as enum app_sched_mode. Every role that writes tasks records it, so with
 * Dapr a write queues its Jobs API calls. */
static int sched_mode(const struct todo_config *cfg)
{
    return strcmp(cfg->scheduler, "dapr") == 0   ? APP_SCHED_DAPR
           : strcmp(cfg->scheduler, "none") == 0 ? APP_SCHED_NONE
                                                 : APP_SCHED_DB;
}

/* The reminder scheduler of the roles that serve the API (docs/decisions/0029): the db
 * scheduler's thread, the dapr one's (which feeds the Jobs API), or none. */
static void start_scheduler(const struct todo_config *cfg, int parts, struct app *app,
                            struct ops_service *ops)
{
    if (!(parts & PART_API) || app->sched_mode == APP_SCHED_NONE)
        return;
    bool dapr = app->sched_mode == APP_SCHED_DAPR;
    struct sched_config scfg = {.mode = dapr ? "dapr" : "db"};
    if (dapr) /* the thread sends the queued Jobs API calls (docs/decisions/0030) */
        app->jobs = sched_dapr_create(cfg->dapr_jobs_url);
    ops->sched = sched_create(&scfg, dapr ? app_reminders_send_jobs : app_reminders_fire_due, app);
    __atomic_store_n(&app->sched, ops->sched, __ATOMIC_RELEASE);
    sched_start(ops->sched); /* its first step fires what came due while we were down */
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
    struct notify_config ncfg; /* also tells the api whether private URLs are allowed */
    if (notify_config_load(&ncfg, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return 2;
    }
    if (sodium_init() < 0) {
        log_msg(LOG_ERROR, "libsodium failed to initialise");
        return 1;
    }
    /* TODO_DAPR_SECRETS: the settings it holds, before anything uses them (docs/decisions/0049) */
    unsigned needs = DAPR_SECRETS_NEED_DATABASE |
                     ((parts & (PART_API | PART_REALTIME)) ? DAPR_SECRETS_NEED_JWT : 0);
    if (dapr_secrets_apply(&cfg, &ncfg, needs, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return err.rc == TODO_ERR_CONFLICT ? 2 : 1;
    }
    if ((parts & (PART_API | PART_REALTIME)) && !cfg.jwt_secret_len &&
        config_load_jwt_secret(&cfg, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return 1;
    }
    struct dapr_service dapr = {0}; /* dapr bus: the routes the sidecar calls */
    if (strcmp(cfg.bus, "dapr") == 0 && open_dapr_auth(&cfg, &dapr.auth))
        return 2;
    sigset_t sigs;
    serve_block_stop_signals(&sigs); /* before any thread starts */

    int code = 1;
    store_t *store;
    if (open_store(&cfg, &store))
        return 1;
    static_files_t *web = NULL; /* outlives the server: bodies are sent from it uncopied */
    if ((parts & PART_API) && serve_open_web(&cfg, &web))
        goto out_destroy_store;
    bus_t *bus = open_bus(&cfg, command, store);
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
    app.sched_mode = sched_mode(&cfg); /* before any thread writes tasks */
    memset(&cfg.jwt_secret, 0, sizeof cfg.jwt_secret);

    struct ops_service ops = {.store = store, .bus = bus};
    dapr.bus = bus;
    dapr.app = (parts & PART_API) ? &app : NULL; /* POST /job/{name}: the Jobs API's callbacks */
    consumer_t *audit = NULL, *recurring = NULL, *notify = NULL;
    notify_service_t *notifier = NULL;
    struct realtime_service realtime = {0};
    /* LLM mode, or NULL */
    int llm_rc = (parts & PART_API) ? llm_setup_open(&cfg, &app.llm, &err) : TODO_OK;
    sodium_memzero(cfg.llm_api_key, sizeof cfg.llm_api_key); /* the brain has its copy */
    if (llm_rc) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_release;
    }
    ops.llm = app.llm;
    if (parts & PART_AUDIT) {
        audit = consumer_create("audit", store, bus, NULL);
        audit_register(audit, &app);
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
    if ((parts & PART_NOTIFY) && open_notify(&app, bus, &ncfg, &ops, &notify, &notifier))
        goto out_release;
    if ((parts & PART_REALTIME) && realtime_open(&cfg, &app, bus, &realtime, &ops))
        goto out_release;
    if (strcmp(bus_name(bus), "local") == 0 && dead_letters_keep(bus, store, &err)) {
        log_msg(LOG_ERROR, "cannot keep dead letters: %s", err.message);
        goto out_release;
    }
    /* realtime checks tokens too, so it reads revoked sessions as well */
    if ((parts & (PART_API | PART_REALTIME)) && app_sessions_start(&app) != TODO_OK) {
        log_msg(LOG_ERROR, "cannot read revoked sessions: %s", store_last_error(store));
        goto out_release;
    }
    if (bus_start(bus, &err)) {
        log_msg(LOG_ERROR, "cannot start the %s bus: %s", bus_name(bus), err.message);
        goto out_release;
    }
    if (parts & (PART_API | PART_NOTIFY)) { /* notify writes todo.notification.created */
        ops.relay = outbox_relay_start(store, bus, NULL);
        /* consumer threads already run and may read it (app_events_committed) */
        __atomic_store_n(&app.relay, ops.relay, __ATOMIC_RELEASE);
    }
    start_retention(&cfg, parts, &ops);
    start_scheduler(&cfg, parts, &app, &ops);
    if (notifier)
        notify_start(notifier); /* its own delivery threads */

    struct http_server_config hcfg = {
        .listen = cfg.listen,
        .threads = cfg.threads,
        .max_body = cfg.max_body,
        .access_log = cfg.access_log,
    };
    /* two hashing threads: argon2id takes 64 MiB each, and both CPUs of a small machine */
    struct api_service api = {.app = &app, .store = store};
    struct api_service api_invoked; /* the same routes on the callback listener (dapr bus) */
    if (http_server_create(&hcfg, &ops.server, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_stop_relay;
    }
    api.server = ops.server;
    if (parts & PART_API) {
        /* the queue holds both admission lanes (docs/decisions/0017) */
        api.slow = workpool_create(2, APP_LANE_LOGIN_MAX + APP_LANE_SIGNUP_MAX);
        struct api_mcp_config mcfg = {.allowed_origins = cfg.mcp_allowed_origins};
        api.mcp = api_mcp_create(&mcfg); /* /mcp's tool calls run on its pool */
        if (open_chat(&cfg, &app, &api))
            goto out_destroy_server;
        ops.chat = api.chat;
        api_routes_register(&api);
    }
    ops_routes_register(&ops);
    if (realtime.hub)
        realtime_routes_register(&realtime, ops.server);
    if (web)
        http_server_set_fallback(ops.server, "static", static_files_handle, web);
    dapr.trusted_caller = cfg.web_app_id; /* whose calls name the client's address */
    if (bus_is_dapr(bus) && open_dapr_listener(&cfg, parts & PART_API, &dapr)) /* dapr bus */
        goto out_destroy_server;
    if (dapr.registered && (parts & PART_API)) {
        /* the front door's calls arrive here through the sidecars (docs/decisions/0049) */
        api_invoked = api;
        api_invoked.server = dapr.server;
        api_routes_register(&api_invoked);
        http_server_count_into(dapr.server, ops.server); /* one API in /metrics */
    }
    if (http_server_start(ops.server, &err) ||
        (dapr.registered && dapr_routes_start(&dapr, &err))) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_destroy_server;
    }
    log_listening(&cfg, &ops, &dapr, store, bus);

    int sig = 0;
    sigwait(&sigs, &sig);
    log_msg(LOG_INFO, "received %s; finishing in-flight work",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /* Stop accepting new connections; requests on open ones may still arrive. Dapr
     * deliveries in progress finish and later ones are answered RETRY. Then wait for the
     * requests in flight, suspended ones included: the slow-work pool stays up until they
     * are answered (a sign-in arriving now must find it, not a freed pool). */
    http_server_quiesce(ops.server);
    if (app.llm) /* chat turns waiting on the model end now (the built-in brain answers) */
        assistant_llm_stop(app.llm);
    realtime_stop(&realtime); /* WebSockets closed (1001) before the server may stop */
    dapr_routes_stop(&dapr, SHUTDOWN_GRACE_MS);
    http_server_stop(ops.server, SHUTDOWN_GRACE_MS);
    workpool_destroy(api.slow);
    api.slow = NULL;
    api_mcp_destroy(api.mcp);
    api.mcp = NULL;
    workpool_destroy(api.chat_pool); /* turns queued still run and answer */
    api.chat_pool = NULL;
    code = 0;
out_destroy_server:
    dapr_routes_stop(&dapr, 0); /* no callback request counts into ops.server any more */
    realtime_stop(&realtime);
    workpool_destroy(api.slow);
    api_mcp_destroy(api.mcp);
    workpool_destroy(api.chat_pool);
    app_chat_destroy(api.chat);
    http_server_destroy(ops.server);
    dapr_routes_release(&dapr); /* dapr bus; wipes the token's digest */
out_stop_relay:
    /* Consumers first (every bus runs them on threads of their own, and a handler may wake
     * the relay), then the relay publishes what is pending, bounded; on the local bus that
     * queues it in the database for the next start (docs/events/README.md). */
    sched_stop(ops.sched); /* joined before the relay's last drain: its events go out */
    bus_stop(bus);
    notify_stop(notifier); /* sends in progress finish, bounded by their timeout */
    outbox_relay_stop(app.relay, RELAY_DRAIN_MS);
    app.relay = NULL;
out_release:
    assistant_llm_destroy(app.llm); /* no chat turn runs any more */
    app.llm = NULL;
    app.sched = NULL;
    sched_destroy(ops.sched);
    sched_dapr_destroy(app.jobs);
    app.jobs = NULL;
    retention_destroy(ops.retention);
    bus_destroy(bus);
    consumer_destroy(audit);
    consumer_destroy(recurring);
    consumer_destroy(notify);
    notify_destroy(notifier);
    realtime_release(&realtime); /* after bus_stop: no handler feeds it */
    app_release(&app);
out_destroy_store:
    static_files_destroy(web);
    store_destroy(store);
    dapr_routes_release(&dapr); /* the token's digest, when nothing got further */
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
    /* listed only (never served here): the realtime part serves it with its hub */
    http_route_add(api.server, "GET", "/ws", ws_handle_upgrade, NULL);
    http_routes_each(api.server, print_route, NULL);
    http_server_destroy(api.server);
    return 0;
}
