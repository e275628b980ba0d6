/* timeutil.c - clocks, RFC 3339 instants and ISO 8601 durations.
 *
 * Instants are int64 milliseconds since the Unix epoch. Calendar conversion uses Howard
 * Hinnant's days-from-civil arithmetic (proleptic Gregorian), so nothing here touches the
 * TZ environment, locale or any libc state: every function is pure and thread-safe. */
#include "base/timeutil.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MS_PER_SEC      1000LL
#define MS_PER_MIN      (60 * MS_PER_SEC)
#define MS_PER_HOUR     (60 * MS_PER_MIN)
#define MS_PER_DAY      (24 * MS_PER_HOUR)
#define DURATION_MAX_MS (366 * MS_PER_DAY)

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the range we can format. */
#define FORMAT_MIN_MS (-62167219200000LL)
#define FORMAT_MAX_MS (253402300799999LL)

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int64_t time_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n ASCII digits at *p into *out and advances *p. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

int time_parse_rfc3339(const char *s, int64_t *out_ms)
{
    if (!s)
        return -1;
    const char *p = s;
    int year, mon, day, hour, min, sec, ms = 0;
    if (!read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &mon) || *p++ != '-' ||
        !read_digits(&p, 2, &day))
        return -1;
    if (*p != 'T' && *p != 't')
        return -1;
    p++;
    if (!read_digits(&p, 2, &hour) || *p++ != ':' || !read_digits(&p, 2, &min) || *p++ != ':' ||
        !read_digits(&p, 2, &sec))
        return -1;
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) ||
        hour > 23 || min > 59 || sec > 59)
        return -1;
    if (*p == '.') {
        p++;
        int n_frac = 0;
        while (*p >= '0' && *p <= '9') {
            if (n_frac < 3)
                ms = ms * 10 + (*p - '0');
            n_frac++;
            p++;
            if (n_frac > 9)
                return -1; /* nanoseconds are the finest anyone sends */
        }
        if (n_frac == 0)
            return -1;
        for (int i = n_frac; i < 3; i++)
            ms *= 10;
    }
    int64_t offset_ms;
    if (*p == 'Z' || *p == 'z') {
        offset_ms = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int oh, om;
        p++;
        if (!read_digits(&p, 2, &oh) || *p++ != ':' || !read_digits(&p, 2, &om))
            return -1;
        if (oh > 23 || om > 59)
            return -1;
        offset_ms = sign * (oh * MS_PER_HOUR + om * MS_PER_MIN);
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    int64_t days = time_days_from_civil(year, mon, day);
    *out_ms = days * MS_PER_DAY + hour * MS_PER_HOUR + min * MS_PER_MIN + sec * MS_PER_SEC + ms -
              offset_ms;
    return 0;
}

/* Writes v as exactly width decimal digits (zero-padded); returns the end. */
static char *put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

size_t time_format_rfc3339(int64_t ms, char out[TIME_RFC3339_MAX])
{
    if (ms < FORMAT_MIN_MS)
        ms = FORMAT_MIN_MS;
    if (ms > FORMAT_MAX_MS)
        ms = FORMAT_MAX_MS;
    int64_t days = ms / MS_PER_DAY;
    int64_t rem = ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int hour = (int)(rem / MS_PER_HOUR);
    int min = (int)(rem / MS_PER_MIN % 60);
    int sec = (int)(rem / MS_PER_SEC % 60);
    int frac = (int)(rem % MS_PER_SEC);
    /* Digits written directly: this runs for every time field of every task served. */
    char *p = out;
    p = put_digits(p, (int)y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, hour, 2);
    *p++ = ':';
    p = put_digits(p, min, 2);
    *p++ = ':';
    p = put_digits(p, sec, 2);
    if (frac) {
        *p++ = '.';
        p = put_digits(p, frac, 3);
    }
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}

/* Reads a run of up to 9 digits; false when there is none or too many. */
static bool read_number(const char **p, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (**p >= '0' && **p <= '9') {
        if (++n > 9)
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return n > 0;
}

int duration_parse_iso8601(const char *s, int64_t *out_ms)
{
    if (!s || *s != 'P')
        return -1;
    const char *p = s + 1;
    int64_t total = 0;
    int n_parts = 0;
    /* Date part: W then D, each at most once, in that order. */
    static const struct {
        char unit;
        int64_t ms;
    } date_units[] = {{'W', 7 * MS_PER_DAY}, {'D', MS_PER_DAY}},
      time_units[] = {{'H', MS_PER_HOUR}, {'M', MS_PER_MIN}, {'S', MS_PER_SEC}};
    size_t next = 0;
    while (*p && *p != 'T') {
        int64_t v;
        if (!read_number(&p, &v))
            return -1;
        while (next < 2 && date_units[next].unit != *p)
            next++;
        if (next == 2)
            return -1; /* years, months, unknown unit or out of order */
        total += v * date_units[next].ms;
        next++;
        p++;
        n_parts++;
        if (total > DURATION_MAX_MS)
            return -1;
    }
    if (*p == 'T') {
        p++;
        int n_time = 0;
        next = 0;
        while (*p) {
            int64_t v, frac = 0;
            if (!read_number(&p, &v))
                return -1;
            if (*p == '.' || *p == ',') {
                /* Fractions only on seconds, up to milliseconds. */
                p++;
                int n_frac = 0;
                while (*p >= '0' && *p <= '9') {
                    if (++n_frac > 3)
                        return -1;
                    frac = frac * 10 + (*p++ - '0');
                }
                if (n_frac == 0 || *p != 'S')
                    return -1;
                for (int i = n_frac; i < 3; i++)
                    frac *= 10;
            }
            while (next < 3 && time_units[next].unit != *p)
                next++;
            if (next == 3)
                return -1;
            total += v * time_units[next].ms + frac;
            next++;
            p++;
            n_time++;
            if (total > DURATION_MAX_MS)
                return -1;
        }
        if (n_time == 0)
            return -1; /* "PT" or "P1DT" */
        n_parts += n_time;
    }
    if (n_parts == 0)
        return -1; /* "P" */
    *out_ms = total;
    return 0;
}

size_t duration_format_iso8601(int64_t ms, char *out, size_t outsz)
{
    if (outsz == 0)
        return 0;
    if (ms < 0)
        ms = 0;
    int64_t days = ms / MS_PER_DAY;
    int64_t hours = ms / MS_PER_HOUR % 24;
    int64_t mins = ms / MS_PER_MIN % 60;
    int64_t secs = ms / MS_PER_SEC % 60;
    int64_t frac = ms % MS_PER_SEC;
    size_t len = 0;
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "P");
    len = (size_t)n;
    if (days)
        len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%lldD", (long long)days);
    if (hours || mins || secs || frac || !days) {
        len += (size_t)snprintf(tmp + len, sizeof tmp - len, "T");
        if (hours)
            len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%lldH", (long long)hours);
        if (mins)
            len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%lldM", (long long)mins);
        if (frac) {
            char f[4];
            snprintf(f, sizeof f, "%03lld", (long long)frac);
            int flen = 3;
            while (flen > 1 && f[flen - 1] == '0')
                flen--;
            len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%lld.%.*sS", (long long)secs,
                                    flen, f);
        } else if (secs || (!hours && !mins)) {
            len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%lldS", (long long)secs);
        }
    }
    if (len >= outsz)
        len = outsz - 1;
    memcpy(out, tmp, len);
    out[len] = '\0';
    return len;
}

struct timespec time_deadline_ms(clockid_t clock, int64_t ms)
{
    assert(ms >= 0);
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}
