/* nlp_when_lex.c - the date reader's tokenizer and vocabulary: splits a message into words,
 * numbers and punctuation, and gives each word of the date vocabulary its meaning; a typo of
 * a long vocabulary word (one edit: a letter added, dropped, changed or two swapped; two for
 * a weekday, month or "tomorrow" of 8 letters or more) reads as the word when only one word
 * is that close (docs/assistant-time.md, "Typos"). */
#include "core/nlp_when_lex.h"

#include <assert.h>
#include <string.h>

struct lex_entry {
    const char *word;
    unsigned char len;
    short id;
    short val;
    unsigned char flags;
};

#define FZ LEXF_FUZZY
#define AB LEXF_ABBR
#define PL LEXF_PLURAL

static const struct lex_entry lexicon[] = {
    /* months: val = 1..12; abbreviations need a day beside them like the full names */
    {"january", 7, W_MONTHNAME, 1, FZ},
    {"jan", 3, W_MONTHNAME, 1, AB},
    {"february", 8, W_MONTHNAME, 2, FZ},
    {"feb", 3, W_MONTHNAME, 2, AB},
    {"febuary", 7, W_MONTHNAME, 2, 0},
    {"march", 5, W_MONTHNAME, 3, 0},
    {"mar", 3, W_MONTHNAME, 3, AB},
    {"april", 5, W_MONTHNAME, 4, 0},
    {"apr", 3, W_MONTHNAME, 4, AB},
    {"may", 3, W_MONTHNAME, 5, 0},
    {"june", 4, W_MONTHNAME, 6, 0},
    {"jun", 3, W_MONTHNAME, 6, AB},
    {"july", 4, W_MONTHNAME, 7, 0},
    {"jul", 3, W_MONTHNAME, 7, AB},
    {"august", 6, W_MONTHNAME, 8, FZ},
    {"aug", 3, W_MONTHNAME, 8, AB},
    {"september", 9, W_MONTHNAME, 9, FZ},
    {"sep", 3, W_MONTHNAME, 9, AB},
    {"sept", 4, W_MONTHNAME, 9, AB},
    {"october", 7, W_MONTHNAME, 10, FZ},
    {"oct", 3, W_MONTHNAME, 10, AB},
    {"november", 8, W_MONTHNAME, 11, FZ},
    {"nov", 3, W_MONTHNAME, 11, AB},
    {"december", 8, W_MONTHNAME, 12, FZ},
    {"dec", 3, W_MONTHNAME, 12, AB},
    /* weekdays: val = 0 (Monday) .. 6 */
    {"monday", 6, W_WDAY, 0, FZ},
    {"mondays", 7, W_WDAY, 0, PL},
    {"mon", 3, W_WDAY, 0, AB},
    {"tuesday", 7, W_WDAY, 1, FZ},
    {"tuesdays", 8, W_WDAY, 1, PL},
    {"tue", 3, W_WDAY, 1, AB},
    {"tues", 4, W_WDAY, 1, AB},
    {"wednesday", 9, W_WDAY, 2, FZ},
    {"wednesdays", 10, W_WDAY, 2, PL},
    {"wed", 3, W_WDAY, 2, AB},
    {"weds", 4, W_WDAY, 2, AB},
    {"thursday", 8, W_WDAY, 3, FZ},
    {"thursdays", 9, W_WDAY, 3, PL},
    {"thu", 3, W_WDAY, 3, AB},
    {"thur", 4, W_WDAY, 3, AB},
    {"thurs", 5, W_WDAY, 3, AB},
    {"friday", 6, W_WDAY, 4, FZ},
    {"fridays", 7, W_WDAY, 4, PL},
    {"fri", 3, W_WDAY, 4, AB},
    {"saturday", 8, W_WDAY, 5, FZ},
    {"saturdays", 9, W_WDAY, 5, PL},
    {"sat", 3, W_WDAY, 5, AB},
    {"sunday", 6, W_WDAY, 6, FZ},
    {"sundays", 7, W_WDAY, 6, PL},
    {"sun", 3, W_WDAY, 6, AB},
    /* relative days */
    {"today", 5, W_TODAY, 0, FZ},
    {"tonight", 7, W_TONIGHT, 0, FZ},
    {"tonite", 6, W_TONIGHT, 0, 0},
    {"tomorrow", 8, W_TOMORROW, 0, FZ},
    {"tmrw", 4, W_TOMORROW, 0, 0},
    {"tmr", 3, W_TOMORROW, 0, 0},
    {"tmrow", 5, W_TOMORROW, 0, 0},
    {"tommorow", 8, W_TOMORROW, 0, 0},
    {"tommorrow", 9, W_TOMORROW, 0, 0},
    {"tomorow", 7, W_TOMORROW, 0, 0},
    {"tomoz", 5, W_TOMORROW, 0, 0},
    {"2morrow", 7, W_TOMORROW, 0, 0},
    {"2moro", 5, W_TOMORROW, 0, 0},
    /* units */
    {"minute", 6, W_UNIT, U_MINUTE, FZ},
    {"minutes", 7, W_UNIT, U_MINUTE, FZ | PL},
    {"min", 3, W_UNIT, U_MINUTE, 0},
    {"mins", 4, W_UNIT, U_MINUTE, PL},
    {"hour", 4, W_UNIT, U_HOUR, 0},
    {"hours", 5, W_UNIT, U_HOUR, FZ | PL},
    {"hr", 2, W_UNIT, U_HOUR, 0},
    {"hrs", 3, W_UNIT, U_HOUR, PL},
    {"h", 1, W_UNIT, U_HOUR, AB},
    {"m", 1, W_UNIT, U_MINUTE, AB},
    {"d", 1, W_UNIT, U_DAY, AB},
    {"day", 3, W_UNIT, U_DAY, 0},
    {"days", 4, W_UNIT, U_DAY, PL},
    {"week", 4, W_UNIT, U_WEEK, 0},
    {"weeks", 5, W_UNIT, U_WEEK, PL},
    {"wk", 2, W_UNIT, U_WEEK, 0},
    {"wks", 3, W_UNIT, U_WEEK, PL},
    {"month", 5, W_UNIT, U_MONTH, 0},
    {"months", 6, W_UNIT, U_MONTH, PL},
    {"year", 4, W_UNIT, U_YEAR, 0},
    {"years", 5, W_UNIT, U_YEAR, PL},
    {"yr", 2, W_UNIT, U_YEAR, 0},
    {"yrs", 3, W_UNIT, U_YEAR, PL},
    {"fortnight", 9, W_UNIT, U_FORTNIGHT, FZ},
    {"fortnights", 10, W_UNIT, U_FORTNIGHT, PL},
    {"quarter", 7, W_UNIT, U_QUARTER, 0},
    {"quarters", 8, W_UNIT, U_QUARTER, PL},
    {"weekday", 7, W_WEEKDAY, 0, FZ},
    {"weekdays", 8, W_WEEKDAY, 0, FZ | PL},
    {"weekend", 7, W_WEEKEND, 0, FZ},
    {"weekends", 8, W_WEEKEND, 0, FZ | PL},
    /* times of day */
    {"noon", 4, W_PART, PART_NOON, 0},
    {"midday", 6, W_PART, PART_NOON, FZ},
    {"morning", 7, W_PART, PART_MORNING, FZ},
    {"mornings", 8, W_PART, PART_MORNING, PL},
    {"afternoon", 9, W_PART, PART_AFTERNOON, FZ},
    {"afternoons", 10, W_PART, PART_AFTERNOON, PL},
    {"evening", 7, W_PART, PART_EVENING, FZ},
    {"evenings", 8, W_PART, PART_EVENING, PL},
    {"night", 5, W_PART, PART_NIGHT, 0},
    {"nights", 6, W_PART, PART_NIGHT, PL},
    {"eod", 3, W_PART, PART_EOD, 0},
    {"cob", 3, W_PART, PART_EOD, 0},
    {"midnight", 8, W_MIDNIGHT, 0, FZ},
    {"am", 2, W_AM, 0, 0},
    {"pm", 2, W_PM, 0, 0},
    {"o'clock", 7, W_OCLOCK, 0, 0},
    {"oclock", 6, W_OCLOCK, 0, 0},
    {"eow", 3, W_EOX, DAY_EOW, 0},
    {"eom", 3, W_EOX, DAY_EOM, 0},
    {"eoy", 3, W_EOX, DAY_EOY, 0},
    /* repeats */
    {"every", 5, W_EVERY, 0, FZ},
    {"evry", 4, W_EVERY, 0, 0},
    {"evrey", 5, W_EVERY, 0, 0},
    {"everyday", 8, W_ADVERB, FREQ_DAILY, 0},
    {"each", 4, W_EVERY, 0, 0},
    {"other", 5, W_OTHER, 0, 0},
    {"alternate", 9, W_OTHER, 0, 0},
    {"daily", 5, W_ADVERB, FREQ_DAILY, 0},
    {"weekly", 6, W_ADVERB, FREQ_WEEKLY, 0},
    {"monthly", 7, W_ADVERB, FREQ_MONTHLY, 0},
    {"yearly", 6, W_ADVERB, FREQ_YEARLY, 0},
    {"annually", 8, W_ADVERB, FREQ_YEARLY, FZ},
    {"hourly", 6, W_ADVERB, FREQ_HOURLY, 0},
    {"biweekly", 8, W_ADVERB, -FREQ_WEEKLY, FZ},
    {"fortnightly", 11, W_ADVERB, -FREQ_WEEKLY, FZ},
    {"quarterly", 9, W_ADVERB, -FREQ_MONTHLY, FZ},
    {"times", 5, W_TIMES, 0, 0},
    {"until", 5, W_UNTIL, 0, FZ},
    {"till", 4, W_UNTIL, 0, 0},
    {"til", 3, W_UNTIL, 0, 0},
    {"through", 7, W_UNTIL, 0, 0},
    {"thru", 4, W_UNTIL, 0, 0},
    {"starting", 8, W_STARTING, 0, 0},
    {"beginning", 9, W_STARTING, 0, 0},
    {"from", 4, W_FROM, 0, 0},
    {"after", 5, W_AFTER, 0, 0},
    {"before", 6, W_BEFORE, 0, 0},
    {"early", 5, W_EARLY, 0, 0},
    {"earlier", 7, W_EARLY, 0, 0},
    {"prior", 5, W_EARLY, 0, 0},
    {"ahead", 5, W_EARLY, 0, 0},
    {"finish", 6, W_FINISH, 0, 0},
    {"finished", 8, W_FINISH, 0, 0},
    {"finishing", 9, W_FINISH, 0, 0},
    {"complete", 8, W_FINISH, 0, 0},
    {"completed", 9, W_FINISH, 0, 0},
    {"completing", 10, W_FINISH, 0, 0},
    {"completion", 10, W_FINISH, 0, 0},
    {"done", 4, W_FINISH, 0, 0},
    {"do", 2, W_DO, 0, 0},
    {"it", 2, W_IT, 0, 0},
    {"this", 4, W_THIS, 0, 0},
    {"that", 4, W_IT, 0, 0},
    {"them", 4, W_IT, 0, 0},
    {"i", 1, W_I, 0, 0},
    {"i'm", 3, W_IM, 0, 0},
    {"im", 2, W_IM, 0, 0},
    {"when", 4, W_WHEN, 0, 0},
    {"once", 4, W_WHEN, 0, 0},
    {"is", 2, W_IS, 0, 0},
    {"it's", 4, W_IM, 0, 0},
    {"remind", 6, W_REMIND, 0, FZ},
    {"alert", 5, W_REMIND, 0, 0},
    {"notify", 6, W_REMIND, 0, 0},
    {"ping", 4, W_REMIND, 0, 0},
    {"me", 2, W_ME, 0, 0},
    {"reminder", 8, W_REMINDER, 0, FZ},
    {"reminders", 9, W_REMINDER, 0, PL},
    {"last", 4, W_ORDW, -1, 0},
    {"first", 5, W_ORDW, 1, 0},
    {"second", 6, W_ORDW, 2, 0},
    {"third", 5, W_ORDW, 3, 0},
    {"fourth", 6, W_ORDW, 4, 0},
    {"fifth", 5, W_ORDW, 5, 0},
    /* numbers */
    {"a", 1, W_A, 1, 0},
    {"an", 2, W_A, 1, 0},
    {"one", 3, W_NUMW, 1, 0},
    {"two", 3, W_NUMW, 2, 0},
    {"three", 5, W_NUMW, 3, 0},
    {"four", 4, W_NUMW, 4, 0},
    {"five", 4, W_NUMW, 5, 0},
    {"six", 3, W_NUMW, 6, 0},
    {"seven", 5, W_NUMW, 7, 0},
    {"eight", 5, W_NUMW, 8, 0},
    {"nine", 4, W_NUMW, 9, 0},
    {"ten", 3, W_NUMW, 10, 0},
    {"eleven", 6, W_NUMW, 11, 0},
    {"twelve", 6, W_NUMW, 12, 0},
    {"fifteen", 7, W_NUMW, 15, 0},
    {"twenty", 6, W_NUMW, 20, 0},
    {"thirty", 6, W_NUMW, 30, 0},
    {"forty", 5, W_NUMW, 40, 0},
    {"fifty", 5, W_NUMW, 50, 0},
    {"ninety", 6, W_NUMW, 90, 0},
    {"couple", 6, W_COUPLE, 2, 0},
    {"few", 3, W_COUPLE, 3, 0},
    {"half", 4, W_HALF, 0, 0},
    {"st", 2, W_ORDSUF, 0, 0},
    {"nd", 2, W_ORDSUF, 0, 0},
    {"rd", 2, W_ORDSUF, 0, 0},
    {"th", 2, W_ORDSUF, 0, 0},
    /* structure words */
    {"in", 2, W_IN, 0, 0},
    {"within", 6, W_IN, 0, 0},
    {"at", 2, W_AT, 0, 0},
    {"on", 2, W_ON, 0, 0},
    {"by", 2, W_BY, 0, 0},
    {"due", 3, W_DUE, 0, 0},
    {"around", 6, W_AT, 0, 0},
    {"next", 4, W_NEXT, 0, 0},
    {"coming", 6, W_THIS, 0, 0},
    {"the", 3, W_THE, 0, 0},
    {"of", 2, W_OF, 0, 0},
    {"end", 3, W_END, 0, 0},
    {"now", 3, W_NOW, 0, 0},
    {"later", 5, W_LATER, 0, 0},
    {"and", 3, W_AND, 0, 0},
    {"or", 2, W_AND, 0, 0},
    {"for", 3, W_FOR, 0, 0},
    {"over", 4, W_OVER, 0, 0},
    {"close", 5, W_CLOSE, 0, 0},
    {"business", 8, W_BUSINESS, 0, 0},
    {"to", 2, W_TO, 0, 0},
    {"weekley", 7, W_ADVERB, FREQ_WEEKLY, 0},
    {"monthy", 6, W_ADVERB, FREQ_MONTHLY, 0},
    {"montly", 6, W_ADVERB, FREQ_MONTHLY, 0},
    {"dialy", 5, W_ADVERB, FREQ_DAILY, 0},
    {"yearley", 7, W_ADVERB, FREQ_YEARLY, 0},
    {"nite", 4, W_PART, PART_NIGHT, 0},
    {"evey", 4, W_EVERY, 0, 0},
    {"eveyr", 5, W_EVERY, 0, 0},
    {"b4", 2, W_BEFORE, 0, 0},
    {"bfr", 3, W_BEFORE, 0, 0},
    {"nxt", 3, W_NEXT, 0, 0},
    {"following", 9, W_NEXT, 0, 0},
    {"morn", 4, W_PART, PART_MORNING, 0},
    {"2nite", 5, W_TONIGHT, 0, 0},
    {"wknd", 4, W_WEEKEND, 0, 0},
    {"wknds", 5, W_WEEKEND, 0, PL},
    {"wkday", 5, W_WEEKDAY, 0, 0},
    {"wkdays", 6, W_WEEKDAY, 0, PL},
    {"between", 7, W_BETWEEN, 0, 0},
    {"ish", 3, W_ISH, 0, 0},
    {"sharp", 5, W_ISH, 0, 0},
    {"sometime", 8, W_LATER, 0, 0},
    {"christmas", 9, W_HOLIDAY, 1225, 0},
    {"xmas", 4, W_HOLIDAY, 1225, 0},
    {"halloween", 9, W_HOLIDAY, 1031, 0},
    {"valentine's", 11, W_HOLIDAY, 214, 0},
    {"valentines", 10, W_HOLIDAY, 214, 0},
    {"nye", 3, W_HOLIDAY, 1231, 0},
    {"new", 3, W_NEW, 0, 0},
    {"year's", 6, W_YEARPOSS, 0, 0},
    {"eve", 3, W_EVE, 0, 0},
    {"past", 4, W_PAST, 0, 0},
    {"time", 4, W_TIMEWORD, 0, 0},
    {"thing", 5, W_THING, 0, 0},
    {"repeat", 6, W_REPEAT, 0, 0},
    {"repeats", 7, W_REPEAT, 0, 0},
    {"repeating", 9, W_REPEAT, 0, 0},
    {"recurring", 9, W_REPEAT, 0, 0},
    {"i've", 4, W_I, 0, 0},
    {"ive", 3, W_I, 0, 0},
    {"lunchtime", 9, W_PART, PART_NOON, 0},
    {"about", 5, W_FUNC, 0, 0},
    {"with", 4, W_WITH, 0, 0},
    {"please", 6, W_FUNC, 0, 0},
    {"then", 4, W_FUNC, 0, 0},
    {"so", 2, W_FUNC, 0, 0},
    {"but", 3, W_FUNC, 0, 0},
    {"re", 2, W_FUNC, 0, 0},
    {"regarding", 9, W_FUNC, 0, 0},
    {"pls", 3, W_FUNC, 0, 0},
    {"plz", 3, W_FUNC, 0, 0},
    {"if", 2, W_FUNC, 0, 0},
    {"again", 5, W_FUNC, 0, 0},
    {"he", 2, W_FUNC, 0, 0},
    {"she", 3, W_FUNC, 0, 0},
    {"they", 4, W_FUNC, 0, 0},
    {"w", 1, W_WITH, 0, 0}, /* "w/ Sam" */
    {"you", 3, W_YOU, 0, 0},
    {"we", 2, W_I, 0, 0},
    {"week's", 6, W_UNIT, U_WEEK, 0},
};

