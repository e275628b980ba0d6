/* dapr_secrets.c - secrets through the sidecar (dapr_secrets.h).
 *
 * The one idea: a role given TODO_DAPR_SECRETS=<name> waits for its sidecar, reads that one
 * secret once, and each key it holds becomes a setting, exactly as if it had been given by
 * a variable, except that giving it both ways is refused: one source of truth per setting
 * (docs/decisions/0049-kubernetes-app-side.md). The answer's buffer and the bag's values
 * are wiped once used; messages name keys and variables, never values. */
#include "services/dapr_secrets.h"

#include "base/log.h"
#include "base/timeutil.h"
#include "http/client.h"

#include <assert.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET_CALL_MS   5000
#define SECRET_MAX_BYTES (64 * 1024)
#define SIDECAR_POLL_MS  200

/* GET url on the sidecar with dapr-api-token when DAPR_API_TOKEN is set. */
static int sidecar_get(const char *url, long timeout_ms, size_t max,
                       struct http_client_response *resp, struct todo_err *err)
{
    const char *api_token = getenv("DAPR_API_TOKEN"); /* the sidecar's own API token */
    char header[4200] = "";
    const char *headers[1] = {header};
    size_t n = 0;
    if (api_token && *api_token && strlen(api_token) < sizeof header - 20) {
        snprintf(header, sizeof header, "dapr-api-token: %s", api_token);
        n = 1;
    }
    struct http_client_request req = {.url = url,
                                      .headers = headers,
                                      .n_headers = n,
                                      .timeout_ms = timeout_ms,
                                      .connect_timeout_ms = timeout_ms,
                                      .max_response = max};
    int rc = http_client_do(&req, resp, err);
    sodium_memzero(header, sizeof header);
    return rc;
}

int dapr_sidecar_wait(unsigned http_port, unsigned wait_ms, struct todo_err *err)
{
    assert(http_port && err);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1.0/healthz/outbound", http_port);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    uint64_t until = time_mono_ns() + (uint64_t)wait_ms * 1000000u;
    for (;;) {
        struct http_client_response resp;
        struct todo_err e = {0};
        if (sidecar_get(url, 2000, 4096, &resp, &e) == TODO_OK) {
            long status = resp.status;
            http_client_response_release(&resp, false);
            if (status >= 200 && status < 300)
                return TODO_OK;
        }
        if (time_mono_ns() > until)
            return todo_err_set(err, TODO_ERR_UNAVAILABLE,
                                "the Dapr sidecar on 127.0.0.1:%u was not ready within %u s "
                                "(GET /v1.0/healthz/outbound)",
                                http_port, wait_ms / 1000);
        struct timespec pause = {0, SIDECAR_POLL_MS * 1000000L};
        nanosleep(&pause, NULL); /* the sidecar is still starting */
    }
}

/* True when every value of bag is a string. */
static bool all_strings(json_t *bag)
{
    const char *k;
    json_t *v;
    json_object_foreach(bag, k, v)
    {
        if (!json_is_string(v))
            return false;
    }
    return true;
}

int dapr_secret_bag_read(unsigned http_port, const char *store, const char *name, json_t **bag,
                         struct todo_err *err)
{
    assert(store && name && bag && err);
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1.0/secrets/%s/%s", http_port, store, name);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct http_client_response resp;
    int rc = sidecar_get(url, SECRET_CALL_MS, SECRET_MAX_BYTES, &resp, err);
    if (rc)
        return todo_err_set(err, TODO_ERR_UNAVAILABLE,
                            "the Dapr sidecar did not answer for the secret %s of store %s", name,
                            store);
    if (resp.status != 200) {
        rc = todo_err_set(err, TODO_ERR_NOT_FOUND,
                          "the Dapr secret %s of store %s could not be read (HTTP %ld)", name,
                          store, resp.status);
        http_client_response_release(&resp, true);
        return rc;
    }
    json_error_t jerr;
    json_t *root = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, &jerr);
    http_client_response_release(&resp, true);
    if (!json_is_object(root) || !all_strings(root)) {
        dapr_secret_bag_free(root);
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "the Dapr secret %s of store %s is not an object of strings", name,
                            store);
    }
    *bag = root;
    return TODO_OK;
}

void dapr_secret_bag_free(json_t *bag)
{
    const char *k;
    json_t *v;
    if (json_is_object(bag)) {
        json_object_foreach(bag, k, v)
        {
            /* jansson keeps the value in a buffer of its own, freed below: zero it first */
            if (json_is_string(v))
                sodium_memzero((char *)(uintptr_t)json_string_value(v), json_string_length(v));
        }
    }
    json_decref(bag);
}

/* --- TODO_DAPR_SECRETS --- */

