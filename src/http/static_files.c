/* static_files.c - the web UI's files, held in memory and served by the HTTP server's
 * fallback handler.
 *
 * The one idea: the export directory is read once, at start, into an array of files sorted
 * by URL path. A request is answered by decoding its path and looking up at most four keys
 * in that array (the path, path.html, path/index.html, /index.html), so nothing a client
 * sends ever becomes a filesystem path: there is nothing to traverse. A file "X.gz" beside
 * "X" is not a file of its own but X's gzip representation, chosen when Accept-Encoding
 * allows it. Each representation has a strong ETag, a BLAKE2b hash of its bytes. */
#include "http/static_files.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "http/server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH       32 /* directory levels below the root */
#define ETAG_HASH_BYTES 16

#define CACHE_IMMUTABLE  "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "no-cache"
#define IMMUTABLE_PREFIX "/_next/static/" /* content-hashed names: never change in place */

struct representation {
    char *data; /* owned; NULL when there is none */
    size_t len;
    char etag[2 * ETAG_HASH_BYTES + 3]; /* "\"<hex>\"" */
};

struct static_file {
    char *path; /* URL path, decoded: "/_next/static/x/app.js"; owned */
    const char *content_type;
    bool html;
    bool immutable;
    bool is_sibling; /* while loading: an X.gz merged into X */
    struct representation identity;
    struct representation gzip;
};

struct static_files {
    struct static_file *files; /* sorted by path (strcmp) */
    size_t n_files;
    size_t bytes;
};

/* --- content types --- */

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"}, /* Next's RSC payloads */
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"ico", "image/x-icon"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"webmanifest", "application/manifest+json"},
    {"xml", "application/xml"},
    {"wasm", "application/wasm"},
    {"gz", "application/gzip"}, /* only an X.gz without its X is served as a file */
};

static const char *content_type_for(const char *path)
{
    const char *name = strrchr(path, '/');
    const char *dot = strrchr(name ? name : path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcasecmp(dot + 1, content_types[i].ext) == 0)
                return content_types[i].type;
    return "application/octet-stream";
}

/* --- loading --- */

struct loader {
    char root_real[PATH_MAX];
    size_t root_len;
    size_t max_bytes;
    size_t max_files;
    struct static_files *set;
    size_t cap;
    struct todo_err *err;
};

static bool inside_root(const struct loader *ld, const char *real)
{
    return strncmp(real, ld->root_real, ld->root_len) == 0 &&
           (real[ld->root_len] == '/' || ld->root_len == 1);
}

/* Reads the regular file at fs_path into a new entry for url_path. */
static int load_file(struct loader *ld, const char *fs_path, const char *url_path)
{
    struct static_files *set = ld->set;
    if (strlen(url_path) > STATIC_FILES_MAX_PATH)
        return todo_err_set(ld->err, TODO_ERR_TOO_LARGE, "the path %s is longer than %d bytes",
                            fs_path, STATIC_FILES_MAX_PATH);
    if (set->n_files == ld->max_files)
        return todo_err_set(ld->err, TODO_ERR_TOO_LARGE, "more than %zu files under %s",
                            ld->max_files, ld->root_real);
    int fd = open(fs_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return todo_err_set(ld->err, TODO_ERR_INTERNAL, "cannot read %s: %s", fs_path,
                            strerror(errno));
    int rc = TODO_OK;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = todo_err_set(ld->err, TODO_ERR_INTERNAL, "%s is not a regular file", fs_path);
        goto out_close;
    }
    size_t size = (size_t)st.st_size;
    if (size > ld->max_bytes || set->bytes + size > ld->max_bytes) {
        rc = todo_err_set(ld->err, TODO_ERR_TOO_LARGE, "the files under %s exceed %zu bytes",
                          ld->root_real, ld->max_bytes);
        goto out_close;
    }
    char *data = xmalloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = todo_err_set(ld->err, TODO_ERR_INTERNAL, "cannot read %s: %s", fs_path,
                              strerror(errno));
            free(data);
            goto out_close;
        }
        if (n == 0)
            break; /* shrank while we read: keep what is there */
        got += (size_t)n;
    }
    data[got] = '\0';
    if (set->n_files == ld->cap) {
        ld->cap = ld->cap ? ld->cap * 2 : 64;
        set->files = xrealloc(set->files, ld->cap * sizeof *set->files);
    }
    struct static_file *f = &set->files[set->n_files++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(url_path);
    f->identity.data = data;
    f->identity.len = got;
    set->bytes += got;
out_close:
    close(fd);
    return rc;
}

