/* config.h - service configuration from TODO_* environment variables and command-line
 * flags (flags win). Every setting has a safe default for the embedded mode. */
#ifndef TODO_SERVICES_CONFIG_H
#define TODO_SERVICES_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct todo_config {
    char listen[256];            /* TODO_LISTEN, --listen */
    char database_url[1024];     /* TODO_DATABASE_URL, --database */
    char data_dir[512];          /* TODO_DATA_DIR, --data-dir */
    unsigned threads;            /* TODO_THREADS, --threads; 0 = CPUs */
    int log_level;               /* TODO_LOG_LEVEL */
    bool access_log;             /* TODO_ACCESS_LOG */
    int64_t token_ttl_ms;        /* TODO_TOKEN_TTL (seconds) */
    int login_limit_email;       /* TODO_LOGIN_LIMIT */
    int login_limit_addr;        /* TODO_LOGIN_LIMIT_ADDR */
    int signup_limit_addr;       /* TODO_SIGNUP_LIMIT_ADDR: per hour */
    size_t max_body;             /* 1 MiB */
    char bus[16];                /* TODO_BUS, --bus: local | kafka | dapr */
    char kafka_brokers[512];     /* TODO_KAFKA_BROKERS, --kafka-brokers */
    char instance_id[128];       /* TODO_INSTANCE_ID, --instance-id; default host-pid */
    unsigned dapr_http_port;     /* TODO_DAPR_HTTP_PORT or DAPR_HTTP_PORT, --dapr-http-port; 3500 */
    char dapr_pubsub[64];        /* TODO_DAPR_PUBSUB, --dapr-pubsub; default "pubsub" */
    char dapr_app_listen[256];   /* TODO_DAPR_APP_LISTEN, --dapr-app-listen: the sidecar's
                                    callbacks (its --app-port); default 127.0.0.1:8081 */
    bool dapr_no_app_token;      /* TODO_DAPR_INSECURE_NO_APP_TOKEN: accept callbacks without
                                    APP_API_TOKEN (unsafe; docs/operations.md) */
    char web_dir[1024];          /* TODO_WEB_DIR, --web-dir; default "web/out"; "" = no web UI */
    unsigned ws_queue_messages;  /* TODO_WS_QUEUE: per WebSocket, unsent messages; 256 */
    unsigned ws_max_connections; /* TODO_WS_MAX_CONNECTIONS: 10000 */
    char scheduler[8];           /* TODO_SCHEDULER, --scheduler: db (default) | dapr | none */
    char dapr_jobs_url[256];     /* TODO_DAPR_JOBS_URL, --dapr-jobs-url: the Jobs API's base
                                    URL; default the sidecar, http://127.0.0.1:<dapr_http_port> */
    char chat_state[8];          /* TODO_CHAT_STATE, --chat-state: db | dapr; default dapr with
                                    the dapr bus, else db (docs/decisions/0040) */
    char dapr_state_store[64];   /* TODO_DAPR_STATE_STORE, --dapr-state-store; "statestore" */
    unsigned chat_workers;       /* TODO_CHAT_WORKERS: threads running chat turns; 8 */
    unsigned chat_queue;         /* TODO_CHAT_QUEUE: turns waiting for them at most; 256 */
    /* TODO_EVENT_RETENTION, TODO_OUTBOX_RETENTION (seconds): processed_events, sent outbox */
    int64_t event_retention_ms, outbox_retention_ms;
    /* LLM mode (docs/assistant-llm.md): TODO_LLM_BASE_URL and TODO_LLM_MODEL turn it on; the
     * key from the file TODO_LLM_API_KEY_FILE or, with the dapr bus, the secret
     * TODO_LLM_API_KEY_SECRET of the store TODO_DAPR_SECRET_STORE (default "secretstore") */
    char llm_base_url[512], llm_model[128], llm_api_key_file[1024], llm_api_key_secret[128];
    char dapr_secret_store[64];
    int llm_timeout_ms;             /* TODO_LLM_TIMEOUT_MS: per model call; 60000 */
    int llm_max_steps;              /* TODO_LLM_MAX_STEPS: model calls per message; 8 */
    int llm_retries;                /* TODO_LLM_RETRIES: per model call; 2 */
    bool llm_stream;                /* TODO_LLM_STREAM: ask for streamed replies; false */
    char mcp_allowed_origins[1024]; /* TODO_MCP_ALLOWED_ORIGINS, --mcp-allowed-origins: origins
                                       /mcp accepts besides its own (docs/mcp.md); "*": any */
    unsigned char jwt_secret[128];
    size_t jwt_secret_len;
    /* Kubernetes (docs/decisions/0049-kubernetes-app-side.md) */
    bool database_url_given;  /* TODO_DATABASE_URL or --database was set (not the default) */
    char dapr_secrets[128];   /* TODO_DAPR_SECRETS, --dapr-secrets: the secret holding
                                 database-url, jwt-secret, smtp-password, llm-api-key */
    char llm_api_key[4096];   /* the LLM key when it came from TODO_DAPR_SECRETS; wiped */
    char web_api_app_id[64];  /* TODO_WEB_API_APP_ID: todo web's upstream; "todo-api" */
    char web_app_id[64];      /* TODO_WEB_APP_ID: the front door's app id, whose client address
                                 the api takes from X-Todo-Client-Addr; "todo-web" */
    int web_timeout_ms;       /* TODO_WEB_TIMEOUT_MS: one forwarded call; 30000 */
    unsigned web_workers;     /* TODO_WEB_WORKERS: threads forwarding calls; 16 */
    unsigned web_queue;       /* TODO_WEB_QUEUE: calls waiting for them at most; 1024 */
    bool web_trust_forwarded; /* TODO_WEB_TRUST_FORWARDED: the browser's address is the last
                                 X-Forwarded-For entry (behind an Ingress); false */
};

/* Fills cfg from the environment, then from argv (argv[0] is the command). Unknown flags
 * and bad values are errors. Does not load the JWT secret. */
int config_load(struct todo_config *cfg, int argc, char **argv, struct todo_err *err);
/* Loads the JWT secret: TODO_JWT_SECRET, else the file TODO_JWT_SECRET_FILE, else
 * <data_dir>/jwt.secret, created with 32 random bytes (mode 0600) when missing. */
int config_load_jwt_secret(struct todo_config *cfg, struct todo_err *err);
/* Prints the flags for a command: on stderr (after a usage error), on stdout (--help). */
void config_usage(const char *command);
void config_help(const char *command);

#endif
