/* config.c - TODO_* variables, then flags; and the JWT secret, generated once and kept
 * under the data directory in the embedded mode. */
#include "services/config.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* A text setting into field (size bytes): 1..size-1 bytes. */
static int set_text(char *field, size_t size, const char *name, const char *value,
                    struct todo_err *err)
{
    if (!*value || strlen(value) >= size)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "%s must be 1..%zu bytes", name, size - 1);
    snprintf(field, size, "%s", value);
    return TODO_OK;
}

/* LLM mode's settings (docs/assistant-llm.md); the key itself is read by llm_setup.c. */
static int set_llm_option(struct todo_config *cfg, const char *name, const char *value,
                          struct todo_err *err)
{
    long v;
    if (strcmp(name, "llm-base-url") == 0) {
        if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                                "llm base url must be http://... or https://...");
        return set_text(cfg->llm_base_url, sizeof cfg->llm_base_url, name, value, err);
    }
    if (strcmp(name, "llm-model") == 0)
        return set_text(cfg->llm_model, sizeof cfg->llm_model, name, value, err);
    if (strcmp(name, "llm-api-key-file") == 0)
        return set_text(cfg->llm_api_key_file, sizeof cfg->llm_api_key_file, name, value, err);
    if (strcmp(name, "llm-api-key-secret") == 0)
        return set_text(cfg->llm_api_key_secret, sizeof cfg->llm_api_key_secret, name, value, err);
    if (strcmp(name, "dapr-secret-store") == 0)
        return set_text(cfg->dapr_secret_store, sizeof cfg->dapr_secret_store, name, value, err);
    if (strcmp(name, "llm-timeout-ms") == 0) {
        if (parse_long(value, 100, 600000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "llm timeout must be 100..600000 ms");
        cfg->llm_timeout_ms = (int)v;
    } else if (strcmp(name, "llm-max-steps") == 0) {
        if (parse_long(value, 1, 50, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "llm max steps must be 1..50");
        cfg->llm_max_steps = (int)v;
    } else if (strcmp(name, "llm-retries") == 0) {
        if (parse_long(value, 0, 10, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "llm retries must be 0..10");
        cfg->llm_retries = (int)v;
    } else if (strcmp(name, "llm-stream") == 0) {
        if (strcmp(value, "1") != 0 && strcmp(value, "0") != 0 && strcmp(value, "true") != 0 &&
            strcmp(value, "false") != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                                "llm stream must be 1, 0, true or false");
        cfg->llm_stream = strcmp(value, "1") == 0 || strcmp(value, "true") == 0;
    } else {
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "unknown option --%s", name);
    }
    return TODO_OK;
}

/* LLM mode needs both a server and a model, and one source for its key. */
static int check_llm(const struct todo_config *cfg, struct todo_err *err)
{
    if (!cfg->llm_base_url[0] != !cfg->llm_model[0])
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "LLM mode needs both TODO_LLM_BASE_URL and TODO_LLM_MODEL");
    if (cfg->llm_api_key_file[0] && cfg->llm_api_key_secret[0])
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "give the model's key as a file or as a secret, not both");
    if (cfg->llm_api_key_secret[0] && strcmp(cfg->bus, "dapr") != 0)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "TODO_LLM_API_KEY_SECRET reads the Dapr secret store: use --bus dapr");
    return TODO_OK;
}

/* The settings of running on Kubernetes: secrets from Dapr and the web front door
 * (docs/decisions/0049-kubernetes-app-side.md). */
