// quality.test.mjs - accessibility (axe-core: no serious or critical findings; every Tab stop
// has a name), the phone layout, the screenshots (main-desktop-light is the README's), and
// how the server serves the UI (types, caching, client-side routes).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertAccessible, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, iso, localAt, middayZone, waitForRows, findTask } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const withPage = (...args) => app.withPage(...args);

/** Six everyday tasks: tags, priorities, a repeating one, an overdue one, reminders. */
async function seed(user, tz) {
    await user.create({ title: 'Book a dentist appointment', priority: 'low', tags: ['health'] });
    await user.create({ title: 'Read “Designing Data-Intensive Applications”', tags: ['reading'],
        due_at: iso(localAt(tz, 10, 20, 0)) });
    await user.create({ title: 'Pay rent', priority: 'high', tags: ['bills', 'home'],
        due_at: iso(localAt(tz, 4, 9, 0)), reminders: [{ before: 'P1D' }] });
    await user.create({ title: 'Team stand-up', tags: ['work'], due_at: iso(localAt(tz, 1, 9, 30)),
        recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', from: 'due' } });
    await user.create({ title: 'Renew car insurance', priority: 'high', tags: ['car', 'bills'],
        due_at: iso(localAt(tz, -1, 17, 0)) });
    await user.create({ title: 'Buy groceries', priority: 'medium', tags: ['home', 'shopping'],
        description: 'Milk, eggs, bread, coffee', due_at: iso(localAt(tz, 0, 18, 0)), reminders: [{ before: 'PT1H' }] });
}
const SEEDED = ['Buy groceries', 'Renew car insurance', 'Team stand-up', 'Pay rent',
    'Read “Designing Data-Intensive Applications”', 'Book a dentist appointment'];

async function signedInWithTasks(page, opts = {}) {
    const tz = middayZone(); // "today 18:00" is still to come, "yesterday" is overdue
    const user = await signedIn(app, page, { timezone: tz, name: 'Ada', ...opts });
    await seed(user, tz);
    await page.reload();
    await waitForRows(page, SEEDED);
    await page.locator('.count').first().filter({ hasText: /\d/ }).waitFor(); // the counts are in
    return user;
}

/** The first line of the focused element's ARIA snapshot: `- role "name"`. */
async function focusedRoleName(page) {
    const snap = await page.locator(':focus').ariaSnapshot();
    const m = /^- ([a-z]+)(?: "((?:[^"\\]|\\.)*)")?/.exec(snap.split('\n')[0]);
    return m ? { role: m[1], name: m[2] ?? '' } : { role: '?', name: '', snap };
}

