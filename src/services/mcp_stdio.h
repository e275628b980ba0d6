/* mcp_stdio.h - `todo mcp`: the Model Context Protocol over stdio (docs/mcp.md). */
#ifndef TODO_SERVICES_MCP_STDIO_H
#define TODO_SERVICES_MCP_STDIO_H

/* Serves newline-delimited JSON-RPC on stdin/stdout for the user of the token in TODO_TOKEN,
 * over the database of the same configuration as `todo serve` (argv: its flags). Returns
 * the exit code: 0 at the end of stdin, 1 when it cannot start (why on stderr). */
int mcp_stdio_main(int argc, char **argv);

#endif
