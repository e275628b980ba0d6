/* test_assistant_llm.c - LLM mode's turn (src/app/assistant_llm.c) over a real SQLite store
 * and a loopback HTTP server (libmicrohttpd) playing the model: the tool loop runs the
 * model's calls as the user, turns on several threads at once each get their own answer
 * (also run under ThreadSanitizer), and assistant_llm_stop ends a turn waiting on a model
 * that does not answer, with the built-in brain's answer and no further request. */
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/assistant_llm.h"
#include "app/tools.h"
#include "base/buf.h"

#include "../store/test_user.h"
#include "app_fixture.h"

/* ------------------------------------------------------------------- the model's server */

enum mode { ECHO, ADD_THEN_SAY, HANG };
static enum mode mode;
static atomic_int n_requests;
static pthread_mutex_t hang_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hang_cv = PTHREAD_COND_INITIALIZER;
static bool hang_released;

/* The last message of the request, and whether a tool message is in it. */
static void read_request(const char *body, char *last, size_t n, bool *saw_tool)
{
    json_t *req = json_loads(body, 0, NULL);
    json_t *messages = json_object_get(req, "messages");
    json_t *m = json_array_get(messages, json_array_size(messages) - 1);
    const char *content = json_string_value(json_object_get(m, "content"));
    snprintf(last, n, "%s", content ? content : "");
    const char *role = json_string_value(json_object_get(m, "role"));
    *saw_tool = role && strcmp(role, "tool") == 0;
    json_decref(req);
}

static char *reply_for(const char *body)
{
    char last[256];
    bool saw_tool;
    read_request(body, last, sizeof last, &saw_tool);
    json_t *msg;
    if (mode == ADD_THEN_SAY && !saw_tool)
        msg = json_pack("{s:s, s:n, s:[{s:s, s:s, s:{s:s, s:s}}]}", "role", "assistant", "content",
                        "tool_calls", "id", "c1", "type", "function", "function", "name",
                        "add_task", "arguments", "{\"title\":\"From the loop\"}");
    else
        msg = json_pack("{s:s, s:s+}", "role", "assistant", "content",
                        "echo: ", mode == ADD_THEN_SAY ? "added" : last);
    json_t *r = json_pack("{s:[{s:i, s:o}]}", "choices", "index", 0, "message", msg);
    char *text = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    return text;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_len, void **state)
{
    (void)cls, (void)url, (void)method, (void)version;
    struct buf *b = *state;
    if (!b) {
        *state = b = calloc(1, sizeof *b);
        return MHD_YES;
    }
    if (*upload_len) {
        buf_append(b, upload, *upload_len);
        *upload_len = 0;
        return MHD_YES;
    }
    atomic_fetch_add(&n_requests, 1);
    if (mode == HANG) { /* a model that never answers, until the test ends */
        pthread_mutex_lock(&hang_mu);
        while (!hang_released)
            pthread_cond_wait(&hang_cv, &hang_mu);
        pthread_mutex_unlock(&hang_mu);
    }
    char *text = reply_for(b->data ? b->data : "{}");
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    struct buf *b = *state;
    if (b) {
        buf_release(b);
        free(b);
    }
}

static struct MHD_Daemon *model;
static struct assistant_llm *llm;

static void setup(void)
{
    atomic_store(&n_requests, 0); /* the TSan runner keeps one process for every test */
    hang_released = false;
    app_fixture_open("llm");
    struct todo_err err;
    todo_err_clear(&err);
    test_user_add(store, "u1", NULL);
    model = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
                             NULL, NULL, on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done,
                             NULL, MHD_OPTION_END);
    cr_assert_not_null(model);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u/v1",
             MHD_get_daemon_info(model, MHD_DAEMON_INFO_BIND_PORT)->port);
    struct assistant_llm_config lc = {
        .base_url = base, .model = "m", .timeout_ms = 60000, .max_steps = 4, .retries = 2};
    cr_assert_eq(assistant_llm_create(&lc, &llm, &err), 0, "%s", err.message);
}

