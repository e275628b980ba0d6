/* recur.h - the recurrence engine: the next occurrence of an RFC 5545 RRULE, computed in the
 * user's IANA time zone with libical, and the rule in plain words. Thread-safe.
 *
 * A series starts at dtstart (the first occurrence's due time, a UTC instant); its local
 * wall-clock time in tz is what repeats, so "every day at 09:00" stays 09:00 across DST
 * changes. Months without the day a rule names (the 31st, Feb 29) are skipped, as RFC 5545
 * says. COUNT and UNTIL end the series. */
#ifndef TODO_CORE_RECUR_H
#define TODO_CORE_RECUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum recur_result {
    RECUR_NEXT = 0, /* *next_ms is set */
    RECUR_ENDED,    /* COUNT or UNTIL leaves no occurrence after the given one */
};

/* The first occurrence of the series (rrule, dtstart_ms in zone tz) strictly after after_ms.
 * Occurrences are counted from dtstart, so COUNT=n ends after the n-th. Returns RECUR_NEXT
 * with *next_ms, RECUR_ENDED, or -1 for a rule or zone that is not valid (never for a rule
 * rrule_normalize accepted). */
int recur_next(const char *rrule, const char *tz, int64_t dtstart_ms, int64_t after_ms,
               int64_t *next_ms);

/* The successor's due time of a completed occurrence (docs/recurring.md):
 *   from "due": the first occurrence after the occurrence's own due time; if that is already
 *   in the past (before now_ms), the first one after now instead (no flood of overdue copies);
 *   from "completion": the rule re-anchored at the completion: the series that starts on
 *   completed_at's local date with due_ms's local time of day; its first occurrence after both
 *   that start and completed_at (never one on the completion's own local day).
 * series_start_ms is the series' first due time: COUNT and UNTIL count from it (in completion
 * mode COUNT=n bounds the successor by the instant of the n-th occurrence). Returns as
 * recur_next. Details in recur.c's file comment. */
int recur_successor(const char *rrule, bool from_completion, const char *tz,
                    int64_t series_start_ms, int64_t due_ms, int64_t completed_at_ms,
                    int64_t now_ms, int64_t *next_ms);

/* The rule in plain English words ("every Monday and Thursday at 09:00", "every month on the
 * last Friday", "every 2 weeks on Monday, 3 times") into out; at is the local time of day
 * shown (from dtstart in tz), or omitted when dtstart_ms < 0. Truncates to fit outsz; an
 * invalid rule gives "". Returns the length written (without the NUL). */
size_t recur_text(const char *rrule, const char *tz, int64_t dtstart_ms, char *out, size_t outsz);

#endif