static int set_k8s_option(struct todo_config *cfg, const char *name, const char *value,
                          struct todo_err *err)
{
    long v;
    if (strcmp(name, "dapr-secrets") == 0)
        return set_text(cfg->dapr_secrets, sizeof cfg->dapr_secrets, name, value, err);
    if (strcmp(name, "web-api-app-id") == 0)
        return set_text(cfg->web_api_app_id, sizeof cfg->web_api_app_id, name, value, err);
    if (strcmp(name, "web-app-id") == 0)
        return set_text(cfg->web_app_id, sizeof cfg->web_app_id, name, value, err);
    if (strcmp(name, "web-timeout-ms") == 0) {
        if (parse_long(value, 100, 600000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "web timeout must be 100..600000 ms");
        cfg->web_timeout_ms = (int)v;
    } else if (strcmp(name, "web-workers") == 0) {
        if (parse_long(value, 1, 256, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "web workers must be 1..256");
        cfg->web_workers = (unsigned)v;
    } else if (strcmp(name, "web-trust-forwarded") == 0) {
        if (strcmp(value, "1") != 0 && strcmp(value, "0") != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "web-trust-forwarded must be 1 or 0");
        cfg->web_trust_forwarded = strcmp(value, "1") == 0;
    } else if (strcmp(name, "web-queue") == 0) {
        if (parse_long(value, 1, 100000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "web queue must be 1..100000");
        cfg->web_queue = (unsigned)v;
    } else {
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "unknown option --%s", name);
    }
    return TODO_OK;
}

static int set_option(struct todo_config *cfg, const char *name, const char *value,
                      struct todo_err *err)
{
    long v;
    if (strcmp(name, "listen") == 0) {
        snprintf(cfg->listen, sizeof cfg->listen, "%s", value);
    } else if (strcmp(name, "database") == 0) {
        snprintf(cfg->database_url, sizeof cfg->database_url, "%s", value);
        cfg->database_url_given = true;
    } else if (strcmp(name, "data-dir") == 0) {
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", value);
    } else if (strcmp(name, "threads") == 0) {
        if (parse_long(value, 0, 256, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "threads must be 0..256");
        cfg->threads = (unsigned)v;
    } else if (strcmp(name, "log-level") == 0) {
        int l = log_level_parse(value);
        if (l < 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                                "log level must be debug, info, warn or error");
        cfg->log_level = l;
    } else if (strcmp(name, "access-log") == 0) {
        cfg->access_log = strcmp(value, "0") != 0 && strcmp(value, "false") != 0;
    } else if (strcmp(name, "token-ttl") == 0) {
        if (parse_long(value, 60, 366L * 86400, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "token ttl must be 60..31622400 s");
        cfg->token_ttl_ms = v * 1000;
    } else if (strcmp(name, "event-retention") == 0 || strcmp(name, "outbox-retention") == 0) {
        /* docs/decisions/0024-event-retention.md */
        if (parse_long(value, 1, 366L * 86400, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "%s must be 1..31622400 s", name);
        *(name[0] == 'e' ? &cfg->event_retention_ms : &cfg->outbox_retention_ms) = v * 1000;
    } else if (strcmp(name, "login-limit") == 0) {
        if (parse_long(value, 0, 1000000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "login limit must be 0..1000000");
        cfg->login_limit_email = (int)v;
    } else if (strcmp(name, "login-limit-addr") == 0) {
        if (parse_long(value, 0, 1000000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "login limit must be 0..1000000");
        cfg->login_limit_addr = (int)v;
    } else if (strcmp(name, "signup-limit-addr") == 0) {
        if (parse_long(value, 0, 1000000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "signup limit must be 0..1000000");
        cfg->signup_limit_addr = (int)v;
    } else if (strcmp(name, "bus") == 0) {
        if (strcmp(value, "local") != 0 && strcmp(value, "kafka") != 0 &&
            strcmp(value, "dapr") != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "bus must be local, kafka or dapr");
        snprintf(cfg->bus, sizeof cfg->bus, "%s", value);
    } else if (strcmp(name, "kafka-brokers") == 0) {
        snprintf(cfg->kafka_brokers, sizeof cfg->kafka_brokers, "%s", value);
    } else if (strcmp(name, "instance-id") == 0) {
        snprintf(cfg->instance_id, sizeof cfg->instance_id, "%s", value);
    } else if (strcmp(name, "dapr-http-port") == 0) {
        if (parse_long(value, 1, 65535, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "dapr http port must be 1..65535");
        cfg->dapr_http_port = (unsigned)v;
    } else if (strcmp(name, "dapr-pubsub") == 0) {
        if (!*value || strlen(value) >= sizeof cfg->dapr_pubsub)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "dapr pubsub name must be 1..63 bytes");
        snprintf(cfg->dapr_pubsub, sizeof cfg->dapr_pubsub, "%s", value);
    } else if (strcmp(name, "dapr-app-listen") == 0) {
        if (!*value || strlen(value) >= sizeof cfg->dapr_app_listen)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "dapr app listen must be HOST:PORT");
        snprintf(cfg->dapr_app_listen, sizeof cfg->dapr_app_listen, "%s", value);
    } else if (strcmp(name, "dapr-insecure-no-app-token") == 0) {
        if (strcmp(value, "1") != 0 && strcmp(value, "0") != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                                "dapr-insecure-no-app-token must be 1 or 0");
        cfg->dapr_no_app_token = strcmp(value, "1") == 0;
    } else if (strcmp(name, "scheduler") == 0) {
        if (strcmp(value, "db") != 0 && strcmp(value, "dapr") != 0 && strcmp(value, "none") != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "scheduler must be db, dapr or none");
        snprintf(cfg->scheduler, sizeof cfg->scheduler, "%s", value);
    } else if (strcmp(name, "dapr-jobs-url") == 0) {
        if (strncmp(value, "http://", 7) != 0 || strlen(value) >= sizeof cfg->dapr_jobs_url)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                                "dapr jobs url must be http://HOST:PORT");
        snprintf(cfg->dapr_jobs_url, sizeof cfg->dapr_jobs_url, "%s", value);
    } else if (strcmp(name, "chat-state") == 0) { /* docs/decisions/0040 */
        if (strcmp(value, "db") != 0 && strcmp(value, "dapr") != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "chat state must be db or dapr");
        snprintf(cfg->chat_state, sizeof cfg->chat_state, "%s", value);
    } else if (strcmp(name, "dapr-state-store") == 0) {
        if (!*value || strlen(value) >= sizeof cfg->dapr_state_store)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "dapr state store must be 1..63 bytes");
        snprintf(cfg->dapr_state_store, sizeof cfg->dapr_state_store, "%s", value);
    } else if (strcmp(name, "chat-workers") == 0) {
        if (parse_long(value, 1, 256, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "chat workers must be 1..256");
        cfg->chat_workers = (unsigned)v;
    } else if (strcmp(name, "chat-queue") == 0) {
        if (parse_long(value, 1, 100000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "chat queue must be 1..100000");
        cfg->chat_queue = (unsigned)v;
    } else if (strcmp(name, "ws-queue") == 0) { /* docs/decisions/0033-websocket-realtime.md */
        if (parse_long(value, 1, 65536, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "ws queue must be 1..65536 messages");
        cfg->ws_queue_messages = (unsigned)v;
    } else if (strcmp(name, "ws-max-connections") == 0) {
        if (parse_long(value, 1, 1000000, &v))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "ws max connections must be 1..1000000");
        cfg->ws_max_connections = (unsigned)v;
    } else if (strcmp(name, "web-dir") == 0) {
        if (strlen(value) >= sizeof cfg->web_dir)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "web dir must be under %zu bytes",
                                sizeof cfg->web_dir);
        snprintf(cfg->web_dir, sizeof cfg->web_dir, "%s", value);
    } else if (strncmp(name, "llm-", 4) == 0 || strcmp(name, "dapr-secret-store") == 0) {
        return set_llm_option(cfg, name, value, err);
    } else if (strncmp(name, "web-", 4) == 0 || strcmp(name, "dapr-secrets") == 0) {
        return set_k8s_option(cfg, name, value, err);
    } else if (strcmp(name, "mcp-allowed-origins") == 0) { /* docs/mcp.md, "Origins" */
        if (strlen(value) >= sizeof cfg->mcp_allowed_origins)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "mcp allowed origins too long");
        snprintf(cfg->mcp_allowed_origins, sizeof cfg->mcp_allowed_origins, "%s", value);
    } else {
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "unknown option --%s", name);
    }
    return TODO_OK;
}

/* An empty variable counts as unset, except where empty_means says it means something. */
static const struct {
    const char *env;
    const char *option;
    bool empty_means;
} env_map[] = {
    {"TODO_LISTEN", "listen"},
    {"TODO_DATABASE_URL", "database"},
    {"TODO_DATA_DIR", "data-dir"},
    {"TODO_THREADS", "threads"},
    {"TODO_LOG_LEVEL", "log-level"},
    {"TODO_ACCESS_LOG", "access-log"},
    {"TODO_TOKEN_TTL", "token-ttl"},
    {"TODO_EVENT_RETENTION", "event-retention"},
    {"TODO_OUTBOX_RETENTION", "outbox-retention"},
    {"TODO_LOGIN_LIMIT", "login-limit"},
    {"TODO_LOGIN_LIMIT_ADDR", "login-limit-addr"},
    {"TODO_SIGNUP_LIMIT_ADDR", "signup-limit-addr"},
    {"TODO_BUS", "bus"},
    {"TODO_KAFKA_BROKERS", "kafka-brokers"},
    {"TODO_INSTANCE_ID", "instance-id"},
    {"DAPR_HTTP_PORT", "dapr-http-port"}, /* daprd sets it for its app; TODO_ wins */
    {"TODO_DAPR_HTTP_PORT", "dapr-http-port"},
    {"TODO_DAPR_PUBSUB", "dapr-pubsub"},
    {"TODO_DAPR_APP_LISTEN", "dapr-app-listen"},
    {"TODO_DAPR_INSECURE_NO_APP_TOKEN", "dapr-insecure-no-app-token"},
    {"TODO_WEB_DIR", "web-dir", true}, /* "" turns the web UI off */
    {"TODO_SCHEDULER", "scheduler"},
    {"TODO_DAPR_JOBS_URL", "dapr-jobs-url"},
    {"TODO_CHAT_STATE", "chat-state"},
    {"TODO_DAPR_STATE_STORE", "dapr-state-store"},
    {"TODO_CHAT_WORKERS", "chat-workers"},
    {"TODO_CHAT_QUEUE", "chat-queue"},
    {"TODO_WS_QUEUE", "ws-queue"},
    {"TODO_WS_MAX_CONNECTIONS", "ws-max-connections"},
    {"TODO_LLM_BASE_URL", "llm-base-url"},
    {"TODO_LLM_MODEL", "llm-model"},
    {"TODO_LLM_API_KEY_FILE", "llm-api-key-file"},
    {"TODO_LLM_API_KEY_SECRET", "llm-api-key-secret"},
    {"TODO_DAPR_SECRET_STORE", "dapr-secret-store"},
    {"TODO_LLM_TIMEOUT_MS", "llm-timeout-ms"},
    {"TODO_LLM_MAX_STEPS", "llm-max-steps"},
    {"TODO_LLM_RETRIES", "llm-retries"},
    {"TODO_LLM_STREAM", "llm-stream"},
    {"TODO_MCP_ALLOWED_ORIGINS", "mcp-allowed-origins"},
    {"TODO_DAPR_SECRETS", "dapr-secrets"},
    {"TODO_WEB_API_APP_ID", "web-api-app-id"},
    {"TODO_WEB_APP_ID", "web-app-id"},
    {"TODO_WEB_TIMEOUT_MS", "web-timeout-ms"},
    {"TODO_WEB_WORKERS", "web-workers"},
    {"TODO_WEB_QUEUE", "web-queue"},
    {"TODO_WEB_TRUST_FORWARDED", "web-trust-forwarded"},
};

int config_load(struct todo_config *cfg, int argc, char **argv, struct todo_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->listen, sizeof cfg->listen, "127.0.0.1:8080");
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "./data");
    cfg->log_level = LOG_INFO;
    cfg->access_log = true;
    cfg->token_ttl_ms = 86400LL * 1000;
    cfg->event_retention_ms = 7 * 86400LL * 1000; /* Kafka's default log retention */
    cfg->outbox_retention_ms = 3600LL * 1000;
    cfg->login_limit_email = 10;
    cfg->login_limit_addr = 100;
    cfg->signup_limit_addr = 20;
    cfg->max_body = 1024 * 1024;
    snprintf(cfg->bus, sizeof cfg->bus, "local");
    char host[64] = "todo";
    gethostname(host, sizeof host - 1);
    snprintf(cfg->instance_id, sizeof cfg->instance_id, "%s-%ld", host, (long)getpid());
    cfg->dapr_http_port = 3500;
    snprintf(cfg->dapr_pubsub, sizeof cfg->dapr_pubsub, "pubsub");
    snprintf(cfg->dapr_app_listen, sizeof cfg->dapr_app_listen, "127.0.0.1:8081");
    snprintf(cfg->web_dir, sizeof cfg->web_dir, "web/out");
    snprintf(cfg->scheduler, sizeof cfg->scheduler, "db");
    snprintf(cfg->dapr_state_store, sizeof cfg->dapr_state_store, "statestore");
    cfg->chat_workers = 8;
    cfg->chat_queue = 256;
    cfg->ws_queue_messages = 256;
    cfg->ws_max_connections = 10000;
    snprintf(cfg->dapr_secret_store, sizeof cfg->dapr_secret_store, "secretstore");
    cfg->llm_timeout_ms = 60000;
    cfg->llm_max_steps = 8;
    cfg->llm_retries = 2;
    snprintf(cfg->web_api_app_id, sizeof cfg->web_api_app_id, "todo-api");
    snprintf(cfg->web_app_id, sizeof cfg->web_app_id, "todo-web");
    cfg->web_timeout_ms = 30000;
    cfg->web_workers = 16;
    cfg->web_queue = 1024;
    for (size_t i = 0; i < sizeof env_map / sizeof env_map[0]; i++) {
        const char *v = getenv(env_map[i].env);
        if (v && (*v || env_map[i].empty_means) && set_option(cfg, env_map[i].option, v, err)) {
            char why[sizeof err->message]; /* a copy: the message is rewritten from it */
            snprintf(why, sizeof why, "%s", err->message);
            return todo_err_set(err, err->rc, "%s: %s", env_map[i].env, why);
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "unexpected argument %s", arg);
        char name[64];
        const char *value;
        const char *eq = strchr(arg, '=');
        if (eq) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - arg - 2), arg + 2);
            value = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", arg + 2);
            if (i + 1 >= argc)
                return todo_err_set(err, TODO_ERR_BAD_REQUEST, "--%s needs a value", name);
            value = argv[++i];
        }
        if (set_option(cfg, name, value, err))
            return err->rc;
    }
    if (strcmp(cfg->bus, "kafka") == 0 && !cfg->kafka_brokers[0])
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "the kafka bus needs TODO_KAFKA_BROKERS or --kafka-brokers");
    if (strcmp(cfg->scheduler, "dapr") == 0 && strcmp(cfg->bus, "dapr") != 0)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "the dapr scheduler needs the Dapr sidecar: use --bus dapr");
    if (check_llm(cfg, err))
        return err->rc;
    if (cfg->dapr_secrets[0] && strcmp(cfg->bus, "dapr") != 0)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "TODO_DAPR_SECRETS reads the Dapr secret store: use --bus dapr");
    if (!cfg->chat_state[0])
        snprintf(cfg->chat_state, sizeof cfg->chat_state, "%s",
                 strcmp(cfg->bus, "dapr") == 0 ? "dapr" : "db");
    if (!cfg->dapr_jobs_url[0])
        snprintf(cfg->dapr_jobs_url, sizeof cfg->dapr_jobs_url, "http://127.0.0.1:%u",
                 cfg->dapr_http_port);
    if (!cfg->database_url[0])
        snprintf(cfg->database_url, sizeof cfg->database_url, "sqlite:%s/todo.db", cfg->data_dir);
    return TODO_OK;
}

