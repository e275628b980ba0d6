/* Unit tests for the router: path splitting, parameters, 404 and 405 with Allow. The
 * server's static functions are reached by including the .c (as h2o does). */
#include <criterion/criterion.h>

#include <signal.h>

#include "../../../src/http/server.c"

static void noop(struct http_request *r, void *ctx)
{
    (void)r;
    (void)ctx;
}

static http_server_t *make_server(void)
{
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 1, .max_body = 64};
    struct todo_err err;
    todo_err_clear(&err);
    http_server_t *s = NULL;
    cr_assert_eq(http_server_create(&cfg, &s, &err), 0);
    http_route_add(s, "GET", "/api/{user_id}/tasks", noop, NULL);
    http_route_add(s, "POST", "/api/{user_id}/tasks", noop, NULL);
    http_route_add(s, "GET", "/api/{user_id}/tasks/{id}", noop, NULL);
    http_route_add(s, "PATCH", "/api/{user_id}/tasks/{id}/complete", noop, NULL);
    http_route_add(s, "GET", "/healthz", noop, NULL);
    return s;
}

static struct http_request *make_request(http_server_t *s, const char *method, const char *path)
{
    struct http_request *r = calloc(1, sizeof *r);
    r->server = s;
    arena_init(&r->arena);
    r->method = method;
    r->path = arena_strndup(&r->arena, path, strlen(path));
    r->route_idx = METRICS_MAX_ROUTES - 1;
    snprintf(r->request_id, sizeof r->request_id, "test");
    return r;
}

static void free_request(struct http_request *r)
{
    free(r->resp_body);
    arena_release(&r->arena);
    free(r);
}

Test(router, captures_path_parameters)
{
    http_server_t *s = make_server();
    struct http_request *r = make_request(s, "GET", "/api/u1/tasks/42");
    const struct route *rt = route_find(s, r);
    cr_assert_not_null(rt);
    cr_assert_str_eq(rt->pattern, "/api/{user_id}/tasks/{id}");
    cr_assert_str_eq(http_req_param(r, "user_id"), "u1");
    cr_assert_str_eq(http_req_param(r, "id"), "42");
    cr_assert_null(http_req_param(r, "other"));
    free_request(r);
    http_server_destroy(s);
}

Test(router, wrong_method_is_405_with_allow)
{
    http_server_t *s = make_server();
    struct http_request *r = make_request(s, "DELETE", "/api/u1/tasks");
    cr_assert_null(route_find(s, r));
    cr_assert_eq(r->status, 405);
    cr_assert_str_eq(r->header_names[0], "Allow");
    cr_assert_str_eq(r->header_values[0], "GET, HEAD, POST");
    free_request(r);
    http_server_destroy(s);
}

Test(router, literal_segment_registered_first_wins_and_allow_lists_each_method_once)
{
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 1, .max_body = 64};
    struct todo_err err;
    todo_err_clear(&err);
    http_server_t *s = NULL;
    cr_assert_eq(http_server_create(&cfg, &s, &err), 0);
    http_route_add(s, "GET", "/api/{user_id}/tasks/count", noop, NULL);
    http_route_add(s, "GET", "/api/{user_id}/tasks/{id}", noop, NULL);
    http_route_add(s, "PATCH", "/api/{user_id}/tasks/{id}", noop, NULL);

    struct http_request *r = make_request(s, "GET", "/api/u1/tasks/count");
    const struct route *rt = route_find(s, r);
    cr_assert_not_null(rt);
    cr_assert_str_eq(rt->pattern, "/api/{user_id}/tasks/count");
    cr_assert_null(http_req_param(r, "id"));
    free_request(r);

    r = make_request(s, "GET", "/api/u1/tasks/7");
    rt = route_find(s, r);
    cr_assert_not_null(rt);
    cr_assert_str_eq(rt->pattern, "/api/{user_id}/tasks/{id}");
    free_request(r);

    /* Both GET patterns match tasks/count: GET (and HEAD) are listed once. */
    r = make_request(s, "POST", "/api/u1/tasks/count");
    cr_assert_null(route_find(s, r));
    cr_assert_eq(r->status, 405);
    cr_assert_str_eq(r->header_names[0], "Allow");
    cr_assert_str_eq(r->header_values[0], "GET, HEAD, PATCH");
    free_request(r);
    http_server_destroy(s);
}

