/* ws.c - WebSocket connections (RFC 6455) on libmicrohttpd's upgrade and libwslay.
 *
 * The one idea: after the 101, a connection belongs to the hub's thread and to nobody else.
 * HTTP workers hand a new connection over through the hub's `incoming` list; other threads
 * hand messages over through its `inbox`; both under one mutex, with an eventfd to wake the
 * hub's epoll loop. So a connection's wslay context, its queue and its socket are only ever
 * touched by one thread and need no lock.
 *
 * Framing, masking, fragmentation, ping/pong and the close handshake are libwslay's; this file
 * only moves bytes and decides policy: the auth message, the 1 MiB limit (1009), binary
 * messages (1003), text that is not UTF-8 (1007), and the bounded send queue: a connection
 * whose queue is full is closed with 1008 rather than grow (docs/decisions/0033). */
#include "http/ws.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

#define WS_GUID          "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_SUBPROTOCOL   "todo"
#define WS_BEARER_PREFIX "bearer."
#define WSLAY_IN_FLIGHT  4            /* messages handed to wslay at once */
#define WS_SNDBUF        (128u << 10) /* kernel send buffer per connection */
#define INBOX_MAX        65536        /* messages waiting for the hub thread */
#define LINGER_MAX_BYTES (8u << 20)   /* discarded after our close frame, at most */
#define AUTH_MESSAGE_MAX (16u << 10)  /* a message before auth (the auth message), at most */
/* wslay_backlog: how much wslay may hold queued before the hub stops reading that peer */
#define WSLAY_QUEUE_MAX       64
#define WSLAY_QUEUE_BYTES_MAX (64u << 10)
#define TICK_MS               250

enum close_slot { C1000, C1001, C1002, C1003, C1006, C1007, C1008, C1009, C1011, COTHER, C_N };
static const int close_codes[C_N] = {1000, 1001, 1002, 1003, 1006, 1007, 1008, 1009, 1011, 0};

struct ws_msg {
    struct ws_msg *next;
    size_t len;
    char user_id[WS_USER_MAX];
    char text[];
};

struct ws_conn {
    struct ws_conn *next, *prev;
    ws_hub_t *hub;
    int fd;
    struct http_upgraded *up;
    wslay_event_context_ptr ctx;
    char *extra; /* bytes read by libmicrohttpd past the request, not yet given to wslay */
    size_t extra_len, extra_off;
    bool authed;
    bool io_failed; /* the socket failed (not the peer's framing) in this wslay_event_recv */
    int raw_close;  /* a close code written outside wslay (frame_layer_refused) */
    bool dead;      /* ended: off the list, freed at the end of the loop's round */
    bool closing;   /* we queued a close frame: nothing more is queued */
    bool lingering; /* our close frame went; half-closed, reading and discarding (conn_linger) */
    size_t drained; /* bytes discarded while lingering */
    int close_code;
    char user_id[WS_USER_MAX];
    char *token; /* kept to check again (revocation, expiry); wiped when freed */
    int64_t opened_ms, last_read_ms, last_ping_ms, checked_ms, closing_ms, linger_ms;
    uint32_t events; /* the epoll mask registered */
    /* messages not yet handed to wslay: a ring of queue_messages */
    char **q;
    size_t *q_len;
    size_t q_head, q_n, q_bytes;
};

struct ws_hub {
    struct ws_hub_config cfg;
    int epfd, wakefd;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock; /* incoming, inbox, n_inbox, stopping */
    pthread_cond_t inbox_room;
    struct ws_conn *incoming;
    struct ws_msg *inbox, *inbox_tail;
    size_t n_inbox;
    bool stopping;
    struct ws_conn *conns; /* the hub thread's */
    struct ws_conn *dead;  /* ended this round, freed after it (epoll may still name them) */
    atomic_long n_conns;   /* open, handshake done (incoming included) */
    atomic_ulong sent;
    atomic_ulong closes[C_N];
};

/* ------------------------------------------------------------------ handshake helpers */

