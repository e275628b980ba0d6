/* fuzz_static_files.c - libFuzzer target: a request line for the web UI's file set ->
 * static_files_resolve. Input: method, raw path, Accept-Encoding and If-None-Match separated
 * by NUL bytes. Checks the answer's invariants: a 200 has a body of the chosen file and a
 * content type; errors carry a message and no file; nothing outside the set is ever named;
 * a page, and only a page, carries a Content-Security-Policy, never with 'unsafe-inline'. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "http/static_files.h"

static static_files_t *files;

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/fuzz-static-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char sub[600];
    snprintf(sub, sizeof sub, "%s/_next", dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/_next/static", dir);
    mkdir(sub, 0700);
    put(dir, "index.html", "<!doctype html><title>t</title>");
    put(dir, "history.html", "<!doctype html><title>h</title>");
    put(dir, "index.txt", "payload");
    put(dir, "_next/static/a.js", "console.log(1)");
    put(dir, "_next/static/a.js.gz", "gz");
    put(dir, ".hidden", "secret");
    put(dir, STATIC_FILES_CSP_HASHES,
        "{\"version\": 1, \"pages\": {\"/index.html\": {\"script\": "
        "[\"sha256-ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=\"]}}}");
    struct static_files_config cfg = {.root = dir};
    struct todo_err err = {0};
    if (static_files_create(&cfg, &files, &err) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 4);
    memcpy(text, data, size);
    memset(text + size, 0, 4);
    const char *parts[4] = {"GET", "/", NULL, NULL};
    const char *p = text;
    for (int i = 0; i < 4 && p < text + size + 1; i++) {
        parts[i] = p;
        p += strlen(p) + 1;
    }
    struct static_files_answer a;
    static_files_resolve(files, parts[0], parts[1], parts[2], parts[3], &a);
    if ((a.status == 200 || a.status == 304) &&
        (a.html ? !a.csp || strstr(a.csp, "unsafe-inline") : a.csp != NULL))
        abort();
    if (a.status == 200) {
        if (!a.file || !a.data || !a.content_type || !a.etag || !a.cache_control)
            abort();
        if (strstr(a.file, "/.") || strstr(a.file, ".."))
            abort(); /* a dotfile or a path out of the set */
    } else if (a.status == 304) {
        if (!a.etag || a.data)
            abort();
    } else if (a.status == 400 || a.status == 404 || a.status == 405) {
        if (!a.error || a.data)
            abort();
    } else {
        abort();
    }
    free(text);
    return 0;
}
