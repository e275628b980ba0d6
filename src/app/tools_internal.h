/* tools_internal.h - what tools.c and tools_schema.c share: the table of tools, indexed by
 * enum tool_id in the order app_tools() lists them. */
#ifndef TODO_APP_TOOLS_INTERNAL_H
#define TODO_APP_TOOLS_INTERNAL_H

#include "app/tools.h"

enum tool_id {
    TOOL_ADD,
    TOOL_LIST,
    TOOL_COMPLETE,
    TOOL_REOPEN,
    TOOL_DELETE,
    TOOL_UPDATE,
    TOOL_TAGS,
    TOOLS_COUNT
};

extern const struct app_tool tools_table[TOOLS_COUNT];

#endif
