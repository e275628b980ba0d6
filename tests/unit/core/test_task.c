/* test_task.c - task validation from JSON (create, replace, patch) and the JSON form. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/task.h"

#define NOW 1796115600000LL /* 2026-12-01T09:00:00Z */

static struct task t;
static struct todo_err err;

static void setup(void)
{
    task_init(&t);
    todo_err_clear(&err);
}

static void teardown(void)
{
    task_release(&t);
}

TestSuite(task, .init = setup, .fini = teardown);

/* Applies JSON text; returns the result code. */
static int apply(const char *text, enum task_apply_mode mode)
{
    json_error_t jerr;
    json_t *body = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    cr_assert_not_null(body, "bad test JSON: %s", text);
    todo_err_clear(&err);
    int rc = task_apply_json(&t, body, mode, NOW, &err);
    json_decref(body);
    return rc;
}

static void create_ok(const char *text)
{
    int rc = apply(text, TASK_APPLY_CREATE);
    cr_assert_eq(rc, 0, "create failed: %s (%s)", text, err.message);
}

static void expect_field(const char *text, enum task_apply_mode mode, const char *field)
{
    int rc = apply(text, mode);
    cr_assert_eq(rc, TODO_ERR_VALIDATION, "should fail: %s", text);
    cr_assert_eq(err.rc, TODO_ERR_VALIDATION);
    bool found = false;
    for (int i = 0; i < err.n_details; i++)
        found |= strcmp(err.details[i].field, field) == 0;
    cr_assert(found, "no detail on %s for %s (first: %s)", field, text,
              err.n_details ? err.details[0].field : "-");
}

Test(task, create_takes_defaults_for_absent_fields)
{
    create_ok("{\"title\": \"  Pay rent  \"}");
    cr_assert_str_eq(t.title, "Pay rent");
    cr_assert_str_eq(t.description, "");
    cr_assert_eq(t.priority, PRIORITY_NONE);
    cr_assert_eq(t.n_tags, 0);
    cr_assert_not(t.has_due);
    cr_assert_not(t.completed);
    cr_assert_null(t.rrule);
}

Test(task, create_requires_title)
{
    expect_field("{}", TASK_APPLY_CREATE, "title");
    expect_field("{\"title\": \"   \"}", TASK_APPLY_CREATE, "title");
    expect_field("{\"title\": null}", TASK_APPLY_CREATE, "title");
    expect_field("{\"title\": 5}", TASK_APPLY_CREATE, "title");
}

Test(task, body_that_is_not_an_object_is_a_bad_request)
{
    cr_assert_eq(apply("[1]", TASK_APPLY_CREATE), TODO_ERR_BAD_REQUEST);
    cr_assert_eq(apply("\"x\"", TASK_APPLY_PATCH), TODO_ERR_BAD_REQUEST);
}

Test(task, title_limit_is_500_characters_not_bytes)
{
    char body[2200];
    char title[1600];
    for (int i = 0; i < 500; i++)
        memcpy(title + 2 * i, "\xc3\xa9", 2); /* é: 2 bytes, 1 character */
    title[1000] = '\0';
    snprintf(body, sizeof body, "{\"title\": \"%s\"}", title);
    create_ok(body);
    cr_assert_eq(strlen(t.title), 1000);
    snprintf(body, sizeof body, "{\"title\": \"%sx\"}", title);
    expect_field(body, TASK_APPLY_CREATE, "title");
}

Test(task, strings_with_nul_are_refused)
{
    expect_field("{\"title\": \"a\\u0000b\"}", TASK_APPLY_CREATE, "title");
    expect_field("{\"title\": \"a\", \"description\": \"x\\u0000\"}", TASK_APPLY_CREATE,
                 "description");
    expect_field("{\"title\": \"a\", \"tags\": [\"a\\u0000b\"]}", TASK_APPLY_CREATE, "tags[0]");
}

Test(task, description_limit_is_10000_characters)
{
    size_t n = 10001;
    char *body = malloc(n + 64);
    int len = snprintf(body, n + 64, "{\"title\": \"a\", \"description\": \"");
    memset(body + len, 'd', n);
    snprintf(body + len + n, 64, "\"}");
    expect_field(body, TASK_APPLY_CREATE, "description");
    /* Exactly 10000 is fine. */
    snprintf(body + len + n - 1, 64, "\"}");
    create_ok(body);
    cr_assert_eq(strlen(t.description), 10000);
    free(body);
}

