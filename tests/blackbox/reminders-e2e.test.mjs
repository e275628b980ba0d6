// reminders-e2e.test.mjs - issue 11 §5 end to end in the embedded mode: a reminder set 2 s
// ahead fires (the scheduler, issue 11 §1) and reaches the in-app list, a webhook receiver that
// verifies the signature, Mailpit and an ntfy-style receiver, each exactly once.
// notify.test.mjs drives the same delivery path with events written as the scheduler writes
// them; this file goes through the scheduler itself.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, waitFor } from './lib/server.mjs';
import { webhookReceiver, ntfyReceiver, startMailpit } from './lib/receivers.mjs';

describe('a reminder that fires', () => {
    let srv, mail, hook, ntfy;
    before(async () => {
        mail = await startMailpit();
        hook = await webhookReceiver({ secret: () => hook.secret });
        ntfy = await ntfyReceiver();
        srv = await startServer({ env: { TODO_ALLOW_PRIVATE_WEBHOOKS: '1', TODO_NOTIFY_BACKOFF_MS: '50',
            TODO_SMTP_URL: mail.smtpUrl, TODO_SMTP_FROM: 'todo@todo.example' } });
    });
    after(async () => {
        await srv?.stop();
        await hook?.close();
        await ntfy?.close();
        await mail?.close();
    });

    it('reaches_every_channel_exactly_once', async () => {
        const u = await newUser(srv.api);
        const email = `${u.id}@example.com`;
        assert.equal((await u.put('/settings', { json: {
            channels: { in_app: true, webhook: true, ntfy: true, email: true },
            webhook_url: `${hook.url}/hook`, ntfy_url: `${ntfy.url}/topic`, email } })).status, 200);
        hook.secret = (await u.post('/settings/webhook-secret')).json.webhook_secret;
        const at = new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z');
        const task = await u.create({ title: 'Call the plumber', due_at: new Date(Date.now() + 3600e3).toISOString(),
            reminders: [{ at }] });
        const r = task.reminders[0];
        const key = `r${r.id}-${Date.parse(r.remind_at)}`;
        const mine = async () => (await mail.messages()).filter((m) => m.To.some((x) => x.Address === email));
        await waitFor(async () => hook.accepted.has(`${key}.webhook`) && ntfy.accepted.has(`${key}.ntfy`)
            && (await mine()).length >= 1 && (await u.get('/notifications')).json.items.length >= 1,
        { deadlineMs: 30000, what: 'the reminder on every channel' });
        await waitFor(async () => Number(((await srv.api.get('/metrics')).text.match(/^todo_notifications_pending (\d+)/m) || [])[1]) === 0,
            { what: 'no delivery pending' });
        assert.equal(hook.distinct(), 1);
        assert.equal(hook.accepted.get(`${key}.webhook`), 1);
        const body = JSON.parse(hook.requests.find((x) => !x.refused).body);
        assert.equal(body.type, 'reminder');
        assert.equal(body.task_id, task.id);
        assert.equal(body.remind_at, r.remind_at);
        assert.equal(ntfy.distinct(), 1);
        assert.deepEqual((await mine()).map((m) => m.MessageID), [`${key}.email@todo.example`]);
        const items = (await u.get('/notifications')).json.items;
        assert.equal(items.length, 1);
        assert.equal(items[0].task_id, task.id);
        assert.equal(items[0].title, 'Call the plumber');
    });
});
