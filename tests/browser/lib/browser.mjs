// browser.mjs - what every browser test file needs: a real `todo serve` serving the built web
// UI (web/out) on a free loopback port (tests/blackbox/lib/server.mjs), Debian's Chromium in
// headless mode driven by playwright-core, a signed-up user signed in through the UI,
// screenshots saved as test artefacts, and an axe-core accessibility scan.
//
// Environment:
//   TODO_CHROMIUM   the browser (default /usr/bin/chromium)
//   TODO_WEB_OUT    the built UI (default web/out under the repo root)
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import assert from 'node:assert/strict';
import { REPO_ROOT, startServer, unique, newUser, PASSWORD, waitFor } from '../../blackbox/lib/server.mjs';

export { unique, waitFor, PASSWORD };

export const ARTIFACTS = path.join(REPO_ROOT, 'tests/browser/artifacts');
const WEB_OUT = path.resolve(REPO_ROOT, process.env.TODO_WEB_OUT || 'web/out');
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The flags this machine needs: no sandbox as root, and no background networking (its
// connections are refused by the closed network, many at a time).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage'];

/** Starts `todo serve` with the web UI and a headless Chromium. Call stop() when done. */
export async function startApp({ env = {} } = {}) {
    const server = await startServer({ env: { TODO_WEB_DIR: WEB_OUT, ...env } });
    let browser;
    try {
        browser = await chromium.launch({
            executablePath: process.env.TODO_CHROMIUM || '/usr/bin/chromium',
            headless: true,
            args: CHROMIUM_ARGS,
        });
    } catch (e) {
        await server.stop();
        throw e;
    }
    return {
        server,
        browser,
        url: server.url,
        /** A fresh browser context (its own storage) and page; errors in the page fail the test. */
        async newPage({ viewport = { width: 1280, height: 860 }, colorScheme = 'light', timezoneId = 'UTC' } = {}) {
            const context = await browser.newContext({ baseURL: server.url, viewport, colorScheme, timezoneId });
            const page = await context.newPage();
            page.setDefaultTimeout(10000);
            page.errors = [];
            page.on('pageerror', (e) => page.errors.push(String(e)));
            page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`${m.text()} (${m.location().url || 'no url'})`); });
            return page;
        },
        /** Runs fn(page) on a new page (options as newPage), closing its context after. */
        async withPage(opts, fn) {
            if (typeof opts === 'function') [opts, fn] = [{}, opts];
            const page = await this.newPage(opts);
            try {
                return await fn(page);
            } finally {
                await page.context().close();
            }
        },
        async stop() {
            await browser.close().catch(() => {});
            await server.stop();
        },
    };
}

/** A new account made over the API (fast), then signed in through the sign-in page. */
export async function signedIn(app, page, { timezone = 'UTC', name } = {}) {
    const email = `${unique('b')}@example.com`;
    const user = await newUser(app.server.api, { email, timezone, name });
    await page.goto('/signin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    return { ...user, email };
}

/** Saves a full-page PNG under tests/browser/artifacts/. */
export async function screenshot(page, name) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Runs axe-core (WCAG 2 A and AA rules) on the page; fails on serious or critical findings. */
export async function assertAccessible(page, what) {
    // evaluated, not added as an inline <script>: the page's CSP would refuse that
    await page.evaluate(AXE_SOURCE);
    const result = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary) }));
    });
    const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${what}: accessibility violations:\n${JSON.stringify(bad, null, 2)}`);
    return result;
}

/** The list rows' titles, in order. */
export async function rowTitles(page) {
    return page.locator('.task-row .title-btn').allInnerTexts();
}

/** Fails if the page logged errors (uncaught exceptions, console.error). */
export function assertNoPageErrors(page) {
    assert.deepEqual(page.errors, [], `errors in the page:\n${page.errors.join('\n')}`);
}
