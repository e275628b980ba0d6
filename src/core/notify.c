/* notify.c - notification settings, the outside-URL policy, reminder data, delivery ids and
 * the webhook signature (docs/decisions/0031-notification-deliveries.md, 0032).
 *
 * The one idea: anything that names a place the server will call later (a webhook or ntfy
 * URL) is checked here, once for everyone: the URL is parsed by libcurl's URL API, must be
 * http(s) without credentials, and every address its host resolves to must be public unless
 * the operator allows private ones. The same address test (notify_addr_blocked) runs again
 * on the socket address at delivery time, so DNS rebinding does not get around it. */
#include "core/notify.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <assert.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channel_names[NOTIFY_N_CHANNELS] = {"in_app", "webhook", "ntfy", "email"};

const char *notify_channel_name(int channel)
{
    assert(channel >= 0 && channel < NOTIFY_N_CHANNELS);
    return channel_names[channel];
}

int notify_channel_parse(const char *name)
{
    for (int i = 0; name && i < NOTIFY_N_CHANNELS; i++)
        if (strcmp(name, channel_names[i]) == 0)
            return i;
    return -1;
}

void notify_settings_init(struct notify_settings *s)
{
    memset(s, 0, sizeof *s);
    s->enabled[NOTIFY_IN_APP] = true;
}

void notify_settings_release(struct notify_settings *s)
{
    if (!s)
        return;
    free(s->webhook_url);
    free(s->ntfy_url);
    free(s->email);
    if (s->webhook_secret) {
        sodium_memzero(s->webhook_secret, strlen(s->webhook_secret));
        free(s->webhook_secret);
    }
    notify_settings_init(s);
}

static json_t *opt_string(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *notify_settings_to_json(const struct notify_settings *s)
{
    json_t *channels = json_object();
    for (int i = 0; i < NOTIFY_N_CHANNELS; i++)
        json_object_set_new(channels, channel_names[i], json_boolean(s->enabled[i]));
    json_t *o = json_object();
    json_object_set_new(o, "channels", channels); /* set_new steals */
    json_object_set_new(o, "webhook_url", opt_string(s->webhook_url));
    json_object_set_new(o, "webhook_secret_set", json_boolean(s->webhook_secret != NULL));
    json_object_set_new(o, "ntfy_url", opt_string(s->ntfy_url));
    json_object_set_new(o, "email", opt_string(s->email));
    return o;
}

/* --- the outside-URL policy --- */

static const char *const url_messages[NOTIFY_URL_N_PROBLEMS] = {
    [NOTIFY_URL_OK] = "ok",
    [NOTIFY_URL_MALFORMED] = "is not a valid URL",
    [NOTIFY_URL_TOO_LONG] = "is longer than 2048 bytes",
    [NOTIFY_URL_SCHEME] = "must be an http or https URL",
    [NOTIFY_URL_CREDENTIALS] = "must not hold a user name or password",
    [NOTIFY_URL_NO_HOST] = "has no host",
    [NOTIFY_URL_UNRESOLVED] = "names a host that does not resolve",
    [NOTIFY_URL_PRIVATE] = "points at a loopback, link-local or private address",
};

const char *notify_url_problem_message(int problem)
{
    assert(problem >= 0 && problem < NOTIFY_URL_N_PROBLEMS);
    return url_messages[problem];
}

static bool v4_blocked(uint32_t a) /* host order */
{
    return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || /* this, private, loop */
           (a >> 22) == (100u << 2 | 1) ||                          /* 100.64/10 shared */
           (a >> 16) == (169u << 8 | 254) ||                        /* link-local */
           (a >> 20) == (172u << 4 | 1) ||                          /* 172.16/12 */
           (a >> 16) == (192u << 8 | 168) ||                        /* 192.168/16 */
           (a >> 8) == (192u << 16 | 0 << 8 | 0) ||                 /* 192.0.0/24 */
           (a >> 28) >= 14;                                         /* multicast, reserved */
}

bool notify_addr_blocked(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return v4_blocked(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family != AF_INET6)
        return true;
    const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) {
        uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
        return v4_blocked(v4);
    }
    static const unsigned char zero[15] = {0};
    if (memcmp(b, zero, 15) == 0)
        return true;                                  /* :: and ::1 */
    return (b[0] & 0xfe) == 0xfc ||                   /* fc00::/7 unique local */
           (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 link-local */
           b[0] == 0xff;                              /* multicast */
}

/* Every address of host must be allowed. */
static int host_check(const char *host, bool allow_private)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    char bare[256];
    size_t n = strlen(host);
    if (n >= sizeof bare)
        return NOTIFY_URL_UNRESOLVED;
    if (host[0] == '[' && n > 2) { /* an IPv6 literal, as libcurl gives it */
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
    } else {
        memcpy(bare, host, n + 1);
    }
    if (getaddrinfo(bare, NULL, &hints, &res) != 0 || !res)
        return NOTIFY_URL_UNRESOLVED;
    int problem = NOTIFY_URL_OK;
    for (struct addrinfo *ai = res; ai && !allow_private; ai = ai->ai_next)
        if (notify_addr_blocked(ai->ai_addr))
            problem = NOTIFY_URL_PRIVATE;
    freeaddrinfo(res);
    return problem;
}

