/* test_store.c - the store contract, run case by case against sqlite (a temp file under
 * /tmp) and, when TODO_TEST_POSTGRES_URL is set, against postgres (each case in a fresh
 * schema chosen through search_path, dropped afterwards). Both backends must give the same
 * answers to the same calls. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/store.h"
#include "store/store_internal.h" /* the statement cache's counters */

static store_t *S;
static int first_migrate_applied;
static char tmp_dir[64];
static char pg_schema[64];
static bool is_pg;

/* --- fixtures --- */

static void open_and_migrate(const char *url)
{
    struct todo_err err = {0};
    int rc = store_open(url, &S, &err);
    cr_assert_eq(rc, TODO_OK, "store_open: %s", err.message);
    rc = store_migrate(S, &first_migrate_applied, &err);
    cr_assert_eq(rc, TODO_OK, "store_migrate: %s", err.message);
}

static void setup_sqlite(void)
{
    char url[128];
    is_pg = false;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/todo-store-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
    /* A missing parent directory is created by the store. */
    snprintf(url, sizeof url, "sqlite:%s/sub/todo.db", tmp_dir);
    open_and_migrate(url);
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void pg_admin(const char *base, const char *sql)
{
    PGconn *conn = PQconnectdb(base);
    cr_assert_eq(PQstatus(conn), CONNECTION_OK, "%s", PQerrorMessage(conn));
    PQsetNoticeProcessor(conn, pg_quiet, NULL);
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
}

static void setup_pg(void)
{
    const char *base = getenv("TODO_TEST_POSTGRES_URL");
    char sql[256], url[1024];
    is_pg = true;
    if (!base || !*base)
        return;
    snprintf(pg_schema, sizeof pg_schema, "store_test_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", pg_schema,
             pg_schema);
    pg_admin(base, sql);
    snprintf(url, sizeof url, "%s%soptions=-csearch_path%%3D%s&application_name=%s", base,
             strchr(base, '?') ? "&" : "?", pg_schema, pg_schema);
    open_and_migrate(url);
}

static void teardown(void)
{
    store_destroy(S);
    S = NULL;
    if (!is_pg) {
        const char *files[] = {"sub/todo.db", "sub/todo.db-wal", "sub/todo.db-shm", "sub"};
        char path[128];
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", tmp_dir, files[i]);
            remove(path);
        }
        rmdir(tmp_dir);
    } else if (pg_schema[0]) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", pg_schema);
        pg_admin(getenv("TODO_TEST_POSTGRES_URL"), sql);
    }
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    const char *url = getenv("TODO_TEST_POSTGRES_URL");
    if (!url || !*url)
        fprintf(stderr, "test_store: TODO_TEST_POSTGRES_URL is not set: postgres cases were "
                        "skipped\n");
}

/* Each case runs once per backend. */
#define STORE_TEST(name)                                                                           \
    static void name##_body(void);                                                                 \
    Test(sqlite, name, .init = setup_sqlite, .fini = teardown)                                     \
    {                                                                                              \
        name##_body();                                                                             \
    }                                                                                              \
    Test(postgres, name, .init = setup_pg, .fini = teardown)                                       \
    {                                                                                              \
        if (!S)                                                                                    \
            cr_skip_test("TODO_TEST_POSTGRES_URL is not set");                                     \
        name##_body();                                                                             \
    }                                                                                              \
    static void name##_body(void)

/* --- helpers --- */

