/* nlp_when_phrase.c - the date reader's phrase readers: the small pieces its rules
 * (nlp_when.c) are built from - numbers and number words, durations, clock times, weekday
 * lists, and every written form of a day (relative words, month names, numeric and ISO
 * dates, days of the month, holidays). Each reads at a token index and returns the index
 * after what it read, or -1; none changes anything but its out-parameters. */
#include "core/nlp_when_grammar.h"

#include <assert.h>
#include <string.h>
#include <strings.h>

bool when_is_lead(const struct ctx *c, int i)
{
    return is_w(c, i, W_ON) || is_w(c, i, W_AT) || is_w(c, i, W_BY) || is_w(c, i, W_DUE) ||
           is_p(c, i, '@') || is_w(c, i, W_FOR) || is_w(c, i, W_BEFORE) || is_w(c, i, W_REPEAT) ||
           is_w(c, i, W_LATER) || is_w(c, i, W_EARLY) || is_w(c, i, W_BETWEEN) ||
           is_w(c, i, W_FROM);
}

/* Words after which a short or numeric form is surely a date ("on 5/3", "this sat"). */
bool when_date_lead(const struct ctx *c, int i)
{
    return when_is_lead(c, i) || is_w(c, i, W_THIS) || is_w(c, i, W_NEXT) || is_w(c, i, W_EVERY) ||
           is_w(c, i, W_UNTIL) || is_w(c, i, W_STARTING) || is_w(c, i, W_FROM);
}

/* What follows a phrase that only may be a date ("the 3rd", "sat", "5/3"): the end,
 * punctuation, a number, or a word the date vocabulary knows. ("the 3rd floor" is no date.) */
bool when_date_context(const struct ctx *c, int start, int end, bool strict)
{
    if (when_date_lead(c, start - 1))
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
               t->id == W_NEXT || t->id == W_MONTHNAME || t->id == W_EVERY || t->id == W_MIDNIGHT;
    return t->id != W_UNKNOWN;
}

/* A word outside the date vocabulary follows: the word before it is an adjective ("the 3rd
 * floor", "the night shift", "weekly report"). */
bool when_noun_follows(const struct ctx *c, int k)
{
    return k < c->n && c->t[k].kind == TOK_WORD && c->t[k].id == W_UNKNOWN;
}

/* An integer: digits, a number word ("two", "twenty five"), or "a"/"an" when allow_a. */
int when_read_int(const struct ctx *c, int i, int *v, bool allow_a)
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
int when_read_ordinal(const struct ctx *c, int i, int *v, bool words)
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

void when_set_dur(struct dur *d, enum unit u, int n)
{
    d->unit = u;
    d->n = n;
    d->ms = u == U_MINUTE ? n * MINUTE_MS : u == U_HOUR ? n * HOUR_MS : 0;
}

