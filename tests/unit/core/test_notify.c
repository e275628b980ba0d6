/* test_notify.c - the outside-URL policy, the blocked address ranges, the webhook signature,
 * settings from a PUT body, the reminder event's data and the delivery ids. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify.h"

static bool blocked(const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        cr_assert_eq(inet_pton(AF_INET6, ip, &a->sin6_addr), 1, "%s", ip);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        cr_assert_eq(inet_pton(AF_INET, ip, &a->sin_addr), 1, "%s", ip);
    }
    return notify_addr_blocked((struct sockaddr *)&ss);
}

Test(notify, loopback_private_link_local_and_special_addresses_are_blocked)
{
    const char *bad[] = {"127.0.0.1",
                         "127.255.0.9",
                         "10.0.0.1",
                         "172.16.0.1",
                         "172.31.255.1",
                         "192.168.1.1",
                         "169.254.169.254",
                         "100.64.0.1",
                         "0.0.0.0",
                         "224.0.0.1",
                         "255.255.255.255",
                         "192.0.0.8",
                         "::1",
                         "::",
                         "fe80::1",
                         "fc00::1",
                         "fd12:3456::1",
                         "ff02::1",
                         "::ffff:127.0.0.1",
                         "::ffff:10.1.2.3",
                         "64:ff9b::a9fe:a9fe"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(blocked(bad[i]), "%s should be blocked", bad[i]);
    const char *good[] = {"8.8.8.8",         "172.32.0.1",     "100.128.0.1",   "93.184.216.34",
                          "2606:4700::1111", "::ffff:8.8.8.8", "172.15.255.255"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_expect(!blocked(good[i]), "%s should be allowed", good[i]);
}

Test(notify, urls_must_be_http_without_credentials_and_public_unless_allowed)
{
    cr_expect_eq(notify_url_check("ftp://8.8.8.8/x", false), NOTIFY_URL_SCHEME);
    cr_expect_eq(notify_url_check("file:///etc/passwd", false), NOTIFY_URL_SCHEME);
    cr_expect_eq(notify_url_check("http://u:p@8.8.8.8/", false), NOTIFY_URL_CREDENTIALS);
    cr_expect_eq(notify_url_check("not a url", false), NOTIFY_URL_MALFORMED);
    cr_expect_eq(notify_url_check("http://127.0.0.1:8080/hook", false), NOTIFY_URL_PRIVATE);
    cr_expect_eq(notify_url_check("http://[::1]/hook", false), NOTIFY_URL_PRIVATE);
    cr_expect_eq(notify_url_check("http://localhost/hook", false), NOTIFY_URL_PRIVATE);
    cr_expect_eq(notify_url_check("http://127.0.0.1:8080/hook", true), NOTIFY_URL_OK);
    cr_expect_eq(notify_url_check("https://8.8.8.8/hook", false), NOTIFY_URL_OK);
    cr_expect_eq(notify_url_check("http://host.invalid/x", false), NOTIFY_URL_UNRESOLVED);
    char *long_url = malloc(NOTIFY_URL_MAX + 32);
    strcpy(long_url, "http://8.8.8.8/");
    memset(long_url + 15, 'a', NOTIFY_URL_MAX);
    long_url[NOTIFY_URL_MAX + 15] = '\0';
    cr_expect_eq(notify_url_check(long_url, false), NOTIFY_URL_TOO_LONG);
    free(long_url);
    for (int p = 0; p < NOTIFY_URL_N_PROBLEMS; p++)
        cr_expect(notify_url_problem_message(p)[0], "problem %d has a message", p);
}

Test(notify, the_signature_is_hmac_sha256_over_timestamp_dot_body)
{
    cr_assert(sodium_init() >= 0);
    char sig[NOTIFY_SIGNATURE_MAX];
    const char *body = "{\"a\":1}";
    notify_sign("whsec_test", 1700000000, body, strlen(body), sig);
    /* python3: hmac.new(b"whsec_test", b'1700000000.{"a":1}', sha256).hexdigest() */
    cr_assert_str_eq(sig,
                     "sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
    char a[NOTIFY_SECRET_MAX], b[NOTIFY_SECRET_MAX];
    notify_secret_new(a);
    notify_secret_new(b);
    cr_assert_eq(strncmp(a, "whsec_", 6), 0);
    cr_assert_eq(strlen(a), 6 + 43);
    cr_assert_str_neq(a, b);
}

