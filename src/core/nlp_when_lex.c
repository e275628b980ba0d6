/* nlp_when_lex.c - the date reader's tokenizer and vocabulary: splits a message into words,
 * numbers and punctuation, and gives each word of the date vocabulary its meaning; a typo of
 * a long vocabulary word (one edit: a letter added, dropped, changed or two swapped) reads as
 * the word when only one word is that close (docs/assistant-time.md, "Typos"). */
#include "core/nlp_when_lex.h"

#include <assert.h>
#include <string.h>

struct lex_entry {
    const char *word;
    short id;
    short val;
    unsigned char flags;
};

#define FZ LEXF_FUZZY
#define AB LEXF_ABBR
#define PL LEXF_PLURAL

static const struct lex_entry lexicon[] = {
    /* months: val = 1..12; abbreviations need a day beside them like the full names */
    {"january", W_MONTHNAME, 1, FZ},
    {"jan", W_MONTHNAME, 1, AB},
    {"february", W_MONTHNAME, 2, FZ},
    {"feb", W_MONTHNAME, 2, AB},
    {"febuary", W_MONTHNAME, 2, 0},
    {"march", W_MONTHNAME, 3, 0},
    {"mar", W_MONTHNAME, 3, AB},
    {"april", W_MONTHNAME, 4, 0},
    {"apr", W_MONTHNAME, 4, AB},
    {"may", W_MONTHNAME, 5, 0},
    {"june", W_MONTHNAME, 6, 0},
    {"jun", W_MONTHNAME, 6, AB},
    {"july", W_MONTHNAME, 7, 0},
    {"jul", W_MONTHNAME, 7, AB},
    {"august", W_MONTHNAME, 8, FZ},
    {"aug", W_MONTHNAME, 8, AB},
    {"september", W_MONTHNAME, 9, FZ},
    {"sep", W_MONTHNAME, 9, AB},
    {"sept", W_MONTHNAME, 9, AB},
    {"october", W_MONTHNAME, 10, FZ},
    {"oct", W_MONTHNAME, 10, AB},
    {"november", W_MONTHNAME, 11, FZ},
    {"nov", W_MONTHNAME, 11, AB},
    {"december", W_MONTHNAME, 12, FZ},
    {"dec", W_MONTHNAME, 12, AB},
    /* weekdays: val = 0 (Monday) .. 6 */
    {"monday", W_WDAY, 0, FZ},
    {"mondays", W_WDAY, 0, PL},
    {"mon", W_WDAY, 0, AB},
    {"tuesday", W_WDAY, 1, FZ},
    {"tuesdays", W_WDAY, 1, PL},
    {"tue", W_WDAY, 1, AB},
    {"tues", W_WDAY, 1, AB},
    {"wednesday", W_WDAY, 2, FZ},
    {"wednesdays", W_WDAY, 2, PL},
    {"wed", W_WDAY, 2, AB},
    {"weds", W_WDAY, 2, AB},
    {"thursday", W_WDAY, 3, FZ},
    {"thursdays", W_WDAY, 3, PL},
    {"thu", W_WDAY, 3, AB},
    {"thur", W_WDAY, 3, AB},
    {"thurs", W_WDAY, 3, AB},
    {"friday", W_WDAY, 4, FZ},
    {"fridays", W_WDAY, 4, PL},
    {"fri", W_WDAY, 4, AB},
    {"saturday", W_WDAY, 5, FZ},
    {"saturdays", W_WDAY, 5, PL},
    {"sat", W_WDAY, 5, AB},
    {"sunday", W_WDAY, 6, FZ},
    {"sundays", W_WDAY, 6, PL},
    {"sun", W_WDAY, 6, AB},
    /* relative days */
    {"today", W_TODAY, 0, 0},
    {"tonight", W_TONIGHT, 0, FZ},
    {"tonite", W_TONIGHT, 0, 0},
    {"tomorrow", W_TOMORROW, 0, FZ},
    {"tmrw", W_TOMORROW, 0, 0},
    {"tmr", W_TOMORROW, 0, 0},
    {"tmrow", W_TOMORROW, 0, 0},
    {"tommorow", W_TOMORROW, 0, 0},
    {"tommorrow", W_TOMORROW, 0, 0},
    {"tomorow", W_TOMORROW, 0, 0},
    {"tomoz", W_TOMORROW, 0, 0},
    {"2morrow", W_TOMORROW, 0, 0},
    {"2moro", W_TOMORROW, 0, 0},
    /* units */
    {"minute", W_UNIT, U_MINUTE, FZ},
    {"minutes", W_UNIT, U_MINUTE, FZ | PL},
    {"min", W_UNIT, U_MINUTE, 0},
    {"mins", W_UNIT, U_MINUTE, PL},
    {"hour", W_UNIT, U_HOUR, 0},
    {"hours", W_UNIT, U_HOUR, PL},
    {"hr", W_UNIT, U_HOUR, 0},
    {"hrs", W_UNIT, U_HOUR, PL},
    {"h", W_UNIT, U_HOUR, AB},
    {"day", W_UNIT, U_DAY, 0},
    {"days", W_UNIT, U_DAY, PL},
    {"week", W_UNIT, U_WEEK, 0},
    {"weeks", W_UNIT, U_WEEK, PL},
    {"wk", W_UNIT, U_WEEK, 0},
    {"wks", W_UNIT, U_WEEK, PL},
    {"month", W_UNIT, U_MONTH, 0},
    {"months", W_UNIT, U_MONTH, PL},
    {"year", W_UNIT, U_YEAR, 0},
    {"years", W_UNIT, U_YEAR, PL},
    {"yr", W_UNIT, U_YEAR, 0},
    {"yrs", W_UNIT, U_YEAR, PL},
    {"fortnight", W_UNIT, U_FORTNIGHT, FZ},
    {"fortnights", W_UNIT, U_FORTNIGHT, PL},
    {"quarter", W_UNIT, U_QUARTER, 0},
    {"quarters", W_UNIT, U_QUARTER, PL},
    {"weekday", W_WEEKDAY, 0, FZ},
    {"weekdays", W_WEEKDAY, 0, FZ | PL},
    {"weekend", W_WEEKEND, 0, FZ},
    {"weekends", W_WEEKEND, 0, FZ | PL},
    /* times of day */
    {"noon", W_PART, PART_NOON, 0},
    {"midday", W_PART, PART_NOON, FZ},
    {"morning", W_PART, PART_MORNING, FZ},
    {"mornings", W_PART, PART_MORNING, PL},
    {"afternoon", W_PART, PART_AFTERNOON, FZ},
    {"afternoons", W_PART, PART_AFTERNOON, PL},
    {"evening", W_PART, PART_EVENING, FZ},
    {"evenings", W_PART, PART_EVENING, PL},
    {"night", W_PART, PART_NIGHT, 0},
    {"nights", W_PART, PART_NIGHT, PL},
    {"eod", W_PART, PART_EOD, 0},
    {"cob", W_PART, PART_EOD, 0},
    {"midnight", W_MIDNIGHT, 0, FZ},
    {"am", W_AM, 0, 0},
    {"pm", W_PM, 0, 0},
    {"o'clock", W_OCLOCK, 0, 0},
    {"oclock", W_OCLOCK, 0, 0},
    {"eow", W_EOX, DAY_EOW, 0},
    {"eom", W_EOX, DAY_EOM, 0},
    {"eoy", W_EOX, DAY_EOY, 0},
    /* repeats */
    {"every", W_EVERY, 0, 0},
    {"each", W_EVERY, 0, 0},
    {"other", W_OTHER, 0, 0},
    {"alternate", W_OTHER, 0, 0},
    {"daily", W_ADVERB, FREQ_DAILY, 0},
    {"weekly", W_ADVERB, FREQ_WEEKLY, 0},
    {"monthly", W_ADVERB, FREQ_MONTHLY, 0},
    {"yearly", W_ADVERB, FREQ_YEARLY, 0},
    {"annually", W_ADVERB, FREQ_YEARLY, FZ},
    {"hourly", W_ADVERB, FREQ_HOURLY, 0},
    {"biweekly", W_ADVERB, -FREQ_WEEKLY, FZ},
    {"fortnightly", W_ADVERB, -FREQ_WEEKLY, FZ},
    {"quarterly", W_ADVERB, -FREQ_MONTHLY, FZ},
    {"times", W_TIMES, 0, 0},
    {"until", W_UNTIL, 0, 0},
    {"till", W_UNTIL, 0, 0},
    {"til", W_UNTIL, 0, 0},
    {"through", W_UNTIL, 0, 0},
    {"thru", W_UNTIL, 0, 0},
    {"starting", W_STARTING, 0, 0},
    {"beginning", W_STARTING, 0, 0},
    {"from", W_FROM, 0, 0},
    {"after", W_AFTER, 0, 0},
    {"before", W_BEFORE, 0, 0},
    {"early", W_EARLY, 0, 0},
    {"earlier", W_EARLY, 0, 0},
    {"prior", W_EARLY, 0, 0},
    {"ahead", W_EARLY, 0, 0},
    {"finish", W_FINISH, 0, 0},
    {"finished", W_FINISH, 0, 0},
    {"finishing", W_FINISH, 0, 0},
    {"complete", W_FINISH, 0, 0},
    {"completed", W_FINISH, 0, 0},
    {"completing", W_FINISH, 0, 0},
    {"completion", W_FINISH, 0, 0},
    {"done", W_FINISH, 0, 0},
    {"do", W_DO, 0, 0},
    {"it", W_IT, 0, 0},
    {"this", W_THIS, 0, 0},
    {"that", W_IT, 0, 0},
    {"them", W_IT, 0, 0},
    {"i", W_I, 0, 0},
    {"i'm", W_IM, 0, 0},
    {"im", W_IM, 0, 0},
    {"when", W_WHEN, 0, 0},
    {"once", W_WHEN, 0, 0},
    {"is", W_IS, 0, 0},
    {"it's", W_IM, 0, 0},
    {"remind", W_REMIND, 0, FZ},
    {"alert", W_REMIND, 0, 0},
    {"notify", W_REMIND, 0, 0},
    {"ping", W_REMIND, 0, 0},
    {"me", W_ME, 0, 0},
    {"reminder", W_REMINDER, 0, FZ},
    {"reminders", W_REMINDER, 0, PL},
    {"last", W_ORDW, -1, 0},
    {"first", W_ORDW, 1, 0},
    {"second", W_ORDW, 2, 0},
    {"third", W_ORDW, 3, 0},
    {"fourth", W_ORDW, 4, 0},
    {"fifth", W_ORDW, 5, 0},
    /* numbers */
    {"a", W_A, 1, 0},
    {"an", W_A, 1, 0},
    {"one", W_NUMW, 1, 0},
    {"two", W_NUMW, 2, 0},
    {"three", W_NUMW, 3, 0},
    {"four", W_NUMW, 4, 0},
    {"five", W_NUMW, 5, 0},
    {"six", W_NUMW, 6, 0},
    {"seven", W_NUMW, 7, 0},
    {"eight", W_NUMW, 8, 0},
    {"nine", W_NUMW, 9, 0},
    {"ten", W_NUMW, 10, 0},
    {"eleven", W_NUMW, 11, 0},
    {"twelve", W_NUMW, 12, 0},
    {"fifteen", W_NUMW, 15, 0},
    {"twenty", W_NUMW, 20, 0},
    {"thirty", W_NUMW, 30, 0},
    {"forty", W_NUMW, 40, 0},
    {"fifty", W_NUMW, 50, 0},
    {"ninety", W_NUMW, 90, 0},
    {"couple", W_COUPLE, 2, 0},
    {"few", W_COUPLE, 3, 0},
    {"half", W_HALF, 0, 0},
    {"st", W_ORDSUF, 0, 0},
    {"nd", W_ORDSUF, 0, 0},
    {"rd", W_ORDSUF, 0, 0},
    {"th", W_ORDSUF, 0, 0},
    /* structure words */
    {"in", W_IN, 0, 0},
    {"within", W_IN, 0, 0},
    {"at", W_AT, 0, 0},
    {"on", W_ON, 0, 0},
    {"by", W_BY, 0, 0},
    {"due", W_DUE, 0, 0},
    {"around", W_AT, 0, 0},
    {"next", W_NEXT, 0, 0},
    {"coming", W_THIS, 0, 0},
    {"the", W_THE, 0, 0},
    {"of", W_OF, 0, 0},
    {"end", W_END, 0, 0},
    {"now", W_NOW, 0, 0},
    {"later", W_LATER, 0, 0},
    {"and", W_AND, 0, 0},
    {"or", W_AND, 0, 0},
    {"for", W_FOR, 0, 0},
    {"over", W_OVER, 0, 0},
    {"close", W_CLOSE, 0, 0},
    {"business", W_BUSINESS, 0, 0},
    {"to", W_FUNC, 0, 0},
    {"about", W_FUNC, 0, 0},
    {"with", W_FUNC, 0, 0},
    {"please", W_FUNC, 0, 0},
    {"then", W_FUNC, 0, 0},
    {"so", W_FUNC, 0, 0},
    {"but", W_FUNC, 0, 0},
    {"you", W_YOU, 0, 0},
    {"we", W_I, 0, 0},
    {"week's", W_UNIT, U_WEEK, 0},
};

