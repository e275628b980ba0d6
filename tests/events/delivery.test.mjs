// delivery.test.mjs - the normal path across processes: `todo api` writes every task change
// and its events to the outbox and relays them to Kafka; kcat reads them back (key = user
// id, one partition per user, in the order of the changes, each valid against its schema in
// docs/events/, carrying the caller's trace); `todo audit` consumes task-events and the
// history it builds is readable through the api.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startCluster, newUser, readKeys, waitForMessages, perKey, assertValid, newTrace, traceIdOf,
    historyAtLeast, history, waitFor, outboxBacklog,
} from './lib/cluster.mjs';

// task-updates' op for each task-events type (clients redraw a reopen as an update)
const OP = { created: 'created', updated: 'updated', completed: 'completed', reopened: 'updated', deleted: 'deleted' };

describe('events over Kafka between the api and audit processes', () => {
    let cl;
    let users;
    const changes = new Map(); // user id -> [{type, taskId, version, traceId, task}]
    const tasksOf = new Map(); // user id -> [task ids]

    before(async () => {
        cl = await startCluster();
        users = [await newUser(cl.client), await newUser(cl.client)];

        // One script per user, run interleaved (A1 B1 A2 B2 ...), so the per-user order is
        // not just the global order. Each step: [label, type, request(user, state)].
        const future = new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
        const script = [
            ['create t1', 'created', (u) => u.post('/tasks', { json: { title: 'Pay rent', description: 'flat 3',
                priority: 'low', tags: ['bills', 'home'], due_at: future, reminders: [{ before: 'PT1H' }] } }), 't1'],
            ['patch t1', 'updated', (u, s) => u.patch(`/tasks/${s.t1}`, { json: { title: 'Pay the rent', priority: 'high' } })],
            ['put t1', 'updated', (u, s) => u.put(`/tasks/${s.t1}`, { json: { title: 'Pay the rent', description: '',
                priority: 'medium', tags: ['bills'], due_at: future } })],
            ['complete t1', 'completed', (u, s) => u.patch(`/tasks/${s.t1}/complete`)],
            ['create t2', 'created', (u) => u.post('/tasks', { json: { title: 'Water plants' } }), 't2'],
            ['reopen t1', 'reopened', (u, s) => u.patch(`/tasks/${s.t1}/complete`, { json: { completed: false } })],
            ['complete t2', 'completed', (u, s) => u.patch(`/tasks/${s.t2}/complete`, { json: { completed: true } })],
            ['delete t1', 'deleted', (u, s) => u.del(`/tasks/${s.t1}`)],
            ['update t2', 'updated', (u, s) => u.patch(`/tasks/${s.t2}`, { json: { description: 'on the balcony' } })],
            ['delete t2', 'deleted', (u, s) => u.del(`/tasks/${s.t2}`)],
        ];
        const state = new Map(users.map((u) => [u.id, { last: {} }]));
        for (const u of users) { changes.set(u.id, []); tasksOf.set(u.id, []); }
        for (const [label, type, call, name] of script) {
            for (const u of users) {
                const s = state.get(u.id);
                const trace = newTrace();
                const withTrace = {
                    post: (p, o) => u.post(p, { ...o, headers: { traceparent: trace.header } }),
                    put: (p, o) => u.put(p, { ...o, headers: { traceparent: trace.header } }),
                    patch: (p, o) => u.patch(p, { ...o, headers: { traceparent: trace.header } }),
                    del: (p, o) => u.del(p, { ...o, headers: { traceparent: trace.header } }),
                };
                const r = await call(withTrace, s);
                assert.ok(r.status >= 200 && r.status < 300, `${label} for ${u.id}: ${r.status} ${r.text}`);
                let task = r.json;
                if (name) { s[name] = task.id; tasksOf.get(u.id).push(task.id); }
                const taskId = task ? task.id : s[label.split(' ')[1]];
                if (type === 'deleted') task = s.last[taskId];
                s.last[taskId] = task;
                changes.get(u.id).push({ label, type, taskId, version: task.version, traceId: trace.traceId, task });
            }
        }
    });

    after(async () => { await cl?.stop(); });

    it('events_are_in_kafka_with_user_keys_and_valid_schemas', async () => {
        const keys = users.map((u) => u.id);
        const total = [...changes.values()].reduce((n, c) => n + c.length, 0);
        const events = await waitForMessages('task-events', keys, (ms) => ms.length >= total,
            { what: `${total} task-events of the two users` });
        const updates = await waitForMessages('task-updates', keys, (ms) => ms.length >= total,
            { what: `${total} task-updates of the two users` });
        // Let anything extra (a duplicate) arrive before counting: the outbox is empty then.
        await waitFor(async () => (await outboxBacklog(cl.api)) === 0, { what: 'an empty outbox' });
        const finalEvents = await readKeys('task-events', keys);
        const finalUpdates = await readKeys('task-updates', keys);
        assert.equal(finalEvents.length, total, `exactly one task-event per change (got ${finalEvents.length} for ${total} changes)`);
        assert.equal(finalUpdates.length, total, `exactly one task-update per change (got ${finalUpdates.length})`);
        assert.ok(events.length <= total && updates.length <= total);

        for (const u of users) {
            const want = changes.get(u.id);
            for (const [topic, all] of [['task-events', finalEvents], ['task-updates', finalUpdates]]) {
                const mine = perKey(all, u.id);
                assert.equal(mine.length, want.length, `${topic}: ${want.length} events for user ${u.id}`);
                const ids = new Set();
                mine.forEach((m, i) => {
                    const ev = m.event;
                    const w = want[i];
                    const where = `(${topic} #${i} of user ${u.id}, after "${w.label}")`;
                    assert.ok(ev, `${topic} message is JSON ${where}: ${m.payload.slice(0, 200)}`);
                    assertValid(ev, where);
                    assert.ok(!ids.has(ev.id), `CloudEvent id ${ev.id} appears once ${where}`);
                    ids.add(ev.id);
                    assert.equal(ev.partitionkey, u.id, `partitionkey is the user id ${where}`);
                    assert.equal(ev.source, '/todo/api', `source ${where}`);
                    assert.equal(ev.subject, String(w.taskId), `subject is the task id ${where}`);
                    assert.equal(traceIdOf(ev.traceparent), w.traceId,
                        `the request's trace id is carried into the event ${where}: sent ${w.traceId}, got ${ev.traceparent}`);
                    if (topic === 'task-events') {
                        assert.equal(ev.type, `todo.task.${w.type}`, `type, in the order of the changes ${where}`);
                        assert.equal(ev.data.event_type, w.type, `data.event_type ${where}`);
                        assert.equal(ev.data.task_id, w.taskId, `data.task_id ${where}`);
                        assert.equal(ev.data.user_id, u.id, `data.user_id ${where}`);
                        assert.equal(ev.data.task_data.id, w.taskId, `data.task_data.id ${where}`);
                        assert.equal(ev.data.task_data.version, w.version,
                            `data.task_data is the task the api answered with (version) ${where}`);
                        if (w.type !== 'deleted') {
                            assert.equal(ev.data.task_data.title, w.task.title, `task_data.title ${where}`);
                            assert.equal(ev.data.task_data.completed, w.task.completed, `task_data.completed ${where}`);
                        }
                    } else {
                        assert.equal(ev.type, 'todo.task.changed', `type ${where}`);
                        assert.equal(ev.data.op, OP[w.type], `op, in the order of the changes ${where}`);
                        assert.equal(ev.data.user_id, u.id, `data.user_id ${where}`);
                        assert.equal(ev.data.task.id, w.taskId, `data.task.id ${where}`);
                        assert.equal(ev.data.task.version, w.version, `data.task.version ${where}`);
                    }
                });
            }
            // the two topics of one user agree on the partition (same key, same partitioner)
            assert.equal(perKey(finalEvents, u.id)[0].partition, perKey(finalUpdates, u.id)[0].partition,
                'task-events and task-updates put a user on the same partition');
        }
        // a few content checks of the "changes" a consumer relies on
        const a = users[0];
        const aEvents = perKey(finalEvents, a.id).map((m) => m.event);
        assert.deepEqual(aEvents[0].data.changes.tags, { before: null, after: ['bills', 'home'] });
        assert.deepEqual(aEvents[1].data.changes.title, { before: 'Pay rent', after: 'Pay the rent' });
        assert.deepEqual(aEvents[3].data.changes.completed, { before: false, after: true });
        assert.deepEqual(aEvents[5].data.changes.completed, { before: true, after: false });
        assert.equal(aEvents[7].data.changes.title.after, null, 'a delete records the title going away');
    });

    it('the_audit_process_builds_the_history', async () => {
        const keys = users.map((u) => u.id);
        const events = await readKeys('task-events', keys);
        for (const u of users) {
            const want = changes.get(u.id);
            for (const taskId of tasksOf.get(u.id)) {
                const mine = want.filter((c) => c.taskId === taskId);
                const items = await historyAtLeast(cl.client, u, taskId, mine.length);
                assert.deepEqual(items.map((e) => e.type), mine.map((c) => c.type).reverse(),
                    `history of task ${taskId} of user ${u.id}, newest first`);
                const kafkaIds = perKey(events, u.id).filter((m) => m.event.subject === String(taskId)).map((m) => m.event.id);
                assert.deepEqual(items.map((e) => e.event_id), kafkaIds.reverse(),
                    'each history entry is the Kafka event of that change (same CloudEvent id)');
            }
            // the other user cannot read it
            const other = users.find((x) => x !== u);
            const r = await history(cl.client, other, tasksOf.get(u.id)[0]);
            assert.equal(r.status, 404, `another user's task history is 404, got ${r.status}`);
        }
        const consumed = await cl.audit.metric('todo_events_consumed_total{consumer="audit",topic="task-events",type="any"}');
        assert.ok(consumed >= 20, `the audit process counts what it consumed (${consumed})`);
    });
});
