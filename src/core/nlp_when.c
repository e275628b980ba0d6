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

#include "core/nlp_when_internal.h"
#include "core/nlp_when_lex.h"
#include "core/tz.h"

#define MAX_TOKENS 256
#define MINUTE_MS  60000LL
#define HOUR_MS    3600000LL
#define DAY_MS     86400000LL

struct ctx {
    const char *text;
    const struct lex_tok *t;
    int n;
    bool month_first; /* numeric dates are month/day (America/New_York) */
    struct when_acc acc;
    unsigned char *used;
    int n_read;
    int n_pending; /* phrases kept only when a repeat is read ("10 times", "after done") */
    struct {
        int from, to;
    } pending[4];
    int count_unit; /* the unit of "for N weeks" (-1: "N times") */
};

/* A number of units: minutes and hours as elapsed ms, the rest as a count of units. */
struct dur {
    enum unit unit;
    int n;
    int64_t ms;
};

static bool is_w(const struct ctx *c, int i, enum word_id id)
{
    return i >= 0 && i < c->n && c->t[i].kind == TOK_WORD && c->t[i].id == id;
}

static bool is_num(const struct ctx *c, int i)
{
    return i >= 0 && i < c->n && c->t[i].kind == TOK_NUM;
}

static bool is_p(const struct ctx *c, int i, char ch)
{
    return i >= 0 && i < c->n && c->t[i].kind == TOK_PUNCT && c->t[i].val == ch;
}

/* Token i follows token i-1 with no space between. */
static bool attached(const struct ctx *c, int i)
{
    return i < c->n && !c->t[i].space_before;
}

static bool is_lead(const struct ctx *c, int i)
{
    return is_w(c, i, W_ON) || is_w(c, i, W_AT) || is_w(c, i, W_BY) || is_w(c, i, W_DUE) ||
           is_p(c, i, '@') || is_w(c, i, W_FOR) || is_w(c, i, W_BEFORE) || is_w(c, i, W_REPEAT) ||
           is_w(c, i, W_LATER) || is_w(c, i, W_EARLY) || is_w(c, i, W_BETWEEN) ||
           is_w(c, i, W_FROM);
}

/* Words after which a short or numeric form is surely a date ("on 5/3", "this sat"). */
static bool date_lead(const struct ctx *c, int i)
{
    return is_lead(c, i) || is_w(c, i, W_THIS) || is_w(c, i, W_NEXT) || is_w(c, i, W_EVERY) ||
           is_w(c, i, W_UNTIL) || is_w(c, i, W_STARTING) || is_w(c, i, W_FROM);
}

/* What follows a phrase that only may be a date ("the 3rd", "sat", "5/3"): the end,
 * punctuation, a number, or a word the date vocabulary knows. ("the 3rd floor" is no date.) */
static bool date_context(const struct ctx *c, int start, int end, bool strict)
{
    if (date_lead(c, start - 1))
        return true;
    if (end >= c->n)
        return true;
    const struct lex_tok *t = &c->t[end];
    if (t->kind == TOK_PUNCT)
        return t->val != '/' && t->val != '-' && t->val != '%';
    if (t->kind == TOK_NUM)
        return true;
    if (strict)
        return t->id == W_AT || t->id == W_PART || t->id == W_TONIGHT || t->id == W_BY ||
               t->id == W_MONTHNAME || t->id == W_EVERY || t->id == W_MIDNIGHT;
    return t->id != W_UNKNOWN;
}

/* A word outside the date vocabulary follows: the word before it is an adjective ("the 3rd
 * floor", "the night shift", "weekly report"). */
static bool noun_follows(const struct ctx *c, int k)
{
    return k < c->n && c->t[k].kind == TOK_WORD && c->t[k].id == W_UNKNOWN;
}

/* Marks tokens [from, to) and the lead words just before them ("on", "at", "by", "due"). */
static void mark(struct ctx *c, int from, int to)
{
    assert(from >= 0 && to <= c->n && from < to);
    while (from > 0 && is_lead(c, from - 1) && !c->used[c->t[from - 1].start])
        from--;
    for (int b = c->t[from].start; b < c->t[to - 1].end; b++)
        c->used[b] = 1;
    c->n_read++;
}