Test(router, unknown_path_and_trailing_slash_are_404)
{
    http_server_t *s = make_server();
    const char *paths[] = {"/nope", "/api/u1/tasks/", "/api//tasks", "/api/u1/tasks/1/complete/x",
                           "/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct http_request *r = make_request(s, "GET", paths[i]);
        cr_assert_null(route_find(s, r), "%s matched", paths[i]);
        cr_assert_eq(r->status, 404, "%s gave %d", paths[i], r->status);
        free_request(r);
    }
    http_server_destroy(s);
}

Test(router, head_is_served_by_get_routes)
{
    http_server_t *s = make_server();
    struct http_request *r = make_request(s, "HEAD", "/healthz");
    cr_assert_not_null(route_find(s, r));
    free_request(r);
    http_server_destroy(s);
}

Test(router, error_body_has_the_contract_shape)
{
    http_server_t *s = make_server();
    struct http_request *r = make_request(s, "GET", "/x");
    struct todo_err err;
    todo_err_clear(&err);
    todo_err_field(&err, "title", "title is \"bad\"");
    http_respond_error(r, &err);
    cr_assert_eq(r->status, 422);
    json_t *j = json_loads(r->resp_body, 0, NULL);
    cr_assert_not_null(j);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                     "validation_failed");
    json_t *d = json_array_get(json_object_get(json_object_get(j, "error"), "details"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(d, "field")), "title");
    cr_assert_str_eq(json_string_value(json_object_get(d, "message")), "title is \"bad\"");
    json_decref(j);
    free_request(r);
    http_server_destroy(s);
}

Test(router, a_path_of_max_segments_with_a_trailing_slash_is_404_without_overflow)
{
    /* MAX_SEGMENTS segments and a trailing slash: the empty segment after it must not be
     * stored past the array (ASan reported a stack-buffer-overflow in split_path). */
    http_server_t *s = make_server();
    struct http_request *r = make_request(s, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/");
    cr_assert_null(route_find(s, r));
    cr_assert_eq(r->status, 404);
    free_request(r);
    r = make_request(s, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z//////");
    cr_assert_null(route_find(s, r));
    cr_assert_eq(r->status, 404);
    free_request(r);
    http_server_destroy(s);
}

Test(router, split_path_never_writes_past_max)
{
    char *segs[4];
    char p1[] = "/a/b/c/d/";
    cr_assert_eq(split_path(p1, segs, 4), -1);
    char p2[] = "/a/b/c/";
    cr_assert_eq(split_path(p2, segs, 4), 4);
    cr_assert_str_eq(segs[3], "");
    char p3[] = "/a/b/c/d";
    cr_assert_eq(split_path(p3, segs, 4), 4);
    char p4[] = "/";
    cr_assert_eq(split_path(p4, segs, 4), 0);
}

Test(router, a_route_with_max_params_captures_each_of_them)
{
    http_server_t *s = make_server();
    http_route_add(s, "GET", "/p/{a}/{b}/{c}/{d}/{e}/{f}", noop, NULL);
    struct http_request *r = make_request(s, "GET", "/p/1/2/3/4/5/6");
    cr_assert_not_null(route_find(s, r));
    cr_assert_eq(r->n_params, MAX_PARAMS);
    cr_assert_str_eq(http_req_param(r, "a"), "1");
    cr_assert_str_eq(http_req_param(r, "f"), "6");
    free_request(r);
    http_server_destroy(s);
}

Test(router, a_route_with_more_params_than_the_request_holds_is_refused_at_registration,
     .signal = SIGABRT)
{
    /* A programming error: caught when the route is added, never at request time where it
     * would write past param_names. */
    http_server_t *s = make_server();
    http_route_add(s, "GET", "/p/{a}/{b}/{c}/{d}/{e}/{f}/{g}", noop, NULL);
}
