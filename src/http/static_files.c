/* static_files.c - the web UI's files, held in memory and served by the HTTP server's
 * fallback handler.
 *
 * The one idea: the export directory is read once, at start, into an array of files sorted
 * by URL path. A request is answered by decoding its path and looking up at most four keys
 * in that array (the path, path.html, path/index.html, /index.html), so nothing a client
 * sends ever becomes a filesystem path: there is nothing to traverse. A file "X.gz" beside
 * "X" is not a file of its own but X's gzip representation, chosen when Accept-Encoding
 * allows it. Each representation has a strong ETag, a BLAKE2b hash of its bytes. Each page
 * carries its own Content-Security-Policy, built at load from the hashes of its inline code
 * that the build wrote to .csp-hashes.json (docs/decisions/0015-csp-hashes.md). */
#include "http/static_files.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "http/server.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
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

/* A page's policy: only this origin, no eval, inline code only by hash (script-src and
 * style-src get the page's hashes after 'self'). */
#define CSP_HEAD  "default-src 'self'; script-src 'self'"
#define CSP_STYLE "; style-src 'self'"
#define CSP_TAIL                                                                                   \
    "; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "             \
    "form-action 'self'; frame-ancestors 'none'"
#define CSP_HASH_PREFIX  "sha256-"
#define CSP_HASH_B64_LEN 44 /* base64 of 32 bytes, with its one '=' */

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
    char *csp;       /* pages: the Content-Security-Policy; owned; NULL for other files */
    struct representation identity;
    struct representation gzip;
};

