// broker_down.test.mjs - the broker goes away: the api keeps answering (changes wait in the
// outbox, visible as todo_outbox_backlog), and when the broker comes back at the same
// address every event arrives, in order per user, and the audit consumer applies each once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startCluster, newUser, readKeys, waitForMessages, perKey, firstOccurrences, assertValid,
    historyAtLeast, history, auditBarrier, outboxBacklog, waitFor, kafka, brokerUp,
} from './lib/cluster.mjs';

const CHANGES = 100;

describe('the broker is down while the api takes changes', () => {
    let cl;
    let users;
    let brokerStopped = false;

    before(async () => {
        cl = await startCluster();
        users = [await newUser(cl.client), await newUser(cl.client), await newUser(cl.client)];
    });

    after(async () => {
        // whatever happened, the next file needs the broker back at its address
        if (brokerStopped && !(await brokerUp())) await kafka('start');
        await cl?.stop();
    });

    it('broker_down_changes_wait_and_arrive_in_order_exactly_once', async (t) => {
        const keys = users.map((u) => u.id);
        const expected = new Map(keys.map((k) => [k, []])); // user id -> [{type, taskId}]
        const tasks = new Map(); // task id -> {user, types: []}
        const record = (u, type, taskId) => {
            expected.get(u.id).push({ type, taskId });
            if (!tasks.has(taskId)) tasks.set(taskId, { user: u, types: [] });
            tasks.get(taskId).types.push(type);
        };

        // In use first: one change per user goes through while the broker is up.
        for (const u of users) record(u, 'created', (await u.create({ title: `before ${u.email}` })).id);
        await waitForMessages('task-events', keys, (ms) => ms.length >= users.length, { what: 'the first events' });

        await kafka('stop');
        brokerStopped = true;
        assert.equal(await brokerUp(), false, 'the broker is down');

        // 100 changes round-robin over the users, each user cycling through every kind of
        // change on its current task: create, update, complete, reopen, update, delete|complete.
        const current = new Map();
        const step = new Map(keys.map((k) => [k, 0]));
        for (let i = 0; i < CHANGES; i++) {
            const u = users[i % users.length];
            const k = step.get(u.id);
            step.set(u.id, k + 1);
            const phase = k % 6;
            const id = current.get(u.id);
            let r;
            let type;
            if (phase === 0) {
                r = await u.post('/tasks', { json: { title: `down ${i}`, tags: ['outage'] } });
                type = 'created';
            } else if (phase === 1 || phase === 4) {
                r = await u.patch(`/tasks/${id}`, { json: { description: `change ${i}` } });
                type = 'updated';
            } else if (phase === 2) {
                r = await u.patch(`/tasks/${id}/complete`, { json: { completed: true } });
                type = 'completed';
            } else if (phase === 3) {
                r = await u.patch(`/tasks/${id}/complete`, { json: { completed: false } });
                type = 'reopened';
            } else if (Math.floor(k / 6) % 2 === 0) {
                r = await u.del(`/tasks/${id}`);
                type = 'deleted';
            } else {
                r = await u.patch(`/tasks/${id}/complete`);
                type = 'completed';
            }
            assert.ok(r.status >= 200 && r.status < 300,
                `change ${i} (${type}) while the broker is down should succeed, got ${r.status} ${r.text}`);
            const taskId = phase === 0 ? r.json.id : id;
            if (phase === 0) current.set(u.id, taskId);
            record(u, type, taskId);
        }

        const backlog = await waitFor(async () => {
            const b = await outboxBacklog(cl.api);
            return b > 0 ? b : false;
        }, { deadlineMs: 10000, what: 'todo_outbox_backlog > 0 while the broker is down' });
        t.diagnostic(`outbox backlog while the broker was down: ${backlog}`);
        assert.ok(backlog >= CHANGES, `every change waits in the outbox (task-events + task-updates): backlog ${backlog}`);
        // /readyz reports the unreachable bus (docs/operations.md: 503 otherwise)
        await waitFor(async () => (await cl.client.get('/readyz')).status === 503,
            { deadlineMs: 20000, what: '/readyz 503 while the broker is down' });

        const restartedAt = Date.now();
        await kafka('start');
        brokerStopped = false;

        const total = CHANGES + users.length;
        const events = await waitForMessages('task-events', keys, (ms) => firstOccurrences(ms).length >= total,
            { deadlineMs: 90000, what: `all ${total} task-events after the broker is back` });
        t.diagnostic(`all task-events arrived ${Date.now() - restartedAt} ms after the broker start returned`);
        await waitFor(async () => (await outboxBacklog(cl.api)) === 0,
            { deadlineMs: 30000, what: 'todo_outbox_backlog back to 0' });
        await waitFor(async () => (await cl.client.get('/readyz')).status === 200,
            { deadlineMs: 30000, what: '/readyz 200 again' });

        const final = await readKeys('task-events', keys);
        const dups = final.length - firstOccurrences(final).length;
        t.diagnostic(`duplicates of task-events in Kafka (allowed, at-least-once): ${dups}`);
        for (const u of users) {
            const want = expected.get(u.id);
            const mine = firstOccurrences(perKey(final, u.id));
            assert.deepEqual(mine.map((m) => [m.event.type, m.event.subject]),
                want.map((w) => [`todo.task.${w.type}`, String(w.taskId)]),
                `user ${u.id}: every change exactly once, in the order it was made`);
            // a duplicate is the same event again, never a different one for the same change
            for (const m of perKey(final, u.id)) assertValid(m.event, `(user ${u.id} offset ${m.offset})`);
        }
        const updates = await waitForMessages('task-updates', keys, (ms) => firstOccurrences(ms).length >= total,
            { deadlineMs: 30000, what: `all ${total} task-updates` });
        assert.equal(firstOccurrences(updates).length, total, 'one task-update per change');

        // The audit consumer's effects: exactly the expected entries per task, once each.
        for (const u of users) await auditBarrier(cl, u);
        const byId = new Map(firstOccurrences(final).map((m) => [m.event.id, m.event]));
        for (const [taskId, { user, types }] of tasks) {
            const items = await historyAtLeast(cl.client, user, taskId, types.length);
            const again = await history(cl.client, user, taskId); // after the barrier: complete
            assert.deepEqual(again.items.map((e) => e.type), [...types].reverse(),
                `history of task ${taskId}: each change exactly once, newest first`);
            assert.equal(items.length, again.items.length);
            for (const e of again.items) {
                const ev = byId.get(e.event_id);
                assert.ok(ev, `history entry ${e.event_id} is an event in Kafka`);
                assert.equal(ev.subject, String(taskId));
            }
        }
        assert.equal(await outboxBacklog(cl.api), 0, 'todo_outbox_backlog is 0');
    });
});
