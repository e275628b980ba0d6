/* mcp_session.c - the Mcp-Session-Id of the Streamable HTTP transport, checkable by any
 * replica without shared memory (docs/decisions/0039-mcp-server.md). A session id is
 * "m1.<payload>.<mac>" in unpadded base64url: the payload "<nonce>|<expires ms>|<version>|
 * <user id>", the mac its HMAC-SHA-256 under a key derived from the JWT secret. Ending a
 * session (DELETE /mcp) revokes "mcp-<nonce>" through the sessions table that sign-outs use,
 * so every replica's sessions watcher learns it within APP_SESSIONS_REFRESH_MS
 * (docs/decisions/0016-token-revocation.md), and this one at once. */
#include "app/app_internal.h"
#include "app/mcp.h"
#include "base/timeutil.h"

#include <assert.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX      "m1."
#define NONCE_LEN   16
#define KEY_LABEL   "todo mcp session v1"
#define B64         sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define PAYLOAD_MAX 160

/* The MAC key: HMAC-SHA-256 of a label under the JWT secret, so the session ids' key is not
 * the tokens' key. */
static void session_key(const struct app *a, unsigned char key[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, a->jwt_secret, a->jwt_secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)KEY_LABEL, strlen(KEY_LABEL));
    crypto_auth_hmacsha256_final(&st, key);
}

static void payload_mac(const struct app *a, const char *payload, size_t len,
                        unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
    unsigned char key[crypto_auth_hmacsha256_BYTES];
    session_key(a, key);
    crypto_auth_hmacsha256(mac, (const unsigned char *)payload, len, key);
    sodium_memzero(key, sizeof key);
}

void app_mcp_session_issue(struct app *a, const char *user_id, const char *version,
                           char out[APP_MCP_SESSION_MAX])
{
    assert(a && user_id && version && app_mcp_version_supported(version));
    unsigned char nonce[NONCE_LEN];
    randombytes_buf(nonce, sizeof nonce);
    char hex[NONCE_LEN * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, nonce, sizeof nonce);
    char payload[PAYLOAD_MAX];
    int n = snprintf(payload, sizeof payload, "%s|%lld|%s|%s", hex,
                     (long long)(time_now_ms() + APP_MCP_SESSION_TTL_MS), version, user_id);
    assert(n > 0 && (size_t)n < sizeof payload); /* user ids are at most USER_ID_MAX */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    payload_mac(a, payload, (size_t)n, mac);
    size_t used = strlen(PREFIX);
    memcpy(out, PREFIX, used);
    sodium_bin2base64(out + used, APP_MCP_SESSION_MAX - used, (unsigned char *)payload, (size_t)n,
                      B64);
    used += strlen(out + used);
    out[used++] = '.';
    sodium_bin2base64(out + used, APP_MCP_SESSION_MAX - used, mac, sizeof mac, B64);
}

struct session {
    char nonce[NONCE_LEN * 2 + 1];
    int64_t expires_at;
    char version[APP_MCP_VERSION_MAX];
    char user_id[USER_ID_MAX];
};

/* Splits a payload into s; false when it is not one. */
static bool payload_parse(const char *p, size_t len, struct session *s)
{
    char text[PAYLOAD_MAX];
    if (len >= sizeof text)
        return false;
    memcpy(text, p, len);
    text[len] = '\0';
    char *f[4];
    char *cur = text;
    for (int i = 0; i < 4; i++) {
        f[i] = cur;
        char *bar = i < 3 ? strchr(cur, '|') : NULL;
        if (i < 3 && !bar)
            return false;
        if (bar) {
            *bar = '\0';
            cur = bar + 1;
        }
    }
    char *end;
    long long exp = strtoll(f[1], &end, 10);
    if (strlen(f[0]) != NONCE_LEN * 2 || *end || end == f[1] || strlen(f[2]) >= sizeof s->version ||
        strlen(f[3]) >= sizeof s->user_id)
        return false;
    memcpy(s->nonce, f[0], sizeof s->nonce);
    s->expires_at = exp;
    snprintf(s->version, sizeof s->version, "%s", f[2]);
    snprintf(s->user_id, sizeof s->user_id, "%s", f[3]);
    return true;
}

/* Decodes and verifies id's signature into s. */
static bool session_decode(struct app *a, const char *id, struct session *s)
{
    size_t len = id ? strlen(id) : 0;
    if (len < strlen(PREFIX) || len >= APP_MCP_SESSION_MAX || strncmp(id, PREFIX, 3) != 0)
        return false;
    const char *body = id + strlen(PREFIX);
    const char *dot = strchr(body, '.');
    if (!dot)
        return false;
    char payload[PAYLOAD_MAX];
    size_t plen = 0, mlen = 0;
    unsigned char mac[crypto_auth_hmacsha256_BYTES], want[crypto_auth_hmacsha256_BYTES];
    const char *end;
    if (sodium_base642bin((unsigned char *)payload, sizeof payload, body, (size_t)(dot - body),
                          NULL, &plen, &end, B64) != 0 ||
        end != dot)
        return false;
    if (sodium_base642bin(mac, sizeof mac, dot + 1, strlen(dot + 1), NULL, &mlen, &end, B64) != 0 ||
        *end || mlen != sizeof mac)
        return false;
    payload_mac(a, payload, plen, want);
    if (crypto_verify_32(mac, want) != 0)
        return false;
    return payload_parse(payload, plen, s);
}

static int live_session(struct app *a, const char *id, const char *user_id, struct session *s,
                        char sid[APP_SID_MAX], struct todo_err *err)
{
    if (!session_decode(a, id, s) || strcmp(s->user_id, user_id) != 0 ||
        s->expires_at <= time_now_ms() || !app_mcp_version_supported(s->version))
        return todo_err_set(err, TODO_ERR_NOT_FOUND, "no such session; initialize a new one");
    snprintf(sid, APP_SID_MAX, "mcp-%s", s->nonce);
    if (app_revoked_has(a->revoked, sid))
        return todo_err_set(err, TODO_ERR_NOT_FOUND, "the session has ended; initialize a new one");
    return TODO_OK;
}

int app_mcp_session_check(struct app *a, const char *id, const char *user_id,
                          char version[APP_MCP_VERSION_MAX], struct todo_err *err)
{
    assert(a && user_id && version && err);
    struct session s;
    char sid[APP_SID_MAX];
    int rc = live_session(a, id, user_id, &s, sid, err);
    if (rc == TODO_OK)
        memcpy(version, s.version, APP_MCP_VERSION_MAX);
    return rc;
}

int app_mcp_session_end(struct app *a, const char *id, const char *user_id, struct todo_err *err)
{
    assert(a && user_id && err);
    struct session s;
    char sid[APP_SID_MAX];
    int rc = live_session(a, id, user_id, &s, sid, err);
    if (rc)
        return rc;
    rc = store_session_revoke(a->store, sid, user_id, s.expires_at, time_now_ms());
    if (rc)
        return app_store_error(a, rc, err);
    app_revoked_add(a->revoked, sid, s.expires_at); /* this replica at once */
    return TODO_OK;
}
