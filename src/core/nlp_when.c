/* nlp_when.c - the date reader's grammar: finds the date, time, repeat and reminder phrases
 * of a message (docs/assistant-time.md) and marks the bytes they cover.
 *
 * The idea: the message becomes tokens (nlp_when_lex.c: numbers, punctuation, and words of
 * the date vocabulary with their meaning); a small set of rules is tried at each token, in
 * order, and the first that matches records what it read in a when_acc and moves past it.
 * Rules read structure (a number then a unit, a month name beside a day number, "every"
 * then a weekday list), not memorised sentences, so new phrasings of the same parts read
 * too. Nothing is resolved here: nlp_when_resolve.c turns the collected parts into instants
 * in the user's zone once the whole message is read. */
#include "core/nlp_when.h"

#include <assert.h>
#include <string.h>

#include "core/nlp_when_grammar.h"
#include "core/nlp_when_internal.h"
#include "core/nlp_when_lex.h"
#include "core/tz.h"

#define MAX_TOKENS 256

/* Marks tokens [from, to) and the lead words just before them ("on", "at", "by", "due"). */
static void mark(struct ctx *c, int from, int to)
{
    assert(from >= 0 && to <= c->n && from < to);
    while (from > 0 && when_is_lead(c, from - 1) && !c->used[c->t[from - 1].start])
        from--;
    for (int b = c->t[from].start; b < c->t[to - 1].end; b++)
        c->used[b] = 1;
    c->n_read++;
}

/* A time of day into the accumulator: clocks, noon, midnight, parts of the day, tonight,
 * "end of day". */
static int read_time(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    int j = i, h, m;
    bool bare;
    if (is_w(c, j, W_NUMW) && c->t[j].val == 12 &&
        (is_w(c, j + 1, W_PART) || is_w(c, j + 1, W_MIDNIGHT)))
        j++;
    else if (is_num(c, j) && c->t[j].val == 12 && c->t[j].ndigits == 2 &&
             ((is_w(c, j + 1, W_PART) && c->t[j + 1].val == PART_NOON) ||
              is_w(c, j + 1, W_MIDNIGHT)))
        j++;
    if (is_w(c, j, W_MIDNIGHT)) {
        a->midnight = true;
        return j + 1;
    }
    if (is_w(c, j, W_TONIGHT)) {
        a->tonight = true;
        return j + 1;
    }
    if ((is_w(c, j, W_END) && is_w(c, j + 1, W_OF)) ||
        (is_w(c, j, W_CLOSE) && is_w(c, j + 1, W_OF))) {
        int k = j + 2 + is_w(c, j + 2, W_THE);
        bool eod = (is_w(c, k, W_UNIT) && c->t[k].val == U_DAY && !(c->t[k].flags & LEXF_PLURAL)) ||
                   (is_w(c, j, W_CLOSE) && is_w(c, k, W_BUSINESS));
        if (!eod)
            return -1;
        a->part = PART_EOD;
        return k + 1;
    }
    int k = j;
    bool this_part = false;
    if (is_w(c, k, W_ORDW) && c->t[k].val == 1 && is_w(c, k + 1, W_THING)) {
        a->part = PART_MORNING; /* "first thing tomorrow" */
        return k + 2;
    }
    if (is_w(c, k, W_IN) && is_w(c, k + 1, W_THE) && is_w(c, k + 2, W_PART))
        k += 2;
    else if (is_w(c, k, W_THIS) && is_w(c, k + 1, W_PART))
        k += 1, this_part = true;
    bool day_before = is_w(c, j - 1, W_TODAY) || is_w(c, j - 1, W_TOMORROW) ||
                      is_w(c, j - 1, W_WDAY) || when_is_lead(c, j - 1) || is_num(c, j - 1);
    /* "eod"/"cob" first in the message or a clause is the time, as "end of day" is ("eod send
     * the contract"; docs/assistant-time.md, "Times"), like a weekday there. */
    bool eod_first = is_w(c, k, W_PART) && c->t[k].val == PART_EOD &&
                     (k == 0 || is_p(c, k - 1, ',') || is_p(c, k - 1, ';') || is_p(c, k - 1, ':') ||
                      is_p(c, k - 1, '.') || is_p(c, k - 1, '-'));
    if (k == j && when_noun_follows(c, k + 1) && !day_before && !eod_first)
        return -1; /* "the night shift", "morning routine" */
    if (is_w(c, k, W_PART) && !(c->t[k].flags & LEXF_PLURAL)) {
        if (c->t[k].val == PART_NOON) {
            a->has_clock = true;
            a->hour = 12;
            a->minute = 0;
        }
        a->part = (enum part_of_day)c->t[k].val;
        a->part_this = this_part;
        return k + 1;
    }
    k = when_read_clock(c, j, &h, &m, &bare);
    if (k < 0 || a->has_clock)
        return -1;
    a->has_clock = true;
    a->hour = h;
    a->minute = m;
    a->clock_bare = bare;
    return when_range_end(c, k);
}

