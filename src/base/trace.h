/* trace.h - W3C trace context: the traceparent header that travels from an HTTP request
 * into the events it causes and on into every consumer's log lines. Pure functions. */
#ifndef TODO_BASE_TRACE_H
#define TODO_BASE_TRACE_H

#include <stdbool.h>

#define TRACEPARENT_LEN 55 /* 00-<32 hex>-<16 hex>-<2 hex> */

/* True for a well-formed version-00 traceparent with non-zero ids. */
bool traceparent_valid(const char *tp);
/* A child of a valid incoming traceparent (same trace id, new span id), or a new trace.
 * in may be NULL. */
void traceparent_child(const char *in, char out[TRACEPARENT_LEN + 1]);
/* The 32-hex trace id of a traceparent (for logs), or "" when invalid. */
void traceparent_trace_id(const char *tp, char out[33]);

#endif
