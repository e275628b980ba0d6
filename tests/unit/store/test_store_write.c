/* test_store_write.c - group commit (store_write, docs/decisions/0022-group-commit.md), run
 * against sqlite (a temp file) and, when TODO_TEST_POSTGRES_URL is set, postgres (a fresh
 * schema per case): writes of many threads all commit; a failing write is undone alone and
 * does not fail its batch; no write returns before the transaction holding it committed.
 * Batches are made deterministic by stalling the first one (the commit hook) until the
 * others queued. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "store/store.h"

#define STORE_FIXTURE_NAME store_write
#include "store_fixture.h"

/* --- a write: a task and its outbox row, then maybe a failure --- */

/* JOB_NO_USER: the database refuses the insert (a foreign key): on postgres the statement's
 * error aborts the transaction until the item's savepoint is rolled back to. */
enum outcome { JOB_OK, JOB_FAIL_AFTER_WRITE, JOB_MISSING, JOB_NO_USER };

struct write_job {
    int k, i;
    enum outcome outcome;
    int rc;
    int64_t id;
    bool visible_at_return; /* the task could be read once store_write returned */
};

static int write_work(store_t *s, void *arg)
{
    struct write_job *j = arg;
    if (j->outcome == JOB_MISSING) {
        struct task t;
        task_init(&t);
        int rc = store_task_get(s, "u1", 999999, &t); /* a 404 inside the batch */
        task_release(&t);
        return rc;
    }
    struct task t;
    task_init(&t);
    snprintf(t.user_id, sizeof t.user_id, "%s", j->outcome == JOB_NO_USER ? "nobody" : "u1");
    char title[48];
    snprintf(title, sizeof title, "w%d-%d", j->k, j->i);
    t.title = xstrdup(title);
    t.description = xstrdup("");
    t.tags[t.n_tags++] = xstrdup("x");
    t.created_at = t.updated_at = 1000;
    t.version = 1;
    int rc = store_task_insert(s, &t);
    char event_id[48];
    snprintf(event_id, sizeof event_id, "ev-%d-%d", j->k, j->i);
    if (rc == TODO_OK)
        rc = store_outbox_insert(s, "task-events", "u1", event_id, "{}", 1000);
    if (rc == TODO_OK)
        j->id = t.id;
    task_release(&t);
    if (rc == TODO_OK && j->outcome == JOB_FAIL_AFTER_WRITE)
        return TODO_ERR_PRECONDITION; /* a 412 decided after writing: undone alone */
    return rc;
}

static int returned; /* atomic: store_write calls that came back */

static void *writer(void *arg)
{
    struct write_job *j = arg;
    j->rc = store_write(S, write_work, j);
    __atomic_fetch_add(&returned, 1, __ATOMIC_SEQ_CST);
    if (j->rc == TODO_OK) {
        struct task t;
        task_init(&t);
        j->visible_at_return = store_task_get(S, "u1", j->id, &t) == TODO_OK;
        task_release(&t);
    }
    return NULL;
}

static void add_user(void)
{
    test_user_add(S, "u1", "a@example.com");
    __atomic_store_n(&returned, 0, __ATOMIC_SEQ_CST);
}

/* Tasks tagged x and unsent outbox rows: what committed. */
static void assert_committed(int64_t want)
{
    struct tag_count *tags = NULL;
    size_t n = 0;
    cr_assert_eq(store_tags_list(S, "u1", &tags, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n > 0 ? tags[0].count : 0, want);
    free(tags);
    int64_t backlog = -1, oldest = 0;
    cr_assert_eq(store_outbox_stats(S, &backlog, &oldest), TODO_OK);
    cr_assert_eq(backlog, want);
}

/* --- a commit hook that holds the first batch until released --- */

static pthread_mutex_t stall_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stall_cv = PTHREAD_COND_INITIALIZER;
static int stall_calls;
static bool stall_reached, stall_released;

static void stall_first_batch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stall_mu);
    if (stall_calls++ == 0) {
        stall_reached = true;
        pthread_cond_broadcast(&stall_cv);
        while (!stall_released)
            pthread_cond_wait(&stall_cv, &stall_mu);
    }
    pthread_mutex_unlock(&stall_mu);
}

static void stall_arm(void)
{
    stall_calls = 0;
    stall_reached = stall_released = false;
    store_write_set_hook(S, stall_first_batch, NULL);
}

static void stall_wait_reached(void)
{
    pthread_mutex_lock(&stall_mu);
    while (!stall_reached)
        pthread_cond_wait(&stall_cv, &stall_mu);
    pthread_mutex_unlock(&stall_mu);
}

static void stall_release(void)
{
    pthread_mutex_lock(&stall_mu);
    stall_released = true;
    pthread_cond_broadcast(&stall_cv);
    pthread_mutex_unlock(&stall_mu);
}

