/* test_recurring.c - the consumers' use cases over a real store, once per backend (a temp
 * SQLite file; a fresh PostgreSQL schema when TODO_TEST_POSTGRES_URL is set): the recurring
 * consumer's next occurrence (src/app/recurring.c, docs/recurring.md) is made once, with its
 * reminders moved, and never for a deleted task, a plain one or an ended series; the audit
 * consumer's history row (src/app/history.c) is appended and read back, and an event that is
 * not a task event's adds none. Each runs in a transaction, as the consumer runtime runs it. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "base/timeutil.h"

#define STORE_FIXTURE_NAME app_recurring_test
#include "app_backends.h"

#define DAY_MS    86400000LL
#define MINUTE_MS 60000LL

static void complete(int64_t id)
{
    struct todo_err err;
    todo_err_clear(&err);
    struct task t;
    task_init(&t);
    cr_assert_eq(app_task_complete(&app, "u1", id, NULL, -1, &t, &err), TODO_OK, "%s", err.message);
    cr_assert(t.completed);
    task_release(&t);
}

/* The recurring consumer's call for task id, in a transaction: its result; *succ_id set. */
static int successor(int64_t id, int64_t *succ_id)
{
    struct task_event_ref ref = {.user_id = "u1", .task_id = id};
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_begin(S), TODO_OK);
    int rc = app_task_successor_in_tx(&app, &ref, time_now_ms(), succ_id, &err);
    if (rc)
        store_rollback(S);
    else
        cr_assert_eq(store_commit(S), TODO_OK);
    return rc;
}

static const char *no_param(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static int64_t count_tasks(void)
{
    struct task_query q;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(query_parse(&q, no_param, NULL, &err), TODO_OK, "%s", err.message);
    int64_t n = -1;
    cr_assert_eq(store_task_count(S, "u1", &q, &n), TODO_OK);
    query_release(&q);
    return n;
}

APP_TEST(a_completed_daily_occurrence_gets_one_successor_a_day_later_with_its_reminders)
{
    struct task t =
        create("{\"title\":\"water the plants\",\"due_at\":\"2030-03-04T09:00:00Z\","
               "\"recurrence\":{\"rule\":\"daily\"},\"priority\":\"high\",\"tags\":[\"home\"],"
               "\"reminders\":[{\"before\":\"PT30M\"},{\"at\":\"2030-03-04T07:00:00Z\"}]}");
    complete(t.id);
    int64_t succ_id = 0;
    cr_assert_eq(successor(t.id, &succ_id), TODO_OK);
    cr_assert_gt(succ_id, t.id);

    struct task s;
    task_init(&s);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_get(&app, "u1", succ_id, &s, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(s.title, "water the plants");
    cr_assert_not(s.completed);
    cr_assert_eq(s.due_at, t.due_at + DAY_MS);
    cr_assert_str_eq(s.rrule, t.rrule);
    cr_assert_eq(s.priority, t.priority);
    cr_assert_eq(s.n_tags, 1);
    cr_assert_eq(s.n_reminders, 2);
    for (int i = 0; i < 2; i++) {
        const struct reminder *r = &s.reminders[i];
        cr_assert_eq(r->state, REMINDER_SCHEDULED);
        cr_assert_eq(r->remind_at,
                     r->relative ? s.due_at - 30 * MINUTE_MS
                                 : t.due_at + DAY_MS - 2 * 60 * MINUTE_MS,
                     "reminder %d at %lld", i, (long long)r->remind_at);
    }

    /* redelivered, or a second consumer instance: nothing more */
    int64_t again = -1;
    cr_assert_eq(successor(t.id, &again), TODO_OK);
    cr_assert_eq(again, 0);
    cr_assert_eq(count_tasks(), 2);
    task_release(&s);
    task_release(&t);
}

APP_TEST(no_successor_for_a_deleted_task_a_plain_task_or_an_ended_series)
{
    struct task plain = create("{\"title\":\"once\",\"due_at\":\"2030-03-04T09:00:00Z\"}");
    struct task last = create("{\"title\":\"twice\",\"due_at\":\"2030-03-04T09:00:00Z\","
                              "\"recurrence\":{\"rule\":\"FREQ=DAILY;COUNT=1\"}}");
    struct task gone = create("{\"title\":\"gone\",\"due_at\":\"2030-03-04T09:00:00Z\","
                              "\"recurrence\":{\"rule\":\"daily\"}}");
    complete(plain.id);
    complete(last.id);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_delete(&app, "u1", gone.id, -1, &err), TODO_OK, "%s", err.message);
    int64_t ids[] = {plain.id, last.id, gone.id, 999999};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        int64_t succ_id = -1;
        cr_assert_eq(successor(ids[i], &succ_id), TODO_OK, "case %zu", i);
        cr_assert_eq(succ_id, 0, "case %zu", i);
    }
    cr_assert_eq(count_tasks(), 2);
    task_release(&plain);
    task_release(&last);
    task_release(&gone);
}

/* The audit consumer's call, in a transaction. */
static int history_append(int64_t id, const char *event_id, const char *type, const char *changes)
{
    struct task_event_ref ref = {.user_id = "u1", .task_id = id};
    json_t *ch = changes ? json_loads(changes, 0, NULL) : NULL;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(store_begin(S), TODO_OK);
    int rc = app_history_append_in_tx(&app, &ref, event_id, type, 1900000000000, ch, &err);
    if (rc)
        store_rollback(S);
    else
        cr_assert_eq(store_commit(S), TODO_OK);
    json_decref(ch);
    return rc;
}

APP_TEST(history_rows_are_appended_and_read_back_and_a_foreign_event_adds_none)
{
    int64_t id = 424242; /* a history outlives its task: none needs to exist */
    cr_assert_eq(history_append(id, "ev-1", "todo.task.created", "{\"title\":{\"after\":\"x\"}}"),
                 TODO_OK);
    cr_assert_eq(history_append(id, "ev-2", "todo.task.completed", NULL), TODO_OK);
    cr_assert_eq(history_append(id, "ev-3", "todo.task.exploded", NULL), TODO_ERR_BAD_REQUEST);

    struct audit_entry *e = NULL;
    int n = 0;
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_history(&app, "u1", id, &e, &n, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(n, 2);
    const char *ids[2], *types[2], *changes[2];
    for (int i = 0; i < 2; i++) {
        ids[i] = e[i].event_id;
        types[i] = e[i].type;
        changes[i] = e[i].changes;
    }
    int created = strcmp(ids[0], "ev-1") == 0 ? 0 : 1;
    cr_assert_str_eq(ids[created], "ev-1");
    cr_assert_str_eq(types[created], "created");
    cr_assert_not_null(strstr(changes[created], "\"title\""));
    cr_assert_str_eq(ids[1 - created], "ev-2");
    cr_assert_str_eq(types[1 - created], "completed");
    cr_assert_str_eq(changes[1 - created], "{}");
    cr_assert_eq(e[0].at, 1900000000000);
    audit_entries_free(e, n);
}
