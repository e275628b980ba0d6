// assistant.test.mjs - the built-in assistant over the chat API (issue 12 §3; docs/assistant.md,
// docs/assistant-evaluation.md), judged by the resulting task state read back over the REST
// API, not by the wording of its answers: an add with a due date and a repeat, "make it high
// priority" in the next turn, "it" for the previous turn's task (done, reopened, deleted), two
// tasks matching a word -> a question, then "the second one";
// "delete all my tasks" -> a question and nothing deleted, then "yes" (deleted) or "no" (kept);
// unknown input changes nothing; another user's task id is not found and stays untouched.
// Users are in Asia/Kolkata (+05:30, no daylight saving) so expected instants are plain sums.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newUser } from './lib/server.mjs';
import { awayFromLocalMidnight, localDate } from './lib/zones.mjs';

const TZ = 'Asia/Kolkata';
const OFF = 330; // minutes east of UTC, all year

/** The UTC instant of local wall time y-m-d h:mi at OFF. */
const localInstant = (y, m, d, h, mi = 0) => Date.UTC(y, m - 1, d, h, mi) - OFF * 60000;

/** One chat turn; asserts 200 and returns the answer. */
async function say(u, message, conversationId) {
    const body = conversationId ? { conversation_id: conversationId, message } : { message };
    const r = await u.post('/chat', { json: body });
    assert.equal(r.status, 200, `POST /chat "${message}": ${r.status} ${r.text}`);
    return r.json;
}

/** Every task of u, by id. */
async function tasksById(u) {
    const all = await u.listAll({ status: 'all' });
    return new Map(all.map((t) => [t.id, t]));
}

/** The tool calls of an answer that changed something (not list_tasks / list_tags). */
const writes = (answer) => answer.tool_calls.filter((c) => !/^list_/.test(c.tool));

