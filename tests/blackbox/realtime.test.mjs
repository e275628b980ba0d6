// Live sync over WebSocket (GET /ws; docs/decisions/0033-websocket-realtime.md), with a real
// client library (npm `ws`) and, for what a library refuses to send, raw frames over TCP:
// the handshake; authentication by the first message and by the subprotocol, wrong and
// revoked tokens refused (and an open connection closed when its session ends); every task
// change pushed to every connection of its user and to nobody else; malformed frames (1002),
// unmasked client frames (1002), binary (1003), bad UTF-8 (1007), oversized messages (1009),
// fragmentation, ping/pong; a reader too slow for its bounded queue closed with 1008; SIGTERM
// closing every socket with 1001; 1,000 connections on one process (RSS recorded).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { startServer, newUser, waitFor } from './lib/server.mjs';

const wsUrl = (s) => `ws://127.0.0.1:${s.port}/ws`;

/** A connected client: messages collected, close code and reason kept. */
function client(s, { protocols, headers } = {}) {
    const ws = new WebSocket(wsUrl(s), protocols, { headers, maxPayload: 64 << 20 });
    const c = { ws, msgs: [], closed: null, response: null, error: null };
    ws.on('message', (d, binary) => c.msgs.push(binary ? d : JSON.parse(d.toString())));
    ws.on('close', (code, reason) => { c.closed = { code, reason: reason.toString() }; });
    ws.on('error', (e) => { c.error = e; });
    ws.on('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.on('end', () => { c.response = { status: res.statusCode, headers: res.headers, body }; });
    });
    c.opened = new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
        ws.once('unexpected-response', () => resolve());
    });
    c.ready = async () => {
        await c.opened;
        await waitFor(() => c.msgs.some((m) => m.type === 'ready') || c.closed,
            { what: 'the ready message' });
        assert.equal(c.closed, null, `closed before ready: ${JSON.stringify(c.closed)}`);
    };
    c.closedWith = async (code, what = `close ${code}`) => {
        await waitFor(() => c.closed, { what, deadlineMs: 20000 });
        assert.equal(c.closed.code, code, `want close ${code}, got ${JSON.stringify(c.closed)}`);
    };
    c.changes = () => c.msgs.filter((m) => m.type === 'task.changed');
    return c;
}

async function authed(s, token) {
    const c = client(s);
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'auth', token }));
    await c.ready();
    return c;
}

async function metric(s, line) {
    const r = await s.api.get('/metrics');
    const m = r.text.split('\n').find((l) => l.startsWith(line + ' '));
    return m ? Number(m.split(' ').pop()) : NaN;
}

// ---- raw frames, for what the ws library never sends ----

/** Opens a raw TCP connection and does the handshake; resolves {sock, frames(), closeCode()}. */
function rawSocket(s) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(s.port, '127.0.0.1');
        let buf = Buffer.alloc(0);
        let upgraded = false;
        const r = { sock, ended: false };
        sock.on('error', () => {});
        sock.on('close', () => { r.ended = true; });
        sock.on('data', (d) => {
            buf = Buffer.concat([buf, d]);
            if (!upgraded) {
                const end = buf.indexOf('\r\n\r\n');
                if (end < 0) return;
                const head = buf.subarray(0, end).toString('latin1');
                buf = buf.subarray(end + 4);
                if (!head.startsWith('HTTP/1.1 101')) { reject(new Error(head)); return; }
                upgraded = true;
                resolve(r);
            }
            r.buf = buf;
        });
        r.frames = () => parseFrames(r.buf || Buffer.alloc(0));
        r.closeCode = () => {
            const f = r.frames().find((x) => x.opcode === 8);
            return f ? f.payload.readUInt16BE(0) : null;
        };
        sock.on('connect', () => sock.write(
            'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            'Sec-WebSocket-Version: 13\r\n\r\n'));
    });
}

