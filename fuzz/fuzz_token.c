/* fuzz_token.c - libFuzzer target: the token verifier (src/app/token.c). The first byte picks
 * what the rest is:
 *   'H'  an Authorization header value: parsed (app_bearer_token), then its token verified;
 *   'C'  a JWT claims set: signed with the app's secret under a fixed HS256 header, so the
 *        claims checks (exp, nbf, iat, sub, sid, the revoked set) run on any JSON at all;
 *   else a whole token, verified as it is.
 * What must hold: no crash, no leak, and whatever is accepted has a sub and sid that fit
 * their buffers and was neither expired nor revoked (docs/decisions/0016). */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

static struct app app;
static const char revoked_sid[] = "revoked";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    memset(&app, 0, sizeof app);
    app.id = 1;
    memcpy(app.jwt_secret, "fuzz-secret-fuzz-secret-fuzz-sec", 32);
    app.jwt_secret_len = 32;
    app.token_ttl_ms = 3600 * 1000;
    app.revoked = app_revoked_create();
    app_revoked_add(app.revoked, revoked_sid, INT64_MAX);
    return 0;
}

static void check(const char *token)
{
    struct app_token t;
    struct todo_err err;
    todo_err_clear(&err);
    if (app_token_verify_claims(&app, token, &t, &err) != TODO_OK) {
        if (err.rc != TODO_ERR_UNAUTHORIZED)
            abort(); /* every refusal is a 401 */
        return;
    }
    if (strnlen(t.user_id, sizeof t.user_id) == sizeof t.user_id ||
        strnlen(t.sid, sizeof t.sid) == sizeof t.sid || !t.user_id[0] || !t.sid[0])
        abort();
    if (t.expires_at <= time_now_ms() - 1000 || strcmp(t.sid, revoked_sid) == 0)
        abort();
}

/* base64url without padding of n bytes, malloc'd. */
static char *b64url(const unsigned char *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* header.claims.signature, signed with the app's secret. */
static char *sign_claims(const uint8_t *claims, size_t n)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char *h = b64url((const unsigned char *)header, sizeof header - 1);
    char *c = b64url(claims, n);
    size_t signed_len = strlen(h) + 1 + strlen(c);
    char *token = xmalloc(signed_len + 1 + 64);
    memcpy(token, h, strlen(h));
    token[strlen(h)] = '.';
    memcpy(token + strlen(h) + 1, c, strlen(c) + 1);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, app.jwt_secret, app.jwt_secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, signed_len);
    crypto_auth_hmacsha256_final(&st, mac);
    char *sig = b64url(mac, sizeof mac);
    token[signed_len] = '.';
    memcpy(token + signed_len + 1, sig, strlen(sig) + 1);
    free(h);
    free(c);
    free(sig);
    return token;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = xstrndup((const char *)data + 1, size - 1);
    if (data[0] == 'H') {
        const char *token;
        size_t len;
        struct todo_err err;
        todo_err_clear(&err);
        if (app_bearer_token(text, &token, &len, &err) == TODO_OK) {
            if (len == 0 || token < text || token + len > text + strlen(text))
                abort();
            char *copy = xstrndup(token, len);
            check(copy);
            free(copy);
        }
    } else if (data[0] == 'C') {
        char *token = sign_claims(data + 1, size - 1);
        check(token);
        free(token);
    } else {
        check(text);
    }
    free(text);
    return 0;
}
