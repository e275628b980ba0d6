// chat.test.mjs - the assistant's chat panel (docs/web.md, "The assistant"; ADR 0042): `c`
// opens it with focus in the message box, Enter sends, the answer lists what changed with a
// link to the task, the list shows the new task without a reload, a reload goes on with the
// same conversation, "make it high priority" changes the task the previous turn named; all
// from the keyboard. Then: errors, the narrow-screen sheet, a new conversation.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertAccessible, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, findTask, localDay, wallToMs, iso, blur, waitForValue } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');
const panel = (page) => page.locator('#chat-panel');
const box = (page) => page.getByLabel('Message the assistant');
/** The assistant's answers, in order. */
const answers = (page) => panel(page).locator('.chat-msg.chat-assistant:not(.hint)');

/** Page errors other than the console's note of an expected refusal (a 422 shown to the user). */
function assertOnlyRefused(page, statuses) {
    const re = new RegExp(`^Failed to load resource: the server responded with a status of (${statuses.join('|')})\\b`);
    page.errors = page.errors.filter((e) => !re.test(e));
    assertNoPageErrors(page);
}

/** Types message into the focused message box and sends it with Enter; waits for the answer. */
async function say(page, message) {
    const before = await answers(page).count();
    await page.keyboard.type(message);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await answers(page).count()) === before + 1, { what: `an answer to "${message}"` });
    return answers(page).nth(before);
}

