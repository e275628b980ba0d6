/* api_internal.h - what the api role's route files share (api.c, api_notify.c). */
#ifndef TODO_SERVICES_API_INTERNAL_H
#define TODO_SERVICES_API_INTERNAL_H

#include "services/api/api.h"

/* Authenticates the bearer token; a {user_id} in the path must be the token's user. Returns
 * true with user_id set, or false with the error response written. */
bool api_authenticate(struct http_request *req, struct api_service *api, char user_id[USER_ID_MAX]);
/* The settings and notifications routes (api_notify.c). */
void api_notify_routes_register(struct api_service *api);

#endif
