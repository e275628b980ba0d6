/* fts_words.h - sqlite: the SQL function todo_words(title, description, tags_text, w1, ...,
 * wN), true when every word matches the row as tasks_fts MATCH '"w1"* AND ... AND "wN"*'
 * would (docs/decisions/0027-search-walk-with-fts5-tokenizer.md). It tokenizes with FTS5's
 * own unicode61 tokenizer, declared as the table is (remove_diacritics 0), so that a list can
 * walk the sort's index and test each row instead of building the set of every user's
 * matches first.
 *
 * One instance per connection (registered when it opens, freed when it closes). A walk can
 * carry a budget of rows: once that many rows were tested the function stops testing and
 * answers true (the page fills at once) and fts_words_exhausted() tells the caller to throw
 * the rows away and run the statement the other way. */
#ifndef TODO_STORE_FTS_WORDS_H
#define TODO_STORE_FTS_WORDS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct fts_words;

/* todo_words_term(w, upper), also registered: the first token of w, the bounds of a scan of
 * FTS5's terms (sqlb_fts_probe). */

/* Registers todo_words and todo_words_term on db and creates temp.tasks_fts_terms (an
 * fts5vocab table over tasks_fts, for the probe). NULL (and nothing registered) when FTS5 or its
 * unicode61 tokenizer is missing; the instance is freed with db. */
struct fts_words *fts_words_register(sqlite3 *db);
/* From now on, test at most rows rows (< 0: no limit); clears the exhausted flag. */
void fts_words_budget(struct fts_words *fw, int64_t rows);
/* True when the budget ran out since fts_words_budget(). */
bool fts_words_exhausted(const struct fts_words *fw);

#endif
