/* fuzz_web_proxy.c - libFuzzer target: the web front door's forwarding rules
 * (src/services/web/web_proxy.c). The input's first line is a path, the second a query, the
 * rest an X-Forwarded-For value. Checked: a path the rules accept, once percent-decoded and
 * normalised as any server might, still lies under the path it was sent as (no "." or ".."
 * segment, no decoded "/" or "\"), and its invoke URL keeps it whole; an address taken from
 * X-Forwarded-For is one inet_pton reads. ASan and UBSan catch the rest. */
#include "../src/services/web/web_proxy.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* What a server that decodes before it splits would see. */
static void decode(const char *in, char *out)
{
    for (; *in; in++) {
        if (in[0] == '%' && hex(in[1]) >= 0 && hex(in[2]) >= 0) {
            *out++ = (char)(hex(in[1]) * 16 + hex(in[2]));
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
}

static size_t slashes(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '/';
    return n;
}

static void check_path(const char *path, const char *query)
{
    if (!web_proxy_path_ok(path, query))
        return;
    char *plain = malloc(strlen(path) + 1);
    decode(path, plain);
    if (strchr(plain, '\\') || strstr(plain, "/./") || strstr(plain, "/../"))
        abort();
    size_t n = strlen(plain);
    if ((n >= 2 && strcmp(plain + n - 2, "/.") == 0) ||
        (n >= 3 && strcmp(plain + n - 3, "/..") == 0))
        abort();
    if (slashes(plain) != slashes(path))
        abort(); /* decoding may not create a separator the rules did not see */
    free(plain);
    char url[512];
    if (web_proxy_invoke_url(url, sizeof url, 3500, "todo-api", path, query) && !strstr(url, path))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *query = strchr(text, '\n');
    char *xff = query ? strchr(query + 1, '\n') : NULL;
    if (query)
        *query++ = '\0';
    else
        query = text + size;
    if (xff)
        *xff++ = '\0';
    check_path(text, query);
    char out[64];
    unsigned char bin[16];
    if (xff && web_proxy_forwarded_client(xff, out, sizeof out) &&
        inet_pton(AF_INET, out, bin) != 1 && inet_pton(AF_INET6, out, bin) != 1)
        abort();
    free(text);
    return 0;
}
