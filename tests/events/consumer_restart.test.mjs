// consumer_restart.test.mjs - `todo audit` is killed (SIGKILL) in the middle of a burst of
// 200 updates and started again: it resumes from its committed offsets, events it had applied
// but not yet committed come again and are no-ops, so every update is in the history once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    startCluster, newUser, readKeys, perKey, firstOccurrences, historyAtLeast, history,
    auditBarrier,
} from './lib/cluster.mjs';

const TASKS_PER_USER = 4;
const UPDATES = 200;
const KILL_AFTER = 70; // acknowledged updates before the kill

describe('the audit consumer dies mid-burst', () => {
    let cl;
    let users;
    const tasks = []; // {user, id}

    before(async () => {
        cl = await startCluster();
        users = [await newUser(cl.client), await newUser(cl.client)];
        for (const u of users) {
            for (let i = 0; i < TASKS_PER_USER; i++) tasks.push({ user: u, id: (await u.create({ title: `burst ${i}` })).id });
        }
        // the consumer is up and applying before the burst starts
        for (const t of tasks) await historyAtLeast(cl.client, t.user, t.id, 1);
    });

    after(async () => { await cl?.stop(); });

    it('consumer_restart_resumes_without_duplicates', async (t) => {
        const perTask = UPDATES / tasks.length; // 25
        let acked = 0;
        let restarting;
        let appliedAtKill;

        // one writer per task, all tasks at once: each task's updates are in a known order
        const writer = async (task) => {
            for (let k = 1; k <= perTask; k++) {
                const r = await task.user.patch(`/tasks/${task.id}`, { json: { description: `update ${k}` } });
                assert.equal(r.status, 200, `update ${k} of task ${task.id}: ${r.status} ${r.text}`);
                acked += 1;
                if (acked === KILL_AFTER) {
                    restarting = (async () => {
                        appliedAtKill = (await history(cl.client, tasks[0].user, tasks[0].id)).items?.length;
                        const exit = await cl.audit.kill9();
                        assert.equal(exit.signal, 'SIGKILL', 'the audit process was killed');
                        await cl.audit.start(); // same database; rejoins the consumer group
                    })();
                }
            }
        };
        await Promise.all(tasks.map(writer));
        await restarting;
        t.diagnostic(`killed the audit process after ${KILL_AFTER} acknowledged updates ` +
            `(task ${tasks[0].id} had ${appliedAtKill} history entries then)`);

        const started = Date.now();
        for (const task of tasks) await historyAtLeast(cl.client, task.user, task.id, perTask + 1, { deadlineMs: 120000 });
        t.diagnostic(`the restarted consumer caught up in ${Date.now() - started} ms (rejoining the group included)`);
        for (const u of users) await auditBarrier(cl, u); // redeliveries before it are done

        const events = await readKeys('task-events', users.map((u) => u.id));
        for (const task of tasks) {
            const h = await history(cl.client, task.user, task.id);
            assert.equal(h.status, 200);
            assert.equal(h.items.length, perTask + 1,
                `task ${task.id}: one history entry per change, got ${h.items.length} (${perTask} updates + created)`);
            assert.deepEqual(h.items.map((e) => e.type), [...Array(perTask).fill('updated'), 'created']);
            const descs = h.items.slice(0, perTask).map((e) => e.changes?.description?.after);
            assert.deepEqual(descs, Array.from({ length: perTask }, (_, i) => `update ${perTask - i}`),
                `task ${task.id}: every update once, newest first`);
            const kafkaIds = firstOccurrences(perKey(events, task.user.id))
                .filter((m) => m.event.subject === String(task.id)).map((m) => m.event.id);
            assert.deepEqual(h.items.map((e) => e.event_id), kafkaIds.reverse(),
                `task ${task.id}: the history entries are the Kafka events, in order`);
        }
        const consumed = await cl.audit.metric('todo_events_consumed_total{consumer="audit",topic="task-events",type="any"}');
        t.diagnostic(`the restarted audit process handled ${consumed} events`);
    });
});
