/* tz_local.h - an instant as the wall clock of an IANA zone shows it (the assistant's
 * prompt: docs/assistant-llm.md). Thread-safe. */
#ifndef TODO_CORE_TZ_LOCAL_H
#define TODO_CORE_TZ_LOCAL_H

#include <stdint.h>

struct tz_local {
    int year, month, day;   /* month 1-12 */
    int hour, minute;       /* 0-23, 0-59 */
    int weekday;            /* 0 = Sunday .. 6 = Saturday */
    int utc_offset_minutes; /* local - UTC at that instant */
};

/* Fills *out with the local time of ms in zone tz. Returns 0, or -1 for an unknown zone
 * (*out untouched). */
int tz_local_time(const char *tz, int64_t ms, struct tz_local *out);

#endif