Test(task, priority_must_be_known)
{
    create_ok("{\"title\": \"a\", \"priority\": \"high\"}");
    cr_assert_eq(t.priority, PRIORITY_HIGH);
    expect_field("{\"title\": \"a\", \"priority\": \"urgent\"}", TASK_APPLY_CREATE, "priority");
    expect_field("{\"title\": \"a\", \"priority\": 3}", TASK_APPLY_CREATE, "priority");
    cr_assert_eq(apply("{\"priority\": null}", TASK_APPLY_PATCH), 0);
    cr_assert_eq(t.priority, PRIORITY_NONE);
}

Test(task, tags_are_trimmed_lowercased_deduplicated_and_sorted)
{
    create_ok("{\"title\": \"a\", \"tags\": [\" Home \", \"bills\", \"HOME\", \"Caf\xc3\xa9\"]}");
    cr_assert_eq(t.n_tags, 3);
    cr_assert_str_eq(t.tags[0], "bills");
    cr_assert_str_eq(t.tags[1], "caf\xc3\xa9");
    cr_assert_str_eq(t.tags[2], "home");
}

Test(task, bad_tags_are_refused_with_their_index)
{
    expect_field("{\"title\": \"a\", \"tags\": [\"ok\", \"a,b\"]}", TASK_APPLY_CREATE, "tags[1]");
    expect_field("{\"title\": \"a\", \"tags\": [\"a b\"]}", TASK_APPLY_CREATE, "tags[0]");
    expect_field("{\"title\": \"a\", \"tags\": [\"  \"]}", TASK_APPLY_CREATE, "tags[0]");
    expect_field("{\"title\": \"a\", \"tags\": [7]}", TASK_APPLY_CREATE, "tags[0]");
    expect_field("{\"title\": \"a\", \"tags\": \"x\"}", TASK_APPLY_CREATE, "tags");
    expect_field(
        "{\"title\": \"a\", \"tags\": [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
        TASK_APPLY_CREATE, "tags[0]");
    expect_field(
        "{\"title\": \"a\", \"tags\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\","
        "\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\"]}",
        TASK_APPLY_CREATE, "tags");
}

Test(task, tag_normalize_explains_refusals)
{
    char out[256];
    const char *why = NULL;
    cr_assert_eq(tag_normalize("  Work ", out, sizeof out, &why), 0);
    cr_assert_str_eq(out, "work");
    cr_assert_eq(tag_normalize("a,b", out, sizeof out, &why), -1);
    cr_assert_not_null(why);
    cr_assert_eq(tag_normalize("a\tb", out, sizeof out, &why), -1);
    cr_assert_eq(tag_normalize("\xff", out, sizeof out, &why), -1);
    cr_assert_eq(tag_normalize("abc", out, 3, &why), -1);
}

Test(task, due_at_must_be_rfc3339_or_null)
{
    create_ok("{\"title\": \"a\", \"due_at\": \"2026-12-01T10:00:00+01:00\"}");
    cr_assert(t.has_due);
    cr_assert_eq(t.due_at, NOW);
    expect_field("{\"title\": \"a\", \"due_at\": \"tomorrow\"}", TASK_APPLY_CREATE, "due_at");
    expect_field("{\"title\": \"a\", \"due_at\": 1796115600}", TASK_APPLY_CREATE, "due_at");
    cr_assert_eq(apply("{\"due_at\": null}", TASK_APPLY_PATCH), 0);
    cr_assert_not(t.has_due);
}

Test(task, relative_reminder_is_computed_from_due_at)
{
    create_ok("{\"title\": \"a\", \"due_at\": \"2026-12-01T09:00:00Z\", "
              "\"reminders\": [{\"before\": \"PT1H\"}, {\"at\": \"2026-11-30T20:00:00Z\"}]}");
    cr_assert_eq(t.n_reminders, 2);
    cr_assert(t.reminders[0].relative);
    cr_assert_eq(t.reminders[0].remind_at, NOW - 3600000);
    cr_assert_eq(t.reminders[0].id, 0);
    cr_assert_not(t.reminders[1].relative);
    cr_assert_eq(t.reminders[1].state, REMINDER_SCHEDULED);
}

