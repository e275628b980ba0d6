// web.test.mjs - the web front door, `todo web` (docs/architecture.md, "The web front door";
// ADR 0049): `todo web` beside its own real daprd calls `todo api --bus dapr` beside another
// through service invocation (POST .../v1.0/invoke/<app id>/method/api/...): browser → todo
// web → daprd → daprd → the api's callback listener (the sidecar's app port, app token
// checked). The sidecars find each other with the sqlite name resolver on one file (mDNS
// needs multicast), both registered as 127.0.0.1 (DAPR_HOST_IP). The web's daprd requires a
// Dapr API token (DAPR_API_TOKEN), so every call the front door makes must carry it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    requireEnvironment, newSecret, newAppToken, freshDatabase, dropDatabase, killAll, newUser,
    Sidecar, TodoApp, Api, waitFor,
} from './lib/dapr.mjs';
import { freePort, PASSWORD, signup } from '../blackbox/lib/server.mjs';
import { catalogueProblems } from '../blackbox/lib/metrics_catalogue.mjs';

const PUBSUB = 'todo-pubsub';
const API_ID = 'todo-api-front';
const WEB_ID = 'todo-web-front';
const MARKER = 'front-door-index-marker';

async function ports(n) {
    const out = new Set();
    while (out.size < n) out.add(await freePort());
    return [...out];
}

/** One request from a chosen local address (127.0.0.x), path sent exactly as given. */
function requestFrom(localAddress, url, method, p, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
        const u = new URL(url);
        const h = { ...headers };
        if (body) h['content-length'] = Buffer.byteLength(body);
        const req = http.request({ host: u.hostname, port: u.port, path: p, method, headers: h, localAddress, agent: false });
        req.setTimeout(30000, () => req.destroy(new Error('timeout')));
        req.on('response', (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let json;
                try { json = JSON.parse(text); } catch { json = undefined; }
                resolve({ status: res.statusCode, headers: res.headers, text, json });
            });
        });
        req.on('error', reject);
        if (body) req.write(body);
        req.end();
    });
}