/* An integer: digits, a number word ("two", "twenty five"), or "a"/"an" when allow_a. */
static int read_int(const struct ctx *c, int i, int *v, bool allow_a)
{
    if (is_num(c, i) && c->t[i].ndigits <= 4) {
        *v = c->t[i].val;
        return i + 1;
    }
    if (is_w(c, i, W_NUMW)) {
        *v = c->t[i].val;
        int j = i + 1;
        if (is_p(c, j, '-') && attached(c, j))
            j++;
        if (*v >= 20 && is_w(c, j, W_NUMW) && c->t[j].val < 10) {
            *v += c->t[j].val;
            return j + 1;
        }
        return i + 1;
    }
    if (allow_a && is_w(c, i, W_A)) {
        *v = 1;
        return i + 1;
    }
    return -1;
}

/* An ordinal day number: "15th", "1st" (digits with a suffix), or "first".."fifth". */
static int read_ordinal(const struct ctx *c, int i, int *v, bool words)
{
    if (is_num(c, i) && c->t[i].ndigits <= 2 && is_w(c, i + 1, W_ORDSUF) && attached(c, i + 1)) {
        *v = c->t[i].val;
        return i + 2;
    }
    if (words && is_w(c, i, W_ORDW) && c->t[i].val > 0) {
        *v = c->t[i].val;
        return i + 1;
    }
    return -1;
}

static void set_dur(struct dur *d, enum unit u, int n)
{
    d->unit = u;
    d->n = n;
    d->ms = u == U_MINUTE ? n * MINUTE_MS : u == U_HOUR ? n * HOUR_MS : 0;
}

/* "30 minutes", "an hour", "half an hour", "a couple of days", "2hrs", "an hour and a half". */
static int read_dur(const struct ctx *c, int i, struct dur *d)
{
    int j = i, n = 1;
    if (is_w(c, j, W_HALF)) {
        j++;
        if (is_w(c, j, W_A))
            j++;
        if (!is_w(c, j, W_UNIT) || c->t[j].val != U_HOUR)
            return -1;
        set_dur(d, U_MINUTE, 30);
        return j + 1;
    }
    bool a = is_w(c, j, W_A);
    if (a && is_w(c, j + 1, W_COUPLE))
        j++;
    if (is_w(c, j, W_COUPLE)) {
        n = c->t[j].val;
        j++;
        if (is_w(c, j, W_OF))
            j++;
    } else {
        j = read_int(c, j, &n, true);
        if (j < 0)
            return -1;
    }
    if (!is_w(c, j, W_UNIT) || n <= 0 || n > 1000)
        return -1;
    if ((c->t[j].flags & LEXF_ABBR) && !attached(c, j))
        return -1; /* "2 h" is not "2h" */
    set_dur(d, (enum unit)c->t[j].val, n);
    j++;
    if (d->unit == U_HOUR && is_w(c, j, W_AND) && is_w(c, j + 1, W_A) && is_w(c, j + 2, W_HALF)) {
        set_dur(d, U_MINUTE, n * 60 + 30);
        j += 3;
    }
    return j;
}

/* "am", "pm", "a.m.", "p.m."; returns the end or -1. */
static int read_ampm(const struct ctx *c, int i, bool *pm)
{
    if (is_w(c, i, W_AM) || is_w(c, i, W_PM)) {
        *pm = is_w(c, i, W_PM);
        return i + 1;
    }
    if (i + 2 < c->n && c->t[i].kind == TOK_WORD && c->t[i].end - c->t[i].start == 1 &&
        is_p(c, i + 1, '.') && c->t[i + 2].kind == TOK_WORD &&
        c->t[i + 2].end - c->t[i + 2].start == 1) {
        char a = (char)(c->text[c->t[i].start] | 0x20),
             m = (char)(c->text[c->t[i + 2].start] | 0x20);
        if ((a == 'a' || a == 'p') && m == 'm') {
            *pm = a == 'p';
            return is_p(c, i + 3, '.') ? i + 4 : i + 3;
        }
    }
    return -1;
}

/* A part of the day follows ("7 tonight", "9 in the morning", "8 this evening"). */
static bool part_follows(const struct ctx *c, int j)
{
    if (is_w(c, j, W_TONIGHT) || is_w(c, j, W_PART))
        return true;
    return (is_w(c, j, W_IN) && is_w(c, j + 1, W_THE) && is_w(c, j + 2, W_PART)) ||
           (is_w(c, j, W_THIS) && is_w(c, j + 1, W_PART));
}

