/* fuzz_query.c - libFuzzer target: bytes split on '&' into name=value pairs -> query_parse,
 * then due resolution and, when the query parsed, a cursor round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "core/query.h"

#define MAX_PARAMS 32

struct params {
    int n;
    char *name[MAX_PARAMS];
    char *value[MAX_PARAMS];
};

static const char *get_param(void *ctx, const char *name)
{
    struct params *p = ctx;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size); /* stops at an embedded NUL */
    struct params p = {0};
    for (char *pair = text; pair && p.n < MAX_PARAMS;) {
        char *amp = strchr(pair, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(pair, '=');
        if (eq) {
            *eq = '\0';
            p.name[p.n] = pair;
            p.value[p.n] = eq + 1;
            p.n++;
        }
        pair = amp ? amp + 1 : NULL;
    }
    struct task_query q;
    struct todo_err err = {0};
    if (query_parse(&q, get_param, &p, &err) == 0) {
        query_resolve_due(&q, "Europe/Berlin", 1796115600000LL);
        struct task t;
        task_init(&t);
        t.id = 9;
        t.title = xstrdup("Fuzz Title");
        char *cursor = query_cursor_encode(&q, &t);
        struct params p2 = p;
        int slot = -1;
        for (int i = 0; i < p2.n; i++)
            if (strcmp(p2.name[i], "cursor") == 0)
                slot = i;
        if (slot < 0 && p2.n < MAX_PARAMS)
            slot = p2.n++;
        if (slot >= 0) {
            p2.name[slot] = "cursor";
            p2.value[slot] = cursor;
            struct task_query q2;
            struct todo_err err2 = {0};
            if (query_parse(&q2, get_param, &p2, &err2) != 0)
                abort(); /* a cursor we made must be accepted for the same query */
            query_release(&q2);
        }
        free(cursor);
        task_release(&t);
        query_release(&q);
    }
    free(text);
    return 0;
}
