/* nlp_bench.c - the assistant parser alone, timed (docs/benchmarks.md, "Assistant"): every
 * message of the development set (tests/assistant/devset.jsonl, with its own now and zone)
 * through nlp_parse_json, ROUNDS times over, single-threaded; each call timed on the
 * monotonic clock. Prints messages/s, the mean, p50, p99 and max ns per message, and a
 * "RESULT k=v ..." line for bench/assistant.sh.
 *
 * Usage: nlp_bench [DEVSET] [ROUNDS]   (defaults: tests/assistant/devset.jsonl, 200) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/nlp.h"

struct message {
    char *text;
    size_t len;
    int64_t now_ms;
    char *tz;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Reads the set's messages into *out (freed by the caller); returns their number. */
static size_t load(const char *path, struct message **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t n = 0, cap = 0;
    struct message *msgs = NULL;
    char *line = NULL;
    size_t line_cap = 0;
    while (getline(&line, &line_cap, f) > 0) {
        json_t *c = json_loads(line, 0, NULL);
        const char *text = json_string_value(json_object_get(c, "text"));
        const char *now = json_string_value(json_object_get(c, "now"));
        const char *tz = json_string_value(json_object_get(c, "tz"));
        int64_t now_ms;
        if (!text || !now || !tz || time_parse_rfc3339(now, &now_ms) != 0) {
            fprintf(stderr, "nlp_bench: %s: a line without text, now or tz\n", path);
            exit(1);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            msgs = xrealloc(msgs, cap * sizeof *msgs);
        }
        msgs[n++] = (struct message){xstrdup(text), strlen(text), now_ms, xstrdup(tz)};
        json_decref(c);
    }
    free(line);
    fclose(f);
    *out = msgs;
    return n;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/assistant/devset.jsonl";
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
    if (rounds < 1)
        rounds = 1;
    struct message *msgs;
    size_t n = load(path, &msgs);
    size_t total = n * (size_t)rounds;
    uint64_t *ns = xmalloc(total * sizeof *ns);
    for (size_t i = 0; i < n; i++) /* warm-up: zone tables, caches */
        json_decref(nlp_parse_json(msgs[i].text, msgs[i].len, msgs[i].now_ms, msgs[i].tz));
    uint64_t t0 = mono_ns();
    for (size_t k = 0; k < total; k++) {
        const struct message *m = &msgs[k % n];
        uint64_t a = mono_ns();
        json_t *out = nlp_parse_json(m->text, m->len, m->now_ms, m->tz);
        json_decref(out);
        ns[k] = mono_ns() - a;
    }
    double secs = (double)(mono_ns() - t0) / 1e9;
    uint64_t sum = 0;
    for (size_t k = 0; k < total; k++)
        sum += ns[k];
    qsort(ns, total, sizeof *ns, cmp_u64);
    uint64_t p50 = ns[total / 2], p99 = ns[total * 99 / 100], max = ns[total - 1];
    double per_s = (double)total / secs, mean = (double)sum / (double)total;
    printf("nlp_bench: %zu messages (%zu distinct x %ld rounds) in %.3f s: %.0f messages/s\n"
           "ns per message: mean %.0f, p50 %" PRIu64 ", p99 %" PRIu64 ", max %" PRIu64 "\n",
           total, n, rounds, secs, per_s, mean, p50, p99, max);
    printf("RESULT messages=%zu distinct=%zu per_s=%.0f mean_ns=%.0f p50_ns=%" PRIu64
           " p99_ns=%" PRIu64 " max_ns=%" PRIu64 "\n",
           total, n, per_s, mean, p50, p99, max);
    for (size_t i = 0; i < n; i++) {
        free(msgs[i].text);
        free(msgs[i].tz);
    }
    free(msgs);
    free(ns);
    return 0;
}
