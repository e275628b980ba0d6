// first_use.test.mjs - the web UI tried as a new user would: a date the browser cannot parse
// is refused next to the field (never saved as "no due date"), the count above the list and
// "Showing N of M" agree with the rows after a completion, the toasts never cover the editor's
// buttons and go away even when the pointer rests where they appear, quick add says why Add is
// off, and server errors read as clear sentences.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, toast, waitForValue } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const PHONE = { width: 390, height: 844 };

async function openNewTask(page) {
    await page.getByRole('button', { name: 'New task…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New task' });
    await dialog.waitFor();
    return dialog;
}

/** Types a date into the editor's date field key by key, as a person does (en-US: MMDDYYYY). */
async function typeDate(dialog, page, digits) {
    const date = dialog.getByLabel('Date', { exact: true });
    await date.focus(); // the first part: the month
    await page.keyboard.type(digits);
    return date;
}

/** Is el what the browser hits across its face (nothing on top of it)? */
function uncovered(locator) {
    return locator.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const points = [];
        for (const fx of [0.2, 0.5, 0.8]) for (const fy of [0.25, 0.5, 0.75]) points.push([r.left + r.width * fx, r.top + r.height * fy]);
        return points.every(([x, y]) => el.contains(document.elementFromPoint(x, y)));
    });
}

function assertOnlyRefused(page, statuses) {
    const re = new RegExp(`^Failed to load resource: the server responded with a status of (${statuses.join('|')})\\b`);
    page.errors = page.errors.filter((e) => !re.test(e));
    assertNoPageErrors(page);
}

