// notify.test.mjs - notification settings, the in-app list, and delivery of due reminders to
// real peers (issue 11 §2, §5): a webhook receiver that verifies the signature, an ntfy-style
// receiver and Mailpit. Reminder events are written to the outbox as the scheduler writes them
// (lib/reminders.mjs); reminders-e2e.test.mjs covers a reminder that really fires. Each peer
// counts distinct delivery ids: exactly one per reminder and channel, across retries and a
// SIGKILL of the server amid delivery.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, newUser, waitFor, dropDatabase, BACKEND } from './lib/server.mjs';
import { webhookReceiver, ntfyReceiver, startMailpit } from './lib/receivers.mjs';
import { reminderEvent, emitReminder, reminderDeadLetters } from './lib/reminders.mjs';

const NOTIFY_ENV = {
    TODO_ALLOW_PRIVATE_WEBHOOKS: '1', // the peers listen on loopback
    TODO_NOTIFY_BACKOFF_MS: '50',
    TODO_NOTIFY_MAX_ATTEMPTS: '3',
    TODO_NOTIFY_TIMEOUT_MS: '3000',
    TODO_PUBLIC_URL: 'https://todo.example',
};

let nextReminderId = 1000;

/** Turns every channel on for u with the given peers; returns the webhook secret. */
async function enableAll(u, { webhook, ntfy, email }) {
    const r = await u.put('/settings', { json: {
        channels: { in_app: true, webhook: !!webhook, ntfy: !!ntfy, email: !!email },
        webhook_url: webhook ? `${webhook.url}/hook` : null,
        ntfy_url: ntfy ? `${ntfy.url}/todo-topic` : null,
        email: email ? `${u.id}@example.com` : null,
    } });
    assert.equal(r.status, 200, r.text);
    const s = await u.post('/settings/webhook-secret');
    assert.equal(s.status, 200, s.text);
    return s.json.webhook_secret;
}

