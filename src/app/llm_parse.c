/* llm_parse.c - reads a model's chat-completion replies, whole or streamed
 * (docs/assistant-llm.md, "The protocol").
 *
 * The one idea: a streamed reply is the whole reply cut into deltas. The SSE reader splits
 * bytes into lines (LF, CRLF or CR, even when a CRLF is split between two feeds), gathers
 * `data:` lines into events at each blank line, and each event's JSON chunk adds its
 * `delta.content` to the text and its `delta.tool_calls[i]` pieces to call number
 * `index`. At the end both paths hand back the same struct llm_reply. Everything is bounded
 * (llm_parse.h), so a hostile or broken server costs at most LLM_REPLY_MAX bytes. */
#include "app/llm_parse.h"

#include "base/buf.h"
#include "base/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void llm_reply_release(struct llm_reply *r)
{
    if (!r)
        return;
    free(r->content);
    json_decref(r->tool_calls);
    memset(r, 0, sizeof *r);
}

/* An "error" member (OpenAI's {error: {message}}) becomes err; returns its rc or 0. */
static int error_member(json_t *root, struct todo_err *err)
{
    json_t *e = json_object_get(root, "error");
    if (!e || json_is_null(e))
        return 0;
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (!msg)
        msg = json_string_value(e);
    /* the server's words, cut short: they never carry our key (it is not echoed back) */
    return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the model answered an error: %.120s",
                        msg ? msg : "(no message)");
}

/* {id, name, arguments} from an OpenAI tool call; NULL with err set when over the bounds. */
static json_t *tool_call_read(json_t *call, struct todo_err *err)
{
    json_t *fn = json_object_get(call, "function");
    const char *id = json_string_value(json_object_get(call, "id"));
    const char *name = json_string_value(json_object_get(fn, "name"));
    json_t *args = json_object_get(fn, "arguments");
    char *args_text = NULL;
    if (json_is_string(args))
        args_text = xstrdup(json_string_value(args));
    else if (json_is_object(args)) /* some servers send the object itself */
        args_text = json_dumps(args, JSON_COMPACT);
    else
        args_text = xstrdup("");
    if (!args_text)
        abort(); /* json_dumps fails only when out of memory */
    if (strlen(args_text) > LLM_ARGS_MAX) {
        free(args_text);
        todo_err_set(err, TODO_ERR_TOO_LARGE, "a tool call's arguments are over %d bytes",
                     LLM_ARGS_MAX);
        return NULL;
    }
    /* json_pack "s" copies; "s" of args_text copies too, freed below */
    json_t *out = json_pack("{s:s, s:s, s:s}", "id", id ? id : "", "name", name ? name : "",
                            "arguments", args_text);
    free(args_text);
    return out;
}

static int message_read(json_t *msg, struct llm_reply *r, struct todo_err *err)
{
    json_t *content = json_object_get(msg, "content");
    if (json_is_string(content))
        r->content = xstrdup(json_string_value(content));
    else if (content && !json_is_null(content))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the reply's content is not text");
    r->tool_calls = json_array();
    json_t *calls = json_object_get(msg, "tool_calls");
    if (calls && !json_is_null(calls) && !json_is_array(calls))
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the reply's tool_calls is not a list");
    if (json_array_size(calls) > LLM_TOOL_CALLS_MAX)
        return todo_err_set(err, TODO_ERR_TOO_LARGE, "over %d tool calls in one reply",
                            LLM_TOOL_CALLS_MAX);
    size_t i;
    json_t *call;
    json_array_foreach(calls, i, call)
    {
        if (!json_is_object(call))
            return todo_err_set(err, TODO_ERR_BAD_REQUEST, "a tool call is not an object");
        json_t *c = tool_call_read(call, err);
        if (!c)
            return err->rc;
        json_array_append_new(r->tool_calls, c); /* steals c */
    }
    return TODO_OK;
}

