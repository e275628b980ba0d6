// history_settings.test.mjs - a task's history (written asynchronously by the audit service,
// so the page is polled), still readable after the task is deleted; and the settings page
// (name and time zone), whose zone the task list then follows.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, findTask, waitForValue } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const withPage = (...args) => app.withPage(...args);

/** The history page's entries (type words and text), reloading until want types show. */
async function historyTypes(page, want) {
    const list = page.getByRole('list', { name: 'Changes, newest first' });
    const types = async () => {
        if (!(await list.count())) return [];
        return list.locator(':scope > li > strong').allInnerTexts();
    };
    await waitForValue(async () => {
        const now = await types();
        if (JSON.stringify(now) !== JSON.stringify(want)) {
            await page.reload();
            await page.getByRole('heading', { level: 1 }).waitFor();
            await page.locator('.history-list, .empty, .banner').first().waitFor();
            return types();
        }
        return now;
    }, want, 'the history entries', 15000);
    return list;
}

describe('history and settings', () => {
    test('History from the editor lists Created, Changed and Completed, newest first', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        await page.getByLabel('New task').fill('Organise the garage');
        await page.getByLabel('New task').press('Enter');
        await row(page, 'Organise the garage').waitFor();

        await page.getByRole('button', { name: 'Edit “Organise the garage”' }).click();
        let dialog = page.getByRole('dialog', { name: 'Edit task' });
        await waitFor(async () => (await dialog.getByLabel('Title', { exact: true }).inputValue()) === 'Organise the garage');
        await dialog.getByLabel('Priority', { exact: true }).selectOption({ label: 'High' });
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await dialog.waitFor({ state: 'detached' });
        await page.getByRole('checkbox', { name: 'Complete “Organise the garage”' }).click();
        const t = await waitFor(async () => { const x = await findTask(user, 'Organise the garage'); return x?.completed && x; },
            { what: 'completed' });

        await page.getByRole('button', { name: 'Edit “Organise the garage”' }).click();
        dialog = page.getByRole('dialog', { name: 'Edit task' });
        await dialog.getByRole('button', { name: 'History' }).click();
        await page.waitForURL((u) => u.pathname === '/history' && u.searchParams.get('task') === String(t.id));
        await page.getByRole('heading', { level: 1, name: 'History: Organise the garage' }).waitFor();
        const list = await historyTypes(page, ['Completed', 'Changed', 'Created']);
        const changed = list.locator(':scope > li').nth(1);
        assert.match(await changed.innerText(), /priority: none → high/);
        assert.match(await list.locator(':scope > li').nth(0).innerText(), /status: pending → completed/);
        // only what says something: the creation names the title, not every empty field, and
        // "completed" (the same fact as status) is never listed
        const created = await list.locator(':scope > li').nth(2).innerText();
        assert.match(created, /title: nothing → Organise the garage/);
        assert.doesNotMatch(created, /→ none|→ false|status:/);
        assert.doesNotMatch(await list.innerText(), /completed: /);
        await screenshot(page, 'history');
        assert.equal(await page.getByText('has been deleted').count(), 0);
        await page.getByRole('link', { name: '← Back to tasks' }).click();
        await page.waitForURL((u) => u.pathname === '/');
        assertNoPageErrors(page);
    }));

    test('a deleted task’s history stays readable', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const t = await user.create({ title: 'Sell the old bike' });
        await user.patch(`/tasks/${t.id}`, { json: { priority: 'low' } });
        assert.equal((await user.del(`/tasks/${t.id}`)).status, 204);
        await page.goto(`/history?task=${t.id}`);
        await historyTypes(page, ['Deleted', 'Changed', 'Created']);
        await page.getByText('This task has been deleted; its history stays.').waitFor();
        await page.getByRole('heading', { level: 1, name: 'History: Sell the old bike' }).waitFor();
        await screenshot(page, 'history-deleted');
        // the page asked for the task itself and was told 404: expected, nothing else
        page.errors = page.errors.filter((e) => !/status of 404/.test(e));
        assertNoPageErrors(page);
    }));

    test('settings: name and time zone are saved and the list follows the zone', () => withPage(async (page) => {
        const user = await signedIn(app, page, { name: 'Grace' });
        await user.create({ title: 'Call the Tokyo office', due_at: '2027-03-10T00:00:00Z' });
        await page.reload();
        const meta = row(page, 'Call the Tokyo office').locator('.meta');
        assert.match(await meta.innerText(), /Due 10 Mar 2027 00:00/);

        await page.getByRole('link', { name: /^Settings/ }).click();
        await page.waitForURL((u) => u.pathname === '/settings');
        const name = page.getByLabel('Name');
        await waitFor(async () => (await name.inputValue()) === 'Grace', { what: 'the name loaded' });
        await name.fill('Grace Hopper');
        await page.getByLabel('Time zone').selectOption('Asia/Tokyo');
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
        await screenshot(page, 'settings-saved');
        const me = await app.server.api.get('/api/auth/me', { token: user.token });
        assert.equal(me.status, 200);
        assert.equal(me.json.name, 'Grace Hopper');
        assert.equal(me.json.timezone, 'Asia/Tokyo');

        await page.getByRole('link', { name: 'Todo', exact: true }).click();
        await page.waitForURL((u) => u.pathname === '/');
        await waitFor(async () => /Due 10 Mar 2027 09:00/.test(await meta.innerText()), { what: 'the due label in Tokyo time' });
        await screenshot(page, 'settings-tokyo-list');
        // and a reload (the session kept in storage) keeps it
        await page.reload();
        await waitFor(async () => /Due 10 Mar 2027 09:00/.test(await meta.innerText()), { what: 'Tokyo time after a reload' });
        assertNoPageErrors(page);
    }));
});