static int mkdir_p(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

static int read_secret_file(struct todo_config *cfg, const char *path, struct todo_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot read the JWT secret file %s: %s", path,
                            strerror(errno));
    size_t n = fread(cfg->jwt_secret, 1, sizeof cfg->jwt_secret, f);
    fclose(f);
    while (n && (cfg->jwt_secret[n - 1] == '\n' || cfg->jwt_secret[n - 1] == '\r'))
        n--;
    cfg->jwt_secret_len = n;
    return TODO_OK;
}

int config_load_jwt_secret(struct todo_config *cfg, struct todo_err *err)
{
    const char *env = getenv("TODO_JWT_SECRET");
    const char *file = getenv("TODO_JWT_SECRET_FILE");
    if (env && *env) {
        size_t n = strlen(env);
        if (n > sizeof cfg->jwt_secret)
            n = sizeof cfg->jwt_secret;
        memcpy(cfg->jwt_secret, env, n);
        cfg->jwt_secret_len = n;
    } else if (file && *file) {
        if (read_secret_file(cfg, file, err))
            return err->rc;
    } else {
        char path[600];
        snprintf(path, sizeof path, "%s/jwt.secret", cfg->data_dir);
        if (access(path, R_OK) != 0) {
            if (mkdir_p(cfg->data_dir))
                return todo_err_set(err, TODO_ERR_INTERNAL, "cannot create %s: %s", cfg->data_dir,
                                    strerror(errno));
            unsigned char raw[32];
            char hex[65];
            randombytes_buf(raw, sizeof raw);
            sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
            if (fd >= 0) {
                ssize_t w = write(fd, hex, 64);
                close(fd);
                if (w != 64)
                    return todo_err_set(err, TODO_ERR_INTERNAL, "cannot write %s", path);
                log_msg(LOG_INFO, "created a new token signing secret in %s", path);
            } else if (errno != EEXIST) {
                return todo_err_set(err, TODO_ERR_INTERNAL, "cannot create %s: %s", path,
                                    strerror(errno));
            }
        }
        if (read_secret_file(cfg, path, err))
            return err->rc;
    }
    if (cfg->jwt_secret_len < 32)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "the JWT secret must be at least 32 bytes long");
    return TODO_OK;
}

