/* test_query.c - list query parsing, due shortcuts, sort values and cursors. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/query.h"

/* Parameters as a NULL-terminated list of name, value pairs. */
static const char *get_param(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (; kv[0]; kv += 2)
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    return NULL;
}

static void parse_ok(struct task_query *q, const char *const *kv)
{
    struct todo_err err = {0};
    cr_assert_eq(query_parse(q, get_param, (void *)kv, &err), 0, "%s", err.message);
}

static void parse_bad(const char *name, const char *value)
{
    const char *kv[] = {name, value, NULL};
    struct task_query q;
    struct todo_err err = {0};
    cr_assert_eq(query_parse(&q, get_param, (void *)kv, &err), TODO_ERR_BAD_REQUEST, "%s=%s", name,
                 value);
    cr_assert_eq(err.rc, TODO_ERR_BAD_REQUEST);
    cr_assert_str_eq(err.details[0].field, name);
    query_release(&q);
}

static int64_t at(const char *s)
{
    int64_t ms;
    cr_assert_eq(time_parse_rfc3339(s, &ms), 0);
    return ms;
}

Test(query, defaults_when_nothing_is_given)
{
    const char *kv[] = {NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert_eq(q.n_words, 0);
    cr_assert_eq(q.status, QSTATUS_ALL);
    cr_assert_eq(q.priority_mask, 0);
    cr_assert_eq(q.recurring, -1);
    cr_assert_eq(q.limit, 50);
    cr_assert_eq(q.n_sort, 1);
    cr_assert_eq(q.sort[0].key, SORT_CREATED_AT);
    cr_assert(q.sort[0].desc);
    cr_assert_not(q.has_cursor);
    query_release(&q);
}

Test(query, q_splits_into_lowercase_words)
{
    const char *kv[] = {"q", "  Buy GROCERIES, caf\xc3\xa9-lait!! x2 ", NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert_eq(q.n_words, 5);
    cr_assert_str_eq(q.words[0], "buy");
    cr_assert_str_eq(q.words[1], "groceries");
    cr_assert_str_eq(q.words[2], "caf\xc3\xa9");
    cr_assert_str_eq(q.words[3], "lait");
    cr_assert_str_eq(q.words[4], "x2");
    query_release(&q);
}

Test(query, empty_q_means_no_search)
{
    const char *kv[] = {"q", " ,;! ", NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert_eq(q.n_words, 0);
    query_release(&q);
}

Test(query, q_over_16_words_or_invalid_utf8_is_refused)
{
    parse_bad("q", "a b c d e f g h i j k l m n o p q");
    parse_bad("q", "caf\xc3");
}

Test(query, filters_are_parsed)
{
    const char *kv[] = {"status",    "pending", "priority", "high,low", "tags", " Home,bills,home",
                        "recurring", "true",    "limit",    "200",      "due",  "today",
                        NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert_eq(q.status, QSTATUS_PENDING);
    cr_assert_eq(q.priority_mask, (1u << PRIORITY_HIGH) | (1u << PRIORITY_LOW));
    cr_assert_eq(q.n_tags, 2);
    cr_assert_str_eq(q.tags[0], "home");
    cr_assert_str_eq(q.tags[1], "bills");
    cr_assert_eq(q.recurring, 1);
    cr_assert_eq(q.limit, 200);
    cr_assert_eq(q.due, QDUE_TODAY);
    query_release(&q);
}

Test(query, unknown_values_are_bad_requests_naming_the_parameter)
{
    parse_bad("status", "maybe");
    parse_bad("status", "");
    parse_bad("priority", "urgent");
    parse_bad("priority", "high,");
    parse_bad("tags", "a b");
    parse_bad("tags", "a,,b");
    parse_bad("due", "later");
    parse_bad("due_before", "2026-12-01");
    parse_bad("due_after", "yesterday");
    parse_bad("recurring", "yes");
    parse_bad("sort", "colour");
    parse_bad("sort", "title,-title");
    parse_bad("sort", "");
    parse_bad("sort", "--title");
    parse_bad("limit", "0");
    parse_bad("limit", "201");
    parse_bad("limit", "+5");
    parse_bad("limit", "5x");
    parse_bad("limit", "");
    parse_bad("limit", "0000000000000000000050");
    parse_bad("cursor", "!!!");
    parse_bad("cursor", "");
}

Test(query, several_errors_are_all_reported)
{
    const char *kv[] = {"status", "x", "limit", "0", NULL};
    struct task_query q;
    struct todo_err err = {0};
    cr_assert_eq(query_parse(&q, get_param, (void *)kv, &err), TODO_ERR_BAD_REQUEST);
    cr_assert_eq(err.n_details, 2);
    query_release(&q);
}

Test(query, sort_keys_keep_order_and_direction)
{
    const char *kv[] = {"sort", "due_at,-priority,title", NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert_eq(q.n_sort, 3);
    cr_assert_eq(q.sort[0].key, SORT_DUE_AT);
    cr_assert_not(q.sort[0].desc);
    cr_assert_eq(q.sort[1].key, SORT_PRIORITY);
    cr_assert(q.sort[1].desc);
    cr_assert_eq(q.sort[2].key, SORT_TITLE);
    query_release(&q);
}

Test(query, due_bounds_are_exclusive_before_and_inclusive_after)
{
    const char *kv[] = {"due_before", "2026-12-02T00:00:00Z", "due_after",
                        "2026-12-01T00:00:00+01:00", NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert(q.has_due_to);
    cr_assert_eq(q.due_to, at("2026-12-02T00:00:00Z"));
    cr_assert(q.has_due_from);
    cr_assert_eq(q.due_from, at("2026-11-30T23:00:00Z"));
    query_release(&q);
}

static void resolve(const char *due, const char *tz, const char *now, struct task_query *q)
{
    const char *kv[] = {"due", due, NULL};
    parse_ok(q, kv);
    cr_assert_eq(query_resolve_due(q, tz, at(now)), 0);
}

Test(query, due_today_tomorrow_and_week_are_local_days)
{
    struct task_query q;
    resolve("today", "Europe/Berlin", "2026-11-30T23:30:00Z", &q);
    cr_assert_eq(q.due_from, at("2026-12-01T00:00:00+01:00"));
    cr_assert_eq(q.due_to, at("2026-12-02T00:00:00+01:00"));
    query_release(&q);
    resolve("tomorrow", "UTC", "2026-12-01T12:00:00Z", &q);
    cr_assert_eq(q.due_from, at("2026-12-02T00:00:00Z"));
    cr_assert_eq(q.due_to, at("2026-12-03T00:00:00Z"));
    query_release(&q);
    resolve("week", "UTC", "2026-12-01T12:00:00Z", &q);
    cr_assert_eq(q.due_from, at("2026-12-01T00:00:00Z"));
    cr_assert_eq(q.due_to, at("2026-12-08T00:00:00Z"));
    query_release(&q);
}

Test(query, overdue_is_pending_and_due_before_now)
{
    struct task_query q;
    resolve("overdue", "UTC", "2026-12-01T12:00:00Z", &q);
    cr_assert_eq(q.status, QSTATUS_PENDING);
    cr_assert(q.has_due_to);
    cr_assert_eq(q.due_to, at("2026-12-01T12:00:00Z"));
    cr_assert_not(q.has_due_from);
    query_release(&q);
}

Test(query, none_and_any_select_by_presence_of_due_at)
{
    struct task_query q;
    resolve("none", "UTC", "2026-12-01T12:00:00Z", &q);
    cr_assert(q.due_null);
    query_release(&q);
    resolve("any", "UTC", "2026-12-01T12:00:00Z", &q);
    cr_assert(q.due_not_null);
    query_release(&q);
}

Test(query, due_shortcut_intersects_explicit_bounds)
{
    const char *kv[] = {
        "due", "week", "due_before", "2026-12-03T00:00:00Z", "due_after", "2026-11-01T00:00:00Z",
        NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert_eq(query_resolve_due(&q, "UTC", at("2026-12-01T12:00:00Z")), 0);
    cr_assert_eq(q.due_from, at("2026-12-01T00:00:00Z"));
    cr_assert_eq(q.due_to, at("2026-12-03T00:00:00Z"));
    query_release(&q);
}

Test(query, unknown_zone_fails_to_resolve)
{
    const char *kv[] = {"due", "today", NULL};
    struct task_query q;
    parse_ok(&q, kv);
    cr_assert_eq(query_resolve_due(&q, "Nowhere/City", 0), -1);
    query_release(&q);
}

Test(query, sort_values_put_tasks_without_due_last)
{
    struct task t;
    task_init(&t);
    struct cursor_value v;
    query_sort_value(&t, SORT_DUE_AT, false, &v);
    cr_assert_eq(v.num, INT64_MAX);
    query_sort_value(&t, SORT_DUE_AT, true, &v);
    cr_assert_eq(v.num, INT64_MIN);
    t.has_due = true;
    t.due_at = 5;
    query_sort_value(&t, SORT_DUE_AT, true, &v);
    cr_assert_eq(v.num, 5);
    t.priority = PRIORITY_MEDIUM;
    query_sort_value(&t, SORT_PRIORITY, false, &v);
    cr_assert_eq(v.num, 2);
    t.title = strdup("Hello");
    query_sort_value(&t, SORT_TITLE, false, &v);
    cr_assert(v.is_text);
    cr_assert_str_eq(v.text, "hello");
    free(v.text);
    task_release(&t);
}

Test(query, cursor_round_trips_through_encode_and_parse)
{
    const char *kv[] = {"sort", "-due_at,title", NULL};
    struct task_query q;
    parse_ok(&q, kv);
    struct task t;
    task_init(&t);
    t.id = 77;
    t.title = strdup("Pay Rent");
    char *cursor = query_cursor_encode(&q, &t); /* no due: INT64_MIN when descending */
    cr_assert_null(strpbrk(cursor, "+/="), "cursor must be base64url without padding");
    const char *kv2[] = {"sort", "-due_at,title", "cursor", cursor, NULL};
    struct task_query q2;
    parse_ok(&q2, kv2);
    cr_assert(q2.has_cursor);
    cr_assert_eq(q2.after_id, 77);
    cr_assert_not(q2.after[0].is_text);
    cr_assert_eq(q2.after[0].num, INT64_MIN);
    cr_assert(q2.after[1].is_text);
    cr_assert_str_eq(q2.after[1].text, "pay rent");
    query_release(&q2);
    free(cursor);
    task_release(&t);
    query_release(&q);
}

Test(query, cursor_made_for_another_sort_is_refused)
{
    const char *kv[] = {NULL};
    struct task_query q;
    parse_ok(&q, kv);
    struct task t;
    task_init(&t);
    t.id = 3;
    t.created_at = 1000;
    char *cursor = query_cursor_encode(&q, &t);
    /* Same cursor, default sort: fine. */
    const char *ok[] = {"cursor", cursor, NULL};
    struct task_query q2;
    parse_ok(&q2, ok);
    cr_assert_eq(q2.after[0].num, 1000);
    query_release(&q2);
    /* Ascending created_at: same key, other direction. */
    const char *other[] = {"sort", "created_at", "cursor", cursor, NULL};
    struct todo_err err = {0};
    cr_assert_eq(query_parse(&q2, get_param, (void *)other, &err), TODO_ERR_BAD_REQUEST);
    cr_assert_str_eq(err.details[0].field, "cursor");
    cr_assert_str_eq(err.details[0].message, "cursor: cursor does not match this query");
    query_release(&q2);
    free(cursor);
    task_release(&t);
    query_release(&q);
}

Test(query, forged_cursors_with_wrong_types_are_refused)
{
    /* base64url of ["-created_at","x",1] (text where a number belongs) */
    parse_bad("cursor", "WyItY3JlYXRlZF9hdCIsIngiLDFd");
    /* ["-created_at",1] (missing id) */
    parse_bad("cursor", "WyItY3JlYXRlZF9hdCIsMV0");
    /* {"a":1} */
    parse_bad("cursor", "eyJhIjoxfQ");
    /* padding is not allowed */
    parse_bad("cursor", "eyJhIjoxfQ==");
}
