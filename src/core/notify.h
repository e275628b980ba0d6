/* notify.h - the domain of notifications: a user's channel settings and their validation,
 * the outside URLs they may name (docs/decisions/0032-notification-settings.md), the
 * todo.reminder.due event's data, the stable delivery id of a (reminder, channel), the
 * webhook signature and the JSON shapes clients see. Pure functions, thread-safe, except
 * notify_url_check, which resolves the host (getaddrinfo). */
#ifndef TODO_CORE_NOTIFY_H
#define TODO_CORE_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/user.h"

enum notify_channel { NOTIFY_IN_APP, NOTIFY_WEBHOOK, NOTIFY_NTFY, NOTIFY_EMAIL, NOTIFY_N_CHANNELS };

/* "in_app", "webhook", "ntfy", "email". */
const char *notify_channel_name(int channel);
/* -1 when unknown. */
int notify_channel_parse(const char *name);

#define NOTIFY_URL_MAX   2048
#define NOTIFY_EMAIL_MAX 254

struct notify_settings {
    bool enabled[NOTIFY_N_CHANNELS];
    char *webhook_url;    /* owned, or NULL */
    char *ntfy_url;       /* owned, or NULL */
    char *email;          /* owned, or NULL: the account's address */
    char *webhook_secret; /* owned, or NULL; never in any JSON answer nor log */
};

/* Defaults: in-app on, every other channel off, nothing set. */
void notify_settings_init(struct notify_settings *s);
void notify_settings_release(struct notify_settings *s);
/* The answer of GET /api/{user_id}/settings (new reference; the secret only as
 * webhook_secret_set). */
json_t *notify_settings_to_json(const struct notify_settings *s);
/* Applies a PUT body on s: {channels?: {in_app?, webhook?, ntfy?, email?: bool},
 * webhook_url?, ntfy_url?, email?: string | null}; webhook_secret_set is read-only and
 * ignored. Unknown fields, wrong types, a bad URL (notify_url_check) or address, or an
 * enabled channel without its URL are 422 with details; s is changed only on success.
 * Resolves URL hosts. */
int notify_settings_apply_json(struct notify_settings *s, json_t *body, bool allow_private,
                               struct todo_err *err);

/* Why a URL is refused: one table of codes and messages (notify_url_problem_message). */
enum notify_url_problem {
    NOTIFY_URL_OK,
    NOTIFY_URL_MALFORMED,
    NOTIFY_URL_TOO_LONG,
    NOTIFY_URL_SCHEME,
    NOTIFY_URL_CREDENTIALS,
    NOTIFY_URL_NO_HOST,
    NOTIFY_URL_UNRESOLVED,
    NOTIFY_URL_PRIVATE,
    NOTIFY_URL_N_PROBLEMS
};
const char *notify_url_problem_message(int problem);
/* Checks an outside URL: http or https, a host, no user:password, at most NOTIFY_URL_MAX
 * bytes, and (unless allow_private) no address of its host is loopback, link-local,
 * private, shared, multicast or unspecified. Returns an enum notify_url_problem. */
int notify_url_check(const char *url, bool allow_private);
/* Whether a socket address is one an outside delivery must not reach (the list above);
 * IPv4-mapped and NAT64 IPv6 addresses are judged by their IPv4 address. */
bool notify_addr_blocked(const struct sockaddr *sa);

/* The data of a todo.reminder.due event (docs/events/README.md). */
struct reminder_due {
    int64_t id; /* the reminder's id */
    int64_t task_id;
    char *title; /* owned */
    bool has_due;
    int64_t due_at;
    int64_t remind_at;
    char user_id[USER_ID_MAX];
    bool late;
};
void reminder_due_release(struct reminder_due *r);
/* Parses the event's data (JSON object text). 400 with a message when a field is missing or
 * of the wrong type; *out (zeroed first) is set only on success. */
int reminder_due_parse(const char *data, struct reminder_due *out, struct todo_err *err);
/* The reminder's identity across firings: "r<id>-<remind_at ms>" (a moved reminder fires
 * again; a redelivered or duplicated firing is the same). */
#define NOTIFY_KEY_MAX 64
void reminder_due_key(const struct reminder_due *r, char out[NOTIFY_KEY_MAX]);
/* The delivery id of (reminder key, channel): "<key>.<channel>", stable across retries. */
#define NOTIFY_DELIVERY_ID_MAX 96
void notify_delivery_id(const char *key, int channel, char out[NOTIFY_DELIVERY_ID_MAX]);
/* The text a person reads: "Due 2026-12-01T09:00:00Z" (with ", late" when it fired after a
 * downtime), or "Reminder". Appended to out. */
void reminder_due_body(const struct reminder_due *r, struct buf *out);
/* The webhook's JSON body: {type: "reminder", id, task_id, title, due_at, remind_at,
 * user_id, late}. test: type "test". */
void reminder_due_webhook_body(const struct reminder_due *r, bool test, struct buf *out);

/* "sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with secret's bytes>". */
#define NOTIFY_SIGNATURE_MAX 72
void notify_sign(const char *secret, int64_t timestamp_s, const char *body, size_t body_len,
                 char out[NOTIFY_SIGNATURE_MAX]);
/* A new webhook secret: "whsec_" and 32 random bytes in URL-safe base64 (no padding). */
#define NOTIFY_SECRET_MAX 64
void notify_secret_new(char out[NOTIFY_SECRET_MAX]);

/* A notification as GET /api/{user_id}/notifications shows it. */
struct notification {
    int64_t id;
    int64_t task_id; /* 0: none (a test notification) */
    char *title;     /* owned */
    char *body;      /* owned */
    bool has_remind_at;
    int64_t remind_at;
    int64_t created_at;
    bool has_read_at;
    int64_t read_at;
};
void notification_release(struct notification *n);
/* {id, task_id, title, body, remind_at, created_at, read_at}, appended to out. */
void notification_json_write(struct buf *out, const struct notification *n);

#endif
