/* admission.h - how many sign-ups and sign-ins may wait for the password-hashing pool at
 * once, each lane counted apart, so a flood of sign-ups can hold at most its own share and
 * never the places sign-ins need (docs/decisions/0017-sign-up-limits-and-admission.md).
 * Thread-safe: lock-free counters. */
#ifndef TODO_APP_ADMISSION_H
#define TODO_APP_ADMISSION_H

#include <stdbool.h>

enum app_lane {
    APP_LANE_LOGIN,  /* login and password change: existing accounts */
    APP_LANE_SIGNUP, /* new accounts */
    APP_LANE_COUNT
};

/* Places per lane (queued or running); the hashing pool's queue holds their sum. */
#define APP_LANE_LOGIN_MAX  64
#define APP_LANE_SIGNUP_MAX 16

struct app_admission {
    int limit[APP_LANE_COUNT];
    int in_flight[APP_LANE_COUNT]; /* atomic */
};

/* Sets the limits (<= 0: the lane admits nothing). */
void app_admission_init(struct app_admission *ad, int login_max, int signup_max);
/* Takes a place in lane; false (taking nothing) when the lane is full: answer 503. */
bool app_admission_enter(struct app_admission *ad, enum app_lane lane);
/* Gives back a place taken by a successful enter. */
void app_admission_leave(struct app_admission *ad, enum app_lane lane);
int app_admission_in_flight(struct app_admission *ad, enum app_lane lane);

#endif
