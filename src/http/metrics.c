/* metrics.c - Prometheus counters and histograms for HTTP requests, plus the process
 * metrics every service exposes (base/procstat.c: memory, fds, threads, CPU, start time).
 * Writers only do relaxed atomic adds; the scrape reads whatever is there. */
#include "http/metrics.h"
#include "base/procstat.h"
#include "base/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char *const method_names[METRICS_N_METHODS] = {"GET",    "POST", "PUT",     "PATCH",
                                                            "DELETE", "HEAD", "OPTIONS", "OTHER"};
static const int status_codes[METRICS_N_STATUS - 1] = {
    200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 499, 500, 503};
static const double bucket_bounds[METRICS_N_BUCKETS - 1] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

void http_metrics_init(struct http_metrics *m)
{
    memset(m, 0, sizeof *m);
}

int http_metrics_method_index(const char *method)
{
    for (int i = 0; i < METRICS_N_METHODS - 1; i++)
        if (strcmp(method, method_names[i]) == 0)
            return i;
    return METRICS_N_METHODS - 1;
}

static int status_index(int status)
{
    for (int i = 0; i < METRICS_N_STATUS - 1 && status_codes[i]; i++)
        if (status_codes[i] == status)
            return i;
    return METRICS_N_STATUS - 1;
}

void http_metrics_observe(struct http_metrics *m, int route_idx, int method_idx, int status,
                          uint64_t duration_ns)
{
    __atomic_fetch_add(&m->requests[route_idx][method_idx][status_index(status)], 1,
                       __ATOMIC_RELAXED);
    double secs = (double)duration_ns / 1e9;
    int b = 0;
    while (b < METRICS_N_BUCKETS - 1 && secs > bucket_bounds[b])
        b++;
    __atomic_fetch_add(&m->buckets[route_idx][b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->sum_ns[route_idx], duration_ns, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->count[route_idx], 1, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* The label of slot r, or NULL when the slot is not rendered. */
static const char *slot_name(int r, const char *const *route_names, int n_routes,
                             const char *fallback_name)
{
    if (r < n_routes)
        return route_names[r];
    if (r == METRICS_ROUTE_FALLBACK)
        return fallback_name;
    if (r == METRICS_ROUTE_UNMATCHED)
        return "unmatched";
    return NULL;
}

void http_metrics_render(const struct http_metrics *m, const char *const *route_names,
                         const char *const *route_methods, int n_routes, const char *fallback_name,
                         struct buf *out)
{
    buf_puts(out, "# HELP todo_http_requests_total HTTP requests by route, method and status.\n"
                  "# TYPE todo_http_requests_total counter\n");
    for (int r = 0; r < METRICS_MAX_ROUTES; r++) {
        const char *name = slot_name(r, route_names, n_routes, fallback_name);
        if (!name)
            continue;
        for (int me = 0; me < METRICS_N_METHODS; me++)
            for (int st = 0; st < METRICS_N_STATUS; st++) {
                uint64_t v = load(&m->requests[r][me][st]);
                if (!v)
                    continue;
                int code = st < METRICS_N_STATUS - 1 ? status_codes[st] : 0;
                if (code)
                    buf_printf(out,
                               "todo_http_requests_total{route=\"%s\",method=\"%s\","
                               "status=\"%d\"} %llu\n",
                               name, method_names[me], code, (unsigned long long)v);
                else
                    buf_printf(out,
                               "todo_http_requests_total{route=\"%s\",method=\"%s\","
                               "status=\"other\"} %llu\n",
                               name, method_names[me], (unsigned long long)v);
            }
    }
    buf_puts(out, "# HELP todo_http_request_duration_seconds Time from request to response.\n"
                  "# TYPE todo_http_request_duration_seconds histogram\n");
    for (int r = 0; r < METRICS_MAX_ROUTES; r++) {
        const char *name = slot_name(r, route_names, n_routes, fallback_name);
        const char *method = r < n_routes ? route_methods[r] : "any";
        if (!name)
            continue;
        if (!load(&m->count[r]))
            continue;
        /* _count is the +Inf bucket as read here, not m->count: a request finishing while
         * this renders would otherwise make them differ (Prometheus requires them equal). */
        uint64_t cumulative = 0;
        for (int b = 0; b < METRICS_N_BUCKETS; b++) {
            cumulative += load(&m->buckets[r][b]);
            if (b < METRICS_N_BUCKETS - 1)
                buf_printf(out,
                           "todo_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
                           "le=\"%g\"} %llu\n",
                           name, method, bucket_bounds[b], (unsigned long long)cumulative);
            else
                buf_printf(out,
                           "todo_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
                           "le=\"+Inf\"} %llu\n",
                           name, method, (unsigned long long)cumulative);
        }
        buf_printf(out, "todo_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n",
                   name, method, (double)load(&m->sum_ns[r]) / 1e9);
        buf_printf(out,
                   "todo_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
                   name, method, (unsigned long long)cumulative);
    }
    procstat_render(out);
}
