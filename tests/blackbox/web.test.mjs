// web.test.mjs - the web UI served at / (docs/decisions/0013-serving-the-web-ui.md): a small
// Next-style export written into a temp dir and given as TODO_WEB_DIR, so nothing here needs
// the real Next build. Content types, cache headers, ETag/304, gzip siblings, the SPA
// fallback, 404/405/400 answers in the API's JSON shape, /api and /healthz untouched, the
// metrics label staying bounded; then a missing directory (the "not built" page), an empty
// TODO_WEB_DIR (no UI) and `todo api` serving it too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { startServer, assertError, waitFor, unique } from './lib/server.mjs';

const APP_JS = `${'console.log("the app");\n'.repeat(200)}`;
const FILES = {
    'index.html': '<!doctype html><title>Todo</title><p>index page</p>',
    'signin.html': '<!doctype html><title>Sign in</title><p>signin page</p>',
    'history.html': '<!doctype html><title>History</title><p>history page</p>',
    'settings.html': '<!doctype html><title>Settings</title><p>settings page</p>',
    '404.html': '<!doctype html><title>Not found</title>',
    'index.txt': '1:"$Sreact.fragment"\n0:{"P":null}\n',
    'history.txt': '0:{"history":true}\n',
    'favicon.ico': Buffer.from([0, 0, 1, 0, 1, 0]),
    '_next/static/h4sh/app-1a2b.js': APP_JS,
    '_next/static/h4sh/app-1a2b.js.gz': gzipSync(APP_JS),
    '_next/static/css/site-3c4d.css': 'body{margin:0}',
    '_next/static/media/inter-5e6f.woff2': Buffer.from('wOF2fake'),
    '.env': 'SECRET=never-served',
};

function writeExport() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'todo-web-'));
    for (const [rel, data] of Object.entries(FILES)) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), data);
    }
    return dir;
}

const HTML = 'text/html; charset=utf-8';

/**
 * One request with node:http, the path sent exactly as given (fetch and URL would resolve
 * dot segments first) and nothing decompressed. Resolves {status, headers, body, text, json}.
 */
function wire(url, method, p, headers = {}) {
    return new Promise((resolve, reject) => {
        const u = new URL(url);
        const req = http.request({ host: u.hostname, port: u.port, method, path: p, headers, agent: false }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const body = Buffer.concat(chunks);
                const text = body.toString('utf8');
                let json;
                try { json = JSON.parse(text); } catch { json = undefined; }
                resolve({ status: res.statusCode, headers: new Headers(Object.entries(res.headers)
                    .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])), body, text, json });
            });
        });
        req.setTimeout(30000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
    });
}

function assertPage(r, body, what) {
    assert.equal(r.status, 200, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.headers.get('content-type'), HTML, what);
    assert.equal(r.headers.get('cache-control'), 'no-cache', what);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
    assert.equal(r.headers.get('referrer-policy'), 'same-origin', what);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
    assert.match(r.headers.get('etag') || '', /^"[0-9a-f]{32}"$/, what);
    if (body !== undefined) assert.equal(r.text, body, what);
}