/* A value fit for a header or a URL: 1..max visible ASCII characters. */
static bool visible(const char *v, size_t len, size_t max)
{
    if (!len || len > max || strlen(v) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (v[i] < 0x21 || v[i] > 0x7e)
            return false;
    return true;
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

/* The one setting key stands for: where it goes, who else may have given it. */
struct target {
    const char *key;
    const char *other; /* the variables (and flag) that also give it, for the message */
    bool given;        /* given elsewhere already */
    char *dst;
    size_t size;
    size_t min;
    bool visible_only;
};

static int apply_one(const struct target *t, const char *secret, json_t *v, size_t *out_len,
                     struct todo_err *err)
{
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (t->given)
        return todo_err_set(err, TODO_ERR_CONFLICT,
                            "%s is in the Dapr secret %s and also given by %s: give it one way",
                            t->key, secret, t->other);
    bool ok = t->visible_only ? visible(s, len, t->size - 1)
                              : len >= t->min && len < t->size && strlen(s) == len;
    if (!ok || len < t->min)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "the key %s of the Dapr secret %s is unusable (%zu..%zu bytes%s)",
                            t->key, secret, t->min ? t->min : 1, t->size - 1,
                            t->visible_only ? " of visible ASCII" : "");
    memcpy(t->dst, s, len);
    t->dst[len] = '\0';
    *out_len = len;
    return TODO_OK;
}

static int apply_bag(struct todo_config *cfg, struct notify_config *ncfg, json_t *bag,
                     unsigned needs, struct todo_err *err)
{
    char jwt[sizeof cfg->jwt_secret + 1];
    struct target targets[] = {
        {"database-url", "TODO_DATABASE_URL or --database", cfg->database_url_given,
         cfg->database_url, sizeof cfg->database_url, 1, false},
        {"jwt-secret", "TODO_JWT_SECRET or TODO_JWT_SECRET_FILE",
         env_set("TODO_JWT_SECRET") || env_set("TODO_JWT_SECRET_FILE"), jwt, sizeof jwt, 32, false},
        {"smtp-password", "TODO_SMTP_PASSWORD", env_set("TODO_SMTP_PASSWORD"),
         ncfg ? ncfg->smtp_password : NULL, ncfg ? sizeof ncfg->smtp_password : 0, 1, false},
        {"llm-api-key", "TODO_LLM_API_KEY_FILE or TODO_LLM_API_KEY_SECRET",
         cfg->llm_api_key_file[0] || cfg->llm_api_key_secret[0], cfg->llm_api_key,
         sizeof cfg->llm_api_key, 1, true},
    };
    char found[128] = "";
    int rc = TODO_OK;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0] && !rc; i++) {
        json_t *v = json_object_get(bag, targets[i].key);
        if (!v || !targets[i].dst)
            continue;
        size_t len = 0;
        if ((rc = apply_one(&targets[i], cfg->dapr_secrets, v, &len, err)))
            break;
        if (targets[i].dst == jwt) {
            memcpy(cfg->jwt_secret, jwt, len);
            cfg->jwt_secret_len = len;
        }
        if (targets[i].dst == cfg->database_url)
            cfg->database_url_given = true;
        snprintf(found + strlen(found), sizeof found - strlen(found), "%s%s", found[0] ? ", " : "",
                 targets[i].key);
    }
    sodium_memzero(jwt, sizeof jwt);
    if (!rc && (needs & DAPR_SECRETS_NEED_DATABASE) && !cfg->database_url_given)
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST,
                          "the Dapr secret %s has no database-url and TODO_DATABASE_URL is not "
                          "set: with TODO_DAPR_SECRETS the database is never the local default",
                          cfg->dapr_secrets);
    if (!rc && (needs & DAPR_SECRETS_NEED_JWT) && !cfg->jwt_secret_len &&
        !env_set("TODO_JWT_SECRET") && !env_set("TODO_JWT_SECRET_FILE"))
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST,
                          "the Dapr secret %s has no jwt-secret and TODO_JWT_SECRET is not set: "
                          "replicas must share one token-signing secret",
                          cfg->dapr_secrets);
    if (!rc)
        log_msg(LOG_INFO, "read the Dapr secret %s of store %s: %s", cfg->dapr_secrets,
                cfg->dapr_secret_store, found[0] ? found : "no key this role uses");
    return rc;
}

int dapr_secrets_apply(struct todo_config *cfg, struct notify_config *ncfg, unsigned needs,
                       struct todo_err *err)
{
    assert(cfg && err);
    if (!cfg->dapr_secrets[0])
        return TODO_OK;
    int rc = dapr_sidecar_wait(cfg->dapr_http_port, DAPR_SIDECAR_WAIT_MS, err);
    if (rc)
        return rc;
    json_t *bag = NULL;
    if ((rc = dapr_secret_bag_read(cfg->dapr_http_port, cfg->dapr_secret_store, cfg->dapr_secrets,
                                   &bag, err)))
        return rc;
    rc = apply_bag(cfg, ncfg, bag, needs, err);
    dapr_secret_bag_free(bag);
    return rc;
}
