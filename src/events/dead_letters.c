/* dead_letters.c - the dead-letter keeper of the in-process bus: each message published to a
 * "<topic>.dlq" topic becomes a dead_letters row. A failed insert answers RETRY, so the
 * consumer that dead-lettered the event keeps it and the relay tries again later: a dead
 * letter is never only a log line. */
#include "events/dead_letters.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "core/event.h"

#include <stdlib.h>

void dead_letter_open(struct buf *out, const char *consumer, const char *error, int attempts,
                      int64_t failed_at_ms, const char *topic)
{
    char ts[TIME_RFC3339_MAX];
    time_format_rfc3339(failed_at_ms, ts);
    buf_puts(out, "{\"consumer\":");
    buf_json_str(out, consumer);
    buf_puts(out, ",\"error\":");
    buf_json_str(out, error);
    buf_printf(out, ",\"attempts\":%d,\"failed_at\":\"%s\",\"topic\":", attempts, ts);
    buf_json_str(out, topic);
    buf_puts(out, ",\"event\":");
}

static int keep(void *ctx, const struct bus_message *m)
{
    store_t *store = ctx;
    char *payload = xstrndup(m->payload, m->len);
    int rc = store_dead_letter_insert(store, m->topic, m->key, m->id, payload, time_now_ms());
    free(payload);
    return rc ? BUS_RETRY : BUS_ACK;
}

int dead_letters_keep(bus_t *bus, store_t *store, struct todo_err *err)
{
    static const char *const topics[] = {TOPIC_TASK_EVENTS ".dlq", TOPIC_TASK_UPDATES ".dlq",
                                         TOPIC_REMINDERS ".dlq"};
    return bus_subscribe(bus, "dead-letters", false, topics, 3, keep, store, err);
}
