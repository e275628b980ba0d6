// receivers.mjs - the real peers of the notification tests: a webhook receiver that verifies
// the signature (docs/openapi.json, POST .../settings/webhook-secret) and refuses forgeries and
// stale timestamps, an ntfy-style receiver, and Mailpit (an SMTP server read through its HTTP
// API, built by scripts/mailpit.sh). Each counts the distinct delivery ids it accepted, so a
// repeated delivery after a crash shows as a second attempt of one id, never as a second one.
import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './server.mjs';

const REPLAY_WINDOW_S = 300;

/**
 * An HTTP receiver on 127.0.0.1. behave(req, body) may return a status to answer, or 'hang'
 * (the request is held until release() or close). Records every request.
 */
async function receiver(check) {
    const held = [];
    const rec = {
        requests: [], // {headers, body, verdict}
        accepted: new Map(), // delivery id -> number of accepted requests
        attempts: new Map(), // delivery id -> number of requests
        behave: () => 200,
        release() { while (held.length) held.pop()(); },
    };
    const srv = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const id = req.headers['x-todo-delivery'] || '';
            rec.attempts.set(id, (rec.attempts.get(id) || 0) + 1);
            const refused = check(req, body);
            const entry = { headers: req.headers, body, refused };
            rec.requests.push(entry);
            if (refused) {
                res.writeHead(401).end(refused);
                return;
            }
            const verdict = rec.behave(req, body);
            if (verdict === 'hang') {
                held.push(() => res.destroy());
                return;
            }
            if (verdict >= 200 && verdict < 300) rec.accepted.set(id, (rec.accepted.get(id) || 0) + 1);
            res.writeHead(verdict, { 'content-type': 'text/plain' }).end('ok');
        });
    });
    const port = await freePort();
    await new Promise((r) => srv.listen(port, '127.0.0.1', r));
    rec.url = `http://127.0.0.1:${port}`;
    rec.close = () => new Promise((r) => { rec.release(); srv.closeAllConnections(); srv.close(r); });
    /** Distinct delivery ids accepted. */
    rec.distinct = () => rec.accepted.size;
    return rec;
}

/** A webhook receiver that accepts only requests signed with secret() within the window. */
export function webhookReceiver({ secret }) {
    return receiver((req, body) => {
        const ts = req.headers['x-todo-timestamp'];
        const sig = req.headers['x-todo-signature'] || '';
        if (!/^\d+$/.test(ts || '')) return 'no timestamp';
        if (Math.abs(Date.now() / 1000 - Number(ts)) > REPLAY_WINDOW_S) return 'stale timestamp';
        const want = `sha256=${createHmac('sha256', secret()).update(`${ts}.${body}`).digest('hex')}`;
        const a = Buffer.from(sig), b = Buffer.from(want);
        if (a.length !== b.length || !timingSafeEqual(a, b)) return 'bad signature';
        if (!req.headers['x-todo-delivery']) return 'no delivery id';
        return null;
    });
}

/** An ntfy-style topic: a POST whose body is the message, with Title and X-Todo-Delivery. */
export function ntfyReceiver() {
    return receiver((req) => (req.method !== 'POST' || !req.headers.title || !req.headers['x-todo-delivery']
        ? 'not an ntfy publish' : null));
}

/** Starts Mailpit (TODO_MAILPIT_BIN) on free loopback ports; {smtpUrl, messages(), close()}. */
export async function startMailpit() {
    const bin = process.env.TODO_MAILPIT_BIN;
    if (!bin) throw new Error('TODO_MAILPIT_BIN is not set (scripts/test-blackbox.sh builds it)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'todo-mailpit-'));
    const smtp = await freePort();
    const web = await freePort();
    const proc = spawn(bin, ['--smtp', `127.0.0.1:${smtp}`, '--listen', `127.0.0.1:${web}`,
        '--database', path.join(dir, 'mailpit.db'), '--smtp-disable-rdns', '--disable-version-check'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    const api = `http://127.0.0.1:${web}/api/v1`;
    await waitFor(async () => (await fetch(`${api}/messages`)).ok, { deadlineMs: 20000, what: `mailpit (${log})` });
    return {
        smtpUrl: `smtp://127.0.0.1:${smtp}`,
        /** Every message's summary (newest first). */
        async messages() {
            const r = await fetch(`${api}/messages?limit=500`);
            return (await r.json()).messages;
        },
        /** One message in full (headers, text, HTML). */
        async message(id) {
            const r = await fetch(`${api}/message/${id}`);
            return r.json();
        },
        async headers(id) {
            const r = await fetch(`${api}/message/${id}/headers`);
            return r.json();
        },
        async close() {
            proc.kill('SIGTERM');
            await new Promise((r) => proc.once('exit', r));
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
