/* Unit tests for the sliding-window login limiter. */
#include <criterion/criterion.h>
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