/* "half past 5", "quarter past 3", "quarter to 5" (hours read as a bare clock). */
static int read_past_to(const struct ctx *c, int i, int *h, int *m)
{
    int j = i + (is_w(c, i, W_A) ? 1 : 0), min, hour;
    if (is_w(c, j, W_HALF))
        min = 30;
    else if (is_w(c, j, W_UNIT) && c->t[j].val == U_QUARTER)
        min = 15;
    else
        return -1;
    bool to = is_w(c, j + 1, W_TO);
    if (!to && !is_w(c, j + 1, W_PAST))
        return -1;
    int k = read_int(c, j + 2, &hour, false);
    if (k < 0 || hour < 1 || hour > 12 || (to && min == 30))
        return -1;
    *h = to ? (hour == 1 ? 12 : hour - 1) : hour;
    *m = to ? 60 - min : min;
    return k;
}

/* A 24-hour form taken as written: a leading zero ("08:15"), "1730", "17h". */
static bool colon_24(const struct ctx *c, int i)
{
    const struct lex_tok *t = &c->t[i];
    return (t->ndigits == 2 && t->val < 10) || t->ndigits > 2 ||
           (is_w(c, i + 1, W_UNIT) && c->t[i + 1].val == U_HOUR && attached(c, i + 1));
}

/* A clock time: "5pm", "5:30 pm", "17:00", "0930", "at 6", "by 3", "7 o'clock". */
static int read_clock(const struct ctx *c, int i, int *h, int *m, bool *bare)
{
    int past = read_past_to(c, i, h, m);
    if (past > 0) {
        bool pm;
        int e = read_ampm(c, past, &pm);
        *bare = e < 0;
        if (e > 0)
            *h = *h % 12 + (pm ? 12 : 0);
        return e > 0 ? e : past;
    }
    if (!is_num(c, i))
        return -1;
    const struct lex_tok *t = &c->t[i];
    bool lead = is_w(c, i - 1, W_AT) || is_w(c, i - 1, W_BY) || is_p(c, i - 1, '@') ||
                is_w(c, i - 1, W_FROM) || is_w(c, i - 1, W_BETWEEN);
    int j = i + 1, hour = t->val, min = 0;
    bool colon = false, pm;
    if (t->ndigits == 3 || t->ndigits == 4) {
        hour = t->val / 100;
        min = t->val % 100;
        colon = true;
    } else if (t->ndigits > 2) {
        return -1;
    } else if (is_w(c, j, W_UNIT) && c->t[j].val == U_HOUR && (c->t[j].flags & LEXF_ABBR) &&
               attached(c, j)) {
        colon = true; /* "17h", "18h30" */
        j++;
        if (is_num(c, j) && attached(c, j) && c->t[j].ndigits == 2)
            min = c->t[j++].val;
    } else if ((is_p(c, j, ':') || is_p(c, j, '.')) && attached(c, j) && is_num(c, j + 1) &&
               attached(c, j + 1) && c->t[j + 1].ndigits == 2) {
        bool dot = is_p(c, j, '.');
        bool after_ok;
        int k = read_ampm(c, j + 2, &pm);
        after_ok = k > 0 || lead;
        if (!dot || after_ok) {
            min = c->t[j + 1].val;
            colon = true;
            j += 2;
        }
    }
    if (min > 59 || hour > 23)
        return -1;
    int k = read_ampm(c, j, &pm);
    if (k > 0) {
        if (hour < 1 || hour > 12)
            return -1;
        *h = hour % 12 + (pm ? 12 : 0);
        *m = min;
        *bare = false;
        return k + is_w(c, k, W_ISH);
    }
    bool oclock = is_w(c, j, W_OCLOCK);
    if (!colon && !lead && !oclock && !part_follows(c, j))
        return -1;
    if ((t->ndigits >= 3) && !lead)
        return -1; /* "2025" alone is a number, not 20:25 */
    *h = hour;
    *m = min;
    *bare = !colon_24(c, i) && hour >= 1 && hour <= 12;
    j += oclock;
    return j + is_w(c, j, W_ISH);
}

/* A list of weekdays: "monday", "mon, wed and fri", "mondays and thursdays". */
static int read_wdays(const struct ctx *c, int i, int *mask, bool *plural, bool *abbr)
{
    if (!is_w(c, i, W_WDAY))
        return -1;
    int j = i, end = -1;
    *mask = 0;
    *plural = false;
    *abbr = false;
    while (is_w(c, j, W_WDAY)) {
        *mask |= 1 << c->t[j].val;
        *plural |= (c->t[j].flags & LEXF_PLURAL) != 0;
        *abbr |= (c->t[j].flags & LEXF_ABBR) != 0;
        end = ++j;
        if (is_p(c, j, ',') && is_w(c, j + 1, W_AND))
            j++;
        if ((is_p(c, j, ',') || is_w(c, j, W_AND) || is_p(c, j, '&')) && is_w(c, j + 1, W_WDAY))
            j++;
    }
    return end;
}