int llm_reply_parse(const char *body, size_t len, struct llm_reply *out, struct todo_err *err)
{
    assert(body || len == 0);
    assert(out && err);
    if (len > LLM_REPLY_MAX)
        return todo_err_set(err, TODO_ERR_TOO_LARGE, "the reply is over %d bytes", LLM_REPLY_MAX);
    json_error_t jerr;
    json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return todo_err_set(err, TODO_ERR_BAD_REQUEST, "the reply is not a JSON object");
    }
    struct llm_reply r = {0};
    int rc = error_member(root, err);
    if (rc)
        goto out;
    json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
    json_t *msg = json_object_get(choice, "message");
    if (!json_is_object(msg)) {
        rc = todo_err_set(err, TODO_ERR_BAD_REQUEST, "the reply has no choices[0].message");
        goto out;
    }
    if ((rc = message_read(msg, &r, err)))
        goto out;
    const char *fin = json_string_value(json_object_get(choice, "finish_reason"));
    snprintf(r.finish_reason, sizeof r.finish_reason, "%s", fin ? fin : "");
    *out = r;
    r = (struct llm_reply){0};
out:
    llm_reply_release(&r);
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------------- streaming */

struct sse_call {
    struct buf id, name, args;
    bool used;
};

struct llm_sse {
    struct buf line; /* the line being read */
    struct buf data; /* the event's data lines, joined by '\n' */
    bool has_data;   /* a data line was read since the last dispatch */
    bool last_cr;    /* the previous byte was CR: a LF right after it ends nothing */
    size_t total;    /* bytes fed */
    struct buf content;
    bool has_content;
    struct sse_call calls[LLM_TOOL_CALLS_MAX];
    char finish_reason[32];
    int n_chunks;
    bool done;
    struct todo_err failed; /* sticky: rc != 0 once the stream failed */
};

struct llm_sse *llm_sse_create(void)
{
    return xcalloc(1, sizeof(struct llm_sse));
}

void llm_sse_destroy(struct llm_sse *s)
{
    if (!s)
        return;
    buf_release(&s->line);
    buf_release(&s->data);
    buf_release(&s->content);
    for (int i = 0; i < LLM_TOOL_CALLS_MAX; i++) {
        buf_release(&s->calls[i].id);
        buf_release(&s->calls[i].name);
        buf_release(&s->calls[i].args);
    }
    free(s);
}

bool llm_sse_done(const struct llm_sse *s)
{
    return s->done;
}

static int sse_fail(struct llm_sse *s, int rc, const char *what)
{
    if (!s->failed.rc)
        todo_err_set(&s->failed, rc, "the streamed reply: %s", what);
    return s->failed.rc;
}

/* One delta.tool_calls[i] piece added to its call. */
static int sse_call_delta(struct llm_sse *s, json_t *piece, size_t position)
{
    json_t *index = json_object_get(piece, "index");
    json_int_t at = json_is_integer(index) ? json_integer_value(index) : (json_int_t)position;
    if (at < 0 || at >= LLM_TOOL_CALLS_MAX)
        return sse_fail(s, TODO_ERR_TOO_LARGE, "a tool call index out of range");
    struct sse_call *c = &s->calls[at];
    c->used = true;
    const char *id = json_string_value(json_object_get(piece, "id"));
    if (id && *id) {
        buf_reset(&c->id);
        buf_puts(&c->id, id);
    }
    json_t *fn = json_object_get(piece, "function");
    const char *name = json_string_value(json_object_get(fn, "name"));
    /* the name comes once; a server repeating it whole in later chunks adds nothing */
    if (name && *name && !(c->name.len && strcmp(c->name.data, name) == 0))
        buf_puts(&c->name, name);
    const char *args = json_string_value(json_object_get(fn, "arguments"));
    if (args)
        buf_puts(&c->args, args);
    if (c->args.len > LLM_ARGS_MAX || c->name.len > 256 || c->id.len > 256)
        return sse_fail(s, TODO_ERR_TOO_LARGE, "a tool call is over its bounds");
    return TODO_OK;
}

static int sse_chunk(struct llm_sse *s, json_t *chunk)
{
    struct todo_err e = {0};
    if (error_member(chunk, &e))
        return sse_fail(s, TODO_ERR_BAD_REQUEST, e.message);
    json_t *choice = json_array_get(json_object_get(chunk, "choices"), 0);
    if (!choice) /* a usage-only chunk (stream_options) */
        return TODO_OK;
    json_t *delta = json_object_get(choice, "delta");
    json_t *content = json_object_get(delta, "content");
    if (json_is_string(content)) {
        buf_puts(&s->content, json_string_value(content));
        s->has_content = true;
    }
    json_t *calls = json_object_get(delta, "tool_calls");
    if (calls && !json_is_null(calls) && !json_is_array(calls))
        return sse_fail(s, TODO_ERR_BAD_REQUEST, "delta.tool_calls is not a list");
    size_t i;
    json_t *piece;
    json_array_foreach(calls, i, piece)
    {
        if (!json_is_object(piece))
            return sse_fail(s, TODO_ERR_BAD_REQUEST, "a tool call delta is not an object");
        if (sse_call_delta(s, piece, i))
            return s->failed.rc;
    }
    const char *fin = json_string_value(json_object_get(choice, "finish_reason"));
    if (fin)
        snprintf(s->finish_reason, sizeof s->finish_reason, "%s", fin);
    return TODO_OK;
}