static void add_user(const char *id, const char *email)
{
    struct user u;
    user_init(&u);
    snprintf(u.id, sizeof u.id, "%s", id);
    u.email = xstrdup(email);
    u.password_hash = xstrdup("$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
    u.created_at = 1000;
    cr_assert_eq(store_user_insert(S, &u), TODO_OK, "%s", store_last_error(S));
    user_release(&u);
}

struct spec {
    const char *title;
    const char *description;
    const char *tags[4];
    int priority;
    bool has_due;
    int64_t due_at;
    int64_t created_at;
    bool completed;
    const char *rrule;
};

static void fill_task(struct task *t, const char *user_id, const struct spec *sp)
{
    task_init(t);
    snprintf(t->user_id, sizeof t->user_id, "%s", user_id);
    t->title = xstrdup(sp->title);
    t->description = xstrdup(sp->description ? sp->description : "");
    for (int i = 0; i < 4 && sp->tags[i]; i++)
        t->tags[t->n_tags++] = xstrdup(sp->tags[i]);
    t->priority = sp->priority;
    t->has_due = sp->has_due;
    t->due_at = sp->due_at;
    t->completed = sp->completed;
    if (sp->completed) {
        t->has_completed_at = true;
        t->completed_at = sp->created_at + 1;
    }
    t->rrule = sp->rrule ? xstrdup(sp->rrule) : NULL;
    t->created_at = sp->created_at;
    t->updated_at = sp->created_at;
    t->version = 1;
}

static int64_t add_task(const char *user_id, const struct spec *sp)
{
    struct task t;
    fill_task(&t, user_id, sp);
    cr_assert_eq(store_task_insert(S, &t), TODO_OK, "%s", store_last_error(S));
    int64_t id = t.id;
    cr_assert_gt(id, 0);
    task_release(&t);
    return id;
}

static void query_default(struct task_query *q)
{
    memset(q, 0, sizeof *q);
    q->recurring = -1;
    q->n_sort = 1;
    q->sort[0] = (struct sort_term){SORT_CREATED_AT, true};
    q->limit = 200;
}

/* Runs q and writes the ids found into ids (n returned). */
static int list_ids(const struct task_query *q, int64_t *ids, int max)
{
    struct task_page page = {0};
    int rc = store_task_list(S, "u1", q, &page);
    cr_assert_eq(rc, TODO_OK, "store_task_list: %s", store_last_error(S));
    cr_assert_leq(page.n_items, max);
    for (int i = 0; i < page.n_items; i++)
        ids[i] = page.items[i].id;
    int n = page.n_items;
    task_page_release(&page);
    return n;
}

static void assert_ids(const int64_t *got, int n, const int64_t *want, int n_want)
{
    cr_assert_eq(n, n_want, "got %d rows, want %d", n, n_want);
    for (int i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "row %d: got id %lld, want %lld", i, (long long)got[i],
                     (long long)want[i]);
}

static int list_words(const char *w1, const char *w2, int64_t *ids)
{
    struct task_query q;
    query_default(&q);
    q.words[q.n_words++] = xstrdup(w1);
    if (w2)
        q.words[q.n_words++] = xstrdup(w2);
    int n = list_ids(&q, ids, 64);
    query_release(&q);
    return n;
}

/* --- cases --- */

STORE_TEST(migrate_twice_is_a_noop)
{
    struct todo_err err = {0};
    int n = -1, applied = 0, latest = 0;
    cr_assert_eq(first_migrate_applied, 11);
    cr_assert_eq(store_migrate(S, &n, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(n, 0);
    cr_assert_eq(store_schema_version(S, &applied, &latest), TODO_OK);
    cr_assert_eq(applied, latest);
    cr_assert_eq(latest, 11);
    cr_assert_eq(store_ping(S), TODO_OK);
    cr_assert_str_eq(store_backend_name(S), is_pg ? "postgres" : "sqlite");
}

STORE_TEST(user_insert_get_update_and_duplicate_email_conflicts)
{
    struct user u, got;
    add_user("u1", "a@example.com");

    user_init(&got);
    cr_assert_eq(store_user_get_by_email(S, "a@example.com", &got), TODO_OK);
    cr_assert_str_eq(got.id, "u1");
    cr_assert_str_eq(got.timezone, "UTC");
    cr_assert_eq(got.created_at, 1000);
    user_release(&got);

    user_init(&u);
    snprintf(u.id, sizeof u.id, "u2");
    u.email = xstrdup("a@example.com");
    u.password_hash = xstrdup("x");
    cr_assert_eq(store_user_insert(S, &u), TODO_ERR_CONFLICT);
    /* Inside a transaction the conflict leaves the transaction usable on both backends. */
    cr_assert_eq(store_begin(S), TODO_OK);
    cr_assert_eq(store_user_insert(S, &u), TODO_ERR_CONFLICT);
    free(u.email);
    u.email = xstrdup("b@example.com");
    cr_assert_eq(store_user_insert(S, &u), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_commit(S), TODO_OK, "%s", store_last_error(S));

    free(u.name);
    u.name = xstrdup("Bea");
    snprintf(u.timezone, sizeof u.timezone, "Europe/Berlin");
    cr_assert_eq(store_user_update(S, &u), TODO_OK);
    user_init(&got);
    cr_assert_eq(store_user_get_by_id(S, "u2", &got), TODO_OK);
    cr_assert_str_eq(got.name, "Bea");
    cr_assert_str_eq(got.email, "b@example.com");
    cr_assert_str_eq(got.timezone, "Europe/Berlin");
    user_release(&got);

    snprintf(u.id, sizeof u.id, "nobody");
    cr_assert_eq(store_user_update(S, &u), TODO_ERR_NOT_FOUND);
    user_init(&got);
    cr_assert_eq(store_user_get_by_id(S, "nobody", &got), TODO_ERR_NOT_FOUND);
    cr_assert_eq(store_user_get_by_email(S, "c@example.com", &got), TODO_ERR_NOT_FOUND);
    user_release(&got);
    user_release(&u);
}

STORE_TEST(task_insert_get_update_with_version_precondition_and_delete)
{
    struct task t, got;
    add_user("u1", "a@example.com");
    struct spec sp = {.title = "Pay Rent",
                      .description = "monthly",
                      .tags = {"bills", "home"},
                      .priority = PRIORITY_HIGH,
                      .has_due = true,
                      .due_at = 5000,
                      .created_at = 100,
                      .rrule = "FREQ=MONTHLY;BYMONTHDAY=1"};
    fill_task(&t, "u1", &sp);
    t.series_start = 4500;
    t.n_reminders = 2;
    t.reminders[0] = (struct reminder){.relative = true, .before_ms = 1000, .remind_at = 4000};
    t.reminders[1] = (struct reminder){.relative = false, .remind_at = 3000};
    cr_assert_eq(store_task_insert(S, &t), TODO_OK, "%s", store_last_error(S));
    cr_assert_gt(t.id, 0);
    cr_assert_eq(t.series_id, t.id);
    cr_assert_gt(t.reminders[0].id, 0);
    cr_assert_gt(t.reminders[1].id, t.reminders[0].id);

    task_init(&got);
    cr_assert_eq(store_task_get(S, "u1", t.id, &got), TODO_OK, "%s", store_last_error(S));
    cr_assert_str_eq(got.title, "Pay Rent");
    cr_assert_str_eq(got.description, "monthly");
    cr_assert_eq(got.n_tags, 2);
    cr_assert_str_eq(got.tags[0], "bills");
    cr_assert_str_eq(got.tags[1], "home");
    cr_assert_eq(got.priority, PRIORITY_HIGH);
    cr_assert(got.has_due);
    cr_assert_eq(got.due_at, 5000);
    cr_assert_str_eq(got.rrule, "FREQ=MONTHLY;BYMONTHDAY=1");
    cr_assert_eq(got.series_id, t.id);
    cr_assert_eq(got.series_start, 4500);
    cr_assert_not(got.completed);
    cr_assert_not(got.has_completed_at);
    cr_assert_eq(got.created_at, 100);
    cr_assert_eq(got.version, 1);
    cr_assert_eq(got.n_reminders, 2);
    cr_assert(got.reminders[0].relative);
    cr_assert_eq(got.reminders[0].before_ms, 1000);
    cr_assert_eq(got.reminders[0].remind_at, 4000);
    cr_assert_not(got.reminders[1].relative);
    cr_assert_eq(got.reminders[1].remind_at, 3000);
    int64_t kept_reminder = got.reminders[0].id;

    /* Update: drop a tag, keep the first reminder, replace the second. */
    free(got.title);
    got.title = xstrdup("Pay rent now");
    free(got.tags[1]);
    got.n_tags = 1;
    got.completed = true;
    got.has_completed_at = true;
    got.completed_at = 7000;
    got.updated_at = 200;
    got.version = 2;
    got.reminders[1] = (struct reminder){.relative = false, .remind_at = 3500, .state = 1};
    cr_assert_eq(store_task_update(S, &got, 5), TODO_ERR_PRECONDITION);
    cr_assert_eq(store_task_update(S, &got, 1), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(got.reminders[0].id, kept_reminder);
    cr_assert_gt(got.reminders[1].id, t.reminders[1].id);
    cr_assert_eq(store_task_update(S, &got, 1), TODO_ERR_PRECONDITION);

    struct task again;
    task_init(&again);
    cr_assert_eq(store_task_get(S, "u1", t.id, &again), TODO_OK);
    cr_assert_str_eq(again.title, "Pay rent now");
    cr_assert_eq(again.n_tags, 1);
    cr_assert(again.completed);
    cr_assert_eq(again.completed_at, 7000);
    cr_assert_eq(again.version, 2);
    cr_assert_eq(again.updated_at, 200);
    cr_assert_eq(again.created_at, 100);
    cr_assert_eq(again.n_reminders, 2);
    cr_assert_eq(again.reminders[0].id, kept_reminder);
    cr_assert_eq(again.reminders[1].id, got.reminders[1].id);
    cr_assert_eq(again.reminders[1].state, 1);
    task_release(&again);

    cr_assert_eq(store_task_delete(S, "u1", t.id, 1), TODO_ERR_PRECONDITION);
    cr_assert_eq(store_task_delete(S, "u1", t.id, 2), TODO_OK);
    cr_assert_eq(store_task_delete(S, "u1", t.id, -1), TODO_ERR_NOT_FOUND);
    task_init(&again);
    cr_assert_eq(store_task_get(S, "u1", t.id, &again), TODO_ERR_NOT_FOUND);
    cr_assert_eq(store_task_update(S, &got, 2), TODO_ERR_NOT_FOUND);
    task_release(&again);

    int64_t id2 = add_task("u1", &(struct spec){.title = "b", .created_at = 1});
    cr_assert_eq(store_task_delete(S, "u1", id2, -1), TODO_OK);

    size_t n_tags = 9;
    struct tag_count *tags = NULL;
    cr_assert_eq(store_tags_list(S, "u1", &tags, &n_tags), TODO_OK);
    cr_assert_eq(n_tags, 0); /* tags went with the task */
    free(tags);
    task_release(&got);
    task_release(&t);
}

STORE_TEST(another_users_task_is_not_found)
{
    add_user("u1", "a@example.com");
    add_user("u2", "b@example.com");
    int64_t id = add_task("u1", &(struct spec){.title = "mine", .created_at = 1});
    struct task t;
    task_init(&t);
    cr_assert_eq(store_task_get(S, "u2", id, &t), TODO_ERR_NOT_FOUND);
    cr_assert_eq(store_task_delete(S, "u2", id, -1), TODO_ERR_NOT_FOUND);
    cr_assert_eq(store_task_get(S, "u1", id, &t), TODO_OK);
    snprintf(t.user_id, sizeof t.user_id, "u2");
    t.version = 2;
    cr_assert_eq(store_task_update(S, &t, 1), TODO_ERR_NOT_FOUND);
    task_release(&t);

    struct task_query q;
    struct task_page page = {0};
    query_default(&q);
    cr_assert_eq(store_task_list(S, "u2", &q, &page), TODO_OK);
    cr_assert_eq(page.n_items, 0);
    task_page_release(&page);

    /* A task for a user that does not exist is refused the same way on both backends. */
    struct task orphan;
    fill_task(&orphan, "ghost", &(struct spec){.title = "x", .created_at = 1});
    cr_assert_eq(store_task_insert(S, &orphan), TODO_ERR_NOT_FOUND);
    task_release(&orphan);
}

STORE_TEST(list_filters_each)
{
    int64_t ids[64], a, b, c, d;
    struct task_query q;
    add_user("u1", "a@example.com");
    add_user("u2", "b@example.com");
    a = add_task("u1", &(struct spec){.title = "a",
                                      .tags = {"home", "bills"},
                                      .priority = PRIORITY_HIGH,
                                      .has_due = true,
                                      .due_at = 1000,
                                      .created_at = 4});
    b = add_task("u1", &(struct spec){.title = "b",
                                      .tags = {"home"},
                                      .priority = PRIORITY_LOW,
                                      .has_due = true,
                                      .due_at = 2000,
                                      .created_at = 3,
                                      .completed = true});
    c = add_task(
        "u1",
        &(struct spec){.title = "c", .tags = {"bills"}, .created_at = 2, .rrule = "FREQ=DAILY"});
    d = add_task("u1", &(struct spec){.title = "d", .priority = PRIORITY_MEDIUM, .created_at = 1});
    add_task("u2", &(struct spec){.title = "other", .tags = {"home"}, .created_at = 5});

    query_default(&q);
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a, b, c, d}, 4);

    q.status = QSTATUS_PENDING;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a, c, d}, 3);
    q.status = QSTATUS_COMPLETED;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){b}, 1);
    q.status = QSTATUS_ALL;

    q.priority_mask = (1u << PRIORITY_HIGH) | (1u << PRIORITY_NONE);
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a, c}, 2);
    q.priority_mask = 0;

    q.tags[q.n_tags++] = xstrdup("home");
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a, b}, 2);
    q.tags[q.n_tags++] = xstrdup("bills");
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a}, 1);
    query_release(&q);

    query_default(&q);
    q.has_due_from = true;
    q.due_from = 1000; /* inclusive */
    q.has_due_to = true;
    q.due_to = 2000; /* exclusive */
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a}, 1);
    q.has_due_to = false;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a, b}, 2);
    q.has_due_from = false;

    q.due_null = true;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){c, d}, 2);
    q.due_null = false;
    q.due_not_null = true;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a, b}, 2);
    q.due_not_null = false;

    q.recurring = 1;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){c}, 1);
    q.recurring = 0;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){a, b, d}, 3);
    q.recurring = -1;

    q.limit = 2;
    struct task_page page = {0};
    cr_assert_eq(store_task_list(S, "u1", &q, &page), TODO_OK);
    cr_assert_eq(page.n_items, 2);
    cr_assert(page.has_more);
    cr_assert_eq(page.items[0].n_tags, 2);
    cr_assert_str_eq(page.items[0].tags[0], "bills");
    task_page_release(&page);
    q.limit = 4;
    cr_assert_eq(store_task_list(S, "u1", &q, &page), TODO_OK);
    cr_assert_eq(page.n_items, 4);
    cr_assert_not(page.has_more);
    task_page_release(&page);
    query_release(&q);
}

