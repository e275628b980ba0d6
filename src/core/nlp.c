/* nlp.c - the built-in assistant's parser (docs/assistant.md): tokens, word patterns, the
 * target a message names, list filters and the command's JSON form. The intent rules are in
 * nlp_rules.c. One idea: a rule never copies text; it marks the tokens it consumed, and what
 * is left of a span, as typed, is the title, the description or the target's words. No
 * allocation except the JSON. */
#include "core/nlp.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "core/nlp_internal.h"
#include "core/task.h"
#include "core/tz.h"

/* --- tokens --- */

static bool is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v' ||
           ch == 0;
}

/* Punctuation that always ends a word; ':', '.' and '!' end one unless a letter or digit
 * follows ("9:30", "24.12", "!high"). */
static bool is_hard_punct(unsigned char ch)
{
    return ch && strchr(",;?()[]{}\"", ch) != NULL;
}

/* Byte length of a typographic quote at p ("“” ‘ ’"), or 0. */
static int curly_quote(const char *p, const char *end, bool *dbl)
{
    if (end - p >= 3 && (unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80) {
        unsigned char c = (unsigned char)p[2];
        if (c == 0x9C || c == 0x9D || c == 0x98 || c == 0x99) {
            *dbl = c == 0x9C || c == 0x9D;
            return 3;
        }
    }
    return 0;
}

/* The quote mark at i: 1 straight double, 2 straight single, 3 curly double, 4 curly
 * single (left or right); 0 none. *n gets its byte length. */
static int quote_kind(const char *s, size_t len, size_t i, size_t *n)
{
    bool dbl;
    *n = 1;
    if (s[i] == '"')
        return 1;
    if (s[i] == '\'')
        return 2;
    int cl = curly_quote(s + i, s + len, &dbl);
    *n = (size_t)cl;
    return cl ? (dbl ? 3 : 4) : 0;
}

/* A quoted title at i ("...", '...', “...”): sets the inside span and returns the index
 * after the closing quote, or 0 when it is not one. */
static size_t quote_at(const char *s, size_t len, size_t i, size_t *in_s, size_t *in_e)
{
    size_t ql, cl;
    int open = quote_kind(s, len, i, &ql);
    if (!open || (i > 0 && !is_space((unsigned char)s[i - 1]) && !strchr(":(", s[i - 1])))
        return 0;
    bool dbl = open == 1 || open == 3;
    for (size_t j = i + ql; j < len; j++) {
        int close = quote_kind(s, len, j, &cl);
        if (!close || (close == 1 || close == 3) != dbl)
            continue;
        size_t after = j + cl;
        if (!dbl && after < len && isalnum((unsigned char)s[after]))
            continue; /* an apostrophe ("mom's") */
        if (j == i + ql)
            return 0;
        *in_s = i + ql;
        *in_e = j;
        return after;
    }
    return 0;
}

static void tok_lower(struct nlp_tok *t, const char *s, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t k = from; k < to && n + 1 < NLP_WORD_MAX; k++) {
        bool d;
        if (curly_quote(s + k, s + to, &d) && !d) { /* ’ as an apostrophe */
            t->w[n++] = '\'';
            k += 2;
            continue;
        }
        t->w[n++] = (char)tolower((unsigned char)s[k]);
    }
    t->w[n] = '\0';
}

static void tok_classify(struct nlp_tok *t, const char *s)
{
    size_t n = (size_t)(t->e - t->s);
    const char *p = s + t->s;
    bool digits = n > 0;
    for (size_t k = 0; k < n; k++)
        digits = digits && isdigit((unsigned char)p[k]);
    t->kind = digits ? TK_NUM : TK_WORD;
    bool quotes = n > 0;
    for (size_t k = 0; k < n; k++)
        quotes = quotes && (p[k] == '\'' || p[k] == '"');
    if (quotes) { /* a stray '' */
        t->kind = TK_PUNCT;
        t->w[0] = '"', t->w[1] = '\0';
        return;
    }
    if (n > 1 && (p[0] == '#' || p[0] == '!')) {
        bool rest_digits = true;
        for (size_t k = 1; k < n; k++)
            rest_digits = rest_digits && isdigit((unsigned char)p[k]);
        if (p[0] == '#' && !rest_digits && n >= 4 && p[n - 2] == '\'' && p[n - 1] == 's') {
            rest_digits = true; /* "#3's due date": task 3 */
            for (size_t k = 1; k + 2 < n; k++)
                rest_digits = rest_digits && isdigit((unsigned char)p[k]);
        }
        if (p[0] == '#')
            t->kind = rest_digits ? TK_HASHNUM : TK_TAG;
        else
            t->kind = TK_PRIO;
        memmove(t->w, t->w + 1, strlen(t->w));
    }
}