int ws_accept_key(const char *key, char out[29])
{
    unsigned char raw[16];
    size_t raw_len = 0;
    const char *end = NULL;
    size_t klen = key ? strlen(key) : 0;
    if (klen != 24 ||
        sodium_base642bin(raw, sizeof raw, key, klen, NULL, &raw_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        raw_len != 16 || end != key + klen)
        return -1;
    char joined[24 + sizeof WS_GUID];
    memcpy(joined, key, 24);
    memcpy(joined + 24, WS_GUID, sizeof WS_GUID);
    unsigned char digest[20];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA1, joined, 24 + sizeof WS_GUID - 1, digest) != 0)
        return -1;
    sodium_bin2base64(out, 29, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

/* True when the comma-separated header value lists token (case-insensitive). */
static bool header_lists(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    const char *p = value;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t m = n;
        while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
            m--;
        if (m == tlen && strncasecmp(p, token, tlen) == 0)
            return true;
        p += n;
    }
    return false;
}

/* Reads the offered subprotocols: whether "todo" is among them, and the token of a
 * "bearer.<token>" entry (copied into token, NUL-terminated; "" when none). */
static void read_subprotocols(const char *value, bool *todo, char *token, size_t token_size)
{
    *todo = false;
    token[0] = '\0';
    const char *p = value;
    size_t plen = strlen(WS_BEARER_PREFIX);
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ", \t");
        if (n == strlen(WS_SUBPROTOCOL) && strncmp(p, WS_SUBPROTOCOL, n) == 0)
            *todo = true;
        else if (n > plen && n - plen < token_size && strncmp(p, WS_BEARER_PREFIX, plen) == 0)
            memcpy(token, p + plen, n - plen), token[n - plen] = '\0';
        p += n;
        p += strcspn(p, ",");
    }
}

/* ------------------------------------------------------------------ hub: hand-overs */

static void hub_wake(ws_hub_t *h)
{
    uint64_t one = 1;
    ssize_t n = write(h->wakefd, &one, sizeof one);
    (void)n; /* EAGAIN: the counter is already non-zero, the hub wakes anyway */
}

static struct ws_conn *conn_new(ws_hub_t *h, int fd, struct http_upgraded *up)
{
    struct ws_conn *c = xcalloc(1, sizeof *c);
    c->hub = h;
    c->fd = fd;
    c->up = up;
    c->q = xcalloc(h->cfg.queue_messages, sizeof *c->q);
    c->q_len = xcalloc(h->cfg.queue_messages, sizeof *c->q_len);
    c->opened_ms = c->last_read_ms = c->last_ping_ms = c->checked_ms = time_now_ms();
    return c;
}

static void conn_free(struct ws_conn *c)
{
    if (!c)
        return;
    if (c->ctx)
        wslay_event_context_free(c->ctx);
    for (size_t i = 0; i < c->q_n; i++)
        free(c->q[(c->q_head + i) % c->hub->cfg.queue_messages]);
    free(c->q);
    free(c->q_len);
    free(c->extra);
    if (c->token) {
        sodium_memzero(c->token, strlen(c->token));
        free(c->token);
    }
    free(c);
}

/* The hand-over from ws_handle_upgrade to on_upgraded: who the subprotocol authenticated. */
struct ws_pending {
    ws_hub_t *hub;
    char user_id[WS_USER_MAX];
    char token[WS_TOKEN_MAX];
};

static void on_upgraded(void *ctx, int fd, const char *extra, size_t extra_len,
                        struct http_upgraded *up)
{
    struct ws_pending *p = ctx;
    ws_hub_t *h = p->hub;
    struct ws_conn *c = conn_new(h, fd, up);
    if (p->user_id[0]) {
        c->authed = true;
        memcpy(c->user_id, p->user_id, sizeof c->user_id);
        c->token = xstrdup(p->token);
    }
    sodium_memzero(p->token, sizeof p->token);
    if (extra_len) {
        c->extra = xmalloc(extra_len);
        memcpy(c->extra, extra, extra_len);
        c->extra_len = extra_len;
    }
    pthread_mutex_lock(&h->lock);
    bool stopping = h->stopping;
    if (!stopping) {
        atomic_fetch_add(&h->n_conns, 1);
        c->next = h->incoming;
        h->incoming = c;
    }
    pthread_mutex_unlock(&h->lock);
    if (stopping) { /* upgraded as the hub stopped: nobody would serve it */
        http_upgraded_close(up);
        conn_free(c);
        return;
    }
    hub_wake(h);
}

void ws_hub_send_user(ws_hub_t *h, const char *user_id, const char *text, size_t len)
{
    assert(h && user_id && text);
    struct ws_msg *m = xmalloc(sizeof *m + len + 1);
    m->next = NULL;
    m->len = len;
    snprintf(m->user_id, sizeof m->user_id, "%s", user_id);
    memcpy(m->text, text, len);
    m->text[len] = '\0';
    pthread_mutex_lock(&h->lock);
    while (h->n_inbox >= INBOX_MAX && !h->stopping) /* the hub is behind: wait for it */
        pthread_cond_wait(&h->inbox_room, &h->lock);
    if (h->stopping) {
        pthread_mutex_unlock(&h->lock);
        free(m);
        return;
    }
    if (h->inbox_tail)
        h->inbox_tail->next = m;
    else
        h->inbox = m;
    h->inbox_tail = m;
    bool first = h->n_inbox++ == 0;
    pthread_mutex_unlock(&h->lock);
    if (first)
        hub_wake(h);
}

/* ------------------------------------------------------------------ the GET /ws handler */

static void respond_handshake_error(struct http_request *r, int status, const char *msg)
{
    struct todo_err err;
    todo_err_clear(&err);
    todo_err_set(&err, status == 401 ? TODO_ERR_UNAUTHORIZED : TODO_ERR_BAD_REQUEST, "%s", msg);
    http_respond_error(r, &err);
}

/* RFC 6455 section 4.2.1: what the opening handshake must hold. Returns NULL when sound. */
static const char *handshake_problem(struct http_request *r)
{
    const char *upgrade = http_req_header(r, "Upgrade");
    const char *connection = http_req_header(r, "Connection");
    if (!upgrade || !header_lists(upgrade, "websocket"))
        return "this is a WebSocket endpoint: Upgrade: websocket is required";
    if (!connection || !header_lists(connection, "upgrade"))
        return "Connection: Upgrade is required";
    if (http_req_header_count(r, "Sec-WebSocket-Key") != 1)
        return "one Sec-WebSocket-Key is required";
    return NULL;
}

void ws_handle_upgrade(struct http_request *r, void *ctx)
{
    ws_hub_t *h = ctx;
    const char *problem = handshake_problem(r);
    if (problem) {
        respond_handshake_error(r, 400, problem);
        return;
    }
    const char *version = http_req_header(r, "Sec-WebSocket-Version");
    if (!version || strcmp(version, "13") != 0) {
        http_set_header(r, "Sec-WebSocket-Version", "13");
        http_respond_errorf(r, TODO_ERR_BAD_REQUEST, "Sec-WebSocket-Version must be 13");
        return;
    }
    char accept[29];
    if (ws_accept_key(http_req_header(r, "Sec-WebSocket-Key"), accept) != 0) {
        respond_handshake_error(r, 400, "Sec-WebSocket-Key must be the base64 of 16 bytes");
        return;
    }
    struct ws_pending *p = http_req_alloc(r, sizeof *p); /* lives until the upgrade ran */
    memset(p, 0, sizeof *p);
    p->hub = h;
    const char *offered = http_req_header(r, "Sec-WebSocket-Protocol");
    bool todo = false;
    if (offered) {
        read_subprotocols(offered, &todo, p->token, sizeof p->token);
        if (!todo) {
            respond_handshake_error(r, 400,
                                    "offer the subprotocol \"todo\" (and the token as "
                                    "\"bearer.<token>\"), or none");
            return;
        }
        if (p->token[0] && h->cfg.auth(h->cfg.auth_ctx, p->token, p->user_id) != 0) {
            sodium_memzero(p->token, sizeof p->token);
            respond_handshake_error(r, 401, "the token is not valid");
            return;
        }
    }
    pthread_mutex_lock(&h->lock);
    /* counted once upgraded (on_upgraded), so a handshake racing others may pass the bound by
     * the number of workers: bounded all the same */
    bool refuse = h->stopping || (unsigned long)atomic_load(&h->n_conns) >= h->cfg.max_connections;
    pthread_mutex_unlock(&h->lock);
    if (refuse) {
        http_set_header(r, "Retry-After", "1");
        http_respond_errorf(r, TODO_ERR_UNAVAILABLE, "no room for another WebSocket; try again");
        return;
    }
    http_set_header(r, "Upgrade", "websocket");
    http_set_header(r, "Sec-WebSocket-Accept", accept);
    if (todo)
        http_set_header(r, "Sec-WebSocket-Protocol", WS_SUBPROTOCOL);
    http_respond_upgrade(r, on_upgraded, p);
}

/* ------------------------------------------------------------------ wslay callbacks */

/* wslay queues a pong for every ping it reads, without bound; past WSLAY_QUEUE_MAX messages
 * or WSLAY_QUEUE_BYTES_MAX queued, the hub reads no more from that peer until its queue
 * drains (the peer's sends then wait in TCP). */
static bool wslay_backlog(wslay_event_context_ptr ctx)
{
    return wslay_event_get_queued_msg_count(ctx) > WSLAY_QUEUE_MAX ||
           wslay_event_get_queued_msg_length(ctx) > WSLAY_QUEUE_BYTES_MAX;
}

static ssize_t on_wslay_recv(wslay_event_context_ptr ctx, uint8_t *data, size_t len, int flags,
                             void *user_data)
{
    (void)flags;
    struct ws_conn *c = user_data;
    if (wslay_backlog(ctx)) { /* read no more until its queued pongs went out */
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        c->io_failed = false;
        return -1;
    }
    if (c->extra_off < c->extra_len) { /* what libmicrohttpd read past the request, first */
        size_t n = c->extra_len - c->extra_off;
        n = n < len ? n : len;
        memcpy(data, c->extra + c->extra_off, n);
        c->extra_off += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do
        n = recv(c->fd, data, len, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        c->last_read_ms = time_now_ms();
        return n;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    else
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE); /* closed or reset */
    c->io_failed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    return -1;
}

static ssize_t on_wslay_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
                             int flags, void *user_data)
{
    (void)flags;
    struct ws_conn *c = user_data;
    ssize_t n;
    do
        n = send(c->fd, data, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    else
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static enum close_slot close_slot(int code)
{
    for (int i = 0; i < COTHER; i++)
        if (close_codes[i] == code)
            return (enum close_slot)i;
    return COTHER;
}

/* Queues our close frame; nothing is queued after it. Messages not yet handed to wslay are
 * dropped (a slow client's backlog is exactly what must not grow). */
static void conn_close(struct ws_conn *c, int code, const char *reason)
{
    if (c->closing || wslay_event_get_close_sent(c->ctx))
        return;
    c->closing = true;
    c->close_code = code;
    c->closing_ms = time_now_ms();
    /* counted now: a slow reader may take its close frame long after, or never */
    atomic_fetch_add_explicit(&c->hub->closes[close_slot(code)], 1, memory_order_relaxed);
    for (size_t i = 0; i < c->q_n; i++)
        free(c->q[(c->q_head + i) % c->hub->cfg.queue_messages]);
    c->q_n = c->q_bytes = c->q_head = 0;
    wslay_event_queue_close(c->ctx, (uint16_t)code, (const uint8_t *)reason, strlen(reason));
}

static void queue_text(struct ws_conn *c, const char *text, size_t len)
{
    struct wslay_event_msg m = {
        .opcode = WSLAY_TEXT_FRAME, .msg = (const uint8_t *)text, .msg_length = len};
    if (wslay_event_queue_msg(c->ctx, &m) == 0) /* wslay copies it */
        atomic_fetch_add_explicit(&c->hub->sent, 1, memory_order_relaxed);
}

static void send_ready(struct ws_conn *c)
{
    char text[WS_USER_MAX + 48];
    int n = snprintf(text, sizeof text, "{\"type\":\"ready\",\"user_id\":\"%s\"}", c->user_id);
    queue_text(c, text, (size_t)n);
}

/* The first message of a connection not authenticated by its subprotocol:
 * {"type":"auth","token":"..."}. Anything else, or a token refused: 1008. */
static void authenticate(struct ws_conn *c, const char *text, size_t len)
{
    ws_hub_t *h = c->hub;
    json_t *msg = json_loadb(text, len, 0, NULL);
    const char *type = json_string_value(json_object_get(msg, "type"));
    const char *token = json_string_value(json_object_get(msg, "token"));
    if (!type || strcmp(type, "auth") != 0 || !token || strlen(token) >= WS_TOKEN_MAX) {
        conn_close(c, 1008, "the first message must be {\"type\":\"auth\",\"token\":...}");
    } else if (h->cfg.auth(h->cfg.auth_ctx, token, c->user_id) != 0) {
        c->user_id[0] = '\0';
        conn_close(c, 1008, "unauthorized");
    } else {
        c->authed = true;
        c->token = xstrdup(token);
        c->checked_ms = time_now_ms();
        wslay_event_config_set_max_recv_msg_length(c->ctx, h->cfg.max_message);
        send_ready(c);
    }
    json_decref(msg);
}

static void on_wslay_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                         void *user_data)
{
    (void)ctx;
    struct ws_conn *c = user_data;
    if (c->closing)
        return;
    if (arg->opcode == WSLAY_BINARY_FRAME) {
        conn_close(c, 1003, "binary messages are not accepted");
    } else if (arg->opcode == WSLAY_TEXT_FRAME) {
        if (!utf8_valid((const char *)arg->msg, arg->msg_length))
            conn_close(c, 1007, "a text message must be UTF-8");
        else if (!c->authed)
            authenticate(c, (const char *)arg->msg, arg->msg_length);
        /* later text messages are ignored: the stream only goes to the client */
    }
    /* ping is answered and close handled by wslay; pong only shows the peer is alive */
}

static int conn_start(struct ws_conn *c)
{
    static const struct wslay_event_callbacks cbs = {
        .recv_callback = on_wslay_recv,
        .send_callback = on_wslay_send,
        .on_msg_recv_callback = on_wslay_msg,
    };
    if (wslay_event_context_server_init(&c->ctx, &cbs, c) != 0)
        return -1;
    /* until auth, only the auth message is expected: a stranger cannot make wslay buffer
     * up to max_message per socket */
    wslay_event_config_set_max_recv_msg_length(c->ctx, c->authed ? c->hub->cfg.max_message
                                                                 : AUTH_MESSAGE_MAX);
    int fl = fcntl(c->fd, F_GETFL);
    if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    int one = 1, sndbuf = (int)WS_SNDBUF;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (c->authed)
        send_ready(c);
    return 0;
}

/* ------------------------------------------------------------------ the hub thread */

/* The connection is over: count how it ended, close the socket, free it. */
static void conn_end(ws_hub_t *h, struct ws_conn *c)
{
    int code = 1006; /* no close frame went out: the connection just ended */
    if (c->ctx && wslay_event_get_close_sent(c->ctx))
        code = wslay_event_get_status_code_sent(c->ctx); /* wslay's own, or the peer's echoed */
    else if (c->raw_close)
        code = c->raw_close;
    if (!c->closing) /* conn_close counted ours */
        atomic_fetch_add_explicit(&h->closes[close_slot(code)], 1, memory_order_relaxed);
    epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    http_upgraded_close(c->up);
    atomic_fetch_sub(&h->n_conns, 1);
    c->dead = true;
    c->next = h->dead;
    h->dead = c;
}

static void free_dead(ws_hub_t *h)
{
    while (h->dead) {
        struct ws_conn *c = h->dead;
        h->dead = c->next;
        conn_free(c);
    }
}

/* Hands queued messages to wslay (a few at a time, so a close can still overtake the rest). */
static void conn_feed(struct ws_conn *c)
{
    size_t cap = c->hub->cfg.queue_messages;
    while (!c->closing && c->q_n && wslay_event_get_queued_msg_count(c->ctx) < WSLAY_IN_FLIGHT) {
        char *text = c->q[c->q_head];
        size_t len = c->q_len[c->q_head];
        c->q_head = (c->q_head + 1) % cap;
        c->q_n--;
        c->q_bytes -= len;
        queue_text(c, text, len);
        free(text);
    }
}

/* Our close frame went but the peer may still be sending (a message over the limit, a refused
 * frame): closing the socket now would make the kernel answer the unread bytes with a reset,
 * and the peer could lose the close frame before reading it (it then sees 1006). So half-close
 * and read what comes, discarding it, until the peer closes, LINGER_MAX_BYTES or the close
 * timeout; the HTTP layer does the same after a 413
 * (docs/decisions/0021-http-request-path-hardening.md). Returns -1 when it must end now. */
static int conn_linger(ws_hub_t *h, struct ws_conn *c)
{
    assert(!c->dead);
    if (c->lingering)
        return 0;
    struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    if (c->io_failed || shutdown(c->fd, SHUT_WR) != 0 ||
        epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &e) != 0)
        return -1;
    c->events = e.events;
    c->lingering = true;
    c->linger_ms = time_now_ms();
    return 0;
}

/* Lingering: reads and discards what is there. Returns -1 once the peer closed or failed, or
 * sent more than LINGER_MAX_BYTES. */
static int conn_drain(struct ws_conn *c)
{
    assert(c->lingering);
    char sink[16384];
    for (;;) {
        ssize_t n = recv(c->fd, sink, sizeof sink, 0);
        if (n > 0) {
            c->drained += (size_t)n;
            if (c->drained > LINGER_MAX_BYTES)
                return -1;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
    }
}

/* Sends what can be sent and re-arms epoll. Returns -1 when the connection is over. */
static int conn_pump(ws_hub_t *h, struct ws_conn *c)
{
    if (c->lingering)
        return 0;
    conn_feed(c);
    if (wslay_event_want_write(c->ctx) && wslay_event_send(c->ctx) != 0)
        return -1;
    conn_feed(c);
    bool want_rd = wslay_event_want_read(c->ctx), wr = wslay_event_want_write(c->ctx);
    if (!want_rd && !wr) { /* both close frames went, or wslay gave up */
        bool peer_may_send =
            wslay_event_get_close_sent(c->ctx) && !wslay_event_get_close_received(c->ctx);
        return peer_may_send ? conn_linger(h, c) : -1;
    }
    bool rd = want_rd && !wslay_backlog(c->ctx);
    /* RDHUP only while reading: level-triggered, it would wake the loop at every round once
     * the peer half-closed and nothing is read any more */
    uint32_t ev = (rd ? EPOLLIN | EPOLLRDHUP : 0) | (wr ? EPOLLOUT : 0);
    if (ev != c->events) {
        struct epoll_event e = {.events = ev, .data.ptr = c};
        if (epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &e) != 0)
            return -1;
        c->events = ev;
    }
    return 0;
}

/* wslay's frame layer refused a frame (a fragmented or oversized control frame, a reserved
 * opcode bit pattern it cannot parse): wslay then queues a close without a code and gives up.
 * When nothing else is in flight, the close the RFC asks for (1002) is written instead: a
 * fixed four-byte server frame, so no framing is done here. */
static void frame_layer_refused(struct ws_conn *c)
{
    static const unsigned char close_1002[] = {0x88, 0x02, 0x03, 0xea};
    if (wslay_event_get_close_sent(c->ctx) || wslay_event_get_queued_msg_count(c->ctx) != 1)
        return;
    if (send(c->fd, close_1002, sizeof close_1002, MSG_NOSIGNAL) == (ssize_t)sizeof close_1002)
        c->raw_close = 1002;
}

static void conn_io(ws_hub_t *h, struct ws_conn *c, uint32_t events)
{
    if (c->dead)
        return;
    if (c->lingering) {
        if (conn_drain(c) != 0)
            conn_end(h, c);
        return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && wslay_event_want_read(c->ctx)) {
        c->io_failed = false;
        if (wslay_event_recv(c->ctx) != 0) {
            if (!c->io_failed)
                frame_layer_refused(c);
            if (!c->raw_close || conn_linger(h, c) != 0)
                conn_end(h, c);
            return;
        }
    }
    if (conn_pump(h, c) != 0)
        conn_end(h, c);
}

static void adopt(ws_hub_t *h, struct ws_conn *list)
{
    while (list) {
        struct ws_conn *c = list;
        list = list->next;
        c->next = h->conns;
        c->prev = NULL;
        if (h->conns)
            h->conns->prev = c;
        h->conns = c;
        c->events = EPOLLIN | EPOLLRDHUP;
        struct epoll_event e = {.events = c->events, .data.ptr = c};
        if (conn_start(c) != 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, c->fd, &e) != 0) {
            conn_end(h, c);
            continue;
        }
        if (c->extra_len) /* the client's first frames came with the request */
            conn_io(h, c, EPOLLIN);
        else if (conn_pump(h, c) != 0)
            conn_end(h, c);
    }
}

/* Queues m on every authenticated connection of its user; a full queue closes with 1008. */
static void deliver(ws_hub_t *h, const struct ws_msg *m)
{
    size_t cap = h->cfg.queue_messages;
    for (struct ws_conn *c = h->conns, *next; c; c = next) {
        next = c->next;
        if (!c->authed || c->closing || strcmp(c->user_id, m->user_id) != 0)
            continue;
        if (c->q_n == cap || c->q_bytes + m->len > h->cfg.queue_bytes) {
            conn_close(c, 1008, "too slow: the send queue is full");
        } else {
            size_t at = (c->q_head + c->q_n) % cap;
            c->q[at] = xmalloc(m->len);
            memcpy(c->q[at], m->text, m->len);
            c->q_len[at] = m->len;
            c->q_n++;
            c->q_bytes += m->len;
        }
        if (conn_pump(h, c) != 0)
            conn_end(h, c);
    }
}

/* Takes what other threads handed over: new connections, then messages. Returns true when
 * the hub is stopping. */
static bool take_handovers(ws_hub_t *h)
{
    uint64_t count;
    ssize_t n = read(h->wakefd, &count, sizeof count);
    (void)n;
    pthread_mutex_lock(&h->lock);
    struct ws_conn *incoming = h->incoming;
    struct ws_msg *inbox = h->inbox;
    h->incoming = NULL;
    h->inbox = h->inbox_tail = NULL;
    h->n_inbox = 0;
    bool stopping = h->stopping;
    pthread_cond_broadcast(&h->inbox_room);
    pthread_mutex_unlock(&h->lock);
    adopt(h, incoming);
    while (inbox) {
        struct ws_msg *m = inbox;
        inbox = m->next;
        deliver(h, m);
        free(m);
    }
    return stopping;
}

/* Once a tick: auth deadlines, pings, silent peers, tokens checked again, close timeouts.
 * Returns -1 when the connection is to end now. */
static int conn_timers(ws_hub_t *h, struct ws_conn *c, int64_t now)
{
    const struct ws_hub_config *cfg = &h->cfg;
    if (c->lingering)
        return now - c->linger_ms > cfg->close_timeout_ms ? -1 : 0;
    if (!c->closing && c->ctx &&
        wslay_event_get_close_sent(c->ctx)) { /* a close wslay queued itself */
        if (!c->closing_ms)
            c->closing_ms = now;
        return now - c->closing_ms > cfg->close_timeout_ms ? -1 : 0;
    }
    if (c->closing)
        return now - c->closing_ms > cfg->close_timeout_ms ? -1 : 0; /* the peer never answered */
    if (now - c->last_read_ms > 2 * cfg->ping_interval_ms)
        return -1; /* silent through two pings: gone */
    if (!c->authed && now - c->opened_ms > cfg->auth_timeout_ms) {
        conn_close(c, 1008, "no auth message in time");
    } else if (c->authed && now - c->checked_ms > cfg->recheck_ms) {
        c->checked_ms = now;
        char user[WS_USER_MAX];
        if (cfg->auth(cfg->auth_ctx, c->token, user) != 0)
            conn_close(c, 1008, "the session ended");
    }
    if (!c->closing && now - c->last_read_ms > cfg->ping_interval_ms &&
        now - c->last_ping_ms > cfg->ping_interval_ms) {
        struct wslay_event_msg ping = {.opcode = WSLAY_PING, .msg = NULL, .msg_length = 0};
        wslay_event_queue_msg(c->ctx, &ping);
        c->last_ping_ms = now;
    }
    return 0;
}

static void hub_tick(ws_hub_t *h)
{
    int64_t now = time_now_ms();
    for (struct ws_conn *c = h->conns, *next; c; c = next) {
        next = c->next;
        if (conn_timers(h, c, now) != 0 || conn_pump(h, c) != 0)
            conn_end(h, c);
    }
}

/* Stopping: a 1001 to every connection, then the loop runs until they answered or the close
 * timeout passed; what is left is cut. */
static void hub_drain(ws_hub_t *h, struct epoll_event *evs, int max)
{
    for (struct ws_conn *c = h->conns, *next; c; c = next) {
        next = c->next;
        conn_close(c, 1001, "the server is going away");
        if (conn_pump(h, c) != 0)
            conn_end(h, c);
    }
    int64_t deadline = time_now_ms() + h->cfg.close_timeout_ms;
    while (h->conns && time_now_ms() < deadline) {
        int n = epoll_wait(h->epfd, evs, max, TICK_MS);
        for (int i = 0; i < n; i++)
            if (evs[i].data.ptr != h)
                conn_io(h, evs[i].data.ptr, evs[i].events);
            else
                take_handovers(h);
        free_dead(h);
    }
    while (h->conns)
        conn_end(h, h->conns);
    free_dead(h);
}

static void *hub_main(void *arg)
{
    ws_hub_t *h = arg;
    struct epoll_event evs[64];
    int64_t next_tick = time_now_ms() + TICK_MS;
    for (;;) {
        int n = epoll_wait(h->epfd, evs, 64, TICK_MS);
        bool stopping = false;
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == h)
                stopping = take_handovers(h);
            else
                conn_io(h, evs[i].data.ptr, evs[i].events);
        }
        free_dead(h);
        if (stopping)
            break;
        int64_t now = time_now_ms();
        if (now >= next_tick) {
            hub_tick(h);
            next_tick = now + TICK_MS;
        }
        free_dead(h);
    }
    hub_drain(h, evs, 64);
    return NULL;
}

/* ------------------------------------------------------------------ lifecycle, metrics */

static void config_defaults(struct ws_hub_config *c)
{
    if (!c->max_message)
        c->max_message = 1u << 20;
    if (!c->queue_messages)
        c->queue_messages = 256;
    if (!c->queue_bytes)
        c->queue_bytes = 1u << 20;
    if (!c->max_connections)
        c->max_connections = 10000;
    if (c->auth_timeout_ms <= 0)
        c->auth_timeout_ms = 10000;
    if (c->ping_interval_ms <= 0)
        c->ping_interval_ms = 30000;
    if (c->recheck_ms <= 0)
        c->recheck_ms = 2000;
    if (c->close_timeout_ms <= 0)
        c->close_timeout_ms = 5000;
}

ws_hub_t *ws_hub_create(const struct ws_hub_config *cfg, struct todo_err *err)
{
    assert(cfg && cfg->auth);
    ws_hub_t *h = xcalloc(1, sizeof *h);
    h->cfg = *cfg;
    config_defaults(&h->cfg);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->inbox_room, NULL);
    h->epfd = epoll_create1(EPOLL_CLOEXEC);
    h->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = h};
    if (h->epfd < 0 || h->wakefd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->wakefd, &e) != 0 ||
        pthread_create(&h->thread, NULL, hub_main, h) != 0) {
        todo_err_set(err, TODO_ERR_INTERNAL, "cannot start the WebSocket thread: %s",
                     strerror(errno));
        ws_hub_destroy(h);
        return NULL;
    }
    h->started = true;
    return h;
}

void ws_hub_stop(ws_hub_t *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    bool was = h->stopping;
    h->stopping = true;
    pthread_cond_broadcast(&h->inbox_room);
    pthread_mutex_unlock(&h->lock);
    if (was || !h->started)
        return;
    hub_wake(h);
    pthread_join(h->thread, NULL);
    h->started = false;
}

void ws_hub_destroy(ws_hub_t *h)
{
    if (!h)
        return;
    ws_hub_stop(h);
    while (h->incoming) { /* handed over while the thread was stopping */
        struct ws_conn *c = h->incoming;
        h->incoming = c->next;
        http_upgraded_close(c->up);
        conn_free(c);
    }
    while (h->inbox) {
        struct ws_msg *m = h->inbox;
        h->inbox = m->next;
        free(m);
    }
    if (h->epfd >= 0)
        close(h->epfd);
    if (h->wakefd >= 0)
        close(h->wakefd);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->inbox_room);
    free(h);
}

void ws_hub_metrics(ws_hub_t *h, struct buf *out)
{
    if (!h)
        return;
    buf_printf(out,
               "# HELP todo_ws_connections Open WebSocket connections.\n"
               "# TYPE todo_ws_connections gauge\n"
               "todo_ws_connections %ld\n"
               "# HELP todo_ws_messages_sent_total WebSocket messages queued to clients.\n"
               "# TYPE todo_ws_messages_sent_total counter\n"
               "todo_ws_messages_sent_total %lu\n"
               "# HELP todo_ws_closes_total WebSocket connections ended, by the close code sent "
               "(1006: none).\n"
               "# TYPE todo_ws_closes_total counter\n",
               atomic_load(&h->n_conns), atomic_load(&h->sent));
    for (int i = 0; i < C_N; i++) {
        unsigned long n = atomic_load(&h->closes[i]);
        if (i == COTHER)
            buf_printf(out, "todo_ws_closes_total{code=\"other\"} %lu\n", n);
        else
            buf_printf(out, "todo_ws_closes_total{code=\"%d\"} %lu\n", close_codes[i], n);
    }
}
