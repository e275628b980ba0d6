// chat-llm.test.mjs - LLM mode through POST /api/{user_id}/chat (issue 12 §4;
// docs/assistant-llm.md) against lib/llm_standin.mjs, a local server that speaks the real
// OpenAI-compatible protocol with scripted replies (a stand-in for a paid service). Two
// servers: one asking for plain JSON replies, one for streamed ones (TODO_LLM_STREAM=1).
// What is checked: the request (model, the seven tools, the system prompt's local date,
// time and zone, the message, the key as Bearer), tool calls run as the user (checked over
// REST), parallel calls, a malformed call answered with an error the model recovers from,
// 429 then success, 5xx and timeouts falling back to the built-in brain, the step limit,
// a 400 falling back at once, and the key in no log line and not in /metrics.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startServer, newUser, waitFor } from './lib/server.mjs';
import { startLlmStandin } from './lib/llm_standin.mjs';

const TOOLS = ['add_task', 'complete_task', 'delete_task', 'list_tags', 'list_tasks', 'reopen_task',
    'update_task'];
const ZONE = 'America/New_York';
const MAX_STEPS = 4;
const RETRIES = 2;

/** "Sunday 2026-12-06, 05:00" for an instant in zone, as the prompt writes it. */
function localStamp(ms, zone) {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long',
        year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    return `${p.weekday} ${p.year}-${p.month}-${p.day}, ${p.hour}:${p.minute}`;
}

async function turn(u, message, extra = {}) {
    const r = await u.post('/chat', { json: { message, ...extra } });
    assert.equal(r.status, 200, r.text);
    return r.json;
}

const toolMessages = (req) => req.body.messages.filter((m) => m.role === 'tool');

/** LLM mode's counters from /metrics: {'calls ok': n, 'turns builtin': n, ...}. */
async function llmCounters(api) {
    const r = await api.get('/metrics');
    assert.equal(r.status, 200);
    const out = {};
    for (const m of r.text.matchAll(/^todo_llm_(calls|turns)_total\{(?:outcome|answered_by)="(\w+)"\} (\d+)$/gm)) {
        out[`${m[1]} ${m[2]}`] = Number(m[3]);
    }
    return out;
}

const delta = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));