Test(notify, settings_apply_only_a_fully_valid_body)
{
    struct notify_settings s;
    notify_settings_init(&s);
    struct todo_err err = {0};
    json_t *ok = json_pack("{s:{s:b,s:b},s:s,s:s}", "channels", "webhook", 1, "in_app", 0,
                           "webhook_url", "http://127.0.0.1:9/h", "email", "me@example.com");
    cr_assert_eq(notify_settings_apply_json(&s, ok, true, &err), TODO_OK, "%s", err.message);
    cr_assert(s.enabled[NOTIFY_WEBHOOK] && !s.enabled[NOTIFY_IN_APP]);
    cr_assert_str_eq(s.webhook_url, "http://127.0.0.1:9/h");
    cr_assert_str_eq(s.email, "me@example.com");
    json_decref(ok);

    todo_err_clear(&err);
    json_t *bad = json_pack("{s:n,s:{s:b},s:i}", "webhook_url", "channels", "ntfy", 1, "x", 1);
    cr_assert_eq(notify_settings_apply_json(&s, bad, true, &err), TODO_ERR_VALIDATION);
    cr_assert_geq(err.n_details, 3, "webhook needs its URL, ntfy too, x is unknown");
    cr_assert_str_eq(s.webhook_url, "http://127.0.0.1:9/h", "nothing changed");
    cr_assert(!s.enabled[NOTIFY_NTFY]);
    json_decref(bad);

    json_t *j = notify_settings_to_json(&s);
    cr_assert(json_is_false(json_object_get(j, "webhook_secret_set")));
    cr_assert_null(json_object_get(j, "webhook_secret"));
    json_decref(j);
    notify_settings_release(&s);
}

Test(notify, reminder_data_parses_and_keys_each_firing)
{
    struct reminder_due r;
    struct todo_err err = {0};
    const char *data = "{\"id\":7,\"task_id\":42,\"title\":\"Pay rent\",\"due_at\":"
                       "\"2026-12-01T09:00:00Z\",\"remind_at\":\"2026-12-01T08:00:00Z\","
                       "\"user_id\":\"u1\",\"late\":true}";
    cr_assert_eq(reminder_due_parse(data, &r, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(r.id, 7);
    cr_assert_eq(r.task_id, 42);
    cr_assert(r.has_due && r.late);
    char key[NOTIFY_KEY_MAX], id[NOTIFY_DELIVERY_ID_MAX];
    reminder_due_key(&r, key);
    cr_assert_str_eq(key, "r7-1796112000000");
    notify_delivery_id(key, NOTIFY_EMAIL, id);
    cr_assert_str_eq(id, "r7-1796112000000.email");
    struct buf b;
    buf_init(&b);
    reminder_due_body(&r, &b);
    cr_assert_str_eq(b.data, "Due 2026-12-01T09:00:00Z (late)");
    buf_reset(&b);
    reminder_due_webhook_body(&r, false, &b);
    cr_assert_str_eq(b.data, "{\"type\":\"reminder\",\"id\":7,\"task_id\":42,\"title\":\"Pay "
                             "rent\",\"due_at\":\"2026-12-01T09:00:00Z\",\"remind_at\":"
                             "\"2026-12-01T08:00:00Z\",\"user_id\":\"u1\",\"late\":true}");
    buf_release(&b);
    reminder_due_release(&r);

    const char *bad[] = {"{}", "[]", "{\"id\":1,\"task_id\":2,\"title\":\"t\",\"user_id\":\"u\"}",
                         "{\"id\":1,\"task_id\":2,\"title\":\"t\",\"user_id\":\"u\",\"remind_at\":"
                         "\"yesterday\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(reminder_due_parse(bad[i], &r, &err), TODO_ERR_BAD_REQUEST, "%s", bad[i]);
}
