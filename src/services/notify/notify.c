/* notify.c - the notify role: the todo.reminder.due handler and the delivery pool
 * (docs/decisions/0031-notification-deliveries.md).
 *
 * The handler runs in the consumer runtime's transaction and only writes rows (through
 * src/app/notify.c): nothing slow happens on the consumer's thread. The pool is a few threads
 * of its own; each claims one due delivery at a time from the database (an attempt is counted
 * and the row leased when it is claimed), sends it, and records the outcome: delivered, or a
 * next attempt after an exponential backoff with jitter, or dead (with a dead letter) after
 * the last attempt (each of those through src/app/deliveries.c). A slow or dead peer holds
 * only the thread sending to it, for at most the timeout. A process killed amid a send leaves
 * its row leased; once the lease ends any pool takes it again, and the peer sees the same
 * delivery id. Threads sleep until the next due delivery, woken early by new ones of this
 * process and by a short sweep for other processes'. */
#include "services/notify/notify.h"
#include "app/app_notify.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/event.h"
#include "services/notify/deliver.h"

#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_MAX_WORKERS 64
#define NOTIFY_SWEEP_MS    250   /* rows queued by other processes (the api's test sends) */
#define NOTIFY_LEASE_EXTRA 5000  /* a claim's lease: the timeout and this */
#define NOTIFY_PRUNE_EVERY 60000 /* delivered rows past retention, deleted this often */
#define NOTIFY_PRUNE_BATCH 500

struct notify_service {
    struct app *app;
    struct notify_config cfg;
    struct deliver_config dcfg;
    pthread_t threads[NOTIFY_MAX_WORKERS];
    int n_threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
    uint64_t wakes; /* under mu: bumped by notify_wake */
    uint64_t delivered[NOTIFY_N_CHANNELS], failed[NOTIFY_N_CHANNELS], dead[NOTIFY_N_CHANNELS];
    int64_t last_prune; /* atomic: when a thread last pruned */
    uint64_t pruned;
};

/* --- configuration --- */

static int env_long(const char *name, long min, long max, long def, long *out, struct todo_err *err)
{
    const char *v = getenv(name);
    *out = def;
    if (!v || !*v)
        return TODO_OK;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "%s must be %ld..%ld", name, min, max);
    *out = n;
    return TODO_OK;
}

static void env_str(const char *name, const char *def, char *out, size_t size)
{
    const char *v = getenv(name);
    snprintf(out, size, "%s", v ? v : def);
}

int notify_config_load(struct notify_config *cfg, struct todo_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    long workers, attempts, backoff, backoff_max, timeout, retention;
    if (env_long("TODO_NOTIFY_WORKERS", 1, NOTIFY_MAX_WORKERS, 4, &workers, err) ||
        env_long("TODO_NOTIFY_MAX_ATTEMPTS", 1, 100, 8, &attempts, err) ||
        env_long("TODO_NOTIFY_BACKOFF_MS", 1, 3600000, 1000, &backoff, err) ||
        env_long("TODO_NOTIFY_BACKOFF_MAX_MS", 1, 86400000, 300000, &backoff_max, err) ||
        env_long("TODO_NOTIFY_TIMEOUT_MS", 100, 600000, 10000, &timeout, err) ||
        env_long("TODO_NOTIFY_RETENTION", 1, 366L * 86400, 7L * 86400, &retention, err))
        return err->rc;
    cfg->workers = (int)workers;
    cfg->max_attempts = (int)attempts;
    cfg->backoff_ms = backoff;
    cfg->backoff_max_ms = backoff_max < backoff ? backoff : backoff_max;
    cfg->timeout_ms = timeout;
    cfg->retention_ms = retention * 1000;
    const char *p = getenv("TODO_ALLOW_PRIVATE_WEBHOOKS");
    cfg->allow_private = p && (strcmp(p, "1") == 0 || strcmp(p, "true") == 0);
    env_str("TODO_SMTP_URL", "", cfg->smtp_url, sizeof cfg->smtp_url);
    env_str("TODO_SMTP_USER", "", cfg->smtp_user, sizeof cfg->smtp_user);
    env_str("TODO_SMTP_PASSWORD", "", cfg->smtp_password, sizeof cfg->smtp_password);
    env_str("TODO_SMTP_FROM", "todo@localhost", cfg->smtp_from, sizeof cfg->smtp_from);
    env_str("TODO_PUBLIC_URL", "", cfg->public_url, sizeof cfg->public_url);
    size_t n = strlen(cfg->public_url);
    while (n && cfg->public_url[n - 1] == '/')
        cfg->public_url[--n] = '\0';
    if (strchr(cfg->smtp_from, '<') || strchr(cfg->smtp_from, '>') || !strchr(cfg->smtp_from, '@'))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "TODO_SMTP_FROM must be a bare address");
    app_notify_allow_private(cfg->allow_private);
    return TODO_OK;
}

