/* ratelimit.c - sliding-window limiter: each key keeps the count of the current fixed
 * window and of the previous one; the estimate weights the previous count by how much of
 * it still overlaps the sliding window. Keys live in a chained hash table under one mutex;
 * stale keys are swept when the table grows. */
#include "app/ratelimit.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
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

/* The estimate of allow() at t for a key with these windows (no state changed). */
static double estimate_at(const ratelimit_t *rl, int64_t start, int prev, int cur, int64_t t)
{
    double elapsed = (double)(t - start) / (double)rl->window_ms;
    return prev * (1.0 - elapsed) + cur;
}

int64_t ratelimit_wait_ms(ratelimit_t *rl, const char *key, int64_t now_ms)
{
    assert(rl && key);
    if (rl->limit <= 0)
        return 0;
    pthread_mutex_lock(&rl->lock);
    struct rl_entry *e = rl->buckets[hash_key(key) % RL_BUCKETS];
    while (e && strcmp(e->key, key) != 0)
        e = e->next;
    struct rl_entry w = {0};
    if (e) {
        w = *e;
        roll(rl, &w, now_ms);
    }
    pthread_mutex_unlock(&rl->lock);
    if (!e)
        return 0;
    /* The estimate only falls as time passes: step forward by 1% of the window (and across
     * the boundary, where the current window becomes the previous one) until it admits. */
    int64_t step = rl->window_ms / 100 > 0 ? rl->window_ms / 100 : 1;
    for (int64_t t = now_ms; t <= now_ms + 2 * rl->window_ms; t += step) {
        int64_t start = t - t % rl->window_ms;
        int prev = w.prev_count, cur = w.cur_count;
        if (start != w.window_start) {
            prev = start - w.window_start == rl->window_ms ? w.cur_count : 0;
            cur = 0;
        }
        if (estimate_at(rl, start, prev, cur, t) + 1 <= rl->limit)
            return t - now_ms;
    }
    return 2 * rl->window_ms;
}

void ratelimit_addr_key(const char *remote, char *out, size_t n)
{
    assert(remote && out && n > 0);
    unsigned char a6[16];
    if (inet_pton(AF_INET6, remote, a6) != 1) {
        snprintf(out, n, "%s", remote); /* IPv4, or no address at all */
        return;
    }
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a6, mapped, sizeof mapped) == 0) {
        snprintf(out, n, "%u.%u.%u.%u", a6[12], a6[13], a6[14], a6[15]);
        return;
    }
    memset(a6 + 8, 0, 8);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a6, text, sizeof text);
    snprintf(out, n, "%s/64", text);
}
