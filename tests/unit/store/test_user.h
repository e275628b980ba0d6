/* test_user.h - the user row the unit tests over a real store need first (tasks, reminders,
 * settings and notifications belong to a user): the given id and e-mail (NULL:
 * "<id>@example.com"), a stand-in password hash, the time zone UTC. Header-only. */
#ifndef TODO_TESTS_TEST_USER_H
#define TODO_TESTS_TEST_USER_H

#include <criterion/criterion.h>

#include <stdio.h>

#include "base/xalloc.h"
#include "store/store.h"

static inline void test_user_add(store_t *st, const char *id, const char *email)
{
    struct user u;
    user_init(&u);
    snprintf(u.id, sizeof u.id, "%s", id);
    if (email) {
        u.email = xstrdup(email);
    } else {
        char own[USER_ID_MAX + 16];
        snprintf(own, sizeof own, "%s@example.com", id);
        u.email = xstrdup(own);
    }
    u.password_hash = xstrdup("x");
    u.created_at = 1000;
    cr_assert_eq(store_user_insert(st, &u), TODO_OK, "%s", store_last_error(st));
    user_release(&u);
}

#endif