static size_t word_end(const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j < len) {
        unsigned char ch = (unsigned char)s[j];
        bool d;
        if (is_space(ch) || is_hard_punct(ch) || (curly_quote(s + j, s + len, &d) && d))
            break;
        if (strchr(":.!", ch) && !(j + 1 < len && isalnum((unsigned char)s[j + 1])))
            break;
        j++;
    }
    return j;
}

void nlp_tokenize(struct nlp_ctx *x)
{
    const char *s = x->text;
    size_t i = 0, len = x->len;
    x->n = 0;
    while (i < len && x->n < NLP_MAX_TOKENS) {
        struct nlp_tok *t = &x->t[x->n];
        size_t qs, qe, after;
        if (is_space((unsigned char)s[i])) {
            i++;
        } else if ((after = quote_at(s, len, i, &qs, &qe))) {
            t->s = (uint16_t)qs, t->e = (uint16_t)qe, t->kind = TK_QUOTE;
            tok_lower(t, s, qs, qe);
            x->n++;
            i = after;
        } else {
            size_t e = word_end(s, len, i);
            if (e == i) { /* punctuation (a stray quote too) */
                bool d;
                int cl = curly_quote(s + i, s + len, &d);
                e = i + (cl ? (size_t)cl : 1);
                t->kind = TK_PUNCT;
                t->w[0] = cl ? '"' : s[i], t->w[1] = '\0';
            } else {
                tok_lower(t, s, i, e);
                t->s = (uint16_t)i, t->e = (uint16_t)e;
                tok_classify(t, s);
            }
            t->s = (uint16_t)i, t->e = (uint16_t)e;
            x->n++;
            i = e;
        }
    }
}

/* --- matching --- */

/* True when a and b differ by at most one insertion, deletion, substitution or swap of
 * two neighbours. */
bool nlp_one_typo(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > lb + 1 || lb > la + 1)
        return false;
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (i == la && i == lb)
        return true;
    if (la == lb) {
        if (strcmp(a + i + 1, b + i + 1) == 0)
            return true;
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               strcmp(a + i + 2, b + i + 2) == 0;
    }
    return la > lb ? strcmp(a + i + 1, b + i) == 0 : strcmp(a + i, b + i + 1) == 0;
}

bool nlp_tw(const struct nlp_ctx *x, int i, const char *w)
{
    if (i < 0 || i >= x->n || x->t[i].kind == TK_QUOTE)
        return false;
    const char *tw = x->t[i].w;
    if (w[0] == '~') {
        w++;
        if (strcmp(tw, w) == 0)
            return true;
        return strlen(w) >= 5 && strlen(tw) >= 4 && x->t[i].kind == TK_WORD && nlp_one_typo(tw, w);
    }
    return strcmp(tw, w) == 0;
}

static bool skippable(const struct nlp_ctx *x, int i)
{
    return i < x->n && x->t[i].kind == TK_PUNCT && x->t[i].w[0] == ',';
}

/* Matches one slot ("a|an|the", "~delete") at token i. */
static bool slot_match(const struct nlp_ctx *x, int i, const char *slot, size_t n)
{
    char alt[NLP_WORD_MAX + 1];
    const char *p = slot, *end = slot + n;
    while (p < end) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *ae = bar ? bar : end;
        size_t an = (size_t)(ae - p);
        if (an < sizeof alt) {
            memcpy(alt, p, an);
            alt[an] = '\0';
            if (nlp_tw(x, i, alt))
                return true;
        }
        p = ae + 1;
    }
    return false;
}

int nlp_seq(const struct nlp_ctx *x, int i, const char *pattern)
{
    assert(pattern);
    const char *p = pattern;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool optional = *p == '?';
        const char *slot = optional ? p + 1 : p;
        size_t sn = optional ? n - 1 : n;
        int j = i;
        while (j >= 0 && j < x->n && (x->gone[j] || (j > 0 && skippable(x, j))))
            j++;
        if (j < x->n && slot_match(x, j, slot, sn))
            i = j + 1;
        else if (!optional)
            return -1;
        p += n;
    }
    return i;
}

int nlp_find(const struct nlp_ctx *x, int from, int to, const char *pattern, int *after)
{
    for (int i = from; i < to; i++) {
        int j = nlp_seq(x, i, pattern);
        if (j > i && j <= to) {
            if (after)
                *after = j;
            return i;
        }
    }
    return -1;
}