function parseFrames(b) {
    const out = [];
    let i = 0;
    while (i + 2 <= b.length) {
        const opcode = b[i] & 0x0f;
        let len = b[i + 1] & 0x7f;
        let p = i + 2;
        if (len === 126) { len = b.readUInt16BE(p); p += 2; }
        else if (len === 127) { len = Number(b.readBigUInt64BE(p)); p += 8; }
        if (p + len > b.length) break;
        out.push({ opcode, payload: b.subarray(p, p + len) });
        i = p + len;
    }
    return out;
}

/** One frame: fin, rsv bits, opcode; masked unless mask is false. */
function frame(opcode, payload, { fin = true, rsv = 0, mask = true } = {}) {
    const data = Buffer.from(payload);
    const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
    if (data.length < 126) head.push((mask ? 0x80 : 0) | data.length);
    else { head.push((mask ? 0x80 : 0) | 126, data.length >> 8, data.length & 0xff); }
    if (!mask) return Buffer.concat([Buffer.from(head), data]);
    const key = randomBytes(4);
    const masked = Buffer.from(data.map((x, j) => x ^ key[j % 4]));
    return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A GET /ws with raw header lines (fetch refuses Upgrade and Connection): {status, head, json}. */
function rawHttp(s, headerLines) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(s.port, '127.0.0.1', () =>
            sock.write(`GET /ws HTTP/1.1\r\nHost: x\r\n${headerLines}Connection: close\r\n\r\n`));
        let got = '';
        sock.setEncoding('utf8');
        sock.on('data', (d) => { got += d; });
        sock.on('error', reject);
        sock.on('close', () => {
            const [head, body] = got.split('\r\n\r\n');
            const m = /^HTTP\/1\.1 (\d{3})/.exec(head || '');
            if (!m) { reject(new Error(`no answer: ${got.slice(0, 200)}`)); return; }
            let json;
            try { json = JSON.parse(body); } catch { json = undefined; }
            resolve({ status: Number(m[1]), head, json });
        });
    });
}

async function rawCloseCode(s, bytes) {
    const r = await rawSocket(s);
    r.sock.write(bytes);
    await waitFor(() => r.closeCode() !== null, { what: 'a close frame' });
    const code = r.closeCode();
    r.sock.destroy();
    return code;
}

