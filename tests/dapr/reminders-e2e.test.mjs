// reminders-e2e.test.mjs - issue 11 §5 in Dapr mode, end to end: `todo api --bus dapr
// --scheduler dapr` beside its real daprd, its Jobs API calls sent to THE STAND-IN for the
// sidecar's Jobs endpoints (lib/jobs_standin.mjs; docs/decisions/0030-dapr-jobs-scheduler.md),
// which calls the app back on its callback listener with the app token as daprd does, and
// `todo notify --bus dapr` beside its own real daprd, both on one PostgreSQL database and the
// real Kafka broker. A reminder's job fires, the callback writes todo.reminder.due, the event
// goes api → daprd → Kafka → daprd → notify, and notify delivers it to the in-app list and a
// signature-checking webhook receiver (docs/decisions/0031-notification-deliveries.md) once —
// also when the stand-in calls back twice; re-dating moves the job (one delivery, at the new
// time), completing or deleting cancels it (nothing delivered), reopening schedules it again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    requireEnvironment, newSecret, freshDatabase, dropDatabase, startPair, killAll, newUser,
    waitFor, waitForTopic, readTopic,
} from './lib/dapr.mjs';
import { JobsStandIn } from './lib/jobs_standin.mjs';
import { webhookReceiver } from '../blackbox/lib/receivers.mjs';

const PUBSUB = 'todo-pubsub';
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z'); // the API's own form
const DELIVERY_DEADLINE_MS = 60000;

