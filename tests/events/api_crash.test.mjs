// api_crash.test.mjs - `todo api` is killed (SIGKILL) while creates are in flight. Every
// create it acknowledged (201) committed its event to the outbox in the same transaction,
// so after a restart on the same database each has its todo.task.created event in Kafka
// (the relay may publish one twice) and the audit history has exactly one "created" entry.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startCluster, newUser, readKeys, waitForMessages, perKey, firstOccurrences, assertValid,
    history, auditBarrier, outboxBacklog, waitFor,
} from './lib/cluster.mjs';

const WORKERS = 8;
const KILL_AFTER = 60; // acknowledged creates before the kill

describe('the api process dies mid-stream', () => {
    let cl;
    let users;

    before(async () => {
        cl = await startCluster();
        users = [await newUser(cl.client), await newUser(cl.client)];
    });

    after(async () => { await cl?.stop(); });

    it('api_killed_mid_stream_loses_nothing', async (t) => {
        const keys = users.map((u) => u.id);
        const acked = new Map(); // task id -> user
        let attempted = 0;
        let failed = 0;
        let killed = false;
        let killing;

        const worker = async (w) => {
            const u = users[w % users.length];
            for (let n = 0; !killed; n++) {
                attempted += 1;
                try {
                    const r = await u.post('/tasks', { json: { title: `crash w${w} n${n}`, description: 'x'.repeat(200) } });
                    if (r.status === 201) {
                        acked.set(r.json.id, u);
                    } else if (!killed) {
                        assert.fail(`create before the kill: ${r.status} ${r.text}`);
                    }
                } catch (e) {
                    if (!killed) throw e; // only the kill may break a request
                    failed += 1;
                }
                if (!killed && acked.size >= KILL_AFTER && !killing) {
                    killed = true; // other workers still have requests in flight
                    killing = cl.api.kill9();
                }
            }
        };
        await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
        const exit = await killing;
        assert.equal(exit.signal, 'SIGKILL', 'the api was killed');
        t.diagnostic(`${attempted} creates attempted, ${acked.size} acknowledged, ${failed} cut off by the kill`);

        await cl.api.start(); // same port, database and secret
        await waitFor(async () => (await cl.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, what: 'the restarted api to be ready' });

        // Every acknowledged create has its event in Kafka.
        const createdIn = (ms) => new Set(ms.filter((m) => m.event?.type === 'todo.task.created').map((m) => m.event.subject));
        await waitForMessages('task-events', keys, (ms) => {
            const s = createdIn(ms);
            return [...acked.keys()].every((id) => s.has(String(id)));
        }, { deadlineMs: 60000, what: `todo.task.created for all ${acked.size} acknowledged creates` });

        // Nothing committed is lost either: every task the database holds (acknowledged or
        // not) has its event, once the restarted relay has drained the outbox.
        await waitFor(async () => (await outboxBacklog(cl.api)) === 0, { deadlineMs: 30000, what: 'an empty outbox' });
        const barriers = [];
        for (const u of users) barriers.push(await auditBarrier(cl, u));
        const final = await readKeys('task-events', keys);
        const dups = final.length - firstOccurrences(final).length;
        t.diagnostic(`task-events in Kafka for these users: ${final.length}, of which duplicates: ${dups}`);

        for (const u of users) {
            const mine = perKey(final, u.id);
            for (const m of mine) assertValid(m.event, `(user ${u.id} offset ${m.offset})`);
            const listed = await u.listAll();
            const listedIds = new Set(listed.map((x) => x.id));
            for (const [id, owner] of acked) {
                if (owner === u) assert.ok(listedIds.has(id), `acknowledged task ${id} is still there after the crash`);
            }
            for (const task of listed) {
                const evs = mine.filter((m) => m.event.subject === String(task.id) && m.event.type === 'todo.task.created');
                assert.ok(evs.length >= 1, `task ${task.id} (in the database) has its todo.task.created event in Kafka`);
                const ids = new Set(evs.map((m) => m.event.id));
                assert.equal(ids.size, 1, `task ${task.id}: copies of its created event are the same event (one id), got ${[...ids]}`);
                // the audit consumer applied it exactly once
                const h = await history(cl.client, u, task.id);
                assert.equal(h.status, 200, `history of task ${task.id}: ${h.status} ${h.text}`);
                assert.deepEqual(h.items.map((e) => [e.type, e.event_id]), [['created', [...ids][0]]],
                    `task ${task.id}: exactly one "created" history entry, the Kafka event`);
            }
            // the tasks and the created events agree both ways (no event for a rolled-back task)
            const createdSubjects = new Set(mine.filter((m) => m.event.type === 'todo.task.created').map((m) => m.event.subject));
            assert.deepEqual([...createdSubjects].sort(), listed.map((x) => String(x.id)).sort(),
                `user ${u.id}: a created event for exactly the tasks that exist`);
        }
        assert.ok(barriers.length === users.length);
    });
});