Test(task, reminders_need_exactly_one_of_before_or_at)
{
    const char *base = "{\"title\": \"a\", \"due_at\": \"2026-12-01T09:00:00Z\", \"reminders\": ";
    char body[512];
    snprintf(body, sizeof body, "%s[{}]}", base);
    expect_field(body, TASK_APPLY_CREATE, "reminders[0]");
    snprintf(body, sizeof body, "%s[{\"before\": \"PT1H\", \"at\": \"2026-12-01T08:00:00Z\"}]}",
             base);
    expect_field(body, TASK_APPLY_CREATE, "reminders[0]");
    snprintf(body, sizeof body, "%s[{\"at\": \"2026-12-01T08:00:00Z\"}, {\"before\": \"P1Y\"}]}",
             base);
    expect_field(body, TASK_APPLY_CREATE, "reminders[1].before");
    snprintf(body, sizeof body, "%s[{\"at\": \"soon\"}]}", base);
    expect_field(body, TASK_APPLY_CREATE, "reminders[0].at");
    snprintf(body, sizeof body, "%s[{\"before\": \"PT1H\", \"colour\": 1}]}", base);
    expect_field(body, TASK_APPLY_CREATE, "reminders[0].colour");
    snprintf(body, sizeof body, "%s[1]}", base);
    expect_field(body, TASK_APPLY_CREATE, "reminders[0]");
    snprintf(body, sizeof body, "%s{}}", base);
    expect_field(body, TASK_APPLY_CREATE, "reminders");
}

Test(task, at_most_ten_reminders)
{
    char body[1024];
    size_t len = (size_t)snprintf(body, sizeof body, "{\"title\": \"a\", \"reminders\": [");
    for (int i = 0; i < 11; i++)
        len += (size_t)snprintf(body + len, sizeof body - len,
                                "%s{\"at\": \"2026-12-01T08:00:00Z\"}", i ? "," : "");
    snprintf(body + len, sizeof body - len, "]}");
    expect_field(body, TASK_APPLY_CREATE, "reminders");
}

Test(task, relative_reminder_without_due_at_is_refused)
{
    expect_field("{\"title\": \"a\", \"reminders\": [{\"before\": \"PT1H\"}]}", TASK_APPLY_CREATE,
                 "reminders[0].before");
}

Test(task, patch_clearing_due_at_with_relative_reminders_is_refused)
{
    create_ok("{\"title\": \"a\", \"due_at\": \"2026-12-01T09:00:00Z\", "
              "\"reminders\": [{\"before\": \"PT1H\"}]}");
    expect_field("{\"due_at\": null}", TASK_APPLY_PATCH, "due_at");
    cr_assert(t.has_due, "task must be unchanged after a failed patch");
    cr_assert_eq(apply("{\"due_at\": null, \"reminders\": []}", TASK_APPLY_PATCH), 0);
    cr_assert_not(t.has_due);
    cr_assert_eq(t.n_reminders, 0);
}

Test(task, patch_moving_due_at_recomputes_reminders_and_keeps_ids)
{
    create_ok("{\"title\": \"a\", \"due_at\": \"2026-12-01T09:00:00Z\", "
              "\"reminders\": [{\"before\": \"PT30M\"}, {\"at\": \"2026-11-01T00:00:00Z\"}]}");
    t.reminders[0].id = 7;
    t.reminders[1].id = 8;
    t.reminders[0].state = REMINDER_DELIVERED;
    cr_assert_eq(apply("{\"due_at\": \"2026-12-02T09:00:00Z\"}", TASK_APPLY_PATCH), 0);
    cr_assert_eq(t.reminders[0].id, 7);
    cr_assert_eq(t.reminders[1].id, 8);
    cr_assert_eq(t.reminders[0].remind_at, NOW + 86400000LL - 1800000);
    cr_assert_eq(t.reminders[0].state, REMINDER_SCHEDULED);
    int64_t at;
    time_parse_rfc3339("2026-11-01T00:00:00Z", &at);
    cr_assert_eq(t.reminders[1].remind_at, at);
}

Test(task, giving_reminders_replaces_them_with_new_ids)
{
    create_ok("{\"title\": \"a\", \"reminders\": [{\"at\": \"2026-11-01T00:00:00Z\"}]}");
    t.reminders[0].id = 9;
    cr_assert_eq(apply("{\"reminders\": [{\"at\": \"2026-11-02T00:00:00Z\"}]}", TASK_APPLY_PATCH),
                 0);
    cr_assert_eq(t.reminders[0].id, 0);
}

