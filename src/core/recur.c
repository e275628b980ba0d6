/* recur.c - the recurrence engine: next occurrences of an RFC 5545 RRULE in the user's IANA
 * zone, and the rule in plain English.
 *
 * The one idea: libical iterates in *floating* local wall-clock time and this module alone
 * turns each local occurrence into a UTC instant. dtstart is handed to the iterator without
 * a zone (libical's iterator, given a zoned dtstart, moves a time that falls into a DST gap
 * and then keeps the moved time for every later occurrence), so "every day at 09:00" is
 * 09:00 local on every day, and months without the named day (the 31st, Feb 29) are skipped
 * by libical as RFC 5545 says.
 *
 * Local -> UTC (local_to_utc): a time that exists once uses its offset; an ambiguous time
 * (the repeated hour when clocks go back) takes the first instant, i.e. the offset before the
 * change; a time inside a spring-forward gap uses the offset before the gap (RFC 5545 3.3.5),
 * so 02:30 on the day Berlin jumps from 02:00 to 03:00 is 03:30 CEST.
 *
 * COUNT and UNTIL are taken out of the rule given to libical and applied here, on the
 * occurrences the rule generates from dtstart: dtstart is an occurrence only if it matches
 * the rule (libical 3.0 skips a dtstart that does not), COUNT=n ends the series after the
 * n-th occurrence, UNTIL as a UTC date-time includes an occurrence at exactly that instant,
 * UNTIL as a floating date-time is compared in local time, and UNTIL as a DATE includes
 * the whole local day it names (libical would stop at its midnight).
 *
 * Without COUNT the iteration does not walk from dtstart: for HOURLY, DAILY and WEEKLY it
 * starts at dtstart moved forward by whole multiples of 7*INTERVAL days, for MONTHLY and
 * YEARLY by whole multiples of INTERVAL years (only when dtstart's day is at most 28), which
 * keeps the phase of the rule (INTERVAL, WKST, the weekday) and leaves the occurrences after
 * the new start unchanged. (libical's icalrecur_iterator_set_start loses the phase of
 * HOURLY;INTERVAL=n, so it is not used.) With COUNT (at most 1000) the walk is short.
 *
 * recur_successor's two modes:
 *   due: the first occurrence after due_ms; if that is before now_ms, the first one after
 *     now_ms instead (skipped occurrences are gone; if none is left, RECUR_ENDED).
 *   completion: re-anchored. The new series starts at the local date of completed_at (in tz)
 *     with due_ms's local time of day, under the same rule (so INTERVAL and weekly phases
 *     restart there, and a MONTHLY/YEARLY rule without BY-day parts takes the completion's
 *     day). The successor is its first occurrence strictly after both that anchor and
 *     completed_at: an occurrence on the completion's own local day is never the successor,
 *     since that day's work is what was just done. COUNT and UNTIL still belong to the series
 *     from series_start_ms: UNTIL bounds the successor as usual, and COUNT=n bounds it by the
 *     instant of the n-th occurrence of the series from series_start_ms (and if due_ms is at
 *     or after that instant, the series has ended).
 *
 * Thread-safety: every call into libical that touches a time zone runs under one mutex
 * shared with tz.c (core/tz_internal.h: libical loads built-in zones lazily and extends their
 * offset tables on demand); the iterator itself only sees floating times. */
#include "core/recur.h"
#include "core/tz_internal.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/rrule.h"

#define RECUR_RULE_MAX  512
#define RECUR_TZ_MAX    64
#define RECUR_MAX_STEPS 1000000
#define RECUR_DAY_SECS  86400LL

enum until_kind { UNTIL_NONE, UNTIL_INSTANT, UNTIL_LOCAL, UNTIL_DATE };

/* A parsed rule with COUNT and UNTIL taken out, in a zone. */
struct series {
    struct icalrecurrencetype rt; /* count 0, until null */
    icaltimezone *zone;
    int count;                  /* 0: none */
    enum until_kind until_kind; /* how until / until_secs apply */
    struct icaltimetype until;  /* floating: a local date-time or a date */
    int64_t until_secs;         /* UNTIL_INSTANT */
};

