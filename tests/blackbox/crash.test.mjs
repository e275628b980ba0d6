// crash.test.mjs - `todo serve` killed with SIGKILL in the middle of a burst of changes loses no
// event: after a restart on the same database every task's history holds its creation exactly
// once (docs/events/README.md "Buses"; docs/decisions/0019-local-bus-queue-per-group.md: an
// event is unsent in the outbox until every consumer group's queue holds it, and stays in a
// queue until its handler is done). The sixteen writers of long tasks keep the consumers
// behind, so the kill usually finds events unsent and queued (the log says how many); the
// unit tests in tests/unit/events/test_bus_local.c cover the same deterministically. Every
// task acknowledged before the kill must exist after it (group commit, ADR 0022).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { startServer, newUser, waitFor, freePort, Api, TODO_BIN, BACKEND, dropDatabase } from './lib/server.mjs';

const execFileP = promisify(execFile);

const N_TASKS = 300;
const KILL_AFTER = 100;
const LONG = 'a long description '.repeat(500);

/** SQLite only, for the log: events not yet handled by every consumer when the server died. */
async function inFlight(srv) {
    const file = srv.databaseUrl.replace(/^sqlite:/, '');
    try {
        const { stdout } = await execFileP('sqlite3', [file,
            "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL) || ' unsent in the outbox, ' || " +
            "(SELECT count(*) FROM bus_queue) || ' in consumer queues'"]);
        return stdout.trim();
    } catch {
        return 'unknown (sqlite3 could not tell)';
    }
}

/** Starts `todo serve` again on srv's database, data dir and secret; resolves {api, proc, exited}. */
async function restart(srv) {
    const port = await freePort();
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TODO_')) env[k] = v;
    Object.assign(env, { TODO_JWT_SECRET: srv.secret, TODO_WEB_DIR: '' });
    const proc = spawn(TODO_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--database', srv.databaseUrl,
        '--data-dir', srv.dataDir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { if (stderr.length < 1 << 20) stderr += d; });
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    const api = new Api(`http://127.0.0.1:${port}`);
    await waitFor(async () => (await api.get('/healthz')).status === 200,
        { deadlineMs: 20000, what: 'the restarted server' });
    return { api, proc, exited, stderr: () => stderr };
}

describe('a crash of todo serve', () => {
    let srv;
    let again;
    after(async () => {
        if (again) {
            again.proc.kill('SIGTERM');
            const res = await again.exited;
            assert.deepEqual(res, { code: 0, signal: null }, again.stderr().slice(-4000));
        }
        if (srv) {
            rmSync(srv.dataDir, { recursive: true, force: true });
            if (BACKEND === 'postgres') await dropDatabase(srv.databaseUrl);
        }
    });

    it('loses_no_event_and_applies_each_once_after_a_sigkill_mid_burst', async (t) => {
        srv = await startServer();
        const a = await newUser(srv.api);
        let acknowledged = 0;
        const acknowledgedIds = [];
        let killed = false;
        let next = 0;
        // sixteen writers of long tasks; the kill comes while some requests, and their events, are in flight
        await Promise.all(Array.from({ length: 16 }, async () => {
            while (next < N_TASKS && !killed) {
                next += 1;
                try {
                    const r = await srv.api.post(`${a.base}/tasks`, { token: a.token, json: { title: `Burst ${next}`, description: LONG, tags: ['crash'] } });
                    if (r.status === 201) {
                        acknowledged += 1;
                        acknowledgedIds.push(r.json.id);
                    }
                } catch { /* the connection died with the server */ }
                if (acknowledged >= KILL_AFTER && !killed) {
                    killed = true;
                    srv.proc.kill('SIGKILL');
                }
            }
        }));
        assert.equal((await srv.exited).signal, 'SIGKILL');
        if (BACKEND === 'sqlite') t.diagnostic(`in flight at the kill: ${await inFlight(srv)}`);

        again = await restart(srv);
        const tasks = [];
        let cursor;
        do {
            const r = await again.api.get(`${a.base}/tasks?tag=crash&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token: a.token });
            assert.equal(r.status, 200);
            tasks.push(...r.json.items);
            cursor = r.json.next_cursor;
        } while (cursor);
        assert.ok(tasks.length >= acknowledged, `${tasks.length} tasks, ${acknowledged} acknowledged`);
        // group commit answers a write only after its batch committed (ADR 0022): every
        // acknowledged task is there, not just as many
        const found = new Set(tasks.map((task) => task.id));
        for (const id of acknowledgedIds) assert.ok(found.has(id), `acknowledged task ${id} was lost`);
        for (const task of tasks) {
            const items = await waitFor(async () => {
                const r = await again.api.get(`${a.base}/tasks/${task.id}/history`, { token: a.token });
                return r.status === 200 && r.json.items.length >= 1 ? r.json.items : false;
            }, { deadlineMs: 30000, what: `the history of task ${task.id}` });
            assert.deepEqual(items.map((e) => e.type), ['created'], `task ${task.id}: its creation, once`);
        }
        await waitFor(async () => /^todo_outbox_backlog 0$/m.test((await again.api.get('/metrics')).text),
            { deadlineMs: 30000, what: 'the outbox to drain' });
    });
});
