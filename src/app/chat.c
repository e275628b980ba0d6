/* chat.c - the chat use case (docs/decisions/0040-chat-storage-and-turns.md).
 *
 * The one idea: the server keeps no conversation in memory. A turn stores the user's message
 * first (so it is never lost, whatever the brain does next), reads the conversation back
 * from storage as the brain's history, runs the brain - the built-in parser, or the LLM
 * when one is configured - and stores the answer with its tool calls and context. Any
 * replica, or this one after a restart, continues any conversation. Where the conversation
 * is kept (database or Dapr state store) is behind chat_state.h. */
#include "app/chat.h"
#include "app/assistant.h"
#include "app/chat_state.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Turn latency buckets (seconds): a built-in turn is milliseconds, an LLM turn seconds. */
static const double turn_bounds_s[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                       0.25,  0.5,    1,     2.5,  5,     10,   30};
#define N_BOUNDS ((int)(sizeof turn_bounds_s / sizeof turn_bounds_s[0]))

/* Counters of one brain (relaxed atomics). */
struct turn_stats {
    uint64_t ok, failed;
    uint64_t buckets[N_BOUNDS + 1];
    uint64_t sum_us;
};

struct app_chat {
    struct app *app;
    struct chat_state *state;
    struct turn_stats stats[2]; /* [0] built-in, [1] llm */
};

