/* store_bench.c - a micro benchmark of the storage layer alone (no HTTP, no JSON): seeds
 * BENCH_TASKS tasks (default 10,000) for one user in a throw-away SQLite file (or the
 * postgres URL given as the first argument), then times list (limit 50, default sort), list
 * with a full-text word, get by id and insert, single-threaded, and insert from 4 threads at
 * once (the contended-writer case), printing ops/s and, for the threaded insert, p50/p99.
 *
 * Usage: store_bench [URL] [ITERATIONS]   (defaults: a temp sqlite file, 2000)
 * Environment: BENCH_TASKS (10000), BENCH_KEEP=1 keeps the temp database for inspection. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/store.h"

#define N_WRITER_THREADS 4

static store_t *S;
static const char *USER = "bench-user";
static int64_t *task_ids;
static int n_task_ids;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, store_last_error(S));
    exit(1);
}

static const char *const WORDS[] = {"groceries", "report", "call", "dentist", "invoice",
                                    "garden",    "email",  "plan", "review",  "backup"};
static const char *const TAGS[] = {"home", "work", "errands", "bills", "health", "urgent"};

static void fill(struct task *t, int i)
{
    char title[96];
    task_init(t);
    snprintf(t->user_id, sizeof t->user_id, "%s", USER);
    snprintf(title, sizeof title, "Task %d %s %s", i, WORDS[i % 10], WORDS[(i / 10) % 10]);
    t->title = xstrdup(title);
    t->description = xstrdup(i % 3 ? "some longer description text for the task" : "");
    /* Two tags, in sorted order (as core normalises them). */
    const char *a = TAGS[i % 6], *b = TAGS[(i / 6) % 6];
    if (strcmp(a, b) > 0) {
        const char *x = a;
        a = b;
        b = x;
    }
    t->tags[t->n_tags++] = xstrdup(a);
    if (strcmp(a, b) != 0)
        t->tags[t->n_tags++] = xstrdup(b);
    t->priority = i % 4;
    t->has_due = i % 2 == 0;
    t->due_at = 1700000000000 + (int64_t)(i % 1000) * 3600000;
    if (i % 10 == 0) { /* one task in ten has a reminder */
        t->n_reminders = 1;
        t->reminders[0] =
            (struct reminder){.relative = false, .remind_at = t->due_at ? t->due_at : 1};
    }
    t->created_at = 1600000000000 + i;
    t->updated_at = t->created_at;
    t->version = 1;
}

static void seed(int n)
{
    n_task_ids = n;
    task_ids = xcalloc((size_t)n, sizeof *task_ids);
    for (int i = 0; i < n; i += 500) {
        if (store_begin(S) != TODO_OK)
            die("begin");
        for (int k = i; k < n && k < i + 500; k++) {
            struct task t;
            fill(&t, k);
            if (store_task_insert(S, &t) != TODO_OK)
                die("seed insert");
            task_ids[k] = t.id;
            task_release(&t);
        }
        if (store_commit(S) != TODO_OK)
            die("commit");
    }
}

static void report(const char *name, int n, double secs)
{
    printf("%-28s %8d ops  %8.3f s  %10.0f ops/s\n", name, n, secs, n / secs);
}

static void bench_list(const char *name, const char *word, int iters)
{
    double t0 = now_s();
    for (int i = 0; i < iters; i++) {
        struct task_query q;
        struct task_page page = {0};
        memset(&q, 0, sizeof q);
        q.recurring = -1;
        q.n_sort = 1;
        q.sort[0] = (struct sort_term){SORT_CREATED_AT, true};
        q.limit = 50;
        if (word)
            q.words[q.n_words++] = xstrdup(word);
        if (store_task_list(S, USER, &q, &page) != TODO_OK)
            die(name);
        if (page.n_items != 50)
            die("short page");
        task_page_release(&page);
        query_release(&q);
    }
    report(name, iters, now_s() - t0);
}

static void bench_get(int iters)
{
    double t0 = now_s();
    unsigned seed_state = 1;
    for (int i = 0; i < iters; i++) {
        struct task t;
        task_init(&t);
        seed_state = seed_state * 1103515245u + 12345u;
        int64_t id = task_ids[(seed_state >> 8) % (unsigned)n_task_ids];
        if (store_task_get(S, USER, id, &t) != TODO_OK)
            die("get");
        task_release(&t);
    }
    report("get", iters, now_s() - t0);
}

