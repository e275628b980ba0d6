/* test_rrule.c - recurrence rule validation and canonical form. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "core/rrule.h"

static void norm_ok(const char *in, const char *want)
{
    char out[256];
    struct todo_err err = {0};
    cr_assert_eq(rrule_normalize(in, out, sizeof out, &err), 0, "%s: %s", in, err.message);
    cr_assert_str_eq(out, want, "%s", in);
}

static void norm_bad(const char *in)
{
    char out[256] = "untouched";
    struct todo_err err = {0};
    cr_assert_eq(rrule_normalize(in, out, sizeof out, &err), TODO_ERR_VALIDATION, "%s", in);
    cr_assert_eq(err.n_details, 1);
    cr_assert_str_eq(err.details[0].field, "recurrence.rule");
    cr_assert_str_eq(out, "untouched");
}

Test(rrule, presets_become_their_rules)
{
    norm_ok("daily", "FREQ=DAILY");
    norm_ok("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    norm_ok("weekly", "FREQ=WEEKLY");
    norm_ok("monthly", "FREQ=MONTHLY");
    norm_ok("yearly", "FREQ=YEARLY");
    norm_ok("Daily", "FREQ=DAILY");
}

Test(rrule, rules_are_canonicalised)
{
    norm_ok("RRULE:FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=MONTHLY;BYMONTHDAY=1");
    norm_ok("freq=weekly;byday=mo,-1fr", "FREQ=WEEKLY;BYDAY=MO,-1FR");
    norm_ok("FREQ=DAILY;INTERVAL=2;COUNT=10", "FREQ=DAILY;INTERVAL=2;COUNT=10");
    norm_ok("FREQ=DAILY;COUNT=10;INTERVAL=2", "FREQ=DAILY;INTERVAL=2;COUNT=10");
    norm_ok("FREQ=DAILY;UNTIL=20261231T235959Z", "FREQ=DAILY;UNTIL=20261231T235959Z");
    norm_ok("FREQ=HOURLY", "FREQ=HOURLY");
    norm_ok("FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29");
    norm_ok("FREQ=MONTHLY;COUNT=1000", "FREQ=MONTHLY;COUNT=1000");
}

Test(rrule, refuses_sub_hourly_frequencies)
{
    norm_bad("FREQ=MINUTELY");
    norm_bad("FREQ=SECONDLY;COUNT=2");
}

Test(rrule, refuses_count_over_1000_and_until_with_count)
{
    norm_bad("FREQ=DAILY;COUNT=1001");
    norm_bad("FREQ=DAILY;COUNT=0");
    norm_bad("FREQ=DAILY;COUNT=5;UNTIL=20261231");
}

Test(rrule, refuses_junk_that_libical_would_skip)
{
    norm_bad("");
    norm_bad("   ");
    norm_bad("RRULE:");
    norm_bad("FREQ=DAILY;FOO=1");
    norm_bad("FREQ=DAILY;BYDAY=XX");
    norm_bad("FREQ=DAILY;BYDAY=");
    norm_bad("FREQ=DAILY;BYDAY=MO,,TU");
    norm_bad("FREQ=DAILY;BYMONTHDAY=32");
    norm_bad("FREQ=DAILY;BYMONTHDAY=0");
    norm_bad("FREQ=DAILY;BYMONTH=13");
    norm_bad("FREQ=DAILY;BYHOUR=24");
    norm_bad("FREQ=DAILY;UNTIL=20261341");
    norm_bad("FREQ=DAILY;UNTIL=2026-12-31");
    norm_bad("FREQ=DAILY;INTERVAL=0");
    norm_bad("FREQ=DAILY;FREQ=WEEKLY");
    norm_bad("FREQ=FORTNIGHTLY");
    norm_bad("BYDAY=MO");
    norm_bad("FREQ=DAILY;");
    norm_bad("FREQ=DAILY;;COUNT=2");
    norm_bad("FREQ");
    norm_bad("hourly-ish");
}

static void *normalize_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        char out[256];
        struct todo_err err = {0};
        if (i % 2 == 0) {
            if (rrule_normalize("FREQ=WEEKLY;BYDAY=MO", out, sizeof out, &err) != 0)
                return (void *)1;
        } else if (rrule_normalize("FREQ=DAILY;BYDAY=XX", out, sizeof out, &err) == 0) {
            return (void *)1;
        }
    }
    return NULL;
}

Test(rrule, is_safe_from_several_threads)
{
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, normalize_many, NULL);
    for (int i = 0; i < 4; i++) {
        void *res;
        pthread_join(th[i], &res);
        cr_assert_null(res);
    }
}

/* One canonical order, the assistant's (docs/decisions/0043-canonical-rrule-order.md):
 * FREQ, INTERVAL, COUNT/UNTIL, BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS, whatever order the
 * parts came in. */
Test(rrule, parts_come_out_in_the_canonical_order)
{
    norm_ok("BYSETPOS=-1;BYDAY=FR;INTERVAL=3;FREQ=MONTHLY;COUNT=4",
            "FREQ=MONTHLY;INTERVAL=3;COUNT=4;BYDAY=FR;BYSETPOS=-1");
    norm_ok("FREQ=YEARLY;BYDAY=MO;BYSETPOS=1;BYMONTH=12",
            "FREQ=YEARLY;BYMONTH=12;BYDAY=MO;BYSETPOS=1");
    norm_ok("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270531;INTERVAL=2",
            "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270531;BYDAY=MO,TH");
    norm_ok("WKST=SU;FREQ=MONTHLY;BYMONTHDAY=1,15;BYMONTH=1,7;INTERVAL=2",
            "FREQ=MONTHLY;INTERVAL=2;BYMONTH=1,7;BYMONTHDAY=1,15;WKST=SU");
    norm_ok("FREQ=HOURLY;BYMINUTE=30;BYHOUR=9,17;INTERVAL=4",
            "FREQ=HOURLY;INTERVAL=4;BYHOUR=9,17;BYMINUTE=30");
}