void nlp_consume(struct nlp_ctx *x, int from, int to)
{
    for (int i = from; i < to && i < x->n; i++)
        if (i >= 0)
            x->gone[i] = 1;
}

bool nlp_live(const struct nlp_ctx *x, int i)
{
    if (i < 0 || i >= x->n || x->gone[i])
        return false;
    return !x->used[x->t[i].s];
}

bool nlp_in_set(const char *w, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(w, set[i]) == 0)
            return true;
    return false;
}

void nlp_join_query(const struct nlp_ctx *x, int from, int to, const char *const *noise,
                    bool words_only, char *q, size_t cap)
{
    assert(x && noise && q && cap > 0);
    size_t n = 0;
    for (int i = from; i < to; i++) {
        const struct nlp_tok *t = &x->t[i];
        if (!nlp_live(x, i) || (words_only ? t->kind != TK_WORD : t->kind == TK_PUNCT) ||
            nlp_in_set(t->w, noise))
            continue;
        size_t tl = (size_t)(t->e - t->s);
        if (n + tl + 2 >= cap)
            break;
        if (n)
            q[n++] = ' ';
        memcpy(q + n, x->text + t->s, tl);
        n += tl;
    }
    q[n] = '\0';
}

/* --- dates --- */

/* Token i is a task number ("task 3", "#3", "number 3") or a position ("the 3rd one"). */
static bool is_id_number(const struct nlp_ctx *x, int i)
{
    size_t n = strlen(x->t[i].w);
    if (x->t[i].kind == TK_WORD && n >= 3 && isdigit((unsigned char)x->t[i].w[0]) &&
        strchr("snrt", x->t[i].w[n - 2]) && nlp_seq(x, i + 1, "one|ones|task|item|todo") == i + 2)
        return true;
    if (x->t[i].kind == TK_HASHNUM)
        return true;
    if (x->t[i].kind != TK_NUM)
        return false;
    return nlp_seq(x, i - 1, "task|item|todo|number|no|id|#|tasks") == i ||
           (i >= 2 && nlp_seq(x, i - 2, "task|item|todo number|no|#") == i);
}

void nlp_read_when(struct nlp_ctx *x, int from, int to)
{
    char buf[NLP_TEXT_MAX];
    if (x->n == 0 || from >= to)
        return;
    size_t s = x->t[from].s, e = x->t[to - 1].e;
    if (x->t[to - 1].kind == TK_QUOTE && e < x->len)
        e++;
    for (int i = to; i < x->n && x->t[i].kind == TK_PUNCT && x->t[i].s == e; i++)
        e = x->t[i].e; /* "24.12." keeps its dot */
    memcpy(buf, x->text, x->len);
    for (int i = 0; i < x->n; i++) {
        struct nlp_tok *t = &x->t[i];
        bool blank = t->kind == TK_QUOTE || t->kind == TK_TAG || t->kind == TK_PRIO ||
                     t->kind == TK_HASHNUM || is_id_number(x, i) ||
                     (x->gone[i] && t->kind != TK_PUNCT);
        if (blank)
            memset(buf + t->s, ' ', (size_t)(t->e - t->s));
        if (t->kind == TK_QUOTE) { /* the quote marks too */
            size_t qs = t->s > 0 ? t->s - 1 : 0;
            while (qs > 0 && (unsigned char)buf[qs] >= 0x80 && (unsigned char)buf[qs] < 0xC0)
                qs--;
            for (size_t k = qs; k < t->s; k++)
                buf[k] = ' ';
            for (size_t k = t->e; k < x->len && k < (size_t)t->e + 3; k++) {
                if ((unsigned char)buf[k] < 0x80 && buf[k] != '"' && buf[k] != '\'')
                    break;
                buf[k] = ' ';
            }
        }
    }
    unsigned char used[NLP_TEXT_MAX];
    memset(used, 0, e - s);
    struct nlp_when w;
    int n = nlp_when_read(buf + s, e - s, x->now_ms, x->tz, &w, used);
    x->when_done = true;
    if (n <= 0)
        return;
    x->c->when = w;
    for (size_t k = 0; k < e - s; k++)
        if (used[k])
            x->used[s + k] = 1;
    for (int i = from; i < to; i++)
        if (x->t[i].kind != TK_QUOTE && x->used[x->t[i].s])
            for (size_t k = x->t[i].s; k < x->t[i].e; k++)
                x->used[k] = 1;
}

