// trace_logs.test.mjs - one request's trace id in every role's log lines about it
// (docs/deploy/logging.md, docs/decisions/0055-logs-and-trace-ids.md). `todo api`, `todo audit`,
// `todo recurring`, `todo notify` and `todo realtime` run as five processes on the real broker
// and PostgreSQL; their stdout is read line by line as JSON, the way a log shipper reads it.
// Completing an occurrence of a recurring task with a `traceparent` header: the api's access
// line, the audit's and the recurring consumer's "event handled" lines (the completion, and
// the successor's creation, which the recurring process writes under the same trace) and the
// realtime's "event handed to the hub" lines all carry the caller's trace id, with the event's
// id, type and subject (the task id), and no task data. A reminder's firing starts a trace of
// its own (not the trace of whatever write the committer ran last): the api's "reminder fired"
// line names the task and that trace, and notify's line about the todo.reminder.due event
// carries the same one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, newUser, newTrace, waitFor } from './lib/cluster.mjs';

const DEADLINE_MS = 90000;
const iso = (ms) => new Date(ms).toISOString();

/** A role's stdout/stderr lines that are JSON objects (the Role tag stripped). */
function jsonLines(role) {
    const out = [];
    for (const raw of role.logs.split('\n')) {
        const line = raw.replace(/^\[[^\]]+\] /, '');
        if (!line.startsWith('{')) continue;
        try { out.push(JSON.parse(line)); } catch { /* a line cut by the cap */ }
    }
    return out;
}

describe('trace ids in the log lines of every role', () => {
    let cl, notify, realtime;
    const roles = () => [cl.api, cl.audit, cl.recurring, notify, realtime];
    const allLogs = () => roles().map((r) => r.tail(6000)).join('\n');

    before(async () => {
        cl = await startCluster({ env: { TODO_ACCESS_LOG: '1' }, recurring: true, notify: true, realtime: true });
        ({ notify, realtime } = cl);
    });
    after(async () => { await cl?.stop(); });

    /** Polls until role has a JSON line matching pred; returns it. */
    async function lineOf(role, pred, what) {
        return waitFor(() => jsonLines(role).find(pred), { deadlineMs: DEADLINE_MS, intervalMs: 100, what })
            .catch((e) => { e.message += `\n${allLogs()}`; throw e; });
    }

    it('one_requests_trace_id_is_in_the_api_audit_recurring_and_realtime_lines_about_it', async () => {
        const u = await newUser(cl.client);
        const title = `Secret plans ${Date.now()}`;
        const created = await u.post('/tasks', { json: { title, due_at: '2030-05-06T07:00:00Z',
            recurrence: { rule: 'FREQ=DAILY' } } });
        assert.equal(created.status, 201, created.text);
        const task = created.json;
        const trace = newTrace();
        const done = await u.patch(`/tasks/${task.id}/complete`, { headers: { traceparent: trace.header } });
        assert.equal(done.status, 200, done.text);

        const handled = (type, subject) => (l) => l.trace_id === trace.traceId && l.type === type
            && (subject === undefined || l.subject === String(subject));
        const access = await lineOf(cl.api, (l) => l.trace_id === trace.traceId && l.msg === 'request',
            "the api's access line");
        assert.equal(access.level, 'info');
        const rec = await lineOf(cl.recurring, handled('todo.task.completed', task.id), "recurring's line");
        assert.equal(rec.msg, 'event handled');
        assert.equal(rec.consumer, 'recurring');
        assert.equal(rec.topic, 'task-events');
        assert.ok(rec.event_id, 'the event id');
        const audit = await lineOf(cl.audit, handled('todo.task.completed', task.id), "audit's line");
        assert.equal(audit.event_id, rec.event_id, 'the same event');
        // the successor, created by the recurring process, continues the completion's trace
        const next = await lineOf(cl.audit, (l) => handled('todo.task.created')(l) && l.subject !== String(task.id),
            "audit's line about the successor");
        const pushed = await lineOf(realtime, (l) => l.trace_id === trace.traceId && l.subject === String(task.id),
            "realtime's line");
        assert.equal(pushed.msg, 'event handed to the hub');
        for (const l of [rec, audit, next, pushed]) {
            assert.equal(l.level, 'info', JSON.stringify(l));
            assert.ok(!JSON.stringify(l).includes(title), `no task data in a log line: ${JSON.stringify(l)}`);
            assert.ok(!JSON.stringify(l).includes(u.id), `no user id beyond the ids: ${JSON.stringify(l)}`);
        }
    });

    it('a_reminders_firing_has_a_trace_of_its_own_which_notify_logs', async () => {
        const a = await newUser(cl.client);
        const b = await newUser(cl.client);
        const t1 = newTrace();
        const t2 = newTrace();
        const r1 = await a.post('/tasks', { headers: { traceparent: t1.header },
            json: { title: 'Call the plumber', due_at: iso(Date.now() + 3600e3), reminders: [{ at: iso(Date.now() + 2000) }] } });
        assert.equal(r1.status, 201, r1.text);
        const task = r1.json;
        // a later write of another user on the committer: its trace must not leak into the firing
        const r2 = await b.post('/tasks', { headers: { traceparent: t2.header }, json: { title: 'other' } });
        assert.equal(r2.status, 201, r2.text);

        const fired = await lineOf(cl.api, (l) => l.msg === 'reminder fired' && l.task_id === task.id,
            "the api's reminder fired line");
        assert.equal(fired.reminder_id, task.reminders[0].id);
        assert.match(fired.trace_id, /^[0-9a-f]{32}$/);
        assert.notEqual(fired.trace_id, t1.traceId);
        assert.notEqual(fired.trace_id, t2.traceId, "not the trace of the committer's last request");
        const got = await lineOf(notify, (l) => l.type === 'todo.reminder.due' && l.subject === String(task.id),
            "notify's line about the reminder");
        assert.equal(got.msg, 'event handled');
        assert.equal(got.event_id, fired.event_id);
        assert.equal(got.trace_id, fired.trace_id, 'the firing trace reaches notify');
    });
});
