/* nlp_when_resolve.c - the date reader's second half: turns the days, times and rule parts
 * the grammar (nlp_when.c) collected into a due instant, a canonical RRULE and reminders,
 * in the user's zone, by docs/assistant-time.md.
 *
 * The idea: all calendar work is done on local dates (days since 1970-01-01) and seconds of
 * the local day, with plain integer arithmetic; the zone is consulted only to learn today's
 * date and to turn the final wall times into instants (core/tz.h, which applies the DST
 * gap and fold rules). */
#include "core/nlp_when_internal.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/tz.h"

#define DAY_SECS     86400
#define ALL_DAY_HOUR 9
#define SEARCH_DAYS                                                                                \
    (366 * 8) /* Feb 29 on a given weekday recurs within 28 years; 8 suffice                       \
                 for any rule the grammar builds */

void nlp_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int nlp_days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday). */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7);
}

/* The date n months after day, its day of month clamped to the month's last day. */
static int64_t add_months(int64_t day, int n)
{
    int y, m, d;
    nlp_civil_from_days(day, &y, &m, &d);
    int idx = y * 12 + (m - 1) + n;
    y = idx / 12;
    m = idx % 12 + 1;
    int last = nlp_days_in_month(y, m);
    return time_days_from_civil(y, m, d > last ? last : d);
}

/* The next date on or after today with this month and day (year 0), or that exact date. */
static int64_t resolve_md(const struct dayref *r, int64_t today)
{
    int ty, tm, td;
    nlp_civil_from_days(today, &ty, &tm, &td);
    if (r->year) {
        int last = nlp_days_in_month(r->year, r->month);
        return time_days_from_civil(r->year, r->month, r->dom > last ? last : r->dom);
    }
    for (int y = ty; y < ty + 9; y++) {
        if (r->dom > nlp_days_in_month(y, r->month))
            continue; /* Feb 29 waits for a leap year */
        int64_t day = time_days_from_civil(y, r->month, r->dom);
        if (day >= today)
            return day;
    }
    return today;
}

