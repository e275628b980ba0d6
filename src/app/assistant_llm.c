/* assistant_llm.c - LLM mode: a chat turn through any OpenAI-compatible /chat/completions
 * with tool calling (docs/assistant-llm.md; docs/decisions/0041-llm-mode.md).
 *
 * The one idea: the model only asks; this file does. Each step sends the whole
 * conversation (llm_prompt.c) and reads one reply (llm_http.c). A reply with tool calls has
 * each call run in order through app_tool_call as the turn's user, and its result (or an
 * error object the model can correct itself from) appended as a `tool` message; a reply
 * with no tool calls is the answer. At most max_steps model calls. When the model cannot
 * be used and nothing has run yet, the built-in brain answers the turn; once a tool has
 * run, the answer instead says what was done, so nothing is done twice. */
#include "app/assistant.h"
#include "app/assistant_llm.h"
#include "app/llm_internal.h"
#include "app/tools.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LLM_DEFAULT_TIMEOUT_MS 60000
#define LLM_DEFAULT_MAX_STEPS  8

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool http_url(const char *url)
{
    return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

int assistant_llm_create(const struct assistant_llm_config *cfg, struct assistant_llm **out,
                         struct todo_err *err)
{
    assert(cfg && out && err);
    if (!cfg->base_url || !http_url(cfg->base_url))
        return todo_err_set(err, TODO_ERR_VALIDATION,
                            "the model's base URL must be http:// or https:// (TODO_LLM_BASE_URL)");
    if (!cfg->model || !*cfg->model)
        return todo_err_set(err, TODO_ERR_VALIDATION, "the model needs a name (TODO_LLM_MODEL)");
    pthread_once(&curl_once, curl_init);
    struct assistant_llm *llm = xcalloc(1, sizeof *llm);
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/')
        n--;
    static const char endpoint[] = "/chat/completions"; /* given whole by mistake: taken off */
    size_t e = sizeof endpoint - 1;
    if (n > e && memcmp(cfg->base_url + n - e, endpoint, e) == 0)
        n -= e;
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "%.*s/chat/completions", (int)n, cfg->base_url);
    llm->endpoint = buf_take(&b);
    llm->model = xstrdup(cfg->model);
    if (cfg->api_key && *cfg->api_key) {
        buf_printf(&b, "Authorization: Bearer %s", cfg->api_key);
        llm->auth_header = buf_take(&b);
    }
    llm->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : LLM_DEFAULT_TIMEOUT_MS;
    llm->max_steps = cfg->max_steps > 0 ? cfg->max_steps : LLM_DEFAULT_MAX_STEPS;
    llm->retries = cfg->retries > 0 ? cfg->retries : 0;
    llm->tools = llm_tools_build();
    atomic_init(&llm->stopping, false);
    pthread_mutex_init(&llm->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&llm->cv, &attr);
    pthread_condattr_destroy(&attr);
    *out = llm;
    return TODO_OK;
}

void assistant_llm_set_stream(struct assistant_llm *llm, bool stream)
{
    assert(llm);
    llm->stream = stream;
}

void assistant_llm_stop(struct assistant_llm *llm)
{
    assert(llm);
    pthread_mutex_lock(&llm->mu);
    atomic_store(&llm->stopping, true);
    pthread_cond_broadcast(&llm->cv);
    pthread_mutex_unlock(&llm->mu);
}

void assistant_llm_destroy(struct assistant_llm *llm)
{
    if (!llm)
        return;
    pthread_cond_destroy(&llm->cv);
    pthread_mutex_destroy(&llm->mu);
    if (llm->auth_header)
        sodium_memzero(llm->auth_header, strlen(llm->auth_header));
    free(llm->auth_header);
    free(llm->endpoint);
    free(llm->model);
    json_decref(llm->tools);
    free(llm);
}

/* ------------------------------------------------------------------------ tool calls */

/* {"error": {code, message}}; a message cut inside a UTF-8 sequence (error reports are
 * fixed-size) loses the broken tail rather than the whole result. */
static json_t *error_result(const char *code, const char *message)
{
    size_t len = strlen(message);
    while (len > 0 && !utf8_valid(message, len))
        len--;
    /* "o" steals the new string */
    return json_pack("{s:{s:s, s:o}}", "error", "code", code, "message",
                     json_stringn(message, len));
}

