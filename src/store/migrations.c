/* migrations.c - the schema, as numbered migrations per backend. The idea: a migration is
 * never edited once released; the schema only grows by appending a new version to both
 * lists (same number, same meaning). store_ops_migrate applies each pending one in its own
 * transaction under a lock (BEGIN IMMEDIATE on sqlite, pg_advisory_xact_lock on postgres)
 * and records it in schema_migrations, so two processes starting together are safe.
 *
 * Times are int64 ms chosen by the caller. tasks.title_sort holds task_title_sort_key(title)
 * and compares bytewise (BINARY on sqlite, COLLATE "C" on postgres); tasks.tags_text holds
 * the tags joined by spaces so the full-text index covers title, description and tags.
 * tasks.n_reminders is the task's number of reminders, written by every insert and update,
 * so reads query reminders only for tasks that have some.
 * Version 2 adds the event tables (store_events.c): outbox (partial indexes: unsent rows by
 * id for the relay, sent rows by sent_at for prune), processed_events (one row per consumer
 * and event) and audit_log (a task's history, read by user, task, newest first). Version 5
 * adds bus_queue, the in-process bus's queue of each consumer group (read by group in id
 * order); version 6 adds sessions (src/app/sessions.c,
 * docs/decisions/0016-token-revocation.md); version 7 indexes processed_events by consumer
 * and time, for the retention task's small deletes (docs/decisions/0024-event-retention.md);
 * version 8 adds the indexes of the list's other common sorts
 * (docs/decisions/0025-reads-in-index-order.md); version 9 the reminder scheduler's
 * (docs/decisions/0029-reminder-scheduling.md); version 10 adds notify_settings, notifications and
 * deliveries (src/store/store_notify.c, docs/decisions/0031-notification-deliveries.md);
 * version 11 adds conversations and messages (src/store/store_chat.c,
 * docs/decisions/0040-chat-storage-and-turns.md).
 *
 * Query plans (EXPLAIN QUERY PLAN on sqlite, EXPLAIN ANALYZE on postgres 15, 10,000 tasks
 * for one user, bench/store_bench.c's data):
 * - default list (user, ORDER BY created_at DESC, id DESC LIMIT 51): both walk
 *   tasks_user_created backwards and stop after 51 rows; no sort step.
 * - sort=due_at ascending: sorted on COALESCE(due_at, INT64_MAX), which (user_id, due_at)
 *   cannot serve (sqlite sorted all the user's tasks in a temp B-tree; postgres too).
 *   tasks_user_due_next indexes that exact expression, so both walk it. Descending due
 *   (COALESCE(due_at, INT64_MIN) DESC) still sorts; tasks_user_due serves due ranges, and
 *   since version 7 holds completed too, so a count of pending tasks due this week reads
 *   only the index (sqlite: COVERING INDEX, about 4 times faster).
 * - tags=x: task_tags_user_tag was (user_id, tag), and sqlite chose to scan all task_tags
 *   through its primary key for the GROUP BY, then sort. With task_id in the index and a
 *   single tag written as a plain IN subquery (sqlbuild.c), sqlite walks
 *   tasks_user_created with a covering search of task_tags_user_tag and postgres walks it
 *   probing task_tags_pkey: no sort. Several tags keep GROUP BY ... HAVING (a sort).
 * - q=word: sqlite used to look the FTS5 matches up by rowid and sort them all in a temp
 *   B-tree once sqlite_stat1 existed (ANALYZE); the list now writes "+t.id IN (matches)"
 *   (sqlbuild.c), so it walks the sort's index, checking each row against the set of matching
 *   rowids, and stops at the page's end. Postgres with a custom plan walks the same index
 *   filtering on the tsvector; with a generic one it reads every GIN match and sorts
 *   (store_pg.c therefore never prepares full-text queries).
 * - title, -updated_at, -priority,due_at (the web UI's other sorts): version 7's indexes,
 *   walked in order by both (tests/unit/store/test_store_plans.c checks every such plan).
 * - get by id: the rowid / tasks_pkey, then reminders_task only when n_reminders > 0. */
#include "store/store_internal.h"

