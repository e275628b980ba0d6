/* log.c - JSON line logging. One buffer per line and one write(2) per line, so lines from
 * several threads never interleave. */
#include "base/log.h"
#include "base/buf.h"
#include "base/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char service_name[32] = "todo";
static enum log_level min_level = LOG_INFO;
static const char *level_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *service, enum log_level level)
{
    snprintf(service_name, sizeof service_name, "%s", service);
    min_level = level;
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

int log_enabled(enum log_level level)
{
    return level >= min_level;
}

void log_write(enum log_level level, const char *msg, const char *fields_json)
{
    if (level < min_level)
        return;
    char ts[TIME_RFC3339_MAX];
    int64_t now = time_now_ms();
    time_format_rfc3339(now - now % 1000, ts);
    /* always print milliseconds in logs */
    ts[19] = '\0';
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "{\"ts\":\"%s.%03dZ\",\"level\":\"%s\",\"service\":\"%s\",\"msg\":\"", ts,
               (int)(now % 1000), level_names[level], service_name);
    buf_json_escape(&b, msg);
    buf_putc(&b, '"');
    if (fields_json && *fields_json) {
        buf_putc(&b, ',');
        buf_puts(&b, fields_json);
    }
    buf_puts(&b, "}\n");
    ssize_t off = 0;
    while ((size_t)off < b.len) {
        ssize_t n = write(STDOUT_FILENO, b.data + off, b.len - (size_t)off);
        if (n <= 0)
            break;
        off += n;
    }
    buf_release(&b);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_write(level, msg, NULL);
}
