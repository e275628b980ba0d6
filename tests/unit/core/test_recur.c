/* test_recur.c - the recurrence engine: a table of hand-checked occurrences (DST in Berlin
 * and New York, Feb 29, the 31st, last weekdays, BYSETPOS, COUNT/UNTIL, INTERVAL, WKST),
 * the successor modes, and the rule in plain words.
 *
 * Zones in 2026: Europe/Berlin is CET (+01:00) until 2026-03-29 01:00Z and from 2026-10-25
 * 01:00Z, CEST (+02:00) between; America/New_York is EST (-05:00) until 2026-03-08 07:00Z
 * and from 2026-11-01 06:00Z, EDT (-04:00) between. Every expected value is a UTC literal
 * with its local wall-clock time in the comment. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/recur.h"

#define BER   "Europe/Berlin"
#define NYC   "America/New_York"
#define ENDED NULL

static int64_t at(const char *s)
{
    int64_t ms;
    cr_assert_eq(time_parse_rfc3339(s, &ms), 0, "%s", s);
    return ms;
}

struct next_case {
    const char *rule, *tz, *dtstart, *after;
    const char *want; /* ENDED: RECUR_ENDED */
};

static const struct next_case next_cases[] = {
    /* ---- DST forwards and back, Europe/Berlin ---- */
    /* 0: daily 09:00 CET -> Sun 29 Mar 09:00 CEST */
    {"FREQ=DAILY", BER, "2026-03-27T08:00:00Z", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"},
    /* 1: Mon 30 Mar 09:00 CEST */
    {"FREQ=DAILY", BER, "2026-03-27T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"},
    /* 2: daily 09:00 CEST -> Sun 25 Oct 09:00 CET */
    {"FREQ=DAILY", BER, "2026-10-23T07:00:00Z", "2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z"},
    /* 3: daily 02:30 CET; 29 Mar 02:30 does not exist -> offset before the gap: 03:30 CEST */
    {"FREQ=DAILY", BER, "2026-03-27T01:30:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z"},
    /* 4: and the day after is 02:30 CEST again, not 03:30 */
    {"FREQ=DAILY", BER, "2026-03-27T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"},
    /* 5: daily 02:30 CEST; 25 Oct 02:30 happens twice -> the first, 02:30 CEST */
    {"FREQ=DAILY", BER, "2026-10-23T00:30:00Z", "2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z"},
    /* 6: the repeated 02:30 CET is not a second occurrence: Mon 26 Oct 02:30 CET */
    {"FREQ=DAILY", BER, "2026-10-23T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
    /* 7: Mon/Thu 09:00, from Thu 26 Mar (CET) -> Mon 30 Mar 09:00 CEST */
    {"FREQ=WEEKLY;BYDAY=MO,TH", BER, "2026-03-23T08:00:00Z", "2026-03-26T08:00:00Z",
     "2026-03-30T07:00:00Z"},
    /* 8: Mon/Thu 09:00, from Thu 22 Oct (CEST) -> Mon 26 Oct 09:00 CET */
    {"FREQ=WEEKLY;BYDAY=MO,TH", BER, "2026-10-19T07:00:00Z", "2026-10-22T07:00:00Z",
     "2026-10-26T08:00:00Z"},
    /* 9: hourly from 01:00 CET on 29 Mar: 02:00 does not exist -> 03:00 CEST */
    {"FREQ=HOURLY", BER, "2026-03-29T00:00:00Z", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z"},
    /* 10: 03:00 CEST is the same instant; next is 04:00 CEST */
    {"FREQ=HOURLY", BER, "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"},

    /* ---- DST forwards and back, America/New_York ---- */
    /* 11: daily 09:00 EST -> Sun 8 Mar 09:00 EDT */
    {"FREQ=DAILY", NYC, "2026-03-06T14:00:00Z", "2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z"},
    /* 12: daily 02:30 EST; 8 Mar 02:30 does not exist -> 03:30 EDT */
    {"FREQ=DAILY", NYC, "2026-03-07T07:30:00Z", "2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z"},
    /* 13: Mon 9 Mar 02:30 EDT */
    {"FREQ=DAILY", NYC, "2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"},
    /* 14: daily 01:30 EDT; 1 Nov 01:30 happens twice -> the first, 01:30 EDT */
    {"FREQ=DAILY", NYC, "2026-10-30T05:30:00Z", "2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z"},
    /* 15: Mon 2 Nov 01:30 EST */
    {"FREQ=DAILY", NYC, "2026-10-30T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
    /* 16: daily 09:00 EDT -> Sun 1 Nov 09:00 EST */
    {"FREQ=DAILY", NYC, "2026-10-30T13:00:00Z", "2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z"},

    /* ---- Feb 29 ---- */
    /* 17: 29 Feb 2028 09:00 -> 2029..2031 have none -> 29 Feb 2032 */
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "UTC", "2028-02-29T09:00:00Z", "2028-02-29T09:00:00Z",
     "2032-02-29T09:00:00Z"},
    /* 18: plain YEARLY from 29 Feb: the same (RFC 5545 skips invalid dates) */
    {"FREQ=YEARLY", "UTC", "2028-02-29T09:00:00Z", "2028-03-01T00:00:00Z", "2032-02-29T09:00:00Z"},
    /* 19: a dtstart that does not match: 2026 and 2027 have no 29 Feb */
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "UTC", "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z",
     "2028-02-29T09:00:00Z"},
    /* 20: last day of February, 09:00 CET: 28 Feb 2027 -> 29 Feb 2028 */
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", BER, "2027-02-28T08:00:00Z", "2027-02-28T08:00:00Z",
     "2028-02-29T08:00:00Z"},
    /* 21: -> 28 Feb 2029 09:00 CET */
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", BER, "2027-02-28T08:00:00Z", "2028-02-29T08:00:00Z",
     "2029-02-28T08:00:00Z"},
    /* 22: monthly on the last day reaches 29 Feb 2028 */
    {"FREQ=MONTHLY;BYMONTHDAY=-1", "UTC", "2026-01-31T09:00:00Z", "2028-01-31T09:00:00Z",
     "2028-02-29T09:00:00Z"},

    /* ---- the 31st ---- */
    /* 23: 31 Jan -> Feb has none -> 31 Mar */
    {"FREQ=MONTHLY;BYMONTHDAY=31", "UTC", "2026-01-31T09:00:00Z", "2026-01-31T09:00:00Z",
     "2026-03-31T09:00:00Z"},
    /* 24: 31 Mar -> April has none -> 31 May */
    {"FREQ=MONTHLY;BYMONTHDAY=31", "UTC", "2026-01-31T09:00:00Z", "2026-03-31T09:00:00Z",
     "2026-05-31T09:00:00Z"},
    /* 25: 31 Jul -> 31 Aug */
    {"FREQ=MONTHLY;BYMONTHDAY=31", "UTC", "2026-01-31T09:00:00Z", "2026-07-31T09:00:00Z",
     "2026-08-31T09:00:00Z"},
    /* 26: plain MONTHLY from the 31st skips the same months */
    {"FREQ=MONTHLY", "UTC", "2026-01-31T09:00:00Z", "2026-01-31T09:00:00Z", "2026-03-31T09:00:00Z"},
    /* 27: 31 Jan 09:00 CET -> 31 Mar 09:00 CEST */
    {"FREQ=MONTHLY;BYMONTHDAY=31", BER, "2026-01-31T08:00:00Z", "2026-01-31T08:00:00Z",
     "2026-03-31T07:00:00Z"},
    /* 28: the last day: 31 Jan -> 28 Feb */
    {"FREQ=MONTHLY;BYMONTHDAY=-1", "UTC", "2026-01-31T09:00:00Z", "2026-01-31T09:00:00Z",
     "2026-02-28T09:00:00Z"},
    /* 29: the second-to-last day: 30 Jan -> 27 Feb */
    {"FREQ=MONTHLY;BYMONTHDAY=-2", "UTC", "2026-01-30T09:00:00Z", "2026-01-30T09:00:00Z",
     "2026-02-27T09:00:00Z"},
    /* 30: first and last day: 1 Jan -> 31 Jan */
    {"FREQ=MONTHLY;BYMONTHDAY=1,-1", "UTC", "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z",
     "2026-01-31T09:00:00Z"},
    /* 31: 31 Jan -> 1 Feb */
    {"FREQ=MONTHLY;BYMONTHDAY=1,-1", "UTC", "2026-01-01T09:00:00Z", "2026-01-31T09:00:00Z",
     "2026-02-01T09:00:00Z"},

    /* ---- last weekday, ordinals, BYSETPOS ---- */
    /* 32: last Friday 18:00 CET: 27 Feb -> 27 Mar 18:00 CET (DST starts on the 29th) */
    {"FREQ=MONTHLY;BYDAY=-1FR", BER, "2026-02-27T17:00:00Z", "2026-02-27T17:00:00Z",
     "2026-03-27T17:00:00Z"},
    /* 33: -> 24 Apr 18:00 CEST */
    {"FREQ=MONTHLY;BYDAY=-1FR", BER, "2026-02-27T17:00:00Z", "2026-03-27T17:00:00Z",
     "2026-04-24T16:00:00Z"},
    /* 34: last weekday: Fri 30 Jan -> Fri 27 Feb (28th is a Saturday) */
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "UTC", "2026-01-30T09:00:00Z",
     "2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z"},
    /* 35: -> Tue 31 Mar */
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "UTC", "2026-01-30T09:00:00Z",
     "2026-02-27T09:00:00Z", "2026-03-31T09:00:00Z"},
    /* 36: after 30 Apr -> Fri 29 May (31st is a Sunday) */
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "UTC", "2026-01-30T09:00:00Z",
     "2026-04-30T09:00:00Z", "2026-05-29T09:00:00Z"},
    /* 37: first weekday: 1 Aug is a Saturday -> Mon 3 Aug */
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1", "UTC", "2026-07-01T09:00:00Z",
     "2026-07-01T09:00:00Z", "2026-08-03T09:00:00Z"},
    /* 38: second-to-last weekday: Thu 29 Jan -> Thu 26 Feb */
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "UTC", "2026-01-29T09:00:00Z",
     "2026-01-29T09:00:00Z", "2026-02-26T09:00:00Z"},
    /* 39: second of Tuesdays/Thursdays: Tue 6 Jan -> Thu 5 Feb (Tue 3, Thu 5) */
    {"FREQ=MONTHLY;BYDAY=TU,TH;BYSETPOS=2", "UTC", "2026-01-06T09:00:00Z", "2026-01-06T09:00:00Z",
     "2026-02-05T09:00:00Z"},
    /* 40: second Monday: 12 Jan -> 9 Feb */
    {"FREQ=MONTHLY;BYDAY=2MO", "UTC", "2026-01-12T09:00:00Z", "2026-01-12T09:00:00Z",
     "2026-02-09T09:00:00Z"},
    /* 41: last Sunday of October 10:00 CET: 25 Oct 2026 -> 31 Oct 2027 10:00 CET */
    {"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", BER, "2026-10-25T09:00:00Z", "2026-10-25T09:00:00Z",
     "2027-10-31T09:00:00Z"},

    /* ---- COUNT and UNTIL ---- */
    /* 42: COUNT=3 from 1 Jan: the 3rd is 3 Jan */
    {"FREQ=DAILY;COUNT=3", "UTC", "2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z",
     "2026-01-03T09:00:00Z"},
    /* 43: after the 3rd: ended */
    {"FREQ=DAILY;COUNT=3", "UTC", "2026-01-01T09:00:00Z", "2026-01-03T09:00:00Z", ENDED},
    /* 44: before dtstart: dtstart is the first occurrence */
    {"FREQ=DAILY;COUNT=3", "UTC", "2026-01-01T09:00:00Z", "2025-12-31T00:00:00Z",
     "2026-01-01T09:00:00Z"},
    /* 45: a dtstart (Wed 7 Jan) off the rule is not counted: Mon 12, Mon 19 */
    {"FREQ=WEEKLY;BYDAY=MO;COUNT=2", "UTC", "2026-01-07T09:00:00Z", "2026-01-12T09:00:00Z",
     "2026-01-19T09:00:00Z"},
    /* 46: ... and then ended */
    {"FREQ=WEEKLY;BYDAY=MO;COUNT=2", "UTC", "2026-01-07T09:00:00Z", "2026-01-19T09:00:00Z", ENDED},
    /* 47: UNTIL equal to an occurrence includes it */
    {"FREQ=DAILY;UNTIL=20260105T090000Z", "UTC", "2026-01-01T09:00:00Z", "2026-01-04T09:00:00Z",
     "2026-01-05T09:00:00Z"},
    /* 48: ... and nothing after it */
    {"FREQ=DAILY;UNTIL=20260105T090000Z", "UTC", "2026-01-01T09:00:00Z", "2026-01-05T09:00:00Z",
     ENDED},
    /* 49: UNTIL a second before the occurrence excludes it */
    {"FREQ=DAILY;UNTIL=20260105T085959Z", "UTC", "2026-01-01T09:00:00Z", "2026-01-04T09:00:00Z",
     ENDED},
    /* 50: UNTIL as a DATE includes that local day: 5 Jan 09:00 CET */
    {"FREQ=DAILY;UNTIL=20260105", BER, "2026-01-01T08:00:00Z", "2026-01-04T08:00:00Z",
     "2026-01-05T08:00:00Z"},
    /* 51: ... and nothing after it */
    {"FREQ=DAILY;UNTIL=20260105", BER, "2026-01-01T08:00:00Z", "2026-01-05T08:00:00Z", ENDED},
    /* 52: UNTIL (UTC) equal to 30 Mar 09:00 CEST */
    {"FREQ=DAILY;UNTIL=20260330T070000Z", BER, "2026-03-27T08:00:00Z", "2026-03-29T07:00:00Z",
     "2026-03-30T07:00:00Z"},
    /* 53: COUNT=5 on the 31st: Jan, Mar, May, Jul, Aug -> the 5th is 31 Aug */
    {"FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5", "UTC", "2026-01-31T09:00:00Z", "2026-07-31T09:00:00Z",
     "2026-08-31T09:00:00Z"},
    /* 54: ... and then ended */
    {"FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5", "UTC", "2026-01-31T09:00:00Z", "2026-08-31T09:00:00Z",
     ENDED},

    /* ---- INTERVAL > 1 ---- */
    /* 55: every 2 weeks on Friday 17:00 CET: 2 Jan -> 16 Jan */
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", BER, "2026-01-02T16:00:00Z", "2026-01-02T16:00:00Z",
     "2026-01-16T16:00:00Z"},
    /* 56: Fri 20 Mar is off-phase -> Fri 27 Mar 17:00 CET */
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", BER, "2026-01-02T16:00:00Z", "2026-03-20T16:00:00Z",
     "2026-03-27T16:00:00Z"},
    /* 57: -> Fri 10 Apr 17:00 CEST */
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", BER, "2026-01-02T16:00:00Z", "2026-03-27T16:00:00Z",
     "2026-04-10T15:00:00Z"},
    /* 58: every 3 days from 1 Jan: day 363 is 30 Dec, day 366 is 2 Jan 2027 */
    {"FREQ=DAILY;INTERVAL=3", "UTC", "2026-01-01T09:00:00Z", "2026-12-31T00:00:00Z",
     "2027-01-02T09:00:00Z"},
    /* 59: every 5 hours from 6 Jan 09:00: +73 h after, next at +75 h */
    {"FREQ=HOURLY;INTERVAL=5", "UTC", "2026-01-06T09:00:00Z", "2026-01-09T10:00:00Z",
     "2026-01-09T12:00:00Z"},
    /* 60: +9151 h after, next at +9155 h */
    {"FREQ=HOURLY;INTERVAL=5", "UTC", "2026-01-06T09:00:00Z", "2027-01-22T16:00:00Z",
     "2027-01-22T20:00:00Z"},
    /* 61: every 2 months on the last day: 31 Jan -> 31 Mar */
    {"FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1", "UTC", "2026-01-31T09:00:00Z", "2026-01-31T09:00:00Z",
     "2026-03-31T09:00:00Z"},
    /* 62: every 2 years from 2026: 2030 is past, 2032 */
    {"FREQ=YEARLY;INTERVAL=2", "UTC", "2026-06-15T09:00:00Z", "2031-01-01T00:00:00Z",
     "2032-06-15T09:00:00Z"},

    /* ---- WKST: the RFC 5545 example, from Tue 5 Aug 1997 09:00 EDT ---- */
    /* 63..66 WKST=MO: 5, 10, 19, 24 Aug */
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", NYC, "1997-08-05T13:00:00Z",
     "1997-08-05T13:00:00Z", "1997-08-10T13:00:00Z"},
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", NYC, "1997-08-05T13:00:00Z",
     "1997-08-10T13:00:00Z", "1997-08-19T13:00:00Z"},
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", NYC, "1997-08-05T13:00:00Z",
     "1997-08-19T13:00:00Z", "1997-08-24T13:00:00Z"},
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", NYC, "1997-08-05T13:00:00Z",
     "1997-08-24T13:00:00Z", ENDED},
    /* 67..70 WKST=SU: 5, 17, 19, 31 Aug */
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", NYC, "1997-08-05T13:00:00Z",
     "1997-08-05T13:00:00Z", "1997-08-17T13:00:00Z"},
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", NYC, "1997-08-05T13:00:00Z",
     "1997-08-17T13:00:00Z", "1997-08-19T13:00:00Z"},
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", NYC, "1997-08-05T13:00:00Z",
     "1997-08-19T13:00:00Z", "1997-08-31T13:00:00Z"},
    {"FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", NYC, "1997-08-05T13:00:00Z",
     "1997-08-31T13:00:00Z", ENDED},
    /* 71: without COUNT, WKST=MO weeks Mon 1..7 Sep: Tue 2 -> Sun 7 Sep 09:00 EDT */
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO", NYC, "1997-08-05T13:00:00Z",
     "1997-09-02T13:00:00Z", "1997-09-07T13:00:00Z"},
    /* 72: WKST=SU weeks Sun 31 Aug..6 Sep, then 14..20 Sep: Tue 2 -> Sun 14 Sep */
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU", NYC, "1997-08-05T13:00:00Z",
     "1997-09-02T13:00:00Z", "1997-09-14T13:00:00Z"},
};

