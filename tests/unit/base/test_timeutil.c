/* test_timeutil.c - RFC 3339 and ISO 8601 duration parsing and formatting. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/timeutil.h"

static int64_t parse_ok(const char *s)
{
    int64_t ms = -1;
    cr_assert_eq(time_parse_rfc3339(s, &ms), 0, "should parse: %s", s);
    return ms;
}

static void parse_bad(const char *s)
{
    int64_t ms = 12345;
    cr_assert_eq(time_parse_rfc3339(s, &ms), -1, "should refuse: %s", s);
    cr_assert_eq(ms, 12345, "out param must be untouched on failure");
}

Test(timeutil, rfc3339_parses_epoch_and_known_instants)
{
    cr_assert_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
    cr_assert_eq(parse_ok("2026-12-01T09:00:00Z"), 1796115600000LL);
    cr_assert_eq(parse_ok("2000-03-01T00:00:00Z"), 951868800000LL);
}

Test(timeutil, rfc3339_applies_offsets)
{
    cr_assert_eq(parse_ok("2026-12-01T10:00:00+01:00"), parse_ok("2026-12-01T09:00:00Z"));
    cr_assert_eq(parse_ok("2026-12-01T04:30:00-04:30"), parse_ok("2026-12-01T09:00:00Z"));
    cr_assert_eq(parse_ok("1970-01-01T00:00:00+01:00"), -3600000);
}

Test(timeutil, rfc3339_accepts_lowercase_t_and_z)
{
    cr_assert_eq(parse_ok("2026-12-01t09:00:00z"), parse_ok("2026-12-01T09:00:00Z"));
}

Test(timeutil, rfc3339_keeps_milliseconds_of_fractions)
{
    cr_assert_eq(parse_ok("1970-01-01T00:00:01.5Z"), 1500);
    cr_assert_eq(parse_ok("1970-01-01T00:00:01.123456789Z"), 1123);
    cr_assert_eq(parse_ok("1970-01-01T00:00:00.007Z"), 7);
    parse_bad("1970-01-01T00:00:01.Z");
}

Test(timeutil, rfc3339_knows_leap_years)
{
    parse_ok("2000-02-29T00:00:00Z");
    parse_ok("2024-02-29T00:00:00Z");
    parse_bad("1900-02-29T00:00:00Z");
    parse_bad("2100-02-29T00:00:00Z");
    parse_bad("2026-02-29T00:00:00Z");
    parse_bad("2026-02-30T00:00:00Z");
    parse_bad("2026-04-31T00:00:00Z");
    cr_assert_eq(parse_ok("2024-03-01T00:00:00Z") - parse_ok("2024-02-28T00:00:00Z"),
                 2 * 86400000LL);
}

Test(timeutil, rfc3339_refuses_out_of_range_fields)
{
    parse_bad("2026-12-01T24:00:00Z");
    parse_bad("2026-12-01T23:60:00Z");
    parse_bad("2026-12-31T23:59:60Z"); /* leap second */
    parse_bad("2026-13-01T00:00:00Z");
    parse_bad("2026-00-01T00:00:00Z");
    parse_bad("2026-01-00T00:00:00Z");
    parse_bad("1969-12-31T23:59:59Z");
    parse_bad("2026-12-01T09:00:00+24:00");
}

Test(timeutil, rfc3339_refuses_malformed_text)
{
    parse_bad("2026-12-01T09:00:00");   /* no offset */
    parse_bad("2026-12-01T09:00:00Zx"); /* trailing junk */
    parse_bad("2026-12-01T09:00:00Z ");
    parse_bad("2026-12-01 09:00:00Z");
    parse_bad("2026-12-01");
    parse_bad("26-12-01T09:00:00Z");
    parse_bad("2026-12-01T9:00:00Z");
    parse_bad("2026-12-01T09:00:00+0100");
    parse_bad("");
    parse_bad("+2026-12-01T09:00:00Z");
}

Test(timeutil, rfc3339_formats_utc_with_ms_only_when_needed)
{
    char out[TIME_RFC3339_MAX];
    cr_assert_eq(time_format_rfc3339(0, out), 20);
    cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
    time_format_rfc3339(1796115600000LL, out);
    cr_assert_str_eq(out, "2026-12-01T09:00:00Z");
    time_format_rfc3339(1796115600250LL, out);
    cr_assert_str_eq(out, "2026-12-01T09:00:00.250Z");
    time_format_rfc3339(951782400000LL, out);
    cr_assert_str_eq(out, "2000-02-29T00:00:00Z");
    time_format_rfc3339(-1, out);
    cr_assert_str_eq(out, "1969-12-31T23:59:59.999Z");
}

