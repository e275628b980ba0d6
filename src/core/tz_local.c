/* tz_local.c - the wall clock of a zone at an instant, through libical under the one
 * libical lock of tz.c (core/tz_internal.h). */
#include "core/tz_local.h"
#include "core/tz.h"
#include "core/tz_internal.h"

#include <assert.h>
#include <libical/ical.h>
#include <string.h>

int tz_local_time(const char *tz, int64_t ms, struct tz_local *out)
{
    assert(out);
    if (!tz || !tz_valid(tz))
        return -1;
    int64_t secs = ms / 1000;
    if (ms % 1000 < 0)
        secs--;
    pthread_mutex_lock(&tz_libical_lock);
    icaltimezone *zone = strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0
                             ? icaltimezone_get_utc_timezone()
                             : icaltimezone_get_builtin_timezone(tz);
    int rc = -1;
    if (!zone)
        goto out_unlock;
    struct icaltimetype t = icaltime_from_timet_with_zone((time_t)secs, 0, zone);
    int is_dst = 0;
    int offset = icaltimezone_get_utc_offset(zone, &t, &is_dst);
    *out = (struct tz_local){
        .year = t.year,
        .month = t.month,
        .day = t.day,
        .hour = t.hour,
        .minute = t.minute,
        .weekday = icaltime_day_of_week(t) - 1, /* libical: 1 = Sunday */
        .utc_offset_minutes = offset / 60,
    };
    rc = 0;
out_unlock:
    pthread_mutex_unlock(&tz_libical_lock);
    return rc;
}