describe('assistant (built-in, over POST /chat)', () => {
    let srv;
    before(async () => {
        srv = await startServer();
        await awayFromLocalMidnight(OFF);
    });
    after(async () => { await srv?.stop(); });

    it('adds_a_task_with_its_due_date_and_repeat_and_then_makes_it_high_priority', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        const a = await say(u, 'remind me to pay rent on the 1st of every month');
        const tasks = [...(await tasksById(u)).values()];
        assert.equal(tasks.length, 1, JSON.stringify(a));
        const t = tasks[0];
        assert.equal(t.title, 'Pay rent');
        assert.equal(t.recurrence?.rule, 'FREQ=MONTHLY;BYMONTHDAY=1');
        // the first 1st on or after the local today, at 09:00 local
        const [y, m, d] = localDate(Date.now(), OFF).split('-').map(Number);
        const first = d === 1 ? localInstant(y, m, 1, 9) : localInstant(y, m + 1, 1, 9);
        assert.equal(Date.parse(t.due_at), first, `due_at ${t.due_at}`);
        assert.deepEqual(writes(a).map((c) => c.tool), ['add_task']);
        assert.match(a.response, /Pay rent/);

        const b = await say(u, 'make it high priority', a.conversation_id);
        const after1 = await tasksById(u);
        assert.equal(after1.size, 1);
        assert.equal(after1.get(t.id).priority, 'high', JSON.stringify(b));
        assert.equal(after1.get(t.id).recurrence?.rule, 'FREQ=MONTHLY;BYMONTHDAY=1', 'the rest unchanged');
        assert.equal(after1.get(t.id).due_at, t.due_at);
    });

    it('adds_a_timed_task_for_tomorrow_in_the_users_zone', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        await say(u, 'call the dentist tomorrow at 5pm');
        const [t] = [...(await tasksById(u)).values()];
        assert.equal(t?.title, 'Call the dentist');
        const [y, m, d] = localDate(Date.now(), OFF).split('-').map(Number);
        assert.equal(Date.parse(t.due_at), localInstant(y, m, d + 1, 17), `due_at ${t.due_at}`);
        assert.equal(t.recurrence, null);
    });

    it('asks_which_task_when_two_match_then_completes_the_second_one', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        const one = await u.create({ title: 'Write the quarterly report' });
        const two = await u.create({ title: 'Send the report to Bob' });
        const q = await say(u, 'complete the report task');
        assert.deepEqual(writes(q), [], 'a question, not a guess');
        let now = await tasksById(u);
        assert.equal(now.get(one.id).completed, false);
        assert.equal(now.get(two.id).completed, false);
        // the question names both; "the second one" is the second it named
        const i1 = q.response.indexOf(one.title), i2 = q.response.indexOf(two.title);
        assert.ok(i1 >= 0 && i2 >= 0, `the question names both tasks: ${q.response}`);
        const second = i1 < i2 ? two : one, firstNamed = i1 < i2 ? one : two;

        const a = await say(u, 'the second one', q.conversation_id);
        now = await tasksById(u);
        assert.equal(now.get(second.id).completed, true, JSON.stringify(a));
        assert.equal(now.get(firstNamed.id).completed, false);
        assert.deepEqual(writes(a).map((c) => c.tool), ['complete_task']);
    });

    it('names_the_task_of_the_previous_turn_by_it', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        const keep = await u.create({ title: 'Water the plants' });
        const a = await say(u, 'add buy oat milk');
        const added = [...(await tasksById(u)).values()].find((t) => t.id !== keep.id);
        assert.equal(added?.title, 'Buy oat milk', JSON.stringify(a));
        await say(u, 'mark it done', a.conversation_id);
        assert.equal((await tasksById(u)).get(added.id).completed, true);
        await say(u, 'reopen it', a.conversation_id);
        assert.equal((await tasksById(u)).get(added.id).completed, false);
        const d = await say(u, 'delete it', a.conversation_id);
        const now = await tasksById(u);
        assert.equal(now.has(added.id), false, JSON.stringify(d));
        assert.equal(now.get(keep.id).completed, false, 'the other task untouched');
    });

    it('asks_before_deleting_all_tasks_and_deletes_them_after_yes', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        for (const title of ['Buy milk', 'Walk the dog', 'File taxes']) await u.create({ title });
        const q = await say(u, 'delete all my tasks');
        assert.deepEqual(writes(q), []);
        assert.equal((await tasksById(u)).size, 3, 'nothing deleted before the answer');
        const a = await say(u, 'yes', q.conversation_id);
        assert.equal((await tasksById(u)).size, 0, JSON.stringify(a));
        assert.ok(writes(a).every((c) => c.tool === 'delete_task') && writes(a).length === 3);
    });

    it('keeps_every_task_when_the_answer_is_no', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        for (const title of ['Buy milk', 'Walk the dog']) await u.create({ title });
        const before1 = await tasksById(u);
        const q = await say(u, 'delete all my tasks');
        const a = await say(u, 'no', q.conversation_id);
        assert.deepEqual(writes(a), []);
        assert.deepEqual(await tasksById(u), before1);
        // and a later "yes" in the same conversation has nothing pending to confirm
        const c = await say(u, 'yes', q.conversation_id);
        assert.deepEqual(writes(c), []);
        assert.deepEqual(await tasksById(u), before1);
    });

    it('changes_nothing_on_unknown_input_and_says_what_it_can_do', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        await u.create({ title: 'Buy milk', priority: 'low' });
        const before1 = await tasksById(u);
        for (const text of ['asdfghjkl', 'what is the weather like?', '???']) {
            const a = await say(u, text);
            assert.deepEqual(writes(a), [], text);
            assert.ok(a.response.length > 0);
        }
        assert.deepEqual(await tasksById(u), before1);
    });

    it('does_not_find_or_touch_another_users_task_by_id', async () => {
        const u = await newUser(srv.api, { timezone: TZ });
        const other = await newUser(srv.api, { timezone: TZ });
        const theirs = await other.create({ title: 'Private errand' });
        const mine = await u.create({ title: 'My errand' });
        for (const text of [`complete task ${theirs.id}`, `delete task ${theirs.id}`]) {
            const a = await say(u, text);
            for (const c of a.tool_calls) {
                assert.ok(!['completed', 'deleted'].includes(c.result?.status), JSON.stringify(c));
            }
            assert.ok(!a.response.includes('Private errand'), 'never reveals the title');
        }
        const still = await other.get(`/tasks/${theirs.id}`);
        assert.equal(still.status, 200);
        assert.equal(still.json.completed, false);
        assert.equal((await tasksById(u)).get(mine.id).completed, false);
    });
});
