/* test_fts_words.c - todo_words (src/store/fts_words.c), the per-row test a full-text list
 * walks the sort's index with, answers exactly as tasks_fts MATCH does: on the real schema
 * (the store's migrations, so a change of the table's tokenizer shows here), over a corpus
 * with accents, case, punctuation, multi-token words and tags, every query's rows from the
 * walk equal the rows of FTS5's matches
 * (docs/decisions/0027-search-walk-with-fts5-tokenizer.md). */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/query.h"
#include "store/fts_words.h"
#include "store/sqlbuild.h"
#include "store/store.h"

static char tmp_dir[64];
static char db_path[96];
static sqlite3 *DB;

/* title, description, tags_text (as the store writes it: tags separated by spaces). */
static const char *const CORPUS[][3] = {
    {"Buy groceries", "milk, eggs; bread!", "home shopping"},
    {"GROCERY run", "", ""},
    {"Send the e-mail to Émile", "re: budget", "work"},
    {"email Emile", "about the naïve plan", "work"},
    {"naive café visit", "Café au lait", "café"},
    {"Straße fegen", "STRASSE", "haus"},
    {"o'clock meeting", "at 10:30 sharp", "work meeting"},
    {"C++ code review", "x.y.z release v2.0", "dev"},
    {"mail the e", "mail", "e"},
    {"Ελληνικά γράμματα", "ΑΘΗΝΑ athens", "travel"},
    {"日本語 テキスト", "東京", "travel"},
    {"week-end plans", "weekend trip", "week end"},
    {"e", "mail", ""},
    {"", "", "groceries"},
    {"re-read the spec", "reread", "docs"},
    {"Ünïcödé ÀÉÎÕÜ", "unicode", ""},
    {"a·b middle dot", "a—b dash", "a/b"},
    {"emoji 🎉 party", "🎉", ""},
};
#define N_CORPUS ((int)(sizeof CORPUS / sizeof CORPUS[0]))

