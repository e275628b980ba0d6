/* config.c - TODO_* variables, then flags, both read through one table of options (name,
 * variable, kind, field, default, limits); and the JWT secret, generated once and kept under
 * the data directory in the embedded mode. */
#include "services/config.h"
#include "base/log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum opt_kind {
    OPT_TEXT,   /* into a char array; min 1: not empty */
    OPT_URL,    /* text starting with one of choices ("http://|https://") */
    OPT_CHOICE, /* one of choices ("local|kafka|dapr") into a char array */
    OPT_INT,    /* min..max, stored times scale in an int, unsigned or int64_t field */
    OPT_BOOL,   /* one of choices, "1" or "true" meaning true ("1|0", "1|0|true|false") */
    OPT_CUSTOM, /* its own setter */
};

struct option;
typedef int (*option_set_fn)(struct todo_config *cfg, const struct option *o, const char *value,
                             struct todo_err *err);

struct option {
    const char *name; /* the flag, without "--" */
    const char *env;  /* its variable; a flag wins over it */
    const char *arg;  /* in the usage line: HOST:PORT, N, ... */
    enum opt_kind kind;
    size_t offset, size; /* the field in struct todo_config */
    long min, max;       /* OPT_INT: the range; OPT_TEXT: min 1, not empty */
    int64_t scale;       /* OPT_INT: seconds to ms is 1000 */
    const char *choices; /* OPT_URL, OPT_CHOICE, OPT_BOOL: '|'-separated */
    const char *what;    /* the error's subject ("token ttl must be ...") */
    const char *unit;    /* OPT_INT: after the range in the error (" s") */
    const char *def;     /* the default, set through the same code; NULL: zero */
    option_set_fn set;   /* OPT_CUSTOM */
    const char *alias;   /* a second variable, read before env (DAPR_HTTP_PORT) */
    bool empty_means;    /* an empty variable means something (else: unset) */
};

static int set_database(struct todo_config *cfg, const struct option *o, const char *value,
                        struct todo_err *err);
static int set_log_level(struct todo_config *cfg, const struct option *o, const char *value,
                         struct todo_err *err);
static int set_access_log(struct todo_config *cfg, const struct option *o, const char *value,
                          struct todo_err *err);

#define FIELD(f) offsetof(struct todo_config, f), sizeof(((struct todo_config *)0)->f)
#define ONE_ZERO "1|0"
#define BOOLS    "1|0|true|false"