describe('chat in LLM mode', () => {
    let standin, srv, streamed, dir, key, u, v;
    before(async () => {
        standin = await startLlmStandin();
        dir = mkdtempSync(path.join(os.tmpdir(), 'todo-llm-'));
        key = `sk-standin-${randomBytes(12).toString('hex')}`;
        writeFileSync(path.join(dir, 'key'), `${key}\n`, { mode: 0o600 });
        const env = {
            TODO_LLM_BASE_URL: standin.url,
            TODO_LLM_MODEL: 'standin-model',
            TODO_LLM_API_KEY_FILE: path.join(dir, 'key'),
            TODO_LLM_TIMEOUT_MS: '4000', // generous: a loaded machine must not turn a quick answer into a retry
            TODO_LLM_MAX_STEPS: String(MAX_STEPS),
            TODO_LLM_RETRIES: String(RETRIES),
            TODO_LOG_LEVEL: 'debug',
        };
        srv = await startServer({ env });
        streamed = await startServer({ env: { ...env, TODO_LLM_STREAM: '1' } });
        u = await newUser(srv.api, { timezone: ZONE });
        v = await newUser(streamed.api, { timezone: ZONE });
    });
    after(async () => {
        await srv?.stop();
        await streamed?.stop();
        await standin?.close();
        rmSync(dir, { recursive: true, force: true });
    });

    it('sends_the_model_the_tools_the_local_time_and_the_message_with_the_key_as_bearer', async () => {
        standin.script([{ content: 'Hello from the model' }]);
        const counted = await llmCounters(srv.api);
        const before = Date.now();
        const a = await turn(u, 'What is on my list?');
        const after = Date.now();
        assert.deepEqual(delta(counted, await llmCounters(srv.api)), {
            'calls ok': 1, 'calls retry': 0, 'calls give_up': 0,
            'turns model': 1, 'turns builtin': 0, 'turns summary': 0,
        });
        assert.equal(a.response, 'Hello from the model');
        assert.deepEqual(a.tool_calls, []);
        assert.equal(standin.requests.length, 1);
        const req = standin.requests[0];
        assert.equal(req.headers.authorization, `Bearer ${key}`);
        assert.equal(req.body.model, 'standin-model');
        assert.equal(req.body.stream, false);
        assert.equal(req.body.tool_choice, 'auto');
        assert.deepEqual(req.body.tools.map((t) => t.function.name).sort(), TOOLS);
        for (const t of req.body.tools) {
            assert.equal(t.type, 'function');
            assert.equal(t.function.parameters.type, 'object');
            assert.ok(t.function.description.length > 0);
        }
        const system = req.body.messages[0];
        assert.equal(system.role, 'system');
        assert.ok([localStamp(before, ZONE), localStamp(after, ZONE)].some((s) => system.content.includes(s)),
            `the prompt carries the local date and time: ${system.content}`);
        assert.ok(system.content.includes(ZONE));
        const last = req.body.messages.at(-1);
        assert.deepEqual(last, { role: 'user', content: 'What is on my list?' });
    });

    it('runs_a_scripted_add_task_as_the_user_and_answers_with_the_final_content', async () => {
        standin.script([
            { tool_calls: [{ id: 'call_add', name: 'add_task', arguments: { title: 'Buy milk', priority: 'high' } }] },
            { content: 'Added "Buy milk".' },
        ]);
        const a = await turn(u, 'add buy milk, high priority');
        assert.equal(a.response, 'Added "Buy milk".');
        assert.equal(a.tool_calls.length, 1);
        assert.equal(a.tool_calls[0].tool, 'add_task');
        assert.deepEqual(a.tool_calls[0].arguments, { title: 'Buy milk', priority: 'high' });
        assert.equal(a.tool_calls[0].result.status, 'created');
        const tasks = await u.listAll();
        const t = tasks.find((x) => x.title === 'Buy milk');
        assert.ok(t, 'the task exists over REST');
        assert.equal(t.priority, 'high');
        assert.equal(a.tool_calls[0].result.task_id, t.id);
        // the second model call saw the tool's result, answering the call's id
        assert.equal(standin.requests.length, 2);
        const second = standin.requests[1].body.messages;
        const asked = second.at(-2);
        assert.equal(asked.role, 'assistant');
        assert.equal(asked.tool_calls[0].id, 'call_add');
        const answer = second.at(-1);
        assert.equal(answer.role, 'tool');
        assert.equal(answer.tool_call_id, 'call_add');
        assert.equal(JSON.parse(answer.content).task_id, t.id);

        // the next turn of the conversation replays the call and its result
        standin.script([{ content: 'You have one task.' }]);
        const b = await turn(u, 'and now?', { conversation_id: a.conversation_id });
        assert.equal(b.response, 'You have one task.');
        const replay = standin.requests[0].body.messages;
        assert.deepEqual(replay.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
        assert.equal(JSON.parse(replay[3].content).task_id, t.id);
        assert.equal(replay[4].content, 'Added "Buy milk".');
    });

    it('runs_two_parallel_tool_calls_in_order', async () => {
        standin.script([
            { tool_calls: [
                { name: 'add_task', arguments: { title: 'Parallel one' } },
                { name: 'add_task', arguments: { title: 'Parallel two', tags: ['p'] } },
            ] },
            { content: 'Both added.' },
        ]);
        const a = await turn(u, 'add two tasks');
        assert.equal(a.response, 'Both added.');
        assert.deepEqual(a.tool_calls.map((c) => c.result.title), ['Parallel one', 'Parallel two']);
        const titles = (await u.listAll()).map((t) => t.title);
        assert.ok(titles.includes('Parallel one') && titles.includes('Parallel two'));
        const tools = toolMessages(standin.requests[1]);
        assert.equal(tools.length, 2);
        const asked = standin.requests[1].body.messages.at(-3).tool_calls.map((c) => c.id);
        assert.deepEqual(tools.map((m) => m.tool_call_id), asked);
    });

    it('streams_replies_with_content_and_parallel_tool_calls_when_asked_to', async () => {
        standin.script([
            { tool_calls: [
                { name: 'add_task', arguments: { title: 'Streamed one' } },
                { name: 'add_task', arguments: { title: 'Streamed two' } },
            ] },
            { content: 'Added both, streamed.' },
        ]);
        const a = await turn(v, 'add two, streamed');
        assert.equal(standin.requests[0].body.stream, true);
        assert.equal(a.response, 'Added both, streamed.');
        assert.deepEqual(a.tool_calls.map((c) => c.result.title), ['Streamed one', 'Streamed two']);
        const titles = (await v.listAll()).map((t) => t.title);
        assert.deepEqual(titles.filter((t) => t.startsWith('Streamed')).sort(), ['Streamed one', 'Streamed two']);
    });

    it('answers_a_malformed_tool_call_with_an_error_and_the_model_recovers', async () => {
        standin.script([
            { tool_calls: [{ id: 'call_bad', name: 'add_task', arguments: '{"title": "Broken' }] },
            { tool_calls: [{ id: 'call_unknown', name: 'make_coffee', arguments: {} },
                { id: null, name: 'add_task', arguments: { title: 'No id' } }] },
            { tool_calls: [{ id: 'call_good', name: 'add_task', arguments: { title: 'Fixed task' } }] },
            { content: 'Added "Fixed task".' },
        ]);
        const a = await turn(u, 'add fixed task');
        assert.equal(a.response, 'Added "Fixed task".');
        assert.deepEqual(a.tool_calls.map((c) => c.tool), ['add_task']);
        assert.equal(a.tool_calls[0].result.title, 'Fixed task');
        const [bad] = toolMessages(standin.requests[1]);
        assert.equal(bad.tool_call_id, 'call_bad');
        assert.equal(JSON.parse(bad.content).error.code, 'invalid_arguments');
        const later = toolMessages(standin.requests[2]).slice(1).map((m) => JSON.parse(m.content).error.code);
        assert.deepEqual(later, ['unknown_tool', 'invalid_tool_call']);
        const titles = (await u.listAll()).map((t) => t.title);
        assert.ok(titles.includes('Fixed task'));
        assert.ok(!titles.includes('No id') && !titles.some((t) => t.startsWith('Broken')));
    });

    it('answers_an_unknown_tool_with_a_long_non_ascii_name_with_a_valid_error', async () => {
        const name = `x${'é'.repeat(40)}`; // 81 bytes: the error quotes 60, cutting an é in two
        standin.script([
            { tool_calls: [{ id: 'call_odd', name, arguments: {} }] },
            { content: 'Sorry.' },
        ]);
        const a = await turn(u, 'do something odd');
        assert.equal(a.response, 'Sorry.');
        assert.deepEqual(a.tool_calls, []);
        const [odd] = toolMessages(standin.requests[1]);
        assert.equal(odd?.tool_call_id, 'call_odd', 'the call is answered');
        const e = JSON.parse(odd.content).error;
        assert.equal(e.code, 'unknown_tool');
        assert.ok(e.message.startsWith('there is no tool named "xé'), e.message);
    });

    it('passes_a_tool_error_to_the_model_and_records_it', async () => {
        standin.script([
            { tool_calls: [{ id: 'c1', name: 'complete_task', arguments: { task_id: 999999 } }] },
            { content: 'There is no task 999999.' },
        ]);
        const a = await turn(u, 'complete task 999999');
        assert.equal(a.response, 'There is no task 999999.');
        assert.equal(a.tool_calls.length, 1);
        assert.ok(a.tool_calls[0].result.error, JSON.stringify(a.tool_calls[0]));
        assert.ok(JSON.parse(toolMessages(standin.requests[1])[0].content).error);
    });

    it('retries_after_429_with_retry_after_then_answers', async () => {
        standin.script([
            { status: 429, headers: { 'retry-after': '1' } },
            { raw: 'this is not JSON' },
            { content: 'Answered after a retry.' },
        ]);
        const a = await turn(u, 'hello');
        assert.equal(a.response, 'Answered after a retry.');
        assert.equal(standin.requests.length, 3);
        // a Retry-After beyond the 20 s cap: no waiting that long, the built-in brain answers
        standin.script([{ status: 503, headers: { 'retry-after': '3600' } }, { content: 'NOT THE MODEL' }]);
        const b = await turn(u, 'hello');
        assert.equal(standin.requests.length, 1);
        assert.notEqual(b.response, 'NOT THE MODEL');
    });

    it('falls_back_to_the_built_in_brain_after_5xx_on_every_try', async () => {
        standin.script([{ status: 500 }, { status: 502 }, { status: 503 }, { content: 'NOT THE MODEL' }]);
        const before = await llmCounters(srv.api);
        const a = await turn(u, 'what can you do?');
        assert.deepEqual(delta(before, await llmCounters(srv.api)), {
            'calls ok': 0, 'calls retry': RETRIES, 'calls give_up': 1,
            'turns model': 0, 'turns builtin': 1, 'turns summary': 0,
        });
        assert.equal(standin.requests.length, RETRIES + 1);
        assert.ok(a.response.length > 0);
        assert.notEqual(a.response, 'NOT THE MODEL');
        const m = await u.get(`/conversations/${a.conversation_id}/messages`);
        assert.equal(m.status, 200);
        assert.deepEqual(m.json.items.map((x) => x.role), ['user', 'assistant']);
        assert.equal(m.json.items[1].content, a.response);
    });

    it('falls_back_when_the_model_times_out', async () => {
        const slow = { delayMs: 60000, content: 'TOO LATE' }; // never answered in time (close() ends it)
        standin.script([slow, slow, slow], { fallback: { content: 'NOT THE MODEL' } });
        const a = await turn(u, 'hello?');
        assert.equal(standin.requests.length, RETRIES + 1);
        assert.ok(a.response.length > 0);
        assert.ok(!['TOO LATE', 'NOT THE MODEL'].includes(a.response));
    });

    it('never_logs_the_key_when_the_server_quotes_it_in_an_error', async () => {
        const quoting = { raw: JSON.stringify({ error: { message: `Incorrect API key provided: ${key}.` } }) };
        standin.script([quoting, quoting, quoting]);
        const a = await turn(u, 'what can you do?');
        assert.equal(standin.requests.length, RETRIES + 1);
        assert.ok(a.response.length > 0 && !a.response.includes(key));
        const logs = srv.stderr() + srv.stdout();
        assert.match(logs, /Incorrect API key provided: \[key\]/, 'the error is logged, the key is not');
        assert.ok(!logs.includes(key));

        // quoted where the logged message is cut short (120 bytes): its first bytes go too
        const cut = { raw: JSON.stringify({ error: { message: `${'x'.repeat(100)} ${key}` } }) };
        standin.script([cut, cut, cut]);
        await turn(u, 'what can you do?');
        const after = srv.stderr() + srv.stdout();
        assert.match(after, /x{100} \[key\]/);
        assert.ok(!after.includes(key.slice(0, 14)), 'no piece of the key');
    });

    it('falls_back_at_once_on_a_400', async () => {
        standin.script([{ status: 400 }, { content: 'NOT THE MODEL' }]);
        const a = await turn(u, 'hello');
        assert.equal(standin.requests.length, 1);
        assert.notEqual(a.response, 'NOT THE MODEL');
    });

    it('stops_a_model_that_calls_tools_forever_at_the_step_limit', async () => {
        const again = { tool_calls: [{ name: 'list_tasks', arguments: { status: 'pending' } }] };
        standin.script([], { fallback: again });
        const before = await llmCounters(srv.api);
        const a = await turn(u, 'loop forever');
        assert.deepEqual(delta(before, await llmCounters(srv.api)), {
            'calls ok': MAX_STEPS, 'calls retry': 0, 'calls give_up': 0,
            'turns model': 0, 'turns builtin': 0, 'turns summary': 1,
        });
        assert.equal(standin.requests.length, MAX_STEPS);
        assert.equal(a.tool_calls.length, MAX_STEPS);
        assert.ok(a.tool_calls.every((c) => c.tool === 'list_tasks' && Array.isArray(c.result.tasks)));
        assert.match(a.response, new RegExp(`stopped after ${MAX_STEPS} steps`));
    });

    it('falls_back_when_the_model_makes_only_malformed_calls_up_to_the_step_limit', async () => {
        standin.script([], { fallback: { tool_calls: [{ name: 'add_task', arguments: '{"title": ' }] } });
        const before = await llmCounters(srv.api);
        const a = await turn(u, 'what can you do?');
        assert.equal(standin.requests.length, MAX_STEPS);
        assert.deepEqual(a.tool_calls.filter((c) => c.tool === 'add_task'), [], 'nothing ran');
        assert.doesNotMatch(a.response, /stopped after/);
        assert.equal(delta(before, await llmCounters(srv.api))['turns builtin'], 1);
    });

    it('says_what_was_done_when_the_model_fails_after_a_tool_ran', async () => {
        standin.script([
            { tool_calls: [{ name: 'add_task', arguments: { title: 'Half way' } }] },
            { status: 500 }, { status: 500 }, { status: 500 },
        ]);
        const a = await turn(u, 'add half way');
        assert.equal(a.tool_calls.length, 1);
        assert.match(a.response, /added "Half way"/);
        const titles = (await u.listAll()).map((t) => t.title);
        assert.equal(titles.filter((t) => t === 'Half way').length, 1, 'added once, not again by the fallback');
    });

    it('never_writes_the_key_in_a_log_line_or_metrics', async () => {
        const m = await srv.api.get('/metrics');
        assert.ok(!m.text.includes(key));
        for (const s of [srv, streamed]) {
            const logs = s.stderr() + s.stdout();
            assert.ok(logs.includes('LLM mode'), 'the server logged that LLM mode is on');
            assert.ok(!logs.includes(key), 'the key is in no log line');
            assert.ok(!logs.includes(key.slice(11)), 'not even its random part');
        }
    });
});

describe('chat in LLM mode at shutdown', () => {
    let standin, srv;
    before(async () => {
        standin = await startLlmStandin();
        srv = await startServer({ env: {
            TODO_LLM_BASE_URL: standin.url,
            TODO_LLM_MODEL: 'standin-model',
            TODO_LLM_TIMEOUT_MS: '120000',
            TODO_LLM_RETRIES: '2',
        } });
    });
    after(async () => { await standin?.close(); });

    it('a_turn_waiting_on_the_model_is_answered_by_the_built_in_brain_when_the_server_stops', async () => {
        const u = await newUser(srv.api);
        standin.script([], { fallback: { delayMs: 120000, content: 'TOO LATE' } });
        const pending = u.post('/chat', { json: { message: 'what can you do?' } });
        await waitFor(() => standin.requests.length === 1, { what: 'the model call' });
        srv.terminate();
        const r = await pending;
        assert.equal(r.status, 200, r.text);
        assert.ok(r.json.response.length > 0);
        assert.notEqual(r.json.response, 'TOO LATE');
        assert.equal(standin.requests.length, 1, 'no retry once stopping');
        await srv.stop(); // exit 0 within the harness's deadline, not after the model's timeout
    });
});