static void count_turn(struct app_chat *c, bool llm, int rc, uint64_t started_ns)
{
    struct turn_stats *s = &c->stats[llm ? 1 : 0];
    double secs = (double)(time_mono_ns() - started_ns) / 1e9;
    int b = 0;
    while (b < N_BOUNDS && secs > turn_bounds_s[b])
        b++;
    __atomic_add_fetch(rc ? &s->failed : &s->ok, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->sum_us, (uint64_t)(secs * 1e6), __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *v)
{
    return __atomic_load_n(v, __ATOMIC_RELAXED);
}

void app_chat_metrics(const app_chat_t *c, struct buf *out)
{
    if (!c)
        return;
    static const char *const brains[] = {"builtin", "llm"};
    buf_puts(out, "# HELP todo_chat_turns_total Chat turns by brain and outcome.\n"
                  "# TYPE todo_chat_turns_total counter\n");
    for (int i = 0; i < 2; i++)
        buf_printf(out,
                   "todo_chat_turns_total{brain=\"%s\",outcome=\"ok\"} %llu\n"
                   "todo_chat_turns_total{brain=\"%s\",outcome=\"error\"} %llu\n",
                   brains[i], (unsigned long long)load(&c->stats[i].ok), brains[i],
                   (unsigned long long)load(&c->stats[i].failed));
    buf_puts(out, "# HELP todo_chat_turn_seconds A turn's time: storing, the brain, storing.\n"
                  "# TYPE todo_chat_turn_seconds histogram\n");
    for (int i = 0; i < 2; i++) {
        uint64_t cum = 0;
        for (int b = 0; b <= N_BOUNDS; b++) {
            cum += load(&c->stats[i].buckets[b]);
            if (b < N_BOUNDS)
                buf_printf(out, "todo_chat_turn_seconds_bucket{brain=\"%s\",le=\"%g\"} %llu\n",
                           brains[i], turn_bounds_s[b], (unsigned long long)cum);
            else
                buf_printf(out, "todo_chat_turn_seconds_bucket{brain=\"%s\",le=\"+Inf\"} %llu\n",
                           brains[i], (unsigned long long)cum);
        }
        buf_printf(out,
                   "todo_chat_turn_seconds_sum{brain=\"%s\"} %.6f\n"
                   "todo_chat_turn_seconds_count{brain=\"%s\"} %llu\n",
                   brains[i], (double)load(&c->stats[i].sum_us) / 1e6, brains[i],
                   (unsigned long long)cum);
    }
}

int app_chat_create(struct app *a, const struct app_chat_config *cfg, app_chat_t **out,
                    struct todo_err *err)
{
    assert(a && cfg && out);
    struct chat_state *st = NULL;
    if (cfg->state == APP_CHAT_STATE_DAPR) {
        if (!cfg->dapr_url || !*cfg->dapr_url || !cfg->dapr_store || !*cfg->dapr_store)
            return todo_err_set(err, TODO_ERR_VALIDATION,
                                "the Dapr chat state needs the sidecar's URL and a store name");
        st = chat_state_dapr_create(cfg->dapr_url, cfg->dapr_store, cfg->dapr_token);
    } else {
        st = chat_state_db_create(a);
    }
    app_chat_t *c = xcalloc(1, sizeof *c);
    c->app = a;
    c->state = st;
    *out = c;
    return TODO_OK;
}

void app_chat_destroy(app_chat_t *c)
{
    if (!c)
        return;
    c->state->ops->destroy(c->state);
    free(c);
}

bool app_chat_uses_llm(const app_chat_t *c)
{
    return c && c->app->llm != NULL;
}

void app_chat_request_release(struct app_chat_request *r)
{
    if (r) {
        free(r->message);
        r->message = NULL;
    }
}

/* --- validation --- */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* s without leading and trailing ASCII white space (new). */
static char *trimmed(const char *s, size_t len)
{
    size_t start = 0;
    while (start < len && is_space(s[start]))
        start++;
    while (len > start && is_space(s[len - 1]))
        len--;
    return xstrndup(s + start, len - start);
}

static void check_message(json_t *v, struct app_chat_request *out, struct todo_err *err)
{
    if (!v) {
        todo_err_field(err, "message", "message is required");
        return;
    }
    if (!json_is_string(v)) {
        todo_err_field(err, "message", "message must be a string");
        return;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!utf8_valid(s, len)) {
        todo_err_field(err, "message", "message must be UTF-8 text without NUL");
        return;
    }
    char *t = trimmed(s, len);
    if (!*t)
        todo_err_field(err, "message", "message must not be empty");
    else if (utf8_length(t) > CHAT_MESSAGE_MAX)
        todo_err_field(err, "message", "message is longer than 4000 characters");
    if (err->n_details == 0)
        out->message = t;
    else
        free(t);
}

static void check_conversation(json_t *v, struct app_chat_request *out, struct todo_err *err)
{
    if (!v || json_is_null(v))
        return;
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        todo_err_field(err, "conversation_id", "conversation_id must be a positive integer");
    else
        out->conversation_id = json_integer_value(v);
}

int app_chat_prepare(const char *user_id, json_t *body, struct app_chat_request *out,
                     struct todo_err *err)
{
    assert(user_id && out && err);
    if (!json_is_object(body))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
    struct app_chat_request r = {0};
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "message") != 0 && strcmp(key, "conversation_id") != 0)
            todo_err_field(err, key, "unknown field");
    }
    check_conversation(json_object_get(body, "conversation_id"), &r, err);
    check_message(json_object_get(body, "message"), &r, err);
    if (err->n_details) {
        app_chat_request_release(&r);
        return todo_err_set(err, TODO_ERR_VALIDATION, "the chat message is not valid");
    }
    snprintf(r.user_id, sizeof r.user_id, "%s", user_id);
    *out = r;
    return TODO_OK;
}

/* --- a turn --- */

/* The conversation's title: the first message with white space runs made one space, cut to
 * CHAT_TITLE_MAX characters (at a word when one ends in the last third) with an ellipsis. */
