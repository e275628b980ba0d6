// recurring.mjs - completion -> successor latency of the recurring role (docs/benchmarks.md,
// "Recurring"). Usage: node bench/recurring.mjs embedded|kafka
//
//   embedded  `todo serve` (api + audit + recurring in one process, in-process bus), SQLite
//   kafka     `todo api`, `todo recurring` and `todo audit` as three processes over Kafka and
//             PostgreSQL; run under scripts/with-postgres.sh scripts/with-kafka.sh
//
// One user; per sample a fresh daily task (its own series) is created, then completed with
// PATCH .../complete. Two times are taken from the moment that PATCH's 200 arrives:
//   visible  until the successor appears in GET /api/{user_id}/tasks?recurring=true
//            (&status=pending&limit=10: the successors so far are the only pending recurring
//            tasks, newest first, so the page stays small), polled every BENCH_POLL_MS;
//   history  until the successor's own "created" entry is in its history (the successor's
//            event went outbox -> relay -> bus -> audit), polled the same way.
// Samples run one at a time (the next starts once both times are taken). Prints per-sample
// lines on stderr and a "RESULT k=v ..." line on stdout for bench/recurring.sh.
//
// Knobs (environment): BENCH_COMPLETIONS (200), BENCH_WARMUP (10, not counted),
// BENCH_POLL_MS (2), BENCH_DEADLINE_MS (30000 per sample), TODO_BIN (build/todo).
import os from 'node:os';
import { startServer, newUser } from '../tests/blackbox/lib/server.mjs';

const mode = process.argv[2];
if (!['embedded', 'kafka'].includes(mode)) {
    console.error('usage: node bench/recurring.mjs embedded|kafka');
    process.exit(2);
}
const N = Number(process.env.BENCH_COMPLETIONS || 200);
const WARMUP = Number(process.env.BENCH_WARMUP || 10);
const POLL_MS = Number(process.env.BENCH_POLL_MS || 2);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS || 30000);
const SERVER_ENV = { TODO_ACCESS_LOG: '0', TODO_LOG_LEVEL: 'warn' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic

/** Polls fn until it returns truthy; the ms from t0 to the answer that had it. */
async function until(t0, fn, what) {
    for (;;) {
        if (await fn()) return now() - t0;
        if (now() - t0 > DEADLINE_MS) throw new Error(`no ${what} within ${DEADLINE_MS} ms`);
        await sleep(POLL_MS);
    }
}

function pct(sorted, p) {
    if (!sorted.length) return NaN;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}

function summary(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const f = (v) => v.toFixed(1);
    return { p50: f(pct(s, 50)), p99: f(pct(s, 99)), max: f(s[s.length - 1]), mean: f(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function start() {
    if (mode === 'embedded') {
        const srv = await startServer({ env: SERVER_ENV });
        return { client: srv.api, store: 'sqlite', stop: () => srv.stop() };
    }
    // the event tier's helpers: fresh PostgreSQL database, three processes on the broker
    const { startCluster } = await import('../tests/events/lib/cluster.mjs');
    const cl = await startCluster({ recurring: true, env: { TODO_LOG_LEVEL: 'warn' } });
    return { client: cl.client, store: 'postgres', stop: () => cl.stop(), cl };
}

async function sample(u, i) {
    const t = await u.create({ title: `bench ${i}`, due_at: '2030-01-01T08:00:00Z',
        recurrence: { rule: 'daily', from: 'due' }, tags: ['bench'] });
    const r = await u.patch(`/tasks/${t.id}/complete`, { json: { completed: true } });
    if (r.status !== 200) throw new Error(`complete ${t.id}: ${r.status} ${r.text}`);
    const t0 = now();
    let succ;
    const visible = await until(t0, async () => {
        const l = await u.get('/tasks?recurring=true&status=pending&limit=10');
        if (l.status !== 200) throw new Error(`list: ${l.status} ${l.text}`);
        succ = l.json.items.find((x) => x.recurrence?.series_id === t.id && x.id !== t.id);
        return succ;
    }, `successor of task ${t.id}`);
    const history = await until(t0, async () => {
        const h = await u.get(`/tasks/${succ.id}/history`);
        return h.status === 200 && h.json.items.some((e) => e.type === 'created');
    }, `history of successor ${succ.id}`);
    return { visible, history };
}

const env = await start();
let failed = false;
try {
    const u = await newUser(env.client);
    for (let i = 0; i < WARMUP; i++) await sample(u, `warm-up ${i}`);
    const vis = [];
    const hist = [];
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
        const s = await sample(u, i);
        vis.push(s.visible);
        hist.push(s.history);
        console.error(`sample ${i} visible_ms=${s.visible.toFixed(2)} history_ms=${s.history.toFixed(2)}`);
    }
    const secs = (Date.now() - t0) / 1000;
    // every completion made exactly one successor: 2 tasks per bench series
    const all = await u.listAll({ recurring: 'true', limit: 200 });
    const per = new Map();
    for (const t of all) per.set(t.recurrence.series_id, (per.get(t.recurrence.series_id) || 0) + 1);
    const bad = [...per].filter(([, n]) => n !== 2);
    if (bad.length || per.size !== N + WARMUP) {
        failed = true;
        console.error(`wrong series: ${per.size} series (want ${N + WARMUP}); not 2 tasks: ${JSON.stringify(bad.slice(0, 10))}`);
    }
    const v = summary(vis);
    const h = summary(hist);
    const load = os.loadavg().map((x) => x.toFixed(2)).join(',');
    console.log(`RESULT mode=${mode} store=${env.store} n=${N} poll_ms=${POLL_MS} seconds=${secs.toFixed(1)} ` +
        `vis_p50_ms=${v.p50} vis_p99_ms=${v.p99} vis_max_ms=${v.max} vis_mean_ms=${v.mean} ` +
        `hist_p50_ms=${h.p50} hist_p99_ms=${h.p99} hist_max_ms=${h.max} hist_mean_ms=${h.mean} load=${load}`);
} catch (e) {
    failed = true;
    console.error(e.stack || String(e));
    if (env.cl) console.error(env.cl.logs());
} finally {
    await env.stop().catch((e) => { failed = true; console.error(`stop: ${e.message}`); });
}
process.exit(failed ? 1 : 0);
