/* tz.h - IANA time zones through libical's built-in zone table. Thread-safe. */
#ifndef TODO_CORE_TZ_H
#define TODO_CORE_TZ_H

#include <stdbool.h>
#include <stdint.h>

/* True when name is a known IANA zone ("UTC", "Europe/Berlin"). */
bool tz_valid(const char *name);
/* The UTC instant (ms) at which the local day that contains now_ms, shifted by day_offset
 * days, begins in zone tz. Returns 0 or -1 (unknown zone). */
int tz_day_start(const char *tz, int64_t now_ms, int day_offset, int64_t *out_ms);

/* The UTC offset (seconds east) of zone tz at the UTC instant utc_secs. Returns 0 or -1
 * (unknown zone). */
int tz_offset_at(const char *tz, int64_t utc_secs, int *offset_s);
/* The UTC instant of the local wall time wall_secs (seconds since 1970-01-01T00:00 read as
 * local time) in zone tz: a wall time in a spring-forward gap moves forward by the gap, one
 * that happens twice (fall back) is the first instance (docs/assistant-time.md, "DST").
 * Returns 0 or -1 (unknown zone). */
int tz_local_to_utc(const char *tz, int64_t wall_secs, int64_t *utc_secs);

#endif