Test(recur, table_of_hand_checked_occurrences)
{
    size_t n = sizeof next_cases / sizeof next_cases[0];
    cr_assert_geq(n, 60);
    for (size_t i = 0; i < n; i++) {
        const struct next_case *c = &next_cases[i];
        int64_t next = -1;
        int rc = recur_next(c->rule, c->tz, at(c->dtstart), at(c->after), &next);
        char got[TIME_RFC3339_MAX] = "-";
        if (rc == RECUR_NEXT)
            time_format_rfc3339(next, got);
        if (c->want == ENDED)
            cr_expect_eq(rc, RECUR_ENDED, "case %zu %s: got rc %d %s", i, c->rule, rc, got);
        else
            cr_expect(rc == RECUR_NEXT && next == at(c->want), "case %zu %s: want %s, got rc %d %s",
                      i, c->rule, c->want, rc, got);
    }
}

Test(recur, occurrences_are_whole_seconds_after_a_millisecond_after)
{
    int64_t next;
    /* 09:00:00.500 is after the 09:00:00 occurrence. */
    cr_assert_eq(recur_next("FREQ=DAILY", "UTC", at("2026-01-01T09:00:00Z"),
                            at("2026-01-02T09:00:00.500Z"), &next),
                 RECUR_NEXT);
    cr_assert_eq(next, at("2026-01-03T09:00:00Z"));
    cr_assert_eq(recur_next("FREQ=DAILY", "UTC", at("2026-01-01T09:00:00Z"),
                            at("2026-01-02T08:59:59.999Z"), &next),
                 RECUR_NEXT);
    cr_assert_eq(next, at("2026-01-02T09:00:00Z"));
}

