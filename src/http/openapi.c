/* openapi.c - access to the OpenAPI document that embed.S pulls into the binary. */
#include "http/openapi.h"

extern const char todo_openapi_json[];
extern const char todo_openapi_json_end[];

const char *http_openapi_json(size_t *len)
{
    *len = (size_t)(todo_openapi_json_end - todo_openapi_json);
    return todo_openapi_json;
}
