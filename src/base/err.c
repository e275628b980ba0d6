/* err.c - names and HTTP statuses of result codes; building error reports. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int status;
} rc_table[TODO_RC_COUNT] = {
    [TODO_OK] = {"ok", 200},
    [TODO_ERR_BAD_REQUEST] = {"bad_request", 400},
    [TODO_ERR_UNAUTHORIZED] = {"unauthorized", 401},
    [TODO_ERR_FORBIDDEN] = {"forbidden", 403},
    [TODO_ERR_NOT_FOUND] = {"not_found", 404},
    [TODO_ERR_METHOD] = {"method_not_allowed", 405},
    [TODO_ERR_CONFLICT] = {"conflict", 409},
    [TODO_ERR_PRECONDITION] = {"precondition_failed", 412},
    [TODO_ERR_TOO_LARGE] = {"payload_too_large", 413},
    [TODO_ERR_UNSUPPORTED_MEDIA] = {"unsupported_media_type", 415},
    [TODO_ERR_VALIDATION] = {"validation_failed", 422},
    [TODO_ERR_RATE_LIMITED] = {"rate_limited", 429},
    [TODO_ERR_INTERNAL] = {"internal", 500},
    [TODO_ERR_UNAVAILABLE] = {"unavailable", 503},
    [TODO_ERR_BUSY] = {"unavailable", 503},
};

const char *todo_rc_name(int rc)
{
    if (rc < 0 || rc >= TODO_RC_COUNT)
        return "internal";
    return rc_table[rc].name;
}

int todo_rc_http_status(int rc)
{
    if (rc < 0 || rc >= TODO_RC_COUNT)
        return 500;
    return rc_table[rc].status;
}

void todo_err_clear(struct todo_err *e)
{
    e->rc = TODO_OK;
    e->message[0] = '\0';
    e->n_details = 0;
}

int todo_err_set(struct todo_err *e, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->rc = rc;
    return rc;
}

int todo_err_field(struct todo_err *e, const char *field, const char *fmt, ...)
{
    char msg[sizeof e->details[0].message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (e->n_details == 0)
        snprintf(e->message, sizeof e->message, "%s", msg);
    if (e->n_details < TODO_ERR_MAX_DETAILS) {
        struct todo_err_detail *d = &e->details[e->n_details++];
        snprintf(d->field, sizeof d->field, "%s", field);
        snprintf(d->message, sizeof d->message, "%s", msg);
    }
    e->rc = TODO_ERR_VALIDATION;
    return TODO_ERR_VALIDATION;
}