Test(recur, bad_rule_or_zone_fails_and_leaves_output)
{
    int64_t next = 7;
    cr_assert_eq(recur_next("FREQ=SOMETIMES", "UTC", 0, 0, &next), -1);
    cr_assert_eq(recur_next("FREQ=MINUTELY", "UTC", 0, 0, &next), -1);
    cr_assert_eq(recur_next(NULL, "UTC", 0, 0, &next), -1);
    cr_assert_eq(recur_next("FREQ=DAILY", "Mars/Olympus", 0, 0, &next), -1);
    cr_assert_eq(recur_next("FREQ=DAILY", NULL, 0, 0, &next), -1);
    cr_assert_eq(recur_successor("FREQ=DAILY", true, "Mars/Olympus", 0, 0, 0, 0, &next), -1);
    cr_assert_eq(next, 7);
}

Test(recur, presets_are_accepted)
{
    int64_t next;
    /* "weekdays" from Fri 2 Jan 2026 09:00 -> Mon 5 Jan */
    cr_assert_eq(recur_next("weekdays", "UTC", at("2026-01-02T09:00:00Z"),
                            at("2026-01-02T09:00:00Z"), &next),
                 RECUR_NEXT);
    cr_assert_eq(next, at("2026-01-05T09:00:00Z"));
}

