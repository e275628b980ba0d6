// list.test.mjs - the list query (docs/openapi.json, "List query"): q, status, priority, tags, due
// shortcuts in the user's time zone, due bounds, recurring, multi-key sort, keyset paging,
// limits, refusal of unknown values, and the tags endpoint. Each scenario has its own user so
// expectations are exact sets.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError, ids } from './lib/server.mjs';
import { FIXED_ZONES, awayFromLocalMidnight, localDate, startOfLocalDay } from './lib/zones.mjs';

const PRI = { none: 0, low: 1, medium: 2, high: 3 };

/** The order the API defines (docs/openapi.json) for a sort parameter, as a comparator over returned tasks. */
function comparator(sort = '-created_at') {
    const terms = sort.split(',').map((s) => (s.startsWith('-') ? { key: s.slice(1), desc: true } : { key: s, desc: false }));
    const val = (t, key) => {
        switch (key) {
        case 'due_at': return t.due_at === null ? null : Date.parse(t.due_at);
        case 'priority': return PRI[t.priority];
        case 'created_at': return Date.parse(t.created_at);
        case 'updated_at': return Date.parse(t.updated_at);
        case 'title': return t.title.toLowerCase(); // ASCII titles only in these tests
        default: throw new Error(key);
        }
    };
    return (a, b) => {
        for (const { key, desc } of terms) {
            const va = val(a, key);
            const vb = val(b, key);
            if (va === null || vb === null) { // no due date: last either way
                if (va === null && vb === null) continue;
                return va === null ? 1 : -1;
            }
            if (va < vb) return desc ? 1 : -1;
            if (va > vb) return desc ? -1 : 1;
        }
        return terms[0].desc ? b.id - a.id : a.id - b.id;
    };
}

const sortedIds = (items) => ids(items).sort((a, b) => a - b);
const idsOf = (...tasks) => tasks.map((t) => t.id).sort((a, b) => a - b);
const DAY = 86400000;