describe('web UI', () => {
    let srv;
    let api;
    let dir;
    before(async () => {
        dir = writeExport();
        srv = await startServer({ env: { TODO_WEB_DIR: dir } });
        api = srv.api;
    });
    after(async () => {
        await srv?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('pages_are_html_revalidated_and_not_framable', async () => {
        assertPage(await api.get('/'), FILES['index.html'], '/');
        assertPage(await api.get('/index.html'), FILES['index.html'], '/index.html');
        assertPage(await api.get('/signin'), FILES['signin.html'], '/signin');
        assertPage(await api.get('/history'), FILES['history.html'], '/history');
        assertPage(await api.get('/history/'), FILES['history.html'], '/history/');
        assertPage(await api.get('/settings'), FILES['settings.html'], '/settings');
    });

    it('rsc_payloads_are_text_plain_and_revalidated', async () => {
        for (const p of ['/index.txt', '/history.txt']) {
            const r = await api.get(p);
            assert.equal(r.status, 200, p);
            assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8', p);
            assert.equal(r.headers.get('cache-control'), 'no-cache', p);
            assert.equal(r.text, FILES[p.slice(1)], p);
            assert.equal(r.headers.get('x-frame-options'), null, `${p}: frame headers are for pages`);
        }
    });

    it('hashed_assets_are_immutable_with_their_content_types', async () => {
        const cases = [
            ['/_next/static/h4sh/app-1a2b.js', 'text/javascript; charset=utf-8'],
            ['/_next/static/css/site-3c4d.css', 'text/css; charset=utf-8'],
            ['/_next/static/media/inter-5e6f.woff2', 'font/woff2'],
        ];
        for (const [p, type] of cases) {
            const r = await wire(srv.url, 'GET', p);
            assert.equal(r.status, 200, p);
            assert.equal(r.headers.get('content-type'), type, p);
            assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', p);
            assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
        }
        const ico = await api.get('/favicon.ico');
        assert.equal(ico.status, 200);
        assert.equal(ico.headers.get('content-type'), 'image/x-icon');
        assert.equal(ico.headers.get('cache-control'), 'no-cache', 'favicon keeps its name: revalidated');
    });

    it('if_none_match_gives_304_without_a_body_keeping_the_validators', async () => {
        for (const p of ['/', '/history', '/_next/static/css/site-3c4d.css', '/some/deep/link']) {
            const first = await api.get(p);
            const etag = first.headers.get('etag');
            assert.ok(etag, `${p} has an ETag`);
            for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
                const r = await api.get(p, { headers: { 'if-none-match': inm } });
                assert.equal(r.status, 304, `${p} If-None-Match: ${inm}`);
                assert.equal(r.text, '', '304 has no body');
                assert.equal(r.headers.get('etag'), etag);
                assert.equal(r.headers.get('cache-control'), first.headers.get('cache-control'));
            }
            const stale = await api.get(p, { headers: { 'if-none-match': '"0000"' } });
            assert.equal(stale.status, 200, `${p}: a stale ETag gets the file`);
        }
    });

    it('a_gzip_sibling_is_sent_when_accept_encoding_allows_it', async () => {
        const p = '/_next/static/h4sh/app-1a2b.js';
        // node:http does not decompress: the bytes on the wire
        const raw = (ae) => wire(srv.url, 'GET', p, ae === undefined ? {} : { 'accept-encoding': ae });
        const gz = await raw('gzip, deflate, br');
        assert.equal(gz.status, 200);
        assert.equal(gz.headers.get('content-encoding'), 'gzip');
        assert.equal(gz.headers.get('vary'), 'Accept-Encoding');
        assert.equal(gz.headers.get('content-type'), 'text/javascript; charset=utf-8');
        assert.deepEqual(gz.body, FILES['_next/static/h4sh/app-1a2b.js.gz']);
        for (const ae of [undefined, 'gzip;q=0', 'identity', 'br', '*;q=0, deflate']) {
            const r = await raw(ae);
            assert.equal(r.status, 200, `Accept-Encoding: ${ae}`);
            assert.equal(r.headers.get('content-encoding'), null, `Accept-Encoding: ${ae}`);
            assert.equal(r.headers.get('vary'), 'Accept-Encoding', `Accept-Encoding: ${ae}`);
            assert.equal(r.text, APP_JS, `Accept-Encoding: ${ae}`);
        }
        assert.notEqual(gz.headers.get('etag'), (await raw(undefined)).headers.get('etag'), 'an ETag per representation');
        // fetch decompresses: the same script either way
        const f = await api.get(p, { headers: { 'accept-encoding': 'gzip' } });
        assert.equal(f.text, APP_JS);
        // the sibling is a representation, not a file of its own
        assertError(await api.get(`${p}.gz`), 404, 'not_found');
    });

    it('client_side_routes_fall_back_to_index_html', async () => {
        for (const p of ['/some/deep/link', '/tasks/42', '/history/2026/11']) {
            assertPage(await api.get(p), FILES['index.html'], p);
        }
    });

    it('a_missing_file_with_an_extension_is_the_json_404', async () => {
        for (const p of ['/_next/static/h4sh/nope.js', '/missing.png', '/.env', '/deep/link/x.css']) {
            assertError(await api.get(p), 404, 'not_found');
        }
    });

    it('api_and_dapr_paths_keep_their_json_answers', async () => {
        assertError(await api.get('/api/nope'), 404, 'not_found');
        assertError(await api.get('/api'), 404, 'not_found');
        assertError(await api.post('/api/nope', { json: {} }), 404, 'not_found');
        assertError(await api.get('/dapr/subscribe'), 404, 'not_found');
        // the Jobs callbacks' prefix, like /dapr, belongs to the sidecar's listener (ADR 0020)
        assertError(await api.post('/job/reminder', { json: {} }), 404, 'not_found');
        assertError(await api.get('/job/reminder'), 404, 'not_found');
        const del = await api.req('DELETE', '/healthz');
        assertError(del, 405, 'method_not_allowed');
        const h = await api.get('/healthz');
        assert.equal(h.status, 200);
        assert.match(h.headers.get('content-type'), /^application\/json/);
        assert.deepEqual(h.json, { status: 'ok' });
        const doc = await api.get('/api/openapi.json');
        assert.equal(doc.status, 200);
        assert.ok(doc.json.openapi, 'the OpenAPI document is still served');
    });

    it('other_methods_on_pages_are_405_with_allow', async () => {
        for (const [m, p] of [['POST', '/'], ['PUT', '/history'], ['DELETE', '/_next/static/css/site-3c4d.css'], ['PATCH', '/deep/link']]) {
            const r = await api.req(m, p, { body: 'x', headers: { 'content-type': 'text/plain' } });
            assertError(r, 405, 'method_not_allowed');
            assert.equal(r.headers.get('allow'), 'GET, HEAD', `${m} ${p}`);
        }
    });

    it('head_has_the_headers_of_get_and_no_body', async () => {
        for (const p of ['/', '/history', '/_next/static/css/site-3c4d.css']) {
            const g = await api.get(p);
            const h = await api.req('HEAD', p);
            assert.equal(h.status, 200, p);
            assert.equal(h.text, '', `${p}: HEAD has no body`);
            for (const k of ['content-type', 'etag', 'cache-control']) assert.equal(h.headers.get(k), g.headers.get(k), `${p} ${k}`);
            assert.equal(h.headers.get('content-length'), String(Buffer.byteLength(g.text)), `${p} content-length`);
        }
    });

    it('dot_segments_nul_and_bad_escapes_are_400', async () => {
        for (const p of ['/a/%2e%2e/b', '/%2E%2E/%2e%2e/etc/passwd', '/a/../b', '/a%00b', '/%zz', '/..%2findex.html']) {
            assertError(await wire(srv.url, 'GET', p), 400, 'bad_request');
        }
    });

    it('static_requests_share_one_metrics_label', async () => {
        const token = unique('miss');
        for (let i = 0; i < 50; i++) {
            const p = i % 2 ? `/${token}-${i}/file.js` : `/${token}-${i}/page`;
            const r = await api.get(p);
            assert.equal(r.status, i % 2 ? 404 : 200, p);
        }
        const text = await waitFor(async () => {
            const t = (await api.get('/metrics')).text;
            const m = t.match(/^todo_http_requests_total\{route="static",method="GET",status="404"\} (\d+)$/m);
            return m && Number(m[1]) >= 25 ? t : null;
        }, { what: 'static requests counted' });
        assert.ok(!text.includes(token), 'no requested path becomes a label');
        assert.match(text, /^todo_http_requests_total\{route="static",method="GET",status="200"\} \d+$/m);
        assert.match(text, /^todo_http_request_duration_seconds_count\{route="static",method="any"\} \d+$/m);
        assert.match(text, /^todo_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+$/m, '/api misses stay unmatched');
        const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
        assert.ok(routes.size < 40, `a bounded set of route labels: ${[...routes].join(' ')}`);
    });
});

describe('web UI not built or off', () => {
    it('a_missing_directory_warns_once_and_serves_the_not_built_page', async () => {
        const missing = path.join(os.tmpdir(), unique('todo-no-web-'), 'out');
        const srv = await startServer({ env: { TODO_WEB_DIR: missing } });
        try {
            for (const p of ['/', '/history', '/some/deep/link']) {
                const r = await srv.api.get(p);
                assert.equal(r.status, 200, p);
                assert.equal(r.headers.get('content-type'), HTML, p);
                assert.equal(r.headers.get('cache-control'), 'no-cache', p);
                assert.match(r.text, /not built/, p);
                assert.match(r.text, /make web/, p);
                assert.ok(r.text.includes(missing), `${p} names the directory`);
            }
            assertError(await srv.api.get('/_next/static/x/app.js'), 404, 'not_found');
            assertError(await srv.api.get('/api/nope'), 404, 'not_found');
            assert.equal((await srv.api.get('/healthz')).status, 200);
            const warnings = srv.stdout().split('\n').filter((l) => l.includes('"level":"warn"') && l.includes('web UI is not built'));
            assert.equal(warnings.length, 1, `one warning at start:\n${srv.stdout().slice(0, 2000)}`);
        } finally {
            await srv.stop();
        }
    });

    it('an_empty_todo_web_dir_turns_the_ui_off', async () => {
        const srv = await startServer({ env: { TODO_WEB_DIR: '' } });
        try {
            assertError(await srv.api.get('/'), 404, 'not_found');
            assertError(await srv.api.get('/some/deep/link'), 404, 'not_found');
            assert.equal((await srv.api.get('/healthz')).status, 200);
        } finally {
            await srv.stop();
        }
    });

    it('todo_api_serves_the_ui_too', async () => {
        const dir = writeExport();
        const srv = await startServer({ command: 'api', env: { TODO_WEB_DIR: dir } });
        try {
            assertPage(await srv.api.get('/'), FILES['index.html'], 'todo api /');
            assertPage(await srv.api.get('/deep/link'), FILES['index.html'], 'todo api SPA');
            assertError(await srv.api.get('/api/nope'), 404, 'not_found');
        } finally {
            await srv.stop();
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
