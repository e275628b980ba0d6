/* dead_letters.h - keeping dead letters in the database when the bus cannot: on the
 * in-process bus nothing outside the process holds "<topic>.dlq", so a subscriber writes each
 * dead letter into the dead_letters table. */
#ifndef TODO_EVENTS_DEAD_LETTERS_H
#define TODO_EVENTS_DEAD_LETTERS_H

#include "base/buf.h"
#include "base/err.h"
#include "events/bus.h"
#include "store/store.h"

/* Appends the start of a dead letter (docs/events/dead-letter.schema.json) to out, up to and
 * including "event": {"consumer","error","attempts","failed_at","topic","event": - the
 * caller appends the event and the closing brace. */
void dead_letter_open(struct buf *out, const char *consumer, const char *error, int attempts,
                      int64_t failed_at_ms, const char *topic);

/* Subscribes (before bus_start) a group that stores every message of the .dlq topics of
 * task-events, task-updates and reminders; store must outlive the bus. */
int dead_letters_keep(bus_t *bus, store_t *store, struct todo_err *err);

#endif
