/* tz.c - IANA time zones through libical's built-in zone table (read from the system's
 * tzdata).
 *
 * libical loads built-in zones lazily and extends each zone's table of UTC offset changes
 * on demand, mutating shared state; not every libical build guards that. So every libical
 * call here runs under one mutex. The work inside is small (a table lookup and an offset
 * computation), so the lock is never held for long. */
#include "core/tz.h"
#include "core/tz_internal.h"

#include <libical/ical.h>
#include <pthread.h>
#include <string.h>

#define TZ_NAME_MAX 64
/* How far from a wall time tz_local_to_utc samples the offsets: beyond any zone's offset. */
#define TZ_SAMPLE_SECS 86400

pthread_mutex_t tz_libical_lock = PTHREAD_MUTEX_INITIALIZER;

static bool is_utc(const char *name)
{
    return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0;
}

/* The zone for name, or NULL. Call with tz_libical_lock held. libical finds a built-in zone
 * by a walk over every name, so each thread remembers the last one it found (built-in zones
 * live until the process ends). */
static icaltimezone *zone_get(const char *name)
{
    static _Thread_local char last_name[TZ_NAME_MAX];
    static _Thread_local icaltimezone *last_zone;
    if (is_utc(name))
        return icaltimezone_get_utc_timezone();
    size_t len = strlen(name);
    if (len == 0 || len >= TZ_NAME_MAX)
        return NULL;
    if (last_zone && strcmp(last_name, name) == 0)
        return last_zone;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return NULL;
    }
    icaltimezone *zone = icaltimezone_get_builtin_timezone(name);
    if (zone) {
        memcpy(last_name, name, len + 1);
        last_zone = zone;
    }
    return zone;
}

bool tz_valid(const char *name)
{
    if (!name)
        return false;
    pthread_mutex_lock(&tz_libical_lock);
    bool ok = zone_get(name) != NULL;
    pthread_mutex_unlock(&tz_libical_lock);
    return ok;
}

static int64_t local_to_utc_locked(icaltimezone *zone, int64_t wall_secs);

int tz_day_start(const char *tz, int64_t now_ms, int day_offset, int64_t *out_ms)
{
    if (!tz)
        return -1;
    int64_t secs = now_ms / 1000;
    if (now_ms % 1000 < 0)
        secs--;
    int rc = -1;
    pthread_mutex_lock(&tz_libical_lock);
    icaltimezone *zone = zone_get(tz);
    if (!zone)
        goto out_unlock;
    struct icaltimetype local = icaltime_from_timet_with_zone((time_t)secs, 0, zone);
    local.hour = 0;
    local.minute = 0;
    local.second = 0;
    icaltime_adjust(&local, day_offset, 0, 0, 0);
    /* Midnight as a wall time, then to UTC by the DST rule of tz_local_to_utc: where the
     * day starts in a gap (Santiago changes at 00:00) it starts when the gap ends. */
    local.zone = icaltimezone_get_utc_timezone();
    int64_t wall = (int64_t)icaltime_as_timet_with_zone(local, local.zone);
    *out_ms = local_to_utc_locked(zone, wall) * 1000;
    rc = 0;
out_unlock:
    pthread_mutex_unlock(&tz_libical_lock);
    return rc;
}

/* The offset at utc_secs. Call with tz_libical_lock held. */
static int zone_offset(icaltimezone *zone, int64_t utc_secs)
{
    struct icaltimetype local = icaltime_from_timet_with_zone((time_t)utc_secs, 0, zone);
    struct icaltimetype wall = local;
    wall.zone = icaltimezone_get_utc_timezone();
    return (int)((int64_t)icaltime_as_timet_with_zone(wall, wall.zone) - utc_secs);
}

int tz_offset_at(const char *tz, int64_t utc_secs, int *offset_s)
{
    if (!tz)
        return -1;
    int rc = -1;
    pthread_mutex_lock(&tz_libical_lock);
    icaltimezone *zone = zone_get(tz);
    if (zone) {
        *offset_s = zone_offset(zone, utc_secs);
        rc = 0;
    }
    pthread_mutex_unlock(&tz_libical_lock);
    return rc;
}

/* The instant of a wall time (docs/assistant-time.md, DST). Call with tz_libical_lock held.
 * The offsets a day before and after; with no change between them the answer is plain.
 * Otherwise the earlier offset wins when it gives a real instant (the first of a fold, or a
 * time before the change); then the later one; in a gap neither does, and the earlier
 * offset moves the wall time forward by the gap. The instant of a wall time lies between
 * wall - 14 h and wall + 12 h (offsets run from -12:00 to +14:00), so the samples must be
 * further out than that: half a day was not, and in zones at +12/+13 (Auckland) both fell
 * after the change. */
static int64_t local_to_utc_locked(icaltimezone *zone, int64_t wall_secs)
{
    int before = zone_offset(zone, wall_secs - TZ_SAMPLE_SECS);
    int after = zone_offset(zone, wall_secs + TZ_SAMPLE_SECS);
    int64_t t = wall_secs - before;
    if (before != after && zone_offset(zone, t) != before &&
        zone_offset(zone, wall_secs - after) == after)
        t = wall_secs - after;
    return t;
}

int tz_local_to_utc(const char *tz, int64_t wall_secs, int64_t *utc_secs)
{
    if (!tz)
        return -1;
    pthread_mutex_lock(&tz_libical_lock);
    icaltimezone *zone = zone_get(tz);
    if (!zone) {
        pthread_mutex_unlock(&tz_libical_lock);
        return -1;
    }
    *utc_secs = local_to_utc_locked(zone, wall_secs);
    pthread_mutex_unlock(&tz_libical_lock);
    return 0;
}