/* Token k ends a phrase: the end, punctuation, "it", "and", or a lead word. (A day after
 * "2 days before" is the day counted from: "2 days before friday".) */
static bool phrase_ends(const struct ctx *c, int k)
{
    if (k >= c->n || c->t[k].kind != TOK_WORD)
        return true;
    switch (c->t[k].id) {
    case W_IT:
    case W_AND:
    case W_REMIND:
    case W_EVERY:
    case W_ON:
    case W_AT:
    case W_BY:
    case W_DUE:
    case W_TONIGHT:
    case W_IN:
    case W_WITH:
        return true;
    default:
        return false;
    }
}

/* "30 minutes before", "1 day and 2 hours before", "the day before": relative reminders
 * (each duration one reminder); not lead by "remind me", they must end the phrase ("2 days
 * before the trip" is no reminder). */
static int read_before(struct ctx *c, int j, bool lead)
{
    struct when_acc *a = &c->acc;
    int64_t ms[NLP_MAX_REMINDERS];
    int n = 0, k = j;
    while (n < NLP_MAX_REMINDERS) {
        struct dur d;
        int e = when_read_dur(c, k, &d);
        if (e < 0 && is_w(c, k, W_THE) && is_w(c, k + 1, W_UNIT) && c->t[k + 1].val == U_DAY &&
            !(c->t[k + 1].flags & LEXF_PLURAL)) {
            when_set_dur(&d, U_DAY, 1);
            e = k + 2;
        }
        if (e < 0 || d.unit > U_WEEK)
            return -1;
        ms[n++] = d.ms ? d.ms : (int64_t)d.n * (d.unit == U_WEEK ? 7 : 1) * DAY_MS;
        k = e;
        if ((is_w(c, k, W_AND) || is_p(c, k, ',')) && !is_w(c, k + 1, W_AT)) {
            int m = k + 1 + (is_p(c, k, ',') && is_w(c, k + 1, W_AND));
            struct dur d2;
            if (when_read_dur(c, m, &d2) > 0 || is_w(c, m, W_THE)) {
                k = m;
                continue;
            }
        }
        break;
    }
    if (!is_w(c, k, W_BEFORE) && !is_w(c, k, W_EARLY))
        return -1;
    k++;
    if (!lead && !phrase_ends(c, k))
        return -1;
    for (int i = 0; i < n && a->n_reminders < NLP_MAX_REMINDERS; i++) {
        a->reminders[a->n_reminders].relative = true;
        a->reminders[a->n_reminders].before_ms = ms[i];
        a->n_reminders++;
    }
    return k + (is_w(c, k, W_IT) ? 1 : 0);
}

