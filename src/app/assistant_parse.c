/* assistant_parse.c - POST /api/{user_id}/assistant/parse's use case: the built-in parser
 * (core/nlp.h) on one line, in the user's zone (docs/web.md, "Quick add"). */
#include "app/assistant_parse.h"

#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "core/nlp.h"
#include "core/user.h"
#include "store/store.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The body's mode: false for "chat" (the default), true for "quick_add"; -1 with the error
 * set for anything else. */
static int parse_body_mode(json_t *body, struct todo_err *err)
{
    json_t *m = json_object_get(body, "mode");
    if (!m || (json_is_string(m) && strcmp(json_string_value(m), "chat") == 0))
        return 0;
    if (json_is_string(m) && strcmp(json_string_value(m), "quick_add") == 0)
        return 1;
    todo_err_field(err, "mode", "must be \"chat\" or \"quick_add\"");
    return -1;
}

/* The body's text, or NULL with the error set. */
static const char *parse_body_text(json_t *body, size_t *len, struct todo_err *err)
{
    if (!json_is_object(body)) {
        todo_err_set(err, TODO_ERR_BAD_REQUEST, "the body must be a JSON object");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "text") != 0 && strcmp(key, "mode") != 0) {
            todo_err_field(err, key, "unknown field");
            return NULL;
        }
    }
    v = json_object_get(body, "text");
    if (!v) {
        todo_err_field(err, "text", "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        todo_err_field(err, "text", "must be a string");
        return NULL;
    }
    const char *s = json_string_value(v);
    *len = json_string_length(v);
    if (strlen(s) != *len || !utf8_valid(s, *len)) {
        todo_err_field(err, "text", "must be valid UTF-8 without NUL characters");
        return NULL;
    }
    size_t n_chars = utf8_length(s);
    if (n_chars == 0) {
        todo_err_field(err, "text", "must not be empty");
        return NULL;
    }
    if (n_chars > ASSISTANT_PARSE_TEXT_MAX) {
        todo_err_field(err, "text", "must be at most 1000 characters");
        return NULL;
    }
    return s;
}

static bool is_add(json_t *o)
{
    const char *intent = json_string_value(json_object_get(o, "intent"));
    return intent && strcmp(intent, "add") == 0;
}

/* Whether text starts with the word "add" (any case). */
static bool starts_with_add(const char *text, size_t len)
{
    return len >= 3 && strncasecmp(text, "add", 3) == 0 && (len == 3 || text[3] == ' ');
}

/* o (an update, a list...) as an add of the fields it read: what names another task or a
 * filter goes. */
static json_t *as_add(json_t *o)
{
    static const char *const not_for_add[] = {"target", "filter", "clear", "remove_tags"};
    json_object_set_new(o, "intent", json_string("add"));
    for (size_t i = 0; i < sizeof not_for_add / sizeof not_for_add[0]; i++)
        json_object_del(o, not_for_add[i]);
    return o;
}

/* text read as the line of a new task (docs/decisions/0042-one-parser-for-ui-and-assistant.md):
 * the parser's reading when it is an add; else the reading of "add <text>" when that is one;
 * else that reading (or, for a line that starts with "add", the first) as an add of the
 * fields it read ("#home !high": no title, tag home, priority high). */
static json_t *parse_quick_add(const char *text, size_t len, int64_t now_ms, const char *tz)
{
    json_t *o = nlp_parse_json(text, len, now_ms, tz);
    if (is_add(o) || starts_with_add(text, len))
        return as_add(o);
    static const char lead[] = "add ";
    char *line = xmalloc(sizeof lead - 1 + len);
    memcpy(line, lead, sizeof lead - 1);
    memcpy(line + sizeof lead - 1, text, len);
    json_t *o2 = nlp_parse_json(line, sizeof lead - 1 + len, now_ms, tz);
    free(line);
    json_decref(o);
    return as_add(o2);
}

int app_assistant_parse(struct app *a, const char *user_id, json_t *body, json_t **out,
                        struct todo_err *err)
{
    assert(a && user_id && out && err);
    *out = NULL;
    size_t len = 0;
    const char *text = parse_body_text(body, &len, err);
    if (!text)
        return err->rc;
    int quick = parse_body_mode(body, err);
    if (quick < 0)
        return err->rc;
    struct user u;
    user_init(&u);
    int rc = store_user_get_by_id(a->store, user_id, &u);
    if (rc == TODO_OK) {
        const char *tz = u.timezone[0] ? u.timezone : "UTC";
        int64_t now = time_now_ms();
        *out = quick ? parse_quick_add(text, len, now, tz) : nlp_parse_json(text, len, now, tz);
    }
    user_release(&u);
    return rc ? app_store_error(a, rc, err) : TODO_OK;
}
