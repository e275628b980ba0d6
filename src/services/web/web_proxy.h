/* web_proxy.h - what the web front door forwards and what it sends back (src/services/web/
 * web.c): which paths go to the api, the request headers that matter, the answer's headers
 * passed through. Pure functions, so each rule is tested on its own
 * (tests/unit/services/test_web_proxy.c). docs/decisions/0049-kubernetes-app-side.md. */
#ifndef TODO_SERVICES_WEB_PROXY_H
#define TODO_SERVICES_WEB_PROXY_H

#include <stdbool.h>
#include <stddef.h>

/* True for the paths the front door forwards: /api, /api/..., /mcp (raw, as sent). */
bool web_proxy_forwards(const char *raw_path);
/* True when raw_path (percent-encoded, as sent) and raw_query may go into the sidecar's
 * invoke URL unchanged: visible ASCII, no "." or ".." segment, no encoded dot, slash,
 * backslash or NUL, no malformed '%' escape, no backslash, no empty segment. Anything else could
 * climb out of /v1.0/invoke/<id>/method/ to another sidecar API (its secrets) once a server
 * normalises the path. */
bool web_proxy_path_ok(const char *raw_path, const char *raw_query);
/* True for the request headers forwarded to the api (Authorization, Content-Type, Accept,
 * Mcp-Session-Id, MCP-Protocol-Version, Origin, Last-Event-ID, If-Match, ...);
 * case-insensitive. Hop-by-hop headers, cookies, Host, Dapr's own headers, X-Request-Id
 * (the front door sends its own) and any X-Todo-Client-Addr a client sends are not. */
extern const char *const web_proxy_forwarded[]; /* those names, NULL-terminated */
bool web_proxy_request_header(const char *name);
/* True for the answer's headers passed back to the client (Content-Type, Cache-Control,
 * ETag, Location, Retry-After, WWW-Authenticate, Allow, Mcp-Session-Id, Vary, ...). Not
 * X-Request-Id (the front door sends its own, which it also gave the api), nor hop-by-hop
 * headers, nor the sidecar's own. */
bool web_proxy_response_header(const char *name);
/* True when origin (an Origin header) names host (the request's Host) as its authority:
 * the browser is on the front door's own site. Such an Origin is not forwarded, since the
 * api would compare it with its own Host, the sidecar's; any other Origin is, and the api
 * judges it (TODO_MCP_ALLOWED_ORIGINS). host NULL: false. */
bool web_proxy_same_origin(const char *origin, const char *host);
/* The last entry of an X-Forwarded-For value (what the proxy in front of the front door
 * appended: the one entry a client cannot forge), copied to out when it is an IPv4 or IPv6
 * address; false otherwise (then the peer's address is used). */
bool web_proxy_forwarded_client(const char *xff, char *out, size_t size);
/* Writes "http://127.0.0.1:<port>/v1.0/invoke/<app_id>/method<raw_path>[?<raw_query>]" into
 * out; false when it does not fit. */
bool web_proxy_invoke_url(char *out, size_t size, unsigned port, const char *app_id,
                          const char *raw_path, const char *raw_query);

#endif
