// isolation.test.mjs - one user can never read, change or learn of another's tasks
// (the API conventions, docs/openapi.json): another user's task id is 404 exactly like a missing one, and a path
// user_id that is not the token's user is 403.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError, ids, signJwt } from './lib/server.mjs';

const MISSING_ID = 2147480000;

/** Error bodies compared with the task id itself masked, so a message may name the id, and
 * without the per-request id some error bodies carry. */
const masked = (res, id) => {
    const { request_id: _rid, ...body } = res.json;
    return { status: res.status, body: JSON.parse(JSON.stringify(body).split(String(id)).join('<id>')) };
};

describe('isolation between users', () => {
    let srv;
    let api;
    let a;
    let b;
    let ta;
    let tb;
    let snapshotA;
    before(async () => {
        srv = await startServer();
        api = srv.api;
        a = await newUser(api);
        b = await newUser(api);
        ta = await a.create({ title: 'Alice secret quokka', description: 'private', tags: ['shared', 'alice-only'],
            due_at: '2030-01-01T00:00:00Z', priority: 'high' });
        await a.create({ title: 'Alice second', tags: ['shared'] });
        tb = await b.create({ title: 'Bob own', tags: ['shared'] });
        snapshotA = await a.listAll({ limit: 200 });
    });
    after(async () => { await srv?.stop(); });

    const foreignOps = [
        ['GET', (id) => ['get', `/tasks/${id}`, {}]],
        ['PUT', (id) => ['put', `/tasks/${id}`, { json: { title: 'pwned' } }]],
        ['PATCH', (id) => ['patch', `/tasks/${id}`, { json: { title: 'pwned' } }]],
        ['PATCH complete', (id) => ['patch', `/tasks/${id}/complete`, {}]],
        ['PATCH complete explicit', (id) => ['patch', `/tasks/${id}/complete`, { json: { completed: true } }]],
        ['DELETE', (id) => ['del', `/tasks/${id}`, {}]],
        ['PATCH with If-Match of the real version', (id) => ['patch', `/tasks/${id}`, { json: { title: 'pwned' }, headers: { 'if-match': '"1"' } }]],
        ['DELETE with stale If-Match', (id) => ['del', `/tasks/${id}`, { headers: { 'if-match': '"999"' } }]],
    ];

    for (const [name, op] of foreignOps) {
        it(`${name.replace(/ /g, '_')}_on_another_users_task_is_404_exactly_like_a_missing_id`, async () => {
            const [m, p, o] = op(ta.id);
            const foreign = await b[m](p, o);
            assertError(foreign, 404, 'not_found');
            const [m2, p2, o2] = op(MISSING_ID);
            const missing = await b[m2](p2, o2);
            assertError(missing, 404, 'not_found');
            assert.deepEqual(masked(foreign, ta.id), masked(missing, MISSING_ID), 'indistinguishable from a missing id');
            assert.deepEqual(await a.listAll({ limit: 200 }), snapshotA, "A's tasks unchanged");
        });
    }

    it('list_search_and_filters_never_show_another_users_tasks', async () => {
        const mine = await b.listAll({ limit: 200 });
        assert.deepEqual(ids(mine), [tb.id]);
        for (const params of [{ q: 'quokka' }, { q: 'alice' }, { tags: 'alice-only' }, { tags: 'shared' }, { priority: 'high' },
            { due: 'any' }, { status: 'all' }, { due_after: '2029-01-01T00:00:00Z' }, { sort: 'due_at' }]) {
            const got = await b.listAll(params);
            assert.ok(!got.some((t) => t.id !== tb.id), `B sees only B's tasks for ${JSON.stringify(params)}`);
        }
    });

    it('tags_endpoint_counts_only_the_callers_tasks', async () => {
        const r = await b.get('/tags');
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.items, [{ name: 'shared', count: 1 }]);
        const ra = await a.get('/tags');
        const byName = Object.fromEntries(ra.json.items.map((x) => [x.name, x.count]));
        assert.deepEqual(byName, { shared: 2, 'alice-only': 1 });
    });

    it('a_cursor_from_another_user_reveals_nothing', async () => {
        const pa = await a.list({ limit: 1, sort: 'title' });
        assert.ok(pa.next_cursor);
        const r = await b.get(`/tasks?limit=1&sort=title&cursor=${encodeURIComponent(pa.next_cursor)}`);
        // either refused or applied to B's own tasks only
        if (r.status === 200) assert.ok(r.json.items.every((t) => t.id === tb.id));
        else assertError(r, 400, 'bad_request');
    });

    const pathOps = [
        ['GET list', (aid, id) => ['get', `/api/${aid}/tasks`, {}]],
        ['POST create', (aid) => ['post', `/api/${aid}/tasks`, { json: { title: 'planted' } }]],
        ['GET task', (aid, id) => ['get', `/api/${aid}/tasks/${id}`, {}]],
        ['PUT task', (aid, id) => ['put', `/api/${aid}/tasks/${id}`, { json: { title: 'pwned' } }]],
        ['PATCH task', (aid, id) => ['patch', `/api/${aid}/tasks/${id}`, { json: { title: 'pwned' } }]],
        ['PATCH complete', (aid, id) => ['patch', `/api/${aid}/tasks/${id}/complete`, {}]],
        ['DELETE task', (aid, id) => ['del', `/api/${aid}/tasks/${id}`, {}]],
        ['GET tags', (aid) => ['get', `/api/${aid}/tags`, {}]],
    ];
    for (const [name, op] of pathOps) {
        it(`${name.replace(/ /g, '_')}_under_another_users_path_is_403_whether_or_not_the_task_exists`, async () => {
            for (const id of [ta.id, MISSING_ID]) {
                const [m, p, o] = op(a.id, id);
                assertError(await api[m](p, { token: b.token, ...o }), 403, 'forbidden');
            }
            // and under a user id that does not exist at all
            const [m, p, o] = op('00000000-0000-7000-8000-000000000000', ta.id);
            assertError(await api[m](p, { token: b.token, ...o }), 403, 'forbidden');
            assert.deepEqual(await a.listAll({ limit: 200 }), snapshotA, "A's tasks unchanged");
        });
    }

    it('without_a_token_every_task_route_is_401_not_403_or_404', async () => {
        for (const [, op] of pathOps) {
            const [m, p, o] = op(a.id, ta.id);
            assertError(await api[m](p, o), 401, 'unauthorized');
        }
    });

    it('a_token_whose_sub_is_changed_to_another_user_is_401', async () => {
        // keep B's signature, swap the payload for one naming A
        const [h, , s] = b.token.split('.');
        const payload = Buffer.from(JSON.stringify({ sub: a.id, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
        assertError(await api.get(`/api/${a.id}/tasks`, { token: `${h}.${payload}.${s}` }), 401, 'unauthorized');
        // and one signed with another secret
        const forged = signJwt({ sub: a.id, exp: Math.floor(Date.now() / 1000) + 3600 }, 'guessed-secret');
        assertError(await api.get(`/api/${a.id}/tasks`, { token: forged }), 401, 'unauthorized');
        assert.deepEqual(await a.listAll({ limit: 200 }), snapshotA);
    });

    it('ids_are_not_reused_across_users_and_b_creating_tasks_does_not_touch_a', async () => {
        const x = await b.create({ title: 'Bob again', tags: ['alice-only'] });
        assert.ok(!snapshotA.some((t) => t.id === x.id));
        assert.deepEqual(await a.listAll({ limit: 200 }), snapshotA);
        const ra = await a.get('/tags');
        const byName = Object.fromEntries(ra.json.items.map((t) => [t.name, t.count]));
        assert.equal(byName['alice-only'], 1, "B's tag does not count for A");
    });
});
