/* fuzz_time.c - libFuzzer target: bytes -> RFC 3339 and ISO 8601 duration parsers; what
 * parses must format and parse back to the same value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/timeutil.h"
#include "base/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    int64_t ms, back;
    if (time_parse_rfc3339(text, &ms) == 0) {
        char buf[TIME_RFC3339_MAX];
        time_format_rfc3339(ms, buf);
        /* Offsets can move an instant outside 1970..9999, which the parser refuses. */
        if (ms >= 0 && ms <= 253402300799999LL &&
            (time_parse_rfc3339(buf, &back) != 0 || back != ms))
            abort();
    }
    if (duration_parse_iso8601(text, &ms) == 0) {
        char buf[64];
        duration_format_iso8601(ms, buf, sizeof buf);
        if (duration_parse_iso8601(buf, &back) != 0 || back != ms)
            abort();
    }
    free(text);
    return 0;
}
