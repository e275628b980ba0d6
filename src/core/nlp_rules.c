/* nlp_rules.c - the intents (docs/assistant.md, "Intents"): a message is polite words, then
 * a lead (the verb phrase: "add", "remind me to", "mark ... as done", "get rid of"), then
 * what the lead takes (a title, a target, fields, a filter). Leads are tried in table order,
 * longest forms first; a message without one may still be a list ("overdue tasks"), a
 * statement about a task ("task 3 is done") or a quick-add line ("buy milk #shopping"). */
#include <assert.h>
#include <ctype.h>
#include <string.h>

#include "core/nlp_internal.h"
#include "core/task.h"

enum mode {
    M_ADD = 1,
    M_ADD_GENERIC, /* add/create/put: a task, or a note/tag/reminder to an existing one */
    M_LIST,
    M_SEARCH,
    M_QUESTION,
    M_COMPLETE,
    M_CHECK,
    M_MARK,
    M_REOPEN,
    M_DELETE,
    M_RENAME,
    M_CHANGE,
    M_MOVE,
    M_TAG,
    M_UNTAG,
    M_PRIO_UP,
    M_PRIO_DOWN,
    M_NOREPEAT,
    M_STOP_FROM, /* "stop task 4 from repeating" */
    M_REPEAT,
    M_NOTE,
    M_REMIND
};

static const struct lead {
    const char *pattern;
    int mode;
} leads[] = {
    {"~remind me to|that|:", M_ADD},
    {"~remind me", M_REMIND},
    {"i need|want|have to ~remember to", M_ADD},
    {"~remember to|that", M_ADD},
    {"don't|dont|never forget to", M_ADD},
    {"do not forget to", M_ADD},
    {"note to self ?:|-|,", M_ADD},
    {"set|create|add|make ?a|an|me ?new reminder|alarm to|that", M_ADD},
    {"make a|an|me ?new task|todo|to-do|note ?to|for|:", M_ADD},
    {"i|we must|should|need|can't|cannot not|never ~forget|~remember ?to|about", M_ADD},
    {"i|we ?really|definitely|seriously|actually|also|still|just|totally|probably|"
     "absolutely|honestly|urgently|desperately "
     "need|have|got|gotta to",
     M_ADD},
    {"i|we ?really|definitely|seriously|actually|also|still|just|totally|probably|"
     "absolutely|honestly|urgently|desperately "
     "need|gotta|must|should",
     M_ADD},
    {"i've|ive|we've got to", M_ADD},
    {"need|have|got to", M_ADD},
    {"gotta|must", M_ADD},
    {"don't|dont let me forget to", M_ADD},
    {"jot|write|note|put down", M_ADD},
    {"set|add|create|put ?a|an|another reminder|alarm|reminders for|on|about", M_REMIND},
    {"set|add|create|put ?a|an|another reminder|alarm|reminders", M_REMIND},
    {"~add|~create|put|insert|~schedule|adding|creating", M_ADD_GENERIC},
    {"new task|todo|to-do|item|reminder|entry", M_ADD},
    {"task|todo|to-do|reminder :|-", M_ADD},
    {"get rid of", M_DELETE},
    {"throw away|out", M_DELETE},
    {"search|find|look|lookup ?for|up", M_SEARCH},
    {"~show|~display|view|list ?me|us", M_LIST},
    {"see|print|pull|bring|give|tell|get|fetch ?me|us "
     "me|us|my|all|everything|tasks|todos|what|what's|pending|overdue|completed|upcoming",
     M_QUESTION},
    {"let me see|know", M_LIST},
    {"what|what's|whats|which|any|how|where|do|does|have|anything|is|are|when|whatre", M_QUESTION},
    {"mark|flag", M_MARK},
    {"got|bought|picked", M_COMPLETE},
    {"i|we don't|dont need|want", M_DELETE},
    {"i|we do not need|want", M_DELETE},
    {"check|tick|cross|strike ?off|out", M_CHECK},
    {"i|we ?have|just|already|finally|'ve ~finished|~completed|did|done|closed|got", M_COMPLETE},
    {"i've|ive|we've ?just|already|finally ~finished|~completed|done|closed", M_COMPLETE},
    {"i'm|im|we're ?all|just done|finished ?with", M_COMPLETE},
    {"i am|we are ?all|just done|finished ?with", M_COMPLETE},
    {"done|finished|completed ?with|:", M_COMPLETE},
    {"all done|finished with", M_COMPLETE},
    {"~complete|~finish|close|resolve|accomplish|wrap|achieve ?up|off", M_COMPLETE},
    {"~reopen|re-open|~uncomplete|un-complete|~unmark|~unfinish|undo|~restore|revive|"
     "resurrect|unarchive|undone|uncheck|untick",
     M_REOPEN},
    {"re open", M_REOPEN},
    {"bring back", M_REOPEN},
    {"i|we didn't|didnt|haven't|havent|did ?not ?actually|really|yet "
     "finish|finished|complete|completed|do|done",
     M_REOPEN},
    {"~delete|~remove|drop|erase|trash|scrap|discard|kill|nuke|purge|wipe|~cancel|clear|"
     "forget|ditch|bin|dump|del|rm|~eliminate|axe|scratch",
     M_DELETE},
    {"~rename|retitle", M_RENAME},
    {"call it|this|that", M_RENAME},
    {"stop|quit ~repeating|recurring|recurrence", M_NOREPEAT},
    {"don't|dont|never|no ~repeat|recur|longer", M_NOREPEAT},
    {"do not ~repeat|recur", M_NOREPEAT},
    {"stop|quit|prevent|keep", M_STOP_FROM},
    {"?no more|longer ~repeating|recurring|repeats|repeat ?for|on|of", M_NOREPEAT},
    {"~change|~update|edit|~modify|~adjust|~alter|set|make|give|assign", M_CHANGE},
    {"~move|push|~postpone|~reschedule|delay|bump|shift|defer|snooze|~extend|pull|put", M_MOVE},
    {"tag|label|~categorize|~categorise", M_TAG},
    {"untag|unlabel", M_UNTAG},
    {"~prioritize|~prioritise|escalate|~upgrade|raise|~increase", M_PRIO_UP},
    {"~deprioritize|~deprioritise|~downgrade|lower|~decrease|~reduce", M_PRIO_DOWN},
    {"~repeat|recur", M_REPEAT},
    {"note|describe|annotate|comment", M_NOTE},
};

/* --- polite words, confirmations, help --- */

/* Every token of [from, to) is in words, and one is in core. */
static bool only_words(const struct nlp_ctx *x, int from, int to, const char *const *core,
                       const char *const *words)
{
    bool any = false;
    for (int i = from; i < to; i++) {
        if (x->t[i].kind == TK_PUNCT)
            continue;
        if (x->t[i].kind != TK_WORD)
            return false;
        if (nlp_in_set(x->t[i].w, core))
            any = true;
        else if (!nlp_in_set(x->t[i].w, words))
            return false;
    }
    return any;
}

static bool is_confirm(const struct nlp_ctx *x, int from, int to)
{
    static const char *const core[] = {
        "yes",     "y",          "yeah",       "yea",         "yep",     "yup",       "ya",
        "yas",     "sure",       "ok",         "okay",        "k",       "confirm",   "confirmed",
        "correct", "absolutely", "definitely", "affirmative", "proceed", "do",        "ahead",
        "right",   "course",     "good",       "fine",        "indeed",  "certainly", "yess",
        "yesss",   "aye",        "alright",    "perfect",     NULL};
    static const char *const words[] = {
        "it",     "go",     "please", "i'm",    "im",     "i",        "am",         "sure",
        "delete", "them",   "all",    "that's", "thats",  "that",     "is",         "of",
        "sounds", "thanks", "just",   "for",    "remove", "complete", "everything", "those",
        "these",  "now",    "yes",    "so",     "really", "very",     "please.",    "you",
        "can",    "will",   "let's",  "lets",   "thing",  NULL};
    return only_words(x, from, to, core, words);
}

static bool is_cancel(const struct nlp_ctx *x, int from, int to)
{
    static const char *const core[] = {
        "no",    "n",      "nope",  "nah",       "nay",  "cancel", "stop", "abort", "nevermind",
        "never", "forget", "don't", "dont",      "not",  "wait",   "keep", "leave", "negative",
        "skip",  "oops",   "nvm",   "cancelled", "halt", "hold",   NULL};
    static const char *const words[] = {
        "mind",    "it",       "that",   "do",      "thanks",   "thank",   "you",   "please",
        "them",    "now",      "i",      "changed", "my",       "all",     "those", "one",
        "this",    "actually", "alone",  "way",     "really",   "hold",    "on",    "second",
        "thought", "pass",     "later",  "about",   "sorry",    "don't",   "dont",  "want",
        "to",      "anymore",  "the",    "action",  "these",    "please.", "go",    "back",
        "no",      "nothing",  "delete", "remove",  "complete", NULL};
    return only_words(x, from, to, core, words);
}

static bool is_help(const struct nlp_ctx *x, int p, int end)
{
    static const char *const forms[] = {
        "help ?me|please|pls",
        "what ?else can|do you do|help|understand ?me ?with",
        "what can|should i do|say|ask|tell ?you",
        "how does|do this|it|you work",
        "how do|can|should i use this|you|it",
        "how to use ?this|it|you",
        "how can|do you help ?me",
        "what are|is your|the commands|options|features|abilities",
        "what are you ?able to do",
        "who|what are you",
        "what is this",
        "show|list|give ?me ?the|your commands|options|examples|help",
        "commands|options|usage|instructions|examples|menu|tutorial|guide|manual",
        "?",
    };
    if (nlp_tw(x, p, "help") || nlp_seq(x, p, "how do|can|should|would i|we|you") > p)
        return true; /* "how do I delete a task?" */
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
        if (nlp_seq(x, p, forms[k]) == end)
            return true;
    return false;
}

