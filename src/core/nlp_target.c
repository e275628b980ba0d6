/* nlp_target.c - which task a message names (docs/assistant.md, "Targets") and which tasks
 * a list asks for ("Filters"): "task 3", "#3", "the 2nd one", "it", "all completed tasks",
 * "the groceries task". The parser only reads the words; the assistant resolves them
 * against the user's tasks (src/app/assistant_builtin.c). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/nlp_internal.h"
#include "core/task.h"

static int ordinal_value(const char *w)
{
    static const char *const words[] = {"first", "second",  "third",  "fourth", "fifth",
                                        "sixth", "seventh", "eighth", "ninth",  "tenth"};
    for (int i = 0; i < 10; i++)
        if (strcmp(w, words[i]) == 0)
            return i + 1;
    char *end;
    long v = strtol(w, &end, 10);
    if (end == w || v < 1 || v > 999)
        return 0;
    if (strcmp(end, "st") == 0 || strcmp(end, "nd") == 0 || strcmp(end, "rd") == 0 ||
        strcmp(end, "th") == 0)
        return (int)v;
    return 0;
}

static void set_id(struct nlp_ctx *x, int64_t id, bool ordinal)
{
    x->c->target = NLP_TARGET_ID;
    x->c->target_id = id;
    x->c->target_ordinal = ordinal;
}

static int number_word(const char *w)
{
    static const char *const words[] = {"one",     "two",       "three",    "four",     "five",
                                        "six",     "seven",     "eight",    "nine",     "ten",
                                        "eleven",  "twelve",    "thirteen", "fourteen", "fifteen",
                                        "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
    for (int i = 0; i < 20; i++)
        if (strcmp(w, words[i]) == 0)
            return i + 1;
    return 0;
}

/* "3's" ("task 3's title"): a task number with its possessive. */
static bool possessive_number(const struct nlp_tok *t)
{
    size_t n = strlen(t->w);
    if (t->kind != TK_WORD || n < 3 || strcmp(t->w + n - 2, "'s") != 0)
        return false;
    for (size_t k = 0; k + 2 < n; k++)
        if (t->w[k] < '0' || t->w[k] > '9')
            return false;
    return true;
}

/* "task 3", "#3", "number 3", "the 3rd one", "the second task": true when found. */
static bool target_id(struct nlp_ctx *x, int from, int to)
{
    for (int i = from; i < to; i++) {
        if (!nlp_live(x, i) && x->t[i].kind != TK_HASHNUM)
            continue;
        const struct nlp_tok *t = &x->t[i];
        if (t->kind == TK_HASHNUM) {
            set_id(x, strtoll(t->w, NULL, 10), false);
            nlp_consume(x, i, i + 1);
            return true;
        }
        int j = nlp_seq(x, i, "task|item|todo|number|no|id|# ?number|no|# ?.");
        if (j > i && j < to && (x->t[j].kind == TK_NUM || possessive_number(&x->t[j])) &&
            strlen(x->t[j].w) <= 12) { /* "task 3", "task 3's title" */
            set_id(x, strtoll(x->t[j].w, NULL, 10), false);
            nlp_consume(x, i, j + 1);
            return true;
        }
        int nw;
        if (j > i && j < to && x->t[j].kind == TK_WORD && (nw = number_word(x->t[j].w)) > 0 &&
            !nlp_tw(x, i, "#")) { /* "task nine" */
            set_id(x, nw, false);
            nlp_consume(x, i, j + 1);
            return true;
        }
        int ord = t->kind == TK_WORD ? ordinal_value(t->w) : 0;
        if (ord > 0 && (nlp_seq(x, i + 1, "one|task|item|todo|ones") == i + 2 || i + 1 == to ||
                        nlp_tw(x, i - 1, "the"))) {
            set_id(x, ord, true);
            nlp_consume(x, i, i + 1);
            return true;
        }
    }
    return false;
}

static const char *const pronouns[] = {"it",   "that", "this",     "them", "those", "these", "they",
                                       "both", "same", "previous", "last", "its",   "it's",  NULL};
static const char *const pronoun_noise[] = {
    "one",    "task", "tasks", "of",      "all",  "the",   "item",   "ones",    "todo", "just",
    "too",    "also", "now",   "as",      "well", "again", "please", "anymore", "more", "any",
    "longer", "up",   "back",  "forward", "out",  "off",   "over",   "a",       "an",   NULL};