static int64_t count_of(const char *user_id, const struct task_query *q)
{
    int64_t n = -1;
    int rc = store_task_count(S, user_id, q, &n);
    cr_assert_eq(rc, TODO_OK, "store_task_count: %s", store_last_error(S));
    return n;
}

STORE_TEST(count_agrees_with_the_list_for_every_filter_and_ignores_paging)
{
    int64_t ids[64];
    struct task_query q;
    add_user("u1", "a@example.com");
    add_user("u2", "b@example.com");
    add_user("u3", "c@example.com");
    add_task("u1", &(struct spec){.title = "Buy groceries",
                                  .description = "milk",
                                  .tags = {"home", "bills"},
                                  .priority = PRIORITY_HIGH,
                                  .has_due = true,
                                  .due_at = 1000,
                                  .created_at = 5});
    add_task("u1", &(struct spec){.title = "Pay rent",
                                  .tags = {"home"},
                                  .priority = PRIORITY_LOW,
                                  .has_due = true,
                                  .due_at = 2000,
                                  .created_at = 4,
                                  .completed = true});
    add_task("u1", &(struct spec){.title = "Grocery run",
                                  .tags = {"bills"},
                                  .created_at = 3,
                                  .rrule = "FREQ=DAILY"});
    add_task("u1", &(struct spec){.title = "d", .priority = PRIORITY_MEDIUM, .created_at = 2});
    add_task("u1", &(struct spec){.title = "e", .has_due = true, .due_at = 3000, .created_at = 1});
    /* Another user's tasks match the same filters and are never counted. */
    for (int i = 0; i < 3; i++)
        add_task("u2", &(struct spec){.title = "groceries too",
                                      .tags = {"home", "bills"},
                                      .priority = PRIORITY_HIGH,
                                      .has_due = true,
                                      .due_at = 1500,
                                      .created_at = 6 + i,
                                      .rrule = "FREQ=DAILY"});

    enum {
        F_ALL,
        F_PENDING,
        F_COMPLETED,
        F_PRIO,
        F_TAG,
        F_TAGS,
        F_FROM_TO,
        F_FROM,
        F_NULL,
        F_NOT_NULL,
        F_REC,
        F_NOT_REC,
        F_WORD,
        F_WORDS,
        F_MIXED,
        F_NONE,
        N_FILTERS
    };
    const int64_t want[N_FILTERS] = {5, 4, 1, 2, 2, 1, 1, 3, 2, 3, 1, 4, 2, 1, 1, 0};
    for (int f = 0; f < N_FILTERS; f++) {
        query_default(&q);
        switch (f) {
        case F_PENDING:
            q.status = QSTATUS_PENDING;
            break;
        case F_COMPLETED:
            q.status = QSTATUS_COMPLETED;
            break;
        case F_PRIO:
            q.priority_mask = (1u << PRIORITY_HIGH) | (1u << PRIORITY_MEDIUM);
            break;
        case F_TAG:
            q.tags[q.n_tags++] = xstrdup("home");
            break;
        case F_TAGS:
            q.tags[q.n_tags++] = xstrdup("home");
            q.tags[q.n_tags++] = xstrdup("bills");
            break;
        case F_FROM_TO:
            q.has_due_from = q.has_due_to = true;
            q.due_from = 1000;
            q.due_to = 2000;
            break;
        case F_FROM:
            q.has_due_from = true;
            q.due_from = 1000;
            break;
        case F_NULL:
            q.due_null = true;
            break;
        case F_NOT_NULL:
            q.due_not_null = true;
            break;
        case F_REC:
            q.recurring = 1;
            break;
        case F_NOT_REC:
            q.recurring = 0;
            break;
        case F_WORD:
            q.words[q.n_words++] = xstrdup("groc");
            break;
        case F_WORDS:
            q.words[q.n_words++] = xstrdup("groc");
            q.words[q.n_words++] = xstrdup("milk");
            break;
        case F_MIXED:
            q.words[q.n_words++] = xstrdup("groc");
            q.tags[q.n_tags++] = xstrdup("bills");
            q.status = QSTATUS_PENDING;
            q.recurring = 1;
            q.due_null = true;
            break;
        case F_NONE:
            q.words[q.n_words++] = xstrdup("zzz");
            break;
        default:
            break;
        }
        int n_listed = list_ids(&q, ids, 64);
        cr_assert_eq(n_listed, want[f], "filter %d: the list gave %d", f, n_listed);
        cr_assert_eq(count_of("u1", &q), want[f], "filter %d", f);
        /* The page size and a cursor do not change the count: it is always the total. */
        q.limit = 1;
        q.has_cursor = true;
        q.after[0] = (struct cursor_value){.num = 0};
        q.after_id = 1;
        cr_assert_eq(count_of("u1", &q), want[f], "filter %d with limit 1 and a cursor", f);
        query_release(&q);
    }

    query_default(&q);
    cr_assert_eq(count_of("u2", &q), 3);
    cr_assert_eq(count_of("u3", &q), 0);
    cr_assert_eq(count_of("nobody", &q), 0);
    query_release(&q);
}

