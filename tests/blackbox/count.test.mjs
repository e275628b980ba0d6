// count.test.mjs - GET /api/{user_id}/tasks/count: the list query's parameters, answered with
// {count}. The count must equal what the list returns when paging through everything, for
// every filter (status, priority, tags, due shortcuts in the user's time zone, due bounds,
// recurring, q); values the list refuses are refused here too; sort, limit and cursor do not
// change it; auth, 403 for another user's path, and another user's tasks are never counted.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError } from './lib/server.mjs';
import { FIXED_ZONES, awayFromLocalMidnight, startOfLocalDay } from './lib/zones.mjs';

describe('count', () => {
    let srv;
    let api;
    let u;
    let other;
    before(async () => {
        srv = await startServer();
        api = srv.api;
        u = await newUser(api);
        other = await newUser(api);
        const made = [
            { title: 'Buy groceries', description: 'milk and eggs', priority: 'high', tags: ['shopping', 'home'],
                due_at: '2030-01-01T00:00:00Z', recurrence: { rule: 'weekly', from: 'due' } },
            { title: 'Grocery list review', priority: 'low', tags: ['home'], due_at: '2030-01-02T00:00:00Z' },
            { title: 'Pay rent', priority: 'high', tags: ['bills', 'home'], due_at: '2030-01-02T12:00:00Z' },
            { title: 'Call mom', description: 'ask about groceries', priority: 'medium' },
            { title: 'Fix bike', tags: ['errands'], recurrence: { rule: 'daily', from: 'completion' } },
            { title: 'Plan the party', priority: 'medium', tags: ['party', 'home'], due_at: '2030-01-03T00:00:00Z' },
            { title: 'Water plants', tags: ['home'] },
        ];
        for (let i = 0; i < 3; i++) made.push({ title: `Filler ${i}`, priority: ['none', 'low', 'high'][i] });
        const tasks = [];
        for (const t of made) tasks.push(await u.create(t));
        // Completing a recurring task would make its next occurrence: complete plain ones only.
        for (const t of [tasks[1], tasks[6], tasks[8]]) {
            const r = await u.patch(`/tasks/${t.id}/complete`);
            assert.equal(r.status, 200, r.text);
        }
        // The other user has tasks matching every filter below; none may ever be counted for u.
        for (const t of made) await other.create(t);
    });
    after(async () => { await srv?.stop(); });

    /** GET count with params; asserts 200, the shape and Cache-Control; returns the number. */
    async function count(user, params = {}) {
        const r = await api.get(`${user.tasks}/count?${new URLSearchParams(params)}`, { token: user.token });
        assert.equal(r.status, 200, `count ${new URLSearchParams(params)}: ${r.status} ${r.text}`);
        assert.match(r.headers.get('content-type') || '', /^application\/json/i);
        assert.equal(r.headers.get('cache-control'), 'no-store');
        assert.deepEqual(Object.keys(r.json), ['count']);
        assert.ok(Number.isInteger(r.json.count) && r.json.count >= 0, r.text);
        return r.json.count;
    }

    const FILTERS = [
        [{}, 10],
        [{ status: 'all' }, 10],
        [{ status: 'pending' }, 7],
        [{ status: 'completed' }, 3],
        [{ priority: 'high' }, 3],
        [{ priority: 'high,low' }, 5],
        [{ priority: 'none' }, 3],
        [{ priority: 'medium,none' }, 5],
        [{ tags: 'home' }, 5],
        [{ tags: 'HOME,party' }, 1],
        [{ tags: 'home,bills,party' }, 0],
        [{ tags: 'nothere' }, 0],
        [{ due: 'any' }, 4],
        [{ due: 'none' }, 6],
        [{ due_before: '2030-01-02T00:00:00Z' }, 1],
        [{ due_after: '2030-01-02T00:00:00Z' }, 3],
        [{ due_after: '2030-01-02T01:00:00+01:00' }, 3],
        [{ due_after: '2030-01-01T00:00:00Z', due_before: '2030-01-03T00:00:00Z' }, 3],
        [{ recurring: 'true' }, 2],
        [{ recurring: 'false' }, 8],
        [{ q: 'groc' }, 3],
        [{ q: 'GROC' }, 3],
        [{ q: 'groc milk' }, 1],
        [{ q: 'home' }, 5],
        [{ q: 'ent' }, 0],
        [{ q: 'zzzznothing' }, 0],
        [{ q: 'groc', status: 'pending' }, 2],
        [{ status: 'pending', priority: 'high,medium', tags: 'home' }, 3],
        [{ status: 'completed', due: 'none' }, 2],
        [{ status: 'pending', recurring: 'true', due: 'none' }, 1],
        [{ q: 'filler', priority: 'none,low' }, 2],
    ];
    for (const [params, want] of FILTERS) {
        const name = Object.entries(params).map(([k, v]) => `${k}=${v}`).join('&') || 'no_parameters';
        it(`count_${name}_is_${want}_and_equals_the_paged_list`, async () => {
            const listed = await u.listAll({ ...params, limit: 3 });
            const n = await count(u, params);
            assert.equal(n, listed.length, `${name}: count vs list`);
            assert.equal(n, want, name);
        });
    }

    it('sort_limit_and_cursor_are_accepted_and_do_not_change_the_count', async () => {
        const page = await u.list({ sort: 'title', limit: 2, status: 'pending' });
        assert.equal(typeof page.next_cursor, 'string');
        const total = await count(u, { status: 'pending' });
        assert.equal(total, 7);
        assert.equal(await count(u, { status: 'pending', sort: 'title', limit: 2 }), total);
        assert.equal(await count(u, { status: 'pending', sort: 'title', limit: 2, cursor: page.next_cursor }), total);
        assert.equal(await count(u, { sort: '-priority,due_at', limit: 200 }), 10);
    });

    it('another_users_tasks_are_never_counted_and_an_empty_user_has_zero', async () => {
        assert.equal(await count(other), 10);
        const fresh = await newUser(api);
        assert.equal(await count(fresh), 0);
        assert.equal(await count(fresh, { q: 'groc' }), 0);
        const x = await other.create({ title: 'Groceries again', tags: ['home'] });
        try {
            assert.equal(await count(u, { q: 'groc' }), 3);
            assert.equal(await count(u, { tags: 'home' }), 5);
            assert.equal(await count(other, { tags: 'home' }), 6);
        } finally {
            assert.equal((await other.del(`/tasks/${x.id}`)).status, 204);
        }
    });

    it('count_follows_creates_completions_and_deletes', async () => {
        const p = await newUser(api);
        assert.equal(await count(p), 0);
        const a = await p.create({ title: 'a' });
        const b = await p.create({ title: 'b', tags: ['x'] });
        assert.equal(await count(p), 2);
        assert.equal(await count(p, { tags: 'x' }), 1);
        assert.equal((await p.patch(`/tasks/${a.id}/complete`)).status, 200);
        assert.equal(await count(p, { status: 'pending' }), 1);
        assert.equal(await count(p, { status: 'completed' }), 1);
        assert.equal((await p.patch(`/tasks/${b.id}`, { json: { tags: [] } })).status, 200);
        assert.equal(await count(p, { tags: 'x' }), 0);
        assert.equal((await p.del(`/tasks/${b.id}`)).status, 204);
        assert.equal(await count(p), 1);
    });

    describe('due shortcuts in the user time zone', () => {
        // FIXED_ZONES (lib/zones.mjs) are 25 hours apart: one of them is always on another day than UTC
        for (const [zoneName, off] of [...FIXED_ZONES, ['UTC', 0]]) {
            it(`due_shortcuts_count_what_the_list_returns_in_${zoneName.replace('/', '_')}`, async () => {
                // keep clear of local midnight so "today" does not change under the test
                await awayFromLocalMidnight(off);
                const now = Date.now();
                const z = await newUser(api, { timezone: zoneName });
                const at = (plusDays, hour) => new Date(startOfLocalDay(now, off, plusDays) + hour * 3600000).toISOString();
                const endToday = startOfLocalDay(now, off, 1);
                await z.create({ title: 'yesterday pending', due_at: at(-1, 12) });
                const done = await z.create({ title: 'yesterday completed', due_at: at(-1, 12) });
                assert.equal((await z.patch(`/tasks/${done.id}/complete`)).status, 200);
                await z.create({ title: 'today later', due_at: new Date(now + (endToday - now) / 2).toISOString() });
                await z.create({ title: 'today later too', due_at: new Date(now + (endToday - now) / 3).toISOString() });
                await z.create({ title: 'tomorrow', due_at: at(1, 12) });
                await z.create({ title: 'in three days', due_at: at(3, 12) });
                await z.create({ title: 'in ten days', due_at: at(10, 12) });
                await z.create({ title: 'no due date' });
                const want = { overdue: 1, today: 2, tomorrow: 1, week: 4, none: 1, any: 7 };
                for (const [due, n] of Object.entries(want)) {
                    const listed = await z.listAll({ due, limit: 2 });
                    assert.equal(listed.length, n, `${zoneName}: list due=${due}`);
                    assert.equal(await count(z, { due }), n, `${zoneName}: count due=${due}`);
                }
                // a shortcut narrows explicit bounds the same way in both
                const bound = { due: 'week', due_after: at(1, 0) };
                assert.equal(await count(z, bound), (await z.listAll(bound)).length);
                assert.equal(await count(z, bound), 2);
                assert.equal(await count(z, { due: 'overdue', status: 'completed' }), (await z.listAll({ due: 'overdue', status: 'completed' })).length);
            });
        }
    });

    describe('values the list refuses are refused with 400', () => {
        const BAD = [
            'status=maybe', 'status=PENDINGX', 'sort=colour', 'sort=-colour', 'sort=title,colour', 'sort=--title',
            'priority=urgent', 'priority=high,urgent', 'priority=', 'due=someday', 'due=yesterday', 'limit=0',
            'limit=201', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=99999999999999999999', 'cursor=garbage',
            'cursor=eyJ4IjoxfQ', 'cursor=%00%01', 'recurring=maybe', 'recurring=1x', 'due_before=notatime',
            'due_after=2026-02-30T00:00:00Z', 'due_before=2026-01-01T10:00:00', 'due_after=2026-01-01T25:00:00Z',
            'due_before=2026-01-01', 'tags=a,,b', `tags=${'x'.repeat(51)}`,
            `q=${Array.from({ length: 17 }, (_, i) => `w${i}`).join('+')}`, `q=${'a'.repeat(1001)}`, 'q=%FF',
        ];
        for (const q of BAD) {
            it(`count_with_${q.slice(0, 40)}_is_400_like_the_list`, async () => {
                assertError(await api.get(`${u.tasks}?${q}`, { token: u.token }), 400, 'bad_request');
                assertError(await api.get(`${u.tasks}/count?${q}`, { token: u.token }), 400, 'bad_request');
            });
        }

        it('a_cursor_made_for_another_sort_is_400_for_both', async () => {
            const page = await u.list({ sort: 'title', limit: 2 });
            const q = `sort=due_at&cursor=${encodeURIComponent(page.next_cursor)}`;
            assertError(await api.get(`${u.tasks}?${q}`, { token: u.token }), 400, 'bad_request');
            assertError(await api.get(`${u.tasks}/count?${q}`, { token: u.token }), 400, 'bad_request');
        });
    });

    describe('auth and routing', () => {
        it('without_a_token_or_with_a_bad_one_is_401', async () => {
            const r = await api.get(`${u.tasks}/count`);
            assertError(r, 401, 'unauthorized');
            assert.match(r.headers.get('www-authenticate') || '', /^Bearer/);
            assertError(await api.get(`${u.tasks}/count`, { token: 'not.a.token' }), 401, 'unauthorized');
            assertError(await api.get(`${u.tasks}/count?status=maybe`), 401, 'unauthorized');
        });

        it('another_users_path_is_403', async () => {
            assertError(await api.get(`${other.tasks}/count`, { token: u.token }), 403, 'forbidden');
            assertError(await api.get(`/api/nobody/tasks/count`, { token: u.token }), 403, 'forbidden');
        });

        it('head_answers_like_get_without_a_body', async () => {
            const r = await api.req('HEAD', `${u.tasks}/count`, { token: u.token });
            assert.equal(r.status, 200);
            assert.equal(r.text, '');
        });

        it('post_is_405_with_each_allowed_method_listed_once', async () => {
            const r = await api.post(`${u.tasks}/count`, { token: u.token, json: {} });
            assertError(r, 405, 'method_not_allowed');
            const allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim());
            assert.ok(allow.includes('GET') && allow.includes('HEAD'), `Allow: ${r.headers.get('allow')}`);
            assert.ok(!allow.includes('POST'), `Allow: ${r.headers.get('allow')}`);
            assert.equal(new Set(allow).size, allow.length, `no method twice: ${r.headers.get('allow')}`);
        });

        it('put_patch_and_delete_on_count_name_no_task_and_are_404', async () => {
            assertError(await u.put('/tasks/count', { json: { title: 'x' } }), 404, 'not_found');
            assertError(await u.patch('/tasks/count', { json: { title: 'x' } }), 404, 'not_found');
            assertError(await u.del('/tasks/count'), 404, 'not_found');
            assertError(await u.patch('/tasks/count/complete'), 404, 'not_found');
            assert.equal(await count(u), 10, 'nothing changed');
        });

        it('a_task_id_still_routes_to_the_task', async () => {
            const t = await u.create({ title: 'routed' });
            try {
                const r = await u.get(`/tasks/${t.id}`);
                assert.equal(r.status, 200, r.text);
                assert.equal(r.json.id, t.id);
            } finally {
                assert.equal((await u.del(`/tasks/${t.id}`)).status, 204);
            }
        });
    });
});