/* A 4-digit year after a date ("Jan 27 2027", "Jan 27, 2027"). */
static int read_year(const struct ctx *c, int i, int *year)
{
    int j = is_p(c, i, ',') ? i + 1 : i;
    if (is_num(c, j) && c->t[j].ndigits == 4 && c->t[j].val >= 1970 && c->t[j].val <= 2200) {
        *year = c->t[j].val;
        return j + 1;
    }
    return i;
}

static bool valid_md(int month, int dom, int year)
{
    if (month < 1 || month > 12 || dom < 1 || (year && (year < 1970 || year > 2200)))
        return false;
    return dom <= (year ? nlp_days_in_month(year, month)
                        : (month == 2 ? 29 : nlp_days_in_month(2001, month)));
}

/* "Jan 27", "January 27th, 2027", "27 Jan", "27th of January 2027", "the 27th of Jan". */
static int read_md(const struct ctx *c, int i, struct dayref *r)
{
    int j = i, dom, month, year = 0;
    if (is_w(c, j, W_MONTHNAME)) {
        month = c->t[j].val;
        j++;
        if ((c->t[j - 1].flags & LEXF_ABBR) && is_p(c, j, '.') && attached(c, j))
            j++; /* "Dec. 25" */
        if (is_w(c, j, W_THE))
            j++;
        int k = read_ordinal(c, j, &dom, false);
        if (k < 0 && is_num(c, j) && c->t[j].ndigits <= 2 && !is_p(c, j + 1, ':')) {
            dom = c->t[j].val;
            k = j + 1;
        }
        if (k < 0)
            return -1;
        j = k;
    } else {
        if (is_w(c, j, W_THE))
            j++;
        int k = read_ordinal(c, j, &dom, false);
        if (k < 0 && is_w(c, j, W_ORDW) && c->t[j].val > 0 && is_w(c, j + 1, W_OF))
            k = j + 1, dom = c->t[j].val; /* "the first of January" */
        if (k < 0 && is_num(c, j) && c->t[j].ndigits <= 2)
            k = j + 1, dom = c->t[j].val;
        if (k < 0)
            return -1;
        j = k;
        if (is_w(c, j, W_OF))
            j++;
        if (!is_w(c, j, W_MONTHNAME))
            return -1;
        month = c->t[j].val;
        j++;
    }
    j = read_year(c, j, &year);
    if (!valid_md(month, dom, year))
        return -1;
    r->kind = DAY_MD;
    r->month = month;
    r->dom = dom;
    r->year = year;
    return j;
}

/* "12/24", "24/12/2026", "24.12.", "24.12.2026", "2026-12-24". */
static int read_numeric(const struct ctx *c, int i, struct dayref *r)
{
    if (!is_num(c, i))
        return -1;
    int a = c->t[i].val, b, year = 0, month, dom, j;
    if (c->t[i].ndigits == 4 && (is_p(c, i + 1, '-') || is_p(c, i + 1, '/')) && is_num(c, i + 2) &&
        is_p(c, i + 3, (char)c->t[i + 1].val) && is_num(c, i + 4) && attached(c, i + 1) &&
        attached(c, i + 2) && attached(c, i + 3) && attached(c, i + 4)) {
        year = a, month = c->t[i + 2].val, dom = c->t[i + 4].val, j = i + 5;
    } else if (c->t[i].ndigits <= 2 && (is_p(c, i + 1, '/') || is_p(c, i + 1, '.')) &&
               attached(c, i + 1) && is_num(c, i + 2) && attached(c, i + 2) &&
               c->t[i + 2].ndigits <= 2) {
        char sep = (char)c->t[i + 1].val;
        b = c->t[i + 2].val;
        j = i + 3;
        bool has_year = is_p(c, j, sep) && attached(c, j) && is_num(c, j + 1) &&
                        attached(c, j + 1) &&
                        (c->t[j + 1].ndigits == 4 || c->t[j + 1].ndigits == 2);
        if (has_year) {
            year = c->t[j + 1].val;
            year += year < 100 ? 2000 : 0;
            j += 2;
        } else if (sep == '.') {
            if (!is_p(c, j, '.') || !attached(c, j))
                return -1; /* "24.12" may be an amount; "24.12." is a date */
            j++;
        }
        bool md = sep == '/' && c->month_first;
        month = md ? a : b;
        dom = md ? b : a;
    } else {
        return -1;
    }
    if (!valid_md(month, dom, year))
        return -1;
    r->kind = DAY_MD;
    r->month = month;
    r->dom = dom;
    r->year = year;
    return j;
}

