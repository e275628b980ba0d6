/* fuzz_recur.c - libFuzzer target: bytes -> a rule for recur_next, recur_successor and
 * recur_text in a few zones. An occurrence is always strictly after the instant asked about;
 * the text is always terminated and fits. The first 8 bytes (when present) pick the instants. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "core/recur.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const zones[] = {"UTC", "Europe/Berlin", "America/New_York"};
    uint32_t a = 0, b = 0;
    if (size >= 8) {
        memcpy(&a, data, 4);
        memcpy(&b, data + 4, 4);
        data += 8;
        size -= 8;
    }
    char *rule = xstrndup((const char *)data, size);
    /* dtstart in 2020..2056, after up to ~50 days later. */
    int64_t dtstart = 1577836800000LL + (int64_t)(a % 1136073600u) * 1000;
    int64_t after = dtstart + (int64_t)(b % 4320000u) * 1000;
    const char *tz = zones[(a >> 30) % 3];
    int64_t next;
    int rc = recur_next(rule, tz, dtstart, after, &next);
    if (rc == RECUR_NEXT && next <= after)
        abort();
    rc = recur_successor(rule, (b & 1) != 0, tz, dtstart, after, after + 3600000, after, &next);
    if (rc == RECUR_NEXT && next <= after)
        abort();
    char text[64];
    memset(text, 'x', sizeof text);
    size_t len = recur_text(rule, tz, (b & 2) ? dtstart : -1, text, sizeof text);
    if (len >= sizeof text || text[len] != '\0' || strlen(text) != len)
        abort();
    free(rule);
    return 0;
}