/* "30 minutes", "an hour", "half an hour", "a couple of days", "2hrs", "an hour and a half". */
int when_read_dur(const struct ctx *c, int i, struct dur *d)
{
    int j = i, n = 1;
    if (is_w(c, j, W_HALF)) {
        j++;
        if (is_w(c, j, W_A))
            j++;
        if (!is_w(c, j, W_UNIT) || c->t[j].val != U_HOUR)
            return -1;
        when_set_dur(d, U_MINUTE, 30);
        return j + 1;
    }
    bool a = is_w(c, j, W_A);
    int q = j + a;
    if (is_w(c, q, W_UNIT) && c->t[q].val == U_QUARTER &&
        ((is_w(c, q + 1, W_OF) && is_w(c, q + 2, W_A) && is_w(c, q + 3, W_UNIT) &&
          c->t[q + 3].val == U_HOUR) ||
         (is_w(c, q + 1, W_UNIT) && c->t[q + 1].val == U_HOUR))) {
        when_set_dur(d, U_MINUTE, 15); /* "a quarter of an hour", "quarter hour" */
        return is_w(c, q + 1, W_OF) ? q + 4 : q + 2;
    }
    if (a && is_w(c, j + 1, W_COUPLE))
        j++;
    if (is_w(c, j, W_COUPLE)) {
        n = c->t[j].val;
        j++;
        if (is_w(c, j, W_OF))
            j++;
    } else if (is_num(c, j) && is_p(c, j + 1, '.') && is_num(c, j + 2) && attached(c, j + 1) &&
               attached(c, j + 2) && c->t[j + 2].ndigits == 1 && is_w(c, j + 3, W_UNIT) &&
               c->t[j + 3].val == U_HOUR && c->t[j].val < 1000) {
        /* "1.5 hours" */
        when_set_dur(d, U_MINUTE, c->t[j].val * 60 + c->t[j + 2].val * 6);
        return j + 4;
    } else {
        j = when_read_int(c, j, &n, true);
        if (j < 0)
            return -1;
    }
    int half = 0;
    if (is_w(c, j, W_AND) && is_w(c, j + 1, W_A) && is_w(c, j + 2, W_HALF) &&
        is_w(c, j + 3, W_UNIT) && c->t[j + 3].val == U_HOUR) {
        half = 30; /* "2 and a half hours" */
        j += 3;
    }
    if (!is_w(c, j, W_UNIT) || n <= 0 || n > 1000)
        return -1;
    if ((c->t[j].flags & LEXF_ABBR) && !attached(c, j))
        return -1; /* "2 h" is not "2h" */
    when_set_dur(d, (enum unit)c->t[j].val, n);
    j++;
    if (half)
        when_set_dur(d, U_MINUTE, n * 60 + half);
    if (d->unit == U_HOUR && is_w(c, j, W_AND) && is_w(c, j + 1, W_A) && is_w(c, j + 2, W_HALF)) {
        when_set_dur(d, U_MINUTE, n * 60 + 30);
        j += 3;
    }
    /* "1 hour 30 minutes", "an hour and 15 minutes", "1h30" */
    int k = j + is_w(c, j, W_AND), mins;
    if (d->unit == U_HOUR && (k = when_read_int(c, k, &mins, false)) > 0 && mins < 60 &&
        is_w(c, k, W_UNIT) && c->t[k].val == U_MINUTE) {
        when_set_dur(d, U_MINUTE, n * 60 + mins);
        j = k + 1;
    } else if (d->unit == U_HOUR && is_num(c, j) && attached(c, j) && c->t[j].ndigits == 2 &&
               c->t[j].val < 60) {
        when_set_dur(d, U_MINUTE, n * 60 + c->t[j].val);
        j++;
    }
    return j;
}

