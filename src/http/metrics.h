/* metrics.h - HTTP request counters and latency histograms, lock-free (atomic adds on a
 * fixed table indexed by route, method and status), rendered as Prometheus text. */
#ifndef TODO_HTTP_METRICS_H
#define TODO_HTTP_METRICS_H

#include <stdint.h>

#include "base/buf.h"

/* Route slots: the registered routes first; then two fixed slots. The fallback's (static
 * files, one label whatever the path) and the last, requests that matched no route. */
#define METRICS_MAX_ROUTES      64
#define METRICS_ROUTE_FALLBACK  (METRICS_MAX_ROUTES - 2)
#define METRICS_ROUTE_UNMATCHED (METRICS_MAX_ROUTES - 1)
#define METRICS_N_METHODS       8
#define METRICS_N_STATUS        20
#define METRICS_N_BUCKETS       14

struct http_metrics {
    uint64_t requests[METRICS_MAX_ROUTES][METRICS_N_METHODS][METRICS_N_STATUS];
    uint64_t buckets[METRICS_MAX_ROUTES][METRICS_N_BUCKETS];
    uint64_t sum_ns[METRICS_MAX_ROUTES];
    uint64_t count[METRICS_MAX_ROUTES];
};

void http_metrics_init(struct http_metrics *m);
/* Index of a method name (GET, POST, ...), METRICS_N_METHODS - 1 for any other. */
int http_metrics_method_index(const char *method);
/* Thread-safe. route_idx < METRICS_MAX_ROUTES. */
void http_metrics_observe(struct http_metrics *m, int route_idx, int method_idx, int status,
                          uint64_t duration_ns);
/* Appends the Prometheus text; route i < n_routes is route_methods[i] on the pattern
 * route_names[i] (histograms are per route and method; counters add the status). The
 * fallback slot is labelled fallback_name (method "any"), or left out when that is NULL;
 * the last slot is "unmatched". */
void http_metrics_render(const struct http_metrics *m, const char *const *route_names,
                         const char *const *route_methods, int n_routes, const char *fallback_name,
                         struct buf *out);

#endif