static int skip_fillers(struct nlp_ctx *x, int p, int end, bool *wish)
{
    static const char *const wishes[] = {
        "i ?really|just|also|still|definitely|honestly|totally want|wanna|need ?to",
        "i'd|id ?really|also like to",
        "i would ?really|also like to",
        "wanna|lemme",
        "let me",
        NULL};
    static const char *const forms[] = {
        "would|do you mind",
        "can|could|would|will|pls|please you|u ?please|just",
        "i want|need you to",
        "i'd|id like you to",
        "i would like you to",
        "go ahead and",
        "let's|lets",
        "let us",
        "help me",
        "try to|and",
        "please|pls|plz|kindly|hey|hi|hello|yo|ok|okay|so|well|um|uh|hmm|and|also|then|now|"
        "just|quickly|oh|actually|alright|right|great|cool|thanks|assistant|bot",
        "no|nope|nah|wait|sorry|oops|actually ?wait|actually|sorry",
        NULL};
    for (bool again = true; again && p < end;) {
        again = false;
        int j;
        for (int k = 0; wishes[k] && !again; k++)
            if ((j = nlp_seq(x, p, wishes[k])) > p && j < end && !nlp_tw(x, j, "you")) {
                nlp_consume(x, p, j);
                p = j, *wish = true, again = true;
            }
        for (int k = 0; forms[k] && !again; k++)
            if ((j = nlp_seq(x, p, forms[k])) > p && j < end) {
                nlp_consume(x, p, j);
                p = j, again = true;
            }
        while (p < end && x->t[p].kind == TK_PUNCT && x->t[p].w[0] != '"')
            x->gone[p++] = 1, again = true;
    }
    return p;
}

/* Drops trailing punctuation and politeness ("please", "thanks", "for me"). */
static int trim_tail(struct nlp_ctx *x, int end)
{
    for (bool again = true; again && end > 0;) {
        again = false;
        const struct nlp_tok *t = &x->t[end - 1];
        if (t->kind == TK_PUNCT && t->w[0] != '"' && t->w[0] != ')') {
            x->gone[--end] = 1, again = true;
        } else if (t->kind == TK_WORD &&
                   nlp_in_set(t->w, (const char *const[]){"please", "pls", "plz", "thanks", "thx",
                                                          "ty", "thankyou", NULL})) {
            x->gone[--end] = 1, again = true;
        } else if (end >= 2 && nlp_seq(x, end - 2, "thank you") == end) {
            nlp_consume(x, end - 2, end), end -= 2, again = true;
        } else if (end >= 3 && nlp_seq(x, end - 2, "for me") == end && end - 2 > 1) {
            nlp_consume(x, end - 2, end), end -= 2, again = true;
        }
    }
    return end;
}

/* --- fields shared by add and update --- */

static void set_title(struct nlp_ctx *x, int from, int to)
{
    struct nlp_command *c = x->c;
    for (int i = from; i < to; i++) /* a quoted title is taken as written */
        if (x->t[i].kind == TK_QUOTE && !x->gone[i]) {
            size_t n = (size_t)(x->t[i].e - x->t[i].s);
            if (n >= sizeof c->title)
                n = sizeof c->title - 1;
            memcpy(c->title, x->text + x->t[i].s, n);
            c->title[n] = '\0';
            c->has_title = n > 0;
            if (islower((unsigned char)c->title[0]))
                c->title[0] = (char)toupper((unsigned char)c->title[0]);
            x->gone[i] = 1;
            return;
        }
    size_t n = nlp_span_text(x, from, to, c->title, sizeof c->title);
    if (n == 0)
        return;
    c->has_title = true;
    if (islower((unsigned char)c->title[0]))
        c->title[0] = (char)toupper((unsigned char)c->title[0]);
    nlp_consume(x, from, to);
}

static void set_text(struct nlp_ctx *x, int from, int to, char *out, size_t outsz, bool *has)
{
    for (int i = from; i < to; i++)
        if (x->t[i].kind == TK_QUOTE && !x->gone[i]) {
            size_t n = (size_t)(x->t[i].e - x->t[i].s);
            n = n < outsz ? n : outsz - 1;
            memcpy(out, x->text + x->t[i].s, n);
            out[n] = '\0';
            *has = true;
            x->gone[i] = 1;
            return;
        }
    /* the description keeps its dates: read the raw span, not only the live tokens */
    if (from >= to)
        return;
    size_t s = x->t[from].s, e = x->t[to - 1].e, n = e - s;
    n = n < outsz ? n : outsz - 1;
    memcpy(out, x->text + s, n);
    out[n] = '\0';
    *has = n > 0;
    nlp_consume(x, from, to);
}

/* "high priority", "priority: low", "with low priority", "urgent" (last word): consumed,
 * returns the priority or -1. */
static int priority_at(struct nlp_ctx *x, int i, int end, bool bare)
{
    int j, p;
    if (!nlp_live(x, i) || x->t[i].kind != TK_WORD)
        return -1;
    int start = i;
    if ((j = nlp_seq(x, i, "with|as|at|to ?a|an|the")) > i && j < end)
        i = j;
    if ((p = nlp_priority_word(x->t[i].w)) >= 0 &&
        ((j = nlp_seq(x, i + 1, "priority|prio|pri|importance")) > 0 ||
         (j = nlp_seq(x, i + 1, "- priority")) > 0)) {
        nlp_consume(x, start, j);
        return p;
    }
    if ((j = nlp_seq(x, start, "priority|prio ?of|to|is|:|= ?be")) > start && j < end &&
        (p = nlp_priority_word(x->t[j].w)) >= 0) {
        nlp_consume(x, start, j + 1);
        return p;
    }
    if ((p = nlp_hyphen_priority(x->t[i].w)) >= 0 || !strcmp(x->t[i].w, "asap")) {
        nlp_consume(x, start, i + 1);
        return p >= 0 ? p : PRIORITY_HIGH;
    }
    bool last = true;
    for (int k = i + 1; k < end; k++)
        last = last && (!nlp_live(x, k) || x->t[k].kind == TK_PUNCT);
    if ((bare || last || (i + 1 < end && x->t[i + 1].kind == TK_PUNCT)) &&
        (!strcmp(x->t[i].w, "urgent") || !strcmp(x->t[i].w, "important") ||
         (bare && (p = nlp_priority_word(x->t[i].w)) >= 0))) {
        p = nlp_priority_word(x->t[i].w);
        if (nlp_tw(x, start - 1, "is") || nlp_tw(x, start - 1, "it's"))
            start--;
        nlp_consume(x, start, i + 1);
        return p;
    }
    return -1;
}

/* Quick-add tokens (#tag, !high, p1) and priority phrases in [from, to). */
static void quick_fields(struct nlp_ctx *x, int from, int to, bool bare_priority)
{
    struct nlp_command *c = x->c;
    for (int i = from; i < to; i++) {
        struct nlp_tok *t = &x->t[i];
        int p;
        if (x->gone[i])
            continue;
        if (t->kind == TK_TAG) {
            nlp_add_tag(c->tags, &c->n_tags, x->text + t->s, (size_t)(t->e - t->s));
            x->gone[i] = 1;
        } else if (t->kind == TK_PRIO && (p = nlp_priority_word(t->w)) >= 0) {
            c->priority = p, x->gone[i] = 1;
        } else if (t->kind == TK_PRIO && t->w[0] >= '1' && t->w[0] <= '3' && !t->w[1]) {
            c->priority = PRIORITY_HIGH - (t->w[0] - '1'), x->gone[i] = 1;
        } else if (t->kind == TK_PRIO &&
                   (!strcmp(t->w, "h") || !strcmp(t->w, "m") || !strcmp(t->w, "l"))) {
            c->priority = t->w[0] == 'h'   ? PRIORITY_HIGH
                          : t->w[0] == 'm' ? PRIORITY_MEDIUM
                                           : PRIORITY_LOW;
            x->gone[i] = 1;
        } else if (t->kind == TK_WORD && (t->w[0] == 'p') && t->w[1] >= '1' && t->w[1] <= '3' &&
                   !t->w[2]) {
            c->priority = PRIORITY_HIGH - (t->w[1] - '1'), x->gone[i] = 1;
        } else if ((p = priority_at(x, i, to, bare_priority)) >= 0) {
            c->priority = p;
        }
    }
}

/* "tagged work and home", "with tags a, b": for an add. */
static void tag_phrase(struct nlp_ctx *x, int from, int to)
{
    struct nlp_command *c = x->c;
    int a, j = -1;
    if ((a = nlp_find(x, from, to, "tagged|labeled|labelled ?with|as", &j)) < 0 &&
        (a = nlp_find(x, from, to, "with ?the|a tag|tags|label|labels", &j)) < 0 &&
        (a = nlp_find(x, from, to, "tag|label it|this ?with|as", &j)) < 0)
        return;
    int k = j;
    while (k < to && nlp_live(x, k) && x->t[k].kind == TK_WORD) {
        nlp_add_tag(c->tags, &c->n_tags, x->text + x->t[k].s, (size_t)(x->t[k].e - x->t[k].s));
        int n = nlp_seq(x, k + 1, "and|,");
        k = (n > k + 1 && n < to) ? n : k + 1;
        if (n < 0)
            break;
    }
    if (k > j)
        nlp_consume(x, a, k);
}

/* --- add --- */

