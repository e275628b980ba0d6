/* Unit tests for the growable buffer and its JSON helpers. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

Test(buf, json_str_escapes_quotes_backslashes_and_control_characters)
{
    struct buf b;
    buf_init(&b);
    buf_json_str(&b, "a\"b\\c\n\t\r\x01 é ✓");
    cr_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\t\\r\\u0001 é ✓\"");
    /* and a JSON parser reads back the original */
    json_t *j = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(j);
    cr_assert_str_eq(json_string_value(j), "a\"b\\c\n\t\r\x01 é ✓");
    json_decref(j);
    buf_release(&b);
}

Test(buf, put_i64_writes_extremes)
{
    struct buf b;
    buf_init(&b);
    buf_put_i64(&b, 0);
    buf_putc(&b, ' ');
    buf_put_i64(&b, INT64_MAX);
    buf_putc(&b, ' ');
    buf_put_i64(&b, INT64_MIN);
    buf_putc(&b, ' ');
    buf_put_i64(&b, -42);
    cr_assert_str_eq(b.data, "0 9223372036854775807 -9223372036854775808 -42");
    buf_release(&b);
}

Test(buf, grows_past_many_appends_and_take_resets)
{
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < 10000; i++)
        buf_printf(&b, "%d,", i % 10);
    cr_assert_eq(b.len, 20000);
    char *p = buf_take(&b);
    cr_assert_eq(b.len, 0);
    cr_assert_null(b.data);
    cr_assert_eq(p[19998], '9');
    free(p);
}

Test(arena, allocations_are_aligned_and_large_ones_fit)
{
    struct arena a;
    arena_init(&a);
    for (int i = 1; i < 200; i++) {
        char *p = arena_alloc(&a, (size_t)i * 7);
        cr_assert_eq((uintptr_t)p % sizeof(max_align_t) == 0 || (uintptr_t)p % 16 == 0, 1);
        memset(p, 'x', (size_t)i * 7);
    }
    char *big = arena_alloc(&a, 100000);
    memset(big, 'y', 100000);
    cr_assert_str_eq(arena_strndup(&a, "hello world", 5), "hello");
    arena_release(&a);
}
