// tasks.test.mjs - the main screen: quick add through the server's parser, search as you type, filters,
// the due views and their counts, sorting, infinite scroll, the empty states and the keyboard.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, toast, waitForRows, waitForValue, findTask, getTask, localDay, wallToMs, iso, middayZone, blur } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const withPage = (...args) => app.withPage(...args);

describe('tasks', () => {
    test('quick add parses #tag, !priority and a due phrase in the user zone', () => withPage(async (page) => {
        const tz = 'America/New_York';
        const user = await signedIn(app, page, { timezone: tz });
        const quick = page.getByLabel('New task');
        await quick.fill('Pay rent tomorrow at 9am #bills !high');
        const preview = page.locator('#quick-add-preview');
        const tomorrow = localDay(tz, 1);
        const want = iso(wallToMs(tz, tomorrow.year, tomorrow.month, tomorrow.day, 9, 0));
        const dueWords = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric',
            month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(want));
        await preview.getByText(`Due ${dueWords}`).waitFor();
        await preview.getByText('high priority').waitFor();
        await preview.getByText('#bills').waitFor();
        await screenshot(page, 'tasks-quick-add-preview');
        await quick.press('Enter');
        await row(page, 'Pay rent').waitFor();
        assert.equal(await quick.inputValue(), '');
        const t = await findTask(user, 'Pay rent');
        assert.ok(t, 'the task was created with the title "Pay rent"');
        assert.deepEqual(t.tags, ['bills']);
        assert.equal(t.priority, 'high');
        assert.equal(t.due_at, want);
        const meta = await row(page, 'Pay rent').locator('.meta').innerText();
        assert.match(meta, /Due Tomorrow 09:00/);
        assert.match(meta, /High priority/);

        // a plain title: no chips, nothing but the title
        await quick.fill('Send the May invoice');
        await page.locator('#quick-add-preview[aria-busy="false"]').waitFor(); // the server's reading is in
        assert.equal(await preview.locator('.chip').count(), 0, 'no chips for a plain title');
        await quick.press('Enter');
        await row(page, 'Send the May invoice').waitFor();
        const plain = await findTask(user, 'Send the May invoice');
        assert.equal(plain.due_at, null);
        assert.deepEqual(plain.tags, []);
        assert.equal(plain.priority, 'none');
        await screenshot(page, 'tasks-quick-add');
        assertNoPageErrors(page);
    }));

    // Quick add reads lines with the server's parser (ADR 0042); a weekday before a noun inside
    // the title, or "sun" after "the", is the title's, not a due date (docs/assistant-time.md).
    test('a weekday inside the title is not a due phrase', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const quick = page.getByLabel('New task');
        const preview = page.locator('#quick-add-preview');
        for (const title of ['Plan Monday meeting notes', 'Enjoy the sun']) {
            await quick.fill(title);
            await page.locator('#quick-add-preview[aria-busy="false"]').waitFor();
            assert.equal(await preview.locator('.chip').count(), 0, `no chips for "${title}"`);
            await quick.press('Enter');
            await row(page, title).waitFor();
            const plain = await findTask(user, title);
            assert.equal(plain.due_at, null);
            assert.deepEqual(plain.tags, []);
            assert.equal(plain.priority, 'none');
        }
        assertNoPageErrors(page);
    }));

    test('search as you type finds by prefix and puts ?q= in the URL', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        for (const title of ['Buy groceries', 'Walk the dog', 'Call the plumber']) await user.create({ title });
        await page.reload();
        await waitForRows(page, ['Call the plumber', 'Walk the dog', 'Buy groceries']);
        await page.getByLabel('Search tasks').pressSequentially('groc');
        await page.waitForURL((u) => u.searchParams.get('q') === 'groc');
        await waitForRows(page, ['Buy groceries'], 'search results');
        await page.getByRole('heading', { level: 1, name: 'Search: groc' }).waitFor();
        await screenshot(page, 'tasks-search');
        // the URL keeps the search: a reload shows the same
        await page.reload();
        await waitForRows(page, ['Buy groceries'], 'search results after a reload');
        assert.equal(await page.getByLabel('Search tasks').inputValue(), 'groc');
        assertNoPageErrors(page);
    }));

    test('typing at the pace of the debounce keeps every letter', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        await user.create({ title: 'Buy groceries' });
        await page.reload();
        await waitForRows(page, ['Buy groceries']);
        // keystrokes ~one debounce apart: each pause sends a search while the next letter is
        // typed; the URL's echo of an earlier search must not overwrite the box
        const box = page.getByLabel('Search tasks');
        await box.pressSequentially('groceries', { delay: 240 });
        await page.waitForURL((u) => u.searchParams.get('q') === 'groceries');
        assert.equal(await box.inputValue(), 'groceries');
        await waitForRows(page, ['Buy groceries'], 'search results');
        assertNoPageErrors(page);
    }));

    test('filters: status, priority chips, tag chips', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        await user.create({ title: 'Pay the electricity bill', priority: 'high', tags: ['bills', 'home'] });
        await user.create({ title: 'Fix the shelf', priority: 'low', tags: ['home'] });
        await user.create({ title: 'Read a book', priority: 'medium' });
        const done = await user.create({ title: 'File taxes', priority: 'high', tags: ['bills'] });
        await user.patch(`/tasks/${done.id}/complete`, { json: { completed: true } });
        await page.reload();
        await waitForRows(page, ['Read a book', 'Fix the shelf', 'Pay the electricity bill']);

        const status = page.getByLabel('Status', { exact: true });
        await status.selectOption({ label: 'Completed' });
        await page.waitForURL((u) => u.searchParams.get('status') === 'completed');
        await waitForRows(page, ['File taxes'], 'completed');
        await status.selectOption({ label: 'Open and completed' });
        await waitForRows(page, ['File taxes', 'Read a book', 'Fix the shelf', 'Pay the electricity bill'], 'all');
        await status.selectOption({ label: 'Open' });
        await waitForRows(page, ['Read a book', 'Fix the shelf', 'Pay the electricity bill'], 'open');

        const prio = page.getByRole('group', { name: 'Priority' });
        await prio.getByRole('button', { name: 'High', exact: true }).click();
        await waitForRows(page, ['Pay the electricity bill'], 'high');
        assert.equal(await prio.getByRole('button', { name: 'High', exact: true }).getAttribute('aria-pressed'), 'true');
        await prio.getByRole('button', { name: 'Low', exact: true }).click();
        await page.waitForURL((u) => u.searchParams.get('priority') === 'high,low');
        await waitForRows(page, ['Fix the shelf', 'Pay the electricity bill'], 'high or low');
        await screenshot(page, 'tasks-filter-priority');
        await prio.getByRole('button', { name: 'High', exact: true }).click();
        await prio.getByRole('button', { name: 'Low', exact: true }).click();
        await waitForRows(page, ['Read a book', 'Fix the shelf', 'Pay the electricity bill'], 'no priority filter');

        // a tag chip on a row filters by that tag; the filter chip takes it away again
        await row(page, 'Fix the shelf').getByRole('button', { name: 'Show tasks tagged home' }).click();
        await page.waitForURL((u) => u.searchParams.get('tags') === 'home');
        await waitForRows(page, ['Fix the shelf', 'Pay the electricity bill'], 'tag home');
        await row(page, 'Pay the electricity bill').getByRole('button', { name: 'Show tasks tagged bills' }).click();
        await page.waitForURL((u) => u.searchParams.get('tags') === 'home,bills');
        await waitForRows(page, ['Pay the electricity bill'], 'tags home and bills');
        await screenshot(page, 'tasks-filter-tags');
        await page.getByRole('button', { name: 'Remove tag filter home' }).click();
        await waitForRows(page, ['Pay the electricity bill'], 'tag bills');
        await page.getByRole('button', { name: 'Remove tag filter bills' }).click();
        await page.waitForURL((u) => !u.searchParams.has('tags'));
        await waitForRows(page, ['Read a book', 'Fix the shelf', 'Pay the electricity bill'], 'no tag filter');
        // the sidebar's tag list filters too
        await page.getByRole('complementary').getByRole('button', { name: /#bills/ }).click();
        await waitForRows(page, ['Pay the electricity bill'], 'sidebar tag bills');
        assertNoPageErrors(page);
    }));

    test('due views show the right tasks and their counts', () => withPage(async (page) => {
        const tz = middayZone();
        const user = await signedIn(app, page, { timezone: tz });
        const now = Date.now();
        const h = 3600e3;
        await user.create({ title: 'Overdue: return library books', due_at: iso(now - 3 * 24 * h) });
        await user.create({ title: 'Today: water the plants', due_at: iso(now + h) });
        await user.create({ title: 'Tomorrow: dentist', due_at: iso(now + 24 * h) });
        await user.create({ title: 'In four days: dinner party', due_at: iso(now + 4 * 24 * h) });
        await user.create({ title: 'In three weeks: renew insurance', due_at: iso(now + 21 * 24 * h) });
        await user.create({ title: 'Someday: learn the cello' });
        const done = await user.create({ title: 'Done today: post the letter', due_at: iso(now + 2 * h) });
        await user.patch(`/tasks/${done.id}/complete`, { json: { completed: true } });
        await page.reload();

        const views = page.getByRole('navigation', { name: 'Views' });
        const expect = {
            All: ['Someday: learn the cello', 'In three weeks: renew insurance', 'In four days: dinner party',
                'Tomorrow: dentist', 'Today: water the plants', 'Overdue: return library books'],
            Overdue: ['Overdue: return library books'],
            Today: ['Today: water the plants'],
            Tomorrow: ['Tomorrow: dentist'],
            'Next 7 days': ['In four days: dinner party', 'Tomorrow: dentist', 'Today: water the plants'],
            'No date': ['Someday: learn the cello'],
        };
        // the counts next to the views
        const counts = () => views.locator('a').evaluateAll((as) => Object.fromEntries(as.map((a) =>
            [a.querySelector('span').textContent, a.querySelector('.count').textContent])));
        await waitForValue(counts, Object.fromEntries(Object.entries(expect).map(([k, v]) => [k, `${v.length} open`])),
            'the view counts');
        for (const [view, titles] of Object.entries(expect)) {
            await views.getByRole('link', { name: new RegExp(`^${view}`) }).click();
            await page.getByRole('heading', { level: 1, name: view }).waitFor();
            await waitForRows(page, titles, `view ${view}`);
            assert.equal(await views.getByRole('link', { name: new RegExp(`^${view}`) }).getAttribute('aria-current'), 'page');
            if (view === 'Overdue') {
                assert.match(await row(page, titles[0]).locator('.meta').innerText(), /Overdue · /);
            }
            if (view === 'Today') await screenshot(page, 'tasks-view-today');
        }
        assertNoPageErrors(page);
    }));

    test('the sort select orders the rows', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const day = 24 * 3600e3;
        const now = Date.now();
        await user.create({ title: 'Banana bread', due_at: iso(now + 2 * day), priority: 'low' });
        await user.create({ title: 'apple pie', due_at: iso(now + 5 * day), priority: 'high' });
        await user.create({ title: 'Cherry jam', priority: 'medium' });
        await user.create({ title: 'date scones', due_at: iso(now + day) });
        await page.reload();
        await waitForRows(page, ['date scones', 'Cherry jam', 'apple pie', 'Banana bread'], 'newest first');
        const sort = page.getByLabel('Sort', { exact: true });
        await sort.selectOption({ label: 'Title' });
        await page.waitForURL((u) => u.searchParams.get('sort') === 'title');
        await waitForRows(page, ['apple pie', 'Banana bread', 'Cherry jam', 'date scones'], 'by title');
        await sort.selectOption({ label: 'Due date' });
        await waitForRows(page, ['date scones', 'Banana bread', 'apple pie', 'Cherry jam'], 'by due date');
        await sort.selectOption({ label: 'Priority' });
        await waitForRows(page, ['apple pie', 'Cherry jam', 'Banana bread', 'date scones'], 'by priority');
        await screenshot(page, 'tasks-sort-priority');
        assertNoPageErrors(page);
    }));

    test('infinite scroll loads all 120 tasks once each', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const titles = Array.from({ length: 120 }, (_, i) => `Task number ${String(i + 1).padStart(3, '0')}`);
        for (let i = 0; i < titles.length; i += 20) {
            await Promise.all(titles.slice(i, i + 20).map((title) => user.create({ title })));
        }
        await page.reload();
        await page.locator('.task-row').first().waitFor();
        const footer = page.locator('.list-footer');
        await footer.getByText('Showing 50 of 120').waitFor();
        await waitFor(async () => {
            await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
            return (await page.locator('.task-row').count()) === 120;
        }, { deadlineMs: 15000, what: 'all 120 rows' });
        const shown = await page.locator('.task-row .title-btn').allInnerTexts();
        assert.equal(shown.length, 120);
        assert.equal(new Set(shown).size, 120, 'no duplicates');
        assert.deepEqual([...shown].sort(), [...titles].sort());
        await footer.getByText('Showing 120 of 120').waitFor();
        assert.equal(await footer.getByRole('button', { name: 'Load more' }).count(), 0);
        await page.getByText('120 tasks', { exact: true }).waitFor();
        await screenshot(page, 'tasks-infinite-scroll');
        assertNoPageErrors(page);
    }));

    test('empty states: a new user, and a search that finds nothing', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        await page.getByText('No open tasks.').waitFor();
        await page.getByText('Type one in the line above').waitFor();
        await screenshot(page, 'tasks-empty-new-user');
        await user.create({ title: 'Buy milk' });
        await page.reload();
        await waitForRows(page, ['Buy milk']);
        await page.getByLabel('Search tasks').fill('xyzzyplugh');
        await page.getByText('Nothing matches.').waitFor();
        await screenshot(page, 'tasks-empty-search');
        await page.getByRole('button', { name: 'clear all filters' }).click();
        await waitForRows(page, ['Buy milk'], 'after clearing the filters');
        await page.waitForURL((u) => u.search === '');
        assert.equal(await page.getByLabel('Search tasks').inputValue(), '');
        assertNoPageErrors(page);
    }));

    test('keyboard: n, /, j, x, e, ? and Escape', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const first = await user.create({ title: 'Second in the list' });
        const top = await user.create({ title: 'First in the list' });
        await page.reload();
        await waitForRows(page, ['First in the list', 'Second in the list']);
        const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');

        await blur(page);
        await page.keyboard.press('n');
        await waitForValue(focusedId, 'quick-add', 'n focuses quick add');
        assert.equal(await page.getByLabel('New task').inputValue(), '', 'the n is not typed');
        await blur(page);
        await page.keyboard.press('/');
        await waitForValue(focusedId, 'search', '/ focuses search');
        assert.equal(await page.getByLabel('Search tasks').inputValue(), '');
        await page.keyboard.press('Escape');
        await waitForValue(focusedId, '', 'Escape leaves search');

        await page.keyboard.press('j');
        await row(page, 'First in the list').and(page.locator('[aria-current="true"]')).waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'First in the list');
        await page.keyboard.press('x');
        await toast(page, 'Completed “First in the list”').waitFor();
        await waitFor(async () => (await getTask(user, top.id)).completed === true, { what: 'x completes the task' });
        assert.equal((await getTask(user, first.id)).completed, false);
        await row(page, 'First in the list', { done: true }).waitFor();

        await page.keyboard.press('e');
        const editor = page.getByRole('dialog', { name: 'Edit task' });
        await editor.waitFor();
        await waitFor(async () => (await editor.getByLabel('Title', { exact: true }).inputValue()) === 'First in the list');
        await screenshot(page, 'tasks-keyboard-editor');
        await page.keyboard.press('Escape');
        await editor.waitFor({ state: 'detached' });

        await blur(page);
        await page.keyboard.press('?');
        const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
        await help.waitFor();
        await screenshot(page, 'tasks-keyboard-shortcuts');
        await page.keyboard.press('Escape');
        await help.waitFor({ state: 'detached' });
        assertNoPageErrors(page);
    }));
});