/* Real words one edit away from a vocabulary word: never read as it. */
static const char *const not_typos[] = {"sundae", "mourning", "mondays", "evenings"};

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Optimal string alignment distance <= 1 (one insertion, deletion, substitution or swap). */
static bool within_one_edit(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > lb + 1 || lb > la + 1)
        return false;
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (i == la && i == lb)
        return true;
    if (la == lb) {
        if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
            return true;
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               memcmp(a + i + 2, b + i + 2, la - i - 2) == 0;
    }
    if (la > lb)
        return memcmp(a + i + 1, b + i, la - i - 1) == 0;
    return memcmp(a + i, b + i + 1, lb - i - 1) == 0;
}

static const struct lex_entry *lookup(const char *w, size_t len)
{
    enum { N = sizeof lexicon / sizeof lexicon[0] };
    for (size_t k = 0; k < N; k++)
        if (strlen(lexicon[k].word) == len && memcmp(lexicon[k].word, w, len) == 0)
            return &lexicon[k];
    if (len < 5)
        return NULL;
    for (size_t k = 0; k < sizeof not_typos / sizeof not_typos[0]; k++)
        if (strlen(not_typos[k]) == len && memcmp(not_typos[k], w, len) == 0)
            return NULL;
    const struct lex_entry *found = NULL;
    for (size_t k = 0; k < N; k++) {
        const struct lex_entry *e = &lexicon[k];
        size_t el = strlen(e->word);
        if (!(e->flags & LEXF_FUZZY) || el < 6 || !within_one_edit(w, len, e->word, el))
            continue;
        if (found && (found->id != e->id || found->val != e->val))
            return NULL; /* two words are that close: not a typo we can read */
        found = e;
    }
    return found;
}

