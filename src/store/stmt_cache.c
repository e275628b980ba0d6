/* stmt_cache.c - a small per-connection cache of prepared dynamic statements, keyed by the
 * exact SQL text. The idea: dynamic SQL comes in a handful of shapes (the default list, a
 * search, an IN list padded to a power of two), so preparing each shape once per connection
 * and reusing it removes the parser from the hot path. 64 entries, scanned linearly by hash
 * (cheaper than the prepare it saves by orders of magnitude); eviction takes the least
 * recently used entry that no unfinished result is reading. The driver owns the handles:
 * it is told about each eviction through a callback. Owned by the connection's thread. */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store_internal.h"

/* FNV-1a, 64-bit. */
static uint64_t hash_sql(const char *sql)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    return h;
}

struct stmt_cache_entry *stmt_cache_find(struct stmt_cache *sc, const char *sql)
{
    uint64_t h = hash_sql(sql);
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        struct stmt_cache_entry *e = &sc->e[i];
        if (e->sql && e->hash == h && strcmp(e->sql, sql) == 0) {
            e->last_used = ++sc->tick;
            sc->n_hits++;
            return e;
        }
    }
    sc->n_misses++;
    return NULL;
}

struct stmt_cache_entry *stmt_cache_add(struct stmt_cache *sc, const char *sql,
                                        stmt_cache_evict_fn evict, void *arg)
{
    struct stmt_cache_entry *victim = NULL;
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        struct stmt_cache_entry *e = &sc->e[i];
        if (!e->sql) {
            victim = e;
            break;
        }
        if (!e->busy && (!victim || e->last_used < victim->last_used))
            victim = e;
    }
    if (!victim)
        return NULL;
    if (victim->sql) {
        if (evict)
            evict(arg, victim);
        free(victim->sql);
        sc->n_evictions++;
    }
    *victim = (struct stmt_cache_entry){
        .sql = xstrdup(sql), .hash = hash_sql(sql), .last_used = ++sc->tick};
    return victim;
}

void stmt_cache_clear(struct stmt_cache *sc, stmt_cache_evict_fn evict, void *arg)
{
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        struct stmt_cache_entry *e = &sc->e[i];
        if (!e->sql)
            continue;
        if (evict)
            evict(arg, e);
        free(e->sql);
        *e = (struct stmt_cache_entry){0};
    }
}