/* The next date on or after today whose day of month is dom ("the 31st" skips short months). */
static int64_t resolve_dom(int dom, int64_t today)
{
    int y, m, d;
    nlp_civil_from_days(today, &y, &m, &d);
    for (int k = 0; k < 24; k++) {
        if (dom <= nlp_days_in_month(y, m) && (k > 0 || dom >= d))
            return time_days_from_civil(y, m, dom);
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    return today;
}

static int64_t resolve_wday(const struct dayref *r, int64_t today)
{
    int wd = weekday(today);
    int64_t best = -1;
    for (int t = 0; t < 7; t++) {
        if (!(r->wmask & (1 << t)))
            continue;
        int64_t day;
        if (r->wmod == WMOD_NEXT) {
            day = today - wd + 7 + t;
        } else {
            int ahead = (t - wd + 7) % 7;
            if (ahead == 0 && r->wmod == WMOD_BARE)
                ahead = 7;
            day = today + ahead;
        }
        if (best < 0 || day < best)
            best = day;
    }
    return best < 0 ? today : best;
}

static int64_t resolve_kind(const struct dayref *r, int64_t today);

/* The local date a dayref names, said on today. */
static int64_t resolve_day(const struct dayref *r, int64_t today)
{
    return resolve_kind(r, today) + r->plus;
}

static int64_t resolve_kind(const struct dayref *r, int64_t today)
{
    int y, m, d, wd = weekday(today);
    nlp_civil_from_days(today, &y, &m, &d);
    switch (r->kind) {
    case DAY_OFFSET:
        return today + r->n;
    case DAY_MONTHS:
        return add_months(today, r->n);
    case DAY_MD:
        return resolve_md(r, today);
    case DAY_DOM:
        return resolve_dom(r->dom, today);
    case DAY_WDAY:
        return resolve_wday(r, today);
    case DAY_NEXTWEEK:
        return today - wd + 7 * (r->n > 1 ? r->n : 1);
    case DAY_EOW:
        return today + (4 - wd + 7) % 7;
    case DAY_EOM:
        return time_days_from_civil(y, m, nlp_days_in_month(y, m));
    case DAY_EOY:
        return time_days_from_civil(y, 12, 31);
    case DAY_WEEKEND:
        if (r->n == 0)
            return wd >= 5 ? today : today + (5 - wd);
        return today - wd + 5 + 7;
    case DAY_MONTHSTART:
        if (r->month) {
            int64_t day = time_days_from_civil(y, r->month, 1);
            return day > today ? day : time_days_from_civil(y + 1, r->month, 1);
        }
        if (r->dom) { /* "the 5th of next month" */
            int64_t first = add_months(time_days_from_civil(y, m, 1), r->n);
            int fy, fm, fd;
            nlp_civil_from_days(first, &fy, &fm, &fd);
            int last = nlp_days_in_month(fy, fm);
            return first + (r->dom > last ? last : r->dom) - 1;
        }
        return add_months(time_days_from_civil(y, m, 1), r->n);
    case DAY_YEARSTART:
        return time_days_from_civil(y + 1, 1, 1);
    case DAY_NEXTEOW:
        return today - wd + 7 + 4;
    case DAY_NEXTEOM:
        return add_months(time_days_from_civil(y, m, 1), 2) - 1;
    case DAY_NEXTEOY:
        return time_days_from_civil(y + 1, 12, 31);
    case DAY_NONE:
        break;
    }
    return today;
}

/* Seconds into the local day of the time the message gave; -1 when it gave none. A bare
 * clock hour is read by the part of day said with it, else 1-7 = pm, 8-11 = am, 12 = noon. */
static int time_of_day(const struct when_acc *a)
{
    static const int part_hour[] = {0, 9, 12, 15, 20, 20, 17};
    if (a->has_clock) {
        int h = a->hour;
        if (a->clock_bare && h >= 1 && h <= 12) {
            bool late = a->tonight || a->part == PART_AFTERNOON || a->part == PART_EVENING ||
                        a->part == PART_NIGHT;
            if (a->part == PART_MORNING)
                h = h == 12 ? 0 : h;
            else if (late)
                h = h == 12 ? 12 : h + 12;
            else if (h <= 7)
                h += 12;
        }
        return h * 3600 + a->minute * 60;
    }
    if (a->part != PART_NONE)
        return part_hour[a->part] * 3600;
    if (a->tonight)
        return 20 * 3600;
    return -1;
}

/* Whether v is first or one of a->more; a negative value counts from last + 1 (a day of the
 * month) or stands for itself (a position from the end, last = 0). */
static bool listed(const struct when_acc *a, int first, int v, int last, int n_more)
{
    for (int x = -1; x < n_more; x++) {
        int want = x < 0 ? first : a->more[x];
        if (want < 0 && last)
            want = last + 1 + want;
        if (want == v)
            return true;
    }
    return false;
}

static bool day_matches(const struct when_acc *a, int64_t day)
{
    int y, m, d, wd = weekday(day);
    nlp_civil_from_days(day, &y, &m, &d);
    int last = nlp_days_in_month(y, m);
    if (a->bymonth && m != a->bymonth)
        return false;
    if (a->bymonthday && !listed(a, a->bymonthday, d, last, a->bysetpos ? 0 : a->n_more))
        return false;
    if (!a->bydaymask)
        return true;
    if (!(a->bydaymask & (1 << wd)))
        return false;
    if (!a->bysetpos)
        return true;
    /* this day's place among the month's matching days, from the start and from the end */
    int from_start = 0, from_end = 0;
    for (int k = 1; k <= d; k++)
        from_start += (a->bydaymask >> weekday(day - d + k)) & 1;
    for (int k = last; k >= d; k--)
        from_end += (a->bydaymask >> weekday(day - d + k)) & 1;
    return listed(a, a->bysetpos, from_start, 0, a->n_more) ||
           listed(a, a->bysetpos, -from_end, 0, a->n_more);
}

/* A weekly rule with a day but no weekdays, a monthly one with "the 15th", a yearly one with
 * "March 3": the day is the rule's BY part, not a separate date. */
static void merge_day_into_rule(struct when_acc *a)
{
    /* "monthly at the end of the month": the last day of each month */
    if (a->freq == FREQ_MONTHLY && a->day.kind == DAY_EOM && !a->bymonthday && !a->bydaymask) {
        a->bymonthday = -1;
        a->day.kind = DAY_NONE;
        return;
    }
    if (a->freq == FREQ_WEEKLY && a->day.kind == DAY_WDAY && !a->bydaymask) {
        a->bydaymask = a->day.wmask;
        a->day.kind = DAY_NONE;
    } else if (a->freq == FREQ_MONTHLY && a->day.kind == DAY_DOM && !a->bymonthday &&
               !a->bydaymask) {
        a->bymonthday = a->day.dom;
        a->day.kind = DAY_NONE;
    } else if (a->freq == FREQ_YEARLY && a->day.kind == DAY_MD && !a->day.year && !a->bymonth) {
        a->bymonth = a->day.month;
        a->bymonthday = a->day.dom;
        a->day.kind = DAY_NONE;
    }
}

static void append_str(char *buf, size_t *pos, const char *str)
{
    size_t n = strlen(str);
    if (*pos + n < NLP_RRULE_MAX) {
        memcpy(buf + *pos, str, n + 1);
        *pos += n;
    }
}

/* Appends name then v ("INTERVAL=" 2). */
static void append_int(char *buf, size_t *pos, const char *name, int v)
{
    char num[16];
    snprintf(num, sizeof num, "%d", v);
    append_str(buf, pos, name);
    append_str(buf, pos, num);
}

/* The canonical rule: FREQ, INTERVAL, COUNT or UNTIL, BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS
 * (docs/assistant-time.md, "Recurrence"). */
static void build_rrule(const struct when_acc *a, int64_t today, char out[NLP_RRULE_MAX])
{
    static const char *const freq_name[] = {"", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
    static const char *const wd_name[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    size_t pos = 0;
    out[0] = '\0';
    append_str(out, &pos, "FREQ=");
    append_str(out, &pos, freq_name[a->freq]);
    if (a->interval > 1)
        append_int(out, &pos, ";INTERVAL=", a->interval);
    if (a->count > 0) {
        append_int(out, &pos, ";COUNT=", a->count);
    } else if (a->has_until) {
        int64_t until = resolve_day(&a->until, today);
        if (a->until_month_only)
            until -= 1;
        int y, m, d;
        nlp_civil_from_days(until, &y, &m, &d);
        char date[32];
        snprintf(date, sizeof date, "%04d%02d%02d", y, m, d);
        append_str(out, &pos, ";UNTIL=");
        append_str(out, &pos, date);
    }
    if (a->bymonth)
        append_int(out, &pos, ";BYMONTH=", a->bymonth);
    if (a->bymonthday) {
        append_int(out, &pos, ";BYMONTHDAY=", a->bymonthday);
        for (int x = 0; x < a->n_more && !a->bysetpos; x++)
            append_int(out, &pos, ",", a->more[x]);
    }
    if (a->bydaymask) {
        const char *sep = ";BYDAY=";
        for (int t = 0; t < 7; t++)
            if (a->bydaymask & (1 << t)) {
                append_str(out, &pos, sep);
                append_str(out, &pos, wd_name[t]);
                sep = ",";
            }
    }
    if (a->bysetpos) {
        append_int(out, &pos, ";BYSETPOS=", a->bysetpos);
        for (int x = 0; x < a->n_more; x++)
            append_int(out, &pos, ",", a->more[x]);
    }
}

static int64_t to_utc(const char *tz, int64_t day, int tod)
{
    int64_t utc;
    if (tz_local_to_utc(tz, day * DAY_SECS + tod, &utc) != 0)
        utc = day * DAY_SECS + tod;
    return utc;
}

/* The first occurrence of a rule (INTERVAL and COUNT ignored): a date-only series starts on
 * the first matching date on or after its start, a timed one at the first matching instant
 * strictly after now. Writes the local day; returns false when nothing matches. */
static bool first_occurrence(const struct when_acc *a, int64_t from, int64_t today, int tod,
                             int now_tod, int64_t *day)
{
    for (int64_t d = from; d < from + SEARCH_DAYS; d++) {
        if (!day_matches(a, d))
            continue;
        if (tod >= 0 && d == today && tod <= now_tod)
            continue;
        *day = d;
        return true;
    }
    return false;
}

static void set_due(struct nlp_when *out, const char *tz, int64_t utc_secs, bool all_day)
{
    int off = 0;
    if (tz_offset_at(tz, utc_secs, &off) != 0)
        off = 0;
    out->has_due = true;
    out->due_ms = utc_secs * 1000;
    out->due_offset_s = off;
    out->all_day = all_day;
}

static void resolve_rule(struct when_acc *a, const char *tz, int64_t today, int now_tod,
                         struct nlp_when *out)
{
    merge_day_into_rule(a);
    int tod = time_of_day(a);
    if (a->midnight)
        tod = 0;
    build_rrule(a, today, out->rrule);
    out->from_completion = a->from_completion;
    if (a->freq == FREQ_HOURLY && tod < 0) {
        /* the next full hour of the local clock (zones at :30 and :45 included) */
        int next = (now_tod / 3600 + 1) * 3600;
        set_due(out, tz, to_utc(tz, today + next / DAY_SECS, next % DAY_SECS), false);
        return;
    }
    int64_t from = today;
    if (a->has_start)
        from = resolve_day(&a->start, today);
    else if (a->day.kind != DAY_NONE)
        from = resolve_day(&a->day, today);
    int64_t day;
    if (!first_occurrence(a, from, today, tod, now_tod, &day))
        day = from;
    set_due(out, tz, to_utc(tz, day, tod >= 0 ? tod : ALL_DAY_HOUR * 3600), tod < 0);
}

/* A one-off due: the day said (today for "tonight" and "this morning"), else the next time
 * of day strictly after now. */
static void resolve_once(const struct when_acc *a, const char *tz, int64_t today, int now_tod,
                         struct nlp_when *out)
{
    int tod = time_of_day(a);
    bool has_day = a->day.kind != DAY_NONE || a->tonight || a->part_this;
    if (!has_day && tod < 0 && !a->midnight)
        return;
    int64_t day = a->day.kind != DAY_NONE ? resolve_day(&a->day, today) : today;
    if (a->midnight) {
        /* "midnight" = the next 00:00; "friday at midnight" = the end of Friday */
        day = has_day ? day + 1 : today + 1;
        tod = 0;
    } else if (!has_day) {
        day = tod > now_tod ? today : today + 1;
    } else if (a->tonight && !a->has_clock && day == today && now_tod >= tod) {
        /* "tonight" said at or after 20:00: the next full hour */
        tod = (now_tod / 3600 + 1) * 3600;
        if (tod >= DAY_SECS) {
            day++;
            tod -= DAY_SECS;
        }
    }
    set_due(out, tz, to_utc(tz, day, tod >= 0 ? tod : ALL_DAY_HOUR * 3600), tod < 0);
}

static void resolve_reminders(const struct when_acc *a, const char *tz, int64_t today, int now_tod,
                              struct nlp_when *out)
{
    for (int i = 0; i < a->n_reminders && i < NLP_MAX_REMINDERS; i++) {
        struct nlp_reminder *r = &out->reminders[out->n_reminders++];
        r->relative = a->reminders[i].relative;
        r->before_ms = a->reminders[i].before_ms;
        r->at_ms = 0;
        if (!r->relative) {
            int tod = a->reminders[i].hour * 3600 + a->reminders[i].minute * 60;
            r->at_ms = to_utc(tz, tod > now_tod ? today : today + 1, tod) * 1000;
        }
    }
}

void nlp_when_resolve(const struct when_acc *acc, int64_t now_ms, const char *tz,
                      struct nlp_when *out)
{
    assert(acc && tz && out);
    int64_t now_secs = now_ms / 1000 - (now_ms % 1000 < 0);
    int off = 0;
    if (tz_offset_at(tz, now_secs, &off) != 0)
        off = 0;
    int64_t wall = now_secs + off;
    int64_t today = wall / DAY_SECS - (wall % DAY_SECS < 0);
    int now_tod = (int)(wall - today * DAY_SECS);
    struct when_acc a = *acc;
    if (a.elapsed)
        set_due(out, tz, now_secs + a.elapsed_ms / 1000, false);
    else if (a.freq != FREQ_NONE)
        resolve_rule(&a, tz, today, now_tod, out);
    else
        resolve_once(&a, tz, today, now_tod, out);
    resolve_reminders(&a, tz, today, now_tod, out);
}

void nlp_when_due_rfc3339(const struct nlp_when *w, char out[40])
{
    assert(w && out);
    out[0] = '\0';
    if (!w->has_due)
        return;
    int64_t secs = w->due_ms / 1000 - (w->due_ms % 1000 < 0) + w->due_offset_s;
    int64_t day = secs / DAY_SECS - (secs % DAY_SECS < 0);
    int tod = (int)(secs - day * DAY_SECS);
    int y, m, d;
    nlp_civil_from_days(day, &y, &m, &d);
    int off = w->due_offset_s < 0 ? -w->due_offset_s : w->due_offset_s;
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, tod / 3600,
             tod / 60 % 60, tod % 60, w->due_offset_s < 0 ? '-' : '+', off / 3600, off / 60 % 60);
    size_t n = strlen(buf);
    if (n > 39)
        n = 39;
    memcpy(out, buf, n);
    out[n] = '\0';
}