static void word_token(struct lex_tok *t, const char *text)
{
    char w[LEX_WORD_MAX];
    size_t len = (size_t)(t->end - t->start);
    t->id = W_UNKNOWN;
    if (len >= LEX_WORD_MAX)
        return;
    for (size_t k = 0; k < len; k++) {
        char c = text[t->start + (int)k];
        w[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    const struct lex_entry *e = lookup(w, len);
    if (e) {
        t->id = e->id;
        t->val = e->val;
        t->flags = e->flags;
    }
}

int lex_tokenize(const char *text, size_t len, struct lex_tok *toks, int max)
{
    assert(text || len == 0);
    int n = 0;
    size_t i = 0;
    bool space = true;
    while (i < len && n < max) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            i++;
            continue;
        }
        struct lex_tok *t = &toks[n];
        memset(t, 0, sizeof *t);
        t->start = (int)i;
        t->space_before = space;
        space = false;
        if (is_digit(c)) {
            long v = 0;
            while (i < len && is_digit((unsigned char)text[i])) {
                if (v < 100000)
                    v = v * 10 + (text[i] - '0');
                i++;
            }
            t->kind = TOK_NUM;
            t->val = (int)v;
            t->ndigits = (int)(i - (size_t)t->start);
        } else if (is_alpha(c)) {
            while (i < len &&
                   (is_alpha((unsigned char)text[i]) ||
                    (text[i] == '\'' && i + 1 < len && is_alpha((unsigned char)text[i + 1]))))
                i++;
            t->kind = TOK_WORD;
        } else if (c >= 0x80) {
            while (i < len && (unsigned char)text[i] >= 0x80)
                i++; /* a non-ASCII run is one unknown word */
            t->kind = TOK_WORD;
        } else {
            t->kind = TOK_PUNCT;
            t->val = c;
            i++;
        }
        t->end = (int)i;
        if (t->kind == TOK_WORD)
            word_token(t, text);
        n++;
    }
    return n;
}
