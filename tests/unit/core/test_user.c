/* test_user.c - email normalisation, profile validation and the user's JSON form. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/user.h"

static void email_ok(const char *in, const char *want)
{
    char out[USER_EMAIL_MAX + 1];
    struct todo_err err = {0};
    cr_assert_eq(user_email_normalize(in, out, sizeof out, &err), 0, "%s: %s", in, err.message);
    cr_assert_str_eq(out, want);
}

static void email_bad(const char *in)
{
    char out[USER_EMAIL_MAX + 1];
    struct todo_err err = {0};
    cr_assert_eq(user_email_normalize(in, out, sizeof out, &err), TODO_ERR_VALIDATION, "%s", in);
    cr_assert_str_eq(err.details[0].field, "email");
}

Test(user, email_is_trimmed_and_lowercased)
{
    email_ok("  Alice@Example.COM ", "alice@example.com");
    email_ok("a@b.c", "a@b.c");
}

Test(user, bad_emails_are_refused)
{
    email_bad("");
    email_bad("a@");
    email_bad("@b.c");
    email_bad("alice");
    email_bad("a@b@c.d");
    email_bad("a@localhost");
    email_bad("a b@c.d");
    email_bad("a@c.d\x01");
    email_bad("a@.cd");
    email_bad("a@cd.");
    email_bad("a@\xff.cd");
    char longer[300];
    memset(longer, 'a', 260);
    memcpy(longer + 250, "@ex.com", 8);
    email_bad(longer);
}

static int profile(struct user *u, const char *text, const char *const *extra, struct todo_err *err)
{
    json_t *body = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    cr_assert_not_null(body);
    int rc = user_apply_profile(u, body, extra, err);
    json_decref(body);
    return rc;
}

Test(user, profile_sets_name_and_timezone)
{
    struct user u;
    user_init(&u);
    cr_assert_str_eq(u.name, "");
    cr_assert_str_eq(u.timezone, "UTC");
    struct todo_err err = {0};
    cr_assert_eq(profile(&u, "{\"name\": \" Ada \", \"timezone\": \"Europe/Berlin\"}", NULL, &err),
                 0);
    cr_assert_str_eq(u.name, "Ada");
    cr_assert_str_eq(u.timezone, "Europe/Berlin");
    user_release(&u);
}

Test(user, profile_refuses_bad_values_and_leaves_user_unchanged)
{
    struct user u;
    user_init(&u);
    struct todo_err err = {0};
    cr_assert_eq(profile(&u, "{\"name\": \"B\", \"timezone\": \"Mars/Base\"}", NULL, &err),
                 TODO_ERR_VALIDATION);
    cr_assert_str_eq(err.details[0].field, "timezone");
    cr_assert_str_eq(u.name, "");
    todo_err_clear(&err);
    cr_assert_eq(profile(&u, "{\"name\": 5}", NULL, &err), TODO_ERR_VALIDATION);
    todo_err_clear(&err);
    cr_assert_eq(profile(&u, "{\"name\": \"a\\u0000b\"}", NULL, &err), TODO_ERR_VALIDATION);
    todo_err_clear(&err);
    char body[300];
    memset(body, 'n', sizeof body);
    memcpy(body, "{\"name\": \"", 10);
    memcpy(body + 10 + 201, "\"}", 3);
    cr_assert_eq(profile(&u, body, NULL, &err), TODO_ERR_VALIDATION);
    cr_assert_str_eq(err.details[0].field, "name");
    todo_err_clear(&err);
    cr_assert_eq(profile(&u, "[]", NULL, &err), TODO_ERR_BAD_REQUEST);
    user_release(&u);
}

Test(user, profile_refuses_unknown_fields_unless_allowed)
{
    struct user u;
    user_init(&u);
    struct todo_err err = {0};
    cr_assert_eq(profile(&u, "{\"email\": \"a@b.c\", \"name\": \"x\"}", NULL, &err),
                 TODO_ERR_VALIDATION);
    cr_assert_str_eq(err.details[0].field, "email");
    static const char *const extra[] = {"email", "password", NULL};
    todo_err_clear(&err);
    cr_assert_eq(
        profile(&u, "{\"email\": \"a@b.c\", \"password\": \"p\", \"name\": \"x\"}", extra, &err),
        0);
    cr_assert_str_eq(u.name, "x");
    user_release(&u);
}

Test(user, to_json_has_the_api_fields)
{
    struct user u;
    user_init(&u);
    snprintf(u.id, sizeof u.id, "0190a000-0000-7000-8000-000000000000");
    u.email = strdup("a@b.c");
    u.created_at = 1796115600000LL;
    json_t *j = user_to_json(&u);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(text, "{\"created_at\":\"2026-12-01T09:00:00Z\",\"email\":\"a@b.c\","
                           "\"id\":\"0190a000-0000-7000-8000-000000000000\",\"name\":\"\","
                           "\"timezone\":\"UTC\"}");
    free(text);
    json_decref(j);
    user_release(&u);
}
