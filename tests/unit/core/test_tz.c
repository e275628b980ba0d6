/* test_tz.c - time zone names and local day boundaries. */
#include <criterion/criterion.h>
#include <pthread.h>

#include "base/timeutil.h"
#include "core/tz.h"

static int64_t at(const char *s)
{
    int64_t ms;
    cr_assert_eq(time_parse_rfc3339(s, &ms), 0, "%s", s);
    return ms;
}

Test(tz, knows_iana_names_and_utc)
{
    cr_assert(tz_valid("UTC"));
    cr_assert(tz_valid("Europe/Berlin"));
    cr_assert(tz_valid("America/New_York"));
    cr_assert_not(tz_valid("Europe/Atlantis"));
    cr_assert_not(tz_valid(""));
    cr_assert_not(tz_valid("../../etc/passwd"));
    cr_assert_not(tz_valid(NULL));
}

Test(tz, day_start_in_utc_is_midnight)
{
    int64_t out;
    cr_assert_eq(tz_day_start("UTC", at("2026-12-01T15:30:00Z"), 0, &out), 0);
    cr_assert_eq(out, at("2026-12-01T00:00:00Z"));
    cr_assert_eq(tz_day_start("UTC", at("2026-12-31T15:30:00Z"), 1, &out), 0);
    cr_assert_eq(out, at("2027-01-01T00:00:00Z"));
}

Test(tz, day_start_uses_the_local_date)
{
    int64_t out;
    /* 23:30Z on Nov 30 is already Dec 1 in Berlin (CET, +01:00). */
    cr_assert_eq(tz_day_start("Europe/Berlin", at("2026-11-30T23:30:00Z"), 0, &out), 0);
    cr_assert_eq(out, at("2026-12-01T00:00:00+01:00"));
    /* 03:00Z on Dec 1 is still Nov 30 in New York (-05:00). */
    cr_assert_eq(tz_day_start("America/New_York", at("2026-12-01T03:00:00Z"), 0, &out), 0);
    cr_assert_eq(out, at("2026-11-30T00:00:00-05:00"));
}

Test(tz, dst_days_are_23_or_25_hours_long)
{
    int64_t d0, d1;
    tz_day_start("Europe/Berlin", at("2026-03-29T12:00:00Z"), 0, &d0);
    tz_day_start("Europe/Berlin", at("2026-03-29T12:00:00Z"), 1, &d1);
    cr_assert_eq(d0, at("2026-03-29T00:00:00+01:00"));
    cr_assert_eq(d1 - d0, 23 * 3600000LL);
    tz_day_start("Europe/Berlin", at("2026-10-25T12:00:00Z"), 0, &d0);
    tz_day_start("Europe/Berlin", at("2026-10-25T12:00:00Z"), 1, &d1);
    cr_assert_eq(d1 - d0, 25 * 3600000LL);
    /* A week that spans the change. */
    tz_day_start("Europe/Berlin", at("2026-03-27T12:00:00Z"), 7, &d1);
    cr_assert_eq(d1, at("2026-04-03T00:00:00+02:00"));
}

Test(tz, unknown_zone_fails_and_leaves_output)
{
    int64_t out = 5;
    cr_assert_eq(tz_day_start("Mars/Olympus", 0, 0, &out), -1);
    cr_assert_eq(out, 5);
}

static void *day_starts(void *arg)
{
    const char *zone = arg;
    for (int i = 0; i < 300; i++) {
        int64_t out;
        if (tz_day_start(zone, 1796115600000LL + i * 3600000LL, i % 9, &out) != 0)
            return (void *)1;
    }
    return NULL;
}

Test(tz, is_safe_from_several_threads)
{
    const char *zones[] = {"Europe/Paris", "Asia/Tokyo", "America/Chicago", "Australia/Sydney"};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, day_starts, (void *)zones[i]);
    for (int i = 0; i < 4; i++) {
        void *res;
        pthread_join(th[i], &res);
        cr_assert_null(res);
    }
}
