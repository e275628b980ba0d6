/* Unit tests for the sliding-window limiter and the client address keys; the thread test
 * is meant for ThreadSanitizer too. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "app/ratelimit.h"

Test(ratelimit, allows_up_to_the_limit_then_refuses)
{
    ratelimit_t *rl = ratelimit_create(3, 60000);
    int64_t t = 1000000 * 60000LL;
    cr_assert(ratelimit_allow(rl, "a@example.com", t));
    cr_assert(ratelimit_allow(rl, "a@example.com", t + 1));
    cr_assert(ratelimit_allow(rl, "a@example.com", t + 2));
    cr_assert_not(ratelimit_allow(rl, "a@example.com", t + 3));
    ratelimit_destroy(rl);
}

Test(ratelimit, keys_are_counted_separately)
{
    ratelimit_t *rl = ratelimit_create(1, 60000);
    int64_t t = 5 * 60000LL;
    cr_assert(ratelimit_allow(rl, "a", t));
    cr_assert(ratelimit_allow(rl, "b", t));
    cr_assert_not(ratelimit_allow(rl, "a", t));
    ratelimit_destroy(rl);
}

Test(ratelimit, previous_window_still_counts_until_it_slides_out)
{
    ratelimit_t *rl = ratelimit_create(2, 60000);
    int64_t start = 10 * 60000LL;
    cr_assert(ratelimit_allow(rl, "k", start + 59000));
    cr_assert(ratelimit_allow(rl, "k", start + 59500));
    /* just after the window boundary the previous two still weigh almost fully */
    cr_assert_not(ratelimit_allow(rl, "k", start + 60500));
    /* two windows later they are gone */
    cr_assert(ratelimit_allow(rl, "k", start + 180000));
    ratelimit_destroy(rl);
}

Test(ratelimit, zero_limit_disables)
{
    ratelimit_t *rl = ratelimit_create(0, 60000);
    for (int i = 0; i < 100; i++)
        cr_assert(ratelimit_allow(rl, "k", i));
    ratelimit_destroy(rl);
}

Test(ratelimit, many_keys_are_swept_without_losing_live_ones)
{
    ratelimit_t *rl = ratelimit_create(1, 1000);
    char key[32];
    for (int i = 0; i < 40000; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        cr_assert(ratelimit_allow(rl, key, (int64_t)i));
    }
    cr_assert_not(ratelimit_allow(rl, "key-39999", 39999));
    ratelimit_destroy(rl);
}

/* --- client address keys (docs/decisions/0017) --- */

static const char *key_of(const char *remote, char *out, size_t n)
{
    ratelimit_addr_key(remote, out, n);
    return out;
}

Test(ratelimit, ipv6_addresses_are_keyed_by_their_64_and_ipv4_as_they_are)
{
    char a[64], b[64];
    cr_assert_str_eq(key_of("2001:db8:1:2:3:4:5:6", a, sizeof a), "2001:db8:1:2::/64");
    cr_assert_str_eq(key_of("2001:db8:1:2:ffff:ffff:ffff:ffff", b, sizeof b), a);
    cr_assert_str_eq(key_of("2001:DB8:1:2::1", b, sizeof b), a, "any spelling of the same /64");
    cr_assert_str_neq(key_of("2001:db8:1:3::1", b, sizeof b), a);
    cr_assert_str_eq(key_of("::1", a, sizeof a), "::/64");
    cr_assert_str_eq(key_of("::ffff:192.0.2.7", a, sizeof a), "192.0.2.7", "IPv4-mapped is IPv4");
    cr_assert_str_eq(key_of("192.0.2.7", a, sizeof a), "192.0.2.7");
    cr_assert_str_neq(key_of("192.0.2.8", b, sizeof b), a, "IPv4 is not grouped");
    cr_assert_str_eq(key_of("unknown", a, sizeof a), "unknown");
}

Test(ratelimit, two_addresses_of_one_64_share_one_budget)
{
    ratelimit_t *rl = ratelimit_create(2, 60000);
    int64_t t = 7 * 60000LL;
    char k[64];
    cr_assert(ratelimit_allow(rl, key_of("2001:db8:0:1::a", k, sizeof k), t));
    cr_assert(ratelimit_allow(rl, key_of("2001:db8:0:1::b", k, sizeof k), t));
    cr_assert_not(ratelimit_allow(rl, key_of("2001:db8:0:1:1:2:3:4", k, sizeof k), t));
    cr_assert(ratelimit_allow(rl, key_of("2001:db8:0:2::a", k, sizeof k), t), "another /64");
    ratelimit_destroy(rl);
}

Test(ratelimit, wait_ms_tells_when_the_key_is_admitted_again)
{
    ratelimit_t *rl = ratelimit_create(2, 60000);
    int64_t t = 20 * 60000LL + 30000;
    cr_assert_eq(ratelimit_wait_ms(rl, "k", t), 0, "an unknown key waits for nothing");
    cr_assert(ratelimit_allow(rl, "k", t));
    cr_assert(ratelimit_allow(rl, "k", t));
    int64_t wait = ratelimit_wait_ms(rl, "k", t);
    cr_assert_gt(wait, 0);
    cr_assert_leq(wait, 2 * 60000);
    cr_assert_not(ratelimit_allow(rl, "k", t + wait / 2));
    cr_assert(ratelimit_allow(rl, "k", t + wait));
    ratelimit_destroy(rl);
}

/* --- several threads on one limiter (for ThreadSanitizer too) --- */

#define RL_THREADS 4
#define RL_TRIES   500

static ratelimit_t *shared_rl;
static int n_allowed; /* atomic */

static void *hammer(void *arg)
{
    char key[16];
    for (int i = 0; i < RL_TRIES; i++) {
        /* one shared key, and keys of this thread that make the table grow and sweep */
        if (ratelimit_allow(shared_rl, "shared", 60000))
            __atomic_add_fetch(&n_allowed, 1, __ATOMIC_RELAXED);
        snprintf(key, sizeof key, "t%d-%d", (int)(intptr_t)arg, i);
        ratelimit_allow(shared_rl, key, 60000);
        ratelimit_wait_ms(shared_rl, "shared", 60000);
    }
    return NULL;
}

Test(ratelimit, many_threads_on_one_key_get_exactly_the_limit)
{
    shared_rl = ratelimit_create(100, 60000);
    pthread_t th[RL_THREADS];
    for (int i = 0; i < RL_THREADS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, hammer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < RL_THREADS; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(n_allowed, 100);
    ratelimit_destroy(shared_rl);
}
