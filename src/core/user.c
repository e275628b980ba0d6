/* user.c - the account record: email normalisation, profile validation and JSON form.
 *
 * Emails are compared case-folded, so they are stored that way: the normalised address is
 * the identity, and signup's uniqueness check works on it. */
#include "core/user.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "core/tz.h"

void user_init(struct user *u)
{
    memset(u, 0, sizeof *u);
    u->name = xstrdup("");
    snprintf(u->timezone, sizeof u->timezone, "UTC");
}

void user_release(struct user *u)
{
    free(u->email);
    free(u->password_hash);
    free(u->name);
    memset(u, 0, sizeof *u);
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int user_email_normalize(const char *in, char *out, size_t outsz, struct todo_err *err)
{
    if (!in)
        return todo_err_field(err, "email", "email is required");
    const char *start = in, *end = in + strlen(in);
    while (start < end && is_space((unsigned char)*start))
        start++;
    while (end > start && is_space((unsigned char)end[-1]))
        end--;
    size_t len = (size_t)(end - start);
    if (len < 3 || len > USER_EMAIL_MAX)
        return todo_err_field(err, "email", "email must be 3 to 254 bytes");
    if (!utf8_valid(start, len))
        return todo_err_field(err, "email", "email must be valid UTF-8");
    const char *at = NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)start[i];
        if (c <= 0x20 || c == 0x7f)
            return todo_err_field(err, "email", "email must not contain spaces");
        if (c == '@') {
            if (at)
                return todo_err_field(err, "email", "email must contain exactly one @");
            at = start + i;
        }
    }
    if (!at)
        return todo_err_field(err, "email", "email must contain exactly one @");
    const char *domain = at + 1;
    size_t dlen = (size_t)(end - domain);
    if (at == start || dlen == 0)
        return todo_err_field(err, "email", "email needs a local part and a domain");
    const char *dot = memchr(domain, '.', dlen);
    if (!dot || domain[0] == '.' || domain[dlen - 1] == '.')
        return todo_err_field(err, "email", "email domain must contain a dot");
    if (len + 1 > outsz)
        return todo_err_field(err, "email", "email is too long");
    for (size_t i = 0; i < len; i++) {
        char c = start[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[len] = '\0';
    return TODO_OK;
}

static bool in_list(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(key, *list) == 0)
            return true;
    return false;
}

/* The name of a profile body (null: none), trimmed: a new string, or NULL with a detail in
 * err when it is not a string, not UTF-8 or too long. */
static char *profile_name(json_t *val, struct todo_err *err)
{
    const char *s = "";
    if (!json_is_null(val)) {
        if (!json_is_string(val)) {
            todo_err_field(err, "name", "name must be a string");
            return NULL;
        }
        s = json_string_value(val);
        size_t len = json_string_length(val);
        if (strlen(s) != len || !utf8_valid(s, len)) {
            todo_err_field(err, "name", "name must be valid UTF-8");
            return NULL;
        }
    }
    const char *end = s + strlen(s);
    while (s < end && is_space((unsigned char)*s))
        s++;
    while (end > s && is_space((unsigned char)end[-1]))
        end--;
    char *trimmed = xstrndup(s, (size_t)(end - s));
    if (utf8_length(trimmed) > USER_NAME_MAX) {
        todo_err_field(err, "name", "name must be at most 200 characters");
        free(trimmed);
        return NULL;
    }
    return trimmed;
}

/* The time zone of a profile body (null: UTC) into out; -1 with a detail in err when it is
 * not a known IANA zone. */
static int profile_timezone(json_t *val, char out[USER_TZ_MAX], struct todo_err *err)
{
    const char *s = "UTC";
    if (!json_is_null(val)) {
        s = json_is_string(val) ? json_string_value(val) : NULL;
        if (!s || strlen(s) != json_string_length(val) || strlen(s) >= USER_TZ_MAX ||
            !tz_valid(s)) {
            todo_err_field(err, "timezone", "timezone is not a known IANA time zone");
            return -1;
        }
    }
    snprintf(out, USER_TZ_MAX, "%s", s);
    return 0;
}

int user_apply_profile(struct user *u, json_t *body, const char *const *allowed_extra,
                       struct todo_err *err)
{
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    char *name = NULL;
    char timezone[USER_TZ_MAX];
    bool has_name = false, has_tz = false;
    int n_bad = 0;
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        if (strcmp(key, "name") == 0) {
            char *n = profile_name(val, err);
            n_bad += !n;
            if (n) {
                free(name);
                name = n;
                has_name = true;
            }
        } else if (strcmp(key, "timezone") == 0) {
            bool ok = profile_timezone(val, timezone, err) == 0;
            n_bad += !ok;
            has_tz |= ok;
        } else if (!in_list(key, allowed_extra)) {
            char field[64];
            snprintf(field, sizeof field, "%.60s", key);
            todo_err_field(err, field, "unknown field");
            n_bad++;
        }
    }
    if (n_bad > 0) {
        free(name);
        return TODO_ERR_VALIDATION;
    }
    if (has_name) {
        free(u->name);
        u->name = name;
    }
    if (has_tz)
        snprintf(u->timezone, sizeof u->timezone, "%s", timezone);
    return TODO_OK;
}

json_t *user_to_json(const struct user *u)
{
    char created[TIME_RFC3339_MAX];
    time_format_rfc3339(u->created_at, created);
    /* json_object_set_new steals each new value's reference. */
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(u->id));
    json_object_set_new(o, "email", json_string(u->email ? u->email : ""));
    json_object_set_new(o, "name", json_string(u->name ? u->name : ""));
    json_object_set_new(o, "timezone", json_string(u->timezone[0] ? u->timezone : "UTC"));
    json_object_set_new(o, "created_at", json_string(created));
    return o;
}