static char *make_title(const char *message)
{
    size_t len = strlen(message), o = 0, chars = 0, last_space = 0;
    char *t = xmalloc(len + 4);
    bool pending_space = false, cut = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)message[i];
        if (is_space((char)ch)) {
            pending_space = o > 0;
            continue;
        }
        if ((ch & 0xC0) != 0x80) { /* a character starts */
            if (chars + (pending_space ? 2 : 1) > CHAT_TITLE_MAX) {
                cut = true;
                break;
            }
            if (pending_space) {
                last_space = o;
                t[o++] = ' ';
                chars++;
                pending_space = false;
            }
            chars++;
        }
        t[o++] = (char)ch;
    }
    if (cut) {
        if (!pending_space && last_space * 3 >= o * 2) /* mid-word: back to its start */
            o = last_space;
        memcpy(t + o, "\xE2\x80\xA6", 3); /* U+2026 */
        o += 3;
    }
    t[o] = '\0';
    return t;
}

/* The user's zone (UTC when it cannot be read). */
static void user_zone(struct app *a, const char *user_id, char *tz, size_t n)
{
    struct user u;
    user_init(&u);
    if (store_user_get_by_id(a->store, user_id, &u) == TODO_OK && u.timezone[0])
        snprintf(tz, n, "%s", u.timezone);
    else
        snprintf(tz, n, "UTC");
    user_release(&u);
}

static int run_brain(struct app_chat *c, struct assistant_turn *t, struct todo_err *err)
{
    if (c->app->llm)
        return assistant_llm_turn(c->app->llm, t, err);
    return assistant_builtin_turn(t, err);
}

static int chat_run(app_chat_t *c, const struct app_chat_request *r, json_t **answer,
                    struct todo_err *err)
{
    char tz[64];
    user_zone(c->app, r->user_id, tz, sizeof tz);
    int64_t now = time_now_ms();
    int64_t conv = r->conversation_id;
    char *title = conv ? NULL : make_title(r->message);
    struct chat_append in = {.role = CHAT_ROLE_USER, .content = r->message, .at = now};
    json_t *history = NULL;
    int rc = c->state->ops->open_turn(c->state, r->user_id, &conv, title, &in, &history, err);
    free(title);
    if (rc)
        return rc;
    struct assistant_turn t = {.app = c->app,
                               .user_id = r->user_id,
                               .tz = tz,
                               .now_ms = now,
                               .history = history,
                               .message = r->message};
    rc = run_brain(c, &t, err);
    if (rc == TODO_OK) {
        if (!t.tool_calls)
            t.tool_calls = json_array();
        struct chat_append out = {.role = CHAT_ROLE_ASSISTANT,
                                  .content = t.response ? t.response : "",
                                  .tool_calls = t.tool_calls,
                                  .context = t.context,
                                  .at = time_now_ms()};
        rc = c->state->ops->close_turn(c->state, r->user_id, conv, &out, err);
    }
    if (rc == TODO_OK) {
        *answer = json_pack("{sIsssO}", "conversation_id", (json_int_t)conv, "response",
                            t.response ? t.response : "", "tool_calls", t.tool_calls);
    }
    assistant_turn_release(&t);
    json_decref(history);
    return rc;
}

int app_chat_run(app_chat_t *c, const struct app_chat_request *r, json_t **answer,
                 struct todo_err *err)
{
    assert(c && r && r->message && answer);
    uint64_t started = time_mono_ns();
    bool llm = c->app->llm != NULL;
    int rc = chat_run(c, r, answer, err);
    count_turn(c, llm, rc, started);
    return rc;
}

int app_chat_turn(app_chat_t *c, const char *user_id, json_t *body, json_t **answer,
                  struct todo_err *err)
{
    struct app_chat_request r;
    int rc = app_chat_prepare(user_id, body, &r, err);
    if (rc)
        return rc;
    rc = app_chat_run(c, &r, answer, err);
    app_chat_request_release(&r);
    return rc;
}

/* --- history --- */

static int parse_limit(const char *l, int *limit, struct todo_err *err)
{
    *limit = CHAT_PAGE_DEFAULT;
    if (!l)
        return TODO_OK;
    char *end;
    errno = 0;
    long v = strtol(l, &end, 10);
    if (errno || end == l || *end || v < 1 || v > CHAT_PAGE_MAX)
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "limit must be 1..200");
    *limit = (int)v;
    return TODO_OK;
}

