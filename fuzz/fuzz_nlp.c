/* fuzz_nlp.c - libFuzzer target: bytes -> nlp_parse_json (src/core/nlp.h). The first byte
 * picks the zone (known, unknown or NULL), the next eight "now" (any instant from 2000 to
 * 2200, so that a due a day before now stays in RFC 3339's range of the project, 1970-9999), the
 * rest is the message, copied without a terminating NUL so that a read past its end is caught. The
 * answer must always be the documented JSON form, the same on a second call (the parser is pure),
 * and its due an RFC 3339 instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "core/nlp.h"

static const char *const zones[] = {"America/New_York",
                                    "Europe/Berlin",
                                    "Europe/London",
                                    "Asia/Kolkata",
                                    "Australia/Sydney",
                                    "UTC",
                                    "America/Los_Angeles",
                                    "Pacific/Chatham",
                                    "Asia/Kathmandu",
                                    "Not/AZone",
                                    "",
                                    NULL};
#define N_ZONES     (sizeof zones / sizeof zones[0])
#define MIN_NOW_MS  946684800000LL  /* 2000-01-01 */
#define MAX_NOW_MS  7258118400000LL /* 2200-01-01 */
#define HEADER_SIZE 9

static void check_form(json_t *out)
{
    static const char *const intents[] = {"add",    "list", "complete", "reopen", "delete",
                                          "update", "help", "confirm",  "cancel", "unknown"};
    if (!json_is_object(out))
        abort();
    const char *intent = json_string_value(json_object_get(out, "intent"));
    int known = 0;
    for (size_t i = 0; intent && i < sizeof intents / sizeof intents[0]; i++)
        known |= strcmp(intent, intents[i]) == 0;
    json_t *title = json_object_get(out, "title"), *due = json_object_get(out, "due");
    json_t *rrule = json_object_get(out, "rrule");
    if (!known || !title || !due || !rrule || !json_is_boolean(json_object_get(out, "all_day")) ||
        !json_is_boolean(json_object_get(out, "from_completion")))
        abort();
    if (!(json_is_null(title) || json_is_string(title)) ||
        !(json_is_null(rrule) || json_is_string(rrule)))
        abort();
    int64_t ms;
    if (!json_is_null(due) &&
        (!json_is_string(due) || time_parse_rfc3339(json_string_value(due), &ms) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_SIZE)
        return 0;
    const char *tz = zones[data[0] % N_ZONES];
    uint64_t raw = 0;
    for (int i = 1; i < HEADER_SIZE; i++)
        raw = raw << 8 | data[i];
    int64_t now_ms = MIN_NOW_MS + (int64_t)(raw % (uint64_t)(MAX_NOW_MS - MIN_NOW_MS));
    size_t len = size - HEADER_SIZE;
    char *text = malloc(len ? len : 1);
    if (!text)
        abort();
    memcpy(text, data + HEADER_SIZE, len);
    json_t *out = nlp_parse_json(text, len, now_ms, tz);
    check_form(out);
    json_t *again = nlp_parse_json(text, len, now_ms, tz);
    if (!json_equal(out, again))
        abort();
    char *dump = json_dumps(out, JSON_COMPACT);
    if (!dump)
        abort();
    free(dump);
    json_decref(again);
    json_decref(out);
    free(text);
    return 0;
}
