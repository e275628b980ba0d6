/* deliver.h - sending one notification to the outside world with libcurl: a signed webhook,
 * an ntfy push, an e-mail over SMTP. Blocking (the delivery pool's threads call these, never
 * an HTTP worker or the event threads); each call uses its own easy handle. Thread-safe. */
#ifndef TODO_SERVICES_NOTIFY_DELIVER_H
#define TODO_SERVICES_NOTIFY_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/notify.h"

struct deliver_config {
    int64_t timeout_ms;    /* the whole request */
    bool allow_private;    /* TODO_ALLOW_PRIVATE_WEBHOOKS: webhook/ntfy may reach them */
    const char *smtp_url;  /* smtp://host:port or smtps://host:port; "" = no e-mail */
    const char *smtp_user; /* "" = no authentication */
    const char *smtp_password;
    const char *smtp_from;  /* the sender's address */
    const char *public_url; /* the web UI's address, for links; "" = none */
};

/* What a send produced: 0, or an error to retry with its text in error (never a secret). */
#define DELIVER_ERROR_MAX 256

/* POST body (JSON) to url with X-Todo-Timestamp, X-Todo-Signature (notify_sign with
 * secret; no signature header when secret is NULL) and X-Todo-Delivery. 2xx is success. */
int deliver_webhook(const struct deliver_config *cfg, const char *url, const char *secret,
                    const char *delivery_id, const char *body, char error[DELIVER_ERROR_MAX]);
/* POST to an ntfy topic URL: the body is the message; Title, Priority, Tags, Click (when a
 * public URL is set) and X-Todo-Delivery headers. */
int deliver_ntfy(const struct deliver_config *cfg, const char *url, const struct reminder_due *r,
                 bool test, const char *delivery_id, char error[DELIVER_ERROR_MAX]);
/* An e-mail to address through cfg's SMTP server (STARTTLS when the server offers it):
 * multipart/alternative text and HTML, Message-ID "<delivery_id@sender's domain>". */
int deliver_email(const struct deliver_config *cfg, const char *address,
                  const struct reminder_due *r, bool test, const char *delivery_id,
                  char error[DELIVER_ERROR_MAX]);

/* Appends s as an RFC 2047 encoded word ("=?UTF-8?B?...?=") when it is not plain printable
 * ASCII, else as is (header values: Subject, ntfy's Title). */
void deliver_header_word(struct buf *out, const char *s);

#endif
