/* ratelimit.c - sliding-window limiter: each key keeps the count of the current fixed
 * window and of the previous one; the estimate weights the previous count by how much of
 * it still overlaps the sliding window. Keys live in a chained hash table under one mutex;
 * stale keys are swept when the table grows. */
#include "app/ratelimit.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RL_BUCKETS 1024

struct rl_entry {
    struct rl_entry *next;
    int64_t window_start;
    int prev_count;
    int cur_count;
    char key[];
};

struct ratelimit {
    pthread_mutex_t lock;
    int limit;
    int64_t window_ms;
    size_t n_entries;
    struct rl_entry *buckets[RL_BUCKETS];
};

ratelimit_t *ratelimit_create(int limit, int64_t window_ms)
{
    ratelimit_t *rl = xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->lock, NULL);
    rl->limit = limit;
    rl->window_ms = window_ms > 0 ? window_ms : 60000;
    return rl;
}

void ratelimit_destroy(ratelimit_t *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < RL_BUCKETS; i++) {
        struct rl_entry *e = rl->buckets[i];
        while (e) {
            struct rl_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static unsigned hash_key(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Moves e's windows forward to the one containing now. */
static void roll(const ratelimit_t *rl, struct rl_entry *e, int64_t now)
{
    int64_t start = now - now % rl->window_ms;
    if (start == e->window_start)
        return;
    e->prev_count = start - e->window_start == rl->window_ms ? e->cur_count : 0;
    e->cur_count = 0;
    e->window_start = start;
}

static void sweep(ratelimit_t *rl, int64_t now)
{
    for (int i = 0; i < RL_BUCKETS; i++) {
        struct rl_entry **pp = &rl->buckets[i];
        while (*pp) {
            struct rl_entry *e = *pp;
            if (now - e->window_start >= 2 * rl->window_ms) {
                *pp = e->next;
                free(e);
                rl->n_entries--;
            } else {
                pp = &e->next;
            }
        }
    }
}

bool ratelimit_allow(ratelimit_t *rl, const char *key, int64_t now_ms)
{
    if (rl->limit <= 0)
        return true;
    pthread_mutex_lock(&rl->lock);
    unsigned b = hash_key(key) % RL_BUCKETS;
    struct rl_entry *e = rl->buckets[b];
    while (e && strcmp(e->key, key) != 0)
        e = e->next;
    if (!e) {
        if (rl->n_entries >= 16 * RL_BUCKETS)
            sweep(rl, now_ms);
        size_t len = strlen(key);
        e = xcalloc(1, sizeof *e + len + 1);
        memcpy(e->key, key, len);
        e->window_start = now_ms - now_ms % rl->window_ms;
        e->next = rl->buckets[b];
        rl->buckets[b] = e;
        rl->n_entries++;
    }
    roll(rl, e, now_ms);
    double elapsed = (double)(now_ms - e->window_start) / (double)rl->window_ms;
    double estimate = e->prev_count * (1.0 - elapsed) + e->cur_count;
    bool ok = estimate + 1 <= rl->limit;
    if (ok)
        e->cur_count++;
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