/* "it", "that one", "all of them", "the last one": true when every live word is one. */
static bool target_previous(struct nlp_ctx *x, int from, int to)
{
    static const char *const plural[] = {"them", "those", "these", "they", "both", "all", NULL};
    bool any = false, many = false, last = false;
    for (int i = from; i < to; i++) {
        if (!nlp_live(x, i) || x->t[i].kind == TK_PUNCT)
            continue;
        if (x->t[i].kind != TK_WORD)
            return false;
        if (nlp_in_set(x->t[i].w, pronouns))
            any = true;
        else if (!nlp_in_set(x->t[i].w, pronoun_noise))
            return false;
        many = many || nlp_in_set(x->t[i].w, plural);
        last = last || !strcmp(x->t[i].w, "last");
    }
    x->c->target_plural = any && many;
    x->c->target_last = any && last && !many;
    return any;
}

static const char *const lead_noise[] = {
    "the",      "my",    "a",     "an",     "one",   "ones",       "task",       "tasks",
    "item",     "todo",  "about", "called", "named", "titled",     "for",        "with",
    "that",     "which", "is",    "on",     "of",    "to",         "regarding",  "re",
    "thing",    "entry", "i",     "said",   "says",  "mentioning", "containing", "labeled",
    "reminder", "our",   "your",  "any",    "some",  "off",        "up",         "as",
    "from",     "in",    "out",   "with",   "whole", "entire",     NULL};
static const char *const tail_noise[] = {
    "task", "tasks",   "item", "one", "todo", "thing", "entry", "please",  "now",   "already",
    "yet",  "finally", "off",  "too", "as",   "again", "from",  "my",      "the",   "on",
    "of",   "to",      "for",  "is",  "was",  "with",  "in",    "anymore", "today", NULL};

static const char *const all_noise[] = {
    "all",   "every",  "everything", "each",   "my",    "the",     "of",        "tasks", "task",
    "ones",  "one",    "items",      "item",   "todos", "todo",    "that",      "are",   "is",
    "which", "i",      "have",       "that's", "thats", "those",   "these",     "them",  "list",
    "whole", "entire", "in",         "on",     "from",  "single",  "to-dos",    "stuff", "things",
    "as",    "and",    "at",         "now",    "still", "already", "currently", "with",  NULL};

/* The words of an "all" that are no filter ("all my work tasks") narrow it as a query. */
static void all_query(struct nlp_ctx *x, int from, int to)
{
    struct nlp_filter *f = &x->c->filter;
    nlp_join_query(x, from, to, all_noise, true, f->q, sizeof f->q);
}

void nlp_target_all(struct nlp_ctx *x, int from, int to)
{
    struct nlp_command *c = x->c;
    struct nlp_filter *f = &c->filter;
    c->target = NLP_TARGET_ALL;
    nlp_parse_filter(x, from, to);
    all_query(x, from, to);
    if (f->status && strcmp(f->status, "all") == 0)
        f->status = NULL; /* "all my tasks": every task, the default */
    c->has_filter = f->status || f->due || f->n_tags || f->priority_mask || f->q[0] || f->sort;
}

void nlp_parse_target(struct nlp_ctx *x, int from, int to)
{
    struct nlp_command *c = x->c;
    assert(from >= 0 && to <= x->n);
    if (from >= to)
        return;
    for (int i = from; i < to; i++) /* several named at once: never act on a part of them */
        if (!nlp_live(x, i))        /* a date's words ("every other friday") name no task */
            continue;
        else if (nlp_seq(x, i, "but|except|excluding|besides|apart|other") == i + 1 ||
                 (nlp_seq(x, i, "and|,|&|plus") == i + 1 && i + 1 < to &&
                  (x->t[i + 1].kind == TK_HASHNUM || x->t[i + 1].kind == TK_NUM ||
                   nlp_seq(x, i + 1, "task|number|item") == i + 2))) {
            x->refused = true;
            return;
        }
    if (target_id(x, from, to))
        return;
    if (target_previous(x, from, to)) {
        c->target = NLP_TARGET_PREVIOUS;
        nlp_consume(x, from, to);
        return;
    }
    for (int i = from; i < to; i++)
        if (nlp_live(x, i) &&
            (nlp_tw(x, i, "all") || nlp_tw(x, i, "everything") || nlp_tw(x, i, "each") ||
             nlp_seq(x, i, "every ?single task|tasks|one|item|todo") > i + 1)) {
            nlp_target_all(x, from, to);
            nlp_consume(x, from, to);
            return;
        }
    int a = from, b = to;
    while (a < b && (!nlp_live(x, a) || x->t[a].kind == TK_PUNCT ||
                     (x->t[a].kind == TK_WORD && nlp_in_set(x->t[a].w, lead_noise))))
        a++;
    while (b > a && (!nlp_live(x, b - 1) || x->t[b - 1].kind == TK_PUNCT ||
                     (x->t[b - 1].kind == TK_WORD && nlp_in_set(x->t[b - 1].w, tail_noise))))
        b--;
    if (a == b)
        return;
    if (b == a + 1 && x->t[a].kind == TK_NUM && strlen(x->t[a].w) <= 12) {
        set_id(x, strtoll(x->t[a].w, NULL, 10), false); /* "complete 3" */
        nlp_consume(x, from, to);
        return;
    }
    size_t n = nlp_span_text(x, a, b, c->target_words, sizeof c->target_words);
    if (n > 2 && (!strcmp(c->target_words + n - 2, "'s") || !strcmp(c->target_words + n - 2, "s'")))
        c->target_words[n -= (c->target_words[n - 1] == 's' ? 2 : 1)] = '\0'; /* "the report's" */
    if (n > 0)
        c->target = NLP_TARGET_WORDS;
    nlp_consume(x, from, to);
}

