/* test_reminders.c - the reminder use cases (src/app/reminders.c,
 * docs/decisions/0029-reminder-scheduling.md) over a real store, once per backend (a temp
 * SQLite file; a fresh PostgreSQL schema when TODO_TEST_POSTGRES_URL is set): task writes
 * schedule, move and cancel reminders in their own transaction (a refused write changes no
 * schedule), the db scheduler's step fires each due reminder once with its event in the
 * claiming transaction, and a Dapr job's callback fires once however often it is called. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#define STORE_FIXTURE_NAME app_reminders_test
#include "app_backends.h"

/* Each case runs once per backend, with the app's scheduler mode given. */
#define REMINDER_TEST(name, mode) APP_TEST_SCHED(name, mode)

/* --- helpers --- */

static int patch(int64_t id, int64_t if_match, const char *text)
{
    json_t *body = json_of(text);
    struct todo_err err;
    todo_err_clear(&err);
    struct task t;
    task_init(&t);
    int rc = app_task_patch(&app, "u1", id, body, if_match, &t, &err);
    task_release(&t);
    json_decref(body);
    return rc;
}

static struct reminder stored_reminder(int64_t task_id, int i)
{
    struct task t;
    task_init(&t);
    cr_assert_eq(store_task_get(S, "u1", task_id, &t), TODO_OK);
    cr_assert(i < t.n_reminders);
    struct reminder r = t.reminders[i];
    task_release(&t);
    return r;
}

static void rfc3339(int64_t ms, char out[TIME_RFC3339_MAX])
{
    size_t n = time_format_rfc3339(ms, out);
    out[n] = '\0';
}

/* How many todo.reminder.due events the outbox holds; the last one's payload in *last. */
static int reminder_events(char **last)
{
    struct outbox_row *rows = NULL;
    int n = 0, found = 0;
    cr_assert_eq(store_outbox_fetch(S, 1000, &rows, &n), TODO_OK);
    for (int i = 0; i < n; i++) {
        if (strcmp(rows[i].topic, "reminders") != 0)
            continue;
        found++;
        if (last) {
            free(*last);
            *last = xstrdup(rows[i].payload);
        }
    }
    outbox_rows_free(rows, n);
    return found;
}

static int fire_due(void)
{
    int64_t next = 0;
    cr_assert_eq(app_reminders_fire_due(&app, time_now_ms(), &next), TODO_OK);
    return reminder_events(NULL);
}

static int n_jobs(bool *last_cancel, int64_t *last_at)
{
    struct sched_job *jobs = NULL;
    int n = 0;
    cr_assert_eq(store_sched_jobs_fetch(S, 100, &jobs, &n), TODO_OK);
    if (n > 0 && last_cancel)
        *last_cancel = jobs[n - 1].cancel;
    if (n > 0 && last_at)
        *last_at = jobs[n - 1].remind_at;
    free(jobs);
    return n;
}

/* --- cases --- */

REMINDER_TEST(a_due_reminder_fires_once_with_its_event_in_the_claiming_transaction, APP_SCHED_DB)
{
    char at[TIME_RFC3339_MAX], due[TIME_RFC3339_MAX];
    int64_t now = time_now_ms();
    rfc3339(now - 1000, at);
    rfc3339(now + 3600000, due);
    struct task t = create("{\"title\":\"call \\\"Bob\\\"\",\"due_at\":\"%s\","
                           "\"reminders\":[{\"at\":\"%s\"}]}",
                           due, at);
    int64_t next = 0;
    cr_assert_eq(app_reminders_fire_due(&app, time_now_ms(), &next), TODO_OK);
    cr_assert_eq(next, INT64_MAX, "nothing else is scheduled");
    char *payload = NULL;
    cr_assert_eq(reminder_events(&payload), 1);
    struct reminder r = stored_reminder(t.id, 0);
    cr_assert_eq(r.state, REMINDER_FIRED);

    json_error_t jerr;
    json_t *ev = json_loads(payload, 0, &jerr);
    cr_assert_not_null(ev);
    char want_id[64];
    snprintf(want_id, sizeof want_id, "reminder-%lld-%lld", (long long)r.id,
             (long long)r.remind_at);
    cr_assert_str_eq(json_string_value(json_object_get(ev, "id")), want_id);
    cr_assert_str_eq(json_string_value(json_object_get(ev, "type")), "todo.reminder.due");
    json_t *data = json_object_get(ev, "data");
    cr_assert_eq(json_integer_value(json_object_get(data, "id")), r.id);
    cr_assert_eq(json_integer_value(json_object_get(data, "task_id")), t.id);
    cr_assert_str_eq(json_string_value(json_object_get(data, "title")), "call \"Bob\"");
    cr_assert_str_eq(json_string_value(json_object_get(data, "user_id")), "u1");
    cr_assert_str_eq(json_string_value(json_object_get(data, "remind_at")), at);
    cr_assert_str_eq(json_string_value(json_object_get(data, "due_at")), due);
    cr_assert(json_is_false(json_object_get(data, "late")), "a second late is not late");
    json_decref(ev);
    free(payload);

    cr_assert_eq(fire_due(), 1, "a second step fires nothing");
    task_release(&t);
}

