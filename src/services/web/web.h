/* web.h - `todo web`, the web front door: serves the web UI and forwards /api and /mcp to
 * the api (TODO_WEB_API_APP_ID) through its own Dapr sidecar's service invocation, so each
 * call crosses two sidecars with mTLS and the Resiliency policy (docs/architecture.md, "The
 * web front door"; docs/decisions/0049-kubernetes-app-side.md). */
#ifndef TODO_SERVICES_WEB_H
#define TODO_SERVICES_WEB_H

/* Runs until SIGTERM or SIGINT; returns the process exit code (2: bad configuration). */
int web_main(int argc, char **argv);

#endif