/* "end of (the) week/month/year", "eom". */
static int read_end_of(const struct ctx *c, int i, struct dayref *r)
{
    if (is_w(c, i, W_EOX)) {
        r->kind = (enum day_kind)c->t[i].val;
        return i + 1;
    }
    int j = i;
    if (is_w(c, j, W_THE))
        j++;
    if (!is_w(c, j, W_END) || !is_w(c, j + 1, W_OF))
        return -1;
    j += 2;
    bool next = is_w(c, j, W_NEXT);
    if (is_w(c, j, W_THE) || is_w(c, j, W_THIS) || next)
        j++;
    if (!is_w(c, j, W_UNIT))
        return -1;
    int u = c->t[j].val;
    if (u == U_WEEK)
        r->kind = next ? DAY_NEXTEOW : DAY_EOW;
    else if (u == U_MONTH)
        r->kind = next ? DAY_NEXTEOM : DAY_EOM;
    else if (u == U_YEAR)
        r->kind = next ? DAY_NEXTEOY : DAY_EOY;
    else
        return -1;
    return j + 1;
}

/* "this/next" + week, month, year, weekend or weekdays. */
static int read_this_next(const struct ctx *c, int i, struct dayref *r)
{
    bool next = is_w(c, i, W_NEXT);
    if (!next && !is_w(c, i, W_THIS))
        return -1;
    int j = i + 1, mask;
    if (!next && is_w(c, j, W_THIS))
        j++; /* "this coming friday" */
    bool plural, abbr;
    int k = read_wdays(c, j, &mask, &plural, &abbr);
    if (k > 0 && !plural) {
        r->kind = DAY_WDAY;
        r->wmask = mask;
        r->wmod = next ? WMOD_NEXT : WMOD_THIS;
        return k;
    }
    if (is_w(c, j, W_WEEKEND) && !(c->t[j].flags & LEXF_PLURAL)) {
        r->kind = DAY_WEEKEND;
        r->n = next ? 1 : 0;
        return j + 1;
    }
    if (!is_w(c, j, W_UNIT) || (c->t[j].flags & LEXF_PLURAL))
        return -1;
    static const enum day_kind this_kind[] = {DAY_NONE, DAY_NONE, DAY_NONE, DAY_EOW,
                                              DAY_EOM,  DAY_EOY,  DAY_NONE, DAY_NONE};
    static const enum day_kind next_kind[] = {DAY_NONE,       DAY_NONE,      DAY_NONE, DAY_NEXTWEEK,
                                              DAY_MONTHSTART, DAY_YEARSTART, DAY_NONE, DAY_NONE};
    enum day_kind kind = (next ? next_kind : this_kind)[c->t[j].val];
    if (kind == DAY_NONE)
        return -1;
    r->kind = kind;
    r->n = 1;
    return j + 1;
}

/* "the 15th", "on the 1st", "on the third", "the 5th of next month": a day of the month;
 * "the 3rd floor" is not. */
static int read_dom(const struct ctx *c, int j, struct dayref *r)
{
    int dom, k = is_w(c, j, W_THE) ? j + 1 : j;
    bool lead = date_lead(c, j - 1) || is_w(c, j - 1, W_THE);
    k = read_ordinal(c, k, &dom, lead && is_w(c, j, W_THE));
    if (k < 0 || dom < 1 || dom > 31 || !(is_w(c, j, W_THE) || date_lead(c, j - 1)))
        return -1;
    if (is_w(c, k, W_OF) && is_w(c, k + 1, W_NEXT) && is_w(c, k + 2, W_UNIT) &&
        c->t[k + 2].val == U_MONTH) {
        r->kind = DAY_MONTHSTART;
        r->n = 1;
        r->dom = dom;
        return k + 3;
    }
    /* before a noun, only a repeat or "on the 15th" (too high for a floor) make it a day */
    bool noun_ok =
        !noun_follows(c, k) || c->acc.freq == FREQ_MONTHLY || (dom > 10 && date_lead(c, j - 1));
    if (!noun_ok || !date_context(c, j, k, false))
        return -1;
    r->kind = DAY_DOM;
    r->dom = dom;
    return k;
}

