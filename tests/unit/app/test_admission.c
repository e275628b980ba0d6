/* Unit tests for the admission lanes in front of the hashing pool (docs/decisions/0017);
 * the thread test is meant for ThreadSanitizer too. */
#include <criterion/criterion.h>
#include <pthread.h>

#include "app/admission.h"

Test(admission, a_full_signup_lane_leaves_every_login_place_free)
{
    struct app_admission ad;
    app_admission_init(&ad, 3, 2);
    cr_assert(app_admission_enter(&ad, APP_LANE_SIGNUP));
    cr_assert(app_admission_enter(&ad, APP_LANE_SIGNUP));
    cr_assert_not(app_admission_enter(&ad, APP_LANE_SIGNUP), "sign-ups past their share: 503");
    for (int i = 0; i < 3; i++)
        cr_assert(app_admission_enter(&ad, APP_LANE_LOGIN), "login %d still gets in", i);
    cr_assert_not(app_admission_enter(&ad, APP_LANE_LOGIN));
    app_admission_leave(&ad, APP_LANE_SIGNUP);
    cr_assert(app_admission_enter(&ad, APP_LANE_SIGNUP), "a place given back is taken again");
    cr_assert_eq(app_admission_in_flight(&ad, APP_LANE_SIGNUP), 2);
    cr_assert_eq(app_admission_in_flight(&ad, APP_LANE_LOGIN), 3);
}

Test(admission, the_default_shares_fit_the_pool_queue_and_favour_sign_in)
{
    cr_assert_gt(APP_LANE_LOGIN_MAX, APP_LANE_SIGNUP_MAX);
    cr_assert_gt(APP_LANE_SIGNUP_MAX, 0);
}

#define AD_THREADS 4
#define AD_ROUNDS  2000

static struct app_admission shared;
static int inside;     /* atomic: sign-ups holding a place right now */
static int max_inside; /* atomic */

static void *churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < AD_ROUNDS; i++) {
        if (!app_admission_enter(&shared, APP_LANE_SIGNUP))
            continue;
        int now = __atomic_add_fetch(&inside, 1, __ATOMIC_ACQ_REL);
        int seen = __atomic_load_n(&max_inside, __ATOMIC_RELAXED);
        while (now > seen && !__atomic_compare_exchange_n(&max_inside, &seen, now, true,
                                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
        __atomic_sub_fetch(&inside, 1, __ATOMIC_ACQ_REL);
        app_admission_leave(&shared, APP_LANE_SIGNUP);
    }
    return NULL;
}

Test(admission, many_threads_never_hold_more_than_the_lane_allows)
{
    app_admission_init(&shared, 10, 2);
    pthread_t th[AD_THREADS];
    for (int i = 0; i < AD_THREADS; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, churn, NULL), 0);
    for (int i = 0; i < AD_THREADS; i++)
        pthread_join(th[i], NULL);
    cr_assert_leq(max_inside, 2);
    cr_assert_gt(max_inside, 0);
    cr_assert_eq(app_admission_in_flight(&shared, APP_LANE_SIGNUP), 0);
}