/* Polls (deadline 30 s) until n calls wait for a batch. */
static void wait_queued(uint64_t n)
{
    int64_t deadline = time_now_ms() + 30000;
    struct store_write_stats st;
    for (;;) {
        store_write_stats(S, &st);
        if (st.queued == n || time_now_ms() > deadline)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    cr_assert_eq(st.queued, n, "%llu writes queued, want %llu", (unsigned long long)st.queued,
                 (unsigned long long)n);
}

/* --- cases --- */

#define N_THREADS    8
#define N_PER_THREAD 25

static void *busy_writer(void *arg)
{
    struct write_job *jobs = arg;
    for (int i = 0; i < N_PER_THREAD; i++)
        writer(&jobs[i]);
    return NULL;
}

STORE_TEST(writes_from_eight_threads_all_commit_and_are_readable_when_they_return)
{
    add_user();
    static struct write_job jobs[N_THREADS][N_PER_THREAD];
    pthread_t th[N_THREADS];
    for (int k = 0; k < N_THREADS; k++) {
        for (int i = 0; i < N_PER_THREAD; i++)
            jobs[k][i] = (struct write_job){.k = k, .i = i, .outcome = JOB_OK};
        cr_assert_eq(pthread_create(&th[k], NULL, busy_writer, jobs[k]), 0);
    }
    for (int k = 0; k < N_THREADS; k++)
        pthread_join(th[k], NULL);
    for (int k = 0; k < N_THREADS; k++)
        for (int i = 0; i < N_PER_THREAD; i++) {
            cr_assert_eq(jobs[k][i].rc, TODO_OK, "write %d-%d: %d", k, i, jobs[k][i].rc);
            cr_assert(jobs[k][i].visible_at_return, "write %d-%d not readable", k, i);
        }
    assert_committed(N_THREADS * N_PER_THREAD);
    struct store_write_stats st;
    store_write_stats(S, &st);
    cr_assert_eq(st.items, N_THREADS * N_PER_THREAD);
    cr_assert_leq(st.batches, st.items);
    cr_assert_eq(st.queued, 0);
}

STORE_TEST(a_failing_write_is_undone_alone_and_its_batch_commits_the_others)
{
    add_user();
    stall_arm();
    struct write_job first = {.k = 0, .i = 0, .outcome = JOB_OK};
    pthread_t first_th;
    cr_assert_eq(pthread_create(&first_th, NULL, writer, &first), 0);
    stall_wait_reached();
    /* the next batch, gathered while the first is held */
    enum outcome outcomes[] = {JOB_OK,      JOB_FAIL_AFTER_WRITE, JOB_MISSING, JOB_OK,
                               JOB_NO_USER, JOB_FAIL_AFTER_WRITE, JOB_OK};
    enum { N = sizeof outcomes / sizeof outcomes[0] };
    struct write_job jobs[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (struct write_job){.k = 1, .i = i, .outcome = outcomes[i]};
        cr_assert_eq(pthread_create(&th[i], NULL, writer, &jobs[i]), 0);
    }
    wait_queued(N);
    stall_release();
    pthread_join(first_th, NULL);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    store_write_set_hook(S, NULL, NULL);

    cr_assert_eq(first.rc, TODO_OK);
    for (int i = 0; i < N; i++) {
        int want = outcomes[i] == JOB_OK                 ? TODO_OK
                   : outcomes[i] == JOB_FAIL_AFTER_WRITE ? TODO_ERR_PRECONDITION
                                                         : TODO_ERR_NOT_FOUND;
        cr_assert_eq(jobs[i].rc, want, "write %d: %d, want %d", i, jobs[i].rc, want);
        cr_assert_eq(jobs[i].visible_at_return, want == TODO_OK);
    }
    /* the first alone, then the six together: one transaction for them */
    struct store_write_stats st;
    store_write_stats(S, &st);
    cr_assert_eq(st.batches, 2);
    cr_assert_eq(st.items, 1 + N);
    assert_committed(1 + 3); /* the failed ones' task and outbox row were undone */
}

STORE_TEST(no_write_returns_before_the_transaction_holding_it_committed)
{
    add_user();
    stall_arm();
    struct write_job first = {.k = 0, .i = 0, .outcome = JOB_OK};
    pthread_t first_th;
    cr_assert_eq(pthread_create(&first_th, NULL, writer, &first), 0);
    stall_wait_reached();
    enum { N = 4 };
    struct write_job jobs[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (struct write_job){.k = 1, .i = i, .outcome = JOB_OK};
        cr_assert_eq(pthread_create(&th[i], NULL, writer, &jobs[i]), 0);
    }
    wait_queued(N);
    /* the first batch's writes are done but not committed: nobody has an answer, and
     * another connection sees nothing */
    cr_assert_eq(__atomic_load_n(&returned, __ATOMIC_SEQ_CST), 0);
    assert_committed(0);
    stall_release();
    pthread_join(first_th, NULL);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    store_write_set_hook(S, NULL, NULL);
    cr_assert_eq(__atomic_load_n(&returned, __ATOMIC_SEQ_CST), 1 + N);
    cr_assert(first.visible_at_return);
    for (int i = 0; i < N; i++)
        cr_assert(jobs[i].visible_at_return, "write %d answered before its commit", i);
    assert_committed(1 + N);
}
