/* fake_sidecar.h - a loopback HTTP server answering the parts of the Dapr sidecar's API the
 * services' unit tests call: /v1.0/healthz/outbound (204, ready) and the routes a test lists,
 * each with its status and JSON body; any other path is 404. With a token, every route but the
 * health check wants it as `dapr-api-token` (401 otherwise), as daprd does when
 * DAPR_API_TOKEN is set. tests/dapr/ runs the same code against a real daprd. Included by one
 * test file each (everything is static). */
#ifndef TODO_TESTS_FAKE_SIDECAR_H
#define TODO_TESTS_FAKE_SIDECAR_H

#include <criterion/criterion.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

struct fake_route {
    const char *url; /* NULL ends the table */
    unsigned status;
    const char *body;
};

struct fake_sidecar {
    const struct fake_route *routes;
    const char *token; /* NULL: none wanted */
    struct MHD_Daemon *daemon;
    char port[16];
};

static enum MHD_Result fake_sidecar_answer(void *cls, struct MHD_Connection *c, const char *url,
                                           const char *method, const char *version,
                                           const char *upload, size_t *upload_len, void **state)
{
    (void)method, (void)version, (void)upload, (void)upload_len, (void)state;
    const struct fake_sidecar *s = cls;
    const char *body = "{\"errorCode\":\"ERR_NOT_FOUND\"}";
    unsigned status = 404;
    const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "dapr-api-token");
    if (strcmp(url, "/v1.0/healthz/outbound") == 0) {
        body = "";
        status = 204;
    } else if (s->token && (!token || strcmp(token, s->token) != 0)) {
        body = "{\"errorCode\":\"ERR_UNAUTHORIZED\"}";
        status = 401;
    } else {
        for (const struct fake_route *r = s->routes; r->url; r++)
            if (strcmp(url, r->url) == 0) {
                body = r->body;
                status = r->status;
                break;
            }
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Starts s (routes and token set by the caller) on a free loopback port, kept in s->port. */
static void fake_sidecar_start(struct fake_sidecar *s)
{
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                                 fake_sidecar_answer, s, MHD_OPTION_END);
    cr_assert_not_null(s->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->port, sizeof s->port, "%u", info->port);
}

static void fake_sidecar_stop(struct fake_sidecar *s)
{
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
}

#endif
