/* dapr_auth.c - checks the dapr-api-token of a sidecar callback against APP_API_TOKEN.
 *
 * The one idea: compare keyed hashes, not strings. At start the token is hashed (BLAKE2b,
 * libsodium's crypto_generichash) under a random key of this process and only the digest is
 * kept; a presented token is hashed under the same key and the two fixed-size digests are
 * compared with sodium_memcmp. So the comparison never stops early on a wrong byte nor on a
 * wrong length, and nobody can precompute a digest
 * (docs/decisions/0020-dapr-callbacks-authenticated.md). */
#include "services/dapr_auth.h"

#include <assert.h>
#include <string.h>

/* Visible ASCII only: what survives an HTTP header unchanged (no spaces to be trimmed, no
 * control characters), and what a random base64 or hex token is made of. */
static bool token_chars_ok(const char *token, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (token[i] < 0x21 || token[i] > 0x7e)
            return false;
    return true;
}

static void hash_token(const struct dapr_auth *a, const char *token, size_t len,
                       unsigned char out[crypto_generichash_BYTES])
{
    crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)token, len, a->key,
                       sizeof a->key);
}

int dapr_auth_init(struct dapr_auth *a, const char *token, bool allow_none, struct todo_err *err)
{
    assert(a && err);
    memset(a, 0, sizeof *a);
    if (!token || !*token) {
        if (!allow_none)
            return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                                "the Dapr bus needs APP_API_TOKEN: the token the sidecar sends as "
                                "dapr-api-token, set in the environment of both daprd and todo "
                                "(or set " DAPR_AUTH_OPT_OUT "=1 to accept unauthenticated "
                                "callbacks, which is unsafe)");
        return TODO_OK; /* the opt-out: required stays false */
    }
    size_t len = strnlen(token, DAPR_TOKEN_MAX_LEN + 1);
    if (len < DAPR_TOKEN_MIN_LEN || len > DAPR_TOKEN_MAX_LEN || !token_chars_ok(token, len))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST,
                            "APP_API_TOKEN must be %d to %d visible ASCII characters (no spaces), "
                            "e.g. 32 random bytes in base64",
                            DAPR_TOKEN_MIN_LEN, DAPR_TOKEN_MAX_LEN);
    randombytes_buf(a->key, sizeof a->key);
    hash_token(a, token, len, a->digest);
    a->required = true;
    return TODO_OK;
}

bool dapr_auth_check(const struct dapr_auth *a, const char *presented)
{
    assert(a);
    if (!a->required)
        return true;
    if (!presented)
        return false;
    /* An over-long value cannot be the token; refusing it unhashed tells nothing about it. */
    size_t len = strnlen(presented, DAPR_TOKEN_MAX_LEN + 1);
    if (len > DAPR_TOKEN_MAX_LEN)
        return false;
    unsigned char got[crypto_generichash_BYTES];
    hash_token(a, presented, len, got);
    bool ok = sodium_memcmp(got, a->digest, sizeof got) == 0;
    sodium_memzero(got, sizeof got);
    return ok;
}

void dapr_auth_release(struct dapr_auth *a)
{
    if (a)
        sodium_memzero(a, sizeof *a);
}
