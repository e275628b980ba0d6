/* serve.c - process lifecycle of the service roles (docs/architecture.md, "What runs").
 *
 * A role is a set of parts: the REST API (which writes events to the outbox and relays
 * them), and consumers (audit, recurring, notify, realtime). `todo serve` runs every part in
 * one process over the in-process bus; `todo api`, `todo audit` and the others run one part
 * each, over Kafka or Dapr. The same handler code runs either way. serve_main runs the
 * phases in order: configure, open the store, the web UI and the bus, the app and the
 * parts, start the background threads, open and start the servers, wait for a signal and
 * drain, then close each in reverse.
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

/* SIGTERM and SIGINT blocked in this thread and every thread it starts (taken by sigwait);
 * SIGPIPE ignored. */
void serve_block_stop_signals(sigset_t *sigs)
{
    assert(sigs);
    sigemptyset(sigs);
    sigaddset(sigs, SIGTERM);
    sigaddset(sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The web UI, for the roles that serve the API: the export in cfg->web_dir read into
 * memory; when the directory does not exist, a page saying so (with a warning); nothing
 * when web_dir is "". Returns -1, having logged why, when the directory cannot be loaded. */
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

/* The notify part (docs/decisions/0031-notification-deliveries.md): its consumer on
 * reminders and its delivery pool (started later, by notify_start). Sets *c and *ns even on
 * failure (the caller destroys them); returns -1, having logged why. */
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

/* One process's parts, from start to stop: serve_main's phases share it. */
struct serve {
    const char *command;
    int parts; /* enum role_part */
    struct todo_config cfg;
    struct notify_config ncfg; /* also tells the api whether private URLs are allowed */
    struct dapr_service dapr;  /* dapr bus: the routes the sidecar calls */
    sigset_t sigs;
    store_t *store;
    static_files_t *web; /* outlives the server: bodies are sent from it uncopied */
    bus_t *bus;
    struct app app;
    struct ops_service ops;
    consumer_t *audit, *recurring, *notify;
    notify_service_t *notifier;
    struct realtime_service realtime;
    struct api_service api;
    struct api_service api_invoked; /* the same routes on the callback listener (dapr bus) */
};

/* Configuration, secrets and signals, before anything opens: -1 to go on, else the exit
 * code (2: a usage or configuration error). */
static int serve_configure(struct serve *s, int argc, char **argv)
{
    struct todo_err err;
    todo_err_clear(&err);
    if (config_load(&s->cfg, argc, argv, &err)) {
        fprintf(stderr, "todo %s: %s\n", s->command, err.message);
        config_usage(s->command);
        return 2;
    }
    log_init(s->command, (enum log_level)s->cfg.log_level);
    if (!(s->parts & PART_API) && strcmp(s->cfg.bus, "local") == 0) {
        log_msg(LOG_ERROR, "todo %s consumes events from another process: use --bus kafka or dapr",
                s->command);
        return 2;
    }
    if (notify_config_load(&s->ncfg, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return 2;
    }
    if (sodium_init() < 0) {
        log_msg(LOG_ERROR, "libsodium failed to initialise");
        return 1;
    }
    /* TODO_DAPR_SECRETS: the settings it holds, before anything uses them (docs/decisions/0049) */
    bool tokens = s->parts & (PART_API | PART_REALTIME);
    unsigned needs = DAPR_SECRETS_NEED_DATABASE | (tokens ? DAPR_SECRETS_NEED_JWT : 0);
    if (dapr_secrets_apply(&s->cfg, &s->ncfg, needs, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return err.rc == TODO_ERR_CONFLICT ? 2 : 1;
    }
    if (tokens && !s->cfg.jwt_secret_len && config_load_jwt_secret(&s->cfg, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        return 1;
    }
    if (strcmp(s->cfg.bus, "dapr") == 0 && open_dapr_auth(&s->cfg, &s->dapr.auth))
        return 2;
    serve_block_stop_signals(&s->sigs); /* before any thread starts */
    return -1;
}

/* The use cases over the store, with the signing secret wiped from the configuration. */
static void serve_init_app(struct serve *s)
{
    struct app_config acfg = {
        .jwt_secret = s->cfg.jwt_secret,
        .jwt_secret_len = s->cfg.jwt_secret_len,
        .token_ttl_ms = s->cfg.token_ttl_ms,
        .login_limit_email = s->cfg.login_limit_email,
        .login_limit_addr = s->cfg.login_limit_addr,
        .signup_limit_addr = s->cfg.signup_limit_addr,
        .role = s->command,
    };
    app_init(&s->app, s->store, &acfg);
    s->app.sched_mode = sched_mode(&s->cfg); /* before any thread writes tasks */
    memset(&s->cfg.jwt_secret, 0, sizeof s->cfg.jwt_secret);
    s->ops = (struct ops_service){.store = s->store, .bus = s->bus};
    s->api = (struct api_service){.app = &s->app, .store = s->store};
    s->dapr.bus = s->bus;
    /* POST /job/{name}: the Jobs API's callbacks */
    s->dapr.app = (s->parts & PART_API) ? &s->app : NULL;
}

/* A consumer with its handlers (register), subscribed; 0, or -1 logged. */
static int open_consumer(struct serve *s, const char *group, consumer_t **c,
                         void (*register_fn)(consumer_t *, struct app *))
{
    struct todo_err err;
    todo_err_clear(&err);
    *c = consumer_create(group, s->store, s->bus, NULL);
    register_fn(*c, &s->app);
    if (consumer_subscribe(*c, &err)) {
        log_msg(LOG_ERROR, "cannot subscribe the %s consumer: %s", group, err.message);
        return -1;
    }
    s->ops.consumers[s->ops.n_consumers++] = *c;
    return 0;
}

/* The LLM brain and the role's consumers, not yet running; 0, or -1 logged. */
static int serve_open_parts(struct serve *s)
{
    struct todo_err err;
    todo_err_clear(&err);
    /* LLM mode, or NULL */
    int rc = (s->parts & PART_API) ? llm_setup_open(&s->cfg, &s->app.llm, &err) : TODO_OK;
    sodium_memzero(s->cfg.llm_api_key, sizeof s->cfg.llm_api_key); /* the brain has its copy */
    if (rc) {
        log_msg(LOG_ERROR, "%s", err.message);
        return -1;
    }
    s->ops.llm = s->app.llm;
    if (((s->parts & PART_AUDIT) && open_consumer(s, "audit", &s->audit, audit_register)) ||
        ((s->parts & PART_RECURRING) &&
         open_consumer(s, "recurring", &s->recurring, recurring_register)) ||
        ((s->parts & PART_NOTIFY) &&
         open_notify(&s->app, s->bus, &s->ncfg, &s->ops, &s->notify, &s->notifier)) ||
        ((s->parts & PART_REALTIME) &&
         realtime_open(&s->cfg, &s->app, s->bus, &s->realtime, &s->ops)))
        return -1;
    if (strcmp(bus_name(s->bus), "local") == 0 && dead_letters_keep(s->bus, s->store, &err)) {
        log_msg(LOG_ERROR, "cannot keep dead letters: %s", err.message);
        return -1;
    }
    return 0;
}

/* The bus, the relay and the background threads. Fails (-1, logged) only before anything
 * started, so the caller then has nothing to stop. */
static int serve_start_background(struct serve *s)
{
    struct todo_err err;
    todo_err_clear(&err);
    /* realtime checks tokens too, so it reads revoked sessions as well */
    if ((s->parts & (PART_API | PART_REALTIME)) && app_sessions_start(&s->app) != TODO_OK) {
        log_msg(LOG_ERROR, "cannot read revoked sessions: %s", store_last_error(s->store));
        return -1;
    }
    if (bus_start(s->bus, &err)) {
        log_msg(LOG_ERROR, "cannot start the %s bus: %s", bus_name(s->bus), err.message);
        return -1;
    }
    if (s->parts & (PART_API | PART_NOTIFY)) { /* notify writes todo.notification.created */
        s->ops.relay = outbox_relay_start(s->store, s->bus, NULL);
        /* consumer threads already run and may read it (app_events_committed) */
        __atomic_store_n(&s->app.relay, s->ops.relay, __ATOMIC_RELEASE);
    }
    start_retention(&s->cfg, s->parts, &s->ops);
    start_scheduler(&s->cfg, s->parts, &s->app, &s->ops);
    if (s->notifier)
        notify_start(s->notifier); /* its own delivery threads */
    return 0;
}

/* The role's routes on the server s->ops.server (created), and with the Dapr bus the
 * sidecar's callback listener; then both listen. 0, or -1 logged. */
static int serve_open_http(struct serve *s)
{
    struct todo_err err;
    todo_err_clear(&err);
    s->api.server = s->ops.server;
    if (s->parts & PART_API) {
        /* two hashing threads: argon2id takes 64 MiB each, and both CPUs of a small machine;
         * the queue holds both admission lanes (docs/decisions/0017) */
        s->api.slow = workpool_create(2, APP_LANE_LOGIN_MAX + APP_LANE_SIGNUP_MAX);
        struct api_mcp_config mcfg = {.allowed_origins = s->cfg.mcp_allowed_origins};
        s->api.mcp = api_mcp_create(&mcfg); /* /mcp's tool calls run on its pool */
        if (open_chat(&s->cfg, &s->app, &s->api))
            return -1;
        s->ops.chat = s->api.chat;
        api_routes_register(&s->api);
    }
    ops_routes_register(&s->ops);
    if (s->realtime.hub)
        realtime_routes_register(&s->realtime, s->ops.server);
    if (s->web)
        http_server_set_fallback(s->ops.server, "static", static_files_handle, s->web);
    s->dapr.trusted_caller = s->cfg.web_app_id; /* whose calls name the client's address */
    if (bus_is_dapr(s->bus) && open_dapr_listener(&s->cfg, s->parts & PART_API, &s->dapr))
        return -1;
    if (s->dapr.registered && (s->parts & PART_API)) {
        /* the front door's calls arrive here through the sidecars (docs/decisions/0049) */
        s->api_invoked = s->api;
        s->api_invoked.server = s->dapr.server;
        api_routes_register(&s->api_invoked);
        http_server_count_into(s->dapr.server, s->ops.server); /* one API in /metrics */
    }
    if (http_server_start(s->ops.server, &err) ||
        (s->dapr.registered && dapr_routes_start(&s->dapr, &err))) {
        log_msg(LOG_ERROR, "%s", err.message);
        return -1;
    }
    log_listening(&s->cfg, &s->ops, &s->dapr, s->store, s->bus);
    return 0;
}

/* Until SIGTERM or SIGINT; then stops accepting new connections (requests on open ones may
 * still arrive), finishes Dapr deliveries in progress (later ones are answered RETRY) and
 * waits for the requests in flight, suspended ones included: the slow-work pool stays up
 * until they are answered (a sign-in arriving now must find it, not a freed pool). */
static void serve_wait_and_drain(struct serve *s)
{
    int sig = 0;
    sigwait(&s->sigs, &sig);
    log_msg(LOG_INFO, "received %s; finishing in-flight work",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_server_quiesce(s->ops.server);
    if (s->app.llm) /* chat turns waiting on the model end now (the built-in brain answers) */
        assistant_llm_stop(s->app.llm);
    realtime_stop(&s->realtime); /* WebSockets closed (1001) before the server may stop */
    dapr_routes_stop(&s->dapr, SHUTDOWN_GRACE_MS);
    http_server_stop(s->ops.server, SHUTDOWN_GRACE_MS);
    workpool_destroy(s->api.slow);
    s->api.slow = NULL;
    api_mcp_destroy(s->api.mcp);
    s->api.mcp = NULL;
    workpool_destroy(s->api.chat_pool); /* turns queued still run and answer */
    s->api.chat_pool = NULL;
}

/* The servers and what only requests use; after a drain, or a failed start. */
static void serve_close_http(struct serve *s)
{
    dapr_routes_stop(&s->dapr, 0); /* no callback request counts into ops.server any more */
    realtime_stop(&s->realtime);
    workpool_destroy(s->api.slow);
    api_mcp_destroy(s->api.mcp);
    workpool_destroy(s->api.chat_pool);
    app_chat_destroy(s->api.chat);
    http_server_destroy(s->ops.server);
    dapr_routes_release(&s->dapr); /* dapr bus; wipes the token's digest */
}

/* Consumers first (every bus runs them on threads of their own, and a handler may wake the
 * relay), then the relay publishes what is pending, bounded; on the local bus that queues it
 * in the database for the next start (docs/events/README.md). */
static void serve_stop_background(struct serve *s)
{
    sched_stop(s->ops.sched); /* joined before the relay's last drain: its events go out */
    bus_stop(s->bus);
    notify_stop(s->notifier); /* sends in progress finish, bounded by their timeout */
    outbox_relay_stop(s->app.relay, RELAY_DRAIN_MS);
    s->app.relay = NULL;
}

/* Everything serve_init_app and serve_open_parts made, and the bus. */
static void serve_release(struct serve *s)
{
    assistant_llm_destroy(s->app.llm); /* no chat turn runs any more */
    s->app.llm = NULL;
    s->app.sched = NULL;
    sched_destroy(s->ops.sched);
    sched_dapr_destroy(s->app.jobs);
    s->app.jobs = NULL;
    retention_destroy(s->ops.retention);
    bus_destroy(s->bus);
    consumer_destroy(s->audit);
    consumer_destroy(s->recurring);
    consumer_destroy(s->notify);
    notify_destroy(s->notifier);
    realtime_release(&s->realtime); /* after bus_stop: no handler feeds it */
    app_release(&s->app);
}

/* From an open store to the stop: the exit code. */
static int serve_run(struct serve *s)
{
    if ((s->parts & PART_API) && serve_open_web(&s->cfg, &s->web))
        return 1;
    s->bus = open_bus(&s->cfg, s->command, s->store);
    if (!s->bus)
        return 1;
    serve_init_app(s);
    int code = 1;
    if (serve_open_parts(s) || serve_start_background(s))
        goto out_release;
    struct http_server_config hcfg = {
        .listen = s->cfg.listen,
        .threads = s->cfg.threads,
        .max_body = s->cfg.max_body,
        .access_log = s->cfg.access_log,
    };
    struct todo_err err;
    todo_err_clear(&err);
    if (http_server_create(&hcfg, &s->ops.server, &err)) {
        log_msg(LOG_ERROR, "%s", err.message);
        goto out_stop;
    }
    if (serve_open_http(s) == 0) {
        serve_wait_and_drain(s);
        code = 0;
    }
    serve_close_http(s);
out_stop:
    serve_stop_background(s);
out_release:
    serve_release(s);
    return code;
}

int serve_main(const char *command, int argc, char **argv)
{
    struct serve s = {.command = command, .parts = role_parts(command)};
    int code = serve_configure(&s, argc, argv);
    if (code >= 0)
        return code;
    code = 1;
    if (open_store(&s.cfg, &s.store) == 0) {
        code = serve_run(&s);
        static_files_destroy(s.web);
        store_destroy(s.store);
    }
    dapr_routes_release(&s.dapr); /* the token's digest, when nothing got further */
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