/* "christmas", "xmas eve", "new year's eve", "halloween", "valentine's day"; not before a noun
 * ("christmas party") unless a lead word says it is the day ("on christmas"). */
static int read_holiday(const struct ctx *c, int j, struct dayref *r)
{
    int k = j, mmdd;
    if (is_w(c, k, W_HOLIDAY)) {
        mmdd = c->t[k].val;
        k++;
    } else if (is_w(c, k, W_NEW) && (is_w(c, k + 1, W_YEARPOSS) ||
                                     (is_w(c, k + 1, W_UNIT) && c->t[k + 1].val == U_YEAR))) {
        mmdd = 101;
        k += 2;
        if (is_w(c, k, W_UNIT) && c->t[k].val == U_DAY)
            k++;
        else if (is_w(c, k, W_EVE))
            mmdd = 1231, k++;
        else
            return -1;
    } else {
        return -1;
    }
    if (mmdd == 1225 && is_w(c, k, W_EVE))
        mmdd = 1224, k++;
    else if (is_w(c, k, W_UNIT) && c->t[k].val == U_DAY && !(c->t[k].flags & LEXF_PLURAL))
        k++;
    if ((noun_follows(c, k) && !date_lead(c, j - 1)) || is_num(c, k))
        return -1; /* "christmas party", "xmas 24.12." */
    r->kind = DAY_MD;
    r->month = mmdd / 100;
    r->dom = mmdd % 100;
    return k;
}

/* A date right after a weekday ("friday the 11th", "Fri, Dec 11"): the date is the day. */
static int read_date_after_wday(const struct ctx *c, int k, struct dayref *r)
{
    int m = k + is_p(c, k, ',');
    struct dayref d;
    memset(&d, 0, sizeof d);
    int e = read_md(c, m, &d);
    if (e < 0)
        e = read_numeric(c, m, &d);
    if (e < 0 && is_w(c, m, W_THE))
        e = read_dom(c, m, &d);
    if (e < 0)
        return -1;
    *r = d;
    return e;
}

/* A day: today, tomorrow, weekdays, dates, "next week", "end of month", "this weekend". */
static int read_day(const struct ctx *c, int i, struct dayref *r)
{
    memset(r, 0, sizeof *r);
    int j = i, k, mask;
    bool plural, abbr;
    if (is_w(c, j, W_LATER) && is_w(c, j + 1, W_TODAY))
        j++;
    if (is_w(c, j, W_TODAY) || is_w(c, j, W_TOMORROW)) {
        r->kind = DAY_OFFSET;
        r->n = is_w(c, j, W_TOMORROW);
        return j + 1;
    }
    k = is_w(c, j, W_THE) ? j + 1 : j;
    if (is_w(c, k, W_UNIT) && c->t[k].val == U_DAY && is_w(c, k + 1, W_AFTER) &&
        is_w(c, k + 2, W_TOMORROW)) {
        r->kind = DAY_OFFSET;
        r->n = 2;
        return k + 3;
    }
    if (is_w(c, k, W_UNIT) && c->t[k].val == U_WEEK && is_w(c, k + 1, W_AFTER) &&
        is_w(c, k + 2, W_NEXT)) {
        r->kind = DAY_NEXTWEEK; /* "the week after next" */
        r->n = 2;
        return k + 3;
    }
    if ((k = read_this_next(c, j, r)) > 0 || (k = read_end_of(c, j, r)) > 0)
        return k;
    k = j;
    if (is_w(c, k, W_OVER) || is_w(c, k, W_THE)) {
        k += is_w(c, k, W_OVER);
        k += is_w(c, k, W_THE);
    }
    if (is_w(c, k, W_WEEKEND) && !(c->t[k].flags & LEXF_PLURAL)) {
        r->kind = DAY_WEEKEND;
        return k + 1;
    }
    k = read_wdays(c, j, &mask, &plural, &abbr);
    if (k > 0 && !plural && (!abbr || date_context(c, j, k, true))) {
        int e = read_date_after_wday(c, k, r);
        if (e > 0)
            return e;
        r->kind = DAY_WDAY;
        r->wmask = mask;
        return k;
    }
    if ((k = read_md(c, j, r)) > 0 || (k = read_holiday(c, j, r)) > 0)
        return k;
    if ((k = read_numeric(c, j, r)) > 0)
        return date_context(c, j, k, false) ? k : -1;
    return read_dom(c, j, r);
}

