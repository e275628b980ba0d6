/* xalloc.h - checked allocation: out of memory aborts (as in Redis and h2o).
 * Every function here either returns usable memory or does not return. */
#ifndef TODO_BASE_XALLOC_H
#define TODO_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Copies s (NULL gives NULL). Caller frees. */
char *xstrdup(const char *s);
/* Copies at most n bytes of s and terminates. Caller frees. */
char *xstrndup(const char *s, size_t n);

#endif