/* ---- time helpers --------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* A floating local time as if it were UTC: seconds since the epoch of the wall clock. */
static int64_t wall_secs(struct icaltimetype t)
{
    return days_from_civil(t.year, t.month, t.day) * RECUR_DAY_SECS + t.hour * 3600LL +
           t.minute * 60LL + t.second;
}

static int64_t ms_to_secs(int64_t ms)
{
    return floor_div(ms, 1000);
}

static bool is_utc_name(const char *name)
{
    return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0;
}

/* The zone for name, or NULL. Call with recur_lock held. Same rules as tz.c. */
static icaltimezone *zone_get(const char *name)
{
    if (!name)
        return NULL;
    if (is_utc_name(name))
        return icaltimezone_get_utc_timezone();
    size_t len = strlen(name);
    if (len == 0 || len >= RECUR_TZ_MAX)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return NULL;
    }
    return icaltimezone_get_builtin_timezone(name);
}

/* The UTC offset (seconds east) in zone at the instant secs. Call with recur_lock held. */
static int offset_at(icaltimezone *zone, int64_t secs)
{
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    if (zone == utc)
        return 0;
    struct icaltimetype t = icaltime_from_timet_with_zone((time_t)secs, 0, utc);
    int is_daylight = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &t, &is_daylight);
}

/* The floating local wall-clock time of the instant secs. Call with recur_lock held. */
static struct icaltimetype local_of(icaltimezone *zone, int64_t secs)
{
    struct icaltimetype t = icaltime_from_timet_with_zone((time_t)secs, 0, zone);
    t.zone = NULL;
    t.is_daylight = 0;
    return t;
}

/* The instant of a floating local time (see the file comment for gaps and overlaps). Call
 * with recur_lock held. */
static int64_t local_to_utc(icaltimezone *zone, struct icaltimetype local)
{
    int64_t wall = wall_secs(local);
    int before = offset_at(zone, wall - RECUR_DAY_SECS);
    int after = offset_at(zone, wall + RECUR_DAY_SECS);
    if (before == after)
        return wall - before;
    int64_t t_before = wall - before, t_after = wall - after;
    bool ok_before = offset_at(zone, t_before) == before;
    bool ok_after = offset_at(zone, t_after) == after;
    if (ok_before && ok_after)
        return t_before < t_after ? t_before : t_after;
    if (ok_after && !ok_before)
        return t_after;
    return t_before; /* valid only before, or a gap: the offset before the gap */
}

/* ---- series --------------------------------------------------------------------------- */

/* Parses rule (validated by rrule_normalize first) into s. Returns 0 or -1. */
static int series_parse(const char *rrule, struct series *s)
{
    char canon[RECUR_RULE_MAX];
    struct todo_err err = {0};
    if (!rrule || rrule_normalize(rrule, canon, sizeof canon, &err) != 0)
        return -1;
    icalerror_clear_errno();
    struct icalrecurrencetype rt = icalrecurrencetype_from_string(canon);
    if (icalerrno != ICAL_NO_ERROR || rt.freq == ICAL_NO_RECURRENCE) {
        icalerror_clear_errno();
        return -1;
    }
    memset(s, 0, sizeof *s);
    s->count = rt.count;
    s->until_kind = UNTIL_NONE;
    if (!icaltime_is_null_time(rt.until)) {
        if (rt.until.is_date) {
            s->until_kind = UNTIL_DATE;
        } else if (icaltime_is_utc(rt.until)) {
            s->until_kind = UNTIL_INSTANT;
            s->until_secs = wall_secs(rt.until);
        } else {
            s->until_kind = UNTIL_LOCAL;
        }
        s->until = rt.until;
        s->until.zone = NULL;
    }
    rt.count = 0;
    rt.until = icaltime_null_time();
    s->rt = rt;
    return 0;
}

/* True when the occurrence (local, at secs) is past UNTIL. */
static bool series_past_until(const struct series *s, struct icaltimetype local, int64_t secs)
{
    switch (s->until_kind) {
    case UNTIL_INSTANT:
        return secs > s->until_secs;
    case UNTIL_LOCAL:
        return icaltime_compare(local, s->until) > 0;
    case UNTIL_DATE:
        return icaltime_compare_date_only(local, s->until) > 0;
    default:
        return false;
    }
}

