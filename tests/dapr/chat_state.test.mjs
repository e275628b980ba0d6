// chat_state.test.mjs - conversations in the Dapr state store (issue 12 §2;
// docs/decisions/0040-chat-storage-and-turns.md): `todo api --bus dapr` beside a real daprd
// with a state.postgresql component on the tier's PostgreSQL. Turns round-trip through the
// same HTTP contract as with the database; the documents are read back through the
// sidecar's own state API (not through the app), the app's own chat tables stay empty, and
// concurrent turns on one conversation keep every message (ETags, first-write, retried).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
    requireEnvironment, newSecret, freshDatabase, dropDatabase, startPair, killAll, newUser,
    waitFor,
} from './lib/dapr.mjs';

const execFileP = promisify(execFile);
const STORE = 'statestore';

/** The integer a one-value query prints, run by psql on url. */
async function sqlInt(url, sql) {
    const { stdout } = await execFileP(process.env.TODO_TEST_PSQL || 'psql',
        ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql]);
    return Number(stdout.trim());
}

describe('chat conversations in the Dapr state store', () => {
    let databaseUrl, api, u, other;

    /** GET /v1.0/state/<store>/<key> through the sidecar: the stored document, or null. */
    async function stateDoc(key) {
        const r = await fetch(`${api.sidecar.url}/v1.0/state/${STORE}/${encodeURIComponent(key)}`,
            { signal: AbortSignal.timeout(5000) });
        const text = await r.text();
        assert.ok(r.status === 200 || r.status === 204, `state GET ${key}: ${r.status} ${text}`);
        return r.status === 204 || !text ? null : JSON.parse(text);
    }

    async function turn(user, body) {
        const r = await user.post('/chat', { json: body });
        assert.equal(r.status, 200, `${r.text}\n${api.tail(4000)}`);
        return r.json;
    }

    before(async () => {
        requireEnvironment();
        const secret = newSecret();
        databaseUrl = await freshDatabase(secret);
        api = await startPair('api', { appId: 'todo-chat', group: 'api', pubsub: 'todo-pubsub',
            databaseUrl, secret, state: { name: STORE, connectionString: databaseUrl } });
        await waitFor(async () => (await api.app.client.get('/readyz')).status === 200,
            { deadlineMs: 20000, intervalMs: 100, what: 'the api to be ready' });
        u = await newUser(api.app.client);
        other = await newUser(api.app.client);
    });

    after(async () => {
        if (api) await api.stop().catch(() => {});
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        killAll();
    });

    it('round_trips_turns_and_keeps_them_in_the_state_store_not_the_database', async () => {
        const a = await turn(u, { message: 'hello from dapr' });
        assert.ok(Number.isInteger(a.conversation_id) && a.conversation_id > 0);
        assert.equal(typeof a.response, 'string');
        assert.ok(Array.isArray(a.tool_calls));
        const b = await turn(u, { conversation_id: a.conversation_id, message: 'second turn' });
        assert.equal(b.conversation_id, a.conversation_id);

        const m = await u.get(`/conversations/${a.conversation_id}/messages`);
        assert.equal(m.status, 200, m.text);
        assert.deepEqual(m.json.items.map((x) => x.role), ['user', 'assistant', 'user', 'assistant']);
        assert.deepEqual(m.json.items.map((x) => x.content),
            ['hello from dapr', a.response, 'second turn', b.response]);
        assert.deepEqual(m.json.items[1].tool_calls, a.tool_calls);
        const list = await u.get('/conversations');
        assert.equal(list.status, 200, list.text);
        assert.deepEqual(list.json.items.map((c) => [c.id, c.title]), [[a.conversation_id, 'hello from dapr']]);

        // through the sidecar's state API, not the app
        const conv = await stateDoc(`chat.${u.id}.${a.conversation_id}`);
        assert.ok(conv, 'the conversation document is in the state store');
        assert.deepEqual(conv.messages.map((x) => x.content), ['hello from dapr', a.response, 'second turn', b.response]);
        const index = await stateDoc(`chat.${u.id}`);
        assert.deepEqual(index.conversations.map((c) => c.id), [a.conversation_id]);
        assert.equal(await sqlInt(databaseUrl, 'SELECT count(*) FROM messages'), 0);
        assert.equal(await sqlInt(databaseUrl, 'SELECT count(*) FROM conversations'), 0);
    });

    it('keeps_every_message_of_concurrent_turns_on_one_conversation', async () => {
        const { conversation_id: id } = await turn(u, { message: 'the race starts' });
        const N = 8;
        const texts = Array.from({ length: N }, (_, i) => `concurrent turn ${i}`);
        const answers = await Promise.all(texts.map((message) => turn(u, { conversation_id: id, message })));
        for (const x of answers) assert.equal(x.conversation_id, id);
        const m = await u.get(`/conversations/${id}/messages?limit=200`);
        assert.equal(m.status, 200, m.text);
        const users = m.json.items.filter((x) => x.role === 'user').map((x) => x.content);
        assert.deepEqual(users.slice(1).sort(), [...texts].sort(), 'each message once');
        assert.equal(m.json.items.filter((x) => x.role === 'assistant').length, N + 1);
        const ids = m.json.items.map((x) => x.id);
        assert.equal(new Set(ids).size, ids.length, 'message ids are distinct');
        const doc = await stateDoc(`chat.${u.id}.${id}`);
        assert.equal(doc.messages.length, 2 * (N + 1));
    });

    it('keeps_new_conversations_started_at_once_apart', async () => {
        const v = await newUser(api.app.client);
        const answers = await Promise.all([1, 2, 3, 4].map((i) => turn(v, { message: `start ${i}` })));
        const ids = answers.map((x) => x.conversation_id);
        assert.equal(new Set(ids).size, 4, `distinct ids: ${ids}`);
        const list = await v.get('/conversations');
        assert.deepEqual(list.json.items.map((c) => c.id).sort(), [...ids].sort());
    });

    it('refuses_another_users_conversation_with_404', async () => {
        const { conversation_id: id } = await turn(u, { message: 'private' });
        const r = await other.post('/chat', { json: { conversation_id: id, message: 'hijack' } });
        assert.equal(r.status, 404, r.text);
        const m = await other.get(`/conversations/${id}/messages`);
        assert.equal(m.status, 404, m.text);
        const mine = await u.get(`/conversations/${id}/messages`);
        assert.equal(mine.json.items.length, 2, 'nothing was added');
    });
});
