/* nlp_when.c - STUB until the date reader lands (issue 12): reads nothing. */
#include "core/nlp_when.h"

#include <string.h>

int nlp_when_read(const char *text, size_t len, int64_t now_ms, const char *tz,
                  struct nlp_when *out, unsigned char *used)
{
    (void)text, (void)len, (void)now_ms, (void)tz, (void)used;
    memset(out, 0, sizeof *out);
    return 0;
}

void nlp_when_due_rfc3339(const struct nlp_when *w, char out[40])
{
    (void)w;
    out[0] = '\0';
}