int notify_url_check(const char *url, bool allow_private)
{
    assert(url);
    if (strlen(url) > NOTIFY_URL_MAX)
        return NOTIFY_URL_TOO_LONG;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
    int problem = NOTIFY_URL_OK;
    if (!u)
        abort(); /* out of memory */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        problem = NOTIFY_URL_MALFORMED;
        goto out_free_url;
    }
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
    if (!scheme || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        problem = NOTIFY_URL_SCHEME;
    else if (user || password)
        problem = NOTIFY_URL_CREDENTIALS;
    else if (!host || !*host)
        problem = NOTIFY_URL_NO_HOST;
    else
        problem = host_check(host, allow_private);
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
out_free_url:
    curl_url_cleanup(u);
    return problem;
}

/* --- settings from a PUT body --- */

static int url_field(json_t *v, const char *field, bool allow_private, char **out,
                     struct todo_err *err)
{
    if (json_is_null(v)) {
        *out = NULL;
        return TODO_OK;
    }
    if (!json_is_string(v))
        return todo_err_field(err, field, "must be a string or null");
    int problem = notify_url_check(json_string_value(v), allow_private);
    if (problem != NOTIFY_URL_OK)
        return todo_err_field(err, field, "%s", notify_url_problem_message(problem));
    *out = xstrdup(json_string_value(v));
    return TODO_OK;
}

static int email_field(json_t *v, char **out, struct todo_err *err)
{
    if (json_is_null(v)) {
        *out = NULL;
        return TODO_OK;
    }
    const char *s = json_string_value(v);
    const char *at = s ? strchr(s, '@') : NULL;
    size_t n = s ? strlen(s) : 0;
    bool ok = at && at > s && at[1] && n <= NOTIFY_EMAIL_MAX && !strchr(at + 1, '@');
    for (size_t i = 0; ok && i < n; i++) /* no header injection: no controls, no spaces */
        ok = (unsigned char)s[i] > ' ' && s[i] != 0x7f && s[i] != '<' && s[i] != '>';
    if (!ok)
        return todo_err_field(err, "email", "must be an e-mail address or null");
    *out = xstrdup(s);
    return TODO_OK;
}

