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

#endif
