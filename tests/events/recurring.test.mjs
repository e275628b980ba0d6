// recurring.test.mjs - `todo api`, `todo audit` and `todo recurring` as three processes on the
// real broker and PostgreSQL. Completing an occurrence of a recurring task (api) puts
// todo.task.completed on task-events; the recurring process creates the next occurrence in
// its own transaction, writing the successor's events to the outbox, which the api's relay
// publishes on its sweep (rows of another process are not notified), and the audit process
// records them. Killed with SIGKILL amid a burst of completions and restarted, the recurring
// consumer still makes exactly one successor per completed occurrence.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, newUser, waitFor, history, historyAtLeast } from './lib/cluster.mjs';

const DAY_MS = 24 * 3600e3;
// Successor deadlines: the recurring group may have to (re)join first (session timeout 6 s),
// and a successor's own events wait for the api relay's sweep of other processes' rows.
const SUCCESSOR_DEADLINE_MS = 60000;
const BURST_DEADLINE_MS = 120000;

/** Every task of the user with recurring=true, grouped by recurrence.series_id. */
async function seriesOf(user) {
    const items = await user.listAll({ recurring: 'true', limit: 200 });
    const by = new Map();
    for (const t of items) {
        const sid = t.recurrence?.series_id;
        assert.ok(Number.isInteger(sid), `task ${t.id} of a recurring list has a series_id: ${JSON.stringify(t.recurrence)}`);
        if (!by.has(sid)) by.set(sid, []);
        by.get(sid).push(t);
    }
    return by;
}

