/* nlp_internal.h - what the parser's files (nlp.c: tokens, targets, JSON; nlp_rules.c: the
 * intents and their fields) share. A message becomes tokens with their byte spans; rules
 * match word patterns over the tokens, mark the tokens they consumed, and what is left of a
 * span becomes a title, a description or a target's words (docs/assistant.md). */
#ifndef TODO_CORE_NLP_INTERNAL_H
#define TODO_CORE_NLP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/nlp.h"

#define NLP_MAX_TOKENS 256
#define NLP_WORD_MAX   32

enum nlp_tok_kind { TK_WORD, TK_NUM, TK_TAG, TK_PRIO, TK_HASHNUM, TK_QUOTE, TK_PUNCT };

struct nlp_tok {
    uint16_t s, e;        /* the token's bytes (a quote: its inside) */
    uint8_t kind;         /* enum nlp_tok_kind */
    char w[NLP_WORD_MAX]; /* lower case (a tag or !priority without its sigil) */
};

struct nlp_ctx {
    const char *text;
    size_t len;
    int64_t now_ms;
    const char *tz;
    struct nlp_command *c;
    int n;
    struct nlp_tok t[NLP_MAX_TOKENS];
    unsigned char gone[NLP_MAX_TOKENS]; /* consumed by a rule (or read as a date) */
    unsigned char used[NLP_TEXT_MAX];   /* bytes a date/time phrase covers */
    bool when_done;
    bool refused; /* "all but the first", "task 3 and task 4": not read (intent unknown) */
};

/* nlp.c */
void nlp_tokenize(struct nlp_ctx *x);
/* True when token i is the word w (exact; a "~" prefix allows one typo for verbs of 5+
 * letters). */
bool nlp_tw(const struct nlp_ctx *x, int i, const char *w);
/* Matches pattern at token i: words separated by spaces, alternatives by '|', a '?' prefix
 * makes a slot optional, '~' allows a typo. Commas between words are skipped. Returns the
 * index after the match, or -1. */
int nlp_seq(const struct nlp_ctx *x, int i, const char *pattern);
/* The first index in [from, to) where pattern matches, or -1; *after gets its end. */
int nlp_find(const struct nlp_ctx *x, int from, int to, const char *pattern, int *after);
/* True when a and b differ by one insertion, deletion, substitution or swap (or not at all). */
bool nlp_one_typo(const char *a, const char *b);
void nlp_consume(struct nlp_ctx *x, int from, int to);
bool nlp_live(const struct nlp_ctx *x, int i); /* not consumed, not inside a date phrase */
/* Whether w is one of set's words (NULL-terminated). */
bool nlp_in_set(const char *w, const char *const *set);
/* Joins the live tokens of [from, to) that are not in noise - words only when words_only, else
 * everything but punctuation - with single spaces into q (cap bytes, cut before the token that
 * does not fit): the words a list or an "all" narrows by. */
void nlp_join_query(const struct nlp_ctx *x, int from, int to, const char *const *noise,
                    bool words_only, char *q, size_t cap);
/* Reads dates, times, repeats and reminders (nlp_when_read) over tokens [from, to), with
 * quotes, tags, priorities and task numbers blanked; marks the tokens they cover. */
void nlp_read_when(struct nlp_ctx *x, int from, int to);
/* Writes the live text of tokens [from, to) into out (spaces collapsed, dangling
 * prepositions and punctuation trimmed). Returns its length. */
size_t nlp_span_text(const struct nlp_ctx *x, int from, int to, char *out, size_t outsz);
/* Sets the command's target from tokens [from, to) (id, previous, all + filter, words). */
void nlp_parse_target(struct nlp_ctx *x, int from, int to);
/* Reads the list filter words of [from, to) into c->filter (consuming them); returns true
 * when any was given. */
/* Targets every task the filter words of [from, to) select ("all completed tasks"). */
void nlp_target_all(struct nlp_ctx *x, int from, int to);
bool nlp_parse_filter(struct nlp_ctx *x, int from, int to);
int nlp_priority_word(const char *w);   /* enum task_priority or -1 */
int nlp_hyphen_priority(const char *w); /* "low-priority", "high-prio": its priority or -1 */
void nlp_add_tag(char tags[][NLP_TAG_MAX], int *n, const char *s, size_t len);

/* nlp_rules.c */
void nlp_rules_run(struct nlp_ctx *x);

#endif
