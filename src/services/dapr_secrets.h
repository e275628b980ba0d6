/* dapr_secrets.h - secrets through the Dapr sidecar's secrets API: one reader of a secret
 * (a bag of keys) that LLM mode's TODO_LLM_API_KEY_SECRET and TODO_DAPR_SECRETS both use,
 * and TODO_DAPR_SECRETS itself, which takes the database URL, the JWT secret, the SMTP
 * password and the LLM key from one secret (docs/operations.md, "Secrets from Dapr";
 * docs/decisions/0049-kubernetes-app-side.md). No value is ever logged or put in an error. */
#ifndef TODO_SERVICES_DAPR_SECRETS_H
#define TODO_SERVICES_DAPR_SECRETS_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "services/config.h"
#include "services/notify/notify.h"

#define DAPR_SIDECAR_WAIT_MS 60000 /* how long a role waits for its sidecar at start */

/* Polls the sidecar's GET /v1.0/healthz/outbound (its components loaded) until it answers
 * 2xx or wait_ms passed. TODO_ERR_UNAVAILABLE when it never did. Blocking. */
int dapr_sidecar_wait(unsigned http_port, unsigned wait_ms, struct todo_err *err);
/* Reads the secret name of store once (GET /v1.0/secrets/<store>/<name>, with
 * dapr-api-token when DAPR_API_TOKEN is set). *bag: the answer's object {key: value} (free
 * it with dapr_secret_bag_free). TODO_ERR_UNAVAILABLE: no answer; TODO_ERR_NOT_FOUND: an
 * answer other than 200; TODO_ERR_BAD_REQUEST: not an object of strings. */
int dapr_secret_bag_read(unsigned http_port, const char *store, const char *name, json_t **bag,
                         struct todo_err *err);
/* Zeroes the bag's values, then frees it. NULL is fine. */
void dapr_secret_bag_free(json_t *bag);

/* What a role needs from TODO_DAPR_SECRETS when it does not come from elsewhere. */
enum { DAPR_SECRETS_NEED_DATABASE = 1, DAPR_SECRETS_NEED_JWT = 2 };

/* With cfg->dapr_secrets set: waits for the sidecar (DAPR_SIDECAR_WAIT_MS), reads that
 * secret of cfg->dapr_secret_store once and sets, for each key present, its setting:
 * database-url -> cfg->database_url, jwt-secret -> cfg->jwt_secret, smtp-password ->
 * ncfg->smtp_password (when ncfg), llm-api-key -> cfg->llm_api_key. Other keys are ignored.
 * A key present whose setting was also given by a variable or flag is TODO_ERR_CONFLICT
 * (one source of truth); a needed setting (needs) in neither place, or a value that cannot
 * be used, TODO_ERR_BAD_REQUEST; the sidecar or the secret missing as above. A no-op without
 * cfg->dapr_secrets. Messages name keys and variables, never values. */
int dapr_secrets_apply(struct todo_config *cfg, struct notify_config *ncfg, unsigned needs,
                       struct todo_err *err);

#endif