Test(timeutil, rfc3339_round_trips_across_many_days)
{
    char out[TIME_RFC3339_MAX];
    for (int64_t ms = 0; ms < 253402300799999LL; ms += 86400000LL * 97 + 3600123) {
        time_format_rfc3339(ms, out);
        cr_assert_eq(parse_ok(out), ms, "%s", out);
    }
}

Test(timeutil, rfc3339_format_clamps_extreme_values)
{
    char out[TIME_RFC3339_MAX];
    time_format_rfc3339(INT64_MAX, out);
    cr_assert_str_eq(out, "9999-12-31T23:59:59.999Z");
    time_format_rfc3339(INT64_MIN, out);
    cr_assert_str_eq(out, "0000-01-01T00:00:00Z");
}

static int64_t dur_ok(const char *s)
{
    int64_t ms = -1;
    cr_assert_eq(duration_parse_iso8601(s, &ms), 0, "should parse: %s", s);
    return ms;
}

static void dur_bad(const char *s)
{
    int64_t ms = 777;
    cr_assert_eq(duration_parse_iso8601(s, &ms), -1, "should refuse: %s", s);
    cr_assert_eq(ms, 777);
}

Test(timeutil, duration_parses_weeks_to_seconds)
{
    cr_assert_eq(dur_ok("PT1H30M"), 5400000);
    cr_assert_eq(dur_ok("P1D"), 86400000);
    cr_assert_eq(dur_ok("P2W"), 14 * 86400000LL);
    cr_assert_eq(dur_ok("PT0S"), 0);
    cr_assert_eq(dur_ok("P1DT2H3M4S"), 86400000LL + 2 * 3600000 + 3 * 60000 + 4000);
    cr_assert_eq(dur_ok("PT1.5S"), 1500);
    cr_assert_eq(dur_ok("PT90M"), 5400000);
    cr_assert_eq(dur_ok("P366D"), 366 * 86400000LL);
}

Test(timeutil, duration_refuses_years_months_negatives_and_junk)
{
    dur_bad("P1Y");
    dur_bad("P1M");
    dur_bad("-PT1H");
    dur_bad("PT-1H");
    dur_bad("P");
    dur_bad("PT");
    dur_bad("P1DT");
    dur_bad("");
    dur_bad("1H");
    dur_bad("PT1H1H");
    dur_bad("PT1M1H"); /* out of order */
    dur_bad("PT1H ");
    dur_bad("pt1h");
    dur_bad("P367D");
    dur_bad("P53W");
    dur_bad("PT1.5H");
    dur_bad("PT99999999999S");
}

Test(timeutil, duration_formats_canonically)
{
    char out[32];
    duration_format_iso8601(0, out, sizeof out);
    cr_assert_str_eq(out, "PT0S");
    duration_format_iso8601(15 * 60000, out, sizeof out);
    cr_assert_str_eq(out, "PT15M");
    duration_format_iso8601(86400000LL + 2 * 3600000, out, sizeof out);
    cr_assert_str_eq(out, "P1DT2H");
    duration_format_iso8601(14 * 86400000LL, out, sizeof out);
    cr_assert_str_eq(out, "P14D");
    duration_format_iso8601(1500, out, sizeof out);
    cr_assert_str_eq(out, "PT1.5S");
    duration_format_iso8601(3600000 + 5000, out, sizeof out);
    cr_assert_str_eq(out, "PT1H5S");
}

Test(timeutil, duration_format_round_trips_through_parse)
{
    const char *in[] = {"PT1H30M", "P2W", "P1DT0H1S", "PT0.250S", "P3DT4H5M6S"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        char out[32];
        int64_t ms = dur_ok(in[i]);
        duration_format_iso8601(ms, out, sizeof out);
        cr_assert_eq(dur_ok(out), ms, "%s -> %s", in[i], out);
    }
}

Test(timeutil, clocks_move_forward)
{
    int64_t now = time_now_ms();
    cr_assert_gt(now, 1700000000000LL);
    uint64_t a = time_mono_ns(), b = time_mono_ns();
    cr_assert_geq(b, a);
}

/* A deadline ms from now on the given clock, its nanoseconds carried into seconds. */
Test(timeutil, deadline_ms_carries_nanoseconds)
{
    struct timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    struct timespec d = time_deadline_ms(CLOCK_MONOTONIC, 1999);
    clock_gettime(CLOCK_MONOTONIC, &after);
    cr_expect(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
    int64_t lo = (int64_t)before.tv_sec * 1000000000LL + before.tv_nsec + 1999000000LL;
    int64_t hi = (int64_t)after.tv_sec * 1000000000LL + after.tv_nsec + 1999000000LL;
    int64_t got = (int64_t)d.tv_sec * 1000000000LL + d.tv_nsec;
    cr_expect(got >= lo && got <= hi);
    struct timespec z = time_deadline_ms(CLOCK_REALTIME, 0);
    cr_expect(z.tv_nsec >= 0 && z.tv_nsec < 1000000000L);
}
