/* fuzz_llm.c - libFuzzer target: bytes -> the model's reply readers (src/app/llm_parse.c).
 * The bytes are read as a whole JSON reply, and as an SSE stream fed in pieces whose size
 * the first byte picks; the same stream fed whole must give the same verdict and, when it
 * parses, the same text and tool calls (the reader must not depend on where the network
 * cut the bytes). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/llm_parse.h"

static int read_stream(const char *data, size_t len, size_t piece, struct llm_reply *out)
{
    struct llm_sse *s = llm_sse_create();
    struct todo_err err = {0};
    int rc = 0;
    for (size_t at = 0; at < len && !rc; at += piece)
        rc = llm_sse_feed(s, data + at, len - at < piece ? len - at : piece, &err);
    if (!rc)
        rc = llm_sse_finish(s, out, &err);
    llm_sse_destroy(s);
    return rc;
}

static void same_reply(const struct llm_reply *a, const struct llm_reply *b)
{
    if (!a->content != !b->content || (a->content && strcmp(a->content, b->content) != 0))
        abort();
    if (!json_equal(a->tool_calls, b->tool_calls) || strcmp(a->finish_reason, b->finish_reason))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct llm_reply r = {0};
    struct todo_err err = {0};
    if (llm_reply_parse((const char *)data, size, &r, &err) == 0 && !r.tool_calls)
        abort();
    llm_reply_release(&r);
    if (size == 0)
        return 0;
    size_t piece = (size_t)data[0] % 16 + 1;
    struct llm_reply whole = {0}, split = {0};
    int rc_whole = read_stream((const char *)data + 1, size - 1, size, &whole);
    int rc_split = read_stream((const char *)data + 1, size - 1, piece, &split);
    if (rc_whole != rc_split)
        abort();
    if (rc_whole == 0)
        same_reply(&whole, &split);
    llm_reply_release(&whole);
    llm_reply_release(&split);
    return 0;
}
