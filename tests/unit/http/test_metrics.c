/* Unit tests for the HTTP metrics: a histogram's _count always equals its +Inf bucket, even
 * while requests are observed during the render (Prometheus requires it; docs/operations.md). */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/metrics.h"

static struct http_metrics M;
static atomic_bool stop_observing;

static void *observe_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_observing))
        http_metrics_observe(&M, 0, 0, 200, 1500000);
    return NULL;
}

/* The value of the first line starting with prefix, or -1. */
static long long sample(const char *text, const char *prefix)
{
    const char *p = strstr(text, prefix);
    return p ? strtoll(p + strlen(prefix), NULL, 10) : -1;
}

Test(metrics, histogram_count_equals_its_inf_bucket_while_requests_finish)
{
    static const char *const names[] = {"/healthz"}, *const methods[] = {"GET"};
    http_metrics_init(&M);
    http_metrics_observe(&M, 0, 0, 200, 1000);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, observe_main, NULL), 0);
    int mismatches = 0;
    for (int i = 0; i < 2000; i++) {
        struct buf b;
        buf_init(&b);
        http_metrics_render(&M, names, methods, 1, NULL, &b);
        const char *text = b.data ? b.data : "";
        long long inf = sample(text, "todo_http_request_duration_seconds_bucket{route=\"/healthz\","
                                     "method=\"GET\",le=\"+Inf\"} ");
        long long count = sample(
            text, "todo_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\"} ");
        cr_assert(inf > 0 && count > 0);
        mismatches += inf != count;
        buf_release(&b);
    }
    atomic_store(&stop_observing, true);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cr_assert_eq(mismatches, 0, "_count differed from the +Inf bucket in %d of 2000 renders",
                 mismatches);
}