/* Every setting: docs/operations.md lists them with their meaning. */
static const struct option options[] = {
    {"listen", "TODO_LISTEN", "HOST:PORT", OPT_TEXT, FIELD(listen), .min = 1, .what = "listen",
     .def = "127.0.0.1:8080"},
    {"database", "TODO_DATABASE_URL", "URL", OPT_CUSTOM, FIELD(database_url), .set = set_database},
    {"data-dir", "TODO_DATA_DIR", "DIR", OPT_TEXT, FIELD(data_dir), .min = 1, .what = "data dir",
     .def = "./data"},
    {"threads", "TODO_THREADS", "N", OPT_INT, FIELD(threads), 0, 256, 1, .what = "threads"},
    {"log-level", "TODO_LOG_LEVEL", "LEVEL", OPT_CUSTOM, FIELD(log_level), .set = set_log_level,
     .def = "info"},
    {"access-log", "TODO_ACCESS_LOG", "0|1", OPT_CUSTOM, FIELD(access_log), .set = set_access_log,
     .def = "1"},
    {"token-ttl", "TODO_TOKEN_TTL", "SECONDS", OPT_INT, FIELD(token_ttl_ms), 60, 366L * 86400, 1000,
     .what = "token ttl", .unit = " s", .def = "86400"},
    {"login-limit", "TODO_LOGIN_LIMIT", "N", OPT_INT, FIELD(login_limit_email), 0, 1000000, 1,
     .what = "login limit", .def = "10"},
    {"login-limit-addr", "TODO_LOGIN_LIMIT_ADDR", "N", OPT_INT, FIELD(login_limit_addr), 0, 1000000,
     1, .what = "login limit", .def = "100"},
    {"signup-limit-addr", "TODO_SIGNUP_LIMIT_ADDR", "N", OPT_INT, FIELD(signup_limit_addr), 0,
     1000000, 1, .what = "signup limit", .def = "20"},
    /* docs/decisions/0024-event-retention.md; 7 days: Kafka's default log retention */
    {"event-retention", "TODO_EVENT_RETENTION", "SECONDS", OPT_INT, FIELD(event_retention_ms), 1,
     366L * 86400, 1000, .what = "event-retention", .unit = " s", .def = "604800"},
    {"outbox-retention", "TODO_OUTBOX_RETENTION", "SECONDS", OPT_INT, FIELD(outbox_retention_ms), 1,
     366L * 86400, 1000, .what = "outbox-retention", .unit = " s", .def = "3600"},
    {"bus", "TODO_BUS", "local|kafka|dapr", OPT_CHOICE, FIELD(bus), .choices = "local|kafka|dapr",
     .what = "bus", .def = "local"},
    {"kafka-brokers", "TODO_KAFKA_BROKERS", "HOST:PORT,...", OPT_TEXT, FIELD(kafka_brokers),
     .what = "kafka brokers"},
    {"instance-id", "TODO_INSTANCE_ID", "ID", OPT_TEXT, FIELD(instance_id), .min = 1,
     .what = "instance id"},
    {"dapr-http-port", "TODO_DAPR_HTTP_PORT", "PORT", OPT_INT, FIELD(dapr_http_port), 1, 65535, 1,
     .what = "dapr http port", .def = "3500", .alias = "DAPR_HTTP_PORT"},
    {"dapr-pubsub", "TODO_DAPR_PUBSUB", "NAME", OPT_TEXT, FIELD(dapr_pubsub), .min = 1,
     .what = "dapr pubsub name", .def = "pubsub"},
    {"dapr-app-listen", "TODO_DAPR_APP_LISTEN", "HOST:PORT", OPT_TEXT, FIELD(dapr_app_listen),
     .min = 1, .what = "dapr app listen", .def = "127.0.0.1:8081"},
    {"dapr-insecure-no-app-token", "TODO_DAPR_INSECURE_NO_APP_TOKEN", "0|1", OPT_BOOL,
     FIELD(dapr_no_app_token), .choices = ONE_ZERO, .what = "dapr-insecure-no-app-token"},
    /* "" turns the web UI off */
    {"web-dir", "TODO_WEB_DIR", "DIR", OPT_TEXT, FIELD(web_dir), .what = "web dir",
     .def = "web/out", .empty_means = true},
    {"scheduler", "TODO_SCHEDULER", "db|dapr|none", OPT_CHOICE, FIELD(scheduler),
     .choices = "db|dapr|none", .what = "scheduler", .def = "db"},
    {"dapr-jobs-url", "TODO_DAPR_JOBS_URL", "URL", OPT_URL, FIELD(dapr_jobs_url),
     .choices = "http://", .what = "dapr jobs url"},
    /* docs/decisions/0040 */
    {"chat-state", "TODO_CHAT_STATE", "db|dapr", OPT_CHOICE, FIELD(chat_state),
     .choices = "db|dapr", .what = "chat state"},
    {"dapr-state-store", "TODO_DAPR_STATE_STORE", "NAME", OPT_TEXT, FIELD(dapr_state_store),
     .min = 1, .what = "dapr state store", .def = "statestore"},
    {"chat-workers", "TODO_CHAT_WORKERS", "N", OPT_INT, FIELD(chat_workers), 1, 256, 1,
     .what = "chat workers", .def = "8"},
    {"chat-queue", "TODO_CHAT_QUEUE", "N", OPT_INT, FIELD(chat_queue), 1, 100000, 1,
     .what = "chat queue", .def = "256"},
    /* docs/decisions/0033-websocket-realtime.md */
    {"ws-queue", "TODO_WS_QUEUE", "N", OPT_INT, FIELD(ws_queue_messages), 1, 65536, 1,
     .what = "ws queue", .unit = " messages", .def = "256"},
    {"ws-max-connections", "TODO_WS_MAX_CONNECTIONS", "N", OPT_INT, FIELD(ws_max_connections), 1,
     1000000, 1, .what = "ws max connections", .def = "10000"},
    /* LLM mode (docs/assistant-llm.md); the key itself is read by llm_setup.c */
    {"llm-base-url", "TODO_LLM_BASE_URL", "URL", OPT_URL, FIELD(llm_base_url),
     .choices = "http://|https://", .what = "llm base url"},
    {"llm-model", "TODO_LLM_MODEL", "NAME", OPT_TEXT, FIELD(llm_model), .min = 1,
     .what = "llm model"},
    {"llm-api-key-file", "TODO_LLM_API_KEY_FILE", "FILE", OPT_TEXT, FIELD(llm_api_key_file),
     .min = 1, .what = "llm api key file"},
    {"llm-api-key-secret", "TODO_LLM_API_KEY_SECRET", "NAME", OPT_TEXT, FIELD(llm_api_key_secret),
     .min = 1, .what = "llm api key secret"},
    {"dapr-secret-store", "TODO_DAPR_SECRET_STORE", "NAME", OPT_TEXT, FIELD(dapr_secret_store),
     .min = 1, .what = "dapr secret store", .def = "secretstore"},
    {"llm-timeout-ms", "TODO_LLM_TIMEOUT_MS", "MS", OPT_INT, FIELD(llm_timeout_ms), 100, 600000, 1,
     .what = "llm timeout", .unit = " ms", .def = "60000"},
    {"llm-max-steps", "TODO_LLM_MAX_STEPS", "N", OPT_INT, FIELD(llm_max_steps), 1, 50, 1,
     .what = "llm max steps", .def = "8"},
    {"llm-retries", "TODO_LLM_RETRIES", "N", OPT_INT, FIELD(llm_retries), 0, 10, 1,
     .what = "llm retries", .def = "2"},
    {"llm-stream", "TODO_LLM_STREAM", "0|1", OPT_BOOL, FIELD(llm_stream), .choices = BOOLS,
     .what = "llm stream"},
    /* docs/mcp.md, "Origins" */
    {"mcp-allowed-origins", "TODO_MCP_ALLOWED_ORIGINS", "ORIGIN,...", OPT_TEXT,
     FIELD(mcp_allowed_origins), .what = "mcp allowed origins"},
    /* Kubernetes: secrets from Dapr, the web front door (docs/decisions/0049) */
    {"dapr-secrets", "TODO_DAPR_SECRETS", "NAME", OPT_TEXT, FIELD(dapr_secrets), .min = 1,
     .what = "dapr secrets"},
    {"web-api-app-id", "TODO_WEB_API_APP_ID", "ID", OPT_TEXT, FIELD(web_api_app_id), .min = 1,
     .what = "web api app id", .def = "todo-api"},
    {"web-app-id", "TODO_WEB_APP_ID", "ID", OPT_TEXT, FIELD(web_app_id), .min = 1,
     .what = "web app id", .def = "todo-web"},
    {"web-timeout-ms", "TODO_WEB_TIMEOUT_MS", "MS", OPT_INT, FIELD(web_timeout_ms), 100, 600000, 1,
     .what = "web timeout", .unit = " ms", .def = "30000"},
    {"web-workers", "TODO_WEB_WORKERS", "N", OPT_INT, FIELD(web_workers), 1, 256, 1,
     .what = "web workers", .def = "16"},
    {"web-queue", "TODO_WEB_QUEUE", "N", OPT_INT, FIELD(web_queue), 1, 100000, 1,
     .what = "web queue", .def = "1024"},
    {"web-trust-forwarded", "TODO_WEB_TRUST_FORWARDED", "0|1", OPT_BOOL, FIELD(web_trust_forwarded),
     .choices = ONE_ZERO, .what = "web-trust-forwarded"},
};

