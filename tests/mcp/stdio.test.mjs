// stdio.test.mjs - `todo mcp` (docs/mcp.md): refuses to start without a valid TODO_TOKEN,
// writes nothing but protocol on stdout, answers line by line in order, stops serving a
// token signed out elsewhere, and the tasks it writes reach the running server's consumers
// through the outbox (docs/decisions/0039-mcp-server.md).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer, newUser, runTodo, waitFor, TODO_BIN } from '../blackbox/lib/server.mjs';
import { connectStdio, stdioArgs, stdioEnv, structured } from './lib.mjs';

/** Runs `todo mcp` with lines on stdin (then EOF); resolves {code, stdout, stderr}. */
function runLines(server, token, lines) {
    return new Promise((resolve, reject) => {
        const p = spawn(TODO_BIN, stdioArgs(server), { env: stdioEnv(server, token), stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
        p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
        p.on('error', reject);
        p.on('exit', (code) => resolve({ code, stdout, stderr }));
        p.stdin.end(lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join(''));
    });
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

let server, alice;
before(async () => {
    server = await startServer();
    alice = await newUser(server.api);
});
after(async () => { await server?.stop(); });

describe('todo mcp', () => {
    it('refuses_to_start_without_a_valid_token', async () => {
        for (const token of [undefined, '', 'not-a-token']) {
            const r = await runLines(server, token, [INIT]);
            assert.notEqual(r.code, 0, `token ${token}`);
            assert.equal(r.stdout, '', 'nothing on stdout');
            assert.match(r.stderr, /TODO_TOKEN/);
        }
        const other = await runTodo(['mcp', '--database', server.databaseUrl, '--data-dir', server.dataDir],
            { env: { TODO_JWT_SECRET: 'another-secret-another-secret-another', TODO_TOKEN: alice.token } });
        assert.notEqual(other.code, 0, "another server's secret: the token is not valid here");
    });

    it('refuses_data_that_is_not_a_servers_and_creates_nothing', async () => {
        const empty = mkdtempSync(path.join(os.tmpdir(), 'todo-mcp-empty-'));
        try {
            let r = await runTodo(['mcp', '--data-dir', empty], { env: { TODO_TOKEN: alice.token } });
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /no database/);
            r = await runTodo(['mcp', '--database', server.databaseUrl, '--data-dir', empty], { env: { TODO_TOKEN: alice.token } });
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /no JWT secret/);
            assert.deepEqual(readdirSync(empty), [], 'no database or secret made up');
        } finally { rmSync(empty, { recursive: true, force: true }); }
    });

    it('answers_each_line_in_order_with_only_protocol_on_stdout', async () => {
        const r = await runLines(server, alice.token, [
            INIT,
            { jsonrpc: '2.0', method: 'notifications/initialized' },
            { jsonrpc: '2.0', id: 2, method: 'tools/list' },
            'this is not json',
            '',
            { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'add_task', arguments: { title: 'from stdio' } } },
            { jsonrpc: '2.0', id: 4, method: 'nope' },
            [{ jsonrpc: '2.0', id: 5, method: 'ping' }],
        ]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.split('\n').filter((l) => l !== '');
        const replies = lines.map((l) => JSON.parse(l)); // every line is JSON-RPC
        assert.deepEqual(replies.map((x) => x.id), [1, 2, null, 3, 4, null]);
        assert.equal(replies[0].result.protocolVersion, '2025-06-18');
        assert.equal(replies[1].result.tools.length, 7);
        assert.equal(replies[2].error.code, -32700);
        assert.equal(replies[3].result.structuredContent.status, 'created');
        assert.equal(replies[4].error.code, -32601);
        assert.equal(replies[5].error.code, -32600, 'no batches in 2025-06-18');
        assert.match(r.stderr, /serving MCP on stdio/, 'logs go to stderr');
        assert.ok((await alice.listAll()).some((t) => t.title === 'from stdio'));
    });

    it('its_writes_reach_the_servers_consumers_through_the_outbox', async () => {
        const c = await connectStdio(server, alice.token);
        try {
            const added = structured(await c.client.callTool({ name: 'add_task', arguments: { title: 'audited' } }), assert);
            structured(await c.client.callTool({ name: 'complete_task', arguments: { task_id: added.task_id } }), assert);
            // the audit consumer of `todo serve` records both events once its relay published them
            const items = await waitFor(async () => {
                const r = await alice.get(`/tasks/${added.task_id}/history`);
                return r.status === 200 && r.json.items.length >= 2 && r.json.items;
            }, { deadlineMs: 15000, what: 'the history of the task written by todo mcp' });
            assert.ok(items.some((e) => e.type === 'created'), JSON.stringify(items));
            assert.ok(items.some((e) => e.type === 'completed'), JSON.stringify(items));
        } finally { await c.close(); }
    });

    it('stops_serving_a_token_signed_out_elsewhere', async () => {
        const bob = await newUser(server.api);
        const c = await connectStdio(server, bob.token);
        try {
            structured(await c.client.callTool({ name: 'list_tags', arguments: {} }), assert);
            const out = await server.api.post('/api/auth/logout', { token: bob.token });
            assert.equal(out.status, 204);
            // its sessions watcher reads the sign-out from the database
            await waitFor(async () => {
                try { await c.client.callTool({ name: 'list_tags', arguments: {} }); return false; } catch (e) { return e.code === -32001; }
            }, { deadlineMs: 15000, what: 'todo mcp refusing the signed-out token' });
        } finally { await c.close(); }
    });
});