/* Drops "to my list", "on my calendar" when only dates follow it. */
static void add_list_tail(struct nlp_ctx *x, int j, int *end)
{
    int k, tail = nlp_find(x, j, *end,
                           "to|on|in|onto|into ?my|the|our ?todo|to-do|task|shopping "
                           "list|tasks|calendar|agenda|schedule|todos|to-dos|planner",
                           &k);
    if (tail <= j || nlp_tw(x, tail + 1, "shopping") || nlp_tw(x, tail + 2, "shopping"))
        return;
    for (int i = k; i < *end; i++)
        if (nlp_live(x, i) && x->t[i].kind != TK_PUNCT)
            return;
    nlp_consume(x, tail, k);
}

static int skip_fillers(struct nlp_ctx *x, int p, int end, bool *wish);

/* The first live token at or after j; *dated is set when a date phrase came before it. */
static int first_live(const struct nlp_ctx *x, int j, int end, bool *dated)
{
    for (; j < end && !nlp_live(x, j); j++)
        *dated = *dated || (!x->gone[j] && x->used[x->t[j].s]);
    return j;
}

/* A lead-in after a leading date phrase ("tomorrow remind me to buy bread", "the day after
 * tomorrow I have to return the drill"): consumed as if it led the message; then an adverb
 * a lead-in leaves ("I should really book ..."). Returns where the title starts. */
static int lead_after_date(struct nlp_ctx *x, int j, int end)
{
    assert(x && j >= 0 && end <= x->n);
    bool dated = false, wish = false;
    int k = first_live(x, j, end, &dated);
    if (dated && k + 1 < end && (nlp_tw(x, k, "-") || nlp_tw(x, k, "--")))
        x->gone[k] = 1, k = first_live(x, k + 1, end, &dated); /* "tomorrow - remind me to" */
    if (dated) {
        unsigned char gone[NLP_MAX_TOKENS];
        memcpy(gone, x->gone, sizeof gone);
        int f = skip_fillers(x, k, end, &wish), e = -1;
        for (size_t l = 0; l < sizeof leads / sizeof leads[0] && e < 0 && !wish; l++)
            if (leads[l].mode == M_ADD && (e = nlp_seq(x, f, leads[l].pattern)) <= f)
                e = -1;
        if (wish || (e > f && e < end)) {
            nlp_consume(x, k, e > f ? e : f);
            k = first_live(x, e > f ? e : f, end, &dated);
        } else {
            memcpy(x->gone, gone, sizeof gone);
        }
    }
    if (k > 0 && k + 1 < end && x->gone[k - 1] &&
        nlp_in_set(x->t[k].w,
                   (const char *const[]){"really", "definitely", "seriously", "actually",
                                         "probably", "honestly", "totally", "absolutely", NULL}))
        x->gone[k++] = 1;
    return k;
}

static void do_add(struct nlp_ctx *x, int j, int end)
{
    struct nlp_command *c = x->c;
    c->intent = NLP_ADD;
    int k;
    quick_fields(x, j, end, false);
    if ((k = nlp_seq(x, j,
                     "?a|an|the|one|another ?new|recurring|repeating|regular|quick|separate "
                     "task|todo|to-do|item|reminder|entry|"
                     "one ?to|that|called|named|titled|:|-|saying|about|for")) > j &&
        (k > j + 1 || !nlp_tw(x, j, "for")))
        nlp_consume(x, j, k), j = k;
    quick_fields(x, j, end, false);
    tag_phrase(x, j, end);
    int d = nlp_find(x, j, end,
                     "with|and ?a|the note|description|details|notes|comment ?:|saying|that", &k);
    if (d < 0)
        d = nlp_find(x, j, end, "note|notes|description|details|desc :", &k);
    if (d > j) {
        set_text(x, k, end, c->description, sizeof c->description, &c->has_description);
        nlp_consume(x, d, end);
        end = d;
    }
    nlp_read_when(x, 0, end);
    add_list_tail(x, j, &end);
    j = lead_after_date(x, j, end);
    for (;;) { /* "remind me tomorrow at 9 to call the bank" */
        while (j < end && !nlp_live(x, j))
            j++;
        if (j + 1 < end && nlp_seq(x, j, "to|that|:|-|about") == j + 1)
            x->gone[j++] = 1;
        else
            break;
    }
    if (j > 0 && nlp_tw(x, j - 1, "schedule") && nlp_seq(x, j, "a|an") == j + 1 && j + 1 < end)
        x->gone[j++] = 1; /* "schedule a haircut": "Haircut" */
    set_title(x, j, end);
}

/* Is [from, to) a reference to an existing task (an id or a pronoun)? Looks only. */
static bool is_reference(const struct nlp_ctx *x, int from, int to)
{
    static const char *const refs[] = {"it", "that", "this", "them", "those", "these", NULL};
    int live = 0, ref = 0;
    for (int i = from; i < to; i++) {
        if (!nlp_live(x, i) || x->t[i].kind == TK_PUNCT || !strcmp(x->t[i].w, "-"))
            continue; /* "task 3 - done" */
        live++;
        if (x->t[i].kind == TK_HASHNUM || (x->t[i].kind == TK_WORD && nlp_in_set(x->t[i].w, refs)))
            ref++;
        else if (x->t[i].kind == TK_NUM && nlp_seq(x, i - 1, "task|item|number|#") == i)
            ref++;
        else if (!(x->t[i].kind == TK_WORD &&
                   nlp_in_set(x->t[i].w, (const char *const[]){"task", "item", "number", "one",
                                                               "the", "#", NULL})))
            return false;
    }
    return live > 0 && ref > 0;
}

static void do_update_on(struct nlp_ctx *x, int target_from, int target_to)
{
    x->c->intent = NLP_UPDATE;
    nlp_parse_target(x, target_from, target_to);
    if (x->c->target == NLP_TARGET_NONE)
        x->c->target = NLP_TARGET_PREVIOUS;
}

static void add_words_as_tags(struct nlp_ctx *x, int from, int to, bool remove);

/* "add a note to task 2: bring the receipts", "add tag home to it", "add a reminder 1 hour
 * before to task 3": an update of an existing task; else a new task. */
static void do_add_generic(struct nlp_ctx *x, int j, int end)
{
    struct nlp_command *c = x->c;
    int k, to = -1;
    int note = nlp_seq(x, j, "?a|an|the|some ?new|short note|notes|description|comment|details");
    if (note > j && (to = nlp_seq(x, note, "to|for|on|in")) > note) {
        int colon = nlp_find(x, to, end, ":|saying|says|-", &k);
        if (colon < 0)
            colon = nlp_find(x, to + 1, end, "that", &k);
        if (colon > to) {
            set_text(x, k, end, c->description, sizeof c->description, &c->has_description);
            nlp_consume(x, j, to);
            do_update_on(x, to, colon);
            return;
        }
    }
    int tags = nlp_seq(x, j, "?a|an|the|some tag|tags|label|labels");
    int on = tags > j ? nlp_find(x, tags + 1, end, "to|on|onto|for", NULL) : -1;
    if (on > tags && on + 1 < end) { /* "add tag work to the report": tags of that task */
        add_words_as_tags(x, tags, on, false);
        nlp_consume(x, j, on + 1);
        do_update_on(x, on + 1, end);
        return;
    }
    if (tags > j && tags < end && on < 0) {
        add_words_as_tags(x, tags, end, false); /* "add the tag errands": to the last task */
        nlp_consume(x, j, tags);
        do_update_on(x, end, end);
        return;
    }
    for (int i = end - 1; i > j; i--) {
        if (nlp_seq(x, i, "to|on|onto|for") != i + 1 || !is_reference(x, i + 1, end))
            continue;
        nlp_read_when(x, 0, i);
        quick_fields(x, j, i, true);
        for (int m = j; m < i; m++)
            if (nlp_live(x, m) && x->t[m].kind == TK_WORD &&
                !nlp_in_set(x->t[m].w, (const char *const[]){"a", "an", "the", "tag", "tags",
                                                             "label", "labels", "reminder",
                                                             "reminders", "and", "priority", NULL}))
                nlp_add_tag(c->tags, &c->n_tags, x->text + x->t[m].s,
                            (size_t)(x->t[m].e - x->t[m].s));
        nlp_consume(x, j, i + 1);
        do_update_on(x, i + 1, end);
        return;
    }
    do_add(x, j, end);
    if (!c->has_title && (c->when.n_reminders || c->n_tags || c->priority >= 0))
        do_update_on(x, end, end); /* "add a reminder an hour before": to the last task */
}

/* "remind me 30 minutes before", "remind me about task 3 at 8am": reminders on a task;
 * "remind me about the meeting tomorrow" (no id or pronoun): a new task. */
static void do_remind(struct nlp_ctx *x, int j, int end)
{
    nlp_read_when(x, 0, end);
    int k = nlp_seq(x, j, "about|of|for|on|regarding");
    int from = k > j ? k : j;
    bool words = false;
    for (int i = from; i < end; i++)
        words = words || (nlp_live(x, i) && x->t[i].kind != TK_PUNCT);
    bool relative = false; /* "1 hour before" needs a task with a date: an existing one */
    for (int i = 0; i < x->c->when.n_reminders; i++)
        relative = relative || x->c->when.reminders[i].relative;
    if (!words || is_reference(x, from, end) || (relative && !x->c->when.has_due)) {
        struct nlp_when *w = &x->c->when;
        if (w->has_due && !w->n_reminders && !w->rrule[0]) { /* "remind me about it at 8" */
            w->reminders[w->n_reminders++] = (struct nlp_reminder){.at_ms = w->due_ms};
            w->has_due = false;
        }
        nlp_consume(x, j, from);
        do_update_on(x, from, end);
        return;
    }
    do_add(x, from, end);
}

