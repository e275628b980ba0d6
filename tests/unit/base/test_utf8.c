/* test_utf8.c - UTF-8 validation and counting. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/utf8.h"

static bool valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

Test(utf8, accepts_ascii_and_multibyte_text)
{
    cr_assert(valid(""));
    cr_assert(valid("hello"));
    cr_assert(valid("Gr\xc3\xbc\xc3\x9f"
                    "e"));                /* Grüße */
    cr_assert(valid("\xe2\x82\xac"));     /* € */
    cr_assert(valid("\xf0\x9f\x98\x80")); /* 😀 */
    cr_assert(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
}

Test(utf8, refuses_overlongs_surrogates_and_stray_bytes)
{
    cr_assert_not(valid("\xc0\xaf")); /* overlong / */
    cr_assert_not(valid("\xc1\xbf"));
    cr_assert_not(valid("\xe0\x80\xaf"));     /* overlong */
    cr_assert_not(valid("\xf0\x80\x80\xaf")); /* overlong */
    cr_assert_not(valid("\xed\xa0\x80"));     /* surrogate U+D800 */
    cr_assert_not(valid("\xf4\x90\x80\x80")); /* above U+10FFFF */
    cr_assert_not(valid("\x80"));             /* lone continuation */
    cr_assert_not(valid("\xff"));
    cr_assert_not(valid("\xe2\x82")); /* truncated */
    cr_assert_not(valid("a\xc3"));
    cr_assert_not(valid("\xc3\x28")); /* bad continuation */
}

Test(utf8, refuses_embedded_nul)
{
    cr_assert_not(utf8_valid("a\0b", 3));
    cr_assert(utf8_valid("a\0b", 1));
}

Test(utf8, counts_code_points_not_bytes)
{
    cr_assert_eq(utf8_length(""), 0);
    cr_assert_eq(utf8_length("abc"), 3);
    cr_assert_eq(utf8_length("Gr\xc3\xbc\xc3\x9f"
                             "e"),
                 5);
    cr_assert_eq(utf8_length("\xf0\x9f\x98\x80\xe2\x82\xac"), 2);
}
