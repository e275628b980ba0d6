// tasks.test.mjs - one task's life (docs/openapi.json, "Tasks"): create, get, put, patch, complete,
// delete, ETag/If-Match, field rules (reminders, recurrence, tags), version.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, assertError, RFC3339_UTC } from './lib/server.mjs';

const TASK_KEYS = ['completed', 'completed_at', 'created_at', 'description', 'due_at', 'id', 'priority',
    'recurrence', 'reminders', 'status', 'tags', 'title', 'updated_at', 'version'].sort();

function assertTaskShape(t) {
    assert.deepEqual(Object.keys(t).sort(), TASK_KEYS, `task keys: ${JSON.stringify(t)}`);
    assert.ok(Number.isInteger(t.id) && t.id > 0, 'id is a positive integer');
    assert.ok(Number.isInteger(t.version) && t.version >= 1, 'version is a positive integer');
    assert.equal(t.status, t.completed ? 'completed' : 'pending', 'status and completed agree');
    assert.match(t.created_at, RFC3339_UTC);
    assert.match(t.updated_at, RFC3339_UTC);
    if (t.due_at !== null) assert.match(t.due_at, RFC3339_UTC);
    if (t.completed) assert.match(t.completed_at, RFC3339_UTC);
    else assert.equal(t.completed_at, null, 'completed_at is null while pending');
}

const etagOf = (t) => `"${t.version}"`;
const rrule = (rule) => Object.fromEntries(rule.split(';').map((kv) => kv.split('=')));

