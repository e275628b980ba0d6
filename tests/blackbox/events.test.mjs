// events.test.mjs - the embedded event path end to end: every task change is written to the
// outbox in its transaction, relayed over the in-process bus to the audit consumer, and shows
// up in GET /api/{user_id}/tasks/{id}/history (docs/openapi.json), newest first, owner only, also after
// the task is deleted.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError, waitFor, RFC3339_UTC } from './lib/server.mjs';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('events and task history', () => {
    let srv;
    let a;
    let b;
    before(async () => {
        srv = await startServer();
        a = await newUser(srv.api);
        b = await newUser(srv.api);
    });
    after(async () => { await srv?.stop(); });

    const history = async (u, id) => {
        const r = await u.get(`/tasks/${id}/history`);
        return r;
    };
    const historyOf = (u, id, n) => waitFor(async () => {
        const r = await history(u, id);
        return r.status === 200 && r.json.items.length >= n ? r.json.items : false;
    }, { deadlineMs: 10000, what: `${n} history entries for task ${id}` });

    it('every_change_appears_in_the_history_newest_first_with_what_changed', async () => {
        const t = await a.create({ title: 'Pay rent', priority: 'low', tags: ['bills'] });
        assert.equal((await a.patch(`/tasks/${t.id}`, { json: { title: 'Pay the rent', priority: 'high' } })).status, 200);
        assert.equal((await a.patch(`/tasks/${t.id}/complete`)).status, 200);
        assert.equal((await a.patch(`/tasks/${t.id}/complete`, { json: { completed: false } })).status, 200);
        const items = await historyOf(a, t.id, 4);
        assert.deepEqual(items.map((e) => e.type), ['reopened', 'completed', 'updated', 'created']);
        for (const e of items) {
            assert.match(e.event_id, UUID_V7);
            assert.match(e.at, RFC3339_UTC);
        }
        assert.equal(new Set(items.map((e) => e.event_id)).size, 4, 'event ids are unique');
        const updated = items[2].changes;
        assert.deepEqual(Object.keys(updated).sort(), ['priority', 'title']);
        assert.deepEqual(updated.title, { before: 'Pay rent', after: 'Pay the rent' });
        assert.deepEqual(updated.priority, { before: 'low', after: 'high' });
        assert.deepEqual(items[1].changes.completed, { before: false, after: true });
        assert.equal(items[3].changes.title.after, 'Pay rent');
        assert.deepEqual(items[3].changes.tags, { before: null, after: ['bills'] });
    });

    it('a_deleted_tasks_history_stays_readable_by_its_owner_only', async () => {
        const t = await a.create({ title: 'Short-lived' });
        assert.equal((await a.del(`/tasks/${t.id}`)).status, 204);
        const items = await historyOf(a, t.id, 2);
        assert.deepEqual(items.map((e) => e.type), ['deleted', 'created']);
        assert.deepEqual(items[0].changes.title, { before: 'Short-lived', after: null });
        assertError(await history(b, t.id), 404, 'not_found');
        const foreignPath = await srv.api.get(`/api/${encodeURIComponent(a.id)}/tasks/${t.id}/history`, { token: b.token });
        assertError(foreignPath, 403, 'forbidden');
    });

    it('history_of_an_id_with_no_events_is_404_and_a_bad_id_is_404', async () => {
        assertError(await history(a, 2147480000), 404, 'not_found');
        assertError(await history(a, 'abc'), 404, 'not_found');
    });

    it('each_event_is_applied_once_and_the_outbox_drains', async () => {
        const t = await a.create({ title: 'Count me' });
        for (let i = 0; i < 10; i++)
            assert.equal((await a.patch(`/tasks/${t.id}`, { json: { description: `v${i}` } })).status, 200);
        const items = await historyOf(a, t.id, 11);
        assert.equal(items.length, 11, 'one entry per change, no duplicates');
        const metrics = await waitFor(async () => {
            const text = (await srv.api.get('/metrics')).text;
            return /^todo_outbox_backlog 0$/m.test(text) && text;
        }, { deadlineMs: 10000, what: 'an empty outbox' });
        const consumed = metrics.match(/^todo_events_consumed_total\{consumer="audit",topic="task-events",type="any"\} (\d+)$/m);
        assert.ok(consumed && Number(consumed[1]) >= 11, 'the audit consumer counted its events');
        assert.match(metrics, /^todo_events_published_total\{topic="task-updates"\} \d+$/m);
    });
});
