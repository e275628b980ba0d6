/* fuzz_rrule.c - libFuzzer target: bytes -> rrule_normalize; an accepted rule's canonical
 * form must itself be accepted and be a fixed point. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "core/rrule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    char out[512], again[512];
    struct todo_err err = {0};
    if (rrule_normalize(text, out, sizeof out, &err) == 0) {
        struct todo_err err2 = {0};
        if (rrule_normalize(out, again, sizeof again, &err2) != 0 || strcmp(out, again) != 0)
            abort();
    }
    free(text);
    return 0;
}
