/* cloudevent.h - CloudEvents 1.0 in the JSON format (application/cloudevents+json):
 * encode an event for a topic, decode and validate one received. Pure functions. */
#ifndef TODO_EVENTS_CLOUDEVENT_H
#define TODO_EVENTS_CLOUDEVENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/trace.h"

#define CE_ID_MAX          64
#define CE_TYPE_MAX        96
#define CE_SOURCE_MAX      96
#define CE_SUBJECT_MAX     64
#define CE_TRACEPARENT_LEN TRACEPARENT_LEN

struct cloudevent {
    char id[CE_ID_MAX];         /* UUIDv7 */
    char source[CE_SOURCE_MAX]; /* "/todo/api" */
    char type[CE_TYPE_MAX];     /* "todo.task.created" */
    char subject[CE_SUBJECT_MAX];
    int64_t time; /* ms */
    char traceparent[CE_TRACEPARENT_LEN + 1];
    char partition_key[64];   /* the user id: the Kafka key (extension "partitionkey") */
    char *data;               /* owned JSON text of "data" (an object) */
    struct json_t *data_json; /* owned: "data" as cloudevent_parse read it (NULL if built) */
};

void cloudevent_release(struct cloudevent *ce);
/* Appends the JSON form. data is written verbatim (it is already JSON). */
void cloudevent_write(struct buf *out, const struct cloudevent *ce);
/* Appends ,"type":...,"subject":... (the task id of task and reminder events) to a log line's
 * fields: what every line about a handled event names besides its ids (docs/deploy/logging.md). */
void cloudevent_log_fields(struct buf *out, const struct cloudevent *ce);
/* Parses and validates (specversion "1.0", id, source, type required; time RFC 3339;
 * traceparent well-formed if present; data an object). Fills *out (which the caller
 * releases). TODO_ERR_BAD_REQUEST with a message otherwise. */
int cloudevent_parse(const char *json, size_t len, struct cloudevent *out, struct todo_err *err);
/* "data" as a JSON object, a new reference (the caller json_decref's it): the tree
 * cloudevent_parse kept, so a handler does not parse the text again, else the text parsed;
 * NULL when that is not JSON. */
struct json_t *cloudevent_data(const struct cloudevent *ce);

#endif
