// peers.mjs - what the notify, realtime and reminder files of this tier share: a /ws client of
// a realtime process, and a user whose every notification channel points at the test receivers.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { newUser, waitFor } from './cluster.mjs';

/** An npm `ws` client of /ws on the realtime process, authenticated by the subprotocol. */
export function connect(role, token) {
    const ws = new WebSocket(`ws://127.0.0.1:${role.port}/ws`, ['todo', `bearer.${token}`]);
    const c = { ws, msgs: [], closed: null };
    ws.on('message', (d) => c.msgs.push(JSON.parse(d.toString())));
    ws.on('close', (code) => { c.closed = code; });
    ws.on('error', () => {});
    c.ready = () => waitFor(() => c.msgs.some((m) => m.type === 'ready'), { what: 'ready', deadlineMs: 20000 });
    c.changes = () => c.msgs.filter((m) => m.type === 'task.changed');
    c.notifications = () => c.msgs.filter((m) => m.type === 'notification');
    return c;
}

/** A new user with in-app, webhook (hook's secret set), ntfy and e-mail (<id>@example.com) on. */
export async function userWithAllChannels(client, hook, ntfy) {
    const u = await newUser(client);
    assert.equal((await u.put('/settings', { json: {
        channels: { in_app: true, webhook: true, ntfy: true, email: true },
        webhook_url: `${hook.url}/hook`, ntfy_url: `${ntfy.url}/topic`, email: `${u.id}@example.com` } })).status, 200);
    hook.secret = (await u.post('/settings/webhook-secret')).json.webhook_secret;
    return u;
}
