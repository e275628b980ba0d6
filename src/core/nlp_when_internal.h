/* nlp_when_internal.h - what the date reader's grammar (nlp_when.c) collects from a message
 * and hands to its resolver (nlp_when_resolve.c), which turns it into instants and a rule
 * in the user's zone (docs/assistant-time.md). */
#ifndef TODO_CORE_NLP_WHEN_INTERNAL_H
#define TODO_CORE_NLP_WHEN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/timeutil.h"

#include "core/nlp_when.h"

/* A day as the message names it, resolved against "today" only at the end. */
enum day_kind {
    DAY_NONE,
    DAY_OFFSET,     /* today + n days ("tomorrow", "in 3 days") */
    DAY_MONTHS,     /* today + n months, clamped ("in 2 months") */
    DAY_MD,         /* month + day [year] ("Jan 27", "27/1", "2026-12-24") */
    DAY_DOM,        /* day of month only ("the 15th") */
    DAY_WDAY,       /* weekday(s) with a modifier (bare, this, next) */
    DAY_NEXTWEEK,   /* Monday of the next ISO week */
    DAY_EOW,        /* the coming Friday */
    DAY_EOM,        /* the last day of this month */
    DAY_EOY,        /* Dec 31 */
    DAY_WEEKEND,    /* this (n = 0) or next (n = 1) weekend's Saturday */
    DAY_MONTHSTART, /* the 1st (or dom) of next month (n = 1), or month m after today */
    DAY_YEARSTART,  /* Jan 1 of next year */
    DAY_NEXTEOW,    /* Friday of the next ISO week */
    DAY_NEXTEOM,    /* the last day of next month */
    DAY_NEXTEOY,    /* Dec 31 of next year */
};

enum wday_mod { WMOD_BARE, WMOD_THIS, WMOD_NEXT };

struct dayref {
    enum day_kind kind;
    int n;                /* DAY_OFFSET, DAY_MONTHS, DAY_WEEKEND, DAY_MONTHSTART */
    int month, dom, year; /* DAY_MD (year 0: the next such date), DAY_DOM, DAY_MONTHSTART */
    int wmask;            /* DAY_WDAY: bit 0 = Monday .. bit 6 = Sunday */
    enum wday_mod wmod;
    int plus; /* days added once resolved ("two weeks from friday") */
};

/* Parts of the day (docs/assistant-time.md): each has an hour; a bare clock hour said with
 * one of the later ones is read as pm ("tonight at 9"). */
enum part_of_day {
    PART_NONE,
    PART_MORNING,
    PART_NOON,
    PART_AFTERNOON,
    PART_EVENING,
    PART_NIGHT,
    PART_EOD
};

#define NLP_WHEN_MORE 3 /* "the 1st, 10th, 20th and last day": up to 4 values */

enum freq { FREQ_NONE, FREQ_HOURLY, FREQ_DAILY, FREQ_WEEKLY, FREQ_MONTHLY, FREQ_YEARLY };

struct when_acc {
    struct dayref day;
    bool has_clock; /* hour:minute given */
    int hour, minute;
    bool clock_bare; /* an hour without am/pm or a 24-hour form (read by part or rule) */
    bool midnight;
    enum part_of_day part;
    bool part_this; /* "this morning": today, even if past */
    bool tonight;
    bool elapsed; /* "in 2 hours": now + elapsed_ms */
    int64_t elapsed_ms;

    enum freq freq;
    int interval, count, bymonth, bymonthday, bydaymask, bysetpos;
    int more[NLP_WHEN_MORE]; /* further BYMONTHDAY (or, with weekdays, BYSETPOS) values */
    int n_more;
    bool has_until;
    struct dayref until;
    bool until_month_only; /* "until June": the day before June 1 */
    bool has_start;
    struct dayref start;
    bool from_completion;

    int n_reminders;
    struct {
        bool relative;
        int64_t before_ms;
        int hour, minute; /* absolute: the next such wall time */
    } reminders[NLP_MAX_REMINDERS];
};

/* Turns what was read into *out, said at now_ms in zone tz (a valid zone name); ny: numeric
 * dates were month/day. */
void nlp_when_resolve(const struct when_acc *acc, int64_t now_ms, const char *tz,
                      struct nlp_when *out);

void nlp_civil_from_days(int64_t days, int *y, int *m, int *d);
int nlp_days_in_month(int y, int m);

#endif