/* --- list filters --- */

static void set_status(struct nlp_filter *f, const char *s)
{
    if (!f->status || strcmp(f->status, "all") == 0)
        f->status = s;
}

static int filter_status(struct nlp_ctx *x, int i)
{
    int j;
    struct nlp_filter *f = &x->c->filter;
    if ((j = nlp_seq(x, i, "not|un done|completed|complete|finished|yet")) > 0 ||
        (j = nlp_seq(x, i,
                     "haven't|havent|didn't|didnt|not ?yet ?done|finished|completed|"
                     "complete|do|finish|started")) > 0 ||
        (j = nlp_seq(x, i,
                     "pending|open|incomplete|unfinished|remaining|outstanding|active|"
                     "uncompleted|undone|left|todo|unchecked|ongoing")) > 0 ||
        (j = nlp_seq(x, i, "to do")) > 0 || (j = nlp_seq(x, i, "to-do")) > 0) {
        set_status(f, "pending");
        return j;
    }
    if ((j = nlp_seq(x, i, "completed|done|finished|complete|closed|checked|ticked")) > 0 ||
        (j = nlp_seq(x, i, "did i|we finish|complete|do|close")) > 0) {
        set_status(f, "completed");
        return j;
    }
    if ((j = nlp_seq(x, i, "all|everything|every")) > 0) {
        if (!f->status)
            f->status = "all";
        return j;
    }
    return -1;
}

static int filter_due(struct nlp_ctx *x, int i)
{
    int j;
    struct nlp_filter *f = &x->c->filter;
    static const struct {
        const char *pattern;
        const char *due;
    } forms[] = {
        {"overdue|late|missed|behind", "overdue"},
        {"past due", "overdue"},
        {"?due today|tonight|today's|todays", "today"},
        {"?for ?due tomorrow|tmrw|tmr|tomorrow's", "tomorrow"},
        {"?due this|the|next|coming week|week's", "week"},
        {"?due next 7|seven days", "week"},
        {"?due ?in ?the next few days", "week"},
        {"?due upcoming|soon|weekly", "week"},
        {"coming up", "week"},
        {"no|without ?a ?due date|deadline|dates|deadlines", "none"},
        {"not due", "none"},
        {"undated|unscheduled", "none"},
        {"with ?a ?due date|dates|deadline|deadlines", "any"},
        {"scheduled|dated", "any"},
    };
    if (nlp_seq(x, i - 1, "before|after|until|since|till|by") == i)
        return -1; /* "due after tomorrow": a bound, read as a date */
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
        if ((j = nlp_seq(x, i, forms[k].pattern)) > i) {
            f->due = forms[k].due;
            return j;
        }
    return -1;
}