/* rrule_normalize refuses a rule whose pattern never produces a date (libical would search
 * for centuries on every call), so the engine never iterates one */
Test(recur, a_rule_that_never_matches_is_refused)
{
    int64_t next;
    cr_assert_eq(recur_next("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "UTC",
                            at("2026-01-01T09:00:00Z"), at("2026-01-01T09:00:00Z"), &next),
                 -1);
    cr_assert_eq(recur_next("FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31", "UTC",
                            at("2026-01-01T09:00:00Z"), at("2026-01-01T09:00:00Z"), &next),
                 -1);
    /* rare but real: Feb 29 on a Monday (next: 2044) */
    cr_assert_eq(recur_next("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "UTC",
                            at("2026-01-01T09:00:00Z"), at("2026-01-01T09:00:00Z"), &next),
                 RECUR_NEXT);
    cr_assert_eq(next, at("2044-02-29T09:00:00Z"));
}

/* Without COUNT the iteration jumps ahead; with COUNT=1000 it walks from dtstart. Both must
 * give the same occurrences while the count lasts. */
Test(recur, jumping_ahead_gives_the_same_occurrences_as_walking)
{
    static const char *const rules[] = {
        "FREQ=HOURLY;INTERVAL=5",
        "FREQ=HOURLY;INTERVAL=7;BYDAY=MO,FR",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=DAILY;BYDAY=SA,SU",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
        "FREQ=WEEKLY;INTERVAL=3",
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYDAY=2MO",
        "FREQ=YEARLY;INTERVAL=2",
    };
    static const char *const zones[] = {"UTC", BER, NYC};
    int64_t start = at("2026-01-06T09:30:00Z");
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        char counted[128];
        snprintf(counted, sizeof counted, "%s;COUNT=1000", rules[r]);
        for (size_t z = 0; z < 3; z++) {
            int64_t after = start;
            for (int k = 0; k < 40; k++) {
                after += (int64_t)(k * 7 + r) * 3600000LL * 11;
                int64_t a = 0, b = 0;
                int rc_a = recur_next(rules[r], zones[z], start, after, &a);
                int rc_b = recur_next(counted, zones[z], start, after, &b);
                if (rc_b == RECUR_ENDED)
                    break;
                cr_assert_eq(rc_a, RECUR_NEXT, "%s %s", rules[r], zones[z]);
                cr_assert_eq(a, b, "%s %s after %lld", rules[r], zones[z], (long long)after);
            }
        }
    }
}

