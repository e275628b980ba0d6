// notify.test.mjs - the reminder event through the real daprd to `todo notify` (issue 11 §5,
// Dapr mode): `todo api --bus dapr` and `todo notify --bus dapr`, each beside its own daprd. A
// todo.reminder.due event written to the outbox (as the scheduler writes it) goes api → daprd
// → Kafka → daprd → notify, which makes the in-app notification and delivers the signed
// webhook once, however often Dapr delivers the event.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    requireEnvironment, newSecret, freshDatabase, dropDatabase, startPair, killAll, newUser, waitFor,
} from './lib/dapr.mjs';
import { webhookReceiver } from '../blackbox/lib/receivers.mjs';
import { reminderEvent, emitReminder } from '../blackbox/lib/reminders.mjs';

const PUBSUB = 'todo-pubsub';

describe('Dapr bus: a reminder → daprd → todo notify', () => {
    let databaseUrl, api, notify, hook;
    const logs = () => `${api?.tail(6000) ?? ''}\n${notify?.tail(6000) ?? ''}`;

    before(async () => {
        requireEnvironment();
        hook = await webhookReceiver({ secret: () => hook.secret });
        const secret = newSecret();
        databaseUrl = await freshDatabase(secret);
        const common = { pubsub: PUBSUB, databaseUrl, secret,
            extraEnv: { TODO_ALLOW_PRIVATE_WEBHOOKS: '1', TODO_NOTIFY_BACKOFF_MS: '50' } };
        [api, notify] = await Promise.all([
            startPair('api', { appId: 'todo-api', group: 'api', ...common }),
            startPair('notify', { appId: 'todo-notify', group: 'notify', ...common }),
        ]);
        await waitFor(async () => (await api.app.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready' });
        await waitFor(async () => (await notify.sidecar.metadata()).subscriptions?.some((s) => s.topic === 'reminders'),
            { deadlineMs: 20000, intervalMs: 100, what: 'the notify sidecar to subscribe to reminders' });
    });

    after(async () => {
        for (const p of [api, notify]) {
            if (p && (p.app.child?.alive() || p.sidecar.child?.alive())) await p.stop().catch(() => {});
        }
        await hook?.close();
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        killAll();
    });

    it('notify declares reminders at GET /dapr/subscribe', async () => {
        const r = await notify.app.callbacks.get('/dapr/subscribe', { headers: notify.app.sidecarHeaders() });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.map((s) => s.topic), ['reminders']);
    });

    it('a_reminder_event_reaches_notify_through_daprd_and_is_delivered_once', async () => {
        const u = await newUser(api.app.client);
        assert.equal((await u.put('/settings', { json: { channels: { webhook: true }, webhook_url: `${hook.url}/hook` } })).status, 200);
        hook.secret = (await u.post('/settings/webhook-secret')).json.webhook_secret;
        const ce = reminderEvent({ id: 9100, taskId: 3, title: 'Through Dapr', userId: u.id });
        const key = `r9100-${Date.parse(ce.data.remind_at)}`;
        await emitReminder({ databaseUrl }, ce);
        await emitReminder({ databaseUrl }, ce); // Dapr delivers it twice: one effect
        await waitFor(async () => hook.accepted.has(`${key}.webhook`) && (await u.get('/notifications')).json.items.length === 1,
            { deadlineMs: 60000, what: `the delivery through Dapr\n${logs()}` });
        await waitFor(async () => (await notify.app.metricSum('todo_events_duplicates_total', { consumer: 'notify' })) >= 1
            || (await notify.app.metricSum('todo_events_consumed_total', { consumer: 'notify' })) >= 2,
        { deadlineMs: 30000, what: 'the second delivery of the event handled' });
        assert.equal(hook.accepted.get(`${key}.webhook`), 1);
        assert.equal(hook.distinct(), 1);
        assert.equal((await u.get('/notifications')).json.items.length, 1);
    });
});
