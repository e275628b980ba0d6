/* nlp_when_grammar.h - what the date reader's rules (nlp_when.c) share with its phrase
 * readers (nlp_when_phrase.c): the reading context over the tokens, and the readers of the
 * small pieces (numbers, durations, clocks, weekday lists, days). Each reader takes the
 * token index where the piece may start and returns the index after it, or -1. */
#ifndef TODO_CORE_NLP_WHEN_GRAMMAR_H
#define TODO_CORE_NLP_WHEN_GRAMMAR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nlp_when_internal.h"
#include "core/nlp_when_lex.h"

#define MINUTE_MS 60000LL
#define HOUR_MS   3600000LL
#define DAY_MS    86400000LL

struct ctx {
    const char *text;
    const struct lex_tok *t;
    int n;
    bool month_first; /* numeric dates are month/day (America/New_York) */
    struct when_acc acc;
    unsigned char *used;
    int n_read;
    int n_pending; /* phrases kept only when a repeat is read ("10 times", "after done") */
    struct {
        int from, to;
    } pending[4];
    int count_unit; /* the unit of "for N weeks" (-1: "N times") */
};

/* A number of units: minutes and hours as elapsed ms, the rest as a count of units. */
struct dur {
    enum unit unit;
    int n;
    int64_t ms;
};

static inline bool is_w(const struct ctx *c, int i, enum word_id id)
{
    return i >= 0 && i < c->n && c->t[i].kind == TOK_WORD && c->t[i].id == id;
}

static inline bool is_num(const struct ctx *c, int i)
{
    return i >= 0 && i < c->n && c->t[i].kind == TOK_NUM;
}

static inline bool is_p(const struct ctx *c, int i, char ch)
{
    return i >= 0 && i < c->n && c->t[i].kind == TOK_PUNCT && c->t[i].val == ch;
}

/* Token i follows token i-1 with no space between. */
static inline bool attached(const struct ctx *c, int i)
{
    return i < c->n && !c->t[i].space_before;
}

/* Lead words: "on", "at", "by", "due", "for", "before", "from"... (marked with a phrase). */
bool when_is_lead(const struct ctx *c, int i);
/* Words after which a short or numeric form is surely a date ("on 5/3", "this sat"). */
bool when_date_lead(const struct ctx *c, int i);
/* What follows a phrase that only may be a date allows it (strict: only date words). */
bool when_date_context(const struct ctx *c, int start, int end, bool strict);
/* A word outside the date vocabulary is at k ("floor" in "the 3rd floor"). */
bool when_noun_follows(const struct ctx *c, int k);
int when_read_int(const struct ctx *c, int i, int *v, bool allow_a);
int when_read_ordinal(const struct ctx *c, int i, int *v, bool words);
void when_set_dur(struct dur *d, enum unit u, int n);
int when_read_dur(const struct ctx *c, int i, struct dur *d);
int when_read_ampm(const struct ctx *c, int i, bool *pm);
/* A clock time; *bare: an hour 1-12 without am/pm, read by the hour rule or a part of day. */
int when_read_clock(const struct ctx *c, int i, int *h, int *m, bool *bare);
int when_read_wdays(const struct ctx *c, int i, int *mask, bool *plural, bool *abbr);
int when_read_md(const struct ctx *c, int i, struct dayref *r);
int when_read_day(const struct ctx *c, int i, struct dayref *r);
/* Past the end of a time range that starts before k ("-11am", "to 4pm"). */
int when_range_end(const struct ctx *c, int k);

#endif
