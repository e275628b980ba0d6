/* fts_words.c - todo_words(): FTS5's prefix-phrase match, one row at a time, with FTS5's own
 * tokenizer (docs/decisions/0027-search-walk-with-fts5-tokenizer.md).
 *
 * How FTS5 evaluates tasks_fts MATCH '"w"*' (sqlb_fts_match), and so how this does: w is
 * tokenized (by unicode61 remove_diacritics 0, the table's tokenizer); no token matches
 * nothing; tokens t1..tk form a phrase that matches when some column holds k consecutive
 * tokens, the first k-1 equal to t1..tk-1 and the last starting with tk (bytes). Several words
 * are ANDed, each may match in a different column; a phrase never spans two columns. */
#include "store/fts_words.h"

#include "base/xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* core/query.c admits at most 16 words; the function is usable with more, up to this. */
#define FW_MAX_WORDS 64
#define FW_COLUMNS   3 /* title, description, tags_text: tasks_fts's columns, in order */

struct fw_span {
    int off, len;
};

/* One tokenized run of text: tokens as spans into text (the tokenizer's output, copied). */
struct fw_tokens {
    char *text;
    size_t text_len, text_cap;
    struct fw_span *tok;
    int n, cap;
};

struct fts_words {
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
    struct fw_tokens row; /* the column being tested, reused from row to row */
    int64_t budget;       /* rows left to test; < 0: no limit */
    bool exhausted;
};

static void tokens_clear(struct fw_tokens *t)
{
    t->text_len = 0;
    t->n = 0;
}

static void tokens_free(struct fw_tokens *t)
{
    free(t->text);
    free(t->tok);
}

static int on_token(void *arg, int flags, const char *token, int n, int start, int end)
{
    struct fw_tokens *t = arg;
    (void)flags, (void)start, (void)end;
    if (t->text_len + (size_t)n > t->text_cap) {
        t->text_cap = (t->text_len + (size_t)n) * 2 + 64;
        t->text = xrealloc(t->text, t->text_cap);
    }
    if (t->n == t->cap) {
        t->cap = t->cap * 2 + 16;
        t->tok = xrealloc(t->tok, (size_t)t->cap * sizeof *t->tok);
    }
    memcpy(t->text + t->text_len, token, (size_t)n);
    t->tok[t->n++] = (struct fw_span){(int)t->text_len, n};
    t->text_len += (size_t)n;
    return SQLITE_OK;
}

static int tokenize(struct fts_words *fw, struct fw_tokens *out, int flags, const char *text, int n)
{
    tokens_clear(out);
    if (n == 0)
        return SQLITE_OK;
    return fw->api.xTokenize(fw->tok, out, flags, text, n, on_token);
}

/* Does the phrase w (its last token a prefix) occur in row's tokens? */
static bool phrase_in(const struct fw_tokens *w, const struct fw_tokens *row)
{
    int k = w->n;
    assert(k > 0);
    for (int i = 0; i + k <= row->n; i++) {
        int j = 0;
        for (; j < k; j++) {
            const struct fw_span *a = &w->tok[j], *b = &row->tok[i + j];
            bool last = j == k - 1;
            if (last ? b->len < a->len : b->len != a->len)
                break;
            if (memcmp(w->text + a->off, row->text + b->off, (size_t)a->len) != 0)
                break;
        }
        if (j == k)
            return true;
    }
    return false;
}

static void word_free(void *p)
{
    tokens_free(p);
    free(p);
}

/* The tokens of argument i (a query word), tokenized once per statement (auxdata); NULL
 * when out of memory. */
static const struct fw_tokens *word_tokens(sqlite3_context *ctx, struct fts_words *fw,
                                           sqlite3_value *v, int i)
{
    struct fw_tokens *w = sqlite3_get_auxdata(ctx, i);
    if (w)
        return w;
    w = xcalloc(1, sizeof *w);
    const char *s = (const char *)sqlite3_value_text(v);
    int rc = tokenize(fw, w, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, s ? s : "",
                      sqlite3_value_bytes(v));
    if (rc != SQLITE_OK) {
        word_free(w);
        return NULL;
    }
    sqlite3_set_auxdata(ctx, i, w, word_free); /* frees w at once if it cannot keep it */
    return sqlite3_get_auxdata(ctx, i) ? w : NULL;
}

/* 1 when every word matched some column, 0 when one cannot, -1 on error (result set). */
static int row_matches(sqlite3_context *ctx, struct fts_words *fw, int argc, sqlite3_value **argv)
{
    const struct fw_tokens *words[FW_MAX_WORDS];
    bool done[FW_MAX_WORDS] = {false};
    int n_words = argc - FW_COLUMNS, left = n_words;

    for (int i = 0; i < n_words; i++) {
        words[i] = word_tokens(ctx, fw, argv[FW_COLUMNS + i], FW_COLUMNS + i);
        if (!words[i]) {
            sqlite3_result_error_nomem(ctx);
            return -1;
        }
        if (words[i]->n == 0)
            return 0; /* FTS5: a phrase without tokens matches nothing */
    }
    for (int col = 0; col < FW_COLUMNS && left > 0; col++) {
        const char *s = (const char *)sqlite3_value_text(argv[col]);
        int rc = tokenize(fw, &fw->row, FTS5_TOKENIZE_DOCUMENT, s ? s : "",
                          sqlite3_value_bytes(argv[col]));
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return -1;
        }
        for (int i = 0; i < n_words; i++)
            if (!done[i] && phrase_in(words[i], &fw->row)) {
                done[i] = true;
                left--;
            }
    }
    return left == 0;
}

