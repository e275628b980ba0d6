// csp.test.mjs - the web UI's Content-Security-Policy: every page is served with a policy whose
// script-src and style-src allow this origin and the hashes of the page's own inline code
// (scripts/csp-hashes.mjs at build time), never 'unsafe-inline' or 'unsafe-eval'; the pages
// load and work with no violation reported; and an injected inline script is refused.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, screenshot, assertNoPageErrors, unique, PASSWORD, waitFor } from './lib/browser.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.stop(); });

const PAGES = ['/', '/signin', '/signup', '/settings', '/history?task=1', '/404', '/some/client/route'];

/** The directives of a policy: { 'script-src': ["'self'", ...], ... }. */
function directives(policy) {
    const out = {};
    for (const part of policy.split(';')) {
        const [name, ...values] = part.trim().split(/\s+/);
        if (name) out[name.toLowerCase()] = values;
    }
    return out;
}

/** A page whose CSP violations (the DOM's securitypolicyviolation events) are kept. */
async function watchedPage() {
    const page = await app.newPage();
    await page.addInitScript(() => {
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => {
            window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${(e.sample || '').slice(0, 60)})`);
        });
    });
    return page;
}

const violations = (page) => page.evaluate(() => window.__csp);

describe('content security policy', () => {
    test('every page: no unsafe-inline or unsafe-eval; scripts and styles from this origin or by hash', async () => {
        for (const path of PAGES) {
            const r = await app.server.api.get(path);
            assert.equal(r.status, 200, path);
            const policy = r.headers.get('content-security-policy');
            assert.ok(policy, `${path} has a policy`);
            const d = directives(policy);
            for (const name of ['script-src', 'style-src']) {
                assert.ok(d[name], `${path}: ${name} is set`);
                for (const source of d[name]) {
                    assert.match(source, /^'self'$|^'sha256-[A-Za-z0-9+/]{43}='$|^'unsafe-hashes'$/,
                        `${path}: ${name} allows only 'self' and hashes, not ${source}`);
                }
            }
            assert.ok(!d['script-src'].includes("'unsafe-hashes'"), `${path}: no event handler attributes`);
            assert.deepEqual(d['default-src'], ["'self'"]);
            assert.deepEqual(d['connect-src'], ["'self'"]);
            assert.deepEqual(d['object-src'], ["'none'"]);
            // every inline script of the page is one of the hashes
            const inline = [...r.text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
            assert.ok(path === '/404' || inline.length > 0, `${path} has inline scripts (Next's bootstrap)`);
            const { createHash } = await import('node:crypto');
            for (const code of inline) {
                const h = `'sha256-${createHash('sha256').update(code).digest('base64')}'`;
                assert.ok(d['script-src'].includes(h), `${path}: the inline script ${code.slice(0, 40)}… is allowed by hash`);
            }
        }
    });

    test('sign up, add, edit, settings, history and sign out with no violation reported', async () => {
        const page = await watchedPage();
        try {
            await page.goto('/signup');
            // the inline theme script ran before the first paint (it is hashed, not blocked)
            assert.ok(['light', 'dark'].includes(await page.evaluate(() => document.documentElement.dataset.theme)));
            await page.getByLabel('Email').fill(`${unique('csp')}@example.com`);
            await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
            await page.getByRole('button', { name: 'Create your account' }).click();
            await page.waitForURL((u) => u.pathname === '/');
            const quick = page.getByLabel('New task', { exact: true });
            await quick.fill('Check the policy tomorrow at 9am #security !high');
            await quick.press('Enter');
            await page.locator('.toasts .toast').filter({ hasText: 'Added “Check the policy”' }).waitFor();
            await page.getByRole('button', { name: 'Edit “Check the policy”', exact: true }).click();
            const dialog = page.getByRole('dialog', { name: 'Edit task' });
            await dialog.getByLabel('Description').fill('No inline script runs unless hashed.');
            await dialog.getByRole('button', { name: 'Save', exact: true }).click();
            await dialog.waitFor({ state: 'detached' });
            assert.deepEqual(await violations(page), [], 'the task list');
            await screenshot(page, 'csp-main');

            await page.getByRole('button', { name: 'Edit “Check the policy”', exact: true }).click();
            await page.getByRole('dialog', { name: 'Edit task' }).getByRole('button', { name: 'History', exact: true }).click();
            await page.waitForURL((u) => u.pathname === '/history');
            await page.locator('.history-list').waitFor();
            assert.deepEqual(await violations(page), [], 'history');

            await page.goto('/settings');
            await page.getByLabel('Name').waitFor();
            assert.deepEqual(await violations(page), [], 'settings');

            await page.goto('/404');
            await page.getByText('This page could not be found.').waitFor();
            assert.deepEqual(await violations(page), [], "Next's 404 page, with its inline styles");

            await page.goto('/');
            await page.getByRole('button', { name: 'Sign out' }).click();
            await page.waitForURL((u) => u.pathname === '/signin');
            assert.deepEqual(await violations(page), [], 'sign out');
            assertNoPageErrors(page);
        } finally {
            await page.context().close();
        }
    });

    test('an inline script injected into a page does not run, and is reported', async () => {
        const page = await watchedPage();
        try {
            await page.goto('/signin');
            await page.getByRole('heading', { name: 'Sign in' }).waitFor();
            const ran = await page.evaluate(() => {
                const s = document.createElement('script');
                s.textContent = 'window.__injected = true';
                document.head.append(s);
                const d = document.createElement('div');
                d.setAttribute('onclick', 'window.__injected = true');
                document.body.append(d);
                d.click();
                return window.__injected === true;
            });
            assert.equal(ran, false, 'the injected script was refused');
            await waitFor(async () => (await violations(page)).length >= 2, { what: 'the violations reported' });
            assert.ok((await violations(page)).every((v) => v.startsWith('script-src')), (await violations(page)).join('\n'));
            page.errors = page.errors.filter((e) => !/Content Security Policy/.test(e)); // expected here
            assertNoPageErrors(page);
        } finally {
            await page.context().close();
        }
    });
});
