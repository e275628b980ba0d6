// jobs.test.mjs - the dapr reminder scheduler (docs/decisions/0030-dapr-jobs-scheduler.md):
// `todo api --bus dapr --scheduler dapr` beside a real daprd (pub/sub to Kafka), its Jobs API
// calls sent to the STAND-IN for the sidecar's Jobs endpoints (lib/jobs_standin.mjs: daprd's
// jobs need the Dapr Scheduler service, which cannot be built here). A reminder becomes a job
// at its remind_at; the job's callback fires it once and its todo.reminder.due goes through
// the real daprd to Kafka; re-dating moves the job, completing or deleting deletes it; a
// callback Dapr repeats fires nothing more; only the sidecar may call.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    requireEnvironment, newSecret, freshDatabase, dropDatabase, startPair, killAll, newUser,
    waitFor, waitForTopic, readTopic,
} from './lib/dapr.mjs';
import { JobsStandIn } from './lib/jobs_standin.mjs';

const PUBSUB = 'todo-pubsub';
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z'); // the API's own form
const FAILURE_POLICY = { constant: { interval: '5s', maxRetries: 12 } };

describe('Dapr Jobs API scheduler (through the Jobs stand-in; pub/sub through daprd)', () => {
    let secret;
    let databaseUrl;
    let api;
    let jobs;
    let u;
    const logs = () => api?.tail(8000) ?? '';

    before(async () => {
        requireEnvironment();
        secret = newSecret();
        databaseUrl = await freshDatabase(secret);
        jobs = await new JobsStandIn().start();
        api = await startPair('api', {
            appId: 'todo-api-jobs', group: 'api-jobs', pubsub: PUBSUB, databaseUrl, secret,
            extraEnv: { TODO_SCHEDULER: 'dapr', TODO_DAPR_JOBS_URL: jobs.url },
        });
        jobs.deliverTo(api.app.callbackUrl, api.app.appToken);
        await waitFor(async () => (await api.app.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready' });
        u = await newUser(api.app.client);
    });

    after(async () => {
        if (api && (api.app.child?.alive() || api.sidecar.child?.alive())) await api.stop().catch(() => {});
        await jobs?.stop().catch(() => {});
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        killAll();
    });

    const posts = (name) => jobs.requests.filter((r) => r.method === 'POST' && r.name === name);
    const deletes = (name) => jobs.requests.filter((r) => r.method === 'DELETE' && r.name === name);
    const dueEvents = (rid) => (msgs) => msgs.filter((m) => m.json?.type === 'todo.reminder.due' && m.json?.data?.id === rid);

    it('a reminder 2 s ahead becomes a job; its callback fires it once, and the event goes through daprd to Kafka', async () => {
        const at = Date.now() + 2000;
        const t = await u.create({ title: 'stand-up', reminders: [{ at: iso(at) }] });
        const rid = t.reminders[0].id;
        const name = `reminder-${rid}`;
        const remindAt = t.reminders[0].remind_at;
        const [post] = await waitFor(() => posts(name).length ? posts(name) : false, { what: `POST ${name}` });
        assert.equal(post.status, 204, post.text);
        assert.deepEqual(post.body, {
            dueTime: remindAt,
            data: { reminder_id: rid, remind_at: remindAt },
            overwrite: true,
            failurePolicy: FAILURE_POLICY,
        });
        await waitFor(async () => (await u.get(`/tasks/${t.id}`)).json.reminders[0].state === 'fired',
            { deadlineMs: 15000, what: 'the reminder to fire' }).catch((e) => { e.message += `\n${logs()}`; throw e; });
        const calls = await waitFor(() => {
            const c = jobs.callbacks.filter((x) => x.name === name);
            return c.length ? c : false;
        }, { what: 'the callback to be answered' });
        assert.equal(calls.length, 1);
        assert.equal(calls[0].status, 200, calls[0].answer);
        assert.deepEqual(JSON.parse(calls[0].answer), { fired: true });

        const [ev] = await waitForTopic('reminders', (m) => { const e = dueEvents(rid)(m); return e.length ? e : false; },
            { what: `todo.reminder.due of ${name} on Kafka` });
        assert.equal(ev.key, u.id, 'keyed by the user');
        assert.equal(ev.json.id, `reminder-${rid}-${Date.parse(remindAt)}`);
        assert.deepEqual(ev.json.data, { id: rid, task_id: t.id, title: 'stand-up', due_at: null, remind_at: remindAt, user_id: u.id, late: false });
        assert.equal(await api.app.metricSum('todo_reminders_fired_total', { scheduler: 'dapr' }), 1);
    });

    it('re-dating moves the job (overwrite); completing and deleting delete it', async () => {
        const due = Date.now() + 3600000;
        const moved = await u.create({ title: 'moved', due_at: iso(due), reminders: [{ before: 'PT10M' }] });
        const done = await u.create({ title: 'done', reminders: [{ at: iso(due) }] });
        const gone = await u.create({ title: 'gone', reminders: [{ at: iso(due) }] });
        const names = [moved, done, gone].map((t) => `reminder-${t.reminders[0].id}`);
        await waitFor(() => names.every((n) => jobs.jobs.has(n)), { what: 'three jobs' });

        const p = await u.patch(`/tasks/${moved.id}`, { json: { due_at: iso(due + 86400000) } });
        assert.equal(p.status, 200, p.text);
        const newAt = p.json.reminders[0].remind_at;
        assert.equal(Date.parse(newAt), due + 86400000 - 600000);
        assert.equal((await u.patch(`/tasks/${done.id}/complete`)).status, 200);
        assert.equal((await u.del(`/tasks/${gone.id}`)).status, 204);

        await waitFor(() => posts(names[0]).length === 2 && deletes(names[1]).length === 1 && deletes(names[2]).length === 1,
            { what: 'the move and the two cancels' });
        const second = posts(names[0])[1];
        assert.equal(second.status, 204);
        assert.equal(second.body.dueTime, newAt);
        assert.deepEqual(second.body.data, { reminder_id: moved.reminders[0].id, remind_at: newAt });
        assert.equal(second.body.overwrite, true);
        assert.equal(jobs.jobs.get(names[0]).dueTime, newAt, 'one job, at the new time');
        assert.ok(!jobs.jobs.has(names[1]) && !jobs.jobs.has(names[2]));
        assert.equal(deletes(names[1])[0].status, 204);
    });

    it('a callback Dapr delivers twice fires once: one event, the second answered fired:false', async () => {
        jobs.duplicate = true;
        try {
            const t = await u.create({ title: 'twice', reminders: [{ at: iso(Date.now() + 1500) }] });
            const rid = t.reminders[0].id;
            const name = `reminder-${rid}`;
            const calls = await waitFor(() => {
                const c = jobs.callbacks.filter((x) => x.name === name);
                return c.length === 2 ? c : false;
            }, { deadlineMs: 15000, what: 'two deliveries of the job' });
            assert.deepEqual(calls.map((c) => c.status), [200, 200]);
            assert.deepEqual(calls.map((c) => JSON.parse(c.answer).fired), [true, false]);
            const evs = await waitForTopic('reminders', (m) => { const e = dueEvents(rid)(m); return e.length ? e : false; });
            // the relay has published what the firing wrote: a second event would be there too
            await waitFor(async () => (await api.app.metricSum('todo_outbox_backlog')) === 0, { what: 'the outbox to drain' });
            assert.equal(dueEvents(rid)(await readTopic('reminders')).length, 1, 'one event');
            assert.equal(evs.length, 1);
        } finally {
            jobs.duplicate = false;
        }
    });

    it('only the sidecar may call /job/…: without the token 401 and nothing fires; other job names 404', async () => {
        const t = await u.create({ title: 'forged', reminders: [{ at: iso(Date.now() + 3600000) }] });
        const rid = t.reminders[0].id;
        const body = { reminder_id: rid, remind_at: t.reminders[0].remind_at };
        const forged = await api.app.callbacks.post(`/job/reminder-${rid}`, { json: body });
        assert.equal(forged.status, 401, forged.text);
        const wrong = await api.app.callbacks.post(`/job/reminder-${rid}`, { json: body, headers: { 'dapr-api-token': 'x'.repeat(44) } });
        assert.equal(wrong.status, 401);
        assert.equal((await u.get(`/tasks/${t.id}`)).json.reminders[0].state, 'scheduled');
        const other = await api.app.callbacks.post('/job/cleanup', { json: {}, headers: api.app.sidecarHeaders() });
        assert.equal(other.status, 404, other.text);
        const bad = await api.app.callbacks.post(`/job/reminder-${rid}`, { json: { reminder_id: rid + 1, remind_at: body.remind_at }, headers: api.app.sidecarHeaders() });
        assert.equal(bad.status, 400, bad.text);
        assert.equal((await u.get(`/tasks/${t.id}`)).json.reminders[0].state, 'scheduled');
        const pub = await api.app.client.post(`/job/reminder-${rid}`, { json: body, headers: api.app.sidecarHeaders() });
        assert.equal(pub.status, 404, 'the public listener has no /job route');
    });

    it('SIGTERM stops the app and its sidecar, each with exit status 0', async () => {
        const exits = await api.stop();
        assert.deepEqual({ code: exits.app.code, signal: exits.app.signal }, { code: 0, signal: null }, logs());
        assert.deepEqual({ code: exits.sidecar.code, signal: exits.sidecar.signal }, { code: 0, signal: null });
    });
});