/* --- complete, reopen, delete --- */

/* "task 3", "all completed tasks", "completed tasks" (a filter alone means all of them). */
static void target_or_all(struct nlp_ctx *x, int from, int to)
{
    int k = nlp_seq(x, from,
                    "?all ?of ?the|my ?completed|done|finished|checked|overdue|old|"
                    "pending|open ?tasks|ones|items|todos|stuff");
    if ((k == to && k > from + 1 && !is_reference(x, from, to)) ||
        nlp_seq(x, from, "?my|the|whole|entire ?whole|entire ?todo|to-do|task list") == to) {
        nlp_target_all(x, from, to); /* "completed tasks", "my list" */
        nlp_consume(x, from, to);
        return;
    }
    nlp_parse_target(x, from, to);
}

/* A task id, a position or a pronoun somewhere in [from, to). */
static bool names_task(const struct nlp_ctx *x, int from, int to)
{
    for (int i = from; i < to; i++)
        if (x->t[i].kind == TK_HASHNUM || is_reference(x, i, i + 1) ||
            (x->t[i].kind == TK_NUM && nlp_seq(x, i - 1, "task|item|number|no") == i) ||
            nlp_seq(x, i, "first|second|third|last|1st|2nd|3rd|4th|5th one|task") == i + 2)
            return true;
    return false;
}

static void do_simple(struct nlp_ctx *x, int intent, int j, int end)
{
    static const char *const tails[] = {
        "from|off ?my|the ?todo|to-do|task ?list|tasks",
        "off|again|already|now|too|yet|anymore|forever|permanently",
        "any|for more|good",
        "?as|to ?be|now done|complete|completed|finished|closed|checked", /* complete only */
        "as|to not|un|in ?done|complete|completed|finished",
        "as|to incomplete|pending|open|undone|uncompleted|unfinished|todo",
        NULL};
    x->c->intent = intent;
    int n_tails = intent == NLP_COMPLETE || intent == NLP_REOPEN ? 6 : 3;
    for (bool again = true; again;) {
        again = false;
        for (int k = 0; k < n_tails; k++) {
            int a, e;
            if ((a = nlp_find(x, j, end, tails[k], &e)) >= j && e == end) {
                nlp_consume(x, a, end);
                end = a, again = true;
            }
        }
    }
    if (intent == NLP_DELETE && nlp_seq(x, j, "about|out|up|away|off") == j + 1)
        x->gone[j++] = 1;
    if (!names_task(x, j, end) && nlp_find(x, j, end, "all|everything|every|each", NULL) < 0)
        nlp_read_when(x, j, end); /* "delete my 3pm meeting": "meeting", due at 15:00 */
    target_or_all(x, j, end);
}

static void remove_tag(struct nlp_ctx *x, int i)
{
    nlp_add_tag(x->c->remove_tags, &x->c->n_remove_tags, x->text + x->t[i].s,
                (size_t)(x->t[i].e - x->t[i].s));
}

/* "remove the due date from task 5", "clear its reminders", "remove tag home from task 4",
 * "remove the home tag": an update that clears; false when [j, end) names no field. */
static bool do_remove_field(struct nlp_ctx *x, int j, int end)
{
    static const struct {
        const char *pattern;
        unsigned clear;
    } fields[] = {
        {"?the|its|any|all|my|that ?due date|dates|deadline|deadlines|duedate|due", NLP_CLEAR_DUE},
        {"?the|its|any|all|my|that reminder|reminders|alarm|alarms|notification|notifications",
         NLP_CLEAR_REMINDERS},
        {"?the|its|any|all|that recurrence|repeat|repetition|repeating|recurring|schedule|rule|"
         "repeats|recurrences",
         NLP_CLEAR_RECURRENCE},
        {"?the|its|any|all|that description|note|notes|details|comment", NLP_CLEAR_DESCRIPTION},
        {"?the|its|any|all|that date", NLP_CLEAR_DUE},
    };
    struct nlp_command *c = x->c;
    int k = -1;
    for (size_t f = 0; f < sizeof fields / sizeof fields[0] && k < 0; f++)
        if ((k = nlp_seq(x, j, fields[f].pattern)) > j)
            c->clear |= fields[f].clear;
        else
            k = -1;
    if (k < 0 && (k = nlp_seq(x, j, "?the|its|any|all|my priority|importance")) > j)
        c->priority = PRIORITY_NONE;
    else if (k < 0 && (k = nlp_seq(x, j, "?the|its|all|my tags|labels")) > j &&
             (k == end || nlp_seq(x, k, "from|of|on|off") > k))
        c->clear |= NLP_CLEAR_TAGS;
    else if (k < 0) {
        int a = nlp_seq(x, j, "?the tag|tags|label|labels"), b = j;
        if (a > j) { /* "tag home and work from ..." */
            for (b = a; b < end && nlp_seq(x, b, "from|on|off|of") < 0; b++)
                if (!nlp_tw(x, b, "and") && x->t[b].kind != TK_PUNCT)
                    remove_tag(x, b);
        } else {
            int w = (nlp_tw(x, j, "the") || nlp_tw(x, j, "its") || nlp_tw(x, j, "my")) ? j + 1 : j;
            if (w < end && x->t[w].kind == TK_WORD && (b = nlp_seq(x, w + 1, "tag|label")) > w) {
                remove_tag(x, w); /* "the home tag" */
            } else {
                for (b = j; b < end && x->t[b].kind == TK_TAG; b++)
                    remove_tag(x, b);
            }
        }
        if (!c->n_remove_tags)
            return false;
        k = b;
    }
    nlp_consume(x, j, k);
    if (nlp_seq(x, k, "from|of|on|for|in|off") == k + 1)
        x->gone[k++] = 1;
    do_update_on(x, k, end);
    return true;
}

static void do_delete(struct nlp_ctx *x, int j, int end)
{
    if (!do_remove_field(x, j, end))
        do_simple(x, NLP_DELETE, j, end);
}

/* "mark task 3 as done", "mark it as not done", "mark the report as important". */
static void do_mark(struct nlp_ctx *x, int j, int end)
{
    struct nlp_command *c = x->c;
    int a, e;
    while (end > j + 1 && nlp_seq(x, end - 1, "yet|again|anymore|now|already|please") == end)
        x->gone[--end] = 1;
    if ((a = nlp_find(x, j, end, "?as|to ?be not|un|in done|complete|completed|finished", &e)) >=
            j ||
        (a = nlp_find(x, j, end,
                      "?as|to ?be incomplete|pending|open|undone|uncompleted|"
                      "unfinished|todo|active",
                      &e)) >= j) {
        if (e == end) {
            c->intent = NLP_REOPEN;
            nlp_consume(x, a, end);
            target_or_all(x, j, a);
            return;
        }
    }
    for (int i = j; i < end; i++) {
        int p = priority_at(x, i, end, true);
        if (p >= 0) {
            c->priority = p;
            if (nlp_tw(x, i - 1, "as") || nlp_tw(x, i - 1, "to"))
                x->gone[i - 1] = 1;
            do_update_on(x, j, i);
            return;
        }
    }
    do_simple(x, NLP_COMPLETE, j, end);
}

/* "check off task 2", "check task 2" (done); "check my tasks" (a list). */
static void do_check(struct nlp_ctx *x, int j, int end)
{
    if (nlp_tw(x, j - 1, "off") || nlp_tw(x, j - 1, "out") || is_reference(x, j, end) ||
        nlp_seq(x, j, "the") == j + 1)
        do_simple(x, NLP_COMPLETE, j, end);
    else
        x->c->intent = -1; /* the caller reads it as a list */
}

/* --- update --- */

enum field { F_NONE, F_DUE, F_PRIO, F_TITLE, F_DESC, F_TAGS, F_REM, F_RRULE };

/* The field an update names ("the priority of", "its title", "due date"): consumed with
 * its article and "of"; *at gets its first token. */
static int field_at(struct nlp_ctx *x, int from, int to, int *at)
{
    static const struct {
        const char *pattern;
        int field;
    } words[] = {
        {"?the|its|it's|my due date|time", F_DUE},
        {"?the|its|it's|my due|deadline|duedate|date|time|day", F_DUE},
        {"?the|its|it's|my priority|importance|prio|urgency", F_PRIO},
        {"?the|its|it's|my title|name|text|wording|heading|label", F_TITLE},
        {"?the|its|it's|my description|note|notes|details|desc", F_DESC},
        {"?the|its|it's|my tags|tag|labels|categories|category", F_TAGS},
        {"?the|its|it's|my reminder|reminders|alarm", F_REM},
        {"?the|its|it's|my recurrence|repeat|schedule|frequency|rrule", F_RRULE},
    };
    for (int i = from; i < to; i++) {
        if (!nlp_live(x, i))
            continue;
        for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
            int j = nlp_seq(x, i, words[k].pattern);
            if (j <= i || j > to)
                continue;
            if (nlp_seq(x, j, "of|for|on|in") == j + 1)
                j++;
            nlp_consume(x, i, j);
            *at = i;
            return words[k].field;
        }
    }
    return F_NONE;
}

/* Words an update leaves behind once its fields were read ("due", "repeat", "every"). */
static void consume_update_noise(struct nlp_ctx *x, int from, int to)
{
    static const char *const noise[] = {"due",       "repeat", "repeats", "repeating", "recur",
                                        "recurring", "be",     "should",  "always",    NULL};
    for (int i = from; i < to; i++)
        if (nlp_live(x, i) && x->t[i].kind == TK_WORD && nlp_in_set(x->t[i].w, noise))
            x->gone[i] = 1;
}

