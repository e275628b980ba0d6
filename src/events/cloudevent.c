/* cloudevent.c - CloudEvents 1.0 JSON: writing (straight into a buffer, the data verbatim)
 * and strict parsing of what consumers receive, plus W3C traceparent handling. */
#include "events/cloudevent.h"
#include "base/trace.h"
#include "base/timeutil.h"
#include "base/uuid.h"
#include "base/xalloc.h"

#include <assert.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cloudevent_release(struct cloudevent *ce)
{
    free(ce->data);
    ce->data = NULL;
    json_decref(ce->data_json);
    ce->data_json = NULL;
}

json_t *cloudevent_data(const struct cloudevent *ce)
{
    assert(ce && ce->data);
    if (ce->data_json)
        return json_incref(ce->data_json);
    return json_loads(ce->data, 0, NULL);
}

void cloudevent_write(struct buf *out, const struct cloudevent *ce)
{
    char ts[TIME_RFC3339_MAX];
    time_format_rfc3339(ce->time, ts);
    buf_puts(out, "{\"specversion\":\"1.0\",\"id\":");
    buf_json_str(out, ce->id);
    buf_puts(out, ",\"source\":");
    buf_json_str(out, ce->source);
    buf_puts(out, ",\"type\":");
    buf_json_str(out, ce->type);
    if (ce->subject[0]) {
        buf_puts(out, ",\"subject\":");
        buf_json_str(out, ce->subject);
    }
    buf_puts(out, ",\"time\":\"");
    buf_puts(out, ts);
    buf_puts(out, "\",\"datacontenttype\":\"application/json\"");
    if (ce->traceparent[0]) {
        buf_puts(out, ",\"traceparent\":");
        buf_json_str(out, ce->traceparent);
    }
    if (ce->partition_key[0]) {
        buf_puts(out, ",\"partitionkey\":");
        buf_json_str(out, ce->partition_key);
    }
    buf_puts(out, ",\"data\":");
    buf_puts(out, ce->data ? ce->data : "{}");
    buf_putc(out, '}');
}

/* Copies a required (or optional) string member into dst; false when invalid. */
static bool get_str(json_t *o, const char *key, char *dst, size_t dstsz, bool required)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return !required;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= dstsz ||
        strlen(json_string_value(v)) != json_string_length(v))
        return false;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

void cloudevent_log_fields(struct buf *out, const struct cloudevent *ce)
{
    assert(out && ce);
    buf_puts(out, ",\"type\":");
    buf_json_str(out, ce->type);
    buf_puts(out, ",\"subject\":");
    buf_json_str(out, ce->subject);
}

int cloudevent_parse(const char *json, size_t len, struct cloudevent *out, struct todo_err *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "not JSON: %s", jerr.text);
    struct cloudevent ce;
    memset(&ce, 0, sizeof ce);
    int rc = TODO_OK;
    json_t *spec = json_object_get(o, "specversion");
    if (!json_is_object(o) || !json_is_string(spec) ||
        strcmp(json_string_value(spec), "1.0") != 0) {
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "specversion must be \"1.0\"");
        goto out_free_json;
    }
    if (!get_str(o, "id", ce.id, sizeof ce.id, true) ||
        !get_str(o, "source", ce.source, sizeof ce.source, true) ||
        !get_str(o, "type", ce.type, sizeof ce.type, true) ||
        !get_str(o, "subject", ce.subject, sizeof ce.subject, false) ||
        !get_str(o, "partitionkey", ce.partition_key, sizeof ce.partition_key, false)) {
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST,
                          "id, source and type are required non-empty strings");
        goto out_free_json;
    }
    json_t *tp = json_object_get(o, "traceparent");
    if (json_is_string(tp) && json_string_length(tp) == 0)
        tp = NULL; /* some producers (a Dapr sidecar without the header) write "" */
    if (tp) {
        if (!json_is_string(tp) || !traceparent_valid(json_string_value(tp))) {
            rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "traceparent is malformed");
            goto out_free_json;
        }
        memcpy(ce.traceparent, json_string_value(tp), CE_TRACEPARENT_LEN + 1);
    }
    json_t *t = json_object_get(o, "time");
    if (t && (!json_is_string(t) || time_parse_rfc3339(json_string_value(t), &ce.time) != 0)) {
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "time is not RFC 3339");
        goto out_free_json;
    }
    json_t *data = json_object_get(o, "data");
    if (data && !json_is_object(data)) {
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "data must be an object");
        goto out_free_json;
    }
    ce.data = data ? json_dumps(data, JSON_COMPACT) : xstrdup("{}");
    ce.data_json = data ? json_incref(data) : json_object(); /* handlers read it: no reparse */
    if (!ce.data || !ce.data_json)
        abort(); /* OOM in jansson */
    *out = ce;
out_free_json:
    json_decref(o);
    return rc;
}