/* "at 8am" after "remind me": an absolute reminder. */
static int read_reminder_at(struct ctx *c, int j)
{
    struct when_acc *a = &c->acc;
    int h, m;
    bool bare;
    int k = when_read_clock(c, j, &h, &m, &bare);
    if (k < 0 || a->n_reminders >= NLP_MAX_REMINDERS)
        return -1;
    if (bare && h >= 1 && h <= 7)
        h += 12;
    a->reminders[a->n_reminders].relative = false;
    a->reminders[a->n_reminders].hour = h;
    a->reminders[a->n_reminders].minute = m;
    a->n_reminders++;
    return k;
}

/* "remind me 30 minutes before", "remind me at 8am", "with a reminder an hour before",
 * "1 day before" (a reminder when it ends the phrase). */
static int rule_remind(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    int j = i;
    bool lead = false;
    if (is_w(c, j, W_REMIND)) {
        lead = true;
        j++;
        if (is_w(c, j, W_ME) || is_w(c, j, W_YOU))
            j++;
    } else {
        j += is_w(c, j, W_WITH);
        j += is_w(c, j, W_A);
        if (!is_w(c, j, W_REMINDER))
            j = i;
        else
            lead = true, j++;
    }
    int end = -1;
    while (a->n_reminders < NLP_MAX_REMINDERS) {
        int k = read_before(c, j, lead);
        if (k < 0 && lead && is_w(c, j, W_AT))
            k = read_reminder_at(c, j + 1);
        if (k < 0)
            return end;
        end = k;
        if (!is_w(c, end, W_AND) && !is_p(c, end, ','))
            return end;
        j = end + 1;
        if (is_w(c, j, W_AND))
            j++;
        if (is_w(c, j, W_AT) && !lead)
            return end;
    }
    return end;
}

static bool set_freq(struct when_acc *a, enum freq f, int interval)
{
    if (a->freq != FREQ_NONE)
        return false;
    a->freq = f;
    a->interval = interval;
    return true;
}

/* "after I finish it", "after done", "from when I complete it", "3 days after completion". */
static int rule_completion(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    struct dur d;
    int j = when_read_dur(c, i, &d);
    bool interval = j > 0;
    if (!interval)
        j = i;
    if (is_w(c, j, W_FROM) && is_w(c, j + 1, W_WHEN))
        j += 2;
    else if (is_w(c, j, W_FROM) && is_w(c, j + 1, W_FINISH) && (interval || a->freq != FREQ_NONE))
        j += 1; /* "every 10 days from completion" */
    else if (is_w(c, j, W_AFTER) || (is_w(c, j, W_WHEN) && !interval &&
                                     (is_w(c, j + 1, W_I) || is_w(c, j + 1, W_IM) ||
                                      is_w(c, j + 1, W_IT) || is_w(c, j + 1, W_FINISH))))
        j += 1;
    else
        return -1;
    if (is_w(c, j, W_I) || is_w(c, j, W_YOU) || is_w(c, j, W_IM))
        j++;
    else if (is_w(c, j, W_IT) && is_w(c, j + 1, W_IS))
        j += 2;
    if (is_w(c, j, W_AM))
        j++;
    if (!is_w(c, j, W_FINISH))
        return -1;
    j++;
    if (is_w(c, j, W_IT))
        j++;
    if (interval) {
        static const enum freq unit_freq[] = {FREQ_NONE,    FREQ_HOURLY, FREQ_DAILY,  FREQ_WEEKLY,
                                              FREQ_MONTHLY, FREQ_YEARLY, FREQ_WEEKLY, FREQ_MONTHLY};
        static const int unit_mult[] = {1, 1, 1, 1, 1, 1, 2, 3};
        /* a repeat already read keeps its own rule ("every Jun 3, 2 weeks after I finish it"
         * would otherwise be a weekly rule on June 3 only) */
        if (unit_freq[d.unit] == FREQ_NONE ||
            !set_freq(a, unit_freq[d.unit], d.n * unit_mult[d.unit]))
            return -1;
    }
    a->from_completion = true;
    return j;
}