static bool changed_anything(const struct nlp_command *c)
{
    return c->has_title || c->priority >= 0 || c->n_tags || c->n_remove_tags || c->when.has_due ||
           c->when.rrule[0] || c->when.n_reminders || c->has_description || c->clear ||
           c->intent != NLP_UPDATE;
}

/* The value after "to" when no field was named: done, a priority, a date, or a title. */
static void change_value(struct nlp_ctx *x, int j, int k, int end)
{
    struct nlp_command *c = x->c;
    int e;
    if ((e = nlp_seq(x, k, "?be ?now done|complete|completed|finished|closed")) == end) {
        nlp_consume(x, k - 1, end);
        do_simple(x, NLP_COMPLETE, j, k - 1);
        return;
    }
    if ((e = nlp_seq(x, k, "?be not|un|in done|complete|completed|finished")) == end ||
        (e = nlp_seq(x, k, "?be incomplete|pending|open|undone|unfinished|todo")) == end) {
        nlp_consume(x, k - 1, end);
        do_simple(x, NLP_REOPEN, j, k - 1);
        return;
    }
    int p = priority_at(x, k, end, true);
    if (p >= 0) {
        c->priority = p;
    } else {
        bool dates_only = true;
        for (int i = k; i < end; i++)
            dates_only = dates_only && (!nlp_live(x, i) || x->t[i].kind == TK_PUNCT);
        if (!dates_only || !x->c->when.has_due)
            set_title(x, k, end);
    }
    x->gone[k - 1] = 1;
    do_update_on(x, j, k - 1);
}

/* "give task 5 the tag urgent", "give it the tags home and work": the words after "tag" are
 * tags (even a priority word), the words before name the task. */
static bool change_tags_phrase(struct nlp_ctx *x, int j, int end)
{
    int e, tg = nlp_find(x, j + 1, end, "?the|a|an tag|tags|label|labels", &e);
    if (tg <= j || e >= end || nlp_find(x, e, end, "to|as|into|:|=", NULL) >= 0)
        return false;
    x->c->intent = NLP_UPDATE;
    add_words_as_tags(x, e, end, false);
    nlp_consume(x, tg, e);
    do_update_on(x, j, tg);
    return true;
}

static void do_change(struct nlp_ctx *x, int p, int j, int end)
{
    struct nlp_command *c = x->c;
    int at = -1, a, e;
    c->intent = NLP_UPDATE;
    if ((a = nlp_find(x, j, end,
                      "not|no|never|stop|quit ?longer ~repeat|recur|repeating|recurring|repeat",
                      &e)) >= 0 ||
        (a = nlp_find(x, j, end, "one-off|one-time|non-recurring|nonrecurring", &e)) >= 0) {
        c->clear |= NLP_CLEAR_RECURRENCE;
        nlp_consume(x, a, e);
    }
    if (change_tags_phrase(x, j, end))
        return;
    quick_fields(x, j, end, false);
    int field = field_at(x, j, end, &at);
    int k = nlp_find(x, at >= 0 ? at : j, end, "to|as|into|:|=", &e);
    while (k >= 0 && k < end && x->gone[k]) /* "task 3's title to": from the field's end */
        k++;
    int target_end = k >= 0 ? k : end;
    if (k >= 0 && (field == F_TITLE || field == F_DESC || field == F_TAGS)) {
        if (field == F_TITLE)
            set_title(x, k + 1, end);
        else if (field == F_DESC)
            set_text(x, k + 1, end, c->description, sizeof c->description, &c->has_description);
        else
            for (int i = k + 1; i < end; i++)
                if (x->t[i].kind != TK_PUNCT && !nlp_tw(x, i, "and"))
                    nlp_add_tag(c->tags, &c->n_tags, x->text + x->t[i].s,
                                (size_t)(x->t[i].e - x->t[i].s));
        nlp_consume(x, k, end);
        do_update_on(x, j, k);
        return;
    }
    nlp_read_when(x, 0, end);
    if (field == F_DUE && k >= 0 && nlp_seq(x, k + 1, "none|nothing|empty|blank|null") == end) {
        c->clear |= NLP_CLEAR_DUE;
        nlp_consume(x, k, end);
    } else if (field == F_PRIO && k >= 0) {
        int pr = priority_at(x, k + 1, end, true);
        c->priority = pr;
        nlp_consume(x, k, end);
    } else if (field == F_NONE && k >= 0 && k + 1 < end) {
        quick_fields(x, j, k, true);
        change_value(x, j, k + 1, end);
        if (!changed_anything(c) && (nlp_tw(x, p, "make") || nlp_tw(x, p, "set")))
            goto as_add;
        return;
    }
    for (int i = j; i < end && c->priority < 0; i++)
        c->priority = priority_at(x, i, end, true);
    consume_update_noise(x, j, target_end);
    if (k >= 0)
        x->gone[k] = 1;
    if (!changed_anything(c) && (nlp_tw(x, p, "make") || nlp_tw(x, p, "set")))
        goto as_add;
    do_update_on(x, j, target_end);
    return;
as_add: /* "make dinner reservations": a task, its verb included */
    memset(x->gone + p, 0, (size_t)(end - p));
    memset(c, 0, sizeof *c);
    c->priority = -1;
    memset(x->used, 0, sizeof x->used);
    do_add(x, p, end);
}

static void do_rename(struct nlp_ctx *x, int j, int end)
{
    int e, k = nlp_find(x, j, end, "to|as|into|:|-", &e);
    if (k < 0) { /* "rename it Buy eggs", "call it Groceries" */
        k = (x->t[j].kind == TK_HASHNUM || is_reference(x, j, j + 1)) ? j + 1
            : is_reference(x, j, j + 2)                               ? j + 2
                                                                      : j;
        if (nlp_tw(x, j - 1, "it") || nlp_tw(x, j - 1, "this") || nlp_tw(x, j - 1, "that"))
            k = j, j = j - 1;
        set_title(x, k, end);
        do_update_on(x, j, k);
        return;
    }
    set_title(x, k + 1, end);
    x->gone[k] = 1;
    do_update_on(x, j, k);
}

static void do_move(struct nlp_ctx *x, int j, int end)
{
    int at, e;
    for (int i = j; i < end && x->c->priority < 0; i++)
        x->c->priority = priority_at(x, i, end, false); /* "bump task 3 to high priority" */
    field_at(x, j, end, &at);
    nlp_read_when(x, 0, end);
    int k = nlp_find(x, j, end, "to|until|till|til|for|on|by|back|forward|out|off|over", &e);
    int target_end = k > j ? k : end;
    if (k > j)
        nlp_consume(x, k, e);
    consume_update_noise(x, j, end);
    do_update_on(x, j, target_end);
    if (!x->c->when.has_due && !x->c->when.rrule[0])
        x->c->intent = NLP_UPDATE; /* "push it back": no date; the assistant asks when */
}

/* The end of a task reference at j ("task 4", "#4", "it", "the groceries task"). */
static int reference_end(const struct nlp_ctx *x, int j, int end)
{
    if (j >= end)
        return end;
    if (j < end && (x->t[j].kind == TK_HASHNUM || is_reference(x, j, j + 1)))
        return j + 1;
    if (is_reference(x, j, j + 2) || is_reference(x, j, j + 3))
        return is_reference(x, j, j + 2) ? j + 2 : j + 3;
    int k = nlp_find(x, j, end, "task|item|todo|one", NULL);
    return k >= 0 ? k + 1 : end - 1;
}

static void add_words_as_tags(struct nlp_ctx *x, int from, int to, bool remove)
{
    struct nlp_command *c = x->c;
    for (int i = from; i < to; i++) {
        if (x->t[i].kind == TK_PUNCT || nlp_tw(x, i, "and") || nlp_tw(x, i, "the") ||
            nlp_tw(x, i, "tag") || nlp_tw(x, i, "tags"))
            continue;
        if (remove)
            remove_tag(x, i);
        else
            nlp_add_tag(c->tags, &c->n_tags, x->text + x->t[i].s, (size_t)(x->t[i].e - x->t[i].s));
    }
    nlp_consume(x, from, to);
}

static void do_tag(struct nlp_ctx *x, int j, int end, bool remove)
{
    int e, k;
    x->c->intent = NLP_UPDATE;
    if (remove && (k = nlp_find(x, j, end, "from|on|off", &e)) > j) {
        add_words_as_tags(x, j, k, true);
        x->gone[k] = 1;
        do_update_on(x, k + 1, end);
        return;
    }
    if ((k = nlp_find(x, j, end, "with|as|:|using|under", &e)) > j) {
        add_words_as_tags(x, k + 1, end, remove);
        x->gone[k] = 1;
        do_update_on(x, j, k);
        return;
    }
    k = reference_end(x, j, end);
    add_words_as_tags(x, k, end, remove);
    do_update_on(x, j, k);
}

static void do_priority(struct nlp_ctx *x, int j, int end, int priority)
{
    int at;
    x->c->priority = priority;
    field_at(x, j, end, &at);
    int e, k = nlp_find(x, j, end, "to|as", &e);
    if (k > j) {
        int p = priority_at(x, k + 1, end, true);
        if (p >= 0)
            x->c->priority = p;
        nlp_consume(x, k, end);
        end = k;
    }
    do_update_on(x, j, end);
}

static void do_norepeat(struct nlp_ctx *x, int j, int end)
{
    x->c->clear |= NLP_CLEAR_RECURRENCE;
    do_update_on(x, j, end);
}