describe('realtime: GET /ws', () => {
    let s;
    before(async () => { s = await startServer({ env: { TODO_WS_QUEUE: '8' } }); });
    after(async () => { await s.stop(); });

    it('handshake_and_auth_message_then_every_kind_of_change_is_pushed', async () => {
        const u = await newUser(s.api);
        const c = await authed(s, u.token);
        assert.deepEqual(c.msgs[0], { type: 'ready', user_id: u.id });
        const t = await u.create({ title: 'live' });
        assert.equal((await u.patch(`/tasks/${t.id}`, { json: { title: 'live 2' } })).status, 200);
        assert.equal((await u.patch(`/tasks/${t.id}/complete`, { json: { completed: true } })).status, 200);
        assert.equal((await u.del(`/tasks/${t.id}`)).status, 204);
        await waitFor(() => c.changes().length >= 4, { what: 'four pushes' });
        const ch = c.changes();
        assert.deepEqual(ch.map((m) => m.op), ['created', 'updated', 'completed', 'deleted']);
        assert.ok(ch.every((m) => m.task.id === t.id && Object.keys(m).length === 3), JSON.stringify(ch));
        assert.equal(ch[1].task.title, 'live 2');
        assert.equal(ch[2].task.status, 'completed');
        c.ws.close(1000);
        await c.closedWith(1000);
    });

    it('auth_by_subprotocol_answers_the_todo_protocol_and_never_the_token', async () => {
        const u = await newUser(s.api);
        const c = client(s, { protocols: ['todo', `bearer.${u.token}`] });
        await c.ready();
        assert.equal(c.ws.protocol, 'todo');
        await u.create({ title: 'via subprotocol' });
        await waitFor(() => c.changes().length === 1, { what: 'the push' });
        c.ws.close();
        assert.ok(!s.stderr().includes(u.token) && !s.stdout().includes(u.token), 'no token in logs');
    });

    it('a_wrong_or_revoked_token_is_refused_both_ways', async () => {
        const u = await newUser(s.api);
        const bad = client(s);
        await bad.opened;
        bad.ws.send(JSON.stringify({ type: 'auth', token: u.token + 'x' }));
        await bad.closedWith(1008);
        const badProto = client(s, { protocols: ['todo', `bearer.${u.token}x`] });
        await badProto.opened;
        await waitFor(() => badProto.response, { what: 'the refusal' });
        assert.equal(badProto.response.status, 401);
        assert.equal(JSON.parse(badProto.response.body).error.code, 'unauthorized');

        const open = await authed(s, u.token); // open before the sign-out: closed by it
        assert.equal((await s.api.post('/api/auth/logout', { token: u.token })).status, 204);
        const revoked = client(s);
        await revoked.opened;
        revoked.ws.send(JSON.stringify({ type: 'auth', token: u.token }));
        await revoked.closedWith(1008);
        const revokedProto = client(s, { protocols: ['todo', `bearer.${u.token}`] });
        await revokedProto.opened;
        await waitFor(() => revokedProto.response, { what: 'the refusal' });
        assert.equal(revokedProto.response.status, 401);
        await open.closedWith(1008, 'the open connection closed after sign-out');
    });

    it('a_first_message_that_is_not_auth_is_refused', async () => {
        const c = client(s);
        await c.opened;
        c.ws.send(JSON.stringify({ type: 'hello' }));
        await c.closedWith(1008);
    });

    it('user_b_never_receives_user_a_events', async () => {
        const a = await newUser(s.api);
        const b = await newUser(s.api);
        const ca1 = await authed(s, a.token);
        const ca2 = client(s, { protocols: ['todo', `bearer.${a.token}`] });
        await ca2.ready();
        const cb = await authed(s, b.token);
        const mine = [];
        for (let i = 0; i < 5; i++) mine.push((await a.create({ title: `a${i}` })).id);
        const bt = await b.create({ title: 'b' });
        await waitFor(() => cb.changes().length >= 1 && ca1.changes().length >= 5 &&
            ca2.changes().length >= 5, { what: 'the pushes' });
        const other = await u3(s); // a later event of someone else: everything before it arrived
        await waitFor(() => other.done(), { what: 'a third user push' });
        assert.deepEqual(cb.changes().map((m) => m.task.id), [bt.id]);
        for (const c of [ca1, ca2]) assert.deepEqual(c.changes().map((m) => m.task.id), mine);
        for (const c of [ca1, ca2, cb]) c.ws.close();
        other.close();
    });

    it('bad_handshakes_get_a_clear_4xx', async () => {
        const h = 'Upgrade: websocket\r\nConnection: Upgrade\r\n';
        const key = `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n`;
        let r = await rawHttp(s, `${h}Sec-WebSocket-Version: 13\r\n`);
        assert.equal(r.status, 400);
        assert.match(r.json.error.message, /Sec-WebSocket-Key/);
        r = await rawHttp(s, `${h}Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: c2hvcnQ=\r\n`);
        assert.equal(r.status, 400);
        r = await rawHttp(s, `${h}${key}Sec-WebSocket-Version: 8\r\n`);
        assert.equal(r.status, 400);
        assert.match(r.head, /\r\nSec-WebSocket-Version: 13\r\n/i);
        r = await s.api.get('/ws');
        assert.equal(r.status, 400);
        assert.match(r.json.error.message, /WebSocket/);
        assert.equal((await s.api.post('/ws', { json: {} })).status, 405);
        const c = client(s, { protocols: ['chat'] });
        await c.opened;
        await waitFor(() => c.response, { what: 'the refusal' });
        assert.equal(c.response.status, 400);
    });

    it('unmasked_reserved_bits_and_unknown_opcodes_close_with_1002', async () => {
        assert.equal(await rawCloseCode(s, frame(1, '{"type":"auth"}', { mask: false })), 1002);
        assert.equal(await rawCloseCode(s, frame(1, 'x', { rsv: 4 })), 1002);
        assert.equal(await rawCloseCode(s, frame(3, 'x')), 1002);
        // a continuation with no message begun, and a control frame fragmented
        assert.equal(await rawCloseCode(s, frame(0, 'x')), 1002);
        assert.equal(await rawCloseCode(s, frame(9, 'x', { fin: false })), 1002);
    });

    it('binary_is_1003_and_text_that_is_not_utf8_is_1007', async () => {
        assert.equal(await rawCloseCode(s, frame(2, 'abc')), 1003);
        assert.equal(await rawCloseCode(s, frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))), 1007);
    });

    it('a_fragmented_auth_message_is_reassembled', async () => {
        const u = await newUser(s.api);
        const text = JSON.stringify({ type: 'auth', token: u.token });
        const r = await rawSocket(s);
        r.sock.write(Buffer.concat([frame(1, text.slice(0, 10), { fin: false }),
            frame(9, 'ping inside'), frame(0, text.slice(10, 30), { fin: false }),
            frame(0, text.slice(30))]));
        await waitFor(() => r.frames().some((f) => f.opcode === 1), { what: 'ready' });
        const f = r.frames();
        assert.deepEqual(f.find((x) => x.opcode === 10).payload.toString(), 'ping inside');
        assert.equal(JSON.parse(f.find((x) => x.opcode === 1).payload).type, 'ready');
        r.sock.destroy();
    });

    it('a_ping_flood_from_a_peer_that_never_reads_does_not_grow_the_server', async () => {
        // wslay queues a pong per ping: unbounded, 30 MB of pings made ~73 MB of queued pongs
        // (release build, only the epoll gate). Bounded: +0.5 MB in a release build, +25-27 MB
        // under ASan (its allocator's own overhead, measured three times); the line sits between.
        const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))[1]);
        const before = rss();
        const r = await rawSocket(s);
        r.sock.pause(); // never reads the pongs
        const ping = Buffer.from([0x89, 0x80, 1, 2, 3, 4]); // a masked, empty ping
        const chunk = Buffer.concat(Array(100000).fill(ping));
        for (let i = 0; i < 50; i++) r.sock.write(chunk);
        // Until the server stops taking bytes: the client's unsent amount stays put.
        let last = -1, same = 0;
        await waitFor(() => {
            const w = r.sock.writableLength;
            same = w === last ? same + 1 : 0;
            last = w;
            return same >= 20 || w === 0;
        }, { intervalMs: 100, deadlineMs: 20000, what: 'the flood to stall or be read' });
        const grown = rss() - before;
        r.sock.destroy();
        assert.ok(grown < 48 * 1024, `server RSS grew by ${grown} kB under a ping flood`);
    });

    it('before_auth_a_message_over_16_KiB_closes_with_1009', async () => {
        // Only the auth message is expected then: a stranger must not make the server buffer
        // up to 1 MiB per socket.
        const c = client(s);
        await c.opened;
        c.ws.send(JSON.stringify({ type: 'auth', token: 'x'.repeat(20 << 10) }));
        await c.closedWith(1009);
    });

    it('a_message_over_1_MiB_closes_with_1009_whole_or_fragmented', async () => {
        const u = await newUser(s.api);
        const c = await authed(s, u.token);
        c.ws.send('x'.repeat((1 << 20) + 1));
        await c.closedWith(1009);
        // Far more than the socket buffers hold: the server's close frame must still be read
        // (a close with unread data would make the kernel reset the connection: 1006).
        const big = await authed(s, u.token);
        big.ws.send('x'.repeat(6 << 20));
        await big.closedWith(1009);
        const d = await authed(s, u.token);
        d.ws.send('y'.repeat(600 << 10), { fin: false });
        d.ws.send('y'.repeat(600 << 10), { fin: true });
        await d.closedWith(1009);
        const ok = await authed(s, u.token); // exactly 1 MiB is accepted (and ignored)
        ok.ws.send(JSON.stringify({ type: 'note', pad: 'z'.repeat((1 << 20) - 40) }).slice(0, 1 << 20));
        ok.ws.ping('alive');
        await new Promise((resolve) => ok.ws.once('pong', resolve));
        assert.equal(ok.closed, null);
        ok.ws.close();
    });

    it('ping_is_answered_with_pong_carrying_the_same_data', async () => {
        const u = await newUser(s.api);
        const c = await authed(s, u.token);
        const pong = new Promise((resolve) => c.ws.once('pong', resolve));
        c.ws.ping(Buffer.from('are you there'));
        assert.equal((await pong).toString(), 'are you there');
        c.ws.close();
    });

    it('a_reader_too_slow_for_its_queue_is_closed_with_1008_and_others_go_on', async () => {
        const u = await newUser(s.api);
        const slow = await authed(s, u.token);
        const fast = await authed(s, u.token);
        slow.ws._socket.pause(); // reads nothing more: the kernel buffers fill, then the queue
        const before1008 = await metric(s, 'todo_ws_closes_total{code="1008"}');
        const big = 'd'.repeat(9000);
        let n = 0;
        await waitFor(async () => {
            for (let i = 0; i < 5; i++, n++) await u.create({ title: `bulk ${n}`, description: big });
            return await metric(s, 'todo_ws_closes_total{code="1008"}') > before1008;
        }, { what: 'the slow reader closed', deadlineMs: 120000, intervalMs: 0 });
        slow.ws._socket.resume();
        await slow.closedWith(1008);
        assert.match(slow.closed.reason, /too slow/);
        await waitFor(() => fast.changes().length === n, { what: 'every push to the fast reader' });
        assert.equal(fast.closed, null);
        fast.ws.close();
    });
});

