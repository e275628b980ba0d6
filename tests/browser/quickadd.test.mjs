// quickadd.test.mjs - quick add through the server's parser (docs/web.md, "Quick add"; ADR
// 0042): the preview shows what POST /assistant/parse answered for the line in the user's
// zone, and Enter creates the task with exactly those fields - also when Enter comes before the
// preview; a reading of older text never shows; the parser's refusal reads as a sentence.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, findTask } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const preview = (page) => page.locator('#quick-add-preview');
const settled = (page) => page.locator('#quick-add-preview[aria-busy="false"]').waitFor();
const chips = (page) => preview(page).locator('.chip').allInnerTexts();
const utc = (t) => (t === null || t === undefined ? t : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** What the server's parser says of a quick-add line for this user (the route the UI calls). */
async function reading(user, text) {
    const r = await user.post('/assistant/parse', { json: { text, mode: 'quick_add' } });
    assert.equal(r.status, 200, `parse: ${r.status} ${r.text}`);
    return r.json;
}

/** Asserts the task holds every field the reading gave (docs/web.md: "every field read"). */
function assertTaskOf(t, p) {
    assert.ok(t, 'the task was created');
    assert.equal(t.title, p.title);
    assert.deepEqual(t.tags, p.tags ?? []);
    assert.equal(t.priority, p.priority ?? 'none');
    assert.equal(t.due_at, utc(p.due));
    assert.equal(t.recurrence?.rule ?? null, p.rrule);
    if (p.rrule) assert.equal(t.recurrence.from, p.from_completion ? 'completion' : 'due');
    assert.deepEqual(t.reminders.map((m) => (m.before ? { before: m.before } : { at: utc(m.at) })),
        (p.reminders ?? []).map((m) => (m.before ? { before: m.before } : { at: utc(m.at) })));
}

describe('quick add through the server parser', () => {
    test('the preview shows what the server read, and Enter creates the task with those fields', () => withPage(async (page) => {
        const tz = 'Asia/Kolkata';
        const user = await signedIn(app, page, { timezone: tz });
        const line = 'Pay rent on the 1st of every month #bills !high remind me 1 hour before';
        const p = await reading(user, line);
        // what the issue asks the parser to read here (the rest is compared with its answer)
        assert.equal(p.title, 'Pay rent');
        assert.deepEqual(p.tags, ['bills']);
        assert.equal(p.priority, 'high');
        assert.match(p.rrule ?? '', /FREQ=MONTHLY/);
        assert.match(p.rrule ?? '', /BYMONTHDAY=1\b/);
        assert.match(p.due ?? '', /T09:00:00\+05:30$/, 'the next 1st at 09:00 in Kolkata');
        assert.deepEqual(p.reminders, [{ before: 'PT1H' }]);

        const quick = page.getByLabel('New task', { exact: true });
        await quick.fill(line);
        await settled(page);
        const dueWords = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric',
            month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(p.due));
        const shown = await chips(page);
        assert.ok(shown.includes(`Due ${dueWords}`), `the due chip: ${JSON.stringify(shown)}`);
        assert.ok(shown.includes('Every month on day 1'), `a repeat chip in words: ${JSON.stringify(shown)}`);
        assert.ok(shown.includes('Reminder 1 hour before'), `a reminder chip: ${JSON.stringify(shown)}`);
        assert.ok(shown.includes('high priority'), `a priority chip: ${JSON.stringify(shown)}`);
        assert.ok(shown.includes('#bills'), `a tag chip: ${JSON.stringify(shown)}`);
        await screenshot(page, 'quickadd-server-preview');
        await quick.press('Enter');
        await row(page, 'Pay rent').waitFor();
        assert.equal(await quick.inputValue(), '');
        assertTaskOf(await findTask(user, 'Pay rent'), p);
        assertNoPageErrors(page);
    }));

    test('Enter before the preview arrives still creates the task with every field read', () => withPage(async (page) => {
        const tz = 'America/New_York';
        const user = await signedIn(app, page, { timezone: tz });
        const line = 'Water plants every other day #home p1';
        const quick = page.getByLabel('New task', { exact: true });
        await quick.fill(line);
        await quick.press('Enter'); // at once: the UI asks the parser itself
        await row(page, 'Water plants').waitFor();
        const p = await reading(user, line);
        assert.deepEqual(p.tags, ['home']);
        assert.equal(p.priority, 'high', 'p1 is high priority');
        assert.match(p.rrule ?? '', /FREQ=DAILY;INTERVAL=2/);
        assertTaskOf(await findTask(user, 'Water plants'), p);
        assertNoPageErrors(page);
    }));

    test('only the reading of the text as it is now is shown', () => withPage(async (page) => {
        await signedIn(app, page);
        const quick = page.getByLabel('New task', { exact: true });
        await quick.fill('Buy milk #dairy');
        await quick.fill('Buy milk #shop');
        await settled(page);
        assert.deepEqual(await chips(page), ['#shop']);
        await quick.fill('');
        assert.deepEqual(await chips(page), [], 'an empty line has no preview');
        assertNoPageErrors(page);
    }));

    test('a line the parser refuses reads as a sentence and adds nothing', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const quick = page.getByLabel('New task', { exact: true });
        await quick.fill('z'.repeat(1001));
        const alert = preview(page).getByRole('alert');
        await alert.waitFor();
        assert.equal((await alert.innerText()).trim(), 'The text must be at most 1000 characters.');
        await quick.press('Enter');
        await waitFor(async () => (await preview(page).getByRole('alert').count()) === 1, { what: 'still one alert' });
        assert.deepEqual(await user.listAll({ status: 'all' }), [], 'nothing was created');
        const re = /^Failed to load resource: the server responded with a status of 422\b/;
        page.errors = page.errors.filter((e) => !re.test(e));
        assertNoPageErrors(page);
    }));
});

function withPage(...args) { return app.withPage(...args); }