Test(task, completed_and_status_must_agree)
{
    expect_field("{\"title\": \"a\", \"completed\": true, \"status\": \"pending\"}",
                 TASK_APPLY_CREATE, "status");
    expect_field("{\"title\": \"a\", \"status\": \"done\"}", TASK_APPLY_CREATE, "status");
    expect_field("{\"title\": \"a\", \"completed\": \"yes\"}", TASK_APPLY_CREATE, "completed");
    create_ok("{\"title\": \"a\", \"completed\": true, \"status\": \"completed\"}");
    cr_assert(t.completed);
}

Test(task, completion_sets_and_clears_completed_at)
{
    create_ok("{\"title\": \"a\"}");
    cr_assert_not(t.has_completed_at);
    cr_assert_eq(apply("{\"status\": \"completed\"}", TASK_APPLY_PATCH), 0);
    cr_assert(t.completed);
    cr_assert(t.has_completed_at);
    cr_assert_eq(t.completed_at, NOW);
    cr_assert_eq(apply("{\"completed\": false}", TASK_APPLY_PATCH), 0);
    cr_assert_not(t.completed);
    cr_assert_not(t.has_completed_at);
}

Test(task, unknown_fields_are_refused_and_read_only_ones_ignored)
{
    expect_field("{\"title\": \"a\", \"colour\": \"red\"}", TASK_APPLY_CREATE, "colour");
    create_ok("{\"title\": \"a\", \"id\": 99, \"version\": 5, \"created_at\": \"x\", "
              "\"updated_at\": 1, \"completed_at\": null, \"series_id\": 3, \"user_id\": \"u\"}");
    cr_assert_eq(t.id, 0);
    cr_assert_eq(t.version, 0);
    cr_assert_eq(t.series_id, 0);
}

Test(task, patch_changes_only_given_fields_and_null_clears)
{
    create_ok("{\"title\": \"a\", \"description\": \"d\", \"priority\": \"low\", "
              "\"tags\": [\"x\"], \"reminders\": [{\"at\": \"2026-11-01T00:00:00Z\"}]}");
    cr_assert_eq(apply("{\"title\": \"b\"}", TASK_APPLY_PATCH), 0);
    cr_assert_str_eq(t.title, "b");
    cr_assert_str_eq(t.description, "d");
    cr_assert_eq(t.priority, PRIORITY_LOW);
    cr_assert_eq(
        apply("{\"description\": null, \"tags\": null, \"reminders\": null}", TASK_APPLY_PATCH), 0);
    cr_assert_str_eq(t.description, "");
    cr_assert_eq(t.n_tags, 0);
    cr_assert_eq(t.n_reminders, 0);
    expect_field("{\"title\": null}", TASK_APPLY_PATCH, "title");
    cr_assert_str_eq(t.title, "b");
}

Test(task, replace_resets_absent_fields_to_defaults)
{
    create_ok(
        "{\"title\": \"a\", \"description\": \"d\", \"priority\": \"low\", "
        "\"tags\": [\"x\"], \"recurrence\": {\"rule\": \"daily\", \"from\": \"completion\"}}");
    cr_assert_eq(apply("{\"title\": \"b\"}", TASK_APPLY_REPLACE), 0);
    cr_assert_str_eq(t.description, "");
    cr_assert_eq(t.priority, PRIORITY_NONE);
    cr_assert_eq(t.n_tags, 0);
    cr_assert_null(t.rrule);
    expect_field("{\"description\": \"x\"}", TASK_APPLY_REPLACE, "title");
}