static int channels_field(json_t *v, bool enabled[NOTIFY_N_CHANNELS], struct todo_err *err)
{
    if (!json_is_object(v))
        return todo_err_field(err, "channels", "must be an object");
    const char *k;
    json_t *b;
    json_object_foreach(v, k, b)
    {
        int ch = notify_channel_parse(k);
        char field[64];
        snprintf(field, sizeof field, "channels.%.40s", k);
        if (ch < 0)
            todo_err_field(err, field, "is not a channel (in_app, webhook, ntfy, email)");
        else if (!json_is_boolean(b))
            todo_err_field(err, field, "must be true or false");
        else
            enabled[ch] = json_is_true(b);
    }
    return err->rc;
}

static void take(char **dst, char *src)
{
    free(*dst);
    *dst = src;
}

int notify_settings_apply_json(struct notify_settings *s, json_t *body, bool allow_private,
                               struct todo_err *err)
{
    assert(s && err);
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_VALIDATION, "the body must be a JSON object");
    bool enabled[NOTIFY_N_CHANNELS];
    memcpy(enabled, s->enabled, sizeof enabled);
    char *urls[3] = {s->webhook_url, s->ntfy_url, s->email}; /* borrowed until the end */
    bool set[3] = {false, false, false};
    char *fresh[3] = {NULL, NULL, NULL};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "channels") == 0)
            channels_field(v, enabled, err);
        else if (strcmp(k, "webhook_url") == 0)
            set[0] = url_field(v, k, allow_private, &fresh[0], err) == TODO_OK;
        else if (strcmp(k, "ntfy_url") == 0)
            set[1] = url_field(v, k, allow_private, &fresh[1], err) == TODO_OK;
        else if (strcmp(k, "email") == 0)
            set[2] = email_field(v, &fresh[2], err) == TODO_OK;
        else if (strcmp(k, "webhook_secret_set") != 0) /* read-only: ignored (ADR 0006) */
            todo_err_field(err, k, "is not a settings field");
    }
    for (int i = 0; i < 3; i++)
        if (set[i])
            urls[i] = fresh[i];
    if (enabled[NOTIFY_WEBHOOK] && !urls[0])
        todo_err_field(err, "channels.webhook", "needs a webhook_url");
    if (enabled[NOTIFY_NTFY] && !urls[1])
        todo_err_field(err, "channels.ntfy", "needs an ntfy_url");
    if (err->rc) {
        for (int i = 0; i < 3; i++)
            free(fresh[i]);
        return err->rc;
    }
    memcpy(s->enabled, enabled, sizeof enabled);
    if (set[0])
        take(&s->webhook_url, fresh[0]);
    if (set[1])
        take(&s->ntfy_url, fresh[1]);
    if (set[2])
        take(&s->email, fresh[2]);
    return TODO_OK;
}

/* --- reminders --- */

void reminder_due_release(struct reminder_due *r)
{
    if (!r)
        return;
    free(r->title);
    r->title = NULL;
}

static bool time_field(json_t *data, const char *name, bool nullable, bool *has, int64_t *out)
{
    json_t *v = json_object_get(data, name);
    if (nullable && (!v || json_is_null(v))) {
        *has = false;
        return true;
    }
    *has = true;
    return json_is_string(v) && time_parse_rfc3339(json_string_value(v), out) == 0;
}

int reminder_due_parse(const char *data, struct reminder_due *out, struct todo_err *err)
{
    assert(data && out);
    memset(out, 0, sizeof *out);
    json_t *j = json_loads(data, 0, NULL);
    json_t *id = json_object_get(j, "id"), *task_id = json_object_get(j, "task_id");
    json_t *title = json_object_get(j, "title"), *user_id = json_object_get(j, "user_id");
    json_t *late = json_object_get(j, "late");
    struct reminder_due r = {0};
    bool has_remind = false;
    int rc = TODO_OK;
    if (!json_is_integer(id) || !json_is_integer(task_id) || !json_is_string(title) ||
        !json_is_string(user_id) || strlen(json_string_value(user_id)) >= USER_ID_MAX ||
        (late && !json_is_boolean(late)) || !time_field(j, "due_at", true, &r.has_due, &r.due_at) ||
        !time_field(j, "remind_at", false, &has_remind, &r.remind_at)) {
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST,
                          "reminder data lacks id, task_id, title, user_id or remind_at");
        goto out_free_json;
    }
    r.id = json_integer_value(id);
    r.task_id = json_integer_value(task_id);
    r.title = xstrdup(json_string_value(title));
    snprintf(r.user_id, sizeof r.user_id, "%s", json_string_value(user_id));
    r.late = json_is_true(late);
    *out = r;