describe('todo web: the front door, through two real daprd', () => {
    let secret, databaseUrl, dir, apiSidecar, api, webSidecar, web, front;
    const appToken = newAppToken();
    const daprApiToken = newAppToken();

    before(async () => {
        requireEnvironment();
        secret = newSecret();
        databaseUrl = await freshDatabase(secret);
        dir = mkdtempSync(path.join(os.tmpdir(), 'todo-dapr-web-'));
        mkdirSync(path.join(dir, 'ui'));
        writeFileSync(path.join(dir, 'ui', 'index.html'), `<!doctype html><title>Todo</title><p>${MARKER}</p>`);
        const configuration = `  nameResolution:
    component: sqlite
    configuration:
      connectionString: "${path.join(dir, 'names.db')}"`;
        const [apiPort, apiCallback, webPort] = await ports(3);
        apiSidecar = await new Sidecar({ appId: API_ID, appPort: apiCallback, group: 'api-front', pubsub: PUBSUB,
            appToken, configuration, env: { DAPR_HOST_IP: '127.0.0.1' } }).start();
        api = await new TodoApp('api', { port: apiPort, callbackPort: apiCallback, databaseUrl, secret,
            dataDir: path.join(dir, 'api'), sidecar: apiSidecar, appToken,
            extraEnv: { TODO_WEB_APP_ID: WEB_ID, TODO_LOGIN_LIMIT_ADDR: '3', TODO_ACCESS_LOG: '1' } }).start();
        webSidecar = await new Sidecar({ appId: WEB_ID, appPort: null, group: 'web-front', pubsub: PUBSUB,
            configuration, invokeTargets: { [API_ID]: 'invoke' },
            env: { DAPR_HOST_IP: '127.0.0.1', DAPR_API_TOKEN: daprApiToken } }).start();
        web = await new TodoApp('web', { port: webPort, callbackPort: null, databaseUrl: null, secret: null,
            dataDir: path.join(dir, 'web'), sidecar: webSidecar,
            extraEnv: { TODO_WEB_API_APP_ID: API_ID, TODO_WEB_DIR: path.join(dir, 'ui'), TODO_WEB_TIMEOUT_MS: '3000',
                TODO_ACCESS_LOG: '1', TODO_LOG_LEVEL: 'debug', DAPR_API_TOKEN: daprApiToken } }).start();
        front = new Api(web.url);
    });

    after(async () => {
        for (const c of [web, webSidecar, api, apiSidecar]) {
            if (c?.child?.alive()) await c.child.terminate().catch(() => {});
        }
        if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
        if (dir) rmSync(dir, { recursive: true, force: true });
        killAll();
    });

    const logs = () => `${web.tail()}\n${webSidecar.tail()}\n${api.tail()}\n${apiSidecar.tail()}`;

    it('serves_the_ui_and_forwards_sign_up_login_and_tasks_through_both_sidecars', async () => {
        const index = await front.get('/');
        assert.equal(index.status, 200, index.text);
        assert.match(index.headers.get('content-type'), /^text\/html/);
        assert.ok(index.text.includes(MARKER));

        const u = await newUser(front); // sign-up through the front door
        const login = await front.post('/api/auth/login', { json: { email: u.email, password: PASSWORD } });
        assert.equal(login.status, 200, `${login.text}\n${logs()}`);
        const created = await u.create({ title: 'Through the front door', tags: ['door'] });
        assert.equal(created.title, 'Through the front door');
        const list = await front.get(`${u.tasks}?tag=door`, { token: login.json.token });
        assert.equal(list.status, 200, list.text);
        assert.deepEqual(list.json.items.map((t) => t.id), [created.id]);
        assert.match(list.headers.get('content-type'), /^application\/json/);
        // PATCH with If-Match, complete and DELETE go through as well, the ETag comes back
        const got = await front.get(`${u.tasks}/${created.id}`, { token: u.token });
        assert.equal(got.status, 200, got.text);
        const etag = got.headers.get('etag');
        assert.ok(etag, 'the ETag passes through');
        const stale = await front.patch(`${u.tasks}/${created.id}`,
            { token: u.token, json: { title: 'Renamed' }, headers: { 'if-match': '"999"' } });
        assert.equal(stale.status, 412, stale.text);
        const renamed = await front.patch(`${u.tasks}/${created.id}`,
            { token: u.token, json: { title: 'Renamed' }, headers: { 'if-match': etag } });
        assert.equal(renamed.status, 200, renamed.text);
        const done = await front.patch(`${u.tasks}/${created.id}/complete`, { token: u.token });
        assert.equal(done.status, 200, done.text);
        assert.equal(done.json.completed, true);
        const gone = await front.del(`${u.tasks}/${created.id}`, { token: u.token });
        assert.equal(gone.status, 204, gone.text);
        // they went through the front door's sidecar's invoke API and were answered by the api
        // (through its sidecar), which counts them in its own /metrics like any API request
        const daprText = await webSidecar.daprMetrics();
        assert.match(daprText, new RegExp(`^dapr_http_server_request_count\\{[^}]*method="POST",path="/v1.0/invoke/${API_ID}/method/api/auth/signup",status="201"\\} 1$`, 'm'),
            daprText.split('\n').filter((l) => l.includes('/v1.0/invoke/')).join('\n'));
        assert.equal(await api.metricSum('todo_http_requests_total', { route: '/api/auth/signup', status: '201' }), 1);
        assert.equal(await api.metricSum('todo_http_requests_total', { route: '/api/auth/login', status: '200' }), 1);
        assert.ok((await web.metricSum('todo_web_forwarded_total', { outcome: 'answered' })) >= 9);
        // the same id in both access logs: the front door's answer names the api's request
        const id = list.headers.get('x-request-id');
        await waitFor(() => api.tail(200000).includes(`"request_id":"${id}"`), { what: `request ${id} in the api's log` });
        // the callback listener takes none of it without the sidecar's app token
        const direct = await api.callbacks.get('/api/auth/me', { token: u.token });
        assert.equal(direct.status, 401, direct.text);
    });

    // docs/operations.md "Metrics" (ADR 0052): the front door serves what the catalogue marks for
    // `web` (process metrics, build info, its forwarding), the api over Dapr what it marks for
    // `api`, each with its # TYPE and labels, and neither serves a name the table lacks
    it('web_and_api_serve_their_catalogued_metrics_and_nothing_else', async () => {
        for (const [app, role] of [[web, 'web'], [api, 'api']]) {
            const p = catalogueProblems(role, ['a scheduler'], await app.metrics());
            assert.deepEqual(p.missing, [], `${role}: catalogued for it but not served with that type`);
            assert.deepEqual(p.unknown, [], `${role}: served but not catalogued`);
            assert.deepEqual(p.badLabels, [], `${role}: labels not as catalogued`);
        }
    });

    it('passes_4xx_answers_through_unchanged', async () => {
        const u = await newUser(front);
        const cases = [
            ['GET', '/api/auth/me', {}],
            ['POST', `${u.tasks}`, { token: u.token, json: { title: '' } }],
            ['GET', `${u.tasks}/0190a1b2-0000-7000-8000-000000000000`, { token: u.token }],
            ['DELETE', '/api/auth/me', { token: u.token }],
            ['POST', `${u.tasks}`, { token: u.token, body: 'not json', headers: { 'content-type': 'text/plain' } }],
        ];
        for (const [method, p, opts] of cases) {
            const via = await front.req(method, p, opts);
            const direct = await api.client.req(method, p, opts);
            assert.ok(via.status >= 400 && via.status < 500, `${method} ${p}: ${via.status} ${via.text}`);
            assert.equal(via.status, direct.status, `${method} ${p}`);
            assert.deepEqual(via.json, direct.json, `${method} ${p}`);
            for (const h of ['content-type', 'www-authenticate', 'allow']) {
                assert.equal(via.headers.get(h), direct.headers.get(h), `${method} ${p} ${h}`);
            }
        }
    });

    it('serves_mcp_to_a_page_on_its_own_site_and_refuses_other_sites', async () => {
        const u = await newUser(front);
        const mcp = (message, { session, origin } = {}) => front.post('/mcp', { token: u.token, json: message, headers: {
            accept: 'application/json, text/event-stream', ...(session ? { 'mcp-session-id': session } : {}),
            ...(origin ? { origin } : {}) } });
        const own = new URL(web.url).origin; // the page's origin is the front door's
        const init = await mcp({ jsonrpc: '2.0', id: 1, method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'front', version: '1' } } },
        { origin: own });
        assert.equal(init.status, 200, init.text);
        const session = init.headers.get('mcp-session-id');
        assert.ok(session, 'Mcp-Session-Id passes back');
        const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };
        assert.equal((await mcp(ping, { session, origin: own })).status, 200);
        assert.equal((await mcp(ping, { session })).status, 200, 'no Origin: not a browser');
        const evil = await mcp(ping, { session, origin: 'https://evil.example' });
        assert.equal(evil.status, 403, evil.text);
        assert.equal(evil.json.error.code, 'forbidden');
    });

    it('gives_the_api_the_browsers_address_for_its_sign_in_limits', async () => {
        const u = await signup(front);
        const attempt = (from, headers = {}) => requestFrom(from, web.url, 'POST', '/api/auth/login', {
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ email: u.email, password: 'wrong password here' }),
        });
        for (let i = 0; i < 3; i++) assert.equal((await attempt('127.0.0.2')).status, 401);
        assert.equal((await attempt('127.0.0.2')).status, 429, 'the limit per address (3) is reached');
        assert.equal((await attempt('127.0.0.2', { 'x-todo-client-addr': '10.9.9.9' })).status, 429,
            'a client cannot name its own address');
        assert.equal((await attempt('127.0.0.2', { 'x-forwarded-for': '10.9.9.9' })).status, 429,
            'nor through X-Forwarded-For, unless TODO_WEB_TRUST_FORWARDED says a proxy writes it');
        assert.equal((await attempt('127.0.0.3')).status, 401, 'another address is not limited');
    });

    it('refuses_an_oversized_body_and_a_path_that_leaves_the_api', async () => {
        const u = await newUser(front);
        const big = JSON.stringify({ title: 'x'.repeat((1 << 20) + 10) });
        const r = await requestFrom('127.0.0.1', web.url, 'POST', u.tasks,
            { headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` }, body: big });
        assert.equal(r.status, 413, r.text);
        assert.equal(r.json.error.code, 'payload_too_large');
        for (const p of ['/api/../v1.0/secrets/store/x', '/api/%2e%2e/v1.0/metadata', '/api/x/..%2f..%2fv1.0/metadata']) {
            const bad = await requestFrom('127.0.0.1', web.url, 'GET', p);
            assert.equal(bad.status, 400, `${p}: ${bad.text}`);
        }
    });

    it('forwards_only_the_listed_headers_both_ways_through_real_sidecars', async () => {
        // an app that records what arrives, beside a third daprd; a second front door calls it
        const seen = [];
        const echo = http.createServer((req, res) => {
            if (req.url.startsWith('/api/')) seen.push({ url: req.url, ...req.headers }); // not daprd's own calls
            res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': req.headers['x-request-id'] || 'none',
                etag: '"7"', 'cache-control': 'no-store', 'set-cookie': 'session=stolen', 'x-internal': 'do-not-pass' });
            res.end(JSON.stringify({ ok: true }));
        });
        await new Promise((r) => echo.listen(0, '127.0.0.1', r));
        const [echoWebPort] = await ports(1);
        const echoSidecar = await new Sidecar({ appId: 'todo-echo-front', appPort: echo.address().port,
            group: 'echo-front', pubsub: PUBSUB, configuration: webSidecar.configuration,
            env: { DAPR_HOST_IP: '127.0.0.1' } }).start();
        const echoWeb = await new TodoApp('web', { port: echoWebPort, callbackPort: null, databaseUrl: null, secret: null,
            dataDir: path.join(dir, 'web2'), sidecar: webSidecar,
            extraEnv: { TODO_WEB_API_APP_ID: 'todo-echo-front', TODO_WEB_DIR: '', DAPR_API_TOKEN: daprApiToken } }).start();
        try {
            const r = await new Api(echoWeb.url).get('/api/echo?x=1&y=%2F', { headers: {
                authorization: 'Bearer t0k3n', 'if-match': '"3"', accept: 'application/json', origin: 'http://o.example',
                'mcp-session-id': 's1', cookie: 'c=d', 'x-custom': 'z', 'proxy-authorization': 'p',
                'x-todo-client-addr': '6.6.6.6', 'x-forwarded-for': '7.7.7.7', 'dapr-api-token': 'forged' } });
            assert.equal(r.status, 200, r.text);
            assert.equal(seen.length, 1);
            const h = seen[0];
            assert.equal(h.url, '/api/echo?x=1&y=%2F', 'path and query as sent');
            for (const [k, v] of Object.entries({ authorization: 'Bearer t0k3n', 'if-match': '"3"', accept: 'application/json',
                origin: 'http://o.example', 'mcp-session-id': 's1', 'x-todo-client-addr': '127.0.0.1' })) {
                assert.equal(h[k], v, `${k} at the app: ${JSON.stringify(h)}`);
            }
            for (const k of ['cookie', 'x-custom', 'proxy-authorization']) assert.equal(h[k], undefined, `${k} reached the app`);
            assert.ok(!JSON.stringify(h).includes('7.7.7.7'), 'a client\'s X-Forwarded-For is not passed on');
            assert.ok(!JSON.stringify(h).includes(daprApiToken), 'the front door\'s Dapr API token stays with its sidecar');
            assert.equal(r.headers.get('etag'), '"7"');
            assert.equal(r.headers.get('cache-control'), 'no-store');
            assert.equal(r.headers.get('set-cookie'), null);
            assert.equal(r.headers.get('x-internal'), null);
            assert.equal(r.headers.get('x-request-id'), h['x-request-id'], 'one request id on both sides');
        } finally {
            await echoWeb.child.terminate();
            await echoSidecar.child.terminate();
            await new Promise((r) => echo.close(r));
        }
    });

    it('on_sigterm_stops_accepting_and_finishes_the_calls_in_flight', async () => {
        // The call must still be in flight when the api resumes, however long a loaded machine
        // takes between SIGSTOP and seeing the listener closed: no upstream deadline here.
        assert.equal((await web.child.terminate()).code, 0, web.tail());
        web.extraEnv = { ...web.extraEnv, TODO_WEB_TIMEOUT_MS: '120000' };
        await web.start();
        api.child.proc.kill('SIGSTOP'); // the call below waits on the api
        let pending;
        try {
            pending = front.get('/api/auth/me');
            await waitFor(async () => (await web.metric('todo_web_forwarding')) === 1, { what: 'a call in flight' });
            web.child.proc.kill('SIGTERM');
            await waitFor(async () => {
                try { await fetch(`${web.url}/healthz`, { signal: AbortSignal.timeout(500) }); return false; } catch { return true; }
            }, { what: 'the front door to stop accepting' });
        } finally {
            api.child.proc.kill('SIGCONT');
        }
        const answer = await pending;
        assert.equal(answer.status, 401, `the call in flight got the api's answer: ${answer.text}\n${logs()}`);
        const stop = await web.child.terminate();
        assert.equal(stop.code, 0, web.tail());
        web.extraEnv = { ...web.extraEnv, TODO_WEB_TIMEOUT_MS: '3000' };
        await web.start(); // for the tests below
    });

    it('answers_504_when_the_api_is_too_slow_and_502_when_it_is_down', async () => {
        api.child.proc.kill('SIGSTOP'); // accepts connections, answers nothing
        try {
            const slow = await front.get('/api/auth/me');
            assert.equal(slow.status, 504, slow.text);
            assert.equal(slow.json.error.code, 'gateway_timeout');
        } finally {
            api.child.proc.kill('SIGCONT');
        }
        assert.equal((await api.child.terminate()).code, 0);
        const down = await front.get('/api/auth/me');
        assert.equal(down.status, 502, down.text);
        assert.equal(down.json.error.code, 'bad_gateway');
        assert.equal((await front.get('/readyz')).status, 200, 'its own sidecar is still there');
        assert.equal((await front.get('/')).status, 200, 'the UI is still served');
    });

    it('answers_502_and_is_not_ready_without_its_sidecar_and_logs_no_token', async () => {
        assert.equal((await webSidecar.child.terminate()).code, 0);
        const r = await front.get('/api/auth/me');
        assert.equal(r.status, 502, r.text);
        assert.equal(r.json.error.code, 'bad_gateway');
        const ready = await front.get('/readyz');
        assert.equal(ready.status, 503, ready.text);
        assert.equal((await front.get('/healthz')).status, 200);
        const stop = await web.child.terminate();
        assert.equal(stop.code, 0, web.tail());
        assert.ok(!web.tail(1 << 22).includes(daprApiToken), 'the Dapr API token is in no log line');
        assert.ok(!/Bearer|eyJ/.test(web.tail(1 << 22)), 'no Authorization header in a log line');
    });
});
