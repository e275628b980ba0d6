/* admission.c - per-lane places in front of the hashing pool. The one idea: a lane is a
 * counter with a ceiling, taken with a compare-and-swap before a job is queued and given
 * back when the job ends, so sign-ups can never fill the queue that sign-ins wait in
 * (docs/decisions/0017-sign-up-limits-and-admission.md). */
#include "app/admission.h"

#include <assert.h>

void app_admission_init(struct app_admission *ad, int login_max, int signup_max)
{
    assert(ad);
    ad->limit[APP_LANE_LOGIN] = login_max;
    ad->limit[APP_LANE_SIGNUP] = signup_max;
    for (int i = 0; i < APP_LANE_COUNT; i++)
        __atomic_store_n(&ad->in_flight[i], 0, __ATOMIC_RELAXED);
}

bool app_admission_enter(struct app_admission *ad, enum app_lane lane)
{
    assert(ad && lane >= 0 && lane < APP_LANE_COUNT);
    int n = __atomic_load_n(&ad->in_flight[lane], __ATOMIC_RELAXED);
    do {
        if (n >= ad->limit[lane])
            return false;
    } while (!__atomic_compare_exchange_n(&ad->in_flight[lane], &n, n + 1, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    return true;
}

void app_admission_leave(struct app_admission *ad, enum app_lane lane)
{
    assert(ad && lane >= 0 && lane < APP_LANE_COUNT);
    int before = __atomic_fetch_sub(&ad->in_flight[lane], 1, __ATOMIC_ACQ_REL);
    assert(before > 0); /* a leave without its enter */
    (void)before;
}

int app_admission_in_flight(struct app_admission *ad, enum app_lane lane)
{
    assert(ad && lane >= 0 && lane < APP_LANE_COUNT);
    return __atomic_load_n(&ad->in_flight[lane], __ATOMIC_ACQUIRE);
}
