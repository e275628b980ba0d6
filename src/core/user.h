/* user.h - accounts: the user record and validation of signup and profile input. */
#ifndef TODO_CORE_USER_H
#define TODO_CORE_USER_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"

#define USER_ID_MAX       40
#define USER_EMAIL_MAX    254
#define USER_NAME_MAX     200 /* characters */
#define USER_TZ_MAX       64
#define USER_PASSWORD_MIN 8    /* characters */
#define USER_PASSWORD_MAX 1024 /* bytes */

struct user {
    char id[USER_ID_MAX]; /* UUIDv7 */
    char *email;          /* owned, case-folded */
    char *password_hash;  /* owned, argon2id string */
    char *name;           /* owned, "" by default */
    char timezone[USER_TZ_MAX];
    int64_t created_at;
};

void user_init(struct user *u);
void user_release(struct user *u);

/* Validates and case-folds an email address into out. Returns 0 or a validation error on
 * field "email". */
int user_email_normalize(const char *in, char *out, size_t outsz, struct todo_err *err);
/* Applies {name?, timezone?} (PATCH /api/auth/me, and signup's optional fields) to u.
 * Unknown fields other than those in allowed_extra (a NULL-terminated list, may be NULL)
 * are refused. u is unchanged on failure. */
int user_apply_profile(struct user *u, json_t *body, const char *const *allowed_extra,
                       struct todo_err *err);
/* {id, email, name, timezone, created_at}. New reference. */
json_t *user_to_json(const struct user *u);

#endif