/* Where to start iterating for an occurrence after the local time `after` (see the file
 * comment). Never before dtstart; dtstart itself with COUNT. */
static struct icaltimetype series_jump(const struct series *s, struct icaltimetype dtstart,
                                       struct icaltimetype after)
{
    if (s->count > 0)
        return dtstart;
    int interval = s->rt.interval > 0 ? s->rt.interval : 1;
    switch (s->rt.freq) {
    case ICAL_HOURLY_RECURRENCE:
    case ICAL_DAILY_RECURRENCE:
    case ICAL_WEEKLY_RECURRENCE: {
        int64_t period = 7LL * interval;
        int64_t days = days_from_civil(after.year, after.month, after.day) -
                       days_from_civil(dtstart.year, dtstart.month, dtstart.day);
        int64_t k = days / period - 1;
        if (k > 0)
            icaltime_adjust(&dtstart, (int)(k * period), 0, 0, 0);
        return dtstart;
    }
    case ICAL_MONTHLY_RECURRENCE:
    case ICAL_YEARLY_RECURRENCE: {
        if (dtstart.day > 28)
            return dtstart;
        int64_t k = (after.year - dtstart.year) / interval - 1;
        if (k > 0)
            dtstart.year += (int)(k * interval);
        return dtstart;
    }
    default:
        return dtstart;
    }
}

/* The first occurrence of s (series from local dtstart) strictly after after_secs. Returns
 * RECUR_NEXT with *next_secs, or RECUR_ENDED. Call with recur_lock held. */
static int series_next(const struct series *s, struct icaltimetype dtstart, int64_t after_secs,
                       int64_t *next_secs)
{
    struct icaltimetype after_local = local_of(s->zone, after_secs);
    struct icaltimetype start = series_jump(s, dtstart, after_local);
    icalrecur_iterator *it = icalrecur_iterator_new(s->rt, start);
    if (!it)
        return RECUR_ENDED;
    int rc = RECUR_ENDED;
    for (int n = 1; n <= RECUR_MAX_STEPS; n++) {
        struct icaltimetype t = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(t))
            break;
        if (s->count > 0 && n > s->count)
            break;
        t.zone = NULL;
        int64_t secs = local_to_utc(s->zone, t);
        if (series_past_until(s, t, secs))
            break;
        if (secs > after_secs) {
            *next_secs = secs;
            rc = RECUR_NEXT;
            break;
        }
    }
    icalrecur_iterator_free(it);
    return rc;
}

/* The instant of the last occurrence of a COUNT series from dtstart, or RECUR_ENDED when
 * the series has no occurrence at all. Call with recur_lock held. */
static int series_last(const struct series *s, struct icaltimetype dtstart, int64_t *last_secs)
{
    icalrecur_iterator *it = icalrecur_iterator_new(s->rt, dtstart);
    if (!it)
        return RECUR_ENDED;
    int rc = RECUR_ENDED;
    for (int n = 1; n <= s->count; n++) {
        struct icaltimetype t = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(t))
            break;
        t.zone = NULL;
        int64_t secs = local_to_utc(s->zone, t);
        if (series_past_until(s, t, secs))
            break;
        *last_secs = secs;
        rc = RECUR_NEXT;
    }
    icalrecur_iterator_free(it);
    return rc;
}

/* ---- public API ----------------------------------------------------------------------- */

int recur_next(const char *rrule, const char *tz, int64_t dtstart_ms, int64_t after_ms,
               int64_t *next_ms)
{
    struct series s;
    if (series_parse(rrule, &s) != 0)
        return -1;
    int rc = -1;
    pthread_mutex_lock(&tz_libical_lock);
    s.zone = zone_get(tz);
    if (!s.zone)
        goto out_unlock;
    int64_t next;
    rc = series_next(&s, local_of(s.zone, ms_to_secs(dtstart_ms)), ms_to_secs(after_ms), &next);
    /* Occurrences are whole seconds; one in the same second as after_ms but not after it. */
    while (rc == RECUR_NEXT && next * 1000 <= after_ms)
        rc = series_next(&s, local_of(s.zone, ms_to_secs(dtstart_ms)), next, &next);
    if (rc == RECUR_NEXT)
        *next_ms = next * 1000;
out_unlock:
    pthread_mutex_unlock(&tz_libical_lock);
    return rc;
}