STORE_TEST(multi_key_sort_puts_missing_due_last_both_ways)
{
    int64_t ids[64];
    struct task_query q;
    add_user("u1", "a@example.com");
    int64_t n1 = add_task("u1", &(struct spec){.title = "zeta", .created_at = 1});
    int64_t d1 = add_task("u1", &(struct spec){.title = "Beta",
                                               .has_due = true,
                                               .due_at = 100,
                                               .priority = PRIORITY_LOW,
                                               .created_at = 2});
    int64_t d2 = add_task("u1", &(struct spec){.title = "alpha",
                                               .has_due = true,
                                               .due_at = 200,
                                               .priority = PRIORITY_HIGH,
                                               .created_at = 3});
    int64_t n2 = add_task(
        "u1", &(struct spec){.title = "Alpha", .priority = PRIORITY_HIGH, .created_at = 4});
    int64_t d3 = add_task("u1", &(struct spec){.title = "gamma",
                                               .has_due = true,
                                               .due_at = 100,
                                               .priority = PRIORITY_HIGH,
                                               .created_at = 5});

    query_default(&q);
    q.sort[0] = (struct sort_term){SORT_DUE_AT, false};
    /* Ties by id in the first key's direction. */
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){d1, d3, d2, n1, n2}, 5);
    q.sort[0].desc = true;
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){d2, d3, d1, n2, n1}, 5);

    q.n_sort = 2;
    q.sort[0] = (struct sort_term){SORT_PRIORITY, true};
    q.sort[1] = (struct sort_term){SORT_TITLE, false};
    /* High first; titles case-insensitive: "alpha" == "Alpha" -> id descending. */
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){n2, d2, d3, d1, n1}, 5);

    q.sort[0] = (struct sort_term){SORT_TITLE, false};
    q.sort[1] = (struct sort_term){SORT_CREATED_AT, true};
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){n2, d2, d1, d3, n1}, 5);

    q.n_sort = 3;
    q.sort[0] = (struct sort_term){SORT_DUE_AT, false};
    q.sort[1] = (struct sort_term){SORT_PRIORITY, true};
    q.sort[2] = (struct sort_term){SORT_UPDATED_AT, false};
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){d3, d1, d2, n2, n1}, 5);
}

/* Pages through q (limit 3) with cursors made by query_sort_value. Before the second page,
 * insert_between (if not NULL) adds a task. */
static int page_through(struct task_query *q, int64_t *ids, const struct spec *insert_between)
{
    int n = 0, pages = 0;
    q->limit = 3;
    q->has_cursor = false;
    for (;;) {
        struct task_page page = {0};
        cr_assert_eq(store_task_list(S, "u1", q, &page), TODO_OK, "%s", store_last_error(S));
        pages++;
        for (int i = 0; i < page.n_items; i++)
            ids[n++] = page.items[i].id;
        if (!page.has_more) {
            task_page_release(&page);
            break;
        }
        const struct task *last = &page.items[page.n_items - 1];
        for (int i = 0; i < q->n_sort; i++) {
            free(q->after[i].text);
            query_sort_value(last, q->sort[i].key, q->sort[i].desc, &q->after[i]);
        }
        q->after_id = last->id;
        q->has_cursor = true;
        task_page_release(&page);
        if (pages == 1 && insert_between)
            add_task("u1", insert_between);
        cr_assert_lt(pages, 10);
    }
    return n;
}

STORE_TEST(keyset_pagination_returns_every_task_once_in_order)
{
    int64_t all[64], paged[64];
    struct task_query q;
    add_user("u1", "a@example.com");
    for (int i = 0; i < 9; i++) {
        char title[16];
        snprintf(title, sizeof title, "Task %c", 'a' + (i * 5) % 9);
        add_task("u1", &(struct spec){.title = title,
                                      .has_due = i % 3 != 0,
                                      .due_at = 1000 * (i % 4),
                                      .priority = i % 4,
                                      .created_at = 10 + i / 2});
    }
    const struct {
        int n;
        struct sort_term t[3];
    } sorts[] = {
        {1, {{SORT_CREATED_AT, true}}},
        {2, {{SORT_DUE_AT, false}, {SORT_PRIORITY, true}}},
        {2, {{SORT_DUE_AT, true}, {SORT_TITLE, false}}},
        {3, {{SORT_TITLE, true}, {SORT_CREATED_AT, false}, {SORT_DUE_AT, false}}},
        {2, {{SORT_PRIORITY, false}, {SORT_UPDATED_AT, true}}},
    };
    for (size_t k = 0; k < sizeof sorts / sizeof sorts[0]; k++) {
        query_default(&q);
        q.n_sort = sorts[k].n;
        for (int i = 0; i < sorts[k].n; i++)
            q.sort[i] = sorts[k].t[i];
        int n_all = list_ids(&q, all, 64);
        cr_assert_eq(n_all, 9);
        int n = page_through(&q, paged, NULL);
        assert_ids(paged, n, all, n_all);

        /* A task inserted between pages: the originals still come once each, in order. */
        int n2 = page_through(&q, paged,
                              &(struct spec){.title = "Task m",
                                             .has_due = true,
                                             .due_at = 1500,
                                             .priority = 2,
                                             .created_at = 12});
        int j = 0;
        for (int i = 0; i < n2; i++) {
            for (int x = 0; x < i; x++)
                cr_assert_neq(paged[x], paged[i], "sort %zu: id %lld twice", k,
                              (long long)paged[i]);
            if (j < n_all && paged[i] == all[j])
                j++;
        }
        cr_assert_eq(j, n_all, "sort %zu: originals out of order or missing", k);
        cr_assert_geq(n2, n_all);
        /* Remove the extra task for the next sort. */
        q.has_cursor = false;
        q.limit = 200;
        int n_now = list_ids(&q, paged, 64);
        for (int i = 0; i < n_now; i++) {
            bool orig = false;
            for (int x = 0; x < n_all; x++)
                orig = orig || paged[i] == all[x];
            if (!orig)
                cr_assert_eq(store_task_delete(S, "u1", paged[i], -1), TODO_OK);
        }
        query_release(&q);
    }
}

