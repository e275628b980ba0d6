// lib.mjs - what the MCP tier's files share: the official SDK client over either transport
// against a real `todo serve` (tests/blackbox/lib/server.mjs starts it) or a `todo mcp` child
// process on the same database, and a raw JSON-RPC POST for the protocol's edges.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { TODO_BIN } from '../blackbox/lib/server.mjs';

export const ACCEPT = 'application/json, text/event-stream';

/** An SDK client connected to server's /mcp with token (initialize done). */
export async function connectHttp(server, token, { headers = {} } = {}) {
    const client = new Client({ name: 'todo-mcp-tier', version: '1.0.0' });
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: h },
    });
    await client.connect(transport);
    return { client, transport, close: () => client.close() };
}

/** The environment of a `todo mcp` child: only what it needs, the server's secret and data. */
export function stdioEnv(server, token) {
    const env = { PATH: process.env.PATH, TODO_JWT_SECRET: server.secret };
    for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) {
        if (process.env[k]) env[k] = process.env[k];
    }
    if (token !== undefined) env.TODO_TOKEN = token;
    return env;
}

export function stdioArgs(server) {
    return ['mcp', '--database', server.databaseUrl, '--data-dir', server.dataDir];
}

/** An SDK client over stdio: spawns `todo mcp` for token on server's database. */
export async function connectStdio(server, token) {
    const client = new Client({ name: 'todo-mcp-tier', version: '1.0.0' });
    const transport = new StdioClientTransport({
        command: TODO_BIN, args: stdioArgs(server), env: stdioEnv(server, token), stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => { stderr += d; });
    await client.connect(transport);
    return { client, transport, close: () => client.close(), stderr: () => stderr };
}

/** The same for a transport named 'http' or 'stdio'. */
export function connect(kind, server, token) {
    return kind === 'http' ? connectHttp(server, token) : connectStdio(server, token);
}

/**
 * POSTs a JSON-RPC message (object, or a string sent as is) to /mcp with fetch; resolves
 * {status, headers, text, json}. opts: token, session, version, accept, origin, headers.
 */
export async function rpc(server, message, { token, session, version, accept = ACCEPT, origin, headers = {} } = {}) {
    const h = { 'content-type': 'application/json', ...headers };
    if (accept !== null) h.accept = accept;
    if (token) h.authorization = `Bearer ${token}`;
    if (session) h['mcp-session-id'] = session;
    if (version) h['mcp-protocol-version'] = version;
    if (origin) h.origin = origin;
    const body = typeof message === 'string' ? message : JSON.stringify(message);
    const r = await fetch(`${server.url}/mcp`, { method: 'POST', headers: h, body, signal: AbortSignal.timeout(30000) });
    const text = await r.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.status, headers: r.headers, text, json };
}

/** initialize over raw HTTP; resolves {session, version, res}. */
export async function rawInitialize(server, token, protocolVersion = '2025-06-18') {
    const res = await rpc(server, {
        jsonrpc: '2.0', id: 1, method: 'initialize',
        params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }, { token });
    return { session: res.headers.get('mcp-session-id'), version: res.json?.result?.protocolVersion, res };
}

/** The structured result of a successful tool call (asserting it is one). */
export function structured(result, assert) {
    assert.equal(result.isError, false, `tool call failed: ${JSON.stringify(result.content)}`);
    assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent, 'text and structuredContent agree');
    return result.structuredContent;
}

/** The error of a failed tool call (asserting it is one): {code, message, details?}. */
export function toolError(result, assert) {
    assert.equal(result.isError, true, `tool call should fail: ${JSON.stringify(result)}`);
    assert.equal(result.content[0].type, 'text');
    return JSON.parse(result.content[0].text).error;
}
