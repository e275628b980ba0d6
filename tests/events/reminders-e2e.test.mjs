// reminders-e2e.test.mjs - issue 11 §5 end to end in Kafka mode: `todo api` (its db scheduler),
// `todo notify` and `todo realtime` as separate processes on PostgreSQL and the real broker.
// A reminder set 2 s ahead fires through the scheduler (reminders topic), and reaches the in-app
// list, a webhook receiver that verifies the signature, Mailpit (read through its API) and an
// ntfy-style receiver, each exactly once (the receivers count distinct X-Todo-Delivery ids and
// Message-IDs), and the user's WebSocket gets the {"type":"notification"} push while another
// user's socket gets nothing. Re-dating a task before its reminder fires moves it (it fires at
// the new time, once); completing or deleting one cancels it (a later control fires, they do
// not). The next occurrence of a recurring task, written by `todo recurring` (a fourth
// process), has its reminder fired by the api's scheduler and delivered once. The
// scheduler's todo.reminder.due events are read back from the topic with kcat.
// The embedded counterpart is tests/blackbox/reminders-e2e.test.mjs; notify.test.mjs drives
// notify alone with events written to the outbox by hand.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, newUser, waitFor, readKeys, assertValid } from './lib/cluster.mjs';
import { connect, userWithAllChannels as userWithAllChannels_ } from './lib/peers.mjs';
import { webhookReceiver, ntfyReceiver, startMailpit } from '../blackbox/lib/receivers.mjs';

// the notify and realtime groups may still be joining when the first reminder fires
const DEADLINE_MS = 90000;
const iso = (ms) => new Date(ms).toISOString();

/** The delivery ids a receiver accepted for reminder id, with their counts: {key: n}. */
function acceptedFor(rec, reminderId) {
    return Object.fromEntries([...rec.accepted].filter(([k]) => k.startsWith(`r${reminderId}-`)));
}

/** The todo.reminder.due events of user u on the reminders topic (read by kcat), schema-checked. */
async function reminderEvents(u) {
    const msgs = (await readKeys('reminders', [u.id])).filter((m) => m.event?.type === 'todo.reminder.due');
    for (const m of msgs) assertValid(m.event, 'on reminders');
    return msgs.map((m) => m.event);
}