static int successor_from_completion(const struct series *s, int64_t series_start_ms,
                                     int64_t due_ms, int64_t completed_at_ms, int64_t *next_ms)
{
    int64_t limit = INT64_MAX;
    if (s->count > 0) {
        int64_t last;
        if (series_last(s, local_of(s->zone, ms_to_secs(series_start_ms)), &last) != RECUR_NEXT)
            return RECUR_ENDED;
        if (ms_to_secs(due_ms) >= last)
            return RECUR_ENDED;
        limit = last;
    }
    struct icaltimetype due_local = local_of(s->zone, ms_to_secs(due_ms));
    struct icaltimetype anchor = local_of(s->zone, ms_to_secs(completed_at_ms));
    anchor.hour = due_local.hour;
    anchor.minute = due_local.minute;
    anchor.second = due_local.second;
    int64_t anchor_secs = local_to_utc(s->zone, anchor);
    int64_t completed = ms_to_secs(completed_at_ms);
    struct series anchored = *s;
    anchored.count = 0; /* the COUNT bound is `limit` */
    int64_t next;
    int rc =
        series_next(&anchored, anchor, completed > anchor_secs ? completed : anchor_secs, &next);
    if (rc != RECUR_NEXT || next > limit)
        return RECUR_ENDED;
    *next_ms = next * 1000;
    return RECUR_NEXT;
}

int recur_successor(const char *rrule, bool from_completion, const char *tz,
                    int64_t series_start_ms, int64_t due_ms, int64_t completed_at_ms,
                    int64_t now_ms, int64_t *next_ms)
{
    if (!from_completion) {
        int64_t next;
        int rc = recur_next(rrule, tz, series_start_ms, due_ms, &next);
        if (rc == RECUR_NEXT && next < now_ms)
            rc = recur_next(rrule, tz, series_start_ms, now_ms, &next);
        if (rc == RECUR_NEXT)
            *next_ms = next;
        return rc;
    }
    struct series s;
    if (series_parse(rrule, &s) != 0)
        return -1;
    int rc = -1;
    pthread_mutex_lock(&tz_libical_lock);
    s.zone = zone_get(tz);
    if (s.zone)
        rc = successor_from_completion(&s, series_start_ms, due_ms, completed_at_ms, next_ms);
    pthread_mutex_unlock(&tz_libical_lock);
    return rc;
}

/* ---- plain words ---------------------------------------------------------------------- */