/* The event gathered so far (its data lines) is complete. */
static int sse_dispatch(struct llm_sse *s)
{
    if (!s->has_data)
        return TODO_OK;
    s->has_data = false;
    int rc = TODO_OK;
    if (s->done) /* nothing counts after [DONE] */
        goto out;
    if (strcmp(s->data.data, "[DONE]") == 0) {
        s->done = true;
        goto out;
    }
    json_error_t jerr;
    json_t *chunk = json_loadb(s->data.data, s->data.len, 0, &jerr);
    if (!json_is_object(chunk))
        rc = sse_fail(s, TODO_ERR_BAD_REQUEST, "a chunk is not a JSON object");
    else if (!(rc = sse_chunk(s, chunk)))
        s->n_chunks++;
    json_decref(chunk);
out:
    buf_reset(&s->data);
    return rc;
}

/* One line, without its terminator (SSE: field ":" optional-space value). */
static int sse_line(struct llm_sse *s)
{
    const char *line = s->line.data ? s->line.data : "";
    size_t len = s->line.len;
    if (len == 0)
        return sse_dispatch(s);
    if (line[0] == ':') /* a comment, e.g. a keep-alive */
        return TODO_OK;
    if (len >= 5 && memcmp(line, "data:", 5) == 0) {
        const char *v = line + 5;
        if (*v == ' ')
            v++;
        if (s->has_data)
            buf_putc(&s->data, '\n');
        buf_append(&s->data, v, len - (size_t)(v - line)); /* allocates even for 0 bytes */
        s->has_data = true;
    }
    return TODO_OK; /* event:, id:, retry: and unknown fields change nothing here */
}

int llm_sse_feed(struct llm_sse *s, const char *data, size_t len, struct todo_err *err)
{
    assert(s && err && (data || len == 0));
    if (!s->failed.rc && len > LLM_REPLY_MAX - s->total)
        sse_fail(s, TODO_ERR_TOO_LARGE, "over the reply size bound");
    if (s->failed.rc)
        goto failed;
    s->total += len;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        bool was_cr = s->last_cr;
        s->last_cr = c == '\r';
        if (c == '\n' && was_cr)
            continue; /* the LF of a CRLF */
        if (c != '\n' && c != '\r') {
            buf_putc(&s->line, c);
            continue;
        }
        if (sse_line(s))
            goto failed;
        buf_reset(&s->line);
    }
    return TODO_OK;
failed:
    *err = s->failed;
    return s->failed.rc;
}

static json_t *sse_calls(struct llm_sse *s)
{
    json_t *calls = json_array();
    for (int i = 0; i < LLM_TOOL_CALLS_MAX; i++) {
        struct sse_call *c = &s->calls[i];
        if (!c->used)
            continue;
        /* json_pack "s" copies each string */
        json_array_append_new(calls,
                              json_pack("{s:s, s:s, s:s}", "id", c->id.data ? c->id.data : "",
                                        "name", c->name.data ? c->name.data : "", "arguments",
                                        c->args.data ? c->args.data : ""));
    }
    return calls;
}

int llm_sse_finish(struct llm_sse *s, struct llm_reply *out, struct todo_err *err)
{
    assert(s && out && err);
    if (!s->failed.rc && s->line.len) /* a last line without its terminator */
        sse_line(s);
    buf_reset(&s->line);
    if (!s->failed.rc)
        sse_dispatch(s);
    if (!s->failed.rc && s->n_chunks == 0)
        sse_fail(s, TODO_ERR_BAD_REQUEST, "no chunk in the stream");
    if (s->failed.rc) {
        *err = s->failed;
        return s->failed.rc;
    }
    struct llm_reply r = {0};
    r.content = s->has_content ? xstrdup(s->content.data ? s->content.data : "") : NULL;
    r.tool_calls = sse_calls(s);
    snprintf(r.finish_reason, sizeof r.finish_reason, "%s", s->finish_reason);
    *out = r;
    return TODO_OK;
}
