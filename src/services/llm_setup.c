/* llm_setup.c - turns TODO_LLM_* into a struct assistant_llm (docs/assistant-llm.md,
 * "Configuration"). The key is read once at start, from a file (its trailing newline
 * trimmed) or from the Dapr secrets API (GET /v1.0/secrets/<store>/<name> on the sidecar,
 * retried for a few seconds while the sidecar starts), kept only inside the brain, and
 * wiped from every buffer it passed through. No log line or error names its value. */
#include "services/llm_setup.h"

#include "app/assistant_llm.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"

#include <assert.h>
#include <stdbool.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LLM_KEY_MAX           4096
#define SECRET_DEADLINE_MS    10000
#define SECRET_TIMEOUT_MS     2000
#define SECRET_RETRY_PAUSE_MS 200

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

static size_t on_secret(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    if (b->len + size * n > 64 * 1024)
        return 0;
    buf_append(b, data, size * n);
    return size * n;
}

/* One GET of the secret; 0 with the body in b and the status in *status, or -1 when the
 * sidecar did not answer. */
static int secret_get(const char *url, struct buf *b, long *status)
{
    CURL *h = curl_easy_init();
    if (!h)
        abort(); /* only fails when out of memory */
    struct curl_slist *headers = NULL;
    struct buf token;
    buf_init(&token);
    const char *api_token = getenv("DAPR_API_TOKEN"); /* the sidecar's own API token */
    if (api_token && *api_token) {
        buf_printf(&token, "dapr-api-token: %s", api_token);
        headers = curl_slist_append(headers, token.data);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)SECRET_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_secret);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(headers);
    if (token.data)
        sodium_memzero(token.data, token.len);
    buf_release(&token);
    curl_easy_cleanup(h);
    return cc == CURLE_OK ? 0 : -1;
}

/* The value of name in the secrets API's answer {name: value}. */
static int secret_value(const char *body, const char *name, char key[LLM_KEY_MAX],
                        struct todo_err *err)
{
    json_error_t jerr;
    json_t *root = json_loads(body, 0, &jerr);
    const char *v = json_string_value(json_object_get(root, name));
    int rc = TODO_OK;
    if (!v || strlen(v) >= LLM_KEY_MAX || !key_ok(v))
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST,
                          "the Dapr secret %s has no usable value under its own name (visible "
                          "ASCII characters)",
                          name);
    else
        snprintf(key, LLM_KEY_MAX, "%s", v);
    json_decref(root); /* jansson does not wipe its strings; the answer lived only here */
    return rc;
}

static int key_from_secret(const struct todo_config *cfg, char key[LLM_KEY_MAX],
                           struct todo_err *err)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1.0/secrets/%s/%s", cfg->dapr_http_port,
             cfg->dapr_secret_store, cfg->llm_api_key_secret);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    uint64_t until = time_mono_ns() + (uint64_t)SECRET_DEADLINE_MS * 1000000u;
    struct buf b;
    buf_init(&b);
    long status = 0;
    int rc;
    while ((rc = secret_get(url, &b, &status)) != 0 || status >= 500) {
        if (time_mono_ns() > until)
            break;
        buf_reset(&b);
        struct timespec pause = {0, SECRET_RETRY_PAUSE_MS * 1000000L};
        nanosleep(&pause, NULL); /* the sidecar is still starting */
    }
    if (rc)
        rc = todo_err_set(err, TODO_ERR_UNAVAILABLE,
                          "the Dapr sidecar did not answer for the secret %s of store %s",
                          cfg->llm_api_key_secret, cfg->dapr_secret_store);
    else if (status != 200)
        rc = todo_err_set(err, TODO_ERR_NOT_FOUND,
                          "the Dapr secret %s of store %s could not be read (HTTP %ld)",
                          cfg->llm_api_key_secret, cfg->dapr_secret_store, status);
    else
        rc = secret_value(b.data ? b.data : "", cfg->llm_api_key_secret, key, err);
    if (b.data)
        sodium_memzero(b.data, b.cap);
    buf_release(&b);
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
