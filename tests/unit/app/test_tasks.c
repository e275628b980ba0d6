/* test_tasks.c - the task writes through group commit (docs/decisions/0022-group-commit.md)
 * against a real SQLite store in a temp directory: requests that fail inside a batch (a
 * stale If-Match, a missing task, a body refused by validation) get their own errors and
 * leave the batch's other writes committed. The batch is made deterministic by holding the
 * one before it at its commit until the others queued. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app_internal.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include "../store/test_user.h"
#include "app_fixture.h"

static void setup(void)
{
    app_fixture_open("tasks");
    test_user_add(store, "u1", "a@example.com");
}

static void teardown(void)
{
    app_fixture_close();
}

TestSuite(tasks, .init = setup, .fini = teardown);

/* --- holding one batch at its commit --- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool reached, released;
static int hook_calls, n_answered;

static void hold_first(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    if (hook_calls++ == 0) {
        reached = true;
        pthread_cond_broadcast(&cv);
        while (!released)
            pthread_cond_wait(&cv, &mu);
    }
    pthread_mutex_unlock(&mu);
}

static int64_t create(const char *title)
{
    json_t *body = json_pack("{s:s}", "title", title);
    struct todo_err err;
    todo_err_clear(&err);
    struct task t;
    task_init(&t);
    cr_assert_eq(app_task_create(&app, "u1", body, &t, &err), TODO_OK, "%s", err.message);
    int64_t id = t.id;
    task_release(&t);
    json_decref(body);
    return id;
}

static void *create_held(void *arg)
{
    (void)arg;
    create("held");
    return NULL;
}

struct answer {
    int rc;
    int64_t version;
    bool completed;
};

static void answered(void *ctx, struct app_task_result *res)
{
    struct answer *a = ctx;
    pthread_mutex_lock(&mu);
    a->rc = res->rc;
    a->version = res->task.version;
    a->completed = res->task.completed;
    n_answered++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

Test(tasks, a_412_a_404_and_a_refused_body_in_a_batch_leave_its_other_writes_committed)
{
    int64_t id = create("first"); /* version 1 */
    store_write_set_hook(store, hold_first, NULL);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, create_held, NULL), 0);
    pthread_mutex_lock(&mu);
    while (!reached)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);

    json_t *title = json_pack("{s:s}", "title", "new title");
    json_t *bad = json_pack("{s:s}", "priority", "urgent");
    json_t *good = json_pack("{s:s}", "title", "second");
    struct {
        enum app_task_op op;
        int64_t id, if_match;
        json_t *body;
        int want;
    } w[] = {
        {APP_TASK_CREATE, 0, -1, good, TODO_OK},
        {APP_TASK_PATCH, id, 7, title, TODO_ERR_PRECONDITION}, /* stale If-Match */
        {APP_TASK_PATCH, 999999, -1, title, TODO_ERR_NOT_FOUND},
        {APP_TASK_PATCH, id, -1, bad, TODO_ERR_VALIDATION}, /* refused inside the batch */
        {APP_TASK_COMPLETE, id, 1, NULL, TODO_OK},
        {APP_TASK_DELETE, 999999, -1, NULL, TODO_ERR_NOT_FOUND},
    };
    enum { N = sizeof w / sizeof w[0] };
    struct answer got[N];
    for (int i = 0; i < N; i++) {
        struct todo_err err;
        todo_err_clear(&err);
        cr_assert_eq(app_task_write_async(&app, w[i].op, "u1", w[i].id, w[i].body, w[i].if_match,
                                          answered, &got[i], &err),
                     TODO_OK, "write %d: %s", i, err.message);
    }
    struct store_write_stats st;
    int64_t deadline = time_now_ms() + 30000;
    do { /* poll until all six wait behind the held batch */
        store_write_stats(store, &st);
        if (st.queued < N)
            nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    } while (st.queued < N && time_now_ms() < deadline);
    cr_assert_eq(st.queued, N);
    pthread_mutex_lock(&mu);
    cr_assert_eq(n_answered, 0, "an answer came before its commit");
    released = true;
    pthread_cond_broadcast(&cv);
    while (n_answered < N)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    pthread_join(th, NULL);
    store_write_set_hook(store, NULL, NULL);

    for (int i = 0; i < N; i++)
        cr_assert_eq(got[i].rc, w[i].want, "write %d: %d, want %d", i, got[i].rc, w[i].want);
    cr_assert(got[4].completed);
    cr_assert_eq(got[4].version, 2);
    store_write_stats(store, &st);
    cr_assert_eq(st.batches, 3); /* "first", "held", then the six together */
    /* committed: three tasks, the first completed and not renamed; two events per change */
    struct task t;
    task_init(&t);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_get(&app, "u1", id, &t, &err), TODO_OK);
    cr_assert_str_eq(t.title, "first");
    cr_assert(t.completed);
    cr_assert_eq(t.version, 2);
    task_release(&t);
    int64_t backlog = 0, oldest = 0;
    cr_assert_eq(store_outbox_stats(store, &backlog, &oldest), TODO_OK);
    cr_assert_eq(backlog, 2 * 4); /* first, held, second, the completion */
    json_decref(title);
    json_decref(bad);
    json_decref(good);
}
