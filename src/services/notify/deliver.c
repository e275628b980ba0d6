/* deliver.c - one notification to a webhook, an ntfy topic or a mailbox, with libcurl
 * (docs/decisions/0031-notification-deliveries.md).
 *
 * The one idea: the URL was checked when it was saved, but a host can resolve elsewhere by
 * the time we call it (DNS rebinding). So webhook and ntfy requests open their sockets through
 * CURLOPT_OPENSOCKETFUNCTION, which refuses any address notify_addr_blocked names unless the
 * operator allowed private ones: the check is on the address actually connected to. No
 * redirects are followed and no proxy is used, so nothing else picks the address. The SMTP
 * server is the operator's own and is not filtered. */
#include "services/notify/deliver.h"
#include "base/buf.h"
#include "base/timeutil.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct request {
    const struct deliver_config *cfg;
    bool blocked; /* the opensocket callback refused an address */
};

static curl_socket_t open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct request *rq = arg;
    (void)purpose;
    if (!rq->cfg->allow_private && notify_addr_blocked(&addr->addr)) {
        rq->blocked = true;
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

/* Common options of an outside HTTP request. */
static void http_options(CURL *h, struct request *rq, const char *url)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* the socket check must see the real peer */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)rq->cfg->timeout_ms);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, rq);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "todo-notify/" TODO_VERSION);
}

/* Runs the request; 0 for a 2xx answer, else TODO_ERR_UNAVAILABLE with error set. */
static int perform_http(CURL *h, struct request *rq, char error[DELIVER_ERROR_MAX])
{
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc == CURLE_OK && status >= 200 && status < 300)
        return TODO_OK;
    if (rq->blocked)
        snprintf(error, DELIVER_ERROR_MAX, "the host resolved to a private address: refused");
    else if (cc != CURLE_OK)
        snprintf(error, DELIVER_ERROR_MAX, "%s", curl_easy_strerror(cc));
    else
        snprintf(error, DELIVER_ERROR_MAX, "answered HTTP %ld", status);
    return TODO_ERR_UNAVAILABLE;
}

static struct curl_slist *header(struct curl_slist *list, struct buf *line)
{
    struct curl_slist *l = curl_slist_append(list, line->data);
    if (!l)
        abort(); /* only fails when out of memory */
    buf_reset(line);
    return l;
}

int deliver_webhook(const struct deliver_config *cfg, const char *url, const char *secret,
                    const char *delivery_id, const char *body, char error[DELIVER_ERROR_MAX])
{
    CURL *h = curl_easy_init();
    if (!h)
        abort();
    struct request rq = {.cfg = cfg};
    struct buf line;
    buf_init(&line);
    struct curl_slist *hs = NULL;
    int64_t ts = time_now_ms() / 1000;
    size_t len = strlen(body);
    buf_puts(&line, "Content-Type: application/json");
    hs = header(hs, &line);
    buf_printf(&line, "X-Todo-Timestamp: %lld", (long long)ts);
    hs = header(hs, &line);
    if (secret) {
        char sig[NOTIFY_SIGNATURE_MAX];
        notify_sign(secret, ts, body, len, sig);
        buf_printf(&line, "X-Todo-Signature: %s", sig);
        hs = header(hs, &line);
    }
    buf_printf(&line, "X-Todo-Delivery: %s", delivery_id);
    hs = header(hs, &line);
    http_options(h, &rq, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    int rc = perform_http(h, &rq, error);
    curl_easy_cleanup(h);
    curl_slist_free_all(hs);
    buf_release(&line);
    return rc;
}

void deliver_header_word(struct buf *out, const char *s)
{
    bool plain = true;
    for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
        plain = *p >= ' ' && *p < 0x7f && !(p[0] == '=' && p[1] == '?');
    if (plain) {
        buf_puts(out, s);
        return;
    }
    size_t n = strlen(s);
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(cap);
    if (!b64)
        abort();
    sodium_bin2base64(b64, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    buf_printf(out, "=?UTF-8?B?%s?=", b64);
    free(b64);
}

/* The task's page in the web UI, or "" when no public URL is configured. */
static void task_link(const struct deliver_config *cfg, const struct reminder_due *r,
                      struct buf *out)
{
    if (cfg->public_url[0] && r->task_id > 0)
        buf_printf(out, "%s/?task=%lld", cfg->public_url, (long long)r->task_id);
}

int deliver_ntfy(const struct deliver_config *cfg, const char *url, const struct reminder_due *r,
                 bool test, const char *delivery_id, char error[DELIVER_ERROR_MAX])
{
    CURL *h = curl_easy_init();
    if (!h)
        abort();
    struct request rq = {.cfg = cfg};
    struct buf line, message, link;
    buf_init(&line);
    buf_init(&message);
    buf_init(&link);
    struct curl_slist *hs = NULL;
    buf_puts(&line, "Title: ");
    deliver_header_word(&line, r->title);
    hs = header(hs, &line);
    buf_puts(&line, test ? "Priority: default" : "Priority: high");
    hs = header(hs, &line);
    buf_puts(&line, "Tags: alarm_clock");
    hs = header(hs, &line);
    task_link(cfg, r, &link);
    if (link.len) {
        buf_printf(&line, "Click: %s", link.data);
        hs = header(hs, &line);
    }
    buf_printf(&line, "X-Todo-Delivery: %s", delivery_id);
    hs = header(hs, &line);
    buf_puts(&line, "Content-Type: text/plain; charset=utf-8");
    hs = header(hs, &line);
    if (test)
        buf_puts(&message, "This is a test notification from Todo.");
    else
        reminder_due_body(r, &message);
    http_options(h, &rq, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, message.data);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)message.len);
    int rc = perform_http(h, &rq, error);
    curl_easy_cleanup(h);
    curl_slist_free_all(hs);
    buf_release(&line);
    buf_release(&message);
    buf_release(&link);
    return rc;
}

