// notifications.test.mjs - the notification bell and the notification settings (issue 11 §4).
// Notifications are made through the API the tier has: POST .../settings/test/in_app writes
// an in-app notification at once, the same path a fired reminder takes (ADR 0032). The bell
// polls every 30 s; the tests use its refresh hook (the `todo:notifications-refresh` event,
// which the WebSocket code fires) or a reload instead of waiting for the timer. The browser's
// Notification API is replaced by a recorder before the page loads (headless Chromium shows
// none), so what the page asked the system to show can be checked.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertAccessible, assertNoPageErrors, waitFor } from './lib/browser.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const withPage = (...args) => app.withPage(...args);
const TEST_TITLE = 'Test notification from Todo';

/** Replaces window.Notification by a recorder: shown ones in window.__shown, the permission
 * (initially `permission`) granted when asked, the requests counted in window.__asked. */
async function recordNotifications(page, permission) {
    await page.addInitScript((initial) => {
        window.__shown = [];
        window.__asked = 0;
        class Recorder {
            static permission = initial;
            static async requestPermission() { window.__asked++; Recorder.permission = 'granted'; return 'granted'; }
            constructor(title, opts) { window.__shown.push({ title, body: opts?.body, tag: opts?.tag }); }
            close() {}
        }
        window.Notification = Recorder;
    }, permission);
}

async function unreadCount(user) {
    const r = await user.get('/notifications?unread=true&limit=200');
    assert.equal(r.status, 200, r.text);
    return r.json.items.length;
}

async function sendTest(user, n = 1) {
    for (let i = 0; i < n; i++) assert.equal((await user.post('/settings/test/in_app')).status, 202);
}

const markRead = new RegExp(`^Mark read\\W+${TEST_TITLE}`);
const bell = (page) => page.getByRole('button', { name: /^Notifications/ });
const refresh = (page) => page.evaluate(() => window.dispatchEvent(new Event('todo:notifications-refresh')));

async function bellSays(page, text) {
    await waitFor(async () => (await bell(page).getAttribute('aria-label')) === text,
        { what: `the bell to say "${text}" (it says "${await bell(page).getAttribute('aria-label')}")` });
}

describe('notification bell', () => {
    test('the unread count, the list, mark read and mark all read', () => withPage(async (page) => {
        await recordNotifications(page, 'default');
        const user = await signedIn(app, page);
        await bellSays(page, 'Notifications, none unread');
        assert.equal(await page.getByTestId('unread-count').count(), 0, 'no badge at zero');

        await sendTest(user, 3);
        await refresh(page);
        await bellSays(page, 'Notifications, 3 unread');
        assert.equal(await page.getByTestId('unread-count').innerText(), '3');

        await bell(page).click();
        assert.equal(await bell(page).getAttribute('aria-expanded'), 'true');
        const panel = page.getByRole('region', { name: 'Notifications' });
        const items = panel.getByRole('listitem');
        await waitFor(async () => (await items.count()) === 3, { what: 'three notifications listed' });
        assert.match(await items.first().innerText(), /Test notification from Todo/);
        await screenshot(page, 'notifications-open');
        await assertAccessible(page, 'the open notification panel');

        await panel.getByRole('button', { name: markRead }).first().click();
        await bellSays(page, 'Notifications, 2 unread');
        assert.equal(await unreadCount(user), 2);
        await waitFor(async () => (await panel.getByRole('button', { name: markRead }).count()) === 2,
            { what: 'the read one without its button' });

        await panel.getByRole('button', { name: 'Mark all read' }).click();
        await bellSays(page, 'Notifications, none unread');
        assert.equal(await unreadCount(user), 0);
        assert.equal(await panel.getByRole('button', { name: 'Mark all read' }).isDisabled(), true);
        assert.equal(await items.count(), 3, 'read ones stay in the list');

        // Escape closes the panel and gives the focus back to the bell
        await page.keyboard.press('Escape');
        await panel.waitFor({ state: 'detached' });
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-controls')), 'notif-panel');
        // a reload reads the count from the server
        await sendTest(user);
        await page.reload();
        await bellSays(page, 'Notifications, 1 unread');
        assertNoPageErrors(page);
    }));

    test('a notification pushed over the WebSocket reaches the bell without a refresh', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        await bellSays(page, 'Notifications, none unread');
        // The bell polls every 30 s; within the 10 s deadline only the push can bring it.
        await sendTest(user, 1);
        await bellSays(page, 'Notifications, 1 unread');
        assertNoPageErrors(page);
    }));

    test('a new notification shows as a system notification once allowed, asked from a click', () => withPage(async (page) => {
        await recordNotifications(page, 'default');
        const user = await signedIn(app, page);
        await sendTest(user); // there before the page: counted, not shown
        await page.reload();
        await bellSays(page, 'Notifications, 1 unread');
        assert.equal(await page.evaluate(() => window.__asked), 0, 'never asked without a gesture');

        await bell(page).click();
        await page.getByRole('button', { name: 'Show reminders as system notifications' }).click();
        await waitFor(async () => (await page.evaluate(() => window.__asked)) === 1, { what: 'the permission asked' });
        await page.getByRole('button', { name: 'Show reminders as system notifications' }).waitFor({ state: 'detached' });
        assert.deepEqual(await page.evaluate(() => window.__shown), []);

        await sendTest(user);
        await refresh(page);
        await bellSays(page, 'Notifications, 2 unread');
        const shown = await page.evaluate(() => window.__shown);
        assert.equal(shown.length, 1, `one system notification: ${JSON.stringify(shown)}`);
        assert.equal(shown[0].title, TEST_TITLE);
        // the next refresh shows nothing again
        await refresh(page);
        await page.getByRole('region', { name: 'Notifications' }).getByRole('listitem').nth(1).waitFor();
        assert.equal((await page.evaluate(() => window.__shown)).length, 1);
        assertNoPageErrors(page);
    }));

    test('phone width, dark: the bell and its panel fit the screen', () => withPage({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' }, async (page) => {
        await recordNotifications(page, 'denied');
        const user = await signedIn(app, page);
        await sendTest(user, 2);
        await refresh(page);
        await bellSays(page, 'Notifications, 2 unread');
        await bell(page).click();
        const panel = page.getByRole('region', { name: 'Notifications' });
        await panel.getByRole('listitem').nth(1).waitFor();
        await panel.getByText('System notifications are blocked').waitFor();
        const box = await panel.boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= 375, `the panel within the screen: ${JSON.stringify(box)}`);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 0, 'no horizontal scrolling');
        await assertAccessible(page, 'the notification panel at phone width, dark');
        await screenshot(page, 'notifications-phone');
        assertNoPageErrors(page);
    }));
});

