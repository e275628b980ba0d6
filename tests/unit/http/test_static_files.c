/* Unit tests of the web UI's file set: loading a directory (dotfiles, symbolic links, caps),
 * the path mapping and the SPA fallback, content types, cache headers, gzip negotiation,
 * ETags and 304, malformed paths, each page's Content-Security-Policy from the build's hash
 * list, and the set behind a real server (fallback, /api misses, metrics label). The module's
 * static functions are reached by including the .c. */
#include <criterion/criterion.h>

#include <ftw.h>

#include "../../../src/http/static_files.c"
#include "raw_client.h"

static char root[64];
static char outside[64];

static void put(const char *dir, const char *rel, const char *data)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    fwrite(data, 1, strlen(data), f);
    fclose(f);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void fixture_setup(void)
{
    snprintf(root, sizeof root, "/tmp/todo-static-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    snprintf(outside, sizeof outside, "/tmp/todo-outside-XXXXXX");
    cr_assert_not_null(mkdtemp(outside));
    put(root, "index.html", "<html>index</html>");
    put(root, "index.txt", "rsc index");
    put(root, "history.html", "<html>history</html>");
    put(root, "history.txt", "rsc history");
    put(root, "signin.html", "<html>signin</html>");
    put(root, "404.html", "<html>404</html>");
    put(root, "docs/index.html", "<html>docs</html>");
    put(root, "favicon.ico", "ico");
    put(root, "_next/static/abc/app.js", "console.log(1)");
    put(root, "_next/static/abc/app.js.gz", "GZIPPED-APP-JS");
    put(root, "_next/static/abc/app.mjs", "export {}");
    put(root, "_next/static/css/site.css", "body{}");
    put(root, "_next/static/media/font.woff2", "w2");
    put(root, "_next/static/media/font.woff", "w1");
    put(root, "data.json", "{}");
    put(root, "app.js.map", "{}");
    put(root, "logo.svg", "<svg/>");
    put(root, "logo.png", "png");
    put(root, "photo.jpg", "jpg");
    put(root, "photo.webp", "webp");
    put(root, "site.webmanifest", "{}");
    put(root, "sitemap.xml", "<urlset/>");
    put(root, "blob.bin", "bin");
    put(root, "archive.tar.gz", "an orphan gzip file");
    put(root, ".env", "SECRET=1");
    put(root, ".well-hidden/x.js", "hidden");
    put(outside, "secret.txt", "outside the root");
    char target[256], link[256];
    snprintf(target, sizeof target, "%s/secret.txt", outside);
    snprintf(link, sizeof link, "%s/leak.txt", root);
    cr_assert_eq(symlink(target, link), 0);
    snprintf(link, sizeof link, "%s/alias.html", root);
    cr_assert_eq(symlink("signin.html", link), 0);
    snprintf(link, sizeof link, "%s/loop", root);
    cr_assert_eq(symlink(".", link), 0);
}

static void fixture_teardown(void)
{
    nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    nftw(outside, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static static_files_t *load(void)
{
    struct static_files_config cfg = {.root = root};
    struct todo_err err;
    todo_err_clear(&err);
    static_files_t *sf = NULL;
    cr_assert_eq(static_files_create(&cfg, &sf, &err), TODO_OK, "%s", err.message);
    return sf;
}

static struct static_files_answer get(const static_files_t *sf, const char *path,
                                      const char *accept_encoding, const char *if_none_match)
{
    struct static_files_answer a;
    static_files_resolve(sf, "GET", path, accept_encoding, if_none_match, &a);
    return a;
}

TestSuite(static_files, .init = fixture_setup, .fini = fixture_teardown);

Test(static_files, loads_every_file_but_dotfiles_gzip_siblings_and_links_leaving_the_root)
{
    static_files_t *sf = load();
    /* 26 files written, minus .env, .well-hidden/x.js and the app.js.gz sibling, plus the
     * alias.html link inside the root; leak.txt (outside) and loop (a directory) skipped */
    cr_assert_eq(static_files_count(sf), 24);
    cr_assert_eq(get(sf, "/.env", NULL, NULL).status, 404);
    cr_assert_eq(get(sf, "/.well-hidden/x.js", NULL, NULL).status, 404);
    cr_assert_eq(get(sf, "/leak.txt", NULL, NULL).status, 404);
    struct static_files_answer a = get(sf, "/alias.html", NULL, NULL);
    cr_assert_eq(a.status, 200);
    cr_assert_str_eq(a.data, "<html>signin</html>");
    static_files_destroy(sf);
}

Test(static_files, root_exact_html_and_index_html_mappings)
{
    static_files_t *sf = load();
    const struct {
        const char *path;
        const char *file;
    } cases[] = {
        {"/", "/index.html"},
        {"/index.html", "/index.html"},
        {"/index", "/index.html"},
        {"/index.txt", "/index.txt"},
        {"/history", "/history.html"},
        {"/history/", "/history.html"},
        {"/history.txt", "/history.txt"},
        {"/signin", "/signin.html"},
        {"/docs", "/docs/index.html"},
        {"/docs/", "/docs/index.html"},
        {"/favicon.ico", "/favicon.ico"},
        {"/_next/static/abc/app.js", "/_next/static/abc/app.js"},
        {"/hist%6Fry", "/history.html"}, /* decoded before the lookup */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct static_files_answer a = get(sf, cases[i].path, NULL, NULL);
        cr_assert_eq(a.status, 200, "%s: %d", cases[i].path, a.status);
        cr_assert_str_eq(a.file, cases[i].file, "%s", cases[i].path);
    }
    struct static_files_answer a = get(sf, "/history", NULL, NULL);
    cr_assert_eq(a.len, strlen("<html>history</html>"));
    cr_assert_eq(memcmp(a.data, "<html>history</html>", a.len), 0);
    static_files_destroy(sf);
}

Test(static_files, a_path_without_extension_falls_back_to_index_html)
{
    static_files_t *sf = load();
    const char *paths[] = {"/some/deep/link", "/tasks/42", "/_next", "/settings", "/a//b/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct static_files_answer a = get(sf, paths[i], NULL, NULL);
        cr_assert_eq(a.status, 200, "%s", paths[i]);
        cr_assert_str_eq(a.file, "/index.html", "%s", paths[i]);
        cr_assert_str_eq(a.cache_control, "no-cache");
        cr_assert(a.html);
    }
    static_files_destroy(sf);
}

Test(static_files, a_missing_path_with_an_extension_is_404)
{
    static_files_t *sf = load();
    const char *paths[] = {"/missing.js", "/_next/static/abc/nope.css", "/deep/link/x.png",
                           "/history.json", "/.env"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct static_files_answer a = get(sf, paths[i], NULL, NULL);
        cr_assert_eq(a.status, 404, "%s", paths[i]);
        cr_assert_null(a.data);
        cr_assert_str_eq(a.error, "no such resource");
    }
    char longer[STATIC_FILES_MAX_PATH + 64];
    memset(longer, 'a', sizeof longer - 1);
    longer[0] = '/';
    longer[sizeof longer - 1] = '\0';
    cr_assert_eq(get(sf, longer, NULL, NULL).status, 404, "a path longer than any file");
    static_files_destroy(sf);
}

Test(static_files, content_types_follow_the_extension)
{
    static_files_t *sf = load();
    const struct {
        const char *path;
        const char *type;
    } cases[] = {
        {"/", "text/html; charset=utf-8"},
        {"/index.txt", "text/plain; charset=utf-8"},
        {"/_next/static/abc/app.js", "text/javascript; charset=utf-8"},
        {"/_next/static/abc/app.mjs", "text/javascript; charset=utf-8"},
        {"/_next/static/css/site.css", "text/css; charset=utf-8"},
        {"/_next/static/media/font.woff2", "font/woff2"},
        {"/_next/static/media/font.woff", "font/woff"},
        {"/data.json", "application/json"},
        {"/app.js.map", "application/json"},
        {"/logo.svg", "image/svg+xml"},
        {"/logo.png", "image/png"},
        {"/photo.jpg", "image/jpeg"},
        {"/photo.webp", "image/webp"},
        {"/favicon.ico", "image/x-icon"},
        {"/site.webmanifest", "application/manifest+json"},
        {"/sitemap.xml", "application/xml"},
        {"/blob.bin", "application/octet-stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct static_files_answer a = get(sf, cases[i].path, NULL, NULL);
        cr_assert_eq(a.status, 200, "%s", cases[i].path);
        cr_assert_str_eq(a.content_type, cases[i].type, "%s", cases[i].path);
        cr_assert_eq(a.html, strncmp(cases[i].type, "text/html", 9) == 0, "%s", cases[i].path);
    }
    static_files_destroy(sf);
}

Test(static_files, hashed_assets_are_immutable_and_everything_else_revalidates)
{
    static_files_t *sf = load();
    cr_assert_str_eq(get(sf, "/_next/static/abc/app.js", NULL, NULL).cache_control,
                     "public, max-age=31536000, immutable");
    cr_assert_str_eq(get(sf, "/_next/static/css/site.css", NULL, NULL).cache_control,
                     "public, max-age=31536000, immutable");
    const char *revalidated[] = {"/", "/history", "/index.txt", "/favicon.ico", "/x/y"};
    for (size_t i = 0; i < sizeof revalidated / sizeof revalidated[0]; i++)
        cr_assert_str_eq(get(sf, revalidated[i], NULL, NULL).cache_control, "no-cache", "%s",
                         revalidated[i]);
    static_files_destroy(sf);
}

Test(static_files, gzip_sibling_is_served_when_accept_encoding_allows_it)
{
    static_files_t *sf = load();
    const struct {
        const char *accept;
        bool gzip;
    } cases[] = {
        {NULL, false},
        {"", false},
        {"gzip", true},
        {"GZIP", true},
        {"x-gzip", true},
        {"gzip, deflate, br", true},
        {"br;q=1.0, gzip;q=0.5", true},
        {"gzip;q=0", false},
        {"gzip; q=0.000", false},
        {"gzip;q=0.001", true},
        {"gzip ; q = 0", false},
        {"gzip;q=abc", false},
        {"gzip;q=1.5", false},
        {"identity", false},
        {"br", false},
        {"*", true},
        {"*;q=0", false},
        {"gzip;q=0, *", false},
        {"*, gzip;q=0", false},
        {"deflate, *;q=0.1", true},
        {"gzipx", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct static_files_answer a = get(sf, "/_next/static/abc/app.js", cases[i].accept, NULL);
        cr_assert_eq(a.status, 200);
        cr_assert(a.vary_encoding, "Vary whatever was asked");
        if (cases[i].gzip) {
            cr_assert_str_eq(a.content_encoding, "gzip", "%s", cases[i].accept);
            cr_assert_eq(a.len, strlen("GZIPPED-APP-JS"));
            cr_assert_eq(memcmp(a.data, "GZIPPED-APP-JS", a.len), 0);
        } else {
            cr_assert_null(a.content_encoding, "%s", cases[i].accept);
            cr_assert_eq(memcmp(a.data, "console.log(1)", a.len), 0);
        }
        cr_assert_str_eq(a.content_type, "text/javascript; charset=utf-8");
    }
    struct static_files_answer plain = get(sf, "/_next/static/abc/app.js", NULL, NULL);
    struct static_files_answer gz = get(sf, "/_next/static/abc/app.js", "gzip", NULL);
    cr_assert_str_neq(plain.etag, gz.etag, "each representation has its own ETag");
    struct static_files_answer css = get(sf, "/_next/static/css/site.css", "gzip", NULL);
    cr_assert_null(css.content_encoding, "no sibling: identity");
    cr_assert_not(css.vary_encoding);
    static_files_destroy(sf);
}

Test(static_files, gz_files_are_never_pages_of_their_own_unless_orphans)
{
    static_files_t *sf = load();
    cr_assert_eq(get(sf, "/_next/static/abc/app.js.gz", "gzip", NULL).status, 404);
    struct static_files_answer a = get(sf, "/archive.tar.gz", "gzip", NULL);
    cr_assert_eq(a.status, 200);
    cr_assert_str_eq(a.content_type, "application/gzip");
    cr_assert_null(a.content_encoding);
    static_files_destroy(sf);
}

Test(static_files, if_none_match_gives_304_with_the_validators)
{
    static_files_t *sf = load();
    struct static_files_answer a = get(sf, "/history", NULL, NULL);
    cr_assert_eq(strlen(a.etag), 34);
    cr_assert_eq(a.etag[0], '"');
    cr_assert_eq(a.etag[33], '"');
    char header[128];
    const struct {
        const char *before;
        const char *after;
    } lists[] = {
        {"", ""}, {"W/", ""}, {"\"nope\", ", ""}, {" \"a,b\" ,W/", " "}, {"garbage, ", ""}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        snprintf(header, sizeof header, "%s%s%s", lists[i].before, a.etag, lists[i].after);
        struct static_files_answer b = get(sf, "/history", NULL, header);
        cr_assert_eq(b.status, 304, "%s", header);
        cr_assert_null(b.data);
        cr_assert_str_eq(b.etag, a.etag);
        cr_assert_str_eq(b.cache_control, "no-cache");
        cr_assert(b.html);
    }
    cr_assert_eq(get(sf, "/history", NULL, "*").status, 304);
    cr_assert_eq(get(sf, "/history", NULL, "\"nope\"").status, 200);
    cr_assert_eq(get(sf, "/history", NULL, "").status, 200);
    cr_assert_eq(get(sf, "/history", NULL, "\"unterminated").status, 200);
    /* the identity ETag does not validate the gzip representation */
    struct static_files_answer js = get(sf, "/_next/static/abc/app.js", NULL, NULL);
    cr_assert_eq(get(sf, "/_next/static/abc/app.js", "gzip", js.etag).status, 200);
    cr_assert_eq(get(sf, "/_next/static/abc/app.js", "br", js.etag).status, 304);
    struct static_files_answer spa = get(sf, "/deep/link", NULL, NULL);
    cr_assert_eq(get(sf, "/other/link", NULL, spa.etag).status, 304);
    static_files_destroy(sf);
}

Test(static_files, dot_segments_nul_and_bad_escapes_are_400)
{
    static_files_t *sf = load();
    const char *paths[] = {"/a/../b",  "/..",     "/a/%2e%2e/b", "/%2E%2E/etc/passwd",
                           "/..%2fx",  "/./x",    "/a/.",        "/a%00b",
                           "/%00",     "/%zz",    "/%4",         "/%",
                           "relative", "/%2e%2e/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct static_files_answer a = get(sf, paths[i], NULL, NULL);
        cr_assert_eq(a.status, 400, "%s: %d", paths[i], a.status);
        cr_assert_not_null(a.error);
        cr_assert_null(a.data);
    }
    /* dots inside names are fine */
    cr_assert_eq(get(sf, "/app.js.map", NULL, NULL).status, 200);
    cr_assert_eq(get(sf, "/...", NULL, NULL).status, 404);
    static_files_destroy(sf);
}

Test(static_files, api_and_dapr_paths_are_never_files)
{
    static_files_t *sf = load();
    const char *paths[] = {"/api",  "/api/",       "/api/nope", "/api/u/tasks", "/dapr/subscribe",
                           "/dapr", "/job/remind", "/job"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        cr_assert_eq(get(sf, paths[i], NULL, NULL).status, 404, "%s", paths[i]);
    cr_assert_eq(get(sf, "/apiary", NULL, NULL).status, 200, "only /api and below");
    static_files_destroy(sf);
}

Test(static_files, only_get_and_head_are_allowed)
{
    static_files_t *sf = load();
    const char *methods[] = {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    struct static_files_answer a;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        static_files_resolve(sf, methods[i], "/", NULL, NULL, &a);
        cr_assert_eq(a.status, 405, "%s", methods[i]);
        static_files_resolve(sf, methods[i], "/missing.js", NULL, NULL, &a);
        cr_assert_eq(a.status, 405, "%s", methods[i]);
    }
    static_files_resolve(sf, "HEAD", "/history", NULL, NULL, &a);
    cr_assert_eq(a.status, 200);
    cr_assert_str_eq(a.file, "/history.html");
    static_files_destroy(sf);
}

Test(static_files, caps_missing_and_unreadable_roots_fail_clearly)
{
    struct todo_err err;
    todo_err_clear(&err);
    static_files_t *sf = NULL;
    struct static_files_config small = {.root = root, .max_bytes = 64};
    cr_assert_eq(static_files_create(&small, &sf, &err), TODO_ERR_TOO_LARGE);
    cr_assert_not_null(strstr(err.message, "exceed 64 bytes"), "%s", err.message);
    cr_assert_null(sf);
    todo_err_clear(&err);
    struct static_files_config few = {.root = root, .max_files = 3};
    cr_assert_eq(static_files_create(&few, &sf, &err), TODO_ERR_TOO_LARGE);
    cr_assert_not_null(strstr(err.message, "more than 3 files"), "%s", err.message);
    todo_err_clear(&err);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/no-such-dir", root);
    struct static_files_config gone = {.root = missing};
    cr_assert_eq(static_files_create(&gone, &sf, &err), TODO_ERR_NOT_FOUND);
    todo_err_clear(&err);
    char file[128];
    snprintf(file, sizeof file, "%s/index.html", root);
    struct static_files_config not_dir = {.root = file};
    cr_assert_eq(static_files_create(&not_dir, &sf, &err), TODO_ERR_INTERNAL);
    cr_assert_not_null(strstr(err.message, "not a directory"), "%s", err.message);
    if (geteuid() != 0) { /* root reads anything */
        todo_err_clear(&err);
        char locked[128];
        snprintf(locked, sizeof locked, "%s/locked", root);
        cr_assert_eq(mkdir(locked, 0), 0);
        struct static_files_config cfg = {.root = root};
        cr_assert_eq(static_files_create(&cfg, &sf, &err), TODO_ERR_INTERNAL);
        chmod(locked, 0755);
    }
    cr_assert_null(sf);
}

Test(static_files, the_placeholder_answers_pages_with_how_to_build_the_ui)
{
    static_files_t *sf = static_files_placeholder("web/<out>");
    cr_assert_eq(static_files_count(sf), 1);
    const char *pages[] = {"/", "/history", "/some/deep/link"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        struct static_files_answer a = get(sf, pages[i], NULL, NULL);
        cr_assert_eq(a.status, 200, "%s", pages[i]);
        cr_assert_str_eq(a.content_type, "text/html; charset=utf-8");
        cr_assert_str_eq(a.cache_control, "no-cache");
        cr_assert_not_null(strstr(a.data, "make web"));
        cr_assert_not_null(strstr(a.data, "web/&lt;out&gt;"), "the directory, escaped");
        /* its one <style> element runs by its hash, as a browser computes it */
        const char *css = strstr(a.data, "<style>") + strlen("<style>");
        size_t css_len = (size_t)(strstr(css, "</style>") - css);
        unsigned char hash[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(hash, (const unsigned char *)css, css_len);
        char b64[64], want[128];
        sodium_bin2base64(b64, sizeof b64, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
        snprintf(want, sizeof want, "; style-src 'self' 'sha256-%s';", b64);
        cr_assert_not_null(strstr(a.csp, want), "%s", a.csp);
        cr_assert_not_null(strstr(a.csp, "script-src 'self';"), "%s", a.csp);
    }
    cr_assert(static_files_csp_listed(sf));
    cr_assert_eq(get(sf, "/_next/static/x/app.js", NULL, NULL).status, 404);
    cr_assert_eq(get(sf, "/api/nope", NULL, NULL).status, 404);
    static_files_destroy(sf);
}

/* --- Content-Security-Policy --- */

#define CSP_TAIL_TEXT                                                                              \
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "               \
    "form-action 'self'; frame-ancestors 'none'"
/* the policy of a page the hash list does not name: no inline code at all */
#define CSP_STRICT "default-src 'self'; script-src 'self'; style-src 'self'; " CSP_TAIL_TEXT
#define HASH_A     "sha256-ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="
#define HASH_B     "sha256-PiPoFgA5WUoziU9lZOGxNIu9egCI1CxKy3PurtWcAJ0="
#define HASH_C     "sha256-Ln0sA6lQeuJl7PW1NWiFpTOTogKdJBOUmXJloaJa78Y="

Test(static_files, each_page_allows_exactly_the_inline_code_the_hash_list_names_for_it)
{
    put(root, STATIC_FILES_CSP_HASHES,
        "{\"version\": 1, \"pages\": {"
        "\"/index.html\": {\"script\": [\"" HASH_A "\", \"" HASH_B "\"], \"style\": [],"
        " \"style_attr\": []},"
        "\"/404.html\": {\"script\": [\"" HASH_A "\"], \"style\": [\"" HASH_B "\"],"
        " \"style_attr\": [\"" HASH_C "\"]},"
        "\"/gone.html\": {\"script\": [\"" HASH_C "\"]},"
        "\"/index.txt\": {\"script\": [\"" HASH_C "\"]}}}");
    static_files_t *sf = load();
    cr_assert(static_files_csp_listed(sf));
    const char *home = "default-src 'self'; script-src 'self' '" HASH_A "' '" HASH_B
                       "'; style-src 'self'; " CSP_TAIL_TEXT;
    cr_assert_str_eq(get(sf, "/", NULL, NULL).csp, home);
    cr_assert_str_eq(get(sf, "/some/client/route", NULL, NULL).csp, home, "the SPA fallback");
    cr_assert_str_eq(get(sf, "/404", NULL, NULL).csp,
                     "default-src 'self'; script-src 'self' '" HASH_A "'; style-src 'self' '" HASH_B
                     "' 'unsafe-hashes' '" HASH_C "'; " CSP_TAIL_TEXT);
    cr_assert_str_eq(get(sf, "/history", NULL, NULL).csp, CSP_STRICT, "not listed: nothing inline");
    cr_assert_null(get(sf, "/index.txt", NULL, NULL).csp, "only pages carry a policy");
    cr_assert_null(get(sf, "/_next/static/abc/app.js", NULL, NULL).csp);
    struct static_files_answer a = get(sf, "/", NULL, NULL);
    cr_assert_eq(get(sf, "/", NULL, a.etag).status, 304);
    cr_assert_str_eq(get(sf, "/", NULL, a.etag).csp, home);
    cr_assert_eq(get(sf, "/" STATIC_FILES_CSP_HASHES, NULL, NULL).status, 404, "never served");
    static_files_destroy(sf);
}

Test(static_files, without_a_hash_list_no_page_may_run_inline_code)
{
    static_files_t *sf = load();
    cr_assert_not(static_files_csp_listed(sf));
    const char *pages[] = {"/", "/history", "/404", "/docs/", "/deep/link"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        cr_assert_str_eq(get(sf, pages[i], NULL, NULL).csp, CSP_STRICT, "%s", pages[i]);
    static_files_destroy(sf);
}

Test(static_files, a_malformed_hash_list_stops_the_load_naming_it)
{
    const char *bad[] = {
        "not json",
        "[]",
        "{\"version\": 2, \"pages\": {}}",
        "{\"pages\": {}}",
        "{\"version\": 1, \"pages\": []}",
        "{\"version\": 1, \"pages\": {\"/index.html\": [\"" HASH_A "\"]}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"script\": \"" HASH_A "\"}}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"script\": [1]}}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"script\": [\"'unsafe-inline'\"]}}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"script\": [\"sha256-\"]}}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"script\": [\"sha256-a; script-src "
        "*\"]}}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"style\": [\"sha384-"
        "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=\"]}}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"style_attr\": [\"sha256-"
        "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSL!=\"]}}}",
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"script\": [\"sha256-"
        "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs\"]}}}",
        "{\"version\": 1, \"version\": 1, \"pages\": {}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put(root, STATIC_FILES_CSP_HASHES, bad[i]);
        struct static_files_config cfg = {.root = root};
        struct todo_err err;
        todo_err_clear(&err);
        static_files_t *sf = NULL;
        cr_assert_eq(static_files_create(&cfg, &sf, &err), TODO_ERR_INTERNAL, "%s", bad[i]);
        cr_assert_null(sf);
        cr_assert_not_null(strstr(err.message, STATIC_FILES_CSP_HASHES), "%s: %s", bad[i],
                           err.message);
    }
}

/* --- behind a real server --- */

static void h_ok(struct http_request *r, void *ctx)
{
    (void)ctx;
    http_respond_data(r, 200, "application/json", "{}", 2);
}

static char *request(unsigned port, const char *method, const char *path, const char *headers)
{
    char raw[1024];
    snprintf(raw, sizeof raw, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s\r\n", method,
             path, headers);
    return raw_roundtrip(port, raw, strlen(raw));
}

static bool starts(const char *resp, const char *status_line)
{
    return strncmp(resp, status_line, strlen(status_line)) == 0;
}

static const char *body_of(const char *resp)
{
    const char *p = strstr(resp, "\r\n\r\n");
    return p ? p + 4 : "";
}

Test(static_files, behind_the_server_the_fallback_serves_files_and_api_misses_stay_json)
{
    static_files_t *sf = load();
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .max_body = 1024};
    struct todo_err err;
    todo_err_clear(&err);
    http_server_t *s;
    cr_assert_eq(http_server_create(&cfg, &s, &err), 0);
    http_route_add(s, "GET", "/healthz", h_ok, NULL);
    http_server_set_fallback(s, "static", static_files_handle, sf);
    cr_assert_eq(http_server_start(s, &err), 0);
    unsigned port = http_server_port(s);

    char *r = request(port, "GET", "/", "");
    cr_assert(starts(r, "HTTP/1.1 200"), "%s", r);
    cr_assert_not_null(strcasestr(r, "Content-Type: text/html; charset=utf-8"));
    cr_assert_not_null(strcasestr(r, "X-Frame-Options: DENY"));
    cr_assert_not_null(strcasestr(r, "Referrer-Policy: same-origin"));
    cr_assert_not_null(strcasestr(r, "Content-Security-Policy: " CSP_STRICT), "%s", r);
    cr_assert_not_null(strcasestr(r, "X-Content-Type-Options: nosniff"));
    cr_assert_str_eq(body_of(r), "<html>index</html>");
    free(r);

    r = request(port, "HEAD", "/history", "");
    cr_assert(starts(r, "HTTP/1.1 200"), "%s", r);
    cr_assert_not_null(strcasestr(r, "Content-Length: 20"));
    cr_assert_str_eq(body_of(r), "", "HEAD has no body");
    free(r);

    r = request(port, "GET", "/_next/static/abc/app.js", "Accept-Encoding: gzip\r\n");
    cr_assert_not_null(strcasestr(r, "Content-Encoding: gzip"), "%s", r);
    cr_assert_not_null(strcasestr(r, "Vary: Accept-Encoding"));
    cr_assert_not_null(strcasestr(r, "Cache-Control: public, max-age=31536000, immutable"));
    cr_assert_str_eq(body_of(r), "GZIPPED-APP-JS");
    free(r);

    struct static_files_answer a = get(sf, "/", NULL, NULL);
    char inm[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s\r\n", a.etag);
    r = request(port, "GET", "/", inm);
    cr_assert(starts(r, "HTTP/1.1 304"), "%s", r);
    cr_assert_not_null(strcasestr(r, a.etag));
    cr_assert_str_eq(body_of(r), "");
    free(r);

    r = request(port, "GET", "/a%00b", "");
    cr_assert(starts(r, "HTTP/1.1 400"), "the raw path reaches the handler: %s", r);
    cr_assert_not_null(strstr(r, "\"bad_request\""));
    free(r);
    r = request(port, "GET", "/a/%2e%2e/b?x=1", "");
    cr_assert(starts(r, "HTTP/1.1 400"), "%s", r);
    free(r);

    r = request(port, "POST", "/", "Content-Type: text/plain\r\nContent-Length: 1\r\n\r\nx");
    cr_assert(starts(r, "HTTP/1.1 405"), "%s", r);
    cr_assert_not_null(strcasestr(r, "Allow: GET, HEAD"));
    free(r);

    r = request(port, "GET", "/api/nope", "");
    cr_assert(starts(r, "HTTP/1.1 404"), "%s", r);
    cr_assert_not_null(strstr(r, "{\"error\":{\"code\":\"not_found\""));
    free(r);
    r = request(port, "POST", "/dapr/events/x", "");
    cr_assert(starts(r, "HTTP/1.1 404"), "%s", r);
    free(r);
    r = request(port, "DELETE", "/healthz", "");
    cr_assert(starts(r, "HTTP/1.1 405"), "a route's wrong method is still its 405: %s", r);
    free(r);
    r = request(port, "GET", "/healthz", "");
    cr_assert_str_eq(body_of(r), "{}");
    free(r);
    r = request(port, "GET", "/some/deep/link-1234", "");
    cr_assert(starts(r, "HTTP/1.1 200"), "%s", r);
    free(r);

    /* counted once the response is done: stop first, then read the metrics */
    http_server_stop(s, 1000);
    struct buf m;
    buf_init(&m);
    http_server_metrics(s, &m);
    cr_assert_not_null(strstr(m.data, "route=\"static\",method=\"GET\",status=\"200\""), "%s",
                       m.data);
    cr_assert_not_null(strstr(m.data, "route=\"unmatched\",method=\"GET\",status=\"404\""));
    cr_assert_null(strstr(m.data, "link-1234"), "paths never become labels");
    buf_release(&m);
    http_server_destroy(s);
    static_files_destroy(sf);
}

Test(static_files, without_a_fallback_every_miss_is_the_json_404)
{
    struct http_server_config cfg = {.listen = "127.0.0.1:0", .threads = 1, .max_body = 1024};
    struct todo_err err;
    todo_err_clear(&err);
    http_server_t *s;
    cr_assert_eq(http_server_create(&cfg, &s, &err), 0);
    cr_assert_eq(http_server_start(s, &err), 0);
    char *r = request(http_server_port(s), "GET", "/", "");
    cr_assert(starts(r, "HTTP/1.1 404"), "%s", r);
    cr_assert_not_null(strstr(r, "\"not_found\""));
    free(r);
    http_server_stop(s, 1000);
    struct buf m;
    buf_init(&m);
    http_server_metrics(s, &m);
    cr_assert_null(strstr(m.data, "route=\"static\""));
    buf_release(&m);
    http_server_destroy(s);
}
