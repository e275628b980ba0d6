// chat.test.mjs - the chat API (issue 12 §2; docs/openapi.json "Chat"): the answer's shape, a
// new conversation and continuing one, the history (roles, order, tool calls stored with the
// answer), another user's conversation and path, bad bodies, and a restart between turns
// (the server keeps no conversation in memory). The tests do not depend on the brain's
// wording: what the assistant says is the built-in parser's business (its own tests).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError, RFC3339_UTC } from './lib/server.mjs';

const chat = async (u, body) => u.post('/chat', { json: body });

async function turn(u, body) {
    const r = await chat(u, body);
    assert.equal(r.status, 200, r.text);
    return r.json;
}

async function messages(u, id, q = '') {
    const r = await u.get(`/conversations/${id}/messages${q}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
}

async function conversations(u, q = '') {
    const r = await u.get(`/conversations${q}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
}

describe('chat', () => {
    let srv, u, other;
    before(async () => {
        srv = await startServer();
        u = await newUser(srv.api);
        other = await newUser(srv.api);
    });
    after(async () => { await srv?.stop(); });

    it('answers_a_new_conversation_with_its_id_a_response_and_tool_calls', async () => {
        const a = await turn(u, { message: 'hello there' });
        assert.deepEqual(Object.keys(a).sort(), ['conversation_id', 'response', 'tool_calls']);
        assert.ok(Number.isInteger(a.conversation_id) && a.conversation_id > 0);
        assert.equal(typeof a.response, 'string');
        assert.ok(a.response.length > 0);
        assert.ok(Array.isArray(a.tool_calls));
        for (const c of a.tool_calls) {
            assert.equal(typeof c.tool, 'string');
            assert.ok(c.arguments && typeof c.arguments === 'object');
            assert.ok(c.result && typeof c.result === 'object');
        }
        const r = await chat(u, { message: 'hello again' }); // no-store, like every answer
        assert.equal(r.headers.get('cache-control'), 'no-store');
    });

    it('continues_a_conversation_and_keeps_every_message_in_order_with_roles', async () => {
        const first = await turn(u, { message: '  What can you do?  ' });
        const id = first.conversation_id;
        const second = await turn(u, { conversation_id: id, message: 'and then?' });
        assert.equal(second.conversation_id, id);
        const m = await messages(u, id);
        assert.equal(m.items.length, 4);
        assert.deepEqual(m.items.map((x) => x.role), ['user', 'assistant', 'user', 'assistant']);
        assert.equal(m.items[0].content, 'What can you do?', 'stored trimmed');
        assert.equal(m.items[1].content, first.response);
        assert.equal(m.items[2].content, 'and then?');
        assert.equal(m.items[3].content, second.response);
        assert.deepEqual(m.items[1].tool_calls, first.tool_calls, 'tool calls stored with the answer');
        assert.deepEqual(m.items[0].tool_calls, []);
        const idsInOrder = m.items.map((x) => x.id);
        assert.deepEqual([...idsInOrder].sort((a, b) => a - b), idsInOrder);
        for (const x of m.items) {
            assert.deepEqual(Object.keys(x).sort(), ['content', 'created_at', 'id', 'role', 'tool_calls']);
            assert.match(x.created_at, RFC3339_UTC);
        }
        assert.equal(m.next_cursor, null);
    });

    it('keeps_every_message_of_concurrent_turns_on_one_conversation', async () => {
        const { conversation_id: id } = await turn(u, { message: 'the race starts' });
        const texts = Array.from({ length: 8 }, (_, i) => `concurrent turn ${i}`);
        await Promise.all(texts.map((message) => turn(u, { conversation_id: id, message })));
        const m = await messages(u, id, '?limit=200');
        const users = m.items.filter((x) => x.role === 'user').map((x) => x.content);
        assert.deepEqual(users.slice(1).sort(), [...texts].sort(), 'each message once');
        assert.equal(m.items.filter((x) => x.role === 'assistant').length, 9);
    });

    it('pages_messages_with_limit_and_cursor', async () => {
        const { conversation_id: id } = await turn(u, { message: 'one' });
        await turn(u, { conversation_id: id, message: 'two' });
        const p1 = await messages(u, id, '?limit=3');
        assert.equal(p1.items.length, 3);
        assert.equal(typeof p1.next_cursor, 'string');
        const p2 = await messages(u, id, `?limit=3&cursor=${encodeURIComponent(p1.next_cursor)}`);
        assert.equal(p2.items.length, 1);
        assert.equal(p2.next_cursor, null);
        assert.ok(p2.items[0].id > p1.items[2].id);
        assertError(await u.get(`/conversations/${id}/messages?limit=0`), 400, 'bad_request');
        assertError(await u.get(`/conversations/${id}/messages?cursor=zz`), 400, 'bad_request');
    });

    it('lists_conversations_newest_activity_first_titled_by_their_first_message', async () => {
        const v = await newUser(srv.api);
        const a = await turn(v, { message: 'first conversation' });
        const b = await turn(v, { message: `second ${'word '.repeat(40)}` });
        let list = await conversations(v);
        assert.deepEqual(list.items.map((c) => c.id), [b.conversation_id, a.conversation_id]);
        assert.equal(list.items[1].title, 'first conversation');
        assert.ok([...list.items[0].title].length <= 60, list.items[0].title);
        assert.ok(list.items[0].title.startsWith('second word'));
        for (const c of list.items) {
            assert.deepEqual(Object.keys(c).sort(), ['created_at', 'id', 'title', 'updated_at']);
            assert.match(c.created_at, RFC3339_UTC);
            assert.match(c.updated_at, RFC3339_UTC);
        }
        await turn(v, { conversation_id: a.conversation_id, message: 'back to the first' });
        list = await conversations(v);
        assert.deepEqual(list.items.map((c) => c.id), [a.conversation_id, b.conversation_id],
            'a new turn moves its conversation first');
        const page = await conversations(v, '?limit=1');
        assert.equal(page.items.length, 1);
        const rest = await conversations(v, `?limit=1&cursor=${encodeURIComponent(page.next_cursor)}`);
        assert.deepEqual(rest.items.map((c) => c.id), [b.conversation_id]);
        assert.equal(rest.next_cursor, null);
    });

    it('refuses_another_users_conversation_with_404_and_changes_nothing', async () => {
        const { conversation_id: id } = await turn(u, { message: 'mine' });
        assertError(await chat(other, { conversation_id: id, message: 'hijack' }), 404, 'not_found');
        assertError(await other.get(`/conversations/${id}/messages`), 404, 'not_found');
        assertError(await chat(u, { conversation_id: 999999999, message: 'x' }), 404, 'not_found');
        assertError(await u.get('/conversations/abc/messages'), 404, 'not_found');
        const m = await messages(u, id);
        assert.equal(m.items.length, 2, 'nothing was added');
        const theirs = await conversations(other);
        assert.ok(!theirs.items.some((c) => c.id === id));
    });

    it('refuses_another_users_path_with_403_and_no_token_with_401', async () => {
        const r = await srv.api.post(`/api/${other.id}/chat`, { token: u.token, json: { message: 'hi' } });
        assertError(r, 403, 'forbidden');
        assertError(await srv.api.get(`/api/${other.id}/conversations`, { token: u.token }), 403, 'forbidden');
        assertError(await srv.api.post(`/api/${u.id}/chat`, { json: { message: 'hi' } }), 401, 'unauthorized');
    });

    it('refuses_bad_messages_with_422_and_stores_nothing', async () => {
        const v = await newUser(srv.api);
        for (const body of [{}, { message: '' }, { message: ' \n\t ' }, { message: 42 },
            { message: null }, { message: ['hi'] }, { message: 'x'.repeat(4001) },
            { message: 'hi', extra: 1 }, { message: 'hi', conversation_id: 'one' },
            { message: 'hi', conversation_id: 0 }, { message: 'hi', conversation_id: 1.5 }]) {
            const r = await chat(v, body);
            assertError(r, 422, 'validation_failed');
        }
        assertError(await chat(v, { message: 'x'.repeat(4001) }), 422, 'validation_failed', { field: 'message' });
        assertError(await chat(v, { message: 'hi', colour: 'red' }), 422, 'validation_failed', { field: 'colour' });
        const ok = await turn(v, { message: `  ${'é'.repeat(4000)}  ` }); // 4,000 characters, not bytes
        assert.ok(ok.conversation_id > 0);
        const list = await conversations(v);
        assert.equal(list.items.length, 1, 'only the valid turn made a conversation');
    });

    it('refuses_malformed_json_with_400_and_a_non_object_body', async () => {
        const r = await srv.api.post(`/api/${u.id}/chat`, { token: u.token, body: '{"message":',
            headers: { 'content-type': 'application/json' } });
        assertError(r, 400, 'bad_request');
        const arr = await srv.api.post(`/api/${u.id}/chat`, { token: u.token, json: ['hi'] });
        assertError(arr, 400, 'bad_request');
        const bad = await srv.api.post(`/api/${u.id}/chat`, { token: u.token,
            body: Buffer.from('{"message":"\xff"}', 'latin1'), headers: { 'content-type': 'application/json' } });
        assertError(bad, 400, 'bad_request');
    });

    it('counts_turns_by_brain_and_outcome_in_metrics', async () => {
        const count = async () => {
            const text = (await srv.api.get('/metrics')).text;
            const m = text.match(/^todo_chat_turns_total\{brain="builtin",outcome="ok"\} (\d+)$/m);
            assert.ok(m, 'todo_chat_turns_total is exported');
            assert.match(text, /^todo_chat_turn_seconds_bucket\{brain="builtin",le="0.01"\} \d+$/m);
            return Number(m[1]);
        };
        const before = await count();
        await turn(u, { message: 'count me' });
        assert.equal(await count(), before + 1);
    });

    it('answers_unknown_input_without_changing_any_task', async () => {
        const v = await newUser(srv.api);
        await v.create({ title: 'Keep me' });
        const before = await v.listAll();
        // unknown by docs/assistant.md: a question it cannot answer, a lone unknown word
        for (const message of ["what's the weather?", 'asdfgh']) {
            const a = await turn(v, { message });
            assert.deepEqual(a.tool_calls.filter((c) => !['list_tasks', 'list_tags'].includes(c.tool)), [],
                `no tool that changes anything ran for "${message}"`);
            assert.ok(a.response.length > 0);
        }
        assert.deepEqual(await v.listAll(), before);
    });
});

describe('chat across a restart', () => {
    let srv;
    after(async () => { await srv?.stop(); });

    it('continues_a_conversation_after_the_server_restarted', async () => {
        srv = await startServer();
        const u = await newUser(srv.api);
        const a = await turn(u, { message: 'remember this conversation' });
        await srv.restart();
        const b = await turn(u, { conversation_id: a.conversation_id, message: 'still there?' });
        assert.equal(b.conversation_id, a.conversation_id);
        const m = await messages(u, a.conversation_id);
        assert.deepEqual(m.items.map((x) => x.content).filter((_, i) => i % 2 === 0),
            ['remember this conversation', 'still there?']);
    });
});

describe('chat with a small pool', () => {
    let srv;
    after(async () => { await srv?.stop(); });

    // One thread and one waiting place: a burst is answered 200 or 503 with Retry-After (the
    // queue was full), never anything else, and a refused turn stored nothing.
    it('answers_a_burst_200_or_503_with_retry_after_and_stores_only_the_answered_turns', async () => {
        srv = await startServer({ env: { TODO_CHAT_WORKERS: '1', TODO_CHAT_QUEUE: '1' } });
        const u = await newUser(srv.api);
        const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => chat(u, { message: `burst ${i}` })));
        let ok = 0;
        for (const r of answers) {
            if (r.status === 503) {
                assertError(r, 503, 'unavailable');
                assert.equal(r.headers.get('retry-after'), '1');
            } else {
                assert.equal(r.status, 200, r.text);
                ok++;
            }
        }
        const list = await conversations(u, '?limit=200');
        assert.equal(list.items.length, ok, 'one conversation per answered turn, none for a refused one');
    });
});
