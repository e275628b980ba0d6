/* nlp.c - STUB until the intent parser lands (issue 12): every message is "unknown". */
#include "core/nlp.h"

#include <stdlib.h>

json_t *nlp_parse_json(const char *text, size_t len, int64_t now_ms, const char *tz)
{
    (void)text, (void)len, (void)now_ms, (void)tz;
    json_t *o = json_pack("{s:s,s:n,s:n,s:b,s:n,s:b}", "intent", "unknown", "title", "due",
                          "all_day", 0, "rrule", "from_completion", 0);
    if (!o)
        abort();
    return o;
}
