/* buf.h - a growable byte buffer that always stays NUL-terminated. Embed it
 * (buf_init / buf_release) or take its bytes with buf_take. Not thread-safe. */
#ifndef TODO_BASE_BUF_H
#define TODO_BASE_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as the inside of a JSON string (escaped, no quotes). */
void buf_json_escape(struct buf *b, const char *s);
/* Appends s as a quoted JSON string. */
void buf_json_str(struct buf *b, const char *s);
/* Appends v in decimal. */
void buf_put_i64(struct buf *b, int64_t v);
/* Hands the bytes to the caller (who frees them) and resets b. Never NULL. */
char *buf_take(struct buf *b);

#endif