describe('quality', () => {
    test('sign-in and sign-up pages are accessible', () => withPage({}, async (page) => {
        await page.goto('/signin');
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await assertAccessible(page, '/signin');
        await screenshot(page, 'quality-signin');
        await page.goto('/signup');
        await page.getByRole('heading', { name: 'Create your account' }).waitFor();
        await assertAccessible(page, '/signup');
        await page.goto('/signin?expired=1');
        await page.getByText('Your session has ended').waitFor();
        await assertAccessible(page, '/signin?expired=1');
        assertNoPageErrors(page);
    }));

    for (const scheme of ['light', 'dark']) {
        test(`main screen (${scheme}): accessible, and the desktop screenshot`, () => withPage({ colorScheme: scheme }, async (page) => {
            await signedInWithTasks(page);
            await page.mouse.move(0, 0);
            await assertAccessible(page, `main screen, ${scheme}`);
            await screenshot(page, `main-desktop-${scheme}`);
            assertNoPageErrors(page);
        }));
    }

    test('theme: follows the system until chosen; a choice is kept and wins', () => withPage({ colorScheme: 'dark' }, async (page) => {
        await signedIn(app, page);
        const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
        const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(await theme(), 'dark', 'the system is dark');
        assert.equal(await bg(), 'rgb(15, 18, 22)');
        await page.emulateMedia({ colorScheme: 'light' });
        await waitFor(async () => (await theme()) === 'light', { what: 'following the system to light' });
        assert.equal(await bg(), 'rgb(246, 247, 249)');
        // a choice made in the header wins over the system and survives a reload
        await page.getByRole('button', { name: 'Switch to dark theme' }).click();
        assert.equal(await theme(), 'dark');
        await page.reload();
        await page.getByRole('heading', { level: 1 }).waitFor();
        assert.equal(await theme(), 'dark', 'the choice is kept');
        await page.emulateMedia({ colorScheme: 'dark' });
        await page.emulateMedia({ colorScheme: 'light' });
        assert.equal(await theme(), 'dark', 'the system no longer decides');
        // back to "same as the system" in Settings
        await page.goto('/settings');
        await page.getByLabel('Same as the system').check();
        assert.equal(await theme(), 'light');
        assertNoPageErrors(page);
    }));

    test('editor, shortcuts dialog, settings and history are accessible', () => withPage({}, async (page) => {
        const user = await signedInWithTasks(page);
        await page.getByRole('button', { name: 'Edit “Team stand-up”' }).click();
        const editor = page.getByRole('dialog', { name: 'Edit task' });
        await waitFor(async () => (await editor.getByLabel('Title', { exact: true }).inputValue()) === 'Team stand-up');
        await assertAccessible(page, 'the editor');
        await screenshot(page, 'quality-editor');
        await page.keyboard.press('Escape');
        await editor.waitFor({ state: 'detached' });

        await page.getByRole('button', { name: /Keyboard shortcuts/ }).click();
        const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
        await help.waitFor();
        await assertAccessible(page, 'the shortcuts dialog');
        await page.keyboard.press('Escape');
        await help.waitFor({ state: 'detached' });

        await page.goto('/settings');
        await waitFor(async () => (await page.getByLabel('Name').inputValue()) === 'Ada');
        await assertAccessible(page, '/settings');
        await screenshot(page, 'quality-settings');

        const t = await findTask(user, 'Pay rent');
        await user.patch(`/tasks/${t.id}`, { json: { priority: 'medium' } });
        await page.goto(`/history?task=${t.id}`);
        await page.getByRole('heading', { name: 'History: Pay rent' }).waitFor();
        await page.getByRole('list', { name: 'Changes, newest first' }).waitFor();
        await assertAccessible(page, '/history');
        assertNoPageErrors(page);
    }));

    for (const scheme of ['light', 'dark']) {
        test(`phone width (${scheme}): no horizontal overflow, quick add and the list work`, () => withPage(
            { viewport: { width: 390, height: 844 }, colorScheme: scheme }, async (page) => {
                await signedInWithTasks(page);
                const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
                assert.ok(await overflow() <= 0, `no horizontal scrolling (${await overflow()} px too wide)`);
                const quick = page.getByLabel('New task');
                await quick.fill('Call the plumber tomorrow at 8am #home');
                await page.getByRole('button', { name: 'Add', exact: true }).click();
                await row(page, 'Call the plumber').waitFor();
                assert.ok(await overflow() <= 0, 'still no horizontal scrolling');
                const dismiss = page.locator('.toasts').getByRole('button', { name: 'Dismiss' });
                while (await dismiss.count()) await dismiss.first().click();
                await page.mouse.move(0, 0);
                await screenshot(page, `main-phone-${scheme}`);
                await page.getByRole('checkbox', { name: 'Complete “Buy groceries”' }).click();
                await page.getByRole('checkbox', { name: 'Mark “Buy groceries” as not done' }).waitFor();
                await page.getByRole('button', { name: 'Edit “Pay rent”' }).click();
                const editor = page.getByRole('dialog', { name: 'Edit task' });
                await waitFor(async () => (await editor.getByLabel('Title', { exact: true }).inputValue()) === 'Pay rent');
                const box = await editor.boundingBox();
                assert.ok(box.x >= 0 && box.x + box.width <= 390 + 0.5, `the editor fits the screen: ${JSON.stringify(box)}`);
                await screenshot(page, `quality-phone-editor-${scheme}`);
                await page.keyboard.press('Escape');
                await editor.waitFor({ state: 'detached' });
                assertNoPageErrors(page);
            }));
    }

    test('every Tab stop on the main screen has an accessible name', () => withPage({}, async (page) => {
        await signedInWithTasks(page);
        await page.getByRole('checkbox', { name: 'Complete “Pay rent”', exact: true }).waitFor();
        await page.getByRole('button', { name: 'Delete “Pay rent”', exact: true }).waitFor();
        await page.getByRole('button', { name: 'Edit “Pay rent”', exact: true }).waitFor();
        await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
        const stops = [];
        const seen = new Set();
        for (let i = 0; i < 150; i++) {
            await page.keyboard.press('Tab');
            const key = await page.evaluate(() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                if (!el.dataset.tabSeen) el.dataset.tabSeen = String(Math.random());
                return el.dataset.tabSeen;
            });
            if (!key || seen.has(key)) break; // back to the start
            seen.add(key);
            stops.push(await focusedRoleName(page));
        }
        assert.ok(stops.length > 30, `many Tab stops (${stops.length})`);
        const unnamed = stops.filter((s) => !s.name.trim());
        assert.deepEqual(unnamed, [], 'every Tab stop has a name');
        const names = stops.map((s) => `${s.role} ${s.name}`);
        for (const want of ['link Skip to tasks', 'textbox New task', 'searchbox Search tasks', 'checkbox Complete “Pay rent”',
            'button Edit “Pay rent”', 'button Delete “Pay rent”', 'button Show tasks tagged bills', 'combobox Sort']) {
            assert.ok(names.includes(want), `a Tab stop "${want}" in:\n${names.join('\n')}`);
        }
        assertNoPageErrors(page);
    }));

    test('serving: HTML, immutable assets, client-side routes', () => withPage({}, async (page) => {
        const api = app.server.api;
        const home = await api.get('/');
        assert.equal(home.status, 200);
        assert.match(home.headers.get('content-type'), /^text\/html/);
        const asset = /\/_next\/static\/[^"']+\.(?:js|css)/.exec(home.text);
        assert.ok(asset, 'the page links a /_next/static/ asset');
        const a = await api.get(asset[0]);
        assert.equal(a.status, 200);
        assert.equal(a.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.doesNotMatch(home.headers.get('cache-control') || '', /immutable/, 'the page itself is not cached for ever');
        const deep = await api.get('/no/such/page');
        assert.equal(deep.status, 200);
        assert.match(deep.headers.get('content-type'), /^text\/html/);

        await page.goto('/no/such/page');
        await page.waitForURL((u) => u.pathname === '/signin');
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await screenshot(page, 'quality-deep-link');
        assertNoPageErrors(page);
    }));
});