/* Positions in canonical order: positive ascending, then negative (-1 before -2). */
static bool position_before(int x, int y)
{
    if ((x < 0) != (y < 0))
        return x > 0;
    return x > 0 ? x < y : x > y;
}

/* An ordinal position: "1st", "15th", "first".."fifth", "last" (-1). */
static int read_position(const struct ctx *c, int j, int *pos)
{
    int k = when_read_ordinal(c, j, pos, true);
    if (k < 0 && is_w(c, j, W_ORDW))
        *pos = -1, k = j + 1;
    return k;
}

/* "the last friday of the month", "first monday of every month", "last weekday of the
 * month", "the last day of the month", "the 15th of every month": monthly. */
static int rule_of_month(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    int j = is_w(c, i, W_THE) ? i + 1 : i, pos, mask = 0, more[NLP_WHEN_MORE], n_more = 0;
    int k = read_position(c, j, &pos);
    if (k < 0)
        return -1;
    /* "the 1st and 15th", "the 2nd and 4th tuesday", "first and last monday" */
    while (n_more < NLP_WHEN_MORE && (is_w(c, k, W_AND) || is_p(c, k, ',') || is_p(c, k, '&'))) {
        int e = read_position(c, k + 1 + is_w(c, k + 1, W_THE), &more[n_more]);
        if (e < 0)
            break;
        n_more++;
        k = e;
    }
    bool plural, abbr, day = false;
    int m = when_read_wdays(c, k, &mask, &plural, &abbr);
    if (m < 0 && is_w(c, k, W_WEEKDAY))
        mask = 0x1f, m = k + 1;
    else if (m < 0 && is_w(c, k, W_UNIT) && c->t[k].val == U_DAY)
        day = true, m = k + 1;
    else if (m < 0)
        day = true, m = k; /* "the 15th of the month" */
    bool of_month = is_w(c, m, W_OF) &&
                    (is_w(c, m + 1, W_THE) || is_w(c, m + 1, W_EVERY) || is_w(c, m + 1, W_A)) &&
                    is_w(c, m + 2, W_UNIT) && c->t[m + 2].val == U_MONTH;
    /* "every month on the last friday": the month was said before */
    bool day_word = day && m > k; /* "the last day": not "the 15th" alone */
    if (!of_month && !(a->freq == FREQ_MONTHLY && (!day || day_word || n_more) && !a->bydaymask &&
                       !a->bymonthday))
        return -1;
    for (int x = -1; x < n_more; x++) {
        int v = x < 0 ? pos : more[x];
        if (day ? (v < -1 || v == 0 || v > 31) : (v < -1 || v == 0 || v > 5))
            return -1;
    }
    if (a->freq != FREQ_NONE && a->freq != FREQ_MONTHLY)
        return -1;
    if (a->freq == FREQ_NONE)
        set_freq(a, FREQ_MONTHLY, 1);
    /* canonical order: 1, 15, then -1 ("last") */
    int vals[NLP_WHEN_MORE + 1] = {pos};
    memcpy(vals + 1, more, sizeof more);
    for (int x = 1; x <= n_more; x++)
        for (int y = x; y > 0 && position_before(vals[y], vals[y - 1]); y--) {
            int t = vals[y];
            vals[y] = vals[y - 1];
            vals[y - 1] = t;
        }
    if (day) {
        a->bymonthday = vals[0];
    } else {
        a->bydaymask = mask;
        a->bysetpos = vals[0];
    }
    memcpy(a->more, vals + 1, sizeof a->more);
    a->n_more = n_more;
    return of_month ? m + 3 : m;
}

