/* utf8.h - UTF-8 validation and counting. Pure functions. */
#ifndef TODO_BASE_UTF8_H
#define TODO_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates) with no NUL. */
bool utf8_valid(const char *s, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_length(const char *s);

#endif
