// assistant_parse.test.mjs - POST /api/{user_id}/assistant/parse (docs/openapi.json,
// "assistant"): the built-in parser's reading of one line in the user's time zone, the web UI's quick add
// (docs/web.md). Owner only; bad input is a clear 4xx and nothing ever changes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError } from './lib/server.mjs';

const ALWAYS = ['intent', 'title', 'due', 'all_day', 'rrule', 'from_completion'];

/** Asserts the parser's JSON form (src/core/nlp.h): the keys always present, their types. */
function assertParseShape(res) {
    assert.equal(res.status, 200, `parse: ${res.status} ${res.text}`);
    assert.match(res.headers.get('content-type') || '', /^application\/json/i);
    assert.equal(res.headers.get('cache-control'), 'no-store', 'a private answer');
    const j = res.json;
    for (const k of ALWAYS) assert.ok(k in j, `"${k}" is always present: ${res.text}`);
    assert.equal(typeof j.intent, 'string');
    assert.ok(j.title === null || typeof j.title === 'string');
    assert.ok(j.due === null || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/.test(j.due), `due: ${j.due}`);
    assert.equal(typeof j.all_day, 'boolean');
    assert.ok(j.rrule === null || typeof j.rrule === 'string');
    assert.equal(typeof j.from_completion, 'boolean');
    return j;
}

describe('the assistant parse route', () => {
    let srv;
    let api;
    let utc;
    let kolkata;
    before(async () => {
        srv = await startServer();
        api = srv.api;
        utc = await newUser(api, { timezone: 'UTC' });
        kolkata = await newUser(api, { timezone: 'Asia/Kolkata' });
    });
    after(async () => { await srv?.stop(); });

    const parse = (u, json, x = {}) => u.post('/assistant/parse', { json, ...x });

    it('answers_the_parsers_json_and_changes_nothing', async () => {
        const j = assertParseShape(await parse(utc, { text: 'add buy milk tomorrow #shopping' }));
        assert.ok(['add', 'unknown'].includes(j.intent), `intent: ${j.intent}`);
        assert.deepEqual(await utc.listAll({ status: 'all' }), [], 'parsing creates no task');
    });

    it('reads_the_text_in_the_users_time_zone', async () => {
        const text = 'Call the bank tomorrow at 9am';
        const a = assertParseShape(await parse(utc, { text }));
        const b = assertParseShape(await parse(kolkata, { text }));
        assert.equal(a.title, 'Call the bank');
        assert.match(a.due, /T09:00:00(Z|\+00:00)$/, `UTC user: ${a.due}`);
        assert.match(b.due, /T09:00:00\+05:30$/, `Kolkata user: ${b.due}`);
        assert.equal(a.all_day, false);
    });

    it('quick_add_mode_reads_every_line_as_a_task_to_add', async () => {
        // a line that is another command in the chat is a task's title in quick add
        for (const [text, intent] of [['Delete old photos', 'delete'], ['Complete the tax return', 'complete'], ['help', 'help']]) {
            assert.equal(assertParseShape(await parse(utc, { text })).intent, intent, `chat: ${text}`);
            assert.equal(assertParseShape(await parse(utc, { text, mode: 'chat' })).intent, intent, `chat: ${text}`);
            const quick = assertParseShape(await parse(utc, { text, mode: 'quick_add' }));
            assert.deepEqual([quick.intent, quick.title], ['add', text[0].toUpperCase() + text.slice(1)], `quick add: ${text}`);
        }
        // a line the chat reads as an add is read the same; "add" itself is not read twice
        const milk = assertParseShape(await parse(utc, { text: 'add buy milk #dairy', mode: 'quick_add' }));
        assert.deepEqual([milk.intent, milk.title, milk.tags], ['add', 'Buy milk', ['dairy']]);
        // only tags and a priority: a list filter in the chat, an add without a title here (the
        // UI then says a title is needed)
        assert.equal(assertParseShape(await parse(utc, { text: '#home !high' })).intent, 'list');
        for (const text of ['#home !high', 'add #home !high']) {
            const bare = assertParseShape(await parse(utc, { text, mode: 'quick_add' }));
            assert.deepEqual([bare.intent, bare.title, bare.tags, bare.priority], ['add', null, ['home'], 'high'], text);
        }
        // whatever the chat would read, quick add answers an add that names no other task
        for (const text of ['make it high priority', 'delete all my tasks', 'show my tasks due today', 'yes']) {
            const q = assertParseShape(await parse(utc, { text, mode: 'quick_add' }));
            assert.equal(q.intent, 'add', text);
            assert.ok(!('target' in q) && !('filter' in q) && !('clear' in q) && !('remove_tags' in q), `${text}: ${JSON.stringify(q)}`);
        }
        for (const mode of ['quick', '', 7, null]) {
            assertError(await parse(utc, { text: 'Buy milk', mode }), 422, 'validation_failed', { field: 'mode' });
        }
    });

    it('accepts_1000_characters_and_refuses_1001_counting_characters_not_bytes', async () => {
        assertParseShape(await parse(utc, { text: 'é'.repeat(1000) }));
        assertError(await parse(utc, { text: 'é'.repeat(1001) }), 422, 'validation_failed', { field: 'text' });
    });

    it('refuses_a_missing_empty_or_non_string_text_or_another_field_with_422', async () => {
        for (const body of [{}, { text: '' }, { text: 7 }, { text: null }, { text: ['a'] }, { text: 'a', due: 'x' }]) {
            const r = await parse(utc, body);
            assertError(r, 422, 'validation_failed');
            assert.ok(r.json.error.details.length > 0, `a field detail for ${JSON.stringify(body)}`);
        }
    });

    it('refuses_malformed_json_or_a_body_that_is_not_an_object_with_400', async () => {
        assertError(await utc.post('/assistant/parse', { body: '{"text":', headers: { 'content-type': 'application/json' } }),
            400, 'bad_request');
        assertError(await parse(utc, ['text']), 400, 'bad_request');
        assertError(await parse(utc, { text: 'a\u0000b' }), 400, 'bad_request'); // JSON with a NUL is refused as JSON
        assertError(await utc.post('/assistant/parse', { headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
    });

    it('needs_the_token_of_the_user_in_the_path', async () => {
        const json = { text: 'buy milk' };
        assertError(await api.post(`${utc.base}/assistant/parse`, { json }), 401, 'unauthorized');
        assertError(await api.post(`${utc.base}/assistant/parse`, { json, token: 'not.a.token' }), 401, 'unauthorized');
        assertError(await api.post(`${utc.base}/assistant/parse`, { json, token: kolkata.token }), 403, 'forbidden');
    });
});