REMINDER_TEST(a_reminder_missed_by_more_than_a_minute_fires_once_marked_late, APP_SCHED_DB)
{
    char at[TIME_RFC3339_MAX];
    rfc3339(time_now_ms() - 5 * 60000, at);
    struct task t = create("{\"title\":\"late\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    char *payload = NULL;
    fire_due();
    cr_assert_eq(reminder_events(&payload), 1);
    cr_assert(strstr(payload, "\"late\":true"), "%s", payload);
    cr_assert(strstr(payload, "\"due_at\":null"), "%s", payload);
    free(payload);
    cr_assert_eq(fire_due(), 1);
    task_release(&t);
}

REMINDER_TEST(redating_moves_the_reminder_and_a_refused_write_moves_nothing, APP_SCHED_DAPR)
{
    char due[TIME_RFC3339_MAX], due2[TIME_RFC3339_MAX];
    int64_t now = time_now_ms();
    rfc3339(now + 3600000, due);
    rfc3339(now + 7200000, due2);
    struct task t =
        create("{\"title\":\"m\",\"due_at\":\"%s\",\"reminders\":[{\"before\":\"PT10M\"}]}", due);
    bool cancel = true;
    int64_t job_at = 0;
    cr_assert_eq(n_jobs(&cancel, &job_at), 1, "the create queued its job in its transaction");
    cr_assert(!cancel);
    cr_assert_eq(job_at, t.reminders[0].remind_at);

    char body[128];
    snprintf(body, sizeof body, "{\"due_at\":\"%s\"}", due2);
    cr_assert_eq(patch(t.id, 99, body), TODO_ERR_PRECONDITION);
    cr_assert_eq(stored_reminder(t.id, 0).remind_at, t.reminders[0].remind_at);
    cr_assert_eq(n_jobs(NULL, NULL), 1, "a refused write queues nothing");

    cr_assert_eq(patch(t.id, t.version, body), TODO_OK);
    struct reminder r = stored_reminder(t.id, 0);
    cr_assert_eq(r.id, t.reminders[0].id);
    cr_assert_eq(r.remind_at, t.reminders[0].remind_at + 3600000);
    cr_assert_eq(r.state, REMINDER_SCHEDULED);
    cr_assert_eq(n_jobs(&cancel, &job_at), 2);
    cr_assert(!cancel);
    cr_assert_eq(job_at, r.remind_at, "the job moves with the task");
    task_release(&t);
}

REMINDER_TEST(completing_cancels_and_reopening_reschedules, APP_SCHED_DAPR)
{
    char at[TIME_RFC3339_MAX];
    rfc3339(time_now_ms() + 3600000, at);
    struct task t = create("{\"title\":\"c\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_complete(&app, "u1", t.id, NULL, -1, NULL, &err), TODO_OK);
    cr_assert_eq(stored_reminder(t.id, 0).state, REMINDER_CANCELLED);
    bool cancel = false;
    cr_assert_eq(n_jobs(&cancel, NULL), 2);
    cr_assert(cancel, "completing deletes the job");
    cr_assert_eq(app_task_complete(&app, "u1", t.id, NULL, -1, NULL, &err), TODO_OK);
    cr_assert_eq(stored_reminder(t.id, 0).state, REMINDER_SCHEDULED);
    cr_assert_eq(n_jobs(&cancel, NULL), 3);
    cr_assert(!cancel, "reopening schedules it again");
    task_release(&t);
}

REMINDER_TEST(completed_and_deleted_tasks_fire_nothing, APP_SCHED_DB)
{
    char at[TIME_RFC3339_MAX];
    rfc3339(time_now_ms() - 1000, at);
    struct task done =
        create("{\"title\":\"d\",\"completed\":true,\"reminders\":[{\"at\":\"%s\"}]}", at);
    cr_assert_eq(stored_reminder(done.id, 0).state, REMINDER_CANCELLED);
    /* deleted in the same batch as nothing else: the rows go with the task */
    struct task gone = create("{\"title\":\"g\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_task_delete(&app, "u1", gone.id, -1, &err), TODO_OK);
    cr_assert_eq(fire_due(), 0);
    task_release(&done);
    task_release(&gone);
}

REMINDER_TEST(a_fired_reminder_sent_back_in_a_put_does_not_fire_again, APP_SCHED_DB)
{
    char at[TIME_RFC3339_MAX];
    rfc3339(time_now_ms() - 1000, at);
    struct task t = create("{\"title\":\"p\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    cr_assert_eq(fire_due(), 1);
    char body[160];
    snprintf(body, sizeof body, "{\"title\":\"p2\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    json_t *put = json_of(body);
    struct todo_err err;
    todo_err_clear(&err);
    struct task out;
    task_init(&out);
    cr_assert_eq(app_task_replace(&app, "u1", t.id, put, -1, &out, &err), TODO_OK);
    cr_assert_eq(out.reminders[0].id, t.reminders[0].id);
    cr_assert_eq(out.reminders[0].state, REMINDER_FIRED);
    cr_assert_eq(fire_due(), 1);
    json_decref(put);
    task_release(&out);
    task_release(&t);
}

REMINDER_TEST(a_write_that_read_the_reminder_before_it_fired_does_not_rearm_it, APP_SCHED_DB)
{
    char at[TIME_RFC3339_MAX];
    rfc3339(time_now_ms() - 1000, at);
    struct task t = create("{\"title\":\"race\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    struct task stale;
    task_init(&stale);
    cr_assert_eq(store_task_get(S, "u1", t.id, &stale), TODO_OK); /* read: scheduled */
    cr_assert_eq(fire_due(), 1);                                  /* another replica fires */
    free(stale.title);
    stale.title = xstrdup("renamed");
    stale.version++;
    cr_assert_eq(store_task_update(S, &stale, t.version), TODO_OK); /* writes "scheduled" */
    cr_assert_eq(stored_reminder(t.id, 0).state, REMINDER_FIRED);
    cr_assert_eq(fire_due(), 1);
    task_release(&stale);
    task_release(&t);
}

REMINDER_TEST(a_job_callback_fires_once_and_a_stale_one_not_at_all, APP_SCHED_DAPR)
{
    char at[TIME_RFC3339_MAX];
    rfc3339(time_now_ms() + 3600000, at);
    struct task t = create("{\"title\":\"j\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    int64_t id = t.reminders[0].id, when = t.reminders[0].remind_at;
    bool fired = true;
    cr_assert_eq(app_reminder_fire(&app, id, when - 60000, when, &fired), TODO_OK);
    cr_assert(!fired, "a job for a time the reminder no longer has");
    cr_assert_eq(app_reminder_fire(&app, id, when, when + 5, &fired), TODO_OK);
    cr_assert(fired);
    cr_assert_eq(app_reminder_fire(&app, id, when, when + 9, &fired), TODO_OK);
    cr_assert(!fired, "Dapr calling twice fires once");
    cr_assert_eq(app_reminder_fire(&app, 999999, when, when, &fired), TODO_OK);
    cr_assert(!fired);
    cr_assert_eq(reminder_events(NULL), 1);
    task_release(&t);
}

REMINDER_TEST(a_stale_job_queues_the_reminders_own_job_again_and_bad_jobs_are_refused,
              APP_SCHED_DAPR)
{
    int64_t when = time_now_ms() + 3600000;
    char at[TIME_RFC3339_MAX], old[TIME_RFC3339_MAX];
    rfc3339(when, at);
    rfc3339(when - 60000, old);
    struct task t = create("{\"title\":\"s\",\"reminders\":[{\"at\":\"%s\"}]}", at);
    int64_t id = t.reminders[0].id;
    cr_assert_eq(n_jobs(NULL, NULL), 1);
    char name[48], body[160];
    snprintf(name, sizeof name, "reminder-%lld", (long long)id);
    snprintf(body, sizeof body, "{\"reminder_id\":%lld,\"remind_at\":\"%s\"}", (long long)id, old);
    struct todo_err err;
    todo_err_clear(&err);
    bool fired = true;
    cr_assert_eq(app_reminder_job(&app, name, body, strlen(body), &fired, &err), TODO_OK);
    cr_assert(!fired);
    bool cancel = true;
    int64_t job_at = 0;
    cr_assert_eq(n_jobs(&cancel, &job_at), 2, "the job for its real time is queued again");
    cr_assert(!cancel);
    cr_assert_eq(job_at, t.reminders[0].remind_at);

    const char *bad_names[] = {"cleanup", "reminder-", "reminder-0", "reminder-01", "reminder-1x"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        todo_err_clear(&err);
        cr_assert_eq(app_reminder_job(&app, bad_names[i], body, strlen(body), &fired, &err),
                     TODO_ERR_NOT_FOUND, "%s", bad_names[i]);
    }
    const char *bad_bodies[] = {"", "[]", "{\"reminder_id\":1}",
                                "{\"remind_at\":\"2030-01-01T00:00:00Z\"}",
                                "{\"reminder_id\":999,\"remind_at\":\"2030-01-01T00:00:00Z\"}"};
    for (size_t i = 0; i < sizeof bad_bodies / sizeof bad_bodies[0]; i++) {
        todo_err_clear(&err);
        cr_assert_eq(
            app_reminder_job(&app, name, bad_bodies[i], strlen(bad_bodies[i]), &fired, &err),
            TODO_ERR_BAD_REQUEST, "%s", bad_bodies[i]);
    }
    cr_assert_eq(reminder_events(NULL), 0);
    task_release(&t);
}