Test(task, recurrence_accepts_presets_and_rules)
{
    create_ok("{\"title\": \"a\", \"due_at\": \"2026-12-01T09:00:00Z\", "
              "\"recurrence\": {\"rule\": \"weekdays\"}}");
    cr_assert_str_eq(t.rrule, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    cr_assert_eq(t.recur_from, RECUR_FROM_DUE);
    create_ok("{\"title\": \"a\", \"recurrence\": {\"rule\": \"RRULE:FREQ=MONTHLY;BYMONTHDAY=1\", "
              "\"from\": \"completion\"}}");
    cr_assert_str_eq(t.rrule, "FREQ=MONTHLY;BYMONTHDAY=1");
    cr_assert_eq(t.recur_from, RECUR_FROM_COMPLETION);
}

Test(task, recurrence_is_validated)
{
    expect_field("{\"title\": \"a\", \"recurrence\": {\"rule\": \"daily\"}}", TASK_APPLY_CREATE,
                 "recurrence.from");
    expect_field("{\"title\": \"a\", \"recurrence\": {\"rule\": \"FREQ=MINUTELY\", \"from\": "
                 "\"completion\"}}",
                 TASK_APPLY_CREATE, "recurrence.rule");
    expect_field("{\"title\": \"a\", \"recurrence\": {\"from\": \"completion\"}}",
                 TASK_APPLY_CREATE, "recurrence.rule");
    expect_field("{\"title\": \"a\", \"recurrence\": {\"rule\": \"daily\", \"from\": \"never\"}}",
                 TASK_APPLY_CREATE, "recurrence.from");
    expect_field("{\"title\": \"a\", \"recurrence\": \"daily\"}", TASK_APPLY_CREATE, "recurrence");
    expect_field("{\"title\": \"a\", \"recurrence\": {\"rule\": \"daily\", \"from\": "
                 "\"completion\", \"x\": 1}}",
                 TASK_APPLY_CREATE, "recurrence.x");
}

Test(task, failed_apply_leaves_task_unchanged)
{
    create_ok("{\"title\": \"a\", \"tags\": [\"keep\"]}");
    expect_field("{\"title\": \"b\", \"tags\": [\"new\"], \"priority\": \"bogus\"}",
                 TASK_APPLY_PATCH, "priority");
    cr_assert_str_eq(t.title, "a");
    cr_assert_str_eq(t.tags[0], "keep");
}

Test(task, every_bad_field_is_reported)
{
    cr_assert_eq(apply("{\"title\": \"\", \"priority\": 1, \"due_at\": \"x\"}", TASK_APPLY_CREATE),
                 TODO_ERR_VALIDATION);
    cr_assert_eq(err.n_details, 3);
}

Test(task, to_json_has_every_api_field)
{
    create_ok("{\"title\": \"Pay rent\", \"priority\": \"high\", \"tags\": [\"home\", \"bills\"], "
              "\"due_at\": \"2026-12-01T09:00:00Z\", \"reminders\": [{\"before\": \"PT60M\"}], "
              "\"recurrence\": {\"rule\": \"FREQ=MONTHLY;BYMONTHDAY=1\"}}");
    t.id = 42;
    t.series_id = 40;
    t.version = 1;
    t.reminders[0].id = 7;
    json_t *j = task_to_json(&t);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(
        text, "{\"completed\":false,\"completed_at\":null,\"created_at\":\"1970-01-01T00:00:00Z\","
              "\"description\":\"\",\"due_at\":\"2026-12-01T09:00:00Z\",\"id\":42,\"priority\":"
              "\"high\",\"recurrence\":{\"from\":\"due\",\"rule\":\"FREQ=MONTHLY;BYMONTHDAY=1\","
              "\"series_id\":40},\"reminders\":[{\"before\":\"PT1H\",\"id\":7,\"remind_at\":"
              "\"2026-12-01T08:00:00Z\",\"state\":\"scheduled\"}],\"status\":\"pending\",\"tags\":"
              "[\"bills\",\"home\"],\"title\":\"Pay rent\",\"updated_at\":\"1970-01-01T00:00:00Z\","
              "\"version\":1}");
    free(text);
    json_decref(j);
}

Test(task, json_form_applies_back_unchanged)
{
    create_ok("{\"title\": \"a\", \"due_at\": \"2026-12-01T09:00:00Z\", \"tags\": [\"x\"], "
              "\"reminders\": [{\"before\": \"PT5M\"}, {\"at\": \"2026-11-01T00:00:00Z\"}], "
              "\"recurrence\": {\"rule\": \"daily\"}, \"completed\": true}");
    json_t *j = task_to_json(&t);
    struct task copy;
    task_copy(&copy, &t);
    cr_assert_eq(task_apply_json(&t, j, TASK_APPLY_REPLACE, NOW + 5, &err), 0, "%s", err.message);
    json_t *j2 = task_to_json(&t);
    cr_assert(json_equal(j, j2));
    json_decref(j);
    json_decref(j2);
    task_release(&copy);
}

Test(task, copy_is_deep)
{
    create_ok("{\"title\": \"a\", \"tags\": [\"x\"], \"recurrence\": {\"rule\": \"daily\", "
              "\"from\": \"completion\"}}");
    struct task c;
    task_copy(&c, &t);
    cr_assert_neq(c.title, t.title);
    cr_assert_str_eq(c.tags[0], "x");
    cr_assert_neq(c.tags[0], t.tags[0]);
    cr_assert_str_eq(c.rrule, t.rrule);
    task_release(&c);
}

Test(task, title_sort_key_folds_case)
{
    char *k = task_title_sort_key("Hello \xc3\x89t\xc3\xa9 \xd0\x9f");
    cr_assert_str_eq(k, "hello \xc3\xa9t\xc3\xa9 \xd0\xbf");
    free(k);
}

Test(task, names_of_enums_round_trip)
{
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(task_priority_parse(task_priority_name(i)), i);
        cr_assert_eq(reminder_state_parse(reminder_state_name(i)), i);
    }
    cr_assert_eq(task_priority_parse("HIGH"), -1);
    cr_assert_eq(reminder_state_parse("x"), -1);
}

