// reminders.mjs - produces todo.reminder.due events the way the scheduler does (issue 11 §1):
// a CloudEvent row in the store's outbox, which the server's relay picks up on its sweep and
// publishes on `reminders` (docs/events/README.md). Lets the notify tests run on their own;
// reminders-e2e.test.mjs drives the same path from a real firing reminder.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

let seq = 0;

/** The event of one firing (ids as the scheduler makes them: reminder-<id>-<remind_at ms>). */
export function reminderEvent({ id, taskId, title, userId, dueAt = null, remindAt, late = false, eventId }) {
    seq += 1;
    const at = remindAt || new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return {
        specversion: '1.0',
        id: eventId || `reminder-${id}-${Date.parse(at)}`,
        source: '/todo/test',
        type: 'todo.reminder.due',
        subject: String(taskId),
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        partitionkey: userId,
        data: { id, task_id: taskId, title, due_at: dueAt, remind_at: at, user_id: userId, late },
    };
}

const sqlText = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** Writes ce into the outbox of srv's database ({databaseUrl}: sqlite: or postgres://). */
export async function emitReminder(srv, ce) {
    const payload = JSON.stringify(ce);
    const sql = `INSERT INTO outbox (topic, key, event_id, payload, created_at) VALUES ('reminders', ${sqlText(ce.partitionkey)}, ${sqlText(ce.id)}, ${sqlText(payload)}, ${Date.now()});`;
    if (/^postgres(ql)?:/.test(srv.databaseUrl)) {
        await execFileP(process.env.TODO_TEST_PSQL || 'psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', srv.databaseUrl, '-c', sql]);
        return;
    }
    const file = srv.databaseUrl.replace(/^sqlite:/, '');
    await execFileP('sqlite3', ['-cmd', '.timeout 20000', file, sql]);
}

/** The dead letters kept for reminders (topic reminders.dlq), parsed, oldest first. */
export async function reminderDeadLetters(srv) {
    const sql = "SELECT payload FROM dead_letters WHERE topic = 'reminders.dlq' ORDER BY id";
    let out;
    if (/^postgres(ql)?:/.test(srv.databaseUrl)) {
        ({ stdout: out } = await execFileP(process.env.TODO_TEST_PSQL || 'psql', ['-X', '-q', '-A', '-t', '-d', srv.databaseUrl, '-c', sql]));
    } else {
        ({ stdout: out } = await execFileP('sqlite3', ['-cmd', '.timeout 20000', srv.databaseUrl.replace(/^sqlite:/, ''), sql]));
    }
    return out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