#define N_OPTIONS (sizeof options / sizeof options[0])

static void *field_of(struct todo_config *cfg, const struct option *o)
{
    return (char *)cfg + o->offset;
}

/* Whether value is one of choices ('|'-separated). */
static bool is_choice(const char *choices, const char *value, bool prefix)
{
    for (const char *c = choices; *c;) {
        size_t n = strcspn(c, "|");
        if (prefix ? strncmp(value, c, n) == 0 : strlen(value) == n && strncmp(value, c, n) == 0)
            return true;
        c += n + (c[n] == '|');
    }
    return false;
}

/* "a, b or c" of "a|b|c" */
static void choices_words(const char *choices, char *out, size_t size)
{
    size_t len = 0, n_bars = 0, seen = 0;
    for (const char *c = choices; *c; c++)
        n_bars += *c == '|';
    out[0] = '\0';
    for (const char *c = choices; *c && len + 8 < size; c++) {
        if (*c != '|') {
            out[len++] = *c;
            continue;
        }
        const char *sep = ++seen == n_bars ? " or " : ", ";
        len += (size_t)snprintf(out + len, size - len, "%s", sep);
    }
    out[len < size ? len : size - 1] = '\0';
}

static int set_int(struct todo_config *cfg, const struct option *o, const char *value,
                   struct todo_err *err)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < o->min || v > o->max)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "%s must be %ld..%ld%s", o->what, o->min,
                            o->max, o->unit ? o->unit : "");
    int64_t scaled = (int64_t)v * o->scale;
    if (o->size == sizeof(int64_t)) {
        memcpy(field_of(cfg, o), &scaled, sizeof scaled);
    } else {
        assert(o->size == sizeof(int) && scaled <= INT32_MAX && scaled >= 0);
        int narrow = (int)scaled; /* an int or an unsigned field: same bits for 0..INT_MAX */
        memcpy(field_of(cfg, o), &narrow, sizeof narrow);
    }
    return TODO_OK;
}

static int set_text(struct todo_config *cfg, const struct option *o, const char *value,
                    struct todo_err *err)
{
    size_t n = strlen(value);
    if (n >= o->size || n < (size_t)o->min)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "%s must be %ld..%zu bytes", o->what, o->min,
                            o->size - 1);
    memcpy(field_of(cfg, o), value, n + 1);
    return TODO_OK;
}

