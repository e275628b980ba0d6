/* workpool.c - a mutex-and-condition-variable job queue drained by a fixed set of threads.
 * Destroy sets a stop flag and wakes everyone; threads finish the queue before leaving, so
 * no submitted job is dropped (a suspended HTTP request always gets its answer). */
#include "base/workpool.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct job {
    struct job *next;
    workpool_fn fn;
    void *arg;
};

struct workpool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct job *head, *tail;
    size_t n_queued, max_queued;
    bool stopping;
    unsigned n_threads;
    pthread_t *threads;
};

static void *worker(void *arg)
{
    workpool_t *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->wake, &p->lock);
        struct job *j = p->head;
        if (!j)
            break; /* stopping and drained */
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->n_queued--;
        pthread_mutex_unlock(&p->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

workpool_t *workpool_create(unsigned n_threads, size_t max_queued)
{
    if (!n_threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = n > 0 ? (unsigned)n : 1;
    }
    workpool_t *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->max_queued = max_queued;
    p->threads = xcalloc(n_threads, sizeof *p->threads);
    for (unsigned i = 0; i < n_threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            abort(); /* like OOM: nothing sensible to do without threads */
        p->n_threads++;
    }
    return p;
}

bool workpool_submit(workpool_t *p, workpool_fn fn, void *arg)
{
    struct job *j = xmalloc(sizeof *j);
    j->next = NULL;
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&p->lock);
    if (p->stopping || p->n_queued >= p->max_queued) {
        pthread_mutex_unlock(&p->lock);
        free(j);
        return false;
    }
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->n_queued++;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return true;
}

void workpool_destroy(workpool_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
