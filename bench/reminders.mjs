// reminders.mjs - firing lateness of the db reminder scheduler (docs/benchmarks.md,
// "Reminders"; issue 11 §6): BENCH_REMINDERS reminders (100,000) due evenly over
// BENCH_SPREAD_S seconds (60), fired by `todo serve` (or two `todo api` replicas with
// BENCH_REPLICAS=2); lateness = fired_at - remind_at of every row, read from the database
// afterwards (exact, not the /metrics histogram's buckets).
//
// Usage: node bench/reminders.mjs          (TODO_TEST_DATABASE=postgres under
//        scripts/with-postgres.sh for PostgreSQL; default SQLite)
//
// Steps: a server without a scheduler (TODO_SCHEDULER=none) takes the reminders through the
// API (tasks of 10 reminders each, 32 requests at a time) at a time far ahead; it stops; one
// UPDATE spreads remind_at over [T0, T0 + spread) with T0 a few seconds ahead (a benchmark
// shortcut: the API would refuse nothing here, it only would take as long as the spread
// itself to write); the scheduling server(s) start and fire them; the run ends when the
// fired counters reach the total. Prints progress on stderr and a "RESULT k=v ..." line.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, newUser, BACKEND } from '../tests/blackbox/lib/server.mjs';

const execFileP = promisify(execFile);
const N = Number(process.env.BENCH_REMINDERS || 100000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_S || 60) * 1000;
const REPLICAS = Number(process.env.BENCH_REPLICAS || 1);
const LEAD_MS = Number(process.env.BENCH_LEAD_MS || 8000); // T0 - the moment of the UPDATE
const SERVER_ENV = { TODO_ACCESS_LOG: '0', TODO_LOG_LEVEL: 'warn' };
const PER_TASK = 10;

const say = (m) => process.stderr.write(`bench-reminders: ${m}\n`);

/** Runs SQL on the server's database (sqlite3 or psql); returns stdout. */
async function sql(databaseUrl, text) {
    if (BACKEND === 'postgres') {
        const psql = process.env.TODO_TEST_PSQL || 'psql';
        return (await execFileP(psql, ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-c', text],
            { maxBuffer: 64 << 20 })).stdout;
    }
    return (await execFileP('sqlite3', [databaseUrl.replace(/^sqlite:/, ''), text], { maxBuffer: 64 << 20 })).stdout;
}

async function fired(servers) {
    let sum = 0;
    for (const s of servers) {
        const m = /^todo_reminders_fired_total\{scheduler="db"\} (\d+)$/m.exec((await s.api.get('/metrics')).text);
        sum += m ? Number(m[1]) : 0;
    }
    return sum;
}

function pct(sorted, p) {
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}

async function seed() {
    const maker = await startServer({ env: { ...SERVER_ENV, TODO_SCHEDULER: 'none' } });
    const u = await newUser(maker.api);
    const far = new Date(Date.now() + 86400000).toISOString();
    const reminders = Array.from({ length: PER_TASK }, () => ({ at: far }));
    let next = 0;
    const t0 = Date.now();
    const worker = async () => {
        while (next < N / PER_TASK) {
            next++;
            await u.create({ title: `reminder bench ${next}`, reminders });
        }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    say(`seeded ${N} reminders in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    maker.terminate();
    await maker.exited;
    return maker;
}

async function main() {
    const maker = await seed();
    const { databaseUrl, secret } = maker;
    const t0 = Date.now() + LEAD_MS;
    // remind_at = T0 + rank * spread / N, by id (the rows are ids 1..N of a fresh database)
    await sql(databaseUrl, `UPDATE reminders SET remind_at = ${t0} + ((id - 1) * ${SPREAD_MS}) / ${N}`);
    const reuse = { databaseUrl, secret, migrate: false, env: SERVER_ENV, command: REPLICAS > 1 ? 'api' : 'serve' };
    const servers = await Promise.all(Array.from({ length: REPLICAS }, () => startServer(reuse)));
    if (Date.now() >= t0) say('warning: the servers started after T0 (raise BENCH_LEAD_MS)');
    say(`${REPLICAS} scheduler(s) up; T0 in ${t0 - Date.now()} ms; firing over ${SPREAD_MS / 1000} s`);
    const deadline = t0 + SPREAD_MS + 120000;
    let last = -1;
    for (;;) {
        const n = await fired(servers);
        if (n >= N) break;
        if (Date.now() > deadline) throw new Error(`only ${n} of ${N} fired by the deadline`);
        if (Math.floor(n / 10000) !== Math.floor(last / 10000)) say(`fired ${n}`);
        last = n;
        await new Promise((r) => setTimeout(r, 250));
    }
    const total = await fired(servers);
    const rows = await sql(databaseUrl, 'SELECT remind_at, fired_at - remind_at FROM reminders WHERE state = 1');
    const pairs = rows.split('\n').filter(Boolean).map((l) => l.split('|').map(Number));
    const lat = pairs.map((p) => p[1]).sort((a, b) => a - b);
    // the worst lateness per 5 s of remind_at: where in the run the late ones were
    const worst = new Map();
    for (const [at, l] of pairs) {
        const w = Math.floor((at - t0) / 5000);
        worst.set(w, Math.max(worst.get(w) ?? 0, l));
    }
    say(`max lateness per 5 s window: ${[...worst.entries()].sort((a, b) => a[0] - b[0]).map(([w, l]) => `${w * 5}s:${l}`).join(' ')}`);
    await Promise.all(servers.map((s) => s.stop()));
    await maker.stop().catch(() => {}); // its data dir (the SQLite file) goes last
    if (lat.length !== N || total !== N) throw new Error(`${lat.length} rows fired, counters ${total}: want ${N} each`);
    const r = {
        store: BACKEND, replicas: REPLICAS, n: N, spread_s: SPREAD_MS / 1000,
        p50_ms: pct(lat, 50), p99_ms: pct(lat, 99), max_ms: lat[lat.length - 1],
        mean_ms: (lat.reduce((a, b) => a + b, 0) / lat.length).toFixed(1),
    };
    console.log(`RESULT ${Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