describe('list', () => {
    let srv;
    let api;
    before(async () => {
        srv = await startServer();
        api = srv.api;
    });
    after(async () => { await srv?.stop(); });

    describe('full-text q', () => {
        let u;
        const t = {};
        before(async () => {
            u = await newUser(api);
            t.buy = await u.create({ title: 'Buy groceries', description: 'milk and eggs', tags: ['shopping'] });
            t.list = await u.create({ title: 'Grocery list review' });
            t.call = await u.create({ title: 'Call mom', description: 'ask about groceries' });
            t.rent = await u.create({ title: 'Pay rent', tags: ['bills', 'home'] });
            t.bike = await u.create({ title: 'Fix bike', description: 'rear wheel' });
            t.party = await u.create({ title: 'Groceries for party', tags: ['party'] });
            t.plan = await u.create({ title: 'Plan the party' });
        });

        const cases = [
            ['groc', ['buy', 'list', 'call', 'party'], 'a word matches by prefix over title and description'],
            ['groc party', ['party'], 'words are ANDed'],
            ['party groc', ['party'], 'word order does not matter'],
            ['party', ['party', 'plan'], 'title or tag'],
            ['bills', ['rent'], 'tags are searched'],
            ['wheel', ['bike'], 'description is searched'],
            ['MILK', ['buy'], 'case-insensitive'],
            ['rent pay', ['rent'], 'two words of one title'],
            ['ent', [], 'prefix, not infix'],
            ['zzzznothing', [], 'nothing matches'],
            ['groc zzzz', [], 'one unmatched word empties the result'],
        ];
        for (const [q, want, why] of cases) {
            it(`q_${q.replace(/ /g, '_')}_finds_${want.join('_') || 'nothing'} (${why})`, async () => {
                const got = await u.listAll({ q });
                assert.deepEqual(sortedIds(got), idsOf(...want.map((k) => t[k])), `q=${q}`);
            });
        }

        it('q_combines_with_status', async () => {
            const c = await u.patch(`/tasks/${t.party.id}/complete`);
            assert.equal(c.status, 200);
            try {
                assert.deepEqual(sortedIds(await u.listAll({ q: 'groc', status: 'pending' })), idsOf(t.buy, t.list, t.call));
                assert.deepEqual(sortedIds(await u.listAll({ q: 'groc', status: 'completed' })), idsOf(t.party));
            } finally {
                await u.patch(`/tasks/${t.party.id}/complete`, { json: { completed: false } });
            }
        });

        it('q_with_search_engine_operators_and_punctuation_is_plain_text_never_an_error', async () => {
            for (const q of ['"', '""', 'NEAR(groc party)', 'groc OR bike', 'NOT groc', 'title:groc', '*', 'groc*', '^groc',
                'groc AND', '(', ')', '-groc', '{groc}', ':', "groc'", 'groc & party', 'groc | bike', '!groc', 'groc:*',
                'groc <-> party', '\\', '%', '_', 'a'.repeat(2000), Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')]) {
                const r = await u.get(`/tasks?q=${encodeURIComponent(q)}`);
                assert.ok(r.status === 200 || r.status === 400, `q=${q.slice(0, 40)}: ${r.status} ${r.text.slice(0, 200)}`);
                if (r.status === 400) assertError(r, 400, 'bad_request');
            }
            // operators are not operators: "groc OR bike" ANDs the words, so nothing has all three
            const or = await u.get(`/tasks?q=${encodeURIComponent('groc OR bike')}`);
            if (or.status === 200) assert.deepEqual(or.json.items, []);
        });

        it('q_matches_non_ascii_words_by_prefix', async () => {
            const x = await u.create({ title: 'Crème brûlée recipe' });
            try {
                assert.deepEqual(sortedIds(await u.listAll({ q: 'brûl' })), [x.id]);
                assert.deepEqual(sortedIds(await u.listAll({ q: 'crème' })), [x.id]);
            } finally {
                await u.del(`/tasks/${x.id}`);
            }
        });

        it('q_sees_edits', async () => {
            const x = await u.create({ title: 'Temporary xylophone' });
            assert.deepEqual(sortedIds(await u.listAll({ q: 'xylo' })), [x.id]);
            await u.patch(`/tasks/${x.id}`, { json: { title: 'Temporary marimba' } });
            assert.deepEqual(sortedIds(await u.listAll({ q: 'xylo' })), []);
            assert.deepEqual(sortedIds(await u.listAll({ q: 'marim' })), [x.id]);
            await u.del(`/tasks/${x.id}`);
            assert.deepEqual(sortedIds(await u.listAll({ q: 'marim' })), []);
        });
    });

    describe('filters', () => {
        let u;
        const f = {};
        before(async () => {
            u = await newUser(api);
            f.f1 = await u.create({ title: 'f1', priority: 'high', tags: ['work', 'urgent'], due_at: '2030-01-01T00:00:00Z',
                recurrence: { rule: 'daily', from: 'due' } });
            f.f2 = await u.create({ title: 'f2', priority: 'low', tags: ['work'], due_at: '2030-01-02T00:00:00Z' });
            f.f3 = await u.create({ title: 'f3', priority: 'medium', tags: ['home'], due_at: '2030-01-03T00:00:00Z' });
            f.f4 = await u.create({ title: 'f4' });
            f.f5 = await u.create({ title: 'f5', priority: 'high', tags: ['urgent', 'home'],
                recurrence: { rule: 'weekly', from: 'completion' } });
            f.f6 = await u.create({ title: 'f6', priority: 'low', tags: ['work', 'home', 'urgent'], due_at: '2030-01-02T12:00:00Z' });
            f.f7 = await u.create({ title: 'f7' });
            for (const k of ['f2', 'f7']) {
                const r = await u.patch(`/tasks/${f[k].id}/complete`);
                assert.equal(r.status, 200, r.text);
            }
        });

        const cases = [
            [{}, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']],
            [{ status: 'all' }, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']],
            [{ status: 'pending' }, ['f1', 'f3', 'f4', 'f5', 'f6']],
            [{ status: 'completed' }, ['f2', 'f7']],
            [{ priority: 'high' }, ['f1', 'f5']],
            [{ priority: 'high,low' }, ['f1', 'f2', 'f5', 'f6']],
            [{ priority: 'none' }, ['f4', 'f7']],
            [{ priority: 'medium,none' }, ['f3', 'f4', 'f7']],
            [{ priority: 'none,low,medium,high' }, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']],
            [{ tags: 'work' }, ['f1', 'f2', 'f6']],
            [{ tags: 'work,urgent' }, ['f1', 'f6']],
            [{ tags: 'work,urgent,home' }, ['f6']],
            [{ tags: 'URGENT' }, ['f1', 'f5', 'f6']],
            [{ tags: 'nothere' }, []],
            [{ tags: 'work,nothere' }, []],
            [{ due: 'none' }, ['f4', 'f5', 'f7']],
            [{ due: 'any' }, ['f1', 'f2', 'f3', 'f6']],
            [{ due_before: '2030-01-02T00:00:00Z' }, ['f1']],
            [{ due_after: '2030-01-02T00:00:00Z' }, ['f2', 'f3', 'f6']],
            [{ due_after: '2030-01-02T01:00:00+01:00' }, ['f2', 'f3', 'f6']],
            [{ due_after: '2030-01-02T00:00:00.001Z' }, ['f3', 'f6']],
            [{ due_before: '2030-01-02T00:00:00.001Z' }, ['f1', 'f2']],
            [{ due_after: '2030-01-01T00:00:00Z', due_before: '2030-01-03T00:00:00Z' }, ['f1', 'f2', 'f6']],
            [{ recurring: 'true' }, ['f1', 'f5']],
            [{ recurring: 'false' }, ['f2', 'f3', 'f4', 'f6', 'f7']],
            [{ status: 'pending', priority: 'high,low', tags: 'work' }, ['f1', 'f6']],
            [{ status: 'completed', tags: 'work', due: 'any' }, ['f2']],
        ];
        for (const [params, want] of cases) {
            const name = Object.entries(params).map(([k, v]) => `${k}=${v}`).join('&') || 'no_parameters';
            it(`filter_${name}_gives_${want.join('_') || 'nothing'}`, async () => {
                const got = await u.listAll(params);
                assert.deepEqual(sortedIds(got), idsOf(...want.map((k) => f[k])), name);
            });
        }
    });

    describe('due shortcuts in the user time zone', () => {
        // FIXED_ZONES (lib/zones.mjs) are 25 hours apart: one of them is always on another day than UTC
        async function scenario(zoneName, off, { withUtcToday }) {
            // keep clear of local midnight so "today" does not change under the test
            await awayFromLocalMidnight(off);
            const now = Date.now();
            const u = await newUser(api, { timezone: zoneName });
            const at = (plusDays, hour) => new Date(startOfLocalDay(now, off, plusDays) + hour * 3600000).toISOString();
            const endToday = startOfLocalDay(now, off, 1);
            const s = {};
            s.yA = await u.create({ title: 'yesterday pending', due_at: at(-1, 12) });
            s.yB = await u.create({ title: 'yesterday completed', due_at: at(-1, 12) });
            await u.patch(`/tasks/${s.yB.id}/complete`);
            s.tC = await u.create({ title: 'today later', due_at: new Date(now + (endToday - now) / 2).toISOString() });
            s.tD = await u.create({ title: 'tomorrow', due_at: at(1, 12) });
            s.tE = await u.create({ title: 'in three days', due_at: at(3, 12) });
            s.tF = await u.create({ title: 'in ten days', due_at: at(10, 12) });
            s.tG = await u.create({ title: 'no due date' });
            const want = {
                today: [s.tC], tomorrow: [s.tD], week: [s.tC, s.tD, s.tE], overdue: [s.yA], none: [s.tG],
                any: [s.yA, s.yB, s.tC, s.tD, s.tE, s.tF],
            };
            if (withUtcToday) {
                // an instant in UTC's today that is not in the user's today
                const utcMidnight = Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`);
                let h;
                for (let hour = 0; hour < 24; hour++) {
                    const inst = utcMidnight + hour * 3600000 + 30 * 60000;
                    if (localDate(inst, off) !== localDate(now, off) && Math.abs(inst - now) > 10 * 60000) { h = inst; break; }
                }
                assert.ok(h, 'found a UTC-today instant outside the local today');
                s.H = await u.create({ title: 'utc today only', due_at: new Date(h).toISOString() });
                want.any.push(s.H);
                if (h < now) want.overdue.push(s.H); // local yesterday
                else { want.tomorrow.push(s.H); want.week.push(s.H); } // local tomorrow
            }
            return { u, want };
        }

        const pick = () => {
            const today = new Date().toISOString().slice(0, 10);
            return FIXED_ZONES.find(([, off]) => localDate(Date.now(), off) !== today) || FIXED_ZONES[0];
        };

        it('due_today_tomorrow_week_overdue_none_any_use_a_far_from_utc_zone', async () => {
            const [zone, off] = pick();
            const { u, want } = await scenario(zone, off, { withUtcToday: true });
            for (const [due, tasks] of Object.entries(want)) {
                assert.deepEqual(sortedIds(await u.listAll({ due })), idsOf(...tasks), `${zone}: due=${due}`);
            }
        });

        it('due_shortcuts_for_a_utc_user_use_utc_days', async () => {
            const { u, want } = await scenario('UTC', 0, { withUtcToday: false });
            for (const [due, tasks] of Object.entries(want)) {
                assert.deepEqual(sortedIds(await u.listAll({ due })), idsOf(...tasks), `UTC: due=${due}`);
            }
        });

        it('changing_the_users_time_zone_changes_what_today_means', async () => {
            const [zone, off] = pick();
            await awayFromLocalMidnight(off, 0);
            const now = Date.now();
            const u = await newUser(api);
            // noon of the user's local today, expressed in UTC; it is not UTC's today
            const localNoon = startOfLocalDay(now, off, 0) + 12 * 3600000;
            const t = await u.create({ title: 'local noon', due_at: new Date(localNoon).toISOString() });
            const utcToday = new Date(now).toISOString().slice(0, 10);
            const inUtcToday = new Date(localNoon).toISOString().slice(0, 10) === utcToday;
            assert.deepEqual(ids(await u.listAll({ due: 'today' })), inUtcToday ? [t.id] : []);
            const p = await api.patch('/api/auth/me', { token: u.token, json: { timezone: zone } });
            assert.equal(p.status, 200, p.text);
            assert.deepEqual(ids(await u.listAll({ due: 'today' })), [t.id], `after switching to ${zone}`);
        });
    });

    describe('sort', () => {
        let u;
        let all;
        const TITLES = ['apple', 'Apple', 'banana', 'Cherry', 'cherry pie', 'a b', 'a-b', 'ab', 'a_c', 'Zed', 'zed',
            'mango 10', 'mango 2', 'Banana split'];
        const DUES = [null, '2030-01-05T00:00:00Z', '2030-01-01T00:00:00Z', null, '2030-01-05T00:00:00Z',
            '2029-12-31T23:59:59.500Z', '2030-02-01T00:00:00+05:00'];
        const PRIS = ['none', 'high', 'low', 'medium', 'high'];
        before(async () => {
            u = await newUser(api);
            for (let i = 0; i < 26; i++) {
                await u.create({ title: TITLES[i % TITLES.length], due_at: DUES[i % DUES.length], priority: PRIS[i % PRIS.length] });
            }
            // scramble updated_at
            const first = await u.listAll({ sort: 'created_at', limit: 200 });
            for (const t of [first[3], first[0], first[17], first[9]]) {
                const r = await u.patch(`/tasks/${t.id}`, { json: { description: 'touched' } });
                assert.equal(r.status, 200, r.text);
            }
            all = await u.listAll({ limit: 200 });
            assert.equal(all.length, 26);
        });

        const SORTS = [undefined, '-created_at', 'created_at', 'updated_at', '-updated_at', 'due_at', '-due_at',
            'priority', '-priority', 'title', '-title', 'priority,due_at', '-priority,-due_at', 'due_at,-priority,title',
            'title,-created_at', '-title,due_at', 'due_at,title,priority'];
        for (const sort of SORTS) {
            it(`sort_${sort ?? 'default_is_-created_at'}_orders_as_documented_with_ties_by_id`, async () => {
                const params = sort ? { sort, limit: 200 } : { limit: 200 };
                const got = await u.listAll(params);
                const want = [...all].sort(comparator(sort));
                assert.deepEqual(ids(got), ids(want), `sort=${sort}\n got ${got.map((t) => `${t.id}:${t.title}:${t.due_at}:${t.priority}`).join(' | ')}`);
            });
            it(`paging_sort_${sort ?? 'default'}_by_3_returns_every_task_exactly_once_in_order`, async () => {
                const params = sort ? { sort, limit: 3 } : { limit: 3 };
                const got = await u.listAll(params);
                assert.equal(new Set(ids(got)).size, got.length, 'no task twice');
                assert.deepEqual(ids(got), ids([...all].sort(comparator(sort))));
            });
        }

        it('tasks_without_due_at_come_last_in_both_directions', async () => {
            for (const sort of ['due_at', '-due_at', 'priority,due_at', 'due_at,title']) {
                const got = await u.listAll({ sort, limit: 200 });
                const firstNull = got.findIndex((t) => t.due_at === null);
                assert.ok(firstNull > 0, `${sort}: there are dated tasks first`);
                if (sort.startsWith('due_at') || sort.startsWith('-due_at')) {
                    assert.ok(got.slice(firstNull).every((t) => t.due_at === null), `${sort}: all undated tasks at the end`);
                }
            }
        });

        it('default_sort_is_newest_first', async () => {
            const got = await u.listAll({ limit: 200 });
            const created = got.map((t) => Date.parse(t.created_at));
            for (let i = 1; i < created.length; i++) assert.ok(created[i - 1] >= created[i], 'created_at descending');
        });
    });

    describe('paging', () => {
        let u;
        let made;
        before(async () => {
            u = await newUser(api);
            made = [];
            for (let i = 0; i < 51; i++) {
                made.push(await u.create({ title: `m${String(i).padStart(2, '0')}`,
                    due_at: i % 3 ? `2030-03-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z` : null,
                    priority: ['none', 'low', 'medium', 'high'][i % 4], tags: i % 2 ? ['odd'] : ['even'] }));
            }
        });

        it('default_limit_is_50_and_the_second_page_has_the_rest', async () => {
            const r = await u.get('/tasks');
            assert.equal(r.status, 200, r.text);
            assert.deepEqual(Object.keys(r.json).sort(), ['items', 'next_cursor']);
            assert.equal(r.json.items.length, 50);
            assert.equal(typeof r.json.next_cursor, 'string');
            const r2 = await u.get(`/tasks?cursor=${encodeURIComponent(r.json.next_cursor)}`);
            assert.equal(r2.status, 200, r2.text);
            assert.equal(r2.json.items.length, 1);
            assert.equal(r2.json.next_cursor, null);
            assert.deepEqual([...ids(r.json.items), ...ids(r2.json.items)], ids([...made].sort(comparator())));
        });

        it('limit_1_and_200_are_accepted', async () => {
            const one = await u.list({ limit: 1 });
            assert.equal(one.items.length, 1);
            assert.equal(typeof one.next_cursor, 'string');
            const max = await u.list({ limit: 200 });
            assert.equal(max.items.length, 51);
            assert.equal(max.next_cursor, null);
        });

        it('exact_multiple_of_the_limit_ends_with_null_cursor_and_no_empty_surprise', async () => {
            const pages = [];
            let cursor;
            do {
                const r = await u.list({ limit: 17, ...(cursor ? { cursor } : {}) });
                pages.push(r.items);
                cursor = r.next_cursor;
            } while (cursor && pages.length < 10);
            assert.deepEqual(ids(pages.flat()), ids([...made].sort(comparator())));
            assert.ok(pages.length === 3 || (pages.length === 4 && pages[3].length === 0), `pages: ${pages.map((p) => p.length)}`);
        });

        for (const sort of ['due_at', '-priority,due_at', 'title', '-title']) {
            it(`paging_by_7_with_sort_${sort}_and_a_filter_returns_each_match_once`, async () => {
                const got = await u.listAll({ sort, limit: 7, tags: 'odd' });
                const want = made.filter((t) => t.tags.includes('odd')).sort(comparator(sort));
                assert.deepEqual(ids(got), ids(want));
            });
        }

        it('paging_stays_correct_when_tasks_are_added_and_deleted_between_pages', async () => {
            const p = await newUser(api);
            const orig = [];
            for (let i = 1; i <= 12; i++) orig.push(await p.create({ title: `k${String(i).padStart(2, '0')}` }));
            const seen = [];
            const page1 = await p.list({ sort: 'title', limit: 3 });
            assert.deepEqual(page1.items.map((t) => t.title), ['k01', 'k02', 'k03']);
            seen.push(...page1.items);
            // added before the cursor (must not appear), after it (must appear once),
            // and the last row of the page deleted (the cursor must not depend on it)
            await p.create({ title: 'a-before' });
            const late = await p.create({ title: 'z-after' });
            assert.equal((await p.del(`/tasks/${page1.items[2].id}`)).status, 204);
            let cursor = page1.next_cursor;
            let n = 0;
            while (cursor) {
                const r = await p.list({ sort: 'title', limit: 3, cursor });
                seen.push(...r.items);
                cursor = r.next_cursor;
                if (n++ === 0) {
                    // a task added in the middle of a later page shows up in its place
                    await p.create({ title: 'k10b' });
                }
                assert.ok(n < 20);
            }
            const titles = seen.map((t) => t.title);
            assert.equal(new Set(ids(seen)).size, seen.length, `no task twice: ${titles}`);
            assert.deepEqual(titles, ['k01', 'k02', 'k03', 'k04', 'k05', 'k06', 'k07', 'k08', 'k09', 'k10', 'k10b', 'k11', 'k12', 'z-after']);
            assert.ok(seen.some((t) => t.id === late.id));
        });

        it('paging_newest_first_does_not_repeat_or_skip_when_tasks_are_created_between_pages', async () => {
            const p = await newUser(api);
            const orig = [];
            for (let i = 0; i < 10; i++) orig.push(await p.create({ title: `n${i}` }));
            const seen = [];
            let cursor;
            let first = true;
            do {
                const r = await p.list({ limit: 4, ...(cursor ? { cursor } : {}) });
                seen.push(...r.items);
                cursor = r.next_cursor;
                if (first) { first = false; await p.create({ title: 'newer' }); await p.create({ title: 'newest' }); }
            } while (cursor);
            assert.deepEqual(ids(seen), ids([...orig].sort(comparator())), 'each original once, newer ones not in later pages');
        });

        it('a_cursor_made_for_another_sort_is_400', async () => {
            const r = await u.list({ sort: 'title', limit: 2 });
            assertError(await u.get(`/tasks?sort=due_at&limit=2&cursor=${encodeURIComponent(r.next_cursor)}`), 400, 'bad_request');
        });

        it('a_cursor_keeps_working_with_the_same_filters_it_was_made_with', async () => {
            const r = await u.list({ sort: '-priority', tags: 'even', limit: 5 });
            const r2 = await u.list({ sort: '-priority', tags: 'even', limit: 5, cursor: r.next_cursor });
            assert.equal(r2.items.length, 5);
            assert.ok(r2.items.every((t) => t.tags.includes('even')));
            assert.equal(new Set([...ids(r.items), ...ids(r2.items)]).size, 10);
        });
    });

    describe('unknown or bad parameter values are 400', () => {
        let u;
        before(async () => { u = await newUser(api); await u.create({ title: 'one' }); });
        const BAD = [
            'status=maybe', 'status=PENDINGX', 'sort=colour', 'sort=-colour', 'sort=title,colour', 'sort=--title',
            'priority=urgent', 'priority=high,urgent', 'due=someday', 'due=yesterday', 'limit=0', 'limit=201', 'limit=-1',
            'limit=abc', 'limit=1.5', 'limit=99999999999999999999', 'cursor=garbage', 'cursor=eyJ4IjoxfQ',
            'cursor=%00%01', 'recurring=maybe', 'recurring=1x', 'due_before=notatime', 'due_after=2026-02-30T00:00:00Z',
            'due_before=2026-01-01T10:00:00', 'due_after=2026-01-01T25:00:00Z', 'due_before=2026-01-01',
        ];
        for (const q of BAD) {
            it(`list_with_${q}_is_400_bad_request`, async () => {
                assertError(await u.get(`/tasks?${q}`), 400, 'bad_request');
            });
        }
    });

    describe('tags endpoint', () => {
        it('tags_counts_tasks_per_tag_and_follows_edits_and_deletes', async () => {
            const u = await newUser(api);
            const empty = await u.get('/tags');
            assert.equal(empty.status, 200, empty.text);
            assert.deepEqual(empty.json, { items: [] });
            await u.create({ title: 't1', tags: ['alpha', 'beta'] });
            await u.create({ title: 't2', tags: ['Alpha'] });
            const t3 = await u.create({ title: 't3', tags: ['beta', 'gamma'] });
            const t4 = await u.create({ title: 't4', tags: ['alpha', 'delta'] });
            const byName = (items) => [...items].sort((a, b) => (a.name < b.name ? -1 : 1));
            let r = await u.get('/tags');
            assert.equal(r.status, 200, r.text);
            assert.deepEqual(byName(r.json.items), [{ name: 'alpha', count: 3 }, { name: 'beta', count: 2 },
                { name: 'delta', count: 1 }, { name: 'gamma', count: 1 }]);
            assert.equal((await u.del(`/tasks/${t4.id}`)).status, 204);
            assert.equal((await u.patch(`/tasks/${t3.id}`, { json: { tags: ['gamma'] } })).status, 200);
            r = await u.get('/tags');
            assert.deepEqual(byName(r.json.items), [{ name: 'alpha', count: 2 }, { name: 'beta', count: 1 },
                { name: 'gamma', count: 1 }]);
        });
    });
});