/* --- the consumer's handler --- */

static void count(uint64_t *counter)
{
    __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static void wake(void *arg)
{
    notify_service_t *ns = arg;
    pthread_mutex_lock(&ns->mu);
    ns->wakes++;
    pthread_cond_broadcast(&ns->cv);
    pthread_mutex_unlock(&ns->mu);
}

static int on_reminder_due(void *ctx, store_t *store, const struct cloudevent *ce,
                           struct todo_err *err)
{
    notify_service_t *ns = ctx;
    assert(store == ns->app->store); /* the runtime's transaction is the app's */
    (void)store;
    app_trace_set(ce->traceparent);
    struct reminder_due r;
    if (reminder_due_parse(ce->data, &r, err))
        return err->rc; /* never becomes valid: dead-lettered after the retries */
    struct app_reminder_outcome out;
    int rc = app_reminder_due_in_tx(ns->app, &r, &out, err);
    if (rc == TODO_OK && out.in_app) {
        count(&ns->delivered[NOTIFY_IN_APP]);
        app_events_committed(ns->app); /* the relay looks again once this commits */
    }
    if (rc == TODO_OK && out.n_queued)
        wake(ns); /* a pool that misses the uncommitted rows finds them at its sweep */
    reminder_due_release(&r);
    return rc;
}

void notify_register(consumer_t *c, notify_service_t *ns)
{
    consumer_on(c, TOPIC_REMINDERS, "todo.reminder.due", on_reminder_due, ns);
}

/* --- the delivery pool --- */

static int64_t backoff_ms(const struct notify_config *cfg, int attempts)
{
    int64_t d = cfg->backoff_ms;
    for (int i = 1; i < attempts && d < cfg->backoff_max_ms; i++)
        d *= 2;
    if (d > cfg->backoff_max_ms)
        d = cfg->backoff_max_ms;
    /* +-20% jitter, so retries of many deliveries to one peer spread out */
    int64_t span = d / 5;
    if (span > 0)
        d += (int64_t)randombytes_uniform((uint32_t)(span * 2 < UINT32_MAX ? span * 2 : 1)) - span;
    return d > 0 ? d : 1;
}

/* Sends d on its channel, to where the user's settings say now (app_delivery_target). */
static int send_one(notify_service_t *ns, const struct delivery *d, const struct reminder_due *r,
                    bool test, char error[DELIVER_ERROR_MAX])
{
    struct delivery_target to;
    struct todo_err err;
    todo_err_clear(&err);
    int rc = app_delivery_target(ns->app, d, &to, &err);
    if (rc)
        snprintf(error, DELIVER_ERROR_MAX, "%s", err.message);
    else if (d->channel == NOTIFY_WEBHOOK)
        rc = deliver_webhook(&ns->dcfg, to.url, to.secret, d->id, d->payload, error);
    else if (d->channel == NOTIFY_NTFY)
        rc = deliver_ntfy(&ns->dcfg, to.url, r, test, d->id, error);
    else if (d->channel == NOTIFY_EMAIL)
        rc = deliver_email(&ns->dcfg, to.email, r, test, d->id, error);
    else { /* app_delivery_target refuses every other channel */
        assert(!"a delivery target for a channel without a sender");
        rc = TODO_ERR_VALIDATION;
        snprintf(error, DELIVER_ERROR_MAX, "no sender for this channel");
    }
    delivery_target_release(&to);
    return rc;
}

static void log_delivery(enum log_level level, const char *msg, const struct delivery *d,
                         const char *error)
{
    struct buf f;
    buf_init(&f);
    buf_puts(&f, "\"delivery_id\":");
    buf_json_str(&f, d->id);
    buf_printf(&f, ",\"channel\":\"%s\",\"attempt\":%d",
               d->channel >= 0 ? notify_channel_name(d->channel) : "unknown", d->attempts);
    if (error && *error) {
        buf_puts(&f, ",\"error\":");
        buf_json_str(&f, error);
    }
    log_write(level, msg, f.data);
    buf_release(&f);
}

/* Records a failed attempt: a retry later, or the dead letter after the last one. */
static void failed(notify_service_t *ns, const struct delivery *d, const char *error, bool final)
{
    int64_t now = time_now_ms();
    int ch = d->channel >= 0 ? d->channel : NOTIFY_WEBHOOK;
    struct todo_err err;
    todo_err_clear(&err);
    count(&ns->failed[ch]);
    if (!final && d->attempts < ns->cfg.max_attempts) {
        int64_t next = now + backoff_ms(&ns->cfg, d->attempts);
        if (app_delivery_retry(ns->app, d, next, error, now, &err))
            log_msg(LOG_WARN, "notify: %s", err.message); /* its lease ends; taken again then */
        log_delivery(LOG_WARN, "delivery failed; will retry", d, error);
        return;
    }
    count(&ns->dead[ch]);
    if (app_delivery_dead(ns->app, d, error, now, &err))
        log_msg(LOG_WARN, "notify: %s", err.message);
    log_delivery(LOG_ERROR, "delivery dead-lettered after its last attempt", d, error);
}

static void deliver(notify_service_t *ns, struct delivery *d)
{
    char error[DELIVER_ERROR_MAX] = "";
    struct reminder_due r;
    struct todo_err err;
    todo_err_clear(&err);
    if (d->channel < 0 || reminder_due_parse(d->payload, &r, &err)) {
        failed(ns, d, "the delivery's data is malformed", true);
        return;
    }
    json_t *j = json_loads(d->payload, 0, NULL);
    bool test = json_is_string(json_object_get(j, "type")) &&
                strcmp(json_string_value(json_object_get(j, "type")), "test") == 0;
    json_decref(j);
    int rc = send_one(ns, d, &r, test, error);
    reminder_due_release(&r);
    if (rc == TODO_OK) {
        count(&ns->delivered[d->channel]);
        if (app_delivery_done(ns->app, d, time_now_ms(), &err))
            log_msg(LOG_WARN, "notify: %s", err.message); /* sent: the peer dedupes a resend */
        log_delivery(LOG_INFO, "delivered", d, NULL);
        return;
    }
    failed(ns, d, error, rc == TODO_ERR_VALIDATION);
}

/* Sleeps until `until`, a wake-up or the stop. */
static void sleep_until(notify_service_t *ns, uint64_t seen, int64_t until)
{
    struct timespec ts = {.tv_sec = (time_t)(until / 1000),
                          .tv_nsec = (long)(until % 1000) * 1000000};
    pthread_mutex_lock(&ns->mu);
    while (!ns->stopping && ns->wakes == seen && time_now_ms() < until)
        if (pthread_cond_timedwait(&ns->cv, &ns->mu, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&ns->mu);
}

/* Claims and sends one due delivery; false when there was none to take. */
static bool work_one(notify_service_t *ns, int64_t now)
{
    struct delivery d;
    bool found = false;
    struct todo_err err;
    todo_err_clear(&err);
    int rc = app_delivery_claim(ns->app, now, now + ns->cfg.timeout_ms + NOTIFY_LEASE_EXTRA, &d,
                                &found, &err);
    if (rc != TODO_OK)
        log_msg(LOG_WARN, "notify: %s", err.message);
    if (rc != TODO_OK || !found)
        return false;
    deliver(ns, &d);
    delivery_release(&d);
    return true;
}

/* Deletes delivered rows past retention, in short statements, at most once a minute per
 * process (whichever thread comes first). Dead ones stay, like dead letters. */
static void prune(notify_service_t *ns, int64_t now)
{
    int64_t last = __atomic_load_n(&ns->last_prune, __ATOMIC_RELAXED);
    if (now - last < NOTIFY_PRUNE_EVERY ||
        !__atomic_compare_exchange_n(&ns->last_prune, &last, now, false, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED))
        return;
    int64_t n = NOTIFY_PRUNE_BATCH;
    struct todo_err err;
    todo_err_clear(&err);
    for (int i = 0; i < 100 && n == NOTIFY_PRUNE_BATCH; i++) {
        n = 0;
        if (app_deliveries_prune(ns->app, now - ns->cfg.retention_ms, NOTIFY_PRUNE_BATCH, &n,
                                 &err) != TODO_OK) {
            log_msg(LOG_WARN, "notify: %s", err.message);
            return;
        }
        __atomic_add_fetch(&ns->pruned, (uint64_t)n, __ATOMIC_RELAXED);
    }
}

/* A pool thread. Idle, it only reads when the next delivery is due (one indexed MIN per
 * sweep), so an idle pool never takes SQLite's write lock; it claims (a write) only when a
 * delivery is due. */
static void *pool_main(void *arg)
{
    notify_service_t *ns = arg;
    store_thread_background(); /* docs/decisions/0028-write-path-and-memory.md */
    for (;;) {
        pthread_mutex_lock(&ns->mu);
        bool stopping = ns->stopping;
        uint64_t seen = ns->wakes;
        pthread_mutex_unlock(&ns->mu);
        if (stopping)
            break;
        int64_t now = time_now_ms(), until = now + NOTIFY_SWEEP_MS, at = 0;
        bool found = false;
        struct todo_err err;
        todo_err_clear(&err);
        if (app_delivery_next_due(ns->app, &at, &found, &err) != TODO_OK)
            log_msg(LOG_WARN, "notify: %s", err.message);
        if (found && at <= now && work_one(ns, now))
            continue;
        if (found && at > now && at < until)
            until = at;
        prune(ns, now);
        sleep_until(ns, seen, until); /* also after a lost race for a due one: no spinning */
    }
    return NULL;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

notify_service_t *notify_create(struct app *a, const struct notify_config *cfg)
{
    assert(a && cfg);
    pthread_once(&curl_once, curl_init);
    notify_service_t *ns = xcalloc(1, sizeof *ns);
    ns->app = a;
    ns->cfg = *cfg;
    ns->dcfg = (struct deliver_config){.timeout_ms = cfg->timeout_ms,
                                       .allow_private = cfg->allow_private,
                                       .smtp_url = ns->cfg.smtp_url,
                                       .smtp_user = ns->cfg.smtp_user,
                                       .smtp_password = ns->cfg.smtp_password,
                                       .smtp_from = ns->cfg.smtp_from,
                                       .public_url = ns->cfg.public_url};
    pthread_mutex_init(&ns->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_REALTIME); /* deadlines come from time_now_ms */
    pthread_cond_init(&ns->cv, &ca);
    pthread_condattr_destroy(&ca);
    return ns;
}

void notify_start(notify_service_t *ns)
{
    assert(ns && ns->n_threads == 0);
    app_notify_set_wake(wake, ns);
    for (int i = 0; i < ns->cfg.workers; i++)
        if (pthread_create(&ns->threads[ns->n_threads], NULL, pool_main, ns) == 0)
            ns->n_threads++;
    log_msg(LOG_INFO, "notify: %d delivery threads", ns->n_threads);
}

void notify_stop(notify_service_t *ns)
{
    if (!ns)
        return;
    app_notify_set_wake(NULL, NULL);
    pthread_mutex_lock(&ns->mu);
    ns->stopping = true;
    pthread_cond_broadcast(&ns->cv);
    pthread_mutex_unlock(&ns->mu);
    for (int i = 0; i < ns->n_threads; i++)
        pthread_join(ns->threads[i], NULL);
    ns->n_threads = 0;
}

void notify_destroy(notify_service_t *ns)
{
    if (!ns)
        return;
    notify_stop(ns);
    pthread_cond_destroy(&ns->cv);
    pthread_mutex_destroy(&ns->mu);
    sodium_memzero(ns->cfg.smtp_password, sizeof ns->cfg.smtp_password);
    free(ns);
}

static void family(struct buf *out, const char *name, const char *help, const uint64_t *v)
{
    buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    for (int ch = 0; ch < NOTIFY_N_CHANNELS; ch++)
        buf_printf(out, "%s{channel=\"%s\"} %llu\n", name, notify_channel_name(ch),
                   (unsigned long long)__atomic_load_n(&v[ch], __ATOMIC_RELAXED));
}

void notify_metrics(notify_service_t *ns, struct buf *out)
{
    if (!ns)
        return;
    family(out, "todo_notifications_delivered_total", "Notifications delivered, per channel.",
           ns->delivered);
    family(out, "todo_notifications_failed_total", "Failed delivery attempts, per channel.",
           ns->failed);
    family(out, "todo_notifications_dead_lettered_total",
           "Deliveries given up after their last attempt, per channel.", ns->dead);
    buf_printf(
        out,
        "# HELP todo_notifications_pruned_total Delivered rows deleted past retention.\n"
        "# TYPE todo_notifications_pruned_total counter\ntodo_notifications_pruned_total %llu\n",
        (unsigned long long)__atomic_load_n(&ns->pruned, __ATOMIC_RELAXED));
    int64_t pending = 0;
    if (app_deliveries_pending(ns->app, &pending) == TODO_OK)
        buf_printf(out,
                   "# HELP todo_notifications_pending Outside deliveries waiting or in progress.\n"
                   "# TYPE todo_notifications_pending gauge\ntodo_notifications_pending %lld\n",
                   (long long)pending);
}