static int set_value(struct todo_config *cfg, const struct option *o, const char *value,
                     struct todo_err *err)
{
    char words[96];
    switch (o->kind) {
    case OPT_TEXT:
        return set_text(cfg, o, value, err);
    case OPT_INT:
        return set_int(cfg, o, value, err);
    case OPT_URL:
    case OPT_CHOICE:
        if (is_choice(o->choices, value, o->kind == OPT_URL))
            return set_text(cfg, o, value, err);
        choices_words(o->choices, words, sizeof words);
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "%s must %s %s", o->what,
                            o->kind == OPT_URL ? "start with" : "be", words);
    case OPT_BOOL:
        if (!is_choice(o->choices, value, false)) {
            choices_words(o->choices, words, sizeof words);
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "%s must be %s", o->what, words);
        }
        assert(o->size == sizeof(bool));
        *(bool *)field_of(cfg, o) = strcmp(value, "1") == 0 || strcmp(value, "true") == 0;
        return TODO_OK;
    case OPT_CUSTOM:
        return o->set(cfg, o, value, err);
    }
    assert(!"unknown option kind");
    return TODO_ERR_INTERNAL;
}

static int set_database(struct todo_config *cfg, const struct option *o, const char *value,
                        struct todo_err *err)
{
    (void)o;
    if (strlen(value) >= sizeof cfg->database_url)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "database url must be under %zu bytes",
                            sizeof cfg->database_url);
    snprintf(cfg->database_url, sizeof cfg->database_url, "%s", value);
    cfg->database_url_given = true;
    return TODO_OK;
}

static int set_log_level(struct todo_config *cfg, const struct option *o, const char *value,
                         struct todo_err *err)
{
    (void)o;
    int l = log_level_parse(value);
    if (l < 0)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "log level must be debug, info, warn or error");
    cfg->log_level = l;
    return TODO_OK;
}

/* Lenient on purpose: anything but 0 or false turns it on. */
static int set_access_log(struct todo_config *cfg, const struct option *o, const char *value,
                          struct todo_err *err)
{
    (void)o;
    (void)err;
    cfg->access_log = strcmp(value, "0") != 0 && strcmp(value, "false") != 0;
    return TODO_OK;
}

static const struct option *option_find(const char *name)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
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

/* The defaults, through the same setters as the variables and flags. */
static void set_defaults(struct todo_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    struct todo_err err;
    todo_err_clear(&err);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        int rc = options[i].def ? set_value(cfg, &options[i], options[i].def, &err) : TODO_OK;
        assert(rc == TODO_OK && "a default must be valid");
        (void)rc;
    }
    cfg->max_body = 1024 * 1024;
    char host[64] = "todo";
    gethostname(host, sizeof host - 1);
    snprintf(cfg->instance_id, sizeof cfg->instance_id, "%s-%ld", host, (long)getpid());
}

/* The variables: an empty one counts as unset, except where empty_means says otherwise. */
static int read_env(struct todo_config *cfg, struct todo_err *err)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option *o = &options[i];
        const char *names[] = {o->alias, o->env};
        for (int k = 0; k < 2; k++) {
            const char *v = names[k] ? getenv(names[k]) : NULL;
            if (!v || (!*v && !o->empty_means) || !set_value(cfg, o, v, err))
                continue;
            char why[sizeof err->message]; /* a copy: the message is rewritten from it */
            snprintf(why, sizeof why, "%s", err->message);
            return todo_err_set(err, err->rc, "%s: %s", names[k], why);
        }
    }
    return TODO_OK;
}

/* --name value or --name=value, each a known option. */
static int read_flags(struct todo_config *cfg, int argc, char **argv, struct todo_err *err)
{
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
        const struct option *o = option_find(name);
        if (!o)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "unknown option --%s", name);
        if (set_value(cfg, o, value, err))
            return err->rc;
    }
    return TODO_OK;
}

/* What no single option can check, and the defaults that follow from others. */
static int check_and_derive(struct todo_config *cfg, struct todo_err *err)
{
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

int config_load(struct todo_config *cfg, int argc, char **argv, struct todo_err *err)
{
    set_defaults(cfg);
    if (read_env(cfg, err) || read_flags(cfg, argc, argv, err))
        return err->rc;
    return check_and_derive(cfg, err);
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
    int col = fprintf(out, "usage: todo %s", command);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char one[96];
        int n = snprintf(one, sizeof one, " [--%s %s]", options[i].name, options[i].arg);
        if (col + n > 92)
            col = fprintf(out, "\n      ") - 1;
        col += fprintf(out, "%s", one);
    }
    fprintf(out, "\nEach flag has a TODO_* environment variable; see docs/operations.md.\n");
}

void config_usage(const char *command)
{
    print_usage(stderr, command);
}

void config_help(const char *command)
{
    print_usage(stdout, command);
}