/* Real words one edit away from a vocabulary word: never read as it. */
static const char *const not_typos[] = {"sundae",   "mourning", "mondays",
                                        "evenings", "toddy",    "toady"};

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

/* Optimal string alignment distance <= 2 (the "wendsday" kind: a swap and a letter
 * dropped). */
static bool within_two_edits(const char *a, size_t la, const char *b, size_t lb)
{
    enum { M = LEX_WORD_MAX + 1 };
    unsigned char d[M][M];
    if (la >= M || lb >= M || la > lb + 2 || lb > la + 2)
        return false;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned char)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned char)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            v = d[i - 1][j] + 1u < v ? d[i - 1][j] + 1u : v;
            v = d[i][j - 1] + 1u < v ? d[i][j - 1] + 1u : v;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1u < v)
                v = d[i - 2][j - 2] + 1u;
            d[i][j] = (unsigned char)v;
        }
    return d[la][lb] <= 2;
}

/* A name of 8 letters or more (a weekday, a month, "tomorrow") typed two edits away, with
 * its first letter right ("wendsday", "thrusdya"): the names people misspell most; other
 * words (and shorter ones) take one edit only, as real words lie two edits from them
 * ("quarters", "warning"). */
static const struct lex_entry *lookup_two_edits(const struct lex_entry *lexicon_, size_t n,
                                                const char *w, size_t len)
{
    const struct lex_entry *found = NULL;
    assert(lexicon_ && w);
    if (len < 7)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        const struct lex_entry *e = &lexicon_[k];
        bool name = e->id == W_WDAY || e->id == W_MONTHNAME || e->id == W_TOMORROW;
        if (!(e->flags & LEXF_FUZZY) || !name || e->len < 8 || e->word[0] != w[0] ||
            !within_two_edits(w, len, e->word, e->len))
            continue;
        if (found && (found->id != e->id || found->val != e->val))
            return NULL;
        found = e;
    }
    return found;
}

