// notify.test.mjs - `todo api` and `todo notify` as separate processes on the real broker and
// PostgreSQL (issue 11 §5, Kafka mode). A todo.reminder.due event (written to the outbox as
// the scheduler writes it; the api's relay publishes it on `reminders`) reaches the notify
// process, which makes the in-app notification (todo.notification.created on task-updates,
// schema-valid) and delivers to a signature-checking webhook receiver, an ntfy-style receiver
// and Mailpit, each exactly once; killed with SIGKILL amid delivery and restarted, it loses
// none and repeats carry the same delivery ids.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, newUser, waitFor, waitForMessages, assertValid } from './lib/cluster.mjs';
import { userWithAllChannels as userWithAllChannels_ } from './lib/peers.mjs';
import { webhookReceiver, ntfyReceiver, startMailpit } from '../blackbox/lib/receivers.mjs';
import { reminderEvent, emitReminder } from '../blackbox/lib/reminders.mjs';

// the notify group may have to join (and rejoin after a kill: session timeout 6 s), and the
// api relay sweeps other processes' outbox rows every 500 ms
const DEADLINE_MS = 90000;
let nextId = 5000;

/** The deliveries table as text (psql), for a failure's message. */
async function deliveriesTable(cl) {
    const { execFile } = await import('node:child_process');
    return new Promise((resolve) => execFile('psql', ['-X', '-d', cl.databaseUrl, '-c',
        'SELECT id, state, attempts, next_attempt_at, last_error FROM deliveries ORDER BY created_at'],
    (e, out, err) => resolve(`${out}${err}`)));
}

describe('todo notify as its own process', () => {
    let cl, notify, mail, hook, ntfy;
    before(async () => {
        mail = await startMailpit();
        hook = await webhookReceiver({ secret: () => hook.secret });
        ntfy = await ntfyReceiver();
        const env = { TODO_ALLOW_PRIVATE_WEBHOOKS: '1', TODO_NOTIFY_BACKOFF_MS: '50', TODO_NOTIFY_TIMEOUT_MS: '3000',
            TODO_SMTP_URL: mail.smtpUrl, TODO_SMTP_FROM: 'todo@todo.example' };
        cl = await startCluster({ env, notify: true });
        ({ notify } = cl);
    });
    after(async () => {
        await cl?.stop();
        await hook?.close();
        await ntfy?.close();
        await mail?.close();
    });

    const userWithAllChannels = () => userWithAllChannels_(cl.client, hook, ntfy);
    const mailsOf = async (u) => (await mail.messages()).filter((m) => m.To.some((x) => x.Address === `${u.id}@example.com`));

    it('a_reminder_reaches_every_channel_once_and_its_notification_event_is_published', async () => {
        const u = await userWithAllChannels();
        const ce = reminderEvent({ id: nextId++, taskId: 9, title: 'Kafka reminder', userId: u.id });
        const key = `r${ce.data.id}-${Date.parse(ce.data.remind_at)}`;
        await emitReminder(cl, ce);
        await emitReminder(cl, ce); // published twice: one effect
        await waitFor(async () => hook.accepted.has(`${key}.webhook`) && ntfy.accepted.has(`${key}.ntfy`)
            && (await mailsOf(u)).length >= 1, { deadlineMs: DEADLINE_MS, what: `the deliveries\n${notify.tail()}` });
        const msgs = await waitForMessages('task-updates', [u.id],
            (m) => m.some((x) => x.event?.type === 'todo.notification.created'), { deadlineMs: DEADLINE_MS });
        const created = msgs.filter((x) => x.event?.type === 'todo.notification.created');
        assert.equal(created.length, 1, 'one todo.notification.created');
        assertValid(created[0].event, 'todo.notification.created');
        assert.equal(created[0].key, u.id);
        assert.equal(created[0].event.data.notification.title, 'Kafka reminder');
        const items = (await u.get('/notifications')).json.items;
        assert.equal(items.length, 1);
        assert.equal(items[0].id, created[0].event.data.notification.id);
        await waitFor(async () => (await notify.metric('todo_notifications_pending')) === 0, { what: 'no delivery pending' });
        assert.equal(hook.accepted.get(`${key}.webhook`), 1);
        assert.equal(ntfy.accepted.get(`${key}.ntfy`), 1);
        assert.deepEqual((await mailsOf(u)).map((m) => m.MessageID), [`${key}.email@todo.example`]);
    });

    it('killed_amid_delivery_and_restarted_it_loses_none_and_repeats_the_same_ids', async () => {
        const u = await userWithAllChannels();
        hook.behave = () => 'hang';
        ntfy.behave = () => 'hang';
        const keys = [];
        for (let i = 0; i < 3; i++) {
            const ce = reminderEvent({ id: nextId++, taskId: 20 + i, title: `Kafka crash ${i}`, userId: u.id });
            keys.push(`r${ce.data.id}-${Date.parse(ce.data.remind_at)}`);
            await emitReminder(cl, ce);
        }
        const mine = (rec) => rec.requests.filter((r) => keys.some((k) => (r.headers['x-todo-delivery'] || '').startsWith(k)));
        await waitFor(() => mine(hook).length >= 1 && mine(ntfy).length >= 1, { deadlineMs: DEADLINE_MS, what: 'deliveries in flight' });
        assert.equal((await notify.kill9()).signal, 'SIGKILL');
        hook.behave = () => 200;
        ntfy.behave = () => 200;
        hook.release();
        ntfy.release();
        await notify.start();
        try {
            await waitFor(async () => keys.every((k) => hook.accepted.has(`${k}.webhook`) && ntfy.accepted.has(`${k}.ntfy`))
                && new Set((await mailsOf(u)).map((m) => m.MessageID)).size === keys.length,
            { deadlineMs: DEADLINE_MS, what: 'every delivery after the restart' });
        } catch (e) {
            e.message += `\n${notify.tail()}\n${await deliveriesTable(cl)}`;
            throw e;
        }
        for (const k of keys) {
            assert.equal(hook.accepted.get(`${k}.webhook`), 1);
            assert.equal(ntfy.accepted.get(`${k}.ntfy`), 1);
        }
        assert.ok(keys.some((k) => hook.attempts.get(`${k}.webhook`) >= 2), 'a delivery cut by the kill was repeated with its id');
        assert.equal((await u.get('/notifications')).json.items.length, keys.length, 'each reminder once in the in-app list');
    });
});