const struct store_migration store_sqlite_migrations[] = {
    {1, "users, tasks, tags, reminders, search",
     "CREATE TABLE users ("
     " id TEXT PRIMARY KEY,"
     " email TEXT NOT NULL UNIQUE,"
     " password_hash TEXT NOT NULL,"
     " name TEXT NOT NULL DEFAULT '',"
     " timezone TEXT NOT NULL DEFAULT 'UTC',"
     " created_at INTEGER NOT NULL);"
     "CREATE TABLE tasks ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " title TEXT NOT NULL,"
     " title_sort TEXT NOT NULL,"
     " description TEXT NOT NULL DEFAULT '',"
     " tags_text TEXT NOT NULL DEFAULT '',"
     " completed INTEGER NOT NULL DEFAULT 0,"
     " priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),"
     " due_at INTEGER,"
     " rrule TEXT,"
     " recur_from INTEGER NOT NULL DEFAULT 0,"
     " series_id INTEGER,"
     " completed_at INTEGER,"
     " created_at INTEGER NOT NULL,"
     " updated_at INTEGER NOT NULL,"
     " version INTEGER NOT NULL,"
     " n_reminders INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);"
     "CREATE INDEX tasks_user_due ON tasks (user_id, due_at);"
     "CREATE INDEX tasks_user_due_next ON tasks (user_id, COALESCE(due_at, 9223372036854775807),"
     " id);"
     "CREATE TABLE task_tags ("
     " task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,"
     " tag TEXT NOT NULL,"
     " user_id TEXT NOT NULL,"
     " PRIMARY KEY (task_id, tag));"
     "CREATE INDEX task_tags_user_tag ON task_tags (user_id, tag, task_id);"
     "CREATE TABLE reminders ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,"
     " user_id TEXT NOT NULL,"
     " relative INTEGER NOT NULL,"
     " before_ms INTEGER,"
     " remind_at INTEGER NOT NULL,"
     " state INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX reminders_task ON reminders (task_id);"
     "CREATE INDEX reminders_due ON reminders (state, remind_at);"
     /* External-content FTS5 over tasks, kept in sync by triggers in the writing
      * transaction. Diacritics are kept so matching equals postgres' 'simple' config. */
     "CREATE VIRTUAL TABLE tasks_fts USING fts5 (title, description, tags_text,"
     " content = 'tasks', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0');"
     "CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN"
     " INSERT INTO tasks_fts (rowid, title, description, tags_text)"
     " VALUES (new.id, new.title, new.description, new.tags_text);"
     " END;"
     "CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN"
     " INSERT INTO tasks_fts (tasks_fts, rowid, title, description, tags_text)"
     " VALUES ('delete', old.id, old.title, old.description, old.tags_text);"
     " END;"
     "CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, description, tags_text ON tasks"
     " BEGIN"
     " INSERT INTO tasks_fts (tasks_fts, rowid, title, description, tags_text)"
     " VALUES ('delete', old.id, old.title, old.description, old.tags_text);"
     " INSERT INTO tasks_fts (rowid, title, description, tags_text)"
     " VALUES (new.id, new.title, new.description, new.tags_text);"
     " END;"},
    {2, "outbox, processed_events, audit_log",
     /* AUTOINCREMENT: ids never reused, even after prune deleted the highest. */
     "CREATE TABLE outbox ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " topic TEXT NOT NULL,"
     " key TEXT NOT NULL,"
     " event_id TEXT NOT NULL,"
     " payload TEXT NOT NULL,"
     " created_at INTEGER NOT NULL,"
     " sent_at INTEGER);"
     "CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;"
     "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;"
     "CREATE TABLE processed_events ("
     " consumer TEXT NOT NULL,"
     " event_id TEXT NOT NULL,"
     " processed_at INTEGER NOT NULL,"
     " PRIMARY KEY (consumer, event_id)) WITHOUT ROWID;"
     /* No foreign key to tasks: a deleted task's history stays. */
     "CREATE TABLE audit_log ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " user_id TEXT NOT NULL,"
     " task_id INTEGER NOT NULL,"
     " event_id TEXT NOT NULL UNIQUE,"
     " type TEXT NOT NULL,"
     " at INTEGER NOT NULL,"
     " changes TEXT NOT NULL);"
     "CREATE INDEX audit_log_user_task ON audit_log (user_id, task_id, at, id);"},
    {3, "tasks.series_start: the first due time of a recurring series",
     "ALTER TABLE tasks ADD COLUMN series_start INTEGER;"},
    {4, "dead_letters: what consumers could not handle, kept when no broker holds it",
     "CREATE TABLE dead_letters ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " topic TEXT NOT NULL, key TEXT NOT NULL, event_id TEXT NOT NULL,"
     " payload TEXT NOT NULL, created_at INTEGER NOT NULL);"},
    {5, "bus_queue: the in-process bus's queue of each consumer group",
     "CREATE TABLE bus_queue ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " consumer TEXT NOT NULL, topic TEXT NOT NULL, key TEXT NOT NULL,"
     " event_id TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);"
     "CREATE INDEX bus_queue_consumer ON bus_queue (consumer, id);"},
    {6, "sessions: one row per signed-in token family, revoked_at set by sign-out",
     /* A token's sid is its row (docs/decisions/0016). Replicas read the revoked rows that
      * changed lately (sessions_revoked); rows are deleted once their tokens expired. */
     "CREATE TABLE sessions ("
     " id TEXT PRIMARY KEY,"
     " user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " created_at INTEGER NOT NULL,"
     " expires_at INTEGER NOT NULL,"
     " revoked_at INTEGER);"
     "CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;"
     "CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;"
     "CREATE INDEX sessions_expires ON sessions (expires_at);"},
    {7, "processed_events by consumer and time: pruned past the retention window",
     "CREATE INDEX processed_events_at ON processed_events (consumer, processed_at);"},
    {8, "indexes of the list's sorts (title, -updated_at, -priority,due_at) and due counts",
     /* docs/decisions/0025-reads-in-index-order.md: the first page walks an index in the
      * sort's order instead of sorting every matching row. */
     /* completed in the due index: the web UI's counts (status=pending&due=week, ...) read
      * it alone, without a table lookup per task in the range. */
     "DROP INDEX tasks_user_due;"
     "CREATE INDEX tasks_user_due ON tasks (user_id, due_at, completed);"
     "CREATE INDEX tasks_user_title ON tasks (user_id, title_sort, id);"
     "CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id);"
     "CREATE INDEX tasks_user_priority_due ON tasks (user_id, priority DESC,"
     " COALESCE(due_at, 9223372036854775807), id DESC);"},
    {9, "reminders.fired_at, reminders_due on scheduled rows, sched_jobs (the Dapr scheduler)",
     /* docs/decisions/0029-reminder-scheduling.md: the db scheduler reads the scheduled rows
      * in remind_at order (a partial index: fired and cancelled rows never slow it down);
      * sched_jobs is the Dapr scheduler's outbox of Jobs API calls, written in the
      * transaction of the change (remind_at NULL: delete the job). */
     "ALTER TABLE reminders ADD COLUMN fired_at INTEGER;"
     "CREATE INDEX reminders_scheduled ON reminders (remind_at, id) WHERE state = 0;"
     "CREATE TABLE sched_jobs ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " reminder_id INTEGER NOT NULL,"
     " remind_at INTEGER,"
     " created_at INTEGER NOT NULL);"},
    {10, "notifications: settings per user, the in-app list, and outside deliveries",
     /* docs/decisions/0031-notification-deliveries.md: a delivery row per (reminder,
      * channel), its id the delivery id receivers see; the pool claims due pending rows. */
     "CREATE TABLE notify_settings ("
     " user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
     " in_app INTEGER NOT NULL, webhook INTEGER NOT NULL,"
     " ntfy INTEGER NOT NULL, email INTEGER NOT NULL,"
     " webhook_url TEXT, ntfy_url TEXT, email_to TEXT, webhook_secret TEXT,"
     " updated_at INTEGER NOT NULL);"
     "CREATE TABLE notifications ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " delivery_id TEXT NOT NULL UNIQUE,"
     " task_id INTEGER, title TEXT NOT NULL, body TEXT NOT NULL, remind_at INTEGER,"
     " created_at INTEGER NOT NULL, read_at INTEGER);"
     "CREATE INDEX notifications_user ON notifications (user_id, id);"
     "CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;"
     "CREATE TABLE deliveries ("
     " id TEXT PRIMARY KEY,"
     " user_id TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT NOT NULL,"
     " state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
     " next_attempt_at INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '',"
     " created_at INTEGER NOT NULL, done_at INTEGER);"
     "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';"
     "CREATE INDEX deliveries_done ON deliveries (done_at) WHERE state = 'delivered';"},
    {11, "chat: conversations and their messages",
     /* docs/decisions/0040-chat-storage-and-turns.md: a user's conversations are read newest
      * first (conversations_user), a conversation's messages in id order (messages_conv);
      * tool_calls and context are the assistant's JSON, as text. */
     "CREATE TABLE conversations ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " title TEXT NOT NULL,"
     " created_at INTEGER NOT NULL,"
     " updated_at INTEGER NOT NULL);"
     "CREATE INDEX conversations_user ON conversations (user_id, updated_at, id);"
     "CREATE TABLE messages ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,"
     " user_id TEXT NOT NULL,"
     " role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),"
     " content TEXT NOT NULL,"
     " tool_calls TEXT,"
     " context TEXT,"
     " created_at INTEGER NOT NULL);"
     "CREATE INDEX messages_conv ON messages (conversation_id, id);"},
    {0, NULL, NULL},
};

