/* llm_http.c - one call to the model's /chat/completions over libcurl, with its retries
 * (docs/assistant-llm.md, "Failures and fallback").
 *
 * The one idea: every attempt ends in one of three verdicts. OK: a reply was read. RETRY:
 * a timeout, a refused connection, 429, 5xx or a malformed reply; the next attempt waits
 * (a 429's or 503's Retry-After, up to LLM_RETRY_AFTER_MAX_MS, else exponential
 * backoff with full jitter). GIVE_UP: any other 4xx, an oversize reply, or a Retry-After
 * longer than the cap; the turn falls back to the built-in brain at once. The key goes
 * only into the Authorization header; no message, log line or error carries it. */
#include "app/llm_internal.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"

#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#define LLM_CONNECT_TIMEOUT_MS 5000
#define LLM_BACKOFF_BASE_MS    200
#define LLM_BACKOFF_MAX_MS     4000
#define LLM_RETRY_AFTER_MAX_MS 20000

enum verdict { LLM_OK, LLM_RETRY, LLM_GIVE_UP };

/* What the write callback gathers: the body (a JSON reply or an error's text), or the
 * stream fed straight into the SSE reader when the server answers text/event-stream. */
struct sink {
    CURL *h;
    bool decided, streaming, over;
    struct buf body;
    struct llm_sse *sse;
    struct todo_err sse_err;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct sink *k = arg;
    size_t len = size * n;
    if (!k->decided) {
        long status = 0;
        const char *type = NULL;
        curl_easy_getinfo(k->h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(k->h, CURLINFO_CONTENT_TYPE, &type);
        k->streaming = status == 200 && type && strncmp(type, "text/event-stream", 17) == 0;
        k->decided = true;
    }
    if (k->streaming)
        return llm_sse_feed(k->sse, data, len, &k->sse_err) ? 0 : len; /* 0 stops curl */
    if (len > LLM_REPLY_MAX - k->body.len) {
        k->over = true;
        return 0;
    }
    buf_append(&k->body, data, len);
    return len;
}

/* curl's progress callback: a non-zero answer aborts the transfer (a stop). */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct assistant_llm *llm = arg;
    return atomic_load(&llm->stopping) ? 1 : 0;
}

static char *request_body(const struct assistant_llm *llm, json_t *messages)
{
    /* "O" adds a reference: messages stay the caller's (one turn's, one thread's) */
    json_t *req = json_pack("{s:s, s:O, s:b}", "model", llm->model, "messages", messages, "stream",
                            llm->stream);
    if (json_array_size(llm->tools) > 0) {
        /* a copy: llm->tools is shared by every turn and jansson's reference counts are not
         * safe across threads (the check beside the atomic add is a plain read), so it is
         * only ever read */
        json_object_set_new(req, "tools", json_deep_copy(llm->tools));
        json_object_set_new(req, "tool_choice", json_string("auto"));
    }
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return text;
}

static void setup(CURL *h, const struct assistant_llm *llm, struct curl_slist *headers,
                  const char *body, struct sink *k)
{
    curl_easy_setopt(h, CURLOPT_URL, llm->endpoint);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)llm->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(llm->timeout_ms < LLM_CONNECT_TIMEOUT_MS ? llm->timeout_ms
                                                                     : LLM_CONNECT_TIMEOUT_MS));
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* whatever curl can decode */
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)llm);
}

/* The verdict on a finished transfer; *out filled on LLM_OK. */
static enum verdict judge(CURL *h, CURLcode cc, struct sink *k, struct llm_reply *out,
                          int64_t *retry_after_ms, struct todo_err *err)
{
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (k->over) {
        todo_err_set(err, TODO_ERR_TOO_LARGE, "the model's reply is over %d bytes", LLM_REPLY_MAX);
        return LLM_GIVE_UP;
    }
    if (k->streaming && k->sse_err.rc) {
        *err = k->sse_err;
        return k->sse_err.rc == TODO_ERR_TOO_LARGE ? LLM_GIVE_UP : LLM_RETRY;
    }
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        todo_err_set(err, TODO_ERR_UNAVAILABLE, "the model call was stopped (shutdown)");
        return LLM_GIVE_UP;
    }
    if (cc != CURLE_OK) {
        todo_err_set(err, TODO_ERR_UNAVAILABLE, "the model could not be reached: %s",
                     curl_easy_strerror(cc));
        return LLM_RETRY;
    }
    if (status == 429 || status >= 500) {
        curl_off_t after = -1;
        if ((status == 429 || status == 503) &&
            curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
            *retry_after_ms = (int64_t)after * 1000;
        todo_err_set(err, status == 429 ? TODO_ERR_RATE_LIMITED : TODO_ERR_UNAVAILABLE,
                     "the model answered HTTP %ld", status);
        return *retry_after_ms > LLM_RETRY_AFTER_MAX_MS ? LLM_GIVE_UP : LLM_RETRY;
    }
    if (status != 200) {
        todo_err_set(err, TODO_ERR_BAD_REQUEST, "the model answered HTTP %ld", status);
        return LLM_GIVE_UP;
    }
    int rc = k->streaming ? llm_sse_finish(k->sse, out, err)
                          : llm_reply_parse(k->body.data, k->body.len, out, err);
    if (rc)
        return rc == TODO_ERR_TOO_LARGE ? LLM_GIVE_UP : LLM_RETRY;
    return LLM_OK;
}