STORE_TEST(full_text_search_matches_prefixes_across_fields_anded)
{
    int64_t ids[64];
    add_user("u1", "a@example.com");
    add_user("u2", "b@example.com");
    int64_t g = add_task("u1", &(struct spec){.title = "Buy groceries",
                                              .description = "milk and eggs",
                                              .tags = {"errands"},
                                              .created_at = 2});
    int64_t r = add_task("u1", &(struct spec){.title = "Pay rent",
                                              .description = "before the first",
                                              .tags = {"bills"},
                                              .created_at = 1});
    add_task("u2", &(struct spec){.title = "groceries for u2", .created_at = 3});

    assert_ids(ids, list_words("groc", NULL, ids), (int64_t[]){g}, 1);
    assert_ids(ids, list_words("GROCERIES", NULL, ids), (int64_t[]){g}, 1);
    assert_ids(ids, list_words("mil", NULL, ids), (int64_t[]){g}, 1);
    assert_ids(ids, list_words("err", NULL, ids), (int64_t[]){g}, 1);
    assert_ids(ids, list_words("bill", NULL, ids), (int64_t[]){r}, 1);
    assert_ids(ids, list_words("groc", "eggs", ids), (int64_t[]){g}, 1);
    cr_assert_eq(list_words("groc", "rent", ids), 0);
    cr_assert_eq(list_words("zzz", NULL, ids), 0);

    /* Updates and deletes keep the index in step. */
    struct task t;
    task_init(&t);
    cr_assert_eq(store_task_get(S, "u1", r, &t), TODO_OK);
    free(t.title);
    t.title = xstrdup("Pay mortgage");
    free(t.tags[0]);
    t.tags[0] = xstrdup("house");
    t.version = 2;
    cr_assert_eq(store_task_update(S, &t, 1), TODO_OK, "%s", store_last_error(S));
    task_release(&t);
    cr_assert_eq(list_words("rent", NULL, ids), 0);
    cr_assert_eq(list_words("bills", NULL, ids), 0);
    assert_ids(ids, list_words("mortg", NULL, ids), (int64_t[]){r}, 1);
    assert_ids(ids, list_words("hous", NULL, ids), (int64_t[]){r}, 1);
    cr_assert_eq(store_task_delete(S, "u1", g, -1), TODO_OK);
    cr_assert_eq(list_words("groc", NULL, ids), 0);
}

STORE_TEST(tags_list_counts_per_user_sorted)
{
    add_user("u1", "a@example.com");
    add_user("u2", "b@example.com");
    add_task("u1", &(struct spec){.title = "a", .tags = {"home", "bills"}, .created_at = 1});
    add_task("u1", &(struct spec){.title = "b", .tags = {"home"}, .created_at = 2});
    add_task("u1", &(struct spec){.title = "c", .tags = {"zoo", "Zed"}, .created_at = 3});
    add_task("u2", &(struct spec){.title = "d", .tags = {"home"}, .created_at = 4});
    struct tag_count *tags = NULL;
    size_t n = 0;
    cr_assert_eq(store_tags_list(S, "u1", &tags, &n), TODO_OK);
    cr_assert_eq(n, 4);
    /* Bytewise order on both backends. */
    cr_assert_str_eq(tags[0].name, "Zed");
    cr_assert_eq(tags[0].count, 1);
    cr_assert_str_eq(tags[1].name, "bills");
    cr_assert_eq(tags[1].count, 1);
    cr_assert_str_eq(tags[2].name, "home");
    cr_assert_eq(tags[2].count, 2);
    cr_assert_str_eq(tags[3].name, "zoo");
    free(tags);
}

STORE_TEST(sql_metacharacters_in_values_are_harmless)
{
    int64_t ids[64];
    const char *titles[] = {"'; DROP TABLE tasks; --", "Robert\"); DELETE FROM users; --",
                            "100% _match_ \\ ? $1 :name", "naïve café ünïcode"};
    int64_t tid[4];
    add_user("u1", "o'brien@example.com");
    for (int i = 0; i < 4; i++)
        tid[i] = add_task("u1", &(struct spec){.title = titles[i],
                                               .tags = {i == 0 ? "o'neil" : "x%_\""},
                                               .created_at = 10 - i});
    struct task t;
    for (int i = 0; i < 4; i++) {
        task_init(&t);
        cr_assert_eq(store_task_get(S, "u1", tid[i], &t), TODO_OK);
        cr_assert_str_eq(t.title, titles[i]);
        task_release(&t);
    }
    struct user u;
    user_init(&u);
    cr_assert_eq(store_user_get_by_email(S, "o'brien@example.com", &u), TODO_OK);
    user_release(&u);

    struct task_query q;
    query_default(&q);
    q.tags[q.n_tags++] = xstrdup("o'neil");
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){tid[0]}, 1);
    query_release(&q);
    query_default(&q);
    q.tags[q.n_tags++] = xstrdup("x%_\"");
    assert_ids(ids, list_ids(&q, ids, 64), (int64_t[]){tid[1], tid[2], tid[3]}, 3);
    query_release(&q);

    /* Words that would break an unescaped query string still run (and match nothing odd). */
    const char *words[] = {"drop", "caf", "a\"b", "x'y", "OR", "NEAR", "\\", "*", "—", "«»"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        query_default(&q);
        q.words[q.n_words++] = xstrdup(words[i]);
        struct task_page page = {0};
        int rc = store_task_list(S, "u1", &q, &page);
        cr_assert_eq(rc, TODO_OK, "word %s: %s", words[i], store_last_error(S));
        task_page_release(&page);
        query_release(&q);
    }
    assert_ids(ids, list_words("drop", NULL, ids), (int64_t[]){tid[0]}, 1);
    assert_ids(ids, list_words("caf", NULL, ids), (int64_t[]){tid[3]}, 1);
    cr_assert_eq(list_words("\xe2\x80\x94", NULL, ids), 0); /* an em dash: no lexeme */
    cr_assert_eq(list_words("drop", "\xc2\xab", ids), 0);

    query_default(&q);
    cr_assert_eq(list_ids(&q, ids, 64), 4); /* every table still there */
    query_release(&q);
}