static void setup(void)
{
    struct todo_err err = {0};
    store_t *s = NULL;
    char url[128];
    int applied = 0;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/todo-ftsw-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
    snprintf(db_path, sizeof db_path, "%s/todo.db", tmp_dir);
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    cr_assert_eq(store_open(url, &s, &err), TODO_OK, "store_open: %s", err.message);
    cr_assert_eq(store_migrate(s, &applied, &err), TODO_OK, "store_migrate: %s", err.message);
    store_destroy(s);

    cr_assert_eq(sqlite3_open(db_path, &DB), SQLITE_OK);
    cr_assert_not_null(fts_words_register(DB));
    cr_assert_eq(sqlite3_exec(DB,
                              "INSERT INTO users (id, email, password_hash, created_at)"
                              " VALUES ('u1', 'u1@example.com', 'x', 0)",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(DB,
                                    "INSERT INTO tasks (user_id, title, title_sort, description,"
                                    " tags_text, completed, priority, created_at, updated_at,"
                                    " version) VALUES ('u1', ?1, lower(?1), ?2, ?3, 0, 0, 0, 0, 1)",
                                    -1, &st, NULL),
                 SQLITE_OK);
    for (int i = 0; i < N_CORPUS; i++) {
        for (int c = 0; c < 3; c++)
            sqlite3_bind_text(st, c + 1, CORPUS[i][c], -1, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(DB));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

static void teardown(void)
{
    char path[128];
    sqlite3_close(DB);
    const char *files[] = {"todo.db", "todo.db-wal", "todo.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmp_dir, files[i]);
        unlink(path);
    }
    rmdir(tmp_dir);
}

/* The ids a statement returns, as a bit set over the corpus (ids 1..N_CORPUS). */
static unsigned long ids_of(sqlite3_stmt *st)
{
    unsigned long set = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        set |= 1ul << sqlite3_column_int64(st, 0);
    cr_assert_eq(rc, SQLITE_DONE, "%s", sqlite3_errmsg(DB));
    sqlite3_finalize(st);
    return set;
}

static unsigned long fts5_ids(char *const *words, int n)
{
    sqlite3_stmt *st;
    char *match = sqlb_fts_match(SQLB_SQLITE, words, n);
    cr_assert_eq(sqlite3_prepare_v2(DB, "SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?", -1,
                                    &st, NULL),
                 SQLITE_OK);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
    free(match);
    return ids_of(st);
}

static unsigned long walk_ids(char *const *words, int n)
{
    char sql[512] = "SELECT id FROM tasks t WHERE todo_words(t.title, t.description, t.tags_text";
    sqlite3_stmt *st;
    for (int i = 0; i < n; i++)
        strcat(sql, ", ?");
    strcat(sql, ")");
    cr_assert_eq(sqlite3_prepare_v2(DB, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(DB));
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(st, i + 1, words[i], -1, SQLITE_STATIC);
    return ids_of(st);
}

/* What the list's probe (sqlb_fts_probe) counts for words. */
static int64_t probe(char *const *words, int n)
{
    struct task_query q = {0};
    struct sqlb b;
    sqlite3_stmt *st;
    for (int i = 0; i < n; i++)
        q.words[i] = words[i];
    q.n_words = n;
    sqlb_init(&b, SQLB_SQLITE);
    sqlb_fts_probe(&b, &q);
    cr_assert_eq(sqlite3_prepare_v2(DB, b.sql.data, -1, &st, NULL), SQLITE_OK, "%s",
                 sqlite3_errmsg(DB));
    for (int i = 0; i < b.n_params; i++)
        if (b.params[i].type == SQLB_TEXT)
            sqlite3_bind_text(st, i + 1, b.params[i].text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, i + 1, b.params[i].num);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t count = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlb_release(&b);
    return count;
}

/* Compares one query; returns whether it matched anything (for the coverage checks). The
 * probe that chooses the plan never counts fewer than FTS5 matches (so "few" is true). */
static bool same(char *const *words, int n)
{
    unsigned long want = fts5_ids(words, n), got = walk_ids(words, n);
    cr_expect_eq(got, want, "words %s%s%s: walk %#lx, FTS5 %#lx", words[0], n > 1 ? " + " : "",
                 n > 1 ? words[1] : "", got, want);
    cr_expect_geq(probe(words, n), __builtin_popcountl(want), "probe of %s", words[0]);
    return want != 0;
}

TestSuite(fts_words, .init = setup, .fini = teardown);

Test(fts_words, equals_fts5_on_chosen_queries)
{
    static const char *const QUERIES[][3] = {
        {"groc"},
        {"GROC"},
        {"grocery"},
        {"groceries"},
        {"e-mail"},
        {"e-ma"},
        {"e"},
        {"mail"},
        {"email"},
        {"émile"},
        {"ÉMILE"},
        {"emile"},
        {"naïve"},
        {"naive"},
        {"naï"},
        {"café"},
        {"CAFÉ"},
        {"cafe"},
        {"straße"},
        {"strasse"},
        {"o'clock"},
        {"o"},
        {"clock"},
        {"10:30"},
        {"c++"},
        {"x.y"},
        {"x.y.z"},
        {"v2.0"},
        {"ελλην"},
        {"ΑΘΗ"},
        {"αθηνα"},
        {"日本"},
        {"東京"},
        {"week-end"},
        {"week end"},
        {"weekend"},
        {"re-read"},
        {"re"},
        {"ünï"},
        {"àéî"},
        {"a·b"},
        {"a—b"},
        {"a/b"},
        {"🎉"},
        {"—"},
        {"..."},
        {"mail e"},
        {"the e"},
        {"e mail"},
        {"buy", "groc"},
        {"e", "mail"},
        {"work", "meeting"},
        {"work", "zebra"},
        {"groc", "home"},
        {"café", "lait"},
        {"x.y", "dev"},
        {"mail", "—"},
        {"a·b", "dash"},
        {"send", "émile", "work"},
    };
    int matched = 0, n_queries = (int)(sizeof QUERIES / sizeof QUERIES[0]);
    for (int i = 0; i < n_queries; i++) {
        char *words[3];
        int n = 0;
        while (n < 3 && QUERIES[i][n])
            words[n] = (char *)QUERIES[i][n], n++;
        matched += same(words, n);
    }
    /* The corpus exercises both answers. */
    cr_assert_gt(matched, n_queries / 2);
    cr_assert_lt(matched, n_queries);
}

/* Every prefix of every space-separated piece of the corpus, as a one-word query, and after
 * a second word: the walk and FTS5 agree on all of them. */
Test(fts_words, equals_fts5_on_every_prefix_of_the_corpus)
{
    int n_queries = 0;
    for (int i = 0; i < N_CORPUS; i++)
        for (int c = 0; c < 3; c++) {
            char *copy = strdup(CORPUS[i][c]), *save = NULL;
            for (char *piece = strtok_r(copy, " ", &save); piece;
                 piece = strtok_r(NULL, " ", &save)) {
                size_t len = strlen(piece);
                for (size_t k = 1; k <= len; k++) {
                    char word[64];
                    snprintf(word, sizeof word, "%.*s", (int)k, piece);
                    char *one[1] = {word}, *two[2] = {"work", word};
                    same(one, 1);
                    same(two, 2);
                    n_queries++;
                }
            }
            free(copy);
        }
    cr_assert_gt(n_queries, 300);
}

Test(fts_words, budget_runs_out_and_is_reported)
{
    struct fts_words *fw = fts_words_register(DB); /* replaces the first instance */
    char *words[1] = {"zzz"};
    cr_assert_not_null(fw);
    fts_words_budget(fw, 3);
    /* Past the budget the function answers true and the caller must throw the rows away. */
    cr_assert_neq(walk_ids(words, 1), 0ul);
    cr_assert(fts_words_exhausted(fw));
    fts_words_budget(fw, -1);
    cr_assert_not(fts_words_exhausted(fw));
    cr_assert_eq(walk_ids(words, 1), 0ul);
    fts_words_budget(fw, N_CORPUS);
    cr_assert_eq(walk_ids(words, 1), 0ul);
    cr_assert_not(fts_words_exhausted(fw));
}

static const char *search_param(void *ctx, const char *name)
{
    if (strcmp(name, "q") == 0)
        return ctx;
    return strcmp(name, "limit") == 0 ? "50" : NULL;
}

/* user's first page of q (sort -created_at) through the store: the titles, "|"-joined. */
static void store_search(store_t *s, const char *user, const char *q, char *out, size_t cap,
                         bool *has_more)
{
    struct task_query query;
    struct task_page page = {0};
    struct todo_err err = {0};
    cr_assert_eq(query_parse(&query, search_param, (void *)q, &err), TODO_OK, "%s", err.message);
    cr_assert_eq(query_resolve_due(&query, "UTC", 0), 0);
    cr_assert_eq(store_task_list(s, user, &query, &page), TODO_OK);
    out[0] = '\0';
    for (int i = 0; i < page.n_items; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "|" : "", page.items[i].title);
    *has_more = page.has_more;
    task_page_release(&page);
    query_release(&query);
}

/* A word common among all users (so the store walks) but rare for a user with more tasks than
 * the walk's budget: the walk runs out and the list is read from the matches, with the right
 * rows (a walk whose budget ran out answers true for every row it did not test). */
Test(fts_words, store_list_falls_back_to_the_matches_when_the_walk_runs_out)
{
    struct todo_err err = {0};
    store_t *s = NULL;
    char url[128], titles[4096];
    bool more = false;
    cr_assert_eq(
        sqlite3_exec(DB,
                     "BEGIN;"
                     "INSERT INTO users (id, email, password_hash, created_at)"
                     " VALUES ('u2', 'u2@example.com', 'x', 0);"
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                     " WHERE i < 25000)"
                     " INSERT INTO tasks (user_id, title, title_sort, description,"
                     " tags_text, completed, priority, created_at, updated_at, version)"
                     " SELECT 'u1', 'call plumber #' || i, 'call plumber', '', '', 0, 0,"
                     " i, i, 1 FROM n;"
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                     " WHERE i < 300)"
                     " INSERT INTO tasks (user_id, title, title_sort, description,"
                     " tags_text, completed, priority, created_at, updated_at, version)"
                     " SELECT 'u2', 'zebra crossing #' || i, 'zebra', '', '', 0, 0, i, i, 1"
                     " FROM n;"
                     "INSERT INTO tasks (user_id, title, title_sort, description,"
                     " tags_text, completed, priority, created_at, updated_at, version)"
                     " VALUES ('u1', 'feed zebra #1', 'feed', '', '', 0, 0, -1, 0, 1),"
                     " ('u1', 'feed zebra #2', 'feed', '', '', 0, 0, -2, 0, 1);"
                     "COMMIT;",
                     NULL, NULL, NULL),
        SQLITE_OK, "%s", sqlite3_errmsg(DB));
    snprintf(url, sizeof url, "sqlite:%s", db_path);
    cr_assert_eq(store_open(url, &s, &err), TODO_OK, "store_open: %s", err.message);

    store_search(s, "u1", "zebra", titles, sizeof titles, &more);
    cr_assert_str_eq(titles, "feed zebra #1|feed zebra #2");
    cr_assert_not(more);
    store_search(s, "u1", "zebra feed", titles, sizeof titles, &more);
    cr_assert_str_eq(titles, "feed zebra #1|feed zebra #2");
    /* The user with few tasks: a walk within the budget. */
    store_search(s, "u2", "zeb", titles, sizeof titles, &more);
    cr_assert(more);
    cr_assert_eq(strncmp(titles, "zebra crossing #300|zebra crossing #299|", 40), 0, "%s", titles);
    store_destroy(s);
}
