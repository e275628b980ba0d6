/* fuzz_nlp_when.c - libFuzzer target: bytes -> nlp_when_read (the date reader of the
 * built-in assistant). The first byte picks the zone and the "now"; the rest is the message.
 * Whatever it reads must be sane: a due that formats and parses back, a rule that
 * rrule_normalize accepts, marks only inside the text, nothing read = nothing set, and the
 * same answer twice. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/timeutil.h"
#include "core/nlp_when.h"
#include "core/rrule.h"

static const char *const zones[] = {"UTC",
                                    "America/New_York",
                                    "Europe/Berlin",
                                    "Asia/Kolkata",
                                    "Australia/Sydney",
                                    "Europe/London",
                                    "Nowhere/Unknown",
                                    NULL};
/* 2026-12-06T15:00Z (a Sunday), 2026-03-08T06:30Z (New York's spring-forward night),
 * 2026-11-01T05:30Z (its fall-back fold), 2026-12-31T23:59:59Z */
static const int64_t nows[] = {1796569200000LL, 1772951400000LL, 1793511000000LL, 1798761599000LL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *tz = zones[data[0] % 8];
    int64_t now = nows[(data[0] >> 3) % 4];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    /* one guard byte on each side catches a mark outside the text */
    unsigned char *used = calloc(len + 2, 1);
    struct nlp_when w, again;
    int n = nlp_when_read(text, len, now, tz, &w, used + 1);
    if (used[0] || used[len + 1])
        abort();
    if (n == 0) {
        if (w.has_due || w.rrule[0] || w.n_reminders)
            abort();
        for (size_t i = 0; i < len; i++)
            if (used[i + 1])
                abort();
    }
    if (w.n_reminders < 0 || w.n_reminders > NLP_MAX_REMINDERS)
        abort();
    char due[40];
    nlp_when_due_rfc3339(&w, due);
    int64_t back;
    if (w.has_due && (time_parse_rfc3339(due, &back) != 0 || back != w.due_ms))
        abort();
    if (w.rrule[0]) {
        char out[512];
        struct todo_err err = {0};
        if (rrule_normalize(w.rrule, out, sizeof out, &err) != 0)
            abort();
    }
    memset(used, 0, len + 2);
    if (nlp_when_read(text, len, now, tz, &again, used + 1) != n || memcmp(&w, &again, sizeof w))
        abort();
    free(used);
    return 0;
}
