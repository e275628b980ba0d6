/* sched_dapr.c - the Dapr Jobs API client (sched_dapr.h) over libcurl: one easy handle, kept
 * so its connection to the sidecar is reused. Job names are ours ("reminder-<id>"), made of
 * URL-safe characters only, so they go into the path as they are. */
#include "sched/sched_dapr.h"
#include "base/buf.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define JOBS_PATH          "/v1.0-alpha1/jobs/"
#define REQUEST_TIMEOUT_MS 5000L
#define CONNECT_TIMEOUT_MS 1000L

/* Dapr retries a callback that failed (not 2xx or 404) every 5 s for a minute (longer than
 * a restart of the app), then drops the tick; the row is still scheduled then, and the
 * scheduler's sweep of overdue rows schedules it again (docs/decisions/0030). */
#define FAILURE_POLICY "{\"constant\":{\"interval\":\"5s\",\"maxRetries\":12}}"

struct sched_dapr {
    char *base_url;
    CURL *h;
    char answer[512]; /* the start of the last answer's body, for errors */
    size_t answer_len;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

sched_dapr_t *sched_dapr_create(const char *base_url)
{
    assert(base_url);
    pthread_once(&curl_once, curl_init);
    sched_dapr_t *d = xcalloc(1, sizeof *d);
    d->base_url = xstrdup(base_url);
    size_t n = strlen(d->base_url);
    while (n > 0 && d->base_url[n - 1] == '/')
        d->base_url[--n] = '\0';
    if (!(d->h = curl_easy_init()))
        abort(); /* only fails when out of memory */
    return d;
}

void sched_dapr_destroy(sched_dapr_t *d)
{
    if (!d)
        return;
    curl_easy_cleanup(d->h);
    free(d->base_url);
    free(d);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    sched_dapr_t *d = arg;
    size_t len = size * n, room = sizeof d->answer - 1 - d->answer_len;
    size_t take = len < room ? len : room;
    memcpy(d->answer + d->answer_len, data, take);
    d->answer_len += take;
    d->answer[d->answer_len] = '\0';
    return len;
}

/* One request; body NULL: a DELETE. Maps the answer to a result (sched_dapr.h). */
static int jobs_request(sched_dapr_t *d, const char *name, const char *body, struct todo_err *err)
{
    struct buf url;
    buf_init(&url);
    buf_printf(&url, "%s" JOBS_PATH "%s", d->base_url, name);
    curl_easy_reset(d->h); /* keeps the connection cache */
    d->answer_len = 0;
    d->answer[0] = '\0';
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(d->h, CURLOPT_URL, url.data);
    curl_easy_setopt(d->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(d->h, CURLOPT_PROXY, ""); /* the sidecar is local: ignore *_proxy */
    curl_easy_setopt(d->h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(d->h, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(d->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(d->h, CURLOPT_WRITEDATA, d);
    curl_easy_setopt(d->h, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(d->h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(d->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    } else {
        curl_easy_setopt(d->h, CURLOPT_CUSTOMREQUEST, "DELETE");
    }
    CURLcode crc = curl_easy_perform(d->h);
    long status = 0;
    if (crc == CURLE_OK)
        curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(d->h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    buf_release(&url);
    if (crc != CURLE_OK)
        return todo_err_set(err, TODO_ERR_UNAVAILABLE, "the Jobs API is unreachable: %s",
                            curl_easy_strerror(crc));
    if (status >= 200 && status < 300)
        return TODO_OK;
    int rc = status >= 400 && status < 500 ? TODO_ERR_BAD_REQUEST : TODO_ERR_UNAVAILABLE;
    return todo_err_set(err, rc, "the Jobs API answered %ld: %.200s", status, d->answer);
}

int sched_dapr_schedule(sched_dapr_t *d, const char *name, int64_t due_at, const char *data_json,
                        struct todo_err *err)
{
    assert(d && name && data_json && err);
    char due[TIME_RFC3339_MAX];
    size_t n = time_format_rfc3339(due_at, due);
    struct buf body;
    buf_init(&body);
    buf_puts(&body, "{\"dueTime\":\"");
    buf_append(&body, due, n);
    buf_puts(&body, "\",\"data\":");
    buf_puts(&body, data_json);
    buf_puts(&body, ",\"overwrite\":true,\"failurePolicy\":" FAILURE_POLICY "}");
    int rc = jobs_request(d, name, body.data, err);
    buf_release(&body);
    return rc;
}

int sched_dapr_delete(sched_dapr_t *d, const char *name, struct todo_err *err)
{
    assert(d && name && err);
    return jobs_request(d, name, NULL, err);
}