/* Two threads (two connections) incrementing one task's version in read-modify-write
 * transactions: BEGIN IMMEDIATE / row locks serialize them, so no update is lost. */
static int64_t shared_task_id;

static void *bump_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++) {
        for (int attempt = 0;; attempt++) {
            struct task t;
            task_init(&t);
            int rc = store_begin(S);
            if (rc == TODO_OK)
                rc = store_task_get(S, "u1", shared_task_id, &t);
            if (rc == TODO_OK) {
                int64_t expect = t.version;
                t.version++;
                rc = store_task_update(S, &t, expect);
            }
            if (rc == TODO_OK)
                rc = store_commit(S);
            else
                store_rollback(S);
            task_release(&t);
            if (rc == TODO_OK)
                break;
            if ((rc != TODO_ERR_BUSY && rc != TODO_ERR_PRECONDITION) || attempt > 50)
                return (void *)1;
        }
    }
    return NULL;
}

STORE_TEST(concurrent_read_modify_write_transactions_serialize)
{
    add_user("u1", "a@example.com");
    shared_task_id = add_task("u1", &(struct spec){.title = "counter", .created_at = 1});
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, bump_worker, NULL), 0);
    for (int i = 0; i < 2; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        cr_assert_null(ret, "worker %d failed: %s", i, store_last_error(S));
    }
    struct task t;
    task_init(&t);
    cr_assert_eq(store_task_get(S, "u1", shared_task_id, &t), TODO_OK);
    cr_assert_eq(t.version, 41);
    task_release(&t);
}

