// editor.test.mjs - the task editor: every field saved and checked through the API, due
// times in the user's zone, reminders, the repeat presets and the custom builder, field
// errors, the 412 conflict flows, and the keyboard (Ctrl+Enter saves, Escape cancels).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor } from './lib/browser.mjs';
import { row, toast, getTask, draftText } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const TZ = 'Europe/Berlin';

const withPage = (...args) => app.withPage(...args);

/** Opens the editor of the row titled title; resolves the dialog once the task is loaded. */
async function openEditor(page, title) {
    await page.getByRole('button', { name: `Edit “${title}”`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit task' });
    await waitFor(async () => (await dialog.getByLabel('Title', { exact: true }).inputValue()) === title,
        { what: `the editor of “${title}”` });
    return dialog;
}

async function saveAndClose(page, dialog) {
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
}

/** The error text an input points at (aria-describedby), after asserting aria-invalid. */
async function fieldError(input) {
    await waitFor(async () => (await input.getAttribute('aria-invalid')) === 'true', { what: 'aria-invalid' });
    const ids = (await input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    const texts = [];
    for (const id of ids) {
        texts.push(await input.page().locator(`[id="${id}"]`).innerText());
    }
    return texts.join(' | ');
}

function assertOnlyRefused(page, statuses) {
    const re = new RegExp(`^Failed to load resource: the server responded with a status of (${statuses.join('|')})\\b`);
    page.errors = page.errors.filter((e) => !re.test(e));
    assertNoPageErrors(page);
}

describe('editor', () => {
    test('title, description, priority, tags (suggested), due date in the user zone', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        await user.create({ title: 'Weekly shop', tags: ['groceries'] });
        const t = await user.create({ title: 'Draft the report' });
        await page.reload();
        let dialog = await openEditor(page, 'Draft the report');
        await dialog.getByLabel('Title', { exact: true }).fill('Write the quarterly report');
        await dialog.getByLabel('Description').fill('Numbers from finance first.');
        await dialog.getByLabel('Priority', { exact: true }).selectOption({ label: 'High' });
        const tags = dialog.getByRole('combobox', { name: 'Tags' });
        await tags.pressSequentially('gro');
        const list = dialog.getByRole('listbox', { name: 'Suggested tags' });
        await list.getByRole('option', { name: /groceries/ }).waitFor();
        await tags.press('ArrowDown');
        await waitFor(async () => (await list.getByRole('option', { name: /groceries/ }).getAttribute('aria-selected')) === 'true');
        await tags.press('Enter');
        await dialog.getByRole('list', { name: 'Tags of this task' }).getByText('groceries').waitFor();
        assert.equal(await tags.inputValue(), '');
        await tags.pressSequentially('work');
        await tags.press('Enter');
        await dialog.getByRole('list', { name: 'Tags of this task' }).getByText('work').waitFor();
        await dialog.getByLabel('Date', { exact: true }).fill('2026-12-01');
        await dialog.getByLabel('Time', { exact: true }).fill('09:00');
        await screenshot(page, 'editor-fields');
        await saveAndClose(page, dialog);
        await toast(page, 'Saved “Write the quarterly report”').waitFor();
        const meta = await row(page, 'Write the quarterly report').locator('.meta').innerText();
        assert.match(meta, /High priority/);
        assert.match(meta, /#groceries/);
        assert.match(meta, /#work/);
        assert.match(meta, /09:00/);
        let saved = await getTask(user, t.id);
        assert.equal(saved.title, 'Write the quarterly report');
        assert.equal(saved.description, 'Numbers from finance first.');
        assert.equal(saved.priority, 'high');
        assert.deepEqual(saved.tags, ['groceries', 'work']);
        assert.equal(saved.due_at, '2026-12-01T08:00:00Z'); // 09:00 in Berlin in winter (UTC+1)

        dialog = await openEditor(page, 'Write the quarterly report');
        assert.equal(await dialog.getByLabel('Date', { exact: true }).inputValue(), '2026-12-01');
        assert.equal(await dialog.getByLabel('Time', { exact: true }).inputValue(), '09:00');
        await dialog.getByLabel('Date', { exact: true }).fill('2026-07-15');
        await saveAndClose(page, dialog);
        await waitFor(async () => (await getTask(user, t.id)).due_at === '2026-07-15T07:00:00Z',
            { what: '09:00 in Berlin in summer (UTC+2)' });
        saved = await getTask(user, t.id);
        assert.equal(saved.title, 'Write the quarterly report', 'only the due date changed');
        assert.deepEqual(saved.tags, ['groceries', 'work']);
        assertNoPageErrors(page);
    }));

    test('reminders: a preset before the due time and one at a set time', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        const t = await user.create({ title: 'Submit the application', due_at: '2026-12-01T08:00:00Z' });
        await page.reload();
        const dialog = await openEditor(page, 'Submit the application');
        const add = dialog.getByLabel('Add reminder');
        await add.selectOption({ label: '1 hour before' });
        await dialog.getByRole('button', { name: 'Add', exact: true }).click();
        await dialog.getByRole('button', { name: 'Remove reminder 1 hour before' }).waitFor();
        await add.selectOption({ label: 'At a specific time…' });
        await dialog.getByLabel('Reminder date').fill('2026-11-30');
        await dialog.getByLabel('Reminder time').fill('18:00');
        await dialog.getByRole('button', { name: 'Add', exact: true }).click();
        await dialog.getByRole('button', { name: /^Remove reminder .*30 Nov 2026.*18:00$/ }).waitFor();
        await screenshot(page, 'editor-reminders');
        await saveAndClose(page, dialog);
        const saved = await getTask(user, t.id);
        const rs = saved.reminders.map((r) => (r.before ? { before: r.before, remind_at: r.remind_at } : { at: r.at }));
        assert.deepEqual(rs, [
            { before: 'PT1H', remind_at: '2026-12-01T07:00:00Z' },
            { at: '2026-11-30T17:00:00Z' }, // 18:00 in Berlin
        ]);
        assert.match(await row(page, 'Submit the application').locator('.meta').innerText(), /2 reminders/);
        assertNoPageErrors(page);
    }));

    test('repeat presets are stored as the rules they name', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        // Tuesday 1 December 2026, 09:00 in Berlin; and Tuesday 29 December (the last Tuesday)
        const t = await user.create({ title: 'Water the plants', due_at: '2026-12-01T08:00:00Z' });
        const last = await user.create({ title: 'Team retro', due_at: '2026-12-29T08:00:00Z' });
        await page.reload();
        const presets = [
            ['Every day', 'FREQ=DAILY'],
            ['Every weekday (Monday to Friday)', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR'],
            ['Every week on Tuesday', 'FREQ=WEEKLY;BYDAY=TU'],
            ['Every month on day 1', 'FREQ=MONTHLY;BYMONTHDAY=1'],
            ['Every month on the first Tuesday', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1'],
            ['Every year on 1 December', 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1'],
        ];
        for (const [label, rule] of presets) {
            const dialog = await openEditor(page, 'Water the plants');
            await dialog.getByLabel('Repeat', { exact: true }).selectOption({ label });
            await dialog.getByText(/^Repeats /).waitFor();
            if (rule === 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR') await screenshot(page, 'editor-repeat-preset');
            await saveAndClose(page, dialog);
            await waitFor(async () => (await getTask(user, t.id)).recurrence?.rule === rule, { what: `${label} → ${rule}` });
            assert.equal((await getTask(user, t.id)).recurrence.from, 'due');
        }
        const dialog = await openEditor(page, 'Team retro');
        await dialog.getByLabel('Repeat', { exact: true }).selectOption({ label: 'Every month on the last Tuesday' });
        await dialog.getByText('Repeats every month on the last Tuesday at 09:00.').waitFor();
        await saveAndClose(page, dialog);
        await waitFor(async () => (await getTask(user, last.id)).recurrence?.rule === 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1',
            { what: 'the last Tuesday of the month' });
        assertNoPageErrors(page);
    }));

    test('the custom repeat builder and "from completion"', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        const t = await user.create({ title: 'Physio exercises', due_at: '2026-12-01T08:00:00Z' });
        await page.reload();
        let dialog = await openEditor(page, 'Physio exercises');
        await dialog.getByLabel('Repeat', { exact: true }).selectOption({ label: 'Custom…' });
        const builder = dialog.getByRole('group', { name: 'Custom repeat' });
        await builder.getByLabel('Every', { exact: true }).fill('2');
        assert.equal(await builder.getByLabel('Frequency').inputValue(), 'WEEKLY');
        const days = builder.getByRole('group', { name: 'On' });
        assert.equal(await days.getByRole('button', { name: 'Tuesday' }).getAttribute('aria-pressed'), 'true',
            'the due date’s weekday to start with');
        await days.getByRole('button', { name: 'Tuesday' }).click();
        await days.getByRole('button', { name: 'Monday' }).click();
        await days.getByRole('button', { name: 'Thursday' }).click();
        await builder.getByLabel('After', { exact: true }).check();
        await builder.getByLabel('Number of times').fill('5');
        await dialog.getByText('Repeats every 2 weeks on Monday and Thursday at 09:00, 5 times.').waitFor();
        await screenshot(page, 'editor-repeat-custom');
        await saveAndClose(page, dialog);
        await waitFor(async () => (await getTask(user, t.id)).recurrence?.rule === 'FREQ=WEEKLY;INTERVAL=2;COUNT=5;BYDAY=MO,TH',
            { what: 'the custom rule' });

        dialog = await openEditor(page, 'Physio exercises');
        assert.equal(await dialog.getByLabel('Repeat', { exact: true }).inputValue(), 'custom', 'the builder shows the saved rule');
        await dialog.getByLabel('From completion date').check();
        await dialog.getByText('The next one is counted from the day you complete this one.').waitFor();
        await saveAndClose(page, dialog);
        await waitFor(async () => (await getTask(user, t.id)).recurrence?.from === 'completion', { what: 'from completion' });
        assert.equal((await getTask(user, t.id)).recurrence.rule, 'FREQ=WEEKLY;INTERVAL=2;COUNT=5;BYDAY=MO,TH');
        assertNoPageErrors(page);
    }));

    test('field errors: a title too long, and a rule the server refuses', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        const t = await user.create({ title: 'Leap day party', due_at: '2026-12-01T08:00:00Z' });
        await page.reload();
        const dialog = await openEditor(page, 'Leap day party');
        const title = dialog.getByLabel('Title', { exact: true });
        await title.fill('x'.repeat(501));
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        assert.match(await fieldError(title), /at most 500 characters/);
        await waitFor(() => title.evaluate((el) => el === document.activeElement), { what: 'focus on the invalid title' });
        await screenshot(page, 'editor-error-title');
        await title.fill('Leap day party');
        await waitFor(async () => (await title.getAttribute('aria-invalid')) === null, { what: 'the error goes as it is fixed' });

        // 30 February never happens: the yearly builder offers February's days up to 29 only
        await dialog.getByLabel('Repeat', { exact: true }).selectOption({ label: 'Custom…' });
        const builder = dialog.getByRole('group', { name: 'Custom repeat' });
        await builder.getByLabel('Frequency').selectOption('YEARLY');
        await builder.getByLabel('In', { exact: true }).selectOption({ label: 'February' });
        const dayOfMonth = builder.getByLabel('Day of the month');
        const days = (await dayOfMonth.locator('option').allTextContents()).filter((d) => /^\d+$/.test(d));
        assert.equal(days.at(-1), '29', `February's days: ${days.join(' ')}`);
        await dayOfMonth.selectOption('29');
        await dialog.getByText('Repeats every year on 29 February at 09:00.').waitFor();
        // a rule the server refuses still gets its message under Repeat: the save is changed on
        // its way to ask for 30 February, which only the server can refuse now
        await page.route('**/tasks/*', async (route) => {
            const req = route.request();
            const body = req.method() === 'PATCH' ? JSON.parse(req.postData() || '{}') : null;
            if (!body?.recurrence) return route.fallback();
            body.recurrence.rule = 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30';
            await route.continue({ postData: JSON.stringify(body) });
        });
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        const want = (await user.patch(`/tasks/${t.id}`, { json: { recurrence: { rule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', from: 'due' } } })).json;
        assert.equal(want.error.details[0].field, 'recurrence.rule');
        const repeat = dialog.getByLabel('Repeat', { exact: true });
        const shown = await fieldError(repeat);
        // as a sentence about "the repeat rule", not "recurrence.rule ..."
        const said = want.error.details[0].message.replace(/^recurrence\.rule /, '');
        assert.ok(shown.includes(`The repeat rule ${said}`),
            `the server's message (${want.error.details[0].message}) under Repeat: ${shown}`);
        await screenshot(page, 'editor-error-server');
        assert.equal((await getTask(user, t.id)).recurrence, null, 'nothing was saved');
        assertOnlyRefused(page, [422]);
    }));

    test('412: apply my changes to the new version', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        const t = await user.create({ title: 'Plan the trip' });
        await page.reload();
        const dialog = await openEditor(page, 'Plan the trip');
        await dialog.getByLabel('Description').fill('Book the train first.');
        const r = await user.patch(`/tasks/${t.id}`, { json: { title: 'Plan the trip to Rome' } });
        assert.equal(r.status, 200);
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await dialog.getByText('This task was changed somewhere else.').waitFor();
        await screenshot(page, 'editor-conflict');
        assert.equal((await getTask(user, t.id)).description, '', 'nothing saved over the other change');
        await dialog.getByRole('button', { name: 'Apply my changes to the new version' }).click();
        await dialog.waitFor({ state: 'detached' });
        const saved = await getTask(user, t.id);
        assert.equal(saved.title, 'Plan the trip to Rome');
        assert.equal(saved.description, 'Book the train first.');
        await row(page, 'Plan the trip to Rome').waitFor();
        assertOnlyRefused(page, [412]);
    }));

    test('412: reload (discard my changes)', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        const t = await user.create({ title: 'Renew the lease' });
        await page.reload();
        const dialog = await openEditor(page, 'Renew the lease');
        await dialog.getByLabel('Priority', { exact: true }).selectOption({ label: 'High' });
        await user.patch(`/tasks/${t.id}`, { json: { description: 'The landlord wants it signed by Friday.' } });
        await dialog.getByRole('button', { name: 'Save', exact: true }).click();
        await dialog.getByText('This task was changed somewhere else.').waitFor();
        await dialog.getByRole('button', { name: 'Reload (discard my changes)' }).click();
        await dialog.getByText('This task was changed somewhere else.').waitFor({ state: 'detached' });
        assert.equal(await dialog.getByLabel('Description').inputValue(), 'The landlord wants it signed by Friday.');
        assert.equal(await dialog.getByLabel('Priority', { exact: true }).inputValue(), 'none');
        await screenshot(page, 'editor-conflict-reloaded');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        const saved = await getTask(user, t.id);
        assert.equal(saved.priority, 'none');
        assert.equal(saved.description, 'The landlord wants it signed by Friday.');
        assert.equal(saved.version, 2, 'only the other change was saved');
        assertOnlyRefused(page, [412]);
    }));

    test('Ctrl+Enter saves; Escape closes, asking first when something would be lost', () => withPage(async (page) => {
        const user = await signedIn(app, page, { timezone: TZ });
        const t = await user.create({ title: 'Clean the oven' });
        await page.reload();
        let dialog = await openEditor(page, 'Clean the oven');
        await dialog.getByLabel('Title', { exact: true }).fill('Clean the oven and the hob');
        await dialog.getByLabel('Title', { exact: true }).press('Control+Enter');
        await dialog.waitFor({ state: 'detached' });
        assert.equal((await getTask(user, t.id)).title, 'Clean the oven and the hob');
        await row(page, 'Clean the oven and the hob').waitFor();

        // Escape with nothing changed just closes
        dialog = await openEditor(page, 'Clean the oven and the hob');
        await dialog.getByLabel('Title', { exact: true }).press('Escape');
        await dialog.waitFor({ state: 'detached' });

        // with unsaved changes it asks first; "Keep editing" keeps them
        dialog = await openEditor(page, 'Clean the oven and the hob');
        await dialog.getByLabel('Description').fill('Not saved');
        await dialog.getByLabel('Description').press('Escape');
        const ask = dialog.getByRole('alert').filter({ hasText: 'You have unsaved changes' });
        await ask.waitFor();
        await screenshot(page, 'editor-escape-asks');
        const keep = dialog.getByRole('button', { name: 'Keep editing' });
        assert.equal(await keep.evaluate((b) => b === document.activeElement), true, 'Keep editing has the focus');
        await keep.click();
        await ask.waitFor({ state: 'detached' });
        assert.equal(await dialog.getByLabel('Description').inputValue(), 'Not saved');
        // a second Escape while asked discards
        await dialog.getByLabel('Description').press('Escape');
        await ask.waitFor();
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        await screenshot(page, 'editor-escape');
        const after = await getTask(user, t.id);
        assert.equal(after.description, '');
        assert.equal(after.version, 2);
        assert.equal(await draftText(page, 'editor'), null, 'no draft kept');
        // reopening shows the saved task, not what was typed
        dialog = await openEditor(page, 'Clean the oven and the hob');
        assert.equal(await dialog.getByLabel('Description').inputValue(), '');
        assertNoPageErrors(page);
    }));
});
