/* web_proxy.c - the front door's forwarding rules (web_proxy.h): lists, not guesses. A header
 * not named here is not forwarded, a path that could be read two ways is refused. */
#include "services/web/web_proxy.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool web_proxy_forwards(const char *raw_path)
{
    assert(raw_path);
    return strcmp(raw_path, "/api") == 0 || strncmp(raw_path, "/api/", 5) == 0 ||
           strcmp(raw_path, "/mcp") == 0;
}

static bool visible_ascii(const char *s)
{
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e)
            return false;
    return true;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* "%2e", "%2f", "%5c" in any case: a dot, slash or backslash in disguise; also "%00" and a
 * '%' without two hex digits, which servers read differently. */
static bool encoded_separator(const char *s)
{
    for (const char *p = strchr(s, '%'); p; p = strchr(p + 1, '%')) {
        if (!is_hex(p[1]) || !is_hex(p[2]) || (p[1] == '0' && p[2] == '0'))
            return true;
        if (p[1] == '2' && (p[2] == 'e' || p[2] == 'E' || p[2] == 'f' || p[2] == 'F'))
            return true;
        if (p[1] == '5' && (p[2] == 'c' || p[2] == 'C'))
            return true;
    }
    return false;
}

static bool dot_segment(const char *path)
{
    for (const char *seg = path; seg; seg = strchr(seg + 1, '/')) {
        const char *start = seg[0] == '/' ? seg + 1 : seg;
        size_t n = strcspn(start, "/");
        if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.'))
            return true;
    }
    return false;
}

bool web_proxy_path_ok(const char *raw_path, const char *raw_query)
{
    assert(raw_path && raw_query);
    if (raw_path[0] != '/' || !visible_ascii(raw_path) || !visible_ascii(raw_query))
        return false;
    if (strchr(raw_path, '\\') || strchr(raw_query, '#') || strstr(raw_path, "//"))
        return false;
    return !encoded_separator(raw_path) && !dot_segment(raw_path);
}

static bool listed(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcasecmp(name, *names) == 0)
            return true;
    return false;
}

const char *const web_proxy_forwarded[] = {"Authorization",
                                           "Content-Type",
                                           "Accept",
                                           "Accept-Language",
                                           "Mcp-Session-Id",
                                           "MCP-Protocol-Version",
                                           "Origin",
                                           "Last-Event-ID",
                                           "If-Match",
                                           "If-None-Match",
                                           "If-Modified-Since",
                                           "User-Agent",
                                           NULL};

bool web_proxy_request_header(const char *name)
{
    assert(name);
    return listed(name, web_proxy_forwarded);
}

bool web_proxy_response_header(const char *name)
{
    static const char *const passed[] = {"Content-Type",
                                         "Cache-Control",
                                         "ETag",
                                         "Last-Modified",
                                         "Location",
                                         "Retry-After",
                                         "WWW-Authenticate",
                                         "Allow",
                                         "Mcp-Session-Id",
                                         "Vary",
                                         "Content-Language",
                                         "Content-Disposition",
                                         "Referrer-Policy",
                                         "X-Frame-Options",
                                         "Content-Security-Policy",
                                         NULL};
    assert(name);
    return listed(name, passed);
}

bool web_proxy_invoke_url(char *out, size_t size, unsigned port, const char *app_id,
                          const char *raw_path, const char *raw_query)
{
    assert(out && app_id && raw_path && raw_query);
    int n = snprintf(out, size, "http://127.0.0.1:%u/v1.0/invoke/%s/method%s%s%s", port, app_id,
                     raw_path, raw_query[0] ? "?" : "", raw_query);
    return n > 0 && (size_t)n < size;
}

bool web_proxy_forwarded_client(const char *xff, char *out, size_t size)
{
    assert(xff && out && size);
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t n = strcspn(last, " \t");
    char addr[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    if (n == 0 || n >= sizeof addr || n >= size || last[n + strspn(last + n, " \t")] != '\0')
        return false;
    memcpy(addr, last, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1)
        return false;
    memcpy(out, addr, n + 1);
    return true;
}

bool web_proxy_same_origin(const char *origin, const char *host)
{
    assert(origin);
    const char *authority = strstr(origin, "://");
    return host && *host && authority && strcasecmp(authority + 3, host) == 0;
}
