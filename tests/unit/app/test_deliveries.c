/* test_deliveries.c - the delivery pool's use cases (src/app/deliveries.c,
 * docs/decisions/0031-notification-deliveries.md) over a real store, once per backend: where a
 * delivery goes is read from the settings as they are at send time (the account's address for
 * an email channel without one; 422 once a URL was removed), a claimed delivery's outcome is
 * recorded (a retry is claimable again at its time; a dead one never is, and leaves one dead
 * letter with the delivery's data). */
#include <criterion/criterion.h>
#include <string.h>

#include "app/app_notify.h"

#define STORE_FIXTURE_NAME app_deliveries_test
#include "app_backends.h"

static void settings_put(const char *webhook_url, const char *email)
{
    struct notify_settings st;
    notify_settings_init(&st);
    st.webhook_url = webhook_url ? strdup(webhook_url) : NULL;
    st.webhook_secret = webhook_url ? strdup("whsec_test") : NULL;
    st.email = email ? strdup(email) : NULL;
    cr_assert_eq(store_notify_settings_put(S, "u1", &st, 10), TODO_OK, "%s", store_last_error(S));
    notify_settings_release(&st);
}

static int target(int channel, struct delivery_target *to, struct todo_err *err)
{
    struct delivery d = {.id = "r1-1.x", .user_id = "u1", .channel = channel, .attempts = 1};
    todo_err_clear(err);
    return app_delivery_target(&app, &d, to, err);
}

APP_TEST(a_delivery_goes_where_the_settings_say_at_send_time)
{
    struct delivery_target to;
    struct todo_err err;
    settings_put("https://hooks.example.com/a", NULL);
    cr_assert_eq(target(NOTIFY_WEBHOOK, &to, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(to.url, "https://hooks.example.com/a");
    cr_assert_str_eq(to.secret, "whsec_test");
    delivery_target_release(&to);
    cr_assert_eq(target(NOTIFY_EMAIL, &to, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(to.email, "u1@example.com", "no address of its own: the account's");
    delivery_target_release(&to);
    cr_assert_eq(target(NOTIFY_NTFY, &to, &err), TODO_ERR_VALIDATION);
    cr_assert_str_eq(err.message, "the ntfy channel has no URL any more");
    delivery_target_release(&to);

    settings_put(NULL, "elsewhere@example.com"); /* changed after the delivery was queued */
    cr_assert_eq(target(NOTIFY_EMAIL, &to, &err), TODO_OK, "%s", err.message);
    cr_assert_str_eq(to.email, "elsewhere@example.com");
    delivery_target_release(&to);
    cr_assert_eq(target(NOTIFY_WEBHOOK, &to, &err), TODO_ERR_VALIDATION);
    delivery_target_release(&to);
}

static void claim(int64_t now, struct delivery *d, bool *found)
{
    struct todo_err err;
    todo_err_clear(&err);
    cr_assert_eq(app_delivery_claim(&app, now, now + 1000, d, found, &err), TODO_OK, "%s",
                 err.message);
}

APP_TEST(a_retried_delivery_comes_back_at_its_time_and_a_dead_one_leaves_one_dead_letter)
{
    bool inserted = false, found = false;
    const char *payload = "{\"task_id\":7,\"title\":\"pay rent\"}";
    cr_assert_eq(
        store_delivery_insert(S, "r7-1.webhook", "u1", NOTIFY_WEBHOOK, payload, 1000, &inserted),
        TODO_OK);
    struct delivery d;
    struct todo_err err;
    todo_err_clear(&err);
    claim(1000, &d, &found);
    cr_assert(found);
    cr_assert_eq(d.attempts, 1);
    cr_assert_eq(app_delivery_retry(&app, &d, 5000, "HTTP 503", 1001, &err), TODO_OK, "%s",
                 err.message);
    delivery_release(&d);
    claim(4999, &d, &found);
    cr_assert_not(found, "not before its time");
    claim(5000, &d, &found);
    cr_assert(found);
    cr_assert_eq(d.attempts, 2);

    cr_assert_eq(app_delivery_dead(&app, &d, "HTTP 410", 5001, &err), TODO_OK, "%s", err.message);
    int64_t n = -1;
    cr_assert_eq(store_dead_letter_count(S, "reminders.dlq", &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(store_delivery_count(S, DELIVERY_DEAD, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(app_deliveries_pending(&app, &n), TODO_OK);
    cr_assert_eq(n, 0);
    delivery_release(&d);
    claim(1000000, &d, &found);
    cr_assert_not(found, "a dead delivery is never taken again");
}