struct static_files {
    struct static_file *files; /* sorted by path (strcmp) */
    size_t n_files;
    size_t bytes;
    bool csp_listed; /* the build's hash list was read */
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

/* --- Content-Security-Policy --- */

/* Is s a hash source's value as the build writes it: "sha256-" and the base64 of 32 bytes? */
static bool csp_hash_valid(const char *s)
{
    size_t prefix = strlen(CSP_HASH_PREFIX);
    if (strncmp(s, CSP_HASH_PREFIX, prefix) != 0 || strlen(s) != prefix + CSP_HASH_B64_LEN)
        return false;
    unsigned char bin[crypto_hash_sha256_BYTES];
    size_t bin_len = 0;
    return sodium_base642bin(bin, sizeof bin, s + prefix, CSP_HASH_B64_LEN, NULL, &bin_len, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           bin_len == sizeof bin;
}

/* Appends " 'sha256-...'" for each hash in page[key] (absent: none) and counts them in *n.
 * Errors: TODO_ERR_INTERNAL when page[key] is not a list of valid hashes. */
static int csp_append_hashes(struct buf *b, const json_t *page, const char *key, const char *url,
                             size_t *n, struct todo_err *err)
{
    const json_t *list = json_object_get(page, key);
    *n = 0;
    if (!list)
        return TODO_OK;
    if (!json_is_array(list))
        return todo_err_set(err, TODO_ERR_INTERNAL, "%s: \"%s\" of %s is not a list",
                            STATIC_FILES_CSP_HASHES, key, url);
    size_t i;
    const json_t *h;
    json_array_foreach(list, i, h)
    {
        const char *v = json_string_value(h);
        if (!v || !csp_hash_valid(v))
            return todo_err_set(err, TODO_ERR_INTERNAL, "%s: \"%s\" of %s holds a malformed hash",
                                STATIC_FILES_CSP_HASHES, key, url);
        buf_printf(b, " '%s'", v);
    }
    *n = json_array_size(list);
    return TODO_OK;
}

/* The policy of the page at url, allowing the inline code page lists (NULL: none), into a
 * new string the caller frees. */
static int csp_build(const json_t *page, const char *url, char **out, struct todo_err *err)
{
    assert(url && out);
    if (page && !json_is_object(page))
        return todo_err_set(err, TODO_ERR_INTERNAL, "%s: the entry of %s is not an object",
                            STATIC_FILES_CSP_HASHES, url);
    struct buf b, attrs;
    buf_init(&b);
    buf_init(&attrs);
    size_t n = 0;
    buf_puts(&b, CSP_HEAD);
    int rc = page ? csp_append_hashes(&b, page, "script", url, &n, err) : TODO_OK;
    buf_puts(&b, CSP_STYLE);
    if (!rc && page)
        rc = csp_append_hashes(&b, page, "style", url, &n, err);
    /* hashes of style="" attributes count only with 'unsafe-hashes' (CSP level 3) */
    if (!rc && page)
        rc = csp_append_hashes(&attrs, page, "style_attr", url, &n, err);
    if (!rc && n) {
        buf_puts(&b, " 'unsafe-hashes'");
        buf_puts(&b, attrs.data);
    }
    buf_puts(&b, CSP_TAIL);
    buf_release(&attrs);
    if (rc) {
        buf_release(&b);
        return rc;
    }
    *out = buf_take(&b);
    return TODO_OK;
}

/* Gives every page of set its policy from the build's hash list doc, {"version": 1, "pages":
 * {"/index.html": {"script": [...], "style": [...], "style_attr": [...]}}}, or from no list
 * (doc NULL): then no page may run inline code. Entries naming no page of the set are
 * ignored. Errors: TODO_ERR_INTERNAL when doc is malformed; pages keep no policy then. */
static int csp_assign(struct static_files *set, const json_t *doc, struct todo_err *err)
{
    const json_t *pages = doc ? json_object_get(doc, "pages") : NULL;
    if (doc && (json_integer_value(json_object_get(doc, "version")) != 1 || !json_is_object(pages)))
        return todo_err_set(err, TODO_ERR_INTERNAL, "%s is not a version 1 hash list",
                            STATIC_FILES_CSP_HASHES);
    for (size_t i = 0; i < set->n_files; i++) {
        struct static_file *f = &set->files[i];
        if (!f->html)
            continue;
        free(f->csp);
        f->csp = NULL;
        int rc = csp_build(json_object_get(pages, f->path), f->path, &f->csp, err);
        if (rc)
            return rc;
    }
    set->csp_listed = doc != NULL;
    return TODO_OK;
}

/* Reads root/.csp-hashes.json when there is one (at most max_bytes) and assigns the pages'
 * policies (csp_assign). */
static int csp_load(struct static_files *set, const char *root, size_t max_bytes,
                    struct todo_err *err)
{
    struct buf path;
    buf_init(&path);
    buf_printf(&path, "%s/%s", root, STATIC_FILES_CSP_HASHES);
    json_t *doc = NULL;
    int rc = TODO_OK;
    struct stat st;
    if (lstat(path.data, &st) != 0) {
        if (errno != ENOENT)
            rc = todo_err_set(err, TODO_ERR_INTERNAL, "cannot read %s: %s", path.data,
                              strerror(errno));
    } else if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max_bytes) {
        rc = todo_err_set(err, TODO_ERR_INTERNAL, "%s is not a regular file of at most %zu bytes",
                          path.data, max_bytes);
    } else {
        json_error_t jerr;
        doc = json_load_file(path.data, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc)
            rc = todo_err_set(err, TODO_ERR_INTERNAL, "%s: %s (line %d)", path.data, jerr.text,
                              jerr.line);
    }
    if (!rc)
        rc = csp_assign(set, doc, err);
    json_decref(doc);
    buf_release(&path);
    return rc;
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
    rc = csp_load(ld.set, ld.root_real, ld.max_bytes, err);
    if (rc) {
        static_files_destroy(ld.set);
        return rc;
    }
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

#define PLACEHOLDER_CSS                                                                            \
    "body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;"     \
    "color:#222}code{background:#f2f2f2;padding:0 .25rem}"

/* The hash list of the placeholder page: its one <style> element. */
static json_t *placeholder_hashes(void)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)PLACEHOLDER_CSS, strlen(PLACEHOLDER_CSS));
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
    struct buf source;
    buf_init(&source);
    buf_printf(&source, "%s%s", CSP_HASH_PREFIX, b64);
    /* json_pack copies the strings */
    json_t *doc = json_pack("{s:i, s:{s:{s:[s]}}}", "version", 1, "pages", "/index.html", "style",
                            source.data);
    buf_release(&source);
    if (!doc)
        abort(); /* only on out of memory */
    return doc;
}

static_files_t *static_files_placeholder(const char *root)
{
    if (sodium_init() < 0)
        abort();
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>Todo: the web UI is not built</title>\n"
                 "<style>" PLACEHOLDER_CSS "</style>\n</head>\n<body>\n"
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
    json_t *hashes = placeholder_hashes();
    struct todo_err err;
    todo_err_clear(&err);
    if (csp_assign(set, hashes, &err) != TODO_OK)
        abort(); /* our own list is well-formed */
    json_decref(hashes);
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
        free(sf->files[i].csp);
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

bool static_files_csp_listed(const static_files_t *sf)
{
    return sf->csp_listed;
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
    out->csp = f->csp;
    assert(!f->html || f->csp);
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
         * token elsewhere, and runs only the inline code the build hashed: no 'unsafe-inline',
         * no eval (docs/decisions/0015-csp-hashes.md). */
        http_set_header(req, "Content-Security-Policy", a.csp);
    }
    if (a.status == 304)
        http_respond_empty(req, 304);
    else
        http_respond_static(req, 200, a.content_type, a.data, a.len);
}
