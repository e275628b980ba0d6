/* client.c - one outgoing HTTP request over libcurl, answer gathered in memory (client.h).
 *
 * The one idea: a call is a fresh easy handle, so any thread may call at once and nothing
 * outlives the call but the response the caller releases. Response headers are kept from
 * the last header block only (a 100 Continue's are dropped when the final status line
 * arrives). */
#include "http/client.h"

#include "base/xalloc.h"

#include <assert.h>
#include <stdint.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sink {
    struct http_client_response *resp;
    size_t max;
    bool over;
};

static void drop_headers(struct http_client_response *resp)
{
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->names[i]);
        free(resp->values[i]);
    }
    resp->n_headers = 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct sink *k = arg;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new status line: a new block */
        drop_headers(k->resp);
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon || k->resp->n_headers == HTTP_CLIENT_MAX_HEADERS)
        return len;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1, *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    k->resp->names[k->resp->n_headers] = xstrndup(data, name_len);
    k->resp->values[k->resp->n_headers] = xstrndup(v, (size_t)(end - v));
    k->resp->n_headers++;
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct sink *k = arg;
    size_t len = size * n;
    if (len > k->max - k->resp->body.len) {
        k->over = true;
        return 0; /* stops the transfer */
    }
    buf_append(&k->resp->body, data, len);
    return len;
}

/* curl's progress callback: a non-zero answer aborts the transfer (a stop). */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const atomic_bool *stop = arg;
    return atomic_load(stop) ? 1 : 0;
}

static struct curl_slist *header_list(const struct http_client_request *req)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < req->n_headers; i++)
        list = curl_slist_append(list, req->headers[i]);
    /* curl adds "Expect: 100-continue" to large bodies (the sidecar needs no such round trip)
     * and a form Content-Type to any body: "Name:" removes what curl would add */
    list = curl_slist_append(list, "Expect:");
    bool typed = false;
    for (size_t i = 0; i < req->n_headers && !typed; i++)
        typed = strncasecmp(req->headers[i], "Content-Type:", 13) == 0;
    if (!typed)
        list = curl_slist_append(list, "Content-Type:");
    return list;
}

static void setup(CURL *h, const struct http_client_request *req, struct curl_slist *headers,
                  struct sink *k)
{
    const char *method = req->method ? req->method : "GET";
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* never squash "/../": the caller checked */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    if (req->connect_timeout_ms)
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    bool with_body = req->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
                     strcmp(method, "PATCH") == 0; /* those send a length, 0 or not */
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(method, "GET") != 0 || with_body)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        if (with_body) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        }
    }
    if (req->stop) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)(uintptr_t)req->stop);
    }
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, k);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
}

static int translate(CURLcode cc, const struct sink *k, struct todo_err *err)
{
    if (k->over)
        return todo_err_set(err, TODO_ERR_TOO_LARGE, "the answer is over %zu bytes", k->max);
    switch (cc) {
    case CURLE_OK:
        return TODO_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "no connection: %s", curl_easy_strerror(cc));
    case CURLE_OPERATION_TIMEDOUT:
        return todo_err_set(err, TODO_ERR_BUSY, "no answer in time: %s", curl_easy_strerror(cc));
    default:
        return todo_err_set(err, TODO_ERR_INTERNAL, "the call failed: %s", curl_easy_strerror(cc));
    }
}

int http_client_do(const struct http_client_request *req, struct http_client_response *resp,
                   struct todo_err *err)
{
    assert(req && req->url && resp && err);
    memset(resp, 0, sizeof *resp);
    buf_init(&resp->body);
    CURL *h = curl_easy_init();
    if (!h)
        abort(); /* only fails when out of memory */
    struct sink k = {.resp = resp, .max = req->max_response};
    struct curl_slist *headers = header_list(req);
    setup(h, req, headers, &k);
    CURLcode cc = curl_easy_perform(h);
    int rc = translate(cc, &k, err);
    if (rc == TODO_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (rc)
        http_client_response_release(resp, true);
    return rc;
}

const char *http_client_header(const struct http_client_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->n_headers; i++)
        if (strcasecmp(resp->names[i], name) == 0)
            return resp->values[i];
    return NULL;
}

void http_client_response_release(struct http_client_response *resp, bool wipe)
{
    if (wipe && resp->body.data)
        sodium_memzero(resp->body.data, resp->body.len);
    buf_release(&resp->body);
    drop_headers(resp);
}
