// 20-chaos.test.mjs - pods killed mid-burst (issue 13 §3): a client writes a burst (creates,
// and completions of recurring tasks made before it) while an api pod and both consumer pods
// (recurring, audit) are killed (`kubectl delete --grace-period=0 --force`: their containers
// get SIGKILL). The API has no idempotency key (docs/openapi.json), so the client retries a
// write only when it surely did not happen (connection refused, 503) or when repeating it is
// harmless (a completion sets `completed: true`); a create whose connection broke is counted
// as not acknowledged. Afterwards: every acknowledged write exists, every completed recurring
// task has exactly one successor, and no history entry is doubled (counted per task).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
    NS, Api, baseUrl, deploymentsSettled, kubectl, newUser, podsOf, request, waitFor,
} from './lib/k8s.mjs';

const BURST = 200; // creates
const RECURRING = 30; // recurring tasks completed during the burst
const CONCURRENCY = 8;

const sleepMs = (ms) => new Promise((r) => { setTimeout(r, ms); });

/**
 * Sends one write until it is acknowledged (2xx), retrying while it surely did not happen
 * or when `idempotent`; resolves {res} or {lost: reason} (not acknowledged, maybe done).
 */
async function write(base, method, p, opts, { idempotent = false, deadlineMs = 120000 } = {}) {
    const until = Date.now() + deadlineMs;
    let backoff = 50;
    for (;;) {
        const r = await request(base, method, p, opts);
        if (r.status >= 200 && r.status < 300) return { res: r };
        const refused = r.error === 'ECONNREFUSED' || r.status === 503;
        if (!refused && !idempotent) return { lost: r.error || `${r.status} ${r.text}` };
        if (r.status && r.status < 500 && r.status !== 429) return { lost: `${r.status} ${r.text}` };
        if (Date.now() > until) return { lost: `deadline: ${r.error || r.status}` };
        await sleepMs(backoff);
        backoff = Math.min(backoff * 2, 1000);
    }
}

async function killOne(appId) {
    const [pod] = await podsOf(appId);
    assert.ok(pod, `a Ready pod of ${appId} to kill`);
    await kubectl(['-n', NS, 'delete', 'pod', pod.metadata.name, '--grace-period=0', '--force', '--wait=false']);
    return pod.metadata.name;
}

