/* trace.c - W3C trace context (traceparent, version 00): validation, child spans and the
 * trace id for log lines. Randomness from libsodium via random_hex. */
#include "base/trace.h"
#include "base/uuid.h"

#include <stdio.h>
#include <string.h>

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

static bool all_zero(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return false;
    return true;
}

/* version 00 only: 00-<32>-<16>-<2>, ids not all zero */
bool traceparent_valid(const char *tp)
{
    return tp && strlen(tp) == TRACEPARENT_LEN && tp[0] == '0' && tp[1] == '0' && tp[2] == '-' &&
           tp[35] == '-' && tp[52] == '-' && is_hex(tp + 3, 32) && !all_zero(tp + 3, 32) &&
           is_hex(tp + 36, 16) && !all_zero(tp + 36, 16) && is_hex(tp + 53, 2);
}

void traceparent_child(const char *in, char out[TRACEPARENT_LEN + 1])
{
    char trace[33], span[17];
    if (traceparent_valid(in)) {
        memcpy(trace, in + 3, 32);
        trace[32] = '\0';
    } else {
        random_hex(trace, 16);
    }
    random_hex(span, 8);
    snprintf(out, TRACEPARENT_LEN + 1, "00-%s-%s-01", trace, span);
}

void traceparent_trace_id(const char *tp, char out[33])
{
    if (traceparent_valid(tp)) {
        memcpy(out, tp + 3, 32);
        out[32] = '\0';
    } else {
        out[0] = '\0';
    }
}