/* The end of a time range after its start ("10am-11am", "2pm to 4pm", "between 2 and 4"):
 * the task is due at the start; the end is read and left out of the title. */
static int range_end(const struct ctx *c, int k)
{
    bool between = false;
    for (int b = k - 1; b >= 0 && b >= k - 4; b--)
        between |= is_w(c, b, W_BETWEEN);
    if (!(is_p(c, k, '-') || is_w(c, k, W_TO) || is_w(c, k, W_UNTIL) ||
          (between && is_w(c, k, W_AND))))
        return k;
    int h, m, e;
    bool bare, pm;
    if (is_num(c, k + 1) && c->t[k + 1].ndigits <= 2 && c->t[k + 1].val <= 24) {
        e = read_clock(c, k + 1, &h, &m, &bare);
        if (e < 0) {
            e = k + 2;
            int a = read_ampm(c, e, &pm);
            e = a > 0 ? a : e;
        }
        return e;
    }
    return k;
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
                      is_w(c, j - 1, W_WDAY) || is_lead(c, j - 1) || is_num(c, j - 1);
    if (k == j && noun_follows(c, k + 1) && !day_before)
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
    k = read_clock(c, j, &h, &m, &bare);
    if (k < 0 || a->has_clock)
        return -1;
    a->has_clock = true;
    a->hour = h;
    a->minute = m;
    a->clock_bare = bare;
    return range_end(c, k);
}