out_free_json:
    json_decref(j);
    return rc;
}

void reminder_due_key(const struct reminder_due *r, char out[NOTIFY_KEY_MAX])
{
    snprintf(out, NOTIFY_KEY_MAX, "r%lld-%lld", (long long)r->id, (long long)r->remind_at);
}

void notify_delivery_id(const char *key, int channel, char out[NOTIFY_DELIVERY_ID_MAX])
{
    snprintf(out, NOTIFY_DELIVERY_ID_MAX, "%s.%s", key, notify_channel_name(channel));
}

void reminder_due_body(const struct reminder_due *r, struct buf *out)
{
    if (!r->has_due) {
        buf_puts(out, r->late ? "Reminder (late)" : "Reminder");
        return;
    }
    char due[TIME_RFC3339_MAX];
    time_format_rfc3339(r->due_at, due);
    buf_printf(out, "Due %s%s", due, r->late ? " (late)" : "");
}

static void put_time(struct buf *out, bool has, int64_t ms)
{
    char t[TIME_RFC3339_MAX];
    if (!has) {
        buf_puts(out, "null");
        return;
    }
    time_format_rfc3339(ms, t);
    buf_json_str(out, t);
}

void reminder_due_webhook_body(const struct reminder_due *r, bool test, struct buf *out)
{
    buf_printf(out, "{\"type\":\"%s\",\"id\":%lld,\"task_id\":%lld,\"title\":",
               test ? "test" : "reminder", (long long)r->id, (long long)r->task_id);
    buf_json_str(out, r->title);
    buf_puts(out, ",\"due_at\":");
    put_time(out, r->has_due, r->due_at);
    buf_puts(out, ",\"remind_at\":");
    put_time(out, true, r->remind_at);
    buf_puts(out, ",\"user_id\":");
    buf_json_str(out, r->user_id);
    buf_printf(out, ",\"late\":%s}", r->late ? "true" : "false");
}

void notify_sign(const char *secret, int64_t timestamp_s, const char *body, size_t body_len,
                 char out[NOTIFY_SIGNATURE_MAX])
{
    assert(secret && body);
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24];
    int n = snprintf(ts, sizeof ts, "%lld.", (long long)timestamp_s);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, NOTIFY_SIGNATURE_MAX - 7, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

void notify_secret_new(char out[NOTIFY_SECRET_MAX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "whsec_", 6);
    sodium_bin2base64(out + 6, NOTIFY_SECRET_MAX - 6, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

/* --- notifications --- */

void notification_release(struct notification *n)
{
    if (!n)
        return;
    free(n->title);
    free(n->body);
    n->title = n->body = NULL;
}

void notification_json_write(struct buf *out, const struct notification *n)
{
    buf_printf(out, "{\"id\":%lld,\"task_id\":", (long long)n->id);
    if (n->task_id > 0)
        buf_put_i64(out, n->task_id);
    else
        buf_puts(out, "null");
    buf_puts(out, ",\"title\":");
    buf_json_str(out, n->title ? n->title : "");
    buf_puts(out, ",\"body\":");
    buf_json_str(out, n->body ? n->body : "");
    buf_puts(out, ",\"remind_at\":");
    put_time(out, n->has_remind_at, n->remind_at);
    buf_puts(out, ",\"created_at\":");
    put_time(out, true, n->created_at);
    buf_puts(out, ",\"read_at\":");
    put_time(out, n->has_read_at, n->read_at);
    buf_putc(out, '}');
}
