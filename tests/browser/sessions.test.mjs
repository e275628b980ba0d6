// sessions.test.mjs - signing out ends the token on the server (docs/decisions/0016): the
// header's Sign out, Settings' "Sign out everywhere" and its password change, each checked
// through the API with the tokens the user had (polled with a deadline, never slept).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, waitFor, PASSWORD } from './lib/browser.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const withPage = (...args) => app.withPage(...args);
const status = async (token) => (await app.server.api.get('/api/auth/me', { token })).status;
const refused = (token, what) => waitFor(async () => (await status(token)) === 401, { what });

/** The token the page holds (lib/session.ts keeps it in localStorage). */
const pageToken = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('todo.session') || 'null')?.token);

async function loginToken(user, password = PASSWORD) {
    const r = await app.server.api.post('/api/auth/login', { json: { email: user.email, password } });
    assert.equal(r.status, 200, r.text);
    return r.json.token;
}

describe('sessions', () => {
    test('Sign out ends the session on the server, not only in the browser', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const token = await pageToken(page);
        const other = await loginToken(user);
        assert.equal(await status(token), 200);
        await page.getByRole('button', { name: 'Sign out', exact: true }).click();
        await page.waitForURL((u) => u.pathname === '/signin');
        await refused(token, 'the signed-out token to be refused');
        assert.equal(await status(other), 200, 'another device stays signed in');
        assertNoPageErrors(page);
    }));

    test('Sign out everywhere in Settings ends every session and returns to sign-in', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const token = await pageToken(page);
        const other = await loginToken(user);
        await page.getByRole('link', { name: /Settings/ }).click();
        await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
        await screenshot(page, 'settings-security');
        await page.getByRole('button', { name: 'Sign out everywhere' }).click();
        await page.waitForURL((u) => u.pathname === '/signin');
        await refused(token, "this browser's token to be refused");
        await refused(other, "the other device's token to be refused");
        assertNoPageErrors(page);
    }));

    test('Changing the password signs out other devices and keeps this one', () => withPage(async (page) => {
        const user = await signedIn(app, page);
        const other = await loginToken(user);
        await page.getByRole('link', { name: /Settings/ }).click();
        await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
        const form = page.getByRole('form', { name: 'Password' });
        await form.getByLabel('Current password').fill('not the password');
        await form.getByLabel('New password', { exact: true }).fill('a new password');
        await form.getByLabel('New password again').fill('a new password');
        await form.getByRole('button', { name: 'Change password' }).click();
        await form.getByText('the current password is not right').waitFor();
        // the browser logs the expected 422 on the console
        page.errors = page.errors.filter((e) => !/^Failed to load resource: .* status of 422\b/.test(e));
        assert.equal(await status(other), 200, 'a refused change ends nothing');

        await form.getByLabel('Current password').fill(PASSWORD);
        await form.getByRole('button', { name: 'Change password' }).click();
        await form.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
        await refused(other, "the other device's token to be refused");
        const mine = await pageToken(page);
        assert.equal(await status(mine), 200, 'this browser holds a working token');
        await page.getByRole('link', { name: 'Todo' }).click();
        await page.waitForURL((u) => u.pathname === '/');
        await page.getByRole('heading', { level: 1 }).waitFor();
        assert.equal(page.url().includes('/signin'), false, 'still signed in');
        assert.ok(await loginToken(user, 'a new password'));
        assertNoPageErrors(page);
    }));
});