/* Loads the directory fs_dir, whose files have URLs under url_dir ("" for the root). */
static int walk(struct loader *ld, const char *fs_dir, const char *url_dir, int depth)
{
    if (depth > MAX_DEPTH)
        return todo_err_set(ld->err, TODO_ERR_TOO_LARGE, "%s is more than %d levels deep", fs_dir,
                            MAX_DEPTH);
    DIR *d = opendir(fs_dir);
    if (!d)
        return todo_err_set(ld->err, TODO_ERR_INTERNAL, "cannot read the directory %s: %s", fs_dir,
                            strerror(errno));
    int rc = TODO_OK;
    struct buf fs_path, url_path;
    buf_init(&fs_path);
    buf_init(&url_path);
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                rc = todo_err_set(ld->err, TODO_ERR_INTERNAL, "cannot read the directory %s: %s",
                                  fs_dir, strerror(errno));
            break;
        }
        if (e->d_name[0] == '.') /* ".", "..", and dotfiles are never served */
            continue;
        buf_reset(&fs_path);
        buf_printf(&fs_path, "%s/%s", fs_dir, e->d_name);
        buf_reset(&url_path);
        buf_printf(&url_path, "%s/%s", url_dir, e->d_name);
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = todo_err_set(ld->err, TODO_ERR_INTERNAL, "cannot stat %s: %s", fs_path.data,
                              strerror(errno));
            break;
        }
        if (S_ISLNK(st.st_mode)) {
            /* followed only to a regular file inside the root: a link to a directory could
             * loop, and one leaving the root would publish what it points at */
            char real[PATH_MAX];
            if (!realpath(fs_path.data, real) || !inside_root(ld, real) || stat(real, &st) != 0 ||
                !S_ISREG(st.st_mode))
                continue;
            rc = load_file(ld, real, url_path.data);
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(ld, fs_path.data, url_path.data, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            rc = load_file(ld, fs_path.data, url_path.data);
        }
        if (rc)
            break;
    }
    closedir(d);
    buf_release(&fs_path);
    buf_release(&url_path);
    return rc;
}

static int file_cmp(const void *a, const void *b)
{
    return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

static int key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct static_file *)elem)->path);
}

static struct static_file *lookup(const struct static_files *sf, const char *path)
{
    if (!sf->n_files)
        return NULL;
    return bsearch(path, sf->files, sf->n_files, sizeof *sf->files, key_cmp);
}

static void etag_compute(struct representation *rep)
{
    unsigned char hash[ETAG_HASH_BYTES];
    crypto_generichash(hash, sizeof hash, (const unsigned char *)rep->data, rep->len, NULL, 0);
    rep->etag[0] = '"';
    sodium_bin2hex(rep->etag + 1, sizeof rep->etag - 1, hash, sizeof hash);
    rep->etag[sizeof rep->etag - 2] = '"';
    rep->etag[sizeof rep->etag - 1] = '\0';
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Sorts the files, folds each X.gz into its X, and computes types, flags and ETags. */
static void set_finish(struct static_files *set)
{
    qsort(set->files, set->n_files, sizeof *set->files, file_cmp);
    for (size_t i = 0; i < set->n_files; i++) {
        struct static_file *gz = &set->files[i];
        if (!ends_with(gz->path, ".gz"))
            continue;
        char *plain = xstrndup(gz->path, strlen(gz->path) - 3);
        struct static_file *f = lookup(set, plain);
        free(plain);
        if (!f || ends_with(f->path, ".gz"))
            continue; /* no X beside it: an ordinary file */
        f->gzip = gz->identity;
        gz->identity.data = NULL;
        gz->is_sibling = true;
    }
    size_t kept = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        struct static_file *f = &set->files[i];
        if (f->is_sibling) {
            free(f->path);
            continue;
        }
        f->content_type = content_type_for(f->path);
        f->html = strncmp(f->content_type, "text/html", 9) == 0;
        f->immutable = strncmp(f->path, IMMUTABLE_PREFIX, strlen(IMMUTABLE_PREFIX)) == 0;
        etag_compute(&f->identity);
        if (f->gzip.data)
            etag_compute(&f->gzip);
        set->files[kept++] = *f;
    }
    set->n_files = kept;
}

