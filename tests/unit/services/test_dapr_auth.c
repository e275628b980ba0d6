/* test_dapr_auth.c - the check of the sidecar's dapr-api-token (src/services/dapr_auth.c):
 * a token is required unless the opt-out is set, weak tokens are refused at start without
 * being echoed, and only the exact token passes: missing, empty, one byte off, one byte
 * short or long, over-long values all fail. Only a keyed digest of the token is kept. */
#include <criterion/criterion.h>
#include <string.h>

#include "services/dapr_auth.h"

#define TOKEN "q3Jx9vS0b1c2d3e4f5g6h7i8j9k0LmNo" /* 32 visible ASCII characters */

static void setup(void)
{
    cr_assert(sodium_init() >= 0);
}

TestSuite(dapr_auth, .init = setup);

static struct dapr_auth init_ok(const char *token, bool allow_none)
{
    struct dapr_auth a;
    struct todo_err err = {0};
    cr_assert_eq(dapr_auth_init(&a, token, allow_none, &err), TODO_OK, "%s", err.message);
    return a;
}

Test(dapr_auth, no_token_refuses_to_start_and_names_the_opt_out)
{
    const char *missing[] = {NULL, ""};
    for (size_t i = 0; i < 2; i++) {
        struct dapr_auth a;
        struct todo_err err = {0};
        cr_assert_eq(dapr_auth_init(&a, missing[i], false, &err), TODO_ERR_BAD_REQUEST);
        cr_assert(strstr(err.message, "APP_API_TOKEN"), "%s", err.message);
        cr_assert(strstr(err.message, DAPR_AUTH_OPT_OUT "=1"), "%s", err.message);
    }
}

Test(dapr_auth, opt_out_without_a_token_accepts_every_call)
{
    struct dapr_auth a = init_ok(NULL, true);
    cr_assert_not(a.required);
    cr_assert(dapr_auth_check(&a, NULL));
    cr_assert(dapr_auth_check(&a, ""));
    cr_assert(dapr_auth_check(&a, "anything"));
}

Test(dapr_auth, a_token_is_required_even_with_the_opt_out)
{
    struct dapr_auth a = init_ok(TOKEN, true);
    cr_assert(a.required);
    cr_assert_not(dapr_auth_check(&a, NULL));
    cr_assert(dapr_auth_check(&a, TOKEN));
}

Test(dapr_auth, weak_or_unusable_tokens_are_refused_without_echoing_them)
{
    char too_long[DAPR_TOKEN_MAX_LEN + 2];
    memset(too_long, 'a', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    const char *bad[] = {
        "fifteen-chars-x",                  /* one short of the minimum */
        "with a space 0123456789",          /* would be trimmed or split */
        "tab\tinside-0123456789",           /* a control character */
        "newline-at-end-0123456789\n",      /* the usual copy-paste slip */
        "caf\xc3\xa9-not-ascii-0123456789", /* not ASCII */
        too_long,                           /* one over the maximum */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dapr_auth a;
        struct todo_err err = {0};
        cr_assert_eq(dapr_auth_init(&a, bad[i], false, &err), TODO_ERR_BAD_REQUEST, "case %zu", i);
        cr_assert(strstr(err.message, "APP_API_TOKEN must be"), "%s", err.message);
        cr_assert_null(strstr(err.message, "0123456789"), "the token is not echoed: %s",
                       err.message);
        /* the opt-out does not excuse a bad token */
        cr_assert_eq(dapr_auth_init(&a, bad[i], true, &err), TODO_ERR_BAD_REQUEST, "case %zu", i);
    }
}

Test(dapr_auth, the_shortest_and_longest_allowed_tokens_work)
{
    char longest[DAPR_TOKEN_MAX_LEN + 1];
    memset(longest, 'Z', DAPR_TOKEN_MAX_LEN);
    longest[DAPR_TOKEN_MAX_LEN] = '\0';
    const char *ok[] = {"0123456789abcdef", longest};
    for (size_t i = 0; i < 2; i++) {
        struct dapr_auth a = init_ok(ok[i], false);
        cr_assert(dapr_auth_check(&a, ok[i]), "case %zu", i);
        dapr_auth_release(&a);
    }
}

Test(dapr_auth, only_the_exact_token_passes)
{
    struct dapr_auth a = init_ok(TOKEN, false);
    cr_assert(dapr_auth_check(&a, TOKEN));
    cr_assert_not(dapr_auth_check(&a, NULL), "no header");
    cr_assert_not(dapr_auth_check(&a, ""), "an empty header");
    cr_assert_not(dapr_auth_check(&a, "q3Jx9vS0b1c2d3e4f5g6h7i8j9k0LmN"), "one short");
    cr_assert_not(dapr_auth_check(&a, TOKEN "o"), "one more");
    cr_assert_not(dapr_auth_check(&a, "Bearer " TOKEN), "with a scheme");
    cr_assert_not(dapr_auth_check(&a, " " TOKEN), "with a space");
    /* the same length, each byte wrong in turn: no prefix is good enough */
    char wrong[] = TOKEN;
    for (size_t i = 0; i < sizeof wrong - 1; i++) {
        char saved = wrong[i];
        wrong[i] = (char)(saved == 'A' ? 'B' : 'A');
        cr_assert_not(dapr_auth_check(&a, wrong), "byte %zu changed", i);
        wrong[i] = saved;
    }
    cr_assert(dapr_auth_check(&a, wrong), "restored");
}

Test(dapr_auth, over_long_values_are_refused)
{
    struct dapr_auth a = init_ok(TOKEN, false);
    static char huge[1 << 16];
    memset(huge, 'q', sizeof huge - 1);
    cr_assert_not(dapr_auth_check(&a, huge));
    /* the token followed by a long tail is as wrong as any other */
    memcpy(huge, TOKEN, strlen(TOKEN));
    cr_assert_not(dapr_auth_check(&a, huge));
}

Test(dapr_auth, only_a_keyed_digest_is_kept_and_release_wipes_it)
{
    struct dapr_auth a = init_ok(TOKEN, false);
    struct dapr_auth b = init_ok(TOKEN, false);
    cr_assert_null(memmem(&a, sizeof a, TOKEN, 8), "no part of the token is kept");
    cr_assert_neq(memcmp(a.key, b.key, sizeof a.key), 0, "a fresh key for each start");
    cr_assert_neq(memcmp(a.digest, b.digest, sizeof a.digest), 0, "so a digest says nothing");
    dapr_auth_release(&a);
    static const struct dapr_auth zero;
    cr_assert_eq(memcmp(&a, &zero, sizeof a), 0);
    cr_assert_not(dapr_auth_check(&b, NULL));
    dapr_auth_release(&b);
    dapr_auth_release(NULL);
}