describe('notification settings', () => {
    test('channels save, a private address is refused at its field, the test buttons answer', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        await page.goto('/settings');
        const save = page.getByRole('button', { name: 'Save notification settings' });
        await waitFor(async () => !(await save.isDisabled()), { what: 'the settings loaded' });
        assert.equal(await page.getByLabel('Show reminders under the bell').isChecked(), true, 'in-app on by default');

        // a loopback webhook: 422, the message under the URL, nothing saved
        await page.getByLabel('Send reminders to a webhook').check();
        const url = page.getByLabel('Webhook URL');
        await url.fill('http://127.0.0.1:9/hook');
        await save.click();
        await waitFor(async () => (await url.getAttribute('aria-invalid')) === 'true', { what: 'the URL marked invalid' });
        const why = page.locator('#n-webhook_url-error');
        assert.equal(await why.innerText(), 'The webhook URL points at a loopback, link-local or private address.');
        assert.equal(await url.getAttribute('aria-describedby'), 'n-webhook_url-error');
        await screenshot(page, 'notification-settings-422');
        let s = (await user.get('/settings')).json;
        assert.equal(s.channels.webhook, false);
        assert.equal(s.webhook_url, null);

        // turning webhooks on without a URL names the URL field too
        await url.fill('');
        await save.click();
        await waitFor(async () => (await why.innerText().catch(() => '')) === 'Enter a webhook URL to turn the webhook on.',
            { what: 'the missing-URL message' });

        // a public address (an IP literal: no resolver needed) and an e-mail address save
        await url.fill('https://203.0.113.7/hooks/todo');
        await page.getByLabel('Send reminders by e-mail').check();
        await page.getByLabel('E-mail address').fill('alerts@example.org');
        await save.click();
        await page.getByRole('status').filter({ hasText: 'Channels updated.' }).waitFor();
        assert.equal(await url.getAttribute('aria-invalid'), null);
        s = (await user.get('/settings')).json;
        assert.deepEqual(s.channels, { in_app: true, webhook: true, ntfy: false, email: true });
        assert.equal(s.webhook_url, 'https://203.0.113.7/hooks/todo');
        assert.equal(s.email, 'alerts@example.org');

        // a new webhook secret, shown once
        assert.equal(s.webhook_secret_set, false);
        await page.getByRole('button', { name: 'New secret' }).click();
        const secret = page.getByLabel(/Your new webhook secret/);
        await secret.waitFor();
        assert.match(await secret.inputValue(), /^whsec_[A-Za-z0-9_-]{43}$/);
        assert.equal((await user.get('/settings')).json.webhook_secret_set, true);

        // the in-app test: 202, and the bell counts it
        const answered = page.waitForResponse((r) => r.url().endsWith('/settings/test/in_app') && r.request().method() === 'POST');
        await page.getByRole('button', { name: 'Send a test: In the app' }).click();
        assert.equal((await answered).status(), 202);
        await page.getByText('Test sent: it is under the bell now.').waitFor();
        await refresh(page);
        await bellSays(page, 'Notifications, 1 unread');
        // ntfy has no URL: the server's 422 as a sentence beside its button
        await page.getByRole('button', { name: 'Send a test: ntfy (phone push)' }).click();
        await page.getByText('Save a URL for this channel first.').waitFor();
        await assertAccessible(page, 'the notification settings');
        await screenshot(page, 'notification-settings');

        // after a reload the settings are the server's and the secret is gone from the page
        await page.reload();
        await waitFor(async () => (await page.getByLabel('Webhook URL').inputValue()) === 'https://203.0.113.7/hooks/todo',
            { what: 'the saved URL loaded' });
        assert.equal(await page.getByLabel(/Your new webhook secret/).count(), 0);
        await page.getByRole('button', { name: 'Replace the secret' }).waitFor();
        // the server refused the 422s and the ntfy test: those console lines are expected
        page.errors = page.errors.filter((e) => !/status of 422/.test(e));
        assertNoPageErrors(page);
    }));

    test('an e-mail address the server refuses is shown at its field', () => withPage(async (page) => {
        await signedIn(app, page);
        await page.goto('/settings');
        const save = page.getByRole('button', { name: 'Save notification settings' });
        await waitFor(async () => !(await save.isDisabled()), { what: 'the settings loaded' });
        await page.getByLabel('E-mail address').fill('two words@example.org');
        await save.click();
        await page.locator('#n-email-error').filter({ hasText: 'Enter one e-mail address' }).waitFor();
        assert.equal(await page.getByLabel('E-mail address').getAttribute('aria-invalid'), 'true');
        page.errors = page.errors.filter((e) => !/status of 422/.test(e));
        assertNoPageErrors(page);
    }));
});
