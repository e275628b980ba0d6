// recurring.test.mjs - the recurring role in the embedded mode (todo serve): completing an
// occurrence of a recurring task makes the next one, once, through task-events.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser, waitFor } from './lib/server.mjs';

describe('recurring tasks', () => {
    let srv;
    let u;
    before(async () => {
        srv = await startServer();
        u = await newUser(srv.api, { timezone: 'Europe/Berlin' });
    });
    after(async () => { await srv?.stop(); });

    const series = async (id) => (await u.listAll({ recurring: 'true', limit: 200 }))
        .filter((x) => x.recurrence?.series_id === id);
    const successorOf = (id, n) => waitFor(async () => {
        const s = await series(id);
        return s.length >= n && s;
    }, { deadlineMs: 10000, what: `${n} occurrences in series ${id}` });

    it('completing_a_recurring_task_creates_the_next_occurrence_once', async () => {
        const t = await u.create({ title: 'Water the plants', due_at: '2030-05-06T07:00:00Z',
            recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO,TH', from: 'due' }, tags: ['garden'],
            priority: 'high', reminders: [{ before: 'PT15M' }] });
        assert.equal((await u.patch(`/tasks/${t.id}/complete`)).status, 200);
        const s = await successorOf(t.id, 2);
        const next = s.filter((x) => x.id !== t.id);
        assert.equal(next.length, 1, 'exactly one next occurrence');
        // 2030-05-06 is a Monday, 09:00 in Berlin; the next is Thursday 2030-05-09 09:00 Berlin
        assert.equal(next[0].due_at, '2030-05-09T07:00:00Z');
        assert.equal(next[0].title, 'Water the plants');
        assert.deepEqual(next[0].tags, ['garden']);
        assert.equal(next[0].priority, 'high');
        assert.equal(next[0].completed, false);
        assert.equal(next[0].recurrence.rule, t.recurrence.rule);
        assert.equal(next[0].reminders.length, 1);
        assert.equal(next[0].reminders[0].before, 'PT15M');
        assert.equal(next[0].reminders[0].remind_at, '2030-05-09T06:45:00Z');
        const one = await u.get(`/tasks/${next[0].id}`);
        assert.equal(one.status, 200);
        assert.equal(one.json.recurrence.text, 'every Monday and Thursday at 09:00');
        assert.equal(one.json.recurrence.next_due_at, '2030-05-13T07:00:00Z', 'the Monday after');
        // a client may send back what it read, text included
        assert.equal((await u.put(`/tasks/${next[0].id}`, { json: one.json })).status, 200);

        // reopen and complete the same occurrence again: no second successor
        assert.equal((await u.patch(`/tasks/${t.id}/complete`, { json: { completed: false } })).status, 200);
        assert.equal((await u.patch(`/tasks/${t.id}/complete`, { json: { completed: true } })).status, 200);
        // the completion's events are handled in order: wait for its history entry, then count
        await waitFor(async () => {
            const h = await u.get(`/tasks/${t.id}/history`);
            return h.status === 200 && h.json.items.filter((e) => e.type === 'completed').length === 2;
        }, { what: 'the second completion to be handled' });
        await waitFor(async () => {
            const h = await u.get(`/tasks/${next[0].id}/history`);
            return h.status === 200 && h.json.items.length >= 1;
        }, { what: "the successor's own created event" });
        assert.equal((await series(t.id)).length, 2, 'still one successor');
    });

    it('count_ends_the_series_and_the_last_occurrence_has_no_successor', async () => {
        const t = await u.create({ title: 'Twice only', due_at: '2030-01-01T08:00:00Z',
            recurrence: { rule: 'FREQ=DAILY;COUNT=2', from: 'due' } });
        assert.equal((await u.patch(`/tasks/${t.id}/complete`)).status, 200);
        const s = await successorOf(t.id, 2);
        const second = s.find((x) => x.id !== t.id);
        assert.equal(second.due_at, '2030-01-02T08:00:00Z');
        assert.equal((await u.patch(`/tasks/${second.id}/complete`)).status, 200);
        await waitFor(async () => {
            const h = await u.get(`/tasks/${second.id}/history`);
            return h.status === 200 && h.json.items.some((e) => e.type === 'completed');
        }, { what: 'the last completion to be handled' });
        assert.equal((await series(t.id)).length, 2, 'no third occurrence');
    });

    it('a_past_due_occurrence_gets_its_next_one_after_now_not_a_flood', async () => {
        const t = await u.create({ title: 'Daily standup', due_at: '2020-01-01T08:00:00Z',
            recurrence: { rule: 'daily', from: 'due' } });
        assert.equal((await u.patch(`/tasks/${t.id}/complete`)).status, 200);
        const s = await successorOf(t.id, 2);
        const next = s.find((x) => x.id !== t.id);
        assert.ok(Date.parse(next.due_at) > Date.now(), `next due ${next.due_at} is in the future`);
        assert.ok(Date.parse(next.due_at) - Date.now() <= 24 * 3600e3 + 60e3, 'within a day');
        const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit',
            minute: '2-digit', hourCycle: 'h23' }).format(new Date(next.due_at));
        assert.equal(local, '09:00', 'same local time of day (09:00 in Berlin)');
    });

    it('deleting_the_pending_occurrence_ends_the_series', async () => {
        const t = await u.create({ title: 'Ends here', due_at: '2030-03-01T08:00:00Z',
            recurrence: { rule: 'daily', from: 'due' } });
        assert.equal((await u.del(`/tasks/${t.id}`)).status, 204);
        await waitFor(async () => {
            const h = await u.get(`/tasks/${t.id}/history`);
            return h.status === 200 && h.json.items.some((e) => e.type === 'deleted');
        }, { what: 'the deletion to be handled' });
        assert.equal((await series(t.id)).length, 0);
    });

    it('moving_the_pending_occurrence_moves_the_later_ones', async () => {
        // daily at 09:00 Berlin, moved to 14:00 Berlin before completion
        const t = await u.create({ title: 'Moved', due_at: '2030-06-03T07:00:00Z',
            recurrence: { rule: 'daily', from: 'due' } });
        assert.equal((await u.patch(`/tasks/${t.id}`, { json: { due_at: '2030-06-03T12:00:00Z' } })).status, 200);
        const one = await u.get(`/tasks/${t.id}`);
        assert.equal(one.json.recurrence.text, 'every day at 14:00');
        assert.equal(one.json.recurrence.next_due_at, '2030-06-04T12:00:00Z');
        assert.equal((await u.patch(`/tasks/${t.id}/complete`)).status, 200);
        const s = await successorOf(t.id, 2);
        assert.equal(s.find((x) => x.id !== t.id).due_at, '2030-06-04T12:00:00Z');
    });

    it('a_series_ended_by_count_goes_on_when_its_rule_is_changed_and_it_is_completed_again', async () => {
        const t = await u.create({ title: 'Once, then more', due_at: '2030-07-01T08:00:00Z',
            recurrence: { rule: 'FREQ=DAILY;COUNT=1', from: 'due' } });
        assert.equal((await u.patch(`/tasks/${t.id}/complete`)).status, 200);
        await waitFor(async () => {
            const h = await u.get(`/tasks/${t.id}/history`);
            return h.status === 200 && h.json.items.some((e) => e.type === 'completed');
        }, { what: 'the completion to be handled' });
        assert.equal((await series(t.id)).length, 1, 'COUNT=1: no successor');
        assert.equal((await u.patch(`/tasks/${t.id}`, { json: { completed: false,
            recurrence: { rule: 'FREQ=DAILY;COUNT=3', from: 'due' } } })).status, 200);
        assert.equal((await u.patch(`/tasks/${t.id}/complete`)).status, 200);
        const s = await successorOf(t.id, 2);
        assert.equal(s.find((x) => x.id !== t.id).due_at, '2030-07-02T08:00:00Z');
    });

    it('a_rule_that_never_produces_a_date_is_refused', async () => {
        for (const rule of ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31']) {
            const r = await u.post('/tasks', { json: { title: 'never', due_at: '2030-01-01T08:00:00Z',
                recurrence: { rule, from: 'due' } } });
            assert.equal(r.status, 422, `${rule}: ${r.text}`);
            assert.equal(r.json.error.details[0].field, 'recurrence.rule');
        }
    });
});