/* "stop task 4 from repeating", "keep it from recurring": false when the message does not
 * end so ("stop the car alarm" is a task). */
static bool do_stop_from(struct nlp_ctx *x, int j, int end)
{
    assert(x && j >= 0 && end <= x->n);
    int e, a = nlp_find(x, j + 1, end,
                        "from ~repeating|recurring|repeat|recur ?again|anymore|ever|every", &e);
    if (a < 0) /* "stop task 4 repeating" */
        a = nlp_find(x, j + 1, end, "~repeating|recurring ?again|anymore", &e);
    if (a < 0 || e != end)
        return false;
    nlp_consume(x, a, end);
    x->c->intent = NLP_UPDATE;
    do_norepeat(x, j, a);
    return true;
}

static void do_repeat(struct nlp_ctx *x, int j, int end)
{
    nlp_read_when(x, 0, end);
    consume_update_noise(x, j, end);
    do_update_on(x, j, end);
}

static void do_note(struct nlp_ctx *x, int j, int end)
{
    struct nlp_command *c = x->c;
    int e, k = nlp_find(x, j, end, ":|saying|with|as|-|that", &e);
    if (k < 0) {
        x->c->intent = NLP_UPDATE;
        return;
    }
    set_text(x, e, end, c->description, sizeof c->description, &c->has_description);
    nlp_consume(x, k, e);
    if (nlp_seq(x, j, "on|for|to|in") == j + 1)
        x->gone[j++] = 1;
    do_update_on(x, j, k);
}

/* --- list --- */

static const char *const list_noise[] = {
    "me",         "my",         "all",      "the",       "tasks",     "task",    "todos",
    "todo",       "items",      "item",     "for",       "with",      "that",    "which",
    "have",       "has",        "any",      "anything",  "something", "stuff",   "things",
    "a",          "an",         "of",       "i",         "is",        "are",     "about",
    "containing", "mentioning", "matching", "regarding", "related",   "to",      "called",
    "named",      "titled",     "word",     "words",     "in",        "on",      "list",
    "everything", "there",      "what",     "what's",    "whats",     "show",    "find",
    "search",     "look",       "up",       "please",    "do",        "does",    "title",
    "titles",     "mention",    "mentions", "say",       "says",      "include", "includes",
    "including",  "where",      "us",       "due",       "and",       "or",      "ones",
    "those",      "right",      "now",      "currently", "still",     "yet",     "got",
    "left",       "be",         "was",      "were",      "it",        "them",    "again",
    "can",        "you",        "see",      "get",       "display",   "view",    "give",
    "tell",       "let",        "know",     "am",        "how",       "many",    "much",
    "which",      "i've",       "we",       "our",       "your",      "on",      "plate",
    "agenda",     "schedule",   "need",     "should",    "must",      "-",       "today's",
    "todays",     "this",       "week's",   "to-dos",    "to-do",     "things",  "so",
    "far",        "lately",     "recently", "next",      "upcoming",  "coming",  "any",
    "else",       "by",         "sorted",   "order",     "first",     "last",    "please",
    "pull",       "bring",      "print",    "fetch",     "read",      "open",    "lookup",
    "lemme",      "set",        "did",      "finish",    "list?",     "one",     "ones",
    NULL};

static const char *const list_words[] = {
    "task",        "tasks",     "todo",       "todos",    "to-do",    "to-dos",     "pending",
    "due",         "overdue",   "completed",  "done",     "finished", "open",       "remaining",
    "left",        "scheduled", "upcoming",   "priority", "urgent",   "important",  "tagged",
    "tag",         "list",      "agenda",     "plate",    "planned",  "incomplete", "unfinished",
    "outstanding", "items",     "everything", "anything", "complete", "schedule",   "reminders",
    "recurring",   "finish",    NULL};

/* Time words make a list only beside "have"/"need"/"do" ("what do I have tomorrow", not
 * "is it going to rain tomorrow?"). */
static const char *const time_words[] = {"today", "tomorrow", "week", "next",
                                         "late",  "tonight",  NULL};
static const char *const have_words[] = {"have", "got",   "need", "do",        "doing",
                                         "busy", "plans", "next", "happening", NULL};

static bool has_list_word(const struct nlp_ctx *x, int from, int to)
{
    bool time = false, have = false;
    for (int i = from; i < to; i++) {
        if (x->t[i].kind == TK_TAG ||
            (x->t[i].kind == TK_WORD && nlp_in_set(x->t[i].w, list_words)))
            return true;
        time = time || (x->t[i].kind == TK_WORD && nlp_in_set(x->t[i].w, time_words));
        have = have || (x->t[i].kind == TK_WORD && nlp_in_set(x->t[i].w, have_words));
    }
    if (time && have)
        return true;
    return nlp_find(x, from, to, "to do", NULL) >= 0;
}

/* The query words: a quote, or the words after "about"/"search for" that are not noise. */
static void list_query(struct nlp_ctx *x, int from, int to, bool search)
{
    struct nlp_filter *f = &x->c->filter;
    int e, a = nlp_find(x, from, to,
                        "about|containing|mentioning|matching|regarding|re|called|named|titled|"
                        "mention|mentions|say|says|include|includes|including|with",
                        &e);
    if (!search && a < 0)
        return;
    if (a >= 0 && !(nlp_tw(x, a, "with") && !search))
        from = e;
    else if (!search)
        return;
    for (int i = from; i < to; i++)
        if (x->t[i].kind == TK_QUOTE) {
            size_t n = (size_t)(x->t[i].e - x->t[i].s);
            n = n < sizeof f->q ? n : sizeof f->q - 1;
            memcpy(f->q, x->text + x->t[i].s, n);
            f->q[n] = '\0';
            return;
        }
    nlp_join_query(x, from, to, list_noise, false, f->q, sizeof f->q);
}

static void do_list(struct nlp_ctx *x, int j, int end, bool search)
{
    struct nlp_command *c = x->c;
    c->intent = NLP_LIST;
    nlp_parse_filter(x, j, end);
    list_query(x, j, end, search);
    struct nlp_filter *f = &c->filter;
    for (int i = j; i < end; i++) /* "show me task 5" */
        if (x->t[i].kind == TK_HASHNUM || (x->t[i].kind == TK_NUM && is_reference(x, i - 1, i + 1)))
            nlp_parse_target(x, x->t[i].kind == TK_HASHNUM ? i : i - 1, i + 1);
    if (!f->due && !search) {
        nlp_read_when(x, j, end); /* "what's due on Friday": that day (the "due" key) */
        for (int i = j; i < end && c->when.has_due; i++) { /* "due before friday" */
            bool in_date = x->used[x->t[i].s] || (i + 1 < end && x->used[x->t[i + 1].s]);
            if (in_date && nlp_seq(x, i, "before|by|until|till") == i + 1)
                c->due_bound = -1;
            else if (in_date && nlp_seq(x, i, "after|since|from") == i + 1)
                c->due_bound = 1;
        }
    }
    if (f->status && !strcmp(f->status, "all") &&
        (f->due || f->n_tags || f->priority_mask || f->q[0]))
        f->status = NULL; /* "all overdue tasks": the other filters say which */
    c->has_filter = f->status || f->due || f->n_tags || f->priority_mask || f->q[0] || f->sort;
}

/* True when [from, to) holds no word a list would leave over (so it is a list). */
static bool list_leftover(const struct nlp_ctx *x, int from, int to)
{
    for (int i = from; i < to; i++)
        if (nlp_live(x, i) && x->t[i].kind != TK_PUNCT && !nlp_in_set(x->t[i].w, list_noise))
            return true;
    return false;
}

/* --- statements without a lead: "task 3 is done", "it's urgent", "#4 done" --- */

/* Done or not done, said of [p, k); "that's done" names the task in its contraction: the
 * previous one (docs/assistant.md, "Targets"). */
static void statement_simple(struct nlp_ctx *x, int intent, int p, int k)
{
    do_simple(x, intent, p, k);
    if (k == p && x->c->target == NLP_TARGET_NONE)
        x->c->target = NLP_TARGET_PREVIOUS;
}

/* "task 5's done", "the report's finished": the token after the subject's "'s" (its "is"),
 * or -1. The subject names a task ("task 5", "#5", "the report"), so "what's done" is no
 * statement. */
static int contracted_is(const struct nlp_ctx *x, int p, int end)
{
    assert(x && p >= 0 && end <= x->n);
    if (nlp_seq(x, p, "task|item|number|the|my") != p + 1 && x->t[p].kind != TK_HASHNUM)
        return -1;
    for (int i = p; i + 1 < end; i++) {
        size_t n = strlen(x->t[i].w);
        if (x->t[i].kind != TK_PUNCT && n > 2 && !strcmp(x->t[i].w + n - 2, "'s"))
            return i + 1;
    }
    return -1;
}

/* "task 4 shouldn't repeat", "it should no longer recur", "the gym task should stop
 * repeating": the recurrence cleared. */
static bool statement_norepeat(struct nlp_ctx *x, int p, int end)
{
    assert(x && p >= 0 && end <= x->n);
    static const char *const forms[] = {
        "shouldn't|shouldnt|doesn't|doesnt|won't|wont|mustn't|mustnt|needn't|don't|dont ?need "
        "?to ~repeat|recur ?anymore|again|any",
        "should|does|will|must|need|needs ?to not|never ~repeat|recur ?anymore|again|any",
        "should|must|will|can|needs|need|has ?to no|never ?longer ~repeat|recur",
        "should|must|will|can|needs|need|has ?to stop|quit ~repeating|recurring", NULL};
    for (int f = 0; forms[f]; f++) {
        int e, k = nlp_find(x, p + 1, end, forms[f], &e);
        if (k > p && (e == end || nlp_seq(x, e, "more|longer") == end)) {
            nlp_consume(x, k, end);
            x->c->intent = NLP_UPDATE;
            do_norepeat(x, p, k);
            return true;
        }
    }
    return false;
}

