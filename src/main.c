/* main.c - the multi-call binary: `todo <command>` picks a role (docs/architecture.md,
 * "What runs"). Only the roles built so far are listed. */
#include "services/api/api.h"
#include "services/config.h"
#include "services/parse_cli.h"
#include "services/mcp_stdio.h"
#include "services/serve.h"
#include "services/web/web.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "usage: todo <command> [flags]\n"
                    "commands:\n"
                    "  serve     every role in one process (the embedded default)\n"
                    "  api       the REST API role and its outbox relay\n"
                    "  audit     the audit consumer (keeps every task's history)\n"
                    "  recurring the recurring consumer (creates the next occurrence)\n"
                    "  notify    the notify consumer and its delivery pool (reminders)\n"
                    "  realtime  the WebSocket role (GET /ws: live task changes)\n"
                    "  web       the web front door: the UI, and /api and /mcp forwarded to the\n"
                    "            api through the Dapr sidecars (service invocation)\n"
                    "  mcp       MCP over stdio for the user of TODO_TOKEN (docs/mcp.md)\n"
                    "  migrate   apply database migrations and exit\n"
                    "  routes    print the HTTP routes\n"
                    "  parse     print the assistant parser's JSON for a message\n"
                    "  version   print the version\n"
                    "Run `todo serve --help` for flags; see README.md.\n");
}

/* The commands whose flags config_help lists. */
static bool takes_flags(const char *cmd)
{
    static const char *const with_flags[] = {"serve",    "api",     "audit", "recurring", "notify",
                                             "realtime", "migrate", "mcp",   "web"};
    for (size_t i = 0; i < sizeof with_flags / sizeof with_flags[0]; i++)
        if (strcmp(cmd, with_flags[i]) == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1];
    if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        if (takes_flags(cmd))
            config_help(cmd);
        else
            usage();
        return 0;
    }
    if (strcmp(cmd, "serve") == 0 || strcmp(cmd, "api") == 0 || strcmp(cmd, "audit") == 0 ||
        strcmp(cmd, "recurring") == 0 || strcmp(cmd, "notify") == 0 || strcmp(cmd, "realtime") == 0)
        return serve_main(cmd, argc - 1, argv + 1);
    if (strcmp(cmd, "mcp") == 0)
        return mcp_stdio_main(argc - 1, argv + 1);
    if (strcmp(cmd, "web") == 0)
        return web_main(argc - 1, argv + 1);
    if (strcmp(cmd, "migrate") == 0)
        return migrate_main(argc - 1, argv + 1);
    if (strcmp(cmd, "parse") == 0)
        return parse_main(argc - 1, argv + 1);
    if (strcmp(cmd, "routes") == 0)
        return routes_main();
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("todo %s\n", TODO_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage();
        return 0;
    }
    fprintf(stderr, "todo: unknown command '%s'\n", cmd);
    usage();
    return 2;
}