static const struct lex_entry *lookup(const char *w, size_t len)
{
    enum { N = sizeof lexicon / sizeof lexicon[0] };
    for (size_t k = 0; k < N; k++)
        if (lexicon[k].len == len && memcmp(lexicon[k].word, w, len) == 0)
            return &lexicon[k];
    if (len < 5)
        return NULL;
    for (size_t k = 0; k < sizeof not_typos / sizeof not_typos[0]; k++)
        if (strlen(not_typos[k]) == len && memcmp(not_typos[k], w, len) == 0)
            return NULL;
    const struct lex_entry *found = NULL;
    for (size_t k = 0; k < N; k++) {
        const struct lex_entry *e = &lexicon[k];
        size_t el = e->len;
        if (!(e->flags & LEXF_FUZZY) || !within_one_edit(w, len, e->word, el))
            continue;
        if (found && (found->id != e->id || found->val != e->val))
            return NULL; /* two words are that close: not a typo we can read */
        found = e;
    }
    return found ? found : lookup_two_edits(lexicon, N, w, len);
}

/* U+2019 (the apostrophe phones type) at text[i]. */
static bool curly_apostrophe(const char *text, size_t len, size_t i)
{
    return i + 2 < len && (unsigned char)text[i] == 0xE2 && (unsigned char)text[i + 1] == 0x80 &&
           (unsigned char)text[i + 2] == 0x99;
}

