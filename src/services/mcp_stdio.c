/* mcp_stdio.c - `todo mcp`: the Model Context Protocol over stdio (docs/mcp.md) for a
 * desktop assistant or an IDE that starts it as a child process. One JSON-RPC message per
 * line in, one reply per line out, answered in order by src/app/mcp.h in this process over
 * the database of the same configuration as `todo serve`. Nothing but protocol reaches
 * stdout: the process's fd 1 is pointed at stderr before anything can log, and replies go to
 * a copy of the original stdout. The user is the one of the bearer token in TODO_TOKEN,
 * checked at start (refused: exit 1) and again for every message (expiry, sign-out).
 * Task writes leave their events in the outbox, as every writer does; the relay of the
 * `todo serve` (or `todo api`) on that database publishes them on its sweep, and its
 * scheduler picks up the reminders (docs/decisions/0039-mcp-server.md). */
#include "services/mcp_stdio.h"
#include "app/mcp.h"
#include "base/log.h"
#include "services/config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Moves stdout aside for the protocol and sends fd 1 (logs, anything else) to stderr.
 * Returns the protocol's stream, or NULL. */
static FILE *protocol_out(void)
{
    fflush(stdout);
    int fd = dup(STDOUT_FILENO);
    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        return NULL;
    return fdopen(fd, "w");
}

/* `todo mcp` serves an existing server's data: a SQLite file or a generated secret that is
 * missing means the settings point elsewhere, and creating them would only make an empty
 * database that no token can open. Returns -1, having said why on stderr. */
static int check_existing(const struct todo_config *cfg)
{
    const char *db = cfg->database_url;
    if (strncmp(db, "sqlite:", 7) == 0 && access(db + 7, F_OK) != 0) {
        fprintf(stderr,
                "todo mcp: no database at %s: point --data-dir or TODO_DATABASE_URL at the "
                "server's\n",
                db + 7);
        return -1;
    }
    char secret[sizeof cfg->data_dir + 16];
    snprintf(secret, sizeof secret, "%s/jwt.secret", cfg->data_dir);
    if (!getenv("TODO_JWT_SECRET") && !getenv("TODO_JWT_SECRET_FILE") &&
        access(secret, F_OK) != 0) {
        fprintf(stderr,
                "todo mcp: no JWT secret (TODO_JWT_SECRET, TODO_JWT_SECRET_FILE or %s): use "
                "the server's\n",
                secret);
        return -1;
    }
    return 0;
}

static int open_store(const struct todo_config *cfg, store_t **store)
{
    struct todo_err err;
    todo_err_clear(&err);
    int applied = 0;
    if (store_open(cfg->database_url, store, &err)) {
        fprintf(stderr, "todo mcp: cannot open the database: %s\n", err.message);
        return -1;
    }
    if (store_migrate(*store, &applied, &err)) {
        fprintf(stderr, "todo mcp: migrations failed: %s\n", err.message);
        store_destroy(*store);
        return -1;
    }
    return 0;
}

static void send_line(FILE *out, json_t *reply)
{
    if (!reply)
        return;
    char *text = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    if (!text)
        abort(); /* only on OOM */
    fputs(text, out);
    fputc('\n', out);
    fflush(out);
    free(text);
}

/* Answers one line. version keeps what initialize agreed. */
static json_t *answer(struct app *a, const char *token, const char *line, size_t len,
                      size_t max_len, char version[APP_MCP_VERSION_MAX])
{
    if (len > max_len)
        return app_mcp_error(NULL, APP_MCP_PARSE_ERROR, "Parse error: the message is too large");
    json_t *msg = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (!msg)
        return app_mcp_error(NULL, APP_MCP_PARSE_ERROR, "Parse error: the line is not JSON");
    char uid[USER_ID_MAX];
    struct todo_err err;
    todo_err_clear(&err);
    json_t *reply;
    if (app_token_verify(a, token, uid, &err) != TODO_OK) {
        json_t *id = json_is_object(msg) ? json_object_get(msg, "id") : NULL;
        reply = app_mcp_wants_reply(msg)
                    ? app_mcp_error(json_is_string(id) || json_is_integer(id) ? id : NULL, -32001,
                                    "TODO_TOKEN is no longer valid: sign in again")
                    : NULL;
    } else {
        char agreed[APP_MCP_VERSION_MAX];
        reply = app_mcp_handle(a, uid, version[0] ? version : NULL, msg, agreed);
        if (agreed[0])
            memcpy(version, agreed, APP_MCP_VERSION_MAX);
    }
    json_decref(msg);
    return reply;
}

/* Reads and answers lines until the end of stdin. */
static void serve_lines(struct app *a, const char *token, size_t max_len, FILE *out)
{
    char version[APP_MCP_VERSION_MAX] = "";
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        send_line(out, answer(a, token, line, len, max_len, version));
    }
    free(line);
}

/* The token from TODO_TOKEN, verified; its user in uid. Prints why not on stderr. */
static const char *checked_token(struct app *a, char uid[USER_ID_MAX])
{
    const char *token = getenv("TODO_TOKEN");
    if (!token || !*token) {
        fprintf(stderr, "todo mcp: set TODO_TOKEN to a bearer token of the user to act for "
                        "(from POST /api/auth/login)\n");
        return NULL;
    }
    struct todo_err err;
    todo_err_clear(&err);
    if (app_token_verify(a, token, uid, &err) != TODO_OK) {
        fprintf(stderr, "todo mcp: TODO_TOKEN is not a valid token for this server: %s\n",
                err.message);
        return NULL;
    }
    return token;
}

int mcp_stdio_main(int argc, char **argv)
{
    FILE *out = protocol_out();
    if (!out) {
        fprintf(stderr, "todo mcp: cannot set up stdout\n");
        return 1;
    }
    struct todo_config cfg;
    struct todo_err err;
    todo_err_clear(&err);
    int code = 1;
    if (config_load(&cfg, argc, argv, &err)) {
        fprintf(stderr, "todo mcp: %s\n", err.message);
        config_usage("mcp");
        goto out_close;
    }
    log_init("mcp", (enum log_level)cfg.log_level); /* to stderr: fd 1 points there */
    if (check_existing(&cfg))
        goto out_close;
    if (sodium_init() < 0 || config_load_jwt_secret(&cfg, &err)) {
        fprintf(stderr, "todo mcp: %s\n", err.message[0] ? err.message : "libsodium failed");
        goto out_close;
    }
    store_t *store;
    if (open_store(&cfg, &store))
        goto out_close;
    struct app_config acfg = {.jwt_secret = cfg.jwt_secret,
                              .jwt_secret_len = cfg.jwt_secret_len,
                              .token_ttl_ms = cfg.token_ttl_ms,
                              .role = "mcp"};
    struct app app;
    app_init(&app, store, &acfg);
    app.sched_mode = strcmp(cfg.scheduler, "dapr") == 0 ? APP_SCHED_DAPR : APP_SCHED_DB;
    memset(&cfg.jwt_secret, 0, sizeof cfg.jwt_secret);
    char uid[USER_ID_MAX];
    const char *token = NULL;
    if (app_sessions_start(&app) != TODO_OK) /* sign-outs elsewhere end this too */
        fprintf(stderr, "todo mcp: cannot read revoked sessions: %s\n", store_last_error(store));
    else
        token = checked_token(&app, uid);
    if (token) {
        log_msg(LOG_INFO, "serving MCP on stdio");
        serve_lines(&app, token, cfg.max_body, out);
        code = 0;
    }
    app_sessions_stop(&app);
    app_release(&app);
    store_destroy(store);
out_close:
    fclose(out);
    return code;
}
