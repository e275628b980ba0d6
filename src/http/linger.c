/* linger.c - lingering close (RFC 9112 section 9.6).
 *
 * The one idea: when the server answers a request before reading its body (413 for a
 * declared length over the limit, 400 for ambiguous framing) and ends the connection,
 * closing a socket with unread bytes makes the kernel send a reset, and a client still
 * writing its body loses the answer. So the server hands a duplicate of the socket here: its
 * writing side is shut (the client sees the end of the answer), and one thread reads and
 * drops what the client still sends until the client closes, a deadline or a byte limit is
 * reached, or the table is full, then closes it. The thread never parses what it reads. */
#include "http/linger.h"
#include "base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct lingerer {
    int fd;
    int64_t deadline_ms;
    size_t n_read;
};

struct http_linger {
    pthread_t thread;
    pthread_mutex_t mu;
    int wake[2]; /* a pipe: a new socket or the stop */
    bool stop;
    unsigned max_fds, timeout_ms;
    size_t max_bytes;
    unsigned n;
    struct lingerer *fds; /* max_fds of them; owned by the thread, added under mu */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads and drops what is there. True while the socket should keep lingering. */
static bool drain(struct http_linger *l, struct lingerer *g)
{
    char scratch[16384];
    for (;;) {
        ssize_t n = recv(g->fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n > 0) {
            g->n_read += (size_t)n;
            if (g->n_read > l->max_bytes)
                return false;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
}

/* Drops entry i (swap with the last). Caller holds mu. */
static void remove_at(struct http_linger *l, unsigned i)
{
    assert(i < l->n);
    close(l->fds[i].fd);
    l->fds[i] = l->fds[--l->n];
}

/* One round: poll the sockets and the wake pipe, drain, drop the finished. */
static void linger_round(struct http_linger *l, struct pollfd *pfds)
{
    pthread_mutex_lock(&l->mu);
    unsigned n = l->n;
    int64_t now = mono_ms(), next = now + 1000;
    pfds[0] = (struct pollfd){.fd = l->wake[0], .events = POLLIN};
    for (unsigned i = 0; i < n; i++) {
        pfds[i + 1] = (struct pollfd){.fd = l->fds[i].fd, .events = POLLIN};
        if (l->fds[i].deadline_ms < next)
            next = l->fds[i].deadline_ms;
    }
    pthread_mutex_unlock(&l->mu);
    int timeout = next > now ? (int)(next - now) : 0;
    if (poll(pfds, n + 1, timeout) < 0 && errno != EINTR)
        return;
    if (pfds[0].revents & POLLIN) {
        char b[64];
        while (read(l->wake[0], b, sizeof b) > 0)
            ;
    }
    pthread_mutex_lock(&l->mu);
    now = mono_ms();
    /* entries 0..n-1 are the ones polled (new ones were appended after them) */
    for (unsigned i = n; i-- > 0;) {
        struct lingerer *g = &l->fds[i];
        bool keep = now < g->deadline_ms;
        if (keep && (pfds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
            keep = drain(l, g);
        if (!keep)
            remove_at(l, i);
    }
    pthread_mutex_unlock(&l->mu);
}

static void *linger_main(void *arg)
{
    struct http_linger *l = arg;
    struct pollfd *pfds = xcalloc(l->max_fds + 1, sizeof *pfds);
    for (;;) {
        pthread_mutex_lock(&l->mu);
        bool stop = l->stop;
        pthread_mutex_unlock(&l->mu);
        if (stop)
            break;
        linger_round(l, pfds);
    }
    free(pfds);
    return NULL;
}

http_linger_t *http_linger_create(unsigned max_fds, unsigned timeout_ms, size_t max_bytes)
{
    assert(max_fds > 0);
    struct http_linger *l = xcalloc(1, sizeof *l);
    l->max_fds = max_fds;
    l->timeout_ms = timeout_ms;
    l->max_bytes = max_bytes;
    l->fds = xcalloc(max_fds, sizeof *l->fds);
    pthread_mutex_init(&l->mu, NULL);
    if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
        pthread_create(&l->thread, NULL, linger_main, l) != 0)
        abort(); /* out of descriptors or threads at start: nothing sensible to do */
    return l;
}

void http_linger_add(http_linger_t *l, int fd)
{
    assert(l && fd >= 0);
    shutdown(fd, SHUT_WR);
    pthread_mutex_lock(&l->mu);
    if (l->stop || l->n == l->max_fds) {
        pthread_mutex_unlock(&l->mu);
        close(fd);
        return;
    }
    l->fds[l->n++] = (struct lingerer){.fd = fd, .deadline_ms = mono_ms() + l->timeout_ms};
    pthread_mutex_unlock(&l->mu);
    ssize_t w = write(l->wake[1], "", 1); /* a full pipe already wakes the thread */
    (void)w;
}

unsigned http_linger_count(http_linger_t *l)
{
    pthread_mutex_lock(&l->mu);
    unsigned n = l->n;
    pthread_mutex_unlock(&l->mu);
    return n;
}

void http_linger_destroy(http_linger_t *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_mutex_unlock(&l->mu);
    ssize_t w = write(l->wake[1], "", 1);
    (void)w;
    pthread_join(l->thread, NULL);
    while (l->n)
        remove_at(l, l->n - 1);
    close(l->wake[0]);
    close(l->wake[1]);
    pthread_mutex_destroy(&l->mu);
    free(l->fds);
    free(l);
}