/* After "every [other|N|Nth]": a unit, weekdays, a part of the day, a date. */
static int every_what(struct ctx *c, int j, int interval)
{
    struct when_acc *a = &c->acc;
    int mask, k;
    bool plural, abbr;
    if (is_w(c, j, W_UNIT) && c->t[j].val == U_WEEK && is_w(c, j + 1, W_UNIT) &&
        c->t[j + 1].val == U_DAY && attached(c, j + 1) == false) {
        if (!set_freq(a, FREQ_WEEKLY, interval)) /* "every week day" */
            return -1;
        a->bydaymask = 0x1f;
        return j + 2;
    }
    if (is_w(c, j, W_UNIT)) {
        static const enum freq unit_freq[] = {FREQ_NONE,    FREQ_HOURLY, FREQ_DAILY,  FREQ_WEEKLY,
                                              FREQ_MONTHLY, FREQ_YEARLY, FREQ_WEEKLY, FREQ_MONTHLY};
        static const int unit_mult[] = {1, 1, 1, 1, 1, 1, 2, 3};
        int u = c->t[j].val;
        if (unit_freq[u] == FREQ_NONE || !set_freq(a, unit_freq[u], interval * unit_mult[u]))
            return -1;
        return j + 1;
    }
    if (is_w(c, j, W_WEEKDAY) || is_w(c, j, W_WEEKEND)) {
        if (!set_freq(a, FREQ_WEEKLY, interval))
            return -1;
        a->bydaymask = is_w(c, j, W_WEEKDAY) ? 0x1f : 0x60;
        return j + 1;
    }
    if ((k = when_read_wdays(c, j, &mask, &plural, &abbr)) > 0) {
        if (!set_freq(a, FREQ_WEEKLY, interval))
            return -1;
        a->bydaymask = mask;
        return k;
    }
    if (is_w(c, j, W_PART) && interval == 1) {
        if (!set_freq(a, FREQ_DAILY, 1))
            return -1;
        if (c->t[j].val == PART_NOON)
            a->has_clock = true, a->hour = 12;
        a->part = (enum part_of_day)c->t[j].val;
        return j + 1;
    }
    struct dayref r;
    if (interval == 1 && (k = when_read_md(c, j, &r)) > 0 && !r.year) {
        if (!set_freq(a, FREQ_YEARLY, 1))
            return -1;
        a->bymonth = r.month;
        a->bymonthday = r.dom;
        return k;
    }
    if (interval == 1 && (k = rule_of_month(c, j)) > 0)
        return k;
    int dom;
    if (interval == 1 && (k = when_read_ordinal(c, j, &dom, false)) > 0 && dom >= 1 && dom <= 31) {
        if (!set_freq(a, FREQ_MONTHLY, 1))
            return -1;
        a->bymonthday = dom; /* "every 15th" */
        return k;
    }
    return -1;
}

/* "every day", "each monday and thursday", "every other week", "every 3 months", "every
 * 2nd week", "of every month", "once a week". */
static int rule_every(struct ctx *c, int i)
{
    int j = i, interval = 1;
    if (is_w(c, j, W_OF) && is_w(c, j + 1, W_EVERY))
        j++;
    if (is_w(c, j, W_WHEN) && is_w(c, j + 1, W_A) && is_w(c, j + 2, W_UNIT)) {
        /* "once a week" */
        return every_what(c, j + 2, 1);
    }
    int e = j + is_w(c, j, W_THE);
    if (is_w(c, e, W_END) && is_w(c, e + 1, W_OF) && is_w(c, e + 2, W_EVERY) &&
        is_w(c, e + 3, W_UNIT) && c->t[e + 3].val == U_MONTH) {
        if (!set_freq(&c->acc, FREQ_MONTHLY, 1)) /* "at the end of every month" */
            return -1;
        c->acc.bymonthday = -1;
        return e + 4;
    }
    if (!is_w(c, j, W_EVERY))
        return -1;
    j++;
    int k;
    if ((k = rule_of_month(c, j)) > 0)
        return k; /* "every 2nd tuesday of the month": a position, not an interval */
    if (is_w(c, j, W_OTHER)) {
        interval = 2;
        j++;
    } else if ((k = when_read_ordinal(c, j, &interval, true)) > 0 && interval >= 2 &&
               (is_w(c, k, W_UNIT) || is_w(c, k, W_WDAY))) {
        j = k;
    } else if ((k = when_read_int(c, j, &interval, false)) > 0 && is_w(c, k, W_UNIT)) {
        if (interval < 1 || interval > 1000)
            return -1;
        j = k;
    } else {
        interval = 1;
    }
    return every_what(c, j, interval);
}