const inApp = async (u, q = '') => {
    const r = await u.get(`/notifications${q}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
};

function metric(text, name, channel) {
    const m = text.match(new RegExp(`^${name}\\{channel="${channel}"\\} (\\d+)$`, 'm'));
    return m ? Number(m[1]) : NaN;
}

describe('notification settings', () => {
    let srv, u, other;
    before(async () => {
        srv = await startServer({ env: NOTIFY_ENV });
        u = await newUser(srv.api);
        other = await newUser(srv.api);
    });
    after(async () => { await srv?.stop(); });

    it('defaults_to_in_app_only_and_never_returns_a_secret', async () => {
        const r = await u.get('/settings');
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { channels: { in_app: true, webhook: false, ntfy: false, email: false },
            webhook_url: null, webhook_secret_set: false, ntfy_url: null, email: null });
        const s = await u.post('/settings/webhook-secret');
        assert.equal(s.status, 200);
        assert.match(s.json.webhook_secret, /^whsec_[A-Za-z0-9_-]{43}$/);
        const again = await u.get('/settings');
        assert.equal(again.json.webhook_secret_set, true);
        assert.ok(!again.text.includes(s.json.webhook_secret), 'the secret is shown once');
        assert.ok(!srv.stdout().includes(s.json.webhook_secret) && !srv.stderr().includes(s.json.webhook_secret),
            'the secret is in no log line');
        const next = await u.post('/settings/webhook-secret');
        assert.notEqual(next.json.webhook_secret, s.json.webhook_secret);
    });

    it('put_changes_the_fields_given_and_refuses_bad_ones_changing_nothing', async () => {
        const ok = await u.put('/settings', { json: { webhook_url: 'http://127.0.0.1:9/hook', channels: { webhook: true } } });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json.webhook_url, 'http://127.0.0.1:9/hook');
        assert.equal(ok.json.channels.webhook, true);
        assert.equal(ok.json.channels.in_app, true, 'fields not given stay');
        const bad = [
            [{ webhook_url: 'ftp://example.com/x' }, 'webhook_url'],
            [{ webhook_url: 'http://user:pw@example.com/x' }, 'webhook_url'],
            [{ ntfy_url: 'not a url' }, 'ntfy_url'],
            [{ ntfy_url: 12 }, 'ntfy_url'],
            [{ channels: { ntfy: true } }, 'channels.ntfy'],
            [{ channels: { pigeon: true } }, 'channels.pigeon'],
            [{ channels: { email: 'yes' } }, 'channels.email'],
            [{ email: 'nobody' }, 'email'],
            [{ email: 'a@b.c\r\nBcc: x@y.z' }, 'email'],
            [{ colour: 'red' }, 'colour'],
        ];
        for (const [body, field] of bad) {
            const r = await u.put('/settings', { json: body });
            assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
            assert.equal(r.json.error.code, 'validation_failed');
            assert.ok(r.json.error.details.some((d) => d.field === field), `${JSON.stringify(body)} names ${field}: ${r.text}`);
        }
        assert.equal((await u.put('/settings', { body: '{', headers: { 'content-type': 'application/json' } })).status, 400);
        assert.equal((await u.put('/settings', { json: [1] })).status, 422);
        const after_ = await u.get('/settings');
        assert.deepEqual(after_.json.channels, ok.json.channels, 'refused bodies changed nothing');
        assert.equal(after_.json.webhook_url, ok.json.webhook_url);
        // read-only field sent back as read: accepted, ignored
        assert.equal((await u.put('/settings', { json: after_.json })).status, 200);
    });

    it('another_users_settings_and_notifications_are_403', async () => {
        for (const [m, p] of [['get', '/settings'], ['put', '/settings'], ['post', '/settings/webhook-secret'],
            ['post', '/settings/test/in_app'], ['get', '/notifications'], ['post', '/notifications/read-all'],
            ['post', '/notifications/1/read']]) {
            const r = await srv.api[m](`${u.base}${p}`, { token: other.token, json: m === 'put' ? {} : undefined });
            assert.equal(r.status, 403, `${m} ${p}: ${r.text}`);
        }
        assert.equal((await srv.api.get(`${u.base}/settings`)).status, 401);
    });

    it('test_in_app_lists_reads_and_pages_notifications', async () => {
        const v = await newUser(srv.api);
        for (let i = 0; i < 3; i++) assert.equal((await v.post('/settings/test/in_app')).status, 202);
        assert.equal((await v.post('/settings/test/pigeon')).status, 404);
        const all = await inApp(v);
        assert.equal(all.items.length, 3);
        assert.equal(all.next_cursor, null);
        const n = all.items[0];
        assert.deepEqual(Object.keys(n).sort(), ['body', 'created_at', 'id', 'read_at', 'remind_at', 'task_id', 'title']);
        assert.equal(n.read_at, null);
        assert.ok(all.items[0].id > all.items[1].id, 'newest first');
        const p1 = await inApp(v, '?limit=2');
        assert.equal(p1.items.length, 2);
        assert.equal(typeof p1.next_cursor, 'string');
        const p2 = await inApp(v, `?limit=2&cursor=${encodeURIComponent(p1.next_cursor)}`);
        assert.deepEqual(p2.items.map((x) => x.id), [all.items[2].id]);
        assert.equal(p2.next_cursor, null);
        for (const q of ['?unread=maybe', '?limit=0', '?limit=201', '?cursor=zz']) {
            assert.equal((await v.get(`/notifications${q}`)).status, 400, q);
        }
        const read = await v.post(`/notifications/${n.id}/read`);
        assert.equal(read.status, 200, read.text);
        assert.equal(read.json.id, n.id);
        assert.match(read.json.read_at, /Z$/);
        const twice = await v.post(`/notifications/${n.id}/read`);
        assert.equal(twice.json.read_at, read.json.read_at, 'reading again keeps the first time');
        assert.equal((await inApp(v, '?unread=true')).items.length, 2);
        assert.equal((await v.post('/notifications/999999/read')).status, 404);
        assert.equal((await v.post('/notifications/abc/read')).status, 404);
        assert.equal((await u.post(`/notifications/${n.id}/read`)).status, 404, "another user's id is 404");
        const all2 = await v.post('/notifications/read-all');
        assert.deepEqual(all2.json, { updated: 2 });
        assert.equal((await inApp(v, '?unread=true')).items.length, 0);
    });

    it('a_test_send_needs_the_channels_url', async () => {
        const v = await newUser(srv.api);
        const r = await v.post('/settings/test/webhook');
        assert.equal(r.status, 422, r.text);
    });
});

describe('settings without TODO_ALLOW_PRIVATE_WEBHOOKS', () => {
    let srv, u;
    before(async () => {
        srv = await startServer();
        u = await newUser(srv.api);
    });
    after(async () => { await srv?.stop(); });

    it('refuses_urls_that_reach_loopback_link_local_or_private_addresses', async () => {
        for (const url of ['http://127.0.0.1/x', 'http://localhost:8080/x', 'http://10.1.2.3/x', 'http://192.168.0.1/',
            'http://172.16.5.4/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://[fe80::1]/',
            'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/', 'https://100.64.0.1/']) {
            const r = await u.put('/settings', { json: { webhook_url: url } });
            assert.equal(r.status, 422, `${url}: ${r.text}`);
            const n = await u.put('/settings', { json: { ntfy_url: url } });
            assert.equal(n.status, 422, `${url}: ${n.text}`);
        }
        assert.deepEqual((await u.get('/settings')).json.webhook_url, null);
    });
});

describe('the private-address check at delivery time', () => {
    // A URL saved while private addresses were allowed, delivered by a server that no longer
    // allows them: the socket check refuses the connection (what DNS rebinding would meet).
    let first, second, hook;
    before(async () => { hook = await webhookReceiver({ secret: () => hook.secret }); });
    after(async () => {
        await second?.stop();
        if (first) rmSync(first.dataDir, { recursive: true, force: true });
        await hook?.close();
    });

    it('refuses_to_connect_to_a_private_address_unless_allowed', async () => {
        first = await startServer({ env: NOTIFY_ENV });
        const u = await newUser(first.api);
        hook.secret = await enableAll(u, { webhook: hook });
        first.terminate(); // keeps its data dir: the SQLite file lives there
        assert.deepEqual(await first.exited, { code: 0, signal: null });
        const env = { ...NOTIFY_ENV, TODO_NOTIFY_MAX_ATTEMPTS: '1' };
        delete env.TODO_ALLOW_PRIVATE_WEBHOOKS;
        second = await startServer({ env, databaseUrl: first.databaseUrl, secret: first.secret, migrate: false });
        const again = { ...u, post: (p, x) => second.api.post(u.base + p, { token: u.token, ...x }) };
        assert.equal((await again.post('/settings/test/webhook')).status, 202);
        await waitFor(async () => metric((await second.api.get('/metrics')).text, 'todo_notifications_dead_lettered_total', 'webhook') === 1,
            { deadlineMs: 20000, what: 'the refused delivery to be dead-lettered' });
        assert.equal(hook.requests.length, 0, 'nothing reached the loopback receiver');
        const letter = (await reminderDeadLetters(second)).at(-1);
        assert.equal(letter.error, 'the host resolved to a private address: refused');
    });
});

describe('reminder delivery to real peers', () => {
    let srv, mail, hook, ntfy;
    before(async () => {
        mail = await startMailpit();
        hook = await webhookReceiver({ secret: () => hook.secret });
        ntfy = await ntfyReceiver();
        srv = await startServer({ env: { ...NOTIFY_ENV, TODO_SMTP_URL: mail.smtpUrl, TODO_SMTP_FROM: 'todo@todo.example' } });
    });
    after(async () => {
        await srv?.stop();
        await hook?.close();
        await ntfy?.close();
        await mail?.close();
    });

    it('each_reminder_reaches_each_channel_exactly_once_even_when_its_event_repeats', async () => {
        const u = await newUser(srv.api);
        hook.secret = await enableAll(u, { webhook: hook, ntfy, email: true });
        const id = nextReminderId++;
        const ce = reminderEvent({ id, taskId: 77, title: 'Pay rent ✓', userId: u.id,
            dueAt: '2030-01-01T09:00:00Z', remindAt: '2030-01-01T08:00:00Z' });
        await emitReminder(srv, ce);
        await emitReminder(srv, ce); // the same event again (a redelivery)
        await emitReminder(srv, { ...ce, id: `${ce.id}-again` }); // the same firing, another event
        const key = `r${id}-${Date.parse('2030-01-01T08:00:00Z')}`;
        await waitFor(() => hook.accepted.has(`${key}.webhook`) && ntfy.accepted.has(`${key}.ntfy`),
            { deadlineMs: 20000, what: 'the webhook and ntfy deliveries' });
        const mine = async () => (await mail.messages()).filter((m) => m.To.some((t) => t.Address === `${u.id}@example.com`));
        await waitFor(async () => (await mine()).length >= 1, { deadlineMs: 20000, what: 'the e-mail' });
        await waitFor(async () => (await inApp(u)).items.length >= 1, { what: 'the in-app notification' });
        // every event of the batch was handled: the consumer saw all three
        const seen = (text) => ['consumed', 'duplicates'].reduce((n, k) => n + Number((text.match(
            new RegExp(`^todo_events_${k}_total\\{consumer="notify"[^}]*\\} (\\d+)$`, 'm')) || [0, 0])[1]), 0);
        await waitFor(async () => seen((await srv.api.get('/metrics')).text) >= 3,
            { what: 'all three events handled (two applied, one a duplicate)' });
        await waitFor(async () => Number(((await srv.api.get('/metrics')).text.match(/^todo_notifications_pending (\d+)/m) || [])[1]) === 0,
            { what: 'no delivery pending' });

        assert.equal(hook.accepted.get(`${key}.webhook`), 1);
        const req = hook.requests.find((r) => r.headers['x-todo-delivery'] === `${key}.webhook`);
        const body = JSON.parse(req.body);
        assert.deepEqual(body, { type: 'reminder', id, task_id: 77, title: 'Pay rent ✓', due_at: '2030-01-01T09:00:00Z',
            remind_at: '2030-01-01T08:00:00Z', user_id: u.id, late: false });
        assert.equal(ntfy.accepted.get(`${key}.ntfy`), 1);
        const n = ntfy.requests.find((r) => r.headers['x-todo-delivery'] === `${key}.ntfy`);
        assert.equal(n.headers.title, '=?UTF-8?B?' + Buffer.from('Pay rent ✓').toString('base64') + '?=');
        assert.equal(n.headers.priority, 'high');
        assert.equal(n.headers.click, 'https://todo.example/?task=77');
        assert.match(n.body, /Due 2030-01-01T09:00:00Z/);
        const mails = await mine();
        assert.equal(mails.length, 1, 'one e-mail');
        assert.equal(mails[0].MessageID, `${key}.email@todo.example`);
        assert.equal(mails[0].Subject, 'Pay rent ✓');
        const full = await mail.message(mails[0].ID);
        assert.match(full.Text, /Due 2030-01-01T09:00:00Z/);
        assert.match(full.HTML, /<h2>Pay rent ✓<\/h2>/);
        const list = await inApp(u);
        assert.equal(list.items.length, 1, 'one in-app notification');
        assert.equal(list.items[0].task_id, 77);
        assert.equal(list.items[0].remind_at, '2030-01-01T08:00:00Z');
        const m = (await srv.api.get('/metrics')).text;
        for (const ch of ['in_app', 'webhook', 'ntfy', 'email']) {
            assert.ok(metric(m, 'todo_notifications_delivered_total', ch) >= 1, `delivered metric for ${ch}`);
        }
    });

    it('test_sends_reach_every_outside_channel', async () => {
        const u = await newUser(srv.api);
        hook.secret = await enableAll(u, { webhook: hook, ntfy, email: true });
        const before_ = { hook: hook.requests.length, ntfy: ntfy.requests.length };
        for (const ch of ['webhook', 'ntfy', 'email']) assert.equal((await u.post(`/settings/test/${ch}`)).status, 202);
        await waitFor(() => hook.requests.slice(before_.hook).some((r) => !r.refused && JSON.parse(r.body).type === 'test')
            && ntfy.requests.slice(before_.ntfy).some((r) => r.headers['x-todo-delivery'].startsWith('test-')),
        { deadlineMs: 20000, what: 'the test deliveries' });
        await waitFor(async () => (await mail.messages()).some((x) => x.MessageID.startsWith('test-')
            && x.To.some((t) => t.Address === `${u.id}@example.com`)), { deadlineMs: 20000, what: 'the test e-mail' });
    });

    it('a_failed_delivery_is_retried_with_the_same_delivery_id', async () => {
        const u = await newUser(srv.api);
        hook.secret = await enableAll(u, { webhook: hook });
        const id = nextReminderId++;
        const ce = reminderEvent({ id, taskId: 5, title: 'Retry me', userId: u.id });
        const key = `r${id}-${Date.parse(ce.data.remind_at)}`;
        let failures = 0;
        hook.behave = (req) => (req.headers['x-todo-delivery'] === `${key}.webhook` && failures++ < 2 ? 503 : 200);
        try {
            await emitReminder(srv, ce);
            await waitFor(() => hook.accepted.get(`${key}.webhook`) === 1, { deadlineMs: 20000, what: 'the retried delivery' });
        } finally {
            hook.behave = () => 200;
        }
        assert.equal(hook.attempts.get(`${key}.webhook`), 3, 'two failures, then the success, all with one id');
    });

    it('a_forged_or_unsigned_request_is_refused_by_the_receiver', async () => {
        // the receiver's own check, against a request signed with another secret
        const u = await newUser(srv.api);
        const secret = await enableAll(u, { webhook: hook });
        hook.secret = 'whsec_not-the-right-one';
        const id = nextReminderId++;
        const ce = reminderEvent({ id, taskId: 6, title: 'Forged?', userId: u.id });
        const key = `r${id}-${Date.parse(ce.data.remind_at)}`;
        try {
            await emitReminder(srv, ce);
            await waitFor(() => hook.requests.some((r) => r.headers['x-todo-delivery'] === `${key}.webhook`),
                { deadlineMs: 20000, what: 'the delivery attempt' });
            assert.equal(hook.requests.find((r) => r.headers['x-todo-delivery'] === `${key}.webhook`).refused, 'bad signature');
        } finally {
            hook.secret = secret; // the retries now pass
        }
        await waitFor(() => hook.accepted.get(`${key}.webhook`) === 1, { deadlineMs: 20000, what: 'the retry signed right' });
    });

    it('the_last_failed_attempt_dead_letters_the_delivery', async () => {
        const u = await newUser(srv.api);
        hook.secret = await enableAll(u, { webhook: hook });
        const id = nextReminderId++;
        const ce = reminderEvent({ id, taskId: 8, title: 'Never answered', userId: u.id });
        const key = `r${id}-${Date.parse(ce.data.remind_at)}`;
        const deadBefore = metric((await srv.api.get('/metrics')).text, 'todo_notifications_dead_lettered_total', 'webhook');
        hook.behave = (req) => (req.headers['x-todo-delivery'] === `${key}.webhook` ? 500 : 200);
        try {
            await emitReminder(srv, ce);
            await waitFor(async () => metric((await srv.api.get('/metrics')).text, 'todo_notifications_dead_lettered_total', 'webhook') === deadBefore + 1,
                { deadlineMs: 20000, what: 'the dead letter' });
        } finally {
            hook.behave = () => 200;
        }
        assert.equal(hook.attempts.get(`${key}.webhook`), 3, 'TODO_NOTIFY_MAX_ATTEMPTS attempts, no more');
        assert.equal(hook.accepted.has(`${key}.webhook`), false);
        // kept as docs/events/dead-letter.schema.json describes, with the delivery it was
        const letter = (await reminderDeadLetters(srv)).find((l) => l.event?.delivery_id === `${key}.webhook`);
        assert.ok(letter, 'a dead letter on reminders.dlq');
        assert.deepEqual(Object.keys(letter).sort(), ['attempts', 'consumer', 'error', 'event', 'failed_at', 'topic']);
        assert.equal(letter.consumer, 'notify');
        assert.equal(letter.topic, 'reminders');
        assert.equal(letter.attempts, 3);
        assert.equal(letter.error, 'answered HTTP 500');
        assert.equal(letter.event.channel, 'webhook');
        assert.equal(letter.event.data.id, id);
    });
});

describe('todo serve killed with SIGKILL amid delivery', () => {
    let srv, again, mail, hook, ntfy;
    before(async () => {
        mail = await startMailpit();
        hook = await webhookReceiver({ secret: () => hook.secret });
        ntfy = await ntfyReceiver();
    });
    after(async () => {
        await again?.stop();
        await hook?.close();
        await ntfy?.close();
        await mail?.close();
        if (srv && BACKEND === 'postgres' && !again) await dropDatabase(srv.databaseUrl);
    });

    it('loses_no_notification_and_repeats_carry_the_same_delivery_id', async () => {
        const env = { ...NOTIFY_ENV, TODO_NOTIFY_MAX_ATTEMPTS: '8', TODO_SMTP_URL: mail.smtpUrl, TODO_SMTP_FROM: 'todo@todo.example' };
        srv = await startServer({ env });
        const u = await newUser(srv.api);
        hook.secret = await enableAll(u, { webhook: hook, ntfy, email: true });
        hook.behave = () => 'hang'; // the peers hold the first requests: the kill comes amid delivery
        ntfy.behave = () => 'hang';
        const N = 3;
        const keys = [];
        for (let i = 0; i < N; i++) {
            const ce = reminderEvent({ id: nextReminderId++, taskId: 100 + i, title: `Crash ${i}`, userId: u.id });
            keys.push(`r${ce.data.id}-${Date.parse(ce.data.remind_at)}`);
            await emitReminder(srv, ce);
        }
        await waitFor(() => hook.requests.length >= 1 && ntfy.requests.length >= 1, { deadlineMs: 20000, what: 'deliveries in flight' });
        srv.proc.kill('SIGKILL');
        assert.equal((await srv.exited).signal, 'SIGKILL');
        hook.behave = () => 200;
        ntfy.behave = () => 200;
        hook.release();
        ntfy.release();
        again = await startServer({ env, databaseUrl: srv.databaseUrl, secret: srv.secret, migrate: false });
        const mine = async () => (await mail.messages()).filter((m) => m.To.some((t) => t.Address === `${u.id}@example.com`));
        await waitFor(async () => hook.distinct() === N && ntfy.distinct() === N
            && new Set((await mine()).map((m) => m.MessageID)).size === N,
        { deadlineMs: 60000, what: `${N} deliveries per outside channel after the restart` });
        const list = await (async () => {
            const r = await again.api.get(`${u.base}/notifications`, { token: u.token });
            return r.json.items;
        })();
        assert.equal(list.length, N, 'each reminder once in the in-app list');
        for (const k of keys) {
            assert.equal(hook.accepted.get(`${k}.webhook`), 1, `${k}: one accepted webhook`);
            assert.equal(ntfy.accepted.get(`${k}.ntfy`), 1, `${k}: one accepted ntfy push`);
        }
        assert.deepEqual([...hook.attempts.keys()].sort(), keys.map((k) => `${k}.webhook`).sort(),
            'every request, the repeated ones too, carried one of the reminders\' delivery ids');
        assert.ok([...hook.attempts.values()].some((n) => n >= 2), 'a delivery cut by the kill was repeated');
        const ids = (await mine()).map((m) => m.MessageID);
        assert.deepEqual([...new Set(ids)].sort(), keys.map((k) => `${k}.email@todo.example`).sort());
    });
});