/* Runs one call the model asked for and returns its result (new reference). *args gets
 * the parsed arguments when the call reached its tool (it is then recorded in the turn's
 * tool_calls), NULL when it was refused before (bad arguments, no id, unknown tool: only
 * the model hears of it, through the error it gets back). */
static json_t *run_call(struct assistant_turn *t, json_t *call, json_t **args)
{
    const char *id = json_string_value(json_object_get(call, "id"));
    const char *name = json_string_value(json_object_get(call, "name"));
    const char *raw = json_string_value(json_object_get(call, "arguments"));
    *args = NULL;
    json_error_t jerr;
    json_t *parsed = *raw ? json_loads(raw, 0, &jerr) : json_object(); /* "" = no arguments */
    if (!json_is_object(parsed)) {
        json_decref(parsed);
        return error_result("invalid_arguments",
                            "the arguments are not a JSON object; send them again as one");
    }
    json_t *result = NULL;
    if (!*id) {
        result = error_result("invalid_tool_call", "the tool call has no id; call it again");
    } else if (!app_tool_find(name)) {
        char msg[200];
        snprintf(msg, sizeof msg, "there is no tool named \"%.60s\"", name);
        result = error_result("unknown_tool", msg);
    }
    if (result) {
        json_decref(parsed);
        return result;
    }
    struct todo_err e = {0};
    int rc = app_tool_call(t->app, t->user_id, name, parsed, &result, &e);
    *args = parsed;
    if (rc)
        return error_result(todo_rc_name(rc), e.message);
    return result;
}

/* The reply's assistant message, as the model wrote it (ids it left out made up so the
 * tool messages can answer them). */
static json_t *assistant_message(const struct llm_reply *r, int step)
{
    json_t *calls = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(r->tool_calls, i, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        char made[48];
        if (!*id) {
            snprintf(made, sizeof made, "call_s%d_%zu", step, i);
            id = made;
        }
        json_array_append_new(calls,
                              json_pack("{s:s, s:s, s:{s:O, s:O}}", "id", id, "type", "function",
                                        "function", "name", json_object_get(c, "name"), "arguments",
                                        json_object_get(c, "arguments")));
    }
    /* "o" steals calls and the content */
    return json_pack("{s:s, s:o, s:o}", "role", "assistant", "content",
                     r->content ? json_string(r->content) : json_null(), "tool_calls", calls);
}

/* Runs the reply's calls in order: each one's tool message goes into messages and its
 * record into done. */
static void run_calls(struct assistant_turn *t, const struct llm_reply *r, int step,
                      json_t *messages, json_t *done)
{
    json_t *asked = assistant_message(r, step);
    json_array_append(messages, asked);
    json_t *ids = json_object_get(asked, "tool_calls");
    size_t i;
    json_t *c;
    json_array_foreach(r->tool_calls, i, c)
    {
        json_t *args = NULL;
        json_t *result = run_call(t, c, &args);
        char *text = json_dumps(result, JSON_COMPACT);
        const char *id = json_string_value(json_object_get(json_array_get(ids, i), "id"));
        json_array_append_new(messages, json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id",
                                                  id, "content", text));
        free(text);
        /* "o" steals args and result */
        json_array_append_new(done, json_pack("{s:s, s:o, s:o}", "tool",
                                              json_string_value(json_object_get(c, "name")),
                                              "arguments", args, "result", result));
    }
    json_decref(asked);
}

/* ---------------------------------------------------------------------------- answers */

/* One done call in words: Added "Pay rent", or what failed. */
static void say_call(struct buf *b, json_t *call)
{
    const char *tool = json_string_value(json_object_get(call, "tool"));
    json_t *result = json_object_get(call, "result");
    json_t *error = json_object_get(result, "error");
    if (error) {
        const char *msg = json_string_value(json_object_get(error, "message"));
        buf_printf(b, "%s failed (%s)", tool ? tool : "a tool", msg ? msg : "error");
        return;
    }
    static const struct {
        const char *status, *verb;
    } verbs[] = {{"created", "added"},
                 {"updated", "updated"},
                 {"completed", "completed"},
                 {"pending", "reopened"},
                 {"deleted", "deleted"}};
    const char *status = json_string_value(json_object_get(result, "status"));
    const char *title = json_string_value(json_object_get(result, "title"));
    for (size_t i = 0; status && i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strcmp(status, verbs[i].status) == 0) {
            buf_printf(b, "%s \"%s\"", verbs[i].verb, title ? title : "");
            return;
        }
    }
    if (json_is_array(json_object_get(result, "tasks")))
        buf_printf(b, "listed %zu tasks", json_array_size(json_object_get(result, "tasks")));
    else if (json_is_array(json_object_get(result, "tags")))
        buf_printf(b, "listed %zu tags", json_array_size(json_object_get(result, "tags")));
    else
        buf_printf(b, "ran %s", tool ? tool : "a tool");
}