static void print_usage(FILE *out, const char *command)
{
    fprintf(out,
            "usage: todo %s [--listen HOST:PORT] [--database URL] [--data-dir DIR]\n"
            "       [--threads N] [--log-level LEVEL] [--access-log 0|1] [--token-ttl SECONDS]\n"
            "       [--login-limit N] [--login-limit-addr N] [--signup-limit-addr N]\n"
            "       [--event-retention SECONDS] [--outbox-retention SECONDS]\n"
            "       [--bus local|kafka|dapr]\n"
            "       [--kafka-brokers HOST:PORT,...] [--instance-id ID]\n"
            "       [--dapr-http-port PORT] [--dapr-pubsub NAME] [--dapr-app-listen HOST:PORT]\n"
            "       [--web-dir DIR] [--scheduler db|dapr|none] [--dapr-jobs-url URL]\n"
            "       [--chat-state db|dapr] [--dapr-state-store NAME] [--chat-workers N]\n"
            "       [--chat-queue N]\n"
            "       [--ws-queue N] [--ws-max-connections N]\n"
            "       [--llm-base-url URL --llm-model NAME] [--llm-api-key-file FILE]\n"
            "       [--llm-api-key-secret NAME] [--dapr-secret-store NAME] [--llm-timeout-ms MS]\n"
            "       [--llm-max-steps N] [--llm-retries N] [--llm-stream 0|1]\n"
            "       [--mcp-allowed-origins ORIGIN,...] [--dapr-secrets NAME]\n"
            "       [--web-api-app-id ID] [--web-app-id ID] [--web-timeout-ms MS]\n"
            "       [--web-workers N] [--web-queue N] [--web-trust-forwarded 0|1]\n"
            "Each flag has a TODO_* environment variable; see README.md.\n",
            command);
}

void config_usage(const char *command)
{
    print_usage(stderr, command);
}

void config_help(const char *command)
{
    print_usage(stdout, command);
}
