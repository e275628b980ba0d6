/* err.h - the project-wide result codes and the error report that carries a message and
 * per-field details up to the HTTP layer, which maps codes to statuses in one table. */
#ifndef TODO_BASE_ERR_H
#define TODO_BASE_ERR_H

enum todo_rc {
    TODO_OK = 0,
    TODO_ERR_BAD_REQUEST,       /* malformed input: 400 */
    TODO_ERR_UNAUTHORIZED,      /* 401 */
    TODO_ERR_FORBIDDEN,         /* 403 */
    TODO_ERR_NOT_FOUND,         /* 404 */
    TODO_ERR_METHOD,            /* 405 */
    TODO_ERR_CONFLICT,          /* 409 */
    TODO_ERR_PRECONDITION,      /* 412 */
    TODO_ERR_TOO_LARGE,         /* 413 */
    TODO_ERR_UNSUPPORTED_MEDIA, /* 415 */
    TODO_ERR_VALIDATION,        /* 422 */
    TODO_ERR_RATE_LIMITED,      /* 429 */
    TODO_ERR_INTERNAL,          /* 500 */
    TODO_ERR_UNAVAILABLE,       /* 503: database or bus unreachable */
    TODO_ERR_BUSY,              /* transient (lock, serialization): the caller may retry */
    TODO_RC_COUNT
};

/* The API's error code for rc ("validation_failed", ...). Never NULL. */
const char *todo_rc_name(int rc);
/* The HTTP status for rc. */
int todo_rc_http_status(int rc);

#define TODO_ERR_MAX_DETAILS 8

struct todo_err_detail {
    char field[64];
    char message[192];
};

/* An error report. Zero-initialise (or todo_err_clear) before use. */
struct todo_err {
    int rc;
    char message[256];
    int n_details;
    struct todo_err_detail details[TODO_ERR_MAX_DETAILS];
};

void todo_err_clear(struct todo_err *e);
/* Sets code and message; returns rc so callers can `return todo_err_set(...)`. */
int todo_err_set(struct todo_err *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a field detail and makes the report a validation failure; the first detail also
 * becomes the message. Returns TODO_ERR_VALIDATION. */
int todo_err_field(struct todo_err *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
