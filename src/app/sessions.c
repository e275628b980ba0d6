/* sessions.c - the sessions watcher: keeps this process's set of revoked sessions (token.c)
 * in step with the store, so a sign-out on any replica is refused here within about
 * APP_SESSIONS_REFRESH_MS, and no request ever reads the database to check its token
 * (docs/decisions/0016-token-revocation.md).
 *
 * The one idea: revocations are timestamps on session rows, and each refresh reads the rows
 * revoked since the previous refresh began, minus REVOKED_SLACK_MS. The slack covers a
 * writer whose clock is behind ours and a revocation committed after the time it carries,
 * and re-reading a row is harmless (the set is idempotent). The first refresh reads every
 * revoked session whose tokens have not expired. Expired ones leave the set, and their rows
 * the database, once their tokens can no longer be used anyway. */
#include "app/app_internal.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define REVOKED_SLACK_MS (5 * 60 * 1000LL)
#define PRUNE_EVERY_MS   (60 * 1000LL)
#define PRUNE_GRACE_MS   (60 * 1000LL) /* rows are kept a little past their tokens' exp */

struct app_sessions_watch {
    pthread_mutex_t refresh_lock; /* one refresh at a time (the thread, a sign-out) */
    int64_t next_since;           /* under refresh_lock; 0: read everything */
    pthread_mutex_t lock;         /* guards stop, with wake */
    pthread_cond_t wake;
    bool stop;
    bool running;
    pthread_t thread;
};

static void add_revoked(void *arg, const char *sid, int64_t expires_at, int64_t revoked_at)
{
    (void)revoked_at;
    app_revoked_add(arg, sid, expires_at);
}

/* One refresh of a's set from the store. Returns a store result. */
static int refresh(struct app *a, struct app_sessions_watch *w)
{
    pthread_mutex_lock(&w->refresh_lock);
    int64_t now = time_now_ms();
    int rc = store_sessions_revoked(a->store, w->next_since, now, add_revoked, a->revoked);
    if (rc == TODO_OK) {
        w->next_since = now - REVOKED_SLACK_MS;
        app_revoked_prune(a->revoked, now);
    }
    pthread_mutex_unlock(&w->refresh_lock);
    return rc;
}

int app_sessions_refresh(struct app *a)
{
    assert(a);
    if (a->watch)
        return refresh(a, a->watch);
    /* No watcher (tests, tools): read everything that is revoked and not expired. */
    int64_t now = time_now_ms();
    int rc = store_sessions_revoked(a->store, 0, now, add_revoked, a->revoked);
    app_revoked_prune(a->revoked, now);
    return rc;
}

/* Waits up to ms on the watcher's condition; false when asked to stop. */
static bool wait_ms(struct app_sessions_watch *w, int64_t ms)
{
    struct timespec until = time_deadline_ms(CLOCK_MONOTONIC, ms);
    pthread_mutex_lock(&w->lock);
    while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0)
        ;
    bool go_on = !w->stop;
    pthread_mutex_unlock(&w->lock);
    return go_on;
}

static void *watch_main(void *arg)
{
    struct app *a = arg;
    struct app_sessions_watch *w = a->watch;
    int64_t last_prune = 0;
    bool failing = false;
    store_thread_background();
    while (wait_ms(w, APP_SESSIONS_REFRESH_MS)) {
        int rc = refresh(a, w);
        if (rc != TODO_OK && !failing) /* once per outage, not every second */
            log_msg(LOG_WARN, "cannot read revoked sessions: %s", store_last_error(a->store));
        failing = rc != TODO_OK;
        int64_t now = time_now_ms();
        if (!failing && now - last_prune >= PRUNE_EVERY_MS) {
            last_prune = now;
            if (store_sessions_prune(a->store, now - PRUNE_GRACE_MS, NULL) != TODO_OK)
                log_msg(LOG_WARN, "cannot prune sessions: %s", store_last_error(a->store));
        }
    }
    return NULL;
}

int app_sessions_start(struct app *a)
{
    assert(a && !a->watch);
    struct app_sessions_watch *w = xcalloc(1, sizeof *w);
    pthread_mutex_init(&w->refresh_lock, NULL);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    a->watch = w;
    int rc = refresh(a, w);
    if (rc != TODO_OK) {
        app_sessions_stop(a);
        return rc;
    }
    if (pthread_create(&w->thread, NULL, watch_main, a) != 0)
        abort(); /* like OOM: nothing sensible to do without threads */
    w->running = true;
    return TODO_OK;
}

void app_sessions_stop(struct app *a)
{
    struct app_sessions_watch *w = a->watch;
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    if (w->running)
        pthread_join(w->thread, NULL);
    a->watch = NULL;
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->refresh_lock);
    free(w);
}