/* --- spans of text --- */

static bool dangling(const char *w)
{
    static const char *const words[] = {
        "on", "at", "by",   "for",   "due",   "to",       "and",    "in",    "from", "the", "a",
        "an", "of", "with", "every", "until", "starting", "before", "after", "is",   "are", NULL};
    for (int i = 0; words[i]; i++)
        if (strcmp(w, words[i]) == 0)
            return true;
    return false;
}

/* Token i is the particle of a phrasal verb ("weigh in", "check in", "log on", "sign in"):
 * part of the title, not a preposition left dangling (docs/assistant.md, "Titles"). */
static bool phrasal_particle(const struct nlp_ctx *x, int i, int from)
{
    assert(x && i >= from && i < x->n);
    static const char *const in_verbs[] = {
        "weigh", "check", "log",  "sign", "clock", "hand", "turn",   "fill",  "plug", "move",
        "drop",  "call",  "dial", "tune", "chip",  "cash", "phone",  "lock",  "kick", "break",
        "give",  "pitch", "join", "hop",  "dig",   "tuck", "settle", "login", NULL};
    static const char *const on_verbs[] = {"log",    "sign",  "check", "follow", "turn",
                                           "try",    "catch", "carry", "hold",   "hang",
                                           "switch", "pass",  "put",   NULL};
    int v = i - 1;
    while (v >= from && !nlp_live(x, v))
        v--;
    if (v < from || x->t[v].kind != TK_WORD)
        return false;
    const char *const *verbs = !strcmp(x->t[i].w, "in")   ? in_verbs
                               : !strcmp(x->t[i].w, "on") ? on_verbs
                                                          : NULL;
    for (int k = 0; verbs && verbs[k]; k++)
        if (!strcmp(x->t[v].w, verbs[k]))
            return true;
    return false;
}

static bool trim_punct(const struct nlp_tok *t)
{
    return (t->kind == TK_PUNCT && t->w[0] != '(' && t->w[0] != ')') ||
           (t->kind == TK_WORD && (!strcmp(t->w, "-") || !strcmp(t->w, "--") ||
                                   !strcmp(t->w, "\xE2\x80\x93") || !strcmp(t->w, "\xE2\x80\x94")));
}

size_t nlp_span_text(const struct nlp_ctx *x, int from, int to, char *out, size_t outsz)
{
    assert(outsz > 0);
    int a = from, b = to;
    while (a < b && (!nlp_live(x, a) || trim_punct(&x->t[a])))
        a++;
    while (b > a && (!nlp_live(x, b - 1) || trim_punct(&x->t[b - 1]) ||
                     (x->t[b - 1].kind == TK_WORD && dangling(x->t[b - 1].w) &&
                      !phrasal_particle(x, b - 1, a))))
        b--;
    size_t n = 0;
    for (int i = a; i < b; i++) {
        if (!nlp_live(x, i))
            continue;
        const struct nlp_tok *t = &x->t[i];
        bool glue = t->kind == TK_PUNCT && strchr(",.;:!?)", t->w[0]);
        if (n > 0 && !glue && n + 1 < outsz && out[n - 1] != '(')
            out[n++] = ' ';
        size_t tl = (size_t)(t->e - t->s);
        if (n + tl >= outsz)
            break;
        memcpy(out + n, x->text + t->s, tl);
        n += tl;
    }
    out[n] = '\0';
    return n;
}

/* --- priorities and tags --- */

int nlp_priority_word(const char *w)
{
    static const struct {
        const char *w;
        int p;
    } words[] = {
        {"high", PRIORITY_HIGH},     {"urgent", PRIORITY_HIGH},     {"important", PRIORITY_HIGH},
        {"top", PRIORITY_HIGH},      {"critical", PRIORITY_HIGH},   {"highest", PRIORITY_HIGH},
        {"medium", PRIORITY_MEDIUM}, {"normal", PRIORITY_MEDIUM},   {"mid", PRIORITY_MEDIUM},
        {"med", PRIORITY_MEDIUM},    {"moderate", PRIORITY_MEDIUM}, {"low", PRIORITY_LOW},
        {"lowest", PRIORITY_LOW},    {"minor", PRIORITY_LOW},       {"none", PRIORITY_NONE}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(w, words[i].w) == 0)
            return words[i].p;
    return -1;
}

