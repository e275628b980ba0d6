/* llm_setup.c - turns TODO_LLM_* into a struct assistant_llm (docs/assistant-llm.md,
 * "Configuration"). The key is read once at start, from a file (its trailing newline
 * trimmed), from the Dapr secrets API (GET /v1.0/secrets/<store>/<name> on the sidecar,
 * once it is ready: services/dapr_secrets.c) or from TODO_DAPR_SECRETS' llm-api-key (read
 * by the same code), kept only inside the brain, and
 * wiped from every buffer it passed through. No log line or error names its value. */
#include "services/llm_setup.h"

#include "app/assistant_llm.h"
#include "base/log.h"
#include "services/dapr_secrets.h"

#include <assert.h>
#include <stdbool.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LLM_KEY_MAX 4096

static void trim_newlines(char *s, size_t *n)
{
    while (*n && (s[*n - 1] == '\n' || s[*n - 1] == '\r'))
        s[--*n] = '\0';
}

/* A key goes into an HTTP header as it is: visible ASCII only (no space, no CR/LF). */
static bool key_ok(const char *key)
{
    if (!*key)
        return false;
    for (const char *p = key; *p; p++) {
        if (*p < 0x21 || *p > 0x7e)
            return false;
    }
    return true;
}

static int key_from_file(const char *path, char key[LLM_KEY_MAX], struct todo_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot read the model's key file %s", path);
    size_t n = fread(key, 1, LLM_KEY_MAX - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    key[n] = '\0';
    trim_newlines(key, &n);
    if (more || strlen(key) != n || !key_ok(key))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "the model's key file %s must hold one key: 1..%d visible ASCII "
                            "characters, then at most a newline",
                            path, LLM_KEY_MAX - 2);
    return TODO_OK;
}

/* The key named cfg->llm_api_key_secret, from the secret of that name (its key of the same
 * name), read through the sidecar by services/dapr_secrets.c once the sidecar is ready. */
static int key_from_secret(const struct todo_config *cfg, char key[LLM_KEY_MAX],
                           struct todo_err *err)
{
    int rc = dapr_sidecar_wait(cfg->dapr_http_port, DAPR_SIDECAR_WAIT_MS, err);
    json_t *bag = NULL;
    if (rc || (rc = dapr_secret_bag_read(cfg->dapr_http_port, cfg->dapr_secret_store,
                                         cfg->llm_api_key_secret, &bag, err)))
        return rc;
    const char *v = json_string_value(json_object_get(bag, cfg->llm_api_key_secret));
    if (!v || strlen(v) >= LLM_KEY_MAX || !key_ok(v))
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST,
                          "the Dapr secret %s has no usable value under its own name (visible "
                          "ASCII characters)",
                          cfg->llm_api_key_secret);
    else
        snprintf(key, LLM_KEY_MAX, "%s", v);
    dapr_secret_bag_free(bag);
    return rc;
}

int llm_setup_open(const struct todo_config *cfg, struct assistant_llm **out, struct todo_err *err)
{
    assert(cfg && out && err);
    *out = NULL;
    if (!cfg->llm_base_url[0])
        return TODO_OK;
    char key[LLM_KEY_MAX] = "";
    int rc = TODO_OK;
    if (cfg->llm_api_key_file[0])
        rc = key_from_file(cfg->llm_api_key_file, key, err);
    else if (cfg->llm_api_key_secret[0])
        rc = key_from_secret(cfg, key, err);
    else if (cfg->llm_api_key[0] && !key_ok(cfg->llm_api_key)) /* from TODO_DAPR_SECRETS */
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "the LLM key must be visible ASCII");
    else if (cfg->llm_api_key[0])
        snprintf(key, sizeof key, "%s", cfg->llm_api_key);
    if (rc)
        goto out_wipe;
    struct assistant_llm_config lc = {
        .base_url = cfg->llm_base_url,
        .model = cfg->llm_model,
        .api_key = key[0] ? key : NULL,
        .timeout_ms = cfg->llm_timeout_ms,
        .max_steps = cfg->llm_max_steps,
        .retries = cfg->llm_retries,
    };
    if ((rc = assistant_llm_create(&lc, out, err)))
        goto out_wipe;
    assistant_llm_set_stream(*out, cfg->llm_stream);
    /* a URL with user:password@ in it is not written out */
    log_msg(LOG_INFO, "LLM mode: model %s at %s (%s, %s)", cfg->llm_model,
            strchr(cfg->llm_base_url, '@') ? "(a URL with credentials)" : cfg->llm_base_url,
            key[0] ? "with a key" : "no key", cfg->llm_stream ? "streamed" : "not streamed");
out_wipe:
    sodium_memzero(key, sizeof key);
    return rc;
}