static void todo_words(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fts_words *fw = sqlite3_user_data(ctx);
    if (argc <= FW_COLUMNS || argc > FW_COLUMNS + FW_MAX_WORDS) {
        sqlite3_result_error(ctx, "todo_words: (title, description, tags_text, 1 to 64 words)", -1);
        return;
    }
    if (fw->budget >= 0) {
        if (fw->budget == 0) {
            fw->exhausted = true; /* the caller throws these rows away */
            sqlite3_result_int(ctx, 1);
            return;
        }
        fw->budget--;
    }
    int m = row_matches(ctx, fw, argc, argv);
    if (m >= 0)
        sqlite3_result_int(ctx, m);
}

/* todo_words_term(w, upper): the bounds of w's first token among FTS5's terms, for the
 * fts5vocab probe of sqlb_fts_probe: the token itself (upper 0); with upper 1, the token
 * followed by 0xFF when it is w's only token (a prefix: no UTF-8 term continues with that
 * byte, and fts5vocab compares bytes), else the token again (a phrase's first token is whole).
 * When w has no token (it matches nothing) the bounds are 0xFF 0xFF and 0xFF: no term lies
 * between them, and a scan starting past every term ends at once (a NULL bound would not
 * bound fts5vocab's scan). */
static void todo_words_term(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fts_words *fw = sqlite3_user_data(ctx);
    struct fw_tokens w = {0};
    assert(argc == 2);
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    int rc = tokenize(fw, &w, FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, s ? s : "",
                      sqlite3_value_bytes(argv[0]));
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(ctx, rc);
    else if (w.n == 0)
        sqlite3_result_text(ctx, "\xff\xff", sqlite3_value_int(argv[1]) ? 1 : 2, SQLITE_STATIC);
    else {
        bool upper = sqlite3_value_int(argv[1]) != 0 && w.n == 1;
        char *term = xmalloc((size_t)w.tok[0].len + 1);
        memcpy(term, w.text + w.tok[0].off, (size_t)w.tok[0].len);
        if (upper)
            term[w.tok[0].len] = (char)0xff;
        sqlite3_result_text(ctx, term, w.tok[0].len + upper, free);
    }
    tokens_free(&w);
}

static void fw_destroy(void *p)
{
    struct fts_words *fw = p;
    if (fw->tok)
        fw->api.xDelete(fw->tok);
    tokens_free(&fw->row);
    free(fw);
}

/* FTS5's API pointer, as its documentation says to get it: SELECT fts5(?1). */
static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return api;
}

struct fts_words *fts_words_register(sqlite3 *db)
{
    /* As tasks_fts is declared (src/store/migrations.c, migration 1). */
    static const char *const args[] = {"remove_diacritics", "0"};
    assert(db);
    fts5_api *api = fts5_api_of(db);
    if (!api || api->iVersion < 2)
        return NULL;
    /* tasks_fts's terms, for sqlb_fts_probe (the table is looked up when read) */
    if (sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE IF NOT EXISTS temp.tasks_fts_terms"
                     " USING fts5vocab(main, tasks_fts, instance)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return NULL;
    struct fts_words *fw = xcalloc(1, sizeof *fw);
    void *tok_ctx = NULL;
    fw->budget = -1;
    if (api->xFindTokenizer(api, "unicode61", &tok_ctx, &fw->api) != SQLITE_OK ||
        fw->api.xCreate(tok_ctx, (const char **)args, 2, &fw->tok) != SQLITE_OK) {
        fw->tok = NULL;
        fw_destroy(fw);
        return NULL;
    }
    if (sqlite3_create_function_v2(db, "todo_words", -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, fw,
                                   todo_words, NULL, NULL, fw_destroy) != SQLITE_OK)
        return NULL; /* sqlite called fw_destroy */
    if (sqlite3_create_function_v2(db, "todo_words_term", 2,
                                   SQLITE_UTF8 | SQLITE_DIRECTONLY | SQLITE_DETERMINISTIC, fw,
                                   todo_words_term, NULL, NULL, NULL) != SQLITE_OK)
        return NULL; /* fw is freed with db */
    return fw;
}

void fts_words_budget(struct fts_words *fw, int64_t rows)
{
    assert(fw);
    fw->budget = rows < 0 ? -1 : rows;
    fw->exhausted = false;
}

bool fts_words_exhausted(const struct fts_words *fw)
{
    assert(fw);
    return fw->exhausted;
}