/* The answer when the model gave none: why (may be NULL), then what was done. */
static char *summary(const char *why, json_t *done)
{
    struct buf b;
    buf_init(&b);
    if (why)
        buf_printf(&b, "%s ", why);
    if (json_array_size(done) == 0) {
        buf_puts(&b, "Nothing was changed.");
        return buf_take(&b);
    }
    buf_puts(&b, "Done: ");
    size_t i;
    json_t *c;
    json_array_foreach(done, i, c)
    {
        if (i)
            buf_puts(&b, "; ");
        say_call(&b, c);
    }
    buf_putc(&b, '.');
    return buf_take(&b);
}

/* The tool loop. Returns the answer (caller frees), or NULL when the model failed before
 * any tool ran, or reached the step limit with none run (err says why). *by says who wrote
 * the answer. */
static char *tool_loop(struct assistant_llm *llm, struct assistant_turn *t, json_t *messages,
                       json_t *done, enum llm_turn_outcome *by, struct todo_err *err)
{
    *by = LLM_TURN_SUMMARY;
    for (int step = 1; step <= llm->max_steps; step++) {
        struct llm_reply r = {0};
        if (llm_http_complete(llm, messages, &r, err)) {
            if (json_array_size(done) == 0)
                return NULL;
            return summary("The assistant's model stopped answering, so I stopped here.", done);
        }
        if (json_array_size(r.tool_calls) == 0) {
            bool said = r.content && *r.content;
            char *answer = said ? xstrdup(r.content) : summary(NULL, done);
            *by = said ? LLM_TURN_MODEL : LLM_TURN_SUMMARY;
            llm_reply_release(&r);
            return answer;
        }
        run_calls(t, &r, step, messages, done);
        llm_reply_release(&r);
    }
    if (json_array_size(done) == 0) { /* only calls that could not run: the parser's turn */
        todo_err_set(err, TODO_ERR_BAD_REQUEST, "no usable tool call in %d steps", llm->max_steps);
        return NULL;
    }
    char why[96];
    snprintf(why, sizeof why, "I stopped after %d steps (the limit for one message).",
             llm->max_steps);
    return summary(why, done);
}

int assistant_llm_turn(struct assistant_llm *llm, struct assistant_turn *t, struct todo_err *err)
{
    assert(llm && t && err);
    assert(t->app && t->user_id && t->message);
    json_t *messages = llm_messages_build(t);
    json_t *done = json_array();
    struct todo_err why = {0};
    enum llm_turn_outcome by;
    char *answer = tool_loop(llm, t, messages, done, &by, &why);
    json_decref(messages);
    atomic_fetch_add(&llm->turns[answer ? by : LLM_TURN_BUILTIN], 1);
    if (!answer) {
        json_decref(done);
        log_msg(LOG_WARN, "the model could not answer (%s); the built-in assistant answers",
                why.message);
        return assistant_builtin_turn(t, err);
    }
    t->response = answer;
    t->tool_calls = done;
    t->context = NULL;
    return TODO_OK;
}

void assistant_llm_metrics(const struct assistant_llm *llm, struct buf *out)
{
    if (!llm)
        return;
    static const char *const calls[] = {"ok", "retry", "give_up"};
    static const char *const turns[] = {"model", "builtin", "summary"};
    buf_puts(out, "# HELP todo_llm_calls_total Model calls of LLM mode, by what they came to.\n"
                  "# TYPE todo_llm_calls_total counter\n");
    for (int i = 0; i < LLM_CALL_OUTCOMES; i++)
        buf_printf(out, "todo_llm_calls_total{outcome=\"%s\"} %llu\n", calls[i],
                   (unsigned long long)atomic_load(&llm->calls[i]));
    buf_puts(out, "# HELP todo_llm_turns_total Chat turns in LLM mode, by who answered.\n"
                  "# TYPE todo_llm_turns_total counter\n");
    for (int i = 0; i < LLM_TURN_OUTCOMES; i++)
        buf_printf(out, "todo_llm_turns_total{answered_by=\"%s\"} %llu\n", turns[i],
                   (unsigned long long)atomic_load(&llm->turns[i]));
}
