/* assistant_parse.c - POST /api/{user_id}/assistant/parse's use case: the built-in parser
 * (core/nlp.h) on one line, in the user's zone (docs/web.md, "Quick add"). */
#include "app/assistant_parse.h"

#include "base/timeutil.h"
#include "base/utf8.h"
#include "core/nlp.h"
#include "core/user.h"
#include "store/store.h"

#include <assert.h>
#include <string.h>

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
        if (strcmp(key, "text") != 0) {
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

int app_assistant_parse(struct app *a, const char *user_id, json_t *body, json_t **out,
                        struct todo_err *err)
{
    assert(a && user_id && out && err);
    *out = NULL;
    size_t len = 0;
    const char *text = parse_body_text(body, &len, err);
    if (!text)
        return err->rc;
    struct user u;
    user_init(&u);
    int rc = store_user_get_by_id(a->store, user_id, &u);
    if (rc == TODO_OK)
        *out = nlp_parse_json(text, len, time_now_ms(), u.timezone[0] ? u.timezone : "UTC");
    user_release(&u);
    return rc ? app_store_error(a, rc, err) : TODO_OK;
}