/* "daily", "biweekly", "quarterly", "mondays and thursdays", "on weekdays", "weekends". */
static int rule_adverb(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    if (is_w(c, i, W_ADVERB)) {
        int v = c->t[i].val;
        if (when_noun_follows(c, i + 1))
            for (int k = i + 1; k < c->n; k++)
                if (is_w(c, k, W_EVERY) || is_w(c, k, W_ADVERB))
                    return -1; /* "weekly report every friday": the title's adjective */
        if (!set_freq(a, (enum freq)(v < 0 ? -v : v), v == -FREQ_WEEKLY ? 2 : v < 0 ? 3 : 1))
            return -1;
        return i + 1;
    }
    if ((is_w(c, i, W_WEEKDAY) || is_w(c, i, W_WEEKEND)) && (c->t[i].flags & LEXF_PLURAL)) {
        if (!set_freq(a, FREQ_WEEKLY, 1))
            return -1;
        a->bydaymask = is_w(c, i, W_WEEKDAY) ? 0x1f : 0x60;
        return i + 1;
    }
    int mask;
    bool plural, abbr;
    int alt = is_w(c, i, W_OTHER) ? 1 : 0; /* "alternate mondays" */
    int k = when_read_wdays(c, i + alt, &mask, &plural, &abbr);
    if (k > 0 && plural && alt) {
        if (!set_freq(a, FREQ_WEEKLY, 2))
            return -1;
        a->bydaymask = mask;
        return k;
    }
    if (k > 0 && plural) {
        if (a->freq == FREQ_WEEKLY && !a->bydaymask) {
            a->bydaymask = mask; /* "weekly on mondays" */
            return k;
        }
        if (!set_freq(a, FREQ_WEEKLY, 1))
            return -1;
        a->bydaymask = mask;
        return k;
    }
    return -1;
}

/* "until June", "until Dec 31", "till friday". */
static int rule_until(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    if (!is_w(c, i, W_UNTIL) || a->has_until)
        return -1;
    int k = when_read_day(c, i + 1, &a->until);
    if (k > 0) {
        a->has_until = true;
        return k;
    }
    if (is_w(c, i + 1, W_MONTHNAME)) {
        memset(&a->until, 0, sizeof a->until);
        a->until.kind = DAY_MONTHSTART;
        a->until.month = c->t[i + 1].val;
        a->has_until = true;
        a->until_month_only = true;
        return i + 2;
    }
    return -1;
}

/* "starting monday", "beginning Jan 5", "starting from next week". */
static int rule_starting(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    int j = i;
    if (is_w(c, j, W_STARTING)) {
        j++;
        if (is_w(c, j, W_FROM) || is_w(c, j, W_ON))
            j++;
    } else if (is_w(c, j, W_FROM)) {
        j++;
    } else {
        return -1;
    }
    if (a->has_start)
        return -1;
    int k = when_read_day(c, j, &a->start);
    if (k < 0)
        return -1;
    a->has_start = true;
    return k;
}

