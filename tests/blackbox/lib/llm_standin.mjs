// llm_standin.mjs - a local stand-in for a paid LLM service: an HTTP server on loopback that
// speaks the real OpenAI-compatible protocol (POST /v1/chat/completions, a JSON reply or,
// when the request says `stream: true`, Server-Sent Events with `data:` chunks and
// `data: [DONE]`), answering from a script the test sets, and recording every request.
// LLM mode is tested against it because the real services need a paid key and the network
// (tests/blackbox/README.md, docs/assistant-llm.md).
//
// A script is a list of steps, one per request, in order; when it runs out, `fallback`
// answers (a plain "OK" unless set). A step is one of:
//   { content: 'text' }                                  a plain answer
//   { content?, tool_calls: [{ id?, name, arguments }] } tool calls (arguments: an object,
//                                                        or a string sent as written;
//                                                        id: null leaves it out)
//   { status: 429, headers: { 'retry-after': '1' }, body? }  an HTTP error
//   { raw: 'text', contentType? }                       a body sent as written
//   { delayMs: 5000, ...step }                           answer only after delayMs
//   { stream: false | true, ...step }                    override the request's stream flag
import http from 'node:http';

let ids = 0;

/** The chat completion JSON for a step. */
function completion(step, model) {
    const calls = (step.tool_calls || []).map((c, i) => {
        const call = { type: 'function', function: { name: c.name,
            arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) } };
        if (c.id !== null) call.id = c.id || `call_${++ids}_${i}`;
        return call;
    });
    const message = { role: 'assistant', content: step.content ?? null };
    if (calls.length) message.tool_calls = calls;
    return { id: `chatcmpl-${++ids}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
        choices: [{ index: 0, message, finish_reason: calls.length ? 'tool_calls' : 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
}

/** The same reply as the SSE chunks a real server sends: text and arguments in pieces. */
function chunks(step, model) {
    const base = { id: `chatcmpl-${++ids}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
    const out = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
    const text = step.content ?? '';
    for (let i = 0; i < text.length; i += 3) {
        out.push({ ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + 3) }, finish_reason: null }] });
    }
    const full = completion(step, model).choices[0].message.tool_calls || [];
    full.forEach((c, index) => {
        const head = { index, type: 'function', function: { name: c.function.name, arguments: '' } };
        if (c.id) head.id = c.id;
        out.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [head] }, finish_reason: null }] });
        const a = c.function.arguments;
        for (let i = 0; i < a.length; i += 4) {
            out.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: a.slice(i, i + 4) } }] },
                finish_reason: null }] });
        }
    });
    out.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: full.length ? 'tool_calls' : 'stop' }] });
    return out;
}

/** Starts the stand-in on host:port (loopback and a free port unless told). */
export async function startLlmStandin({ host = '127.0.0.1', port = 0 } = {}) {
    const sockets = new Set();
    const delays = new Set(); // pending delayMs waits: close() ends them
    const delay = (ms) => new Promise((resolve) => {
        const d = { resolve, timer: setTimeout(() => { delays.delete(d); resolve(); }, ms) };
        delays.add(d);
    });
    const state = { script: [], fallback: { content: 'OK' }, requests: [] };
    const server = http.createServer((req, res) => {
        const parts = [];
        req.on('data', (d) => parts.push(d));
        req.on('end', () => answer(req, res, Buffer.concat(parts).toString('utf8')));
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

    async function answer(req, res, text) {
        let body;
        try { body = JSON.parse(text); } catch { body = undefined; }
        state.requests.push({ method: req.method, url: req.url, headers: req.headers, body, text });
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
            res.writeHead(404, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
            return;
        }
        const step = state.script.length ? state.script.shift() : state.fallback;
        if (step.delayMs) await delay(step.delayMs);
        if (res.destroyed) return;
        if (step.status) {
            res.writeHead(step.status, { 'content-type': 'application/json', ...(step.headers || {}) });
            res.end(step.body ?? JSON.stringify({ error: { message: `scripted ${step.status}` } }));
            return;
        }
        if (step.raw !== undefined) {
            res.writeHead(200, { 'content-type': step.contentType || 'application/json' });
            res.end(step.raw);
            return;
        }
        const model = body?.model || 'standin';
        const stream = step.stream ?? body?.stream === true;
        if (!stream) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(completion(step, model)));
            return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(': stand-in\n\n');
        for (const c of chunks(step, model)) res.write(`data: ${JSON.stringify(c)}\n\n`);
        res.end('data: [DONE]\n\n');
    }

    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
    });
    const bound = server.address().port;
    return {
        url: `http://${host}:${bound}/v1`,
        /** The requests since the last script() call: {method, url, headers, body, text}. */
        get requests() { return state.requests; },
        /** Sets the steps for the next requests (and forgets the recorded requests). */
        script(steps, { fallback = { content: 'OK' } } = {}) {
            state.script = [...steps];
            state.fallback = fallback;
            state.requests = [];
        },
        async close() {
            for (const d of delays) { clearTimeout(d.timer); d.resolve(); }
            delays.clear();
            for (const s of sockets) s.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
