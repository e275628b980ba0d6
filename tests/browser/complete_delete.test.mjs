// complete_delete.test.mjs - completing with undo, completing a repeating task (the next
// occurrence appears), and the delayed delete with its 5-second undo (page.clock runs the
// window out), including the confirmation before ending a series.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, toast, getTask, iso, middayZone, zoned, wallToMs } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const withPage = (...args) => app.withPage(...args);

const UNDO_WINDOW = '00:06'; // the undo toast lasts 5 s

const pad = (n) => String(n).padStart(2, '0');

describe('complete and delete', () => {
    test('complete with the checkbox, then Undo reopens it', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const t = await user.create({ title: 'Buy stamps' });
        await page.reload();
        const check = page.getByRole('checkbox', { name: 'Complete “Buy stamps”' });
        await check.click();
        const done = toast(page, 'Completed “Buy stamps”');
        await done.waitFor();
        await waitFor(async () => (await getTask(user, t.id)).completed === true, { what: 'completed in the API' });
        const undoCheck = page.getByRole('checkbox', { name: 'Mark “Buy stamps” as not done' });
        assert.equal(await undoCheck.getAttribute('aria-checked'), 'true');
        await screenshot(page, 'complete-toast');
        await done.getByRole('button', { name: 'Undo' }).click();
        await waitFor(async () => (await getTask(user, t.id)).status === 'pending', { what: 'reopened in the API' });
        await waitFor(async () => (await check.getAttribute('aria-checked')) === 'false', { what: 'the row reopened' });
        assertNoPageErrors(page);
    }));

    test('completing a repeating task names the next occurrence, whose row appears', () => withPage(async (page) => {
        const tz = middayZone();
        const user = await signedIn(app, page, { timezone: tz });
        const due = Math.ceil((Date.now() + 3600e3) / 60000) * 60000; // in an hour, on the minute: still today
        const t = await user.create({ title: 'Take vitamins', due_at: iso(due),
            recurrence: { rule: 'FREQ=DAILY', from: 'due' } });
        await page.reload();
        await row(page, 'Take vitamins').waitFor();
        await page.getByRole('checkbox', { name: 'Complete “Take vitamins”' }).click();
        await toast(page, 'Completed “Take vitamins”').waitFor();
        const z = zoned(due, tz);
        const hhmm = `${pad(z.hour)}:${pad(z.minute)}`;
        const next = toast(page, 'Next “Take vitamins”');
        await next.waitFor({ timeout: 15000 });
        assert.match(await next.innerText(), new RegExp(`Next “Take vitamins”: Tomorrow ${hhmm}`));
        await row(page, 'Take vitamins', { done: false }).waitFor();
        await screenshot(page, 'complete-recurring');
        assert.match(await row(page, 'Take vitamins', { done: false }).locator('.meta').innerText(),
            new RegExp(`Due Tomorrow ${hhmm}`));
        const pending = await user.listAll({ status: 'pending' });
        assert.equal(pending.length, 1);
        assert.notEqual(pending[0].id, t.id);
        const d1 = new Date(Date.UTC(z.year, z.month - 1, z.day + 1));
        assert.equal(pending[0].due_at, iso(wallToMs(tz, d1.getUTCFullYear(), d1.getUTCMonth() + 1, d1.getUTCDate(), z.hour, z.minute)));
        assert.equal((await getTask(user, t.id)).completed, true);
        assertNoPageErrors(page);
    }));

    test('delete with Undo keeps the task; delete without Undo removes it after the window', () => withPage(async (page) => {
        await page.clock.install();
        const user = await signedIn(app, page);
        const keep = await user.create({ title: 'Cancel the gym' });
        const gone = await user.create({ title: 'Old shopping list' });
        await page.reload();
        await row(page, 'Cancel the gym').waitFor();

        await page.getByRole('button', { name: 'Delete “Cancel the gym”' }).click();
        await row(page, 'Cancel the gym').waitFor({ state: 'detached' });
        const undo = toast(page, 'Deleted “Cancel the gym”');
        await undo.waitFor();
        await screenshot(page, 'delete-undo-toast');
        await undo.getByRole('button', { name: 'Undo' }).click();
        await row(page, 'Cancel the gym').waitFor();
        await page.clock.runFor(UNDO_WINDOW);
        assert.equal((await user.get(`/tasks/${keep.id}`)).status, 200);

        await page.getByRole('button', { name: 'Delete “Old shopping list”' }).click();
        await row(page, 'Old shopping list').waitFor({ state: 'detached' });
        const toastGone = toast(page, 'Deleted “Old shopping list”');
        await toastGone.waitFor();
        assert.equal((await user.get(`/tasks/${gone.id}`)).status, 200, 'not deleted during the undo window');
        await page.clock.runFor(UNDO_WINDOW);
        await toastGone.waitFor({ state: 'detached' });
        await waitFor(async () => (await user.get(`/tasks/${gone.id}`)).status === 404, { what: 'the delay ran out: 404' });
        // the undone delete was never sent (it would have gone before this one)
        assert.equal((await user.get(`/tasks/${keep.id}`)).status, 200);
        await row(page, 'Cancel the gym').waitFor();
        assert.equal(await row(page, 'Old shopping list').count(), 0);
        await screenshot(page, 'delete-done');
        assertNoPageErrors(page);
    }));

    test('deleting a repeating task asks first: Keep it, then Delete series', () => withPage(async (page) => {
        await page.clock.install();
        const user = await signedIn(app, page);
        const t = await user.create({ title: 'Stand-up meeting', due_at: iso(Date.now() + 24 * 3600e3),
            recurrence: { rule: 'FREQ=DAILY', from: 'due' } });
        await page.reload();
        await row(page, 'Stand-up meeting').waitFor();
        const del = page.getByRole('button', { name: 'Delete “Stand-up meeting”' });
        await del.click();
        const ask = page.getByRole('alertdialog', { name: 'Delete this repeating task?' });
        await ask.waitFor();
        await waitFor(() => ask.getByRole('button', { name: 'Keep it' }).evaluate((b) => b === document.activeElement),
            { what: 'focus on the safe choice' });
        await screenshot(page, 'delete-series-confirm');
        await ask.getByRole('button', { name: 'Keep it' }).click();
        await ask.waitFor({ state: 'detached' });
        await row(page, 'Stand-up meeting').waitFor();
        await page.clock.runFor(UNDO_WINDOW);
        assert.equal((await user.get(`/tasks/${t.id}`)).status, 200, 'kept');

        await del.click();
        await ask.getByRole('button', { name: 'Delete series' }).click();
        await ask.waitFor({ state: 'detached' });
        await row(page, 'Stand-up meeting').waitFor({ state: 'detached' });
        await toast(page, 'Deleted “Stand-up meeting” and ended its series').waitFor();
        await page.clock.runFor(UNDO_WINDOW);
        await waitFor(async () => (await user.get(`/tasks/${t.id}`)).status === 404, { what: 'the series deleted' });
        assertNoPageErrors(page);
    }));

    test('Delete in the editor, then Keep it: back in the editor with the unsaved changes', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const t = await user.create({ title: 'Water the garden', due_at: iso(Date.now() + 24 * 3600e3),
            recurrence: { rule: 'FREQ=DAILY', from: 'due' } });
        await page.reload();
        await page.getByRole('button', { name: 'Edit “Water the garden”' }).click();
        let dialog = page.getByRole('dialog', { name: 'Edit task' });
        await dialog.getByLabel('Title', { exact: true }).fill('Water the garden and the pots');
        await dialog.getByRole('button', { name: 'Delete' }).click();
        const ask = page.getByRole('alertdialog', { name: 'Delete this repeating task?' });
        await ask.getByRole('button', { name: 'Keep it' }).click();
        dialog = page.getByRole('dialog', { name: 'Edit task' });
        await waitFor(async () => (await dialog.getByLabel('Title', { exact: true }).inputValue())
            === 'Water the garden and the pots', { what: 'the unsaved title back in the editor' });
        assert.equal((await user.get(`/tasks/${t.id}`)).json.title, 'Water the garden', 'nothing saved');
        assertNoPageErrors(page);
    }));
});