/** Runs fn over items with at most n calls in flight. */
async function pool(items, n, fn) {
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

describe('recurring tasks across processes', () => {
    let cl;
    before(async () => { cl = await startCluster({ recurring: true }); });
    after(async () => { await cl?.stop(); });

    it('completing_an_occurrence_creates_the_next_one_in_the_recurring_process', async (t) => {
        const u = await newUser(cl.client, { timezone: 'Europe/Berlin' });
        const task = await u.create({ title: 'Water the plants', due_at: '2030-05-06T07:00:00Z',
            recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO,TH', from: 'due' }, tags: ['garden'],
            priority: 'high', reminders: [{ before: 'PT15M' }] });
        assert.equal(task.recurrence.series_id, task.id, 'the first occurrence starts its series');
        const started = Date.now();
        const done = await u.patch(`/tasks/${task.id}/complete`);
        assert.equal(done.status, 200, `complete: ${done.status} ${done.text}`);
        assert.equal(done.json.completed, true);

        let last;
        const s = await waitFor(async () => {
            last = (await seriesOf(u)).get(task.id) || [];
            return last.length >= 2 && last;
        }, { deadlineMs: SUCCESSOR_DEADLINE_MS, intervalMs: 50, what: `the successor of task ${task.id}` })
            .catch((e) => { e.message += `\n${cl.logs()}`; throw e; });
        t.diagnostic(`successor visible ${Date.now() - started} ms after the completion`);
        const next = s.filter((x) => x.id !== task.id);
        assert.equal(next.length, 1, 'exactly one next occurrence');
        const n = next[0];
        // 2030-05-06 is a Monday, 09:00 in Berlin; the next is Thursday 2030-05-09 09:00 Berlin
        assert.equal(n.due_at, '2030-05-09T07:00:00Z');
        assert.equal(n.title, 'Water the plants');
        assert.deepEqual(n.tags, ['garden']);
        assert.equal(n.priority, 'high');
        assert.equal(n.completed, false);
        assert.equal(n.status, 'pending');
        assert.equal(n.recurrence.rule, task.recurrence.rule);
        assert.equal(n.recurrence.from, 'due');
        assert.equal(n.recurrence.series_id, task.id);
        assert.equal(n.reminders.length, 1);
        assert.equal(n.reminders[0].before, 'PT15M');
        assert.equal(n.reminders[0].remind_at, '2030-05-09T06:45:00Z');
        const one = await u.get(`/tasks/${n.id}`);
        assert.equal(one.status, 200);
        assert.equal(one.json.recurrence.text, 'every Monday and Thursday at 09:00');

        // the completed occurrence's history (audit process): created, then completed
        const h = await historyAtLeast(cl.client, u, task.id, 2);
        assert.deepEqual(h.map((e) => e.type), ['completed', 'created']);
        // the successor's own created event: written to the outbox by the recurring process,
        // published by the api's relay, recorded by the audit process
        const hs = await historyAtLeast(cl.client, u, n.id, 1, { deadlineMs: SUCCESSOR_DEADLINE_MS });
        assert.deepEqual(hs.map((e) => e.type), ['created']);

        // reopen and complete the same occurrence again: no second successor
        assert.equal((await u.patch(`/tasks/${task.id}/complete`, { json: { completed: false } })).status, 200);
        assert.equal((await u.patch(`/tasks/${task.id}/complete`, { json: { completed: true } })).status, 200);
        await historyAtLeast(cl.client, u, task.id, 4);
        // a barrier on the same partition: a later completion's successor means the recurring
        // consumer has handled the second completion too
        const b = await u.create({ title: 'barrier', due_at: '2030-01-01T08:00:00Z', recurrence: { rule: 'daily', from: 'due' } });
        assert.equal((await u.patch(`/tasks/${b.id}/complete`)).status, 200);
        await waitFor(async () => ((await seriesOf(u)).get(b.id) || []).length >= 2,
            { deadlineMs: SUCCESSOR_DEADLINE_MS, what: 'the barrier successor' });
        const after2 = (await seriesOf(u)).get(task.id);
        assert.equal(after2.length, 2, `still one successor after completing again: ${after2.map((x) => x.id)}`);
    });

    it('recurring_killed_mid_burst_makes_exactly_one_successor_per_completion', async (t) => {
        const USERS = 4;
        const PER_USER = 50;
        const IN_FLIGHT = 8;
        const KILL_AFTER = 60; // acknowledged completions before the kill
        const users = [];
        for (let i = 0; i < USERS; i++) users.push(await newUser(cl.client));
        const tasks = []; // {user, id, due}
        await pool(Array.from({ length: USERS * PER_USER }, (_, i) => i), IN_FLIGHT, async (i) => {
            const user = users[i % USERS];
            const due = Date.UTC(2030, 0, 1, 8, 0, 0) + (i % 30) * DAY_MS;
            const r = await user.create({ title: `burst ${i}`, due_at: new Date(due).toISOString(),
                recurrence: { rule: 'daily', from: 'due' }, tags: [`b${i % 7}`] });
            tasks.push({ user, id: r.id, due, title: `burst ${i}` });
        });
        assert.equal(tasks.length, USERS * PER_USER);

        // the recurring consumer is up and has its partitions before the burst: one completion
        // per user and its successor (these four series are not part of the count)
        const warm = [];
        for (const u of users) {
            const w = await u.create({ title: 'warm-up', due_at: '2030-01-01T08:00:00Z', recurrence: { rule: 'daily', from: 'due' } });
            assert.equal((await u.patch(`/tasks/${w.id}/complete`)).status, 200);
            warm.push({ user: u, id: w.id });
        }
        for (const w of warm) {
            await waitFor(async () => ((await seriesOf(w.user)).get(w.id) || []).length >= 2,
                { deadlineMs: SUCCESSOR_DEADLINE_MS, what: `the warm-up successor of task ${w.id}` });
        }

        // 200 completions, 8 in flight, interleaving the users; SIGKILL amid them
        const order = [...tasks].sort((a, b) => a.id - b.id);
        let acked = 0;
        let restarting;
        let successorsAtKill;
        const countSuccessors = async () => {
            let n = 0;
            for (const u of users) for (const list of (await seriesOf(u)).values()) n += list.length - 1;
            return n - warm.length;
        };
        const burstStart = Date.now();
        await pool(order, IN_FLIGHT, async (task) => {
            const r = await task.user.patch(`/tasks/${task.id}/complete`, { json: { completed: true } });
            assert.equal(r.status, 200, `complete ${task.id}: ${r.status} ${r.text}`);
            acked += 1;
            if (acked === KILL_AFTER) {
                restarting = (async () => {
                    const exit = await cl.recurring.kill9();
                    assert.equal(exit.signal, 'SIGKILL', 'the recurring process was killed');
                    successorsAtKill = await countSuccessors();
                    await cl.recurring.start(); // rejoins the "recurring" consumer group
                })();
            }
        });
        await restarting;
        t.diagnostic(`200 completions acknowledged in ${Date.now() - burstStart} ms; the recurring process ` +
            `was killed after ${KILL_AFTER} (${successorsAtKill} successors existed then) and restarted`);

        // every completed occurrence gets its successor
        const started = Date.now();
        let seen = 0;
        await waitFor(async () => {
            seen = await countSuccessors();
            return seen >= tasks.length;
        }, { deadlineMs: BURST_DEADLINE_MS, intervalMs: 250, what: `${tasks.length} successors` })
            .catch((e) => { e.message += ` (last count ${seen})\n${cl.logs()}`; throw e; });
        t.diagnostic(`all successors visible ${Date.now() - started} ms after the last completion was acknowledged`);

        // a barrier per user (one partition each): a completion after the burst and its
        // successor, so every redelivered event before it has been handled too
        for (const u of users) {
            const b = await u.create({ title: 'barrier', due_at: '2030-01-01T08:00:00Z', recurrence: { rule: 'daily', from: 'due' } });
            assert.equal((await u.patch(`/tasks/${b.id}/complete`)).status, 200);
            await waitFor(async () => ((await seriesOf(u)).get(b.id) || []).length >= 2,
                { deadlineMs: SUCCESSOR_DEADLINE_MS, what: `the barrier successor for user ${u.id}` });
        }

        const byUser = new Map();
        for (const u of users) byUser.set(u.id, await seriesOf(u));
        const wrong = [];
        const successors = [];
        for (const task of tasks) {
            const s = byUser.get(task.user.id).get(task.id) || [];
            if (s.length !== 2) { wrong.push(`series ${task.id}: ${s.length} tasks (${s.map((x) => x.id)})`); continue; }
            const orig = s.find((x) => x.id === task.id);
            const succ = s.find((x) => x.id !== task.id);
            assert.ok(orig && orig.completed, `task ${task.id} is completed`);
            assert.equal(succ.completed, false, `successor ${succ.id} is pending`);
            assert.equal(succ.title, task.title);
            assert.equal(succ.due_at, new Date(task.due + DAY_MS).toISOString().replace('.000Z', 'Z'),
                `successor of ${task.id}: the next day`);
            successors.push({ user: task.user, id: succ.id });
        }
        assert.deepEqual(wrong, [], 'every series has exactly 2 tasks (the completed one and one successor)');
        assert.equal(successors.length, tasks.length);
        const total = [...byUser.values()].reduce((n, m) => n + [...m.values()].reduce((k, l) => k + l.length, 0), 0);
        assert.equal(total, 2 * (tasks.length + 2 * USERS), 'no other recurring task appeared');

        // each successor's created event reached the audit process through the api's relay
        for (const s of successors) {
            const items = await historyAtLeast(cl.client, s.user, s.id, 1, { deadlineMs: SUCCESSOR_DEADLINE_MS });
            assert.deepEqual(items.map((e) => e.type), ['created'], `history of successor ${s.id}`);
        }
        const labels = '{consumer="recurring",topic="task-events",type="todo.task.completed"}';
        const consumed = await cl.recurring.metric(`todo_events_consumed_total${labels}`);
        const dups = await cl.recurring.metric(`todo_events_duplicates_total${labels}`);
        t.diagnostic(`the restarted recurring process applied ${consumed} completions and ignored ${dups} redelivered ones`);
        const h = await history(cl.client, tasks[0].user, tasks[0].id);
        assert.deepEqual(h.items.map((e) => e.type), ['completed', 'created']);
    });
});