static int filter_priority(struct nlp_ctx *x, int i)
{
    int j, p;
    struct nlp_filter *f = &x->c->filter;
    const struct nlp_tok *t = &x->t[i];
    if ((j = nlp_seq(x, i, "no|without priority")) > 0) {
        f->priority_mask |= 1u << PRIORITY_NONE;
        return j;
    }
    if (t->kind == TK_PRIO && (p = nlp_priority_word(t->w)) >= 0) {
        f->priority_mask |= 1u << p;
        return i + 1;
    }
    if (nlp_seq(x, i, "p1|p2|p3") == i + 1) {
        f->priority_mask |= 1u << (PRIORITY_HIGH - (t->w[1] - '1'));
        return i + 1;
    }
    if (t->kind != TK_WORD || strcmp(t->w, "none") == 0 || (p = nlp_priority_word(t->w)) < 0)
        goto hyphenated;
    if ((j = nlp_seq(x, i + 1, "priority|prio|pri|importance")) > 0 ||
        (j = nlp_seq(x, i + 1, "- priority")) > 0)
        ;
    else if (!strcmp(t->w, "urgent") || !strcmp(t->w, "important") || !strcmp(t->w, "critical"))
        j = i + 1;
    else if (nlp_seq(x, i + 1, "and|or|,") == i + 2 && i + 2 < x->n &&
             nlp_priority_word(x->t[i + 2].w) >= 0)
        j = i + 1;
    else if (nlp_seq(x, i + 1, "tasks|ones|items|stuff|todos") == i + 2)
        j = i + 1;
    else
        return -1;
    f->priority_mask |= 1u << p;
    return j;
hyphenated:
    if (t->kind == TK_WORD && (p = nlp_hyphen_priority(t->w)) >= 0) { /* "low-priority" */
        f->priority_mask |= 1u << p;
        return i + 1;
    }
    return -1;
}

static bool filter_word(const struct nlp_ctx *x, int i)
{
    static const char *const words[] = {
        "due",     "today",   "tomorrow", "high",   "low",   "medium", "priority", "completed",
        "pending", "overdue", "by",       "sorted", "tasks", "that",   "which",    NULL};
    return i >= x->n || x->t[i].kind != TK_WORD || nlp_in_set(x->t[i].w, words);
}

static int filter_tags(struct nlp_ctx *x, int i, int to)
{
    int j;
    struct nlp_filter *f = &x->c->filter;
    if (x->t[i].kind == TK_TAG) {
        nlp_add_tag(f->tags, &f->n_tags, x->text + x->t[i].s, x->t[i].e - x->t[i].s);
        return i + 1;
    }
    if ((j = nlp_seq(x, i, "tagged|labeled|labelled|label|tag|tags ?with|as")) < 0 &&
        (j = nlp_seq(x, i, "with|under|in ?the tag|tags|label|category")) < 0)
        return -1;
    int n0 = f->n_tags;
    while (j < to && !filter_word(x, j)) {
        nlp_add_tag(f->tags, &f->n_tags, x->text + x->t[j].s, x->t[j].e - x->t[j].s);
        j++;
        int k = nlp_seq(x, j, "and|or|,");
        if (k < 0 || filter_word(x, k))
            break;
        j = k;
    }
    return f->n_tags > n0 ? j : -1;
}

static int filter_sort(struct nlp_ctx *x, int i)
{
    int j;
    struct nlp_filter *f = &x->c->filter;
    static const struct {
        const char *pattern;
        const char *sort;
    } forms[] = {
        {"?sorted|ordered|order|sort by|on due|date|deadline|dates ?date", "due_at"},
        {"soonest|earliest first", "due_at"},
        {"?sorted|ordered|order|sort by priority|importance", "-priority"},
        {"most important|urgent first", "-priority"},
        {"newest|latest|recent ?ones first", "-created_at"},
        {"most recent|recently added|created", "-created_at"},
        {"oldest ?ones first", "created_at"},
        {"alphabetically|alphabetical|a-z", "title"},
        {"?sorted|ordered|order|sort by title|name", "title"},
        {"recently updated|changed|modified", "-updated_at"},
    };
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
        if ((j = nlp_seq(x, i, forms[k].pattern)) > i + (forms[k].pattern[0] == '?')) {
            f->sort = forms[k].sort;
            return j;
        }
    return -1;
}

bool nlp_parse_filter(struct nlp_ctx *x, int from, int to)
{
    struct nlp_filter *f = &x->c->filter;
    for (int i = from; i < to; i++) {
        if (!nlp_live(x, i) && x->t[i].kind != TK_TAG)
            continue;
        int j;
        if ((j = filter_sort(x, i)) < 0 && (j = filter_due(x, i)) < 0 &&
            (j = filter_status(x, i)) < 0 && (j = filter_priority(x, i)) < 0 &&
            (j = filter_tags(x, i, to)) < 0)
            continue;
        if (j > to)
            j = to;
        nlp_consume(x, i, j);
        i = j - 1;
    }
    return f->status || f->due || f->n_tags || f->priority_mask || f->sort;
}
