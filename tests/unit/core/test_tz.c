/* test_tz.c - time zone names and local day boundaries. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>

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

/* A wall time (seconds of the local clock read as if UTC) from "YYYY-MM-DDTHH:MM:SS". */
static int64_t wall(const char *s)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%sZ", s);
    return at(buf) / 1000;
}

/* docs/assistant-time.md (DST): a wall time in a gap moves forward by the gap, one in a fold
 * is the first instant, in every hemisphere and at every offset (Auckland is +12/+13: the
 * offsets were once sampled only half a day away, which is not far enough there). */
Test(tz, local_to_utc_moves_a_gap_forward_and_takes_a_fold_first_everywhere)
{
    static const struct {
        const char *tz, *wall, *want;
    } cases[] = {
        {"Pacific/Auckland", "2027-09-26T02:30:00", "2027-09-26T03:30:00+13:00"},
        {"Pacific/Auckland", "2027-04-04T02:30:00", "2027-04-04T02:30:00+13:00"},
        {"Pacific/Auckland", "2027-04-04T03:00:00", "2027-04-04T03:00:00+12:00"},
        {"Pacific/Auckland", "2027-07-01T12:00:00", "2027-07-01T12:00:00+12:00"},
        {"Pacific/Chatham", "2027-09-26T03:00:00", "2027-09-26T04:00:00+13:45"},
        {"Pacific/Kiritimati", "2027-01-01T00:30:00", "2027-01-01T00:30:00+14:00"},
        {"Etc/GMT+12", "2027-01-01T23:30:00", "2027-01-01T23:30:00-12:00"},
        {"America/Santiago", "2027-09-05T00:30:00", "2027-09-05T01:30:00-03:00"},
        {"America/Santiago", "2027-04-03T23:30:00", "2027-04-03T23:30:00-03:00"},
        {"Australia/Lord_Howe", "2027-10-03T02:15:00", "2027-10-03T02:45:00+11:00"},
        {"Australia/Lord_Howe", "2027-04-04T01:45:00", "2027-04-04T01:45:00+11:00"},
        {"America/New_York", "2026-03-08T02:30:00", "2026-03-08T03:30:00-04:00"},
        {"America/New_York", "2026-11-01T01:30:00", "2026-11-01T01:30:00-04:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t utc;
        cr_assert_eq(tz_local_to_utc(cases[i].tz, wall(cases[i].wall), &utc), 0);
        cr_expect_eq(utc * 1000, at(cases[i].want), "%s %s", cases[i].tz, cases[i].wall);
    }
}

/* A day that starts in a gap starts when the gap ends (America/Santiago springs forward at
 * 00:00: 2027-09-05 begins at 01:00 -03:00 and is 23 hours long), not an hour into the day
 * before. */
Test(tz, a_day_that_starts_in_a_gap_starts_when_the_gap_ends)
{
    int64_t d0, d1;
    cr_assert_eq(tz_day_start("America/Santiago", at("2027-09-05T15:00:00Z"), 0, &d0), 0);
    cr_assert_eq(tz_day_start("America/Santiago", at("2027-09-05T15:00:00Z"), 1, &d1), 0);
    cr_expect_eq(d0, at("2027-09-05T01:00:00-03:00"));
    cr_expect_eq(d1 - d0, 23 * 3600000LL);
    /* the day before ends where it begins */
    cr_assert_eq(tz_day_start("America/Santiago", at("2027-09-04T15:00:00Z"), 1, &d1), 0);
    cr_expect_eq(d1, d0);
    /* the fold at 23:00 -03:00 on 2027-04-03: the next day starts at the second midnight */
    cr_assert_eq(tz_day_start("America/Santiago", at("2027-04-03T15:00:00Z"), 1, &d1), 0);
    cr_expect_eq(d1, at("2027-04-04T00:00:00-04:00"));
}
