// live_sync.test.mjs - live sync (docs/decisions/0033-websocket-realtime.md): two tabs of one
// user; a change made in one tab, or through the API as another device would, shows in the
// other without a reload; after the server restarts both tabs reconnect and go on syncing,
// and what changed while they were cut off shows too. Another user's tab sees none of it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const reloads = (page) => {
    const n = { count: 0 };
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) n.count++; });
    return n;
};

describe('live sync between tabs', () => {
    test('edits, completions and deletions in one tab show in the other, and after a restart', async () => {
        const one = await app.newPage();
        const stranger = await app.newPage();
        try {
            const user = await signedIn(app, one);
            await signedIn(app, stranger);
            const two = await one.context().newPage(); // the same browser: the same session
            two.errors = [];
            two.on('pageerror', (e) => two.errors.push(String(e)));
            two.on('console', (m) => { if (m.type() === 'error') two.errors.push(m.text()); });
            await two.goto('/');
            await two.getByRole('heading', { level: 1 }).waitFor();
            const navigations = reloads(two);

            // created in tab one
            await one.getByLabel('New task').fill('Call the plumber');
            await one.getByLabel('New task').press('Enter');
            await row(two, 'Call the plumber').waitFor();
            // completed in tab one
            await one.getByRole('checkbox', { name: 'Complete “Call the plumber”' }).click();
            await row(two, 'Call the plumber', { done: true }).waitFor();
            // edited on another device (the API)
            const t = (await user.listAll({ status: 'completed' })).find((x) => x.title === 'Call the plumber');
            assert.ok(t, 'the task exists');
            assert.equal((await user.patch(`/tasks/${t.id}`, { json: { title: 'Call the plumber at 9' } })).status, 200);
            await row(two, 'Call the plumber at 9').waitFor();
            await row(one, 'Call the plumber at 9').waitFor();
            await screenshot(two, 'live-sync-second-tab');
            // deleted on another device
            const gone = await user.create({ title: 'Short-lived' });
            await row(two, 'Short-lived').waitFor();
            assert.equal((await user.del(`/tasks/${gone.id}`)).status, 204);
            await row(two, 'Short-lived').waitFor({ state: 'detached' });
            assert.equal(navigations.count, 0, 'no reload of the second tab');

            // the server restarts: both tabs reconnect; a change made while they were cut off
            // shows on reconnect, and the next ones live
            await app.server.restart();
            const during = await user.create({ title: 'Made during the restart' });
            await row(two, during.title).waitFor({ timeout: 20000 });
            await row(one, during.title).waitFor({ timeout: 20000 });
            await user.create({ title: 'After the restart' });
            await row(two, 'After the restart').waitFor();
            await row(one, 'After the restart').waitFor();
            assert.equal(navigations.count, 0, 'still no reload of the second tab');

            assert.equal(await stranger.locator('.task-row').count(), 0, 'another user saw nothing');
            // while the server was down, the browser noted the refused connections, and a
            // request it sent on a kept-alive connection the stopping server closed was reset
            for (const p of [one, two]) {
                p.errors = p.errors.filter((e) => !/ERR_CONNECTION_(REFUSED|RESET)|WebSocket connection to .* failed/.test(e));
                assertNoPageErrors(p);
            }
        } finally {
            await one.context().close();
            await stranger.context().close();
        }
    });
});
