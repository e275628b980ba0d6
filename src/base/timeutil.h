/* timeutil.h - instants as int64 milliseconds since the Unix epoch (UTC), RFC 3339 text,
 * and ISO 8601 durations. All functions are pure and thread-safe. */
#ifndef TODO_BASE_TIMEUTIL_H
#define TODO_BASE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIME_RFC3339_MAX 32

/* Current wall-clock time in ms. */
int64_t time_now_ms(void);
/* Monotonic clock in ns, for latency measurement. */
uint64_t time_mono_ns(void);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (negative before it). */
int64_t time_days_from_civil(int64_t y, int m, int d);

/* The instant ms milliseconds (>= 0) from now on clock (CLOCK_REALTIME or CLOCK_MONOTONIC: the
 * clock of the condition variable it is for), as pthread_cond_timedwait wants it. */
struct timespec time_deadline_ms(clockid_t clock, int64_t ms);

/* Parses an RFC 3339 date-time ("2026-12-01T09:00:00+01:00", fractional seconds allowed,
 * 'T'/'t' and 'Z'/'z'), years 1970..9999, rejecting impossible dates (Feb 30, 25:00, a leap
 * second is refused). Returns 0 and sets *out_ms, or -1. */
int time_parse_rfc3339(const char *s, int64_t *out_ms);
/* Formats ms as UTC "YYYY-MM-DDTHH:MM:SSZ", with ".mmm" only when the ms are non-zero.
 * Returns the length written into out (which holds TIME_RFC3339_MAX bytes). */
size_t time_format_rfc3339(int64_t ms, char out[TIME_RFC3339_MAX]);

/* Parses an ISO 8601 duration of weeks, days, hours, minutes and seconds ("PT1H30M",
 * "P1D", "P2W", "PT0S"); years and months are refused (their length varies), as are
 * negative values and anything over 366 days. Returns 0 and sets *out_ms, or -1. */
int duration_parse_iso8601(const char *s, int64_t *out_ms);
/* Formats ms as a canonical ISO 8601 duration ("P1DT2H", "PT15M", "PT0S"). */
size_t duration_format_iso8601(int64_t ms, char *out, size_t outsz);

#endif