/* ---- recur_successor ---- */

struct succ_case {
    const char *rule, *tz;
    bool from_completion;
    const char *series_start, *due, *completed, *now;
    const char *want;
};

static const struct succ_case succ_cases[] = {
    /* 0: due mode, ten days late: no flood, next after now: 11 Jan 09:00 */
    {"FREQ=DAILY", "UTC", false, "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z",
     "2026-01-10T12:00:00Z", "2026-01-10T12:00:00Z", "2026-01-11T09:00:00Z"},
    /* 1: due mode on time: the next after due */
    {"FREQ=DAILY", "UTC", false, "2026-01-01T09:00:00Z", "2026-01-05T09:00:00Z",
     "2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z", "2026-01-06T09:00:00Z"},
    /* 2: due mode late, but today's 09:00 is still ahead of now (08:00) */
    {"FREQ=DAILY", "UTC", false, "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z",
     "2026-01-10T08:00:00Z", "2026-01-10T08:00:00Z", "2026-01-10T09:00:00Z"},
    /* 3: due mode, completed early: the next after due, even though now is earlier */
    {"FREQ=DAILY", "UTC", false, "2026-01-01T09:00:00Z", "2026-01-05T09:00:00Z",
     "2026-01-03T10:00:00Z", "2026-01-03T10:00:00Z", "2026-01-06T09:00:00Z"},
    /* 4: due mode, COUNT=3 all in the past by now: ended */
    {"FREQ=DAILY;COUNT=3", "UTC", false, "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z",
     "2026-01-10T12:00:00Z", "2026-01-10T12:00:00Z", ENDED},
    /* 5: due mode, the last of COUNT=3: ended */
    {"FREQ=DAILY;COUNT=3", "UTC", false, "2026-01-01T09:00:00Z", "2026-01-03T09:00:00Z",
     "2026-01-03T10:00:00Z", "2026-01-03T10:00:00Z", ENDED},
    /* 6: due mode, Thu 26 Mar 09:00 CET -> Mon 30 Mar 09:00 CEST */
    {"FREQ=WEEKLY;BYDAY=MO,TH", BER, false, "2026-03-23T08:00:00Z", "2026-03-26T08:00:00Z",
     "2026-03-26T12:00:00Z", "2026-03-26T12:00:00Z", "2026-03-30T07:00:00Z"},
    /* 7: completion: every 3 days, done 5 Jan 15:00 -> 8 Jan 09:00 */
    {"FREQ=DAILY;INTERVAL=3", "UTC", true, "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z",
     "2026-01-05T15:00:00Z", "2026-01-05T15:00:00Z", "2026-01-08T09:00:00Z"},
    /* 8: completion before the day's 09:00: that day is done, next 6 Jan 09:00 */
    {"FREQ=DAILY", "UTC", true, "2026-01-01T09:00:00Z", "2026-01-05T09:00:00Z",
     "2026-01-05T07:00:00Z", "2026-01-05T07:00:00Z", "2026-01-06T09:00:00Z"},
    /* 9: completion Tue 31 Mar 12:00 CEST -> Thu 2 Apr 09:00 CEST */
    {"FREQ=WEEKLY;BYDAY=MO,TH", BER, true, "2026-03-23T08:00:00Z", "2026-03-23T08:00:00Z",
     "2026-03-31T10:00:00Z", "2026-03-31T10:00:00Z", "2026-04-02T07:00:00Z"},
    /* 10: completion keeps 09:00 local across DST: Sat 28 Mar 21:00 CET -> 29 Mar 09:00 CEST */
    {"FREQ=DAILY", BER, true, "2026-03-20T08:00:00Z", "2026-03-28T08:00:00Z",
     "2026-03-28T20:00:00Z", "2026-03-28T20:00:00Z", "2026-03-29T07:00:00Z"},
    /* 11: completion at 22:00 EST on 5 Jan (03:00Z on the 6th): local date 5 Jan -> 6 Jan
     * 09:00 EST */
    {"FREQ=DAILY", NYC, true, "2026-01-01T14:00:00Z", "2026-01-05T14:00:00Z",
     "2026-01-06T03:00:00Z", "2026-01-06T03:00:00Z", "2026-01-06T14:00:00Z"},
    /* 12: completion, COUNT=3 (1..3 Jan): done on 2 Jan -> 3 Jan, within the count */
    {"FREQ=DAILY;COUNT=3", "UTC", true, "2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z",
     "2026-01-02T10:00:00Z", "2026-01-02T10:00:00Z", "2026-01-03T09:00:00Z"},
    /* 13: completion of the last of COUNT=3: ended */
    {"FREQ=DAILY;COUNT=3", "UTC", true, "2026-01-01T09:00:00Z", "2026-01-03T09:00:00Z",
     "2026-01-03T08:00:00Z", "2026-01-03T08:00:00Z", ENDED},
    /* 14: completion late, past the COUNT's last instant (3 Jan): ended */
    {"FREQ=DAILY;COUNT=3", "UTC", true, "2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z",
     "2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z", ENDED},
    /* 15: completion, weekly re-anchored on Tue 20 Jan -> Tue 27 Jan, before UNTIL */
    {"FREQ=WEEKLY;UNTIL=20260131T235959Z", "UTC", true, "2026-01-02T09:00:00Z",
     "2026-01-16T09:00:00Z", "2026-01-20T10:00:00Z", "2026-01-20T10:00:00Z",
     "2026-01-27T09:00:00Z"},
    /* 16: completion on Wed 28 Jan -> Wed 4 Feb is past UNTIL: ended */
    {"FREQ=WEEKLY;UNTIL=20260131T235959Z", "UTC", true, "2026-01-02T09:00:00Z",
     "2026-01-23T09:00:00Z", "2026-01-28T10:00:00Z", "2026-01-28T10:00:00Z", ENDED},
    /* 17: completion on 2 Feb of a rule on the 31st -> 31 Mar */
    {"FREQ=MONTHLY;BYMONTHDAY=31", "UTC", true, "2026-01-31T09:00:00Z", "2026-01-31T09:00:00Z",
     "2026-02-02T10:00:00Z", "2026-02-02T10:00:00Z", "2026-03-31T09:00:00Z"},
};