describe('a reminder through todo api, todo notify and todo realtime over Kafka', () => {
    let cl, notify, realtime, mail, hook, ntfy;
    before(async () => {
        mail = await startMailpit();
        hook = await webhookReceiver({ secret: () => hook.secret });
        ntfy = await ntfyReceiver();
        const env = { TODO_ALLOW_PRIVATE_WEBHOOKS: '1', TODO_NOTIFY_BACKOFF_MS: '50', TODO_NOTIFY_TIMEOUT_MS: '3000',
            TODO_SMTP_URL: mail.smtpUrl, TODO_SMTP_FROM: 'todo@todo.example' };
        cl = await startCluster({ env, recurring: true, notify: true, realtime: true });
        ({ notify, realtime } = cl);
    });
    after(async () => {
        await cl?.stop();
        await hook?.close();
        await ntfy?.close();
        await mail?.close();
    });

    const logs = () => `${cl.logs()}\n${notify.tail()}\n${realtime.tail()}`;

    const userWithAllChannels = () => userWithAllChannels_(cl.client, hook, ntfy);
    const mailsOf = async (u) => (await mail.messages()).filter((m) => m.To.some((x) => x.Address === `${u.id}@example.com`));

    /** True once the reminder's delivery key (remind_at as fired) was accepted on every channel. */
    async function delivered(u, key) {
        return hook.accepted.has(`${key}.webhook`) && ntfy.accepted.has(`${key}.ntfy`)
            && (await mailsOf(u)).some((m) => m.MessageID === `${key}.email@todo.example`);
    }
    const keyOf = (r) => `r${r.id}-${Date.parse(r.remind_at)}`;

    async function settled() {
        await waitFor(async () => (await notify.metric('todo_notifications_pending')) === 0,
            { deadlineMs: DEADLINE_MS, what: 'no delivery pending' });
    }

    async function reminderOf(u, taskId) {
        const r = await u.get(`/tasks/${taskId}`);
        assert.equal(r.status, 200, r.text);
        return r.json.reminders[0];
    }

    it('a_reminder_two_seconds_ahead_reaches_every_channel_and_only_its_users_socket_once', async () => {
        const a = await userWithAllChannels();
        const b = await newUser(cl.client);
        const wsA = connect(realtime, a.token);
        const wsB = connect(realtime, b.token);
        await wsA.ready();
        await wsB.ready();
        const at = Date.now() + 2000;
        const task = await a.create({ title: 'Call the plumber', due_at: iso(Date.now() + 3600e3), reminders: [{ at: iso(at) }] });
        const r = task.reminders[0];
        assert.equal(r.state, 'scheduled');
        const key = keyOf(r);
        try {
            await waitFor(async () => (await delivered(a, key)) && wsA.notifications().length >= 1
                && (await a.get('/notifications')).json.items.length >= 1,
            { deadlineMs: DEADLINE_MS, what: 'the reminder on every channel and the socket' });
        } catch (e) {
            e.message += `\n${logs()}`;
            throw e;
        }
        await settled();
        assert.ok(Date.now() >= at, 'it did not fire before its time');
        assert.equal((await reminderOf(a, task.id)).state, 'fired');
        assert.deepEqual(acceptedFor(hook, r.id), { [`${key}.webhook`]: 1 });
        assert.deepEqual(acceptedFor(ntfy, r.id), { [`${key}.ntfy`]: 1 });
        assert.deepEqual(hook.requests.filter((x) => x.refused).map((x) => x.refused), [], 'every webhook call was signed');
        const body = JSON.parse(hook.requests.find((x) => !x.refused && x.headers['x-todo-delivery'] === `${key}.webhook`).body);
        assert.equal(body.type, 'reminder');
        assert.equal(body.task_id, task.id);
        assert.equal(body.remind_at, r.remind_at);
        assert.deepEqual((await mailsOf(a)).map((m) => m.MessageID), [`${key}.email@todo.example`]);
        const items = (await a.get('/notifications')).json.items;
        assert.equal(items.length, 1);
        assert.equal(items[0].task_id, task.id);
        assert.equal(items[0].title, 'Call the plumber');
        const pushed = wsA.notifications();
        assert.equal(pushed.length, 1, JSON.stringify(pushed));
        assert.equal(pushed[0].notification.id, items[0].id);
        assert.equal(pushed[0].notification.task_id, task.id);
        const due = await reminderEvents(a);
        assert.deepEqual(due.map((e) => e.id), [`reminder-${r.id}-${Date.parse(r.remind_at)}`], 'fired once by the scheduler');
        assert.equal(due[0].data.task_id, task.id);
        assert.equal(due[0].data.remind_at, r.remind_at);
        assert.equal(due[0].data.user_id, a.id);
        assert.notEqual(due[0].data.late, true);

        // a later change of b's own: pushed after a's notification went out on the same
        // process, so anything of a's misrouted to b would be on b's socket before it
        const marker = (await b.post('/tasks', { json: { title: 'marker' } })).json;
        await waitFor(() => wsB.msgs.some((m) => m.type === 'task.changed' && m.task.id === marker.id),
            { deadlineMs: DEADLINE_MS, what: "b's marker" });
        assert.deepEqual(wsB.notifications(), []);
        assert.ok(wsB.msgs.every((m) => m.type === 'ready' || m.task?.id === marker.id), JSON.stringify(wsB.msgs));
        wsA.ws.close();
        wsB.ws.close();
    });

    it('redating_moves_the_reminder_to_fire_once_at_the_new_time_and_completing_or_deleting_cancels_it', async () => {
        const u = await userWithAllChannels();
        const ws = connect(realtime, u.token);
        await ws.ready();
        const soon = Date.now() + 2500;
        // moved: 1 min before a due date that is re-dated so that it fires after the control
        const moved = await u.create({ title: 'moved', due_at: iso(soon + 60000), reminders: [{ before: 'PT1M' }] });
        const done = await u.create({ title: 'done', reminders: [{ at: iso(soon) }] });
        const gone = await u.create({ title: 'gone', reminders: [{ at: iso(soon) }] });
        // the control fires after the others' original time: once it fired, they would have too
        const control = await u.create({ title: 'control', reminders: [{ at: iso(soon + 500) }] });
        assert.equal(Date.parse(moved.reminders[0].remind_at), soon);

        const newAt = soon + 2000;
        const p = await u.patch(`/tasks/${moved.id}`, { json: { due_at: iso(newAt + 60000) } });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.reminders[0].id, moved.reminders[0].id);
        assert.equal(Date.parse(p.json.reminders[0].remind_at), newAt, 'the reminder moved with due_at');
        const c = await u.patch(`/tasks/${done.id}/complete`);
        assert.equal(c.status, 200, c.text);
        assert.equal(c.json.reminders[0].state, 'cancelled');
        assert.equal((await u.del(`/tasks/${gone.id}`)).status, 204);

        const movedKey = keyOf(p.json.reminders[0]);
        const controlKey = keyOf(control.reminders[0]);
        try {
            await waitFor(async () => (await delivered(u, controlKey)) && (await delivered(u, movedKey)),
                { deadlineMs: DEADLINE_MS, what: 'the control and the moved reminder on every channel' });
        } catch (e) {
            e.message += `\n${logs()}`;
            throw e;
        }
        assert.ok(Date.now() >= newAt, 'the moved reminder did not fire before its new time');
        await settled();
        assert.equal((await reminderOf(u, moved.id)).state, 'fired');
        assert.equal((await reminderOf(u, done.id)).state, 'cancelled');
        for (const [rec, ch] of [[hook, 'webhook'], [ntfy, 'ntfy']]) {
            assert.deepEqual(acceptedFor(rec, moved.reminders[0].id), { [`${movedKey}.${ch}`]: 1 }, `${ch}: once, at the new time`);
            assert.deepEqual(acceptedFor(rec, control.reminders[0].id), { [`${controlKey}.${ch}`]: 1 });
            assert.deepEqual(acceptedFor(rec, done.reminders[0].id), {}, `${ch}: the completed task's reminder never fired`);
            assert.deepEqual(acceptedFor(rec, gone.reminders[0].id), {}, `${ch}: the deleted task's reminder never fired`);
        }
        assert.deepEqual((await mailsOf(u)).map((m) => m.MessageID).sort(),
            [`${controlKey}.email@todo.example`, `${movedKey}.email@todo.example`].sort());
        const items = (await u.get('/notifications')).json.items;
        assert.deepEqual(items.map((n) => n.task_id).sort(), [control.id, moved.id].sort());
        assert.deepEqual((await reminderEvents(u)).map((e) => e.id).sort(), [movedKey, controlKey]
            .map((k) => k.replace(/^r(\d+)-(\d+)$/, 'reminder-$1-$2')).sort(), 'only the control and the moved one fired, once each');
        await waitFor(() => ws.notifications().length >= 2, { deadlineMs: DEADLINE_MS, what: 'both pushes' });
        assert.deepEqual(ws.notifications().map((m) => m.notification.task_id).sort(), [control.id, moved.id].sort());
        ws.ws.close();
    });

    it('the_next_occurrence_written_by_todo_recurring_fires_its_reminder_once', async () => {
        const u = await userWithAllChannels();
        const ws = connect(realtime, u.token);
        await ws.ready();
        // occurrences 10 s apart (hourly, at two seconds of two minutes, UTC): the reminder 30 s
        // before the first (10 s ahead) is completed away before it fires; the successor's
        // comes 10 s after it
        let due = Math.ceil((Date.now() + 40000) / 1000) * 1000;
        const s0 = new Date(due).getUTCSeconds();
        if (s0 >= 50) due += (60 - s0) * 1000; // the second occurrence (second + 10) in the same minute
        const d = new Date(due);
        const [m, sec] = [d.getUTCMinutes(), d.getUTCSeconds()];
        const rule = `FREQ=HOURLY;BYMINUTE=${m},${(m + 1) % 60};BYSECOND=${sec},${(sec + 10) % 60}`;
        const t = await u.create({ title: 'stretch', due_at: iso(due), recurrence: { rule, from: 'due' },
            reminders: [{ before: 'PT30S' }] });
        const c = await u.patch(`/tasks/${t.id}/complete`);
        assert.equal(c.status, 200, c.text);
        assert.equal(c.json.reminders[0].state, 'cancelled');
        const next = await waitFor(async () => {
            const items = (await u.list({ status: 'pending' })).items.filter((x) => x.title === 'stretch');
            return items.length ? items[0] : false;
        }, { deadlineMs: DEADLINE_MS, what: 'the next occurrence from todo recurring' });
        assert.equal(next.reminders.length, 1);
        assert.equal(Date.parse(next.due_at), due + 10000);
        const r = next.reminders[0];
        assert.notEqual(r.id, t.reminders[0].id);
        assert.equal(Date.parse(r.remind_at), due + 10000 - 30000, 'the reminder moved to the next occurrence');
        const key = keyOf(r);
        try {
            await waitFor(async () => (await delivered(u, key)) && ws.notifications().length >= 1,
                { deadlineMs: DEADLINE_MS, what: "the successor's reminder on every channel" });
        } catch (e) {
            e.message += `\n${logs()}\n${cl.recurring.tail()}\n${JSON.stringify(await reminderOf(u, next.id))}`;
            throw e;
        }
        await settled();
        assert.equal((await reminderOf(u, next.id)).state, 'fired');
        for (const [rec, ch] of [[hook, 'webhook'], [ntfy, 'ntfy']]) {
            assert.deepEqual(acceptedFor(rec, r.id), { [`${key}.${ch}`]: 1 });
            assert.deepEqual(acceptedFor(rec, t.reminders[0].id), {}, `${ch}: the completed occurrence's reminder never fired`);
        }
        assert.deepEqual((await mailsOf(u)).map((m) => m.MessageID), [`${key}.email@todo.example`]);
        assert.deepEqual((await u.get('/notifications')).json.items.map((n) => n.task_id), [next.id]);
        assert.deepEqual(ws.notifications().map((m) => m.notification.task_id), [next.id]);
        ws.ws.close();
    });
});