/** A third user with a connection, whose own push shows the earlier ones were delivered. */
async function u3(s) {
    const u = await newUser(s.api);
    const c = await authed(s, u.token);
    await u.create({ title: 'marker' });
    return { done: () => c.changes().length === 1, close: () => c.ws.close() };
}

describe('realtime: shutdown and scale', () => {
    it('sigterm_closes_every_websocket_with_1001_and_exits_0', async () => {
        const s = await startServer();
        const u = await newUser(s.api);
        const cs = [await authed(s, u.token), await authed(s, u.token)];
        s.terminate();
        for (const c of cs) await c.closedWith(1001);
        await s.stop();
    });

    it('one_process_holds_1000_connections_and_pushes_to_each', async (t) => {
        const s = await startServer({ env: { TODO_ACCESS_LOG: '0' } });
        try {
            await thousand(s, t);
        } finally {
            await s.stop();
        }
    });
});

/** Opens 1,000 connections for 10 users, pushes one change each, records RSS. */
async function thousand(s, t) {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'))[1]);
    const users = [];
    for (let i = 0; i < 10; i++) users.push(await newUser(s.api));
    const rssBefore = rss();
    const conns = [];
    for (let i = 0; i < 1000; i += 50) {
        const batch = [];
        for (let j = i; j < i + 50; j++) {
            const c = client(s, { protocols: ['todo', `bearer.${users[j % 10].token}`] });
            conns.push(c);
            batch.push(c.ready());
        }
        await Promise.all(batch);
    }
    assert.equal(await metric(s, 'todo_ws_connections'), 1000);
    for (const u of users) await u.create({ title: 'to all of mine' });
    await waitFor(() => conns.every((c) => c.changes().length === 1),
        { what: 'a push on every connection', deadlineMs: 60000 });
    const rssAfter = rss();
    const perConn = ((rssAfter - rssBefore) * 1024) / 1000;
    t.diagnostic(`RSS ${rssBefore} kB before, ${rssAfter} kB with 1000 WebSockets ` +
        `(${Math.round(perConn)} bytes per connection)`);
    // bounded: a fraction of the 1 MiB a connection's queue may hold at most (the
    // ASan build doubles the figure; the release build's is in the report)
    assert.ok(perConn < 200 * 1024, `${perConn} bytes per connection`);
    for (const c of conns) c.ws.terminate();
    await waitFor(async () => await metric(s, 'todo_ws_connections') === 0,
        { what: 'every connection gone', deadlineMs: 30000 });
}