static void teardown(void)
{
    pthread_mutex_lock(&hang_mu);
    hang_released = true;
    pthread_cond_broadcast(&hang_cv);
    pthread_mutex_unlock(&hang_mu);
    MHD_stop_daemon(model);
    assistant_llm_destroy(llm);
    app_fixture_close();
}

TestSuite(assistant_llm, .init = setup, .fini = teardown);

struct run {
    pthread_t thread;
    char message[64];
    struct assistant_turn turn;
    int rc;
};

static void *run_turn(void *arg)
{
    struct run *r = arg;
    r->turn = (struct assistant_turn){.app = &app,
                                      .user_id = "u1",
                                      .tz = "UTC",
                                      .now_ms = 1796551200000LL,
                                      .message = r->message};
    struct todo_err err = {0};
    r->rc = assistant_llm_turn(llm, &r->turn, &err);
    return NULL;
}

Test(assistant_llm, the_model_s_tool_call_runs_as_the_user_and_its_text_is_the_answer)
{
    mode = ADD_THEN_SAY;
    struct run r = {.message = "add from the loop"};
    run_turn(&r);
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.turn.response, "echo: added");
    cr_assert_eq(json_array_size(r.turn.tool_calls), 1);
    json_t *call = json_array_get(r.turn.tool_calls, 0);
    cr_assert_str_eq(json_string_value(json_object_get(call, "tool")), "add_task");
    json_t *result = json_object_get(call, "result");
    cr_assert_str_eq(json_string_value(json_object_get(result, "status")), "created");
    cr_assert_eq(atomic_load(&n_requests), 2);
    json_t *listed = NULL;
    struct todo_err err = {0};
    json_t *args = json_object();
    cr_assert_eq(app_tool_call(&app, "u1", "list_tasks", args, &listed, &err), 0, "%s",
                 err.message);
    json_t *tasks = json_object_get(listed, "tasks");
    cr_assert_eq(json_array_size(tasks), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(tasks, 0), "title")),
                     "From the loop");
    json_decref(args);
    json_decref(listed);
    assistant_turn_release(&r.turn);
}

Test(assistant_llm, turns_on_several_threads_each_get_their_own_answer)
{
    mode = ECHO;
    enum { N = 4 };
    struct run runs[N];
    for (int i = 0; i < N; i++) {
        memset(&runs[i], 0, sizeof runs[i]);
        snprintf(runs[i].message, sizeof runs[i].message, "message %d", i);
        cr_assert_eq(pthread_create(&runs[i].thread, NULL, run_turn, &runs[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(runs[i].thread, NULL);
        char want[80];
        snprintf(want, sizeof want, "echo: message %d", i);
        cr_assert_eq(runs[i].rc, 0);
        cr_assert_str_eq(runs[i].turn.response, want);
        cr_assert_eq(json_array_size(runs[i].turn.tool_calls), 0);
        assistant_turn_release(&runs[i].turn);
    }
    cr_assert_eq(atomic_load(&n_requests), N);
}

Test(assistant_llm, stop_ends_a_turn_waiting_on_the_model_with_the_built_in_answer)
{
    mode = HANG;
    struct run r = {.message = "what can you do?"};
    cr_assert_eq(pthread_create(&r.thread, NULL, run_turn, &r), 0);
    for (int i = 0; i < 10000 && atomic_load(&n_requests) == 0; i++) { /* poll: 10 s at most */
        struct timespec pause = {0, 1000000L};
        nanosleep(&pause, NULL);
    }
    cr_assert_eq(atomic_load(&n_requests), 1, "the model was called");
    assistant_llm_stop(llm);
    pthread_join(r.thread, NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert_not_null(r.turn.response);
    cr_assert_str_neq(r.turn.response, "echo: what can you do?");
    cr_assert_eq(atomic_load(&n_requests), 1, "no retry after the stop");
    assistant_turn_release(&r.turn);

    struct run later = {.message = "and now?"}; /* a turn after the stop asks no model */
    run_turn(&later);
    cr_assert_eq(later.rc, 0);
    cr_assert_not_null(later.turn.response);
    cr_assert_eq(atomic_load(&n_requests), 1);
    assistant_turn_release(&later.turn);
}
