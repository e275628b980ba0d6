// http.test.mjs - the Streamable HTTP transport's edges (docs/mcp.md) over raw fetch and the
// SDK client: bearer token (401 with WWW-Authenticate), Origin (403), Accept (406), sessions
// (400 without, 404 unknown, ended or another user's; DELETE ends one), MCP-Protocol-Version,
// version negotiation, notifications (202), GET (405), batches and malformed JSON-RPC.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, newUser, runTodo, rawRequest } from '../blackbox/lib/server.mjs';
import { connectHttp, rpc, rawInitialize, structured } from './lib.mjs';

const PING = { jsonrpc: '2.0', id: 7, method: 'ping' };

let server, alice, bob;
before(async () => {
    server = await startServer({ env: { TODO_MCP_ALLOWED_ORIGINS: 'https://app.example, https://ide.example' } });
    alice = await newUser(server.api);
    bob = await newUser(server.api);
});
after(async () => { await server?.stop(); });

describe('mcp over http', () => {
    it('the_sdk_client_negotiates_a_version_we_speak_and_gets_a_session', async () => {
        const c = await connectHttp(server, alice.token);
        try {
            assert.equal(c.transport.protocolVersion, '2025-06-18', 'the SDK offers 2025-11-25 first; we answer our newest');
            assert.match(c.transport.sessionId, /^[\x21-\x7e]+$/, 'visible ASCII');
            assert.equal(c.client.getServerVersion().name, 'todo');
            assert.deepEqual(c.client.getServerCapabilities().tools, { listChanged: false });
            await c.client.ping();
        } finally { await c.close(); }
    });

    it('initialize_answers_the_clients_version_when_supported_else_the_newest', async () => {
        for (const [asked, want] of [['2025-03-26', '2025-03-26'], ['2025-06-18', '2025-06-18'], ['2099-01-01', '2025-06-18']]) {
            const { session, version, res } = await rawInitialize(server, alice.token, asked);
            assert.equal(res.status, 200, res.text);
            assert.equal(version, want, asked);
            assert.ok(session);
            assert.equal(res.json.result.serverInfo.title, 'Todo');
        }
        const bad = await rpc(server, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, { token: alice.token });
        assert.equal(bad.json.error.code, -32602, 'no protocolVersion');
    });

    it('no_or_bad_token_is_401_with_www_authenticate', async () => {
        let r = await rpc(server, PING, {});
        assert.equal(r.status, 401);
        assert.match(r.headers.get('www-authenticate'), /^Bearer/);
        r = await rpc(server, PING, { token: 'not.a.token' });
        assert.equal(r.status, 401);
        assert.match(r.headers.get('www-authenticate'), /^Bearer/);
        await assert.rejects(connectHttp(server, null), 'the SDK client cannot connect without a token');
        r = await fetch(`${server.url}/mcp`, { method: 'DELETE' });
        assert.equal(r.status, 401);
    });

    it('origin_must_be_our_own_or_listed', async () => {
        const { session } = await rawInitialize(server, alice.token);
        const opts = { token: alice.token, session };
        let r = await rpc(server, PING, { ...opts, origin: 'https://evil.example' });
        assert.equal(r.status, 403, r.text);
        r = await rpc(server, PING, { ...opts, origin: 'null' });
        assert.equal(r.status, 403);
        r = await rpc(server, PING, { ...opts, origin: `http://127.0.0.1:${server.port}` });
        assert.equal(r.status, 200, 'same origin as Host');
        r = await rpc(server, PING, { ...opts, origin: 'https://ide.example' });
        assert.equal(r.status, 200, 'listed in TODO_MCP_ALLOWED_ORIGINS');
        r = await rpc(server, PING, { ...opts, origin: 'https://ide.example.evil' });
        assert.equal(r.status, 403);
        r = await rpc(server, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18' } },
            { token: alice.token, origin: 'https://evil.example' });
        assert.equal(r.status, 403, 'initialize too');
        assert.equal(r.headers.get('mcp-session-id'), null);
    });

    it('accept_must_list_json_and_event_stream', async () => {
        const { session } = await rawInitialize(server, alice.token);
        const raw = await rawRequest(server.url, 'POST', '/mcp', { body: JSON.stringify(PING), headers: {
            'content-type': 'application/json', authorization: `Bearer ${alice.token}`, 'mcp-session-id': session } });
        assert.equal(raw.status, 406, 'no Accept at all');
        for (const accept of ['application/json', 'text/event-stream', 'text/html']) {
            const r = await rpc(server, PING, { token: alice.token, session, accept });
            assert.equal(r.status, 406, `Accept: ${accept}`);
        }
        for (const accept of ['*/*', 'application/*, text/*', 'text/event-stream;q=0.9, application/json']) {
            const r = await rpc(server, PING, { token: alice.token, session, accept });
            assert.equal(r.status, 200, `Accept: ${accept}`);
        }
    });

    it('sessions_are_required_checked_per_user_and_ended_by_delete', async () => {
        const { session } = await rawInitialize(server, alice.token);
        let r = await rpc(server, PING, { token: alice.token });
        assert.equal(r.status, 400, 'no Mcp-Session-Id');
        assert.equal(r.json.jsonrpc, '2.0');
        r = await rpc(server, PING, { token: alice.token, session: 'm1.bogus.session' });
        assert.equal(r.status, 404);
        r = await rpc(server, PING, { token: alice.token, session: `${session.slice(0, -2)}AA` });
        assert.equal(r.status, 404, 'a forged signature');
        r = await rpc(server, PING, { token: bob.token, session });
        assert.equal(r.status, 404, "another user's session");
        r = await rpc(server, PING, { token: alice.token, session });
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { jsonrpc: '2.0', id: 7, result: {} });

        const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${alice.token}`, 'mcp-session-id': session } });
        assert.equal(del.status, 204);
        r = await rpc(server, PING, { token: alice.token, session });
        assert.equal(r.status, 404, 'ended');
        const again = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${alice.token}`, 'mcp-session-id': session } });
        assert.equal(again.status, 404);
        const none = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${alice.token}` } });
        assert.equal(none.status, 400);
    });

    it('the_sdk_client_ends_its_session_and_a_replica_refuses_it_too', async () => {
        const replica = await startServer({ databaseUrl: server.databaseUrl, secret: server.secret, migrate: false });
        try {
            const c = await connectHttp(server, alice.token);
            const session = c.transport.sessionId;
            let r = await rpc(replica, PING, { token: alice.token, session });
            assert.equal(r.status, 200, 'any replica accepts the session: no shared memory');
            await c.transport.terminateSession();
            await c.close();
            r = await rpc(server, PING, { token: alice.token, session });
            assert.equal(r.status, 404);
            // the replica's sessions watcher reads the ended session from the database
            const until = Date.now() + 10000;
            for (;;) {
                r = await rpc(replica, PING, { token: alice.token, session });
                if (r.status === 404 || Date.now() > until) break;
                await new Promise((res) => setTimeout(res, 100));
            }
            assert.equal(r.status, 404, 'ended on the replica too');
        } finally { await replica.stop(); }
    });

    it('protocol_version_header_must_be_one_we_speak', async () => {
        const { session } = await rawInitialize(server, alice.token);
        let r = await rpc(server, PING, { token: alice.token, session, version: '1999-01-01' });
        assert.equal(r.status, 400);
        r = await rpc(server, PING, { token: alice.token, session, version: '2025-06-18' });
        assert.equal(r.status, 200);
        r = await rpc(server, PING, { token: alice.token, session });
        assert.equal(r.status, 200, 'absent: assumed');
    });

    it('notifications_and_responses_are_202_without_a_body_and_get_is_405', async () => {
        const { session } = await rawInitialize(server, alice.token);
        let r = await rpc(server, { jsonrpc: '2.0', method: 'notifications/initialized' }, { token: alice.token, session });
        assert.equal(r.status, 202);
        assert.equal(r.text, '');
        r = await rpc(server, { jsonrpc: '2.0', id: 'srv-1', result: {} }, { token: alice.token, session });
        assert.equal(r.status, 202);
        assert.equal(r.text, '');
        const g = await fetch(`${server.url}/mcp`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${alice.token}`, 'mcp-session-id': session } });
        assert.equal(g.status, 405);
        assert.match(g.headers.get('allow'), /POST/);
    });

    it('malformed_and_invalid_messages_get_json_rpc_errors', async () => {
        const { session } = await rawInitialize(server, alice.token);
        const o = { token: alice.token, session };
        let r = await rpc(server, '{"jsonrpc": "2.0", "id": 1, "method": ', o);
        assert.equal(r.status, 400);
        assert.deepEqual([r.json.id, r.json.error.code], [null, -32700]);
        r = await rpc(server, '\u0000\xff garbage', o);
        assert.equal(r.json.error.code, -32700);
        for (const bad of [{ jsonrpc: '1.0', id: 1, method: 'ping' }, { id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 1, method: 5 },
            { jsonrpc: '2.0', id: { x: 1 }, method: 'ping' }, { jsonrpc: '2.0' }, [], 'just a string', 42]) {
            r = await rpc(server, JSON.stringify(bad), o);
            assert.equal(r.status, 400, JSON.stringify(bad));
            assert.equal(r.json.error.code, -32600, JSON.stringify(bad));
        }
        r = await rpc(server, { jsonrpc: '2.0', id: 2, method: 'resources/list' }, o);
        assert.deepEqual([r.status, r.json.id, r.json.error.code], [200, 2, -32601]);
        r = await rpc(server, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'nope', arguments: {} } }, o);
        assert.equal(r.json.error.code, -32602);
        r = await rpc(server, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'add_task', arguments: [1] } }, o);
        assert.equal(r.json.error.code, -32602);
        r = await rpc(server, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: 'x' }, o);
        assert.equal(r.json.error.code, -32602);
        r = await rpc(server, [PING, PING], o);
        assert.equal(r.json.error.code, -32600, 'no batches in 2025-06-18');
        r = await rpc(server, PING, { ...o, headers: { 'content-type': 'text/plain' } });
        assert.equal(r.status, 415);
        r = await rpc(server, `{"jsonrpc":"2.0","id":9,"method":"ping","params":{"pad":"${'x'.repeat(1100000)}"}}`, o);
        assert.equal(r.status, 413);
        r = await rpc(server, PING, o);
        assert.equal(r.status, 200, 'still serving');
    });

    it('a_2025_03_26_session_may_batch', async () => {
        const { session, version } = await rawInitialize(server, alice.token, '2025-03-26');
        assert.equal(version, '2025-03-26');
        const r = await rpc(server, [
            { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add_task', arguments: { title: 'batched' } } },
            { jsonrpc: '2.0', method: 'notifications/initialized' },
            { jsonrpc: '2.0', id: 2, method: 'ping' },
        ], { token: alice.token, session, version: '2025-03-26' });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.map((x) => x.id), [1, 2]);
        assert.equal(structured(r.json[0].result, assert).title, 'batched');
        const n = await rpc(server, [{ jsonrpc: '2.0', method: 'notifications/initialized' }], { token: alice.token, session });
        assert.equal(n.status, 202);
    });

    it('todo_routes_lists_mcp_and_openapi_documents_it', async () => {
        const r = await runTodo(['routes']);
        assert.equal(r.code, 0);
        const routes = r.stdout.trim().split('\n');
        assert.ok(routes.includes('POST /mcp') && routes.includes('DELETE /mcp'), routes.join('\n'));
        const doc = (await server.api.get('/api/openapi.json')).json;
        assert.ok(doc.paths['/mcp'].post && doc.paths['/mcp'].delete && doc.paths['/mcp'].get);
    });
});