Test(recur, successor_in_both_modes)
{
    for (size_t i = 0; i < sizeof succ_cases / sizeof succ_cases[0]; i++) {
        const struct succ_case *c = &succ_cases[i];
        int64_t next = -1;
        int rc = recur_successor(c->rule, c->from_completion, c->tz, at(c->series_start),
                                 at(c->due), at(c->completed), at(c->now), &next);
        char got[TIME_RFC3339_MAX] = "-";
        if (rc == RECUR_NEXT)
            time_format_rfc3339(next, got);
        if (c->want == ENDED)
            cr_expect_eq(rc, RECUR_ENDED, "case %zu %s: got rc %d %s", i, c->rule, rc, got);
        else
            cr_expect(rc == RECUR_NEXT && next == at(c->want), "case %zu %s: want %s, got rc %d %s",
                      i, c->rule, c->want, rc, got);
    }
}

/* ---- recur_text ---- */

struct text_case {
    const char *rule, *tz, *dtstart; /* dtstart NULL: no time shown */
    const char *want;
};

static const struct text_case text_cases[] = {
    {"FREQ=DAILY", BER, "2026-03-27T08:00:00Z", "every day at 09:00"},
    {"weekdays", NYC, "2026-01-05T13:30:00Z", "every weekday at 08:30"},
    {"FREQ=WEEKLY;BYDAY=MO,TH", BER, "2026-03-23T08:00:00Z", "every Monday and Thursday at 09:00"},
    {"FREQ=WEEKLY;BYDAY=MO,WE,FR", "UTC", "2026-01-05T07:15:00Z",
     "every Monday, Wednesday and Friday at 07:15"},
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", BER, "2026-01-02T16:00:00Z",
     "every 2 weeks on Friday at 17:00"},
    {"FREQ=WEEKLY", BER, "2026-01-02T16:00:00Z", "every Friday at 17:00"},
    {"FREQ=MONTHLY;BYMONTHDAY=1", "UTC", "2026-01-01T09:00:00Z", "every month on day 1 at 09:00"},
    {"FREQ=MONTHLY;BYDAY=-1FR", BER, "2026-02-27T17:00:00Z",
     "every month on the last Friday at 18:00"},
    {"FREQ=MONTHLY;BYMONTHDAY=-1", "UTC", NULL, "every month on the last day"},
    {"FREQ=MONTHLY;BYMONTHDAY=1,15", "UTC", NULL, "every month on days 1 and 15"},
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "UTC", NULL,
     "every month on the last weekday"},
    {"FREQ=MONTHLY;BYDAY=2MO", "UTC", NULL, "every month on the second Monday"},
    {"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", "UTC", NULL, "every 3 months on day 15"},
    {"FREQ=MONTHLY", "UTC", "2026-01-31T09:00:00Z", "every month on day 31 at 09:00"},
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "UTC", NULL, "every year on 29 February"},
    {"FREQ=YEARLY", "UTC", "2028-02-29T09:00:00Z", "every year on 29 February at 09:00"},
    {"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "UTC", NULL, "every year on the last Sunday of October"},
    {"FREQ=HOURLY;INTERVAL=2", "UTC", "2026-01-01T09:00:00Z", "every 2 hours"},
    {"FREQ=DAILY;INTERVAL=3", "UTC", NULL, "every 3 days"},
    {"FREQ=DAILY;COUNT=5", "UTC", "2026-01-01T09:00:00Z", "every day at 09:00, 5 times"},
    {"FREQ=DAILY;COUNT=1", "UTC", NULL, "every day, once"},
    {"FREQ=DAILY;UNTIL=20270131", BER, "2026-01-01T08:00:00Z",
     "every day at 09:00, until 2027-01-31"},
    /* 22:59:59Z is 23:59:59 CET on 31 Jan */
    {"FREQ=WEEKLY;BYDAY=MO;UNTIL=20270131T225959Z", BER, NULL, "every Monday, until 2027-01-31"},
    {"FREQ=DAILY;BYMONTH=6,7", "UTC", NULL, "every day in June and July"},
};