/* A digits-and-letters run that is a vocabulary word as it stands ("2nite"). */
static bool lookup_exact_lower(const char *w, size_t len)
{
    char low[LEX_WORD_MAX];
    if (len >= LEX_WORD_MAX)
        return false;
    for (size_t k = 0; k < len; k++)
        low[k] = (w[k] >= 'A' && w[k] <= 'Z') ? (char)(w[k] - 'A' + 'a') : w[k];
    enum { N = sizeof lexicon / sizeof lexicon[0] };
    for (size_t k = 0; k < N; k++)
        if (lexicon[k].len == len && memcmp(lexicon[k].word, low, len) == 0)
            return true;
    return false;
}

static void word_token(struct lex_tok *t, const char *text)
{
    char w[LEX_WORD_MAX];
    size_t end = (size_t)t->end, len = 0;
    t->id = W_UNKNOWN;
    for (size_t k = (size_t)t->start; k < end; k++) {
        if (len + 1 >= LEX_WORD_MAX)
            return;
        char c = text[k];
        if (curly_apostrophe(text, end, k)) {
            c = '\'';
            k += 2;
        }
        w[len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
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
        size_t wend = i;
        while (wend < len &&
               (is_digit((unsigned char)text[wend]) || is_alpha((unsigned char)text[wend])))
            wend++;
        bool mixed = false;
        for (size_t k = i; k < wend; k++)
            mixed |= is_digit((unsigned char)text[k]) != is_digit(c);
        if (mixed && lookup_exact_lower(text + i, wend - i)) {
            t->kind = TOK_WORD; /* "2nite", "2moro", "b4" */
            i = wend;
        } else if (is_digit(c)) {
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
            while (i < len) {
                if (is_alpha((unsigned char)text[i]) ||
                    (text[i] == '\'' && i + 1 < len && is_alpha((unsigned char)text[i + 1])))
                    i++;
                else if (curly_apostrophe(text, len, i) && i + 3 < len &&
                         is_alpha((unsigned char)text[i + 3]))
                    i += 3; /* "I’ve", "o’clock" */
                else
                    break;
            }
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
