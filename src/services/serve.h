/* serve.h - the long-running roles: `todo serve` (every role in one process) and
 * `todo api`. */
#ifndef TODO_SERVICES_SERVE_H
#define TODO_SERVICES_SERVE_H

/* Runs until SIGTERM or SIGINT; returns the process exit code. */
int serve_main(const char *command, int argc, char **argv);
/* `todo migrate`: applies migrations and exits. */
int migrate_main(int argc, char **argv);
/* `todo routes`: prints "METHOD /path" for every route of the api role. */
int routes_main(void);

#endif