int static_files_create(const struct static_files_config *cfg, static_files_t **out,
                        struct todo_err *err)
{
    struct stat st;
    if (stat(cfg->root, &st) != 0) {
        if (errno == ENOENT)
            return todo_err_set(err, TODO_ERR_NOT_FOUND, "%s does not exist", cfg->root);
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot read %s: %s", cfg->root,
                            strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return todo_err_set(err, TODO_ERR_INTERNAL, "%s is not a directory", cfg->root);
    if (sodium_init() < 0) /* idempotent; picks the fastest BLAKE2b */
        return todo_err_set(err, TODO_ERR_INTERNAL, "libsodium failed to initialise");
    struct loader ld = {
        .max_bytes = cfg->max_bytes ? cfg->max_bytes : STATIC_FILES_MAX_BYTES,
        .max_files = cfg->max_files ? cfg->max_files : STATIC_FILES_MAX_FILES,
        .err = err,
    };
    if (!realpath(cfg->root, ld.root_real))
        return todo_err_set(err, TODO_ERR_INTERNAL, "cannot resolve %s: %s", cfg->root,
                            strerror(errno));
    ld.root_len = strlen(ld.root_real);
    ld.set = xcalloc(1, sizeof *ld.set);
    int rc = walk(&ld, ld.root_real, "", 0);
    if (rc) {
        static_files_destroy(ld.set);
        return rc;
    }
    set_finish(ld.set);
    *out = ld.set;
    return TODO_OK;
}

static void html_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

static_files_t *static_files_placeholder(const char *root)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>Todo: the web UI is not built</title>\n"
                 "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;"
                 "margin:4rem auto;padding:0 1rem;color:#222}"
                 "code{background:#f2f2f2;padding:0 .25rem}</style>\n</head>\n<body>\n"
                 "<h1>The web UI is not built</h1>\n<p>This server found no web UI in <code>");
    html_escape(&b, root);
    buf_puts(&b, "</code>. Build it with <code>make web</code> and restart the server, or point "
                 "<code>TODO_WEB_DIR</code> (<code>--web-dir</code>) at a Next.js static "
                 "export.</p>\n<p>The API answers under <code>/api/</code>; it is described in "
                 "<a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>\n</body>\n</html>\n");
    struct static_files *set = xcalloc(1, sizeof *set);
    set->files = xcalloc(1, sizeof *set->files);
    struct static_file *f = &set->files[0];
    f->path = xstrdup("/index.html");
    f->identity.len = b.len;
    f->identity.data = buf_take(&b);
    set->n_files = 1;
    set->bytes = f->identity.len;
    set_finish(set);
    return set;
}

void static_files_destroy(static_files_t *sf)
{
    if (!sf)
        return;
    for (size_t i = 0; i < sf->n_files; i++) {
        free(sf->files[i].path);
        free(sf->files[i].identity.data);
        free(sf->files[i].gzip.data);
    }
    free(sf->files);
    free(sf);
}

size_t static_files_count(const static_files_t *sf)
{
    return sf->n_files;
}

size_t static_files_bytes(const static_files_t *sf)
{
    return sf->bytes;
}

/* --- answering --- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes raw into out (cap bytes). Returns 0, 1 when it does not fit, or -1 with
 * *why set for a malformed path. */
