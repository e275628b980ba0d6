/* parse_cli.c - `todo parse`: one message (or each line of stdin) through the assistant's
 * parser, printed as the JSON of src/core/nlp.h. It is the parser's contract made visible:
 * the same function the chat, the quick-add route and the development set use
 * (docs/assistant-evaluation.md). Default now = the current time, zone = UTC. */
#include "services/parse_cli.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timeutil.h"
#include "core/nlp.h"
#include "core/tz.h"

struct parse_opts {
    int64_t now_ms;
    const char *tz;
    int first_text; /* index of the first TEXT argument; argc when none */
};

static void parse_usage(void)
{
    fprintf(stderr, "usage: todo parse [--now RFC3339] [--tz ZONE] [TEXT...]\n"
                    "  prints the assistant parser's JSON for TEXT, or for each line of stdin\n"
                    "  --now  the instant the message was said (default: now)\n"
                    "  --tz   the user's IANA time zone (default: UTC)\n");
}

/* A flag's value: "--now X" or "--now=X". Returns NULL when arg is not that flag. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse_flags(int argc, char **argv, struct parse_opts *o)
{
    o->now_ms = time_now_ms();
    o->tz = "UTC";
    int i = 1;
    for (; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if ((v = flag_value(argc, argv, &i, "--now"))) {
            if (time_parse_rfc3339(v, &o->now_ms) != 0) {
                fprintf(stderr, "todo parse: --now needs an RFC 3339 instant, got '%s'\n", v);
                return -1;
            }
        } else if ((v = flag_value(argc, argv, &i, "--tz"))) {
            if (!tz_valid(v)) {
                fprintf(stderr, "todo parse: unknown time zone '%s'\n", v);
                return -1;
            }
            o->tz = v;
        } else if (strncmp(argv[i], "--", 2) == 0) {
            fprintf(stderr, "todo parse: unknown flag '%s'\n", argv[i]);
            return -1;
        } else {
            break;
        }
    }
    o->first_text = i;
    return 0;
}

static void print_parse(const char *text, size_t len, const struct parse_opts *o)
{
    json_t *out = nlp_parse_json(text, len, o->now_ms, o->tz);
    assert(out);
    char *s = json_dumps(out, JSON_COMPACT);
    if (!s)
        abort();
    printf("%s\n", s);
    free(s);
    json_decref(out);
}

static int parse_args(int argc, char **argv, const struct parse_opts *o)
{
    struct buf text;
    buf_init(&text);
    for (int i = o->first_text; i < argc; i++) {
        if (i > o->first_text)
            buf_append(&text, " ", 1);
        buf_append(&text, argv[i], strlen(argv[i]));
    }
    print_parse(text.data ? text.data : "", text.len, o);
    buf_release(&text);
    return 0;
}

static int parse_stdin(const struct parse_opts *o)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        print_parse(line, len, o);
        fflush(stdout);
    }
    free(line);
    return ferror(stdin) ? 1 : 0;
}

int parse_main(int argc, char **argv)
{
    assert(argc >= 1);
    struct parse_opts o;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        parse_usage();
        return 0;
    }
    if (parse_flags(argc, argv, &o) != 0) {
        parse_usage();
        return 2;
    }
    if (o.first_text < argc)
        return parse_args(argc, argv, &o);
    return parse_stdin(&o);
}