describe('tasks', () => {
    let srv;
    let u;
    before(async () => {
        srv = await startServer();
        u = await newUser(srv.api);
    });
    after(async () => { await srv?.stop(); });

    it('create_with_title_only_returns_201_defaults_location_and_etag', async () => {
        const t0 = Date.now();
        const r = await u.post('/tasks', { json: { title: 'Pay rent' } });
        assert.equal(r.status, 201, r.text);
        const t = r.json;
        assertTaskShape(t);
        assert.equal(t.title, 'Pay rent');
        assert.equal(t.description, '');
        assert.equal(t.completed, false);
        assert.equal(t.status, 'pending');
        assert.equal(t.priority, 'none');
        assert.deepEqual(t.tags, []);
        assert.equal(t.due_at, null);
        assert.deepEqual(t.reminders, []);
        assert.equal(t.recurrence, null);
        assert.equal(t.completed_at, null);
        assert.equal(t.version, 1);
        assert.equal(t.created_at, t.updated_at);
        assert.ok(Math.abs(Date.parse(t.created_at) - t0) < 15000, 'created_at is now');
        const loc = r.headers.get('location');
        assert.ok(loc, 'Location header');
        assert.equal(new URL(loc, srv.url).pathname, `/api/${u.id}/tasks/${t.id}`);
        assert.equal(r.headers.get('etag'), '"1"');
        assert.ok(r.headers.get('x-request-id'));
    });

    it('get_returns_the_stored_task_with_etag', async () => {
        const c = await u.create({ title: 'Get me', description: 'details', priority: 'low', tags: ['x'] });
        const r = await u.get(`/tasks/${c.id}`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, c);
        assert.equal(r.headers.get('etag'), etagOf(c));
    });

    it('get_nonexistent_task_is_404_not_found', async () => {
        assertError(await u.get('/tasks/987654321'), 404, 'not_found');
    });

    it('create_with_every_field_normalises_times_to_utc', async () => {
        const r = await u.post('/tasks', {
            json: {
                title: '  Trimmed title  ', description: 'Line 1\nLine 2 — ünïcødé 🚀', priority: 'high',
                tags: ['Bills', 'home'], due_at: '2030-12-01T10:00:00+01:00',
                reminders: [{ before: 'PT1H' }], recurrence: { rule: 'monthly', from: 'due' },
            },
        });
        assert.equal(r.status, 201, r.text);
        const t = r.json;
        assertTaskShape(t);
        assert.equal(t.title, 'Trimmed title');
        assert.equal(t.description, 'Line 1\nLine 2 — ünïcødé 🚀');
        assert.equal(t.priority, 'high');
        assert.deepEqual(t.tags, ['bills', 'home']);
        assert.equal(t.due_at, '2030-12-01T09:00:00Z');
        assert.equal(t.reminders.length, 1);
        assert.equal(t.reminders[0].remind_at, '2030-12-01T08:00:00Z');
        assert.equal(rrule(t.recurrence.rule).FREQ, 'MONTHLY');
        assert.equal(t.recurrence.from, 'due');
        assert.equal(t.recurrence.series_id, t.id, 'the first task of a series is its series_id');
    });

    it('json_content_type_with_charset_or_in_capitals_is_accepted', async () => {
        for (const ct of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
            const r = await u.post('/tasks', { body: JSON.stringify({ title: `ct ${ct}` }), headers: { 'content-type': ct } });
            assert.equal(r.status, 201, `${ct}: ${r.status} ${r.text}`);
        }
    });

    it('times_keep_milliseconds_and_accept_lower_case_t_and_z', async () => {
        const a = await u.create({ title: 'ms', due_at: '2030-01-01T00:00:00.123Z' });
        assert.equal(a.due_at, '2030-01-01T00:00:00.123Z');
        const b = await u.create({ title: 'lower', due_at: '2030-01-01t10:00:00z' });
        assert.equal(b.due_at, '2030-01-01T10:00:00Z');
        const c = await u.create({ title: 'offset', due_at: '2030-01-01T00:30:00-05:30' });
        assert.equal(c.due_at, '2030-01-01T06:00:00Z');
    });

    it('create_ignores_read_only_fields_sent_back', async () => {
        const r = await u.post('/tasks', {
            json: {
                title: 'Echo', id: 424242, version: 99, created_at: '2001-01-01T00:00:00Z',
                updated_at: '2001-01-01T00:00:00Z', completed_at: '2001-01-01T00:00:00Z',
            },
        });
        assert.equal(r.status, 201, r.text);
        assert.notEqual(r.json.id, 424242);
        assert.equal(r.json.version, 1);
        assert.notEqual(r.json.created_at, '2001-01-01T00:00:00Z');
        assert.equal(r.json.completed_at, null);
        // a whole task as read is accepted back by PUT
        const back = await u.put(`/tasks/${r.json.id}`, { json: r.json });
        assert.equal(back.status, 200, back.text);
        assert.equal(back.json.title, 'Echo');
    });

    it('create_with_unknown_field_is_422', async () => {
        assertError(await u.post('/tasks', { json: { title: 'x', colour: 'red' } }), 422, 'validation_failed');
    });

    it('title_is_required_1_to_500_characters_after_trimming', async () => {
        assertError(await u.post('/tasks', { json: {} }), 422, 'validation_failed', { field: 'title' });
        assertError(await u.post('/tasks', { json: { title: '' } }), 422, 'validation_failed', { field: 'title' });
        assertError(await u.post('/tasks', { json: { title: '   \t ' } }), 422, 'validation_failed', { field: 'title' });
        assertError(await u.post('/tasks', { json: { title: 'a'.repeat(501) } }), 422, 'validation_failed', { field: 'title' });
        const ok = await u.create({ title: 'a'.repeat(500) });
        assert.equal(ok.title.length, 500);
        // characters, not bytes: 500 two-byte and 500 four-byte characters fit
        assert.equal((await u.create({ title: 'é'.repeat(500) })).title, 'é'.repeat(500));
        assert.equal((await u.create({ title: '🚀'.repeat(500) })).title, '🚀'.repeat(500));
        assert.equal((await u.create({ title: `  ${'b'.repeat(500)}  ` })).title, 'b'.repeat(500));
    });

    it('description_is_up_to_10000_characters', async () => {
        assert.equal((await u.create({ title: 'd', description: 'ü'.repeat(10000) })).description.length, 10000);
        assertError(await u.post('/tasks', { json: { title: 'd', description: 'x'.repeat(10001) } }),
            422, 'validation_failed', { field: 'description' });
    });

    it('put_replaces_every_editable_field_and_absent_ones_return_to_defaults', async () => {
        const c = await u.create({
            title: 'Full', description: 'desc', priority: 'high', tags: ['a', 'b'], due_at: '2031-01-01T00:00:00Z',
            reminders: [{ before: 'PT30M' }], recurrence: { rule: 'daily', from: 'due' },
        });
        const r = await u.put(`/tasks/${c.id}`, { json: { title: 'Replaced' } });
        assert.equal(r.status, 200, r.text);
        assertTaskShape(r.json);
        assert.deepEqual({ ...r.json, updated_at: null }, {
            ...c, title: 'Replaced', description: '', priority: 'none', tags: [], due_at: null, reminders: [],
            recurrence: null, version: c.version + 1, updated_at: null,
        });
        assert.equal(r.headers.get('etag'), etagOf(r.json));
        assert.ok(Date.parse(r.json.updated_at) >= Date.parse(c.updated_at));
        const g = await u.get(`/tasks/${c.id}`);
        assert.deepEqual(g.json, r.json);
    });

    it('put_without_title_is_422_and_changes_nothing', async () => {
        const c = await u.create({ title: 'Keep', priority: 'low' });
        assertError(await u.put(`/tasks/${c.id}`, { json: { priority: 'high' } }), 422, 'validation_failed', { field: 'title' });
        assert.deepEqual((await u.get(`/tasks/${c.id}`)).json, c);
    });

    it('patch_changes_only_the_given_fields_and_increments_version', async () => {
        const c = await u.create({ title: 'Patch me', description: 'keep', priority: 'low', tags: ['t'] });
        const r = await u.patch(`/tasks/${c.id}`, { json: { priority: 'medium' } });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual({ ...r.json, updated_at: null }, { ...c, priority: 'medium', version: c.version + 1, updated_at: null });
        assert.equal(r.json.created_at, c.created_at);
        assert.equal(r.headers.get('etag'), etagOf(r.json));
        const r2 = await u.patch(`/tasks/${c.id}`, { json: { title: 'Patched', tags: ['New', 'other'] } });
        assert.equal(r2.status, 200, r2.text);
        assert.equal(r2.json.title, 'Patched');
        assert.deepEqual(r2.json.tags, ['new', 'other']);
        assert.equal(r2.json.description, 'keep');
        assert.equal(r2.json.version, c.version + 2);
    });

    it('patch_null_clears_fields_to_their_defaults', async () => {
        const c = await u.create({
            title: 'Clear me', description: 'text', priority: 'high', tags: ['a'], due_at: '2031-02-01T00:00:00Z',
            reminders: [{ at: '2031-01-31T12:00:00Z' }], recurrence: { rule: 'weekly', from: 'completion' },
        });
        const r = await u.patch(`/tasks/${c.id}`, {
            json: { description: null, priority: null, tags: null, due_at: null, reminders: null, recurrence: null },
        });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.title, 'Clear me');
        assert.equal(r.json.description, '');
        assert.equal(r.json.priority, 'none');
        assert.deepEqual(r.json.tags, []);
        assert.equal(r.json.due_at, null);
        assert.deepEqual(r.json.reminders, []);
        assert.equal(r.json.recurrence, null);
    });

    it('patch_title_null_is_422', async () => {
        const c = await u.create({ title: 'No null title' });
        assertError(await u.patch(`/tasks/${c.id}`, { json: { title: null } }), 422, 'validation_failed', { field: 'title' });
        assert.deepEqual((await u.get(`/tasks/${c.id}`)).json, c);
    });

    it('patch_status_or_completed_field_sets_completion', async () => {
        const c = await u.create({ title: 'Status field' });
        const r = await u.patch(`/tasks/${c.id}`, { json: { status: 'completed' } });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.completed, true);
        assert.match(r.json.completed_at, RFC3339_UTC);
        const r2 = await u.patch(`/tasks/${c.id}`, { json: { completed: false } });
        assert.equal(r2.status, 200, r2.text);
        assert.equal(r2.json.status, 'pending');
        assert.equal(r2.json.completed_at, null);
    });

    it('complete_without_body_toggles_completion_and_completed_at', async () => {
        const c = await u.create({ title: 'Toggle' });
        const t0 = Date.now();
        const r1 = await u.patch(`/tasks/${c.id}/complete`);
        assert.equal(r1.status, 200, r1.text);
        assertTaskShape(r1.json);
        assert.equal(r1.json.completed, true);
        assert.equal(r1.json.status, 'completed');
        assert.ok(Math.abs(Date.parse(r1.json.completed_at) - t0) < 15000);
        assert.equal(r1.json.version, c.version + 1);
        const r2 = await u.patch(`/tasks/${c.id}/complete`);
        assert.equal(r2.status, 200, r2.text);
        assert.equal(r2.json.completed, false);
        assert.equal(r2.json.status, 'pending');
        assert.equal(r2.json.completed_at, null);
        assert.equal(r2.json.version, c.version + 2);
    });

    it('complete_with_explicit_value_sets_it_and_is_idempotent', async () => {
        const c = await u.create({ title: 'Explicit' });
        const a = await u.patch(`/tasks/${c.id}/complete`, { json: { completed: true } });
        assert.equal(a.status, 200, a.text);
        assert.equal(a.json.completed, true);
        const b = await u.patch(`/tasks/${c.id}/complete`, { json: { completed: true } });
        assert.equal(b.status, 200, b.text);
        assert.equal(b.json.completed, true, 'completing a completed task keeps it completed');
        assert.equal(b.json.completed_at, a.json.completed_at, 'and keeps when it was completed');
        const d = await u.patch(`/tasks/${c.id}/complete`, { json: { completed: false } });
        assert.equal(d.json.completed, false);
        const e = await u.patch(`/tasks/${c.id}/complete`, { json: { completed: false } });
        assert.equal(e.status, 200);
        assert.equal(e.json.completed, false);
        assertError(await u.patch(`/tasks/${c.id}/complete`, { json: { completed: 'yes' } }),
            422, 'validation_failed', { field: 'completed' });
    });

    it('delete_is_204_then_the_task_is_gone', async () => {
        const c = await u.create({ title: 'Delete me' });
        const r = await u.del(`/tasks/${c.id}`);
        assert.equal(r.status, 204, r.text);
        assert.equal(r.text, '');
        assertError(await u.get(`/tasks/${c.id}`), 404, 'not_found');
        assertError(await u.del(`/tasks/${c.id}`), 404, 'not_found');
        assertError(await u.patch(`/tasks/${c.id}`, { json: { title: 'ghost' } }), 404, 'not_found');
        assertError(await u.patch(`/tasks/${c.id}/complete`), 404, 'not_found');
        const all = await u.listAll({ limit: 200 });
        assert.ok(!all.some((t) => t.id === c.id), 'not listed');
    });

    it('if_match_with_current_version_succeeds_and_stale_is_412_for_put_patch_delete', async () => {
        const c = await u.create({ title: 'Versioned' });
        const ok = await u.patch(`/tasks/${c.id}`, { json: { title: 'v2' }, headers: { 'if-match': '"1"' } });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.headers.get('etag'), '"2"');
        assertError(await u.patch(`/tasks/${c.id}`, { json: { title: 'stale' }, headers: { 'if-match': '"1"' } }),
            412, 'precondition_failed');
        assertError(await u.put(`/tasks/${c.id}`, { json: { title: 'stale' }, headers: { 'if-match': '"1"' } }),
            412, 'precondition_failed');
        assertError(await u.del(`/tasks/${c.id}`, { headers: { 'if-match': '"1"' } }), 412, 'precondition_failed');
        const g = await u.get(`/tasks/${c.id}`);
        assert.equal(g.status, 200, 'stale DELETE left the task');
        assert.equal(g.json.title, 'v2');
        assert.equal(g.json.version, 2);
        const put = await u.put(`/tasks/${c.id}`, { json: { title: 'v3' }, headers: { 'if-match': '"2"' } });
        assert.equal(put.status, 200, put.text);
        assert.equal(put.json.version, 3);
        const del = await u.del(`/tasks/${c.id}`, { headers: { 'if-match': '"3"' } });
        assert.equal(del.status, 204, del.text);
    });

    it('if_match_on_a_missing_task_is_404_not_412', async () => {
        assertError(await u.patch('/tasks/987654322', { json: { title: 'x' }, headers: { 'if-match': '"1"' } }),
            404, 'not_found');
    });

    it('version_increases_by_one_with_every_change', async () => {
        let t = await u.create({ title: 'Counting' });
        assert.equal(t.version, 1);
        const steps = [
            () => u.patch(`/tasks/${t.id}`, { json: { title: 'c2' } }),
            () => u.put(`/tasks/${t.id}`, { json: { title: 'c3', priority: 'low' } }),
            () => u.patch(`/tasks/${t.id}/complete`),
            () => u.patch(`/tasks/${t.id}/complete`, { json: { completed: false } }),
            () => u.patch(`/tasks/${t.id}`, { json: { tags: ['v'] } }),
        ];
        for (const [i, step] of steps.entries()) {
            const r = await step();
            assert.equal(r.status, 200, r.text);
            assert.equal(r.json.version, i + 2);
            assert.equal(r.headers.get('etag'), `"${i + 2}"`);
            t = r.json;
        }
        assert.equal((await u.get(`/tasks/${t.id}`)).headers.get('etag'), '"6"');
    });

    it('reminders_before_and_at_compute_remind_at', async () => {
        const t = await u.create({
            title: 'Remind', due_at: '2030-06-15T12:00:00Z',
            reminders: [{ before: 'PT1H' }, { before: 'P1D' }, { at: '2030-06-14T20:30:00+02:00' }],
        });
        assert.equal(t.reminders.length, 3);
        for (const r of t.reminders) {
            assert.ok(Number.isInteger(r.id), 'reminder id');
            assert.equal(r.state, 'scheduled');
            assert.match(r.remind_at, RFC3339_UTC);
        }
        const byAt = Object.fromEntries(t.reminders.map((r) => [r.remind_at, r]));
        assert.equal(byAt['2030-06-15T11:00:00Z']?.before, 'PT1H');
        assert.equal(byAt['2030-06-14T12:00:00Z']?.before, 'P1D');
        assert.ok(byAt['2030-06-14T18:30:00Z'], `absolute reminder at 18:30Z: ${JSON.stringify(t.reminders)}`);
        assert.equal(byAt['2030-06-14T18:30:00Z'].before, undefined);
    });

    it('changing_due_at_recomputes_relative_reminders_only', async () => {
        const t = await u.create({
            title: 'Move', due_at: '2030-06-15T12:00:00Z', reminders: [{ before: 'PT15M' }, { at: '2030-06-01T00:00:00Z' }],
        });
        const r = await u.patch(`/tasks/${t.id}`, { json: { due_at: '2030-07-01T09:00:00Z' } });
        assert.equal(r.status, 200, r.text);
        const at = r.json.reminders.map((x) => x.remind_at).sort();
        assert.deepEqual(at, ['2030-06-01T00:00:00Z', '2030-07-01T08:45:00Z']);
    });

    it('reminder_before_without_due_at_is_422', async () => {
        assertError(await u.post('/tasks', { json: { title: 'r', reminders: [{ before: 'PT1H' }] } }),
            422, 'validation_failed', { field: 'reminders' });
        const t = await u.create({ title: 'r2', due_at: '2030-01-01T00:00:00Z', reminders: [{ before: 'PT1H' }] });
        assertError(await u.patch(`/tasks/${t.id}`, { json: { due_at: null } }), 422, 'validation_failed');
        assert.deepEqual((await u.get(`/tasks/${t.id}`)).json, t);
    });

    it('bad_reminders_are_422', async () => {
        const due = '2030-01-01T00:00:00Z';
        for (const reminders of [
            [{}], [{ before: 'PT1H', at: '2029-12-31T00:00:00Z' }], [{ before: 'P1M' }], [{ before: 'banana' }],
            [{ at: '2029-13-01T00:00:00Z' }], [{ at: 'tomorrow' }], [{ before: 'PT1H', colour: 'red' }], ['PT1H'],
            Array.from({ length: 11 }, (_, i) => ({ before: `PT${i + 1}M` })),
        ]) {
            assertError(await u.post('/tasks', { json: { title: 'bad rem', due_at: due, reminders } }),
                422, 'validation_failed', { field: 'reminders' });
        }
        const ten = await u.create({ title: 'ten', due_at: due,
            reminders: Array.from({ length: 10 }, (_, i) => ({ before: `PT${i + 1}M` })) });
        assert.equal(ten.reminders.length, 10);
    });

    for (const [preset, freq, byday] of [['daily', 'DAILY'], ['weekdays', 'WEEKLY', 'MO,TU,WE,TH,FR'],
        ['weekly', 'WEEKLY'], ['monthly', 'MONTHLY'], ['yearly', 'YEARLY']]) {
        it(`recurrence_preset_${preset}_is_stored_as_rrule_freq_${freq.toLowerCase()}`, async () => {
            const t = await u.create({ title: preset, due_at: '2030-03-02T09:00:00Z', recurrence: { rule: preset, from: 'due' } });
            const parts = rrule(t.recurrence.rule);
            assert.equal(parts.FREQ, freq, t.recurrence.rule);
            if (byday) assert.deepEqual(parts.BYDAY.split(',').sort(), byday.split(',').sort());
            assert.ok(!/^RRULE:/i.test(t.recurrence.rule), 'stored without the RRULE: prefix');
            assert.equal(t.recurrence.from, 'due');
            assert.equal(t.recurrence.series_id, t.id);
            // GET adds read-only display fields: the rule in words and the next occurrence
            const { text, next_due_at: next, ...stored } = (await u.get(`/tasks/${t.id}`)).json.recurrence;
            assert.deepEqual(stored, t.recurrence);
            assert.match(text, /^every /);
            assert.ok(Date.parse(next) > Date.parse('2030-03-02T09:00:00Z'), `next_due_at ${next}`);
        });
    }

    it('recurrence_accepts_rfc5545_rules_hourly_and_count_1000', async () => {
        for (const rule of ['FREQ=HOURLY;INTERVAL=2', 'FREQ=DAILY;COUNT=1000', 'FREQ=MONTHLY;BYMONTHDAY=1',
            'FREQ=WEEKLY;BYDAY=MO,WE', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29']) {
            const r = await u.post('/tasks', { json: { title: rule, due_at: '2030-01-01T09:00:00Z', recurrence: { rule, from: 'due' } } });
            assert.equal(r.status, 201, `${rule}: ${r.text}`);
            assert.deepEqual(rrule(r.json.recurrence.rule), rrule(rule));
        }
    });

    for (const rule of ['FREQ=MINUTELY', 'FREQ=SECONDLY', 'FREQ=MINUTELY;INTERVAL=90', 'FREQ=DAILY;COUNT=1001',
        'FREQ=SOMETIMES', 'hourly-ish', '', 'FREQ=DAILY;BYDAY=XX', 'FREQ=DAILY;INTERVAL=0', 'FREQ=DAILY;BYMONTHDAY=32',
        'RRULE:RRULE:FREQ=DAILY']) {
        it(`recurrence_rule_${JSON.stringify(rule)}_is_refused_422`, async () => {
            assertError(await u.post('/tasks', {
                json: { title: 'bad rule', due_at: '2030-01-01T09:00:00Z', recurrence: { rule, from: 'due' } },
            }), 422, 'validation_failed', { field: 'recurrence' });
        });
    }

    it('recurrence_from_due_without_due_at_is_422_but_from_completion_is_fine', async () => {
        assertError(await u.post('/tasks', { json: { title: 'x', recurrence: { rule: 'daily', from: 'due' } } }),
            422, 'validation_failed');
        const t = await u.create({ title: 'from completion', recurrence: { rule: 'daily', from: 'completion' } });
        assert.equal(t.recurrence.from, 'completion');
        assertError(await u.post('/tasks', { json: { title: 'x', due_at: '2030-01-01T00:00:00Z',
            recurrence: { rule: 'daily', from: 'whenever' } } }), 422, 'validation_failed', { field: 'recurrence' });
        // and a PATCH that removes the due date of a from-due series is refused too
        const d = await u.create({ title: 'due series', due_at: '2030-01-01T00:00:00Z', recurrence: { rule: 'daily', from: 'due' } });
        assertError(await u.patch(`/tasks/${d.id}`, { json: { due_at: null } }), 422, 'validation_failed');
    });

    it('tags_are_trimmed_lower_cased_deduplicated_and_sorted', async () => {
        const t = await u.create({ title: 'tags', tags: ['  Home ', 'bills', 'HOME', 'Bills', 'alpha', 'Zeta'] });
        assert.deepEqual(t.tags, ['alpha', 'bills', 'home', 'zeta']);
        assert.deepEqual((await u.get(`/tasks/${t.id}`)).json.tags, ['alpha', 'bills', 'home', 'zeta']);
        const fifty = 'x'.repeat(50);
        assert.deepEqual((await u.create({ title: 't50', tags: [fifty] })).tags, [fifty]);
        const twenty = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
        assert.deepEqual((await u.create({ title: 't20', tags: twenty })).tags, twenty);
    });

    for (const [name, tags] of [['space_inside', ['a b']], ['comma', ['a,b']], ['empty', ['']], ['blank', ['   ']],
        ['51_chars', ['y'.repeat(51)]], ['21_tags', Array.from({ length: 21 }, (_, i) => `t${i}`)], ['number', [7]],
        ['not_array', 'home']]) {
        it(`tags_${name}_is_422`, async () => {
            assertError(await u.post('/tasks', { json: { title: 'bad tags', tags } }), 422, 'validation_failed', { field: 'tags' });
        });
    }
});