/* --- e-mail --- */

static void html_escape(struct buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            buf_puts(out, "&lt;");
            break;
        case '>':
            buf_puts(out, "&gt;");
            break;
        case '&':
            buf_puts(out, "&amp;");
            break;
        case '"':
            buf_puts(out, "&quot;");
            break;
        default:
            buf_putc(out, *s);
        }
    }
}

/* The text and HTML bodies. */
static void email_bodies(const struct deliver_config *cfg, const struct reminder_due *r, bool test,
                         struct buf *text, struct buf *html)
{
    struct buf what, link;
    buf_init(&what);
    buf_init(&link);
    if (test)
        buf_puts(&what, "This is a test notification from Todo.");
    else
        reminder_due_body(r, &what);
    task_link(cfg, r, &link);
    buf_printf(text, "%s\r\n\r\n%s\r\n", r->title, what.data);
    buf_puts(html, "<!doctype html><html><body><h2>");
    html_escape(html, r->title);
    buf_puts(html, "</h2><p>");
    html_escape(html, what.data);
    buf_puts(html, "</p>");
    if (link.len) {
        buf_printf(text, "\r\n%s\r\n", link.data);
        buf_puts(html, "<p><a href=\"");
        html_escape(html, link.data);
        buf_puts(html, "\">Open the task</a></p>");
    }
    buf_puts(html, "</body></html>");
    buf_release(&what);
    buf_release(&link);
}

static struct curl_slist *email_headers(const struct deliver_config *cfg, const char *address,
                                        const struct reminder_due *r, const char *delivery_id)
{
    struct buf line;
    buf_init(&line);
    struct curl_slist *hs = NULL;
    const char *at = strrchr(cfg->smtp_from, '@');
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_puts(&line, date);
    hs = header(hs, &line);
    buf_printf(&line, "From: <%s>", cfg->smtp_from);
    hs = header(hs, &line);
    buf_printf(&line, "To: <%s>", address);
    hs = header(hs, &line);
    buf_puts(&line, "Subject: ");
    deliver_header_word(&line, r->title);
    hs = header(hs, &line);
    buf_printf(&line, "Message-ID: <%s@%s>", delivery_id, at ? at + 1 : "todo.invalid");
    hs = header(hs, &line);
    buf_printf(&line, "X-Todo-Delivery: %s", delivery_id);
    hs = header(hs, &line);
    buf_release(&line);
    return hs;
}

int deliver_email(const struct deliver_config *cfg, const char *address,
                  const struct reminder_due *r, bool test, const char *delivery_id,
                  char error[DELIVER_ERROR_MAX])
{
    if (!cfg->smtp_url[0]) {
        snprintf(error, DELIVER_ERROR_MAX, "no SMTP server is configured (TODO_SMTP_URL)");
        return TODO_ERR_UNAVAILABLE;
    }
    CURL *h = curl_easy_init();
    if (!h)
        abort();
    struct buf text, html, from, to;
    buf_init(&text);
    buf_init(&html);
    buf_init(&from);
    buf_init(&to);
    email_bodies(cfg, r, test, &text, &html);
    buf_printf(&from, "<%s>", cfg->smtp_from);
    buf_printf(&to, "<%s>", address);
    struct curl_slist *rcpt = curl_slist_append(NULL, to.data);
    struct curl_slist *hs = email_headers(cfg, address, r, delivery_id);
    curl_mime *mime = curl_mime_init(h), *alt = curl_mime_init(h);
    curl_mimepart *part = curl_mime_addpart(alt);
    curl_mime_data(part, text.data, text.len);
    curl_mime_type(part, "text/plain; charset=utf-8");
    part = curl_mime_addpart(alt);
    curl_mime_data(part, html.data, html.len);
    curl_mime_type(part, "text/html; charset=utf-8");
    part = curl_mime_addpart(mime);
    curl_mime_subparts(part, alt); /* mime owns alt now */
    curl_mime_type(part, "multipart/alternative");
    curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
    /* STARTTLS when offered; with credentials it is required, so a man in the middle who
     * strips STARTTLS from the greeting cannot make libcurl send the password in clear. */
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     (long)(cfg->smtp_user[0] ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (cfg->smtp_user[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.data);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs); /* the message's headers, for SMTP */
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    CURLcode cc = curl_easy_perform(h);
    int rc = TODO_OK;
    if (cc != CURLE_OK) {
        snprintf(error, DELIVER_ERROR_MAX, "SMTP: %s", curl_easy_strerror(cc));
        rc = TODO_ERR_UNAVAILABLE;
    }
    curl_easy_cleanup(h);
    curl_mime_free(mime);
    curl_slist_free_all(rcpt);
    curl_slist_free_all(hs);
    buf_release(&text);
    buf_release(&html);
    buf_release(&from);
    buf_release(&to);
    return rc;
}
