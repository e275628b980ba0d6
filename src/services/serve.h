/* serve.h - the long-running roles: `todo serve` (every role in one process) and
 * `todo api`. */
#ifndef TODO_SERVICES_SERVE_H
#define TODO_SERVICES_SERVE_H

#include "http/static_files.h"
#include "services/config.h"

#include <signal.h>

/* The web UI of cfg->web_dir read into memory (*out), a page saying it is not built when the
 * directory is missing, NULL when web_dir is "". -1, having logged why, when it cannot be
 * loaded. The api role and the web front door (todo web) serve it. */
int serve_open_web(const struct todo_config *cfg, static_files_t **out);

/* Blocks SIGTERM and SIGINT in the calling thread (call it before any thread starts, so every
 * thread inherits the mask and the main thread takes them with sigwait) and ignores SIGPIPE;
 * fills sigs with the two for that sigwait. */
void serve_block_stop_signals(sigset_t *sigs);

/* Runs until SIGTERM or SIGINT; returns the process exit code. */
int serve_main(const char *command, int argc, char **argv);
/* `todo migrate`: applies migrations and exits. */
int migrate_main(int argc, char **argv);
/* `todo routes`: prints "METHOD /path" for every route of the api role. */
int routes_main(void);

#endif