static enum verdict attempt(const struct assistant_llm *llm, const char *body,
                            struct llm_reply *out, int64_t *retry_after_ms, struct todo_err *err)
{
    CURL *h = curl_easy_init();
    if (!h)
        abort(); /* only fails when out of memory */
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, llm->stream ? "Accept: text/event-stream, application/json"
                                                     : "Accept: application/json");
    if (llm->auth_header)
        headers = curl_slist_append(headers, llm->auth_header);
    struct sink k = {.h = h, .sse = llm_sse_create()};
    buf_init(&k.body);
    setup(h, llm, headers, body, &k);
    CURLcode cc = curl_easy_perform(h);
    enum verdict v = judge(h, cc, &k, out, retry_after_ms, err);
    llm_sse_destroy(k.sse);
    buf_release(&k.body);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return v;
}

/* Waits ms, or less when the llm is stopped; returns false when it was. */
static bool wait_ms(struct assistant_llm *llm, int64_t ms)
{
    struct timespec until = time_deadline_ms(CLOCK_MONOTONIC, ms);
    pthread_mutex_lock(&llm->mu);
    while (!atomic_load(&llm->stopping) &&
           pthread_cond_timedwait(&llm->cv, &llm->mu, &until) != ETIMEDOUT) {
    }
    bool stopped = atomic_load(&llm->stopping);
    pthread_mutex_unlock(&llm->mu);
    return !stopped;
}

/* A server's error text may quote the key it was sent (some echo it, masked or not): every
 * occurrence in the message becomes "[key]" before the message goes anywhere. */
static void redact_key(const struct assistant_llm *llm, struct todo_err *e)
{
    static const char prefix[] = "Authorization: Bearer ";
    if (!llm->auth_header)
        return;
    const char *key = llm->auth_header + sizeof prefix - 1;
    size_t n = strlen(key);
    char *at;
    if (n < 8) /* shorter: not a real key, and too likely to match ordinary words */
        return;
    while ((at = strstr(e->message, key)) != NULL) {
        memcpy(at, "[key]", 5);
        memmove(at + 5, at + n, strlen(at + n) + 1);
    }
    /* the message was cut to its size: a key's first bytes may end it */
    size_t len = strlen(e->message);
    for (size_t k = n - 1 < len ? n - 1 : len; k >= 8; k--) {
        if (memcmp(e->message + len - k, key, k) == 0) {
            snprintf(e->message + len - k, sizeof e->message - (len - k), "[key]");
            break;
        }
    }
}

/* Full jitter: a uniform wait in [0, min(max, base * 2^attempt)]. */
static int64_t backoff_ms(int n)
{
    int64_t span = LLM_BACKOFF_BASE_MS;
    for (int i = 0; i < n && span < LLM_BACKOFF_MAX_MS; i++)
        span *= 2;
    if (span > LLM_BACKOFF_MAX_MS)
        span = LLM_BACKOFF_MAX_MS;
    return (int64_t)randombytes_uniform((uint32_t)span + 1);
}

int llm_http_complete(struct assistant_llm *llm, json_t *messages, struct llm_reply *out,
                      struct todo_err *err)
{
    assert(llm && messages && out && err);
    char *body = request_body(llm, messages);
    if (!body)
        abort(); /* json_dumps fails only when out of memory */
    int rc = todo_err_set(err, TODO_ERR_UNAVAILABLE, "the model is stopped (shutdown)");
    for (int n = 0; !atomic_load(&llm->stopping); n++) {
        int64_t retry_after_ms = 0;
        struct todo_err e = {0};
        enum verdict v = attempt(llm, body, out, &retry_after_ms, &e);
        redact_key(llm, &e);
        bool last = v == LLM_GIVE_UP || n >= llm->retries;
        atomic_fetch_add(&llm->calls[v == LLM_OK ? LLM_CALL_OK
                                     : last      ? LLM_CALL_GIVE_UP
                                                 : LLM_CALL_RETRY],
                         1);
        if (v == LLM_OK) {
            rc = TODO_OK;
            break;
        }
        *err = e;
        rc = e.rc ? e.rc : TODO_ERR_UNAVAILABLE;
        if (last)
            break;
        int64_t wait = retry_after_ms > 0 ? retry_after_ms : backoff_ms(n);
        log_msg(LOG_WARN, "model call failed (%s); retry %d of %d in %lld ms", e.message, n + 1,
                llm->retries, (long long)wait);
        if (!wait_ms(llm, wait))
            break;
    }
    free(body);
    return rc;
}
