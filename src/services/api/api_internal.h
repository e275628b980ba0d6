/* api_internal.h - what the api role's route files share (api.c, api_notify.c). */
#ifndef TODO_SERVICES_API_INTERNAL_H
#define TODO_SERVICES_API_INTERNAL_H

#include "services/api/api.h"

struct buf;

/* Authenticates the bearer token; a {user_id} in the path must be the token's user. Returns
 * true with user_id set, or false with the error response written. */
bool api_authenticate(struct http_request *req, struct api_service *api, char user_id[USER_ID_MAX]);
/* The {id} path parameter, a positive decimal integer. Returns true with *id set, or false
 * with 404 "no such <what>" written (what: "task", "notification"). */
bool api_id_param(struct http_request *req, const char *what, int64_t *id);
/* Answers with the JSON in b (taken) or body (stolen), marked Cache-Control: no-store. */
void api_respond_private_buf(struct http_request *req, int status, struct buf *b);
void api_respond_private(struct http_request *req, int status, json_t *body);
/* The query_param_fn of the list use cases (ctx: the request). */
const char *api_query_get(void *ctx, const char *name);
/* The settings and notifications routes (api_notify.c). */
void api_notify_routes_register(struct api_service *api);
/* The chat routes (api_chat.c). */
void api_chat_routes_register(struct api_service *api);
/* The assistant's parse route (api_assistant.c). */
void api_assistant_routes_register(struct api_service *api);

#endif