static void bench_insert(int iters)
{
    double t0 = now_s();
    for (int i = 0; i < iters; i++) {
        struct task t;
        fill(&t, 100000 + i);
        if (store_task_insert(S, &t) != TODO_OK)
            die("insert");
        task_release(&t);
    }
    report("insert", iters, now_s() - t0);
}

struct writer {
    int base, iters, n_busy;
    double *lat;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < w->iters; i++) {
        struct task t;
        fill(&t, w->base + i);
        double t0 = now_s();
        int rc = store_task_insert(S, &t);
        w->lat[i] = now_s() - t0;
        if (rc == TODO_ERR_BUSY)
            w->n_busy++;
        else if (rc != TODO_OK)
            die("threaded insert");
        task_release(&t);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench_insert_threads(int iters)
{
    pthread_t th[N_WRITER_THREADS];
    struct writer w[N_WRITER_THREADS];
    int per = iters / N_WRITER_THREADS, n_busy = 0;
    double *lat = xcalloc((size_t)per * N_WRITER_THREADS, sizeof *lat);
    double t0 = now_s();
    for (int k = 0; k < N_WRITER_THREADS; k++) {
        w[k] = (struct writer){.base = 200000 + k * per, .iters = per, .lat = lat + k * per};
        pthread_create(&th[k], NULL, writer_main, &w[k]);
    }
    for (int k = 0; k < N_WRITER_THREADS; k++) {
        pthread_join(th[k], NULL);
        n_busy += w[k].n_busy;
    }
    double secs = now_s() - t0;
    int n = per * N_WRITER_THREADS;
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);
    report("insert x4 threads", n, secs);
    printf("%-28s p50 %.2f ms  p99 %.2f ms  max %.2f ms  busy %d\n", "", lat[n / 2] * 1e3,
           lat[n * 99 / 100] * 1e3, lat[n - 1] * 1e3, n_busy);
    free(lat);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/store-bench-XXXXXX", url[128];
    struct todo_err err = {0};
    int n_applied = 0;
    int iters = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 2000;
    const char *env_tasks = getenv("BENCH_TASKS");
    int n_tasks = env_tasks ? (int)strtol(env_tasks, NULL, 10) : 10000;
    bool temp = argc < 2 || !argv[1][0];

    if (temp) {
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(url, sizeof url, "sqlite:%s/bench.db", dir);
    } else {
        snprintf(url, sizeof url, "%s", argv[1]);
    }
    if (store_open(url, &S, &err) != TODO_OK || store_migrate(S, &n_applied, &err) != TODO_OK) {
        fprintf(stderr, "store_bench: %s\n", err.message);
        return 1;
    }
    struct user u;
    user_init(&u);
    snprintf(u.id, sizeof u.id, "%s", USER);
    u.email = xstrdup("bench@example.com");
    u.password_hash = xstrdup("x");
    u.created_at = 1;
    int rc = store_user_insert(S, &u);
    if (rc != TODO_OK && rc != TODO_ERR_CONFLICT) /* a reused postgres database */
        die("user insert");
    user_release(&u);

    double t0 = now_s();
    seed(n_tasks);
    printf("seeded %d tasks in %.2f s (%s, %d iterations each)\n", n_tasks, now_s() - t0,
           store_backend_name(S), iters);

    bench_list("list limit 50", NULL, iters);
    bench_list("list limit 50 q=groceries", "groceries", iters);
    bench_get(iters * 10);
    bench_insert(iters);
    bench_insert_threads(iters);

    store_destroy(S);
    free(task_ids);
    if (temp && getenv("BENCH_KEEP")) {
        printf("kept %s/bench.db\n", dir);
    } else if (temp) {
        const char *files[] = {"bench.db", "bench.db-wal", "bench.db-shm"};
        for (size_t i = 0; i < 3; i++) {
            char path[160];
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            remove(path);
        }
        rmdir(dir);
    }
    return 0;
}
