// concurrency.test.mjs - optimistic concurrency under real parallel requests: of two writes
// with the same If-Match exactly one wins; unconditional writes never lose an update.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError } from './lib/server.mjs';

const ROUNDS = 20;
const WRITERS = 20; // concurrent writers without If-Match: none may be refused (even number)

describe('concurrency', () => {
    let srv;
    let u;
    before(async () => {
        srv = await startServer();
        u = await newUser(srv.api);
    });
    after(async () => { await srv?.stop(); });

    it(`two_concurrent_patches_with_the_same_if_match_give_one_200_and_one_412 (x${ROUNDS})`, async () => {
        const t = await u.create({ title: 'race' });
        let version = t.version;
        for (let round = 0; round < ROUNDS; round++) {
            const etag = `"${version}"`;
            const titles = [`left ${round}`, `right ${round}`];
            const res = await Promise.all(titles.map((title) =>
                u.patch(`/tasks/${t.id}`, { json: { title }, headers: { 'if-match': etag } })));
            const statuses = res.map((r) => r.status).sort();
            assert.deepEqual(statuses, [200, 412], `round ${round}: ${res.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join(' / ')}`);
            const win = res.find((r) => r.status === 200);
            const lose = res.find((r) => r.status === 412);
            assertError(lose, 412, 'precondition_failed');
            assert.equal(win.json.version, version + 1);
            const g = await u.get(`/tasks/${t.id}`);
            assert.equal(g.json.version, version + 1, 'exactly one change was applied');
            assert.equal(g.json.title, win.json.title, 'the stored title is the winner\'s');
            version += 1;
        }
    });

    it('concurrent_put_and_delete_with_the_same_if_match_let_exactly_one_through', async () => {
        for (let round = 0; round < 10; round++) {
            const t = await u.create({ title: `pd ${round}` });
            const [put, del] = await Promise.all([
                u.put(`/tasks/${t.id}`, { json: { title: 'put won' }, headers: { 'if-match': '"1"' } }),
                u.del(`/tasks/${t.id}`, { headers: { 'if-match': '"1"' } }),
            ]);
            const g = await u.get(`/tasks/${t.id}`);
            if (put.status === 200) {
                assert.ok(del.status === 412, `PUT won, DELETE must be 412: ${del.status} ${del.text}`);
                assert.equal(g.status, 200);
                assert.equal(g.json.title, 'put won');
            } else {
                assert.equal(del.status, 204, `one of them must win: PUT ${put.status} ${put.text} DELETE ${del.status} ${del.text}`);
                assert.ok([404, 412].includes(put.status), `DELETE won, PUT ${put.status}`);
                assert.equal(g.status, 404);
            }
        }
    });

    it(`${WRITERS}_concurrent_unconditional_patches_all_apply_and_version_counts_each`, async () => {
        const t = await u.create({ title: 'counter' });
        const res = await Promise.all(Array.from({ length: WRITERS }, (_, i) =>
            u.patch(`/tasks/${t.id}`, { json: { description: `writer ${i}` } })));
        for (const r of res) assert.equal(r.status, 200, `a write without If-Match: ${r.status} ${r.text}`);
        const versions = res.map((r) => r.json.version).sort((a, b) => a - b);
        assert.deepEqual(versions, Array.from({ length: WRITERS }, (_, i) => t.version + 1 + i), 'each write saw its own version');
        const g = await u.get(`/tasks/${t.id}`);
        assert.equal(g.json.version, t.version + WRITERS);
    });

    it(`${WRITERS}_concurrent_completion_toggles_without_if_match_all_succeed_and_leave_it_pending`, async () => {
        const t = await u.create({ title: 'toggler' });
        const res = await Promise.all(Array.from({ length: WRITERS }, () => u.patch(`/tasks/${t.id}/complete`)));
        for (const r of res) assert.equal(r.status, 200, `a toggle without If-Match: ${r.status} ${r.text}`);
        const g = await u.get(`/tasks/${t.id}`);
        assert.equal(g.json.version, t.version + WRITERS);
        assert.equal(g.json.completed, false, 'an even number of toggles');
        assert.equal(res.filter((r) => r.json.completed).length, WRITERS / 2, 'half of the toggles completed it');
    });

    it('twenty_concurrent_creates_give_twenty_distinct_tasks', async () => {
        const v = await newUser(srv.api);
        const res = await Promise.all(Array.from({ length: 20 }, (_, i) => v.post('/tasks', { json: { title: `c${i}`, tags: ['burst'] } })));
        for (const r of res) assert.equal(r.status, 201, r.text);
        assert.equal(new Set(res.map((r) => r.json.id)).size, 20);
        const all = await v.listAll({ limit: 200 });
        assert.equal(all.length, 20);
        const tags = await v.get('/tags');
        assert.deepEqual(tags.json.items, [{ name: 'burst', count: 20 }]);
    });

    it('concurrent_signups_with_one_email_create_one_account', async () => {
        const email = `race-${Date.now()}-${process.pid}@example.com`;
        const res = await Promise.all(Array.from({ length: 6 }, () =>
            srv.api.post('/api/auth/signup', { json: { email, password: 'a long password' } })));
        const statuses = res.map((r) => r.status).sort();
        assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409], res.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join(' / '));
    });
});