/* Token k ends a phrase: the end, punctuation, "it", "and", or the start of another date. */
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
    case W_WDAY:
    case W_TODAY:
    case W_TOMORROW:
    case W_TONIGHT:
    case W_NEXT:
    case W_THIS:
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
        int e = read_dur(c, k, &d);
        if (e < 0 && is_w(c, k, W_THE) && is_w(c, k + 1, W_UNIT) && c->t[k + 1].val == U_DAY &&
            !(c->t[k + 1].flags & LEXF_PLURAL)) {
            set_dur(&d, U_DAY, 1);
            e = k + 2;
        }
        if (e < 0 || d.unit > U_WEEK)
            return -1;
        ms[n++] = d.ms ? d.ms : (int64_t)d.n * (d.unit == U_WEEK ? 7 : 1) * DAY_MS;
        k = e;
        if ((is_w(c, k, W_AND) || is_p(c, k, ',')) && !is_w(c, k + 1, W_AT)) {
            int m = k + 1 + (is_p(c, k, ',') && is_w(c, k + 1, W_AND));
            struct dur d2;
            if (read_dur(c, m, &d2) > 0 || is_w(c, m, W_THE)) {
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
    int k = read_clock(c, j, &h, &m, &bare);
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

/* "after I finish it", "after done", "from when I complete it", "3 days after completion". */
static int rule_completion(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    struct dur d;
    int j = read_dur(c, i, &d);
    bool interval = j > 0;
    if (!interval)
        j = i;
    if (is_w(c, j, W_FROM) && is_w(c, j + 1, W_WHEN))
        j += 2;
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
        if (unit_freq[d.unit] == FREQ_NONE)
            return -1;
        a->freq = unit_freq[d.unit];
        a->interval = d.n * unit_mult[d.unit];
    }
    a->from_completion = true;
    return j;
}

static bool set_freq(struct when_acc *a, enum freq f, int interval)
{
    if (a->freq != FREQ_NONE)
        return false;
    a->freq = f;
    a->interval = interval;
    return true;
}

/* "the last friday of the month", "first monday of every month", "last weekday of the
 * month", "the last day of the month", "the 15th of every month": monthly. */
static int rule_of_month(struct ctx *c, int i)
{
    struct when_acc *a = &c->acc;
    int j = is_w(c, i, W_THE) ? i + 1 : i, pos, mask = 0;
    int k = read_ordinal(c, j, &pos, true);
    if (k < 0 && is_w(c, j, W_ORDW))
        pos = -1, k = j + 1;
    if (k < 0)
        return -1;
    bool plural, abbr, day = false;
    int m = read_wdays(c, k, &mask, &plural, &abbr);
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
    if (!of_month && !(a->freq == FREQ_MONTHLY && !day && !a->bydaymask))
        return -1;
    if (day ? (pos < -1 || pos == 0 || pos > 31) : (pos < -1 || pos == 0 || pos > 5))
        return -1;
    if (a->freq != FREQ_NONE && a->freq != FREQ_MONTHLY)
        return -1;
    if (a->freq == FREQ_NONE)
        set_freq(a, FREQ_MONTHLY, 1);
    if (day) {
        a->bymonthday = pos;
    } else {
        a->bydaymask = mask;
        a->bysetpos = pos;
    }
    return of_month ? m + 3 : m;
}

/* After "every [other|N|Nth]": a unit, weekdays, a part of the day, a date. */
static int every_what(struct ctx *c, int j, int interval)
{
    struct when_acc *a = &c->acc;
    int mask, k;
    bool plural, abbr;
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
    if ((k = read_wdays(c, j, &mask, &plural, &abbr)) > 0) {
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
    if (interval == 1 && (k = read_md(c, j, &r)) > 0 && !r.year) {
        if (!set_freq(a, FREQ_YEARLY, 1))
            return -1;
        a->bymonth = r.month;
        a->bymonthday = r.dom;
        return k;
    }
    if (interval == 1 && (k = rule_of_month(c, j)) > 0)
        return k;
    int dom;
    if (interval == 1 && (k = read_ordinal(c, j, &dom, false)) > 0 && dom >= 1 && dom <= 31) {
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
    if (!is_w(c, j, W_EVERY))
        return -1;
    j++;
    int k;
    if (is_w(c, j, W_OTHER)) {
        interval = 2;
        j++;
    } else if ((k = read_ordinal(c, j, &interval, true)) > 0 && interval >= 2 &&
               (is_w(c, k, W_UNIT) || is_w(c, k, W_WDAY))) {
        j = k;
    } else if ((k = read_int(c, j, &interval, false)) > 0 && is_w(c, k, W_UNIT)) {
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
        if (noun_follows(c, i + 1))
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
    int k = read_wdays(c, i, &mask, &plural, &abbr);
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
    int k = read_day(c, i + 1, &a->until);
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
    int k = read_day(c, j, &a->start);
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
    if ((k = read_int(c, i, &n, false)) > 0 && is_w(c, k, W_TIMES) && n >= 1 && n <= 1000) {
        a->count = n;
        c->count_unit = -1;
        return k + 1;
    }
    struct dur d;
    int j = i + 1;
    if (is_w(c, j, W_THE) && is_w(c, j + 1, W_NEXT))
        j += 2; /* "for the next 3 weeks" */
    if (is_w(c, i, W_FOR) && (k = read_dur(c, j, &d)) > 0 && d.unit >= U_DAY && d.unit <= U_YEAR &&
        d.n <= 1000) {
        a->count = d.n;
        c->count_unit = (int)d.unit;
        return k;
    }
    return -1;
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
    if ((k = read_dur(c, j, &d)) < 0)
        return -1;
    int base = 0;
    if (in && is_p(c, k, '\'') && is_w(c, k + 1, W_TIMEWORD))
        k += 2; /* "in two weeks' time" */
    else if (in && is_w(c, k, W_TIMEWORD))
        k++;
    if (!in) {
        if (is_w(c, k, W_FROM) && (is_w(c, k + 1, W_NOW) || is_w(c, k + 1, W_TODAY)))
            k += 2;
        else if (is_w(c, k, W_FROM) && is_w(c, k + 1, W_TOMORROW))
            k += 2, base = 1;
        else if (is_w(c, k, W_LATER))
            k += 1;
        else
            return -1;
    }
    if (d.ms) {
        if (a->elapsed || base)
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
        a->day.n = d.n * unit_days[d.unit] + base;
    } else {
        if (base)
            return -1;
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
        if ((k = read_day(c, i, &r)) > 0) {
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
 * weeks"); "every day for 2 weeks" = 14, "every mon and thu for 4 weeks" = 8. */
static int count_of(const struct when_acc *a, int unit)
{
    int days = 0;
    for (int t = 0; t < 7; t++)
        days += (a->bydaymask >> t) & 1;
    int n = a->count;
    if (unit == U_WEEK && a->freq == FREQ_DAILY)
        n *= 7;
    else if (unit == U_WEEK && a->freq == FREQ_WEEKLY && days > 1 && a->interval <= 1)
        n *= days;
    return n > 1000 ? 1000 : n;
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
        a->count = count_of(a, c.count_unit);
    }
    if (c.n_read == 0)
        return 0;
    nlp_when_resolve(a, now_ms, tz, out);
    return c.n_read;
}
