/* openapi.h - the OpenAPI document (docs/openapi.json), embedded at build time. */
#ifndef TODO_HTTP_OPENAPI_H
#define TODO_HTTP_OPENAPI_H

#include <stddef.h>

/* The document's bytes (static, not NUL-terminated in general) and their length. */
const char *http_openapi_json(size_t *len);

#endif
