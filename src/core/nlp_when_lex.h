/* nlp_when_lex.h - the date reader's tokens and vocabulary (nlp_when_lex.c), shared by its
 * grammar (nlp_when.c). */
#ifndef TODO_CORE_NLP_WHEN_LEX_H
#define TODO_CORE_NLP_WHEN_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/nlp_when_internal.h"

#define LEX_WORD_MAX 24

enum tok_kind { TOK_WORD, TOK_NUM, TOK_PUNCT };

/* What a vocabulary word means; val carries its number (month 1-12, weekday 0-6, unit,
 * part of day, frequency: negative for "biweekly" and "quarterly", which add an interval). */
enum word_id {
    W_UNKNOWN,
    W_MONTHNAME,
    W_WDAY,
    W_TODAY,
    W_TONIGHT,
    W_TOMORROW,
    W_UNIT,
    W_WEEKDAY,
    W_WEEKEND,
    W_PART,
    W_MIDNIGHT,
    W_AM,
    W_PM,
    W_OCLOCK,
    W_EOX,
    W_EVERY,
    W_OTHER,
    W_ADVERB,
    W_TIMES,
    W_UNTIL,
    W_STARTING,
    W_FROM,
    W_AFTER,
    W_BEFORE,
    W_EARLY,
    W_FINISH,
    W_DO,
    W_IT,
    W_THIS,
    W_I,
    W_IM,
    W_WHEN,
    W_IS,
    W_REMIND,
    W_ME,
    W_REMINDER,
    W_ORDW,
    W_A,
    W_NUMW,
    W_COUPLE,
    W_HALF,
    W_ORDSUF,
    W_IN,
    W_AT,
    W_ON,
    W_BY,
    W_DUE,
    W_NEXT,
    W_THE,
    W_OF,
    W_END,
    W_NOW,
    W_LATER,
    W_AND,
    W_FOR,
    W_OVER,
    W_CLOSE,
    W_BUSINESS,
    W_FUNC,
    W_YOU,
    W_WITH,
    W_TO,
    W_PAST,
    W_TIMEWORD,
    W_THING,
    W_REPEAT,
    W_BETWEEN,
    W_ISH,
    W_HOLIDAY, /* val = month * 100 + day */
    W_NEW,
    W_YEARPOSS,
    W_EVE,
};

enum unit { U_MINUTE, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_YEAR, U_FORTNIGHT, U_QUARTER };

#define LEXF_FUZZY  1 /* a typo one edit away reads as this word */
#define LEXF_ABBR   2 /* a short form that needs a date beside it ("sat", "jan") */
#define LEXF_PLURAL 4

struct lex_tok {
    int start, end; /* byte offsets in the text */
    enum tok_kind kind;
    bool space_before; /* whitespace (or the start) before it */
    enum word_id id;   /* TOK_WORD */
    int val;           /* TOK_NUM: its value (capped); TOK_PUNCT: the character; words: above */
    int ndigits;       /* TOK_NUM */
    unsigned flags;    /* LEXF_* */
};

/* Splits len bytes of text into at most max tokens; returns how many. */
int lex_tokenize(const char *text, size_t len, struct lex_tok *toks, int max);

#endif