const struct store_migration store_pg_migrations[] = {
    {1, "users, tasks, tags, reminders, search",
     "CREATE TABLE users ("
     " id text PRIMARY KEY,"
     " email text NOT NULL UNIQUE,"
     " password_hash text NOT NULL,"
     " name text NOT NULL DEFAULT '',"
     " timezone text NOT NULL DEFAULT 'UTC',"
     " created_at bigint NOT NULL);"
     "CREATE TABLE tasks ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " title text NOT NULL,"
     " title_sort text COLLATE \"C\" NOT NULL,"
     " description text NOT NULL DEFAULT '',"
     " tags_text text NOT NULL DEFAULT '',"
     " completed boolean NOT NULL DEFAULT false,"
     " priority integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),"
     " due_at bigint,"
     " rrule text,"
     " recur_from integer NOT NULL DEFAULT 0,"
     " series_id bigint,"
     " completed_at bigint,"
     " created_at bigint NOT NULL,"
     " updated_at bigint NOT NULL,"
     " version bigint NOT NULL,"
     " n_reminders integer NOT NULL DEFAULT 0,"
     /* Maintained by every INSERT/UPDATE of the row, in the same statement. */
     " search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig,"
     " title || ' ' || description || ' ' || tags_text)) STORED);"
     "CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);"
     "CREATE INDEX tasks_user_due ON tasks (user_id, due_at);"
     "CREATE INDEX tasks_user_due_next ON tasks (user_id, COALESCE(due_at, 9223372036854775807),"
     " id);"
     "CREATE INDEX tasks_search ON tasks USING gin (search);"
     "CREATE TABLE task_tags ("
     " task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,"
     " tag text COLLATE \"C\" NOT NULL,"
     " user_id text NOT NULL,"
     " PRIMARY KEY (task_id, tag));"
     "CREATE INDEX task_tags_user_tag ON task_tags (user_id, tag, task_id);"
     "CREATE TABLE reminders ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,"
     " user_id text NOT NULL,"
     " relative boolean NOT NULL,"
     " before_ms bigint,"
     " remind_at bigint NOT NULL,"
     " state integer NOT NULL DEFAULT 0);"
     "CREATE INDEX reminders_task ON reminders (task_id);"
     "CREATE INDEX reminders_due ON reminders (state, remind_at);"},
    {2, "outbox, processed_events, audit_log",
     /* The identity's default CACHE 1 matters: ids are handed out in call order across
      * sessions, which with the per-user lock (store_events.c) gives commit order. */
     "CREATE TABLE outbox ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " topic text NOT NULL,"
     " key text NOT NULL,"
     " event_id text NOT NULL,"
     " payload text NOT NULL,"
     " created_at bigint NOT NULL,"
     " sent_at bigint);"
     "CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;"
     "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;"
     "CREATE TABLE processed_events ("
     " consumer text NOT NULL,"
     " event_id text NOT NULL,"
     " processed_at bigint NOT NULL,"
     " PRIMARY KEY (consumer, event_id));"
     /* No foreign key to tasks: a deleted task's history stays. */
     "CREATE TABLE audit_log ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " user_id text NOT NULL,"
     " task_id bigint NOT NULL,"
     " event_id text NOT NULL UNIQUE,"
     " type text NOT NULL,"
     " at bigint NOT NULL,"
     " changes text NOT NULL);"
     "CREATE INDEX audit_log_user_task ON audit_log (user_id, task_id, at, id);"},
    {3, "tasks.series_start: the first due time of a recurring series",
     "ALTER TABLE tasks ADD COLUMN series_start bigint;"},
    {4, "dead_letters: what consumers could not handle, kept when no broker holds it",
     "CREATE TABLE dead_letters ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " topic text NOT NULL, key text NOT NULL, event_id text NOT NULL,"
     " payload text NOT NULL, created_at bigint NOT NULL);"},
    {5, "bus_queue: the in-process bus's queue of each consumer group",
     "CREATE TABLE bus_queue ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " consumer text NOT NULL, topic text NOT NULL, key text NOT NULL,"
     " event_id text NOT NULL, payload text NOT NULL, created_at bigint NOT NULL);"
     "CREATE INDEX bus_queue_consumer ON bus_queue (consumer, id);"},
    {6, "sessions: one row per signed-in token family, revoked_at set by sign-out",
     "CREATE TABLE sessions ("
     " id text PRIMARY KEY,"
     " user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " created_at bigint NOT NULL,"
     " expires_at bigint NOT NULL,"
     " revoked_at bigint);"
     "CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;"
     "CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;"
     "CREATE INDEX sessions_expires ON sessions (expires_at);"},
    {7, "processed_events by consumer and time: pruned past the retention window",
     "CREATE INDEX processed_events_at ON processed_events (consumer, processed_at);"},
    {8, "indexes of the list's sorts (title, -updated_at, -priority,due_at) and due counts",
     /* docs/decisions/0025-reads-in-index-order.md: the first page walks an index in the
      * sort's order instead of sorting every matching row. */
     /* completed in the due index: the web UI's counts (status=pending&due=week, ...) read
      * it alone, without a table lookup per task in the range. */
     "DROP INDEX tasks_user_due;"
     "CREATE INDEX tasks_user_due ON tasks (user_id, due_at, completed);"
     "CREATE INDEX tasks_user_title ON tasks (user_id, title_sort, id);"
     "CREATE INDEX tasks_user_updated ON tasks (user_id, updated_at, id);"
     "CREATE INDEX tasks_user_priority_due ON tasks (user_id, priority DESC,"
     " COALESCE(due_at, 9223372036854775807), id DESC);"},
    {9, "reminders.fired_at, reminders_due on scheduled rows, sched_jobs (the Dapr scheduler)",
     "ALTER TABLE reminders ADD COLUMN fired_at bigint;"
     "CREATE INDEX reminders_scheduled ON reminders (remind_at, id) WHERE state = 0;"
     "CREATE TABLE sched_jobs ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " reminder_id bigint NOT NULL,"
     " remind_at bigint,"
     " created_at bigint NOT NULL);"},
    {10, "notifications: settings per user, the in-app list, and outside deliveries",
     "CREATE TABLE notify_settings ("
     " user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,"
     " in_app boolean NOT NULL, webhook boolean NOT NULL,"
     " ntfy boolean NOT NULL, email boolean NOT NULL,"
     " webhook_url text, ntfy_url text, email_to text, webhook_secret text,"
     " updated_at bigint NOT NULL);"
     "CREATE TABLE notifications ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " delivery_id text NOT NULL UNIQUE,"
     " task_id bigint, title text NOT NULL, body text NOT NULL, remind_at bigint,"
     " created_at bigint NOT NULL, read_at bigint);"
     "CREATE INDEX notifications_user ON notifications (user_id, id);"
     "CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;"
     "CREATE TABLE deliveries ("
     " id text PRIMARY KEY,"
     " user_id text NOT NULL, channel text NOT NULL, payload text NOT NULL,"
     " state text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0,"
     " next_attempt_at bigint NOT NULL, last_error text NOT NULL DEFAULT '',"
     " created_at bigint NOT NULL, done_at bigint);"
     "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';"
     "CREATE INDEX deliveries_done ON deliveries (done_at) WHERE state = 'delivered';"},
    {11, "chat: conversations and their messages",
     "CREATE TABLE conversations ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
     " title text NOT NULL,"
     " created_at bigint NOT NULL,"
     " updated_at bigint NOT NULL);"
     "CREATE INDEX conversations_user ON conversations (user_id, updated_at, id);"
     "CREATE TABLE messages ("
     " id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     " conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,"
     " user_id text NOT NULL,"
     " role text NOT NULL CHECK (role IN ('user', 'assistant')),"
     " content text NOT NULL,"
     " tool_calls text,"
     " context text,"
     " created_at bigint NOT NULL);"
     "CREATE INDEX messages_conv ON messages (conversation_id, id);"},
    {0, NULL, NULL},
};

int store_migrations_latest(const struct store_migration *m)
{
    int latest = 0;
    for (; m->version != 0; m++)
        latest = m->version;
    return latest;
}