/* A decimal integer >= 0 at *s, up to stop (a char) or the end; advances *s. */
static bool parse_num(const char **s, char stop, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(*s, &end, 10);
    if (errno || end == *s || v < 0 || **s < '0' || **s > '9' || *end != stop)
        return false;
    *out = v;
    *s = *end ? end + 1 : end;
    return true;
}

static void put_time(struct buf *b, const char *name, int64_t ms)
{
    char ts[TIME_RFC3339_MAX];
    time_format_rfc3339(ms, ts);
    buf_printf(b, ",\"%s\":\"%s\"", name, ts);
}

int app_chat_conversations(app_chat_t *c, const char *user_id, query_param_fn get, void *ctx,
                           struct buf *out, struct todo_err *err)
{
    int limit;
    int64_t before_at = 0, before_id = 0;
    if (parse_limit(get(ctx, "limit"), &limit, err))
        return err->rc;
    const char *cur = get(ctx, "cursor");
    if (cur && (*cur++ != 'c' || !parse_num(&cur, '.', &before_at) ||
                !parse_num(&cur, '\0', &before_id) || before_id < 1))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "cursor is not one this server gave");
    struct chat_conversation *items = NULL;
    int n = 0;
    int rc = c->state->ops->conversations(c->state, user_id, before_at, before_id, limit, &items,
                                          &n, err);
    if (rc)
        return rc;
    buf_puts(out, "{\"items\":[");
    for (int i = 0; i < n && i < limit; i++) {
        buf_printf(out, "%s{\"id\":%lld,\"title\":", i ? "," : "", (long long)items[i].id);
        buf_json_str(out, items[i].title);
        put_time(out, "created_at", items[i].created_at);
        put_time(out, "updated_at", items[i].updated_at);
        buf_putc(out, '}');
    }
    if (n > limit)
        buf_printf(out, "],\"next_cursor\":\"c%lld.%lld\"}", (long long)items[limit - 1].updated_at,
                   (long long)items[limit - 1].id);
    else
        buf_puts(out, "],\"next_cursor\":null}");
    chat_conversations_free(items, n);
    return TODO_OK;
}

static void put_message(struct buf *b, const struct chat_message *m)
{
    buf_printf(b, "{\"id\":%lld,\"role\":\"%s\",\"content\":", (long long)m->id,
               chat_role_name(m->role));
    buf_json_str(b, m->content);
    buf_puts(b, ",\"tool_calls\":");
    buf_puts(b, m->tool_calls ? m->tool_calls : "[]"); /* stored JSON text of an array */
    put_time(b, "created_at", m->created_at);
    buf_putc(b, '}');
}

int app_chat_messages(app_chat_t *c, const char *user_id, int64_t conversation_id,
                      query_param_fn get, void *ctx, struct buf *out, struct todo_err *err)
{
    int limit;
    int64_t after = 0;
    if (parse_limit(get(ctx, "limit"), &limit, err))
        return err->rc;
    const char *cur = get(ctx, "cursor");
    if (cur && (*cur++ != 'm' || !parse_num(&cur, '\0', &after) || after < 1))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "cursor is not one this server gave");
    struct chat_message *items = NULL;
    int n = 0;
    int rc =
        c->state->ops->messages(c->state, user_id, conversation_id, after, limit, &items, &n, err);
    if (rc)
        return rc;
    buf_puts(out, "{\"items\":[");
    for (int i = 0; i < n && i < limit; i++) {
        if (i)
            buf_putc(out, ',');
        put_message(out, &items[i]);
    }
    if (n > limit)
        buf_printf(out, "],\"next_cursor\":\"m%lld\"}", (long long)items[limit - 1].id);
    else
        buf_puts(out, "],\"next_cursor\":null}");
    chat_messages_free(items, n);
    return TODO_OK;
}