/* "task 6's title should be Pay rent", "the priority of task 2 is low", "its due date is
 * friday": the field named in the subject [p, k) gets the value [v, end). */
static bool statement_field(struct nlp_ctx *x, int p, int k, int v, int end)
{
    assert(x && p < k && k <= v && v < end && end <= x->n);
    struct nlp_command *c = x->c;
    bool owner = names_task(x, p, k) || nlp_seq(x, p, "its|it's|their") == p + 1;
    for (int i = p; i < k && !owner; i++) /* "the report's title" */
        owner = x->t[i].kind != TK_PUNCT && strlen(x->t[i].w) > 2 &&
                !strcmp(x->t[i].w + strlen(x->t[i].w) - 2, "'s");
    if (!owner || !(nlp_tw(x, k, "is") || nlp_tw(x, k, "should") || nlp_tw(x, k, "was") ||
                    nlp_tw(x, k, "'s")))
        return false;
    int at = -1, field = field_at(x, p, k, &at);
    switch (field) {
    case F_TITLE:
        set_title(x, v, end);
        break;
    case F_DESC:
        set_text(x, v, end, c->description, sizeof c->description, &c->has_description);
        break;
    case F_PRIO:
        c->priority = priority_at(x, v, end, true);
        break;
    case F_TAGS:
        add_words_as_tags(x, v, end, false);
        break;
    case F_DUE:
    case F_RRULE:
        nlp_read_when(x, v, end);
        break;
    default:
        return false;
    }
    nlp_consume(x, k, end);
    do_update_on(x, p, k);
    return true;
}

static bool do_statement(struct nlp_ctx *x, int p, int end)
{
    int k, e;
    if (statement_norepeat(x, p, end))
        return true;
    if (end - p >= 2 && nlp_seq(x, end - 1, "done|finished|completed|complete") == end &&
        is_reference(x, p, end - 1)) {
        x->gone[end - 1] = 1;
        do_simple(x, NLP_COMPLETE, p, end - 1);
        return true;
    }
    bool negated = false;
    if (nlp_seq(x, p, "it's|its|that's|thats|they're") == p + 1) {
        k = p, e = p + 1; /* "it's due next week": "it" is the subject */
    } else if ((k = nlp_find(x, p + 1, end,
                             "isn't|isnt|aren't|arent|wasn't|wasnt|hasn't|hasnt|haven't|havent",
                             &e)) > p &&
               (is_reference(x, p, k) || (nlp_seq(x, p, "the|my") == p + 1 && k > p + 1))) {
        negated = true; /* "task 8 isn't done", "the report isn't finished yet" */
    } else if ((k = nlp_find(x, p + 1, end, "is|are|was|has|have|should|'s", &e)) < 0 &&
               (k = contracted_is(x, p, end)) < 0) {
        return false;
    } else if (k > p && x->t[k - 1].kind != TK_PUNCT && strstr(x->t[k - 1].w, "'s")) {
        e = k; /* "task 5's done": the subject ends with its "is" */
    }
    int v = nlp_seq(x, e, "?been|be|now|all|already|finally|really|actually|quite");
    v = v > e ? v : e;
    const char *done = "done|finished|completed|complete|sorted|handled ?yet|now|already";
    if (!negated && nlp_seq(x, v, done) == end) {
        nlp_consume(x, k, end);
        statement_simple(x, NLP_COMPLETE, p, k);
        return true;
    }
    if ((negated && nlp_seq(x, v, done) == end) ||
        nlp_seq(x, v, "not|un|in done|finished|completed|complete ?yet") == end ||
        nlp_seq(x, v, "no longer done|finished|completed|complete") == end ||
        nlp_seq(x, v, "incomplete|pending|open|undone|unfinished ?yet") == end) {
        nlp_consume(x, k, end);
        statement_simple(x, NLP_REOPEN, p, k);
        return true;
    }
    if (!negated && k > p && v < end && statement_field(x, p, k, v, end))
        return true;
    bool subject =
        k == p || is_reference(x, p, k) || (nlp_seq(x, p, "the|my") == p + 1 && k > p + 1);
    int pr = priority_at(x, v, end, true);
    if (pr >= 0 && subject) {
        x->c->priority = pr;
        nlp_consume(x, k, end);
        do_update_on(x, p, k);
        return true;
    }
    if (subject && nlp_seq(x, v, "due|repeat|recur|repeating|recurring") > v) {
        nlp_read_when(x, 0, end);
        nlp_consume(x, k, end);
        do_update_on(x, p, k);
        return x->c->when.has_due || (x->c->intent = NLP_UNKNOWN, false);
    }
    return false;
}

/* "I've taken out the trash", "I paid the rent", "just called mom": a task done. */
static bool past_tense(struct nlp_ctx *x, int p, int end)
{
    static const char *const irregular[] = {
        "taken",   "took",  "done", "bought", "sent",  "paid",   "made",    "got",    "gotten",
        "written", "wrote", "read", "eaten",  "ate",   "seen",   "saw",     "gone",   "went",
        "given",   "gave",  "sold", "told",   "found", "built",  "brought", "caught", "fed",
        "met",     "put",   "hung", "driven", "drove", "spoken", "spoke",   "swept",  "spent",
        "left",    "run",   "ran",  "won",    "dealt", "sorted", "set",     "did",    NULL};
    int v = nlp_seq(x, p, "i|we ?'ve|have|just|already|finally|also ?just|already|finally");
    if (v == p)
        v = -1;
    if (v < 0)
        v = nlp_seq(x, p, "i've|ive|we've|just|already|finally ?just|already|finally");
    if (v < 0 && ((p > 0 && x->gone[p - 1] && nlp_tw(x, p - 1, "just")) ||
                  (nlp_tw(x, p, "did") && nlp_seq(x, p + 1, "i|you|we|they|he|she|it") < 0)))
        v = p; /* "just called mom" ("just" was a polite word), "did the laundry" */
    if (v < p || v >= end - 1 || x->t[v].kind != TK_WORD)
        return false;
    const char *w = x->t[v].w;
    size_t n = strlen(w);
    bool past = nlp_in_set(w, irregular) ||
                (n > 4 && !strcmp(w + n - 2, "ed") && strcmp(w, "need") && strcmp(w, "needed"));
    if (!past)
        return false;
    nlp_consume(x, p, v + 1);
    do_simple(x, NLP_COMPLETE, v + 1, end);
    return x->c->target != NLP_TARGET_NONE || (memset(x->c, 0, sizeof *x->c), false);
}

static bool task_line(struct nlp_ctx *x, int p, int end);

/* --- the dispatcher --- */

/* w is one of "a|b|c". */
static bool word_in_alts(const char *w, const char *alts)
{
    size_t n = strlen(w);
    for (const char *p = alts; *p;) {
        const char *bar = strchr(p, '|');
        size_t an = bar ? (size_t)(bar - p) : strlen(p);
        if (an == n && n > 0 && strncmp(p, w, n) == 0)
            return true;
        p += an + (bar != NULL);
    }
    return false;
}

/* Starts over on [p, end) as a new task whose title keeps its verb. */
static void redo_as_add(struct nlp_ctx *x, int p, int end)
{
    struct nlp_command *c = x->c;
    memset(x->gone + p, 0, (size_t)(end - p));
    memset(c, 0, sizeof *c);
    c->priority = -1;
    memset(x->used, 0, sizeof x->used);
    do_add(x, p, end);
}

/* A verb that also starts task lines: "finish the draft by friday", "check the oven in 45
 * minutes", "change the air filter every 3 months", "move the car in 20 minutes" name no
 * task of the list (their words carry a date, or change nothing): they are new tasks. */
static void maybe_task_line(struct nlp_ctx *x, int mode, int p, int j, int end)
{
    struct nlp_command *c = x->c;
    if ((c->target != NLP_TARGET_WORDS && c->target != NLP_TARGET_NONE) ||
        nlp_in_set(x->t[p].w, (const char *const[]){"i", "i've", "ive", "we", "i'm", "im", "done",
                                                    "finished", "completed", "we've", NULL}))
        return;
    if (mode == M_CHANGE || mode == M_MOVE) {
        const char *to = mode == M_MOVE ? "to|until|till|til|for|on|by|back|forward|out|off|over"
                                        : "to|as|into|:|=";
        bool fields = c->has_title || c->priority >= 0 || c->n_tags || c->n_remove_tags ||
                      c->has_description || c->clear;
        bool connector = false;
        for (int i = j; i < end; i++)
            connector = connector || (x->t[i].kind != TK_QUOTE && word_in_alts(x->t[i].w, to));
        for (int i = j; i < end; i++)
            connector = connector || word_in_alts(x->t[i].w, "repeat|repeats|recur|recurring|"
                                                             "repeating|due|remind|reminder");
        if (!fields && !connector)
            redo_as_add(x, p, end);
        return;
    }
    if (c->intent != NLP_COMPLETE && c->intent != NLP_DELETE && c->intent != NLP_REOPEN)
        return;
    if (c->intent == NLP_DELETE &&
        nlp_in_set(x->t[p].w, (const char *const[]){"delete", "remove", "erase", "trash", NULL}))
        return; /* "delete my 3pm meeting" names a task */
    struct nlp_when w = c->when;
    unsigned char gone[NLP_MAX_TOKENS];
    memcpy(gone, x->gone, sizeof gone);
    memset(x->gone + j, 0, (size_t)(end - j));
    nlp_read_when(x, j, end);
    bool dated = c->when.has_due || c->when.rrule[0];
    memset(x->used, 0, sizeof x->used);
    c->when = w;
    memcpy(x->gone, gone, sizeof gone);
    if (dated)
        redo_as_add(x, p, end);
}

