/* test_store_notify.c - the notification tables (store_notify.c, migration 10): settings,
 * in-app notifications once per delivery id, and the delivery queue (claims, leases, outcomes,
 * concurrent claimers), case by case against sqlite and, when TODO_TEST_POSTGRES_URL is set,
 * postgres. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_notify.h"

#define STORE_FIXTURE_NAME store_notify_test
#include "store_fixture.h"

STORE_TEST(settings_default_then_round_trip_with_the_secret)
{
    test_user_add(S, "u1", NULL);
    struct notify_settings st;
    notify_settings_init(&st);
    cr_assert_eq(store_notify_settings_get(S, "u1", &st), TODO_OK);
    cr_assert(st.enabled[NOTIFY_IN_APP] && !st.enabled[NOTIFY_WEBHOOK]);
    cr_assert_null(st.webhook_url);
    st.enabled[NOTIFY_WEBHOOK] = true;
    st.webhook_url = strdup("https://example.com/h");
    st.webhook_secret = strdup("whsec_abc");
    cr_assert_eq(store_notify_settings_put(S, "u1", &st, 10), TODO_OK, "%s", store_last_error(S));
    free(st.email);
    st.email = strdup("me@example.com");
    cr_assert_eq(store_notify_settings_put(S, "u1", &st, 11), TODO_OK, "%s", store_last_error(S));
    notify_settings_release(&st);
    cr_assert_eq(store_notify_settings_get(S, "u1", &st), TODO_OK);
    cr_assert(st.enabled[NOTIFY_WEBHOOK] && st.enabled[NOTIFY_IN_APP] && !st.enabled[NOTIFY_NTFY]);
    cr_assert_str_eq(st.webhook_url, "https://example.com/h");
    cr_assert_str_eq(st.webhook_secret, "whsec_abc");
    cr_assert_str_eq(st.email, "me@example.com");
    cr_assert_null(st.ntfy_url);
    notify_settings_release(&st);
}

STORE_TEST(a_notification_is_inserted_once_per_delivery_id_and_read_once)
{
    test_user_add(S, "u1", NULL);
    test_user_add(S, "u2", NULL);
    bool inserted = false;
    struct notification n = {.task_id = 5, .title = "T", .body = "B", .created_at = 100};
    cr_assert_eq(store_notification_insert(S, "u1", "r1-1.in_app", &n, &inserted), TODO_OK);
    cr_assert(inserted);
    int64_t id = n.id;
    cr_assert_gt(id, 0);
    cr_assert_eq(store_notification_insert(S, "u1", "r1-1.in_app", &n, &inserted), TODO_OK);
    cr_assert(!inserted, "the same delivery id inserts nothing");
    struct notification m = {.title = "T2", .body = "B2", .created_at = 101};
    cr_assert_eq(store_notification_insert(S, "u1", "r2-1.in_app", &m, &inserted), TODO_OK);
    struct notification *items = NULL;
    int count = 0;
    cr_assert_eq(store_notification_list(S, "u1", false, 0, 10, &items, &count), TODO_OK);
    cr_assert_eq(count, 2);
    cr_assert_eq(items[0].id, m.id, "newest first");
    cr_assert_eq(items[1].task_id, 5);
    for (int i = 0; i < count; i++)
        notification_release(&items[i]);
    free(items);

    struct notification r = {0};
    cr_assert_eq(store_notification_read(S, "u2", id, 200, &r), TODO_ERR_NOT_FOUND);
    cr_assert_eq(store_notification_read(S, "u1", id, 200, &r), TODO_OK);
    cr_assert(r.has_read_at && r.read_at == 200);
    notification_release(&r);
    cr_assert_eq(store_notification_read(S, "u1", id, 300, &r), TODO_OK);
    cr_assert_eq(r.read_at, 200, "read again: the first time stays");
    notification_release(&r);
    cr_assert_eq(store_notification_list(S, "u1", true, 0, 10, &items, &count), TODO_OK);
    cr_assert_eq(count, 1);
    notification_release(&items[0]);
    free(items);
    int64_t changed = -1;
    cr_assert_eq(store_notification_read_all(S, "u1", 400, &changed), TODO_OK);
    cr_assert_eq(changed, 1);
}

STORE_TEST(a_delivery_is_claimed_leased_retried_and_finished)
{
    bool inserted = false, found = false;
    cr_assert_eq(
        store_delivery_insert(S, "r1-1.webhook", "u1", NOTIFY_WEBHOOK, "{}", 1000, &inserted),
        TODO_OK, "%s", store_last_error(S));
    cr_assert(inserted);
    cr_assert_eq(
        store_delivery_insert(S, "r1-1.webhook", "u1", NOTIFY_WEBHOOK, "{}", 1000, &inserted),
        TODO_OK);
    cr_assert(!inserted, "one row per delivery id");
    struct delivery d;
    cr_assert_eq(store_delivery_claim(S, 999, 5000, &d, &found), TODO_OK);
    cr_assert(!found, "not due yet");
    cr_assert_eq(store_delivery_claim(S, 1000, 5000, &d, &found), TODO_OK);
    cr_assert(found);
    cr_assert_str_eq(d.id, "r1-1.webhook");
    cr_assert_eq(d.channel, NOTIFY_WEBHOOK);
    cr_assert_eq(d.attempts, 1);
    delivery_release(&d);
    cr_assert_eq(store_delivery_claim(S, 4999, 9000, &d, &found), TODO_OK);
    cr_assert(!found, "leased until 5000");
    cr_assert_eq(store_delivery_claim(S, 5000, 9000, &d, &found), TODO_OK);
    cr_assert(found, "the lease ended (a crashed claimer): taken again");
    cr_assert_eq(d.attempts, 2);
    delivery_release(&d);
    /* the first claimer's late outcome is ignored; the second's counts */
    cr_assert_eq(store_delivery_finish(S, "r1-1.webhook", 1, DELIVERY_DONE, 0, "", 5100), TODO_OK);
    int64_t n = -1;
    cr_assert_eq(store_delivery_count(S, DELIVERY_PENDING, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(
        store_delivery_finish(S, "r1-1.webhook", 2, DELIVERY_PENDING, 6000, "HTTP 500", 5100),
        TODO_OK);
    int64_t at = 0;
    cr_assert_eq(store_delivery_next_due(S, &at, &found), TODO_OK);
    cr_assert(found && at == 6000);
    cr_assert_eq(store_delivery_claim(S, 6000, 9000, &d, &found), TODO_OK);
    cr_assert(found && d.attempts == 3);
    delivery_release(&d);
    cr_assert_eq(store_delivery_finish(S, "r1-1.webhook", 3, DELIVERY_DONE, 0, "", 6100), TODO_OK);
    cr_assert_eq(store_delivery_count(S, DELIVERY_DONE, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(store_delivery_next_due(S, &at, &found), TODO_OK);
    cr_assert(!found);
}

enum { N_DELIVERIES = 60, N_CLAIMERS = 4 };
static int claimed_by[N_DELIVERIES];

static void *claimer(void *arg)
{
    intptr_t me = (intptr_t)arg;
    for (;;) {
        struct delivery d;
        bool found = false;
        if (store_delivery_claim(S, 1000, 100000, &d, &found) != TODO_OK)
            return (void *)1;
        if (!found)
            return NULL;
        int i = atoi(d.id + 1);
        __atomic_add_fetch(&claimed_by[i], 1, __ATOMIC_RELAXED);
        (void)me;
        delivery_release(&d);
    }
}

STORE_TEST(concurrent_claimers_never_take_one_delivery_twice)
{
    for (int i = 0; i < N_DELIVERIES; i++) {
        char id[32];
        bool inserted;
        snprintf(id, sizeof id, "d%d.ntfy", i);
        cr_assert_eq(store_delivery_insert(S, id, "u1", NOTIFY_NTFY, "{}", 1000, &inserted),
                     TODO_OK);
        claimed_by[i] = 0;
    }
    pthread_t th[N_CLAIMERS];
    for (intptr_t t = 0; t < N_CLAIMERS; t++)
        cr_assert_eq(pthread_create(&th[t], NULL, claimer, (void *)t), 0);
    for (int t = 0; t < N_CLAIMERS; t++) {
        void *ret;
        pthread_join(th[t], &ret);
        cr_assert_null(ret, "claimer %d failed", t);
    }
    for (int i = 0; i < N_DELIVERIES; i++)
        cr_assert_eq(claimed_by[i], 1, "delivery %d claimed %d times", i, claimed_by[i]);
}

STORE_TEST(prune_deletes_only_delivered_rows_done_before_the_bound_a_batch_at_a_time)
{
    const char *ids[] = {"a.webhook", "b.webhook", "c.webhook", "d.webhook"};
    for (int i = 0; i < 4; i++) {
        bool inserted, found;
        struct delivery d;
        cr_assert_eq(store_delivery_insert(S, ids[i], "u1", NOTIFY_WEBHOOK, "{}", 10, &inserted),
                     TODO_OK);
        cr_assert_eq(store_delivery_claim(S, 10, 20, &d, &found), TODO_OK);
        cr_assert(found);
        /* a, b delivered at 100 and 200; c dead at 50; d still pending */
        int state = i < 2 ? DELIVERY_DONE : i == 2 ? DELIVERY_DEAD : DELIVERY_PENDING;
        int64_t done = i == 0 ? 100 : i == 1 ? 200 : 50;
        cr_assert_eq(store_delivery_finish(S, d.id, d.attempts, state, 30, "", done), TODO_OK);
        delivery_release(&d);
    }
    int64_t n = -1;
    cr_assert_eq(store_delivery_prune_some(S, 1000, 1, &n), TODO_OK, "%s", store_last_error(S));
    cr_assert_eq(n, 1, "one per statement at this limit");
    cr_assert_eq(store_delivery_count(S, DELIVERY_DONE, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(store_delivery_prune_some(S, 150, 10, &n), TODO_OK);
    cr_assert_eq(n, 0, "the oldest (100) went first; 200 is after the bound");
    cr_assert_eq(store_delivery_prune_some(S, 1000, 10, &n), TODO_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(store_delivery_count(S, DELIVERY_DEAD, &n), TODO_OK);
    cr_assert_eq(n, 1, "dead rows stay");
    cr_assert_eq(store_delivery_count(S, DELIVERY_PENDING, &n), TODO_OK);
    cr_assert_eq(n, 1, "pending rows stay");
}