/* "10 times", "for 6 weeks" (COUNT; kept only when a rule is read). */
static int rule_count(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    int n, k;
    if (a->count)
        return -1;
    if ((k = when_read_int(c, i, &n, false)) > 0 && is_w(c, k, W_TIMES) && n >= 1 && n <= 1000) {
        a->count = n;
        c->count_unit = -1;
        return k + 1;
    }
    struct dur d;
    int j = i + 1;
    if (is_w(c, j, W_THE) && is_w(c, j + 1, W_NEXT))
        j += 2; /* "for the next 3 weeks" */
    if (is_w(c, i, W_FOR) && (k = when_read_dur(c, j, &d)) > 0 && d.unit >= U_DAY &&
        d.unit <= U_YEAR && d.n <= 1000) {
        a->count = d.n;
        c->count_unit = (int)d.unit;
        return k;
    }
    return -1;
}

/* "two weeks from friday", "3 days after Jan 5", "2 days before the 15th": a day counted from
 * another; k is past the duration. */
static int rule_anchored(struct ctx *c, int k, const struct dur *d)
{
    struct when_acc *a = &c->acc;
    static const int unit_days[] = {0, 0, 1, 7, 0, 0, 14, 0};
    int sign = is_w(c, k, W_BEFORE) ? -1 : 1;
    bool on_week = is_w(c, k, W_ON) && d->unit >= U_WEEK; /* "a week on friday" (British) */
    if (!(is_w(c, k, W_FROM) || is_w(c, k, W_AFTER) || is_w(c, k, W_BEFORE) || on_week) ||
        !unit_days[d->unit] || a->day.kind != DAY_NONE)
        return -1;
    struct dayref r;
    int e = when_read_day(c, k + 1, &r);
    if (e < 0)
        return -1;
    r.plus = sign * d->n * unit_days[d->unit];
    a->day = r;
    return e;
}

/* "in 2 hours", "in three days", "in a week", "2 weeks from now", "a week from today". */
static int rule_in(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    struct dur d;
    int j = i, k;
    bool in = is_w(c, j, W_IN);
    if (in)
        j++;
    if (in && is_w(c, j, W_THE) && is_w(c, j + 1, W_NEXT))
        j += 2; /* "in the next 2 days" */
    if ((k = when_read_dur(c, j, &d)) < 0)
        return -1;
    if (in && is_p(c, k, '\'') && is_w(c, k + 1, W_TIMEWORD))
        k += 2; /* "in two weeks' time" */
    else if (in && is_w(c, k, W_TIMEWORD))
        k++;
    if (!in) {
        if (is_w(c, k, W_FROM) && (is_w(c, k + 1, W_NOW) || is_w(c, k + 1, W_TODAY)))
            k += 2;
        else if (is_w(c, k, W_LATER))
            k += 1;
        else
            return rule_anchored(c, k, &d);
    }
    if (d.ms) {
        if (a->elapsed)
            return -1;
        a->elapsed = true;
        a->elapsed_ms = d.ms;
        return k;
    }
    if (a->day.kind != DAY_NONE)
        return -1;
    static const int unit_days[] = {0, 0, 1, 7, 0, 0, 14, 0};
    static const int unit_months[] = {0, 0, 0, 0, 1, 12, 0, 3};
    if (unit_days[d.unit]) {
        a->day.kind = DAY_OFFSET;
        a->day.n = d.n * unit_days[d.unit];
    } else {
        a->day.kind = DAY_MONTHS;
        a->day.n = d.n * unit_months[d.unit];
    }
    return k;
}

/* One rule at token i; returns the end of what it read, or -1. */
static int try_rules(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    int k;
    if ((k = rule_remind(c, i)) > 0 || (k = rule_of_month(c, i)) > 0 ||
        (k = rule_every(c, i)) > 0 || (k = rule_adverb(c, i)) > 0 || (k = rule_until(c, i)) > 0 ||
        (k = rule_starting(c, i)) > 0 || (k = rule_in(c, i)) > 0)
        return k;
    if (((k = rule_completion(c, i)) > 0 || (k = rule_count(c, i)) > 0) && c->n_pending < 4) {
        c->pending[c->n_pending].from = i;
        c->pending[c->n_pending].to = k;
        c->n_pending++;
        return -k; /* marked at the end, when a repeat was read */
    }
    bool at = is_w(c, i - 1, W_AT) || is_w(c, i - 1, W_BY) || is_p(c, i - 1, '@');
    struct when_acc saved = *a;
    if (at && (k = read_time(c, i)) > 0)
        return k;
    *a = saved;
    if (a->day.kind == DAY_NONE) {
        struct dayref r;
        if ((k = when_read_day(c, i, &r)) > 0) {
            a->day = r;
            return k;
        }
    }
    if (!at && (k = read_time(c, i)) > 0)
        return k;
    *a = saved;
    return -1;
}