STORE_TEST(page_mixes_tasks_with_and_without_reminders)
{
    add_user("u1", "a@example.com");
    struct task a, b, c2;
    fill_task(&a, "u1",
              &(struct spec){.title = "a", .tags = {"zoo", "Zed", "home", "zoo"}, .created_at = 3});
    a.n_reminders = 2;
    a.reminders[0] = (struct reminder){.relative = false, .remind_at = 500};
    a.reminders[1] = (struct reminder){.relative = true, .before_ms = 60, .remind_at = 440};
    fill_task(&b, "u1", &(struct spec){.title = "b", .created_at = 2});
    fill_task(&c2, "u1", &(struct spec){.title = "c", .created_at = 1});
    c2.n_reminders = 1;
    c2.reminders[0] = (struct reminder){.relative = false, .remind_at = 900, .state = 2};
    cr_assert_eq(store_task_insert(S, &a), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_task_insert(S, &b), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_task_insert(S, &c2), TODO_OK, "%s", store_last_error(S));

    struct task_query q;
    struct task_page page = {0};
    query_default(&q);
    cr_assert_eq(store_task_list(S, "u1", &q, &page), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(page.n_items, 3);
    const struct task *pa = &page.items[0], *pb = &page.items[1], *pc = &page.items[2];
    cr_assert_eq(pa->id, a.id);
    /* Tags come back sorted bytewise and unique, whatever order they were given in. */
    cr_assert_eq(pa->n_tags, 3);
    cr_assert_str_eq(pa->tags[0], "Zed");
    cr_assert_str_eq(pa->tags[1], "home");
    cr_assert_str_eq(pa->tags[2], "zoo");
    cr_assert_eq(pa->n_reminders, 2);
    cr_assert_eq(pa->reminders[0].id, a.reminders[0].id);
    cr_assert_eq(pa->reminders[0].remind_at, 500);
    cr_assert(pa->reminders[1].relative);
    cr_assert_eq(pa->reminders[1].before_ms, 60);
    cr_assert_eq(pb->id, b.id);
    cr_assert_eq(pb->n_tags, 0);
    cr_assert_eq(pb->n_reminders, 0);
    cr_assert_eq(pc->id, c2.id);
    cr_assert_eq(pc->n_reminders, 1);
    cr_assert_eq(pc->reminders[0].state, 2);
    cr_assert_eq(pc->reminders[0].remind_at, 900);
    task_page_release(&page);

    /* Reminders moved by updates: a loses its reminders, b gains one. */
    a.n_reminders = 0;
    a.version = 2;
    cr_assert_eq(store_task_update(S, &a, 1), TODO_OK, "%s", store_last_error(S));
    b.n_reminders = 1;
    b.reminders[0] = (struct reminder){.relative = false, .remind_at = 700};
    b.version = 2;
    cr_assert_eq(store_task_update(S, &b, 1), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(store_task_list(S, "u1", &q, &page), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(page.n_items, 3);
    cr_assert_eq(page.items[0].n_reminders, 0);
    cr_assert_eq(page.items[0].n_tags, 3);
    cr_assert_eq(page.items[1].n_reminders, 1);
    cr_assert_eq(page.items[1].reminders[0].id, b.reminders[0].id);
    cr_assert_eq(page.items[1].reminders[0].remind_at, 700);
    cr_assert_eq(page.items[2].n_reminders, 1);
    task_page_release(&page);
    query_release(&q);

    /* get agrees with list, with and without reminders. */
    struct task got;
    task_init(&got);
    cr_assert_eq(store_task_get(S, "u1", a.id, &got), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(got.n_reminders, 0);
    cr_assert_eq(got.n_tags, 3);
    cr_assert_str_eq(got.tags[0], "Zed");
    task_release(&got);
    task_init(&got);
    cr_assert_eq(store_task_get(S, "u1", c2.id, &got), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(got.n_reminders, 1);
    cr_assert_eq(got.reminders[0].id, c2.reminders[0].id);
    cr_assert_eq(got.reminders[0].state, 2);
    task_release(&got);
    task_release(&a);
    task_release(&b);
    task_release(&c2);
}

/* The ids of the tasks made by statement_cache_* that a shape selects, newest first. */
static int expected_ids(const int64_t *ids, int n, unsigned mask, int status, int recurring,
                        int64_t *out)
{
    int k = 0;
    for (int i = n - 1; i >= 0; i--) {
        int priority = i % 4;
        bool completed = i % 2 == 1, rec = i % 3 == 0;
        if (!(mask & (1u << priority)))
            continue;
        if ((status == QSTATUS_PENDING && completed) || (status == QSTATUS_COMPLETED && !completed))
            continue;
        if ((recurring == 1 && !rec) || (recurring == 0 && rec))
            continue;
        out[k++] = ids[i];
    }
    return k;
}

STORE_TEST(statement_cache_reuse_stays_correct_across_different_queries)
{
    int64_t ids[12], got[64], want[64];
    add_user("u1", "a@example.com");
    for (int i = 0; i < 12; i++)
        ids[i] = add_task("u1", &(struct spec){.title = "t",
                                               .priority = i % 4,
                                               .completed = i % 2 == 1,
                                               .rrule = i % 3 == 0 ? "FREQ=DAILY" : NULL,
                                               .created_at = 10 + i});
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(S, &rc);
    cr_assert_not_null(c);
    uint64_t hits0 = c->cache.n_hits;
    /* 15 masks x 3 statuses x 2 recurring filters x 6 due filters; the SQL text depends on
     * the number of priorities, whether a status is asked for, recurring and the due filter:
     * 4 x 2 x 2 x 6 = 96 shapes, more than the cache holds, so the second round runs on
     * evicted and re-prepared statements. Each query runs twice in a row (the second a cache
     * hit) with different limits (a bound parameter). None of the tasks has a due date. */
    int n_queries = 0;
    for (int round = 0; round < 2; round++) {
        for (int due = 0; due < 6; due++) {
            for (unsigned mask = 1; mask < 16; mask++) {
                for (int status = 0; status < 3; status++) {
                    for (int recurring = 0; recurring < 2; recurring++) {
                        struct task_query q;
                        query_default(&q);
                        q.priority_mask = mask;
                        q.status = status;
                        q.recurring = recurring;
                        q.due_null = due == 1;
                        q.due_not_null = due == 2;
                        q.has_due_from = due == 3 || due == 5;
                        q.has_due_to = due == 4 || due == 5;
                        q.due_from = 0;
                        q.due_to = INT64_MAX;
                        int n_want =
                            due >= 2 ? 0 : expected_ids(ids, 12, mask, status, recurring, want);
                        assert_ids(got, list_ids(&q, got, 64), want, n_want);
                        q.limit = 2;
                        assert_ids(got, list_ids(&q, got, 64), want, n_want < 2 ? n_want : 2);
                        query_release(&q);
                        n_queries++;
                    }
                }
            }
        }
    }
    cr_assert_geq(c->cache.n_hits - hits0, (uint64_t)n_queries);
    cr_assert_gt(c->cache.n_evictions, 0);
    /* The default list, a search and a get still answer right after all that churn. */
    struct task_query q;
    query_default(&q);
    assert_ids(got, list_ids(&q, got, 64),
               (int64_t[]){ids[11], ids[10], ids[9], ids[8], ids[7], ids[6], ids[5], ids[4], ids[3],
                           ids[2], ids[1], ids[0]},
               12);
    query_release(&q);
    cr_assert_eq(list_words("t", NULL, got), 12);
}

/* Four threads inserting at once (and one in three rolled back inside a transaction, with
 * a conflicting insert in the middle): every call succeeds, none sees TODO_ERR_BUSY. */
#define N_WRITERS         4
#define WRITES_PER_THREAD 40

static void *writer_worker(void *arg)
{
    int k = (int)(intptr_t)arg;
    for (int i = 0; i < WRITES_PER_THREAD; i++) {
        struct task t;
        char title[32];
        snprintf(title, sizeof title, "w%d-%d", k, i);
        fill_task(&t, "u1", &(struct spec){.title = title, .tags = {"x"}, .created_at = i});
        if (i % 3 == 2) {
            struct user dup;
            user_init(&dup);
            snprintf(dup.id, sizeof dup.id, "u1");
            dup.email = xstrdup("a@example.com");
            dup.password_hash = xstrdup("x");
            int rc = store_begin(S);
            if (rc == TODO_OK)
                rc = store_task_insert(S, &t);
            if (rc == TODO_OK && store_user_insert(S, &dup) != TODO_ERR_CONFLICT)
                rc = TODO_ERR_INTERNAL;
            store_rollback(S);
            user_release(&dup);
            task_release(&t);
            if (rc != TODO_OK)
                return (void *)(intptr_t)(rc == TODO_ERR_BUSY ? 2 : 1);
            continue;
        }
        int rc = store_task_insert(S, &t);
        task_release(&t);
        if (rc != TODO_OK)
            return (void *)(intptr_t)(rc == TODO_ERR_BUSY ? 2 : 1);
    }
    return NULL;
}

STORE_TEST(concurrent_writers_from_four_threads_all_succeed_without_busy)
{
    pthread_t th[N_WRITERS];
    add_user("u1", "a@example.com");
    for (int i = 0; i < N_WRITERS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, writer_worker, (void *)(intptr_t)i), 0);
    for (int i = 0; i < N_WRITERS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        cr_assert_null(ret, "writer %d failed (%s): %s", i, ret == (void *)2 ? "busy" : "error",
                       store_last_error(S));
    }
    struct tag_count *tags = NULL;
    size_t n = 0;
    cr_assert_eq(store_tags_list(S, "u1", &tags, &n), TODO_OK);
    cr_assert_eq(n, 1);
    /* 40 per thread, of which 13 were rolled back. */
    cr_assert_eq(tags[0].count, N_WRITERS * (WRITES_PER_THREAD - WRITES_PER_THREAD / 3));
    free(tags);
    /* The write lock is free again: this thread can write. */
    add_task("u1", &(struct spec){.title = "after", .created_at = 1});
}

/* Readers that are always in the middle of a read, as the relay and the consumers are. */
static int wal_readers_stop; /* atomic */

static void *wal_reader(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&wal_readers_stop, __ATOMIC_RELAXED)) {
        struct outbox_row *rows = NULL;
        int n = 0;
        int64_t backlog, oldest;
        if (store_outbox_fetch(S, 8, &rows, &n) != TODO_OK ||
            store_outbox_stats(S, &backlog, &oldest) != TODO_OK)
            return (void *)1;
        outbox_rows_free(rows, n);
    }
    return NULL;
}

/* docs/decisions/0018-bounded-sqlite-wal.md: about 8 MiB; the test allows twice that. */
#define WAL_BOUND (16 << 20)

Test(sqlite, the_wal_stays_bounded_under_steady_writes_with_readers_always_in_it,
     .init = setup_sqlite, .fini = teardown)
{
    enum { N_READERS = 2, N_COMMITS = 2500 };
    char wal[128], id[32];
    snprintf(wal, sizeof wal, "%s/sub/todo.db-wal", tmp_dir);
    char *payload = xmalloc(10001);
    memset(payload, 'x', 10000);
    payload[10000] = '\0';
    pthread_t th[N_READERS];
    __atomic_store_n(&wal_readers_stop, 0, __ATOMIC_RELAXED);
    for (int i = 0; i < N_READERS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, wal_reader, NULL), 0);
    int64_t largest = 0;
    for (int i = 0; i < N_COMMITS; i++) { /* ~30 MiB of WAL frames in all */
        snprintf(id, sizeof id, "e-%d", i);
        cr_assert_eq(store_outbox_insert(S, "task-events", "u1", id, payload, i), TODO_OK, "%s",
                     store_last_error(S));
        struct stat st;
        if (stat(wal, &st) == 0 && st.st_size > largest)
            largest = st.st_size;
    }
    __atomic_store_n(&wal_readers_stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < N_READERS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        cr_assert_null(ret, "reader %d: %s", i, store_last_error(S));
    }
    free(payload);
    cr_assert_leq(largest, WAL_BOUND, "the WAL reached %lld bytes", (long long)largest);
}

Test(postgres, lost_connection_is_unavailable_then_reconnects, .init = setup_pg, .fini = teardown)
{
    char sql[256];
    struct user u;
    if (!S)
        cr_skip_test("TODO_TEST_POSTGRES_URL is not set");
    add_user("u1", "a@example.com");
    user_init(&u);
    cr_assert_eq(store_user_get_by_id(S, "u1", &u), TODO_OK); /* statement now prepared */
    user_release(&u);
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
             "'%s'",
             pg_schema);
    PGconn *conn = PQconnectdb(getenv("TODO_TEST_POSTGRES_URL"));
    PGresult *res = PQexec(conn, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    cr_assert_eq(PQntuples(res), 1);
    PQclear(res);
    PQfinish(conn);
    usleep(100 * 1000);
    cr_assert_eq(store_ping(S), TODO_ERR_UNAVAILABLE);
    cr_assert_null(strstr(store_last_error(S), "postgres://"));
    /* The next call resets the connection and prepares statements again. */
    user_init(&u);
    cr_assert_eq(store_user_get_by_id(S, "u1", &u), TODO_OK, "%s", store_last_error(S));
    user_release(&u);
    cr_assert_eq(store_ping(S), TODO_OK);
}

Test(store, open_refuses_unknown_urls_and_hides_passwords)
{
    struct todo_err err = {0};
    store_t *s = NULL;
    cr_assert_eq(store_open("mysql://x", &s, &err), TODO_ERR_BAD_REQUEST);
    todo_err_clear(&err);
    cr_assert_eq(
        store_open("postgres://someone:s3cretpw@127.0.0.1:1/nodb?connect_timeout=2", &s, &err),
        TODO_ERR_UNAVAILABLE);
    cr_assert_null(strstr(err.message, "s3cretpw"), "%s", err.message);
    cr_assert_null(s);
}

/* --- sessions (docs/decisions/0016-token-revocation.md) --- */

struct revoked_seen {
    int n;
    char sids[8][40];
    int64_t expires_at[8];
};

static void collect_revoked(void *arg, const char *sid, int64_t expires_at, int64_t revoked_at)
{
    struct revoked_seen *seen = arg;
    cr_assert_gt(revoked_at, 0);
    if (seen->n < 8) {
        snprintf(seen->sids[seen->n], sizeof seen->sids[0], "%s", sid);
        seen->expires_at[seen->n++] = expires_at;
    }
}

static struct revoked_seen revoked_since(int64_t since, int64_t now)
{
    struct revoked_seen seen = {0};
    cr_assert_eq(store_sessions_revoked(S, since, now, collect_revoked, &seen), TODO_OK, "%s",
                 store_last_error(S));
    return seen;
}

STORE_TEST(sessions_revoke_one_all_but_one_and_read_back_what_was_revoked_lately)
{
    add_user("u1", "a@example.com");
    add_user("u2", "b@example.com");
    cr_assert_eq(store_session_insert(S, "s1", "u1", 1000, 90000), TODO_OK, "%s",
                 store_last_error(S));
    cr_assert_eq(store_session_insert(S, "s2", "u1", 1000, 90000), TODO_OK);
    cr_assert_eq(store_session_insert(S, "s3", "u1", 1000, 90000), TODO_OK);
    cr_assert_eq(store_session_insert(S, "t1", "u2", 1000, 90000), TODO_OK);
    cr_assert_eq(revoked_since(0, 2000).n, 0);

    cr_assert_eq(store_session_revoke(S, "s1", "u1", 90000, 5000), TODO_OK);
    cr_assert_eq(store_session_revoke(S, "s1", "u1", 90000, 6000), TODO_OK, "twice is fine");
    struct revoked_seen seen = revoked_since(0, 5000);
    cr_assert_eq(seen.n, 1);
    cr_assert_str_eq(seen.sids[0], "s1");
    cr_assert_eq(revoked_since(5001, 5000).n, 0, "revoked_at stayed the first time");

    int64_t n = 0;
    cr_assert_eq(store_sessions_revoke_user(S, "u1", "s3", 7000, &n), TODO_OK);
    cr_assert_eq(n, 1, "s2 only: s1 was already revoked, s3 is kept");
    cr_assert_eq(revoked_since(6500, 5000).n, 1);
    cr_assert_eq(store_sessions_revoke_user(S, "u1", NULL, 8000, &n), TODO_OK);
    cr_assert_eq(n, 1, "then s3");
    cr_assert_eq(revoked_since(0, 5000).n, 3, "u2's session is untouched");

    /* a sid without a row (a token from before sessions) is recorded revoked */
    cr_assert_eq(store_session_revoke(S, "ghost", "u2", 50000, 9000), TODO_OK);
    cr_assert_eq(revoked_since(8500, 5000).n, 1);
    /* only sessions whose tokens are still alive are read */
    cr_assert_eq(revoked_since(0, 60000).n, 3, "ghost expired at 50000");

    cr_assert_eq(store_session_extend(S, "t1", 200000), TODO_OK);
    cr_assert_eq(store_session_extend(S, "t1", 100), TODO_OK, "never earlier");
    cr_assert_eq(store_sessions_prune(S, 95000, &n), TODO_OK);
    cr_assert_eq(n, 4, "s1, s2, s3 and ghost expired; t1 was extended");
    cr_assert_eq(store_session_revoke(S, "t1", "u2", 200000, 10000), TODO_OK);
    seen = revoked_since(0, 100000);
    cr_assert_eq(seen.n, 1);
    cr_assert_eq(seen.expires_at[0], 200000);
}

STORE_TEST(password_change_sets_the_hash_and_a_missing_user_is_not_found)
{
    add_user("u1", "a@example.com");
    cr_assert_eq(store_user_set_password(S, "u1", "new-hash"), TODO_OK);
    struct user got;
    user_init(&got);
    cr_assert_eq(store_user_get_by_id(S, "u1", &got), TODO_OK);
    cr_assert_str_eq(got.password_hash, "new-hash");
    user_release(&got);
    cr_assert_eq(store_user_set_password(S, "nobody", "x"), TODO_ERR_NOT_FOUND);
}

/* This thread's connection's PRAGMA cache_size (negative: KiB). */
static int64_t conn_cache_size(void)
{
    int rc = TODO_OK;
    struct store_conn *c = store_conn_get(S, &rc);
    struct sqlb b;
    struct store_res r;
    int64_t v = 0;
    cr_assert_not_null(c);
    sqlb_init(&b, SQLB_SQLITE);
    sqlb_sql(&b, "PRAGMA cache_size");
    cr_assert_eq(store_run_dynamic(c, &b, &r), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(S->drv->next(&r), 1);
    v = S->drv->col_int(&r, 0);
    S->drv->done(&r);
    sqlb_release(&b);
    return v;
}

static void *background_cache_size(void *out)
{
    store_thread_background();
    *(int64_t *)out = conn_cache_size();
    return NULL;
}

/* docs/decisions/0028-write-path-and-memory.md: a background thread's connection gets a
 * 256 KiB page cache; other threads' keep SQLite's default (-2000). */
Test(sqlite, background_threads_get_a_small_page_cache, .init = setup_sqlite, .fini = teardown)
{
    pthread_t t;
    int64_t background = 0;
    cr_assert_eq(pthread_create(&t, NULL, background_cache_size, &background), 0);
    cr_assert_eq(pthread_join(t, NULL), 0);
    cr_assert_eq(background, -256);
    cr_assert_eq(conn_cache_size(), -2000);
}