describe('the chat panel', () => {
    test('keyboard only: add through the chat, see it in the list, reload, then "make it high priority"', () => withPage(async (page) => {
        const tz = 'America/New_York';
        const user = await signedIn(app, page, { timezone: tz });
        await blur(page);
        assert.equal(await panel(page).count(), 0, 'closed at first');
        await page.keyboard.press('c');
        await panel(page).waitFor();
        await waitForValue(() => focusedId(page), 'chat-message', 'focus in the message box');
        assert.equal(await page.getByRole('button', { name: 'Assistant', exact: true }).getAttribute('aria-expanded'), 'true');

        // Shift+Enter is a new line, not a send
        await page.keyboard.type('add buy milk');
        await page.keyboard.press('Shift+Enter');
        assert.equal(await box(page).inputValue(), 'add buy milk\n');
        assert.equal(await answers(page).count(), 0, 'nothing sent');
        await page.keyboard.press('Control+a');
        await page.keyboard.press('Backspace');

        const first = await say(page, 'add buy milk tomorrow #shopping');
        const added = first.locator('.chat-changes li').filter({ hasText: 'Added' });
        await added.waitFor();
        assert.match(await added.innerText(), /Added “Buy milk”/);
        await row(page, 'Buy milk').waitFor(); // the list, without a reload
        const t = await findTask(user, 'Buy milk');
        assert.ok(t, 'the task exists');
        assert.deepEqual(t.tags, ['shopping']);
        const tomorrow = localDay(tz, 1);
        assert.equal(t.due_at, iso(wallToMs(tz, tomorrow.year, tomorrow.month, tomorrow.day, 9, 0)), 'tomorrow, 09:00 local');
        assert.equal(await box(page).inputValue(), '', 'the box is emptied');
        assert.equal(await focusedId(page), 'chat-message', 'focus stays in the box');
        await assertAccessible(page, 'the chat panel');
        await screenshot(page, 'chat-added');

        // a reload goes on with the same conversation, the panel still open
        await page.reload();
        await panel(page).waitFor();
        await panel(page).getByText('add buy milk tomorrow #shopping').waitFor();
        await answers(page).first().locator('.chat-changes li', { hasText: 'Added “Buy milk”' }).waitFor();
        // close and open again from the keyboard: focus goes back to the box
        await blur(page);
        await page.keyboard.press('c');
        await panel(page).waitFor({ state: 'detached' });
        await waitFor(async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'Assistant',
            { what: 'focus on the Assistant button once closed' });
        await page.keyboard.press('c');
        await waitForValue(() => focusedId(page), 'chat-message', 'focus in the message box again');
        // the panel opened anew reads the conversation again: wait for it before counting answers
        await answers(page).first().locator('.chat-changes li', { hasText: 'Added “Buy milk”' }).waitFor();

        const second = await say(page, 'make it high priority');
        const updated = second.locator('.chat-changes li').filter({ hasText: 'Updated' });
        await updated.waitFor();
        assert.match(await updated.innerText(), /Updated “Buy milk”/);
        await waitFor(async () => (await findTask(user, 'Buy milk'))?.priority === 'high', { what: 'priority high' });
        await waitFor(async () => /High priority/.test(await row(page, 'Buy milk').locator('.meta').innerText()),
            { what: 'the row shows the new priority without a reload' });

        // the change links to its task: Enter on it opens the editor
        await updated.getByRole('button', { name: /Buy milk/ }).focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        assert.equal(await dialog.getByLabel('Title').inputValue(), 'Buy milk');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });

        // Escape in the box closes the panel and gives focus back to its button
        await box(page).focus();
        await page.keyboard.press('Escape');
        await panel(page).waitFor({ state: 'detached' });
        await waitFor(async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'Assistant',
            { what: 'focus back on the Assistant button' });
        // Enter on that button opens it again; Escape from any of its controls closes it
        await page.keyboard.press('Enter');
        await waitForValue(() => focusedId(page), 'chat-message', 'focus in the message box');
        await page.keyboard.press('Shift+Tab'); // to the conversation's links, then the panel's buttons
        await page.keyboard.press('Escape');
        await panel(page).waitFor({ state: 'detached' });
        assertNoPageErrors(page);
    }));

    test('a refused message is shown as a sentence and put back; New conversation starts afresh', () => withPage(async (page) => {
        await signedIn(app, page);
        await page.getByRole('button', { name: 'Assistant', exact: true }).click();
        await waitForValue(() => focusedId(page), 'chat-message', 'focus in the message box');
        const long = 'x'.repeat(4001);
        await box(page).fill(long);
        await page.keyboard.press('Enter');
        const alert = panel(page).getByRole('alert');
        await alert.waitFor();
        assert.match(await alert.innerText(), /4000 characters/);
        assert.equal(await box(page).inputValue(), long, 'the message is kept to send again');
        assert.equal(await answers(page).count(), 0);
        assert.equal(await panel(page).locator('.chat-user').count(), 0, 'the refused message is not in the log');

        await box(page).fill('hello');
        await page.keyboard.press('Enter');
        await waitFor(async () => (await answers(page).count()) === 1, { what: 'an answer' });
        const convo = await page.evaluate(() => Object.entries(localStorage).find(([k]) => /^todo\.chat\.[^o]/.test(k))?.[1]);
        assert.match(convo ?? '', /^\d+$/, 'the conversation id is remembered');
        await panel(page).getByRole('button', { name: 'New conversation' }).click();
        assert.equal(await panel(page).locator('.chat-msg').count(), 0, 'the log is empty');
        await page.reload();
        await panel(page).waitFor();
        await panel(page).getByText('Say what to do').waitFor();
        assert.equal(await panel(page).locator('.chat-msg').count(), 0, 'a reload does not bring the old one back');
        assertOnlyRefused(page, [422]);
    }));

    test('on a narrow screen the panel is a sheet over the bottom', () => withPage({ viewport: { width: 390, height: 800 } }, async (page) => {
        await signedIn(app, page);
        await blur(page);
        await page.keyboard.press('c');
        await panel(page).waitFor();
        const box1 = await panel(page).boundingBox();
        assert.ok(box1.width >= 380, `full width: ${box1.width}`);
        assert.ok(Math.abs(box1.y + box1.height - 800) <= 1, `at the bottom: ${JSON.stringify(box1)}`);
        assert.equal(await panel(page).evaluate((el) => getComputedStyle(el).position), 'fixed');
        await waitForValue(() => focusedId(page), 'chat-message', 'focus in the message box');
        await assertAccessible(page, 'the chat sheet');
        await screenshot(page, 'chat-narrow');
    }));
});

function withPage(...args) { return app.withPage(...args); }