describe('first use', () => {
    test('a date the browser cannot parse is refused next to the field, with or without a time', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const dialog = await openNewTask(page);
        await dialog.getByLabel('Title', { exact: true }).fill('Pay the rent');
        const date = await typeDate(dialog, page, '02302026');
        assert.equal(await date.inputValue(), '', 'the browser holds no value for 30 February');
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        const error = dialog.locator('p.field-error:not(:empty)');
        await error.waitFor();
        assert.match(await error.innerText(), /not a valid date/i);
        assert.equal(await date.getAttribute('aria-invalid'), 'true');
        assert.match(await date.getAttribute('aria-describedby'), new RegExp(await error.getAttribute('id')));
        await screenshot(page, 'first-use-bad-date');

        // with a time as well: still about the date, not "pick a date for this time"
        await dialog.getByLabel('Time', { exact: true }).fill('10:00');
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await waitFor(async () => /not a valid date/i.test(await error.innerText()), { what: 'the date message' });
        assert.doesNotMatch(await error.innerText(), /Pick a date/);
        assert.equal(await toast(page, 'Added').count(), 0, 'nothing was added');
        assert.equal((await user.listAll({ status: 'all' })).length, 0, 'nothing was saved');

        // Clear empties what the browser could not parse, too
        await dialog.getByRole('button', { name: 'Clear due date' }).click();
        assert.equal(await date.evaluate((el) => el.validity.badInput), false);
        // a half-typed time is refused the same way
        await typeDate(dialog, page, '02282026');
        await waitFor(async () => (await date.inputValue()) === '2026-02-28', { what: 'the fixed date' });
        const time = dialog.getByLabel('Time', { exact: true });
        await time.focus(); // the hours
        await page.keyboard.type('10');
        assert.equal(await time.inputValue(), '');
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await waitFor(async () => /not a valid time/i.test(await error.innerText()), { what: 'the time message' });
        assert.equal((await user.listAll({ status: 'all' })).length, 0, 'still nothing saved');

        // a real date and time then save
        await time.fill('10:00');
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await toast(page, 'Added “Pay the rent”').waitFor();
        const [t] = await user.listAll({ status: 'all' });
        assert.equal(t.due_at, '2026-02-28T10:00:00Z');
        assertNoPageErrors(page);
    }));

    test('after completing in the Open view, the count and "Showing N of M" agree with the rows', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        for (const title of ['Water the plants', 'Call the bank', 'Book the dentist', 'Renew the passport']) {
            await user.create({ title });
        }
        await page.reload();
        const footer = page.locator('.list-footer');
        await footer.getByText('Showing 4 of 4').waitFor();
        await page.getByRole('checkbox', { name: 'Complete “Call the bank”' }).click();
        await toast(page, 'Completed “Call the bank”').waitFor();
        await row(page, 'Call the bank', { done: true }).waitFor();
        await page.locator('#list-count').getByText('3 tasks').waitFor();
        // the struck-through row stays (it can be reopened there); the numbers say so
        const showing = async () => {
            const text = await footer.innerText();
            const m = /Showing (\d+) of (\d+)/.exec(text);
            return m && { shown: +m[1], of: +m[2], completedNote: /1 completed just now/.test(text) };
        };
        await waitForValue(showing, { shown: 3, of: 3, completedNote: true }, 'the footer after completing');
        assert.equal(await page.locator('.task-row:not(.done)').count(), 3);
        await screenshot(page, 'first-use-count-after-complete');

        // reopening it puts everything back
        await page.getByRole('checkbox', { name: 'Mark “Call the bank” as not done' }).click();
        await waitForValue(showing, { shown: 4, of: 4, completedNote: false }, 'the footer after reopening');
        await page.locator('#list-count').getByText('4 tasks').waitFor();
        assertNoPageErrors(page);
    }));

    for (const [what, viewport] of [['desktop', undefined], ['phone', PHONE]]) {
        test(`toasts never cover the editor's buttons (${what})`, () => withPage({ viewport }, async (page) => {
            const user = await signedIn(app, page);
            await user.create({ title: 'Sort the post' });
            await page.reload();
            await row(page, 'Sort the post').waitFor();
            // two "Added" messages, then the editor on a task: its buttons stay clickable
            const quick = page.getByLabel('New task', { exact: true });
            for (const title of ['Buy milk', 'Buy bread']) {
                await quick.fill(title);
                await quick.press('Enter');
                await toast(page, `Added “${title}”`).waitFor();
            }
            await page.getByRole('button', { name: 'Edit “Sort the post”', exact: true }).click();
            const dialog = page.getByRole('dialog', { name: 'Edit task' });
            await dialog.waitFor();
            assert.ok(await toast(page, 'Added “Buy bread”').isVisible(), 'the message is still up');
            for (const name of ['Delete', 'Cancel', 'Save', 'History']) {
                const button = dialog.getByRole('button', { name, exact: true });
                await button.scrollIntoViewIfNeeded();
                assert.ok(await uncovered(button), `${name} is not covered by a toast (${what})`);
            }
            await screenshot(page, `first-use-toasts-editor-${what}`);
            await dialog.getByRole('button', { name: 'Cancel', exact: true }).click({ timeout: 2000 });
            await dialog.waitFor({ state: 'detached' });
            assertNoPageErrors(page);
        }));
    }

    test('a toast that appears under a resting pointer still goes away; one pointed at stays', () => withPage(async (page) => {
        await page.clock.install();
        await signedIn(app, page);
        const quick = page.getByLabel('New task', { exact: true });
        await quick.fill('Buy milk');
        await quick.press('Enter');
        const first = toast(page, 'Added “Buy milk”');
        await first.waitFor();
        const box = await first.boundingBox();
        await page.clock.runFor(4000);
        await first.waitFor({ state: 'detached' });
        // the pointer rests where the next message will appear, as after a click there
        const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        await page.mouse.move(at.x, at.y);
        await quick.fill('Buy bread');
        await quick.press('Enter');
        const second = toast(page, 'Added “Buy bread”');
        await second.waitFor();
        const b2 = await second.boundingBox();
        assert.ok(at.x > b2.x && at.x < b2.x + b2.width && at.y > b2.y && at.y < b2.y + b2.height,
            'it appeared under the pointer');
        await page.clock.runFor(4000);
        await second.waitFor({ state: 'detached', timeout: 3000 });

        // moved onto on purpose: it waits to be read, and goes once the pointer leaves
        await quick.fill('Buy eggs');
        await quick.press('Enter');
        const third = toast(page, 'Added “Buy eggs”');
        await third.waitFor();
        const b3 = await third.boundingBox();
        await page.mouse.move(b3.x + 10, b3.y + b3.height / 2, { steps: 3 });
        await page.clock.runFor(6000);
        assert.ok(await third.isVisible(), 'paused while pointed at');
        await page.mouse.move(5, 5, { steps: 3 });
        await page.clock.runFor(4000);
        await third.waitFor({ state: 'detached', timeout: 3000 });
        assertNoPageErrors(page);
    }));

    test('quick add says why Add is off, and server errors read as sentences', () => withPage(async (page) => {
        await signedIn(app, page);
        const quick = page.getByLabel('New task', { exact: true });
        const add = page.getByRole('button', { name: 'Add', exact: true });
        await quick.fill('#home !high');
        const why = page.locator('#quick-add-preview');
        // the server's parser reads the line (ADR 0042): Add goes off once it said there is no title
        await waitFor(async () => await add.isDisabled(), { what: 'Add off for a line without a title' });
        await waitFor(async () => /title/i.test(await why.innerText()), { what: 'a word on why Add is off' });
        assert.match(await why.innerText(), /Type what to do/);
        assert.match(await add.getAttribute('aria-describedby') ?? '', /quick-add-preview/);
        await quick.press('Enter');
        assert.equal(await toast(page, 'Added').count(), 0);
        await screenshot(page, 'first-use-quick-add-tags-only');
        await quick.fill('Water the plants');
        await waitFor(async () => !/Type what to do/.test(await why.innerText()), { what: 'the hint goes with a title' });

        // a title longer than the server takes: a sentence, not "title must be at most ..."
        await quick.fill('y'.repeat(501));
        await quick.press('Enter');
        const alert = page.locator('#quick-add-preview [role="alert"]');
        await alert.waitFor();
        assert.equal((await alert.innerText()).trim(), 'The title must be at most 500 characters.');
        await screenshot(page, 'first-use-quick-add-error');
        assertOnlyRefused(page, [422]);
    }));
});

function withPage(...args) { return app.withPage(...args); }