/* --- task_reminders_reconcile (docs/decisions/0029-reminder-scheduling.md) --- */

static struct reminder abs_reminder(int64_t id, int64_t at, int state)
{
    return (struct reminder){.id = id, .remind_at = at, .state = state};
}

Test(task, reminders_sent_back_without_ids_keep_their_ids_and_fired_state)
{
    struct task before, after;
    task_init(&before);
    task_init(&after);
    before.n_reminders = 2;
    before.reminders[0] = abs_reminder(7, 1000, REMINDER_FIRED);
    before.reminders[1] = abs_reminder(8, 5000, REMINDER_SCHEDULED);
    after.n_reminders = 3; /* a client's PUT: the same two (no ids), and a new one */
    after.reminders[0] = abs_reminder(0, 1000, REMINDER_SCHEDULED);
    after.reminders[1] = abs_reminder(0, 5000, REMINDER_SCHEDULED);
    after.reminders[2] = abs_reminder(0, 9000, REMINDER_SCHEDULED);
    cr_assert_eq(task_reminders_reconcile(&before, &after, 2000), 5000);
    cr_assert_eq(after.reminders[0].id, 7);
    cr_assert_eq(after.reminders[0].state, REMINDER_FIRED, "a fired reminder never re-arms");
    cr_assert_eq(after.reminders[1].id, 8);
    cr_assert_eq(after.reminders[2].id, 0);
    cr_assert_eq(after.reminders[2].state, REMINDER_SCHEDULED);
}

Test(task, completing_cancels_scheduled_reminders_and_reopening_reschedules_future_ones)
{
    struct task before, after;
    task_init(&before);
    task_init(&after);
    after.completed = true;
    after.n_reminders = 3;
    after.reminders[0] = abs_reminder(1, 1000, REMINDER_SCHEDULED);
    after.reminders[1] = abs_reminder(2, 9000, REMINDER_SCHEDULED);
    after.reminders[2] = abs_reminder(3, 500, REMINDER_FIRED);
    cr_assert_eq(task_reminders_reconcile(NULL, &after, 2000), INT64_MAX, "nothing scheduled");
    cr_assert_eq(after.reminders[0].state, REMINDER_CANCELLED);
    cr_assert_eq(after.reminders[1].state, REMINDER_CANCELLED);
    cr_assert_eq(after.reminders[2].state, REMINDER_FIRED);

    before = after; /* shallow: no owned strings in these tasks */
    after.completed = false;
    cr_assert_eq(task_reminders_reconcile(&before, &after, 2000), 9000);
    cr_assert_eq(after.reminders[0].state, REMINDER_CANCELLED, "its time passed while done");
    cr_assert_eq(after.reminders[1].state, REMINDER_SCHEDULED);
    cr_assert_eq(after.reminders[2].state, REMINDER_FIRED);
}

Test(task, moving_due_at_reschedules_a_fired_relative_reminder)
{
    cr_assert_eq(apply("{\"title\":\"x\",\"due_at\":\"2030-01-01T10:00:00Z\","
                       "\"reminders\":[{\"before\":\"PT1H\"}]}",
                       TASK_APPLY_CREATE),
                 TODO_OK);
    struct task before;
    task_copy(&before, &t);
    t.reminders[0].id = before.reminders[0].id = 4;
    t.reminders[0].state = before.reminders[0].state = REMINDER_FIRED;
    cr_assert_eq(apply("{\"due_at\":\"2030-01-02T10:00:00Z\"}", TASK_APPLY_PATCH), TODO_OK);
    int64_t at = task_reminders_reconcile(&before, &t, 0);
    cr_assert_eq(t.reminders[0].id, 4);
    cr_assert_eq(t.reminders[0].state, REMINDER_SCHEDULED);
    cr_assert_eq(at, t.reminders[0].remind_at);
    task_release(&before);
}