Test(recur, text_in_plain_english)
{
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        const struct text_case *c = &text_cases[i];
        char out[128];
        int64_t start = c->dtstart ? at(c->dtstart) : -1;
        size_t len = recur_text(c->rule, c->tz, start, out, sizeof out);
        cr_expect_str_eq(out, c->want, "case %zu %s", i, c->rule);
        cr_expect_eq(len, strlen(out), "case %zu", i);
    }
}

Test(recur, text_truncates_and_refuses_bad_rules)
{
    char out[6];
    cr_assert_eq(recur_text("FREQ=DAILY", "UTC", -1, out, sizeof out), 5);
    cr_assert_str_eq(out, "every");
    char big[64] = "x";
    cr_assert_eq(recur_text("FREQ=NEVER", "UTC", -1, big, sizeof big), 0);
    cr_assert_str_eq(big, "");
}

static void *next_many(void *arg)
{
    const char *zone = arg;
    int64_t start = 1767258000000LL; /* 2026-01-01T09:00:00Z */
    for (int i = 0; i < 200; i++) {
        int64_t next;
        if (recur_next("FREQ=WEEKLY;BYDAY=MO,TH", zone, start, start + i * 86400000LL, &next) !=
            RECUR_NEXT)
            return (void *)1;
    }
    return NULL;
}

Test(recur, is_safe_from_several_threads)
{
    static const char *const zones[] = {BER, NYC, "Asia/Tokyo", "Australia/Sydney"};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, next_many, (void *)zones[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *res;
        pthread_join(th[i], &res);
        cr_assert_null(res);
    }
}
