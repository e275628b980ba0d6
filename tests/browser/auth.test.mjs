// auth.test.mjs - signing up, in and out through the UI, the API's messages on the forms,
// and a session that ends (the token runs out, or the server refuses it) without losing what
// the user was typing (docs/decisions/0014-web-ui.md).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, signedIn, screenshot, assertNoPageErrors, unique, waitFor, PASSWORD } from './lib/browser.mjs';
import { newUser } from '../blackbox/lib/server.mjs';
import { row, draftText } from './lib/helpers.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const onPath = (p) => (u) => u.pathname === p;

async function signInForm(page, email, password = PASSWORD) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Page errors other than the browser's note on a refused request the test asked for. */
function assertNoErrorsBut(page, statuses) {
    const re = new RegExp(`^Failed to load resource: the server responded with a status of (${statuses.join('|')})\\b`);
    page.errors = page.errors.filter((e) => !re.test(e));
    assertNoPageErrors(page);
}

describe('auth', () => {
    test('sign up, sign out, sign in again', async () => {
        const page = await app.newPage();
        try {
            const email = `${unique('su')}@example.com`;
            await page.goto('/signup');
            await page.getByRole('heading', { name: 'Create your account' }).waitFor();
            await page.getByLabel('Name').fill('Ada Lovelace');
            await page.getByLabel('Email').fill(email);
            await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
            await screenshot(page, 'auth-signup-form');
            await page.getByRole('button', { name: 'Create your account' }).click();
            await page.waitForURL(onPath('/'));
            await page.getByText('No open tasks.').waitFor();
            await page.getByText('Type one in the line above').waitFor();
            await screenshot(page, 'auth-signup-empty-list');

            await page.getByRole('button', { name: 'Sign out' }).click();
            await page.waitForURL(onPath('/signin'));
            await page.getByRole('heading', { name: 'Sign in' }).waitFor();
            await page.goto('/');
            await page.waitForURL(onPath('/signin'));
            await screenshot(page, 'auth-signed-out');

            await signInForm(page, email);
            await page.waitForURL(onPath('/'));
            await page.getByText('No open tasks.').waitFor();
            assertNoPageErrors(page);
        } finally {
            await page.context().close();
        }
    });

    test('a wrong password shows the API message as a sentence and stays on /signin', async () => {
        const page = await app.newPage();
        try {
            const email = `${unique('wp')}@example.com`;
            await app.server.api.post('/api/auth/signup', { json: { email, password: PASSWORD } });
            const want = (await app.server.api.post('/api/auth/login', { json: { email, password: 'not the password' } })).json;
            assert.equal(want.error.code, 'unauthorized');
            await page.goto('/signin');
            await signInForm(page, email, 'not the password');
            const alert = page.locator('form').getByRole('alert');
            await alert.waitFor();
            assert.equal(want.error.message, 'wrong email or password');
            assert.equal((await alert.innerText()).trim(), 'Wrong email or password.');
            assert.equal(new URL(page.url()).pathname, '/signin');
            assert.equal(await page.evaluate(() => localStorage.getItem('todo.session')), null);
            await screenshot(page, 'auth-wrong-password');
            assertNoErrorsBut(page, [401]);
        } finally {
            await page.context().close();
        }
    });

    test('a short password shows the server message, as a sentence, under the Password field', async () => {
        const page = await app.newPage();
        try {
            const want = (await app.server.api.post('/api/auth/signup',
                { json: { email: `${unique('sp')}@example.com`, password: '12345' } })).json;
            const msg = want.error.details.find((d) => d.field === 'password').message;
            await page.goto('/signup');
            await page.getByLabel('Email').fill(`${unique('sp')}@example.com`);
            const pw = page.getByLabel('Password', { exact: true });
            await pw.fill('12345');
            await page.getByRole('button', { name: 'Create your account' }).click();
            await page.locator('#password-error').waitFor();
            assert.equal(msg, 'password must be at least 8 characters');
            assert.equal((await page.locator('#password-error').innerText()).trim(), 'The password must be at least 8 characters.');
            assert.equal(await pw.getAttribute('aria-invalid'), 'true');
            assert.equal(await pw.getAttribute('aria-describedby'), 'password-error');
            assert.equal(new URL(page.url()).pathname, '/signup');
            await screenshot(page, 'auth-short-password');
            assertNoErrorsBut(page, [422]);
        } finally {
            await page.context().close();
        }
    });

    test('a signed-in user visiting /signin is sent to the task list', async () => {
        const page = await app.newPage();
        try {
            await signedIn(app, page);
            await page.goto('/signin');
            await page.waitForURL(onPath('/'));
            await page.getByRole('heading', { level: 1, name: 'All' }).waitFor();
            await screenshot(page, 'auth-signin-when-signed-in');
            assertNoPageErrors(page);
        } finally {
            await page.context().close();
        }
    });

    test('?next= never leads off the site, however it is spelled', async () => {
        const page = await app.newPage();
        try {
            const { email } = await newUser(app.server.api, {});
            const origin = new URL(app.url).origin;
            // each of these resolves to another host in a browser's URL parser
            for (const next of ['//evil.example/x', '/\t/evil.example/x', '/\\evil.example/x',
                'https://evil.example/x', '/%0A/evil.example']) {
                await page.goto('/signin?next=' + encodeURIComponent(next));
                await signInForm(page, email);
                await page.waitForURL((u) => u.origin === origin && !u.pathname.startsWith('/signin'));
                assert.equal(new URL(page.url()).origin, origin, `next=${JSON.stringify(next)}`);
                await page.goto('/'); // (a same-origin oddity such as /%0A/evil.example is a 404 page)
                await page.getByRole('button', { name: 'Sign out' }).click();
                await page.waitForURL(onPath('/signin'));
            }
            // a path of the site is kept
            await page.goto('/signin?next=' + encodeURIComponent('/settings'));
            await signInForm(page, email);
            await page.waitForURL(onPath('/settings'));
            assertNoErrorsBut(page, [404]); // the same-origin oddity's page and its payloads are 404s
        } finally {
            await page.context().close();
        }
    });

    test('drafts belong to their user: a sign-out clears them, another user never sees them', async () => {
        const page = await app.newPage();
        try {
            const a = await signedIn(app, page);
            await page.getByLabel('New task').fill('Call the lawyer #private');
            await waitFor(async () => (await draftText(page, 'quickadd')) !== null, { what: "A's draft" });
            await page.getByRole('button', { name: 'Sign out' }).click();
            await page.waitForURL(onPath('/signin'));
            assert.equal(await draftText(page, 'quickadd'), null, 'signing out clears the drafts');
            assert.ok(a.email);
            await signedIn(app, page);
            assert.equal(await page.getByLabel('New task').inputValue(), '');
            assertNoPageErrors(page);
        } finally {
            await page.context().close();
        }
    });

    test('an expired token: back at /signin, then the quick-add text and the open editor come back', async () => {
        const page = await app.newPage();
        try {
            await page.clock.install();
            const user = await signedIn(app, page);
            await user.create({ title: 'Water the plants' });
            await page.reload();
            await row(page, 'Water the plants').waitFor();

            const quick = page.getByLabel('New task');
            await quick.fill('Call mum on sunday #family');
            await page.getByRole('button', { name: 'Edit “Water the plants”' }).click();
            const dialog = page.getByRole('dialog', { name: 'Edit task' });
            const title = dialog.getByLabel('Title', { exact: true });
            await title.fill('Water the plants and the lawn');
            // what is typed is kept (debounced) in sessionStorage
            await waitFor(async () => ((await draftText(page, 'editor')) || '').includes('and the lawn'),
                { what: 'the editor draft' });

            await page.clock.fastForward('24:00:30'); // the token lives 24 h
            await page.waitForURL((u) => u.pathname === '/signin' && u.searchParams.get('expired') === '1');
            await page.getByText('Your session has ended').waitFor();
            await screenshot(page, 'auth-session-expired');

            // the clock comes back to the server's present, or the new token would be stale at once
            await page.clock.setSystemTime(Date.now());
            await signInForm(page, user.email);
            await page.waitForURL(onPath('/'));
            const again = page.getByRole('dialog', { name: 'Edit task' });
            await again.waitFor();
            await waitFor(async () => (await again.getByLabel('Title', { exact: true }).inputValue())
                === 'Water the plants and the lawn', { what: 'the edited title restored' });
            await again.getByText('Restored what you were typing.').waitFor();
            assert.equal(await page.getByLabel('New task').inputValue(), 'Call mum on sunday #family');
            await screenshot(page, 'auth-session-expired-restored');
            // nothing was saved behind the user's back
            const t = (await user.listAll({ status: 'all' }));
            assert.deepEqual(t.map((x) => x.title), ['Water the plants']);
            assertNoPageErrors(page);
        } finally {
            await page.context().close();
        }
    });

    test('a token the server refuses (401) on reload: back at /signin with the quick-add text kept', async () => {
        const page = await app.newPage();
        try {
            const user = await signedIn(app, page);
            await page.getByLabel('New task').fill('Book the dentist tomorrow at 10am');
            await page.evaluate(() => {
                const s = JSON.parse(localStorage.getItem('todo.session'));
                s.token = 'garbage.' + s.token.slice(8, 20) + '.nonsense';
                localStorage.setItem('todo.session', JSON.stringify(s));
            });
            await page.reload();
            await page.waitForURL((u) => u.pathname === '/signin' && u.searchParams.get('expired') === '1');
            await page.getByText('Your session has ended').waitFor();
            await signInForm(page, user.email);
            await page.waitForURL(onPath('/'));
            await waitFor(async () => (await page.getByLabel('New task').inputValue()) === 'Book the dentist tomorrow at 10am',
                { what: 'the quick-add text restored' });
            await screenshot(page, 'auth-401-reload');
            assertNoErrorsBut(page, [401]);
        } finally {
            await page.context().close();
        }
    });

    test('a token the server refuses (401) when adding via quick add: the text survives the sign-in', async () => {
        const page = await app.newPage();
        try {
            const user = await signedIn(app, page);
            const quick = page.getByLabel('New task');
            await quick.fill('Renew passport #admin !high');
            // another tab stores a token the server does not accept; this tab picks it up (storage event)
            const other = await page.context().newPage();
            await other.goto('/signin'); // signed in (shared localStorage): it moves on to the list
            await other.evaluate(() => {
                const s = JSON.parse(localStorage.getItem('todo.session'));
                s.token = 'not-a-token';
                localStorage.setItem('todo.session', JSON.stringify(s));
            });
            await other.close();
            await waitFor(() => page.evaluate(() => JSON.parse(localStorage.getItem('todo.session')).token === 'not-a-token'));
            await quick.press('Enter');
            await page.waitForURL((u) => u.pathname === '/signin' && u.searchParams.get('expired') === '1');
            await page.getByText('Your session has ended').waitFor();
            await screenshot(page, 'auth-401-quick-add');
            await signInForm(page, user.email);
            await page.waitForURL(onPath('/'));
            await waitFor(async () => (await page.getByLabel('New task').inputValue()) === 'Renew passport #admin !high',
                { what: 'the quick-add text restored' });
            assert.deepEqual((await user.listAll({ status: 'all' })).length, 0, 'the refused add created nothing');
            // and now it can be added
            await page.getByLabel('New task').press('Enter');
            await row(page, 'Renew passport').waitFor();
            assert.equal(await page.getByLabel('New task').inputValue(), '');
            assertNoErrorsBut(page, [401]);
        } finally {
            await page.context().close();
        }
    });
});