describe('pods killed mid-burst: nothing acknowledged is lost, no effect is doubled', () => {
    let base;
    let user;
    let recurring; // tasks made before the burst, completed during it

    before(async () => {
        base = await baseUrl();
        user = await newUser(new Api(base));
        recurring = [];
        for (let i = 0; i < RECURRING; i++) {
            recurring.push(await user.create({ title: `chaos series ${i}`, due_at: `2031-01-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`,
                recurrence: { rule: 'daily', from: 'due' } }));
        }
    });

    it('a burst of writes while an api pod and the recurring and audit pods are killed', async () => {
        const ops = [];
        const step = Math.floor(BURST / RECURRING);
        for (let i = 0; i < BURST; i++) {
            ops.push({ kind: 'create', i });
            if (i % step === 0 && i / step < RECURRING) ops.push({ kind: 'complete', task: recurring[i / step] });
        }
        const acked = [];
        const lost = [];
        const completed = [];
        let doneCount = 0;
        let next = 0;
        const killed = [];
        const doneAtKill = []; // writes finished when each kill returned: all must be fewer than the burst
        const kill = async (app) => { killed.push(await killOne(app)); doneAtKill.push(doneCount); };
        const killer = (async () => {
            await waitFor(() => doneCount >= ops.length / 4, { deadlineMs: 120000, intervalMs: 20, what: 'a quarter of the burst' });
            await kill('todo-api');
            await kill('todo-recurring');
            await waitFor(() => doneCount >= ops.length / 2, { deadlineMs: 180000, intervalMs: 20, what: 'half of the burst' });
            await kill('todo-audit');
        })();
        // the last quarter of the burst waits for the kills, so each lands mid-burst however
        // fast the cluster answers
        const lastQuarter = Math.floor(ops.length * 0.75);
        const worker = async () => {
            while (next < ops.length) {
                if (next >= lastQuarter) await killer;
                if (next >= ops.length) break;
                const op = ops[next++];
                if (op.kind === 'create') {
                    const r = await write(base, 'POST', `${user.base}/tasks`, { token: user.token, json: { title: `burst ${op.i}` } });
                    if (r.res) acked.push(r.res.json.id); else lost.push(`create ${op.i}: ${r.lost}`);
                } else {
                    const r = await write(base, 'PATCH', `${user.base}/tasks/${op.task.id}/complete`,
                        { token: user.token, json: { completed: true } }, { idempotent: true });
                    assert.ok(r.res, `completing task ${op.task.id}: ${r.lost}`);
                    completed.push(op.task.id);
                }
                doneCount++;
            }
        };
        await Promise.all([killer, ...Array.from({ length: CONCURRENCY }, worker)]);
        console.log(`burst: ${acked.length} creates acknowledged, ${lost.length} not (connection broke), ` +
            `${completed.length} completions; killed ${killed.join(', ')}`);
        assert.equal(killed.length, 3);
        assert.ok(doneAtKill.every((n) => n < ops.length), `every kill while writes were left: ${doneAtKill} of ${ops.length}`);
        assert.equal(completed.length, RECURRING);
        assert.ok(acked.length >= BURST * 0.9, `most creates acknowledged: ${acked.length}/${BURST}; ${lost.slice(0, 5).join('; ')}`);

        await deploymentsSettled();
        // Reads are safe to repeat: after the kills the front door may answer 502 for a while
        // (its sidecar's circuit breaker for the api opens after consecutive failures and
        // stays open for its timeout: the Resiliency todo-resiliency of the chart), so each read is polled.
        const readAll = () => waitFor(async () => {
            try { return await user.listAll(); } catch { return false; }
        }, { deadlineMs: 90000, intervalMs: 500, what: 'the task list through the front door' });
        // every acknowledged create exists
        const all = await readAll();
        const have = new Set(all.map((t) => t.id));
        const missing = acked.filter((id) => !have.has(id));
        assert.deepEqual(missing, [], 'every acknowledged create exists');

        // every completed recurring task gets exactly one successor, and keeps it
        const seriesOf = (items, t) => items.filter((x) => x.recurrence?.series_id === t.id);
        await waitFor(async () => {
            const items = await readAll();
            return recurring.every((t) => seriesOf(items, t).length >= 2);
        }, { deadlineMs: 120000, intervalMs: 500, what: 'a successor for every completed recurring task' });

        // history: each task's entries complete, then a barrier, then counted
        const history = (id) => waitFor(async () => {
            const r = await user.get(`/tasks/${id}/history`);
            return r.status === 200 && r.json.items;
        }, { deadlineMs: 90000, intervalMs: 500, what: `the history of task ${id}` });
        await waitFor(async () => {
            for (const t of recurring) if ((await history(t.id)).length < 2) return false;
            return true;
        }, { deadlineMs: 120000, intervalMs: 500, what: 'the history of every completed task' });
        const barrier = await user.create({ title: 'barrier' });
        await waitFor(async () => (await history(barrier.id)).length === 1,
            { deadlineMs: 60000, intervalMs: 250, what: 'the barrier in the history' });

        const items = await readAll();
        for (const t of recurring) {
            const s = seriesOf(items, t);
            assert.equal(s.length, 2, `task ${t.id}: exactly one successor: ${JSON.stringify(s.map((x) => x.id))}`);
            assert.deepEqual((await history(t.id)).map((e) => e.type), ['completed', 'created'], `history of task ${t.id}`);
        }
        for (const id of acked) {
            const h = await history(id);
            assert.deepEqual(h.map((e) => e.type), ['created'], `history of burst task ${id}`);
        }
    });
});