/* "am", "pm", "a.m.", "p.m."; returns the end or -1. */
int when_read_ampm(const struct ctx *c, int i, bool *pm)
{
    if (is_w(c, i, W_AM) || is_w(c, i, W_PM)) {
        *pm = is_w(c, i, W_PM);
        return i + 1;
    }
    if (i < c->n && i > 0 && c->t[i].kind == TOK_WORD && c->t[i].end - c->t[i].start == 1 &&
        is_num(c, i - 1) && attached(c, i) && !is_p(c, i + 1, '.')) {
        char a = (char)(c->text[c->t[i].start] | 0x20);
        if (a == 'a' || a == 'p') { /* "3p", "10a" */
            *pm = a == 'p';
            return i + 1;
        }
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
    int k = when_read_int(c, j + 2, &hour, false);
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
int when_read_clock(const struct ctx *c, int i, int *h, int *m, bool *bare)
{
    int past = read_past_to(c, i, h, m);
    if (past > 0) {
        bool pm;
        int e = when_read_ampm(c, past, &pm);
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
    if ((is_p(c, j, '/') && attached(c, j) && is_num(c, j + 1) && attached(c, j + 1)) ||
        (is_w(c, j, W_ORDSUF) && attached(c, j)))
        return -1; /* "by 2/15", "by 1st": a date beats "by <hour>" (docs/assistant-time.md) */
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
        int k = when_read_ampm(c, j + 2, &pm);
        after_ok = k > 0 || lead;
        if (!dot || after_ok) {
            min = c->t[j + 1].val;
            colon = true;
            j += 2;
        }
    }
    if (min > 59 || hour > 23)
        return -1;
    int k = when_read_ampm(c, j, &pm);
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
int when_read_wdays(const struct ctx *c, int i, int *mask, bool *plural, bool *abbr)
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
        if ((is_p(c, j, ',') || is_w(c, j, W_AND) || is_p(c, j, '&') || is_p(c, j, '/')) &&
            is_w(c, j + 1, W_WDAY))
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
int when_read_md(const struct ctx *c, int i, struct dayref *r)
{
    int j = i, dom, month, year = 0;
    if (is_w(c, j, W_MONTHNAME)) {
        month = c->t[j].val;
        j++;
        if ((c->t[j - 1].flags & LEXF_ABBR) && is_p(c, j, '.') && attached(c, j))
            j++; /* "Dec. 25" */
        if (is_w(c, j, W_THE))
            j++;
        int k = when_read_ordinal(c, j, &dom, false);
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
        int k = when_read_ordinal(c, j, &dom, false);
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

/* "the 3rd", "3rd": a day of the month after a month was named. */
static int read_ordinal_dom(const struct ctx *c, int j, int *dom)
{
    int k = when_read_ordinal(c, j + is_w(c, j, W_THE), dom, is_w(c, j, W_THE));
    return k > 0 && *dom >= 1 && *dom <= 31 ? k : -1;
}

/* "this/next" + week, month, year, weekend or weekdays. */
static int read_this_next(const struct ctx *c, int i, struct dayref *r)
{
    if (is_w(c, i, W_THE) && is_w(c, i + 1, W_NEXT))
        i++; /* "the following monday" */
    bool next = is_w(c, i, W_NEXT);
    if (!next && !is_w(c, i, W_THIS))
        return -1;
    int j = i + 1, mask;
    if (!next && is_w(c, j, W_THIS))
        j++; /* "this coming friday" */
    bool plural, abbr;
    int k = when_read_wdays(c, j, &mask, &plural, &abbr);
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
    int e = j + 1 + is_w(c, j + 1, W_ON), dom;
    int o = read_ordinal_dom(c, e, &dom);
    if (kind == DAY_MONTHSTART && o > 0) {
        r->dom = dom; /* "next month on the 3rd" */
        return o;
    }
    if (kind == DAY_NEXTWEEK && when_read_wdays(c, e, &mask, &plural, &abbr) > 0 && !plural) {
        r->kind = DAY_WDAY; /* "next week wednesday" */
        r->wmask = mask;
        r->wmod = WMOD_NEXT;
        return when_read_wdays(c, e, &mask, &plural, &abbr);
    }
    return j + 1;
}

/* "the 15th", "on the 1st", "on the third", "the 5th of next month": a day of the month;
 * "the 3rd floor" is not. */
static int read_dom(const struct ctx *c, int j, struct dayref *r)
{
    int dom, k = is_w(c, j, W_THE) ? j + 1 : j;
    bool lead = when_date_lead(c, j - 1) || is_w(c, j - 1, W_THE);
    k = when_read_ordinal(c, k, &dom, lead && is_w(c, j, W_THE));
    if (k < 0 || dom < 1 || dom > 31 || !(is_w(c, j, W_THE) || when_date_lead(c, j - 1)))
        return -1;
    if (is_w(c, k, W_OF) && is_w(c, k + 1, W_NEXT) && is_w(c, k + 2, W_UNIT) &&
        c->t[k + 2].val == U_MONTH) {
        r->kind = DAY_MONTHSTART;
        r->n = 1;
        r->dom = dom;
        return k + 3;
    }
    /* before a noun, only a repeat or "on the 15th" (too high for a floor) make it a day */
    bool noun_ok = !when_noun_follows(c, k) || c->acc.freq == FREQ_MONTHLY ||
                   (dom > 10 && when_date_lead(c, j - 1));
    if (!noun_ok || !when_date_context(c, j, k, false))
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
    if ((when_noun_follows(c, k) && !when_date_lead(c, j - 1)) || is_num(c, k))
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
    int e = when_read_md(c, m, &d);
    if (e < 0)
        e = read_numeric(c, m, &d);
    if (e < 0 && is_w(c, m, W_THE))
        e = read_dom(c, m, &d);
    if (e < 0)
        return -1;
    *r = d;
    return e;
}

/* Token i starts a message or a clause ("Monday: call Bob", "milk. friday call bob"). */
static bool clause_start(const struct ctx *c, int i)
{
    return i == 0 || is_p(c, i - 1, ',') || is_p(c, i - 1, ';') || is_p(c, i - 1, ':') ||
           is_p(c, i - 1, '.') || is_p(c, i - 1, '!') || is_p(c, i - 1, '?');
}

/* A determiner before a short form makes it a noun ("enjoy the sun", "some sun"). */
static bool determiner_before(const struct ctx *c, int i)
{
    static const char *const dets[] = {"some", "my", "your", "our", "his", "her", "their", "its"};
    if (is_w(c, i - 1, W_THE) || is_w(c, i - 1, W_A))
        return true;
    if (i < 1 || c->t[i - 1].kind != TOK_WORD)
        return false;
    size_t len = (size_t)(c->t[i - 1].end - c->t[i - 1].start);
    for (size_t d = 0; d < sizeof dets / sizeof dets[0]; d++)
        if (strlen(dets[d]) == len && strncasecmp(c->text + c->t[i - 1].start, dets[d], len) == 0)
            return true;
    return false;
}

/* The weekdays at [j, k) belong to the title, not the due date (docs/assistant-time.md,
 * "Weekdays"): a short form after a determiner ("enjoy the sun"), or a weekday without a
 * date lead inside the message just before an ordinary word, the noun it qualifies ("Plan
 * Monday meeting notes", "the Friday report"). "for" and "at" are no date leads here ("tickets
 * for Friday show", "at Monday standup"); a message's or clause's first word stays a day. */
static bool wday_in_title(const struct ctx *c, int j, int k, bool abbr)
{
    assert(j >= 0 && j < k && k <= c->n);
    if (abbr && determiner_before(c, j))
        return true;
    bool lead = when_date_lead(c, j - 1) && !is_w(c, j - 1, W_FOR) && !is_w(c, j - 1, W_AT) &&
                !is_p(c, j - 1, '@');
    if (lead || is_w(c, j - 1, W_AFTER) || clause_start(c, j))
        return false;
    return when_noun_follows(c, k);
}

/* A day: today, tomorrow, weekdays, dates, "next week", "end of month", "this weekend". */
int when_read_day(const struct ctx *c, int i, struct dayref *r)
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
    k = when_read_wdays(c, j, &mask, &plural, &abbr);
    if (k > 0 && !plural && !wday_in_title(c, j, k, abbr) &&
        (!abbr || when_date_context(c, j, k, true))) {
        int e = read_date_after_wday(c, k, r);
        if (e > 0)
            return e;
        r->kind = DAY_WDAY;
        r->wmask = mask;
        e = k + is_w(c, k, W_OF);
        if (is_w(c, e, W_NEXT) && is_w(c, e + 1, W_UNIT) && c->t[e + 1].val == U_WEEK &&
            !(c->t[e + 1].flags & LEXF_PLURAL)) {
            r->wmod = WMOD_NEXT; /* "tuesday next week", "wednesday of next week" */
            return e + 2;
        }
        return k;
    }
    if ((k = when_read_md(c, j, r)) > 0 || (k = read_holiday(c, j, r)) > 0)
        return k;
    if ((k = read_numeric(c, j, r)) > 0)
        return when_date_context(c, j, k, false) ? k : -1;
    return read_dom(c, j, r);
}

/* The end of a time range after its start ("10am-11am", "2pm to 4pm", "between 2 and 4"):
 * the task is due at the start; the end is read and left out of the title. */
int when_range_end(const struct ctx *c, int k)
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
        e = when_read_clock(c, k + 1, &h, &m, &bare);
        if (e < 0) {
            e = k + 2;
            int a = when_read_ampm(c, e, &pm);
            e = a > 0 ? a : e;
        }
        return e;
    }
    return k;
}