static bool dispatch(struct nlp_ctx *x, int mode, int p, int j, int end)
{
    switch (mode) {
    case M_ADD:
        nlp_consume(x, p, j);
        do_add(x, j, end);
        return true;
    case M_ADD_GENERIC:
        if (nlp_tw(x, p, "put") && is_reference(x, j, j + 1)) {
            do_move(x, j, end);
            return true;
        }
        nlp_consume(x, p, j);
        do_add_generic(x, j, end);
        return true;
    case M_REMIND:
        do_remind(x, j, end);
        return true;
    case M_LIST:
        do_list(x, j, end, false);
        return true;
    case M_SEARCH:
        do_list(x, j, end, true);
        return true;
    case M_QUESTION:
        if (has_list_word(x, p, end))
            do_list(x, j, end, false);
        else if (task_line(x, p, end))
            return false; /* "do the dishes": a task */
        return true;      /* else unknown: "what's the weather?" */
    case M_MARK:
        do_mark(x, j, end);
        return true;
    case M_CHECK:
        do_check(x, j, end);
        if (x->c->intent < 0) {
            x->c->intent = NLP_UNKNOWN;
            if (has_list_word(x, j, end))
                do_list(x, j, end, false);
            else
                redo_as_add(x, p, end); /* "check email every weekday" */
        }
        return true;
    case M_COMPLETE:
        do_simple(x, NLP_COMPLETE, j, end);
        return true;
    case M_REOPEN:
        do_simple(x, NLP_REOPEN, j, end);
        return true;
    case M_DELETE:
        if (nlp_seq(x, p, "drop|clear|kill off|out|up|away") > p + 1 && !names_task(x, j, end) &&
            !has_list_word(x, j, end))
            return false; /* "drop off the package": a task */
        do_delete(x, j, end);
        return true;
    case M_RENAME:
        x->c->intent = NLP_UPDATE;
        do_rename(x, j, end);
        return true;
    case M_CHANGE:
        do_change(x, p, j, end);
        return true;
    case M_MOVE:
        x->c->intent = NLP_UPDATE;
        do_move(x, j, end);
        return true;
    case M_TAG:
    case M_UNTAG:
        do_tag(x, j, end, mode == M_UNTAG);
        return true;
    case M_PRIO_UP:
    case M_PRIO_DOWN:
        x->c->intent = NLP_UPDATE;
        do_priority(x, j, end, mode == M_PRIO_UP ? PRIORITY_HIGH : PRIORITY_LOW);
        return true;
    case M_NOREPEAT:
        x->c->intent = NLP_UPDATE;
        do_norepeat(x, j, end);
        return true;
    case M_STOP_FROM:
        return do_stop_from(x, j, end);
    case M_REPEAT:
        x->c->intent = NLP_UPDATE;
        do_repeat(x, j, end);
        return true;
    case M_NOTE:
        x->c->intent = NLP_UPDATE;
        do_note(x, j, end);
        return true;
    default:
        return false;
    }
}

/* A reply that only names a task: "the second one", "2", "task 5", "the one about
 * groceries", "the one due friday" (intent unknown; the assistant picks among the tasks it
 * asked about). */
static bool selection(struct nlp_ctx *x, int p, int end)
{
    struct nlp_command *c = x->c;
    int k = nlp_seq(x, p,
                    "?the|that|this one|ones|task|item ?about|due|with|called|named|for|"
                    "that|which|on|from|in|tagged|i|where");
    if (k > p && k < end && !nlp_tw(x, p, "task") && !nlp_tw(x, p, "item")) {
        nlp_read_when(x, k, end);
        nlp_consume(x, p, k);
        nlp_parse_target(x, k, end);
        return true;
    }
    if (end - p > 4 || !(x->t[p].kind == TK_NUM || x->t[p].kind == TK_HASHNUM ||
                         nlp_seq(x, p,
                                 "the|task|item|number|no|#|first|second|third|last|"
                                 "fourth|fifth|1st|2nd|3rd|4th|5th") == p + 1))
        return false;
    unsigned char gone[NLP_MAX_TOKENS];
    memcpy(gone, x->gone, sizeof gone);
    nlp_parse_target(x, p, end);
    if (c->target == NLP_TARGET_ID)
        return true;
    memcpy(x->gone, gone, sizeof gone);
    c->target = NLP_TARGET_NONE;
    c->target_words[0] = '\0';
    return false;
}

/* No lead: a list ("overdue tasks"), or a quick-add line ("buy milk tomorrow #shopping"),
 * or unknown. */
static void fallback(struct nlp_ctx *x, int p, int end, bool wish)
{
    struct nlp_command *c = x->c;
    unsigned char gone[NLP_MAX_TOKENS];
    memcpy(gone, x->gone, sizeof gone);
    if (!wish && selection(x, p, end))
        return;
    if (!wish && has_list_word(x, p, end)) {
        size_t n = strlen(x->t[p].w);
        if (x->t[p].kind == TK_WORD && (n >= 4 || (n == 3 && strchr("sl", x->t[p].w[0]))) &&
            (nlp_one_typo(x->t[p].w, "show") || nlp_one_typo(x->t[p].w, "list")))
            x->gone[p] = 1; /* "shwo my tasks", "shw my tasks" */
        bool asked = false; /* "did I finish the report?": a question about the list */
        for (int i = p; i < x->n; i++)
            asked = asked || (x->t[i].kind == TK_PUNCT && x->t[i].w[0] == '?');
        do_list(x, p, end, false);
        if (asked || !list_leftover(x, p, end))
            return;
        memcpy(x->gone, gone, sizeof gone);
        memset(c, 0, sizeof *c);
        c->priority = -1;
    }
    if (wish || task_line(x, p, end))
        do_add(x, p, end);
}

/* A line that is not a question, a greeting or one unknown word: a task ("buy milk"). */
static bool task_line(struct nlp_ctx *x, int p, int end)
{
    static const char *const asks[] = {
        "what",    "what's", "whats", "who",     "why",     "how",    "where", "when",  "which",
        "is",      "are",    "do",    "does",    "can",     "could",  "would", "will",  "should",
        "did",     "tell",   "say",   "explain", "talk",    "chat",   "sing",  "hello", "hi",
        "hey",     "thanks", "thank", "bye",     "goodbye", "good",   "lol",   "ok",    "okay",
        "cool",    "great",  "nice",  "wow",     "yo",      "sup",    "huh",   "why's", "who's",
        "where's", "how's",  "i'm",   "im",      "you",     "you're", NULL};
    for (int i = p; i < x->n; i++)
        if (x->t[i].kind == TK_PUNCT && x->t[i].w[0] == '?')
            return false;
    static const char *const aux[] = {"do",     "does", "can", "could", "would", "will",
                                      "should", "did",  "is",  "are",   NULL};
    static const char *const who[] = {"i",  "you", "we",    "they", "it",   "he", "she",
                                      "my", "any", "there", "this", "that", "u",  NULL};
    if (x->t[p].kind == TK_WORD && nlp_in_set(x->t[p].w, asks) &&
        (!nlp_in_set(x->t[p].w, aux) || (p + 1 < end && nlp_in_set(x->t[p + 1].w, who))))
        return false; /* "do I ..." asks; "do the dishes" is a task */
    int words = 0;
    bool quick = false;
    for (int i = p; i < end; i++) {
        words += x->t[i].kind != TK_PUNCT;
        quick =
            quick || x->t[i].kind == TK_TAG || x->t[i].kind == TK_PRIO || x->t[i].kind == TK_QUOTE;
    }
    if (words >= 2 || quick)
        return true;
    nlp_read_when(x, p, end); /* one word: a task only with a date ("dentist tomorrow") */
    bool dated = x->c->when.has_due || x->c->when.rrule[0];
    memset(x->used, 0, sizeof x->used);
    memset(&x->c->when, 0, sizeof x->c->when);
    return dated;
}

void nlp_rules_run(struct nlp_ctx *x)
{
    struct nlp_command *c = x->c;
    assert(c);
    c->intent = NLP_UNKNOWN;
    int end = trim_tail(x, x->n);
    if (end == 0)
        return;
    if (is_confirm(x, 0, end)) {
        c->intent = NLP_CONFIRM;
        return;
    }
    if (is_cancel(x, 0, end)) {
        c->intent = NLP_CANCEL;
        return;
    }
    bool wish = false;
    int p = skip_fillers(x, 0, end, &wish);
    if (p >= end)
        return;
    if (is_help(x, p, end)) {
        c->intent = NLP_HELP;
        return;
    }
    if (do_statement(x, p, end)) {
        if (x->refused) {
            memset(c, 0, sizeof *c);
            c->priority = -1;
        }
        return;
    }
    bool done = false;
    for (size_t k = 0; k < sizeof leads / sizeof leads[0] && !done; k++) {
        int j = nlp_seq(x, p, leads[k].pattern);
        if (j > p && dispatch(x, leads[k].mode, p, j, end)) {
            maybe_task_line(x, leads[k].mode, p, j, end);
            done = true;
        }
    }
    if (!done && !past_tense(x, p, end))
        fallback(x, p, end, wish);
    if (x->refused) { /* a part of what was asked would be a guess */
        memset(c, 0, sizeof *c);
        c->priority = -1;
    }
}