static int path_decode(const char *raw, char *out, size_t cap, const char **why)
{
    if (raw[0] != '/') {
        *why = "the path must start with /";
        return -1;
    }
    size_t o = 0;
    for (size_t i = 0; raw[i]; i++) {
        char c = raw[i];
        if (c == '%') {
            int hi = hex_value(raw[i + 1]);
            int lo = hi < 0 ? -1 : hex_value(raw[i + 2]);
            if (lo < 0) {
                *why = "the path has a malformed percent escape";
                return -1;
            }
            c = (char)(hi << 4 | lo);
            if (c == '\0') {
                *why = "the path contains %00";
                return -1;
            }
            i += 2;
        }
        if (o + 1 >= cap)
            return 1;
        out[o++] = c;
    }
    out[o] = '\0';
    for (const char *seg = out + 1;;) {
        size_t n = strcspn(seg, "/");
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) {
            *why = "the path has a . or .. segment";
            return -1;
        }
        if (!seg[n])
            break;
        seg += n + 1;
    }
    return 0;
}

/* The file for a decoded path: "/" -> /index.html, the exact file, path.html,
 * path/index.html, then index.html for a last segment without '.' (a client-side route). */
static const struct static_file *find_file(const struct static_files *sf, const char *path)
{
    char key[STATIC_FILES_MAX_PATH + sizeof "/index.html"];
    size_t n = strlen(path);
    const struct static_file *f;
    if (n == 1)
        return lookup(sf, "/index.html");
    bool slash = path[n - 1] == '/';
    int base = (int)(slash ? n - 1 : n);
    if (!slash && (f = lookup(sf, path)))
        return f;
    snprintf(key, sizeof key, "%.*s.html", base, path);
    if ((f = lookup(sf, key)))
        return f;
    snprintf(key, sizeof key, "%.*s/index.html", base, path);
    if ((f = lookup(sf, key)))
        return f;
    if (!strchr(strrchr(path, '/') + 1, '.'))
        return lookup(sf, "/index.html");
    return NULL;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A qvalue ("1", "0.5", "0.000") in thousandths, or -1 when malformed. */
static int parse_qvalue(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000;
    if (n == 1)
        return q;
    if (s[1] != '.' || n > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* Does Accept-Encoding allow gzip? An explicit gzip (or x-gzip) entry decides by its q;
 * otherwise "*" does; no header means identity. A malformed q counts as 0. */
static bool accepts_gzip(const char *header)
{
    if (!header)
        return false;
    int gzip_q = -1, star_q = -1;
    const char *p = header;
    while (*p) {
        const char *end = p + strcspn(p, ",");
        const char *name = skip_space(p);
        size_t name_len = strcspn(name, ",; \t");
        if (name + name_len > end)
            name_len = (size_t)(end - name);
        int q = 1000;
        for (const char *param = memchr(name, ';', (size_t)(end - name)); param && param < end;) {
            param = skip_space(param + 1);
            const char *next = memchr(param, ';', (size_t)(end - param));
            const char *param_end = next ? next : end;
            if ((param[0] == 'q' || param[0] == 'Q') && param + 1 < param_end) {
                const char *v = skip_space(param + 1);
                if (*v == '=') {
                    v = skip_space(v + 1);
                    size_t v_len = (size_t)(param_end - v);
                    while (v_len && (v[v_len - 1] == ' ' || v[v_len - 1] == '\t'))
                        v_len--;
                    int parsed = parse_qvalue(v, v_len);
                    q = parsed < 0 ? 0 : parsed;
                }
            }
            param = next;
        }
        if ((name_len == 4 && strncasecmp(name, "gzip", 4) == 0) ||
            (name_len == 6 && strncasecmp(name, "x-gzip", 6) == 0))
            gzip_q = q > gzip_q ? q : gzip_q;
        else if (name_len == 1 && name[0] == '*')
            star_q = q > star_q ? q : star_q;
        p = *end ? end + 1 : end;
    }
    return gzip_q >= 0 ? gzip_q > 0 : star_q > 0;
}

/* Does If-None-Match name etag? "*" matches; W/ tags compare weakly (by their opaque part). */
static bool etag_matches(const char *header, const char *etag)
{
    if (!header)
        return false;
    const char *p = skip_space(header);
    if (p[0] == '*' && !*skip_space(p + 1))
        return true;
    size_t etag_len = strlen(etag);
    while (*p) {
        p = skip_space(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"') { /* malformed: skip to the next entry */
            p += strcspn(p, ",");
            continue;
        }
        const char *close = strchr(p + 1, '"');
        if (!close)
            return false;
        size_t n = (size_t)(close - p) + 1;
        if (n == etag_len && memcmp(p, etag, n) == 0)
            return true;
        p = close + 1;
    }
    return false;
}

void static_files_resolve(const static_files_t *sf, const char *method, const char *raw_path,
                          const char *accept_encoding, const char *if_none_match,
                          struct static_files_answer *out)
{
    memset(out, 0, sizeof *out);
    char path[STATIC_FILES_MAX_PATH + 1];
    const char *why = NULL;
    int decoded = path_decode(raw_path, path, sizeof path, &why);
    if (decoded < 0) {
        out->status = 400;
        out->error = why;
        return;
    }
    if (decoded > 0 || http_path_reserved(path)) {
        out->status = 404;
        out->error = "no such resource";
        return;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        out->status = 405;
        out->error = "only GET and HEAD are allowed on this resource";
        return;
    }
    const struct static_file *f = find_file(sf, path);
    if (!f) {
        out->status = 404;
        out->error = "no such resource";
        return;
    }
    bool gzip = f->gzip.data && accepts_gzip(accept_encoding);
    const struct representation *rep = gzip ? &f->gzip : &f->identity;
    out->file = f->path;
    out->content_type = f->content_type;
    out->etag = rep->etag;
    out->cache_control = f->immutable ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
    out->vary_encoding = f->gzip.data != NULL;
    out->html = f->html;
    if (etag_matches(if_none_match, rep->etag)) {
        out->status = 304;
        return;
    }
    out->status = 200;
    out->data = rep->data;
    out->len = rep->len;
    out->content_encoding = gzip ? "gzip" : NULL;
}

void static_files_handle(struct http_request *req, void *ctx)
{
    const static_files_t *sf = ctx;
    struct static_files_answer a;
    static_files_resolve(sf, http_req_method(req), http_req_raw_path(req),
                         http_req_header(req, "Accept-Encoding"),
                         http_req_header(req, "If-None-Match"), &a);
    switch (a.status) {
    case 200:
    case 304:
        break;
    case 400:
        http_respond_errorf(req, TODO_ERR_BAD_REQUEST, "%s", a.error);
        return;
    case 405:
        http_set_header(req, "Allow", "GET, HEAD");
        http_respond_errorf(req, TODO_ERR_METHOD,
                            "%s is not allowed on this resource; use GET, HEAD",
                            http_req_method(req));
        return;
    default:
        http_respond_errorf(req, TODO_ERR_NOT_FOUND, "%s", a.error);
        return;
    }
    http_set_header(req, "ETag", a.etag);
    http_set_header(req, "Cache-Control", a.cache_control);
    if (a.vary_encoding)
        http_set_header(req, "Vary", "Accept-Encoding");
    if (a.content_encoding)
        http_set_header(req, "Content-Encoding", a.content_encoding);
    if (a.html) {
        http_set_header(req, "X-Frame-Options", "DENY");
        http_set_header(req, "Referrer-Policy", "same-origin");
        /* The page may talk to its own origin only, so an injected script could not send the
         * token elsewhere. Next's static export inlines its bootstrap scripts and React sets
         * inline styles, hence 'unsafe-inline' for those two; no eval, no other origin. */
        http_set_header(req, "Content-Security-Policy", STATIC_FILES_CSP);
    }
    if (a.status == 304)
        http_respond_empty(req, 304);
    else
        http_respond_static(req, 200, a.content_type, a.data, a.len);
}
