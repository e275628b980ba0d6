// retention.test.mjs - the event bookkeeping stays flat (docs/decisions/0024-event-retention.md):
// with a one-second window, the audit consumer's processed_events records and the relay's sent
// outbox rows are deleted by the retention task while the server runs (todo_events_pruned_total
// in /metrics), and the task history they produced stays. A bad window stops the start.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, waitFor, runTodo } from './lib/server.mjs';

const pruned = (text, table) => {
    const m = new RegExp(`^todo_events_pruned_total\\{table="${table}"\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : -1;
};

describe('event retention', () => {
    let srv;
    before(async () => {
        srv = await startServer({ env: { TODO_EVENT_RETENTION: '1', TODO_OUTBOX_RETENTION: '1' } });
    });
    after(async () => { await srv?.stop(); });

    it('processed_events_and_sent_outbox_rows_are_pruned_past_the_window_and_the_history_stays', async () => {
        const u = await newUser(srv.api);
        const ids = [];
        for (let i = 0; i < 20; i++) ids.push((await u.create({ title: `retained ${i}` })).id);
        const first = await srv.api.get('/metrics');
        assert.equal(pruned(first.text, 'processed_events') >= 0, true, 'the counter is exported');
        const counts = await waitFor(async () => {
            const text = (await srv.api.get('/metrics')).text;
            const p = pruned(text, 'processed_events');
            const o = pruned(text, 'outbox');
            return p >= 20 && o >= 20 ? { p, o } : false;
        }, { deadlineMs: 20000, what: '20 processed_events records and 20 sent outbox rows pruned' });
        assert.ok(counts.p >= 20 && counts.o >= 20);
        for (const id of [ids[0], ids[19]]) {
            const r = await u.get(`/tasks/${id}/history`);
            assert.equal(r.status, 200);
            assert.deepEqual(r.json.items.map((e) => e.type), ['created'], 'the audit history is not pruned');
        }
    });

    it('a_retention_that_is_not_a_positive_number_of_seconds_stops_the_start', async () => {
        for (const bad of ['0', '-5', 'week', '31622401']) {
            const r = await runTodo(['serve', '--event-retention', bad]);
            assert.equal(r.code, 2, `--event-retention ${bad}`);
            assert.match(r.stderr, /event-retention must be 1\.\.31622400 s/);
        }
        const r = await runTodo(['serve'], { env: { TODO_OUTBOX_RETENTION: '0' } });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /outbox-retention must be/);
    });
});