int nlp_hyphen_priority(const char *w)
{
    const char *dash = strchr(w, '-');
    char head[16];
    size_t n = dash ? (size_t)(dash - w) : 0;
    if (!dash || n == 0 || n >= sizeof head || strncmp(dash + 1, "prio", 4) != 0)
        return -1;
    memcpy(head, w, n);
    head[n] = '\0';
    return nlp_priority_word(head);
}

void nlp_add_tag(char tags[][NLP_TAG_MAX], int *n, const char *s, size_t len)
{
    while (len > 0 && (s[0] == '#' || s[0] == ','))
        s++, len--;
    while (len > 0 && strchr(",.;:!?", s[len - 1]))
        len--;
    if (len == 0 || len >= NLP_TAG_MAX || *n >= NLP_MAX_TAGS)
        return;
    char tag[NLP_TAG_MAX];
    for (size_t k = 0; k < len; k++)
        tag[k] = (char)tolower((unsigned char)s[k]);
    tag[len] = '\0';
    for (int i = 0; i < *n; i++)
        if (strcmp(tags[i], tag) == 0)
            return;
    memcpy(tags[(*n)++], tag, len + 1);
}

/* True when a word the date reader used names a day ("tomorrow", "friday", "12/24", "in"),
 * not only a time of day ("at 7pm", "noon"). */
static bool dated_words(const struct nlp_ctx *x)
{
    static const char *const days[] = {
        "today",     "tonight", "tomorrow", "tmrw",    "tmr",       "mon",    "monday",   "tue",
        "tues",      "tuesday", "wed",      "weds",    "wednesday", "thu",    "thur",     "thurs",
        "thursday",  "fri",     "friday",   "sat",     "saturday",  "sun",    "sunday",   "jan",
        "january",   "feb",     "february", "mar",     "march",     "apr",    "april",    "may",
        "jun",       "june",    "jul",      "july",    "aug",       "august", "sep",      "sept",
        "september", "oct",     "october",  "nov",     "november",  "dec",    "december", "next",
        "this",      "week",    "weeks",    "weekend", "month",     "months", "year",     "years",
        "day",       "days",    "in",       "end",     "eom",       "eow",    "eoy",      "after",
        "from",      NULL};
    for (int i = 0; i < x->n; i++) {
        const struct nlp_tok *t = &x->t[i];
        if (!x->used[t->s] || t->kind == TK_PUNCT)
            continue;
        for (int k = 0; days[k]; k++)
            if (!strcmp(t->w, days[k]))
                return true;
        size_t n = strlen(t->w);
        if (strpbrk(t->w, "/-") || (n > 2 && isdigit((unsigned char)t->w[0]) &&
                                    (!strcmp(t->w + n - 2, "st") || !strcmp(t->w + n - 2, "nd") ||
                                     !strcmp(t->w + n - 2, "rd") || !strcmp(t->w + n - 2, "th"))))
            return true;
        if (strchr(t->w, '.') && !strchr(t->w, ':')) /* "24.12" */
            return true;
    }
    return false;
}

/* --- the command and its JSON form --- */

const char *nlp_intent_name(int intent)
{
    static const char *const names[] = {"unknown", "add",    "list", "complete", "reopen",
                                        "delete",  "update", "help", "confirm",  "cancel"};
    return intent >= 0 && intent <= NLP_CANCEL ? names[intent] : "unknown";
}

static void command_init(struct nlp_command *c)
{
    memset(c, 0, sizeof *c);
    c->priority = -1;
}

bool nlp_parse(const char *text, size_t len, int64_t now_ms, const char *tz,
               struct nlp_command *out)
{
    assert(out && (text || len == 0));
    command_init(out);
    if (len > NLP_TEXT_MAX || !utf8_valid(text, len))
        return false;
    struct nlp_ctx *x = &(struct nlp_ctx){0};
    x->text = text;
    x->len = len;
    x->now_ms = now_ms;
    x->tz = tz;
    x->c = out;
    nlp_tokenize(x);
    nlp_rules_run(x);
    out->due_time_only =
        out->when.has_due && !out->when.all_day && !out->when.rrule[0] && !dated_words(x);
    for (int i = 0; i < out->when.n_reminders; i++) {
        int off = 0;
        if (!out->when.reminders[i].relative &&
            tz_offset_at(tz ? tz : "UTC", out->when.reminders[i].at_ms / 1000, &off) != 0)
            off = 0;
        out->reminder_offset_s[i] = off;
    }
    return true;
}

static json_t *str_array(const char (*v)[NLP_TAG_MAX], int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i])); /* steals the new string */
    return a;
}