/* "for N weeks" counts occurrences: N when the unit is the repeat's ("every week for 6
 * weeks"); "every day for 2 weeks" = 14, "every mon and thu for 4 weeks" = 8. Any other
 * pair ("every monday for 3 months") ends the series the day before N units from today. */
static void count_of(struct when_acc *a, int unit)
{
    static const enum freq unit_freq[] = {FREQ_NONE,    FREQ_HOURLY, FREQ_DAILY, FREQ_WEEKLY,
                                          FREQ_MONTHLY, FREQ_YEARLY, FREQ_NONE,  FREQ_NONE};
    int days = 0;
    for (int t = 0; t < 7; t++)
        days += (a->bydaymask >> t) & 1;
    int n = a->count;
    if (unit < 0 || unit_freq[unit] == a->freq) {
        if (unit == U_WEEK && days > 1 && a->interval <= 1)
            n *= days;
    } else if (unit == U_WEEK && a->freq == FREQ_DAILY) {
        n *= 7;
    } else if (unit >= U_DAY && unit <= U_YEAR && !a->has_until) {
        memset(&a->until, 0, sizeof a->until);
        a->until.kind = unit <= U_WEEK ? DAY_OFFSET : DAY_MONTHS;
        a->until.n = n * (unit == U_WEEK ? 7 : unit == U_YEAR ? 12 : 1);
        a->until.plus = -1;
        a->has_until = true;
        n = 0;
    }
    a->count = n > 1000 ? 1000 : n;
}

int nlp_when_read(const char *text, size_t len, int64_t now_ms, const char *tz,
                  struct nlp_when *out, unsigned char *used)
{
    assert(out && (text || len == 0) && (used || len == 0));
    memset(out, 0, sizeof *out);
    struct lex_tok toks[MAX_TOKENS];
    struct ctx c = {.text = text, .t = toks, .used = used};
    c.n = lex_tokenize(text, len, toks, MAX_TOKENS);
    if (!tz || !tz_valid(tz))
        tz = "UTC";
    c.month_first = strcmp(tz, "America/New_York") == 0;
    for (int i = 0; i < c.n;) {
        int k = try_rules(&c, i);
        if (k > 0) {
            mark(&c, i, k);
            i = k;
        } else if (k < -1) {
            i = -k;
        } else {
            i++;
        }
    }
    struct when_acc *a = &c.acc;
    if (a->freq == FREQ_NONE) {
        a->count = 0;
        a->from_completion = false;
        if (a->has_until && a->day.kind == DAY_NONE && !a->until_month_only)
            a->day = a->until; /* "until friday" with no repeat: due friday */
        a->has_until = false;
        if (a->has_start && a->day.kind == DAY_NONE)
            a->day = a->start;
    } else {
        for (int p = 0; p < c.n_pending; p++)
            mark(&c, c.pending[p].from, c.pending[p].to);
        if (a->count)
            count_of(a, c.count_unit);
    }
    if (c.n_read == 0)
        return 0;
    for (int i = 1; i + 1 < c.n; i++) /* a comma between two phrases ("Monday, 9:00") */
        if (is_p(&c, i, ',') && used[toks[i - 1].start] && used[toks[i + 1].start])
            used[toks[i].start] = 1;
    nlp_when_resolve(a, now_ms, tz, out);
    return c.n_read;
}
