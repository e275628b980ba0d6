/* dapr_auth.h - the app API token that proves a callback comes from our Dapr sidecar: daprd
 * sends the APP_API_TOKEN of its environment as the dapr-api-token header on every call to
 * the app (docs/operations.md, "Dapr callbacks";
 * docs/decisions/0020-dapr-callbacks-authenticated.md). */
#ifndef TODO_SERVICES_DAPR_AUTH_H
#define TODO_SERVICES_DAPR_AUTH_H

#include <sodium.h>
#include <stdbool.h>

#include "base/err.h"

#define DAPR_AUTH_HEADER   "dapr-api-token"
#define DAPR_TOKEN_MIN_LEN 16   /* the Dapr docs' example, 16 random bytes in base64, is 24 */
#define DAPR_TOKEN_MAX_LEN 4096 /* longer presented tokens are refused unhashed */
#define DAPR_AUTH_OPT_OUT  "TODO_DAPR_INSECURE_NO_APP_TOKEN"

/* What the check needs: never the token itself, only its hash under a key drawn at start,
 * so a comparison takes the same time whatever was presented, its length included. Plain
 * data, read-only after dapr_auth_init: safe to check from any thread. */
struct dapr_auth {
    bool required; /* false only with the opt-out and no token */
    unsigned char key[crypto_generichash_KEYBYTES];
    unsigned char digest[crypto_generichash_BYTES];
};

/* Prepares the check for token (APP_API_TOKEN; NULL or "" when unset). A token is
 * required unless allow_none (the opt-out): then none means every callback is accepted.
 * A token, when given, is always required. Refuses (TODO_ERR_BAD_REQUEST, a message that
 * never contains the token) a missing token without the opt-out, and a token that is not
 * DAPR_TOKEN_MIN_LEN..DAPR_TOKEN_MAX_LEN visible ASCII characters. Call after sodium_init. */
int dapr_auth_init(struct dapr_auth *a, const char *token, bool allow_none, struct todo_err *err);
/* True when the callback may go on: presented (the header's value, NULL when absent) is the
 * token, or no token is required. The time taken depends neither on the token nor on how
 * much of it presented matches (only on presented's own length, which its sender knows). */
bool dapr_auth_check(const struct dapr_auth *a, const char *presented);
/* Wipes the key and digest. */
void dapr_auth_release(struct dapr_auth *a);

#endif