static json_t *reminders_json(const struct nlp_command *c)
{
    const struct nlp_when *w = &c->when;
    json_t *a = json_array();
    for (int i = 0; i < w->n_reminders; i++) {
        const struct nlp_reminder *r = &w->reminders[i];
        char buf[64];
        if (r->relative) {
            duration_format_iso8601(r->before_ms, buf, sizeof buf);
            json_array_append_new(a, json_pack("{s:s}", "before", buf));
        } else {
            struct nlp_when at = {
                .has_due = true, .due_ms = r->at_ms, .due_offset_s = c->reminder_offset_s[i]};
            char local[40];
            nlp_when_due_rfc3339(&at, local);
            json_array_append_new(a, json_pack("{s:s}", "at", local));
        }
    }
    return a;
}

static json_t *filter_json(const struct nlp_filter *f)
{
    static const char *const pnames[] = {"none", "low", "medium", "high"};
    json_t *o = json_object();
    if (f->status)
        json_object_set_new(o, "status", json_string(f->status));
    if (f->priority_mask) {
        json_t *a = json_array();
        for (int p = PRIORITY_HIGH; p >= PRIORITY_NONE; p--)
            if (f->priority_mask & (1u << p))
                json_array_append_new(a, json_string(pnames[p]));
        json_object_set_new(o, "priority", a);
    }
    if (f->n_tags)
        json_object_set_new(o, "tags", str_array(f->tags, f->n_tags));
    if (f->due)
        json_object_set_new(o, "due", json_string(f->due));
    if (f->q[0])
        json_object_set_new(o, "q", json_string(f->q));
    if (f->sort)
        json_object_set_new(o, "sort", json_string(f->sort));
    return o;
}

static json_t *target_json(const struct nlp_command *c)
{
    switch (c->target) {
    case NLP_TARGET_ID:
        return json_pack("{s:I}", "id", (json_int_t)c->target_id);
    case NLP_TARGET_WORDS:
        return json_pack("{s:s}", "words", c->target_words);
    case NLP_TARGET_PREVIOUS:
        return json_pack("{s:b}", "previous", 1);
    case NLP_TARGET_ALL:
        return json_pack("{s:b}", "all", 1);
    default:
        return NULL;
    }
}

static json_t *clear_json(unsigned clear)
{
    static const char *const names[] = {"due", "recurrence", "reminders", "description", "tags"};
    json_t *a = json_array();
    for (int i = 0; i < 5; i++)
        if (clear & (1u << i))
            json_array_append_new(a, json_string(names[i]));
    return a;
}

json_t *nlp_command_json(const struct nlp_command *c)
{
    static const char *const pnames[] = {"none", "low", "medium", "high"};
    char due[40];
    nlp_when_due_rfc3339(&c->when, due);
    json_t *o = json_object();
    json_object_set_new(o, "intent", json_string(nlp_intent_name(c->intent)));
    json_object_set_new(o, "title", c->has_title ? json_string(c->title) : json_null());
    json_object_set_new(o, "due", c->when.has_due && due[0] ? json_string(due) : json_null());
    json_object_set_new(o, "all_day", json_boolean(c->when.has_due && c->when.all_day));
    json_object_set_new(o, "rrule", c->when.rrule[0] ? json_string(c->when.rrule) : json_null());
    json_object_set_new(o, "from_completion", json_boolean(c->when.from_completion));
    if (c->has_description)
        json_object_set_new(o, "description", json_string(c->description));
    if (c->priority >= PRIORITY_NONE && c->priority <= PRIORITY_HIGH)
        json_object_set_new(o, "priority", json_string(pnames[c->priority]));
    if (c->n_tags)
        json_object_set_new(o, "tags", str_array(c->tags, c->n_tags));
    if (c->n_remove_tags)
        json_object_set_new(o, "remove_tags", str_array(c->remove_tags, c->n_remove_tags));
    if (c->when.n_reminders)
        json_object_set_new(o, "reminders", reminders_json(c));
    json_t *target = target_json(c);
    if (target)
        json_object_set_new(o, "target", target);
    if (c->has_filter)
        json_object_set_new(o, "filter", filter_json(&c->filter));
    if (c->clear)
        json_object_set_new(o, "clear", clear_json(c->clear));
    return o;
}

json_t *nlp_parse_json(const char *text, size_t len, int64_t now_ms, const char *tz)
{
    struct nlp_command c;
    nlp_parse(text, len, now_ms, tz, &c);
    json_t *o = nlp_command_json(&c);
    if (!o)
        abort();
    return o;
}