struct text {
    char buf[RECUR_RULE_MAX];
    size_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    if (t->len >= sizeof t->buf - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof t->buf - t->len ? (size_t)n : sizeof t->buf - 1 - t->len;
}

static const char *const day_names[] = {"",          "Sunday",   "Monday", "Tuesday",
                                        "Wednesday", "Thursday", "Friday", "Saturday"};
static const char *const month_names[] = {"",        "January",  "February", "March",  "April",
                                          "May",     "June",     "July",     "August", "September",
                                          "October", "November", "December"};

static int list_len(const short *list, int size)
{
    int n = 0;
    while (n < size && list[n] != ICAL_RECURRENCE_ARRAY_MAX)
        n++;
    return n;
}

/* Puts the separator before item i of n: "", ", " or " and " (or " or "). */
static void put_sep(struct text *t, int i, int n, const char *last)
{
    if (i > 0)
        put(t, "%s", i == n - 1 ? last : ", ");
}

/* "first", "second", ..., "last", "second-to-last", ... */
static void put_ordinal(struct text *t, int pos)
{
    static const char *const words[] = {"",      "first",   "second", "third", "fourth", "fifth",
                                        "sixth", "seventh", "eighth", "ninth", "tenth"};
    int a = pos < 0 ? -pos : pos;
    if (pos == -1) {
        put(t, "last");
        return;
    }
    if (a <= 10)
        put(t, "%s", words[a]);
    else
        put(t, "%d%s", a,
            (a % 100 >= 11 && a % 100 <= 13) ? "th"
            : a % 10 == 1                    ? "st"
            : a % 10 == 2                    ? "nd"
            : a % 10 == 3                    ? "rd"
                                             : "th");
    if (pos < 0)
        put(t, "-to-last");
}

/* True when by_day is exactly Monday..Friday with no ordinals. */
static bool is_weekdays(const short *by_day, int n)
{
    if (n != 5)
        return false;
    unsigned mask = 0;
    for (int i = 0; i < n; i++) {
        if (icalrecurrencetype_day_position(by_day[i]) != 0)
            return false;
        mask |= 1u << icalrecurrencetype_day_day_of_week(by_day[i]);
    }
    return mask == 0x7cu; /* Monday (2) .. Friday (6) */
}

static bool has_ordinals(const short *by_day, int n)
{
    for (int i = 0; i < n; i++)
        if (icalrecurrencetype_day_position(by_day[i]) != 0)
            return true;
    return false;
}

/* "Monday and Thursday", "the last Friday", "the first Monday and the last Friday". */
static void put_days(struct text *t, const short *by_day, int n, const char *last)
{
    for (int i = 0; i < n; i++) {
        put_sep(t, i, n, last);
        int pos = icalrecurrencetype_day_position(by_day[i]);
        int dow = (int)icalrecurrencetype_day_day_of_week(by_day[i]);
        if (pos != 0) {
            put(t, "the ");
            put_ordinal(t, pos);
            put(t, " ");
        }
        put(t, "%s", dow >= 1 && dow <= 7 ? day_names[dow] : "?");
    }
}

/* "day 1", "days 1 and 15", "the last day", "day 1 and the last day". */
static void put_month_days(struct text *t, const short *md, int n)
{
    int n_pos = 0;
    for (int i = 0; i < n; i++)
        n_pos += md[i] > 0;
    for (int i = 0; i < n; i++) {
        put_sep(t, i, n, " and ");
        if (md[i] > 0) {
            if (i == 0 || md[i - 1] < 0)
                put(t, n_pos > 1 ? "days " : "day ");
            put(t, "%d", md[i]);
        } else {
            put(t, "the ");
            put_ordinal(t, md[i] == -1 ? -1 : md[i]);
            put(t, " day");
        }
    }
}

static void put_months(struct text *t, const short *by_month, int n)
{
    for (int i = 0; i < n; i++) {
        put_sep(t, i, n, " and ");
        int m = icalrecurrencetype_month_month(by_month[i]);
        put(t, "%s", m >= 1 && m <= 12 ? month_names[m] : "?");
    }
}

/* The BYSETPOS + BYDAY phrase: "the last weekday", "the second Monday or Friday". */
static void put_setpos(struct text *t, const struct icalrecurrencetype *rt, int n_pos, int n_day)
{
    for (int i = 0; i < n_pos; i++) {
        put_sep(t, i, n_pos, " and ");
        put(t, "the ");
        put_ordinal(t, rt->by_set_pos[i]);
        put(t, " ");
    }
    if (is_weekdays(rt->by_day, n_day))
        put(t, "weekday");
    else if (n_day > 0)
        put_days(t, rt->by_day, n_day, " or ");
    else
        put(t, "occurrence");
}

static void put_every(struct text *t, int interval, const char *unit)
{
    if (interval > 1)
        put(t, "every %d %ss", interval, unit);
    else
        put(t, "every %s", unit);
}

/* recur_text's state: the rule, its start in the user's zone, and the words so far. */
struct describe {
    struct text t;
    const struct icalrecurrencetype *rt;
    struct icaltimetype start; /* valid when have_start */
    bool have_start;
    int interval, n_day, n_mday, n_month, n_pos;
    bool months_said; /* the months were part of the day ("on 29 February") */
    bool show_time;
};

/* " on " and the BYSETPOS, BYDAY list or start's weekday of a daily or weekly rule. */
static void describe_days_weeks(struct describe *d)
{
    const struct icalrecurrencetype *rt = d->rt;
    bool weekly = rt->freq == ICAL_WEEKLY_RECURRENCE;
    if (d->n_pos == 0 && d->n_day > 0 && !has_ordinals(rt->by_day, d->n_day) && d->interval == 1) {
        if (is_weekdays(rt->by_day, d->n_day)) {
            put(&d->t, "every weekday");
        } else {
            put(&d->t, "every ");
            put_days(&d->t, rt->by_day, d->n_day, " and ");
        }
    } else if (weekly && d->interval == 1 && d->n_day == 0 && d->n_pos == 0 && d->have_start) {
        put(&d->t, "every %s", day_names[icaltime_day_of_week(d->start)]);
    } else {
        put_every(&d->t, d->interval, weekly ? "week" : "day");
        if (d->n_pos > 0) {
            put(&d->t, " on ");
            put_setpos(&d->t, rt, d->n_pos, d->n_day);
        } else if (d->n_day > 0) {
            put(&d->t, " on ");
            put_days(&d->t, rt->by_day, d->n_day, " and ");
        } else if (weekly && d->have_start) {
            put(&d->t, " on %s", day_names[icaltime_day_of_week(d->start)]);
        }
    }
}

static void describe_monthly(struct describe *d)
{
    const struct icalrecurrencetype *rt = d->rt;
    put_every(&d->t, d->interval, "month");
    if (d->n_pos > 0) {
        put(&d->t, " on ");
        put_setpos(&d->t, rt, d->n_pos, d->n_day);
    } else if (d->n_mday > 0) {
        put(&d->t, " on ");
        put_month_days(&d->t, rt->by_month_day, d->n_mday);
        if (d->n_day > 0) {
            put(&d->t, " if a ");
            put_days(&d->t, rt->by_day, d->n_day, " or ");
        }
    } else if (d->n_day > 0) {
        put(&d->t, has_ordinals(rt->by_day, d->n_day) ? " on " : " on every ");
        put_days(&d->t, rt->by_day, d->n_day, " and ");
    } else if (d->have_start) {
        put(&d->t, " on day %d", d->start.day);
    }
}

/* prefix, the numbers joined by " and ", suffix ("on days 1 and 100 of the year"). */
static void put_numbers(struct text *t, const char *prefix, const short *v, int n,
                        const char *suffix)
{
    put(t, "%s%s ", prefix, n > 1 ? "s" : "");
    for (int i = 0; i < n; i++) {
        put_sep(t, i, n, " and ");
        put(t, "%d", v[i]);
    }
    put(t, "%s", suffix);
}

/* A yearly rule's day of the year: a month day with its months, a weekday, a year day, a
 * week number, or start's day. */
static void describe_yearly_day(struct describe *d)
{
    const struct icalrecurrencetype *rt = d->rt;
    int n_yday = list_len(rt->by_year_day, ICAL_BY_YEARDAY_SIZE);
    int n_week = list_len(rt->by_week_no, ICAL_BY_WEEKNO_SIZE);
    if (d->n_mday > 0 && d->n_month > 0) {
        put(&d->t, " on ");
        if (d->n_mday == 1 && rt->by_month_day[0] > 0) {
            put(&d->t, "%d ", rt->by_month_day[0]);
        } else {
            put_month_days(&d->t, rt->by_month_day, d->n_mday);
            put(&d->t, " of ");
        }
        put_months(&d->t, rt->by_month, d->n_month);
        d->months_said = true;
    } else if (d->n_mday > 0) {
        put(&d->t, " on ");
        put_month_days(&d->t, rt->by_month_day, d->n_mday);
        put(&d->t, " of every month");
    } else if (d->n_day > 0) {
        put(&d->t, has_ordinals(rt->by_day, d->n_day) ? " on " : " on every ");
        put_days(&d->t, rt->by_day, d->n_day, " and ");
        if (d->n_month > 0) {
            put(&d->t, " of ");
            put_months(&d->t, rt->by_month, d->n_month);
            d->months_said = true;
        }
    } else if (n_yday > 0) {
        put_numbers(&d->t, " on day", rt->by_year_day, n_yday, " of the year");
    } else if (n_week > 0) {
        put_numbers(&d->t, " in week", rt->by_week_no, n_week, "");
    } else if (d->n_month > 0 && d->have_start) {
        put(&d->t, " on %d ", d->start.day);
        put_months(&d->t, rt->by_month, d->n_month);
        d->months_said = true;
    } else if (d->have_start) {
        put(&d->t, " on %d %s", d->start.day, month_names[d->start.month]);
    }
}

static void describe_yearly(struct describe *d)
{
    put_every(&d->t, d->interval, "year");
    if (d->n_pos > 0) {
        put(&d->t, " on ");
        put_setpos(&d->t, d->rt, d->n_pos, d->n_day);
    } else {
        describe_yearly_day(d);
    }
}

/* The months not said yet, then the time of day: BYHOUR (with BYMINUTE or start's minute),
 * or start's time. */
static void describe_months_and_time(struct describe *d)
{
    const struct icalrecurrencetype *rt = d->rt;
    if (d->n_month > 0 && !d->months_said) {
        put(&d->t, " in ");
        put_months(&d->t, rt->by_month, d->n_month);
    }
    int n_hour = list_len(rt->by_hour, ICAL_BY_HOUR_SIZE);
    int n_minute = list_len(rt->by_minute, ICAL_BY_MINUTE_SIZE);
    if (n_hour > 0) {
        int minute = n_minute > 0 ? rt->by_minute[0] : d->have_start ? d->start.minute : 0;
        put(&d->t, " at ");
        for (int i = 0; i < n_hour; i++) {
            put_sep(&d->t, i, n_hour, " and ");
            put(&d->t, "%02d:%02d", rt->by_hour[i], minute);
        }
    } else if (d->show_time && d->have_start) {
        put(&d->t, " at %02d:%02d", d->start.hour, d->start.minute);
    }
}

/* The zone's start and local UNTIL of s (libical's zones are not thread-safe). */
static void describe_localize(struct series *s, const char *tz, int64_t dtstart_ms,
                              struct describe *d, struct icaltimetype *until_local)
{
    pthread_mutex_lock(&tz_libical_lock);
    s->zone = zone_get(tz ? tz : "UTC");
    if (!s->zone)
        s->zone = icaltimezone_get_utc_timezone();
    if (d->have_start)
        d->start = local_of(s->zone, ms_to_secs(dtstart_ms));
    if (s->until_kind == UNTIL_INSTANT)
        *until_local = local_of(s->zone, s->until_secs);
    pthread_mutex_unlock(&tz_libical_lock);
}

size_t recur_text(const char *rrule, const char *tz, int64_t dtstart_ms, char *out, size_t outsz)
{
    struct series s;
    struct describe d = {.t.len = 0, .show_time = true};
    d.t.buf[0] = '\0';
    if (series_parse(rrule, &s) != 0)
        goto out_copy;
    struct icaltimetype until_local = s.until;
    d.rt = &s.rt;
    d.have_start = dtstart_ms >= 0;
    d.start = icaltime_null_time();
    describe_localize(&s, tz, dtstart_ms, &d, &until_local);
    d.interval = s.rt.interval > 0 ? s.rt.interval : 1;
    d.n_day = list_len(s.rt.by_day, ICAL_BY_DAY_SIZE);
    d.n_mday = list_len(s.rt.by_month_day, ICAL_BY_MONTHDAY_SIZE);
    d.n_month = list_len(s.rt.by_month, ICAL_BY_MONTH_SIZE);
    d.n_pos = list_len(s.rt.by_set_pos, ICAL_BY_SETPOS_SIZE);
    switch (s.rt.freq) {
    case ICAL_HOURLY_RECURRENCE:
        put_every(&d.t, d.interval, "hour");
        d.show_time = false;
        if (d.n_day > 0) {
            put(&d.t, " on ");
            put_days(&d.t, s.rt.by_day, d.n_day, " and ");
        }
        break;
    case ICAL_DAILY_RECURRENCE:
    case ICAL_WEEKLY_RECURRENCE:
        describe_days_weeks(&d);
        break;
    case ICAL_MONTHLY_RECURRENCE:
        describe_monthly(&d);
        break;
    case ICAL_YEARLY_RECURRENCE:
        describe_yearly(&d);
        break;
    default:
        put(&d.t, "repeating");
        break;
    }
    describe_months_and_time(&d);
    if (s.count == 1)
        put(&d.t, ", once");
    else if (s.count > 1)
        put(&d.t, ", %d times", s.count);
    else if (s.until_kind != UNTIL_NONE)
        put(&d.t, ", until %04d-%02d-%02d", until_local.year, until_local.month, until_local.day);
out_copy:
    if (outsz == 0)
        return 0;
    size_t n = d.t.len < outsz - 1 ? d.t.len : outsz - 1;
    memcpy(out, d.t.buf, n);
    out[n] = '\0';
    return n;
}
