/* workpool.h - a small fixed pool of threads for work that must not hold an HTTP worker:
 * password hashing now, outside calls (LLMs, webhooks) later. Jobs run in submission
 * order. Thread-safe. */
#ifndef TODO_BASE_WORKPOOL_H
#define TODO_BASE_WORKPOOL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct workpool workpool_t;
typedef void (*workpool_fn)(void *arg);

/* Starts n_threads threads (0 = CPUs) taking jobs from a queue of at most max_queued. */
workpool_t *workpool_create(unsigned n_threads, size_t max_queued);
/* Queues fn(arg). Returns false, without queueing, when the queue is full or the pool is
 * stopping: the caller still owns arg. */
bool workpool_submit(workpool_t *p, workpool_fn fn, void *arg);
/* Runs every job already queued, then joins the threads and frees the pool. NULL is fine. */
void workpool_destroy(workpool_t *p);

#endif