describe('Dapr mode end to end: Jobs (stand-in) → callback → daprd → Kafka → daprd → todo notify', () => {
    let databaseUrl, api, notify, recurring, jobs, hook, u;
    const logs = () => `${api?.tail(6000) ?? ''}\n${notify?.tail(6000) ?? ''}\n${recurring?.tail(4000) ?? ''}`;

    before(async () => {
        requireEnvironment();
        hook = await webhookReceiver({ secret: () => hook.secret });
        const secret = newSecret();
        databaseUrl = await freshDatabase(secret);
        jobs = await new JobsStandIn().start();
        const common = { pubsub: PUBSUB, databaseUrl, secret };
        const env = { TODO_ALLOW_PRIVATE_WEBHOOKS: '1', TODO_NOTIFY_BACKOFF_MS: '50' };
        [api, notify, recurring] = await Promise.all([
            startPair('api', { appId: 'todo-api-e2e', group: 'api-e2e', ...common,
                extraEnv: { ...env, TODO_SCHEDULER: 'dapr', TODO_DAPR_JOBS_URL: jobs.url } }),
            startPair('notify', { appId: 'todo-notify-e2e', group: 'notify-e2e', ...common, extraEnv: env }),
            // it writes the successors' reminders, so it queues their jobs too (docs/operations.md)
            startPair('recurring', { appId: 'todo-recurring-e2e', group: 'recurring-e2e', ...common,
                extraEnv: { TODO_SCHEDULER: 'dapr' } }),
        ]);
        jobs.deliverTo(api.app.callbackUrl, api.app.appToken);
        await waitFor(async () => (await api.app.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready' });
        await waitFor(async () => (await notify.sidecar.metadata()).subscriptions?.some((s) => s.topic === 'reminders'),
            { deadlineMs: 20000, intervalMs: 100, what: 'the notify sidecar to subscribe to reminders' });
        u = await newUser(api.app.client);
        const s = await u.put('/settings', { json: { channels: { in_app: true, webhook: true }, webhook_url: `${hook.url}/hook` } });
        assert.equal(s.status, 200, s.text);
        hook.secret = (await u.post('/settings/webhook-secret')).json.webhook_secret;
    });

    after(async () => {
        for (const p of [api, notify, recurring]) {
            if (p && (p.app.child?.alive() || p.sidecar.child?.alive())) await p.stop().catch(() => {});
        }
        await jobs?.stop().catch(() => {});
        await hook?.close();
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        killAll();
    });

    const posts = (name) => jobs.requests.filter((r) => r.method === 'POST' && r.name === name);
    const deletes = (name) => jobs.requests.filter((r) => r.method === 'DELETE' && r.name === name);
    const callbacks = (name) => jobs.callbacks.filter((c) => c.name === name);
    const inApp = async (taskId) => {
        const r = await u.get('/notifications');
        assert.equal(r.status, 200, r.text);
        return r.json.items.filter((n) => n.task_id === taskId);
    };
    /** Webhook requests the receiver accepted for reminder rid (any delivery id). */
    const hooked = (rid) => hook.requests.filter((q) => !q.refused && JSON.parse(q.body).id === rid);
    const key = (rid, remindAt) => `r${rid}-${Date.parse(remindAt)}`;

    /** Waits until reminder rid (at remindAt) is in the in-app list and the webhook took it. */
    async function delivered(t, rid, remindAt, what) {
        await waitFor(async () => hook.accepted.has(`${key(rid, remindAt)}.webhook`) && (await inApp(t.id)).length >= 1,
            { deadlineMs: DELIVERY_DEADLINE_MS, what: `${what}\n${logs()}` });
    }

    /** Every todo.reminder.due of reminder rid on Kafka (the topic is the tier's: earlier
     * files' databases have reminder ids of their own, so the user tells ours), once the
     * api's outbox has drained. */
    async function settled(rid) {
        const ours = (m) => m.filter((x) => x.json?.type === 'todo.reminder.due' && x.json?.data?.id === rid
            && x.json?.data?.user_id === u.id);
        await waitForTopic('reminders', (m) => ours(m).length > 0, { what: `todo.reminder.due of reminder ${rid} on Kafka` });
        await waitFor(async () => (await api.app.metricSum('todo_outbox_backlog')) === 0, { what: 'the api outbox to drain' });
        return ours(await readTopic('reminders')); // read again: whatever the relay still had is there now
    }

    it('a reminder 2 s ahead: its job fires, and notify delivers it in-app and to the signed webhook once', async () => {
        const t = await u.create({ title: 'e2e stand-up', reminders: [{ at: iso(Date.now() + 2000) }] });
        const rid = t.reminders[0].id;
        const remindAt = t.reminders[0].remind_at;
        const name = `reminder-${rid}`;
        await waitFor(() => posts(name).length === 1, { what: `POST ${name} to the Jobs API` });
        assert.equal(posts(name)[0].status, 204, posts(name)[0].text);
        await delivered(t, rid, remindAt, 'the reminder delivered through Dapr');

        const calls = callbacks(name);
        assert.equal(calls.length, 1, 'the stand-in called back once');
        assert.deepEqual([calls[0].status, JSON.parse(calls[0].answer)], [200, { fired: true }]);
        assert.equal((await settled(rid)).length, 1, 'one event on Kafka');
        const items = await inApp(t.id);
        assert.equal(items.length, 1, 'one in-app notification');
        assert.equal(items[0].title, 'e2e stand-up');
        assert.equal(hook.accepted.get(`${key(rid, remindAt)}.webhook`), 1);
        const [req] = hooked(rid);
        assert.equal(hooked(rid).length, 1, 'one signed webhook request');
        assert.equal(req.headers['x-todo-delivery'], `${key(rid, remindAt)}.webhook`);
        assert.equal(JSON.parse(req.body).remind_at, remindAt);
        assert.equal((await u.get(`/tasks/${t.id}`)).json.reminders[0].state, 'fired');
    });

    it('a job the stand-in delivers twice: fired:true then fired:false, and one delivery per channel', async () => {
        jobs.duplicate = true;
        let t, rid, remindAt, name;
        try {
            t = await u.create({ title: 'e2e twice', reminders: [{ at: iso(Date.now() + 2000) }] });
            rid = t.reminders[0].id;
            remindAt = t.reminders[0].remind_at;
            name = `reminder-${rid}`;
            await waitFor(() => callbacks(name).length === 2, { deadlineMs: 20000, what: 'two deliveries of the job' });
        } finally {
            jobs.duplicate = false;
        }
        assert.deepEqual(callbacks(name).map((c) => [c.status, JSON.parse(c.answer).fired]), [[200, true], [200, false]]);
        await delivered(t, rid, remindAt, 'the twice-called reminder delivered');
        assert.equal((await settled(rid)).length, 1, 'one event on Kafka');
        assert.equal((await inApp(t.id)).length, 1, 'one in-app notification');
        assert.equal(hook.accepted.get(`${key(rid, remindAt)}.webhook`), 1);
        assert.equal(hooked(rid).length, 1, 'one webhook request');
    });

    it('re-dating moves the job: it fires once, at the new time; the old job\'s data fires nothing', async () => {
        const due = Date.now() + 3600000;
        const t = await u.create({ title: 'e2e moved', due_at: iso(due), reminders: [{ before: 'PT10M' }] });
        const rid = t.reminders[0].id;
        const oldAt = t.reminders[0].remind_at;
        const name = `reminder-${rid}`;
        await waitFor(() => jobs.jobs.has(name), { what: `the job ${name}` });
        const newDue = Date.now() + 2000 + 600000;
        const p = await u.patch(`/tasks/${t.id}`, { json: { due_at: iso(newDue) } });
        assert.equal(p.status, 200, p.text);
        const newAt = p.json.reminders[0].remind_at;
        assert.notEqual(newAt, oldAt);
        await waitFor(() => posts(name).length === 2, { what: `the job ${name} moved` });
        assert.deepEqual(posts(name)[1].body.data, { reminder_id: rid, remind_at: newAt });

        // Dapr delivering the old job late (the overwrite raced its firing): nothing fires
        const stale = await api.app.callbacks.post(`/job/${name}`,
            { json: { reminder_id: rid, remind_at: oldAt }, headers: api.app.sidecarHeaders() });
        assert.equal(stale.status, 200, stale.text);
        assert.deepEqual(stale.json, { fired: false });

        await delivered(t, rid, newAt, 'the moved reminder delivered');
        assert.equal(callbacks(name).length, 1, 'the stand-in called back once, for the new time');
        assert.deepEqual(JSON.parse(callbacks(name)[0].body), { reminder_id: rid, remind_at: newAt });
        const evs = await settled(rid);
        assert.deepEqual(evs.map((e) => e.json.data.remind_at), [newAt], 'one event, at the new time');
        assert.equal((await inApp(t.id)).length, 1);
        assert.equal(hooked(rid).length, 1);
        assert.equal(hook.accepted.get(`${key(rid, newAt)}.webhook`), 1);
        assert.ok(!hook.attempts.has(`${key(rid, oldAt)}.webhook`), 'nothing for the old time');
    });

    it('completing or deleting a task cancels its job: nothing is delivered (a later reminder is)', async () => {
        const now = Date.now();
        const done = await u.create({ title: 'e2e completed', reminders: [{ at: iso(now + 4000) }] });
        const gone = await u.create({ title: 'e2e deleted', reminders: [{ at: iso(now + 4000) }] });
        const later = await u.create({ title: 'e2e sentinel', reminders: [{ at: iso(now + 6000) }] });
        const cancelled = [done, gone].map((t) => ({ t, rid: t.reminders[0].id, name: `reminder-${t.reminders[0].id}` }));
        await waitFor(() => cancelled.every((c) => posts(c.name).length === 1), { what: 'the two jobs' });
        const c = await u.patch(`/tasks/${done.id}/complete`);
        assert.equal(c.status, 200, c.text);
        assert.equal((await u.del(`/tasks/${gone.id}`)).status, 204);
        await waitFor(() => cancelled.every((x) => deletes(x.name).length === 1), { what: 'the two DELETEs' });
        for (const x of cancelled) {
            assert.equal(deletes(x.name)[0].status, 204);
            assert.ok(!jobs.jobs.has(x.name), `${x.name} is gone from the scheduler`);
        }

        // Dapr calling back a job whose DELETE raced its firing: nothing fires
        for (const x of cancelled) {
            const late = await api.app.callbacks.post(`/job/${x.name}`,
                { json: { reminder_id: x.rid, remind_at: x.t.reminders[0].remind_at }, headers: api.app.sidecarHeaders() });
            assert.equal(late.status, 200, late.text);
            assert.deepEqual(late.json, { fired: false }, x.t.title);
        }

        // the sentinel is due after both: once notify delivered it, theirs would have come first
        await delivered(later, later.reminders[0].id, later.reminders[0].remind_at, 'the sentinel reminder delivered');
        await settled(later.reminders[0].id);
        for (const x of cancelled) {
            assert.equal(callbacks(x.name).length, 0, `${x.name} never called back`);
            assert.equal(hooked(x.rid).length, 0, `no webhook for ${x.t.title}`);
            assert.equal((await inApp(x.t.id)).length, 0, `no in-app notification for ${x.t.title}`);
        }
        assert.notEqual((await u.get(`/tasks/${done.id}`)).json.reminders[0].state, 'fired');
    });

    it('reopening a completed task schedules its job again: it fires once', async () => {
        const t = await u.create({ title: 'e2e reopened', reminders: [{ at: iso(Date.now() + 5000) }] });
        const rid = t.reminders[0].id;
        const remindAt = t.reminders[0].remind_at;
        const name = `reminder-${rid}`;
        await waitFor(() => posts(name).length === 1, { what: `POST ${name}` });
        assert.equal((await u.patch(`/tasks/${t.id}/complete`)).status, 200);
        await waitFor(() => deletes(name).length === 1, { what: `DELETE ${name}` });
        const r = await u.patch(`/tasks/${t.id}/complete`, { json: { completed: false } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.reminders[0].state, 'scheduled');
        await waitFor(() => posts(name).length === 2, { what: `POST ${name} again` });
        assert.equal(posts(name)[1].body.dueTime, remindAt);

        await delivered(t, rid, remindAt, 'the reopened reminder delivered');
        assert.equal(callbacks(name).length, 1);
        assert.equal((await settled(rid)).length, 1, 'one event on Kafka');
        assert.equal((await inApp(t.id)).length, 1);
        assert.equal(hooked(rid).length, 1);
    });

    it('a recurring task: its overdue reminder fires late at once, and completing it schedules the successor\'s, which fires once', async () => {
        // due 50 min ago (FREQ=HOURLY from due): its reminder (10 min before) is an hour late;
        // the successor is due in 10 min, its reminder a few seconds from now
        const due = Math.floor((Date.now() - 3000000 + 8000) / 1000) * 1000;
        const t = await u.create({ title: 'e2e hourly', due_at: iso(due),
            recurrence: { rule: 'FREQ=HOURLY', from: 'due' }, reminders: [{ before: 'PT10M' }] });
        const rid = t.reminders[0].id;
        const remindAt = t.reminders[0].remind_at;
        await delivered(t, rid, remindAt, 'the late reminder delivered');
        assert.equal(JSON.parse(hooked(rid)[0].body).late, true, 'marked late');
        const c = await u.patch(`/tasks/${t.id}/complete`);
        assert.equal(c.status, 200, c.text);

        const next = await waitFor(async () => (await u.listAll()).find((x) => x.recurrence?.series_id === t.id && x.id !== t.id),
            { deadlineMs: 30000, what: `the successor of task ${t.id}\n${logs()}` });
        const nrid = next.reminders[0].id;
        const nextAt = next.reminders[0].remind_at;
        assert.equal(Date.parse(nextAt), due + 3600000 - 600000);
        assert.equal(next.reminders[0].state, 'scheduled');
        const nname = `reminder-${nrid}`;
        await waitFor(() => posts(nname).length === 1, { what: `POST ${nname} (queued by todo recurring)\n${logs()}` });
        assert.equal(posts(nname)[0].body.dueTime, nextAt);

        await delivered(next, nrid, nextAt, 'the successor\'s reminder delivered');
        assert.equal(callbacks(nname).length, 1);
        assert.equal((await settled(nrid)).length, 1, 'one event on Kafka');
        assert.equal((await inApp(next.id)).length, 1);
        assert.equal(hooked(nrid).length, 1);
        assert.equal(JSON.parse(hooked(nrid)[0].body).late, false);
        assert.equal((await inApp(t.id)).length, 1, 'the first occurrence: one (late) notification');
    });

    it('while the Jobs API answers 500 (daprd without its Scheduler), the job is sent again until taken; it fires once', async () => {
        jobs.refuse = 3;
        const t = await u.create({ title: 'e2e retried', reminders: [{ at: iso(Date.now() + 3000) }] });
        const rid = t.reminders[0].id;
        const remindAt = t.reminders[0].remind_at;
        const name = `reminder-${rid}`;
        await waitFor(() => posts(name).some((q) => q.status === 204), { deadlineMs: 20000, what: `POST ${name} taken\n${logs()}` });
        assert.deepEqual(posts(name).map((q) => q.status), [500, 500, 500, 204]);
        assert.equal(jobs.refuse, 0);

        await delivered(t, rid, remindAt, 'the retried reminder delivered');
        assert.equal(callbacks(name).length, 1);
        assert.equal((await settled(rid)).length, 1, 'one event on Kafka');
        assert.equal((await inApp(t.id)).length, 1);
        assert.equal(hooked(rid).length, 1);
    });

    it('the api down when its job comes due: Dapr\'s retries reach it once it is back, and it fires once', async () => {
        const t = await u.create({ title: 'e2e downtime', reminders: [{ at: iso(Date.now() + 4000) }] });
        const rid = t.reminders[0].id;
        const remindAt = t.reminders[0].remind_at;
        const name = `reminder-${rid}`;
        await waitFor(() => posts(name).some((q) => q.status === 204), { what: `POST ${name}` });
        const down = await api.app.child.terminate();
        assert.deepEqual([down.code, down.signal], [0, null], api.tail());
        await waitFor(() => callbacks(name).length >= 1, { deadlineMs: 20000, what: 'a delivery to the stopped api' });
        assert.equal(callbacks(name)[0].status, 0, 'nobody answered');

        await api.app.start(); // the same listeners; its sidecar stayed up
        await waitFor(async () => (await api.app.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready again' });
        await delivered(t, rid, remindAt, 'the reminder delivered after the restart');
        const answered = callbacks(name).filter((c) => c.status === 200);
        assert.deepEqual(answered.map((c) => JSON.parse(c.answer).fired), [true], 'fired by the first callback answered');
        assert.equal((await settled(rid)).length, 1, 'one event on Kafka');
        assert.equal((await inApp(t.id)).length, 1);
        assert.equal(hooked(rid).length, 1);
        assert.equal(JSON.parse(hooked(rid)[0].body).late, false, 'within the minute: not late');
    });

    it('SIGTERM stops the three apps and their sidecars, each with exit status 0', async () => {
        for (const p of [api, notify, recurring]) {
            const exits = await p.stop();
            assert.deepEqual({ code: exits.app.code, signal: exits.app.signal }, { code: 0, signal: null }, p.tail());
            assert.deepEqual({ code: exits.sidecar.code, signal: exits.sidecar.signal }, { code: 0, signal: null });
        }
    });
});
