// reminders.test.mjs - reminders fire on time and once (docs/decisions/0029-reminder-scheduling.md),
// through the db scheduler of `todo serve` and `todo api`: a reminder 2 s ahead fires once
// (its state becomes "fired"; todo_reminders_fired_total counts one); re-dating a task moves
// its reminder, completing or deleting cancels it; reminders missed while no scheduler ran
// fire once at the next start, late; two `todo api` on one database fire 1,000 reminders due
// at the same second exactly once each. Everything is polled with a deadline, never slept.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { startServer, newUser, waitFor, runTodo, BACKEND } from './lib/server.mjs';

const execFileP = promisify(execFile);

/** A counter of /metrics (the db scheduler's label), or -1 when absent. */
async function counter(api, name) {
    const text = (await api.get('/metrics')).text;
    const m = new RegExp(`^${name}\\{scheduler="db"\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : -1;
}

const iso = (ms) => new Date(ms).toISOString();

/** u's calls against another server (a restart on the same database). */
const userOn = (api, u) => ({
    get: (p) => api.get(u.base + p, { token: u.token }),
    post: (p, x) => api.post(u.base + p, { token: u.token, ...x }),
});

/** The task's reminders as the API shows them. */
async function reminderStates(u, id) {
    const r = await u.get(`/tasks/${id}`);
    assert.equal(r.status, 200, r.text);
    return r.json.reminders;
}

describe('reminders (db scheduler)', () => {
    let srv;
    before(async () => { srv = await startServer(); });
    after(async () => { await srv?.stop(); });

    it('a_reminder_two_seconds_ahead_fires_exactly_once', async () => {
        const u = await newUser(srv.api);
        const fired0 = await counter(srv.api, 'todo_reminders_fired_total');
        assert.ok(fired0 >= 0, 'the scheduler exports its counters');
        const at = Date.now() + 2000;
        const t = await u.create({ title: 'call the dentist', reminders: [{ at: iso(at) }] });
        assert.equal(t.reminders[0].state, 'scheduled');
        assert.equal(Date.parse(t.reminders[0].remind_at), at);
        const fired = await waitFor(async () => {
            const [r] = await reminderStates(u, t.id);
            return r.state === 'fired' ? r : false;
        }, { deadlineMs: 15000, what: 'the reminder to fire' });
        assert.equal(fired.id, t.reminders[0].id);
        assert.ok(Date.now() >= at, 'it did not fire before its time');
        assert.equal(await counter(srv.api, 'todo_reminders_fired_total'), fired0 + 1, 'fired once');
    });

    it('redating_moves_the_reminder_and_completing_or_deleting_cancels_it', async () => {
        const u = await newUser(srv.api);
        const fired0 = await counter(srv.api, 'todo_reminders_fired_total');
        const soon = Date.now() + 2500;
        const moved = await u.create({ title: 'moved', due_at: iso(soon + 60000), reminders: [{ before: 'PT1M' }] });
        const done = await u.create({ title: 'done', reminders: [{ at: iso(soon) }] });
        const gone = await u.create({ title: 'gone', reminders: [{ at: iso(soon) }] });
        // the control fires after the others' original time: once it fired, they would have too
        const control = await u.create({ title: 'control', reminders: [{ at: iso(soon + 500) }] });

        const later = Date.now() + 3600000;
        const p = await u.patch(`/tasks/${moved.id}`, { json: { due_at: iso(later) } });
        assert.equal(p.status, 200, p.text);
        assert.equal(Date.parse(p.json.reminders[0].remind_at), later - 60000, 'the reminder moved with due_at');
        assert.equal(p.json.reminders[0].id, moved.reminders[0].id);
        assert.equal(p.json.reminders[0].state, 'scheduled');
        const c = await u.patch(`/tasks/${done.id}/complete`);
        assert.equal(c.status, 200, c.text);
        assert.equal(c.json.reminders[0].state, 'cancelled');
        assert.equal((await u.del(`/tasks/${gone.id}`)).status, 204);

        await waitFor(async () => (await reminderStates(u, control.id))[0].state === 'fired',
            { deadlineMs: 15000, what: 'the control reminder to fire' });
        assert.equal((await reminderStates(u, moved.id))[0].state, 'scheduled');
        assert.equal((await reminderStates(u, done.id))[0].state, 'cancelled');
        assert.equal(await counter(srv.api, 'todo_reminders_fired_total'), fired0 + 1, 'only the control fired');

        // reopening schedules a cancelled reminder again while its time is ahead
        const ahead = await u.create({ title: 'reopened', reminders: [{ at: iso(later) }] });
        await u.patch(`/tasks/${ahead.id}/complete`);
        const reopened = await u.patch(`/tasks/${ahead.id}/complete`, { json: { completed: false } });
        assert.equal(reopened.status, 200, reopened.text);
        assert.equal(reopened.json.reminders[0].state, 'scheduled');
    });

    it('completing_a_recurring_task_cancels_its_reminder_and_schedules_the_next_occurrences', async () => {
        const u = await newUser(srv.api);
        const due = Math.ceil((Date.now() + 3600000) / 1000) * 1000;
        const t = await u.create({ title: 'water the plants', due_at: iso(due),
            recurrence: { rule: 'FREQ=DAILY', from: 'due' }, reminders: [{ before: 'PT10M' }] });
        const c = await u.patch(`/tasks/${t.id}/complete`);
        assert.equal(c.status, 200, c.text);
        assert.equal(c.json.reminders[0].state, 'cancelled');
        const next = await waitFor(async () => {
            const items = (await u.list({ status: 'pending' })).items.filter((x) => x.title === 'water the plants');
            return items.length ? items[0] : false;
        }, { deadlineMs: 15000, what: 'the next occurrence' });
        assert.equal(Date.parse(next.due_at), due + 86400000);
        assert.equal(next.reminders.length, 1);
        assert.equal(next.reminders[0].state, 'scheduled');
        assert.equal(Date.parse(next.reminders[0].remind_at), due + 86400000 - 600000, 'moved to the next occurrence');
    });

    it('a_bad_scheduler_stops_the_start', async () => {
        const r = await runTodo(['serve', '--scheduler', 'cron']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /scheduler must be db, dapr or none/);
    });
});

describe('reminders missed while no scheduler ran', () => {
    it('fire_once_at_the_next_start_marked_late', async () => {
        // the first server fires nothing (TODO_SCHEDULER=none): its reminders are missed
        const first = await startServer({ env: { TODO_SCHEDULER: 'none' } });
        const u = await newUser(first.api);
        const missed = await u.create({ title: 'missed', reminders: [{ at: iso(Date.now() - 5 * 60000) }] });
        assert.equal(missed.reminders[0].state, 'scheduled');
        first.terminate();
        assert.deepEqual(await first.exited, { code: 0, signal: null });

        const reuse = { databaseUrl: first.databaseUrl, secret: first.secret, migrate: false };
        const second = await startServer(reuse);
        try {
            await waitFor(async () => (await reminderStates(userOn(second.api, u), missed.id))[0].state === 'fired',
                { deadlineMs: 15000, what: 'the missed reminder to fire at start' });
            assert.equal(await counter(second.api, 'todo_reminders_fired_total'), 1);
            assert.equal(await counter(second.api, 'todo_reminders_late_total'), 1, 'more than a minute late: late');
        } finally {
            second.terminate();
            assert.deepEqual(await second.exited, { code: 0, signal: null });
            rmSync(second.dataDir, { recursive: true, force: true });
        }

        // a third start fires it no more: a fresh control proves its scheduler ran past it
        const third = await startServer(reuse);
        try {
            const v = userOn(third.api, u);
            const c = await v.post('/tasks', { json: { title: 'control', reminders: [{ at: iso(Date.now() + 200) }] } });
            assert.equal(c.status, 201, c.text);
            await waitFor(async () => (await reminderStates(v, c.json.id))[0].state === 'fired',
                { deadlineMs: 15000, what: 'the control reminder to fire' });
            assert.equal(await counter(third.api, 'todo_reminders_fired_total'), 1, 'only the control');
            assert.equal(await counter(third.api, 'todo_reminders_late_total'), 0);
        } finally {
            await third.stop();
            rmSync(first.dataDir, { recursive: true, force: true });
        }
    });
});

describe('two api replicas on one database', () => {
    it('fire_1000_reminders_due_at_the_same_second_exactly_once_each', async () => {
        // made by a replica without a scheduler, so the two firing ones start together on them
        const maker = await startServer({ command: 'api', env: { TODO_SCHEDULER: 'none' } });
        const u = await newUser(maker.api);
        const at = iso(Math.ceil((Date.now() + 2000) / 1000) * 1000);
        const ids = [];
        for (let i = 0; i < 100; i++) {
            const reminders = Array.from({ length: 10 }, () => ({ at }));
            ids.push((await u.create({ title: `burst ${i}`, reminders })).id);
        }
        const reuse = { command: 'api', databaseUrl: maker.databaseUrl, secret: maker.secret, migrate: false };
        const [one, two] = await Promise.all([startServer(reuse), startServer(reuse)]);
        try {
            const total = async () => (await counter(one.api, 'todo_reminders_fired_total')) +
                (await counter(two.api, 'todo_reminders_fired_total'));
            await waitFor(async () => (await total()) >= 1000, { deadlineMs: 30000, what: '1,000 firings' });
            const items = await u.listAll({ limit: 100 });
            assert.equal(items.length, 100);
            const states = items.flatMap((t) => t.reminders.map((r) => r.state));
            assert.equal(states.length, 1000);
            assert.deepEqual([...new Set(states)], ['fired']);
            assert.equal(await total(), 1000, 'each reminder fired exactly once over both replicas');
            if (BACKEND === 'postgres') {
                const psql = process.env.TODO_TEST_PSQL || 'psql';
                const { stdout } = await execFileP(psql, ['-X', '-qAt', '-d', maker.databaseUrl, '-c',
                    "SELECT count(*), count(DISTINCT event_id) FROM outbox WHERE topic = 'reminders'"]);
                assert.equal(stdout.trim(), '1000|1000', 'one todo.reminder.due per reminder in the outbox');
            }
        } finally {
            await Promise.all([one.stop(), two.stop()]);
            await maker.stop();
        }
    });
});
