/* rrule.c - validation and canonical form of RFC 5545 recurrence rules.
 *
 * libical parses leniently: it skips unknown parts and bad BYDAY values without saying so.
 * So a rule passes our own strict check first (known part names, each at most once, every
 * value in range, FREQ present and not sub-hourly, COUNT <= 1000, not both UNTIL and
 * COUNT), and only then goes to libical, whose printed form is the canonical rule we store.
 * libical keeps icalerrno per thread (pthread build), and the functions used here touch no
 * other shared state, so this module is thread-safe. */
#include "core/rrule.h"

#include <assert.h>
#include <libical/ical.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

#define RRULE_INPUT_MAX    1024
#define RRULE_FIELD        "recurrence.rule"
#define RRULE_COUNT_MAX    1000
#define RRULE_INTERVAL_MAX 1000

static const struct {
    const char *name;
    const char *rule;
} presets[] = {
    {"daily", "FREQ=DAILY"},   {"weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
    {"weekly", "FREQ=WEEKLY"}, {"monthly", "FREQ=MONTHLY"},
    {"yearly", "FREQ=YEARLY"},
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parses [+-]?digits in s[0..len) into *out within [lo, hi] (and != 0 when signed lists
 * forbid 0). */
static bool parse_int(const char *s, size_t len, bool allow_sign, long lo, long hi, long *out)
{
    size_t i = 0;
    int sign = 1;
    if (allow_sign && len > 0 && (s[0] == '+' || s[0] == '-')) {
        sign = s[0] == '-' ? -1 : 1;
        i = 1;
    }
    if (i == len || len - i > 6)
        return false;
    long v = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    v *= sign;
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool is_weekday(const char *s, size_t len)
{
    static const char *const days[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    if (len != 2)
        return false;
    for (int i = 0; i < 7; i++)
        if (memcmp(s, days[i], 2) == 0)
            return true;
    return false;
}

/* Checks a comma list; kind: 'n' numbers in [lo, hi] (signed when lo < 0, zero refused),
 * 'd' BYDAY items ([+-]?n?WD with n in 1..53). */
static bool check_list(const char *v, size_t len, char kind, long lo, long hi)
{
    if (len == 0)
        return false;
    size_t start = 0;
    while (start <= len) {
        size_t end = start;
        while (end < len && v[end] != ',')
            end++;
        const char *item = v + start;
        size_t ilen = end - start;
        if (ilen == 0)
            return false;
        long n;
        if (kind == 'n') {
            if (!parse_int(item, ilen, lo < 0, lo, hi, &n) || (lo < 0 && n == 0))
                return false;
        } else {
            if (ilen < 2 || !is_weekday(item + ilen - 2, 2))
                return false;
            if (ilen > 2 && (!parse_int(item, ilen - 2, true, -53, 53, &n) || n == 0))
                return false;
        }
        start = end + 1;
    }
    return true;
}

static bool check_until(const char *v, size_t len)
{
    /* DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z]); libical checks the calendar. */
    if (len != 8 && len != 15 && len != 16)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool want_digit = i != 8 && i != 15;
        if (want_digit ? !is_digit(v[i]) : (i == 8 ? v[i] != 'T' : v[i] != 'Z'))
            return false;
    }
    /* libical accepts "20261341"; check the calendar ourselves. */
    int f[6] = {0};
    static const int pos[6] = {0, 4, 6, 9, 11, 13}, width[6] = {4, 2, 2, 2, 2, 2};
    for (int k = 0; k < (len == 8 ? 3 : 6); k++)
        for (int i = 0; i < width[k]; i++)
            f[k] = f[k] * 10 + (v[pos[k] + i] - '0');
    static const int dim[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0;
    if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > dim[f[1] - 1] ||
        (f[1] == 2 && f[2] == 29 && !leap))
        return false;
    return f[3] <= 23 && f[4] <= 59 && f[5] <= 59;
}

/* The parts of an RRULE we accept, with the range of a numeric list's items. */
enum rrule_part { P_FREQ, P_UNTIL, P_COUNT, P_INTERVAL, P_LIST, P_BYDAY, P_WKST };
static const struct {
    const char *name;
    enum rrule_part kind;
    int min, max; /* P_LIST */
} rrule_parts[] = {
    {"FREQ", P_FREQ, 0, 0},          {"UNTIL", P_UNTIL, 0, 0},
    {"COUNT", P_COUNT, 0, 0},        {"INTERVAL", P_INTERVAL, 0, 0},
    {"BYSECOND", P_LIST, 0, 60},     {"BYMINUTE", P_LIST, 0, 59},
    {"BYHOUR", P_LIST, 0, 23},       {"BYDAY", P_BYDAY, 0, 0},
    {"BYMONTHDAY", P_LIST, -31, 31}, {"BYYEARDAY", P_LIST, -366, 366},
    {"BYWEEKNO", P_LIST, -53, 53},   {"BYMONTH", P_LIST, 1, 12},
    {"BYSETPOS", P_LIST, -366, 366}, {"WKST", P_WKST, 0, 0},
};
enum { N_RRULE_PARTS = sizeof rrule_parts / sizeof rrule_parts[0] };

static bool is_freq(const char *v, size_t vlen)
{
    static const char *const freqs[] = {"HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
    for (size_t i = 0; i < sizeof freqs / sizeof freqs[0]; i++)
        if (strlen(freqs[i]) == vlen && memcmp(v, freqs[i], vlen) == 0)
            return true;
    return false;
}

/* Why the value v (vlen bytes) of part idx is refused, or NULL. */
static const char *rrule_part_check(int idx, const char *v, size_t vlen)
{
    long n;
    bool ok;
    switch (rrule_parts[idx].kind) {
    case P_FREQ:
        if ((vlen == 8 && memcmp(v, "SECONDLY", 8) == 0) ||
            (vlen == 8 && memcmp(v, "MINUTELY", 8) == 0))
            return "must not repeat more often than hourly";
        ok = is_freq(v, vlen);
        break;
    case P_UNTIL:
        ok = check_until(v, vlen);
        break;
    case P_COUNT:
        if (!parse_int(v, vlen, false, 1, 999999, &n))
            return "has an invalid COUNT";
        if (n > RRULE_COUNT_MAX)
            return "must not have COUNT over 1000";
        ok = true;
        break;
    case P_INTERVAL:
        ok = parse_int(v, vlen, false, 1, RRULE_INTERVAL_MAX, &n);
        break;
    case P_LIST:
        ok = check_list(v, vlen, 'n', rrule_parts[idx].min, rrule_parts[idx].max);
        break;
    case P_BYDAY:
        ok = check_list(v, vlen, 'd', 0, 0);
        break;
    default: /* P_WKST */
        ok = is_weekday(v, vlen);
        break;
    }
    return ok ? NULL : "has an invalid RRULE value";
}

/* The index in rrule_parts of the name (nlen bytes), or -1. */
static int rrule_part_find(const char *name, size_t nlen)
{
    for (int i = 0; i < N_RRULE_PARTS; i++)
        if (strlen(rrule_parts[i].name) == nlen && memcmp(name, rrule_parts[i].name, nlen) == 0)
            return i;
    return -1;
}

/* The strict check of an upper-cased rule. Returns NULL or what is wrong. */
static const char *rrule_check(const char *rule)
{
    bool seen[N_RRULE_PARTS] = {false};
    if (*rule == '\0')
        return "must not be empty";
    for (const char *p = rule;;) {
        const char *semi = strchr(p, ';');
        size_t plen = semi ? (size_t)(semi - p) : strlen(p);
        const char *eq = memchr(p, '=', plen);
        if (!eq)
            return "is not a valid RRULE (expected NAME=VALUE parts)";
        int idx = rrule_part_find(p, (size_t)(eq - p));
        if (idx < 0)
            return "has an unknown RRULE part";
        if (seen[idx])
            return "repeats an RRULE part";
        seen[idx] = true;
        const char *why = rrule_part_check(idx, eq + 1, plen - (size_t)(eq - p) - 1);
        if (why)
            return why;
        if (!semi)
            break;
        p = semi + 1;
        if (*p == '\0')
            return "has an empty RRULE part";
    }
    bool kinds[P_WKST + 1] = {false}; /* FREQ, UNTIL and COUNT are each a kind of their own */
    for (int i = 0; i < N_RRULE_PARTS; i++)
        kinds[rrule_parts[i].kind] |= seen[i];
    if (!kinds[P_FREQ])
        return "must have a FREQ";
    if (kinds[P_UNTIL] && kinds[P_COUNT])
        return "must not have both UNTIL and COUNT";
    return NULL;
}

static int fail(struct todo_err *err, const char *why)
{
    return todo_err_field(err, RRULE_FIELD, "recurrence.rule %s", why);
}

/* Whether the rule's pattern yields any date at all: a bounded walk over floating local
 * times over 50 years from 2000-01-01 (the rarest real patterns, such as Feb 29 on a given
 * weekday, recur within 28 years), ignoring COUNT, UNTIL and INTERVAL for hourly rules. Without
 * this check a rule like BYMONTH=2;BYMONTHDAY=30 sends libical's iterator searching for centuries
 * on every call. No time zone is involved, so no lock is needed. */
static bool rrule_ever_matches(struct icalrecurrencetype rt)
{
    struct icaltimetype start = icaltime_null_time();
    start.year = 2000;
    start.month = 1;
    start.day = 1;
    /* an hourly pattern has a date on which it matches exactly when its daily form does
     * (BYHOUR and the rest only pick hours of such a date): probe days, 24 times cheaper */
    if (rt.freq == ICAL_HOURLY_RECURRENCE) {
        rt.freq = ICAL_DAILY_RECURRENCE;
        rt.interval = 1;
        rt.by_hour[0] = ICAL_RECURRENCE_ARRAY_MAX;
    }
    rt.count = 0;
    rt.until = start;
    rt.until.year += 50;
    icalrecur_iterator *it = icalrecur_iterator_new(rt, start);
    if (!it)
        return false;
    struct icaltimetype t = icalrecur_iterator_next(it);
    icalrecur_iterator_free(it);
    return !icaltime_is_null_time(t);
}

/* The place of each part in the canonical order (docs/decisions/0043-canonical-rrule-order.md):
 * FREQ, INTERVAL, COUNT or UNTIL, BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY, BYHOUR,
 * BYMINUTE, BYSECOND, BYSETPOS, WKST - the order the assistant writes rules in (docs/assistant-
 * time.md), so a rule said in chat is stored exactly as the parser wrote it. */
static int part_rank(const char *part)
{
    static const char *const order[] = {
        "FREQ=",       "INTERVAL=", "COUNT=",  "UNTIL=",    "BYMONTH=",  "BYWEEKNO=", "BYYEARDAY=",
        "BYMONTHDAY=", "BYDAY=",    "BYHOUR=", "BYMINUTE=", "BYSECOND=", "BYSETPOS=", "WKST="};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (strncmp(part, order[i], strlen(order[i])) == 0)
            return (int)i;
    return (int)(sizeof order / sizeof order[0]);
}

/* Writes libical's rule text (valid; at most 16 parts, one per name) into out with its parts in
 * the canonical order; out has room for strlen(in) + 1 bytes. */
static void rrule_reorder(const char *in, char *out)
{
    enum { MAX_PARTS = 16 };
    const char *part[MAX_PARTS];
    size_t plen[MAX_PARTS];
    int n = 0;
    for (const char *p = in; *p && n < MAX_PARTS;) {
        const char *semi = strchr(p, ';');
        part[n] = p;
        plen[n] = semi ? (size_t)(semi - p) : strlen(p);
        n++;
        p = semi ? semi + 1 : p + plen[n - 1];
    }
    assert(n > 0 && part_rank(part[0]) == 0); /* libical writes FREQ first */
    size_t o = 0;
    for (int rank = 0; rank <= part_rank(""); rank++)
        for (int i = 0; i < n; i++) {
            if (part_rank(part[i]) != rank)
                continue;
            if (o)
                out[o++] = ';';
            memcpy(out + o, part[i], plen[i]);
            o += plen[i];
        }
    out[o] = '\0';
    assert(o == strlen(in));
}

int rrule_normalize(const char *in, char *out, size_t outsz, struct todo_err *err)
{
    if (!in)
        return fail(err, "must not be empty");
    size_t len = strlen(in);
    if (len > RRULE_INPUT_MAX)
        return fail(err, "is too long");
    /* Trim, upper-case (RFC 5545 names are case-insensitive), drop "RRULE:". */
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
        len--;
    while (len > 0 && (*in == ' ' || *in == '\t')) {
        in++;
        len--;
    }
    char rule[RRULE_INPUT_MAX + 1];
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        rule[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    rule[len] = '\0';
    const char *body = rule;
    if (strncmp(body, "RRULE:", 6) == 0)
        body += 6;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        char upper[16];
        size_t n = strlen(presets[i].name);
        for (size_t k = 0; k <= n; k++)
            upper[k] = (char)(presets[i].name[k] ? presets[i].name[k] - 'a' + 'A' : '\0');
        if (strcmp(body, upper) == 0) {
            body = presets[i].rule;
            break;
        }
    }
    const char *why = rrule_check(body);
    if (why)
        return fail(err, why);

    icalerror_clear_errno();
    struct icalrecurrencetype rt = icalrecurrencetype_from_string(body);
    if (icalerrno != ICAL_NO_ERROR || rt.freq == ICAL_NO_RECURRENCE) {
        icalerror_clear_errno();
        return fail(err, "is not a valid RRULE");
    }
    if (!rrule_ever_matches(rt))
        return fail(err, "never produces a date (e.g. February 30)");
    char *canon = icalrecurrencetype_as_string_r(&rt);
    if (!canon)
        return fail(err, "is not a valid RRULE");
    int rc = TODO_OK;
    if (strlen(canon) + 1 > outsz)
        rc = fail(err, "is too long");
    else
        rrule_reorder(canon, out);
    icalmemory_free_buffer(canon);
    return rc;
}
