/* static_files.h - the web UI's files (a Next.js static export), read into memory once at
 * start and served from there: no filesystem access per request, so no path can reach a
 * file outside the set. Serves GET and HEAD with content types, strong ETags (304 on
 * If-None-Match), cache headers, gzip siblings (X.gz beside X) and the SPA fallback to
 * index.html (docs/decisions/0013-serving-the-web-ui.md).
 *
 * Threads: a set is immutable once created; lookups and the handler are thread-safe. */
#ifndef TODO_HTTP_STATIC_FILES_H
#define TODO_HTTP_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct http_request;

typedef struct static_files static_files_t;

#define STATIC_FILES_MAX_BYTES (64u << 20) /* default cap on the bytes of every file read */
#define STATIC_FILES_MAX_FILES 10000       /* default cap on the number of files */
#define STATIC_FILES_MAX_PATH  1024        /* longest URL path of a file, in bytes */
/* The build's list of the sha256 hashes of each page's inline scripts, <style> elements and
 * style attributes (scripts/csp-hashes.mjs), read from the root at start. Each page's
 * Content-Security-Policy allows this origin and exactly the inline code listed for it:
 * never 'unsafe-inline' or 'unsafe-eval'; a page not listed may run no inline code
 * (docs/decisions/0015-csp-hashes.md). A dotfile, so it is never served. */
#define STATIC_FILES_CSP_HASHES ".csp-hashes.json"

struct static_files_config {
    const char *root; /* the directory; URL "/a/b.js" is <root>/a/b.js */
    size_t max_bytes; /* 0: STATIC_FILES_MAX_BYTES */
    size_t max_files; /* 0: STATIC_FILES_MAX_FILES */
};

/* Reads every file under cfg->root, recursively, and the pages' policies from
 * STATIC_FILES_CSP_HASHES there (when there is none, no page may run inline code). Skipped:
 * names starting with '.', anything not a regular file or directory, symbolic links to
 * directories, and symbolic links that resolve outside the root. Errors: TODO_ERR_NOT_FOUND
 * when the root does not exist, TODO_ERR_TOO_LARGE beyond a cap (or a path longer than
 * STATIC_FILES_MAX_PATH), TODO_ERR_INTERNAL when the root, a file in it or the hash list
 * cannot be read, or the hash list is malformed. The caller destroys *out. */
int static_files_create(const struct static_files_config *cfg, static_files_t **out,
                        struct todo_err *err);
/* A set holding only index.html: a page saying the web UI is not built (naming root, where
 * it was looked for) and how to build it. Caller destroys. */
static_files_t *static_files_placeholder(const char *root);
/* Accepts NULL. */
void static_files_destroy(static_files_t *sf);
/* Files in the set (gzip siblings not counted) and the bytes held (siblings counted). */
size_t static_files_count(const static_files_t *sf);
size_t static_files_bytes(const static_files_t *sf);
/* Was a hash list read? When not, pages with inline scripts will not run in a browser. */
bool static_files_csp_listed(const static_files_t *sf);

/* What to answer to one request. Pointers are borrowed from the set (or literals) and live
 * as long as it. */
struct static_files_answer {
    int status;       /* 200, 304, 400, 404 or 405 */
    const char *file; /* URL path of the file chosen ("/index.html"); NULL on error */
    const char *data; /* the body for 200; NULL otherwise */
    size_t len;
    const char *content_type;     /* NULL on error */
    const char *etag;             /* quoted, of the representation chosen; NULL on error */
    const char *cache_control;    /* NULL on error */
    const char *content_encoding; /* "gzip" or NULL */
    bool vary_encoding;           /* the file has a gzip sibling: Vary: Accept-Encoding */
    bool html;                    /* a page: add X-Frame-Options and Referrer-Policy */
    const char *csp;              /* a page: its Content-Security-Policy; NULL otherwise */
    const char *error;            /* for 400, 404 and 405: what was wrong */
};

/* Decides the answer for method on raw_path (percent-encoded, no query), given the request's
 * Accept-Encoding and If-None-Match headers (each may be NULL). Order: a malformed path
 * (bad or %00 escape, a "." or ".." segment) is 400; /api, /dapr and below are 404; a method
 * other than GET and HEAD is 405; then "/" -> /index.html, the exact file, path + ".html",
 * path + "/index.html", index.html when the last segment has no '.' (the SPA fallback),
 * else 404. */
void static_files_resolve(const static_files_t *sf, const char *method, const char *raw_path,
                          const char *accept_encoding, const char *if_none_match,
                          struct static_files_answer *out);

/* An http_handler_fn for http_server_set_fallback; ctx is the static_files_t, which must
 * outlive the server (bodies are sent without copying). Errors use the API's JSON shape. */
void static_files_handle(struct http_request *req, void *ctx);

#endif
