/* arena.h - a bump allocator for request-scoped memory (as nginx's and h2o's pools):
 * everything a handler allocates lives until the response is sent and is freed in one go.
 * Not thread-safe: an arena belongs to one request, handled by one thread at a time. */
#ifndef TODO_BASE_ARENA_H
#define TODO_BASE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
};

void arena_init(struct arena *a);
/* Frees every allocation made from a. */
void arena_release(struct arena *a);
/* Memory aligned for any type, valid until arena_release. Aborts on OOM. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif
