/* fuzz_ws.c - libFuzzer target: what a WebSocket client controls (src/http/ws.c).
 * 1. The handshake helpers on the input as header text: the token lists of Upgrade and
 *    Connection, the offered subprotocols (the bearer token's bounds), the accept key.
 * 2. The input as the byte stream a client sends after the 101, through libwslay's parser
 *    into this file's callbacks (the auth message, the close policy, the send queue), as the
 *    hub thread runs them, without a socket.
 * ASan and UBSan catch the rest. */
#include "../src/http/ws.c"

static ws_hub_t hub;

static int auth_good_only(void *ctx, const char *token, char user_id[WS_USER_MAX])
{
    (void)ctx;
    if (strcmp(token, "good") != 0)
        return -1;
    snprintf(user_id, WS_USER_MAX, "u1");
    return 0;
}

static void helpers(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    (void)header_lists(text, "upgrade");
    bool todo;
    char token[32];
    read_subprotocols(text, &todo, token, sizeof token);
    if (strlen(token) >= sizeof token)
        abort();
    char accept[29];
    if (ws_accept_key(text, accept) == 0 && strlen(accept) != 28)
        abort();
    free(text);
}

static void stream(const uint8_t *data, size_t size)
{
    static const struct wslay_event_callbacks cbs = {
        .recv_callback = on_wslay_recv,
        .send_callback = on_wslay_send,
        .on_msg_recv_callback = on_wslay_msg,
    };
    struct ws_conn *c = conn_new(&hub, -1, NULL); /* fd -1: the stream ends with the input */
    c->extra = xmalloc(size ? size : 1);
    memcpy(c->extra, data, size);
    c->extra_len = size;
    if (wslay_event_context_server_init(&c->ctx, &cbs, c) != 0)
        abort();
    wslay_event_config_set_max_recv_msg_length(c->ctx, hub.cfg.max_message);
    (void)wslay_event_recv(c->ctx);
    if (c->authed)
        for (int i = 0; i < 3 && !c->closing; i++) { /* the queue's bound holds */
            if (c->q_n < hub.cfg.queue_messages) {
                size_t at = (c->q_head + c->q_n) % hub.cfg.queue_messages;
                c->q[at] = xstrdup("{}");
                c->q_len[at] = 2;
                c->q_n++;
                c->q_bytes += 2;
            }
            conn_feed(c);
        }
    conn_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!hub.cfg.auth) {
        hub.cfg.auth = auth_good_only;
        hub.cfg.max_message = 4096;
        hub.cfg.queue_messages = 4;
        config_defaults(&hub.cfg);
    }
    helpers(data, size);
    stream(data, size);
    return 0;
}
